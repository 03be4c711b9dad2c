// The fork-less snapshot keeps its point in time: whatever writes, deletes, new
// keys, TTL changes, in-place list pushes and whole-database flushes/swaps happen
// between its slices, the file it produces holds exactly the dataset as it was
// when it started. Random interleavings (fast-check, seeded) drive a Snapshot in
// manual mode against a model copied at the start.

import { createServer } from '../../src/compose/compose.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { Config } from '../../src/config/config.js';
import { Logger } from '../../src/server/log.js';
import { Server } from '../../src/server/server.js';
import { ObjType, RObj } from '../../src/types/object.js';
import { RList } from '../../src/types/list.js';
import { Keyspace } from '../../src/keyspace/keyspace.js';
import { Snapshot } from '../../src/persistence/snapshot.js';
import { loadRdb } from '../../src/persistence/rdb.js';

const NDB = 3;

function makeServer(): Server {
  const config = new Config();
  config.set('save', ['']);
  config.set('databases', [String(NDB)]);
  const log = new Logger();
  log.level = 'warning';
  return createServer(config, log);
}

type Model = Map<string, string>; // "db/key" -> canonical value incl. TTL

function canon(obj: RObj, ttl: number): string {
  let v: string;
  if (obj.type === ObjType.String) v = 's:' + (obj.value as string);
  else if (obj.type === ObjType.List) v = 'l:' + JSON.stringify((obj.value as RList).toArray());
  else v = 'other';
  return `${v}|${ttl}`;
}

function modelOf(server: Server): Model {
  const m: Model = new Map();
  for (const db of server.ks.dbs) for (const [k, o] of db.dict) m.set(`${db.id}/${k}`, canon(o, db.getExpire(k)));
  return m;
}

function loadModel(server: Server, buf: Buffer): Model {
  const m: Model = new Map();
  loadRdb(buf, {
    config: server.config,
    dbCount: NDB,
    now: 0,
    dropExpired: false,
    onKey: (dbid, key, obj, exp) => {
      const id = `${dbid}/${key}`;
      assert.ok(!m.has(id), `key ${id} written twice`);
      m.set(id, canon(obj, exp));
    },
  });
  return m;
}

type Op =
  | { t: 'set'; db: number; k: number; v: number }
  | { t: 'del'; db: number; k: number }
  | { t: 'push'; db: number; k: number; v: number }
  | { t: 'expire'; db: number; k: number; v: number }
  | { t: 'persist'; db: number; k: number }
  | { t: 'step'; n: number }
  | { t: 'flush'; db: number }
  | { t: 'swap'; a: number; b: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 15, arbitrary: fc.record({ t: fc.constant('set' as const), db: fc.nat(NDB - 1), k: fc.nat(29), v: fc.nat(1000) }) },
  { weight: 9, arbitrary: fc.record({ t: fc.constant('del' as const), db: fc.nat(NDB - 1), k: fc.nat(29) }) },
  { weight: 9, arbitrary: fc.record({ t: fc.constant('push' as const), db: fc.nat(NDB - 1), k: fc.nat(29), v: fc.nat(1000) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('expire' as const), db: fc.nat(NDB - 1), k: fc.nat(29), v: fc.nat(1000) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('persist' as const), db: fc.nat(NDB - 1), k: fc.nat(29) }) },
  { weight: 18, arbitrary: fc.record({ t: fc.constant('step' as const), n: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('flush' as const), db: fc.nat(NDB - 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('swap' as const), a: fc.nat(NDB - 1), b: fc.nat(NDB - 1) }) },
);

function apply(server: Server, op: Op): void {
  const ks = server.ks;
  const lru = ks.initialLru();
  switch (op.t) {
    case 'set':
      ks.dbs[op.db].set(`k${op.k}`, new RObj(ObjType.String, `v${op.v}`, lru));
      break;
    case 'del':
      ks.dbs[op.db].delete(`k${op.k}`);
      break;
    case 'push': {
      const db = ks.dbs[op.db];
      const key = `k${op.k}`;
      const o = db.lookupWrite(key);
      if (o === undefined) {
        const l = new RList();
        l.pushTail(`e${op.v}`);
        db.add(key, new RObj(ObjType.List, l, lru));
      } else if (o.type === ObjType.List) {
        (o.value as RList).pushTail(`e${op.v}`); // in place, after lookupWrite
      }
      break;
    }
    case 'expire':
      if (ks.dbs[op.db].dict.has(`k${op.k}`)) ks.dbs[op.db].setExpire(`k${op.k}`, 4_000_000_000_000 + op.v);
      break;
    case 'persist':
      ks.dbs[op.db].removeExpire(`k${op.k}`);
      break;
    case 'flush':
      ks.dbs[op.db].clear();
      break;
    case 'swap':
      if (op.a !== op.b) ks.dbs[op.a].swapWith(ks.dbs[op.b]);
      break;
    case 'step':
      break;
  }
}

