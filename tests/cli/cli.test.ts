import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixturePath, readFixture, readFixtureJson, tempDir } from "../_helpers.ts";
import { cli } from "./_cli.ts";
import { nodeFs } from "../../src/fs/node.ts";
import type { FsAdapter } from "../../src/fs/types.ts";
import { parseFrame } from "../../src/codec/resp.ts";

const NOW = 1767225600000; // 2026-01-01, before every vector deadline
const vec = (p: string) => fixturePath(`vectors/${p}`);

function copyTo(dir: string, rel: string): string {
  const dst = join(dir, rel.split("/").pop()!);
  cpSync(vec(rel), dst);
  return dst;
}

describe("kevy-persist inspect", () => {
  it("describes a snapshot: version, counts per type, TTLs", async () => {
    const r = await cli(["inspect", vec("snapshot/mixed.rdb"), "--json"], { now: NOW });
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    const expected = readFixtureJson<{ keyspace: Array<{ type: string; ttl: unknown }> }>(
      "vectors/snapshot/mixed.expected.json",
    );
    assert.equal(j.kind, "snapshot");
    assert.equal(j.version, 4);
    assert.equal(j.records, expected.keyspace.length);
    assert.equal(j.withTtl, expected.keyspace.filter((k) => k.ttl !== null).length);
    assert.equal(j.problem, null);
  });
  it("describes an AOF: header, frames, verbs", async () => {
    const r = await cli(["inspect", vec("aof/basic.aof"), "--json"]);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    const expected = readFixtureJson<{ replayed: number }>("vectors/aof/basic.expected.json");
    assert.equal(j.header, true);
    assert.equal(j.frames, expected.replayed);
    assert.ok(j.verbs.SET >= 1);
  });
  it("reports a torn tail with its offset, without failing", async () => {
    const r = await cli(["inspect", vec("aof/torn_tail.aof")]);
    assert.equal(r.code, 0);
    const expected = readFixtureJson<{ consumed_bytes: number }>(
      "vectors/aof/torn_tail.expected.json",
    );
    assert.match(r.out, new RegExp(`torn tail at byte ${expected.consumed_bytes}`));
  });
  it("describes a data dir: layout, backups", async () => {
    const r = await cli(["inspect", vec("reshard/kevyhash_4to2/after"), "--json"], { now: NOW });
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    assert.deepEqual(j.meta, { n: 2, routing: "kevyhash" });
    assert.ok(j.backups.length >= 4);
    assert.equal(j.snapshots.length, 2);
  });
  it("a missing file exits 3", async () => {
    const r = await cli(["inspect", "/nonexistent/kevy/file.aof"]);
    assert.equal(r.code, 3);
    assert.match(r.err, /no such file or directory/);
  });
  it("a dir without kevy files exits 3", async () => {
    const r = await cli(["inspect", tempDir()]);
    assert.equal(r.code, 3);
    assert.match(r.err, /no kevy files/);
  });
  it("a file that is not a kevy file exits 3", async () => {
    const p = join(tempDir(), "x.bin");
    writeFileSync(p, "hello world");
    const r = await cli(["inspect", p]);
    assert.equal(r.code, 3);
    assert.match(r.err, /not a kevy file/);
  });
});

describe("kevy-persist check", () => {
  it("a sound AOF, snapshot and dir exit 0", async () => {
    assert.equal((await cli(["check", vec("aof/basic.aof")])).code, 0);
    assert.equal((await cli(["check", vec("snapshot/mixed.rdb")], { now: NOW })).code, 0);
    assert.equal((await cli(["check", vec("reshard/kevyhash_4to2/after")], { now: NOW })).code, 0);
  });
  it("a torn AOF exits 1 with the first bad offset and a hex preview", async () => {
    const r = await cli(["check", vec("aof/torn_tail.aof")]);
    const expected = readFixtureJson<{ consumed_bytes: number }>(
      "vectors/aof/torn_tail.expected.json",
    );
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`first bad byte: ${expected.consumed_bytes}`));
    assert.match(r.out, /bytes there: +[0-9a-f]+/);
  });
  it("mid-file corruption exits 1 with the offset", async () => {
    const r = await cli(["check", vec("aof/corrupt_bad_len.aof"), "--json"]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.equal(j.sound, false);
    assert.equal(j.problems[0].kind, "corrupt");
  });
  it("a truncated snapshot exits 1", async () => {
    const r = await cli(["check", vec("snapshot/err_truncated_mid_record.rdb")], { now: NOW });
    assert.equal(r.code, 1);
  });
  it("an unreadable file (no permission) exits 3 with a clear message", async () => {
    const denied: FsAdapter = {
      ...nodeFs,
      readChunks: () => {
        throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
      },
    };
    const { runCli } = await import("../../src/cli/mod.ts");
    let err = "";
    const code = await runCli(["check", vec("aof/basic.aof")], {
      out: () => {},
      err: (t) => void (err += t),
    }, { fs: denied });
    assert.equal(code, 3);
    assert.match(err, /permission denied/);
  });
});

