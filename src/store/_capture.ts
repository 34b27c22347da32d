// Private: a point-in-time copy of the store's records for the snapshot
// encoder. String records stay byte ranges of the (append-only, so frozen)
// arena; collections are converted to the neutral layout now, because they
// are mutated in place later. Cost: a few typed-array copies, no per-key
// objects for strings.
import type { RecordCursor } from "../codec/_snapshot_writer.ts";
import type { Entry } from "../codec/types.ts";
import { HOLE, type KeyIndex, STR } from "./_index.ts";
import { toNeutral } from "./_neutral.ts";

const EMPTY = new Uint8Array(0);

class Captured implements RecordCursor {
  entry: Entry | null = null;
  deadline: number | null = null;
  kbuf: Uint8Array;
  koff = 0;
  klen = 0;
  vbuf: Uint8Array = EMPTY;
  voff = 0;
  vlen = 0;
  #i = -1;
  readonly #n: number;
  readonly #kind: Uint8Array;
  readonly #koff: Uint32Array;
  readonly #klen: Uint32Array;
  readonly #voff: Uint32Array;
  readonly #vlen: Uint32Array;
  readonly #dl: Float64Array | null;
  readonly #objs: Array<Entry | Uint8Array | undefined> | null;

  constructor(ix: KeyIndex) {
    const n = ix.n;
    this.#n = n;
    this.kbuf = ix.arena;
    this.#kind = ix.kind.slice(0, n);
    this.#koff = ix.koff.slice(0, n);
    this.#klen = ix.klen.slice(0, n);
    this.#voff = ix.voff.slice(0, n);
    this.#vlen = ix.vlen.slice(0, n);
    this.#dl = ix.ttlCount === 0 || ix.dl === null ? null : ix.dl.slice(0, n);
    const objs = ix.objs;
    if (objs === null) this.#objs = null;
    else {
      const out = this.#objs = new Array<Entry | Uint8Array | undefined>(n);
      for (let i = 0; i < n; i++) {
        const k = this.#kind[i]!;
        if (k === HOLE || k === STR) continue;
        const v = objs[i];
        if (v instanceof Uint8Array) out[i] = v;
        else {
          const d = this.#dl === null ? NaN : this.#dl[i]!;
          out[i] = { key: ix.key(i), value: toNeutral(v), deadline: d === d ? d : null };
        }
      }
    }
  }

  next(): boolean {
    const kind = this.#kind;
    let i = this.#i + 1;
    while (i < this.#n && kind[i] === HOLE) i++;
    this.#i = i;
    if (i >= this.#n) return false;
    const dl = this.#dl;
    const d = dl === null ? NaN : dl[i]!;
    this.deadline = d === d ? d : null;
    this.koff = this.#koff[i]!;
    this.klen = this.#klen[i]!;
    if (kind[i] === STR) {
      this.entry = null;
      this.vbuf = this.kbuf;
      this.voff = this.#voff[i]!;
      this.vlen = this.#vlen[i]!;
      return true;
    }
    const o = this.#objs![i]!;
    if (o instanceof Uint8Array) {
      this.entry = null;
      this.vbuf = o;
      this.voff = 0;
      this.vlen = o.length;
    } else this.entry = o;
    return true;
  }
}

/** The live records of `ix` now (expired ones must have been removed). */
export function captureRecords(ix: KeyIndex): RecordCursor {
  return new Captured(ix);
}
