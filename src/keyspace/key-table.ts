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

import { DELETED, EMPTY, KeyIndex, MIN_CAPACITY } from '../types/key-index.js';
export { KeyIndex, keyHash } from '../types/key-index.js';

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
