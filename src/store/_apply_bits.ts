/**
 * Bitmap commands on string values: SETBIT, GETBIT, BITCOUNT, BITPOS,
 * BITOP, BITFIELD, BITFIELD_RO. Bit 0 is the most significant bit of byte 0,
 * as in Redis. Stored strings are never changed in place (the store may share
 * them): a write stores a new array.
 *
 * @module
 */

import { argI64, type Ctx, fail, getStr, type Reply, SYNTAX, upper } from "./_apply_common.ts";
import { normInt, parseI64 } from "./_num.ts";
import { type CommandSpec, KEY1, type LogFn } from "./_command.ts";

/** Redis's default proto-max-bulk-len: no string grows past it. */
const MAX_BYTES = 512 * 1024 * 1024;
const BAD_OFFSET = "ERR bit offset is not an integer or out of range";
const BAD_TYPE =
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/** A bit offset argument; with `bits`, `#n` means n * bits (BITFIELD). */
function bitOffset(b: Uint8Array, bits = 0): number {
  const hash = bits > 0 && b[0] === 0x23;
  const v = parseI64(hash ? b.subarray(1) : b);
  if (v === null) fail(BAD_OFFSET);
  const off = BigInt(v) * (hash ? BigInt(bits) : 1n);
  if (off < 0n || off >> 3n >= BigInt(MAX_BYTES)) fail(BAD_OFFSET);
  return Number(off);
}

/** `cur` grown with zero bytes to hold bit `maxBit` (a new array; `cur` is not changed). */
function grown(cur: Uint8Array | null, maxBit: number): Uint8Array {
  const need = (maxBit >>> 3) + 1;
  const out = new Uint8Array(Math.max(cur?.length ?? 0, need));
  if (cur !== null) out.set(cur);
  return out;
}

function bitAt(s: Uint8Array, off: number): number {
  const byte = off >>> 3;
  return byte < s.length ? (s[byte]! >> (7 - (off & 7))) & 1 : 0;
}

function setbit(c: Ctx, a: Uint8Array[]): Reply {
  const off = bitOffset(a[2]!);
  const on = argI64(a[3]!, "ERR bit is not an integer or out of range");
  if (on !== 0 && on !== 1) fail("ERR bit is not an integer or out of range");
  const cur = getStr(c.store, a[1]!);
  const old = cur === null ? 0 : bitAt(cur, off);
  if (cur !== null && (off >>> 3) < cur.length && old === on) return old;
  const out = grown(cur, off);
  const mask = 1 << (7 - (off & 7));
  out[off >>> 3] = on ? out[off >>> 3]! | mask : out[off >>> 3]! & ~mask;
  c.store.setValue(a[1]!, out, true);
  return old;
}

function popcount(x: number): number {
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (x + (x >> 4)) & 0x0f;
}

/** A BITCOUNT/BITPOS range, or null when empty; `bit` ranges count bits, else bytes. */
interface Range {
  /** First and last byte. */
  from: number;
  to: number;
  /** Bits of the first / last byte that are outside the range (masks of the high / low bits). */
  headOut: number;
  tailOut: number;
}

function range(
  len: number,
  start: bigint,
  end: bigint,
  isBit: boolean,
): Range | null {
  const total = BigInt(isBit ? len * 8 : len);
  if (start < 0n) start += total;
  if (end < 0n) end += total;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  if (start > end) return null;
  const s = Number(start), e = Number(end);
  if (!isBit) return { from: s, to: e, headOut: 0, tailOut: 0 };
  return {
    from: s >>> 3,
    to: e >>> 3,
    headOut: ~((1 << (8 - (s & 7))) - 1) & 0xff,
    tailOut: (1 << (7 - (e & 7))) - 1,
  };
}

function unitArg(b: Uint8Array): boolean {
  const u = upper(b);
  if (u === "BIT") return true;
  if (u === "BYTE") return false;
  return fail(SYNTAX);
}

function bitcount(c: Ctx, a: Uint8Array[]): Reply {
  const s = getStr(c.store, a[1]!);
  if (s === null) return 0; // even with bad arguments, as in Redis
  if (a.length !== 2 && a.length !== 4 && a.length !== 5) fail(SYNTAX);
  let r: Range | null;
  if (a.length === 2) {
    r = s.length === 0 ? null : { from: 0, to: s.length - 1, headOut: 0, tailOut: 0 };
  } else {
    const start = BigInt(argI64(a[2]!)), end = BigInt(argI64(a[3]!));
    if (start < 0n && end < 0n && start > end) return 0;
    const isBit = a.length === 5 ? unitArg(a[4]!) : false;
    r = range(s.length, start, end, isBit);
  }
  if (r === null) return 0;
  let n = 0;
  for (let i = r.from; i <= r.to; i++) n += popcount(s[i]!);
  n -= popcount(s[r.from]! & r.headOut) + popcount(s[r.to]! & r.tailOut);
  return n;
}

