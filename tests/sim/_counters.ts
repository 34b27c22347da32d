// The one documented loss (issue 11, sim notes): a consumer group's entries-read has no place
// in a kevy snapshot, so a re-shard writes the counters into each new shard's log
// (`XGROUP SETID ... ENTRIESREAD`) after its journal finished, outside the journal protocol.
// A power cut between the journal's commit and those logs being durable loses only the
// counters: the groups' entries-read read as unknown (nil). Everything else, and the counters
// at every other cut, must be exact.
import type { CrashOp } from "../../src/fs/crash.ts";
import { RESHARD_JOURNAL } from "../../src/codec/names.ts";
import { cloneEntry, entryText, type Model } from "./_model.ts";

/**
 * The cuts (`afterOp` values in `[lo, hi)`) of ops `[from, to)` of `ops` that may lose the
 * counters: from the rename that commits a re-shard journal to the dir sync that makes the
 * last log carrying counters durable; null when no re-shard wrote counters there.
 */
export function countersWindow(
  ops: readonly CrashOp[],
  from: number,
  to: number,
): [number, number] | null {
  const journal = (p: string | undefined) => p !== undefined && p.endsWith(`/${RESHARD_JOURNAL}`);
  let lo = -1, hi = -1;
  for (let j = from; j < to; j++) {
    const o = ops[j]!;
    if (o.kind === "rename" && journal(o.to)) lo = o.index;
    else if (lo >= 0 && o.kind === "remove" && journal(o.path)) {
      // Then each new shard's log with its counters: written, synced, renamed, dir synced.
      let renamed = false;
      for (let q = j + 1; q < to; q++) {
        const p = ops[q]!;
        if (p.kind === "rename" && p.to?.endsWith(".aof")) renamed = true;
        else if (p.kind === "syncDir") {
          if (renamed) hi = p.index; // (the empty logs the open creates next are no part of it)
          renamed = false;
        } else if (!p.path.endsWith(".aof") && !p.path.includes(".aof.")) break;
      }
      return hi < 0 ? null : [lo, hi];
    }
  }
  return null;
}

/**
 * `m` with the entries-read of some groups unknown, so that each stream key prints as `got`
 * has it (when only those counters differ); `m` itself otherwise.
 */
export function withCountersLost(m: Model, got: Map<string, string>, now: number): Model {
  let out = m;
  for (const [k, e] of m) {
    if (e.val.kind !== "x" || entryText(e, now) === (got.get(k) ?? "")) continue;
    const names = Object.keys(e.val.v.g).filter((g) =>
      e.val.kind === "x" && e.val.v.g[g]!.read !== null
    );
    for (let mask = 1; mask < 1 << names.length; mask++) {
      const c = cloneEntry(e);
      if (c.val.kind !== "x") break;
      for (let j = 0; j < names.length; j++) if (mask & (1 << j)) c.val.v.g[names[j]!]!.read = null;
      if (entryText(c, now) === got.get(k)) {
        if (out === m) out = new Map(m);
        out.set(k, c);
        break;
      }
    }
  }
  return out;
}
