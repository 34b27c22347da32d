// replayAofFrames: the parse-only replay hands every frame over as offsets in
// a reused cursor. It is the same scan as replayAof (one frame scanner), so
// for every format, chunk size, transaction, group marker, torn tail and
// corruption it must report exactly what replayAof reports: the same frames
// with the same bytes at the same offsets, the same stats, the same error.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { replayAof, replayAofSync } from "../../src/persist/replay.ts";
import { replayAofFrames, replayAofFramesSync } from "../../src/persist/replay_frames.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { AOF2_MAGIC, encodeRecord, TXN_BEGIN, TXN_COMMIT } from "../../src/codec/aof2.ts";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { groupBegin, groupEnd } from "../../src/codec/group.ts";
import type { FrameCursor } from "../../src/codec/resp_cursor.ts";
import { rng } from "../_helpers.ts";

const P = "/db/aof-0.aof";
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) out.set(x, o), o += x.length;
  return out;
}

/** Commands of many shapes: plain SETs, other verbs, empty and long arguments, group markers. */
function commands(seed: number, n: number): Array<Array<string | Uint8Array>> {
  const r = rng(seed);
  const out: Array<Array<string | Uint8Array>> = [];
  for (let i = 0; i < n; i++) {
    const v = "v".repeat(Math.floor(r() ** 3 * 3000));
    if (i % 50 === 7) out.push(groupBegin(`g${i}`, [0, 1], 2), ["SET", `a${i}`, v], ["DEL", "x"]);
    if (i % 50 === 8) out.push(groupEnd(`g${i - 1}`));
    if (i % 5 === 0) out.push(["RPUSH", `l${i}`, "", v, new Uint8Array([0, 1, 2])]);
    else out.push(["SET", `k${i % 97}`, v]);
  }
  return out;
}

function v1Log(seed: number, header = true, n = 300): Uint8Array {
  return concat([
    header ? AOF_MAGIC : new Uint8Array(0),
    ...commands(seed, n).map(encodeCommand),
  ]);
}

/** A v2 log with committed transactions, and an open one at the end when `open`. */
function v2Log(seed: number, open = false, n = 300): Uint8Array {
  const parts = [AOF2_MAGIC];
  commands(seed, n).forEach((c, i) => {
    if (i % 40 === 3) parts.push(encodeRecord([TXN_BEGIN]));
    parts.push(encodeRecord(c));
    if (i % 40 === 6) parts.push(encodeRecord([TXN_COMMIT]));
  });
  if (open) parts.push(encodeRecord([TXN_BEGIN]), encodeRecord(["SET", "t", "u"]));
  return concat(parts);
}

const frameOf = (argv: readonly Uint8Array[], offset: number) =>
  `${offset}:${argv.map(hex).join(",")}`;
const cursorFrame = (f: FrameCursor, offset: number) => {
  const args: string[] = [];
  for (let i = 0; i < f.argc; i++) {
    args.push(hex(f.buf.subarray(f.start[i]!, f.start[i]! + f.len[i]!)));
  }
  // arg(i) and argv() are views of the same bytes.
  assert.equal(f.argv().map(hex).join(","), args.join(","));
  return `${offset}:${args.join(",")}`;
};

type Outcome = { frames: string[]; markers: string[]; stats?: string; error?: string };

