/**
 * The errors of the RESP client: each names the server and says what went
 * wrong in terms a user can act on (which host, which command, what the
 * server answered, how many commands had no reply).
 *
 * @module
 */

import { describeCommand } from "./_describe.ts";

/** Where a connection goes, for messages (`host:port`, `[::1]:port`). */
export function endpointText(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The server could not be reached, or the connection broke. `code` is the
 * system error code when there is one (`ECONNREFUSED`, `ECONNRESET`,
 * `ETIMEDOUT`, `EPIPE`, ...); `unanswered` counts the commands that were sent
 * or queued and got no reply: their effect on the server is unknown.
 *
 * @example
 * ```ts
 * import { RedisConnectionError } from "@kevy/persist/net";
 * const e = new RedisConnectionError("127.0.0.1", 1, "connection refused", { code: "ECONNREFUSED" });
 * e.message; // "127.0.0.1:1: connection refused"
 * ```
 */
export class RedisConnectionError extends Error {
  /** Always `"RedisConnectionError"`. */
  override name = "RedisConnectionError";
  /** The server's host. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
  /** The system error code, or `undefined`. */
  readonly code: string | undefined;
  /** Commands without a reply when the connection broke (0 while connecting). */
  readonly unanswered: number;
  /** What happened, without the server and the count (`"connection refused"`). */
  readonly reason: string;

  /**
   * The error for `host:port`.
   * @param host the server's host
   * @param port the server's port
   * @param what what happened, e.g. `"connection refused"`
   * @param extra the system `code`, the `unanswered` count and the underlying `cause`
   */
  constructor(
    host: string,
    port: number,
    what: string,
    extra: { code?: string | undefined; unanswered?: number; cause?: unknown } = {},
  ) {
    const un = extra.unanswered ?? 0;
    super(
      `${endpointText(host, port)}: ${what}` +
        (un > 0 ? ` (${un} command(s) sent without a reply: their effect is unknown)` : ""),
      extra.cause === undefined ? undefined : { cause: extra.cause },
    );
    this.host = host;
    this.port = port;
    this.code = extra.code;
    this.unanswered = un;
    this.reason = what;
  }
}

/**
 * No reply within the configured time (connecting, or while commands were
 * outstanding). The connection is closed: replies arriving later could not
 * be matched to their commands.
 *
 * @example
 * ```ts
 * import { RedisTimeoutError } from "@kevy/persist/net";
 * const e = new RedisTimeoutError("127.0.0.1", 6379, "no reply for 5000 ms", 3);
 * e.name; // "RedisTimeoutError"
 * ```
 */
export class RedisTimeoutError extends RedisConnectionError {
  /** Always `"RedisTimeoutError"`. */
  override name = "RedisTimeoutError";

  /**
   * A timeout at `host:port`.
   * @param host the server's host
   * @param port the server's port
   * @param what what timed out
   * @param unanswered commands without a reply
   */
  constructor(host: string, port: number, what: string, unanswered = 0) {
    super(host, port, what, { code: "ETIMEDOUT", unanswered });
  }
}

/**
 * The server refused the credentials (`WRONGPASS`, `NOAUTH`, `NOPERM` during
 * the handshake). The password is never part of the message.
 *
 * @example
 * ```ts
 * import { RedisAuthError } from "@kevy/persist/net";
 * const e = new RedisAuthError("127.0.0.1", 6379, "default", "WRONGPASS invalid username-password pair");
 * e.message; // "127.0.0.1:6379: authentication as 'default' failed: WRONGPASS invalid username-password pair"
 * ```
 */
export class RedisAuthError extends Error {
  /** Always `"RedisAuthError"`. */
  override name = "RedisAuthError";
  /** The server's host. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
  /** The user name tried (`"default"` when only a password was given). */
  readonly username: string;
  /** The server's reply. */
  readonly reply: string;

  /**
   * A refused login at `host:port`.
   * @param host the server's host
   * @param port the server's port
   * @param username the user name tried
   * @param reply the server's error reply
   */
  constructor(host: string, port: number, username: string, reply: string) {
    super(`${endpointText(host, port)}: authentication as '${username}' failed: ${reply}`);
    this.host = host;
    this.port = port;
    this.username = username;
    this.reply = reply;
  }
}

/**
 * An error reply (`-ERR ...`, `-WRONGTYPE ...`, `-MOVED ...`) with the
 * command that caused it. `code` is the reply's first word (`ERR`,
 * `WRONGTYPE`, `MOVED`, `BUSYKEY`, ...); `command` a short printable
 * rendering of the command (verb, key, sizes of long arguments).
 *
 * @example
 * ```ts
 * import { RedisReplyError } from "@kevy/persist/net";
 * const e = new RedisReplyError("WRONGTYPE Operation against a key holding the wrong kind of value");
 * e.code; // "WRONGTYPE"
 * const named = e.withCommand(["LPUSH", "k", "v"]);
 * named.command; // 'LPUSH "k" "v"'
 * ```
 */
export class RedisReplyError extends Error {
  /** Always `"RedisReplyError"`. */
  override name = "RedisReplyError";
  /** The reply text, without the leading `-`. */
  readonly reply: string;
  /** The reply's first word. */
  readonly code: string;
  /** The command that caused it, or `""` when unknown. */
  readonly command: string;
  /** The server that answered (`host:port`), or `""`. */
  readonly server: string;

  /**
   * An error reply.
   * @param reply the error text (without `-`)
   * @param command the command, as {@link describeCommand} renders it
   * @param server the server that answered
   */
  constructor(reply: string, command = "", server = "") {
    super(
      (server === "" ? "" : `${server}: `) + reply +
        (command === "" ? "" : ` (command: ${command})`),
    );
    this.reply = reply;
    const sp = reply.indexOf(" ");
    this.code = sp === -1 ? reply : reply.slice(0, sp);
    this.command = command;
    this.server = server;
  }

  /** The same reply, naming the command (and the server) that caused it. */
  withCommand(argv: ReadonlyArray<Uint8Array | string>, server = this.server): RedisReplyError {
    return new RedisReplyError(this.reply, describeCommand(argv), server);
  }
}

/**
 * The server sent bytes that are not RESP (or a length beyond the limits).
 * The connection is closed.
 *
 * @example
 * ```ts
 * import { RedisProtocolError } from "@kevy/persist/net";
 * new RedisProtocolError("127.0.0.1:6379: expected a RESP type byte, found 0x41").name; // "RedisProtocolError"
 * ```
 */
export class RedisProtocolError extends Error {
  /** Always `"RedisProtocolError"`. */
  override name = "RedisProtocolError";
}

/**
 * A cluster operation gave up: the slot map could not be loaded, a slot has
 * no master, or redirections / `TRYAGAIN` / `CLUSTERDOWN` went on longer
 * than the retry budget.
 *
 * @example
 * ```ts
 * import { RedisClusterError } from "@kevy/persist/net";
 * new RedisClusterError("slot 42 has no master in the slot map").name; // "RedisClusterError"
 * ```
 */
export class RedisClusterError extends Error {
  /** Always `"RedisClusterError"`. */
  override name = "RedisClusterError";
}
