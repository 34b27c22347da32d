import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFixture, utf8 } from "../_helpers.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { parseRedisManifest, splitRedisArgs } from "../../src/redis/_manifest.ts";

const parse = (s: string) => parseRedisManifest(utf8(s), "m.manifest");
const words = (s: string) =>
  splitRedisArgs(utf8(s))?.map((a) => new TextDecoder().decode(a)) ?? null;

describe("Redis AOF manifest", () => {
  it("reads what Redis 7 writes: a base and incr files, in order", () => {
    const m = parseRedisManifest(
      readFixture("redis/aof-resp-after-rewrite/appendonlydir/appendonly.aof.manifest"),
      "appendonly.aof.manifest",
    );
    assert.deepEqual(m, {
      base: { name: "appendonly.aof.2.base.aof", seq: 2, type: "b" },
      incr: [{ name: "appendonly.aof.2.incr.aof", seq: 2, type: "i" }],
      history: [],
    });
  });

  it("keeps history files apart, skips comments and blank lines, ignores unknown keys", () => {
    const m = parse(
      "# written by hand\nfile a.1.base.aof seq 1 type h\n\nfile a.2.base.aof seq 2 type b future x\n" +
        "file a.2.incr.aof seq 2 type i\r\nfile a.3.incr.aof seq 3 type i",
    );
    assert.deepEqual(m.history.map((f) => f.name), ["a.1.base.aof"]);
    assert.equal(m.base?.name, "a.2.base.aof");
    assert.deepEqual(m.incr.map((f) => f.seq), [2, 3]);
  });

  it("understands quoted names (sdscatrepr / sdssplitargs)", () => {
    assert.deepEqual(words('file "a b\\x41\\n.aof" seq 1'), ["file", "a bA\n.aof", "seq", "1"]);
    assert.deepEqual(words("file 'it\\'s' x"), ["file", "it's", "x"]);
    assert.equal(words('file "open'), null);
    assert.equal(words('file "a"b'), null);
    assert.equal(
      parse('file "my aof.1.incr.aof" seq 1 type i\n').incr[0]?.name,
      "my aof.1.incr.aof",
    );
  });

  const bad: Array<[string, string, RegExp]> = [
    ["", "empty", /at least one file line/],
    ["# only a comment\n", "comments only", /at least one file line/],
    ["file a seq 1\n", "too few tokens", /file <name> seq <n> type/],
    ["file a seq 1 type b odd\n", "odd token count", /file <name> seq <n> type/],
    ["file a seq 0 type b\n", "seq 0", /seq <n > 0>/],
    ["file a seq x type b\n", "non-numeric seq", /seq <n > 0>/],
    ["name a seq 1 type b\n", "no file key", /'file <name>'/],
    ["file a seq 1 type z\n", "unknown type", /'b' \(base\), 'h' \(history\) or 'i'/],
    ["file d/a seq 1 type b\n", "a path", /without a directory part/],
    ["file a seq 1 type b\nfile b seq 2 type b\n", "two bases", /single base/],
    ["file a seq 2 type i\nfile b seq 2 type i\n", "seq not increasing", /above 2/],
    ['file "a seq 1 type b\n', "unbalanced quote", /balanced quotes/],
    ["file " + "a".repeat(1100) + " seq 1 type b\n", "line too long", /at most 1024 bytes/],
  ];
  for (const [text, what, re] of bad) {
    it(`refuses ${what} with a CorruptFileError`, () => {
      assert.throws(
        () => parse(text),
        (e: unknown) =>
          e instanceof CorruptFileError && e.path === "m.manifest" && re.test(e.expected),
      );
    });
  }

  it("reports the offset of the bad line", () => {
    assert.throws(
      () => parse("file a seq 1 type b\nfile b seq 1 type q\n"),
      (e: unknown) => e instanceof CorruptFileError && e.offset === 20,
    );
  });
});
