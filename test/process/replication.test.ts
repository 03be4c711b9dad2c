// Replication between Cinnabar processes: full synchronization in both transfer
// formats, the applied stream, read-only replicas, partial resynchronization after a
// cut link and across a promotion (replid2), chains, WAIT, FAILOVER,
// min-replicas-to-write, repl-timeout, and a replica that stops reading.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { ServerHandle } from '../helpers/servers.js';
import { RespClient, toPlain } from '../../src/protocol/resp-client.js';
import { call, datasetDiff, datasetOf, info, startServer, waitFor, waitInSync, waitLinkUp, writeKeys } from '../helpers/replication.js';

const started: ServerHandle[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

/** Fast full syncs for tests: no diskless delay. */
const FAST = ['--repl-diskless-sync-delay', '0'];

async function cinnabar(args: string[] = []): Promise<ServerHandle> {
  const s = await startServer('cinnabar', [...FAST, ...args]);
  started.push(s);
  return s;
}

async function stop(...list: ServerHandle[]): Promise<void> {
  await Promise.all(list.map((s) => s.stop()));
}

/** A dataset of every type, in two databases, some keys with TTLs. */
async function fillTypes(port: number, tag: string): Promise<void> {
  const c = await RespClient.connect({ port, host: '127.0.0.1', timeoutMs: 3000, commandTimeoutMs: 10000 });
  try {
    await c.pipeline([
      ['SET', `${tag}:s`, 'hello'],
      ['SET', `${tag}:n`, '12345'],
      ['SET', `${tag}:ttl`, 'v', 'EX', '1000'],
      ['RPUSH', `${tag}:l`, 'a', 'b', 'c', 'd'],
      ['HSET', `${tag}:h`, 'f1', 'v1', 'f2', 'v2'],
      ['SADD', `${tag}:set`, 'x', 'y', 'z', '1', '2'],
      ['ZADD', `${tag}:z`, '1', 'one', '2.5', 'two', '-3', 'three'],
      ['SELECT', '5'],
      ['SET', `${tag}:db5`, 'five'],
      ['LPUSH', `${tag}:l5`, 'p', 'q'],
      ['SELECT', '0'],
    ]);
    // Bigger values: a list and a hash past their compact encodings.
    const big: string[] = [];
    for (let i = 0; i < 300; i++) big.push(`elem-${i}`);
    await c.call('RPUSH', `${tag}:biglist`, ...big);
    const fields: string[] = [];
    for (let i = 0; i < 200; i++) fields.push(`f${i}`, `value-${i}`);
    await c.call('HSET', `${tag}:bighash`, ...fields);
  } finally {
    c.destroy();
  }
}

async function assertSameData(a: number, b: number, dbs = [0, 5]): Promise<number> {
  const [da, db] = await Promise.all([datasetOf(a, dbs), datasetOf(b, dbs)]);
  assert.deepEqual(datasetDiff(da, db), [], `datasets of :${a} and :${b} differ`);
  return da.size;
}

for (const diskless of ['yes', 'no']) {
  test(`full sync (repl-diskless-sync ${diskless}), then the stream; every type, two databases`, async () => {
    const p = await cinnabar(['--repl-diskless-sync', diskless]);
    await fillTypes(p.port, 'before');
    await writeKeys(p.port, 'bulk', 20000, 64);
    const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
    await waitInSync(p.port, r.port);
    await fillTypes(p.port, 'after');
    await call(p.port, 'DEL', 'before:s');
    await call(p.port, 'INCRBY', 'before:n', '5');
    await waitInSync(p.port, r.port);
    const n = await assertSameData(p.port, r.port);
    assert.ok(n > 20000, `only ${n} keys compared`);
    const pi = await info(p.port);
    const ri = await info(r.port);
    assert.equal(pi.get('connected_slaves'), '1');
    assert.match(pi.get('slave0')!, new RegExp(`^ip=127\\.0\\.0\\.1,port=${r.port},state=online,offset=\\d+,lag=\\d+$`));
    assert.equal(ri.get('role'), 'slave');
    assert.equal(ri.get('master_replid'), pi.get('master_replid'));
    assert.equal(ri.get('master_repl_offset'), pi.get('master_repl_offset'));
    assert.equal((await info(p.port, 'stats')).get('sync_full'), '1');
    await stop(p, r);
  });
}

test('a replica is read-only for its clients (replica-read-only yes), writable when configured so', async () => {
  const p = await cinnabar();
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await waitInSync(p.port, r.port);
  const e = (await call(r.port, 'SET', 'k', 'v')) as Error;
  assert.ok(e instanceof Error);
  assert.equal(e.message, "READONLY You can't write against a read only replica.");
  // EVAL-free MULTI: the queued write is refused at queue time, EXEC aborts.
  const c = await RespClient.connect({ port: r.port, host: '127.0.0.1' });
  const replies = (await c.pipeline([['MULTI'], ['SET', 'k', 'v'], ['EXEC']])).map(toPlain);
  c.destroy();
  assert.equal((replies[1] as Error).message, "READONLY You can't write against a read only replica.");
  assert.match((replies[2] as Error).message, /^EXECABORT/);
  assert.equal(await call(r.port, 'GET', 'k'), null);
  await call(r.port, 'CONFIG', 'SET', 'replica-read-only', 'no');
  assert.equal(await call(r.port, 'SET', 'local', 'x'), 'OK');
  assert.equal(await call(r.port, 'GET', 'local'), 'x');
  // A local write on a replica is not propagated anywhere and does not move the offset.
  await call(p.port, 'SET', 'fromprimary', '1');
  await waitInSync(p.port, r.port);
  assert.equal(await call(p.port, 'GET', 'local'), null);
  await stop(p, r);
});

test('a cut link resumes with a partial resynchronization (+CONTINUE), nothing lost', async () => {
  const p = await cinnabar();
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await waitInSync(p.port, r.port);
  await writeKeys(p.port, 'a', 2000);
  for (let round = 0; round < 3; round++) {
    const killed = await call(r.port, 'CLIENT', 'KILL', 'TYPE', 'master');
    assert.equal(killed, 1);
    // Writes while the link is down land in the backlog.
    await writeKeys(p.port, `cut${round}`, 500);
    await waitInSync(p.port, r.port);
  }
  const stats = await info(p.port, 'stats');
  console.log(`# sync_full=${stats.get('sync_full')} sync_partial_ok=${stats.get('sync_partial_ok')} sync_partial_err=${stats.get('sync_partial_err')}`);
  assert.equal(stats.get('sync_full'), '1');
  assert.equal(stats.get('sync_partial_ok'), '3');
  await assertSameData(p.port, r.port, [0]);
  await stop(p, r);
});

test('a replica that fell out of the backlog gets a full resynchronization', async () => {
  const p = await cinnabar(['--repl-backlog-size', '16384']);
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await waitInSync(p.port, r.port);
  r.kill('SIGSTOP');
  try {
    await call(p.port, 'CLIENT', 'KILL', 'TYPE', 'replica');
    await writeKeys(p.port, 'over', 3000, 64); // ~300 KB: far more than the backlog
  } finally {
    r.kill('SIGCONT');
  }
  await waitInSync(p.port, r.port);
  const stats = await info(p.port, 'stats');
  assert.equal(stats.get('sync_full'), '2');
  assert.equal(stats.get('sync_partial_err'), '1');
  await assertSameData(p.port, r.port, [0]);
  await stop(p, r);
});

test('REPLICAOF NO ONE keeps the old history as replid2: the other replica continues partially', async () => {
  const p = await cinnabar();
  const r1 = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  const r2 = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await fillTypes(p.port, 'x');
  await waitInSync(p.port, r1.port);
  await waitInSync(p.port, r2.port);
  const before = await info(p.port);
  await p.stop();
  // As Redis 7, a shutdown with replicas behind asks them for their offset (REPLCONF
  // GETACK, in the stream) before exiting: the history ends where R1 last got to.
  const r1Before = await info(r1.port);
  assert.equal(await call(r1.port, 'REPLICAOF', 'NO', 'ONE'), 'OK');
  const i1 = await info(r1.port);
  assert.equal(i1.get('role'), 'master');
  assert.equal(i1.get('master_replid2'), before.get('master_replid'));
  assert.equal(Number(i1.get('second_repl_offset')), Number(r1Before.get('master_repl_offset')) + 1);
  assert.notEqual(i1.get('master_replid'), before.get('master_replid'));
  assert.equal(await call(r2.port, 'REPLICAOF', '127.0.0.1', String(r1.port)), 'OK');
  await waitInSync(r1.port, r2.port);
  const st = await info(r1.port, 'stats');
  assert.equal(st.get('sync_full'), '0', 'the other replica needed a full sync');
  assert.equal(st.get('sync_partial_ok'), '1');
  await call(r1.port, 'SET', 'after-promotion', '1');
  await waitInSync(r1.port, r2.port);
  assert.equal(await call(r2.port, 'GET', 'after-promotion'), '1');
  await assertSameData(r1.port, r2.port);
  // The promoted primary accepts writes; REPLICAOF NO ONE again is a no-op.
  assert.equal(await call(r1.port, 'REPLICAOF', 'NO', 'ONE'), 'OK');
  await stop(r1, r2);
});

test('a chain P -> R1 -> R2 forwards the exact stream: one history, one offset', async () => {
  const p = await cinnabar();
  const r1 = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await fillTypes(p.port, 'c');
  await waitInSync(p.port, r1.port);
  // R2 attaches while the stream is in database 5: it needs repl-stream-db.
  await call(p.port, 'SELECT', '5');
  const c = await RespClient.connect({ port: p.port, host: '127.0.0.1' });
  await c.call('SELECT', '5');
  await c.call('SET', 'in5', 'a');
  await waitInSync(p.port, r1.port);
  const r2 = await cinnabar(['--replicaof', '127.0.0.1', String(r1.port)]);
  await waitInSync(r1.port, r2.port);
  await c.call('SET', 'in5-after', 'b');
  c.destroy();
  await writeKeys(p.port, 'chain', 1000);
  await waitInSync(p.port, r1.port);
  await waitInSync(r1.port, r2.port);
  const [ip, i1, i2] = await Promise.all([info(p.port), info(r1.port), info(r2.port)]);
  assert.equal(i2.get('master_replid'), ip.get('master_replid'));
  assert.equal(i2.get('master_repl_offset'), ip.get('master_repl_offset'));
  assert.equal(i1.get('connected_slaves'), '1');
  await assertSameData(p.port, r2.port);
  // Cutting the middle link: R2 keeps its link to R1, R1 resumes partially.
  await call(r1.port, 'CLIENT', 'KILL', 'TYPE', 'master');
  await writeKeys(p.port, 'chain2', 500);
  await waitInSync(p.port, r1.port);
  await waitInSync(r1.port, r2.port);
  await assertSameData(p.port, r2.port);
  assert.equal((await info(r1.port, 'stats')).get('sync_full'), '1');
  await stop(p, r1, r2);
});

test('WAIT: counts acknowledging replicas, blocks until then or the timeout', async () => {
  const p = await cinnabar();
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await waitInSync(p.port, r.port);
  const c = await RespClient.connect({ port: p.port, host: '127.0.0.1', commandTimeoutMs: 10000 });
  await c.call('SET', 'w', '1');
  let t = Date.now();
  assert.equal(toPlain(await c.call('WAIT', '1', '5000')), 1);
  const quick = Date.now() - t;
  assert.ok(quick < 2000, `WAIT 1 took ${quick} ms with a replica online`);
  await c.call('SET', 'w', '2');
  t = Date.now();
  assert.equal(toPlain(await c.call('WAIT', '2', '300')), 1);
  const waited = Date.now() - t;
  assert.ok(waited >= 280, `WAIT 2 300 returned after ${waited} ms`);
  // Inside MULTI it answers at once.
  const m = (await c.pipeline([['MULTI'], ['SET', 'w', '3'], ['WAIT', '5', '0'], ['EXEC']])).map(toPlain);
  assert.ok(Array.isArray(m[3]));
  assert.equal(typeof (m[3] as number[])[1], 'number');
  // WAIT 0: nothing to wait for.
  t = Date.now();
  assert.equal(typeof toPlain(await c.call('WAIT', '0', '0')), 'number');
  assert.ok(Date.now() - t < 1000);
  // Errors as Redis writes them.
  assert.equal((toPlain(await c.call('WAIT', 'x', '0')) as Error).message, 'ERR value is not an integer or out of range');
  assert.equal((toPlain(await c.call('WAIT', '1', '-1')) as Error).message, 'ERR timeout is negative');
  assert.equal((toPlain(await c.call('WAIT', '1', 'x')) as Error).message, 'ERR timeout is not an integer or out of range');
  c.destroy();
  const onReplica = (await call(r.port, 'WAIT', '0', '0')) as Error;
  assert.match(onReplica.message, /^ERR WAIT cannot be used with replica instances/);
  const waitaof = (await call(p.port, 'WAITAOF', '1', '0', '0')) as Error;
  assert.equal(waitaof.message, 'ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.');
  assert.deepEqual(await call(p.port, 'WAITAOF', '0', '0', '0'), [0, 1]);
  await stop(p, r);
});

test('WAITAOF with appendonly on both sides: local fsync and the replica FACK', async () => {
  const p = await cinnabar(['--appendonly', 'yes', '--appendfsync', 'always']);
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port), '--appendonly', 'yes', '--appendfsync', 'always']);
  await waitInSync(p.port, r.port);
  const c = await RespClient.connect({ port: p.port, host: '127.0.0.1', commandTimeoutMs: 10000 });
  await c.call('SET', 'a', '1');
  const t = Date.now();
  assert.deepEqual(toPlain(await c.call('WAITAOF', '1', '1', '5000')), [1, 1]);
  assert.ok(Date.now() - t < 3000);
  assert.deepEqual(toPlain(await c.call('WAITAOF', '1', '2', '200')), [1, 1]);
  c.destroy();
  const onReplica = (await call(r.port, 'WAITAOF', '0', '0', '0')) as Error;
  assert.match(onReplica.message, /^ERR WAITAOF cannot be used with replica instances/);
  await stop(p, r);
});

