// `kevy-persist migrate`: the summary, --verify, exit codes, --json, and
// --follow as a user runs it: a real process following a live store,
// stopped with SIGINT, ending with its "in sync at" line.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { fixturePath, tempDir } from "../_helpers.ts";
import { scriptCommand } from "../../src/fs/spawn.ts";
import { cli } from "./_cli.ts";
import { freePort, redisMissing, redisRequired, RedisServer } from "../redis/_redis_server.ts";
import {
  extraFrames,
  loadDataDir,
  migrationEntries,
  viewOfServers,
  viewOfSource,
  writeDataDir,
} from "../redis/_migrate_data.ts";
import { zeroSignless } from "../redis/_keyspace.ts";

const SLOW = { timeout: 120_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/cli/migrate.test.ts: ${skip}`);

const compiled = import.meta.url.endsWith(".js");
const bin = join(process.cwd(), compiled ? "npm/esm/src/cli/bin.js" : "src/cli/bin.ts");
const writer = fileURLToPath(
  new URL(`../redis/_follow_writer${compiled ? ".js" : ".ts"}`, import.meta.url),
);
const NOW = Date.now();

describe("kevy-persist migrate", { skip }, () => {
  let server: RedisServer;
  let dir: string;
  before(async () => {
    server = await RedisServer.start({ aof: false });
    dir = join(tempDir("kevy-cli-migrate-"), "data");
    await writeDataDir(dir, migrationEntries(NOW, 200), 2, "slots", extraFrames(NOW));
  }, SLOW);
  after(async () => {
    await server?.stop();
  });

  it("copies, verifies and prints a summary; exit 0", SLOW, async () => {
    const r = await cli(["migrate", dir, "--to", `${server.url}/2`, "--verify"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /keys copied\s+\d+/);
    assert.match(r.out, /verify: \d+ key\(s\) checked, 0 difference\(s\)/);
    const source = await loadDataDir(dir, 2, Date.now);
    assert.deepEqual(
      zeroSignless(await viewOfServers([server], 2)),
      zeroSignless({ "2": viewOfSource(source)["0"]! }),
    );
  });

  it("a conflict is exit 1 and named; --json reports it; --replace settles it", SLOW, async () => {
    await server.cli(["SET", "str", "theirs"], 2);
    const r = await cli(["migrate", dir, "--to", `${server.url}/2`, "--json"]);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.out);
    assert.equal(out.migrate.conflicts.length, 2); // value and TTL of "str"
    assert.equal(out.migrate.conflicts[0].key, "737472");
    const fixed = await cli(["migrate", dir, "--to", `${server.url}/2`, "--replace", "--verify"]);
    assert.equal(fixed.code, 0, fixed.out + fixed.err);
    const v = await cli(["migrate", dir, "--to", `${server.url}/2`, "--sample", "20"]);
    assert.equal(v.code, 0);
    assert.match(v.out, /verify: 20 key\(s\) checked \(a sample of \d+\), 0 difference/);
  });

  it("verify differences are exit 1, one line each", SLOW, async () => {
    await server.cli(["FLUSHDB"], 3);
    await cli(["migrate", dir, "--to", `${server.url}/3`]);
    // Keys changed on the target are conflicts: left alone, then reported by --verify.
    await server.cli(["PERSIST", "zset"], 3);
    await server.cli(["LSET", "list", "0", "changed"], 3);
    const r = await cli(["migrate", dir, "--to", `${server.url}/3`, "--verify"]);
    assert.equal(r.code, 1);
    const verifyPart = r.out.slice(r.out.indexOf("verify:"));
    assert.match(verifyPart, /verify: \d+ key\(s\) checked, 2 difference\(s\)/);
    assert.match(verifyPart, /"zset": ttl: expires at \d+ in the source, no TTL on the target/);
    assert.match(verifyPart, /"list": value: list item 0 differs/);
  });

  it(
    "usage errors are exit 2, an unreachable target exit 4, a missing source exit 3",
    SLOW,
    async () => {
      assert.equal((await cli(["migrate", dir])).code, 2);
      assert.equal((await cli(["migrate", dir, "--to", "http://x"])).code, 2);
      assert.equal(
        (await cli(["migrate", dir, "--to", server.url, "--cluster", "--db", "2"])).code,
        2,
      );
      const port = await freePort();
      const down = await cli(["migrate", dir, "--to", `redis://127.0.0.1:${port}`]);
      assert.equal(down.code, 4);
      assert.match(down.err, /connection refused/);
      const gone = await cli(["migrate", join(dir, "nope"), "--to", server.url]);
      assert.equal(gone.code, 3, gone.err);
    },
  );

  it(
    "a rediss:// target with --tls-ca: copied over TLS and verified; without the CA refused (exit 4)",
    SLOW,
    async () => {
      const tls = {
        cert: fixturePath("tls/server.crt"),
        key: fixturePath("tls/server.key"),
        ca: fixturePath("tls/ca.crt"),
      };
      const secure = await RedisServer.start({ aof: false, tls, password: "s3cret" });
      try {
        const url = `rediss://:s3cret@127.0.0.1:${secure.port}/1`;
        const r = await cli(["migrate", dir, "--to", url, "--tls-ca", tls.ca, "--verify"]);
        assert.equal(r.code, 0, r.err);
        assert.doesNotMatch(r.out + r.err, /s3cret/, "the password is never printed");
        assert.match(r.out, /verify: \d+ key\(s\) checked, 0 difference\(s\)/);
        const source = await loadDataDir(dir, 2, Date.now);
        assert.deepEqual(
          zeroSignless(await viewOfServers([secure], 1)),
          zeroSignless({ "1": viewOfSource(source)["0"]! }),
        );
        const untrusted = await cli(["migrate", dir, "--to", url]);
        assert.equal(untrusted.code, 4, untrusted.err);
        assert.doesNotMatch(untrusted.err, /s3cret/);
      } finally {
        await secure.stop();
      }
    },
  );

  it(
    "an unsupported command in the source: exit 1 naming verb, file and offset; --skip-unknown counts it",
    SLOW,
    async () => {
      const bad = join(tempDir("kevy-cli-migrate-unk-"), "data");
      await writeDataDir(bad, migrationEntries(NOW, 10), 1, "kevyhash", [
        ["SET", "x", "1"],
        ["NOSUCHVERB", "x"],
      ]);
      const r = await cli(["migrate", bad, "--to", `${server.url}/6`]);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /aof-0\.aof: unsupported command 'nosuchverb' at byte \d+/);
      assert.equal((await server.cli(["DBSIZE"], 6)).trim(), "0");
      const json = await cli(["migrate", bad, "--to", `${server.url}/6`, "--json"]);
      assert.equal(json.code, 1);
      assert.equal(JSON.parse(json.err).error.verb, "nosuchverb");
      const s = await cli([
        "migrate",
        bad,
        "--to",
        `${server.url}/6`,
        "--skip-unknown",
        "--verify",
      ]);
      assert.equal(s.code, 0, s.err);
      assert.match(s.out, /left out\s+unsupported commands \(--skip-unknown\): nosuchverb x1/);
      assert.match(s.out, /verify: \d+ key\(s\) checked, 0 difference\(s\)/);
    },
  );

  it(
    "--follow: forwards a live store's writes until SIGINT, then prints 'in sync at'",
    SLOW,
    async () => {
      const live = join(tempDir("kevy-cli-follow-"), "data");
      const [wcmd, ...wargs] = scriptCommand(writer);
      const w = spawn(wcmd!, [...wargs, live, "5", "1500"], { stdio: ["pipe", "pipe", "pipe"] });
      let wout = "";
      w.stdout!.setEncoding("utf8");
      const wdone = new Promise<number | null>((res) => w.on("close", (c) => res(c)));
      await new Promise<void>((res) =>
        w.stdout!.on("data", (d: string) => ((wout += d), wout === "ready\n" && res()))
      );
      const [cmd, ...args] = scriptCommand(bin);
      const m = spawn(cmd!, [...args, "migrate", live, "--to", `${server.url}/4`, "--follow"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      m.stdout!.setEncoding("utf8");
      m.stderr!.setEncoding("utf8");
      m.stdout!.on("data", (d: string) => (out += d));
      const mdone = new Promise<number | null>((res) => m.on("close", (c) => res(c)));
      m.stderr!.on("data", (d: string) => {
        err += d;
        if (/following /.test(err) && !w.stdin!.writableEnded) w.stdin!.end("go\n");
      });
      assert.equal(await wdone, 0);
      // The writer is done and its files are final: Ctrl-C now must still forward
      // everything (the follower makes a last pass). process.kill, not m.kill:
      // Deno's ChildProcess would report a signal death whatever the exit.
      process.kill(m.pid!, "SIGINT");
      assert.equal(await mdone, 0, err);
      assert.match(err, /lag \d+(\.\d)? [KM]?i?B, \d+ frame\(s\) forwarded/);
      assert.match(
        out,
        /in sync at aof-0\.aof:\d+ aof-1\.aof:\d+ aof-2\.aof:\d+ \(\d+ frame\(s\) forwarded/,
      );
      const source = await loadDataDir(live, 3, Date.now);
      assert.deepEqual(
        zeroSignless(await viewOfServers([server], 4)),
        zeroSignless({ "4": viewOfSource(source)["0"]! }),
      );
    },
  );
});
