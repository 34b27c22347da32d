import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bulk, setup, T0 } from "./_apply_helpers.ts";
import { utf8 } from "../_helpers.ts";

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const bulks = (...s: string[]) => s.map(bulk);

describe("applier: hashes", () => {
  it("HSET HMSET HSETNX HGET HMGET HGETALL HLEN HEXISTS HDEL", () => {
    const { ok, err } = setup();
    assert.equal(ok("HSET", "h", "a", "1", "b", "2"), 2);
    assert.equal(ok("HSET", "h", "a", "x", "c", "3"), 1);
    assert.equal(ok("HMSET", "h", "d", "4"), "OK");
    assert.equal(ok("HSETNX", "h", "a", "y"), 0);
    assert.equal(ok("HSETNX", "h", "e", "5"), 1);
    assert.deepEqual(ok("HGET", "h", "a"), bulk("x"));
    assert.equal(ok("HGET", "h", "zz"), null);
    assert.deepEqual(ok("HMGET", "h", "b", "zz"), [bulk("2"), null]);
    assert.deepEqual(ok("HGETALL", "h"), bulks("a", "x", "b", "2", "c", "3", "d", "4", "e", "5"));
    assert.equal(ok("HLEN", "h"), 5);
    assert.equal(ok("HEXISTS", "h", "c"), 1);
    assert.equal(ok("HDEL", "h", "a", "b", "zz"), 2);
    assert.equal(ok("HDEL", "h", "c", "d", "e"), 3);
    assert.equal(ok("EXISTS", "h"), 0); // emptied hash is deleted
    assert.equal(err("HSET", "h", "a"), "ERR wrong number of arguments for 'hset' command");
    assert.equal(
      err("HSET", "h", "a", "1", "b"),
      "ERR wrong number of arguments for 'hset' command",
    );
    ok("SET", "s", "v");
    assert.equal(err("HSET", "s", "a", "1"), WRONGTYPE);
    assert.equal(err("HGET", "s", "a"), WRONGTYPE);
  });

  it("HINCRBY HINCRBYFLOAT", () => {
    const { ok, err } = setup();
    assert.equal(ok("HINCRBY", "h", "n", "5"), 5);
    assert.equal(ok("HINCRBY", "h", "n", "-7"), -2);
    ok("HSET", "h", "s", "abc", "m", "9223372036854775807");
    assert.equal(err("HINCRBY", "h", "s", "1"), "ERR hash value is not an integer");
    assert.equal(err("HINCRBY", "h", "m", "1"), "ERR increment or decrement would overflow");
    assert.equal(err("HINCRBY", "h", "n", "x"), "ERR value is not an integer or out of range");
    assert.deepEqual(ok("HINCRBYFLOAT", "h", "f", "1.25"), bulk("1.25"));
    assert.deepEqual(ok("HINCRBYFLOAT", "h", "n", "0.5"), bulk("-1.5"));
    assert.equal(err("HINCRBYFLOAT", "h", "s", "1"), "ERR hash value is not a float");
  });
});

