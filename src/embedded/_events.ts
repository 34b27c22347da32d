// Keyspace events and pub/sub delivery. Events a command fires are queued while it runs and
// delivered in one microtask after it (and after a whole EXEC): a listener never runs inside
// a command, so it cannot interleave with a transaction, and what it reads is the state after.
// Order is kept across commands (one queue, drained in order, re-entrant safe).
//
// Keyspace listeners (KevyStore.keyspaceEvents / onKeyspaceEvent) get every event their
// filter lets through. Pub/sub subscribers also get them as Redis publishes them, on
// `__keyspace@0__:<key>` (message: the event) and `__keyevent@0__:<event>` (message: the
// key), when the store's `notifyKeyspaceEvents` flags ask for it (Redis's letters: K, E and
// the classes g $ l s h z x e t n, A = g$lshzxet).
import { type EventClass, eventClass } from "../store/commands.ts";
import { globMatch, latin1 } from "../store/glob.ts";
import type { Store } from "../store/store.ts";
import type { PubSub } from "./_pubsub.ts";

/** A filter of keyspace events. */
export interface EventFilter {
  /** Glob over the key (binary string), or null. */
  readonly match: string | null;
  /** Event names let through, or null for all. */
  readonly events: ReadonlySet<string> | null;
  /** Classes let through, or null for the default (all but `new`). */
  readonly types: ReadonlySet<EventClass> | null;
}

/** A keyspace listener: its filter and what receives an event. */
export interface KeyspaceListener {
  readonly filter: EventFilter;
  readonly deliver: (event: string, key: Uint8Array, cls: EventClass) => void;
}

/** Parsed notify-keyspace-events flags. */
interface Flags {
  keyspace: boolean;
  keyevent: boolean;
  classes: Set<EventClass>;
}

const LETTERS: Record<string, EventClass[]> = {
  g: ["generic"],
  $: ["string"],
  l: ["list"],
  s: ["set"],
  h: ["hash"],
  z: ["zset"],
  x: ["expired"],
  e: ["evicted"],
  t: ["stream"],
  n: ["new"],
  A: ["generic", "string", "list", "set", "hash", "zset", "expired", "evicted", "stream"],
};

/** Parses Redis's notify-keyspace-events string ("" disables; "KEA": everything but new). */
export function parseNotifyFlags(s: string): Flags {
  const f: Flags = { keyspace: false, keyevent: false, classes: new Set() };
  for (const ch of s) {
    if (ch === "K") f.keyspace = true;
    else if (ch === "E") f.keyevent = true;
    else if (ch === "m" || ch === "d") continue; // key-miss and module events: none here
    else {
      const cs = LETTERS[ch];
      if (cs === undefined) {
        throw new TypeError(
          `notifyKeyspaceEvents: unknown flag "${ch}" (Redis's letters: K E g $ l s h z x e t n A)`,
        );
      }
      for (const c of cs) f.classes.add(c);
    }
  }
  return f;
}

const enc = new TextEncoder();
const KEYSPACE = enc.encode("__keyspace@0__:"), KEYEVENT = enc.encode("__keyevent@0__:");

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function passes(f: EventFilter, event: string, key: Uint8Array, cls: EventClass): boolean {
  if (f.types !== null ? !f.types.has(cls) : cls === "new" && f.events === null) return false;
  if (f.events !== null && !f.events.has(event)) return false;
  return f.match === null || globMatch(f.match, latin1(key));
}

/** @internal Event and message delivery of one store. */
export class Notifier {
  readonly #listeners = new Set<KeyspaceListener>();
  readonly #pubsub: PubSub;
  readonly #flags: Flags;
  readonly #warn: (m: string) => void;
  #queue: Array<() => void> = [];
  #scheduled = false;

  constructor(pubsub: PubSub, flags: string, warn: (m: string) => void) {
    this.#pubsub = pubsub;
    this.#flags = parseNotifyFlags(flags);
    this.#warn = warn;
  }

  /** Whether anyone would receive a keyspace event (else commands skip working them out). */
  get wanted(): boolean {
    return this.#listeners.size > 0 ||
      ((this.#flags.keyspace || this.#flags.keyevent) && this.#pubsub.active);
  }

  listen(l: KeyspaceListener): () => void {
    this.#listeners.add(l);
    return () => void this.#listeners.delete(l);
  }

  /** Queues one keyspace event (`store`: where the key lives, to class unknown event names). */
  emit(event: string, key: Uint8Array, store: Store | null): void {
    const cls = eventClass(event, store, key);
    const k = key.slice();
    for (const l of this.#listeners) {
      if (passes(l.filter, event, k, cls)) this.#later(() => l.deliver(event, k, cls));
    }
    const f = this.#flags;
    if (!this.#pubsub.active || !f.classes.has(cls)) return;
    const ev = enc.encode(event);
    if (f.keyspace) this.publish(concat(KEYSPACE, k), ev);
    if (f.keyevent) this.publish(concat(KEYEVENT, ev), k);
  }

  /** PUBLISH: routed now (the count is Redis's reply), delivered after the command. */
  publish(channel: Uint8Array, message: Uint8Array): number {
    const to = this.#pubsub.route(channel);
    if (to.length === 0) return 0;
    const ch = channel.slice(), msg = message.slice();
    for (const [l, pattern] of to) this.#later(() => l.deliver(ch, msg, pattern));
    return to.length;
  }

  #later(f: () => void): void {
    this.#queue.push(f);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const q = this.#queue;
    this.#queue = [];
    for (const f of q) {
      try {
        f();
      } catch (e) {
        this.#warn(`kevy: a keyspace event or message listener threw: ${e}`);
      }
    }
  };
}
