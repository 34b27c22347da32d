/**
 * The Redis 7 multi-part AOF manifest (`appendonly.aof.manifest`): one line
 * per file, `file <name> seq <n> type b|h|i`, as written by Redis's
 * `aofInfoFormat` (names that need it are quoted with `sdscatrepr` escapes).
 * Parsed with the rules of Redis's `aofLoadManifestFromFile`: `#` lines are
 * comments, every other line is key/value pairs split like `sdssplitargs`,
 * `file`/`seq`/`type` are required, unknown extra keys are ignored (Redis
 * keeps them for forward compatibility), one base at most, incr sequence
 * numbers strictly increasing. Whitespace-only lines are skipped (Redis
 * refuses them; they carry nothing). Pure: no I/O.
 *
 * @module
 */

import { CorruptFileError } from "../codec/errors.ts";

/** Redis's `MANIFEST_MAX_LINE`: longer lines are refused. */
const MAX_LINE = 1024;

/** One file listed in a Redis AOF manifest. */
export interface RedisManifestFile {
  /** The file name (a base name, inside the manifest's directory). */
  name: string;
  /** The sequence number (> 0). */
  seq: number;
  /** `b` base, `h` history (obsolete, awaiting deletion), `i` incremental. */
  type: "b" | "h" | "i";
}

/** A parsed manifest: the files in load order. */
export interface RedisManifest {
  /** The base file, or `null` when none is listed. */
  base: RedisManifestFile | null;
  /** Incremental files, in order (strictly increasing `seq`). */
  incr: RedisManifestFile[];
  /** History files (never loaded). */
  history: RedisManifestFile[];
}

const dec = new TextDecoder();

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0b || c === 0x0c || c === 0x0d;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Splits a line into arguments like Redis's `sdssplitargs`: blanks separate,
 * `"..."` understands `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` and `\<c>`,
 * `'...'` understands `\'`; a closing quote must be followed by a blank.
 * Returns `null` for unbalanced quotes.
 *
 * @example
 * ```ts
 * import { splitRedisArgs } from "./_manifest.ts";
 * const t = new TextEncoder();
 * splitRedisArgs(t.encode('file "a b.aof" seq 1')); // ["file", "a b.aof", "seq", "1"] as bytes
 * ```
 */
export function splitRedisArgs(line: Uint8Array): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let p = 0;
  const n = line.length;
  for (;;) {
    while (p < n && isSpace(line[p]!)) p++;
    if (p >= n || line[p] === 0) return out; // a NUL ends the string, as in C
    const cur: number[] = [];
    let inq = false;
    let insq = false;
    for (;;) {
      const c = p < n ? line[p]! : -1;
      if (inq) {
        if (c === -1) return null;
        if (
          c === 0x5c && p + 3 < n && line[p + 1] === 0x78 && hexVal(line[p + 2]!) >= 0 &&
          hexVal(line[p + 3]!) >= 0
        ) {
          cur.push(hexVal(line[p + 2]!) * 16 + hexVal(line[p + 3]!));
          p += 3;
        } else if (c === 0x5c && p + 1 < n) {
          p++;
          const e = line[p]!;
          cur.push(
            e === 0x6e
              ? 0x0a
              : e === 0x72
              ? 0x0d
              : e === 0x74
              ? 0x09
              : e === 0x62
              ? 0x08
              : e === 0x61
              ? 0x07
              : e,
          );
        } else if (c === 0x22) {
          if (p + 1 < n && !isSpace(line[p + 1]!)) return null;
          p++;
          break;
        } else {
          cur.push(c);
        }
      } else if (insq) {
        if (c === -1) return null;
        if (c === 0x5c && p + 1 < n && line[p + 1] === 0x27) {
          p++;
          cur.push(0x27);
        } else if (c === 0x27) {
          if (p + 1 < n && !isSpace(line[p + 1]!)) return null;
          p++;
          break;
        } else {
          cur.push(c);
        }
      } else {
        if (c === -1 || isSpace(c) || c === 0) break;
        if (c === 0x22) inq = true;
        else if (c === 0x27) insq = true;
        else cur.push(c);
      }
      p++;
    }
    out.push(new Uint8Array(cur));
  }
}

/**
 * Parses a Redis 7 AOF manifest. Throws `CorruptFileError` (with the line's
 * offset) for anything Redis would refuse: a line without `file`, `seq` and
 * `type`, an odd number of tokens, a name with a `/`, an unknown type, two
 * bases, non-increasing incr sequence numbers, or an empty manifest.
 *
 * @example
 * ```ts
 * import { parseRedisManifest } from "./_manifest.ts";
 * const m = parseRedisManifest(
 *   new TextEncoder().encode("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"),
 *   "appendonly.aof.manifest",
 * );
 * m.base?.name; // "appendonly.aof.1.base.aof"
 * m.incr.length; // 1
 * ```
 */
export function parseRedisManifest(bytes: Uint8Array, path: string): RedisManifest {
  const m: RedisManifest = { base: null, incr: [], history: [] };
  let maxSeq = 0;
  let files = 0;
  const fail = (offset: number, expected: string): never => {
    throw new CorruptFileError({ path, offset, expected, bytes: bytes.subarray(offset) });
  };
  for (let at = 0; at < bytes.length;) {
    let nl = bytes.indexOf(0x0a, at);
    if (nl < 0) nl = bytes.length;
    const line = bytes.subarray(at, nl);
    const lineAt = at;
    at = nl + 1;
    if (line.length > MAX_LINE) fail(lineAt, `a manifest line of at most ${MAX_LINE} bytes`);
    const nul = line.indexOf(0);
    if (nul >= 0) fail(lineAt + nul, "no NUL byte in a manifest line");
    if (line[0] === 0x23) continue; // '#': a comment
    const args = splitRedisArgs(line);
    if (args === null) fail(lineAt, "balanced quotes in the manifest line");
    if (args!.length === 0) continue;
    if (args!.length < 6 || args!.length % 2 !== 0) {
      fail(lineAt, "a manifest line 'file <name> seq <n> type b|h|i'");
    }
    let name: string | null = null;
    let seq = 0;
    let type = "";
    for (let i = 0; i < args!.length; i += 2) {
      const k = dec.decode(args![i]!).toLowerCase();
      const v = args![i + 1]!;
      if (k === "file") name = dec.decode(v);
      else if (k === "seq") seq = /^[0-9]{1,15}$/.test(dec.decode(v)) ? Number(dec.decode(v)) : 0;
      else if (k === "type") type = dec.decode(v);
      // Other keys: ignored, as Redis does (forward compatibility).
    }
    if (name === null || name === "" || seq <= 0 || type === "") {
      fail(lineAt, "a manifest line with 'file <name>', 'seq <n > 0>' and 'type b|h|i'");
    }
    if (name!.includes("/") || name === "." || name === "..") {
      fail(lineAt, "a file name without a directory part");
    }
    const file = { name: name!, seq, type: type as "b" | "h" | "i" };
    if (type === "b") {
      if (m.base !== null) fail(lineAt, "a single base file (found a second 'type b' line)");
      m.base = file;
    } else if (type === "h") {
      m.history.push(file);
    } else if (type === "i") {
      if (seq <= maxSeq) fail(lineAt, `an incr sequence number above ${maxSeq}`);
      maxSeq = seq;
      m.incr.push(file);
    } else {
      fail(lineAt, "file type 'b' (base), 'h' (history) or 'i' (incr)");
    }
    files++;
  }
  if (files === 0) fail(0, "at least one file line (the manifest is empty)");
  return m;
}
