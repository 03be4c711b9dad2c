// PFCOUNT on replicas (issue 13 item 6): PFCOUNT is a read-only command, so a
// read-only replica answers it, and it stores the cardinality it computed in the
// value's header cache. redis-server and Cinnabar, each a replica of the same
// redis-server primary, each with a sub-replica of its own kind, side by side:
//  - the replica's copy gets the cache, the primary's does not;
//  - the update is not passed on to the sub-replica (a replica only forwards its
//    primary's stream);
//  - a PFCOUNT on the primary is propagated, so every copy then holds the same bytes;
//  - a key that is logically expired on the replica (the primary has not sent its
//    DEL yet) counts 0 and is left alone.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { call, waitFor, waitInSync, waitLinkUp } from '../helpers/replication.js';

const servers: ServerHandle[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

/** The cache-invalid bit of a HyperLogLog's header (top bit of byte 15). */
function cacheValid(v: unknown): boolean {
  assert.equal(typeof v, 'string');
  return ((v as string).charCodeAt(15) & 0x80) === 0;
}

describe('PFCOUNT on read-only replicas', { skip: skipIfNoRedis() }, () => {
  test('the cache update stays on the replica; a PFCOUNT on the primary reaches everyone', async () => {
    const primary = await startRedis({ args: ['--enable-debug-command', 'yes'] });
    servers.push(primary);
    await call(primary.port, 'DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    const chains: Array<{ kind: string; replica: ServerHandle; sub: ServerHandle }> = [];
    for (const start of [startRedis, startCinnabar]) {
      const replica = await start({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
      servers.push(replica);
      await waitLinkUp(replica.port);
      const sub = await start({ args: ['--replicaof', '127.0.0.1', String(replica.port)] });
      servers.push(sub);
      await waitLinkUp(sub.port);
      chains.push({ kind: replica.kind, replica, sub });
    }
    const syncAll = async (): Promise<void> => {
      for (const ch of chains) {
        assert.ok(await waitInSync(primary.port, ch.replica.port), `${ch.kind} replica in sync`);
        assert.ok(await waitInSync(ch.replica.port, ch.sub.port), `${ch.kind} sub-replica in sync`);
      }
    };

    assert.equal(await call(primary.port, 'PFADD', 'h', 'a', 'b', 'c'), 1);
    await syncAll();
    const outcome: Record<string, unknown[]> = {};
    for (const ch of chains) {
      const seen: unknown[] = [];
      seen.push(await call(ch.replica.port, 'PFCOUNT', 'h'));
      seen.push(cacheValid(await call(ch.replica.port, 'GET', 'h')));
      seen.push(cacheValid(await call(primary.port, 'GET', 'h')));
      // Give the sub-replica every chance to receive something: wait until it has
      // the replica's offset, then look at its copy.
      assert.ok(await waitInSync(ch.replica.port, ch.sub.port));
      seen.push(cacheValid(await call(ch.sub.port, 'GET', 'h')));
      outcome[ch.kind] = seen;
    }
    assert.deepEqual(outcome['redis'], [3, true, false, false], 'redis-server: what the test expects of it');
    assert.deepEqual(outcome['cinnabar'], outcome['redis']);

    // A PFCOUNT on the primary changes the primary's value: it is propagated.
    assert.equal(await call(primary.port, 'PFCOUNT', 'h'), 3);
    await syncAll();
    const bytes = await call(primary.port, 'GET', 'h');
    assert.ok(cacheValid(bytes));
    for (const ch of chains) {
      assert.equal(await call(ch.replica.port, 'GET', 'h'), bytes, `${ch.kind} replica`);
      assert.equal(await call(ch.sub.port, 'GET', 'h'), bytes, `${ch.kind} sub-replica`);
    }

    // A key expired on the primary that the primary has not deleted yet.
    assert.equal(await call(primary.port, 'PFADD', 'e', 'x', 'y'), 1);
    assert.equal(await call(primary.port, 'PEXPIRE', 'e', '100'), 1);
    await syncAll();
    for (const ch of chains) {
      await waitFor(`${ch.kind}: e logically expired on the replica`, async () => (await call(ch.replica.port, 'EXISTS', 'e')) === 0, 10000);
      assert.equal(await call(ch.replica.port, 'PFCOUNT', 'e'), 0, ch.kind);
      assert.equal(await call(ch.replica.port, 'PFCOUNT', 'e', 'h'), 3, ch.kind);
      assert.equal(await call(ch.replica.port, 'DBSIZE'), 2, `${ch.kind}: the expired key is still stored`);
      const denied = await call(ch.replica.port, 'PFADD', 'h', 'z');
      assert.ok(denied instanceof Error, ch.kind);
      assert.equal(denied.message, "READONLY You can't write against a read only replica.", ch.kind);
    }
  });
});
