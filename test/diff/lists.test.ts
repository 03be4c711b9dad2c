// Differential tests of the list commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN
// LINDEX LSET LRANGE LTRIM LREM LINSERT LPOS LMOVE RPOPLPUSH LMPOP and the blocking
// BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP (their non-blocking paths, their MULTI
// behaviour, and a few served-while-blocked cases with a second connection) — the
// same commands sent to Cinnabar and to a real redis-server, replies compared;
// keyspace notifications compared too. Then checks of our side alone where Redis
// 7.2 differs from the 7.0 reference (list encodings, timeout range), and a part
// running a server in this process to check what the commands propagate.

import { waitBlocked } from '../helpers/wait.js';
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem, type CheckOptions } from '../helpers/diff.js';
import { KNOWN_DIFFERENCES, type KnownDifference } from '../helpers/known-differences.js';
import { skipIfNoRedis, startCinnabar, type ServerHandle } from '../helpers/servers.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { startPair, withEvents } from '../helpers/pair.js';
import { startInProcess, type InProcess, type Propagation } from '../helpers/inprocess.js';
import { checkRandomSequences } from '../helpers/sequences.js';
import { formatReply, type RespClient, type Reply } from '../../src/protocol/resp-client.js';

type Cmd = string[];

const isErr = (r: Reply, text: string): boolean => r.t === 'err' && r.v === text;

/** Where Redis 7.2 (our target) answers differently from the 7.0 reference binary. */
const LIST_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'timeout-out-of-range',
    command: ['BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BLMPOP'],
    reason:
      'Redis 7.2 answers "timeout is out of range" for timeouts whose milliseconds exceed LLONG_MAX (inf, 1e400); 7.0 casts them and answers "timeout is negative".',
    when: (_cmd, ours, theirs) => isErr(ours, 'ERR timeout is out of range') && isErr(theirs, 'ERR timeout is negative'),
  },
  {
    id: 'lpos-rank-llong-min',
    command: 'LPOS',
    reason: 'Redis 7.2 rejects RANK -9223372036854775808 (its negation overflows); 7.0 treats it as -1 or finds nothing.',
    when: (cmd, ours) =>
      cmd.includes('-9223372036854775808') &&
      isErr(ours, 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
  },
  {
    id: 'object-encoding-list-listpack',
    command: 'OBJECT ENCODING',
    reason: 'Redis 7.2 encodes small lists as a listpack; 7.0 always reports quicklist.',
    when: (_cmd, ours, theirs) => ours.t === 'bulk' && ours.v === 'listpack' && theirs.t === 'bulk' && theirs.v === 'quicklist',
  },
];

const OPTS: CheckOptions = { knownDifferences: [...KNOWN_DIFFERENCES, ...LIST_DIFFERENCES] };

