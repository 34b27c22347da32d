/**
 * RESP replies (RESP2 and RESP3) as values, and a streaming parser that is
 * fed socket chunks and hands out one complete reply at a time.
 *
 * Values: simple strings are `string`, bulk strings `Uint8Array` (copied out
 * of the read buffer), integers `number` (`bigint` beyond 2^53), nulls
 * `null`, arrays and RESP3 sets `Reply[]`, RESP3 maps {@link RespMap},
 * doubles `number`, booleans `boolean`, big numbers `bigint`, verbatim
 * strings `Uint8Array` (the `txt:` prefix removed), error replies
 * {@link RedisReplyError} values (never thrown by the parser), RESP3 pushes
 * {@link RespPush}. Attributes are read and dropped.
 *
 * The parser is resumable: a reply split across chunks is never re-parsed
 * from its start, so a large array costs linear time. It never allocates
 * more than the bytes received: counts only bound a loop, and a bulk string
 * is copied once all of it is there. Lengths beyond {@link MAX_REPLY_BULK}
 * and lines longer than {@link MAX_REPLY_LINE} are protocol errors.
 *
 * @module
 */

import { RedisProtocolError, RedisReplyError } from "./errors.ts";

/** A RESP3 map reply: its key/value pairs in the order the server sent them. */
export class RespMap {
  /** The pairs. */
  readonly entries: Array<[Reply, Reply]>;

  /**
   * A map of these pairs.
   * @param entries the pairs
   */
  constructor(entries: Array<[Reply, Reply]> = []) {
    this.entries = entries;
  }

  /**
   * The value of the first pair whose key is this text (simple or bulk string), or `undefined`.
   *
   * @example
   * ```ts
   * import { RespMap } from "@kevy/persist/net";
   * new RespMap([["slots", [0, 5460]]]).get("slots"); // [0, 5460]
   * ```
   */
  get(key: string): Reply | undefined {
    for (const [k, v] of this.entries) if (replyText(k) === key) return v;
    return undefined;
  }
}

/** A RESP3 out-of-band push (`>`): pub/sub messages, client-side caching invalidations. */
export class RespPush {
  /** The push's elements (the first names its kind). */
  readonly data: Reply[];

  /**
   * A push of these elements.
   * @param data the push's elements
   */
  constructor(data: Reply[]) {
    this.data = data;
  }
}

/** One reply value (see the module documentation). */
export type Reply =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Reply[]
  | RespMap
  | RedisReplyError;

/** Largest bulk string accepted (512 MiB, Redis' `proto-max-bulk-len` default). */
export const MAX_REPLY_BULK = 512 * 1024 * 1024;
/** Longest simple line (status, error, number) accepted. */
export const MAX_REPLY_LINE = 1024 * 1024;

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

/**
 * The text of a reply that holds text (simple string, bulk string), else `undefined`.
 *
 * @example
 * ```ts
 * import { replyText } from "@kevy/persist/net";
 * replyText(new TextEncoder().encode("OK")); // "OK"
 * replyText(3); // undefined
 * ```
 */
export function replyText(r: Reply | undefined): string | undefined {
  if (typeof r === "string") return r;
  if (r instanceof Uint8Array) return utf8.decode(r);
  return undefined;
}

/** What {@link ReplyParser.next} returns when the buffered bytes hold no complete reply. */
export const NEED_MORE: unique symbol = Symbol("NEED_MORE");

type Kind = "array" | "set" | "push" | "map" | "attr";

interface Open {
  kind: Kind;
  items: Reply[];
  /** Elements still to read (pairs count twice). */
  left: number;
}

const CR = 13, LF = 10;
const OK = "OK";

/**
 * Streaming RESP reply parser: {@link ReplyParser.push} socket chunks, then
 * call {@link ReplyParser.next} until it returns {@link NEED_MORE}. Throws
 * {@link RedisProtocolError} for bytes that are not RESP.
 *
 * @example
 * ```ts
 * import { NEED_MORE, ReplyParser } from "@kevy/persist/net";
 * const p = new ReplyParser();
 * p.push(new TextEncoder().encode("+OK\r\n:4"));
 * p.next(); // "OK"
 * p.next() === NEED_MORE; // true: ":4" is not complete yet
 * p.push(new TextEncoder().encode("2\r\n"));
 * p.next(); // 42
 * ```
 */
