// The embedded store against a live redis-server: the typed methods (the list) give
// what Redis answers, decoded to their documented types, and a command script fires the
// same keyspace events, in the same order, as Redis with notify-keyspace-events KEA.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import { CommandFailedError } from "../../src/embedded/errors.ts";
import { oracleSkip } from "../redis/_oracle.ts";
import { RedisServer } from "../redis/_redis_server.ts";
import { type RedisReply, RespClient } from "../redis/_resp_client.ts";

const skip = oracleSkip("tests/embedded/oracle_redis.test.ts");
const dec = new TextDecoder();

/** How a typed method decodes Redis's reply. */
type Shape = "v" | "bool" | "float" | "scored" | "kms" | "big";

function plain(r: RedisReply): unknown {
  if (r instanceof Uint8Array) return dec.decode(r);
  if (Array.isArray(r)) return r.map(plain);
  return r;
}

/** Redis's raw reply as the typed method documents it. */
function typed(r: RedisReply, shape: Shape): unknown {
  if (shape === "big") return typeof r === "number" ? BigInt(r) : r; // bigint in, bigint out
  if (shape === "bool") return Array.isArray(r) ? r.map((x) => x === 1) : r === 1;
  if (shape === "float") return r === null ? null : Number(plain(r));
  if (shape === "scored") {
    const a = plain(r) as string[];
    const out = [];
    for (let i = 0; i < a.length; i += 2) out.push({ member: a[i], score: Number(a[i + 1]) });
    return out;
  }
  if (shape === "kms") {
    if (r === null) return null;
    const [k, m, s] = plain(r) as string[];
    return [k, m, Number(s)];
  }
  return plain(r);
}

type Step = [argv: string[], call: (db: KevyStore) => Promise<unknown>, shape?: Shape];

