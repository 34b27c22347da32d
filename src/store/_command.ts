// Private: the shape of a command-table row (what every `_apply_*.ts` file
// exports), its resolved form, key positions and the logging helpers the rows
// use. The table itself is assembled in commands.ts.
import type { Store } from "./store.ts";
import type { Ctx, Reply } from "./_apply_common.ts";
import type { NotifyRule } from "./_notify.ts";

/** One command as appended to a log: the verb and its arguments. */
export type Frame = Uint8Array[];

/** A command handler; `a[0]` is the verb. Aborts with `fail()` (a CommandError). */
export type Handler = (ctx: Ctx, a: Uint8Array[]) => Reply;

/**
 * Flags, named like Redis's command flags:
 * - `write`: may change the keyspace (logged by its {@link LogRule});
 * - `readonly`: never changes it (lazy expiry aside), never logged;
 * - `denyoom`: may grow memory (refused under `maxmemory` with `noeviction`);
 * - `fast`: O(1) or O(log n);
 * - `blocking`: may block the caller (BLPOP...), logged as what it did;
 * - `admin`: administrative (FLUSHALL...);
 * - `transaction`: handled by the applier itself (SELECT, MULTI, EXEC,
 *   DISCARD, WATCH, UNWATCH): its handler is never called;
 * - `pubsub`: answered by the embedded store's pub/sub (PUBLISH, PUBSUB); the
 *   handler answers as if nobody subscribed.
 */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "fast"
  | "blocking"
  | "admin"
  | "transaction"
  | "pubsub";

const FLAGS: ReadonlySet<string> = new Set<CommandFlag>([
  "write",
  "readonly",
  "denyoom",
  "fast",
  "blocking",
  "admin",
  "transaction",
  "pubsub",
]);

/**
 * Where a command's keys are, Redis key-spec style:
 * - `{ first, last, step }`: argv indexes `first, first+step, ...` up to
 *   `last`; a negative `last` counts from the end (-1: the last argument);
 * - `{ numkeys, step? }`: argv[numkeys] is a count, the keys follow it;
 * - a function of the argv returning the indexes.
 */
export type KeyRange =
  | { readonly first: number; readonly last: number; readonly step: number }
  | { readonly numkeys: number; readonly step?: number }
  | ((argv: ReadonlyArray<Uint8Array>) => number[]);

/** Every key range of a command (empty: keyless). */
export type KeySpec = ReadonlyArray<KeyRange>;

/** No keys. */
export const NO_KEYS: KeySpec = [];
/** The key at argv[1]. */
export const KEY1: KeySpec = [{ first: 1, last: 1, step: 1 }];
/** Keys at argv[1] and argv[2]. */
export const KEY12: KeySpec = [{ first: 1, last: 2, step: 1 }];
/** Every argument from argv[1]. */
export const ALL_KEYS: KeySpec = [{ first: 1, last: -1, step: 1 }];
/** argv[1], argv[3], ...: key/value pairs. */
export const KEY_PAIRS: KeySpec = [{ first: 1, last: -1, step: 2 }];

/** What a log rule sees after its command succeeded. */
export interface LogInput {
  /** The command as run. */
  readonly argv: Uint8Array[];
  /** Its reply. */
  readonly reply: Reply;
  /** The database it ran on, after it ran. */
  readonly store: Store;
  /** What the row's `pre` captured before it ran (`undefined` without one). */
  readonly pre: unknown;
  /** The resulting state of one key: DEL when gone, else (DEL +) rebuild (+ PEXPIREAT). */
  image(key: Uint8Array): Frame[];
  /** {@link LogInput.image} of every key argument (each once). */
  imageKeys(): Frame[];
}

/** A function that decides what a successful command logs. */
export type LogFn = (x: LogInput) => Frame[];

/**
 * How a successful command's effect is logged (failed commands log nothing):
 * - `"none"`: never (read-only commands);
 * - `"argv"`: the command as given;
 * - `"image"`: the resulting state of its keys (see {@link LogInput.image});
 * - a {@link LogFn}: normalised frames (no frames: a no-op).
 */
export type LogRule = "none" | "argv" | "image" | LogFn;

/**
 * How a command's replies combine when it runs on several shards: `sum` of
 * integers, `ok`, `positional` (MGET: each key's reply in argument order),
 * `concat` of arrays, `nx` (MSETNX: all keys checked on every shard first,
 * then set everywhere or nowhere).
 */
export type Combine = "sum" | "ok" | "positional" | "concat" | "nx" | "random";

