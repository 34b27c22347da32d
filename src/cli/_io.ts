// Terminal I/O for the CLI, injectable so commands run in-process in tests.
import { processTerminal, StdoutClosedError } from "../fs/terminal.ts";

export { StdoutClosedError };

/**
 * Where {@link runCli} writes, and what it knows about the terminal. Only
 * `out` and `err` are required.
 *
 * @example Capture everything a command prints
 * ```ts
 * import type { CliIo } from "@kevy/persist/cli";
 *
 * let out = "";
 * const io: CliIo = { out: (t) => (out += t), err: (t) => (out += t) };
 * ```
 */
export interface CliIo {
  /** Write text to stdout. */
  out(text: string): void;
  /** Write text to stderr. */
  err(text: string): void;
  /**
   * Write raw bytes to stdout (`dump --format resp`); awaited, so a slow
   * reader slows the command down instead of filling memory. Default: the
   * bytes decoded as UTF-8 and passed to `out` (lossy for binary data).
   */
  outBytes?(bytes: Uint8Array): Promise<void> | void;
  /** True when stderr is a terminal: progress bars are drawn only then (default false). */
  stderrIsTTY?: boolean;
  /**
   * Ask a yes/no question; `null` when nobody can answer (default: always
   * `null`, so destructive commands need `--yes`).
   */
  confirm?(question: string): Promise<boolean | null>;
}

/** A {@link CliIo} with every member filled in: what commands get. */
export interface Terminal {
  /** Write text to stdout (small outputs; throws StdoutClosedError once the reader is gone). */
  out(text: string): void;
  /** Write to stdout and wait while the reader is slow: for large outputs (dump). */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Raw bytes to stdout, with backpressure (same as write). */
  outBytes(bytes: Uint8Array): Promise<void>;
  /**
   * Raw bytes to stdout; resolves once `bytes` may be filled again (written
   * through to the OS, or copied). For writers that reuse their buffers.
   */
  writeThrough(bytes: Uint8Array): Promise<void>;
  /** Write to stderr. */
  err(text: string): void;
  /** True when stderr is a terminal (progress bars only then). */
  stderrIsTTY: boolean;
  /** Ask a yes/no question on the terminal; null when stdin is not a terminal. */
  confirm(question: string): Promise<boolean | null>;
}

/** Exit codes, distinct per failure kind. */
export const EXIT = {
  ok: 0,
  /** The data has a problem (check failed, corruption found). */
  dataProblem: 1,
  /** Wrong flags or arguments. */
  usage: 2,
  /** Missing file, no permission, not a kevy file. */
  input: 3,
  /** A destructive step was refused (repair without --yes). */
  refused: 4,
  /** A bug or an unexpected I/O error. */
  internal: 5,
} as const;

/** A usage mistake: printed with the command's help hint, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Input this command cannot carry to its target as asked (refused, nothing written): exit code 1. */
export class DataError extends Error {
  override name = "DataError";
}

/** A problem with the input path: exit code 3. */
export class InputError extends Error {
  override name = "InputError";
}

/** `io` with the defaults of {@link CliIo} filled in. */
export function completeIo(io: CliIo): Terminal {
  const decoder = new TextDecoder();
  const write = async (chunk: string | Uint8Array): Promise<void> => {
    if (typeof chunk === "string") io.out(chunk);
    else if (io.outBytes !== undefined) await io.outBytes(chunk);
    else io.out(decoder.decode(chunk));
  };
  return {
    out: (t) => io.out(t),
    write,
    outBytes: write,
    // The caller's io may keep what it is given: it gets a copy.
    writeThrough: (b) => write(b.slice()),
    err: (t) => io.err(t),
    stderrIsTTY: io.stderrIsTTY ?? false,
    confirm: io.confirm !== undefined ? (q) => io.confirm!(q) : () => Promise.resolve(null),
  };
}

/** The process's own terminal. */
export function processIo(): Terminal {
  const term = processTerminal();
  const write = (chunk: string | Uint8Array) => term.write(chunk);
  return {
    out: (t) => {
      if (term.stdoutClosed) throw new StdoutClosedError();
      // Small outputs: no need to wait; a closed pipe shows up at the next write.
      term.write(t).catch(() => {});
    },
    write,
    outBytes: write,
    writeThrough: (b) => term.writeThrough(b),
    err: (t) => term.err(t),
    stderrIsTTY: term.stderrIsTTY,
    confirm: async (question) => {
      const answer = await term.ask(`${question} [y/N] `);
      return answer === null ? null : /^y(es)?$/i.test(answer.trim());
    },
  };
}

/**
 * A progress bar on stderr, shown only on a terminal and only once the work
 * has taken about a second (short commands stay quiet).
 */
export class Progress {
  #started: number;
  #last = 0;
  #shown = false;
  constructor(
    private readonly io: Terminal,
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#started = now();
  }

  /** Report `done` units of `total`. */
  update(done: number): void {
    if (!this.io.stderrIsTTY) return;
    const now = this.now();
    if (now - this.#started < 1000 || now - this.#last < 100) return;
    this.#last = now;
    this.#shown = true;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const width = 30;
    const fill = Math.round(frac * width);
    this.io.err(
      `\r${this.label} [${"#".repeat(fill)}${" ".repeat(width - fill)}] ${
        (frac * 100).toFixed(0).padStart(3)
      }%`,
    );
  }

  /** Clear the bar. */
  done(): void {
    if (this.#shown) this.io.err("\r\x1b[2K");
    this.#shown = false;
  }
}

/**
 * A hex preview (`"2a330d0a"`) as spaced hex with an ASCII column, like
 * `hexdump -C`: `2a 33 0d 0a  |*3..|` (non-printable bytes as `.`).
 */
export function hexPreview(hex: string): string {
  const bytes = hex.match(/[0-9a-f]{2}/gi) ?? [];
  const ascii = bytes.map((h) => {
    const b = parseInt(h, 16);
    return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
  }).join("");
  return `${bytes.join(" ")}  |${ascii}|`;
}

/** Human-readable bytes. */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A left-aligned text table. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join(
    "\n",
  ) + "\n";
}
