// Streams in the export direction: exportRedisCommands (and so
// `kevy-persist dump --format resp`) piped into a live redis-server gives
// the stream Redis then reports with XINFO STREAM FULL: entries, last id,
// entries-added, max-deleted-id, groups with last-delivered id and
// entries-read, consumers, pending entries with delivery time and count.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir, utf8 } from "../_helpers.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import type { StreamValue } from "../../src/codec/types.ts";
import { loadSnapshot, saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { exportRedisCommands } from "../../src/redis/export.ts";
import { Store } from "../../src/store/store.ts";
import { cli } from "../cli/_cli.ts";
import { redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import { RespClient } from "./_resp_client.ts";
import {
  comparableStreamInfo,
  expectedStreamInfo,
  sampleStream,
  streamOnServer,
} from "./_migrate_data.ts";

const SLOW = { timeout: 120_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/export_streams.test.ts: ${skip}`);

const NOW = Date.now();

/** A stream whose entries were all deleted (only its ids and a group remain). */
function emptiedStream(): StreamValue {
  return {
    lastId: { ms: BigInt(NOW - 10), seq: 4n },
    maxDeletedId: { ms: BigInt(NOW - 10), seq: 4n },
    entriesAdded: 5n,
    entries: [],
    groups: [{
      name: utf8("late"),
      lastDelivered: { ms: BigInt(NOW - 10), seq: 4n },
      entriesRead: 5n,
      consumers: [],
      pel: [],
    }],
  };
}

function storeWithStreams(): Store {
  const s = new Store({ now: () => NOW });
  s.put({
    key: utf8("events"),
    value: { type: "stream", value: sampleStream(NOW) },
    deadline: null,
  });
  s.put({
    key: utf8("emptied"),
    value: { type: "stream", value: emptiedStream() },
    deadline: null,
  });
  s.put({
    key: Uint8Array.of(0, 0x73),
    value: { type: "stream", value: sampleStream(NOW - 1000) },
    deadline: NOW + 3_600_000,
  });
  return s;
}

describe("exportRedisCommands: streams into a live redis-server", { skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ aof: false });
  }, SLOW);
  after(async () => {
    await server?.stop();
  });

  it("XINFO STREAM FULL of every exported stream equals the source; TTL exact", SLOW, async () => {
    await server.cli(["FLUSHALL"]);
    const store = storeWithStreams();
    const it = exportRedisCommands(store, { db: 3 });
    const parts: Uint8Array[] = [];
    let r = it.next();
    for (; !r.done; r = it.next()) parts.push(r.value);
    assert.deepEqual([r.value.streams, r.value.lostPending, r.value.keys], [3, 0, 3]);
    await server.pipe(concatBytes(parts));
    for (const key of ["events", "emptied"]) {
      const want = store.getEntry(utf8(key))!.value.value as StreamValue;
      assert.deepEqual(
        comparableStreamInfo(await streamOnServer(server, key, 3)),
        expectedStreamInfo(want),
        key,
      );
    }
    // The binary key (leading NUL): its stream and its TTL to the millisecond.
    const c = await RespClient.connect(server.port);
    try {
      await c.call("SELECT", "3");
      assert.equal(await c.call("PEXPIRETIME", Uint8Array.of(0, 0x73)), NOW + 3_600_000);
      assert.equal(await c.call("XLEN", Uint8Array.of(0, 0x73)), 3);
    } finally {
      c.close();
    }
    assert.equal((await server.cli(["DBSIZE"], 3)).trim(), "3");
  });

  it(
    "kevy-persist dump --format resp of a snapshot with streams pipes into Redis whole",
    SLOW,
    async () => {
      await server.cli(["FLUSHALL"]);
      const dir = tempDir("kevy-export-streams-");
      const snap = join(dir, "dump.rdb");
      await saveSnapshot(storeWithStreams(), snap, { now: NOW });
      const d = await cli(["dump", snap, "--format", "resp"]);
      assert.equal(d.code, 0, d.err);
      assert.equal(d.err, "", "nothing left out");
      await server.pipe(d.bytes);
      // As the snapshot holds it (kevy's v4 stream layout has no entries-read counter).
      const loaded = new Store({ now: () => NOW });
      await loadSnapshot(snap, { store: loaded, now: NOW });
      const want = loaded.getEntry(utf8("events"))!.value.value as StreamValue;
      assert.equal(want.entries.length, 3);
      assert.deepEqual(
        comparableStreamInfo(await streamOnServer(server, "events")),
        expectedStreamInfo(want),
      );
      // A pending entry of a deleted message in a stream whose max-deleted-id is 0-0 (as
      // Redis 6 leaves one): commands cannot carry it, and dump says so.
      const lossy = new Store({ now: () => NOW });
      const v = sampleStream(NOW);
      const deleted = v.maxDeletedId;
      v.maxDeletedId = { ms: 0n, seq: 0n };
      v.groups[0]!.pel.push({
        id: deleted,
        consumer: utf8("alice"),
        deliveryTime: BigInt(NOW),
        deliveryCount: 1,
      });
      lossy.put({ key: utf8("lossy"), value: { type: "stream", value: v }, deadline: null });
      const lossySnap = join(dir, "lossy.rdb");
      await saveSnapshot(lossy, lossySnap, { now: NOW });
      const l = await cli(["dump", lossySnap, "--format", "resp"]);
      assert.equal(l.code, 0, l.err);
      assert.match(
        l.err,
        /not in the RESP export: 1 pending stream entr\(ies\) of deleted messages/,
      );
    },
  );
});
