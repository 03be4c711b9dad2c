// String commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX
// APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT SETRANGE GETRANGE SUBSTR LCS.
//
// Values are binary strings (one char per byte). RObj.enc records what Redis's
// OBJECT ENCODING would show (stringEncoding in types/encoding.ts): ENC_COMPACT
// means "int when the value is a canonical integer, else embstr/raw by length"
// (tryObjectEncoding), ENC_BIG means raw (the value was modified in place: APPEND,
// SETRANGE, SETBIT...), ENC_STR_NOINT means a value created without trying the int
// encoding (INCRBYFLOAT's result).
//
// INCRBYFLOAT computes in x87 80-bit long double as Redis does on x86-64 (strtold,
// one long double addition, "%.17Lf" with trailing zeros removed); the emulation
// is exact, with bigints (src/util/long-double.ts).

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { CLIENT_MASTER, CLIENT_NO_TOUCH } from './context.js';
import { ENC_BIG, ENC_COMPACT, ObjType, RObj, WRONGTYPE } from '../types/object.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../keyspace/notify.js';
import { INT64_MAX, INT64_MIN, parseInt64, parseIntArg } from '../util/numbers.js';
import { ENC_STR_NOINT } from '../types/encoding.js';
import { LD_ZERO, addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from '../util/long-double.js';
import { MISS_NULL, MISS_ZERO, lookupRead, lookupReadOrReply, lookupWrite } from './lookup.js';

export { ENC_STR_NOINT, stringEncoding } from '../types/encoding.js';

export const ERR_SYNTAX = 'ERR syntax error';
export const ERR_NOT_INT = 'ERR value is not an integer or out of range';
const ERR_NOT_FLOAT = 'ERR value is not a valid float';
const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
export const ERR_STRING_TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';

/** Longest string V8 can hold (Node 20, 64-bit): larger results are refused. */
export const MAX_JS_STRING = (1 << 29) - 24;

// ---- helpers shared with bitmaps.ts -------------------------------------------------------

/** Case-insensitive comparison of `s` with a lower-case, letters-only `word`. */
export function eqi(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

/** lookupKeyRead honouring CLIENT NO-TOUCH. */
export function readKey(c: Client, key: string): RObj | undefined {
  return c.db.lookupRead(key, (c.flags & CLIENT_NO_TOUCH) !== 0);
}

/** Redis's mustObeyClient: the primary's link bypasses size limits. */
export function mustObey(c: Client): boolean {
  return (c.flags & CLIENT_MASTER) !== 0;
}

export function protoMaxBulkLen(c: Client): number {
  return c.server.config.getNumber('proto-max-bulk-len');
}

/** checkStringLength: replies and returns false when size+append is too large. */
export function checkStringLength(c: Client, size: number, append: number): boolean {
  const total = size + append;
  if (total > MAX_JS_STRING || (!mustObey(c) && total > protoMaxBulkLen(c))) {
    c.addError(ERR_STRING_TOO_LONG);
    return false;
  }
  return true;
}

/** A string of `n` zero bytes. */
export function zeros(n: number): string {
  return n <= 0 ? '' : '\0'.repeat(n);
}

/**
 * Parses a long long argument (getLongLongFromObject). Returns a number, exact for
 * |v| <= 2^53; beyond that the value is rounded (callers needing exactness compare
 * with `exactGreater`). null when invalid.
 */
export function parseLL(s: string): number | null {
  return parseIntArg(s);
}

/** a > b where a, b were parsed from aStr, bStr, exact even beyond 2^53. */
export function exactGreater(a: number, aStr: string, b: number, bStr: string): boolean {
  if (a !== b) return a > b;
  if (Number.isSafeInteger(a)) return false;
  return parseInt64(aStr)! > parseInt64(bStr)!;
}

function newString(c: Client, value: string): RObj {
  return new RObj(ObjType.String, value, c.server.ks.initialLru());
}

/**
 * setKey: stores a string under `key` (looked up for writing first so that an
 * expired key is reclaimed as Redis does); the TTL is dropped unless keepTtl.
 */
function setStringKey(c: Client, key: string, value: string, keepTtl: boolean, enc = ENC_COMPACT): void {
  if (!keepTtl && enc === ENC_COMPACT) {
    overwriteString(c, key, value);
    return;
  }
  c.db.lookupWrite(key);
  const o = newString(c, value);
  o.enc = enc;
  c.db.set(key, o, keepTtl);
}

/**
 * setKey for a plain SET/MSET: the value replaces any old one and the TTL goes.
 * An existing string is overwritten in place, as APPEND and INCR already do:
 * one hash lookup instead of three (lookup, get, set) and no new object. That
 * is safe because an RObj is never shared between keys (COPY deep-copies).
 * The result is what a fresh object would be: new value, fresh LRU/LFU word,
 * embstr/int encoding, SCAN position kept.
 */
function overwriteString(c: Client, key: string, value: string): void {
  const db = c.db;
  const old = db.lookup(key); // reclaims an expired key, as lookupWrite does
  if (old === undefined) {
    db.add(key, newString(c, value));
  } else if (old.type === ObjType.String) {
    old.value = value;
    old.enc = ENC_COMPACT;
    old.lru = c.server.ks.initialLru();
    if (db.expires.size !== 0) db.removeExpire(key);
  } else {
    db.set(key, newString(c, value), false);
  }
}

// ---- GET SET and friends ------------------------------------------------------------------

/** getGenericCommand: replies with the value or null; false on WRONGTYPE. */
function getGeneric(c: Client, key: string): boolean {
  const o = readKey(c, key);
  if (o === undefined) {
    c.addNull();
    return true;
  }
  if (o.type !== ObjType.String) {
    c.addError(WRONGTYPE);
    return false;
  }
  c.addBulk(o.value as string);
  return true;
}

function getCommand(c: Client, argv: string[]): void {
  getGeneric(c, argv[1]);
}

const F_NX = 1;
const F_XX = 2;
const F_GET = 4;
const F_KEEPTTL = 8;
const F_PERSIST = 16;
const F_EX = 32;
const F_PX = 64;
const F_EXAT = 128;
const F_PXAT = 256;
const F_ANY_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;

/** Parsed options of SET / GETEX; `flags` is -1 after a syntax error (already replied). */
let optFlags = 0;
let optExpire = -1; // argv index of the expire value

/** parseExtendedStringArgumentsOrReply: fills optFlags / optExpire; false on error. */
function parseExtended(c: Client, argv: string[], isSet: boolean): boolean {
  let flags = 0;
  let expire = -1;
  const n = argv.length;
  for (let j = isSet ? 3 : 2; j < n; j++) {
    const opt = argv[j];
    const hasNext = j < n - 1;
    const len = opt.length;
    let ok = false;
    if (len === 2) {
      const a = opt.charCodeAt(0) | 32;
      const b = opt.charCodeAt(1) | 32;
      if (a === 110 /* n */ && b === 120 /* x */) {
        if (isSet && !(flags & F_XX)) {
          flags |= F_NX;
          ok = true;
        }
      } else if (a === 120 /* x */ && b === 120) {
        if (isSet && !(flags & F_NX)) {
          flags |= F_XX;
          ok = true;
        }
      } else if (a === 101 /* e */ && b === 120) {
        if (!(flags & (F_KEEPTTL | F_PERSIST | F_EXAT | F_PX | F_PXAT)) && hasNext) {
          flags |= F_EX;
          expire = ++j;
          ok = true;
        }
      } else if (a === 112 /* p */ && b === 120) {
        if (!(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PXAT)) && hasNext) {
          flags |= F_PX;
          expire = ++j;
          ok = true;
        }
      }
    } else if (len === 3) {
      if (isSet && eqi(opt, 'get')) {
        flags |= F_GET;
        ok = true;
      }
    } else if (len === 4) {
      if (eqi(opt, 'exat')) {
        if (!(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_PX | F_PXAT)) && hasNext) {
          flags |= F_EXAT;
          expire = ++j;
          ok = true;
        }
      } else if (eqi(opt, 'pxat')) {
        if (!(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PX)) && hasNext) {
          flags |= F_PXAT;
          expire = ++j;
          ok = true;
        }
      }
    } else if (len === 7) {
      if (eqi(opt, 'keepttl')) {
        if (isSet && !(flags & (F_PERSIST | F_ANY_EXPIRE))) {
          flags |= F_KEEPTTL;
          ok = true;
        }
      } else if (eqi(opt, 'persist')) {
        if (!isSet && !(flags & (F_ANY_EXPIRE | F_KEEPTTL))) {
          flags |= F_PERSIST;
          ok = true;
        }
      }
    }
    if (!ok) {
      c.addError(ERR_SYNTAX);
      return false;
    }
  }
  optFlags = flags;
  optExpire = expire;
  return true;
}

