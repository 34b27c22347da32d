import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { replayAof, replayAofSync } from "../../src/persist/replay.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { fixturePath, hex, readFixtureJson, tempDir, utf8 } from "../_helpers.ts";

interface AofVector {
  stop: "clean" | "truncated_tail" | "corrupt_frame";
  consumed_bytes: number;
  dropped_bytes: number;
  argv: string[][];
  has_magic: boolean;
}

type Outcome =
  | { kind: "clean"; frames: number }
  | { kind: "torn"; at: number; frames: number }
  | { kind: "corrupt"; at: number; frames: number };

// Our outcome per vector. Where it differs from kevy v1.17 the comment says why.
const EXPECTED: Record<string, Outcome> = {
  basic: { kind: "clean", frames: 18 },
  binary: { kind: "clean", frames: 6 },
  empty: { kind: "clean", frames: 0 },
  header_only: { kind: "clean", frames: 0 },
  legacy_noheader: { kind: "clean", frames: 18 },
  rewrite: { kind: "clean", frames: 13 },
  rewrite_stream: { kind: "clean", frames: 12 },
  truncate_then_append: { kind: "clean", frames: 2 },
  torn_tail: { kind: "torn", at: 116, frames: 3 },
  corrupt_bad_count: { kind: "corrupt", at: 63, frames: 2 },
  corrupt_bad_len: { kind: "corrupt", at: 63, frames: 2 },
  corrupt_bulk_not_crlf: { kind: "corrupt", at: 63, frames: 2 },
  corrupt_negative_len: { kind: "corrupt", at: 63, frames: 2 },
  corrupt_not_bulk: { kind: "corrupt", at: 63, frames: 2 },
  // kevy appended after its own tear; we never write such a file (Aof.open cuts
  // the tear first) but must not silently drop the later frames either.
  torn_then_reopened: { kind: "corrupt", at: 116, frames: 3 },
  // kevy replays a CRLF-terminated text line as an inline command and carries
  // on; no writer of ours produces text lines, so here it is corruption.
  inline_garbage: { kind: "corrupt", at: 63, frames: 2 },
  garbage_lf_only: { kind: "corrupt", at: 63, frames: 2 },
  // kevy calls text without CRLF at the end a torn tail; a torn write of ours
  // is a frame prefix or zeros, never text, so we report corruption.
  garbage_tail_no_crlf: { kind: "corrupt", at: 63, frames: 2 },
  // A bulk length above the 512 MiB limit is not a torn write (kevy: torn tail).
  tail_length_lies: { kind: "corrupt", at: 63, frames: 2 },
  // Signs, leading zeros, *0 / *-1 and blank lines are accepted by kevy's
  // lenient parser but never written by any kevy or by us: strict here.
  lenient_numbers: { kind: "corrupt", at: 63, frames: 2 },
  null_and_empty_arrays: { kind: "corrupt", at: 63, frames: 2 },
};

async function run(
  path: string,
  chunkBytes?: number,
): Promise<{ argv: string[][]; result: Outcome; bytes: number }> {
  const argv: string[][] = [];
  const apply = (a: Uint8Array[]) => argv.push(a.map(hex));
  try {
    const s = await replayAof(path, apply, chunkBytes === undefined ? {} : { chunkBytes });
    const result: Outcome = s.tornAt === null
      ? { kind: "clean", frames: s.frames }
      : { kind: "torn", at: s.tornAt, frames: s.frames };
    assert.equal(s.frames, argv.length);
    return { argv, result, bytes: s.bytes };
  } catch (e) {
    assert.ok(e instanceof CorruptFileError, String(e));
    assert.equal(e.path, path);
    return {
      argv,
      result: { kind: "corrupt", at: e.offset, frames: argv.length },
      bytes: e.offset,
    };
  }
}

