// Sorted set commands: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT
// ZLEXCOUNT ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
// ZREVRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZUNION ZINTER ZDIFF
// ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD ZRANDMEMBER ZPOPMIN ZPOPMAX ZMPOP
// BZPOPMIN BZPOPMAX BZMPOP ZSCAN.
//
// The value is a SortedSet (types/sorted-set.ts). RObj.enc follows Redis 7.2's
// encoding, which never goes back from skiplist to listpack (a listpack set uses the
// SortedSet's compact representation; converting to skiplist calls toIndexed(); the
// rules are in types/encoding.ts, given the server's encodingLimits):
//   - ZADD/ZINCRBY creating a key: skiplist when the number of score/member pairs
//     given exceeds zset-max-listpack-entries or a member is longer than
//     zset-max-listpack-value (zsetTypeCreate); on an existing listpack, more pairs
//     than zset-max-listpack-entries convert it first (zsetTypeMaybeConvert);
//   - adding a member longer than zset-max-listpack-value, or growing past
//     zset-max-listpack-entries, converts;
//   - *STORE results are listpack when they have at most zset-max-listpack-entries
//     members, none longer than zset-max-listpack-value.
// A listpack stores scores as text printed the way Redis prints a double stored in a
// listpack, which turns -0 into 0: scores stored into a listpack set are normalized
// the same way, so ZSCORE answers "0" there and "-0" for a skiplist, as Redis does.
//
// ZSCAN of a listpack set returns everything at once with cursor 0 (as Redis does);
// a skiplist set is walked through a ScanIndex (scan-util.ts) kept in step by every
// change made here (zsAdd / zsRemove / the range removals and pops).
//
// Blocking pops (BZPOPMIN, BZPOPMAX, BZMPOP) block through c.block; the server runs
// the handler again with the same argv when a key becomes ready. The deadline is
// computed at the first execution and kept for that argv (firstBlock). A served
// BZPOPMIN propagates as ZPOPMIN key, a served ZMPOP/BZMPOP as ZPOPMIN|ZPOPMAX key
// count, as Redis does.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { CLIENT_NO_TOUCH } from './context.js';
import { ENC_BIG, ENC_COMPACT, ObjType, RObj, WRONGTYPE, type RSet } from '../types/object.js';
import {
  SortedSet,
  parseLexRange,
  parseScoreRange,
  type LexRange,
  type ScoreRange,
} from '../types/sorted-set.js';
import {
  zsetAddNeedsSkiplist,
  zsetCreateNeedsSkiplist,
  zsetEntriesNeedSkiplist,
  zsetHintNeedsSkiplist,
  zsetToSkiplist,
  type EncodingLimits,
} from '../types/encoding.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../keyspace/notify.js';
import { formatDouble, parseDouble, parseInt64, parseIntArg } from '../util/numbers.js';
import { blockDeadline, blockServed, distinctKeys, parseTimeout } from './blocking-util.js';
import { ScanIndex, addScanReply, parseScanCursor, parseScanOptions } from './scan-util.js';
import { MAX_RANDOM_REPLY_BYTES, parseRandomCount } from './hashes.js';
import {
  MISS_NULL,
  MISS_ZERO,
  MISS_EMPTY_ARRAY,
  MISS_EMPTY_SCAN,
  lookupRead,
  lookupReadOrReply,
  lookupWrite,
  lookupWriteOrReply,
} from './lookup.js';

const ERR_SYNTAX = 'ERR syntax error';
const ERR_NOT_INT = 'ERR value is not an integer or out of range';
const ERR_NOT_FLOAT = 'ERR value is not a valid float';
const ERR_NAN = 'ERR resulting score is not a number (NaN)';
const ERR_MINMAX_FLOAT = 'ERR min or max is not a float';
const ERR_MINMAX_LEX = 'ERR min or max not valid string range item';
const ERR_WEIGHT = 'ERR weight value is not a float';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT = 'ERR count should be greater than 0';

// ---- encoding (the rules are in types/encoding.ts) -----------------------------------

export { zsetEncoding } from '../types/encoding.js';

// ---- member changes (keep the scan index in step) --------------------------------------

const SCAN_INDEXES = new WeakMap<SortedSet, ScanIndex>();

/** The scan index of a set, built (or rebuilt when out of step) on demand. */
function scanIndexOf(zs: SortedSet): ScanIndex {
  let ix = SCAN_INDEXES.get(zs);
  if (ix === undefined || ix.size !== zs.size) {
    ix = new ScanIndex(zs.members());
    SCAN_INDEXES.set(zs, ix);
  }
  return ix;
}

/**
 * Stores member/score into the set of `obj`, converting the encoding as Redis's
 * zsetAdd does. `cur` is the member's current score, just looked up (undefined:
 * the member is new).
 */
function zsStore(obj: RObj, zs: SortedSet, member: string, score: number, cur: number | undefined, lim: EncodingLimits): void {
  if (obj.enc !== ENC_BIG) {
    if (cur === undefined && zsetAddNeedsSkiplist(zs.size, member, lim)) zsetToSkiplist(obj, zs);
    else if (score === 0) score = 0; // a listpack stores -0 as "0"
  }
  if (cur !== undefined) {
    zs.rescore(member, cur, score);
    return;
  }
  zs.insertNew(member, score);
  const ix = SCAN_INDEXES.get(zs);
  if (ix !== undefined) ix.add(member);
}

function zsRemove(zs: SortedSet, member: string): boolean {
  if (!zs.remove(member)) return false;
  const ix = SCAN_INDEXES.get(zs);
  if (ix !== undefined) ix.remove(member);
  return true;
}

/** Drops popped/removed members from the scan index, if the set has one. */
function unindex(zs: SortedSet, removed: Array<[string, number]>): void {
  const ix = SCAN_INDEXES.get(zs);
  if (ix === undefined) return;
  for (let i = 0; i < removed.length; i++) ix.remove(removed[i][0]);
}

/** Builds a new sorted set object from entries in any order (sorted in place), with its encoding. */
function buildZset(c: Client, entries: Array<[string, number]>): RObj {
  const big = zsetEntriesNeedSkiplist(entries, c.server.encodingLimits);
  // TimSort makes sorting an already ordered or reversed range linear.
  entries.sort(compareEntries);
  if (!big) {
    for (let i = 0; i < entries.length; i++) if (entries[i][1] === 0) entries[i][1] = 0; // -0 as "0"
  }
  const zs = SortedSet.fromSorted(entries, big);
  const obj = new RObj(ObjType.ZSet, zs, c.server.ks.initialLru());
  obj.enc = big ? ENC_BIG : ENC_COMPACT;
  return obj;
}

/** After members were removed: deletes the key (with a del event) when it became empty. */
function deleteIfEmpty(c: Client, key: string, zs: SortedSet): boolean {
  if (zs.size !== 0) return false;
  c.db.delete(key);
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.db.id);
  return true;
}

/**
 * Stores a computed result at `dst` (the *STORE commands): the key is replaced
 * (TTL dropped) when the result is not empty, deleted otherwise. Replies the size.
 */
