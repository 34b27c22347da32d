// A v2 replay checksums each chunk's records in one pass (checkedRecordsEnd,
// in WebAssembly where available) and then parses them without checking again.
// Whether that check runs in wasm or in the JS loop, and whatever the chunk
// size, a replay reports the same: the same frames, the same torn tail, the
// same CorruptFileError at the same offset (tests/persist/aof2*.test.ts pin
// down what those outcomes are).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { replayAofSync } from "../../src/persist/replay.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { AOF2_MAGIC, encodeRecord, TXN_BEGIN, TXN_COMMIT } from "../../src/codec/aof2.ts";
import { setUseWasm } from "../../src/codec/_crc32c_wasm.ts";
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

/** A v2 log of plain SETs (the fast path), other commands and transactions, some values large. */
function buildLog(seed: number): Uint8Array {
  const r = rng(seed);
  const parts: Uint8Array[] = [AOF2_MAGIC];
  for (let i = 0; i < 400; i++) {
    const v = "x".repeat(Math.floor(r() ** 3 * 3000));
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

/** What a replay reports: keyspace and stats, or the error's name, offset and message. */
function outcome(file: Uint8Array, chunkBytes: number, wasm: boolean, target: boolean): string {
  const fs = new CrashFs();
  fs.mkdirSync("/db");
  fs.writeFileDurable(P, file);
  const was = setUseWasm(wasm);
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
  }
}

describe("v2 replay with the chunk checked in one pass", () => {
  it("reports the same with the wasm check as with the JS one for damaged logs, at any chunk size", () => {
    const log = buildLog(18);
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
      const want = outcome(file, chunk, false, i % 2 === 0);
      if (want.startsWith("CorruptFileError")) corrupt++;
      else if (!want.includes('"tornAt":null')) torn++;
      assert.equal(outcome(file, chunk, true, i % 2 === 0), want, `case ${i}`);
      assert.equal(outcome(file, 65536, true, i % 2 === 0), want, `case ${i} (64 KiB chunks)`);
    }
    assert.ok(corrupt >= 12 && torn >= 12, `${corrupt} corrupt, ${torn} torn`);
  });

  it("replays an intact log identically with and without wasm", () => {
    const log = buildLog(3);
    const want = outcome(log, 65536, false, true);
    assert.ok(want.includes('"tornAt":null'));
    for (const chunk of [13, 4096, 65536]) {
      assert.equal(outcome(log, chunk, true, true), want);
      assert.equal(
        outcome(log, chunk, true, false).replace(/"seen":\d+,/, ""),
        want.replace(/"seen":\d+,/, ""),
      );
    }
  });
});