describe("kevy-persist repair", () => {
  it("cuts a torn tail and keeps the cut bytes", async () => {
    const dir = tempDir();
    const p = copyTo(dir, "aof/torn_tail.aof");
    const before = readFileSync(p);
    const r = await cli(["repair", p]);
    assert.equal(r.code, 0, r.err);
    const expected = readFixtureJson<{ consumed_bytes: number }>(
      "vectors/aof/torn_tail.expected.json",
    );
    assert.equal(readFileSync(p).length, expected.consumed_bytes);
    const backup = readdirSync(dir).find((n) => n.includes(".torn."));
    assert.ok(backup, "backup file kept");
    assert.deepEqual(
      new Uint8Array(readFileSync(join(dir, backup!))),
      new Uint8Array(before.subarray(expected.consumed_bytes)),
    );
    assert.equal((await cli(["check", p])).code, 0);
  });
  it("refuses mid-file corruption without --truncate-at-corruption (exit 4, nothing changed)", async () => {
    const dir = tempDir();
    const p = copyTo(dir, "aof/corrupt_bad_count.aof");
    const before = readFileSync(p);
    const r = await cli(["repair", p]);
    assert.equal(r.code, 4);
    assert.deepEqual(readFileSync(p), before);
  });
  it("with --truncate-at-corruption but no terminal and no --yes: says what would be lost, refuses", async () => {
    const dir = tempDir();
    const p = copyTo(dir, "aof/corrupt_bad_count.aof");
    const before = readFileSync(p);
    const r = await cli(["repair", p, "--truncate-at-corruption"], { confirm: null });
    assert.equal(r.code, 4);
    assert.match(r.err, /loses \d+ byte\(s\)/);
    assert.deepEqual(readFileSync(p), before);
  });
  it("a 'no' answer changes nothing; --yes cuts at the corruption and keeps the rest", async () => {
    const dir = tempDir();
    const p = copyTo(dir, "aof/corrupt_bad_count.aof");
    const before = readFileSync(p);
    assert.equal(
      (await cli(["repair", p, "--truncate-at-corruption"], { confirm: false })).code,
      4,
    );
    assert.deepEqual(readFileSync(p), before);
    const r = await cli(["repair", p, "--truncate-at-corruption", "--yes", "--json"]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(readFileSync(p).length, j.offset);
    assert.equal((await cli(["check", p])).code, 0);
  });
  it("refuses a snapshot (exit 3)", async () => {
    const r = await cli(["repair", vec("snapshot/mixed.rdb")]);
    assert.equal(r.code, 3);
  });
});

describe("kevy-persist dump", () => {
  it("jsonl of a snapshot is the vector's keyspace", async () => {
    const r = await cli(["dump", vec("snapshot/mixed.rdb")], { now: NOW });
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l));
    const expected = readFixtureJson<{ keyspace: unknown[] }>(
      "vectors/snapshot/mixed.expected.json",
    );
    assert.deepEqual(lines, expected.keyspace);
  });
  it("jsonl of an AOF is the vector's keyspace", async () => {
    const r = await cli(["dump", vec("aof/rewrite.aof")], { now: NOW });
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l));
    const expected = readFixtureJson<{ keyspace: Array<{ key: string }> }>(
      "vectors/aof/rewrite.expected.json",
    );
    assert.deepEqual(lines.map((l) => l.key), expected.keyspace.map((k) => k.key));
  });
  it("resp output is a sequence of valid frames", async () => {
    const r = await cli(["dump", vec("snapshot/mixed.rdb"), "--format", "resp"], { now: NOW });
    assert.equal(r.code, 0, r.err);
    let off = 0;
    let frames = 0;
    while (off < r.bytes.length) {
      const f = parseFrame(r.bytes, off);
      assert.equal(f.kind, "frame");
      if (f.kind !== "frame") break;
      off = f.end;
      frames++;
    }
    assert.ok(frames > 0);
  });
  it("a bad --format is a usage error", async () => {
    assert.equal((await cli(["dump", vec("aof/basic.aof"), "--format", "xml"])).code, 2);
  });
  it("corrupt input exits 1", async () => {
    const r = await cli(["dump", vec("aof/corrupt_bad_len.aof")], { now: NOW });
    assert.equal(r.code, 1);
  });
});

