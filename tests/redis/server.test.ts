// Interop with a real redis-server (Debian's package): its AOF replayed by us
// equals what it reports, and our export piped into it reads back equal.
// Skipped with a message when redis-server is not installed, unless
// KEVY_REQUIRE_REDIS=1 (then the missing server is a failure).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { hex, utf8 } from "../_helpers.ts";
import { encodeCommand } from "../../src/codec/resp.ts";
import { replayRedisAof } from "../../src/redis/aof.ts";
import { exportRedisBytes } from "../../src/redis/export.ts";
import { databases, viewOfRedis, viewOfStores, zeroSignless } from "./_keyspace.ts";
import { redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import { ALL_BYTES, sampleStore } from "./_sample_store.ts";

const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/server.test.ts: ${skip}`);

/** What a client sends: the server logs its own rendering of it in the AOF. */
function workload(): Uint8Array {
  const cmds: Array<Array<string | Uint8Array>> = [
    ["SET", "s:plain", "hello"],
    ["APPEND", "s:plain", " world\r\n\x00"],
    ["SET", "s:ex", "v", "EX", "1000"],
    ["SET", "s:px", "v", "PX", "2000000"],
    ["SETEX", "s:setex", "500", "v"],
    ["SET", "s:keep", "first", "EX", "900"],
    ["SET", "s:keep", "second", "KEEPTTL"],
    ["SET", ALL_BYTES, ALL_BYTES],
    ["SET", new Uint8Array([0, 13, 10]), new Uint8Array(0)],
    ["SET", "s:gone", "x"],
    ["DEL", "s:gone"],
    ["INCR", "n:i"],
    ["INCRBY", "n:i", "41"],
    ["DECRBY", "n:min", "9223372036854775807"],
    ["INCRBYFLOAT", "n:f", "10.5"],
    ["INCRBYFLOAT", "n:f", "-0.1"],
    ["HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"],
    ["HINCRBY", "h", "n", "5"],
    ["HINCRBYFLOAT", "h", "fl", "1.25"],
    ["HDEL", "h", "f2"],
    ["EXPIRE", "h", "1000"],
    ["RPUSH", "l", "a", "b", "c", "d"],
    ["LPUSH", "l", "z"],
    ["LPOP", "l"],
    ["LSET", "l", "1", "B"],
    ["SADD", "st", "a", "b", "c", "d"],
    ["SREM", "st", "d"],
    [
      "ZADD",
      "z",
      "-inf",
      "neg-inf",
      "inf",
      "pos-inf",
      "1e-3",
      "milli",
      "0.1",
      "tenth",
      "-0",
      "negzero",
    ],
    ["ZINCRBY", "z", "2.5", "milli"],
    ["ZADD", "z", "7", new Uint8Array([0xff, 0])],
    ["ZREM", "z", "tenth"],
    ["PEXPIRE", "z", "3000000"],
    ["MULTI"],
    ["SET", "tx", "1"],
    ["INCR", "tx"],
    ["EXEC"],
    ["SELECT", "1"],
    ["SET", "db1:k", "v"],
    ["HSET", "db1:h", "a", "b"],
    ["SELECT", "0"],
    ["RENAME", "s:plain", "s:renamed"],
  ];
  const frames = cmds.map((c) => encodeCommand(c));
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

describe("interop with a real redis-server", () => {
  let server: RedisServer | null = null;

  before(async () => {
    if (missing !== null) {
      if (redisRequired()) throw new Error(`KEVY_REQUIRE_REDIS=1 but ${missing}`);
      return;
    }
    server = await RedisServer.start();
  });

  after(async () => {
    await server?.stop();
  });

  it("redis-server is available (KEVY_REQUIRE_REDIS=1 makes this mandatory)", { skip }, () => {
    assert.equal(missing, null);
    assert.ok(server !== null);
  });

  it(
    "(a) its appendonlydir, replayed by us, equals what Redis reports for every key",
    { skip },
    async () => {
      const s = server!;
      await s.pipe(workload());
      const json = await s.keyspace([0, 1]);
      const { dbs, applier } = databases(() => json.collected_at_unix_ms);
      const stats = await replayRedisAof(s.aofDir, (argv) => applier.apply(argv));
      assert.equal(stats.torn, null);
      assert.equal(stats.files, 2);
      assert.equal(applier.errors, 0);
      assert.deepEqual([...applier.unknown], []);
      const expected = viewOfRedis(json);
      assert.deepEqual(Object.keys(expected).sort(), ["0", "1"]);
      assert.ok(Object.keys(expected["0"]!).length >= 15);
      // Exact, except that Redis stores a small zset's -0 score as 0 (we keep -0).
      assert.deepEqual(zeroSignless(viewOfStores(dbs)), zeroSignless(expected));
    },
  );

  it(
    "(b) our export, piped into redis-cli --pipe, reads back equal to our store",
    { skip },
    async () => {
      const s = server!;
      const now = Date.now();
      const store = sampleStore(() => now);
      // 202 members: Redis converts it to a skiplist midway through the ZADDs.
      const big: Array<[Uint8Array, number]> = Array.from(
        { length: 200 },
        (_, i) => [utf8(`m${i}`), i - 100],
      );
      big.push([utf8("negzero"), -0], [utf8("tiny"), 5e-324]);
      store.put({ key: utf8("skiplist"), value: { type: "zset", value: big }, deadline: null });
      const out = await s.pipe(exportRedisBytes(store, { db: 7 }));
      assert.match(out, /errors: 0, replies: \d+/);
      const back = viewOfRedis(await s.keyspace([7]));
      const ours = viewOfStores(new Map([[7, store]]));
      assert.deepEqual(Object.keys(back["7"]!).sort(), Object.keys(ours["7"]!).sort());
      // Exact (bytes, TTLs, score bits), except that Redis stores a small zset's -0 as 0.
      assert.deepEqual(zeroSignless(back), zeroSignless(ours));
      const zset = back["7"]![hex(utf8("zset"))]!;
      const scores = (zset.value as Array<[string, number]>).map((x) => x[1]);
      assert.ok(scores.includes(0) && scores.includes(Infinity) && scores.includes(-Infinity));
      assert.ok(scores.includes(5e-324) && scores.includes(1e-20));
      const sk = back["7"]![hex(utf8("skiplist"))]!.value as Array<[string, number]>;
      assert.equal(sk.length, 202);
      assert.equal(sk.find(([m]) => m === hex(utf8("tiny")))?.[1], 5e-324);
    },
  );
});
