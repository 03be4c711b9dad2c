// test/helpers/cluster.ts on a real redis-server 7.0 cluster: created by redis-cli --cluster
// create (3 primaries, 1 replica each, cluster-node-timeout 2000), every slot served, the
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
  // node-timeout 2000: at 1000 a loaded machine stalls nodes long enough for failovers nobody asked for.
  await withCluster({ primaries: 3, replicasEach: 1, nodeTimeoutMs: 2000 }, async (cl) => {
    const epochAtStart = /cluster_current_epoch:(\d+)/.exec(String(await call(cl.nodes[0]!.port, 'CLUSTER', 'INFO')))?.[1];
    assert.equal(cl.nodes.length, 6);
    const view = await cl.view();
    const primaries = view.filter((l) => l.flags.includes('master'));
    assert.equal(primaries.length, 3);
    assert.equal(primaries.reduce((n, l) => n + l.slots.reduce((m, [a, b]) => m + b - a + 1, 0), 0), 16384);
    for (const p of primaries) assert.equal(view.filter((l) => l.master === p.id).length, 1, `one replica of ${p.id}`);

    const key = 'helper:{x}';
    const owner = await cl.primaryForSlot(keyHashSlot(key));
    // SET and WAIT on one connection: WAIT waits for the offset of its own client's last write.
    const oc = await owner.handle.client();
    assert.deepEqual(await oc.call('SET', key, 'v'), { t: 'simple', v: 'OK' });
    assert.deepEqual(await oc.call('WAIT', '1', '10000'), { t: 'int', v: 1n }, 'the replica acknowledged the write');
    oc.destroy();
    for (const n of cl.nodes.filter((x) => x !== owner)) {
      const r = await call(n.port, 'SET', key, 'v');
      assert.ok(r instanceof Error, `${n.port} answered ${String(r)}`);
      assert.equal(r.message, `MOVED ${keyHashSlot(key)} 127.0.0.1:${owner.port}`);
    }

    const [replica] = await cl.replicasOf(owner);
    assert.ok(replica);
    // No failover happened on its own since the creation (it would make the rest meaningless).
    assert.equal(/cluster_current_epoch:(\d+)/.exec(String(await call(owner.port, 'CLUSTER', 'INFO')))?.[1], epochAtStart);
    const t0 = Date.now();
    cl.sigstop(owner);
    const promoted = await cl.waitPromoted(owner, 20000, [replica]);
    console.log(`# SIGSTOP of a primary to its replica's promotion: ${Date.now() - t0} ms (cluster-node-timeout 2000)`);
    assert.equal(promoted, replica);
    const got = await call(promoted.port, 'GET', key);
    if (got !== 'v') {
      for (const n of cl.nodes) if (!n.stopped) console.log(`--- :${n.port} ${n.id}\n${String(await call(n.port, 'INFO', 'replication'))}\n${n.handle.output().split('\n').slice(-30).join('\n')}`);
      console.log(String(await call(promoted.port, 'CLUSTER', 'NODES')));
    }
    assert.equal(got, 'v', 'the WAIT-acknowledged write survived');
    cl.sigcont(owner);
    await waitFor('the old primary rejoins as a replica of the promoted one', async () => {
      const r = await info(owner.port, 'replication');
      return r.get('role') === 'slave' && r.get('master_port') === String(promoted.port) && r.get('master_link_status') === 'up';
    }, 20000);
    await cl.waitOk(20000);
  });
});