test('FAILOVER: the replica becomes the primary, the old primary its replica; ABORT and errors', async () => {
  const p = await cinnabar();
  assert.equal(((await call(p.port, 'FAILOVER')) as Error).message, 'ERR FAILOVER requires connected replicas.');
  assert.equal(((await call(p.port, 'FAILOVER', 'ABORT')) as Error).message, 'ERR No failover in progress.');
  assert.equal(((await call(p.port, 'FAILOVER', 'TIMEOUT', '0')) as Error).message, 'ERR FAILOVER timeout must be greater than 0');
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await fillTypes(p.port, 'f');
  await waitInSync(p.port, r.port);
  assert.equal(((await call(p.port, 'FAILOVER', 'TO', '127.0.0.1', String(r.port), 'FORCE')) as Error).message,
    'ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
  assert.equal(((await call(p.port, 'FAILOVER', 'TO', '127.0.0.1', '1')) as Error).message, 'ERR FAILOVER target HOST and PORT is not a replica.');
  assert.equal(((await call(r.port, 'FAILOVER')) as Error).message, 'ERR FAILOVER is not valid when server is a replica.');
  const oldId = (await info(p.port)).get('master_replid');
  assert.equal(await call(p.port, 'FAILOVER', 'TO', '127.0.0.1', String(r.port)), 'OK');
  await waitFor('roles switched', async () => {
    const [a, b] = await Promise.all([info(p.port), info(r.port)]);
    return a.get('role') === 'slave' && b.get('role') === 'master' && a.get('master_link_status') === 'up' && a.get('master_failover_state') === 'no-failover';
  }, 15000);
  const ri = await info(r.port);
  assert.equal(ri.get('master_replid2'), oldId);
  assert.equal((await info(r.port, 'stats')).get('sync_full'), '0', 'the old primary needed a full sync');
  assert.equal(((await call(p.port, 'SET', 'x', '1')) as Error).message, "READONLY You can't write against a read only replica.");
  assert.equal(await call(r.port, 'SET', 'x', '1'), 'OK');
  await waitInSync(r.port, p.port);
  assert.equal(await call(p.port, 'GET', 'x'), '1');
  await assertSameData(r.port, p.port);
  // And back, to any replica, with a timeout; then an aborted one.
  assert.equal(await call(r.port, 'FAILOVER', 'TIMEOUT', '10000'), 'OK');
  await waitFor('roles switched back', async () => (await info(p.port)).get('role') === 'master' && (await info(r.port)).get('master_link_status') === 'up', 15000);
  r.kill('SIGSTOP');
  try {
    await call(p.port, 'SET', 'moved', '1'); // the stopped replica cannot acknowledge it
    assert.equal(await call(p.port, 'FAILOVER'), 'OK');
    assert.equal((await info(p.port)).get('master_failover_state'), 'waiting-for-sync');
    assert.equal(((await call(p.port, 'FAILOVER')) as Error).message, 'ERR FAILOVER already in progress.');
    assert.equal(((await call(p.port, 'REPLICAOF', 'NO', 'ONE')) as Error).message, 'ERR REPLICAOF not allowed while failing over.');
    assert.equal(await call(p.port, 'FAILOVER', 'ABORT'), 'OK');
  } finally {
    r.kill('SIGCONT');
  }
  assert.equal((await info(p.port)).get('master_failover_state'), 'no-failover');
  assert.equal((await info(p.port)).get('role'), 'master');
  assert.equal(await call(p.port, 'SET', 'writable', 'again'), 'OK');
  await stop(p, r);
});

test('min-replicas-to-write: NOREPLICAS when the replica stops acknowledging', async () => {
  const p = await cinnabar(['--min-replicas-to-write', '1', '--min-replicas-max-lag', '2']);
  assert.equal(((await call(p.port, 'SET', 'k', 'v')) as Error).message, 'NOREPLICAS Not enough good replicas to write.');
  assert.equal(await call(p.port, 'GET', 'k'), null);
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await waitInSync(p.port, r.port);
  await waitFor('a good replica', async () => (await info(p.port)).get('min_slaves_good_slaves') === '1', 10000);
  assert.equal(await call(p.port, 'SET', 'k', 'v'), 'OK');
  r.kill('SIGSTOP');
  try {
    await waitFor('NOREPLICAS', async () => {
      const e = await call(p.port, 'SET', 'k', 'v2');
      return e instanceof Error && e.message === 'NOREPLICAS Not enough good replicas to write.';
    }, 15000, 200);
    // Reads still work.
    assert.ok(['v', 'v2'].includes((await call(p.port, 'GET', 'k')) as string));
  } finally {
    r.kill('SIGCONT');
  }
  await waitFor('writes accepted again', async () => (await call(p.port, 'SET', 'k', 'v3')) === 'OK', 15000, 200);
  await stop(p, r);
});

test('repl-timeout: a silent replica is dropped by the primary, a silent primary by the replica', async () => {
  const p = await cinnabar(['--repl-timeout', '2']);
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port), '--repl-timeout', '2', '--replica-serve-stale-data', 'no']);
  await waitInSync(p.port, r.port);
  r.kill('SIGSTOP');
  try {
    await waitFor('primary drops the stopped replica', async () => (await info(p.port)).get('connected_slaves') === '0', 15000, 200);
  } finally {
    r.kill('SIGCONT');
  }
  await waitInSync(p.port, r.port);
  p.kill('SIGSTOP');
  try {
    await waitFor('replica gives the link up', async () => (await info(r.port)).get('master_link_status') === 'down', 15000, 200);
    // replica-serve-stale-data no: data commands are refused while the link is down.
    const e = (await call(r.port, 'GET', 'k')) as Error;
    assert.equal(e.message, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    assert.equal(typeof (await call(r.port, 'INFO', 'replication')), 'string');
  } finally {
    p.kill('SIGCONT');
  }
  await waitInSync(p.port, r.port);
  assert.equal(await call(r.port, 'GET', 'k'), null);
  await stop(p, r);
});

