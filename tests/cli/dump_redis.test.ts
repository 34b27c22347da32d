import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { fixturePath } from "../_helpers.ts";
import { cli } from "./_cli.ts";

// dump on Redis AOF dirs: point-in-time recovery (--until) and RESP for one database.

const TIMESTAMPS = fixturePath("redis/aof-resp-timestamps/appendonlydir");
const WORKLOAD = fixturePath("redis/aof-resp-workload/appendonlydir");
const h = (s: string) => Buffer.from(s).toString("hex");

function keys(out: string): Array<{ key: string; value: unknown }> {
  return out.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

describe("kevy-persist dump --until <unix-seconds>", () => {
  it("gives the keyspace as of that second (the incr file's #TS: annotations)", async () => {
    // ts:0 and INCR before #TS:1795345141; ts:1 and INCR after it, before #TS:1795345142.
    const at41 = await cli(["dump", TIMESTAMPS, "--until", "1795345141"]);
    assert.equal(at41.code, 0, at41.err);
    assert.deepEqual(keys(at41.out).map((k) => k.key), [h("ts:0"), h("ts:1"), h("ts:n")]);
    assert.equal(keys(at41.out).find((k) => k.key === h("ts:n"))?.value, h("2"));
    const at40 = await cli(["dump", TIMESTAMPS, "--until", "1795345140"]);
    assert.deepEqual(keys(at40.out).map((k) => k.key), [h("ts:0"), h("ts:n")]);
    const all = await cli(["dump", TIMESTAMPS]);
    assert.deepEqual(keys(all.out).map((k) => k.key), [h("ts:0"), h("ts:1"), h("ts:2"), h("ts:n")]);
  });

  it("a stop point before the base's first #TS: is an error (exit 1), not an empty keyspace", async () => {
    const r = await cli(["dump", TIMESTAMPS, "--until", "1795345139"]);
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.match(
      r.err,
      /cannot stop at unix time 1795345139: nothing is known before the first #TS:/,
    );
  });

  it("files written without timestamps cannot be cut at a time (exit 1)", async () => {
    const r = await cli(["dump", WORKLOAD, "--until", "1795345139"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no #TS: annotation/);
  });

  it("is a usage error for a bad time or a source that is not a Redis AOF", async () => {
    assert.equal((await cli(["dump", TIMESTAMPS, "--until", "yesterday"])).code, 2);
    const kevy = fixturePath("vectors/aof/basic.aof");
    const r = await cli(["dump", kevy, "--until", "1795345139"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--until needs a Redis AOF/);
  });
});

describe("kevy-persist dump --db N --format resp", () => {
  it("starts with SELECT N", async () => {
    const r = await cli(["dump", TIMESTAMPS, "--db", "0", "--format", "resp"]);
    assert.equal(r.code, 0, r.err);
    const text = new TextDecoder().decode(r.bytes);
    assert.ok(
      text.startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"),
      JSON.stringify(text.slice(0, 40)),
    );
    const none = await cli(["dump", TIMESTAMPS, "--format", "resp"]);
    assert.ok(!new TextDecoder().decode(none.bytes).includes("SELECT"));
  });
});
