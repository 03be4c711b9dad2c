// Interop with Debian's redis-sentinel 7.0:
//  - a mixed trio (two real sentinels, one Cinnabar sentinel) over real
//    redis-server nodes: they discover each other through hello messages, vote for
//    each other, and agree on the outcome of a kill -9 failover (any of them may
//    lead) and of a SENTINEL FAILOVER run by Cinnabar's sentinel (Cinnabar leads,
//    the real ones adopt its configuration);
//  - a real redis-sentinel trio failing over Cinnabar data nodes. That needs
//    Cinnabar's replication: the data nodes are Cinnabar's when a Cinnabar replica
//    can sync from a Cinnabar primary (probed first), or when
//    CINNABAR_SENTINEL_DATA=cinnabar forces it; otherwise the test is skipped with
//    the reason printed.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { skipIfNoRedis } from '../helpers/servers.js';
import {
  EventLog,
  asMap,
  call,
  cinnabarReplicationWorks,
  masterPortOf,
  startDataNodes,
  startSentinel,
  waitDiscovery,
  waitFor,
  waitReplicasOf,
  type DataNodes,
  type Kind,
  type SentinelHandle,
} from '../helpers/sentinel.js';

async function stopAll(data: DataNodes | null, sentinels: SentinelHandle[], events: EventLog[]): Promise<void> {
  for (const e of events) e.close();
  await Promise.all([...sentinels.map((s) => s.stop()), ...(data?.all ?? []).map((d) => d.stop())]);
}

function waitSwitch(sentinels: SentinelHandle[], oldPort: number, timeoutMs: number): Promise<number> {
  return waitFor(
    'every sentinel to name the same new master',
    async () => {
      const ports = await Promise.all(sentinels.map((s) => masterPortOf(s)));
      return ports.every((p) => p !== null && p !== oldPort && p === ports[0]) ? (ports[0] as number) : undefined;
    },
    timeoutMs,
    100,
  );
}

describe('sentinel interop with redis-sentinel 7.0', { skip: skipIfNoRedis() }, () => {
  test('mixed trio (2 redis-sentinel + 1 Cinnabar): kill -9 failover, then a failover led by Cinnabar', async () => {
    let data: DataNodes | null = null;
    const sentinels: SentinelHandle[] = [];
    const events: EventLog[] = [];
    try {
      data = await startDataNodes('redis', 2);
      const d = data;
      for (const kind of ['redis', 'redis', 'cinnabar'] as Kind[]) {
        sentinels.push(await startSentinel(kind, d.primary.port, { quorum: 2, downAfterMs: 1000, failoverTimeoutMs: 5000 }));
      }
      await waitDiscovery(sentinels, 2);
      const cin = sentinels[2];
      // The real sentinels list ours with its run id, as we list them.
      const myid = (await call(cin.port, 'SENTINEL', 'MYID')) as string;
      const seen = ((await call(sentinels[0].port, 'SENTINEL', 'SENTINELS', 'mymaster')) as string[][]).map(asMap);
      assert.ok(seen.some((s) => s['runid'] === myid && s['port'] === String(cin.port)));
      const cinEvents = await EventLog.open(cin.port);
      events.push(cinEvents);

      const oldPort = d.primary.port;
      const fault = Date.now();
      d.primary.kill('SIGKILL');
      const p1 = await waitSwitch(sentinels, oldPort, 30000);
      console.log(`# mixed trio, kill -9: all three sentinels agree on ${p1} after ${Date.now() - fault} ms`);
      const other = d.replicas.find((r) => r.port !== p1)!;
      await waitReplicasOf(p1, [other.port], 20000);
      await cinEvents.wait('+switch-master', 5000, (m) => m === `mymaster 127.0.0.1 ${oldPort} 127.0.0.1 ${p1}`);
      const epoch1 = Number(asMap(await call(cin.port, 'SENTINEL', 'MASTER', 'mymaster'))['config-epoch']);

      // Cinnabar's sentinel runs a failover; the real sentinels adopt the result.
      await waitFor('Cinnabar sentinel to accept SENTINEL FAILOVER', async () => (await call(cin.port, 'SENTINEL', 'FAILOVER', 'mymaster')) === 'OK', 20000, 200);
      const t2 = Date.now();
      const p2 = await waitSwitch(sentinels, p1, 30000);
      assert.equal(p2, other.port);
      console.log(`# mixed trio, SENTINEL FAILOVER by Cinnabar: all three agree on ${p2} after ${Date.now() - t2} ms`);
      await cinEvents.wait('+elected-leader', 5000);
      await cinEvents.wait('+promoted-slave', 5000, (m) => m.startsWith(`slave 127.0.0.1:${p2} `));
      await waitReplicasOf(p2, [p1], 30000);
      for (const s of sentinels) {
        await waitFor(
          `${s.kind} sentinel ${s.port} to adopt config-epoch > ${epoch1}`,
          async () => Number(asMap(await call(s.port, 'SENTINEL', 'MASTER', 'mymaster'))['config-epoch']) > epoch1,
          10000,
          100,
        );
      }
    } finally {
      await stopAll(data, sentinels, events);
    }
  });

  describe('redis-sentinel trio over Cinnabar data nodes', () => {
    let reason: string | false = false;
    before(async () => {
      if (process.env['CINNABAR_SENTINEL_DATA'] === 'cinnabar') return;
      if (!(await cinnabarReplicationWorks())) {
        reason = 'Cinnabar replication is not available yet (a Cinnabar replica did not sync from a Cinnabar primary); set CINNABAR_SENTINEL_DATA=cinnabar to force';
        console.log(`# skipping: ${reason}`);
      }
    });

    test('kill -9 the Cinnabar primary: a Cinnabar replica is promoted, the other follows it', async (t) => {
      if (reason) {
        t.skip(reason);
        return;
      }
      let data: DataNodes | null = null;
      const sentinels: SentinelHandle[] = [];
      try {
        data = await startDataNodes('cinnabar', 2);
        const d = data;
        for (let i = 0; i < 3; i++) sentinels.push(await startSentinel('redis', d.primary.port, { quorum: 2, downAfterMs: 1000, failoverTimeoutMs: 5000 }));
        await waitDiscovery(sentinels, 2);
        await call(d.primary.port, 'SET', 'before', 'failover');
        for (const r of d.replicas) await waitFor(`the write to reach replica ${r.port}`, async () => (await call(r.port, 'GET', 'before')) === 'failover', 10000);
        const oldPort = d.primary.port;
        const fault = Date.now();
        d.primary.kill('SIGKILL');
        const p1 = await waitSwitch(sentinels, oldPort, 30000);
        console.log(`# redis-sentinel over Cinnabar, kill -9: new master ${p1} after ${Date.now() - fault} ms`);
        const other = d.replicas.find((r) => r.port !== p1)!;
        await waitReplicasOf(p1, [other.port], 30000);
        assert.equal(await call(p1, 'GET', 'before'), 'failover');
        assert.equal(await call(p1, 'SET', 'after', 'failover'), 'OK');
        await waitFor('the write to reach the other replica', async () => (await call(other.port, 'GET', 'after')) === 'failover', 10000);
      } finally {
        await stopAll(data, sentinels, []);
      }
    });
  });
});
