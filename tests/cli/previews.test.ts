// What the CLI shows of bad bytes and of files it recognises.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fixturePath, tempDir } from "../_helpers.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeCommand } from "../../src/codec/resp.ts";
import { cli } from "./_cli.ts";
import { hexPreview } from "../../src/cli/_io.ts";

const vec = (p: string) => fixturePath(`vectors/${p}`);
const redis = (p: string) => fixturePath(`redis/${p}`);

describe("byte previews", () => {
  it("show spaced hex with an ASCII column (non-printable bytes as '.')", () => {
    assert.equal(hexPreview("2a330d0a2400ff41"), "2a 33 0d 0a 24 00 ff 41  |*3..$..A|");
    assert.equal(hexPreview(""), "  ||");
  });
  it("check prints the bad bytes with their ASCII beside", async () => {
    const r = await cli(["check", vec("aof/corrupt_not_bulk.aof")]);
    assert.equal(r.code, 1);
    assert.match(r.out, /bytes there: {4}(?:[0-9a-f]{2} )+ \|[ -~]+\|\n/);
  });
  it("a corrupt file's error names the offset and shows the bytes with ASCII", async () => {
    const r = await cli(["dump", vec("aof/corrupt_not_bulk.aof")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /corrupt at byte \d+/);
    assert.match(r.err, /\n {2}bytes there: (?:[0-9a-f]{2} )+ \|[ -~]+\|\n$/);
  });
});

describe("file labels", () => {
  const incr = redis("aof-resp-timestamps/appendonlydir/appendonly.aof.1.incr.aof");
  it("a Redis incr file is a Redis AOF (incr file), never 'legacy kevy'", async () => {
    const r = await cli(["inspect", incr]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^kind +Redis AOF \(incr file\)$/m);
    assert.doesNotMatch(r.out, /legacy/);
  });
  it("a Redis incr file with #TS: annotations checks sound", async () => {
    const r = await cli(["check", incr]);
    assert.equal(r.code, 0);
    assert.match(r.out, /: OK\n$/);
  });
  it("a RESP file without a header says it may be Redis or an old kevy log", async () => {
    const path = join(tempDir(), "plain.aof");
    writeFileSync(path, encodeCommand(["SET", "k", "v"]));
    const r = await cli(["inspect", path]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^kind +RESP AOF without header \(Redis, or kevy before KEVYAOF1\)$/m);
  });
});
