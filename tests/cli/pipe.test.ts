// `kevy-persist dump … | head`: when the reader of stdout goes away, the
// command ends quietly with exit 0 (no EPIPE stack trace), in a real process.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { tempDir } from "../_helpers.ts";
import { cli } from "./_cli.ts";
import { saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { Store } from "../../src/store/store.ts";
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

  it("dump of a snapshot dir | head exits 0 too (the split load's writer)", async () => {
    const snapDir = await bigSnapshotDir();
    const r = await runAndCloseEarly(["dump", snapDir]);
    assert.equal(r.err, "");
    assert.equal(r.code, 0);
  });
});

/** A kevy dir whose sorted dump is about 6 MB (about a hundred output chunks). */
async function bigSnapshotDir(): Promise<string> {
  const d = tempDir();
  const s = new Store();
  const te = new TextEncoder();
  for (let i = 0; i < 60_000; i++) s.setString(te.encode(`key:${i}`), te.encode(`value:${i}`));
  await saveSnapshot(s, join(d, "dump-0.rdb"));
  return d;
}

describe("kevy-persist dump through a real pipe", () => {
  it("read slowly, the output is byte for byte the in-process dump (buffers reused only once written)", async () => {
    const snapDir = await bigSnapshotDir();
    const want = await cli(["dump", snapDir]);
    assert.equal(want.code, 0, want.err);
    const [cmd, ...args] = scriptCommand(bin);
    const child = spawn(cmd!, [...args, "dump", snapDir], { stdio: ["ignore", "pipe", "pipe"] });
    const parts: Uint8Array[] = [];
    let err = "", n = 0;
    child.stderr.on("data", (d) => (err += String(d)));
    child.stdout.on("data", (d: Uint8Array) => {
      parts.push(d);
      // A slow reader now and then: the writer waits for the pipe.
      if (++n % 8 === 0) {
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 5);
      }
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    assert.equal(err, "");
    assert.equal(code, 0);
    const got = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      got.set(p, at);
      at += p.length;
    }
    assert.ok(got.length > 4_000_000, `${got.length} bytes`);
    assert.equal(got.length, want.bytes.length);
    const diff = got.findIndex((b, i) => b !== want.bytes[i]);
    assert.equal(diff, -1, `the piped dump differs from byte ${diff}`);
  });
});