test('snapshot: the file is the dataset at the start, whatever happens between slices', () => {
  const seed = Number(process.env['CINNABAR_SEED'] ?? Date.now() % 2 ** 31);
  console.log(`snapshot property seed=${seed} (CINNABAR_SEED=${seed} replays)`);
  let runs = 0;
  let cowRuns = 0;
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 40 }), fc.array(opArb, { maxLength: 120 }), (setup, during) => {
      const server = makeServer();
      for (let db = 0; db < NDB; db++) for (let k = 0; k < 20; k += 1 + db) apply(server, { t: 'set', db, k, v: k });
      for (const op of setup) apply(server, op);
      const expected = modelOf(server);
      const chunks: Buffer[] = [];
      let done: Error | null | undefined;
      const snap = new Snapshot(server, {
        manual: true,
        write: (c) => {
          chunks.push(c);
          return true;
        },
        onDone: (err) => {
          done = err;
        },
      });
      for (const op of during) {
        if (op.t === 'step') snap.advance(op.n);
        else apply(server, op);
      }
      while (!snap.advance(7));
      assert.equal(done, null);
      assert.equal(server.ks.observers.length, 0, 'the snapshot detached itself');
      const got = loadModel(server, Buffer.concat(chunks));
      assert.deepEqual(got, expected);
      runs++;
      if (snap.cowBytes > 0) cowRuns++;
    }),
    { seed, numRuns: 300 },
  );
  // The property is only meaningful if copy-on-write actually happened in many runs.
  assert.ok(cowRuns > runs / 10, `copy-on-write exercised in ${cowRuns}/${runs} runs`);
});

test('snapshot: keys created after the start are not in the file, even in reused positions', () => {
  const server = makeServer();
  const db = server.ks.dbs[0];
  const lru = server.ks.initialLru();
  for (let i = 0; i < 100; i++) db.add(`a${i}`, new RObj(ObjType.String, `x${i}`, lru));
  const chunks: Buffer[] = [];
  const snap = new Snapshot(server, { manual: true, write: (c) => (chunks.push(c), true), onDone: () => {} });
  snap.advance(50);
  // Free positions both behind and ahead of the cursor, then refill them with new keys.
  for (let i = 0; i < 100; i += 3) db.delete(`a${i}`);
  for (let i = 0; i < 40; i++) db.add(`new${i}`, new RObj(ObjType.String, 'n', lru));
  while (!snap.advance(10));
  const got = loadModel(server, Buffer.concat(chunks));
  assert.equal(got.size, 100);
  for (let i = 0; i < 100; i++) assert.equal(got.get(`0/a${i}`), `s:x${i}|-1`);
});

test('snapshot: a load swapping databases in finishes the snapshot first', () => {
  const server = makeServer();
  const lru = server.ks.initialLru();
  for (let i = 0; i < 20; i++) server.ks.dbs[1].add(`k${i}`, new RObj(ObjType.String, 'old', lru));
  const expected = modelOf(server);
  const chunks: Buffer[] = [];
  let finished = false;
  const snap = new Snapshot(server, { manual: true, write: (c) => (chunks.push(c), true), onDone: () => (finished = true) });
  snap.advance(3);
  const scratch = new Keyspace(NDB, { expired: () => {}, added: () => {} });
  scratch.dbs[1].add('fresh', new RObj(ObjType.String, 'new', lru));
  server.ks.dbs[1].swapWith(scratch.dbs[1]);
  assert.ok(finished, 'completed synchronously before the swap');
  assert.deepEqual(loadModel(server, Buffer.concat(chunks)), expected);
});
