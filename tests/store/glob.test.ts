// Glob matching as Redis's MATCH/KEYS: same answers as a live redis-server
// for quirky and random patterns over binary keys, and a bounded amount of
// work for patterns that made the old backtracking matcher exponential.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { compileGlob, globMatch, matchGlob } from "../../src/store/_glob.ts";
import { RedisConnection } from "../../src/net/connection.ts";
import { redisMissing, redisRequired, RedisServer } from "../redis/_redis_server.ts";
import { rng } from "../_helpers.ts";

const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/store/glob.test.ts: ${skip}`);

const bin = (b: Uint8Array): string => String.fromCharCode(...b);
const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("glob matching: work is bounded", () => {
  it("10 stars against a 30-byte key that almost matches (1.6 s in the old matcher)", () => {
    const p = "a*a*a*a*a*a*a*a*a*a*b";
    const s = "a".repeat(30);
    const steps = { n: 0 };
    assert.equal(matchGlob(compileGlob(p), s, steps), false);
    assert.ok(steps.n <= (p.length + 1) * (s.length + 1), `${steps.n} steps`);
  });
  it("200 stars against 10,000 bytes stays within pattern x string steps", () => {
    const p = "*a".repeat(200) + "*b";
    const s = "a".repeat(10_000);
    const steps = { n: 0 };
    assert.equal(matchGlob(compileGlob(p), s, steps), false);
    assert.ok(steps.n <= (p.length + 1) * (s.length + 1), `${steps.n} steps`);
    assert.equal(globMatch(p.slice(0, -1), s), true);
  });
});

describe("glob matching: Redis's rules", () => {
  it("* alone matches everything, the empty key included; other patterns never match it", () => {
    assert.equal(globMatch("*", ""), true);
    assert.equal(globMatch("**", ""), false);
    assert.equal(globMatch("", ""), true);
    assert.equal(globMatch("?", ""), false);
  });
});

// Patterns with every quirk of stringmatchlen: escapes, unterminated and
// negated classes, ranges written backwards or ending in `]`, bytes >= 0x80
// (ranges compare them as signed chars).
const QUIRKS = [
  "*",
  "**",
  "?",
  "a*",
  "*a",
  "a?c",
  "a*b*c",
  "\\*",
  "a\\",
  "\\",
  "\\a",
  "[",
  "[a",
  "[^",
  "[^a",
  "[]",
  "[]]",
  "[]a]",
  "[a-]",
  "[-a]",
  "[z-a]",
  "[\\]]",
  "[\\]",
  "[a\\",
  "[a-c]*",
  "[^a-c]",
  "[\x80-\xff]",
  "[\x00-\xff]",
  "[\x7f-\x80]",
  "[a-\x80]",
  "*[",
  "*\\",
  "h[ae]llo",
  "h*llo*",
  "[*]",
  "[?]x",
  "[a-c-e]",
  "[--0]",
  "x[^]",
  "\xff*",
  "*\x80",
];

describe("glob matching: same answers as redis-server (KEYS)", { skip }, () => {
  let server: RedisServer;
  let conn: RedisConnection;
  const keys: string[] = [];
  before(async () => {
    server = await RedisServer.start({ aof: false });
    conn = await RedisConnection.connect({ port: server.port });
    const fixed = [
      "",
      "a",
      "b",
      "ab",
      "abc",
      "aXbYc",
      "*",
      "?",
      "\\",
      "a\\",
      "[",
      "]",
      "-",
      "^",
      "hello",
      "hallo",
      "hllo",
      "x]",
      "\x80",
      "\xff",
      "\x7f",
      "\x00",
      "a\x80",
      "\xffz",
      "c",
      "d",
      "z",
    ];
    const rand = rng(15);
    const alphabet = "ab*?[]^-\\c\x80\xff\x00";
    const random: string[] = [];
    for (let i = 0; i < 300; i++) {
      let k = "";
      for (let j = rand() * 6 | 0; j > 0; j--) k += alphabet[rand() * alphabet.length | 0];
      random.push(k);
    }
    for (const k of new Set([...fixed, ...random])) keys.push(k);
    for (const k of keys) await conn.command(["SET", bytes(k), "1"]);
  });
  after(async () => {
    await conn?.close();
    await server?.stop();
  });

  const check = async (patterns: string[]) => {
    for (const p of patterns) {
      const reply = await conn.command(["KEYS", bytes(p)]) as Uint8Array[];
      const want = reply.map(bin).sort();
      const got = keys.filter((k) => globMatch(p, k)).sort();
      assert.deepEqual(got, want, `pattern ${JSON.stringify(p)}`);
    }
  };
  it("the quirks", async () => {
    await check(QUIRKS);
  });
  it("300 random patterns over the same alphabet", async () => {
    const rand = rng(36021);
    const alphabet = "ab*?[]^-\\c\x80\xff";
    const patterns: string[] = [];
    for (let i = 0; i < 300; i++) {
      let p = "";
      for (let j = 1 + (rand() * 7 | 0); j > 0; j--) p += alphabet[rand() * alphabet.length | 0];
      patterns.push(p);
    }
    await check(patterns);
  });
});
