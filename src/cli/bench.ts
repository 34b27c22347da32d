// `kevy-persist bench [--quick]`: a small built-in benchmark.
import { joinPath } from "../fs/path.ts";
import { Aof } from "../persist/aof.ts";
import { replayAof } from "../persist/replay.ts";
import { loadSnapshot, saveSnapshot } from "../persist/snapshot_file.ts";
import { applyCommand } from "../store/apply.ts";
import { Store } from "../store/store.ts";
import { type Command, defineCommand } from "./_command.ts";
import { EXIT, Progress, table, UsageError } from "./_io.ts";

const DESCRIPTION =
  `Measures, on this machine and runtime: durable snapshot save and load of N string keys
(key:<i>, 16-byte values), AOF append of N SET frames (fsync no), and replay + apply of that
log. N = 1,000,000, or 100,000 with --quick, or --keys N. Files go to DIR (default: a temp dir,
removed). The full cross-runtime comparison with peers is \`npm run bench:compare\`.`;

/** The bench subcommand. */
export const benchCommand: Command = defineCommand({
  name: "bench",
  summary: "a quick built-in benchmark (snapshot, AOF, replay)",
  args: [],
  options: {
    quick: { type: "boolean", short: "q", help: "100,000 keys instead of 1,000,000" },
    keys: { type: "string", short: "n", value: "N", help: "number of keys" },
    dir: {
      type: "string",
      value: "DIR",
      help: "where the files go (default: a temp dir, removed)",
    },
  },
  description: DESCRIPTION,
  examples: ["kevy-persist bench --quick"],
  exitCodes: "0 ok, 2 usage, 5 internal error.",
  async run({ options }, ctx) {
    const keysText = options.keys;
    if (keysText !== undefined && !/^[1-9]\d{0,8}$/.test(keysText)) {
      throw new UsageError(`--keys must be a positive integer, got ${keysText}`);
    }
    const n = keysText !== undefined ? Number(keysText) : options.quick ? 100_000 : 1_000_000;
    const base = options.dir !== undefined
      ? options.dir
      : joinPath("/tmp", `kevy-bench-${ctx.now()}-${Math.random().toString(36).slice(2)}`);
    await ctx.fs.mkdir(base);
    const te = new TextEncoder();
    const value = te.encode("v".repeat(16));
    const progress = new Progress(ctx.io, "bench", 5, ctx.now);
    const rows: Array<[string, number, number]> = [];
    const time = async (label: string, units: number, f: () => Promise<unknown>) => {
      const t0 = performance.now();
      await f();
      rows.push([label, (performance.now() - t0) / 1000, units]);
      progress.update(rows.length);
    };
    const store = new Store({ now: ctx.now });
    await time("fill store", n, () => {
      const set = te.encode("SET");
      for (let i = 0; i < n; i++) applyCommand(store, [set, te.encode(`key:${i}`), value]);
      return Promise.resolve();
    });
    const snap = joinPath(base, "dump-0.rdb");
    await time(
      "snapshot save (durable)",
      n,
      () => saveSnapshot(store, snap, { fs: ctx.fs, now: ctx.now() }),
    );
    await time("snapshot load", n, () => loadSnapshot(snap, { fs: ctx.fs, now: ctx.now() }));
    const aofPath = joinPath(base, "aof-0.aof");
    await time("aof append (fsync no)", n, async () => {
      const aof = await Aof.open(aofPath, { fsync: "no", fs: ctx.fs });
      const set = te.encode("SET");
      for (let i = 0; i < n; i++) void aof.append([set, te.encode(`key:${i}`), value]);
      await aof.close();
    });
    await time("aof replay + apply", n, () => {
      const s = new Store({ now: ctx.now });
      return replayAof(aofPath, (a) => applyCommand(s, a), { fs: ctx.fs });
    });
    progress.done();
    if (options.dir === undefined) {
      for (const e of await ctx.fs.readDir(base)) await ctx.fs.remove(joinPath(base, e.name));
    }
    const result = rows.map(([op, secs, units]) => ({ op, secs, perSec: units / secs }));
    if (options.json) ctx.io.out(JSON.stringify({ n, results: result }) + "\n");
    else {
      ctx.io.out(table([
        ["operation", "seconds", "per second"],
        ...result.map((r) => [r.op, r.secs.toFixed(3), Math.round(r.perSec).toLocaleString("en")]),
      ]));
    }
    return EXIT.ok;
  },
});
