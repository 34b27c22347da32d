// Type-checks and runs every code example: the ```ts blocks of every JSDoc
// comment in mod.ts and src/, and of README.md and MIGRATING.md. Part of `npm test`.
//
//   npx deno run -A scripts/check_examples.ts [--no-run] [file ...]
//
// Each example becomes its own module in a temp dir, with "@kevy/persist[/x]"
// resolved through deno.json exports (the subpath a user writes) and relative
// imports resolved from its source file. All of them are type-checked by one
// `deno check` and run one after another in one process, each with a fresh
// temp dir as its working dir, holding an empty `data/` (so an example may
// use `./data` as a user's data dir would be, and nothing is left in the
// repository). Failures name the source file and line.
// One process instead of `deno test --doc` (a worker per example): 212
// examples take ~95 s there on this machine, a few seconds here.
//
// An example opts out with ```ts ignore (shown, not checked) or
// ```ts no-run (type-checked only: for examples that need a server or a terminal).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
const exportsMap: Record<string, string> = denoJson.exports;
const TIMEOUT_MS = 20_000;

/** One extracted example. */
interface Example {
  /** Source file, relative to the repo. */
  file: string;
  /** 1-based line of the example's first code line in the source. */
  line: number;
  code: string;
  run: boolean;
}

function sourceFiles(): string[] {
  const out = ["mod.ts"];
  (function walk(dir: string) {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".ts")) out.push(p);
    }
  })("src");
  return [...out.sort(), "README.md", "MIGRATING.md"];
}

const CODE_LANGS = new Set(["ts", "typescript", "js", "javascript"]);

/** The ```ts blocks of `file`: JSDoc blocks for .ts files, plain fences for markdown. */
export function extractExamples(file: string, text: string): Example[] {
  const lines = text.split("\n");
  const examples: Example[] = [];
  const markdown = file.endsWith(".md");
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    if (!markdown) {
      if (l.includes("/**")) inComment = true;
      if (!inComment) continue;
      if (l.includes("*/") && !l.includes("/**")) {
        inComment = false;
        continue;
      }
      l = l.replace(/^\s*\*\s?/, "");
    }
    const open = /^(\s*)```(\w*)\s*(.*)$/.exec(l);
    if (open === null) continue;
    const indent = open[1]!.length;
    const lang = open[2]!;
    const attrs = open[3]!.split(/\s+/);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      let b = lines[j]!;
      if (!markdown) b = b.replace(/^\s*\*\s?/, "");
      if (/^\s*```\s*$/.test(b)) break;
      body.push(b.slice(Math.min(indent, b.length - b.trimStart().length)));
    }
    if (CODE_LANGS.has(lang) && !attrs.includes("ignore")) {
      examples.push({
        file,
        line: i + 2,
        code: body.join("\n").replaceAll("*\\/", "*/"),
        run: !attrs.includes("no-run"),
      });
    }
    i = j;
  }
  return examples;
}

// "@kevy/persist[/sub]" -> the module file; "./x.ts" -> from the source's folder.
function resolveSpecifiers(ex: Example): string {
  const fromDir = dirname(join(root, ex.file));
  return ex.code.replace(
    /((?:from|import)\s*\(?\s*)(["'])([^"']+)\2/g,
    (whole, pre: string, q: string, spec: string) => {
      const m = /^(?:jsr:)?@kevy\/persist(\/[\w-]+)?$/.exec(spec);
      if (m !== null) {
        const target = exportsMap[m[1] === undefined ? "." : `.${m[1]}`];
        if (target === undefined) return whole; // reported by the type check
        return pre + q + pathToFileURL(join(root, target)).href + q;
      }
      if (spec.startsWith("./") || spec.startsWith("../")) {
        return pre + q + pathToFileURL(resolve(fromDir, spec)).href + q;
      }
      return whole;
    },
  );
}

// Every public name and the subpath that exports it (from the module files in deno.json).
function publicNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const [sub, file] of Object.entries(exportsMap)) {
    const text = readFileSync(join(root, file), "utf8");
    for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*from/g)) {
      for (const part of m[1]!.split(",")) {
        const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()!.trim();
        const spec = sub === "." ? "@kevy/persist" : `@kevy/persist/${sub.slice(2)}`;
        if (name !== "" && !names.has(name)) names.set(name, spec);
      }
    }
  }
  return names;
}

/** Public names an example imports through a relative path instead of its subpath. */
function relativeImportsOfPublicNames(ex: Example, names: Map<string, string>): string[] {
  const out: string[] = [];
  for (
    const m of ex.code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["'](\.[^"']*)["']/g)
  ) {
    for (const part of m[1]!.split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!.trim();
      const spec = names.get(name);
      if (spec !== undefined) out.push(`${name}: import it from "${spec}", not "${m[2]}"`);
    }
  }
  return out;
}

