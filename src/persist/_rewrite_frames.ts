// Private: the compacted log's bytes (header + the keyspace as commands), in
// pieces of about REWRITE_WRITE_BYTES. For a store's frozen records (a
// RecordCursor) string records become SET (+ PEXPIREAT) frames written
// straight from the arena bytes: no Entry objects, no argv arrays. Every other
// record goes through entryToCommands, so the bytes are exactly those of the
// entry path.
import type { Entry } from "../codec/types.ts";
import { ByteWriter } from "../codec/bytes.ts";
import { writerInternals } from "../codec/bytes_util.ts";
import { AOF_MAGIC, encodeCommandInto } from "../codec/resp.ts";
import { AOF2_MAGIC, AOF2_RECORD_HEADER, encodeRecordInto } from "../codec/aof2.ts";
import { crc32cUpdate } from "../codec/crc32c.ts";
import {
  cursorEntry,
  RECORD_CURSOR,
  type RecordCursor,
  type RecordSource,
} from "../codec/snapshot_writer.ts";
import { entryToCommands } from "./rewrite_commands.ts";
import { streamFrames } from "./_rewrite_stream.ts";
import { bulkSize, putBulk } from "../codec/resp_put.ts";

/**
 * Flush threshold of the rewrite writer: each piece is one synchronous step
 * of an async rewrite, so this bounds how long it holds the event loop
 * (64 KiB of SET frames: well under a millisecond warm).
 */
export const REWRITE_WRITE_BYTES = 1 << 16;

const enc = new TextEncoder();
/** `*3\r\n$3\r\nSET\r\n` */
const SET_HEAD = enc.encode("*3\r\n$3\r\nSET\r\n");
/** `*3\r\n$9\r\nPEXPIREAT\r\n` */
const PEXPIREAT_HEAD = enc.encode("*3\r\n$9\r\nPEXPIREAT\r\n");
const PEXPIREAT = enc.encode("PEXPIREAT");

/** A three-argument frame `head` + two bulk strings, reserved once. */
function frame3(
  w: ByteWriter,
  head: Uint8Array,
  a: Uint8Array,
  ao: number,
  al: number,
  b: Uint8Array,
  bo: number,
  bl: number,
): void {
  let p = writerInternals.reserve(w, head.length + bulkSize(al) + bulkSize(bl));
  const buf = writerInternals.buffer(w);
  for (let i = 0; i < head.length; i++) buf[p + i] = head[i]!;
  p = putBulk(buf, p + head.length, a, ao, al);
  putBulk(buf, p, b, bo, bl);
}

/** v2: room for a record header before the next frame; returns where it is (or -1 for v1). */
function open(w: ByteWriter, v2: boolean): number {
  return v2 ? writerInternals.reserve(w, AOF2_RECORD_HEADER) : -1;
}

/** v2: fills the record header at `at` for the frame written since (length, CRC32C). */
function seal(w: ByteWriter, at: number): void {
  if (at < 0) return;
  const buf = writerInternals.buffer(w);
  const s = at + AOF2_RECORD_HEADER, end = w.length, len = end - s;
  const crc = crc32cUpdate(0, buf, s, end);
  for (let i = 0; i < 4; i++) {
    buf[at + i] = (len >>> (8 * i)) & 0xff;
    buf[at + 4 + i] = (crc >>> (8 * i)) & 0xff;
  }
}

/** SET key value, then PEXPIREAT key <ms> when there is a deadline (as entryToCommands). */
function writeString(w: ByteWriter, c: RecordCursor, v2: boolean): void {
  let at = open(w, v2);
  frame3(w, SET_HEAD, c.kbuf, c.koff, c.klen, c.vbuf, c.voff, c.vlen);
  seal(w, at);
  const d = c.deadline;
  if (d === null) return;
  const ms = enc.encode(String(Math.trunc(d)));
  at = open(w, v2);
  frame3(w, PEXPIREAT_HEAD, c.kbuf, c.koff, c.klen, ms, 0, ms.length);
  seal(w, at);
}

/** Writes frames, yielding full pieces in between (a big stream is many frames). */
function* writeFrames(
  w: ByteWriter,
  frames: Iterable<Uint8Array[]>,
  v2: boolean,
): Generator<Uint8Array, void, undefined> {
  for (const cmd of frames) {
    if (v2) encodeRecordInto(w, cmd);
    else encodeCommandInto(w, cmd);
    if (w.length >= REWRITE_WRITE_BYTES) {
      yield w.bytes();
      w.reset();
    }
  }
}

const FUNCTION = enc.encode("FUNCTION"), LOAD = enc.encode("LOAD"), REPLACE = enc.encode("REPLACE");

/**
 * `FUNCTION LOAD REPLACE <code>` per function library (kept as data by the
 * store; a snapshot has no place for them, so the log after a save or a
 * rewrite carries them; kevy's server ignores these frames).
 */
export function writeLibraries(w: ByteWriter, libraries: Iterable<Uint8Array>, v2: boolean): void {
  for (const code of libraries) {
    const argv = [FUNCTION, LOAD, REPLACE, code];
    if (v2) encodeRecordInto(w, argv);
    else encodeCommandInto(w, argv);
  }
}

/**
 * The compacted log (`format` 2: `KEVYAOF2` records) in pieces (views of one reused buffer: each must be
 * written before asking for the next), function `libraries` first. Entries
 * whose deadline is `<= now` are left out.
 */
export function* compactLogPieces(
  entries: Iterable<Entry>,
  now: number,
  format: 1 | 2 = 1,
  libraries: Iterable<Uint8Array> = [],
): Generator<Uint8Array, void, undefined> {
  const w = new ByteWriter(REWRITE_WRITE_BYTES + 65536);
  const v2 = format === 2;
  w.writeBytes(v2 ? AOF2_MAGIC : AOF_MAGIC);
  writeLibraries(w, libraries, v2);
  const make = (entries as RecordSource)[RECORD_CURSOR];
  if (typeof make === "function") {
    const c = make.call(entries);
    while (c.next()) {
      const d = c.deadline;
      if (d !== null && d <= now) continue;
      if (c.entry === null && c.members === null && c.hbuf === null && !c.stream) {
        writeString(w, c, v2);
      } else if (c.stream) {
        // A frozen stream: its frames one at a time, never the whole stream as an Entry.
        const key = c.kbuf.slice(c.koff, c.koff + c.klen);
        yield* writeFrames(w, streamFrames(key, c.stream), v2);
        if (d !== null) {
          yield* writeFrames(w, [[PEXPIREAT, key, enc.encode(String(Math.trunc(d)))]], v2);
        }
      } else yield* writeFrames(w, entryToCommands(cursorEntry(c)), v2);
      if (w.length >= REWRITE_WRITE_BYTES) {
        yield w.bytes();
        w.reset();
      }
    }
  } else {
    for (const e of entries) {
      if (e.deadline !== null && e.deadline <= now) continue;
      yield* writeFrames(w, entryToCommands(e), v2);
      if (w.length >= REWRITE_WRITE_BYTES) {
        yield w.bytes();
        w.reset();
      }
    }
  }
  if (w.length > 0) yield w.bytes();
}
