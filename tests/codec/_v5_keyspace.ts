// Test helper: decoded entries in the kevy 5.4 vectors' keyspace layout
// (vectors-v5/README.md): the v1.17 layout from dumpKeyspace, plus
// `field_ttls` ([[field, deadline]] sorted by field) on hashes that have any.
import type { Entry } from "../../src/codec/types.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { Store } from "../../src/store/store.ts";
import { hex } from "../_helpers.ts";

/** The vectors' frozen wall clock (2026-12-01T00:00:00Z). */
export const W = 1796083200000;

/** Entries (file order, later keys win) as the vectors' `keyspace`. */
export function entriesKeyspace(entries: Entry[], now = W): unknown[] {
  const store = new Store({ now: () => now });
  const ttls = new Map<string, Array<[string, number]>>();
  for (const e of entries) {
    store.put(e);
    const k = hex(e.key);
    ttls.delete(k);
    const dl = e.value.type === "hash" ? e.value.fieldDeadlines : undefined;
    if (dl === undefined || e.value.type !== "hash") continue;
    const byField = new Map<string, number>();
    e.value.value.forEach(([f], i) => {
      const d = dl[i];
      if (d !== null && d !== undefined) byField.set(hex(f), d);
      else byField.delete(hex(f));
    });
    if (byField.size > 0) {
      ttls.set(k, [...byField].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    }
  }
  return dumpKeyspace(store).map((k) => {
    const ft = ttls.get(k.key);
    return ft === undefined ? k : { ...k, field_ttls: ft };
  });
}
