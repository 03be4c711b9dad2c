// Hash commands: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS
// HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
//
// A hash is an RHash (RHashValue of src/types/hash.ts, insertion ordered like Redis's
// listpack). RObj.enc follows Redis's encoding: ENC_COMPACT is "listpack" and the value
// is in its compact form (all pairs packed in one string, linear search), ENC_BIG is
// "hashtable" and the value holds a Map; the two always change together (hashToHashtable,
// with the other rules in types/encoding.ts, given the server's encodingLimits). A
// hash becomes a hashtable, and never goes back, when
//   - HSET/HMSET/HSETNX are given more field/value pairs than
//     hash-max-listpack-entries, or an argument longer than hash-max-listpack-value
//     (Redis's hashTypeTryConversion, done before inserting);
//   - a field or value being set is longer than hash-max-listpack-value (HINCRBY*);
//   - the hash grows past hash-max-listpack-entries.
//
// Random access (HRANDFIELD) and the HSCAN cursor of hashtable-encoded hashes use
// the ScanIndex of scan-util.ts over the hash's Map; every change to a hash goes
// through hashSet / hashDelete below so that the index stays in step. HSCAN of a
// listpack hash returns everything at once with cursor 0, as Redis does; HRANDFIELD
// of a listpack hash samples its unpacked pairs.
//
// HINCRBYFLOAT computes in x87 long double like Redis (the emulation lives in
// util/long-double.ts, shared with INCRBYFLOAT) and is propagated as HSET with the result.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { ObjType, RObj, type RHash } from '../types/object.js';
import { RHashValue } from '../types/hash.js';
import {
  hashArgsNeedHashtable,
  hashPairFits,
  hashToHashtable,
  hashTooManyFields,
  type EncodingLimits,
} from '../types/encoding.js';
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../keyspace/notify.js';
import { parseInt64, parseIntArg } from '../util/numbers.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../util/long-double.js';
import {
  addScanReply,
  parseScanCursor,
  parseScanOptions,
  scanIndexAdd,
  scanIndexFor,
  scanIndexRemove,
} from './scan-util.js';
import {
  MISS_NULL,
  MISS_ZERO,
  MISS_EMPTY_ARRAY,
  MISS_EMPTY_SCAN,
  MISS_EMPTY_MAP,
  lookupRead,
  lookupReadOrReply,
  lookupWrite,
  lookupWriteOrReply,
} from './lookup.js';

const ERR_NOT_INT = 'ERR value is not an integer or out of range';
const ERR_SYNTAX = 'ERR syntax error';

// ---- encoding (the rules are in types/encoding.ts) -----------------------------------

export { hashEncoding } from '../types/encoding.js';

/** Sets a field (Redis's hashTypeSet). Returns true when the field is new. */
function hashSet(o: RObj, h: RHash, field: string, value: string, lim: EncodingLimits): boolean {
  if (h.map === null) {
    if (hashPairFits(field, value, lim)) {
      if (!h.put(field, value)) return false;
      if (hashTooManyFields(h.n, lim)) hashToHashtable(o, h);
      return true;
    }
    hashToHashtable(o, h);
  }
  const m = h.map!;
  const before = m.size;
  m.set(field, value);
  if (m.size === before) return false;
  scanIndexAdd(m, field);
  return true;
}

function hashDelete(h: RHash, field: string): boolean {
  if (!h.delete(field)) return false;
  if (h.map !== null) scanIndexRemove(h.map, field);
  return true;
}

// ---- lookups -------------------------------------------------------------------------

/** Redis's hashTypeLookupWriteOrCreate: replies WRONGTYPE and returns null on a wrong type. */
function lookupWriteOrCreate(c: Client, key: string): RObj | null {
  let o = lookupWrite(c, key, ObjType.Hash);
  if (o === undefined) {
    o = new RObj(ObjType.Hash, new RHashValue(), c.server.ks.initialLru());
    c.db.add(key, o);
  }
  return o;
}

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

// ---- HSET HMSET HSETNX ---------------------------------------------------------------

