// Private: the keyspace events of the stream rows, with Redis 7.0's names and
// conditions (t_stream.c): XADD fires `xadd`, then `xtrim` when its trim
// removed entries; XTRIM `xtrim` and XDEL `xdel` when they removed some;
// XSETID `xsetid`; XGROUP `xgroup-create`, `xgroup-setid`, `xgroup-destroy`
// (a group was there), `xgroup-createconsumer` (one was created),
// `xgroup-delconsumer` (one was there); XREADGROUP, XCLAIM and XAUTOCLAIM
// fire `xgroup-createconsumer` for each stream where they created their
// consumer; XACK fires nothing. `new` (XADD, XGROUP CREATE MKSTREAM) is added
// by the generic rules. The `pre` hooks note what the events need from before.
import type { Notified, NotifyInput } from "./_notify.ts";
import { isWord } from "./_apply_stream_common.ts";
import { parseRead } from "./_apply_stream_read.ts";
import { toKey } from "./_keys.ts";
import type { Store } from "./store.ts";
import { StreamData } from "./stream.ts";

function streamAt(store: Store, key: Uint8Array | undefined): StreamData | null {
  if (key === undefined) return null;
  const v = store.lookup(key);
  return v instanceof StreamData ? v : null;
}

/** XADD `pre`: the stream's length before (0 when missing). */
export function preXadd(argv: ReadonlyArray<Uint8Array>, store: Store): number {
  return streamAt(store, argv[1])?.length ?? 0;
}

/** XADD: `xadd`, and `xtrim` when fewer entries are left than were there plus the new one. */
export function xaddEvents(x: NotifyInput): Notified {
  const k = x.argv[1]!;
  const s = streamAt(x.store, k);
  if (s === null) return [];
  const out: Notified = [["xadd", k]];
  if (typeof x.pre === "number" && s.length < x.pre + 1) out.push(["xtrim", k]);
  return out;
}

/** XGROUP `pre`: for DELCONSUMER whether the consumer was there. */
export function preXgroup(argv: ReadonlyArray<Uint8Array>, store: Store): boolean | null {
  if (argv.length !== 5 || !isWord(argv[1]!, "DELCONSUMER")) return null;
  return streamAt(store, argv[2])?.group(argv[3]!)?.consumer(argv[4]!) !== undefined;
}

/** XGROUP: `xgroup-<subcommand>` (DELCONSUMER only when the consumer was there). */
export function xgroupEvents(x: NotifyInput): Notified {
  const sub = x.argv[1]!, k = x.argv[2]!;
  for (const s of ["CREATE", "SETID", "DESTROY", "CREATECONSUMER"]) {
    if (isWord(sub, s)) return [[`xgroup-${s.toLowerCase()}`, k]];
  }
  if (isWord(sub, "DELCONSUMER") && x.pre === true) return [["xgroup-delconsumer", k]];
  return [];
}

/** XCLAIM / XAUTOCLAIM `pre`: whether the consumer (argv[3]) was in the group. */
export function preClaimer(argv: ReadonlyArray<Uint8Array>, store: Store): boolean {
  const g = argv.length > 3 ? streamAt(store, argv[1])?.group(argv[2]!) : undefined;
  return g?.consumer(argv[3]!) !== undefined;
}

/** Whether `who` is in `group` of the stream at `key` now. */
function hasConsumer(store: Store, key: Uint8Array, group: Uint8Array, who: Uint8Array): boolean {
  return streamAt(store, key)?.group(group)?.consumer(who) !== undefined;
}

/** XCLAIM / XAUTOCLAIM: `xgroup-createconsumer` when the consumer was created. */
export function claimEvents(x: NotifyInput, existed: boolean): Notified {
  const [, k, g, who] = x.argv;
  if (existed || !hasConsumer(x.store, k!, g!, who!)) return [];
  return [["xgroup-createconsumer", k!]];
}

/**
 * XREADGROUP: `xgroup-createconsumer` for each stream (in argument order)
 * whose group did not have the consumer before and has it now. `pre` is
 * preXreadgroup's map (key -> the group's state, `consumer`: it was there).
 */
export function xreadgroupEvents(x: NotifyInput): Notified {
  const r = parseRead(x.argv, true);
  const before = x.pre instanceof Map ? x.pre as Map<string, { consumer: boolean }> : null;
  if (before === null) return [];
  const out: Notified = [];
  const done = new Set<string>();
  for (let i = 0; i < r.n; i++) {
    const key = x.argv[r.keysAt + i]!;
    const id = toKey(key);
    if (done.has(id)) continue;
    done.add(id);
    const b = before.get(id);
    if (b === undefined || b.consumer) continue;
    if (hasConsumer(x.store, key, r.group!, r.consumer!)) out.push(["xgroup-createconsumer", key]);
  }
  return out;
}
