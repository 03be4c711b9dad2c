// The open-addressing index under the keyspace's dictionary (keyspace/key-table.ts)
// and the sorted sets' member table (types/score-map.ts): probing, growth,
// tombstones and rehash, written once; each user keeps its values in its own
// bucket-indexed array. See key-table.ts for why it is not a JS Map and for the
// layout and hash.

export const EMPTY = 0;
export const DELETED = 1;
export const MIN_CAPACITY = 16;
const SEED = (Math.random() * 0x100000000) | 0;

/** The 32-bit hash of a binary (latin1) string; never 0 or 1. */
export function keyHash(s: string): number {
  let h = SEED ^ 0x811c9dc5;
  const n = s.length;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h === EMPTY || h === DELETED ? h + 2 : h;
}

/**
 * The probing, growth and key storage shared by the tables keyed by binary strings
 * (KeyTable here, ScoreMap for sorted sets). A subclass keeps its values in arrays
 * of its own indexed by bucket: it looks a key up with findBucket / bucketFor, clears the
 * value of a bucket freed by freeBucket, and moves its values when the buckets are
 * rebuilt (moveValues, called by rehash with where each new bucket's entry was).
 */
export abstract class KeyIndex {
  protected hashes: Int32Array;
  protected keyArr: Array<string | undefined>;
  protected mask: number;
  /** Live entries plus tombstones (what decides the next rehash). */
  protected used = 0;
  /** Live entries. */
  size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.hashes = new Int32Array(cap);
    this.keyArr = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  /** Buckets in the table (for tests and memory estimates). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** The bucket holding `key`, or -1. */
  protected findBucket(key: string): number {
    const h = keyHash(key);
    const hashes = this.hashes;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const x = hashes[i];
      if (x === h) {
        if (this.keyArr[i] === key) return i;
      } else if (x === EMPTY) {
        return -1;
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * The bucket of `key`, claimed for it when absent (the caller must fill the
   * value either way). A present key keeps its stored key string.
   */
  protected bucketFor(key: string): number {
    const h = keyHash(key);
    const hashes = this.hashes;
    const mask = this.mask;
    let i = h & mask;
    let free = -1;
    for (;;) {
      const x = hashes[i];
      if (x === h) {
        if (this.keyArr[i] === key) return i;
      } else if (x === EMPTY) {
        break;
      } else if (x === DELETED && free < 0) {
        free = i;
      }
      i = (i + 1) & mask;
    }
    if (free >= 0) {
      i = free; // reusing a tombstone: `used` does not change
    } else if ((this.used + 1) * 4 > (mask + 1) * 3) {
      this.rehash(this.size + 1);
      return this.bucketFor(key);
    } else {
      this.used++;
    }
    hashes[i] = h;
    this.keyArr[i] = key;
    this.size++;
    return i;
  }

  /** Leaves a tombstone in bucket i (the caller clears its value). */
  protected freeBucket(i: number): void {
    this.hashes[i] = DELETED;
    this.keyArr[i] = undefined;
    this.size--;
  }

  has(key: string): boolean {
    return this.findBucket(key) >= 0;
  }

  /** Back to an empty table of the minimum size. */
  clear(): void {
    this.hashes = new Int32Array(MIN_CAPACITY);
    this.keyArr = new Array<string | undefined>(MIN_CAPACITY).fill(undefined);
    this.mask = MIN_CAPACITY - 1;
    this.used = 0;
    this.size = 0;
    this.moveValues(new Int32Array(MIN_CAPACITY), MIN_CAPACITY);
  }

  /**
   * Gives the values their new buckets: `from[i]` is 1 + the old bucket of the entry now
   * in bucket i, 0 for an empty bucket; `cap` is the new number of buckets.
   */
  protected abstract moveValues(from: Int32Array, cap: number): void;

  /** Rebuilds the table with room for `live` entries at a load of at most 1/2. */
  protected rehash(live: number): void {
    let cap = MIN_CAPACITY;
    while (cap < live * 2) cap *= 2;
    const oldHashes = this.hashes;
    const oldKeys = this.keyArr;
    const hashes = new Int32Array(cap);
    const keys = new Array<string | undefined>(cap).fill(undefined);
    const from = new Int32Array(cap);
    const mask = cap - 1;
    let n = 0;
    for (let j = 0; j < oldHashes.length; j++) {
      const h = oldHashes[j];
      if (h === EMPTY || h === DELETED) continue;
      let i = h & mask;
      while (hashes[i] !== EMPTY) i = (i + 1) & mask;
      hashes[i] = h;
      keys[i] = oldKeys[j];
      from[i] = j + 1;
      n++;
    }
    this.hashes = hashes;
    this.keyArr = keys;
    this.mask = mask;
    this.used = n;
    this.size = n;
    this.moveValues(from, cap);
  }

  /**
   * Shrinks a mostly empty table (less than 1/8 used) or clears out tombstones when
   * they fill more than half of it. Not during an iteration. Returns whether it did.
   */
  maybeShrink(): boolean {
    const cap = this.mask + 1;
    if (cap <= MIN_CAPACITY) return false;
    if (this.size * 8 < cap || (this.used - this.size) * 2 > cap) {
      this.rehash(this.size);
      return true;
    }
    return false;
  }

  *keys(): IterableIterator<string> {
    const hashes = this.hashes;
    const keys = this.keyArr;
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i];
      if (h !== EMPTY && h !== DELETED) yield keys[i]!;
    }
  }

  /** Copies the index part of this table into `t` (for clones). */
  protected copyIndexTo(t: KeyIndex): void {
    t.hashes = this.hashes.slice();
    t.keyArr = this.keyArr.slice();
    t.mask = this.mask;
    t.used = this.used;
    t.size = this.size;
  }
}
