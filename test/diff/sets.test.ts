// Differential tests of the set commands: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS
// SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
// SDIFFSTORE SSCAN — the same commands sent to Cinnabar and to a real redis-server,
// replies compared (member order is unspecified: compared unordered), keyspace
// notifications compared, encodings compared where 7.0 and 7.2 agree. Random replies
// (SPOP, SRANDMEMBER) are reduced to a validated shape before comparison. A second
// part runs a server in this process to check propagation, the 7.2 listpack rules
// and the SSCAN cursor guarantee while the set changes.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { startPair, withEvents } from '../helpers/pair.js';
import { startInProcess, type InProcess } from '../helpers/inprocess.js';
import { formatReply, type RespClient, type Reply } from '../../src/protocol/resp-client.js';

type Cmd = string[];

const str = (r: Reply): string | null => (r.t === 'bulk' || r.t === 'simple' ? r.v : null);
const ok = (v: string): Reply => ({ t: 'simple', v });

/** The members of an array or set reply. */
function members(r: Reply): string[] {
  if (r.t === 'set' || (r.t === 'array' && r.v !== null)) return (r.v as Reply[]).map((x) => str(x) ?? '?');
  throw new Error(`not a list of members: ${formatReply(r)}`);
}

/**
 * Reduces a random reply (SPOP/SRANDMEMBER) to a checked shape given the set it was
 * drawn from: "<type> n=<len> ok", where members must belong to the set and be
 * distinct when `distinct`. Errors and nulls pass unchanged.
 */
function randShape(set: ReadonlySet<string>, distinct: boolean): (r: Reply) => Reply {
  return (r: Reply): Reply => {
    if (r.t === 'err' || r.t === 'null' || (r.t === 'bulk' && r.v === null)) return r;
    if (r.t === 'bulk') return ok(set.has(r.v!) ? 'one ok' : `BAD single ${r.v}`);
    if (!((r.t === 'array' && r.v !== null) || r.t === 'set')) return ok(`BAD type ${r.t}`);
    const seen = new Set<string>();
    for (const m of members(r)) {
      if (!set.has(m)) return ok(`BAD unknown member ${JSON.stringify(m)}`);
      if (distinct && seen.has(m)) return ok(`BAD duplicate ${m}`);
      seen.add(m);
    }
    return ok(`${r.t} n=${seen.size === 0 ? 0 : members(r).length} ok`);
  };
}

/** An SSCAN reply with its members sorted (intset and hashtable orders differ). */
function scanSorted(r: Reply): Reply {
  if (r.t !== 'array' || r.v === null || r.v.length !== 2) return r;
  const items = r.v[1];
  if (items.t !== 'array' || items.v === null) return r;
  const sorted = [...items.v].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { t: 'array', v: [r.v[0], { t: 'array', v: sorted }] };
}

/** Iterates SSCAN to the end on one client; returns the members. */
async function fullSscan(client: RespClient, key: string, extra: string[] = []): Promise<Set<string>> {
  const out = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const r = await client.call('SSCAN', key, cursor, ...extra);
    assert.ok(r.t === 'array' && r.v !== null && r.v.length === 2, `SSCAN reply ${formatReply(r)}`);
    cursor = str(r.v[0])!;
    for (const m of members(r.v[1])) out.add(m);
    assert.ok(++calls < 100000, 'SSCAN does not terminate');
  } while (cursor !== '0');
  return out;
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
const range = (n: number, p = ''): string[] => Array.from({ length: n }, (_, i) => `${p}${i}`);

