/**
 * `dumpKeyspaceJsonl`: a keyspace as JSON lines (UTF-8 bytes), produced in
 * chunks so a caller can write them out as they come and wait for a slow
 * reader. Sorting goes over the store's own key bytes (no object per key),
 * so memory stays a few bytes per key on top of the store.
 *
 * @module
 */

import { dumpEntry, scoreBits, scoreText } from "./dump.ts";
import { HOLE, type KeyIndex, STR } from "./_index.ts";
import { indexOf } from "./internals.ts";
import { sortedEntries } from "./_key_sort.ts";
import type { Store } from "./store.ts";

/** Options of {@link dumpKeyspaceJsonl}. */
export interface DumpJsonlOptions {
  /**
   * Sort the lines by key bytes (default `true`): the same output for the
   * same keyspace. `false`: the store's own order (what is cheapest).
   */
  sorted?: boolean;
  /**
   * Print byte strings that are valid UTF-8 as JSON text, and others as
   * `{"hex": "..."}` (default `false`: every byte string as lowercase hex, the
   * {@link dumpKeyspace} layout). Streams stay in hex.
   */
  text?: boolean;
  /** Bytes per yielded chunk, about (default 65536). */
  chunkBytes?: number;
  /** Called with `(keysDone, keysTotal)` before each chunk is yielded and at the end. */
  onProgress?: (done: number, total: number) => void;
  /**
   * String keys held outside the store (a split load's snapshot records),
   * printed as if they were in it: merged into the key order when sorted,
   * after the store's keys when not. None of them may be a key of the
   * store, and none may have expired.
   */
  strings?: StringRows;
}

/**
 * String keys in key byte order, outside a Store ({@link DumpJsonlOptions.strings}):
 * row `j`'s key is `keys[keyOffset(j), +keyLength(j))`, its value
 * `valueChunk(j)[valueOffset(j), +valueLength(j))`, its deadline unix ms or
 * NaN for none.
 */
export interface StringRows {
  /** Rows. */
  readonly length: number;
  /** The bytes of every row's key. */
  readonly keys: Uint8Array;
  /** Where row `j`'s key starts in `keys`. */
  keyOffset(j: number): number;
  /** Row `j`'s key length. */
  keyLength(j: number): number;
  /** The buffer holding row `j`'s value. */
  valueChunk(j: number): Uint8Array;
  /** Where row `j`'s value starts. */
  valueOffset(j: number): number;
  /** Row `j`'s value length. */
  valueLength(j: number): number;
  /** Row `j`'s deadline (unix ms), NaN for none. */
  deadline(j: number): number;
}

const enc = new TextEncoder();
const HEX = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, "0");
  HEX[2 * i] = h.charCodeAt(0);
  HEX[2 * i + 1] = h.charCodeAt(1);
}
const KEY = enc.encode('{"key":');
const STRING_TYPE = enc.encode(',"type":"string","ttl":');
const VALUE = enc.encode(',"value":');
const END = enc.encode("}\n");
const NULL = enc.encode("null");
const strict = new TextDecoder("utf-8", { fatal: true });

/** A growable output chunk. */
class Out {
  buf: Uint8Array;
  p = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  need(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.p + n));
    b.set(this.buf.subarray(0, this.p));
    this.buf = b;
  }
  raw(u: Uint8Array): void {
    const n = u.length;
    this.need(n);
    const b = this.buf;
    let p = this.p;
    for (let i = 0; i < n; i++) b[p++] = u[i]!; // short constants: a loop beats set()
    this.p = p;
  }
  ascii(s: string): void {
    this.need(s.length * 3);
    this.p += enc.encodeInto(s, this.buf.subarray(this.p)).written;
  }
  /** `"<hex>"` of arena bytes. */
  hex(src: Uint8Array, off: number, len: number): void {
    this.need(len * 2 + 2);
    const b = this.buf;
    let p = this.p;
    b[p++] = 0x22;
    for (let i = off, end = off + len; i < end; i++) {
      const x = src[i]! << 1;
      b[p++] = HEX[x]!;
      b[p++] = HEX[x + 1]!;
    }
    b[p++] = 0x22;
    this.p = p;
  }
  /** Text when valid UTF-8, else `{"hex":"..."}`. */
  text(src: Uint8Array, off: number, len: number): void {
    const bytes = src.subarray(off, off + len);
    let s: string | null = null;
    try {
      s = strict.decode(bytes);
    } catch {
      // not UTF-8: hex below
    }
    if (s !== null) {
      this.ascii(JSON.stringify(s));
      return;
    }
    this.ascii('{"hex":');
    this.hex(bytes, 0, bytes.length);
    this.ascii("}");
  }
  take(): Uint8Array {
    const chunk = this.buf.slice(0, this.p);
    this.p = 0;
    return chunk;
  }
}

/**
 * Every live key of `store` as one JSON object per line, `JSON.stringify` of
 * each {@link dumpKeyspace} element, as UTF-8 chunks of whole lines; sorted
 * by key bytes unless `sorted: false`. Do not change the store while the
 * generator runs.
 *
 * @example
 * ```ts
 * import { applyCommand, dumpKeyspaceJsonl, Store } from "@kevy/persist/store";
 * const s = new Store();
 * applyCommand(s, ["SET", "k", "v"]);
 * applyCommand(s, ["RPUSH", "l", "a"]);
 * const text = new TextDecoder();
 * for (const chunk of dumpKeyspaceJsonl(s, { text: true })) console.log(text.decode(chunk));
 * // {"key":"k","type":"string","ttl":null,"value":"v"}
 * // {"key":"l","type":"list","ttl":null,"value":["a"]}
 * ```
 */
