// The stream value (StreamData): nodes laid out like Redis's listpacks, range
// scans both ways, deletes and trims, the neutral mapping of snapshots and
// RDB, kevy's stream vectors (snapshot and rewrite) and the deep copy of COPY.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat, readFixture, readFixtureJson, unhex, utf8 } from "../_helpers.ts";
import { encodeSnapshotChunks } from "../../src/codec/snapshot.ts";
import { freezeEntries } from "../../src/codec/snapshot_writer.ts";
import { compactLogPieces } from "../../src/persist/_rewrite_frames.ts";
import { AOF_MAGIC, parseFrame } from "../../src/codec/resp.ts";
import { Store } from "../../src/store/store.ts";
import { StreamData } from "../../src/store/stream.ts";
import { applyCommand, CommandApplier } from "../../src/store/apply.ts";
import { type DumpedKey, type DumpedStream, dumpKeyspace } from "../../src/store/dump.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { entryToCommands } from "../../src/persist/rewrite_commands.ts";
import type { StreamValue } from "../../src/codec/types.ts";

const NOW = 1_700_000_000_000;
const MAX = { ms: 18446744073709551615n, seq: 18446744073709551615n };

function filled(n: number, value = "v"): StreamData {
  const s = new StreamData();
  for (let i = 1; i <= n; i++) s.append(i, 0, [utf8("f"), utf8(`${value}${i}`)], 0, 1);
  return s;
}

function ids(s: StreamData, rev = false): string[] {
  const out: string[] = [];
  s.scan({ ms: 0, seq: 0 }, { ms: MAX.ms, seq: MAX.seq }, rev, (n, i) => {
    out.push(`${n.ms(i)}-${n.seq(i)}`);
    return true;
  });
  return out;
}

function neutral(s: Store, key: string): StreamValue {
  const e = s.getEntry(utf8(key));
  assert.ok(e !== null && e.value.type === "stream");
  return e.value.value;
}

describe("StreamData", () => {
  it("splits nodes as Redis does: 100 entries, or 4096 listpack bytes", () => {
    assert.equal(filled(1000).nodes.length, 10);
    const big = new StreamData();
    for (let i = 1; i <= 10; i++) big.append(i, 0, [utf8("f"), new Uint8Array(1500)], 0, 1);
    // Each node takes entries until its bytes plus the next entry reach 4096.
    assert.deepEqual(big.nodes.map((n) => n.n), [2, 2, 2, 2, 2]);
  });

  it("scans ranges both ways across nodes, skipping deleted entries", () => {
    const s = filled(250);
    assert.equal(ids(s).length, 250);
    assert.deepEqual(ids(s, true).slice(0, 2), ["250-0", "249-0"]);
    assert.ok(s.delete(150, 0));
    assert.ok(!s.delete(150, 0));
    const got: string[] = [];
    s.scan(
      { ms: 148, seq: 0 },
      { ms: 152, seq: 0 },
      false,
      (n, i) => (got.push(`${n.ms(i)}`), true),
    );
    assert.deepEqual(got, ["148", "149", "151", "152"]);
    assert.equal(s.length, 249);
    assert.deepEqual(s.edge(true), { ms: 1, seq: 0 });
    assert.deepEqual(s.edge(false), { ms: 250, seq: 0 });
  });

  it("drops a node when its last live entry is deleted", () => {
    const s = filled(200);
    for (let i = 101; i <= 200; i++) s.delete(i, 0);
    assert.equal(s.nodes.length, 1);
    assert.deepEqual({ ms: s.maxDelMs, seq: s.maxDelSeq }, { ms: 200, seq: 0 });
  });

  it("trims exactly, or by whole nodes with approx, within a limit", () => {
    const exact = filled(250);
    assert.equal(exact.trim({ strategy: "maxlen", maxlen: 120, approx: false, limit: 0 }), 130);
    assert.equal(exact.length, 120);
    assert.deepEqual(exact.edge(true), { ms: 131, seq: 0 });
    const approx = filled(250);
    assert.equal(approx.trim({ strategy: "maxlen", maxlen: 120, approx: true, limit: 10000 }), 100);
    assert.equal(
      approx.trim({ strategy: "minid", minid: { ms: 240, seq: 0 }, approx: true, limit: 50 }),
      0,
    );
    assert.equal(
      approx.trim({ strategy: "minid", minid: { ms: 240, seq: 0 }, approx: false, limit: 0 }),
      139,
    );
    assert.deepEqual(approx.firstAny(), { ms: 201, seq: 0 });
    assert.deepEqual(approx.edge(true), { ms: 240, seq: 0 });
  });

  it("ids beyond 2^53 stay exact (bigint parts)", () => {
    const s = new Store({ now: () => NOW });
    const top = "18446744073709551614-18446744073709551615";
    assert.deepEqual(applyCommand(s, ["XADD", "k", top, "f", "v"]), { ok: true, reply: utf8(top) });
    const next = applyCommand(s, ["XADD", "k", "*", "f", "v"]);
    assert.deepEqual(next, { ok: true, reply: utf8("18446744073709551615-0") });
    assert.equal(neutral(s, "k").lastId.ms, 18446744073709551615n);
    const max = "18446744073709551615-18446744073709551615";
    assert.deepEqual(applyCommand(s, ["XADD", "k", max, "f", "v"]), { ok: true, reply: utf8(max) });
    assert.deepEqual(applyCommand(s, ["XADD", "k", "*", "f", "v"]), {
      ok: false,
      error: "ERR The stream has exhausted the last possible ID, unable to add more items",
    });
  });
});