function bitpos(c: Ctx, a: Uint8Array[]): Reply {
  const bit = argI64(a[2]!);
  if (bit !== 0 && bit !== 1) fail("ERR The bit argument must be 1 or 0.");
  const s = getStr(c.store, a[1]!);
  if (s === null) return bit ? -1 : 0; // an endless run of zeros, whatever the arguments
  if (a.length > 6) fail(SYNTAX);
  let r: Range | null;
  let endGiven = false;
  if (a.length === 3) {
    r = s.length === 0 ? null : { from: 0, to: s.length - 1, headOut: 0, tailOut: 0 };
  } else {
    const start = BigInt(argI64(a[3]!));
    const isBit = a.length === 6 ? unitArg(a[5]!) : false;
    let end: bigint;
    if (a.length >= 5) {
      end = BigInt(argI64(a[4]!));
      endGiven = true;
    } else end = isBit ? BigInt(s.length * 8 + 7) : BigInt(s.length - 1);
    r = range(s.length, start, end, isBit);
  }
  if (r === null) return -1;
  // Scan the range with the bits outside it forced to the opposite of `bit`.
  for (let i = r.from; i <= r.to; i++) {
    let x = s[i]!;
    const out = (i === r.from ? r.headOut : 0) | (i === r.to ? r.tailOut : 0);
    x = bit ? x & ~out : x | out;
    if (bit ? x !== 0 : x !== 0xff) {
      let p = 0;
      while (((x >> (7 - p)) & 1) !== bit) p++;
      return i * 8 + p;
    }
  }
  // Looking for a 0 past an open-ended range: the string is zero-padded.
  if (bit === 0 && !endGiven) return (r.to + 1) * 8;
  return -1;
}

const OPS = ["AND", "OR", "XOR", "NOT"] as const;

function bitop(c: Ctx, a: Uint8Array[]): Reply {
  const op = upper(a[1]!);
  if (!(OPS as readonly string[]).includes(op)) fail(SYNTAX);
  if (op === "NOT" && a.length !== 4) {
    fail("ERR BITOP NOT must be called with a single source key.");
  }
  const srcs: Uint8Array[] = [];
  for (let i = 3; i < a.length; i++) srcs.push(getStr(c.store, a[i]!) ?? new Uint8Array(0));
  let max = 0;
  for (const s of srcs) max = Math.max(max, s.length);
  if (max === 0) {
    c.store.delete(a[2]!);
    return 0;
  }
  const out = new Uint8Array(max);
  for (let j = 0; j < max; j++) {
    let x = srcs[0]![j] ?? 0;
    if (op === "NOT") x = ~x & 0xff;
    for (let i = 1; i < srcs.length; i++) {
      const y = srcs[i]![j] ?? 0;
      x = op === "AND" ? x & y : op === "OR" ? x | y : x ^ y;
    }
    out[j] = x;
  }
  c.store.setValue(a[2]!, out);
  return max;
}

/** One parsed BITFIELD operation. */
interface FieldOp {
  op: "GET" | "SET" | "INCRBY";
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: "WRAP" | "SAT" | "FAIL";
}

function fieldType(b: Uint8Array): { signed: boolean; bits: number } {
  const t = b[0];
  if (t !== 0x69 && t !== 0x75) fail(BAD_TYPE); // 'i' / 'u'
  const n = parseI64(b.subarray(1));
  const signed = t === 0x69;
  if (n === null || n < 1 || n > (signed ? 64 : 63)) fail(BAD_TYPE);
  return { signed, bits: Number(n) };
}