export function storeResult(c: Client, dst: string, entries: Array<[string, number]>, event: string, dirty = 1): void {
  if (entries.length > 0) {
    c.db.set(dst, buildZset(c, entries));
    c.modified(dst, NOTIFY_ZSET, event, dirty);
  } else if (c.db.delete(dst)) {
    c.modified(dst, NOTIFY_GENERIC, 'del');
  }
  c.addInt(entries.length);
}

// ---- small helpers -----------------------------------------------------------------------

function readKey(c: Client, key: string): RObj | undefined {
  return c.db.lookupRead(key, (c.flags & CLIENT_NO_TOUCH) !== 0);
}

/** Case-insensitive comparison with a lower-case word. */
function eqWord(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

function doubleText(c: Client, v: number): string {
  const s = formatDouble(v);
  return c.resp === 3 ? ',' + s + '\r\n' : '$' + s.length + '\r\n' + s + '\r\n';
}

/**
 * Writes a list of elements: members only, or with scores (a flat member/score
 * array in RESP2, an array of [member, score] pairs in RESP3).
 */
function addEntries(c: Client, entries: Array<[string, number]>, withScores: boolean): void {
  const n = entries.length;
  let s: string;
  if (!withScores) {
    s = '*' + n + '\r\n';
    for (let i = 0; i < n; i++) s += bulk(entries[i][0]);
  } else if (c.resp === 3) {
    s = '*' + n + '\r\n';
    for (let i = 0; i < n; i++) s += '*2\r\n' + bulk(entries[i][0]) + ',' + formatDouble(entries[i][1]) + '\r\n';
  } else {
    s = '*' + 2 * n + '\r\n';
    for (let i = 0; i < n; i++) {
      const d = formatDouble(entries[i][1]);
      s += bulk(entries[i][0]) + '$' + d.length + '\r\n' + d + '\r\n';
    }
  }
  c.write(s);
}

/** Orders entries as a sorted set does: by score, then member bytes. */
function compareEntries(a: [string, number], b: [string, number]): number {
  if (a[1] < b[1]) return -1;
  if (a[1] > b[1]) return 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/**
 * A score, weight or increment as Redis's string2d reads it: the whole string is a
 * float for strtod, no leading space, not NaN, and no overflow to +/-inf or
 * underflow to zero (strtod's ERANGE). Returns null when invalid.
 */
function parseScore(s: string): number | null {
  const v = parseDouble(s);
  if (v === null) return null;
  if (v === Infinity || v === -Infinity) {
    // Only the literal inf/infinity; a finite literal that overflowed is ERANGE.
    const c0 = s.charCodeAt(0);
    const i = c0 === 43 || c0 === 45 ? 1 : 0;
    return (s.charCodeAt(i) | 32) === 105 /* i */ ? v : null;
  }
  if (v === 0 && mantissaNonZero(s)) return null; // underflow to zero
  return v;
}

/** True when the mantissa of a valid float literal has a non-zero digit. */
function mantissaNonZero(s: string): boolean {
  let i = 0;
  const n = s.length;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) i = 1;
  let hex = false;
  if (i + 1 < n && s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    hex = true;
    i += 2;
  }
  for (; i < n; i++) {
    const ch = s.charCodeAt(i) | 32;
    if (ch === 46 /* . */) continue;
    if (!hex && ch === 101 /* e */) break;
    if (hex && ch === 112 /* p */) break;
    if (ch !== 48) return true;
  }
  return false;
}

/**
 * A ZRANGEBYSCORE bound as Redis's zslParseRange reads it: strtod over a C string,
 * so the argument ends at a NUL byte, leading white space is skipped, and an empty
 * bound ("" or "(") is 0. parseScoreRange (sorted-set.ts) is stricter; the rare
 * arguments where that matters are rewritten here before calling it.
 */
function cScoreBound(a: string): string {
  const n = a.length;
  const start = n > 0 && a.charCodeAt(0) === 40 /* ( */ ? 1 : 0;
  if (n > start && !isSpace(a.charCodeAt(start)) && a.indexOf('\0') === -1) return a;
  let s = a.slice(start);
  const nul = s.indexOf('\0');
  if (nul !== -1) s = s.slice(0, nul);
  if (s.length === 0) s = '0';
  else if (isSpace(s.charCodeAt(0))) {
    let i = 0;
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    s = i === s.length ? 'x' : s.slice(i); // all space: no conversion, invalid
  }
  return start === 1 ? '(' + s : s;
}

function parseZScoreRange(minArg: string, maxArg: string): ScoreRange | null {
  return parseScoreRange(cScoreBound(minArg), cScoreBound(maxArg));
}

/** Normalizes rank indexes as Redis does; returns false when the range is empty. */
let rankStart = 0;
let rankEnd = 0;
function sanitizeRanks(start: number, end: number, llen: number): boolean {
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return false;
  if (end >= llen) end = llen - 1;
  rankStart = start;
  rankEnd = end;
  return true;
}

// ---- ZADD / ZINCRBY --------------------------------------------------------------------

const F_NX = 1;
const F_XX = 2;
const F_GT = 4;
const F_LT = 8;
const F_INCR = 16;
const F_CH = 32;

const SCORE_SCRATCH = 64;
const scoreScratch: number[] = new Array<number>(SCORE_SCRATCH).fill(0);

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], and ZINCRBY. */
function zaddGeneric(c: Client, argv: string[], flagsIn: number): void {
  const argc = argv.length;
  let flags = flagsIn;
  let idx = 2;
  while (idx < argc) {
    const o = argv[idx];
    if (o.length === 2) {
      if (eqWord(o, 'nx')) flags |= F_NX;
      else if (eqWord(o, 'xx')) flags |= F_XX;
      else if (eqWord(o, 'ch')) flags |= F_CH;
      else if (eqWord(o, 'gt')) flags |= F_GT;
      else if (eqWord(o, 'lt')) flags |= F_LT;
      else break;
    } else if (o.length === 4 && eqWord(o, 'incr')) {
      flags |= F_INCR;
    } else {
      break;
    }
    idx++;
  }
  const nargs = argc - idx;
  if (nargs === 0 || nargs % 2 !== 0) {
    c.addError(ERR_SYNTAX);
    return;
  }
  const elements = nargs / 2;
  const nx = (flags & F_NX) !== 0;
  const xx = (flags & F_XX) !== 0;
  const gt = (flags & F_GT) !== 0;
  const lt = (flags & F_LT) !== 0;
  const incr = (flags & F_INCR) !== 0;
  if (nx && xx) {
    c.addError('ERR XX and NX options at the same time are not compatible');
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    c.addError('ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (incr && elements > 1) {
    c.addError('ERR INCR option supports a single increment-element pair');
    return;
  }
  // Setting a shared array's length on every call showed in the ZADD profile
  // (0.8%); a big ZADD gets its own array so the shared one stays small.
  const scores = elements <= SCORE_SCRATCH ? scoreScratch : new Array<number>(elements);
  let maxLen = 0;
  for (let j = 0; j < elements; j++) {
    const v = parseScore(argv[idx + 2 * j]);
    if (v === null) {
      c.addError(ERR_NOT_FLOAT);
      return;
    }
    scores[j] = v;
    const ml = argv[idx + 2 * j + 1].length;
    if (ml > maxLen) maxLen = ml;
  }

  const key = argv[1];
  let obj = lookupWrite(c, key, ObjType.ZSet);
  if (obj === null) return;
  const lim = c.server.encodingLimits;
  if (obj === undefined) {
    if (xx) {
      if (incr) c.addNull();
      else c.addInt(0);
      return;
    }
    const big = zsetCreateNeedsSkiplist(elements, maxLen, lim);
    obj = new RObj(ObjType.ZSet, new SortedSet(big), c.server.ks.initialLru());
    if (big) obj.enc = ENC_BIG;
    c.db.add(key, obj);
  } else if (obj.enc !== ENC_BIG) {
    if (zsetHintNeedsSkiplist(elements, lim)) zsetToSkiplist(obj, obj.value as SortedSet);
  }
  const zs = obj.value as SortedSet;

  let added = 0;
  let updated = 0;
  let processed = false;
  let replyScore = 0;
  let nan = false;
  for (let j = 0; j < elements; j++) {
    const member = argv[idx + 2 * j + 1];
    const score = scores[j];
    const cur = zs.score(member);
    if (cur !== undefined) {
      if (nx) continue;
      let newScore = score;
      if (incr) {
        newScore = cur + score;
        if (newScore !== newScore) {
          nan = true;
          break;
        }
      }
      if ((lt && newScore >= cur) || (gt && newScore <= cur)) continue;
      if (newScore !== cur) {
        zsStore(obj, zs, member, newScore, cur, lim);
        updated++;
      }
      replyScore = newScore;
      processed = true;
    } else {
      if (xx) continue;
      zsStore(obj, zs, member, score, undefined, lim);
      added++;
      replyScore = score;
      processed = true;
    }
  }
  if (nan) c.addError(ERR_NAN);
  else if (incr) {
    if (processed) c.addDouble(replyScore);
    else c.addNull();
  } else {
    c.addInt((flags & F_CH) !== 0 ? added + updated : added);
  }
  if (added + updated > 0) c.modified(key, NOTIFY_ZSET, incr ? 'zincr' : 'zadd', added + updated);
}

export function zaddCommand(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, 0);
}

