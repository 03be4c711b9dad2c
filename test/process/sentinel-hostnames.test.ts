// Issue 13 item 8.4: resolve-hostnames and announce-hostnames, with `localhost`.
// A redis-sentinel and Cinnabar's sentinel start on the same kind of file:
// `sentinel monitor mymaster localhost <port> 2` with `sentinel resolve-hostnames
// yes` on a line after it (Redis applies the global directives before the monitor
// lines). Both must give the same answers:
//   - announce-hostnames no: the master is shown by the address its name resolves
//     to (SENTINEL MASTER ip, GET-MASTER-ADDR-BY-NAME: 127.0.0.1);
//   - announce-hostnames yes: by its hostname (localhost) in the replies, INFO and
//     the rewritten file; a replica found in INFO keeps its IP as its "hostname";
//   - resolve-hostnames no: SENTINEL MONITOR of a hostname is refused with the same
//     error.
// And a name that does not resolve (nonexistent.invalid, RFC 6761), second test:
//   - SENTINEL MONITOR refuses it with "Invalid IP address or hostname specified"
//     (Redis resolves synchronously; Cinnabar makes the client wait for the lookup
//     without blocking the loop);
//   - a `sentinel monitor` line of the config file is accepted with an empty ip
//     (SENTINEL MASTER, GET-MASTER-ADDR-BY-NAME, INFO), and "Failed to resolve
//     hostname" is logged as the lookup is retried before each reconnection.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { skipIfNoRedis } from '../helpers/servers.js';
import { asMap, call, normaliseConf, startDataNodes, startSentinelOn, waitDiscovery, waitFor, type DataNodes, type SentinelHandle } from '../helpers/sentinel.js';
import type { Plain } from '../../src/protocol/resp-client.js';

