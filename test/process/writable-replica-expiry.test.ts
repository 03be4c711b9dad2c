// A writable replica (replica-read-only no) expires the keys its own clients gave a
// TTL, actively (the primary never sends their DEL): redis-server and Cinnabar as
// replicas of the same redis-server primary, side by side (issue 13, item 3).
// Keys from the primary are still left to the primary's DEL.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { call, info, waitFor, waitLinkUp } from '../helpers/replication.js';

const servers: ServerHandle[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('writable replica expiry', { skip: skipIfNoRedis() }, () => {
  test("a writable replica expires its own keys actively; the primary's keys wait for its DEL", async () => {
    const primary = await startRedis({ args: ['--enable-debug-command', 'yes'] });
    servers.push(primary);
    // The primary's key expires on the primary only once the primary deletes it: keep
    // the primary from doing so, to see that the replicas leave it alone.
    await call(primary.port, 'DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    const replicas: ServerHandle[] = [];
    for (const start of [startRedis, startCinnabar]) {
      const r = await start({ args: ['--replicaof', '127.0.0.1', String(primary.port), '--replica-read-only', 'no'] });
      servers.push(r);
      replicas.push(r);
      await waitLinkUp(r.port);
    }
    await call(primary.port, 'SET', 'theirs', 'v', 'PX', '100');
    await waitFor('the primary key on both replicas', async () => {
      for (const r of replicas) if ((await call(r.port, 'DBSIZE')) !== 1) return false;
      return true;
    }, 10000);
    for (const r of replicas) {
      assert.equal(await call(r.port, 'SET', 'mine', 'v', 'PX', '100'), 'OK');
      assert.equal(await call(r.port, 'SET', 'mine2', 'v', 'PX', '100'), 'OK');
      assert.equal(await call(r.port, 'SET', 'later', 'v', 'PX', '600000'), 'OK');
    }
    for (const r of replicas) {
      await waitFor(`${r.kind}: its own keys expired actively`, async () => (await info(r.port, 'stats')).get('expired_keys') === '2', 10000);
      // mine, mine2 gone; later and the primary's (logically expired, hidden) key still stored.
      assert.equal(await call(r.port, 'DBSIZE'), 2, r.kind);
      assert.equal(await call(r.port, 'GET', 'theirs'), null, `${r.kind}: the primary's expired key is hidden`);
      assert.equal(await call(r.port, 'GET', 'later'), 'v', r.kind);
    }
    // A write of the replica's own client to the primary's expired key starts afresh:
    // the expired key is deleted first (Redis 7.2's EXPIRE_FORCE_DELETE_EXPIRED on a
    // write lookup of a writable replica); before, Cinnabar kept the hidden old key and
    // lost the new list.
    for (const r of replicas) {
      assert.equal(await call(r.port, 'LPUSH', 'theirs', 'x'), 1, r.kind);
      assert.deepEqual(await call(r.port, 'LRANGE', 'theirs', '0', '-1'), ['x'], r.kind);
      assert.equal(await call(r.port, 'PTTL', 'theirs'), -1, r.kind);
      assert.equal(await call(r.port, 'DBSIZE'), 2, r.kind);
    }
  });
});
