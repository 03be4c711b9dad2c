// Differential tests of the hash commands: HSET HSETNX HMSET HGET HMGET HDEL HLEN
// HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN — the same
// commands sent to Cinnabar and to a real redis-server, replies compared, keyspace
// notifications compared, encodings (OBJECT ENCODING) compared. Random replies
// (HRANDFIELD) are reduced to a validated shape before comparison. A second part
// runs a server in this process to check propagation and the HSCAN cursor guarantee
// while the hash changes.

import { createServer } from '../../src/compose/compose.js';
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import type { KnownDifference } from '../helpers/known-differences.js';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { startPair, Events } from '../helpers/pair.js';
import { RespClient, formatReply, type Reply } from '../../src/protocol/resp-client.js';
import { Config } from '../../src/config/config.js';
import { Logger } from '../../src/server/log.js';
import { Server } from '../../src/server/server.js';

type Cmd = string[];



/**
 * Redis 7.2's hashTypeTryConversion converts a listpack hash to a hashtable before
 * inserting when HSET/HMSET are given more pairs than hash-max-listpack-entries, even
 * if the fields repeat; 7.0 (the reference binary) converts only once the hash holds
 * that many fields.
 */
const HASH_PRESIZE: KnownDifference = {
  id: 'hash-presize-conversion',
  command: 'OBJECT ENCODING',
  reason: 'Redis 7.2 converts a hash to hashtable when HSET gets more pairs than hash-max-listpack-entries, even with repeated fields; 7.0 does not.',
  when: (_cmd, o, t) => o.t === 'bulk' && o.v === 'hashtable' && t.t === 'bulk' && t.v === 'listpack',
};

const str = (r: Reply): string | null => (r.t === 'bulk' || r.t === 'simple' ? r.v : null);
const ok = (v: string): Reply => ({ t: 'simple', v });

/**
 * Reduces an HRANDFIELD reply to a checked shape, given the hash it was drawn from:
 * "<type> n=<len> <ok|BAD ...>". Fields must exist, values must match, and for a
 * positive count the fields must be distinct. Errors and nulls pass unchanged.
 */
function randShape(h: Map<string, string>, count: number | null, withValues: boolean): (r: Reply) => Reply {
  return (r: Reply): Reply => {
    if (r.t === 'err' || r.t === 'null' || (r.t === 'bulk' && r.v === null)) return r;
    if (count === null) {
      const f = str(r);
      return ok(f !== null && h.has(f) ? 'one ok' : `BAD single ${formatReply(r)}`);
    }
    if (r.t !== 'array' || r.v === null) return ok(`BAD type ${r.t}`);
    const pairs: Array<[string, string | null]> = [];
    const items = r.v;
    if (withValues && items.length > 0 && items[0].t === 'array') {
      for (const it of items) {
        if (it.t !== 'array' || it.v === null || it.v.length !== 2) return ok('BAD nested pair');
        pairs.push([str(it.v[0]) ?? '', str(it.v[1])]);
      }
    } else if (withValues) {
      if (items.length % 2 !== 0) return ok('BAD odd flat length');
      for (let i = 0; i < items.length; i += 2) pairs.push([str(items[i]) ?? '', str(items[i + 1])]);
    } else {
      for (const it of items) pairs.push([str(it) ?? '', null]);
    }
    const seen = new Set<string>();
    for (const [f, v] of pairs) {
      if (!h.has(f)) return ok(`BAD unknown field ${JSON.stringify(f)}`);
      if (withValues && h.get(f) !== v) return ok(`BAD value of ${f}`);
      if (count > 0 && seen.has(f)) return ok(`BAD duplicate ${f}`);
      seen.add(f);
    }
    const nested = withValues && items.length > 0 && items[0].t === 'array' ? 'nested' : 'flat';
    return ok(`array ${nested} n=${pairs.length} ok`);
  };
}

/** An HSCAN reply with its pairs sorted (listpack order vs hashtable order). */
function scanPairsSorted(r: Reply): Reply {
  if (r.t !== 'array' || r.v === null || r.v.length !== 2) return r;
  const items = r.v[1];
  if (items.t !== 'array' || items.v === null) return r;
  const pairs: Array<[Reply, Reply]> = [];
  for (let i = 0; i + 1 < items.v.length; i += 2) pairs.push([items.v[i], items.v[i + 1]]);
  pairs.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { t: 'array', v: [r.v[0], { t: 'array', v: pairs.flat() }] };
}

/** Iterates HSCAN to the end on one client; returns field -> value (and checks the cursor protocol). */
async function fullHscan(client: RespClient, key: string, extra: string[] = []): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  let calls = 0;
  do {
    const r = await client.call('HSCAN', key, cursor, ...extra);
    assert.ok(r.t === 'array' && r.v !== null && r.v.length === 2, `HSCAN reply ${formatReply(r)}`);
    cursor = str(r.v[0])!;
    const items = r.v[1];
    assert.ok(items.t === 'array' && items.v !== null);
    for (let i = 0; i < items.v.length; i += 2) out.set(str(items.v[i])!, str(items.v[i + 1])!);
    assert.ok(++calls < 100000, 'HSCAN does not terminate');
  } while (cursor !== '0');
  return out;
}

