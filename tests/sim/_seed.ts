// One seed of the simulation: its sequence run, and on a failure the shortest sequence that
// still fails (the shrinker), reported with the seed and the configuration.
import { type RunStats, runSteps } from "./_sim.ts";
import { configFor, type SeedOptions, type SimConfig, type Step, stepsFor } from "./_steps.ts";

/** Runs one seed; on failure shrinks it and throws with the seed and the shortest sequence. */
export async function runSeed(
  seed: number,
  count: number,
  opts: SeedOptions & { shrink?: boolean } = {},
): Promise<RunStats> {
  const steps = stepsFor(seed, count, opts);
  const config = configFor(seed, opts);
  try {
    return await runSteps(steps, config);
  } catch (e) {
    if (opts.shrink === false) throw e;
    const short = await shrink(steps, config);
    throw new Error(
      `seed ${seed} fails (${(e as Error).message.split("\n")[0]}); config ${
        JSON.stringify(config)
      }; shortest sequence (${short.steps.length} steps):\n` +
        `${JSON.stringify(short.steps)}\n${short.message}`,
    );
  }
}

/** Drops chunks, then single steps, while the run still fails. */
export async function shrink(
  steps: Step[],
  config: SimConfig,
): Promise<{ steps: Step[]; message: string }> {
  let cur = steps;
  let message = await failure(cur, config);
  for (let size = Math.max(1, cur.length >> 1); size >= 1; size >>= 1) {
    for (let at = 0; at + size <= cur.length;) {
      const cand = [...cur.slice(0, at), ...cur.slice(at + size)];
      const m = await failure(cand, config);
      if (m !== null) {
        cur = cand;
        message = m;
      } else at += size;
    }
  }
  return { steps: cur, message: message ?? "" };
}

async function failure(steps: Step[], config: SimConfig): Promise<string | null> {
  try {
    await runSteps(steps, config);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
