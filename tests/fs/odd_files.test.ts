// Issue 11, item 7: an AOF or snapshot that is a symlink to /dev/zero, a FIFO or a directory
// fails at once with a typed error naming the path (before: a busy loop, a block for ever, an
// untyped IsADirectory), in the API and in every CLI command; a NUL byte in a Redis manifest
// line is a CorruptFileError (before: an endless loop).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, utf8 } from "../_helpers.ts";
import { NotAFileError } from "../../src/fs/types.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { replayAof, replayAofSync } from "../../src/persist/replay.ts";
import { Aof } from "../../src/persist/aof.ts";
import { loadSnapshot } from "../../src/persist/snapshot_file.ts";
import { RedisAofLayoutError, replayRedisAof } from "../../src/redis/aof.ts";
import { parseRedisManifest } from "../../src/redis/_manifest.ts";
import { openStore } from "../../src/embedded/open.ts";
import { cli } from "../cli/_cli.ts";

/** Fails instead of hanging: an odd file must be refused well within `ms`. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what}: still running after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type Odd = "zero" | "fifo" | "dir";
function oddAt(path: string, kind: Odd): void {
  if (kind === "zero") symlinkSync("/dev/zero", path);
  else if (kind === "fifo") execFileSync("mkfifo", [path]);
  else mkdirSync(path);
}

const names = (path: string) => (e: unknown) =>
  e instanceof NotAFileError && e.path === path && e.message.includes(path);

for (const kind of ["zero", "fifo", "dir"] as const) {
  describe(`an AOF or snapshot that is ${kind === "zero" ? "a symlink to /dev/zero" : `a ${kind === "fifo" ? "FIFO" : "directory"}`}`, () => {
    it("replayAof, Aof.open, loadSnapshot and replayRedisAof refuse it at once, naming it", async () => {
      const dir = tempDir("kevy-odd-");
      const p = join(dir, "aof-0.aof");
      oddAt(p, kind);
      await within(2000, "replayAof", assert.rejects(replayAof(p, () => {}), names(p)));
      assert.throws(() => replayAofSync(p, () => {}), names(p));
      await within(2000, "Aof.open", assert.rejects(Aof.open(p, { fsync: "no" }), names(p)));
      await within(2000, "loadSnapshot", assert.rejects(loadSnapshot(p), names(p)));
      // A directory is taken for a Redis appendonlydir: a typed layout error naming it.
      await within(
        2000,
        "replayRedisAof",
        assert.rejects(
          replayRedisAof(p, () => {}),
          (e: unknown) =>
            kind === "dir"
              ? e instanceof RedisAofLayoutError && e.message.includes(p)
              : names(p)(e),
        ),
      );
    });

    it("openStore refuses a data dir whose AOF is one", async () => {
      const dir = tempDir("kevy-odd-");
      oddAt(join(dir, "aof-0.aof"), kind);
      await within(
        2000,
        "openStore",
        assert.rejects(openStore({ dir }), names(join(dir, "aof-0.aof"))),
      );
    });

    it("every CLI command exits 3 at once, naming the path", async () => {
      const dir = tempDir("kevy-odd-");
      const p = join(dir, "aof-0.aof");
      oddAt(p, kind);
      const runs: Array<[string, string[]]> = [
        ["inspect", [p]],
        ["check", [p]],
        ["repair", [p]],
        ["dump", [p]],
        ["convert", [p, join(dir, "out.rdb")]],
        ["inspect", [dir]],
        ["check", [dir]],
        ["dump", [dir]],
        ["convert", [dir, join(dir, "out.rdb")]],
        ["reshard", [dir, "--shards", "2"]],
      ];
      for (const [cmd, args] of runs) {
        const r = await within(3000, `${cmd} ${args.join(" ")}`, cli([cmd, ...args]));
        assert.equal(r.code, 3, `${cmd} ${args.join(" ")}: exit ${r.code}: ${r.err}`);
        assert.ok(r.err.includes(p) || r.err.includes(dir), `${cmd}: ${r.err}`);
      }
    });
  });
}

describe("a Redis manifest line with a NUL byte", () => {
  it("is a CorruptFileError at that line, not an endless loop", () => {
    const good = "file appendonly.aof.1.base.aof seq 1 type b\n";
    const bytes = utf8(good + "file appendonly.aof.1.incr.aof\0 seq 1 type i\n");
    assert.throws(
      () => parseRedisManifest(bytes, "appendonly.aof.manifest"),
      (e: unknown) => e instanceof CorruptFileError && e.offset === good.length + 30,
    );
  });

  it("through replayRedisAof of the directory too", async () => {
    const dir = tempDir("kevy-odd-");
    writeFileSync(join(dir, "appendonly.aof.1.base.aof"), "");
    writeFileSync(
      join(dir, "appendonly.aof.manifest"),
      "file appendonly.aof.1.base.aof\0 seq 1 type b\n",
    );
    await within(
      2000,
      "replayRedisAof",
      assert.rejects(replayRedisAof(dir, () => {}), CorruptFileError),
    );
  });
});
