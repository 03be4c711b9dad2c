// Member -> score index of a big sorted set: the keyspace's open-addressing table
// (KeyIndex, src/keyspace/key-table.ts) with the scores unboxed in a Float64Array.
//
// Why not a JS Map<string, number>: a lookup there walks bucket -> entry -> key
// string along a chain of about two entries per bucket, each a cold memory access
// in a big set, and a score that is not a small integer lives in a separate heap
// number. Here the hash array filters the probe sequence without touching any
// string, and the score sits at the slot index. Profile of ZADD updates on a set of
// 100k members: the Map lookups were about a third of the time.
//
// A deletion that leaves less than 1/8 of the slots in use shrinks the table, so
// the map must not change while it is iterated.

import { KeyIndex } from '../keyspace/key-table.js';

export class ScoreMap extends KeyIndex {
  private scores: Float64Array;

  constructor(capacity?: number) {
    super(capacity);
    this.scores = new Float64Array(this.mask + 1);
  }

  get(key: string): number | undefined {
    const i = this.findSlot(key);
    return i < 0 ? undefined : this.scores[i];
  }

  set(key: string, score: number): this {
    const i = this.slotFor(key); // first: it may rehash, replacing this.scores
    this.scores[i] = score;
    return this;
  }

  delete(key: string): boolean {
    const i = this.findSlot(key);
    if (i < 0) return false;
    this.freeSlot(i);
    if (this.size * 8 < this.mask + 1) this.maybeShrink();
    return true;
  }

  protected moveValues(from: Int32Array, cap: number): void {
    const old = this.scores;
    const scores = new Float64Array(cap);
    for (let i = 0; i < cap; i++) if (from[i] !== 0) scores[i] = old[from[i] - 1];
    this.scores = scores;
  }

  /** [member, score] pairs in slot order. */
  *entries(): IterableIterator<[string, number]> {
    const keys = this.keyArr;
    const scores = this.scores;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k !== undefined) yield [k, scores[i]];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  /** A copy with the same entries. */
  clone(): ScoreMap {
    const m = new ScoreMap();
    this.copyIndexTo(m);
    m.scores = this.scores.slice();
    return m;
  }
}
