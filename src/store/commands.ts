/**
 * The command table: the one place that knows, for every verb, its arity,
 * where its keys are, its flags (write / read-only / keyless / ...), how a
 * successful run is logged, and its handler. The applier, the embedded
 * store's shard routing and its AOF propagation all read it; a verb is
 * resolved once per command ({@link lookupCommand}) and the resolved
 * {@link Command} is handed along.
 *
 * Rows live next to their handlers (`_apply_<family>.ts`, each exporting an
 * array of {@link CommandSpec}); a new family is one more array in
 * `FAMILIES` below.
 *
 * @module
 */

import type { Reply } from "./_apply_common.ts";
import {
  ALL_KEYS,
  type Command,
  type CommandSpec,
  type Frame,
  keyPositions,
  type LogInput,
  NO_KEYS,
  resolveSpec,
} from "./_command.ts";
import type { Store } from "./store.ts";
import { MAX_BULK_LEN } from "../codec/resp.ts";
import { KEY_COMMANDS } from "./_apply_keys.ts";
import { STRING_COMMANDS } from "./_apply_string.ts";
import { HASH_COMMANDS } from "./_apply_hash.ts";
import { HASH_TTL_COMMANDS } from "./_apply_hash_ttl.ts";
import { LIST_COMMANDS } from "./_apply_list.ts";
import { SET_COMMANDS } from "./_apply_set.ts";
import { ZSET_COMMANDS } from "./_apply_zset.ts";
import { BIT_COMMANDS } from "./_apply_bits.ts";
import { HLL_COMMANDS } from "./_apply_hll.ts";
import { MPOP_COMMANDS } from "./_apply_mpop.ts";
import { ZRANGE_COMMANDS } from "./_apply_zrange.ts";
import { ZSTORE_COMMANDS } from "./_apply_zstore.ts";
import { READ_COMMANDS } from "./_apply_reads.ts";
import { SORT_COMMANDS } from "./_apply_sort.ts";
import { DB_COMMANDS } from "./_apply_db.ts";
import { GEO_COMMANDS } from "./_apply_geo.ts";
import { FUNCTION_COMMANDS } from "./_apply_function.ts";
import { RESTORE_COMMANDS } from "./_apply_restore.ts";
import { PUBSUB_COMMANDS } from "./_apply_pubsub.ts";
import { KEYSPACE_COMMANDS } from "./_apply_keyspace.ts";
import { STREAM_COMMANDS } from "./_stream_table.ts";

export type { Ctx } from "./_apply_common.ts";
export type {
  Combine,
  Command,
  CommandFlag,
  CommandSpec,
  Frame,
  Handler,
  KeyRange,
  KeySpec,
  LogFn,
  LogInput,
  LogRule,
} from "./_command.ts";
export { keyPositions } from "./_command.ts";
export type { EventClass, Notified, NotifyFn, NotifyInput, NotifyRule } from "./_notify.ts";
export { eventClass } from "./_notify.ts";
import { writeEvents } from "./_notify.ts";
import { NOTIFY_RULES } from "./_notify_rules.ts";

const never = (): Reply => {
  throw new Error("transaction commands are handled by the applier");
};

/** Handled by the applier itself (they need its state): `fn` is never called. */
const TRANSACTION_COMMANDS: CommandSpec[] = [
  { name: "select", arity: 2, flags: "transaction fast", keys: NO_KEYS, fn: never },
  { name: "multi", arity: 1, flags: "transaction fast", keys: NO_KEYS, fn: never },
  { name: "exec", arity: 1, flags: "transaction", keys: NO_KEYS, fn: never },
  { name: "discard", arity: 1, flags: "transaction fast", keys: NO_KEYS, fn: never },
  { name: "watch", arity: -2, flags: "transaction fast", keys: ALL_KEYS, fn: never },
  { name: "unwatch", arity: 1, flags: "transaction fast", keys: NO_KEYS, fn: never },
];

