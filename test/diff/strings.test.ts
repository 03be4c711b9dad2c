// Differential tests of the string commands: GET SET SETNX SETEX PSETEX GETSET GETDEL
// GETEX MGET MSET MSETNX APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT SETRANGE
// GETRANGE SUBSTR LCS — the same commands sent to Cinnabar and to a real
// redis-server, replies compared; keyspace notifications compared too. A second
// part runs a server in this process to check what the commands propagate.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { startPair, withEvents } from '../helpers/pair.js';
import { startInProcess, type InProcess, type Propagation } from '../helpers/inprocess.js';
import { checkRandomSequences } from '../helpers/sequences.js';
import type { RespClient, Reply } from '../../src/protocol/resp-client.js';
import type { Server } from '../../src/server/server.js';

type Cmd = string[];

const FUT_S = String(Math.floor(Date.now() / 1000) + 100000);
const FUT_MS = String(Date.now() + 100000000);

/** A TTL-like reply reduced to -2 / -1 / 1 (has a TTL). */
function ttlClass(r: Reply): Reply {
  if (r.t === 'int' && r.v > 0n) return { t: 'int', v: 1n };
  return r;
}

/** PTTL replies compared in whole seconds (both servers see nearly the same clock). */
function roundMs(r: Reply): Reply {
  if (r.t === 'int' && r.v > 0n) return { t: 'int', v: (r.v + 500n) / 1000n };
  return r;
}

/** The observable state of a key: type, value, TTL class. */
function inspect(k: string): CheckItem[] {
  return [['TYPE', k], ['GET', k], { cmd: ['PTTL', k], normalize: ttlClass }];
}

