// Fuzzing the stream commands with random argv (a grammar of real options,
// ids and junk) against a live redis-server: every reply must equal Redis's
// (errors included, word for word) and no argv may throw. Idle thresholds are
// 0 or huge so the two clocks cannot disagree on them; BLOCK is left out (the
// server would wait). Skipped like the other interop tests.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { rng } from "../_helpers.ts";
import { redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import { RespClient } from "./_resp_client.ts";
import { difference, Dual } from "./_stream_dual.ts";

const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/streams_fuzz.test.ts: ${skip}`);

type Arg = string | Uint8Array;

function generator(seed: number): () => Arg[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = (p: number) => r() < p;
  const KEYS = ["s1", "s1", "s2", "str", "nokey", "auto"];
  const GROUPS = ["g1", "g1", "g2", "nog"];
  const CONSUMERS = ["c1", "c2", "c3"];
  const junk = (): Arg =>
    pick([
      "",
      "abc",
      "1-",
      "-1",
      "1--1",
      "+x",
      " 5",
      "007",
      "5-007",
      new Uint8Array([0x31, 0, 0x32]),
    ]);
  const ms = () => String(1 + Math.floor(r() * 30));
  const id = (): Arg => {
    const x = r();
    if (x < 0.5) return `${ms()}-${Math.floor(r() * 4)}`;
    if (x < 0.6) return ms();
    if (x < 0.65) return pick(["0", "0-0", "0-1", "18446744073709551615-18446744073709551615"]);
    if (x < 0.7) return `(${ms()}-${Math.floor(r() * 4)}`;
    if (x < 0.8) return pick(["-", "+", "$", ">"]);
    if (x < 0.9) return `${ms()}-*`;
    return junk();
  };
  const num = (): Arg => pick(["0", "1", "2", "3", "10", "-1", "abc", "99999999999999999999"]);
  const idle = (): Arg => pick(["0", "0", "1000000000", "-5", "x"]);
  const trim = (): Arg[] => {
    const out: Arg[] = [];
    if (maybe(0.3)) {
      out.push(
        pick(["MAXLEN", "maxlen", "MINID"]),
        ...(maybe(0.5) ? [pick(["~", "=", "~"])] : []),
        maybe(0.5) ? num() : id(),
      );
    }
    if (maybe(0.15)) out.push("LIMIT", num());
    if (maybe(0.05)) out.push(pick(["MAXLEN", "MINID"]), num());
    return out;
  };
  const fields = (): Arg[] => {
    const n = maybe(0.1) ? 0 : 1 + Math.floor(r() * 3);
    const out: Arg[] = [];
    for (let i = 0; i < n; i++) {
      out.push(pick(["a", "b", "c", "12", ""]), pick(["1", "v", "x".repeat(70)]));
    }
    if (maybe(0.05)) out.push("odd");
    return out;
  };
  const streams = (): Arg[] => {
    const n = 1 + Math.floor(r() * 2);
    const ks = Array.from({ length: n }, () => pick(KEYS));
    const out: Arg[] = [
      "STREAMS",
      ...ks,
      ...ks.map(() => (maybe(0.5) ? pick([">", "0", "$"]) : id())),
    ];
    if (maybe(0.05)) out.pop();
    return out;
  };
  const claimOpts = (): Arg[] => {
    const out: Arg[] = [];
    for (let i = Math.floor(r() * 4); i > 0; i--) {
      const o = pick(["FORCE", "JUSTID", "IDLE", "TIME", "RETRYCOUNT", "LASTID", "BOGUS"]);
      if (o === "IDLE") out.push(o, pick(["0", "5000000000", "x"]));
      else if (o === "TIME") out.push(o, pick(["1000", "0", "-3", "x"]));
      else if (o === "RETRYCOUNT") out.push(o, num());
      else if (o === "LASTID") out.push(o, id());
      else out.push(o);
    }
    return out;
  };
  const cmds: Array<() => Arg[]> = [
    () => [
      "XADD",
      pick(KEYS),
      ...(maybe(0.1) ? ["NOMKSTREAM"] : []),
      ...trim(),
      id(),
      ...fields(),
    ],
    () => ["XADD", pick(KEYS), id(), ...fields()],
    // `*` takes the clock's ms: kept to its own key so explicit small ids stay usable elsewhere.
    () => ["XADD", "auto", ...trim(), "*", ...fields()],
    () => ["XTRIM", pick(KEYS), ...trim()],
    // Likely-valid forms, so that groups, deliveries and claims build up.
    () => [
      "XGROUP",
      "CREATE",
      pick(["s1", "s2"]),
      pick(["g1", "g2"]),
      pick(["0", "$"]),
      "MKSTREAM",
    ],
    () => [
      "XREADGROUP",
      "GROUP",
      pick(["g1", "g2"]),
      pick(CONSUMERS),
      "STREAMS",
      pick(["s1", "s2"]),
      ">",
    ],
    () => [
      "XCLAIM",
      pick(["s1", "s2"]),
      pick(["g1", "g2"]),
      pick(CONSUMERS),
      "0",
      id(),
      ...claimOpts(),
    ],
    () => ["XDEL", pick(KEYS), id(), ...(maybe(0.3) ? [id()] : [])],
    () => ["XLEN", pick(KEYS)],
    () => [
      pick(["XRANGE", "XREVRANGE"]),
      pick(KEYS),
      id(),
      id(),
      ...(maybe(0.3) ? ["COUNT", num()] : []),
    ],
    () => [
      "XREAD",
      ...(maybe(0.3) ? ["COUNT", num()] : []),
      ...(maybe(0.05) ? ["NOACK"] : []),
      ...streams(),
    ],
    () => [
      "XREADGROUP",
      ...(maybe(0.9) ? ["GROUP", pick(GROUPS), pick(CONSUMERS)] : []),
      ...(maybe(0.3) ? ["COUNT", num()] : []),
      ...(maybe(0.2) ? ["NOACK"] : []),
      ...streams(),
    ],
    () => {
      const sub = pick([
        "CREATE",
        "create",
        "SETID",
        "DESTROY",
        "CREATECONSUMER",
        "DELCONSUMER",
        "HELP",
        "NOPE",
      ]);
      const a: Arg[] = ["XGROUP", sub];
      if (sub === "HELP") return a;
      a.push(pick(KEYS), pick(GROUPS));
      if (/create$|setid/i.test(sub)) a.push(maybe(0.3) ? "$" : id());
      else if (/consumer/i.test(sub)) a.push(pick(CONSUMERS));
      if (maybe(0.3)) a.push(pick(["MKSTREAM", "ENTRIESREAD", "X"]));
      if (maybe(0.3)) a.push(num());
      return a;
    },
    () => ["XACK", pick(KEYS), pick(GROUPS), id(), ...(maybe(0.3) ? [id()] : [])],
    () => [
      "XCLAIM",
      pick(KEYS),
      pick(GROUPS),
      pick(CONSUMERS),
      idle(),
      id(),
      ...(maybe(0.3) ? [id()] : []),
      ...claimOpts(),
    ],
    () => [
      "XAUTOCLAIM",
      pick(KEYS),
      pick(GROUPS),
      pick(CONSUMERS),
      idle(),
      id(),
      ...(maybe(0.4) ? ["COUNT", pick(["1", "2", "10", "0", "-1", "x"])] : []),
      ...(maybe(0.3) ? ["JUSTID"] : []),
    ],
    () => {
      const a: Arg[] = ["XPENDING", pick(KEYS), pick(GROUPS)];
      if (maybe(0.6)) {
        if (maybe(0.3)) a.push("IDLE", idle());
        a.push(id(), id(), num());
        if (maybe(0.4)) a.push(pick(CONSUMERS));
      }
      return a;
    },
    () => {
      const sub = pick(["STREAM", "GROUPS", "CONSUMERS", "HELP", "nope"]);
      if (sub === "HELP") return ["XINFO", sub];
      const a: Arg[] = ["XINFO", sub, pick(KEYS)];
      if (sub === "CONSUMERS") a.push(pick(GROUPS));
      if (sub === "STREAM" && maybe(0.5)) a.push("FULL", ...(maybe(0.5) ? ["COUNT", num()] : []));
      return a;
    },
    () => [
      "XSETID",
      pick(KEYS),
      maybe(0.6) ? `${30 + Math.floor(r() * 5)}-${Math.floor(r() * 3)}` : id(),
      ...(maybe(0.4) ? ["ENTRIESADDED", num()] : []),
      ...(maybe(0.4) ? ["MAXDELETEDID", id()] : []),
    ],
    () => {
      // Pure noise around a real verb.
      const a: Arg[] = [
        pick(["XADD", "XCLAIM", "XREADGROUP", "XPENDING", "XGROUP", "XINFO", "XTRIM"]),
      ];
      for (let i = Math.floor(r() * 8); i > 0; i--) {
        a.push(
          maybe(0.5) ? junk() : pick([...KEYS, ...GROUPS, "COUNT", "STREAMS", "GROUP", "MAXLEN"]),
        );
      }
      return a;
    },
  ];
  return () => pick(cmds)();
}

const dec = new TextDecoder();
const render = (a: Arg[]) =>
  a.map((x) => (typeof x === "string" ? x : JSON.stringify(dec.decode(x)))).join(" ");

describe("stream commands fuzzed against redis-server 7", { skip }, () => {
  let server: RedisServer;
  let cli: RespClient;

  before(async () => {
    server = await RedisServer.start();
    cli = await RespClient.connect(server.port);
  });

  after(async () => {
    await cli?.close();
    await server?.stop();
  });

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: every reply equals Redis's`, async () => {
      assert.equal(await cli.call(...["FLUSHALL"]), "OK");
      const dual = new Dual(cli);
      await dual.run(["SET", "str", "x"]);
      const next = generator(seed);
      const history: string[] = [];
      const ok = new Map<string, number>();
      for (let i = 0; i < 1500; i++) {
        const argv = next();
        history.push(render(argv));
        const { ours, theirs } = await dual.run(argv);
        const d = difference(argv, ours, theirs);
        if (d !== null) {
          assert.fail(
            `step ${i}: ${render(argv)}: ${d}\nlast steps:\n${history.slice(-15).join("\n")}`,
          );
        }
        const failed = theirs !== null && typeof theirs === "object" && "error" in theirs;
        if (!failed) ok.set(String(argv[0]), (ok.get(String(argv[0])) ?? 0) + 1);
      }
      // The grammar gets past the argument checks of every command.
      for (
        const verb of ["XADD", "XTRIM", "XDEL", "XRANGE", "XREADGROUP", "XGROUP", "XACK", "XCLAIM"]
          .concat(["XAUTOCLAIM", "XPENDING", "XINFO", "XSETID"])
      ) {
        assert.ok((ok.get(verb) ?? 0) >= 5, `${verb} succeeded ${ok.get(verb) ?? 0} times`);
      }
      if (process.env.KEVY_FUZZ_STATS) console.log(JSON.stringify([...ok]));
      for (const key of ["s1", "s2"]) {
        const argv = ["XINFO", "STREAM", key, "FULL", "COUNT", "0"];
        const { ours, theirs } = await dual.run(argv);
        assert.equal(difference(argv, ours, theirs), null, `final ${key}`);
      }
    });
  }
});
