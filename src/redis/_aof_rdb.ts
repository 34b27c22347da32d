// Private: an AOF file that starts with an RDB (Redis 7's `.base.rdb` with
// `aof-use-rdb-preamble yes`, or a pre-7 `appendonly.aof` whose first part
// is an RDB): the RDB is decoded, its keys delivered, and whatever follows it
// goes on as RESP commands, from the byte after the RDB's checksum (file
// offsets stay those of the file).
import { RedisRdbDecoder, type RedisRdbFunction, type RedisRdbStats } from "../codec/redis_rdb.ts";
import type { Entry } from "../codec/types.ts";
import type { FsAdapter } from "../fs/types.ts";
import type { RedisAofFileReader } from "./_aof_reader.ts";

const REDIS = [0x52, 0x45, 0x44, 0x49, 0x53];

/** True when the file's first bytes are the RDB magic `REDIS`. */
export async function startsWithRdb(fs: FsAdapter, path: string): Promise<boolean> {
  for await (const c of fs.readChunks(path, 16)) {
    return c.length >= 5 && REDIS.every((b, i) => c[i] === b);
  }
  return false;
}

/**
 * Reads the RDB at the start of `path` (keys to `onEntry`, function
 * libraries to `onFunction`), then hands the
 * rest of the file to the reader `makeReader(rdbEnd)` builds. Returns the
 * reader (not finished) and what the RDB held.
 */
export async function readRdbThenResp(
  fs: FsAdapter,
  path: string,
  chunkBytes: number,
  skipModules: boolean,
  onEntry: (db: number, entry: Entry, offset: number) => void,
  onFunction: (fn: RedisRdbFunction, offset: number) => void,
  makeReader: (startOffset: number) => RedisAofFileReader,
): Promise<{ reader: RedisAofFileReader; rdb: RedisRdbStats }> {
  const size = (await fs.stat(path))?.size;
  const dec = new RedisRdbDecoder({
    path,
    ...(size === undefined ? {} : { totalSize: size }),
    skipModules,
    onEntry: (e, info) => onEntry(info.db, e, info.offset),
    onFunction,
  });
  let reader: RedisAofFileReader | null = null;
  let rdb: RedisRdbStats | null = null;
  let pos = 0;
  for await (const c of fs.readChunks(path, chunkBytes)) {
    if (reader === null) {
      dec.push(c);
      if (dec.done) {
        rdb = dec.finish();
        reader = makeReader(rdb.rdbBytes);
        const rest = c.subarray(rdb.rdbBytes - pos);
        if (rest.length > 0) reader.push(rest);
      }
    } else {
      reader.push(c);
      if (reader.stopped) break;
    }
    pos += c.length;
  }
  if (reader === null || rdb === null) {
    rdb = dec.finish(); // throws: the RDB ended early
    reader = makeReader(rdb.rdbBytes);
  }
  return { reader, rdb };
}
