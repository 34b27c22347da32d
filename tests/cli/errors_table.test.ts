// The README's "Errors and exit codes" tables are the truth: every public
// error class is listed with the entry points that export it and the kind
// and exit code the CLI gives it; the exit codes are those of the CLI's
// table (src/cli/_errors.ts), which `kevy-persist --help` prints too.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as root from "../../mod.ts";
import * as store from "../../src/store/mod.ts";
import * as codec from "../../src/codec/mod.ts";
import * as persist from "../../src/persist/mod.ts";
import * as shard from "../../src/shard/mod.ts";
import * as redis from "../../src/redis/mod.ts";
import * as net from "../../src/net/mod.ts";
import * as fs from "../../src/fs/mod.ts";
import * as testing from "../../src/testing/mod.ts";
import * as cliModule from "../../src/cli/mod.ts";
import { classifyError, ERROR_KINDS, EXIT_CODES } from "../../src/cli/_errors.ts";
import { cli } from "./_cli.ts";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { encodeCommand } from "../../src/codec/resp.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import { tempDir } from "../_helpers.ts";

const MODULES: Record<string, Record<string, unknown>> = {
  "@kevy/persist": root,
  "/store": store,
  "/codec": codec,
  "/persist": persist,
  "/shard": shard,
  "/redis": redis,
  "/net": net,
  "/fs": fs,
  "/testing": testing,
  "/cli": cliModule,
};

// deno-lint-ignore no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

const isErrorClass = (v: unknown): v is ErrorClass =>
  typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof Error;

/** The README section's two tables, as rows of cells. */
function readmeTables(): string[][][] {
  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf("## Errors and exit codes");
  assert.ok(start >= 0, "README.md has an 'Errors and exit codes' section");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of section.split("\n")) {
    if (!line.startsWith("|")) {
      current = null;
      continue;
    }
    if (/^\|\s*-/.test(line)) continue;
    const cells = line.slice(1, -1).split("|").map((c) => c.trim());
    if (current === null) {
      current = [];
      tables.push(current);
      continue; // the header
    }
    current.push(cells);
  }
  return tables;
}

const unquote = (s: string) => s.replace(/^`|`$/g, "");

describe("README: errors and exit codes", () => {
  const [exits, errors] = readmeTables();
  it("has the exit code table and the error table", () => {
    assert.ok(exits !== undefined && errors !== undefined);
  });

  it("the exit codes are the CLI's, in order, with the same meaning", () => {
    assert.deepEqual(
      exits!.map(([code, meaning]) => ({ code: Number(code), meaning })),
      EXIT_CODES.map((c) => ({ code: c.code, meaning: c.meaning })),
    );
  });

  it("lists every public error class once, with exactly the entry points that export it", () => {
    const exported = new Map<string, Set<string>>();
    for (const [where, mod] of Object.entries(MODULES)) {
      for (const [name, value] of Object.entries(mod)) {
        if (!isErrorClass(value)) continue;
        if (!exported.has(name)) exported.set(name, new Set());
        exported.get(name)!.add(where);
      }
    }
    const listed = new Map<string, Set<string>>();
    for (const [name, from] of errors!) {
      const n = unquote(name!);
      assert.ok(!listed.has(n), `${n} is listed twice`);
      listed.set(n, new Set(from!.split(",").map((f) => unquote(f.trim()))));
    }
    assert.deepEqual(
      [...listed.keys()].sort(),
      [...exported.keys()].sort(),
      "README error table vs the error classes the entry points export",
    );
    for (const [name, where] of exported) {
      assert.deepEqual([...listed.get(name)!].sort(), [...where].sort(), `${name}: import from`);
    }
  });

  it("the CLI column is how the CLI classifies each class", () => {
    const classes = new Map<string, ErrorClass>();
    for (const mod of Object.values(MODULES)) {
      for (const [name, value] of Object.entries(mod)) {
        if (isErrorClass(value)) classes.set(name, value);
      }
    }
    for (const [name, , , , column] of errors!) {
      const cls = classes.get(unquote(name!))!;
      const probe = Object.create(cls.prototype) as Error;
      if (column === "(its cause)") {
        // A stopped migration is reported by what stopped it.
        const cause = Object.create(net.RedisConnectionError.prototype) as Error;
        const e = new redis.MigrationError("stopped", null, cause);
        assert.deepEqual(classifyError(e).kind, "target");
        continue;
      }
      const got = classifyError(probe);
      assert.equal(`${got.kind}, ${got.exit}`, column, unquote(name!));
    }
  });

  it("every class the CLI classifies is public or the CLI's own", () => {
    const publicClasses = new Set<unknown>();
    for (const mod of Object.values(MODULES)) {
      for (const value of Object.values(mod)) if (isErrorClass(value)) publicClasses.add(value);
    }
    const own = ERROR_KINDS.flatMap((k) => k.errors).filter((c) => !publicClasses.has(c));
    assert.deepEqual(own.map((c) => c.name).sort(), ["DataError", "InputError", "UsageError"]);
  });
});

describe("kevy-persist: errors by kind", () => {
  it("--help prints the same exit codes as the README", async () => {
    const r = await cli(["--help"]);
    const flat = r.out.replace(/\n {5}/g, " ");
    for (const c of EXIT_CODES) {
      assert.ok(
        flat.includes(`  ${c.code}  ${c.meaning.replaceAll("`", "")}`),
        `exit ${c.code} in --help`,
      );
    }
    assert.ok(r.out.split("\n").every((l) => l.length <= 100), "help lines fit 100 columns");
  });
  it("a system errno is kind input; a class wins over an errno field", () => {
    const enoent = Object.assign(new Error("no such file"), { code: "ENOENT" });
    assert.equal(classifyError(enoent).kind, "input");
    const refused = Object.create(net.RedisConnectionError.prototype) as Error;
    Object.defineProperty(refused, "code", { value: "ENOENT" });
    assert.equal(classifyError(refused).kind, "target");
    assert.equal(classifyError(new Error("bug")).kind, "internal");
  });
  it("an unknown verb in a log is kind data with verb, path and offset", async () => {
    const dir = tempDir("kevy-cli-errors-");
    const aof = join(dir, "appendonly.aof");
    const frames = [encodeCommand(["SET", "a", "1"]), encodeCommand(["NOSUCHVERB", "a"])];
    writeFileSync(aof, concatBytes(frames));
    const r = await cli(["dump", aof, "--json"]);
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(JSON.parse(r.err).error, {
      kind: "data",
      command: "dump",
      message: JSON.parse(r.err).error.message,
      exitCode: 1,
      verb: "nosuchverb",
      path: aof,
      offset: frames[0]!.length,
    });
  });
  it("Redis AOF files that do not fit together are kind input, exit 3 (not a crash)", async () => {
    const dir = tempDir("kevy-cli-errors-");
    writeFileSync(
      join(dir, "appendonly.aof.manifest"),
      "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    const r = await cli(["dump", dir, "--json"]);
    assert.equal(r.code, 3, r.err);
    const { error } = JSON.parse(r.err);
    assert.equal(error.kind, "input");
    assert.match(error.message, /listed in .*manifest but missing/);
    assert.equal(error.path, join(dir, "appendonly.aof.1.base.aof"));
  });
});
