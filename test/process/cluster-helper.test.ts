// test/helpers/cluster.ts on a real redis-server 7.0 cluster: created by redis-cli --cluster
// create (3 primaries, 1 replica each, cluster-node-timeout 1000), every slot served, the
// owner primaryForSlot names is the one a client is sent to (-MOVED from the others), and
// SIGSTOP of a primary promotes its replica (waitPromoted) while SIGCONT brings the old
// primary back as a replica of the new one. Prints the SIGSTOP-to-promotion time.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { keyHashSlot } from '../../src/keyspace/hash-slot.js';
import { withCluster } from '../helpers/cluster.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import { call, info, waitFor } from '../helpers/wait.js';

test('cluster helper: redis-cli --cluster create, slot owners, SIGSTOP failover and rejoin', { skip: skipIfNoRedis() }, async () => {
  await withCluster({ primaries: 3, replicasEach: 1, nodeTimeoutMs: 1000 }, async (cl) => {
    assert.equal(cl.nodes.length, 6);
    const view = await cl.view();
    const primaries = view.filter((l) => l.flags.includes('master'));
    assert.equal(primaries.length, 3);
    assert.equal(primaries.reduce((n, l) => n + l.slots.reduce((m, [a, b]) => m + b - a + 1, 0), 0), 16384);
    for (const p of primaries) assert.equal(view.filter((l) => l.master === p.id).length, 1, `one replica of ${p.id}`);

    const key = 'helper:{x}';
    const owner = await cl.primaryForSlot(keyHashSlot(key));
    assert.equal(await call(owner.port, 'SET', key, 'v'), 'OK');
    assert.equal(await call(owner.port, 'WAIT', '1', '5000'), 1, 'the replica acknowledged the write');
    for (const n of cl.nodes.filter((x) => x !== owner)) {
      const r = await call(n.port, 'SET', key, 'v');
      assert.ok(r instanceof Error, `${n.port} answered ${String(r)}`);
      assert.equal(r.message, `MOVED ${keyHashSlot(key)} 127.0.0.1:${owner.port}`);
    }

    const [replica] = await cl.replicasOf(owner);
    assert.ok(replica);
    const t0 = Date.now();
    cl.sigstop(owner);
    const promoted = await cl.waitPromoted(owner, 20000, [replica]);
    console.log(`# SIGSTOP of a primary to its replica's promotion: ${Date.now() - t0} ms (cluster-node-timeout 1000)`);
    assert.equal(promoted, replica);
    assert.equal(await call(promoted.port, 'GET', key), 'v', 'the WAIT-acknowledged write survived');
    cl.sigcont(owner);
    await waitFor('the old primary rejoins as a replica of the promoted one', async () => {
      const r = await info(owner.port, 'replication');
      return r.get('role') === 'slave' && r.get('master_port') === String(promoted.port) && r.get('master_link_status') === 'up';
    }, 20000);
    await cl.waitOk(20000);
  });
});
