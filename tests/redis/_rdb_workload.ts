// The commands the RDB interop tests send to a live redis-server: every type
// in every encoding Redis 7.0 writes (small/large hashes, intset/hashtable
// sets, listpack/skiplist zsets, quicklists of several nodes, int/raw/LZF
// strings), streams with deleted entries, consumer groups, pending entries
// and an idle consumer, TTLs, and several databases.
import { encodeCommand } from "../../src/codec/resp.ts";
import { rng } from "../_helpers.ts";

type Cmd = Array<string | Uint8Array>;

/** Databases the workload writes. */
export const WORKLOAD_DBS = [0, 1, 5];

function frames(cmds: Cmd[]): Uint8Array {
  const parts = cmds.map((c) => encodeCommand(c));
  const out = new Uint8Array(parts.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of parts) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/** RESP bytes of the workload; deadlines are `deadline` (unix ms, in the future). */
export function rdbWorkload(deadline: number): Uint8Array {
  const r = rng(42);
  const rand = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  const cmds: Cmd[] = [
    ["SET", "str:small", "hello"],
    ["SET", "str:int", "12345"],
    ["SET", "str:negint", "-7"],
    ["SET", "str:bigint", "9223372036854775807"],
    ["SET", "str:float", "3.14"],
    ["SET", "str:lzf", "abc".repeat(1000)],
    ["SET", "str:random", rand(300)],
    ["SET", "str:bin", new Uint8Array([0, 13, 10, 255])],
    ["SET", "", "value of the empty key"],
    ["SET", "str:empty", ""],
    ["RPUSH", "list:small", "a", "b", "1", "2", "-3", ""],
    ["RPUSH", "list:bigel", "x".repeat(10000), "y", "z"],
    ["RPUSH", "list:ints", ...Array.from({ length: 50 }, (_, i) => String(i * 1000 - 7))],
    ["SADD", "set:int", "1", "2", "3", "-100", "30000"],
    ["SADD", "set:int64", "1", "9223372036854775807", "-9223372036854775808"],
    ["SADD", "set:intbig", ...Array.from({ length: 600 }, (_, i) => String(i))],
    ["SADD", "set:str", "a", "b", "c"],
    ["SADD", "set:bin", new Uint8Array([0]), new Uint8Array([255, 254]), "plain"],
    [
      "ZADD",
      "zset:small",
      "1",
      "a",
      "2",
      "b",
      "-0",
      "z",
      "inf",
      "i",
      "-inf",
      "ni",
      "1e-20",
      "tiny",
      "5e-324",
      "den",
      "-2.5",
      "neg",
    ],
    ["ZADD", "zset:long", "1", "short", "2", "m".repeat(100)],
    ["HSET", "hash:small", "f", "v", "n", "1", "neg", "-12"],
    ["HSET", "hash:longval", "f", "v".repeat(100)],
    ["HSET", "hash:bin", new Uint8Array([0, 1]), new Uint8Array([255])],
  ];
  const big: Cmd = ["RPUSH", "list:big"];
  for (let i = 0; i < 2000; i++) {
    big.push(i % 7 === 0 ? String(i) : `item-${i}-${"p".repeat(i % 40)}`);
  }
  cmds.push(big);
  const sbig: Cmd = ["SADD", "set:big"];
  for (let i = 0; i < 200; i++) sbig.push(`member:${i}`);
  cmds.push(sbig);
  const zbig: Cmd = ["ZADD", "zset:big"];
  for (let i = 0; i < 200; i++) zbig.push(String((i * 37) % 101 - 50.5), `m${i}`);
  cmds.push(zbig);
  const hbig: Cmd = ["HSET", "hash:big"];
  for (let i = 0; i < 200; i++) hbig.push(`field:${i}`, i % 3 === 0 ? String(i) : `value-${i}`);
  cmds.push(hbig);
  // Streams: several nodes, same-field and other-field entries, deletions, groups.
  for (let i = 1; i <= 250; i++) {
    const id = `${1000 + Math.floor(i / 3)}-${i % 3}`;
    cmds.push(
      i % 5 === 0
        ? ["XADD", "stream:a", id, "other", String(i)]
        : ["XADD", "stream:a", id, "a", String(i), "b", `v${i}`],
    );
  }
  cmds.push(
    ["XDEL", "stream:a", "1001-0", "1010-2", "1083-1"],
    ["XGROUP", "CREATE", "stream:a", "g1", "0"],
    ["XGROUP", "CREATE", "stream:a", "g2", "$"],
    ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "stream:a", ">"],
    ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "stream:a", ">"],
    ["XACK", "stream:a", "g1", "1000-2"],
    ["XGROUP", "CREATECONSUMER", "stream:a", "g1", "carol"],
    ["XADD", "stream:empty", "5-1", "f", "v"],
    ["XDEL", "stream:empty", "5-1"],
    ["XSETID", "stream:empty", "100-5"],
    ["XGROUP", "CREATE", "stream:empty", "idle", "$"],
  );
  for (const k of ["str:small", "list:small", "hash:small", "zset:big", "stream:a", "set:int"]) {
    cmds.push(["PEXPIREAT", k, String(deadline)]);
  }
  cmds.push(
    ["SELECT", "1"],
    ["SET", "a", "b"],
    ["HSET", "h", "x", "y"],
    ["SELECT", "5"],
    ["RPUSH", "l", "x"],
    ["SADD", "s", "1"],
    ["PEXPIREAT", "l", String(deadline + 1)],
    ["SELECT", "0"],
  );
  return frames(cmds);
}
