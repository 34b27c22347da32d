// One key of a migration as one bulk job: the frames that write it, and
// how to read its replies.
//
// Command payload (any server):
// - a string: `SET k v [PXAT ms]`, with `NX` unless replacing (a nil reply
//   then says the key was already there);
// - a collection or a stream, replacing: `DEL k`, then the commands that
//   rebuild it (`entryToCommands`, `streamToCommands`), TTL last;
// - a collection or a stream, not replacing: the same commands inside one
//   `EVAL` that runs them only if the key does not exist (atomic, so a
//   re-run never doubles a list and never touches a key it did not write).
// RESTORE payload (a server that takes our DUMP version):
//   `RESTORE k <deadline|0> <payload> ABSTTL [REPLACE]`; BUSYKEY = exists.
import { ByteWriter } from "../codec/bytes.ts";
import { encodeCommandInto } from "../codec/resp.ts";
import { writerInternals } from "../codec/bytes_util.ts";
import type { Entry } from "../codec/types.ts";
import type { BulkJob } from "../net/bulk.ts";
import { entryToCommands } from "../persist/rewrite_commands.ts";
import { keyHashSlot } from "../shard/routing.ts";
import { streamToCommands } from "./_stream_commands.ts";
import type { StringRecords } from "../persist/string_records.ts";
import {
  decimalLength,
  headSize,
  putBulk,
  putConst,
  putDecimal,
  putHead,
} from "../codec/resp_put.ts";

/** How a job's replies say "the key was already there". */
export type ExistsSignal = "nil" | "zero" | "busykey" | "none";

/** A bulk job for one key, or for a group of string keys (one `MSETNX`/`MSET`). */
export interface KeyJob extends BulkJob {
  /** A group's keys (`MSETNX`/`MSET` of strings without TTL), else undefined. */
  keys?: Uint8Array[];
  /** The key. */
  key: Uint8Array;
  /** The entry written (kept for comparing a key that was already there), or null. */
  entry: Entry | null;
  /** Which reply (index) tells whether the key existed, and how. */
  exists: ExistsSignal;
  /** Pending stream entries that commands could not carry. */
  lost: number;
  /** Written with RESTORE (a server refusing the payload gets the commands instead). */
  restore?: boolean;
}

const enc = new TextEncoder();
const B = (s: string): Uint8Array => enc.encode(s);
const SET = B("SET"), NX = B("NX"), PXAT = B("PXAT"), DEL = B("DEL"), EVAL = B("EVAL");
const ONE = B("1"), RESTORE = B("RESTORE"), ABSTTL = B("ABSTTL"), REPLACE = B("REPLACE");
const ZERO = B("0");

/**
 * Runs the commands packed in ARGV (each preceded by its argument count)
 * unless KEYS[1] exists: 1 when written, 0 when the key was there.
 * `unpack` gets at most one command's arguments (at most 130 here).
 */
const GUARD = B(
  "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end " +
    "local i = 1 local n = #ARGV " +
    "while i <= n do local c = tonumber(ARGV[i]) " +
    "redis.call(unpack(ARGV, i + 1, i + c)) i = i + c + 1 end return 1",
);

/** The commands that rebuild a non-string entry (no DEL), and the stream entries they lose. */
function rebuild(entry: Entry): { commands: Uint8Array[][]; lost: number } {
  if (entry.value.type === "stream") {
    const r = streamToCommands(entry);
    return { commands: r.commands, lost: r.loss.deletedPending };
  }
  // Field TTLs come as HPEXPIREAT (Redis 7.4); an older server refuses them loudly.
  const commands = entryToCommands(entry);
  return { commands, lost: 0 };
}

/** True when the entry is an empty collection (Redis cannot hold one). */
export function isEmptyCollection(e: Entry): boolean {
  const v = e.value;
  if (v.type === "string" || v.type === "stream") return false;
  return v.value.length === 0;
}

/** Encodes one entry into `w` (appending) and returns its job; the caller sets `frames` to the bytes appended. */
export type Encoder = (entry: Entry, replace: boolean, w: ByteWriter) => Omit<KeyJob, "frames">;

/** Encodes `entry` with the command payload into `w` (appending) and returns its job (frames set by the caller). */
export function commandJob(entry: Entry, replace: boolean, w: ByteWriter): Omit<KeyJob, "frames"> {
  const key = entry.key;
  const slot = keyHashSlot(key);
  if (entry.value.type === "string") {
    // Decimal numbers go as strings: encodeCommandInto writes ASCII in place (no TextEncoder call).
    const argv: Array<Uint8Array | string> = [SET, key, entry.value.value];
    if (!replace) argv.push(NX);
    if (entry.deadline !== null) argv.push(PXAT, String(Math.trunc(entry.deadline)));
    encodeCommandInto(w, argv);
    return { key, entry, slot, count: 1, exists: replace ? "none" : "nil", lost: 0 };
  }
  const { commands, lost } = rebuild(entry);
  if (replace) {
    encodeCommandInto(w, [DEL, key]);
    for (const c of commands) encodeCommandInto(w, c);
    return { key, entry, slot, count: 1 + commands.length, exists: "none", lost };
  }
  const argv: Array<Uint8Array | string> = [EVAL, GUARD, ONE, key];
  for (const c of commands) argv.push(String(c.length), ...c);
  encodeCommandInto(w, argv);
  return { key, entry, slot, count: 1, exists: "zero", lost };
}

