// Differential tests of the generic keyspace commands: DEL UNLINK EXISTS TYPE TOUCH
// RENAME RENAMENX MOVE COPY KEYS SCAN RANDOMKEY, the expiry commands, SORT and
// SORT_RO — the same commands sent to Cinnabar and to a real redis-server, replies
// compared. A second part runs a server in this process to check what the expiry
// commands propagate.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { EventPair, startPair } from '../helpers/pair.js';
import { startInProcess, type InProcess } from '../helpers/inprocess.js';
import { replayOnFailure } from '../helpers/sequences.js';
import type { RespClient, Reply } from '../../src/protocol/resp-client.js';
import type { Server } from '../../src/server/server.js';

type Cmd = string[];

/** Seconds / milliseconds in the future, as absolute unix times. */
const FUTURE_S = String(Math.floor(Date.now() / 1000) + 100000);
const FUTURE_MS = String(Date.now() + 100000000);

/** PTTL-like replies differ by a few ms between two servers: compare them in seconds. */
function roundMs(r: Reply): Reply {
  if (r.t === 'int' && r.v > 0n) return { t: 'int', v: (r.v + 500n) / 1000n };
  return r;
}

/** A TTL compared with one second of slack (both servers round the same remaining time). */
function ttlBucket(r: Reply): Reply {
  if (r.t === 'int' && r.v > 10n) return { t: 'int', v: (r.v + 5n) / 10n };
  return r;
}

/** A TTL-like reply reduced to -2 / -1 / 1 (has a TTL). */
function ttlClass(r: Reply): Reply {
  if (r.t === 'int' && r.v > 0n) return { t: 'int', v: 1n };
  return r;
}

/** All keys of a full SCAN with the given options (cursor loop until 0). */
async function fullScan(c: RespClient, opts: string[]): Promise<{ keys: string[]; error: string | null; rounds: number }> {
  let cursor = '0';
  const keys: string[] = [];
  let rounds = 0;
  do {
    const r = await c.call('SCAN', cursor, ...opts);
    rounds++;
    if (r.t === 'err') return { keys, error: r.v, rounds };
    assert.equal(r.t, 'array');
    const arr = (r as { v: Reply[] }).v;
    assert.equal(arr.length, 2);
    assert.equal(arr[0].t, 'bulk');
    cursor = (arr[0] as { v: string }).v;
    for (const k of (arr[1] as { v: Reply[] }).v) keys.push((k as { v: string }).v);
    if (rounds > 100000) throw new Error('SCAN does not terminate');
  } while (cursor !== '0');
  return { keys, error: null, rounds };
}

/** Keys of every type, named by type. */
const POPULATE: Cmd[] = [
  ['SET', 'str', 'hello'],
  ['SET', 'num', '42'],
  ['RPUSH', 'list', 'c', 'a', 'b'],
  ['SADD', 'set', 'x', 'y', 'z'],
  ['SADD', 'iset', '3', '1', '2'],
  ['ZADD', 'zset', '1', 'one', '2', 'two', '3', 'three'],
  ['HSET', 'hash', 'f1', 'v1', 'f2', 'v2'],
];

