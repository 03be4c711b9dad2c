// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LSET LRANGE LTRIM
// LREM LINSERT LPOS LMOVE RPOPLPUSH LMPOP, and the blocking BLPOP BRPOP BRPOPLPUSH
// BLMOVE BLMPOP.
//
// Replies, errors, argument-parsing order, keyspace notifications and propagation
// follow Redis 7.2:
// - an aggregate emptied by a pop/trim/remove is deleted at once, with a "del"
//   notification after the command's own event;
// - LMPOP and a served BLPOP/BRPOP/BLMPOP propagate as LPOP/RPOP key [count],
//   BLMOVE/BRPOPLPUSH as LMOVE/RPOPLPUSH (the non-blocking form, so a replica or
//   the AOF never blocks);
// - the encoding (OBJECT ENCODING) is updated after every write with the config
//   list-max-listpack-size; where Redis checks for a conversion before a write that
//   may not happen (LINSERT with a missing pivot, LSET out of range) the same check
//   is made by probing.
//
// Blocking. A blocking command that finds nothing parks the client with c.block();
// when one of its keys is created the server runs the same handler again with the
// same argv array. The deadline must not move on such a re-execution, so the
// absolute deadline of the first block is remembered per client together with the
// argv array it belongs to (a new command always comes with a new array).
//
// Timeouts are parsed as Redis does: strtold (x87 80-bit long double), times 1000
// in long double arithmetic, rounded up to whole milliseconds. The exact rounding
// decides between e.g. "-0.001" (rounds to 0: block forever) and "-0.002" (a
// negative timeout error), so decimal timeouts are rounded with exact BigInt
// arithmetic to a 64-bit significand (cached per string).

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { replyBuf } from '../protocol/reply.js';
import { ObjType, RObj } from '../types/object.js';
import { RList } from '../types/list.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../keyspace/notify.js';
import { parseIntArg } from '../util/numbers.js';
import { blockDeadline, blockServed, distinctKeys, parseTimeout } from './blocking-util.js';
import {
  MISS_NULL,
  MISS_ZERO,
  MISS_EMPTY_ARRAY,
  MISS_OK,
  lookupRead,
  lookupReadOrReply,
  lookupWrite,
  lookupWriteOrReply,
} from './lookup.js';

const HEAD = 0;
const TAIL = 1;

const ERR_SYNTAX = 'ERR syntax error';
const ERR_NOT_INT = 'ERR value is not an integer or out of range';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_NO_KEY = 'ERR no such key';
const ERR_INDEX = 'ERR index out of range';
const ERR_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const ERR_RANK_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const ERR_COUNT_NEG = "ERR COUNT can't be negative";
const ERR_MAXLEN_NEG = "ERR MAXLEN can't be negative";
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT_POS = 'ERR count should be greater than 0';

const LLONG_MIN_STR = '-9223372036854775808';

// ---- helpers --------------------------------------------------------------------------

/** ASCII case-insensitive comparison of `s` with the lower-case word `w` (letters only). */
function eqWord(s: string, w: string): boolean {
  const n = w.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) | 0x20) !== w.charCodeAt(i)) return false;
  return true;
}

/** LEFT -> HEAD, RIGHT -> TAIL, anything else -1. */
function parseWhere(s: string): number {
  if (eqWord(s, 'left')) return HEAD;
  if (eqWord(s, 'right')) return TAIL;
  return -1;
}

function listFill(c: Client): number {
  return c.server.encodingLimits.listMaxListpackSize;
}

function newList(c: Client, key: string): RList {
  const list = new RList();
  c.db.add(key, new RObj(ObjType.List, list, c.server.ks.initialLru()));
  return list;
}

/**
 * Redis checks whether a listpack must become a quicklist before writes whose
 * outcome is not known yet (LINSERT, LSET), as if the element were appended. The
 * same check, by appending and removing the element.
 */
function probeGrow(list: RList, v: string, fill: number): void {
  if (list.encodedAsQuicklist) return;
  list.pushTail(v);
  list.updateEncoding(fill, 'grow');
  list.popTail();
}

