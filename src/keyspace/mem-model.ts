// The size model: what a key costs in this process, as the dataset accounting
// (Database.account, keyspace.ts) counts it for used_memory and maxmemory. MEMORY
// USAGE answers Redis's figure instead (redis-mem-model.ts), so that capacity plans
// made on Redis carry over.
//
// V8 on 64-bit Node without pointer compression:
//  - a flat one-byte string: 16 bytes of header (map, hash, length) + its bytes
//    rounded up to 8;
//  - a JS object: 24 bytes (map, properties, elements) + 8 per in-object field, so
//    an RObj (value, pos, tag, mem) is 56 bytes;
//  - a Map entry: 3 pointers (key, value, chain) + half a bucket pointer = 28 bytes
//    per entry of capacity; tables are 50-100% full, so ~37 bytes per live entry
//    (a Set entry: 2 pointers + half a bucket = 20, ~27 per live entry);
//  - a double that is not a small integer is a 16-byte HeapNumber;
//  - a key costs its entry in the dict Map, its entry in the SCAN position Map and
//    position array, the RObj and the key string; a TTL adds an entry in the expires
//    Map and a HeapNumber.
// Aggregates are estimated as Redis does: the size of up to `samples` elements is
// averaged and multiplied by the element count (samples 0 = every element).
//

import type { Database } from './keyspace.js';
import { ObjType, type RObj, type RHash, type RSet } from '../types/object.js';
import type { RList } from '../types/list.js';
import type { SortedSet } from '../types/sorted-set.js';
import type { Stream } from '../types/stream.js';

const OBJ_HEADER = 24;
const PTR = 8;
const HEAP_NUMBER = 16;
const MAP_ENTRY = 37;
const SET_ENTRY = 27;
const MAP_BASE = 72; // JSMap + its table header
const ROBJ = OBJ_HEADER + 4 * PTR; // value, pos, tag (type, enc and LRU packed), mem (its accounted cost)
/** Per key: its dict Map entry and its pointer in the SCAN position array (with slack). */
export const TABLES_PER_KEY = MAP_ENTRY + 10;
export const KEY_OVERHEAD = TABLES_PER_KEY + ROBJ;
export const EXPIRE_OVERHEAD = MAP_ENTRY + HEAP_NUMBER;
/** RHashValue: header + packed string, count, Map pointer. */
const HASH_BASE = OBJ_HEADER + 3 * PTR;
const LIST_BASE = OBJ_HEADER + 7 * PTR + 32 + 16; // RList + JSArray + FixedArray header
const ARRAY_BASE = 32 + 16; // JSArray + backing-store header
const ZSET_OBJ = OBJ_HEADER + 3 * PTR;
/** Compact (listpack) set: object + packed-members string header. */
const ZSET_COMPACT_BASE = ZSET_OBJ + 16;
/** Indexed set: object, index object (15 fields), member table, 8 typed arrays. */
const ZSET_BASE = ZSET_OBJ + (OBJ_HEADER + 15 * PTR) + MAP_BASE + 8 * ARRAY_BASE;
/**
 * Per indexed element, besides its member string: its member-table bucket (hash,
 * key pointer, score) at the table's load, and its leaf entries (bucket number and
 * score) with the pages' slack. Measured: 84 bytes per element of ten sets of
 * 100k members after random updates (heap + array buffers, member strings
 * excluded). Scores are unboxed everywhere, so no HeapNumber.
 */
const ZSET_ELEMENT = 84;

/** Bytes of a flat one-byte V8 string. */
export function stringBytes(s: string): number {
  return 16 + ((s.length + 7) & ~7);
}

function listCapacity(n: number): number {
  let c = 8;
  while (c < n) c *= 2;
  return c;
}

/** Estimated bytes of a value (without the key), sampling up to `samples` elements of aggregates (0 = all). */
export function valueMemoryUsage(obj: RObj, samples = 5): number {
  switch (obj.type) {
    case ObjType.String:
      return stringBytes(obj.value as string);
    case ObjType.List: {
      const l = obj.value as RList;
      const n = l.length;
      const base = LIST_BASE + PTR * listCapacity(n);
      if (n === 0) return base;
      const m = samples <= 0 || samples > n ? n : samples;
      let sum = 0;
      for (let i = 0; i < m; i++) sum += stringBytes(l.at(i) as string);
      return base + Math.round((sum / m) * n);
    }
    case ObjType.Hash: {
      const h = obj.value as RHash;
      // listpack: the object and its one packed string, exactly (like Redis, no sampling).
      if (h.map === null) return HASH_BASE + stringBytes(h.lp);
      const n = h.size;
      if (n === 0) return HASH_BASE + MAP_BASE;
      const m = samples <= 0 || samples > n ? n : samples;
      let sum = 0;
      let i = 0;
      for (const [f, v] of h.map) {
        if (i++ >= m) break;
        sum += MAP_ENTRY + stringBytes(f) + stringBytes(v);
      }
      return HASH_BASE + MAP_BASE + Math.round((sum / m) * n);
    }
    case ObjType.Set: {
      const s = obj.value as RSet;
      const n = s.size;
      if (n === 0) return MAP_BASE;
      const m = samples <= 0 || samples > n ? n : samples;
      let sum = 0;
      let i = 0;
      for (const e of s) {
        if (i++ >= m) break;
        sum += SET_ENTRY + stringBytes(e);
      }
      return MAP_BASE + Math.round((sum / m) * n);
    }
    case ObjType.ZSet: {
      const z = obj.value as SortedSet;
      const n = z.size;
      const m = samples <= 0 || samples > n ? n : samples;
      if (z.isCompact) {
        if (n === 0) return ZSET_COMPACT_BASE;
        let sum = 0;
        let i = 0;
        for (const member of z.members()) {
          if (i++ >= m) break;
          sum += 1 + member.length;
        }
        return ZSET_COMPACT_BASE + ((Math.round((sum / m) * n) + 7) & ~7) + ARRAY_BASE + 8 * n;
      }
      if (n === 0) return ZSET_BASE;
      let sum = 0;
      let i = 0;
      for (const member of z.members()) {
        if (i++ >= m) break;
        sum += ZSET_ELEMENT + stringBytes(member);
      }
      return ZSET_BASE + Math.round((sum / m) * n);
    }
    case ObjType.Stream:
      return (obj.value as Stream).memoryUsage();
    default: {
      // Types without a model yet: an honest lower bound of an object.
      return OBJ_HEADER + 8 * PTR;
    }
  }
}

/** MEMORY USAGE: bytes of the key's bookkeeping, the key string and the value. */
export function keyMemoryUsage(db: Database, key: string, obj: RObj, samples = 5): number {
  let n = KEY_OVERHEAD + stringBytes(key) + valueMemoryUsage(obj, samples);
  if (db.expires.size > 0 && db.expires.has(key)) n += EXPIRE_OVERHEAD;
  return n;
}

/**
 * What the dataset accounting charges for a key: MEMORY USAGE without the TTL (a TTL
 * is charged EXPIRE_OVERHEAD by the expires table's own accounting).
 */
export function keyCost(key: string, obj: RObj): number {
  const v = obj.value;
  // Strings (the common case) without the switch of valueMemoryUsage, small enough to inline.
  if (typeof v === 'string') return KEY_OVERHEAD + 32 + ((key.length + 7) & ~7) + ((v.length + 7) & ~7);
  return KEY_OVERHEAD + stringBytes(key) + valueMemoryUsage(obj);
}
