// maxmemory and the eviction policies, in-process: a Server without listeners and a
// fake client driven through the dispatcher. Memory is the accounted figure
// (keyspace.ts's dataset total over a fixed start-up baseline, here BASE), which
// the tests check against the size model recomputed key by key.

import { createServer } from '../../src/compose/compose.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../src/server/server.js';
import { Config } from '../../src/config/config.js';
import { Client } from '../../src/server/client.js';
import { ObjType, RObj } from '../../src/types/object.js';
import { RHashValue } from '../../src/types/hash.js';
import { evictor, evictionTimeLimitUs, keyMemoryUsage, stringBytes, valueMemoryUsage, MemoryTracker, EXPIRE_OVERHEAD } from '../../src/keyspace/eviction.js';

const BASE = 1_000_000;
const OOM = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

interface Harness {
  s: Server;
  c: Client;
  /** BASE + the size model summed over every key (the accounting recomputed from scratch). */
  live(): number;
  run(...argv: string[]): string;
  propagated: string[][];
}

/** The size model summed over every key of the server. */
function modelTotal(s: Server): number {
  let n = 0;
  for (const db of s.ks.dbs) for (const [k, o] of db.dict) n += keyMemoryUsage(db, k, o);
  return n;
}

function harness(opts: Record<string, string>): Harness {
  const cfg = new Config();
  cfg.set('save', ['']);
  const s = createServer(cfg);
  const db0 = s.ks.dbs[0];
  const h: Harness = {
    s,
    c: new Client(s, null, db0, 1),
    live: () => BASE + modelTotal(s),
    run(...argv: string[]): string {
      h.c.out = '';
      s.processCommand(h.c, argv);
      return h.c.out;
    },
    propagated: [],
  };
  evictor(s)!.mem.startup = BASE;
  s.onPropagate((_db, argv) => h.propagated.push(argv));
  // Synchronous assertions need eviction to finish within the call (unless a test asks otherwise).
  const all = { 'maxmemory-eviction-tenacity': '100', ...opts };
  for (const [k, v] of Object.entries(all)) assert.equal(h.run('CONFIG', 'SET', k, v), '+OK\r\n', `CONFIG SET ${k} ${v}`);
  return h;
}

function info(h: Harness, field: string): number {
  h.c.out = '';
  h.s.processCommand(h.c, ['INFO', 'stats']);
  const m = new RegExp(`${field}:(\\d+)`).exec(h.c.out);
  assert.ok(m, `INFO ${field}`);
  return Number(m[1]);
}

