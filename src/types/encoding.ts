// Encoding rules: when a value is "int"/"embstr"/"raw", "listpack"/"intset" or
// "hashtable"/"skiplist", as Redis 7.2 decides it (OBJECT ENCODING), and when the
// writes convert it. Every rule is a function of the value and an EncodingLimits,
// the limits of one server (Server.encodingLimits, refreshed from its config on
// every change): nothing here keeps state between calls, so servers with
// different limits in one process do not see each other's.
//
// Lists keep their rules in list.ts (RList.updateEncoding, given
// list-max-listpack-size); the commands pass them limits.listMaxListpackSize.

import { ENC_BIG, ENC_COMPACT, type RHash, type RObj, type RSet } from './object.js';
import { RHashValue } from './hash.js';
import type { SortedSet } from './sorted-set.js';
import { parseIntArg } from '../util/numbers.js';

/** The *-max-listpack-* / *-max-intset-* configuration of one server. */
export interface EncodingLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  /** set-max-intset-entries, at most 2^30 (intsets are limited to 1G entries). */
  setMaxIntsetEntries: number;
  setMaxListpackEntries: number;
  setMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  listMaxListpackSize: number;
}

/** Redis's defaults. */
export function defaultEncodingLimits(): EncodingLimits {
  return {
    hashMaxListpackEntries: 128,
    hashMaxListpackValue: 64,
    setMaxIntsetEntries: 512,
    setMaxListpackEntries: 128,
    setMaxListpackValue: 64,
    zsetMaxListpackEntries: 128,
    zsetMaxListpackValue: 64,
    listMaxListpackSize: -2,
  };
}

/** Fills `into` (a new object by default) from a configuration's directives. */
export function readEncodingLimits(config: { getNumber(name: string): number }, into: EncodingLimits = defaultEncodingLimits()): EncodingLimits {
  into.hashMaxListpackEntries = config.getNumber('hash-max-listpack-entries');
  into.hashMaxListpackValue = config.getNumber('hash-max-listpack-value');
  const im = config.getNumber('set-max-intset-entries');
  into.setMaxIntsetEntries = im >= 1 << 30 ? 1 << 30 : im;
  into.setMaxListpackEntries = config.getNumber('set-max-listpack-entries');
  into.setMaxListpackValue = config.getNumber('set-max-listpack-value');
  into.zsetMaxListpackEntries = config.getNumber('zset-max-listpack-entries');
  into.zsetMaxListpackValue = config.getNumber('zset-max-listpack-value');
  into.listMaxListpackSize = config.getNumber('list-max-listpack-size');
  return into;
}

// ---- strings -------------------------------------------------------------------------
//
// RObj.enc of a string: ENC_COMPACT means "int when the value is a canonical
// integer, else embstr/raw by length" (tryObjectEncoding), ENC_BIG means raw (the
// value was modified in place: APPEND, SETRANGE, SETBIT...), ENC_STR_NOINT means a
// value created without trying the int encoding (INCRBYFLOAT's result).

/** RObj.enc for a string stored without trying the int encoding (embstr/raw by length). */
export const ENC_STR_NOINT = 2;

/** OBJECT ENCODING of a string value, as Redis would show it. */
export function stringEncoding(obj: RObj): 'int' | 'embstr' | 'raw' {
  if (obj.enc === ENC_BIG) return 'raw';
  const s = obj.value as string;
  const n = s.length;
  if (n <= 20 && obj.enc !== ENC_STR_NOINT && parseIntArg(s) !== null) return 'int';
  return n <= 44 ? 'embstr' : 'raw';
}

// ---- hashes --------------------------------------------------------------------------
//
// RObj.enc of a hash: ENC_COMPACT is listpack (the RHashValue in its packed form),
// ENC_BIG is hashtable (in its Map form); the two always change together.

/** OBJECT ENCODING of a hash. */
export function hashEncoding(obj: RObj): 'listpack' | 'hashtable' {
  return obj.enc === ENC_BIG ? 'hashtable' : 'listpack';
}

/** The listpack -> hashtable conversion: representation and encoding flag together. */
export function hashToHashtable(o: RObj, h: RHash): void {
  o.enc = ENC_BIG;
  h.toHashtable();
}

/** A listpack hash holding `n` fields must become a hashtable. */
export function hashTooManyFields(n: number, lim: EncodingLimits): boolean {
  return n > lim.hashMaxListpackEntries;
}

/** A field and value a listpack hash can hold. */
export function hashPairFits(field: string, value: string, lim: EncodingLimits): boolean {
  const max = lim.hashMaxListpackValue;
  return field.length <= max && value.length <= max;
}

