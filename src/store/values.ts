/**
 * Mutable in-store containers for collection values (hash, list, set;
 * streams are in stream.ts). Byte arrays handed in are kept by reference and never mutated by
 * the store; treat them as immutable.
 *
 * @module
 */

export { HashValue } from "./_hash_value.ts";
export { ListValue } from "./_list_value.ts";
export { SetValue } from "./_set_value.ts";