function zincrbyCommand(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, F_INCR);
}

// ---- ZREM / ZCARD / ZSCORE / ZMSCORE / ZRANK / ZCOUNT / ZLEXCOUNT ------------------------

function zremCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const obj = lookupWriteOrReply(c, key, ObjType.ZSet, MISS_ZERO);
  if (obj === null) return;
  const zs = obj.value as SortedSet;
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (zsRemove(zs, argv[i])) {
      deleted++;
      if (zs.size === 0) break;
    }
  }
  if (deleted > 0) {
    c.modified(key, NOTIFY_ZSET, 'zrem', deleted);
    deleteIfEmpty(c, key, zs);
  }
  c.addInt(deleted);
}

function zcardCommand(c: Client, argv: string[]): void {
  const obj = lookupReadOrReply(c, argv[1], ObjType.ZSet, MISS_ZERO);
  if (obj !== null) c.addInt((obj.value as SortedSet).size);
}

function zscoreCommand(c: Client, argv: string[]): void {
  const obj = lookupReadOrReply(c, argv[1], ObjType.ZSet, MISS_NULL);
  if (obj === null) return;
  const s = (obj.value as SortedSet).score(argv[2]);
  if (s === undefined) c.addNull();
  else c.addDouble(s);
}

function zmscoreCommand(c: Client, argv: string[]): void {
  const obj = lookupRead(c, argv[1], ObjType.ZSet);
  if (obj === null) return;
  const zs = obj === undefined ? null : (obj.value as SortedSet);
  const nil = c.resp === 3 ? '_\r\n' : '$-1\r\n';
  let out = '*' + (argv.length - 2) + '\r\n';
  for (let i = 2; i < argv.length; i++) {
    const s = zs === null ? undefined : zs.score(argv[i]);
    out += s === undefined ? nil : doubleText(c, s);
  }
  c.write(out);
}

/** ZRANK / ZREVRANK key member [WITHSCORE] (WITHSCORE is new in 7.2). */
function zrankGeneric(c: Client, argv: string[], reverse: boolean): void {
  if (argv.length > 4) {
    c.addError(`ERR wrong number of arguments for '${reverse ? 'zrevrank' : 'zrank'}' command`);
    return;
  }
  let withScore = false;
  if (argv.length === 4) {
    if (!eqWord(argv[3], 'withscore')) {
      c.addError(ERR_SYNTAX);
      return;
    }
    withScore = true;
  }
  const obj = lookupRead(c, argv[1], ObjType.ZSet);
  if (obj === null) return;
  const zs = obj === undefined ? null : (obj.value as SortedSet);
  const rank = zs === null ? undefined : zs.rank(argv[2], reverse);
  if (rank === undefined) {
    if (withScore) c.addNullArray();
    else c.addNull();
    return;
  }
  if (withScore) {
    c.write('*2\r\n:' + rank + '\r\n' + doubleText(c, zs!.score(argv[2])!));
  } else {
    c.addInt(rank);
  }
}

function zrankCommand(c: Client, argv: string[]): void {
  zrankGeneric(c, argv, false);
}

function zrevrankCommand(c: Client, argv: string[]): void {
  zrankGeneric(c, argv, true);
}

function zcountCommand(c: Client, argv: string[]): void {
  const range = parseZScoreRange(argv[2], argv[3]);
  if (range === null) {
    c.addError(ERR_MINMAX_FLOAT);
    return;
  }
  const obj = lookupReadOrReply(c, argv[1], ObjType.ZSet, MISS_ZERO);
  if (obj !== null) c.addInt((obj.value as SortedSet).countByScore(range));
}

function zlexcountCommand(c: Client, argv: string[]): void {
  const range = parseLexRange(argv[2], argv[3]);
  if (range === null) {
    c.addError(ERR_MINMAX_LEX);
    return;
  }
  const obj = lookupReadOrReply(c, argv[1], ObjType.ZSet, MISS_ZERO);
  if (obj !== null) c.addInt((obj.value as SortedSet).countByLex(range));
}

// ---- ZRANGE family ---------------------------------------------------------------------

const RANGE_AUTO = 0;
const RANGE_RANK = 1;
const RANGE_SCORE = 2;
const RANGE_LEX = 3;

const DIR_AUTO = 0;
const DIR_FORWARD = 1;
const DIR_REVERSE = 2;

const EMPTY_ENTRIES: Array<[string, number]> = [];

/**
 * The ZRANGE family (Redis's zrangeGenericCommand). `keyIdx` is the source key's
 * position (2 for ZRANGESTORE, whose destination is argv[1]); `rangeType` and
 * `direction` are preset by the legacy commands (and then refused as options).
 */
