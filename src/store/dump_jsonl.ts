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
    this.need(u.length);
    this.buf.set(u, this.p);
    this.p += u.length;
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
  const total = store.dbsize(); // expires first
  const ix = indexOf(store);
  const chunkBytes = opts.chunkBytes ?? 1 << 16;
  const out = new Out(chunkBytes + 4096);
  const text = opts.text ?? false;
  const order = (opts.sorted ?? true) ? sortedEntries(ix) : null;
  const n = order === null ? ix.n : order.length;
  let done = 0;
  for (let i = 0; i < n; i++) {
    const ei = order === null ? i : order[i]!;
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

function writeLine(out: Out, store: Store, ix: KeyIndex, ei: number, text: boolean): void {
  const arena = ix.arena;
  if (ix.kind[ei] === STR) {
    out.raw(KEY);
    if (text) out.text(arena, ix.koff[ei]!, ix.klen[ei]!);
    else out.hex(arena, ix.koff[ei]!, ix.klen[ei]!);
    out.raw(STRING_TYPE);
    const d = ix.deadline(ei);
    out.ascii(d === d ? String(d) : "null");
    out.raw(VALUE);
    if (text) out.text(arena, ix.voff[ei]!, ix.vlen[ei]!);
    else out.hex(arena, ix.voff[ei]!, ix.vlen[ei]!);
    out.raw(END);
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

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
