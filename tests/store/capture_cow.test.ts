// A store's frozen view (what save() and rewriteAof() encode) is the point in
// time it was taken at, however the store changes while it is read: the view
// is taken in O(1) and every write saves what it changes first.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat, utf8 } from "../_helpers.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { encodeSnapshot } from "../../src/store/snapshot.ts";
import { indexOf } from "../../src/store/internals.ts";
import { encodeSnapshotChunks } from "../../src/codec/snapshot.ts";
import { freezeEntries } from "../../src/codec/snapshot_writer.ts";
import { compactLogPieces } from "../../src/persist/_rewrite_frames.ts";

const NOW = 1767225600000;
const FAR = NOW + 1e12;
/** No walk here needs more steps than this; a view that never ends fails instead of running on. */
const MAX_STEPS = 100_000;

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Applies a command; random writes may meet the wrong type or no key, which is fine. */
function run(s: Store, ...argv: string[]): void {
  applyCommand(s, argv.map(utf8));
}

/** Keys of every type (a compact and a big hash, field TTLs, a 70 KiB string, streams), some with TTLs. */
function mixed(n: number): Store {
  const s = new Store({ now: () => NOW });
  for (let i = 0; i < n; i++) {
    const k = `k${i}`;
    switch (i % 9) {
      case 0:
        run(s, "HSET", k, "a", `${i}`, "b", "x");
        break;
      case 1:
        run(s, "RPUSH", k, "p", `${i}`);
        break;
      case 2:
        run(s, "SADD", k, "m", `${i}`);
        break;
      case 3:
        run(s, "ZADD", k, "1", `${i}`);
        break;
      case 4:
        if (i % 4 === 0) run(s, "XADD", k, `${i + 1}-0`, "f", `${i}`);
        else run(s, "SET", k, `v${i}`);
        break;
      default:
        run(s, "SET", k, `value-${i}`.repeat(1 + (i % 5)));
    }
    if (i % 11 === 0) run(s, "PEXPIREAT", k, `${FAR + i}`);
  }
  const wide: string[] = [];
  for (let f = 0; f < 600; f++) wide.push(`f${f}`, `${f}`);
  run(s, "HSET", "k3", ...wide); // a Map hash (k3 was a zset: gone first)
  run(s, "DEL", "k3");
  run(s, "HSET", "k3", ...wide);
  run(s, "HSET", "k5", "a", "1", "b", "2");
  run(s, "HPEXPIREAT", "k5", `${FAR}`, "FIELDS", "1", "a");
  run(s, "SET", "k7", "x".repeat(70_000)); // kept as its own array
  return s;
}

const WRITES: Array<(k: string, i: number) => string[]> = [
  (k, i) => ["SET", k, `new-${i}`],
  (k) => ["DEL", k],
  (k) => ["APPEND", k, "+tail"],
  (k, i) => ["PEXPIREAT", k, `${FAR - i}`],
  (k) => ["PERSIST", k],
  (k, i) => ["HSET", k, "a", `h${i}`],
  (k) => ["HDEL", k, "a"],
  (k, i) => ["RPUSH", k, `l${i}`],
  (k) => ["LPOP", k],
  (k, i) => ["SADD", k, `s${i}`],
  (k) => ["SREM", k, "m"],
  (k, i) => ["ZADD", k, `${i}`, "z"],
  (k, i) => ["XADD", k, "*", "g", `${i}`],
  (k, i) => ["RENAME", k, `moved${i}`],
  (k, i) => ["HPEXPIREAT", k, `${FAR - i}`, "FIELDS", "1", "b"],
  (_k, i) => ["SET", `fresh${i}`, "v"],
];

function sameBytes(got: Uint8Array, want: Uint8Array): void {
  assert.equal(got.length, want.length, "length");
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) assert.fail(`first difference at byte ${i} of ${want.length}`);
  }
}

/** The view's chunks (copied: a piece may be a view of a reused buffer), `between(step)` running before each. */
function walk(chunks: Iterator<Uint8Array>, between: (step: number) => void): Uint8Array {
  const got: Uint8Array[] = [];
  for (let step = 0; step < MAX_STEPS; step++) {
    between(step);
    const r = chunks.next();
    if (r.done) return concat(got);
    got.push(r.value.slice());
  }
  return assert.fail("the walk did not end");
}

