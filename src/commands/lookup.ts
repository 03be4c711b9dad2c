// Key lookups with the type check, after Redis's lookupKeyReadOrReply /
// lookupKeyWriteOrReply and checkType: look the key up; when it holds another
// type, reply WRONGTYPE and tell the caller, which then just returns.
//
//   const o = lookupReadOrReply(c, argv[1], ObjType.Hash, MISS_NULL);
//   if (o === null) return;             // replied: null for a missing key, or WRONGTYPE
//
//   const o = lookupWrite(c, key, ObjType.Set);
//   if (o === null) return;             // replied WRONGTYPE
//   if (o === undefined) ...            // missing
//
// Plain functions over numbers: no closure and no allocation per call (the hot
// write paths use them).

import type { Client } from './context.js';
import { CLIENT_NO_TOUCH } from './context.js';
import { WRONGTYPE, type ObjType, type RObj } from '../types/object.js';
import { parseIntArg } from '../util/numbers.js';

/** What the *OrReply lookups answer for a missing key. */
export const MISS_NULL = 0; // null bulk (RESP3 null)
export const MISS_ZERO = 1; // :0
export const MISS_EMPTY_ARRAY = 2; // *0
export const MISS_EMPTY_SET = 3; // RESP3 empty set, RESP2 *0
export const MISS_EMPTY_SCAN = 4; // cursor 0, no elements
export const MISS_OK = 5; // +OK
export const MISS_EMPTY_MAP = 6; // RESP3 empty map, RESP2 *0

// The bytes of those replies (what addNull, addInt(0), addEmptyArray, addSetLen(0),
// addEmptyScanReply, addOk and addMapLen(0) write), by protocol: one load, no switch.
const MISS_RESP2 = ['$-1\r\n', ':0\r\n', '*0\r\n', '*0\r\n', '*2\r\n$1\r\n0\r\n*0\r\n', '+OK\r\n', '*0\r\n'];
const MISS_RESP3 = ['_\r\n', ':0\r\n', '*0\r\n', '~0\r\n', '*2\r\n$1\r\n0\r\n*0\r\n', '+OK\r\n', '%0\r\n'];

/** checkType of a looked-up value: it, undefined when missing, null after replying WRONGTYPE. */
function ofType(c: Client, o: RObj | undefined, type: ObjType): RObj | undefined | null {
  if (o === undefined || o.type === type) return o;
  c.addError(WRONGTYPE);
  return null;
}

/** ofType, answering `miss` for a missing key: the value, or null after replying. */
function ofTypeOrReply(c: Client, o: RObj | undefined, type: ObjType, miss: number): RObj | null {
  if (o === undefined) {
    c.write(c.resp === 3 ? MISS_RESP3[miss] : MISS_RESP2[miss]);
    return null;
  }
  return ofType(c, o, type) as RObj | null;
}

/**
 * lookupKeyRead (honouring CLIENT NO-TOUCH) + checkType: the value, undefined when
 * the key is missing, null after replying WRONGTYPE.
 */
export function lookupRead(c: Client, key: string, type: ObjType): RObj | undefined | null {
  return ofType(c, c.db.lookupRead(key, (c.flags & CLIENT_NO_TOUCH) !== 0), type);
}

/** lookupKeyWrite + checkType: the value, undefined when the key is missing, null after replying WRONGTYPE. */
export function lookupWrite(c: Client, key: string, type: ObjType): RObj | undefined | null {
  return ofType(c, c.db.lookupWrite(key), type);
}

/** lookupKeyReadOrReply + checkType: the value, or null after replying (`miss` for a missing key, else WRONGTYPE). */
export function lookupReadOrReply(c: Client, key: string, type: ObjType, miss: number): RObj | null {
  return ofTypeOrReply(c, c.db.lookupRead(key, (c.flags & CLIENT_NO_TOUCH) !== 0), type, miss);
}

/** lookupKeyWriteOrReply + checkType: the value, or null after replying (`miss` for a missing key, else WRONGTYPE). */
export function lookupWriteOrReply(c: Client, key: string, type: ObjType, miss: number): RObj | null {
  return ofTypeOrReply(c, c.db.lookupWrite(key), type, miss);
}

/**
 * Redis's getRangeLongFromObjectOrReply: the integer argument `s` when it is an
 * integer within [min, max], else null after replying (ERR value is not an
 * integer or out of range, or `rangeError`).
 */
export function intInRangeOrReply(c: Client, s: string, min: number, max: number, rangeError: string): number | null {
  const v = parseIntArg(s);
  if (v === null) {
    c.addError('ERR value is not an integer or out of range');
    return null;
  }
  if (v < min || v > max) {
    c.addError(rangeError);
    return null;
  }
  return v;
}
