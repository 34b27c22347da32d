import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeSnapshotChunks, SnapshotDecoder } from "../../src/codec/snapshot.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import {
  HASH_RUN_SINK,
  HASH_SINK,
  type InternalDecoderOptions,
  STREAM_SINK,
  STRING_RUN_SINK,
} from "../../src/codec/snapshot_types.ts";
import type { Entry } from "../../src/codec/types.ts";
import { StoreLoader } from "../../src/store/loader.ts";
import { Store } from "../../src/store/store.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { rng, utf8 } from "../_helpers.ts";

const NOW = 1_767_225_600_000;

/** Strings of many sizes, duplicate keys (the later record wins), past deadlines, collections. */
function records(): Entry[] {
  const r = rng(5);
  const out: Entry[] = [];
  const str = (k: string, v: Uint8Array, deadline: number | null = null): Entry => ({
    key: utf8(k),
    value: { type: "string", value: v },
    deadline,
  });
  for (let i = 0; i < 4000; i++) {
    const vlen = [0, 1, 16, 40, 300][Math.floor(r() * 5)]!;
    const d = i % 7 === 0 ? NOW + 5000 + i : i % 11 === 0 ? NOW - 1 : null;
    out.push(str(`key:${i}`, new Uint8Array(vlen).fill(i & 255), d));
    if (i % 97 === 0) out.push(str(`key:${i >> 1}`, utf8(`again ${i}`))); // a key seen before
    if (i % 101 === 0) out.push(str(`key:${i >> 2}`, utf8("gone"), NOW - 10)); // past: dropped
    if (i % 503 === 0) {
      out.push({
        key: utf8(`key:${i}`),
        value: { type: "hash", value: [[utf8("f"), utf8(`h${i}`)]] },
        deadline: null,
      });
    }
  }
  // Hashes in a row: compact ones, duplicate fields (merged, the last value kept), one past
  // the compact limits in the middle of a run, TTLs, a past deadline, a key seen before.
  for (let i = 0; i < 300; i++) {
    const n = 1 + (i % 12);
    const value: Array<[Uint8Array, Uint8Array]> = [];
    for (let j = 0; j < n; j++) value.push([utf8(`f${j}`), utf8(`v${i}.${j}`)]);
    if (i % 9 === 0) value.push([utf8("f0"), utf8(`dup ${i}`)]);
    if (i === 150) { for (let j = 0; j < 600; j++) value.push([utf8(`g${j}`), utf8("x")]); }
    const d = i % 5 === 0 ? NOW + 1000 : i % 17 === 0 ? NOW - 1 : null;
    out.push({
      key: utf8(i % 50 === 0 ? `key:${i}` : `hash:${i}`),
      value: { type: "hash", value },
      deadline: d,
    });
  }
  out.push(str("big", new Uint8Array(70_000).fill(9))); // above the arena's inline limit
  out.push(str("key:3", utf8("last word"), NOW + 1));
  return out;
}

/** What the store holds after put() of each live record in file order (the decoder drops the rest). */
function reference(es: Entry[]): string[] {
  const s = new Store({ now: () => NOW });
  for (const e of es) if (e.deadline === null || e.deadline > NOW) s.put(e);
  return dumped(s);
}

/** The keyspace, one JSON line per key. */
function dumped(s: Store): string[] {
  return dumpKeyspace(s).map((k) => JSON.stringify(k));
}

/** Same lines (the first difference reported, not a dump of megabytes). */
function sameKeys(got: string[], want: string[], what: string): void {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const show = (l: string | undefined) => l?.slice(0, 120);
  assert.ok(
    i === want.length && got.length === want.length,
    `${what}: key ${i} of ${want.length} differs (${got.length} loaded): ${show(got[i])} vs ${
      show(want[i])
    }`,
  );
}

/** A store loaded by the loader's sinks from `bytes` pushed in chunks of `step` (runs or not). */
function load(bytes: Uint8Array, step: number, runs: boolean): Store {
  const store = new Store({ now: () => NOW });
  const loader = new StoreLoader(store, bytes.length);
  const opts: InternalDecoderOptions = {
    onEntry: (e, o) => loader.put(e, o),
    onString: loader.onString,
    [HASH_SINK]: loader.onHash,
    [STREAM_SINK]: loader.onStream,
    now: NOW,
    totalSize: bytes.length,
  };
  if (runs) {
    opts[STRING_RUN_SINK] = loader.onRun;
    opts[HASH_RUN_SINK] = loader.onHashRun;
  }
  const dec = new SnapshotDecoder(opts);
  for (let i = 0; i < bytes.length; i += step) dec.push(bytes.subarray(i, i + step));
  dec.finish();
  return store;
}

describe("StoreLoader: string and hash records in runs", () => {
  const es = records();
  const bytes = concatBytes([...encodeSnapshotChunks(es)]);
  const want = reference(es);

  it("loads what put() of each record in order gives, at any chunking", () => {
    for (const step of [61, 4096, 65_536, bytes.length]) {
      sameKeys(dumped(load(bytes, step, true)), want, `step ${step}`);
    }
  });

  it("damage: the same error and the same records put before it as one record at a time", () => {
    // Among the strings, among the hashes (they end 70 kB before the EOF opcode), in the last value.
    for (
      const [at, step] of [[0.6, 29], [0.6, 4096], [-75_000, 29], [-80_000, 4096], [
        -300,
        4096,
      ]] as const
    ) {
      const cut = bytes.slice();
      cut[at > 0 ? Math.floor(bytes.length * at) : bytes.length + at] = 0xee;
      const got: Array<[string[], number, string]> = [];
      for (const runs of [false, true]) {
        const store = new Store({ now: () => NOW });
        const loader = new StoreLoader(store, cut.length);
        const opts: InternalDecoderOptions = {
          onEntry: (e, o) => loader.put(e, o),
          onString: loader.onString,
          [HASH_SINK]: loader.onHash,
          now: NOW,
          totalSize: cut.length,
        };
        if (runs) {
          opts[STRING_RUN_SINK] = loader.onRun;
          opts[HASH_RUN_SINK] = loader.onHashRun;
        }
        const dec = new SnapshotDecoder(opts);
        let err: unknown = null;
        try {
          for (let i = 0; i < cut.length; i += step) dec.push(cut.subarray(i, i + step));
          dec.finish();
        } catch (e) {
          err = e;
        }
        assert.ok(err instanceof CorruptFileError, String(err));
        got.push([dumped(store), err.offset, err.expected]);
      }
      sameKeys(got[1]![0], got[0]![0], `step ${step}: the records before the error`);
      assert.deepEqual(got[1]!.slice(1), got[0]!.slice(1), `step ${step}`);
    }
  });
});