describe('keys (differential)', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  let ours: ServerHandle;
  let theirs: ServerHandle;

  before(async () => {
    ({ pair, ours, theirs } = await startPair());
  });
  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });
  beforeEach(async () => {
    await pair.reset();
    await pair.check([['SELECT', '0']]);
  });

  test('DEL UNLINK EXISTS TYPE TOUCH', async () => {
    await pair.check([
      ...POPULATE,
      ['TYPE', 'str'],
      ['TYPE', 'num'],
      ['TYPE', 'list'],
      ['TYPE', 'set'],
      ['TYPE', 'iset'],
      ['TYPE', 'zset'],
      ['TYPE', 'hash'],
      ['TYPE', 'nosuch'],
      ['EXISTS', 'str'],
      ['EXISTS', 'str', 'str', 'nosuch', 'list', 'hash'],
      ['EXISTS', 'nosuch'],
      ['TOUCH', 'str', 'list', 'nosuch', 'str'],
      ['TOUCH', 'nosuch'],
      ['DEL', 'nosuch'],
      ['DEL', 'str', 'str', 'nosuch'],
      ['EXISTS', 'str'],
      ['UNLINK', 'list', 'set', 'nosuch'],
      ['EXISTS', 'list', 'set', 'zset'],
      ['DEL', 'zset', 'hash', 'iset', 'num'],
      ['DBSIZE'],
      ['SET', '', 'empty-name'],
      ['EXISTS', ''],
      ['TYPE', ''],
      ['DEL', ''],
      ['SET', 'bin\x00key\xff', 'v'],
      ['EXISTS', 'bin\x00key\xff'],
      ['EXISTS', 'bin'],
      ['DEL', 'bin\x00key\xff'],
      // arity
      ['DEL'],
      ['UNLINK'],
      ['EXISTS'],
      ['TYPE'],
      ['TYPE', 'a', 'b'],
      ['TOUCH'],
    ]);
  });

  test('expired keys are invisible to DEL EXISTS TYPE TOUCH', async () => {
    await pair.check([
      ['SET', 'a', '1', 'PX', '1'],
      ['SET', 'b', '1', 'PX', '1'],
      ['SET', 'c', '1', 'PX', '1'],
      ['SET', 'd', '1', 'PX', '1'],
    ]);
    await sleep(20);
    await pair.check([['EXISTS', 'a'], ['TYPE', 'b'], ['DEL', 'c'], ['TOUCH', 'd'], ['DBSIZE']]);
  });

  test('RENAME and RENAMENX', async () => {
    await pair.check([
      ...POPULATE,
      ['RENAME', 'nosuch', 'x'],
      ['RENAMENX', 'nosuch', 'x'],
      ['RENAME', 'nosuch', 'nosuch'],
      ['RENAMENX', 'nosuch', 'nosuch'],
      ['RENAME', 'str', 'str'],
      ['RENAMENX', 'str', 'str'],
      ['RENAME', 'str', 'str2'],
      ['EXISTS', 'str'],
      ['GET', 'str2'],
      ['RENAME', 'str2', 'list'],
      ['TYPE', 'list'],
      ['GET', 'list'],
      ['RENAMENX', 'list', 'set'],
      ['RENAMENX', 'list', 'fresh'],
      ['GET', 'fresh'],
      ['RENAMENX', 'zset', 'z2'],
      ['ZRANGE', 'z2', '0', '-1', 'WITHSCORES'],
      ['RENAME', 'hash', 'h\x00'],
      ['HGETALL', 'h\x00'],
      // the TTL moves with the key; the destination's TTL is replaced
      ['EXPIRE', 'fresh', '1000'],
      ['RENAME', 'fresh', 'withttl'],
      { cmd: ['TTL', 'withttl'], normalize: ttlBucket },
      ['SET', 'dst', 'v', 'EX', '5000'],
      ['SET', 'src', 'v'],
      ['RENAME', 'src', 'dst'],
      ['TTL', 'dst'],
      ['SET', 'src', 'v', 'EX', '300'],
      ['RENAME', 'src', 'dst'],
      { cmd: ['TTL', 'dst'], normalize: ttlBucket },
      ['RENAME', 'a'],
      ['RENAME', 'a', 'b', 'c'],
      ['RENAMENX', 'a'],
    ]);
  });

  test('RENAME of an expired source', async () => {
    await pair.check([['SET', 'gone', 'v', 'PX', '1']]);
    await sleep(20);
    await pair.check([['RENAME', 'gone', 'x'], ['RENAMENX', 'gone', 'x'], ['EXISTS', 'x']]);
  });

  test('MOVE', async () => {
    await pair.check([
      ...POPULATE,
      ['MOVE', 'str', '1'],
      ['EXISTS', 'str'],
      ['MOVE', 'str', '1'],
      ['MOVE', 'list', '0'],
      ['MOVE', 'list', '16'],
      ['MOVE', 'list', '-1'],
      ['MOVE', 'list', 'x'],
      ['MOVE', 'list', '1.5'],
      ['MOVE', 'list', '4294967296'],
      ['MOVE', 'list', '-2147483649'],
      ['MOVE', 'list', '2147483648'],
      ['MOVE', 'nosuch', '1'],
      ['MOVE', 'nosuch', '99'],
      ['EXPIRE', 'zset', '1000'],
      ['MOVE', 'zset', '2'],
      ['SET', 'num', 'collide'],
      ['SELECT', '1'],
      ['GET', 'str'],
      ['SET', 'num', 'in-db1'],
      ['MOVE', 'num', '0'],
      ['GET', 'num'],
      ['SELECT', '2'],
      { cmd: ['TTL', 'zset'], normalize: ttlBucket },
      ['ZRANGE', 'zset', '0', '-1'],
      ['MOVE', 'zset', '0'],
      ['EXISTS', 'zset'],
      ['SELECT', '0'],
      ['ZRANGE', 'zset', '0', '-1'],
      { cmd: ['TTL', 'zset'], normalize: ttlBucket },
      ['MOVE'],
      ['MOVE', 'a'],
      ['MOVE', 'a', '1', '2'],
    ]);
  });

  test('COPY of every type is a deep copy', async () => {
    await pair.check([
      ...POPULATE,
      ['COPY', 'str', 'str2'],
      ['GET', 'str2'],
      ['APPEND', 'str2', '!'],
      ['GET', 'str'],
      ['COPY', 'list', 'list2'],
      ['RPUSH', 'list2', 'new'],
      ['LRANGE', 'list', '0', '-1'],
      ['LRANGE', 'list2', '0', '-1'],
      ['COPY', 'set', 'set2'],
      ['SADD', 'set2', 'new'],
      ['SREM', 'set2', 'x'],
      { cmd: ['SMEMBERS', 'set'], unordered: true },
      { cmd: ['SMEMBERS', 'set2'], unordered: true },
      ['COPY', 'iset', 'iset2'],
      { cmd: ['SMEMBERS', 'iset2'], unordered: true },
      ['COPY', 'zset', 'zset2'],
      ['ZADD', 'zset2', '10', 'one', '0', 'zero'],
      ['ZRANGE', 'zset', '0', '-1', 'WITHSCORES'],
      ['ZRANGE', 'zset2', '0', '-1', 'WITHSCORES'],
      ['COPY', 'hash', 'hash2'],
      ['HSET', 'hash2', 'f1', 'changed', 'f3', 'v3'],
      { cmd: ['HGETALL', 'hash'], unordered: true },
      { cmd: ['HGETALL', 'hash2'], unordered: true },
      ['TYPE', 'hash2'],
    ]);
  });

  test('COPY options and errors', async () => {
    await pair.check([
      ...POPULATE,
      ['COPY', 'nosuch', 'x'],
      ['COPY', 'str', 'str'],
      ['COPY', 'str', 'str', 'REPLACE'],
      ['COPY', 'str', 'str', 'DB', '0'],
      ['COPY', 'str', 'str', 'DB', '1'],
      ['COPY', 'str', 'list'],
      ['TYPE', 'list'],
      ['COPY', 'str', 'list', 'REPLACE'],
      ['TYPE', 'list'],
      ['GET', 'list'],
      ['COPY', 'str', 'x', 'DB'],
      ['COPY', 'str', 'x', 'DB', 'abc'],
      ['COPY', 'str', 'x', 'DB', '16'],
      ['COPY', 'str', 'x', 'DB', '-1'],
      ['COPY', 'str', 'x', 'DB', '99999999999'],
      ['COPY', 'str', 'x', 'FOO'],
      ['COPY', 'str', 'x', 'replace', 'REPLACE'],
      ['COPY', 'str', 'x', 'REPLACE', 'DB', '1', 'DB', '2'],
      ['COPY', 'nosuch', 'nosuch', 'DB', '99'],
      ['COPY', 'zset', 'zset', 'db', '3'],
      ['EXPIRE', 'hash', '2000'],
      ['COPY', 'hash', 'h', 'DB', '3'],
      ['SELECT', '3'],
      ['TYPE', 'zset'],
      { cmd: ['HGETALL', 'h'], unordered: true },
      { cmd: ['TTL', 'h'], normalize: ttlBucket },
      ['SELECT', '2'],
      ['GET', 'x'],
      ['SELECT', '0'],
      ['EXISTS', 'x'],
      { cmd: ['TTL', 'hash'], normalize: ttlBucket },
      ['COPY'],
      ['COPY', 'a'],
    ]);
  });

  test('COPY of an expired source, and onto an expired destination', async () => {
    await pair.check([
      ['SET', 'gone', 'v', 'PX', '1'],
      ['SET', 'dstgone', 'v', 'PX', '1'],
      ['SET', 'live', 'v'],
    ]);
    await sleep(20);
    await pair.check([['COPY', 'gone', 'x'], ['COPY', 'live', 'dstgone'], ['GET', 'dstgone'], ['TTL', 'dstgone']]);
  });

  test('KEYS', async () => {
    const keys = ['a', 'ab', 'abc', 'b', 'bc', 'A', 'a*', 'a?', 'h\\llo', 'x[y', 'hello', 'hallo', 'hxllo', '', 'bin\x00\xff'];
    await pair.check(keys.map((k) => ['SET', k, 'v']));
    const patterns = [
      '*',
      'a*',
      '*b*',
      '?',
      '??',
      'a?',
      '[ab]*',
      '[^a]*',
      '[a-b]',
      'h[ae]llo',
      'h[^e]llo',
      'h\\*',
      'a\\*',
      'a\\?',
      'x[[]y',
      'h\\\\llo',
      'nomatch*',
      '',
      '**',
      'bin*',
      '*\xff',
      'A',
      'a',
    ];
    await pair.check(
      patterns.map((p) => ({ cmd: ['KEYS', p], unordered: true })),
    );
    await pair.check([['KEYS'], ['KEYS', 'a', 'b']]);
  });

  test('KEYS hides expired keys', async () => {
    await pair.check([['SET', 'k1', 'v', 'PX', '1'], ['SET', 'k2', 'v'], ['SET', 'k3', 'v', 'EX', '1000']]);
    await sleep(20);
    await pair.check([{ cmd: ['KEYS', '*'], unordered: true }, { cmd: ['KEYS', 'k*'], unordered: true }]);
  });

  test('SCAN returns every key once, with MATCH, COUNT and TYPE', async () => {
    const cmds: Cmd[] = [];
    for (let i = 0; i < 300; i++) {
      switch (i % 5) {
        case 0:
          cmds.push(['SET', `key:${i}`, 'v']);
          break;
        case 1:
          cmds.push(['RPUSH', `key:${i}`, 'a']);
          break;
        case 2:
          cmds.push(['SADD', `key:${i}`, 'a']);
          break;
        case 3:
          cmds.push(['ZADD', `key:${i}`, '1', 'a']);
          break;
        default:
          cmds.push(['HSET', `other:${i}`, 'f', 'v']);
      }
    }
    cmds.push(['SET', '', 'empty']);
    await pair.ours.pipeline(cmds);
    await pair.theirs.pipeline(cmds);
    const optionSets: string[][] = [
      [],
      ['COUNT', '1'],
      ['COUNT', '7'],
      ['COUNT', '1000'],
      ['MATCH', '*'],
      ['MATCH', 'key:*'],
      ['MATCH', 'key:1*', 'COUNT', '3'],
      ['MATCH', 'other:*'],
      ['MATCH', 'nomatch*'],
      ['TYPE', 'string'],
      ['TYPE', 'STRING'],
      ['TYPE', 'list'],
      ['TYPE', 'set'],
      ['TYPE', 'zset'],
      ['TYPE', 'Hash'],
      ['TYPE', 'stream'],
      ['TYPE', 'nosuchtype'],
      ['TYPE', 'list', 'MATCH', 'key:1*', 'COUNT', '5'],
      ['MATCH', 'key:2*', 'TYPE', 'zset'],
      ['COUNT', '3', 'COUNT', '10'],
      ['MATCH', 'x*', 'MATCH', 'key:*'],
    ];
    for (const opts of optionSets) {
      const o = await fullScan(pair.ours, opts);
      const t = await fullScan(pair.theirs, opts);
      assert.equal(o.error, t.error, `SCAN ${opts.join(' ')}`);
      const oset = new Set(o.keys);
      assert.equal(oset.size, o.keys.length, `SCAN ${opts.join(' ')} returned duplicates without concurrent changes`);
      assert.deepEqual([...oset].sort(), [...new Set(t.keys)].sort(), `SCAN ${opts.join(' ')}`);
    }
    // COUNT is honoured as a hint: with COUNT 1 the walk takes many rounds
    const small = await fullScan(pair.ours, ['COUNT', '1']);
    assert.ok(small.rounds > 100, `SCAN COUNT 1 took ${small.rounds} rounds`);
  });

  test('SCAN cursors and errors', async () => {
    await pair.check([['SET', 'a', '1'], ['SET', 'b', '1']]);
    const unordered = (cmd: Cmd): CheckItem => ({ cmd, unordered: 'deep' });
    await pair.check([
      unordered(['SCAN', '0']),
      unordered(['SCAN', '', 'COUNT', '100']),
      unordered(['SCAN', '+0', 'COUNT', '100']),
      unordered(['SCAN', '-0', 'COUNT', '100']),
      unordered(['SCAN', '00', 'COUNT', '100']),
      ['SCAN', ' 0'],
      ['SCAN', '0 '],
      ['SCAN', 'x'],
      ['SCAN', '1.5'],
      ['SCAN', '+'],
      ['SCAN', '-'],
      ['SCAN', '18446744073709551616'],
      ['SCAN', '99999999999999999999999'],
      ['SCAN', '0', 'COUNT', '0'],
      ['SCAN', '0', 'COUNT', '-1'],
      ['SCAN', '0', 'COUNT', 'x'],
      ['SCAN', '0', 'COUNT', '9223372036854775808'],
      ['SCAN', '0', 'COUNT'],
      ['SCAN', '0', 'MATCH'],
      ['SCAN', '0', 'TYPE'],
      ['SCAN', '0', 'FOO', 'bar'],
      ['SCAN', '0', 'MATCH', '*', 'FOO'],
      ['SCAN', 'x', 'COUNT', '0'],
      ['SCAN'],
    ]);
  });

  test('SCAN skips expired keys', async () => {
    const cmds: Cmd[] = [];
    for (let i = 0; i < 50; i++) cmds.push(i % 2 === 0 ? ['SET', `k${i}`, 'v', 'PX', '1'] : ['SET', `k${i}`, 'v']);
    await pair.ours.pipeline(cmds);
    await pair.theirs.pipeline(cmds);
    await sleep(20);
    for (const opts of [[], ['TYPE', 'string'], ['MATCH', 'k1*']]) {
      const o = await fullScan(pair.ours, opts);
      const t = await fullScan(pair.theirs, opts);
      assert.deepEqual(o.keys.sort(), t.keys.sort(), `SCAN ${opts.join(' ')}`);
    }
  });

  test('RANDOMKEY', async () => {
    await pair.check([['RANDOMKEY'], ['SET', 'only', 'v'], ['RANDOMKEY'], ['RANDOMKEY', 'x']]);
    await pair.check([['SET', 'a', 'v'], ['SET', 'b', 'v'], ['SET', 'c', 'v']]);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const r = await pair.ours.call('RANDOMKEY');
      assert.equal(r.t, 'bulk');
      seen.add((r as { v: string }).v);
    }
    assert.deepEqual([...seen].sort(), ['a', 'b', 'c', 'only']);
    // expired keys are never returned, and all-expired means none
    await pair.check([['FLUSHALL'], ['SET', 'x', 'v', 'PX', '1'], ['SET', 'y', 'v', 'PX', '1'], ['SET', 'z', 'v']]);
    await sleep(20);
    await pair.check([['RANDOMKEY'], ['RANDOMKEY'], ['DEL', 'z'], ['RANDOMKEY']]);
  });

  test('EXPIRE PEXPIRE EXPIREAT PEXPIREAT basics', async () => {
    await pair.check([
      ['SET', 'k', 'v'],
      ['TTL', 'k'],
      ['PTTL', 'k'],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['TTL', 'nosuch'],
      ['PTTL', 'nosuch'],
      ['EXPIRETIME', 'nosuch'],
      ['PEXPIRETIME', 'nosuch'],
      ['EXPIRE', 'nosuch', '100'],
      ['PEXPIRE', 'nosuch', '100'],
      ['EXPIREAT', 'nosuch', FUTURE_S],
      ['PEXPIREAT', 'nosuch', FUTURE_MS],
      ['EXPIRE', 'k', '100'],
      { cmd: ['TTL', 'k'], normalize: ttlBucket },
      { cmd: ['PTTL', 'k'], normalize: roundMs },
      ['PEXPIRE', 'k', '200000'],
      { cmd: ['TTL', 'k'], normalize: ttlBucket },
      ['EXPIREAT', 'k', FUTURE_S],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', FUTURE_MS],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      // far-future times (PEXPIRETIME of these is not exact: times are stored as doubles)
      ['PEXPIREAT', 'k', '9223372036854775807'],
      ['TTL', 'k'],
      ['EXPIRETIME', 'k'],
      ['EXPIREAT', 'k', '9223372036854775'],
      ['EXPIRETIME', 'k'],
      ['PERSIST', 'k'],
      ['PERSIST', 'k'],
      ['PERSIST', 'nosuch'],
      ['TTL', 'k'],
      // the value survives, the type too
      ['RPUSH', 'l', 'a'],
      ['EXPIRE', 'l', '1000'],
      ['LRANGE', 'l', '0', '-1'],
      ['SET', 'l', 'overwritten'],
      ['TTL', 'l'],
    ]);
  });

  test('an expiry in the past deletes the key', async () => {
    await pair.check([
      ...POPULATE,
      ['EXPIRE', 'str', '0'],
      ['EXISTS', 'str'],
      ['EXPIRE', 'num', '-100'],
      ['EXISTS', 'num'],
      ['PEXPIRE', 'list', '-1'],
      ['EXISTS', 'list'],
      ['EXPIREAT', 'set', '1'],
      ['EXISTS', 'set'],
      ['PEXPIREAT', 'zset', '0'],
      ['EXISTS', 'zset'],
      ['EXPIREAT', 'hash', '-9223372036854775'],
      ['EXISTS', 'hash'],
      ['PEXPIREAT', 'iset', '-9223372036854775808'],
      ['DBSIZE'],
      ['SET', 'k', 'v', 'EX', '100'],
      ['EXPIRE', 'k', '-1', 'GT'],
      ['EXPIRE', 'k', '-1', 'LT'],
      ['EXISTS', 'k'],
    ]);
  });

  test('expiry options NX XX GT LT', async () => {
    await pair.check([
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100', 'XX'],
      ['EXPIRE', 'k', '100', 'GT'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '100', 'LT'],
      { cmd: ['TTL', 'k'], normalize: ttlBucket },
      ['EXPIRE', 'k', '200', 'NX'],
      { cmd: ['TTL', 'k'], normalize: ttlBucket },
      ['EXPIRE', 'k', '200', 'XX'],
      { cmd: ['TTL', 'k'], normalize: ttlBucket },
      ['EXPIRE', 'k', '100', 'GT'],
      ['EXPIRE', 'k', '300', 'GT'],
      { cmd: ['TTL', 'k'], normalize: ttlBucket },
      ['EXPIRE', 'k', '400', 'LT'],
      ['EXPIRE', 'k', '50', 'lt'],
      { cmd: ['TTL', 'k'], normalize: ttlBucket },
      ['EXPIRE', 'k', '60', 'XX', 'GT'],
      ['EXPIRE', 'k', '10', 'XX', 'GT'],
      ['EXPIRE', 'k', '10', 'xx', 'lt'],
      { cmd: ['TTL', 'k'], normalize: ttlBucket },
      ['EXPIRE', 'k', '5', 'GT', 'GT'],
      ['EXPIRE', 'k', '20', 'gt', 'GT'],
      { cmd: ['TTL', 'k'], normalize: ttlBucket },
      ['PEXPIREAT', 'k', FUTURE_MS, 'GT'],
      ['PEXPIRETIME', 'k'],
      ['EXPIREAT', 'k', FUTURE_S, 'LT'],
      ['PEXPIRETIME', 'k'],
      ['EXPIREAT', 'k', FUTURE_S, 'LT'],
      ['PEXPIREAT', 'k', FUTURE_MS, 'NX'],
      ['PERSIST', 'k'],
      ['PEXPIRE', 'k', '100000', 'LT'],
      { cmd: ['PTTL', 'k'], normalize: roundMs },
      ['PERSIST', 'k'],
      ['PEXPIRE', 'k', '100000', 'NX'],
      { cmd: ['PTTL', 'k'], normalize: roundMs },
      // incompatible or unknown options: errors come before the number is parsed
      ['EXPIRE', 'k', '10', 'NX', 'XX'],
      ['EXPIRE', 'k', '10', 'NX', 'GT'],
      ['EXPIRE', 'k', '10', 'NX', 'LT'],
      ['EXPIRE', 'k', '10', 'GT', 'LT'],
      ['EXPIRE', 'k', '10', 'XX', 'GT', 'LT'],
      ['EXPIRE', 'k', 'abc', 'NX', 'XX'],
      ['EXPIRE', 'k', '10', 'FOO'],
      ['EXPIRE', 'k', 'abc', 'FOO'],
      ['PEXPIRE', 'k', '10', 'NX', 'bar'],
      ['EXPIRE', 'nosuch', '10', 'NX', 'XX'],
      ['EXPIRE', 'nosuch', '10', 'GT'],
    ]);
  });

  test('expiry errors: non-numbers and overflow', async () => {
    await pair.check([
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', 'abc'],
      ['EXPIRE', 'k', '1.5'],
      ['EXPIRE', 'k', ''],
      ['EXPIRE', 'k', ' 10'],
      ['EXPIRE', 'k', '+10'],
      ['EXPIRE', 'k', '010'],
      ['EXPIRE', 'k', '9223372036854775808'],
      ['EXPIRE', 'k', '9223372036854775807'],
      ['EXPIRE', 'k', '9223372036854776'],
      ['EXPIRE', 'k', '-9223372036854776'],
      ['EXPIRE', 'k', '9223372036854775'],
      ['PEXPIRE', 'k', '9223372036854775807'],
      ['PEXPIRE', 'k', '9223372036854775000'],
      ['EXPIREAT', 'k', '9223372036854776'],
      ['EXPIREAT', 'k', '-9223372036854776'],
      ['PEXPIREAT', 'k', '9223372036854775808'],
      ['PEXPIRE', 'nosuch', '9223372036854775807'],
      ['TTL', 'k'],
      ['EXPIRE', 'k'],
      ['EXPIRE'],
      ['PEXPIRE', 'k'],
      ['EXPIREAT', 'k'],
      ['PEXPIREAT', 'k'],
      ['TTL'],
      ['TTL', 'a', 'b'],
      ['PTTL'],
      ['EXPIRETIME'],
      ['PEXPIRETIME', 'a', 'b'],
      ['PERSIST'],
      ['PERSIST', 'a', 'b'],
    ]);
  });

  test('TTL of a key that expired, and commands that clear TTLs', async () => {
    await pair.check([['SET', 'k', 'v', 'PX', '1'], ['SET', 'k2', 'v', 'EX', '100']]);
    await sleep(20);
    await pair.check([
      ['TTL', 'k'],
      ['PTTL', 'k'],
      ['EXPIRETIME', 'k'],
      ['PERSIST', 'k'],
      ['EXPIRE', 'k', '10'],
      ['SET', 'k2', 'new'],
      ['TTL', 'k2'],
    ]);
  });

  test('SORT numeric and ALPHA, ASC DESC, LIMIT', async () => {
    await pair.check([
      ['RPUSH', 'l', '3', '1', '2', '10', '-5', '2.5', '1e2', '0', '-0', 'inf', '-inf', '+7', ' 4', ''],
      ['SORT', 'l'],
      ['SORT', 'l', 'ASC'],
      ['SORT', 'l', 'DESC'],
      ['SORT', 'l', 'desc', 'asc'],
      ['SORT', 'l', 'ALPHA'],
      ['SORT', 'l', 'ALPHA', 'DESC'],
      ['SORT', 'l', 'LIMIT', '0', '3'],
      ['SORT', 'l', 'LIMIT', '2', '3'],
      ['SORT', 'l', 'LIMIT', '5', '-1'],
      ['SORT', 'l', 'LIMIT', '-5', '3'],
      ['SORT', 'l', 'LIMIT', '100', '3'],
      ['SORT', 'l', 'LIMIT', '0', '0'],
      ['SORT', 'l', 'LIMIT', '3', '100'],
      ['SORT', 'l', 'LIMIT', '1', '2', 'LIMIT', '4', '2'],
      ['SORT', 'l', 'DESC', 'LIMIT', '1', '3', 'ALPHA'],
      ['SORT', 'l', 'LIMIT', '9223372036854775807', '9223372036854775807'],
      ['SORT', 'l', 'LIMIT', '-9223372036854775808', '9223372036854775807'],
      ['RPUSH', 'dups', '2', '1', '2', '1', '3', '01', '1.0'],
      ['SORT', 'dups'],
      ['SORT', 'dups', 'DESC'],
      ['SORT', 'dups', 'ALPHA'],
      ['RPUSH', 'words', 'banana', 'Apple', 'cherry', 'apple', 'b\x00z', 'b\x00a', 'b', '\xff', '\x01'],
      ['SORT', 'words', 'ALPHA'],
      ['SORT', 'words', 'ALPHA', 'DESC', 'LIMIT', '0', '4'],
      ['SORT', 'words'],
      ['SORT', 'nosuch'],
      ['SORT', 'nosuch', 'ALPHA', 'DESC', 'LIMIT', '0', '1'],
    ]);
  });

  test('SORT score conversion errors', async () => {
    await pair.check([
      ['RPUSH', 'a', '1', 'x', '3'],
      ['SORT', 'a'],
      ['SORT', 'a', 'ALPHA'],
      ['SORT', 'a', 'BY', 'nosort'],
      ['SORT', 'a', 'LIMIT', '0', '1'],
      ['RPUSH', 'nan', 'nan'],
      ['SORT', 'nan'],
      ['RPUSH', 'hex', '0x10', '0x1p3', '0x.8', '-0x2'],
      ['SORT', 'hex'],
      ['RPUSH', 'ws', '  5', '\t3', ' '],
      ['SORT', 'ws'],
      ['RPUSH', 'ws2', '  5', '\t3', '\n1'],
      ['SORT', 'ws2'],
      ['RPUSH', 'trail', '5 '],
      ['SORT', 'trail'],
      ['RPUSH', 'nul', '7\x00junk', '3'],
      ['SORT', 'nul'],
      ['RPUSH', 'infs', 'infinity', '-Infinity', 'INF', '1'],
      ['SORT', 'infs'],
      ['RPUSH', 'zero', '0e10', '0.000', '-0.0e-5', '.0', '0x0p5'],
      ['SORT', 'zero'],
      ['RPUSH', 'e', '1e', '2'],
      ['SORT', 'e'],
      ['SADD', 's', 'a', '1'],
      ['SORT', 's'],
      ['SORT', 'a', 'STORE', 'dst'],
      ['EXISTS', 'dst'],
    ]);
  });

  test('SORT scores out of double range are conversion errors', async () => {
    // strtod's ERANGE (overflow, underflow to zero, subnormal results) is an error.
    // Checked on our side only: Redis 7.0 does not clear errno before strtod, so after
    // one of these every later numeric SORT on the reference server fails too.
    for (const v of ['1e400', '-1e400', '1e-400', '1e-310', '2e-308']) {
      await pair.ours.call('DEL', 'r');
      await pair.ours.call('RPUSH', 'r', '1', v);
      assert.deepEqual(await pair.ours.call('SORT', 'r'), { t: 'err', v: "ERR One or more scores can't be converted into double" }, v);
    }
    await pair.ours.call('RPUSH', 'ok', '1', '2.2250738585072014e-308', '1.7976931348623157e308');
    assert.deepEqual(await pair.ours.call('SORT', 'ok'), {
      t: 'array',
      v: ['2.2250738585072014e-308', '1', '1.7976931348623157e308'].map((x) => ({ t: 'bulk', v: x })),
    });
  });

  test('SORT of sets and sorted sets', async () => {
    await pair.check([
      ['SADD', 'is', '5', '3', '10', '-1', '7'],
      ['SORT', 'is'],
      ['SORT', 'is', 'DESC'],
      ['SORT', 'is', 'LIMIT', '1', '2'],
      ['SORT', 'is', 'ALPHA'],
      ['SADD', 'ss', 'pear', 'apple', 'fig', 'kiwi', 'date'],
      ['SORT', 'ss', 'ALPHA'],
      ['SORT', 'ss', 'ALPHA', 'DESC', 'LIMIT', '1', '3'],
      ['SORT', 'ss'],
      { cmd: ['SORT', 'ss', 'BY', 'nosort'], unordered: true },
      // a set BY nosort with STORE is sorted anyway (ALPHA) so replicas agree
      ['SORT', 'ss', 'BY', 'nosort', 'STORE', 'out'],
      ['LRANGE', 'out', '0', '-1'],
      ['SORT', 'is', 'BY', 'nosort', 'STORE', 'out', 'DESC'],
      ['LRANGE', 'out', '0', '-1'],
      ['ZADD', 'z', '3', 'c', '1', 'a', '2', 'b', '2', 'bb', '-1', '100', '5', '20'],
      ['SORT', 'z', 'BY', 'nosort'],
      ['SORT', 'z', 'BY', 'nosort', 'DESC'],
      ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '3'],
      ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '2', '10'],
      ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '7', '1'],
      ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '0', '0'],
      ['SORT', 'z', 'ALPHA'],
      ['SORT', 'z', 'ALPHA', 'DESC', 'LIMIT', '0', '4'],
      ['SORT', 'z'],
      ['ZADD', 'zn', '1', '30', '2', '10', '3', '20'],
      ['SORT', 'zn'],
      ['SORT', 'zn', 'DESC'],
      ['SORT', 'zn', 'BY', 'nosort'],
    ]);
  });

  test('SORT BY and GET patterns', async () => {
    await pair.check([
      ['RPUSH', 'ids', '1', '2', '3', '4', '5'],
      ['MSET', 'w_1', '50', 'w_2', '20', 'w_3', '40', 'w_4', '10', 'w_5', '30'],
      ['MSET', 'name_1', 'one', 'name_2', 'two', 'name_3', 'three', 'name_5', 'five'],
      ['HSET', 'obj_1', 'age', '9', 'nick', 'a'],
      ['HSET', 'obj_2', 'age', '7', 'nick', 'b'],
      ['HSET', 'obj_3', 'age', '8'],
      ['HSET', 'obj_4', 'age', 'x'],
      ['SET', 'obj_5', 'not-a-hash'],
      ['SORT', 'ids', 'BY', 'w_*'],
      ['SORT', 'ids', 'BY', 'w_*', 'DESC'],
      ['SORT', 'ids', 'BY', 'w_*', 'LIMIT', '1', '2'],
      ['SORT', 'ids', 'BY', 'w_*', 'GET', 'name_*'],
      ['SORT', 'ids', 'BY', 'w_*', 'GET', '#', 'GET', 'name_*', 'GET', 'w_*'],
      ['SORT', 'ids', 'GET', 'name_*', 'GET', 'nostar'],
      ['SORT', 'ids', 'GET', '#'],
      ['SORT', 'ids', 'GET', 'obj_*->nick'],
      ['SORT', 'ids', 'GET', 'obj_*->age', 'GET', 'obj_*->nosuch'],
      ['SORT', 'ids', 'GET', 'obj_*->'],
      ['SORT', 'ids', 'GET', 'obj_->*'],
      ['SORT', 'ids', 'GET', 'name_*x'],
      ['SORT', 'ids', 'GET', 'name_**'],
      ['SORT', 'ids', 'BY', 'obj_*->age'],
      ['SORT', 'ids', 'BY', 'obj_*->nick', 'ALPHA'],
      ['SORT', 'ids', 'BY', 'obj_*->nick', 'ALPHA', 'DESC'],
      ['SORT', 'ids', 'BY', 'name_*', 'ALPHA'],
      ['SORT', 'ids', 'BY', 'name_*', 'ALPHA', 'DESC', 'GET', '#', 'GET', 'name_*'],
      ['SORT', 'ids', 'BY', 'nosuch_*'],
      ['SORT', 'ids', 'BY', 'nosuch_*', 'DESC'],
      ['SORT', 'ids', 'BY', 'name_*'],
      ['SORT', 'ids', 'BY', 'nosort'],
      ['SORT', 'ids', 'BY', 'nosort', 'DESC'],
      ['SORT', 'ids', 'BY', 'nosort', 'LIMIT', '1', '2'],
      ['SORT', 'ids', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'],
      ['SORT', 'ids', 'BY', 'nosort', 'DESC', 'LIMIT', '4', '5'],
      ['SORT', 'ids', 'BY', 'nosort', 'GET', 'name_*', 'LIMIT', '0', '2'],
      ['SORT', 'ids', 'BY', 'w_*', 'BY', 'nosort'],
      ['SORT', 'ids', 'BY', 'nosort', 'BY', 'w_*'],
      ['SORT', 'ids', 'GET'],
      ['SORT', 'ids', 'BY'],
      ['SORT', 'ids', 'LIMIT', '1'],
      ['SORT', 'ids', 'LIMIT', 'a', 'b'],
      ['SORT', 'ids', 'LIMIT', '1', 'b'],
      ['SORT', 'ids', 'LIMIT', '1.5', '1'],
      ['SORT', 'ids', 'FOO'],
      ['SORT', 'ids', 'STORE'],
      // numbers and keys that are not strings
      ['RPUSH', 'w_list', 'x'],
      ['RPUSH', 'k', 'list', '1'],
      ['SORT', 'k', 'BY', 'w_*'],
      ['SORT', 'k', 'GET', 'w_*'],
      // hash field names with '->' inside, and patterns with more stars
      ['HSET', 'h_a', 'x->y', 'first', 'x', 'second'],
      ['RPUSH', 'hk', 'a'],
      ['SORT', 'hk', 'GET', 'h_*->x->y'],
      ['SORT', 'hk', 'GET', 'h_*->x'],
      ['MSET', 'p_a_*', 'starred'],
      ['SORT', 'hk', 'GET', 'p_*_*'],
      // patterns are read as C strings: what follows a NUL is ignored by the checks
      ['SORT', 'ids', 'GET', '#\x00x'],
      ['SORT', 'ids', 'BY', 'w_\x00*'],
      ['SORT', 'ids', 'BY', 'w_*\x00', 'GET', 'name_*\x00zz'],
      ['SORT', 'ids', 'GET', 'obj_*->nick\x00'],
      ['SORT', 'ids', 'GET', 'obj_*->\x00nick'],
      ['SORT', 'ids', 'GET', 'obj_*-\x00>nick'],
      ['SORT', 'ids', 'GET', 'na\x00me_*'],
      ['MSET', 'z_1\x00', 'nul1', 'z_2\x00', 'nul2'],
      ['SORT', 'ids', 'GET', 'z_*\x00'],
    ]);
  });

  test('SORT BY alpha ties and missing values keep a stable order', async () => {
    await pair.check([
      ['RPUSH', 'l', 'e', 'd', 'c', 'b', 'a'],
      ['MSET', 'v_a', 'x', 'v_b', 'x', 'v_c', 'y'],
      ['SORT', 'l', 'BY', 'v_*', 'ALPHA'],
      ['SORT', 'l', 'BY', 'v_*', 'ALPHA', 'DESC'],
      ['SORT', 'l', 'BY', 'v_*'],
      ['SORT', 'l', 'BY', 'v_*', 'GET', '#', 'GET', 'v_*'],
    ]);
  });

  test('SORT STORE', async () => {
    await pair.check([
      ['RPUSH', 'l', '3', '1', '2'],
      ['SORT', 'l', 'STORE', 'dst'],
      ['LRANGE', 'dst', '0', '-1'],
      ['TYPE', 'dst'],
      ['SET', 'dst', 'string', 'EX', '1000'],
      ['SORT', 'l', 'DESC', 'STORE', 'dst'],
      ['LRANGE', 'dst', '0', '-1'],
      ['TTL', 'dst'],
      ['MSET', 'n_1', 'one', 'n_3', 'three'],
      ['SORT', 'l', 'GET', 'n_*', 'GET', '#', 'STORE', 'dst'],
      ['LRANGE', 'dst', '0', '-1'],
      ['SORT', 'l', 'STORE', 'dst', 'LIMIT', '5', '1'],
      ['EXISTS', 'dst'],
      ['SORT', 'l', 'STORE', 'dst', 'LIMIT', '5', '1'],
      ['SORT', 'nosuch', 'STORE', 'l'],
      ['EXISTS', 'l'],
      ['RPUSH', 'l', 'b', 'a'],
      ['SORT', 'l', 'ALPHA', 'STORE', 'a', 'STORE', 'b'],
      ['EXISTS', 'a'],
      ['LRANGE', 'b', '0', '-1'],
      ['SORT', 'l', 'ALPHA', 'STORE', 'l'],
      ['LRANGE', 'l', '0', '-1'],
      ['RPUSH', 'big', ...Array.from({ length: 200 }, (_, i) => String((i * 37) % 200))],
      ['SORT', 'big', 'STORE', 'bigout'],
      ['LLEN', 'bigout'],
      ['LRANGE', 'bigout', '0', '4'],
    ]);
  });

  test('SORT wrong type, SORT_RO', async () => {
    await pair.check([
      ['SET', 's', 'x'],
      ['HSET', 'h', 'f', 'v'],
      ['SORT', 's'],
      ['SORT', 'h'],
      ['SORT', 's', 'FOO'],
      ['SORT', 's', 'LIMIT', 'x', '1'],
      ['SORT_RO', 's'],
      ['RPUSH', 'l', '2', '1', '3'],
      ['MSET', 'w_1', '3', 'w_2', '2', 'w_3', '1'],
      ['SORT_RO', 'l'],
      ['SORT_RO', 'l', 'DESC', 'LIMIT', '0', '2'],
      ['SORT_RO', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*'],
      ['SORT_RO', 'l', 'STORE', 'dst'],
      ['SORT_RO', 'l', 'ALPHA', 'store', 'dst'],
      ['EXISTS', 'dst'],
      ['SORT_RO', 'nosuch'],
      ['SORT'],
      ['SORT_RO'],
    ]);
  });

  test('COMMAND GETKEYS for SORT finds the STORE key', async () => {
    await pair.check([
      ['COMMAND', 'GETKEYS', 'SORT', 'src'],
      ['COMMAND', 'GETKEYS', 'SORT', 'src', 'STORE', 'dst'],
      ['COMMAND', 'GETKEYS', 'SORT', 'src', 'LIMIT', '0', '1', 'GET', 'store', 'STORE', 'd1', 'STORE', 'd2'],
      ['COMMAND', 'GETKEYS', 'SORT', 'src', 'BY', 'store', 'ALPHA'],
      ['COMMAND', 'GETKEYS', 'SORT_RO', 'src', 'ALPHA'],
      ['COMMAND', 'GETKEYS', 'COPY', 'a', 'b', 'DB', '1'],
      ['COMMAND', 'GETKEYS', 'RENAME', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'DEL', 'a', 'b', 'c'],
    ]);
  });

  test('keyspace notifications', async () => {
    const events = await EventPair.open(ours, theirs, '__keyevent@*');
    try {
      await pair.check([['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']]);
      const cmds: Cmd[] = [
        ['SET', 'a', '1'],
        ['EXPIRE', 'a', '100'],
        ['PEXPIRE', 'a', '100000'],
        ['EXPIRE', 'a', '100', 'NX'],
        ['PERSIST', 'a'],
        ['PERSIST', 'a'],
        ['RENAME', 'a', 'b'],
        ['RENAMENX', 'b', 'c'],
        ['COPY', 'c', 'd'],
        ['COPY', 'c', 'd', 'REPLACE', 'DB', '1'],
        ['MOVE', 'd', '2'],
        ['EXPIRE', 'c', '-1'],
        ['RPUSH', 'l', '2', '1'],
        ['SORT', 'l', 'STORE', 'sorted'],
        ['SORT', 'nosuch', 'STORE', 'sorted'],
        ['DEL', 'l', 'nosuch'],
        ['UNLINK', 'd'],
        ['TOUCH', 'b'],
        ['PING'],
      ];
      await pair.check(cmds);
      const got = await events.same();
      assert.ok(got.length > 10, `only ${got.length} notifications`);
    } finally {
      await pair.check([['CONFIG', 'SET', 'notify-keyspace-events', '']]);
      await events.close();
    }
  });

  test('WATCH is invalidated by the keyspace writes', async () => {
    for (const write of [
      ['DEL', 'w'],
      ['EXPIRE', 'w', '100'],
      ['PERSIST', 'w'],
      ['RENAME', 'w', 'w2'],
      ['RENAME', 'other', 'w'],
      ['COPY', 'other', 'w', 'REPLACE'],
      ['MOVE', 'w', '1'],
      ['SORT', 'l', 'STORE', 'w'],
    ]) {
      await pair.check([['FLUSHALL'], ['SET', 'w', 'v', 'EX', '1000'], ['SET', 'other', 'o'], ['RPUSH', 'l', '1']]);
      await pair.check([['WATCH', 'w'], write, ['MULTI'], ['PING'], ['EXEC']]);
    }
    // and a write that changes nothing does not
    await pair.check([['FLUSHALL'], ['SET', 'w', 'v'], ['WATCH', 'w'], ['PERSIST', 'w'], ['EXPIRE', 'nosuch', '1'], ['MULTI'], ['PING'], ['EXEC']]);
  });

  test('inside MULTI', async () => {
    await pair.check([
      ['SET', 'a', '1'],
      ['MULTI'],
      ['EXPIRE', 'a', '100'],
      ['RENAME', 'a', 'b'],
      ['TTL', 'b'],
      ['SORT', 'nosuch', 'FOO'],
      ['EXPIRE', 'b', '-1'],
      ['EXISTS', 'b'],
      ['EXEC'],
    ]);
  });

  test('RESP3 replies', async () => {
    await pair.check([['HELLO', '3']], { ignore: true });
    try {
      await pair.check([
        ...POPULATE,
        ['TYPE', 'str'],
        ['SORT', 'list', 'ALPHA'],
        ['SORT', 'list', 'GET', 'nosuch_*'],
        ['TTL', 'str'],
        ['RANDOMKEY', 'x'],
        { cmd: ['KEYS', 's*'], unordered: true },
        ['SCAN', '0', 'MATCH', 'nomatch'],
      ]);
      await pair.check([['FLUSHALL'], ['RANDOMKEY']]);
    } finally {
      await pair.check([['HELLO', '2']], { ignore: true });
    }
  });

  // ---- seeded random sequences, one per value type --------------------------------

  for (const type of ['string', 'list', 'set', 'zset', 'hash'] as const) {
    test(`random keyspace commands over ${type} keys`, async () => {
      const seed = seedFromEnv(`keys:${type}`);
      const rng = new Rng(seed);
      const keys = ['k1', 'k2', 'k3', 'k4', '{t}x', ''];
      const vals = ['1', '2', '10', '-3', 'a', 'b', 'abc', '2.5'];
      const create = (k: string): Cmd => {
        const n = rng.range(1, 4);
        const vs = Array.from({ length: n }, () => rng.pick(vals));
        switch (type) {
          case 'string':
            return ['SET', k, rng.pick(vals)];
          case 'list':
            return ['RPUSH', k, ...vs];
          case 'set':
            return ['SADD', k, ...vs];
          case 'zset':
            return ['ZADD', k, ...vs.flatMap((v) => [String(rng.range(-5, 5)), v])];
          default:
            return ['HSET', k, ...vs.flatMap((v) => [v, rng.pick(vals)])];
        }
      };
      const items: CheckItem[] = [];
      for (let i = 0; i < 400; i++) {
        const k = rng.pick(keys);
        const k2 = rng.pick(keys);
        const r = rng.int(22);
        let cmd: Cmd;
        switch (r) {
          case 0:
          case 1:
          case 2:
            cmd = create(k);
            break;
          case 3:
            cmd = ['DEL', k, k2];
            break;
          case 4:
            cmd = ['EXISTS', k, k2, k];
            break;
          case 5:
            cmd = ['TYPE', k];
            break;
          case 6:
            cmd = ['RENAME', k, k2];
            break;
          case 7:
            cmd = ['RENAMENX', k, k2];
            break;
          case 8:
            cmd = ['COPY', k, k2, ...(rng.bool() ? ['REPLACE'] : []), ...(rng.bool(0.2) ? ['DB', String(rng.int(3))] : [])];
            break;
          case 9:
            cmd = ['MOVE', k, String(rng.int(3))];
            break;
          case 10: {
            const name = rng.pick(['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']);
            const abs = name.endsWith('AT');
            const ms = name.startsWith('P');
            let t: number;
            if (rng.bool(0.2)) t = abs ? rng.int(1000) : -rng.int(100);
            else t = (ms ? rng.range(1000, 100000) * 1000 : rng.range(1000, 100000)) + (abs ? (ms ? Number(FUTURE_MS) : Number(FUTURE_S)) : 0);
            const opts = rng.bool(0.4) ? [rng.pick(['NX', 'XX', 'GT', 'LT'])] : [];
            cmd = [name, k, String(t), ...opts];
            break;
          }
          case 11:
            cmd = ['TTL', k];
            break;
          case 12:
            cmd = [rng.pick(['EXPIRETIME', 'PEXPIRETIME']), k];
            break;
          case 13:
            cmd = ['PERSIST', k];
            break;
          case 14:
            cmd = ['TOUCH', k, k2];
            break;
          case 15:
            cmd = ['SELECT', String(rng.int(3))];
            break;
          case 16:
          case 17: {
            cmd = [rng.bool(0.8) ? 'SORT' : 'SORT_RO', k];
            if (rng.bool(0.5)) cmd.push('ALPHA');
            if (rng.bool(0.3)) cmd.push(rng.pick(['ASC', 'DESC']));
            const nosort = rng.bool(0.2);
            // (a set has no order of its own: a LIMIT of an unsorted set is not comparable)
            if (rng.bool(0.3) && !(nosort && type === 'set')) cmd.push('LIMIT', String(rng.range(-1, 4)), String(rng.range(-1, 4)));
            if (nosort) cmd.push('BY', 'nosort');
            if (rng.bool(0.2)) cmd.push('GET', rng.pick(['#', 'k*', 'nosuch*']));
            if (cmd[0] === 'SORT' && rng.bool(0.3)) cmd.push('STORE', k2);
            break;
          }
          case 18:
            cmd = ['DBSIZE'];
            break;
          case 19:
            cmd = ['UNLINK', k];
            break;
          case 20:
            cmd = type === 'string' ? ['GET', k] : type === 'list' ? ['LRANGE', k, '0', '-1'] : type === 'hash' ? ['HLEN', k] : type === 'set' ? ['SCARD', k] : ['ZRANGE', k, '0', '-1', 'WITHSCORES'];
            break;
          default:
            cmd = ['SET', k, rng.pick(vals)];
        }
        const sortUnordered = cmd[0].startsWith('SORT') && type === 'set' && cmd.includes('nosort') && !cmd.includes('STORE');
        // relative expiries make the exact times differ by a few ms between servers
        const ttl = cmd[0] === 'TTL' || cmd[0].endsWith('EXPIRETIME');
        items.push({
          cmd,
          ...(sortUnordered ? { unordered: true } : {}),
          ...(ttl ? { normalize: ttlClass } : {}),
        });
      }
      items.push(['SELECT', '0']);
      await replayOnFailure(seed, () => pair.check(items));
      // same final keyspaces, in every database touched
      for (const db of ['0', '1', '2']) {
        await pair.check([['SELECT', db], { cmd: ['KEYS', '*'], unordered: true }, ['DBSIZE']]);
      }
      await pair.check([['SELECT', '0']]);
    });
  }
});

