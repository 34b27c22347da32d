import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bulk, setup, T0 } from "./_apply_helpers.ts";
import { utf8 } from "../_helpers.ts";

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

describe("applier: SET and friends", () => {
  it("SET replies OK, GET returns the value, SET clears the TTL", () => {
    const { ok, store } = setup();
    assert.equal(ok("SET", "k", "v", "PX", "5000"), "OK");
    assert.equal(store.deadline(utf8("k")), T0 + 5000);
    assert.equal(ok("set", "k", "w"), "OK");
    assert.equal(store.deadline(utf8("k")), null);
    assert.deepEqual(ok("GET", "k"), bulk("w"));
    assert.equal(ok("GET", "missing"), null);
  });

  it("SET options EX EXAT PXAT KEEPTTL NX XX GET", () => {
    const { ok, err, store } = setup();
    ok("SET", "k", "v", "EX", "10");
    assert.equal(store.deadline(utf8("k")), T0 + 10_000);
    ok("SET", "k", "v2", "KEEPTTL");
    assert.equal(store.deadline(utf8("k")), T0 + 10_000);
    ok("SET", "k", "v", "EXAT", String(T0 / 1000 + 20));
    assert.equal(store.deadline(utf8("k")), T0 + 20_000);
    ok("SET", "k", "v", "PXAT", String(T0 + 7));
    assert.equal(store.deadline(utf8("k")), T0 + 7);
    assert.equal(ok("SET", "k", "x", "NX"), null);
    assert.equal(ok("SET", "n", "x", "XX"), null);
    assert.equal(ok("SET", "n", "x", "NX"), "OK");
    assert.deepEqual(ok("SET", "n", "y", "GET"), bulk("x"));
    assert.equal(ok("SET", "fresh", "y", "GET"), null);
    assert.equal(err("SET", "k", "v", "NX", "XX"), "ERR syntax error");
    assert.equal(err("SET", "k", "v", "EX", "1", "PX", "1"), "ERR syntax error");
    assert.equal(err("SET", "k", "v", "EX", "1", "KEEPTTL"), "ERR syntax error");
    assert.equal(err("SET", "k", "v", "EX"), "ERR syntax error");
    assert.equal(err("SET", "k", "v", "EX", "0"), "ERR invalid expire time in 'set' command");
    assert.equal(err("SET", "k", "v", "EX", "x"), "ERR value is not an integer or out of range");
    ok("RPUSH", "l", "a");
    assert.equal(err("SET", "l", "v", "GET"), WRONGTYPE);
    assert.equal(ok("SET", "l", "v"), "OK"); // plain SET overwrites any type
  });

  it("SET with a deadline in the past leaves no key", () => {
    const { ok, store } = setup();
    ok("SET", "k", "v", "PXAT", "1000");
    assert.equal(store.has(utf8("k")), false);
  });

  it("SETNX SETEX PSETEX MSET MSETNX", () => {
    const { ok, err, store } = setup();
    assert.equal(ok("SETNX", "a", "1"), 1);
    assert.equal(ok("SETNX", "a", "2"), 0);
    assert.equal(ok("SETEX", "b", "3", "x"), "OK");
    assert.equal(store.deadline(utf8("b")), T0 + 3000);
    assert.equal(ok("PSETEX", "c", "3", "x"), "OK");
    assert.equal(store.deadline(utf8("c")), T0 + 3);
    assert.equal(err("SETEX", "b", "0", "x"), "ERR invalid expire time in 'setex' command");
    assert.equal(err("SETEX", "b", "-5", "x"), "ERR invalid expire time in 'setex' command");
    assert.equal(ok("MSET", "m1", "1", "m2", "2"), "OK");
    assert.deepEqual(ok("MGET", "m1", "nope", "m2"), [bulk("1"), null, bulk("2")]);
    assert.equal(err("MSET", "m1", "1", "m2"), "ERR wrong number of arguments for 'mset' command");
    assert.equal(ok("MSETNX", "m1", "x", "m3", "y"), 0);
    assert.equal(store.has(utf8("m3")), false);
    assert.equal(ok("MSETNX", "m3", "x", "m4", "y"), 1);
  });

  it("APPEND and SETRANGE keep the TTL", () => {
    const { ok, store } = setup();
    ok("SET", "k", "ab", "PX", "100");
    assert.equal(ok("APPEND", "k", "cd"), 4);
    assert.equal(store.deadline(utf8("k")), T0 + 100);
    assert.equal(ok("SETRANGE", "k", "1", "XY"), 4);
    assert.deepEqual(ok("GET", "k"), bulk("aXYd"));
    assert.equal(ok("SETRANGE", "k", "6", "!"), 7);
    assert.deepEqual(ok("GET", "k"), new Uint8Array([97, 88, 89, 100, 0, 0, 33]));
    assert.equal(store.deadline(utf8("k")), T0 + 100);
    assert.equal(ok("APPEND", "new", "x"), 1);
    assert.equal(ok("SETRANGE", "none", "5", ""), 0);
    assert.equal(store.has(utf8("none")), false);
    assert.equal(ok("STRLEN", "k"), 7);
    assert.equal(ok("STRLEN", "nope"), 0);
  });

  it("INCR family: Redis integer rules, int64 edges, TTL kept", () => {
    const { ok, err, store } = setup();
    assert.equal(ok("INCR", "n"), 1);
    assert.equal(ok("INCRBY", "n", "41"), 42);
    assert.equal(ok("DECR", "n"), 41);
    assert.equal(ok("DECRBY", "n", "50"), -9);
    ok("PEXPIRE", "n", "1000");
    ok("INCR", "n");
    assert.equal(store.deadline(utf8("n")), T0 + 1000);
    ok("SET", "big", "9223372036854775806");
    assert.equal(ok("INCR", "big"), 9223372036854775807n);
    assert.deepEqual(ok("GET", "big"), bulk("9223372036854775807"));
    assert.equal(err("INCR", "big"), "ERR increment or decrement would overflow");
    ok("SET", "small", "-9223372036854775807");
    assert.equal(ok("DECR", "small"), -9223372036854775808n);
    assert.equal(err("DECR", "small"), "ERR increment or decrement would overflow");
    assert.equal(err("DECRBY", "n", "-9223372036854775808"), "ERR decrement would overflow");
    ok("SET", "s", "9007199254740993");
    assert.equal(ok("INCRBY", "s", "2"), 9007199254740995n);
    for (const bad of ["abc", " 1", "+1", "01", "-0", "1.0", ""]) {
      ok("SET", "x", bad);
      assert.equal(err("INCR", "x"), "ERR value is not an integer or out of range", bad);
    }
    assert.equal(
      err("INCRBY", "n", "9223372036854775808"),
      "ERR value is not an integer or out of range",
    );
    ok("SADD", "set", "a");
    assert.equal(err("INCR", "set"), WRONGTYPE);
  });

  it("INCRBYFLOAT: Redis float parsing and human formatting", () => {
    const { ok, err } = setup();
    assert.deepEqual(ok("INCRBYFLOAT", "f", "10.5"), bulk("10.5"));
    assert.deepEqual(ok("INCRBYFLOAT", "f", "0.1"), bulk("10.6"));
    assert.deepEqual(ok("INCRBYFLOAT", "f", "-10.6"), bulk("0"));
    assert.deepEqual(ok("INCRBYFLOAT", "f", "5.0e3"), bulk("5000"));
    // Never exponent notation, and added in 80-bit long double like Redis: 5000 + 1e20 is
    // exact there (what redis-server 7.0.15 replies), where binary64 would give 1e20.
    assert.deepEqual(ok("INCRBYFLOAT", "f", "1e20"), bulk("100000000000000005000"));
    assert.deepEqual(ok("INCRBYFLOAT", "g", "1e-7"), bulk("0.0000001"));
    assert.equal(err("INCRBYFLOAT", "f", "nan"), "ERR value is not a valid float");
    assert.equal(err("INCRBYFLOAT", "f", "inf"), "ERR increment would produce NaN or Infinity");
    // Parsed as a long double, as redis-server 7.0.15 does: 1e400 is in range, 1e5000 is not.
    assert.equal(err("INCRBYFLOAT", "f", "1e5000"), "ERR value is not a valid float");
    assert.deepEqual(ok("INCRBYFLOAT", "h", "0x10"), bulk("16"));
    assert.equal(err("INCRBYFLOAT", "f", " 1"), "ERR value is not a valid float");
    ok("SET", "s", "abc");
    assert.equal(err("INCRBYFLOAT", "s", "1"), "ERR value is not a valid float");
    ok("SET", "i", "3");
    assert.deepEqual(ok("INCRBYFLOAT", "i", "1.5"), bulk("4.5"));
  });

  it("GETSET GETDEL GETEX", () => {
    const { ok, err, store } = setup();
    ok("SET", "k", "a", "PX", "100");
    assert.deepEqual(ok("GETSET", "k", "b"), bulk("a"));
    assert.equal(store.deadline(utf8("k")), null);
    assert.equal(ok("GETSET", "new", "x"), null);
    assert.deepEqual(ok("GETEX", "k", "PX", "50"), bulk("b"));
    assert.equal(store.deadline(utf8("k")), T0 + 50);
    assert.deepEqual(ok("GETEX", "k", "PERSIST"), bulk("b"));
    assert.equal(store.deadline(utf8("k")), null);
    assert.deepEqual(ok("GETEX", "k"), bulk("b"));
    assert.equal(err("GETEX", "k", "EX", "0"), "ERR invalid expire time in 'getex' command");
    assert.equal(err("GETEX", "k", "BOGUS"), "ERR syntax error");
    assert.deepEqual(ok("GETDEL", "k"), bulk("b"));
    assert.equal(ok("GETDEL", "k"), null);
    ok("HSET", "h", "f", "v");
    assert.equal(err("GETDEL", "h"), WRONGTYPE);
    assert.equal(err("GET", "h"), WRONGTYPE);
  });
});