function hsetGeneric(c: Client, argv: string[], name: string, isHset: boolean): void {
  const n = argv.length;
  if ((n & 1) === 1) {
    c.addError(`ERR wrong number of arguments for '${name}' command`);
    return;
  }
  const key = argv[1];
  const o = lookupWriteOrCreate(c, key);
  if (o === null) return;
  const h = o.value as RHash;
  let created = 0;
  const lim = c.server.encodingLimits;
  if (h.map === null && hashArgsNeedHashtable(argv, 2, n - 1, lim)) hashToHashtable(o, h);
  if (h.map === null) {
    // Every argument is within hash-max-listpack-value and there are at most
    // hash-max-listpack-entries pairs (hashArgsNeedHashtable): insert them all, then
    // check the size once (the result is the same as converting as soon as it grows past).
    created = h.putPairs(argv, 2, n - 1);
    if (hashTooManyFields(h.n, lim)) hashToHashtable(o, h);
  } else {
    for (let i = 2; i < n; i += 2) if (hashSet(o, h, argv[i], argv[i + 1], lim)) created++;
  }
  c.modified(key, NOTIFY_HASH, 'hset', (n - 2) >>> 1);
  if (isHset) c.addInt(created);
  else c.addOk();
}

function hsetCommand(c: Client, argv: string[]): void {
  hsetGeneric(c, argv, 'hset', true);
}

function hmsetCommand(c: Client, argv: string[]): void {
  hsetGeneric(c, argv, 'hmset', false);
}

function hsetnxCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const o = lookupWriteOrCreate(c, key);
  if (o === null) return;
  const h = o.value as RHash;
  if (h.has(argv[2])) {
    c.addInt(0);
    return;
  }
  const lim = c.server.encodingLimits;
  if (h.map === null && hashArgsNeedHashtable(argv, 2, 3, lim)) hashToHashtable(o, h);
  hashSet(o, h, argv[2], argv[3], lim);
  c.modified(key, NOTIFY_HASH, 'hset');
  c.addInt(1);
}

// ---- reads ---------------------------------------------------------------------------

function hgetCommand(c: Client, argv: string[]): void {
  const o = lookupReadOrReply(c, argv[1], ObjType.Hash, MISS_NULL);
  if (o === null) return;
  const v = (o.value as RHash).get(argv[2]);
  if (v === undefined) c.addNull();
  else c.addBulk(v);
}

function hmgetCommand(c: Client, argv: string[]): void {
  const o = lookupRead(c, argv[1], ObjType.Hash);
  if (o === null) return;
  const h = o === undefined ? null : (o.value as RHash);
  const nil = c.resp === 2 ? '$-1\r\n' : '_\r\n';
  let s = '*' + (argv.length - 2) + '\r\n';
  for (let i = 2; i < argv.length; i++) {
    const v = h === null ? undefined : h.get(argv[i]);
    s += v === undefined ? nil : bulk(v);
  }
  c.write(s);
}

/** Looks a hash up for a read that answers `miss` (a MISS_* of lookup.ts) when it is missing; null when replied. */
function readHashOr(c: Client, key: string, miss: number): RHash | null {
  const o = lookupReadOrReply(c, key, ObjType.Hash, miss);
  return o === null ? null : (o.value as RHash);
}

function hlenCommand(c: Client, argv: string[]): void {
  const h = readHashOr(c, argv[1], MISS_ZERO);
  if (h !== null) c.addInt(h.size);
}

function hstrlenCommand(c: Client, argv: string[]): void {
  const h = readHashOr(c, argv[1], MISS_ZERO);
  if (h === null) return;
  const len = h.valueLength(argv[2]);
  c.addInt(len < 0 ? 0 : len);
}

function hexistsCommand(c: Client, argv: string[]): void {
  const h = readHashOr(c, argv[1], MISS_ZERO);
  if (h !== null) c.addInt(h.has(argv[2]) ? 1 : 0);
}

function hkeysCommand(c: Client, argv: string[]): void {
  const h = readHashOr(c, argv[1], MISS_EMPTY_ARRAY);
  if (h === null) return;
  let s = '*' + h.size + '\r\n';
  if (h.map !== null) for (const f of h.map.keys()) s += bulk(f);
  else {
    const a = h.fieldArray();
    for (let i = 0; i < a.length; i++) s += bulk(a[i]);
  }
  c.write(s);
}

