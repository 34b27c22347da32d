// HyperLogLog values as Redis 7 stores them in a string, byte for byte:
// a 16-byte header ("HYLL", encoding, 3 unused bytes, cached cardinality
// little-endian with bit 63 = "stale"), then 16384 six-bit registers, either
// dense (packed from the low bits of each byte up) or sparse (run-length
// opcodes ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx). Updates
// follow Redis's in-place edit rules exactly (where an opcode splits, which
// neighbours merge, when it turns dense), because the bytes are the value.

const P = 14;
/** Registers. */
export const HLL_REGISTERS: number = 1 << P;
const HDR = 16;
/** Size of a dense HLL string. */
export const HLL_DENSE_SIZE: number = HDR + ((HLL_REGISTERS * 6 + 7) >> 3);
/** Redis's default hll-sparse-max-bytes: a sparse HLL never grows past it. */
export const HLL_SPARSE_MAX_BYTES = 3000;
const DENSE = 0, SPARSE = 1;
const VAL_MAX = 32, VAL_MAX_LEN = 4, ZERO_MAX_LEN = 64, XZERO_MAX_LEN = 16384;

const M64 = (1n << 64n) - 1n;
const MUL = 0xc6a4a7935bd1e995n;

/** MurmurHash64A (Redis's endian-neutral variant, little-endian words). */
export function murmur64a(data: Uint8Array, seed: bigint): bigint {
  const len = data.length;
  let h = (seed ^ (BigInt(len) * MUL)) & M64;
  const whole = len - (len & 7);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < whole; i += 8) {
    let k = dv.getBigUint64(i, true);
    k = (k * MUL) & M64;
    k ^= k >> 47n;
    k = (k * MUL) & M64;
    h ^= k;
    h = (h * MUL) & M64;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) h ^= BigInt(data[whole + i]!) << BigInt(8 * i);
    h = (h * MUL) & M64;
  }
  h ^= h >> 47n;
  h = (h * MUL) & M64;
  h ^= h >> 47n;
  return h;
}

/** The register an element lands in and its run length ("000..1" of the remaining hash bits). */
export function patLen(ele: Uint8Array): { index: number; count: number } {
  let hash = murmur64a(ele, 0xadc83b19n);
  const index = Number(hash & BigInt(HLL_REGISTERS - 1));
  hash >>= BigInt(P);
  hash |= 1n << BigInt(64 - P);
  let count = 1;
  while ((hash & 1n) === 0n) {
    count++;
    hash >>= 1n;
  }
  return { index, count };
}

/** Why an HLL string is refused. */
export const NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
/** A sparse HLL whose opcodes do not cover exactly 16384 registers. */
export const INVALID_HLL = "INVALIDOBJ Corrupted HLL object detected";

/** Whether `s` passes Redis's HLL checks (magic, encoding, dense length). */
export function isHll(s: Uint8Array): boolean {
  if (s.length < HDR) return false;
  if (s[0] !== 0x48 || s[1] !== 0x59 || s[2] !== 0x4c || s[3] !== 0x4c) return false;
  if (s[4]! > SPARSE) return false;
  return s[4] !== DENSE || s.length === HLL_DENSE_SIZE;
}

/** A mutable HLL string being edited (a private copy; `bytes()` is the result). */
export class HllWork {
  #b: Uint8Array;
  #n: number;

  /** A copy of `s` (an HLL string), or a new empty sparse HLL. */
  constructor(s?: Uint8Array) {
    if (s === undefined) {
      // Empty: XZERO:16384, encoded as 0x7f 0xff.
      const b = new Uint8Array(HDR + 2);
      b.set([0x48, 0x59, 0x4c, 0x4c, SPARSE]);
      b[HDR] = 0x40 | ((XZERO_MAX_LEN - 1) >> 8);
      b[HDR + 1] = (XZERO_MAX_LEN - 1) & 0xff;
      this.#b = b;
      this.#n = b.length;
    } else {
      this.#b = new Uint8Array(s.length + 8);
      this.#b.set(s);
      this.#n = s.length;
    }
  }

  /** The HLL string as it stands. */
  bytes(): Uint8Array {
    return this.#b.slice(0, this.#n);
  }

  /** Dense encoding? */
  get dense(): boolean {
    return this.#b[4] === DENSE;
  }