describe("applier: lists", () => {
  it("push/pop at both ends, counts, X variants, emptied list deleted", () => {
    const { ok, err } = setup();
    assert.equal(ok("RPUSH", "l", "a", "b", "c"), 3);
    assert.equal(ok("LPUSH", "l", "y", "z"), 5);
    assert.deepEqual(ok("LRANGE", "l", "0", "-1"), bulks("z", "y", "a", "b", "c"));
    assert.equal(ok("LPUSHX", "nope", "a"), 0);
    assert.equal(ok("RPUSHX", "l", "d"), 6);
    assert.deepEqual(ok("LPOP", "l"), bulk("z"));
    assert.deepEqual(ok("RPOP", "l"), bulk("d"));
    assert.deepEqual(ok("LPOP", "l", "2"), bulks("y", "a"));
    assert.deepEqual(ok("RPOP", "l", "0"), []);
    assert.deepEqual(ok("RPOP", "l", "10"), bulks("c", "b"));
    assert.equal(ok("EXISTS", "l"), 0);
    assert.equal(ok("LPOP", "l"), null);
    assert.equal(ok("LPOP", "l", "3"), null);
    assert.equal(err("LPOP", "l", "-1"), "ERR value is out of range, must be positive");
  });

  it("LSET LINSERT LREM LTRIM LINDEX LLEN", () => {
    const { ok, err } = setup();
    ok("RPUSH", "l", "a", "b", "a", "c", "a");
    assert.equal(ok("LSET", "l", "-1", "A"), "OK");
    assert.equal(err("LSET", "l", "9", "x"), "ERR index out of range");
    assert.equal(err("LSET", "nope", "0", "x"), "ERR no such key");
    assert.equal(ok("LINSERT", "l", "BEFORE", "c", "bc"), 6);
    assert.equal(ok("LINSERT", "l", "after", "c", "cd"), 7);
    assert.equal(ok("LINSERT", "l", "AFTER", "zz", "x"), -1);
    assert.equal(ok("LINSERT", "nope", "AFTER", "zz", "x"), 0);
    assert.equal(err("LINSERT", "l", "MIDDLE", "c", "x"), "ERR syntax error");
    assert.deepEqual(ok("LRANGE", "l", "0", "-1"), bulks("a", "b", "a", "bc", "c", "cd", "A"));
    assert.equal(ok("LREM", "l", "-1", "a"), 1);
    assert.deepEqual(ok("LRANGE", "l", "0", "2"), bulks("a", "b", "bc"));
    ok("RPUSH", "m", "x", "y", "x", "x");
    assert.equal(ok("LREM", "m", "0", "x"), 3);
    assert.deepEqual(ok("LINDEX", "m", "0"), bulk("y"));
    assert.equal(ok("LINDEX", "m", "5"), null);
    assert.equal(ok("LTRIM", "l", "1", "-2"), "OK");
    assert.deepEqual(ok("LRANGE", "l", "0", "-1"), bulks("b", "bc", "c", "cd"));
    assert.equal(ok("LLEN", "l"), 4);
    assert.equal(ok("LTRIM", "l", "5", "10"), "OK");
    assert.equal(ok("EXISTS", "l"), 0);
  });

  it("LMOVE and RPOPLPUSH, incl. rotating one list", () => {
    const { ok, err } = setup();
    ok("RPUSH", "a", "1", "2", "3");
    assert.deepEqual(ok("LMOVE", "a", "b", "LEFT", "RIGHT"), bulk("1"));
    assert.deepEqual(ok("RPOPLPUSH", "a", "b"), bulk("3"));
    assert.deepEqual(ok("LRANGE", "b", "0", "-1"), bulks("3", "1"));
    assert.deepEqual(ok("LMOVE", "b", "b", "LEFT", "RIGHT"), bulk("3"));
    assert.deepEqual(ok("LRANGE", "b", "0", "-1"), bulks("1", "3"));
    assert.equal(ok("LMOVE", "nope", "b", "LEFT", "LEFT"), null);
    ok("SET", "s", "v");
    assert.equal(err("LMOVE", "a", "s", "LEFT", "LEFT"), WRONGTYPE);
    assert.equal(ok("LLEN", "a"), 1); // nothing popped on error
    assert.equal(err("LMOVE", "a", "b", "UP", "LEFT"), "ERR syntax error");
  });
});