/**
 * After elements were popped from `key`: the pop notification, then the key's
 * deletion (with "del") when the list is empty, or a shrinking encoding check.
 */
function elementsRemoved(c: Client, key: string, where: number, list: RList, count: number): void {
  c.modified(key, NOTIFY_LIST, where === HEAD ? 'lpop' : 'rpop', count);
  if (list.length === 0) {
    c.db.delete(key);
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.db.id);
  } else {
    list.updateEncoding(listFill(c), 'shrink');
  }
}

/** After elements were removed by LREM/LTRIM (the event was already fired). */
function deleteIfEmpty(c: Client, key: string, list: RList): void {
  if (list.length === 0) {
    c.db.delete(key);
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.db.id);
  } else {
    list.updateEncoding(listFill(c), 'shrink');
  }
}

/** Pops `n` (<= length) elements from one end and returns them as an array reply string. */
function popRangeReply(list: RList, where: number, n: number): string {
  let s = '*' + n + '\r\n';
  if (where === HEAD) {
    for (let i = 0; i < n; i++) {
      const v = list.popHead() as string;
      s += '$' + v.length + '\r\n' + v + '\r\n';
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = list.popTail() as string;
      s += '$' + v.length + '\r\n' + v + '\r\n';
    }
  }
  return s;
}

/**
 * LMPOP/BLMPOP reply: [key, [elements...]] with up to `count` elements popped from
 * `where`; the list is deleted when emptied; propagated as LPOP/RPOP key n.
 */
function popRangeWithKey(c: Client, key: string, list: RList, where: number, count: number): void {
  const n = count > list.length ? list.length : count;
  c.write('*2\r\n$' + key.length + '\r\n' + key + '\r\n' + popRangeReply(list, where, n));
  elementsRemoved(c, key, where, list, n);
  c.rewriteArgv([where === HEAD ? 'LPOP' : 'RPOP', key, String(n)]);
}

// ---- push -----------------------------------------------------------------------------

function pushGeneric(c: Client, argv: string[], where: number, xx: boolean): void {
  const key = argv[1];
  const o = lookupWrite(c, key, ObjType.List);
  if (o === null) return;
  let list: RList;
  if (o === undefined) {
    if (xx) {
      c.addInt(0);
      return;
    }
    list = newList(c, key);
  } else {
    list = o.value as RList;
  }
  const n = argv.length;
  if (where === HEAD) for (let j = 2; j < n; j++) list.pushHead(argv[j]);
  else for (let j = 2; j < n; j++) list.pushTail(argv[j]);
  // A quicklist never converts back on growth: no need to look at the limits.
  if (!list.encodedAsQuicklist) list.updateEncoding(listFill(c), 'grow');
  c.addInt(list.length);
  c.modified(key, NOTIFY_LIST, where === HEAD ? 'lpush' : 'rpush', n - 2);
}

function lpushCommand(c: Client, argv: string[]): void {
  pushGeneric(c, argv, HEAD, false);
}
function rpushCommand(c: Client, argv: string[]): void {
  pushGeneric(c, argv, TAIL, false);
}
function lpushxCommand(c: Client, argv: string[]): void {
  pushGeneric(c, argv, HEAD, true);
}
function rpushxCommand(c: Client, argv: string[]): void {
  pushGeneric(c, argv, TAIL, true);
}

// ---- pop ------------------------------------------------------------------------------

