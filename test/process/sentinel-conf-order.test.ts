// Issue 13 item 8.1: sentinel.conf lines in any order. redis-sentinel 7.0 applies the
// `sentinel monitor` lines first, so a master's other directives may precede its
// monitor line; Cinnabar's sentinel must start on the same file with the same values.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { skipIfNoRedis, startRedis, type ServerHandle } from '../helpers/servers.js';
import { asMap, call, startSentinelOn, type SentinelHandle } from '../helpers/sentinel.js';

describe('sentinel.conf with directives before the monitor line', { skip: skipIfNoRedis() }, () => {
  let primary: ServerHandle;
  const started: SentinelHandle[] = [];
  const dirs: string[] = [];

  before(async () => {
    primary = await startRedis();
  });
  after(async () => {
    for (const s of started) await s.stop().catch(() => {});
    await primary?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  for (const kind of ['redis', 'cinnabar'] as const) {
    test(`${kind}: down-after-milliseconds and failover-timeout before monitor are applied`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-conf-order-'));
      dirs.push(dir);
      const confPath = path.join(dir, 'sentinel.conf');
      fs.writeFileSync(
        confPath,
        [
          'sentinel down-after-milliseconds mymaster 5000',
          'sentinel failover-timeout mymaster 12345',
          `sentinel monitor mymaster 127.0.0.1 ${primary.port} 2`,
          'sentinel parallel-syncs mymaster 3',
        ].join('\n') + '\n',
      );
      const s = await startSentinelOn(kind, confPath, dir);
      started.push(s);
      const m = asMap(await call(s.port, 'SENTINEL', 'MASTER', 'mymaster'));
      assert.equal(m['port'], String(primary.port));
      assert.equal(m['quorum'], '2');
      assert.equal(m['down-after-milliseconds'], '5000');
      assert.equal(m['failover-timeout'], '12345');
      assert.equal(m['parallel-syncs'], '3');
    });
  }
});
