// Commands a fresh clone offers (after `npm ci`): every `deno task` goes
// through its npm script (deno task would run the npm-installed deno binary
// as JavaScript), every script points at a file that exists, and the
// benchmark's --help prints help instead of running and overwriting results.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { scriptCommand } from "../src/fs/spawn.ts";

const root = process.cwd();
const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

describe("tasks and scripts", () => {
  it("every deno.json task runs the npm script of the same name", () => {
    for (const [name, cmd] of Object.entries(denoJson.tasks as Record<string, string>)) {
      assert.equal(cmd, `npm run -s ${name} --`, `task ${name}`);
      assert.ok(pkg.scripts[name] !== undefined, `package.json has no script ${name}`);
    }
  });
  it("every npm script names files that exist", () => {
    for (const [name, cmd] of Object.entries(pkg.scripts as Record<string, string>)) {
      for (const word of cmd.split(/\s+/)) {
        if (/\.(ts|mjs|js)$/.test(word)) {
          assert.ok(existsSync(join(root, word)), `${name}: ${word}`);
        }
      }
    }
  });
  it("every `npm run X` and `deno task X` the docs and help texts show exists; every file they name too", () => {
    const texts = ["README.md", "CONTRIBUTING.md", "MIGRATING.md"].map((f) => ({
      f,
      text: readFileSync(join(root, f), "utf8"),
    }));
    const runs = texts.flatMap(({ f, text }) =>
      [...text.matchAll(/\b(npm run(?: -s)?|deno task) ([\w:-]+)/g)].map((m) => ({ f, m }))
    );
    assert.ok(runs.length >= 4, "the scan finds the README's commands");
    for (const { f, m } of runs) {
      const table = m[1]!.startsWith("npm") ? pkg.scripts : denoJson.tasks;
      assert.ok(table[m[2]!] !== undefined, `${f}: \`${m[0]}\` is not a script`);
    }
    // Repository paths in commands or code spans: `node bench/x.mjs`, `scripts/y.ts`, `tests/...`.
    for (const { f, text } of texts) {
      for (const m of text.matchAll(/\b(?:bench|scripts|tests|src)\/[\w./<>{}*-]*/g)) {
        // A pattern (`bench/results/migrate.*.json`, `tests/<area>/`) names no single file.
        if (/[<{*]/.test(m[0])) continue;
        const path = m[0].replace(/[./]+$/, "");
        assert.ok(existsSync(join(root, path)), `${f}: ${path} does not exist`);
      }
    }
  });
  it("bench/compare.ts --help prints its options and leaves bench/results alone", () => {
    const compiled = import.meta.url.endsWith(".js");
    if (compiled && !existsSync(join(root, "npm/esm/mod.js"))) {
      assert.fail("npm/ is not built: the Node run needs `npm run build:npm` first");
    }
    const results = join(root, "bench/results");
    const before = readdirSync(results).map((f) => [f, statSync(join(results, f)).mtimeMs]);
    const [cmd, ...args] = compiled
      ? [process.execPath, join(root, "bench/compare_node.mjs")]
      : scriptCommand(join(root, "bench/compare.ts"));
    const r = spawnSync(cmd!, [...args, "--help"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: .*bench\/compare\.ts/);
    assert.match(r.stdout, /--quick/);
    const after = readdirSync(results).map((f) => [f, statSync(join(results, f)).mtimeMs]);
    assert.deepEqual(after, before);
    const bad = spawnSync(cmd!, [...args, "--qiuck"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--qiuck/);
  });
});
