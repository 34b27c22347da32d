/**
 * The keyspace, with no I/O: {@link Store} (strings, hashes, lists, sets,
 * sorted sets, streams, TTLs, several databases), the Redis command applier
 * and {@link dumpKeyspace}, the canonical JSON view of a keyspace.
 *
 * @example Apply Redis commands to an in-memory keyspace
 * ```ts
 * import { applyCommand, dumpKeyspace, Store } from "@kevy/persist/store";
 *
 * const store = new Store();
 * applyCommand(store, ["SET", "greeting", "hello"]);
 * applyCommand(store, ["RPUSH", "queue", "a", "b"]);
 * console.log(dumpKeyspace(store).map((k) => k.type)); // ["string", "list"]
 * ```
 *
 * @module
 */

export {
  type ExpiryHooks,
  HashValue,
  type KeyspaceOptions,
  ListValue,
  SetValue,
  SortedSet,
  Store,
  type StoreValue,
  valueType,
  whileLoading,
} from "./store.ts";
export {
  Consumer,
  ConsumerGroup,
  type EntryId,
  type EntryVisitor,
  IdMap,
  type Keyed,
  PendingEntry,
  StreamData,
  StreamNode,
  type TrimSpec,
  type U64,
} from "./stream.ts";
export { resolveDollarIds } from "./_apply_stream_read.ts";
export { formatScore, type LexBound, type ScoreBound } from "./zset.ts";
export { Meter } from "./memory.ts";
export { Charged } from "./_meter.ts";
export { EVICTION_POLICIES, type EvictionPolicy, Evictor, type EvictorOptions } from "./evict.ts";
export {
  applyCommand,
  CommandApplier,
  type CommandApplierOptions,
  type CommandResult,
  type FinishReport,
  isCommandSupported,
  type Reply,
  type ReplyError,
  runCommand,
} from "./apply.ts";
export {
  allCommands,
  arityOk,
  type Combine,
  type Command,
  commandEvents,
  type CommandFlag,
  commandFrames,
  commandNamed,
  type CommandSpec,
  type Ctx,
  type EventClass,
  eventClass,
  type Frame,
  framesKeys,
  type Handler,
  keyPositions,
  type KeyRange,
  type KeySpec,
  type LogFn,
  type LogInput,
  type LogRule,
  lookupCommand,
  type Notified,
  type NotifyFn,
  type NotifyInput,
  type NotifyRule,
  oversizedArgument,
} from "./commands.ts";
export {
  type DumpedKey,
  type DumpedStream,
  dumpEntry,
  dumpKeyspace,
  type JsonU64,
} from "./dump.ts";
export { type DumpJsonlOptions, dumpKeyspaceJsonl, type StringRows } from "./dump_jsonl.ts";
export { globMatch, latin1 } from "./glob.ts";
export { decodeSnapshot, encodeSnapshot } from "./snapshot.ts";
