// The propagation hook: every dataset change leaves the server through one
// function as a deterministic command array. A server runs in this process so the
// test can subscribe to the hook directly; commands arrive over a real socket.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcess, type Propagation } from '../helpers/inprocess.js';
import type { RespClient } from '../../src/protocol/resp-client.js';
import type { Server } from '../../src/server/server.js';

let ip: InProcess;
let server: Server;
let client: RespClient;
let seen: Propagation[];
let propagated: InProcess['propagated'];

before(async () => {
  ip = await startInProcess();
  ({ server, client, seen, propagated } = ip);
});

after(() => ip?.close());

test('a plain write is propagated as sent; reads are not propagated', async () => {
  assert.deepEqual(await propagated(['SET', 'a', '1'], ['GET', 'a'], ['INCR', 'a']), [
    ['SET', 'a', '1'],
    ['INCR', 'a'],
  ]);
});

test('a write that changes nothing is not propagated', async () => {
  assert.deepEqual(await propagated(['DEL', 'nosuchkey'], ['SETNX', 'a', 'x']), []);
});

test('SET with a relative expiry becomes an absolute PXAT', async () => {
  const before = Date.now();
  const out = await propagated(['SET', 'k', 'v', 'EX', '100']);
  assert.equal(out.length, 1);
  const argv = out[0];
  assert.equal(argv[0].toUpperCase(), 'SET');
  const i = argv.findIndex((a) => a.toUpperCase() === 'PXAT');
  assert.ok(i > 0, `no PXAT in ${JSON.stringify(argv)}`);
  const at = Number(argv[i + 1]);
  assert.ok(at >= before + 100000 && at <= Date.now() + 100000, `PXAT ${at} not ~100 s ahead`);
});

test('EXPIRE becomes PEXPIREAT', async () => {
  const out = await propagated(['SET', 'e', 'v'], ['EXPIRE', 'e', '50']);
  assert.equal(out[1][0].toUpperCase(), 'PEXPIREAT');
  assert.equal(out[1][1], 'e');
});

test('SPOP is propagated as SREM of what was popped', async () => {
  await client.call('DEL', 's');
  await client.call('SADD', 's', 'a', 'b', 'c', 'd');
  seen.length = 0;
  const r = await client.call('SPOP', 's');
  assert.equal(r.t, 'bulk');
  const popped = (r as { v: string }).v;
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0].argv.map((a, i) => (i === 0 ? a.toUpperCase() : a)), ['SREM', 's', popped]);
});

test('an expired key read lazily is propagated as DEL', async () => {
  server.activeExpireEnabled = false;
  try {
    await client.call('SET', 'lazy', 'v', 'PX', '1');
    const when = server.ks.dbs[0].getExpire('lazy');
    assert.ok(when > 0);
    // Wait (bounded) until the key is logically expired, without reading it.
    const deadline = Date.now() + 2000;
    while (Date.now() <= when) {
      assert.ok(Date.now() < deadline, 'key never expired');
      await new Promise((r) => setImmediate(r));
    }
    seen.length = 0;
    const r = await client.call('GET', 'lazy');
    assert.deepEqual(r, { t: 'bulk', v: null });
    assert.deepEqual(seen.map((s) => s.argv), [['DEL', 'lazy']]);
  } finally {
    server.activeExpireEnabled = true;
  }
});

test('MULTI/EXEC with several writes is wrapped in MULTI ... EXEC', async () => {
  seen.length = 0;
  await client.call('MULTI');
  await client.call('SET', 'm1', 'a');
  await client.call('SET', 'm2', 'b');
  await client.call('GET', 'm1');
  await client.call('EXEC');
  assert.deepEqual(seen.map((s) => s.argv), [['MULTI'], ['SET', 'm1', 'a'], ['SET', 'm2', 'b'], ['EXEC']]);
});

test('the database of each change is reported', async () => {
  seen.length = 0;
  await client.call('SELECT', '3');
  await client.call('SET', 'x', '1');
  await client.call('SELECT', '0');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].db, 3);
});

test('PUBLISH is propagated for replicas only', async () => {
  seen.length = 0;
  await client.call('PUBLISH', 'ch', 'hello');
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0].argv, ['PUBLISH', 'ch', 'hello']);
  assert.equal(seen[0].flags, 1);
});

test('ZMPOP/BZMPOP propagate as ZPOPMIN|ZPOPMAX key <count popped>, as redis-server 7.0 writes them to its AOF and replicas', async () => {
  // redis-server 7.0's AOF for the same steps (checked 2026-12-07):
  //   ZMPOP 1 z MIN COUNT 2 -> ZPOPMIN z 2; ZMPOP 2 nokey z MAX COUNT 10 (2 left) -> ZPOPMAX z 2;
  //   BZMPOP 0 1 z2 MAX -> ZPOPMAX z2 1; BZMPOP 0 1 z3 MIN COUNT 5 (2 members) -> ZPOPMIN z3 2;
  //   no DEL when the set empties.
  await client.call('DEL', 'z', 'z2', 'z3', 'nokey');
  const out = await propagated(
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
    ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '2'],
    ['ZMPOP', '2', 'nokey', 'z', 'MAX', 'COUNT', '10'],
    ['ZADD', 'z2', '1', 'x'],
    ['BZMPOP', '0', '1', 'z2', 'MAX'],
    ['ZADD', 'z3', '1', 'x', '2', 'y'],
    ['BZMPOP', '0', '1', 'z3', 'MIN', 'COUNT', '5'],
  );
  assert.deepEqual(
    out.filter((a) => a[0].toUpperCase() !== 'ZADD'),
    [
      ['ZPOPMIN', 'z', '2'],
      ['ZPOPMAX', 'z', '2'],
      ['ZPOPMAX', 'z2', '1'],
      ['ZPOPMIN', 'z3', '2'],
    ],
  );
});
