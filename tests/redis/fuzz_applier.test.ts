// Every verb of our command table, fuzzed against the live redis-server: the
// arguments are generated from the server's own COMMAND DOCS grammar (tokens,
// blocks, oneofs, optional and repeated arguments), with a share of garbage;
// each command runs on Redis and on our applier. Our applier never throws,
// and for every command it answers an error exactly when Redis does,
// otherwise the same reply; the keyspaces stay equal.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { allCommands } from "../../src/store/commands.ts";
import type { RedisReply } from "./_resp_client.ts";
import { type Cmd, Oracle, oracleSkip } from "./_oracle.ts";
import { Gen } from "./_gen.ts";

const skip = oracleSkip("tests/redis/fuzz_applier.test.ts");

/** One argument of COMMAND DOCS. */
interface Arg {
  name: string;
  type: string;
  token?: string;
  flags?: string[];
  arguments?: Arg[];
}

/** RESP2 maps come as flat [k, v, k, v...] arrays. */
function toObject(flat: RedisReply): Record<string, RedisReply> {
  const out: Record<string, RedisReply> = {};
  const a = flat as RedisReply[];
  for (let i = 0; i + 1 < a.length; i += 2) out[String(text(a[i]!))] = a[i + 1]!;
  return out;
}

function text(r: RedisReply): string {
  return r instanceof Uint8Array ? new TextDecoder().decode(r) : String(r);
}

function parseArgs(list: RedisReply | undefined): Arg[] {
  if (!Array.isArray(list)) return [];
  return list.map((x) => {
    const o = toObject(x);
    const arg: Arg = { name: text(o.name!), type: text(o.type!) };
    if (o.token !== undefined) arg.token = text(o.token);
    if (Array.isArray(o.flags)) arg.flags = o.flags.map(text);
    if (o.arguments !== undefined) arg.arguments = parseArgs(o.arguments);
    return arg;
  });
}

/** Verb (or "container|sub") -> its argument grammar, from the live server. */
async function commandDocs(o: Oracle): Promise<Map<string, Arg[]>> {
  const reply = await o.client.call("COMMAND", "DOCS") as RedisReply[];
  const docs = new Map<string, Arg[]>();
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const name = text(reply[i]!);
    const d = toObject(reply[i + 1]!);
    docs.set(name, parseArgs(d.arguments));
    if (d.subcommands !== undefined) {
      const subs = d.subcommands as RedisReply[];
      for (let j = 0; j + 1 < subs.length; j += 2) {
        docs.set(text(subs[j]!), parseArgs(toObject(subs[j + 1]!).arguments));
      }
    }
  }
  return docs;
}

const KEYS = ["str", "num", "list", "set", "zset", "hash", "hll", "none", "ints"];
const MEMBERS = ["a", "b", "c", "1", "2", "", "x\x00y"];

function value(g: Gen, a: Arg): string {
  // Times far enough out that no key expires while both sides are compared.
  if (a.type === "integer" && /seconds|milliseconds|ttl/.test(a.name)) {
    return g.chance(0.1)
      ? g.pick(["0", "-5", "x"])
      : String(g.int(100, 900) * (/milli/.test(a.name) ? 1000 : 1));
  }
  if (a.type === "unix-time") {
    const s = Math.floor(Date.now() / 1000) + g.int(g.chance(0.1) ? -100 : 100, 5000);
    return String(/milli/.test(a.name) ? s * 1000 : s);
  }
  switch (a.type) {
    case "key":
      return g.pick(KEYS);
    case "integer":
      return g.chance(0.1) ? g.num(-10, 10) : String(g.int(-3, 12));
    case "double":
      return g.chance(0.1) ? g.float(-5, 5) : String(g.int(-3, 9));
    case "pattern":
      return g.pick(["*", "n*", "?et", "[sz]*", "nomatch"]);
    default:
      return g.chance(0.2) ? g.pick(["x", "-1", "0", "1.5"]) : g.pick(MEMBERS);
  }
}

/** Random argv for a grammar: optional parts sometimes, repeated parts 1-3 times. */
function gen(g: Gen, args: Arg[], out: string[]): void {
  for (const a of args) {
    const flags = a.flags ?? [];
    if (flags.includes("optional") && g.chance(0.5)) continue;
    const times = flags.includes("multiple") ? g.int(1, 3) : 1;
    for (let t = 0; t < times; t++) {
      if (a.token !== undefined && (t === 0 || flags.includes("multiple_token"))) out.push(a.token);
      if (a.type === "pure-token") continue;
      if (a.type === "oneof") gen(g, [g.pick(a.arguments ?? [])], out);
      else if (a.type === "block") gen(g, a.arguments ?? [], out);
      else out.push(value(g, a));
    }
  }
}

