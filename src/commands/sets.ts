// Set commands: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SPOP SRANDMEMBER SMOVE
// SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
//
// A set is an RSet (Set<string>). RObj.enc records Redis 7.2's encoding, with the
// transitions of t_set.c replayed member by member (the rules are in
// types/encoding.ts, given the server's encodingLimits):
//
//   SENC_INTSET (3)    intset: every member a canonical int64 string
//   SENC_LISTPACK (2)  listpack: small, short members
//   ENC_BIG (1)        hashtable
//   ENC_COMPACT (0)    not known yet (a set built outside this file, e.g. loaded):
//                      computed from the contents on first use (setStateOf)
//
// Creation (SADD, SMOVE's destination) picks intset when the first member is an
// integer and the number of members given is <= set-max-intset-entries, else
// listpack when that number is <= set-max-listpack-entries, else hashtable. SADD on
// an existing set first converts to hashtable when the number of members given
// exceeds the current encoding's limit. Adding to an intset: an integer keeps it an
// intset until it holds more than set-max-intset-entries (then hashtable); a
// non-integer makes it a listpack if it held fewer than set-max-listpack-entries
// members and every member fits set-max-listpack-value bytes, else a hashtable.
// Adding to a listpack: it stays one while it had fewer than
// set-max-listpack-entries members and the new member fits, else hashtable.
// Removing never converts. The *STORE commands build their result the way Redis
// does (SINTERSTORE starts from an intset or listpack after its smallest input and
// ends as an intset when all members are integers; SUNIONSTORE/SDIFFSTORE start from
// an intset), and SPOP with a count that leaves few members rebuilds the set as
// Redis does (a hashtable set can become a listpack again there, as in Redis).
//
// Random members (SPOP, SRANDMEMBER) and the SSCAN cursor of hashtable sets use the
// ScanIndex of scan-util.ts; every change goes through setAdd / setRemove so the
// index stays in step. SSCAN of an intset or listpack returns everything at once
// with cursor 0, as Redis does.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { ENC_BIG, ENC_COMPACT, ObjType, RObj, WRONGTYPE, type RSet } from '../types/object.js';
import {
  SENC_INTSET,
  SENC_LISTPACK,
  isIntMember,
  setCreateState,
  setStateAfterAdd,
  setStateForHint,
  setStateOf,
  type EncodingLimits,
} from '../types/encoding.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../keyspace/notify.js';
import { parseInt64, parseIntArg } from '../util/numbers.js';
import {
  addScanReply,
  parseScanCursor,
  parseScanOptions,
  scanIndexAdd,
  scanIndexFor,
  scanIndexRemove,
} from './scan-util.js';
import { MAX_RANDOM_REPLY_BYTES, parseRandomCount, sampleDistinct } from './hashes.js';
import {
  MISS_NULL,
  MISS_ZERO,
  MISS_EMPTY_SET,
  MISS_EMPTY_SCAN,
  lookupRead,
  lookupReadOrReply,
  lookupWrite,
  lookupWriteOrReply,
} from './lookup.js';

const ERR_SYNTAX = 'ERR syntax error';

// ---- encoding (the rules are in types/encoding.ts) -----------------------------------

export { setEncoding } from '../types/encoding.js';

/** Adds a member, replaying the encoding transition. */
function setAdd(o: RObj, s: RSet, m: string, lim: EncodingLimits): boolean {
  if (s.has(m)) return false;
  if (o.enc !== ENC_BIG) o.enc = setStateAfterAdd(o.enc, s, s.size, m, lim);
  s.add(m);
  scanIndexAdd(s, m);
  return true;
}

function setRemove(s: RSet, m: string): boolean {
  if (!s.delete(m)) return false;
  scanIndexRemove(s, m);
  return true;
}

/** A new set object in state `enc` holding `s`. */
function newSet(c: Client, s: RSet, enc: number): RObj {
  const o = new RObj(ObjType.Set, s, c.server.ks.initialLru());
  o.enc = enc;
  return o;
}

