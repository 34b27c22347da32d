// Which payload a migration sends. Strings always go as `SET` (exact, atomic
// with NX and PXAT, and cheaper than a DUMP payload); collections and
// streams as `RESTORE` of a DUMP payload when the server takes our
// payload's RDB version (one atomic command per key, streams with every
// consumer and pending entry exactly), else as commands. The version comes
// from the server's `redis_version`; a probe key written and deleted
// before any real key catches a server that still refuses it (a fork
// reporting another version), and a key refused later with the same error
// goes again as commands (see _copy.ts).
import type { ByteWriter } from "../codec/bytes.ts";
import type { Entry } from "../codec/types.ts";
import { encodeRedisDump } from "../codec/redis_dump.ts";
import { RedisReplyError } from "../net/errors.ts";
import { replyText } from "../net/reply.ts";
import type { RedisTarget } from "../net/target.ts";
import { keyHashSlot } from "../shard/routing.ts";
import { commandJob, type Encoder, restoreJob } from "./_migrate_encode.ts";

/** The encoder chosen, and its name for the stats. */
export interface ChosenEncoder {
  /** `"commands"`, or `"restore"` when collections and streams go as RESTORE. */
  payload: "commands" | "restore";
  /** The encoder. */
  encode: Encoder;
  /** The RDB version of the DUMP payloads (RESTORE only). */
  rdbVersion?: number;
  /** Strings go as `SET` (so the copy may write them straight from a store's arena). */
  stringsAsSet: boolean;
}

/** The command payload, always available. */
export const COMMAND_ENCODER: ChosenEncoder = {
  payload: "commands",
  stringsAsSet: true,
  encode: (e: Entry, replace: boolean, w: ByteWriter) => commandJob(e, replace, w),
};

/** The RESTORE payload at `rdbVersion` (strings still as SET unless `all`). */
export function restoreEncoder(rdbVersion: number, all = false): ChosenEncoder {
  return {
    payload: "restore",
    rdbVersion,
    stringsAsSet: !all,
    encode: (e: Entry, replace: boolean, w: ByteWriter) => {
      if (!all && e.value.type === "string") return commandJob(e, replace, w);
      // Hash field TTLs need RDB 12 (Redis 7.4): below that the key goes as commands,
      // whose HPEXPIREAT an older server refuses (counted as refused, never dropped).
      if (rdbVersion < 12 && hasFieldTtls(e)) return commandJob(e, replace, w);
      return restoreJob(e, encodeRedisDump(e.value, { rdbVersion }), replace, w);
    },
  };
}

/** True for a hash holding at least one field TTL. */
function hasFieldTtls(e: Entry): boolean {
  const v = e.value;
  return v.type === "hash" && v.fieldDeadlines !== undefined &&
    v.fieldDeadlines.some((d) => d !== null && d !== undefined);
}

/** The DUMP payload version a server of this `redis_version` reads (9 before 7.0 ... 12 from 7.4). */
export function rdbVersionFor(redisVersion: string): number | null {
  const m = /^(\d+)\.(\d+)/.exec(redisVersion);
  if (m === null) return null;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < 5) return null;
  if (major < 7) return 9;
  if (major === 7 && minor < 2) return 10;
  if (major === 7 && minor < 4) return 11;
  return 12;
}

/** True for the error a server gives a DUMP payload it cannot read. */
export function isPayloadRefused(e: RedisReplyError): boolean {
  return /DUMP payload version or checksum are wrong|Bad data format/i.test(e.reply);
}

/** The lowest `redis_version` over the masters. */
async function serverVersion(target: RedisTarget): Promise<string> {
  let lowest = "";
  for (const addr of target.masters) {
    const info = replyText(await (await target.connection(addr)).command(["INFO", "server"])) ?? "";
    const v = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? "";
    if (lowest === "" || compareVersions(v, lowest) < 0) lowest = v;
  }
  return lowest;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number), pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Picks the payload for `target`. */
export async function chooseEncoder(
  target: RedisTarget,
  prefer: "auto" | "commands" | "restore" = "auto",
): Promise<ChosenEncoder> {
  if (prefer === "commands") return COMMAND_ENCODER;
  const version = rdbVersionFor(await serverVersion(target));
  if (version === null) {
    if (prefer === "restore") {
      throw new RangeError("the target's version takes no DUMP payload we write");
    }
    return COMMAND_ENCODER;
  }
  // One probe per master: a list under a hash tag served by that master.
  const probe = encodeRedisDump({ type: "list", value: [new TextEncoder().encode("probe")] }, {
    rdbVersion: version,
  });
  for (const addr of target.masters) {
    const conn = await target.connection(addr);
    const key = probeKeyFor(target, addr);
    try {
      await conn.command(["RESTORE", key, "0", probe, "REPLACE"]);
      await conn.command(["DEL", key]);
    } catch (e) {
      if (e instanceof RedisReplyError && isPayloadRefused(e)) {
        if (prefer === "restore") throw e;
        return COMMAND_ENCODER;
      }
      throw e;
    }
  }
  return restoreEncoder(version, prefer === "restore");
}

/** A key that the master at `addr` serves (any key on a single server). */
function probeKeyFor(target: RedisTarget, addr: string): string {
  const enc = new TextEncoder();
  for (let i = 0; i < 100_000; i++) {
    const key = `kevy-persist:probe:{${i}}`;
    if (!target.isCluster || target.ownerOf(keyHashSlot(enc.encode(key))) === addr) return key;
  }
  throw new RangeError(`no probe key for ${addr}`);
}
