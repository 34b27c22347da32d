// A blocked XREAD / XREADGROUP and XSETID, against redis-server 7: moving a stream's last id
// past the reader's (XSETID) serves nobody — Redis only wakes stream readers for a new
// entry (XADD), so the reader stays blocked and the next XADD serves it. The embedded store
// does the same; both sides are checked in the same script.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import { oracleSkip } from "../redis/_oracle.ts";
import { RedisServer } from "../redis/_redis_server.ts";
import { type RedisReply, RespClient } from "../redis/_resp_client.ts";
import { testClock } from "./_embedded_helpers.ts";

const skip = oracleSkip("tests/embedded/streams_block_setid.test.ts");
const dec = new TextDecoder();
const plain = (r: unknown): unknown =>
  r instanceof Uint8Array ? dec.decode(r) : Array.isArray(r) ? r.map(plain) : r;

/** The two ways to block: a plain reader at `$`, a group reader at `>`. */
const READS: Array<[name: string, setup: string[][], read: string[]]> = [
  ["XREAD $", [["XADD", "s", "1-1", "f", "a"]], ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]],
  [
    "XREADGROUP >",
    [["XADD", "s", "1-1", "f", "a"], ["XGROUP", "CREATE", "s", "g", "$"]],
    ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"],
  ],
];

/** What the reader saw: still blocked after XSETID, then the reply the next XADD gave it. */
interface Seen {
  blockedAfterSetid: boolean;
  reply: unknown;
}

async function onRedis(port: number, setup: string[][], read: string[]): Promise<Seen> {
  const reader = await RespClient.connect(port);
  const writer = await RespClient.connect(port);
  try {
    await writer.call("FLUSHALL");
    for (const c of setup) await writer.call(...c);
    const blocked = async (): Promise<number> => {
      const info = dec.decode((await writer.call("INFO", "clients")) as Uint8Array);
      return Number(/blocked_clients:(\d+)/.exec(info)![1]);
    };
    const reply = reader.call(...read);
    for (let n = 0; (await blocked()) === 0; n++) {
      assert.ok(n < 1000, "the reader never blocked");
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(plain(await writer.call("XSETID", "s", "9-0")), "OK");
    // Redis serves blocked readers before it reads the next command: a reader XSETID had
    // woken would no longer be counted here.
    const blockedAfterSetid = (await blocked()) === 1;
    await writer.call("XADD", "s", "10-1", "f", "b");
    return { blockedAfterSetid, reply: plain(await reply as RedisReply) };
  } finally {
    await reader.close();
    await writer.close();
  }
}

async function onKevy(setup: string[][], read: string[]): Promise<Seen> {
  const db: KevyStore = await openStore({ clock: testClock().now, activeExpireIntervalMs: 0 });
  try {
    for (const c of setup) await db.command(c);
    let settled = false;
    const reply = db.command(read).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(settled, false, "the reader blocked");
    assert.equal(await db.command(["XSETID", "s", "9-0"]), "OK");
    await new Promise((r) => setTimeout(r, 0)); // a wake-up would have been served by now
    const blockedAfterSetid = !settled;
    await db.command(["XADD", "s", "10-1", "f", "b"]);
    return { blockedAfterSetid, reply: plain(await reply) };
  } finally {
    await db.close();
  }
}

describe("a blocked stream reader and XSETID, against redis-server", { skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ aof: false });
  });
  after(async () => {
    await server?.stop();
  });

  for (const [name, setup, read] of READS) {
    it(`${name}: XSETID past the reader's id serves nobody; the next XADD does`, {
      timeout: 60_000,
    }, async () => {
      const redis = await onRedis(server.port, setup, read);
      assert.deepEqual(redis, { blockedAfterSetid: true, reply: [["s", [["10-1", ["f", "b"]]]]] });
      assert.deepEqual(await onKevy(setup, read), redis);
    });
  }
});
