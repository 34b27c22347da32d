// `kevy-persist dump … | head`: when the reader of stdout goes away, the
// command ends quietly with exit 0 (no EPIPE stack trace), in a real process.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { tempDir } from "../_helpers.ts";
import { encodeCommand } from "../../src/codec/resp.ts";
import { scriptCommand } from "../../src/fs/spawn.ts";

// Under Node this test runs from the compiled tests against the npm build.
const compiled = import.meta.url.endsWith(".js");
const bin = join(process.cwd(), compiled ? "npm/esm/src/cli/bin.js" : "src/cli/bin.ts");

/** An AOF whose dump is far larger than a pipe buffer (64 KiB). */
function bigAof(dir: string): string {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 20_000; i++) frames.push(encodeCommand(["SET", `key:${i}`, `value:${i}`]));
  const bytes = new Uint8Array(frames.reduce((a, f) => a + f.length, 0));
  let at = 0;
  for (const f of frames) {
    bytes.set(f, at);
    at += f.length;
  }
  const path = join(dir, "aof-0.aof");
  writeFileSync(path, bytes);
  return path;
}

/** Runs the CLI, reads the first chunk of stdout, then closes the pipe like `head` does. */
function runAndCloseEarly(argv: string[]): Promise<{ code: number | null; err: string }> {
  const [cmd, ...args] = scriptCommand(bin);
  const child = spawn(cmd!, [...args, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += String(d)));
  child.stdout.once("data", () => child.stdout.destroy());
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, err })));
}

describe("kevy-persist output into a closed pipe", () => {
  const dir = tempDir();
  const aof = bigAof(dir);
  for (const format of ["jsonl", "resp"]) {
    it(`dump --format ${format} | head exits 0 and prints nothing on stderr`, async () => {
      const r = await runAndCloseEarly(["dump", aof, "--format", format]);
      assert.equal(r.err, "");
      assert.equal(r.code, 0);
    });
  }
});
