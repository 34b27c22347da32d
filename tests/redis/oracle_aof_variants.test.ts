// Redis AOF directories in their other shapes, replayed by us against what
// the live server reports: timestamps on (#TS: annotations everywhere, also
// inside MULTI blocks) and after a BGREWRITEAOF (a RESP base holding Redis's
// own rewrite of every type, then more incr commands).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Cmd, Oracle, oracleSkip } from "./_oracle.ts";
import { evalOf, multi } from "./_gen.ts";

const skip = oracleSkip("tests/redis/oracle_aof_variants.test.ts");

function mixed(tag: string): Cmd[] {
  return [
    ["SETBIT", `${tag}:bits`, "99", "1"],
    ["PFADD", `${tag}:hll`, "a", "b", "c", "d"],
    ["PFCOUNT", `${tag}:hll`],
    ["RPUSH", `${tag}:l`, "1", "2", "3"],
    ["BLMPOP", "0", "1", `${tag}:l`, "RIGHT", "COUNT", "2"],
    ["ZADD", `${tag}:z`, "1", "a", "2", "b"],
    ["ZUNIONSTORE", `${tag}:zu`, "1", `${tag}:z`, "WEIGHTS", "2"],
    ["GEOADD", `${tag}:geo`, "13.3", "38.1", "P"],
    ["SADD", `${tag}:s`, "x", "y"],
    ["SADD", `${tag}:pop`, "1", "2", "3", "4", "5", "6"],
    ["SPOP", `${tag}:pop`],
    ["SPOP", `${tag}:pop`, "2"],
    ["SADD", `${tag}:popall`, "a", "b"],
    ["SPOP", `${tag}:popall`, "10"],
    ["GETDEL", `${tag}:nothing`],
    ["SET", `${tag}:gd`, "v"],
    ["GETDEL", `${tag}:gd`],
    ["EXPIRE", `${tag}:s`, "5000"],
    ["SET", `${tag}:short`, "v", "PX", "1"],
    ["SMOVE", `${tag}:s`, `${tag}:s2`, "x"],
    ["HSET", `${tag}:h`, "f", "1"],
    ["HINCRBYFLOAT", `${tag}:h`, "f", "0.25"],
    ["INCRBYFLOAT", `${tag}:f`, "1e20"],
    ["SET", `${tag}:ttl`, "v", "EX", "1000"],
    ["GETEX", `${tag}:ttl`, "PX", "700000"],
    ...multi([["SET", `${tag}:m`, "1"], ["MOVE", `${tag}:m`, "3"]]),
    evalOf([["SETBIT", `${tag}:lua`, "1", "1"], ["PFADD", `${tag}:lua2`, "z"]]),
    ["SELECT", "2"],
    ["SET", Uint8Array.of(0, 1, 2), "bin"],
    ["SORT", "nosuch", "STORE", `${tag}:empty`],
    ["SELECT", "0"],
  ];
}

for (const timestamps of [false, true]) {
  describe(`oracle: AOF shapes, timestamps ${timestamps ? "on" : "off"}`, { skip }, () => {
    let o: Oracle;
    before(async () => {
      o = await Oracle.start({ timestamps });
    });
    after(async () => {
      await o?.stop();
    });

    it("base + incr after a BGREWRITEAOF, more commands after it: replays exactly", {
      timeout: 120_000,
    }, async () => {
      await o.reset();
      await o.redis(mixed("a"));
      await o.redis([["BGREWRITEAOF"]]);
      // Wait for the rewrite to finish (a new base in the manifest).
      for (let i = 0; i < 100; i++) {
        const info = new TextDecoder().decode(
          await o.client.call("INFO", "persistence") as Uint8Array,
        );
        if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await o.redis(mixed("b"));
      // b:short (PX 1) must be past its deadline before Redis is read, or whether Redis still
      // shows it and whether our replay (at the collection time) keeps it is a race.
      const until = Date.now() + 60_000;
      while ((await o.client.call("PTTL", "b:short")) !== -2 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const r = await o.assertAofReplayEqual(`timestamps ${timestamps}`);
      assert.equal(r.errors, 0);
    });
  });
}
