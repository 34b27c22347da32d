// Private: the snapshot checksum trailer. Bytes after the EOF opcode are
// never read by kevy 1.17 or 5.4 (FORMATS.md 2, SPEC-v5 2.4; vectors
// crafted_trailing_bytes and crafted_ttl_flags_and_trailing), so a trailer
// there leaves every kevy reader working and lets ours detect bit rot:
//
//   "KEVYSUMS"              8   start magic
//   trailer version u8      1   = 1
//   block log2 u8           1   block size = 2^n bytes (the writer uses 12: 4 KiB)
//   covered u64le           8   D = bytes covered = offset of the trailer (EOF opcode + 1)
//   crc u32le x ceil(D/B)       CRC32C of each block [kB, min(D, (k+1)B)) of the file
//   trailer crc u32le       4   CRC32C of the trailer bytes before it
//   trailer length u32le    4   of the whole trailer, magics included
//   "KEVYSUMS"              8   end magic
//
// Either magic claims the trailing bytes as a trailer (one flipped bit cannot
// hide both), and a claimed trailer must be exact. Per-block CRCs locate the
// damage; CRC32C's Hamming distance (>= 4 up to 2^31 bits) makes a one-bit
// error's syndrome unique inside a block, so it is located to the bit.
import { crc32cUpdate } from "./crc32c.ts";
import { readU32LE } from "./aof2.ts";
import { SnapshotChecksumError } from "./snapshot_errors.ts";

/** The trailer's start and end magic, ASCII `KEVYSUMS`. */
export const SUM_MAGIC: Uint8Array = new TextEncoder().encode("KEVYSUMS");
const SUM_VERSION = 1;
/** log2 of the block size the writer uses (4 KiB: 0.1% of the file in CRCs). */
export const SUM_BLOCK_LOG2 = 12;
const FIXED = 8 + 1 + 1 + 8 + 4 + 4 + 8;
const TWO_32 = 4294967296;

/** Size of the trailer for `covered` data bytes with blocks of 2^log2 bytes. */
export function trailerSize(covered: number, log2 = SUM_BLOCK_LOG2): number {
  return FIXED + 4 * Math.ceil(covered / 2 ** log2);
}

/** Per-block CRC32C of a byte stream fed in order. */
export class BlockSummer {
  readonly block: number;
  /** Bytes fed so far. */
  fed = 0;
  #crcs: Uint32Array = new Uint32Array(64);
  #n = 0;
  #cur = 0;

  constructor(log2 = SUM_BLOCK_LOG2) {
    this.block = 2 ** log2;
  }

  feed(b: Uint8Array, from: number, to: number): void {
    const B = this.block;
    while (from < to) {
      const room = B - (this.fed % B);
      const take = Math.min(room, to - from);
      this.#cur = crc32cUpdate(this.#cur, b, from, from + take);
      from += take;
      this.fed += take;
      if (take === room) this.#push();
    }
  }