function zrangeGeneric(c: Client, argv: string[], keyIdx: number, store: boolean, rangeType: number, direction: number): void {
  const argc = argv.length;
  let minIdx = keyIdx + 1;
  let maxIdx = keyIdx + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = keyIdx + 3; j < argc; j++) {
    const a = argv[j];
    const left = argc - j - 1;
    if (!store && eqWord(a, 'withscores')) {
      withScores = true;
    } else if (left >= 2 && eqWord(a, 'limit')) {
      const o = parseIntArg(argv[j + 1]);
      const l = o === null ? null : parseIntArg(argv[j + 2]);
      if (o === null || l === null) {
        c.addError(ERR_NOT_INT);
        return;
      }
      offset = o;
      limit = l;
      j += 2;
    } else if (direction === DIR_AUTO && eqWord(a, 'rev')) {
      direction = DIR_REVERSE;
    } else if (rangeType === RANGE_AUTO && eqWord(a, 'bylex')) {
      rangeType = RANGE_LEX;
    } else if (rangeType === RANGE_AUTO && eqWord(a, 'byscore')) {
      rangeType = RANGE_SCORE;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  if (direction === DIR_AUTO) direction = DIR_FORWARD;
  if (rangeType === RANGE_AUTO) rangeType = RANGE_RANK;
  if (limit !== -1 && rangeType === RANGE_RANK) {
    c.addError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return;
  }
  if (withScores && rangeType === RANGE_LEX) {
    c.addError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return;
  }
  const reverse = direction === DIR_REVERSE;
  if (reverse && rangeType !== RANGE_RANK) {
    const t = minIdx;
    minIdx = maxIdx;
    maxIdx = t;
  }

  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (rangeType === RANGE_RANK) {
    const s = parseIntArg(argv[minIdx]);
    const e = s === null ? null : parseIntArg(argv[maxIdx]);
    if (s === null || e === null) {
      c.addError(ERR_NOT_INT);
      return;
    }
    start = s;
    end = e;
  } else if (rangeType === RANGE_SCORE) {
    scoreRange = parseZScoreRange(argv[minIdx], argv[maxIdx]);
    if (scoreRange === null) {
      c.addError(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    lexRange = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (lexRange === null) {
      c.addError(ERR_MINMAX_LEX);
      return;
    }
  }

  const obj = lookupRead(c, argv[keyIdx], ObjType.ZSet);
  if (obj === null) return;
  let entries = EMPTY_ENTRIES;
  if (obj !== undefined) {
    const zs = obj.value as SortedSet;
    if (rangeType === RANGE_RANK) {
      if (sanitizeRanks(start, end, zs.size)) entries = zs.rangeByRank(rankStart, rankEnd, reverse);
    } else if (rangeType === RANGE_SCORE) {
      entries = zs.rangeByScore(scoreRange!, reverse, offset, limit);
    } else {
      entries = zs.rangeByLex(lexRange!, reverse, offset, limit);
    }
  }
  if (store) storeResult(c, argv[1], entries, 'zrangestore');
  else addEntries(c, entries, withScores);
}

function zrangeCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RANGE_AUTO, DIR_AUTO);
}

function zrangestoreCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 2, true, RANGE_AUTO, DIR_AUTO);
}

function zrevrangeCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RANGE_RANK, DIR_REVERSE);
}

function zrangebyscoreCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RANGE_SCORE, DIR_FORWARD);
}

function zrevrangebyscoreCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RANGE_SCORE, DIR_REVERSE);
}

function zrangebylexCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RANGE_LEX, DIR_FORWARD);
}

function zrevrangebylexCommand(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RANGE_LEX, DIR_REVERSE);
}

// ---- ZREMRANGEBY* ------------------------------------------------------------------------

function zremrangeGeneric(c: Client, argv: string[], rangeType: number): void {
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (rangeType === RANGE_RANK) {
    const s = parseIntArg(argv[2]);
    const e = s === null ? null : parseIntArg(argv[3]);
    if (s === null || e === null) {
      c.addError(ERR_NOT_INT);
      return;
    }
    start = s;
    end = e;
  } else if (rangeType === RANGE_SCORE) {
    scoreRange = parseZScoreRange(argv[2], argv[3]);
    if (scoreRange === null) {
      c.addError(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    lexRange = parseLexRange(argv[2], argv[3]);
    if (lexRange === null) {
      c.addError(ERR_MINMAX_LEX);
      return;
    }
  }
  const key = argv[1];
  const obj = lookupWriteOrReply(c, key, ObjType.ZSet, MISS_ZERO);
  if (obj === null) return;
  const zs = obj.value as SortedSet;
  const indexed = SCAN_INDEXES.has(zs);
  let removed = 0;
  let event: string;
  if (rangeType === RANGE_RANK) {
    event = 'zremrangebyrank';
    if (sanitizeRanks(start, end, zs.size)) {
      if (indexed) unindex(zs, zs.rangeByRank(rankStart, rankEnd, false));
      removed = zs.removeRangeByRank(rankStart, rankEnd);
    }
  } else if (rangeType === RANGE_SCORE) {
    event = 'zremrangebyscore';
    if (indexed) unindex(zs, zs.rangeByScore(scoreRange!, false));
    removed = zs.removeRangeByScore(scoreRange!);
  } else {
    event = 'zremrangebylex';
    if (indexed) unindex(zs, zs.rangeByLex(lexRange!, false));
    removed = zs.removeRangeByLex(lexRange!);
  }
  if (removed > 0) {
    c.modified(key, NOTIFY_ZSET, event, removed);
    deleteIfEmpty(c, key, zs);
  }
  c.addInt(removed);
}

function zremrangebyrankCommand(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, RANGE_RANK);
}

function zremrangebyscoreCommand(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, RANGE_SCORE);
}

function zremrangebylexCommand(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, RANGE_LEX);
}

// ---- ZUNION / ZINTER / ZDIFF (+STORE) / ZINTERCARD ------------------------------------

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;

const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

/** One input of a set operation: a sorted set, a plain set (scores 1) or nothing. */
interface SetOpSource {
  zs: SortedSet | null;
  set: RSet | null;
  weight: number;
  size: number;
}

function sourceScore(src: SetOpSource, member: string): number | undefined {
  if (src.zs !== null) return src.zs.score(member);
  if (src.set !== null && src.set.has(member)) return 1;
  return undefined;
}

function aggregate(acc: number, v: number, agg: number): number {
  if (agg === AGG_SUM) {
    const r = acc + v;
    return r !== r ? 0 : r; // inf + -inf: Redis keeps 0
  }
  if (agg === AGG_MIN) return v < acc ? v : acc;
  return v > acc ? v : acc;
}

function weighted(score: number, weight: number): number {
  const v = score * weight;
  return v !== v ? 0 : v;
}

function bySize(a: SetOpSource, b: SetOpSource): number {
  return a.size - b.size;
}

/**
 * ZUNION/ZINTER/ZDIFF, their STORE forms and ZINTERCARD (Redis's
 * zunionInterDiffGenericCommand): numkeys, then every key is looked up (wrong
 * types fail before the options are read), then WEIGHTS / AGGREGATE / WITHSCORES /
 * LIMIT as the command allows.
 */
