// Differential tests of the command table as COMMAND reports it: COMMAND INFO
// (flags, arity, legacy key triple, ACL categories, tips, key specs,
// subcommands) and COMMAND DOCS (summary, since, group, complexity, arguments,
// history, doc flags) of every command both servers have, in RESP2 and RESP3;
// COMMAND LIST FILTERBY ACLCAT per category; COMMAND GETKEYSANDFLAGS over each
// kind of key spec. Every 7.2-vs-7.0 difference is an entry of
// test/helpers/known-differences.ts.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, replyKey } from '../helpers/diff.js';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { toPlain, type Reply } from '../../src/protocol/resp-client.js';
import { keyInfo, keysOf, keysFromSpecs } from '../../src/commands/key-specs.js';
import type { KeySpec } from '../../src/commands/docs/types.js';

/** Sorts subcommand lists (Redis lists them in dict order) in COMMAND INFO and COMMAND DOCS replies. */
function sortSubcommands(r: Reply): Reply {
  const byKey = (a: Reply, b: Reply): number => (replyKey(a) < replyKey(b) ? -1 : replyKey(a) > replyKey(b) ? 1 : 0);
  const info = (e: Reply): Reply => {
    if (e.t !== 'array' || e.v === null || e.v.length !== 10) return e;
    const v = e.v.slice();
    const subs = v[9]!;
    if ((subs.t === 'array' && subs.v !== null) || subs.t === 'set') v[9] = { t: subs.t, v: (subs.v as Reply[]).map(info).sort(byKey) } as Reply;
    return { t: 'array', v };
  };
  const docPairs = (pairs: Reply[]): Reply[] => {
    const out: Reply[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const k = pairs[i]!;
      let v = pairs[i + 1]!;
      if (k.t === 'bulk' && k.v === 'subcommands') v = docs(v, true);
      else if (v.t === 'map' || v.t === 'array') v = docs(v, false);
      out.push(k, v);
    }
    return out;
  };
  // A docs map: name -> document (sorted when `sortNames`), each document's fields in order.
  const docs = (x: Reply, sortNames: boolean): Reply => {
    if (x.t === 'map') {
      const entries = x.v.map(([k, v]) => [k, v.t === 'map' ? docs(v, false) : v] as [Reply, Reply]);
      const fixed = entries.map(([k, v]) => (k.t === 'bulk' && k.v === 'subcommands' ? ([k, docs(v, true)] as [Reply, Reply]) : ([k, v] as [Reply, Reply])));
      if (sortNames) fixed.sort((a, b) => byKey(a[0], b[0]));
      return { t: 'map', v: fixed };
    }
    if (x.t === 'array' && x.v !== null && x.v.length % 2 === 0 && x.v.every((y, i) => i % 2 === 1 || y.t === 'bulk')) {
      const flat = docPairs(x.v);
      if (!sortNames) return { t: 'array', v: flat };
      const pairs: Array<[Reply, Reply]> = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
      pairs.sort((a, b) => byKey(a[0], b[0]));
      return { t: 'array', v: pairs.flat() };
    }
    return x;
  };
  const isInfo = (e: Reply): boolean => e.t === 'null' || ((e.t === 'array' || e.t === 'bulk') && e.v === null) || (e.t === 'array' && e.v!.length === 10);
  if (r.t === 'array' && r.v !== null && r.v.every(isInfo)) return { t: 'array', v: r.v.map(info) };
  return docs(r, true);
}

function names(r: Reply): string[] {
  const p = toPlain(r);
  assert.ok(Array.isArray(p));
  return (p as string[]).slice().sort();
}

