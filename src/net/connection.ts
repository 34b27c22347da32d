/**
 * One connection to a Redis (or Valkey) server: RESP2 (RESP3 with
 * `protocol: 3`), pipelined, with a bound on the bytes in flight.
 *
 * Every command is written as soon as the current synchronous run ends
 * (commands issued together go out in one write) and its promise resolves
 * with the reply. Producers that send a lot wait on
 * {@link RedisConnection.writable} before sending more: it resolves once the
 * bytes sent or queued without a reply are under `maxInFlightBytes`, so
 * memory stays bounded however fast the producer is (backpressure).
 *
 * Handshake at {@link RedisConnection.connect}: `HELLO 3 [AUTH u p]` or
 * `AUTH [u] p` (or `PING`, so that a server requiring a password says so at
 * once), then `SELECT db` when a database is given. Failures are typed:
 * {@link RedisConnectionError} (refused, reset, closed, with the count of
 * commands that got no reply), {@link RedisTimeoutError},
 * {@link RedisAuthError}, {@link RedisReplyError} (naming the command).
 *
 * @module
 */

import { ByteWriter } from "../codec/bytes.ts";
import { encodeCommandInto } from "../codec/resp.ts";
import {
  endpointText,
  RedisConnectionError,
  RedisProtocolError,
  RedisTimeoutError,
} from "./errors.ts";
import { NEED_MORE, type Reply, ReplyParser, RespPush } from "./reply.ts";
import { type ByteSocket, openSocket } from "./_socket.ts";
import { connectSettings, handshake } from "./_handshake.ts";
import { settle, takeReply } from "./_pending.ts";
import { Requests } from "./_requests.ts";

export type { TlsSettings } from "./_socket.ts";

export {
  type Arg,
  type BatchError,
  type BatchResult,
  DEFAULT_MAX_IN_FLIGHT,
  type RedisConnectionOptions,
} from "./connection_types.ts";
import {
  type Arg,
  type BatchResult,
  DEFAULT_MAX_IN_FLIGHT,
  type RedisConnectionOptions,
} from "./connection_types.ts";

/**
 * A pipelined connection. Create with {@link RedisConnection.connect}.
 *
 * @example
 * ```ts no-run
 * import { RedisConnection } from "@kevy/persist/net";
 * const c = await RedisConnection.connect({ url: "redis://127.0.0.1:6379/0" });
 * await c.command(["SET", "greeting", "hello"]);
 * const v = await c.command(["GET", "greeting"]); // Uint8Array of "hello"
 * await c.close();
 * ```
 */
export class RedisConnection {
  /** Server host. */
  readonly host: string;
  /** Server port. */
  readonly port: number;
  /** RESP version in use. */
  readonly protocol: 2 | 3;
  /** The bound on bytes in flight. */
  readonly maxInFlightBytes: number;
  #sock: ByteSocket | null = null;
  readonly #parser = new ReplyParser();
  readonly #requests: Requests;
  readonly #out = new ByteWriter(64 * 1024);
  #outCount = 0;
  #flushQueued = false;
  #closed: RedisConnectionError | null = null;
  #closing = false;
  readonly #onPush: ((p: RespPush) => void) | undefined;

