// Found by the simulation (tests/sim): openStore made its data dir with a plain mkdir, so a
// power cut after the first acknowledged writes could lose the whole new directory with them.
// Every directory it creates is now made durable (fsync of the directory holding it).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CrashFs } from "../../src/fs/crash.ts";
import { openStore } from "../../src/embedded/open.ts";

describe("a new data dir", () => {
  it("survives a power cut right after the first acknowledged write (nested dirs too)", async () => {
    for (const dir of ["/db", "/srv/data/db"]) {
      const fs = new CrashFs();
      const db = await openStore({ dir, appendfsync: "always", fs, activeExpireIntervalMs: 0 });
      await db.set("k", "v");
      for (const image of fs.crashImages(fs.ops.length)) {
        for (const e of image.readDirSync(dir)) {
          if (e.name.startsWith("kevy.lock")) image.removeSync(`${dir}/${e.name}`);
        }
        const again = await openStore({ dir, fs: image, activeExpireIntervalMs: 0 });
        assert.equal(await again.get("k"), "v", `${dir}, ${image.crashVariant}`);
        await again.close();
      }
      await db.close();
    }
  });
});

describe("a command logged as several frames (found by tests/sim)", () => {
  it("SET k v PX: every crash point keeps both frames or neither (never the value without its TTL)", async () => {
    const fs = new CrashFs();
    const db = await openStore({
      dir: "/db",
      appendfsync: "always",
      fs,
      clock: () => 1000,
      activeExpireIntervalMs: 0,
    });
    await db.set("k", "old");
    fs.checkpoint();
    await db.set("k", "new", { px: 5000 });
    for (let i = 0; i <= fs.ops.length; i++) {
      for (const image of fs.crashImages(i)) {
        for (const e of image.readDirSync("/db")) {
          if (e.name.startsWith("kevy.lock")) image.removeSync(`/db/${e.name}`);
        }
        const again = await openStore({
          dir: "/db",
          fs: image,
          clock: () => 1000,
          activeExpireIntervalMs: 0,
        });
        const got = `${await again.get("k")}/${await again.pttl("k")}`;
        await again.close();
        assert.ok(
          got === "old/-1" || got === "new/5000",
          `after op ${i} (${image.crashVariant}): ${got}`,
        );
      }
    }
    await db.close();
  });
});
