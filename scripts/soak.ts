// `npm run soak -- --seeds N [--from S] [--steps K] [--ttl-edge] [--classic]`: many more seeds of the
// simulation (tests/sim/_sim.ts) than `npm test` runs. Prints a progress line every 1,000
// seeds and, at the end, how many seeds and crash states ran with 0 failures; on a failure,
// the seed and its shrunk sequence, and exit code 1.
import process from "node:process";
import { parseArgs } from "node:util";
import { runSeed } from "../tests/sim/_sim.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seeds: { type: "string", default: "1000" },
    from: { type: "string", default: "1" },
    steps: { type: "string", default: "40" },
    "ttl-edge": { type: "boolean", default: false },
    // The sequences of before KEVYAOF2 layouts and bursts of concurrent writes were drawn.
    classic: { type: "boolean", default: false },
  },
});
const seeds = Number(values.seeds);
const from = Number(values.from);
const steps = Number(values.steps);
const t0 = performance.now();
let crashStates = 0;
for (let i = 0; i < seeds; i++) {
  const seed = from + i;
  try {
    const extra = values.classic ? { formats: false, bursts: false } : {};
    crashStates += (await runSeed(seed, steps, { ttlEdge: values["ttl-edge"], ...extra }))
      .crashStates;
  } catch (e) {
    console.error((e as Error).message);
    console.error(`soak: FAILED at seed ${seed} after ${i} passing seeds`);
    process.exit(1);
  }
  if ((i + 1) % 1000 === 0) {
    const s = ((performance.now() - t0) / 1000).toFixed(0);
    console.log(`soak: ${i + 1} seeds (${from}..${seed}), ${crashStates} crash states, ${s} s`);
  }
}
const s = ((performance.now() - t0) / 1000).toFixed(1);
console.log(
  `soak: ${seeds} seeds (${from}..${
    from + seeds - 1
  }) x ${steps} steps, ${crashStates} crash states, 0 failures, ${s} s`,
);
