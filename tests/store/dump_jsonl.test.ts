// dumpKeyspaceJsonl: the same lines as dumpKeyspace, streamed; sorted by key
// bytes without an object per key (radix sort over the store's arena).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { rng } from "../_helpers.ts";
import { Store } from "../../src/store/store.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { dumpKeyspaceJsonl } from "../../src/store/dump_jsonl.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { sampleStore } from "../redis/_sample_store.ts";

const NOW = 1_767_225_600_000;
const text = (chunks: Iterable<Uint8Array>) => {
  const d = new TextDecoder();
  let s = "";
  for (const c of chunks) s += d.decode(c);
  return s;
};
const expected = (s: Store) => dumpKeyspace(s).map((k) => JSON.stringify(k) + "\n").join("");

/** Keys that stress the sort: shared long prefixes, prefixes of each other, empty, high bytes. */
function trickyStore(): Store {
  const s = new Store({ now: () => NOW });
  const r = rng(7);
  const put = (key: Uint8Array, i: number) => s.setString(key, new TextEncoder().encode(`v${i}`));
  put(new Uint8Array(0), 0);
  for (let i = 0; i < 3000; i++) {
    const len = r() * 12 | 0;
    const k = new Uint8Array(len + 3);
    k.set([0x6b, 0x3a, r() < 0.5 ? 0x00 : 0xff]);
    for (let j = 3; j < k.length; j++) k[j] = r() < 0.3 ? 0 : r() < 0.5 ? 0xff : r() * 256 | 0;
    put(k, i);
  }
  for (let i = 0; i < 200; i++) put(new TextEncoder().encode("p".repeat(i)), i);
  // A string above the inline limit (kept by reference, not in the arena).
  s.setString(new TextEncoder().encode("big"), new Uint8Array(70_000).fill(0x61));
  return s;
}

