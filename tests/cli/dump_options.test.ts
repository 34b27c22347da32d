// `kevy-persist dump` output options: --unsorted, --text, and sorted output
// that does not depend on how the keyspace was written.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../_helpers.ts";
import { cli } from "./_cli.ts";
import { encodeCommand } from "../../src/codec/resp.ts";

function aofOf(dir: string, name: string, cmds: string[][]): string {
  const frames = cmds.map((c) => encodeCommand(c));
  const bytes = new Uint8Array(frames.reduce((a, f) => a + f.length, 0));
  let at = 0;
  for (const f of frames) {
    bytes.set(f, at);
    at += f.length;
  }
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe("kevy-persist dump: output options", () => {
  const dir = tempDir();
  const cmds = [["SET", "b", "2"], ["SET", "a", "1"], ["RPUSH", "l", "x", "y"], ["SET", "ab", "3"]];
  const forward = aofOf(dir, "f.aof", cmds);
  const backward = aofOf(dir, "b.aof", cmds.slice().reverse());

  it("sorted jsonl is the same whatever order the keys were written in", async () => {
    const x = await cli(["dump", forward]);
    const y = await cli(["dump", backward]);
    assert.equal(x.code, 0);
    assert.equal(
      x.out + x.out,
      y.out + new TextDecoder().decode(y.bytes),
    );
    const lines = x.out.trim().split("\n").map((l) => JSON.parse(l).key);
    assert.deepEqual(lines, ["61", "6162", "62", "6c"]);
  });
  it("--unsorted (-u) prints the same lines, in storage order", async () => {
    const sorted = (await cli(["dump", forward])).out.trim().split(
      "\n",
    );
    for (const flag of ["--unsorted", "-u"]) {
      const r = await cli(["dump", forward, flag]);
      assert.equal(r.code, 0);
      const lines = r.out.trim().split("\n");
      assert.deepEqual(lines.slice().sort(), sorted.slice().sort());
    }
  });
  it("--text (-t) prints printable keys and values as text", async () => {
    for (const flag of ["--text", "-t"]) {
      const r = await cli(["dump", forward, flag]);
      assert.equal(r.code, 0);
      const lines = r.out.trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(lines[0], { key: "a", type: "string", ttl: null, value: "1" });
      assert.deepEqual(lines[3], { key: "l", type: "list", ttl: null, value: ["x", "y"] });
    }
  });
  it("--text with --format resp is a usage error", async () => {
    const r = await cli(["dump", forward, "--text", "--format", "resp"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--text and --unsorted apply to --format jsonl/);
  });
});
