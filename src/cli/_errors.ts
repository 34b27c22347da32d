// What an error means to a user of the CLI: one table from error class (or
// errno) to the kind shown under --json and the exit code. The README's
// "Exit codes and errors" table is checked against it (tests/cli/errors_table.test.ts).
import { NotAFileError } from "../fs/types.ts";
import { CorruptFileError } from "../codec/errors.ts";
import { LzfError } from "../codec/lzf.ts";
import { RedisRdbModuleError, RedisRdbVersionError } from "../codec/rdb_errors.ts";
import { SegmentStubError } from "../codec/snapshot_errors.ts";
import { DroppedTransactionError, UnknownCommandError } from "../persist/unknown.ts";
import { SegmentedFrameError } from "../persist/aof2_errors.ts";
import { StreamNotRewritableError } from "../persist/rewrite_commands.ts";
import { RedisAofLayoutError, RedisAofTimestampError } from "../redis/aof.ts";
import { MigrationError, MigrationSourceError } from "../redis/migrate.ts";
import { RedisExportError } from "../redis/export.ts";
import {
  RedisAuthError,
  RedisClusterError,
  RedisConnectionError,
  RedisProtocolError,
  RedisReplyError,
} from "../net/errors.ts";
import { StoreLockedError } from "../embedded/errors.ts";
import { DataError, EXIT, InputError, UsageError } from "./_io.ts";

/** An error class, as `instanceof` sees it. */
// deno-lint-ignore no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

/** One row: errors of these classes (or with these errno codes) are this kind, this exit code. */
export interface ErrorKind {
  /** `error.kind` under --json. */
  readonly kind: "usage" | "corrupt" | "data" | "input" | "target";
  /** The exit code. */
  readonly exit: number;
  /** Classes, subclasses included. */
  readonly errors: readonly ErrorClass[];
  /** `code` values of system errors (node:fs style). */
  readonly errno: readonly string[];
}

/** Rows in the order they are tried (anything else is `internal`, exit 5). */
export const ERROR_KINDS: readonly ErrorKind[] = [
  { kind: "usage", exit: EXIT.usage, errors: [UsageError], errno: [] },
  // SnapshotChecksumError is a CorruptFileError.
  { kind: "corrupt", exit: EXIT.dataProblem, errors: [CorruptFileError, LzfError], errno: [] },
  {
    kind: "data",
    exit: EXIT.dataProblem,
    errors: [
      DataError,
      UnknownCommandError,
      DroppedTransactionError,
      SegmentedFrameError,
      SegmentStubError,
      StreamNotRewritableError,
      RedisAofTimestampError,
      RedisRdbVersionError,
      RedisRdbModuleError,
      RedisExportError,
    ],
    errno: [],
  },
  {
    kind: "input",
    exit: EXIT.input,
    // A Redis AOF layout that does not fit (a file the manifest names is missing, ...) is input.
    errors: [
      InputError,
      NotAFileError,
      RedisAofLayoutError,
      MigrationSourceError,
      StoreLockedError,
    ],
    errno: ["ENOENT", "EACCES", "EPERM", "EISDIR", "ENOTDIR"],
  },
  {
    kind: "target",
    exit: EXIT.refused,
    // RedisTimeoutError is a RedisConnectionError.
    errors: [
      RedisConnectionError,
      RedisAuthError,
      RedisClusterError,
      RedisReplyError,
      RedisProtocolError,
    ],
    errno: [],
  },
];

/** The documented exit codes, in order. */
export const EXIT_CODES: readonly { readonly code: number; readonly meaning: string }[] = [
  { code: EXIT.ok, meaning: "done (`check`: the data is sound)" },
  {
    code: EXIT.dataProblem,
    meaning: "the data has a problem: corruption, a torn tail, an unsupported format or " +
      "command; `migrate`: conflicts, refused keys or differences",
  },
  { code: EXIT.usage, meaning: "a wrong command, option or argument" },
  {
    code: EXIT.input,
    meaning: "the input cannot be read: missing, no permission, not a kevy or Redis file, " +
      "a dir open in a running store",
  },
  {
    code: EXIT.refused,
    meaning: "refused: a destructive step without consent (`repair`), a migration target " +
      "unreachable or refusing",
  },
  { code: EXIT.internal, meaning: "a bug or an unexpected I/O error (printed with its stack)" },
];

/** How the CLI reports `e`: its kind, exit code and the facts it carries. */
export interface Classified {
  /** `error.kind` under --json; `internal` for anything unexpected. */
  readonly kind: ErrorKind["kind"] | "internal";
  /** The exit code. */
  readonly exit: number;
  /** path, offset, expected, preview, verb and module, where the error has them. */
  readonly facts: Record<string, string | number>;
}

const FACTS = ["path", "offset", "expected", "preview", "verb", "module"] as const;

/** Classifies `e` by {@link ERROR_KINDS}. */
export function classifyError(e: unknown): Classified {
  // A stopped migration is about its cause (a node unreachable, a corrupt source, ...).
  if (e instanceof MigrationError && e.cause !== undefined) return classifyError(e.cause);
  const errno = (e as { code?: unknown } | null)?.code;
  // By class first: a RedisConnectionError's `code` is an errno of the network, not of the input.
  const row = ERROR_KINDS.find((r) => r.errors.some((c) => e instanceof c)) ??
    ERROR_KINDS.find((r) => typeof errno === "string" && r.errno.includes(errno));
  const facts: Record<string, string | number> = {};
  if (row !== undefined && typeof e === "object" && e !== null) {
    for (const f of FACTS) {
      const v = (e as Record<string, unknown>)[f];
      if (typeof v === "string" || typeof v === "number") facts[f] = v;
      else if (typeof v === "bigint") facts[f] = String(v);
    }
  }
  return row === undefined
    ? { kind: "internal", exit: EXIT.internal, facts }
    : { kind: row.kind, exit: row.exit, facts };
}
