// WATCH: optimistic locking as Redis does it. A WatchSet is what one WATCH...EXEC sequence
// watches; the registry marks every set watching a key dirty when that key is modified
// (a write that changed it, an expiry, an eviction, a FLUSHALL of a key that existed).
// EXEC of a dirty set does nothing and answers null. A key that existed at WATCH and is gone
// (or logically expired) at EXEC also fails it: that is how an expiry no command saw counts.

import { latin1 } from "../store/glob.ts";

/** Latin-1 id of key bytes (one char per byte). */
export const keyId: (k: Uint8Array) => string = latin1;

/** The keys of one WATCH...EXEC, and whether any of them changed since. */
export class WatchSet {
  dirty = false;
  /** Watched keys: id -> bytes and whether the key existed when watched. */
  readonly keys: Map<string, { key: Uint8Array; existed: boolean }> = new Map();
}

/** @internal Every open WatchSet of a store, by key. */
export class Watches {
  readonly #byKey = new Map<string, Set<WatchSet>>();

  /** Whether any key is watched (checked before doing any work per write). */
  get active(): boolean {
    return this.#byKey.size > 0;
  }

  /** Whether key `id` is watched. */
  has(id: string): boolean {
    return this.#byKey.has(id);
  }

  /** Adds `key` to `ws` (`existed`: it was live at this moment). */
  watch(ws: WatchSet, key: Uint8Array, existed: boolean): void {
    const id = keyId(key);
    if (ws.keys.has(id)) return;
    ws.keys.set(id, { key: key.slice(), existed });
    let set = this.#byKey.get(id);
    if (set === undefined) this.#byKey.set(id, set = new Set());
    set.add(ws);
  }

  /** Key `id` was modified: every set watching it fails its EXEC. */
  touch(id: string): void {
    const set = this.#byKey.get(id);
    if (set === undefined) return;
    for (const ws of set) ws.dirty = true;
  }

  /** Ids of every watched key (for FLUSHALL: the ones that exist are touched). */
  ids(): IterableIterator<string> {
    return this.#byKey.keys();
  }

  /** Forgets `ws` (EXEC, DISCARD, UNWATCH). */
  release(ws: WatchSet): void {
    for (const id of ws.keys.keys()) {
      const set = this.#byKey.get(id);
      if (set === undefined) continue;
      set.delete(ws);
      if (set.size === 0) this.#byKey.delete(id);
    }
    ws.keys.clear();
  }
}
