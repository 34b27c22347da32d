// Issue 11, item 1: a save or rewrite interrupted by a power cut, then an open at ANOTHER shard
// count and routing. Every pending journal must be finished in the layout that wrote it before
// the re-shard reads the sources; otherwise the old shard's temps land on the re-sharded files.
// CrashFs: every crash point (every variant) of a sequence of save, writes and rewriteAof, each
// image opened at 3 shards with slot routing; a sample of those recoveries is itself cut at
// every point and opened again at 1 shard.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CrashFs } from "../../src/fs/crash.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { Routing } from "../../src/codec/routing_types.ts";
import { tempDir } from "../_helpers.ts";
import { cli } from "../cli/_cli.ts";
import { afterPowerCut } from "./_power_cut.ts";

const DIR = "/db";
const NOW = 1_700_000_000_000;
const clock = (): number => NOW;

/** The keyspace as the test sees it: strings, a list and a hash. */
type Model = Map<string, string | string[] | Record<string, string>>;

/** One acknowledged write: how it changes the model. */
type Write = { run: (db: KevyStore) => Promise<unknown>; apply: (m: Model) => void };

const incr = (k: string): Write => ({
  run: (db) => db.incr(k),
  apply: (m) => void m.set(k, String(Number(m.get(k) ?? 0) + 1)),
});
const append = (k: string, v: string): Write => ({
  run: (db) => db.append(k, v),
  apply: (m) => void m.set(k, String(m.get(k) ?? "") + v),
});
const set = (k: string, v: string): Write => ({
  run: (db) => db.set(k, v),
  apply: (m) => void m.set(k, v),
});
const rpush = (k: string, v: string): Write => ({
  run: (db) => db.rpush(k, v),
  apply: (m) => void m.set(k, [...((m.get(k) as string[] | undefined) ?? []), v]),
});

function seedWrites(): Write[] {
  const w: Write[] = [];
  for (let i = 0; i < 24; i++) w.push(set(`k:${i}`, `v${i}`));
  for (let i = 0; i < 6; i++) w.push(incr(`ctr:${i % 3}`), append(`log:${i % 2}`, `${i}`));
  w.push(rpush("list", "a"), rpush("list", "b"));
  w.push({
    run: (db) => db.hset("h", { f: "1", g: "2" }),
    apply: (m) => void m.set("h", { f: "1", g: "2" }),
  });
  return w;
}

async function open(fs: CrashFs, shards: number, routing: Routing): Promise<KevyStore> {
  return await openStore({ dir: DIR, shards, routing, appendfsync: "always", fs, clock });
}

/** Reads every model key back, plus dbsize: a stale or misrouted key shows up in the count. */
async function stateOf(db: KevyStore, keys: Iterable<string>): Promise<string> {
  const out: string[] = [`dbsize=${await db.dbsize()}`];
  for (const k of [...keys].sort()) {
    const t = await db.type(k);
    if (t === "none") continue;
    const v = t === "list"
      ? await db.lrange(k, 0, -1)
      : t === "hash"
      ? await db.hgetall(k)
      : await db.get(k);
    out.push(`${k}=${JSON.stringify(v)}`);
  }
  return out.join(" ");
}

function modelState(m: Model): string {
  const out: string[] = [`dbsize=${m.size}`];
  for (const k of [...m.keys()].sort()) out.push(`${k}=${JSON.stringify(m.get(k))}`);
  return out.join(" ");
}

/** The image's data dir copied to a real temp dir. */
function onDisk(image: CrashFs): string {
  const dir = tempDir("kevy-journal-");
  for (const [path, bytes] of image.snapshotFiles()) {
    if (!path.startsWith(`${DIR}/`)) continue;
    const to = join(dir, path.slice(DIR.length + 1));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, bytes);
  }
  return dir;
}

/** Every file of a dir, name -> hex (to prove a command left it untouched). */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of readdirSync(dir).sort()) out.set(n, readFileSync(join(dir, n)).toString("hex"));
  return out;
}

interface Run {
  fs: CrashFs;
  /** States allowed after a crash right after op i: every write acknowledged by then, maybe the next. */
  allowed(afterOp: number): Set<string>;
  keys: Set<string>;
}

/** Seeds a 2-shard kevyhash dir, then records `scenario` (save/rewrite between acknowledged writes). */
async function record(
  scenario: Array<Write | "save" | "rewrite">,
): Promise<Run> {
  const fs = new CrashFs();
  const model: Model = new Map();
  const db = await open(fs, 2, "kevyhash");
  for (const w of seedWrites()) {
    await w.run(db);
    w.apply(model);
  }
  fs.checkpoint();
  const states: Array<{ at: number; state: string }> = [{ at: 0, state: modelState(model) }];
  const keys = new Set(model.keys());
  for (const step of scenario) {
    if (step === "save") await db.save();
    else if (step === "rewrite") await db.rewriteAof();
    else {
      await step.run(db);
      step.apply(model);
      for (const k of model.keys()) keys.add(k);
      states.push({ at: fs.ops.length, state: modelState(model) });
    }
  }
  return {
    fs,
    keys,
    allowed(afterOp) {
      let k = 0;
      while (k + 1 < states.length && states[k + 1]!.at <= afterOp) k++;
      const ok = new Set([states[k]!.state]);
      if (k + 1 < states.length) ok.add(states[k + 1]!.state); // in flight at the cut
      return ok;
    },
  };
}

