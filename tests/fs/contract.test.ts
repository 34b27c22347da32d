// One contract suite, run against every adapter available in the current runtime.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { createBunFs } from "../../src/fs/bun.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { createDenoFs } from "../../src/fs/deno.ts";
import { defaultFs, runtimeName } from "../../src/fs/detect.ts";
import { nodeFs } from "../../src/fs/node.ts";
import { type FsAdapter, isAlreadyExists, isNotFound } from "../../src/fs/types.ts";
import { tempDir, utf8 } from "../_helpers.ts";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(c);
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** The FsAdapter contract. `newDir` returns a fresh empty directory; `dispose` removes it. */
function contract(fs: FsAdapter, newDir: () => string, dispose: (dir: string) => void): void {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = newDir();
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach(dispose));

  it("readFile returns a plain Uint8Array; a missing file is isNotFound", async () => {
    const d = dir();
    const f = fs.openWriteSync(`${d}/a`);
    f.writeSync(utf8("abc"));
    f.closeSync();
    const bytes = await fs.readFile(`${d}/a`);
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
    assert.equal(text(bytes), "abc");
    assert.equal(text(fs.readFileSync(`${d}/a`)), "abc");
    await assert.rejects(fs.readFile(`${d}/missing`), isNotFound);
    assert.throws(() => fs.readFileSync(`${d}/missing`), isNotFound);
  });

  it("append after reopen keeps earlier bytes (async and sync)", async () => {
    const d = dir();
    const f1 = await fs.openAppend(`${d}/aof`);
    await f1.write(utf8("one,"));
    await f1.close();
    const f2 = await fs.openAppend(`${d}/aof`);
    await f2.write(utf8("two,"));
    await f2.close();
    const f3 = fs.openAppendSync(`${d}/aof`);
    f3.writeSync(utf8("three"));
    f3.closeSync();
    assert.equal(text(await fs.readFile(`${d}/aof`)), "one,two,three");
  });

  it("writes all bytes of a large buffer", async () => {
    const d = dir();
    const big = new Uint8Array((1 << 20) + 7).map((_, i) => i % 251);
    const f = await fs.openWrite(`${d}/big`);
    await f.write(big);
    await f.close();
    assert.deepEqual(await fs.readFile(`${d}/big`), big);
  });

  it("openWrite truncates an existing file and writes from offset 0", async () => {
    const d = dir();
    const f = await fs.openAppend(`${d}/x`);
    await f.write(utf8("old old old"));
    await f.close();
    const w = await fs.openWrite(`${d}/x`);
    await w.write(utf8("new"));
    await w.close();
    assert.equal(text(await fs.readFile(`${d}/x`)), "new");
    const ws = fs.openWriteSync(`${d}/x`);
    ws.writeSync(utf8("z"));
    ws.closeSync();
    assert.equal(text(fs.readFileSync(`${d}/x`)), "z");
  });

  it("exclusive create succeeds once, then fails with isAlreadyExists", async () => {
    const d = dir();
    const f = await fs.openWrite(`${d}/lock`, { exclusive: true });
    await f.write(utf8("pid"));
    await f.close();
    await assert.rejects(fs.openWrite(`${d}/lock`, { exclusive: true }), isAlreadyExists);
    assert.throws(() => fs.openWriteSync(`${d}/lock`, { exclusive: true }), isAlreadyExists);
    assert.equal(text(await fs.readFile(`${d}/lock`)), "pid");
  });

  it("truncate then append writes at the new end (async and sync)", async () => {
    const d = dir();
    const f = await fs.openAppend(`${d}/aof`);
    await f.write(utf8("good|torn"));
    await f.truncate(5);
    await f.write(utf8("next"));
    await f.close();
    assert.equal(text(await fs.readFile(`${d}/aof`)), "good|next");
    const s = fs.openAppendSync(`${d}/aof`);
    s.truncateSync(4);
    s.writeSync(utf8("!"));
    s.closeSync();
    assert.equal(text(fs.readFileSync(`${d}/aof`)), "good!");
  });

  it("truncate on an openWrite handle keeps its position (gap reads as zeros)", async () => {
    const d = dir();
    const f = await fs.openWrite(`${d}/w`);
    await f.write(utf8("abcde"));
    await f.truncate(2);
    await f.write(utf8("z"));
    await f.close();
    assert.deepEqual(await fs.readFile(`${d}/w`), new Uint8Array([97, 98, 0, 0, 0, 122]));
  });

  it("rename replaces an existing file; renaming a missing file is isNotFound", async () => {
    const d = dir();
    for (const [name, body] of [["a", "A"], ["b", "B"], ["c", "C"]] as const) {
      const f = fs.openWriteSync(`${d}/${name}`);
      f.writeSync(utf8(body));
      f.closeSync();
    }
    await fs.rename(`${d}/a`, `${d}/b`);
    assert.equal(text(await fs.readFile(`${d}/b`)), "A");
    assert.equal(await fs.stat(`${d}/a`), null);
    fs.renameSync(`${d}/c`, `${d}/b`);
    assert.equal(text(fs.readFileSync(`${d}/b`)), "C");
    await assert.rejects(fs.rename(`${d}/nope`, `${d}/b`), isNotFound);
    assert.throws(() => fs.renameSync(`${d}/nope`, `${d}/b`), isNotFound);
  });

  it("remove deletes a file; removing a missing file is isNotFound", async () => {
    const d = dir();
    (await fs.openWrite(`${d}/a`)).closeSync();
    fs.openWriteSync(`${d}/b`).closeSync();
    await fs.remove(`${d}/a`);
    fs.removeSync(`${d}/b`);
    assert.equal(await fs.stat(`${d}/a`), null);
    assert.equal(fs.statSync(`${d}/b`), null);
    await assert.rejects(fs.remove(`${d}/a`), isNotFound);
    assert.throws(() => fs.removeSync(`${d}/b`), isNotFound);
  });

  it("stat reports size and kind, and null for missing paths", async () => {
    const d = dir();
    const f = fs.openWriteSync(`${d}/f`);
    f.writeSync(utf8("12345"));
    f.closeSync();
    assert.deepEqual(await fs.stat(`${d}/f`), { size: 5, isFile: true, isDirectory: false });
    assert.deepEqual(fs.statSync(`${d}/f`), { size: 5, isFile: true, isDirectory: false });
    const st = await fs.stat(d);
    assert.equal(st?.isDirectory, true);
    assert.equal(st?.isFile, false);
    assert.equal(await fs.stat(`${d}/missing`), null);
    assert.equal(fs.statSync(`${d}/missing`), null);
    assert.equal(await fs.stat(`${d}/f/under-a-file`), null);
    assert.equal(fs.statSync(`${d}/f/under-a-file`), null);
  });

  it("mkdir creates parents and tolerates existing dirs; readDir lists files and dirs", async () => {
    const d = dir();
    await fs.mkdir(`${d}/x/y/z`);
    await fs.mkdir(`${d}/x/y`);
    fs.mkdirSync(`${d}/x/y/z`);
    fs.mkdirSync(`${d}/w`);
    fs.openWriteSync(`${d}/x/file`).closeSync();
    const byName = (a: { name: string }, b: { name: string }) => a.name < b.name ? -1 : 1;
    const want = [
      { name: "file", isFile: true, isDirectory: false },
      { name: "y", isFile: false, isDirectory: true },
    ];
    assert.deepEqual((await fs.readDir(`${d}/x`)).sort(byName), want);
    assert.deepEqual(fs.readDirSync(`${d}/x`).sort(byName), want);
    assert.deepEqual((await fs.readDir(d)).map((e) => e.name).sort(), ["w", "x"]);
    await assert.rejects(fs.readDir(`${d}/missing`), isNotFound);
    assert.throws(() => fs.readDirSync(`${d}/missing`), isNotFound);
  });

  it("readChunks returns the whole file in order in chunks of the given size", async () => {
    const d = dir();
    const data = new Uint8Array(10).map((_, i) => i);
    const f = fs.openWriteSync(`${d}/c`);
    f.writeSync(data);
    f.closeSync();
    const chunks = await collect(fs.readChunks(`${d}/c`, 3));
    assert.deepEqual(chunks.map((c) => c.length), [3, 3, 3, 1]);
    assert.deepEqual(concat(chunks), data);
    const syncChunks = [...fs.readChunksSync(`${d}/c`, 4)];
    assert.deepEqual(syncChunks.map((c) => c.length), [4, 4, 2]);
    assert.deepEqual(concat(syncChunks), data);
    chunks[0]![0] = 99; // chunks are fresh buffers, not views of shared state
    assert.deepEqual(concat(await collect(fs.readChunks(`${d}/c`))), data);
    fs.openWriteSync(`${d}/empty`).closeSync();
    assert.deepEqual(await collect(fs.readChunks(`${d}/empty`)), []);
    await assert.rejects(collect(fs.readChunks(`${d}/missing`)), isNotFound);
    assert.throws(() => [...fs.readChunksSync(`${d}/missing`)], isNotFound);
    await assert.rejects(collect(fs.readChunks(`${d}/c`, 0)), RangeError);
  });

  it("sync variants and syncDir succeed and keep the content", async () => {
    const d = dir();
    const f = await fs.openAppend(`${d}/s`);
    await f.write(utf8("a"));
    await f.syncData();
    await f.write(utf8("b"));
    await f.sync();
    f.writeSync(utf8("c"));
    f.syncDataSync();
    f.writeSync(utf8("d"));
    f.syncSync();
    await f.close();
    await fs.syncDir(d);
    fs.syncDirSync(d);
    assert.equal(text(await fs.readFile(`${d}/s`)), "abcd");
    await assert.rejects(fs.syncDir(`${d}/missing`), isNotFound);
  });
}

const realDir = () => tempDir("kevy-fs-contract-");
const removeReal = (d: string) => rmSync(d, { recursive: true, force: true });

describe("fs contract: node", () => contract(nodeFs, realDir, removeReal));

if ((globalThis as { Deno?: unknown }).Deno !== undefined) {
  describe("fs contract: deno", () => contract(createDenoFs(), realDir, removeReal));
  describe(
    "fs contract: deno (native handles)",
    () => contract(createDenoFs({ handles: "deno" }), realDir, removeReal),
  );
}

if ((globalThis as { Bun?: unknown }).Bun !== undefined) {
  describe("fs contract: bun", () => contract(createBunFs(), realDir, removeReal));
}

describe("fs contract: crash", () => {
  const fs = new CrashFs();
  let n = 0;
  contract(fs, () => {
    const d = `/virtual/t${n++}`;
    fs.mkdirSync(d);
    return d;
  }, () => {});
});

describe("defaultFs", () => {
  it("matches the detected runtime", () => {
    assert.equal(defaultFs().name, runtimeName());
    assert.equal(defaultFs(), defaultFs());
  });
});