function hvalsCommand(c: Client, argv: string[]): void {
  const h = readHashOr(c, argv[1], MISS_EMPTY_ARRAY);
  if (h === null) return;
  let s = '*' + h.size + '\r\n';
  if (h.map !== null) for (const v of h.map.values()) s += bulk(v);
  else {
    const a = h.valueArray();
    for (let i = 0; i < a.length; i++) s += bulk(a[i]);
  }
  c.write(s);
}

function hgetallCommand(c: Client, argv: string[]): void {
  const h = readHashOr(c, argv[1], MISS_EMPTY_MAP);
  if (h === null) return;
  let s = c.resp === 3 ? '%' + h.size + '\r\n' : '*' + 2 * h.size + '\r\n';
  if (h.map !== null) for (const [f, v] of h.map) s += bulk(f) + bulk(v);
  else {
    const a = h.flat();
    for (let i = 0; i < a.length; i++) s += bulk(a[i]);
  }
  c.write(s);
}

// ---- HDEL ----------------------------------------------------------------------------

function hdelCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const o = lookupWriteOrReply(c, key, ObjType.Hash, MISS_ZERO);
  if (o === null) return;
  const h = o.value as RHash;
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < argv.length; i++) {
    if (hashDelete(h, argv[i])) {
      deleted++;
      if (h.size === 0) {
        c.db.delete(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    c.modified(key, NOTIFY_HASH, 'hdel', deleted);
    if (removed) c.modified(key, NOTIFY_GENERIC, 'del', 0);
  }
  c.addInt(deleted);
}

// ---- HINCRBY HINCRBYFLOAT --------------------------------------------------------------

/** Strict int64 (string2ll); a number when |v| < 2^53, else a bigint; null when invalid. */
function parseLL(s: string): number | bigint | null {
  if (s.length <= 15) return parseIntArg(s);
  const b = parseInt64(s);
  if (b === null) return null;
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : b;
}

const I64_MAX = 9223372036854775807n;
const I64_MIN = -9223372036854775808n;
const HALF_LONG_MAX = 4611686018427387903n;

function hincrbyCommand(c: Client, argv: string[]): void {
  const incr = parseLL(argv[3]);
  if (incr === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  const key = argv[1];
  const field = argv[2];
  const o = lookupWriteOrCreate(c, key);
  if (o === null) return;
  const h = o.value as RHash;
  const cur = h.get(field);
  let old: number | bigint = 0;
  if (cur !== undefined) {
    const v = parseLL(cur);
    if (v === null) {
      c.addError('ERR hash value is not an integer');
      return;
    }
    old = v;
  }
  let result: number | bigint;
  if (typeof old === 'number' && typeof incr === 'number' && Number.isSafeInteger(old + incr)) {
    result = old + incr;
  } else {
    const r = BigInt(old) + BigInt(incr);
    if (r > I64_MAX || r < I64_MIN) {
      c.addError('ERR increment or decrement would overflow');
      return;
    }
    result = r;
  }
  const text = String(result);
  hashSet(o, h, field, text, c.server.encodingLimits);
  c.modified(key, NOTIFY_HASH, 'hincrby');
  c.write(':' + text + '\r\n');
}

function hincrbyfloatCommand(c: Client, argv: string[]): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) {
    c.addError('ERR value is not a valid float');
    return;
  }
  if (incr.inf) {
    c.addError('ERR value is NaN or Infinity');
    return;
  }
  const key = argv[1];
  const field = argv[2];
  const o = lookupWriteOrCreate(c, key);
  if (o === null) return;
  const h = o.value as RHash;
  const cur = h.get(field);
  let sum = incr;
  if (cur !== undefined) {
    const v = parseLongDouble(cur);
    if (v === null) {
      c.addError('ERR hash value is not a float');
      return;
    }
    sum = addLongDouble(v, incr);
  } else {
    sum = addLongDouble({ neg: false, m: 0n, e: 0, inf: false }, incr);
  }
  if (sum.inf) {
    c.addError('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatLongDoubleHuman(sum);
  hashSet(o, h, field, text, c.server.encodingLimits);
  c.modified(key, NOTIFY_HASH, 'hincrbyfloat');
  c.addBulk(text);
  // Replicas and the AOF get the final value, never the increment.
  c.rewriteArgv(['HSET', key, field, text]);
}

// ---- HRANDFIELD ------------------------------------------------------------------------

/** Below this size random picks walk the Map instead of building an index. */
const SMALL = 16;

/**
 * A reply longer than this is not built: the client is closed instead, as Redis
 * closes a client whose output passes its limits while it writes a huge random reply
 * (HRANDFIELD/SRANDMEMBER with a huge negative count). V8 cannot hold more anyway.
 */
export const MAX_RANDOM_REPLY_BYTES = 256 * 1024 * 1024;

/** Parses a count as getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX); null when replied. */
export function parseRandomCount(c: Client, s: string): number | null {
  const v = s.length <= 15 ? parseIntArg(s) : parseInt64(s);
  if (v === null) {
    c.addError(ERR_NOT_INT);
    return null;
  }
  if (typeof v === 'bigint') {
    if (v < -I64_MAX) {
      c.addError('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
      return null;
    }
    return Number(v);
  }
  return v;
}

/** The fields of a hashtable-encoded hash as an array to sample from (its index when big). */
function mapFieldArray(m: Map<string, string>): string[] {
  return m.size > SMALL ? scanIndexFor(m).keys : Array.from(m.keys());
}

function eqWord(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

function hrandfieldCommand(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const l = parseRandomCount(c, argv[2]);
    if (l === null) return;
    let withValues = false;
    if (argv.length > 4 || (argv.length === 4 && !eqWord(argv[3], 'withvalues'))) {
      c.addError(ERR_SYNTAX);
      return;
    } else if (argv.length === 4) {
      withValues = true;
      // |count| * 2 must fit a long: an exact comparison (beyond 2^53 numbers round).
      const exact = argv[2].length <= 15 ? BigInt(l) : parseInt64(argv[2])!;
      if (exact < -HALF_LONG_MAX || exact > HALF_LONG_MAX) {
        c.addError('ERR value is out of range');
        return;
      }
    }
    hrandfieldWithCount(c, argv[1], l, withValues);
    return;
  }
  const o = lookupReadOrReply(c, argv[1], ObjType.Hash, MISS_NULL);
  if (o === null) return;
  const h = o.value as RHash;
  c.addBulk(randomField(h));
}

function randomField(h: RHash): string {
  const m = h.map;
  if (m === null) {
    const a = h.fieldArray();
    return a[Math.floor(Math.random() * a.length)];
  }
  const n = m.size;
  if (n > SMALL) return scanIndexFor(m).random();
  let r = Math.floor(Math.random() * n);
  for (const f of m.keys()) if (r-- === 0) return f;
  throw new Error('empty hash');
}

function hrandfieldWithCount(c: Client, key: string, l: number, withValues: boolean): void {
  const o = lookupReadOrReply(c, key, ObjType.Hash, MISS_EMPTY_ARRAY);
  if (o === null) return;
  const h = o.value as RHash;
  const size = h.size;
  const uniq = l >= 0;
  const count = uniq ? l : -l;
  if (count === 0) {
    c.addEmptyArray();
    return;
  }
  const resp3 = c.resp === 3;
  const pairHdr = withValues && resp3 ? '*2\r\n' : '';

  // A listpack hash is sampled from its unpacked pairs [f0, v0, f1, v1, ...].
  const m = h.map;
  const pairs = m === null ? h.flat() : null;

  // Repetitions allowed (negative count), or a single field.
  if (!uniq || count === 1) {
    c.addArrayLen(withValues && !resp3 ? count * 2 : count);
    const fields = pairs === null ? mapFieldArray(m!) : null;
    const n = pairs === null ? fields!.length : pairs.length >>> 1;
    let s = '';
    for (let i = 0; i < count; i++) {
      const r = Math.floor(Math.random() * n);
      if (pairs !== null) {
        s += pairHdr + bulk(pairs[2 * r]);
        if (withValues) s += bulk(pairs[2 * r + 1]);
      } else {
        const f = fields![r];
        s += pairHdr + bulk(f);
        if (withValues) s += bulk(m!.get(f)!);
      }
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

  const replySize = count < size ? count : size;
  c.addArrayLen(withValues && !resp3 ? replySize * 2 : replySize);
  let s = '';
  if (pairs !== null) {
    // listpack: the whole hash, or `count` distinct pairs kept in listpack order like
    // Redis's lpRandomPairsUnique (selection sampling: each pair is taken with
    // probability needed / remaining, which makes every subset equally likely).
    const np = pairs.length >>> 1;
    let need = count < np ? count : np;
    for (let i = 0; i < np && need > 0; i++) {
      if (need < np - i && Math.random() * (np - i) >= need) continue;
      need--;
      s += pairHdr + bulk(pairs[2 * i]);
      if (withValues) s += bulk(pairs[2 * i + 1]);
    }
  } else if (count >= size) {
    // The whole hash.
    for (const [f, v] of m!) {
      s += pairHdr + bulk(f);
      if (withValues) s += bulk(v);
    }
  } else {
    for (const f of sampleDistinct(mapFieldArray(m!), count)) {
      s += pairHdr + bulk(f);
      if (withValues) s += bulk(m!.get(f)!);
    }
  }
  c.write(s);
}

/**
 * `count` distinct members of `arr` (count < arr.length), uniformly. When count is
 * close to the size, a partial shuffle of a copy; otherwise random picks until
 * enough distinct ones were drawn (Redis's CASE 3 / CASE 4).
 */
export function sampleDistinct(arr: readonly string[], count: number): Iterable<string> {
  const n = arr.length;
  if (count * 3 > n) {
    const copy = arr.slice();
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (n - i));
      const t = copy[i];
      copy[i] = copy[j];
      copy[j] = t;
    }
    copy.length = count;
    return copy;
  }
  const picked = new Set<string>();
  while (picked.size < count) picked.add(arr[Math.floor(Math.random() * n)]);
  return picked;
}

// ---- HSCAN ---------------------------------------------------------------------------

function hscanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(c, argv[2]);
  if (cursor < 0) return;
  const o = lookupReadOrReply(c, argv[1], ObjType.Hash, MISS_EMPTY_SCAN);
  if (o === null) return;
  const opts = parseScanOptions(c, argv, 3);
  if (opts === null) return;
  const h = o.value as RHash;
  const match = opts.match;
  const items: string[] = [];
  const m = h.map;
  if (m === null) {
    // listpack: everything in one call, whatever the cursor.
    const a = h.flat();
    if (match === null) {
      addScanReply(c, 0, a);
      return;
    }
    for (let i = 0; i < a.length; i += 2) {
      if (match(a[i])) items.push(a[i], a[i + 1]);
    }
    addScanReply(c, 0, items);
    return;
  }
  const fields: string[] = [];
  const next = scanIndexFor(m).scan(cursor, opts.count, fields);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (match === null || match(f)) items.push(f, m.get(f)!);
  }
  addScanReply(c, next, items);
}

// ---- the table -----------------------------------------------------------------------

const WF = ['write', 'hash', 'fast'];
const RF = ['read', 'hash', 'fast'];
/** CommandSpec extras plus the COMMAND INFO tips the core reads from `tips`. */
type Extra = Partial<CommandSpec> & { tips?: string[] };
const x = (extra: Extra): Partial<CommandSpec> => extra;

const RS = ['read', 'hash', 'slow'];

export const COMMANDS: CommandSpec[] = [
  cmd('hset', -4, ['write', 'denyoom', 'fast'], [1, 1, 1], 'hash', WF, hsetCommand, {
    since: '2.0.0',
    summary: 'Creates or modifies the value of a field in a hash.',
    complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
  }),
  cmd('hsetnx', 4, ['write', 'denyoom', 'fast'], [1, 1, 1], 'hash', WF, hsetnxCommand, {
    since: '2.0.0',
    summary: "Sets the value of a field in a hash only when the field doesn't exist.",
    complexity: 'O(1)',
  }),
  cmd('hmset', -4, ['write', 'denyoom', 'fast'], [1, 1, 1], 'hash', WF, hmsetCommand, {
    since: '2.0.0',
    summary: 'Sets the values of multiple fields.',
    complexity: 'O(N) where N is the number of fields being set.',
  }),
  cmd('hget', 3, ['readonly', 'fast'], [1, 1, 1], 'hash', RF, hgetCommand, {
    since: '2.0.0',
    summary: 'Returns the value of a field in a hash.',
    complexity: 'O(1)',
  }),
  cmd('hmget', -3, ['readonly', 'fast'], [1, 1, 1], 'hash', RF, hmgetCommand, {
    since: '2.0.0',
    summary: 'Returns the values of all fields in a hash.',
    complexity: 'O(N) where N is the number of fields being requested.',
  }),
  cmd('hdel', -3, ['write', 'fast'], [1, 1, 1], 'hash', WF, hdelCommand, {
    since: '2.0.0',
    summary: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.',
    complexity: 'O(N) where N is the number of fields to be removed.',
  }),
  cmd('hlen', 2, ['readonly', 'fast'], [1, 1, 1], 'hash', RF, hlenCommand, {
    since: '2.0.0',
    summary: 'Returns the number of fields in a hash.',
    complexity: 'O(1)',
  }),
  cmd('hstrlen', 3, ['readonly', 'fast'], [1, 1, 1], 'hash', RF, hstrlenCommand, {
    since: '3.2.0',
    summary: 'Returns the length of the value of a field.',
    complexity: 'O(1)',
  }),
  cmd('hexists', 3, ['readonly', 'fast'], [1, 1, 1], 'hash', RF, hexistsCommand, {
    since: '2.0.0',
    summary: 'Determines whether a field exists in a hash.',
    complexity: 'O(1)',
  }),
  cmd('hkeys', 2, ['readonly'], [1, 1, 1], 'hash', RS, hkeysCommand, x({
    since: '2.0.0',
    tips: ['nondeterministic_output_order'],
    summary: 'Returns all fields in a hash.',
    complexity: 'O(N) where N is the size of the hash.',
  })),
  cmd('hvals', 2, ['readonly'], [1, 1, 1], 'hash', RS, hvalsCommand, x({
    since: '2.0.0',
    tips: ['nondeterministic_output_order'],
    summary: 'Returns all values in a hash.',
    complexity: 'O(N) where N is the size of the hash.',
  })),
  cmd('hgetall', 2, ['readonly'], [1, 1, 1], 'hash', RS, hgetallCommand, x({
    since: '2.0.0',
    tips: ['nondeterministic_output_order'],
    summary: 'Returns all fields and values in a hash.',
    complexity: 'O(N) where N is the size of the hash.',
  })),
  cmd('hincrby', 4, ['write', 'denyoom', 'fast'], [1, 1, 1], 'hash', WF, hincrbyCommand, {
    since: '2.0.0',
    summary: 'Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn\'t exist.',
    complexity: 'O(1)',
  }),
  cmd('hincrbyfloat', 4, ['write', 'denyoom', 'fast'], [1, 1, 1], 'hash', WF, hincrbyfloatCommand, {
    since: '2.6.0',
    summary: 'Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn\'t exist.',
    complexity: 'O(1)',
  }),
  cmd('hrandfield', -2, ['readonly'], [1, 1, 1], 'hash', RS, hrandfieldCommand, x({
    since: '6.2.0',
    tips: ['nondeterministic_output'],
    summary: 'Returns one or more random fields from a hash.',
    complexity: 'O(N) where N is the number of fields returned',
  })),
  cmd('hscan', -3, ['readonly'], [1, 1, 1], 'hash', RS, hscanCommand, x({
    since: '2.8.0',
    tips: ['nondeterministic_output'],
    summary: 'Iterates over fields and values of a hash.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  })),
];
