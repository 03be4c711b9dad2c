// Generic keyspace commands: DEL UNLINK EXISTS TYPE RENAME RENAMENX MOVE COPY TOUCH
// KEYS SCAN RANDOMKEY, the expiry commands EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL
// PTTL EXPIRETIME PEXPIRETIME PERSIST, and SORT / SORT_RO.
//
// Expiry times are absolute milliseconds. Arithmetic on them is done in doubles
// while exact (|value| < 2^53), and in bigints past that to detect the int64
// overflows Redis reports; the stored time is a double in any case.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { CLIENT_FAKE, CLIENT_NO_TOUCH } from './context.js';
import type { Database } from '../keyspace/keyspace.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../keyspace/notify.js';
import { ObjType, RObj, WRONGTYPE, typeName, type RHash, type RSet, type Value } from '../types/object.js';
import { RList } from '../types/list.js';
import type { SortedSet } from '../types/sorted-set.js';
import { compileGlob, type GlobMatcher } from '../util/glob.js';
import { INT64_MAX, INT64_MIN, parseHexFloat, parseInt64, parseIntArg } from '../util/numbers.js';

const KS_READ_FAST = ['keyspace', 'read', 'fast'];
const KS_WRITE_FAST = ['keyspace', 'write', 'fast'];

const ERR_SYNTAX = 'ERR syntax error';
const ERR_NOT_INT = 'ERR value is not an integer or out of range';
const ERR_SAME = 'ERR source and destination objects are the same';
const ERR_DB_RANGE = 'ERR DB index is out of range';

function noTouch(c: Client): boolean {
  return (c.flags & CLIENT_NO_TOUCH) !== 0;
}

/** ASCII case-insensitive comparison of an argument with a lower-case keyword. */
function eqi(arg: string, lowerWord: string): boolean {
  if (arg.length !== lowerWord.length) return false;
  if (arg === lowerWord) return true;
  for (let i = 0; i < arg.length; i++) {
    let ch = arg.charCodeAt(i);
    if (ch >= 65 && ch <= 90) ch += 32;
    if (ch !== lowerWord.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Parses a database index the way Redis's getIntFromObjectOrReply does: a C int,
 * with distinct errors for non-integers and out-of-int range values. Replies and
 * returns null on error.
 */
function parseDbIndex(c: Client, s: string): number | null {
  const v = parseIntArg(s);
  if (v === null) {
    c.addError(ERR_NOT_INT);
    return null;
  }
  if (v < -2147483648 || v > 2147483647) {
    c.addError('ERR value is out of range, value must between -2147483648 and 2147483647');
    return null;
  }
  return v;
}

// ---- deep copy (COPY, and anyone else needing an independent value) -------------------

/** An independent copy of `obj` with the LRU/LFU word `lru`; the encoding flag is kept. */
export function deepCopyValue(obj: RObj, lru: number): RObj {
  let v: Value;
  switch (obj.type) {
    case ObjType.String:
      v = obj.value as string;
      break;
    case ObjType.List:
      v = (obj.value as RList).clone();
      break;
    case ObjType.Set:
      v = new Set(obj.value as RSet);
      break;
    case ObjType.Hash:
      v = (obj.value as RHash).clone();
      break;
    case ObjType.ZSet:
      v = (obj.value as SortedSet).clone();
      break;
    default: {
      // Streams (and any later type) provide their own clone().
      const src = obj.value as unknown as { clone?: () => Value };
      if (typeof src.clone !== 'function') throw new Error(`cannot copy a value of type ${obj.type}`);
      v = src.clone();
    }
  }
  const out = new RObj(obj.type, v, lru);
  out.enc = obj.enc;
  return out;
}

// ---- DEL UNLINK EXISTS TYPE TOUCH ------------------------------------------------------

function delCommand(c: Client, argv: string[]): void {
  const db = c.db;
  // UNLINK, and DEL with lazyfree-lazy-user-del, free large values lazily (keyspace/lazyfree.ts).
  const lazy = c.cmd !== null && (c.cmd.name === 'unlink' || c.server.config.getBool('lazyfree-lazy-user-del'));
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    // A logically expired key is expired (and propagated as such) first and does not
    // count. A replica keeps expired keys until its primary's DEL, which must work.
    db.lookup(key);
    if (!(lazy ? db.deleteAsync(key) : db.delete(key))) continue;
    c.modified(key, NOTIFY_GENERIC, 'del');
    n++;
  }
  c.addInt(n);
}

function existsCommand(c: Client, argv: string[]): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.lookupRead(argv[i], true) !== undefined) n++;
  c.addInt(n);
}