/** Absolute expire time computed by getExpireMs (number, and exact text for propagation). */
let expireMs = 0;
let expireText = '';

const LL_MAX_DIV_1000 = 9223372036854775n; // LLONG_MAX / 1000

/**
 * getExpireMillisecondsOrReply: parses the expire argument with the unit and
 * relativity of `flags`; sets expireMs / expireText. Replies and returns false
 * when invalid.
 */
function getExpireMs(c: Client, s: string, flags: number, cmdName: string): boolean {
  const seconds = (flags & (F_EX | F_EXAT)) !== 0;
  const relative = (flags & (F_EX | F_PX)) !== 0;
  if (s.length <= 12) {
    // Fast path: exact in doubles whatever the unit and the clock.
    const v = parseIntArg(s);
    if (v === null) {
      c.addError(ERR_NOT_INT);
      return false;
    }
    if (v <= 0) {
      c.addError(`ERR invalid expire time in '${cmdName}' command`);
      return false;
    }
    let ms = seconds ? v * 1000 : v;
    if (relative) ms += c.server.ks.now;
    expireMs = ms;
    expireText = String(ms);
    return true;
  }
  const b = parseInt64(s);
  if (b === null) {
    c.addError(ERR_NOT_INT);
    return false;
  }
  if (b <= 0n || (seconds && b > LL_MAX_DIV_1000)) {
    c.addError(`ERR invalid expire time in '${cmdName}' command`);
    return false;
  }
  let ms = seconds ? b * 1000n : b;
  if (relative) ms += BigInt(c.server.ks.now);
  if (ms > INT64_MAX) {
    // Signed overflow in Redis: the sum wraps negative and is rejected.
    c.addError(`ERR invalid expire time in '${cmdName}' command`);
    return false;
  }
  expireMs = Number(ms);
  expireText = ms.toString();
  return true;
}