function popGeneric(c: Client, argv: string[], where: number): void {
  if (argv.length > 3) {
    c.addError(`ERR wrong number of arguments for '${where === HEAD ? 'lpop' : 'rpop'}' command`);
    return;
  }
  let count = -1; // -1: no count argument (single bulk reply)
  if (argv.length === 3) {
    const n = parseIntArg(argv[2]);
    if (n === null || n < 0) {
      c.addError(ERR_POSITIVE);
      return;
    }
    count = n;
  }
  const key = argv[1];
  const o = lookupWrite(c, key, ObjType.List);
  if (o === null) return;
  if (o === undefined) {
    if (count === -1) c.addNull();
    else c.addNullArray();
    return;
  }
  const list = o.value as RList;
  if (count === 0) {
    c.addEmptyArray();
    return;
  }
  if (count === -1) {
    c.addBulk((where === HEAD ? list.popHead() : list.popTail()) as string);
    elementsRemoved(c, key, where, list, 1);
    return;
  }
  const n = count > list.length ? list.length : count;
  c.write(popRangeReply(list, where, n));
  elementsRemoved(c, key, where, list, n);
}

function lpopCommand(c: Client, argv: string[]): void {
  popGeneric(c, argv, HEAD);
}
function rpopCommand(c: Client, argv: string[]): void {
  popGeneric(c, argv, TAIL);
}

// ---- reads ----------------------------------------------------------------------------

function llenCommand(c: Client, argv: string[]): void {
  const o = lookupReadOrReply(c, argv[1], ObjType.List, MISS_ZERO);
  if (o !== null) c.addInt((o.value as RList).length);
}

