// Crash safety of ensureLayout's re-shard: a power cut after ANY operation, in
// every variant CrashFs models, followed by a restart (ensureLayout again),
// must end in the target layout with the source keyspace intact (TTLs exact)
// and every source file kept as a byte-identical backup. A sample of those
// restarts is itself cut at every point and restarted once more.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CrashFs } from "../../src/fs/crash.ts";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { type DumpedKey, dumpKeyspace } from "../../src/store/dump.ts";
import { saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { shardIndex } from "../../src/shard/routing.ts";
import {
  type LayoutSpec,
  mergeSources,
  type ShardLayout,
  shardLayout,
  STANDARD_LAYOUT,
} from "../../src/shard/reshard.ts";
import { readShardsMeta, writeShardsMeta } from "../../src/shard/shards_meta.ts";
import { ensureLayout } from "../../src/shard/layout.ts";

// ---- fixture: a durable source layout on a CrashFs and the post-bring-up checks ----

const DIR = "/db";
const NOW = 1_700_000_000_000;
const now = (): number => NOW;
const T2100 = 4102444800000;

/** Commands that build the snapshots (every type, TTLs, binary keys). */
function snapshotCommands(): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < 16; i++) {
    out.push(["SET", `user:${i}`, `v${i}`]);
    if (i % 4 === 0) out.push(["PEXPIREAT", `user:${i}`, String(T2100 + i)]);
  }
  out.push(["HSET", "h:profile", "name", "ada", "lang", "ts"]);
  out.push(["RPUSH", "l:queue", "a", "b", "c"]);
  out.push(["SADD", "s:tags", "x", "y"]);
  out.push(["ZADD", "z:scores", "1.5", "a", "-0", "b", "inf", "c"]);
  out.push(["PEXPIREAT", "z:scores", String(T2100 + 77)]);
  out.push(["SET", "{tag}one", "1"]);
  out.push(["SET", "{tag}two", "2"]);
  out.push(["SET", "gone", "soon"]);
  out.push(["PEXPIREAT", "gone", String(NOW - 1)]); // live when saved, expired at re-shard time
  return out;
}

/** Commands appended to the AOFs after the snapshots (later wins). */
function aofCommands(): string[][] {
  return [
    ["SET", "user:1", "updated-in-aof"],
    ["DEL", "user:2"],
    ["SET", "aof:new", "only in the AOF"],
    ["PEXPIREAT", "aof:new", String(T2100 + 5)],
    ["RPUSH", "l:queue", "d"],
    ["INCR", "counter"],
    ["INCR", "counter"],
  ];
}

/** A durable source layout plus what any correct re-shard of it must preserve. */
interface Source {
  /** The keyspace the data dir holds (dumpKeyspace, TTLs included). */
  expected: DumpedKey[];
  /** Source file name -> bytes: each must survive as `<name>.premigration.<stamp>`. */
  files: Map<string, Uint8Array>;
}

/**
 * Writes a `src` layout into `/db` of `fs` (durable) and returns what it holds.
 * Keys are routed with `src`'s own routing, as a running server would have.
 */
async function writeSource(
  fs: CrashFs,
  src: LayoutSpec,
  layout: ShardLayout,
): Promise<Source> {
  fs.mkdirSync(DIR);
  const stores = Array.from({ length: src.n }, () => new Store({ now: () => NOW - 10 }));
  const all = new Store({ now });
  const route = (argv: string[]): number =>
    shardIndex(new TextEncoder().encode(argv[1]!), src.n, src.routing, src.slotRanges);
  for (const argv of snapshotCommands()) {
    applyCommand(stores[route(argv)]!, argv);
    applyCommand(all, argv);
  }
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < src.n; i++) {
    await saveSnapshot(stores[i]!, `${DIR}/${layout.snapshot(i, src.n)}`, { fs });
  }
  const frames: Uint8Array[][] = Array.from({ length: src.n }, () => [AOF_MAGIC]);
  for (const argv of aofCommands()) {
    frames[route(argv)]!.push(encodeCommand(argv));
    applyCommand(all, argv);
  }
  for (let i = 0; i < src.n; i++) {
    if (frames[i]!.length > 1) {
      fs.writeFileDurable(`${DIR}/${layout.aof(i, src.n)}`, concatBytes(frames[i]!));
    }
  }
  await writeShardsMeta(DIR, src, { fs });
  fs.checkpoint();
  for (const [path, bytes] of fs.snapshotFiles()) {
    const name = path.slice(DIR.length + 1);
    if (name !== "shards.meta") files.set(name, bytes);
  }
  const expected = dumpKeyspace(all);
  assert.ok(expected.length > 20 && expected.some((k) => k.ttl !== null));
  assert.ok(!expected.some((k) => k.key === "676f6e65"), "the short-TTL key is expired at NOW");
  return { expected, files };
}

