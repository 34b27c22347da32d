// Progress bars: on a terminal, for reads and dumps that take over a second
// (a clock that moves 250-600 ms per look stands in for a slow run).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tempDir, utf8 } from "../_helpers.ts";
import { runCli } from "../../src/cli/mod.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { Store } from "../../src/store/store.ts";
import { saveSnapshotSync } from "../../src/persist/snapshot_file.ts";
import { concatBytes } from "../../src/codec/bytes_util.ts";

async function run(
  argv: string[],
  tty: boolean,
  step = 250,
): Promise<{ code: number; err: string }> {
  let t = 1_767_225_600_000;
  let err = "";
  const code = await runCli(argv, {
    out: () => {},
    outBytes: () => {},
    err: (s) => void (err += s),
    stderrIsTTY: tty,
  }, { now: () => (t += step) });
  return { code, err };
}

describe("progress bars", () => {
  const dir = tempDir();
  const frames = Array.from({ length: 30_000 }, (_, i) => encodeCommand(["SET", `k${i}`, "v"]));
  const aof = join(dir, "big.aof");
  writeFileSync(aof, concatBytes([AOF_MAGIC, ...frames]));
  const snap = join(dir, "big.rdb");
  const store = new Store();
  for (let i = 0; i < 60_000; i++) store.setString(utf8(`k${i}`), utf8("v".repeat(16)));
  saveSnapshotSync(store, snap);

  for (const format of ["jsonl", "resp"]) {
    it(`dump --format ${format} draws a reading and a dumping bar, then clears the line`, async () => {
      const r = await run(["dump", aof, "--format", format], true);
      assert.equal(r.code, 0);
      assert.match(r.err, /\rreading big\.aof \[#* *\] +\d+%/);
      assert.match(r.err, /\rdumping \[#* *\] +\d+%/);
      assert.ok(r.err.endsWith("\r\x1b[2K"), "the bar is cleared at the end");
    });
  }
  it("a snapshot read shows a bar too", async () => {
    const r = await run(["check", snap], true, 600);
    assert.equal(r.code, 0);
    assert.match(r.err, /\rreading big\.rdb \[#* *\] +\d+%/);
  });
  it("nothing is drawn when stderr is not a terminal", async () => {
    const r = await run(["dump", aof], false);
    assert.equal(r.code, 0);
    assert.equal(r.err, "");
  });
});
