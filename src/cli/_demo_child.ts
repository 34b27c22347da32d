// The demo's child writer: opens the store with appendfsync=always and
// writes until it is killed, printing "ack <i>" after each acknowledged
// write. Every acknowledged write must survive the SIGKILL.
import { processArgs, processTerminal } from "../fs/terminal.ts";
import { openStore } from "../embedded/open.ts";

const argv = processArgs();
const dir = argv[argv.length - 1]!;
const term = processTerminal();
const store = await openStore({ dir, shards: 4, appendfsync: "always" });
await term.write("ready\n");
for (let i = 0;; i++) {
  // Several writers in flight share one fdatasync (group commit).
  await Promise.all([
    store.set(`ack:${i}`, `value-${i}`),
    store.incr("ack:counter"),
    store.rpush("ack:log", String(i)),
  ]);
  await term.write(`ack ${i}\n`);
}
