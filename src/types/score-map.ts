// Member -> score index of a big sorted set: the keyspace's open-addressing table
// (KeyIndex, src/types/key-index.ts) with the scores unboxed in a Float64Array.
//
// Why not a JS Map<string, number>: a lookup there walks bucket -> entry -> key
// string along a chain of about two entries per bucket, each a cold memory access
// in a big set, and a score that is not a small integer lives in a separate heap
// number. Here the hash array filters the probe sequence without touching any
// string, and the score sits at the bucket index. Profile of ZADD updates on a set of
// 100k members: the Map lookups were about a third of the time.
//
// A deletion that leaves less than 1/8 of the buckets in use shrinks the table, so
// the map must not change while it is iterated.
//
// Buckets are stable between rehashes (deletion leaves a tombstone), so the sorted
// set's leaves name their members by bucket number (an Int32Array instead of an
// array of string pointers, see sorted-set.ts). The bucket API below serves that
// caller: it claims and frees buckets without the shrink a delete() may do, and it
// is told, through `onRehash`, where every bucket went when the table is rebuilt.

import { KeyIndex } from './key-index.js';

export class ScoreMap extends KeyIndex {
  private scores: Float64Array;
  /**
   * Called after a rehash with `moved[old bucket] = new bucket` (entries that were
   * live); set by the owner of bucket numbers.
   */
  onRehash: ((moved: Int32Array) => void) | null = null;

  constructor(capacity?: number) {
    super(capacity);
    this.scores = new Float64Array(this.mask + 1);
  }

  get(key: string): number | undefined {
    const i = this.findBucket(key);
    return i < 0 ? undefined : this.scores[i];
  }

  set(key: string, score: number): this {
    const i = this.bucketFor(key); // first: it may rehash, replacing this.scores
    this.scores[i] = score;
    return this;
  }

  delete(key: string): boolean {
    const i = this.findBucket(key);
    if (i < 0) return false;
    this.freeBucket(i);
    if (this.sparse) this.maybeShrink();
    return true;
  }

  // ---- the bucket API (sorted-set leaves) ----------------------------------

  /** The bucket of `key`, or -1. */
  bucketOf(key: string): number {
    return this.findBucket(key);
  }

  /**
   * The bucket of `key`, claimed for it when absent, with its score set. It may
   * rehash (onRehash runs before it returns), so bucket numbers read before the
   * call must not be used after it unless the hook renumbered them.
   */
  claim(key: string, score: number): number {
    const i = this.bucketFor(key);
    this.scores[i] = score;
    return i;
  }

  /** The member in bucket i (a live bucket). */
  keyAt(i: number): string {
    return this.keyArr[i] as string;
  }

  scoreAt(i: number): number {
    return this.scores[i];
  }

  setScoreAt(i: number, score: number): void {
    this.scores[i] = score;
  }

  /** Frees live bucket i; unlike delete() never shrinks (buckets stay put). */
  freeBucketAt(i: number): void {
    this.freeBucket(i);
  }

  /** True when the table is empty enough for maybeShrink() to rebuild it. */
  get sparse(): boolean {
    return this.size * 8 < this.mask + 1;
  }

  protected moveValues(from: Int32Array, cap: number): void {
    const old = this.scores;
    const scores = new Float64Array(cap);
    for (let i = 0; i < cap; i++) if (from[i] !== 0) scores[i] = old[from[i] - 1];
    this.scores = scores;
    const hook = this.onRehash;
    if (hook !== null) {
      const moved = new Int32Array(old.length);
      for (let i = 0; i < cap; i++) if (from[i] !== 0) moved[from[i] - 1] = i;
      hook(moved);
    }
  }

  /** [member, score] pairs in bucket order. */
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