const REPLY_OK = 0; // +OK / null
const REPLY_INT = 1; // :1 / :0 (SETNX)

/** setGenericCommand. `expireIdx` is the argv index of the expire value or -1. */
function setGeneric(c: Client, argv: string[], flags: number, key: string, val: string, expireIdx: number, cmdName: string, replyMode: number): void {
  const hasExpire = expireIdx >= 0;
  if (hasExpire && !getExpireMs(c, argv[expireIdx], flags, cmdName)) return;
  if (flags & F_GET) {
    if (!getGeneric(c, key)) return;
  }
  const found = c.db.lookupWrite(key) !== undefined;
  if (((flags & F_NX) && found) || ((flags & F_XX) && !found)) {
    if (!(flags & F_GET)) {
      if (replyMode === REPLY_INT) c.addInt(0);
      else c.addNull();
    }
    return;
  }
  c.db.set(key, newString(c, val), (flags & F_KEEPTTL) !== 0 || hasExpire);
  c.modified(key, NOTIFY_STRING, 'set');
  if (hasExpire) {
    c.db.setExpire(key, expireMs);
    if (!(flags & F_PXAT)) c.rewriteArgv(['SET', key, val, 'PXAT', expireText]);
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, c.db.id);
  }
  if (!(flags & F_GET)) {
    if (replyMode === REPLY_INT) c.addInt(1);
    else c.addOk();
  }
  if ((flags & F_GET) && !hasExpire) {
    // Propagate without the GET argument(s).
    const out: string[] = [];
    for (let j = 0; j < argv.length; j++) {
      if (j >= 3 && argv[j].length === 3 && eqi(argv[j], 'get')) continue;
      out.push(argv[j]);
    }
    c.rewriteArgv(out);
  }
}

