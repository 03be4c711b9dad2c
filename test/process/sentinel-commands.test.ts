// The sentinel's commands side by side with a real redis-sentinel (Debian's 7.0):
// both monitor the same redis-server primary and replica; reply shapes (field names
// and order of SENTINEL MASTER / REPLICAS / SENTINELS, RESP3 maps), error strings,
// INFO's sentinel section, ROLE and the command table are compared. Also: the
// events of SENTINEL MONITOR / SET / REMOVE, the start-up checks on the config
// file, and the cinnabar-sentinel launcher.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RespClient, type Plain } from '../../src/protocol/resp-client.js';
import { REPO_ROOT, freePort, skipIfNoRedis, startRedis, type ServerHandle } from '../helpers/servers.js';
import {
  EventLog,
  asMap,
  call,
  callRaw,
  startDataNodes,
  startSentinel,
  waitDiscovery,
  waitFor,
  writeSentinelConf,
  type DataNodes,
  type SentinelHandle,
} from '../helpers/sentinel.js';

function keysOf(p: Plain): string[] {
  return Object.keys(asMap(p));
}

function errText(p: Plain): string {
  return p instanceof Error ? p.message : `(not an error: ${JSON.stringify(p)})`;
}

describe('SENTINEL commands compared with redis-sentinel', { skip: skipIfNoRedis() }, () => {
  let data: DataNodes;
  let real: SentinelHandle;
  let ours: SentinelHandle;

  before(async () => {
    data = await startDataNodes('redis', 1);
    real = await startSentinel('redis', data.primary.port, { quorum: 2, downAfterMs: 5000, failoverTimeoutMs: 60000 });
    ours = await startSentinel('cinnabar', data.primary.port, { quorum: 2, downAfterMs: 5000, failoverTimeoutMs: 60000 });
    await waitDiscovery([real, ours], 1);
  });
  after(async () => {
    await Promise.all([real?.stop(), ours?.stop(), ...(data?.all ?? []).map((d) => d.stop())]);
  });

  const both = async (...args: string[]): Promise<[Plain, Plain]> => [await call(real.port, ...args), await call(ours.port, ...args)];

  test('instance descriptions: same fields in the same order', async () => {
    for (const args of [
      ['SENTINEL', 'MASTER', 'mymaster'],
      ['SENTINEL', 'REPLICAS', 'mymaster'],
      ['SENTINEL', 'SLAVES', 'mymaster'],
      ['SENTINEL', 'SENTINELS', 'mymaster'],
      ['SENTINEL', 'MASTERS'],
    ]) {
      const [r, o] = await both(...args);
      if (args[1] === 'MASTER') assert.deepEqual(keysOf(o), keysOf(r), args.join(' '));
      else {
        const ra = r as Plain[];
        const oa = o as Plain[];
        assert.equal(oa.length, ra.length, args.join(' '));
        for (let i = 0; i < ra.length; i++) assert.deepEqual(keysOf(oa[i]), keysOf(ra[i]), args.join(' '));
      }
    }
    const m = asMap(await call(ours.port, 'SENTINEL', 'MASTER', 'mymaster'));
    assert.equal(m['flags'], 'master');
    assert.equal(m['port'], String(data.primary.port));
    assert.equal(m['quorum'], '2');
    assert.equal(m['down-after-milliseconds'], '5000');
    const rep = asMap(((await call(ours.port, 'SENTINEL', 'REPLICAS', 'mymaster')) as Plain[])[0]);
    assert.equal(rep['name'], `127.0.0.1:${data.replicas[0].port}`);
    assert.equal(rep['master-link-status'], 'ok');
    assert.equal(rep['master-port'], String(data.primary.port));
    const peer = asMap(((await call(ours.port, 'SENTINEL', 'SENTINELS', 'mymaster')) as Plain[])[0]);
    assert.equal(peer['runid'], await call(real.port, 'SENTINEL', 'MYID'));
    assert.equal(peer['name'], peer['runid']);
  });

  test('RESP3: instance descriptions are maps', async () => {
    for (const port of [real.port, ours.port]) {
      const c = await RespClient.connect({ port, host: '127.0.0.1', timeoutMs: 2000, commandTimeoutMs: 3000 });
      try {
        await c.call('HELLO', '3');
        const r = await c.call('SENTINEL', 'MASTER', 'mymaster');
        assert.equal(r.t, 'map', `port ${port}`);
        const all = await c.call('SENTINEL', 'MASTERS');
        assert.ok(all.t === 'array' && all.v !== null && all.v[0].t === 'map');
        const dbg = await c.call('SENTINEL', 'DEBUG');
        assert.equal(dbg.t, 'map');
      } finally {
        c.destroy();
      }
    }
  });

  test('same replies', async () => {
    const P = String(data.primary.port);
    for (const args of [
      ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'],
      ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nope'],
      ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', P, '0', '*'],
      ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', '1', '0', '*'],
      ['SENTINEL', 'CKQUORUM', 'mymaster'],
      ['SENTINEL', 'RESET', 'no-such-*'],
      ['SENTINEL', 'PENDING-SCRIPTS'],
      ['SENTINEL', 'HELP'],
      ['SENTINEL', 'SIMULATE-FAILURE', 'HELP'],
      ['SENTINEL', 'INFO-CACHE', 'nope'],
      ['SENTINEL', 'CONFIG', 'GET', 'announce-*'],
      ['SENTINEL', 'CONFIG', 'GET', 'nothing'],
      ['ROLE'],
      ['PING'],
      ['PUBLISH', '__sentinel__:hello', 'garbage'],
    ]) {
      const [r, o] = await both(...args);
      assert.deepEqual(o, r, args.join(' '));
    }
    const [rd, od] = await both('SENTINEL', 'DEBUG');
    assert.deepEqual(keysOf(od), keysOf(rd));
    const [rm, om] = await both('SENTINEL', 'MYID');
    assert.match(String(om), /^[0-9a-f]{40}$/);
    assert.match(String(rm), /^[0-9a-f]{40}$/);
    // INFO-CACHE: [name, [[age, info], ...]] for the master and its replica.
    const cache = (await call(ours.port, 'SENTINEL', 'INFO-CACHE', 'mymaster')) as Plain[];
    assert.equal(cache[0], 'mymaster');
    const entries = cache[1] as Plain[][];
    assert.equal(entries.length, 2);
    assert.equal(typeof entries[0][0], 'number');
    assert.match(String(entries[0][1]), /^# Server/);
    // CONFIG GET *: Redis 7.0's parameters, plus loglevel (added in 7.2).
    const [rc, oc] = await both('SENTINEL', 'CONFIG', 'GET', '*');
    assert.deepEqual(keysOf(oc), [...keysOf(rc), 'loglevel']);
  });

  test('same errors', async () => {
    const P = String(data.primary.port);
    for (const args of [
      ['SENTINEL', 'MASTER', 'nope'],
      ['SENTINEL', 'REPLICAS', 'nope'],
      ['SENTINEL', 'SENTINELS', 'nope'],
      ['SENTINEL', 'CKQUORUM', 'nope'],
      ['SENTINEL', 'FAILOVER', 'nope'],
      ['SENTINEL', 'REMOVE', 'nope'],
      ['SENTINEL', 'SET', 'nope', 'quorum', '1'],
      ['SENTINEL', 'MONITOR', 'mymaster', '127.0.0.1', P, '2'],
      ['SENTINEL', 'MONITOR', 'x', '127.0.0.1', 'abc', '2'],
      ['SENTINEL', 'MONITOR', 'x', '127.0.0.1', 'abc', 'q'],
      ['SENTINEL', 'MONITOR', 'x', '127.0.0.1', '70000', '2'],
      ['SENTINEL', 'MONITOR', 'x', '127.0.0.1', '1', '0'],
      ['SENTINEL', 'MONITOR', 'x', 'not-an-ip', '1', '2'],
      ['SENTINEL', 'SET', 'mymaster', 'foo', '1'],
      ['SENTINEL', 'SET', 'mymaster', 'quorum', '0'],
      ['SENTINEL', 'SET', 'mymaster', 'down-after-milliseconds', '-1'],
      ['SENTINEL', 'SET', 'mymaster', 'parallel-syncs', 'x'],
      ['SENTINEL', 'SET', 'mymaster', 'notification-script', '/bin/true'],
      ['SENTINEL', 'SET', 'mymaster', 'quorum'],
      ['SENTINEL', 'CONFIG', 'GET'],
      ['SENTINEL', 'CONFIG', 'FOO', 'bar'],
      ['SENTINEL', 'CONFIG', 'SET', 'foo', '1'],
      ['SENTINEL', 'CONFIG', 'SET', 'announce-port', 'abc'],
      ['SENTINEL', 'DEBUG', 'foo', '1'],
      ['SENTINEL', 'DEBUG', 'ping-period', '0'],
      ['SENTINEL', 'SIMULATE-FAILURE', 'foo'],
      ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', 'x', '0', '*'],
      ['SENTINEL', 'INFO-CACHE'],
      ['SENTINEL', 'FOO'],
      ['SENTINEL'],
      ['GET', 'x'],
      ['SET', 'a', 'b'],
      ['PUBLISH', 'foo', 'bar'],
    ]) {
      const [r, o] = await both(...args);
      assert.ok(r instanceof Error, `redis-sentinel: ${args.join(' ')} should fail`);
      assert.equal(errText(o), errText(r), args.join(' '));
    }
  });

  test('INFO sentinel section and the command table', async () => {
    const [ri, oi] = await both('INFO');
    const fields = (t: Plain): string[] =>
      String(t)
        .split('\r\n')
        .filter((l) => /^(sentinel_|master\d)/.test(l))
        .map((l) => l.split(':')[0]);
    assert.deepEqual(fields(oi), fields(ri));
    const sections = (t: Plain): string[] => String(t).split('\r\n').filter((l) => l.startsWith('# '));
    assert.deepEqual(sections(oi), sections(ri));
    const line = String(oi).split('\r\n').find((l) => l.startsWith('master0:'));
    assert.equal(line, `master0:name=mymaster,status=ok,address=127.0.0.1:${data.primary.port},slaves=1,sentinels=2`);
    assert.match(String(oi), /^redis_mode:sentinel$/m);
    const [rs, os] = await both('INFO', 'sentinel');
    assert.deepEqual(sections(os), sections(rs));
    // COMMAND: the same top-level commands (no ACL: Cinnabar has no ACL subsystem yet).
    const names = (p: Plain): string[] => (p as string[]).filter((n) => !n.includes('|') && n !== 'acl').sort();
    const [rl, ol] = await both('COMMAND', 'LIST');
    assert.deepEqual(names(ol), names(rl));
  });

  test('MONITOR, SET, REMOVE: replies, events and the config file', async () => {
    const ev = await EventLog.open(ours.port);
    try {
      const port = String(data.replicas[0].port);
      assert.equal(await call(ours.port, 'SENTINEL', 'MONITOR', 'other', '127.0.0.1', port, '1'), 'OK');
      await ev.wait('+monitor', 5000, (m) => m === `master other 127.0.0.1 ${port} quorum 1`);
      assert.equal(await call(ours.port, 'SENTINEL', 'SET', 'other', 'down-after-milliseconds', '2000', 'auth-pass', 'secret'), 'OK');
      await ev.wait('+set', 5000, (m) => m === `master other 127.0.0.1 ${port} down-after-milliseconds 2000`);
      await ev.wait('+set', 5000, (m) => m === `master other 127.0.0.1 ${port} auth-pass ******`);
      const conf = fs.readFileSync(ours.confPath, 'latin1');
      assert.match(conf, new RegExp(`^sentinel monitor other 127\\.0\\.0\\.1 ${port} 1$`, 'm'));
      assert.match(conf, /^sentinel down-after-milliseconds other 2000$/m);
      assert.match(conf, /^sentinel auth-pass other secret$/m);
      assert.deepEqual(await call(ours.port, 'ROLE'), ['sentinel', ['mymaster', 'other']]);
      assert.equal(await call(ours.port, 'SENTINEL', 'REMOVE', 'other'), 'OK');
      await ev.wait('-monitor', 5000, (m) => m === `master other 127.0.0.1 ${port}`);
      assert.doesNotMatch(fs.readFileSync(ours.confPath, 'latin1'), /other/);
      const r = await callRaw(ours.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'other');
      assert.deepEqual(r, { t: 'array', v: null });
    } finally {
      ev.close();
    }
  });
});

describe('sentinel with auth-pass', { skip: skipIfNoRedis() }, () => {
  test('monitors a password-protected primary and its replica', async () => {
    // Passwords are set after start-up: the start helper checks PING without AUTH.
    const primary = await startRedis({ args: ['--repl-diskless-sync-delay', '0'] });
    let replica: ServerHandle | null = null;
    let s: SentinelHandle | null = null;
    try {
      assert.equal(await call(primary.port, 'CONFIG', 'SET', 'requirepass', 'sekret'), 'OK');
      replica = await startRedis({ args: ['--masterauth', 'sekret', '--replicaof', '127.0.0.1', String(primary.port)] });
      assert.equal(await call(replica.port, 'CONFIG', 'SET', 'requirepass', 'sekret'), 'OK');
      s = await startSentinel('cinnabar', primary.port, { quorum: 1, downAfterMs: 1000, extra: ['sentinel auth-pass mymaster sekret'] });
      const sp = s.port;
      const started = Date.now();
      // The replica is only known from the primary's INFO, which needs AUTH; PINGs
      // answered with NOAUTH would not count, and the primary would go down.
      await waitFor(
        'the replica discovered and the primary answering',
        async () => {
          const m = asMap(await call(sp, 'SENTINEL', 'MASTER', 'mymaster'));
          return Date.now() - started > 2500 && m['num-slaves'] === '1' && m['flags'] === 'master' && Number(m['last-ok-ping-reply']) < 1500;
        },
        15000,
        100,
      );
      // The replica's own INFO (AUTH needed too) shows its link to the primary.
      await waitFor(
        'the replica seen linked to its primary',
        async () => {
          const rep = asMap(((await call(sp, 'SENTINEL', 'REPLICAS', 'mymaster')) as Plain[])[0]);
          return rep['flags'] === 'slave' && rep['master-link-status'] === 'ok' && rep['master-port'] === String(primary.port);
        },
        15000,
        100,
      );
    } finally {
      await Promise.all([s?.stop(), replica?.stop(), primary.stop()]);
    }
  });
});

describe('sentinel start-up', () => {
  const bin = path.join(REPO_ROOT, 'bin', 'cinnabar-server.js');

  test('refuses to start without a config file, or with a bad sentinel line', () => {
    const r1 = spawnSync(process.execPath, [bin, '--sentinel', '--port', '0'], { timeout: 15000, encoding: 'utf8' });
    assert.equal(r1.status, 1);
    assert.match(r1.stdout + r1.stderr, /Sentinel needs config file on disk to save state/);
    const { confPath } = writeSentinelConf(6379, { extra: ['sentinel bogus-directive 1'] });
    const r2 = spawnSync(process.execPath, [bin, confPath, '--sentinel', '--port', '0'], { timeout: 15000, encoding: 'utf8' });
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /FATAL CONFIG FILE ERROR/);
    assert.match(r2.stderr, /Unrecognized sentinel configuration statement\./);
    const { confPath: c3 } = writeSentinelConf(6379, { quorum: 0 });
    const r3 = spawnSync(process.execPath, [bin, c3, '--sentinel', '--port', '0'], { timeout: 15000, encoding: 'utf8' });
    assert.equal(r3.status, 1);
    assert.match(r3.stderr, /Quorum must be 1 or greater\./);
  });

  test('cinnabar-sentinel launcher starts a sentinel and writes its id into the config', async () => {
    const port = await freePort();
    const { confPath } = writeSentinelConf(1, { quorum: 1 });
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'cinnabar-sentinel.js'), confPath, '--port', String(port)], { stdio: 'ignore' });
    try {
      await waitFor('cinnabar-sentinel to answer PING', async () => (await call(port, 'PING')) === 'PONG', 15000);
      const id = (await call(port, 'SENTINEL', 'MYID')) as string;
      assert.match(fs.readFileSync(confPath, 'latin1'), new RegExp(`^sentinel myid ${id}$`, 'm'));
      assert.match(fs.readFileSync(confPath, 'latin1'), new RegExp(`^port ${port}$`, 'm'));
      const info = String(await call(port, 'INFO', 'server'));
      assert.match(info, /redis_mode:sentinel/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
