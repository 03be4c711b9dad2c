// PSYNC2 across a restart: a replica (or a primary turned replica) saved with
// SHUTDOWN SAVE records where it stood in its primary's stream (RDB AUX fields
// repl-stream-db, repl-id, repl-offset); restarted with replicaof, it continues
// with a partial resynchronization. Each case runs with redis-server in every
// role as the reference, and with Cinnabar in the roles, mixed both ways: the
// file one kind saved is loaded by the other kind too (our AUX fields read by
// redis-server, redis-server's by us).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { RespClient } from '../../src/protocol/resp-client.js';
import { call, datasetDiff, datasetOf, info, startServer, waitFor, waitInSync, type Kind } from '../helpers/replication.js';

const skip = skipIfNoRedis();
const started: ServerHandle[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const FAST = ['--repl-diskless-sync-delay', '0'];

async function start(kind: Kind, args: string[] = []): Promise<ServerHandle> {
  const s = await startServer(kind, [...FAST, ...args]);
  started.push(s);
  return s;
}

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-restart-'));
  dirs.push(d);
  return d;
}

async function fill(port: number, tag: string, n = 300): Promise<void> {
  const c = await RespClient.connect({ port, host: '127.0.0.1', timeoutMs: 3000, commandTimeoutMs: 10000 });
  try {
    const cmds: string[][] = [['SELECT', '3']];
    for (let i = 0; i < n; i++) cmds.push(['SET', `${tag}:k${i}`, `v${i}`]);
    cmds.push(['RPUSH', `${tag}:l`, 'a', 'b'], ['SELECT', '0'], ['HSET', `${tag}:h`, 'f', 'v'], ['SELECT', '3']);
    // The stream is left in db 3: the restarted replica must know it (repl-stream-db).
    cmds.push(['INCR', `${tag}:last`]);
    await c.pipeline(cmds);
  } finally {
    c.destroy();
  }
}

/** SHUTDOWN SAVE (the connection closes without a reply) and wait for the exit. */
async function shutdownSave(s: ServerHandle): Promise<void> {
  try {
    await call(s.port, 'SHUTDOWN', 'SAVE');
  } catch {
    // the server exits before replying
  }
  await waitFor(`:${s.port} exited`, () => s.exited, 15000);
}

async function sameData(a: number, b: number): Promise<void> {
  const [da, db] = await Promise.all([datasetOf(a, [0, 3]), datasetOf(b, [0, 3])]);
  assert.deepEqual(datasetDiff(da, db), [], `datasets of :${a} and :${b} differ`);
  assert.ok(da.size > 100);
}

async function syncStats(port: number): Promise<{ full: number; partial: number }> {
  const st = await info(port, 'stats');
  return { full: Number(st.get('sync_full')), partial: Number(st.get('sync_partial_ok')) };
}

const name = (k: Kind): string => (k === 'redis' ? 'redis-server' : 'Cinnabar');

// [primary, the replica that saves, the server restarted from its file]
const replicaCases: Array<[Kind, Kind, Kind]> = [
  ['redis', 'redis', 'redis'],
  ['cinnabar', 'cinnabar', 'cinnabar'],
  ['redis', 'cinnabar', 'cinnabar'],
  ['cinnabar', 'redis', 'redis'],
  ['cinnabar', 'cinnabar', 'redis'],
  ['redis', 'redis', 'cinnabar'],
];

for (const [pk, sk, rk] of replicaCases) {
  test(`${name(sk)} replica of a ${name(pk)} primary, SHUTDOWN SAVE, restarted as ${name(rk)}: partial resync`, { skip }, async () => {
    const dir = tempDir();
    const p = await start(pk);
    await fill(p.port, 'pre');
    const r = await start(sk, ['--dir', dir, '--replicaof', '127.0.0.1', String(p.port)]);
    await waitInSync(p.port, r.port);
    await fill(p.port, 'mid', 50);
    await waitInSync(p.port, r.port);
    const before = await syncStats(p.port);
    assert.equal(before.full, 1);
    await shutdownSave(r);
    assert.ok(fs.existsSync(path.join(dir, 'dump.rdb')), 'the replica saved dump.rdb');
    // Writes while the replica is down: the backlog carries them.
    await fill(p.port, 'down', 50);
    const r2 = await start(rk, ['--dir', dir, '--replicaof', '127.0.0.1', String(p.port)]);
    await waitInSync(p.port, r2.port);
    const afterStats = await syncStats(p.port);
    assert.equal(afterStats.full, before.full, 'no full sync after the restart');
    assert.equal(afterStats.partial, before.partial + 1, 'one partial resync after the restart');
    // The stream continues in the right database.
    await call(p.port, 'INCR', 'down:last');
    await waitInSync(p.port, r2.port);
    await sameData(p.port, r2.port);
    await Promise.all([p.stop(), r.stop(), r2.stop()]);
  });
}

// [the primary that saves and turns replica, its replica promoted]
const turnedCases: Array<[Kind, Kind]> = [
  ['redis', 'redis'],
  ['cinnabar', 'cinnabar'],
  ['cinnabar', 'redis'],
  ['redis', 'cinnabar'],
];

for (const [ok, nk] of turnedCases) {
  test(`${name(ok)} primary saved on SHUTDOWN, its ${name(nk)} replica promoted, restarted as its replica: partial resync`, { skip }, async () => {
    const dir = tempDir();
    const p = await start(ok, ['--dir', dir]);
    const r = await start(nk, ['--replicaof', '127.0.0.1', String(p.port)]);
    await fill(p.port, 'pre');
    await waitInSync(p.port, r.port);
    await shutdownSave(p);
    await waitFor('link down', async () => (await info(r.port)).get('master_link_status') === 'down', 15000);
    assert.equal(await call(r.port, 'REPLICAOF', 'NO', 'ONE'), 'OK');
    await fill(r.port, 'promoted', 50);
    const p2 = await start(ok, ['--dir', dir, '--replicaof', '127.0.0.1', String(r.port)]);
    await waitInSync(r.port, p2.port);
    const st = await syncStats(r.port);
    assert.equal(st.full, 0, 'no full sync');
    assert.equal(st.partial, 1, 'a partial resync on the promoted replica');
    await sameData(r.port, p2.port);
    await Promise.all([p.stop(), r.stop(), p2.stop()]);
  });
}
