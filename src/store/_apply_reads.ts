/**
 * Read-only commands the embedded store answers like Redis 7.0 (they are
 * never logged): LPOS, GETRANGE/SUBSTR, LCS, HSTRLEN, HKEYS, HVALS,
 * SMISMEMBER, SINTERCARD, SINTER, SUNION, SDIFF.
 *
 * @module
 */

import {
  argI64,
  type Ctx,
  fail,
  getHash,
  getList,
  getSet,
  getStr,
  NOT_INT,
  type Reply,
  SYNTAX,
  upper,
} from "./_apply_common.ts";
import { type CommandSpec, KEY1, type KeySpec } from "./_command.ts";
import { fromKey } from "./_keys.ts";
import { parseI64 } from "./_num.ts";
import type { SetValue } from "./values.ts";

function eq(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function nonNegative(b: Uint8Array, msg: string): number {
  const v = parseI64(b);
  if (v === null) fail(NOT_INT);
  if (v < 0) fail(`ERR ${msg}`);
  return Number(v);
}

function lpos(c: Ctx, a: Uint8Array[]): Reply {
  let rank = 1, count = -1, maxlen = 0;
  for (let j = 3; j < a.length; j++) {
    const o = upper(a[j]!);
    const more = j + 1 < a.length;
    if (o === "RANK" && more) {
      rank = Number(argI64(a[++j]!));
      if (rank === 0) {
        fail(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
    } else if (o === "COUNT" && more) count = nonNegative(a[++j]!, "COUNT can't be negative");
    else if (o === "MAXLEN" && more) maxlen = nonNegative(a[++j]!, "MAXLEN can't be negative");
    else fail(SYNTAX);
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const l = getList(c.store, a[1]!);
  if (l === null) return count !== -1 ? [] : null;
  const n = l.length;
  const out: number[] = [];
  let matches = 0;
  for (let i = 0; i < n && (maxlen === 0 || i < maxlen); i++) {
    const at = fromTail ? n - 1 - i : i;
    if (!eq(l.at(at)!, a[2]!)) continue;
    matches++;
    if (matches < rank) continue;
    if (count === -1) return at;
    out.push(at);
    if (count !== 0 && matches - rank + 1 >= count) break;
  }
  return count === -1 ? null : out;
}

function getrange(c: Ctx, a: Uint8Array[]): Reply {
  let start = Number(argI64(a[2]!)), end = Number(argI64(a[3]!));
  const s = getStr(c.store, a[1]!);
  if (s === null) return new Uint8Array(0);
  // Both negative and start > end: empty (Redis checks this before normalising).
  if (start < 0 && end < 0 && start > end) return new Uint8Array(0);
  const len = s.length;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return new Uint8Array(0);
  return s.slice(start, end + 1);
}

function lcs(c: Ctx, a: Uint8Array[]): Reply {
  const vx = c.store.lookup(a[1]!), vy = c.store.lookup(a[2]!);
  if (
    (vx !== null && !(vx instanceof Uint8Array)) || (vy !== null && !(vy instanceof Uint8Array))
  ) {
    fail("ERR The specified keys must contain string values");
  }
  const x = (vx as Uint8Array | null) ?? new Uint8Array(0);
  const y = (vy as Uint8Array | null) ?? new Uint8Array(0);
  let getLen = false, getIdx = false, withLen = false, minLen = 0;
  for (let j = 3; j < a.length; j++) {
    const o = upper(a[j]!);
    if (o === "IDX") getIdx = true;
    else if (o === "LEN") getLen = true;
    else if (o === "WITHMATCHLEN") withLen = true;
    else if (o === "MINMATCHLEN" && j + 1 < a.length) {
      minLen = Math.max(0, Number(argI64(a[++j]!)));
    } else fail(SYNTAX);
  }
  if (getIdx && getLen) fail("ERR If you want both the length and indexes, please just use IDX.");
  if ((x.length + 1) * (y.length + 1) * 4 > 512 * 1024 * 1024) {
    fail("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  // t[i][j]: LCS length of x[0..i) and y[0..j).
  const w = y.length + 1;
  const t = new Uint32Array((x.length + 1) * w);
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      t[i * w + j] = x[i - 1] === y[j - 1]
        ? t[(i - 1) * w + j - 1]! + 1
        : Math.max(t[(i - 1) * w + j]!, t[i * w + j - 1]!);
    }
  }
  const total = t[x.length * w + y.length]!;
  if (getLen) return total;
  // Walk back from the end with Redis's range tracking: a match that does not
  // extend the current range closes it (and is itself not part of any range).
  const str = new Uint8Array(total);
  let idx = total, i = x.length, j = y.length;
  const unset = x.length;
  let aStart = unset, aEnd = 0, bStart = 0, bEnd = 0;
  const matches: Reply[] = [];
  while (i > 0 && j > 0) {
    let emit = false;
    if (x[i - 1] === y[j - 1]) {
      str[idx - 1] = x[i - 1]!;
      if (aStart === unset) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j]! > t[i * w + j - 1]!) i--;
      else j--;
      if (aStart !== unset) emit = true;
    }
    if (emit) {
      const len = aEnd - aStart + 1;
      if (minLen === 0 || len >= minLen) {
        const m: Reply[] = [[aStart, aEnd], [bStart, bEnd]];
        if (withLen) m.push(len);
        matches.push(m);
      }
      aStart = unset;
    }
  }
  if (!getIdx) return str;
  return [new TextEncoder().encode("matches"), matches, new TextEncoder().encode("len"), total];
}

function setsOf(c: Ctx, keys: Uint8Array[]): Array<SetValue | null> {
  return keys.map((k) => getSet(c.store, k));
}

function sinterMembers(sets: Array<SetValue | null>, limit = 0): string[] {
  if (sets.some((s) => s === null)) return [];
  const ordered = [...(sets as SetValue[])].sort((x, y) => x.size - y.size);
  const out: string[] = [];
  for (const m of ordered[0]!.rawMembers()) {
    if (ordered.every((s) => s.hasRaw(m))) {
      out.push(m);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return out;
}

function sintercard(c: Ctx, a: Uint8Array[]): Reply {
  const n = parseI64(a[1]!);
  if (n === null || n <= 0) fail("ERR numkeys should be greater than 0");
  if (n > a.length - 2) fail("ERR Number of keys can't be greater than number of args");
  let limit = 0;
  for (let j = 2 + Number(n); j < a.length; j++) {
    if (upper(a[j]!) === "LIMIT" && j + 1 < a.length) {
      limit = nonNegative(a[++j]!, "LIMIT can't be negative");
    } else fail(SYNTAX);
  }
  return sinterMembers(setsOf(c, a.slice(2, 2 + Number(n))), limit).length;
}

/** Order-free set replies (Redis's order is a hash order: compared sorted in tests). */
function members(ms: Iterable<string>): Reply[] {
  return [...ms].map(fromKey);
}

const ALL: KeySpec = [{ first: 1, last: -1, step: 1 }];

/** Read-only rows. */
export const READ_COMMANDS: CommandSpec[] = [
  { name: "lpos", arity: -3, flags: "readonly", keys: KEY1, fn: lpos },
  { name: "getrange", arity: 4, flags: "readonly", keys: KEY1, fn: getrange },
  { name: "substr", arity: 4, flags: "readonly", keys: KEY1, fn: getrange },
  { name: "lcs", arity: -3, flags: "readonly", keys: [{ first: 1, last: 2, step: 1 }], fn: lcs },
  {
    name: "hstrlen",
    arity: 3,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getHash(c.store, a[1]!)?.get(a[2]!)?.length ?? 0,
  },
  {
    name: "hkeys",
    arity: 2,
    flags: "readonly",
    keys: KEY1,
    fn: (c, a) => [...(getHash(c.store, a[1]!)?.entries() ?? [])].map(([f]) => f),
  },
  {
    name: "hvals",
    arity: 2,
    flags: "readonly",
    keys: KEY1,
    fn: (c, a) => [...(getHash(c.store, a[1]!)?.entries() ?? [])].map(([, v]) => v),
  },
  {
    name: "smismember",
    arity: -3,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => {
      const s = getSet(c.store, a[1]!);
      return a.slice(2).map((m) => (s?.has(m) ? 1 : 0));
    },
  },
  {
    name: "sintercard",
    arity: -3,
    flags: "readonly",
    keys: [{ numkeys: 1 }],
    fn: sintercard,
  },
  {
    name: "sinter",
    arity: -2,
    flags: "readonly",
    keys: ALL,
    fn: (c, a) => members(sinterMembers(setsOf(c, a.slice(1)))),
  },
  {
    name: "sunion",
    arity: -2,
    flags: "readonly",
    keys: ALL,
    fn: (c, a) => {
      const out = new Set<string>();
      for (const s of setsOf(c, a.slice(1))) for (const m of s?.rawMembers() ?? []) out.add(m);
      return members(out);
    },
  },
  {
    name: "sdiff",
    arity: -2,
    flags: "readonly",
    keys: ALL,
    fn: (c, a) => {
      const [first, ...rest] = setsOf(c, a.slice(1));
      const out: string[] = [];
      for (const m of first?.rawMembers() ?? []) if (!rest.some((s) => s?.hasRaw(m))) out.push(m);
      return members(out);
    },
  },
];