describe("replayAof on the kevy v1.17 AOF vectors", () => {
  for (const [name, want] of Object.entries(EXPECTED)) {
    it(`${name}: ${want.kind}${want.kind === "clean" ? "" : ` at ${want.at}`}`, async () => {
      const v = readFixtureJson<AofVector>(`vectors/aof/${name}.expected.json`);
      const path = fixturePath(`vectors/aof/${name}.aof`);
      const got = await run(path);
      assert.deepEqual(got.result, want);
      // The frames applied are exactly kevy's first `frames` argv.
      assert.deepEqual(got.argv, v.argv.slice(0, want.frames));
      if (want.kind !== "corrupt" && v.stop !== "corrupt_frame") {
        assert.equal(got.bytes, v.consumed_bytes);
      }
    });
  }

  it("gives the same result for every chunking (1, 2, 7, 64 bytes)", async () => {
    for (const name of Object.keys(EXPECTED)) {
      const path = fixturePath(`vectors/aof/${name}.aof`);
      const whole = await run(path);
      for (const c of [1, 2, 7, 64]) {
        assert.deepEqual(await run(path, c), whole, `${name} with ${c}-byte chunks`);
      }
    }
  });

  it("the sync variant agrees with the async one", () => {
    const argv: string[][] = [];
    const s = replayAofSync(fixturePath("vectors/aof/torn_tail.aof"), (a) => argv.push(a.map(hex)));
    assert.deepEqual({ frames: s.frames, tornAt: s.tornAt, tornBytes: s.tornBytes }, {
      frames: 3,
      tornAt: 116,
      tornBytes: 50,
    });
    assert.throws(
      () => replayAofSync(fixturePath("vectors/aof/corrupt_bad_len.aof"), () => {}),
      (e: unknown) => e instanceof CorruptFileError && e.offset === 63,
    );
  });
});

describe("replayAof edge cases", () => {
  const frame = utf8("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  const magic = utf8("KEVYAOF1\n");
  function file(...parts: Uint8Array[]): string {
    const dir = tempDir("kevy-replay-");
    const p = join(dir, "aof-0.aof");
    const total = parts.reduce((n, b) => n + b.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const b of parts) {
      out.set(b, o);
      o += b.length;
    }
    writeFileSync(p, out);
    return p;
  }

  it("a missing file is an empty replay", async () => {
    const s = await replayAof(join(tempDir(), "nope.aof"), () => assert.fail("no frames"));
    assert.deepEqual({ frames: s.frames, bytes: s.bytes, tornAt: s.tornAt }, {
      frames: 0,
      bytes: 0,
      tornAt: null,
    });
  });

  it("a run of zeros up to EOF is a torn tail, reported with onTorn", async () => {
    const p = file(magic, frame, new Uint8Array(4096));
    let reported: unknown = null;
    const s = await replayAof(p, () => {}, { onTorn: (t) => (reported = t), chunkBytes: 1000 });
    assert.equal(s.frames, 1);
    assert.equal(s.tornAt, 9 + frame.length);
    assert.equal(s.tornBytes, 4096);
    assert.deepEqual(reported, { path: p, offset: 9 + frame.length, bytes: 4096 });
  });

  it("a frame prefix followed by zeros is a torn tail", async () => {
    const p = file(magic, frame, frame.subarray(0, 20), new Uint8Array(100));
    const s = await replayAof(p, () => {});
    assert.equal(s.tornAt, 9 + frame.length);
    assert.equal(s.tornBytes, 120);
  });

  it("zeros followed by data are corruption", async () => {
    const p = file(magic, frame, new Uint8Array(10), frame);
    await assert.rejects(
      replayAof(p, () => {}, { chunkBytes: 4 }),
      (e: unknown) => e instanceof CorruptFileError && e.offset === 9 + frame.length,
    );
  });

  it("a torn header is a torn tail at 0", async () => {
    const s = await replayAof(file(magic.subarray(0, 5)), () => {});
    assert.deepEqual({ frames: s.frames, tornAt: s.tornAt, tornBytes: s.tornBytes }, {
      frames: 0,
      tornAt: 0,
      tornBytes: 5,
    });
  });

  it("reads KEVYAOF2 (kevy 5.x): a record header cut short is a torn tail", async () => {
    const p = file(utf8("KEVYAOF2\n"), new Uint8Array([5, 0, 0, 0]));
    const stats = await replayAof(p, () => {});
    assert.equal(stats.format, "v2");
    assert.equal(stats.tornAt, 9);
    assert.equal(stats.tornBytes, 4);
  });

  it("applies frames before a mid-file corruption, then rejects", async () => {
    const p = file(magic, frame, utf8("*2\r\n$x\r\n"), frame);
    let n = 0;
    await assert.rejects(replayAof(p, () => n++), CorruptFileError);
    assert.equal(n, 1);
  });

  it("a frame larger than the chunk size streams through", async () => {
    const big = new Uint8Array(300_000).fill(0x61);
    const head = utf8(`*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$${big.length}\r\n`);
    const p = file(magic, frame, head, big, utf8("\r\n"), frame);
    const sizes: number[] = [];
    const s = await replayAof(p, (a) => sizes.push(a[2]!.length), { chunkBytes: 4096 });
    assert.deepEqual(sizes, [1, big.length, 1]);
    assert.equal(s.tornAt, null);
  });
});