// ---- helpers -------------------------------------------------------------------------

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

/** A RESP3 set (RESP2 array) of the members. */
function writeSet(c: Client, members: Iterable<string>, n: number): void {
  let s = c.resp === 3 ? '~' + n + '\r\n' : '*' + n + '\r\n';
  for (const m of members) s += bulk(m);
  c.write(s);
}

function eqWord(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

/** Below this size random picks walk the Set instead of building an index. */
const SMALL = 16;

function randomMember(s: RSet): string {
  const n = s.size;
  if (n > SMALL) return scanIndexFor(s).random();
  let r = Math.floor(Math.random() * n);
  for (const m of s) if (r-- === 0) return m;
  throw new Error('empty set');
}

/** The members as an array to sample from (the index itself for big sets: read only). */
function memberArray(s: RSet): string[] {
  return s.size > SMALL ? scanIndexFor(s).keys : Array.from(s);
}

// ---- SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS ---------------------------------------

function saddCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  let o = lookupWrite(c, key, ObjType.Set);
  if (o === null) return;
  const hint = argv.length - 2;
  const lim = c.server.encodingLimits;
  let s: RSet;
  if (o === undefined) {
    s = new Set<string>();
    o = newSet(c, s, setCreateState(argv[2], hint, lim));
    c.db.add(key, o);
  } else {
    s = o.value as RSet;
    // setTypeMaybeConvert: more members given than the encoding can hold.
    if (o.enc !== ENC_BIG) o.enc = setStateForHint(setStateOf(o, lim), hint, lim);
  }
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (setAdd(o, s, argv[i], lim)) added++;
  if (added > 0) c.modified(key, NOTIFY_SET, 'sadd', added);
  c.addInt(added);
}

function sremCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const o = lookupWriteOrReply(c, key, ObjType.Set, MISS_ZERO);
  if (o === null) return;
  const s = o.value as RSet;
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < argv.length; i++) {
    if (setRemove(s, argv[i])) {
      deleted++;
      if (s.size === 0) {
        c.db.delete(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    c.modified(key, NOTIFY_SET, 'srem', deleted);
    if (removed) c.modified(key, NOTIFY_GENERIC, 'del', 0);
  }
  c.addInt(deleted);
}

/** Looks a set up for reading; `undefined` when missing, null after a WRONGTYPE reply. */
function readSet(c: Client, key: string): RSet | undefined | null {
  const o = lookupRead(c, key, ObjType.Set);
  return o === undefined || o === null ? o : (o.value as RSet);
}

function scardCommand(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  c.addInt(s === undefined ? 0 : s.size);
}

function sismemberCommand(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  c.addInt(s !== undefined && s.has(argv[2]) ? 1 : 0);
}

function smismemberCommand(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  let out = '*' + (argv.length - 2) + '\r\n';
  for (let i = 2; i < argv.length; i++) out += s !== undefined && s.has(argv[i]) ? ':1\r\n' : ':0\r\n';
  c.write(out);
}

function smembersCommand(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  if (s === undefined) c.addSetLen(0);
  else writeSet(c, s, s.size);
}

// ---- SMOVE ---------------------------------------------------------------------------

function smoveCommand(c: Client, argv: string[]): void {
  const srcKey = argv[1];
  const dstKey = argv[2];
  const m = argv[3];
  const src = c.db.lookupWrite(srcKey);
  const dst = c.db.lookupWrite(dstKey);
  if (src === undefined) {
    c.addInt(0);
    return;
  }
  if (src.type !== ObjType.Set || (dst !== undefined && dst.type !== ObjType.Set)) {
    c.addError(WRONGTYPE);
    return;
  }
  const ss = src.value as RSet;
  if (src === dst) {
    c.addInt(ss.has(m) ? 1 : 0);
    return;
  }
  if (!setRemove(ss, m)) {
    c.addInt(0);
    return;
  }
  c.modified(srcKey, NOTIFY_SET, 'srem');
  if (ss.size === 0) {
    c.db.delete(srcKey);
    c.modified(srcKey, NOTIFY_GENERIC, 'del', 0);
  }
  const lim = c.server.encodingLimits;
  let d = dst;
  if (d === undefined) {
    d = newSet(c, new Set<string>(), setCreateState(m, 1, lim));
    c.db.add(dstKey, d);
  } else {
    setStateOf(d, lim);
  }
  if (setAdd(d, d.value as RSet, m, lim)) c.modified(dstKey, NOTIFY_SET, 'sadd');
  c.addInt(1);
}

// ---- SPOP SRANDMEMBER --------------------------------------------------------------------

/** How many times the remaining size must exceed the count for one-by-one pops. */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** SPOP with a count propagates SREMs of at most this many members each. */
const SPOP_PROP_BATCH = 1024;

function spopCommand(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    spopWithCount(c, argv);
    return;
  }
  if (argv.length > 3) {
    c.addError(ERR_SYNTAX);
    return;
  }
  const key = argv[1];
  const o = lookupWriteOrReply(c, key, ObjType.Set, MISS_NULL);
  if (o === null) return;
  const s = o.value as RSet;
  const m = randomMember(s);
  setRemove(s, m);
  c.modified(key, NOTIFY_SET, 'spop');
  c.rewriteArgv(['SREM', key, m]);
  c.addBulk(m);
  if (s.size === 0) {
    c.db.delete(key);
    c.modified(key, NOTIFY_GENERIC, 'del', 0);
  }
}

function spopWithCount(c: Client, argv: string[]): void {
  // getPositiveLongFromObjectOrReply: one message for non-integers and negatives.
  const l = parseIntArg(argv[2]);
  if (l === null || l < 0) {
    c.addError('ERR value is out of range, must be positive');
    return;
  }
  const key = argv[1];
  const o = lookupWriteOrReply(c, key, ObjType.Set, MISS_EMPTY_SET);
  if (o === null) return;
  if (l === 0) {
    c.addSetLen(0);
    return;
  }
  const s = o.value as RSet;
  const size = s.size;
  const count = l;
  c.modified(key, NOTIFY_SET, 'spop', count >= size ? size : count);

  // CASE 1: everything goes; propagated as DEL (UNLINK with lazyfree-lazy-server-del).
  if (count >= size) {
    writeSet(c, s, size);
    c.db.delete(key);
    c.modified(key, NOTIFY_GENERIC, 'del', 0);
    c.rewriteArgv([c.server.config.getBool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key]);
    return;
  }

  const popped: string[] = [];
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    // CASE 2: pop random members one by one.
    if (size > SMALL) {
      const ix = scanIndexFor(s);
      for (let i = 0; i < count; i++) {
        const m = ix.random();
        s.delete(m);
        ix.remove(m);
        popped.push(m);
      }
    } else {
      const arr = Array.from(s);
      for (let i = 0; i < count; i++) {
        const j = Math.floor(Math.random() * arr.length);
        const m = arr[j];
        arr[j] = arr[arr.length - 1];
        arr.pop();
        setRemove(s, m);
        popped.push(m);
      }
    }
  } else {
    // CASE 3: pick the few members that stay, pop all the others. Redis builds a new
    // set from the members that stay: a listpack (intset when the set was an intset),
    // which becomes a hashtable again only if they do not fit.
    const lim = c.server.encodingLimits;
    const before = setStateOf(o, lim);
    const keep = sampleDistinct(memberArray(s), remaining);
    const kept = keep instanceof Set ? keep : new Set(keep);
    for (const m of s) if (!kept.has(m)) popped.push(m);
    for (let i = 0; i < popped.length; i++) setRemove(s, popped[i]);
    let st = before === SENC_INTSET ? SENC_INTSET : SENC_LISTPACK;
    let n = 0;
    for (const m of kept) {
      if (st === ENC_BIG) break;
      st = setStateAfterAdd(st, s, n++, m, lim);
    }
    o.enc = st;
  }
  writeSet(c, popped, popped.length);
  for (let i = 0; i < popped.length; i += SPOP_PROP_BATCH) {
    const end = Math.min(popped.length, i + SPOP_PROP_BATCH);
    const prop = ['SREM', key];
    for (let j = i; j < end; j++) prop.push(popped[j]);
    c.alsoPropagate(prop);
  }
  c.preventPropagation();
}

