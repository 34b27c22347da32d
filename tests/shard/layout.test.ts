import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../_helpers.ts";
import { ensureLayout } from "../../src/shard/layout.ts";
import {
  commitReshard,
  mergeSources,
  redistribute,
  shardLayout,
  STANDARD_LAYOUT,
} from "../../src/shard/reshard.ts";
import { shardIndex } from "../../src/shard/routing.ts";
import { Store, whileLoading } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";

const T2100 = 4102444800000;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const KH2 = { n: 2, routing: "kevyhash" as const };

/** A 4-shard kevyhash dir with snapshots (all types, TTLs) and two AOFs. Returns its keyspace. */
async function seed4(dir: string): Promise<ReturnType<typeof dumpKeyspace>> {
  const stores = [0, 1, 2, 3].map(() => new Store());
  const all = new Store();
  const run = (argv: string[], into: Store[]): void => {
    applyCommand(into[shardIndex(enc(argv[1]!), 4, "kevyhash")]!, argv);
    applyCommand(all, argv);
  };
  for (let i = 0; i < 200; i++) {
    run(["SET", `k:${i}`, `v${i}`], stores);
    if (i % 7 === 0) run(["PEXPIREAT", `k:${i}`, String(T2100 + i)], stores);
  }
  run(["HSET", "h", "f", "v"], stores);
  run(["ZADD", "z", "-0", "m", "1e300", "n"], stores);
  run(["RPUSH", "l", "a", "b"], stores);
  for (let i = 0; i < 4; i++) await saveSnapshot(stores[i]!, join(dir, `dump-${i}.rdb`));
  const aof: Uint8Array[][] = [[AOF_MAGIC], [AOF_MAGIC], [AOF_MAGIC], [AOF_MAGIC]];
  for (
    const argv of [["SET", "k:3", "from-aof"], ["DEL", "k:4"], ["SET", "fresh", "x"], [
      "PEXPIREAT",
      "fresh",
      String(T2100 + 1),
    ]]
  ) {
    aof[shardIndex(enc(argv[1]!), 4, "kevyhash")]!.push(encodeCommand(argv));
    applyCommand(all, argv);
  }
  for (let i = 0; i < 4; i++) {
    if (aof[i]!.length > 1) writeFileSync(join(dir, `aof-${i}.aof`), concatBytes(aof[i]!));
  }
  writeFileSync(join(dir, "shards.meta"), "4\nkevyhash\n");
  return dumpKeyspace(all);
}

async function keyspaceOf(
  dir: string,
  n: number,
  layout = STANDARD_LAYOUT,
): Promise<ReturnType<typeof dumpKeyspace>> {
  const s = new Store();
  await mergeSources(dir, n, layout, s, applyCommand);
  return dumpKeyspace(s);
}

