import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixturePath, readFixture, readFixtureJson, tempDir, utf8 } from "../_helpers.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import {
  RedisAofLayoutError,
  type RedisAofReplayStats,
  RedisAofTimestampError,
  replayRedisAof,
} from "../../src/redis/aof.ts";
import { aofDir, cat, text, tornBytes, tornDir } from "./_aof_dirs.ts";

const WORKLOAD = fixturePath("redis/aof-resp-workload/appendonlydir");
const TIMESTAMPS = fixturePath("redis/aof-resp-timestamps/appendonlydir");

async function collect(
  path: string,
  opts: Parameters<typeof replayRedisAof>[2] = {},
): Promise<{ cmds: string[]; argvs: Uint8Array[][]; stats: RedisAofReplayStats }> {
  const argvs: Uint8Array[][] = [];
  const stats = await replayRedisAof(path, (a) => argvs.push(a), opts);
  return { cmds: argvs.map(text), argvs, stats };
}

const CLEAN_CMDS = [
  "SELECT 0",
  "SET k0 v0",
  "SET k1 v1",
  "SET k2 v2",
  "SET k3 v3",
  "SET k4 v4",
  "MULTI",
  "SET tx 1",
  "INCR tx",
  "EXEC",
  "RPUSH list a b",
];

describe("replayRedisAof: point in time (untilUnixSeconds) it cannot honour", () => {
  it("a stop point before the base's first #TS: is an error, not an empty keyspace", async () => {
    // The base is "#TS:1795345140": nothing is known about the data before it.
    await assert.rejects(
      collect(TIMESTAMPS, { untilUnixSeconds: 1795345139 }),
      (e) =>
        e instanceof RedisAofTimestampError && e.untilUnixSeconds === 1795345139 &&
        e.path.endsWith("appendonly.aof.1.base.aof") && /before the first #TS:/.test(e.message),
    );
  });

  it("files without any #TS: annotation cannot be cut at a point in time", async () => {
    await assert.rejects(
      collect(WORKLOAD, { untilUnixSeconds: 1795345139 }),
      (e) => e instanceof RedisAofTimestampError && /no #TS: annotation/.test(e.message),
    );
  });
});

