// Child process for the closeOnExit test: opens a store with { closeOnExit: true } (and
// appendfsync "everysec", so writes wait in buffers), writes `set k<i> v<i>` for i < 200,
// prints "ready", then by mode: "signal" stays alive until a signal comes, "drain" lets the
// event loop run dry, "exit" calls process.exit(0), "listen" handles SIGTERM itself too
// (prints "own handler" and exits 7 once the store is closed).
// Usage: <runtime> _child_exit.(ts|js) <dir> <mode>
import process from "node:process";
import { openStore } from "../../src/embedded/open.ts";

const [dir, mode] = process.argv.slice(-2) as [string, string];
const db = await openStore({ dir, closeOnExit: true, appendfsync: "everysec" });
for (let i = 0; i < 200; i++) await db.set(`k${i}`, `v${i}`);
if (mode === "listen") {
  process.on("SIGTERM", () => {
    const wait = setInterval(() => {
      if (!db.closed) return;
      clearInterval(wait);
      process.stdout.write("own handler\n");
      process.exit(7);
    }, 5);
  });
}
process.stdout.write("ready\n");
if (mode === "signal" || mode === "listen") setInterval(() => {}, 60_000);
else if (mode === "exit") process.exit(0);