function typeCommand(c: Client, argv: string[]): void {
  const o = c.db.lookupRead(argv[1], true);
  c.addSimple(o === undefined ? 'none' : typeName(o.type));
}

function touchCommand(c: Client, argv: string[]): void {
  const db = c.db;
  let n = 0;
  // TOUCH touches even under CLIENT NO-TOUCH, as in Redis.
  for (let i = 1; i < argv.length; i++) if (db.lookupRead(argv[i]) !== undefined) n++;
  c.addInt(n);
}

// ---- RENAME RENAMENX MOVE COPY ---------------------------------------------------------

function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const db = c.db;
  const src = argv[1];
  const dst = argv[2];
  const o = db.lookupWrite(src);
  if (o === undefined) {
    c.addError('ERR no such key');
    return;
  }
  if (src === dst) {
    if (nx) c.addInt(0);
    else c.addOk();
    return;
  }
  const expire = db.getExpire(src);
  if (db.lookupWrite(dst) !== undefined) {
    if (nx) {
      c.addInt(0);
      return;
    }
    db.delete(dst);
  }
  // Out of its old place first: the object carries its key name and SCAN position.
  db.delete(src);
  db.add(dst, o);
  if (expire !== -1) db.setExpire(dst, expire);
  c.modified(src, NOTIFY_GENERIC, 'rename_from');
  c.modified(dst, NOTIFY_GENERIC, 'rename_to', 0);
  if (nx) c.addInt(1);
  else c.addOk();
}

function renameCommand(c: Client, argv: string[]): void {
  renameGeneric(c, argv, false);
}

function renamenxCommand(c: Client, argv: string[]): void {
  renameGeneric(c, argv, true);
}

function moveCommand(c: Client, argv: string[]): void {
  const s = c.server;
  if (s.config.getBool('cluster-enabled')) {
    c.addError('ERR MOVE is not allowed in cluster mode');
    return;
  }
  const dbid = parseDbIndex(c, argv[2]);
  if (dbid === null) return;
  const dbs = s.ks.dbs;
  if (dbid < 0 || dbid >= dbs.length) {
    c.addError(ERR_DB_RANGE);
    return;
  }
  const src = c.db;
  const dst = dbs[dbid];
  if (src === dst) {
    c.addError(ERR_SAME);
    return;
  }
  const key = argv[1];
  const o = src.lookupWrite(key);
  if (o === undefined) {
    c.addInt(0);
    return;
  }
  const expire = src.getExpire(key);
  if (dst.lookupWrite(key) !== undefined) {
    c.addInt(0);
    return;
  }
  src.delete(key);
  dst.add(key, o);
  if (expire !== -1) dst.setExpire(key, expire);
  c.modified(key, NOTIFY_GENERIC, 'move_from', 1, src);
  c.modified(key, NOTIFY_GENERIC, 'move_to', 0, dst);
  c.addInt(1);
}

function copyCommand(c: Client, argv: string[]): void {
  const s = c.server;
  const src = c.db;
  let dst: Database = src;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j];
    if (eqi(a, 'replace')) {
      replace = true;
    } else if (eqi(a, 'db') && j + 1 < argv.length) {
      const dbid = parseDbIndex(c, argv[j + 1]);
      if (dbid === null) return;
      // In cluster mode only database 0 can be selected.
      if (dbid < 0 || dbid >= s.ks.dbs.length || (dbid !== 0 && s.config.getBool('cluster-enabled'))) {
        c.addError(ERR_DB_RANGE);
        return;
      }
      dst = s.ks.dbs[dbid];
      j++;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  const key = argv[1];
  const newkey = argv[2];
  if (src === dst && key === newkey) {
    c.addError(ERR_SAME);
    return;
  }
  const o = src.lookupRead(key, noTouch(c));
  if (o === undefined) {
    c.addInt(0);
    return;
  }
  const expire = src.getExpire(key);
  let del = false;
  if (dst.lookupWrite(newkey) !== undefined) {
    if (!replace) {
      c.addInt(0);
      return;
    }
    del = true;
  }
  const copy = deepCopyValue(o, s.ks.initialLru());
  if (del) dst.delete(newkey);
  dst.add(newkey, copy);
  if (expire !== -1) dst.setExpire(newkey, expire);
  c.modified(newkey, NOTIFY_GENERIC, 'copy_to', 1, dst);
  c.addInt(1);
}

