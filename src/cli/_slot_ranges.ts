// Where `reshard --slot-ranges` gets its ranges: the ranges as text
// ("0-5460 5461-10922 10923-16383"), a file with `redis-cli --json CLUSTER
// SHARDS` (or CLUSTER SLOTS) output, or a live cluster's URL. Shard i is
// the master serving the i-th lowest slot range.
import { parseSlotRanges, type SlotRanges } from "../codec/slot_ranges.ts";
import { RedisCluster } from "../net/cluster.ts";
import type { Reply } from "../net/reply.ts";
import { parseClusterShards, parseClusterSlots, type SlotRange } from "../net/slots.ts";
import type { CliContext } from "./_command.ts";
import { InputError, UsageError } from "./_io.ts";

/** JSON (as redis-cli --json prints replies) as RESP2-shaped values: objects become flat arrays. */
function replyOfJson(x: unknown): Reply {
  if (Array.isArray(x)) return x.map(replyOfJson);
  if (x !== null && typeof x === "object") {
    return Object.entries(x as Record<string, unknown>).flatMap(([k, v]) => [k, replyOfJson(v)]);
  }
  if (typeof x === "number" || typeof x === "string" || typeof x === "boolean" || x === null) {
    return x;
  }
  return String(x);
}

/** One range group per master, ordered by each master's lowest slot. */
export function groupByMaster(ranges: ReadonlyArray<SlotRange>): SlotRanges {
  const by = new Map<string, Array<[number, number]>>();
  for (const r of ranges) {
    const id = r.master.id !== "" ? r.master.id : `${r.master.host}:${r.master.port}`;
    let g = by.get(id);
    if (g === undefined) by.set(id, g = []);
    g.push([r.start, r.end]);
  }
  return [...by.values()].sort((a, b) =>
    Math.min(...a.map((r) => r[0])) - Math.min(...b.map((r) => r[0]))
  );
}

/** The slot ranges `--slot-ranges VALUE` names. */
export async function readSlotRanges(value: string, ctx: CliContext): Promise<SlotRanges> {
  if (/^rediss?:\/\//.test(value)) {
    const c = await RedisCluster.connect({ urls: [value] });
    try {
      return groupByMaster(c.ranges);
    } finally {
      await c.close();
    }
  }
  if (/^[\d\s,-]+$/.test(value)) {
    try {
      return parseSlotRanges(value);
    } catch (e) {
      throw new UsageError(`--slot-ranges: ${(e as Error).message}`);
    }
  }
  const info = await ctx.fs.stat(value);
  if (info === null || !info.isFile) {
    throw new InputError(
      `--slot-ranges: ${value} is neither slot ranges, a redis:// URL nor a file`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await ctx.fs.readFile(value)));
  } catch (e) {
    throw new InputError(
      `${value}: not JSON (expected \`redis-cli --json CLUSTER SHARDS\` output): ${
        (e as Error).message
      }`,
    );
  }
  try {
    const reply = replyOfJson(json);
    const first = Array.isArray(reply) ? reply[0] : undefined;
    // CLUSTER SLOTS rows start with a slot number; CLUSTER SHARDS records with "slots".
    const ranges = Array.isArray(first) && typeof first[0] === "number"
      ? parseClusterSlots(reply, "?")
      : parseClusterShards(reply, "?");
    return groupByMaster(ranges);
  } catch (e) {
    throw new InputError(
      `${value}: not a CLUSTER SHARDS or CLUSTER SLOTS reply: ${(e as Error).message}`,
    );
  }
}
