// Streams against a real redis-server 7: a workload of every stream command
// replies as Redis does; Redis's AOF (incremental, and after its own
// rewrite) replays here to the streams Redis holds; our rewrite replays to the
// same streams here and in Redis; a kevy snapshot keeps them. Skipped with a
// message when redis-server is missing, unless KEVY_REQUIRE_REDIS=1.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { applyCommand, CommandApplier, type Reply } from "../../src/store/apply.ts";
import { commandFrames, type Frame, lookupCommand } from "../../src/store/commands.ts";
import { image } from "../../src/embedded/_propagate.ts";
import { Store } from "../../src/store/store.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { entryToCommands } from "../../src/persist/rewrite_commands.ts";
import { replayRedisAof } from "../../src/redis/aof.ts";
import { utf8 } from "../_helpers.ts";
import { redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import { RespClient } from "./_resp_client.ts";
import { difference, Dual, type Outcome, withoutSeenTimes } from "./_stream_dual.ts";
import { streamWorkload, WORKLOAD_KEYS } from "./_stream_workload.ts";

const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/streams.test.ts: ${skip}`);

const dec = new TextDecoder();
const render = (a: Array<string | Uint8Array>) =>
  a.map((x) => (typeof x === "string" ? x : JSON.stringify(dec.decode(x)))).join(" ");

/**
 * What we compare per key: the whole stream (seen-times aside) and its TTL.
 * Without `layout`, the node layout (radix-tree keys and nodes) is left out:
 * a rewrite rebuilds the nodes, so it differs from the live stream's.
 */
function state(
  run: (argv: Array<string | Uint8Array>) => Outcome,
  key: string | Uint8Array,
  layout = false,
): Outcome {
  const full = run(["XINFO", "STREAM", key, "FULL", "COUNT", "0"]);
  return [withoutSeenTimes(layout ? full : noLayout(full)), run(["PEXPIRETIME", key])];
}

async function redisState(
  cli: RespClient,
  key: string | Uint8Array,
  layout: boolean,
): Promise<Outcome> {
  const full = await cli.call(...["XINFO", "STREAM", key, "FULL", "COUNT", "0"]);
  return [
    withoutSeenTimes(layout ? full : noLayout(full)),
    await cli.call(...["PEXPIRETIME", key]),
  ];
}

/** XINFO STREAM without radix-tree-keys / radix-tree-nodes. */
function noLayout(o: Outcome): Outcome {
  if (!Array.isArray(o)) return o;
  const out = [...o];
  for (const k of ["radix-tree-keys", "radix-tree-nodes"]) {
    const i = out.findIndex((x) => x instanceof Uint8Array && dec.decode(x) === k);
    if (i >= 0) out[i + 1] = 0;
  }
  return out;
}

/** Our store as a command runner; PEXPIRETIME (not in the applier yet) from the store itself. */
function storeRunner(store: Store): (argv: Array<string | Uint8Array>) => Outcome {
  const ap = new CommandApplier(store);
  return (argv) => {
    if (argv[0] === "PEXPIRETIME") {
      const k = typeof argv[1] === "string" ? utf8(argv[1]) : argv[1]!;
      return store.has(k) ? store.deadline(k) ?? -1 : -2;
    }
    const r = ap.apply(argv);
    return r.ok ? r.reply : { error: r.error };
  };
}

async function sameAsRedis(
  cli: RespClient,
  store: Store,
  what: string,
  layout: boolean,
): Promise<void> {
  const run = storeRunner(store);
  for (const key of WORKLOAD_KEYS) {
    const d = difference(["XINFO"], state(run, key, layout), await redisState(cli, key, layout));
    assert.equal(d, null, `${what}: ${typeof key === "string" ? key : "binary key"}: ${d}`);
  }
}

async function waitRewrite(cli: RespClient): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = dec.decode((await cli.call(...["INFO", "persistence"])) as Uint8Array);
    if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) return;
    await sleep(25);
  }
  throw new Error("BGREWRITEAOF did not finish");
}

async function replayDir(dir: string): Promise<Store> {
  const store = new Store();
  const ap = new CommandApplier(store, { replay: true });
  await replayRedisAof(dir, (argv) => ap.apply(argv));
  return store;
}

describe("streams against redis-server 7", { skip }, () => {
  let server: RedisServer;
  let cli: RespClient;
  let dual: Dual;

  before(async () => {
    server = await RedisServer.start();
    cli = await RespClient.connect(server.port);
    dual = new Dual(cli);
  });

  after(async () => {
    await cli?.close();
    await server?.stop();
  });

  it("every reply of a workload of every stream command equals Redis's", async () => {
    let n = 0;
    for (const step of streamWorkload()) {
      if (step[0] === "SLEEP") {
        await sleep(Number(step[1]));
        continue;
      }
      const { ours, theirs } = await dual.run(step);
      const d = difference(step, ours, theirs);
      assert.equal(d, null, `${render(step)}: ${d}`);
      n++;
    }
    assert.ok(n > 800, `${n} commands`);
    await sameAsRedis(cli, dual.store, "after the workload", true);
  });

  it("Redis's AOF replays here to the streams Redis reloads from it", async () => {
    const ours = await replayDir(server.aofDir);
    await cli.close();
    await server.stop();
    server = await server.restart();
    cli = await RespClient.connect(server.port);
    await sameAsRedis(cli, ours, "Redis AOF replayed", true);
  });

  it("Redis's own rewrite (BGREWRITEAOF) replays here to the same streams", async () => {
    assert.equal(
      await cli.call(...["BGREWRITEAOF"]),
      "Background append only file rewriting started",
    );
    await waitRewrite(cli);
    const ours = await replayDir(server.aofDir);
    // Redis's rewrite drops pending rows of deleted entries: compare with what Redis loads from it.
    await cli.close();
    await server.stop();
    server = await server.restart();
    cli = await RespClient.connect(server.port);
    await sameAsRedis(cli, ours, "Redis rewrite replayed", true);
  });

  it("our rewrite replays to the same streams here and in Redis", async () => {
    const frames: Uint8Array[][] = [];
    for (const e of dual.store.entries()) frames.push(...entryToCommands(e));
    const back = new Store();
    const run = storeRunner(back);
    for (const f of frames) {
      const r = run(f);
      assert.ok(
        !(r !== null && typeof r === "object" && "error" in r),
        `${render(f)}: ${JSON.stringify(r)}`,
      );
    }
    const orig = storeRunner(dual.store);
    for (const key of WORKLOAD_KEYS) {
      assert.equal(difference(["XINFO"], state(run, key), state(orig, key)), null);
    }
    assert.equal(await cli.call(...["FLUSHALL"]), "OK");
    const replies = await cli.run(frames);
    const bad = replies.findIndex((r) =>
      r !== null && typeof r === "object" && "error" in (r as object)
    );
    assert.equal(
      bad,
      -1,
      bad < 0 ? "" : `${render(frames[bad]!)}: ${JSON.stringify(replies[bad])}`,
    );
    await sameAsRedis(cli, dual.store, "our rewrite sent to Redis", false);
  });

  it("what the embedded store logs replays to the same streams here, under another clock, and in Redis", async () => {
    // The workload on a store whose clock is a day behind Redis's (so no logged time is in Redis's future).
    let t = Date.now() - 86_400_000;
    const live = new Store({ now: () => t });
    const log: Frame[] = [];
    for (const step of streamWorkload()) {
      t += step[0] === "SLEEP" ? Number(step[1]) : 1;
      if (step[0] === "SLEEP") continue;
      const argv = step.map((x) => (typeof x === "string" ? utf8(x) : x));
      const cmd = lookupCommand(argv[0]!)!;
      const pre = cmd.pre?.(argv, live);
      const r = applyCommand(live, argv);
      if (r.ok && cmd.write) log.push(...commandFrames(cmd, argv, r.reply, live, pre, image));
    }
    assert.ok(log.every((f) => !f.some((a) => dec.decode(a) === "*")));
    const back = new Store({ now: () => t - 3_600_000 });
    const run = storeRunner(back);
    for (const f of log) {
      const r = run(f);
      assert.ok(
        !(r !== null && typeof r === "object" && "error" in r),
        `${render(f)}: ${JSON.stringify(r)}`,
      );
    }
    const orig = storeRunner(live);
    for (const key of WORKLOAD_KEYS) {
      assert.equal(difference(["XINFO"], state(run, key), state(orig, key)), null);
    }
    assert.equal(await cli.call(...["FLUSHALL"]), "OK");
    const replies = await cli.run(log);
    const bad = replies.findIndex((r) =>
      r !== null && typeof r === "object" && "error" in (r as object)
    );
    assert.equal(bad, -1, bad < 0 ? "" : `${render(log[bad]!)}: ${JSON.stringify(replies[bad])}`);
    await sameAsRedis(cli, live, "our log sent to Redis", false);
  });

  it("a kevy snapshot keeps the streams (a group's entries-read has no place in it)", () => {
    const back = decodeSnapshot(encodeSnapshot(dual.store));
    const a = storeRunner(back), b = storeRunner(dual.store);
    for (const key of WORKLOAD_KEYS) {
      const x = state(a, key) as Reply[], y = state(b, key) as Reply[];
      assert.equal(difference(["XINFO"], noReadCounters(x), noReadCounters(y)), null);
    }
  });
});

/** A stream state with every group's entries-read and lag set to null. */
function noReadCounters(o: Reply[]): Reply[] {
  const full = [...(o[0] as Reply[])];
  const gi = full.findIndex((x) => x instanceof Uint8Array && dec.decode(x) === "groups");
  full[gi + 1] = (full[gi + 1] as Reply[]).map((g) => {
    const ga = [...(g as Reply[])];
    for (const k of ["entries-read", "lag"]) {
      const i = ga.findIndex((x) => x instanceof Uint8Array && dec.decode(x) === k);
      ga[i + 1] = null;
    }
    return ga;
  });
  return [full, o[1]!];
}