describe('COMMAND INFO / DOCS / GETKEYSANDFLAGS against redis-server', { skip: skipIfNoRedis() }, () => {
  let ours: ServerHandle;
  let theirs: ServerHandle;
  let resp2: DiffPair;
  let resp3: DiffPair;
  /** Full names both servers have. */
  let common: string[] = [];
  /** Full names only Cinnabar has (7.2 commands). */
  let oursOnly: string[] = [];

  before(async () => {
    [ours, theirs] = await Promise.all([startCinnabar(), startRedis()]);
    resp2 = await DiffPair.fromServers(ours, theirs);
    resp3 = await DiffPair.fromServers(ours, theirs);
    await resp3.check([['HELLO', '3']], { ignore: true });
    const { ours: o, theirs: t } = await resp2.run(['COMMAND', 'LIST']);
    const theirNames = new Set(names(t));
    common = names(o).filter((n) => theirNames.has(n));
    oursOnly = names(o).filter((n) => !theirNames.has(n));
  });
  after(async () => {
    resp2?.printDifferences();
    resp3?.printDifferences();
    await resp2?.close();
    await resp3?.close();
    await Promise.all([ours?.stop(), theirs?.stop()]);
  });

  test('the command lists: ours is Redis 7.0 less what we lack, plus the 7.2 commands', () => {
    assert.ok(common.length > 200, `only ${common.length} commands in common`);
    // Beyond 7.2: the atomic slot migration subcommands (known-differences.ts command-slot-migration).
    assert.deepEqual(oursOnly, ['client|no-touch', 'client|setinfo', 'cluster|cancelslotmigrations', 'cluster|getslotmigrations', 'cluster|migrateslots', 'cluster|myshardid', 'cluster|syncslots', 'waitaof']);
  });

  for (const [label, pair] of [
    ['RESP2', () => resp2],
    ['RESP3', () => resp3],
  ] as const) {
    test(`COMMAND INFO of every command (${label})`, async () => {
      for (const n of common) await pair().check([{ cmd: ['COMMAND', 'INFO', n], normalize: sortSubcommands }]);
      await pair().check([{ cmd: ['COMMAND', 'INFO', 'get', 'nosuch', 'config|get', 'zunionstore', 'client'], normalize: sortSubcommands }]);
    });

    test(`COMMAND DOCS of every command (${label})`, async () => {
      for (const n of common) await pair().check([{ cmd: ['COMMAND', 'DOCS', n], normalize: sortSubcommands }]);
      await pair().check([{ cmd: ['COMMAND', 'DOCS', 'set', 'nosuch', 'client|kill', 'zadd', 'object'], normalize: sortSubcommands }]);
    });
  }

  test('COMMAND INFO / DOCS of the commands new in 7.2', async () => {
    for (const n of oursOnly) {
      await resp3.check([
        { cmd: ['COMMAND', 'INFO', n], normalize: sortSubcommands },
        { cmd: ['COMMAND', 'DOCS', n], normalize: sortSubcommands },
      ]);
    }
    const applied = new Set(resp3.applied.map((a) => a.id));
    assert.ok(applied.has('command-72-new-commands'));
    const { ours: o } = await resp3.run(['COMMAND', 'INFO', 'waitaof']);
    assert.match(JSON.stringify(toPlain(o)), /"waitaof",4,\["noscript"\],0,0,0,\["@slow","@connection"\],\["request_policy:all_shards","response_policy:agg_min"\],\[\],\[\]/);
  });

  test('COMMAND LIST FILTERBY ACLCAT: every category lists the commands Redis lists', async () => {
    const mine = new Set([...common, ...oursOnly]);
    const cats = ['keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting'];
    for (const cat of cats) {
      const { ours: o, theirs: t } = await resp2.run(['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', cat]);
      const expected = names(t).filter((n) => mine.has(n) && common.includes(n));
      const got = names(o).filter((n) => !oursOnly.includes(n));
      assert.deepEqual(got, expected, `@${cat}`);
    }
    const { ours: o } = await resp2.run(['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'connection']);
    for (const n of oursOnly.filter((x) => !x.startsWith('cluster|'))) assert.ok(names(o).includes(n), `${n} in @connection`);
    const { ours: slow } = await resp2.run(['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'slow']);
    assert.ok(names(slow).includes('cluster|myshardid'), 'cluster|myshardid in @slow');
  });

  const GETKEYS_SAMPLE: string[][] = [
    // index + range: one key, all keys, every other key, all but the last.
    ['GET', 'k'],
    ['GETEX', 'k', 'PERSIST'],
    ['DEL', 'a', 'b', 'c'],
    ['EXISTS', 'a', 'b'],
    ['UNLINK', 'a'],
    ['MSET', 'a', '1', 'b', '2'],
    ['MSETNX', 'a', '1', 'b', '2', 'c', '3'],
    ['BLPOP', 'a', 'b', '0'],
    ['BZPOPMIN', 'a', 'b', 'c', '1.5'],
    // several index specs with their own flags.
    ['RENAME', 'a', 'b'],
    ['COPY', 'a', 'b', 'DB', '1'],
    ['LMOVE', 'a', 'b', 'LEFT', 'RIGHT'],
    ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0'],
    ['SMOVE', 'a', 'b', 'm'],
    ['SINTERSTORE', 'd', 'a', 'b'],
    ['ZRANGESTORE', 'd', 's', '0', '-1'],
    ['LCS', 'a', 'b'],
    ['OBJECT', 'ENCODING', 'k'],
    ['MEMORY', 'USAGE', 'k', 'SAMPLES', '5'],
    // keynum: a count, then the keys (with and without a destination before).
    ['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
    ['ZINTERSTORE', 'd', '1', 'a'],
    ['ZDIFFSTORE', 'd', '3', 'a', 'b', 'c'],
    ['ZUNION', '2', 'a', 'b', 'WITHSCORES'],
    ['ZDIFF', '1', 'a'],
    ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '1'],
    ['SINTERCARD', '3', 'a', 'b', 'c'],
    ['LMPOP', '2', 'a', 'b', 'LEFT', 'COUNT', '1'],
    ['BLMPOP', '0', '2', 'a', 'b', 'RIGHT'],
    ['ZMPOP', '1', 'a', 'MIN'],
    ['BZMPOP', '1.5', '2', 'a', 'b', 'MAX'],
    // keynum counts the specs cannot use: Redis falls back to its getkeys procedure.
    ['ZUNIONSTORE', 'd', '0', 'a'],
    ['ZUNIONSTORE', 'd', 'x', 'a'],
    ['ZUNIONSTORE', 'd', '1x', 'a'],
    ['ZUNIONSTORE', 'd', '5', 'a'],
    ['LMPOP', '-1', 'a', 'LEFT'],
    ['LMPOP', '1abc', 'a', 'LEFT'],
    ['SINTERCARD', '0', 'a'],
    // unknown specs (SORT's STORE, BY/GET), variable flags (SET GET, BITFIELD).
    ['SORT', 's'],
    ['SORT', 's', 'STORE', 'd'],
    ['SORT', 's', 'BY', 'w_*', 'GET', '#', 'STORE', 'd1', 'STORE', 'd2'],
    ['SORT', 's', 'LIMIT', '0', '1', 'GET', 'store', 'STORE', 'd'],
    ['SORT_RO', 's', 'BY', 'x', 'ALPHA'],
    ['SET', 'k', 'v'],
    ['SET', 'k', 'v', 'GET'],
    ['SET', 'k', 'v', 'EX', '10', 'get'],
    ['SET', 'k', 'get'],
    ['BITFIELD', 'k', 'GET', 'u8', '0'],
    ['BITFIELD', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'],
    ['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '1'],
    ['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'],
    ['BITFIELD', 'k', 'BOGUS'],
    ['BITFIELD_RO', 'k', 'GET', 'u8', '0'],
    // not_key specs (shard channels) and commands without keys.
    ['SPUBLISH', 'ch', 'm'],
    ['SSUBSCRIBE', 'a', 'b'],
    ['PUBLISH', 'ch', 'm'],
    ['MIGRATE', 'h', '1', 'k', '0', '10', 'COPY', 'AUTH', 'pw'],
    ['MIGRATE', 'h', '1', '', '0', '10', 'AUTH2', 'keys', 'p', 'KEYS', 'a', 'b'],
    ['TIME', 'x'],
    ['PING'],
    ['CONFIG', 'GET', 'x'],
    ['CONFIG'],
    // errors.
    ['GET'],
    ['GET', 'a', 'b'],
    ['ZUNIONSTORE', 'd', '1'],
    ['nosuch', 'a'],
    ['CONFIG', 'nosuch', 'a'],
  ];

  test('COMMAND GETKEYS and GETKEYSANDFLAGS over each kind of key spec', async () => {
    for (const pair of [resp2, resp3]) {
      for (const c of GETKEYS_SAMPLE) {
        await pair.check([
          ['COMMAND', 'GETKEYS', ...c],
          ['COMMAND', 'GETKEYSANDFLAGS', ...c],
        ]);
      }
    }
  });

  test('keyword key specs of commands Cinnabar lacks (GEORADIUS STORE, XREAD STREAMS, MIGRATE KEYS) evaluate as Redis does', async (t) => {
    /** Redis's key specs of a command, as our KeySpec objects. */
    const specsOf = async (name: string): Promise<KeySpec[]> => {
      const { theirs: r } = await resp3.run(['COMMAND', 'INFO', name]);
      const p = toPlain(r) as unknown as Array<unknown[]>;
      const raw = p[0]![8] as Array<Record<string, unknown>>;
      return raw.map((ks) => {
        const o = JSON.parse(JSON.stringify(ks, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))) as KeySpec;
        delete o.notes;
        return o;
      });
    };
    const plainKeys = (r: Reply): Array<[string, string[]]> | string => {
      if (r.t === 'err') return r.v;
      const p = toPlain(r) as unknown as Array<[string, string[]]>;
      return p.map(([k, f]) => [k, [...f].sort()]);
    };
    const cases: Array<[string, string[][]]> = [
      ['georadius', [['GEORADIUS', 'g', '0', '0', '1', 'km'], ['GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'd'], ['GEORADIUS', 'g', '0', '0', '1', 'km', 'STOREDIST', 'd2', 'STORE', 'd1'], ['GEORADIUS', 'g', '0', '0', '1', 'STORE', 'x']]],
      ['xread', [['XREAD', 'STREAMS', 'a', 'b', '0', '0'], ['XREAD', 'COUNT', '2', 'STREAMS', 'a', '0'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', 'c', '1', '2', '3']]],
      ['migrate', [['MIGRATE', 'h', '1', 'k', '0', '10'], ['MIGRATE', 'h', '1', 'k', '0', '10', 'COPY', 'REPLACE']]],
    ];
    for (const [name, argvs] of cases) {
      const specs = await specsOf(name);
      const info = keyInfo(name, specs);
      for (const argv of argvs) {
        const { theirs: r } = await resp3.run(['COMMAND', 'GETKEYSANDFLAGS', ...argv]);
        const got = keysOf(info, argv).map((k) => [argv[k.pos], [...k.flags].sort()] as [string, string[]]);
        assert.deepEqual(got, plainKeys(r), argv.join(' '));
      }
    }
    // MIGRATE ... KEYS: the KEYS spec is incomplete, so the specs alone give up (Redis then uses its procedure).
    const mig = await specsOf('migrate');
    assert.equal(keysFromSpecs(mig, ['MIGRATE', 'h', '1', '', '0', '10', 'KEYS', 'a', 'b']), null);
    t.diagnostic(`legacy triple of georadius from its specs: ${JSON.stringify(keyInfo('georadius', await specsOf('georadius')).legacy)}`);
  });
});