describe("replayRedisAof: where the files are", () => {
  it("reads a Redis 7 appendonlydir: empty base, then the incr file's 145 commands", async () => {
    const { stats } = await collect(WORKLOAD);
    assert.equal(stats.files, 2);
    assert.deepEqual(stats.paths.map((p) => p.split("/").pop()), [
      "appendonly.aof.1.base.aof",
      "appendonly.aof.1.incr.aof",
    ]);
    assert.equal(stats.frames, 145);
    assert.equal(stats.bytes, 429498);
    assert.equal(stats.torn, null);
    assert.equal(stats.annotations, 0);
    assert.equal(stats.stoppedAt, null);
  });

  it("accepts the manifest path and the data directory holding appendonlydir/", async () => {
    const viaDir = await collect(WORKLOAD);
    const viaManifest = await collect(join(WORKLOAD, "appendonly.aof.manifest"));
    const viaParent = await collect(fixturePath("redis/aof-resp-workload"));
    assert.deepEqual(viaManifest.argvs, viaDir.argvs);
    assert.deepEqual(viaParent.argvs, viaDir.argvs);
  });

  it("accepts a single pre-7 appendonly.aof file", async () => {
    const dir = tempDir("kevy-redis-single-");
    const file = join(dir, "appendonly.aof");
    copyFileSync(join(WORKLOAD, "appendonly.aof.1.incr.aof"), file);
    const single = await collect(file);
    assert.equal(single.stats.files, 1);
    assert.deepEqual(single.argvs, (await collect(WORKLOAD)).argvs);
  });

  it("loads the base before the incr files, in manifest order, and skips history files", async () => {
    const dir = tempDir("kevy-redis-order-");
    const frame = (s: string) => utf8(`*2\r\n$3\r\nGET\r\n$${s.length}\r\n${s}\r\n`);
    writeFileSync(join(dir, "b.aof"), frame("base"));
    writeFileSync(join(dir, "h.aof"), frame("history"));
    writeFileSync(join(dir, "i5.aof"), frame("five"));
    writeFileSync(join(dir, "i9 x.aof"), frame("nine"));
    writeFileSync(
      join(dir, "appendonly.aof.manifest"),
      "# comment\nfile h.aof seq 1 type h\nfile i5.aof seq 5 type i\nfile b.aof seq 2 type b\n" +
        'file "i9 x.aof" seq 9 type i extra ignored\n',
    );
    const { cmds, stats } = await collect(dir);
    assert.deepEqual(cmds, ["GET base", "GET five", "GET nine"]);
    assert.equal(stats.files, 3);
  });

  it("an RDB base (aof-use-rdb-preamble yes) is read: its keys as commands, then the incr file", async () => {
    const { cmds, stats } = await collect(
      fixturePath("redis/aof-rdbpreamble-after-rewrite/appendonlydir"),
    );
    assert.equal(stats.rdb.length, 1);
    assert.ok(stats.rdb[0]!.path.endsWith("appendonly.aof.2.base.rdb"));
    assert.equal(stats.rdb[0]!.version, 10);
    assert.ok(stats.rdb[0]!.keys > 0);
    assert.ok(cmds.length > stats.frames);
  });

  it("layout problems are RedisAofLayoutError: no manifest, two manifests, a missing file", async () => {
    const empty = tempDir("kevy-redis-empty-");
    await assert.rejects(collect(empty), RedisAofLayoutError);
    await assert.rejects(collect(join(empty, "nope")), RedisAofLayoutError);
    const two = aofDir([]);
    writeFileSync(join(two, "other.manifest"), "file x seq 1 type b\n");
    await assert.rejects(collect(two), /several manifests/);
    const missing = aofDir([]);
    writeFileSync(
      join(missing, "appendonly.aof.manifest"),
      "file appendonly.aof.1.base.aof seq 1 type b\nfile gone.aof seq 1 type i\n",
    );
    await assert.rejects(collect(missing), /gone\.aof: listed in .* but missing/);
  });

  it("a bad manifest is a CorruptFileError naming the manifest", async () => {
    const dir = aofDir([]);
    writeFileSync(join(dir, "appendonly.aof.manifest"), "file a seq 1 type x\n");
    await assert.rejects(
      collect(dir),
      (e: unknown) =>
        e instanceof CorruptFileError && e.path.endsWith(".manifest") && e.offset === 0,
    );
  });
});

describe("replayRedisAof: commands and annotations", () => {
  it("delivers MULTI ... EXEC together and keeps every byte of binary arguments", async () => {
    const { cmds } = await collect(tornDir("clean"));
    assert.deepEqual(cmds, CLEAN_CMDS);
    const bin = aofDir([
      cat(
        utf8("*3\r\n$3\r\nSET\r\n$3\r\n"),
        new Uint8Array([0, 13, 10]),
        utf8("\r\n$1\r\n"),
        new Uint8Array([0xff]),
        utf8("\r\n"),
      ),
    ]);
    const { argvs } = await collect(bin);
    assert.deepEqual(argvs[0]![1], new Uint8Array([0, 13, 10]));
    assert.deepEqual(argvs[0]![2], new Uint8Array([0xff]));
  });

  it("gives the same commands whatever the read size (chunk boundaries anywhere)", async () => {
    const whole = await collect(WORKLOAD);
    for (const chunkBytes of [1, 7, 4096]) {
      const small = await collect(tornDir("clean"), { chunkBytes });
      assert.deepEqual(small.cmds, CLEAN_CMDS);
    }
    const chunked = await collect(WORKLOAD, { chunkBytes: 1000 });
    assert.deepEqual(chunked.argvs, whole.argvs);
    await assert.rejects(collect(WORKLOAD, { chunkBytes: 0 }), RangeError);
  });

  it("skips #TS annotations, in the base and in the incr file", async () => {
    const { cmds, stats } = await collect(TIMESTAMPS);
    assert.equal(stats.annotations, 3);
    assert.ok(!cmds.some((c) => c.startsWith("#")));
    assert.deepEqual(cmds.filter((c) => c.startsWith("SET")), [
      "SET ts:0 0",
      "SET ts:1 1",
      "SET ts:2 2",
    ]);
  });

  it("untilUnixSeconds stops at the first #TS above it, like --truncate-to-timestamp", async () => {
    const { cmds, stats } = await collect(TIMESTAMPS, { untilUnixSeconds: 1795345141 });
    assert.deepEqual(cmds, ["SELECT 0", "SET ts:0 0", "INCR ts:n", "SET ts:1 1", "INCR ts:n"]);
    assert.equal(stats.stoppedAt?.timestamp, 1795345142);
    assert.ok(stats.stoppedAt?.path.endsWith("appendonly.aof.1.incr.aof"));
    assert.equal(stats.torn, null);
    const after = await collect(TIMESTAMPS, { untilUnixSeconds: 1795345142 });
    assert.equal(after.stats.stoppedAt, null);
    assert.equal(after.cmds.length, (await collect(TIMESTAMPS)).cmds.length);
  });
});

