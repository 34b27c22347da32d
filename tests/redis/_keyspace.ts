// A comparable view of a keyspace, built from what Redis reports
// (keyspace.json: hex, Redis order, scores as text) or from our Stores.
// Scores become numbers, compared with Object.is (assert.deepStrictEqual),
// so -0, inf and subnormals must match bit for bit; the Redis text is parsed
// the way Redis prints it (`inf`, `-inf`, `%.17g`).
import { CommandApplier } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { Store } from "../../src/store/store.ts";

/** One key as compared. */
export interface KeyView {
  type: string;
  value: unknown;
  pexpiretime: number | null;
}

/** db index -> hex key -> key. Empty databases are left out. */
export type KeyspaceView = Record<string, Record<string, KeyView>>;

/** keyspace.json as collected from Redis. */
export interface RedisKeyspaceJson {
  collected_at_unix_ms: number;
  dbs: Record<
    string,
    Record<string, {
      type: string;
      value: unknown;
      ttl: { has_ttl: boolean; pexpiretime_unix_ms?: number };
    }>
  >;
}

/** A score as Redis prints it, back to a number. */
export function parseRedisScore(s: string): number {
  if (s === "inf" || s === "+inf") return Infinity;
  if (s === "-inf") return -Infinity;
  const x = Number(s);
  if (Number.isNaN(x)) throw new Error(`not a Redis score: ${s}`);
  return x;
}

function cmpHex(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Redis zset order: score (-0 equals 0), then member bytes. */
function zsetOrder(v: Array<[string, number]>): Array<[string, number]> {
  return [...v].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : cmpHex(a[0], b[0])));
}

/** The view of a keyspace.json (or of the same shape collected from a live server). */
export function viewOfRedis(json: RedisKeyspaceJson): KeyspaceView {
  const out: KeyspaceView = {};
  for (const [db, keys] of Object.entries(json.dbs)) {
    if (Object.keys(keys).length === 0) continue;
    const v: Record<string, KeyView> = {};
    for (const [k, e] of Object.entries(keys)) {
      let value: unknown = e.value;
      if (e.type === "zset") {
        value = (e.value as Array<[string, string]>).map(([m, s]) => [m, parseRedisScore(s)]);
      } else if (e.type === "hash") {
        value = Object.entries(e.value as Record<string, string>).sort((a, b) =>
          cmpHex(a[0], b[0])
        );
      } else if (e.type === "set") {
        value = [...(e.value as string[])].sort(cmpHex);
      }
      v[k] = {
        type: e.type,
        value,
        pexpiretime: e.ttl.has_ttl ? e.ttl.pexpiretime_unix_ms ?? null : null,
      };
    }
    out[db] = v;
  }
  return out;
}

/** A score back from dumpKeyspace's bit pattern (exact, -0 included). */
function scoreOfBits(bits: string): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, BigInt("0x" + bits));
  return dv.getFloat64(0);
}

/** The view of our databases, through `dumpKeyspace` (so expired keys are gone). */
export function viewOfStores(dbs: ReadonlyMap<number, Store>): KeyspaceView {
  const out: KeyspaceView = {};
  for (const [db, store] of dbs) {
    const v: Record<string, KeyView> = {};
    for (const d of dumpKeyspace(store)) {
      let value: unknown = d.value;
      if (d.type === "zset") {
        value = zsetOrder(
          (d.value as Array<[string, string, string]>).map(([m, , bits]) => [m, scoreOfBits(bits)]),
        );
      } else if (d.type === "stream") {
        value = "stream"; // as the Lua collector gives it (its type); the oracle compares XINFO STREAM FULL
      }
      v[d.key] = { type: d.type, value, pexpiretime: d.ttl };
    }
    if (Object.keys(v).length > 0) out[String(db)] = v;
  }
  return out;
}

/** Databases created on demand for a CommandApplier's SELECT, all on one clock. */
export function databases(now: () => number): {
  dbs: Map<number, Store>;
  applier: CommandApplier;
} {
  const dbs = new Map<number, Store>();
  const applier = new CommandApplier((db) => {
    if (db > 15) return null;
    let s = dbs.get(db);
    if (s === undefined) {
      s = new Store({ now });
      dbs.set(db, s);
    }
    return s;
  });
  return { dbs, applier };
}

/**
 * The view with every zset score -0 turned into 0. Redis 7.0 keeps -0 in a
 * skiplist-encoded zset but stores 0 in a listpack-encoded (small) one, so a
 * comparison with a live server must not depend on the sign of zero.
 */
export function zeroSignless(view: KeyspaceView): KeyspaceView {
  const out: KeyspaceView = {};
  for (const [db, keys] of Object.entries(view)) {
    out[db] = {};
    for (const [k, e] of Object.entries(keys)) {
      out[db]![k] = e.type !== "zset" ? e : {
        ...e,
        value: (e.value as Array<[string, number]>).map(([m, s]) => [m, s === 0 ? 0 : s]),
      };
    }
  }
  return out;
}
