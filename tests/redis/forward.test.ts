// The follower's per-shard forwarder and split writes (codec/group.ts): a part's frames reach
// the target only once its `EXEC <gid>` is read, all together; the markers never do. A part
// that is complete and followed by another frame counts as committed (as replay counts it).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Forwarder, type JobSink } from "../../src/redis/_forward.ts";
import { commandJob, jobWriter } from "../../src/redis/_migrate_encode.ts";
import { groupBegin, groupEnd } from "../../src/codec/group.ts";
import { Store } from "../../src/store/store.ts";
import { utf8 } from "../_helpers.ts";

const td = new TextDecoder();
const argv = (...a: string[]) => a.map(utf8);

/** A sink that decodes the commands it is given. */
function sink(): JobSink & { sent(): string[] } {
  const w = jobWriter();
  return {
    w,
    push: () => {},
    everyMaster: () => {},
    sent: () => {
      const text = td.decode(w.bytes());
      // RESP arrays of bulk strings: keep the bulk payloads, one command per "*" line.
      const out: string[] = [];
      for (const cmd of text.split(/^\*\d+\r\n/m).slice(1)) {
        const parts = cmd.split("\r\n").filter((_, i) => i % 2 === 1);
        out.push(parts.join(" "));
      }
      return out;
    },
  };
}

describe("Forwarder: split write parts", () => {
  it("holds a part until its EXEC, then sends its frames; markers are never sent", () => {
    const store = new Store();
    const f = new Forwarder(store, commandJob);
    const s = sink();
    f.frame(argv("SET", "before", "1"), s, 9);
    f.frame(groupBegin("g1", [0, 1], 2), s, 30);
    f.frame(argv("SET", "a", "x"), s, 70);
    f.frame(argv("SET", "b", "x"), s, 90);
    assert.equal(f.openAt, 30, "the part is open from its marker on");
    assert.deepEqual(s.sent(), ["SET before 1"], "nothing of the part is sent before its EXEC");
    assert.equal(store.has(utf8("a")), false, "nor applied to the mirror");
    f.frame(groupEnd("g1"), s, 110);
    assert.equal(f.openAt, null);
    assert.deepEqual(s.sent(), ["SET before 1", "SET a x", "SET b x"]);
  });

  it("an EXEC of another gid, or of no open part, changes nothing", () => {
    const f = new Forwarder(new Store(), commandJob);
    const s = sink();
    f.frame(groupEnd("old"), s, 9); // its part was before a file replacement
    f.frame(groupBegin("g2", [1, 0], 1), s, 20);
    f.frame(argv("SET", "a", "y"), s, 40);
    f.frame(groupEnd("g1"), s, 60);
    assert.deepEqual(s.sent(), []);
    assert.equal(f.openAt, 20);
  });

  it("a complete part followed by another frame is committed (replay applies it too)", () => {
    const f = new Forwarder(new Store(), commandJob);
    const s = sink();
    f.frame(groupBegin("g3", [0, 2], 1), s, 9);
    f.frame(argv("SET", "a", "z"), s, 30);
    f.frame(argv("INCR", "n"), s, 50);
    assert.deepEqual(s.sent(), ["SET a z", "INCR n"]);
    assert.equal(f.openAt, null);
  });

  it("a plain MULTI ... EXEC (a Redis transaction) is held the same way, without markers", () => {
    const f = new Forwarder(new Store(), commandJob);
    const s = sink();
    f.frame(argv("MULTI"), s, 9);
    f.frame(argv("INCR", "n"), s, 20);
    assert.equal(f.openAt, 9);
    assert.deepEqual(s.sent(), []);
    f.frame(argv("EXEC"), s, 40);
    assert.deepEqual(s.sent(), ["INCR n"]);
  });
});
