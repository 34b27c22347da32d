// `npm run soak -- --seeds N [--from S] [--steps K] [--ttl-edge] [--classic] [--maxmemory]
// [--large-values] [--save-race] [--streams]`: many more seeds of the simulation (tests/sim/_seed.ts) than `npm test`
// runs. `--maxmemory`: a small memory cap under a policy drawn per seed (evictions);
// `--large-values`: large strings often overwritten (the arena compacts); `--save-race`:
// saves and rewrites with writes in flight, crashes inside them; `--streams`: streams with
// consumer groups (entries-read through re-shards); `--every-cut`: each crash step also
// checks every cut (and variant) of the step before it and of its recovery; all combine.
// Prints a progress line every 1,000 seeds and, at the end, how many seeds and crash states
// ran with 0 failures (and the evictions, OOM refusals and arena compactions they made); on a
// failure, the seed and its shrunk sequence, and exit code 1.
import process from "node:process";
import { parseArgs } from "node:util";
import { runSeed } from "../tests/sim/_seed.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seeds: { type: "string", default: "1000" },
    from: { type: "string", default: "1" },
    steps: { type: "string", default: "40" },
    "ttl-edge": { type: "boolean", default: false },
    // The sequences of before KEVYAOF2 layouts and bursts of concurrent writes were drawn.
    classic: { type: "boolean", default: false },
    maxmemory: { type: "boolean", default: false },
    "large-values": { type: "boolean", default: false },
    "save-race": { type: "boolean", default: false },
    streams: { type: "boolean", default: false },
    "every-cut": { type: "boolean", default: false },
  },
});
const seeds = Number(values.seeds);
const from = Number(values.from);
const steps = Number(values.steps);
const t0 = performance.now();
const total = {
  crashStates: 0,
  evictions: 0,
  oom: 0,
  compactions: 0,
  raceWrites: 0,
  autoRewrites: 0,
  countersLost: 0,
};
const figures = () =>
  `${total.crashStates} crash states` +
  (values.maxmemory ? `, ${total.evictions} evictions, ${total.oom} OOM refusals` : "") +
  (values["large-values"] ? `, ${total.compactions} arena compactions` : "") +
  (values["save-race"]
    ? `, ${total.raceWrites} writes during saves, ${total.autoRewrites} raced auto-rewrites`
    : "") +
  (values.streams ? `, ${total.countersLost} crash states that lost only entries-read` : "");
for (let i = 0; i < seeds; i++) {
  const seed = from + i;
  try {
    const extra = values.classic ? { formats: false, bursts: false } : {};
    const r = await runSeed(seed, steps, {
      ttlEdge: values["ttl-edge"],
      maxmemory: values.maxmemory,
      largeValues: values["large-values"],
      saveRace: values["save-race"],
      streams: values.streams,
      everyCut: values["every-cut"],
      ...extra,
    });
    total.crashStates += r.crashStates;
    total.evictions += r.evictions;
    total.oom += r.oom;
    total.compactions += r.compactions;
    total.raceWrites += r.raceWrites;
    total.autoRewrites += r.autoRewrites;
    total.countersLost += r.countersLost;
  } catch (e) {
    console.error((e as Error).message);
    console.error(`soak: FAILED at seed ${seed} after ${i} passing seeds`);
    process.exit(1);
  }
  if ((i + 1) % 1000 === 0) {
    const s = ((performance.now() - t0) / 1000).toFixed(0);
    console.log(`soak: ${i + 1} seeds (${from}..${seed}), ${figures()}, ${s} s`);
  }
}
const s = ((performance.now() - t0) / 1000).toFixed(1);
console.log(
  `soak: ${seeds} seeds (${from}..${from + seeds - 1}) x ${steps} steps, ${figures()}, ` +
    `0 failures, ${s} s`,
);
if (values["save-race"] && total.raceWrites === 0) {
  console.error("soak: --save-race issued no write during a save: the mode tested nothing");
  process.exit(1);
}
if (values["large-values"] && total.compactions === 0) {
  console.error("soak: --large-values made no arena compaction: the mode tested nothing");
  process.exit(1);
}