/** Every family of rows. */
const FAMILIES: CommandSpec[][] = [
  STRING_COMMANDS,
  KEY_COMMANDS,
  HASH_COMMANDS,
  HASH_TTL_COMMANDS,
  LIST_COMMANDS,
  SET_COMMANDS,
  ZSET_COMMANDS,
  BIT_COMMANDS,
  HLL_COMMANDS,
  MPOP_COMMANDS,
  ZRANGE_COMMANDS,
  ZSTORE_COMMANDS,
  READ_COMMANDS,
  SORT_COMMANDS,
  DB_COMMANDS,
  GEO_COMMANDS,
  FUNCTION_COMMANDS,
  RESTORE_COMMANDS,
  PUBSUB_COMMANDS,
  KEYSPACE_COMMANDS,
  STREAM_COMMANDS,
  TRANSACTION_COMMANDS,
];

const BY_NAME = new Map<string, Command>();
/** Verbs by length, then first letter: found without building a string. */
const BY_SHAPE: Array<Array<Command[] | undefined> | undefined> = [];

for (const family of FAMILIES) {
  for (const spec of family) {
    const notify = spec.notify ?? NOTIFY_RULES[spec.name];
    const c = resolveSpec(notify === undefined ? spec : { ...spec, notify });
    if (BY_NAME.has(c.name)) throw new Error(`command table: ${c.name} twice`);
    BY_NAME.set(c.name, c);
    const byFirst = BY_SHAPE[c.name.length] ??= [];
    (byFirst[c.name.charCodeAt(0) - 0x61] ??= []).push(c);
  }
}

/**
 * The table row of a verb given as bytes (ASCII case-insensitive), or
 * `undefined` for an unknown verb. Allocation-free.
 *
 * @example
 * ```ts
 * import { lookupCommand } from "@kevy/persist/store";
 * const c = lookupCommand(new TextEncoder().encode("SET"));
 * c?.write; // true
 * c?.arity; // -3
 * ```
 */
export function lookupCommand(verb: Uint8Array): Command | undefined {
  const byFirst = BY_SHAPE[verb.length];
  if (byFirst === undefined) return undefined;
  const rows = byFirst[(verb[0]! | 0x20) - 0x61];
  if (rows === undefined) return undefined;
  next: for (let r = 0; r < rows.length; r++) {
    const s = rows[r]!;
    const name = s.name;
    for (let i = 1; i < verb.length; i++) {
      const c = verb[i]!;
      // Letters fold to lower case; anything else must match exactly.
      if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== name.charCodeAt(i)) continue next;
    }
    return s;
  }
  return undefined;
}

/**
 * The table row of a verb by name (any case), or `undefined`.
 *
 * @example
 * ```ts
 * import { commandNamed } from "@kevy/persist/store";
 * commandNamed("get")?.flags.has("readonly"); // true
 * ```
 */
export function commandNamed(name: string): Command | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/**
 * Every row of the table, in registration order.
 *
 * @example
 * ```ts
 * import { allCommands } from "@kevy/persist/store";
 * const writes = allCommands().filter((c) => c.write).map((c) => c.name);
 * writes.includes("set"); // true
 * ```
 */
export function allCommands(): Command[] {
  return [...BY_NAME.values()];
}

/**
 * Whether `n` arguments (verb included) fit the command's Redis arity.
 *
 * @example
 * ```ts
 * import { arityOk, commandNamed } from "@kevy/persist/store";
 * arityOk(commandNamed("get")!, 2); // true
 * ```
 */
export function arityOk(cmd: Command, n: number): boolean {
  const a = cmd.arity;
  return a >= 0 ? n === a : n >= -a;
}

/**
 * The refusal of an argument longer than 512 MiB (Redis's
 * proto-max-bulk-len: no log or snapshot reader accepts more), or `null`
 * when every argument fits. Checked before anything is applied or logged.
 *
 * @example
 * ```ts
 * import { oversizedArgument } from "@kevy/persist/store";
 * oversizedArgument([new Uint8Array(3)]); // null
 * ```
 */
export function oversizedArgument(argv: ReadonlyArray<Uint8Array>): string | null {
  for (let i = 1; i < argv.length; i++) {
    const n = argv[i]!.length;
    if (n > MAX_BULK_LEN) {
      return `ERR argument ${i} is ${n} bytes, over the 512 MiB limit (proto-max-bulk-len)`;
    }
  }
  return null;
}

