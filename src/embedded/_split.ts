// Routing a command over the shards of a store without logging it: the shard its keys hash
// to, or (a multi-key command whose row allows it) one part per shard with the replies joined,
// or (a keyless command) every shard. What each part would log is returned per shard, so the
// caller logs a command — or a whole transaction — as one group.
import type { Reply } from "../store/apply.ts";
import {
  arityOk,
  type Combine,
  type Command,
  commandNamed,
  keyPositions,
} from "../store/commands.ts";
import type { Frame } from "./_propagate.ts";
import { CommandFailedError } from "./errors.ts";

/** Applies a command on one shard: its reply and frames (throws CommandFailedError). */
export type ApplyOn = (shard: number, cmd: Command, argv: Uint8Array[]) => {
  reply: Reply;
  frames: Frame[];
};

/** A command applied: its reply and, per shard, what it logs there (in order). */
export interface Applied {
  reply: Reply;
  parts: Array<[shard: number, frames: Frame[]]>;
}

/** Where a command runs. */
export type Route =
  | { readonly kind: "one"; readonly shard: number }
  | { readonly kind: "split"; readonly how: Combine; readonly idx: number[] }
  | { readonly kind: "every"; readonly how: Combine };

export const WRONG_ARGS = (v: string): string => `ERR wrong number of arguments for '${v}' command`;
export const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same shard";
const EXISTS = commandNamed("exists")!, MSET = commandNamed("mset")!;
const EXISTS_VERB = new TextEncoder().encode("EXISTS"),
  MSET_VERB = new TextEncoder().encode("MSET");

/** The route of a command over `n` shards (throws arity / CROSSSLOT errors). */
export function route(
  cmd: Command,
  argv: Uint8Array[],
  n: number,
  shardOf: (key: Uint8Array) => number,
): Route {
  if (n === 1) return { kind: "one", shard: 0 };
  if (!arityOk(cmd, argv.length)) throw new CommandFailedError(WRONG_ARGS(cmd.name));
  if (cmd.keyless) {
    return cmd.everyShard === null
      ? { kind: "one", shard: 0 }
      : { kind: "every", how: cmd.everyShard };
  }
  const idx = keyPositions(cmd, argv);
  if (idx.length === 0) return { kind: "one", shard: 0 };
  const shard = shardOf(argv[idx[0]!]!);
  for (let j = 1; j < idx.length; j++) {
    if (shardOf(argv[idx[j]!]!) !== shard) {
      if (cmd.split !== null) return { kind: "split", how: cmd.split, idx };
      throw new CommandFailedError(CROSSSLOT);
    }
  }
  return { kind: "one", shard };
}

/** Applies a routed command (nothing is logged: the parts say what to log where). */
export function applyRouted(
  cmd: Command,
  argv: Uint8Array[],
  r: Route,
  n: number,
  shardOf: (key: Uint8Array) => number,
  apply: ApplyOn,
): Applied {
  if (r.kind === "one") {
    const { reply, frames } = apply(r.shard, cmd, argv);
    return { reply, parts: frames.length > 0 ? [[r.shard, frames]] : [] };
  }
  if (r.kind === "every") {
    return parts(Array.from({ length: n }, (_, i) => [i, cmd, argv]), apply, (x) => join(r.how, x));
  }
  return split(cmd, r.how, argv, r.idx, shardOf, apply);
}

/** A multi-key command whose keys span shards: one part per shard, replies combined. */
function split(
  cmd: Command,
  how: Combine,
  argv: Uint8Array[],
  idx: number[],
  shardOf: (key: Uint8Array) => number,
  apply: ApplyOn,
): Applied {
  // Each key carries the arguments up to the next key (MSET's value).
  const step = idx.length > 1 ? idx[1]! - idx[0]! : 1;
  if ((argv.length - idx[0]!) % step !== 0) throw new CommandFailedError(WRONG_ARGS(cmd.name));
  const groups = new Map<number, { argv: Uint8Array[]; pos: number[] }>();
  idx.forEach((j, p) => {
    const s = shardOf(argv[j]!);
    let g = groups.get(s);
    if (!g) groups.set(s, g = { argv: [argv[0]!], pos: [] });
    for (let k = j; k < j + step; k++) g.argv.push(argv[k]!);
    g.pos.push(p);
  });
  const order = [...groups];
  if (how === "nx") {
    for (const [s, g] of order) {
      const keys = g.argv.filter((_, k) => k % 2 === 1);
      const ex = apply(s, EXISTS, [EXISTS_VERB, ...keys]).reply;
      if (typeof ex === "number" && ex > 0) return { reply: 0, parts: [] };
    }
    return parts(order.map(([s, g]) => [s, MSET, [MSET_VERB, ...g.argv.slice(1)]]), apply, () => 1);
  }
  return parts(order.map(([s, g]) => [s, cmd, g.argv]), apply, (replies) => {
    if (how !== "positional") return join(how, replies);
    const out: Reply[] = new Array(idx.length).fill(null);
    replies.forEach((r, gi) => {
      const pos = order[gi]![1].pos;
      if (Array.isArray(r)) r.forEach((x, k) => (out[pos[k]!] = x));
    });
    return out;
  });
}

function parts(
  list: Array<[number, Command, Uint8Array[]]>,
  apply: ApplyOn,
  joinReplies: (r: Reply[]) => Reply,
): Applied {
  const replies: Reply[] = [];
  const out: Array<[number, Frame[]]> = [];
  for (const [s, c, a] of list) {
    const { reply, frames } = apply(s, c, a);
    replies.push(reply);
    if (frames.length > 0) out.push([s, frames]);
  }
  return { reply: joinReplies(replies), parts: out };
}

/** Replies of the shards' parts, joined. */
function join(how: Combine, replies: Reply[]): Reply {
  switch (how) {
    case "ok":
      return "OK";
    case "concat":
      return replies.flatMap((r) => (Array.isArray(r) ? r : []));
    case "random": {
      // RANDOMKEY: one shard's answer, at random among those that have keys.
      const some = replies.filter((r) => r !== null);
      return some.length === 0 ? null : some[Math.floor(Math.random() * some.length)]!;
    }
    default: {
      let sum = 0;
      for (const r of replies) sum += typeof r === "number" ? r : Number(r);
      return sum;
    }
  }
}

/** Shards a routed command writes to (for the checks before a transaction applies anything). */
export function shardsOf(
  r: Route,
  argv: Uint8Array[],
  n: number,
  shardOf: (k: Uint8Array) => number,
): number[] {
  if (r.kind === "one") return [r.shard];
  if (r.kind === "every") return Array.from({ length: n }, (_, i) => i);
  return [...new Set(r.idx.map((j) => shardOf(argv[j]!)))];
}

/** Merges per-shard frames of several commands (a transaction), shard order of first use. */
export function mergeParts(into: Map<number, Frame[]>, parts: Applied["parts"]): void {
  for (const [s, frames] of parts) {
    const list = into.get(s);
    if (list === undefined) into.set(s, [...frames]);
    else for (const f of frames) list.push(f);
  }
}
