/**
 * The options and result types of {@link RedisConnection} (kept apart from
 * the connection itself, which is long enough).
 *
 * @module
 */

import type { RedisReplyError } from "./errors.ts";
import type { Reply, RespPush } from "./reply.ts";
import type { TlsSettings } from "./_socket.ts";

/** Options of `RedisConnection.connect`. */
export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` URL; the fields below override its parts (default: none, the fields alone). */
  url?: string;
  /** Host (default `"127.0.0.1"`). */
  host?: string;
  /** Port (default 6379). */
  port?: number;
  /** TLS (default: from the URL scheme). `true` uses the system's CAs. */
  tls?: boolean | TlsSettings;
  /** ACL user (default: the `default` user). */
  username?: string;
  /** Password: sent with AUTH (or HELLO) during the handshake (default: the URL's, else none). */
  password?: string;
  /** Database to SELECT (default: from the URL, else none, which means 0). */
  db?: number;
  /** RESP version (default 2; 3 sends `HELLO 3`). */
  protocol?: 2 | 3;
  /** Name set with CLIENT SETNAME (default none). */
  clientName?: string;
  /** Give up connecting after this many ms (default 10000; 0 = never). */
  connectTimeoutMs?: number;
  /**
   * Fail the connection when commands are outstanding and no reply arrived
   * for this many ms (default 30000; 0 = never).
   */
  commandTimeoutMs?: number;
  /** Bound on bytes sent or queued without a reply (default {@link DEFAULT_MAX_IN_FLIGHT}). */
  maxInFlightBytes?: number;
  /** Called for RESP3 pushes (default: dropped). */
  onPush?: (push: RespPush) => void;
}

/** Default of {@link RedisConnectionOptions.maxInFlightBytes} (4 MiB). */
export const DEFAULT_MAX_IN_FLIGHT: number = 4 * 1024 * 1024;

/** A command argument: bytes as is, strings as UTF-8. */
export type Arg = Uint8Array | string;

/** One error reply inside a batch: which command (0-based) and the error, naming the command. */
export interface BatchError {
  /** Index of the command in the batch. */
  index: number;
  /** The error reply. */
  error: RedisReplyError;
}

/** What `RedisConnection.sendFrames` resolves with. */
export interface BatchResult {
  /** Every reply in order (error replies as {@link RedisReplyError}); null unless `keepReplies`. */
  replies: Reply[] | null;
  /** The error replies. */
  errors: BatchError[];
}
