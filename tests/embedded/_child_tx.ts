// Child process for the transaction SIGKILL test. Opens the store (appendfsync "always", the
// given shard count, slot routing), reports what it found ("ready <json>"), then loops until
// killed, by mode:
// - "transfer": 4 concurrent loops of multi() moving an amount between two of 8 accounts
//   (created with 100 each) and counting it (INCR ops); prints "ack <ops reply>" once
//   acknowledged. The sum stays 800.
// - "cas": 4 concurrent atomic() compare-and-set increments of `counter`, each also RPUSHing
//   the value it set to `history` in the same transaction; prints "ack <value>".
// Usage: <runtime> _child_tx.(ts|js) <dir> <mode> <shards>
import process from "node:process";
import { say } from "../_child_io.ts";
import { openStore } from "../../src/embedded/open.ts";

const [dir, mode, shards] = process.argv.slice(-3) as [string, string, string];
const db = await openStore({
  dir,
  shards: Number(shards),
  routing: "slots",
  appendfsync: "always",
  activeExpireIntervalMs: 0,
});
const ACCOUNTS = Array.from({ length: 8 }, (_, i) => `acct:${i}`);
const balances = (await db.mget(...ACCOUNTS)).map((v) => v === null ? null : Number(v));
const ops = Number(await db.get("ops") ?? 0);
const counter = Number(await db.get("counter") ?? 0);
const log = (await db.lrange("history", 0, -1)).map(Number);
say(`ready ${JSON.stringify({ balances, ops, counter, log })}\n`);
if (mode === "transfer") {
  if (balances.every((b) => b === null)) {
    await db.mset(Object.fromEntries(ACCOUNTS.map((a) => [a, "100"])));
  }
  let op = ops;
  const task = async () => {
    for (;;) {
      op++;
      const from = ACCOUNTS[op % 8]!, to = ACCOUNTS[(op * 5 + 3) % 8]!;
      const r = await db.multi().decrby(from, op % 7 + 1).incrby(to, op % 7 + 1).incr("ops").exec();
      say(`ack ${r![2]}\n`);
    }
  };
  await Promise.all([task(), task(), task(), task()]);
} else {
  const task = async () => {
    for (;;) {
      const r = await db.atomic(async (tx) => {
        await tx.watch("counter");
        const n = Number(await tx.get("counter") ?? 0) + 1;
        return tx.multi().set("counter", String(n)).rpush("history", String(n));
      }, { attempts: 1000 });
      say(`ack ${r![1]}\n`);
    }
  };
  await Promise.all([task(), task(), task(), task()]);
}
