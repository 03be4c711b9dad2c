// Clusters built by `redis-cli --cluster create` (test/helpers/cluster.ts) over the
// cluster bus (src/cluster/bus.ts): three Cinnabar primaries; three Cinnabar
// primaries with a Cinnabar replica each; and a mixed cluster of Cinnabar and
// redis-server 7.0 nodes, primaries and replicas of both kinds. Each must reach
// cluster_state:ok on every node with every node knowing every other, pass
// `redis-cli --cluster check`, agree on the slot map, and serve keys of every slot
// range through `redis-cli -c` redirections (MOVED followed to both kinds of node).
// A malformed frame on the bus port closes that link only: the node stays up and in
// the cluster.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as net from 'node:net';
import { Redis } from 'ioredis';
import { withCluster, clusterNodes, type Cluster, type ClusterNode, type NodeKind } from '../helpers/cluster.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import { call, waitFor } from '../helpers/wait.js';

function redisCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: 30000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout)));
  });
}

/** The slot map as one node sees it: "start-end:owner-id" sorted. */
async function slotMap(port: number): Promise<string[]> {
  const lines = await clusterNodes(port);
  const out: string[] = [];
  for (const l of lines) for (const [a, b] of l.slots) out.push(`${a}-${b}:${l.id}`);
  return out.sort();
}

async function checkCluster(cl: Cluster): Promise<void> {
  const first = cl.nodes[0]!;
  const check = await redisCli(['--cluster', 'check', `127.0.0.1:${first.port}`]);
  assert.match(check, /\[OK\] All nodes agree about slots configuration\./, check);
  assert.match(check, /\[OK\] All 16384 slots covered\./, check);
  const maps = await Promise.all(cl.nodes.map((n) => slotMap(n.port)));
  for (const m of maps) assert.deepEqual(m, maps[0]);
  for (const n of cl.nodes) {
    const info = String(await call(n.port, 'CLUSTER', 'INFO'));
    assert.match(info, /cluster_state:ok/, `${n.kind} :${n.port}`);
    assert.match(info, new RegExp(`cluster_known_nodes:${cl.nodes.length}\\r\\n`), `${n.kind} :${n.port}: ${info}`);
  }
  // Keys of many slots, written and read through redirections from every node.
  for (let i = 0; i < 12; i++) {
    const from = cl.nodes[i % cl.nodes.length]!;
    assert.equal((await redisCli(['-c', '-p', String(from.port), 'SET', `key:${i}`, `v${i}`])).trim(), 'OK');
  }
  for (let i = 0; i < 12; i++) {
    const from = cl.nodes[(i + 1) % cl.nodes.length]!;
    assert.equal((await redisCli(['-c', '-p', String(from.port), 'GET', `key:${i}`])).trim(), `v${i}`);
  }
}

/** PUBLISH on `from` reaches a subscriber on `to` over the bus (the PUBLISH message). */
async function publishAcross(from: ClusterNode, to: ClusterNode, channel: string): Promise<void> {
  const sub = new Redis({ port: to.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await sub.connect();
    await sub.subscribe(channel);
    const got = new Promise<[string, string]>((resolve) => sub.on('message', (ch: string, msg: string) => resolve([ch, msg])));
    // Repeated until heard, within a deadline (a PUBLISH sent while a bus link reconnects is lost, as in Redis).
    let heard: [string, string] | null = null;
    void got.then((v) => (heard = v));
    await waitFor(`${from.kind} :${from.port} -> ${to.kind} :${to.port} PUBLISH`, async () => {
      await call(from.port, 'PUBLISH', channel, `from ${from.kind}`);
      return heard !== null;
    }, 10000);
    assert.deepEqual(heard, [channel, `from ${from.kind}`]);
  } finally {
    sub.disconnect();
  }
}

describe('clusters created by redis-cli --cluster create', { skip: skipIfNoRedis() }, () => {
  test('three Cinnabar primaries', async () => {
    await withCluster({ primaries: 3, replicasEach: 0, kinds: ['cinnabar', 'cinnabar', 'cinnabar'], nodeTimeoutMs: 5000 }, async (cl) => {
      await checkCluster(cl);
      await publishAcross(cl.nodes[0]!, cl.nodes[2]!, 'news');
      // Garbage on a bus port: that link is closed and logged, the node stays in the cluster.
      const victim = cl.nodes[1]!;
      const s = net.connect({ host: '127.0.0.1', port: victim.busPort });
      await new Promise<void>((resolve) => s.once('connect', () => resolve()));
      s.write(Buffer.from('GARBAGE GARBAGE GARBAGE GARBAGE'));
      await new Promise<void>((resolve) => s.once('close', () => resolve()));
      await waitFor('the bad frame logged', () => /Closing the cluster bus link with .*bad signature/.test(victim.handle.output()), 10000);
      assert.equal(await call(victim.port, 'PING'), 'PONG');
      assert.match(String(await call(victim.port, 'CLUSTER', 'INFO')), /cluster_state:ok/);
    });
  });

  test('three Cinnabar primaries with a Cinnabar replica each', async () => {
    await withCluster({ primaries: 3, replicasEach: 1, kinds: Array<NodeKind>(6).fill('cinnabar'), nodeTimeoutMs: 5000 }, async (cl) => {
      await checkCluster(cl);
      const lines = await clusterNodes(cl.nodes[0]!.port);
      assert.equal(lines.filter((l) => l.flags.includes('slave')).length, 3, JSON.stringify(lines));
    });
  });

  test('a mixed cluster: Cinnabar and redis-server 7.0 primaries and replicas', async () => {
    const kinds: NodeKind[] = ['cinnabar', 'redis', 'cinnabar', 'redis', 'cinnabar', 'redis'];
    await withCluster({ primaries: 3, replicasEach: 1, kinds, nodeTimeoutMs: 5000 }, async (cl) => {
      await checkCluster(cl);
      const lines = await clusterNodes(cl.nodes[1]!.port);
      const primaries = lines.filter((l) => l.flags.includes('master')).map((l) => cl.nodes.find((n) => n.id === l.id)!.kind);
      assert.ok(primaries.includes('cinnabar') && primaries.includes('redis'), primaries.join(','));
      // PUBLISH over the bus both ways between the two kinds.
      await publishAcross(cl.nodes[0]!, cl.nodes[1]!, 'to-redis');
      await publishAcross(cl.nodes[1]!, cl.nodes[0]!, 'to-cinnabar');
    });
  });
});
