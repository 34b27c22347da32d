/**
 * FUNCTION LOAD / DELETE / FLUSH: Redis 7 function libraries kept as data
 * (library name -> code, server-wide: they live with database 0) so that a
 * replayed AOF keeps them and an export writes them back out as FUNCTION
 * LOAD. There is no Lua engine here: a library's code is checked for its
 * `#!lua name=<name>` header only, never run, and FCALL is not supported
 * (an unknown command, refused loudly by replays).
 *
 * @module
 */

import { type Ctx, fail, type Reply, upper } from "./_apply_common.ts";
import type { CommandSpec } from "./_command.ts";

const NAME_RE = /^[A-Za-z0-9_]+$/;

/** Splits a shebang line like Redis's sdssplitargs (spaces; "double" and 'single' quotes). */
function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let cur = "";
    const q = line[i];
    if (q === '"' || q === "'") {
      i++;
      while (i < line.length && line[i] !== q) cur += line[i++];
      if (i >= line.length) return null; // unterminated quotes
      i++;
      if (i < line.length && !/\s/.test(line[i]!)) return null; // closing quote must end the token
    } else {
      while (i < line.length && !/\s/.test(line[i]!)) cur += line[i++];
    }
    out.push(cur);
  }
  return out;
}

/** The library name of `code` (from its `#!<engine> name=<name>` line) or the Redis error. */
export function libraryName(code: Uint8Array): string {
  const text = new TextDecoder("latin1").decode(code);
  if (!text.startsWith("#!")) fail("ERR Missing library metadata");
  const nl = text.indexOf("\n");
  if (nl < 0) fail("ERR Invalid library metadata");
  const parts = splitArgs(text.slice(0, nl));
  if (parts === null || parts.length === 0) fail("ERR Invalid library metadata");
  const engine = parts[0]!.slice(2);
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === "name=") {
      if (name !== null) fail("ERR Invalid metadata value, name argument was given multiple times");
      name = part.slice(5);
      continue;
    }
    fail(`ERR Invalid metadata value given: ${part}`);
  }
  if (name === null) fail("ERR Library name was not given");
  if (!NAME_RE.test(name)) {
    fail(
      "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long",
    );
  }
  if (engine.toLowerCase() !== "lua") fail(`ERR Engine '${engine}' not found`);
  return name;
}

function load(c: Ctx, a: Uint8Array[]): Reply {
  let replace = false, at = 2;
  while (at < a.length - 1) {
    const o = a[at++]!;
    if (upper(o) === "REPLACE") replace = true;
    else fail(`ERR Unknown option given: ${new TextDecoder().decode(o)}`);
  }
  if (at >= a.length) fail("ERR Function code is missing");
  const code = a[at]!;
  const name = libraryName(code);
  const libs = c.libraries();
  if (libs.has(name) && !replace) fail(`ERR Library '${name}' already exists`);
  libs.set(name, code.slice());
  return new TextEncoder().encode(name);
}

function fn(c: Ctx, a: Uint8Array[]): Reply {
  const sub = upper(a[1]!);
  const arityError = () =>
    fail(`ERR wrong number of arguments for 'function|${sub.toLowerCase()}' command`);
  switch (sub) {
    case "LOAD":
      if (a.length < 3) arityError();
      return load(c, a);
    case "DELETE": {
      if (a.length !== 3) arityError();
      const name = new TextDecoder("latin1").decode(a[2]!);
      if (!c.libraries().delete(name)) fail("ERR Library not found");
      return "OK";
    }
    case "FLUSH": {
      if (a.length > 3) {
        fail("ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.");
      }
      if (a.length === 3) {
        const o = upper(a[2]!);
        if (o !== "SYNC" && o !== "ASYNC") {
          fail("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        }
      }
      c.libraries().clear();
      return "OK";
    }
    default:
      return fail(
        `ERR unknown subcommand '${new TextDecoder().decode(a[1]!)}'. Try FUNCTION HELP.`,
      );
  }
}

/** Subcommands refused as unsupported (a replay stops on them unless told to skip). */
const REFUSED = new Set(["LIST", "DUMP", "RESTORE", "STATS", "KILL", "HELP"]);

/** The FUNCTION row (logged as given; kevy's replay ignores it, as kevy has no functions). */
export const FUNCTION_COMMANDS: CommandSpec[] = [
  {
    name: "function",
    arity: -2,
    flags: "write",
    keys: [],
    log: "argv",
    unsupported: (a) => {
      const sub = upper(a[1]!);
      return REFUSED.has(sub)
        ? `ERR FUNCTION ${sub} is not supported (no Lua engine here; libraries are kept as code)`
        : null;
    },
    fn,
  },
];
