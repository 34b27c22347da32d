// `kevy-persist migrate <src> --to redis://... [--cluster] [--db N] [--replace]
// [--verify] [--sample N] [--follow]`.
import { onInterrupt } from "../fs/proc.ts";
import type { TlsSettings } from "../net/connection.ts";
import { parseRedisUrl } from "../net/url.ts";
import { followToRedis, offsetsText } from "../redis/follow.ts";
import {
  type KeyDifference,
  type MigrateOptions,
  type MigrateStats,
  migrateToRedis,
  MigrationError,
} from "../redis/migrate.ts";
import { verifyRedis } from "../redis/verify.ts";
import { type Command, defineCommand } from "./_command.ts";
import { classifyError } from "./_errors.ts";
import { EXIT, fmtBytes, InputError, Progress, type Terminal, UsageError } from "./_io.ts";

const DESCRIPTION =
  `Copies a kevy data dir (any shard count and routing), a kevy snapshot or AOF, or a Redis
dump.rdb, AOF (file or appendonlydir, any base) or data dir into a Redis or Valkey server, or with --cluster into a Redis Cluster
(each key to the master of its hash slot, pipelined per master). TTLs travel to the millisecond,
keys and values of any bytes, every type including streams with their consumer groups. The
source is not modified.

A key already on the target is left alone and compared with the source: equal keys count as
unchanged (so a re-run after a failure completes the job), different ones as conflicts (exit
1). --replace overwrites keys on the target instead. --verify reads every key back afterwards
(type, TTL, value) and reports each difference; --sample N checks N random keys instead.

--follow (a data dir only): after the copy, keeps forwarding every write a running store appends
to its AOFs, through its saves, rewrites and re-shards, and reports the lag. Ctrl-C stops it
after a last pass, with a final "in sync at <file>:<offset> ..." line. Cut-over: stop the
writers, wait for "lag 0 B", press Ctrl-C, switch the clients to the target.

A command in a source AOF that this tool cannot apply stops the migration (exit 1, naming the
verb, the file and the byte offset) before anything more is sent; --skip-unknown leaves such
commands out and counts them per verb in the summary.`;

