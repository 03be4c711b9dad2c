// The per-database index of keys by cluster hash slot (src/keyspace/slot-index.ts):
// off by default with nothing allocated; when on, countKeysInSlot / getKeysInSlot /
// keysInSlot agree with a brute-force grouping of all keys by keyHashSlot after
// random sequences of keyspace operations (fast-check, seeded) and of real
// commands run through the server (RENAME, MOVE, COPY, expiry lazy and active,
// eviction, SWAPDB, FLUSHDB/FLUSHALL, RDB loads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { Keyspace, type Database, type KeyspaceHooks } from '../../src/keyspace/keyspace.js';
import { CLUSTER_SLOTS, keyHashSlot } from '../../src/keyspace/hash-slot.js';
import { ObjType, RObj } from '../../src/types/object.js';
import { Config } from '../../src/config/config.js';
import { Logger } from '../../src/server/log.js';
import type { Server } from '../../src/server/server.js';
import { createServer } from '../../src/compose/compose.js';
import { Client } from '../../src/server/client.js';
import { Snapshot } from '../../src/persistence/snapshot.js';
import { loadRdbBuffer } from '../../src/persistence/persistence.js';
import { evictor } from '../../src/keyspace/eviction.js';
import { AOF_OK, loadAofFiles } from '../../src/persistence/aof-loader.js';
import { encodeCommand } from '../../src/protocol/resp-client.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOOKS: KeyspaceHooks = { expired: () => {}, added: () => {} };

// Keys that share slots through hash tags, and plain ones.
const POOL: string[] = [];
for (const tag of ['a', 'b', 'user1000', '\xff\x00']) for (let i = 0; i < 4; i++) POOL.push(`{${tag}}${i}`);
for (let i = 0; i < 8; i++) POOL.push(`k${i}`);
POOL.push('foo{}{bar}', 'foo{{bar}}zap', '');
const POOL_SLOTS = [...new Set(POOL.map(keyHashSlot))];

function seed(): number {
  const s = Number(process.env['CINNABAR_SEED'] ?? Date.now() % 2 ** 31);
  console.log(`slot-index seed=${s}`);
  return s;
}

function str(v: string): RObj {
  return new RObj(ObjType.String, v, 0);
}

/** Checks the index of `db` against the keys of its table, for `slots` (default: the pool's). */
function checkDb(db: Database, slots: readonly number[] = POOL_SLOTS): void {
  assert.ok(db.hasSlotIndex, `db ${db.id} has no slot index`);
  const bySlot = new Map<number, string[]>();
  for (const k of db.dict.keys()) {
    const s = keyHashSlot(k);
    let a = bySlot.get(s);
    if (!a) bySlot.set(s, (a = []));
    a.push(k);
  }
  for (const s of slots) {
    const want = (bySlot.get(s) ?? []).sort();
    assert.equal(db.countKeysInSlot(s), want.length, `db ${db.id} slot ${s} count`);
    assert.deepEqual(db.getKeysInSlot(s, Infinity).sort(), want, `db ${db.id} slot ${s} keys`);
    assert.deepEqual([...db.keysInSlot(s)].sort(), want, `db ${db.id} slot ${s} iterated`);
    if (want.length > 1) {
      const some = db.getKeysInSlot(s, want.length - 1);
      assert.equal(some.length, want.length - 1);
      assert.equal(new Set(some).size, some.length);
      for (const k of some) assert.ok(want.includes(k));
    }
    assert.deepEqual(db.getKeysInSlot(s, 0), []);
  }
}

/** Every slot's count summed is the database's size (no stale counts anywhere). */
function checkTotals(db: Database): void {
  let n = 0;
  for (let s = 0; s < CLUSTER_SLOTS; s++) n += db.countKeysInSlot(s);
  assert.equal(n, db.size, `db ${db.id}: slot counts sum to ${n}, size ${db.size}`);
}

