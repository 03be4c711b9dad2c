// Active expiry reclaims keys nobody reads; lazy expiry hides them at once; the
// unix socket listener works.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCinnabar, type ServerHandle } from '../helpers/servers.js';
import { RespClient } from '../../src/protocol/resp-client.js';

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('expiry', () => {
  let srv: ServerHandle;
  let c: RespClient;
  const sock = join(tmpdir(), `cinnabar-test-${process.pid}.sock`);

  before(async () => {
    srv = await startCinnabar({ args: ['--unixsocket', sock, '--hz', '10', '--enable-debug-command', 'local'] });
    c = await srv.client();
  });
  after(async () => {
    await c?.close();
    await srv?.stop();
  });

  test('the active cycle deletes expired keys that are never read', async () => {
    const cmds: string[][] = [];
    for (let i = 0; i < 2000; i++) cmds.push(['SET', `exp:${i}`, 'v', 'PX', String(50 + (i % 50))]);
    for (let i = 0; i < 100; i++) cmds.push(['SET', `keep:${i}`, 'v']);
    await c.pipeline(cmds);
    // DBSIZE counts keys without expiring them: only the active cycle can bring it down.
    await waitFor(async () => {
      const r = await c.call('DBSIZE');
      return r.t === 'int' && r.v === 100n;
    }, 'active expiry to reclaim 2000 keys');
    const info = await c.call('INFO', 'stats');
    const m = /expired_keys:(\d+)/.exec((info as { v: string }).v);
    assert.ok(m && Number(m[1]) >= 2000, `expired_keys ${m?.[1]}`);
  });

  test('with active expiry off, expired keys stay counted until read', async () => {
    assert.deepEqual(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), { t: 'simple', v: 'OK' });
    try {
      await c.call('FLUSHALL');
      await c.call('SET', 'lazy', 'v', 'PX', '20');
      const t0 = Date.now();
      while (Date.now() < t0 + 200) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await c.call('DBSIZE'), { t: 'int', v: 1n });
      assert.deepEqual(await c.call('GET', 'lazy'), { t: 'bulk', v: null });
      assert.deepEqual(await c.call('DBSIZE'), { t: 'int', v: 0n });
    } finally {
      await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
  });

  test('unix socket accepts commands', async () => {
    const u = await RespClient.connect({ path: sock, timeoutMs: 5000 });
    try {
      assert.deepEqual(await u.call('PING'), { t: 'simple', v: 'PONG' });
      assert.deepEqual(await u.call('SET', 'via-unix', '1'), { t: 'simple', v: 'OK' });
      assert.deepEqual(await c.call('GET', 'via-unix'), { t: 'bulk', v: '1' });
    } finally {
      await u.close();
    }
  });
});
