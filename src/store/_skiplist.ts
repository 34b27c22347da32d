// Private: the big encoding of a sorted set (SortedSet, zset.ts): a skip list
// with spans (the Redis `zskiplist` design) plus a member -> score map.
// Members are binary strings (_keys.ts); order as compareScores, ties by
// member bytes.
import { fromKey, toKey } from "./_keys.ts";
import { belowMin, compareScores, gteMin, lexGte, lexKey, lexLte, lteMax } from "./_zset_bounds.ts";
import type { LexBound, ScoreBound } from "./zset.ts";

const MAX_LEVEL = 32;

class ZNode {
  backward: ZNode | null = null;
  readonly next: Array<ZNode | null>;
  readonly span: number[];
  constructor(public member: string, public score: number, level: number) {
    this.next = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

/** (score, member) strictly before the node's (score, member)? */
function before(n: ZNode, score: number, member: string): boolean {
  const c = compareScores(n.score, score);
  return c < 0 || (c === 0 && n.member < member);
}

let seed = 0x2545f491;
function randomLevel(): number {
  let lvl = 1;
  for (;;) {
    // xorshift32; p = 1/4 per level like Redis.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    if ((seed & 3) !== 0 || lvl >= MAX_LEVEL) return lvl;
    lvl++;
  }
}

/** The skip list (methods as SortedSet's). */
export class SkipList {
  readonly #dict = new Map<string, number>();
  readonly #header = new ZNode("", 0, MAX_LEVEL);
  #tail: ZNode | null = null;
  #level = 1;

  /** Number of members. */
  get size(): number {
    return this.#dict.size;
  }

  /** Score of a member, or `undefined`. */
  score(member: Uint8Array): number | undefined {
    return this.#dict.get(toKey(member));
  }

  /**
   * Adds or re-scores a member; returns `true` if it is new. A NaN score is
   * kept (see the module notes); the commands never produce one.
   */
  add(member: Uint8Array, score: number): boolean {
    return this.addRaw(toKey(member), score);
  }

  /** {@link add} with a binary-string member (internal fast path). */
  addRaw(m: string, score: number): boolean {
    const old = this.#dict.get(m);
    if (old !== undefined) {
      if (Object.is(old, score)) return false;
      this.#remove(old, m);
    }
    this.#insert(score, m);
    this.#dict.set(m, score);
    return old === undefined;
  }

  /** Removes a member; returns `true` if it existed. */
  delete(member: Uint8Array): boolean {
    return this.deleteRaw(toKey(member));
  }

  /** {@link delete} with a binary-string member. */
  deleteRaw(m: string): boolean {
    const s = this.#dict.get(m);
    if (s === undefined) return false;
    this.#remove(s, m);
    this.#dict.delete(m);
    return true;
  }

  #insert(score: number, member: string): void {
    const update = new Array<ZNode>(MAX_LEVEL);
    const rank = new Array<number>(MAX_LEVEL).fill(0);
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      rank[i] = i === this.#level - 1 ? 0 : rank[i + 1]!;
      let n = x.next[i];
      while (n && before(n, score, member)) {
        rank[i]! += x.span[i]!;
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const lvl = randomLevel();
    if (lvl > this.#level) {
      for (let i = this.#level; i < lvl; i++) {
        rank[i] = 0;
        update[i] = this.#header;
        this.#header.span[i] = this.#dict.size;
      }
      this.#level = lvl;
    }
    const node = new ZNode(member, score, lvl);
    for (let i = 0; i < lvl; i++) {
      const u = update[i]!;
      node.next[i] = u.next[i]!;
      u.next[i] = node;
      node.span[i] = u.span[i]! - (rank[0]! - rank[i]!);
      u.span[i] = rank[0]! - rank[i]! + 1;
    }
    for (let i = lvl; i < this.#level; i++) update[i]!.span[i]!++;
    node.backward = update[0] === this.#header ? null : update[0]!;
    const n0 = node.next[0];
    if (n0) n0.backward = node;
    else this.#tail = node;
  }

  #remove(score: number, member: string): void {
    const update = new Array<ZNode>(MAX_LEVEL);
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && before(n, score, member)) {
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const t = x.next[0];
    if (!t || t.member !== member) return;
    for (let i = 0; i < this.#level; i++) {
      const u = update[i]!;
      if (u.next[i] === t) {
        u.span[i]! += t.span[i]! - 1;
        u.next[i] = t.next[i]!;
      } else {
        u.span[i]!--;
      }
    }
    const n0 = t.next[0];
    if (n0) n0.backward = t.backward;
    else this.#tail = t.backward;
    while (this.#level > 1 && this.#header.next[this.#level - 1] === null) this.#level--;
  }

  /** 0-based rank of a member (ascending, or descending if `reverse`), or `null`. */
  rank(member: Uint8Array, reverse = false): number | null {
    const m = toKey(member);
    const score = this.#dict.get(m);
    if (score === undefined) return null;
    let r = 0;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && (before(n, score, m) || n.member === m)) {
        r += x.span[i]!;
        x = n;
        if (n.member === m) return reverse ? this.size - r : r - 1;
        n = x.next[i];
      }
    }
    return null; // unreachable: the dict and the list agree
  }

  /** Node at 0-based rank, O(log n). */
  #byRank(rank: number): ZNode | null {
    let traversed = 0;
    let x = this.#header;
    const target = rank + 1;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && traversed + x.span[i]! <= target) {
        traversed += x.span[i]!;
        x = n;
        n = x.next[i];
      }
      if (traversed === target) return x;
    }
    return null;
  }

  /** Member/score at 0-based rank (ascending), or `null`. */
  at(rank: number): [Uint8Array, number] | null {
    const n = rank >= 0 && rank < this.size ? this.#byRank(rank) : null;
    return n ? [fromKey(n.member), n.score] : null;
  }

  /**
   * Members with 0-based ranks `start..stop` inclusive (already clamped by the
   * caller or clamped here), ascending or, with `reverse`, counted from the top.
   */
  rangeByRank(start: number, stop: number, reverse = false): Array<[Uint8Array, number]> {
    const out: Array<[Uint8Array, number]> = [];
    const s = Math.max(0, start);
    const e = Math.min(this.size - 1, stop);
    if (s > e) return out;
    let n = this.#byRank(reverse ? this.size - 1 - s : s);
    for (let i = s; i <= e && n; i++) {
      out.push([fromKey(n.member), n.score]);
      n = reverse ? n.backward : n.next[0]!;
    }
    return out;
  }

  /** First node with score inside `min` (ascending walk start). */
  #firstIn(min: ScoreBound): ZNode | null {
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && belowMin(n.score, min)) {
        x = n;
        n = x.next[i];
      }
    }
    return x.next[0]!;
  }

  /** Last node with score inside `max` (descending walk start). */
  #lastIn(max: ScoreBound): ZNode | null {
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && lteMax(n.score, max)) {
        x = n;
        n = x.next[i];
      }
    }
    return x === this.#header ? null : x;
  }

  /** Members with `min <= score <= max` (bounds may be exclusive), ascending or descending. */
  rangeByScore(
    min: ScoreBound,
    max: ScoreBound,
    reverse = false,
    offset = 0,
    limit = -1,
  ): Array<[Uint8Array, number]> {
    const out: Array<[Uint8Array, number]> = [];
    let n = reverse ? this.#lastIn(max) : this.#firstIn(min);
    while (n && offset > 0) {
      if (!gteMin(n.score, min) || !lteMax(n.score, max)) return out;
      offset--;
      n = reverse ? n.backward : n.next[0]!;
    }
    while (n && limit !== 0 && gteMin(n.score, min) && lteMax(n.score, max)) {
      out.push([fromKey(n.member), n.score]);
      if (limit > 0) limit--;
      n = reverse ? n.backward : n.next[0]!;
    }
    return out;
  }

  /** Members within a lex range (meaningful when all scores are equal), ascending. */
  rangeByLex(min: LexBound, max: LexBound): Array<[Uint8Array, number]> {
    const out: Array<[Uint8Array, number]> = [];
    const lo = lexKey(min), hi = lexKey(max);
    for (let n = this.#header.next[0]!; n; n = n.next[0]!) {
      if (!lexGte(n.member, lo)) continue;
      if (!lexLte(n.member, hi)) break;
      out.push([fromKey(n.member), n.score]);
    }
    return out;
  }

  /** Removes and returns up to `count` lowest (or highest) members. */
  pop(count: number, highest = false): Array<[Uint8Array, number]> {
    const out: Array<[Uint8Array, number]> = [];
    while (out.length < count) {
      const n = highest ? this.#tail : this.#header.next[0]!;
      if (!n) break;
      out.push([fromKey(n.member), n.score]);
      this.deleteRaw(n.member);
    }
    return out;
  }

  /** Members and scores in order. */
  *entries(): IterableIterator<[Uint8Array, number]> {
    for (let n = this.#header.next[0]!; n; n = n.next[0]!) yield [fromKey(n.member), n.score];
  }

  /** Binary-string members and scores in order (internal). */
  *rawEntries(): IterableIterator<[string, number]> {
    for (let n = this.#header.next[0]!; n; n = n.next[0]!) yield [n.member, n.score];
  }

  /** A copy. */
  clone(): SkipList {
    const z = new SkipList();
    for (const [m, s] of this.rawEntries()) z.addRaw(m, s);
    return z;
  }
}
