// Test data: RDB files assembled record by record (for opcodes and
// encodings our writer does not emit), and a decoder run that collects all.
import { Crc64 } from "../../src/codec/crc64.ts";
import {
  RedisRdbDecoder,
  type RedisRdbDecoderOptions,
  type RedisRdbStats,
} from "../../src/codec/redis_rdb.ts";
import type { Entry } from "../../src/codec/types.ts";
import { RdbOut } from "../../src/codec/_rdb_out.ts";

/** Builds an RDB: header, records appended with the helpers, `finish()` adds EOF and the CRC. */
export class RdbBuilder {
  readonly out = new RdbOut(false);

  constructor(version = 10) {
    this.out.raw(new TextEncoder().encode(`REDIS${String(version).padStart(4, "0")}`));
  }

  u8(...bytes: number[]): this {
    for (const b of bytes) this.out.u8(b);
    return this;
  }

  len(n: number | bigint): this {
    this.out.len(n);
    return this;
  }

  str(s: string | Uint8Array): this {
    this.out.len(typeof s === "string" ? new TextEncoder().encode(s).length : s.length);
    this.out.raw(typeof s === "string" ? new TextEncoder().encode(s) : s);
    return this;
  }

  i64(v: number | bigint): this {
    this.out.i64(v);
    return this;
  }

  /** EOF, then the CRC-64 (or `crc` bytes as given, e.g. zeros). */
  finish(crc?: Uint8Array): Uint8Array {
    this.out.u8(0xff);
    const body = this.out.take();
    const tail = new Uint8Array(8);
    if (crc !== undefined) tail.set(crc);
    else new Crc64().update(body).writeLE(tail, 0);
    const all = new Uint8Array(body.length + 8);
    all.set(body);
    all.set(tail, body.length);
    return all;
  }

  /** The bytes so far (no EOF): for files before version 5, or truncated ones. */
  bytes(): Uint8Array {
    return this.out.buf.slice(0, this.out.pos);
  }
}

/** What a decode run saw. */
export interface Decoded {
  entries: Array<
    {
      db: number;
      entry: Entry;
      type: number;
      idle: number | null;
      freq: number | null;
      offset: number;
    }
  >;
  aux: Array<[string, string]>;
  stats: RedisRdbStats;
}

/** Decodes `bytes` pushed in chunks of `chunk` bytes. */
export function decode(
  bytes: Uint8Array,
  opts: Partial<RedisRdbDecoderOptions> = {},
  chunk = bytes.length || 1,
): Decoded {
  const td = new TextDecoder();
  const out: Decoded = { entries: [], aux: [], stats: undefined as unknown as RedisRdbStats };
  const dec = new RedisRdbDecoder({
    onEntry: (entry, i) =>
      out.entries.push({
        db: i.db,
        entry,
        type: i.type,
        idle: i.idle,
        freq: i.freq,
        offset: i.offset,
      }),
    onAux: (k, v) => out.aux.push([td.decode(k), td.decode(v)]),
    ...opts,
  });
  for (let i = 0; i < bytes.length; i += chunk) dec.push(bytes.subarray(i, i + chunk));
  out.stats = dec.finish();
  return out;
}
