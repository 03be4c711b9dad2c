// Differential tests of the stream commands (issue 16, item 1): XADD XRANGE XREVRANGE
// XLEN XDEL XTRIM XSETID XREAD XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM XINFO XGROUP
// against a real redis-server, replies compared byte for byte in RESP2 and RESP3,
// errors included; node boundaries (what `~` trims, XINFO's radix-tree figures) under
// several node limits; a seeded random sequence; blocking XREAD / XREADGROUP served,
// in arrival order, inside MULTI, and released when the key or the group goes.
//
// Times differ between two servers (delivery times, idle, seen-time): the replies
// that carry them are compared with those integers zeroed. Where Redis 7.2 (our
// target) answers differently from the 7.0 reference, STREAM_DIFFERENCES names it.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem, type CheckOptions } from '../helpers/diff.js';
import { KNOWN_DIFFERENCES, type KnownDifference } from '../helpers/known-differences.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { replayOnFailure } from '../helpers/sequences.js';
import { startPair, withEvents } from '../helpers/pair.js';
import { waitBlocked } from '../helpers/wait.js';
import { formatReply, type Reply, type RespClient } from '../../src/protocol/resp-client.js';

type Cmd = string[];

/** Integer fields that are times (or time differences) in XINFO replies. */
const TIME_FIELDS = new Set(['seen-time', 'active-time', 'idle', 'inactive']);

/** Drops the fields Redis 7.2 added (active-time, inactive) from a flat array / map reply. */
function dropFields(r: Reply, names: ReadonlySet<string>): Reply {
  if (r.t === 'map') return { t: 'map', v: r.v.filter(([k]) => !(k.t === 'bulk' && names.has(k.v ?? ''))) };
  if (r.t === 'array' && r.v !== null && r.v.length % 2 === 0 && r.v.length > 0 && r.v.every((x, i) => i % 2 === 1 || x.t === 'bulk')) {
    const out: Reply[] = [];
    for (let i = 0; i < r.v.length; i += 2) {
      const k = r.v[i];
      if (k.t === 'bulk' && names.has(k.v ?? '')) continue;
      out.push(k, r.v[i + 1]);
    }
    return { t: 'array', v: out };
  }
  return r;
}

function mapDeep(r: Reply, f: (r: Reply) => Reply): Reply {
  let x = r;
  if (x.t === 'array' && x.v !== null) x = { t: 'array', v: x.v.map((e) => mapDeep(e, f)) };
  else if (x.t === 'map') x = { t: 'map', v: x.v.map(([k, v]) => [mapDeep(k, f), mapDeep(v, f)] as [Reply, Reply]) };
  return f(x);
}

const ZERO: Reply = { t: 'int', v: 0n };

/** Zeroes the times of XINFO STREAM FULL / CONSUMERS and XPENDING's extended form. */
function zeroTimes(r: Reply, cmd: readonly string[]): Reply {
  const name = cmd[0].toUpperCase();
  return mapDeep(r, (x) => {
    if (x.t === 'map') return { t: 'map', v: x.v.map(([k, v]) => [k, k.t === 'bulk' && TIME_FIELDS.has(k.v ?? '') ? ZERO : v] as [Reply, Reply]) };
    if (x.t !== 'array' || x.v === null) return x;
    const v = x.v.slice();
    for (let i = 0; i + 1 < v.length; i++) if (v[i].t === 'bulk' && TIME_FIELDS.has((v[i] as { v: string }).v) && v[i + 1].t === 'int') v[i + 1] = ZERO;
    // PEL entries: [id, consumer, time, count] (XINFO FULL: a delivery time; XPENDING: the idle ms) and [id, time, count].
    if (v.length === 4 && v[0].t === 'bulk' && v[1].t === 'bulk' && v[2].t === 'int' && v[3].t === 'int' && (name === 'XPENDING' || name === 'XINFO')) v[2] = ZERO;
    if (v.length === 3 && v[0].t === 'bulk' && v[1].t === 'int' && v[2].t === 'int' && name === 'XINFO') v[1] = ZERO;
    return { t: 'array', v };
  });
}

/** Where Redis 7.2 (our target) answers differently from the 7.0 reference binary. */
const STREAM_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'xinfo-consumers-inactive',
    command: 'XINFO',
    reason: "Redis 7.2 added the 'inactive' field to XINFO CONSUMERS (ms since the consumer's last successful interaction); 7.0 has name, pending and idle only",
    when: (cmd) => cmd[1]?.toUpperCase() === 'CONSUMERS',
    transform: (r) => mapDeep(r, (x) => dropFields(x, new Set(['inactive']))),
  },
  {
    id: 'xinfo-stream-full-active-time',
    command: 'XINFO',
    reason: "Redis 7.2 added each consumer's 'active-time' to XINFO STREAM FULL; 7.0 reports seen-time only",
    when: (cmd) => cmd[1]?.toUpperCase() === 'STREAM',
    transform: (r) => mapDeep(r, (x) => dropFields(x, new Set(['active-time']))),
  },
];

/** Redis 7.2 error texts where 7.0.15 answers another (checked on our side only). */
const STREAM_72_ERRORS: readonly KnownDifference[] = [
  {
    id: 'xadd-seq-exhausted',
    command: 'XADD',
    reason:
      "XADD <ms>-* when the top item's seq is 2^64-1: 7.2 answers the ID error (EDOM); 7.0.15 leaves errno unset there and answers 'Elements are too large to be stored'",
    when: (_cmd, ours, theirs) => ours.t === 'err' && theirs.t === 'err' && theirs.v === 'ERR Elements are too large to be stored',
    oursOk: (ours) => ours.t === 'err' && ours.v === 'ERR The ID specified in XADD is equal or smaller than the target stream top item',
  },
  {
    id: 'xread-unbalanced',
    command: ['XREAD', 'XREADGROUP'],
    reason: "7.2 names the command and its special ID in the unbalanced-streams error (\"Unbalanced 'xreadgroup' list of streams ... '>'\"); 7.0 always says XREAD and '$'",
    when: (_cmd, ours, theirs) => ours.t === 'err' && theirs.t === 'err' && theirs.v.startsWith('ERR Unbalanced XREAD list'),
    oursOk: (ours, cmd) =>
      ours.t === 'err' &&
      ours.v ===
        `ERR Unbalanced '${cmd[0].toLowerCase()}' list of streams: for each stream key an ID or '${cmd[0].length === 10 ? '>' : '$'}' must be specified.`,
  },
];

