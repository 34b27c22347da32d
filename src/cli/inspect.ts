// `kevy-persist inspect <file|dir>`: what a file or data dir holds.
import { analyzeTarget, describeSkipped, type DirReport, type TargetReport } from "./_analyze.ts";
import type { AofReport, SnapshotReport } from "./_analyze_file.ts";
import { type Command, defineCommand } from "./_command.ts";
import { EXIT, fmtBytes, table } from "./_io.ts";
import { resolveTarget } from "./_target.ts";
import { describeRedis } from "./_redis.ts";
import { describeRdb } from "./_rdb.ts";

const DESCRIPTION =
  `Shows the kind and version of a snapshot or AOF (kevy or Redis), record counts per type, keys
with a TTL, already-expired records, sizes, and a torn tail or corruption with its byte offset.
For a data dir: the layout (shards.meta), a pending re-shard journal, temps and backups.
A Redis RDB (dump.rdb, an AOF base) shows its version, aux fields, keys per database and per
encoding, TTLs and the checksum; a Redis data dir shows its dump.rdb and its appendonlydir.
A command this tool cannot apply is shown as the status (--skip-unknown: counted per verb).
Read-only.`;

function describeSnapshot(r: SnapshotReport): string {
  const rows = [
    ["file", r.path],
    ["kind", `kevy snapshot v${r.version ?? "?"}`],
    ["size", `${fmtBytes(r.size)} (${r.size} bytes)`],
    [
      "checksum",
      r.checksum === "verified"
        ? "verified (trailer after EOF)"
        : r.checksum === "absent"
        ? "none (written by kevy, or without one)"
        : "?",
    ],
    ["records", String(r.records)],
    ...Object.entries(r.byType).map(([t, n]) => [`  ${t}`, String(n)]),
    ["keys with TTL", String(r.withTtl)],
    ["already expired", String(r.expired)],
  ];
  if (r.cursor !== null) {
    rows.push(["feed cursor", `generation ${r.cursor.generation}, offset ${r.cursor.offset}`]);
  }
  if (r.fieldTtls > 0) rows.push(["hash-field TTLs", String(r.fieldTtls)]);
  if (r.segmentStubs > 0) {
    rows.push(["row-segment stubs", `${r.segmentStubs} (rows in segs-{i}/: not loadable here)`]);
  }
  if (r.trailingBytes > 0) rows.push(["bytes after EOF", String(r.trailingBytes)]);
  rows.push(["status", r.problem ? r.problem.message : "sound"]);
  return table(rows);
}

function describeAof(r: AofReport): string {
  const verbs = Object.entries(r.verbs).sort((a, b) => b[1] - a[1]);
  const rows = [
    ["file", r.path],
    [
      "kind",
      r.format === "v2"
        ? "kevy AOF v2 (KEVYAOF2: CRC32C per record, kevy 5.x)"
        : r.format === "v1"
        ? "kevy AOF v1 (KEVYAOF1 header)"
        : r.format === "empty"
        ? "empty AOF"
        : "RESP AOF without header (Redis, or kevy before KEVYAOF1)",
    ],
    ["size", `${fmtBytes(r.size)} (${r.size} bytes)`],
    ["frames", String(r.frames)],
    ...verbs.slice(0, 12).map(([v, n]) => [`  ${v}`, String(n)]),
  ];
  if (verbs.length > 12) rows.push(["  ...", `${verbs.length - 12} more verbs`]);
  if (r.tornTxn !== null) {
    rows.push([
      "torn transaction",
      `BEGIN at byte ${r.tornTxn.offset}, ${r.tornTxn.frames} frame(s) not applied (cut at the next open)`,
    ]);
  }
  const skipped = describeSkipped(r.skipped);
  if (skipped !== "") rows.push(["skipped", skipped]);
  rows.push(["status", r.problem ? r.problem.message : "sound"]);
  return table(rows);
}

function describeDir(r: DirReport): string {
  let s = table([
    ["dir", r.path],
    [
      "layout",
      r.meta
        ? `${r.meta.n} shard(s), ${r.meta.routing} routing (shards.meta)`
        : r.metaRaw !== null
        ? `shards.meta unreadable: ${JSON.stringify(r.metaRaw)}`
        : "no shards.meta (legacy dir)",
    ],
    [
      "re-shard journal",
      r.journal.present
        ? (r.journal.parsed ? "PENDING: will roll forward at next open" : "torn: will be discarded")
        : "none",
    ],
    ["temps", r.temps.length ? r.temps.join(", ") : "none"],
    ["backups", r.backups.length ? r.backups.join(", ") : "none"],
    ["quarantined tails", r.quarantined.length ? r.quarantined.join(", ") : "none"],
    ["lock", r.lock ?? "none"],
  ]);
  for (const x of r.snapshots) s += "\n" + describeSnapshot(x);
  for (const x of r.aofs) s += "\n" + describeAof(x);
  return s;
}

function describe(r: TargetReport): string {
  switch (r.kind) {
    case "dir":
      return describeDir(r);
    case "snapshot":
      return describeSnapshot(r);
    case "aof":
      return describeAof(r);
    case "redis-aof":
      return describeRedis(r);
    case "redis-rdb":
      return describeRdb(r);
    case "redis-data":
      return `Redis data dir ${r.path}` +
        (r.aof
          ? ` (Redis loads appendonlydir/ when appendonly is yes)\n${describeRedis(r.aof)}`
          : "\n") +
        (r.rdb ? describeRdb(r.rdb) : "");
    default:
      return `${r.path}: a kevy >= 5 checksummed AOF (KEVYAOF2), not supported yet\n`;
  }
}

/** The inspect subcommand. */
export const inspectCommand: Command = defineCommand({
  name: "inspect",
  summary: "show what a snapshot, AOF or data dir holds",
  args: ["file|dir"],
  options: {
    "skip-modules": {
      type: "boolean",
      help: "leave Redis module values out (counted) instead of refusing the RDB",
    },
    "skip-unknown": {
      type: "boolean",
      help: "leave out commands this tool cannot apply (counted) instead of failing",
    },
  },
  description: DESCRIPTION,
  examples: ["kevy-persist inspect ./kevy-data", "kevy-persist inspect dump-0.rdb --json"],
  exitCodes: "0 ok, 2 usage, 3 unreadable input.",
  async run({ args: [path], options }, ctx) {
    const target = await resolveTarget(ctx.fs, path!);
    const onUnknown = options["skip-unknown"] ? "skip" : "error";
    const { report } = await analyzeTarget(ctx.fs, target, ctx.now(), onUnknown, {
      skipModules: options["skip-modules"] === true,
    });
    ctx.io.out(options.json ? JSON.stringify(report, null, 2) + "\n" : describe(report));
    return EXIT.ok;
  },
});