/** The migrate subcommand. */
export const migrateCommand: Command = defineCommand({
  name: "migrate",
  summary: "copy a data dir (or a snapshot, an AOF) into Redis or a Redis Cluster",
  args: ["src"],
  options: {
    to: {
      type: "string",
      value: "URL",
      help: "redis://[user:pass@]host:port[/db] or rediss:// (required)",
    },
    cluster: { type: "boolean", help: "the target is a Redis Cluster (the URL names any node)" },
    db: {
      type: "string",
      value: "N",
      help: "database on a single server (default: the URL's, else 0)",
    },
    replace: { type: "boolean", help: "overwrite keys that already exist on the target" },
    verify: { type: "boolean", help: "read every key back afterwards and report each difference" },
    sample: {
      type: "string",
      value: "N",
      help: "verify N random keys instead of all (implies --verify)",
    },
    follow: { type: "boolean", help: "keep forwarding a live store's writes until Ctrl-C" },
    "source-db": {
      type: "string",
      value: "N",
      help: "the database of a Redis source (default 0)",
    },
    payload: {
      type: "string",
      choices: ["auto", "commands", "restore"],
      default: "auto",
      help: "RESTORE payloads when the server takes them, or plain commands",
    },
    "tls-ca": {
      type: "string",
      value: "FILE",
      help: "CA certificate (PEM) for a rediss:// target",
    },
    "skip-unknown": {
      type: "boolean",
      help:
        "leave out commands of the source's AOFs this tool cannot apply (counted) instead of failing",
    },
  },
  description: DESCRIPTION,
  examples: [
    "kevy-persist migrate ./kevy-data --to redis://127.0.0.1:7000 --cluster --verify",
    "kevy-persist migrate ./kevy-data --to redis://:secret@10.0.0.5:6379 --db 2 --replace",
    "kevy-persist migrate ./kevy-data --to redis://127.0.0.1:7000 --cluster --follow",
  ],
  exitCodes:
    "0 ok, 1 conflicts, refused keys, verify differences, corrupt source or an unsupported command in it, 2 usage, 3 unreadable source, 4 target unreachable or refused.",
  async run({ args: [src], options }, ctx) {
    const url = options.to;
    if (url === undefined) throw new UsageError("--to URL is required");
    try {
      parseRedisUrl(url);
    } catch (e) {
      throw new UsageError(`--to: ${(e as Error).message}`);
    }
    const num = (name: string, v: string | undefined, min: number): number | undefined => {
      if (v === undefined) return undefined;
      if (!/^\d{1,9}$/.test(v) || Number(v) < min) {
        throw new UsageError(`--${name} must be an integer >= ${min}, got ${v}`);
      }
      return Number(v);
    };
    const db = num("db", options.db, 0);
    const sample = num("sample", options.sample, 1);
    const sourceDb = num("source-db", options["source-db"], 0);
    if (options.cluster && db !== undefined && db !== 0) {
      throw new UsageError("--db: a Redis Cluster has database 0 only");
    }
    if (options.follow && sourceDb !== undefined) {
      throw new UsageError("--follow reads a kevy data dir: no --source-db");
    }
    let tls: TlsSettings | undefined;
    if (options["tls-ca"] !== undefined) {
      tls = { ca: new TextDecoder().decode(await ctx.fs.readFile(options["tls-ca"])) };
    }
    const base: MigrateOptions = {
      url,
      fs: ctx.fs,
      now: ctx.now,
      payload: options.payload as "auto" | "commands" | "restore",
      ...(options.cluster ? { cluster: true } : {}),
      ...(db !== undefined ? { db } : {}),
      ...(options.replace ? { replace: true } : {}),
      ...(sourceDb !== undefined ? { sourceDb } : {}),
      ...(tls !== undefined ? { tls } : {}),
      ...(options["skip-unknown"] ? { onUnknown: "skip" as const } : {}),
    };
    const io = ctx.io;
    try {
      let bar: Progress | null = null;
      let barPart = "";
      const withProgress: MigrateOptions = {
        ...base,
        onProgress: (p) => {
          if (p.part !== barPart) {
            bar?.done();
            barPart = p.part;
            bar = new Progress(io, `copying ${p.part}`, p.partKeys);
          }
          bar!.update(p.partSent);
        },
      };
      let stats: MigrateStats;
      let followText = "";
      if (options.follow) {
        const r = await follow(src!, withProgress, io, options.json);
        stats = r.stats;
        followText = r.text;
      } else {
        stats = await migrateToRedis(src!, withProgress);
      }
      (bar as Progress | null)?.done();
      let code = stats.conflicts.length > 0 || stats.errors.length > 0 ? EXIT.dataProblem : EXIT.ok;
      let verify = null;
      if (options.verify || sample !== undefined) {
        verify = await verifyRedis(src!, {
          url,
          fs: ctx.fs,
          now: ctx.now,
          ...(options.cluster ? { cluster: true } : {}),
          ...(db !== undefined ? { db } : {}),
          ...(sourceDb !== undefined ? { sourceDb } : {}),
          ...(sample !== undefined ? { sample } : {}),
          ...(tls !== undefined ? { tls } : {}),
          ...(options["skip-unknown"] ? { onUnknown: "skip" as const } : {}),
        });
        if (verify.differences.length > 0) code = EXIT.dataProblem;
      }
      if (options.json) {
        io.out(
          JSON.stringify({
            migrate: jsonStats(stats),
            follow: followText || undefined,
            verify: verify && {
              ...verify,
              differences: verify.differences.map(jsonDiff),
            },
          }) + "\n",
        );
      } else {
        io.out(summary(stats));
        if (followText !== "") io.out(followText);
        if (verify !== null) {
          io.out(
            `verify: ${verify.checked} key(s) checked${
              sample !== undefined ? ` (a sample of ${verify.sourceKeys})` : ""
            }, ` +
              `${verify.differences.length} difference(s); the target holds ${verify.targetKeys} key(s)\n`,
          );
          for (const d of verify.differences) {
            io.out(`  ${keyText(d.key)}: ${d.what}: ${d.detail}\n`);
          }
        }
      }
      return code;
    } catch (e) {
      return failure(e, io, options.json);
    }
  },
});

