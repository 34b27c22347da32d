// kevy 5.4 snapshots into a Store (decodeSnapshot): versions 5-7, field TTLs
// applied after every record, stubs refused, and never a silent drop of a
// field TTL the Store cannot hold.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { FieldTtlUnsupportedError } from "../../src/store/_load.ts";
import { SegmentStubError } from "../../src/codec/snapshot.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { Store } from "../../src/store/store.ts";
import { hex, readFixture, readFixtureJson } from "../_helpers.ts";

const W = 1796083200000;
const DIR = "vectors-v5/snapshot";
type Key = { key: string; field_ttls?: Array<[string, number]> };
const want = (n: string) =>
  readFixtureJson<{ keyspace: Key[] }>(`${DIR}/${n}.expected.json`).keyspace;

/** The Store's keyspace with the field TTLs it holds, in the vectors' layout. */
function keyspaceWithTtls(store: Store): unknown[] {
  return dumpKeyspace(store).map((k) => {
    const e = store.getEntry(new Uint8Array(k.key.match(/../g)?.map((x) => parseInt(x, 16)) ?? []));
    if (e?.value.type !== "hash" || e.value.fieldDeadlines === undefined) return k;
    const ft = e.value.value.flatMap(([f], i) => {
      const d = e.value.type === "hash" ? e.value.fieldDeadlines?.[i] : null;
      return d === null || d === undefined ? [] : [[hex(f), d] as [string, number]];
    }).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return ft.length === 0 ? k : { ...k, field_ttls: ft };
  });
}

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

  for (
    const name of [
      "v6_hash_field_ttl",
      "v6_with_cursor",
      "v6_unreaped_due_fields",
      "crafted_hfttl_duplicate",
    ]
  ) {
    it(`${name}: field TTLs are kept, or the load is refused (never made persistent)`, () => {
      const bytes = readFixture(`${DIR}/${name}.rdb`);
      const target = new Store({ now: () => W });
      let store: Store;
      try {
        store = decodeSnapshot(bytes, { now: W, store: target });
      } catch (e) {
        assert.ok(e instanceof FieldTtlUnsupportedError, String(e));
        assert.match(e.message, /hash-field TTLs .* this Store does not keep field TTLs yet/);
        assert.equal(target.dbsize(), 0, "nothing loaded");
        return;
      }
      assert.deepEqual(keyspaceWithTtls(store), want(name));
      const again = decodeSnapshot(encodeSnapshot(store), { now: W });
      assert.deepEqual(keyspaceWithTtls(again), want(name));
    });
  }

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