describe("a frozen view is the point in time it was taken at", () => {
  for (const seed of [1, 42]) {
    it(`encodes as it was when taken while any write goes on (seed ${seed})`, () => {
      const n = 20_000;
      const s = mixed(n);
      const expected = encodeSnapshot(s);
      const chunks = encodeSnapshotChunks(freezeEntries(s.entries()), {
        now: NOW,
        chunkSize: 4096,
      });
      const rand = rng(seed);
      const got = walk(chunks, (step) => {
        // A burst of writes, many on keys the walk has not reached yet.
        for (let w = 0; w < 40; w++) {
          const k = `k${Math.floor(rand() * n)}`;
          run(s, ...WRITES[Math.floor(rand() * WRITES.length)]!(k, step * 40 + w));
        }
      });
      sameBytes(got, expected);
      assert.equal(indexOf(s).hooks, null, "a view read to the end lets go of the index");
    });
  }

  it("holds through index growth, mass deletion, arena compaction and FLUSHALL", () => {
    const n = 30_000;
    const s = mixed(n);
    const expected = encodeSnapshot(s);
    const cap = indexOf(s).cap;
    const chunks = encodeSnapshotChunks(freezeEntries(s.entries()), { now: NOW, chunkSize: 4096 });
    let i = 0, grown = false;
    const got = walk(chunks, (step) => {
      for (let w = 0; w < 300 && i < n; w++, i++) run(s, "DEL", `k${n - 1 - i}`);
      for (let w = 0; w < 100; w++) run(s, "SET", `c${step}:${w}`, "y".repeat(50));
      if (step === 3) {
        for (let j = 0; j < n; j++) run(s, "SET", `grow${j}`, `${j}`); // the index grows
        grown = indexOf(s).cap > cap;
      }
      if (step === 60) run(s, "FLUSHALL");
    });
    sameBytes(got, expected);
    assert.ok(grown, "the index grew while the view was read");
    assert.ok(s.dbsize() > 0); // the live store went on normally
  });

  it("holds when the databases are swapped mid-walk (the view follows its index)", () => {
    const s = mixed(5_000), other = new Store({ now: () => NOW });
    run(other, "SET", "o", "1");
    const expected = encodeSnapshot(s);
    const chunks = encodeSnapshotChunks(freezeEntries(s.entries()), { now: NOW, chunkSize: 2048 });
    const got = walk(chunks, (step) => {
      if (step === 2) s.swapWith(other);
      for (let w = 0; w < 20; w++) {
        run(other, "DEL", `k${step * 20 + w}`); // the viewed keyspace, now other's
        run(s, "SET", `k${step * 20 + w}`, "z");
      }
    });
    sameBytes(got, expected);
  });

  it("an AOF rewrite's view holds too, and two views at once stay apart", () => {
    const s = mixed(10_000);
    const rewrite = concat(compactLogPieces(freezeEntries(s.entries()), NOW));
    const snap = encodeSnapshot(s);
    const a = compactLogPieces(freezeEntries(s.entries()), NOW);
    const rand = rng(7);
    const gotRewrite = walk(a, (step) => {
      for (let w = 0; w < 30; w++) {
        run(s, ...WRITES[Math.floor(rand() * WRITES.length)]!(`k${Math.floor(rand() * 1e4)}`, w));
      }
      if (step === 5) {
        // A second view taken later sees the writes so far, and only those.
        const mid = encodeSnapshot(s);
        const b = encodeSnapshotChunks(freezeEntries(s.entries()), { now: NOW, chunkSize: 4096 });
        const gotMid = walk(b, () => {
          for (let w = 0; w < 30; w++) run(s, "DEL", `k${Math.floor(rand() * 1e4)}`);
        });
        sameBytes(gotMid, mid);
      }
    });
    sameBytes(gotRewrite, rewrite);
    assert.notDeepEqual(encodeSnapshot(s), snap); // the writes did happen
  });

  it("leaves out keys expired at the call without sweeping them first, writes racing", () => {
    let clock = NOW;
    const build = (): Store => {
      const s = new Store({ now: () => clock });
      for (let i = 0; i < 6_000; i++) {
        run(s, "SET", `t${i}`, `v${i}`);
        if (i % 3 === 0) run(s, "PEXPIREAT", `t${i}`, `${NOW + i}`);
      }
      run(s, "RPUSH", "list", "a", "b");
      run(s, "PEXPIREAT", "list", `${NOW + 1}`);
      return s;
    };
    const s = build(), swept = build();
    clock = NOW + 3_000; // t0, t3 ... t2997 and the list have expired
    swept.dbsize(); // sweeps: what the view must hold
    const expected = encodeSnapshot(swept);
    const live = indexOf(s).live;
    // No `now` for the encoder: leaving the expired keys out is the view's job.
    const chunks = encodeSnapshotChunks(freezeEntries(s.entries()), { chunkSize: 2048 });
    assert.equal(indexOf(s).live, live, "taking the view removed nothing");
    const got = walk(chunks, (step) => {
      // Writes on expired keys the walk has not reached: each expires, then changes.
      for (let w = 0; w < 20; w++) run(s, "SET", `t${(step * 20 + w) * 3 % 6_000}`, "new");
      if (step === 1) run(s, "RPUSH", "list", "c");
    });
    sameBytes(got, expected);
    assert.equal(indexOf(s).hooks, null);
  });

  it("costs nothing once read: writes after the walk save nothing", () => {
    const s = mixed(1_000);
    const frozen = freezeEntries(s.entries());
    assert.notEqual(indexOf(s).hooks, null, "a live view listens to writes");
    for (const _ of frozen) { /* read to the end */ }
    assert.equal(indexOf(s).hooks, null);
    const empty = new Store();
    freezeEntries(empty.entries());
    assert.equal(indexOf(empty).hooks, null, "an empty view never listens");
  });
});
