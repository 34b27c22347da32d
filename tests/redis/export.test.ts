import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../_helpers.ts";
import { parseFrame } from "../../src/codec/resp.ts";
import type { StreamValue } from "../../src/codec/types.ts";
import {
  exportRedisBytes,
  exportRedisCommands,
  type RedisExportStats,
} from "../../src/redis/export.ts";
import { Store } from "../../src/store/store.ts";
import { databases, viewOfStores } from "./_keyspace.ts";
import { sampleStore } from "./_sample_store.ts";
import { text } from "./_aof_dirs.ts";

const NOW = 1_800_000_000_000;
const now = () => NOW;

function frames(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let at = 0; at < bytes.length;) {
    const r = parseFrame(bytes, at);
    if (r.kind !== "frame") throw new Error(`not a whole frame at ${at}: ${r.kind}`);
    out.push(r.argv);
    at = r.end;
  }
  return out;
}

function drain(
  gen: Generator<Uint8Array, RedisExportStats>,
): { chunks: Uint8Array[]; stats: RedisExportStats } {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const r = gen.next();
    if (r.done) return { chunks, stats: r.value };
    chunks.push(r.value);
  }
}

describe("exportRedisCommands", () => {
  it("replayed through CommandApplier, rebuilds the store exactly (types, bytes, TTLs, scores)", () => {
    const store = sampleStore(now);
    const { dbs, applier } = databases(now);
    for (const argv of frames(exportRedisBytes(store))) {
      assert.equal(applier.apply(argv).ok, true, text(argv));
    }
    assert.deepEqual(viewOfStores(dbs), viewOfStores(new Map([[0, store]])));
  });

  it("writes SET/HSET/RPUSH/SADD/ZADD with at most 64 elements each, then PEXPIREAT", () => {
    const cmds = frames(exportRedisBytes(sampleStore(now)));
    const verbs = new Set(cmds.map((c) => new TextDecoder().decode(c[0])));
    assert.deepEqual([...verbs].sort(), ["HSET", "PEXPIREAT", "RPUSH", "SADD", "SET", "ZADD"]);
    for (const c of cmds) {
      const verb = new TextDecoder().decode(c[0]);
      const per = verb === "HSET" || verb === "ZADD" ? 2 : 1;
      if (verb !== "SET" && verb !== "PEXPIREAT") assert.ok((c.length - 2) / per <= 64, verb);
    }
    const hash = cmds.filter((c) => text([c[0]!, c[1]!]) === "HSET hash");
    assert.deepEqual(hash.map((c) => (c.length - 2) / 2), [64, 64, 22]);
    const i = cmds.findIndex((c) => text(c) === `PEXPIREAT hash ${NOW + 3_600_001}`);
    assert.ok(i > 0 && text([cmds[i - 1]![0]!, cmds[i - 1]![1]!]) === "HSET hash");
  });

  it("writes scores Redis reads back exactly: -0, inf, -inf, 1e-20, 5e-324", () => {
    const zadd = frames(exportRedisBytes(sampleStore(now))).filter((c) =>
      text([c[0]!, c[1]!]) === "ZADD zset"
    );
    const scores = zadd.flatMap((c) =>
      c.slice(2).filter((_, j) => j % 2 === 0).map((s) => new TextDecoder().decode(s))
    );
    for (const s of ["-0", "inf", "-inf", "1e-20", "5e-324", "0.1"]) {
      assert.ok(scores.includes(s), s);
    }
  });

  it("yields whole frames in chunks of about chunkBytes, and returns the counts", () => {
    const store = sampleStore(now);
    const { chunks, stats } = drain(exportRedisCommands(store, { chunkBytes: 100, db: 3 }));
    assert.ok(chunks.length > 10);
    for (const c of chunks) frames(c); // each chunk ends on a frame boundary
    const all = chunks.flatMap(frames);
    assert.equal(text(all[0]!), "SELECT 3");
    const joined = exportRedisBytes(store, { db: 3 });
    assert.equal(chunks.reduce((n, c) => n + c.length, 0), joined.length);
    assert.equal(stats.bytes, joined.length);
    assert.equal(stats.commands, all.length);
    assert.equal(stats.keys, 9);
    assert.deepEqual([stats.skippedStreams, stats.skippedEmpty], [0, 0]);
    assert.throws(() => exportRedisCommands(store, { chunkBytes: 0 }).next(), RangeError);
    assert.throws(() => exportRedisCommands(store, { db: -1 }).next(), RangeError);
  });

  it("exports streams as an AOF rewrite writes them (a deleted message's pending entry through a placeholder); skips empty collections, counted and reported to onSkip", () => {
    const s = new Store({ now });
    const stream: StreamValue = {
      lastId: { ms: 5n, seq: 0n },
      maxDeletedId: { ms: 2n, seq: 0n },
      entriesAdded: 3n,
      entries: [{ id: { ms: 1n, seq: 0n }, fields: [[utf8("f"), utf8("v")]] }],
      groups: [{
        name: utf8("g"),
        lastDelivered: { ms: 2n, seq: 0n },
        entriesRead: 2n,
        consumers: [{ name: utf8("c"), seenTime: 7n }],
        pel: [
          { id: { ms: 1n, seq: 0n }, consumer: utf8("c"), deliveryTime: 9n, deliveryCount: 3 },
          // Its message was deleted: re-created through a placeholder entry, removed again.
          { id: { ms: 2n, seq: 0n }, consumer: utf8("c"), deliveryTime: 9n, deliveryCount: 1 },
        ],
      }],
    };
    s.put({ key: utf8("s"), value: { type: "stream", value: stream }, deadline: NOW + 5 });
    s.put({ key: utf8("e"), value: { type: "set", value: [] }, deadline: null });
    s.put({ key: utf8("k"), value: { type: "string", value: utf8("v") }, deadline: null });
    const skipped: string[] = [];
    const { chunks, stats } = drain(
      exportRedisCommands(s, {
        onSkip: (k, why) => skipped.push(`${new TextDecoder().decode(k)}:${why}`),
      }),
    );
    assert.deepEqual(skipped, ["e:empty"]);
    assert.deepEqual(
      [stats.keys, stats.streams, stats.lostPending, stats.skippedStreams, stats.skippedEmpty],
      [2, 1, 0, 0, 1],
    );
    const all = chunks.flatMap(frames).map(text);
    assert.ok(all.includes("SET k v"));
    assert.deepEqual(all.filter((c) => c !== "SET k v"), [
      "XADD s 1-0 f v",
      "XADD s 2-0 x x",
      "XGROUP CREATE s g 2-0 MKSTREAM",
      "XGROUP SETID s g 2-0 ENTRIESREAD 2",
      "XGROUP CREATECONSUMER s g c",
      "XCLAIM s g c 0 1-0 TIME 9 RETRYCOUNT 3 FORCE JUSTID",
      "XCLAIM s g c 0 2-0 TIME 9 RETRYCOUNT 1 FORCE JUSTID",
      "XDEL s 2-0",
      "XSETID s 5-0 ENTRIESADDED 3 MAXDELETEDID 2-0",
      "PEXPIREAT s " + (NOW + 5),
    ]);

    // A stream from Redis 6 (max-deleted-id 0-0) with a deleted message pending above its
    // first entry: no command sequence makes one; left out and counted.
    const old = new Store({ now });
    old.put({
      key: utf8("old"),
      value: { type: "stream", value: { ...stream, maxDeletedId: { ms: 0n, seq: 0n } } },
      deadline: null,
    });
    const o = drain(exportRedisCommands(old));
    assert.equal(o.stats.lostPending, 1);
    assert.deepEqual(
      o.chunks.flatMap(frames).map(text).filter((c) => c.startsWith("XCLAIM")),
      ["XCLAIM old g c 0 1-0 TIME 9 RETRYCOUNT 3 FORCE JUSTID"],
    );
  });

  it("an empty store exports nothing (or just the SELECT)", () => {
    assert.equal(exportRedisBytes(new Store()).length, 0);
    assert.deepEqual(frames(exportRedisBytes(new Store(), { db: 0 })).map(text), ["SELECT 0"]);
  });
});
