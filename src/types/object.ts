// The value stored under a key: a type tag, the value itself, an LRU/LFU word, and
// an encoding hint. Strings are binary strings (latin1, one char per byte); the
// aggregate types are the classes of this folder.
//
// `enc` records what Redis calls a conversion that does not go back: once a hash,
// set or sorted set has outgrown its compact listpack/intset encoding, Redis keeps
// it as a hashtable/skiplist even when it shrinks again, and OBJECT ENCODING shows
// that. For strings, `enc` marks a value that was modified in place (APPEND,
// SETRANGE, SETBIT...), which Redis always stores as "raw".

import type { RList } from './list.js';
import type { SortedSet } from './sorted-set.js';
import type { RHashValue } from './hash.js';
import type { Stream } from './stream.js';

export const enum ObjType {
  String = 0,
  List = 1,
  Set = 2,
  ZSet = 3,
  Hash = 4,
  Stream = 6,
}

/** Encoding flags kept in RObj.enc. */
export const ENC_COMPACT = 0; // listpack / intset / embstr-or-int
export const ENC_BIG = 1; // hashtable / skiplist / quicklist / raw

/** A hash: compact packed pairs or a Map (see hash.ts); obj.enc is ENC_BIG iff in map form. */
export type RHash = RHashValue;
export type RSet = Set<string>;
export type Value = string | RList | RSet | RHash | SortedSet | Stream;

// type, enc and the 24-bit LRU/LFU word share one small integer (`tag`): an object
// with three fields instead of five is 48 bytes instead of 64 in V8, 16 bytes less
// per key (about 8% of a small string key). Bits 0..23: LRU/LFU word; 24..26: type;
// 27..28: enc (0..3: ENC_COMPACT, ENC_BIG, and the values sets.ts and strings.ts
// give it). The accessors keep the old field names, and V8 inlines them.
const LRU_MASK = 0xffffff;
const TYPE_SHIFT = 24;
const TYPE_MASK = 7 << TYPE_SHIFT;
const ENC_SHIFT = 27;
const ENC_MASK = 3 << ENC_SHIFT;

export class RObj {
  value: Value;
  /** Position of the key in its database's SCAN order (-1 when not in a database). */
  pos: number;
  private tag: number;
  /**
   * Bytes the dataset accounting charged for this key (the size model's estimate when
   * it was last created or modified; see keyspace.ts). 0 when not in a database.
   */
  mem: number;
  constructor(type: ObjType, value: Value, lru: number) {
    this.value = value;
    this.pos = -1;
    this.mem = 0;
    this.tag = (type << TYPE_SHIFT) | (lru & LRU_MASK); // enc = ENC_COMPACT
  }

  get type(): ObjType {
    return ((this.tag & TYPE_MASK) >>> TYPE_SHIFT) as ObjType;
  }

  set type(t: ObjType) {
    this.tag = (this.tag & ~TYPE_MASK) | (t << TYPE_SHIFT);
  }

  /** 0..3: ENC_COMPACT, ENC_BIG, or a family's own value (sets, strings). */
  get enc(): number {
    return (this.tag & ENC_MASK) >>> ENC_SHIFT;
  }

  set enc(e: number) {
    this.tag = (this.tag & ~ENC_MASK) | ((e & 3) << ENC_SHIFT);
  }

  /** LRU clock (seconds resolution, 24 bits) or LFU data (16 bits minutes + 8 bits counter). */
  get lru(): number {
    return this.tag & LRU_MASK;
  }

  set lru(v: number) {
    this.tag = (this.tag & ~LRU_MASK) | (v & LRU_MASK);
  }
}

export function typeName(t: ObjType): string {
  switch (t) {
    case ObjType.String:
      return 'string';
    case ObjType.List:
      return 'list';
    case ObjType.Set:
      return 'set';
    case ObjType.ZSet:
      return 'zset';
    case ObjType.Hash:
      return 'hash';
    case ObjType.Stream:
      return 'stream';
  }
}

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
