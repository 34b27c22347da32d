/**
 * Typed refusals of the Redis RDB reader that are not damaged bytes: a module
 * value no loader here can read, a format version newer than the reader.
 * (Damaged bytes are a `CorruptFileError`.)
 *
 * @module
 */

const CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * The 9-character module type name packed in a module type id (the high 54
 * bits, 6 bits a character); the low 10 bits are the encoding version.
 *
 * @example
 * ```ts
 * import { redisModuleName } from "@kevy/persist/codec";
 * redisModuleName(0n); // "AAAAAAAAA"
 * ```
 */
export function redisModuleName(id: bigint): string {
  let v = id >> 10n;
  let s = "";
  for (let i = 0; i < 9; i++) {
    s = CHARSET[Number(v & 63n)]! + s;
    v >>= 6n;
  }
  return s;
}

/**
 * The RDB holds data of a Redis module (a value of a module type, or module
 * auxiliary data). Only that module can read it; pass `skipModules: true` to
 * leave such values out (they are counted).
 *
 * @example
 * ```ts
 * import { RedisRdbModuleError } from "@kevy/persist/codec";
 * const e = new RedisRdbModuleError({ path: "dump.rdb", offset: 120, module: "ReJSON-RL", key: new TextEncoder().encode("doc") });
 * e.message.includes("ReJSON-RL"); // true
 * ```
 */
export class RedisRdbModuleError extends Error {
  /** Always `"RedisRdbModuleError"`. */
  override name = "RedisRdbModuleError";
  /** The file, or `"<buffer>"`. */
  readonly path: string;
  /** Offset of the value (or module aux record) in the file. */
  readonly offset: number;
  /** The module type name (9 characters, e.g. `ReJSON-RL`). */
  readonly module: string;
  /** The key holding the value, or `null` for module auxiliary data. */
  readonly key: Uint8Array | null;

  /**
   * A refusal of the module data at `info.offset`.
   *
   * @param info where, which module, which key (`null`/absent for aux data)
   */
  constructor(info: { path?: string; offset: number; module: string; key?: Uint8Array | null }) {
    const path = info.path ?? "<buffer>";
    const what = info.key ? "a value of" : "auxiliary data of";
    super(
      `${path}: byte ${info.offset} holds ${what} the Redis module type '${info.module}', ` +
        "which only that module can read (pass skipModules: true to leave module data out, counted)",
    );
    this.path = path;
    this.offset = info.offset;
    this.module = info.module;
    this.key = info.key ?? null;
  }
}

/**
 * The RDB file declares a format version this reader does not know (it reads
 * 1 to 12), or is not an RDB file at all.
 *
 * @example
 * ```ts
 * import { RedisRdbVersionError } from "@kevy/persist/codec";
 * new RedisRdbVersionError("dump.rdb", 13).message.includes("version 13"); // true
 * ```
 */
export class RedisRdbVersionError extends Error {
  /** Always `"RedisRdbVersionError"`. */
  override name = "RedisRdbVersionError";
  /** The file, or `"<buffer>"`. */
  readonly path: string;
  /** The version found. */
  readonly version: number;

  /**
   * A refusal of the file at `path`.
   *
   * @param path the file
   * @param version the version in its header
   */
  constructor(path: string, version: number) {
    super(
      `${path}: RDB format version ${version} is not supported (this reader knows versions 1 to 12)`,
    );
    this.path = path;
    this.version = version;
  }
}