const big = "9007199254740990";
const STEPS: Step[] = [
  [["SET", "s", "hello world"], (db) => db.set("s", "hello world")],
  [["GETRANGE", "s", "0", "4"], (db) => db.getrange("s", 0, 4)],
  [["GETRANGE", "s", "-5", "-1"], (db) => db.getrange("s", -5, -1)],
  [["GETEX", "s", "EX", "100"], (db) => db.getex("s", { ex: 100 })],
  [["EXPIRETIME", "s"], (db) => db.expiretime("s")],
  [["GETEX", "s", "PERSIST"], (db) => db.getex("s", { persist: true })],
  [["EXPIRETIME", "s"], (db) => db.expiretime("s")],
  [["EXPIRETIME", "nokey"], (db) => db.expiretime("nokey")],
  [["GETDEL", "s"], (db) => db.getdel("s")],
  [["GETDEL", "s"], (db) => db.getdel("s")],
  [["SET", "n", big], (db) => db.set("n", big)],
  [["INCRBY", "n", "10"], (db) => db.incrby("n", 10)],
  [["INCR", "n"], (db) => db.incr("n")],
  [["DECRBY", "n", "20"], (db) => db.decrby("n", 20)],
  [["INCRBY", "n", "-9007199254741000"], (db) => db.incrby("n", -9007199254741000n), "big"],
  [["INCRBY", "n", "9223372036854775807"], (db) => db.incrby("n", 9223372036854775807n), "big"],
  [["HSET", "h", "a", "1", "b", "2"], (db) => db.hset("h", { a: "1", b: "2" })],
  [["HMGET", "h", "a", "zz", "b"], (db) => db.hmget("h", "a", "zz", "b")],
  [["HKEYS", "h"], (db) => db.hkeys("h")],
  [["HVALS", "h"], (db) => db.hvals("h")],
  [["HLEN", "h"], (db) => db.hlen("h")],
  [["HINCRBY", "h", "a", "41"], (db) => db.hincrby("h", "a", 41)],
  [["HINCRBY", "h", "c", big], (db) => db.hincrby("h", "c", BigInt(big)), "big"],
  [["HINCRBY", "h", "c", "100"], (db) => db.hincrby("h", "c", 100)],
  [["HEXISTS", "h", "a"], (db) => db.hexists("h", "a"), "bool"],
  [["HEXISTS", "h", "zz"], (db) => db.hexists("h", "zz"), "bool"],
  [["SADD", "s1", "a", "b", "c"], (db) => db.sadd("s1", "a", "b", "c")],
  [["SADD", "s2", "b", "c", "d"], (db) => db.sadd("s2", "b", "c", "d")],
  [["SCARD", "s1"], (db) => db.scard("s1")],
  [["SINTER", "s1", "s2"], async (db) => (await db.sinter("s1", "s2")).sort()],
  [["SUNION", "s1", "s2"], async (db) => (await db.sunion("s1", "s2")).sort()],
  [["SDIFF", "s1", "s2"], (db) => db.sdiff("s1", "s2")],
  [
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "3", "d"],
    (db) => db.zadd("z", [[1, "a"], [2, "b"], [3, "c"], [3, "d"]]),
  ],
  [["ZCARD", "z"], (db) => db.zcard("z")],
  [["ZSCORE", "z", "b"], (db) => db.zscore("z", "b"), "float"],
  [["ZSCORE", "z", "zz"], (db) => db.zscore("z", "zz"), "float"],
  [["ZINCRBY", "z", "1.5", "a"], (db) => db.zincrby("z", 1.5, "a"), "float"],
  [["ZRANK", "z", "c"], (db) => db.zrank("z", "c")],
  [["ZREVRANK", "z", "c"], (db) => db.zrevrank("z", "c")],
  [["ZRANK", "z", "zz"], (db) => db.zrank("z", "zz")],
  [["ZCOUNT", "z", "2", "3"], (db) => db.zcount("z", 2, 3)],
  [["ZCOUNT", "z", "(2", "+inf"], (db) => db.zcount("z", { exclusive: 2 }, Infinity)],
  [["ZRANGEBYSCORE", "z", "2", "3"], (db) => db.zrangebyscore("z", 2, 3)],
  [
    ["ZRANGEBYSCORE", "z", "-inf", "(3", "WITHSCORES"],
    (db) => db.zrangebyscore("z", -Infinity, { exclusive: 3 }, { withScores: true }),
    "scored",
  ],
  [
    ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2"],
    (db) => db.zrangebyscore("z", -Infinity, Infinity, { limit: { offset: 1, count: 2 } }),
  ],
  [["ZREVRANGEBYSCORE", "z", "+inf", "2"], (db) => db.zrevrangebyscore("z", Infinity, 2)],
  [["RPUSH", "l", "a", "b", "a", "c", "a"], (db) => db.rpush("l", "a", "b", "a", "c", "a")],
  [["LLEN", "l"], (db) => db.llen("l")],
  [["LINDEX", "l", "-1"], (db) => db.lindex("l", -1)],
  [["LINDEX", "l", "99"], (db) => db.lindex("l", 99)],
  [["LSET", "l", "1", "B"], (db) => db.lset("l", 1, "B")],
  [["LREM", "l", "-2", "a"], (db) => db.lrem("l", -2, "a")],
  [["LRANGE", "l", "0", "-1"], (db) => db.lrange("l", 0, -1)],
  [["LTRIM", "l", "0", "1"], (db) => db.ltrim("l", 0, 1)],
  [["LMOVE", "l", "l2", "RIGHT", "LEFT"], (db) => db.lmove("l", "l2", "RIGHT", "LEFT")],
  [["LRANGE", "l2", "0", "-1"], (db) => db.lrange("l2", 0, -1)],
  [["LSET", "l", "9", "x"], (db) => db.lset("l", 9, "x")],
  [["LPUSH", "z", "x"], (db) => db.lpush("z", "x")],
  [["KEYS", "*"], async (db) => (await db.keys("*")).sort()],
  [["KEYS", "s?"], async (db) => (await db.keys("s?")).sort()],
];

