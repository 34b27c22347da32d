// The composing proof in `npm test`: a bounded number of seeds of the simulation in _sim.ts
// (every runtime). `npm run soak -- --seeds N` runs many more (scripts/soak.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { runSteps, type SimConfig, type Step } from "./_sim.ts";
import { runSeed } from "./_seed.ts";

const SEEDS = Number(process.env.KEVY_SIM_SEEDS ?? 40);
const STEPS = 40;
const TTL_SEEDS = Number(process.env.KEVY_SIM_TTL_SEEDS ?? 20);
const MAXMEMORY_SEEDS = Number(process.env.KEVY_SIM_MAXMEMORY_SEEDS ?? 24);
const LARGE_SEEDS = Number(process.env.KEVY_SIM_LARGE_SEEDS ?? 16);
const RACE_SEEDS = Number(process.env.KEVY_SIM_RACE_SEEDS ?? 16);

describe("simulation: random operation sequences against a model of Redis semantics", () => {
  it(
    `${SEEDS} seeds of ${STEPS} steps: crashes, re-shards, clock jumps and I/O faults lose nothing`,
    {
      timeout: 300_000,
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

  it(
    `${TTL_SEEDS} seeds with deadlines around the clock: nothing expires while loading, an expired key stays gone`,
    { timeout: 300_000 },
    async () => {
      let crashStates = 0;
      for (let seed = 1; seed <= TTL_SEEDS; seed++) {
        crashStates += (await runSeed(10_000 + seed, 30, { ttlEdge: true })).crashStates;
      }
      console.log(`sim (TTL edge): ${TTL_SEEDS} seeds x 30 steps, ${crashStates} crash states`);
      assert.ok(crashStates > TTL_SEEDS / 2, "the seeds crashed");
    },
  );

  it(
    `${MAXMEMORY_SEEDS} seeds under a small maxmemory (every policy): evicted keys may be gone, nothing else`,
    { timeout: 300_000 },
    async () => {
      const total = { crashStates: 0, evictions: 0, oom: 0 };
      for (let seed = 1; seed <= MAXMEMORY_SEEDS; seed++) {
        const r = await runSeed(20_000 + seed, 30, { maxmemory: true });
        total.crashStates += r.crashStates;
        total.evictions += r.evictions;
        total.oom += r.oom;
      }
      console.log(`sim (maxmemory): ${MAXMEMORY_SEEDS} seeds x 30 steps, ${JSON.stringify(total)}`);
      assert.ok(total.crashStates > MAXMEMORY_SEEDS / 2, "the seeds crashed");
      assert.ok(total.evictions > MAXMEMORY_SEEDS, "keys were evicted");
      assert.ok(total.oom > 0, "writes were refused with OOM (noeviction, volatile-*)");
    },
  );

  it(
    `${LARGE_SEEDS} seeds of large, often overwritten values (the arena compacts), with and without a cap`,
    { timeout: 300_000 },
    async () => {
      const total = { crashStates: 0, evictions: 0, compactions: 0 };
      for (let seed = 1; seed <= LARGE_SEEDS; seed++) {
        const r = await runSeed(30_000 + seed, 30, {
          largeValues: true,
          maxmemory: seed % 2 === 0,
        });
        total.crashStates += r.crashStates;
        total.evictions += r.evictions;
        total.compactions += r.compactions;
      }
      console.log(`sim (large values): ${LARGE_SEEDS} seeds x 30 steps, ${JSON.stringify(total)}`);
      assert.ok(total.crashStates > LARGE_SEEDS / 2, "the seeds crashed");
      // Else the mode would test nothing: the compaction must run inside these sequences.
      assert.ok(total.compactions > 0, "the arena compacted");
      assert.ok(total.evictions > 0, "large keys were evicted");
    },
  );
});

describe("simulation: saves and rewrites with writes in flight (a point-in-time view)", () => {
  it(
    `${RACE_SEEDS} seeds: writes of every kind during save, rewrite, both and an automatic rewrite, crashes inside them, streams with groups`,
    { timeout: 300_000 },
    async () => {
      const total = { crashStates: 0, raceWrites: 0, autoRewrites: 0 };
      for (let seed = 1; seed <= RACE_SEEDS; seed++) {
        const r = await runSeed(40_000 + seed, 30, { saveRace: true, streams: true });
        total.crashStates += r.crashStates;
        total.raceWrites += r.raceWrites;
        total.autoRewrites += r.autoRewrites;
      }
      console.log(`sim (save race): ${RACE_SEEDS} seeds x 30 steps, ${JSON.stringify(total)}`);
      assert.ok(total.crashStates > RACE_SEEDS / 2, "the seeds crashed");
      assert.ok(total.raceWrites > RACE_SEEDS, "writes were issued while saves were in flight");
      assert.ok(total.autoRewrites > 0, "an automatic rewrite raced writes");
    },
  );

  it(
    "every cut and variant of a save racing writes, then of its recovery and re-shard to 3 shards: only entries-read may go, and only in the re-shard's window",
    { timeout: 300_000 },
    async () => {
      // Keys on both shards of the first layout; the racing writes land before the view is
      // taken (-1), while each shard's view is walked (calls 1-3) and after it (12).
      const steps: Step[] = [
        { op: "incr", k: "k0" },
        { op: "append", k: "k1", v: "a" },
        { op: "rpush", k: "k2", v: "x" },
        { op: "incr", k: "k3" },
        { op: "xgroup", k: "k7", g: "g1" },
        { op: "xadd", k: "k7", n: 1, v: "a" },
        { op: "xadd", k: "k7", n: 2, v: "b" },
        { op: "xreadgroup", k: "k7", g: "g1" },
        { op: "xgroup", k: "k8", g: "g2" },
        { op: "xadd", k: "k8", n: 3, v: "c" },
        { op: "xreadgroup", k: "k8", g: "g2" },
        {
          op: "race",
          what: "save",
          writes: [
            { at: -1, w: { op: "incr", k: "k0" } },
            { at: 1, w: { op: "append", k: "k1", v: "b" } },
            { at: 1, w: { op: "incr", k: "k3" } },
            { at: 2, w: { op: "rpush", k: "k2", v: "y" } },
            { at: 2, w: { op: "xreadgroup", k: "k7", g: "g1" } },
            { at: 3, w: { op: "mset", kv: [["k4", "m"], ["k6", "n"]] } },
            { at: 12, w: { op: "xadd", k: "k8", n: 5, v: "e" } },
          ],
        },
        { op: "crash", at: 0.5, variant: 1, shards: 3, routing: "slots", again: 0.6 },
      ];
      const r = await runSteps(steps, { everyCut: true });
      console.log(`sim (every cut of a save race): ${JSON.stringify(r)}`);
      assert.ok(r.crashStates > 200, "every cut of the race and of the recovery was checked");
      // The documented window is real: some cut there lost the counters (and nothing else).
      assert.ok(
        r.countersLost > 0,
        "a cut between the re-shard's commit and its logs lost entries-read",
      );
    },
  );
});

/** Shrunk sequences the soak found, kept as regressions (each failed before its fix). */
const FOUND: Array<[string, Step[], SimConfig?]> = [
  [
    "every cut of a rewrite racing a split DEL whose part on one shard deletes nothing (not logged there; the sim's model ordered it on that shard once)",
    [
      {
        op: "race",
        what: "rewrite",
        writes: [
          { at: -1, w: { op: "incr", k: "k9" } },
          { at: 2, w: { op: "incr", k: "k9" } },
          { at: 2, w: { op: "del", ks: ["k2", "k9", "k4"] } },
          { at: 3, w: { op: "del", ks: ["k5", "k6", "k1"] } },
          { at: 4, w: { op: "rpush", k: "k2", v: "c" } },
        ],
      },
      { op: "crash", at: 0.61, variant: 6, shards: 1, routing: "slots", again: -1, format: 2 },
    ],
    { everyCut: true },
  ],
  [
    "a FLUSHALL, then a split MSET, reopened at 3 shards (shard 1's FLUSHALL emptied shard 0's keys in the re-shard's merge)",
    [
      { op: "flushall" },
      { op: "mset", kv: [["k2", "m60"], ["k7", "m19"], ["k7", "m48"], ["k5", "m76"]] },
    ],
  ],
  [
    "a key read past its deadline stays gone when the clock is set back (the model kept it once: TTL edge, seed 50198)",
    [
      { op: "set", k: "k3", v: "v50198.8", px: 3525 },
      { op: "clock", ms: 4696 },
      { op: "clock", ms: -1881 },
    ],
  ],
  [
    "a truncate switching the log to v2 while appends came in during its sync (they were re-encoded twice)",
    [
      {
        "op": "crash",
        "at": 0.8186770544853061,
        "variant": 1,
        "shards": 2,
        "routing": "kevyhash",
        "again": 0.005961684742942452,
        "format": 2,
      },
      {
        "op": "burst",
        "writes": [
          { "op": "setbig", "k": "k3", "n": 0, "len": 2847 },
          { "op": "mset", "kv": [["k9", "b34"], ["k5", "b34"], ["k8", "b34"]] },
          { "op": "mset", "kv": [["k8", "b34"], ["k6", "b34"], ["k2", "b34"]] },
          { "op": "append", "k": "k3", "v": "e" },
        ],
      },
      { "op": "setbig", "k": "k0", "n": 1, "len": 1054 },
      { "op": "setbig", "k": "k3", "n": 2, "len": 7317 },
      {
        "op": "burst",
        "writes": [
          { "op": "mset", "kv": [["k4", "m19"], ["k2", "m15"], ["k3", "m58"], ["k9", "m56"]] },
          { "op": "incr", "k": "k6" },
          { "op": "incr", "k": "k6" },
          { "op": "append", "k": "k7", "v": "e" },
          { "op": "incr", "k": "k1" },
          { "op": "mset", "kv": [["k2", "b34"], ["k7", "b34"], ["k2", "b34"]] },
        ],
      },
      {
        "op": "crash",
        "at": 0.37752022966742516,
        "variant": 3,
        "shards": 2,
        "routing": "kevyhash",
        "again": -1,
      },
      { "op": "setbig", "k": "k2", "n": 4, "len": 9748 },
      { "op": "append", "k": "k3", "v": "d" },
    ],
    { "maxmemory": 23876, "policy": "volatile-random" },
  ],
  [
    "a v1 log rewritten into v2 (a big SET's auto-rewrite) while split MSETs were held: RESP frames in the v2 log",
    [
      { op: "reopen", shards: 2, routing: "kevyhash", format: 2 },
      { op: "setbig", k: "k0", n: 2, len: 11259 },
      {
        op: "burst",
        writes: [
          { op: "mset", kv: [["k0", "b26"], ["k6", "b26"], ["k0", "b26"]] },
          { op: "mset", kv: [["k6", "b26"], ["k8", "b26"], ["k5", "b26"]] },
        ],
      },
    ],
  ],
  [
    "an eviction while the log was failed: its DEL was never logged, the key came back on reopen",
    [
      {
        op: "burst",
        writes: [
          { op: "append", k: "k0", v: "d" },
          { op: "mset", kv: [["k1", "b47"], ["k9", "b47"], ["k7", "b47"]] },
          { op: "incr", k: "k3" },
          { op: "mset", kv: [["k2", "b47"], ["k4", "b47"], ["k9", "b47"]] },
          { op: "incr", k: "k8" },
        ],
      },
      {
        op: "burst",
        writes: [
          { op: "del1", k: "k0" },
          { op: "append", k: "k8", v: "e" },
          { op: "mset", kv: [["k9", "b47"], ["k6", "b47"], ["k9", "b47"]] },
          { op: "mset", kv: [["k9", "b47"], ["k1", "b47"], ["k0", "b47"]] },
          { op: "append", k: "k8", v: "e" },
          { op: "mset", kv: [["k0", "b47"], ["k4", "b47"], ["k3", "b47"]] },
        ],
      },
      {
        op: "fault",
        kind: "write",
        code: "ENOSPC",
        then: { op: "pexpire", k: "k3", ms: 4589374 },
      },
    ],
    { maxmemory: 548, policy: "volatile-ttl" },
  ],
  [
    "concurrent split writes on KEVYAOF2 logs (EXEC was written as a RESP frame; parts interleaved)",
    [
      {
        op: "crash",
        at: 0.3246657445561141,
        variant: 4,
        shards: 4,
        routing: "slots",
        again: 0.5397546817548573,
        format: 2,
      },
      {
        op: "burst",
        writes: [
          { op: "set", k: "k5", v: "s81" },
          { op: "mset", kv: [["k9", "b2"], ["k7", "b2"], ["k3", "b2"]] },
          { op: "mset", kv: [["k5", "b2"], ["k2", "b2"], ["k5", "b2"]] },
          { op: "mset", kv: [["k5", "b2"], ["k9", "b2"], ["k8", "b2"]] },
          { op: "append", k: "k0", v: "e" },
        ],
      },
    ],
  ],
  [
    "a deadline passed while the store was closed: the key stays gone (TTL edge, seed 61)",
    [
      { op: "incr", k: "k0" },
      { op: "pexpire", k: "k0", ms: 887 },
      { op: "append", k: "k0", v: "d" },
      { op: "clock", ms: 2990 },
    ],
  ],
  [
    "a split MSET whose sync hit ENOSPC, then rewrites and a power cut (the group never got EXEC)",
    [
      { op: "reopen", shards: 4, routing: "slots" },
      { op: "rewrite" },
      {
        op: "fault",
        kind: "syncData",
        code: "ENOSPC",
        then: { op: "mset", kv: [["k4", "m82"], ["k7", "m96"], ["k5", "m35"], ["k1", "m53"]] },
      },
      { op: "rewrite" },
      {
        op: "crash",
        at: 0.5330845974385738,
        variant: 3,
        shards: 2,
        routing: "kevyhash",
        again: -1,
      },
    ],
  ],
  [
    "a split MSET whose sync hit EIO, then a save and a power cut (same cause)",
    [
      {
        op: "fault",
        kind: "syncData",
        code: "EIO",
        then: { op: "mset", kv: [["k7", "m6"], ["k6", "m71"], ["k3", "m17"], ["k5", "m9"]] },
      },
      { op: "save" },
      { op: "crash", at: 0.5892805301118642, variant: 3, shards: 1, routing: "slots", again: -1 },
    ],
  ],
  [
    "SET PX then a torn power cut (the SET kept, its PEXPIREAT lost)",
    [
      { op: "set", k: "k7", v: "v7.13", px: 4137836 },
      { op: "crash", at: 0.497005935292691, variant: 6, shards: 4, routing: "slots", again: -1 },
    ],
  ],
  [
    "a power cut while a new log's header was written, then a second one in recovery",
    [{
      op: "crash",
      at: 0.9522902921307832,
      variant: 3,
      shards: 4,
      routing: "slots",
      again: 0.8840548417065293,
    }],
  ],
];

describe("simulation: sequences the soak shrank", () => {
  for (const [name, steps, config] of FOUND) {
    it(name, async () => {
      await runSteps(steps, config);
    });
  }
});
