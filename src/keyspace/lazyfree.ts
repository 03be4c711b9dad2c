// Lazy freeing (UNLINK, FLUSHALL/FLUSHDB ASYNC and the lazyfree-lazy-* directives),
// as Redis's lazyfree.c counts it.
//
// Redis hands a large value to a background thread so the main thread does not spend
// the time to free its allocations one by one. In V8 a value is freed by dropping the
// last reference to it, which is O(1), and the GC reclaims dead objects without
// visiting them; so there is no freeing work to move off the event loop, and slicing
// a big Map apart would only add work. What lazy freeing keeps here is what is
// visible of it: a value whose free effort (lazyfreeGetFreeEffort: its element count
// in hashtable/skiplist/quicklist form, 1 in compact form) is above
// LAZYFREE_THRESHOLD leaves the keyspace at once, but its memory is given back to the
// accounting (used_memory) and to the counters (lazyfree_pending_objects,
// lazyfreed_objects) only when the queue is run, after the current event-loop turn
// (setImmediate), at most RELEASES_PER_TURN entries a turn. A flushed database counts
// its keys, as lazyfreeFreeDatabase does.

import { ObjType, ENC_BIG, type RObj, type RHash, type RSet } from '../types/object.js';
import type { RList } from '../types/list.js';
import type { SortedSet } from '../types/sorted-set.js';

/** Values whose free effort is above this are freed lazily (Redis's LAZYFREE_THRESHOLD). */
export const LAZYFREE_THRESHOLD = 64;
/** Queue entries released per event-loop turn. */
const RELEASES_PER_TURN = 1024;
/** Bytes of a quicklist node (list-max-listpack-size -2), to express a list's free effort in nodes as Redis does. */
const LIST_NODE_BYTES = 8192;
/** A listpack entry's bytes besides its string (header and back-length). */
const LIST_ENTRY_OVERHEAD = 3;

/** Redis's lazyfreeGetFreeEffort: the allocations freeing the value takes, roughly. */
export function freeEffort(obj: RObj): number {
  switch (obj.type) {
    case ObjType.List: {
      // Nodes of 8 KB, the entries' size estimated from the first one.
      const l = obj.value as RList;
      const n = l.length;
      if (n === 0) return 1;
      const first = l.at(0) as string;
      return Math.max(1, Math.ceil((n * (first.length + LIST_ENTRY_OVERHEAD)) / LIST_NODE_BYTES));
    }
    case ObjType.Set:
      return obj.enc === ENC_BIG ? (obj.value as RSet).size : 1;
    case ObjType.Hash: {
      const h = obj.value as RHash;
      return h.map === null ? 1 : h.size;
    }
    case ObjType.ZSet: {
      const z = obj.value as SortedSet;
      return z.isCompact ? 1 : z.size;
    }
    default:
      return 1;
  }
}

interface Pending {
  /** What is held until released (a value, or a flushed database's tables). */
  held: unknown;
  bytes: number;
  count: number;
}

export class LazyFree {
  /** lazyfree_pending_objects. */
  pendingObjects = 0;
  /** lazyfreed_objects. */
  freedObjects = 0;
  /** Accounted bytes of what waits in the queue (still in used_memory). */
  pendingBytes = 0;
  private queue: Pending[] = [];
  private head = 0;
  private scheduled = false;

  /** Queues `held` (accounted `bytes`, counting as `count` objects) for release after this turn. */
  add(held: unknown, bytes: number, count: number): void {
    this.queue.push({ held, bytes, count });
    this.pendingObjects += count;
    this.pendingBytes += bytes;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.run());
    }
  }

  /** Releases up to RELEASES_PER_TURN entries; schedules itself again while some remain. */
  run(): void {
    this.scheduled = false;
    const q = this.queue;
    const end = Math.min(q.length, this.head + RELEASES_PER_TURN);
    for (; this.head < end; this.head++) {
      const p = q[this.head];
      p.held = null;
      this.pendingObjects -= p.count;
      this.freedObjects += p.count;
      this.pendingBytes -= p.bytes;
    }
    if (this.head >= q.length) {
      this.queue = [];
      this.head = 0;
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.run());
    }
  }

  /** CONFIG RESETSTAT (Redis's lazyfreeResetStats). */
  resetStats(): void {
    this.freedObjects = 0;
  }
}