function parseField(a: Uint8Array[], readOnly: boolean): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: FieldOp["overflow"] = "WRAP";
  let writes = false;
  for (let j = 2; j < a.length; j++) {
    const left = a.length - j - 1;
    const sub = upper(a[j]!);
    if (sub === "OVERFLOW" && left >= 1) {
      const o = upper(a[++j]!);
      if (o !== "WRAP" && o !== "SAT" && o !== "FAIL") fail("ERR Invalid OVERFLOW type specified");
      overflow = o;
      continue;
    }
    if (!((sub === "GET" && left >= 2) || ((sub === "SET" || sub === "INCRBY") && left >= 3))) {
      fail(SYNTAX);
    }
    const { signed, bits } = fieldType(a[j + 1]!);
    const offset = bitOffset(a[j + 2]!, bits);
    let value = 0n;
    if (sub !== "GET") {
      writes = true;
      value = BigInt(argI64(a[j + 3]!));
    }
    ops.push({ op: sub as FieldOp["op"], signed, bits, offset, value, overflow });
    j += sub === "GET" ? 2 : 3;
  }
  if (writes && readOnly) fail("ERR BITFIELD_RO only supports the GET subcommand");
  return ops;
}

function getField(s: Uint8Array, off: number, bits: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) v = (v << 1n) | BigInt(bitAt(s, off + i));
  if (signed && bits > 0 && (v >> BigInt(bits - 1)) === 1n) v -= 1n << BigInt(bits);
  return v;
}

function putField(s: Uint8Array, off: number, bits: number, v: bigint): void {
  const u = BigInt.asUintN(bits, v);
  for (let i = 0; i < bits; i++) {
    const b = off + i;
    const mask = 1 << (7 - (b & 7));
    const on = (u >> BigInt(bits - 1 - i)) & 1n;
    s[b >>> 3] = on ? s[b >>> 3]! | mask : s[b >>> 3]! & ~mask;
  }
}

/** The value to store for `want` in a field, per overflow rule; null = FAIL. */
function fit(want: bigint, op: FieldOp): bigint | null {
  const { bits, signed } = op;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (want >= min && want <= max) return want;
  if (op.overflow === "FAIL") return null;
  if (op.overflow === "SAT") return want > max ? max : min;
  return signed ? BigInt.asIntN(bits, want) : BigInt.asUintN(bits, want);
}

function bitfield(c: Ctx, a: Uint8Array[], readOnly: boolean): Reply {
  const ops = parseField(a, readOnly);
  const cur = getStr(c.store, a[1]!);
  let maxBit = -1;
  for (const o of ops) if (o.op !== "GET") maxBit = Math.max(maxBit, o.offset + o.bits - 1);
  const s = maxBit < 0 ? cur ?? new Uint8Array(0) : grown(cur, maxBit);
  const out: Reply[] = [];
  for (const o of ops) {
    const old = getField(s, o.offset, o.bits, o.signed);
    if (o.op === "GET") {
      out.push(normInt(old));
      continue;
    }
    // Unsigned SET takes the int64 as Redis's uint64 (a negative value is a huge one).
    const asked = o.op === "SET" && !o.signed ? BigInt.asUintN(64, o.value) : o.value;
    const v = fit(o.op === "INCRBY" ? old + asked : asked, o);
    if (v === null) {
      out.push(null);
      continue;
    }
    putField(s, o.offset, o.bits, v);
    out.push(normInt(o.op === "INCRBY" ? v : old));
  }
  if (maxBit >= 0) c.store.setValue(a[1]!, s, true);
  return out;
}

/** SETBIT/BITFIELD log the key's resulting bytes (kevy's replay knows SET only). */
const IMAGE = "image";
/** BITOP writes only its destination: its image is enough. */
const logDest: LogFn = (x) => x.image(x.argv[2]!);

/** Bitmap command table rows. */
export const BIT_COMMANDS: CommandSpec[] = [
  { name: "setbit", arity: 4, flags: "write denyoom", keys: KEY1, log: IMAGE, fn: setbit },
  {
    name: "getbit",
    arity: 3,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => {
      const off = bitOffset(a[2]!);
      const s = getStr(c.store, a[1]!);
      return s === null ? 0 : bitAt(s, off);
    },
  },
  { name: "bitcount", arity: -2, flags: "readonly", keys: KEY1, fn: bitcount },
  { name: "bitpos", arity: -3, flags: "readonly", keys: KEY1, fn: bitpos },
  {
    name: "bitop",
    arity: -4,
    flags: "write denyoom",
    keys: [{ first: 2, last: -1, step: 1 }],
    log: logDest,
    fn: bitop,
  },
  {
    name: "bitfield",
    arity: -2,
    flags: "write denyoom",
    keys: KEY1,
    log: IMAGE,
    fn: (c, a) => bitfield(c, a, false),
  },
  {
    name: "bitfield_ro",
    arity: -2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => bitfield(c, a, true),
  },
];
