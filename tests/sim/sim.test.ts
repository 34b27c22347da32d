// The composing proof in `npm test`: a bounded number of seeds of the simulation in _sim.ts
// (every runtime). `npm run soak -- --seeds N` runs many more (scripts/soak.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { runSeed } from "./_sim.ts";

const SEEDS = Number(process.env.KEVY_SIM_SEEDS ?? 60);
const STEPS = 40;

describe("simulation: random operation sequences against a model of Redis semantics", () => {
  it(
    `${SEEDS} seeds of ${STEPS} steps: crashes, re-shards, clock jumps and I/O faults lose nothing`,
    {
      timeout: 120_000,
    },
    async () => {
      let crashStates = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        crashStates += (await runSeed(seed, STEPS)).crashStates;
      }
      console.log(`sim: ${SEEDS} seeds x ${STEPS} steps, ${crashStates} crash states, 0 failures`);
      assert.ok(crashStates > SEEDS, "the seeds crashed");
    },
  );
});
