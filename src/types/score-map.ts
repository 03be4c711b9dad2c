// Member -> score map of a big sorted set, by open addressing (the same scheme as
// the keyspace's KeyTable, see src/keyspace/key-table.ts).
//
// Why not a JS Map<string, number>: a lookup there walks bucket -> entry -> key
// string along a chain of about two entries per bucket, each a cold memory access
// in a big set, and a score that is not a small integer lives in a separate heap
// number. Here `hashes` (Int32Array) filters the probe sequence without touching
// any string, the key array is read only at a matching hash, and scores sit
// unboxed in a Float64Array at the same index. Profile of ZADD updates on a set of
// 100k members: the Map lookups were about a third of the time.
//
// Layout: `hashes[i]` is 0 for an empty slot, 1 for a deleted one (tombstone),
// else the member's hash (keyHash, never 0 or 1). The table grows when live entries
// plus tombstones pass 3/4 of the slots and rehashes to a load of at most 1/2; it
// shrinks when a deletion leaves less than 1/8 in use. Either may rehash, so the
// map must not change while it is iterated.

import { keyHash } from '../keyspace/key-table.js';

const EMPTY = 0;
const DELETED = 1;
const MIN_CAPACITY = 16;

export class ScoreMap {
  private hashes: Int32Array;
  private keys: Array<string | undefined>;
  private scores: Float64Array;
  private mask: number;
  /** Live entries plus tombstones. */
  private used = 0;
  size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.hashes = new Int32Array(cap);
    this.keys = new Array<string | undefined>(cap).fill(undefined);
    this.scores = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** Slot of `key` (hash `h`), or -1. */
  private find(key: string, h: number): number {
    const hashes = this.hashes;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const x = hashes[i];
      if (x === h) {
        if (this.keys[i] === key) return i;
      } else if (x === EMPTY) {
        return -1;
      }
      i = (i + 1) & mask;
    }
  }

  get(key: string): number | undefined {
    const i = this.find(key, keyHash(key));
    return i < 0 ? undefined : this.scores[i];
  }

  has(key: string): boolean {
    return this.find(key, keyHash(key)) >= 0;
  }

  /** Sets the score of `key`; an existing entry keeps its stored key string. */
  set(key: string, score: number): this {
    const h = keyHash(key);
    const hashes = this.hashes;
    const mask = this.mask;
    let i = h & mask;
    let free = -1;
    for (;;) {
      const x = hashes[i];
      if (x === h) {
        if (this.keys[i] === key) {
          this.scores[i] = score;
          return this;
        }
      } else if (x === EMPTY) {
        break;
      } else if (x === DELETED && free < 0) {
        free = i;
      }
      i = (i + 1) & mask;
    }
    if (free >= 0) {
      hashes[free] = h;
      this.keys[free] = key;
      this.scores[free] = score;
      this.size++;
      return this;
    }
    if ((this.used + 1) * 4 > (mask + 1) * 3) {
      this.rehash(this.size + 1);
      return this.set(key, score);
    }
    hashes[i] = h;
    this.keys[i] = key;
    this.scores[i] = score;
    this.used++;
    this.size++;
    return this;
  }

  delete(key: string): boolean {
    const i = this.find(key, keyHash(key));
    if (i < 0) return false;
    this.hashes[i] = DELETED;
    this.keys[i] = undefined;
    this.size--;
    const cap = this.mask + 1;
    if (cap > MIN_CAPACITY && this.size * 8 < cap) this.rehash(this.size);
    return true;
  }

  /** Rebuilds the table with room for `live` entries at a load of at most 1/2. */
  private rehash(live: number): void {
    let cap = MIN_CAPACITY;
    while (cap < live * 2) cap *= 2;
    const oldHashes = this.hashes;
    const oldKeys = this.keys;
    const oldScores = this.scores;
    const hashes = new Int32Array(cap);
    const keys = new Array<string | undefined>(cap).fill(undefined);
    const scores = new Float64Array(cap);
    const mask = cap - 1;
    let n = 0;
    for (let j = 0; j < oldHashes.length; j++) {
      const h = oldHashes[j];
      if (h === EMPTY || h === DELETED) continue;
      let i = h & mask;
      while (hashes[i] !== EMPTY) i = (i + 1) & mask;
      hashes[i] = h;
      keys[i] = oldKeys[j];
      scores[i] = oldScores[j];
      n++;
    }
    this.hashes = hashes;
    this.keys = keys;
    this.scores = scores;
    this.mask = mask;
    this.used = n;
    this.size = n;
  }

  /** [member, score] pairs in slot order. */
  *entries(): IterableIterator<[string, number]> {
    const hashes = this.hashes;
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i];
      if (h !== EMPTY && h !== DELETED) yield [this.keys[i]!, this.scores[i]];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  /** A copy with the same entries. */
  clone(): ScoreMap {
    const m = new ScoreMap(1);
    m.hashes = this.hashes.slice();
    m.keys = this.keys.slice();
    m.scores = this.scores.slice();
    m.mask = this.mask;
    m.used = this.used;
    m.size = this.size;
    return m;
  }
}
