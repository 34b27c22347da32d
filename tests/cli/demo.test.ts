import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { tempDir } from "../_helpers.ts";
import { scriptCommand } from "../../src/fs/spawn.ts";

// Under Node this test runs from the compiled tests against the npm build.
const compiled = import.meta.url.endsWith(".js");
const demo = join(process.cwd(), compiled ? "npm/esm/src/cli/demo.js" : "src/cli/demo.ts");

function runDemo(dir: string): { status: number | null; out: string } {
  const [cmd, ...args] = scriptCommand(demo);
  const r = spawnSync(cmd!, [...args, "--dir", dir], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, out: (r.stdout ?? "") + (r.stderr ?? "") };
}

describe("the demo", () => {
  it("survives a SIGKILLed writer, verifies every acknowledged write, re-shards 4 -> 2", {
    timeout: 120_000,
  }, () => {
    const dir = join(tempDir(), "kevy-data");
    const first = runDemo(dir);
    assert.equal(first.status, 0, first.out);
    assert.match(first.out, /created .*kevy-data/);
    assert.match(first.out, /verification\s+OK: all \d+ acknowledged writes present/);
    assert.match(first.out, /re-shard 4 -> 2 at open\s+\d+ ms, keyspace identical/);
    assert.ok(existsSync(join(dir, "shards.meta")));
    assert.ok(readdirSync(dir).some((n) => n.includes(".premigration.")));
    // It can be run again: it says it resets its own dir.
    const second = runDemo(dir);
    assert.equal(second.status, 0, second.out);
    assert.match(second.out, /reset .*kevy-data/);
  });
  it("refuses a non-empty dir it did not create", () => {
    const dir = tempDir();
    const file = join(dir, "precious.txt");
    writeFileSync(file, "keep");
    const out = runDemo(dir);
    assert.notEqual(out.status, 0);
    assert.match(out.out, /not empty and was not made by the demo/);
    assert.ok(existsSync(file));
  });
});
