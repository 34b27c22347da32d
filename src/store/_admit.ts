// Private: what the applier refuses before a command runs, so that nothing
// is applied or logged: an argument over 512 MiB, a write that may not fit
// the store's arena.
import type { Store } from "./store.ts";
import { type Command, oversizedArgument } from "./commands.ts";
import { indexOf } from "./internals.ts";
import { INLINE_MAX } from "./_index.ts";

const OOM = "OOM command not allowed: the keyspace's key/value arena would exceed its 4 GiB limit";

/**
 * Refuses, before anything changes, an argument over 512 MiB and a write
 * whose bytes could not fit the store's arena: a write either happens whole
 * or not at all. A write's arena growth is bounded by its argument bytes
 * plus one inline value (APPEND, SETRANGE, RENAME, COPY rewrite at most one).
 */
export function admit(store: Store, spec: Command, a: Uint8Array[]): string | null {
  const big = oversizedArgument(a);
  if (big !== null) return big;
  if (!spec.write) return null;
  let bytes = INLINE_MAX;
  for (let i = 1; i < a.length; i++) bytes += a[i]!.length;
  try {
    indexOf(store).room(bytes);
  } catch (e) {
    if (e instanceof RangeError) return OOM;
    throw e;
  }
  return null;
}