  /** Marks the cached cardinality stale. */
  invalidate(): void {
    this.#b[15] = this.#b[15]! | 0x80;
  }

  /** The cached cardinality, or null when stale. */
  cached(): bigint | null {
    if ((this.#b[15]! & 0x80) !== 0) return null;
    return new DataView(this.#b.buffer).getBigUint64(8, true);
  }

  /** Stores a freshly computed cardinality (valid cache). */
  setCached(card: bigint): void {
    new DataView(this.#b.buffer).setBigUint64(8, card, true);
  }

  #at(i: number): number {
    return i < this.#n ? this.#b[i]! : 0; // like the sds terminator past the end
  }

  /** Dense register `r`. */
  #get(r: number): number {
    const byte = HDR + ((r * 6) >> 3), fb = (r * 6) & 7;
    return ((this.#at(byte) >> fb) | (this.#at(byte + 1) << (8 - fb))) & 63;
  }

  #put(r: number, v: number): void {
    const b = this.#b, byte = HDR + ((r * 6) >> 3), fb = (r * 6) & 7;
    b[byte] = (b[byte]! & ~(63 << fb)) | ((v << fb) & 0xff);
    if (byte + 1 < this.#n) b[byte + 1] = (b[byte + 1]! & ~(63 >> (8 - fb))) | (v >> (8 - fb));
  }

  #grow(extra: number): void {
    if (this.#n + extra <= this.#b.length) return;
    const nb = new Uint8Array(Math.max(this.#b.length * 2, this.#n + extra));
    nb.set(this.#b.subarray(0, this.#n));
    this.#b = nb;
  }

  /** Sparse to dense (header and cache kept); false if the opcodes are invalid. */
  toDense(): boolean {
    if (this.dense) return true;
    const regs = this.registers();
    if (regs === null) return false;
    const b = new Uint8Array(HLL_DENSE_SIZE + 8);
    b.set(this.#b.subarray(0, HDR));
    b[4] = DENSE;
    this.#b = b;
    this.#n = HLL_DENSE_SIZE;
    for (let r = 0; r < HLL_REGISTERS; r++) if (regs[r] !== 0) this.#put(r, regs[r]!);
    return true;
  }

  /** Every register's value, or null for an invalid sparse HLL. */
  registers(): Uint8Array | null {
    const out = new Uint8Array(HLL_REGISTERS);
    if (this.dense) {
      for (let r = 0; r < HLL_REGISTERS; r++) out[r] = this.#get(r);
      return out;
    }
    let idx = 0;
    for (let p = HDR; p < this.#n;) {
      const op = this.#b[p]!;
      if ((op & 0xc0) === 0) {
        idx += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0xc0) === 0x40) {
        idx += (((op & 0x3f) << 8) | this.#at(p + 1)) + 1;
        p += 2;
      } else {
        const len = (op & 3) + 1, val = ((op >> 2) & 0x1f) + 1;
        if (idx + len > HLL_REGISTERS) break;
        for (let i = 0; i < len; i++) out[idx++] = val;
        p++;
      }
    }
    return idx === HLL_REGISTERS ? out : null;
  }

  /** Raises register `index` to `count`: 1 if it changed, 0 if not, -1 for a corrupt HLL. */
  set(index: number, count: number): number {
    if (this.dense) {
      if (count <= this.#get(index)) return 0;
      this.#put(index, count);
      return 1;
    }
    return this.#sparseSet(index, count);
  }

  #promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    this.#put(index, Math.max(count, this.#get(index)));
    return 1;
  }

  #sparseSet(index: number, count: number): number {
    if (count > VAL_MAX) return this.#promote(index, count);
    this.#grow(3);
    const b = this.#b;
    // Find the opcode covering `index`.
    let p = HDR, first = 0, prev = -1, span = 0, oplen = 1;
    while (p < this.#n) {
      const op = b[p]!;
      oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if (op & 0x80) span = (op & 3) + 1;
      else {
        span = (((op & 0x3f) << 8) | this.#at(p + 1)) + 1;
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= this.#n) return -1;
    const op = b[p]!;
    const isZero = (op & 0xc0) === 0, isXzero = (op & 0xc0) === 0x40, isVal = !isZero && !isXzero;
    const next = p + (isXzero ? 2 : 1) < this.#n ? p + (isXzero ? 2 : 1) : -1;
    const runlen = span;
    let done = false;
    if (isVal) {
      const old = ((op >> 2) & 0x1f) + 1;
      if (old >= count) return 0;
      if (runlen === 1) {
        b[p] = valOp(count, 1);
        done = true;
      }
    }
    if (!done && isZero && runlen === 1) {
      b[p] = valOp(count, 1);
      done = true;
    }
    if (!done) {
      // Split the opcode around `index` into at most three.
      const seq: number[] = [];
      const last = first + span - 1;
      const zeros = (len: number) => {
        if (len > ZERO_MAX_LEN) seq.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
        else seq.push(len - 1);
      };
      if (isVal) {
        const cur = ((op >> 2) & 0x1f) + 1;
        if (index !== first) seq.push(valOp(cur, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(cur, last - index));
      } else {
        if (index !== first) zeros(index - first);
        seq.push(valOp(count, 1));
        if (index !== last) zeros(last - index);
      }
      const delta = seq.length - (isXzero ? 2 : 1);
      if (delta > 0 && this.#n + delta > HLL_SPARSE_MAX_BYTES) return this.#promote(index, count);
      if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, this.#n);
      this.#n += delta;
      b.set(seq, p);
    }
    // Merge equal adjacent VALs, looking at up to five opcodes from `prev`.
    let q = prev >= 0 ? prev : HDR;
    for (let scan = 5; q < this.#n && scan-- > 0;) {
      const o = b[q]!;
      if ((o & 0xc0) === 0x40) {
        q += 2;
        continue;
      }
      if ((o & 0xc0) === 0) {
        q++;
        continue;
      }
      if (q + 1 < this.#n && (b[q + 1]! & 0x80)) {
        const v1 = ((o >> 2) & 0x1f) + 1, v2 = ((b[q + 1]! >> 2) & 0x1f) + 1;
        const len = (o & 3) + 1 + (b[q + 1]! & 3) + 1;
        if (v1 === v2 && len <= VAL_MAX_LEN) {
          b[q + 1] = valOp(v1, len);
          b.copyWithin(q, q + 1, this.#n);
          this.#n--;
          continue;
        }
      }
      q++;
    }
    this.invalidate();
    return 1;
  }

  /** Register histogram; null for an invalid sparse HLL (the opcodes miss the total). */
  histogram(): number[] | null {
    const h = new Array<number>(64).fill(0);
    if (this.dense) {
      for (let r = 0; r < HLL_REGISTERS; r++) h[this.#get(r)]!++;
      return h;
    }
    let idx = 0;
    for (let p = HDR; p < this.#n;) {
      const op = this.#b[p]!;
      if ((op & 0xc0) === 0) {
        const len = (op & 0x3f) + 1;
        idx += len;
        h[0]! += len;
        p++;
      } else if ((op & 0xc0) === 0x40) {
        const len = (((op & 0x3f) << 8) | this.#at(p + 1)) + 1;
        idx += len;
        h[0]! += len;
        p += 2;
      } else {
        const len = (op & 3) + 1;
        idx += len;
        h[((op >> 2) & 0x1f) + 1]! += len;
        p++;
      }
    }
    return idx === HLL_REGISTERS ? h : null;
  }
}

function valOp(val: number, len: number): number {
  return 0x80 | ((val - 1) << 2) | (len - 1);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1, z = x, zPrev: number;
  do {
    x *= x;
    zPrev = z;
    z += x * y;
    y += y;
  } while (zPrev !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1, z = 1 - x, zPrev: number;
  do {
    x = Math.sqrt(x);
    zPrev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (zPrev !== z);
  return z / 3;
}

/** The estimate from a register histogram (Ertl's improved estimator, as Redis 7). */
export function estimate(h: readonly number[]): bigint {
  const m = HLL_REGISTERS, q = 64 - P;
  let z = m * tau((m - h[q + 1]!) / m);
  for (let j = q; j >= 1; j--) {
    z += h[j]!;
    z *= 0.5;
  }
  z += m * sigma(h[0]! / m);
  return BigInt(Math.round(0.721347520444481703680 * m * m / z));
}

/** The histogram of plain register values (a merge of several HLLs). */
export function histogramOf(regs: Uint8Array): number[] {
  const h = new Array<number>(64).fill(0);
  for (let r = 0; r < regs.length; r++) h[regs[r]!]!++;
  return h;
}
