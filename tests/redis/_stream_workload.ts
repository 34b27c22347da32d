// A deterministic workload of every stream command (explicit ids where the
// clock would differ, `*` ids too), for the oracle tests. `["SLEEP", ms]`
// steps let pending entries become idle for the min-idle-time arguments.
import { rng } from "../_helpers.ts";

/** One step: a command, or `["SLEEP", ms]`. */
export type Step = Array<string | Uint8Array>;

const BIN = new Uint8Array([0, 1, 13, 10, 0x80, 0xff]);

function value(r: () => number, i: number): string | Uint8Array {
  const x = r();
  if (x < 0.2) return String(Math.floor(r() * 1e12) - 5e11); // integer-like: packed as ints by Redis
  if (x < 0.3) return String(i % 128);
  if (x < 0.35) return "v".repeat(60 + (i % 10)); // string encodings around 64 bytes
  if (x < 0.38) return "w".repeat(4090 + (i % 8)); // fills a node past 4096 bytes
  if (x < 0.42) return BIN;
  if (x < 0.45) return "007";
  return `v${i}`;
}

/** The workload (keys `s:*`, `bin:*`, `t:*`). */
export function streamWorkload(): Step[] {
  const r = rng(20240611);
  const out: Step[] = [];
  // A long stream: shared and changing field names, ms jumps, explicit and ms-* ids.
  let ms = 1;
  for (let i = 0; i < 700; i++) {
    ms += [0, 0, 1, 3, 1000][Math.floor(r() * 5)]!;
    const n = 1 + Math.floor(r() * 3);
    const names = r() < 0.75
      ? ["temp", "hum", "x"].slice(0, n)
      : Array.from({ length: n }, (_, k) => `f${k + Math.floor(r() * 3)}`);
    const cmd: Step = ["XADD", "s:long"];
    if (i % 50 === 49) cmd.push("MAXLEN", "~", String(400 + Math.floor(r() * 200)));
    if (i % 71 === 70) cmd.push("MINID", "~", `${Math.floor(ms / 3)}-0`, "LIMIT", "150");
    cmd.push(r() < 0.5 ? `${ms}-*` : `${ms}-${i}`);
    for (const f of names) cmd.push(f, value(r, i));
    out.push(cmd);
    if (r() < 0.08) {
      out.push(["XDEL", "s:long", `${Math.max(1, ms - Math.floor(r() * 50))}-0`, `${ms}-${i}`]);
    }
  }
  out.push(
    ["XINFO", "STREAM", "s:long"],
    ["XTRIM", "s:long", "MAXLEN", "~", "300"],
    ["XTRIM", "s:long", "MAXLEN", "=", "290"],
    ["XTRIM", "s:long", "MINID", `${Math.floor(ms / 2)}-0`],
    ["XRANGE", "s:long", "-", "+", "COUNT", "25"],
    ["XREVRANGE", "s:long", "+", "(5", "COUNT", "25"],
    ["XRANGE", "s:long", `(${Math.floor(ms / 2)}`, `(${ms}`],
    ["XLEN", "s:long"],
  );
  // Clock-generated ids and errors.
  out.push(
    ["XADD", "s:auto", "*", "a", "1"],
    ["XADD", "s:auto", "*", "a", "2"],
    ["XADD", "s:auto", "NOMKSTREAM", "*", "a", "3"],
    ["XADD", "s:none", "NOMKSTREAM", "*", "a", "3"],
    ["XADD", "s:auto", "1-1", "a", "1"],
    ["XADD", "s:auto", "0-0", "a", "1"],
    ["XADD", "s:auto", "*", "odd"],
    ["XADD", "s:auto", "MAXLEN", "=", "1", "LIMIT", "2", "*", "a", "b"],
    ["XRANGE", "s:auto", "-", "+"],
  );
  // Consumer groups.
  out.push(
    ["XADD", "s:g", "1-1", "job", "a"],
    ["XADD", "s:g", "2-1", "job", "b"],
    ["XADD", "s:g", "3-1", "job", "c", "prio", "1"],
    ["XADD", "s:g", "4-1", "job", "d"],
    ["XADD", "s:g", "5-1", "job", "e"],
    ["XADD", "s:g", "6-1", "job", "f"],
    ["XGROUP", "CREATE", "s:g", "workers", "0"],
    ["XGROUP", "CREATE", "s:g", "late", "$", "ENTRIESREAD", "6"],
    ["XGROUP", "CREATE", "s:g", "fresh", "0", "ENTRIESREAD", "0"],
    ["XGROUP", "CREATE", "s:g", "workers", "0"],
    ["XGROUP", "CREATE", "s:new", "g", "$", "MKSTREAM"],
    ["XGROUP", "CREATECONSUMER", "s:g", "workers", "idler"],
    ["XREADGROUP", "GROUP", "workers", "alice", "COUNT", "2", "STREAMS", "s:g", ">"],
    ["XREADGROUP", "GROUP", "workers", "bob", "COUNT", "1", "NOACK", "STREAMS", "s:g", ">"],
    ["XREADGROUP", "GROUP", "workers", "bob", "COUNT", "2", "STREAMS", "s:g", ">"],
    ["XREADGROUP", "GROUP", "fresh", "carl", "STREAMS", "s:g", "s:new", ">", ">"],
    ["XREADGROUP", "GROUP", "workers", "alice", "STREAMS", "s:g", "0"],
    ["XPENDING", "s:g", "workers"],
    ["XPENDING", "s:g", "workers", "-", "+", "10"],
    ["XPENDING", "s:g", "workers", "-", "+", "10", "bob"],
    ["XACK", "s:g", "workers", "1-1", "9-9"],
    ["XDEL", "s:g", "2-1"],
    ["XREADGROUP", "GROUP", "workers", "alice", "STREAMS", "s:g", "0"],
    ["SLEEP", "30"],
    ["XCLAIM", "s:g", "workers", "dave", "10", "4-1", "2-1"],
    ["XCLAIM", "s:g", "workers", "dave", "1000000", "5-1"],
    ["XCLAIM", "s:g", "workers", "erin", "0", "6-1", "FORCE", "RETRYCOUNT", "5", "TIME", "1000"],
    ["XCLAIM", "s:g", "workers", "erin", "0", "5-1", "JUSTID", "LASTID", "9-0"],
    ["XCLAIM", "s:g", "late", "erin", "0", "1-1", "LASTID", "7-0"],
    ["XINFO", "GROUPS", "s:g"],
    ["XADD", "s:g", "10-1", "job", "g"],
    ["XTRIM", "s:g", "MINID", "4-0"],
    ["SLEEP", "30"],
    ["XAUTOCLAIM", "s:g", "fresh", "frank", "10", "0", "COUNT", "2"],
    ["XAUTOCLAIM", "s:g", "fresh", "frank", "0", "(1-1", "JUSTID"],
    ["XAUTOCLAIM", "s:g", "workers", "frank", "0", "0"],
    ["XGROUP", "SETID", "s:g", "late", "3-1"],
    ["XGROUP", "SETID", "s:g", "fresh", "$", "ENTRIESREAD", "4"],
    ["XREADGROUP", "GROUP", "late", "gina", "STREAMS", "s:g", ">"],
    ["XGROUP", "DELCONSUMER", "s:g", "workers", "frank"],
    ["XGROUP", "DELCONSUMER", "s:g", "workers", "nobody"],
    ["XGROUP", "DESTROY", "s:new", "g"],
    ["XGROUP", "DESTROY", "s:new", "g"],
    ["XSETID", "s:g", "20-0", "ENTRIESADDED", "50", "MAXDELETEDID", "15-0"],
    ["XSETID", "s:g", "1-0"],
    ["XINFO", "STREAM", "s:g"],
    ["XINFO", "STREAM", "s:g", "FULL", "COUNT", "0"],
    ["XINFO", "GROUPS", "s:g"],
    ["XINFO", "CONSUMERS", "s:g", "workers"],
    ["XREAD", "COUNT", "2", "STREAMS", "s:g", "s:long", "0", "$"],
    ["XREAD", "STREAMS", "s:g", "+"],
  );
  // Binary keys, fields, names; an emptied stream; a stream with a TTL.
  const bk = new Uint8Array([0x62, 0, 0xff]);
  out.push(
    ["XADD", bk, "1-0", BIN, BIN, "", ""],
    ["XGROUP", "CREATE", bk, BIN, "0"],
    ["XREADGROUP", "GROUP", BIN, BIN, "STREAMS", bk, ">"],
    ["XINFO", "STREAM", bk, "FULL"],
    ["XADD", "t:empty", "5-5", "a", "b"],
    ["XDEL", "t:empty", "5-5"],
    ["XINFO", "STREAM", "t:empty"],
    ["XADD", "t:ttl", "7-7", "a", "b"],
    ["PEXPIREAT", "t:ttl", "4102444800000"],
  );
  // Pending entries whose entries are gone: trimmed below the first entry, deleted above it.
  for (let i = 1; i <= 6; i++) out.push(["XADD", "s:tomb", `${i}-0`, "n", String(i)]);
  out.push(
    ["XGROUP", "CREATE", "s:tomb", "g", "0"],
    ["XGROUP", "CREATE", "s:tomb", "h", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s:tomb", ">"],
    ["XREADGROUP", "GROUP", "h", "d", "COUNT", "3", "STREAMS", "s:tomb", ">"],
    ["XTRIM", "s:tomb", "MAXLEN", "4"],
    ["XDEL", "s:tomb", "5-0"],
    ["XPENDING", "s:tomb", "g", "-", "+", "10"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s:tomb", "0"],
    ["XINFO", "STREAM", "s:tomb", "FULL"],
  );
  return out;
}

/** Every key the workload leaves. */
export const WORKLOAD_KEYS: Array<string | Uint8Array> = [
  "s:long",
  "s:auto",
  "s:g",
  "s:new",
  new Uint8Array([0x62, 0, 0xff]),
  "t:empty",
  "t:ttl",
  "s:tomb",
];