function moduleName(ex: Example, i: number): string {
  return `${String(i).padStart(4, "0")}_${ex.file.replace(/[/.]/g, "_")}_L${ex.line}.ts`;
}

// Maps "file:///tmp/.../0007_src_codec_resp_ts_L24.ts:3:5" in tool output to "src/codec/resp.ts:26:5".
function mapLocations(text: string, dir: string, examples: Example[]): string {
  const byName = new Map(examples.map((ex, i) => [moduleName(ex, i), ex]));
  const dirUrl = pathToFileURL(dir).href;
  return text.replace(
    new RegExp(
      `(?:${escape(dirUrl)}|${escape(dir)})/(\\d{4}_[\\w]+_L\\d+\\.ts)(?::(\\d+)(?::(\\d+))?)?`,
      "g",
    ),
    (whole, name: string, line?: string, col?: string) => {
      const ex = byName.get(name);
      if (ex === undefined) return whole;
      const l = line === undefined ? ex.line : ex.line + Number(line) - 1;
      return `${ex.file}:${l}${col === undefined ? "" : `:${col}`}`;
    },
  );
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const RUNNER = `
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
const list = JSON.parse(process.env.KEVY_EXAMPLES);
const log = console.error;
const home = process.cwd();
let failed = 0;
// Examples print what they show; the suite only needs them to run.
for (const k of ["log", "info", "debug", "table", "dir"]) console[k] = () => {};
for (const { module, where } of list) {
  const cwd = mkdtempSync(join(tmpdir(), "kevy-example-"));
  mkdirSync(join(cwd, "data"));
  process.chdir(cwd);
  let timer;
  try {
    await Promise.race([
      import(module),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("did not finish in ${TIMEOUT_MS} ms")), ${TIMEOUT_MS});
      }),
    ]);
  } catch (e) {
    failed++;
    log("FAIL " + where + ": " + (e && e.stack ? e.stack : String(e)) + "\\n");
  } finally {
    clearTimeout(timer);
    process.chdir(home);
    rmSync(cwd, { recursive: true, force: true });
  }
}
process.stderr.write("ran " + list.length + " example(s), " + failed + " failed\\n");
process.exit(failed === 0 ? 0 : 1);
`;

function main(): number {
  const args = process.argv.slice(2);
  const noRun = args.includes("--no-run");
  const only = args.filter((a) => !a.startsWith("--"));
  const files = only.length > 0 ? only.map((f) => relative(root, resolve(f))) : sourceFiles();
  const examples = files.flatMap((f) => extractExamples(f, readFileSync(join(root, f), "utf8")));
  const dir = mkdtempSync(join(tmpdir(), "kevy-examples-"));
  try {
    mkdirSync(dir, { recursive: true });
    const modules = examples.map((ex, i) => {
      const path = join(dir, moduleName(ex, i));
      // `export {}` makes every example a module (top-level await, own scope).
      writeFileSync(path, resolveSpecifiers(ex) + "\nexport {};\n");
      return path;
    });
    const deno = join(root, "node_modules", ".bin", "deno");
    const check = spawnSync(
      deno,
      ["check", "--quiet", "--config", join(root, "deno.json"), ...modules],
      { encoding: "utf8", cwd: dir, env: { ...process.env, NO_COLOR: "1", RUST_BACKTRACE: "0" } },
    );
    let ok = true;
    const names = publicNames();
    for (const ex of examples) {
      for (const p of relativeImportsOfPublicNames(ex, names)) {
        ok = false;
        console.error(`${ex.file}:${ex.line}: example imports a public name by path: ${p}`);
      }
    }
    if (check.status !== 0) {
      ok = false;
      console.error(mapLocations(check.stdout + check.stderr, dir, examples));
      console.error(`type check of the examples failed (locations are source file:line)`);
    } else {
      console.log(`type-checked ${examples.length} example(s) from ${files.length} file(s)`);
    }
    if (!noRun) {
      const list = examples.flatMap((ex, i) =>
        ex.run ? [{ module: pathToFileURL(modules[i]!).href, where: `${ex.file}:${ex.line}` }] : []
      );
      const runner = join(dir, "_run.ts");
      writeFileSync(runner, RUNNER);
      const run = spawnSync(deno, [
        "run",
        "-A",
        "--no-check",
        "--config",
        join(root, "deno.json"),
        runner,
      ], {
        encoding: "utf8",
        cwd: dir,
        env: { ...process.env, NO_COLOR: "1", KEVY_EXAMPLES: JSON.stringify(list) },
        maxBuffer: 64 * 1024 * 1024,
      });
      process.stdout.write(mapLocations(run.stdout, dir, examples));
      process.stderr.write(mapLocations(run.stderr, dir, examples));
      if (run.status !== 0) ok = false;
    }
    return ok ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) process.exit(main());
