/**
 * Self-test of the differential harness, run between TWO real
 * redis-server instances (so it works before Cinnabar exists).
 */
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import type { Reply } from '../../src/protocol/resp-client.js';
import { DiffPair, canonicalize, formatCommand, replyKey } from '../helpers/diff.js';
import {
  KNOWN_DIFFERENCES,
  canonicalDoubleText,
  canonicalizeDoubles,
  dropFields,
  type KnownDifference,
} from '../helpers/known-differences.js';
import { Rng } from '../helpers/random.js';
import {
  REPO_ROOT,
  cinnabarBinPath,
  freePort,
  skipIfNoRedis,
  startCinnabar,
  startRedis,
  type ServerHandle,
} from '../helpers/servers.js';

const bulk = (v: string | null): Reply => ({ t: 'bulk', v });

/** Emulate Redis 7.2's shortest double formatting on our side. */
const shortestOnOurs = (r: Reply, _cmd: readonly string[], side: 'ours' | 'theirs'): Reply =>
  side === 'ours' ? canonicalizeDoubles(r) : r;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('differential harness between two redis-servers', { skip: skipIfNoRedis() }, () => {
  let a: ServerHandle;
  let b: ServerHandle;
  let pair: DiffPair;

  before(async () => {
    [a, b] = await Promise.all([startRedis(), startRedis()]);
    pair = await DiffPair.fromServers(a, b);
  });
  after(async () => {
    pair?.printDifferences();
    await pair?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });
  beforeEach(async () => {
    await pair.reset();
  });

  test('identical servers agree on a handful of commands', async () => {
    const results = await pair.check([
      ['SET', 'k', 'v'],
      ['GET', 'k'],
      ['GET', 'missing'],
      ['INCR', 'n'],
      ['INCRBYFLOAT', 'f', '1.5'],
      ['RPUSH', 'l', 'a', 'b', 'c'],
      ['LRANGE', 'l', '0', '-1'],
      ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
      ['HGET', 'h', 'f1'],
      ['GET', 'l'],
      ['NOSUCHCOMMAND', 'x'],
      ['SET', 'bin', '\x00\xff\r\n'],
      ['GET', 'bin'],
      ['EXISTS', 'k', 'l', 'nope'],
      ['TYPE', 'h'],
      ['DEL', 'k'],
    ]);
    assert.equal(results.length, 16);
    assert.deepEqual(results[9]!.ours.t, 'err');
  });

  test('a deliberately differing value makes check throw with a readable message', async () => {
    await pair.ours.call('SET', 'k', 'ours-value');
    await pair.theirs.call('SET', 'k', 'theirs-value');
    await assert.rejects(pair.check([['GET', 'k']]), (e: unknown) => {
      assert.ok(e instanceof AssertionError);
      assert.match(e.message, /command #0 of 1: GET k/);
      assert.match(e.message, /"ours-value"/);
      assert.match(e.message, /"theirs-value"/);
      return true;
    });
  });

  test('the failing command index and preceding commands are named', async () => {
    await pair.ours.call('RPUSH', 'only-ours', 'x');
    await assert.rejects(
      pair.check([['SET', 'a', '1'], ['GET', 'a'], ['LLEN', 'only-ours'], ['GET', 'a']]),
      (e: unknown) => {
        assert.ok(e instanceof AssertionError);
        assert.match(e.message, /command #2 of 4: LLEN only-ours/);
        assert.match(e.message, /\(int\) 1/);
        assert.match(e.message, /\(int\) 0/);
        assert.match(e.message, /preceding commands: #0 SET a 1; #1 GET a/);
        return true;
      },
    );
  });

  test('type differences are detected (simple vs bulk, nil vs empty)', async () => {
    await pair.ours.call('SET', 's', '');
    await assert.rejects(pair.check([['GET', 's']]), /\(nil bulk\)/);
    // simple "OK" vs bulk "OK" must differ
    assert.notEqual(replyKey({ t: 'simple', v: 'OK' }), replyKey(bulk('OK')));
  });

  test('unordered: true compares arrays as multisets', async () => {
    await pair.ours.call('RPUSH', 'l', 'a', 'b', 'c', 'b');
    await pair.theirs.call('RPUSH', 'l', 'b', 'c', 'b', 'a');
    await assert.rejects(pair.check([['LRANGE', 'l', '0', '-1']]), AssertionError);
    await pair.check([['LRANGE', 'l', '0', '-1']], { unordered: true });
    // multiplicity matters
    await pair.ours.call('RPUSH', 'm', 'a', 'a', 'b');
    await pair.theirs.call('RPUSH', 'm', 'a', 'b', 'b');
    await assert.rejects(pair.check([['LRANGE', 'm', '0', '-1']], { unordered: true }), AssertionError);
  });

  test('SMEMBERS with different insertion orders passes unordered', async () => {
    const rng = new Rng(1234);
    const members = Array.from({ length: 300 }, (_, i) => `member:${i}`);
    await pair.ours.call('SADD', 's', ...rng.shuffle([...members]));
    await pair.theirs.call('SADD', 's', ...rng.shuffle([...members]));
    await pair.check([['SMEMBERS', 's'], ['SCARD', 's']], { unordered: true });
  });

  test('HGETALL unordered compares field/value pairs, not loose elements', async () => {
    await pair.ours.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    await pair.theirs.call('HSET', 'h', 'c', '3', 'a', '1', 'b', '2');
    await pair.check([['HGETALL', 'h']], { unordered: true });
    // Same multiset of elements but different pairs must fail.
    await pair.ours.call('HSET', 'g', 'a', '1', 'b', '2');
    await pair.theirs.call('HSET', 'g', 'a', '2', 'b', '1');
    await assert.rejects(pair.check([['HGETALL', 'g']], { unordered: true }), AssertionError);
    await assert.rejects(pair.check([['HGETALL', 'g']], { unordered: 'pairs' }), AssertionError);
  });

  test('per-command options, ignore and normalizer hook', async () => {
    await pair.ours.call('SET', 'k', 'A');
    await pair.theirs.call('SET', 'k', 'B');
    await pair.check([{ cmd: ['GET', 'k'], ignore: true }, ['EXISTS', 'k']]);
    await pair.check([['GET', 'k']], { normalize: (r) => (r.t === 'bulk' ? bulk('<value>') : r) });
    await assert.rejects(pair.check([['GET', 'k']], { ignore: false }), AssertionError);
  });

  test('checkErrorPrefix compares only the error code', async () => {
    await pair.ours.call('RPUSH', 'l', 'x');
    await pair.theirs.call('RPUSH', 'l', 'x');
    const reword = (r: Reply, _c: readonly string[], side: 'ours' | 'theirs'): Reply =>
      side === 'ours' && r.t === 'err' ? { t: 'err', v: `${r.v.split(' ')[0]} a differently worded message` } : r;
    await assert.rejects(pair.check([['GET', 'l']], { normalize: reword }), AssertionError);
    await pair.checkErrorPrefix([['GET', 'l'], ['INCR', 'l']], { normalize: reword });
    // A different error code still fails.
    const recode = (r: Reply, _c: readonly string[], side: 'ours' | 'theirs'): Reply =>
      side === 'ours' && r.t === 'err' ? { t: 'err', v: 'ERR something' } : r;
    await assert.rejects(pair.checkErrorPrefix([['GET', 'l']], { normalize: recode }), AssertionError);
  });

  test('known difference: 7.2 shortest double formatting for zset scores', async () => {
    await pair.check([['ZADD', 'z', '1.1', 'm', '2.2', 'n']]);
    const before = pair.applied.length;
    // Emulate a 7.2 server on our side: "1.1" vs 7.0's "1.1000000000000001".
    await pair.check(
      [
        ['ZSCORE', 'z', 'm'],
        ['ZINCRBY', 'z', '1', 'n'],
        ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
      ],
      { normalize: shortestOnOurs },
    );
    const added = pair.applied.slice(before);
    assert.deepEqual(
      added.map((d) => d.id),
      ['zset-double-format', 'zset-double-format', 'zset-double-format'],
    );
    assert.match(added[0]!.theirs, /1\.1000000000000001/);
    assert.match(added[0]!.ours, /"1\.1"/);
    // A real score difference is still caught.
    await pair.ours.call('ZADD', 'z', '5', 'm');
    await assert.rejects(pair.check([['ZSCORE', 'z', 'm']], { normalize: shortestOnOurs }), AssertionError);
    // Other commands are not covered by that entry.
    await pair.ours.call('SET', 'f', '1.1');
    await pair.theirs.call('SET', 'f', '1.1000000000000001');
    await assert.rejects(pair.check([['GET', 'f']]), AssertionError);
  });

  test('known differences: custom table, accept entries and counting', async () => {
    await pair.ours.call('SET', 'f', '1.1');
    await pair.theirs.call('SET', 'f', '1.1000000000000001');
    const table: KnownDifference[] = [
      { id: 'test-get-double', command: 'GET', reason: 'Test entry.', transform: canonicalizeDoubles },
      {
        id: 'test-accept',
        command: 'OBJECT ENCODING',
        reason: 'Test accept entry.',
        when: (_c, ours) => ours.t === 'bulk',
      },
    ];
    const before = pair.applied.length;
    await pair.check([['GET', 'f'], ['GET', 'f']], { knownDifferences: table });
    await pair.ours.call('DEL', 'f');
    await pair.ours.call('RPUSH', 'f', 'x');
    await pair.check([['OBJECT', 'ENCODING', 'f']], { knownDifferences: table });
    assert.deepEqual(
      pair.applied.slice(before).map((d) => [d.id, d.index]),
      [
        ['test-get-double', 0],
        ['test-get-double', 1],
        ['test-accept', 0],
      ],
    );
    assert.match(pair.differenceReport(), /test-get-double x2: Test entry\./);
    // Equal replies never count as an applied difference.
    const n = pair.applied.length;
    await pair.check([['PING']], { knownDifferences: table });
    assert.equal(pair.applied.length, n);
  });

  test('RESP3 pair: maps, sets (always unordered) and HELLO', async () => {
    const p3 = await DiffPair.connect(a.port, b.port);
    try {
      await p3.check([['HELLO', '3']]);
      await p3.ours.call('SADD', 's', 'x', 'y', 'z', 'w');
      await p3.theirs.call('SADD', 's', 'w', 'z', 'y', 'x');
      await p3.ours.call('HSET', 'h', 'a', '1', 'b', '2');
      await p3.theirs.call('HSET', 'h', 'b', '2', 'a', '1');
      await p3.check([['SMEMBERS', 's']]);
      await p3.check([['HGETALL', 'h']], { unordered: true });
      await p3.check([['ZADD', 'z', '1.5', 'm'], ['ZSCORE', 'z', 'm'], ['GET', 'nope']]);
    } finally {
      await p3.close();
    }
  });
});

describe('known-differences table', () => {
  test('entries are well formed', () => {
    const ids = new Set<string>();
    for (const kd of KNOWN_DIFFERENCES) {
      assert.ok(!ids.has(kd.id), `duplicate id ${kd.id}`);
      ids.add(kd.id);
      const names = typeof kd.command === 'string' ? [kd.command] : kd.command;
      assert.ok(names.length > 0);
      for (const n of names) assert.equal(n, n.toUpperCase(), `${kd.id}: command names are upper case`);
      assert.match(kd.reason, /^[A-Z].*\.$/, `${kd.id}: reason is one sentence`);
    }
  });

  test('canonical doubles', () => {
    assert.equal(canonicalDoubleText('1.1000000000000001'), '1.1');
    assert.equal(canonicalDoubleText('1.1'), '1.1');
    assert.equal(canonicalDoubleText('2.2000000000000002'), '2.2');
    assert.equal(canonicalDoubleText('-0'), '0');
    assert.equal(canonicalDoubleText('inf'), 'inf');
    assert.equal(canonicalDoubleText('abc'), null);
    assert.equal(canonicalDoubleText('0x10'), null);
    assert.equal(canonicalDoubleText(''), null);
    assert.deepEqual(canonicalizeDoubles({ t: 'double', v: '3.0000000000000004' }), { t: 'double', v: '3.0000000000000004' });
    assert.deepEqual(
      canonicalizeDoubles({ t: 'array', v: [bulk('m'), bulk('1.1000000000000001')] }),
      { t: 'array', v: [bulk('m'), bulk('1.1')] },
    );
  });

  test('dropFields on maps and flat arrays', () => {
    const flat: Reply = { t: 'array', v: [bulk('name'), bulk('c'), bulk('inactive'), { t: 'int', v: 3n }] };
    assert.deepEqual(dropFields(flat, new Set(['inactive'])), { t: 'array', v: [bulk('name'), bulk('c')] });
    const map: Reply = { t: 'map', v: [[bulk('inactive'), { t: 'int', v: 1n }], [bulk('x'), bulk('y')]] };
    assert.deepEqual(dropFields(map, new Set(['inactive'])), { t: 'map', v: [[bulk('x'), bulk('y')]] });
  });

  test('canonicalize modes', () => {
    const r: Reply = { t: 'array', v: [bulk('b'), bulk('2'), bulk('a'), bulk('1')] };
    assert.deepEqual(canonicalize(r, 'pairs'), { t: 'array', v: [bulk('a'), bulk('1'), bulk('b'), bulk('2')] });
    assert.deepEqual(canonicalize(r, true), { t: 'array', v: [bulk('1'), bulk('2'), bulk('a'), bulk('b')] });
    assert.deepEqual(canonicalize(r, true, ['HGETALL', 'h']), canonicalize(r, 'pairs'));
    assert.deepEqual(canonicalize(r, false), r);
    const nested: Reply = { t: 'array', v: [{ t: 'array', v: [bulk('z'), bulk('y')] }, { t: 'set', v: [bulk('2'), bulk('1')] }] };
    assert.deepEqual(canonicalize(nested, undefined), {
      t: 'array',
      v: [{ t: 'array', v: [bulk('z'), bulk('y')] }, { t: 'set', v: [bulk('1'), bulk('2')] }],
    });
    assert.deepEqual(canonicalize(nested, 'deep'), {
      t: 'array',
      v: [{ t: 'array', v: [bulk('y'), bulk('z')] }, { t: 'set', v: [bulk('1'), bulk('2')] }],
    });
  });

  test('formatCommand quotes only when needed', () => {
    assert.equal(formatCommand(['SET', 'k', 'a b', '\x00']), 'SET k "a b" "\\u0000"');
  });
});

describe('server helpers', { skip: skipIfNoRedis() }, () => {
  let started: ServerHandle | undefined;
  afterEach(async () => {
    await started?.stop();
    started = undefined;
  });

  test('freePort returns a bindable port', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((r) => srv.close(() => r()));
  });

  test('startRedis passes extra args; stop() kills the process and removes its dir', async () => {
    started = await startRedis({ args: ['--maxmemory', '12345678'] });
    const c = await started.client();
    const cfg = await c.call('CONFIG', 'GET', 'maxmemory');
    assert.deepEqual(cfg, { t: 'array', v: [bulk('maxmemory'), bulk('12345678')] });
    const dirReply = await c.call('CONFIG', 'GET', 'dir');
    assert.ok(dirReply.t === 'array' && dirReply.v !== null);
    assert.deepEqual(dirReply.v[1], bulk(fs.realpathSync(started.dir)));
    const { pid, dir } = started;
    assert.ok(isAlive(pid));
    await started.stop();
    assert.equal(started.exited, true);
    assert.equal(isAlive(pid), false);
    assert.equal(fs.existsSync(dir), false);
    assert.equal(c.closed, true);
  });

  test('a failing start reports the command line and output tail', async () => {
    await assert.rejects(startRedis({ args: ['--no-such-directive', 'x'], startTimeoutMs: 5000 }), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /redis server failed to start/);
      assert.match(e.message, /exited with code/);
      assert.match(e.message, /--no-such-directive/);
      assert.match(e.message, /Bad directive|FATAL CONFIG FILE ERROR/);
      return true;
    });
  });

  const builtEntry = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'cinnabar-server.js');
  const cinnabarSkip = fs.existsSync(builtEntry) ? false : `Cinnabar server entry ${builtEntry} is not built yet`;
  if (cinnabarSkip) console.log(`# skipping Cinnabar smoke test: ${cinnabarSkip}`);

  test('cinnabar launcher path resolves to bin/cinnabar-server.js', () => {
    assert.equal(cinnabarBinPath(), path.join(REPO_ROOT, 'bin', 'cinnabar-server.js'));
    assert.ok(fs.existsSync(cinnabarBinPath()));
  });

  test('startCinnabar answers PING', { skip: cinnabarSkip }, async () => {
    started = await startCinnabar();
    const c = await started.client();
    assert.deepEqual(await c.call('PING'), { t: 'simple', v: 'PONG' });
  });
});

describe('seeded PRNG', () => {
  test('same seed, same sequence; bounds respected', () => {
    const x = new Rng(42);
    const y = new Rng(42);
    const xs = Array.from({ length: 100 }, () => x.next());
    const ys = Array.from({ length: 100 }, () => y.next());
    assert.deepEqual(xs, ys);
    assert.notDeepEqual(xs, Array.from({ length: 100 }, (() => { const z = new Rng(43); return () => z.next(); })()));
    const r = new Rng(7);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10000; i++) {
      const v = r.int(10);
      assert.ok(Number.isInteger(v) && v >= 0 && v < 10);
      counts[v]!++;
      const f = r.float();
      assert.ok(f >= 0 && f < 1);
      const g = r.range(-3, 3);
      assert.ok(g >= -3 && g <= 3);
    }
    for (const c of counts) assert.ok(c > 800 && c < 1200, `roughly uniform: ${counts.join(',')}`);
    assert.equal(r.bytes(16).length, 16);
    assert.match(r.alnum(20), /^[A-Za-z0-9]{20}$/);
  });
});
