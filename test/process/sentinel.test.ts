// Fault tests for Cinnabar's sentinel: three Cinnabar sentinels watching a primary
// with two replicas, clients writing through ioredis (sentinels:) and node-redis
// (createSentinel). Each test prints the time from the fault to the first write
// acknowledged through each client, and how many acknowledged writes were lost.
//
// Data nodes are real redis-server processes unless CINNABAR_SENTINEL_DATA=cinnabar
// (Cinnabar's own replication).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { skipIfNoRedis } from '../helpers/servers.js';
import {
  EventLog,
  asMap,
  call,
  countLost,
  masterPortOf,
  settledAfterFault,
  startDataNodes,
  startSentinel,
  startSentinelClients,
  startSentinelOn,
  waitDiscovery,
  waitFor,
  waitReplicasOf,
  type DataNodes,
  type Kind,
  type SentinelClients,
  type SentinelHandle,
} from '../helpers/sentinel.js';

const DATA: Kind = process.env['CINNABAR_SENTINEL_DATA'] === 'cinnabar' ? 'cinnabar' : 'redis';
/** Acknowledged writes a failover may lose with asynchronous replication (the bound the tests assert). */
const LOST_MAX = 20;

interface Cluster {
  data: DataNodes;
  sentinels: SentinelHandle[];
}

async function startCluster(quorum: number, failoverTimeoutMs: number): Promise<Cluster> {
  const data = await startDataNodes(DATA, 2);
  const sentinels: SentinelHandle[] = [];
  for (let i = 0; i < 3; i++) sentinels.push(await startSentinel('cinnabar', data.primary.port, { quorum, downAfterMs: 1000, failoverTimeoutMs }));
  await waitDiscovery(sentinels, 2);
  return { data, sentinels };
}

async function stopCluster(c: Cluster | null, clients: SentinelClients | null, events: EventLog | null): Promise<void> {
  events?.close();
  await clients?.close().catch(() => {});
  if (c === null) return;
  for (const p of [...c.data.all, ...c.sentinels.map((s) => s.proc)]) p.kill('SIGCONT');
  await Promise.all([...c.sentinels.map((s) => s.stop()), ...c.data.all.map((d) => d.stop())]);
}

/** All sentinels name the same master, other than `oldPort`; returns its port. */
function waitSwitch(sentinels: SentinelHandle[], oldPort: number, timeoutMs: number): Promise<number> {
  return waitFor(
    'every sentinel to switch to a new master',
    async () => {
      const ports = await Promise.all(sentinels.map((s) => masterPortOf(s)));
      return ports.every((p) => p !== null && p !== oldPort && p === ports[0]) ? (ports[0] as number) : undefined;
    },
    timeoutMs,
    100,
  );
}

/**
 * Prints, per client, the time from the fault to the first write acknowledged by
 * the new master (acknowledged after `settled`, when nothing from the old primary
 * can still arrive), and the acknowledged writes missing on the new master.
 */
async function reportWrites(label: string, clients: SentinelClients, fault: number, settled: number, masterPort: number): Promise<void> {
  for (const w of clients.writers) {
    const first = w.firstAckAfter(settled);
    assert.ok(first, `${w.label}: no write acknowledged after the fault`);
    const lost = await countLost(masterPort, w);
    console.log(
      `# ${label} [${w.label}]: fault-to-first-write ${first.at - fault} ms; acknowledged writes ${w.acked.length}, lost ${lost}, failed calls ${w.failures}` +
        (w.label === 'ioredis' ? `, client reconnected by the application ${clients.ioRestarts.n}x` : ''),
    );
    assert.ok(lost <= LOST_MAX, `${w.label} lost ${lost} acknowledged writes (bound ${LOST_MAX})`);
  }
}