/** One row of the command table, as the `_apply_*.ts` files declare it. */
export interface CommandSpec {
  /** Lower-case verb. */
  name: string;
  /** Arity like the Redis command table (negative: at least that many). */
  arity: number;
  /** Space-separated {@link CommandFlag}s, e.g. `"write denyoom fast"`. */
  flags: string;
  /** Key positions. */
  keys: KeySpec;
  /** Logging of a write (default `"image"`); read-only commands log nothing. */
  log?: LogRule;
  /** Captured before a logged write runs, handed to its log rule as `pre`. */
  pre?: (argv: ReadonlyArray<Uint8Array>, store: Store) => unknown;
  /**
   * A form of the command this applier refuses (returns why, else null):
   * such a command answers `{ ok: false, unknown: true }`, so replays refuse
   * or skip it like an unknown verb, and inside MULTI it is refused when
   * queued. Checked after the arity.
   */
  unsupported?: (argv: ReadonlyArray<Uint8Array>) => string | null;
  /** Keys spanning shards: split per shard and combine the replies (else CROSSSLOT). */
  split?: Combine;
  /** Keyless command that runs on every shard, replies combined (else shard 0). */
  everyShard?: Combine;
  /**
   * The keyspace events a successful write fires (Redis's notify-keyspace-events names):
   * default, the verb for every key it changed; `"none"`; another name; or a function.
   */
  notify?: NotifyRule;
  /**
   * A `blocking` command: how long it may wait when nothing is there (ms, 0 = forever), or
   * `null` when this form does not block (XREAD without BLOCK). Read after the command ran
   * (its handler has validated the argument). Absent: it never blocks.
   */
  blockTimeout?: (argv: ReadonlyArray<Uint8Array>) => number | null;
  /**
   * A blocking command that is about to wait: the argv its waiter keeps, from the
   * database as it is then (XREAD: each `$` id resolved to its stream's last id, as
   * Redis resolves it once). Absent: the argv as called.
   */
  blockArgv?: (argv: ReadonlyArray<Uint8Array>, store: Store) => Uint8Array[];
  /**
   * What a waiter runs (never blocking) when its key `key` was written, or `null` when it
   * has nothing to be served yet (it keeps waiting). Absent: its argv. XREAD / XREADGROUP:
   * that one stream (Redis serves a woken reader the stream that became ready, alone).
   */
  readyArgv?: (
    argv: ReadonlyArray<Uint8Array>,
    key: Uint8Array,
    store: Store,
  ) => Uint8Array[] | null;
  /** The handler. */
  fn: Handler;
}

/** A row with its flags parsed (what lookups return). */
export interface Command {
  /** Lower-case verb. */
  readonly name: string;
  /** Redis arity. */
  readonly arity: number;
  /** The flags. */
  readonly flags: ReadonlySet<CommandFlag>;
  /** Has the `write` flag. */
  readonly write: boolean;
  /** Has no key arguments. */
  readonly keyless: boolean;
  /** Has the `transaction` flag (SELECT, MULTI, EXEC, DISCARD: the applier's own). */
  readonly transaction: boolean;
  /** Key positions. */
  readonly keys: KeySpec;
  /** How a success is logged (`"none"` for read-only commands). */
  readonly log: LogRule;
  /** Capture before a logged write, if any. */
  readonly pre: ((argv: ReadonlyArray<Uint8Array>, store: Store) => unknown) | null;
  /** A refused form of the command, if any (see {@link CommandSpec.unsupported}). */
  readonly unsupported: ((argv: ReadonlyArray<Uint8Array>) => string | null) | null;
  /** Split across shards, if it may. */
  readonly split: Combine | null;
  /** Run on every shard (keyless), if it does. */
  readonly everyShard: Combine | null;
  /** Its keyspace events rule (`null`: the verb for every key it changed). */
  readonly notify: NotifyRule | null;
  /** How long a blocking form may wait (see {@link CommandSpec.blockTimeout}), or null. */
  readonly blockTimeout: ((argv: ReadonlyArray<Uint8Array>) => number | null) | null;
  /** The argv a waiter keeps (see {@link CommandSpec.blockArgv}), or null. */
  readonly blockArgv: ((argv: ReadonlyArray<Uint8Array>, store: Store) => Uint8Array[]) | null;
  /** What a waiter runs when a key is ready (see {@link CommandSpec.readyArgv}), or null. */
  readonly readyArgv:
    | ((argv: ReadonlyArray<Uint8Array>, key: Uint8Array, store: Store) => Uint8Array[] | null)
    | null;
  /** The handler. */
  readonly fn: Handler;
}