describe('strings (differential)', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  let ours: ServerHandle;
  let theirs: ServerHandle;

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

  test('GET and SET basics, binary values, overwriting other types', async () => {
    const bin = '\x00\xff\r\n\x80abc\x00';
    await pair.check([
      ['GET', 'nosuch'],
      ['SET', 'k', 'v'],
      ['GET', 'k'],
      ['SET', 'k', ''],
      ['GET', 'k'],
      ['STRLEN', 'k'],
      ['SET', bin, bin],
      ['GET', bin],
      ['STRLEN', bin],
      ['SADD', 's', 'a'],
      ['GET', 's'],
      ['SET', 's', 'now a string'],
      ['TYPE', 's'],
      ['GET', 's'],
      ['HSET', 'h', 'f', 'v'],
      ['SET', 'h', 'x', 'GET'],
      ['TYPE', 'h'],
      ['SET', 'big', 'x'.repeat(100000)],
      ['STRLEN', 'big'],
      ['GET'],
      ['GET', 'a', 'b'],
      ['SET', 'k'],
      ['SET'],
      ['get', 'k'],
      ['sEt', 'k', 'V2'],
      ['GeT', 'k'],
    ]);
  });

  test('SET options: every pair of options, from every starting state', async () => {
    const tokens: Cmd[] = [
      [],
      ['NX'],
      ['XX'],
      ['GET'],
      ['KEEPTTL'],
      ['EX', '100'],
      ['PX', '100000'],
      ['EXAT', FUT_S],
      ['PXAT', FUT_MS],
      ['nx'],
      ['get'],
      ['keepttl'],
      ['Ex', '0'],
      ['PX', '-1'],
      ['EX', 'abc'],
      ['EX'],
      ['PERSIST'],
      ['EX', '9223372036854775'],
      ['EX', '9223372036854774'],
      ['PX', '9223372036854775807'],
      ['PXAT', '9223372036854775807'],
      ['EXAT', '1'],
      ['PXAT', '0'],
      ['EX', '1.5'],
      ['FOO'],
      ['GETT'],
    ];
    const states: Cmd[][] = [[], [['SET', 'k', 'old']], [['SET', 'k', 'old', 'EX', '1000']], [['SADD', 'k', 'm']]];
    for (const st of states) {
      for (const a of tokens) {
        for (const b of tokens) {
          const cmds: CheckItem[] = [{ cmd: ['DEL', 'k'], ignore: true }, ...st, ['SET', 'k', 'v', ...a, ...b], ...inspect('k')];
          await pair.check(cmds);
        }
      }
    }
  });

  test('SET options: random longer combinations', async () => {
    const rng = new Rng(seedFromEnv('set options'));
    const tokens: Cmd[] = [['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['EX', '100'], ['PX', '100000'], ['EXAT', FUT_S], ['PXAT', FUT_MS], ['EX', '0'], ['PX']];
    const states: Cmd[][] = [[], [['SET', 'k', 'old']], [['SET', 'k', 'old', 'PX', '5000000']], [['SADD', 'k', 'm']]];
    for (let i = 0; i < 400; i++) {
      const n = rng.range(3, 5);
      const opts: string[] = [];
      for (let j = 0; j < n; j++) opts.push(...rng.pick(tokens));
      await pair.check([{ cmd: ['DEL', 'k'], ignore: true }, ...rng.pick(states), ['SET', 'k', 'v', ...opts], ...inspect('k')]);
    }
  });

  test('SET with an expiry: TTL values, expired keys are gone', async () => {
    await pair.check([
      ['SET', 'a', 'v', 'EX', '100'],
      { cmd: ['PTTL', 'a'], normalize: roundMs },
      ['SET', 'b', 'v', 'PX', '123456'],
      { cmd: ['PTTL', 'b'], normalize: roundMs },
      ['SET', 'c', 'v', 'EXAT', FUT_S],
      { cmd: ['TTL', 'c'], normalize: roundMs },
      ['SET', 'd', 'v', 'PXAT', FUT_MS],
      { cmd: ['PEXPIRETIME', 'd'] },
      ['SET', 'e', 'v', 'EXAT', FUT_S],
      ['EXPIRETIME', 'e'],
      ['SET', 'a', 'w', 'KEEPTTL'],
      { cmd: ['PTTL', 'a'], normalize: roundMs },
      ['SET', 'a', 'x'],
      ['PTTL', 'a'],
      ['SET', 'p', 'v', 'EXAT', '1'],
      ['GET', 'p'],
      ['EXISTS', 'p'],
      ['SET', 'q', 'v', 'PX', '1'],
    ]);
    await new Promise((r) => setTimeout(r, 20));
    await pair.check([['GET', 'q'], ['SET', 'q', 'new', 'NX'], ['GET', 'q'], ['PTTL', 'q'], ['SET', 'r', 'v', 'PX', '1']]);
    await new Promise((r) => setTimeout(r, 20));
    await pair.check([['SET', 'r', 'new', 'XX', 'GET'], ['EXISTS', 'r'], ['INCR', 'r'], ['SET', 'q', 'x', 'PX', '1']]);
    await new Promise((r) => setTimeout(r, 20));
    await pair.check([['APPEND', 'q', 'y'], ['GET', 'q'], ['PTTL', 'q']]);
  });

  test('SETNX SETEX PSETEX GETSET GETDEL', async () => {
    await pair.check([
      ['SETNX', 'k', 'v1'],
      ['SETNX', 'k', 'v2'],
      ['GET', 'k'],
      ['SADD', 's', 'x'],
      ['SETNX', 's', 'v'],
      ['SETNX', 'k'],
      ['SETEX', 'e', '100', 'v'],
      { cmd: ['TTL', 'e'], normalize: roundMs },
      ['GET', 'e'],
      ['SETEX', 'e', '0', 'v'],
      ['SETEX', 'e', '-10', 'v'],
      ['SETEX', 'e', 'abc', 'v'],
      ['SETEX', 'e', '9223372036854775807', 'v'],
      ['SETEX', 'e', '9223372036854775', 'v'],
      ['SETEX', 's', '10', 'v'],
      ['TYPE', 's'],
      { cmd: ['TTL', 's'], normalize: ttlClass },
      ['SETEX', 'e', '10'],
      ['PSETEX', 'p', '100000', 'v'],
      { cmd: ['PTTL', 'p'], normalize: roundMs },
      ['PSETEX', 'p', '0', 'v'],
      ['PSETEX', 'p', '-5', 'v'],
      ['PSETEX', 'p', '9223372036854775807', 'v'],
      ['PSETEX', 'p', '1.5', 'v'],
      ['GETSET', 'g', 'v1'],
      ['GETSET', 'g', 'v2'],
      ['GET', 'g'],
      ['SET', 'g', 'v3', 'EX', '100'],
      ['GETSET', 'g', 'v4'],
      ['TTL', 'g'],
      ['SADD', 'gs', 'x'],
      ['GETSET', 'gs', 'v'],
      ['TYPE', 'gs'],
      ['GETSET', 'g'],
      ['GETDEL', 'g'],
      ['GETDEL', 'g'],
      ['EXISTS', 'g'],
      ['GETDEL', 'gs'],
      ['TYPE', 'gs'],
      ['GETDEL', 'a', 'b'],
    ]);
  });

  test('GETEX options and errors', async () => {
    const opts: Cmd[] = [
      [],
      ['EX', '100'],
      ['PX', '100000'],
      ['EXAT', FUT_S],
      ['PXAT', FUT_MS],
      ['PERSIST'],
      ['persist'],
      ['EX', '0'],
      ['EX', '-1'],
      ['PX', 'abc'],
      ['EX'],
      ['EXAT', '1'],
      ['PXAT', '1'],
      ['EX', '9223372036854775'],
      ['PXAT', '9223372036854775807'],
      ['KEEPTTL'],
      ['NX'],
      ['XX'],
      ['GET'],
      ['FOO'],
      ['EX', '10', 'PX', '10'],
      ['EX', '10', 'EX', '20'],
      ['PERSIST', 'EX', '10'],
      ['EX', '10', 'PERSIST'],
      ['PERSIST', 'PERSIST'],
    ];
    const states: Cmd[][] = [[], [['SET', 'k', 'v']], [['SET', 'k', 'v', 'EX', '1000']], [['SADD', 'k', 'm']]];
    for (const st of states) {
      for (const o of opts) {
        await pair.check([{ cmd: ['DEL', 'k'], ignore: true }, ...st, ['GETEX', 'k', ...o], ...inspect('k')]);
      }
    }
    await pair.check([['GETEX']]);
  });

  test('MGET MSET MSETNX', async () => {
    await pair.check([
      ['MSET', 'a', '1', 'b', '2', 'c', '3'],
      ['MGET', 'a', 'b', 'c', 'd'],
      ['SADD', 's', 'x'],
      ['MGET', 'a', 's', 'nosuch', 'a'],
      ['MSET', 'a'],
      ['MSET', 'a', '1', 'b'],
      ['MSET'],
      ['MSETNX', 'a', '1', 'b'],
      ['MSETNX', 'x', '1', 'a', '2'],
      ['MGET', 'x', 'a'],
      ['MSETNX', 'x', '1', 'y', '2'],
      ['MGET', 'x', 'y'],
      ['MSETNX', 'z', '1', 'z', '2'],
      ['GET', 'z'],
      ['MSETNX', 's', '1'],
      ['SET', 't', 'v', 'EX', '100'],
      ['MSET', 't', 'w', 's', 'str'],
      ['TTL', 't'],
      ['TYPE', 's'],
      ['MSET', 'dup', '1', 'dup', '2'],
      ['GET', 'dup'],
      ['MGET'],
    ]);
  });

  test('APPEND and STRLEN', async () => {
    await pair.check([
      ['APPEND', 'k', 'hello'],
      ['APPEND', 'k', ' world'],
      ['GET', 'k'],
      ['APPEND', 'k', ''],
      ['STRLEN', 'k'],
      ['APPEND', 'e', ''],
      ['EXISTS', 'e'],
      ['STRLEN', 'e'],
      ['SET', 'n', '12'],
      ['APPEND', 'n', '34'],
      ['INCR', 'n'],
      ['SADD', 's', 'x'],
      ['APPEND', 's', 'x'],
      ['STRLEN', 's'],
      ['STRLEN', 'nosuch'],
      ['SET', 't', 'v', 'EX', '100'],
      ['APPEND', 't', 'w'],
      { cmd: ['TTL', 't'], normalize: ttlClass },
      ['APPEND', 'k'],
      ['STRLEN'],
      ['APPEND', 'b', '\x00\x01\xff'],
      ['APPEND', 'b', '\x00'],
      ['GET', 'b'],
    ]);
  });

  test('GETRANGE and SUBSTR over a grid of indexes', async () => {
    const idx = ['-100', '-12', '-11', '-6', '-5', '-1', '0', '1', '4', '5', '10', '11', '100', '9223372036854775807', '-9223372036854775808', '-9223372036854775807'];
    await pair.check([
      ['SET', 'e', ''],
      ['SET', 'a', 'a'],
      ['SET', 'h', 'hello world'],
      ['SET', 'n', '-12345'],
    ]);
    for (const k of ['e', 'a', 'h', 'n', 'nosuch']) {
      const cmds: CheckItem[] = [];
      for (const s of idx) for (const e of idx) cmds.push(['GETRANGE', k, s, e]);
      await pair.check(cmds);
    }
    await pair.check([
      ['SUBSTR', 'h', '0', '4'],
      ['SUBSTR', 'h', '-5', '-1'],
      ['GETRANGE', 'h', 'a', '1'],
      ['GETRANGE', 'h', '1', 'b'],
      ['GETRANGE', 'nosuch', 'a', 'b'],
      ['GETRANGE', 'h', '1.5', '2'],
      ['GETRANGE', 'h', '9223372036854775808', '1'],
      ['SADD', 's', 'x'],
      ['GETRANGE', 's', '0', '1'],
      ['GETRANGE', 's', 'a', '1'],
      ['GETRANGE', 'h', '0'],
      ['SUBSTR', 'h'],
    ]);
  });

  test('SETRANGE', async () => {
    const offsets = ['0', '1', '3', '5', '11', '20', '-1', 'a', '1.5', '536870912', '536870913', '9223372036854775807', '-9223372036854775808'];
    const values = ['', 'x', 'xyz', '\x00\xff'];
    const states: Cmd[][] = [[], [['SET', 'k', 'hello']], [['SET', 'k', '12345']], [['SET', 'k', 'hello', 'EX', '100']], [['SADD', 'k', 'x']]];
    for (const st of states) {
      for (const off of offsets) {
        for (const v of values) {
          await pair.check([{ cmd: ['DEL', 'k'], ignore: true }, ...st, ['SETRANGE', 'k', off, v], ...inspect('k'), ['STRLEN', 'k']]);
        }
      }
    }
    await pair.check([['SETRANGE', 'k', '0'], ['SETRANGE', 'k']]);
  });

  test('INCR DECR INCRBY DECRBY: int64 edges, invalid values, overflow', async () => {
    const stored = [
      null,
      '',
      '0',
      '1',
      '-1',
      '01',
      ' 1',
      '1 ',
      '+1',
      '-0',
      '1.0',
      'abc',
      '9223372036854775807',
      '-9223372036854775808',
      '9223372036854775806',
      '-9223372036854775807',
      '9223372036854775808',
      '99999999999999999999',
      '999999999999999',
      '1000000000000000',
      '-999999999999999',
      '-1000000000000000',
      '4503599627370495',
      '9007199254740993',
      '\x001',
    ];
    const ops: Cmd[] = [['INCR'], ['DECR']];
    const amounts = ['1', '-1', '0', '9223372036854775807', '-9223372036854775808', '9223372036854775806', '-9223372036854775807', 'abc', '1.5', '', '999999999999999', '-1000000000000000', '9007199254740993', '+1', '01', '99999999999999999999'];
    for (const a of amounts) ops.push(['INCRBY', a], ['DECRBY', a]);
    for (const v of stored) {
      const cmds: CheckItem[] = [];
      for (const op of ops) {
        cmds.push({ cmd: ['DEL', 'k'], ignore: true });
        if (v !== null) cmds.push(['SET', 'k', v]);
        cmds.push([op[0], 'k', ...op.slice(1)], ['GET', 'k']);
      }
      await pair.check(cmds);
    }
    await pair.check([
      ['SET', 't', '10', 'EX', '100'],
      ['INCR', 't'],
      { cmd: ['TTL', 't'], normalize: ttlClass },
      ['SADD', 's', 'x'],
      ['INCR', 's'],
      ['INCRBY', 's', 'abc'],
      ['DECRBY', 's', '1'],
      ['INCR'],
      ['INCR', 'a', 'b'],
      ['INCRBY', 'a'],
      ['DECRBY', 'a', '1', '2'],
    ]);
  });

  test('INCRBYFLOAT: formats, long double precision, errors', async () => {
    const incs = [
      '0.1',
      '0.2',
      '-0.3',
      '1e10',
      '1.5e-7',
      '3.0e3',
      '5.0e3',
      '2.0e2',
      '0x10',
      '0x1p-3',
      '0X.8P1',
      '1e400',
      '-1e400',
      '1e5000',
      'inf',
      '-inf',
      '+inf',
      'infinity',
      'nan',
      '-nan',
      '+5',
      '.5',
      '5.',
      '1e',
      '1e+',
      '',
      ' 1',
      '1 ',
      'abc',
      '1e-4960',
      '1e-4940',
      '123456789012345678901234567890',
      '0.00000000000000001',
      '0.000000000000000005',
      '5e-18',
      '-0',
      '10.50',
      '9223372036854775807',
      '1.7976931348623157e308',
      '3.4e-4932',
      '-1.1',
      '0x',
      '1_0',
      '1.2.3',
      '1' + '0'.repeat(5000),
      '1' + '0'.repeat(5200),
    ];
    const starts = [null, '0', '10.5', '-1', '1e300', '0.1', '3.0e3', 'abc', '', '9223372036854775807', '1.000000000000000000001', '17.00000000000000000001', '-0.0000000000000000001'];
    for (const st of starts) {
      const cmds: CheckItem[] = [];
      for (const inc of incs) {
        cmds.push({ cmd: ['DEL', 'k'], ignore: true });
        if (st !== null) cmds.push(['SET', 'k', st]);
        cmds.push(['INCRBYFLOAT', 'k', inc], ['GET', 'k']);
      }
      await pair.check(cmds);
    }
    await pair.check([
      ['SET', 'f', '10.50'],
      ['INCRBYFLOAT', 'f', '0.1'],
      ['INCRBYFLOAT', 'f', '-5'],
      ['SET', 'f', '5.0e3'],
      ['INCRBYFLOAT', 'f', '2.0e2'],
      ['SET', 't', '1', 'EX', '100'],
      ['INCRBYFLOAT', 't', '1.5'],
      { cmd: ['TTL', 't'], normalize: ttlClass },
      ['SADD', 's', 'x'],
      ['INCRBYFLOAT', 's', '1'],
      ['INCRBYFLOAT', 's', 'abc'],
      ['INCRBYFLOAT', 'f'],
    ]);
  });

  test('INCRBYFLOAT: random chains of increments', async () => {
    const rng = new Rng(seedFromEnv('incrbyfloat chains'));
    const randDecimal = (): string => {
      const sign = rng.bool(0.3) ? '-' : '';
      const intPart = rng.bool(0.3) ? '0' : String(rng.int(10 ** rng.range(1, 12)));
      const frac = rng.bool(0.7) ? '.' + String(rng.int(10 ** rng.range(1, 10))).padStart(rng.range(1, 12), '0') : '';
      const exp = rng.bool(0.2) ? 'e' + String(rng.range(-30, 30)) : '';
      return sign + intPart + frac + exp;
    };
    for (let chain = 0; chain < 20; chain++) {
      const cmds: CheckItem[] = [{ cmd: ['DEL', 'f'], ignore: true }];
      for (let i = 0; i < 30; i++) cmds.push(['INCRBYFLOAT', 'f', randDecimal()]);
      cmds.push(['GET', 'f']);
      await pair.check(cmds);
    }
  });

  test('LCS: options, errors, RESP2 and RESP3', async () => {
    const base: CheckItem[] = [
      ['MSET', 'key1', 'ohmytext', 'key2', 'mynewtext', 'e', ''],
      ['LCS', 'key1', 'key2'],
      ['LCS', 'key1', 'key2', 'LEN'],
      ['LCS', 'key1', 'key2', 'IDX'],
      ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4'],
      ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
      ['LCS', 'key1', 'key2', 'idx', 'withmatchlen'],
      ['LCS', 'key1', 'key2', 'MINMATCHLEN', '-5', 'IDX'],
      ['LCS', 'key1', 'key2', 'WITHMATCHLEN'],
      ['LCS', 'key1', 'key2', 'LEN', 'IDX'],
      ['LCS', 'key1', 'key2', 'MINMATCHLEN'],
      ['LCS', 'key1', 'key2', 'MINMATCHLEN', 'x', 'IDX'],
      ['LCS', 'key1', 'key2', 'FOO'],
      ['LCS', 'key1', 'nosuch'],
      ['LCS', 'nosuch', 'nosuch2', 'IDX'],
      ['LCS', 'e', 'key1', 'LEN'],
      ['LCS', 'key1', 'key1', 'IDX', 'WITHMATCHLEN'],
      ['SADD', 's', 'x'],
      ['LCS', 'key1', 's'],
      ['LCS', 's', 'key1', 'FOO'],
      ['LCS', 'key1'],
    ];
    await pair.check(base);
    await pair.check([{ cmd: ['HELLO', '3'], ignore: true }]);
    try {
      await pair.check(base.filter((c) => Array.isArray(c) && (c as Cmd)[0] === 'LCS'));
    } finally {
      await pair.check([{ cmd: ['HELLO', '2'], ignore: true }]);
    }
  });

  test('LCS: random strings', async () => {
    const rng = new Rng(seedFromEnv('lcs'));
    for (let i = 0; i < 150; i++) {
      const mk = (): string => {
        const n = rng.int(16);
        let s = '';
        for (let j = 0; j < n; j++) s += 'abcd'[rng.int(rng.bool(0.5) ? 2 : 4)];
        return s;
      };
      await pair.check([
        ['MSET', 'a', mk(), 'b', mk()],
        ['LCS', 'a', 'b'],
        ['LCS', 'a', 'b', 'LEN'],
        ['LCS', 'a', 'b', 'IDX'],
        ['LCS', 'b', 'a', 'IDX', 'WITHMATCHLEN'],
        ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', String(rng.int(4)), 'WITHMATCHLEN'],
      ]);
    }
  });

  test('OBJECT ENCODING of string values', async () => {
    const enc = (k: string): CheckItem => ['OBJECT', 'ENCODING', k];
    await pair.check([
      ['SET', 'a', '12345'],
      enc('a'),
      ['SET', 'a', '-9223372036854775808'],
      enc('a'),
      ['SET', 'a', '9223372036854775808'],
      enc('a'),
      ['SET', 'a', '01'],
      enc('a'),
      ['SET', 'a', '-0'],
      enc('a'),
      ['SET', 'a', 'x'.repeat(44)],
      enc('a'),
      ['SET', 'a', 'x'.repeat(45)],
      enc('a'),
      ['SET', 'a', ''],
      enc('a'),
      ['APPEND', 'a', 'x'],
      enc('a'),
      ['APPEND', 'new', '123'],
      enc('new'),
      ['APPEND', 'new2', 'abc'],
      enc('new2'),
      ['INCR', 'a2'],
      enc('a2'),
      ['SET', 'r', 'x'.repeat(50)],
      ['SETRANGE', 'r', '0', '1'],
      enc('r'),
      ['SET', 'r', '5'],
      ['SETRANGE', 'r', '0', '7'],
      enc('r'),
      ['INCR', 'r'],
      enc('r'),
      ['SETRANGE', 'sr', '0', 'ab'],
      enc('sr'),
      ['INCRBYFLOAT', 'f', '3'],
      enc('f'),
      ['INCRBYFLOAT', 'f', '1.5'],
      enc('f'),
      ['INCRBYFLOAT', 'f2', '1e50'],
      enc('f2'),
      ['GETSET', 'g', '77'],
      enc('g'),
      ['MSET', 'm1', '1', 'm2', 'xx'],
      enc('m1'),
      enc('m2'),
      ['SETNX', 'n', '42'],
      enc('n'),
      ['SETEX', 'x', '100', '42'],
      enc('x'),
      ['SET', 'y', '42', 'PX', '100000'],
      enc('y'),
      ['SET', 'z', '12', 'GET'],
      enc('z'),
    ]);
  });

  test('keyspace notifications', async () => {
    await withEvents(ours, theirs, async (events) => {
      await pair.check([
        ['SET', 'a', '1'],
        ['SET', 'a', '2', 'EX', '100'],
        ['SET', 'a', '3', 'NX'],
        ['SET', 'a', '3', 'XX', 'GET'],
        ['SETNX', 'b', '1'],
        ['SETEX', 'c', '100', 'v'],
        ['PSETEX', 'c', '100000', 'v'],
        ['GETSET', 'c', 'w'],
        ['GETDEL', 'c'],
        ['GETDEL', 'c'],
        ['SET', 'd', 'v'],
        ['GETEX', 'd', 'EX', '100'],
        ['GETEX', 'd', 'PERSIST'],
        ['GETEX', 'd', 'PERSIST'],
        ['GETEX', 'd'],
        ['GETEX', 'd', 'EXAT', '1'],
        ['MSET', 'e', '1', 'f', '2'],
        ['MSETNX', 'e', '1', 'g', '2'],
        ['MSETNX', 'h', '1', 'i', '2'],
        ['APPEND', 'j', 'x'],
        ['APPEND', 'j', ''],
        ['INCR', 'k'],
        ['DECR', 'k'],
        ['INCRBY', 'k', '5'],
        ['DECRBY', 'k', '5'],
        ['INCRBY', 'k', 'x'],
        ['INCRBYFLOAT', 'k', '1.5'],
        ['SETRANGE', 'l', '2', 'x'],
        ['SETRANGE', 'l', '0', ''],
        ['SETRANGE', 'm', '0', ''],
        ['SET', 'n', 'v', 'PX', '1'],
      ]);
      await new Promise((r) => setTimeout(r, 20));
      await pair.check([['GET', 'n'], ['GET', 'nosuch']]);
      const got = await events.same();
      assert.ok(got.length > 40, `expected notifications, got ${got.length}`);
    });
  });

  test('random command sequences', async () => {
    const rng = new Rng(seedFromEnv('strings random'));
    const keys = ['a', 'b', 'c'];
    const vals = ['', '0', '1', '-1', '10', '007', 'abc', 'hello world', '3.5', '9223372036854775807', '-9223372036854775808', '\x00\xff', '1e3'];
    const nums = ['0', '1', '-1', '2', '100', '-100', '9223372036854775807', '-9223372036854775808', 'x', '4611686018427387904'];
    const idx = ['0', '1', '2', '-1', '-2', '5', '-10', '100'];
    const k = (): string => rng.pick(keys);
    const v = (): string => rng.pick(vals);
    const gens: Array<() => Cmd> = [
      () => ['GET', k()],
      () => ['SET', k(), v()],
      () => ['SET', k(), v(), ...rng.pick([['NX'], ['XX'], ['GET'], ['NX', 'GET'], ['XX', 'GET'], ['KEEPTTL'], ['EX', '1000'], ['GET', 'PX', '999999']])],
      () => ['SETNX', k(), v()],
      () => ['GETSET', k(), v()],
      () => ['GETDEL', k()],
      () => ['GETEX', k(), ...rng.pick([[], ['PERSIST'], ['EX', '1000']])],
      () => ['MGET', k(), k(), k()],
      () => ['MSET', k(), v(), k(), v()],
      () => ['MSETNX', k(), v(), k(), v()],
      () => ['APPEND', k(), v()],
      () => ['STRLEN', k()],
      () => ['INCR', k()],
      () => ['DECR', k()],
      () => ['INCRBY', k(), rng.pick(nums)],
      () => ['DECRBY', k(), rng.pick(nums)],
      () => ['INCRBYFLOAT', k(), rng.pick(['0.1', '-0.25', '1e3', '3', 'x', '1.5e-5'])],
      () => ['SETRANGE', k(), rng.pick(['0', '1', '3', '10']), v()],
      () => ['GETRANGE', k(), rng.pick(idx), rng.pick(idx)],
      () => ['LCS', k(), k()],
      () => ['LCS', k(), k(), 'IDX', 'WITHMATCHLEN'],
      () => ['SADD', k(), 'm'],
      () => ['DEL', k()],
    ];
    await checkRandomSequences(pair, rng, gens, { rounds: 4, length: 300, finish: keys.flatMap((key) => inspect(key)) });
  });
});

// ---- propagation (in-process server) ----------------------------------------------

describe('strings propagation', () => {
  let ip: InProcess;
  let server: Server;
  let client: RespClient;
  let seen: Propagation[];
  let propagated: InProcess['propagated'];

  before(async () => {
    ip = await startInProcess({ throwOnError: true });
    ({ server, client, seen, propagated } = ip);
  });
  after(() => ip?.close());

  function assertPxat(argv: string[], key: string, value: string, expectMs: number, t0: number, t1: number): void {
    assert.deepEqual(argv.slice(0, 4), ['SET', key, value, 'PXAT']);
    assert.equal(argv.length, 5);
    const at = Number(argv[4]);
    assert.ok(at >= t0 + expectMs - 5 && at <= t1 + expectMs + 5, `PXAT ${at} not near now+${expectMs}`);
  }

  test('SET with a relative expiry propagates as SET PXAT; GET is dropped', async () => {
    const t0 = Date.now();
    const out = await propagated(
      ['SET', 'k', 'v', 'EX', '100'],
      ['SET', 'k', 'v', 'px', '5000', 'GET'],
      ['SETEX', 'k', '10', 'w'],
      ['PSETEX', 'k', '1234', 'x'],
      ['SET', 'k', 'y', 'EXAT', FUT_S],
    );
    const t1 = Date.now();
    assert.equal(out.length, 5);
    assertPxat(out[0], 'k', 'v', 100000, t0, t1);
    assertPxat(out[1], 'k', 'v', 5000, t0, t1);
    assertPxat(out[2], 'k', 'w', 10000, t0, t1);
    assertPxat(out[3], 'k', 'x', 1234, t0, t1);
    assert.deepEqual(out[4], ['SET', 'k', 'y', 'PXAT', String(Number(FUT_S) * 1000)]);
    assert.deepEqual(
      await propagated(['SET', 'k', 'v', 'PXAT', FUT_MS, 'GET'], ['SET', 'k', 'v', 'GET', 'KEEPTTL', 'get'], ['SET', 'k', 'w', 'XX', 'GET'], ['SET', 'k2', 'v', 'NX']),
      [
        ['SET', 'k', 'v', 'PXAT', FUT_MS, 'GET'],
        ['SET', 'k', 'v', 'KEEPTTL'],
        ['SET', 'k', 'w', 'XX'],
        ['SET', 'k2', 'v', 'NX'],
      ],
    );
  });

  test('GETSET GETDEL GETEX INCRBYFLOAT rewrite what they propagate', async () => {
    await client.call('SET', 'k', 'v');
    const t0 = Date.now();
    const out = await propagated(
      ['GETSET', 'k', 'w'],
      ['GETEX', 'k', 'EX', '100'],
      ['GETEX', 'k', 'PXAT', FUT_MS],
      ['GETEX', 'k', 'EXAT', FUT_S],
      ['GETEX', 'k', 'PERSIST'],
      ['GETDEL', 'k'],
      ['SET', 'k', '1.5'],
      ['INCRBYFLOAT', 'k', '0.25'],
      ['GETEX', 'k', 'PXAT', '1'],
    );
    const t1 = Date.now();
    assert.deepEqual(out[0], ['SET', 'k', 'w']);
    assert.deepEqual(out[1].slice(0, 2), ['PEXPIREAT', 'k']);
    const at = Number(out[1][2]);
    assert.ok(at >= t0 + 100000 - 5 && at <= t1 + 100000 + 5);
    // PXAT too becomes PEXPIREAT, as redis-server 7.0.15 writes its AOF (test/process/expiry-propagation.test.ts).
    assert.deepEqual(out[2], ['PEXPIREAT', 'k', FUT_MS]);
    assert.deepEqual(out[3], ['PEXPIREAT', 'k', String(Number(FUT_S) * 1000)]);
    assert.deepEqual(out[4], ['PERSIST', 'k']);
    assert.deepEqual(out[5], ['DEL', 'k']);
    assert.deepEqual(out[6], ['SET', 'k', '1.5']);
    assert.deepEqual(out[7], ['SET', 'k', '1.75', 'KEEPTTL']);
    assert.deepEqual(out[8], ['DEL', 'k']);
    assert.equal(out.length, 9);
  });

  test('writes that change nothing are not propagated', async () => {
    await client.call('FLUSHALL');
    await client.call('SET', 'k', 'v');
    await client.call('SET', 'n', '1');
    const out = await propagated(
      ['SET', 'k', 'x', 'NX'],
      ['SET', 'nosuch', 'x', 'XX'],
      ['SET', 'k', 'x', 'NX', 'GET'],
      ['SETNX', 'k', 'x'],
      ['MSETNX', 'a', '1', 'k', '2'],
      ['GETDEL', 'nosuch'],
      ['GETEX', 'k'],
      ['GETEX', 'k', 'PERSIST'],
      ['GETEX', 'nosuch', 'EX', '10'],
      ['SETRANGE', 'k', '0', ''],
      ['SETRANGE', 'nosuch', '5', ''],
      ['GET', 'k'],
      ['MGET', 'k', 'n'],
      ['STRLEN', 'k'],
      ['GETRANGE', 'k', '0', '-1'],
      ['LCS', 'k', 'n'],
    );
    assert.deepEqual(out, []);
    // Failing commands do not propagate either.
    seen.length = 0;
    for (const c of [['INCR', 'k'], ['INCRBYFLOAT', 'k', '1'], ['INCRBY', 'n', '9223372036854775807'], ['SET', 'k', 'v', 'EX', '0'], ['APPEND', 'k', 'x'.repeat(10)]]) {
      await client.call(...c);
    }
    assert.deepEqual(seen.map((s) => s.argv), [['APPEND', 'k', 'x'.repeat(10)]]);
  });

  test('dirty counts one per key changed', async () => {
    await client.call('FLUSHALL');
    const d0 = server.dirty;
    await client.call('MSET', 'a', '1', 'b', '2', 'c', '3');
    assert.equal(server.dirty - d0, 3);
    const d1 = server.dirty;
    await client.call('SET', 'a', '1', 'EX', '100');
    assert.equal(server.dirty - d1, 1);
  });
});
