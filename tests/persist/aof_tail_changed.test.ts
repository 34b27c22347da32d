// AofTail follows a log another process appends to. The store's next open after a crash may
// cut the log's tail (a half-written frame, a split write's part that never completed) and
// append other frames in the same file: the tail must say so, even when the file has grown
// past the old size again, as long as it read those bytes past its caller's final point.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AofTail } from "../../src/persist/aof_tail.ts";
import { encodeCommand } from "../../src/codec/resp.ts";
import { groupBegin, groupEnd } from "../../src/codec/group.ts";
import { tempDir, utf8 } from "../_helpers.ts";

const MAGIC = utf8("KEVYAOF1\n");
const td = new TextDecoder();

function log(): string {
  const path = join(tempDir("kevy-tail-"), "aof-0.aof");
  writeFileSync(path, MAGIC);
  return path;
}

async function frames(tail: AofTail): Promise<Array<{ text: string; at: number }>> {
  const out: Array<{ text: string; at: number }> = [];
  await tail.read((argv, at) => out.push({ text: argv.map((a) => td.decode(a)).join(" "), at }));
  return out;
}

describe("AofTail.changed: what was read past the final point still stands", () => {
  it("frames come with their offsets; appends do not count as a change", async () => {
    const path = log();
    const tail = await AofTail.open(path);
    appendFileSync(path, encodeCommand(["SET", "a", "1"]));
    const first = await frames(tail);
    assert.deepEqual(first, [{ text: "SET a 1", at: MAGIC.length }]);
    appendFileSync(path, encodeCommand(["SET", "b", "2"]));
    assert.equal(await tail.changed(), false);
    assert.deepEqual((await frames(tail)).map((f) => f.text), ["SET b 2"]);
    await tail.close();
  });

  it("a held group cut and written over with other frames (longer than before) is a change", async () => {
    const path = log();
    appendFileSync(path, encodeCommand(["SET", "a", "1"]));
    const tail = await AofTail.open(path);
    await frames(tail);
    const cutAt = MAGIC.length + encodeCommand(["SET", "a", "1"]).length;
    appendFileSync(path, encodeCommand(groupBegin("g1", [0, 1], 1)));
    appendFileSync(path, encodeCommand(["SET", "x", "part"]));
    const got = await frames(tail);
    assert.equal(got[0]!.at, cutAt);
    tail.hold(got[0]!.at); // the caller holds the part until its EXEC
    assert.equal(await tail.changed(), false);
    // The store died; its next open cut the part (the other shard never got its part) and
    // wrote more than that in its place.
    truncateSync(path, cutAt);
    appendFileSync(path, encodeCommand(["SET", "y", "after-the-crash-and-longer-than-the-part"]));
    assert.equal(await tail.changed(), true);
    await tail.close();
  });

  it("without a hold, complete frames are final: only a half-read frame is checked", async () => {
    const path = log();
    const tail = await AofTail.open(path);
    const whole = encodeCommand(["SET", "a", "1"]);
    const torn = encodeCommand(["APPEND", "b", "a-value-cut-short"]).subarray(0, 12);
    appendFileSync(path, whole);
    appendFileSync(path, torn);
    assert.deepEqual((await frames(tail)).map((f) => f.text), ["SET a 1"]);
    assert.equal(tail.offset, MAGIC.length + whole.length);
    // Recovery cuts the torn frame and the store writes a different, longer one there.
    truncateSync(path, MAGIC.length + whole.length);
    appendFileSync(path, encodeCommand(["SET", "c", "written-after-recovery"]));
    assert.equal(await tail.changed(), true);
    await tail.close();
  });

  it("the same bytes written again are no change (the stream read on is the same)", async () => {
    const path = log();
    const tail = await AofTail.open(path);
    const next = encodeCommand(["SET", "b", "same-frame-again"]);
    appendFileSync(path, next.subarray(0, 10));
    assert.deepEqual(await frames(tail), []);
    truncateSync(path, MAGIC.length);
    appendFileSync(path, next);
    assert.equal(await tail.changed(), false);
    assert.deepEqual((await frames(tail)).map((f) => f.text), ["SET b same-frame-again"]);
    await tail.close();
  });

  it("a group closed by its EXEC and released by the caller is no longer checked", async () => {
    const path = log();
    const tail = await AofTail.open(path);
    appendFileSync(path, encodeCommand(groupBegin("g1", [0], 1)));
    appendFileSync(path, encodeCommand(["SET", "x", "1"]));
    appendFileSync(path, encodeCommand(groupEnd("g1")));
    const got = await frames(tail);
    tail.hold(got[0]!.at);
    tail.hold(null); // EXEC seen: everything read is final
    assert.equal(await tail.changed(), false);
    truncateSync(path, tail.offset); // nothing after the last complete frame was read
    assert.equal(await tail.changed(), false);
    truncateSync(path, tail.offset - 1);
    assert.equal(await tail.changed(), true, "shorter than what was read");
    await tail.close();
  });
});