function setCommand(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    // SET key value: the common case, no option parsing.
    const key = argv[1];
    overwriteString(c, key, argv[2]);
    c.modified(key, NOTIFY_STRING, 'set');
    c.addOk();
    return;
  }
  if (!parseExtended(c, argv, true)) return;
  setGeneric(c, argv, optFlags, argv[1], argv[2], optExpire, 'set', REPLY_OK);
}

function setnxCommand(c: Client, argv: string[]): void {
  setGeneric(c, argv, F_NX, argv[1], argv[2], -1, 'setnx', REPLY_INT);
}

function setexCommand(c: Client, argv: string[]): void {
  setGeneric(c, argv, F_EX, argv[1], argv[3], 2, 'setex', REPLY_OK);
}

function psetexCommand(c: Client, argv: string[]): void {
  setGeneric(c, argv, F_PX, argv[1], argv[3], 2, 'psetex', REPLY_OK);
}

function getsetCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  if (!getGeneric(c, key)) return;
  setStringKey(c, key, argv[2], false);
  c.modified(key, NOTIFY_STRING, 'set');
  c.rewriteArgv(['SET', key, argv[2]]);
}

function getdelCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  if (!getGeneric(c, key)) return;
  if (c.db.delete(key)) {
    c.rewriteArgv(['DEL', key]);
    c.modified(key, NOTIFY_GENERIC, 'del');
  }
}