function srandmemberCommand(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    srandmemberWithCount(c, argv);
    return;
  }
  if (argv.length > 3) {
    c.addError(ERR_SYNTAX);
    return;
  }
  const s = readSet(c, argv[1]);
  if (s === null) return;
  if (s === undefined) c.addNull();
  else c.addBulk(randomMember(s));
}

function srandmemberWithCount(c: Client, argv: string[]): void {
  const l = parseRandomCount(c, argv[2]);
  if (l === null) return;
  const s = readSet(c, argv[1]);
  if (s === null) return;
  if (s === undefined) {
    c.addEmptyArray();
    return;
  }
  const uniq = l >= 0;
  const count = uniq ? l : -l;
  if (count === 0) {
    c.addEmptyArray();
    return;
  }
  const size = s.size;
  if (!uniq || count === 1) {
    // Repetitions allowed: independent picks.
    c.addArrayLen(count);
    const arr = memberArray(s);
    const n = arr.length;
    let out = '';
    for (let i = 0; i < count; i++) {
      out += bulk(arr[Math.floor(Math.random() * n)]);
      if ((i & 1023) === 1023) {
        c.write(out);
        out = '';
        if (c.out.length > MAX_RANDOM_REPLY_BYTES) {
          c.server.closeClient(c);
          return;
        }
      }
    }
    c.write(out);
    return;
  }
  if (count >= size) {
    let out = '*' + size + '\r\n';
    for (const m of s) out += bulk(m);
    c.write(out);
    return;
  }
  let out = '*' + count + '\r\n';
  for (const m of sampleDistinct(memberArray(s), count)) out += bulk(m);
  c.write(out);
}

// ---- SINTER SINTERCARD SINTERSTORE ---------------------------------------------------------

/** Result of a *STORE: set it (or delete the destination when empty) and reply. */
function storeResult(c: Client, dstKey: string, s: RSet, enc: number, event: string): void {
  if (s.size > 0) {
    c.db.lookupWrite(dstKey); // expire a logically expired destination first, as setKey does
    c.db.set(dstKey, newSet(c, s, enc));
    c.modified(dstKey, NOTIFY_SET, event);
    c.addInt(s.size);
  } else {
    if (c.db.delete(dstKey)) c.modified(dstKey, NOTIFY_GENERIC, 'del');
    c.addInt(0);
  }
}

function bySize(a: RObj, b: RObj): number {
  return (a.value as RSet).size - (b.value as RSet).size;
}

function sinterGeneric(c: Client, argv: string[], first: number, count: number, dstKey: string | null, cardOnly: boolean, limit: number): void {
  const sets: RObj[] = [];
  let empty = false;
  for (let i = first; i < first + count; i++) {
    const o = lookupRead(c, argv[i], ObjType.Set);
    if (o === null) return;
    if (o === undefined) {
      empty = true;
      continue;
    }
    sets.push(o);
  }
  if (empty) {
    if (dstKey !== null) {
      if (c.db.delete(dstKey)) c.modified(dstKey, NOTIFY_GENERIC, 'del');
      c.addInt(0);
    } else if (cardOnly) {
      c.addInt(0);
    } else {
      c.addSetLen(0);
    }
    return;
  }
  // Smallest first (a stable sort, as glibc's qsort is for small inputs).
  sets.sort(bySize);
  const base = sets[0];
  const others: RSet[] = [];
  for (let j = 1; j < sets.length; j++) if (sets[j] !== base) others.push(sets[j].value as RSet);
  const nOthers = others.length;

  if (cardOnly) {
    let card = 0;
    for (const m of base.value as RSet) {
      let j = 0;
      while (j < nOthers && others[j].has(m)) j++;
      if (j === nOthers) {
        card++;
        if (limit !== 0 && card >= limit) break;
      }
    }
    c.addInt(card);
    return;
  }

  const result: string[] = [];
  for (const m of base.value as RSet) {
    let j = 0;
    while (j < nOthers && others[j].has(m)) j++;
    if (j === nOthers) result.push(m);
  }
  if (dstKey === null) {
    writeSet(c, result, result.length);
    return;
  }
  // SINTERSTORE: the destination starts as an intset when the smallest input is one,
  // else as a listpack, takes the members one by one, and ends as an intset when
  // they are all integers and few enough.
  const lim = c.server.encodingLimits;
  const out = new Set<string>();
  let st = setStateOf(base, lim) === SENC_INTSET ? SENC_INTSET : SENC_LISTPACK;
  let onlyInts = true;
  for (let i = 0; i < result.length; i++) {
    const m = result[i];
    if (onlyInts && !isIntMember(m)) onlyInts = false;
    if (st !== ENC_BIG) st = setStateAfterAdd(st, out, out.size, m, lim);
    out.add(m);
  }
  if (onlyInts && out.size <= lim.setMaxIntsetEntries) st = SENC_INTSET;
  storeResult(c, dstKey, out, st, 'sinterstore');
}