// ---- KEYS SCAN RANDOMKEY ---------------------------------------------------------------

function keysCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const pattern = argv[1];
  const all = pattern === '*';
  const match: GlobMatcher | null = all ? null : compileGlob(pattern);
  const out: string[] = [];
  const checkTtl = db.expires.size !== 0;
  for (const k of db.dict.keys()) {
    if (match !== null && !match(k)) continue;
    if (checkTtl && db.isExpired(k)) continue;
    out.push(k);
  }
  c.addBulkArray(out);
}

/** Cursor parsing as Redis does it: strtoul base 10, no leading space, whole string. */
function parseScanCursor(s: string): number {
  let end = s.indexOf('\0');
  if (end === -1) end = s.length;
  if (end === 0) return 0; // strtoul("") converts nothing but leaves eptr at the end
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return -1;
  let neg = false;
  if (c0 === 43 /* + */ || c0 === 45 /* - */) {
    neg = c0 === 45;
    i = 1;
  }
  if (i === end) return -1;
  let v = 0;
  let big: bigint | null = null;
  for (let j = i; j < end; j++) {
    const d = s.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return -1;
    if (big === null) {
      v = v * 10 + d;
      if (v > 1e15) big = BigInt(s.slice(i, j + 1));
    } else {
      big = big * 10n + BigInt(d);
      if (big > 18446744073709551615n) return -1;
    }
  }
  if (big !== null) v = Number(big);
  // strtoul negates in unsigned arithmetic: "-5" is 2^64-5, far past any position.
  if (neg && v !== 0) return 18446744073709551615 - v + 1;
  return v;
}

const scanBuf: string[] = [];
function scanVisit(key: string): void {
  scanBuf.push(key);
}

function scanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[1]);
  if (cursor < 0) {
    c.addError('ERR invalid cursor');
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  let typeArg: string | null = null;
  for (let i = 2; i < argv.length; ) {
    const a = argv[i];
    const left = argv.length - i;
    if (eqi(a, 'count') && left >= 2) {
      const n = parseIntArg(argv[i + 1]);
      if (n === null) {
        c.addError(ERR_NOT_INT);
        return;
      }
      if (n < 1) {
        c.addError(ERR_SYNTAX);
        return;
      }
      count = n;
      i += 2;
    } else if (eqi(a, 'match') && left >= 2) {
      pattern = argv[i + 1];
      i += 2;
    } else if (eqi(a, 'type') && left >= 2) {
      typeArg = argv[i + 1];
      i += 2;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  const match: GlobMatcher | null = pattern === null || pattern === '*' ? null : compileGlob(pattern);
  // An unknown type name filters out every key (Redis 7.2 does not reject it).
  let wantType = -2;
  if (typeArg !== null) {
    const t = typeArg.toLowerCase();
    wantType =
      t === 'string' ? ObjType.String
      : t === 'list' ? ObjType.List
      : t === 'set' ? ObjType.Set
      : t === 'zset' ? ObjType.ZSet
      : t === 'hash' ? ObjType.Hash
      : t === 'stream' ? ObjType.Stream
      : -1;
  }
  const db = c.db;
  scanBuf.length = 0;
  const next = db.scan(Math.min(cursor, Number.MAX_SAFE_INTEGER), Math.min(count, 1 << 30), scanVisit);
  // Filter after the walk: expiring keys while walking would move the positions under it.
  let n = 0;
  for (let i = 0; i < scanBuf.length; i++) {
    const k = scanBuf[i];
    if (match !== null && !match(k)) continue;
    const o = db.lookup(k); // deletes the key when it is logically expired
    if (o === undefined) continue;
    if (wantType !== -2 && o.type !== wantType) continue;
    scanBuf[n++] = k;
  }
  scanBuf.length = n;
  c.addArrayLen(2);
  c.addBulk(String(next));
  c.addBulkArray(scanBuf);
  scanBuf.length = 0;
}

function randomkeyCommand(c: Client): void {
  const db = c.db;
  const replica = c.server.ks.isReplica;
  const allVolatile = db.expires.size === db.dict.size;
  let maxTries = 100;
  for (;;) {
    const k = db.randomKey();
    if (k === undefined) {
      c.addNull();
      return;
    }
    if (db.expires.size !== 0 && db.isExpired(k)) {
      // A replica cannot delete expired keys: it gives up on an all-volatile
      // database (as Redis does) and, as a safety bound, after many attempts.
      if (replica) {
        if (--maxTries === 0 && allVolatile) {
          c.addBulk(k);
          return;
        }
        if (maxTries < -10000) {
          c.addBulk(k);
          return;
        }
        continue;
      }
      db.lookup(k); // expires it
      continue;
    }
    c.addBulk(k);
    return;
  }
}

// ---- expiry ----------------------------------------------------------------------------

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;
const LLONG_MAX_DIV_1000 = INT64_MAX / 1000n;
const LLONG_MIN_DIV_1000 = INT64_MIN / 1000n;

function expireGeneric(c: Client, argv: string[], relative: boolean, seconds: boolean): void {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const o = argv[j];
    if (eqi(o, 'nx')) flags |= EXPIRE_NX;
    else if (eqi(o, 'xx')) flags |= EXPIRE_XX;
    else if (eqi(o, 'gt')) flags |= EXPIRE_GT;
    else if (eqi(o, 'lt')) flags |= EXPIRE_LT;
    else {
      c.addError(`ERR Unsupported option ${o}`);
      return;
    }
  }
  if ((flags & EXPIRE_NX) !== 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) !== 0) {
    c.addError('ERR NX and XX, GT or LT options at the same time are not compatible');
    return;
  }
  if ((flags & (EXPIRE_GT | EXPIRE_LT)) === (EXPIRE_GT | EXPIRE_LT)) {
    c.addError('ERR GT and LT options at the same time are not compatible');
    return;
  }
  const arg = argv[2];
  const ks = c.server.ks;
  const basetime = relative ? ks.now : 0;
  let when: number;
  let whenText: string | null = null;
  if (arg.length <= 12) {
    // |value| < 10^12: every step below is exact in a double.
    const v = parseIntArg(arg);
    if (v === null) {
      c.addError(ERR_NOT_INT);
      return;
    }
    when = (seconds ? v * 1000 : v) + basetime;
  } else {
    let v = parseInt64(arg);
    if (v === null) {
      c.addError(ERR_NOT_INT);
      return;
    }
    if (seconds) {
      if (v > LLONG_MAX_DIV_1000 || v < LLONG_MIN_DIV_1000) {
        c.addError(`ERR invalid expire time in '${c.cmd ? c.cmd.name : argv[0].toLowerCase()}' command`);
        return;
      }
      v *= 1000n;
    }
    const base = BigInt(basetime);
    if (v > INT64_MAX - base) {
      c.addError(`ERR invalid expire time in '${c.cmd ? c.cmd.name : argv[0].toLowerCase()}' command`);
      return;
    }
    v += base;
    when = Number(v);
    whenText = v.toString();
  }
  const db = c.db;
  const key = argv[1];
  if (db.lookupWrite(key) === undefined) {
    c.addInt(0);
    return;
  }
  if (flags !== 0) {
    const cur = db.getExpire(key);
    if ((flags & EXPIRE_NX) !== 0 && cur !== -1) {
      c.addInt(0);
      return;
    }
    if ((flags & EXPIRE_XX) !== 0 && cur === -1) {
      c.addInt(0);
      return;
    }
    if ((flags & EXPIRE_GT) !== 0 && (cur === -1 || when <= cur)) {
      c.addInt(0);
      return;
    }
    if ((flags & EXPIRE_LT) !== 0 && cur !== -1 && when >= cur) {
      c.addInt(0);
      return;
    }
  }
  if (when <= ks.now && !ks.isReplica) {
    db.delete(key);
    c.rewriteArgv([c.server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
    c.modified(key, NOTIFY_GENERIC, 'del');
    c.addInt(1);
    return;
  }
  db.setExpire(key, when);
  c.addInt(1);
  // Propagate as PEXPIREAT with the absolute time (the option words are kept).
  if (relative || seconds) {
    const p = argv.slice();
    p[0] = 'PEXPIREAT';
    p[2] = whenText ?? String(when);
    c.rewriteArgv(p);
  }
  c.modified(key, NOTIFY_GENERIC, 'expire');
}

function expireCommand(c: Client, argv: string[]): void {
  expireGeneric(c, argv, true, true);
}
function pexpireCommand(c: Client, argv: string[]): void {
  expireGeneric(c, argv, true, false);
}
function expireatCommand(c: Client, argv: string[]): void {
  expireGeneric(c, argv, false, true);
}
function pexpireatCommand(c: Client, argv: string[]): void {
  expireGeneric(c, argv, false, false);
}

/** TTL family: `abs` for the absolute time, `ms` for milliseconds. */
function ttlGeneric(c: Client, key: string, ms: boolean, abs: boolean): void {
  const db = c.db;
  if (db.lookupRead(key, true) === undefined) {
    c.addInt(-2);
    return;
  }
  const expire = db.getExpire(key);
  if (expire === -1) {
    c.addInt(-1);
    return;
  }
  if (expire > Number.MAX_SAFE_INTEGER) {
    // Far-future times (stored as doubles): integer arithmetic on the stored value.
    let big = BigInt(expire);
    if (!abs) big -= BigInt(c.server.ks.now);
    c.addInt(ms ? big : (big + 500n) / 1000n);
    return;
  }
  let ttl = abs ? expire : expire - c.server.ks.now;
  if (ttl < 0) ttl = 0;
  c.addInt(ms ? ttl : Math.trunc((ttl + 500) / 1000));
}

function ttlCommand(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], false, false);
}
function pttlCommand(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], true, false);
}
function expiretimeCommand(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], false, true);
}
function pexpiretimeCommand(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], true, true);
}

function persistCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  if (db.lookupWrite(key) !== undefined && db.removeExpire(key)) {
    c.modified(key, NOTIFY_GENERIC, 'persist');
    c.addInt(1);
  } else {
    c.addInt(0);
  }
}

// ---- SORT ------------------------------------------------------------------------------

/** A BY / GET pattern, parsed once per command (Redis reads it as a C string). */
interface SortPattern {
  /** 0: "#" (the element itself), 1: no '*' (never finds anything), 2: key pattern. */
  kind: 0 | 1 | 2;
  prefix: string;
  postfix: string;
  /** Hash field after "->", or null for a string key. */
  field: string | null;
}

function parseSortPattern(p: string): SortPattern {
  let cend = p.indexOf('\0');
  if (cend === -1) cend = p.length;
  if (cend === 1 && p.charCodeAt(0) === 35 /* # */) return { kind: 0, prefix: '', postfix: '', field: null };
  const star = p.indexOf('*');
  if (star === -1 || star >= cend) return { kind: 1, prefix: '', postfix: '', field: null };
  const arrow = p.indexOf('->', star + 1);
  // The field must be non-empty as a C string: "->" at the end (or before a NUL) is literal.
  if (arrow !== -1 && arrow + 2 <= cend - 1) {
    return { kind: 2, prefix: p.slice(0, star), postfix: p.slice(star + 1, arrow), field: p.slice(arrow + 2) };
  }
  return { kind: 2, prefix: p.slice(0, star), postfix: p.slice(star + 1), field: null };
}

/** Redis's lookupKeyByPattern: the string (or hash field) the pattern names for `elem`. */
function lookupByPattern(c: Client, pat: SortPattern, elem: string, nt: boolean): string | null {
  if (pat.kind === 0) return elem;
  if (pat.kind === 1) return null;
  const o = c.db.lookupRead(pat.prefix + elem + pat.postfix, nt);
  if (o === undefined) return null;
  if (pat.field !== null) {
    if (o.type !== ObjType.Hash) return null;
    const v = (o.value as RHash).get(pat.field);
    return v === undefined ? null : v;
  }
  return o.type === ObjType.String ? (o.value as string) : null;
}

const STRTOD_DEC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const STRTOD_INF = /^[+-]?inf(?:inity)?$/i;
const STRTOD_ZERO = /^[+-]?(?:0[xX])?[0.]*(?:[eEpP].*)?$/;

/**
 * A sort score as SORT reads it with strtod: leading white space allowed, the whole
 * string (up to a NUL) must be consumed, and NaN, overflow and underflow are errors.
 * The empty string is 0. Returns null on a conversion error.
 */