describe("ensureLayout: deciding what to do", () => {
  it("creates the directory and writes shards.meta for a fresh dir", async () => {
    const dir = join(tempDir("kevy-layout-"), "new", "data");
    const r = await ensureLayout(dir, { n: 3, routing: "slots" });
    assert.deepEqual(r, { action: "created", to: { n: 3, routing: "slots" }, recovered: "none" });
    assert.deepEqual(readdirSync(dir), ["shards.meta"]);
    assert.equal(readFileSync(join(dir, "shards.meta"), "utf8"), "3\nslots\n");
  });

  it("does nothing when shards.meta already holds the target's v2 text", async () => {
    const dir = tempDir("kevy-layout-");
    writeFileSync(join(dir, "shards.meta"), "2\nkevyhash\n");
    writeFileSync(join(dir, "dump-0.rdb"), "not even parsed");
    const r = await ensureLayout(dir, KH2);
    assert.equal(r.action, "none");
    assert.deepEqual(r.from, KH2);
    assert.equal(readFileSync(join(dir, "dump-0.rdb"), "utf8"), "not even parsed");
  });

  it("rewrites a v1 shards.meta as v2 without re-sharding", async () => {
    const dir = tempDir("kevy-layout-");
    writeFileSync(join(dir, "shards.meta"), "2");
    const r = await ensureLayout(dir, KH2);
    assert.equal(r.action, "created");
    assert.deepEqual(r.from, KH2);
    assert.equal(readFileSync(join(dir, "shards.meta"), "utf8"), "2\nkevyhash\n");
  });

  it("infers the count from file names when there is no meta (or an unknown routing tag)", async () => {
    for (const meta of [null, "2\nfuture-scheme\n"]) {
      const dir = tempDir("kevy-layout-");
      if (meta !== null) writeFileSync(join(dir, "shards.meta"), meta);
      const a = new Store();
      applyCommand(a, ["SET", "a", "1"]);
      await saveSnapshot(a, join(dir, "dump-1.rdb"));
      const r = await ensureLayout(dir, KH2);
      assert.equal(r.action, "created", String(meta));
      assert.deepEqual(r.from, KH2);
      assert.ok(existsSync(join(dir, "dump-1.rdb")));
    }
  });

  it("treats a shards.meta of 0 as absent and re-shards the files it finds (kevy would ignore them)", async () => {
    const dir = tempDir("kevy-layout-");
    const expected = await seed4(dir);
    writeFileSync(join(dir, "shards.meta"), "0\nkevyhash\n");
    const r = await ensureLayout(dir, KH2);
    assert.equal(r.action, "resharded");
    assert.deepEqual(r.from, { n: 4, routing: "kevyhash" });
    assert.deepEqual(await keyspaceOf(dir, 2), expected);
  });

  it("counts a custom single-file pair as a 1-shard layout when there is no meta", async () => {
    const dir = tempDir("kevy-layout-");
    const layout = shardLayout({ snapshot: "data.rdb", aof: "data.aof" });
    const s = new Store();
    applyCommand(s, ["SET", "x", "1"]);
    await saveSnapshot(s, join(dir, "data.rdb"));
    writeFileSync(
      join(dir, "data.aof"),
      concatBytes([AOF_MAGIC, encodeCommand(["SET", "y", "2"])]),
    );
    const r = await ensureLayout(dir, KH2, undefined, { layout });
    assert.equal(r.action, "resharded");
    assert.deepEqual(r.sources, ["data.rdb", "data.aof"]);
    const ks = await keyspaceOf(dir, 2, layout);
    assert.deepEqual(ks.map((k) => k.key), ["78", "79"]);
  });

  it("rejects a bad target before touching the disk", async () => {
    const dir = join(tempDir("kevy-layout-"), "d");
    await assert.rejects(ensureLayout(dir, { n: 0, routing: "kevyhash" }), RangeError);
    await assert.rejects(ensureLayout(dir, { n: 2, routing: "crc" as "slots" }), TypeError);
    assert.equal(existsSync(dir), false);
  });
});