test('a replica that stops reading hits client-output-buffer-limit replica and is dropped', async () => {
  const p = await cinnabar(['--client-output-buffer-limit', 'replica 1mb 512kb 1']);
  // A hand-made replica: handshake, then it never reads again.
  const sock = net.createConnection({ port: p.port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  let got = '';
  const gotFullresync = new Promise<void>((resolve) => {
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('+FULLRESYNC')) resolve();
    });
  });
  sock.write('REPLCONF listening-port 1\r\nREPLCONF capa eof capa psync2\r\nPSYNC ? -1\r\n');
  await gotFullresync;
  await waitFor('replica online', async () => (await info(p.port)).get('slave0')?.includes('state=online'), 10000);
  sock.pause();
  const before = Number((await info(p.port, 'stats')).get('client_output_buffer_limit_disconnections'));
  try {
    await waitFor('replica dropped', async () => {
      await writeKeys(p.port, `big${Date.now()}`, 500, 4096);
      return (await info(p.port)).get('connected_slaves') === '0';
    }, 20000, 10);
  } finally {
    sock.destroy();
  }
  const after = Number((await info(p.port, 'stats')).get('client_output_buffer_limit_disconnections'));
  assert.ok(after > before, 'the drop was not counted as an output buffer limit disconnection');
  assert.equal(await call(p.port, 'PING'), 'PONG');
  await stop(p);
});

