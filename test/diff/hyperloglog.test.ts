// Differential tests of the HyperLogLog commands (issue 16 item 2): PFADD, PFCOUNT,
// PFMERGE, PFDEBUG, PFSELFTEST against a real redis-server. A HyperLogLog is a string
// in Redis's own layout, so besides the replies the tests compare the stored bytes
// (GET) after every step: the sparse code, its promotion to dense at
// hll-sparse-max-bytes, and the cached cardinality in the header must be identical.
// Values also cross between the servers with DUMP/RESTORE.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { startPair, withEvents } from '../helpers/pair.js';
import type { Reply, RespClient } from '../../src/protocol/resp-client.js';
import { startInProcess, type InProcess } from '../helpers/inprocess.js';

/** A random element: empty, short binary, alphanumeric or a number, so every hash tail length occurs. */
function element(rng: Rng): string {
  switch (rng.int(4)) {
    case 0:
      return rng.bytes(rng.int(17));
    case 1:
      return rng.alnum(rng.range(1, 24));
    case 2:
      return String(rng.int(1_000_000_000));
    default:
      return rng.bytes(rng.range(17, 40));
  }
}

function bulk(r: Reply): string {
  assert.equal(r.t, 'bulk');
  return r.v as string;
}

describe('hyperloglog (differential)', { skip: skipIfNoRedis() }, () => {
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
    await pair.check([['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']]);
  });

  test('PFADD and PFCOUNT: the same bytes and counts, sparse through dense', async () => {
    const rng = new Rng(seedFromEnv('hll-grow'));
    const keys = ['h1', 'h2', 'h3'];
    let total = 0;
    // Batches grow so a key goes from a handful of registers to dense.
    for (let round = 0; round < 60; round++) {
      const key = rng.pick(keys);
      const n = round < 20 ? rng.range(0, 5) : rng.range(20, 400);
      const args = ['PFADD', key];
      for (let i = 0; i < n; i++) args.push(element(rng));
      total += n;
      const cmds: CheckItem[] = [args, ['GET', key], ['PFCOUNT', key], ['GET', key], ['PFCOUNT', key], ['PFDEBUG', 'ENCODING', key]];
      if (rng.bool(0.3)) cmds.push(['PFCOUNT', ...keys], ['PFCOUNT', key, 'missing']);
      await pair.check(cmds);
    }
    // Repeated elements change nothing.
    await pair.check([['PFADD', 'h1', 'x', 'y'], ['PFADD', 'h1', 'x', 'y'], ['GET', 'h1'], ['PFCOUNT', 'h1', 'h2', 'h3']]);
    const enc = await pair.check([['PFDEBUG', 'ENCODING', 'h1'], ['PFDEBUG', 'ENCODING', 'h2'], ['PFDEBUG', 'ENCODING', 'h3']]);
    assert.ok(
      enc.some((r) => r.theirs.t === 'simple' && r.theirs.v === 'dense'),
      `at least one key reached dense (${total} elements added)`,
    );
  });

  test('hll-sparse-max-bytes decides the promotion to dense', async () => {
    const rng = new Rng(seedFromEnv('hll-sparse-max'));
    for (const limit of ['0', '40', '300', '3000', '16000']) {
      await pair.reset();
      await pair.check([['CONFIG', 'SET', 'hll-sparse-max-bytes', limit], ['CONFIG', 'GET', 'hll-sparse-max-bytes']]);
      for (let round = 0; round < 12; round++) {
        const args = ['PFADD', 'h'];
        const n = rng.range(1, 120);
        for (let i = 0; i < n; i++) args.push(element(rng));
        await pair.check([args, ['PFDEBUG', 'ENCODING', 'h'], ['GET', 'h'], ['STRLEN', 'h'], ['PFCOUNT', 'h']]);
      }
    }
  });

  test('single-element PFADDs: every sparse split and merge case', async () => {
    // One element per command exercises ZERO/XZERO/VAL splits and the merging of
    // adjacent equal VAL opcodes one step at a time.
    const rng = new Rng(seedFromEnv('hll-single'));
    for (let i = 0; i < 400; i++) {
      const e = element(rng);
      const items: CheckItem[] = [['PFADD', 'h', e]];
      if (i % 10 === 0) items.push(['PFDEBUG', 'DECODE', 'h'], ['GET', 'h']);
      await pair.check(items);
    }
    await pair.check([['PFDEBUG', 'DECODE', 'h'], ['GET', 'h'], ['PFCOUNT', 'h'], ['GET', 'h']]);
  });

  test('PFMERGE: sparse and dense sources, an existing destination, missing keys', async () => {
    const rng = new Rng(seedFromEnv('hll-merge'));
    const fill = (key: string, n: number): CheckItem => {
      const args = ['PFADD', key];
      for (let i = 0; i < n; i++) args.push(element(rng));
      return args;
    };
    await pair.check([fill('s1', 10), fill('s2', 30), fill('d1', 3000), fill('d2', 2000), ['PFDEBUG', 'ENCODING', 's1'], ['PFDEBUG', 'ENCODING', 'd1']]);
    await pair.check([
      ['PFMERGE', 'm1', 's1', 's2'], // all sparse: stays sparse
      ['PFDEBUG', 'ENCODING', 'm1'],
      ['GET', 'm1'],
      ['PFCOUNT', 'm1'],
      ['PFMERGE', 'm2', 's1', 'd1'], // one dense: dense
      ['PFDEBUG', 'ENCODING', 'm2'],
      ['GET', 'm2'],
      ['PFMERGE', 's2', 's1', 'nokey'], // into an existing sparse destination
      ['GET', 's2'],
      ['PFMERGE', 'd2', 'd1'],
      ['GET', 'd2'],
      ['PFCOUNT', 'd2'],
      ['PFMERGE', 'empty'], // no source: an empty HLL
      ['GET', 'empty'],
      ['PFMERGE', 'empty2', 'nokey1', 'nokey2'],
      ['GET', 'empty2'],
      ['PFCOUNT', 's1', 's2', 'd1', 'd2', 'm1', 'm2'],
    ]);
  });

  test('PFDEBUG GETREG, DECODE, ENCODING, TODENSE and their errors', async () => {
    await pair.check([
      ['PFADD', 'h', 'a', 'b', 'c', 'd', 'e', 'f', 'g'],
      ['PFDEBUG', 'DECODE', 'h'],
      ['PFDEBUG', 'encoding', 'h'],
      ['PFDEBUG', 'GETREG', 'h'], // converts to dense
      ['PFDEBUG', 'ENCODING', 'h'],
      ['PFDEBUG', 'DECODE', 'h'],
      ['PFDEBUG', 'TODENSE', 'h'],
      ['PFADD', 'h2', 'x'],
      ['PFDEBUG', 'TODENSE', 'h2'],
      ['GET', 'h2'],
      ['PFDEBUG', 'NOSUCH', 'h'],
      ['PFDEBUG', 'NOSUCH', 'nokey'],
      ['PFDEBUG', 'GETREG', 'nokey'],
      ['PFDEBUG', 'GETREG'],
      ['PFDEBUG', 'GETREG', 'h', 'extra'],
      ['SET', 's', 'not an hll'],
      ['PFDEBUG', 'ENCODING', 's'],
      ['PFSELFTEST', 'x'],
    ]);
  });

  test('wrong types, non-HLL strings and corrupt values get Redis errors', async () => {
    const sparse = await pair.check([['PFADD', 'h', 'a', 'b', 'c'], ['GET', 'h']]);
    const bytes = bulk(sparse[1]!.theirs);
    // A corrupt sparse code: the last opcode's run overflows the 16384 registers.
    const overflow = bytes.slice(0, bytes.length - 1) + '\x7f';
    // A run that stops short of 16384 registers.
    const short = bytes.slice(0, bytes.length - 2);
    await pair.check([
      ['LPUSH', 'list', 'x'],
      ['PFADD', 'list', 'a'],
      ['PFCOUNT', 'list'],
      ['PFCOUNT', 'h', 'list'],
      ['PFMERGE', 'list', 'h'],
      ['PFMERGE', 'h', 'list'],
      ['SET', 'str', 'hello world, not an hll'],
      ['PFADD', 'str', 'a'],
      ['PFCOUNT', 'str'],
      ['PFCOUNT', 'h', 'str'],
      ['SET', 'tiny', 'HYLL'],
      ['PFCOUNT', 'tiny'],
      ['SET', 'badenc', 'HYLL\x02' + '\x00'.repeat(11) + '\x7f\xff'],
      ['PFCOUNT', 'badenc'],
      ['SET', 'shortdense', 'HYLL\x00' + '\x00'.repeat(11) + '\x00'.repeat(100)],
      ['PFCOUNT', 'shortdense'],
      ['SET', 'over', overflow],
      ['PFCOUNT', 'over'],
      ['PFCOUNT', 'over', 'h'],
      ['PFMERGE', 'dst', 'over'],
      ['PFADD', 'over', 'zzz'],
      ['SET', 'short', short],
      ['PFCOUNT', 'short'],
      ['PFCOUNT', 'short', 'h'],
      ['PFDEBUG', 'TODENSE', 'short'],
      ['PFDEBUG', 'DECODE', 'short'],
      ['PFADD'],
      ['PFCOUNT'],
      ['PFMERGE'],
    ]);
    // A VAL opcode past the last register is corrupt for every reader, also when
    // the registers before it add up to exactly 16384 (found by the fuzz test below).
    const hdr = 'HYLL\x01' + '\x00'.repeat(10) + '\x80';
    for (const tail of ['\x7f\xff\x80', '\x7f\xfe\x80\x80', '\x80\x7f\xfe\x80', '\x7f\xff\x00', '\x7f\xff']) {
      await pair.check([
        ['SET', 'c', hdr + tail],
        ['PFCOUNT', 'c'],
        ['PFCOUNT', 'c', 'h'],
        ['PFMERGE', 'm', 'c'],
        ['PFDEBUG', 'TODENSE', 'c'],
        ['PFDEBUG', 'DECODE', 'c'],
        ['PFADD', 'c', 'zz'],
        ['GET', 'c'],
      ]);
    }
  });

  test('randomly corrupted sparse values: the same replies, no crash', async () => {
    const rng = new Rng(seedFromEnv('hll-corrupt'));
    const args = ['PFADD', 'src'];
    for (let i = 0; i < 40; i++) args.push(element(rng));
    const [, got] = await pair.check([args, ['GET', 'src']]);
    const good = bulk(got!.theirs);
    for (let round = 0; round < 150; round++) {
      // Change 1..3 bytes of the opcodes (the header stays valid).
      const b = good.split('');
      for (let k = rng.range(1, 3); k > 0; k--) b[rng.range(16, b.length - 1)] = String.fromCharCode(rng.int(256));
      const bad = rng.bool(0.2) ? b.join('').slice(0, rng.range(16, b.length)) : b.join('');
      const hex = Buffer.from(bad, 'latin1').toString('hex');
      await pair.check([
        ['SET', 'bad', bad],
        ['PFCOUNT', 'bad'],
        ['PFCOUNT', 'bad', 'src'],
        ['PFDEBUG', 'DECODE', 'bad'],
        ['PFMERGE', 'm', 'bad'],
        ['PFADD', 'bad', element(rng), element(rng)],
        ['GET', 'bad'],
        ['PFDEBUG', 'TODENSE', 'bad'],
        ['GET', 'bad'],
        ['DEL', 'm'],
      ]).catch((e: Error) => {
        throw new Error(`${e.message}\nthe corrupted value: ${hex}`);
      });
    }
    await pair.check([['PING']]);
  });

  test('the cached cardinality: PFCOUNT stores it, PFADD invalidates it, WATCH sees the update', async () => {
    await pair.check([
      ['PFADD', 'h'], // a new key with no element: created, cache invalid
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['GET', 'h'], // cache stored
      ['PFADD', 'h', 'a'],
      ['GET', 'h'], // invalidated
      ['PFCOUNT', 'h'],
      ['PFADD', 'h', 'a'], // no change: the cache stays valid
      ['GET', 'h'],
      ['OBJECT', 'ENCODING', 'h'],
    ]);
    // A PFCOUNT that refreshes the cache is a change to the key for WATCH.
    const [oc, tc] = await Promise.all([ours.client(), theirs.client()]);
    try {
      for (const c of [oc, tc]) {
        await c.call('PFADD', 'w', 'x', 'y');
        await c.call('WATCH', 'w');
        await c.call('PFCOUNT', 'w');
        await c.call('MULTI');
        await c.call('PING');
      }
      const [a, b] = await Promise.all([oc.call('EXEC'), tc.call('EXEC')]);
      assert.deepEqual(a, b);
      assert.equal((b as { v: unknown }).v, null, 'redis-server aborts the transaction');
    } finally {
      await Promise.all([oc.close(), tc.close()]);
    }
  });

  test('keyspace notifications', async () => {
    await withEvents(ours, theirs, async (events) => {
      await pair.check([
        ['PFADD', 'h', 'a'],
        ['PFADD', 'h', 'a'],
        ['PFADD', 'h', 'b'],
        ['PFCOUNT', 'h'],
        ['PFMERGE', 'm', 'h'],
        ['PFDEBUG', 'TODENSE', 'm'],
      ]);
      const got = await events.same();
      assert.ok(got.some((e) => e.endsWith(' pfadd')), got.join('\n'));
    });
  });

  test('values cross between the servers with DUMP/RESTORE and count the same', async () => {
    const rng = new Rng(seedFromEnv('hll-dump'));
    const args = ['PFADD', 's'];
    for (let i = 0; i < 50; i++) args.push(element(rng));
    const argsD = ['PFADD', 'd'];
    for (let i = 0; i < 5000; i++) argsD.push(element(rng));
    await pair.check([args, argsD]);
    for (const key of ['s', 'd']) {
      const { ours: od, theirs: td } = await pair.run(['DUMP', key]);
      const [oc, tc] = [pair.ours, pair.theirs];
      assert.equal((await oc.call('RESTORE', `${key}-from-redis`, '0', bulk(td))).t, 'simple');
      assert.equal((await tc.call('RESTORE', `${key}-from-cinnabar`, '0', bulk(od))).t, 'simple');
      await pair.check([
        ['PFCOUNT', key],
        { cmd: ['PFCOUNT', `${key}-from-redis`], ignore: true },
      ]);
      const a = await oc.call('PFCOUNT', `${key}-from-redis`);
      const b = await tc.call('PFCOUNT', `${key}-from-cinnabar`);
      const c = await tc.call('PFCOUNT', key);
      assert.deepEqual(a, c);
      assert.deepEqual(b, c);
    }
  });

  test('PFSELFTEST passes on both', async () => {
    await pair.check([['PFSELFTEST']]);
  });
});

