// The command line's manners: help, version, usage errors with a short usage
// line and a suggestion, `--`, short flags, JSON errors under --json.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fixturePath } from "../_helpers.ts";
import { cli } from "./_cli.ts";
import { runCli } from "../../src/cli/mod.ts";
import { suggest } from "../../src/cli/_args.ts";
import { COMMANDS as REGISTRY } from "../../src/cli/_commands.ts";

const vec = (p: string) => fixturePath(`vectors/${p}`);
// Every registered command (a new one gets the same checks).
const COMMANDS = REGISTRY.map((c) => c.name);

describe("kevy-persist: help and version", () => {
  it("without a command prints the command list on stderr and exits 2", async () => {
    const r = await cli([]);
    assert.equal(r.code, 2);
    assert.equal(r.out, "");
    assert.match(r.err, /Usage: kevy-persist \[--version\] \[--help\] <command> \[options\]/);
    for (const c of COMMANDS) assert.match(r.err, new RegExp(`^  ${c} `, "m"));
  });
  it("--help, -h and help print the same help on stdout and exit 0", async () => {
    const outs = [];
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const r = await cli(argv);
      assert.equal(r.code, 0);
      outs.push(r.out);
    }
    assert.match(outs[0]!, /^Commands:$/m);
    assert.equal(outs[1], outs[0]);
    assert.equal(outs[2], outs[0]);
  });
  it("--version and -V print the package version (deno.json's)", async () => {
    const version = JSON.parse(readFileSync("deno.json", "utf8")).version;
    for (const flag of ["--version", "-V"]) {
      const r = await cli([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.out, `kevy-persist ${version}\n`);
    }
    const j = await cli(["--version", "--json"]);
    assert.deepEqual(JSON.parse(j.out), { name: "kevy-persist", version });
  });
  for (const c of COMMANDS) {
    it(`help ${c} and ${c} --help print its usage, options and exit codes`, async () => {
      const a = await cli(["help", c]);
      const b = await cli([c, "--help"]);
      const d = await cli([c, "-h"]);
      assert.equal(a.code, 0);
      assert.equal(b.code, 0);
      assert.equal(a.out, b.out);
      assert.equal(d.out, b.out);
      assert.match(a.out, new RegExp(`^Usage: kevy-persist ${c} \\[options\\]`, "m"));
      assert.match(a.out, /^Options:$/m);
      assert.match(a.out, /^ {2}-h, --help/m);
      assert.match(a.out, /^Exit codes: 0 /m);
      const long = a.out.split("\n").filter((l) => l.length > 100);
      assert.deepEqual(long, [], "help lines fit 100 columns");
    });
  }
  it("help for an unknown command suggests the nearest", async () => {
    const r = await cli(["help", "chek"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command 'chek' \(did you mean 'check'\?\)/);
  });
});

describe("kevy-persist: usage errors", () => {
  it("an unknown command exits 2, suggests the nearest and prints a short usage line", async () => {
    const r = await cli(["dunp", "x"]);
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      "kevy-persist: unknown command 'dunp' (did you mean 'dump'?)\n" +
        "Usage: kevy-persist [--version] [--help] <command> [options]\n" +
        "Run 'kevy-persist help' for more.\n",
    );
  });
  it("a word far from every command gets no suggestion", async () => {
    const r = await cli(["frobnicate"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^kevy-persist: unknown command 'frobnicate'\n/);
  });
  it("an unknown option names it, suggests the nearest and shows the command's usage line only", async () => {
    const r = await cli(["dump", vec("aof/basic.aof"), "--fromat", "resp"]);
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      "kevy-persist dump: unknown option --fromat (did you mean --format?)\n" +
        "Usage: kevy-persist dump [options] <file|dir>\n" +
        "Run 'kevy-persist help dump' for more.\n",
    );
  });
  it("a value outside the choices is refused with the choices and a suggestion", async () => {
    const r = await cli(["dump", vec("aof/basic.aof"), "--format", "jsnl"]);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /--format must be one of jsonl, resp, got 'jsnl' \(did you mean 'jsonl'\?\)/,
    );
  });
  it("a flag that needs a value and gets another flag is refused", async () => {
    const r = await cli(["dump", vec("aof/basic.aof"), "--db", "--json"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--db needs a value/);
  });
  it("a boolean flag given a value is refused", async () => {
    const r = await cli(["check", vec("aof/basic.aof"), "--json=yes"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--json takes no value/);
  });
  it("missing and extra positionals name what was expected", async () => {
    const missing = await cli(["convert", vec("aof/basic.aof")]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /missing <dst> \(expected <src> <dst>\)/);
    const extra = await cli(["check", vec("aof/basic.aof"), "other"]);
    assert.equal(extra.code, 2);
    assert.match(extra.err, /unexpected argument 'other' \(expected <file\|dir>\)/);
  });
  it("options before the command are refused with a hint", async () => {
    const r = await cli(["--format", "resp", "dump"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /options go after the command/);
  });
});

describe("kevy-persist: flags", () => {
  it("short flags and --name=value work like the long forms", async () => {
    const long = await cli(["dump", vec("aof/basic.aof"), "--format", "resp"]);
    const short = await cli(["dump", vec("aof/basic.aof"), "-f", "resp"]);
    const glued = await cli(["dump", vec("aof/basic.aof"), "-fresp"]);
    const eq = await cli(["dump", vec("aof/basic.aof"), "--format=resp"]);
    assert.equal(long.code, 0);
    assert.ok(long.bytes.length > 0);
    for (const r of [short, glued, eq]) assert.deepEqual(r.bytes, long.bytes);
  });
  it("-- ends the options: a file named like a flag is a positional", async () => {
    const r = await cli(["check", "--", "--json"]);
    assert.equal(r.code, 3);
    assert.match(r.err, /--json: no such file or directory/);
  });
  it("--json before the command applies to it", async () => {
    const r = await cli(["--json", "check", vec("aof/basic.aof")]);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.out).sound, true);
  });
});

