// Private: the per-field deadlines of a hash (Redis 7.4 HEXPIRE, kevy 5.x
// opcode 7), kept beside its pairs so that a hash without field TTLs pays
// nothing: field (binary string) -> absolute unix ms, plus the smallest
// deadline, kept exact on additions and recomputed lazily after a removal.
export class FieldTtls {
  readonly #map = new Map<string, number>();
  /** Smallest deadline, Infinity when empty, NaN when it must be recomputed. */
  #min = Infinity;

  /** Fields that have a deadline. */
  get size(): number {
    return this.#map.size;
  }

  /** The deadline of a field, or `undefined`. */
  get(field: string): number | undefined {
    return this.#map.get(field);
  }

  /** Sets a field's deadline. */
  set(field: string, deadline: number): void {
    const old = this.#map.get(field);
    this.#map.set(field, deadline);
    if (deadline < this.#min) this.#min = deadline;
    else if (old !== undefined && old === this.#min && deadline !== old) this.#min = NaN;
  }

  /** Removes a field's deadline; returns whether it had one. */
  delete(field: string): boolean {
    const old = this.#map.get(field);
    if (old === undefined) return false;
    this.#map.delete(field);
    if (old === this.#min) this.#min = this.#map.size === 0 ? Infinity : NaN;
    return true;
  }

  /** The smallest deadline (Infinity when none). */
  next(): number {
    let m = this.#min;
    if (m !== m) {
      m = Infinity;
      for (const d of this.#map.values()) if (d < m) m = d;
      this.#min = m;
    }
    return m;
  }

  /** Takes out the fields whose deadline is <= now (in table order). */
  takeDue(now: number): string[] {
    const out: string[] = [];
    if (this.next() > now) return out;
    for (const [f, d] of this.#map) if (d <= now) out.push(f);
    for (const f of out) this.#map.delete(f);
    this.#min = this.#map.size === 0 ? Infinity : NaN;
    return out;
  }

  /** Every (field, deadline). */
  entries(): IterableIterator<[string, number]> {
    return this.#map.entries();
  }

  /** A copy. */
  clone(): FieldTtls {
    const c = new FieldTtls();
    for (const [f, d] of this.#map) c.#map.set(f, d);
    c.#min = this.#min;
    return c;
  }
}
