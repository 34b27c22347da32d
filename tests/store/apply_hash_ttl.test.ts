// Hash-field TTLs (Redis 7.4): HEXPIRE and friends with Redis's reply codes
// and errors (Redis 7.0 here lacks them: the expectations follow the Redis
// 7.4 source, t_hash.c), lazy and active expiry of fields, HSET/HDEL/HINCRBY
// interplay, and the hash value's neutral layout.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setup, T0 } from "./_apply_helpers.ts";
import { HashValue, Store, whileLoading } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { hashInternals } from "../../src/store/_hash_value.ts";
import { entryToCommands } from "../../src/persist/rewrite_commands.ts";

const te = new TextEncoder();
const td = new TextDecoder();
const b = (s: string) => te.encode(s);
const bulk = (s: string) => te.encode(s);

describe("HEXPIRE / HPEXPIRE / HEXPIREAT / HPEXPIREAT", () => {
  it("sets field deadlines: 1 set, -2 no such field; HTTL/HPTTL/HEXPIRETIME/HPEXPIRETIME read them", () => {
    const { ok } = setup();
    ok("HSET", "h", "f1", "v1", "f2", "v2");
    assert.deepEqual(ok("HEXPIRE", "h", "10", "FIELDS", "2", "f1", "nope"), [1, -2]);
    assert.deepEqual(ok("HTTL", "h", "FIELDS", "3", "f1", "f2", "nope"), [10, -1, -2]);
    assert.deepEqual(ok("HPTTL", "h", "FIELDS", "1", "f1"), [10_000]);
    assert.deepEqual(ok("HPEXPIRETIME", "h", "FIELDS", "1", "f1"), [T0 + 10_000]);
    assert.deepEqual(ok("HEXPIRETIME", "h", "FIELDS", "1", "f1"), [
      Math.ceil((T0 + 10_000) / 1000),
    ]);
    assert.deepEqual(ok("HPEXPIRE", "h", "1500", "FIELDS", "1", "f2"), [1]);
    assert.deepEqual(ok("HTTL", "h", "FIELDS", "1", "f2"), [2]); // rounded up, as Redis
    assert.deepEqual(ok("HPEXPIREAT", "h", String(T0 + 99), "FIELDS", "1", "f2"), [1]);
    assert.deepEqual(ok("HEXPIREAT", "h", String(T0 / 1000 + 7), "FIELDS", "1", "f1"), [1]);
    assert.deepEqual(ok("HPEXPIRETIME", "h", "FIELDS", "2", "f1", "f2"), [T0 + 7000, T0 + 99]);
    assert.equal(ok("TTL", "h"), -1, "field TTLs are not the key's TTL");
  });

  it("a missing key answers -2 for every field", () => {
    const { ok } = setup();
    assert.deepEqual(ok("HEXPIRE", "no", "10", "FIELDS", "2", "a", "b"), [-2, -2]);
    assert.deepEqual(ok("HTTL", "no", "FIELDS", "1", "a"), [-2]);
    assert.deepEqual(ok("HPERSIST", "no", "FIELDS", "1", "a"), [-2]);
    assert.equal(ok("EXISTS", "no"), 0);
  });

  it("NX / XX / GT / LT: a field without TTL counts as infinite (NX and LT set, XX and GT do not)", () => {
    const { ok } = setup();
    ok("HSET", "h", "a", "1", "b", "1", "c", "1", "d", "1");
    assert.deepEqual(ok("HEXPIRE", "h", "10", "XX", "FIELDS", "1", "a"), [0]);
    assert.deepEqual(ok("HEXPIRE", "h", "10", "GT", "FIELDS", "1", "b"), [0]);
    assert.deepEqual(ok("HEXPIRE", "h", "10", "NX", "FIELDS", "1", "c"), [1]);
    assert.deepEqual(ok("HEXPIRE", "h", "10", "LT", "FIELDS", "1", "d"), [1]);
    // c and d now expire in 10 s.
    assert.deepEqual(ok("HEXPIRE", "h", "20", "nx", "FIELDS", "1", "c"), [0]);
    assert.deepEqual(ok("HEXPIRE", "h", "20", "XX", "FIELDS", "1", "c"), [1]);
    assert.deepEqual(ok("HEXPIRE", "h", "15", "GT", "FIELDS", "1", "c"), [0]);
    assert.deepEqual(ok("HEXPIRE", "h", "25", "GT", "FIELDS", "1", "c"), [1]);
    assert.deepEqual(ok("HEXPIRE", "h", "10", "LT", "FIELDS", "1", "d"), [0]);
    assert.deepEqual(ok("HEXPIRE", "h", "5", "LT", "FIELDS", "1", "d"), [1]);
    assert.deepEqual(ok("HTTL", "h", "FIELDS", "4", "a", "b", "c", "d"), [-1, -1, 25, 5]);
  });

  it("a deadline now or in the past deletes the field (2), and the hash once it is empty", () => {
    const { ok } = setup();
    ok("HSET", "h", "a", "1", "b", "2");
    assert.deepEqual(ok("HPEXPIREAT", "h", String(T0), "FIELDS", "1", "a"), [2]);
    assert.equal(ok("HEXISTS", "h", "a"), 0);
    assert.deepEqual(ok("HEXPIRE", "h", "0", "FIELDS", "2", "b", "zz"), [2, -2]);
    assert.equal(ok("EXISTS", "h"), 0);
  });

  it("refuses bad arguments with Redis's errors, WRONGTYPE first", () => {
    const { ok, err } = setup();
    ok("HSET", "h", "f", "v");
    ok("SET", "s", "v");
    assert.match(err("HEXPIRE", "s", "x", "FIELDS", "1", "f"), /^WRONGTYPE/);
    assert.equal(
      err("HEXPIRE", "h", "x", "FIELDS", "1", "f"),
      "ERR value is not an integer or out of range",
    );
    assert.equal(
      err("HEXPIRE", "h", "-1", "FIELDS", "1", "f"),
      "ERR invalid expire time, must be >= 0",
    );
    assert.equal(
      err("HEXPIRE", "h", "70368744178", "FIELDS", "1", "f"),
      "ERR invalid expire time in 'hexpire' command",
    );
    assert.equal(
      err("HPEXPIREAT", "h", String(2 ** 46), "FIELDS", "1", "f"),
      "ERR invalid expire time in 'hpexpireat' command",
    );
    assert.equal(
      err("HEXPIRE", "h", "10", "FIELDZ", "1", "f"),
      "ERR Mandatory argument FIELDS is missing or not at the right position",
    );
    assert.equal(
      err("HEXPIRE", "h", "10", "NX", "1", "f", "g"),
      "ERR Mandatory argument FIELDS is missing or not at the right position",
    );
    assert.equal(
      err("HEXPIRE", "h", "10", "FIELDS", "0", "f"),
      "ERR Parameter `numFields` should be greater than 0",
    );
    assert.equal(
      err("HEXPIRE", "h", "10", "FIELDS", "2", "f"),
      "ERR The `numfields` parameter must match the number of arguments",
    );
    assert.equal(
      err("HTTL", "h", "FIELDS", "x", "f"),
      "ERR Number of fields must be a positive integer",
    );
    assert.equal(
      err("HPERSIST", "h", "FIELDS", "1", "f", "g"),
      "ERR The `numfields` parameter must match the number of arguments",
    );
    assert.equal(
      err("HEXPIRE", "h", "10", "FIELDS", "1"),
      "ERR wrong number of arguments for 'hexpire' command",
    );
    assert.deepEqual(ok("HTTL", "h", "FIELDS", "1", "f"), [-1], "nothing changed");
  });
});

