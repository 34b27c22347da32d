// Child process for the kill -9 test: appends `RPUSH log <i>` with fsync
// "always" (4 in flight at a time), saving or rewriting every 40 writes,
// and prints "ack <i>" once a write is acknowledged. Runs until killed.
// Usage: <runtime> _child_writer.(ts|js) <dir>
import process from "node:process";
import { writeSync } from "node:fs";
import { ShardFiles } from "../../src/persist/shard_files.ts";
import { applyCommand } from "../../src/store/apply.ts";

// Reports go out with a synchronous write: an "ack" printed is in the pipe before the next
// operation starts, so a SIGKILL can't lose it (Node queues process.stdout writes to a pipe
// in the process while a write is pending, and the kill drops that queue).
function say(text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(1, bytes, off);
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN") throw e; // a non-blocking pipe, full: again
    }
  }
}

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
