// Runs stream commands on a live redis-server and on our Store side by side,
// with our clock following the server's (its TIME before each command, and the
// millisecond of the id it generated for an XADD `*`), and compares replies
// the way time allows: unix-ms values within 2 s, idle times not at all.
import { applyCommand, type Reply } from "../../src/store/apply.ts";
import { Store } from "../../src/store/store.ts";
import type { RespClient } from "./_resp_client.ts";

const dec = new TextDecoder();

/** A reply or an error, comparable. */
export type Outcome = Reply | { error: string };

/** Our store, its clock, and the server, driven together. */
export class Dual {
  t = 0;
  readonly store: Store;
  constructor(readonly redis: RespClient) {
    this.store = new Store({ now: () => this.t });
  }

  /** Our clock := the server's. */
  async sync(): Promise<void> {
    const tm = (await this.redis.call(...["TIME"])) as Uint8Array[];
    this.t = Number(dec.decode(tm[0])) * 1000 + Math.floor(Number(dec.decode(tm[1])) / 1000);
  }

  /** Runs `argv` on both; our clock follows an id Redis generated. */
  async run(argv: Array<string | Uint8Array>): Promise<{ ours: Outcome; theirs: Outcome }> {
    await this.sync();
    const theirs = await this.redis.call(...argv);
    if (theirs instanceof Uint8Array && isWord(argv[0]!, "XADD")) {
      const m = /^(\d+)-/.exec(dec.decode(theirs));
      if (m !== null && Number(m[1]) > this.t && Number(m[1]) < this.t + 5000) {
        this.t = Number(m[1]);
      }
    }
    return { ours: this.ours(argv), theirs };
  }

  /** Runs `argv` on our store only. */
  ours(argv: Array<string | Uint8Array>): Outcome {
    const r = applyCommand(this.store, argv);
    return r.ok ? r.reply : { error: r.error };
  }
}

function isWord(a: string | Uint8Array, w: string): boolean {
  const s = typeof a === "string" ? a : dec.decode(a);
  return s.toUpperCase() === w;
}

/** Positions of idle times in a reply (not comparable: both clocks move). */
function idlePaths(argv: Array<string | Uint8Array>, r: Outcome): (path: number[]) => boolean {
  const verb = (typeof argv[0] === "string" ? argv[0] : dec.decode(argv[0]!)).toUpperCase();
  const sub = argv[1] === undefined
    ? ""
    : (typeof argv[1] === "string" ? argv[1] : dec.decode(argv[1])).toUpperCase();
  if (verb === "XPENDING" && argv.length > 3) return (p) => p.length === 2 && p[1] === 2;
  if (verb === "XINFO" && sub === "CONSUMERS") return (p) => p.length === 2 && p[1] === 5;
  void r;
  return () => false;
}

function show(x: unknown): string {
  return JSON.stringify(
    x,
    (_k, v) => v instanceof Uint8Array ? dec.decode(v) : typeof v === "bigint" ? `${v}n` : v,
  );
}

/** The first difference between our outcome and Redis's, or null. */
export function difference(
  argv: Array<string | Uint8Array>,
  ours: Outcome,
  theirs: Outcome,
): string | null {
  const skip = idlePaths(argv, theirs);
  const walk = (a: unknown, b: unknown, path: number[]): string | null => {
    if (skip(path)) return null;
    if (a instanceof Uint8Array && b instanceof Uint8Array) {
      return a.length === b.length && a.every((x, i) => x === b[i])
        ? null
        : `${show(a)} vs ${show(b)}`;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) {
        return `length ${a.length} vs ${b.length}: ${show(a)} vs ${show(b)}`;
      }
      for (let i = 0; i < a.length; i++) {
        const d = walk(a[i], b[i], [...path, i]);
        if (d !== null) return `[${i}] ${d}`;
      }
      return null;
    }
    if (typeof a === "number" && typeof b === "number" && a >= 1e12 && b >= 1e12) {
      return Math.abs(a - b) <= 2000 ? null : `time ${a} vs ${b}`;
    }
    if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
      return show(a) === show(b) ? null : `${show(a)} vs ${show(b)}`;
    }
    return a === b ? null : `${show(a)} vs ${show(b)}`;
  };
  return walk(ours, theirs, []);
}

/** `XINFO STREAM key FULL COUNT 0` with every seen-time (clock of the loader) set to 0. */
export function withoutSeenTimes(r: Outcome): Outcome {
  if (!Array.isArray(r)) return r;
  const out = [...r];
  const gi = out.findIndex((x) => x instanceof Uint8Array && dec.decode(x) === "groups");
  const groups = out[gi + 1];
  if (gi < 0 || !Array.isArray(groups)) return out;
  out[gi + 1] = groups.map((g) => {
    const ga = [...(g as Reply[])];
    const ci = ga.findIndex((x) => x instanceof Uint8Array && dec.decode(x) === "consumers");
    ga[ci + 1] = (ga[ci + 1] as Reply[]).map((c) => {
      const ca = [...(c as Reply[])];
      const si = ca.findIndex((x) => x instanceof Uint8Array && dec.decode(x) === "seen-time");
      ca[si + 1] = 0;
      return ca;
    });
    return ga;
  });
  return out;
}
