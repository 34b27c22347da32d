// Shared by the embedded store's power-cut tests (CrashFs): what a reboot sees, and the
// "exactly some prefix of the acknowledged steps" check over every crash point and variant.
import assert from "node:assert/strict";
import type { CrashFs } from "../../src/fs/crash.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { Routing } from "../../src/codec/routing_types.ts";

/** A power cut leaves a lock naming this (live) process: the next boot is another process. */
export function afterPowerCut(image: CrashFs, dir = "/db"): CrashFs {
  for (const e of image.readDirSync(dir)) {
    if (e.name.startsWith("kevy.lock")) image.removeSync(`${dir}/${e.name}`);
  }
  return image;
}

/** A recorded run of steps: the disk, and the op count at which each prefix was acknowledged. */
export interface RecordedSteps {
  fs: CrashFs;
  /** acked[k]: the op count once the first k steps were acknowledged (acked[0] = 0). */
  acked: number[];
  /** states[k]: the keyspace after the first k steps. */
  states: string[];
}

/**
 * Reopens every crash image of `run` at each shard count and routing of `reopenAt` and checks
 * the keyspace is exactly the state after some prefix of the steps — under "always" at least
 * every prefix acknowledged by then. Returns how many reopenings it checked.
 */
export async function checkEveryCrashPoint(
  run: RecordedSteps,
  opts: {
    fsync: "always" | "everysec";
    reopenAt: ReadonlyArray<readonly [number, Routing]>;
    open: (fs: CrashFs, shards: number, routing: Routing) => Promise<KevyStore>;
    state: (db: KevyStore) => Promise<string>;
  },
): Promise<number> {
  let images = 0;
  for (let i = 0; i <= run.fs.ops.length; i++) {
    let k = 0;
    while (opts.fsync === "always" && k + 1 < run.acked.length && run.acked[k + 1]! <= i) k++;
    const allowed = new Set(run.states.slice(k));
    for (const image of run.fs.crashImages(i)) {
      for (const [n, routing] of opts.reopenAt) {
        const again = await opts.open(afterPowerCut(image.clone()), n, routing);
        const got = await opts.state(again);
        await again.close();
        assert.ok(
          allowed.has(got),
          `after op ${i} (${image.crashVariant}), at ${n} shards (${routing}): ${got}\nallowed:\n${
            [...allowed].join("\n")
          }`,
        );
        images++;
      }
    }
  }
  return images;
}