function setOpGeneric(c: Client, argv: string[], dst: string | null, numkeysIdx: number, op: number, cardOnly: boolean): void {
  const argc = argv.length;
  const numkeys = parseIntArg(argv[numkeysIdx]);
  if (numkeys === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  if (numkeys < 1) {
    c.addError(`ERR at least 1 input key is needed for '${argv[0].toLowerCase()}' command`);
    return;
  }
  if (numkeys > argc - numkeysIdx - 1) {
    c.addError(ERR_SYNTAX);
    return;
  }
  const srcs: SetOpSource[] = new Array<SetOpSource>(numkeys);
  for (let i = 0; i < numkeys; i++) {
    const key = argv[numkeysIdx + 1 + i];
    const obj = dst !== null ? c.db.lookupWrite(key) : readKey(c, key);
    const src: SetOpSource = { zs: null, set: null, weight: 1, size: 0 };
    if (obj !== undefined) {
      if (obj.type === ObjType.ZSet) {
        src.zs = obj.value as SortedSet;
        src.size = src.zs.size;
      } else if (obj.type === ObjType.Set) {
        src.set = obj.value as RSet;
        src.size = src.set.size;
      } else {
        c.addError(WRONGTYPE);
        return;
      }
    }
    srcs[i] = src;
  }
  let agg = AGG_SUM;
  let withScores = false;
  let limit = 0;
  let j = numkeysIdx + 1 + numkeys;
  let remaining = argc - j;
  while (remaining > 0) {
    const a = argv[j];
    if (op !== OP_DIFF && !cardOnly && remaining >= numkeys + 1 && eqWord(a, 'weights')) {
      j++;
      remaining--;
      for (let i = 0; i < numkeys; i++, j++, remaining--) {
        const w = parseScore(argv[j]);
        if (w === null) {
          c.addError(ERR_WEIGHT);
          return;
        }
        srcs[i].weight = w;
      }
    } else if (op !== OP_DIFF && !cardOnly && remaining >= 2 && eqWord(a, 'aggregate')) {
      const v = argv[j + 1];
      if (eqWord(v, 'sum')) agg = AGG_SUM;
      else if (eqWord(v, 'min')) agg = AGG_MIN;
      else if (eqWord(v, 'max')) agg = AGG_MAX;
      else {
        c.addError(ERR_SYNTAX);
        return;
      }
      j += 2;
      remaining -= 2;
    } else if (dst === null && !cardOnly && eqWord(a, 'withscores')) {
      withScores = true;
      j++;
      remaining--;
    } else if (cardOnly && remaining >= 2 && eqWord(a, 'limit')) {
      const l = parseIntArg(argv[j + 1]);
      if (l === null || l < 0) {
        c.addError("ERR LIMIT can't be negative");
        return;
      }
      limit = l;
      j += 2;
      remaining -= 2;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }

  if (cardOnly) {
    c.addInt(interCard(srcs, limit));
    return;
  }
  let entries: Array<[string, number]>;
  if (op === OP_UNION) entries = unionOf(srcs, agg);
  else if (op === OP_INTER) entries = interOf(srcs, agg);
  else entries = diffOf(srcs);
  if (dst !== null) {
    storeResult(c, dst, entries, op === OP_UNION ? 'zunionstore' : op === OP_INTER ? 'zinterstore' : 'zdiffstore');
  } else {
    entries.sort(compareEntries);
    addEntries(c, entries, withScores);
  }
}

function unionOf(srcs: SetOpSource[], agg: number): Array<[string, number]> {
  // Smallest inputs first, as Redis orders them (it matters only for inf + -inf sums).
  const ordered = srcs.slice().sort(bySize);
  const acc = new Map<string, number>();
  for (let i = 0; i < ordered.length; i++) {
    const src = ordered[i];
    const w = src.weight;
    if (src.zs !== null) {
      for (const [m, s] of src.zs.entries()) {
        const v = weighted(s, w);
        const prev = acc.get(m);
        acc.set(m, prev === undefined ? v : aggregate(prev, v, agg));
      }
    } else if (src.set !== null) {
      const v = weighted(1, w);
      for (const m of src.set) {
        const prev = acc.get(m);
        acc.set(m, prev === undefined ? v : aggregate(prev, v, agg));
      }
    }
  }
  return Array.from(acc);
}

function interOf(srcs: SetOpSource[], agg: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let i = 0; i < srcs.length; i++) if (srcs[i].size === 0) return out;
  const ordered = srcs.slice().sort(bySize);
  const first = ordered[0];
  const iter: Iterable<[string, number]> | null = first.zs !== null ? first.zs.entries() : null;
  if (iter !== null) {
    for (const [m, s] of iter) interMember(ordered, m, s, agg, out);
  } else {
    for (const m of first.set!) interMember(ordered, m, 1, agg, out);
  }
  return out;
}

function interMember(ordered: SetOpSource[], m: string, s: number, agg: number, out: Array<[string, number]>): void {
  let score = weighted(s, ordered[0].weight);
  for (let j = 1; j < ordered.length; j++) {
    const o = sourceScore(ordered[j], m);
    if (o === undefined) return;
    score = aggregate(score, weighted(o, ordered[j].weight), agg);
  }
  out.push([m, score]);
}

function diffOf(srcs: SetOpSource[]): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const first = srcs[0];
  if (first.size === 0) return out;
  if (first.zs !== null) {
    for (const [m, s] of first.zs.entries()) if (!inAnyOther(srcs, m)) out.push([m, s]);
  } else {
    for (const m of first.set!) if (!inAnyOther(srcs, m)) out.push([m, 1]);
  }
  return out;
}

function inAnyOther(srcs: SetOpSource[], m: string): boolean {
  for (let j = 1; j < srcs.length; j++) if (sourceScore(srcs[j], m) !== undefined) return true;
  return false;
}

function interCard(srcs: SetOpSource[], limit: number): number {
  for (let i = 0; i < srcs.length; i++) if (srcs[i].size === 0) return 0;
  const ordered = srcs.slice().sort(bySize);
  const first = ordered[0];
  let n = 0;
  const members: Iterable<string> = first.zs !== null ? first.zs.members() : first.set!;
  for (const m of members) {
    let all = true;
    for (let j = 1; j < ordered.length; j++) {
      if (sourceScore(ordered[j], m) === undefined) {
        all = false;
        break;
      }
    }
    if (all && ++n === limit) break;
  }
  return n;
}

function zunionCommand(c: Client, argv: string[]): void {
  setOpGeneric(c, argv, null, 1, OP_UNION, false);
}

function zinterCommand(c: Client, argv: string[]): void {
  setOpGeneric(c, argv, null, 1, OP_INTER, false);
}

function zdiffCommand(c: Client, argv: string[]): void {
  setOpGeneric(c, argv, null, 1, OP_DIFF, false);
}

function zunionstoreCommand(c: Client, argv: string[]): void {
  setOpGeneric(c, argv, argv[1], 2, OP_UNION, false);
}

function zinterstoreCommand(c: Client, argv: string[]): void {
  setOpGeneric(c, argv, argv[1], 2, OP_INTER, false);
}

function zdiffstoreCommand(c: Client, argv: string[]): void {
  setOpGeneric(c, argv, argv[1], 2, OP_DIFF, false);
}

