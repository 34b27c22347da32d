// The house in order: imports point down the layers, only src/fs/ knows the
// runtime (in code and in the JSDoc examples users copy), and a folder's
// `_private` files stay in that folder. Each problem is reported with its
// file:line and the change that fixes it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** What each folder of src/ may import besides itself (layers import downward). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  codec: [],
  fs: ["codec"],
  store: ["codec"],
  persist: ["codec", "fs", "store"],
  shard: ["codec", "fs", "store", "persist"],
  net: ["codec", "fs", "store", "persist", "shard"],
  redis: ["codec", "fs", "store", "persist", "shard", "net"],
  embedded: ["codec", "fs", "store", "persist", "shard", "net", "redis"],
  testing: ["codec", "fs"],
  cli: ["codec", "fs", "store", "persist", "shard", "net", "redis", "embedded"],
};
const ORDER =
  "codec, fs -> store -> persist -> shard -> net -> redis -> embedded -> cli (testing: codec, fs)";

/** Modules that know the runtime: only src/fs/ may import them. */
const RUNTIME_MODULES = new Set([
  "node:fs",
  "node:fs/promises",
  "node:process",
  "node:child_process",
  "node:os",
]);
const RUNTIME_GLOBALS = /(?:^|[^.\w$])(Deno|Bun|process)\s*\./;
const RUNTIME_HELPERS = "src/fs/terminal.ts (stdio, argv, exit code), src/fs/spawn.ts " +
  "(child processes), src/fs/proc.ts (pids, host name, timers)";

const EXAMPLE_FIX = "use the package's fs adapter (`defaultFs()` of @kevy/persist/fs: " +
  "mkdir, openWrite, readFile, remove, ...); examples run in a fresh temp dir holding an " +
  "empty data/.";