function getexCommand(c: Client, argv: string[]): void {
  if (!parseExtended(c, argv, false)) return;
  const flags = optFlags;
  const expireIdx = optExpire;
  const key = argv[1];
  const o = lookupReadOrReply(c, key, ObjType.String, MISS_NULL);
  if (o === null) return;
  if (expireIdx >= 0 && !getExpireMs(c, argv[expireIdx], flags, 'getex')) return;
  c.addBulk(o.value as string);
  if ((flags & (F_PXAT | F_EXAT)) !== 0 && expireMs <= c.server.ks.now && !c.server.ks.isReplica) {
    // An absolute time already in the past deletes the key.
    c.db.delete(key);
    c.rewriteArgv([c.server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
    c.modified(key, NOTIFY_GENERIC, 'del');
  } else if (expireIdx >= 0) {
    c.db.setExpire(key, expireMs);
    // Propagated as PEXPIREAT key <ms>, PXAT given or not (SET with PXAT stays as sent).
    c.rewriteArgv(['PEXPIREAT', key, expireText]);
    c.modified(key, NOTIFY_GENERIC, 'expire');
  } else if (flags & F_PERSIST) {
    if (c.db.removeExpire(key)) {
      c.rewriteArgv(['PERSIST', key]);
      c.modified(key, NOTIFY_GENERIC, 'persist');
    }
  }
}

function mgetCommand(c: Client, argv: string[]): void {
  const n = argv.length;
  c.addArrayLen(n - 1);
  for (let j = 1; j < n; j++) {
    const o = readKey(c, argv[j]);
    if (o === undefined || o.type !== ObjType.String) c.addNull();
    else c.addBulk(o.value as string);
  }
}

function msetGeneric(c: Client, argv: string[], nx: boolean, name: string): void {
  const n = argv.length;
  if (n % 2 === 0) {
    c.addError(`ERR wrong number of arguments for '${name}' command`);
    return;
  }
  if (nx) {
    for (let j = 1; j < n; j += 2) {
      if (c.db.lookupWrite(argv[j]) !== undefined) {
        c.addInt(0);
        return;
      }
    }
  }
  for (let j = 1; j < n; j += 2) {
    setStringKey(c, argv[j], argv[j + 1], false);
    c.modified(argv[j], NOTIFY_STRING, 'set');
  }
  if (nx) c.addInt(1);
  else c.addOk();
}

function msetCommand(c: Client, argv: string[]): void {
  msetGeneric(c, argv, false, 'mset');
}

function msetnxCommand(c: Client, argv: string[]): void {
  msetGeneric(c, argv, true, 'msetnx');
}

function appendCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const add = argv[2];
  const o = lookupWrite(c, key, ObjType.String);
  if (o === null) return;
  let total: number;
  if (o === undefined) {
    c.db.add(key, newString(c, add));
    total = add.length;
  } else {
    const cur = o.value as string;
    if (!checkStringLength(c, cur.length, add.length)) return;
    o.value = cur + add;
    o.enc = ENC_BIG;
    total = cur.length + add.length;
  }
  c.modified(key, NOTIFY_STRING, 'append');
  c.addInt(total);
}

function strlenCommand(c: Client, argv: string[]): void {
  const o = lookupReadOrReply(c, argv[1], ObjType.String, MISS_ZERO);
  if (o === null) return;
  c.addInt((o.value as string).length);
}

// ---- INCR family --------------------------------------------------------------------------

/**
 * incrDecrCommand. `incr` is a number when |incr| < 1e15 (then the sum of two such
 * values is exact), a bigint otherwise.
 */
function incrDecr(c: Client, key: string, incr: number | bigint): void {
  const o = c.db.lookupWrite(key);
  let cur: number | bigint = 0;
  if (o !== undefined) {
    if (o.type !== ObjType.String) {
      c.addError(WRONGTYPE);
      return;
    }
    const s = o.value as string;
    const v = s.length <= 15 ? parseIntArg(s) : parseInt64(s);
    if (v === null) {
      c.addError(ERR_NOT_INT);
      return;
    }
    cur = v;
  }
  let result: number | bigint;
  if (typeof cur === 'number' && typeof incr === 'number') {
    result = cur + incr;
  } else {
    const r = BigInt(cur) + BigInt(incr);
    if (r > INT64_MAX || r < INT64_MIN) {
      c.addError(ERR_OVERFLOW);
      return;
    }
    result = r;
  }
  const text = String(result);
  if (o !== undefined) {
    // dbReplaceValue: a fresh int-encoded value, the TTL is kept.
    o.value = text;
    o.enc = ENC_COMPACT;
  } else {
    c.db.add(key, newString(c, text));
  }
  c.modified(key, NOTIFY_STRING, 'incrby');
  c.addInt(result);
}

/** Parses an INCRBY/DECRBY increment: number when short, bigint otherwise; null if invalid. */
function parseIncr(s: string): number | bigint | null {
  return s.length <= 15 ? parseIntArg(s) : parseInt64(s);
}

function incrCommand(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], 1);
}

function decrCommand(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], -1);
}