function zintercardCommand(c: Client, argv: string[]): void {
  setOpGeneric(c, argv, null, 1, OP_INTER, true);
}

// ---- ZRANDMEMBER -----------------------------------------------------------------------

const HALF_LLONG_MAX = 4611686018427387903n;

function zrandmemberCommand(c: Client, argv: string[]): void {
  const argc = argv.length;
  if (argc === 2) {
    const obj = lookupReadOrReply(c, argv[1], ObjType.ZSet, MISS_NULL);
    if (obj === null) return;
    c.addBulk((obj.value as SortedSet).randomMember()!);
    return;
  }
  const l = parseRandomCount(c, argv[2]);
  if (l === null) return;
  if (argc > 4 || (argc === 4 && !eqWord(argv[3], 'withscores'))) {
    c.addError(ERR_SYNTAX);
    return;
  }
  const withScores = argc === 4;
  if (withScores && (l > 4.6e18 || l < -4.6e18)) {
    // |count| > LONG_MAX/2 is refused (exactly, with the integer text).
    const b = parseInt64(argv[2])!;
    if (b > HALF_LLONG_MAX || b < -HALF_LLONG_MAX) {
      c.addError('ERR value is out of range');
      return;
    }
  }
  const obj = lookupReadOrReply(c, argv[1], ObjType.ZSet, MISS_EMPTY_ARRAY);
  if (obj === null) return;
  if (l === 0) {
    c.addEmptyArray();
    return;
  }
  zrandmemberWithCount(c, obj, l, withScores);
}

function zrandmemberWithCount(c: Client, obj: RObj, l: number, withScores: boolean): void {
  const zs = obj.value as SortedSet;
  const size = zs.size;
  const resp3 = c.resp === 3;
  const pairHdr = withScores && resp3 ? '*2\r\n' : '';

  // Negative count: picks with repetitions.
  if (l < 0) {
    const count = -l;
    let s = '*' + (withScores && !resp3 ? count * 2 : count) + '\r\n';
    for (let i = 0; i < count; i++) {
      const e = zs.at(Math.floor(Math.random() * size))!;
      s += pairHdr + bulk(e[0]);
      if (withScores) s += doubleText(c, e[1]);
      if ((i & 1023) === 1023) {
        c.write(s);
        s = '';
        if (c.out.length > MAX_RANDOM_REPLY_BYTES) {
          c.server.closeClient(c);
          return;
        }
      }
    }
    c.write(s);
    return;
  }

  const count = l;
  let entries: Array<[string, number]>;
  if (count >= size) {
    // The whole set, highest first (as Redis replies it).
    entries = zs.rangeByRank(0, size - 1, true);
  } else if (count * 3 > size) {
    // Most of the set: a partial shuffle of the ranks.
    const all = zs.rangeByRank(0, size - 1, false);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    all.length = count;
    entries = all;
  } else {
    // Few members: distinct random ranks. A listpack answers them in set order.
    const picked = new Set<number>();
    while (picked.size < count) picked.add(Math.floor(Math.random() * size));
    const ranks = Array.from(picked);
    if (obj.enc !== ENC_BIG) ranks.sort((a, b) => a - b);
    entries = new Array<[string, number]>(count);
    for (let i = 0; i < count; i++) entries[i] = zs.at(ranks[i])!;
  }
  let s = '*' + (withScores && !resp3 ? entries.length * 2 : entries.length) + '\r\n';
  for (let i = 0; i < entries.length; i++) {
    s += pairHdr + bulk(entries[i][0]);
    if (withScores) s += doubleText(c, entries[i][1]);
  }
  c.write(s);
}

// ---- pops --------------------------------------------------------------------------------

const MIN = 0;
const MAX = 1;

/**
 * Pops up to `count` elements from the set at `key` (which exists and is not empty),
 * fires the events and deletes the key when it becomes empty.
 */
function popFrom(c: Client, key: string, zs: SortedSet, where: number, count: number): Array<[string, number]> {
  const out = where === MIN ? zs.popMin(count) : zs.popMax(count);
  unindex(zs, out);
  c.modified(key, NOTIFY_ZSET, where === MIN ? 'zpopmin' : 'zpopmax', out.length);
  deleteIfEmpty(c, key, zs);
  return out;
}

/** ZPOPMIN / ZPOPMAX key [count]. */
function zpopGeneric(c: Client, argv: string[], where: number): void {
  if (argv.length > 3) {
    c.addError(ERR_SYNTAX);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const n = parseIntArg(argv[2]);
    if (n === null || n < 0) {
      c.addError(ERR_POSITIVE);
      return;
    }
    count = n;
  }
  const key = argv[1];
  const obj = lookupWriteOrReply(c, key, ObjType.ZSet, MISS_EMPTY_ARRAY);
  if (obj === null) return;
  if (count === 0) {
    c.addEmptyArray();
    return;
  }
  const out = popFrom(c, key, obj.value as SortedSet, where, count < 0 ? 1 : count);
  if (count < 0) {
    // No count: a flat [member, score] in both protocols.
    const e = out[0];
    c.write('*2\r\n' + bulk(e[0]) + doubleText(c, e[1]));
  } else {
    addEntries(c, out, true);
  }
}

function zpopminCommand(c: Client, argv: string[]): void {
  zpopGeneric(c, argv, MIN);
}

function zpopmaxCommand(c: Client, argv: string[]): void {
  zpopGeneric(c, argv, MAX);
}

/** Parsed ZMPOP/BZMPOP arguments (module scratch: commands do not re-enter). */
let mpopWhere = MIN;
let mpopCount = 1;

/**
 * Parses `numkeys key... MIN|MAX [COUNT n]` from argv[numkeysIdx]. Returns numkeys,
 * or -1 after replying the error.
 */
function parseMpopArgs(c: Client, argv: string[], numkeysIdx: number): number {
  const argc = argv.length;
  const numkeys = parseIntArg(argv[numkeysIdx]);
  if (numkeys === null || numkeys < 1) {
    c.addError(ERR_NUMKEYS);
    return -1;
  }
  let j = numkeysIdx + 1 + numkeys;
  if (numkeys > argc - numkeysIdx - 2) {
    c.addError(ERR_SYNTAX);
    return -1;
  }
  const w = argv[j++];
  if (eqWord(w, 'min')) mpopWhere = MIN;
  else if (eqWord(w, 'max')) mpopWhere = MAX;
  else {
    c.addError(ERR_SYNTAX);
    return -1;
  }
  mpopCount = 1;
  let seenCount = false;
  for (; j < argc; j++) {
    if (!seenCount && j + 1 < argc && eqWord(argv[j], 'count')) {
      const n = parseIntArg(argv[j + 1]);
      if (n === null || n < 1) {
        c.addError(ERR_COUNT);
        return -1;
      }
      mpopCount = n;
      seenCount = true;
      j++;
    } else {
      c.addError(ERR_SYNTAX);
      return -1;
    }
  }
  return numkeys;
}

/**
 * Pops from the first non-empty sorted set among argv[first .. first+numkeys-1]
 * and replies [key, [[member, score], ...]]. Returns false when every key is
 * missing (nothing replied), true when it replied (elements or WRONGTYPE).
 */