test('ROLE and INFO replication on both sides', async () => {
  const p = await cinnabar();
  assert.deepEqual(await call(p.port, 'ROLE'), ['master', 0, []]);
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port), '--replica-priority', '42']);
  await waitInSync(p.port, r.port);
  await waitFor('an ACK', async () => {
    const role = (await call(p.port, 'ROLE')) as [string, number, string[][]];
    return role[2].length === 1 && role[2][0][2] === String(role[1]);
  }, 10000);
  const role = (await call(p.port, 'ROLE')) as [string, number, string[][]];
  assert.deepEqual(role[2][0].slice(0, 2), ['127.0.0.1', String(r.port)]);
  const rr = (await call(r.port, 'ROLE')) as [string, string, number, string, number];
  assert.deepEqual(rr.slice(0, 4), ['slave', '127.0.0.1', p.port, 'connected']);
  assert.equal(rr[4], role[1]);
  const ri = await info(r.port);
  assert.equal(ri.get('slave_priority'), '42');
  assert.equal(ri.get('slave_read_only'), '1');
  assert.equal(ri.get('master_sync_in_progress'), '0');
  await p.stop();
  await waitFor('link down', async () => (await info(r.port)).get('master_link_status') === 'down', 10000);
  const down = await info(r.port);
  assert.match(down.get('master_link_down_since_seconds')!, /^\d+$/);
  const rr2 = (await call(r.port, 'ROLE')) as unknown[];
  assert.ok(['connect', 'connecting'].includes(rr2[3] as string), `state ${String(rr2[3])}`);
  assert.equal(rr2[4], -1);
  await stop(r);
});