describe("oracle: typed methods against redis-server", { skip }, () => {
  let server: RedisServer;
  let client: RespClient;
  before(async () => {
    server = await RedisServer.start({ aof: false });
    client = await RespClient.connect(server.port);
  });
  after(async () => {
    await client?.close();
    await server?.stop();
  });

  it("every step answers as Redis does, typed (or rejects with Redis's error)", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    try {
      for (const [argv, call, shape] of STEPS) {
        let raw = await client.call(...argv);
        const label = argv.join(" ");
        if (argv[0] === "KEYS" || argv[0] === "SINTER" || argv[0] === "SUNION") {
          raw = (raw as Uint8Array[]).map((b) => dec.decode(b)).sort().map((s) =>
            new TextEncoder().encode(s)
          );
        }
        if (raw !== null && typeof raw === "object" && "error" in raw) {
          const e = await call(db).then(() => null, (x) => x);
          assert.ok(e instanceof CommandFailedError, `${label}: rejects`);
          assert.equal(e.message.split(" ")[0], String(raw.error).split(" ")[0], label);
          continue;
        }
        const want = argv[0] === "EXPIRETIME" && typeof raw === "number" && raw > 0
          ? "deadline"
          : typed(raw, shape ?? "v");
        const got = await call(db);
        if (want === "deadline") {
          // Both clocks read "now + 100 s": equal within the second the two calls straddle.
          assert.ok(Math.abs((got as number) - (raw as number)) <= 1, `${label}: ${got} vs ${raw}`);
        } else assert.deepEqual(got, want, label);
      }
      assert.equal(await db.randomkey() !== null, (await client.call("RANDOMKEY")) !== null);
    } finally {
      await db.close();
    }
  });
});

