import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  entryToCommands,
  formatScore,
  REWRITE_ITEMS_PER_COMMAND,
} from "../../src/persist/rewrite_commands.ts";
import { streamEntry, utf8 } from "../_helpers.ts";

const text = (cmds: Uint8Array[][]) =>
  cmds.map((c) => c.map((b) => new TextDecoder().decode(b)).join(" "));

describe("formatScore", () => {
  it("writes the shortest text that parses back to the same bits", () => {
    const cases: Array<[number, string]> = [
      [0, "0"],
      [-0, "-0"],
      [1.5, "1.5"],
      [1e-20, "1e-20"],
      [5e-324, "5e-324"],
      [1e300, "1e300"],
      [Infinity, "inf"],
      [-Infinity, "-inf"],
      [NaN, "nan"],
      [1.2345678901234567e-5, "0.000012345678901234568"],
    ];
    for (const [x, s] of cases) assert.equal(formatScore(x), s);
    for (const x of [Math.PI, -1e-300, 1.7976931348623157e308, 2 ** 53 + 2, 0.1]) {
      assert.ok(Object.is(Number(formatScore(x)), x), String(x));
    }
  });
});

describe("entryToCommands", () => {
  it("strings: SET then an absolute PEXPIREAT", () => {
    const cmds = entryToCommands({
      key: utf8("k"),
      value: { type: "string", value: utf8("v") },
      deadline: 4102444800000,
    });
    assert.deepEqual(text(cmds), ["SET k v", "PEXPIREAT k 4102444800000"]);
  });

  it("splits collections every 64 elements, as Redis does", () => {
    const items = Array.from({ length: 130 }, (_, i) => utf8(`${i}`));
    const list = entryToCommands({
      key: utf8("l"),
      value: { type: "list", value: items },
      deadline: null,
    });
    assert.deepEqual(list.map((c) => c.length - 2), [64, 64, 2]);
    const hash = entryToCommands({
      key: utf8("h"),
      value: { type: "hash", value: items.map((x) => [x, x] as [Uint8Array, Uint8Array]) },
      deadline: null,
    });
    assert.deepEqual(hash.map((c) => (c.length - 2) / 2), [64, 64, 2]);
    assert.equal(REWRITE_ITEMS_PER_COMMAND, 64);
  });

  it("zset scores are exact; empty collections give nothing", () => {
    const z = entryToCommands({
      key: utf8("z"),
      value: { type: "zset", value: [[utf8("a"), -0], [utf8("b"), -Infinity]] },
      deadline: null,
    });
    assert.deepEqual(text(z), ["ZADD z -0 a -inf b"]);
    assert.deepEqual(
      entryToCommands({ key: utf8("s"), value: { type: "set", value: [] }, deadline: 5 }),
      [],
    );
  });

  it("writes streams as XADD / XSETID frames (an empty one with Redis's MAXLEN 0 form)", () => {
    assert.deepEqual(text(entryToCommands(streamEntry("st", 7n, 1n, 3n, true))), [
      "XADD st 7-1 f v",
      "XSETID st 7-1 ENTRIESADDED 3 MAXDELETEDID 0-0",
    ]);
    assert.deepEqual(text(entryToCommands(streamEntry("st", 0n, 0n, 0n))), [
      "XADD st MAXLEN 0 0-1 x x",
      "XSETID st 0-0 ENTRIESADDED 0 MAXDELETEDID 0-0",
    ]);
  });
});