/** One file's import specifiers and runtime names, with line numbers; comments skipped. */
function scan(text: string): {
  imports: Array<{ spec: string; line: number }>;
  globals: Array<{ name: string; line: number }>;
} {
  const imports: Array<{ spec: string; line: number }> = [];
  const globals: Array<{ name: string; line: number }> = [];
  let inBlock = false;
  text.split("\n").forEach((raw, i) => {
    let line = raw;
    if (inBlock) {
      const end = line.indexOf("*/");
      if (end === -1) return;
      line = line.slice(end + 2);
      inBlock = false;
    }
    line = line.replace(/\/\*.*?\*\//g, "");
    const open = line.indexOf("/*");
    if (open !== -1) {
      inBlock = true;
      line = line.slice(0, open);
    }
    const re = /(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g;
    for (const m of line.matchAll(re)) imports.push({ spec: m[1]!, line: i + 1 });
    // Runtime globals in code: string contents and line comments removed first.
    const code = line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""').replace(/\/\/.*$/, "");
    const g = RUNTIME_GLOBALS.exec(code);
    if (g !== null) globals.push({ name: g[1]!, line: i + 1 });
  });
  return { imports, globals };
}

/**
 * The code lines of a file's JSDoc examples (inside ``` fences of its `/** ... *\/`
 * comments), with line numbers: what a user copies, so it keeps the same rules.
 */
function exampleCode(text: string): Array<{ code: string; line: number }> {
  const out: Array<{ code: string; line: number }> = [];
  let inDoc = false;
  let inFence = false;
  text.split("\n").forEach((raw, i) => {
    if (!inDoc) {
      if (!/^\s*\/\*\*/.test(raw) || /\*\/\s*$/.test(raw)) return;
      inDoc = true;
      return;
    }
    if (/\*\//.test(raw)) {
      inDoc = false;
      inFence = false;
      return;
    }
    const body = raw.replace(/^\s*\*? ?/, "");
    if (/^\s*```/.test(body)) {
      inFence = !inFence;
      return;
    }
    if (inFence) out.push({ code: body, line: i + 1 });
  });
  return out;
}

/**
 * Every house-order problem in `files` (path relative to the repo, e.g.
 * `src/store/store.ts` -> text), as `path:line: what. Fix: how.`
 */
function houseProblems(files: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, text] of files) {
    const m = /^src\/([^/]+)\/(.+)$/.exec(path);
    if (m === null) continue;
    const folder = m[1]!;
    const allowed = MAY_IMPORT[folder];
    if (allowed === undefined) {
      problems.push(
        `${path}: src/${folder}/ is not in the layer table. Fix: add it to MAY_IMPORT in ` +
          `tests/house_order.test.ts with the layers it may import (${ORDER}).`,
      );
      continue;
    }
    const { imports, globals } = scan(text);
    for (const { spec, line } of imports) {
      const at = `${path}:${line}`;
      if (RUNTIME_MODULES.has(spec) && folder !== "fs") {
        problems.push(
          `${at}: imports ${spec} outside src/fs/ (only src/fs/ knows the runtime). Fix: call a ` +
            `helper of src/fs/ instead (${RUNTIME_HELPERS}), adding one there if needed.`,
        );
      }
      const up = /^\.\.\/([^/]+)\/(.+)$/.exec(spec);
      if (up === null) continue;
      const [, target, file] = up as unknown as [string, string, string];
      if (target !== folder && !allowed.includes(target)) {
        problems.push(
          `${at}: imports ${spec}, but src/${folder}/ may import only ` +
            `${allowed.length ? allowed.map((a) => `${a}/`).join(", ") : "itself"} ` +
            `(layers import downward: ${ORDER}). Fix: move the shared code down into a layer ` +
            `both may import, or pass it in from above (a parameter or callback).`,
        );
      }
      if (target !== folder && file.split("/").pop()!.startsWith("_")) {
        const publicName = `src/${target}/${file.replace(/(^|\/)_/, "$1")}`;
        problems.push(
          `${at}: imports ${spec}, a private file of src/${target}/ (a \`_\` file is for its ` +
            `own folder only). Fix: import a non-underscore file of src/${target}/ that exports ` +
            `it, or rename src/${target}/${file} to ${publicName} (shared inside the library; ` +
            `stays off the public surface unless src/${target}/mod.ts re-exports it).`,
        );
      }
    }
    if (folder !== "fs") {
      for (const { code, line } of exampleCode(text)) {
        const at = `${path}:${line}`;
        const re = /(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g;
        for (const m of code.matchAll(re)) {
          if (!RUNTIME_MODULES.has(m[1]!)) continue;
          problems.push(
            `${at}: an @example imports ${m[1]} outside src/fs/ (examples show the library's ` +
              `own ways). Fix: ${EXAMPLE_FIX}`,
          );
        }
        const bare = code.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""').replace(/\/\/.*$/, "");
        const g = RUNTIME_GLOBALS.exec(bare);
        if (g !== null) {
          problems.push(
            `${at}: an @example uses the runtime global \`${g[1]}\` outside src/fs/. Fix: ` +
              EXAMPLE_FIX,
          );
        }
      }
      for (const { name, line } of globals) {
        problems.push(
          `${path}:${line}: uses the runtime global \`${name}\` outside src/fs/. Fix: call a ` +
            `helper of src/fs/ instead (${RUNTIME_HELPERS}), adding one there if needed.`,
        );
      }
    }
  }
  return problems;
}

function sourceTree(): Map<string, string> {
  const root = process.cwd();
  const files = new Map<string, string>();
  (function walk(rel: string) {
    for (const name of readdirSync(join(root, rel))) {
      const p = `${rel}/${name}`;
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (p.endsWith(".ts")) files.set(p, readFileSync(join(root, p), "utf8"));
    }
  })("src");
  return files;
}

describe("house order", () => {
  it("src/ (run from the repository root) keeps every rule", () => {
    const files = sourceTree();
    assert.ok(files.size > 50, `only ${files.size} files under ${process.cwd()}/src`);
    const problems = houseProblems(files);
    if (problems.length > 0) {
      assert.fail(`${problems.length} house-order problem(s):\n  ${problems.join("\n  ")}`);
    }
  });

  it("reports an upward import, a runtime name (in code or an example), a foreign private file and a new folder", () => {
    const problems = houseProblems(
      new Map([
        ["src/store/a.ts", 'import { Aof } from "../persist/aof.ts";\n'],
        ["src/persist/b.ts", "// Deno.exit in a comment is fine\nconst x = Deno.pid;\n"],
        ["src/shard/c.ts", 'import {\n  f,\n} from "../fs/_wal.ts";\nimport "node:fs";\n'],
        ["src/fs/d.ts", 'import process from "node:process";\nprocess.exit(0);\n'],
        ["src/lab/e.ts", "export {};\n"],
        [
          "src/redis/f.ts",
          '/**\n * import { x } from "../embedded/_y.ts";\n */\nconst u = "Deno.x";\n',
        ],
        [
          "src/shard/g.ts",
          "/**\n * Ends with `process.exit()` (prose).\n * @example\n * ```ts\n" +
          ' * import { mkdir } from "node:fs/promises";\n * console.log(Deno.pid); // Bun.x\n' +
          " * ```\n */\nexport const g = 1;\n",
        ],
      ]),
    );
    assert.equal(problems.length, 7, problems.join("\n"));
    assert.match(
      problems[0]!,
      /^src\/store\/a\.ts:1: imports \.\.\/persist\/aof\.ts, but src\/store\/ may import only codec\//,
    );
    assert.match(problems[1]!, /^src\/persist\/b\.ts:2: uses the runtime global `Deno`/);
    assert.match(
      problems[2]!,
      /^src\/shard\/c\.ts:3: .*rename src\/fs\/_wal\.ts to src\/fs\/wal\.ts/,
    );
    assert.match(problems[3]!, /^src\/shard\/c\.ts:4: imports node:fs outside src\/fs\//);
    assert.match(problems[4]!, /^src\/lab\/e\.ts: src\/lab\/ is not in the layer table/);
    assert.match(problems[5]!, /^src\/shard\/g\.ts:5: an @example imports node:fs\/promises/);
    assert.match(problems[6]!, /^src\/shard\/g\.ts:6: an @example uses the runtime global `Deno`/);
  });
});
