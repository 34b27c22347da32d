// `npm test`: one suite, three runtimes, plus the static checks.
// Runs every step even after a failure, prints each runner's pass/fail
// counts, and exits non-zero if anything failed. Three lanes: Deno checks then
// `deno test`; `bun test`; the npm build then Node. They run one after the
// other (CI: the least contention for the crash, SIGKILL and live-server
// tests), or at once with KEVY_TEST_PARALLEL=1 (a quicker full run while
// developing). Each step's output is printed whole when it ends.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const bin = (name) => join(process.cwd(), "node_modules", ".bin", name);

const results = new Map();

/** Runs one step; resolves to whether it passed. Output is printed whole when it ends. */
function run(label, cmd, args, parse) {
  const started = Date.now();
  const slot = { label, ok: false, counts: null, secs: "0" };
  results.set(label, slot);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    const chunks = [];
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
    const done = (status) => {
      const out = Buffer.concat(chunks).toString("utf8");
      process.stdout.write(`\n=== ${label}: ${[cmd.split("/").pop(), ...args].join(" ")}\n${out}`);
      const counts = parse ? parse(out) : null;
      slot.ok = status === 0 && (!counts || (counts.failed === 0 && counts.passed > 0));
      slot.counts = counts;
      slot.failures = failuresIn(out);
      slot.secs = ((Date.now() - started) / 1000).toFixed(1);
      resolve(slot.ok);
    };
    child.on("error", (e) => {
      chunks.push(Buffer.from(String(e)));
      done(-1);
    });
    child.on("close", (code) => done(code));
  });
}

// The names of failed tests, in each runner's words, so the summary (the end
// of the log, which is what a CI page shows) says which test failed.
function failuresIn(out) {
  // deno test: the "FAILURES" section lists "name => file:line"
  const plain = out.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
  const names = [];
  const denoSection = plain.lastIndexOf(" FAILURES ");
  if (denoSection >= 0) {
    for (const line of plain.slice(denoSection).split("\n")) {
      if (line.includes(" => ")) names.push(line.trim());
    }
  }
  // bun test: "(fail) suite > name [12.00ms]"
  for (const m of plain.matchAll(/^\(fail\) (.*)$/gm)) names.push(m[1].trim());
  // node --test (TAP): "not ok 3 - name" at any depth
  for (const m of plain.matchAll(/^\s*not ok \d+ - (.*)$/gm)) names.push(m[1].trim());
  return [...new Set(names)];
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

// Every public module, as listed in deno.json exports.
const modules = Object.values(JSON.parse(readFileSync("deno.json", "utf8")).exports);
// Summary order: declared here, whatever order the lanes finish in.
for (
  const label of [
    "deno fmt --check",
    "deno lint",
    "deno check",
    "deno doc --lint",
    "deno check --doc-only",
    "doc examples",
    "deno publish --dry-run",
    "deno test",
    "bun test",
    "npm build (tsc 6)",
    "npm pack + bin smoke",
    "node --test (npm build)",
  ]
) results.set(label, { label, ok: false, counts: null, secs: "-" });

const denoLane = async () => {
  await run("deno fmt --check", deno, ["fmt", "--check"]);
  await run("deno lint", deno, ["lint"]);
  await run("deno check", deno, ["check", "mod.ts", "src/", "tests/", "bench/", "scripts/"]);
  await run("deno doc --lint", deno, ["doc", "--lint", ...modules]);
  await run("deno check --doc-only", deno, [
    "check",
    "--doc-only",
    ...modules,
    "src/",
    "README.md",
  ]);
  // Every example type-checked and run in a temp dir, errors as source file:line.
  await run("doc examples", deno, ["run", "-A", "scripts/check_examples.ts"]);
  await run("deno publish --dry-run", deno, ["publish", "--dry-run", "--allow-dirty"]);
  await run("deno test", deno, ["test", "-A", "tests/"], denoCounts);
};
// Bun stops a test after 5 s by default; the crash, SIGKILL and live-server tests legitimately
// take longer on a loaded 2-core machine (their own limits are set per test).
const bunLane = () => run("bun test", bun, ["test", "--timeout", "120000", "./tests/"], bunCounts);
const nodeLane = async () => {
  if (!await run("npm build (tsc 6)", deno, ["run", "-A", "scripts/build_npm.ts", "--tests"])) {
    return;
  }
  await run("npm pack + bin smoke", process.execPath, ["scripts/check_npm_pack.mjs"]);
  await run("node --test (npm build)", process.execPath, [
    "--test",
    "--test-reporter=tap",
    ".node-tests/tests/",
  ], nodeCounts);
};
if (process.env.KEVY_TEST_PARALLEL === "1") await Promise.all([denoLane(), bunLane(), nodeLane()]);
else {
  await denoLane();
  await bunLane();
  await nodeLane();
}

console.log("\n=== summary");
for (const r of results.values()) {
  const c = r.counts
    ? `  passed ${r.counts.passed}${
      r.counts.steps ? ` (${r.counts.steps} steps)` : ""
    }, failed ${r.counts.failed}, skipped ${r.counts.skipped}`
    : "";
  console.log(`${r.ok ? "ok  " : "FAIL"}  ${r.label.padEnd(26)} ${r.secs.padStart(6)}s${c}`);
}
const failed = [...results.values()].filter((r) => !r.ok);
for (const r of failed) {
  for (const name of (r.failures ?? []).slice(0, 20)) console.log(`  ${r.label}: ${name}`);
}
console.log(failed.length === 0 ? "\nall green" : `\n${failed.length} step(s) failed`);
process.exit(failed.length === 0 ? 0 : 1);
