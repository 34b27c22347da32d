/**
 * Hash-field TTLs read from a kevy 5.x snapshot (opcode 7), held until every
 * entry is in and then applied to the final values: so, unlike kevy 5.4
 * (SPEC-v5 §6.8), neither an opcode-7 record before its hash nor a later
 * record for the same key loses a TTL.
 *
 * @module
 */
import type { Entry } from "./types.ts";

/** Latin-1 string of bytes: a Map key that compares bytes. */
function bin(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

/** What {@link FieldTtlTable.applyToEntries} did. */
export interface FieldTtlOutcome {
  /** Field TTLs now on a field. */
  applied: number;
  /** Fields removed because their deadline was <= now. */
  expiredFields: number;
  /** Hashes removed because every field expired. */
  emptiedKeys: number;
  /**
   * TTLs whose key is not a live hash or whose field does not exist: nothing
   * to expire, so they are dropped (kevy 5.4 keeps them in a side table and
   * re-emits them in every later snapshot).
   */
  orphans: number;
}

/**
 * Field TTLs by key and field; a repeated (key, field) keeps the last
 * deadline, like kevy 5.4.
 *
 * @example
 * ```ts
 * import { FieldTtlTable } from "@kevy/persist/codec";
 * import type { Entry } from "@kevy/persist/codec";
 * const te = new TextEncoder();
 * const t = new FieldTtlTable();
 * t.add(te.encode("h"), te.encode("f"), 4102444800000);
 * const entries: Entry[] = [
 *   { key: te.encode("h"), value: { type: "hash", value: [[te.encode("f"), te.encode("v")]] }, deadline: null },
 * ];
 * t.applyToEntries(entries, 0).applied; // 1
 * const v = entries[0]!.value; // v.type === "hash", v.fieldDeadlines: [4102444800000]
 * ```
 */
export class FieldTtlTable {
  readonly #keys = new Map<string, { key: Uint8Array; fields: Map<string, number> }>();
  #count = 0;

  /** Distinct (key, field) pairs held. */
  get size(): number {
    return this.#count;
  }

  /** Records one TTL (copies nothing: keep the bytes unchanged until applied). */
  add(key: Uint8Array, field: Uint8Array, deadline: number): void {
    const k = bin(key);
    let e = this.#keys.get(k);
    if (e === undefined) {
      e = { key, fields: new Map() };
      this.#keys.set(k, e);
    }
    const f = bin(field);
    if (!e.fields.has(f)) this.#count++;
    e.fields.set(f, deadline);
  }

  /** Every (key, field bytes as a latin-1 string, deadline), by key. */
  *byKey(): Generator<{ key: Uint8Array; fields: Map<string, number> }, void, undefined> {
    yield* this.#keys.values();
  }

  /**
   * Applies the TTLs to decoded entries in file order (a later entry for a
   * key replaces an earlier one, as `Store.put` does): each TTL goes on the
   * last occurrence of its field in the last entry of its key
   * (`fieldDeadlines`); a due one (`<= now`) removes the field instead, and a
   * hash left empty is removed with every entry of its key. Mutates `entries`.
   * With `only`, just the TTLs of that key are applied.
   */
  applyToEntries(entries: Entry[], now: number, only?: Uint8Array): FieldTtlOutcome {
    const out: FieldTtlOutcome = { applied: 0, expiredFields: 0, emptiedKeys: 0, orphans: 0 };
    if (this.#count === 0) return out;
    const last = new Map<string, number>();
    for (let i = 0; i < entries.length; i++) {
      const k = bin(entries[i]!.key);
      if (this.#keys.has(k)) last.set(k, i);
    }
    const dropKeys = new Set<string>();
    let which = this.#keys;
    if (only !== undefined) {
      const k = bin(only);
      const one = this.#keys.get(k);
      which = new Map(one === undefined ? [] : [[k, one]]);
    }
    for (const [k, { fields }] of which) {
      const i = last.get(k);
      const e = i === undefined ? undefined : entries[i];
      if (e === undefined || e.value.type !== "hash") {
        out.orphans += fields.size;
        continue;
      }
      const pairs = e.value.value;
      const at = new Map<string, number>();
      for (let j = 0; j < pairs.length; j++) {
        const f = bin(pairs[j]![0]);
        if (fields.has(f)) at.set(f, j);
      }
      const due = new Set<string>();
      const dl: Array<number | null> = e.value.fieldDeadlines?.slice() ??
        new Array<number | null>(pairs.length).fill(null);
      let applied = 0;
      for (const [f, d] of fields) {
        const j = at.get(f);
        if (j === undefined) out.orphans++;
        else if (d <= now) due.add(f);
        else {
          dl[j] = d;
          applied++;
        }
      }
      out.applied += applied;
      if (due.size === 0) {
        if (applied > 0) e.value.fieldDeadlines = dl;
        continue;
      }
      const keptPairs: Array<[Uint8Array, Uint8Array]> = [];
      const keptDl: Array<number | null> = [];
      for (let j = 0; j < pairs.length; j++) {
        if (due.has(bin(pairs[j]![0]))) continue;
        keptPairs.push(pairs[j]!);
        keptDl.push(dl[j] ?? null);
      }
      out.expiredFields += due.size;
      if (keptPairs.length === 0) {
        dropKeys.add(k);
        out.emptiedKeys++;
        continue;
      }
      e.value.value = keptPairs;
      if (keptDl.some((d) => d !== null)) e.value.fieldDeadlines = keptDl;
      else delete e.value.fieldDeadlines;
    }
    if (dropKeys.size > 0) {
      let w = 0;
      for (const e of entries) if (!dropKeys.has(bin(e.key))) entries[w++] = e;
      entries.length = w;
    }
    return out;
  }
}
