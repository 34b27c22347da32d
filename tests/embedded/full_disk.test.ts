// Issue 11, item 4, on a real full disk: an 8 MiB tmpfs (root only; CI runs as root and sets
// KEVY_REQUIRE_TMPFS=1, so there a failed mount fails the test instead of skipping it).
// For every fsync policy: plain writes until the disk is full, then save() and rewriteAof()
// on a full disk, each time freeing the space again. The first failure refuses later writes
// (MISCONF), the store recovers by itself once there is room, and after close + reopen every
// acknowledged write is there, with nothing refused in it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import { CommandFailedError } from "../../src/embedded/errors.ts";
import { AofFailedError } from "../../src/persist/aof.ts";

const REQUIRED = process.env.KEVY_REQUIRE_TMPFS === "1";
const VALUE = 4096;

/** Mounts an 8 MiB tmpfs; null (with the reason) when this machine cannot. */
function mountTmpfs(): { dir: string; reason: null } | { dir: null; reason: string } {
  const dir = tempDir("kevy-fulldisk-");
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=8m", "none", dir], { encoding: "utf8" });
  if (r.status === 0) return { dir, reason: null };
  return { dir: null, reason: `cannot mount a tmpfs (${r.error?.message ?? r.stderr.trim()})` };
}

let mnt: string | null = null;
let skip: string | false = false;
before(() => {
  const m = mountTmpfs();
  mnt = m.dir;
  if (m.reason !== null) {
    if (REQUIRED) throw new Error(`KEVY_REQUIRE_TMPFS=1 but ${m.reason}`);
    skip = m.reason;
  }
});
after(() => {
  if (mnt !== null) spawnSync("umount", [mnt]);
});

/**
 * Fills the disk but for `leave` bytes (a ballast file); returns a function that frees it.
 * A store's log may take space between the `df` and the ballast (under everysec and no, its
 * queued bytes reach the disk when they will): the ballast then stops at ENOSPC, the disk
 * only fuller.
 */
function fill(dir: string, name: string, leave: number): () => void {
  const path = join(dir, name);
  const st = spawnSync("df", ["-B1", "--output=avail", dir], { encoding: "utf8" });
  const avail = Number(st.stdout.trim().split("\n").pop());
  assert.ok(Number.isFinite(avail), `df ${dir}: ${st.stdout} ${st.stderr}`);
  const piece = new Uint8Array(64 * 1024);
  const fd = openSync(path, "w");
  try {
    for (let left = avail - leave; left > 0;) {
      const n = writeSync(fd, piece, 0, Math.min(piece.length, left));
      left -= n;
    }
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOSPC") throw e;
  } finally {
    closeSync(fd);
  }
  return () => rmSync(path, { force: true });
}

type Outcome = "acked" | "refused" | "unknown";
const nextTurn = () => new Promise((r) => setImmediate(r));

class Writer {
  readonly acked = new Map<string, string>();
  readonly unknown = new Map<string, string>();
  refused = new Set<string>();
  n = 0;
  constructor(private readonly db: KevyStore, private readonly tag: string) {}
  async set(): Promise<Outcome> {
    const k = `${this.tag}:${this.n++}`;
    const v = `${k}=`.padEnd(VALUE, "v");
    try {
      await this.db.set(k, v);
      this.acked.set(k, v);
      return "acked";
    } catch (e) {
      if (e instanceof CommandFailedError && /^MISCONF /.test(e.message)) {
        this.refused.add(k);
        return "refused";
      }
      // Applied in memory, its bytes queued, but the caller was told its write failed.
      assert.ok(e instanceof AofFailedError, String(e));
      this.unknown.set(k, v);
      return "unknown";
    }
  }
  /** Writes until 20 in a row are refused (every shard's log has failed). */
  async untilRefused(): Promise<void> {
    let run = 0;
    for (let i = 0; i < 3000 && run < 20; i++) {
      run = (await this.set()) === "refused" ? run + 1 : 0;
      await nextTurn(); // as requests arrive over event-loop turns: the log's I/O runs between
    }
    assert.equal(run, 20, "the full disk was never noticed, or writes kept being accepted");
  }
  /** Writes until one is accepted again (the store retries by itself). */
  async untilAccepted(): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if ((await this.set()) === "acked") return;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail("the store did not recover when space came back");
  }
}

async function verify(dir: string, w: Writer[]): Promise<void> {
  const db = await openStore({ dir, activeExpireIntervalMs: 0 });
  for (const x of w) {
    for (const [k, v] of x.acked) assert.equal(await db.get(k), v, `acknowledged ${k} lost`);
    for (const k of x.refused) assert.equal(await db.get(k), null, `refused ${k} stored`);
    for (const [k, v] of x.unknown) {
      const got = await db.get(k);
      assert.ok(got === null || got === v, `${k}: ${got?.slice(0, 20)}`);
    }
  }
  await db.close();
}

describe("a real full disk (8 MiB tmpfs)", () => {
  for (const fsync of ["always", "everysec", "no"] as const) {
    it(`${fsync}: writes, save() and rewriteAof() on a full disk lose nothing acknowledged`, async (t) => {
      if (skip) return t.skip(skip);
      const dir = join(mnt!, fsync);
      mkdirSync(dir);
      const data = join(dir, "data");
      const db = await openStore({
        dir: data,
        shards: 2,
        appendfsync: fsync,
        autoRewritePercentage: 0,
        activeExpireIntervalMs: 0,
      });
      const plain = new Writer(db, "plain");
      let free = fill(dir, "ballast", 256 * 1024);
      await plain.untilRefused();
      free();
      await plain.untilAccepted();

      // save() on a full disk: it fails, writes made meanwhile are kept; with room it works.
      const saving = new Writer(db, "save");
      for (let i = 0; i < 20; i++) await saving.set();
      free = fill(dir, "ballast", 32 * 1024);
      const during = Promise.all(Array.from({ length: 8 }, () => saving.set()));
      await assert.rejects(db.save());
      await during;
      free();
      await saving.untilAccepted();
      await db.save();

      // rewriteAof() the same way.
      const rewriting = new Writer(db, "rewrite");
      for (let i = 0; i < 20; i++) await rewriting.set();
      free = fill(dir, "ballast", 32 * 1024);
      const during2 = Promise.all(Array.from({ length: 8 }, () => rewriting.set()));
      await assert.rejects(db.rewriteAof());
      await during2;
      free();
      await rewriting.untilAccepted();
      await db.rewriteAof();

      await db.close();
      await verify(data, [plain, saving, rewriting]);
      rmSync(dir, { recursive: true, force: true });
    });
  }

  for (const fsync of ["everysec", "no"] as const) {
    it(`${fsync}: close() on a disk still full rejects, saying how many writes are not on disk`, async (t) => {
      if (skip) return t.skip(skip);
      const dir = join(mnt!, `close-${fsync}`);
      mkdirSync(dir);
      const db = await openStore({
        dir: join(dir, "data"),
        appendfsync: fsync,
        activeExpireIntervalMs: 0,
      });
      fill(dir, "ballast", 16 * 1024);
      const w = new Writer(db, "k");
      await w.untilRefused();
      await assert.rejects(db.close(), (e: unknown) => {
        assert.ok(e instanceof AofFailedError, String(e));
        assert.ok(e.notOnDisk.frames > 0, e.message);
        assert.match(e.message, /\d+ write\(s\), \d+ byte\(s\), not on disk/);
        return true;
      });
      rmSync(dir, { recursive: true, force: true });
    });
  }
});
