// Private: the RDB value type bytes (their Redis names, which bytes start a
// value), the decoder's non-value results (an empty collection, a module value
// skipped or refused) and the field TTL bound Redis accepts.

/** An empty collection (Redis skips the key). */
export const EMPTY: unique symbol = Symbol("rdb.empty");
/** A module value that was skipped. */
export const SKIPPED: { module: string } = { module: "" };
/** A module value that must be refused: its name and id are in MODULE. */
export const MODULE: { module: string; at: number } = { module: "", at: 0 };

/** Largest field deadline Redis accepts (EB_EXPIRE_TIME_MAX, 2^48 - 1 ms). */
export const FIELD_TTL_MAX = 2 ** 48 - 1;

/** The Redis names of the value types, by type byte. */
export const RDB_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: "string",
  1: "list",
  2: "set",
  3: "zset",
  4: "hash",
  5: "zset-2",
  6: "module-pre-ga",
  7: "module-2",
  9: "hash-zipmap",
  10: "list-ziplist",
  11: "set-intset",
  12: "zset-ziplist",
  13: "hash-ziplist",
  14: "list-quicklist",
  15: "stream-listpacks",
  16: "hash-listpack",
  17: "zset-listpack",
  18: "list-quicklist-2",
  19: "stream-listpacks-2",
  20: "set-listpack",
  21: "stream-listpacks-3",
  22: "hash-metadata-pre-ga",
  23: "hash-listpack-ex-pre-ga",
  24: "hash-metadata",
  25: "hash-listpack-ex",
};

/** True for a byte that starts a value (not an opcode). */
export function isValueType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 25);
}