function sortScore(s: string): number | null {
  let i = 0;
  const n = s.length;
  while (i < n) {
    const ch = s.charCodeAt(i);
    if (ch === 32 || (ch >= 9 && ch <= 13)) i++;
    else break;
  }
  let end = s.indexOf('\0', i);
  if (end === -1) end = n;
  if (i === 0 && end === 0) return 0;
  const t = i === 0 && end === n ? s : s.slice(i, end);
  if (t.length === 0) return null; // only white space: strtod converts nothing
  let v: number;
  if (STRTOD_DEC.test(t)) {
    v = Number(t);
  } else if (STRTOD_INF.test(t)) {
    return t.charCodeAt(0) === 45 ? -Infinity : Infinity;
  } else {
    const h = parseHexFloat(t);
    if (h === null) return null;
    v = h;
  }
  if (!Number.isFinite(v)) return null; // ERANGE overflow
  if (v === 0) return STRTOD_ZERO.test(t) ? 0 : null; // underflow to zero
  if (Math.abs(v) < 2.2250738585072014e-308) return null; // subnormal: glibc sets ERANGE
  return v;
}

interface SortItem {
  e: string;
  score: number;
  cmp: string | null;
}

/** strcmp on C strings (stops at a NUL), as strcoll in the C locale. */
function cstrcmp(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < y ? -1 : 1;
    if (x === 0) return 0;
  }
  if (a.length === b.length) return 0;
  // The shorter string ends: equal when the longer one has a NUL next.
  if (a.length < b.length) return b.charCodeAt(n) === 0 ? 0 : -1;
  return a.charCodeAt(n) === 0 ? 0 : 1;
}

function bincmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

let sortDesc = false;
let sortStore = false;
function cmpNumeric(x: SortItem, y: SortItem): number {
  const r = x.score > y.score ? 1 : x.score < y.score ? -1 : bincmp(x.e, y.e);
  return sortDesc ? -r : r;
}
function cmpAlpha(x: SortItem, y: SortItem): number {
  const r = sortStore ? bincmp(x.e, y.e) : cstrcmp(x.e, y.e);
  return sortDesc ? -r : r;
}
function cmpAlphaBy(x: SortItem, y: SortItem): number {
  let r: number;
  if (x.cmp === null || y.cmp === null) r = x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1;
  else r = sortStore ? bincmp(x.cmp, y.cmp) : cstrcmp(x.cmp, y.cmp);
  return sortDesc ? -r : r;
}

