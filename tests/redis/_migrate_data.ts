// Data dirs for the migration tests: every type (streams with consumer
// groups and pending entries too), exact TTLs, binary keys (a leading NUL,
// every byte value), awkward scores, bulk string keys; written as kevy
// writes them (shards.meta, one snapshot per shard, AOF frames on top), for
// any shard count and routing. And what a live Redis holds, for comparing.
import { join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import { utf8 } from "../_helpers.ts";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import type { Entry, StreamValue } from "../../src/codec/types.ts";
import { aofName, snapshotName } from "../../src/codec/names.ts";
import type { Routing } from "../../src/codec/routing_types.ts";
import { saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { shardIndex } from "../../src/shard/routing.ts";
import { writeShardsMeta } from "../../src/shard/shards_meta.ts";
import { mergeSources, STANDARD_LAYOUT } from "../../src/shard/reshard.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { Store } from "../../src/store/store.ts";
import type { KeyspaceView } from "./_keyspace.ts";
import { viewOfRedis, viewOfStores } from "./_keyspace.ts";
import type { RedisServer } from "./_redis_server.ts";
import { ALL_BYTES, sampleEntries } from "./_sample_store.ts";

/** A stream with two groups, consumers, pending entries and a deleted id. */
export function sampleStream(now: number): StreamValue {
  const id = (ms: number, seq = 0) => ({ ms: BigInt(ms), seq: BigInt(seq) });
  const base = now - 60_000;
  return {
    lastId: id(base + 9, 3),
    maxDeletedId: id(base + 2),
    entriesAdded: 7n,
    entries: [
      { id: id(base + 1), fields: [[utf8("temp"), utf8("21.5")], [utf8("unit"), utf8("C")]] },
      { id: id(base + 3, 1), fields: [[utf8("empty"), utf8("")]] },
      { id: id(base + 9, 3), fields: [[utf8("temp"), utf8("22")]] },
    ],
    groups: [
      {
        name: utf8("workers"),
        lastDelivered: id(base + 3, 1),
        entriesRead: 2n,
        consumers: [
          { name: utf8("alice"), seenTime: BigInt(base + 100) },
          { name: utf8("idle-bob"), seenTime: BigInt(base + 50) },
        ],
        pel: [
          {
            id: id(base + 1),
            consumer: utf8("alice"),
            deliveryTime: BigInt(base + 100),
            deliveryCount: 2,
          },
          {
            id: id(base + 3, 1),
            consumer: utf8("alice"),
            deliveryTime: BigInt(base + 101),
            deliveryCount: 1,
          },
        ],
      },
      { name: utf8("empty-group"), lastDelivered: id(0), consumers: [], pel: [] },
    ],
  };
}

/** Every kind of key the migration must carry, plus `bulk` string keys (a tenth with TTLs). */
export function migrationEntries(now: number, bulk: number): Entry[] {
  const out = sampleEntries(now);
  out.push(
    { key: new Uint8Array([0]), value: { type: "string", value: utf8("nul key") }, deadline: null },
    {
      key: new Uint8Array([0, 0x61, 0x62]),
      value: { type: "list", value: [utf8("x")] },
      deadline: now + 7_200_123,
    },
    {
      key: utf8("{user:1}:profile"),
      value: { type: "hash", value: [[utf8("name"), utf8("ann")]] },
      deadline: null,
    },
    { key: utf8("stream"), value: { type: "stream", value: sampleStream(now) }, deadline: null },
    {
      key: utf8("stream:ttl"),
      value: { type: "stream", value: sampleStream(now) },
      deadline: now + 900_007,
    },
    { key: utf8("counter"), value: { type: "string", value: utf8("41") }, deadline: null },
    { key: utf8("doomed"), value: { type: "string", value: utf8("x") }, deadline: null },
  );
  for (let i = 0; i < bulk; i++) {
    const key = i % 17 === 0 ? utf8(`\x00bulk:${i}`) : utf8(`bulk:${i}`);
    out.push({
      key,
      value: { type: "string", value: utf8(`value-${i}-${"x".repeat(i % 40)}`) },
      deadline: i % 10 === 0 ? now + 86_400_000 + i : null,
    });
  }
  return out;
}

/** Frames written to the AOFs on top of the snapshots (each to the shard of its key). */
export function extraFrames(now: number): Array<Array<string | Uint8Array>> {
  return [
    ["INCR", "counter"],
    ["RPUSH", "list", "appended", ALL_BYTES],
    ["DEL", "doomed"],
    ["PEXPIREAT", "str", String(now + 5_000_017)],
    ["HSET", "{user:1}:profile", "city", "Lyon"],
  ];
}

/**
 * Writes a kevy data dir: shards.meta, each shard's snapshot, then the
 * extra frames appended to the AOF of the shard owning their key.
 */
export async function writeDataDir(
  dir: string,
  entries: Entry[],
  n: number,
  routing: Routing,
  frames: Array<Array<string | Uint8Array>>,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const stores = Array.from({ length: n }, () => new Store({ now: () => 0 }));
  for (const e of entries) stores[shardIndex(e.key, n, routing)]!.put(e);
  await writeShardsMeta(dir, { n, routing });
  for (let i = 0; i < n; i++) {
    await saveSnapshot(stores[i]!, join(dir, snapshotName(i)), { now: 0 });
  }
  const logs: Uint8Array[][] = Array.from({ length: n }, () => [AOF_MAGIC]);
  for (const f of frames) {
    const key = typeof f[1] === "string" ? utf8(f[1]) : f[1]!;
    logs[shardIndex(key, n, routing)]!.push(encodeCommand(f));
  }
  for (let i = 0; i < n; i++) {
    const parts = logs[i]!;
    const total = parts.reduce((s, p) => s + p.length, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      buf.set(p, at);
      at += p.length;
    }
    writeFileSync(join(dir, aofName(i)), buf);
  }
}

/** The data dir as our loader sees it (every shard merged). */
export async function loadDataDir(dir: string, n: number, now: () => number): Promise<Store> {
  const store = new Store({ now });
  await mergeSources(dir, n, STANDARD_LAYOUT, store, (s, argv) => void applyCommand(s, argv));
  return store;
}

/** Our view of a store (database 0); a stream's value is its type, as the Lua collector gives it (see streamOnServer). */
export function viewOfSource(store: Store): KeyspaceView {
  const v = viewOfStores(new Map([[0, store]]));
  for (const keys of Object.values(v)) {
    for (const k of Object.values(keys)) if (k.type === "stream") k.value = "stream";
  }
  return v;
}

/** What a set of servers (a cluster's masters, or one server) hold in database `db`, merged. */
export async function viewOfServers(servers: RedisServer[], db = 0): Promise<KeyspaceView> {
  const merged: KeyspaceView = {};
  for (const s of servers) {
    const v = viewOfRedis(await s.keyspace([db]));
    for (const [d, keys] of Object.entries(v)) Object.assign(merged[d] ??= {}, keys);
  }
  return merged;
}

/** Writes keys of every type on a live server the way an application does (a stream with groups, a function). */
export async function fillLikeAnApp(s: RedisServer): Promise<void> {
  const far = Date.now() + 3_600_000;
  const cmds: string[][] = [
    ["SET", "greeting", "hello"],
    ["SET", "counter", "42"],
    ["SET", "session", "abc", "PXAT", String(far)],
    ["RPUSH", "queue", "a", "b", "c"],
    ["HSET", "user:1", "name", "ann", "age", "33"],
    ["SADD", "tags", "x", "y", "z"],
    ["SADD", "ints", "1", "2", "3"],
    ["ZADD", "board", "1.5", "ann", "-2", "bob", "inf", "top"],
    ["XADD", "events", "1-1", "type", "login"],
    ["XADD", "events", "2-1", "type", "logout"],
    ["XADD", "events", "3-1", "type", "login"],
    ["XGROUP", "CREATE", "events", "audit", "0"],
    ["XREADGROUP", "GROUP", "audit", "alice", "COUNT", "2", "STREAMS", "events", ">"],
    ["XGROUP", "CREATECONSUMER", "events", "audit", "bob"],
    ["XDEL", "events", "1-1"],
    ["PEXPIREAT", "queue", String(far + 1)],
    [
      "FUNCTION",
      "LOAD",
      "#!lua name=mylib\nredis.register_function('one', function() return 1 end)",
    ],
  ];
  for (let i = 0; i < 300; i++) cmds.push(["RPUSH", "biglist", `item-${i}`]);
  for (const c of cmds) await s.cli(c);
}

/** XINFO STREAM FULL as redis-cli --json prints it (what the server holds). */
export async function streamOnServer(s: RedisServer, key: string, db = 0): Promise<unknown> {
  // As RedisServer.keyspace: a cluster node that believes the cluster is down
  // for a moment (a loaded machine) is asked again; any other error is a clear one.
  const until = Date.now() + 60_000;
  let out = await s.cli(["--json", "XINFO", "STREAM", key, "FULL"], db);
  while (/^error:"CLUSTERDOWN/.test(out) && Date.now() < until) {
    await new Promise((res) => setTimeout(res, 200));
    out = await s.cli(["--json", "XINFO", "STREAM", key, "FULL"], db);
  }
  if (out.startsWith("error:")) {
    throw new Error(`port ${s.port}: XINFO STREAM ${key}: ${out.trim()}`);
  }
  return JSON.parse(out);
}

/** What XINFO STREAM FULL must say for a stream value (times the server cannot keep left out). */
export function expectedStreamInfo(s: StreamValue): unknown {
  const id = (x: { ms: bigint; seq: bigint }) => `${x.ms}-${x.seq}`;
  const td = new TextDecoder();
  return {
    "last-generated-id": id(s.lastId),
    "max-deleted-entry-id": id(s.maxDeletedId),
    "entries-added": Number(s.entriesAdded),
    entries: s.entries.map((
      e,
    ) => [id(e.id), e.fields.flatMap(([f, v]) => [td.decode(f), td.decode(v)])]),
    // Redis lists groups by name.
    groups: [...s.groups].sort((a, b) => td.decode(a.name) < td.decode(b.name) ? -1 : 1).map((
      g,
    ) => ({
      name: td.decode(g.name),
      "last-delivered-id": id(g.lastDelivered),
      "entries-read": g.entriesRead === undefined || g.entriesRead === null
        ? null
        : Number(g.entriesRead),
      pending: g.pel.map((
        p,
      ) => [id(p.id), td.decode(p.consumer), Number(p.deliveryTime), p.deliveryCount]),
      consumers: g.consumers.map((c) => td.decode(c.name)).sort(),
    })),
  };
}

/** The comparable part of a server's XINFO STREAM FULL (see expectedStreamInfo). */
export function comparableStreamInfo(info: unknown): unknown {
  const i = info as Record<string, unknown>;
  return {
    "last-generated-id": i["last-generated-id"],
    "max-deleted-entry-id": i["max-deleted-entry-id"],
    "entries-added": i["entries-added"],
    entries: i.entries,
    groups: (i.groups as Array<Record<string, unknown>>).map((g) => ({
      name: g.name,
      "last-delivered-id": g["last-delivered-id"],
      "entries-read": g["entries-read"],
      pending: g.pending,
      consumers: (g.consumers as Array<{ name: string }>).map((c) => c.name).sort(),
    })),
  };
}