test('REPLICAOF errors and the already-connected reply', async () => {
  const p = await cinnabar();
  assert.equal(((await call(p.port, 'REPLICAOF', '127.0.0.1', 'x')) as Error).message, 'ERR Invalid master port');
  assert.equal(((await call(p.port, 'REPLICAOF', '127.0.0.1', '70000')) as Error).message, 'ERR Invalid master port');
  assert.equal(((await call(p.port, 'REPLICAOF', 'a')) as Error).message, "ERR wrong number of arguments for 'replicaof' command");
  const r = await cinnabar();
  assert.equal(await call(r.port, 'SLAVEOF', '127.0.0.1', String(p.port)), 'OK');
  await waitLinkUp(r.port);
  assert.equal(await call(r.port, 'REPLICAOF', '127.0.0.1', String(p.port)), 'OK Already connected to specified master');
  assert.equal(((await call(p.port, 'REPLCONF', 'foo', 'bar')) as Error).message, 'ERR Unrecognized REPLCONF option: foo');
  assert.equal(((await call(p.port, 'REPLCONF', 'getack')) as Error).message, 'ERR syntax error');
  assert.equal(await call(p.port, 'REPLCONF', 'listening-port', '1234', 'capa', 'eof'), 'OK');
  await stop(p, r);
});

