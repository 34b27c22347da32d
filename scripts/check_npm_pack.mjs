// Checks the built npm package: `npm pack --dry-run` lists only intended
// files, there are no runtime dependencies, and from the packed tarball
// installed into a fresh project: every subpath loads with `import` and
// `require()` on Node and Bun, its types check for both, and the bin runs.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
const fixture = "tests/fixtures/vectors/aof/basic.aof";
// A consumer project that installs the packed tarball (as `npm install` from
// the registry would), then loads every subpath with `import` and `require()`
// on Node and on Bun, type-checks both forms with tsc (the `types`
// condition; no @types/node in the consumer), and runs the installed bin.
// Importing ./cli must not run the CLI.
const consumer = mkdtempSync(join(tmpdir(), "kevy-npm-consumer-"));
try {
  const tarball = join(consumer, "pack");
  mkdirSync(tarball);
  const [meta] = JSON.parse(
    execFileSync("npm", ["pack", "--pack-destination", tarball, "--json"], {
      cwd: "npm",
      encoding: "utf8",
    }),
  );
  const app = join(consumer, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  execFileSync("npm", [
    "install",
    "--offline",
    "--no-audit",
    "--no-fund",
    "--ignore-scripts",
    "--no-package-lock",
    join(tarball, meta.filename),
  ], { cwd: app, encoding: "utf8", stdio: "pipe" });
  const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json");
  const spec = (k) => (k === "." ? pkg.name : `${pkg.name}/${k.slice(2)}`);
  const report = `console.log(JSON.stringify({ names, exitCode: process.exitCode ?? null }));`;
  writeFileSync(
    join(app, "esm.mjs"),
    `import process from "node:process";\nconst names = {};\n${
      subpaths.map((k) =>
        `names[${JSON.stringify(k)}] = Object.keys(await import(${JSON.stringify(spec(k))}));`
      )
        .join("\n")
    }\n${report}\n`,
  );
  writeFileSync(
    join(app, "cjs.cjs"),
    `const process = require("node:process");\nconst names = {};\n${
      subpaths.map((k) =>
        `names[${JSON.stringify(k)}] = Object.keys(require(${JSON.stringify(spec(k))}));`
      )
        .join("\n")
    }\n${report}\n`,
  );
  const bun = resolve("node_modules", ".bin", "bun");
  const runners = [["node", process.execPath], ["bun", bun]];
  for (const [runtime, exe] of runners) {
    for (const file of ["esm.mjs", "cjs.cjs"]) {
      const where = `${runtime} ${file}`;
      let out;
      try {
        out = JSON.parse(execFileSync(exe, [file], { cwd: app, encoding: "utf8", stdio: "pipe" }));
      } catch (e) {
        problems.push(`${where}: loading the package failed: ${e.stderr ?? e.message}`);
        continue;
      }
      if (out.exitCode !== null) {
        problems.push(`${where}: importing set process.exitCode = ${out.exitCode}`);
      }
      for (const k of subpaths) {
        if (!(out.names[k]?.length > 0)) problems.push(`${where}: ${spec(k)} exports nothing`);
      }
      if (!out.names["./cli"]?.includes("runCli")) {
        problems.push(`${where}: ${pkg.name}/cli has no runCli`);
      }
      if (!out.names["."]?.includes("openStore")) {
        problems.push(`${where}: ${pkg.name} has no openStore`);
      }
    }
  }
  // Types through the `types` condition, for import (.mts) and require (.cts):
  // every subpath resolves, and a wrong option is a type error (not `any`).
  const ids = subpaths.map((_, i) => `m${i}`);
  writeFileSync(
    join(app, "types.mts"),
    `${subpaths.map((k, i) => `import * as ${ids[i]} from ${JSON.stringify(spec(k))};`).join("\n")}
import { openStore } from "${pkg.name}";
export const all = [${ids.join(", ")}];
// @ts-expect-error shards is a number
await openStore({ shards: "2" });
`,
  );
  writeFileSync(
    join(app, "types.cts"),
    `${subpaths.map((k, i) => `import ${ids[i]} = require(${JSON.stringify(spec(k))});`).join("\n")}
export const all = [${ids.join(", ")}];
// @ts-expect-error shards is a number
export const bad: Parameters<typeof m0.openStore>[0] = { shards: "2" };
`,
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        // KevyStore and subscriptions are AsyncDisposable (`await using`): TypeScript >= 5.2
        // with the esnext.disposable lib, as the README says (dom: the default lib of es2022).
        lib: ["es2022", "dom", "esnext.disposable"],
        types: [],
        noEmit: true,
      },
      files: ["types.mts", "types.cts"],
    }),
  );
  try {
    execFileSync(process.execPath, [resolve("node_modules/typescript/bin/tsc"), "-p", "."], {
      cwd: app,
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (e) {
    problems.push(`tsc (import and require types): ${e.stdout ?? ""}${e.stderr ?? e.message}`);
  }
  // The bin as npm links it, on Node and Bun.
  for (const name of Object.keys(pkg.bin ?? {})) {
    const link = join(app, "node_modules", ".bin", name);
    for (const [runtime, exe] of runners) {
      try {
        const version = execFileSync(exe, [link, "--version"], { encoding: "utf8" });
        if (version.trim() !== `kevy-persist ${pkg.version}`) {
          problems.push(`${runtime} ${name} --version printed ${JSON.stringify(version)}`);
        }
        const out = execFileSync(exe, [link, "check", resolve(fixture)], { encoding: "utf8" });
        if (!/: OK/.test(out)) problems.push(`${runtime} ${name} check did not report OK: ${out}`);
      } catch (e) {
        problems.push(`${runtime} ${name}: ${e.stderr ?? e.message}`);
      }
    }
  }
  console.log(
    `installed ${meta.filename}: import and require of ${subpaths.length} subpaths on node and bun, ` +
      `types for both, the bin on both`,
  );
} finally {
  rmSync(consumer, { recursive: true, force: true });
}

console.log(`npm package: ${files.length} files, bin ${Object.keys(pkg.bin ?? {}).join(", ")}`);
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log("npm package ok");
