// Checks the built npm package: `npm pack --dry-run` lists only intended
// files, there are no runtime dependencies, every subpath loads with both
// `import` and `require()` from a project that depends on the package, and
// the bin runs under Node.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";

const pkg = JSON.parse(readFileSync("npm/package.json", "utf8"));
const problems = [];
if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
  problems.push(`runtime dependencies found: ${Object.keys(pkg.dependencies).join(", ")}`);
}
const packed = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: "npm", encoding: "utf8" }),
);
const files = packed[0].files.map((f) => f.path);
const allowed = /^(esm\/.*\.(js|d\.ts)|README\.md|LICENSE|package\.json)$/;
for (const f of files) if (!allowed.test(f)) problems.push(`unexpected file in package: ${f}`);
for (const f of ["esm/mod.js", "esm/mod.d.ts", "README.md", "LICENSE"]) {
  if (!files.includes(f)) problems.push(`missing from package: ${f}`);
}
for (const [name, rel] of Object.entries(pkg.bin ?? {})) {
  const out = execFileSync(process.execPath, [
    `npm/${rel}`,
    "check",
    "tests/fixtures/vectors/aof/basic.aof",
  ], {
    encoding: "utf8",
  });
  if (!/: OK/.test(out)) problems.push(`bin ${name} did not report OK: ${out}`);
}
// A consumer project: node_modules/@kevy/persist -> npm/, one ESM and one
// CommonJS file loading every subpath. Importing ./cli must not run the CLI.
const consumer = mkdtempSync(join(tmpdir(), "kevy-npm-consumer-"));
try {
  mkdirSync(join(consumer, "node_modules", "@kevy"), { recursive: true });
  symlinkSync(resolve("npm"), join(consumer, "node_modules", "@kevy", "persist"), "dir");
  const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json");
  const spec = (k) => (k === "." ? pkg.name : `${pkg.name}/${k.slice(2)}`);
  const report = `console.log(JSON.stringify({ names, exitCode: process.exitCode ?? null }));`;
  writeFileSync(
    join(consumer, "esm.mjs"),
    `const names = {};\n${
      subpaths.map((k) =>
        `names[${JSON.stringify(k)}] = Object.keys(await import(${JSON.stringify(spec(k))}));`
      )
        .join("\n")
    }\n${report}\n`,
  );
  writeFileSync(
    join(consumer, "cjs.cjs"),
    `const names = {};\n${
      subpaths.map((k) =>
        `names[${JSON.stringify(k)}] = Object.keys(require(${JSON.stringify(spec(k))}));`
      )
        .join("\n")
    }\n${report}\n`,
  );
  for (const file of ["esm.mjs", "cjs.cjs"]) {
    let out;
    try {
      out = JSON.parse(
        execFileSync(process.execPath, [file], { cwd: consumer, encoding: "utf8", stdio: "pipe" }),
      );
    } catch (e) {
      problems.push(`${file}: loading the package failed: ${e.stderr ?? e.message}`);
      continue;
    }
    if (out.exitCode !== null) {
      problems.push(`${file}: importing set process.exitCode = ${out.exitCode}`);
    }
    for (const k of subpaths) {
      if (!(out.names[k]?.length > 0)) problems.push(`${file}: ${spec(k)} exports nothing`);
    }
    if (!out.names["./cli"]?.includes("runCli")) {
      problems.push(`${file}: ${pkg.name}/cli has no runCli`);
    }
    if (!out.names["."]?.includes("openStore")) {
      problems.push(`${file}: ${pkg.name} has no openStore`);
    }
  }
  console.log(`import and require of ${subpaths.length} subpaths checked`);
} finally {
  rmSync(consumer, { recursive: true, force: true });
}

console.log(`npm package: ${files.length} files, bin ${Object.keys(pkg.bin ?? {}).join(", ")}`);
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log("npm package ok");