/** Commands whose keyspace events are compared (no TTLs that could expire meanwhile). */
const SCRIPT: string[][] = [
  ["SET", "s", "1"],
  ["SET", "s", "2", "NX"],
  ["SETEX", "t", "100", "v"],
  ["SET", "t", "v", "KEEPTTL"],
  ["PERSIST", "t"],
  ["INCR", "s"],
  ["DECRBY", "s", "3"],
  ["INCRBYFLOAT", "s", "1.5"],
  ["APPEND", "s", "x"],
  ["SETRANGE", "s", "0", "Z"],
  ["GETSET", "s", "g"],
  ["MSET", "m1", "1", "m2", "2"],
  ["MSETNX", "m3", "1", "m1", "x"],
  ["GETDEL", "m2"],
  ["GETEX", "m1", "EX", "100"],
  ["GETEX", "m1", "PERSIST"],
  ["EXPIRE", "m1", "100"],
  ["PEXPIRE", "m1", "-1"],
  ["RENAME", "s", "s2"],
  ["RENAMENX", "s2", "t"],
  ["COPY", "t", "t2"],
  ["DEL", "t2", "nope", "s2"],
  ["UNLINK", "t"],
  ["LPUSH", "l", "a", "b"],
  ["RPUSHX", "l", "c"],
  ["LPUSHX", "nol", "c"],
  ["LINSERT", "l", "BEFORE", "a", "x"],
  ["LSET", "l", "0", "y"],
  ["LREM", "l", "1", "x"],
  ["LTRIM", "l", "0", "2"],
  ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
  ["RPOPLPUSH", "l", "l"],
  ["LPOP", "l", "10"],
  ["LMPOP", "1", "l2", "LEFT"],
  ["HSET", "h", "f", "1", "g", "2"],
  ["HSETNX", "h", "f", "x"],
  ["HINCRBY", "h", "f", "2"],
  ["HINCRBYFLOAT", "h", "f", "0.5"],
  ["HDEL", "h", "f", "g"],
  ["SADD", "a", "1", "2", "3"],
  ["SADD", "b", "3", "4"],
  ["SREM", "a", "1"],
  ["SMOVE", "a", "b", "2"],
  ["SINTERSTORE", "c", "a", "b"],
  ["SUNIONSTORE", "c", "nothing"],
  ["SDIFFSTORE", "d", "b", "a"],
  ["SPOP", "a"],
  ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
  ["ZADD", "z", "INCR", "5", "a"],
  ["ZINCRBY", "z", "1", "b"],
  ["ZREM", "z", "c"],
  ["ZPOPMIN", "z"],
  ["ZUNIONSTORE", "z2", "1", "z"],
  ["ZREMRANGEBYSCORE", "z2", "-inf", "+inf"],
  ["ZMPOP", "1", "z", "MAX"],
  ["SETBIT", "bits", "7", "1"],
  ["BITOP", "OR", "bits2", "bits"],
  ["PFADD", "hll", "a"],
  ["PFMERGE", "hll2", "hll"],
  // Streams: explicit ids (no clock), every write and the conditions of its events.
  ["XADD", "x", "1-1", "f", "1"],
  ["XADD", "x", "MAXLEN", "5", "1-2", "f", "2"],
  ["XADD", "x", "MAXLEN", "1", "1-3", "f", "3"],
  ["XADD", "x", "NOMKSTREAM", "1-4", "f", "4"],
  ["XADD", "nox", "NOMKSTREAM", "1-1", "f", "1"],
  ["XADD", "x", "1-0", "f", "too small"],
  ["XADD", "x", "MINID", "1-4", "2-1", "f", "5"],
  ["XTRIM", "x", "MAXLEN", "10"],
  ["XTRIM", "x", "MAXLEN", "1"],
  ["XADD", "x", "3-1", "f", "6"],
  ["XADD", "x", "3-2", "f", "7"],
  ["XDEL", "x", "9-9"],
  ["XDEL", "x", "3-1", "9-9"],
  ["XSETID", "x", "5-0"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XGROUP", "CREATE", "x2", "g", "$", "MKSTREAM"],
  ["XGROUP", "SETID", "x", "g", "0"],
  ["XGROUP", "CREATECONSUMER", "x", "g", "alice"],
  ["XGROUP", "CREATECONSUMER", "x", "g", "alice"],
  ["XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "x", "x2", ">", ">"],
  ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "x", ">"],
  ["XREADGROUP", "GROUP", "g", "carol", "STREAMS", "x", ">"],
  ["XREADGROUP", "GROUP", "g", "dave", "STREAMS", "x", "0"],
  ["XREADGROUP", "GROUP", "g", "erin", "NOACK", "STREAMS", "x2", ">"],
  ["XACK", "x", "g", "2-1"],
  ["XACK", "x", "g", "2-1"],
  ["XCLAIM", "x", "g", "frank", "0", "3-2"],
  ["XCLAIM", "x", "g", "gina", "0", "9-9"],
  ["XCLAIM", "x", "g", "frank", "0", "3-2", "JUSTID"],
  ["XAUTOCLAIM", "x", "g", "hank", "0", "0-0"],
  ["XAUTOCLAIM", "x", "g", "ivy", "0", "0-0"],
  ["XGROUP", "DELCONSUMER", "x", "g", "nobody"],
  ["XGROUP", "DELCONSUMER", "x", "g", "hank"],
  ["XGROUP", "DESTROY", "x", "g"],
  ["XGROUP", "DESTROY", "x", "g"],
  ["XGROUP", "CREATE", "x", "g2", "$", "ENTRIESREAD", "2"],
  ["DEL", "x2"],
  ["RPUSH", "srt", "3", "1", "2"],
  ["SORT", "srt", "STORE", "srt2"],
  ["FLUSHALL"],
  ["SET", "after", "flush"],
];

describe("oracle: keyspace events against redis-server (notify-keyspace-events KEA)", {
  skip,
}, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ aof: false, args: ["--notify-keyspace-events", "KEA"] });
  });
  after(async () => {
    await server?.stop();
  });

  it("the same events, in the same order, for every command of the script", {
    timeout: 60_000,
  }, async () => {
    const sub = await RespClient.connect(server.port);
    const client = await RespClient.connect(server.port);
    await sub.call("PSUBSCRIBE", "__keyevent@0__:*");
    const failedThere: string[] = [];
    for (const argv of SCRIPT) {
      const r = await client.call(...argv);
      if (r !== null && typeof r === "object" && "error" in r) failedThere.push(argv.join(" "));
    }
    await client.call("PUBLISH", "__keyevent@0__:~end", "~");
    const deadline = Date.now() + 30_000;
    const isEnd = (m: RedisReply) => Array.isArray(m) && plain(m[3]!) === "~";
    while (!sub.pushes.some(isEnd) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const theirs = sub.pushes.filter((m) => !isEnd(m)).map((m) => {
      const [, , channel, key] = plain(m) as string[];
      return `${channel!.slice("__keyevent@0__:".length)} ${key}`;
    });
    await sub.close();
    await client.close();

    const db = await openStore({ activeExpireIntervalMs: 0 });
    const ours: string[] = [];
    const stop = db.onKeyspaceEvent((e) => ours.push(`${e.event} ${e.key}`));
    const failedHere: string[] = [];
    for (const argv of SCRIPT) {
      await db.command(argv).catch((e) => {
        if (!(e instanceof CommandFailedError)) throw e;
        failedHere.push(argv.join(" "));
      });
    }
    await new Promise((r) => setTimeout(r, 0));
    stop();
    await db.close();
    assert.deepEqual(failedHere, failedThere, "the same commands fail");
    assert.ok(failedThere.length > 0, "the script includes refused commands");
    assert.deepEqual(ours, theirs);
  });
});
