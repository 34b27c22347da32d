// The demo's child writer: opens the store with appendfsync=always and
// writes until it is killed, printing "ack <i>" after each acknowledged
// write. Every acknowledged write must survive the SIGKILL.
import process from "node:process";
import { openStore } from "../embedded/open.ts";

const dir = process.argv[process.argv.length - 1]!;
const store = await openStore({ dir, shards: 4, appendfsync: "always" });
process.stdout.write("ready\n");
for (let i = 0;; i++) {
  // Several writers in flight share one fdatasync (group commit).
  await Promise.all([
    store.set(`ack:${i}`, `value-${i}`),
    store.incr("ack:counter"),
    store.rpush("ack:log", String(i)),
  ]);
  process.stdout.write(`ack ${i}\n`);
}