export function* dumpKeyspaceJsonl(
  store: Store,
  opts: DumpJsonlOptions = {},
): Generator<Uint8Array, void, undefined> {
  const rows = opts.strings;
  const m = rows?.length ?? 0;
  const total = store.dbsize() + m; // expires first
  const ix = indexOf(store);
  const chunkBytes = opts.chunkBytes ?? 1 << 16;
  const out = new Out(chunkBytes + 4096);
  const text = opts.text ?? false;
  const order = (opts.sorted ?? true) ? sortedEntries(ix) : null;
  const n = order === null ? ix.n : order.length;
  const { arena, koff, klen } = ix;
  const keys = rows?.keys ?? arena;
  let done = 0;
  for (let i = 0, j = 0; i < n || j < m;) {
    // The next row goes first when the store is done or its next key is greater
    // (unsorted: the rows after the store's keys).
    let row = j < m && i >= n;
    if (j < m && i < n && order !== null) {
      const ei = order[i]!;
      row = compare(keys, rows!.keyOffset(j), rows!.keyLength(j), arena, koff[ei]!, klen[ei]!) < 0;
    }
    if (row) {
      const r = rows!;
      const ko = r.keyOffset(j), kl = r.keyLength(j);
      out.raw(KEY);
      if (text) out.text(keys, ko, kl);
      else out.hex(keys, ko, kl);
      stringTail(out, r.deadline(j), r.valueChunk(j), r.valueOffset(j), r.valueLength(j), text);
      j++;
      done++;
      if (out.p >= chunkBytes) {
        opts.onProgress?.(done, total);
        yield out.take();
      }
      continue;
    }
    const ei = order === null ? i : order[i]!;
    i++;
    if (order === null && ix.kind[ei] === HOLE) continue;
    writeLine(out, store, ix, ei, text);
    done++;
    if (out.p >= chunkBytes) {
      opts.onProgress?.(done, total);
      yield out.take();
    }
  }
  if (out.p > 0) yield out.take();
  opts.onProgress?.(done, total);
}

/** `,"type":"string","ttl":...,"value":...}` and the newline. */
function stringTail(
  out: Out,
  d: number,
  vb: Uint8Array,
  vo: number,
  vl: number,
  text: boolean,
): void {
  out.raw(STRING_TYPE);
  if (d === d) out.ascii(String(d));
  else out.raw(NULL);
  out.raw(VALUE);
  if (text) out.text(vb, vo, vl);
  else out.hex(vb, vo, vl);
  out.raw(END);
}

function writeLine(out: Out, store: Store, ix: KeyIndex, ei: number, text: boolean): void {
  const arena = ix.arena;
  if (ix.kind[ei] === STR) {
    out.raw(KEY);
    if (text) out.text(arena, ix.koff[ei]!, ix.klen[ei]!);
    else out.hex(arena, ix.koff[ei]!, ix.klen[ei]!);
    stringTail(out, ix.deadline(ei), arena, ix.voff[ei]!, ix.vlen[ei]!, text);
    return;
  }
  const entry = store.getEntry(ix.key(ei))!;
  if (!text) {
    out.ascii(JSON.stringify(dumpEntry(entry)));
    out.ascii("\n");
    return;
  }
  const kv = entry.value;
  const t = (b: Uint8Array) => out.text(b, 0, b.length);
  out.raw(KEY);
  t(entry.key);
  out.ascii(`,"type":"${kv.type}","ttl":${entry.deadline === null ? "null" : entry.deadline}`);
  out.raw(VALUE);
  const list = (items: Uint8Array[][]) => {
    out.ascii("[");
    items.forEach((parts, i) => {
      if (i > 0) out.ascii(",");
      if (parts.length === 1) t(parts[0]!);
      else {
        out.ascii("[");
        parts.forEach((p, j) => {
          if (j > 0) out.ascii(",");
          t(p);
        });
        out.ascii("]");
      }
    });
    out.ascii("]");
  };
  switch (kv.type) {
    case "string":
      t(kv.value);
      break;
    case "hash":
      list([...kv.value].sort((x, y) => compareBytes(x[0], y[0])));
      break;
    case "list":
      list(kv.value.map((x) => [x]));
      break;
    case "set":
      list([...kv.value].sort(compareBytes).map((x) => [x]));
      break;
    case "zset":
      out.ascii("[");
      kv.value.forEach(([m, x], i) => {
        out.ascii(i > 0 ? ",[" : "[");
        t(m);
        out.ascii(`,${JSON.stringify(scoreText(x))},"${scoreBits(x)}"]`);
      });
      out.ascii("]");
      break;
    case "stream":
      out.ascii(JSON.stringify(dumpEntry(entry).value));
      break;
  }
  if (kv.type === "hash" && kv.fieldDeadlines !== undefined) {
    const d = kv.fieldDeadlines;
    const ttls: Array<[Uint8Array, number]> = [];
    kv.value.forEach(([f], i) => {
      const ms = d[i];
      if (ms !== null && ms !== undefined) ttls.push([f, ms]);
    });
    if (ttls.length > 0) {
      ttls.sort((x, y) => compareBytes(x[0], y[0]));
      out.ascii(',"field_ttls":[');
      ttls.forEach(([f, ms], i) => {
        out.ascii(i > 0 ? ",[" : "[");
        t(f);
        out.ascii(`,${ms}]`);
      });
      out.ascii("]");
    }
  }
  out.raw(END);
}

/** Byte order of `a[ao, ao+al)` and `b[bo, bo+bl)` (negative: a first). */
function compare(
  a: Uint8Array,
  ao: number,
  al: number,
  b: Uint8Array,
  bo: number,
  bl: number,
): number {
  const n = al < bl ? al : bl;
  for (let i = 0; i < n; i++) {
    const x = a[ao + i]!, y = b[bo + i]!;
    if (x !== y) return x - y;
  }
  return al - bl;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
