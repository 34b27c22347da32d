// KEVYAOF2 replay (SPEC-v5 §3) against every AOF vector of kevy 5.4 in
// tests/fixtures/vectors-v5/aof/: the frames handed to apply, how the walk
// ends, and the keyspace. Where a vector records a 5.4 defect or leniency,
// the test names it and asserts our stricter result.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { replayAof, replayAofInto, replayAofSync } from "../../src/persist/replay.ts";
import { UnknownCommandError } from "../../src/persist/unknown.ts";
import { SegmentedFrameError } from "../../src/persist/aof2_errors.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { Store } from "../../src/store/store.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { fixturePath, hex, listFixtures, readFixtureJson } from "../_helpers.ts";

const DIR = "vectors-v5/aof";
const W = 1796083200000;
const NAMES = listFixtures(DIR).filter((f) => f.endsWith(".aof")).map((f) => f.slice(0, -4));

interface Expected {
  format: string;
  stop: "clean" | "truncated_tail" | "corrupt_frame";
  consumed_bytes: number;
  file_bytes: number;
  argv: string[][];
  keyspace: unknown[];
  txn_open_at_end: null | { frames_held_and_discarded: number };
}
const exp = (n: string) => readFixtureJson<Expected>(`${DIR}/${n}.expected.json`);
const path = (n: string) => fixturePath(`${DIR}/${n}.aof`);

/** Verbs our applier does not take yet: a replay of them must refuse, never guess. */
const PENDING_VERBS = new Set<string>();

/**
 * Vectors whose kevy 5.4 keyspace comes from its embedded dispatcher's lenient
 * reading of a frame (SPEC-v5 §4, §6.9): we apply it as Redis does, and assert
 * the keyspace that gives.
 */
const REDIS_READING: Record<string, { why: string; keyspace: (kevy: unknown[]) => unknown[] }> = {
  v2_hash_ttl_frame_variants: {
    why: "HPEXPIREAT parsed as Redis does: 'FIELDS 1 f g' is refused (numfields mismatch), " +
      "NX is a condition, not a field; HEXPIRE applies (relative to the replay): only f has a " +
      "TTL, replay + 100 s, which the NX follow-up leaves alone",
    keyspace: (kevy) =>
      kevy.map((k) =>
        (k as { key: string }).key === "68"
          ? { ...k as object, field_ttls: [["66", W + 100_000]] }
          : k
      ),
  },
  v2_appends: {
    why: "kevy's embedded dispatcher ignores XADD and MSET; Redis applies them: the stream " +
      "'stream' (as XADD stream 1-1 f v makes it) and the strings m1, m2 are there too",
    keyspace: (kevy) => {
      const s = new Store({ now: () => W });
      for (const argv of [["XADD", "stream", "1-1", "f", "v"], ["MSET", "m1", "v", "m2", "v"]]) {
        assert.equal(applyCommand(s, argv).ok, true);
      }
      const extra = dumpKeyspace(s) as Array<{ key: string }>;
      return [...(kevy as Array<{ key: string }>), ...extra].sort((x, y) =>
        x.key < y.key ? -1 : x.key > y.key ? 1 : 0
      );
    },
  },
  v2_rewrite_stream: {
    why: "kevy's embedded dispatcher, whose keyspace the vector records, has no stream verbs",
    keyspace: () => rewrittenStreams(),
  },
};

/**
 * What replaying kevy's rewrite of snapshot/v4_stream gives with stream verbs
 * (kevy's embedded dispatcher, whose keyspace the vector records, has none):
 * that snapshot's streams without the pending rows of deleted entries (XCLAIM
 * cannot re-create them) and with consumers seen at the replay's clock.
 */
function rewrittenStreams(): unknown[] {
  const snap = readFixtureJson<{ keyspace: Array<{ value: StreamDump }> }>(
    "vectors-v5/snapshot/v4_stream.expected.json",
  ).keyspace;
  return snap.map((k) => {
    const live = new Set(k.value.entries.map((x) => x[0]));
    return {
      ...k,
      value: {
        ...k.value,
        groups: k.value.groups.map((g) => ({
          ...g,
          consumers: g.consumers.map(([c]) => [c, W]),
          pel: g.pel.filter((row) => live.has(row[0])),
        })),
      },
    };
  });
}

interface StreamDump {
  entries: Array<[string, unknown]>;
  groups: Array<{ consumers: Array<[string, number]>; pel: Array<[string, ...unknown[]]> }>;
}

function argvOf(n: string, opts: Parameters<typeof replayAofSync>[2] = {}) {
  const argv: string[][] = [];
  const stats = replayAofSync(path(n), (a) => {
    argv.push(a.map(hex));
  }, opts);
  return { argv, stats };
}

/** Vectors where we are stricter than kevy 5.4 on purpose. */
const STRICTER: Record<string, string> = {
  v2_length_bitflip_looks_torn:
    "SPEC-v5 §6.2: a damaged length that points past EOF with intact records behind it is corruption, not a torn tail",
  v2_length_exactly_1gib: "SPEC-v5 §6.2: the same, for a length of exactly 2^30",
  v2_payload_inline_command:
    "SPEC-v5 §6.12: a checksummed record must hold one multibulk command; inline text is corruption",
  v2_payload_empty_then_command: "SPEC-v5 §6.12: '*0' then a command in one record is corruption",
  v1_empty_commands_skipped:
    "our v1 reader refuses '*0' / '*-1' frames as corrupt (kevy 5.4 skips them, 1.17 applied them)",
  v2_segmented_frame:
    "SPEC-v5 §3.5: a segment frame cannot be honoured without the segment store: refused, naming segs-0",
  v2_txn_nested_begin:
    "SPEC-v5 §6.14: a BEGIN inside an open transaction is refused unless onUncommitted: 'discard'",
  v2_txn_unterminated_then_reopened_then_txn:
    "SPEC-v5 §6.1: the dangling BEGIN 5.4 appended after is refused unless onUncommitted: 'discard'",
  v2_txn_unterminated_tail:
    "SPEC-v5 §6.6: the open transaction is reported as a torn transaction, cut from its BEGIN",
  v2_txn_unterminated_then_reopened:
    "SPEC-v5 §6.1/6.6: reported as a torn transaction (4 frames) cut from its BEGIN, not kept",
};

