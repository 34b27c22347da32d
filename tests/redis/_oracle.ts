// The live redis-server as the oracle for the applier: the same commands go
// to Redis and to our CommandApplier (replies compared), and Redis's own AOF
// directory, replayed by us, must give exactly the keyspace Redis reports.
// One server per test file; commands are pipelined in batches.
import assert from "node:assert/strict";
import { replayRedisAof } from "../../src/redis/aof.ts";
import { applyCommand, CommandApplier } from "../../src/store/apply.ts";
import { Store } from "../../src/store/store.ts";
import { canon, type RedisReply, RespClient } from "./_resp_client.ts";
import { COLLECT, redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import {
  type KeyspaceView,
  type RedisKeyspaceJson,
  viewOfRedis,
  viewOfStores,
  zeroSignless,
} from "./_keyspace.ts";
import { difference, type Outcome, withoutSeenTimes } from "./_stream_dual.ts";

/** One command. */
export type Cmd = Array<string | Uint8Array>;

/** Why the oracle tests are skipped (`false`: they run). Fails hard under KEVY_REQUIRE_REDIS=1. */
export function oracleSkip(file: string): string | false {
  const missing = redisMissing();
  if (missing === null) return false;
  if (redisRequired()) throw new Error(`KEVY_REQUIRE_REDIS=1 but ${missing}`);
  console.log(`${file}: ${missing}`);
  return missing;
}

/**
 * Databases on demand (0..15), on one clock, behind one applier; `replay` for
 * replaying a log (what Redis obeys from its AOF, e.g. XADD ... LIMIT).
 */
export function ourDatabases(now: () => number, replay = false): {
  dbs: Map<number, Store>;
  applier: CommandApplier;
} {
  const dbs = new Map<number, Store>();
  const applier = new CommandApplier((db) => {
    if (db > 15) return null;
    let s = dbs.get(db);
    if (s === undefined) dbs.set(db, s = new Store({ now }));
    return s;
  }, { replay });
  return { dbs, applier };
}

/**
 * The millisecond part of an id XADD answered when it can be the server's
 * clock (within a minute of ours; an explicit id far off needs no clock), or
 * `null`.
 */
function xaddMs(reply: RedisReply): number | null {
  if (!(reply instanceof Uint8Array)) return null;
  const m = /^(\d+)-\d+$/.exec(new TextDecoder().decode(reply));
  const ms = m === null ? NaN : Number(m[1]);
  return Math.abs(ms - Date.now()) < 60_000 ? ms : null;
}

/** A server, a connection to it, and our applier fed the same commands. */
export class Oracle {
  /** Compare zset scores within a few ULPs (geo distances), not bit for bit. */
  approxScores = false;
  /** Our clock while an XADD runs: the millisecond of the id Redis generated (else `null`). */
  #pin: number | null = null;
  readonly ours: ReturnType<typeof ourDatabases>;

  private constructor(
    readonly server: RedisServer,
    readonly client: RespClient,
  ) {
    this.ours = ourDatabases(() => this.#pin ?? Date.now());
  }

  /** Starts a server (options as {@link RedisServer.start}). */
  static async start(opts: { preamble?: boolean; timestamps?: boolean } = {}): Promise<Oracle> {
    const server = await RedisServer.start(opts);
    const client = await RespClient.connect(server.port);
    return new Oracle(server, client);
  }

  /**
   * Runs `cmds` on both sides; returns the commands whose replies differ
   * (an error on one side only, or different values). Verbs in `noReply`
   * (random, or time-dependent replies) are run but their replies not compared.
   * An XADD runs on our side at the millisecond of the id Redis answered (an
   * `XADD key * ...` takes each side's own clock), so its id and the stream
   * compare exactly.
   */
  async both(cmds: Cmd[], noReply: ReadonlySet<string> = new Set()): Promise<string[]> {
    const theirs = await this.client.run(cmds);
    const bad: string[] = [];
    cmds.forEach((c, i) => {
      const verb = (typeof c[0] === "string" ? c[0] : new TextDecoder().decode(c[0])).toLowerCase();
      const id = verb === "xadd" ? xaddMs(theirs[i]!) : null;
      this.#pin = id;
      const r = this.ours.applier.apply(c);
      this.#pin = null;
      if (noReply.has(verb)) return;
      const mine = r.ok ? canon(r.reply) : "error";
      const want = canon(theirs[i]!);
      if (JSON.stringify(mine) !== JSON.stringify(want)) {
        bad.push(
          `${show(c)} -> ours ${JSON.stringify(r.ok ? mine : r.error)}, redis ${
            JSON.stringify(theirs[i])
          }`,
        );
      }
    });
    return bad;
  }

  /** Sends `cmds` to Redis only; throws if any reply is an error (a workload must be valid). */
  async redis(cmds: Cmd[]): Promise<void> {
    const replies = await this.client.run(cmds);
    replies.forEach((r, i) => {
      if (r !== null && typeof r === "object" && "error" in r) {
        throw new Error(`workload command failed on Redis: ${show(cmds[i]!)}: ${r.error}`);
      }
    });
  }

  /** What Redis holds in databases 0..15 (every type, TTLs as absolute ms). */
  async redisKeyspace(): Promise<RedisKeyspaceJson> {
    const json: RedisKeyspaceJson = { collected_at_unix_ms: Date.now(), dbs: {} };
    const cmds: Cmd[] = [];
    for (let db = 0; db < 16; db++) cmds.push(["SELECT", String(db)], ["EVAL", COLLECT, "0"]);
    cmds.push(["SELECT", "0"]);
    const replies = await this.client.run(cmds);
    for (let db = 0; db < 16; db++) {
      const out = replies[db * 2 + 1];
      if (!(out instanceof Uint8Array)) throw new Error(`collect db ${db}: ${JSON.stringify(out)}`);
      const keys = JSON.parse(new TextDecoder().decode(out)) as Record<string, unknown> | unknown[];
      if (!Array.isArray(keys) && Object.keys(keys).length > 0) {
        json.dbs[String(db)] = keys as RedisKeyspaceJson["dbs"][string];
      }
    }
    return json;
  }

  /**
   * Replays the server's appendonlydir into fresh databases and asserts the
   * result equals what the server reports, key by key (type, value, TTL).
   * Returns the replay's applier counters.
   */
  async assertAofReplayEqual(label: string): Promise<{ applied: number; errors: number }> {
    const json = await this.redisKeyspace();
    const mine = ourDatabases(() => json.collected_at_unix_ms, true);
    const failed: string[] = [];
    const stats = await replayRedisAof(this.server.aofDir, (a) => {
      const r = mine.applier.apply(a);
      if (!r.ok && failed.length < 5) failed.push(`${show(a)}: ${r.error}`);
      return r;
    });
    assert.equal(stats.torn, null, `${label}: torn AOF`);
    mine.applier.finish();
    assert.deepEqual(failed, [], `${label}: commands of Redis's AOF that failed on replay`);
    const view = viewOfStores(mine.dbs);
    assertSameKeyspace(view, viewOfRedis(json), 0, `${label}: AOF replay`, this.approxScores);
    await this.#assertStreamsEqual(mine.dbs, json, `${label}: AOF replay`);
    return { applied: mine.applier.applied, errors: mine.applier.errors };
  }

  /** Our live applier's keyspace equals the server's (TTLs within `slackMs`). */
  async assertLiveEqual(label: string, slackMs = 5000): Promise<void> {
    const json = await this.redisKeyspace();
    const view = viewOfStores(this.ours.dbs);
    assertSameKeyspace(view, viewOfRedis(json), slackMs, `${label}: live`, this.approxScores);
    await this.#assertStreamsEqual(this.ours.dbs, json, `${label}: live`);
  }

  /**
   * Every stream (the keyspace view has only its type) compared in full:
   * `XINFO STREAM key FULL` on both sides (entries, ids, counters, groups,
   * PELs with delivery counts), consumers' seen-times left out (each side's
   * clock, and a replay's is its own), other times within 2 s.
   */
  async #assertStreamsEqual(
    dbs: ReadonlyMap<number, Store>,
    json: RedisKeyspaceJson,
    label: string,
  ): Promise<void> {
    const want: Array<{ db: number; key: Uint8Array }> = [];
    for (const [db, keys] of Object.entries(json.dbs)) {
      for (const [k, e] of Object.entries(keys)) {
        if (e.type === "stream") want.push({ db: Number(db), key: unhex(k) });
      }
    }
    if (want.length === 0) return;
    const cmds: Cmd[] = [];
    for (const { db, key } of want) {
      cmds.push(["SELECT", String(db)], ["XINFO", "STREAM", key, "FULL"]);
    }
    cmds.push(["SELECT", "0"]);
    const replies = await this.client.run(cmds);
    want.forEach(({ db, key }, i) => {
      const theirs = replies[i * 2 + 1] as Outcome;
      const r = applyCommand(dbs.get(db)!, ["XINFO", "STREAM", key, "FULL"]);
      const ours: Outcome = r.ok ? r.reply : { error: r.error };
      const d = difference([], withoutSeenTimes(ours), withoutSeenTimes(theirs));
      assert.equal(d, null, `${label}: db ${db} stream ${hexText(hexOf(key))}: XINFO STREAM FULL`);
    });
  }

  /** Empties both sides (FLUSHALL). */
  async reset(): Promise<void> {
    await this.redis([["FLUSHALL"]]);
    this.ours.applier.apply(["FLUSHALL"]);
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    await this.client.close().catch(() => {});
    await this.server.stop();
  }
}

function show(c: Cmd): string {
  return c.map((x) => typeof x === "string" ? x : `<${[...x].map((b) => b.toString(16)).join("")}>`)
    .join(" ").slice(0, 200);
}

/** Keyspaces equal, TTLs within `slackMs`; a small zset's -0 equals 0 (Redis stores 0). */
export function assertSameKeyspace(
  ours: KeyspaceView,
  theirs: KeyspaceView,
  slackMs: number,
  label: string,
  approxScores = false,
): void {
  const a = zeroSignless(ours), b = zeroSignless(theirs);
  const dbs = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const db of dbs) {
    const x = a[db] ?? {}, y = b[db] ?? {};
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
    for (const k of keys) {
      const p = x[k], q = y[k];
      const where = `${label}: db ${db} key ${hexText(k)}`;
      assert.ok(p !== undefined, `${where}: missing in ours (Redis: ${JSON.stringify(q)})`);
      assert.ok(q !== undefined, `${where}: not in Redis (ours: ${JSON.stringify(p)})`);
      assert.equal(p.type, q.type, `${where}: type`);
      if (approxScores && p.type === "zset") assertCloseScores(p.value, q.value, where);
      else assert.deepEqual(p.value, q.value, `${where}: value`);
      if (p.pexpiretime === null || q.pexpiretime === null) {
        assert.equal(p.pexpiretime, q.pexpiretime, `${where}: TTL`);
      } else {
        assert.ok(
          Math.abs(p.pexpiretime - q.pexpiretime) <= slackMs,
          `${where}: TTL ${p.pexpiretime} vs ${q.pexpiretime}`,
        );
      }
    }
  }
}

/**
 * Zset members equal, scores within a few units in the last place: a geo
 * distance (STOREDIST) goes through Math.sin/cos/asin, whose last bit differs
 * from glibc's on some runtimes (Node 20), never more.
 */
function assertCloseScores(ours: unknown, theirs: unknown, where: string): void {
  const x = ours as Array<[string, number]>, y = theirs as Array<[string, number]>;
  assert.deepEqual(x.map(([m]) => m).sort(), y.map(([m]) => m).sort(), `${where}: members`);
  const want = new Map(y);
  for (const [m, s] of x) {
    const t = want.get(m)!;
    assert.ok(
      s === t || Math.abs(s - t) <= Math.abs(t) * 1e-15,
      `${where}: score of ${m}: ${s} vs ${t}`,
    );
  }
}

function unhex(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function hexOf(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function hexText(h: string): string {
  const b = Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
  return /^[\x20-\x7e]*$/.test(new TextDecoder().decode(b)) ? new TextDecoder().decode(b) : h;
}
