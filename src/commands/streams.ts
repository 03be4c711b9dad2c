// Stream commands: XADD XRANGE XREVRANGE XLEN XDEL XTRIM XSETID XREAD XREADGROUP XACK
// XPENDING XCLAIM XAUTOCLAIM XINFO (STREAM GROUPS CONSUMERS HELP) XGROUP (CREATE
// SETID DESTROY CREATECONSUMER DELCONSUMER HELP), as Redis 7.2 answers them.
//
// The value is a Stream (types/stream.ts). Argument parsing follows Redis's order of
// checks, so the same bad input gets the same error first.
//
// Propagation, as Redis does it:
//   - XADD with `*` or `<ms>-*` is propagated with the ID it generated; a `~` trim
//     (MAXLEN or MINID) is propagated exact (`=` and the length / first ID it left),
//     so a replica and the AOF trim the same entries whatever their node layout.
//     A command from the primary or the AOF (CLIENT_MASTER, CLIENT_FAKE) ignores
//     LIMIT, as Redis's mustObeyClient.
//   - XREADGROUP is not propagated itself: each entry it adds to a PEL goes as
//     `XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID id`,
//     followed by `XGROUP SETID key group id ENTRIESREAD n`, and a consumer it
//     creates as `XGROUP CREATECONSUMER`. XCLAIM and XAUTOCLAIM propagate the same
//     XCLAIM form per claimed (or dropped) entry.
//
// Blocking (XREAD / XREADGROUP BLOCK) uses the server's machinery (server/blocking.ts):
// the client parks on its keys; a key made ready runs the command again, as Redis
// 7.2 does. Before parking, XREAD's `$` IDs are replaced in the argv by the stream's
// last ID, so the command run again reads what arrived since. XREADGROUP waits with
// unblockOnNoKey: deleting the key or changing its type runs it again too, which
// answers the NOGROUP / WRONGTYPE error of 7.2 (7.0 answered `-UNBLOCKED the stream
// key no longer exists`, see test/diff/streams.test.ts); XGROUP DESTROY signals the
// key, so a client blocked on the destroyed group gets NOGROUP.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { CLIENT_FAKE, CLIENT_MASTER } from './context.js';
import { ObjType, RObj } from '../types/object.js';
import {
  ConsumerGroup,
  Consumer,
  ENTRIES_READ_INVALID,
  ERR_INVALID_ID,
  ID_MAX,
  ID_ZERO,
  Nack,
  Stream,
  TRIM_MAXLEN,
  TRIM_MINID,
  U64_MAX,
  cmpId,
  decrId,
  formatId,
  idIsZero,
  incrId,
  parseStreamId,
  type NodeLimits,
  type ParsedId,
  type StreamEntry,
  type StreamID,
  type StreamNode,
  type TrimArgs,
  type U64,
} from '../types/stream.js';
import { NOTIFY_STREAM } from '../keyspace/notify.js';
import { parseInt64 } from '../util/numbers.js';
import { blockDeadline, blockServed } from './blocking-util.js';
import { lookupRead, lookupReadOrReply, lookupWrite, lookupWriteOrReply, MISS_ZERO, MISS_EMPTY_ARRAY } from './lookup.js';
import { addHelp } from './client-command.js';
import { eqi, ERR_NOT_INT, ERR_SYNTAX } from './strings.js';

const ERR_NO_KEY = 'ERR no such key';

// ---- small helpers ---------------------------------------------------------------------

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

function idBulk(id: StreamID): string {
  return bulk(formatId(id));
}

function entryReply(e: StreamEntry): string {
  let s = '*2\r\n' + idBulk(e.id) + '*' + e.fv.length + '\r\n';
  for (const x of e.fv) s += bulk(x);
  return s;
}

/** A long long argument (getLongLongFromObjectOrReply): a bigint-exact number, or null after replying. */
function longLongOrReply(c: Client, s: string, msg = ERR_NOT_INT): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.addError(msg);
    return null;
  }
  return Number(v);
}

/** Like longLongOrReply, but keeps the exact value (XSETID ENTRIESADDED, XCLAIM TIME). */
function longLongBigOrReply(c: Client, s: string, msg = ERR_NOT_INT): bigint | null {
  const v = parseInt64(s);
  if (v === null) {
    c.addError(msg);
    return null;
  }
  return v;
}

function parseIdOrReply(c: Client, s: string, missingSeq: U64, strict: boolean): ParsedId | null {
  const id = parseStreamId(s, missingSeq, strict, false);
  if (id === null) c.addError(ERR_INVALID_ID);
  return id;
}

/** streamParseIntervalIDOrReply: an ID, `(id` exclusive (strict), `-` / `+`. */
function parseIntervalOrReply(c: Client, s: string, missingSeq: U64): { id: StreamID; ex: boolean } | null {
  const ex = s.length > 1 && s.charCodeAt(0) === 40; // '('
  const id = parseIdOrReply(c, ex ? s.slice(1) : s, missingSeq, ex);
  return id === null ? null : { id, ex };
}

/**
 * The command's time in ms: the keyspace clock, or the wall clock while an AOF is
 * replayed (the loader holds the keyspace clock at 0 so that nothing expires; Redis
 * still stamps delivery and seen times with the real time then).
 */
function streamNow(c: Client): number {
  const now = c.server.ks.now;
  return now > 0 ? now : Date.now();
}

function nodeLimits(c: Client): NodeLimits {
  const cfg = c.server.config;
  return { maxBytes: cfg.getNumber('stream-node-max-bytes'), maxEntries: cfg.getNumber('stream-node-max-entries') };
}

function nogroupKeyGroup(key: string, group: string): string {
  return `NOGROUP No such key '${key}' or consumer group '${group}'`;
}

function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.addError(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}

function newStreamObject(c: Client): RObj {
  return new RObj(ObjType.Stream, new Stream() as never, c.server.ks.initialLru());
}

// ---- XADD / XTRIM --------------------------------------------------------------------------

interface AddTrimArgs extends TrimArgs {
  /** Index of the trim argument (MAXLEN's count / MINID's id), -1 without trimming. */
  trimArgIdx: number;
  noMkstream: boolean;
  idGiven: boolean;
  seqGiven: boolean;
  id: StreamID;
  /** Index of the ID argument (XADD) / of the last option parsed. */
  idx: number;
}

