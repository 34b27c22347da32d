// Snapshot codec throughput: 1M string keys `key:<i>` with 16-byte values, and
// 100k hashes x 10 fields, encoded and decoded in memory.
//   npx deno bench -A bench/snapshot_bench.ts
//   npx bun bench/snapshot_bench.ts      (prints one timing per case)
import { concatBytes } from "../src/codec/bytes.ts";
import { decodeEntries, encodeSnapshotChunks } from "../src/codec/snapshot.ts";
import type { Entry } from "../src/codec/types.ts";

const NOW = 1767225600000;
const te = new TextEncoder();

function strings(n: number): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Uint8Array(16).fill(i & 255);
    out.push({ key: te.encode(`key:${i}`), value: { type: "string", value: v }, deadline: null });
  }
  return out;
}

function hashes(n: number, fields: number): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const value: Array<[Uint8Array, Uint8Array]> = [];
    for (let j = 0; j < fields; j++) {
      value.push([te.encode(`field:${j}`), te.encode(`value:${i}:${j}`)]);
    }
    out.push({
      key: te.encode(`hash:${i}`),
      value: { type: "hash", value },
      deadline: NOW + 86_400_000,
    });
  }
  return out;
}

/** Consumes the generator the way a file writer would (chunks kept only briefly). */
function encodeSize(entries: Entry[]): number {
  let n = 0;
  for (const c of encodeSnapshotChunks(entries, { now: NOW })) n += c.length;
  return n;
}

const cases: Array<[string, Entry[]]> = [
  ["1M strings (16-byte values)", strings(1_000_000)],
  ["100k hashes x 10 fields", hashes(100_000, 10)],
];
const images = cases.map(([, es]) => concatBytes([...encodeSnapshotChunks(es, { now: NOW })]));

type BenchFn = (name: string, opts: { group?: string; n?: number }, fn: () => void) => void;
const denoBench = (globalThis as { Deno?: { bench?: BenchFn } }).Deno?.bench;

cases.forEach(([name, entries], i) => {
  const image = images[i]!;
  const enc = () => {
    if (encodeSize(entries) !== image.length) throw new Error("size mismatch");
  };
  const dec = () => {
    if (decodeEntries(image, { now: NOW }).entries.length !== entries.length) {
      throw new Error("count");
    }
  };
  if (denoBench) {
    denoBench(`encode ${name}`, { group: name, n: 5 }, enc);
    denoBench(`decode ${name}`, { group: name, n: 5 }, dec);
  } else {
    for (const [what, fn] of [["encode", enc], ["decode", dec]] as const) {
      fn(); // warm up
      const times: number[] = [];
      for (let r = 0; r < 5; r++) {
        const t = performance.now();
        fn();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${what} ${name}: median ${times[2]!.toFixed(0)} ms, best ${times[0]!.toFixed(0)} ms` +
          ` (${(image.length / 1e6).toFixed(1)} MB)`,
      );
    }
  }
});
