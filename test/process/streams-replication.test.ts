// Stream propagation (issue 16, item 1): a Cinnabar primary with two replicas, a
// redis-server and a Cinnabar, fed the stream commands whose effects are not what
// they say: XADD `*` (the ID is the primary's clock), MAXLEN ~ / MINID ~ (the trim
// depends on node boundaries), XREADGROUP (its PEL and the group's last ID and read
// counter), XCLAIM / XAUTOCLAIM (delivery counts and times, deleted entries dropped),
// blocked XREADGROUP served by an XADD. Once both replicas are in sync, XINFO STREAM
// FULL is the same on all three: the same entries, groups, PELs (IDs, owners,
// delivery times and counts), consumers and counters. Consumers' seen-time is each
// server's own clock (Redis does not propagate it), and 7.2's active-time is not
// kept by the 7.0 replica: both are left out of the comparison.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { waitInSync } from '../helpers/replication.js';
import { waitBlocked } from '../helpers/wait.js';
import type { Reply, RespClient } from '../../src/protocol/resp-client.js';

/** XINFO STREAM FULL as text, without seen-time, active-time and the node figures (node limits differ on purpose). */
async function full(c: RespClient, key: string): Promise<string> {
  const r = await c.call('XINFO', 'STREAM', key, 'FULL', 'COUNT', '0');
  const strip = (x: Reply): Reply => {
    if (x.t !== 'array' || x.v === null) return x;
    const out: Reply[] = [];
    for (let i = 0; i < x.v.length; i++) {
      const e = x.v[i];
      if (i % 2 === 0 && e.t === 'bulk' && (e.v === 'seen-time' || e.v === 'active-time' || e.v === 'radix-tree-keys' || e.v === 'radix-tree-nodes')) {
        i++;
        continue;
      }
      out.push(strip(e));
    }
    return { t: 'array', v: out };
  };
  return JSON.stringify(strip(r), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

describe('stream propagation to replicas (redis-server and Cinnabar) of a Cinnabar primary', { skip: skipIfNoRedis() }, () => {
  let primary: ServerHandle;
  let redisReplica: ServerHandle;
  let cinReplica: ServerHandle;

  before(async () => {
    primary = await startCinnabar({ args: ['--stream-node-max-entries', '5'] });
    [redisReplica, cinReplica] = await Promise.all([
      startRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port), '--stream-node-max-entries', '7'] }),
      startCinnabar({ args: ['--replicaof', '127.0.0.1', String(primary.port), '--stream-node-max-entries', '3'] }),
    ]);
    await Promise.all([waitInSync(primary.port, redisReplica.port), waitInSync(primary.port, cinReplica.port)]);
  });
  after(async () => {
    await Promise.all([redisReplica?.stop(), cinReplica?.stop(), primary?.stop()]);
  });

  test('XINFO STREAM FULL is the same on the primary and both replicas after every kind of stream write', async () => {
    const c = await primary.client();
    const ok = async (...args: string[]): Promise<Reply> => {
      const r = await c.call(...args);
      if (r.t === 'err') assert.fail(`${args.join(' ')}: ${r.v}`);
      return r;
    };
    // Different node limits on the three servers: only exact trims keep them equal.
    for (let i = 0; i < 60; i++) await ok('XADD', 's', '*', 'n', String(i), ...(i % 4 === 0 ? ['extra', 'x'.repeat(i)] : []));
    await ok('XADD', 's', 'MAXLEN', '~', '40', '*', 'n', 'trim1');
    await ok('XTRIM', 's', 'MAXLEN', '~', '30');
    const first = await ok('XRANGE', 's', '-', '+', 'COUNT', '8');
    const eighth = ((first as { v: Reply[] }).v[7] as { v: Reply[] }).v[0] as { v: string };
    await ok('XADD', 's', 'MINID', '~', eighth.v, '*', 'n', 'trim2');
    await ok('XTRIM', 's', 'MINID', eighth.v);
    await ok('XGROUP', 'CREATE', 's', 'g', '0');
    await ok('XGROUP', 'CREATE', 's', 'h', '$', 'ENTRIESREAD', '3');
    await ok('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '5', 'STREAMS', 's', '>');
    await ok('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '4', 'STREAMS', 's', '>');
    await ok('XREADGROUP', 'GROUP', 'g', 'noack', 'COUNT', '2', 'NOACK', 'STREAMS', 's', '>');
    await ok('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0');
    const pending = (await ok('XPENDING', 's', 'g', '-', '+', '100')) as { v: Reply[] };
    const ids = pending.v.map((e) => ((e as { v: Reply[] }).v[0] as { v: string }).v);
    await ok('XACK', 's', 'g', ids[0]);
    await ok('XDEL', 's', ids[1], ids[5]);
    await ok('XCLAIM', 's', 'g', 'carol', '0', ids[1], ids[2], ids[3]);
    await ok('XCLAIM', 's', 'g', 'carol', '0', ids[4], 'RETRYCOUNT', '9', 'TIME', '1700000000000', 'JUSTID', 'LASTID', '99999999999999-0');
    await ok('XAUTOCLAIM', 's', 'g', 'dave', '0', '0', 'COUNT', '3');
    await ok('XGROUP', 'CREATECONSUMER', 's', 'h', 'idle');
    await ok('XGROUP', 'DELCONSUMER', 's', 'g', 'bob');
    await ok('XGROUP', 'SETID', 's', 'h', '0', 'ENTRIESREAD', '1');
    await ok('XREADGROUP', 'GROUP', 'h', 'erin', 'COUNT', '3', 'STREAMS', 's', '>');
    // A blocked XREADGROUP served by an XADD on another connection.
    const b = await primary.client();
    await ok('XGROUP', 'CREATE', 'live', 'w', '$', 'MKSTREAM');
    const served = b.call('XREADGROUP', 'GROUP', 'w', 'worker', 'BLOCK', '5000', 'STREAMS', 'live', '>');
    await waitBlocked(c, 1);
    await ok('XADD', 'live', '*', 'job', '1');
    const r = await served;
    assert.equal(r.t, 'array');
    await ok('XSETID', 'live', '99999999999999-5', 'ENTRIESADDED', '10', 'MAXDELETEDID', '99999999999999-1');
    await ok('XGROUP', 'CREATE', 'gone', 'x', '$', 'MKSTREAM');
    await ok('XGROUP', 'DESTROY', 'gone', 'x');

    await Promise.all([waitInSync(primary.port, redisReplica.port), waitInSync(primary.port, cinReplica.port)]);
    const [rr, cr] = await Promise.all([redisReplica.client(), cinReplica.client()]);
    for (const key of ['s', 'live', 'gone']) {
      const p = await full(c, key);
      assert.equal(await full(rr, key), p, `redis-server replica: ${key}`);
      assert.equal(await full(cr, key), p, `Cinnabar replica: ${key}`);
    }
    assert.match(await full(c, 's'), /carol/, 'the claims reached the PEL');
  });
});