/** Runs the follower until Ctrl-C; the lag goes to stderr. */
async function follow(
  src: string,
  opts: MigrateOptions,
  io: Terminal,
  json: boolean,
): Promise<{ stats: MigrateStats; text: string }> {
  const info = await opts.fs!.stat(src);
  if (info === null || !info.isDirectory) {
    throw new InputError(`${src}: --follow needs a kevy data dir`);
  }
  const stop = new AbortController();
  const off = onInterrupt(() => stop.abort());
  let lastLine = "";
  try {
    const r = await followToRedis(src, {
      ...opts,
      signal: stop.signal,
      onCopied: (s) => {
        if (!json) {
          io.err(`copied ${s.keys} key(s); following ${src} (Ctrl-C stops after a last pass)\n`);
        }
      },
      onLag: (lag) => {
        const line = `lag ${
          fmtBytes(lag.bytes)
        }, ${lag.forwarded} frame(s) forwarded, ${lag.resyncs} file replacement(s)`;
        if (line === lastLine) return;
        lastLine = line;
        io.err(io.stderrIsTTY ? `\r\x1b[2K${line}` : `${line}\n`);
      },
    });
    if (io.stderrIsTTY) io.err("\n");
    r.initial.errors.push(...r.errors);
    r.initial.skipped = r.skipped;
    return {
      stats: r.initial,
      text: `in sync at ${offsetsText(r.offsets)} (${r.forwarded} frame(s) forwarded, ` +
        `${r.resent} key(s) sent again after ${r.resyncs} file replacement(s))\n`,
    };
  } finally {
    off();
  }
}

const td = new TextDecoder();

/** A key as text when printable, else as hex. */
function keyText(k: Uint8Array): string {
  const printable = k.every((b) => b >= 0x20 && b < 0x7f);
  return printable
    ? JSON.stringify(td.decode(k))
    : `0x${[...k].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function summary(s: MigrateStats): string {
  const secs = s.ms / 1000;
  const rate = secs > 0 ? Math.round(s.keys / secs) : s.keys;
  const lines = [
    `migrated ${s.source} -> ${s.target}, ${s.masters} master(s), payload: ${s.payload}`,
    `  keys copied       ${s.keys}`,
    `  already there     ${s.unchanged} (unchanged)`,
    `  conflicts         ${s.conflicts.length}${
      s.conflicts.length > 0 ? " (left as they are; --replace overwrites)" : ""
    }`,
    `  refused           ${s.errors.length}`,
    `  skipped           ${s.expired} expired, ${s.empty} empty collection(s)`,
    `  sent              ${s.commands} command(s), ${fmtBytes(s.bytes)} in ${
      secs.toFixed(2)
    } s (${rate} keys/s)`,
  ];
  const skipped = Object.entries(s.skipped).map(([v, n]) => `${v} x${n}`).join(", ");
  if (skipped !== "") {
    lines.push(`  left out          unsupported commands (--skip-unknown): ${skipped}`);
  }
  if (s.functions > 0) lines.push(`  functions         ${s.functions} librar(ies) on every master`);
  if (s.payloadFallbacks > 0) {
    lines.push(
      `  note              ${s.payloadFallbacks} key(s) sent as commands: the server refused their RESTORE payload`,
    );
  }
  if (s.lostPending > 0) {
    lines.push(
      `  note              ${s.lostPending} pending stream entr(ies) of deleted messages could not be carried by commands`,
    );
  }
  for (const d of s.conflicts) lines.push(`  conflict ${keyText(d.key)}: ${d.what}: ${d.detail}`);
  for (const e of s.errors) lines.push(`  refused ${keyText(e.key)}: ${e.error}`);
  return lines.join("\n") + "\n";
}

function hex(k: Uint8Array): string {
  return [...k].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function jsonDiff(d: KeyDifference): Record<string, string> {
  return { key: hex(d.key), what: d.what, detail: d.detail };
}

function jsonStats(s: MigrateStats): Record<string, unknown> {
  return {
    ...s,
    conflicts: s.conflicts.map(jsonDiff),
    errors: s.errors.map((e) => ({ key: hex(e.key), error: e.error })),
  };
}

/** The verb, file and byte offset an input error names (those it has). */
function where(e: unknown): Record<string, unknown> {
  const f = e as { verb?: unknown; path?: unknown; offset?: unknown };
  return Object.fromEntries(
    Object.entries({ verb: f.verb, path: f.path, offset: f.offset }).filter(([, v]) =>
      v !== undefined
    ),
  );
}

/** Exit code and message for what stopped the command. */
function failure(e: unknown, io: Terminal, json: boolean): number {
  const cause = e instanceof MigrationError ? e.cause : e;
  const { kind, exit: code } = classifyError(cause);
  if (kind === "internal" || kind === "usage") throw e;
  const message = (e as Error).message;
  if (json) {
    const stats = e instanceof MigrationError && e.stats !== null ? jsonStats(e.stats) : undefined;
    io.err(
      JSON.stringify({
        error: {
          kind,
          command: "migrate",
          message,
          exitCode: code,
          ...where(cause),
          stats,
        },
      }) + "\n",
    );
  } else {
    io.err(`kevy-persist migrate: ${message}\n`);
  }
  return code;
}