test('slot index: off by default, nothing per slot allocated, the API refuses', () => {
  const before = process.memoryUsage().arrayBuffers;
  const ks = new Keyspace(16, HOOKS);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.equal(ks.slotIndexEnabled, false);
  // 16 indexes would be 16 * 128 KB of head and count arrays.
  assert.ok(grown < 256 * 1024, `a keyspace without the index took ${grown} bytes of array buffers`);
  for (const db of ks.dbs) {
    assert.equal(db.hasSlotIndex, false);
    assert.equal((db as unknown as { slotIdx: unknown }).slotIdx, null);
  }
  const db = ks.dbs[0];
  for (let i = 0; i < 100; i++) db.set(`k${i}`, str('v'));
  db.delete('k1');
  db.clear();
  db.set('x', str('v'));
  ks.dbs[0].swapWith(ks.dbs[1]);
  for (const d of ks.dbs) assert.equal((d as unknown as { slotIdx: unknown }).slotIdx, null);
  assert.throws(() => ks.dbs[1].countKeysInSlot(0), /slot index is off/);
  assert.throws(() => ks.dbs[1].getKeysInSlot(0, 10), /slot index is off/);
  assert.throws(() => ks.dbs[1].keysInSlot(0).next(), /slot index is off/);
  // A server is not in cluster mode unless told: no index either.
  const cfg = new Config();
  cfg.set('save', ['']);
  const s = createServer(cfg, quietLog());
  assert.equal(s.ks.slotIndexEnabled, false);
  assert.ok(s.ks.dbs.every((d) => !d.hasSlotIndex));
});

test('slot index: on by option or enableSlotIndex (which indexes the keys present), off again', () => {
  const ks = new Keyspace(2, HOOKS, { slotIndex: true });
  assert.ok(ks.slotIndexEnabled && ks.dbs.every((d) => d.hasSlotIndex));
  const ks2 = new Keyspace(2, HOOKS);
  const db = ks2.dbs[0];
  for (let i = 0; i < 1000; i++) db.set(`{t${i % 7}}${i}`, str('v'));
  for (let i = 0; i < 1000; i += 3) db.delete(`{t${i % 7}}${i}`);
  ks2.enableSlotIndex();
  const slots = Array.from({ length: 7 }, (_, t) => keyHashSlot(`t${t}`));
  checkDb(db, slots);
  checkTotals(db);
  assert.throws(() => db.countKeysInSlot(CLUSTER_SLOTS), RangeError);
  assert.throws(() => db.countKeysInSlot(-1), RangeError);
  assert.throws(() => db.countKeysInSlot(1.5), RangeError);
  ks2.disableSlotIndex();
  assert.ok(!db.hasSlotIndex);
});

test('slot index: a slot is walked and emptied key by key (migration), the others untouched', () => {
  const ks = new Keyspace(2, HOOKS, { slotIndex: true });
  const [src, dst] = ks.dbs;
  for (let i = 0; i < 5000; i++) src.set(`{s${i % 50}}${i}`, str(String(i)));
  const slot = keyHashSlot('s7');
  const moved: string[] = [];
  for (const k of src.keysInSlot(slot)) {
    const o = src.dict.get(k)!;
    src.delete(k); // the key just given may be deleted
    dst.add(k, o);
    moved.push(k);
  }
  assert.equal(moved.length, 100);
  assert.equal(src.countKeysInSlot(slot), 0);
  assert.equal(dst.countKeysInSlot(slot), 100);
  assert.equal(src.size, 4900);
  const slots = Array.from({ length: 50 }, (_, t) => keyHashSlot(`s${t}`));
  checkDb(src, slots);
  checkDb(dst, slots);
  checkTotals(src);
  checkTotals(dst);
  // Emptying a database through the walk (its last keys) resets its positions.
  for (const s of slots) for (const k of src.keysInSlot(s)) src.delete(k);
  assert.equal(src.size, 0);
  checkTotals(src);
  src.set('again', str('v'));
  checkDb(src, [keyHashSlot('again')]);
});