export class ReplyParser {
  #buf: Uint8Array = new Uint8Array(0);
  /** True when #buf was allocated here (else it is a caller's chunk, read only). */
  #owned = false;
  #start = 0;
  #end = 0;
  /** Aggregates being filled, innermost last. */
  #stack: Open[] = [];
  /** Bytes of the reply in progress already consumed (for {@link ReplyParser.replyBytes}). */
  #consumedInReply = 0;
  /** Byte size of the last reply {@link ReplyParser.next} returned. */
  #lastSize = 0;

  /** Bytes buffered and not yet handed out as replies. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Size in bytes of the last complete reply returned by {@link ReplyParser.next}. */
  get replyBytes(): number {
    return this.#lastSize;
  }

  /** Adds received bytes. The parser may keep a reference to `chunk` until it is consumed. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#start === this.#end) {
      // Nothing pending: read the chunk where it is.
      this.#buf = chunk;
      this.#owned = false;
      this.#start = 0;
      this.#end = chunk.length;
      return;
    }
    const pending = this.#end - this.#start;
    const need = pending + chunk.length;
    if (this.#owned && this.#buf.length >= need) {
      if (this.#buf.length - this.#end < chunk.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end = pending;
        this.#start = 0;
      }
    } else {
      // A chunk handed to us by reference is never written into: copy out.
      const grown = new Uint8Array(Math.max(need * 2, 4096));
      grown.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = grown;
      this.#owned = true;
      this.#start = 0;
      this.#end = pending;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** The next complete reply, or {@link NEED_MORE}. */
  next(): Reply | RespPush | typeof NEED_MORE {
    const buf = this.#buf;
    // Fast path for the common `+OK\r\n` of a write.
    if (
      this.#stack.length === 0 && this.#end - this.#start >= 5 && buf[this.#start] === 0x2b &&
      buf[this.#start + 1] === 0x4f && buf[this.#start + 2] === 0x4b &&
      buf[this.#start + 3] === CR && buf[this.#start + 4] === LF
    ) {
      this.#start += 5;
      this.#lastSize = 5;
      return OK;
    }
    for (;;) {
      const at = this.#start;
      const v = this.#element();
      if (v === NEED_MORE) return NEED_MORE;
      this.#consumedInReply += this.#start - at;
      if (v === OPENED) continue;
      let value: Reply | RespPush | typeof DROPPED = v;
      // Close every aggregate this value completes (an attribute is no element).
      while (value !== DROPPED) {
        const top = this.#stack[this.#stack.length - 1];
        if (top === undefined) {
          this.#lastSize = this.#consumedInReply;
          this.#consumedInReply = 0;
          return value;
        }
        top.items.push(value as Reply);
        if (--top.left > 0) break;
        this.#stack.pop();
        value = close(top);
      }
    }
  }

  /** Reads one element at #start: a scalar, OPENED (an aggregate header), or NEED_MORE. */
  #element(): Reply | RespPush | typeof OPENED | typeof DROPPED | typeof NEED_MORE {
    const buf = this.#buf;
    const p = this.#start;
    if (p >= this.#end) return NEED_MORE;
    const type = buf[p]!;
    const eol = this.#lineEnd(p + 1);
    if (eol < 0) return NEED_MORE;
    const after = eol + 2;
    switch (type) {
      case 0x2b: // + simple string
        this.#start = after;
        return latin1.decode(buf.subarray(p + 1, eol));
      case 0x2d: // - error
        this.#start = after;
        return new RedisReplyError(utf8.decode(buf.subarray(p + 1, eol)));
      case 0x3a: // : integer
        this.#start = after;
        return this.#integer(p + 1, eol);
      case 0x24: // $ bulk
      case 0x21: // ! blob error
      case 0x3d: { // = verbatim
        const n = this.#length(p + 1, eol, true);
        if (n < 0) {
          this.#start = after;
          return null;
        }
        if (this.#end - after < n + 2) return NEED_MORE;
        if (buf[after + n] !== CR || buf[after + n + 1] !== LF) {
          this.#fail(after + n, "CRLF after a bulk string");
        }
        this.#start = after + n + 2;
        const body = buf.slice(after, after + n);
        if (type === 0x21) return new RedisReplyError(utf8.decode(body));
        if (type === 0x3d) return n >= 4 && body[3] === 0x3a ? body.subarray(4) : body;
        return body;
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x25: // % map
      case 0x7c: { // | attribute
        const n = this.#length(p + 1, eol, type === 0x2a);
        this.#start = after;
        if (n < 0) return null;
        const kind: Kind = type === 0x2a
          ? "array"
          : type === 0x7e
          ? "set"
          : type === 0x3e
          ? "push"
          : type === 0x25
          ? "map"
          : "attr";
        const left = kind === "map" || kind === "attr" ? n * 2 : n;
        const open: Open = { kind, items: [], left };
        if (left === 0) return close(open);
        this.#stack.push(open);
        return OPENED;
      }
      case 0x5f: // _ null
        this.#start = after;
        return null;
      case 0x23: { // # boolean
        const c = eol === p + 2 ? buf[p + 1] : -1;
        if (c !== 0x74 && c !== 0x66) this.#fail(p + 1, "t or f after '#'");
        this.#start = after;
        return c === 0x74;
      }
      case 0x2c: { // , double
        const text = latin1.decode(buf.subarray(p + 1, eol));
        const x = text === "inf" ? Infinity : text === "-inf" ? -Infinity : Number(text);
        if (Number.isNaN(x) && text !== "nan") this.#fail(p + 1, "a double");
        this.#start = after;
        return x;
      }
      case 0x28: { // ( big number
        const text = latin1.decode(buf.subarray(p + 1, eol));
        if (!/^-?\d+$/.test(text)) this.#fail(p + 1, "a big number");
        this.#start = after;
        return BigInt(text);
      }
      default:
        this.#fail(p, "a RESP type byte (+ - : $ * and the RESP3 types)");
    }
  }

  /** Offset of the CR of the line starting at `from`, or -1 if the line is not complete yet. */
  #lineEnd(from: number): number {
    const buf = this.#buf;
    const end = this.#end;
    const limit = Math.min(end, from + MAX_REPLY_LINE);
    for (let i = from; i < limit; i++) {
      if (buf[i] === CR) {
        if (i + 1 >= end) return -1;
        if (buf[i + 1] !== LF) this.#fail(i + 1, "LF after CR");
        return i;
      }
    }
    if (end - from >= MAX_REPLY_LINE) {
      this.#fail(from, `a line shorter than ${MAX_REPLY_LINE} bytes`);
    }
    return -1;
  }

  #integer(from: number, to: number): number | bigint {
    const buf = this.#buf;
    let i = from;
    const neg = buf[i] === 0x2d;
    if (neg) i++;
    if (i >= to || to - i > 20) this.#fail(from, "an integer");
    let n = 0;
    for (let j = i; j < to; j++) {
      const d = buf[j]! - 0x30;
      if (d < 0 || d > 9) this.#fail(j, "a decimal digit");
      n = n * 10 + d;
    }
    if (Number.isSafeInteger(n)) return neg ? -n : n;
    const big = BigInt(latin1.decode(buf.subarray(i, to)));
    return neg ? -big : big;
  }

  /** A length or count; -1 for the RESP2 null (`$-1`, `*-1`) when allowed. */
  #length(from: number, to: number, nullable: boolean): number {
    const buf = this.#buf;
    if (nullable && to === from + 2 && buf[from] === 0x2d && buf[from + 1] === 0x31) return -1;
    if (from >= to || to - from > 10) this.#fail(from, "a length");
    let n = 0;
    for (let j = from; j < to; j++) {
      const d = buf[j]! - 0x30;
      if (d < 0 || d > 9) this.#fail(j, "a decimal length");
      n = n * 10 + d;
    }
    if (n > MAX_REPLY_BULK) this.#fail(from, `a length up to ${MAX_REPLY_BULK}`);
    return n;
  }

  #fail(at: number, expected: string): never {
    const b = this.#buf.subarray(at, Math.min(at + 16, this.#end));
    let found = "";
    for (const x of b) found += x.toString(16).padStart(2, "0");
    throw new RedisProtocolError(
      `expected ${expected}, found ${found === "" ? "end of data" : found}`,
    );
  }
}

const OPENED: unique symbol = Symbol("OPENED");
const DROPPED: unique symbol = Symbol("DROPPED");

function close(o: Open): Reply | RespPush | typeof DROPPED {
  switch (o.kind) {
    case "array":
    case "set":
      return o.items;
    case "push":
      return new RespPush(o.items);
    case "map": {
      const pairs: Array<[Reply, Reply]> = [];
      for (let i = 0; i + 1 < o.items.length; i += 2) pairs.push([o.items[i]!, o.items[i + 1]!]);
      return new RespMap(pairs);
    }
    case "attr":
      return DROPPED;
  }
}
