/**
 * Shapes of keyspace events and pub/sub messages ({@link KevyStore.keyspaceEvents},
 * {@link KevyStore.subscribe}).
 *
 * @module
 */
import type { EventClass } from "../store/commands.ts";
import type { SubscriptionOptions } from "./subscription.ts";

export type { EventClass } from "../store/commands.ts";

/**
 * A change to a key, named as Redis's keyspace notifications name it: `set`,
 * `del`, `expire`, `expired` (the key actually expired, lazily on access or by
 * the active sweep), `evicted` (`maxmemory`), `lpush`, `hset`, `zadd`,
 * `incrby`, `rename_from`/`rename_to`, ... `type` is the event's class (Redis's
 * notify-keyspace-events letters: `generic`, `string`, `list`, `set`, `hash`,
 * `zset`, `stream`, `expired`, `evicted`, `new`).
 *
 * @example
 * ```ts
 * import type { KeyspaceEvent } from "@kevy/persist";
 * const e: KeyspaceEvent = { event: "set", key: "user:1", db: 0, type: "string" };
 * ```
 */
export interface KeyspaceEvent<V = string> {
  /** The event name. */
  event: string;
  /** The key. */
  key: V;
  /** The database (always 0: a store has one). */
  db: number;
  /** The event's class. */
  type: EventClass;
}

/**
 * Which keyspace events to receive, and how to buffer them.
 *
 * @example
 * ```ts
 * import type { KeyspaceEventOptions } from "@kevy/persist";
 * const opts: KeyspaceEventOptions = { match: "session:*", events: ["expired", "del"] };
 * ```
 */
export interface KeyspaceEventOptions extends SubscriptionOptions {
  /** Only keys matching this glob (Redis syntax: `*`, `?`, `[a-z]`; default: every key). */
  match?: string | Uint8Array;
  /** Only these event names (`"set"`, `"expired"`, ...; default: every event). */
  events?: string[];
  /** Only these classes (default: all but `new`, like Redis's `A`). */
  types?: EventClass[];
}

/**
 * A message received by {@link KevyStore.subscribe} / {@link KevyStore.psubscribe}.
 *
 * @example
 * ```ts
 * import type { Message } from "@kevy/persist";
 * const m: Message = { channel: "news", message: "hi", pattern: null };
 * ```
 */
export interface Message<V = string> {
  /** The channel it was published on. */
  channel: V;
  /** The message. */
  message: V;
  /** The pattern that matched (psubscribe), or null. */
  pattern: V | null;
}
