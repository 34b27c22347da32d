// Private home of the value and option types of Store (re-exported by store.ts).
import type { ValueType } from "../codec/types.ts";
import { HashValue, ListValue, SetValue } from "./values.ts";
import type { StreamData } from "./stream.ts";
import { SortedSet } from "./zset.ts";

/**
 * A stored value: strings are bare byte arrays, collections are containers.
 *
 * @example
 * ```ts
 * import type { StoreValue } from "@kevy/persist/store";
 * const v: StoreValue = new Uint8Array([1]);
 * ```
 */
export type StoreValue = Uint8Array | HashValue | ListValue | SetValue | SortedSet | StreamData;

/**
 * Options of {@link Store}.
 *
 * @example
 * ```ts
 * import type { KeyspaceOptions } from "@kevy/persist/store";
 * const opts: KeyspaceOptions = { now: () => 1_700_000_000_000 };
 * ```
 */
export interface KeyspaceOptions {
  /** Clock in unix milliseconds (default `Date.now`). */
  now?: () => number;
  /** The initial {@link ExpiryHooks.onExpire} (default none). */
  onExpire?: (key: Uint8Array) => void;
  /** The initial {@link ExpiryHooks.onExpireField} (default none). */
  onExpireField?: (key: Uint8Array, field: Uint8Array) => void;
}

/**
 * Who hears about keys and hash fields removed because their deadline
 * passed (lazily on access, actively, by a sweep; never for deletes or
 * overwrites). They must not touch the store. The embedded store installs
 * hooks that log `DEL key` / `HDEL key field`, as Redis propagates them.
 *
 * @example
 * ```ts
 * import { Store } from "@kevy/persist/store";
 * const s = new Store();
 * s.hooks.onExpire = (key) => console.log("expired", key);
 * ```
 */
export interface ExpiryHooks {
  /** A key expired. */
  onExpire: ((key: Uint8Array) => void) | null;
  /** A hash field expired (its hash may have been deleted with it). */
  onExpireField: ((key: Uint8Array, field: Uint8Array) => void) | null;
}

/**
 * The type name of a stored value.
 *
 * @example
 * ```ts
 * import { valueType } from "@kevy/persist/store";
 * valueType(new Uint8Array(1)); // "string"
 * ```
 */
export function valueType(v: StoreValue): ValueType {
  if (v instanceof Uint8Array) return "string";
  if (v instanceof HashValue) return "hash";
  if (v instanceof ListValue) return "list";
  if (v instanceof SetValue) return "set";
  if (v instanceof SortedSet) return "zset";
  return "stream";
}
