// kevy 5.4 snapshots into a Store (decodeSnapshot): versions 5-7, field TTLs
// applied after every record and kept by the Store (they expire on its clock
// and are saved again), stubs refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { SegmentStubError } from "../../src/codec/snapshot.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { Store } from "../../src/store/store.ts";
import { readFixture, readFixtureJson } from "../_helpers.ts";

const W = 1796083200000;
const DIR = "vectors-v5/snapshot";
type Key = { key: string; field_ttls?: Array<[string, number]> };
const want = (n: string) =>
  readFixtureJson<{ keyspace: Key[] }>(`${DIR}/${n}.expected.json`).keyspace;

describe("decodeSnapshot on kevy 5.4 vectors", () => {
  for (
    const name of [
      "v4_strings",
      "v4_collections",
      "v4_stream",
      "v5_cursor",
      "v5_cursor_u64max",
      "v5_empty_zero_cursor",
      "crafted_hfttl_expired",
    ]
  ) {
    it(`${name}: the Store holds kevy's keyspace`, () => {
      for (const store of [undefined, new Store({ now: () => W })]) {
        const s = decodeSnapshot(readFixture(`${DIR}/${name}.rdb`), {
          now: W,
          ...(store ? { store } : {}),
        });
        assert.deepEqual(dumpKeyspace(s), want(name));
      }
    });
  }

  // The vectors' expected keyspace, except where we are stricter than 5.4
  // (tests/codec/snapshot_v5.test.ts says why).
  const withTtls: Record<string, (k: Key[]) => Key[]> = {
    v6_hash_field_ttl: (k) => k,
    v6_with_cursor: (k) => k,
    v6_unreaped_due_fields: (k) => k,
    crafted_hfttl_duplicate: (k) => k,
    crafted_ttl_flags_and_trailing: (k) => k,
    crafted_hfttl_orphans: (k) => k, // orphans dropped and counted (not re-emitted)
    // SPEC-v5 §6.8: kevy 5.4 loses this TTL by record order; we keep it.
    crafted_hfttl_before_entry: (k) =>
      k.map((x) => ({ ...x, field_ttls: [["66", 4102444800000]] })),
  };
  for (const [name, expected] of Object.entries(withTtls)) {
    it(`${name}: the Store keeps the field TTLs (none made persistent), a save writes them again`, () => {
      const bytes = readFixture(`${DIR}/${name}.rdb`);
      for (const target of [undefined, new Store({ now: () => W })]) {
        const store = decodeSnapshot(bytes, { now: W, ...(target ? { store: target } : {}) });
        assert.deepEqual(dumpKeyspace(store), expected(want(name)));
        const again = decodeSnapshot(encodeSnapshot(store), { now: W });
        assert.deepEqual(dumpKeyspace(again), expected(want(name)));
      }
    });
  }

  it("loaded field TTLs are live: each field goes at its deadline, the hash with its last field", () => {
    let t = W;
    const store = decodeSnapshot(readFixture(`${DIR}/v6_hash_field_ttl.rdb`), {
      now: W,
      store: new Store({ now: () => t }),
    });
    const timed = want("v6_hash_field_ttl").filter((k) => k.field_ttls !== undefined);
    assert.ok(timed.length >= 3);
    const deadlines = [...new Set(timed.flatMap((k) => k.field_ttls!.map(([, d]) => d)))].sort();
    let gone = 0;
    for (const d of deadlines) {
      t = d - 1;
      const before = dumpKeyspace(store);
      t = d;
      const after = dumpKeyspace(store);
      for (const k of timed) {
        const due = k.field_ttls!.filter(([, x]) => x === d).map(([f]) => f);
        const was = before.find((x) => x.key === k.key);
        if (due.length === 0 || was === undefined) continue;
        gone += due.length;
        const now = after.find((x) => x.key === k.key);
        const left = (was.value as Array<[string, string]>).filter(([f]) => !due.includes(f));
        if (left.length === 0) assert.equal(now, undefined, `${k.key} went with its last field`);
        else assert.deepEqual(now!.value, left, `${k.key} lost ${due} at ${d}`);
      }
    }
    assert.ok(gone >= 3, `${gone} fields expired`);
    assert.equal(store.expired.fields, gone);
  });

  it("row-segment stubs are refused (SPEC-v5 §6.16), the caller's store untouched", () => {
    const target = new Store({ now: () => W });
    assert.throws(
      () =>
        decodeSnapshot(readFixture(`${DIR}/crafted_v7_segstub.rdb`), {
          now: W,
          store: target,
          path: "d/dump-0.rdb",
        }),
      (e: unknown) => e instanceof SegmentStubError && e.segmentDir === "d/segs-0",
    );
    assert.equal(target.dbsize(), 0);
  });
});
