import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { encodeCommand } from "../../src/codec/resp.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import { tempDir, utf8 } from "../_helpers.ts";
import { cli } from "./_cli.ts";

// Every CLI command that reads a log refuses an unknown verb (exit 1) with the
// verb, the file and the byte offset, instead of a silently smaller keyspace.

const FRAMES = [
  encodeCommand(["SELECT", "0"]),
  encodeCommand(["MULTI"]),
  encodeCommand(["SET", "tx:a", "1"]),
  encodeCommand(["NOSUCHVERB", "tx:s", "*", "f", "v"]),
  encodeCommand(["EXEC"]),
];
const AT = FRAMES.slice(0, 3).reduce((n, f) => n + f.length, 0);

function redisDir(): string {
  const dir = tempDir("kevy-cli-unknown-");
  writeFileSync(join(dir, "appendonly.aof.1.base.aof"), new Uint8Array(0));
  writeFileSync(join(dir, "appendonly.aof.1.incr.aof"), concatBytes(FRAMES));
  writeFileSync(
    join(dir, "appendonly.aof.manifest"),
    "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
  );
  return dir;
}

describe("CLI on a Redis AOF with an unknown verb", () => {
  it("dump exits 1 naming the verb, the file and the offset", async () => {
    const dir = redisDir();
    const r = await cli(["dump", dir]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      new RegExp(
        `appendonly\\.aof\\.1\\.incr\\.aof: unsupported command 'nosuchverb' at byte ${AT}`,
      ),
    );
  });

  it("check reports it as a problem (exit 1) instead of sound", async () => {
    const dir = redisDir();
    const r = await cli(["check", dir]);
    assert.equal(r.code, 1);
    assert.match(r.out + r.err, /nosuchverb/);
  });
});

describe("CLI on a kevy AOF with an unknown verb", () => {
  it("dump and check exit 1", async () => {
    const path = join(tempDir("kevy-cli-unknown-"), "aof-0.aof");
    const frames = [utf8("KEVYAOF1\n"), encodeCommand(["SET", "a", "1"]), encodeCommand(["FROB"])];
    writeFileSync(path, concatBytes(frames));
    const d = await cli(["dump", path]);
    assert.equal(d.code, 1);
    const at = frames[0]!.length + frames[1]!.length;
    assert.match(d.err, new RegExp(`unsupported command .frob. at byte ${at} `));
    const c = await cli(["check", path]);
    assert.equal(c.code, 1);
    assert.match(c.out + c.err, /frob/);
  });
});

describe("CLI --skip-unknown", () => {
  it("dump leaves the command out, keeps the transaction and reports the count on stderr", async () => {
    const r = await cli(["dump", redisDir(), "--skip-unknown"]);
    assert.equal(r.code, 0);
    assert.match(r.err, /skipped unsupported commands: nosuchverb x1/);
    assert.deepEqual(r.out.trim().split("\n").map((l) => JSON.parse(l).key), [
      Buffer.from("tx:a").toString("hex"),
    ]);
  });

  it("check passes and names what it skipped; inspect shows it", async () => {
    const dir = redisDir();
    const c = await cli(["check", dir, "--skip-unknown"]);
    assert.equal(c.code, 0);
    assert.match(c.out, /OK \(skipped unsupported commands: nosuchverb x1\)/);
    const j = await cli(["check", dir, "--skip-unknown", "--json"]);
    assert.deepEqual(JSON.parse(j.out).skipped, { nosuchverb: 1 });
    const i = await cli(["inspect", dir, "--skip-unknown"]);
    assert.equal(i.code, 0);
    assert.match(i.out, /skipped\s+nosuchverb x1/);
  });

  it("convert refuses by default and converts with the flag", async () => {
    const dst = join(tempDir("kevy-cli-unknown-"), "out.rdb");
    const refused = await cli(["convert", redisDir(), dst, "--to", "kevy-snapshot"]);
    assert.equal(refused.code, 1);
    const done = await cli(["convert", redisDir(), dst, "--to", "kevy-snapshot", "--skip-unknown"]);
    assert.equal(done.code, 0);
    assert.match(done.err, /nosuchverb x1/);
  });

  it("reshard refuses by default and re-shards with the flag", async () => {
    const dir = tempDir("kevy-cli-unknown-");
    const frames = [utf8("KEVYAOF1\n"), encodeCommand(["SET", "a", "1"]), encodeCommand(["FROB"])];
    writeFileSync(join(dir, "aof-0.aof"), concatBytes(frames));
    const refused = await cli(["reshard", dir, "--shards", "2"]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /'frob'/);
    const done = await cli(["reshard", dir, "--shards", "2", "--skip-unknown"]);
    assert.equal(done.code, 0, done.err);
    assert.match(done.err, /re-shard of .*: skipped unsupported commands: frob x1/);
  });

  it("dump of a kevy data dir reports what it skipped, per verb", async () => {
    const dir = tempDir("kevy-cli-unknown-");
    const frames = [utf8("KEVYAOF1\n"), encodeCommand(["SET", "a", "1"]), encodeCommand(["FROB"])];
    writeFileSync(join(dir, "aof-0.aof"), concatBytes(frames));
    writeFileSync(join(dir, "aof-1.aof"), concatBytes(frames));
    const refused = await cli(["dump", dir]);
    assert.equal(refused.code, 1);
    const done = await cli(["dump", dir, "--skip-unknown"]);
    assert.equal(done.code, 0, done.err);
    assert.match(done.err, /skipped unsupported commands: frob x2/);
  });
});

