// Shared test helpers. Tests run from the repository root on every runtime
// (deno test, bun test, node --test on the npm build), so fixtures are found
// relative to the working directory rather than import.meta.url.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { Entry } from "../src/codec/types.ts";

/** Absolute path of a file under tests/fixtures/. */
export function fixturePath(rel: string): string {
  return join(process.cwd(), "tests", "fixtures", rel);
}

/** Bytes of a fixture file. */
export function readFixture(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(rel)));
}

/** Parsed JSON of a fixture file. */
export function readFixtureJson<T = unknown>(rel: string): T {
  return JSON.parse(readFileSync(fixturePath(rel), "utf8")) as T;
}

/** Names in a fixture directory, sorted. */
export function listFixtures(rel: string): string[] {
  return readdirSync(fixturePath(rel)).sort();
}

/** Lowercase hex of bytes. */
export function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of a hex string. */
export function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The byte arrays joined into one (e.g. the chunks of an encoder). Each piece
 * is copied as it arrives, so pieces may be views of one reused buffer.
 */
export function concat(parts: Iterable<Uint8Array>): Uint8Array {
  const list: Uint8Array[] = [];
  for (const p of parts) list.push(p.slice());
  const out = new Uint8Array(list.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of list) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

// Every dir tempDir made goes when the test process exits (a whole suite run
// left 200k dirs, 16 GB, in /tmp). KEVY_KEEP_TMP=1 keeps them for a post-mortem.
const madeDirs: string[] = [];
function removeMadeDirs(): void {
  for (const dir of madeDirs.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A dir a child process still writes into, or one a test made read-only
      // on purpose: leave it rather than fail the run at exit.
    }
  }
}
if (process.env.KEVY_KEEP_TMP !== "1") {
  // Node and Bun fire the process's "exit"; `deno test` fires only "unload".
  process.on("exit", removeMadeDirs);
  globalThis.addEventListener?.("unload", removeMadeDirs);
}

/** A fresh, empty temporary directory on the real filesystem (created; removed when the process exits). */
export function tempDir(prefix = "kevy-test-"): string {
  const dir = join(
    process.env.TMPDIR ?? "/tmp",
    `${prefix}${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  mkdirSync(dir, { recursive: true });
  madeDirs.push(dir);
  return dir;
}

/**
 * A stream record `key` (no TTL, no groups) whose last id is `ms-seq`; with
 * `oneEntry` it holds one entry `f v` at that id. What the "streams are not
 * rewritable" tests put in a store.
 */
export function streamEntry(
  key: string,
  ms: bigint,
  seq: bigint,
  entriesAdded: bigint,
  oneEntry = false,
): Entry {
  return {
    key: utf8(key),
    value: {
      type: "stream",
      value: {
        lastId: { ms, seq },
        maxDeletedId: { ms: 0n, seq: 0n },
        entriesAdded,
        entries: oneEntry ? [{ id: { ms, seq }, fields: [[utf8("f"), utf8("v")]] }] : [],
        groups: [],
      },
    },
    deadline: null,
  };
}

/** A small deterministic PRNG (xorshift32) returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/**
 * A fresh temporary directory on a RAM filesystem (/dev/shm) when there is one, else
 * {@link tempDir}. For SIGKILL tests: a killed process loses nothing the kernel already has,
 * so fsync costs nothing there, and a run is bound by the work, not by the disk.
 */
export function ramTempDir(prefix = "kevy-test-"): string {
  try {
    if (statSync("/dev/shm").isDirectory()) {
      const dir = join("/dev/shm", `${prefix}${Date.now()}-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    }
  } catch { /* no /dev/shm */ }
  return tempDir(prefix);
}