const OPTS: CheckOptions = { knownDifferences: [...KNOWN_DIFFERENCES, ...STREAM_DIFFERENCES, ...STREAM_72_ERRORS], normalize: zeroTimes };

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

describe('streams (differential)', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  let ours: ServerHandle;
  let theirs: ServerHandle;

  const check = (cmds: CheckItem[], opts: CheckOptions = {}) => pair.check(cmds, { ...OPTS, ...opts });

  /** The same commands in RESP2 then RESP3. */
  async function checkBoth(cmds: CheckItem[]): Promise<void> {
    for (const proto of ['2', '3']) {
      await pair.reset();
      await check([['HELLO', proto], ...cmds]);
    }
    await check([['HELLO', '2']]);
  }

  before(async () => {
    ({ pair, ours, theirs } = await startPair(['--notify-keyspace-events', 'KEA']));
  });
  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });
  beforeEach(async () => {
    await pair.reset();
    await check([['HELLO', '2'], ['CONFIG', 'SET', 'stream-node-max-entries', '100'], ['CONFIG', 'SET', 'stream-node-max-bytes', '4096']]);
  });

  test('XADD: explicit, ms-*, and * IDs; 0-0, the max ID, IDs going backwards; options and their errors', async () => {
    await checkBoth([
      ['XADD', 's', '1-1', 'a', '1', 'b', '2'],
      ['XADD', 's', '1-*', 'a', '3', 'b', '4'],
      ['XADD', 's', '2', 'c', '5'],
      ['XADD', 's', '1-5', 'a', '1'],
      ['XADD', 's', '2-0', 'a', '1'],
      ['XADD', 's', '0-0', 'a', '1'],
      ['XADD', 'new', '0-0', 'a', '1'],
      ['EXISTS', 'new'],
      ['XADD', 'new', '0-*', 'a', '1'],
      ['XADD', 's', '0-*', 'a', '1'],
      ['XADD', 's', '2-*', 'a', '1'],
      ['XADD', 's', '18446744073709551615-18446744073709551614', 'x', 'y'],
      ['XADD', 's', '18446744073709551615-*', 'x', 'y'],
      ['XADD', 's', '18446744073709551615-*', 'x', 'y'],
      ['XADD', 's', '*', 'x', 'y'],
      ['XADD', 'm', '18446744073709551614-18446744073709551615', 'x', 'y'],
      ['XADD', 'm', '18446744073709551614-*', 'x', 'y'],
      ['XADD', 'm', '*', 'x', 'y'],
      ['XADD', 'm', '*', 'x', 'y'],
      ['XRANGE', 'm', '-', '+'],
      ['XADD', 'f', '9999999999999-5', 'a', 'b'],
      ['XADD', 'f', '*', 'a', 'b'],
      ['XADD', 'f', 'MAXLEN', '~', '1', '*', 'x', 'y'],
      ['XLEN', 's'],
      ['XRANGE', 's', '-', '+'],
      ['XADD', 's', 'LIMIT', '5', '*', 'a', 'b'],
      ['XADD', 's', 'MAXLEN', '1', 'LIMIT', '5', '*', 'a', 'b'],
      ['XADD', 's', 'MAXLEN', '=', '-1', '*', 'a', 'b'],
      ['XADD', 's', 'MAXLEN', 'x', '*', 'a', 'b'],
      ['XADD', 's', 'MAXLEN', '1', 'MINID', '5', '*', 'a', 'b'],
      ['XADD', 's', 'MINID', '1', 'MAXLEN', '5', '*', 'a', 'b'],
      ['XADD', 's', 'MINID', 'bad', '*', 'a', 'b'],
      ['XADD', 's', 'MINID', '1-*', '*', 'a', 'b'],
      ['XADD', 's', 'LIMIT', '-1', '*', 'a', 'b'],
      ['XADD', 's', 'LIMIT', '0', 'MAXLEN', '5', '*', 'a', 'b'],
      ['XADD', 's', 'NOMKSTREAM', '7-1'],
      ['XADD', 'nokey', 'NOMKSTREAM', '*', 'a', 'b'],
      ['EXISTS', 'nokey'],
      ['XADD', 's', '*', 'a'],
      ['XADD', 's', '*', 'a', 'b', 'c'],
      ['XADD', 's', 'abc', 'a', 'b'],
      ['XADD', 's', '-', 'a', 'b'],
      ['XADD', 's', '+', 'a', 'b'],
      ['SET', 'str', 'x'],
      ['XADD', 'str', '*', 'a', 'b'],
      ['XADD', 'str', 'NOMKSTREAM', '*', 'a', 'b'],
      ['TYPE', 's'],
      ['OBJECT', 'ENCODING', 's'],
    ]);
  });

  test('stream IDs as Redis parses them (string2ull): signs, spaces, leading zeros, overflow, NUL, length', async () => {
    const ids = [
      '01-1', ' 5', '+5', '-0', '5-', '5--1', '5-+1', '5- 1', '5-01', '-5', '', '(', '18446744073709551615', '18446744073709551616',
      '18446744073709551615-18446744073709551616', '9223372036854775808', '-9223372036854775809', '-9223372036854775808',
      '5\0junk', '1'.repeat(127), '1'.repeat(128), '0x10', '1e3', '5-*', '5-**', '*-1', '\t7-1', '8 ',
    ];
    const cmds: CheckItem[] = [['XADD', 's', '1-0', 'f', 'v']];
    for (const id of ids) {
      cmds.push(['XADD', 's', id, 'f', 'v'], ['XRANGE', 's', id, '+'], ['XRANGE', 's', '-', id], ['XDEL', 's', id], ['XRANGE', 's', '(' + id, '+']);
    }
    cmds.push(['XRANGE', 's', '-', '+']);
    await check(cmds);
  });

  test('XRANGE / XREVRANGE: inclusive and exclusive bounds, COUNT, the 0-0 and max edges, errors', async () => {
    const fill: Cmd[] = [];
    for (let i = 1; i <= 12; i++) fill.push(['XADD', 's', `${i}-${i % 3}`, 'f', String(i), 'g', 'x'.repeat(i)]);
    await checkBoth([
      ...fill,
      ['XADD', 's', '13-0', 'other', 'fields'],
      ['XRANGE', 's', '-', '+'],
      ['XREVRANGE', 's', '+', '-'],
      ['XRANGE', 's', '3', '5'],
      ['XRANGE', 's', '(3-0', '(5-2'],
      ['XREVRANGE', 's', '(9-0', '(3-0', 'COUNT', '2'],
      ['XRANGE', 's', '-', '+', 'COUNT', '0'],
      ['XRANGE', 's', '-', '+', 'COUNT', '-5'],
      ['XRANGE', 's', '-', '+', 'COUNT', '3', 'COUNT', '1'],
      ['XRANGE', 's', '-', '+', 'COUNT'],
      ['XRANGE', 's', '-', '+', 'LIMIT', '1'],
      ['XRANGE', 's', '-', '+', 'COUNT', 'x'],
      ['XRANGE', 's', '(-', '+'],
      ['XRANGE', 's', '-', '(+'],
      ['XRANGE', 's', '(18446744073709551615-18446744073709551615', '+'],
      ['XRANGE', 's', '-', '(0-0'],
      ['XRANGE', 's', '(0-0', '(0-1'],
      ['XRANGE', 's', '5', '3'],
      ['XRANGE', 's', 'x', '+'],
      ['XRANGE', 'nokey', '-', '+'],
      ['XRANGE', 'nokey', 'bad', '+'],
      ['XLEN', 's'],
      ['XLEN', 'nokey'],
      ['SET', 'str', 'v'],
      ['XRANGE', 'str', '-', '+'],
      ['XLEN', 'str'],
      ['XRANGE', 's', '-', '+', 'COUNT', '0'],
      ['XREVRANGE', 's', '-', '+'],
    ]);
  });

  test('XDEL, XTRIM and XSETID: tombstones, max-deleted-entry-id, entries-added, their errors', async () => {
    const fill: Cmd[] = [];
    for (let i = 1; i <= 30; i++) fill.push(['XADD', 's', `${i}-0`, 'f', String(i)]);
    await checkBoth([
      ...fill,
      ['XDEL', 's', '1-0', '5-0', '5-0', '99-0'],
      ['XDEL', 's', '3-0', 'bad'],
      ['XDEL', 'nokey', 'bad'],
      ['XINFO', 'STREAM', 's'],
      ['XTRIM', 's', 'MAXLEN', '25'],
      ['XTRIM', 's', 'MAXLEN', '~', '10'],
      ['XTRIM', 's', 'MINID', '12'],
      ['XTRIM', 's', 'MINID', '=', '13-0'],
      ['XTRIM', 's', 'MINID', '~', '20', 'LIMIT', '1'],
      ['XTRIM', 's', 'MAXLEN', '5', 'LIMIT', '1'],
      ['XTRIM', 's'],
      ['XTRIM', 's', 'MINID'],
      ['XTRIM', 's', 'FOO', '1'],
      ['XTRIM', 's', 'MAXLEN', '-1'],
      ['XTRIM', 'nokey', 'MAXLEN', '1'],
      ['XINFO', 'STREAM', 's'],
      ['XSETID', 's', '1-0'],
      ['XSETID', 's', '30-0'],
      ['XSETID', 's', '40-0', 'ENTRIESADDED', '1'],
      ['XSETID', 's', '40-0', 'ENTRIESADDED', '-1'],
      ['XSETID', 's', '40-0', 'ENTRIESADDED', 'x'],
      ['XSETID', 's', '40-0', 'MAXDELETEDID', '41-0'],
      ['XSETID', 's', '40-0', 'MAXDELETEDID', '35-0', 'ENTRIESADDED', '100'],
      ['XSETID', 's', '39-0'],
      ['XSETID', 's', '40-0', 'FOO'],
      ['XSETID', 's', '-'],
      ['XSETID', 'nokey', '1-1'],
      ['XINFO', 'STREAM', 's'],
      ['XTRIM', 's', 'MAXLEN', '0'],
      ['XINFO', 'STREAM', 's'],
      ['XADD', 's', '40-0', 'a', 'b'],
      ['XADD', 's', '41-0', 'a', 'b'],
      ['XINFO', 'STREAM', 's', 'FULL'],
      ['XSETID', 's', '50-0', 'ENTRIESADDED', '0'],
      ['XDEL', 's', '41-0', '40-0'],
      ['XINFO', 'STREAM', 's'],
      ['EXISTS', 's'],
    ]);
  });

  test('node boundaries: what ~ trims and XINFO radix-tree figures under several node limits and entry sizes', async () => {
    const rng = new Rng(seedFromEnv('stream-nodes'));
    for (const [entries, bytes] of [
      ['100', '4096'],
      ['5', '4096'],
      ['0', '300'],
      ['7', '0'],
      ['3', '50'],
    ]) {
      await pair.reset();
      const cmds: CheckItem[] = [
        ['CONFIG', 'SET', 'stream-node-max-entries', entries],
        ['CONFIG', 'SET', 'stream-node-max-bytes', bytes],
      ];
      let ms = 1;
      for (let i = 0; i < 160; i++) {
        ms += rng.int(3) === 0 ? rng.range(1, 300) : 0;
        const nf = rng.range(1, 4);
        const args = ['XADD', 's', `${ms}-*`];
        const same = rng.bool(0.7);
        for (let f = 0; f < nf; f++) {
          args.push(same ? `f${f}` : rng.alnum(rng.range(1, 6)));
          args.push(rng.bool(0.3) ? String(rng.int(100000) - 50000) : rng.alnum(rng.range(0, rng.bool(0.1) ? 200 : 20)));
        }
        cmds.push(args);
        if (i % 40 === 39) cmds.push(['XINFO', 'STREAM', 's']);
      }
      cmds.push(
        ['XDEL', 's', '1-3', '1-4'],
        ['XINFO', 'STREAM', 's'],
        ['XTRIM', 's', 'MAXLEN', '~', '150'],
        ['XLEN', 's'],
        ['XTRIM', 's', 'MAXLEN', '~', '100'],
        ['XLEN', 's'],
        ['XTRIM', 's', 'MINID', '~', String(Math.floor(ms / 2))],
        ['XLEN', 's'],
        ['XINFO', 'STREAM', 's'],
        ['XADD', 's', 'MAXLEN', '~', '30', `${ms + 1}-*`, 'f0', 'v'],
        ['XLEN', 's'],
        ['XADD', 's', 'MAXLEN', '~', '20', 'LIMIT', '3', `${ms + 1}-*`, 'f0', 'v'],
        ['XLEN', 's'],
        ['XADD', 's', 'MINID', '~', String(ms), 'LIMIT', '1000', `${ms + 1}-*`, 'f0', 'v'],
        ['XTRIM', 's', 'MAXLEN', '12'],
        ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'],
      );
      await check(cmds);
    }
  });

  test('consumer groups: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM (deleted entries too), XAUTOCLAIM, XINFO', async () => {
    await checkBoth([
      ['XADD', 's', '1-1', 'a', '1'],
      ['XADD', 's', '2-1', 'a', '2'],
      ['XADD', 's', '3-1', 'a', '3'],
      ['XADD', 's', '4-1', 'a', '4'],
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XGROUP', 'CREATE', 'nos', 'g', '0'],
      ['XGROUP', 'CREATE', 'nos', 'g', '$', 'MKSTREAM'],
      ['XGROUP', 'CREATE', 's', 'g2', '$', 'ENTRIESREAD', '2'],
      ['XGROUP', 'CREATE', 's', 'g3', '$', 'ENTRIESREAD', '-2'],
      ['XGROUP', 'CREATE', 's', 'g3', '$', 'FOO'],
      ['XGROUP', 'CREATE', 's', 'g3', 'bad'],
      ['XGROUP', 'CREATE', 's', 'g3'],
      ['XGROUP', 'SETID', 's', 'nog', '0'],
      ['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD'],
      ['XGROUP', 'SETID', 's', 'g', '0', 'FOO', '1'],
      ['XGROUP', 'SETID', 's', 'g2', '-', 'ENTRIESREAD', '-3'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'alice'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'alice'],
      ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'alice'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'STREAMS', 's', '(3-1'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '$'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', 'nos', '>'],
      ['XREADGROUP', 'GROUP', 'nog', 'bob', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 'nokey', '>'],
      ['XREADGROUP', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'FOO', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', 'x', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '-1', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', 'x', 'STREAMS', 's', '>'],
      ['XREAD', 'STREAMS', 's', '0'],
      ['XREAD', 'COUNT', '1', 'STREAMS', 's', '2'],
      ['XREAD', 'STREAMS', 's', 'nos', '0', '0'],
      ['XREAD', 'STREAMS', 's', '>'],
      ['XREAD', 'GROUP', 'g', 'a', 'STREAMS', 's', '0'],
      ['XREAD', 'NOACK', 'STREAMS', 's', '0'],
      ['XREAD', 'STREAMS', 's', '$'],
      ['XREAD', 'STREAMS', 's', 'nokey', '0', '0'],
      ['XREAD', 'STREAMS', 's', '0', '1'],
      ['XREAD', 'COUNT', '1'],
      ['XINFO', 'GROUPS', 's'],
      ['XINFO', 'CONSUMERS', 's', 'g'],
      ['XPENDING', 's', 'g'],
      ['XPENDING', 's', 'g', '-', '+', '10'],
      ['XPENDING', 's', 'g', '-', '+', '10', 'alice'],
      ['XPENDING', 's', 'g', '-', '+', '10', 'nobody'],
      ['XPENDING', 's', 'g', 'IDLE', '0', '-', '+', '10', 'bob'],
      ['XPENDING', 's', 'g', 'IDLE', '100000000', '-', '+', '10'],
      ['XPENDING', 's', 'g', '(1-1', '(4-1', '10'],
      ['XPENDING', 's', 'g', '-', '+'],
      ['XPENDING', 's', 'g', 'IDLE', '0', '-', '+'],
      ['XPENDING', 's', 'g', '-', '+', 'x'],
      ['XPENDING', 's', 'nog'],
      ['XPENDING', 'nokey', 'g'],
      ['XPENDING', 's', 'g2'],
      ['XACK', 's', 'g', '1-1', '9-9'],
      ['XACK', 's', 'g', 'bad'],
      ['XACK', 's', 'nog', '1-1'],
      ['XACK', 'nokey', 'g', '1-1'],
      ['XDEL', 's', '2-1'],
      ['XCLAIM', 's', 'g', 'carol', '0', '2-1', '3-1', 'JUSTID'],
      ['XPENDING', 's', 'g', '-', '+', '10'],
      ['XCLAIM', 's', 'g', 'carol', '0', '4-1', 'FORCE'],
      ['XCLAIM', 's', 'g', 'carol', '0', '4-1', '1-1', 'FORCE', 'RETRYCOUNT', '7', 'TIME', '1000'],
      ['XCLAIM', 's', 'g', 'carol', '0', '4-1', 'BADOPT'],
      ['XCLAIM', 's', 'g', 'carol', '0', '4-1', 'IDLE', 'x'],
      ['XCLAIM', 's', 'g', 'carol', '0', '4-1', 'TIME', 'x'],
      ['XCLAIM', 's', 'g', 'carol', '0', '4-1', 'RETRYCOUNT', 'x'],
      ['XCLAIM', 's', 'g', 'carol', '0', '4-1', 'LASTID', 'x'],
      ['XCLAIM', 's', 'g', 'carol', 'x', '4-1'],
      ['XCLAIM', 's', 'g', 'carol', '100000000', '4-1'],
      ['XCLAIM', 's', 'nog', 'carol', '0', '4-1'],
      ['XCLAIM', 's', 'g', 'carol', '0', '4-1', 'JUSTID', 'LASTID', '10-0'],
      ['XINFO', 'GROUPS', 's'],
      ['XAUTOCLAIM', 's', 'g', 'dave', '0', '0', 'COUNT', '1'],
      ['XAUTOCLAIM', 's', 'g', 'dave', '0', '0', 'COUNT', '0'],
      ['XAUTOCLAIM', 's', 'g', 'dave', '0', '0', 'COUNT', 'x'],
      ['XAUTOCLAIM', 's', 'g', 'dave', 'x', '0'],
      ['XAUTOCLAIM', 's', 'g', 'dave', '0', 'bad'],
      ['XAUTOCLAIM', 's', 'g', 'dave', '0', '0', 'FOO'],
      ['XAUTOCLAIM', 's', 'g', 'dave', '0', '(1-1', 'JUSTID'],
      ['XAUTOCLAIM', 's', 'g', 'dave', '0', '0', 'JUSTID'],
      ['XAUTOCLAIM', 's', 'g', 'dave', '100000000', '0'],
      ['XAUTOCLAIM', 's', 'nog', 'dave', '0', '0'],
      ['XAUTOCLAIM', 'nokey', 'g', 'dave', '0', '0'],
      ['XINFO', 'GROUPS', 's'],
      ['XINFO', 'CONSUMERS', 's', 'g'],
      ['XINFO', 'STREAM', 's', 'FULL'],
      ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1'],
      ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x'],
      ['XINFO', 'STREAM', 's', 'FULL', 'LIMIT', '1'],
      ['XINFO', 'STREAM', 's', 'PART'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'dave'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'dave'],
      ['XGROUP', 'DESTROY', 's', 'g2'],
      ['XGROUP', 'DESTROY', 's', 'g2'],
      ['XGROUP', 'DESTROY', 'nokey', 'g2'],
      ['XINFO', 'GROUPS', 's'],
      ['XGROUP', 'HELP'],
      ['XGROUP', 'HELP', 'x'],
      ['XGROUP', 'FOO'],
      ['XGROUP', 'CREATE'],
      ['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '1', '2'],
      ['XINFO', 'HELP'],
      ['XINFO', 'FOO', 's'],
      ['XINFO', 'STREAM', 'nokey'],
      ['XINFO', 'GROUPS', 'nokey'],
      ['XINFO', 'CONSUMERS', 's', 'nog'],
      ['XINFO', 'CONSUMERS', 'nokey', 'g'],
      ['SET', 'str', 'x'],
      ['XINFO', 'STREAM', 'str'],
      ['XGROUP', 'CREATE', 'str', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'str', '>'],
      ['XREAD', 'STREAMS', 'str', '0'],
      ['XACK', 'str', 'g', '1-1'],
      ['XPENDING', 'str', 'g'],
      ['XCLAIM', 'str', 'g', 'c', '0', '1-1'],
      ['XAUTOCLAIM', 'str', 'g', 'c', '0', '0'],
    ]);
  });

  test('entries-read and lag as 7.0+ report them: tombstones ahead, SETID, ENTRIESREAD, NOACK', async () => {
    const fill: Cmd[] = [];
    for (let i = 1; i <= 10; i++) fill.push(['XADD', 's', `${i}-0`, 'f', String(i)]);
    await check([
      ['XGROUP', 'CREATE', 's', 'early', '$', 'MKSTREAM'],
      ['XINFO', 'GROUPS', 's'],
      ...fill,
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XGROUP', 'CREATE', 's', 'h', '5-0'],
      ['XGROUP', 'CREATE', 's', 'i', '$'],
      ['XINFO', 'GROUPS', 's'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '3', 'NOACK', 'STREAMS', 's', '>'],
      ['XINFO', 'GROUPS', 's'],
      ['XDEL', 's', '7-0'],
      ['XINFO', 'GROUPS', 's'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '3', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'h', 'c', 'COUNT', '1', 'STREAMS', 's', '>'],
      ['XINFO', 'GROUPS', 's'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
      ['XINFO', 'GROUPS', 's'],
      ['XDEL', 's', '1-0'],
      ['XGROUP', 'SETID', 's', 'h', '0'],
      ['XINFO', 'GROUPS', 's'],
      ['XGROUP', 'SETID', 's', 'h', '3-0', 'ENTRIESREAD', '3'],
      ['XINFO', 'GROUPS', 's'],
      ['XTRIM', 's', 'MAXLEN', '2'],
      ['XINFO', 'GROUPS', 's'],
      ['XADD', 's', '11-0', 'f', 'v'],
      ['XINFO', 'GROUPS', 's'],
      ['XSETID', 's', '20-0', 'ENTRIESADDED', '40', 'MAXDELETEDID', '15-0'],
      ['XINFO', 'GROUPS', 's'],
      ['XINFO', 'STREAM', 's', 'FULL'],
    ]);
  });

  test('XREADGROUP, XCLAIM and XAUTOCLAIM create their consumer (7.2) even when they serve nothing (7.0: only when they serve)', async () => {
    await check([
      ['XADD', 's', '1-0', 'a', 'b'],
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'owner', 'STREAMS', 's', '>'],
      ['XCLAIM', 's', 'g', 'claims-nothing', '100000000', '1-0'],
      ['XAUTOCLAIM', 's', 'g', 'autoclaims-nothing', '100000000', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'reads-nothing', 'STREAMS', 's', '>'],
    ]);
    const names = async (c: RespClient): Promise<string[]> => {
      const r = await c.call('XINFO', 'CONSUMERS', 's', 'g');
      assert.equal(r.t, 'array');
      return (r.v ?? []).map((e) => formatReply(e).match(/"name", "([^"]+)"/)![1]);
    };
    // Redis 7.2's xreadCommand / xclaimCommand / xautoclaimCommand look the consumer up or
    // create it before serving (and set its seen-time); 7.0.15 creates it when it serves.
    assert.deepEqual(await names(pair.ours), ['autoclaims-nothing', 'claims-nothing', 'owner', 'reads-nothing']);
    assert.deepEqual(await names(pair.theirs), ['owner']);
  });

  test('keyspace notifications of the stream commands are the same', async () => {
    await withEvents(ours, theirs, async (events) => {
      await check([
        ['XADD', 's', '1-0', 'a', 'b'],
        ['XADD', 's', 'MAXLEN', '0', '2-0', 'a', 'b'],
        ['XADD', 's', '3-0', 'a', 'b'],
        ['XDEL', 's', '3-0', '9-0'],
        ['XADD', 's', '4-0', 'a', 'b'],
        ['XTRIM', 's', 'MAXLEN', '0'],
        ['XTRIM', 's', 'MAXLEN', '0'],
        ['XSETID', 's', '10-0'],
        ['XGROUP', 'CREATE', 's', 'g', '$'],
        ['XGROUP', 'CREATE', 'm', 'g', '$', 'MKSTREAM'],
        ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'],
        ['XGROUP', 'SETID', 's', 'g', '0'],
        ['XADD', 's', '11-0', 'a', 'b'],
        ['XREADGROUP', 'GROUP', 'g', 'd', 'STREAMS', 's', '>'],
        ['XCLAIM', 's', 'g', 'e', '0', '11-0'],
        ['XACK', 's', 'g', '11-0'],
        ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['DEL', 's'],
      ]);
      const got = await events.same();
      assert.ok(got.length > 15, `${got.length} events`);
    });
  });

  test('seeded random sequences of every stream command (small nodes, tombstones, groups)', async () => {
    const rng = new Rng(seedFromEnv('streams random'));
    const keys = ['s1', 's2'];
    const groups = ['g1', 'g2'];
    const consumers = ['c1', 'c2', 'c3'];
    let ms = 1;
    const id = (): string => {
      const r = rng.int(10);
      if (r === 0) return '-';
      if (r === 1) return '+';
      const x = `${rng.int(ms + 3)}-${rng.int(4)}`;
      return rng.bool(0.15) ? '(' + x : x;
    };
    const entryId = (): string => `${rng.int(ms + 2)}-${rng.int(4)}`;
    const claimWith = (c: Cmd): CheckItem[] => [['XGROUP', 'CREATECONSUMER', c[1], c[2], c[3]], c];
    const gens: Array<() => CheckItem | CheckItem[]> = [
      () => {
        if (rng.bool(0.7)) ms += rng.int(3);
        const trim = rng.int(6);
        const args = ['XADD', rng.pick(keys)];
        if (trim === 0) args.push('MAXLEN', rng.pick(['~', '=']), String(rng.int(15)));
        if (trim === 1) args.push('MINID', rng.pick(['~', '=']), entryId());
        if (trim === 2) args.push('MAXLEN', '~', String(rng.int(15)), 'LIMIT', String(rng.int(8)));
        args.push(rng.bool(0.8) ? `${ms}-*` : entryId());
        const nf = rng.range(1, 3);
        for (let f = 0; f < nf; f++) args.push(rng.bool(0.8) ? `f${f}` : rng.alnum(2), rng.alnum(rng.range(0, 8)));
        return args;
      },
      () => ['XADD', rng.pick(keys), `${ms}-*`, 'f0', rng.alnum(3)],
      () => ['XDEL', rng.pick(keys), entryId(), entryId()],
      () => ['XTRIM', rng.pick(keys), 'MAXLEN', rng.pick(['~', '=']), String(rng.int(20))],
      () => ['XTRIM', rng.pick(keys), 'MINID', rng.pick(['~', '=']), entryId()],
      () => ['XRANGE', rng.pick(keys), id(), id(), 'COUNT', String(rng.int(6))],
      () => ['XREVRANGE', rng.pick(keys), id(), id()],
      () => ['XLEN', rng.pick(keys)],
      () => ['XGROUP', 'CREATE', rng.pick(keys), rng.pick(groups), rng.pick(['$', '0', entryId()]), ...(rng.bool(0.5) ? ['MKSTREAM'] : [])],
      () => ['XGROUP', 'SETID', rng.pick(keys), rng.pick(groups), rng.pick(['$', '0', entryId()]), ...(rng.bool(0.3) ? ['ENTRIESREAD', String(rng.int(10))] : [])],
      () => ['XGROUP', 'DESTROY', rng.pick(keys), rng.pick(groups)],
      () => ['XGROUP', 'CREATECONSUMER', rng.pick(keys), rng.pick(groups), rng.pick(consumers)],
      () => ['XGROUP', 'DELCONSUMER', rng.pick(keys), rng.pick(groups), rng.pick(consumers)],
      () => {
        const [g, cons] = [rng.pick(groups), rng.pick(consumers)];
        const k = rng.pick(keys);
        return [['XGROUP', 'CREATECONSUMER', k, g, cons], ['XREADGROUP', 'GROUP', g, cons, 'COUNT', String(rng.range(1, 4)), ...(rng.bool(0.2) ? ['NOACK'] : []), 'STREAMS', k, rng.bool(0.7) ? '>' : '0']];
      },
      () => ['XREAD', 'COUNT', String(rng.range(1, 4)), 'STREAMS', ...keys, entryId(), entryId()],
      () => ['XACK', rng.pick(keys), rng.pick(groups), entryId(), entryId()],
      // XREADGROUP / XCLAIM / XAUTOCLAIM create their consumer up front in 7.2, only when
      // they serve or claim in 7.0 (see 'XREADGROUP, XCLAIM and XAUTOCLAIM create their
      // consumer'): the consumer exists first here.
      () => claimWith(['XCLAIM', rng.pick(keys), rng.pick(groups), rng.pick(consumers), '0', entryId(), entryId(), ...rng.pick([[], ['JUSTID'], ['FORCE'], ['RETRYCOUNT', '3'], ['TIME', '12345'], ['LASTID', entryId()]])]),
      () => claimWith(['XAUTOCLAIM', rng.pick(keys), rng.pick(groups), rng.pick(consumers), '0', id(), 'COUNT', String(rng.range(1, 4)), ...(rng.bool(0.5) ? ['JUSTID'] : [])]),
      () => ['XPENDING', rng.pick(keys), rng.pick(groups)],
      () => ['XPENDING', rng.pick(keys), rng.pick(groups), id(), id(), String(rng.int(5)), ...(rng.bool(0.4) ? [rng.pick(consumers)] : [])],
      () => ['XINFO', 'STREAM', rng.pick(keys)],
      () => ['XINFO', 'GROUPS', rng.pick(keys)],
      () => ['XSETID', rng.pick(keys), `${ms + rng.int(3)}-0`, ...(rng.bool(0.3) ? ['ENTRIESADDED', String(rng.int(60))] : [])],
    ];
    const finish: CheckItem[] = keys.flatMap((k) => [['XINFO', 'STREAM', k, 'FULL', 'COUNT', '0'], ['XINFO', 'GROUPS', k], ...groups.map((g) => ['XINFO', 'CONSUMERS', k, g])]);
    for (let round = 0; round < 3; round++) {
      await pair.reset();
      ms = 1;
      await check([['CONFIG', 'SET', 'stream-node-max-entries', '4'], ['CONFIG', 'SET', 'stream-node-max-bytes', '120']]);
      const cmds: CheckItem[] = [];
      for (let i = 0; i < 400; i++) {
        const g = rng.pick(gens)();
        if (Array.isArray((g as unknown[])[0])) cmds.push(...(g as CheckItem[]));
        else cmds.push(g as CheckItem);
      }
      cmds.push(...finish);
      await replayOnFailure(rng.seed, () => check(cmds));
    }
  });

  // ---- blocking -------------------------------------------------------------------------

  async function blockBoth(block: Cmd, write: CheckItem[], clients: [RespClient, RespClient]): Promise<[Reply, Reply]> {
    const [bo, bt] = clients;
    const po = bo.call(...block);
    const pt = bt.call(...block);
    await Promise.all([waitBlocked(pair.ours, 1), waitBlocked(pair.theirs, 1)]);
    await check(write);
    return within(Promise.all([po, pt]), 5000, `reply to ${block.join(' ')}`);
  }

  test('XREAD / XREADGROUP BLOCK: served by XADD ($ and >), timeouts, several streams, RESP2 and RESP3', async () => {
    const [bo, bt] = await Promise.all([ours.client(), theirs.client()]);
    try {
      for (const resp of ['2', '3']) {
        await Promise.all([bo.call('HELLO', resp), bt.call('HELLO', resp)]);
        const cases: Array<{ setup: CheckItem[]; block: Cmd; write: CheckItem[]; after: CheckItem[] }> = [
          { setup: [['XADD', 's', '5-0', 'a', 'b']], block: ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], write: [['XADD', 's', '6-0', 'c', 'd']], after: [] },
          { setup: [], block: ['XREAD', 'BLOCK', '0', 'STREAMS', 'nokey', '$'], write: [['XADD', 'nokey', '1-1', 'c', 'd']], after: [] },
          { setup: [['XADD', 'a', '1-0', 'x', 'y']], block: ['XREAD', 'COUNT', '1', 'BLOCK', '5000', 'STREAMS', 'a', 'b', '$', '$'], write: [['XADD', 'b', '2-0', 'c', 'd'], ['XADD', 'b', '3-0', 'e', 'f']], after: [] },
          {
            setup: [['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
            block: ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
            write: [['XADD', 's', '7-0', 'k', 'v']],
            after: [['XPENDING', 's', 'g', '-', '+', '10'], ['XINFO', 'GROUPS', 's']],
          },
          {
            setup: [['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
            block: ['XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>'],
            write: [['MULTI'], ['XADD', 's', '7-0', 'k', 'v'], ['XADD', 's', '8-0', 'k', 'v'], ['EXEC']],
            after: [['XPENDING', 's', 'g'], ['XINFO', 'GROUPS', 's']],
          },
        ];
        for (const cs of cases) {
          await pair.reset();
          await check(cs.setup);
          const [ro, rt] = await blockBoth(cs.block, cs.write, [bo, bt]);
          assert.equal(formatReply(ro), formatReply(rt), `served ${cs.block.join(' ')} (RESP${resp})`);
          assert.notEqual(ro.t, 'null', 'a reply with entries');
          await check(cs.after);
        }
        const [to, tt] = await Promise.all([bo.call('XREAD', 'BLOCK', '30', 'STREAMS', 'nokey', '$'), bt.call('XREAD', 'BLOCK', '30', 'STREAMS', 'nokey', '$')]);
        assert.equal(formatReply(to), formatReply(tt), 'timeout reply');
      }
    } finally {
      bo.destroy();
      bt.destroy();
    }
  });

  test('blocked XREADGROUP clients are served in arrival order, one entry each with COUNT 1', async () => {
    const cl = await Promise.all([ours.client(), ours.client(), theirs.client(), theirs.client()]);
    try {
      await check([['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']]);
      const block = (c: RespClient, name: string) => c.call('XREADGROUP', 'GROUP', 'g', name, 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '>');
      const o1 = block(cl[0], 'first');
      const t1 = block(cl[2], 'first');
      await Promise.all([waitBlocked(pair.ours, 1), waitBlocked(pair.theirs, 1)]);
      const o2 = block(cl[1], 'second');
      const t2 = block(cl[3], 'second');
      await Promise.all([waitBlocked(pair.ours, 2), waitBlocked(pair.theirs, 2)]);
      await check([['XADD', 's', '1-0', 'n', '1']]);
      const [r1o, r1t] = await within(Promise.all([o1, t1]), 5000, 'first client');
      assert.equal(formatReply(r1o), formatReply(r1t));
      assert.match(formatReply(r1o), /1-0/);
      await Promise.all([waitBlocked(pair.ours, 1), waitBlocked(pair.theirs, 1)]);
      await check([['XADD', 's', '2-0', 'n', '2']]);
      const [r2o, r2t] = await within(Promise.all([o2, t2]), 5000, 'second client');
      assert.equal(formatReply(r2o), formatReply(r2t));
      assert.match(formatReply(r2o), /2-0/);
      await check([['XINFO', 'CONSUMERS', 's', 'g'], ['XPENDING', 's', 'g']]);
    } finally {
      for (const c of cl) c.destroy();
    }
  });

  test('inside MULTI XREAD / XREADGROUP BLOCK answer at once as on timeout', async () => {
    await checkBoth([
      ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      ['MULTI'],
      ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      ['XADD', 's', '1-0', 'a', 'b'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      ['EXEC'],
    ]);
  });

  test('a blocked XREADGROUP is released when its key is deleted, changes type or its group is destroyed (7.2 errors; 7.0 differs)', async () => {
    const [bo, bt] = await Promise.all([ours.client(), theirs.client()]);
    try {
      const block = ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'];
      const setup: CheckItem[] = [['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']];
      // Redis 7.2 runs the command again (unblock_on_nokey): NOGROUP for a deleted key or
      // destroyed group, WRONGTYPE for a key of another type. 7.0.15 answers with its own
      // errors from the blocking code: named here as the difference.
      const cases: Array<{ write: CheckItem[]; ours72: string; theirs70: string }> = [
        { write: [['DEL', 's']], ours72: "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option", theirs70: 'UNBLOCKED the stream key no longer exists' },
        { write: [['MULTI'], ['DEL', 's'], ['SET', 's', 'x'], ['EXEC']], ours72: 'WRONGTYPE Operation against a key holding the wrong kind of value', theirs70: 'UNBLOCKED the stream key no longer exists' },
        { write: [['XGROUP', 'DESTROY', 's', 'g']], ours72: "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option", theirs70: 'NOGROUP the consumer group this client was blocked on no longer exists' },
        // A whole database emptied or swapped away releases it too (scanDatabaseForDeletedKeys).
        { write: [['FLUSHALL']], ours72: "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option", theirs70: 'UNBLOCKED the stream key no longer exists' },
        { write: [['FLUSHDB', 'ASYNC']], ours72: "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option", theirs70: 'UNBLOCKED the stream key no longer exists' },
        { write: [['SWAPDB', '0', '1']], ours72: "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option", theirs70: 'UNBLOCKED the stream key no longer exists' },
      ];
      for (const cs of cases) {
        await pair.reset();
        await check(setup);
        const [ro, rt] = await blockBoth(block, cs.write, [bo, bt]);
        assert.deepEqual(ro, { t: 'err', v: cs.ours72 }, 'ours: the 7.2 error');
        assert.deepEqual(rt, { t: 'err', v: cs.theirs70 }, 'redis-server 7.0: its error');
      }
      // XREAD (no group) stays blocked when its key goes, and is served by the next XADD.
      await pair.reset();
      await check([['XADD', 's', '1-0', 'a', 'b']]);
      const po = bo.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      const pt = bt.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await Promise.all([waitBlocked(pair.ours, 1), waitBlocked(pair.theirs, 1)]);
      await check([['DEL', 's'], ['SET', 's', 'x'], ['DEL', 's']]);
      await Promise.all([waitBlocked(pair.ours, 1), waitBlocked(pair.theirs, 1)]);
      await check([['XADD', 's', '2-0', 'c', 'd']]);
      const [ro, rt] = await within(Promise.all([po, pt]), 5000, 'XREAD after the key came back');
      assert.equal(formatReply(ro), formatReply(rt));
    } finally {
      bo.destroy();
      bt.destroy();
    }
  });
});