test('masterauth against a primary with requirepass; replica-announce-ip/port in INFO and ROLE', async () => {
  const p = await cinnabar();
  // Set after start: the test helper's start-up PING has no password.
  assert.equal(await call(p.port, 'CONFIG', 'SET', 'requirepass', 'secret'), 'OK');
  const bad = await cinnabar(['--replicaof', '127.0.0.1', String(p.port), '--masterauth', 'wrong']);
  const r = await cinnabar([
    '--replicaof', '127.0.0.1', String(p.port),
    '--masterauth', 'secret',
    '--replica-announce-ip', '10.1.2.3',
    '--replica-announce-port', '6390',
  ]);
  const pc = await RespClient.connect({ port: p.port, host: '127.0.0.1' });
  await pc.call('AUTH', 'secret');
  await pc.call('SET', 'k', 'v');
  const primaryInfo = async (): Promise<Map<string, string>> => {
    const text = toPlain(await pc.call('INFO', 'replication')) as string;
    return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
  };
  await waitFor('the authenticated replica in sync', async () => {
    const [pi, ri] = await Promise.all([primaryInfo(), info(r.port)]);
    return ri.get('master_link_status') === 'up' && ri.get('slave_repl_offset') === pi.get('master_repl_offset');
  }, 20000);
  assert.equal(await call(r.port, 'GET', 'k'), 'v');
  const pi = await primaryInfo();
  assert.equal(pi.get('connected_slaves'), '1');
  assert.match(pi.get('slave0')!, /^ip=10\.1\.2\.3,port=6390,state=online,/);
  const role = toPlain(await pc.call('ROLE')) as [string, number, string[][]];
  await waitFor('an ACK in ROLE', async () => ((toPlain(await pc.call('ROLE')) as [string, number, string[][]])[2].length === 1), 10000);
  assert.equal(role[0], 'master');
  assert.equal((await info(bad.port)).get('master_link_status'), 'down');
  assert.match(bad.output(), /Unable to AUTH to MASTER: -WRONGPASS/);
  pc.destroy();
  await stop(p, r, bad);
});