function mpopFirst(c: Client, argv: string[], first: number, numkeys: number, where: number, count: number): boolean {
  for (let j = 0; j < numkeys; j++) {
    const key = argv[first + j];
    const obj = lookupWrite(c, key, ObjType.ZSet);
    if (obj === undefined) continue;
    if (obj === null) return true;
    const out = popFrom(c, key, obj.value as SortedSet, where, count);
    // [key, [[member, score], ...]]: nested pairs in both protocols.
    let s = '*2\r\n' + bulk(key) + '*' + out.length + '\r\n';
    for (let i = 0; i < out.length; i++) s += '*2\r\n' + bulk(out[i][0]) + doubleText(c, out[i][1]);
    c.write(s);
    // Redis 7.0 propagates the count actually popped (COUNT 10 of a 2-member set: 2).
    c.rewriteArgv([where === MIN ? 'ZPOPMIN' : 'ZPOPMAX', key, String(out.length)]);
    return true;
  }
  return false;
}

function zmpopCommand(c: Client, argv: string[]): void {
  const numkeys = parseMpopArgs(c, argv, 1);
  if (numkeys < 0) return;
  if (!mpopFirst(c, argv, 2, numkeys, mpopWhere, mpopCount)) c.addNullArray();
}

// ---- blocking pops -------------------------------------------------------------------


/** BZPOPMIN / BZPOPMAX key [key ...] timeout. */
function bzpopGeneric(c: Client, argv: string[], where: number): void {
  const ms = parseTimeout(c, argv[argv.length - 1]);
  if (ms < 0) return;
  const last = argv.length - 1;
  for (let j = 1; j < last; j++) {
    const key = argv[j];
    const obj = lookupWrite(c, key, ObjType.ZSet);
    if (obj === undefined) continue;
    if (obj === null) return;
    const e = popFrom(c, key, obj.value as SortedSet, where, 1)[0];
    c.write('*3\r\n' + bulk(key) + bulk(e[0]) + doubleText(c, e[1]));
    c.rewriteArgv([where === MIN ? 'ZPOPMIN' : 'ZPOPMAX', key]);
    blockServed(c);
    return;
  }
  if (c.denyBlocking) {
    c.addNullArray();
    return;
  }
  c.block({
    keys: distinctKeys(argv, 1, last - 1),
    timeoutAt: blockDeadline(c, argv, ms),
    type: ObjType.ZSet,
    onTimeout: 'nullarray',
  });
}

function bzpopminCommand(c: Client, argv: string[]): void {
  bzpopGeneric(c, argv, MIN);
}

function bzpopmaxCommand(c: Client, argv: string[]): void {
  bzpopGeneric(c, argv, MAX);
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]. */
function bzmpopCommand(c: Client, argv: string[]): void {
  const numkeys = parseMpopArgs(c, argv, 2);
  if (numkeys < 0) return;
  const where = mpopWhere;
  const count = mpopCount;
  const ms = parseTimeout(c, argv[1]);
  if (ms < 0) return;
  if (mpopFirst(c, argv, 3, numkeys, where, count)) {
    blockServed(c);
    return;
  }
  if (c.denyBlocking) {
    c.addNullArray();
    return;
  }
  c.block({
    keys: distinctKeys(argv, 3, numkeys),
    timeoutAt: blockDeadline(c, argv, ms),
    type: ObjType.ZSet,
    onTimeout: 'nullarray',
  });
}

// ---- ZSCAN -------------------------------------------------------------------------------

function zscanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(c, argv[2]);
  if (cursor < 0) return;
  const obj = lookupReadOrReply(c, argv[1], ObjType.ZSet, MISS_EMPTY_SCAN);
  if (obj === null) return;
  const opts = parseScanOptions(c, argv, 3);
  if (opts === null) return;
  const zs = obj.value as SortedSet;
  const match = opts.match;
  const items: string[] = [];
  if (obj.enc !== ENC_BIG) {
    // A listpack is returned whole, in set order, with cursor 0.
    for (const [m, s] of zs.entries()) {
      if (match !== null && !match(m)) continue;
      items.push(m, formatDouble(s));
    }
    addScanReply(c, 0, items);
    return;
  }
  const got: string[] = [];
  const next = scanIndexOf(zs).scan(cursor, opts.count, got);
  for (let i = 0; i < got.length; i++) {
    const m = got[i];
    if (match !== null && !match(m)) continue;
    items.push(m, formatDouble(zs.score(m)!));
  }
  addScanReply(c, next, items);
}

// ---- the table -------------------------------------------------------------------------

const W = ['write', 'sortedset'];
const R = ['read', 'sortedset'];
const G = 'sorted-set';

const LOGN = 'O(log(N)) with N being the number of elements in the sorted set.';
const RANGE_CX =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';
const RANGE_LIMIT_CX =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
const REMRANGE_CX =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
const UNION_CX =
  'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const INTER_CX =
  'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const DIFF_CX =
  'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';
const MPOP_CX =
  'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.';

