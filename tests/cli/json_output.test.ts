// Under --json every command's report on stdout is JSON (dump: one JSON
// object per line) and stderr stays quiet; every registered command has a
// case here, so a new command cannot ship without one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { fixturePath, tempDir } from "../_helpers.ts";
import { cli } from "./_cli.ts";
import { COMMANDS } from "../../src/cli/_commands.ts";

const NOW = 1767225600000; // 2026-01-01, before every vector deadline
const vec = (p: string) => fixturePath(`vectors/${p}`);

function copyTo(dir: string, rel: string): string {
  const dst = join(dir, rel.split("/").pop()!);
  cpSync(vec(rel), dst, { recursive: true });
  return dst;
}

/** Per command: argv (built in a fresh temp dir) and what the JSON must hold. */
const CASES: Record<string, (dir: string) => { argv: string[]; lines?: true; has: string[] }> = {
  inspect: () => ({ argv: ["inspect", vec("snapshot/mixed.rdb")], has: ["kind"] }),
  check: () => ({ argv: ["check", vec("aof/basic.aof")], has: ["sound", "problems"] }),
  repair: (d) => ({
    argv: ["repair", copyTo(d, "aof/torn_tail.aof")],
    has: ["action", "offset", "savedTo"],
  }),
  dump: () => ({ argv: ["dump", vec("aof/basic.aof")], lines: true, has: ["key", "type"] }),
  convert: (d) => ({
    argv: ["convert", vec("aof/basic.aof"), join(d, "x.rdb"), "--to", "kevy-snapshot"],
    has: ["to", "keys"],
  }),
  reshard: (d) => {
    cpSync(vec("reshard/kevyhash_4to2/before"), join(d, "data"), { recursive: true });
    return { argv: ["reshard", join(d, "data"), "--shards", "2"], has: ["action", "keys"] };
  },
  // An unreachable target: the report is the JSON error on stderr (exit 4), stdout stays empty.
  migrate: (d) => ({
    argv: ["migrate", copyTo(d, "aof/basic.aof"), "--to", "redis://127.0.0.1:1"],
    has: [],
  }),
  bench: () => ({ argv: ["bench", "--keys", "500"], has: ["n", "results"] }),
};

describe("kevy-persist --json", () => {
  it("every command has a case", () => {
    assert.deepEqual(COMMANDS.map((c) => c.name).sort(), Object.keys(CASES).sort());
  });
  for (const c of COMMANDS) {
    it(`${c.name} --json prints JSON`, async () => {
      const { argv, lines, has } = CASES[c.name]!(tempDir("kevy-cli-json-"));
      const r = await cli([...argv, "--json"], { now: NOW });
      if (c.name === "migrate") {
        assert.equal(r.code, 4, r.err);
        assert.equal(r.out, "");
        const { error } = JSON.parse(r.err);
        assert.equal(error.kind, "target");
        assert.equal(error.exitCode, 4);
        return;
      }
      assert.equal(r.code, 0, r.err);
      const docs = lines ? r.out.trim().split("\n").map((l) => JSON.parse(l)) : [JSON.parse(r.out)];
      assert.ok(docs.length > 0);
      for (const k of has) assert.ok(k in docs[0], `${c.name}: ${k} in ${r.out.slice(0, 200)}`);
    });
  }
});
