// What redis-server 7.2 would report in MEMORY USAGE for the same key and value:
// its objectComputeSize (object.c) over Redis's encodings, each allocation rounded
// up to jemalloc's size class. MEMORY USAGE answers this figure, so that a capacity
// plan made on Redis carries over (issue 16: our V8 figures, mem-model.ts, read
// 2-5x higher for small values, because a V8 string, Map entry and object header
// cost more than an sds, dictEntry and robj). Our own accounting (used_memory,
// maxmemory, eviction) keeps the V8 model of mem-model.ts: that is what this
// process really holds.
//
// Sizes (64-bit Redis 7.2, jemalloc 5):
//  - robj 16; dictEntry 24; dict 56 plus 8 per bucket (buckets: the power of two
//    at or above the element count, at least 4); quicklist 40, quicklistNode 40;
//    zset 16, zskiplist 32, skiplist header node 24 + 32 levels of 16.
//  - an sds: header (1 byte below 32 bytes, 3 below 256, 5 below 64K, else 9) +
//    bytes + 1; embstr: robj, sds8 header and bytes in one allocation (<= 44 bytes).
//  - a listpack: 6 bytes of header, its entries (encoding, data, back-length), 1 end byte.
//  - an intset: 8 bytes of header and 2, 4 or 8 bytes per integer.
// Aggregates are sampled as Redis samples them: up to `samples` elements (or
// quicklist nodes) averaged and multiplied by the count (0 = all).

import { ObjType, type RObj, type RHash, type RSet } from '../types/object.js';
import { listpackEntrySize, listpackLimits, type RList } from '../types/list.js';
import type { SortedSet } from '../types/sorted-set.js';

const ROBJ = 16;
const DICT_ENTRY = 24;
const DICT = 56;
const QUICKLIST = 40;
const QUICKLIST_NODE = 40;
const ZSET = 16;
const ZSKIPLIST = 32;
const ZSL_HEADER = 24 + 32 * 16;
/** Average skiplist node level with Redis's p = 1/4 (levels 1, 2, 3... with probability 3/4, 3/16...). */
const ZSL_MEAN_NODE = (3 / 4) * 48 + (3 / 16) * 64 + (3 / 64) * 80 + (1 / 64) * 96;

/** jemalloc's usable size for a request of `n` bytes (its size classes: 8, 16-spaced to 128, then 4 per doubling). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  const lg = 31 - Math.clz32(n - 1);
  const step = 2 ** (lg - 2);
  return Math.ceil(n / step) * step;
}

/** Allocation of an sds holding `len` bytes (sdsnewlen's header type by length). */
export function sdsAlloc(len: number): number {
  const hdr = len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : 9;
  return jemallocSize(hdr + len + 1);
}

function dictSlots(n: number): number {
  let s = 4;
  while (s < n) s *= 2;
  return s;
}

/** How many of `n` elements to sample. */
function sampleCount(n: number, samples: number): number {
  return samples <= 0 || samples > n ? n : samples;
}

/** Bytes of one listpack entry holding a score, as zzlInsertAt writes it (integral scores as integers). */
function scoreEntry(score: number): number {
  return listpackEntrySize(String(score));
}

/** The string value's share: what objectComputeSize counts for its encoding. */
function stringSize(v: string, encoding: string): number {
  if (encoding === 'int') return ROBJ;
  if (encoding === 'embstr') return jemallocSize(ROBJ + 3 + v.length + 1);
  return ROBJ + sdsAlloc(v.length);
}

/** objectComputeSize of the value, given its OBJECT ENCODING and the list fill (list-max-listpack-size). */
export function redisValueSize(obj: RObj, encoding: string, samples: number, listFill: number): number {
  switch (obj.type) {
    case ObjType.String:
      return stringSize(obj.value as string, encoding);
    case ObjType.List: {
      const l = obj.value as RList;
      const n = l.length;
      if (encoding === 'listpack') return ROBJ + jemallocSize(l.lpBytes);
      // quicklist: nodes filled up to the listpack limit of `listFill`; Redis
      // samples whole nodes, we sample elements and lay them out in nodes.
      const m = sampleCount(n, samples);
      let sum = 0;
      for (let i = 0; i < m; i++) sum += listpackEntrySize(l.at(i) as string);
      const avg = m === 0 ? 0 : sum / m;
      const lim = listpackLimits(listFill);
      const perNode = Math.max(1, Math.min(lim.maxCount, Math.floor((lim.maxBytes - 7) / Math.max(1, avg))));
      const nodes = Math.max(1, Math.ceil(n / perNode));
      const nodeBytes = QUICKLIST_NODE + jemallocSize(7 + Math.round(avg * Math.min(perNode, n)));
      return ROBJ + QUICKLIST + nodes * nodeBytes;
    }
    case ObjType.Hash: {
      const h = obj.value as RHash;
      if (encoding === 'listpack') {
        let lp = 7;
        for (const [f, v] of h) lp += listpackEntrySize(f) + listpackEntrySize(v);
        return ROBJ + jemallocSize(lp);
      }
      const n = h.size;
      const m = sampleCount(n, samples);
      let sum = 0;
      let i = 0;
      for (const [f, v] of h) {
        if (i++ >= m) break;
        sum += sdsAlloc(f.length) + sdsAlloc(v.length) + DICT_ENTRY;
      }
      return ROBJ + DICT + 8 * dictSlots(n) + (m === 0 ? 0 : (sum / m) * n);
    }
    case ObjType.Set: {
      const s = obj.value as RSet;
      const n = s.size;
      if (encoding === 'intset') {
        let width = 2;
        for (const e of s) {
          const x = Number(e);
          if (x < -2147483648 || x > 2147483647) width = 8;
          else if ((x < -32768 || x > 32767) && width < 4) width = 4;
        }
        return ROBJ + jemallocSize(8 + width * n);
      }
      if (encoding === 'listpack') {
        let lp = 7;
        for (const e of s) lp += listpackEntrySize(e);
        return ROBJ + jemallocSize(lp);
      }
      const m = sampleCount(n, samples);
      let sum = 0;
      let i = 0;
      for (const e of s) {
        if (i++ >= m) break;
        sum += sdsAlloc(e.length) + DICT_ENTRY;
      }
      return ROBJ + DICT + 8 * dictSlots(n) + (m === 0 ? 0 : (sum / m) * n);
    }
    case ObjType.ZSet: {
      const z = obj.value as SortedSet;
      const n = z.size;
      if (encoding === 'listpack') {
        let lp = 7;
        for (const [member, score] of z.entries()) lp += listpackEntrySize(member) + scoreEntry(score);
        return ROBJ + jemallocSize(lp);
      }
      const m = sampleCount(n, samples);
      let sum = 0;
      let i = 0;
      for (const [member] of z.entries()) {
        if (i++ >= m) break;
        sum += sdsAlloc(member.length) + DICT_ENTRY + ZSL_MEAN_NODE;
      }
      return ROBJ + ZSET + ZSKIPLIST + DICT + 8 * dictSlots(n) + jemallocSize(ZSL_HEADER) + (m === 0 ? 0 : (sum / m) * n);
    }
    default:
      // Streams: their engineer's model; a robj until then.
      return ROBJ;
  }
}

/** MEMORY USAGE as redis-server computes it: the value, the key's sds and its dictEntry. */
export function redisMemoryUsage(key: string, obj: RObj, encoding: string, samples: number, listFill: number): number {
  return Math.round(redisValueSize(obj, encoding, samples, listFill) + sdsAlloc(key.length) + DICT_ENTRY);
}