function incrbyCommand(c: Client, argv: string[]): void {
  const incr = parseIncr(argv[2]);
  if (incr === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  incrDecr(c, argv[1], incr);
}

function decrbyCommand(c: Client, argv: string[]): void {
  const incr = parseIncr(argv[2]);
  if (incr === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  if (typeof incr === 'number') {
    incrDecr(c, argv[1], -incr);
    return;
  }
  if (incr === INT64_MIN) {
    c.addError('ERR decrement would overflow');
    return;
  }
  incrDecr(c, argv[1], -incr);
}

function incrbyfloatCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const o = lookupWrite(c, key, ObjType.String);
  if (o === null) return;
  let cur: LongDouble = LD_ZERO;
  if (o !== undefined) {
    const v = parseLongDouble(o.value as string);
    if (v === null) {
      c.addError(ERR_NOT_FLOAT);
      return;
    }
    cur = v;
  }
  const incr = parseLongDouble(argv[2]);
  if (incr === null) {
    c.addError(ERR_NOT_FLOAT);
    return;
  }
  const sum = addLongDouble(cur, incr);
  if (sum.inf) {
    c.addError('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatLongDoubleHuman(sum);
  if (o !== undefined) {
    o.value = text;
    o.enc = ENC_STR_NOINT;
  } else {
    const n = newString(c, text);
    n.enc = ENC_STR_NOINT;
    c.db.add(key, n);
  }
  c.modified(key, NOTIFY_STRING, 'incrbyfloat');
  c.addBulk(text);
  c.rewriteArgv(['SET', key, text, 'KEEPTTL']);
}

// ---- SETRANGE GETRANGE --------------------------------------------------------------------

function setrangeCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const value = argv[3];
  const vlen = value.length;
  const offset = parseIntArg(argv[2]);
  if (offset === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  if (offset < 0) {
    c.addError('ERR offset is out of range');
    return;
  }
  const o = lookupWrite(c, key, ObjType.String);
  if (o === null) return;
  if (o === undefined) {
    if (vlen === 0) {
      c.addInt(0);
      return;
    }
    if (!checkStringLength(c, offset, vlen)) return;
    const n = newString(c, zeros(offset) + value);
    n.enc = ENC_BIG;
    c.db.add(key, n);
    c.modified(key, NOTIFY_STRING, 'setrange');
    c.addInt(offset + vlen);
    return;
  }
  const cur = o.value as string;
  if (vlen === 0) {
    c.addInt(cur.length);
    return;
  }
  if (!checkStringLength(c, offset, vlen)) return;
  let next: string;
  if (offset >= cur.length) next = cur + zeros(offset - cur.length) + value;
  else if (offset + vlen >= cur.length) next = cur.slice(0, offset) + value;
  else next = cur.slice(0, offset) + value + cur.slice(offset + vlen);
  o.value = next;
  o.enc = ENC_BIG;
  c.modified(key, NOTIFY_STRING, 'setrange');
  c.addInt(next.length);
}

function getrangeCommand(c: Client, argv: string[]): void {
  let start = parseIntArg(argv[2]);
  if (start === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  let end = parseIntArg(argv[3]);
  if (end === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  const o = lookupRead(c, argv[1], ObjType.String);
  if (o === null) return;
  if (o === undefined) {
    c.addBulk('');
    return;
  }
  const s = o.value as string;
  const len = s.length;
  if (start < 0 && end < 0 && exactGreater(start, argv[2], end, argv[3])) {
    c.addBulk('');
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) {
    c.addBulk('');
    return;
  }
  c.addBulk(start === 0 && end === len - 1 ? s : s.slice(start, end + 1));
}

// ---- LCS ----------------------------------------------------------------------------------

function lcsCommand(c: Client, argv: string[]): void {
  const oa = readKey(c, argv[1]);
  const ob = readKey(c, argv[2]);
  if ((oa !== undefined && oa.type !== ObjType.String) || (ob !== undefined && ob.type !== ObjType.String)) {
    c.addError('ERR The specified keys must contain string values');
    return;
  }
  const a = oa === undefined ? '' : (oa.value as string);
  const b = ob === undefined ? '' : (ob.value as string);
  let getidx = false;
  let getlen = false;
  let withmatchlen = false;
  let minmatchlen = 0;
  const argc = argv.length;
  for (let j = 3; j < argc; j++) {
    const opt = argv[j];
    const moreargs = argc - 1 - j;
    if (eqi(opt, 'idx')) getidx = true;
    else if (eqi(opt, 'len')) getlen = true;
    else if (eqi(opt, 'withmatchlen')) withmatchlen = true;
    else if (eqi(opt, 'minmatchlen') && moreargs > 0) {
      const v = parseIntArg(argv[j + 1]);
      if (v === null) {
        c.addError(ERR_NOT_INT);
        return;
      }
      minmatchlen = v < 0 ? 0 : v;
      j++;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  if (getidx && getlen) {
    c.addError('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  const cells = (alen + 1) * w;
  if (cells * 4 > protoMaxBulkLen(c)) {
    c.addError('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  let t: Uint32Array;
  try {
    t = new Uint32Array(cells);
  } catch {
    c.addError('ERR Insufficient memory, failed allocating transient memory for LCS');
    return;
  }
  // t[i*w + j] = LCS length of a[0..i-1] and b[0..j-1]; row 0 and column 0 stay 0.
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b.charCodeAt(j - 1)) {
        t[row + j] = t[prev + j - 1] + 1;
      } else {
        const l1 = t[prev + j];
        const l2 = t[row + j - 1];
        t[row + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  const total = t[alen * w + blen];
  const computelcs = getidx || !getlen;
  if (!computelcs) {
    c.addInt(total);
    return;
  }
  // Walk back from the end, collecting the LCS bytes and the matching ranges.
  const chars: number[] = new Array<number>(total);
  let idx = total;
  const ranges: number[] = []; // aStart aEnd bStart bEnd per emitted range
  let aStart = alen; // alen means "no current range"
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const l1 = t[(i - 1) * w + j];
      const l2 = t[i * w + j - 1];
      if (l1 > l2) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minmatchlen === 0 || matchLen >= minmatchlen) ranges.push(aStart, aEnd, bStart, bEnd);
      aStart = alen;
    }
  }
  if (!getidx) {
    let s = '';
    for (let k = 0; k < total; k += 8192) s += String.fromCharCode.apply(null, chars.slice(k, k + 8192));
    c.addBulk(s);
    return;
  }
  c.addMapLen(2);
  c.addBulk('matches');
  const nr = ranges.length / 4;
  c.addArrayLen(nr);
  for (let k = 0; k < ranges.length; k += 4) {
    const as = ranges[k];
    const ae = ranges[k + 1];
    c.addArrayLen(withmatchlen ? 3 : 2);
    c.addArrayLen(2);
    c.addInt(as);
    c.addInt(ae);
    c.addArrayLen(2);
    c.addInt(ranges[k + 2]);
    c.addInt(ranges[k + 3]);
    if (withmatchlen) c.addInt(ae - as + 1);
  }
  c.addBulk('len');
  c.addInt(total);
}

// ---- the table ----------------------------------------------------------------------------

const W = ['write', 'string'];
const R = ['read', 'string'];

export const COMMANDS: CommandSpec[] = [
  cmd('get', 2, ['readonly', 'fast'], [1, 1, 1], 'string', [...R, 'fast'], getCommand, {
    since: '1.0.0',
    summary: 'Returns the string value of a key.',
    complexity: 'O(1)',
  }),
  cmd('set', -3, ['write', 'denyoom'], [1, 1, 1], 'string', [...W, 'slow'], setCommand, {
    since: '1.0.0',
    summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.',
    complexity: 'O(1)',
  }),
  cmd('setnx', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], setnxCommand, {
    since: '1.0.0',
    summary: "Set the string value of a key only when the key doesn't exist.",
    complexity: 'O(1)',
  }),
  cmd('setex', 4, ['write', 'denyoom'], [1, 1, 1], 'string', [...W, 'slow'], setexCommand, {
    since: '2.0.0',
    summary: 'Sets the string value and expiration time of a key. Creates the key if it doesn\'t exist.',
    complexity: 'O(1)',
  }),
  cmd('psetex', 4, ['write', 'denyoom'], [1, 1, 1], 'string', [...W, 'slow'], psetexCommand, {
    since: '2.6.0',
    summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
    complexity: 'O(1)',
  }),
  cmd('getset', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], getsetCommand, {
    since: '1.0.0',
    summary: 'Returns the previous string value of a key after setting it to a new value.',
    complexity: 'O(1)',
  }),
  cmd('getdel', 2, ['write', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], getdelCommand, {
    since: '6.2.0',
    summary: 'Returns the string value of a key after deleting the key.',
    complexity: 'O(1)',
  }),
  cmd('getex', -2, ['write', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], getexCommand, {
    since: '6.2.0',
    summary: 'Returns the string value of a key after setting its expiration time.',
    complexity: 'O(1)',
  }),
  cmd('mget', -2, ['readonly', 'fast'], [1, -1, 1], 'string', [...R, 'fast'], mgetCommand, {
    since: '1.0.0',
    summary: 'Atomically returns the string values of one or more keys.',
    complexity: 'O(N) where N is the number of keys to retrieve.',
  }),
  cmd('mset', -3, ['write', 'denyoom'], [1, -1, 2], 'string', [...W, 'slow'], msetCommand, {
    since: '1.0.1',
    summary: 'Atomically creates or modifies the string values of one or more keys.',
    complexity: 'O(N) where N is the number of keys to set.',
  }),
  cmd('msetnx', -3, ['write', 'denyoom'], [1, -1, 2], 'string', [...W, 'slow'], msetnxCommand, {
    since: '1.0.1',
    summary: 'Atomically modifies the string values of one or more keys only when all keys don\'t exist.',
    complexity: 'O(N) where N is the number of keys to set.',
  }),
  cmd('append', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], appendCommand, {
    since: '2.0.0',
    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
  }),
  cmd('strlen', 2, ['readonly', 'fast'], [1, 1, 1], 'string', [...R, 'fast'], strlenCommand, {
    since: '2.2.0',
    summary: 'Returns the length of a string value.',
    complexity: 'O(1)',
  }),
  cmd('incr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], incrCommand, {
    since: '1.0.0',
    summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    complexity: 'O(1)',
  }),
  cmd('decr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], decrCommand, {
    since: '1.0.0',
    summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    complexity: 'O(1)',
  }),
  cmd('incrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], incrbyCommand, {
    since: '1.0.0',
    summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    complexity: 'O(1)',
  }),
  cmd('decrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], decrbyCommand, {
    since: '1.0.0',
    summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
    complexity: 'O(1)',
  }),
  cmd('incrbyfloat', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'string', [...W, 'fast'], incrbyfloatCommand, {
    since: '2.6.0',
    summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    complexity: 'O(1)',
  }),
  cmd('setrange', 4, ['write', 'denyoom'], [1, 1, 1], 'string', [...W, 'slow'], setrangeCommand, {
    since: '2.2.0',
    summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
    complexity:
      'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
  }),
  cmd('getrange', 4, ['readonly'], [1, 1, 1], 'string', [...R, 'slow'], getrangeCommand, {
    since: '2.4.0',
    summary: 'Returns a substring of the string stored at a key.',
    complexity:
      'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.',
  }),
  cmd('substr', 4, ['readonly'], [1, 1, 1], 'string', [...R, 'slow'], getrangeCommand, {
    since: '1.0.0',
    summary: 'Returns a substring from a string value.',
    complexity:
      'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.',
  }),
  cmd('lcs', -3, ['readonly'], [1, 2, 1], 'string', [...R, 'slow'], lcsCommand, {
    since: '7.0.0',
    summary: 'Finds the longest common substring.',
    complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
  }),
];
