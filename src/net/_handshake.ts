// The connection handshake: where to connect and as whom (options over the
// URL, checked), then HELLO 3 [AUTH] or AUTH (or a PING, so that a server that
// requires a password says so at once), CLIENT SETNAME, SELECT. Refused
// credentials become RedisAuthError (the password never shown).
import type { Arg, RedisConnection } from "./connection.ts";
import type { RedisConnectionOptions } from "./connection_types.ts";
import { RedisAuthError, RedisReplyError } from "./errors.ts";
import type { TlsSettings } from "./_socket.ts";
import { parseRedisUrl } from "./url.ts";

/** What {@link RedisConnection.connect} connects to and authenticates as. */
export interface ConnectSettings {
  host: string;
  port: number;
  tls: TlsSettings | null;
  username: string | undefined;
  password: string | undefined;
  db: number | undefined;
}

/** The options over the URL's parts, with the defaults; throws RangeError for a bad db or protocol. */
export function connectSettings(opts: RedisConnectionOptions): ConnectSettings {
  const fromUrl = opts.url !== undefined ? parseRedisUrl(opts.url) : undefined;
  const host = opts.host ?? fromUrl?.host ?? "127.0.0.1";
  const port = opts.port ?? fromUrl?.port ?? 6379;
  const tlsOpt = opts.tls ?? fromUrl?.tls ?? false;
  const tls: TlsSettings | null = tlsOpt === false ? null : tlsOpt === true ? {} : tlsOpt;
  const username = opts.username ?? fromUrl?.username;
  const password = opts.password ?? fromUrl?.password;
  const db = opts.db ?? fromUrl?.db;
  if (db !== undefined && !(Number.isSafeInteger(db) && db >= 0)) {
    throw new RangeError(`db must be a non-negative integer, got ${db}`);
  }
  if (opts.protocol !== undefined && opts.protocol !== 2 && opts.protocol !== 3) {
    throw new RangeError(`protocol must be 2 or 3, got ${opts.protocol}`);
  }
  return { host, port, tls, username, password, db };
}

/** Runs the handshake on a fresh connection. */
export async function handshake(
  c: RedisConnection,
  username: string | undefined,
  password: string | undefined,
  db: number | undefined,
  name: string | undefined,
): Promise<void> {
  const user = username ?? "default";
  const authFailed = (e: unknown): never => {
    if (e instanceof RedisReplyError) {
      if (/^(WRONGPASS|NOAUTH|NOPERM|ERR invalid password|ERR AUTH)/.test(e.reply)) {
        throw new RedisAuthError(c.host, c.port, user, e.reply);
      }
    }
    throw e;
  };
  if (c.protocol === 3) {
    const argv: Arg[] = ["HELLO", "3"];
    if (password !== undefined) argv.push("AUTH", user, password);
    await c.command(argv).catch(authFailed);
  } else if (password !== undefined) {
    await c.command(username === undefined ? ["AUTH", password] : ["AUTH", username, password])
      .catch(authFailed);
  } else {
    await c.command(["PING"]).catch((e) => {
      if (e instanceof RedisReplyError && e.code === "NOAUTH") {
        throw new RedisAuthError(c.host, c.port, user, `${e.reply} (no password given)`);
      }
      throw e;
    });
  }
  if (name !== undefined) await c.command(["CLIENT", "SETNAME", name]);
  if (db !== undefined && db !== 0) await c.command(["SELECT", String(db)]);
}
