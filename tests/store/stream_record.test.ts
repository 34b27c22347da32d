// Snapshot stream records loaded in place (the decoder's stream sink and
// streamFromRecord): the same stream, node layout and errors as loading the
// record's neutral entries through Store.put, which is how they loaded before.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat, readFixture, utf8 } from "../_helpers.ts";
import { encodeSnapshotChunks } from "../../src/codec/snapshot.ts";
import { SnapshotDecoder } from "../../src/codec/snapshot_decoder.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import type { Entry, StreamValue } from "../../src/codec/types.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { Store } from "../../src/store/store.ts";

const NOW = 1_700_000_000_000;

/** The pre-sink path: every record as a neutral entry, put into a store. */
function viaEntries(bytes: Uint8Array): Store {
  const s = new Store({ now: () => NOW });
  const dec = new SnapshotDecoder({ now: NOW, totalSize: bytes.length, onEntry: (e) => s.put(e) });
  dec.push(bytes);
  dec.finish();
  return s;
}

function run(s: Store, ...argv: string[]): unknown {
  const r = applyCommand(s, argv);
  assert.ok(r.ok, `${argv.join(" ")}: ${r.ok ? "" : r.error}`);
  return r.reply;
}

/** Streams of every shape: same-field and other-field entries, ints, long values, big ids, groups. */
function workload(): Store {
  const s = new Store({ now: () => NOW });
  for (let i = 1; i <= 700; i++) {
    const id = `${1000 + Math.floor(i / 3)}-${i % 3}`;
    if (i % 7 === 0) run(s, "XADD", "mixed", id, "other", String(i), "x", "");
    else if (i % 50 === 0) run(s, "XADD", "mixed", id, "big", "v".repeat(4090));
    else run(s, "XADD", "mixed", id, "temp", String(i * 3), "hum", `h${i}`);
  }
  run(s, "XDEL", "mixed", "1001-0", "1010-2", "1100-1");
  run(s, "XTRIM", "mixed", "MINID", "1005");
  run(s, "XGROUP", "CREATE", "mixed", "g", "0");
  run(s, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "7", "STREAMS", "mixed", ">");
  run(s, "XDEL", "mixed", "1006-0");
  run(s, "XADD", "huge", "9007199254740993-18446744073709551615", "f", "1");
  run(s, "XADD", "huge", "18446744073709551615-0", "f", "-12");
  run(s, "XADD", "empty", "5-1", "f", "v");
  run(s, "XDEL", "empty", "5-1");
  run(s, "XADD", "ttl", "1-1", "f", "v");
  run(s, "PEXPIREAT", "ttl", "4102444800000"); // 2100: live on every clock here
  run(s, "SET", "after", "streams");
  return s;
}

describe("snapshot stream records loaded in place", () => {
  it("give the same keyspace and node layout as their neutral entries", () => {
    const src = workload();
    const bytes = encodeSnapshot(src, { now: NOW });
    const fast = decodeSnapshot(bytes, { now: NOW });
    const slow = viaEntries(bytes);
    assert.deepEqual(dumpKeyspace(fast), dumpKeyspace(slow));
    assert.deepEqual(dumpKeyspace(fast), dumpKeyspace(src));
    for (const k of ["mixed", "huge", "empty", "ttl"]) {
      // XINFO STREAM FULL: entries, radix-tree keys/nodes (node boundaries), groups, PEL.
      assert.deepEqual(
        run(fast, "XINFO", "STREAM", k, "FULL"),
        run(slow, "XINFO", "STREAM", k, "FULL"),
        k,
      );
    }
    // Many nodes (100 entries or 4096 listpack bytes each), long values among them.
    assert.ok((run(fast, "XINFO", "STREAM", "mixed") as number[])[3]! > 10); // radix-tree-keys
  });

  it("kevy's snapshot/stream.rdb loads the same both ways", () => {
    const file = readFixture("vectors/snapshot/stream.rdb");
    assert.deepEqual(
      dumpKeyspace(decodeSnapshot(file, { now: NOW })),
      dumpKeyspace(viaEntries(file)),
    );
  });

  it("entries out of id order are sorted; a repeated id is refused as before", () => {
    const e = (ms: bigint) => ({
      id: { ms, seq: 0n },
      fields: [[utf8("f"), utf8(`v${ms}`)]] as Array<[Uint8Array, Uint8Array]>,
    });
    const value = (entries: StreamValue["entries"]): Entry => ({
      key: utf8("k"),
      value: {
        type: "stream",
        value: {
          lastId: { ms: 9n, seq: 0n },
          maxDeletedId: { ms: 0n, seq: 0n },
          entriesAdded: 3n,
          entries,
          groups: [],
        },
      },
      deadline: null,
    });
    const file = (entries: StreamValue["entries"]) =>
      concat(encodeSnapshotChunks([value(entries)], { now: NOW }));
    const sorted = file([e(5n), e(2n), e(7n)]);
    assert.deepEqual(
      dumpKeyspace(decodeSnapshot(sorted, { now: NOW })),
      dumpKeyspace(viaEntries(sorted)),
    );
    assert.deepEqual(
      run(decodeSnapshot(sorted, { now: NOW }), "XRANGE", "k", "-", "+", "COUNT", "1"),
      [
        [utf8("2-0"), [utf8("f"), utf8("v2")]],
      ],
    );
    const twice = file([e(2n), e(5n), e(2n)]);
    assert.throws(() => decodeSnapshot(twice, { now: NOW }), /appears twice/);
    assert.throws(() => viaEntries(twice), /appears twice/);
  });

  it("a stream record cut anywhere fails with the same CorruptFileError as before", () => {
    const s = new Store({ now: () => NOW });
    run(s, "XADD", "k", "1-1", "a", "1", "b", "two");
    run(s, "XADD", "k", "1-2", "a", "3", "b", "four");
    run(s, "XGROUP", "CREATE", "k", "g", "0");
    run(s, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">");
    const bytes = concat(
      encodeSnapshotChunks(s.entries(), { now: NOW, version: 4, checksum: false }),
    );
    let cuts = 0;
    for (let n = 12; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      const errorOf = (f: () => unknown): CorruptFileError => {
        try {
          f();
        } catch (err) {
          assert.ok(err instanceof CorruptFileError, `cut at ${n}: ${err}`);
          return err;
        }
        assert.fail(`cut at ${n}: loaded`);
      };
      const a = errorOf(() => decodeSnapshot(cut, { now: NOW }));
      const b = errorOf(() => viaEntries(cut));
      assert.deepEqual([a.offset, a.expected], [b.offset, b.expected], `cut at ${n}`);
      cuts++;
    }
    assert.ok(cuts > 100);
  });
});