describe('memory model', () => {
  test('string sizes follow V8 one-byte string layout', () => {
    assert.equal(stringBytes(''), 16);
    assert.equal(stringBytes('a'), 24);
    assert.equal(stringBytes('12345678'), 24);
    assert.equal(stringBytes('123456789'), 32);
  });

  test('MEMORY USAGE grows with the value and counts a TTL', () => {
    const cfg = new Config();
    const s = createServer(cfg);
    const db = s.ks.dbs[0];
    db.add('small', new RObj(ObjType.String, 'x', 0));
    db.add('large', new RObj(ObjType.String, 'x'.repeat(10000), 0));
    const a = keyMemoryUsage(db, 'small', db.dict.get('small')!);
    const b = keyMemoryUsage(db, 'large', db.dict.get('large')!);
    assert.ok(b - a >= 9990 && b - a < 10100, `${b} - ${a}`);
    db.setExpire('small', Date.now() + 10000);
    assert.ok(keyMemoryUsage(db, 'small', db.dict.get('small')!) > a);
  });

  test('aggregates are sampled like Redis: SAMPLES 0 walks every element', () => {
    const h = RHashValue.fromMap(new Map<string, string>()); // hashtable-encoded: sampled
    for (let i = 0; i < 100; i++) h.set(`f${i}`, i < 5 ? 'v' : 'v'.repeat(1000));
    const o = new RObj(ObjType.Hash, h, 0);
    const sampled = valueMemoryUsage(o, 5); // only the 5 small fields
    const all = valueMemoryUsage(o, 0);
    assert.ok(all > sampled * 5, `all ${all} sampled ${sampled}`);
    const set = new Set<string>(['a', 'b', 'c']);
    assert.ok(valueMemoryUsage(new RObj(ObjType.Set, set, 0), 0) > 3 * 24);
  });

  test('eviction time limit follows maxmemory-eviction-tenacity', () => {
    assert.equal(evictionTimeLimitUs(0), 0);
    assert.equal(evictionTimeLimitUs(10), 500);
    assert.ok(evictionTimeLimitUs(50) > 500 * 200);
    assert.equal(evictionTimeLimitUs(100), Infinity);
  });

  test('used_memory is the baseline plus the dataset plus the counted overheads', () => {
    const ks = { dataset: 5000, lazyfree: { pendingBytes: 0 } };
    const t = new MemoryTracker(ks, (into) => {
      into.clientsNormal = 100;
      into.clientsReplicas = 300;
      into.backlog = 1000;
    }, 10_000);
    assert.equal(t.used(), 15_000);
    t.refresh();
    assert.equal(t.used(), 16_400);
    // Replica output buffers are not counted for eviction; the backlog is (Redis 7).
    assert.equal(t.notCountedForEvict(), 300);
    assert.equal(t.effective(), 16_100);
    ks.dataset = 1000;
    assert.equal(t.used(), 12_400);
    assert.equal(t.peak, 16_400);
    t.resetPeak();
    assert.equal(t.peak, 12_400);
  });
});

