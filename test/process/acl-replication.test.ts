// masteruser / masterauth against an ACL user on the primary, both ways across
// Cinnabar and redis-server 7.0: the replica authenticates as the replication user
// (AUTH user pass), which holds only +psync +replconf +ping, syncs, and the
// primary's CLIENT LIST shows the replica's link as that user. A wrong password
// leaves the link down.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { startServer, waitInSync, waitFor, call, info } from '../helpers/replication.js';

const skip = skipIfNoRedis();

async function stop(...s: ServerHandle[]): Promise<void> {
  await Promise.all(s.map((x) => x.stop()));
}

for (const [pk, rk] of [
  ['cinnabar', 'redis'],
  ['redis', 'cinnabar'],
] as const) {
  test(`masteruser: a ${rk} replica authenticates to a ${pk} primary as an ACL user`, { skip }, async () => {
    const p = await startServer(pk);
    const servers: ServerHandle[] = [p];
    try {
      assert.equal(await call(p.port, 'ACL', 'SETUSER', 'repl', 'on', '>rpass', '-@all', '+psync', '+replconf', '+ping'), 'OK');
      assert.equal(await call(p.port, 'SET', 'k', 'v'), 'OK');
      const r = await startServer(rk, ['--replicaof', '127.0.0.1', String(p.port), '--masteruser', 'repl', '--masterauth', 'rpass']);
      servers.push(r);
      const bad = await startServer(rk, ['--replicaof', '127.0.0.1', String(p.port), '--masteruser', 'repl', '--masterauth', 'wrong']);
      servers.push(bad);
      await waitInSync(p.port, r.port);
      assert.equal(await call(r.port, 'GET', 'k'), 'v');
      const list = (await call(p.port, 'CLIENT', 'LIST', 'TYPE', 'replica')) as string;
      const lines = list.split('\n').filter((l) => l.includes('flags=S'));
      assert.equal(lines.length, 1, list);
      assert.match(lines[0], / user=repl /);
      assert.equal(await call(p.port, 'ACL', 'DRYRUN', 'repl', 'FLUSHALL').then(String).then((s) => s.includes('no permissions')), true);
      await waitFor('the wrong password is refused', async () => (await info(bad.port)).get('master_link_status') === 'down' && /WRONGPASS|AUTH/.test(bad.output()), 10000);
    } finally {
      await stop(...servers);
    }
  });
}
