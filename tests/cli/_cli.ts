// Runs the CLI in-process with a captured terminal.
import { runCli } from "../../src/cli/mod.ts";
import type { CliIo } from "../../src/cli/mod.ts";

/** One in-process run: `out` is all of stdout as text, `bytes` the same bytes raw. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
  bytes: Uint8Array;
}

export async function cli(
  argv: string[],
  opts: { confirm?: boolean | null; now?: number } = {},
): Promise<CliRun> {
  let err = "";
  // Everything written to stdout, text and bytes, in order.
  const chunks: Uint8Array[] = [];
  const io: CliIo = {
    out: (t) => void chunks.push(new TextEncoder().encode(t)),
    err: (t) => void (err += t),
    outBytes: (b) => {
      chunks.push(b.slice());
      return Promise.resolve();
    },
    stderrIsTTY: false,
    confirm: () => Promise.resolve(opts.confirm ?? null),
  };
  const now = opts.now;
  const code = await runCli(argv, io, now === undefined ? {} : { now: () => now });
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const bytes = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    bytes.set(c, p);
    p += c.length;
  }
  return { code, out: new TextDecoder().decode(bytes), err, bytes };
}