describe("kevy-persist convert", () => {
  it("snapshot -> AOF -> snapshot keeps the keyspace", async () => {
    const dir = tempDir();
    const aof = join(dir, "x.aof");
    const rdb = join(dir, "y.rdb");
    assert.equal((await cli(["convert", vec("snapshot/mixed.rdb"), aof], { now: NOW })).code, 0);
    assert.equal((await cli(["convert", aof, rdb, "--to", "kevy-snapshot"], { now: NOW })).code, 0);
    const a = await cli(["dump", vec("snapshot/mixed.rdb")], { now: NOW });
    const b = await cli(["dump", rdb], { now: NOW });
    assert.equal(b.out, a.out);
  });
  it("refuses to overwrite an existing destination (exit 3)", async () => {
    const dir = tempDir();
    const dst = join(dir, "y.rdb");
    writeFileSync(dst, "keep me");
    const r = await cli(["convert", vec("aof/basic.aof"), dst], { now: NOW });
    assert.equal(r.code, 3);
    assert.equal(readFileSync(dst, "utf8"), "keep me");
  });
});

describe("kevy-persist reshard", () => {
  it("moves a 4-shard dir to 2 shards, keeping backups", async () => {
    const dir = tempDir();
    cpSync(vec("reshard/kevyhash_4to2/before"), dir, { recursive: true });
    const before = await cli(["dump", dir], { now: NOW });
    const r = await cli(["reshard", dir, "--shards", "2"], { now: NOW });
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(join(dir, "shards.meta"), "utf8"), "2\nkevyhash\n");
    assert.ok(readdirSync(dir).some((n) => n.includes(".premigration.")));
    const after = await cli(["dump", dir], { now: NOW });
    assert.equal(after.out, before.out);
  });
  it("--shards is required and checked", async () => {
    const dir = tempDir();
    cpSync(vec("reshard/kevyhash_4to2/before"), dir, { recursive: true });
    assert.equal((await cli(["reshard", dir])).code, 2);
    assert.equal((await cli(["reshard", dir, "--shards", "0"])).code, 2);
    assert.equal((await cli(["reshard", dir, "--shards", "2", "--routing", "ring"])).code, 2);
  });
});

void readFixture;

describe("kevy-persist bench", () => {
  it("measures a small run and prints a table (or JSON)", async () => {
    const r = await cli(["bench", "--keys", "2000", "--json"]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.n, 2000);
    assert.deepEqual(j.results.map((x: { op: string }) => x.op), [
      "fill store",
      "snapshot save (durable)",
      "snapshot load",
      "aof append (fsync no)",
      "aof replay + apply",
    ]);
    for (const x of j.results) assert.ok(x.secs >= 0 && x.perSec > 0);
  });
  it("a bad --keys is a usage error", async () => {
    assert.equal((await cli(["bench", "--keys", "-5"])).code, 2);
  });
});

describe("kevy-persist: read-only commands", () => {
  it("inspect, check and dump modify nothing (files and names unchanged)", async () => {
    const dir = tempDir();
    cpSync(vec("reshard/kevyhash_4to2/before"), dir, { recursive: true });
    cpSync(vec("aof/torn_tail.aof"), join(dir, "aof-3.aof"));
    const state = () =>
      readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n)).toString("hex")]);
    const before = state();
    for (
      const argv of [["inspect", dir], ["check", dir], ["dump", dir], [
        "dump",
        dir,
        "--format",
        "resp",
      ]]
    ) {
      const r = await cli(argv, { now: NOW });
      assert.ok(r.code === 0 || r.code === 1, `${argv.join(" ")} -> ${r.code}: ${r.err}`);
      assert.equal(r.err, "", "no progress output when stderr is not a terminal");
    }
    assert.deepEqual(state(), before);
  });
});