/** Rejects when `p` does not settle within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

describe('lists (differential)', { skip: skipIfNoRedis(), timeout: 300000 }, () => {
  let pair: DiffPair;
  let ours: ServerHandle;
  let theirs: ServerHandle;

  const check = (cmds: readonly CheckItem[], o: CheckOptions = {}): Promise<unknown> => pair.check(cmds, { ...OPTS, ...o });

  before(async () => {
    ({ pair, ours, theirs } = await startPair(['--notify-keyspace-events', 'KEA']));
  });
  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });
  beforeEach(async () => {
    await pair.reset();
  });

  test('LPUSH RPUSH LPUSHX RPUSHX: order, lengths, binary values, wrong type, arity', async () => {
    const bin = '\x00\xff\r\n\x80abc\x00';
    await check([
      ['LPUSH', 'l', 'a'],
      ['LPUSH', 'l', 'b', 'c', 'd'],
      ['RPUSH', 'l', 'e', 'f'],
      ['LRANGE', 'l', '0', '-1'],
      ['LPUSHX', 'l', 'x', 'y'],
      ['RPUSHX', 'l', 'z'],
      ['LRANGE', 'l', '0', '-1'],
      ['LPUSHX', 'nosuch', 'x'],
      ['RPUSHX', 'nosuch', 'x', 'y'],
      ['EXISTS', 'nosuch'],
      ['RPUSH', bin, bin, '', bin],
      ['LRANGE', bin, '0', '-1'],
      ['LLEN', bin],
      ['RPUSH', 'n', '1', '-1', '9223372036854775807', '9223372036854775808', '007', '1.5'],
      ['LRANGE', 'n', '0', '-1'],
      ['SET', 's', 'x'],
      ['LPUSH', 's', 'a'],
      ['RPUSH', 's', 'a'],
      ['LPUSHX', 's', 'a'],
      ['RPUSHX', 's', 'a'],
      ['GET', 's'],
      ['LPUSH', 'l'],
      ['RPUSH'],
      ['LPUSHX', 'l'],
      ['rpushx', 'l'],
      ['lpush', 'L2', 'v'],
      ['TYPE', 'L2'],
      ['RPUSH', 'big', ...Array.from({ length: 1000 }, (_, i) => `e${i}`)],
      ['LLEN', 'big'],
      ['LRANGE', 'big', '495', '505'],
      ['RPUSH', 'huge', 'x'.repeat(70000)],
      ['LINDEX', 'huge', '0'],
    ]);
  });

  test('LPOP RPOP with and without count, in RESP2 and RESP3', async () => {
    const seq: Cmd[] = [
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
      ['LPOP', 'l'],
      ['RPOP', 'l'],
      ['LPOP', 'l', '0'],
      ['RPOP', 'l', '0'],
      ['LPOP', 'l', '2'],
      ['LRANGE', 'l', '0', '-1'],
      ['RPOP', 'l', '5'],
      ['EXISTS', 'l'],
      ['LPOP', 'l'],
      ['RPOP', 'l'],
      ['LPOP', 'l', '1'],
      ['RPOP', 'l', '0'],
      ['LPOP', 'l', '-1'],
      ['LPOP', 'l', 'abc'],
      ['RPOP', 'l', '1.5'],
      ['LPOP', 'l', '9223372036854775808'],
      ['RPUSH', 'l', 'x', 'y'],
      ['RPOP', 'l', '-1'],
      ['LPOP', 'l', '1', '2'],
      ['RPOP', 'l', '9223372036854775807'],
      ['LPOP'],
      ['SET', 's', 'v'],
      ['LPOP', 's'],
      ['RPOP', 's', '2'],
      ['LPOP', 's', '0'],
      ['LPOP', 's', '-1'],
      ['RPUSH', 'one', 'a'],
      ['LPOP', 'one', '1'],
      ['EXISTS', 'one'],
    ];
    await check(seq);
    await pair.reset();
    await check([['HELLO', '3'], ...seq, ['HELLO', '2']]);
  });

  test('LLEN LINDEX LRANGE: indexes, negatives, out of range, non-integers, missing keys', async () => {
    const cmds: Cmd[] = [['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'], ['LLEN', 'l'], ['LLEN', 'nosuch']];
    for (const i of ['0', '4', '5', '-1', '-5', '-6', '100', '-100', '9223372036854775807', '-9223372036854775808']) {
      cmds.push(['LINDEX', 'l', i]);
    }
    const bounds = ['0', '1', '-1', '-2', '4', '5', '6', '-5', '-6', '-100', '100', '9223372036854775807', '-9223372036854775808'];
    for (const s of bounds) for (const e of bounds) cmds.push(['LRANGE', 'l', s, e]);
    cmds.push(
      ['LINDEX', 'l', 'x'],
      ['LINDEX', 'l', '1.0'],
      ['LINDEX', 'l', ' 1'],
      ['LINDEX', 'l', '9223372036854775808'],
      ['LINDEX', 'nosuch', 'x'],
      ['LINDEX', 'nosuch', '0'],
      ['LRANGE', 'l', 'a', '1'],
      ['LRANGE', 'l', '0', 'b'],
      ['LRANGE', 'nosuch', '0', '-1'],
      ['LRANGE', 'nosuch', 'x', '-1'],
      ['SET', 's', 'v'],
      ['LLEN', 's'],
      ['LINDEX', 's', '0'],
      ['LINDEX', 's', 'x'],
      ['LRANGE', 's', '0', '1'],
      ['LRANGE', 's', 'x', '1'],
      ['LLEN'],
      ['LLEN', 'a', 'b'],
      ['LINDEX', 'l'],
      ['LRANGE', 'l', '0'],
      ['LRANGE', 'l', '0', '1', '2'],
    );
    await check(cmds);
  });

  test('LSET: every index, errors in Redis order', async () => {
    const cmds: Cmd[] = [['RPUSH', 'l', 'a', 'b', 'c']];
    for (const i of ['0', '2', '3', '-1', '-3', '-4', '100', '9223372036854775807', '-9223372036854775808']) {
      cmds.push(['LSET', 'l', i, `v${i}`], ['LRANGE', 'l', '0', '-1']);
    }
    cmds.push(
      ['LSET', 'l', 'x', 'v'],
      ['LSET', 'nosuch', '0', 'v'],
      ['LSET', 'nosuch', 'x', 'v'],
      ['SET', 's', 'v'],
      ['LSET', 's', '0', 'v'],
      ['LSET', 's', 'x', 'v'],
      ['LSET', 'l', '0'],
      ['LSET', 'l', '0', 'v', 'w'],
      ['LSET', 'l', '1', 'x'.repeat(10000)],
      ['LINDEX', 'l', '1'],
    );
    await check(cmds);
  });

  test('LTRIM: ranges, emptying deletes the key', async () => {
    const bounds = ['0', '1', '-1', '-2', '3', '4', '5', '-5', '-6', '100', '-100'];
    for (const s of bounds) {
      for (const e of bounds) {
        await check([
          ['DEL', 'l'],
          ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
          ['LTRIM', 'l', s, e],
          ['LRANGE', 'l', '0', '-1'],
          ['EXISTS', 'l'],
        ]);
      }
    }
    await check([
      ['LTRIM', 'nosuch', '0', '1'],
      ['LTRIM', 'nosuch', 'x', '1'],
      ['RPUSH', 'l', 'a'],
      ['LTRIM', 'l', 'x', '1'],
      ['LTRIM', 'l', '0', '1.5'],
      ['SET', 's', 'v'],
      ['LTRIM', 's', '0', '1'],
      ['LTRIM', 's', 'x', '1'],
      ['LTRIM', 'l', '0'],
    ]);
  });

  test('LREM: counts from the head, the tail, all; LONG_MIN; errors', async () => {
    for (const n of ['0', '1', '2', '3', '-1', '-2', '-3', '100', '-100', '9223372036854775807', '-9223372036854775808']) {
      await check([
        ['DEL', 'l'],
        ['RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
        ['LREM', 'l', n, 'a'],
        ['LRANGE', 'l', '0', '-1'],
        ['LREM', 'l', n, 'b'],
        ['LREM', 'l', n, 'zz'],
        ['LRANGE', 'l', '0', '-1'],
      ]);
    }
    await check([
      ['RPUSH', 'm', 'x', 'x'],
      ['LREM', 'm', '0', 'x'],
      ['EXISTS', 'm'],
      ['LREM', 'nosuch', '0', 'x'],
      ['LREM', 'nosuch', 'y', 'x'],
      ['RPUSH', 'l', 'a'],
      ['LREM', 'l', 'y', 'x'],
      ['LREM', 'l', '9223372036854775808', 'x'],
      ['SET', 's', 'v'],
      ['LREM', 's', '0', 'v'],
      ['LREM', 's', 'y', 'v'],
      ['LREM', 'l', '0'],
    ]);
  });

  test('LINSERT: BEFORE and AFTER, first match only, missing pivot, missing key, errors', async () => {
    await check([
      ['RPUSH', 'l', 'a', 'b', 'c', 'b'],
      ['LINSERT', 'l', 'BEFORE', 'b', 'x'],
      ['LINSERT', 'l', 'after', 'b', 'y'],
      ['LINSERT', 'l', 'Before', 'a', 'first'],
      ['LINSERT', 'l', 'AFTER', 'b', 'z'],
      ['LINSERT', 'l', 'AfTeR', 'b', 'w'],
      ['LRANGE', 'l', '0', '-1'],
      ['LINSERT', 'l', 'before', 'nope', 'x'],
      ['LINSERT', 'l', 'AFTER', 'b', ''],
      ['LINSERT', 'l', 'after', '', 'tail?'],
      ['LRANGE', 'l', '0', '-1'],
      ['LINSERT', 'l', 'middle', 'a', 'x'],
      ['LINSERT', 'nosuch', 'before', 'a', 'x'],
      ['LINSERT', 'nosuch', 'middle', 'a', 'x'],
      ['EXISTS', 'nosuch'],
      ['SET', 's', 'v'],
      ['LINSERT', 's', 'before', 'v', 'x'],
      ['LINSERT', 's', 'middle', 'v', 'x'],
      ['LINSERT', 'l', 'before', 'a'],
      ['LINSERT', 'l', 'before', 'a', 'b', 'c'],
    ]);
  });

  test('LPOS: RANK COUNT MAXLEN in every combination, errors', async () => {
    const cmds: Cmd[] = [['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'a', 'c', 'a']];
    const ranks = [[], ['RANK', '1'], ['RANK', '2'], ['RANK', '4'], ['RANK', '5'], ['RANK', '-1'], ['RANK', '-3'], ['RANK', '-9'], ['rank', '9223372036854775807'], ['RANK', '-9223372036854775807']];
    const counts = [[], ['COUNT', '0'], ['COUNT', '1'], ['COUNT', '2'], ['count', '10']];
    const maxlens = [[], ['MAXLEN', '0'], ['MAXLEN', '1'], ['MAXLEN', '4'], ['maxlen', '100']];
    for (const r of ranks) for (const c of counts) for (const m of maxlens) for (const e of ['a', 'c', 'z']) cmds.push(['LPOS', 'l', e, ...r, ...c, ...m]);
    cmds.push(
      ['LPOS', 'l', 'a', 'MAXLEN', '2', 'RANK', '-1', 'COUNT', '0'],
      ['LPOS', 'l', 'a', 'RANK', '2', 'RANK', '1'],
      ['LPOS', 'l', 'a', 'COUNT', '1', 'COUNT', '0'],
      ['LPOS', 'l', 'a', 'RANK', '0'],
      ['LPOS', 'l', 'a', 'RANK', 'x'],
      ['LPOS', 'l', 'a', 'RANK', '1.5'],
      ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808'],
      ['LPOS', 'l', 'a', 'COUNT', '-1'],
      ['LPOS', 'l', 'a', 'COUNT', 'x'],
      ['LPOS', 'l', 'a', 'MAXLEN', '-1'],
      ['LPOS', 'l', 'a', 'MAXLEN', 'x'],
      ['LPOS', 'l', 'a', 'RANK'],
      ['LPOS', 'l', 'a', 'COUNT'],
      ['LPOS', 'l', 'a', 'MAXLEN'],
      ['LPOS', 'l', 'a', 'FOO', '1'],
      ['LPOS', 'l', 'a', 'RANK', '0', 'FOO'],
      ['LPOS', 'l', 'a', 'FOO', 'RANK', '0'],
      ['LPOS', 'nosuch', 'a'],
      ['LPOS', 'nosuch', 'a', 'COUNT', '0'],
      ['LPOS', 'nosuch', 'a', 'RANK', '0'],
      ['SET', 's', 'v'],
      ['LPOS', 's', 'v'],
      ['LPOS', 's', 'v', 'COUNT', '1'],
      ['LPOS', 's', 'v', 'RANK', '0'],
      ['LPOS', 'l'],
    );
    await check(cmds);
    await check([['HELLO', '3'], ['LPOS', 'l', 'z'], ['LPOS', 'nosuch', 'a'], ['LPOS', 'nosuch', 'a', 'COUNT', '1'], ['LPOS', 'l', 'a', 'COUNT', '2'], ['HELLO', '2']]);
  });

  test('LMOVE RPOPLPUSH: every direction, same key, new destination, wrong types', async () => {
    const dirs = ['LEFT', 'RIGHT'];
    for (const f of dirs) {
      for (const t of dirs) {
        await check([
          ['DEL', 'src', 'dst'],
          ['RPUSH', 'src', 'a', 'b', 'c'],
          ['RPUSH', 'dst', 'x', 'y'],
          ['LMOVE', 'src', 'dst', f, t],
          ['LRANGE', 'src', '0', '-1'],
          ['LRANGE', 'dst', '0', '-1'],
          ['LMOVE', 'src', 'src', f, t],
          ['LRANGE', 'src', '0', '-1'],
          ['LMOVE', 'src', 'new', f.toLowerCase(), t],
          ['LRANGE', 'new', '0', '-1'],
          ['LMOVE', 'src', 'new', f, t],
          ['EXISTS', 'src'],
          ['LRANGE', 'new', '0', '-1'],
          ['LMOVE', 'src', 'new', f, t],
        ]);
      }
    }
    await check([
      ['RPUSH', 'one', 'a'],
      ['LMOVE', 'one', 'one', 'LEFT', 'RIGHT'],
      ['LRANGE', 'one', '0', '-1'],
      ['RPOPLPUSH', 'one', 'one'],
      ['RPUSH', 'src', 'a', 'b', 'c'],
      ['RPOPLPUSH', 'src', 'dst'],
      ['RPOPLPUSH', 'src', 'dst'],
      ['LRANGE', 'dst', '0', '-1'],
      ['RPOPLPUSH', 'nosuch', 'dst'],
      ['SET', 's', 'v'],
      ['RPOPLPUSH', 'src', 's'],
      ['LRANGE', 'src', '0', '-1'],
      ['RPOPLPUSH', 's', 'dst'],
      ['RPOPLPUSH', 'nosuch', 's'],
      ['LMOVE', 'src', 's', 'LEFT', 'LEFT'],
      ['LMOVE', 's', 'src', 'LEFT', 'LEFT'],
      ['LMOVE', 'nosuch', 's', 'LEFT', 'LEFT'],
      ['LMOVE', 'src', 'dst', 'UP', 'LEFT'],
      ['LMOVE', 'src', 'dst', 'LEFT', 'DOWN'],
      ['LMOVE', 'nosuch', 'dst', 'UP', 'LEFT'],
      ['LMOVE', 's', 'dst', 'LEFT', 'DOWN'],
      ['LMOVE', 'src', 'dst', 'LEFT'],
      ['RPOPLPUSH', 'src'],
    ]);
  });

  test('LMPOP: keys in order, directions, COUNT, errors in Redis order', async () => {
    const seq: Cmd[] = [
      ['RPUSH', 'b', '1', '2', '3'],
      ['RPUSH', 'c', 'x', 'y'],
      ['LMPOP', '3', 'a', 'b', 'c', 'LEFT'],
      ['LMPOP', '3', 'a', 'b', 'c', 'RIGHT', 'COUNT', '1'],
      ['LMPOP', '3', 'a', 'b', 'c', 'left', 'count', '5'],
      ['EXISTS', 'b'],
      ['LMPOP', '2', 'c', 'c', 'RIGHT', 'COUNT', '10'],
      ['LMPOP', '1', 'c', 'LEFT'],
      ['LMPOP', '0', 'a', 'LEFT'],
      ['LMPOP', '-1', 'a', 'LEFT'],
      ['LMPOP', 'x', 'a', 'LEFT'],
      ['LMPOP', '3', 'a', 'LEFT'],
      ['LMPOP', '2', 'a', 'LEFT'],
      ['LMPOP', '1', 'a', 'MIDDLE'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '0'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '-1'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', 'x'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '2'],
      ['LMPOP', '1', 'a', 'LEFT', 'FOO'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'FOO'],
      ['LMPOP', '0', 'a', 'MIDDLE', 'COUNT', '0'],
      ['LMPOP', '1', 'a', 'MIDDLE', 'COUNT', '0'],
      ['SET', 's', 'v'],
      ['RPUSH', 'l', 'v'],
      ['LMPOP', '2', 's', 'l', 'LEFT'],
      ['LMPOP', '2', 'l', 's', 'LEFT'],
      ['LMPOP', '2', 'nosuch', 's', 'LEFT'],
      ['LMPOP', '1', 'a'],
      ['LMPOP', '1'],
    ];
    await check(seq);
    await pair.reset();
    await check([['HELLO', '3'], ...seq, ['HELLO', '2']]);
  });

  test('blocking commands when data is there: BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH', async () => {
    await check([
      ['RPUSH', 'b', '1', '2', '3'],
      ['RPUSH', 'c', 'x'],
      ['BLPOP', 'a', 'b', 'c', '0'],
      ['BRPOP', 'a', 'b', 'c', '1'],
      ['BLPOP', 'a', 'b', 'c', '0.5'],
      ['BRPOP', 'a', 'b', 'c', '0'],
      ['EXISTS', 'b', 'c'],
      ['RPUSH', 'b', '1', '2', '3'],
      ['BLMPOP', '0', '2', 'a', 'b', 'LEFT'],
      ['BLMPOP', '0.1', '2', 'a', 'b', 'RIGHT', 'COUNT', '5'],
      ['RPUSH', 'src', 'a', 'b', 'c'],
      ['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0'],
      ['BLMOVE', 'src', 'dst', 'right', 'left', '0.01'],
      ['BRPOPLPUSH', 'src', 'dst', '0'],
      ['LRANGE', 'dst', '0', '-1'],
      ['EXISTS', 'src'],
      ['SET', 's', 'v'],
      ['BLPOP', 's', '0'],
      ['BLPOP', 'nosuch', 's', '0'],
      ['BRPOP', 's', 'b', '0'],
      ['BLMPOP', '0', '1', 's', 'LEFT'],
      ['RPUSH', 'src', 'a'],
      ['BLMOVE', 'src', 's', 'LEFT', 'LEFT', '0'],
      ['BLMOVE', 's', 'dst', 'LEFT', 'LEFT', '0'],
      ['BRPOPLPUSH', 's', 'dst', '0'],
      ['BRPOPLPUSH', 'src', 's', '0'],
      ['LRANGE', 'src', '0', '-1'],
    ]);
    await pair.reset();
    await check([
      ['HELLO', '3'],
      ['RPUSH', 'b', '1', '2', '3'],
      ['BLPOP', 'a', 'b', '0'],
      ['BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '5'],
      ['HELLO', '2'],
    ]);
  });

  test('blocking commands: argument and timeout errors', async () => {
    // The lists hold data, so a valid timeout pops at once: each timeout's validity is
    // observable without blocking.
    const cmds: Cmd[] = [];
    for (const t of ['0', '1', '0.1', '.5', '5.', '1e0', '1E-3', '0x10', '0x1p-4', '+1', '-0', '-0.0', '-0.0001', '-0.0009', '-0.001', '-0.002', '-0.0015', '-0.003', '-0.004', '-0.008', '-1000e-6', '-.001', '-0.0010000000000000000208', '-0.00099999999999999999', '-1', '-1e-400', '1e-400', '-inf', 'nan', 'NaN', '-nan', 'x', '', ' 1', '1 ', '1e', '1.2.3', '0.1e', '1e5000', '-1e5000', '1e400', 'inf', '+inf', 'infinity', '-infinity']) {
      for (const b of [['BLPOP', 'l', t], ['BRPOP', 'x', 'l', t], ['BLMOVE', 'l', 'd', 'LEFT', 'LEFT', t], ['BRPOPLPUSH', 'l', 'd', t], ['BLMPOP', t, '1', 'l', 'LEFT']]) {
        cmds.push(['RPUSH', 'l', 'v'], b, ['DEL', 'l']);
      }
    }
    cmds.push(
      ['BLPOP', 'l'],
      ['BLPOP'],
      ['BLMOVE', 'l', 'd', 'UP', 'LEFT', '0'],
      ['BLMOVE', 'l', 'd', 'LEFT', 'DOWN', 'x'],
      ['BLMOVE', 'l', 'd', 'LEFT', 'LEFT', 'x'],
      ['BLMOVE', 'l', 'd', 'LEFT', 'LEFT'],
      ['BRPOPLPUSH', 'l', 'd', 'x'],
      ['BRPOPLPUSH', 'l', 'd'],
      ['BLMPOP', 'x', '0', 'l', 'LEFT'],
      ['BLMPOP', 'x', '1', 'l', 'MIDDLE'],
      ['BLMPOP', 'x', '1', 'l', 'LEFT'],
      ['BLMPOP', '0', '0', 'l', 'LEFT'],
      ['BLMPOP', '0', '2', 'l', 'LEFT'],
      ['BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '0'],
      ['BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT'],
      ['BLMPOP', '0', '1', 'l'],
      ['SET', 's', 'v'],
      ['BLPOP', 's', 'x'],
      ['BLPOP', 's', '-1'],
    );
    await check(cmds);
  });

  test('blocking commands inside MULTI answer at once as on timeout', async () => {
    await check([
      ['MULTI'],
      ['BLPOP', 'a', 'b', '0'],
      ['BRPOP', 'a', '0'],
      ['BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0'],
      ['BRPOPLPUSH', 'a', 'b', '0'],
      ['BLMPOP', '0', '2', 'a', 'b', 'LEFT'],
      ['RPUSH', 'a', 'x', 'y'],
      ['BLPOP', 'a', '0'],
      ['BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0'],
      ['BLPOP', 'a', '0'],
      ['BLPOP', 'a', 'x'],
      ['EXEC'],
      ['LRANGE', 'b', '0', '-1'],
    ]);
    await check([
      ['HELLO', '3'],
      ['MULTI'],
      ['BLPOP', 'z', '0'],
      ['BLMOVE', 'z', 'b', 'LEFT', 'LEFT', '0'],
      ['BLMPOP', '0', '1', 'z', 'LEFT'],
      ['EXEC'],
      ['HELLO', '2'],
    ]);
  });

  test('timed-out blocking commands answer like Redis (a null array, BLMOVE included), RESP2 and RESP3', async () => {
    const seq: Cmd[] = [
      ['BLPOP', 'e', '0.01'],
      ['BRPOP', 'e', 'f', '0.01'],
      ['BLMOVE', 'e', 'd', 'LEFT', 'RIGHT', '0.01'],
      ['BRPOPLPUSH', 'e', 'd', '0.01'],
      ['BLMPOP', '0.01', '2', 'e', 'f', 'LEFT', 'COUNT', '3'],
      ['EXISTS', 'd'],
    ];
    await check(seq);
    await check([['HELLO', '3'], ...seq, ['HELLO', '2']]);
  });

  test('served while blocked: replies of BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH and the lists after', async () => {
    // Each case: a second connection blocks, the main connection writes, the blocked
    // connection's reply and the resulting lists are compared.
    const cases: Array<{ block: Cmd; write: Cmd[]; after: Cmd[] }> = [
      { block: ['BLPOP', 'a', 'b', '0'], write: [['RPUSH', 'b', '1', '2']], after: [['LRANGE', 'b', '0', '-1']] },
      { block: ['BRPOP', 'a', 'b', '5'], write: [['RPUSH', 'a', '1', '2']], after: [['LRANGE', 'a', '0', '-1']] },
      { block: ['BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '2'], write: [['LPUSH', 'b', '1', '2', '3']], after: [['LRANGE', 'b', '0', '-1']] },
      { block: ['BLMPOP', '0', '1', 'a', 'LEFT', 'COUNT', '9'], write: [['LPUSH', 'a', '1', '2', '3']], after: [['EXISTS', 'a']] },
      { block: ['BLMOVE', 'a', 'b', 'RIGHT', 'LEFT', '0'], write: [['RPUSH', 'b', 'old'], ['RPUSH', 'a', 'x', 'y']], after: [['LRANGE', 'a', '0', '-1'], ['LRANGE', 'b', '0', '-1']] },
      { block: ['BRPOPLPUSH', 'a', 'a', '0'], write: [['RPUSH', 'a', 'x', 'y']], after: [['LRANGE', 'a', '0', '-1']] },
      { block: ['BLMOVE', 'a', 's', 'LEFT', 'LEFT', '0'], write: [['SET', 's', 'str'], ['RPUSH', 'a', 'x']], after: [['LRANGE', 'a', '0', '-1'], ['GET', 's']] },
      { block: ['BLPOP', 'a', '0'], write: [['SET', 'a', 'str'], ['DEL', 'a'], ['LPUSH', 'a', 'late']], after: [['EXISTS', 'a']] },
      { block: ['BLPOP', 'a', '0'], write: [['MULTI'], ['RPUSH', 'a', 'x'], ['RPUSH', 'a', 'y'], ['LPOP', 'a'], ['EXEC']], after: [['LRANGE', 'a', '0', '-1']] },
      { block: ['BLPOP', 'a', '0'], write: [['MULTI'], ['RPUSH', 'a', 'x'], ['DEL', 'a'], ['EXEC'], ['RPUSH', 'a', 'z']], after: [['EXISTS', 'a']] },
    ];
    const [bo, bt] = await Promise.all([ours.client(), theirs.client()]);
    try {
      for (const cs of cases) {
        await pair.reset();
        const po = bo.call(...cs.block);
        const pt = bt.call(...cs.block);
        await Promise.all([waitBlocked(pair.ours, 1), waitBlocked(pair.theirs, 1)]);
        await check(cs.write);
        const [ro, rt] = await within(Promise.all([po, pt]), 5000, `reply to ${cs.block.join(' ')}`);
        assert.equal(formatReply(ro), formatReply(rt), `served ${cs.block.join(' ')}`);
        await check(cs.after);
      }
    } finally {
      bo.destroy();
      bt.destroy();
    }
  });

  test('keyspace notifications are the same as Redis', async () => {
    await withEvents(ours, theirs, async (events) => {
      const groups: Cmd[][] = [
        [['RPUSH', 'l', 'a', 'b', 'c'], ['LPUSH', 'l', 'z'], ['LPUSHX', 'l', 'y'], ['RPUSHX', 'l', 'x'], ['LPUSHX', 'no', 'x']],
        [['LPOP', 'l'], ['RPOP', 'l', '2'], ['LPOP', 'l', '0'], ['LPOP', 'no']],
        [['LSET', 'l', '0', 'q'], ['LSET', 'l', '9', 'q'], ['LINSERT', 'l', 'BEFORE', 'q', 'p'], ['LINSERT', 'l', 'BEFORE', 'nope', 'p']],
        [['LREM', 'l', '0', 'p'], ['LREM', 'l', '0', 'nope'], ['LTRIM', 'l', '0', '-1'], ['LTRIM', 'l', '1', '0']],
        [['RPUSH', 'l', 'a', 'b'], ['LMOVE', 'l', 'm', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 'l', 'm'], ['LMOVE', 'm', 'm', 'LEFT', 'LEFT']],
        [['LMPOP', '2', 'x', 'm', 'RIGHT', 'COUNT', '5'], ['RPUSH', 'l', 'a'], ['BLPOP', 'l', '0'], ['RPUSH', 'l', 'a', 'b'], ['BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '1']],
        [['BLMOVE', 'l', 'n', 'LEFT', 'LEFT', '0'], ['RPUSH', 'l', 'a'], ['BRPOPLPUSH', 'l', 'n', '0'], ['RPUSH', 'l', 'x'], ['LREM', 'l', '1', 'x'], ['RPUSH', 'l', 'x'], ['LSET', 'l', '0', 'y']],
      ];
      for (const g of groups) {
        await check(g);
        const got = await events.same(`notifications after ${g.map((c) => c.join(' ')).join('; ')}`);
        assert.ok(got.length > 0, 'the reference sent notifications');
      }
    });
  });

  test('random sequences of list commands match Redis', async () => {
    const rng = new Rng(seedFromEnv('lists'));
    const keys = ['l1', 'l2', 'l3', 's'];
    const vals = ['a', 'b', 'c', '1', '-1', '', 'x'.repeat(70), '\x00\xff'];
    const idx = (): string => String(rng.range(-8, 8));
    const k = (): string => rng.pick(keys);
    const v = (): string => rng.pick(vals);
    const dir = (): string => rng.pick(['LEFT', 'RIGHT', 'left', 'right']);
    const gens: Array<() => Cmd> = [
      () => ['LPUSH', k(), v(), ...(rng.bool() ? [v(), v()] : [])],
      () => ['RPUSH', k(), v(), ...(rng.bool() ? [v()] : [])],
      () => ['LPUSHX', k(), v()],
      () => ['RPUSHX', k(), v()],
      () => (rng.bool() ? ['LPOP', k()] : ['LPOP', k(), String(rng.range(-1, 4))]),
      () => (rng.bool() ? ['RPOP', k()] : ['RPOP', k(), String(rng.range(-1, 4))]),
      () => ['LLEN', k()],
      () => ['LINDEX', k(), idx()],
      () => ['LSET', k(), idx(), v()],
      () => ['LRANGE', k(), idx(), idx()],
      () => ['LTRIM', k(), idx(), idx()],
      () => ['LREM', k(), String(rng.range(-3, 3)), v()],
      () => ['LINSERT', k(), rng.pick(['BEFORE', 'AFTER']), v(), v()],
      () => ['LPOS', k(), v(), ...(rng.bool() ? ['RANK', rng.pick(['1', '2', '-1', '-2', '0'])] : []), ...(rng.bool() ? ['COUNT', String(rng.range(0, 3))] : []), ...(rng.bool(0.3) ? ['MAXLEN', String(rng.range(0, 5))] : [])],
      () => ['LMOVE', k(), k(), dir(), dir()],
      () => ['RPOPLPUSH', k(), k()],
      () => ['LMPOP', '2', k(), k(), dir(), ...(rng.bool() ? ['COUNT', String(rng.range(1, 4))] : [])],
      () => ['BLPOP', k(), k(), '0.01'],
      () => ['BRPOP', k(), '0.01'],
      () => ['BLMOVE', k(), k(), dir(), dir(), '0.01'],
      () => ['BLMPOP', '0.01', '1', k(), dir(), 'COUNT', String(rng.range(1, 3))],
      () => ['SET', 's', v()],
      () => ['DEL', k()],
      () => ['TYPE', k()],
    ];
    await checkRandomSequences(pair, rng, gens, { length: 500, finish: keys.map((key) => ['LRANGE', key, '0', '-1']), check: OPTS });
  });
});

// ---- our side only: what 7.2 does where the 7.0 reference differs -----------------------

describe('lists (Redis 7.2 behaviour, Cinnabar alone)', { timeout: 60000 }, () => {
  let h: ServerHandle;
  let c: RespClient;
  before(async () => {
    h = await startCinnabar();
    c = await h.client();
  });
  after(async () => {
    await h?.stop();
  });

  const call = async (...args: string[]): Promise<string> => formatReply(await c.call(...args));

  test('OBJECT ENCODING: listpack while small, quicklist beyond list-max-listpack-size, back at half', async () => {
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'SET', 'list-max-listpack-size', '4');
    assert.equal(await call('RPUSH', 'l', 'a', 'b', 'c', 'd'), formatReply({ t: 'int', v: 4n }));
    assert.match(await call('OBJECT', 'ENCODING', 'l'), /listpack/);
    await c.call('RPUSH', 'l', 'e');
    assert.match(await call('OBJECT', 'ENCODING', 'l'), /quicklist/);
    await c.call('RPOP', 'l');
    await c.call('RPOP', 'l');
    assert.match(await call('OBJECT', 'ENCODING', 'l'), /quicklist/, 'no conversion back above half the limit');
    await c.call('RPOP', 'l');
    assert.match(await call('OBJECT', 'ENCODING', 'l'), /listpack/, 'converted back at half the limit');
    // LINSERT with a missing pivot still converts when the element would not fit (as 7.2).
    await c.call('DEL', 'm');
    await c.call('RPUSH', 'm', 'a', 'b', 'c', 'd');
    assert.equal(await call('LINSERT', 'm', 'BEFORE', 'nope', 'x'), formatReply({ t: 'int', v: -1n }));
    assert.match(await call('OBJECT', 'ENCODING', 'm'), /quicklist/);
    await c.call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
    await c.call('DEL', 'big');
    await c.call('RPUSH', 'big', 'x'.repeat(9000));
    assert.match(await call('OBJECT', 'ENCODING', 'big'), /quicklist/);
    await c.call('LSET', 'big', '0', 'small');
    assert.match(await call('OBJECT', 'ENCODING', 'big'), /listpack/);
    await c.call('LMOVE', 'big', 'dst', 'LEFT', 'LEFT');
    assert.equal(await call('EXISTS', 'big'), formatReply({ t: 'int', v: 0n }));
    assert.match(await call('OBJECT', 'ENCODING', 'dst'), /listpack/);
  });

  test('timeouts beyond LLONG_MAX ms are out of range; LPOS RANK LONG_MIN is rejected', async () => {
    await c.call('FLUSHALL');
    for (const t of ['inf', '+inf', 'infinity', '1e400', '9223372036854775.808', '9300000000000000']) {
      assert.equal(await call('BLPOP', 'l', t), formatReply({ t: 'err', v: 'ERR timeout is out of range' }), t);
    }
    for (const t of ['-inf', '-1e400', '-1']) {
      assert.equal(await call('BLPOP', 'l', t), formatReply({ t: 'err', v: 'ERR timeout is negative' }), t);
    }
    await c.call('RPUSH', 'l', 'a');
    assert.equal(
      await call('LPOS', 'l', 'a', 'RANK', '-9223372036854775808'),
      formatReply({ t: 'err', v: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807' }),
    );
    assert.equal(await call('LPOS', 'l', 'a', 'RANK', '-9223372036854775807'), formatReply({ t: 'bulk', v: null }));
  });

  test('a very long timeout blocks (Node timers cannot wait that long: no early timeout)', async () => {
    await c.call('FLUSHALL');
    const b = await h.client();
    try {
      const p = b.call('BLPOP', 'l', '3000000'); // ~35 days
      await waitBlocked(c, 1);
      await new Promise((r) => setTimeout(r, 50));
      await c.call('RPUSH', 'l', 'v');
      const r = await within(p, 5000, 'BLPOP with a long timeout');
      assert.equal(formatReply(r), formatReply({ t: 'array', v: [{ t: 'bulk', v: 'l' }, { t: 'bulk', v: 'v' }] }));
    } finally {
      b.destroy();
    }
  });
});

// ---- propagation (in-process server) ------------------------------------------------

describe('lists propagation', { timeout: 60000 }, () => {
  let ip: InProcess;
  let client: RespClient;
  let other: RespClient;
  let seen: Propagation[];
  let propagated: InProcess['propagated'];

  before(async () => {
    ip = await startInProcess({ throwOnError: true });
    ({ client, seen, propagated } = ip);
    other = await ip.connect();
  });
  after(() => ip?.close());

  test('writes propagate as sent; no-op writes do not propagate', async () => {
    await client.call('FLUSHALL');
    assert.deepEqual(
      await propagated(
        ['RPUSH', 'l', 'a', 'b', 'c'],
        ['LPUSHX', 'nosuch', 'a'],
        ['LPOP', 'nosuch'],
        ['LSET', 'l', '0', 'z'],
        ['LINSERT', 'l', 'BEFORE', 'nope', 'x'],
        ['LINSERT', 'l', 'AFTER', 'z', 'y'],
        ['LREM', 'l', '0', 'nope'],
        ['LREM', 'l', '1', 'y'],
        ['LTRIM', 'l', '0', '-1'],
        ['LTRIM', 'l', '1', '-1'],
        ['LPOP', 'l', '0'],
        ['RPOP', 'l', '1'],
        ['LMOVE', 'nosuch', 'x', 'LEFT', 'LEFT'],
        ['LRANGE', 'l', '0', '-1'],
      ),
      [
        ['RPUSH', 'l', 'a', 'b', 'c'],
        ['LSET', 'l', '0', 'z'],
        ['LINSERT', 'l', 'AFTER', 'z', 'y'],
        ['LREM', 'l', '1', 'y'],
        ['LTRIM', 'l', '1', '-1'],
        ['RPOP', 'l', '1'],
      ],
    );
  });

  test('LMPOP and the blocking commands served at once propagate their non-blocking form', async () => {
    await client.call('FLUSHALL');
    assert.deepEqual(
      await propagated(
        ['RPUSH', 'a', '1', '2', '3', '4', '5', '6', '7'],
        ['LMPOP', '2', 'x', 'a', 'LEFT'],
        ['LMPOP', '2', 'x', 'a', 'RIGHT', 'COUNT', '2'],
        ['BLPOP', 'x', 'a', '0'],
        ['BRPOP', 'a', '1.5'],
        ['BLMPOP', '0', '1', 'a', 'LEFT', 'COUNT', '100'],
        ['RPUSH', 'a', 'p', 'q', 'r'],
        ['BLMOVE', 'a', 'b', 'LEFT', 'right', '0'],
        ['BRPOPLPUSH', 'a', 'b', '0'],
        ['RPOPLPUSH', 'a', 'b'],
        ['LMPOP', '1', 'x', 'LEFT'],
      ),
      [
        ['RPUSH', 'a', '1', '2', '3', '4', '5', '6', '7'],
        ['LPOP', 'a', '1'],
        ['RPOP', 'a', '2'],
        ['LPOP', 'a'],
        ['RPOP', 'a'],
        ['LPOP', 'a', '2'],
        ['RPUSH', 'a', 'p', 'q', 'r'],
        ['LMOVE', 'a', 'b', 'LEFT', 'right'],
        ['RPOPLPUSH', 'a', 'b'],
        ['RPOPLPUSH', 'a', 'b'],
      ],
    );
  });

  test('served blocked clients propagate LPOP/RPOP/LMOVE after the push that served them', async () => {
    await client.call('FLUSHALL');
    const cases: Array<{ block: string[]; push: string[]; expect: string[][] }> = [
      { block: ['BLPOP', 'k', '0'], push: ['RPUSH', 'k', 'a', 'b'], expect: [['RPUSH', 'k', 'a', 'b'], ['LPOP', 'k']] },
      { block: ['BRPOP', 'x', 'k', '10'], push: ['RPUSH', 'k', 'a'], expect: [['RPUSH', 'k', 'a'], ['RPOP', 'k']] },
      { block: ['BLMPOP', '0', '2', 'x', 'k', 'LEFT', 'COUNT', '3'], push: ['RPUSH', 'k', 'a', 'b'], expect: [['RPUSH', 'k', 'a', 'b'], ['LPOP', 'k', '2']] },
      { block: ['BLMOVE', 'k', 'd', 'RIGHT', 'LEFT', '0'], push: ['RPUSH', 'k', 'a'], expect: [['RPUSH', 'k', 'a'], ['LMOVE', 'k', 'd', 'RIGHT', 'LEFT']] },
      { block: ['BRPOPLPUSH', 'k', 'd', '0'], push: ['RPUSH', 'k', 'a'], expect: [['RPUSH', 'k', 'a'], ['RPOPLPUSH', 'k', 'd']] },
    ];
    for (const cs of cases) {
      await client.call('DEL', 'k', 'd', 'x');
      seen.length = 0;
      const p = other.call(...cs.block);
      await waitBlocked(client, 1);
      await client.call(...cs.push);
      const r = await within(p, 5000, cs.block.join(' '));
      assert.notEqual(r.t, 'err', formatReply(r));
      assert.deepEqual(
        seen.map((s) => s.argv),
        cs.expect,
      );
    }
  });
});
