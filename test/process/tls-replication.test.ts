// Replication and Sentinel over TLS, with redis-server 7.0 on the other end:
//  - tls-replication yes: a replica links to its primary's TLS port with its client
//    certificate, both ways between redis-server and Cinnabar (and Cinnabar to
//    Cinnabar); the full sync and the stream after it arrive, and the primary lists
//    the replica under the TLS port it announces (as Redis does);
//  - a replica whose certificate the primary refuses never gets its link up, and the
//    primary logs the refusal;
//  - sentinels (redis-sentinel and Cinnabar's) with tls-replication yes reach the
//    primary and the replica over TLS, discover each other through hello messages
//    (announcing their TLS ports) and agree on the master.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { datasetDiff, datasetOf, info, startServer, waitFor, waitInSync, writeKeys, type Kind } from '../helpers/replication.js';
import { asMap, call, masterPortOf, startSentinel, waitDiscovery, type SentinelHandle } from '../helpers/sentinel.js';
import { testCerts, tlsServerArgs, type TestCerts } from '../helpers/tls.js';

const skip = skipIfNoRedis();

describe('replication over TLS (tls-replication yes)', { skip }, () => {
  let certs: TestCerts;
  before(() => {
    certs = testCerts();
  });

  const pairs: Array<[Kind, Kind]> = [
    ['redis', 'cinnabar'],
    ['cinnabar', 'redis'],
    ['cinnabar', 'cinnabar'],
  ];
  for (const [pk, rk] of pairs) {
    test(`${pk} primary, ${rk} replica: full sync and stream over TLS, the replica listed under its TLS port`, async () => {
      const [pTls, rTls] = [await freePort(), await freePort()];
      const started: ServerHandle[] = [];
      try {
        const primary = await startServer(pk, tlsServerArgs(certs, pTls, ['--repl-diskless-sync-delay', '0']));
        started.push(primary);
        const replica = await startServer(rk, tlsServerArgs(certs, rTls, ['--tls-replication', 'yes']));
        started.push(replica);
        await writeKeys(primary.port, 'before', 200);
        assert.equal(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(pTls)), 'OK');
        await waitInSync(primary.port, replica.port);
        await call(primary.port, 'RPUSH', 'after', 'a', 'b');
        await call(primary.port, 'INCRBY', 'counter', '5');
        await waitInSync(primary.port, replica.port);
        assert.deepEqual(datasetDiff(await datasetOf(primary.port), await datasetOf(replica.port)), []);
        const pInfo = await info(primary.port);
        assert.match(pInfo.get('slave0') ?? '', new RegExp(`^ip=127\\.0\\.0\\.1,port=${rTls},state=online,`));
        const rInfo = await info(replica.port);
        assert.equal(rInfo.get('master_port'), String(pTls));
        assert.equal(rInfo.get('master_link_status'), 'up');
      } finally {
        await Promise.all(started.map((s) => s.stop()));
      }
    });
  }

  test('a replica whose certificate the primary refuses: no link, the refusal logged (both primaries)', async () => {
    for (const pk of ['redis', 'cinnabar'] as const) {
      const [pTls, rTls] = [await freePort(), await freePort()];
      const started: ServerHandle[] = [];
      try {
        const primary = await startServer(pk, tlsServerArgs(certs, pTls, ['--repl-diskless-sync-delay', '0']));
        started.push(primary);
        // The replica presents a certificate of another CA.
        const replica = await startServer('cinnabar', tlsServerArgs(certs, rTls, ['--tls-replication', 'yes', '--tls-client-cert-file', certs.foreignCert, '--tls-client-key-file', certs.clientKey]));
        started.push(replica);
        assert.equal(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(pTls)), 'OK');
        await waitFor(`${pk} to log the refused replica`, () => /Error accepting a client connection: error:0A000086:SSL routines::certificate verify failed/.test(primary.output()), 10000);
        assert.notEqual((await info(replica.port)).get('master_link_status'), 'up');
        assert.equal((await info(primary.port)).get('connected_slaves'), '0');
        assert.equal(await call(primary.port, 'PING'), 'PONG');
      } finally {
        await Promise.all(started.map((s) => s.stop()));
      }
    }
  });
});

describe('Sentinel over TLS (tls-replication yes)', { skip }, () => {
  test('redis-sentinel and Cinnabar sentinel reach the nodes over TLS, discover each other and the replica', async () => {
    const certs = testCerts();
    const started: Array<ServerHandle | SentinelHandle> = [];
    try {
      const [pTls, rTls] = [await freePort(), await freePort()];
      const primary = await startServer('cinnabar', tlsServerArgs(certs, pTls, ['--repl-diskless-sync-delay', '0']));
      started.push(primary);
      const replica = await startServer('cinnabar', tlsServerArgs(certs, rTls, ['--tls-replication', 'yes', '--replicaof', '127.0.0.1', String(pTls)]));
      started.push(replica);
      await waitInSync(primary.port, replica.port);
      const sentinels: SentinelHandle[] = [];
      const tlsPortOf = new Map<SentinelHandle, number>();
      for (const kind of ['redis', 'cinnabar'] as const) {
        const sTls = await freePort();
        const s = await startSentinel(kind, pTls, {
          extra: [
            `tls-port ${sTls}`,
            `tls-cert-file ${certs.serverCert}`,
            `tls-key-file ${certs.serverKey}`,
            `tls-ca-cert-file ${certs.ca}`,
            'tls-replication yes',
          ],
        });
        sentinels.push(s);
        tlsPortOf.set(s, sTls);
        started.push(s);
      }
      await waitDiscovery(sentinels, 1, 30000);
      for (const s of sentinels) {
        assert.equal(await masterPortOf(s), pTls);
        const m = asMap(await call(s.port, 'SENTINEL', 'MASTER', 'mymaster'));
        assert.equal(m['flags'], 'master', `${s.kind}: ${JSON.stringify(m)}`);
        let r: Record<string, string> = {};
        await waitFor(`${s.kind} to link to the replica`, async () => {
          const replicas = (await call(s.port, 'SENTINEL', 'REPLICAS', 'mymaster')) as unknown[];
          r = asMap(replicas[0] as never);
          return r['flags'] === 'slave';
        }, 10000).catch(() => undefined);
        assert.equal(r['port'], String(rTls), `${s.kind} lists the replica under its TLS port`);
        assert.equal(r['flags'], 'slave', `${s.kind}: ${JSON.stringify(r)}`);
        const other = sentinels.find((x) => x !== s)!;
        // A peer found by its hello is listed at once, flagged disconnected
        // until the link to it (a TLS handshake here) is up: wait for that.
        let peer: Record<string, string> = {};
        await waitFor(`${s.kind} to link to ${other.kind}`, async () => {
          const peers = (await call(s.port, 'SENTINEL', 'SENTINELS', 'mymaster')) as unknown[];
          peer = asMap(peers[0] as never);
          return peer['flags'] === 'sentinel';
        }, 10000).catch(() => undefined);
        assert.equal(peer['port'], String(tlsPortOf.get(other)), `${s.kind} knows ${other.kind} by its TLS port (it announces it with tls-replication)`);
        assert.equal(peer['flags'], 'sentinel', `${s.kind}: ${JSON.stringify(peer)}`);
      }
    } finally {
      await Promise.all(started.map((s) => s.stop()));
    }
  });
});