/**
 * Redis's hashTypeTryConversion for argv[start..end] (field/value pairs about to be
 * set): too many pairs, or any argument too long, converts before inserting.
 */
export function hashArgsNeedHashtable(argv: string[], start: number, end: number, lim: EncodingLimits): boolean {
  if ((end - start + 1) >>> 1 > lim.hashMaxListpackEntries) return true;
  const max = lim.hashMaxListpackValue;
  for (let i = start; i <= end; i++) if (argv[i].length > max) return true;
  return false;
}

/**
 * Sets obj.enc of a hash built elsewhere (RDB/RESTORE loading) from its contents:
 * listpack when it has at most hash-max-listpack-entries fields and no field or
 * value longer than hash-max-listpack-value, hashtable otherwise.
 */
export function normalizeHashEncoding(obj: RObj, lim: EncodingLimits): void {
  const h = obj.value as RHash;
  const maxValue = lim.hashMaxListpackValue;
  let big = h.size > lim.hashMaxListpackEntries;
  if (!big) {
    for (const [f, v] of h) {
      if (f.length > maxValue || v.length > maxValue) {
        big = true;
        break;
      }
    }
  }
  if (big) hashToHashtable(obj, h);
  else {
    if (h.map !== null) obj.value = RHashValue.fromPairs(h.map);
    obj.enc = ENC_COMPACT;
  }
}

// ---- sets ----------------------------------------------------------------------------
//
// RObj.enc of a set (Redis 7.2's encodings, the transitions of t_set.c):
//   SENC_INTSET (3)    intset: every member a canonical int64 string
//   SENC_LISTPACK (2)  listpack: small, short members
//   ENC_BIG (1)        hashtable
//   ENC_COMPACT (0)    not known yet (a set built outside the commands, e.g.
//                      loaded): computed from the contents on first use

export const SENC_LISTPACK = 2;
export const SENC_INTSET = 3;

/** True when `s` is what Redis's string2ll accepts: a canonical int64. */
export function isIntMember(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const f = s.charCodeAt(i);
  if (f === 48) return n === 1; // "0" only: "-0" and "01" are not canonical
  if (f < 49 || f > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const ch = s.charCodeAt(j);
    if (ch < 48 || ch > 57) return false;
  }
  const digits = n - i;
  if (digits < 19) return true;
  if (digits > 19) return false;
  return i === 0 ? s <= '9223372036854775807' : s.slice(1) <= '9223372036854775808';
}

/** Encoding state of a set computed from its contents (as Redis's RDB loading picks it). */
export function setEncodingFromContents(s: RSet, lim: EncodingLimits): number {
  const n = s.size;
  if (n > lim.setMaxIntsetEntries) return ENC_BIG;
  let allInts = true;
  let maxLen = 0;
  for (const m of s) {
    if (allInts && !isIntMember(m)) allInts = false;
    if (m.length > maxLen) maxLen = m.length;
  }
  if (allInts) return SENC_INTSET;
  return n <= lim.setMaxListpackEntries && maxLen <= lim.setMaxListpackValue ? SENC_LISTPACK : ENC_BIG;
}

/**
 * Sets obj.enc of a set built elsewhere (RDB/RESTORE loading) from its contents:
 * intset when it has at most set-max-intset-entries members, all integers; else
 * listpack when it has at most set-max-listpack-entries members of at most
 * set-max-listpack-value bytes; else hashtable.
 */
export function normalizeSetEncoding(obj: RObj, lim: EncodingLimits): void {
  obj.enc = setEncodingFromContents(obj.value as RSet, lim);
}

/** The encoding state of a set, computed when unknown. */
export function setStateOf(o: RObj, lim: EncodingLimits): number {
  if (o.enc === ENC_COMPACT) o.enc = setEncodingFromContents(o.value as RSet, lim);
  return o.enc;
}

/** OBJECT ENCODING of a set. */
export function setEncoding(obj: RObj, lim: EncodingLimits): 'intset' | 'listpack' | 'hashtable' {
  const e = setStateOf(obj, lim);
  return e === SENC_INTSET ? 'intset' : e === SENC_LISTPACK ? 'listpack' : 'hashtable';
}

/** Redis's setTypeCreate(value, size_hint): the encoding of a new set. */
export function setCreateState(first: string, sizeHint: number, lim: EncodingLimits): number {
  if (sizeHint <= lim.setMaxIntsetEntries && isIntMember(first)) return SENC_INTSET;
  if (sizeHint <= lim.setMaxListpackEntries) return SENC_LISTPACK;
  return ENC_BIG;
}