test('DEBUG CHANGE-REPL-ID gives a new history: the replica resynchronizes fully', async () => {
  const p = await cinnabar(['--enable-debug-command', 'yes']);
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await waitInSync(p.port, r.port);
  const before = (await info(p.port)).get('master_replid');
  assert.equal(await call(p.port, 'DEBUG', 'CHANGE-REPL-ID'), 'OK');
  const after = (await info(p.port)).get('master_replid');
  assert.notEqual(after, before);
  await call(r.port, 'CLIENT', 'KILL', 'TYPE', 'master');
  await waitFor('replica follows the new id', async () => (await info(r.port)).get('master_replid') === after && (await inSyncQuick(p.port, r.port)), 20000);
  assert.equal((await info(p.port, 'stats')).get('sync_full'), '2');
  await stop(p, r);
});

async function inSyncQuick(a: number, b: number): Promise<boolean> {
  const [x, y] = await Promise.all([info(a), info(b)]);
  return y.get('master_link_status') === 'up' && x.get('master_repl_offset') === y.get('slave_repl_offset');
}

test('writes during a full sync (the snapshot is fork-less): held for the replica, nothing lost or doubled', async () => {
  const p = await cinnabar();
  await writeKeys(p.port, 'base', 60000, 64);
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  // Write while the snapshot walks: overwrite, delete, create, grow a list.
  const c = await RespClient.connect({ port: p.port, host: '127.0.0.1', commandTimeoutMs: 20000 });
  let rounds = 0;
  let sawSync = false;
  for (let i = 0; i < 400 && !(sawSync && (await info(r.port)).get('master_link_status') === 'up'); i++) {
    const cmds: string[][] = [];
    for (let j = 0; j < 50; j++) {
      const k = (i * 50 + j) % 60000;
      cmds.push(['SET', `base:${k}`, `new-${i}`], ['DEL', `base:${(k + 30000) % 60000}`], ['SET', `fresh:${i}:${j}`, 'x'], ['RPUSH', 'during', String(i * 50 + j)]);
    }
    await c.pipeline(cmds);
    rounds++;
    if (!sawSync) sawSync = /state=(wait_bgsave|send_bulk|online)/.test((await info(p.port)).get('slave0') ?? '');
  }
  c.destroy();
  await waitInSync(p.port, r.port, 30000);
  const n = await assertSameData(p.port, r.port, [0]);
  console.log(`# write rounds during the sync: ${rounds}, keys compared: ${n}`);
  await stop(p, r);
});

