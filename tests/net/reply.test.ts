// The RESP reply parser: every RESP2 and RESP3 type, replies split at every
// byte, bounded allocation, and clear protocol errors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../_helpers.ts";
import { NEED_MORE, type Reply, ReplyParser, RespMap, RespPush } from "../../src/net/reply.ts";
import { RedisProtocolError, RedisReplyError } from "../../src/net/errors.ts";

function parseAll(chunks: Uint8Array[]): Array<Reply | RespPush> {
  const p = new ReplyParser();
  const out: Array<Reply | RespPush> = [];
  for (const c of chunks) {
    p.push(c);
    for (let r = p.next(); r !== NEED_MORE; r = p.next()) out.push(r);
  }
  assert.equal(p.buffered, 0, "every byte consumed");
  return out;
}

/** The same bytes fed whole, then split at every offset, then byte by byte. */
function parseEverySplit(text: string | Uint8Array): Array<Reply | RespPush> {
  const bytes = typeof text === "string" ? utf8(text) : text;
  const whole = parseAll([bytes]);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(parseAll([bytes.slice(0, cut), bytes.slice(cut)]), whole, `split at ${cut}`);
  }
  assert.deepEqual(parseAll([...bytes].map((b) => new Uint8Array([b]))), whole, "byte by byte");
  return whole;
}

describe("ReplyParser: RESP2", () => {
  it("reads simple strings, integers, bulk strings and nulls", () => {
    const r = parseEverySplit(
      "+OK\r\n+QUEUED\r\n:0\r\n:-42\r\n$3\r\nabc\r\n$0\r\n\r\n$-1\r\n*-1\r\n",
    );
    assert.deepEqual(r, ["OK", "QUEUED", 0, -42, utf8("abc"), utf8(""), null, null]);
  });

  it("keeps bulk strings binary-safe (CR, LF, NUL inside)", () => {
    const body = new Uint8Array([0, 13, 10, 255, 36, 42]);
    const bytes = new Uint8Array([...utf8("$6\r\n"), ...body, 13, 10]);
    assert.deepEqual(parseEverySplit(bytes), [body]);
  });

  it("returns integers beyond 2^53 as bigint", () => {
    assert.deepEqual(parseEverySplit(":9223372036854775807\r\n:-9007199254740993\r\n"), [
      9223372036854775807n,
      -9007199254740993n,
    ]);
  });

  it("nests arrays, with errors and nulls inside as values", () => {
    const [r] = parseEverySplit("*3\r\n*2\r\n:1\r\n$1\r\nx\r\n-ERR inner\r\n*0\r\n");
    assert.ok(Array.isArray(r));
    assert.deepEqual(r[0], [1, utf8("x")]);
    assert.ok(r[1] instanceof RedisReplyError);
    assert.equal((r[1] as RedisReplyError).code, "ERR");
    assert.deepEqual(r[2], []);
  });

  it("hands out error replies as values with their code", () => {
    const [e] = parseEverySplit("-MOVED 3999 127.0.0.1:6381\r\n");
    assert.ok(e instanceof RedisReplyError);
    assert.equal(e.code, "MOVED");
    assert.equal(e.reply, "MOVED 3999 127.0.0.1:6381");
  });

  it("reads a large array arriving in small chunks in linear time", () => {
    const n = 50_000;
    let text = `*${n}\r\n`;
    for (let i = 0; i < n; i++) text += `$${String(i).length}\r\n${i}\r\n`;
    const bytes = utf8(text);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.slice(i, i + 7));
    const [r] = parseAll(chunks) as Reply[][];
    assert.equal(r!.length, n);
    assert.deepEqual(r![n - 1], utf8(String(n - 1)));
  });

  it("reports the size of each reply", () => {
    const p = new ReplyParser();
    p.push(utf8("+OK\r\n*2\r\n:1\r\n:2\r\n"));
    p.next();
    assert.equal(p.replyBytes, 5);
    p.next();
    assert.equal(p.replyBytes, 12);
  });
});

describe("ReplyParser: RESP3", () => {
  it("reads maps, sets, doubles, booleans, big numbers, verbatim strings, nulls", () => {
    const r = parseEverySplit(
      "%2\r\n+a\r\n:1\r\n$1\r\nb\r\n#t\r\n~2\r\n:1\r\n:2\r\n,3.5\r\n,-inf\r\n#f\r\n" +
        "(12345678901234567890\r\n=8\r\ntxt:abcd\r\n_\r\n!5\r\nERR x\r\n",
    );
    assert.ok(r[0] instanceof RespMap);
    assert.deepEqual(r[0].get("a"), 1);
    assert.equal(r[0].get("b"), true);
    assert.deepEqual(r.slice(1, 7), [
      [1, 2],
      3.5,
      -Infinity,
      false,
      12345678901234567890n,
      utf8("abcd"),
    ]);
    assert.equal(r[7], null);
    assert.ok(r[8] instanceof RedisReplyError);
  });

  it("drops attributes, also inside aggregates, and returns pushes apart", () => {
    const r = parseEverySplit(
      "|1\r\n+ttl\r\n:3\r\n*2\r\n|1\r\n+x\r\n+y\r\n:1\r\n:2\r\n>2\r\n+message\r\n+hi\r\n",
    );
    assert.deepEqual(r[0], [1, 2]);
    assert.ok(r[1] instanceof RespPush);
    assert.deepEqual(r[1].data, ["message", "hi"]);
  });
});

describe("ReplyParser: bad input", () => {
  const bad = (text: string, re: RegExp) => {
    const p = new ReplyParser();
    p.push(utf8(text));
    assert.throws(
      () => p.next(),
      (e: unknown) => e instanceof RedisProtocolError && re.test(e.message),
    );
  };

  it("refuses an unknown type byte", () => bad("hello\r\n", /RESP type byte.*found 68656c6c6f/));
  it("refuses a bad length", () => bad("$1x\r\n", /decimal length/));
  it("refuses a bulk without its CRLF", () => bad("$1\r\nabc\r\n", /CRLF after a bulk/));
  it("refuses a bare CR", () => bad("+OK\rX", /LF after CR/));
  it("refuses a bad boolean", () => bad("#x\r\n", /t or f/));

  it("does not allocate for a huge declared length: it waits, then refuses beyond the limit", () => {
    const p = new ReplyParser();
    p.push(utf8("$536870912\r\nab"));
    assert.equal(p.next(), NEED_MORE);
    bad("$536870913\r\n", /length up to/);
    const q = new ReplyParser();
    q.push(utf8("*4000000000\r\n:1\r\n"));
    assert.throws(() => q.next(), RedisProtocolError);
  });

  it("waits for an array whose count exceeds the elements present, without preallocating", () => {
    const p = new ReplyParser();
    p.push(utf8("*500000000\r\n:1\r\n"));
    assert.equal(p.next(), NEED_MORE);
  });
});
