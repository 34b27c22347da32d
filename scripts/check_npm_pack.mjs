// Checks the built npm package: `npm pack --dry-run` lists only intended
// files, there are no runtime dependencies, and the bin runs under Node.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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
console.log(`npm package: ${files.length} files, bin ${Object.keys(pkg.bin ?? {}).join(", ")}`);
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log("npm package ok");
