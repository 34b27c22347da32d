/**
 * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG. The values are
 * plain strings holding Redis's exact sparse/dense encodings (see `_hll.ts`),
 * so a GET of a replayed HLL returns the bytes Redis holds.
 *
 * PFCOUNT on one key rewrites the cached cardinality inside the string when
 * it was stale (Redis propagates that PFCOUNT to the AOF), so it is a write
 * here, logged only when it changed the bytes.
 *
 * @module
 */

import type { Store } from "./store.ts";
import { type Ctx, fail, getStr, type Reply, upper } from "./_apply_common.ts";
import { ALL_KEYS, type CommandSpec, type LogFn } from "./_command.ts";
import {
  estimate,
  histogramOf,
  HLL_REGISTERS,
  HllWork,
  INVALID_HLL,
  isHll,
  NOT_HLL,
  patLen,
} from "./_hll.ts";
import { normInt } from "./_num.ts";

/** The HLL at `key` as a work copy, null if missing; WRONGTYPE / not-an-HLL errors. */
function hllAt(store: Store, key: Uint8Array): HllWork | null {
  const s = getStr(store, key);
  if (s === null) return null;
  if (!isHll(s)) fail(NOT_HLL);
  return new HllWork(s);
}

function save(store: Store, key: Uint8Array, w: HllWork, existed: boolean): void {
  store.setValue(key, w.bytes(), existed); // an edit keeps the TTL
}

function pfadd(c: Ctx, a: Uint8Array[]): Reply {
  const key = a[1]!;
  const cur = hllAt(c.store, key);
  const w = cur ?? new HllWork();
  let updated = cur === null ? 1 : 0;
  for (let i = 2; i < a.length; i++) {
    const { index, count } = patLen(a[i]!);
    const r = w.set(index, count);
    if (r === 1) updated++;
    else if (r === -1) {
      if (updated > 0) save(c.store, key, w, cur !== null); // Redis edits in place
      fail(INVALID_HLL);
    }
  }
  if (updated === 0) return 0;
  w.invalidate();
  save(c.store, key, w, cur !== null);
  return 1;
}

/** max[i] = the largest register i of every HLL named by `keys`; also whether one was dense. */
function mergeInto(store: Store, keys: Uint8Array[], max: Uint8Array): boolean {
  let dense = false;
  for (const k of keys) {
    const w = hllAt(store, k);
    if (w === null) continue;
    if (w.dense) dense = true;
    const regs = w.registers();
    if (regs === null) fail(INVALID_HLL);
    for (let i = 0; i < HLL_REGISTERS; i++) if (regs[i]! > max[i]!) max[i] = regs[i]!;
  }
  return dense;
}

function pfcount(c: Ctx, a: Uint8Array[]): Reply {
  if (a.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    mergeInto(c.store, a.slice(1), max);
    return normInt(estimate(histogramOf(max)));
  }
  const w = hllAt(c.store, a[1]!);
  if (w === null) return 0;
  const cached = w.cached();
  if (cached !== null) return normInt(cached);
  const h = w.histogram();
  if (h === null) fail(INVALID_HLL);
  const card = estimate(h);
  w.setCached(card);
  save(c.store, a[1]!, w, true);
  return normInt(card);
}

function pfmerge(c: Ctx, a: Uint8Array[]): Reply {
  const max = new Uint8Array(HLL_REGISTERS);
  const dense = mergeInto(c.store, a.slice(1), max);
  const dest = a[1]!;
  const cur = hllAt(c.store, dest); // checked above: an HLL or missing
  const w = cur ?? new HllWork();
  if (dense && !w.toDense()) fail(INVALID_HLL);
  for (let i = 0; i < HLL_REGISTERS; i++) if (max[i]! > 0) w.set(i, max[i]!);
  w.invalidate();
  save(c.store, dest, w, cur !== null);
  return "OK";
}

function decode(s: Uint8Array): string {
  const parts: string[] = [];
  for (let p = 16; p < s.length;) {
    const op = s[p]!;
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      parts.push(`Z:${(((op & 0x3f) << 8) | (s[p + 1] ?? 0)) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(" ");
}

function pfdebug(c: Ctx, a: Uint8Array[]): Reply {
  const sub = upper(a[1]!);
  const key = a[2]!;
  const s = getStr(c.store, key);
  if (s === null) fail("ERR The specified key does not exist");
  if (!isHll(s)) fail(NOT_HLL);
  const w = new HllWork(s);
  const name = new TextDecoder().decode(a[1]!);
  const known = ["GETREG", "DECODE", "ENCODING", "TODENSE"];
  if (!known.includes(sub)) fail(`ERR Unknown PFDEBUG subcommand '${name}'`);
  if (a.length !== 3) fail(`ERR Wrong number of arguments for the '${name}' subcommand`);
  if (sub === "ENCODING") return w.dense ? "dense" : "sparse";
  if (sub === "DECODE") {
    if (w.dense) fail("ERR HLL encoding is not sparse");
    return new TextEncoder().encode(decode(s));
  }
  const converted = !w.dense;
  if (converted) {
    if (!w.toDense()) fail(INVALID_HLL);
    save(c.store, key, w, true);
  }
  if (sub === "TODENSE") return converted ? 1 : 0;
  return [...w.registers()!];
}

/** A one-key PFCOUNT with a stale cache rewrites the string: log its bytes then. */
const logPfcount: LogFn = (x) => x.pre === true ? x.image(x.argv[1]!) : [];
const stale = (argv: ReadonlyArray<Uint8Array>, store: Store): boolean => {
  if (argv.length !== 2) return false;
  const s = store.lookup(argv[1]!);
  return s instanceof Uint8Array && isHll(s) && (s[15]! & 0x80) !== 0;
};
/** PFDEBUG GETREG/TODENSE may turn the encoding dense: log the bytes when they did. */
const encodingOf = (argv: ReadonlyArray<Uint8Array>, store: Store): number => {
  const s = argv[2] === undefined ? null : store.lookup(argv[2]);
  return s instanceof Uint8Array && s.length > 4 ? s[4]! : -1;
};
const logPfdebug: LogFn = (x) => {
  const s = x.store.lookup(x.argv[2]!);
  return s instanceof Uint8Array && s.length > 4 && s[4] !== x.pre ? x.image(x.argv[2]!) : [];
};

/** HyperLogLog command table rows (logged as the resulting bytes: kevy's replay knows SET). */
export const HLL_COMMANDS: CommandSpec[] = [
  {
    name: "pfadd",
    arity: -2,
    flags: "write denyoom fast",
    keys: [{ first: 1, last: 1, step: 1 }],
    log: (x) => x.reply === 1 ? x.image(x.argv[1]!) : [],
    fn: pfadd,
  },
  {
    name: "pfcount",
    arity: -2,
    flags: "write",
    keys: ALL_KEYS,
    pre: stale,
    log: logPfcount,
    fn: pfcount,
  },
  {
    name: "pfmerge",
    arity: -2,
    flags: "write denyoom",
    keys: ALL_KEYS,
    log: (x) => x.image(x.argv[1]!),
    fn: pfmerge,
  },
  {
    name: "pfdebug",
    arity: 3,
    flags: "write denyoom admin",
    keys: [{ first: 2, last: 2, step: 1 }],
    pre: encodingOf,
    log: logPfdebug,
    fn: pfdebug,
  },
];