/**
 * What a command that succeeded logs, by its row's {@link LogRule}. `image`
 * rebuilds one key's resulting state as frames (the caller provides it: it
 * is the rewrite's entry encoding); `pre` is what the row's `pre` captured
 * before the command ran.
 *
 * @example
 * ```ts
 * import { commandFrames, lookupCommand } from "@kevy/persist/store";
 * const t = new TextEncoder();
 * const argv = [t.encode("INCR"), t.encode("n")];
 * const incr = lookupCommand(argv[0]!)!;
 * // INCR is logged as given; the store and image are only read by other rules.
 * commandFrames(incr, argv, 1, null as never, undefined, () => []).length; // 1
 * ```
 */
export function commandFrames(
  cmd: Command,
  argv: Uint8Array[],
  reply: Reply,
  store: Store,
  pre: unknown,
  image: (store: Store, key: Uint8Array) => Frame[],
): Frame[] {
  const log = cmd.log;
  if (log === "none") return [];
  if (log === "argv") return [argv];
  const imageKeys = (): Frame[] => {
    const seen = new Set<string>();
    const out: Frame[] = [];
    for (const i of keyPositions(cmd, argv)) {
      const k = argv[i]!;
      const id = keyId(k);
      if (seen.has(id)) continue;
      seen.add(id);
      for (const f of image(store, k)) out.push(f);
    }
    return out;
  };
  if (log === "image") return imageKeys();
  const input: LogInput = {
    argv,
    reply,
    store,
    pre,
    image: (key) => image(store, key),
    imageKeys,
  };
  return log(input);
}

/**
 * The keys that logged frames change (each once, in order): what a write modified, as far
 * as watchers and keyspace events are concerned.
 *
 * @example
 * ```ts
 * import { framesKeys } from "@kevy/persist/store";
 * const t = new TextEncoder();
 * const keys = framesKeys([[t.encode("SET"), t.encode("a"), t.encode("1")], [t.encode("DEL"), t.encode("b")]]);
 * keys.length; // 2
 * ```
 */
export function framesKeys(frames: ReadonlyArray<Frame>): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const f of frames) {
    if (f.length < 2) continue;
    const c = lookupCommand(f[0]!);
    if (c === undefined) continue;
    for (const i of keyPositions(c, f)) {
      const k = f[i]!;
      const id = keyId(k);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(k);
    }
  }
  return out;
}

/**
 * The keyspace events (Redis's notify-keyspace-events names, e.g. `set`, `lpush`, `del`,
 * `expire`) of a write that succeeded with `reply` and logged `frames`, by its row's
 * `notify` rule. `existed(key)` says whether a key was live before it ran (`null`: unknown);
 * `pre` is what the row's `pre` hook returned before it ran (stream rows read it).
 *
 * @example
 * ```ts
 * import { commandEvents, lookupCommand, Store } from "@kevy/persist/store";
 * const t = new TextEncoder();
 * const s = new Store();
 * const argv = [t.encode("SET"), t.encode("k"), t.encode("v")];
 * s.setString(argv[1]!, argv[2]!);
 * const ev = commandEvents(lookupCommand(argv[0]!)!, argv, "OK", s, [argv], () => true);
 * ev.map(([e]) => e); // ["set"]
 * ```
 */
export function commandEvents(
  cmd: Command,
  argv: Uint8Array[],
  reply: Reply,
  store: Store,
  frames: ReadonlyArray<Frame>,
  existed: (key: Uint8Array) => boolean | null,
  pre?: unknown,
): Array<[string, Uint8Array]> {
  if (frames.length === 0 || !cmd.write) return [];
  const keys = framesKeys(frames);
  return writeEvents(
    cmd.name,
    cmd.notify,
    { argv, reply, store, keys, frames: [...frames], pre },
    existed,
  );
}

function keyId(k: Uint8Array): string {
  let s = "";
  for (let i = 0; i < k.length; i++) s += String.fromCharCode(k[i]!);
  return s;
}
