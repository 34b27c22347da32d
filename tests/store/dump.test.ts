// dumpKeyspace against the snapshot vectors: loading each expected keyspace
// into a Store with put() and dumping it must reproduce it exactly (zset
// scores come from their authoritative bit patterns).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { listFixtures, readFixtureJson, unhex } from "../_helpers.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace, scoreBits, scoreText } from "../../src/store/dump.ts";
import type { Entry, KeyValue, StreamId } from "../../src/codec/types.ts";

// The vectors' JSON is loosely typed; this test maps it field by field.
// deno-lint-ignore no-explicit-any
type J = any;

function f64(bits: string): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, BigInt("0x" + bits));
  return dv.getFloat64(0);
}

function sid(s: string): StreamId {
  const [ms, seq] = s.split("-");
  return { ms: BigInt(ms!), seq: BigInt(seq!) };
}

function toEntry(k: J): Entry {
  let value: KeyValue;
  switch (k.type) {
    case "string":
      value = { type: "string", value: unhex(k.value) };
      break;
    case "hash":
      value = { type: "hash", value: k.value.map(([f, v]: string[]) => [unhex(f!), unhex(v!)]) };
      break;
    case "list":
    case "set":
      value = { type: k.type, value: k.value.map(unhex) };
      break;
    case "zset":
      value = { type: "zset", value: k.value.map(([m, , b]: string[]) => [unhex(m!), f64(b!)]) };
      break;
    default: {
      const v = k.value;
      value = {
        type: "stream",
        value: {
          lastId: sid(v.last_id),
          maxDeletedId: sid(v.max_deleted_id),
          entriesAdded: BigInt(v.entries_added),
          entries: v.entries.map(([id, fs]: [string, string[][]]) => ({
            id: sid(id),
            fields: fs.map(([f, x]) => [unhex(f!), unhex(x!)]),
          })),
          groups: v.groups.map((g: J) => ({
            name: unhex(g.name),
            lastDelivered: sid(g.last_delivered),
            consumers: g.consumers.map(([n, t]: [string, number]) => ({
              name: unhex(n),
              seenTime: BigInt(t),
            })),
            pel: g.pel.map(([id, c, t, n]: [string, string, number, number]) => ({
              id: sid(id),
              consumer: unhex(c),
              deliveryTime: BigInt(t),
              deliveryCount: n,
            })),
          })),
        },
      };
    }
  }
  return { key: unhex(k.key), value, deadline: k.ttl };
}

describe("dumpKeyspace", () => {
  const files = listFixtures("vectors/snapshot").filter((n) => n.endsWith(".expected.json"));
  for (const name of files) {
    const v = readFixtureJson<J>(`vectors/snapshot/${name}`);
    const plain = v.keyspace.every((k: J) => k.ttl === null || typeof k.ttl === "number");
    if (!plain || v.keyspace.length === 0) continue;
    it(`round-trips snapshot/${name.replace(".expected.json", "")} through put()`, () => {
      const s = new Store({ now: () => 1_700_000_000_000 });
      for (const k of v.keyspace) s.put(toEntry(k));
      assert.deepEqual(dumpKeyspace(s), v.keyspace);
    });
  }

  it("prints scores like the vectors", () => {
    assert.equal(scoreText(-0), "-0");
    assert.equal(scoreText(1e300), "1e+300");
    assert.equal(scoreBits(-0), "8000000000000000");
    assert.equal(scoreBits(5e-324), "0000000000000001");
  });

  it("sorts keys, hash fields and set members by bytes", () => {
    const s = new Store({ now: () => 0 });
    applyCommand(s, ["HSET", "\u00ff", "b", "1", "a", "2"]);
    applyCommand(s, ["SADD", "a", "z", "\x00", "m"]);
    applyCommand(s, ["SET", "b", "x", "PXAT", "99"]);
    assert.deepEqual(dumpKeyspace(s), [
      { key: "61", type: "set", ttl: null, value: ["00", "6d", "7a"] },
      { key: "62", type: "string", ttl: 99, value: "78" },
      { key: "c3bf", type: "hash", ttl: null, value: [["61", "32"], ["62", "31"]] },
    ]);
  });
});
