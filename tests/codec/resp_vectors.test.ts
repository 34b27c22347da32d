// The golden AOF vectors (tests/fixtures/vectors/aof/) through our strict parser.
// Where kevy v1.17 is more lenient, the comment names what the reference does.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AOF_MAGIC, encodeCommand, type FrameResult, parseFrame } from "../../src/codec/resp.ts";
import { bytesEqual, concatBytes } from "../../src/codec/bytes.ts";
import { hex, listFixtures, readFixture, readFixtureJson, unhex } from "../_helpers.ts";

interface AofExpected {
  has_magic: boolean;
  stop: "clean" | "truncated_tail" | "corrupt_frame";
  consumed_bytes: number;
  argv: string[][];
}

/** Parses a whole AOF file: frames until the end, or the first non-frame result. */
function replay(
  file: Uint8Array,
): { argv: string[][]; last: FrameResult | null; lastStart: number } {
  let p = file.length >= 9 && bytesEqual(file.subarray(0, 9), AOF_MAGIC) ? 9 : 0;
  const argv: string[][] = [];
  while (p < file.length) {
    const r = parseFrame(file, p);
    if (r.kind !== "frame") return { argv, last: r, lastStart: p };
    argv.push(r.argv.map(hex));
    p = r.end;
  }
  return { argv, last: null, lastStart: p };
}

// Frames kevy writes and replays cleanly: we must read exactly the same argv.
const CLEAN = [
  "basic",
  "binary",
  "empty",
  "header_only",
  "legacy_noheader",
  "rewrite",
  "rewrite_stream",
  "truncate_then_append",
];

// Where our stricter grammar stops: [vector, kind, first bad byte or frame start, frames before, why].
// Every crafted tail starts at byte 63, after the real frames `SET k v` and `SET k2 ""`.
const STOPS: Array<[string, "incomplete" | "corrupt", number, number, string]> = [
  ["torn_tail", "incomplete", 116, 3, "kevy: truncated tail at 116, same"],
  ["corrupt_bad_count", "corrupt", 64, 2, "kevy: 'bad multibulk count' at the '*x' frame"],
  ["corrupt_bad_len", "corrupt", 69, 2, "kevy: 'bad bulk length' ('$1x')"],
  ["corrupt_bulk_not_crlf", "corrupt", 74, 2, "kevy: 'bulk string not CRLF-terminated' ('abcXY')"],
  ["corrupt_negative_len", "corrupt", 68, 2, "kevy: 'negative bulk length in request' ('$-1')"],
  ["corrupt_not_bulk", "corrupt", 76, 2, "kevy: 'expected bulk string' ('#oops')"],
  // kevy v1.17 replays this line as an inline command and continues.
  ["inline_garbage", "corrupt", 63, 2, "kevy: inline command 'Warning: ...', replay continues"],
  // kevy v1.17 reads up to the next CRLF as one inline command, then more junk commands.
  ["garbage_lf_only", "corrupt", 63, 2, "kevy: junk inline commands, replay continues"],
  // kevy v1.17 waits for a CRLF that never comes: a silently dropped "torn tail".
  // We reject it at its first byte: no frame can start with 't'.
  ["garbage_tail_no_crlf", "corrupt", 63, 2, "kevy: truncated tail at 63"],
  // kevy v1.17: '$999999999' past EOF is a torn tail ("need more" wins). Our bound
  // (512 MiB) rules the length out at its 9th digit, so it is corrupt here.
  ["tail_length_lies", "corrupt", 76, 2, "kevy: truncated tail at 63"],
  // kevy v1.17 hands '*0' and '*-1' on as empty argv and blank lines as empty inline commands.
  ["null_and_empty_arrays", "corrupt", 64, 2, "kevy: empty argv, replay continues"],
  // kevy v1.17 accepts '*+3', '$+3', '$01', '$0002'.
  ["lenient_numbers", "corrupt", 64, 2, "kevy: replays SET k vv"],
  // The tear at 116 swallowed the start of the appended frames: the 29-byte payload
  // ends inside them (144 + 29 = 173) where no CRLF is. kevy: same error, frame at 116.
  ["torn_then_reopened", "corrupt", 173, 3, "kevy: corrupt frame at 116"],
];

describe("AOF golden vectors", () => {
  it("covers every vector in the directory", () => {
    const names = listFixtures("vectors/aof").filter((f) => f.endsWith(".aof")).map((f) =>
      f.slice(0, -4)
    );
    assert.deepEqual(names.sort(), [...CLEAN, ...STOPS.map((s) => s[0])].sort());
  });

  for (const name of CLEAN) {
    it(`${name}: replays every frame kevy replays, to the end`, () => {
      const file = readFixture(`vectors/aof/${name}.aof`);
      const exp = readFixtureJson<AofExpected>(`vectors/aof/${name}.expected.json`);
      assert.equal(exp.stop, "clean");
      const got = replay(file);
      assert.equal(got.last, null);
      assert.equal(got.lastStart, exp.consumed_bytes);
      assert.deepEqual(got.argv, exp.argv);
    });
  }

  for (const [name, kind, at, framesBefore, why] of STOPS) {
    it(`${name}: ${kind} at byte ${at} (${why})`, () => {
      const file = readFixture(`vectors/aof/${name}.aof`);
      const exp = readFixtureJson<AofExpected>(`vectors/aof/${name}.expected.json`);
      const got = replay(file);
      assert.equal(got.argv.length, framesBefore);
      // Whatever we parsed before stopping is what kevy replayed first.
      assert.deepEqual(got.argv, exp.argv.slice(0, framesBefore));
      assert.ok(got.last !== null);
      assert.equal(got.last.kind, kind);
      if (got.last.kind === "incomplete") {
        assert.equal(got.last.offset, at);
        assert.equal(exp.stop, "truncated_tail");
        assert.equal(exp.consumed_bytes, at);
      } else if (got.last.kind === "corrupt") {
        assert.equal(got.last.offset, at);
        assert.ok(got.last.expected.length > 0);
        // Where kevy also stops, it stops at the frame we reject.
        if (exp.stop === "corrupt_frame") assert.equal(got.lastStart, exp.consumed_bytes);
      }
    });
  }

  for (const name of CLEAN) {
    it(`${name}: encodeCommand reproduces kevy's frame bytes`, () => {
      const file = readFixture(`vectors/aof/${name}.aof`);
      const exp = readFixtureJson<AofExpected>(`vectors/aof/${name}.expected.json`);
      const frames = concatBytes(exp.argv.map((a) => encodeCommand(a.map(unhex))));
      assert.equal(hex(frames), hex(file.subarray(exp.has_magic ? 9 : 0)));
    });
  }

  it("a header-only file has exactly the magic", () => {
    assert.deepEqual(readFixture("vectors/aof/header_only.aof"), AOF_MAGIC);
  });
});