describe('resolve-hostnames and announce-hostnames with localhost', { skip: skipIfNoRedis() }, () => {
  test('same addresses in replies, INFO and the config file as redis-sentinel', async () => {
    let data: DataNodes | null = null;
    const sentinels: SentinelHandle[] = [];
    const dirs: string[] = [];
    try {
      data = await startDataNodes('redis', 1);
      const d = data;
      for (const kind of ['redis', 'cinnabar'] as const) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-hostnames-'));
        dirs.push(dir);
        const confPath = path.join(dir, 'sentinel.conf');
        fs.writeFileSync(
          confPath,
          [`sentinel monitor mymaster localhost ${d.primary.port} 2`, 'sentinel down-after-milliseconds mymaster 5000', 'sentinel failover-timeout mymaster 60000', 'sentinel resolve-hostnames yes'].join('\n') + '\n',
        );
        sentinels.push(await startSentinelOn(kind, confPath, dir));
      }
      await waitDiscovery(sentinels, 1);
      const each = async (f: (s: SentinelHandle) => Promise<void>): Promise<void> => {
        for (const s of sentinels) await f(s);
      };
      const port = String(d.primary.port);

      // announce-hostnames no: the resolved address.
      await each(async (s) => {
        const m = asMap(await call(s.port, 'SENTINEL', 'MASTER', 'mymaster'));
        assert.equal(m['ip'], '127.0.0.1', `${s.kind}: SENTINEL MASTER ip`);
        assert.deepEqual(await call(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'), ['127.0.0.1', port], `${s.kind}: GET-MASTER-ADDR-BY-NAME`);
        assert.match(String(await call(s.port, 'INFO', 'sentinel')), new RegExp(`address=127\\.0\\.0\\.1:${port},`), `${s.kind}: INFO`);
      });

      // announce-hostnames yes: the hostname.
      await each(async (s) => {
        assert.equal(await call(s.port, 'SENTINEL', 'CONFIG', 'SET', 'announce-hostnames', 'yes'), 'OK');
        const m = asMap(await call(s.port, 'SENTINEL', 'MASTER', 'mymaster'));
        assert.equal(m['ip'], 'localhost', `${s.kind}: SENTINEL MASTER ip`);
        assert.deepEqual(await call(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'), ['localhost', port], `${s.kind}: GET-MASTER-ADDR-BY-NAME`);
        assert.match(String(await call(s.port, 'INFO', 'sentinel')), new RegExp(`address=localhost:${port},`), `${s.kind}: INFO`);
        const replicas = ((await call(s.port, 'SENTINEL', 'REPLICAS', 'mymaster')) as Plain[]).map(asMap);
        assert.deepEqual(
          replicas.map((r) => `${r['ip']}:${r['port']}`),
          [`127.0.0.1:${d.replicas[0].port}`],
          `${s.kind}: the replica is known by the IP its master's INFO gives`,
        );
        assert.equal(await call(s.port, 'SENTINEL', 'FLUSHCONFIG'), 'OK');
      });
      const ids = await Promise.all(sentinels.map(async (s) => String(await call(s.port, 'SENTINEL', 'MYID'))));
      const files = sentinels.map((s, i) =>
        normaliseConf(
          fs.readFileSync(s.confPath, 'latin1'),
          new Map([
            [ids[i], '<myid>'],
            [ids[1 - i], '<peer-id>'],
            [String(sentinels[i].port), '<port>'],
            [String(sentinels[1 - i].port), '<peer-port>'],
            [port, '<primary-port>'],
            [String(d.replicas[0].port), '<replica-port>'],
          ]),
        ),
      );
      console.log(`# redis-sentinel's file:\n${files[0].map((l) => `#   ${l}`).join('\n')}`);
      assert.ok(files[0].includes('sentinel monitor mymaster localhost <primary-port> 2'));
      assert.deepEqual(files[1], files[0]);

      // resolve-hostnames no: a hostname is refused.
      const errors: string[] = [];
      await each(async (s) => {
        assert.equal(await call(s.port, 'SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'no'), 'OK');
        const r = await call(s.port, 'SENTINEL', 'MONITOR', 'other', 'localhost', port, '1');
        assert.ok(r instanceof Error, `${s.kind}: SENTINEL MONITOR of a hostname refused`);
        errors.push(r.message);
        assert.equal(await call(s.port, 'SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'yes'), 'OK');
        assert.equal(await call(s.port, 'SENTINEL', 'MONITOR', 'other', 'localhost', port, '1'), 'OK');
        await waitFor(`${s.kind}: the second master's runid`, async () => asMap(await call(s.port, 'SENTINEL', 'MASTER', 'other'))['runid'] !== '', 10000, 50);
        assert.equal(asMap(await call(s.port, 'SENTINEL', 'MASTER', 'other'))['ip'], 'localhost');
      });
      assert.equal(errors[1], errors[0]);
    } finally {
      await Promise.all(sentinels.map((s) => s.stop()));
      await Promise.all((data?.all ?? []).map((n) => n.stop()));
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a hostname that does not resolve: refused by SENTINEL MONITOR, kept with an empty ip from the config file', async () => {
    let data: DataNodes | null = null;
    const sentinels: SentinelHandle[] = [];
    const dirs: string[] = [];
    const BAD = 'nonexistent.invalid';
    try {
      data = await startDataNodes('redis', 0);
      const port = String(data.primary.port);
      for (const kind of ['redis', 'cinnabar'] as const) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-unresolved-'));
        dirs.push(dir);
        const confPath = path.join(dir, 'sentinel.conf');
        fs.writeFileSync(confPath, ['sentinel resolve-hostnames yes', `sentinel monitor cfg ${BAD} 6379 2`].join('\n') + '\n');
        sentinels.push(await startSentinelOn(kind, confPath, dir));
      }
      const seen: unknown[][] = [];
      for (const s of sentinels) {
        const out: unknown[] = [];
        const r = await call(s.port, 'SENTINEL', 'MONITOR', 'bad', BAD, port, '2');
        out.push(r instanceof Error ? `ERR:${r.message}` : r);
        out.push(await call(s.port, 'SENTINEL', 'MONITOR', 'good', 'localhost', port, '2'));
        const masters = ((await call(s.port, 'SENTINEL', 'MASTERS')) as Plain[]).map(asMap);
        out.push(masters.map((m) => `${m['name']} ${m['ip']}:${m['port']}`).sort());
        out.push(await call(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'cfg'));
        const inf = String(await call(s.port, 'INFO', 'sentinel'));
        out.push(inf.split('\r\n').filter((l) => l.includes('name=cfg')).map((l) => l.replace(/^master\d+:/, '')));
        await waitFor(`${s.kind}: "Failed to resolve hostname '${BAD}'" logged`, () => s.proc.output().includes(`Failed to resolve hostname '${BAD}'`), 10000);
        // resolve-hostnames no: the same refusal for any hostname.
        assert.equal(await call(s.port, 'SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'no'), 'OK');
        const r2 = await call(s.port, 'SENTINEL', 'MONITOR', 'bad2', 'localhost', port, '2');
        out.push(r2 instanceof Error ? `ERR:${r2.message}` : r2);
        seen.push(out);
      }
      console.log(`# redis-sentinel: ${JSON.stringify(seen[0])}`);
      assert.equal(seen[0][0], 'ERR:ERR Invalid IP address or hostname specified');
      assert.deepEqual(seen[0][3], ['', '6379']);
      assert.deepEqual(seen[1], seen[0]);
    } finally {
      await Promise.all(sentinels.map((s) => s.stop()));
      await Promise.all((data?.all ?? []).map((n) => n.stop()));
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
