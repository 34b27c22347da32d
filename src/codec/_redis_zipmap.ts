// Private: Redis zipmaps (RDB v1-v3 small hashes, type 9). Layout: a count
// byte (254: count not kept), then field and value pairs, each a length (one
// byte below 254, else 254 and u32 LE) and bytes, the value also followed by
// a "free" byte and that many unused bytes; 0xFF ends it. Checked like
// Redis's deep sanitization (everything inside, not empty, count), plus
// duplicate fields, which Redis refuses when it converts the zipmap.
import { CorruptFileError } from "./errors.ts";
import { DupCheck } from "./_redis_dups.ts";

const dupCheck = new DupCheck();

function fail(b: Uint8Array, start: number, at: number, expected: string): never {
  throw new CorruptFileError({ offset: at - start, expected, bytes: b.subarray(at, at + 16) });
}

/** The field/value pairs of the zipmap `b[start, end)` (views of `b`). */
export function decodeZipmap(
  b: Uint8Array,
  start: number,
  end: number,
): Array<[Uint8Array, Uint8Array]> {
  const size = end - start;
  if (size < 2) fail(b, start, start, "a zipmap of at least 2 bytes");
  const last = end - 1;
  if (b[last] !== 0xff) fail(b, start, last, "the zipmap terminator 0xff");
  const out: Array<[Uint8Array, Uint8Array]> = [];
  dupCheck.reset();
  let p = start + 1;
  const len = (at: number): [number, number] => {
    if (b[at]! < 254) return [b[at]!, 1];
    if (b[at] === 255) fail(b, start, at, "a zipmap length before the terminator");
    if (at + 5 > last) fail(b, start, at, "a 5-byte zipmap length inside the zipmap");
    return [(b[at + 1]! | (b[at + 2]! << 8) | (b[at + 3]! << 16) | (b[at + 4]! << 24)) >>> 0, 5];
  };
  while (b[p] !== 0xff) {
    const at = p;
    const [fl, fs] = len(p);
    const f = p + fs;
    p = f + fl;
    if (p >= last) fail(b, start, at, "a zipmap field inside the zipmap");
    const [vl, vs] = len(p);
    p += vs;
    if (p >= last) fail(b, start, at, "a zipmap value inside the zipmap");
    const free = b[p++]!;
    const v = p;
    p += vl + free;
    if (p > last) fail(b, start, at, "a zipmap value inside the zipmap");
    const field = b.subarray(f, f + fl);
    if (!dupCheck.add(b, f, fl)) fail(b, start, at, "zipmap fields without duplicates");
    out.push([field, b.subarray(v, v + vl)]);
  }
  if (p !== last) fail(b, start, p, "the zipmap terminator only at the end");
  if (out.length === 0) fail(b, start, start, "a non-empty zipmap");
  if (b[start] !== 254 && b[start] !== out.length) {
    fail(b, start, start, `zipmap header count ${out.length} (it says ${b[start]})`);
  }
  return out;
}