const SCENARIO = (): Array<Write | "save" | "rewrite"> => [
  "save",
  incr("ctr:0"),
  append("log:1", "+"),
  set("k:3", "after-save"),
  "rewrite",
  incr("ctr:1"),
  rpush("list", "c"),
];

describe("a save/rewrite cut by a power cut, then an open at another shard count", () => {
  it(
    "every crash point, every variant: reopening at 3 shards (slots) keeps every acknowledged write once",
    { timeout: 120_000 },
    async () => {
      const run = await record(SCENARIO());
      let images = 0;
      for (let i = 0; i <= run.fs.ops.length; i++) {
        for (const image of run.fs.crashImages(i)) {
          const db = await open(afterPowerCut(image), 3, "slots");
          const got = await stateOf(db, run.keys);
          await db.close();
          assert.ok(run.allowed(i).has(got), `after op ${i} (${image.crashVariant}): ${got}`);
          images++;
        }
      }
      assert.ok(images > 100, `${images} images`);
    },
  );

  it("a second power cut during that recovery and re-shard, then an open at 1 shard", {
    timeout: 120_000,
  }, async () => {
    const run = await record(SCENARIO());
    // The cuts that leave a committed journal behind (its renames pending) are the dangerous ones.
    const points: number[] = [];
    run.fs.ops.forEach((op, i) => {
      if (op.kind === "syncDir" && run.fs.ops[i - 1]?.kind === "rename") points.push(i + 1);
    });
    assert.ok(points.length >= 4);
    let nested = 0;
    for (const i of points) {
      const [image] = run.fs.crashImages(i, { variants: ["lost"] });
      const allowed = run.allowed(i);
      nested += await CrashFs.enumerate(
        afterPowerCut(image!),
        async (fs) => {
          const db = await open(fs, 3, "slots");
          await db.close();
        },
        async (again) => {
          const db = await open(afterPowerCut(again), 1, "kevyhash");
          const got = await stateOf(db, run.keys);
          await db.close();
          assert.ok(allowed.has(got), `after op ${i}, then a cut in recovery: ${got}`);
        },
        { variants: ["lost", "torn"] },
      );
    }
    assert.ok(nested > 100, `${nested} nested images`);
  });

  it("kevy-persist reshard finishes a pending save journal in its own layout first", async () => {
    const run = await record(["save"]);
    // The cut right before the first roll-forward rename (journals durable): the worst case.
    const firstRename = run.fs.ops.findIndex((o) =>
      o.kind === "rename" && o.path.endsWith(".rdb.tmp")
    );
    assert.ok(firstRename > 0);
    const [image] = run.fs.crashImages(firstRename, { variants: ["lost"] });
    afterPowerCut(image!);
    const dir = onDisk(image!);
    assert.ok(image!.statSync(`${DIR}/dump-0.rdb.save`) !== null, "a journal is pending");
    const r = await cli(["reshard", dir, "--shards", "3", "--routing", "slots"], { now: NOW });
    assert.equal(r.code, 0, r.err);
    const db = await openStore({ dir, shards: 3, routing: "slots", clock });
    const got = await stateOf(db, run.keys);
    await db.close();
    assert.ok(run.allowed(0).has(got), got);
  });

  it("read-only commands (dump) see what recovery would leave, and change nothing", async () => {
    const run = await record([incr("ctr:0"), "save"]);
    // Flushed right before the first AOF rename: new snapshots in place, old logs still there.
    // Replaying those logs over the new snapshots would apply every INCR twice.
    const at = run.fs.ops.findIndex((o) => o.kind === "rename" && o.path.endsWith(".aof.rewrite"));
    assert.ok(at > 0);
    const [image] = run.fs.crashImages(at, { variants: ["flushed"] });
    const dir = onDisk(afterPowerCut(image!));
    const before = files(dir);
    const dumped = await cli(["dump", dir], { now: NOW });
    assert.equal(dumped.code, 0, dumped.err);
    assert.deepEqual(files(dir), before);
    const db = await openStore({ dir, shards: 2, clock });
    await db.close();
    const recovered = await cli(["dump", dir], { now: NOW });
    assert.equal(dumped.out, recovered.out);
    // ctr:0 (hex 6374723a30) was incremented 3 times: "3" (hex 33), not 4 or 6.
    assert.match(recovered.out, /"key":"6374723a30","type":"string","ttl":null,"value":"33"/);
  });
});
