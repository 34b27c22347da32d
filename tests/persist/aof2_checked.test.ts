// A v2 replay checksums each chunk's records in one pass (checkedRecordsEnd,
// in WebAssembly where available, 16 records at a time in wasm SIMD where the
// engine has it) and then parses them without checking again. Whether that
// check runs in SIMD, in scalar wasm or in the JS loop, and whatever the chunk
// size, a replay reports the same: the same frames, the same torn tail, the
// same CorruptFileError at the same offset (tests/persist/aof2*.test.ts pin
// down what those outcomes are).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { replayAofSync } from "../../src/persist/replay.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { AOF2_MAGIC, encodeRecord, TXN_BEGIN, TXN_COMMIT } from "../../src/codec/aof2.ts";
import { setUseSimd, setUseWasm } from "../../src/codec/_crc32c_wasm.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { rng } from "../_helpers.ts";

const P = "/db/aof-0.aof";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

/**
 * A v2 log of plain SETs (the fast path), other commands and transactions:
 * values of very different lengths (some large), or `uniform`: all about as
 * long, so most records go through the SIMD check in whole batches of 16.
 */
function buildLog(seed: number, uniform = false, n = 400): Uint8Array {
  const r = rng(seed);
  const parts: Uint8Array[] = [AOF2_MAGIC];
  for (let i = 0; i < n; i++) {
    const v = "x".repeat(uniform ? 20 + (r() * 40 | 0) : Math.floor(r() ** 3 * 3000));
    const k = r() * 100 | 0;
    if (i % 37 === 5) {
      parts.push(encodeRecord([TXN_BEGIN]));
      parts.push(encodeRecord(["SET", `t${k}`, v]), encodeRecord(["RPUSH", `l${k}`, "a", "b"]));
      parts.push(encodeRecord([TXN_COMMIT]));
    } else if (i % 3 === 0) parts.push(encodeRecord(["RPUSH", `l${k}`, v]));
    else parts.push(encodeRecord(["SET", `k${k}`, v]));
  }
  return concat(parts);
}

/** Where the record check runs: the JS loop, the scalar wasm kernel, the SIMD one. */
type Mode = "js" | "wasm" | "simd";

/** What a replay reports: keyspace and stats, or the error's name, offset and message. */
function outcome(file: Uint8Array, chunkBytes: number, mode: Mode, target: boolean): string {
  const fs = new CrashFs();
  fs.mkdirSync("/db");
  fs.writeFileDurable(P, file);
  const was = setUseWasm(mode !== "js");
  const wasSimd = setUseSimd(mode === "simd");
  try {
    const store = new Store();
    // An argv callback that is not a storeApplier, or the store fast path (replayAofSync's own).
    const seen: string[] = [];
    const stats = replayAofSync(P, (argv) => {
      if (!target) seen.push(argv.map((a) => a.length).join(","));
      return applyCommand(store, argv);
    }, { fs, chunkBytes });
    const { ms: _ms, ...rest } = stats;
    return JSON.stringify({ rest, seen: seen.length, keys: dumpKeyspace(store) });
  } catch (e) {
    if (!(e instanceof CorruptFileError)) throw e;
    return `${e.name} at ${e.offset}: ${e.message}`;
  } finally {
    setUseWasm(was);
    setUseSimd(wasSimd);
  }
}

describe("v2 replay with the chunk checked in one pass", () => {
  it("reports the same with the wasm checks as with the JS one for damaged logs, at any chunk size", () => {
    for (const uniform of [false, true]) damaged(buildLog(18, uniform, uniform ? 1500 : 400));
  });

  function damaged(log: Uint8Array): void {
    const r = rng(77);
    let corrupt = 0, torn = 0;
    for (let i = 0; i < 48; i++) {
      const m = log.slice();
      let file = m;
      const at = 9 + Math.floor(r() * (m.length - 9));
      if (i % 3 === 0) m[at]! ^= 1 << (i % 8);
      else if (i % 3 === 1) file = m.subarray(0, at); // torn
      else m.fill(0, at); // a power cut's zero run
      const chunk = [61, 1000, 4096, 65536][i % 4]!;
      const want = outcome(file, chunk, "js", i % 2 === 0);
      if (want.startsWith("CorruptFileError")) corrupt++;
      else if (!want.includes('"tornAt":null')) torn++;
      for (const mode of ["wasm", "simd"] as const) {
        assert.equal(outcome(file, chunk, mode, i % 2 === 0), want, `case ${i} ${mode}`);
        assert.equal(outcome(file, 65536, mode, i % 2 === 0), want, `case ${i} ${mode} (64 KiB)`);
      }
    }
    assert.ok(corrupt >= 12 && torn >= 12, `${corrupt} corrupt, ${torn} torn`);
  }

  it("replays an intact log identically with and without wasm", () => {
    for (const uniform of [false, true]) {
      const log = buildLog(3, uniform);
      const want = outcome(log, 65536, "js", true);
      assert.ok(want.includes('"tornAt":null'));
      for (const chunk of [13, 4096, 65536]) {
        for (const mode of ["wasm", "simd"] as const) {
          assert.equal(outcome(log, chunk, mode, true), want);
          assert.equal(
            outcome(log, chunk, mode, false).replace(/"seen":\d+,/, ""),
            want.replace(/"seen":\d+,/, ""),
          );
        }
      }
    }
  });

  it("names the record whose CRC fails, in any lane of a SIMD batch, and applies nothing", () => {
    // 64 records of one shape: four whole batches of 16; a transaction across
    // the first 5000-byte chunk's edge (records 30-40). A flipped payload bit in record k
    // is a CorruptFileError at record k's offset, whichever kernel checks it.
    const recs: Uint8Array[] = [];
    for (let i = 0; i < 64; i++) {
      if (i === 30) recs.push(encodeRecord([TXN_BEGIN]));
      else if (i === 40) recs.push(encodeRecord([TXN_COMMIT]));
      else recs.push(encodeRecord(["SET", `key:${1000 + i}`, "v".repeat(100)]));
    }
    const offsets: number[] = [];
    let o = AOF2_MAGIC.length;
    for (const x of recs) offsets.push(o), o += x.length;
    const log = concat([AOF2_MAGIC, ...recs]);
    assert.ok(offsets[30]! < 5000 && offsets[41]! > 5000, "the transaction straddles a chunk edge");
    for (const k of [0, 7, 15, 16, 29, 31, 35, 39, 47, 62, 63]) {
      const m = log.slice();
      m[offsets[k]! + 8 + 20]! ^= 0x04; // inside record k's payload
      for (const mode of ["js", "wasm", "simd"] as const) {
        for (const chunk of [5000, 65536]) {
          const got = outcome(m, chunk, mode, k % 2 === 0);
          assert.match(
            got,
            new RegExp(`^CorruptFileError at ${offsets[k]}: `),
            `${k} ${mode} ${chunk}`,
          );
          assert.match(got, /checksum mismatch/);
        }
      }
    }
    // A torn tail inside the last batch: nothing after the cut, so the 63 whole records
    // replay (the transaction committed) and the cut record is reported as torn.
    const cut = log.subarray(0, offsets[63]! + 50);
    for (const mode of ["js", "wasm", "simd"] as const) {
      const got = JSON.parse(outcome(cut, 5000, mode, true));
      assert.equal(got.rest.tornAt, offsets[63], mode);
      assert.equal(got.rest.frames, 63, mode); // records (BEGIN and COMMIT included)
      assert.equal(got.keys.length, 61, mode); // every SET, the transaction's included
    }
  });
});