function sinterCommand(c: Client, argv: string[]): void {
  sinterGeneric(c, argv, 1, argv.length - 1, null, false, 0);
}

function sinterstoreCommand(c: Client, argv: string[]): void {
  sinterGeneric(c, argv, 2, argv.length - 2, argv[1], false, 0);
}

/** Parses a long (getLongFromObject) exactly enough for range checks: number, or null. */
function parseLong(s: string): number | bigint | null {
  if (s.length <= 15) return parseIntArg(s);
  return parseInt64(s);
}

function sintercardCommand(c: Client, argv: string[]): void {
  // getRangeLongFromObjectOrReply with a message: the same one for non-integers.
  const nk = parseLong(argv[1]);
  if (nk === null || nk < 1) {
    c.addError('ERR numkeys should be greater than 0');
    return;
  }
  const numkeys = Number(nk);
  if (numkeys > argv.length - 2) {
    c.addError("ERR Number of keys can't be greater than number of args");
    return;
  }
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (eqWord(argv[j], 'limit') && j + 1 < argv.length) {
      j++;
      const v = parseLong(argv[j]);
      if (v === null || v < 0) {
        c.addError("ERR LIMIT can't be negative");
        return;
      }
      limit = Number(v);
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  sinterGeneric(c, argv, 2, numkeys, null, true, limit);
}

// ---- SUNION SDIFF and their STORE variants -------------------------------------------------

/** Decreasing size, missing keys (null) counting as empty. */
function byRevSize(a: RSet | null, b: RSet | null): number {
  return (b === null ? 0 : b.size) - (a === null ? 0 : a.size);
}

const OP_UNION = 0;
const OP_DIFF = 1;

function sunionDiffGeneric(c: Client, argv: string[], first: number, dstKey: string | null, op: number): void {
  const n = argv.length - first;
  const sets: Array<RSet | null> = new Array(n);
  let sameset = false;
  for (let j = 0; j < n; j++) {
    const o = lookupRead(c, argv[first + j], ObjType.Set);
    if (o === null) return;
    if (o === undefined) {
      sets[j] = null;
      continue;
    }
    sets[j] = o.value as RSet;
    if (j > 0 && sets[0] === sets[j]) sameset = true;
  }

  // DIFF algorithm choice, as Redis makes it (it decides the result's encoding).
  let algo = 1;
  const s0 = sets[0];
  if (op === OP_DIFF && s0 !== null && !sameset) {
    let one = 0;
    let two = 0;
    for (let j = 0; j < n; j++) {
      const sj = sets[j];
      if (sj === null) continue;
      one += s0.size;
      two += sj.size;
    }
    one = Math.floor(one / 2);
    algo = one <= two ? 1 : 2;
    if (algo === 1 && n > 1) {
      const rest = sets.slice(1);
      rest.sort(byRevSize);
      for (let j = 1; j < n; j++) sets[j] = rest[j - 1];
    }
  }

  const track = dstKey !== null;
  const lim = c.server.encodingLimits;
  const out = new Set<string>();
  let st = SENC_INTSET; // Redis starts from an intset
  if (op === OP_UNION) {
    for (let j = 0; j < n; j++) {
      const sj = sets[j];
      if (sj === null) continue;
      for (const m of sj) {
        if (out.has(m)) continue;
        if (track && st !== ENC_BIG) st = setStateAfterAdd(st, out, out.size, m, lim);
        out.add(m);
      }
    }
  } else if (sameset || s0 === null) {
    // The first set minus itself, or nothing to subtract from: empty.
  } else if (algo === 1) {
    for (const m of s0) {
      let j = 1;
      for (; j < n; j++) {
        const sj = sets[j];
        if (sj === null) continue;
        if (sj.has(m)) break;
      }
      if (j === n) {
        if (track && st !== ENC_BIG) st = setStateAfterAdd(st, out, out.size, m, lim);
        out.add(m);
      }
    }
  } else {
    for (const m of s0) {
      if (track && st !== ENC_BIG) st = setStateAfterAdd(st, out, out.size, m, lim);
      out.add(m);
    }
    for (let j = 1; j < n && out.size > 0; j++) {
      const sj = sets[j];
      if (sj === null) continue;
      for (const m of sj) out.delete(m);
    }
  }

  if (dstKey === null) {
    writeSet(c, out, out.size);
    return;
  }
  storeResult(c, dstKey, out, st, op === OP_UNION ? 'sunionstore' : 'sdiffstore');
}

function sunionCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, 1, null, OP_UNION);
}

function sunionstoreCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, 2, argv[1], OP_UNION);
}

function sdiffCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, 1, null, OP_DIFF);
}

function sdiffstoreCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, 2, argv[1], OP_DIFF);
}

// ---- SSCAN ---------------------------------------------------------------------------

function sscanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(c, argv[2]);
  if (cursor < 0) return;
  const o = lookupReadOrReply(c, argv[1], ObjType.Set, MISS_EMPTY_SCAN);
  if (o === null) return;
  const opts = parseScanOptions(c, argv, 3);
  if (opts === null) return;
  const s = o.value as RSet;
  const match = opts.match;
  if (o.enc === ENC_COMPACT) setStateOf(o, c.server.encodingLimits);
  if (o.enc !== ENC_BIG) {
    // intset / listpack: everything in one call, whatever the cursor.
    const items: string[] = [];
    for (const m of s) if (match === null || match(m)) items.push(m);
    addScanReply(c, 0, items);
    return;
  }
  const got: string[] = [];
  const next = scanIndexFor(s).scan(cursor, opts.count, got);
  if (match === null) {
    addScanReply(c, next, got);
    return;
  }
  const items: string[] = [];
  for (let i = 0; i < got.length; i++) if (match(got[i])) items.push(got[i]);
  addScanReply(c, next, items);
}

// ---- the table -----------------------------------------------------------------------

const WF = ['write', 'set', 'fast'];
const WS = ['write', 'set', 'slow'];
const RF = ['read', 'set', 'fast'];
/** CommandSpec extras plus the COMMAND INFO tips the core reads from `tips`. */
type Extra = Partial<CommandSpec> & { tips?: string[] };
const x = (extra: Extra): Partial<CommandSpec> => extra;

const RS = ['read', 'set', 'slow'];

