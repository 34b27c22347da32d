// What happens around every write of a store, besides logging it: watchers of its keys are
// told (WATCH), blocked calls waiting for its keys get a chance (BLPOP...), keyspace events
// are worked out and queued. Each part costs nothing while nobody uses it: a write works out
// its frames (to know what it changed) only when it is logged anyway or someone listens.
import { type Command, commandEvents, framesKeys, keyPositions } from "../store/commands.ts";
import { type Reply, runCommand } from "../store/apply.ts";
import type { Store } from "../store/store.ts";
import type { Frame } from "./_propagate.ts";
import { Blocked } from "./_blocking.ts";
import { Notifier } from "./_events.ts";
import { PubSub } from "./_pubsub.ts";
import { keyId, Watches } from "./_watch.ts";
import { CommandFailedError } from "./errors.ts";

/** What `before` captured for `after`. */
export interface Before {
  /** Whether a key was live before the command, null if not one of its keys (events only). */
  existed: ((key: Uint8Array) => boolean | null) | null;
  /** Watched key ids that existed before a FLUSHALL/FLUSHDB. */
  flushed: string[] | null;
}

const NOTHING: Before = { existed: null, flushed: null };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Which of a command's keys were live before it ran (a scan for a few keys, else a map). */
function existedBefore(
  cmd: Command,
  argv: Uint8Array[],
  store: Store,
): (key: Uint8Array) => boolean | null {
  const pos = keyPositions(cmd, argv);
  if (pos.length <= 8) {
    const keys = pos.map((i) => argv[i]!);
    const live = keys.map((k) => store.has(k));
    return (k) => {
      for (let i = 0; i < keys.length; i++) if (sameBytes(keys[i]!, k)) return live[i]!;
      return null;
    };
  }
  const m = new Map<string, boolean>();
  for (const i of pos) m.set(keyId(argv[i]!), store.has(argv[i]!));
  return (k) => m.get(keyId(k)) ?? null;
}

/** @internal */
export class Hub {
  readonly watches: Watches = new Watches();
  readonly blocked: Blocked = new Blocked();
  readonly pubsub: PubSub = new PubSub();
  readonly notifier: Notifier;

  constructor(notifyFlags: string, warn: (m: string) => void) {
    this.notifier = new Notifier(this.pubsub, notifyFlags, warn);
  }

  /** Before a write runs: what its events and watchers need to know of the state before. */
  before(cmd: Command, argv: Uint8Array[], store: Store): Before {
    let existed: Before["existed"] = null;
    let flushed: string[] | null = null;
    if (this.notifier.wanted) existed = existedBefore(cmd, argv, store);
    if (cmd.keyless && this.watches.active && (cmd.name === "flushall" || cmd.name === "flushdb")) {
      flushed = [];
      for (const id of this.watches.ids()) {
        if (store.has(Uint8Array.from(id, (c) => c.charCodeAt(0)))) flushed.push(id);
      }
    }
    return existed === null && flushed === null ? NOTHING : { existed, flushed };
  }

  /** Whether this write's frames are needed though it is not logged. */
  needsFrames(cmd: Command, argv: Uint8Array[]): boolean {
    if (this.notifier.wanted) return true;
    const w = this.watches.active, b = this.blocked.size > 0;
    if (!w && !b) return false;
    for (const i of keyPositions(cmd, argv)) {
      const id = keyId(argv[i]!);
      if ((w && this.watches.has(id)) || (b && this.blocked.has(id))) return true;
    }
    return false;
  }

  /** After a write succeeded with `reply`; `frames` is what it logs (null: not worked out). */
  after(
    cmd: Command,
    argv: Uint8Array[],
    reply: Reply,
    store: Store,
    frames: Frame[] | null,
    b: Before,
    pre?: unknown,
  ): void {
    // A key is ready for its waiters when the write changed something (it logged frames):
    // a woken XREADGROUP that found nothing writes nothing and must not wake them again.
    if (this.blocked.size > 0 && (frames === null || frames.length > 0)) {
      for (const i of keyPositions(cmd, argv)) this.blocked.signal(keyId(argv[i]!));
    }
    if (b.flushed !== null) { for (const id of b.flushed) this.watches.touch(id); }
    if (frames === null || frames.length === 0) return;
    if (this.watches.active) { for (const k of framesKeys(frames)) this.watches.touch(keyId(k)); }
    const existed = b.existed;
    if (existed === null) return;
    const events = commandEvents(cmd, argv, reply, store, frames, existed, pre);
    for (const [event, key] of events) this.notifier.emit(event, key, store);
  }

  /** A key left the keyspace without a command (expired, evicted). */
  removed(event: "expired" | "evicted", key: Uint8Array): void {
    const id = keyId(key);
    this.watches.touch(id);
    if (this.notifier.wanted) this.notifier.emit(event, key, null);
  }

  /** PUBLISH and PUBSUB, answered from this store's subscriptions (`store` gives the applier's errors). */
  pubsubCommand(cmd: Command, argv: Uint8Array[], store: Store): Reply {
    const ps = this.pubsub;
    if (cmd.name === "publish") return this.notifier.publish(argv[1]!, argv[2]!);
    const sub = new TextDecoder().decode(argv[1]!).toUpperCase();
    if (sub === "CHANNELS" && argv.length <= 3) return ps.channels(argv[2]);
    if (sub === "NUMSUB") return argv.slice(2).flatMap((ch) => [ch, ps.numsub(ch)]);
    if (sub === "NUMPAT" && argv.length === 2) return ps.numpat();
    const r = runCommand(store, cmd, argv); // the applier's errors
    if (!r.ok) throw new CommandFailedError(r.error);
    return r.reply;
  }
}