describe("the neutral stream layout", () => {
  it("round-trips through Store.put / getEntry: entries, scalars, groups, consumers, pending rows", () => {
    const s = new Store({ now: () => NOW });
    for (
      const a of [
        ["XADD", "k", "1-1", "a", "1"],
        ["XADD", "k", "2-1", "b", "2", "c", ""],
        ["XADD", "k", "3-1", "a", "3"],
        ["XGROUP", "CREATE", "k", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "k", ">"],
        ["XDEL", "k", "2-1"],
        ["XGROUP", "CREATE", "k", "h", "$", "ENTRIESREAD", "3"],
        ["XGROUP", "CREATECONSUMER", "k", "h", "bob"],
      ]
    ) assert.ok(applyCommand(s, a).ok, a.join(" "));
    const v = neutral(s, "k");
    assert.deepEqual(v.entries.map((e) => `${e.id.ms}-${e.id.seq}`), ["1-1", "3-1"]);
    assert.deepEqual(v.maxDeletedId, { ms: 2n, seq: 1n });
    assert.deepEqual(v.groups.map((g) => [g.entriesRead, g.pel.length, g.consumers.length]), [
      [3n, 3, 1],
      [3n, 0, 1],
    ]);
    const back = new Store({ now: () => NOW });
    back.put({ key: utf8("k"), value: { type: "stream", value: v }, deadline: null });
    assert.deepEqual(neutral(back, "k"), v);
  });

  it("sorts entries given out of order and refuses a repeated id or a last id below the entries", () => {
    const e = (ms: bigint) => ({
      id: { ms, seq: 0n },
      fields: [[utf8("f"), utf8("v")]] as Array<[Uint8Array, Uint8Array]>,
    });
    const base: StreamValue = {
      lastId: { ms: 9n, seq: 0n },
      maxDeletedId: { ms: 0n, seq: 0n },
      entriesAdded: 3n,
      entries: [e(5n), e(2n), e(7n)],
      groups: [],
    };
    const s = new Store();
    s.put({ key: utf8("k"), value: { type: "stream", value: base }, deadline: null });
    assert.deepEqual(neutral(s, "k").entries.map((x) => x.id.ms), [2n, 5n, 7n]);
    assert.throws(
      () =>
        s.put({
          key: utf8("k"),
          value: { type: "stream", value: { ...base, entries: [e(2n), e(2n)] } },
          deadline: null,
        }),
      /appears twice/,
    );
    assert.throws(
      () =>
        s.put({
          key: utf8("k"),
          value: { type: "stream", value: { ...base, lastId: { ms: 1n, seq: 0n } } },
          deadline: null,
        }),
      /below its last entry/,
    );
  });

  it("COPY makes an independent deep copy", () => {
    const s = new Store({ now: () => NOW });
    applyCommand(s, ["XADD", "a", "1-1", "f", "v"]);
    applyCommand(s, ["XGROUP", "CREATE", "a", "g", "0"]);
    applyCommand(s, ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"]);
    assert.deepEqual(applyCommand(s, ["COPY", "a", "b"]), { ok: true, reply: 1 });
    applyCommand(s, ["XADD", "a", "2-1", "f", "w"]);
    applyCommand(s, ["XACK", "a", "g", "1-1"]);
    const b = neutral(s, "b");
    assert.equal(b.entries.length, 1);
    assert.equal(b.groups[0]!.pel.length, 1);
    assert.equal(neutral(s, "a").groups[0]!.pel.length, 0);
  });
});

describe("kevy's stream vectors", () => {
  const expected =
    readFixtureJson<{ keyspace: DumpedKey[] }>("vectors/snapshot/stream.expected.json").keyspace;

  it("snapshot/stream.rdb loads to its keyspace and saves back to the same records", () => {
    const file = readFixture("vectors/snapshot/stream.rdb");
    const s = decodeSnapshot(file, { now: NOW });
    assert.deepEqual(dumpKeyspace(s), expected);
    const again = encodeSnapshot(s, { now: NOW });
    assert.deepEqual(dumpKeyspace(decodeSnapshot(again, { now: NOW })), expected);
    // Same records as kevy 1.17's v4 file (no checksum trailer): kevy writes groups in
    // its hash order, we write them by name.
    const v4 = concat(encodeSnapshotChunks(s.entries(), { now: NOW, version: 4, checksum: false }));
    assert.equal(v4.length, file.length);
    assert.deepEqual(v4.subarray(0, 9), file.subarray(0, 9));
  });

  it("aof/rewrite_stream.aof (kevy's rewrite of that snapshot) replays to it, minus what a rewrite cannot carry", () => {
    const v = readFixtureJson<{ argv: string[][] }>("vectors/aof/rewrite_stream.expected.json");
    const s = new Store({ now: () => NOW });
    const ap = new CommandApplier(s);
    for (const a of v.argv) assert.ok(ap.apply(a.map(unhex)).ok);
    // kevy's rewrite skips pending rows of deleted entries, and consumers come back seen now.
    const want = expected.map((k) => {
      const st = k.value as DumpedStream;
      const live = new Set(st.entries.map((e) => e[0]));
      return {
        ...k,
        value: {
          ...st,
          groups: st.groups.map((g) => ({
            ...g,
            consumers: g.consumers.map(([n]) => [n, NOW] as [string, number]),
            pel: g.pel.filter((p) => live.has(p[0])),
          })),
        },
      };
    });
    assert.deepEqual(dumpKeyspace(s), want);
  });

  it("our rewrite of the snapshot replays to it exactly, pending rows of deleted entries included", () => {
    const s = decodeSnapshot(readFixture("vectors/snapshot/stream.rdb"), { now: NOW });
    const back = new Store({ now: () => NOW });
    const ap = new CommandApplier(back);
    for (const e of s.entries()) {
      for (const f of entryToCommands(e)) assert.ok(ap.apply(f).ok);
    }
    const seenNow = (ks: DumpedKey[]) =>
      ks.map((k) => ({
        ...k,
        value: {
          ...(k.value as DumpedStream),
          groups: (k.value as DumpedStream).groups.map((g) => ({
            ...g,
            consumers: g.consumers.map(([n]) => [n, 0] as [string, number]),
          })),
        },
      }));
    assert.deepEqual(seenNow(dumpKeyspace(back)), seenNow(expected));
  });
});

describe("streams frozen for a snapshot or a rewrite", () => {
  it("hold the stream as it was when frozen, whatever is written after", () => {
    const s = new Store({ now: () => NOW });
    for (let i = 1; i <= 300; i++) applyCommand(s, ["XADD", "k", `${i}-0`, "f", `v${i}`]);
    applyCommand(s, ["XGROUP", "CREATE", "k", "g", "0"]);
    applyCommand(s, ["XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "k", ">"]);
    const before = dumpKeyspace(s);
    const forSnap = freezeEntries(s.entries()), forLog = freezeEntries(s.entries());
    applyCommand(s, ["XADD", "k", "301-0", "f", "new"]);
    applyCommand(s, ["XDEL", "k", "5-0", "150-0"]);
    applyCommand(s, ["XTRIM", "k", "MAXLEN", "~", "100"]);
    applyCommand(s, ["XACK", "k", "g", "1-0"]);
    applyCommand(s, ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">"]);
    const snap = concat(encodeSnapshotChunks(forSnap, { now: NOW }));
    // (A kevy snapshot has no place for a group's entries-read.)
    const noRead = (x: DumpedKey[]) =>
      JSON.stringify(x, (k, v) => (k === "entries_read" ? undefined : v));
    assert.equal(noRead(dumpKeyspace(decodeSnapshot(snap, { now: NOW }))), noRead(before));
    const back = new Store({ now: () => NOW });
    const log = concat(compactLogPieces(forLog, NOW));
    for (let off = AOF_MAGIC.length; off < log.length;) {
      const r = parseFrame(log, off);
      assert.equal(r.kind, "frame");
      if (r.kind !== "frame") break;
      assert.ok(applyCommand(back, r.argv).ok);
      off = r.end;
    }
    const seen0 = (x: DumpedKey[]) =>
      JSON.stringify(x, (k, v) => (k === "consumers" ? v.map((c: unknown[]) => [c[0], 0]) : v));
    assert.equal(seen0(dumpKeyspace(back)), seen0(before));
  });
});
