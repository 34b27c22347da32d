// Child process for the layout SIGKILL test: opens the store at the shard count and routing
// it is given (a re-shard whenever the dir was written with another one), reports what it
// found ("ready <json>"), then loops until killed: 8 concurrent `RPUSH l:<op % 16> <op>`
// under appendfsync "always" (printing "ack <op>" once acknowledged), then, by mode, a
// save(), a rewriteAof(), or a close and reopen at the next shard count (a re-shard),
// bracketed by "begin" and "end <ms>".
// Usage: <runtime> _child_store.(ts|js) <dir> <mode> <shards> <routing>
import process from "node:process";
import { say } from "../_child_io.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { Routing } from "../../src/codec/routing_types.ts";

const [dir, mode, shardsText, routingText] = process.argv.slice(-4) as [
  string,
  string,
  string,
  string,
];
let shards = Number(shardsText);
let routing = routingText as Routing;
const LISTS = 16;

async function open(): Promise<KevyStore> {
  return await openStore({
    dir,
    shards,
    routing,
    appendfsync: "always",
    activeExpireIntervalMs: 0,
  });
}

let db = await open();
const lists: string[][] = [];
let next = 0;
for (let j = 0; j < LISTS; j++) {
  const items = await db.lrange(`l:${j}`, 0, -1);
  lists.push(items);
  for (const x of items) next = Math.max(next, Number(x) + 1);
}
const GROUP = Array.from({ length: 16 }, (_, i) => `g:${i}`);
const group = await db.mget(...GROUP);
say(`ready ${JSON.stringify({ dbsize: await db.dbsize(), lists, group })}\n`);
if (mode === "mset") {
  // One MSET of 16 keys spread over every shard per op: all or nothing after a kill.
  for (let op = Number(group[0] ?? -1) + 1;; op++) {
    say("begin\n");
    const t0 = performance.now();
    await db.mset(Object.fromEntries(GROUP.map((k) => [k, String(op)])));
    say(`ack ${op}\nend ${(performance.now() - t0).toFixed(2)}\n`);
  }
}
for (;;) {
  const batch: Promise<number>[] = [];
  for (let k = 0; k < 8; k++) {
    const op = next++;
    batch.push(db.rpush(`l:${op % LISTS}`, String(op)).then(() => op));
  }
  say((await Promise.all(batch)).map((op) => `ack ${op}\n`).join(""));
  if (mode === "reshard") {
    await db.close();
    shards = (shards % 4) + 1;
    routing = routing === "slots" ? "kevyhash" : "slots";
  }
  // "begin" / "end <ms>" bracket the operation, so the parent can aim its kill inside it.
  say("begin\n");
  const t0 = performance.now();
  if (mode === "save") await db.save();
  else if (mode === "rewrite") await db.rewriteAof();
  else db = await open();
  say(`end ${(performance.now() - t0).toFixed(2)}\n`);
}