describe('eviction', () => {
  const value = (i: number): string => `v${i}:` + 'x'.repeat(1000);

  test('allkeys-lru keeps memory bounded while writing far more than maxmemory', () => {
    const max = BASE + 300_000;
    const h = harness({ maxmemory: String(max), 'maxmemory-policy': 'allkeys-lru' });
    let ooms = 0;
    for (let i = 0; i < 3000; i++) if (h.run('SET', `key:${i}`, value(i)) === OOM) ooms++;
    assert.equal(ooms, 0, 'allkeys-lru never refuses writes');
    const evicted = info(h, 'evicted_keys');
    assert.ok(evicted > 2000, `evicted_keys ${evicted}`);
    assert.ok(h.s.ks.dbs[0].size > 100, `keys kept ${h.s.ks.dbs[0].size}`);
    assert.ok(h.live() <= max, `live ${h.live()} <= max ${max}`);
    // Every eviction was propagated as a DEL.
    const dels = h.propagated.filter((a) => a[0] === 'DEL');
    assert.equal(dels.length, evicted);
  });

  test('LRU prefers idle keys, LFU prefers rarely used keys', () => {
    for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
      const h = harness({ 'maxmemory-policy': policy });
      const db = h.s.ks.dbs[0];
      for (let i = 0; i < 400; i++) h.run('SET', `cold:${i}`, value(i));
      for (let i = 0; i < 400; i++) h.run('SET', `hot:${i}`, value(i));
      const clock = h.s.ks.lruClock();
      for (const [k, o] of db.dict) {
        if (policy === 'allkeys-lru') o.lru = k.startsWith('cold') ? (clock - 5000) & 0xffffff : clock;
        else o.lru = (o.lru & ~255) | (k.startsWith('cold') ? 1 : 200);
      }
      const max = BASE + Math.floor((h.live() - BASE) / 2);
      assert.equal(h.run('CONFIG', 'SET', 'maxmemory', String(max)), '+OK\r\n');
      let cold = 0;
      let hot = 0;
      for (const k of db.dict.keys()) {
        if (k.startsWith('cold')) cold++;
        else hot++;
      }
      assert.ok(hot > 300 && cold < 150, `${policy}: hot ${hot} cold ${cold}`);
    }
  });

  test('noeviction refuses denyoom commands with OOM, still serves reads and deletes', () => {
    const h = harness({ 'maxmemory-policy': 'noeviction' });
    for (let i = 0; i < 50; i++) h.run('SET', `k${i}`, value(i));
    h.run('CONFIG', 'SET', 'maxmemory', String(BASE + 1000));
    assert.equal(h.run('SET', 'another', 'v'), OOM);
    assert.equal(h.run('APPEND', 'k1', 'v'), OOM);
    assert.equal(h.run('GET', 'k1').slice(0, 6), '$1003\r');
    assert.equal(h.run('DEL', 'k1'), ':1\r\n');
    assert.equal(info(h, 'evicted_keys'), 0);
    // MULTI: a denyoom command is refused while queueing and dooms the transaction.
    assert.equal(h.run('MULTI'), '+OK\r\n');
    assert.equal(h.run('SET', 'x', 'y'), OOM);
    assert.equal(h.run('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
  });

  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    test(`${policy} never evicts keys without a TTL`, () => {
      const h = harness({ 'maxmemory-policy': policy });
      const db = h.s.ks.dbs[0];
      for (let i = 0; i < 100; i++) h.run('SET', `persistent:${i}`, value(i));
      for (let i = 0; i < 100; i++) h.run('SET', `volatile:${i}`, value(i), 'EX', String(1000 + i));
      const max = BASE + Math.floor((h.live() - BASE) * 0.7);
      h.run('CONFIG', 'SET', 'maxmemory', String(max));
      let ooms = 0;
      for (let i = 0; i < 200; i++) if (h.run('SET', `persistent:new:${i}`, value(i)) === OOM) ooms++;
      for (let i = 0; i < 100; i++) assert.ok(db.dict.has(`persistent:${i}`), `persistent:${i} evicted`);
      assert.ok(info(h, 'evicted_keys') > 0);
      // Once every volatile key is gone, writes fail with OOM instead of touching the others.
      assert.equal(db.expires.size, 0);
      assert.ok(ooms > 0, 'OOM once nothing volatile is left');
    });
  }

  test('volatile-ttl evicts the keys that expire soonest first', () => {
    const h = harness({ 'maxmemory-policy': 'volatile-ttl', 'maxmemory-samples': '10' });
    const db = h.s.ks.dbs[0];
    for (let i = 0; i < 200; i++) h.run('SET', `t:${i}`, value(i), 'EX', String(100 + i * 100));
    const max = BASE + Math.floor((h.live() - BASE) / 2);
    h.run('CONFIG', 'SET', 'maxmemory', String(max));
    let early = 0;
    let late = 0;
    for (const k of db.dict.keys()) {
      if (Number(k.slice(2)) < 100) early++;
      else late++;
    }
    assert.ok(late > 80 && early < 30, `early ${early} late ${late}`);
  });

  test('allkeys-random evicts, and evictions are notified and propagated as UNLINK with lazyfree-lazy-eviction', () => {
    const h = harness({ 'maxmemory-policy': 'allkeys-random', 'lazyfree-lazy-eviction': 'yes', 'notify-keyspace-events': 'Ee' });
    const sub = new Client(h.s, null, h.s.ks.dbs[0], 2);
    h.s.processCommand(sub, ['SUBSCRIBE', '__keyevent@0__:evicted']);
    sub.out = '';
    for (let i = 0; i < 100; i++) h.run('SET', `k${i}`, value(i));
    h.run('CONFIG', 'SET', 'maxmemory', String(BASE + Math.floor((h.live() - BASE) / 2)));
    const evicted = info(h, 'evicted_keys');
    assert.ok(evicted >= 40, `evicted ${evicted}`);
    assert.equal(h.propagated.filter((a) => a[0] === 'UNLINK').length, evicted);
    const msgs = sub.out.split('__keyevent@0__:evicted').length - 1;
    assert.equal(msgs, evicted);
  });

  test('keys in every database are candidates', () => {
    const h = harness({ 'maxmemory-policy': 'allkeys-lru' });
    for (let db = 0; db < 3; db++) {
      h.run('SELECT', String(db));
      for (let i = 0; i < 100; i++) h.run('SET', `k${i}`, value(i));
    }
    h.run('SELECT', '0');
    h.run('CONFIG', 'SET', 'maxmemory', String(BASE + Math.floor((h.live() - BASE) / 3)));
    const sizes = h.s.ks.dbs.slice(0, 3).map((d) => d.size);
    assert.ok(sizes.every((n) => n < 100), `sizes ${sizes}`);
    assert.ok(sizes.reduce((a, b) => a + b, 0) > 50, `sizes ${sizes}`);
  });

  test('a tenacity of 0 evicts in small steps and finishes in a timer', async () => {
    const h = harness({ 'maxmemory-policy': 'allkeys-lru', 'maxmemory-eviction-tenacity': '0' });
    for (let i = 0; i < 500; i++) h.run('SET', `k${i}`, value(i));
    h.run('CONFIG', 'SET', 'maxmemory', String(BASE + 50_000));
    // The command is allowed while eviction is still running.
    assert.equal(h.run('SET', 'one-more', 'v'), '+OK\r\n');
    for (let i = 0; i < 200 && h.live() > BASE + 50_000; i++) await new Promise((r) => setTimeout(r, 1));
    assert.ok(h.live() <= BASE + 50_000, `live ${h.live()}`);
  });

  test('maxmemory 0 disables eviction', () => {
    const h = harness({ 'maxmemory-policy': 'allkeys-lru' });
    for (let i = 0; i < 300; i++) h.run('SET', `k${i}`, value(i));
    assert.equal(h.s.ks.dbs[0].size, 300);
    assert.equal(info(h, 'evicted_keys'), 0);
  });
});

