// Runs bench/compare.ts under Node 20 against the npm build (npm/esm/):
//
//   npx deno run -A scripts/build_npm.ts && node bench/compare_node.mjs [--quick] [...]
//
// Node 20 cannot run TypeScript, so compare.ts and the bench/_compare_*.ts files are
// transpiled (types stripped, the devDependency `typescript`) into a temp
// directory; the worker then imports the library and msgpackr from the URLs
// passed in the environment.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import process from "node:process";
import ts from "typescript";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..");
const mod = join(root, "npm", "esm", "mod.js");
try {
  statSync(mod);
} catch {
  console.error(`${mod} is missing: build it with \`npx deno run -A scripts/build_npm.ts\``);
  process.exit(1);
}

const out = mkdtempSync(join(tmpdir(), "kevy-compare-node-"));
const names = readdirSync(here).filter((f) => f.startsWith("_compare_") && f.endsWith(".ts"));
for (const name of ["compare", ...names.map((f) => f.slice(0, -3))]) {
  const src = readFileSync(join(here, `${name}.ts`), "utf8");
  const js = ts.transpileModule(src, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      rewriteRelativeImportExtensions: true,
      verbatimModuleSyntax: false,
    },
    fileName: `${name}.ts`,
  }).outputText;
  writeFileSync(join(out, `${name}.js`), js);
}
writeFileSync(join(out, "package.json"), '{"type":"module"}\n');

process.env.KEVY_COMPARE_ROOT = root;
process.env.KEVY_COMPARE_WORKER = join(out, "_compare_worker.js");
process.env.KEVY_COMPARE_ESM = pathToFileURL(join(root, "npm", "esm") + "/").href;
process.env.KEVY_COMPARE_MSGPACKR = import.meta.resolve("msgpackr");
// On exit, not in a finally: compare.js may end with process.exit (--help, usage errors).
process.on("exit", () => rmSync(out, { recursive: true, force: true }));
await import(pathToFileURL(join(out, "compare.js")).href);
