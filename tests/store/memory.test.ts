// Store.usedMemory(): the figure kept up to date by every write path (strings in the arena,
// containers reporting their own changes, lazy and active expiry of keys and hash fields)
// equals the figure of a store rebuilt from scratch out of the same entries.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { StreamData } from "../../src/store/stream.ts";
import { streamBytes } from "../../src/store/_stream_memory.ts";
import { KEY_OVERHEAD } from "../../src/store/_meter.ts";
import { ListValue, SetValue } from "../../src/store/values.ts";
import { SortedSet } from "../../src/store/zset.ts";
import { listInternals } from "../../src/store/_list_value.ts";
import { setInternals } from "../../src/store/_set_value.ts";
import { zsetInternals } from "../../src/store/_sorted_set.ts";
import { utf8 } from "../_helpers.ts";

/**
 * The figure of a store built afresh from `s`'s entries (field deadlines included). Reading
 * the entries expires what is past its deadline in `s` first: compare after calling this.
 */
/** The figure of a store built afresh from `s`'s entries, streams laid out afresh too. */
function rebuilt(s: Store): number {
  const fresh = new Store({ now: () => s.now() });
  for (const e of s.entries()) fresh.put(e);
  return fresh.usedMemory();
}

function recomputed(s: Store): number {
  const fresh = new Store({ now: () => s.now() });
  let streams = 0;
  for (const e of s.entries()) {
    // A stream rebuilt is laid out afresh (no tombstones): measure the one held instead.
    const v = s.lookup(e.key);
    if (v instanceof StreamData) streams += KEY_OVERHEAD + e.key.length + streamBytes(v);
    else fresh.put(e);
  }
  return fresh.usedMemory() + streams;
}

/** Adds to `seen` the encodings (e.g. "list big", "set compact") of `s`'s collections. */
function encodings(s: Store, seen: Set<string>): void {
  for (const key of [...s.keys()]) {
    const v = s.lookup(key);
    if (v instanceof ListValue) seen.add(`list ${listInternals.isCompact(v) ? "compact" : "big"}`);
    if (v instanceof SetValue) seen.add(`set ${setInternals.isCompact(v) ? "compact" : "big"}`);
    if (v instanceof SortedSet) seen.add(`zset ${zsetInternals.isCompact(v) ? "compact" : "big"}`);
  }
}

function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

/** One random command over a few keys of every type. */
function randomCommand(r: (n: number) => number, t: number): string[] {
  const k = (p: string) => `${p}${r(6)}`;
  const v = () => "v".repeat(r(3) === 0 ? 100 + r(200) : r(12));
  const f = () => `f${r(8)}`;
  const n = () => String(r(20) - 5);
  const many = (count: number, one: (i: number) => string[]) =>
    Array.from({ length: count }, (_, i) => one(i)).flat();
  const cmds: Array<() => string[]> = [
    // Across the compact encodings' limits (8 KiB of list items; 512 integers, 128 members
    // or a 64-byte member in a set; 128 members or a 64-byte member in a zset): the original
    // may hold the big form where a rebuild is compact, and the figures must agree.
    () => ["RPUSH", k("l"), ...many(10 + r(30), () => ["w".repeat(200 + r(300))])],
    () => ["SADD", k("t"), ...many(500 + r(30), (i) => [String(i)])],
    () => ["SADD", k("t"), ...many(120 + r(20), (i) => [`m${i}`])],
    () => ["SREM", k("t"), ...many(40, () => [String(r(530))])],
    () => ["ZADD", k("z"), ...many(120 + r(20), (i) => [n(), `m${i}`])],
    () => ["ZREMRANGEBYRANK", k("z"), "0", String(r(60))],
    () => ["SET", k("s"), v()],
    () => ["SET", k("s"), v(), "PX", String(1 + r(50))],
    () => ["SET", k("s"), "x".repeat(70_000)], // kept as its own array
    () => ["APPEND", k("s"), v()],
    () => ["SETRANGE", k("s"), String(r(30)), v()],
    () => ["INCRBY", k("n"), n()],
    () => ["GETDEL", k("s")],
    () => ["DEL", k("s"), k("l"), k("h")],
    () => ["PEXPIRE", k(["s", "l", "h", "z", "t"][r(5)]!), String(1 + r(60))],
    () => ["PERSIST", k("l")],
    () => ["RENAME", k(["s", "l", "h", "z", "t"][r(5)]!), k(["s", "l", "h", "z", "t"][r(5)]!)],
    () => ["COPY", k("h"), k("h"), "REPLACE"],
    () => ["COPY", k("l"), `l${r(6) + 6}`],
    () => ["LPUSH", k("l"), v(), v()],
    () => ["RPUSH", k("l"), v()],
    () => ["LPOP", k("l")],
    () => ["RPOP", k("l"), String(1 + r(3))],
    () => ["LSET", k("l"), String(r(4) - 2), v()],
    () => ["LREM", k("l"), String(r(3) - 1), v()],
    () => ["LTRIM", k("l"), String(r(3)), String(r(6) - 2)],
    () => ["LINSERT", k("l"), "BEFORE", v(), v()],
    () => ["LMOVE", k("l"), k("l"), "LEFT", "RIGHT"],
    () => ["SADD", k("t"), v(), v(), f()],
    () => ["SREM", k("t"), v(), f()],
    () => ["SPOP", k("t"), String(1 + r(2))],
    () => ["SMOVE", k("t"), k("t"), f()],
    () => ["SINTERSTORE", k("t"), k("t"), k("t")],
    () => ["SUNIONSTORE", k("t"), k("t"), k("t")],
    () => ["HSET", k("h"), f(), v(), f(), v()],
    () => ["HDEL", k("h"), f(), f()],
    () => ["HINCRBY", k("h"), `c${r(3)}`, n()],
    () => ["HPEXPIRE", k("h"), String(1 + r(60)), "FIELDS", "2", f(), f()],
    () => ["HPERSIST", k("h"), "FIELDS", "1", f()],
    () => ["HGETDEL", k("h"), "FIELDS", "1", f()],
    () => ["ZADD", k("z"), n(), f(), n(), v()],
    () => ["ZREM", k("z"), f()],
    () => ["ZINCRBY", k("z"), n(), f()],
    () => ["ZPOPMIN", k("z"), String(1 + r(2))],
    () => ["ZUNIONSTORE", k("z"), "2", k("z"), k("z")],
    () => ["ZREMRANGEBYRANK", k("z"), "0", String(r(3))],
    () => ["SORT", k("l"), "ALPHA", "STORE", k("l")],
    () => ["PFADD", k("p"), v(), f()],
    () => ["XADD", k("x"), "*", f(), v(), f(), v()],
    () => ["XADD", k("x"), "MAXLEN", String(r(30)), "*", f(), v()],
    () => ["XTRIM", k("x"), "MINID", "~", String(t - r(50))],
    () => ["XDEL", k("x"), `${t - r(30)}-0`, `${t}-${r(3)}`],
    () => ["XGROUP", "CREATE", k("x"), `g${r(2)}`, "0", "MKSTREAM"],
    () => ["XREADGROUP", "GROUP", `g${r(2)}`, `c${r(3)}`, "COUNT", "3", "STREAMS", k("x"), ">"],
    () => ["XACK", k("x"), `g${r(2)}`, `${t - r(30)}-0`],
    () => ["XGROUP", "DELCONSUMER", k("x"), `g${r(2)}`, `c${r(3)}`],
    () => ["XGROUP", "DESTROY", k("x"), `g${r(2)}`],
    () => ["GET", k("s")], // lazy expiry
    () => ["HGETALL", k("h")], // lazy field expiry
    () => ["EXISTS", k("z")],
    () => (r(40) === 0 ? ["FLUSHALL"] : ["DBSIZE"]),
  ];
  void t;
  return cmds[r(cmds.length)]!();
}