/** Runs the start-up path (recovery, then a re-shard if still needed). */
function bringUp(fs: CrashFs, target: LayoutSpec, layout: ShardLayout): Promise<unknown> {
  return ensureLayout(DIR, target, undefined, { fs, now, layout });
}

/** After a completed bring-up: target layout in force, same keyspace, every source backed up intact. */
async function assertMigrated(
  fs: CrashFs,
  target: LayoutSpec,
  layout: ShardLayout,
  source: Source,
  where: string,
): Promise<void> {
  assert.deepEqual(await readShardsMeta(DIR, { fs }), target, `${where}: shards.meta`);
  const names = (await fs.readDir(DIR)).map((e) => e.name);
  assert.ok(!names.includes("reshard.journal"), `${where}: journal left`);
  const merged = new Store({ now });
  await mergeSources(DIR, target.n, layout, merged, applyCommand, { fs });
  assert.deepEqual(dumpKeyspace(merged), source.expected, `${where}: keyspace`);
  for (const [name, bytes] of source.files) {
    const backups = names.filter((n) => n.startsWith(`${name}.premigration.`));
    assert.equal(backups.length, 1, `${where}: backups of ${name}: ${backups.join(", ")}`);
    assert.deepEqual(
      await fs.readFile(`${DIR}/${backups[0]}`),
      bytes,
      `${where}: backup of ${name}`,
    );
  }
}

interface Case {
  name: string;
  from: LayoutSpec;
  to: LayoutSpec;
  layout: ShardLayout;
  nestEvery: number;
}

const kevyhash = (n: number): LayoutSpec => ({ n, routing: "kevyhash" });
const slots = (n: number): LayoutSpec => ({ n, routing: "slots" });
/** The 3 masters' ranges `redis-cli --cluster create` assigns (not those of `slots(3)`). */
const cluster3: LayoutSpec = {
  n: 3,
  routing: "slots",
  slotRanges: [[[0, 5460]], [[5461, 10922]], [[10923, 16383]]],
};
const reshardCase = (
  name: string,
  from: LayoutSpec,
  to: LayoutSpec,
  nestEvery: number,
  layout: ShardLayout = STANDARD_LAYOUT,
): Case => ({ name, from, to, layout, nestEvery });

const CASES: Case[] = [
  reshardCase("4 -> 2 (kevyhash)", kevyhash(4), kevyhash(2), 4),
  reshardCase("1 -> 3 (kevyhash)", kevyhash(1), kevyhash(3), 4),
  reshardCase("3 kevyhash -> 3 slots", kevyhash(3), slots(3), 8),
  reshardCase("2 slots -> 2 kevyhash", slots(2), kevyhash(2), 8),
  reshardCase("2 kevyhash -> a 3-master cluster's slot ranges", kevyhash(2), cluster3, 8),
  reshardCase("a cluster's slot ranges -> 3 slots (standard ranges)", cluster3, slots(3), 8),
  reshardCase(
    "1 -> 2 with custom single-file names (embedded)",
    kevyhash(1),
    kevyhash(2),
    8,
    shardLayout({ snapshot: "data.rdb", aof: "data.aof" }),
  ),
];

describe("re-shard survives a crash at every point", () => {
  for (const c of CASES) {
    // Exhaustive by design; generous timeout for loaded CI machines (a few seconds in all when idle).
    it(c.name, { timeout: 120_000 }, async () => {
      let source: Source | undefined;
      let images = 0, nested = 0, lastOp = 0;
      await CrashFs.enumerate(
        async (fs) => {
          source = await writeSource(fs, c.from, c.layout);
        },
        async (fs) => {
          await bringUp(fs, c.to, c.layout);
          lastOp = fs.ops.length;
        },
        async (image, point) => {
          images++;
          const where = `after op ${point.afterOp} (${point.variant})`;
          // A second power cut during the restart, at every point of it, then a third start.
          if (point.afterOp % c.nestEvery === 0 && point.variant === "lost") {
            nested += await CrashFs.enumerate(
              image,
              (fs) => bringUp(fs, c.to, c.layout).then(() => {}),
              async (again, p2) => {
                await bringUp(again, c.to, c.layout);
                await assertMigrated(
                  again,
                  c.to,
                  c.layout,
                  source!,
                  `${where}, then ${p2.afterOp} (${p2.variant})`,
                );
              },
            );
          }
          await bringUp(image, c.to, c.layout);
          await assertMigrated(image, c.to, c.layout, source!, where);
        },
      );
      assert.ok(lastOp > 15, `a re-shard is many operations (${lastOp})`);
      assert.ok(images > lastOp * 2, `images ${images}`);
      assert.ok(nested > 0);
    });
  }
});