describe("dumpKeyspaceJsonl", () => {
  it("prints exactly dumpKeyspace's lines, in key byte order, for every type and TTLs", () => {
    const s = sampleStore(() => NOW);
    assert.equal(text(dumpKeyspaceJsonl(s)), expected(s));
  });
  it("sorts binary keys sharing prefixes, prefixes of each other and the empty key", () => {
    const s = trickyStore();
    assert.equal(text(dumpKeyspaceJsonl(s, { chunkBytes: 1000 })), expected(s));
  });
  it("unsorted: the same lines in storage order", () => {
    const s = trickyStore();
    const lines = text(dumpKeyspaceJsonl(s, { sorted: false })).split("\n");
    assert.deepEqual(lines.slice().sort(), expected(s).split("\n").sort());
  });
  it("chunks hold whole lines and progress reaches the key count", () => {
    const s = trickyStore();
    const seen: number[] = [];
    const chunks = [...dumpKeyspaceJsonl(s, { chunkBytes: 512, onProgress: (d) => seen.push(d) })];
    assert.ok(chunks.length > 10);
    for (const c of chunks) assert.equal(c[c.length - 1], 0x0a);
    assert.equal(seen[seen.length - 1], s.dbsize());
    assert.deepEqual(seen, seen.slice().sort((a, b) => a - b));
  });
  it("text: UTF-8 byte strings as text, anything else as {hex}", () => {
    const s = new Store({ now: () => NOW });
    const te = new TextEncoder();
    s.setString(te.encode('naïve\n"q"'), te.encode("ok"));
    s.setString(new Uint8Array([0xff, 0x00]), new Uint8Array([0xc3]));
    const lines = text(dumpKeyspaceJsonl(s, { text: true })).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(lines, [
      { key: 'naïve\n"q"', type: "string", ttl: null, value: "ok" },
      { key: { hex: "ff00" }, type: "string", ttl: null, value: { hex: "c3" } },
    ]);
  });
  it("text: collections keep dumpKeyspace's order and shapes", () => {
    const s = sampleStore(() => NOW);
    const hexed = dumpKeyspace(s);
    const texted = text(dumpKeyspaceJsonl(s, { text: true })).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.equal(texted.length, hexed.length);
    const unhex = (v: unknown): unknown =>
      typeof v === "string" ? v : v !== null && typeof v === "object" && "hex" in v ? v.hex : v;
    const hexOf = (t: unknown): unknown =>
      typeof t === "string"
        ? [...new TextEncoder().encode(t)].map((b) => b.toString(16).padStart(2, "0")).join("")
        : unhex(t);
    for (let i = 0; i < hexed.length; i++) {
      const h = hexed[i]!, t = texted[i]!;
      assert.equal(hexOf(t.key), h.key);
      assert.equal(t.type, h.type);
      assert.equal(t.ttl, h.ttl);
      if (h.type === "string") assert.equal(hexOf(t.value), h.value);
      if (h.type === "list" || h.type === "set") assert.deepEqual(t.value.map(hexOf), h.value);
      if (h.type === "hash") {
        assert.deepEqual(t.value.map((p: unknown[]) => p.map(hexOf)), h.value);
      }
      if (h.type === "zset") {
        assert.deepEqual(
          t.value.map(([m, sc, b]: unknown[]) => [hexOf(m), sc, b]),
          h.value,
        );
      }
      if (h.type === "stream") assert.deepEqual(t.value, h.value);
    }
  });
  it("hash-field TTLs: field_ttls as dumpKeyspace has them, hex and text", () => {
    const s = new Store({ now: () => NOW });
    applyCommand(s, ["HSET", "h", "b", "2", "a", "1", "c", "3"]);
    applyCommand(s, ["HPEXPIREAT", "h", String(NOW + 5000), "FIELDS", "2", "c", "a"]);
    applyCommand(s, ["HSET", "plain", "f", "v"]);
    assert.equal(text(dumpKeyspaceJsonl(s)), expected(s));
    assert.deepEqual(dumpKeyspace(s)[0]!.field_ttls, [["61", NOW + 5000], ["63", NOW + 5000]]);
    const lines = text(dumpKeyspaceJsonl(s, { text: true })).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(lines, [
      {
        key: "h",
        type: "hash",
        ttl: null,
        value: [["a", "1"], ["b", "2"], ["c", "3"]],
        field_ttls: [["a", NOW + 5000], ["c", NOW + 5000]],
      },
      { key: "plain", type: "hash", ttl: null, value: [["f", "v"]] },
    ]);
  });
  it("skips expired keys", () => {
    let now = NOW;
    const s = new Store({ now: () => now });
    const te = new TextEncoder();
    s.setString(te.encode("a"), te.encode("1"));
    s.setString(te.encode("b"), te.encode("2"));
    s.setDeadline(te.encode("b"), NOW + 10);
    now = NOW + 10;
    assert.equal(
      text(dumpKeyspaceJsonl(s)),
      '{"key":"61","type":"string","ttl":null,"value":"31"}\n',
    );
  });
  it("collections written as bytes match dumpKeyspace's JSON: odd scores, empty members, binary fields, a stream with a group", () => {
    const s = new Store({ now: () => NOW });
    const b = (x: string | number[]) =>
      typeof x === "string" ? new TextEncoder().encode(x) : Uint8Array.from(x);
    const run = (...a: Array<string | number[]>) => applyCommand(s, a.map(b));
    run("ZADD", "z", "-0", "a", "-inf", "b", "inf", "c", "1e-300", "", "0.1", [0, 0xff]);
    run("HSET", "h", [0xff], "x", "", "empty field", [0], [1, 2]);
    run("HPEXPIREAT", "h", String(NOW + 9), "FIELDS", "1", [0xff]);
    run("SADD", "s", [0xfe], "", "m");
    run("RPUSH", "l", "", [0], "z");
    run("PEXPIREAT", "l", String(NOW + 5));
    run("XADD", "x", "5-1", "f", "v");
    run("XGROUP", "CREATE", "x", "g", "0");
    run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">");
    assert.equal(text(dumpKeyspaceJsonl(s)), expected(s));
  });
});