describe("Store.usedMemory", () => {
  it("grows with the data and goes back to zero when it is gone", () => {
    const s = new Store();
    assert.equal(s.usedMemory(), 0);
    s.setString(utf8("k"), new Uint8Array(1000));
    const one = s.usedMemory();
    assert.ok(one > 1000 && one < 1200, String(one));
    applyCommand(s, ["RPUSH", "l", "a".repeat(500), "b".repeat(500)]);
    assert.ok(s.usedMemory() > one + 1000);
    applyCommand(s, ["DEL", "k", "l"]);
    assert.equal(s.usedMemory(), 0);
  });

  it("counts a hash's fields and their deadlines, and lets go of them as they expire", () => {
    let t = 1_000;
    const s = new Store({ now: () => t });
    applyCommand(s, ["HSET", "h", "a", "1", "b", "2", "c", "3"]);
    const base = s.usedMemory();
    applyCommand(s, ["HPEXPIRE", "h", "10", "FIELDS", "2", "a", "b"]);
    const withTtls = s.usedMemory();
    assert.ok(withTtls > base);
    t += 10;
    s.activeExpire(); // the fields go without a command touching the hash
    assert.ok(s.usedMemory() < base);
    const want = recomputed(s);
    assert.equal(s.usedMemory(), want);
  });

  it("counts a stream, exactly as a rebuild does (never NaN: a cap keeps working)", () => {
    const s = new Store();
    const before = s.usedMemory();
    s.put({
      key: utf8("st"),
      value: {
        type: "stream",
        value: {
          lastId: { ms: 5n, seq: 0n },
          maxDeletedId: { ms: 0n, seq: 0n },
          entriesAdded: 2n,
          entries: [
            { id: { ms: 4n, seq: 0n }, fields: [[utf8("f"), new Uint8Array(500)]] },
            { id: { ms: 5n, seq: 0n }, fields: [[utf8("f"), new Uint8Array(500)]] },
          ],
          groups: [],
        },
      },
      deadline: null,
    });
    const used = s.usedMemory();
    assert.ok(Number.isFinite(used) && used - before > 1000, String(used));
    const want = recomputed(s);
    assert.equal(used, want);
    s.delete(utf8("st"));
    assert.equal(s.usedMemory(), before);
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`equals a recomputation from scratch after 3,000 random commands (seed ${seed})`, () => {
      let t = 1_700_000_000_000;
      const s = new Store({ now: () => t });
      const r = rng(seed);
      const seen = new Set<string>();
      for (let i = 0; i < 3_000; i++) {
        const c = randomCommand(r, t);
        const res = applyCommand(s, c);
        void res;
        if (r(10) === 0) t += r(20);
        if (r(25) === 0) s.activeExpire(r(5) + 1);
        if (i % 25 === 24) encodings(s, seen);
        if (i % 250 === 249) {
          const want = recomputed(s);
          assert.equal(s.usedMemory(), want, `after command ${i}`);
        }
      }
      const want = recomputed(s);
      assert.equal(s.usedMemory(), want);
      assert.ok(s.dbsize() > 0);
      // Both encodings of every collection type were met (and counted alike).
      assert.deepEqual([...seen].sort(), [
        "list big",
        "list compact",
        "set big",
        "set compact",
        "zset big",
        "zset compact",
      ]);
      // The snapshot loaders (compact hashes over one copy, Map-encoded ones) count alike.
      // (keepExpired: the fresh store's own clock judges nothing while it loads.)
      const loaded = decodeSnapshot(encodeSnapshot(s, { now: t }), { keepExpired: true });
      assert.equal(loaded.usedMemory(), rebuilt(s));
    });
  }
});
