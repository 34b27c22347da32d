// The byte socket under a connection: node:net for redis://, node:tls for
// rediss:// (both present in Deno, Bun and Node). Everything above talks to
// this small interface only, so the protocol code never sees a runtime type.
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { RedisConnectionError, RedisTimeoutError } from "./errors.ts";

/** TLS settings for `rediss://` (passed to node:tls). */
export interface TlsSettings {
  /** CA certificates (PEM) trusted for the server's certificate (default: the system's). */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** Client certificate (PEM), for servers that require one. */
  cert?: string | Uint8Array;
  /** Client key (PEM). */
  key?: string | Uint8Array;
  /** Name checked against the server's certificate (default: the host). */
  servername?: string;
  /** Accept any certificate (default `false`; for tests only). */
  rejectUnauthorized?: boolean;
}

/** What a connection needs from a socket. */
export interface ByteSocket {
  /** Queues bytes; `false` means the socket's buffer is full (wait for onDrain). */
  write(b: Uint8Array): boolean;
  /** Half-close after the queued bytes. */
  end(): void;
  /** Close now. */
  destroy(): void;
}

/** Callbacks of {@link openSocket}. */
export interface SocketEvents {
  onData(chunk: Uint8Array): void;
  onDrain(): void;
  /** The socket closed; `err` is set when it broke. Called once. */
  onClose(err: RedisConnectionError | null): void;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused (is the server running on this port?)",
  ECONNRESET: "connection reset by the server",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed (temporary)",
  EPIPE: "connection closed by the server while writing",
  ETIMEDOUT: "connection timed out",
};

/** The connection error for a socket error. */
export function socketError(
  host: string,
  port: number,
  e: unknown,
  unanswered = 0,
): RedisConnectionError {
  const code = (e as { code?: unknown } | null)?.code;
  const c = typeof code === "string" ? code : undefined;
  const what = (c !== undefined ? REASONS[c] : undefined) ?? (e as Error)?.message ?? String(e);
  return new RedisConnectionError(host, port, what, { code: c, unanswered, cause: e });
}

/** Connects (TCP, or TLS when `tls` is set); rejects with a {@link RedisConnectionError}. */
export function openSocket(
  host: string,
  port: number,
  tls: TlsSettings | null,
  timeoutMs: number,
  ev: SocketEvents,
): Promise<ByteSocket> {
  return new Promise((resolve, reject) => {
    let connected = false;
    let closed = false;
    const sock: Socket = tls === null
      ? netConnect({ host, port })
      : tlsConnect({ host, port, servername: tls.servername ?? hostForSni(host), ...tlsOpts(tls) });
    const timer = timeoutMs > 0
      ? setTimeout(() => {
        if (connected) return;
        sock.destroy();
        fail(new RedisTimeoutError(host, port, `no connection after ${timeoutMs} ms`));
      }, timeoutMs)
      : null;
    let broke: RedisConnectionError | null = null;
    const fail = (err: RedisConnectionError): void => {
      if (timer !== null) clearTimeout(timer);
      if (!connected) {
        if (!closed) {
          closed = true;
          reject(err);
        }
      } else broke ??= err;
    };
    sock.on(tls === null ? "connect" : "secureConnect", () => {
      if (timer !== null) clearTimeout(timer);
      if (closed) return;
      connected = true;
      sock.setNoDelay(true);
      resolve({
        write: (b) => sock.write(b),
        end: () => void sock.end(),
        destroy: () => void sock.destroy(),
      });
    });
    // A plain Uint8Array view (no copy): Buffer must not leak into replies.
    sock.on("data", (d: Uint8Array) => ev.onData(new Uint8Array(d.buffer, d.byteOffset, d.length)));
    sock.on("drain", () => ev.onDrain());
    sock.on("error", (e) => fail(socketError(host, port, e)));
    sock.on("close", () => {
      if (timer !== null) clearTimeout(timer);
      if (!connected) {
        if (!closed) {
          closed = true;
          reject(new RedisConnectionError(host, port, "connection closed during the handshake"));
        }
        return;
      }
      if (closed) return;
      closed = true;
      ev.onClose(broke);
    });
  });
}

function tlsOpts(t: TlsSettings): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (t.ca !== undefined) o.ca = t.ca;
  if (t.cert !== undefined) o.cert = t.cert;
  if (t.key !== undefined) o.key = t.key;
  if (t.rejectUnauthorized !== undefined) o.rejectUnauthorized = t.rejectUnauthorized;
  return o;
}

/** SNI must be a name, not an address. */
function hostForSni(host: string): string | undefined {
  return /^[\d.]+$/.test(host) || host.includes(":") ? undefined : host;
}
