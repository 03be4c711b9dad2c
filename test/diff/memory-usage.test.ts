// MEMORY USAGE against redis-server for the same values (issue 16 item 5): for
// every type and encoding, over a set of values built by the same commands on
// both servers, the ratio of Cinnabar's figure to redis-server's is printed and
// bounded to [1/1.5, 1.5]. Cinnabar reports Redis's own size model
// (keyspace/redis-mem-model.ts), so a capacity plan made on Redis carries over.
//
// Named differences: Redis 7.2 (our target) keeps a small list in a bare listpack
// where 7.0 wraps it in a quicklist (a 40-byte quicklist and a 40-byte node more),
// and a small set of strings in a listpack where 7.0 builds a hashtable; for the
// lists the 7.0 figure is converted exactly (minus 80 bytes), for the sets the
// ratio is bounded below by 0.1 only (7.2's listpack is 3-10x smaller).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair } from '../helpers/diff.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import type { Reply, RespClient } from '../../src/protocol/resp-client.js';
import { Rng } from '../helpers/random.js';

interface Case {
  key: string;
  what: string;
  cmds: string[][];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function word(rng: Rng, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(97 + rng.int(26));
  return s;
}

/** Commands of at most `per` arguments each: `head` then the items. */
function chunked(head: string[], items: string[], per = 200): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < items.length; i += per) out.push([...head, ...items.slice(i, i + per)]);
  return out;
}

function cases(rng: Rng): Case[] {
  const c: Case[] = [];
  const add = (key: string, what: string, cmds: string[][]): void => {
    c.push({ key, what, cmds });
  };
  // strings
  add('s:int-shared', 'string int (shared)', [['SET', 's:int-shared', '42']]);
  add('s:int-big', 'string int', [['SET', 's:int-big', '-1234567890123']]);
  for (const n of [1, 10, 30, 44]) add(`s:emb${n}`, `string embstr ${n}B`, [['SET', `s:emb${n}`, word(rng, n)]]);
  for (const n of [45, 100, 300, 1000, 5000, 70000]) add(`s:raw${n}`, `string raw ${n}B`, [['SET', `s:raw${n}`, word(rng, n)]]);
  add('s:append', 'string raw (APPEND)', [['SET', 's:append', 'abc'], ['APPEND', 's:append', 'def']]);
  add('s:float', 'string (INCRBYFLOAT)', [['SET', 's:float', '1.5'], ['INCRBYFLOAT', 's:float', '0.25']]);
  add('s:bits', 'string raw (SETBIT)', [['SETBIT', 's:bits', '10000', '1']]);
  add('s:hll-sparse', 'HLL sparse', [['PFADD', 's:hll-sparse', 'a', 'b', 'c', 'd']]);
  add('s:hll-dense', 'HLL dense', chunked(['PFADD', 's:hll-dense'], range(3000).map((i) => `e${i}`)));
  // lists
  add('l:small', 'list listpack 3', [['RPUSH', 'l:small', 'a', 'b', 'c']]);
  add('l:ints', 'list listpack ints', [['RPUSH', 'l:ints', ...range(50).map(String)]]);
  add('l:100x10', 'list 100 x 10B', [['RPUSH', 'l:100x10', ...range(100).map(() => word(rng, 10))]]);
  add('l:2000x20', 'list quicklist 2000 x 20B', chunked(['RPUSH', 'l:2000x20'], range(2000).map(() => word(rng, 20))));
  add('l:20000x8', 'list quicklist 20000 x 8B', chunked(['RPUSH', 'l:20000x8'], range(20000).map(() => word(rng, 8)), 1000));
  add('l:200x1000', 'list quicklist 200 x 1000B', chunked(['RPUSH', 'l:200x1000'], range(200).map(() => word(rng, 1000)), 50));
  // hashes
  add('h:small', 'hash listpack 2', [['HSET', 'h:small', 'a', '1', 'b', '2']]);
  add('h:100', 'hash listpack 100', [['HSET', 'h:100', ...range(100).flatMap((i) => [`f${i}`, word(rng, 12)])]]);
  add('h:1000', 'hash hashtable 1000', chunked(['HSET', 'h:1000'], range(1000).flatMap((i) => [`field:${i}`, word(rng, 20)])));
  add('h:big', 'hash hashtable (value > 64B)', [['HSET', 'h:big', 'a', word(rng, 100), 'b', word(rng, 100)]]);
  add('h:20000', 'hash hashtable 20000', chunked(['HSET', 'h:20000'], range(20000).flatMap((i) => [`k${i}`, `v${i}`]), 2000));
  // sets
  add('S:int16', 'set intset 16-bit', [['SADD', 'S:int16', ...range(100).map(String)]]);
  add('S:int32', 'set intset 32-bit', [['SADD', 'S:int32', ...range(100).map((i) => String(100000 + i))]]);
  add('S:int64', 'set intset 64-bit', [['SADD', 'S:int64', ...range(100).map((i) => String(10_000_000_000 + i))]]);
  add('S:ints-ht', 'set hashtable ints', chunked(['SADD', 'S:ints-ht'], range(1000).map(String)));
  add('S:small', 'set listpack 3 (7.0: hashtable)', [['SADD', 'S:small', 'a', 'b', 'c']]);
  add('S:100', 'set listpack 100 (7.0: hashtable)', [['SADD', 'S:100', ...range(100).map((i) => `m${i}`)]]);
  add('S:1000', 'set hashtable 1000', chunked(['SADD', 'S:1000'], range(1000).map(() => word(rng, 16))));
  add('S:20000', 'set hashtable 20000', chunked(['SADD', 'S:20000'], range(20000).map((i) => `member:${i}`), 2000));
  // sorted sets
  add('z:small', 'zset listpack 2', [['ZADD', 'z:small', '1', 'a', '2', 'b']]);
  add('z:100', 'zset listpack 100', [['ZADD', 'z:100', ...range(100).flatMap((i) => [String(i * 1.5), `m${i}`])]]);
  add('z:1000', 'zset skiplist 1000', chunked(['ZADD', 'z:1000'], range(1000).flatMap((i) => [String(rng.int(1_000_000) / 7), word(rng, 12)])));
  add('z:long', 'zset skiplist (member > 64B)', [['ZADD', 'z:long', '1', word(rng, 100)]]);
  add('z:20000', 'zset skiplist 20000', chunked(['ZADD', 'z:20000'], range(20000).flatMap((i) => [String(i), `member:${i}`]), 2000));
  return c;
}