describe("ensureLayout: re-sharding on the real filesystem", () => {
  it("round-trips 4 -> 2 -> 1 -> 4 with an identical keyspace (TTLs exact)", async () => {
    const dir = tempDir("kevy-layout-");
    const expected = await seed4(dir);
    assert.ok(expected.filter((k) => k.ttl !== null).length > 20);
    let prev = 4;
    const stamps: bigint[] = [];
    let sources = 0;
    for (const n of [2, 1, 4]) {
      const r = await ensureLayout(dir, { n, routing: "kevyhash" });
      assert.equal(r.action, "resharded");
      assert.equal(r.from?.n, prev);
      assert.equal(r.keys, expected.length);
      stamps.push(r.stamp!);
      sources += r.sources!.length;
      assert.deepEqual(await keyspaceOf(dir, n), expected, `after -> ${n}`);
      const live = readdirSync(dir).filter((f) => !f.includes(".premigration."));
      assert.deepEqual(
        live.sort(),
        [...Array.from({ length: n }, (_, i) => `dump-${i}.rdb`), "shards.meta"].sort(),
      );
      prev = n;
    }
    assert.ok(stamps[0]! < stamps[1]! && stamps[1]! < stamps[2]!, "stamps increase");
    // Nothing was deleted: 4 snapshots + the AOFs, then 2, then 1 snapshot(s) backed up.
    assert.equal(sources, 4 + readdirSync(dir).filter((f) => f.startsWith("aof-")).length + 2 + 1);
    assert.equal(readdirSync(dir).filter((f) => f.includes(".premigration.")).length, sources);
  });

  it("rolls forward an interrupted re-shard first and reports it", async () => {
    const dir = tempDir("kevy-layout-");
    const expected = await seed4(dir);
    const temp = new Store();
    await mergeSources(dir, 4, STANDARD_LAYOUT, temp, applyCommand);
    const stores = redistribute(temp, KH2);
    for (let i = 0; i < 2; i++) await saveSnapshot(stores[i]!, join(dir, `dump-${i}.rdb.reshard`));
    writeFileSync(
      join(dir, "reshard.journal"),
      "kevy-reshard-journal v1\nstamp=42\nprev_n=4\nn=2\nrouting=kevyhash\n",
    );
    const r = await ensureLayout(dir, KH2);
    assert.equal(r.recovered, "rolled-forward");
    assert.equal(r.action, "none");
    assert.ok(
      existsSync(join(dir, "aof-0.aof.premigration.42")) ||
        existsSync(join(dir, "aof-1.aof.premigration.42")),
    );
    assert.deepEqual(await keyspaceOf(dir, 2), expected);
  });

  it("discards a torn journal and its temps, then re-shards from the intact sources", async () => {
    const dir = tempDir("kevy-layout-");
    const expected = await seed4(dir);
    writeFileSync(join(dir, "dump-0.rdb.reshard"), "stale");
    writeFileSync(join(dir, "reshard.journal"), "kevy-reshard-journal v1\nstamp=4");
    const r = await ensureLayout(dir, KH2);
    assert.equal(r.recovered, "discarded");
    assert.equal(r.action, "resharded");
    assert.deepEqual(await keyspaceOf(dir, 2), expected);
  });

  it("refuses to re-shard corrupt sources and leaves the directory untouched", async () => {
    const dir = tempDir("kevy-layout-");
    await seed4(dir);
    writeFileSync(join(dir, "dump-2.rdb"), "KEVYSNAP garbage that is not a snapshot");
    const before = readdirSync(dir).sort();
    await assert.rejects(ensureLayout(dir, KH2), CorruptFileError);
    assert.deepEqual(readdirSync(dir).sort(), before);
  });

  it("replays AOF frames through the given apply function", async () => {
    const dir = tempDir("kevy-layout-");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "aof-0.aof"),
      concatBytes([AOF_MAGIC, encodeCommand(["SET", "a", "1"]), encodeCommand(["SET", "b", "2"])]),
    );
    writeFileSync(
      join(dir, "aof-1.aof"),
      concatBytes([AOF_MAGIC, encodeCommand(["SET", "c", "3"])]),
    );
    const seen: string[] = [];
    const r = await ensureLayout(dir, { n: 1, routing: "kevyhash" }, (store, argv) => {
      seen.push(new TextDecoder().decode(argv[1]));
      applyCommand(store, argv);
    });
    assert.equal(r.action, "resharded");
    assert.deepEqual(seen, ["a", "b", "c"]);
    assert.deepEqual((await keyspaceOf(dir, 1)).map((k) => k.key), ["61", "62", "63"]);
  });
});

