// The keys of a database by cluster hash slot (cluster mode only): what CLUSTER
// COUNTKEYSINSLOT and GETKEYSINSLOT answer, and what a slot migration walks.
//
// Design. A key's SCAN position (keyspace.ts) is a small integer that stays the
// same for the key's whole life, and positions are dense (freed ones are reused).
// The index threads one doubly linked list per hash slot through the positions,
// in typed arrays indexed by position:
//
//   next[p], prev[p]   the neighbours of position p in its slot's list (-1: none)
//   slotOf[p]          the hash slot of the key at p (so removal needs no CRC16)
//   head[s], count[s]  per hash slot (16384 of each): first position, list length
//
// Adding a key is one CRC16 over the key (or its {tag}) and a push at the head
// of its list; removing it is an unlink: O(1) each, no hashing, no rehash, ever.
// Counting a slot's keys is one array read; listing or walking them costs one
// step per key of that slot, whatever the size of the database.
//
// Why this rather than:
//  - a Set of key names per slot: 16384 Sets, an entry (~30-40 bytes, traced by
//    the GC) per key and a second string hash per add and delete;
//  - lists keyed by KeyTable bucket: buckets move on every rehash (growth and
//    shrink), so the whole index would be renumbered each time, as the sorted
//    sets' leaves are; SCAN positions never move;
//  - the slot stored in RObj: every object would grow, index on or off.
// Cost: 10 bytes per SCAN position (plus growth slack) and 128 KB of head and
// count arrays per database, none of it visible to the GC's marking. With the
// index off a database holds null here and the key paths pay one null test.
//
// Order within a slot: most recently added first. The arrays only grow with the
// position array, and go back to the minimum when the database empties.

import { CLUSTER_SLOTS, keyHashSlot } from './hash-slot.js';

const MIN_POSITIONS = 16;

export class SlotIndex {
  private head = new Int32Array(CLUSTER_SLOTS).fill(-1);
  private counts = new Int32Array(CLUSTER_SLOTS);
  private next = new Int32Array(MIN_POSITIONS);
  private prev = new Int32Array(MIN_POSITIONS);
  private slotOf = new Uint16Array(MIN_POSITIONS);

  /** Links the key that was just given SCAN position `pos`. */
  add(pos: number, key: string): void {
    if (pos >= this.next.length) this.grow(pos + 1);
    const s = keyHashSlot(key);
    const h = this.head[s];
    this.slotOf[pos] = s;
    this.prev[pos] = -1;
    this.next[pos] = h;
    if (h >= 0) this.prev[h] = pos;
    this.head[s] = pos;
    this.counts[s]++;
  }

  /**
   * Unlinks the key at SCAN position `pos` (it was added). `emptied`: it was the
   * database's last key, so its positions start afresh and the arrays may shrink.
   */
  remove(pos: number, emptied: boolean): void {
    const s = this.slotOf[pos];
    const n = this.next[pos];
    const p = this.prev[pos];
    if (p >= 0) this.next[p] = n;
    else this.head[s] = n;
    if (n >= 0) this.prev[n] = p;
    this.counts[s]--;
    if (emptied && this.next.length > MIN_POSITIONS) this.shrink();
  }

  /** Back to empty (the database was flushed). */
  reset(): void {
    this.head.fill(-1);
    this.counts.fill(0);
    this.shrink();
  }

  count(slot: number): number {
    return this.counts[slot];
  }

  /** The first position of `slot`'s list, or -1 when it has no keys. */
  first(slot: number): number {
    return this.head[slot];
  }

  /** The position after `pos` in its slot's list, or -1. */
  after(pos: number): number {
    return this.next[pos];
  }

  /** The hash slot recorded for the key at `pos`. */
  slotAt(pos: number): number {
    return this.slotOf[pos];
  }

  private grow(need: number): void {
    let cap = this.next.length * 2;
    while (cap < need) cap *= 2;
    const next = new Int32Array(cap);
    next.set(this.next);
    const prev = new Int32Array(cap);
    prev.set(this.prev);
    const slotOf = new Uint16Array(cap);
    slotOf.set(this.slotOf);
    this.next = next;
    this.prev = prev;
    this.slotOf = slotOf;
  }

  private shrink(): void {
    this.next = new Int32Array(MIN_POSITIONS);
    this.prev = new Int32Array(MIN_POSITIONS);
    this.slotOf = new Uint16Array(MIN_POSITIONS);
  }
}