// ---- propagation (in-process server) ----------------------------------------------

describe('keys propagation', () => {
  let ip: InProcess;
  let server: Server;
  let client: RespClient;
  let propagated: InProcess['propagated'];

  before(async () => {
    ip = await startInProcess({ throwOnError: true });
    ({ server, client, propagated } = ip);
  });
  after(() => ip?.close());

  test('relative expiries propagate as PEXPIREAT with the absolute time', async () => {
    await client.call('SET', 'k', 'v');
    const t0 = Date.now();
    const out = await propagated(['EXPIRE', 'k', '100'], ['PEXPIRE', 'k', '200000', 'GT'], ['EXPIREAT', 'k', FUTURE_S], ['PEXPIREAT', 'k', FUTURE_MS]);
    const t1 = Date.now();
    assert.equal(out.length, 4);
    assert.equal(out[0][0], 'PEXPIREAT');
    assert.equal(out[0][1], 'k');
    const a0 = Number(out[0][2]);
    assert.ok(a0 >= t0 + 100000 - 5 && a0 <= t1 + 100000, `EXPIRE 100 -> ${a0}`);
    assert.deepEqual(out[1].slice(0, 2), ['PEXPIREAT', 'k']);
    assert.equal(out[1][3], 'GT');
    const a1 = Number(out[1][2]);
    assert.ok(a1 >= t0 + 200000 - 5 && a1 <= t1 + 200000, `PEXPIRE 200000 -> ${a1}`);
    assert.deepEqual(out[2], ['PEXPIREAT', 'k', String(Number(FUTURE_S) * 1000)]);
    assert.deepEqual(out[3], ['PEXPIREAT', 'k', FUTURE_MS]);
  });

  test('an expiry in the past propagates as DEL (UNLINK with lazyfree-lazy-expire)', async () => {
    await client.call('SET', 'k', 'v');
    assert.deepEqual(await propagated(['EXPIRE', 'k', '-1']), [['DEL', 'k']]);
    await client.call('SET', 'k', 'v');
    server.config.set('lazyfree-lazy-expire', ['yes']);
    try {
      assert.deepEqual(await propagated(['PEXPIREAT', 'k', '1']), [['UNLINK', 'k']]);
    } finally {
      server.config.set('lazyfree-lazy-expire', ['no']);
    }
  });

  test('writes that change nothing are not propagated', async () => {
    await client.call('FLUSHALL');
    await client.call('SET', 'k', 'v');
    assert.deepEqual(
      await propagated(
        ['EXPIRE', 'nosuch', '10'],
        ['EXPIRE', 'k', '10', 'XX'],
        ['PERSIST', 'k'],
        ['DEL', 'nosuch'],
        ['RENAMENX', 'k', 'k'],
        ['COPY', 'nosuch', 'x'],
        ['MOVE', 'nosuch', '1'],
        ['SORT', 'nosuch', 'STORE', 'x'],
        ['SORT_RO', 'k2'],
        ['TTL', 'k'],
        ['TOUCH', 'k'],
      ),
      [],
    );
  });

  test('the keyspace writes propagate as sent', async () => {
    await client.call('FLUSHALL');
    await client.call('SET', 'a', '1');
    await client.call('RPUSH', 'l', '2', '1');
    const out = await propagated(
      ['RENAME', 'a', 'b'],
      ['COPY', 'b', 'c', 'DB', '1'],
      ['MOVE', 'b', '2'],
      ['SORT', 'l', 'STORE', 's'],
      ['SORT', 'nosuch', 'STORE', 's'],
      ['PERSIST', 'l'],
      ['DEL', 'l', 'x'],
    );
    assert.deepEqual(out, [
      ['RENAME', 'a', 'b'],
      ['COPY', 'b', 'c', 'DB', '1'],
      ['MOVE', 'b', '2'],
      ['SORT', 'l', 'STORE', 's'],
      ['SORT', 'nosuch', 'STORE', 's'],
      ['DEL', 'l', 'x'],
    ]);
  });

  test('lazily expired keys met by DEL, SCAN and RANDOMKEY propagate DEL', async () => {
    await client.call('FLUSHALL');
    server.activeExpireEnabled = false;
    try {
      for (const k of ['e1', 'e2', 'e3']) await client.call('SET', k, 'v', 'PX', '1');
      await sleep(20);
      const out = await propagated(['DEL', 'e1'], ['SCAN', '0', 'MATCH', 'e2'], ['RANDOMKEY']);
      assert.deepEqual(out, [['DEL', 'e1'], ['DEL', 'e2'], ['DEL', 'e3']]);
    } finally {
      server.activeExpireEnabled = true;
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
