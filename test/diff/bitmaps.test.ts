// Differential tests of the bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP
// BITFIELD BITFIELD_RO — the same commands sent to Cinnabar and to a real
// redis-server, replies compared; keyspace notifications compared too. A second
// part runs a server in this process to check what the commands propagate.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { startPair, withEvents } from '../helpers/pair.js';
import { startInProcess, type InProcess } from '../helpers/inprocess.js';
import { checkRandomSequences } from '../helpers/sequences.js';
import type { RespClient } from '../../src/protocol/resp-client.js';
import type { Server } from '../../src/server/server.js';

type Cmd = string[];

/** Test strings: empty, all zeros, all ones, mixed, an integer-encoded value. */
const SAMPLES: Array<[string, string]> = [
  ['empty', ''],
  ['zero1', '\x00'],
  ['zeros', '\x00\x00\x00'],
  ['ones1', '\xff'],
  ['ones', '\xff\xff\xff'],
  ['foobar', 'foobar'],
  ['mixed', '\xff\xf0\x00\x0f\x81'],
  ['int', '12345'],
  ['high', '\x00\x00\x01'],
];

describe('bitmaps (differential)', { skip: skipIfNoRedis() }, () => {
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

  async function loadSamples(): Promise<void> {
    const cmds: CheckItem[] = [];
    for (const [k, v] of SAMPLES) cmds.push(['SET', k, v]);
    cmds.push(['SADD', 'set', 'x']);
    await pair.check(cmds);
  }

  test('SETBIT and GETBIT', async () => {
    await pair.check([
      ['SETBIT', 'k', '7', '1'],
      ['GET', 'k'],
      ['SETBIT', 'k', '7', '1'],
      ['SETBIT', 'k', '7', '0'],
      ['SETBIT', 'k', '100', '1'],
      ['GET', 'k'],
      ['STRLEN', 'k'],
      ['GETBIT', 'k', '100'],
      ['GETBIT', 'k', '99'],
      ['GETBIT', 'k', '101'],
      ['GETBIT', 'k', '100000'],
      ['GETBIT', 'nosuch', '0'],
      ['SETBIT', 'k', '0', '2'],
      ['SETBIT', 'k', '0', '-1'],
      ['SETBIT', 'k', '0', 'x'],
      ['SETBIT', 'k', '-1', '1'],
      ['SETBIT', 'k', 'x', '1'],
      ['SETBIT', 'k', '4294967296', '1'],
      ['SETBIT', 'k', '#1', '1'],
      ['SETBIT', 'k', '1.5', '1'],
      ['GETBIT', 'k', '-1'],
      ['GETBIT', 'k', '4294967296'],
      ['GETBIT', 'k', '4294967295'],
      ['GETBIT', 'k', 'x'],
      ['GETBIT', 'nosuch', 'x'],
      ['SADD', 's', 'x'],
      ['SETBIT', 's', '0', '1'],
      ['GETBIT', 's', '0'],
      ['SETBIT', 's', '-1', '1'],
      ['SET', 'n', '12'],
      ['GETBIT', 'n', '2'],
      ['GETBIT', 'n', '3'],
      ['SETBIT', 'n', '6', '1'],
      ['GET', 'n'],
      ['OBJECT', 'ENCODING', 'n'],
      ['SET', 'e', 'ab'],
      ['SETBIT', 'e', '0', '0'],
      ['OBJECT', 'ENCODING', 'e'],
      ['SET', 't', 'x', 'EX', '100'],
      ['SETBIT', 't', '50', '1'],
      ['TTL', 't'],
      ['SETBIT', 'k', '1'],
      ['GETBIT', 'k'],
    ]);
    const rng = new Rng(seedFromEnv('setbit'));
    const cmds: CheckItem[] = [];
    for (let i = 0; i < 400; i++) {
      const off = String(rng.int(200));
      cmds.push(rng.bool() ? ['SETBIT', 'r', off, String(rng.int(2))] : ['GETBIT', 'r', off]);
    }
    cmds.push(['GET', 'r']);
    await pair.check(cmds);
  });

  test('BITCOUNT with BYTE and BIT ranges', async () => {
    await loadSamples();
    const idx = ['0', '1', '2', '3', '7', '8', '9', '15', '16', '23', '39', '40', '100', '-1', '-2', '-3', '-8', '-9', '-17', '-40', '-41', '-100', '9223372036854775807', '-9223372036854775808'];
    for (const [k] of [...SAMPLES, ['nosuch', ''] as [string, string]]) {
      const cmds: CheckItem[] = [['BITCOUNT', k]];
      for (const s of idx) {
        for (const e of idx) {
          cmds.push(['BITCOUNT', k, s, e], ['BITCOUNT', k, s, e, 'BIT']);
        }
        cmds.push(['BITCOUNT', k, s, '-1', 'byte']);
      }
      await pair.check(cmds);
    }
    await pair.check([
      ['BITCOUNT', 'foobar', '0'],
      ['BITCOUNT', 'nosuch', '0'],
      ['BITCOUNT', 'foobar', '0', '1', 'BITS'],
      ['BITCOUNT', 'nosuch', '0', '1', 'BITS'],
      ['BITCOUNT', 'foobar', '0', '1', 'BIT', 'x'],
      ['BITCOUNT', 'foobar', 'a', '1'],
      ['BITCOUNT', 'foobar', '1', 'b'],
      ['BITCOUNT', 'foobar', 'a', '1', 'FOO'],
      ['BITCOUNT', 'set'],
      ['BITCOUNT', 'set', '0', '1'],
      ['BITCOUNT', 'set', 'a'],
      ['BITCOUNT'],
    ]);
  });

  test('BITPOS with and without ranges, BYTE and BIT', async () => {
    await loadSamples();
    const idx = ['0', '1', '2', '3', '7', '8', '9', '16', '23', '39', '40', '100', '-1', '-2', '-3', '-8', '-9', '-17', '-40', '-100'];
    for (const [k] of [...SAMPLES, ['nosuch', ''] as [string, string]]) {
      for (const bit of ['0', '1']) {
        const cmds: CheckItem[] = [['BITPOS', k, bit]];
        for (const s of idx) {
          cmds.push(['BITPOS', k, bit, s]);
          for (const e of idx) cmds.push(['BITPOS', k, bit, s, e], ['BITPOS', k, bit, s, e, 'BIT'], ['BITPOS', k, bit, s, e, 'byte']);
        }
        await pair.check(cmds);
      }
    }
    await pair.check([
      ['BITPOS', 'foobar', '2'],
      ['BITPOS', 'foobar', '-1'],
      ['BITPOS', 'foobar', 'x'],
      ['BITPOS', 'nosuch', '2'],
      ['BITPOS', 'nosuch', '1', 'a'],
      ['BITPOS', 'foobar', '1', 'a'],
      ['BITPOS', 'foobar', '1', '0', 'b'],
      ['BITPOS', 'foobar', '1', '0', '1', 'BITS'],
      ['BITPOS', 'foobar', '1', '0', 'b', 'BITS'],
      ['BITPOS', 'foobar', '1', 'a', 'b', 'BITS'],
      ['BITPOS', 'foobar', '1', '0', '1', 'BIT', 'x'],
      ['BITPOS', 'set', '1'],
      ['BITPOS', 'set', '2'],
      ['BITPOS', 'foobar', '0', '9223372036854775807'],
      ['BITPOS', 'foobar', '0', '-9223372036854775808', '9223372036854775807', 'BIT'],
      ['BITPOS', 'foobar'],
    ]);
  });

  test('BITOP', async () => {
    await loadSamples();
    const keys = ['empty', 'zeros', 'ones1', 'ones', 'foobar', 'mixed', 'int', 'nosuch'];
    const cmds: CheckItem[] = [];
    for (const op of ['AND', 'OR', 'XOR', 'and', 'Or']) {
      for (const a of keys) {
        for (const b of keys) {
          cmds.push(['BITOP', op, 'dest', a, b], ['GET', 'dest'], ['EXISTS', 'dest']);
        }
        cmds.push(['BITOP', op, 'dest', a], ['GET', 'dest'], ['BITOP', op, 'dest', a, 'foobar', 'mixed'], ['GET', 'dest']);
      }
    }
    for (const a of keys) cmds.push(['BITOP', 'NOT', 'dest', a], ['GET', 'dest'], ['EXISTS', 'dest']);
    await pair.check(cmds);
    await pair.check([
      ['BITOP', 'NOT', 'dest', 'foobar', 'mixed'],
      ['BITOP', 'NAND', 'dest', 'foobar'],
      ['BITOP', 'AND', 'dest', 'foobar', 'set'],
      ['BITOP', 'AND', 'set', 'foobar'],
      ['TYPE', 'set'],
      ['BITOP', 'AND', 'dest'],
      ['SET', 'dest', 'x', 'EX', '100'],
      ['BITOP', 'OR', 'dest', 'foobar'],
      ['TTL', 'dest'],
      ['OBJECT', 'ENCODING', 'dest'],
      ['BITOP', 'OR', 'dest', 'nosuch', 'nosuch2'],
      ['EXISTS', 'dest'],
      ['SADD', 'sdest', 'x'],
      ['BITOP', 'OR', 'sdest', 'nosuch'],
      ['EXISTS', 'sdest'],
      ['BITOP', 'XOR', 'sdest', 'int'],
      ['TYPE', 'sdest'],
      ['BITOP', 'AND', 'foobar', 'foobar', 'mixed'],
      ['GET', 'foobar'],
    ]);
  });

  test('BITFIELD: types, offsets, overflow modes, errors', async () => {
    await pair.check([
      ['BITFIELD', 'k', 'SET', 'i8', '0', '100', 'SET', 'i8', '#1', '200', 'GET', 'i8', '0', 'GET', 'i8', '#1', 'GET', 'u8', '8'],
      ['GET', 'k'],
      ['BITFIELD', 'k', 'INCRBY', 'u2', '100', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '102', '1'],
      ['BITFIELD', 'k', 'INCRBY', 'i5', '100', '1', 'GET', 'u4', '0'],
      ['BITFIELD', 'k'],
      ['BITFIELD', 'nosuch'],
      ['EXISTS', 'nosuch'],
      ['BITFIELD', 'nosuch', 'GET', 'u8', '0'],
      ['EXISTS', 'nosuch'],
      ['BITFIELD', 'k', 'GET', 'u64', '0'],
      ['BITFIELD', 'k', 'GET', 'i64', '0'],
      ['BITFIELD', 'k', 'GET', 'u63', '0'],
      ['BITFIELD', 'k', 'GET', 'i65', '0'],
      ['BITFIELD', 'k', 'GET', 'i0', '0'],
      ['BITFIELD', 'k', 'GET', 'x8', '0'],
      ['BITFIELD', 'k', 'GET', 'i', '0'],
      ['BITFIELD', 'k', 'GET', 'I8', '0'],
      ['BITFIELD', 'k', 'GET', 'U8', '0'],
      ['BITFIELD', 'k', 'GET', 'i08', '0'],
      ['BITFIELD', 'k', 'GET', 'i8', '-1'],
      ['BITFIELD', 'k', 'GET', 'i8', '#-1'],
      ['BITFIELD', 'k', 'GET', 'i8', 'x'],
      ['BITFIELD', 'k', 'GET', 'i8', '4294967296'],
      ['BITFIELD', 'k', 'GET', 'i8', '4294967295'],
      ['BITFIELD', 'k', 'GET', 'i8', '#536870912'],
      ['BITFIELD', 'k', 'GET', 'i8', '#536870911'],
      ['BITFIELD', 'k', 'GET', 'i64', '#1152921504606846976'],
      ['BITFIELD', 'k', 'GET', 'i64', '#144115188075855872'],
      ['BITFIELD', 'k', 'GET', 'i8', '##1'],
      ['BITFIELD', 'k', 'GET', 'i8'],
      ['BITFIELD', 'k', 'SET', 'i8', '0'],
      ['BITFIELD', 'k', 'SET', 'i8', '0', 'x'],
      ['BITFIELD', 'k', 'SET', 'i8', '0', '1.5'],
      ['BITFIELD', 'k', 'INCRBY', 'i8', '0', '99999999999999999999'],
      ['BITFIELD', 'k', 'OVERFLOW'],
      ['BITFIELD', 'k', 'OVERFLOW', 'FOO', 'GET', 'i8', '0'],
      ['BITFIELD', 'k', 'FOO'],
      ['BITFIELD', 'k', 'GET', 'i8', '0', 'FOO'],
      ['BITFIELD', 'k', 'GET', 'i8', '0', 'SET', 'u99', '0', '1'],
      ['GET', 'k'],
      ['SADD', 's', 'x'],
      ['BITFIELD', 's', 'GET', 'i8', '0'],
      ['BITFIELD', 's'],
      ['BITFIELD', 's', 'SET', 'i8', '0', '1'],
      ['BITFIELD', 's', 'GET', 'i8', 'x'],
      ['BITFIELD'],
      ['SET', 'n', '12345'],
      ['BITFIELD', 'n', 'GET', 'u16', '0', 'GET', 'i32', '#1'],
      ['BITFIELD', 'n', 'INCRBY', 'u8', '0', '1'],
      ['GET', 'n'],
      ['OBJECT', 'ENCODING', 'n'],
      ['SET', 'ttl', 'x', 'EX', '100'],
      ['BITFIELD', 'ttl', 'SET', 'u8', '64', '255'],
      ['TTL', 'ttl'],
    ]);
  });

  test('BITFIELD: overflow arithmetic at every width', async () => {
    const cmds: CheckItem[] = [];
    const values = ['0', '1', '-1', '2', '-2', '100', '-100', '127', '128', '-128', '-129', '255', '256', '32767', '-32768', '65535', '4294967295', '-4294967296', '9223372036854775807', '-9223372036854775808', '4611686018427387904', '-4611686018427387905'];
    const widths = ['i1', 'u1', 'i2', 'u2', 'i7', 'u7', 'i8', 'u8', 'i9', 'u15', 'i16', 'u16', 'i31', 'u31', 'i32', 'u32', 'i33', 'u53', 'i53', 'i54', 'u62', 'i63', 'u63', 'i64'];
    for (const w of widths) {
      for (const mode of ['WRAP', 'SAT', 'FAIL']) {
        for (const v of values) {
          cmds.push(['BITFIELD', 'k', 'OVERFLOW', mode, 'SET', w, '3', v, 'GET', w, '3']);
          cmds.push(['BITFIELD', 'k', 'OVERFLOW', mode, 'INCRBY', w, '3', v, 'GET', w, '3']);
        }
      }
    }
    cmds.push(['GET', 'k']);
    await pair.check(cmds);
  });

  test('BITFIELD: random operations', async () => {
    const rng = new Rng(seedFromEnv('bitfield random'));
    const width = (): string => {
      if (rng.bool()) return 'i' + rng.range(1, 64);
      return 'u' + rng.range(1, 63);
    };
    const value = (): string => {
      switch (rng.int(4)) {
        case 0:
          return String(rng.range(-300, 300));
        case 1:
          return String(BigInt(rng.next()) * BigInt(rng.next()) * (rng.bool() ? 1n : -1n));
        case 2:
          return rng.pick(['9223372036854775807', '-9223372036854775808', '4294967296', '-1']);
        default:
          return String(rng.int(1 << 20));
      }
    };
    for (let round = 0; round < 6; round++) {
      await pair.reset();
      const cmds: CheckItem[] = [];
      for (let i = 0; i < 150; i++) {
        const ops: string[] = [];
        const n = rng.range(1, 4);
        for (let j = 0; j < n; j++) {
          const off = rng.bool(0.8) ? String(rng.int(100)) : '#' + rng.int(5);
          switch (rng.int(4)) {
            case 0:
              ops.push('GET', width(), off);
              break;
            case 1:
              ops.push('SET', width(), off, value());
              break;
            case 2:
              ops.push('INCRBY', width(), off, value());
              break;
            default:
              ops.push('OVERFLOW', rng.pick(['WRAP', 'SAT', 'FAIL']));
          }
        }
        cmds.push(['BITFIELD', 'k', ...ops]);
        if (rng.bool(0.2)) cmds.push(['BITFIELD_RO', 'k', 'GET', width(), String(rng.int(120))]);
      }
      cmds.push(['GET', 'k']);
      await pair.check(cmds);
    }
  });

  test('BITFIELD_RO', async () => {
    await pair.check([
      ['SET', 'k', 'foobar'],
      ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'GET', 'i16', '#1', 'GET', 'u63', '3'],
      ['BITFIELD_RO', 'k'],
      ['BITFIELD_RO', 'nosuch', 'GET', 'u8', '0'],
      ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'OVERFLOW', 'SAT'],
      ['BITFIELD_RO', 'k', 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO', 'k', 'INCRBY', 'u8', '0', '1'],
      ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'INCRBY', 'u8', '0', 'x'],
      ['BITFIELD_RO', 'k', 'GET', 'u64', '0', 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO', 'k', 'OVERFLOW', 'BAD'],
      ['GET', 'k'],
      ['SADD', 's', 'x'],
      ['BITFIELD_RO', 's', 'GET', 'u8', '0'],
      ['BITFIELD_RO', 's', 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO'],
    ]);
  });

  test('keyspace notifications', async () => {
    await withEvents(ours, theirs, async (events) => {
      await pair.check([
        ['SETBIT', 'a', '3', '1'],
        ['SETBIT', 'a', '3', '1'],
        ['SETBIT', 'a', '3', '0'],
        ['SETBIT', 'a', '20', '0'],
        ['SETBIT', 'a', '0', '0'],
        ['SET', 'b', 'foobar'],
        ['BITOP', 'AND', 'c', 'a', 'b'],
        ['BITOP', 'OR', 'c', 'nosuch'],
        ['BITOP', 'OR', 'c', 'nosuch'],
        ['BITOP', 'NOT', 'd', 'b'],
        ['BITFIELD', 'e', 'GET', 'u8', '0'],
        ['BITFIELD', 'e', 'SET', 'u8', '0', '0'],
        ['BITFIELD', 'e', 'SET', 'u8', '0', '0'],
        ['BITFIELD', 'e', 'SET', 'u8', '0', '1', 'INCRBY', 'u8', '0', '1'],
        ['BITFIELD', 'e', 'SET', 'u8', '8', '0'],
        ['BITFIELD', 'e', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000'],
        ['BITFIELD', 'e', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000', 'INCRBY', 'u8', '0', '1'],
        ['BITCOUNT', 'b'],
        ['BITPOS', 'b', '1'],
        ['GETBIT', 'b', '1'],
      ]);
      const got = await events.same();
      assert.ok(got.length > 10, `expected notifications, got ${got.length}`);
    });
  });

  test('random command sequences', async () => {
    const rng = new Rng(seedFromEnv('bitmaps random'));
    const keys = ['a', 'b', 'c'];
    const k = (): string => rng.pick(keys);
    const off = (): string => String(rng.int(rng.bool(0.8) ? 40 : 200));
    const idx = (): string => rng.pick(['0', '1', '2', '3', '5', '-1', '-2', '-5', '8', '17', '-17', '100']);
    const gens: Array<() => Cmd> = [
      () => ['SETBIT', k(), off(), String(rng.int(2))],
      () => ['GETBIT', k(), off()],
      () => ['BITCOUNT', k()],
      () => ['BITCOUNT', k(), idx(), idx(), rng.pick(['BIT', 'BYTE'])],
      () => ['BITPOS', k(), String(rng.int(2))],
      () => ['BITPOS', k(), String(rng.int(2)), idx()],
      () => ['BITPOS', k(), String(rng.int(2)), idx(), idx(), rng.pick(['BIT', 'BYTE'])],
      () => ['BITOP', rng.pick(['AND', 'OR', 'XOR']), k(), k(), k()],
      () => ['BITOP', 'NOT', k(), k()],
      () => ['BITFIELD', k(), 'INCRBY', rng.pick(['u4', 'i5', 'u8', 'i16']), off(), String(rng.range(-20, 20))],
      () => ['BITFIELD_RO', k(), 'GET', rng.pick(['u4', 'i5', 'u8', 'i16']), off()],
      () => ['SET', k(), rng.pick(['', 'foobar', '\xff\x00', '7'])],
      () => ['APPEND', k(), rng.pick(['\xff', '\x00', 'a'])],
      () => ['SADD', k(), 'm'],
      () => ['DEL', k()],
      () => ['GET', k()],
    ];
    await checkRandomSequences(pair, rng, gens, { rounds: 4, length: 300, finish: keys.flatMap((key) => [['TYPE', key], ['GET', key]]) });
  });
});

// ---- propagation (in-process server) ----------------------------------------------

describe('bitmaps propagation', () => {
  let ip: InProcess;
  let server: Server;
  let client: RespClient;
  let propagated: InProcess['propagated'];

  before(async () => {
    ip = await startInProcess({ throwOnError: true });
    ({ server, client, propagated } = ip);
  });
  after(() => ip?.close());

  test('bit writes propagate only when something changed', async () => {
    await client.call('FLUSHALL');
    assert.deepEqual(
      await propagated(
        ['SETBIT', 'k', '5', '1'],
        ['SETBIT', 'k', '5', '1'],
        ['SETBIT', 'k', '5', '0'],
        ['SETBIT', 'k', '6', '0'],
        ['SETBIT', 'k', '9', '0'],
        ['BITFIELD', 'k', 'GET', 'u8', '0'],
        ['BITFIELD', 'k', 'SET', 'u8', '0', '0'],
        ['BITFIELD', 'k', 'SET', 'u8', '0', '3'],
        ['BITFIELD_RO', 'k', 'GET', 'u8', '0'],
        ['BITOP', 'OR', 'd', 'nosuch'],
        ['BITOP', 'OR', 'd', 'k'],
        ['BITOP', 'AND', 'd', 'nosuch'],
        ['BITCOUNT', 'k'],
        ['BITPOS', 'k', '1'],
        ['GETBIT', 'k', '0'],
      ),
      [
        ['SETBIT', 'k', '5', '1'],
        ['SETBIT', 'k', '5', '0'],
        ['SETBIT', 'k', '9', '0'],
        ['BITFIELD', 'k', 'SET', 'u8', '0', '3'],
        ['BITOP', 'OR', 'd', 'k'],
        ['BITOP', 'AND', 'd', 'nosuch'],
      ],
    );
  });

  test('BITFIELD that creates the key propagates even when every write fails', async () => {
    await client.call('FLUSHALL');
    const d0 = server.dirty;
    assert.deepEqual(await propagated(['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u1', '0', '2']), [['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u1', '0', '2']]);
    assert.equal(server.dirty - d0, 1);
    const d1 = server.dirty;
    // The string grows: every write counts, as in Redis.
    await client.call('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '1', 'SET', 'u8', '8', '1');
    assert.equal(server.dirty - d1, 3);
    // No growth: only the writes that change a value count.
    const d2 = server.dirty;
    await client.call('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '2', 'INCRBY', 'u8', '8', '0');
    assert.equal(server.dirty - d2, 1);
  });

  test('a bit offset past the largest JS string is refused, not a crash', async () => {
    const r = await client.call('SETBIT', 'big', '4294967295', '1');
    assert.equal(r.t, 'err');
    assert.equal(await client.call('EXISTS', 'big').then((x) => (x.t === 'int' ? x.v : -1n)), 0n);
  });
});