describe("CLI on a refused form of a known verb", () => {
  it("check refuses FUNCTION RESTORE (a form the applier does not support) like dump does", async () => {
    const dir = tempDir("kevy-cli-unknown-");
    writeFileSync(join(dir, "appendonly.aof.1.base.aof"), new Uint8Array(0));
    const frames = [encodeCommand(["SET", "a", "1"]), encodeCommand(["FUNCTION", "RESTORE", "x"])];
    writeFileSync(join(dir, "appendonly.aof.1.incr.aof"), concatBytes(frames));
    writeFileSync(
      join(dir, "appendonly.aof.manifest"),
      "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    const c = await cli(["check", dir]);
    assert.equal(c.code, 1);
    assert.match(c.out + c.err, new RegExp(`'function' at byte ${frames[0]!.length}`));
    const d = await cli(["dump", dir]);
    assert.equal(d.code, 1);
    assert.match(d.err, /FUNCTION RESTORE is not supported/);
  });
});

describe("CLI convert keeps function libraries or says why not", () => {
  it("to a kevy snapshot: exit 1 (no place for them) unless --skip-functions; to a kevy AOF: kept", async () => {
    const dir = tempDir("kevy-cli-functions-");
    const lib = "#!lua name=cv\nredis.register_function('cv_f', function() return 1 end)";
    writeFileSync(join(dir, "appendonly.aof.1.base.aof"), new Uint8Array(0));
    writeFileSync(
      join(dir, "appendonly.aof.1.incr.aof"),
      concatBytes([encodeCommand(["SET", "k", "v"]), encodeCommand(["FUNCTION", "LOAD", lib])]),
    );
    writeFileSync(
      join(dir, "appendonly.aof.manifest"),
      "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    const out = tempDir("kevy-cli-functions-out-");
    const refused = await cli(["convert", dir, join(out, "dump-0.rdb")]);
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.err, /1 function library .*no place for them/);
    const skipped = await cli(["convert", dir, join(out, "dump-1.rdb"), "--skip-functions"]);
    assert.equal(skipped.code, 0, skipped.err);
    assert.match(skipped.err, /left out 1 function library/);
    const kept = await cli(["convert", dir, join(out, "c.aof")]);
    assert.equal(kept.code, 0, kept.err);
    const back = await cli([
      "convert",
      join(out, "c.aof"),
      join(out, "d.aof"),
      "--aof-format",
      "2",
    ]);
    assert.equal(back.code, 0, back.err);
    for (const f of ["c.aof", "d.aof"]) {
      assert.ok(Buffer.from(readFileSync(join(out, f))).includes("name=cv"), f);
    }
  });
});
