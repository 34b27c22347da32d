// Recovery of a split write left open at the tail of KEVYAOF2 logs (every part there): the
// EXEC it appends is a checksummed v2 record like every other record of that log, so the
// log stays valid for the next open and for kevy 5.4.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/embedded/open.ts";
import { encodeRecord } from "../../src/codec/aof2.ts";
import { groupBegin, groupEnd } from "../../src/codec/group.ts";
import { shardIndex } from "../../src/shard/routing.ts";
import { tempDir, utf8 } from "../_helpers.ts";

function keyOn(shard: number): string {
  for (let i = 0;; i++) if (shardIndex(utf8(`g${i}`), 2, "kevyhash") === shard) return `g${i}`;
}

function endsWith(bytes: Uint8Array, tail: Uint8Array): boolean {
  const at = bytes.length - tail.length;
  return at >= 0 && tail.every((b, i) => bytes[at + i] === b);
}

describe("a split write open at the tail of KEVYAOF2 logs", () => {
  it("is completed with an EXEC record in the v2 format; reopened twice, both keys", async () => {
    const dir = join(tempDir("kevy-groups-v2-"), "data");
    const opts = { dir, shards: 2, aofFormat: 2 as const, appendfsync: "always" as const };
    const db = await openStore(opts);
    await db.set("base", "1");
    await db.close();
    const keys = [keyOn(0), keyOn(1)];
    for (const s of [0, 1]) {
      const log = join(dir, `aof-${s}.aof`);
      assert.equal(new TextDecoder().decode(readFileSync(log).subarray(0, 9)), "KEVYAOF2\n");
      appendFileSync(log, encodeRecord(groupBegin("crashed.1", [0, 1], 1)));
      appendFileSync(log, encodeRecord(["SET", keys[s]!, "v"]));
    }
    for (const n of readdirSync(dir)) if (n.startsWith("kevy.lock")) rmSync(join(dir, n));
    const again = await openStore(opts);
    assert.deepEqual(await again.mget(...keys, "base"), ["v", "v", "1"]);
    await again.close();
    for (const s of [0, 1]) {
      const log = readFileSync(join(dir, `aof-${s}.aof`));
      assert.ok(endsWith(log, encodeRecord(groupEnd("crashed.1"))), `aof-${s}: a v2 EXEC record`);
    }
    const third = await openStore(opts);
    assert.deepEqual(await third.mget(...keys, "base"), ["v", "v", "1"]);
    await third.close();
  });
});