function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let storeKey: string | null = null;
  let sortBy: string | null = null;
  let dontsort = false;
  const getops: SortPattern[] = [];
  const cluster = c.server.config.getBool('cluster-enabled');
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (eqi(a, 'asc')) {
      desc = false;
    } else if (eqi(a, 'desc')) {
      desc = true;
    } else if (eqi(a, 'alpha')) {
      alpha = true;
    } else if (eqi(a, 'limit') && left >= 2) {
      const s = parseIntArg(argv[j + 1]);
      const n = s === null ? null : parseIntArg(argv[j + 2]);
      if (s === null || n === null) {
        c.addError(ERR_NOT_INT);
        return;
      }
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && eqi(a, 'store') && left >= 1) {
      storeKey = argv[j + 1];
      j++;
    } else if (eqi(a, 'by') && left >= 1) {
      sortBy = argv[j + 1];
      const nul = sortBy.indexOf('\0');
      const star = sortBy.indexOf('*');
      if (star === -1 || (nul !== -1 && nul < star)) {
        dontsort = true;
      } else if (cluster) {
        c.addError('ERR BY option of SORT denied in Cluster mode.');
        return;
      }
      j++;
    } else if (eqi(a, 'get') && left >= 1) {
      if (cluster) {
        c.addError('ERR GET option of SORT denied in Cluster mode.');
        return;
      }
      getops.push(parseSortPattern(argv[j + 1]));
      j++;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }

  const db = c.db;
  const nt = noTouch(c);
  const o = db.lookupRead(argv[1], nt);
  if (o !== undefined && o.type !== ObjType.List && o.type !== ObjType.Set && o.type !== ObjType.ZSet) {
    c.addError(WRONGTYPE);
    return;
  }
  const type = o === undefined ? ObjType.List : o.type;

  // A set has no order of its own: when the result is stored (and replayed by
  // replicas) or computed by a script, sort it anyway.
  if (dontsort && type === ObjType.Set && (storeKey !== null || (c.flags & CLIENT_FAKE) !== 0)) {
    dontsort = false;
    alpha = true;
    sortBy = null;
  }

  let vectorlen = 0;
  if (o !== undefined) {
    vectorlen = type === ObjType.List ? (o.value as RList).length : type === ObjType.Set ? (o.value as RSet).size : (o.value as SortedSet).size;
  }
  let start = Math.min(Math.max(limitStart, 0), vectorlen);
  const count = Math.min(Math.max(limitCount, -1), vectorlen);
  let end = count < 0 ? vectorlen : start + count;
  if (end > vectorlen) end = vectorlen;

  // The elements to sort (or, with nothing to sort, the ones to output).
  let elems: string[];
  if (o === undefined) {
    elems = [];
  } else if (type === ObjType.List) {
    const list = o.value as RList;
    if (dontsort) {
      if (desc) {
        elems = list.range(vectorlen - end, vectorlen - start - 1);
        elems.reverse();
      } else {
        elems = list.range(start, end - 1);
      }
      end -= start;
      start = 0;
    } else {
      elems = list.toArray();
    }
  } else if (type === ObjType.Set) {
    elems = Array.from(o.value as RSet);
  } else {
    const zs = o.value as SortedSet;
    if (dontsort) {
      const range = end > start ? zs.rangeByRank(start, end - 1, desc) : [];
      elems = new Array<string>(range.length);
      for (let i = 0; i < range.length; i++) elems[i] = range[i][0];
      end -= start;
      start = 0;
    } else {
      elems = Array.from(zs.members());
    }
  }

  let conversionError = false;
  if (!dontsort) {
    const byPat = sortBy !== null ? parseSortPattern(sortBy) : null;
    const items: SortItem[] = new Array<SortItem>(elems.length);
    for (let j = 0; j < elems.length; j++) {
      const e = elems[j];
      const it: SortItem = { e, score: 0, cmp: null };
      items[j] = it;
      let byval: string | null;
      if (byPat !== null) {
        byval = lookupByPattern(c, byPat, e, nt);
        if (byval === null) continue;
      } else {
        byval = e;
      }
      if (alpha) {
        if (byPat !== null) it.cmp = byval;
      } else {
        const sc = sortScore(byval);
        if (sc === null) conversionError = true;
        else it.score = sc;
      }
    }
    sortDesc = desc;
    sortStore = storeKey !== null;
    items.sort(!alpha ? cmpNumeric : byPat !== null ? cmpAlphaBy : cmpAlpha);
    for (let j = 0; j < items.length; j++) elems[j] = items[j].e;
  }

  const nget = getops.length;
  const outputlen = nget !== 0 ? nget * (end - start) : end - start;
  if (conversionError) {
    c.addError("ERR One or more scores can't be converted into double");
    return;
  }
  if (storeKey === null) {
    if (nget === 0) {
      c.addBulkArray(start === 0 && end === elems.length ? elems : elems.slice(start, end));
      return;
    }
    c.addArrayLen(outputlen);
    for (let j = start; j < end; j++) {
      for (let g = 0; g < nget; g++) c.addBulkOrNull(lookupByPattern(c, getops[g], elems[j], nt));
    }
    return;
  }
  const list = new RList();
  for (let j = start; j < end; j++) {
    if (nget === 0) {
      list.pushTail(elems[j]);
    } else {
      for (let g = 0; g < nget; g++) {
        const v = lookupByPattern(c, getops[g], elems[j], nt);
        list.pushTail(v === null ? '' : v);
      }
    }
  }
  if (outputlen !== 0) {
    list.updateEncoding(c.server.config.getNumber('list-max-listpack-size'), 'grow');
    db.lookupWrite(storeKey); // an expired destination is expired first, as setKey does
    db.set(storeKey, new RObj(ObjType.List, list, c.server.ks.initialLru()));
    c.modified(storeKey, NOTIFY_LIST, 'sortstore', outputlen);
  } else if (db.delete(storeKey)) {
    c.modified(storeKey, NOTIFY_GENERIC, 'del');
  }
  c.addInt(outputlen);
}

function sortCommand(c: Client, argv: string[]): void {
  sortGeneric(c, argv, false);
}

function sortRoCommand(c: Client, argv: string[]): void {
  sortGeneric(c, argv, true);
}

// ---- the table -------------------------------------------------------------------------