describe("field expiry", () => {
  it("lazily: an expired field is gone for every read; the hash goes with its last field", () => {
    let t = T0;
    const seen: string[] = [];
    const s = new Store({
      now: () => t,
      onExpireField: (k, f) => seen.push(`${td.decode(k)}.${td.decode(f)}`),
    });
    const ok = (...a: string[]) => {
      const r = applyCommand(s, a);
      assert.ok(r.ok, a.join(" "));
      return r.reply;
    };
    ok("HSET", "h", "a", "1", "b", "2", "c", "3");
    ok("HPEXPIRE", "h", "100", "FIELDS", "2", "a", "b");
    t = T0 + 100;
    assert.equal(ok("HGET", "h", "a"), null);
    assert.equal(ok("HLEN", "h"), 1);
    assert.deepEqual(ok("HGETALL", "h"), [bulk("c"), bulk("3")]);
    assert.deepEqual(seen.sort(), ["h.a", "h.b"]);
    assert.equal(s.expired.fields, 2);
    ok("HPEXPIRE", "h", "10", "FIELDS", "1", "c");
    t += 10;
    assert.equal(ok("EXISTS", "h"), 0);
    assert.equal(s.dbsize(), 0);
  });

  it("actively, without any read, and in a sweep (dbsize, snapshot iteration)", () => {
    let t = T0;
    const s = new Store({ now: () => t });
    for (let i = 0; i < 5; i++) {
      applyCommand(s, ["HSET", `h${i}`, "a", "1", "b", "2"]);
      applyCommand(s, ["HPEXPIRE", `h${i}`, "100", "FIELDS", "1", "a"]);
    }
    applyCommand(s, ["HPEXPIRE", "h4", "100", "FIELDS", "1", "b"]);
    t = T0 + 200;
    s.activeExpire(2);
    assert.ok(s.expired.fields >= 2);
    s.activeExpire(100);
    assert.equal(s.expired.fields, 6);
    assert.equal(s.dbsize(), 4, "h4 emptied and went");
    assert.deepEqual(dumpKeyspace(s).map((k) => k.field_ttls), [
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("nothing expires while loading; a past HPEXPIREAT keeps the field until loading is over", () => {
    const s = new Store({ now: () => T0 });
    whileLoading(() => {
      applyCommand(s, ["HSET", "h", "a", "1", "b", "2"]);
      const r = applyCommand(s, ["HPEXPIREAT", "h", String(T0 - 10), "FIELDS", "1", "a"]);
      assert.deepEqual(r, { ok: true, reply: [1] });
      assert.equal(s.dbsize(), 1);
      assert.deepEqual(applyCommand(s, ["HLEN", "h"]), { ok: true, reply: 2 });
    });
    assert.deepEqual(applyCommand(s, ["HLEN", "h"]), { ok: true, reply: 1 });
  });
});

describe("field TTLs and the other hash commands", () => {
  it("HSET clears a field's TTL; HINCRBY and HINCRBYFLOAT keep it; HDEL drops it; HSETNX of a new field has none", () => {
    const { ok } = setup();
    ok("HSET", "h", "a", "1", "b", "1", "c", "1.5", "d", "1");
    ok("HEXPIRE", "h", "10", "FIELDS", "4", "a", "b", "c", "d");
    ok("HSET", "h", "a", "2");
    ok("HINCRBY", "h", "b", "5");
    ok("HINCRBYFLOAT", "h", "c", "1");
    ok("HDEL", "h", "d");
    ok("HSETNX", "h", "d", "new");
    assert.deepEqual(ok("HTTL", "h", "FIELDS", "4", "a", "b", "c", "d"), [-1, 10, 10, -1]);
  });

  it("HPERSIST: 1 removed, -1 no TTL, -2 no such field", () => {
    const { ok } = setup();
    ok("HSET", "h", "a", "1", "b", "1");
    ok("HEXPIRE", "h", "10", "FIELDS", "1", "a");
    assert.deepEqual(ok("HPERSIST", "h", "FIELDS", "3", "a", "b", "c"), [1, -1, -2]);
    assert.deepEqual(ok("HTTL", "h", "FIELDS", "1", "a"), [-1]);
  });

  it("RENAME and COPY carry the field TTLs, which keep expiring under the new key", () => {
    let t = T0;
    const s = new Store({ now: () => t });
    applyCommand(s, ["HSET", "h", "a", "1", "b", "2"]);
    applyCommand(s, ["HPEXPIRE", "h", "100", "FIELDS", "1", "a"]);
    applyCommand(s, ["COPY", "h", "copy"]);
    applyCommand(s, ["RENAME", "h", "moved"]);
    assert.deepEqual(applyCommand(s, ["HPTTL", "copy", "FIELDS", "1", "a"]), {
      ok: true,
      reply: [100],
    });
    t += 100;
    s.activeExpire(100);
    assert.equal(s.expired.fields, 2);
    assert.deepEqual(applyCommand(s, ["HGETALL", "moved"]), {
      ok: true,
      reply: [bulk("b"), bulk("2")],
    });
  });
});

describe("the hash value with field deadlines", () => {
  it("stays compact without field TTLs; keeps its encoding with them", () => {
    const h = new HashValue();
    h.set(b("f"), b("v"));
    assert.equal(hashInternals.isCompact(h), true);
    assert.equal(hashInternals.compact(h) !== null, true);
    h.setFieldDeadline(b("f"), 5);
    assert.equal(hashInternals.isCompact(h), true);
    assert.equal(
      hashInternals.compact(h),
      null,
      "not written from its raw pairs: the deadline would be lost",
    );
    assert.equal(h.setFieldDeadline(b("nope"), 5), false);
    assert.deepEqual(h.expireFields(5), [b("f")]);
    assert.equal(h.size, 0);
    assert.equal(h.hasFieldTtls, false);
  });

  it("round-trips through the neutral layout, the dump and the rewrite commands", () => {
    const s = new Store({ now: () => T0 });
    applyCommand(s, ["HSET", "h", "a", "1", "b", "2"]);
    applyCommand(s, ["HPEXPIREAT", "h", String(T0 + 5000), "FIELDS", "1", "b"]);
    const e = s.getEntry(b("h"))!;
    assert.equal(e.value.type, "hash");
    assert.deepEqual(e.value.type === "hash" ? e.value.fieldDeadlines : null, [null, T0 + 5000]);
    const copy = new Store({ now: () => T0 });
    copy.put(e);
    assert.deepEqual(dumpKeyspace(copy), dumpKeyspace(s));
    assert.deepEqual(dumpKeyspace(s)[0]!.field_ttls, [["62", T0 + 5000]]);
    assert.deepEqual(entryToCommands(e).map((c) => c.map((x) => td.decode(x)).join(" ")), [
      "HSET h a 1 b 2",
      `HPEXPIREAT h ${T0 + 5000} FIELDS 1 b`,
    ]);
    // The rewrite replays to the same hash.
    const replayed = new Store({ now: () => T0 });
    for (const c of entryToCommands(e)) applyCommand(replayed, c);
    assert.deepEqual(dumpKeyspace(replayed), dumpKeyspace(s));
  });
});
