import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeCommand } from "../../src/codec/resp.ts";
import { replayRedisAof } from "../../src/redis/mod.ts";
import { DroppedTransactionError, UnknownCommandError } from "../../src/persist/mod.ts";
import { CommandApplier, dumpKeyspace, Store } from "../../src/store/mod.ts";
import { unhex } from "../_helpers.ts";
import { aofDir, cat } from "./_aof_dirs.ts";

// A Redis AOF with a verb we cannot apply, inside a transaction: never a
// silent loss of the transaction.

const FRAMES = [
  encodeCommand(["SELECT", "0"]),
  encodeCommand(["SET", "before", "1"]),
  encodeCommand(["MULTI"]),
  encodeCommand(["SET", "tx:a", "1"]),
  encodeCommand(["NOSUCHVERB", "tx:s", "*", "f", "v"]),
  encodeCommand(["INCR", "tx:n"]),
  encodeCommand(["EXEC"]),
  encodeCommand(["SET", "after", "1"]),
];
const INCR = cat(...FRAMES);
const AT = FRAMES.slice(0, 4).reduce((n, f) => n + f.length, 0);
const EXEC_AT = FRAMES.slice(0, 6).reduce((n, f) => n + f.length, 0);

function dbs(mode: "error" | "skip" = "error") {
  const map = new Map<number, Store>();
  const ap = new CommandApplier((n) => {
    if (!map.has(n)) map.set(n, new Store({ now: () => 0 }));
    return map.get(n)!;
  }, { onUnknown: mode });
  const keys = () => dumpKeyspace(map.get(0)!).map((k) => new TextDecoder().decode(unhex(k.key)));
  return { ap, keys };
}

describe("replayRedisAof: unknown verbs", () => {
  it("refuses by default at the verb's own offset, inside the transaction", async () => {
    const dir = aofDir([INCR]);
    const { ap, keys } = dbs();
    await assert.rejects(
      replayRedisAof(dir, (a) => ap.apply(a)),
      (e) =>
        e instanceof UnknownCommandError && e.verb === "nosuchverb" && e.offset === AT &&
        e.path === join(dir, "appendonly.aof.1.incr.aof"),
    );
    assert.deepEqual(keys(), ["before"]);
  });

  it('onUnknown: "skip" with a skipping applier keeps the rest of the transaction', async () => {
    const { ap, keys } = dbs("skip");
    const stats = await replayRedisAof(aofDir([INCR]), (a) => ap.apply(a), { onUnknown: "skip" });
    assert.deepEqual(stats.skipped, { nosuchverb: 1 });
    assert.deepEqual(keys().sort(), ["after", "before", "tx:a", "tx:n"]);
  });

  it("a transaction the applier aborts is a DroppedTransactionError, never a silent drop", async () => {
    const dir = aofDir([INCR]);
    const { ap } = dbs("error"); // a client-session applier: the unknown verb aborts EXEC
    await assert.rejects(
      replayRedisAof(dir, (a) => ap.apply(a), { onUnknown: "skip" }),
      (e) => e instanceof DroppedTransactionError && e.offset === EXEC_AT,
    );
  });
});
