/**
 * `dumpKeyspaceJsonl`: a keyspace as JSON lines (UTF-8 bytes), produced in
 * chunks so a caller can write them out as they come and wait for a slow
 * reader. Sorting goes over the store's own key bytes (no object per key),
 * so memory stays a few bytes per key on top of the store.
 *
 * @module
 */

import { dumpEntry, scoreText } from "./dump.ts";
import { toNeutral } from "./_neutral.ts";
import { END, KEY, Out, stringTail, VALUE, writeRows } from "./_jsonl_out.ts";
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
  /**
   * Yield chunks of two buffers used in turn instead of fresh ones (default
   * `false`): a chunk stays valid until two more chunks have been asked for,
   * so a writer that waits for each write to finish before it asks for the
   * next-but-one chunk allocates nothing per chunk.
   */
  reuseChunks?: boolean;
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
  const out = new Out(chunkBytes + 4096, opts.reuseChunks === true);
  const text = opts.text ?? false;
  const order = (opts.sorted ?? true) ? sortedEntries(ix) : null;
  const n = order === null ? ix.n : order.length;
  const { arena, koff, klen } = ix;
  let done = 0;
  for (let i = 0, j = 0; i < n || j < m;) {
    // Rows go before the store's next key (unsorted: after the store's keys).
    if (j < m && (order !== null || i >= n)) {
      const stop = i < n ? order![i]! : -1;
      const j0 = j;
      j = stop < 0
        ? writeRows(out, rows!, j, m, chunkBytes, text, arena, 0, -1)
        : writeRows(out, rows!, j, m, chunkBytes, text, arena, koff[stop]!, klen[stop]!);
      done += j - j0;
      if (out.p >= chunkBytes) {
        opts.onProgress?.(done, total);
        yield out.take();
      }
      if (j > j0) continue;
    }
    const ei = order === null ? i : order[i]!;
    i++;
    if (order === null && ix.kind[ei] === HOLE) continue;
    writeLine(out, ix, ei, text);
    done++;
    if (out.p >= chunkBytes) {
      opts.onProgress?.(done, total);
      yield out.take();
    }
  }
  if (out.p > 0) yield out.take();
  opts.onProgress?.(done, total);
}

function writeLine(out: Out, ix: KeyIndex, ei: number, text: boolean): void {
  const arena = ix.arena;
  if (ix.kind[ei] === STR) {
    out.raw(KEY);
    if (text) out.text(arena, ix.koff[ei]!, ix.klen[ei]!);
    else out.hex(arena, ix.koff[ei]!, ix.klen[ei]!);
    stringTail(out, ix.deadline(ei), arena, ix.voff[ei]!, ix.vlen[ei]!, text);
    return;
  }
  // The dumpEntry layout, written as bytes (no hex strings, no JSON.stringify of the line),
  // from the entry's own value (no lookup by key: expired keys went with dbsize()).
  const kv = toNeutral(ix.objs![ei]);
  const dl = ix.deadline(ei);
  const t = text
    ? (b: Uint8Array) => out.text(b, 0, b.length)
    : (b: Uint8Array) => out.hex(b, 0, b.length);
  const items = (xs: Uint8Array[]) => {
    out.ascii("[");
    for (let i = 0; i < xs.length; i++) {
      if (i > 0) out.ascii(",");
      t(xs[i]!);
    }
    out.ascii("]");
  };
  out.raw(KEY);
  if (text) out.text(arena, ix.koff[ei]!, ix.klen[ei]!);
  else out.hex(arena, ix.koff[ei]!, ix.klen[ei]!);
  out.ascii(`,"type":"${kv.type}","ttl":${dl === dl ? dl : "null"}`);
  out.raw(VALUE);
  switch (kv.type) {
    case "string":
      t(kv.value);
      break;
    case "hash": {
      const pairs = [...kv.value].sort((x, y) => compareBytes(x[0], y[0]));
      out.ascii("[");
      for (let i = 0; i < pairs.length; i++) {
        out.ascii(i > 0 ? ",[" : "[");
        t(pairs[i]![0]);
        out.ascii(",");
        t(pairs[i]![1]);
        out.ascii("]");
      }
      out.ascii("]");
      break;
    }
    case "list":
      items(kv.value);
      break;
    case "set":
      items([...kv.value].sort(compareBytes));
      break;
    case "zset":
      out.ascii("[");
      for (let i = 0; i < kv.value.length; i++) {
        const [m, x] = kv.value[i]!;
        out.ascii(i > 0 ? ",[" : "[");
        t(m);
        out.ascii(`,${JSON.stringify(scoreText(x))},"`);
        out.scoreBits(x);
        out.ascii('"]');
      }
      out.ascii("]");
      break;
    case "stream":
      out.ascii(JSON.stringify(dumpEntry({ key: ix.key(ei), value: kv, deadline: null }).value));
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
