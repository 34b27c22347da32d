// Function libraries (FUNCTION LOAD data, kept as code) survive what replaces
// the AOF: a snapshot has no place for them, so the log a save or a rewrite
// leaves behind carries one FUNCTION LOAD REPLACE per library (both log
// formats), and a deleted library stays deleted.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";

const LIB = (name: string) =>
  `#!lua name=${name}\nredis.register_function('${name}_f', function() return 1 end)`;

/** True when the store holds library `name` (a second LOAD without REPLACE is refused). */
async function holds(db: Awaited<ReturnType<typeof openStore>>, name: string): Promise<boolean> {
  try {
    await db.command(["FUNCTION", "LOAD", LIB(name)]);
    await db.command(["FUNCTION", "DELETE", name]); // undo the probe
    return false;
  } catch (e) {
    assert.match(String(e), /already exists/);
    return true;
  }
}

describe("function libraries across saves and rewrites", () => {
  for (const aofFormat of [1, 2] as const) {
    it(`survive save() and rewriteAof() (KEVYAOF${aofFormat}); a deleted one stays gone`, async () => {
      const dir = tempDir("kevy-functions-");
      const open = () => openStore({ dir, aofFormat, appendfsync: "always" });
      let db = await open();
      await db.command(["FUNCTION", "LOAD", LIB("keep")]);
      await db.command(["FUNCTION", "LOAD", LIB("drop")]);
      await db.command(["SET", "k", "v"]);
      await db.save();
      await db.close();
      db = await open();
      assert.equal(await holds(db, "keep"), true, "after save");
      assert.equal(await holds(db, "drop"), true, "after save");
      await db.command(["FUNCTION", "DELETE", "drop"]);
      await db.rewriteAof();
      await db.close();
      db = await open();
      try {
        assert.equal(await holds(db, "keep"), true, "after rewrite");
        assert.equal(await holds(db, "drop"), false, "deleted before the rewrite");
        assert.equal(await db.get("k"), "v");
      } finally {
        await db.close();
      }
    });
  }
});
