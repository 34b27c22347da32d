import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bulk, setup, T0 } from "./_apply_helpers.ts";
import { utf8 } from "../_helpers.ts";

describe("applier: keyspace verbs", () => {
  it("DEL UNLINK EXISTS TYPE DBSIZE PING", () => {
    const { ok, err } = setup();
    ok("SET", "a", "1");
    ok("SADD", "s", "m");
    assert.equal(ok("EXISTS", "a", "a", "s", "x"), 3);
    assert.equal(ok("TYPE", "s"), "set");
    assert.equal(ok("TYPE", "x"), "none");
    assert.equal(ok("DBSIZE"), 2);
    assert.equal(ok("DEL", "a", "x"), 1);
    assert.equal(ok("UNLINK", "s"), 1);
    assert.equal(ok("DBSIZE"), 0);
    assert.equal(ok("PING"), "PONG");
    assert.deepEqual(ok("PING", "hi"), bulk("hi"));
    assert.equal(err("DEL"), "ERR wrong number of arguments for 'del' command");
  });

  it("EXPIRE family with NX XX GT LT; TTL and PTTL", () => {
    const { ok, err, store, setNow } = setup();
    ok("SET", "k", "v");
    assert.equal(ok("TTL", "k"), -1);
    assert.equal(ok("TTL", "nope"), -2);
    assert.equal(ok("EXPIRE", "k", "100", "XX"), 0);
    assert.equal(ok("EXPIRE", "k", "100", "GT"), 0); // no TTL counts as infinite
    assert.equal(ok("EXPIRE", "k", "100", "NX"), 1);
    assert.equal(ok("EXPIRE", "k", "200", "NX"), 0);
    assert.equal(ok("EXPIRE", "k", "50", "GT"), 0);
    assert.equal(ok("EXPIRE", "k", "50", "LT"), 1);
    assert.equal(ok("PTTL", "k"), 50_000);
    assert.equal(ok("PEXPIRE", "k", "1499"), 1);
    assert.equal(ok("TTL", "k"), 1); // rounded like Redis
    assert.equal(ok("EXPIREAT", "k", String(T0 / 1000 + 9)), 1);
    assert.equal(store.deadline(utf8("k")), T0 + 9000);
    assert.equal(ok("PEXPIREAT", "k", String(T0 + 5)), 1);
    assert.equal(store.deadline(utf8("k")), T0 + 5);
    assert.equal(ok("EXPIRE", "missing", "10"), 0);
    assert.equal(
      err("EXPIRE", "k", "10", "NX", "XX"),
      "ERR NX and XX, GT or LT options at the same time are not compatible",
    );
    assert.equal(
      err("EXPIRE", "k", "10", "GT", "LT"),
      "ERR GT and LT options at the same time are not compatible",
    );
    assert.equal(err("EXPIRE", "k", "10", "FOO"), "ERR Unsupported option FOO");
    assert.equal(err("EXPIRE", "k", "x"), "ERR value is not an integer or out of range");
    assert.equal(
      err("EXPIRE", "k", "9223372036854775807"),
      "ERR invalid expire time in 'expire' command",
    );
    setNow(T0 + 5);
    assert.equal(ok("EXISTS", "k"), 0);
  });

  it("EXPIRE with a non-positive time (or a past EXPIREAT) deletes the key", () => {
    const { ok } = setup();
    ok("SET", "a", "v");
    ok("SET", "b", "v");
    ok("SET", "c", "v");
    assert.equal(ok("EXPIRE", "a", "0"), 1);
    assert.equal(ok("PEXPIRE", "b", "-5"), 1);
    assert.equal(ok("PEXPIREAT", "c", "1000"), 1);
    assert.equal(ok("DBSIZE"), 0);
  });

  it("PERSIST", () => {
    const { ok } = setup();
    ok("SET", "k", "v", "EX", "5");
    assert.equal(ok("PERSIST", "k"), 1);
    assert.equal(ok("PERSIST", "k"), 0);
    assert.equal(ok("TTL", "k"), -1);
    assert.equal(ok("PERSIST", "nope"), 0);
  });

  it("RENAME keeps the TTL; RENAMENX; errors", () => {
    const { ok, err, store } = setup();
    ok("SET", "a", "1", "PX", "100");
    ok("SET", "b", "2");
    assert.equal(ok("RENAME", "a", "c"), "OK");
    assert.equal(store.deadline(utf8("c")), T0 + 100);
    assert.equal(ok("EXISTS", "a"), 0);
    assert.equal(ok("RENAMENX", "c", "b"), 0);
    assert.equal(ok("RENAMENX", "c", "d"), 1);
    assert.equal(ok("RENAME", "d", "b"), "OK"); // overwrites, TTL follows
    assert.equal(store.deadline(utf8("b")), T0 + 100);
    assert.equal(err("RENAME", "nope", "x"), "ERR no such key");
    assert.equal(ok("RENAME", "b", "b"), "OK");
  });

  it("COPY copies deeply with the TTL; REPLACE; same key is an error; DB n needs a database", () => {
    const { ok, err, store } = setup();
    ok("RPUSH", "l", "a", "b");
    ok("PEXPIRE", "l", "100");
    assert.equal(ok("COPY", "l", "m"), 1);
    assert.equal(store.deadline(utf8("m")), T0 + 100);
    ok("RPUSH", "m", "c");
    assert.deepEqual(ok("LRANGE", "l", "0", "-1"), [bulk("a"), bulk("b")]);
    assert.equal(ok("COPY", "l", "m"), 0);
    assert.equal(ok("COPY", "l", "m", "REPLACE"), 1);
    assert.equal(ok("LLEN", "m"), 2);
    assert.equal(ok("COPY", "nope", "x"), 0);
    assert.equal(err("COPY", "l", "l"), "ERR source and destination objects are the same");
    assert.equal(err("COPY", "l", "x", "DB", "1"), "ERR DB index is out of range");
    assert.equal(err("COPY", "l", "x", "BOGUS"), "ERR syntax error");
  });

  it("FLUSHDB / FLUSHALL; unknown commands; arity errors", () => {
    const { ok, err, run } = setup();
    ok("SET", "a", "1");
    assert.equal(ok("FLUSHDB"), "OK");
    assert.equal(ok("DBSIZE"), 0);
    ok("SET", "a", "1");
    assert.equal(ok("FLUSHALL", "ASYNC"), "OK");
    assert.equal(ok("DBSIZE"), 0);
    assert.equal(err("FLUSHALL", "LATER"), "ERR syntax error");
    assert.deepEqual(run("NOSUCHVERB", "s", "*", "f", "v"), {
      ok: false,
      unknown: true,
      error: "ERR unknown command 'NOSUCHVERB'",
    });
    assert.equal(err("GET"), "ERR wrong number of arguments for 'get' command");
    assert.equal(err("get", "a", "b"), "ERR wrong number of arguments for 'get' command");
  });
});