/** A command for `verb`: from the grammar, sometimes mangled (an argument dropped, added or replaced). */
function command(g: Gen, verb: string, docs: Map<string, Arg[]>): Cmd {
  const [container, sub] = verb.split("|");
  const argv: string[] = sub === undefined ? [container!] : [container!, sub];
  gen(g, docs.get(verb) ?? [], argv);
  const r = g.r();
  if (r < 0.05 && argv.length > 1) argv.splice(g.int(1, argv.length - 1), 1);
  else if (r < 0.1) argv.push(g.pick(["x", "0", "NX", "COUNT", "1"]));
  else if (r < 0.15 && argv.length > 1) argv[g.int(1, argv.length - 1)] = g.pick(["", "-1", "x"]);
  return argv;
}

/** A fixed starting keyspace: one key of each type (and a missing one). */
const SEED: Cmd[] = [
  ["SET", "str", "hello world"],
  ["SET", "num", "42"],
  ["RPUSH", "list", "a", "b", "c", "1", "2"],
  ["SADD", "set", "a", "b", "1"],
  ["SADD", "ints", "3", "1", "2"],
  ["ZADD", "zset", "1", "a", "2", "b", "2.5", "c"],
  ["HSET", "hash", "a", "1", "b", "x", "c", "2.5"],
  ["PFADD", "hll", "a", "b", "c"],
];

/** Replies that depend on randomness, the clock or hash order: run, but not compared. */
const NO_REPLY = new Set([
  "spop",
  "srandmember",
  "zrandmember",
  "hrandfield",
  "randomkey",
  "ttl",
  "pttl",
  "expiretime",
  "pexpiretime",
  "smembers",
  "sinter",
  "sunion",
  "sdiff",
  "keys",
  "scan",
  "sscan",
  "hscan",
  "zscan",
  "object",
]);
/** Verbs whose effect depends on randomness: the keyspace is not compared after them. */
const RANDOM_EFFECT = new Set(["spop", "srandmember"]);
/** Verbs not fuzzed here, and why. */
const NOT_FUZZED: Record<string, string> = {
  select: "changes the database of the rest of the batch",
  multi: "transaction markers are fuzzed by the oracle suites",
  exec: "transaction markers are fuzzed by the oracle suites",
  discard: "transaction markers are fuzzed by the oracle suites",
  flushall: "would empty the seed of the batch",
  flushdb: "would empty the seed of the batch",
  swapdb: "swaps the seed away",
  move: "moves the seed to another database",
  blpop: "blocking: fuzzed inside MULTI by oracle_list",
  brpop: "blocking: fuzzed inside MULTI by oracle_list",
  blmove: "blocking: fuzzed inside MULTI by oracle_list",
  brpoplpush: "blocking: fuzzed inside MULTI by oracle_list",
  blmpop: "blocking: fuzzed inside MULTI by oracle_list",
  bzpopmin: "blocking: fuzzed inside MULTI by oracle_zset",
  bzpopmax: "blocking: fuzzed inside MULTI by oracle_zset",
  bzmpop: "blocking: fuzzed inside MULTI by oracle_zset",
  sort: "a set sorted BY a constant comes back in Redis's hash order: oracle_keys fuzzes SORT",
  sort_ro: "as sort",
  pfdebug: "GETREG replies 16384 registers: oracle_hll covers PFDEBUG",
  function: "FUNCTION needs a Lua engine on the Redis side to compare: oracle_keys covers it",
};

describe(
  "fuzz: every verb of the table against redis-server, from its COMMAND DOCS",
  { skip },
  () => {
    let o: Oracle;
    let docs: Map<string, Arg[]>;
    before(async () => {
      o = await Oracle.start();
      docs = await commandDocs(o);
    });
    after(async () => {
      await o?.stop();
    });

    it("never throws; errors exactly when Redis errors, else the same reply; same keyspace", {
      timeout: 300_000,
    }, async () => {
      const verbs = allCommands().map((c) => c.name).filter((v) => !(v in NOT_FUZZED));
      assert.ok(verbs.length > 100, `${verbs.length} verbs`);
      const problems: string[] = [];
      for (const [i, verb] of verbs.entries()) {
        const g = new Gen(1000 + i);
        for (let round = 0; round < 4; round++) {
          await o.reset();
          await o.redis(SEED);
          for (const c of SEED) o.ours.applier.apply(c);
          const cmds = g.many(40, () => command(g, verb, docs));
          problems.push(...(await o.both(cmds, NO_REPLY)).map((p) => `${verb}: ${p}`));
          if (!RANDOM_EFFECT.has(verb)) {
            await o.assertLiveEqual(`${verb} round ${round}`).catch((e: Error) =>
              problems.push(`${verb}: keyspace: ${e.message.split("\n")[0]}`)
            );
          }
        }
      }
      assert.deepEqual(problems.slice(0, 40), [], `${problems.length} problem(s)`);
    });

    it("Redis's AOF of the whole session replays without one failed command", {
      timeout: 120_000,
    }, async () => {
      const r = await o.assertAofReplayEqual("fuzz session");
      assert.equal(r.errors, 0);
      assert.ok(r.applied > 1000, `${r.applied} commands replayed`);
    });
  },
);
