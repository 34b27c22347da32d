// The command table: one row per verb with its arity, keys, flags, logging
// and handler; the applier, the embedded store's routing and its AOF
// propagation read it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  allCommands,
  arityOk,
  type Command,
  commandFrames,
  commandNamed,
  keyPositions,
  lookupCommand,
} from "../../src/store/commands.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { Store } from "../../src/store/store.ts";
const td = new TextDecoder();
const text = (b: Uint8Array) => td.decode(b);

const te = new TextEncoder();
const argv = (...a: string[]) => a.map((x) => te.encode(x));
const cmd = (name: string): Command => {
  const c = commandNamed(name);
  assert.ok(c, name);
  return c;
};

describe("command table", () => {
  it("finds verbs in any ASCII case, without building strings; unknown verbs are undefined", () => {
    assert.equal(lookupCommand(te.encode("SeT"))?.name, "set");
    assert.equal(lookupCommand(te.encode("zremrangebyscore"))?.name, "zremrangebyscore");
    assert.equal(lookupCommand(te.encode("SETX")), undefined);
    assert.equal(lookupCommand(te.encode("s\u00e9t")), undefined);
    assert.equal(lookupCommand(new Uint8Array([0x53, 0x45, 0x54 | 0x80])), undefined);
    assert.equal(lookupCommand(new Uint8Array(0)), undefined);
  });

  it("every row is either a write or read-only (transactions aside), writes have a log rule", () => {
    for (const c of allCommands()) {
      if (c.flags.has("transaction")) continue;
      assert.notEqual(c.write, c.flags.has("readonly"), c.name);
      if (c.write) assert.notEqual(c.log, "none", c.name);
      else assert.equal(c.log, "none", c.name);
    }
    assert.equal(cmd("get").write, false);
    assert.equal(cmd("set").write, true);
    assert.ok(cmd("set").flags.has("denyoom"));
    assert.ok(cmd("flushall").flags.has("admin"));
  });

  it("knows the keys of each shape of command", () => {
    assert.deepEqual(keyPositions(cmd("get"), argv("GET", "k")), [1]);
    assert.deepEqual(keyPositions(cmd("del"), argv("DEL", "a", "b", "c")), [1, 2, 3]);
    assert.deepEqual(keyPositions(cmd("mset"), argv("MSET", "a", "1", "b", "2")), [1, 3]);
    assert.deepEqual(keyPositions(cmd("rename"), argv("RENAME", "a", "b")), [1, 2]);
    assert.deepEqual(keyPositions(cmd("copy"), argv("COPY", "a", "b", "REPLACE")), [1, 2]);
    assert.deepEqual(keyPositions(cmd("sinterstore"), argv("SINTERSTORE", "d", "a", "b")), [
      1,
      2,
      3,
    ]);
    assert.deepEqual(keyPositions(cmd("dbsize"), argv("DBSIZE")), []);
    assert.equal(cmd("ping").keyless, true);
    assert.equal(cmd("select").keyless, true);
  });

  it("numkeys and function key specs", () => {
    const numkeys: Command = {
      ...cmd("get"),
      keys: [{ first: 1, last: 1, step: 1 }, { numkeys: 2 }],
    };
    assert.deepEqual(keyPositions(numkeys, argv("X", "dst", "2", "a", "b", "WEIGHTS", "1")), [
      1,
      3,
      4,
    ]);
    // A malformed or oversized count never reads past the arguments.
    assert.deepEqual(keyPositions(numkeys, argv("X", "dst", "99", "a")), [1, 3]);
    assert.deepEqual(keyPositions(numkeys, argv("X", "dst", "-1", "a")), [1]);
    const fn: Command = { ...cmd("get"), keys: [(a) => [a.length - 1, 99, 0]] };
    assert.deepEqual(keyPositions(fn, argv("X", "a", "b")), [2]);
  });

  it("checks arity like Redis (negative: at least)", () => {
    assert.equal(arityOk(cmd("get"), 2), true);
    assert.equal(arityOk(cmd("get"), 3), false);
    assert.equal(arityOk(cmd("set"), 5), true);
    assert.equal(arityOk(cmd("set"), 2), false);
  });

  it("multi-key rows say how they split across shards; keyless rows whether they run on each", () => {
    assert.equal(cmd("del").split, "sum");
    assert.equal(cmd("mget").split, "positional");
    assert.equal(cmd("mset").split, "ok");
    assert.equal(cmd("msetnx").split, "nx");
    assert.equal(cmd("rename").split, null);
    assert.equal(cmd("dbsize").everyShard, "sum");
    assert.equal(cmd("flushall").everyShard, "ok");
    assert.equal(cmd("ping").everyShard, null);
  });

  it("logs by the row's rule: as given, normalised, or the keys' resulting state", () => {
    const s = new Store();
    const image = (_s: Store, k: Uint8Array) => [[te.encode("IMAGE"), k]];
    const run = (...a: string[]) => {
      const v = argv(...a);
      const c = lookupCommand(v[0]!)!;
      const pre = c.pre?.(v, s);
      const r = applyCommand(s, v);
      assert.ok(r.ok, a.join(" "));
      return commandFrames(c, v, r.reply, s, pre, image).map((f) => f.map(text).join(" "));
    };
    assert.deepEqual(run("INCR", "n"), ["INCR n"]);
    assert.deepEqual(run("GET", "n"), []);
    assert.deepEqual(run("MSET", "a", "1", "b", "2", "a", "3"), ["IMAGE a", "IMAGE b"]);
    assert.deepEqual(run("HMSET", "h", "f", "v"), ["HSET h f v"]);
    assert.deepEqual(run("SADD", "s", "x"), ["SADD s x"]);
    assert.deepEqual(run("SADD", "s", "x"), []); // no-op
    assert.deepEqual(run("ZADD", "z", "1", "m"), ["ZADD z 1 m"]);
    assert.deepEqual(run("ZADD", "z", "GT", "0", "m"), []); // nothing changed
    assert.deepEqual(run("ZADD", "z", "INCR", "2", "m"), ["ZADD z 3 m"]);
    assert.deepEqual(run("ZADD", "z0", "-0", "m"), ["ZADD z0 -0 m"]);
    assert.deepEqual(run("ZADD", "z0", "0", "m"), ["ZADD z0 0 m"]); // the sign changed: logged
    assert.deepEqual(run("DEL", "nope"), []);
    assert.deepEqual(run("DEL", "a", "nope"), ["DEL a nope"]);
    assert.deepEqual(run("FLUSHDB"), ["FLUSHALL"]);
  });
});
