// What the simulator may assert about evicted keys. The store reports every eviction as an
// `evicted` keyspace event (recorded as part of the history): the model deletes such a key
// and remembers the value it had (a "ghost"), because the DEL an eviction logs is nobody's
// acknowledged write — a power cut may drop it, so the key may come back with that value,
// until a later write of the key (its DEL then precedes an acknowledged frame in the same
// log), a save, a rewrite or a clean close makes the DEL durable. Nothing else is relaxed:
// every acknowledged write of a key that was not evicted is there exactly once.
import type { MaxmemoryPolicy } from "../../src/embedded/options.ts";
import {
  applyModel,
  cloneEntry,
  creates,
  type Entry,
  entryText,
  live,
  type Model,
  refuses,
} from "./_model.ts";
import { KEYS, type Step } from "./_steps.ts";

/** States a key may also be found in after a power cut (`null`: absent). */
export type Alt = Map<string, Array<Entry | null>>;

/** A keyspace a power cut may leave: the model, and per key the other states allowed. */
export interface World {
  m: Model;
  alt: Alt;
  /** A re-shard's entries-read counters may be lost (_counters.ts). */
  counters?: boolean;
}

/** A deep copy of an {@link Alt}. */
export function cloneAlt(a: Alt): Alt {
  const c: Alt = new Map();
  for (const [k, xs] of a) c.set(k, xs.map((e) => (e === null ? null : cloneEntry(e))));
  return c;
}

/** Both sets of alternatives. */
export function mergeAlt(a: Alt, b: Alt): Alt {
  const c = cloneAlt(a);
  for (const [k, xs] of cloneAlt(b)) c.set(k, [...(c.get(k) ?? []), ...xs]);
  return c;
}

/** Whether `policy` may evict this entry (volatile-* only keys with a deadline). */
export function evictable(policy: MaxmemoryPolicy, e: Entry): boolean {
  if (policy === "noeviction") return false;
  return policy.startsWith("allkeys") || e.at !== null;
}

/** One way a burst may have gone for one key. */
export interface KeyOutcome {
  /** The key's entry after the burst. */
  entry: Entry | undefined;
  /** For each write of the burst touching the key: whether it was refused. */
  refused: boolean[];
  /** The key's ghosts after the burst (`null`: those it had before). */
  alt: Entry[] | null;
}

/**
 * The outcomes of a burst for one key evicted `count` times during it: every placement of the
 * evictions between the writes touching it (each before a command, of a key present then and
 * evictable under `policy`). The writes went in issue order; other keys do not matter.
 */
export function burstOutcomes(
  start: Entry | undefined,
  k: string,
  ops: Step[],
  count: number,
  now: number,
  policy: MaxmemoryPolicy,
): KeyOutcome[] {
  const out: KeyOutcome[] = [];
  const run = (gaps: number[]) => {
    const m: Model = new Map();
    if (start !== undefined) m.set(k, cloneEntry(start));
    const refused: boolean[] = [];
    let alt: Entry[] | null = null;
    for (let j = 0; j <= ops.length; j++) {
      if (gaps.includes(j)) {
        const e = live(m, k, now);
        if (e === undefined || !evictable(policy, e)) return; // not a possible order
        alt = [cloneEntry(e)];
        m.delete(k);
      }
      if (j === ops.length) break;
      const w = ops[j]!;
      const no = refuses(m, w, now);
      refused.push(no);
      if (!no) {
        applyModel(m, w, now);
        if (creates(w)) alt = [];
      }
    }
    out.push({ entry: live(m, k, now), refused, alt });
  };
  const choose = (from: number, left: number, gaps: number[]) => {
    if (left === 0) return run(gaps);
    for (let g = from; g <= ops.length; g++) choose(g + 1, left - 1, [...gaps, g]);
  };
  choose(0, count, []);
  return out;
}

/**
 * Matches the store after a power cut and recovery against a world. `got` is each key's
 * printed state; `evicted` the keys evicted since the reopen (before `got` was read). Returns
 * the model and ghosts to go on with, or why the world does not match.
 */
export function matchWorld(
  w: World,
  got: Map<string, string>,
  evicted: readonly string[],
  now: number,
  policy: MaxmemoryPolicy | null,
): World | string {
  const m: Model = new Map();
  const alt: Alt = new Map();
  for (const k of KEYS) {
    const base = live(w.m, k, now);
    const allowed = [base ?? null, ...(w.alt.get(k) ?? [])];
    const g = got.get(k) ?? "";
    if (evicted.includes(k)) {
      // Gone now: it held one of its allowed present states when it was evicted.
      const was = allowed.filter((e): e is Entry =>
        e !== null && entryText(e, now) !== "" && policy !== null && evictable(policy, e)
      );
      if (g !== "" || was.length === 0) return `${k} was evicted but could not have been there`;
      alt.set(k, was.map(cloneEntry));
      continue;
    }
    const hit = allowed.find((e) => entryText(e, now) === g);
    if (hit === undefined) {
      const texts = [...new Set(allowed.map((e) => entryText(e, now) || "(absent)"))];
      return `${k}: store has ${g || "(absent)"}, allowed ${texts.join(" | ")}`;
    }
    // An expired one reads as absent and is gone for good (a later clock set back keeps it so).
    if (hit !== null && entryText(hit, now) !== "") m.set(k, cloneEntry(hit));
  }
  return { m, alt };
}
