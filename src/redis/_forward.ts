// Follow mode: each frame a live store appended to its log is applied to a
// mirror of that shard (the state the target holds) and turned into jobs
// for the target:
// - deterministic single-key writes (and DEL of any keys, split per key)
//   go as they are: Redis reproduces them exactly from the same state;
// - everything else (multi-key writes, verbs whose effect depends on more
//   than their arguments) goes as the resulting state of each key it names:
//   DEL, then the commands (or RESTORE) that rebuild it, TTL included;
// - FLUSHALL/FLUSHDB empty the target database on every master;
// - a split write's part (`MULTI <gid> <shards> <frames>` ... `EXEC <gid>`,
//   codec/group.ts) is held until its EXEC: only then are its frames
//   applied and sent, the markers never. A part still open at the log's tail
//   may be cut by the store's next open (recovery): the caller keeps the
//   tail's bytes from `openAt` on and reloads when they change (AofTail.hold).
//   A part followed by another frame without its EXEC counts as committed,
//   as replay and recovery count it;
// - plain MULTI ... EXEC (a Redis transaction) likewise, DISCARD drops it.
import type { ByteWriter } from "../codec/bytes.ts";
import { parseGroupMarker } from "../codec/group.ts";
import { encodeCommandInto } from "../codec/resp.ts";
import type { Entry } from "../codec/types.ts";
import { UnknownCommandGate } from "../persist/unknown.ts";
import { keyHashSlot } from "../shard/routing.ts";
import { keyPositions, lookupCommand } from "../store/commands.ts";
import { runCommand } from "../store/apply.ts";
import type { Store } from "../store/store.ts";
import type { Encoder, KeyJob } from "./_migrate_encode.ts";

/** A frame the forwarder cannot carry (another database than 0). */
export class FollowFrameError extends Error {
  /** Always `"FollowFrameError"`. */
  override name = "FollowFrameError";
}

/** Verbs sent as they are (single key, same effect in Redis from the same state). */
const VERBATIM = new Set([
  "set",
  "del",
  "unlink",
  "pexpireat",
  "persist",
  "hset",
  "hdel",
  "rpush",
  "lpush",
  "lpop",
  "rpop",
  "lset",
  "ltrim",
  "lrem",
  "sadd",
  "srem",
  "zadd",
  "zrem",
  "incr",
  "decr",
  "incrby",
  "decrby",
  "append",
  "hincrby",
]); // deno-fmt-ignore

/** Where jobs go: encoded into `w`, then listed with their byte range. */
export interface JobSink {
  w: ByteWriter;
  push(job: Omit<KeyJob, "frames">, start: number): void;
  /**
   * Runs `argv` on every master, in order with the jobs around it (FLUSHDB
   * for FLUSHALL/FLUSHDB; FUNCTION LOAD/DELETE/FLUSH, since functions live
   * on each node of a cluster).
   */
  everyMaster(argv: Uint8Array[]): void;
}

const td = new TextDecoder();

/** One shard's forwarder. */
export class Forwarder {
  readonly #store: Store;
  readonly #encode: Encoder;
  readonly #gate: UnknownCommandGate;
  readonly #path: string;
  #queue: Array<{ argv: Uint8Array[]; offset: number }> | null = null;
  /** The open split-write part: its gid, frame count and marker offset (null: a plain MULTI). */
  #part: { gid: string; frames: number } | null = null;
  /** Frames applied (inside EXEC groups counted one by one). */
  applied = 0;

  /**
   * @param store the shard's mirror (the state the target holds)
   * @param encode how a key's state is written (command or RESTORE payload)
   * @param gate what an unsupported command does: stop with
   *   `UnknownCommandError` (default) or be left out and counted
   * @param path the log, for errors
   */
  constructor(
    store: Store,
    encode: Encoder,
    gate: UnknownCommandGate = new UnknownCommandGate("error"),
    path = "",
  ) {
    this.#store = store;
    this.#encode = encode;
    this.#gate = gate;
    this.#path = path;
  }

  /** True while a MULTI group is open (its frames are held). */
  get inTransaction(): boolean {
    return this.#queue !== null;
  }

  /**
   * Where the open group (a split write's part or a plain MULTI) starts in the log, or
   * null: every frame read so far is applied (and sent).
   */
  get openAt(): number | null {
    return this.#queue === null ? null : this.#openAt;
  }
  #openAt = 0;