describe("applier: sets", () => {
  it("SADD SREM SMEMBERS SISMEMBER SCARD SMOVE SPOP", () => {
    const { ok, err } = setup();
    assert.equal(ok("SADD", "s", "a", "b", "a", "c"), 3);
    assert.equal(ok("SREM", "s", "a", "z"), 1);
    assert.deepEqual(ok("SMEMBERS", "s"), bulks("b", "c"));
    assert.equal(ok("SISMEMBER", "s", "b"), 1);
    assert.equal(ok("SCARD", "s"), 2);
    assert.equal(ok("SMOVE", "s", "t", "b"), 1);
    assert.equal(ok("SMOVE", "s", "t", "b"), 0);
    assert.equal(ok("SCARD", "t"), 1);
    const popped = ok("SPOP", "s");
    assert.deepEqual(popped, bulk("c"));
    assert.equal(ok("EXISTS", "s"), 0);
    ok("SADD", "p", "1", "2", "3", "4");
    const many = ok("SPOP", "p", "3") as Uint8Array[];
    assert.equal(many.length, 3);
    assert.equal(ok("SCARD", "p"), 1);
    const rest = ["1", "2", "3", "4"].map(bulk).filter((x) =>
      !many.some((m) => m.join() === x.join())
    );
    assert.deepEqual(ok("SPOP", "p", "5"), rest);
    assert.deepEqual(ok("SPOP", "p", "2"), []);
    assert.equal(ok("SPOP", "p"), null);
    assert.equal(err("SPOP", "t", "-1"), "ERR value is out of range, must be positive");
  });

  it("SINTERSTORE SUNIONSTORE SDIFFSTORE replace the destination", () => {
    const { ok, err } = setup();
    ok("SADD", "a", "1", "2", "3");
    ok("SADD", "b", "2", "3", "4");
    ok("SET", "d", "old", "EX", "100");
    assert.equal(ok("SINTERSTORE", "d", "a", "b"), 2);
    assert.equal(ok("TTL", "d"), -1);
    assert.deepEqual(ok("SMEMBERS", "d"), bulks("2", "3"));
    assert.equal(ok("SUNIONSTORE", "d", "a", "b", "nope"), 4);
    assert.equal(ok("SDIFFSTORE", "d", "a", "b"), 1);
    assert.deepEqual(ok("SMEMBERS", "d"), bulks("1"));
    assert.equal(ok("SINTERSTORE", "d", "a", "nope"), 0);
    assert.equal(ok("EXISTS", "d"), 0);
    ok("SET", "s", "v");
    assert.equal(err("SUNIONSTORE", "d", "a", "s"), WRONGTYPE);
  });
});