/** Encodes `entry` as `RESTORE` of `payload` into `w` and returns its job (frames set by the caller). */
export function restoreJob(
  entry: Entry,
  payload: Uint8Array,
  replace: boolean,
  w: ByteWriter,
): Omit<KeyJob, "frames"> {
  const key = entry.key;
  const ttl = entry.deadline === null ? ZERO : String(Math.trunc(entry.deadline));
  const argv: Array<Uint8Array | string> = [RESTORE, key, ttl, payload, ABSTTL];
  if (replace) argv.push(REPLACE);
  encodeCommandInto(w, argv);
  return {
    key,
    entry,
    slot: keyHashSlot(key),
    count: 1,
    exists: replace ? "none" : "busykey",
    restore: true,
    lost: 0,
  };
}

/** A writer for encoding a run of jobs whose frames are views of one buffer. */
export function jobWriter(): ByteWriter {
  return new ByteWriter(256 * 1024);
}

const SET3 = new TextEncoder().encode("$3\r\nSET\r\n");
const NX_BULK = new TextEncoder().encode("$2\r\nNX\r\n");
const PXAT_BULK = new TextEncoder().encode("$4\r\nPXAT\r\n");

/**
 * Writes `SET key value [NX] [PXAT ms]` for a string record given as byte
 * ranges (a store's arena) straight into `w`: the same bytes as
 * {@link commandJob} for a string entry, without an Entry or argv.
 */
export function writeStringRecord(
  w: ByteWriter,
  kbuf: Uint8Array,
  koff: number,
  klen: number,
  vbuf: Uint8Array,
  voff: number,
  vlen: number,
  deadline: number | null,
  replace: boolean,
): void {
  const ms = deadline === null ? -1 : Math.trunc(deadline);
  const argc = 3 + (replace ? 0 : 1) + (ms >= 0 ? 2 : 0);
  const dl = ms >= 0 ? decimalLength(ms) : 0;
  // Sized exactly: `*N\r\n`, the verb, two bulks, NX, `PXAT` and the deadline's bulk.
  const size = 4 + SET3.length + 5 + decimalLength(klen) + klen + 5 + decimalLength(vlen) + vlen +
    (replace ? 0 : NX_BULK.length) + (ms >= 0 ? PXAT_BULK.length + 5 + decimalLength(dl) + dl : 0);
  let p = writerInternals.reserve(w, size);
  const buf = writerInternals.buffer(w);
  buf[p] = 0x2a; // *
  buf[p + 1] = 0x30 + argc;
  buf[p + 2] = 13;
  buf[p + 3] = 10;
  p = putConst(buf, p + 4, SET3);
  p = putBulk(buf, p, kbuf, koff, klen);
  p = putBulk(buf, p, vbuf, voff, vlen);
  if (!replace) p = putConst(buf, p, NX_BULK);
  if (ms >= 0) {
    p = putConst(buf, p, PXAT_BULK);
    buf[p] = 0x24;
    p = putDecimal(buf, p + 1, dl);
    buf[p] = 13;
    buf[p + 1] = 10;
    p = putDecimal(buf, p + 2, ms);
    buf[p] = 13;
    buf[p + 1] = 10;
  }
}

const MSETNX = new TextEncoder().encode("$6\r\nMSETNX\r\n");
const MSET = new TextEncoder().encode("$4\r\nMSET\r\n");

/**
 * Writes `MSETNX k1 v1 ... kn vn` (`MSET` when replacing) for the string
 * records `idx[from, to)` of `recs` (none with a deadline) straight into `w`:
 * one command for many keys costs the server much less than a SET per key
 * (MSETNX sets all or none: a 0 reply means some key was already there).
 */
export function writeStringGroup(
  w: ByteWriter,
  recs: StringRecords,
  idx: Int32Array,
  from: number,
  to: number,
  replace: boolean,
): void {
  const argc = 1 + 2 * (to - from);
  const verb = replace ? MSET : MSETNX;
  let size = headSize(argc, verb);
  for (let j = from; j < to; j++) {
    const i = idx[j]!;
    const kl = recs.keyLength(i), vl = recs.valueLength(i);
    size += 10 + decimalLength(kl) + kl + decimalLength(vl) + vl;
  }
  const at = writerInternals.reserve(w, size);
  const buf = writerInternals.buffer(w); // after reserve: it may grow the buffer
  let p = putHead(buf, at, argc, verb);
  for (let j = from; j < to; j++) {
    const i = idx[j]!;
    const c = recs.chunkOf(i);
    p = putBulk(buf, p, c, recs.keyOffset(i), recs.keyLength(i));
    p = putBulk(buf, p, c, recs.valueOffset(i), recs.valueLength(i));
  }
}
