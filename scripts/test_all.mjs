// `npm test`: one suite, three runtimes, plus the static checks.
// Runs every step even after a failure, prints each runner's pass/fail
// counts, and exits non-zero if anything failed.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const bin = (name) => join(process.cwd(), "node_modules", ".bin", name);
const results = [];

function run(label, cmd, args, parse) {
  const started = Date.now();
  console.log(`\n=== ${label}: ${[cmd.split("/").pop(), ...args].join(" ")}`);
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    maxBuffer: 256 * 1024 * 1024,
  });
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  process.stdout.write(out);
  const counts = parse ? parse(out) : null;
  const ok = r.status === 0 && (!counts || (counts.failed === 0 && counts.passed > 0));
  results.push({ label, ok, counts, secs: ((Date.now() - started) / 1000).toFixed(1) });
  return ok;
}

const num = (re, s) => {
  const m = s.match(re);
  return m ? Number(m[1]) : 0;
};
const lastMatch = (re, s) => {
  const all = [...s.matchAll(re)];
  return all.length ? Number(all[all.length - 1][1]) : 0;
};
// Deno counts top-level tests and their steps (describe/it) separately.
const denoCounts = (s) => ({
  passed: lastMatch(/(\d+) passed/g, s),
  steps: lastMatch(/passed \((\d+) steps?\)/g, s),
  failed: lastMatch(/(\d+) failed/g, s) + lastMatch(/failed \((\d+) steps?\)/g, s),
  skipped: lastMatch(/(\d+) ignored/g, s),
});
const bunCounts = (s) => ({
  passed: num(/^\s*(\d+) pass$/m, s),
  failed: num(/^\s*(\d+) fail$/m, s),
  skipped: num(/^\s*(\d+) skip$/m, s),
});
const nodeCounts = (s) => ({
  passed: num(/^# pass (\d+)$/m, s),
  failed: num(/^# fail (\d+)$/m, s),
  skipped: num(/^# skipped (\d+)$/m, s),
});

const deno = bin("deno");
const bun = bin("bun");
if (!existsSync(deno) || !existsSync(bun)) {
  console.error("node_modules/.bin/deno or bun is missing: run `npm ci` first.");
  process.exit(2);
}

run("deno fmt --check", deno, ["fmt", "--check"]);
run("deno lint", deno, ["lint"]);
run("deno check", deno, ["check", "mod.ts", "src/", "tests/", "bench/", "scripts/"]);
// Every public module, as listed in deno.json exports.
const modules = Object.values(JSON.parse(readFileSync("deno.json", "utf8")).exports);
run("deno doc --lint", deno, ["doc", "--lint", ...modules]);
run("deno check --doc-only", deno, ["check", "--doc-only", ...modules, "src/", "README.md"]);
// Every example type-checked and run in a temp dir, errors as source file:line.
run("doc examples", deno, ["run", "-A", "scripts/check_examples.ts"]);
run("deno publish --dry-run", deno, ["publish", "--dry-run", "--allow-dirty"]);
run("deno test", deno, ["test", "-A", "tests/"], denoCounts);
run("bun test", bun, ["test", "./tests/"], bunCounts);
if (run("npm build (tsc 6)", deno, ["run", "-A", "scripts/build_npm.ts", "--tests"])) {
  run("npm pack + bin smoke", process.execPath, ["scripts/check_npm_pack.mjs"]);
  run("node --test (npm build)", process.execPath, [
    "--test",
    "--test-reporter=tap",
    ".node-tests/tests/",
  ], nodeCounts);
} else {
  results.push({ label: "node --test (npm build)", ok: false, counts: null, secs: "0" });
}

console.log("\n=== summary");
for (const r of results) {
  const c = r.counts
    ? `  passed ${r.counts.passed}${
      r.counts.steps ? ` (${r.counts.steps} steps)` : ""
    }, failed ${r.counts.failed}, skipped ${r.counts.skipped}`
    : "";
  console.log(`${r.ok ? "ok  " : "FAIL"}  ${r.label.padEnd(26)} ${r.secs.padStart(6)}s${c}`);
}
const failed = results.filter((r) => !r.ok);
console.log(failed.length === 0 ? "\nall green" : `\n${failed.length} step(s) failed`);
process.exit(failed.length === 0 ? 0 : 1);