  #push(): void {
    if (this.#n === this.#crcs.length) {
      const g = new Uint32Array(this.#n * 2);
      g.set(this.#crcs);
      this.#crcs = g;
    }
    this.#crcs[this.#n++] = this.#cur;
    this.#cur = 0;
  }

  /** The CRCs of every block so far, the last one partial if it is. */
  crcs(): Uint32Array {
    const partial = this.fed % this.block !== 0;
    const out = new Uint32Array(this.#n + (partial ? 1 : 0));
    out.set(this.#crcs.subarray(0, this.#n));
    if (partial) out[this.#n] = this.#cur;
    return out;
  }
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = v >>> 24;
}

/** The trailer for the bytes a summer was fed. */
export function encodeTrailer(s: BlockSummer): Uint8Array {
  const crcs = s.crcs();
  const size = trailerSize(s.fed, Math.log2(s.block));
  const out = new Uint8Array(size);
  out.set(SUM_MAGIC, 0);
  out[8] = SUM_VERSION;
  out[9] = Math.log2(s.block);
  put32(out, 10, s.fed % TWO_32);
  put32(out, 14, Math.floor(s.fed / TWO_32));
  let p = 18;
  for (const c of crcs) {
    put32(out, p, c);
    p += 4;
  }
  put32(out, p, crc32cUpdate(0, out, 0, p));
  put32(out, p + 4, size);
  out.set(SUM_MAGIC, p + 8);
  return out;
}

function magicAt(b: Uint8Array, p: number): boolean {
  if (p < 0 || b.length - p < 8) return false;
  for (let i = 0; i < 8; i++) if (b[p + i] !== SUM_MAGIC[i]) return false;
  return true;
}

/**
 * Collects the bytes after the EOF opcode: all of them while they could still
 * be the trailer of the `covered` bytes before, and always the first and last
 * 8 (to tell a damaged trailer from foreign trailing bytes).
 */
export class TrailCollector {
  count = 0;
  readonly #cap: number;
  #kept: Uint8Array[] = [];
  #keptLen = 0;
  #head = new Uint8Array(8);
  #last = new Uint8Array(8);

  constructor(covered: number) {
    this.#cap = trailerSize(covered, 9); // the largest a reader accepts (blocks of 512)
  }

  add(b: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    for (let i = 0; i < n && this.count + i < 8; i++) this.#head[this.count + i] = b[from + i]!;
    if (n >= 8) this.#last = b.slice(to - 8, to);
    else {
      const l = new Uint8Array(8);
      l.set(this.#last.subarray(n), 0);
      l.set(b.subarray(from, to), 8 - n);
      this.#last = l;
    }
    if (this.#keptLen + n <= this.#cap) {
      this.#kept.push(b.slice(from, to));
      this.#keptLen += n;
    }
    this.count += n;
  }

  /**
   * Whether the bytes claim to be a trailer: either magic is there, or they
   * are a (torn) prefix of the start magic.
   */
  claimed(): boolean {
    const n = this.count;
    if (n === 0) return false;
    if (n < 8) {
      for (let i = 0; i < n; i++) if (this.#head[i] !== SUM_MAGIC[i]) return false;
      return true;
    }
    return magicAt(this.#head, 0) || magicAt(this.#last, 0);
  }

  /** All the bytes, if they were all kept. */
  bytes(): Uint8Array | null {
    if (this.#keptLen !== this.count) return null;
    const out = new Uint8Array(this.count);
    let o = 0;
    for (const k of this.#kept) {
      out.set(k, o);
      o += k.length;
    }
    return out;
  }
}

/** A parsed trailer, or why the claimed bytes are not one. */
export type TrailerParse = { crcs: Uint32Array; block: number } | { problem: string };

/** Parses trailer bytes `t` that must cover exactly `covered` bytes. */
export function parseTrailer(t: Uint8Array | null, covered: number): TrailerParse {
  if (t === null || t.length < FIXED) return { problem: "a complete checksum trailer" };
  if (!magicAt(t, 0) || !magicAt(t, t.length - 8)) return { problem: "the KEVYSUMS magics" };
  const end = t.length - 16;
  if (readU32LE(t, end + 4) !== t.length) return { problem: "the trailer's own length" };
  if (crc32cUpdate(0, t, 0, end) !== readU32LE(t, end)) {
    return { problem: "the trailer's own CRC32C" };
  }
  if (t[8] !== SUM_VERSION) return { problem: `trailer version ${SUM_VERSION}` };
  const log2 = t[9]!;
  if (log2 < 9 || log2 > 30) return { problem: "a block size of 2^9..2^30" };
  const d = readU32LE(t, 14) * TWO_32 + readU32LE(t, 10);
  if (d !== covered) {
    return { problem: `a trailer starting right after the EOF opcode (it covers ${d} bytes)` };
  }
  if (trailerSize(covered, log2) !== t.length) return { problem: "one CRC per block" };
  const n = (end - 18) / 4;
  const crcs = new Uint32Array(n);
  for (let i = 0; i < n; i++) crcs[i] = readU32LE(t, 18 + 4 * i);
  return { crcs, block: 2 ** log2 };
}

// One zero byte through the CRC register (the linear part of the CRC).
function zeroStep(r: number): number {
  for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ 0x82f63b78 : r >>> 1;
  return r >>> 0;
}

/**
 * Where one flipped bit in a block of `len` bytes would give the CRC
 * difference `syndrome` (stored XOR computed): `{ byte, bit }` within the
 * block, or null when no single bit explains it.
 */
export function locateBitFlip(
  syndrome: number,
  len: number,
): { byte: number; bit: number } | null {
  // A flip of bit t at byte j changes the CRC by the register after the byte
  // (1 << t) and len-1-j zero bytes, starting from zero; walk j downwards.
  const regs = new Array<number>(8);
  for (let t = 0; t < 8; t++) {
    let r = 1 << t;
    for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ 0x82f63b78 : r >>> 1;
    regs[t] = r >>> 0;
  }
  const s = syndrome >>> 0;
  for (let j = len - 1; j >= 0; j--) {
    for (let t = 0; t < 8; t++) {
      if (regs[t] === s) return { byte: j, bit: t };
      regs[t] = zeroStep(regs[t]!);
    }
  }
  return null;
}

/**
 * Compares computed block CRCs with a trailer's; throws SnapshotChecksumError
 * at the first mismatch (with the flipped bit when one explains it).
 */
export function checkBlocks(
  got: Uint32Array,
  want: { crcs: Uint32Array; block: number },
  covered: number,
  path: string | undefined,
): void {
  for (let k = 0; k < got.length; k++) {
    if (got[k] === want.crcs[k]) continue;
    const start = k * want.block;
    const len = Math.min(want.block, covered - start);
    const flip = locateBitFlip((got[k]! ^ want.crcs[k]!) >>> 0, len);
    throw new SnapshotChecksumError({
      ...(path === undefined ? {} : { path }),
      blockStart: start,
      blockEnd: start + len,
      flip: flip === null ? null : { offset: start + flip.byte, bit: flip.bit },
    });
  }
}