async function both(file: Uint8Array, chunkBytes: number): Promise<[Outcome, Outcome][]> {
  const fs = new CrashFs();
  fs.mkdirSync("/db");
  fs.writeFileDurable(P, file);
  const run = async (
    f: (o: Outcome) => Promise<Record<string, unknown>> | Record<string, unknown>,
  ): Promise<Outcome> => {
    const o: Outcome = { frames: [], markers: [] };
    try {
      const { ms: _ms, ...rest } = await f(o);
      o.stats = JSON.stringify(rest);
    } catch (e) {
      if (!(e instanceof CorruptFileError)) throw e;
      o.error = `${e.offset}: ${e.message}`;
    }
    return o;
  };
  const opts = (o: Outcome) => ({
    fs,
    chunkBytes,
    onGroupMarker: (m: unknown, at: number) => void o.markers.push(`${at}:${JSON.stringify(m)}`),
  });
  const argv = (o: Outcome) => (a: Uint8Array[]) => void o.frames.push(frameOf(a, -1));
  // replayAof's callback has no offset: record the order and bytes; the
  // cursor's offsets are checked against the frames' positions separately.
  const visit = (o: Outcome) => (f: FrameCursor, at: number) => {
    o.frames.push(cursorFrame(f, at).replace(/^\d+:/, "-1:"));
  };
  return [
    [
      await run((o) => replayAof(P, argv(o), opts(o)) as never),
      await run((o) => replayAofFrames(P, visit(o), opts(o)) as never),
    ],
    [
      await run((o) => replayAofSync(P, argv(o), opts(o)) as never),
      await run((o) => replayAofFramesSync(P, visit(o), opts(o)) as never),
    ],
  ];
}

/** Both replays (async and sync) report the same; returns what replayAof saw with 64 KiB chunks. */
async function assertSame(
  file: Uint8Array,
  what: string,
  chunks = [7, 61, 4096, 65536],
): Promise<Outcome> {
  let last: Outcome | null = null;
  for (const chunk of chunks) {
    for (const [a, b] of await both(file, chunk)) {
      assert.deepEqual(b, a, `${what}, chunks of ${chunk}`);
      last = a;
    }
  }
  return last!;
}

describe("replayAofFrames (parse-only replay, frames as offsets)", () => {
  it("hands over the same frames, markers and stats as replayAof: v1, legacy and v2 logs", async () => {
    for (
      const [what, log] of [
        ["v1", v1Log(1)],
        ["legacy", v1Log(2, false)],
        ["v2 with transactions", v2Log(3)],
      ] as const
    ) {
      const seen = await assertSame(log, what);
      assert.ok(seen.frames.length > 300 && seen.markers.length >= 10, what);
      assert.ok(seen.stats !== undefined, what);
    }
  });

  it("gives each frame's file offset, and its arguments' bytes, as a reference parse does", async () => {
    const cmds = commands(4, 120);
    const frames = cmds.map(encodeCommand);
    const file = concat([AOF_MAGIC, ...frames]);
    const want: string[] = [];
    let o = AOF_MAGIC.length;
    cmds.forEach((c, i) => {
      const argv = c.map((a) => typeof a === "string" ? new TextEncoder().encode(a) : a);
      if (!/^(multi|exec)$/i.test(new TextDecoder().decode(argv[0]!)) || argv.length === 3) {
        want.push(frameOf(argv, o));
      }
      o += frames[i]!.length;
    });
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    fs.writeFileDurable(P, file);
    for (const chunkBytes of [5, 64, 65536]) {
      const got: string[] = [];
      let cursor: FrameCursor | null = null;
      const stats = await replayAofFrames(P, (f, at) => {
        assert.ok(cursor === null || cursor === f, "one cursor, reused");
        cursor = f;
        got.push(cursorFrame(f, at));
      }, { fs, chunkBytes });
      assert.deepEqual(got, want, `chunks of ${chunkBytes}`);
      assert.equal(stats.frames, want.length);
    }
  });

  it("ends the same way on a torn tail, a torn transaction and mid-file corruption", async () => {
    const r = rng(5);
    const small = [61, 65536];
    for (const [name, log] of [["v1", v1Log(6, true, 60)], ["v2", v2Log(7, false, 60)]] as const) {
      for (let k = 0; k < 12; k++) {
        // Cut anywhere (a torn tail), or flip a byte (corruption or, at the end, a tear).
        const cut = log.subarray(0, 9 + Math.floor(r() * (log.length - 9)));
        await assertSame(cut, `${name} cut at ${cut.length}`, small);
        const flipped = log.slice();
        flipped[9 + Math.floor(r() * (log.length - 9))]! ^= 1 << (k % 8);
        await assertSame(flipped, `${name} flip ${k}`, small);
      }
    }
    const torn = await assertSame(v2Log(8, true, 60), "v2 ending in an open transaction", small);
    assert.match(torn.stats!, /"tornTxn":\{"offset":\d+,"frames":1\}/);
  });
});
