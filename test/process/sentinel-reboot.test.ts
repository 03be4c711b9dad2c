// Issue 13 item 8.3: a primary that restarts within down-after-milliseconds. A
// redis-sentinel and Cinnabar's sentinel watch the same redis-server primary
// (down-after 20 s, longer than the restart and the 10 s INFO period); the primary
// is saved, stopped and started again on the same port with the same data. Neither
// sentinel sees it down; at the next INFO both see a new run_id and publish
// `+reboot master mymaster <ip> <port>` (Redis's sentinelRefreshInstanceInfo),
// take the new run id (SENTINEL MASTER runid), and keep the master up with no
// failover. redis-sentinel 7.0 and 7.2 do the same here; with
// master-reboot-down-after-period 0 (the default) no master_reboot flag is set.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { skipIfNoRedis, startRedis, type ServerHandle } from '../helpers/servers.js';
import { EventLog, asMap, call, infoField, startSentinel, waitDiscovery, waitFor, type SentinelHandle } from '../helpers/sentinel.js';

describe('a primary that reboots within down-after-milliseconds', { skip: skipIfNoRedis() }, () => {
  test('both sentinels publish +reboot and take the new run id', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-reboot-data-'));
    let primary: ServerHandle | null = null;
    const sentinels: SentinelHandle[] = [];
    const events: EventLog[] = [];
    try {
      primary = await startRedis({ args: ['--dir', dataDir] });
      const port = primary.port;
      await call(port, 'SET', 'survives', 'reboot');
      for (const kind of ['redis', 'cinnabar'] as const) sentinels.push(await startSentinel(kind, port, { quorum: 2, downAfterMs: 20000, failoverTimeoutMs: 60000 }));
      await waitDiscovery(sentinels, 0);
      const oldRunid = await infoField(port, 'server', 'run_id');
      for (const s of sentinels) {
        await waitFor(`${s.kind}: SENTINEL MASTER runid`, async () => asMap(await call(s.port, 'SENTINEL', 'MASTER', 'mymaster'))['runid'] === oldRunid, 15000, 100);
        events.push(await EventLog.open(s.port));
      }
      assert.equal(await call(port, 'SAVE'), 'OK');
      await primary.stop();
      const down = Date.now();
      primary = await startRedis({ port, args: ['--dir', dataDir] });
      console.log(`# primary restarted on ${port} in ${Date.now() - down} ms`);
      assert.equal(await call(port, 'GET', 'survives'), 'reboot');
      const newRunid = await infoField(port, 'server', 'run_id');
      assert.notEqual(newRunid, oldRunid);
      const expected = `master mymaster 127.0.0.1 ${port}`;
      for (let i = 0; i < sentinels.length; i++) {
        const e = await events[i].wait('+reboot', 25000);
        console.log(`# ${sentinels[i].kind}: +reboot "${e.message}" ${e.at - down} ms after the restart`);
        assert.equal(e.message, expected);
      }
      for (let i = 0; i < sentinels.length; i++) {
        const s = sentinels[i];
        const m = asMap(await call(s.port, 'SENTINEL', 'MASTER', 'mymaster'));
        assert.equal(m['runid'], newRunid, `${s.kind}: the new run id`);
        assert.equal(m['flags'], 'master', `${s.kind}: flags`);
        assert.equal(m['port'], String(port));
        assert.equal(events[i].has('+sdown'), false, `${s.kind}: no +sdown`);
        assert.equal(events[i].has('+try-failover'), false, `${s.kind}: no failover`);
      }
      assert.deepEqual(
        Object.keys(asMap(await call(sentinels[1].port, 'SENTINEL', 'MASTER', 'mymaster'))),
        Object.keys(asMap(await call(sentinels[0].port, 'SENTINEL', 'MASTER', 'mymaster'))),
      );
    } finally {
      for (const e of events) e.close();
      await Promise.all(sentinels.map((s) => s.stop()));
      await primary?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