export const COMMANDS: CommandSpec[] = [
  cmd('zadd', -4, ['write', 'denyoom', 'fast'], [1, 1, 1], G, [...W, 'fast'], zaddCommand, {
    since: '1.2.0',
    summary: "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.",
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
  }),
  cmd('zincrby', 4, ['write', 'denyoom', 'fast'], [1, 1, 1], G, [...W, 'fast'], zincrbyCommand, {
    since: '1.2.0',
    summary: 'Increments the score of a member in a sorted set.',
    complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
  }),
  cmd('zrem', -3, ['write', 'fast'], [1, 1, 1], G, [...W, 'fast'], zremCommand, {
    since: '1.2.0',
    summary: 'Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.',
    complexity:
      'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
  }),
  cmd('zcard', 2, ['readonly', 'fast'], [1, 1, 1], G, [...R, 'fast'], zcardCommand, {
    since: '1.2.0',
    summary: 'Returns the number of members in a sorted set.',
    complexity: 'O(1)',
  }),
  cmd('zscore', 3, ['readonly', 'fast'], [1, 1, 1], G, [...R, 'fast'], zscoreCommand, {
    since: '1.2.0',
    summary: 'Returns the score of a member in a sorted set.',
    complexity: 'O(1)',
  }),
  cmd('zmscore', -3, ['readonly', 'fast'], [1, 1, 1], G, [...R, 'fast'], zmscoreCommand, {
    since: '6.2.0',
    summary: 'Returns the score of one or more members in a sorted set.',
    complexity: 'O(N) where N is the number of members being requested.',
  }),
  cmd('zrank', -3, ['readonly', 'fast'], [1, 1, 1], G, [...R, 'fast'], zrankCommand, {
    since: '2.0.0',
    summary: 'Returns the index of a member in a sorted set ordered by ascending scores.',
    complexity: 'O(log(N))',
  }),
  cmd('zrevrank', -3, ['readonly', 'fast'], [1, 1, 1], G, [...R, 'fast'], zrevrankCommand, {
    since: '2.0.0',
    summary: 'Returns the index of a member in a sorted set ordered by descending scores.',
    complexity: 'O(log(N))',
  }),
  cmd('zcount', 4, ['readonly', 'fast'], [1, 1, 1], G, [...R, 'fast'], zcountCommand, {
    since: '2.0.0',
    summary: 'Returns the count of members in a sorted set that have scores within a range.',
    complexity: LOGN,
  }),
  cmd('zlexcount', 4, ['readonly', 'fast'], [1, 1, 1], G, [...R, 'fast'], zlexcountCommand, {
    since: '2.8.9',
    summary: 'Returns the number of members in a sorted set within a lexicographical range.',
    complexity: LOGN,
  }),
  cmd('zrange', -4, ['readonly'], [1, 1, 1], G, [...R, 'slow'], zrangeCommand, {
    since: '1.2.0',
    summary: 'Returns members in a sorted set within a range of indexes.',
    complexity: RANGE_CX,
  }),
  cmd('zrangestore', -5, ['write', 'denyoom'], [1, 2, 1], G, [...W, 'slow'], zrangestoreCommand, {
    since: '6.2.0',
    summary: 'Stores a range of members from sorted set in a key.',
    complexity:
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
  }),
  cmd('zrevrange', -4, ['readonly'], [1, 1, 1], G, [...R, 'slow'], zrevrangeCommand, {
    since: '1.2.0',
    summary: 'Returns members in a sorted set within a range of indexes in reverse order.',
    complexity: RANGE_CX,
  }),
  cmd('zrangebyscore', -4, ['readonly'], [1, 1, 1], G, [...R, 'slow'], zrangebyscoreCommand, {
    since: '1.0.5',
    summary: 'Returns members in a sorted set within a range of scores.',
    complexity: RANGE_LIMIT_CX,
  }),
  cmd('zrevrangebyscore', -4, ['readonly'], [1, 1, 1], G, [...R, 'slow'], zrevrangebyscoreCommand, {
    since: '2.2.0',
    summary: 'Returns members in a sorted set within a range of scores in reverse order.',
    complexity: RANGE_LIMIT_CX,
  }),
  cmd('zrangebylex', -4, ['readonly'], [1, 1, 1], G, [...R, 'slow'], zrangebylexCommand, {
    since: '2.8.9',
    summary: 'Returns members in a sorted set within a lexicographical range.',
    complexity: RANGE_LIMIT_CX,
  }),
  cmd('zrevrangebylex', -4, ['readonly'], [1, 1, 1], G, [...R, 'slow'], zrevrangebylexCommand, {
    since: '2.8.9',
    summary: 'Returns members in a sorted set within a lexicographical range in reverse order.',
    complexity: RANGE_LIMIT_CX,
  }),
  cmd('zremrangebyrank', 4, ['write'], [1, 1, 1], G, [...W, 'slow'], zremrangebyrankCommand, {
    since: '2.0.0',
    summary: 'Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.',
    complexity: REMRANGE_CX,
  }),
  cmd('zremrangebyscore', 4, ['write'], [1, 1, 1], G, [...W, 'slow'], zremrangebyscoreCommand, {
    since: '1.2.0',
    summary: 'Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.',
    complexity: REMRANGE_CX,
  }),
  cmd('zremrangebylex', 4, ['write'], [1, 1, 1], G, [...W, 'slow'], zremrangebylexCommand, {
    since: '2.8.9',
    summary:
      'Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.',
    complexity: REMRANGE_CX,
  }),
  cmd('zunion', -3, ['readonly'], [0, 0, 0], G, [...R, 'slow'], zunionCommand, {
    since: '6.2.0',
    summary: 'Returns the union of multiple sorted sets.',
    complexity: UNION_CX,
  }),
  cmd('zinter', -3, ['readonly'], [0, 0, 0], G, [...R, 'slow'], zinterCommand, {
    since: '6.2.0',
    summary: 'Returns the intersect of multiple sorted sets.',
    complexity: INTER_CX,
  }),
  cmd('zdiff', -3, ['readonly'], [0, 0, 0], G, [...R, 'slow'], zdiffCommand, {
    since: '6.2.0',
    summary: 'Returns the difference between multiple sorted sets.',
    complexity: DIFF_CX,
  }),
  cmd('zunionstore', -4, ['write', 'denyoom'], [1, 1, 1], G, [...W, 'slow'], zunionstoreCommand, {
    since: '2.0.0',
    summary: 'Stores the union of multiple sorted sets in a key.',
    complexity: UNION_CX,
  }),
  cmd('zinterstore', -4, ['write', 'denyoom'], [1, 1, 1], G, [...W, 'slow'], zinterstoreCommand, {
    since: '2.0.0',
    summary: 'Stores the intersect of multiple sorted sets in a key.',
    complexity: INTER_CX,
  }),
  cmd('zdiffstore', -4, ['write', 'denyoom'], [1, 1, 1], G, [...W, 'slow'], zdiffstoreCommand, {
    since: '6.2.0',
    summary: 'Stores the difference of multiple sorted sets in a key.',
    complexity: DIFF_CX,
  }),
  cmd('zintercard', -3, ['readonly'], [0, 0, 0], G, [...R, 'slow'], zintercardCommand, {
    since: '7.0.0',
    summary: 'Returns the number of members of the intersect of multiple sorted sets.',
    complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
  }),
  cmd('zrandmember', -2, ['readonly'], [1, 1, 1], G, [...R, 'slow'], zrandmemberCommand, {
    since: '6.2.0',
    summary: 'Returns one or more random members from a sorted set.',
    complexity: 'O(N) where N is the number of members returned',
  }),
  cmd('zpopmin', -2, ['write', 'fast'], [1, 1, 1], G, [...W, 'fast'], zpopminCommand, {
    since: '5.0.0',
    summary: 'Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
    complexity:
      'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
  }),
  cmd('zpopmax', -2, ['write', 'fast'], [1, 1, 1], G, [...W, 'fast'], zpopmaxCommand, {
    since: '5.0.0',
    summary: 'Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
    complexity:
      'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
  }),
  cmd('zmpop', -4, ['write'], [0, 0, 0], G, [...W, 'slow'], zmpopCommand, {
    since: '7.0.0',
    summary:
      'Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.',
    complexity: MPOP_CX,
  }),
  cmd('bzpopmin', -3, ['write', 'noscript', 'blocking', 'fast'], [1, -2, 1], G, [...W, 'fast', 'blocking'], bzpopminCommand, {
    since: '5.0.0',
    summary:
      'Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  }),
  cmd('bzpopmax', -3, ['write', 'noscript', 'blocking', 'fast'], [1, -2, 1], G, [...W, 'fast', 'blocking'], bzpopmaxCommand, {
    since: '5.0.0',
    summary:
      'Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  }),
  cmd('bzmpop', -5, ['write', 'blocking'], [0, 0, 0], G, [...W, 'slow', 'blocking'], bzmpopCommand, {
    since: '7.0.0',
    summary:
      'Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
    complexity: MPOP_CX,
  }),
  cmd('zscan', -3, ['readonly'], [1, 1, 1], G, [...R, 'slow'], zscanCommand, {
    since: '2.8.0',
    summary: 'Iterates over members and scores of a sorted set.',
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  }),
];
