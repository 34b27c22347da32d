import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Store } from "../../src/store/store.ts";
import { applyCommand, CommandApplier } from "../../src/store/apply.ts";
import { utf8 } from "../_helpers.ts";

const db = () => new Store({ now: () => 1_700_000_000_000 });

describe("CommandApplier: MULTI/EXEC", () => {
  it("queues, then runs everything at EXEC with per-command replies", () => {
    const s = db();
    const ap = new CommandApplier(s);
    assert.deepEqual(ap.apply(["MULTI"]), { ok: true, reply: "OK" });
    assert.equal(ap.inMulti, true);
    assert.deepEqual(ap.apply(["SET", "k", "v"]), { ok: true, reply: "QUEUED" });
    assert.deepEqual(ap.apply(["LPUSH", "k", "x"]), { ok: true, reply: "QUEUED" });
    assert.deepEqual(ap.apply(["INCR", "n"]), { ok: true, reply: "QUEUED" });
    assert.equal(s.has(utf8("k")), false);
    assert.deepEqual(ap.apply(["EXEC"]), {
      ok: true,
      reply: [
        "OK",
        { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
        1,
      ],
    });
    assert.equal(ap.applied, 2);
    assert.equal(ap.errors, 1);
    assert.equal(s.has(utf8("k")), true);
  });

  it("a queued unknown or malformed command aborts the EXEC", () => {
    const s = db();
    const ap = new CommandApplier(s);
    ap.apply(["MULTI"]);
    ap.apply(["SET", "a", "1"]);
    assert.equal(ap.apply(["NOPE"]).ok, false);
    assert.equal(ap.apply(["GET"]).ok, false);
    assert.deepEqual(ap.apply(["EXEC"]), {
      ok: false,
      error: "EXECABORT Transaction discarded because of previous errors.",
    });
    assert.equal(s.has(utf8("a")), false);
    assert.equal(ap.unknown.get("nope"), 1);
  });

  it("DISCARD, nesting and stray EXEC/DISCARD are errors or no-ops like Redis", () => {
    const s = db();
    const ap = new CommandApplier(s);
    assert.deepEqual(ap.apply(["EXEC"]), { ok: false, error: "ERR EXEC without MULTI" });
    assert.deepEqual(ap.apply(["DISCARD"]), { ok: false, error: "ERR DISCARD without MULTI" });
    ap.apply(["MULTI"]);
    assert.deepEqual(ap.apply(["multi"]), {
      ok: false,
      error: "ERR MULTI calls can not be nested",
    });
    ap.apply(["SET", "a", "1"]);
    assert.deepEqual(ap.apply(["DISCARD"]), { ok: true, reply: "OK" });
    assert.equal(s.has(utf8("a")), false);
    assert.equal(ap.errors, 3);
  });

  it("finish() discards and reports a dangling MULTI (an AOF cut mid-transaction)", () => {
    const s = db();
    const ap = new CommandApplier(s);
    ap.apply(["SET", "before", "1"]);
    ap.apply(["MULTI"]);
    ap.apply(["SET", "a", "1"]);
    ap.apply(["SET", "b", "2"]);
    assert.deepEqual(ap.finish(), { danglingMulti: true, discarded: 2 });
    assert.deepEqual([...s.keys()], [utf8("before")]);
    assert.deepEqual(ap.finish(), { danglingMulti: false, discarded: 0 });
  });

  it("applyCommand alone refuses MULTI", () => {
    assert.equal(applyCommand(db(), ["MULTI"]).ok, false);
  });
});

describe("CommandApplier: SELECT", () => {
  it("with a plain Store only db 0 exists", () => {
    const s = db();
    const ap = new CommandApplier(s);
    assert.deepEqual(ap.apply(["SELECT", "0"]), { ok: true, reply: "OK" });
    assert.deepEqual(ap.apply(["SELECT", "1"]), {
      ok: false,
      error: "ERR DB index is out of range",
    });
    assert.deepEqual(ap.apply(["SELECT", "x"]), {
      ok: false,
      error: "ERR value is not an integer or out of range",
    });
    ap.apply(["SET", "k", "v"]);
    assert.equal(ap.db, 0);
    assert.equal(s.has(utf8("k")), true);
    assert.deepEqual(applyCommand(s, ["SELECT", "0"]), { ok: true, reply: "OK" });
    assert.deepEqual(applyCommand(s, ["SELECT", "3"]), {
      ok: false,
      error: "ERR DB index is out of range",
    });
  });

  it("with a select callback, commands go to the selected database; FLUSHALL clears the touched ones", () => {
    const dbs = [db(), db(), db()];
    const ap = new CommandApplier((n) => dbs[n] ?? null);
    ap.apply(["SET", "a", "0"]);
    ap.apply(["SELECT", "2"]);
    ap.apply(["SET", "b", "2"]);
    assert.deepEqual(ap.apply(["SELECT", "3"]), {
      ok: false,
      error: "ERR DB index is out of range",
    });
    assert.equal(ap.db, 2);
    assert.deepEqual(ap.apply(["COPY", "b", "c", "DB", "1"]), { ok: true, reply: 1 });
    assert.equal(dbs[0]!.has(utf8("a")), true);
    assert.equal(dbs[2]!.has(utf8("b")), true);
    assert.equal(dbs[1]!.has(utf8("c")), true);
    ap.apply(["MULTI"]);
    ap.apply(["SELECT", "0"]);
    ap.apply(["DEL", "a"]);
    ap.apply(["EXEC"]);
    assert.equal(ap.db, 0);
    assert.equal(dbs[0]!.has(utf8("a")), false);
    dbs[0]!.put({ key: utf8("z"), value: { type: "string", value: utf8("1") }, deadline: null });
    assert.deepEqual(ap.apply(["FLUSHALL"]), { ok: true, reply: "OK" });
    assert.deepEqual(dbs.map((d) => d.dbsize()), [0, 0, 0]);
  });

  it("database 0 must exist", () => {
    assert.throws(() => new CommandApplier(() => null), TypeError);
  });
});