function lindexCommand(c: Client, argv: string[]): void {
  const o = lookupReadOrReply(c, argv[1], ObjType.List, MISS_NULL);
  if (o === null) return;
  let index = parseIntArg(argv[2]);
  if (index === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  const list = o.value as RList;
  if (index < 0) index += list.length;
  c.addBulkOrNull(list.at(index));
}

function lrangeCommand(c: Client, argv: string[]): void {
  let start = parseIntArg(argv[2]);
  let end = parseIntArg(argv[3]);
  if (start === null || end === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  const o = lookupReadOrReply(c, argv[1], ObjType.List, MISS_EMPTY_ARRAY);
  if (o === null) return;
  const list = o.value as RList;
  const llen = list.length;
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    c.addEmptyArray();
    return;
  }
  if (end >= llen) end = llen - 1;
  replyBuf.beginArray(end - start + 1);
  for (let i = start; i <= end; i++) replyBuf.bulk(list.at(i) as string);
  c.write(replyBuf.finish());
}

function lposCommand(c: Client, argv: string[]): void {
  const ele = argv[2];
  let rank = 1;
  let count = -1; // -1: COUNT not given
  let maxlen = 0;
  const argc = argv.length;
  for (let j = 3; j < argc; j++) {
    const opt = argv[j];
    const more = argc - 1 - j;
    if (more > 0 && eqWord(opt, 'rank')) {
      j++;
      const r = parseIntArg(argv[j]);
      if (r === null) {
        c.addError(ERR_NOT_INT);
        return;
      }
      if (argv[j] === LLONG_MIN_STR) {
        c.addError(ERR_RANK_RANGE);
        return;
      }
      if (r === 0) {
        c.addError(ERR_RANK_ZERO);
        return;
      }
      rank = r;
    } else if (more > 0 && eqWord(opt, 'count')) {
      j++;
      const n = parseIntArg(argv[j]);
      if (n === null || n < 0) {
        c.addError(ERR_COUNT_NEG);
        return;
      }
      count = n;
    } else if (more > 0 && eqWord(opt, 'maxlen')) {
      j++;
      const n = parseIntArg(argv[j]);
      if (n === null || n < 0) {
        c.addError(ERR_MAXLEN_NEG);
        return;
      }
      maxlen = n;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  let reverse = false;
  if (rank < 0) {
    rank = -rank;
    reverse = true;
  }
  const o = lookupRead(c, argv[1], ObjType.List);
  if (o === null) return;
  if (o === undefined) {
    if (count !== -1) c.addEmptyArray();
    else c.addNull();
    return;
  }
  const list = o.value as RList;
  const llen = list.length;
  const limit = maxlen === 0 || maxlen > llen ? llen : maxlen;
  let matches = 0;
  if (count === -1) {
    for (let index = 0; index < limit; index++) {
      const pos = reverse ? llen - 1 - index : index;
      if (list.at(pos) === ele && ++matches >= rank) {
        c.addInt(pos);
        return;
      }
    }
    c.addNull();
    return;
  }
  let found = 0;
  let s = '';
  for (let index = 0; index < limit; index++) {
    const pos = reverse ? llen - 1 - index : index;
    if (list.at(pos) === ele && ++matches >= rank) {
      found++;
      s += ':' + pos + '\r\n';
      if (count !== 0 && found >= count) break;
    }
  }
  c.write('*' + found + '\r\n' + s);
}

// ---- in-place writes --------------------------------------------------------------------

function lsetCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const o = lookupWrite(c, key, ObjType.List);
  if (o === null) return;
  if (o === undefined) {
    c.addError(ERR_NO_KEY);
    return;
  }
  let index = parseIntArg(argv[2]);
  if (index === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  const list = o.value as RList;
  const value = argv[3];
  const fill = listFill(c);
  probeGrow(list, value, fill);
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) {
    c.addError(ERR_INDEX);
    return;
  }
  list.set(index, value);
  list.updateEncoding(fill, 'shrink');
  c.addOk();
  c.modified(key, NOTIFY_LIST, 'lset', 1);
}

function ltrimCommand(c: Client, argv: string[]): void {
  let start = parseIntArg(argv[2]);
  let end = parseIntArg(argv[3]);
  if (start === null || end === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  const key = argv[1];
  const o = lookupWriteOrReply(c, key, ObjType.List, MISS_OK);
  if (o === null) return;
  const list = o.value as RList;
  const llen = list.length;
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  let removed: number;
  if (start > end || start >= llen) {
    removed = llen;
    list.clear();
  } else {
    if (end >= llen) end = llen - 1;
    removed = llen - (end - start + 1);
    if (removed > 0) list.trim(start, end);
  }
  c.modified(key, NOTIFY_LIST, 'ltrim', removed);
  deleteIfEmpty(c, key, list);
  c.addOk();
}

function lremCommand(c: Client, argv: string[]): void {
  const toremove = parseIntArg(argv[2]);
  if (toremove === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  const key = argv[1];
  const o = lookupWriteOrReply(c, key, ObjType.List, MISS_ZERO);
  if (o === null) return;
  const list = o.value as RList;
  // Redis 7.2 negates a count of LONG_MIN into itself, which removes every match
  // (from the tail); RList.remove treats |count| >= length the same way.
  const removed = list.remove(argv[3], toremove);
  if (removed > 0) {
    c.modified(key, NOTIFY_LIST, 'lrem', removed);
    deleteIfEmpty(c, key, list);
  }
  c.addInt(removed);
}

function linsertCommand(c: Client, argv: string[]): void {
  let after: boolean;
  if (eqWord(argv[2], 'after')) after = true;
  else if (eqWord(argv[2], 'before')) after = false;
  else {
    c.addError(ERR_SYNTAX);
    return;
  }
  const key = argv[1];
  const o = lookupWriteOrReply(c, key, ObjType.List, MISS_ZERO);
  if (o === null) return;
  const list = o.value as RList;
  const pivot = argv[3];
  const value = argv[4];
  probeGrow(list, value, listFill(c));
  const llen = list.length;
  for (let i = 0; i < llen; i++) {
    if (list.at(i) === pivot) {
      list.insertAt(after ? i + 1 : i, value);
      c.modified(key, NOTIFY_LIST, 'linsert', 1);
      c.addInt(list.length);
      return;
    }
  }
  c.addInt(-1);
}

// ---- moves ----------------------------------------------------------------------------

/**
 * LMOVE core: pops from argv[1] at `from`, pushes to argv[2] at `to`, replies with
 * the element (or null when the source does not exist). Returns true when an
 * element was moved.
 */
function lmoveGeneric(c: Client, argv: string[], from: number, to: number): boolean {
  const src = argv[1];
  const dst = argv[2];
  const so = lookupWriteOrReply(c, src, ObjType.List, MISS_NULL);
  if (so === null) return false;
  const slist = so.value as RList;
  if (slist.length === 0) {
    // Only a list created empty by a bug or an old RDB could get here.
    c.addNull();
    return false;
  }
  const dobj = lookupWrite(c, dst, ObjType.List);
  if (dobj === null) return false;
  const value = (from === HEAD ? slist.popHead() : slist.popTail()) as string;
  const dlist = dobj === undefined ? newList(c, dst) : (dobj.value as RList);
  if (to === HEAD) dlist.pushHead(value);
  else dlist.pushTail(value);
  dlist.updateEncoding(listFill(c), 'grow');
  c.modified(dst, NOTIFY_LIST, to === HEAD ? 'lpush' : 'rpush', 0);
  c.addBulk(value);
  elementsRemoved(c, src, from, slist, 1);
  return true;
}

function lmoveCommand(c: Client, argv: string[]): void {
  const from = parseWhere(argv[3]);
  const to = from < 0 ? -1 : parseWhere(argv[4]);
  if (to < 0) {
    c.addError(ERR_SYNTAX);
    return;
  }
  lmoveGeneric(c, argv, from, to);
}

function rpoplpushCommand(c: Client, argv: string[]): void {
  lmoveGeneric(c, argv, TAIL, HEAD);
}

function lmpopCommand(c: Client, argv: string[]): void {
  mpopGeneric(c, argv, 1, false);
}

/** LMPOP numkeys key... LEFT|RIGHT [COUNT n]; BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT n]. */
function mpopGeneric(c: Client, argv: string[], numkeysIdx: number, block: boolean): void {
  const numkeys = parseIntArg(argv[numkeysIdx]);
  if (numkeys === null || numkeys < 1) {
    c.addError(ERR_NUMKEYS);
    return;
  }
  const argc = argv.length;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argc) {
    c.addError(ERR_SYNTAX);
    return;
  }
  const where = parseWhere(argv[whereIdx]);
  if (where < 0) {
    c.addError(ERR_SYNTAX);
    return;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argc; j++) {
    if (count === -1 && j < argc - 1 && eqWord(argv[j], 'count')) {
      j++;
      const n = parseIntArg(argv[j]);
      if (n === null || n < 1) {
        c.addError(ERR_COUNT_POS);
        return;
      }
      count = n;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  if (count === -1) count = 1;
  if (block) {
    blockingPopGeneric(c, argv, numkeysIdx + 1, numkeys, where, 1, count);
    return;
  }
  for (let j = 0; j < numkeys; j++) {
    const key = argv[numkeysIdx + 1 + j];
    const o = lookupWrite(c, key, ObjType.List);
    if (o === undefined) continue;
    if (o === null) return;
    const list = o.value as RList;
    if (list.length === 0) continue;
    popRangeWithKey(c, key, list, where, count);
    return;
  }
  c.addNullArray();
}

// ---- blocking -------------------------------------------------------------------------

/**
 * BLPOP/BRPOP (count = -1: [key, element] reply) and BLMPOP (count >= 1:
 * [key, [elements]] reply): pops from the first non-empty key, or blocks.
 */
function blockingPopGeneric(
  c: Client,
  argv: string[],
  firstKey: number,
  numkeys: number,
  where: number,
  timeoutIdx: number,
  count: number,
): void {
  const ms = parseTimeout(c, argv[timeoutIdx]);
  if (ms < 0) return;
  for (let j = 0; j < numkeys; j++) {
    const key = argv[firstKey + j];
    const o = lookupWrite(c, key, ObjType.List);
    if (o === undefined) continue;
    if (o === null) return;
    const list = o.value as RList;
    if (list.length === 0) continue;
    if (count !== -1) {
      popRangeWithKey(c, key, list, where, count);
    } else {
      const v = (where === HEAD ? list.popHead() : list.popTail()) as string;
      c.write('*2\r\n$' + key.length + '\r\n' + key + '\r\n$' + v.length + '\r\n' + v + '\r\n');
      elementsRemoved(c, key, where, list, 1);
      c.rewriteArgv([where === HEAD ? 'LPOP' : 'RPOP', key]);
    }
    blockServed(c);
    return;
  }
  if (c.denyBlocking) {
    c.addNullArray();
    return;
  }
  c.block({
    keys: distinctKeys(argv, firstKey, numkeys),
    timeoutAt: blockDeadline(c, argv, ms),
    type: ObjType.List,
    onTimeout: 'nullarray',
  });
}

function blpopCommand(c: Client, argv: string[]): void {
  blockingPopGeneric(c, argv, 1, argv.length - 2, HEAD, argv.length - 1, -1);
}

function brpopCommand(c: Client, argv: string[]): void {
  blockingPopGeneric(c, argv, 1, argv.length - 2, TAIL, argv.length - 1, -1);
}

function blmpopCommand(c: Client, argv: string[]): void {
  mpopGeneric(c, argv, 2, true);
}

/** BLMOVE/BRPOPLPUSH after argument parsing; `rewrite` is the non-blocking argv to propagate. */
function blmoveGeneric(c: Client, argv: string[], from: number, to: number, ms: number, rewrite: string[]): void {
  const o = lookupWrite(c, argv[1], ObjType.List);
  if (o === null) return;
  if (o === undefined) {
    if (c.denyBlocking) {
      c.addNull();
      return;
    }
    // On timeout Redis answers every list blocking command, BLMOVE included, with a
    // null array (*-1 in RESP2), although BLMOVE answers a null bulk inside MULTI.
    c.block({ keys: [argv[1]], timeoutAt: blockDeadline(c, argv, ms), type: ObjType.List, onTimeout: 'nullarray' });
    return;
  }
  if (lmoveGeneric(c, argv, from, to)) c.rewriteArgv(rewrite);
  blockServed(c);
}

function blmoveCommand(c: Client, argv: string[]): void {
  const from = parseWhere(argv[3]);
  const to = from < 0 ? -1 : parseWhere(argv[4]);
  if (to < 0) {
    c.addError(ERR_SYNTAX);
    return;
  }
  const ms = parseTimeout(c, argv[5]);
  if (ms < 0) return;
  blmoveGeneric(c, argv, from, to, ms, ['LMOVE', argv[1], argv[2], argv[3], argv[4]]);
}

function brpoplpushCommand(c: Client, argv: string[]): void {
  const ms = parseTimeout(c, argv[3]);
  if (ms < 0) return;
  blmoveGeneric(c, argv, TAIL, HEAD, ms, ['RPOPLPUSH', argv[1], argv[2]]);
}

// ---- the table ------------------------------------------------------------------------

const L = 'list';

export const COMMANDS: CommandSpec[] = [
  cmd('blmove', 6, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], L, ['write', 'list', 'slow', 'blocking'], blmoveCommand, {
    since: '6.2.0',
    summary:
      'Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.',
    complexity: 'O(1)',
  }),
  cmd('blmpop', -5, ['write', 'blocking'], [0, 0, 0], L, ['write', 'list', 'slow', 'blocking'], blmpopCommand, {
    since: '7.0.0',
    summary:
      'Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
  }),
  cmd('blpop', -3, ['write', 'noscript', 'blocking'], [1, -2, 1], L, ['write', 'list', 'slow', 'blocking'], blpopCommand, {
    since: '2.0.0',
    summary:
      'Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of provided keys.',
  }),
  cmd('brpop', -3, ['write', 'noscript', 'blocking'], [1, -2, 1], L, ['write', 'list', 'slow', 'blocking'], brpopCommand, {
    since: '2.0.0',
    summary:
      'Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of provided keys.',
  }),
  cmd('brpoplpush', 4, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], L, ['write', 'list', 'slow', 'blocking'], brpoplpushCommand, {
    since: '2.2.0',
    summary:
      'Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(1)',
  }),
  cmd('lindex', 3, ['readonly'], [1, 1, 1], L, ['read', 'list', 'slow'], lindexCommand, {
    since: '1.0.0',
    summary: 'Returns an element from a list by its index.',
    complexity:
      'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
  }),
  cmd('linsert', 5, ['write', 'denyoom'], [1, 1, 1], L, ['write', 'list', 'slow'], linsertCommand, {
    since: '2.2.0',
    summary: 'Inserts an element before or after another element in a list.',
    complexity:
      'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
  }),
  cmd('llen', 2, ['readonly', 'fast'], [1, 1, 1], L, ['read', 'list', 'fast'], llenCommand, {
    since: '1.0.0',
    summary: 'Returns the length of a list.',
    complexity: 'O(1)',
  }),
  cmd('lmove', 5, ['write', 'denyoom'], [1, 2, 1], L, ['write', 'list', 'slow'], lmoveCommand, {
    since: '6.2.0',
    summary: 'Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.',
    complexity: 'O(1)',
  }),
  cmd('lmpop', -4, ['write'], [0, 0, 0], L, ['write', 'list', 'slow'], lmpopCommand, {
    since: '7.0.0',
    summary: 'Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
  }),
  cmd('lpop', -2, ['write', 'fast'], [1, 1, 1], L, ['write', 'list', 'fast'], lpopCommand, {
    since: '1.0.0',
    summary: 'Returns the first elements in a list after removing it. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of elements returned',
  }),
  cmd('lpos', -3, ['readonly'], [1, 1, 1], L, ['read', 'list', 'slow'], lposCommand, {
    since: '6.0.6',
    summary: 'Returns the index of matching elements in a list.',
    complexity:
      'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
  }),
  cmd('lpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], L, ['write', 'list', 'fast'], lpushCommand, {
    since: '1.0.0',
    summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
    complexity:
      'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  }),
  cmd('lpushx', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], L, ['write', 'list', 'fast'], lpushxCommand, {
    since: '2.2.0',
    summary: 'Prepends one or more elements to a list only when the list exists.',
    complexity:
      'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  }),
  cmd('lrange', 4, ['readonly'], [1, 1, 1], L, ['read', 'list', 'slow'], lrangeCommand, {
    since: '1.0.0',
    summary: 'Returns a range of elements from a list.',
    complexity:
      'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
  }),
  cmd('lrem', 4, ['write'], [1, 1, 1], L, ['write', 'list', 'slow'], lremCommand, {
    since: '1.0.0',
    summary: 'Removes elements from a list. Deletes the list if the last element was removed.',
    complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
  }),
  cmd('lset', 4, ['write', 'denyoom'], [1, 1, 1], L, ['write', 'list', 'slow'], lsetCommand, {
    since: '1.0.0',
    summary: 'Sets the value of an element in a list by its index.',
    complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
  }),
  cmd('ltrim', 4, ['write'], [1, 1, 1], L, ['write', 'list', 'slow'], ltrimCommand, {
    since: '1.0.0',
    summary: 'Removes elements from both ends a list. Deletes the list if all elements were trimmed.',
    complexity: 'O(N) where N is the number of elements to be removed by the operation.',
  }),
  cmd('rpop', -2, ['write', 'fast'], [1, 1, 1], L, ['write', 'list', 'fast'], rpopCommand, {
    since: '1.0.0',
    summary: 'Returns and removes the last elements of a list. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of elements returned',
  }),
  cmd('rpoplpush', 3, ['write', 'denyoom'], [1, 2, 1], L, ['write', 'list', 'slow'], rpoplpushCommand, {
    since: '1.2.0',
    summary:
      'Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.',
    complexity: 'O(1)',
  }),
  cmd('rpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], L, ['write', 'list', 'fast'], rpushCommand, {
    since: '1.0.0',
    summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.",
    complexity:
      'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  }),
  cmd('rpushx', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], L, ['write', 'list', 'fast'], rpushxCommand, {
    since: '2.2.0',
    summary: 'Appends an element to a list only when the list exists.',
    complexity:
      'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  }),
];