describe('sets (differential)', { skip: skipIfNoRedis() }, () => {
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
    await pair.check([['CONFIG', 'SET', 'set-max-intset-entries', '512']]);
  });

  test('SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS: basics and errors', async () => {
    const bin = '\x00\xff\r\n\x80z';
    await pair.check(
      [
        ['SADD', 's', 'a', 'b', 'c', 'a'],
        ['SADD', 's', 'a'],
        ['SADD', 's', bin, '', '1', '-1', '01'],
        ['SCARD', 's'],
        ['SISMEMBER', 's', 'a'],
        ['SISMEMBER', 's', bin],
        ['SISMEMBER', 's', ''],
        ['SISMEMBER', 's', 'zz'],
        ['SISMEMBER', 's', '1'],
        ['SISMEMBER', 's', '001'],
        ['SISMEMBER', 'nosuch', 'a'],
        ['SMISMEMBER', 's', 'a', 'zz', bin, 'a'],
        ['SMISMEMBER', 'nosuch', 'a', 'b'],
        { cmd: ['SMEMBERS', 's'], unordered: true },
        ['SMEMBERS', 'nosuch'],
        ['SREM', 's', 'a', 'a', 'zz'],
        ['SREM', 's', 'zz'],
        ['SREM', 'nosuch', 'a'],
        ['SCARD', 's'],
        ['SCARD', 'nosuch'],
        ['SREM', 's', 'b', 'c', bin, '', '1', '-1', '01', 'more'],
        ['EXISTS', 's'],
        ['SADD', 'i', '3', '1', '2', '-5', '9223372036854775807', '-9223372036854775808'],
        { cmd: ['SMEMBERS', 'i'], unordered: true },
        ['SISMEMBER', 'i', '3'],
        ['SISMEMBER', 'i', '03'],
        ['SISMEMBER', 'i', 'x'],
        ['SREM', 'i', 'x', '3', '03'],
        ['SCARD', 'i'],
        ['SET', 'str', 'v'],
        ['SADD', 'str', 'a'],
        ['SREM', 'str', 'a'],
        ['SCARD', 'str'],
        ['SISMEMBER', 'str', 'a'],
        ['SMISMEMBER', 'str', 'a'],
        ['SMEMBERS', 'str'],
        ['SADD', 's'],
        ['SREM', 's'],
        ['SCARD'],
        ['SCARD', 's', 'x'],
        ['SISMEMBER', 's'],
        ['SISMEMBER', 's', 'a', 'b'],
        ['SMISMEMBER', 's'],
        ['SMEMBERS', 's', 'x'],
        ['sadd', 'S', 'x'],
        ['SmEmBeRs', 'S'],
      ],
    );
  });

  test('SMOVE: every case', async () => {
    await pair.check([
      ['SADD', 'src', 'a', 'b', '1'],
      ['SADD', 'dst', 'x'],
      ['SMOVE', 'src', 'dst', 'a'],
      ['SMOVE', 'src', 'dst', 'a'],
      ['SMOVE', 'src', 'dst', 'zz'],
      ['SMOVE', 'nosuch', 'dst', 'a'],
      ['SMOVE', 'src', 'fresh', '1'],
      ['OBJECT', 'ENCODING', 'fresh'],
      ['SMOVE', 'src', 'fresh2', 'b'],
      ['EXISTS', 'src'],
      { cmd: ['SMEMBERS', 'dst'], unordered: true },
      ['SADD', 'src', 'x', 'y'],
      ['SMOVE', 'src', 'dst', 'x'],
      ['SCARD', 'dst'],
      ['SCARD', 'src'],
      ['SMOVE', 'src', 'src', 'y'],
      ['SMOVE', 'src', 'src', 'nope'],
      ['SCARD', 'src'],
      ['SET', 'str', 'v'],
      ['SMOVE', 'str', 'dst', 'a'],
      ['SMOVE', 'src', 'str', 'y'],
      ['SMOVE', 'src', 'str', 'nope'],
      ['SMOVE', 'nosuch', 'str', 'a'],
      ['SMOVE', 'str', 'str', 'a'],
      ['SCARD', 'src'],
      ['SMOVE', 'src', 'dst'],
      ['SMOVE', 'src', 'dst', 'y', 'z'],
    ]);
  });

  test('SPOP: without count, with counts in every strategy, errors', async () => {
    // single pops
    const small = new Set(['a', 'b', 'c']);
    await pair.check([
      ['SADD', 's', ...small],
      { cmd: ['SPOP', 's'], normalize: randShape(small, true) },
      ['SCARD', 's'],
      ['SPOP', 'nosuch'],
      ['SPOP', 'nosuch', '3'],
      ['SPOP', 'nosuch', '0'],
      ['SPOP', 's', '0'],
      ['SPOP', 's', '-1'],
      ['SPOP', 's', 'x'],
      ['SPOP', 's', '1.5'],
      ['SPOP', 's', '1', '2'],
      ['SPOP', 'nosuch', '-1'],
      ['SET', 'str', 'v'],
      ['SPOP', 'str'],
      ['SPOP', 'str', '2'],
      ['SPOP', 'str', '0'],
      ['SPOP', 'str', 'x'],
      ['SPOP'],
    ]);
    // with counts: (size, count) covering everything popped, few popped, most popped,
    // for intsets, listpacks and hashtables.
    const cases: Array<[string[], number]> = [
      [range(10), 3],
      [range(10), 9],
      [range(10), 10],
      [range(10), 100],
      [range(10, 'm'), 2],
      [range(10, 'm'), 9],
      [range(300), 10],
      [range(300), 290],
      [range(1000, 'x'), 5],
      [range(1000, 'x'), 700],
      [range(1000, 'x'), 990],
      [range(1000, 'x'), 1000],
      [range(3000, 'y'), 2999],
    ];
    for (const [elems, count] of cases) {
      await pair.reset();
      const set = new Set(elems);
      const res = await pair.check([
        ['SADD', 's', ...elems],
        { cmd: ['SPOP', 's', String(count)], normalize: randShape(set, true) },
        ['SCARD', 's'],
        ['EXISTS', 's'],
      ]);
      // popped and remaining must partition the set, on each server
      for (const side of ['ours', 'theirs'] as const) {
        const popped = members(res[1][side]);
        const rest = members(await pair[side].call('SMEMBERS', 's'));
        assert.equal(popped.length, Math.min(count, elems.length), `${side}: popped count`);
        assert.deepEqual(sorted([...popped, ...rest]), sorted(elems), `${side}: popped + remaining = original`);
      }
    }
  });

  test('SRANDMEMBER: counts, repetitions, errors (RESP2 and RESP3)', async () => {
    const sets: Array<[string, string[]]> = [
      ['ints', range(10)],
      ['strs', range(10, 's')],
      ['big', range(500, 'b')],
      ['one', ['only']],
    ];
    await pair.check(sets.map(([k, els]) => ['SADD', k, ...els]));
    for (const proto of ['2', '3']) {
      await pair.check([['HELLO', proto]], { ignore: true });
      const items: CheckItem[] = [];
      for (const [k, els] of sets) {
        const set = new Set(els);
        items.push({ cmd: ['SRANDMEMBER', k], normalize: randShape(set, true) });
        for (const n of [1, 2, 5, 9, 10, 11, 100, 166, 167, 499, 500, 501, -1, -3, -10, -50, -1000]) {
          items.push({ cmd: ['SRANDMEMBER', k, String(n)], normalize: randShape(set, n > 0) });
        }
        items.push(['SRANDMEMBER', k, '0']);
      }
      items.push(
        ['SRANDMEMBER', 'nosuch'],
        ['SRANDMEMBER', 'nosuch', '5'],
        ['SRANDMEMBER', 'nosuch', '-5'],
        ['SRANDMEMBER', 'nosuch', '0'],
        ['SRANDMEMBER', 'ints', 'x'],
        ['SRANDMEMBER', 'ints', '-9223372036854775808'],
        ['SRANDMEMBER', 'ints', '9223372036854775808'],
        ['SRANDMEMBER', 'ints', '1', '2'],
        ['SRANDMEMBER', 'ints', 'x', 'y'],
        ['SRANDMEMBER'],
        ['SET', 'str', 'v'],
        ['SRANDMEMBER', 'str'],
        ['SRANDMEMBER', 'str', '3'],
        ['SRANDMEMBER', 'str', 'x'],
      );
      await pair.check(items);
    }
    await pair.check([['HELLO', '2']], { ignore: true });
  });

  test('SRANDMEMBER and SPOP draw every member eventually', async () => {
    await pair.ours.call('SADD', 's', ...range(200, 'e'));
    const seen = new Set<string>();
    for (let i = 0; i < 80; i++) for (const m of members(await pair.ours.call('SRANDMEMBER', 's', '10'))) seen.add(m);
    assert.ok(seen.size > 180, `only ${seen.size} distinct members seen`);
    const seen2 = new Set<string>();
    for (let i = 0; i < 2000; i++) seen2.add(str(await pair.ours.call('SRANDMEMBER', 's'))!);
    assert.ok(seen2.size > 180, `only ${seen2.size} distinct single members seen`);
  });

  test('SINTER SINTERCARD SINTERSTORE', async () => {
    await pair.check([
      ['SADD', 'a', '1', '2', '3', '4', 'x', 'y'],
      ['SADD', 'b', '2', '3', '4', 'y', 'z'],
      ['SADD', 'c', '3', '4', 'y', 'q'],
      ['SADD', 'i1', '1', '2', '3', '10'],
      ['SADD', 'i2', '2', '3', '10', '11'],
      ['SET', 'str', 'v'],
    ]);
    const u = { unordered: true } as const;
    await pair.check([
      { cmd: ['SINTER', 'a'], ...u },
      { cmd: ['SINTER', 'a', 'b'], ...u },
      { cmd: ['SINTER', 'a', 'b', 'c'], ...u },
      { cmd: ['SINTER', 'a', 'a'], ...u },
      { cmd: ['SINTER', 'c', 'a', 'c'], ...u },
      { cmd: ['SINTER', 'i1', 'i2'], ...u },
      ['SINTER', 'a', 'nosuch'],
      ['SINTER', 'nosuch', 'a'],
      ['SINTER', 'nosuch'],
      ['SINTER', 'a', 'str'],
      ['SINTER', 'nosuch', 'str'],
      ['SINTER', 'str', 'nosuch'],
      ['SINTER'],
      ['SINTERCARD', '1', 'a'],
      ['SINTERCARD', '2', 'a', 'b'],
      ['SINTERCARD', '3', 'a', 'b', 'c'],
      ['SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '0'],
      ['SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '1'],
      ['SINTERCARD', '3', 'a', 'b', 'c', 'limit', '2'],
      ['SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '100'],
      ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '1', 'LIMIT', '3'],
      ['SINTERCARD', '2', 'a', 'nosuch'],
      ['SINTERCARD', '2', 'a', 'str'],
      ['SINTERCARD', '1', 'a', 'b'],
      ['SINTERCARD', '0', 'a'],
      ['SINTERCARD', '-1', 'a'],
      ['SINTERCARD', 'x', 'a'],
      ['SINTERCARD', '3', 'a', 'b'],
      ['SINTERCARD', '9223372036854775808', 'a'],
      ['SINTERCARD', '1', 'a', 'LIMIT'],
      ['SINTERCARD', '1', 'a', 'LIMIT', '-1'],
      ['SINTERCARD', '1', 'a', 'LIMIT', 'x'],
      ['SINTERCARD', '1', 'a', 'FOO', '1'],
      ['SINTERCARD', '1'],
      ['SINTERSTORE', 'd', 'a', 'b'],
      { cmd: ['SMEMBERS', 'd'], ...u },
      ['OBJECT', 'ENCODING', 'd'],
      ['SINTERSTORE', 'd', 'i1', 'i2'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SINTERSTORE', 'd', 'a', 'b', 'c'],
      { cmd: ['SMEMBERS', 'd'], ...u },
      ['SINTERSTORE', 'd', 'a', 'nosuch'],
      ['EXISTS', 'd'],
      ['SINTERSTORE', 'd', 'a', 'nosuch'],
      ['SET', 'd', 'string', 'EX', '1000'],
      ['SINTERSTORE', 'd', 'a', 'b'],
      ['TYPE', 'd'],
      ['TTL', 'd'],
      ['SADD', 'e', 'nothing-in-common'],
      ['SINTERSTORE', 'd', 'a', 'e'],
      ['EXISTS', 'd'],
      ['SINTERSTORE', 'd', 'a', 'str'],
      ['SINTERSTORE', 'a', 'a', 'b'],
      { cmd: ['SMEMBERS', 'a'], ...u },
      ['SINTERSTORE', 'str', 'b', 'c'],
      ['TYPE', 'str'],
      ['SINTERSTORE', 'd'],
    ]);
  });

  test('SUNION SDIFF SUNIONSTORE SDIFFSTORE', async () => {
    await pair.check([
      ['SADD', 'a', '1', '2', '3', '4', 'x', 'y'],
      ['SADD', 'b', '2', '3', '4', 'y', 'z'],
      ['SADD', 'c', '3', '4', 'y', 'q'],
      ['SADD', 'i1', '1', '2', '3', '10'],
      ['SADD', 'i2', '2', '3', '10', '11'],
      ['SADD', 'big', ...range(200, 'b'), 'x', '1'],
      ['SET', 'str', 'v'],
    ]);
    const u = { unordered: true } as const;
    await pair.check([
      { cmd: ['SUNION', 'a'], ...u },
      { cmd: ['SUNION', 'a', 'b', 'c'], ...u },
      { cmd: ['SUNION', 'a', 'nosuch', 'i1'], ...u },
      { cmd: ['SUNION', 'nosuch', 'i1'], ...u },
      ['SUNION', 'nosuch'],
      ['SUNION', 'a', 'str'],
      ['SUNION', 'nosuch', 'str'],
      ['SUNION'],
      { cmd: ['SDIFF', 'a'], ...u },
      { cmd: ['SDIFF', 'a', 'b'], ...u },
      { cmd: ['SDIFF', 'a', 'b', 'c'], ...u },
      { cmd: ['SDIFF', 'a', 'nosuch', 'c'], ...u },
      { cmd: ['SDIFF', 'big', 'a'], ...u },
      { cmd: ['SDIFF', 'a', 'big'], ...u },
      { cmd: ['SDIFF', 'a', 'big', 'b'], ...u },
      ['SDIFF', 'a', 'a'],
      ['SDIFF', 'a', 'b', 'a'],
      ['SDIFF', 'nosuch', 'a'],
      ['SDIFF', 'nosuch'],
      ['SDIFF', 'a', 'str'],
      ['SDIFF', 'nosuch', 'str'],
      ['SDIFF'],
      ['SUNIONSTORE', 'd', 'a', 'b'],
      { cmd: ['SMEMBERS', 'd'], ...u },
      ['OBJECT', 'ENCODING', 'd'],
      ['SUNIONSTORE', 'd', 'i1', 'i2'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SUNIONSTORE', 'd', 'big', 'a'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SUNIONSTORE', 'd', 'nosuch'],
      ['EXISTS', 'd'],
      ['SUNIONSTORE', 'd', 'nosuch'],
      ['SDIFFSTORE', 'd', 'a', 'b'],
      { cmd: ['SMEMBERS', 'd'], ...u },
      ['SDIFFSTORE', 'd', 'i1', 'i2'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SDIFFSTORE', 'd', 'big', 'a'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SDIFFSTORE', 'd', 'i2', 'big', 'a', 'b', 'c', 'i1'],
      { cmd: ['SMEMBERS', 'd'], ...u },
      ['SDIFFSTORE', 'd', 'a', 'a'],
      ['EXISTS', 'd'],
      ['SET', 'd', 'string', 'EX', '1000'],
      ['SUNIONSTORE', 'd', 'a'],
      ['TYPE', 'd'],
      ['TTL', 'd'],
      ['SET', 'd', 'string'],
      ['SDIFFSTORE', 'd', 'a', 'b'],
      ['TYPE', 'd'],
      ['SDIFFSTORE', 'd', 'a', 'str'],
      ['SUNIONSTORE', 'd', 'str', 'a'],
      ['SUNIONSTORE', 'a', 'a', 'b'],
      { cmd: ['SMEMBERS', 'a'], ...u },
      ['SDIFFSTORE', 'b', 'b', 'c'],
      { cmd: ['SMEMBERS', 'b'], ...u },
      ['SUNIONSTORE', 'd'],
      ['SDIFFSTORE', 'd'],
    ]);
  });

  test('SSCAN: intsets and small sets at once, MATCH, COUNT, errors; big sets by full iteration', async () => {
    await pair.check([
      ['SADD', 'i', '5', '1', '10', '-3', '100'],
      { cmd: ['SSCAN', 'i', '0'], normalize: scanSorted },
      { cmd: ['SSCAN', 'i', '0', 'COUNT', '1'], normalize: scanSorted },
      { cmd: ['SSCAN', 'i', '999', 'COUNT', '1'], normalize: scanSorted },
      { cmd: ['SSCAN', 'i', '0', 'MATCH', '1*'], normalize: scanSorted },
      { cmd: ['SSCAN', 'i', '0', 'MATCH', '*'], normalize: scanSorted },
      { cmd: ['SSCAN', 'i', '0', 'MATCH', '-*', 'COUNT', '1000'], normalize: scanSorted },
      ['SSCAN', 'i', '0', 'COUNT', '0'],
      ['SSCAN', 'i', '0', 'COUNT', 'x'],
      ['SSCAN', 'i', '0', 'COUNT'],
      ['SSCAN', 'i', '0', 'MATCH'],
      ['SSCAN', 'i', '0', 'TYPE', 'set'],
      ['SSCAN', 'i', '0', 'foo'],
      ['SSCAN', 'i', 'x'],
      ['SSCAN', 'i', '-1', 'MATCH', 'zzz'],
      ['SSCAN', 'i', '18446744073709551616'],
      ['SSCAN', 'nosuch', '0'],
      ['SSCAN', 'nosuch', 'x'],
      ['SSCAN', 'nosuch', '0', 'COUNT', '0'],
      ['SET', 'str', 'v'],
      ['SSCAN', 'str', '0'],
      ['SSCAN', 'str', 'x'],
      ['SSCAN', 'i'],
    ]);
    await pair.check([['SADD', 'strs', ...range(50, 'm')], ['SADD', 'big', ...range(2000, 'big')], ['SADD', 'bigi', ...range(2000)]]);
    for (const key of ['strs', 'big', 'bigi']) {
      for (const extra of [[], ['COUNT', '1'], ['COUNT', '13'], ['COUNT', '10000'], ['MATCH', '*1*'], ['MATCH', '*7', 'COUNT', '3'], ['MATCH', 'none']]) {
        const [a, b] = await Promise.all([fullSscan(pair.ours, key, extra), fullSscan(pair.theirs, key, extra)]);
        assert.deepEqual(sorted(a), sorted(b), `SSCAN ${key} ${extra.join(' ')}`);
      }
    }
  });

  test('encodings: intset, listpack (7.2), hashtable; conversions', async () => {
    const u = { unordered: true } as const;
    await pair.check([
      ['SADD', 'i', '1', '2', '3'],
      ['OBJECT', 'ENCODING', 'i'],
      ['SADD', 'i', '-9223372036854775808', '9223372036854775807'],
      ['OBJECT', 'ENCODING', 'i'],
      ['SADD', 'i', '9223372036854775808'],
      ['OBJECT', 'ENCODING', 'i'],
      ['SADD', 'j', '01'],
      ['OBJECT', 'ENCODING', 'j'],
      ['SADD', 'k', '-0'],
      ['OBJECT', 'ENCODING', 'k'],
      ['SADD', 'l', ...range(512)],
      ['OBJECT', 'ENCODING', 'l'],
      ['SADD', 'l', '512'],
      ['OBJECT', 'ENCODING', 'l'],
      ['SREM', 'l', ...range(500)],
      ['OBJECT', 'ENCODING', 'l'],
      ['SADD', 'm', ...range(513)],
      ['OBJECT', 'ENCODING', 'm'],
      ['SADD', 'h', ...range(200, 'h')],
      ['OBJECT', 'ENCODING', 'h'],
      ['SADD', 'v', 'x'.repeat(65)],
      ['OBJECT', 'ENCODING', 'v'],
      // SINTERSTORE ends as an intset when all members are integers
      ['SADD', 'hi', ...range(300), 'x'],
      ['OBJECT', 'ENCODING', 'hi'],
      ['SADD', 'hi2', ...range(400)],
      ['SINTERSTORE', 'd', 'hi', 'hi2'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SUNIONSTORE', 'd2', 'l', 'm'],
      ['OBJECT', 'ENCODING', 'd2'],
      ['SDIFFSTORE', 'd3', 'hi', 'h'],
      ['OBJECT', 'ENCODING', 'd3'],
      ['SMOVE', 'hi', 'moved', '5'],
      ['OBJECT', 'ENCODING', 'moved'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '4'],
      ['SADD', 'c', '1', '2', '3', '4'],
      ['OBJECT', 'ENCODING', 'c'],
      ['SADD', 'c', '5'],
      ['OBJECT', 'ENCODING', 'c'],
      ['SADD', 'c2', '1', '2', '3', '4', '5'],
      ['OBJECT', 'ENCODING', 'c2'],
      { cmd: ['SMEMBERS', 'c2'], ...u },
    ]);
  });

  test('keyspace notifications', async () => {
    await withEvents(ours, theirs, async (events) => {
      await pair.check([
        ['SADD', 's', 'a', 'b', 'c', 'd'],
        ['SADD', 's', 'a'],
        ['SREM', 's', 'zz'],
        ['SREM', 's', 'a'],
        ['SMOVE', 's', 't', 'b'],
        ['SMOVE', 's', 't', 'zz'],
        ['SADD', 't', 'c'],
        ['SMOVE', 's', 't', 'c'],
        { cmd: ['SPOP', 's'], ignore: true },
        ['SADD', 'p', ...range(20)],
        { cmd: ['SPOP', 'p', '5'], ignore: true },
        { cmd: ['SPOP', 'p', '100'], ignore: true },
        ['SPOP', 'p', '0'],
        ['SINTERSTORE', 'd', 't', 't'],
        ['SINTERSTORE', 'd', 't', 'nosuch'],
        ['SINTERSTORE', 'd', 't', 'nosuch'],
        ['SUNIONSTORE', 'd', 't'],
        ['SDIFFSTORE', 'd', 't', 't'],
        ['SUNIONSTORE', 'd', 't'],
        ['SDIFFSTORE', 'd', 't'],
        ['SREM', 't', 'b', 'c'],
      ]);
      const got = await events.same();
      assert.ok(got.length >= 25, `too few events: ${got.length}`);
    });
  });

  test('RESP3 shapes: sets, arrays, booleans-as-integers', async () => {
    await pair.check([['HELLO', '3']], { ignore: true });
    try {
      const set = new Set(['a', 'b', 'c']);
      await pair.check(
        [
          ['SADD', 's', 'a', 'b', 'c'],
          ['SADD', 's2', 'b', 'c', 'd'],
          ['SMEMBERS', 's'],
          ['SMEMBERS', 'nosuch'],
          ['SINTER', 's', 's2'],
          ['SINTER', 's', 'nosuch'],
          ['SUNION', 's', 's2'],
          ['SDIFF', 's', 's2'],
          ['SDIFF', 'nosuch', 's2'],
          ['SISMEMBER', 's', 'a'],
          ['SMISMEMBER', 's', 'a', 'x'],
          ['SRANDMEMBER', 'nosuch'],
          ['SRANDMEMBER', 'nosuch', '3'],
          { cmd: ['SRANDMEMBER', 's', '2'], normalize: randShape(set, true) },
          { cmd: ['SRANDMEMBER', 's', '5'], normalize: randShape(set, true) },
          ['SPOP', 'nosuch'],
          ['SPOP', 'nosuch', '2'],
          ['SPOP', 's', '0'],
          { cmd: ['SPOP', 's', '1'], normalize: randShape(set, true) },
          { cmd: ['SPOP', 's', '5'], normalize: randShape(set, true) },
          ['SSCAN', 'nosuch', '0'],
        ],
        { unordered: 'deep' },
      );
    } finally {
      await pair.check([['HELLO', '2']], { ignore: true });
    }
  });

  test('random sequences of set commands', async () => {
    const seed = seedFromEnv('sets');
    const rng = new Rng(seed);
    const keys = ['s1', 's2', 's3', 'str'];
    const elems = ['a', 'b', 'c', '1', '2', '3', '-4', '10', '', 'x'.repeat(70), 'e\x00f', '007'];
    await pair.check([['SET', 'str', 'string']]);
    const u = { unordered: true } as const;
    for (let round = 0; round < 6; round++) {
      const batch: CheckItem[] = [];
      for (let i = 0; i < 80; i++) {
        const k = rng.pick(keys);
        const k2 = rng.pick(keys);
        const k3 = rng.pick(keys);
        const e = rng.pick(elems);
        switch (rng.int(17)) {
          case 0:
          case 1:
            batch.push(['SADD', k, e, rng.pick(elems), rng.pick(elems)]);
            break;
          case 2:
            batch.push(['SREM', k, e, rng.pick(elems)]);
            break;
          case 3:
            batch.push(['SCARD', k]);
            break;
          case 4:
            batch.push(['SISMEMBER', k, e]);
            break;
          case 5:
            batch.push(['SMISMEMBER', k, e, rng.pick(elems)]);
            break;
          case 6:
            batch.push({ cmd: ['SMEMBERS', k], ...u });
            break;
          case 7:
            batch.push(['SMOVE', k, k2, e]);
            break;
          case 8:
            batch.push({ cmd: ['SINTER', k, k2, k3], ...u });
            break;
          case 9:
            batch.push({ cmd: ['SUNION', k, k2], ...u });
            break;
          case 10:
            batch.push({ cmd: ['SDIFF', k, k2, k3], ...u });
            break;
          case 11:
            batch.push(['SINTERCARD', '2', k, k2, 'LIMIT', String(rng.int(4))]);
            break;
          case 12:
            batch.push([rng.pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), k, k2, k3]);
            break;
          case 13:
            batch.push({ cmd: ['SSCAN', k, '0', 'COUNT', '1000'], normalize: scanSorted });
            break;
          case 14:
            batch.push(['OBJECT', 'ENCODING', k]);
            break;
          case 15:
            // a pop that removes everything is deterministic
            batch.push({ cmd: ['SPOP', k, '1000'], ...u });
            break;
          default:
            batch.push(['EXISTS', k]);
        }
      }
      await pair.check(batch);
      await pair.check(keys.map((k) => ({ cmd: ['SMEMBERS', k], unordered: true })));
    }
  });
});

// ---- propagation, 7.2 listpack rules and cursor guarantees, in this process ---------------

describe('sets propagation, listpack encoding and SSCAN guarantee', () => {
  let ip: InProcess;
  let client: RespClient;
  let propagated: InProcess['propagated'];

  before(async () => {
    ip = await startInProcess();
    ({ client, propagated } = ip);
  });
  after(() => ip?.close());
  beforeEach(async () => {
    await client.call('FLUSHALL');
    for (const [k, v] of [['set-max-intset-entries', '512'], ['set-max-listpack-entries', '128'], ['set-max-listpack-value', '64'], ['lazyfree-lazy-server-del', 'no']]) {
      await client.call('CONFIG', 'SET', k, v);
    }
  });

  async function enc(key: string): Promise<string | null> {
    return str(await client.call('OBJECT', 'ENCODING', key));
  }

  test('SPOP propagates SREM of what it popped, DEL (or UNLINK) when it took everything', async () => {
    await client.call('SADD', 's', 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    let out = await propagated(['SPOP', 's']);
    assert.equal(out.length, 1);
    assert.equal(out[0][0], 'SREM');
    assert.equal(out[0].length, 3);
    out = await propagated(['SPOP', 's', '2']);
    assert.equal(out.length, 1);
    assert.deepEqual(out[0].slice(0, 2), ['SREM', 's']);
    assert.equal(out[0].length, 4);
    out = await propagated(['SPOP', 's', '0'], ['SPOP', 'nosuch'], ['SPOP', 'nosuch', '3']);
    assert.deepEqual(out, []);
    out = await propagated(['SPOP', 's', '100']);
    assert.deepEqual(out, [['DEL', 's']]);
    await client.call('CONFIG', 'SET', 'lazyfree-lazy-server-del', 'yes');
    await client.call('SADD', 's', 'a', 'b');
    out = await propagated(['SPOP', 's', '2']);
    assert.deepEqual(out, [['UNLINK', 's']]);
    // batches of 1024 members, wrapped in MULTI/EXEC
    await client.call('SADD', 'big', ...range(5000));
    out = await propagated(['SPOP', 'big', '3000']);
    assert.deepEqual(out[0], ['MULTI']);
    assert.deepEqual(out[out.length - 1], ['EXEC']);
    const srems = out.slice(1, -1);
    assert.deepEqual(srems.map((a) => a.length - 2), [1024, 1024, 952]);
    const popped = new Set(srems.flatMap((a) => a.slice(2)));
    assert.equal(popped.size, 3000);
    const rest = members(await client.call('SMEMBERS', 'big'));
    assert.equal(rest.length, 2000);
    for (const m of rest) assert.ok(!popped.has(m));
    // the few-left strategy
    out = await propagated(['SPOP', 'big', '1999']);
    assert.equal(out.flatMap((a) => a.slice(2)).length, 1999);
    assert.equal(members(await client.call('SMEMBERS', 'big')).length, 1);
  });

  test('other writes propagate as sent; no-ops do not propagate', async () => {
    await client.call('SADD', 'a', 'x', 'y');
    const out = await propagated(
      ['SADD', 'a', 'x'],
      ['SADD', 'a', 'z'],
      ['SREM', 'a', 'nope'],
      ['SREM', 'a', 'z'],
      ['SMOVE', 'a', 'b', 'nope'],
      ['SMOVE', 'a', 'b', 'x'],
      // empty intersection, no destination: nothing to do
      ['SINTERSTORE', 'd', 'a', 'b'],
      ['SUNIONSTORE', 'd', 'a', 'b'],
      ['SDIFFSTORE', 'd', 'a', 'b'],
      // empty intersection deletes the destination
      ['SINTERSTORE', 'd', 'a', 'b'],
      ['SINTERSTORE', 'd', 'a', 'b'],
      ['SRANDMEMBER', 'a', '-5'],
      ['SINTERCARD', '1', 'a'],
    );
    assert.deepEqual(out, [
      ['SADD', 'a', 'z'],
      ['SREM', 'a', 'z'],
      ['SMOVE', 'a', 'b', 'x'],
      ['SUNIONSTORE', 'd', 'a', 'b'],
      ['SDIFFSTORE', 'd', 'a', 'b'],
      ['SINTERSTORE', 'd', 'a', 'b'],
    ]);
  });

  test('7.2 encodings: listpack sets and their limits', async () => {
    await client.call('SADD', 'a', 'x');
    assert.equal(await enc('a'), 'listpack');
    await client.call('SADD', 'i', '1', '2');
    assert.equal(await enc('i'), 'intset');
    await client.call('SADD', 'i', 'x');
    assert.equal(await enc('i'), 'listpack');
    await client.call('SREM', 'i', 'x');
    assert.equal(await enc('i'), 'listpack', 'never back to intset');
    await client.call('SADD', 'lp', ...range(128, 'm'));
    assert.equal(await enc('lp'), 'listpack');
    await client.call('SADD', 'lp', 'one-more');
    assert.equal(await enc('lp'), 'hashtable');
    await client.call('SREM', 'lp', ...range(120, 'm'));
    assert.equal(await enc('lp'), 'hashtable', 'never back to listpack');
    await client.call('SADD', 'many', ...range(129, 'm'));
    assert.equal(await enc('many'), 'hashtable');
    await client.call('SADD', 'dups', ...Array(129).fill('same'));
    assert.equal(await enc('dups'), 'hashtable', 'more members given than a listpack holds');
    await client.call('SADD', 'lv', 'x'.repeat(64));
    assert.equal(await enc('lv'), 'listpack');
    await client.call('SADD', 'lv', 'x'.repeat(65));
    assert.equal(await enc('lv'), 'hashtable');
    // an intset of 200 integers cannot become a listpack of 201 members
    await client.call('SADD', 'i200', ...range(200));
    await client.call('SADD', 'i200', 'x');
    assert.equal(await enc('i200'), 'hashtable');
    await client.call('SADD', 'i100', ...range(100));
    await client.call('SADD', 'i100', 'x');
    assert.equal(await enc('i100'), 'listpack');
    // SINTERSTORE of strings from listpacks; SUNIONSTORE/SDIFFSTORE
    await client.call('SADD', 'p', 'a', 'b', 'c');
    await client.call('SADD', 'q', 'b', 'c', 'd');
    await client.call('SINTERSTORE', 'r', 'p', 'q');
    assert.equal(await enc('r'), 'listpack');
    await client.call('SUNIONSTORE', 'r', 'p', 'q', 'i');
    assert.equal(await enc('r'), 'listpack');
    await client.call('SUNIONSTORE', 'r', 'i200', 'p');
    assert.equal(await enc('r'), 'hashtable');
    // SPOP leaving few members of a hashtable set rebuilds it as a listpack
    await client.call('SADD', 'pop', ...range(300, 'p'));
    assert.equal(await enc('pop'), 'hashtable');
    await client.call('SPOP', 'pop', '290');
    assert.equal(await enc('pop'), 'listpack');
    await client.call('SADD', 'pop2', ...range(300, 'p'));
    await client.call('SPOP', 'pop2', '10');
    assert.equal(await enc('pop2'), 'hashtable');
    // limits from the config
    await client.call('CONFIG', 'SET', 'set-max-listpack-entries', '3');
    await client.call('SADD', 'c3', 'a', 'b', 'c');
    assert.equal(await enc('c3'), 'listpack');
    await client.call('SADD', 'c3', 'd');
    assert.equal(await enc('c3'), 'hashtable');
    await client.call('CONFIG', 'SET', 'set-max-listpack-value', '2');
    await client.call('SADD', 'v2', 'ab');
    assert.equal(await enc('v2'), 'listpack');
    await client.call('SADD', 'v3', 'abc');
    assert.equal(await enc('v3'), 'hashtable');
    // a long integer cannot move from intset to a listpack of 2-byte values
    await client.call('SADD', 'iv', '12345');
    await client.call('SADD', 'iv', 'a');
    assert.equal(await enc('iv'), 'hashtable');
    await client.call('CONFIG', 'SET', 'set-max-listpack-value', '64');
    await client.call('CONFIG', 'SET', 'set-max-listpack-entries', '128');
    await client.call('CONFIG', 'SET', 'set-max-intset-entries', '10');
    // created with more integers than an intset holds: a listpack (setTypeCreate's hint)
    await client.call('SADD', 'i11', ...range(11));
    assert.equal(await enc('i11'), 'listpack');
    // an intset that outgrows its limit becomes a hashtable directly
    await client.call('SADD', 'i10', ...range(10));
    await client.call('SADD', 'i10', '10');
    assert.equal(await enc('i10'), 'hashtable');
  });

  test('SSCAN returns every member present for the whole scan while the set grows and shrinks', async () => {
    const n = 3000;
    await client.call('SADD', 's', ...range(n, 'stay'));
    await client.call('SADD', 's', ...range(800, 'gone'));
    const returned = new Set<string>();
    let cursor = '0';
    let step = 0;
    let extra = 0;
    do {
      const r = await client.call('SSCAN', 's', cursor, 'COUNT', String(1 + (step % 41)));
      assert.ok(r.t === 'array' && r.v !== null);
      cursor = str(r.v[0])!;
      for (const m of members(r.v[1])) returned.add(m);
      if (step < 800) await client.call('SREM', 's', `gone${step}`);
      await client.call('SADD', 's', `new${extra++}`, `new${extra++}`, `new${extra++}`);
      if (step % 2 === 0) await client.call('SPOP', 's');
      step++;
    } while (cursor !== '0' && step < 100000);
    assert.equal(cursor, '0');
    // SPOP may have taken "stay" members: only those still present must have been seen.
    const present = new Set(members(await client.call('SMEMBERS', 's')));
    for (let i = 0; i < n; i++) {
      const m = `stay${i}`;
      if (present.has(m)) assert.ok(returned.has(m), `${m} was never returned`);
    }
  });
});