test('FAILOVER ... TIMEOUT FORCE switches even when the target never caught up', async () => {
  const p = await cinnabar();
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await waitInSync(p.port, r.port);
  r.kill('SIGSTOP');
  try {
    await call(p.port, 'SET', 'unacked', '1');
    assert.equal(await call(p.port, 'FAILOVER', 'TO', '127.0.0.1', String(r.port), 'TIMEOUT', '500', 'FORCE'), 'OK');
    await waitFor('failing over after the timeout', async () => (await info(p.port)).get('master_failover_state') === 'failover-in-progress', 10000);
    assert.equal((await info(p.port)).get('role'), 'slave');
  } finally {
    r.kill('SIGCONT');
  }
  await waitFor('roles switched', async () => {
    const [a, b] = await Promise.all([info(p.port), info(r.port)]);
    return a.get('master_failover_state') === 'no-failover' && b.get('role') === 'master' && a.get('master_link_status') === 'up';
  }, 20000);
  await waitInSync(r.port, p.port);
  await assertSameData(r.port, p.port, [0]);
  await stop(p, r);
});

test('repl-backlog-ttl: the backlog of a primary without replicas is freed, with a new replication id', async () => {
  const p = await cinnabar(['--repl-backlog-ttl', '1']);
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await waitInSync(p.port, r.port);
  const id = (await info(p.port)).get('master_replid');
  assert.equal((await info(p.port)).get('repl_backlog_active'), '1');
  await r.stop();
  await waitFor('backlog freed', async () => (await info(p.port)).get('repl_backlog_active') === '0', 15000, 200);
  const after = await info(p.port);
  assert.notEqual(after.get('master_replid'), id);
  assert.equal(after.get('repl_backlog_histlen'), '0');
  // With no backlog, writes do not move the offset.
  const off = after.get('master_repl_offset');
  await call(p.port, 'SET', 'k', 'v');
  assert.equal((await info(p.port)).get('master_repl_offset'), off);
  await stop(p);
});
