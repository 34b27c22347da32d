// The connection handshake: HELLO 3 [AUTH] or AUTH (or a PING, so that a
// server that requires a password says so at once), CLIENT SETNAME, SELECT.
// Refused credentials become RedisAuthError (the password never shown).
import type { Arg, RedisConnection } from "./connection.ts";
import { RedisAuthError, RedisReplyError } from "./errors.ts";

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