/** Redis's setTypeMaybeConvert: the state of a set in state `st` about to be given `sizeHint` members. */
export function setStateForHint(st: number, sizeHint: number, lim: EncodingLimits): number {
  if ((st === SENC_LISTPACK && sizeHint > lim.setMaxListpackEntries) || (st === SENC_INTSET && sizeHint > lim.setMaxIntsetEntries)) return ENC_BIG;
  return st;
}

function longestMember(s: RSet): number {
  let max = 0;
  for (const m of s) if (m.length > max) max = m.length;
  return max;
}

/**
 * The encoding after adding a new member `m` to a set of `size` members in state
 * `enc` (Redis's setTypeAddAux). `s` is only read when an intset turns into a
 * listpack with a tiny set-max-listpack-value.
 */
export function setStateAfterAdd(enc: number, s: RSet, size: number, m: string, lim: EncodingLimits): number {
  if (enc === SENC_LISTPACK) {
    return size < lim.setMaxListpackEntries && m.length <= lim.setMaxListpackValue ? SENC_LISTPACK : ENC_BIG;
  }
  if (enc === SENC_INTSET) {
    if (isIntMember(m)) return size + 1 > lim.setMaxIntsetEntries ? ENC_BIG : SENC_INTSET;
    const lpValue = lim.setMaxListpackValue;
    // int64 strings are at most 20 bytes long
    if (size < lim.setMaxListpackEntries && m.length <= lpValue && (lpValue >= 20 || longestMember(s) <= lpValue)) return SENC_LISTPACK;
    return ENC_BIG;
  }
  return ENC_BIG;
}

// ---- sorted sets ---------------------------------------------------------------------
//
// RObj.enc of a sorted set: ENC_COMPACT is listpack (the SortedSet's compact
// representation), ENC_BIG is skiplist (its indexed representation, toIndexed());
// a skiplist never goes back.

/** OBJECT ENCODING of a sorted set. */
export function zsetEncoding(obj: RObj): 'listpack' | 'skiplist' {
  return obj.enc === ENC_BIG ? 'skiplist' : 'listpack';
}

/** Converts a listpack-encoded set to the skiplist encoding (the indexed representation). */
export function zsetToSkiplist(obj: RObj, zs: SortedSet): void {
  obj.enc = ENC_BIG;
  zs.toIndexed();
}

/** A listpack set of `size` members must become a skiplist before `member` is added to it. */
export function zsetAddNeedsSkiplist(size: number, member: string, lim: EncodingLimits): boolean {
  return member.length > lim.zsetMaxListpackValue || size + 1 > lim.zsetMaxListpackEntries;
}

/** zsetTypeCreate: a new set given `elements` members, the longest `maxLen` bytes long, is a skiplist. */
export function zsetCreateNeedsSkiplist(elements: number, maxLen: number, lim: EncodingLimits): boolean {
  return elements > lim.zsetMaxListpackEntries || maxLen > lim.zsetMaxListpackValue;
}

/** zsetTypeMaybeConvert: a listpack set given `elements` members to add becomes a skiplist first. */
export function zsetHintNeedsSkiplist(elements: number, lim: EncodingLimits): boolean {
  return elements > lim.zsetMaxListpackEntries;
}

/** A sorted set holding these [member, score] entries is a skiplist (the *STORE results). */
export function zsetEntriesNeedSkiplist(entries: ReadonlyArray<readonly [string, number]>, lim: EncodingLimits): boolean {
  if (entries.length > lim.zsetMaxListpackEntries) return true;
  const maxValue = lim.zsetMaxListpackValue;
  for (let i = 0; i < entries.length; i++) if (entries[i][0].length > maxValue) return true;
  return false;
}

/**
 * Sets obj.enc of a sorted set built elsewhere (RDB/RESTORE loading) from its
 * contents: listpack when it has at most zset-max-listpack-entries members and none
 * longer than zset-max-listpack-value, skiplist otherwise.
 */
export function normalizeZsetEncoding(obj: RObj, lim: EncodingLimits): void {
  const zs = obj.value as SortedSet;
  const maxValue = lim.zsetMaxListpackValue;
  let big = zs.size > lim.zsetMaxListpackEntries;
  if (!big) {
    for (const m of zs.members()) {
      if (m.length > maxValue) {
        big = true;
        break;
      }
    }
  }
  obj.enc = big ? ENC_BIG : ENC_COMPACT;
  if (big) zs.toIndexed();
}