type Op =
  | { t: 'set'; db: number; k: number }
  | { t: 'del'; db: number; k: number }
  | { t: 'rename'; db: number; a: number; b: number }
  | { t: 'move'; a: number; b: number; k: number }
  | { t: 'copy'; a: number; b: number; ka: number; kb: number }
  | { t: 'expire'; db: number; k: number; dt: number }
  | { t: 'tick' }
  | { t: 'lookup'; db: number; k: number }
  | { t: 'active'; db: number }
  | { t: 'flush'; db: number }
  | { t: 'flushall' }
  | { t: 'swap'; a: number; b: number }
  | { t: 'load'; db: number; indexed: boolean; ks: number[] }
  | { t: 'toggle' }
  | { t: 'migrate'; a: number; b: number; k: number };

const NDB = 3;

test('slot index agrees with brute force under random keyspace operations', () => {
  const dbi = fc.nat(NDB - 1);
  const key = fc.nat(POOL.length - 1);
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 12, arbitrary: fc.record({ t: fc.constant('set' as const), db: dbi, k: key }) },
    { weight: 6, arbitrary: fc.record({ t: fc.constant('del' as const), db: dbi, k: key }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('rename' as const), db: dbi, a: key, b: key }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('move' as const), a: dbi, b: dbi, k: key }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('copy' as const), a: dbi, b: dbi, ka: key, kb: key }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('expire' as const), db: dbi, k: key, dt: fc.integer({ min: -3, max: 6 }) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('tick' as const) }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('lookup' as const), db: dbi, k: key }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('active' as const), db: dbi }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('flush' as const), db: dbi }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('flushall' as const) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('swap' as const), a: dbi, b: dbi }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('load' as const), db: dbi, indexed: fc.boolean(), ks: fc.array(key, { maxLength: 12 }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('toggle' as const) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('migrate' as const), a: dbi, b: dbi, k: key }) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const ks = new Keyspace(NDB, HOOKS, { slotIndex: true });
      ks.now = 1000;
      let v = 0;
      for (const o of ops) {
        switch (o.t) {
          case 'set':
            ks.dbs[o.db].set(POOL[o.k], str(String(v++)));
            break;
          case 'del':
            ks.dbs[o.db].delete(POOL[o.k]);
            break;
          case 'rename': {
            // As RENAME does: out of the old name first, over any existing key.
            const db = ks.dbs[o.db];
            const src = POOL[o.a];
            const dst = POOL[o.b];
            const obj = db.lookupWrite(src);
            if (obj === undefined || src === dst) break;
            const exp = db.getExpire(src);
            if (db.lookupWrite(dst) !== undefined) db.delete(dst);
            db.delete(src);
            db.add(dst, obj);
            if (exp !== -1) db.setExpire(dst, exp);
            break;
          }
          case 'move': {
            const src = ks.dbs[o.a];
            const dst = ks.dbs[o.b];
            const k = POOL[o.k];
            const obj = src.lookupWrite(k);
            if (o.a === o.b || obj === undefined || dst.lookupWrite(k) !== undefined) break;
            src.delete(k);
            dst.add(k, obj);
            break;
          }
          case 'copy': {
            const src = ks.dbs[o.a];
            const dst = ks.dbs[o.b];
            const obj = src.lookup(POOL[o.ka]);
            if (obj === undefined || (o.a === o.b && o.ka === o.kb)) break;
            dst.set(POOL[o.kb], str(obj.value as string));
            break;
          }
          case 'expire': {
            const db = ks.dbs[o.db];
            if (db.dict.has(POOL[o.k])) db.setExpire(POOL[o.k], ks.now + o.dt);
            break;
          }
          case 'tick':
            ks.now += 2;
            break;
          case 'lookup':
            ks.dbs[o.db].lookupRead(POOL[o.k]);
            break;
          case 'active': {
            // As the server's active expiry cycle deletes due keys.
            const db = ks.dbs[o.db];
            for (const [k, when] of [...db.expires]) if (when <= ks.now && db.dict.has(k)) db.expireNow(k);
            break;
          }
          case 'flush':
            ks.dbs[o.db].clear();
            break;
          case 'flushall':
            for (const db of ks.dbs) db.clear();
            break;
          case 'swap':
            if (o.a !== o.b) ks.dbs[o.a].swapWith(ks.dbs[o.b]);
            break;
          case 'load': {
            // As an RDB load does: a scratch keyspace, swapped in; its setting may differ.
            const scratch = new Keyspace(NDB, HOOKS, { slotIndex: o.indexed });
            const fresh = scratch.dbs[o.db];
            for (const k of o.ks) if (!fresh.dict.has(POOL[k])) fresh.add(POOL[k], str('loaded'));
            ks.dbs[o.db].swapWith(fresh);
            assert.equal(fresh.hasSlotIndex, o.indexed);
            if (o.indexed) checkDb(fresh);
            break;
          }
          case 'toggle':
            ks.disableSlotIndex();
            assert.ok(ks.dbs.every((d) => !d.hasSlotIndex));
            ks.enableSlotIndex();
            break;
          case 'migrate': {
            // Every key of one slot to another database, as a slot migration would.
            if (o.a === o.b) break;
            const src = ks.dbs[o.a];
            const dst = ks.dbs[o.b];
            for (const k of src.keysInSlot(keyHashSlot(POOL[o.k]))) {
              const obj = src.dict.get(k)!;
              const exp = src.getExpire(k);
              src.delete(k);
              if (dst.dict.has(k)) dst.delete(k);
              dst.add(k, obj);
              if (exp !== -1) dst.setExpire(k, exp);
            }
            break;
          }
        }
        for (const db of ks.dbs) checkDb(db);
      }
      for (const db of ks.dbs) checkTotals(db);
    }),
    { seed: seed(), numRuns: 150 },
  );
});