interface TornResult {
  size: number;
  clean_size: number;
  "aof-load-truncated=yes": { started: boolean; dbsize?: number; incr_size_after?: number };
}

describe("replayRedisAof: torn tails (tests/fixtures/redis/aof-torn/results.json)", () => {
  const results = readFixtureJson<Record<string, TornResult>>("redis/aof-torn/results.json");
  const reasons: Record<string, string> = {
    "torn-after-star": "incomplete",
    "torn-mid-bulk": "incomplete",
    "torn-mid-header": "incomplete",
    "torn-missing-final-crlf": "incomplete",
    "unfinished-multi": "unfinished-multi",
    "zero-filled-tail": "zero-filled",
  };
  for (const [variant, r] of Object.entries(results)) {
    it(`${variant}: loads up to byte ${r.clean_size}, like Redis with aof-load-truncated yes`, async () => {
      for (const chunkBytes of [1, 1 << 20]) {
        const { cmds, stats } = await collect(tornDir(variant), { chunkBytes });
        assert.deepEqual(cmds, CLEAN_CMDS);
        if (variant === "clean") {
          assert.equal(stats.torn, null);
          assert.equal(stats.bytes, r.size);
          continue;
        }
        // Redis refuses the zero-filled tail; we report it as a torn tail (fixture README).
        if (variant !== "zero-filled-tail") {
          assert.equal(r["aof-load-truncated=yes"].incr_size_after, r.clean_size);
        }
        assert.equal(stats.torn?.offset, r.clean_size);
        assert.equal(stats.torn?.bytes, r.size - r.clean_size);
        assert.equal(stats.torn?.reason, reasons[variant]);
        assert.ok(stats.torn?.path.endsWith("appendonly.aof.1.incr.aof"));
        assert.equal(stats.bytes, r.clean_size);
      }
    });
  }

  it("a torn base is fine when it is the only file", async () => {
    const dir = tempDir("kevy-redis-onlybase-");
    writeFileSync(join(dir, "b.aof"), tornBytes("torn-mid-bulk"));
    writeFileSync(join(dir, "m.manifest"), "file b.aof seq 1 type b\n");
    const { cmds, stats } = await collect(dir);
    assert.deepEqual(cmds, CLEAN_CMDS);
    assert.equal(stats.torn?.offset, 286);
  });

  for (const variant of ["torn-mid-bulk", "unfinished-multi", "zero-filled-tail"]) {
    it(`${variant} in a file that is not the last one is a CorruptFileError`, async () => {
      const dir = aofDir([tornBytes(variant), tornBytes("clean")]);
      await assert.rejects(
        collect(dir),
        (e: unknown) =>
          e instanceof CorruptFileError && e.offset === 286 &&
          e.path.endsWith("appendonly.aof.1.incr.aof") &&
          /only the last AOF file may end early/.test(e.expected),
      );
    });
  }

  it("a torn base followed by an incr file is a CorruptFileError", async () => {
    const dir = aofDir([tornBytes("clean")], tornBytes("torn-after-star"));
    await assert.rejects(
      collect(dir),
      (e: unknown) => e instanceof CorruptFileError && e.offset === 286,
    );
  });
});

