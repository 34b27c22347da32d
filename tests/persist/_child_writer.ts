// Child process for the kill -9 test: appends `RPUSH log <i>` with fsync
// "always" (4 in flight at a time), saving or rewriting every 40 writes,
// and prints "ack <i>" once a write is acknowledged. Runs until killed.
// Usage: <runtime> _child_writer.(ts|js) <dir>
import process from "node:process";
import { say } from "../_child_io.ts";
import { ShardFiles } from "../../src/persist/shard_files.ts";
import { applyCommand } from "../../src/store/apply.ts";

const dir = process.argv[process.argv.length - 1]!;
const enc = new TextEncoder();
const shard = await ShardFiles.open({
  snapshotPath: `${dir}/dump-0.rdb`,
  aofPath: `${dir}/aof-0.aof`,
  fsync: "always",
});
const existing = shard.store.lookup(enc.encode("log"));
let next = existing === null ? 0 : (existing as { length: number }).length;
say(`ready ${next}\n`);
for (let round = 0;; round++) {
  const batch: Promise<number>[] = [];
  for (let j = 0; j < 4; j++) {
    const i = next++;
    const argv = [enc.encode("RPUSH"), enc.encode("log"), enc.encode(String(i))];
    applyCommand(shard.store, argv);
    batch.push(shard.aof.append(argv).then(() => i));
  }
  if (round % 10 === 9) {
    batch.push((round % 20 === 9 ? shard.save() : shard.rewrite()).then(() => -1));
  }
  for (const i of await Promise.all(batch)) if (i >= 0) say(`ack ${i}\n`);
}