// ---- through the server's commands -------------------------------------------------------

function quietLog(): Logger {
  const log = new Logger();
  log.level = 'warning';
  return log;
}

function clusterServer(): { s: Server; c: Client; run: (...argv: string[]) => string } {
  const cfg = new Config();
  cfg.set('save', ['']);
  cfg.set('databases', [String(NDB)]);
  cfg.set('loglevel', ['warning']);
  const s = createServer(cfg, quietLog());
  s.ks.enableSlotIndex();
  const c = new Client(s, null, s.ks.dbs[0], 1);
  const run = (...argv: string[]): string => {
    c.out = '';
    s.processCommand(c, argv);
    return c.out;
  };
  return { s, c, run };
}

/** An RDB image of the server's data, made by a snapshot driven to its end. */
function rdbOf(s: Server): Buffer {
  const chunks: Buffer[] = [];
  let done = false;
  const snap = new Snapshot(s, { manual: true, write: (b) => (chunks.push(b), true), onDone: () => (done = true) });
  while (!snap.advance(1000));
  assert.ok(done);
  return Buffer.concat(chunks);
}

test('slot index agrees with brute force under random commands (RENAME, MOVE, COPY, expiry, eviction, SWAPDB, FLUSH*, loads)', async () => {
  const { s, run } = clusterServer();
  let x = seed() >>> 0 || 1;
  const rand = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const k = (): string => POOL[rand(POOL.length)];
  const d = (): string => String(rand(NDB));
  const commands: Array<() => string[] | null> = [
    () => ['SET', k(), 'v'],
    () => ['SET', k(), 'v', 'PX', String(1 + rand(3))],
    () => ['MSET', k(), 'a', k(), 'b'],
    () => ['DEL', k(), k()],
    () => ['UNLINK', k()],
    () => ['GETDEL', k()],
    () => ['RENAME', k(), k()],
    () => ['RENAMENX', k(), k()],
    () => ['MOVE', k(), d()],
    () => ['COPY', k(), k(), 'DB', d(), 'REPLACE'],
    () => ['PEXPIRE', k(), String(1 + rand(3))],
    () => ['EXPIRE', k(), '-1'],
    () => ['PERSIST', k()],
    () => ['GET', k()],
    () => ['EXISTS', k()],
    () => ['LPUSH', k(), 'e'],
    () => ['RPOP', k()],
    () => ['LMOVE', k(), k(), 'LEFT', 'RIGHT'],
    () => ['SADD', k(), 'm'],
    () => ['SREM', k(), 'm'],
    () => ['SMOVE', k(), k(), 'm'],
    () => ['HSET', k(), 'f', 'v'],
    () => ['HDEL', k(), 'f'],
    () => ['ZADD', k(), '1', 'm'],
    () => ['ZPOPMIN', k()],
    () => ['SUNIONSTORE', k(), k(), k()],
    () => ['SELECT', d()],
    () => ['SWAPDB', d(), d()],
    () => (rand(4) === 0 ? ['FLUSHDB'] : null),
    () => (rand(8) === 0 ? ['FLUSHALL'] : null),
  ];
  let evicted = 0;
  let loads = 0;
  let expired = 0;
  let peak = 0;
  for (let i = 0; i < 4000; i++) {
    const r = rand(100);
    if (r < 3) {
      // Active expiry: let PX/PEXPIRE times pass (bounded wait), then a cycle.
      const until = Date.now() + 4;
      while (Date.now() < until) await new Promise((res) => setTimeout(res, 1));
      const before = s.ks.stats.expiredKeys;
      s.activeExpireCycle();
      expired += s.ks.stats.expiredKeys - before;
    } else if (r < 5) {
      // Eviction's deletion path.
      const db = s.ks.dbs[rand(NDB)];
      const key = db.randomKey();
      if (key !== undefined) {
        evictor(s)!.evict(db, key);
        evicted++;
      }
    } else if (r < 6) {
      loadRdbBuffer(s, rdbOf(s), rand(2) === 0 ? 'replace' : 'merge');
      loads++;
    } else {
      const argv = commands[rand(commands.length)]();
      if (argv !== null) run(...argv);
    }
    for (const db of s.ks.dbs) checkDb(db);
    peak = Math.max(peak, s.ks.totalKeys());
  }
  for (const db of s.ks.dbs) checkTotals(db);
  assert.ok(evicted > 0 && loads > 0 && expired > 0, `evicted ${evicted}, loads ${loads}, expired ${expired}`);
  // The index was checked over a keyspace that held keys (the run may end right
  // after a FLUSHALL: seed 1353206490 did, at command 3997 of 4000).
  assert.ok(peak > 0, `peak ${peak}`);
});

