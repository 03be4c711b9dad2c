// The keyspace's dictionary: key name -> value object, by open addressing.
//
// Why not a JS Map: a profile of GET/SET at pipeline 16 with 100k keys spent 30% of
// the server's CPU in V8's Map lookup (FindOrderedHashMapEntry): each lookup walks a
// bucket chain through the entry table and the key strings, in cold memory. Here a
// lookup reads one Int32Array of hashes (linear probing, usually one probe), then
// the key string for the final comparison. Measured with fresh key strings as the
// parser makes them: 160 -> 85 ns per lookup.
//
// Keys sit in their own array, parallel to the values, so the three reads of a
// lookup at bucket i (hash, key pointer, value pointer) can all be in flight at once,
// and so can the two that follow (the key string, the value object): two cache-miss
// latencies per lookup in a big table instead of three when the value object held
// its key name (profile of SET/INCR at pipeline 16 over 100k keys: the lookup, then
// 27-47% of the server's CPU, stalled on hash, object and key string in turn).
//
// Layout (KeyIndex below, shared with the sorted sets' ScoreMap): `hashes[i]` is 0
// for an empty bucket, 1 for a deleted one (tombstone), else the key's 32-bit hash
// (never 0 or 1); `keys[i]`, `vals[i]` the entry. Deletion
// leaves a tombstone, so nothing moves while the table is walked: deleting during
// iteration is safe; inserting during iteration is not (an insert may rehash). The
// table grows when live entries plus tombstones pass 3/4 of the buckets and rehashes
// to a load of at most 1/2; `maybeShrink()` (called from the server cron) shrinks it
// when less than 1/8 is used. Replacing the value of a present key keeps the stored
// key string (as a Map does), so a caller's fresh copy of the name is not retained.
//
// The hash is FNV-1a over the key's bytes with a random per-process seed, finished
// with a murmur3-style mix so that the low bits (the bucket index) depend on every
// byte. The seed keeps the bucket layout unpredictable from outside.

const EMPTY = 0;
const DELETED = 1;
const MIN_CAPACITY = 16;
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

/** Key name -> value (the keyspace's dictionary; also a big hash's fields). */
export class KeyTable<V> extends KeyIndex {
  private vals: Array<V | undefined>;

  constructor(capacity = MIN_CAPACITY) {
    super(capacity);
    this.vals = new Array<V | undefined>(this.mask + 1).fill(undefined);
  }

  get(key: string): V | undefined {
    const i = this.findBucket(key);
    return i < 0 ? undefined : this.vals[i];
  }

  /** Stores `v` under `key`, replacing any value (the stored key string stays). */
  set(key: string, v: V): this {
    const i = this.bucketFor(key); // first: it may rehash, replacing this.vals
    this.vals[i] = v;
    return this;
  }

  delete(key: string): boolean {
    const i = this.findBucket(key);
    if (i < 0) return false;
    this.freeBucket(i);
    this.vals[i] = undefined;
    return true;
  }

  protected moveValues(from: Int32Array, cap: number): void {
    const old = this.vals;
    const vals = new Array<V | undefined>(cap).fill(undefined);
    for (let i = 0; i < cap; i++) if (from[i] !== 0) vals[i] = old[from[i] - 1];
    this.vals = vals;
  }

  *values(): IterableIterator<V> {
    const hashes = this.hashes;
    const vals = this.vals;
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i];
      if (h !== EMPTY && h !== DELETED) yield vals[i]!;
    }
  }

  *entries(): IterableIterator<[string, V]> {
    const hashes = this.hashes;
    const keys = this.keyArr;
    const vals = this.vals;
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i];
      if (h !== EMPTY && h !== DELETED) yield [keys[i]!, vals[i]!];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** A copy with the same entries (the values themselves are shared). */
  clone(): KeyTable<V> {
    const t = new KeyTable<V>();
    this.copyIndexTo(t);
    t.vals = this.vals.slice();
    return t;
  }
}