describe(`sentinel failover: Cinnabar sentinels, ${DATA} data nodes`, { skip: skipIfNoRedis() }, () => {
  test('kill -9 the primary: a replica is promoted, clients follow, state survives a sentinel restart', async () => {
    let c: Cluster | null = null;
    let clients: SentinelClients | null = null;
    let events: EventLog | null = null;
    let others: EventLog[] = [];
    try {
      c = await startCluster(2, 5000);
      const cl = c;
      const oldPort = cl.data.primary.port;
      events = await EventLog.open(cl.sentinels[0].port);
      // The other sentinels' events too: a sentinel that learns the new master from
      // the leader's hello before its own down-after period ends never marks the old
      // master SDOWN, so that event is only certain on the sentinels that voted it down.
      others = await Promise.all(cl.sentinels.slice(1).map((s) => EventLog.open(s.port)));
      clients = await startSentinelClients(cl.sentinels.map((s) => s.port));
      const writers = clients.writers;
      await waitFor('writes through both clients', () => writers.every((w) => w.acked.length >= 50), 15000);

      const fault = Date.now();
      cl.data.primary.kill('SIGKILL');
      const settled = await settledAfterFault(cl.data.primary, 'SIGKILL');
      const newPort = await waitSwitch(cl.sentinels, oldPort, 30000);
      console.log(`# kill -9: every sentinel names the new master after ${Date.now() - fault} ms`);
      assert.ok(cl.data.replicas.some((r) => r.port === newPort), 'the new master is one of the replicas');
      await Promise.all(writers.map((w) => waitFor(`${w.label} write after the fault`, () => w.firstAckAfter(settled), 30000)));
      const other = cl.data.replicas.find((r) => r.port !== newPort)!;
      await waitReplicasOf(newPort, [other.port], 20000);
      const role = (await call(newPort, 'ROLE')) as unknown[];
      assert.equal(role[0], 'master');
      // A little traffic on the new master, then the account of every write.
      const base = writers.map((w) => w.acked.length);
      await waitFor('writes on the new master', () => writers.every((w, i) => w.acked.length >= base[i] + 50), 15000);
      await clients.close();
      await reportWrites('kill -9', clients, fault, settled, newPort);
      clients = null;

      // The events a client sees, in Redis's formats.
      const ev = events;
      await ev.wait('+switch-master', 5000, (m) => m === `mymaster 127.0.0.1 ${oldPort} 127.0.0.1 ${newPort}`);
      const sdown = (m: string): boolean => m === `master mymaster 127.0.0.1 ${oldPort}`;
      assert.ok([ev, ...others].filter((l) => l.has('+sdown', sdown)).length >= 2, 'the quorum (2) of sentinels marked the old master +sdown');
      assert.ok(ev.has('+slave', (m) => m === `slave 127.0.0.1:${oldPort} 127.0.0.1 ${oldPort} @ mymaster 127.0.0.1 ${newPort}`));
      await ev.wait('+sdown', 5000, (m) => m.startsWith(`slave 127.0.0.1:${oldPort} `));

      // Every sentinel wrote the new configuration; one restarted from its file carries on.
      const s2 = cl.sentinels[2];
      const myid = (await call(s2.port, 'SENTINEL', 'MYID')) as string;
      await s2.stop();
      const conf = fs.readFileSync(s2.confPath, 'latin1');
      assert.match(conf, new RegExp(`^sentinel monitor mymaster 127\\.0\\.0\\.1 ${newPort} 2$`, 'm'));
      assert.match(conf, new RegExp(`^sentinel known-replica mymaster 127\\.0\\.0\\.1 ${oldPort}$`, 'm'));
      assert.match(conf, /^sentinel current-epoch [1-9]\d*$/m);
      assert.match(conf, new RegExp(`^sentinel myid ${myid}$`, 'm'));
      const restarted = await startSentinelOn('cinnabar', s2.confPath, s2.dir, s2.port);
      cl.sentinels[2] = restarted;
      assert.equal(await call(restarted.port, 'SENTINEL', 'MYID'), myid);
      assert.equal(await masterPortOf(restarted), newPort);
      const m = asMap(await call(restarted.port, 'SENTINEL', 'MASTER', 'mymaster'));
      assert.equal(m['num-other-sentinels'], '2');
      assert.ok(Number(m['config-epoch']) >= 1);
      await waitFor('restarted sentinel sees the master up', async () => asMap(await call(restarted.port, 'SENTINEL', 'MASTER', 'mymaster'))['flags'] === 'master', 10000);
    } finally {
      for (const l of others) l.close();
      await stopCluster(c, clients, events);
    }
  });

  test('SIGSTOP the primary: failover, and after SIGCONT the old primary becomes a replica', async () => {
    let c: Cluster | null = null;
    let clients: SentinelClients | null = null;
    try {
      c = await startCluster(2, 5000);
      const cl = c;
      const oldPort = cl.data.primary.port;
      clients = await startSentinelClients(cl.sentinels.map((s) => s.port));
      const writers = clients.writers;
      await waitFor('writes through both clients', () => writers.every((w) => w.acked.length >= 50), 15000);

      const fault = Date.now();
      cl.data.primary.kill('SIGSTOP');
      const settled = await settledAfterFault(cl.data.primary, 'SIGSTOP');
      const newPort = await waitSwitch(cl.sentinels, oldPort, 30000);
      console.log(`# SIGSTOP: every sentinel names the new master after ${Date.now() - fault} ms`);
      await Promise.all(writers.map((w) => waitFor(`${w.label} write after the fault`, () => w.firstAckAfter(settled), 30000)));

      const resumed = Date.now();
      cl.data.primary.kill('SIGCONT');
      // The old primary is told to follow the new one (after Redis's 8 s of stability).
      await waitReplicasOf(newPort, [oldPort], 40000);
      console.log(`# SIGCONT: the old primary replicates from the new master ${Date.now() - resumed} ms after resuming`);
      const other = cl.data.replicas.find((r) => r.port !== newPort)!;
      await waitReplicasOf(newPort, [other.port], 20000);
      const base = writers.map((w) => w.acked.length);
      await waitFor('writes on the new master', () => writers.every((w, i) => w.acked.length >= base[i] + 50), 15000);
      await clients.close();
      await reportWrites('SIGSTOP', clients, fault, settled, newPort);
      clients = null;
      // Every sentinel lists the old primary as a replica of the new master.
      for (const s of cl.sentinels) {
        await waitFor(
          `sentinel ${s.port} to see ${oldPort} as a replica`,
          async () => {
            const reps = (await call(s.port, 'SENTINEL', 'REPLICAS', 'mymaster')) as unknown[];
            return reps.map((r) => asMap(r as string[])).some((r) => r['port'] === String(oldPort) && r['master-port'] === String(newPort));
          },
          15000,
          200,
        );
      }
    } finally {
      await stopCluster(c, clients, null);
    }
  });

  test('a minority of sentinels never promotes', async () => {
    let c: Cluster | null = null;
    let events: EventLog | null = null;
    try {
      c = await startCluster(2, 3000);
      const cl = c;
      const oldPort = cl.data.primary.port;
      const alone = cl.sentinels[0];
      events = await EventLog.open(alone.port);
      const ev = events;
      // Two of the three sentinels hang: the third is on its own.
      cl.sentinels[1].proc.kill('SIGSTOP');
      cl.sentinels[2].proc.kill('SIGSTOP');
      const fault = Date.now();
      cl.data.primary.kill('SIGKILL');
      await ev.wait('+sdown', 10000, (m) => m === `master mymaster 127.0.0.1 ${oldPort}`);

      // Quorum 2: one sentinel alone never reaches ODOWN. Watched for 4 s.
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        assert.ok(!ev.has('+odown'), 'ODOWN reached without a quorum');
        assert.equal(await masterPortOf(alone), oldPort);
        await new Promise((r) => setTimeout(r, 200));
      }

      // Quorum 1: ODOWN, a failover attempt, but no majority to elect a leader.
      assert.equal(await call(alone.port, 'SENTINEL', 'SET', 'mymaster', 'quorum', '1'), 'OK');
      await ev.wait('+odown', 10000, (m) => m === `master mymaster 127.0.0.1 ${oldPort} #quorum 1/1`);
      await ev.wait('+try-failover', 10000);
      const abort = await ev.wait('-failover-abort-not-elected', 15000, (m) => m === `master mymaster 127.0.0.1 ${oldPort}`);
      console.log(`# minority: -failover-abort-not-elected ${abort.at - fault} ms after the fault; no promotion`);
      assert.ok(!ev.has('+elected-leader'));
      assert.ok(!ev.has('+switch-master'));
      assert.equal(await masterPortOf(alone), oldPort);
      for (const r of cl.data.replicas) {
        const role = (await call(r.port, 'ROLE')) as unknown[];
        assert.equal(role[0], 'slave', `replica ${r.port} must not be promoted`);
      }
      // A sentinel that was stopped for seconds distrusts its timings: TILT mode,
      // in which it reports no master as down.
      const woken = cl.sentinels[1];
      woken.proc.kill('SIGCONT');
      await waitFor('TILT on the resumed sentinel', async () => /^sentinel_tilt:1$/m.test(String(await call(woken.port, 'INFO', 'sentinel')).replace(/\r/g, '')), 10000);
      assert.deepEqual(await call(woken.port, 'SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(oldPort), '0', '*'), [0, '*', 0]);
    } finally {
      await stopCluster(c, null, events);
    }
  });
});