// ---- propagation (in-process server) ----------------------------------------------

describe('hyperloglog propagation', () => {
  let ip: InProcess;
  let client: RespClient;
  let propagated: InProcess['propagated'];

  before(async () => {
    ip = await startInProcess({ throwOnError: true });
    ({ client, propagated } = ip);
  });
  after(() => ip?.close());

  test('PFADD when a register changed, PFCOUNT when it refreshed the cache, PFDEBUG on a conversion', async () => {
    await client.call('FLUSHALL');
    assert.deepEqual(
      await propagated(
        ['PFADD', 'h', 'a'],
        ['PFADD', 'h', 'a'],
        ['PFCOUNT', 'h'],
        ['PFCOUNT', 'h'],
        ['PFCOUNT', 'h', 'nokey'],
        ['PFADD', 'h', 'b'],
        ['PFCOUNT', 'h'],
        ['PFDEBUG', 'ENCODING', 'h'],
        ['PFDEBUG', 'TODENSE', 'h'],
        ['PFDEBUG', 'TODENSE', 'h'],
        ['PFMERGE', 'm', 'h'],
        ['PFCOUNT', 'nokey'],
      ),
      [
        ['PFADD', 'h', 'a'],
        ['PFCOUNT', 'h'],
        ['PFADD', 'h', 'b'],
        ['PFCOUNT', 'h'],
        ['PFDEBUG', 'TODENSE', 'h'],
        ['PFMERGE', 'm', 'h'],
      ],
    );
  });
});
