// A migration job rebuilt from its bytes, for the few jobs the bulk writer
// reports or retries (the hot path keeps numbers only per job).
import { parseFrame } from "../codec/resp.ts";
import type { ExistsSignal, KeyJob } from "./_migrate_encode.ts";

const td = new TextDecoder();

/** A job rebuilt from its bytes (only for keys the writer reports or retries). */
export function jobFromFrames(frames: Uint8Array, slot: number, count: number): KeyJob {
  const f = parseFrame(frames, 0);
  const argv = f.kind === "frame" ? f.argv : [];
  const verb = td.decode(argv[0] ?? new Uint8Array()).toUpperCase();
  const has = (word: string) =>
    argv.some((a, i) => i > 1 && a.length === word.length && td.decode(a).toUpperCase() === word);
  if (verb === "MSETNX" || verb === "MSET") {
    const keys = argv.filter((_, i) => i % 2 === 1).map((k) => k.slice());
    return {
      key: keys[0] ?? new Uint8Array(),
      keys,
      units: keys.length,
      entry: null,
      slot,
      frames,
      count,
      exists: verb === "MSETNX" ? "zero" : "none",
      lost: 0,
    };
  }
  let exists: ExistsSignal = "none";
  if (verb === "SET" && has("NX")) exists = "nil";
  else if (verb === "EVAL") exists = "zero";
  else if (verb === "RESTORE" && !has("REPLACE")) exists = "busykey";
  const key = (verb === "EVAL" ? argv[3] : argv[1]) ?? new Uint8Array();
  return {
    key: key.slice(),
    entry: null,
    slot,
    frames,
    count,
    exists,
    lost: 0,
    restore: verb === "RESTORE",
  };
}
