/**
 * `redis://` and `rediss://` URLs: where a server is and how to log in.
 *
 * `redis[s]://[[user]:password@]host[:port][/db]`: `rediss` means TLS;
 * user and password are percent-decoded (`redis://:pa%40ss@h` is the
 * password `pa@ss` for the `default` user); the port defaults to 6379; an
 * IPv6 host is written in brackets (`redis://[::1]:7000`). Query parameters
 * are not accepted: an option the client does not understand must not be
 * ignored silently.
 *
 * @module
 */

/** A parsed Redis URL. */
export interface RedisEndpoint {
  /** Host name or address (IPv6 without brackets). */
  host: string;
  /** TCP port. */
  port: number;
  /** True for `rediss://`. */
  tls: boolean;
  /** User name, or `undefined` (the `default` user). */
  username: string | undefined;
  /** Password, or `undefined` (no AUTH). */
  password: string | undefined;
  /** Database from the path, or `undefined`. */
  db: number | undefined;
}

/** The default Redis port. */
export const REDIS_DEFAULT_PORT = 6379;

/**
 * Parses a Redis URL; throws `TypeError` naming what is wrong.
 *
 * @example
 * ```ts
 * import { parseRedisUrl } from "@kevy/persist/net";
 * const e = parseRedisUrl("rediss://app:s%3Acret@cache.local:7000/2");
 * e.tls; // true
 * e.password; // "s:cret"
 * e.db; // 2
 * ```
 */
export function parseRedisUrl(url: string): RedisEndpoint {
  const m = /^(rediss?):\/\/(?:([^@/]*)@)?(\[[0-9A-Fa-f:.]+\]|[^:/@?#[\]]+)(?::(\d*))?(?:\/(\d*))?$/
    .exec(url);
  if (m === null) {
    const scheme = /^([a-z]+):\/\//i.exec(url)?.[1];
    if (scheme !== undefined && !/^rediss?$/.test(scheme)) {
      throw new TypeError(
        `${redact(url)}: unsupported scheme '${scheme}' (use redis:// or rediss://)`,
      );
    }
    throw new TypeError(
      `${redact(url)}: not a Redis URL (expected redis[s]://[user:password@]host[:port][/db])`,
    );
  }
  const [, scheme, auth, hostPart, portText, dbText] = m;
  const host = hostPart!.startsWith("[") ? hostPart!.slice(1, -1) : hostPart!;
  let port = REDIS_DEFAULT_PORT;
  if (portText !== undefined && portText !== "") {
    port = Number(portText);
    if (!(port >= 1 && port <= 65535)) {
      throw new TypeError(`${redact(url)}: port must be 1..65535, got ${portText}`);
    }
  }
  let db: number | undefined;
  if (dbText !== undefined && dbText !== "") {
    db = Number(dbText);
    if (!Number.isSafeInteger(db)) throw new TypeError(`${redact(url)}: bad database number`);
  }
  let username: string | undefined;
  let password: string | undefined;
  if (auth !== undefined) {
    const colon = auth.indexOf(":");
    const u = colon === -1 ? auth : auth.slice(0, colon);
    username = u === "" ? undefined : decode(u, url);
    if (colon === -1) {
      // AUTH always needs a password: a lone user name would be dropped silently.
      if (username !== undefined) {
        throw new TypeError(
          `${redact(url)}: user '${username}' without a password (redis://user:password@host)`,
        );
      }
    } else password = decode(auth.slice(colon + 1), url);
  }
  return { host, port, tls: scheme === "rediss", username, password, db };
}

function decode(s: string, url: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new TypeError(`${redact(url)}: bad percent-encoding in the credentials`);
  }
}

/**
 * The URL with its password replaced by `***`, for messages and logs.
 *
 * @example
 * ```ts
 * import { redactRedisUrl } from "@kevy/persist/net";
 * redactRedisUrl("redis://app:secret@h:7000"); // "redis://app:***@h:7000"
 * ```
 */
export function redactRedisUrl(url: string): string {
  return redact(url);
}

function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/)([^@/]*)@/i, (_all, scheme: string, auth: string) => {
    const colon = auth.indexOf(":");
    return colon === -1 ? `${scheme}***@` : `${scheme}${auth.slice(0, colon)}:***@`;
  });
}