export const COMMANDS: CommandSpec[] = [
  cmd('del', -2, ['write'], [1, -1, 1], 'generic', ['keyspace', 'write', 'slow'], delCommand, { summary: 'Deletes one or more keys.' }),
  cmd('unlink', -2, ['write', 'fast'], [1, -1, 1], 'generic', KS_WRITE_FAST, delCommand, {
    since: '4.0.0',
    summary: 'Asynchronously deletes one or more keys.',
  }),
  cmd('exists', -2, ['readonly', 'fast'], [1, -1, 1], 'generic', KS_READ_FAST, existsCommand, { summary: 'Determines whether one or more keys exist.' }),
  cmd('type', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', KS_READ_FAST, typeCommand, { summary: 'Determines the type of value stored at a key.' }),
  cmd('touch', -2, ['readonly', 'fast'], [1, -1, 1], 'generic', KS_READ_FAST, touchCommand, {
    since: '3.2.1',
    summary: 'Returns the number of existing keys out of those specified after updating the time they were last accessed.',
  }),
  cmd('rename', 3, ['write'], [1, 2, 1], 'generic', ['keyspace', 'write', 'slow'], renameCommand, { summary: 'Renames a key and overwrites the destination.' }),
  cmd('renamenx', 3, ['write', 'fast'], [1, 2, 1], 'generic', KS_WRITE_FAST, renamenxCommand, { summary: 'Renames a key only when the target key name doesn\'t exist.' }),
  cmd('move', 3, ['write', 'fast'], [1, 1, 1], 'generic', KS_WRITE_FAST, moveCommand, { summary: 'Moves a key to another database.' }),
  cmd('copy', -3, ['write', 'denyoom'], [1, 2, 1], 'generic', ['keyspace', 'write', 'slow'], copyCommand, {
    since: '6.2.0',
    summary: 'Copies the value of a key to a new key.',
  }),
  cmd('keys', 2, ['readonly'], [0, 0, 0], 'generic', ['keyspace', 'read', 'slow', 'dangerous'], keysCommand, { summary: 'Returns all key names that match a pattern.' }),
  cmd('scan', -2, ['readonly'], [0, 0, 0], 'generic', ['keyspace', 'read', 'slow'], scanCommand, {
    since: '2.8.0',
    summary: 'Iterates over the key names in the database.',
  }),
  cmd('randomkey', 1, ['readonly'], [0, 0, 0], 'generic', ['keyspace', 'read', 'slow'], randomkeyCommand, { summary: 'Returns a random key name from the database.' }),
  cmd('expire', -3, ['write', 'fast'], [1, 1, 1], 'generic', KS_WRITE_FAST, expireCommand, { summary: "Sets the expiration time of a key in seconds." }),
  cmd('pexpire', -3, ['write', 'fast'], [1, 1, 1], 'generic', KS_WRITE_FAST, pexpireCommand, {
    since: '2.6.0',
    summary: 'Sets the expiration time of a key in milliseconds.',
  }),
  cmd('expireat', -3, ['write', 'fast'], [1, 1, 1], 'generic', KS_WRITE_FAST, expireatCommand, {
    since: '1.2.0',
    summary: 'Sets the expiration time of a key to a Unix timestamp.',
  }),
  cmd('pexpireat', -3, ['write', 'fast'], [1, 1, 1], 'generic', KS_WRITE_FAST, pexpireatCommand, {
    since: '2.6.0',
    summary: 'Sets the expiration time of a key to a Unix milliseconds timestamp.',
  }),
  cmd('ttl', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', KS_READ_FAST, ttlCommand, { summary: 'Returns the expiration time in seconds of a key.' }),
  cmd('pttl', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', KS_READ_FAST, pttlCommand, {
    since: '2.6.0',
    summary: 'Returns the expiration time in milliseconds of a key.',
  }),
  cmd('expiretime', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', KS_READ_FAST, expiretimeCommand, {
    since: '7.0.0',
    summary: 'Returns the expiration time of a key as a Unix timestamp.',
  }),
  cmd('pexpiretime', 2, ['readonly', 'fast'], [1, 1, 1], 'generic', KS_READ_FAST, pexpiretimeCommand, {
    since: '7.0.0',
    summary: 'Returns the expiration time of a key as a Unix milliseconds timestamp.',
  }),
  cmd('persist', 2, ['write', 'fast'], [1, 1, 1], 'generic', KS_WRITE_FAST, persistCommand, {
    since: '2.2.0',
    summary: 'Removes the expiration time of a key.',
  }),
  cmd('sort', -2, ['write', 'denyoom'], [1, 1, 1], 'generic', ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'], sortCommand, {
    summary: 'Sorts the elements in a list, a set, or a sorted set, optionally storing the result.',
  }),
  cmd('sort_ro', -2, ['readonly'], [1, 1, 1], 'generic', ['read', 'set', 'sortedset', 'list', 'slow', 'dangerous'], sortRoCommand, {
    since: '7.0.0',
    summary: 'Returns the sorted elements of a list, a set, or a sorted set.',
  }),
];
