// The peers of bench/compare.ts (JSON, node:v8 on an object and on a Map,
// msgpackr), each saved with a careful durable write.
import process from "node:process";
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import * as v8 from "node:v8";
import { FIELDS, rssMB, VALUE_STR, type WorkerResult } from "./_compare_common.ts";

type Msgpackr = typeof import("msgpackr");

function loadMsgpackr(): Promise<Msgpackr> {
  const url = process.env.KEVY_COMPARE_MSGPACKR;
  return url ? import(url) as Promise<Msgpackr> : import("msgpackr");
}

/** temp file, write, fdatasync, close, rename, directory fsync: what a careful user writes. */
function durableWrite(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeFileSync(fd, data);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(dirname(path), "r");
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

// ---- peers: a plain object { "key:<i>": "<16 B>" } / { "hash:<i>": { "field:<j>": "<16 B>" } }

function peerData(dataset: string, n: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (dataset === "strings") {
    for (let i = 0; i < n; i++) o[`key:${i}`] = VALUE_STR;
  } else {
    for (let i = 0; i < n; i++) {
      const h: Record<string, string> = {};
      for (let j = 0; j < FIELDS; j++) h[`field:${j}`] = VALUE_STR;
      o[`hash:${i}`] = h;
    }
  }
  return o;
}

/** The same data as Maps (what `v8.serialize(Map)` users keep). */
function peerMap(dataset: string, n: number): Map<string, unknown> {
  const o = new Map<string, unknown>();
  if (dataset === "strings") {
    for (let i = 0; i < n; i++) o.set(`key:${i}`, VALUE_STR);
  } else {
    for (let i = 0; i < n; i++) {
      const h = new Map<string, string>();
      for (let j = 0; j < FIELDS; j++) h.set(`field:${j}`, VALUE_STR);
      o.set(`hash:${i}`, h);
    }
  }
  return o;
}

interface Codec {
  encode(o: unknown): Uint8Array | string;
  decode(path: string): unknown;
}

async function peerCodec(lib: string): Promise<Codec> {
  if (lib === "json") {
    return {
      encode: (o) => JSON.stringify(o),
      decode: (p) => JSON.parse(readFileSync(p, "utf8")),
    };
  }
  if (lib === "v8" || lib === "v8map") {
    if (typeof v8.serialize !== "function" || typeof v8.deserialize !== "function") {
      throw new Error("skip: node:v8 serialize/deserialize not available in this runtime");
    }
    return { encode: (o) => v8.serialize(o), decode: (p) => v8.deserialize(readFileSync(p)) };
  }
  if (lib === "msgpackr") {
    const m = await loadMsgpackr();
    // The default 16-bit map size throws on objects with more than 65535 keys.
    const packr = new m.Packr({ variableMapSize: true });
    return { encode: (o) => packr.pack(o), decode: (p) => packr.unpack(readFileSync(p)) };
  }
  throw new Error(`unknown library ${lib}`);
}

function countKeys(o: unknown): number {
  if (o instanceof Map) return o.size;
  let n = 0;
  for (const _ in o as Record<string, unknown>) n++;
  return n;
}

/** Times one peer operation (`save` or `load`). */
export async function peer(
  lib: string,
  op: string,
  dataset: string,
  n: number,
  file: string,
): Promise<WorkerResult> {
  const codec = await peerCodec(lib);
  const baseRssMB = rssMB();
  if (op === "save") {
    const data = lib === "v8map" ? peerMap(dataset, n) : peerData(dataset, n);
    const t0 = performance.now();
    durableWrite(file, codec.encode(data));
    const seconds = (performance.now() - t0) / 1000;
    return { ok: true, seconds, bytes: statSync(file).size, items: n, baseRssMB };
  }
  if (op === "load") {
    const t0 = performance.now();
    const data = codec.decode(file);
    const seconds = (performance.now() - t0) / 1000;
    const rss = rssMB();
    const items = countKeys(data);
    if (items !== n) throw new Error(`loaded ${items} keys, expected ${n}`);
    return { ok: true, seconds, bytes: statSync(file).size, rssMB: rss, items, baseRssMB };
  }
  throw new Error(`op ${op} is kevy-only`);
}
