// FAILOVER aborts when the target rejects the PSYNC (issue 13, item 6), on a
// redis-server primary and on a Cinnabar primary, with the same steps.
//
// The rejection is arranged as it happens in the field when an address points at
// the wrong server: the replica R announces (replica-announce-port) the port of
// another, independent primary X. FAILOVER TO <X> finds R among the replicas,
// waits until R acknowledged the stream, then turns into a replica of X and sends
// PSYNC <its replid> <offset> FAILOVER there; X's replid differs, X answers
// "-ERR PSYNC FAILOVER replid must match my replid." and the primary aborts: it
// logs "FAILOVER to <X> aborted: Failover target rejected psync request", is a
// primary again (ROLE, INFO master_failover_state), accepts writes, and R
// resynchronizes with it. X stays a primary and keeps its data.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { call, info, startServer, waitFor, waitInSync, type Kind } from '../helpers/replication.js';

const skip = skipIfNoRedis();
const started: ServerHandle[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function start(kind: Kind, args: string[] = []): Promise<ServerHandle> {
  const s = await startServer(kind, args);
  started.push(s);
  return s;
}

/** What a primary shows after the rejected FAILOVER, as comparable text. */
interface Outcome {
  reply: unknown;
  log: string;
  role: unknown;
  failoverState: string | undefined;
  write: unknown;
  replicaBack: boolean;
  other: string[];
}

async function rejectedFailover(kind: Kind): Promise<Outcome> {
  const x = await start(kind);
  await call(x.port, 'SET', 'x-own', '1');
  const p = await start(kind);
  const r = await start(kind, ['--replicaof', '127.0.0.1', String(p.port), '--replica-announce-port', String(x.port)]);
  await call(p.port, 'SET', 'k', 'v');
  await waitInSync(p.port, r.port);
  // FAILOVER TO needs the target among the primary's online replicas: after a full
  // sync the replica is online only once its first REPLCONF ACK arrived (up to a
  // second later, longer under load), which the offsets above do not show.
  await waitFor('the replica online on the primary, under the announced port', async () => {
    const s0 = (await info(p.port)).get('slave0') ?? '';
    return s0.includes(`port=${x.port},`) && s0.includes('state=online');
  }, 20000);
  const reply = await call(p.port, 'FAILOVER', 'TO', '127.0.0.1', String(x.port), 'TIMEOUT', '10000');
  const line = `FAILOVER to 127.0.0.1:${x.port} aborted: Failover target rejected psync request`;
  await waitFor(`"${line}" in the ${kind} primary's log`, () => p.output().includes(line), 15000).catch((e: Error) => {
    throw new Error(`${e.message}\n--- primary log ---\n${p.output().slice(-3000)}\n--- replica log ---\n${r.output().slice(-2000)}`);
  });
  await waitFor('the primary back to no-failover', async () => (await info(p.port)).get('master_failover_state') === 'no-failover', 10000);
  const rep = await info(p.port);
  const role = await call(p.port, 'ROLE');
  const write = await call(p.port, 'SET', 'after', '1');
  // The replica was dropped by the switch and comes back to its primary.
  await waitInSync(p.port, r.port, 20000);
  const replicaBack = (await call(r.port, 'GET', 'after')) === '1';
  const xr = await info(x.port);
  const other = [`x role:${xr.get('role')}`, `x connected_slaves:${xr.get('connected_slaves')}`, `x x-own:${String(await call(x.port, 'GET', 'x-own'))}`, `x k:${String(await call(x.port, 'GET', 'k'))}`];
  return {
    reply,
    log: line.replace(String(x.port), '<X>'),
    // The replica count of ROLE at this moment depends on when R reconnects (both drop it).
    role: Array.isArray(role) ? role[0] : role,
    failoverState: rep.get('master_failover_state'),
    write,
    replicaBack,
    other,
  };
}

test('FAILOVER to a target that rejects PSYNC FAILOVER aborts the same way on redis-server and Cinnabar', { skip }, async (t) => {
  const ref = await rejectedFailover('redis');
  t.diagnostic(JSON.stringify(ref));
  assert.equal(ref.reply, 'OK');
  assert.equal(ref.role, 'master');
  assert.equal(ref.replicaBack, true);
  const ours = await rejectedFailover('cinnabar');
  assert.deepEqual(ours, ref);
});