describe('dataset accounting', () => {
  /** The running totals equal the size model recomputed over every key. */
  function assertExact(h: Harness, what: string): void {
    for (const db of h.s.ks.dbs) {
      let n = 0;
      for (const [k, o] of db.dict) n += keyMemoryUsage(db, k, o);
      assert.equal(db.mem, n, `${what}: db ${db.id} charged ${db.mem}, model ${n}`);
    }
    assert.equal(h.s.ks.dataset, modelTotal(h.s), `${what}: keyspace total`);
  }

  test('every kind of write keeps the total exact with respect to the model', () => {
    const h = harness({});
    const steps: string[][] = [
      ['SET', 's', 'x'.repeat(100)],
      ['APPEND', 's', 'y'.repeat(500)],
      ['SETRANGE', 's', '2000', 'z'],
      ['INCR', 'n'],
      ['INCRBYFLOAT', 'f', '1.5'],
      ['SET', 's', 'short', 'EX', '100'],
      ['SET', 's', 'again', 'KEEPTTL'],
      ['PERSIST', 's'],
      ['PEXPIRE', 'n', '100000'],
      ['EXPIRE', 'n', '200'],
      ['SETEX', 'e', '100', 'v'],
      ['GETEX', 'e', 'PERSIST'],
      ['GETDEL', 'e'],
      ['SADD', 'set', 'a', 'b', 'c'],
      ['SADD', 'set', ...Array.from({ length: 200 }, (_, i) => `m${i}`)],
      ['SREM', 'set', 'a', 'm1'],
      ['SPOP', 'set', '3'],
      ['SMOVE', 'set', 'set2', 'b'],
      ['SINTERSTORE', 'set3', 'set', 'set2'],
      ['SUNIONSTORE', 'set4', 'set', 'set2'],
      ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
      ['HSET', 'h', ...Array.from({ length: 300 }, (_, i) => [`f${i}`, 'v'.repeat(i % 50)]).flat()],
      ['HDEL', 'h', 'f1', 'f7'],
      ['HINCRBY', 'h', 'cnt', '5'],
      ['RPUSH', 'l', 'a', 'b', 'c'],
      ['LPUSH', 'l', ...Array.from({ length: 300 }, (_, i) => `e${i}`)],
      ['LPOP', 'l', '10'],
      ['LSET', 'l', '0', 'x'.repeat(300)],
      ['LTRIM', 'l', '0', '100'],
      ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'],
      ['ZADD', 'z', '1', 'a', '2', 'b'],
      ['ZADD', 'z', ...Array.from({ length: 200 }, (_, i) => [String(i), `zm${i}`]).flat()],
      ['ZINCRBY', 'z', '3', 'a'],
      ['ZREM', 'z', 'b', 'zm3'],
      ['ZPOPMIN', 'z', '5'],
      ['ZUNIONSTORE', 'z2', '1', 'z'],
      ['ZRANGESTORE', 'z3', 'z', '0', '10'],
      ['SETBIT', 'bits', '10000', '1'],
      ['PFADD', 'hll', 'a', 'b', 'c'],
      ['PFCOUNT', 'hll'],
      ['RENAME', 's', 's-renamed'],
      ['COPY', 'h', 'h-copy'],
      ['MOVE', 'h-copy', '1'],
      ['SWAPDB', '0', '1'],
      ['SWAPDB', '0', '1'],
      ['MSET', 'a', '1', 'b', '2'],
      ['DEL', 'a', 'set2'],
      ['UNLINK', 'b'],
      ['EXPIRE', 'z2', '0'],
      ['SORT', 'l', 'ALPHA', 'STORE', 'sorted'],
      ['LMPOP', '1', 'l2', 'LEFT', 'COUNT', '1'],
    ];
    for (const argv of steps) {
      h.run(...argv);
      assertExact(h, argv.slice(0, 3).join(' '));
    }
    assert.ok(h.s.ks.dataset > 0);
    // An expired key found by a read is deleted and refunded.
    h.run('PEXPIRE', 'n', '1');
    h.s.ks.now += 10_000;
    h.run('GET', 'n');
    assertExact(h, 'lazy expiry');
    h.run('FLUSHDB');
    assertExact(h, 'FLUSHDB');
    h.run('FLUSHALL');
    assert.equal(h.s.ks.dataset, 0);
  });

  test('a TTL costs its expires entry, once', () => {
    const h = harness({});
    h.run('SET', 'k', 'v');
    const base = h.s.ks.dataset;
    h.run('EXPIRE', 'k', '100');
    assert.equal(h.s.ks.dataset, base + EXPIRE_OVERHEAD);
    h.run('EXPIRE', 'k', '200');
    assert.equal(h.s.ks.dataset, base + EXPIRE_OVERHEAD);
    h.run('PERSIST', 'k');
    assert.equal(h.s.ks.dataset, base);
  });
});

describe('lazy freeing', () => {
  test('UNLINK of a big value leaves the keyspace at once and used_memory when the lazyfree queue runs', async () => {
    const h = harness({});
    const mem = evictor(h.s)!.mem;
    const members = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    h.run('SADD', 'big', ...members);
    h.run('SADD', 'small', 'a');
    const before = mem.used();
    assert.equal(h.run('UNLINK', 'big', 'small'), ':2\r\n');
    assert.equal(h.s.ks.dataset, modelTotal(h.s));
    assert.equal(h.s.ks.lazyfree.pendingObjects, 1);
    const smallCost = before - mem.used();
    assert.ok(smallCost > 0 && smallCost < 500, `only the small set left used_memory at once (${smallCost})`);
    await new Promise((r) => setImmediate(r));
    assert.equal(h.s.ks.lazyfree.pendingObjects, 0);
    assert.equal(h.s.ks.lazyfree.freedObjects, 1);
    assert.ok(before - mem.used() > 10_000, 'the big set left used_memory');
  });
});
