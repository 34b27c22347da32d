// A burst (writes issued in one turn) resolved key by key against the model, with the
// evictions the store reported during and after it (maxmemory mode).
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { MaxmemoryPolicy } from "../../src/embedded/options.ts";
import { type Alt, burstOutcomes, evictable } from "./_evictions.ts";
import { cloneEntry, type Entry, entryText, keysOf, live, type Model } from "./_model.ts";
import { KEYS, type Step } from "./_steps.ts";
import { isOom, storeKeys } from "./_store_io.ts";

/** The run's state a burst reads and updates (the model and ghosts in place). */
export interface BurstCtx {
  db: KevyStore;
  t: number;
  model: Model;
  alt: Alt;
  policy: MaxmemoryPolicy | null;
  fail: (i: number, msg: string) => never;
  oomAllowed: (i: number, s: Step, exact?: boolean) => void;
}

/**
 * A burst's outcome, key by key: evictions may fall between any of its writes (the events
 * say which keys, not where), so each key must match one placement of its evictions;
 * `after`: keys evicted once it was over (their last value is that of the placement).
 */
export async function resolveBurst(
  c: BurstCtx,
  i: number,
  writes: Step[],
  rs: Array<Error | null>,
  during: string[],
  after: string[],
): Promise<number> {
  const { db, t, model, alt, policy, fail, oomAllowed } = c;
  let evictions = 0;
  const done: Array<[Step, Error | null]> = [];
  writes.forEach((w, j) => {
    if (isOom(rs[j]!)) oomAllowed(i, w, false); // refused before anything ran: not part of it
    else done.push([w, rs[j]!]);
  });
  const got = await storeKeys(db, t);
  for (const k of KEYS) {
    const ops = done.filter(([w]) => keysOf(w).includes(k));
    const count = during.filter((x) => x === k).length;
    if (count > 0 && policy === null) fail(i, `evicted ${k} without a cap`);
    evictions += count;
    const start = live(model, k, t);
    const outs = burstOutcomes(start, k, ops.map(([w]) => w), count, t, policy ?? "noeviction")
      .filter((o) => o.refused.every((no, j) => no === (ops[j]![1] !== null)));
    const gone = after.includes(k);
    const fits = outs.filter((o) =>
      gone
        ? o.entry !== undefined && evictable(policy!, o.entry)
        : entryText(o.entry, t) === (got.get(k) ?? "")
    );
    if (fits.length === 0) {
      const what = ops.map(([w, r]) => `${JSON.stringify(w)} -> ${r ? r.message : "ok"}`);
      fail(
        i,
        `burst: ${k} (was ${entryText(start, t) || "absent"}, evicted ${count}x during, ${
          gone ? "once after" : `now ${got.get(k) || "absent"}`
        }) fits no order of\n  ${what.join("\n  ")}`,
      );
    }
    const ghosts: Array<Entry | null> = [];
    for (const o of fits) ghosts.push(...(o.alt ?? alt.get(k) ?? []));
    if (gone) {
      evictions++;
      model.delete(k);
      alt.set(k, fits.map((o) => cloneEntry(o.entry!)));
      continue;
    }
    const e = fits[0]!.entry;
    if (e === undefined) model.delete(k);
    else model.set(k, cloneEntry(e));
    if (ghosts.length > 0) alt.set(k, ghosts);
    else alt.delete(k);
  }
  return evictions;
}