describe("kevy-persist: errors under --json", () => {
  it("a usage error is one JSON object on stderr, nothing on stdout", async () => {
    const r = await cli(["dump", "x", "--fromat", "resp", "--json"]);
    assert.equal(r.code, 2);
    assert.equal(r.out, "");
    assert.deepEqual(JSON.parse(r.err), {
      error: {
        kind: "usage",
        command: "dump",
        message: "unknown option --fromat (did you mean --format?)",
        exitCode: 2,
        usage: "kevy-persist dump [options] <file|dir>",
      },
    });
  });
  it("an unreadable input is kind input, exit 3", async () => {
    const r = await cli(["check", "/no/such/file", "--json"]);
    assert.equal(r.code, 3);
    const { error } = JSON.parse(r.err);
    assert.equal(error.kind, "input");
    assert.equal(error.exitCode, 3);
    assert.match(error.message, /no such file/);
  });
  it("corrupt data carries path, offset, expected and preview", async () => {
    const r = await cli(["dump", vec("snapshot/err_truncated_mid_record.rdb"), "--json"]);
    assert.equal(r.code, 1);
    const { error } = JSON.parse(r.err);
    assert.equal(error.kind, "corrupt");
    assert.equal(typeof error.offset, "number");
    assert.equal(typeof error.expected, "string");
    assert.match(error.path, /err_truncated_mid_record\.rdb$/);
  });
});

describe("runCli", () => {
  it("takes a minimal io (out and err only) and never touches the process", async () => {
    let out = "";
    const code = await runCli(["check", vec("aof/basic.aof")], {
      out: (t) => void (out += t),
      err: () => {},
    });
    assert.equal(code, 0);
    assert.match(out, /: OK\n$/);
  });
  it("binary output without outBytes falls back to out", async () => {
    let out = "";
    const code = await runCli(["dump", vec("aof/basic.aof"), "--format", "resp"], {
      out: (t) => void (out += t),
      err: () => {},
    });
    assert.equal(code, 0);
    assert.match(out, /^\*3\r\n\$3\r\nSET\r\n/);
  });
});

describe("suggest (did you mean)", () => {
  it("finds a typo, a transposition and a unique prefix; not a far word", () => {
    assert.equal(suggest("chek", ["check", "convert"]), "check");
    assert.equal(suggest("dupm", ["dump", "bench"]), "dump");
    assert.equal(suggest("resh", ["repair", "reshard"]), "reshard");
    assert.equal(suggest("xyz", ["check", "dump"]), null);
    assert.equal(suggest("re", ["repair", "reshard"]), null);
  });
});
