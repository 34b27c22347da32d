// The simulator's side of the store: a step's write issued through the embedded API, the
// store's keys read back and printed as the model prints them, and a power-cut image made
// openable (its lock is the dead process's).
import type { CrashFs } from "../../src/fs/crash.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import { KeyIndex } from "../../src/store/_index.ts";
import { type StreamView, valueText } from "./_model.ts";
import { bigValue, KEYS, type Step } from "./_steps.ts";

/** The data dir of every run. */
export const DIR = "/db";

/** Issues one write step. */
export function runWrite(db: KevyStore, s: Step): Promise<unknown> {
  switch (s.op) {
    case "set":
      return s.px === undefined ? db.set(s.k, s.v) : db.set(s.k, s.v, { px: s.px });
    case "setbig":
      return db.set(s.k, bigValue(s.n, s.len));
    case "incr":
      return db.incr(s.k);
    case "append":
      return db.append(s.k, s.v);
    case "appendbig":
      return db.append(s.k, bigValue(s.n, s.len));
    case "rpush":
      return db.rpush(s.k, s.v);
    case "hset":
      return db.hset(s.k, s.f, s.v);
    case "pexpire":
      return db.pexpire(s.k, s.ms);
    case "persist":
      return db.persist(s.k);
    case "mset":
      return db.mset(Object.fromEntries(s.kv));
    case "del":
      return db.del(...s.ks);
    case "del1":
      return db.del(s.k);
    case "rename":
      return db.rename(s.k, s.to);
    case "flushall":
      return db.command(["FLUSHALL"]);
    case "xadd":
      return db.command(["XADD", s.k, `${s.n}-1`, "f", s.v]);
    case "xgroup":
      return db.command(["XGROUP", "CREATE", s.k, s.g, "0", "MKSTREAM", "ENTRIESREAD", "0"]);
    case "xreadgroup":
      return db.command(["XREADGROUP", "GROUP", s.g, "c", "COUNT", "1", "STREAMS", s.k, ">"]);
    case "xack":
      return db.command(["XACK", s.k, s.g, `${s.n}-1`]);
    default:
      return Promise.reject(new Error(`not a write: ${s.op}`));
  }
}

/** Each key's printed state in the store, and a note when DBSIZE counts others. */
export async function storeKeys(db: KevyStore, now: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const k of KEYS) {
    const t = await db.type(k);
    if (t === "none") continue;
    const v = t === "list"
      ? await db.lrange(k, 0, -1)
      : t === "hash"
      ? await db.hgetall(k)
      : t === "stream"
      ? await streamOf(db, k)
      : await db.get(k);
    const pttl = await db.pttl(k);
    out.set(k, valueText(v, pttl < 0 ? null : now + pttl));
  }
  const n = await db.dbsize();
  if (n !== out.size) out.set("dbsize", String(n));
  return out;
}

const text = (b: unknown): string => new TextDecoder().decode(b as Uint8Array);

/** A stream read back: its entries, and each group's last id, entries-read and PEL. */
async function streamOf(db: KevyStore, k: string): Promise<StreamView> {
  const rows = (await db.command(["XRANGE", k, "-", "+"])) as Array<[Uint8Array, Uint8Array[]]>;
  const entries = rows.map(([id, fv]): [string, string] => [text(id), text(fv[1])]);
  const groups: StreamView["groups"] = [];
  for (const g of (await db.command(["XINFO", "GROUPS", k])) as unknown[][]) {
    const f = new Map<string, unknown>();
    for (let i = 0; i < g.length; i += 2) f.set(text(g[i]), g[i + 1]);
    const name = text(f.get("name"));
    const pel = (await db.command(["XPENDING", k, name, "-", "+", "100"])) as unknown[][];
    const read = f.get("entries-read");
    groups.push([
      name,
      text(f.get("last-delivered-id")),
      read === null ? null : Number(read),
      pel.map((r) => text(r[0])),
    ]);
  }
  groups.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { entries, groups };
}

/** The store's keys as printed, for a failure message. */
export function keysText(got: Map<string, string>): string {
  return [...got].map(([k, t]) => `${k}=${t}`).join(" ");
}

/** The image with the dir lock removed (a power cut leaves the dead process's lock). */
export function noLocks(fs: CrashFs): CrashFs {
  if (fs.statSync(DIR) === null) return fs; // cut before the dir was made durable
  for (const e of fs.readDirSync(DIR)) {
    if (e.name.startsWith("kevy.lock")) fs.removeSync(`${DIR}/${e.name}`);
  }
  return fs;
}

/** An OOM refusal. */
export const isOom = (e: Error | null) => e !== null && /^OOM /.test(e.message);

// Counts the arena compactions that make room for an append (room() compacts when a quarter
// or more of the arena is dead: its dead bytes drop to 0; growing leaves them): the
// large-values mode asserts they ran.
let roomCompactions = 0;
const room = KeyIndex.prototype.room;
KeyIndex.prototype.room = function (this: KeyIndex, n: number): void {
  const dead = this.dead;
  room.call(this, n);
  if (dead > 0 && this.dead === 0) roomCompactions++;
};

/** Arena compactions so far (in every store of this process). */
export function compactions(): number {
  return roomCompactions;
}