/** streamParseAddOrTrimArgsOrReply: the options of XADD (xadd) or XTRIM; null after replying. */
function parseAddTrim(c: Client, argv: string[], xadd: boolean): AddTrimArgs | null {
  const a: AddTrimArgs = {
    strategy: 0,
    maxlen: -1,
    minid: ID_ZERO,
    approx: false,
    limit: 0,
    trimArgIdx: -1,
    noMkstream: false,
    idGiven: false,
    seqGiven: true,
    id: ID_ZERO,
    idx: 0,
  };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreargs = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt === '*') break;
    const lo = opt.length <= 10 ? opt.toLowerCase() : '';
    if (lo === 'maxlen' && moreargs > 0) {
      if (a.strategy !== 0) {
        c.addError('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      a.approx = false;
      const next = argv[i + 1];
      if (moreargs >= 2 && next === '~') {
        a.approx = true;
        i++;
      } else if (moreargs >= 2 && next === '=') {
        i++;
      }
      const n = longLongOrReply(c, argv[i + 1]);
      if (n === null) return null;
      if (n < 0) {
        c.addError('ERR The MAXLEN argument must be >= 0.');
        return null;
      }
      a.maxlen = n;
      i++;
      a.strategy = TRIM_MAXLEN;
      a.trimArgIdx = i;
    } else if (lo === 'minid' && moreargs > 0) {
      if (a.strategy !== 0) {
        c.addError('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      a.approx = false;
      const next = argv[i + 1];
      if (moreargs >= 2 && next === '~') {
        a.approx = true;
        i++;
      } else if (moreargs >= 2 && next === '=') {
        i++;
      }
      const id = parseIdOrReply(c, argv[i + 1], 0, true);
      if (id === null) return null;
      a.minid = { ms: id.ms, seq: id.seq };
      i++;
      a.strategy = TRIM_MINID;
      a.trimArgIdx = i;
    } else if (lo === 'limit' && moreargs > 0) {
      const n = longLongOrReply(c, argv[i + 1]);
      if (n === null) return null;
      if (n < 0) {
        c.addError('ERR The LIMIT argument must be >= 0.');
        return null;
      }
      a.limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && lo === 'nomkstream') {
      a.noMkstream = true;
    } else if (xadd) {
      const id = parseStreamId(opt, 0, true, true);
      if (id === null) {
        c.addError(ERR_INVALID_ID);
        return null;
      }
      a.id = { ms: id.ms, seq: id.seq };
      a.seqGiven = id.seqGiven;
      a.idGiven = true;
      break;
    } else {
      c.addError(ERR_SYNTAX);
      return null;
    }
  }
  a.idx = i;
  if (a.limit !== 0 && a.strategy === 0) {
    c.addError('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && a.strategy === 0) {
    c.addError('ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if ((c.flags & (CLIENT_MASTER | CLIENT_FAKE)) !== 0) {
    // From the primary or the AOF: trim exactly what the propagated arguments say.
    a.limit = 0;
  } else if (limitGiven) {
    if (!a.approx) {
      c.addError('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return null;
    }
  } else if (a.approx) {
    const maxEntries = c.server.config.getNumber('stream-node-max-entries');
    a.limit = 100 * maxEntries;
    if (a.limit <= 0 || a.limit > 1000000) a.limit = 10000;
  } else {
    a.limit = 0;
  }
  return a;
}

/** After a `~` trim: the argv propagated says `=` and the exact length / first ID left. */
function rewriteApproxTrim(s: Stream, a: AddTrimArgs, out: string[]): void {
  out[a.trimArgIdx - 1] = '=';
  out[a.trimArgIdx] = a.strategy === TRIM_MAXLEN ? String(s.length) : formatId(s.firstIdWithTombstones());
}

function xaddCommand(c: Client, argv: string[]): void {
  const a = parseAddTrim(c, argv, true);
  if (a === null) return;
  const idpos = a.idx;
  const fieldPos = idpos + 1;
  const nargs = argv.length - fieldPos;
  if (nargs < 2 || nargs % 2 === 1) {
    c.addError("ERR wrong number of arguments for 'xadd' command");
    return;
  }
  if (a.idGiven && a.seqGiven && idIsZero(a.id)) {
    c.addError('ERR The ID specified in XADD must be greater than 0-0');
    return;
  }
  const key = argv[1];
  let o = lookupWrite(c, key, ObjType.Stream);
  if (o === null) return;
  if (o === undefined) {
    if (a.noMkstream) {
      c.addNull();
      return;
    }
    o = newStreamObject(c);
    c.db.add(key, o);
  }
  const s = o.value as unknown as Stream;
  const last = s.lastId;
  if (last.ms === U64_MAX && last.seq === U64_MAX) {
    c.addError('ERR The stream has exhausted the last possible ID, unable to add more items');
    return;
  }
  let id: StreamID;
  if (a.idGiven) {
    if (a.seqGiven) {
      id = a.id;
    } else if (last.ms === a.id.ms) {
      if (last.seq === U64_MAX) {
        c.addError('ERR The ID specified in XADD is equal or smaller than the target stream top item');
        return;
      }
      id = incrId(last)!;
    } else {
      id = a.id;
    }
    if (cmpId(id, last) <= 0) {
      c.addError('ERR The ID specified in XADD is equal or smaller than the target stream top item');
      return;
    }
  } else {
    const now = streamNow(c);
    id = now > last.ms ? { ms: now, seq: 0 } : incrId(last)!;
  }
  if (!s.append(id, argv, fieldPos, nargs / 2, nodeLimits(c))) {
    c.addError('ERR Elements are too large to be stored');
    return;
  }
  const idText = formatId(id);
  c.write(bulk(idText));
  c.modified(key, NOTIFY_STREAM, 'xadd');
  let out: string[] | null = null;
  if (a.strategy !== 0) {
    if (s.trim(a) > 0) c.server.notifyKeyspaceEvent(NOTIFY_STREAM, 'xtrim', key, c.db.id);
    if (a.approx) {
      out = argv.slice();
      rewriteApproxTrim(s, a, out);
    }
  }
  if (!a.idGiven || !a.seqGiven) {
    if (out === null) out = argv.slice();
    out[idpos] = idText;
  }
  if (out !== null) c.rewriteArgv(out);
  c.server.signalKeyAsReady(c.db, key);
}

function xtrimCommand(c: Client, argv: string[]): void {
  const a = parseAddTrim(c, argv, false);
  if (a === null) return;
  const key = argv[1];
  const o = lookupWriteOrReply(c, key, ObjType.Stream, MISS_ZERO);
  if (o === null) return;
  const s = o.value as unknown as Stream;
  const deleted = s.trim(a);
  if (deleted > 0) {
    c.server.notifyKeyspaceEvent(NOTIFY_STREAM, 'xtrim', key, c.db.id);
    if (a.approx) {
      const out = argv.slice();
      rewriteApproxTrim(s, a, out);
      c.rewriteArgv(out);
    }
    c.modified(key, 0, '', deleted);
  }
  c.addInt(deleted);
}

// ---- XRANGE / XREVRANGE / XLEN / XDEL / XSETID ------------------------------------------

function xrangeGeneric(c: Client, argv: string[], rev: boolean): void {
  const startArg = rev ? argv[3] : argv[2];
  const endArg = rev ? argv[2] : argv[3];
  const st = parseIntervalOrReply(c, startArg, 0);
  if (st === null) return;
  let start: StreamID | null = st.id;
  if (st.ex) {
    start = incrId(st.id);
    if (start === null) {
      c.addError('ERR invalid start ID for the interval');
      return;
    }
  }
  const en = parseIntervalOrReply(c, endArg, U64_MAX);
  if (en === null) return;
  let end: StreamID | null = en.id;
  if (en.ex) {
    end = decrId(en.id);
    if (end === null) {
      c.addError('ERR invalid end ID for the interval');
      return;
    }
  }
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    if (eqi(argv[j], 'count') && additional >= 1) {
      const n = longLongOrReply(c, argv[j + 1]);
      if (n === null) return;
      count = n < 0 ? 0 : n;
      j++;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  const o = lookupReadOrReply(c, argv[1], ObjType.Stream, MISS_EMPTY_ARRAY);
  if (o === null) return;
  const s = o.value as unknown as Stream;
  if (count === 0) {
    c.addNullArray();
    return;
  }
  const entries = s.range(start, end, rev, count === -1 ? 0 : count);
  let out = '*' + entries.length + '\r\n';
  for (const e of entries) out += entryReply(e);
  c.write(out);
}

function xrangeCommand(c: Client, argv: string[]): void {
  xrangeGeneric(c, argv, false);
}

function xrevrangeCommand(c: Client, argv: string[]): void {
  xrangeGeneric(c, argv, true);
}

function xlenCommand(c: Client, argv: string[]): void {
  const o = lookupReadOrReply(c, argv[1], ObjType.Stream, MISS_ZERO);
  if (o === null) return;
  c.addInt((o.value as unknown as Stream).length);
}

function xdelCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const o = lookupWriteOrReply(c, key, ObjType.Stream, MISS_ZERO);
  if (o === null) return;
  const s = o.value as unknown as Stream;
  const ids: StreamID[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = parseIdOrReply(c, argv[j], 0, true);
    if (id === null) return;
    ids.push({ ms: id.ms, seq: id.seq });
  }
  let deleted = 0;
  for (const id of ids) {
    if (s.delete(id)) {
      if (cmpId(id, s.maxDeletedId) > 0) s.maxDeletedId = id;
      deleted++;
    }
  }
  if (deleted > 0) c.modified(key, NOTIFY_STREAM, 'xdel', deleted);
  c.addInt(deleted);
}

function xsetidCommand(c: Client, argv: string[]): void {
  const pid = parseIdOrReply(c, argv[2], 0, true);
  if (pid === null) return;
  const id: StreamID = { ms: pid.ms, seq: pid.seq };
  let maxXdel: StreamID = ID_ZERO;
  let entriesAdded = -1n;
  let i = 3;
  while (i < argv.length) {
    const moreargs = argv.length - 1 - i;
    const opt = argv[i];
    if (eqi(opt, 'entriesadded') && moreargs > 0) {
      const n = longLongBigOrReply(c, argv[i + 1]);
      if (n === null) return;
      if (n < 0n) {
        c.addError('ERR entries_added must be positive');
        return;
      }
      entriesAdded = n;
      i += 2;
    } else if (eqi(opt, 'maxdeletedid') && moreargs > 0) {
      const m = parseIdOrReply(c, argv[i + 1], 0, true);
      if (m === null) return;
      maxXdel = { ms: m.ms, seq: m.seq };
      if (cmpId(id, maxXdel) < 0) {
        c.addError('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      i += 2;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  const key = argv[1];
  const o = lookupWrite(c, key, ObjType.Stream);
  if (o === null) return;
  if (o === undefined) {
    c.addError(ERR_NO_KEY);
    return;
  }
  const s = o.value as unknown as Stream;
  if (s.length > 0) {
    const maxid = s.edge(false)!.id;
    if (cmpId(id, maxid) < 0) {
      c.addError('ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) {
      c.addError('ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = Number(entriesAdded);
  if (!idIsZero(maxXdel)) s.maxDeletedId = maxXdel;
  c.addOk();
  c.modified(key, NOTIFY_STREAM, 'xsetid');
}

// ---- consumer groups: helpers -------------------------------------------------------------

/** streamCreateConsumer with notification; undefined when it exists already. */
function createConsumer(c: Client, g: ConsumerGroup, name: string, key: string): Consumer | undefined {
  if (g.consumers.has(name)) return undefined;
  const now = streamNow(c);
  const cons = new Consumer(name, now, -1);
  g.consumers.set(name, cons);
  c.server.notifyKeyspaceEvent(NOTIFY_STREAM, 'xgroup-createconsumer', key, c.db.id);
  c.server.dirty++;
  return cons;
}

function propagateXclaim(c: Client, key: string, g: ConsumerGroup, groupname: string, id: string, nack: Nack): void {
  c.alsoPropagate([
    'XCLAIM',
    key,
    groupname,
    nack.consumer.name,
    '0',
    id,
    'TIME',
    String(nack.deliveryTime),
    'RETRYCOUNT',
    String(nack.deliveryCount),
    'FORCE',
    'JUSTID',
    'LASTID',
    formatId(g.lastId),
  ]);
}

function propagateGroupId(c: Client, key: string, g: ConsumerGroup, groupname: string): void {
  c.alsoPropagate(['XGROUP', 'SETID', key, groupname, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
}

function lagReply(c: Client, s: Stream, g: ConsumerGroup): void {
  const lag = s.lag(g);
  if (lag === null) c.addNull();
  else c.addInt(lag);
}

// ---- XGROUP ------------------------------------------------------------------------------

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

function parseEntriesRead(c: Client, s: string): number | null {
  const n = longLongOrReply(c, s);
  if (n === null) return null;
  if (n < 0 && n !== ENTRIES_READ_INVALID) {
    c.addError('ERR value for ENTRIESREAD must be positive or -1');
    return null;
  }
  return n;
}

/** The shared part of the XGROUP subcommands (Redis's xgroupCommand). */
function xgroupCommand(c: Client, argv: string[]): void {
  const opt = argv[1].toLowerCase();
  let s: Stream | null = null;
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  let g: ConsumerGroup | undefined;
  const key = argv[2];
  const grpname = argv[3];
  if (argv.length >= 4) {
    if (opt === 'create' && argv.length >= 5) {
      let i = 5;
      while (i < argv.length) {
        if (eqi(argv[i], 'mkstream')) {
          mkstream = true;
          i++;
        } else if (eqi(argv[i], 'entriesread') && i + 1 < argv.length) {
          const n = parseEntriesRead(c, argv[i + 1]);
          if (n === null) return;
          entriesRead = n;
          i += 2;
        } else {
          subcommandSyntaxError(c, argv);
          return;
        }
      }
    }
    const o = lookupWrite(c, key, ObjType.Stream);
    if (o === null) return;
    if (o !== undefined) s = o.value as unknown as Stream;
  }
  if (argv.length >= 4 && !mkstream) {
    if (s === null) {
      c.addError(
        'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
      );
      return;
    }
    g = s.group(grpname);
    if (g === undefined && (opt === 'setid' || opt === 'createconsumer' || opt === 'delconsumer')) {
      c.addError(`NOGROUP No such consumer group '${grpname}' for key name '${key}'`);
      return;
    }
  }
  if (opt === 'create' && argv.length >= 5 && argv.length <= 8) {
    let id: StreamID;
    if (argv[4] === '$') {
      id = s !== null ? s.lastId : ID_ZERO;
    } else {
      const p = parseIdOrReply(c, argv[4], 0, true);
      if (p === null) return;
      id = { ms: p.ms, seq: p.seq };
    }
    if (s === null) {
      const o = newStreamObject(c);
      c.db.add(key, o);
      s = o.value as unknown as Stream;
      c.server.signalModifiedKey(c.db, key);
    }
    if (s.createGroup(grpname, id, entriesRead) !== null) {
      c.addOk();
      c.modified(key, NOTIFY_STREAM, 'xgroup-create');
    } else {
      c.addError('BUSYGROUP Consumer Group name already exists');
    }
  } else if (opt === 'setid' && (argv.length === 5 || argv.length === 7)) {
    let id: StreamID;
    if (argv[4] === '$') {
      id = s!.lastId;
    } else {
      const p = parseIdOrReply(c, argv[4], 0, false);
      if (p === null) return;
      id = { ms: p.ms, seq: p.seq };
    }
    if (argv.length === 7) {
      if (!eqi(argv[5], 'entriesread') || parseInt64(argv[6]) === null) {
        subcommandSyntaxError(c, argv);
        return;
      }
      const n = parseEntriesRead(c, argv[6]);
      if (n === null) return;
      entriesRead = n;
    }
    g!.lastId = id;
    g!.entriesRead = entriesRead;
    c.addOk();
    c.modified(key, NOTIFY_STREAM, 'xgroup-setid');
  } else if (opt === 'destroy' && argv.length === 4) {
    if (g !== undefined) {
      s!.groups!.delete(grpname);
      c.addInt(1);
      c.modified(key, NOTIFY_STREAM, 'xgroup-destroy');
      // Clients blocked in XREADGROUP on this group run again and get NOGROUP.
      c.server.signalKeyAsReady(c.db, key);
    } else {
      c.addInt(0);
    }
  } else if (opt === 'createconsumer' && argv.length === 5) {
    const created = createConsumer(c, g!, argv[4], key);
    if (created !== undefined) c.server.signalModifiedKey(c.db, key);
    c.addInt(created !== undefined ? 1 : 0);
  } else if (opt === 'delconsumer' && argv.length === 5) {
    let pending = 0;
    const cons = g!.consumers.get(argv[4]);
    if (cons !== undefined) {
      pending = cons.pel.size;
      for (const n of cons.pel.items) g!.pel.remove(n.id);
      g!.consumers.delete(argv[4]);
      c.modified(key, NOTIFY_STREAM, 'xgroup-delconsumer');
    }
    c.addInt(pending);
  } else {
    subcommandSyntaxError(c, argv);
  }
}

// ---- XREAD / XREADGROUP ------------------------------------------------------------------

const ID_GT_NEW: StreamID = ID_MAX; // '>' (the group's last ID, resolved per stream)

function xreadCommand(c: Client, argv: string[]): void {
  const xreadgroup = argv[0].length === 10;
  const name = xreadgroup ? 'xreadgroup' : 'xread';
  let timeoutMs = -1;
  let count = 0;
  let streamsArg = 0;
  let streamsCount = 0;
  let noack = false;
  let groupname: string | null = null;
  let consumername = '';
  for (let i = 1; i < argv.length; i++) {
    const moreargs = argv.length - i - 1;
    const o = argv[i];
    if (eqi(o, 'block') && moreargs > 0) {
      i++;
      const ms = parseBlockMs(c, argv[i]);
      if (ms === null) return;
      timeoutMs = ms;
    } else if (eqi(o, 'count') && moreargs > 0) {
      i++;
      const n = longLongOrReply(c, argv[i]);
      if (n === null) return;
      count = n < 0 ? 0 : n;
    } else if (eqi(o, 'streams') && moreargs > 0) {
      streamsArg = i + 1;
      streamsCount = argv.length - streamsArg;
      if (streamsCount % 2 !== 0) {
        const symbol = xreadgroup ? '>' : '$';
        c.addError(`ERR Unbalanced '${name}' list of streams: for each stream key an ID or '${symbol}' must be specified.`);
        return;
      }
      streamsCount /= 2;
      break;
    } else if (eqi(o, 'group') && moreargs >= 2) {
      if (!xreadgroup) {
        c.addError('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      groupname = argv[i + 1];
      consumername = argv[i + 2];
      i += 2;
    } else if (eqi(o, 'noack')) {
      if (!xreadgroup) {
        c.addError('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      noack = true;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  if (streamsArg === 0) {
    c.addError(ERR_SYNTAX);
    return;
  }
  if (xreadgroup && groupname === null) {
    c.addError('ERR Missing GROUP option for XREADGROUP');
    return;
  }
  const ids: StreamID[] = [];
  const groups: ConsumerGroup[] = [];
  for (let i = streamsArg + streamsCount; i < argv.length; i++) {
    const key = argv[i - streamsCount];
    const o = lookupRead(c, key, ObjType.Stream);
    if (o === null) return;
    const s = o === undefined ? null : (o.value as unknown as Stream);
    if (groupname !== null) {
      const g = s === null ? undefined : s.group(groupname);
      if (g === undefined) {
        c.addError(`NOGROUP No such key '${key}' or consumer group '${groupname}' in XREADGROUP with GROUP option`);
        return;
      }
      groups.push(g);
    }
    const a = argv[i];
    if (a === '$') {
      if (xreadgroup) {
        c.addError(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
        return;
      }
      ids.push(s !== null ? s.lastId : ID_ZERO);
      continue;
    }
    if (a === '>') {
      if (!xreadgroup) {
        c.addError('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
        return;
      }
      ids.push(ID_GT_NEW);
      continue;
    }
    const p = parseIdOrReply(c, a, 0, true);
    if (p === null) return;
    ids.push({ ms: p.ms, seq: p.seq });
  }

  // Serve synchronously what can be.
  const now = streamNow(c);
  const parts: string[] = [];
  for (let i = 0; i < streamsCount; i++) {
    const key = argv[streamsArg + i];
    const o = c.db.lookupRead(key);
    if (o === undefined) continue;
    const s = o.value as unknown as Stream;
    let gt = ids[i];
    let serve = false;
    let history = false;
    let consumer: Consumer | undefined;
    if (groupname !== null) {
      const g = groups[i];
      if (gt !== ID_GT_NEW) {
        serve = true;
        history = true;
      } else if (s.length > 0) {
        const maxid = s.edge(false)!.id;
        if (cmpId(maxid, g.lastId) > 0) {
          serve = true;
          gt = g.lastId;
        }
      }
      consumer = g.consumers.get(consumername);
      if (consumer === undefined) {
        consumer = createConsumer(c, g, consumername, key)!;
        c.alsoPropagate(['XGROUP', 'CREATECONSUMER', key, groupname, consumername]);
      }
      consumer.seenTime = now;
    } else if (s.length > 0) {
      const maxid = s.edge(false)!.id;
      if (cmpId(maxid, gt) > 0) serve = true;
    }
    if (!serve) continue;
    const start = incrId(gt) ?? ID_ZERO;
    let part = c.resp === 2 ? '*2\r\n' + bulk(key) : bulk(key);
    if (groupname !== null) {
      part += groupRead(c, s, key, groups[i], groupname, consumer!, start, count, noack, history, now);
      c.server.dirty++;
    } else {
      const entries = s.range(start, ID_MAX, false, count);
      part += '*' + entries.length + '\r\n';
      for (const e of entries) part += entryReply(e);
    }
    parts.push(part);
  }
  if (groupname !== null) c.preventPropagation();
  if (parts.length > 0) {
    c.write((c.resp === 2 ? '*' : '%') + parts.length + '\r\n' + parts.join(''));
    blockServed(c);
    return;
  }
  if (timeoutMs !== -1) {
    if (c.denyBlocking) {
      c.addNullArray();
      return;
    }
    // `$` becomes the last ID now, so running the command again reads what arrives.
    let blockArgv = argv;
    for (let i = 0; i < streamsCount; i++) {
      const ai = streamsArg + streamsCount + i;
      if (argv[ai] === '$') {
        if (blockArgv === argv) blockArgv = argv.slice();
        blockArgv[ai] = formatId(ids[i]);
      }
    }
    if (blockArgv !== argv) c.argv = blockArgv;
    const keys: string[] = [];
    for (let i = 0; i < streamsCount; i++) {
      const k = argv[streamsArg + i];
      if (keys.indexOf(k) === -1) keys.push(k);
    }
    c.block({
      keys,
      timeoutAt: blockDeadline(c, blockArgv, timeoutMs),
      type: ObjType.Stream,
      onTimeout: 'nullarray',
      unblockOnNoKey: xreadgroup,
    });
    return;
  }
  c.addNullArray();
  blockServed(c);
}

/** BLOCK's argument: milliseconds (getTimeoutFromObjectOrReply with UNIT_MILLISECONDS). */
function parseBlockMs(c: Client, s: string): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.addError('ERR timeout is not an integer or out of range');
    return null;
  }
  if (v < 0n) {
    c.addError('ERR timeout is negative');
    return null;
  }
  if (v > 0n && v > 9223372036854775807n - BigInt(streamNow(c))) {
    c.addError('ERR timeout is out of range');
    return null;
  }
  return Number(v);
}

/**
 * XREADGROUP's read of one stream (streamReplyWithRange with a group): the entries
 * after `start` (new ones) or the consumer's own history, with the PEL, the group's
 * last ID and read counter updated and the changes propagated.
 */
function groupRead(
  c: Client,
  s: Stream,
  key: string,
  g: ConsumerGroup,
  groupname: string,
  consumer: Consumer,
  start: StreamID,
  count: number,
  noack: boolean,
  history: boolean,
  now: number,
): string {
  if (history) {
    const items = consumer.pel.items;
    let out = '';
    let n = 0;
    for (let i = consumer.pel.lowerBound(start); i < items.length && (count === 0 || n < count); i++) {
      const nack = items[i];
      const e = s.get(nack.id);
      if (e === undefined) {
        out += '*2\r\n' + idBulk(nack.id) + (c.resp === 2 ? '*-1\r\n' : '_\r\n');
      } else {
        nack.deliveryTime = now;
        nack.deliveryCount++;
        out += entryReply(e);
      }
      n++;
    }
    return '*' + n + '\r\n' + out;
  }
  let out = '';
  let n = 0;
  let propagateLastId = false;
  s.scan(start, ID_MAX, false, (node: StreamNode, off: number, id: StreamID) => {
    if (cmpId(id, g.lastId) > 0) {
      if (g.entriesRead !== ENTRIES_READ_INVALID && !s.rangeHasTombstones(id, null)) g.entriesRead++;
      else if (s.entriesAdded !== 0) g.entriesRead = s.estimateDistance(id);
      g.lastId = id;
      propagateLastId = true;
    }
    out += entryReply({ id, fv: node.fieldsAt(off) });
    if (!noack) {
      let nack = g.pel.get(id);
      if (nack === undefined) {
        nack = new Nack(id, consumer, now, 1);
        g.pel.insert(nack);
        consumer.pel.insert(nack);
      } else {
        nack.consumer.pel.remove(id);
        nack.consumer = consumer;
        nack.deliveryTime = now;
        nack.deliveryCount = 1;
        consumer.pel.insert(nack);
      }
      consumer.activeTime = now;
      propagateXclaim(c, key, g, groupname, formatId(id), nack);
    }
    n++;
    return count === 0 || n < count;
  });
  if (propagateLastId) propagateGroupId(c, key, g, groupname);
  return '*' + n + '\r\n' + out;
}

// ---- XACK / XPENDING ----------------------------------------------------------------------

function xackCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const o = lookupRead(c, key, ObjType.Stream);
  if (o === null) return;
  const g = o === undefined ? undefined : (o.value as unknown as Stream).group(argv[2]);
  if (g === undefined) {
    c.addInt(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 3; j < argv.length; j++) {
    const p = parseIdOrReply(c, argv[j], 0, true);
    if (p === null) return;
    ids.push({ ms: p.ms, seq: p.seq });
  }
  let acked = 0;
  for (const id of ids) {
    const nack = g.pel.remove(id);
    if (nack !== undefined) {
      nack.consumer.pel.remove(id);
      acked++;
    }
  }
  if (acked > 0) {
    c.server.dirty += acked;
    c.db.account(key);
  }
  c.addInt(acked);
}

function xpendingCommand(c: Client, argv: string[]): void {
  const justinfo = argv.length === 3;
  const key = argv[1];
  const groupname = argv[2];
  let start: StreamID = ID_ZERO;
  let end: StreamID = ID_MAX;
  let count = 0;
  let minidle = 0;
  let consumername: string | null = null;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) {
    c.addError(ERR_SYNTAX);
    return;
  }
  if (argv.length >= 6) {
    let startidx = 3;
    if (eqi(argv[3], 'idle')) {
      const n = longLongOrReply(c, argv[4]);
      if (n === null) return;
      minidle = n;
      if (argv.length < 8) {
        c.addError(ERR_SYNTAX);
        return;
      }
      startidx += 2;
    }
    const n = longLongOrReply(c, argv[startidx + 2]);
    if (n === null) return;
    count = n < 0 ? 0 : n;
    const st = parseIntervalOrReply(c, argv[startidx], 0);
    if (st === null) return;
    start = st.id;
    if (st.ex) {
      const x = incrId(st.id);
      if (x === null) {
        c.addError('ERR invalid start ID for the interval');
        return;
      }
      start = x;
    }
    const en = parseIntervalOrReply(c, argv[startidx + 1], U64_MAX);
    if (en === null) return;
    end = en.id;
    if (en.ex) {
      const x = decrId(en.id);
      if (x === null) {
        c.addError('ERR invalid end ID for the interval');
        return;
      }
      end = x;
    }
    if (startidx + 3 < argv.length) consumername = argv[startidx + 3];
  }
  const o = lookupRead(c, key, ObjType.Stream);
  if (o === null) return;
  const g = o === undefined ? undefined : (o.value as unknown as Stream).group(groupname);
  if (g === undefined) {
    c.addError(nogroupKeyGroup(key, groupname));
    return;
  }
  if (justinfo) {
    const items = g.pel.items;
    if (items.length === 0) {
      c.write('*4\r\n:0\r\n' + (c.resp === 2 ? '$-1\r\n$-1\r\n*-1\r\n' : '_\r\n_\r\n_\r\n'));
      return;
    }
    let out = '*4\r\n:' + items.length + '\r\n' + idBulk(items[0].id) + idBulk(items[items.length - 1].id);
    const cons = g.sortedConsumers().filter((x) => x.pel.size > 0);
    out += '*' + cons.length + '\r\n';
    for (const x of cons) out += '*2\r\n' + bulk(x.name) + bulk(String(x.pel.size));
    c.write(out);
    return;
  }
  let pel = g.pel;
  if (consumername !== null) {
    const cons = g.consumers.get(consumername);
    if (cons === undefined) {
      c.addEmptyArray();
      return;
    }
    pel = cons.pel;
  }
  const now = streamNow(c);
  const items = pel.items;
  let out = '';
  let n = 0;
  for (let i = pel.lowerBound(start); count > 0 && i < items.length && cmpId(items[i].id, end) <= 0; i++) {
    const nack = items[i];
    if (minidle !== 0 && now - nack.deliveryTime < minidle) continue;
    n++;
    count--;
    const elapsed = Math.max(0, now - nack.deliveryTime);
    out += '*4\r\n' + idBulk(nack.id) + bulk(nack.consumer.name) + ':' + elapsed + '\r\n:' + nack.deliveryCount + '\r\n';
  }
  c.write('*' + n + '\r\n' + out);
}

// ---- XCLAIM / XAUTOCLAIM --------------------------------------------------------------------

function xclaimCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const groupname = argv[2];
  const o = lookupRead(c, key, ObjType.Stream);
  if (o === null) return;
  const s = o === undefined ? null : (o.value as unknown as Stream);
  const g = s === null ? undefined : s.group(groupname);
  if (s === null || g === undefined) {
    c.addError(nogroupKeyGroup(key, groupname));
    return;
  }
  const mi = longLongOrReply(c, argv[4], 'ERR Invalid min-idle-time argument for XCLAIM');
  if (mi === null) return;
  const minidle = mi < 0 ? 0 : mi;
  const ids: StreamID[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseStreamId(argv[j], 0, true, false);
    if (p === null) break;
    ids.push({ ms: p.ms, seq: p.seq });
  }
  const lastIdArg = j - 1;
  const now = streamNow(c);
  let deliverytime = -1;
  let retrycount = -1;
  let force = false;
  let justid = false;
  let lastId: StreamID = ID_ZERO;
  for (; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    const opt = argv[j];
    if (eqi(opt, 'force')) {
      force = true;
    } else if (eqi(opt, 'justid')) {
      justid = true;
    } else if (eqi(opt, 'idle') && moreargs > 0) {
      j++;
      const n = longLongOrReply(c, argv[j], 'ERR Invalid IDLE option argument for XCLAIM');
      if (n === null) return;
      deliverytime = now - n;
    } else if (eqi(opt, 'time') && moreargs > 0) {
      j++;
      const n = longLongOrReply(c, argv[j], 'ERR Invalid TIME option argument for XCLAIM');
      if (n === null) return;
      deliverytime = n;
    } else if (eqi(opt, 'retrycount') && moreargs > 0) {
      j++;
      const n = longLongOrReply(c, argv[j], 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      if (n === null) return;
      retrycount = n;
    } else if (eqi(opt, 'lastid') && moreargs > 0) {
      j++;
      const p = parseIdOrReply(c, argv[j], 0, true);
      if (p === null) return;
      lastId = { ms: p.ms, seq: p.seq };
    } else {
      c.addError(`ERR Unrecognized XCLAIM option '${opt}'`);
      return;
    }
  }
  let propagateLastId = false;
  if (cmpId(lastId, g.lastId) > 0) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  if (deliverytime !== -1) {
    if (deliverytime < 0 || deliverytime > now) deliverytime = now;
  } else {
    deliverytime = now;
  }
  let consumer = g.consumers.get(argv[3]);
  if (consumer === undefined) consumer = createConsumer(c, g, argv[3], key)!;
  consumer.seenTime = now;
  let out = '';
  let n = 0;
  for (let k = 5; k <= lastIdArg; k++) {
    const id = ids[k - 5];
    let nack = g.pel.get(id);
    const entry = justid ? undefined : s.get(id);
    if (justid ? !s.has(id) : entry === undefined) {
      if (nack !== undefined) {
        propagateXclaim(c, key, g, groupname, argv[k], nack);
        propagateLastId = false;
        c.server.dirty++;
        g.pel.remove(id);
        nack.consumer.pel.remove(id);
      }
      continue;
    }
    let created = false;
    if (force && nack === undefined) {
      nack = new Nack(id, consumer, now, 0);
      g.pel.insert(nack);
      created = true;
    }
    if (nack === undefined) continue;
    if (!created && minidle !== 0 && now - nack.deliveryTime < minidle) continue;
    if (!created && nack.consumer !== consumer) nack.consumer.pel.remove(id);
    nack.deliveryTime = deliverytime;
    if (retrycount >= 0) nack.deliveryCount = retrycount;
    else if (!justid) nack.deliveryCount++;
    if (created || nack.consumer !== consumer) {
      consumer.pel.insert(nack);
      nack.consumer = consumer;
    }
    out += justid ? idBulk(id) : entryReply(entry!);
    n++;
    consumer.activeTime = now;
    propagateXclaim(c, key, g, groupname, argv[k], nack);
    propagateLastId = false;
    c.server.dirty++;
  }
  if (propagateLastId) {
    propagateGroupId(c, key, g, groupname);
    c.server.dirty++;
  }
  c.write('*' + n + '\r\n' + out);
  c.preventPropagation();
  c.db.account(key);
}

const XAUTOCLAIM_ATTEMPTS_FACTOR = 10;
/** LONG_MAX / max(sizeof(streamID), attempts factor): COUNT's upper bound. */
const XAUTOCLAIM_COUNT_MAX = 576460752303423487;

function xautoclaimCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const groupname = argv[2];
  const o = lookupRead(c, key, ObjType.Stream);
  const mi = longLongOrReply(c, argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (mi === null) return;
  const minidle = mi < 0 ? 0 : mi;
  const st = parseIntervalOrReply(c, argv[5], 0);
  if (st === null) return;
  let start = st.id;
  if (st.ex) {
    const x = incrId(st.id);
    if (x === null) {
      c.addError('ERR invalid start ID for the interval');
      return;
    }
    start = x;
  }
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    if (eqi(argv[j], 'count') && moreargs > 0) {
      const v = parseInt64(argv[j + 1]);
      if (v === null || v < 1n || v > BigInt(XAUTOCLAIM_COUNT_MAX)) {
        c.addError('ERR COUNT must be > 0');
        return;
      }
      count = Number(v);
      j++;
    } else if (eqi(argv[j], 'justid')) {
      justid = true;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  if (o === null) return;
  const s = o === undefined ? null : (o.value as unknown as Stream);
  const g = s === null ? undefined : s.group(groupname);
  if (s === null || g === undefined) {
    c.addError(nogroupKeyGroup(key, groupname));
    return;
  }
  const now = streamNow(c);
  let consumer = g.consumers.get(argv[3]);
  if (consumer === undefined) consumer = createConsumer(c, g, argv[3], key)!;
  consumer.seenTime = now;
  let attempts = count * XAUTOCLAIM_ATTEMPTS_FACTOR;
  const items = g.pel.items;
  let pos = g.pel.lowerBound(start);
  let out = '';
  let n = 0;
  const deleted: StreamID[] = [];
  while (attempts-- > 0 && count > 0 && pos < items.length) {
    const nack = items[pos];
    const id = nack.id;
    const entry = justid ? undefined : s.get(id);
    if (justid ? !s.has(id) : entry === undefined) {
      propagateXclaim(c, key, g, groupname, formatId(id), nack);
      c.server.dirty++;
      items.splice(pos, 1);
      nack.consumer.pel.remove(id);
      deleted.push(id);
      count--;
      continue;
    }
    pos++;
    if (minidle !== 0 && now - nack.deliveryTime < minidle) continue;
    if (nack.consumer !== consumer) nack.consumer.pel.remove(id);
    nack.deliveryTime = now;
    if (!justid) nack.deliveryCount++;
    if (nack.consumer !== consumer) {
      consumer.pel.insert(nack);
      nack.consumer = consumer;
    }
    out += justid ? idBulk(id) : entryReply(entry!);
    n++;
    count--;
    consumer.activeTime = now;
    propagateXclaim(c, key, g, groupname, formatId(id), nack);
    c.server.dirty++;
  }
  const endId = pos < items.length ? items[pos].id : ID_ZERO;
  let reply = '*3\r\n' + idBulk(endId) + '*' + n + '\r\n' + out + '*' + deleted.length + '\r\n';
  for (const id of deleted) reply += idBulk(id);
  c.write(reply);
  c.preventPropagation();
  c.db.account(key);
}

// ---- XINFO ---------------------------------------------------------------------------------

/** rax numnodes of the node index: the nodes of the compressed trie of the 16-byte master IDs. */
export function raxNodeCount(s: Stream): number {
  const nodes = s.nodes;
  const n = nodes.length;
  if (n === 0) return 1;
  const keys: Buffer[] = nodes.map((node) => {
    const b = Buffer.alloc(16);
    b.writeBigUInt64BE(BigInt(node.ms), 0);
    b.writeBigUInt64BE(BigInt(node.seq), 8);
    return b;
  });
  // Branch points: the longest common prefix of neighbours (sorted keys).
  const branch = new Map<string, Set<number>>();
  for (let i = 0; i + 1 < n; i++) {
    const a = keys[i];
    const b = keys[i + 1];
    let l = 0;
    while (l < 16 && a[l] === b[l]) l++;
    const p = a.latin1Slice(0, l);
    let set = branch.get(p);
    if (set === undefined) branch.set(p, (set = new Set()));
    set.add(a[l]);
    set.add(b[l]);
  }
  let count = 1 + n; // the root and a terminal node per key
  for (const [p, chars] of branch) {
    if (p.length > 0) count++;
    for (const ch of chars) {
      const child = p + String.fromCharCode(ch);
      if (child.length < 16 && !branch.has(child)) count++;
    }
  }
  return count;
}

function xinfoStream(c: Client, argv: string[], s: Stream): void {
  let full = true;
  let count = 10;
  const args = argv.slice(2);
  if (args.length === 1) {
    full = false;
  } else {
    if (args.length !== 2 && args.length !== 4) {
      subcommandSyntaxError(c, argv);
      return;
    }
    if (!eqi(args[1], 'full')) {
      subcommandSyntaxError(c, argv);
      return;
    }
    if (args.length === 4) {
      if (!eqi(args[2], 'count')) {
        subcommandSyntaxError(c, argv);
        return;
      }
      const n = longLongOrReply(c, args[3]);
      if (n === null) return;
      count = n < 0 ? 10 : n;
    }
  }
  const r3 = c.resp === 3;
  const map = (n: number): string => (r3 ? '%' : '*') + (r3 ? n : 2 * n) + '\r\n';
  const int = (n: number): string => ':' + n + '\r\n';
  const nul = r3 ? '_\r\n' : '$-1\r\n';
  let out = map(full ? 9 : 10);
  out += bulk('length') + int(s.length);
  out += bulk('radix-tree-keys') + int(s.nodes.length);
  out += bulk('radix-tree-nodes') + int(raxNodeCount(s));
  out += bulk('last-generated-id') + idBulk(s.lastId);
  out += bulk('max-deleted-entry-id') + idBulk(s.maxDeletedId);
  out += bulk('entries-added') + int(s.entriesAdded);
  out += bulk('recorded-first-entry-id') + idBulk(s.firstId());
  if (!full) {
    out += bulk('groups') + int(s.groups === null ? 0 : s.groups.size);
    const first = s.edge(true);
    const last = s.edge(false);
    out += bulk('first-entry') + (first === undefined ? nul : entryReply(first));
    out += bulk('last-entry') + (last === undefined ? nul : entryReply(last));
    c.write(out);
    return;
  }
  const entries = s.range(ID_ZERO, ID_MAX, false, count);
  out += bulk('entries') + '*' + entries.length + '\r\n';
  for (const e of entries) out += entryReply(e);
  const groups = s.sortedGroups();
  out += bulk('groups') + '*' + groups.length + '\r\n';
  for (const g of groups) {
    out += map(7) + bulk('name') + bulk(g.name) + bulk('last-delivered-id') + idBulk(g.lastId);
    out += bulk('entries-read') + (g.entriesRead !== ENTRIES_READ_INVALID ? int(g.entriesRead) : nul);
    const lag = s.lag(g);
    out += bulk('lag') + (lag === null ? nul : int(lag));
    out += bulk('pel-count') + int(g.pel.size) + bulk('pending');
    const pel = count === 0 ? g.pel.items : g.pel.items.slice(0, count);
    out += '*' + pel.length + '\r\n';
    for (const nk of pel) out += '*4\r\n' + idBulk(nk.id) + bulk(nk.consumer.name) + int(nk.deliveryTime) + int(nk.deliveryCount);
    const cons = g.sortedConsumers();
    out += bulk('consumers') + '*' + cons.length + '\r\n';
    for (const x of cons) {
      out += map(5) + bulk('name') + bulk(x.name) + bulk('seen-time') + int(x.seenTime) + bulk('active-time') + int(x.activeTime);
      out += bulk('pel-count') + int(x.pel.size) + bulk('pending');
      const cp = count === 0 ? x.pel.items : x.pel.items.slice(0, count);
      out += '*' + cp.length + '\r\n';
      for (const nk of cp) out += '*3\r\n' + idBulk(nk.id) + int(nk.deliveryTime) + int(nk.deliveryCount);
    }
  }
  c.write(out);
}

function xinfoKey(c: Client, key: string): Stream | null {
  const o = lookupRead(c, key, ObjType.Stream);
  if (o === null) return null;
  if (o === undefined) {
    c.addError(ERR_NO_KEY);
    return null;
  }
  return o.value as unknown as Stream;
}

function xinfoStreamCommand(c: Client, argv: string[]): void {
  const s = xinfoKey(c, argv[2]);
  if (s === null) return;
  xinfoStream(c, argv, s);
}

function xinfoGroupsCommand(c: Client, argv: string[]): void {
  const s = xinfoKey(c, argv[2]);
  if (s === null) return;
  const groups = s.sortedGroups();
  const r3 = c.resp === 3;
  let out = '*' + groups.length + '\r\n';
  for (const g of groups) {
    out += (r3 ? '%6' : '*12') + '\r\n';
    out += bulk('name') + bulk(g.name) + bulk('consumers') + ':' + g.consumers.size + '\r\n';
    out += bulk('pending') + ':' + g.pel.size + '\r\n' + bulk('last-delivered-id') + idBulk(g.lastId);
    out += bulk('entries-read') + (g.entriesRead !== ENTRIES_READ_INVALID ? ':' + g.entriesRead + '\r\n' : r3 ? '_\r\n' : '$-1\r\n');
    const lag = s.lag(g);
    out += bulk('lag') + (lag === null ? (r3 ? '_\r\n' : '$-1\r\n') : ':' + lag + '\r\n');
  }
  c.write(out);
}

function xinfoConsumersCommand(c: Client, argv: string[]): void {
  const key = argv[2];
  const s = xinfoKey(c, key);
  if (s === null) return;
  const g = s.group(argv[3]);
  if (g === undefined) {
    c.addError(`NOGROUP No such consumer group '${argv[3]}' for key name '${key}'`);
    return;
  }
  const now = streamNow(c);
  const cons = g.sortedConsumers();
  const r3 = c.resp === 3;
  let out = '*' + cons.length + '\r\n';
  for (const x of cons) {
    const inactive = x.activeTime !== -1 ? now - x.activeTime : -1;
    const idle = Math.max(0, now - x.seenTime);
    out += (r3 ? '%4' : '*8') + '\r\n' + bulk('name') + bulk(x.name) + bulk('pending') + ':' + x.pel.size + '\r\n';
    out += bulk('idle') + ':' + idle + '\r\n' + bulk('inactive') + ':' + inactive + '\r\n';
  }
  c.write(out);
}

// ---- the table ---------------------------------------------------------------------------

const G = 'stream';
const W = ['write', 'stream'];
const R = ['read', 'stream'];

export const COMMANDS: CommandSpec[] = [
  cmd('xadd', -5, ['write', 'denyoom', 'fast'], [1, 1, 1], G, [...W, 'fast'], xaddCommand, {
    since: '5.0.0',
    summary: 'Appends a new entry to a stream',
    complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
    tips: ['nondeterministic_output'],
  }),
  cmd('xrange', -4, ['readonly'], [1, 1, 1], G, [...R, 'slow'], xrangeCommand, {
    since: '5.0.0',
    summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval',
    complexity:
      'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
  }),
  cmd('xrevrange', -4, ['readonly'], [1, 1, 1], G, [...R, 'slow'], xrevrangeCommand, {
    since: '5.0.0',
    summary:
      'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE',
    complexity:
      'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
  }),
  cmd('xlen', 2, ['readonly', 'fast'], [1, 1, 1], G, [...R, 'fast'], xlenCommand, {
    since: '5.0.0',
    summary: 'Return the number of entries in a stream',
    complexity: 'O(1)',
  }),
  cmd('xdel', -3, ['write', 'fast'], [1, 1, 1], G, [...W, 'fast'], xdelCommand, {
    since: '5.0.0',
    summary:
      'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.',
    complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.',
  }),
  cmd('xtrim', -4, ['write'], [1, 1, 1], G, [...W, 'slow'], xtrimCommand, {
    since: '5.0.0',
    summary: "Trims the stream to (approximately if '~' is passed) a certain size",
    complexity:
      'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
    tips: ['nondeterministic_output'],
  }),
  cmd('xsetid', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], G, [...W, 'fast'], xsetidCommand, {
    since: '5.0.0',
    summary: 'An internal command for replicating stream values',
    complexity: 'O(1)',
  }),
  cmd('xread', -4, ['readonly', 'blocking'], [0, 0, 0], G, [...R, 'slow', 'blocking'], xreadCommand, {
    since: '5.0.0',
    summary:
      'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.',
    complexity:
      'For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.',
  }),
  cmd('xreadgroup', -7, ['write', 'blocking'], [0, 0, 0], G, [...W, 'slow', 'blocking'], xreadCommand, {
    since: '5.0.0',
    summary:
      'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.',
    complexity:
      'For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.',
  }),
  cmd('xack', -4, ['write', 'fast'], [1, 1, 1], G, [...W, 'fast'], xackCommand, {
    since: '5.0.0',
    summary:
      'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.',
    complexity: 'O(1) for each message ID processed.',
  }),
  cmd('xpending', -3, ['readonly'], [1, 1, 1], G, [...R, 'slow'], xpendingCommand, {
    since: '5.0.0',
    summary:
      'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.',
    complexity:
      'O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.',
    tips: ['nondeterministic_output'],
  }),
  cmd('xclaim', -6, ['write', 'fast'], [1, 1, 1], G, [...W, 'fast'], xclaimCommand, {
    since: '5.0.0',
    summary:
      'Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.',
    complexity: 'O(log N) with N being the number of messages in the PEL of the consumer group.',
    tips: ['nondeterministic_output'],
  }),
  cmd('xautoclaim', -6, ['write', 'fast'], [1, 1, 1], G, [...W, 'fast'], xautoclaimCommand, {
    since: '6.2.0',
    summary:
      'Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.',
    complexity: 'O(1) if COUNT is small.',
    tips: ['nondeterministic_output'],
  }),
  cmd('xinfo', -2, [], [0, 0, 0], G, ['slow'], undefined, {
    since: '5.0.0',
    summary: 'A container for stream introspection commands',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('consumers', 4, ['readonly'], [2, 2, 1], G, [...R, 'slow'], xinfoConsumersCommand, {
        since: '5.0.0',
        summary: 'List the consumers in a consumer group',
        complexity: 'O(1)',
        tips: ['nondeterministic_output'],
      }),
      cmd('groups', 3, ['readonly'], [2, 2, 1], G, [...R, 'slow'], xinfoGroupsCommand, {
        since: '5.0.0',
        summary: 'List the consumer groups of a stream',
        complexity: 'O(1)',
      }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], G, ['stream', 'slow'], (c) => addHelp(c, XINFO_HELP), {
        since: '5.0.0',
        summary: 'Show helpful text about the different subcommands',
        complexity: 'O(1)',
      }),
      cmd('stream', -3, ['readonly'], [2, 2, 1], G, [...R, 'slow'], xinfoStreamCommand, {
        since: '5.0.0',
        summary: 'Get information about a stream',
        complexity: 'O(1)',
      }),
    ],
  }),
  cmd('xgroup', -2, [], [0, 0, 0], G, ['slow'], undefined, {
    since: '5.0.0',
    summary: 'A container for consumer groups commands',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('create', -5, ['write', 'denyoom'], [2, 2, 1], G, [...W, 'slow'], xgroupCommand, {
        since: '5.0.0',
        summary: 'Create a consumer group.',
        complexity: 'O(1)',
      }),
      cmd('createconsumer', 5, ['write', 'denyoom'], [2, 2, 1], G, [...W, 'slow'], xgroupCommand, {
        since: '6.2.0',
        summary: 'Create a consumer in a consumer group.',
        complexity: 'O(1)',
      }),
      cmd('delconsumer', 5, ['write'], [2, 2, 1], G, [...W, 'slow'], xgroupCommand, {
        since: '5.0.0',
        summary: 'Delete a consumer from a consumer group.',
        complexity: 'O(1)',
      }),
      cmd('destroy', 4, ['write'], [2, 2, 1], G, [...W, 'slow'], xgroupCommand, {
        since: '5.0.0',
        summary: 'Destroy a consumer group.',
        complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
      }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], G, ['stream', 'slow'], (c) => addHelp(c, XGROUP_HELP), {
        since: '5.0.0',
        summary: 'Show helpful text about the different subcommands',
        complexity: 'O(1)',
      }),
      cmd('setid', -5, ['write'], [2, 2, 1], G, [...W, 'slow'], xgroupCommand, {
        since: '5.0.0',
        summary: 'Set a consumer group to an arbitrary last delivered ID value.',
        complexity: 'O(1)',
      }),
    ],
  }),
];