describe("reshard building blocks", () => {
  it("mergeSources: later sources win (shard 0 snapshot, shard 0 AOF, shard 1 ...)", async () => {
    const dir = tempDir("kevy-merge-");
    const s0 = new Store(), s1 = new Store();
    applyCommand(s0, ["SET", "k", "snap0"]);
    applyCommand(s1, ["SET", "k", "snap1"]);
    applyCommand(s1, ["SET", "j", "snap1"]);
    await saveSnapshot(s0, join(dir, "dump-0.rdb"));
    await saveSnapshot(s1, join(dir, "dump-1.rdb"));
    writeFileSync(
      join(dir, "aof-0.aof"),
      concatBytes([AOF_MAGIC, encodeCommand(["SET", "j", "aof0"])]),
    );
    writeFileSync(
      join(dir, "aof-1.aof"),
      concatBytes([AOF_MAGIC, encodeCommand(["SET", "j", "aof1"])]),
    );
    const t = new Store();
    const found = await mergeSources(dir, 3, STANDARD_LAYOUT, t, applyCommand);
    assert.deepEqual(found, ["dump-0.rdb", "aof-0.aof", "dump-1.rdb", "aof-1.aof"]);
    assert.deepEqual(dumpKeyspace(t).map((k) => [k.key, k.value]), [
      ["6a", new TextEncoder().encode("aof1").reduce((s, b) => s + b.toString(16), "")],
      ["6b", new TextEncoder().encode("snap1").reduce((s, b) => s + b.toString(16), "")],
    ]);
  });

  it("mergeSources: a FLUSHALL in a shard's log empties that shard only, past deadlines kept", async () => {
    // A multi-shard store logs FLUSHALL in every shard's log; merged into one store in
    // turn, shard 1's FLUSHALL emptied the keys merged from shard 0 (found by the sim).
    const dir = tempDir("kevy-merge-flush-");
    const log = (name: string, ...cmds: string[][]) =>
      writeFileSync(
        join(dir, name),
        concatBytes([AOF_MAGIC, ...cmds.map((c) => encodeCommand(c))]),
      );
    log("aof-0.aof", ["SET", "a", "1"], ["FLUSHALL"], ["SET", "b", "2"]);
    log("aof-1.aof", ["SET", "c", "3"], ["FLUSHALL"], ["SET", "d", "4"], ["PEXPIREAT", "d", "5"]);
    const t = new Store({ now: () => 1000 });
    await mergeSources(dir, 2, STANDARD_LAYOUT, t, applyCommand);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    // Nothing expires while loading: d (deadline 5 < now) is handed on; redistribute drops it.
    const all = [...whileLoading(() => [...t.entries()])].map((e) => [text(e.key), e.deadline]);
    assert.deepEqual(all.sort(), [["b", null], ["d", 5]]);
    assert.deepEqual(redistribute(t, KH2).map((s) => [...s.keys()].map(text)).flat().sort(), ["b"]);
  });

  it("redistribute: routes by shardIndex, keeps deadlines exactly, drops expired keys", () => {
    let now = 1000;
    const m = new Store({ now: () => now });
    for (let i = 0; i < 50; i++) {
      m.put({
        key: enc(`k${i}`),
        value: { type: "string", value: enc("v") },
        deadline: i % 2 ? 5000 + i : null,
      });
    }
    m.put({ key: enc("old"), value: { type: "string", value: enc("v") }, deadline: 1500 });
    now = 2000;
    const stores = redistribute(m, { n: 3, routing: "slots" });
    let total = 0;
    stores.forEach((s, i) => {
      for (const e of s.entries()) {
        total++;
        assert.equal(shardIndex(e.key, 3, "slots"), i);
        const n = Number(new TextDecoder().decode(e.key).slice(1));
        assert.equal(e.deadline, n % 2 ? 5000 + n : null);
      }
    });
    assert.equal(total, 50);
  });

  it("commitReshard: validates its arguments", async () => {
    const dir = tempDir("kevy-commit-");
    await assert.rejects(commitReshard(dir, 1, KH2, [new Store()], STANDARD_LAYOUT), RangeError);
    await assert.rejects(
      commitReshard(dir, -1, KH2, [new Store(), new Store()], STANDARD_LAYOUT),
      RangeError,
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it("commitReshard: uses an injected stamp and removes stale temps of an earlier attempt", async () => {
    const dir = tempDir("kevy-commit-");
    writeFileSync(join(dir, "dump-0.rdb"), "old0");
    writeFileSync(join(dir, "dump-1.rdb.reshard"), "stale");
    writeFileSync(join(dir, "reshard.journal.tmp"), "stale");
    const a = new Store(), b = new Store();
    applyCommand(a, ["SET", "x", "1"]);
    const stamp = await commitReshard(dir, 1, KH2, [a, b], STANDARD_LAYOUT, { stamp: () => 77n });
    assert.equal(stamp, 77n);
    assert.deepEqual(readdirSync(dir).sort(), [
      "dump-0.rdb",
      "dump-0.rdb.premigration.77",
      "dump-1.rdb",
      "shards.meta",
    ]);
    assert.equal(readFileSync(join(dir, "dump-0.rdb.premigration.77"), "utf8"), "old0");
    assert.deepEqual(await keyspaceOf(dir, 2), dumpKeyspace(a));
  });

  it("shardLayout: custom names only for n == 1, validated", () => {
    const l = shardLayout({ snapshot: "s.bin", aof: "l.bin" });
    assert.deepEqual([l.snapshot(0, 1), l.aof(0, 1), l.snapshot(0, 2), l.aof(1, 2)], [
      "s.bin",
      "l.bin",
      "dump-0.rdb",
      "aof-1.aof",
    ]);
    assert.equal(shardLayout(), STANDARD_LAYOUT);
    assert.throws(() => shardLayout({ snapshot: "a/b", aof: "c" }), TypeError);
    assert.throws(() => shardLayout({ snapshot: "x", aof: "x" }), TypeError);
    assert.throws(() => shardLayout({ snapshot: "", aof: "c" }), TypeError);
  });
});
