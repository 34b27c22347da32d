// openStore's options: the clock is `now` (as in every other API); the old
// name `clock` still works, and giving both with different functions is refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../mod.ts";
import { encodeSnapshotChunks } from "../../src/codec/mod.ts";

const T0 = 1_800_000_000_000;

async function ttlAfter(opts: { now?: () => number; clock?: () => number }, t: { ms: number }) {
  const db = await openStore({ ...opts, activeExpireIntervalMs: 0 });
  try {
    await db.set("k", "v", { px: 1000 });
    t.ms += 400;
    return await db.pttl("k");
  } finally {
    await db.close();
  }
}

describe("openStore options: the clock", () => {
  it("`now` drives TTLs", async () => {
    const t = { ms: T0 };
    assert.equal(await ttlAfter({ now: () => t.ms }, t), 600);
  });
  it("the deprecated `clock` still works", async () => {
    const t = { ms: T0 };
    assert.equal(await ttlAfter({ clock: () => t.ms }, t), 600);
  });
  it("`now` and a different `clock` at once are refused; the same function twice is fine", async () => {
    await assert.rejects(openStore({ now: () => 1, clock: () => 2 }), TypeError);
    const f = () => T0;
    const db = await openStore({ now: f, clock: f });
    await db.close();
  });
});

describe("encodeSnapshotChunks: chunkBytes", () => {
  const te = new TextEncoder();
  const entries = Array.from({ length: 50 }, (_, i) => ({
    key: te.encode(`key:${i}`),
    value: { type: "string" as const, value: te.encode("x".repeat(20)) },
    deadline: null,
  }));
  const sizes = (o: Parameters<typeof encodeSnapshotChunks>[1]) =>
    [...encodeSnapshotChunks(entries, { checksum: false, ...o })].map((c) => c.length);
  it("every chunk but the last has chunkBytes bytes; chunkSize is the same option's old name", () => {
    const a = sizes({ chunkBytes: 64 });
    assert.ok(a.length > 2);
    assert.ok(a.slice(0, -1).every((n) => n === 64), String(a));
    assert.deepEqual(sizes({ chunkSize: 64 }), a);
  });
  it("both names with different values, or a size below 64, are refused", () => {
    assert.throws(() => sizes({ chunkBytes: 64, chunkSize: 128 }), TypeError);
    assert.throws(() => sizes({ chunkBytes: 8 }), RangeError);
  });
});