test('slot index: AOF loading (an RDB base, then replayed commands) leaves it exact', () => {
  const a = clusterServer();
  for (let i = 0; i < POOL.length; i++) {
    a.run('SELECT', String(i % NDB));
    a.run('SET', POOL[i], 'base');
  }
  const base = rdbOf(a.s);
  const cmds: string[][] = [];
  for (let i = 0; i < 300; i++) {
    const k1 = POOL[(i * 7) % POOL.length];
    const k2 = POOL[(i * 11 + 3) % POOL.length];
    const pick = i % 6;
    cmds.push(['SELECT', String(i % NDB)]);
    if (pick === 0) cmds.push(['SET', k1, String(i)]);
    else if (pick === 1) cmds.push(['DEL', k2]);
    else if (pick === 2) cmds.push(['RENAME', k1, k2]);
    else if (pick === 3) cmds.push(['MOVE', k2, String((i + 1) % NDB)]);
    else if (pick === 4) cmds.push(['COPY', k1, k2, 'DB', String((i + 2) % NDB), 'REPLACE']);
    else cmds.push(['SWAPDB', '0', String(1 + (i % (NDB - 1)))]);
  }
  for (const c of cmds) a.run(...c);
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-slot-index-'));
  try {
    writeFileSync(join(dir, 'base.rdb'), base);
    writeFileSync(join(dir, 'incr.aof'), Buffer.concat(cmds.map((c) => encodeCommand(c))));
    const b = clusterServer();
    const res = loadAofFiles(b.s, dir, {
      base: { name: 'base.rdb', seq: 1, type: 'b' },
      history: [],
      incr: [{ name: 'incr.aof', seq: 1, type: 'i' }],
      baseSeq: 1,
      incrSeq: 1,
    });
    assert.equal(res.status, AOF_OK);
    for (let i = 0; i < NDB; i++) {
      const db = b.s.ks.dbs[i];
      assert.deepEqual([...db.dict.keys()].sort(), [...a.s.ks.dbs[i].dict.keys()].sort(), `db ${i} keys`);
      checkDb(db);
      checkTotals(db);
    }
    assert.ok(b.s.ks.totalKeys() > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
