/**
 * The process's own terminal for the CLI: stdout with backpressure and a
 * clean end when the reader goes away (`dump … | head`), stderr, a yes/no
 * question on stdin, argv and the exit code. Lives in `src/fs/` because it is
 * runtime-specific (`node:process`, which Deno, Bun and Node implement).
 *
 * @module
 */
import process from "node:process";

// Whether the process's stdout saw EPIPE (shared by every terminal).
const closedStdout = { value: false };

/** Writing to stdout after its reader closed the pipe (EPIPE). */
export class StdoutClosedError extends Error {
  override name = "StdoutClosedError";
  /** Always `"EPIPE"`. */
  readonly code = "EPIPE";
  constructor() {
    super("stdout was closed by its reader");
  }
}

/** The process's stdio, as {@link processTerminal} gives it. */
export interface ProcessTerminal {
  /**
   * Writes to stdout. Resolves at once while the runtime's buffer has room,
   * else when it drained (so a slow reader slows the writer instead of
   * filling memory); rejects with {@link StdoutClosedError} once the reader
   * is gone.
   */
  write(chunk: string | Uint8Array): Promise<void>;
  /**
   * Writes `chunk` to stdout and resolves once the runtime is done with it
   * (handed to the OS: the caller may then fill it again); rejects with
   * {@link StdoutClosedError} once the reader is gone.
   */
  writeThrough(chunk: Uint8Array): Promise<void>;
  /** True once stdout's reader went away; later writes are dropped. */
  readonly stdoutClosed: boolean;
  /** Writes to stderr (errors after its reader went away are ignored). */
  err(text: string): void;
  /** True when stderr is a terminal. */
  readonly stderrIsTTY: boolean;
  /** Asks on stderr and reads one line from stdin; null when stdin is not a terminal. */
  ask(question: string): Promise<string | null>;
}

/**
 * The current process's terminal.
 *
 * @example
 * ```ts
 * import { processTerminal } from "./terminal.ts";
 * const term = processTerminal();
 * await term.write("");
 * ```
 */
export function processTerminal(): ProcessTerminal {
  const stdout = process.stdout;
  let closed = false;
  // One pending drain shared by every writer waiting for room.
  let drain: { promise: Promise<void>; reject: (e: Error) => void } | null = null;
  const onClosed = () => {
    closed = true;
    drain?.reject(new StdoutClosedError());
    drain = null;
  };
  const isEpipe = (e: unknown) => (e as { code?: unknown } | null)?.code === "EPIPE";
  // Registered once per process, however many terminals are made.
  if (!stdout.listeners("error").some((l) => (l as { kevy?: boolean }).kevy)) {
    stdout.on(
      "error",
      Object.assign((e: unknown) => {
        if (!isEpipe(e)) throw e;
        closedStdout.value = true;
      }, { kevy: true }),
    );
  }
  process.stderr.on("error", () => {});
  const isClosed = () => {
    if (!closed && (closedStdout.value || stdout.destroyed || stdout.writableEnded)) onClosed();
    return closed;
  };
  const waitForRoom = (): Promise<void> => {
    if (drain === null) {
      let reject!: (e: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        reject = rej;
        stdout.once("drain", () => {
          drain = null;
          res();
        });
      });
      drain = { promise, reject };
    }
    return drain.promise;
  };
  return {
    get stdoutClosed() {
      return isClosed();
    },
    async write(chunk) {
      if (isClosed()) throw new StdoutClosedError();
      let roomLeft: boolean;
      try {
        roomLeft = stdout.write(chunk, (e) => {
          if (e && isEpipe(e)) {
            closedStdout.value = true;
            onClosed();
          }
        });
      } catch (e) {
        if (!isEpipe(e)) throw e;
        onClosed();
        throw new StdoutClosedError();
      }
      if (!roomLeft) await waitForRoom();
      if (isClosed()) throw new StdoutClosedError();
    },
    writeThrough(chunk) {
      if (isClosed()) return Promise.reject(new StdoutClosedError());
      return new Promise<void>((resolve, reject) => {
        try {
          stdout.write(chunk, (e) => {
            if (e && isEpipe(e)) {
              closedStdout.value = true;
              onClosed();
            }
            if (e) reject(isEpipe(e) ? new StdoutClosedError() : e);
            else resolve();
          });
        } catch (e) {
          if (!isEpipe(e)) throw e;
          onClosed();
          reject(new StdoutClosedError());
        }
      });
    },
    err(text) {
      try {
        process.stderr.write(text);
      } catch {
        // stderr gone too: nothing left to tell.
      }
    },
    stderrIsTTY: Boolean(process.stderr.isTTY),
    async ask(question) {
      if (!process.stdin.isTTY) return null;
      process.stderr.write(question);
      const answer = await new Promise<string>((resolve) => {
        process.stdin.once("data", (d) => resolve(String(d)));
      });
      process.stdin.pause();
      return answer;
    },
  };
}

/**
 * The command-line arguments after the program (and script) name.
 *
 * @example
 * ```ts
 * import { processArgs } from "./terminal.ts";
 * console.log(processArgs());
 * ```
 */
export function processArgs(): string[] {
  return process.argv.slice(2);
}

/**
 * Sets the exit code the process ends with (it does not exit).
 *
 * @example
 * ```ts
 * import { setExitCode } from "./terminal.ts";
 * setExitCode(0);
 * ```
 */
export function setExitCode(code: number): void {
  process.exitCode = code;
}
