// bind-source-addr and MIGRATE (issue 13 item 4): redis-server 7.0 applies
// bind-source-addr to the replica link (test/process/config-set-listen.test.ts)
// but not to MIGRATE's connections, which come from the default address. Cinnabar
// does the same; this test pins it for both.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { call } from '../helpers/wait.js';

const servers: ServerHandle[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('MIGRATE and bind-source-addr', { skip: skipIfNoRedis() }, () => {
  test("MIGRATE's connection does not use it, as in redis-server 7.0", async () => {
    // 127.0.0.2 is not a loopback client for protected mode (connIsLocal): turn it off.
    const target = await startRedis({ args: ['--protected-mode', 'no'] });
    servers.push(target);
    const seen: Record<string, string[]> = {};
    for (const start of [startRedis, startCinnabar]) {
      const src = await start({ args: ['--bind-source-addr', '127.0.0.2'] });
      servers.push(src);
      assert.equal(await call(src.port, 'SET', `k-${src.kind}`, 'v'), 'OK');
      assert.equal(await call(src.port, 'MIGRATE', '127.0.0.1', String(target.port), `k-${src.kind}`, '0', '5000'), 'OK');
      // The cached MIGRATE connection is still open on the target.
      const list = String(await call(target.port, 'CLIENT', 'LIST'));
      seen[src.kind] = list
        .split('\n')
        .filter((l) => l.includes('cmd=restore'))
        .map((l) => /addr=([\d.]+):/.exec(l)![1]!);
      await call(target.port, 'CLIENT', 'KILL', 'ADDR', list.split('\n').find((l) => l.includes('cmd=restore'))!.match(/addr=(\S+)/)![1]!);
    }
    assert.deepEqual(seen['redis'], ['127.0.0.1']);
    assert.deepEqual(seen['cinnabar'], seen['redis']);
  });
});
