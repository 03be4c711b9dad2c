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
export type Value = string | RList | RSet | RHash | SortedSet;

export class RObj {
  type: ObjType;
  value: Value;
  /** LRU clock (seconds resolution, 24 bits) or LFU data (16 bits minutes + 8 bits counter). */
  lru: number;
  enc: number;
  /** Position of the key in its database's SCAN order (-1 when not in a database). */
  slot: number;
  constructor(type: ObjType, value: Value, lru: number) {
    this.type = type;
    this.value = value;
    this.lru = lru;
    this.enc = ENC_COMPACT;
    this.slot = -1;
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