export const COMMANDS: CommandSpec[] = [
  cmd('sadd', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'set', WF, saddCommand, {
    since: '1.0.0',
    summary: "Adds one or more members to a set. Creates the key if it doesn't exist.",
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  }),
  cmd('srem', -3, ['write', 'fast'], [1, 1, 1], 'set', WF, sremCommand, {
    since: '1.0.0',
    summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.',
    complexity: 'O(N) where N is the number of members to be removed.',
  }),
  cmd('scard', 2, ['readonly', 'fast'], [1, 1, 1], 'set', RF, scardCommand, {
    since: '1.0.0',
    summary: 'Returns the number of members in a set.',
    complexity: 'O(1)',
  }),
  cmd('sismember', 3, ['readonly', 'fast'], [1, 1, 1], 'set', RF, sismemberCommand, {
    since: '1.0.0',
    summary: 'Determines whether a member belongs to a set.',
    complexity: 'O(1)',
  }),
  cmd('smismember', -3, ['readonly', 'fast'], [1, 1, 1], 'set', RF, smismemberCommand, {
    since: '6.2.0',
    summary: 'Determines whether multiple members belong to a set.',
    complexity: 'O(N) where N is the number of elements being checked for membership',
  }),
  cmd('smembers', 2, ['readonly'], [1, 1, 1], 'set', RS, smembersCommand, x({
    since: '1.0.0',
    tips: ['nondeterministic_output_order'],
    summary: 'Returns all members of a set.',
    complexity: 'O(N) where N is the set cardinality.',
  })),
  cmd('spop', -2, ['write', 'fast'], [1, 1, 1], 'set', WF, spopCommand, x({
    since: '1.0.0',
    tips: ['nondeterministic_output'],
    summary: 'Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
  })),
  cmd('srandmember', -2, ['readonly'], [1, 1, 1], 'set', RS, srandmemberCommand, x({
    since: '1.0.0',
    tips: ['nondeterministic_output'],
    summary: 'Get one or multiple random members from a set',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
  })),
  cmd('smove', 4, ['write', 'fast'], [1, 2, 1], 'set', WF, smoveCommand, {
    since: '1.0.0',
    summary: 'Moves a member from one set to another.',
    complexity: 'O(1)',
  }),
  cmd('sinter', -2, ['readonly'], [1, -1, 1], 'set', RS, sinterCommand, x({
    since: '1.0.0',
    tips: ['nondeterministic_output_order'],
    summary: 'Returns the intersect of multiple sets.',
    complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
  })),
  cmd('sintercard', -3, ['readonly'], [0, 0, 0], 'set', RS, sintercardCommand, {
    since: '7.0.0',
    summary: 'Returns the number of members of the intersect of multiple sets.',
    complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
  }),
  cmd('sinterstore', -3, ['write', 'denyoom'], [1, -1, 1], 'set', WS, sinterstoreCommand, {
    since: '1.0.0',
    summary: 'Stores the intersect of multiple sets in a key.',
    complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
  }),
  cmd('sunion', -2, ['readonly'], [1, -1, 1], 'set', RS, sunionCommand, x({
    since: '1.0.0',
    tips: ['nondeterministic_output_order'],
    summary: 'Returns the union of multiple sets.',
    complexity: 'O(N) where N is the total number of elements in all given sets.',
  })),
  cmd('sunionstore', -3, ['write', 'denyoom'], [1, -1, 1], 'set', WS, sunionstoreCommand, {
    since: '1.0.0',
    summary: 'Stores the union of multiple sets in a key.',
    complexity: 'O(N) where N is the total number of elements in all given sets.',
  }),
  cmd('sdiff', -2, ['readonly'], [1, -1, 1], 'set', RS, sdiffCommand, x({
    since: '1.0.0',
    tips: ['nondeterministic_output_order'],
    summary: 'Returns the difference of multiple sets.',
    complexity: 'O(N) where N is the total number of elements in all given sets.',
  })),
  cmd('sdiffstore', -3, ['write', 'denyoom'], [1, -1, 1], 'set', WS, sdiffstoreCommand, {
    since: '1.0.0',
    summary: 'Stores the difference of multiple sets in a key.',
    complexity: 'O(N) where N is the total number of elements in all given sets.',
  }),
  cmd('sscan', -3, ['readonly'], [1, 1, 1], 'set', RS, sscanCommand, x({
    since: '2.8.0',
    tips: ['nondeterministic_output'],
    summary: 'Iterates over members of a set.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  })),
];
