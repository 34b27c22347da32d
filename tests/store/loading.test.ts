// Loading mode (Redis semantics: nothing expires while loading) and the hook
// that hears about every key that expired.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Store, whileLoading } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";

const te = new TextEncoder();
const dec = new TextDecoder();
const k = (s: string) => te.encode(s);
const T = 1_000_000;

describe("loading mode", () => {
  it("keeps past deadlines as they are; after loading they expire", () => {
    const s = new Store({ now: () => T });
    whileLoading(() => {
      applyCommand(s, ["SET", "a", "1"]);
      applyCommand(s, ["PEXPIREAT", "a", String(T - 10)]);
      applyCommand(s, ["SET", "b", "v", "PXAT", String(T - 5)]);
      applyCommand(s, ["INCR", "a"]);
      assert.equal(s.has(k("a")), true);
      assert.equal(s.deadline(k("a")), T - 10);
      assert.equal(s.deadline(k("b")), T - 5);
      assert.equal(s.dbsize(), 2);
      assert.equal(s.activeExpire(), 0);
      s.put({ key: k("c"), value: { type: "list", value: [k("x")] }, deadline: T - 1 });
      assert.equal(s.has(k("c")), true);
    });
    assert.equal(s.has(k("a")), false);
    assert.equal(s.dbsize(), 0);
    assert.equal(s.expired.keys, 3);
  });

  it("nests, and ends even when the loader throws", () => {
    const s = new Store({ now: () => T });
    assert.throws(() =>
      whileLoading(() => {
        whileLoading(() => applyCommand(s, ["SET", "a", "1", "PXAT", String(T - 1)]));
        assert.equal(s.has(k("a")), true);
        throw new Error("bad file");
      })
    );
    assert.equal(s.has(k("a")), false);
  });

  it("outside loading a past deadline deletes at once (no expiry event: it is a write)", () => {
    const seen: string[] = [];
    const s = new Store({ now: () => T, onExpire: (key) => seen.push(dec.decode(key)) });
    applyCommand(s, ["SET", "a", "1"]);
    applyCommand(s, ["PEXPIREAT", "a", String(T - 10)]);
    assert.equal(s.has(k("a")), false);
    assert.deepEqual(seen, []);
  });
});

describe("the expire hook", () => {
  it("hears each key removed because its deadline passed: lazily, actively, by a sweep", () => {
    let t = T;
    const seen: string[] = [];
    const s = new Store({ now: () => t, onExpire: (key) => seen.push(dec.decode(key)) });
    for (const n of ["lazy", "active", "swept", "scanned"]) {
      applyCommand(s, ["SET", n, "v", "PX", "10"]);
    }
    applyCommand(s, ["SET", "deleted", "v", "PX", "10"]);
    applyCommand(s, ["DEL", "deleted"]);
    applyCommand(s, ["SET", "overwritten", "v", "PX", "10"]);
    applyCommand(s, ["SET", "overwritten", "w"]);
    t = T + 20;
    assert.equal(s.lookup(k("lazy")), null);
    assert.deepEqual(seen, ["lazy"]);
    assert.equal(s.activeExpire(1), 1);
    assert.equal(seen.length, 2);
    s.scan(0, 100);
    assert.equal(s.dbsize(), 1); // "overwritten" (no TTL any more)
    assert.deepEqual(seen.sort(), ["active", "lazy", "scanned", "swept"].sort());
    assert.equal(s.expired.keys, 4);
  });

  it("can be installed later and removed", () => {
    let t = T;
    const s = new Store({ now: () => t });
    const seen: string[] = [];
    s.hooks.onExpire = (key) => seen.push(dec.decode(key));
    applyCommand(s, ["SET", "a", "v", "PX", "10"]);
    applyCommand(s, ["SET", "b", "v", "PX", "10"]);
    t += 20;
    s.has(k("a"));
    s.hooks.onExpire = null;
    s.has(k("b"));
    assert.deepEqual(seen, ["a"]);
  });
});