function sortedEntries(m: Map<string, string>): string[] {
  return [...m.entries()].map(([k, v]) => `${k}=${v}`).sort();
}

describe('hashes (differential)', { skip: skipIfNoRedis() }, () => {
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
    await pair.check([['CONFIG', 'SET', 'hash-max-listpack-entries', '128'], ['CONFIG', 'SET', 'hash-max-listpack-value', '64']]);
  });

  test('HSET HMSET HSETNX HGET: basics, binary data, replies and errors', async () => {
    const bin = '\x00\xff\r\n\x80z';
    await pair.check([
      ['HSET', 'h', 'a', '1'],
      ['HSET', 'h', 'a', '2', 'b', '3', 'c', '4'],
      ['HSET', 'h', 'a', '2'],
      ['HGET', 'h', 'a'],
      ['HGET', 'h', 'zz'],
      ['HGET', 'nosuch', 'a'],
      ['HSET', 'h', bin, bin],
      ['HGET', 'h', bin],
      ['HSET', 'h', '', ''],
      ['HGET', 'h', ''],
      ['HSET', 'h', 'a', 'b', 'c'],
      ['HSET', 'h', 'a'],
      ['HSET', 'h'],
      ['HMSET', 'h', 'x', '1', 'y'],
      ['HMSET', 'h', 'x', '1', 'y', '2'],
      ['HMSET', 'h2', 'x', '1'],
      ['HGETALL', 'h'],
      ['HSETNX', 'h', 'x', 'new'],
      ['HSETNX', 'h', 'n', 'new'],
      ['HSETNX', 'fresh', 'n', 'v'],
      ['HGETALL', 'fresh'],
      ['HSETNX', 'h', 'n'],
      ['HSETNX', 'h', 'n', 'v', 'w'],
      ['HGET', 'h'],
      ['HGET', 'h', 'a', 'b'],
      ['SET', 'str', 'v'],
      ['HSET', 'str', 'a', '1'],
      ['HMSET', 'str', 'a', '1'],
      ['HSETNX', 'str', 'a', '1'],
      ['HGET', 'str', 'a'],
      ['HSET', 'str', 'a'],
      ['hset', 'h', 'Mixed', 'Case'],
      ['HgEt', 'h', 'Mixed'],
      ['HLEN', 'h'],
    ]);
  });

  test('HMGET HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL, on missing keys and wrong types', async () => {
    await pair.check([
      ['HSET', 'h', 'a', '1', 'b', '', 'c', '12345', 'd', '-7'],
      ['HMGET', 'h', 'a', 'nope', 'b', 'c', 'a'],
      ['HMGET', 'nosuch', 'a', 'b'],
      ['HMGET', 'h'],
      ['HLEN', 'h'],
      ['HLEN', 'nosuch'],
      ['HSTRLEN', 'h', 'c'],
      ['HSTRLEN', 'h', 'b'],
      ['HSTRLEN', 'h', 'd'],
      ['HSTRLEN', 'h', 'nope'],
      ['HSTRLEN', 'nosuch', 'a'],
      ['HEXISTS', 'h', 'a'],
      ['HEXISTS', 'h', 'nope'],
      ['HEXISTS', 'nosuch', 'a'],
      // listpack hashes keep insertion order in both servers
      ['HKEYS', 'h'],
      ['HVALS', 'h'],
      ['HGETALL', 'h'],
      ['HKEYS', 'nosuch'],
      ['HVALS', 'nosuch'],
      ['HGETALL', 'nosuch'],
      ['HSET', 'h', 'a', 'updated'],
      ['HGETALL', 'h'],
      ['LPUSH', 'list', 'x'],
      ['HMGET', 'list', 'a'],
      ['HLEN', 'list'],
      ['HSTRLEN', 'list', 'a'],
      ['HEXISTS', 'list', 'a'],
      ['HKEYS', 'list'],
      ['HVALS', 'list'],
      ['HGETALL', 'list'],
      ['HLEN', 'h', 'x'],
      ['HKEYS'],
      ['HGETALL', 'h', 'x'],
      ['HSTRLEN', 'h'],
      ['HEXISTS', 'h'],
    ]);
  });

  test('HDEL deletes fields and the key when it empties', async () => {
    await pair.check([
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
      ['HDEL', 'h', 'a', 'a', 'nope'],
      ['HDEL', 'h', 'nope'],
      ['HLEN', 'h'],
      ['HDEL', 'h', 'b', 'c', 'd'],
      ['EXISTS', 'h'],
      ['HDEL', 'h', 'b'],
      ['HDEL', 'nosuch', 'a'],
      ['SET', 'str', 'x'],
      ['HDEL', 'str', 'a'],
      ['HDEL', 'h'],
      ['HSET', 'h', 'a', '1'],
      ['HDEL', 'h', 'a', 'a'],
      ['TYPE', 'h'],
    ]);
  });

  test('HINCRBY: int64 arithmetic, overflow and errors', async () => {
    await pair.check([
      ['HINCRBY', 'h', 'n', '5'],
      ['HINCRBY', 'h', 'n', '-12'],
      ['HGET', 'h', 'n'],
      ['HINCRBY', 'h', 'n', '0'],
      ['HSET', 'h', 'max', '9223372036854775806'],
      ['HINCRBY', 'h', 'max', '1'],
      ['HINCRBY', 'h', 'max', '1'],
      ['HGET', 'h', 'max'],
      ['HINCRBY', 'h', 'max', '-9223372036854775808'],
      ['HSET', 'h', 'min', '-9223372036854775807'],
      ['HINCRBY', 'h', 'min', '-1'],
      ['HINCRBY', 'h', 'min', '-1'],
      ['HINCRBY', 'h', 'min', '9223372036854775807'],
      ['HINCRBY', 'h', 'big', '9007199254740993'],
      ['HINCRBY', 'h', 'big', '9007199254740993'],
      ['HINCRBY', 'h', 'x', '9223372036854775808'],
      ['HINCRBY', 'h', 'x', '1.5'],
      ['HINCRBY', 'h', 'x', ' 1'],
      ['HINCRBY', 'h', 'x', '01'],
      ['HINCRBY', 'h', 'x', ''],
      ['HSET', 'h', 's', 'abc', 'f', '1.5', 'sp', ' 1', 'z', '00', 'neg0', '-0'],
      ['HINCRBY', 'h', 's', '1'],
      ['HINCRBY', 'h', 'f', '1'],
      ['HINCRBY', 'h', 'sp', '1'],
      ['HINCRBY', 'h', 'z', '1'],
      ['HINCRBY', 'h', 'neg0', '1'],
      ['SET', 'str', '1'],
      ['HINCRBY', 'str', 'a', '1'],
      ['HINCRBY', 'str', 'a', 'x'],
      ['HINCRBY', 'nosuch', 'a', 'x'],
      ['EXISTS', 'nosuch'],
      ['HINCRBY', 'h', 'a'],
      ['HGETALL', 'h'],
    ]);
  });

  test('HINCRBYFLOAT: long double arithmetic and formatting, errors', async () => {
    await pair.check([
      ['HINCRBYFLOAT', 'h', 'f', '0.1'],
      ['HINCRBYFLOAT', 'h', 'f', '0.2'],
      ['HINCRBYFLOAT', 'h', 'f', '-0.3'],
      ['HINCRBYFLOAT', 'h', 'g', '10.5'],
      ['HINCRBYFLOAT', 'h', 'g', '0.1'],
      ['HINCRBYFLOAT', 'h', 'g', '1e3'],
      ['HINCRBYFLOAT', 'h', 'g', '-1.5E-2'],
      ['HINCRBYFLOAT', 'h', 'g', '.5'],
      ['HINCRBYFLOAT', 'h', 'g', '5.'],
      ['HINCRBYFLOAT', 'h', 'g', '+3'],
      ['HINCRBYFLOAT', 'h', 'g', '0x10'],
      ['HINCRBYFLOAT', 'h', 'g', '0x1p-2'],
      ['HINCRBYFLOAT', 'h', 'e', '1e300'],
      ['HINCRBYFLOAT', 'h', 'e', '1e300'],
      ['HINCRBYFLOAT', 'h', 'e2', '1.5e4000'],
      ['HINCRBYFLOAT', 'h', 't', '1e-20'],
      ['HINCRBYFLOAT', 'h', 't', '-1e-20'],
      ['HINCRBYFLOAT', 'h', 'u', '1e-4940'],
      ['HINCRBYFLOAT', 'h', 'u', '1e-5000'],
      ['HINCRBYFLOAT', 'h', 'u', '1e5000'],
      ['HINCRBYFLOAT', 'h', 'p', '123456789.123456789123'],
      ['HINCRBYFLOAT', 'h', 'z', '-0.0'],
      ['HINCRBYFLOAT', 'h', 'x', 'inf'],
      ['HINCRBYFLOAT', 'h', 'x', '-inf'],
      ['HINCRBYFLOAT', 'h', 'x', 'nan'],
      ['HINCRBYFLOAT', 'h', 'x', 'abc'],
      ['HINCRBYFLOAT', 'h', 'x', ' 1'],
      ['HINCRBYFLOAT', 'h', 'x', '1 '],
      ['HINCRBYFLOAT', 'h', 'x', ''],
      ['HINCRBYFLOAT', 'h', 'x', '1e'],
      ['HSET', 'h', 'inf', 'inf', 'bad', 'x1', 'int', '41', 'sp', '  3'],
      ['HINCRBYFLOAT', 'h', 'inf', '1'],
      ['HINCRBYFLOAT', 'h', 'bad', '1'],
      ['HINCRBYFLOAT', 'h', 'int', '1'],
      ['HINCRBYFLOAT', 'h', 'int', '0.5'],
      ['HINCRBYFLOAT', 'h', 'sp', '1'],
      ['HINCRBYFLOAT', 'h', 'big', '1.7976931348623157e308'],
      ['HINCRBYFLOAT', 'h', 'big', '1.7976931348623157e308'],
      ['SET', 'str', '1'],
      ['HINCRBYFLOAT', 'str', 'a', '1'],
      ['HINCRBYFLOAT', 'str', 'a', 'x'],
      ['HINCRBYFLOAT', 'h', 'a'],
      ['HSTRLEN', 'h', 'e'],
      { cmd: ['HGETALL', 'h'], unordered: true },
    ]);
  });

  test('HRANDFIELD: counts, repetitions, WITHVALUES, errors (RESP2 and RESP3)', async () => {
    const small = new Map<string, string>();
    for (let i = 0; i < 10; i++) small.set(`f${i}`, `v${i}`);
    const big = new Map<string, string>();
    for (let i = 0; i < 300; i++) big.set(`field:${i}`, `value:${i}`);
    const setup: Cmd[] = [
      ['HSET', 'small', ...[...small].flat()],
      ['HSET', 'big', ...[...big].flat()],
      ['HSET', 'one', 'only', 'x'],
    ];
    await pair.check(setup);
    for (const proto of ['2', '3']) {
      await pair.check([['HELLO', proto]], { ignore: true });
      const items: CheckItem[] = [];
      for (const [key, h] of [['small', small], ['big', big], ['one', new Map([['only', 'x']])]] as const) {
        items.push({ cmd: ['HRANDFIELD', key], normalize: randShape(h, null, false) });
        for (const n of [1, 2, 5, 9, 10, 11, 100, 299, 300, 301, 1000, -1, -5, -10, -50, -1000]) {
          items.push({ cmd: ['HRANDFIELD', key, String(n)], normalize: randShape(h, n, false) });
          items.push({ cmd: ['HRANDFIELD', key, String(n), 'WITHVALUES'], normalize: randShape(h, n, true) });
          items.push({ cmd: ['HRANDFIELD', key, String(n), 'withvalues'], normalize: randShape(h, n, true) });
        }
        items.push(['HRANDFIELD', key, '0']);
        items.push(['HRANDFIELD', key, '0', 'WITHVALUES']);
      }
      items.push(
        ['HRANDFIELD', 'nosuch'],
        ['HRANDFIELD', 'nosuch', '5'],
        ['HRANDFIELD', 'nosuch', '-5', 'WITHVALUES'],
        ['HRANDFIELD', 'nosuch', '0'],
        ['HRANDFIELD', 'small', 'x'],
        ['HRANDFIELD', 'small', '1.5'],
        ['HRANDFIELD', 'small', '-9223372036854775808'],
        ['HRANDFIELD', 'small', '9223372036854775808'],
        ['HRANDFIELD', 'small', '-9223372036854775808', 'WITHVALUES'],
        ['HRANDFIELD', 'small', '-9223372036854775807', 'WITHVALUES'],
        ['HRANDFIELD', 'small', '9223372036854775807', 'WITHVALUES'],
        ['HRANDFIELD', 'small', '-4611686018427387904', 'WITHVALUES'],
        ['HRANDFIELD', 'small', '4611686018427387904', 'WITHVALUES'],
        ['HRANDFIELD', 'nosuch', '-4611686018427387904', 'WITHVALUES'],
        ['HRANDFIELD', 'small', '1', 'WITHSCORES'],
        ['HRANDFIELD', 'small', '1', 'WITHVALUES', 'x'],
        ['HRANDFIELD', 'small', 'x', 'y'],
        ['HRANDFIELD'],
        ['SET', 'str', 'v'],
        ['HRANDFIELD', 'str'],
        ['HRANDFIELD', 'str', '3'],
        ['HRANDFIELD', 'str', '0'],
        ['HRANDFIELD', 'str', 'x'],
      );
      await pair.check(items);
    }
    await pair.check([['HELLO', '2']], { ignore: true });
  });

  test('HRANDFIELD with a big positive count is uniform enough (each field seen)', async () => {
    const fields: string[] = [];
    for (let i = 0; i < 200; i++) fields.push(`f${i}`, String(i));
    await pair.ours.call('HSET', 'h', ...fields);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const r = await pair.ours.call('HRANDFIELD', 'h', '20');
      assert.ok(r.t === 'array' && r.v !== null && r.v.length === 20);
      for (const x of r.v) seen.add(str(x)!);
    }
    assert.ok(seen.size > 180, `only ${seen.size} distinct fields seen`);
  });

  test('HRANDFIELD on a listpack hash: distinct picks spread over every field', async () => {
    const fields: string[] = [];
    for (let i = 0; i < 10; i++) fields.push(`f${i}`, String(i));
    await pair.ours.call('HSET', 'h', ...fields);
    assert.deepEqual(await pair.ours.call('OBJECT', 'ENCODING', 'h'), { t: 'bulk', v: 'listpack' });
    const seen = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const r = await pair.ours.call('HRANDFIELD', 'h', String(1 + (i % 5)), 'WITHVALUES');
      assert.ok(r.t === 'array' && r.v !== null && r.v.length === 2 * (1 + (i % 5)));
      const got = new Set<string>();
      for (let j = 0; j < r.v.length; j += 2) {
        const f: string = str(r.v[j])!;
        assert.equal(str(r.v[j + 1]), f.slice(1), 'value of the field');
        assert.ok(!got.has(f), `duplicate ${f}`);
        got.add(f);
        seen.set(f, (seen.get(f) ?? 0) + 1);
      }
    }
    // 900 picks over 10 fields: 90 expected each.
    assert.equal(seen.size, 10);
    for (const [f, n] of seen) assert.ok(n > 40 && n < 150, `${f} picked ${n} times`);
  });

  test('HSCAN on listpack hashes: everything at once, MATCH, COUNT, errors', async () => {
    await pair.check([
      ['HSET', 'h', 'a', '1', 'b', '2', 'ab', '3', 'abc', '4', 'x', '5', '', '6'],
      ['HSCAN', 'h', '0'],
      ['HSCAN', 'h', '0', 'COUNT', '1'],
      ['HSCAN', 'h', '12345', 'COUNT', '2'],
      ['HSCAN', 'h', '0', 'MATCH', 'a*'],
      ['HSCAN', 'h', '0', 'match', '*b*', 'count', '100'],
      ['HSCAN', 'h', '0', 'MATCH', '*'],
      ['HSCAN', 'h', '0', 'MATCH', 'zz*'],
      ['HSCAN', 'h', '0', 'MATCH', 'a*', 'MATCH', 'x'],
      ['HSCAN', 'h', '0', 'COUNT', '0'],
      ['HSCAN', 'h', '0', 'COUNT', '-1'],
      ['HSCAN', 'h', '0', 'COUNT', 'x'],
      ['HSCAN', 'h', '0', 'COUNT'],
      ['HSCAN', 'h', '0', 'MATCH'],
      ['HSCAN', 'h', '0', 'TYPE', 'string'],
      ['HSCAN', 'h', '0', 'NOVALUES'],
      ['HSCAN', 'h', '0', 'foo', 'bar'],
      ['HSCAN', 'h', ''],
      ['HSCAN', 'h', '+1'],
      ['HSCAN', 'h', '-1'],
      ['HSCAN', 'h', '007'],
      ['HSCAN', 'h', '18446744073709551615'],
      ['HSCAN', 'h', '18446744073709551616'],
      ['HSCAN', 'h', '0x1'],
      ['HSCAN', 'h', ' 1'],
      ['HSCAN', 'h', '1.5'],
      ['HSCAN', 'h', 'abc', 'COUNT', '0'],
      ['HSCAN', 'nosuch', '0'],
      ['HSCAN', 'nosuch', '0', 'COUNT', '0'],
      ['HSCAN', 'nosuch', 'x'],
      ['SET', 'str', 'v'],
      ['HSCAN', 'str', '0'],
      ['HSCAN', 'str', '0', 'COUNT', '0'],
      ['HSCAN', 'str', 'x'],
      ['HSCAN', 'h'],
    ]);
  });

  test('HSCAN on hashtable hashes: a full iteration returns every pair, MATCH filters', async () => {
    const args: string[] = [];
    for (let i = 0; i < 1000; i++) args.push(`k${i}`, `v${i}`);
    await pair.check([['HSET', 'big', ...args], ['OBJECT', 'ENCODING', 'big']]);
    for (const extra of [[], ['COUNT', '1'], ['COUNT', '7'], ['COUNT', '100'], ['COUNT', '5000'], ['MATCH', 'k1*'], ['MATCH', 'k1*', 'COUNT', '3'], ['MATCH', 'nomatch']]) {
      const [a, b] = await Promise.all([fullHscan(pair.ours, 'big', extra), fullHscan(pair.theirs, 'big', extra)]);
      assert.deepEqual(sortedEntries(a), sortedEntries(b), `HSCAN big ${extra.join(' ')}`);
    }
    const all = await fullHscan(pair.ours, 'big');
    assert.equal(all.size, 1000);
  });

  test('encodings: listpack limits, conversions never going back, config changes', async () => {
    const long64 = 'x'.repeat(64);
    const long65 = 'x'.repeat(65);
    const pairs = (n: number, p = 'f'): string[] => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(`${p}${i}`, String(i));
      return out;
    };
    const dup129: string[] = [];
    for (let i = 0; i < 129; i++) dup129.push('same', String(i));
    await pair.check([
      ['HSET', 'h', 'a', '1'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'h', 'v64', long64],
      ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'h', 'v65', long65],
      ['OBJECT', 'ENCODING', 'h'],
      ['HDEL', 'h', 'v65', 'v64'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'f', long65, '1'],
      ['OBJECT', 'ENCODING', 'f'],
      ['HSET', 'n', ...pairs(128)],
      ['OBJECT', 'ENCODING', 'n'],
      ['HSET', 'n', 'one-more', '1'],
      ['OBJECT', 'ENCODING', 'n'],
      ['HDEL', 'n', 'one-more', 'f0', 'f1'],
      ['OBJECT', 'ENCODING', 'n'],
      ['HSET', 'd', ...dup129],
      ['HLEN', 'd'],
      { cmd: ['OBJECT', 'ENCODING', 'd'], knownDifferences: [HASH_PRESIZE] },
      ['HSET', 'd2', ...dup129.slice(0, 256)],
      ['OBJECT', 'ENCODING', 'd2'],
      ['HSETNX', 's', 'a', long65],
      ['OBJECT', 'ENCODING', 's'],
      ['HSETNX', 's2', long65, 'a'],
      ['OBJECT', 'ENCODING', 's2'],
      ['HINCRBY', 'i', 'x'.repeat(70), '1'],
      ['OBJECT', 'ENCODING', 'i'],
      ['HINCRBYFLOAT', 'fl', 'a', '1e300'],
      ['OBJECT', 'ENCODING', 'fl'],
      ['HINCRBYFLOAT', 'fl2', 'a', '1e50'],
      ['OBJECT', 'ENCODING', 'fl2'],
      ['HSET', 'e', ...pairs(127)],
      ['HINCRBY', 'e', 'new1', '1'],
      ['OBJECT', 'ENCODING', 'e'],
      ['HINCRBY', 'e', 'new2', '1'],
      ['OBJECT', 'ENCODING', 'e'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '2'],
      ['HSET', 'c', 'a', '1', 'b', '2'],
      ['OBJECT', 'ENCODING', 'c'],
      ['HSET', 'c', 'c', '3'],
      ['OBJECT', 'ENCODING', 'c'],
      ['HSET', 'c2', 'a', '1', 'b', '2', 'c', '3'],
      ['OBJECT', 'ENCODING', 'c2'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'],
      ['HSET', 'z', 'a', '1'],
      ['OBJECT', 'ENCODING', 'z'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '3'],
      ['HSET', 'v', 'abc', 'abc'],
      ['OBJECT', 'ENCODING', 'v'],
      ['HSET', 'v', 'abcd', '1'],
      ['OBJECT', 'ENCODING', 'v'],
      ['HINCRBYFLOAT', 'v2', 'a', '0.5'],
      ['OBJECT', 'ENCODING', 'v2'],
      ['HINCRBYFLOAT', 'v2', 'a', '0.25'],
      ['OBJECT', 'ENCODING', 'v2'],
      ['CONFIG', 'SET', 'hash-max-ziplist-value', '64'],
      ['CONFIG', 'GET', 'hash-max-listpack-value'],
    ]);
  });

  test('listpack hashes holding long and binary values (raised limits), COPY, SORT BY/GET ->field', async () => {
    let all = '';
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    const v200 = 'x'.repeat(200);
    const v20k = 'y'.repeat(20000);
    await pair.check([
      ['CONFIG', 'SET', 'hash-max-listpack-value', '100000'],
      ['HSET', 'h', 'f1', v200, 'f2', v20k, all, all, 'e', ''],
      ['OBJECT', 'ENCODING', 'h'],
      ['HGET', 'h', 'f2'],
      ['HGET', 'h', all],
      ['HSTRLEN', 'h', 'f2'],
      ['HSTRLEN', 'h', 'e'],
      ['HEXISTS', 'h', 'f'],
      ['HEXISTS', 'h', 'f1'],
      { cmd: ['HGETALL', 'h'], unordered: true },
      ['HSET', 'h', 'f1', 'short', 'f2', v200],
      ['HMGET', 'h', 'f1', 'f2', 'e', 'nope', all],
      ['HDEL', 'h', 'f1', 'f1'],
      { cmd: ['HKEYS', 'h'], unordered: true },
      { cmd: ['HVALS', 'h'], unordered: true },
      ['HLEN', 'h'],
      ['HINCRBY', 'h', 'e', '5'],
      ['HINCRBYFLOAT', 'h', 'e', '0.5'],
      ['HGET', 'h', 'e'],
      ['OBJECT', 'ENCODING', 'h'],
      // COPY makes an independent hash with the same encoding.
      ['COPY', 'h', 'h2'],
      ['HSET', 'h2', 'f2', 'changed', 'new', '1'],
      ['HGET', 'h', 'f2'],
      ['HGET', 'h2', 'f2'],
      ['HLEN', 'h'],
      ['HLEN', 'h2'],
      ['OBJECT', 'ENCODING', 'h2'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
      // Limits lowered: the existing listpack stays one until a write breaks them.
      ['HSET', 'h', 'small', '1'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'h', 'long', 'z'.repeat(65)],
      ['OBJECT', 'ENCODING', 'h'],
      { cmd: ['HGETALL', 'h'], unordered: true },
      ['COPY', 'h', 'h3'],
      ['OBJECT', 'ENCODING', 'h3'],
      ['HDEL', 'h', 'small'],
      ['HLEN', 'h3'],
      // SORT reads hash fields of both encodings.
      ['RPUSH', 'l', '3', '1', '2'],
      ['HSET', 'w_1', 'weight', '30', 'name', 'one'],
      ['HSET', 'w_2', 'weight', '10', 'name', 'two'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '1'],
      ['HSET', 'w_3', 'weight', '20', 'name', 'three'],
      ['OBJECT', 'ENCODING', 'w_1'],
      ['OBJECT', 'ENCODING', 'w_3'],
      ['SORT', 'l', 'BY', 'w_*->weight', 'GET', 'w_*->name', 'GET', '#'],
      ['SORT', 'l', 'BY', 'w_*->weight', 'DESC', 'GET', 'w_*->nope', 'GET', 'w_*->weight'],
      ['SORT', 'l', 'BY', 'w_*->name', 'ALPHA', 'STORE', 'out'],
      ['LRANGE', 'out', '0', '-1'],
    ]);
  });

  test('HSET/HDEL sequences on one listpack hash keep every field (the packed form against Redis)', async () => {
    const rng = new Rng(seedFromEnv('hashes listpack'));
    const fields = Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? `\x00\xff${i}` : `fld${i}`));
    const batch: CheckItem[] = [];
    for (let i = 0; i < 300; i++) {
      const r = rng.int(4);
      if (r < 2) {
        const cmd = ['HSET', 'lp'];
        const n = 1 + rng.int(5);
        for (let j = 0; j < n; j++) cmd.push(rng.pick(fields), rng.bytes(rng.int(64)));
        batch.push(cmd);
      } else if (r === 2) batch.push(['HDEL', 'lp', rng.pick(fields), rng.pick(fields)]);
      else batch.push(['HMGET', 'lp', rng.pick(fields), rng.pick(fields), rng.pick(fields)]);
      if (i % 25 === 24) batch.push({ cmd: ['HGETALL', 'lp'], unordered: true }, ['HLEN', 'lp'], ['OBJECT', 'ENCODING', 'lp']);
    }
    await pair.check(batch);
  });

  test('keyspace notifications', async () => {
    const [eo, et] = await Promise.all([Events.open(ours), Events.open(theirs)]);
    try {
      const cmds: Cmd[] = [
        ['HSET', 'h', 'a', '1', 'b', '2'],
        ['HSET', 'h', 'a', '1'],
        ['HMSET', 'h', 'c', '3'],
        ['HSETNX', 'h', 'a', 'x'],
        ['HSETNX', 'h', 'd', 'x'],
        ['HINCRBY', 'h', 'n', '1'],
        ['HINCRBY', 'h', 'a', 'x'],
        ['HINCRBYFLOAT', 'h', 'n', '1.5'],
        ['HINCRBYFLOAT', 'h', 'd', '1'],
        ['HDEL', 'h', 'nope'],
        ['HDEL', 'h', 'a', 'b'],
        ['HDEL', 'h', 'c', 'd', 'n'],
        ['HGET', 'h', 'a'],
        ['HSET', 'h2', 'x', '1'],
        ['HDEL', 'h2', 'x'],
      ];
      await pair.check(cmds);
      const [a, b] = await Promise.all([eo.drain(), et.drain()]);
      assert.deepEqual(a, b);
      assert.ok(a.length >= 20, `too few events: ${a.length}`);
    } finally {
      await Promise.all([eo.client.close(), et.client.close()]);
    }
  });

  test('RESP3 shapes: HGETALL map, HMGET nulls, HRANDFIELD pairs', async () => {
    await pair.check([['HELLO', '3']], { ignore: true });
    try {
      await pair.check([
        ['HSET', 'h', 'a', '1', 'b', '2'],
        ['HGETALL', 'h'],
        ['HGETALL', 'nosuch'],
        ['HMGET', 'h', 'a', 'x'],
        ['HGET', 'h', 'x'],
        ['HKEYS', 'h'],
        ['HRANDFIELD', 'nosuch'],
        ['HRANDFIELD', 'h', '2', 'WITHVALUES'],
        ['HRANDFIELD', 'h', '5', 'WITHVALUES'],
        ['HSCAN', 'h', '0'],
        ['HINCRBYFLOAT', 'h', 'a', '1.5'],
      ], { unordered: 'deep' });
    } finally {
      await pair.check([['HELLO', '2']], { ignore: true });
    }
  });

  test('random sequences of hash commands', async () => {
    const seed = seedFromEnv('hashes');
    const rng = new Rng(seed);
    const keys = ['h1', 'h2', 'h3', 'str'];
    const fields = ['a', 'b', 'c', 'd', 'e', '1', '2', '-3', '', 'x'.repeat(70), 'f\x00g'];
    const values = ['1', '-5', '0', 'abc', '1.5', '', '9223372036854775807', '-9223372036854775808', 'v'.repeat(66), '3e2', '10'];
    const incrs = ['1', '-1', '100', '9223372036854775807', '-9223372036854775808', 'x', '0'];
    const fincrs = ['0.1', '-0.25', '1e10', '3', 'abc', '1e-3', '-7.5'];
    await pair.check([['SET', 'str', 'string']]);
    const unorderedCmds = new Set(['HKEYS', 'HVALS', 'HGETALL']);
    for (let round = 0; round < 6; round++) {
      const batch: CheckItem[] = [];
      for (let i = 0; i < 80; i++) {
        const k = rng.pick(keys);
        const f = rng.pick(fields);
        let cmd: Cmd;
        switch (rng.int(15)) {
          case 0:
          case 1: {
            cmd = ['HSET', k];
            const n = 1 + rng.int(3);
            for (let j = 0; j < n; j++) cmd.push(rng.pick(fields), rng.pick(values));
            break;
          }
          case 2:
            cmd = ['HSETNX', k, f, rng.pick(values)];
            break;
          case 3:
            cmd = ['HDEL', k, f, rng.pick(fields)];
            break;
          case 4:
            cmd = ['HGET', k, f];
            break;
          case 5:
            cmd = ['HMGET', k, f, rng.pick(fields), rng.pick(fields)];
            break;
          case 6:
            cmd = ['HLEN', k];
            break;
          case 7:
            cmd = ['HSTRLEN', k, f];
            break;
          case 8:
            cmd = ['HEXISTS', k, f];
            break;
          case 9:
            cmd = ['HINCRBY', k, f, rng.pick(incrs)];
            break;
          case 10:
            cmd = ['HINCRBYFLOAT', k, f, rng.pick(fincrs)];
            break;
          case 11:
            cmd = [rng.pick(['HKEYS', 'HVALS', 'HGETALL']), k];
            break;
          case 12:
            cmd = ['HSCAN', k, '0', 'COUNT', '1000'];
            break;
          case 13:
            cmd = ['OBJECT', 'ENCODING', k];
            break;
          default:
            cmd = ['HMSET', k, f, rng.pick(values)];
        }
        if (cmd[0] === 'HSCAN') batch.push({ cmd, normalize: scanPairsSorted });
        else if (unorderedCmds.has(cmd[0])) batch.push({ cmd, unordered: true });
        else batch.push(cmd);
      }
      await pair.check(batch);
      await pair.check(keys.map((k) => ({ cmd: ['HGETALL', k], unordered: true })));
    }
  });
});

