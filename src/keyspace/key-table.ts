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
// lookup at slot i (hash, key pointer, value pointer) can all be in flight at once,
// and so can the two that follow (the key string, the value object): two cache-miss
// latencies per lookup in a big table instead of three when the value object held
// its key name (profile of SET/INCR at pipeline 16 over 100k keys: the lookup, then
// 27-47% of the server's CPU, stalled on hash, object and key string in turn).
//
// Layout: `hashes[i]` is 0 for an empty slot, 1 for a deleted one (tombstone), else
// the key's 32-bit hash (never 0 or 1); `keys[i]`, `vals[i]` the entry. Deletion
// leaves a tombstone, so nothing moves while the table is walked: deleting during
// iteration is safe; inserting during iteration is not (an insert may rehash). The
// table grows when live entries plus tombstones pass 3/4 of the slots and rehashes
// to a load of at most 1/2; `maybeShrink()` (called from the server cron) shrinks it
// when less than 1/8 is used. Replacing the value of a present key keeps the stored
// key string (as a Map does), so a caller's fresh copy of the name is not retained.
//
// The hash is FNV-1a over the key's bytes with a random per-process seed, finished
// with a murmur3-style mix so that the low bits (the slot index) depend on every
// byte. The seed keeps the slot layout unpredictable from outside.

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

export class KeyTable<V> {
  private hashes: Int32Array;
  private keyArr: Array<string | undefined>;
  private vals: Array<V | undefined>;
  private mask: number;
  /** Live entries plus tombstones (what decides the next rehash). */
  private used = 0;
  /** Live entries. */
  size = 0;

  constructor(capacity = MIN_CAPACITY) {
    this.hashes = new Int32Array(capacity);
    this.keyArr = new Array<string | undefined>(capacity).fill(undefined);
    this.vals = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  /** Slots in the table (for tests and memory estimates). */
  get capacity(): number {
    return this.mask + 1;
  }

  private find(key: string, h: number): number {
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

  get(key: string): V | undefined {
    const i = this.find(key, keyHash(key));
    return i < 0 ? undefined : this.vals[i];
  }

  has(key: string): boolean {
    return this.find(key, keyHash(key)) >= 0;
  }

  /** Stores `v` under `key`, replacing any value (the stored key string stays). */
  set(key: string, v: V): this {
    const h = keyHash(key);
    const hashes = this.hashes;
    const mask = this.mask;
    let i = h & mask;
    let free = -1;
    for (;;) {
      const x = hashes[i];
      if (x === h) {
        if (this.keyArr[i] === key) {
          this.vals[i] = v;
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
      // Reuse a tombstone: `used` does not change.
      hashes[free] = h;
      this.keyArr[free] = key;
      this.vals[free] = v;
      this.size++;
      return this;
    }
    if ((this.used + 1) * 4 > (mask + 1) * 3) {
      this.rehash(this.size + 1);
      return this.set(key, v);
    }
    hashes[i] = h;
    this.keyArr[i] = key;
    this.vals[i] = v;
    this.used++;
    this.size++;
    return this;
  }

  delete(key: string): boolean {
    const i = this.find(key, keyHash(key));
    if (i < 0) return false;
    this.hashes[i] = DELETED;
    this.keyArr[i] = undefined;
    this.vals[i] = undefined;
    this.size--;
    return true;
  }

  clear(): void {
    this.hashes = new Int32Array(MIN_CAPACITY);
    this.keyArr = new Array<string | undefined>(MIN_CAPACITY).fill(undefined);
    this.vals = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
    this.mask = MIN_CAPACITY - 1;
    this.used = 0;
    this.size = 0;
  }

  /** Rebuilds the table with room for `live` entries at a load of at most 1/2. */
  private rehash(live: number): void {
    let cap = MIN_CAPACITY;
    while (cap < live * 2) cap *= 2;
    const oldHashes = this.hashes;
    const oldKeys = this.keyArr;
    const oldVals = this.vals;
    const hashes = new Int32Array(cap);
    const keys = new Array<string | undefined>(cap).fill(undefined);
    const vals = new Array<V | undefined>(cap).fill(undefined);
    const mask = cap - 1;
    let n = 0;
    for (let j = 0; j < oldHashes.length; j++) {
      const h = oldHashes[j];
      if (h === EMPTY || h === DELETED) continue;
      let i = h & mask;
      while (hashes[i] !== EMPTY) i = (i + 1) & mask;
      hashes[i] = h;
      keys[i] = oldKeys[j];
      vals[i] = oldVals[j];
      n++;
    }
    this.hashes = hashes;
    this.keyArr = keys;
    this.vals = vals;
    this.mask = mask;
    this.used = n;
    this.size = n;
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
}