describe("applier: sorted sets", () => {
  it("ZADD flags NX XX GT LT CH INCR and errors", () => {
    const { ok, err } = setup();
    assert.equal(ok("ZADD", "z", "1", "a", "2", "b", "-inf", "c"), 3);
    assert.equal(ok("ZADD", "z", "5", "a", "6", "d"), 1);
    assert.equal(ok("ZADD", "z", "CH", "7", "a", "7", "e"), 2);
    assert.equal(ok("ZADD", "z", "NX", "100", "a", "8", "f"), 1);
    assert.deepEqual(ok("ZSCORE", "z", "a"), bulk("7"));
    assert.equal(ok("ZADD", "z", "XX", "9", "a", "9", "g"), 0);
    assert.equal(ok("EXISTS", "g"), 0);
    assert.deepEqual(ok("ZSCORE", "z", "a"), bulk("9"));
    assert.equal(ok("ZADD", "z", "GT", "CH", "1", "a"), 0);
    assert.equal(ok("ZADD", "z", "LT", "CH", "1", "a"), 1);
    assert.deepEqual(ok("ZADD", "z", "INCR", "2.5", "a"), bulk("3.5"));
    assert.equal(ok("ZADD", "z", "NX", "INCR", "1", "a"), null);
    assert.equal(ok("ZADD", "nokey", "XX", "1", "a"), 0);
    assert.equal(ok("EXISTS", "nokey"), 0);
    assert.equal(
      err("ZADD", "z", "NX", "XX", "1", "a"),
      "ERR XX and NX options at the same time are not compatible",
    );
    assert.equal(
      err("ZADD", "z", "GT", "LT", "1", "a"),
      "ERR GT, LT, and/or NX options at the same time are not compatible",
    );
    assert.equal(
      err("ZADD", "z", "INCR", "1", "a", "2", "b"),
      "ERR INCR option supports a single increment-element pair",
    );
    assert.equal(err("ZADD", "z", "1", "a", "2"), "ERR syntax error");
    assert.equal(err("ZADD", "z", "nan", "a"), "ERR value is not a valid float");
    assert.equal(err("ZADD", "z", "1", "ok", "x", "bad"), "ERR value is not a valid float");
    assert.equal(ok("ZSCORE", "z", "ok"), null); // the whole command failed
    ok("ZADD", "inf", "inf", "m");
    assert.equal(
      err("ZADD", "inf", "INCR", "-inf", "m"),
      "ERR resulting score is not a number (NaN)",
    );
    assert.equal(err("ZINCRBY", "inf", "-inf", "m"), "ERR resulting score is not a number (NaN)");
  });

  it("ZADD 0 over -0 ends at +0 (no change counted, as Redis replies)", () => {
    const { ok } = setup();
    assert.equal(ok("ZADD", "z", "-0", "m"), 1);
    assert.deepEqual(ok("ZSCORE", "z", "m"), bulk("-0"));
    assert.equal(ok("ZADD", "z", "CH", "0", "m"), 0);
    assert.deepEqual(ok("ZSCORE", "z", "m"), bulk("0"));
  });

  it("ZINCRBY ZREM ZCARD ZRANK ZRANGE", () => {
    const { ok } = setup();
    assert.deepEqual(ok("ZINCRBY", "z", "1.5", "a"), bulk("1.5"));
    ok("ZADD", "z", "0", "b", "-0", "c", "1e20", "d", "0", "bb");
    assert.deepEqual(ok("ZRANGE", "z", "0", "-1"), bulks("c", "b", "bb", "a", "d"));
    assert.deepEqual(
      ok("ZRANGE", "z", "0", "1", "REV", "WITHSCORES"),
      bulks("d", "1e+20", "a", "1.5"),
    );
    assert.deepEqual(ok("ZRANGE", "z", "(0", "+inf", "BYSCORE"), bulks("a", "d"));
    assert.deepEqual(
      ok("ZRANGE", "z", "+inf", "0", "BYSCORE", "REV", "LIMIT", "1", "2"),
      bulks("a", "bb"),
    );
    assert.equal(ok("ZRANK", "z", "a"), 3);
    assert.deepEqual(ok("ZRANK", "z", "a", "WITHSCORE"), [3, bulk("1.5")]);
    assert.equal(ok("ZRANK", "z", "zz"), null);
    assert.equal(ok("ZCARD", "z"), 5);
    assert.equal(ok("ZREM", "z", "a", "zz"), 1);
    assert.equal(ok("ZREM", "z", "b", "bb", "c", "d"), 4);
    assert.equal(ok("EXISTS", "z"), 0);
  });

  it("ZREMRANGEBYSCORE / BYRANK / BYLEX, ZPOPMIN / ZPOPMAX", () => {
    const { ok, err } = setup();
    ok("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
    assert.equal(ok("ZREMRANGEBYSCORE", "z", "(1", "2"), 1);
    assert.equal(ok("ZREMRANGEBYRANK", "z", "-1", "-1"), 1);
    assert.deepEqual(ok("ZRANGE", "z", "0", "-1"), bulks("a", "c", "d"));
    assert.equal(err("ZREMRANGEBYSCORE", "z", "x", "1"), "ERR min or max is not a float");
    assert.deepEqual(ok("ZPOPMIN", "z"), [bulk("a"), bulk("1")]);
    assert.deepEqual(ok("ZPOPMAX", "z", "5"), bulks("d", "4", "c", "3"));
    assert.equal(ok("EXISTS", "z"), 0);
    assert.deepEqual(ok("ZPOPMIN", "z"), []);
    ok("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d");
    assert.equal(ok("ZREMRANGEBYLEX", "l", "(a", "[c"), 2);
    assert.deepEqual(ok("ZRANGE", "l", "-", "+", "BYLEX"), bulks("a", "d"));
    assert.equal(
      err("ZREMRANGEBYLEX", "l", "a", "+"),
      "ERR min or max not valid string range item",
    );
  });

  it("TTL survives collection edits; emptied collections lose it with the key", () => {
    const { ok, store } = setup();
    ok("ZADD", "z", "1", "a");
    ok("PEXPIRE", "z", "100");
    ok("ZADD", "z", "2", "b");
    assert.equal(store.deadline(utf8("z")), T0 + 100);
    ok("ZREM", "z", "a", "b");
    ok("ZADD", "z", "2", "b");
    assert.equal(store.deadline(utf8("z")), null);
  });
});
