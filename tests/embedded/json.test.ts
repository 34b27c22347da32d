// db.json: values stored as JSON text, given back parsed; what JSON cannot carry is refused
// (with where and what), never changed silently.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../src/embedded/open.ts";
import { JsonValueError, toJsonText } from "../../src/embedded/json.ts";

describe("db.json", () => {
  it("set / get / mget round-trip plain values; the key holds the JSON text", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    const v = { name: "ada", tags: ["x", "y"], n: 1.5, ok: true, none: null, nested: { a: [] } };
    assert.equal(await db.json.set("u:1", v), "OK");
    assert.deepEqual(await db.json.get("u:1"), v);
    assert.equal(await db.get("u:1"), JSON.stringify(v));
    await db.json.set("u:2", [1, "two"]);
    assert.deepEqual(await db.json.mget("u:1", "missing", "u:2"), [v, null, [1, "two"]]);
    assert.equal(await db.json.get("missing"), null);
    await db.close();
  });

  it("takes SET's options: a TTL, nx / xx", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    await db.json.set("s", { a: 1 }, { ex: 60 });
    assert.equal(await db.ttl("s"), 60);
    assert.equal(await db.json.set("s", { a: 2 }, { nx: true }), null);
    assert.equal(await db.json.set("t", { a: 2 }, { xx: true }), null);
    assert.deepEqual(await db.json.get("s"), { a: 1 });
    await db.close();
  });

  it("refuses what JSON cannot carry, saying where, and stores nothing", async () => {
    const db = await openStore();
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    const cases: Array<[unknown, string, RegExp]> = [
      [undefined, "$", /undefined/],
      [{ a: { b: NaN } }, "$.a.b", /NaN/],
      [[1, Infinity], "$[1]", /Infinity/],
      [{ n: 10n }, "$.n", /bigint/],
      [{ f: () => 1 }, "$.f", /function/],
      [{ d: new Date(0) }, "$.d", /Date/],
      [{ m: new Map() }, "$.m", /Map/],
      [{ "odd key": new Uint8Array(1) }, '$["odd key"]', /Uint8Array/],
      [[1, , 3], "$[1]", /sparse/],
      [cyclic, "$.self", /cycle/],
      [{ [Symbol("s")]: 1 }, "$", /symbol/],
    ];
    for (const [value, path, reason] of cases) {
      const e = await db.json.set("k", value).then(() => null, (x) => x);
      assert.ok(e instanceof JsonValueError, `${path}: ${e}`);
      assert.equal(e.path, path);
      assert.match(e.reason, reason);
    }
    assert.equal(await db.exists("k"), 0);
    assert.equal(toJsonText({ z: -0 }), '{"z":0}');
    await db.close();
  });

  it("get of a value that is not JSON rejects with a SyntaxError naming the key", async () => {
    const db = await openStore();
    await db.set("raw", "not json {");
    await assert.rejects(
      db.json.get("raw"),
      (e: Error) => e instanceof SyntaxError && /"raw"/.test(e.message),
    );
    await db.close();
  });
});
