// Function libraries of an RDB source, loaded on every master (functions
// are per node in a cluster). Without `replace`, a library that is already
// there is compared by its code: the same code counts as unchanged,
// another as a conflict (left as it is); with `replace`, FUNCTION LOAD
// REPLACE overwrites it.
import { RedisReplyError } from "../net/errors.ts";
import { replyText } from "../net/reply.ts";
import type { RedisTarget } from "../net/target.ts";
import type { MigrateStats } from "./migrate.ts";

const td = new TextDecoder();

/** The library name of a `#!lua name=<name>` source, or null. */
export function libraryName(code: Uint8Array): string | null {
  const first = td.decode(code.subarray(0, Math.min(code.length, 512))).split("\n")[0] ?? "";
  return /(?:^#!\S+|\s)name=(\S+)/.exec(first)?.[1] ?? null;
}

/** The code of library `name` on the connection's node, or null. */
async function codeOn(target: RedisTarget, addr: string, name: string): Promise<string | null> {
  const r = await (await target.connection(addr)).command([
    "FUNCTION",
    "LIST",
    "LIBRARYNAME",
    name,
    "WITHCODE",
  ]); // deno-fmt-ignore
  if (!Array.isArray(r)) return null;
  for (const lib of r) {
    if (!Array.isArray(lib)) continue;
    let libName: string | undefined;
    let code: string | undefined;
    for (let i = 0; i + 1 < lib.length; i += 2) {
      const k = replyText(lib[i]);
      if (k === "library_name") libName = replyText(lib[i + 1]);
      if (k === "library_code") code = replyText(lib[i + 1]);
    }
    if (libName === name) return code ?? null;
  }
  return null;
}

/** Loads every library on every master, counting into `stats`. */
export async function copyFunctions(
  target: RedisTarget,
  libraries: Uint8Array[],
  stats: MigrateStats,
  replace: boolean,
): Promise<void> {
  for (const code of libraries) {
    const name = libraryName(code) ?? "<unnamed>";
    let conflict = false;
    for (const addr of target.masters) {
      const conn = await target.connection(addr);
      try {
        await conn.command(
          replace ? ["FUNCTION", "LOAD", "REPLACE", code] : ["FUNCTION", "LOAD", code],
        );
      } catch (e) {
        if (!(e instanceof RedisReplyError) || replace || !/already exists/i.test(e.reply)) {
          stats.errors.push({
            key: new TextEncoder().encode(`function library ${name}`),
            error: (e as Error).message,
          });
          conflict = true;
          continue;
        }
        if ((await codeOn(target, addr, name)) !== td.decode(code)) {
          stats.conflicts.push({
            key: new TextEncoder().encode(`function library ${name}`),
            what: "value",
            detail: `another library ${name} is loaded on ${addr}`,
          });
          conflict = true;
        }
      }
    }
    if (!conflict) stats.functions++;
  }
}
