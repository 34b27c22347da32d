// Builds the npm package into npm/ with the TypeScript 6 compiler API
// (dnt is JSR-only and unreachable here). ESM .js + .d.ts, package.json with
// exports, engines and bin, README and LICENSE copied.
//
// `--tests` also compiles tests/ into .node-tests/ with every import of the
// sources rewritten to the built package, so Node's test runner exercises
// the npm build rather than the sources.
import ts from "typescript";
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
const exportsMap: Record<string, string> = denoJson.exports;
const bins: Record<string, string> = { "kevy-persist": "./src/cli/bin.ts" };
// Scripts started as processes rather than imported (the demo and its child writer).
const scripts = ["./src/cli/demo.ts", "./src/cli/_demo_child.ts"];

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  rewriteRelativeImportExtensions: true,
  allowImportingTsExtensions: false,
  declaration: true,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  skipLibCheck: true,
  types: ["node"],
  typeRoots: [join(root, "node_modules/@types")],
  rootDir: root,
  newLine: ts.NewLineKind.LineFeed,
};

function compile(rootNames: string[], outDir: string, declaration: boolean): void {
  const program = ts.createProgram(rootNames, { ...compilerOptions, outDir, declaration });
  const result = program.emit();
  const diagnostics = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  if (diagnostics.length > 0) {
    const host: ts.FormatDiagnosticsHost = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => "\n",
    };
    console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
    throw new Error(`TypeScript reported ${diagnostics.length} problem(s)`);
  }
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "fixtures") continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

function buildPackage(): void {
  const out = join(root, "npm");
  rmSync(out, { recursive: true, force: true });
  const entries = [...Object.values(exportsMap), ...Object.values(bins), ...scripts]
    .map((p) => join(root, p))
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
  compile(entries, join(out, "esm"), true);
  const jsPath = (p: string) => "./esm/" + p.replace(/^\.\//, "").replace(/\.ts$/, ".js");
  // ESM only; `default` lets `require()` load it too (Node >= 20.19 loads ES
  // modules without top-level await synchronously).
  const pkgExports: Record<string, { types: string; import: string; default: string } | string> =
    {};
  for (const [k, v] of Object.entries(exportsMap)) {
    const js = jsPath(v);
    pkgExports[k] = { types: js.replace(/\.js$/, ".d.ts"), import: js, default: js };
  }
  pkgExports["./package.json"] = "./package.json";
  const pkgBin: Record<string, string> = {};
  for (const [k, v] of Object.entries(bins)) {
    if (entries.includes(join(root, v))) pkgBin[k] = jsPath(v);
  }
  const pkg = {
    name: denoJson.name,
    version: denoJson.version,
    description: denoJson.description,
    license: denoJson.license,
    type: "module",
    sideEffects: false,
    main: "./esm/mod.js",
    types: "./esm/mod.d.ts",
    engines: { node: ">=20.19" },
    exports: pkgExports,
    ...(Object.keys(pkgBin).length > 0 ? { bin: pkgBin } : {}),
    files: ["esm/", "README.md", "LICENSE"],
    keywords: ["redis", "kevy", "persistence", "aof", "snapshot", "rdb", "deno", "bun"],
  };
  writeFileSync(join(out, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  for (const f of ["README.md", "LICENSE"]) cpSync(join(root, f), join(out, f));
}

// Rewrites every relative import of a compiled test that points at the
// sources (src/, mod.js) to the same module inside npm/esm.
function buildTests(): void {
  const out = join(root, ".node-tests");
  rmSync(out, { recursive: true, force: true });
  compile(walk(join(root, "tests")), out, false);
  const srcOut = join(out, "src");
  const jsFiles: string[] = [];
  (function collect(dir: string) {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) collect(p);
      else if (p.endsWith(".js")) jsFiles.push(p);
    }
  })(join(out, "tests"));
  for (const file of jsFiles) {
    const text = readFileSync(file, "utf8").replace(
      /((?:from\s*|import\s*\(\s*)["'])(\.{1,2}\/[^"']+)(["'])/g,
      (whole, pre: string, spec: string, post: string) => {
        const target = resolve(dirname(file), spec);
        const rel = relative(out, target);
        if (!rel.startsWith("src/") && rel !== "mod.js") return whole;
        let to = relative(dirname(file), join(root, "npm", "esm", rel));
        if (!to.startsWith(".")) to = "./" + to;
        return pre + to + post;
      },
    );
    writeFileSync(file, text);
  }
  rmSync(srcOut, { recursive: true, force: true });
  rmSync(join(out, "mod.js"), { force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }) + "\n");
}

buildPackage();
if (process.argv.includes("--tests")) buildTests();
console.log(`built npm/ (${denoJson.name}@${denoJson.version})`);
