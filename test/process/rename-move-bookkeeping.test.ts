// RENAME and MOVE keep the keyspace's bookkeeping straight: the moved object leaves
// its old SCAN position and table entry before it is stored under its new name, so SCAN,
// DBSIZE, KEYS and a snapshot see exactly the live keys (regression: the new position
// used to be freed instead of the old one, leaving a stale name behind).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcess } from '../helpers/inprocess.js';
import { formatReply } from '../../src/protocol/resp-client.js';

let ip: InProcess;
before(async () => {
  ip = await startInProcess({ throwOnError: true });
});
after(() => ip?.close());

async function scanAll(): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const r = await ip.client.call('SCAN', cursor, 'COUNT', '7');
    assert.equal(r.t, 'array');
    const [cur, keys] = r.v as Array<{ t: string; v: unknown }>;
    cursor = String(cur.v);
    for (const k of keys.v as Array<{ v: string }>) out.push(k.v);
  } while (cursor !== '0');
  return out.sort();
}

test('RENAME / MOVE: SCAN, DBSIZE and the RDB round trip see only live keys', async () => {
  const c = ip.client;
  for (let i = 0; i < 20; i++) await c.call('SET', `k${i}`, `v${i}`);
  for (let i = 0; i < 10; i++) await c.call('RENAME', `k${i}`, `r${i}`);
  await c.call('MOVE', 'k10', '1');
  await c.call('RENAME', 'k11', 'k12'); // over an existing key
  const expected = [...Array.from({ length: 10 }, (_, i) => `r${i}`), ...Array.from({ length: 8 }, (_, i) => `k${i + 12}`)].sort();
  assert.deepEqual(await scanAll(), expected);
  assert.equal(formatReply(await c.call('DBSIZE')), '(int) 18');
  assert.equal(formatReply(await c.call('GET', 'k12')), '"v11"');
  // Every position SCAN walks names a live key, so a snapshot of the database holds the same keys.
  const db = ip.server.ks.dbs[0];
  for (let i = 0; i < db.posCount(); i++) {
    const k = db.keyAtPos(i);
    if (k !== undefined) assert.ok(db.dict.get(k) !== undefined, `position ${i} names ${k}, which is not in the table`);
  }
  await c.call('SELECT', '1');
  assert.deepEqual(await scanAll(), ['k10']);
  await c.call('SELECT', '0');
});