describe("KEVYAOF2 vectors (kevy 5.4)", () => {
  it("covers all 46", () => assert.equal(NAMES.length, 46));

  for (const n of NAMES) {
    const e = exp(n);
    if (n in STRICTER) continue;
    it(`${n}: ${e.stop} at ${e.consumed_bytes}, the same frames applied`, () => {
      if (e.stop === "corrupt_frame") {
        assert.throws(() => argvOf(n), (err: unknown) => {
          assert.ok(err instanceof CorruptFileError, String(err));
          assert.equal(err.offset, e.consumed_bytes, "the first bad record");
          return true;
        });
        // The frames before it were applied, as kevy does.
        const seen: string[][] = [];
        assert.throws(() => replayAofSync(path(n), (a) => void seen.push(a.map(hex))));
        assert.deepEqual(seen, e.argv);
        return;
      }
      const { argv, stats } = argvOf(n);
      assert.deepEqual(argv, e.argv);
      assert.equal(stats.format, e.format === "empty" ? "legacy" : e.format);
      assert.equal(stats.bytes, e.consumed_bytes);
      assert.equal(stats.tornAt, e.stop === "truncated_tail" ? e.consumed_bytes : null);
      assert.equal(stats.tornBytes, e.file_bytes - e.consumed_bytes);
      assert.equal(stats.tornTxn, null);
    });
    if (e.stop === "corrupt_frame") continue;
    it(`${n}: the keyspace is kevy's (or the replay refuses a verb it cannot apply yet)`, async () => {
      const store = new Store({ now: () => W });
      try {
        await replayAofInto(path(n), store);
      } catch (err) {
        assert.ok(err instanceof UnknownCommandError, String(err));
        assert.ok(PENDING_VERBS.has(err.verb) || err.verb.startsWith("\0"), err.verb);
        return;
      }
      const r = REDIS_READING[n];
      assert.deepEqual(
        dumpKeyspace(store),
        r === undefined ? e.keyspace : r.keyspace(e.keyspace),
        r?.why,
      );
    });
  }

  for (const n of ["v2_length_bitflip_looks_torn", "v2_length_exactly_1gib"]) {
    it(`${n}: ${STRICTER[n]}`, async () => {
      const e = exp(n);
      assert.equal(e.stop, "truncated_tail", "kevy 5.4 calls it torn");
      await assert.rejects(replayAof(path(n), () => {}), (err: unknown) => {
        assert.ok(err instanceof CorruptFileError);
        assert.equal(err.offset, e.consumed_bytes);
        assert.match(err.message, /intact record starts at byte \d+/);
        return true;
      });
    });
  }

  for (
    const n of [
      "v2_payload_inline_command",
      "v2_payload_empty_then_command",
      "v1_empty_commands_skipped",
    ]
  ) {
    it(`${n}: ${STRICTER[n]}`, () => {
      assert.equal(exp(n).stop, "clean", "kevy 5.4 applies it");
      assert.throws(() => argvOf(n), CorruptFileError);
    });
  }

  it(`v2_segmented_frame: ${STRICTER.v2_segmented_frame}`, () => {
    assert.throws(() => argvOf("v2_segmented_frame"), (err: unknown) => {
      assert.ok(err instanceof SegmentedFrameError, String(err));
      assert.equal(err.segment, "rows-00000003.seg");
      assert.match(err.segmentDir, /segs-\{i\}$|segs-0$/);
      return true;
    });
  });

  for (const n of ["v2_txn_nested_begin", "v2_txn_unterminated_then_reopened_then_txn"]) {
    it(`${n}: ${STRICTER[n]}`, () => {
      assert.throws(
        () => argvOf(n),
        /a COMMIT for the transaction opened at byte \d+ before another BEGIN/,
      );
      const e = exp(n);
      const { argv, stats } = argvOf(n, { onUncommitted: "discard" });
      assert.deepEqual(argv, e.argv, "kevy 5.4's frames when the caller opts in");
      assert.equal(stats.discardedTxns.length, 1);
      assert.ok(stats.discardedTxns[0]!.frames > 0);
    });
  }

  for (const n of ["v2_txn_unterminated_tail", "v2_txn_unterminated_then_reopened"]) {
    it(`${n}: ${STRICTER[n]}`, () => {
      const e = exp(n);
      assert.equal(e.stop, "clean", "kevy 5.4 reports nothing");
      const { argv, stats } = argvOf(n);
      assert.deepEqual(argv, e.argv, "the held frames are not applied");
      assert.deepEqual(stats.tornTxn, {
        offset: 44,
        frames: e.txn_open_at_end!.frames_held_and_discarded,
      });
      assert.equal(stats.tornAt, 44);
      assert.equal(stats.tornBytes, e.file_bytes - 44);
    });
  }
});
