// Private: how XREAD / XREADGROUP `BLOCK ms` wait when a blocking layer (the
// embedded store) parks them (blocked.c, 7.0): the timeout from BLOCK (0:
// forever; absent: the call never waits); XREAD's `$` ids resolved to each
// stream's last id when the call blocks (a missing stream: 0-0); and, when a
// stream key is written, the waiter runs again on that stream alone (Redis
// replies to a woken reader with the one stream that became ready), without
// BLOCK. XREADGROUP waits only with `>` (any other id is served at once).
import { parseRead, resolveDollarIds } from "./_apply_stream_read.ts";
import { cmpId, cOpt, parseId, type U64 } from "./_stream_id.ts";
import type { Store } from "./store.ts";
import { StreamData } from "./stream.ts";

/** The BLOCK milliseconds of an XREAD / XREADGROUP, or null (no BLOCK, or unparsable). */
export function readBlockMs(group: boolean): (argv: ReadonlyArray<Uint8Array>) => number | null {
  return (argv) => {
    try {
      return parseRead([...argv], group).block;
    } catch {
      return null;
    }
  };
}

/** XREAD about to wait: its `$` ids as the streams' last ids now. */
export function xreadBlockArgv(argv: ReadonlyArray<Uint8Array>, store: Store): Uint8Array[] {
  return resolveDollarIds(argv, (key) => {
    const s = store.lookup(key);
    return s instanceof StreamData ? { ms: s.lastMs, seq: s.lastSeq } : null;
  });
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What a waiter's argv says, parsed once (its argv array is the waiter's own). */
interface Parsed {
  r: ReturnType<typeof parseRead>;
  /** Per key of STREAMS (first mention): the id it waits after (XREAD), parsed. */
  after: Array<ReturnType<typeof parseId>>;
}
const parsed = new WeakMap<ReadonlyArray<Uint8Array>, Parsed | null>();

function parse(argv: ReadonlyArray<Uint8Array>, group: boolean): Parsed | null {
  let p = parsed.get(argv);
  if (p !== undefined) return p;
  try {
    const r = parseRead([...argv], group);
    const after = [];
    for (let i = 0; i < r.n; i++) after.push(parseId(argv[r.keysAt + r.n + i]!, 0, true));
    p = { r, after };
  } catch {
    p = null;
  }
  parsed.set(argv, p);
  return p;
}

/** Whether stream `s` has an entry after `ms-seq` (its last id first: O(1) when it has not). */
function hasAfter(s: StreamData, ms: U64, seq: U64): boolean {
  if (s.length === 0 || cmpId(s.lastMs, s.lastSeq, ms, seq) <= 0) return false;
  const last = s.edge(false);
  return last !== null && cmpId(last.ms, last.seq, ms, seq) > 0;
}

/**
 * The read of a waiter whose stream `key` was written: its options without
 * BLOCK, then `STREAMS key id` with the id it waits after (its first mention
 * of the key, as Redis keeps one per key); `null` when the stream has no
 * entry after that id (XREADGROUP: after its group's last delivered id) —
 * the ids compared, as Redis does, instead of running the read for nothing
 * (many consumers blocked on one stream). Unparsable argv, a missing group or
 * another type come back as the whole argv (running it gives the error).
 */
export function readyReadArgv(group: boolean) {
  return (argv: ReadonlyArray<Uint8Array>, key: Uint8Array, store: Store): Uint8Array[] | null => {
    const p = parse(argv, group);
    if (p === null) return [...argv];
    const a = argv, r = p.r;
    let at = -1;
    for (let i = 0; i < r.n && at < 0; i++) if (same(a[r.keysAt + i]!, key)) at = i;
    if (at < 0) return [...argv];
    const s = store.lookup(key);
    if (!(s instanceof StreamData)) return [...argv];
    if (group) {
      const g = s.group(r.group!);
      if (g === undefined) return [...argv];
      if (!hasAfter(s, g.lastMs, g.lastSeq)) return null;
    } else {
      const after = p.after[at];
      if (after == null) return [...argv];
      if (!hasAfter(s, after.ms, after.seq)) return null;
    }
    const out: Uint8Array[] = [a[0]!];
    for (let i = 1; i < r.keysAt; i++) {
      const o = a[i]!;
      if (cOpt(o, "BLOCK")) i++;
      else if (cOpt(o, "COUNT")) out.push(o, a[++i]!);
      else if (group && cOpt(o, "GROUP")) {
        out.push(o, a[i + 1]!, a[i + 2]!);
        i += 2;
      } else out.push(o); // NOACK, STREAMS
    }
    out.push(a[r.keysAt + at]!, a[r.keysAt + r.n + at]!);
    return out;
  };
}