  private constructor(host: string, port: number, opts: RedisConnectionOptions) {
    this.host = host;
    this.port = port;
    this.protocol = opts.protocol ?? 2;
    this.maxInFlightBytes = opts.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT;
    if (!(Number.isSafeInteger(this.maxInFlightBytes) && this.maxInFlightBytes > 0)) {
      throw new RangeError(
        `maxInFlightBytes must be a positive integer, got ${opts.maxInFlightBytes}`,
      );
    }
    const timeoutMs = opts.commandTimeoutMs ?? 30_000;
    this.#requests = new Requests(
      this.maxInFlightBytes,
      timeoutMs,
      () => this.#closed !== null,
      () => {
        const n = this.#requests.unanswered();
        this.#fail(new RedisTimeoutError(this.host, this.port, `no reply for ${timeoutMs} ms`, n));
      },
    );
    this.#onPush = opts.onPush;
  }

  /** `host:port` (made once: every reply names its connection). */
  get address(): string {
    return this.#address ??= endpointText(this.host, this.port);
  }
  #address: string | undefined;

  /**
   * Connects, authenticates and selects the database.
   *
   * @example
   * ```ts no-run
   * import { RedisConnection } from "@kevy/persist/net";
   * const c = await RedisConnection.connect({ url: "redis://:secret@127.0.0.1:6379/1" });
   * await c.close();
   * ```
   */
  static async connect(opts: RedisConnectionOptions = {}): Promise<RedisConnection> {
    const { host, port, tls, username, password, db } = connectSettings(opts);
    const c = new RedisConnection(host, port, opts);
    c.#sock = await openSocket(host, port, tls, opts.connectTimeoutMs ?? 10_000, {
      onData: (d) => c.#onData(d),
      onDrain: () => {},
      onClose: (err) => c.#onClose(err),
    });
    try {
      await handshake(c, username, password, db, opts.clientName);
    } catch (e) {
      c.destroy();
      throw e;
    }
    return c;
  }

  /** Bytes sent or queued whose replies have not all arrived. */
  get inFlightBytes(): number {
    return this.#requests.inFlight;
  }

  /** Commands sent or queued without their reply yet. */
  get pendingCommands(): number {
    return this.#requests.unanswered();
  }

  /** True once the connection is closed or broken. */
  get closed(): boolean {
    return this.#closed !== null;
  }

  /**
   * Resolves when fewer than `maxInFlightBytes` are in flight (at once if so
   * already); rejects if the connection breaks meanwhile.
   */
  writable(): Promise<void> {
    if (this.#closed !== null) return Promise.reject(this.#closed);
    if (this.#requests.inFlight < this.maxInFlightBytes) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#requests.onWritable(() => (this.#closed !== null ? reject(this.#closed) : resolve()));
    });
  }

  /**
   * Sends one command; resolves with its reply, rejects with a
   * {@link RedisReplyError} naming the command for an error reply.
   */
  command(argv: ReadonlyArray<Arg>): Promise<Reply> {
    if (this.#closed !== null) return Promise.reject(this.#closed);
    const before = this.#out.length;
    encodeCommandInto(this.#out, argv);
    const bytes = this.#out.length - before;
    this.#outCount++;
    return new Promise((resolve, reject) => {
      this.#requests.add({
        count: 1,
        got: 0,
        bytes,
        resolve,
        reject,
        argv,
        frames: null,
        replies: null,
        errors: null,
        cursorIndex: 0,
        cursorAt: 0,
      });
      this.#scheduleFlush();
    });
  }

  /**
   * Sends several commands at once; resolves with their replies in order
   * (error replies in place, as {@link RedisReplyError} values).
   */
  async pipeline(commands: ReadonlyArray<ReadonlyArray<Arg>>): Promise<Reply[]> {
    if (commands.length === 0) return [];
    const w = new ByteWriter();
    for (const argv of commands) encodeCommandInto(w, argv);
    const r = await this.sendFrames(w.bytes(), commands.length, { keepReplies: true });
    return r.replies!;
  }

  /**
   * Sends `count` pre-encoded RESP command frames (`frames` is not copied:
   * do not change it until the promise settles). Resolves once every reply
   * arrived, with the error replies (each naming its command) and, with
   * `keepReplies`, every reply. Rejects only if the connection breaks; the
   * error's `unanswered` counts the commands of this batch and later ones
   * that got no reply.
   */
  sendFrames(
    frames: Uint8Array,
    count: number,
    opts: { keepReplies?: boolean } = {},
  ): Promise<BatchResult> {
    if (this.#closed !== null) return Promise.reject(this.#closed);
    if (!(Number.isSafeInteger(count) && count >= 1)) {
      throw new RangeError(`count must be a positive integer, got ${count}`);
    }
    return new Promise((resolve, reject) => {
      // Keep the order: whatever single commands are buffered go first.
      this.#flush();
      this.#requests.add({
        count,
        got: 0,
        bytes: frames.length,
        resolve,
        reject,
        argv: null,
        frames,
        replies: opts.keepReplies ? [] : null,
        errors: [],
        cursorIndex: 0,
        cursorAt: 0,
      });
      this.#sock!.write(frames);
    });
  }

  /** Waits for every outstanding reply, then closes (QUIT is not needed: the server sees EOF). */
  async close(): Promise<void> {
    if (this.#closed !== null) return;
    this.#closing = true;
    this.#flush();
    if (this.#requests.length > 0) {
      await new Promise<void>((res) => this.#requests.onClosed(res));
    }
    if (this.#closed !== null) return;
    const done = new Promise<void>((res) => this.#requests.onClosed(res));
    this.#sock!.end();
    await done;
  }

  /** Closes at once; outstanding commands fail with a {@link RedisConnectionError}. */
  destroy(): void {
    if (this.#closed !== null) return;
    this.#fail(
      new RedisConnectionError(this.host, this.port, "connection closed by the client", {
        unanswered: this.#requests.unanswered(),
      }),
    );
  }

  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#outCount === 0 || this.#closed !== null) return;
    this.#outCount = 0;
    this.#sock!.write(this.#out.take());
  }

  #onData(chunk: Uint8Array): void {
    if (this.#closed !== null) return;
    this.#requests.progress();
    const parser = this.#parser;
    parser.push(chunk);
    for (;;) {
      let r: Reply | RespPush | typeof NEED_MORE;
      try {
        r = parser.next();
      } catch (e) {
        this.#fail(
          new RedisConnectionError(
            this.host,
            this.port,
            `protocol error: ${(e as Error).message}`,
            {
              unanswered: this.#requests.unanswered(),
              cause: e instanceof RedisProtocolError ? e : undefined,
            },
          ),
        );
        return;
      }
      if (r === NEED_MORE) break;
      if (r instanceof RespPush) {
        this.#onPush?.(r);
        continue;
      }
      this.#reply(r);
      if (this.#closed !== null) return;
    }
  }

  #reply(r: Reply): void {
    const p = this.#requests.oldest();
    if (p === undefined) {
      this.#fail(new RedisConnectionError(this.host, this.port, "a reply arrived for no command"));
      return;
    }
    if (!takeReply(p, r, this.address)) return;
    this.#requests.settleOldest(this.#closing);
    settle(p, r, this.address);
  }

  #onClose(err: RedisConnectionError | null): void {
    if (this.#closed !== null) {
      this.#requests.wakeClosed();
      return;
    }
    const n = this.#requests.unanswered();
    const e = err !== null
      ? (n > 0
        ? new RedisConnectionError(err.host, err.port, err.reason, {
          code: err.code,
          unanswered: n,
          cause: err.cause,
        })
        : err)
      : new RedisConnectionError(
        this.host,
        this.port,
        this.#closing && n === 0 ? "connection closed" : "connection closed by the server",
        { unanswered: n },
      );
    this.#fail(e, false);
  }

  #fail(e: RedisConnectionError, destroy = true): void {
    if (this.#closed !== null) return;
    this.#closed = e;
    this.#requests.stopTimer();
    if (destroy) this.#sock?.destroy();
    this.#requests.failAll(e);
  }
}