function int(r: Reply): number {
  assert.equal(r.t, 'int', JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  return Number((r as { v: bigint }).v);
}
function str(r: Reply): string {
  return r.t === 'bulk' && r.v !== null ? r.v : '';
}

describe('MEMORY USAGE', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  before(async () => {
    pair = await DiffPair.start();
  });
  after(async () => {
    await pair?.close();
  });

  test('within 1.5x of redis-server for every type and encoding', async () => {
    const seed = Number(process.env['CINNABAR_SEED'] ?? Date.now() % 1_000_000_000);
    console.log(`# seed ${seed} (CINNABAR_SEED=${seed} replays)`);
    const all = cases(new Rng(seed));
    const build = async (c: RespClient): Promise<void> => {
      await c.pipeline(all.flatMap((x) => x.cmds));
    };
    await Promise.all([build(pair.ours), build(pair.theirs)]);
    const rows: string[] = [];
    const bad: string[] = [];
    for (const x of all) {
      const [eo, et] = [str(await pair.ours.call('OBJECT', 'ENCODING', x.key)), str(await pair.theirs.call('OBJECT', 'ENCODING', x.key))];
      for (const samples of ['5', '0']) {
        const o = int(await pair.ours.call('MEMORY', 'USAGE', x.key, 'SAMPLES', samples));
        let t = int(await pair.theirs.call('MEMORY', 'USAGE', x.key, 'SAMPLES', samples));
        let lo = 1 / 1.5;
        let note = '';
        if (x.key.startsWith('l:') && eo === 'listpack' && et === 'quicklist') {
          t -= 80;
          note = ' (7.0 quicklist figure - 80: 7.2 listpack)';
        } else if (x.key.startsWith('S:') && eo === 'listpack' && et === 'hashtable') {
          lo = 0.1;
          note = ' (7.2 listpack against 7.0 hashtable)';
        }
        const ratio = o / t;
        rows.push(`${x.what.padEnd(34)} samples ${samples}: ours ${o} redis ${t} ratio ${ratio.toFixed(2)} [${eo}/${et}]${note}`);
        if (!(ratio >= lo && ratio <= 1.5)) bad.push(rows[rows.length - 1]!);
      }
    }
    console.log(rows.map((r) => `# ${r}`).join('\n'));
    assert.deepEqual(bad, [], 'MEMORY USAGE ratios out of bounds');
  });

  test('MEMORY MALLOC-STATS: a report of the allocator, as redis-server gives one (ours: V8 heap)', async () => {
    const { ours: o, theirs: t } = await pair.run(['MEMORY', 'MALLOC-STATS']);
    assert.equal(o.t, t.t);
    const body = (r: Reply): string => (r.t === 'bulk' && r.v !== null ? r.v : r.t === 'verbatim' ? r.v : '');
    assert.match(body(t), /^___ Begin jemalloc statistics ___/);
    assert.match(body(o), /^___ Begin V8 heap statistics ___\n(.|\n)*used_heap_size: \d+\n(.|\n)*old_space: \d+ \d+ \d+ \d+\n(.|\n)*--- End V8 heap statistics ---\n$/);
  });
});
