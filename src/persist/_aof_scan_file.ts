// Scanning one AOF file for a replay or an open: the async and blocking
// drivers around an AofScanner (frames applied in loading mode), the gate on
// what the applier refuses, and group markers (a split write's MULTI/EXEC)
// taken out of the command stream.
import { parseGroupMarker } from "../codec/group.ts";
import { isNotFound } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { whileLoading } from "../store/store.ts";
import { REPLAY_CHUNK_BYTES, type ReplayOptions, type ReplayStats } from "./replay.ts";
import { storeOf } from "./_plain_set.ts";
import { type ReplayApply, UnknownCommandGate } from "./unknown.ts";
import { AofScanner, type FrameVisitor, type ScanEnd } from "./_aof_scan.ts";
import { Pacer, pushPaced } from "./_pacer.ts";

/** A replay plus what Aof.open needs to repair a torn tail. */
export interface ScanResult {
  stats: ReplayStats;
  end: ScanEnd;
  exists: boolean;
}

function toStats(end: ScanEnd, ms: number, skipped: Record<string, number>): ReplayStats {
  return {
    skipped,
    frames: end.frames,
    bytes: end.bytes,
    header: end.header,
    format: end.format,
    tornTxn: end.tornTxn,
    discardedTxns: end.discardedTxns,
    tornAt: end.tornAt,
    tornBytes: end.tornBytes,
    ms,
  };
}

const MISSING: ScanEnd = {
  frames: 0,
  bytes: 0,
  header: false,
  format: "legacy",
  tornTxn: null,
  discardedTxns: [],
  tornAt: null,
  tornBytes: 0,
  tornPrefix: new Uint8Array(0),
  tornZeros: 0,
};

// The shared tails of scanAof / scanAofSync.
function missingResult(t0: number, gate: UnknownCommandGate): ScanResult {
  return {
    stats: toStats(MISSING, performance.now() - t0, gate.skipped),
    end: MISSING,
    exists: false,
  };
}

function finishScan(
  path: string,
  scanner: AofScanner,
  opts: ReplayOptions,
  t0: number,
  gate: UnknownCommandGate,
): ScanResult {
  const end = whileLoading(() => scanner.finish());
  if (end.tornAt !== null) opts.onTorn?.({ path, offset: end.tornAt, bytes: end.tornBytes });
  return { stats: toStats(end, performance.now() - t0, gate.skipped), end, exists: true };
}

/** A scanner feeding `apply`, each outcome checked by `gate` (the plain-SET path kept). */
function gatedScanner(
  path: string,
  apply: ReplayApply,
  gate: UnknownCommandGate,
  chunk: number,
  opts: ReplayOptions,
): AofScanner {
  // Group markers (a split write's MULTI/EXEC) are not commands: recovery has cut every
  // group that did not complete, so the frames between them are applied as they come.
  let scanner: AofScanner | null = null;
  const onFrame = (argv: Uint8Array[], offset: number): void => {
    const m = argv.length === 4 || argv.length === 2 ? parseGroupMarker(argv) : null;
    if (m === null) return gate.check(apply(argv), argv, path, offset);
    scanner!.uncount(); // stats count commands, not markers
    opts.onGroupMarker?.(m, offset);
  };
  // A storeApplier (replayAofInto, ShardFiles bring-up) enables the plain-SET fast path.
  scanner = new AofScanner(
    path,
    onFrame,
    Math.max(chunk * 2, 4096),
    storeOf(apply),
    opts.onUncommitted === "discard",
  );
  return scanner;
}

/**
 * A scanner handing frames to `visit` as offsets (no argv, no apply, so no
 * unknown-command gate); group markers are taken out as for a replay.
 */
function visitingScanner(
  path: string,
  visit: FrameVisitor,
  chunk: number,
  opts: ReplayOptions,
): AofScanner {
  let scanner: AofScanner | null = null;
  const onVisit: FrameVisitor = (cur, offset) => {
    const n = cur.argc;
    if (n === 4 || n === 2) {
      const m = parseGroupMarker(cur.argv());
      if (m !== null) {
        scanner!.uncount();
        opts.onGroupMarker?.(m, offset);
        return;
      }
    }
    visit(cur, offset);
  };
  scanner = new AofScanner(
    path,
    noArgv,
    Math.max(chunk * 2, 4096),
    null,
    opts.onUncommitted === "discard",
    onVisit,
  );
  return scanner;
}

function noArgv(): void {
  throw new Error("unreachable: a visiting scanner hands out no argv");
}

/** How a driver gets its scanner: applying frames (`apply`) or visiting them. */
export type ScanConsumer = { apply: ReplayApply } | { visit: FrameVisitor };

function makeScanner(
  path: string,
  c: ScanConsumer,
  gate: UnknownCommandGate,
  chunk: number,
  opts: ReplayOptions,
): AofScanner {
  return "visit" in c
    ? visitingScanner(path, c.visit, chunk, opts)
    : gatedScanner(path, c.apply, gate, chunk, opts);
}

/** Streams `path` through a scanner (async): frames to `apply`, or to a visitor (`{ visit }`). */
export async function scanAof(
  path: string,
  apply: ReplayApply | ScanConsumer,
  opts: ReplayOptions = {},
): Promise<ScanResult> {
  const t0 = performance.now();
  const fs = opts.fs ?? defaultFs();
  const chunk = opts.chunkBytes ?? REPLAY_CHUNK_BYTES;
  const gate = new UnknownCommandGate(opts.onUnknown);
  const c = typeof apply === "function" ? { apply: apply as ReplayApply } : apply;
  const scanner = makeScanner(path, c, gate, chunk, opts);
  try {
    // Frames are applied in loading mode: nothing expires until the replay is over. In
    // slices: the event loop gets a turn every few ms whatever size a read returns.
    const pacer = new Pacer();
    const push = (slice: Uint8Array): void => whileLoading(() => scanner.push(slice));
    for await (const piece of fs.readChunks(path, chunk)) {
      pacer.ran();
      await pushPaced(piece, push, pacer);
    }
  } catch (e) {
    if (isNotFound(e)) return missingResult(t0, gate);
    throw e;
  }
  return finishScan(path, scanner, opts, t0, gate);
}

/** Streams `path` through a scanner (blocking). */
export function scanAofSync(
  path: string,
  apply: ReplayApply | ScanConsumer,
  opts: ReplayOptions = {},
): ScanResult {
  const t0 = performance.now();
  const fs = opts.fs ?? defaultFs();
  const chunk = opts.chunkBytes ?? REPLAY_CHUNK_BYTES;
  const gate = new UnknownCommandGate(opts.onUnknown);
  const c = typeof apply === "function" ? { apply: apply as ReplayApply } : apply;
  const scanner = makeScanner(path, c, gate, chunk, opts);
  try {
    for (const c of fs.readChunksSync(path, chunk)) whileLoading(() => scanner.push(c));
  } catch (e) {
    if (isNotFound(e)) return missingResult(t0, gate);
    throw e;
  }
  return finishScan(path, scanner, opts, t0, gate);
}
