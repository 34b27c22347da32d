/**
 * RESTORE (and RESTORE-ASKING, its cluster twin) of a DUMP payload, with
 * REPLACE, ABSTTL, IDLETIME and FREQ (the last two are validated; LRU/LFU
 * are not tracked here). The payload's 2-byte RDB version and CRC-64 are
 * checked as Redis does, then the value is decoded by the RDB codec. One
 * deliberate difference: payloads of RDB versions 11 and 12 (Redis 7.2+) are
 * accepted, where Redis 7.0 refuses them.
 *
 * @module
 */

import { Crc64 } from "../codec/crc64.ts";
import { decodeRedisDump } from "../codec/redis_dump.ts";
import { argI64, type Ctx, fail, type Reply, SYNTAX, upper } from "./_apply_common.ts";
import type { CommandSpec } from "./_command.ts";

const VERSION_OR_CRC = "ERR DUMP payload version or checksum are wrong";

function restore(c: Ctx, a: Uint8Array[]): Reply {
  let replace = false, absTtl = false, idle = -1, freq = -1;
  for (let j = 4; j < a.length; j++) {
    const o = upper(a[j]!);
    const more = j + 1 < a.length;
    if (o === "REPLACE") replace = true;
    else if (o === "ABSTTL") absTtl = true;
    else if (o === "IDLETIME" && more && freq === -1) {
      idle = Number(argI64(a[++j]!));
      if (idle < 0) fail("ERR Invalid IDLETIME value, must be >= 0");
    } else if (o === "FREQ" && more && idle === -1) {
      freq = Number(argI64(a[++j]!));
      if (freq < 0 || freq > 255) fail("ERR Invalid FREQ value, must be >= 0 and <= 255");
    } else fail(SYNTAX);
  }
  const key = a[1]!;
  const { store } = c;
  if (!replace && store.has(key)) fail("BUSYKEY Target key name already exists.");
  const ttl = Number(argI64(a[2]!));
  if (ttl < 0) fail("ERR Invalid TTL value, must be >= 0");
  const p = a[3]!;
  const n = p.length;
  if (n < 10) fail(VERSION_OR_CRC);
  const version = p[n - 10]! | (p[n - 9]! << 8);
  if (version > 12 || !new Crc64().update(p, 0, n - 8).equalsLE(p, n - 8)) fail(VERSION_OR_CRC);
  let value;
  try {
    value = decodeRedisDump(p, { verifyChecksum: false }).value;
  } catch {
    return fail("ERR Bad data format");
  }
  if (replace) store.delete(key);
  const deadline = ttl === 0 ? null : absTtl ? ttl : store.now() + ttl;
  // Already expired: nothing is created (the old key, if replaced, is gone).
  if (deadline !== null && deadline <= store.now()) return "OK";
  store.put({ key: key.slice(), value, deadline });
  return "OK";
}

const row = (name: string): CommandSpec => ({
  name,
  arity: -4,
  flags: "write denyoom",
  keys: [{ first: 1, last: 1, step: 1 }],
  fn: restore,
});

/** RESTORE rows (the embedded store logs the key's resulting state). */
export const RESTORE_COMMANDS: CommandSpec[] = [row("restore"), row("restore-asking")];