  /**
   * Applies one frame read at `offset` (argv views: copied if held) and emits its jobs into
   * `sink` (none: apply only).
   */
  frame(argv: Uint8Array[], sink: JobSink | null, offset = 0): void {
    const marker = argv.length === 4 || argv.length === 2 ? parseGroupMarker(argv) : null;
    if (marker !== null) {
      if (marker.kind === "begin") {
        this.#release(sink); // a part not closed by its EXEC but followed by more: committed
        this.#queue = [];
        this.#part = { gid: marker.gid, frames: marker.frames };
        this.#openAt = offset;
      } else if (this.#part !== null && this.#part.gid === marker.gid) {
        this.#release(sink);
      } // an EXEC of no open part (its part was before a file replacement): nothing held
      return;
    }
    const verb = argv[0]!.length <= 7 ? td.decode(argv[0]!).toLowerCase() : "";
    if (this.#part === null) {
      if (verb === "multi") {
        this.#queue = [];
        this.#openAt = offset;
        return;
      }
      if (verb === "exec") {
        this.#release(sink);
        return;
      }
      if (verb === "discard") {
        this.#queue = null;
        return;
      }
    } else if (this.#queue!.length >= this.#part.frames) {
      this.#release(sink); // the part was complete and something follows it: committed
    }
    if (this.#queue !== null) {
      this.#queue.push({ argv: argv.map((a) => a.slice()), offset });
      return;
    }
    this.#one(argv, sink, offset);
  }

  /** Applies (and sends) the open group's frames. */
  #release(sink: JobSink | null): void {
    const q = this.#queue;
    this.#queue = null;
    this.#part = null;
    if (q !== null) { for (const f of q) this.#one(f.argv, sink, f.offset); }
  }

  #one(argv: Uint8Array[], sink: JobSink | null, offset: number): void {
    const cmd = lookupCommand(argv[0]!);
    if (cmd === undefined) {
      // Loud by default (UnknownCommandError naming verb, log and offset), or counted.
      this.#gate.check(
        { ok: false, unknown: true, error: `ERR unknown command '${td.decode(argv[0]!)}'` },
        argv,
        this.#path,
        offset,
      );
      return;
    }
    if (cmd.name === "select") {
      if (!(argv.length === 2 && td.decode(argv[1]!) === "0")) {
        throw new FollowFrameError(
          "the log selects a database other than 0: follow copies database 0 only",
        );
      }
      return;
    }
    const result = runCommand(this.#store, cmd, argv);
    if (!result.ok && result.unknown === true) {
      // A refused form of a known verb (FUNCTION RESTORE ...): never forwarded silently.
      this.#gate.check(result, argv, this.#path, offset);
      return;
    }
    this.applied++;
    if (!cmd.write || sink === null) return;
    if (cmd.name === "flushall" || cmd.name === "flushdb") {
      sink.everyMaster([FLUSHDB]);
      return;
    }
    if (cmd.name === "function") {
      // A library the mirror took (LOAD, DELETE, FLUSH): the same on every master.
      if (result.ok) sink.everyMaster(argv.map((a) => a.slice()));
      return;
    }
    const keys = uniqueKeys(argv, keyPositions(cmd, argv));
    if (keys.length === 0) return;
    if (cmd.name === "del" || cmd.name === "unlink") {
      for (const k of keys) this.#verbatim([argv[0]!, k], k, sink);
      return;
    }
    // A SET with options may carry a relative TTL: its state is sent instead.
    const plain = cmd.name !== "set" || argv.length === 3;
    if (VERBATIM.has(cmd.name) && plain && keys.length === 1 && result.ok) {
      this.#verbatim(argv, keys[0]!, sink);
      return;
    }
    for (const k of keys) this.image(k, sink);
  }

  #verbatim(argv: Uint8Array[], key: Uint8Array, sink: JobSink): void {
    const start = sink.w.length;
    encodeCommandInto(sink.w, argv);
    sink.push({
      key: key.slice(),
      entry: null,
      slot: keyHashSlot(key),
      count: 1,
      exists: "none",
      lost: 0,
    }, start);
  }

  /** Emits the key's state as it is in the mirror now (DEL when gone). */
  image(key: Uint8Array, sink: JobSink): void {
    const e = this.#store.getEntry(key);
    if (e === null || isEmpty(e)) {
      this.#verbatim([DEL, key], key, sink);
      return;
    }
    const start = sink.w.length;
    sink.push(this.#encode(e, true, sink.w), start);
  }
}

const DEL = new TextEncoder().encode("DEL");
const FLUSHDB = new TextEncoder().encode("FLUSHDB");

function isEmpty(e: Entry): boolean {
  const v = e.value;
  return v.type !== "string" && v.type !== "stream" && v.value.length === 0;
}

function uniqueKeys(argv: Uint8Array[], at: number[]): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const i of at) {
    const k = argv[i]!;
    let s = "";
    for (let j = 0; j < k.length; j++) s += String.fromCharCode(k[j]!);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(k);
  }
  return out;
}