describe("replayRedisAof: corruption in the middle", () => {
  const clean = () => tornBytes("clean");

  it("a zero-filled region followed by data is a CorruptFileError at the first zero", async () => {
    for (const chunkBytes of [3, 1 << 20]) {
      const dir = aofDir([cat(clean(), new Uint8Array(512), clean())]);
      const seen: string[] = [];
      await assert.rejects(
        replayRedisAof(dir, (a) => seen.push(text(a)), { chunkBytes }),
        (e: unknown) =>
          e instanceof CorruptFileError && e.offset === 286 && e.preview === "00".repeat(16) &&
          /zero-filled region from byte 286, followed by data at byte 798/.test(e.expected),
      );
      assert.deepEqual(seen, CLEAN_CMDS); // what came before was applied
    }
  });

  it("zeros inside a frame, then data, are a CorruptFileError at the frame start", async () => {
    const torn = utf8("*3\r\n$3\r\nSET\r\n");
    const dir = aofDir([cat(clean(), torn, new Uint8Array(40), utf8("*1\r\n$4\r\nPING\r\n"))]);
    await assert.rejects(
      collect(dir),
      (e: unknown) => e instanceof CorruptFileError && e.offset === 286,
    );
  });

  it("zeros inside the last frame up to EOF are a torn tail", async () => {
    const dir = aofDir([cat(clean(), utf8("*3\r\n$3\r\nSET\r\n"), new Uint8Array(40))]);
    const { stats } = await collect(dir);
    assert.deepEqual(stats.torn && [stats.torn.offset, stats.torn.reason, stats.torn.bytes], [
      286,
      "zero-filled",
      13 + 40,
    ]);
  });

  it("an inline command or a reply in the log is a CorruptFileError with what was expected", async () => {
    for (const junk of ["PING\r\n", "+OK\r\n", "*0\r\n", "*1\r\n:5\r\n"]) {
      const dir = aofDir([cat(clean(), utf8(junk), clean())]);
      await assert.rejects(
        collect(dir),
        (e: unknown) => e instanceof CorruptFileError && e.offset === 286 && e.expected.length > 0,
        junk,
      );
    }
  });

  it("an over-long annotation line is a CorruptFileError; an unterminated one at EOF is skipped", async () => {
    const long = aofDir([cat(clean(), utf8("#" + "x".repeat(2000) + "\n"))]);
    await assert.rejects(
      collect(long),
      (e: unknown) => e instanceof CorruptFileError && e.offset === 286,
    );
    const { cmds, stats } = await collect(aofDir([cat(clean(), utf8("#TS:17"))]));
    assert.deepEqual(cmds, CLEAN_CMDS);
    assert.equal(stats.annotations, 1);
    assert.equal(stats.torn, null);
  });

  it("an RDB-encoded incr file is read like a base (Redis reads any AOF file that way)", async () => {
    const dir = aofDir([
      readFixture("redis/aof-rdbpreamble-after-rewrite/appendonlydir/appendonly.aof.2.base.rdb"),
    ]);
    const { stats } = await collect(dir);
    assert.equal(stats.rdb.length, 1);
    assert.equal(stats.torn, null);
  });
});

describe("replayRedisAof: a damaged length in the middle is not a torn tail", () => {
  it("refuses a length that swallows well-formed frames (Redis would truncate them away)", async () => {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) frames.push(utf8("*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n"));
    frames[20] = utf8("*2\r\n$4\r\nINCR\r\n$99999\r\nc\r\n");
    const at = 20 * frames[0]!.length;
    for (const chunkBytes of [3, 64, 1 << 20]) {
      await assert.rejects(
        collect(aofDir([cat(...frames)]), { chunkBytes }),
        (e: unknown) =>
          e instanceof CorruptFileError && e.offset === at &&
          /well-formed frame starts at byte/.test(e.message),
      );
    }
    frames.length = 21; // the damaged frame is last: a torn tail
    const { stats } = await collect(aofDir([cat(...frames)]));
    assert.equal(stats.torn?.offset, at);
  });
});
