// Every command the live redis-server flags `write` in COMMAND (what can
// reach an AOF) is either in our command table with Redis's arity, or
// refused loudly (`unknown: true`, so replays stop on it) for a stated
// reason. And every verb of our table that Redis knows has Redis's arity
// and read/write flag, except the deviations listed here.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { allCommands, commandNamed } from "../../src/store/commands.ts";
import { applyCommand, Store } from "../../src/store/mod.ts";
import type { RedisReply } from "./_resp_client.ts";
import { Oracle, oracleSkip } from "./_oracle.ts";

const skip = oracleSkip("tests/redis/command_coverage.test.ts");

/** Write commands we refuse, and why (also in /work/notes/redis-aof.md). */
const REFUSED: Record<string, string> = {
  migrate: "moves keys to another server over the network; the source's AOF logs the DEL",
  "function|restore": "needs the FUNCTION DUMP payload codec",
};

/** Table rows that deliberately differ from Redis 7.0's COMMAND. */
const DEVIATIONS: Record<string, string> = {
  pfcount:
    "a write here: it rewrites the cached cardinality inside the string (Redis logs that PFCOUNT)",
  function:
    "one row for every subcommand, a write because LOAD/DELETE/FLUSH are (Redis flags the subcommands)",
  xgroup:
    "one row for every subcommand, a write because CREATE/SETID/DESTROY/... are (Redis flags the subcommands)",
  zrank: "also accepts Redis 7.2's WITHSCORE (arity -3 instead of 3)",
  zrevrank: "also accepts Redis 7.2's WITHSCORE (arity -3 instead of 3)",
};

interface Info {
  name: string;
  arity: number;
  write: boolean;
}

function text(r: RedisReply): string {
  return r instanceof Uint8Array ? new TextDecoder().decode(r) : String(r);
}

function infos(reply: RedisReply[]): Info[] {
  const out: Info[] = [];
  for (const c of reply as RedisReply[][]) {
    const flags = (c[2] as RedisReply[]).map(text);
    out.push({ name: text(c[0]!), arity: Number(c[1]), write: flags.includes("write") });
    for (const sub of (c[9] as RedisReply[][] | undefined) ?? []) {
      const sf = (sub[2] as RedisReply[]).map(text);
      out.push({ name: text(sub[0]!), arity: Number(sub[1]), write: sf.includes("write") });
    }
  }
  return out;
}

describe("command coverage against the live server's COMMAND", { skip }, () => {
  let o: Oracle;
  let all: Info[];
  before(async () => {
    o = await Oracle.start();
    all = infos(await o.client.call("COMMAND") as RedisReply[]);
  });
  after(async () => {
    await o?.stop();
  });

  it("every write command is applied (same arity) or refused loudly with a reason", () => {
    const writes = all.filter((c) => c.write);
    assert.ok(writes.length >= 100, `${writes.length} write commands`);
    const missing: string[] = [];
    for (const w of writes) {
      const [verb, sub] = w.name.split("|");
      const argv = sub === undefined ? [verb!] : [verb!, sub];
      if (w.name in REFUSED) {
        // Enough arguments to pass the arity check: refused as unsupported either way.
        const r = applyCommand(new Store(), [...argv, "k", "a", "b", "c", "d", "e"]);
        assert.ok(
          !r.ok && r.unknown === true,
          `${w.name} must be refused loudly, got ${JSON.stringify(r)}`,
        );
        continue;
      }
      const row = commandNamed(verb!);
      if (row === undefined) {
        missing.push(w.name);
        continue;
      }
      if (sub === undefined) {
        if (!(w.name in DEVIATIONS)) assert.equal(row.arity, w.arity, `${w.name}: arity`);
        assert.ok(row.write, `${w.name}: a write in our table`);
      } else {
        const refused = row.unsupported?.(argv.map((s) => new TextEncoder().encode(s))) ?? null;
        assert.equal(refused, null, `${w.name}: supported`);
      }
    }
    assert.deepEqual(missing, [], "write commands neither applied nor refused");
  });

  it("our verbs that Redis knows have its arity and read/write flag (deviations listed)", () => {
    const byName = new Map(all.map((c) => [c.name, c]));
    const wrong: string[] = [];
    for (const c of allCommands()) {
      const r = byName.get(c.name);
      if (r === undefined || c.name in DEVIATIONS) continue;
      if (r.arity !== c.arity) wrong.push(`${c.name}: arity ${c.arity}, Redis ${r.arity}`);
      if (!c.transaction && r.write !== c.write) {
        wrong.push(`${c.name}: write ${c.write}, Redis ${r.write}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
