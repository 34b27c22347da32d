// In-process publish/subscribe, Redis style: channels and glob patterns; PUBLISH answers how
// many subscriptions received the message (a subscription matching by channel and by pattern
// counts twice, as a Redis client subscribed both ways does). Delivery is deferred to the end
// of the current command (see Notifier in _events.ts), so a listener never runs inside one.
import { globMatch } from "../store/glob.ts";
import { keyId } from "./_watch.ts";

/** Receives a message: channel, message, and the pattern that matched (null: by channel). */
export type Deliver = (
  channel: Uint8Array,
  message: Uint8Array,
  pattern: Uint8Array | null,
) => void;

interface Listener {
  readonly deliver: Deliver;
}

/** @internal The channels and patterns of one store. */
export class PubSub {
  readonly #channels = new Map<string, Set<Listener>>();
  readonly #patterns = new Map<string, { bytes: Uint8Array; set: Set<Listener> }>();

  /** Whether anything is subscribed at all. */
  get active(): boolean {
    return this.#channels.size > 0 || this.#patterns.size > 0;
  }

  /** Subscribes `deliver` to channels and patterns; returns the function that unsubscribes. */
  subscribe(channels: Uint8Array[], patterns: Uint8Array[], deliver: Deliver): () => void {
    const l: Listener = { deliver };
    const chIds = channels.map(keyId), patIds = patterns.map(keyId);
    chIds.forEach((id) => {
      let set = this.#channels.get(id);
      if (set === undefined) this.#channels.set(id, set = new Set());
      set.add(l);
    });
    patIds.forEach((id, i) => {
      let p = this.#patterns.get(id);
      if (p === undefined) {
        this.#patterns.set(id, p = { bytes: patterns[i]!.slice(), set: new Set() });
      }
      p.set.add(l);
    });
    return () => {
      for (const id of chIds) {
        const set = this.#channels.get(id);
        if (set?.delete(l) && set.size === 0) this.#channels.delete(id);
      }
      for (const id of patIds) {
        const p = this.#patterns.get(id);
        if (p?.set.delete(l) && p.set.size === 0) this.#patterns.delete(id);
      }
    };
  }

  /**
   * Who receives a message on `channel`: the deliveries to make, in Redis's order (channel
   * subscribers first, then patterns). The caller runs them later.
   */
  route(channel: Uint8Array): Array<[Listener, Uint8Array | null]> {
    const out: Array<[Listener, Uint8Array | null]> = [];
    if (!this.active) return out;
    const id = keyId(channel);
    const set = this.#channels.get(id);
    if (set !== undefined) { for (const l of set) out.push([l, null]); }
    for (const [pid, p] of this.#patterns) {
      if (globMatch(pid, id)) { for (const l of p.set) out.push([l, p.bytes]); }
    }
    return out;
  }

  /** Channels with at least one subscriber, optionally matching a glob (PUBSUB CHANNELS). */
  channels(match?: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const p = match === undefined ? null : keyId(match);
    for (const id of this.#channels.keys()) {
      if (p === null || globMatch(p, id)) out.push(Uint8Array.from(id, (c) => c.charCodeAt(0)));
    }
    return out;
  }

  /** Subscribers of a channel by name (PUBSUB NUMSUB), patterns (PUBSUB NUMPAT). */
  numsub(channel: Uint8Array): number {
    return this.#channels.get(keyId(channel))?.size ?? 0;
  }

  /** Number of distinct patterns subscribed to. */
  numpat(): number {
    return this.#patterns.size;
  }
}