/** Validates a row and parses its flags; throws on a malformed row (a bug, at load time). */
export function resolveSpec(s: CommandSpec): Command {
  const flags = new Set<CommandFlag>();
  for (const f of s.flags.split(" ")) {
    if (f === "") continue;
    if (!FLAGS.has(f)) throw new Error(`command table: ${s.name}: unknown flag "${f}"`);
    flags.add(f as CommandFlag);
  }
  const write = flags.has("write");
  if (!/^[a-z][a-z0-9|_-]*$/.test(s.name)) {
    throw new Error(`command table: bad name "${s.name}"`);
  }
  if (write === flags.has("readonly") && !flags.has("transaction")) {
    throw new Error(`command table: ${s.name}: exactly one of write / readonly`);
  }
  if (!write && s.log !== undefined && s.log !== "none") {
    throw new Error(`command table: ${s.name}: only writes are logged`);
  }
  if (!write && s.notify !== undefined) {
    throw new Error(`command table: ${s.name}: only writes fire keyspace events`);
  }
  if (
    (s.blockTimeout !== undefined || s.blockArgv !== undefined || s.readyArgv !== undefined) &&
    !flags.has("blocking")
  ) {
    throw new Error(`command table: ${s.name}: a block timeout needs the blocking flag`);
  }
  return {
    name: s.name,
    arity: s.arity,
    flags,
    write,
    keyless: s.keys.length === 0,
    transaction: flags.has("transaction"),
    keys: s.keys,
    log: write ? s.log ?? "image" : "none",
    pre: s.pre ?? null,
    unsupported: s.unsupported ?? null,
    split: s.split ?? null,
    everyShard: s.everyShard ?? null,
    notify: s.notify ?? null,
    blockTimeout: s.blockTimeout ?? null,
    blockArgv: s.blockArgv ?? null,
    readyArgv: s.readyArgv ?? null,
    fn: s.fn,
  };
}

/** A non-negative count argument (numkeys), 0 when malformed. */
function countArg(b: Uint8Array | undefined): number {
  if (b === undefined || b.length === 0 || b.length > 9) return 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return 0;
    n = n * 10 + c;
  }
  return n;
}

/** Indexes into `argv` of the keys of a command, in key-spec order (repeats kept). */
export function keyPositions(cmd: Command, argv: ReadonlyArray<Uint8Array>): number[] {
  const out: number[] = [];
  const n = argv.length;
  for (const r of cmd.keys) {
    if (typeof r === "function") {
      for (const i of r(argv)) if (i > 0 && i < n) out.push(i);
    } else if ("numkeys" in r) {
      const k = countArg(argv[r.numkeys]);
      const step = r.step ?? 1;
      const end = Math.min(n, r.numkeys + 1 + k * step);
      for (let i = r.numkeys + 1; i < end; i += step) out.push(i);
    } else {
      const last = r.last < 0 ? n + r.last : Math.min(r.last, n - 1);
      for (let i = r.first; i <= last; i += r.step) out.push(i);
    }
  }
  return out;
}

const enc = new TextEncoder();

/** ASCII bytes of a verb or number, for frames. */
export function B(s: string): Uint8Array {
  return enc.encode(s);
}

/** An integer reply as a number (0 for anything else). */
export function asInt(r: Reply): number {
  return typeof r === "number" ? r : typeof r === "bigint" ? Number(r) : 0;
}

const DEL = B("DEL"), PEXPIREAT = B("PEXPIREAT"), PERSIST = B("PERSIST");

/** The key's deadline as a frame: PEXPIREAT, PERSIST, or DEL when it is gone. */
export function deadlineImage(store: Store, key: Uint8Array): Frame[] {
  if (!store.has(key)) return [[DEL, key]];
  const d = store.deadline(key);
  return d === null ? [[PERSIST, key]] : [[PEXPIREAT, key, B(String(Math.trunc(d)))]];
}

/** Logs the command as given when its integer reply is > 0 (a no-op otherwise). */
export const argvIfPositive: LogFn = (x) => asInt(x.reply) > 0 ? [x.argv] : [];

/** Logs the image of the keys when the integer reply is 1 (SETNX, MSETNX). */
export const imageIfOne: LogFn = (x) => asInt(x.reply) === 1 ? x.imageKeys() : [];

/** Logs the key's deadline when the integer reply is 1 (EXPIRE family). */
export const deadlineIfOne: LogFn = (x) =>
  asInt(x.reply) === 1 ? deadlineImage(x.store, x.argv[1]!) : [];

/** Members of a pop reply: a bulk, an array of bulks, or (pairs) every other element / `[m, s]` pairs. */
export function poppedMembers(reply: Reply, pairs: boolean): Uint8Array[] {
  if (reply instanceof Uint8Array) return [reply];
  if (!Array.isArray(reply)) return [];
  const out: Uint8Array[] = [];
  const flat = !reply.some(Array.isArray);
  reply.forEach((x, i) => {
    if (Array.isArray(x)) {
      if (x[0] instanceof Uint8Array) out.push(x[0]);
    } else if (x instanceof Uint8Array && (!pairs || !flat || i % 2 === 0)) out.push(x);
  });
  return out;
}