// ---- propagation and cursor guarantees, on a server running in this process -------------

describe('hashes propagation and HSCAN guarantee', () => {
  let server: Server;
  let client: RespClient;
  const seen: Array<{ db: number; argv: string[] }> = [];

  before(async () => {
    const config = new Config();
    config.set('port', ['0']);
    config.set('bind', ['127.0.0.1']);
    config.set('save', ['']);
    const log = new Logger();
    log.level = 'warning';
    server = createServer(config, log);
    await server.listen();
    server.onPropagate((db, argv) => seen.push({ db, argv }));
    client = await RespClient.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
  });
  after(async () => {
    await client?.close();
    server?.close();
  });

  async function propagated(...cmds: string[][]): Promise<string[][]> {
    seen.length = 0;
    for (const c of cmds) await client.call(...c);
    return seen.map((s) => s.argv);
  }

  test('writes propagate as sent, HINCRBYFLOAT as HSET of the result, no-ops not at all', async () => {
    const out = await propagated(
      ['HSET', 'h', 'a', '1'],
      ['HSETNX', 'h', 'a', '2'],
      ['HSETNX', 'h', 'b', '2'],
      ['HINCRBY', 'h', 'a', '5'],
      ['HINCRBYFLOAT', 'h', 'f', '0.1'],
      ['HINCRBYFLOAT', 'h', 'f', '0.2'],
      ['HINCRBYFLOAT', 'h', 'a', 'bad'],
      ['HDEL', 'h', 'nope'],
      ['HDEL', 'h', 'a'],
      ['HGET', 'h', 'b'],
      ['HRANDFIELD', 'h', '-3'],
      ['HMSET', 'h', 'x', 'y'],
    );
    assert.deepEqual(out, [
      ['HSET', 'h', 'a', '1'],
      ['HSETNX', 'h', 'b', '2'],
      ['HINCRBY', 'h', 'a', '5'],
      ['HSET', 'h', 'f', '0.1'],
      ['HSET', 'h', 'f', '0.3'],
      ['HDEL', 'h', 'a'],
      ['HMSET', 'h', 'x', 'y'],
    ]);
  });

  test('HSCAN returns every field present for the whole scan while the hash grows and shrinks', async () => {
    await client.call('FLUSHALL');
    const n = 2000;
    const args: string[] = [];
    for (let i = 0; i < n; i++) args.push(`stay${i}`, 'v');
    await client.call('HSET', 'h', ...args);
    for (let i = 0; i < 500; i++) await client.call('HSET', 'h', `gone${i}`, 'v');
    const returned = new Set<string>();
    let cursor = '0';
    let step = 0;
    let extra = 0;
    do {
      const r = await client.call('HSCAN', 'h', cursor, 'COUNT', String(1 + (step % 37)));
      assert.ok(r.t === 'array' && r.v !== null);
      cursor = str(r.v[0])!;
      const items = r.v[1];
      assert.ok(items.t === 'array' && items.v !== null);
      for (let i = 0; i < items.v.length; i += 2) returned.add(str(items.v[i])!);
      // Meanwhile: delete some of the transient fields, add new ones.
      if (step < 500) await client.call('HDEL', 'h', `gone${step}`);
      await client.call('HSET', 'h', `new${extra++}`, 'v', `new${extra++}`, 'v');
      if (step % 3 === 0) await client.call('HDEL', 'h', `new${extra - 4}`);
      step++;
    } while (cursor !== '0' && step < 100000);
    assert.equal(cursor, '0');
    for (let i = 0; i < n; i++) assert.ok(returned.has(`stay${i}`), `stay${i} was never returned`);
  });
});
