// A large index grows its entry columns and its arena step by step: columns
// (and an arena) twice the size fill a few entries (bytes) per write and take
// over once whole. At every step every key reads back what was last written
// to it (value, deadline, type), and a snapshot view taken mid-growth is the
// point in time it was taken at.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat, utf8 } from "../_helpers.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { encodeSnapshot } from "../../src/store/snapshot.ts";
import { indexOf } from "../../src/store/internals.ts";
import { encodeSnapshotChunks } from "../../src/codec/snapshot.ts";
import { freezeEntries } from "../../src/codec/snapshot_writer.ts";
import { HashValue } from "../../src/store/values.ts";

const NOW = 1767225600000;

/** What a key should hold: a string or a hash field value, and a deadline. */
interface Want {
  str: string | null;
  field: string | null;
  deadline: number | null;
}

class Model {
  readonly s = new Store({ now: () => NOW });
  readonly want = new Map<string, Want>();
  set(k: string, v: string): void {
    this.s.setString(utf8(k), utf8(v));
    this.want.set(k, { str: v, field: null, deadline: null });
  }
  hset(k: string, v: string): void {
    applyCommand(this.s, ["DEL", k].map(utf8));
    applyCommand(this.s, ["HSET", k, "f", v].map(utf8));
    this.want.set(k, { str: null, field: v, deadline: null });
  }
  del(k: string): void {
    assert.equal(this.s.delete(utf8(k)), this.want.delete(k));
  }
  expireAt(k: string, d: number | null): void {
    const w = this.want.get(k);
    assert.equal(this.s.setDeadline(utf8(k), d), w !== undefined);
    if (w !== undefined) w.deadline = d;
  }
  /** Checks `keys` (all of them when omitted) against the store. */
  check(keys?: string[]): void {
    for (const k of keys ?? this.want.keys()) {
      const w = this.want.get(k), kb = utf8(k);
      const v = this.s.lookup(kb);
      if (w === undefined) {
        assert.equal(v, null, `${k} should be gone`);
        continue;
      }
      if (w.str !== null) assert.deepEqual(v, utf8(w.str), `${k} value`);
      else {
        assert.ok(v instanceof HashValue, `${k} is a hash`);
        assert.deepEqual(v.get(utf8("f")), utf8(w.field!), `${k} field`);
      }
      assert.equal(this.s.deadline(kb), w.deadline, `${k} deadline`);
    }
    assert.equal(this.s.dbsize(), this.want.size);
  }
}

describe("KeyIndex: columns and arena grow step by step", () => {
  it("every write during a column growth lands, before and after the copy point", () => {
    const m = new Model();
    let i = 0;
    for (; indexOf(m.s).growing === null; i++) m.set(`k${i}`, `v${i}`);
    const ix = indexOf(m.s), cap = ix.cap;
    let steps = 0;
    const touched: string[] = [];
    while (ix.growing !== null) {
      const copied = ix.growing.copied;
      // Keys both below the copy point (mirrored) and above it (copied later).
      const below = `k${(steps * 37) % Math.max(1, copied)}`;
      const above = `k${Math.min(i - 1, copied + ((steps * 53) % Math.max(1, i - copied)))}`;
      switch (steps % 6) {
        case 0:
          m.set(below, `over${steps}`);
          m.set(above, `over${steps}`);
          break;
        case 1:
          m.expireAt(below, NOW + 1000 + steps);
          m.expireAt(above, NOW + 2000 + steps);
          break;
        case 2:
          m.hset(below, `h${steps}`);
          m.hset(above, `h${steps}`);
          break;
        case 3:
          m.del(below);
          m.del(above);
          break;
        case 4:
          if (m.want.has(below)) m.expireAt(below, null);
          break;
      }
      touched.push(below, above);
      m.set(`k${i}`, `v${i}`); // an insert: the next step
      touched.push(`k${i}`);
      i++;
      steps++;
      m.check(touched.slice(-40));
    }
    assert.ok(steps > 10, `the growth spanned ${steps} writes`);
    assert.ok(ix.cap > cap, "the columns grew");
    m.check();
  });

  it("a growth with deadlines and objects added mid-way", () => {
    const m = new Model();
    let i = 0;
    for (; indexOf(m.s).growing === null; i++) m.set(`k${i}`, `v${i}`);
    const ix = indexOf(m.s);
    assert.equal(ix.dl, null);
    assert.equal(ix.objs, null);
    for (let w = 0; ix.growing !== null; w++, i++) {
      if (w === 3) m.expireAt("k1", NOW + 5); // the first deadline
      if (w === 5) m.hset("k2", "x"); // the first object
      if (w > 5) m.expireAt(`k${w}`, NOW + w);
      m.set(`k${i}`, `v${i}`);
    }
    m.check();
  });

  it("a snapshot view taken mid-growth is the point in time it was taken at", () => {
    const s = new Store({ now: () => NOW });
    const run = (...a: string[]) => applyCommand(s, a.map(utf8));
    let i = 0;
    for (; indexOf(s).growing === null; i++) {
      run("SET", `k${i}`, `v${i}`);
      if (i % 100 === 0) run("PEXPIREAT", `k${i}`, `${NOW + 1e9 + i}`);
    }
    const expected = encodeSnapshot(s);
    const chunks = encodeSnapshotChunks(freezeEntries(s.entries()), { now: NOW, chunkSize: 4096 });
    const got: Uint8Array[] = [];
    let grown = false;
    for (let step = 0; step < 100_000; step++) {
      for (let w = 0; w < 30; w++) {
        const j = ((step * 30 + w) * 7919) % i;
        run("SET", `k${j}`, `new${step}`);
        run("DEL", `k${(j * 3) % i}`);
        run("SET", `fresh${step}:${w}`, "x");
      }
      if (indexOf(s).growing === null) grown = true;
      const r = chunks.next();
      if (r.done) break;
      got.push(r.value.slice());
    }
    assert.ok(grown, "the growth ended while the view was read");
    assert.deepEqual(concat(got), expected);
  });

  it("the arena grows without a copy in one write; views handed out stay as they were", () => {
    const m = new Model();
    const ix = indexOf(m.s);
    const big = "x".repeat(1000);
    let i = 0;
    for (; ix.next === null; i++) m.set(`a${i}`, `${i}:${big}`);
    const first = m.s.lookup(utf8("a0")) as Uint8Array;
    const len = ix.arena.length;
    let writes = 0;
    while (ix.next !== null) {
      assert.ok(ix.copied <= ix.used);
      m.set(`a${(writes * 13) % i}`, `over${writes}`); // overwrites append too
      m.set(`a${i}`, `${i}:${big}`);
      i++;
      writes++;
      m.check([`a${i - 1}`, `a${((writes - 1) * 13) % (i - 1)}`, "a1"]);
    }
    assert.ok(writes > 2, `the growth spanned ${writes} writes`);
    assert.ok(ix.arena.length > len, "the arena grew");
    assert.deepEqual(first, utf8(`0:${big}`), "a view handed out before the growth");
    m.check();
  });

  it("a load hint is filled without growing ahead of it", () => {
    const m = new Model();
    const ix = indexOf(m.s), n = 100_000;
    ix.reserve(n, n * 24);
    const kind = ix.kind, arena = ix.arena, slots = ix.slots;
    for (let i = 0; i < n; i++) {
      m.set(`h${100_000 + i}`, `v${100_000 + i}`); // 7 + 7 bytes
    }
    assert.ok(ix.kind === kind && ix.arena === arena && ix.slots === slots, "no growth at all");
    assert.equal(ix.growing, null);
    assert.equal(ix.next, null);
    m.check();
  });
});
