// The replay fast path for the commonest frame, a plain `SET <key> <value>`
// (`*3`, verb in any case): matched and applied straight from the read
// buffer, so no argv array and no views are created for it (view creation
// dominated replay on Deno). `Store.putString(..., null)` is exactly what
// `applyCommand` does for a 3-element SET (`setString(key, value)`): replace
// a value of any type, clear the TTL, copy the bytes (a large value sliced).
// Anything else (other verbs, SET with options, incomplete or malformed
// bytes) is left to parseFrame and the argv applier, in order.
import { MAX_BULK_LEN } from "../codec/resp.ts";
import { applyCommand, type CommandResult } from "../store/apply.ts";
import type { Store } from "../store/store.ts";

const STAR = 0x2a, DOLLAR = 0x24, CR = 0x0d, LF = 0x0a, D0 = 0x30, D9 = 0x39, THREE = 0x33;

/** Marks an argv applier that is exactly `(argv) => applyCommand(store, argv)`. */
const STORE = Symbol("kevy.replayStore");

/** An argv applier the scanner may bypass for plain SET frames. */
export type StoreApplier = ((argv: Uint8Array[]) => CommandResult) & { readonly [STORE]: Store };

/** `(argv) => applyCommand(store, argv)`, tagged so the scanner can take the fast path. */
export function storeApplier(store: Store): StoreApplier {
  const fn = (argv: Uint8Array[]): CommandResult => applyCommand(store, argv);
  return Object.assign(fn, { [STORE]: store });
}

/** The store behind a {@link storeApplier}, or `null` for any other callback. */
export function storeOf(apply: (...args: never[]) => unknown): Store | null {
  return (apply as Partial<StoreApplier>)[STORE] ?? null;
}

/** Length of the last bulk header read by {@link bulkHead} (avoids an allocation per call). */
let bulkLen = 0;

/** `$<len>\r\n` at `p`, accepted exactly as parseFrame does: the payload offset, or -1. */
function bulkHead(buf: Uint8Array, p: number, end: number): number {
  if (p + 1 >= end || buf[p] !== DOLLAR) return -1;
  let c = buf[++p]!;
  if (c < D0 || c > D9) return -1;
  let n = c - D0;
  for (;;) {
    if (++p >= end) return -1;
    c = buf[p]!;
    if (c === CR) break;
    if (c < D0 || c > D9 || n === 0) return -1; // no leading zeros
    n = n * 10 + (c - D0);
    if (n > MAX_BULK_LEN) return -1;
  }
  if (++p >= end || buf[p] !== LF) return -1;
  bulkLen = n;
  return p + 1;
}

/**
 * If a complete plain SET frame starts at `p` (and ends by `end`), applies it
 * to `store` and returns the offset after it; otherwise returns -1 and
 * changes nothing.
 */
export function applyPlainSet(store: Store, buf: Uint8Array, p: number, end: number): number {
  // "*3\r\n$3\r\n" + S E T (ASCII case-insensitive, like the applier's lookup) + "\r\n".
  if (
    p + 13 > end || buf[p] !== STAR || buf[p + 1] !== THREE || buf[p + 2] !== CR ||
    buf[p + 3] !== LF || buf[p + 4] !== DOLLAR || buf[p + 5] !== THREE ||
    buf[p + 6] !== CR || buf[p + 7] !== LF || (buf[p + 8]! | 0x20) !== 0x73 ||
    (buf[p + 9]! | 0x20) !== 0x65 || (buf[p + 10]! | 0x20) !== 0x74 ||
    buf[p + 11] !== CR || buf[p + 12] !== LF
  ) return -1;
  const ko = bulkHead(buf, p + 13, end);
  if (ko < 0) return -1;
  const kl = bulkLen;
  const ks = ko + kl;
  if (ks + 1 >= end || buf[ks] !== CR || buf[ks + 1] !== LF) return -1;
  const vo = bulkHead(buf, ks + 2, end);
  if (vo < 0) return -1;
  const vl = bulkLen;
  const vs = vo + vl;
  if (vs + 1 >= end || buf[vs] !== CR || buf[vs + 1] !== LF) return -1;
  store.putString(buf, ko, kl, buf, vo, vl, null);
  return vs + 2;
}
