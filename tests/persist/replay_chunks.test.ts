import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AofScanner, type ScanEnd } from "../../src/persist/_aof_scan.ts";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { hex, rng } from "../_helpers.ts";

// The scanner parses frames in place in each chunk and buffers only a pending
// frame (completed with a piece of the next chunk). Whatever the chunking, it
// must see exactly what one push of the whole file sees (that push goes
// through the buffered path): same frames, same end, same error.

type Seen =
  | { frames: string[]; end: Omit<ScanEnd, "tornPrefix"> & { tornPrefix: string } }
  | { frames: string[]; error: { offset: number; expected: string; preview: string } };

function scan(file: Uint8Array, sizes: (i: number) => number): Seen {
  const frames: string[] = [];
  const s = new AofScanner("x.aof", (argv) => frames.push(argv.map(hex).join(" ")), 4096);
  try {
    let i = 0;
    for (let p = 0; p < file.length; i++) {
      const n = Math.max(1, sizes(i));
      s.push(file.subarray(p, p + n));
      p += n;
    }
    const end = s.finish();
    return { frames, end: { ...end, tornPrefix: hex(end.tornPrefix) } };
  } catch (e) {
    assert.ok(e instanceof CorruptFileError, String(e));
    return { frames, error: { offset: e.offset, expected: e.expected, preview: e.preview } };
  }
}

function frames(r: () => number, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    // Mostly small frames, some bigger than the 4 KiB piece and than a chunk.
    const big = r() < 0.05;
    const len = big ? 3000 + Math.floor(r() * 9000) : Math.floor(r() * 40);
    const v = new Uint8Array(len).map(() => Math.floor(r() * 256));
    out.push(encodeCommand(["SET", `key:${i}`, v]));
  }
  return out;
}

const CHUNKINGS: Array<[string, (r: () => number) => (i: number) => number]> = [
  ["1", () => () => 1],
  ["7", () => () => 7],
  ["4095", () => () => 4095],
  ["4096", () => () => 4096],
  ["4097", () => () => 4097],
  ["5000", () => () => 5000],
  ["65536", () => () => 65536],
  ["random", (r) => () => 1 + Math.floor(r() * 20000)],
];

/** Drops the preview of an error: after a bad byte and zeros it shows what was buffered (as before). */
function withoutPreview(s: Seen): Seen {
  return "error" in s ? { frames: s.frames, error: { ...s.error, preview: "" } } : s;
}

function checkAllChunkings(file: Uint8Array, seed: number, label: string, preview = true): Seen {
  const whole = scan(file, () => file.length);
  for (const [name, make] of CHUNKINGS) {
    const seen = scan(file, make(rng(seed)));
    if (preview) assert.deepEqual(seen, whole, `${label}, chunks of ${name}`);
    else assert.deepEqual(withoutPreview(seen), withoutPreview(whole), `${label}, ${name}`);
  }
  return whole;
}

describe("AofScanner: chunking does not change what is seen", () => {
  it("clean logs, with and without the header", () => {
    for (let seed = 1; seed <= 3; seed++) {
      const body = concatBytes(frames(rng(seed), 150));
      const a = checkAllChunkings(concatBytes([AOF_MAGIC, body]), seed, `v1 seed ${seed}`);
      assert.ok("end" in a && a.end.tornAt === null && a.frames.length === 150);
      const b = checkAllChunkings(body, seed, `legacy seed ${seed}`);
      assert.ok("end" in b && b.end.header === false && b.frames.length === 150);
    }
  });

  it("torn tails: cut inside a frame, then maybe zeros", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = rng(seed * 7);
      const fs = frames(r, 120);
      const full = concatBytes([AOF_MAGIC, ...fs]);
      const cut = full.length - 1 - Math.floor(r() * fs[fs.length - 1]!.length);
      const zeros = seed % 3 === 0 ? 0 : Math.floor(r() * 10000);
      const file = concatBytes([full.subarray(0, cut), new Uint8Array(zeros)]);
      const seen = checkAllChunkings(file, seed, `torn seed ${seed}`);
      assert.ok("end" in seen, `torn seed ${seed} is a torn tail`);
      assert.equal(seen.frames.length, 119);
      assert.equal(seen.end.tornZeros + seen.end.tornPrefix.length / 2, seen.end.tornBytes);
    }
  });

  it("corruption mid-file, right after a frame or inside one", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = rng(seed * 13);
      const fs = frames(r, 120);
      const file = concatBytes([AOF_MAGIC, ...fs]);
      const at = AOF_MAGIC.length + Math.floor(r() * (file.length - AOF_MAGIC.length - 1));
      file[at] = 0x21; // '!' is valid nowhere in a frame header, and changes a payload byte
      const seen = checkAllChunkings(file, seed, `corrupt seed ${seed}`);
      if ("error" in seen) assert.ok(seen.error.offset <= at);
    }
  });

  it("zeros after a bad byte, then data again, far past the piece", () => {
    for (const gap of [10, 4000, 4096, 5000, 70000]) {
      const fs = frames(rng(gap), 50);
      const file = concatBytes([
        AOF_MAGIC,
        ...fs,
        new Uint8Array([0x2a, 0x33]),
        new Uint8Array(gap),
        new Uint8Array([1]),
      ]);
      const seen = checkAllChunkings(file, gap, `gap ${gap}`, false);
      assert.ok("error" in seen, `gap ${gap} is corruption`);
      assert.equal(seen.frames.length, 50);
    }
  });
});
