// Everything the benchmarks use, from the public subpath modules, in one
// namespace: `store_bench.ts --compare <other checkout>/bench/_lib.ts` (or an
// older checkout's mod.ts, which exported all of it) loads the same names.
export { ByteWriter, encodeCommandInto, encodeSnapshotChunks } from "../src/codec/mod.ts";
export { applyCommand, decodeSnapshot, encodeSnapshot, Store } from "../src/store/mod.ts";
export {
  Aof,
  loadSnapshot,
  loadSnapshotSync,
  replayAof,
  replayAofInto,
  replayAofIntoSync,
  replayAofSync,
  saveSnapshot,
  ShardFiles,
} from "../src/persist/mod.ts";
export { defaultFs } from "../src/fs/mod.ts";
