// sentinel auth-user / auth-pass against an ACL user: a Cinnabar primary whose
// default user is off and which has a user with the permissions Redis's
// documentation lists for Sentinel; a Cinnabar sentinel and a redis-sentinel 7.0
// both monitor it with `sentinel auth-user` and see it answer (not down) after
// several ping periods.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipIfNoRedis, startCinnabar, type ServerHandle } from '../helpers/servers.js';
import { asMap, call, startSentinel, waitFor, type SentinelHandle } from '../helpers/sentinel.js';

const SENTINEL_RULES = ['on', '>spw', 'allchannels', '+multi', '+slaveof', '+replicaof', '+ping', '+exec', '+subscribe', '+config|rewrite', '+role', '+publish', '+info', '+client|setname', '+client|kill'];

for (const kind of ['cinnabar', 'redis'] as const) {
  test(`a ${kind} sentinel authenticates to a Cinnabar primary with auth-user`, { skip: skipIfNoRedis() }, async () => {
    const primary: ServerHandle = await startCinnabar();
    let s: SentinelHandle | null = null;
    try {
      assert.equal(await call(primary.port, 'ACL', 'SETUSER', 'sentinel-user', ...SENTINEL_RULES), 'OK');
      s = await startSentinel(kind, primary.port, { quorum: 1, downAfterMs: 1000, extra: ['sentinel auth-user mymaster sentinel-user', 'sentinel auth-pass mymaster spw'] });
      // The sentinel's links are the sentinel user's (not default's, which would stay
      // authenticated when default goes off).
      await waitFor(
        'the sentinel connected as sentinel-user',
        async () => {
          const list = String(await call(primary.port, 'CLIENT', 'LIST'));
          return list.includes(' user=sentinel-user ') && !/ user=default .*cmd=(ping|info|publish|subscribe)/.test(list.split('\n').filter((l) => !l.includes('cmd=client|list')).join('\n'));
        },
        15000,
        100,
      );
      // From here on, only the sentinel's user can talk to the primary.
      assert.equal(await call(primary.port, 'ACL', 'SETUSER', 'default', 'off'), 'OK');
      const sp = s.port;
      const started = Date.now();
      await waitFor(
        'the primary answering the sentinel as sentinel-user',
        async () => {
          const m = asMap(await call(sp, 'SENTINEL', 'MASTER', 'mymaster'));
          return Date.now() - started > 3000 && m['flags'] === 'master' && Number(m['last-ok-ping-reply']) < 1500;
        },
        15000,
        100,
      );
      const sm = asMap(await call(sp, 'SENTINEL', 'MASTER', 'mymaster'));
      assert.equal(sm['flags'], 'master', JSON.stringify(sm));
    } finally {
      await Promise.all([s?.stop(), primary.stop()]);
    }
  });
}
