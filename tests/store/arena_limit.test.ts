// A write that cannot fit the store's key/value arena (4 GiB; lowered here)
// fails whole: no partial key, no half-written value, no lost TTL, and the
// applier answers with an OOM error instead of throwing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { indexOf } from "../../src/store/internals.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";

const te = new TextEncoder();
const T = 1_000_000;

/** A store whose arena may not grow past `max` bytes. */
function tight(max: number): Store {
  const s = new Store({ now: () => T });
  indexOf(s).maxArena = max;
  return s;
}

describe("the arena limit", () => {
  it("a SET that cannot fit leaves no key behind (store level)", () => {
    const s = tight(4096);
    assert.throws(() => s.setString(te.encode("k"), new Uint8Array(5000)), RangeError);
    assert.equal(s.has(te.encode("k")), false);
    assert.equal(s.dbsize(), 0);
    assert.throws(() => s.setString(new Uint8Array(5000), te.encode("v")), RangeError);
    assert.equal(s.dbsize(), 0);
  });

  it("an overwrite that cannot fit keeps the old value and its TTL", () => {
    const s = tight(8192);
    s.setString(te.encode("k"), te.encode("old"));
    s.setDeadline(te.encode("k"), T + 5000);
    assert.throws(() => s.setString(te.encode("k"), new Uint8Array(9000)), RangeError);
    assert.deepEqual(s.lookup(te.encode("k")), te.encode("old"));
    assert.equal(s.deadline(te.encode("k")), T + 5000);
  });

  it("the applier refuses a write that may not fit with OOM, before any change (MSET whole)", () => {
    const s = tight(1 << 17);
    applyCommand(s, ["SET", "keep", "v"]);
    const before = dumpKeyspace(s);
    const v = "x".repeat(40_000);
    const r = applyCommand(s, ["MSET", "a", v, "b", v, "c", v]);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : "", /^OOM /);
    assert.deepEqual(dumpKeyspace(s), before);
    // Reads are not refused; a small write still fits.
    assert.deepEqual(applyCommand(s, ["GET", "keep"]), { ok: true, reply: te.encode("v") });
    assert.deepEqual(applyCommand(s, ["SET", "small", "v"]), { ok: true, reply: "OK" });
  });
});
