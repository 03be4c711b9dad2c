// cinnabar-server as a process: redis.conf with include, quoted arguments and
// command-line overrides; pidfile, logfile and the "ready" log line; requirepass;
// maxclients; timeout; CONFIG SET dir / CONFIG REWRITE on a real file; the DEBUG
// gate; SHUTDOWN; and maxmemory with the real V8 heap.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { startCinnabar, freePort, cinnabarBinPath, type ServerHandle } from '../helpers/servers.js';
import { RespClient, type Reply } from '../../src/protocol/resp-client.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-srvcmd-'));
const servers: ServerHandle[] = [];
const spawned: ChildProcess[] = [];

after(async () => {
  for (const ch of spawned) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function start(opts: Parameters<typeof startCinnabar>[0]): Promise<ServerHandle> {
  const s = await startCinnabar(opts);
  servers.push(s);
  return s;
}

function text(r: Reply): string {
  if ((r.t === 'bulk' && r.v !== null) || r.t === 'simple' || r.t === 'verbatim' || r.t === 'err') return r.v as string;
  throw new Error(`not a string reply: ${r.t}`);
}

async function configGet(c: RespClient, name: string): Promise<string> {
  const r = await c.call('CONFIG', 'GET', name);
  assert.ok(r.t === 'array' && r.v && r.v.length === 2, `CONFIG GET ${name}: ${JSON.stringify(r)}`);
  return text(r.v[1]!);
}

async function infoField(c: RespClient, section: string, field: string): Promise<string> {
  const t = text(await c.call('INFO', section));
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(t);
  assert.ok(m, `INFO ${section} ${field}`);
  return m[1]!.trim();
}

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('configuration file and process behaviour', () => {
  test('redis.conf with include, quotes and overrides; pidfile; ready line; SIGTERM', async () => {
    const inc = path.join(tmp, 'included.conf');
    fs.writeFileSync(inc, '# included file\nmaxmemory-samples 3\nhz 20\n');
    const conf = path.join(tmp, 'main.conf');
    fs.writeFileSync(
      conf,
      [
        '# main config',
        `include ${inc}`,
        'notify-keyspace-events "KEA"',
        "maxmemory-policy 'allkeys-lru'",
        'maxmemory 64mb',
        'client-output-buffer-limit pubsub 1mb 2mb 30',
        'slowlog-max-len 77',
        'pidfile cinnabar-test.pid',
        'save 900 1',
        'save 300 10',
        '',
      ].join('\n'),
    );
    const srv = await start({ configFile: conf, args: ['--maxmemory-samples', '7', '--slowlog-max-len', '42'] });
    const c = await srv.client();
    assert.equal(await configGet(c, 'maxmemory-samples'), '7', 'command line overrides the included file');
    assert.equal(await configGet(c, 'hz'), '20', 'the included file is read');
    assert.equal(await configGet(c, 'notify-keyspace-events'), 'AKE');
    assert.equal(await configGet(c, 'maxmemory-policy'), 'allkeys-lru');
    assert.equal(await configGet(c, 'maxmemory'), String(64 * 1024 * 1024));
    assert.equal(await configGet(c, 'slowlog-max-len'), '42');
    assert.equal(await configGet(c, 'client-output-buffer-limit'), 'normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2097152 30');
    assert.equal(await configGet(c, 'save'), '', "the harness's --save '' comes after the file");
    assert.equal(await infoField(c, 'server', 'config_file'), conf);
    const pidfile = path.join(srv.dir, 'cinnabar-test.pid');
    assert.equal(fs.readFileSync(pidfile, 'utf8').trim(), String(srv.pid));
    assert.match(srv.output(), /Ready to accept connections tcp/);
    await c.close();
    srv.kill('SIGTERM');
    await waitFor(() => srv.exited, 'the process to exit'); // (the child is unref'd: poll with a timer)
    assert.equal(fs.existsSync(pidfile), false, 'pidfile removed on SIGTERM');
  });

  test('logfile receives the log instead of stdout', async () => {
    const log = path.join(tmp, 'server.log');
    const srv = await start({ args: ['--logfile', log] });
    await waitFor(() => fs.existsSync(log) && /Ready to accept connections tcp/.test(fs.readFileSync(log, 'utf8')), 'the ready line in the logfile');
    assert.doesNotMatch(srv.output(), /Ready to accept connections/);
    const c = await srv.client();
    assert.equal(await configGet(c, 'logfile'), log);
    await c.close();
  });

  test('requirepass from the config file: NOAUTH, then AUTH', async () => {
    // The harness's start-up PING would get NOAUTH: spawn this one directly.
    const conf = path.join(tmp, 'auth.conf');
    fs.writeFileSync(conf, 'requirepass "se cret"\n');
    const port = await freePort();
    const child = spawn(process.execPath, [cinnabarBinPath(), conf, '--port', String(port), '--bind', '127.0.0.1', '--save', ''], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    spawned.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => /Ready to accept connections tcp/.test(out), 'the server to be ready');
    const c = await RespClient.connect({ host: '127.0.0.1', port });
    after(() => c.destroy());
    assert.deepEqual(await c.call('GET', 'x'), { t: 'err', v: 'NOAUTH Authentication required.' });
    assert.deepEqual(await c.call('AUTH', 'wrong'), { t: 'err', v: 'WRONGPASS invalid username-password pair or user is disabled.' });
    assert.deepEqual(await c.call('AUTH', 'se cret'), { t: 'simple', v: 'OK' });
    assert.deepEqual(await c.call('SET', 'x', '1'), { t: 'simple', v: 'OK' });
    assert.equal(await configGet(c, 'requirepass'), 'se cret');
    // A new connection starts unauthenticated again.
    const c2 = await RespClient.connect({ host: '127.0.0.1', port });
    assert.deepEqual(await c2.call('PING'), { t: 'err', v: 'NOAUTH Authentication required.' });
    c2.destroy();
    c.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  });

  test('maxclients 2 refuses the third connection', async () => {
    const srv = await start({ args: ['--maxclients', '2'] });
    const a = await srv.client();
    const b = await srv.client();
    assert.deepEqual(await a.call('PING'), { t: 'simple', v: 'PONG' });
    assert.deepEqual(await b.call('PING'), { t: 'simple', v: 'PONG' });
    const third = await RespClient.connect({ host: srv.host, port: srv.port });
    const got = await new Promise<Reply | null>((resolve) => {
      third.once('push', (r) => resolve(r));
      third.once('close', () => resolve(null));
      setTimeout(() => resolve(null), 3000);
    });
    assert.deepEqual(got, { t: 'err', v: 'ERR max number of clients reached' });
    await third.waitClosed();
    assert.equal(await infoField(a, 'stats', 'rejected_connections'), '1');
    await b.close();
    await waitFor(async () => (await infoField(a, 'clients', 'connected_clients')) === '1', 'the second client to go');
    const fourth = await srv.client();
    assert.deepEqual(await fourth.call('PING'), { t: 'simple', v: 'PONG' });
  });

  test('timeout 1 closes an idle client, not an active one', async () => {
    const srv = await start({ args: ['--timeout', '1'] });
    const idle = await srv.client();
    const busy = await srv.client();
    assert.deepEqual(await idle.call('PING'), { t: 'simple', v: 'PONG' });
    const t0 = Date.now();
    while (Date.now() - t0 < 2500) {
      assert.deepEqual(await busy.call('PING'), { t: 'simple', v: 'PONG' });
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitFor(() => idle.closed, 'the idle client to be closed', 3000);
    assert.equal(busy.closed, false);
  });

  test('SHUTDOWN stops the process and removes the pidfile; SHUTDOWN ABORT has nothing to abort', async () => {
    const srv = await start({ args: ['--pidfile', 'x.pid'] });
    const c = await srv.client();
    assert.deepEqual(await c.call('SHUTDOWN', 'ABORT'), { t: 'err', v: 'ERR No shutdown in progress.' });
    assert.ok(fs.existsSync(path.join(srv.dir, 'x.pid')));
    await c.call('SHUTDOWN', 'NOSAVE').catch(() => null);
    await waitFor(() => srv.exited, 'the process to exit'); // (the child is unref'd: poll with a timer)
    assert.equal(fs.existsSync(path.join(srv.dir, 'x.pid')), false);
  });
});

describe('CONFIG on a real file and directory', () => {
  test('CONFIG REWRITE keeps comments and unknown lines, replaces directives, appends new ones', async () => {
    const conf = path.join(tmp, 'rewrite.conf');
    const inc = path.join(tmp, 'rewrite-inc.conf');
    fs.writeFileSync(inc, 'lfu-log-factor 12\n');
    fs.writeFileSync(
      conf,
      ['# keep me', `include ${inc}`, 'rename-command FLUSHALL ""', 'save 900 1', 'save 300 10', '', '# another comment', 'hash-max-ziplist-entries 100', 'timeout 5', ''].join('\n'),
    );
    const srv = await start({ configFile: conf });
    const c = await srv.client();
    assert.deepEqual(await c.call('CONFIG', 'SET', 'timeout', '42', 'maxmemory', '2gb', 'notify-keyspace-events', 'KEA', 'requirepass', 'a b"c'), { t: 'simple', v: 'OK' });
    assert.deepEqual(await c.call('AUTH', 'a b"c'), { t: 'simple', v: 'OK' });
    assert.deepEqual(await c.call('CONFIG', 'REWRITE'), { t: 'simple', v: 'OK' });
    const out = fs.readFileSync(conf, 'latin1').split('\n');
    assert.equal(out[0], '# keep me');
    assert.equal(out[1], `include ${inc}`);
    assert.equal(out[2], 'rename-command FLUSHALL ""');
    assert.ok(out.includes('# another comment'));
    assert.ok(out.includes('save ""'), 'save rewritten in place (the harness disabled it)');
    assert.equal(out.filter((l) => l.startsWith('save')).length, 1, 'extra save lines dropped');
    assert.ok(out.includes('hash-max-listpack-entries 100'), 'an alias is rewritten under its name');
    assert.ok(out.includes('timeout 42'));
    const sig = out.indexOf('# Generated by CONFIG REWRITE');
    assert.ok(sig > out.indexOf('timeout 42'), 'new directives come after the signature');
    const added = out.slice(sig);
    assert.ok(added.includes('maxmemory 2gb'));
    assert.ok(added.includes('notify-keyspace-events "AKE"'));
    assert.ok(added.includes('requirepass "a b\\"c"'));
    assert.ok(added.includes('lfu-log-factor 12'), 'values from included files are written');
    assert.ok(added.some((l) => l.startsWith('dir "')), 'dir is always written');
    assert.ok(added.includes(`port ${srv.port}`));
    // A second rewrite does not add a second signature. As redis-server does, it keeps
    // the empty last line the first file's final newline left (config-rewrite.test.ts
    // compares with redis-server); from then on a rewrite changes nothing.
    assert.deepEqual(await c.call('CONFIG', 'REWRITE'), { t: 'simple', v: 'OK' });
    const again = fs.readFileSync(conf, 'latin1');
    assert.equal(again.split('# Generated by CONFIG REWRITE').length, 2);
    assert.equal(again, out.join('\n') + '\n');
    assert.deepEqual(await c.call('CONFIG', 'REWRITE'), { t: 'simple', v: 'OK' });
    assert.equal(fs.readFileSync(conf, 'latin1'), again);
  });

  test('CONFIG SET dir is protected, and changes directory when allowed', async () => {
    const locked = await start({});
    const lc = await locked.client();
    assert.deepEqual(await lc.call('CONFIG', 'SET', 'dir', tmp), {
      t: 'err',
      v: "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
    });
    const srv = await start({ args: ['--enable-protected-configs', 'yes'] });
    const c = await srv.client();
    const sub = path.join(tmp, 'newdir');
    fs.mkdirSync(sub, { recursive: true });
    assert.deepEqual(await c.call('CONFIG', 'SET', 'dir', sub), { t: 'simple', v: 'OK' });
    assert.equal(await configGet(c, 'dir'), fs.realpathSync(sub));
    assert.deepEqual(await c.call('CONFIG', 'SET', 'dir', path.join(tmp, 'missing')), {
      t: 'err',
      v: "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
    });
    assert.equal(await configGet(c, 'dir'), fs.realpathSync(sub));
  });

  test('DEBUG is refused unless enable-debug-command allows it; "local" allows loopback', async () => {
    const no = await start({});
    const c1 = await no.client();
    const r = await c1.call('DEBUG', 'SLEEP', '0');
    assert.equal(r.t, 'err');
    assert.match(text(r), /^ERR DEBUG command not allowed\. If the enable-debug-command option is set to "local"/);
    // In MULTI the refusal dooms the transaction, as Redis's pre-execution checks do.
    await c1.call('MULTI');
    assert.equal((await c1.call('DEBUG', 'SLEEP', '0')).t, 'err');
    assert.deepEqual(await c1.call('EXEC'), { t: 'err', v: 'EXECABORT Transaction discarded because of previous errors.' });
    const local = await start({ args: ['--enable-debug-command', 'local'] });
    const c2 = await local.client();
    assert.deepEqual(await c2.call('DEBUG', 'SLEEP', '0'), { t: 'simple', v: 'OK' });
  });
});

describe('maxmemory with the real heap', () => {
  test('allkeys-lru: writing 4x maxmemory keeps used_memory bounded and evicts', async () => {
    const srv = await start({ args: ['--maxmemory', '48mb', '--maxmemory-policy', 'allkeys-lru'] });
    const c = await srv.client();
    const max = 48 * 1024 * 1024;
    const value = 'v'.repeat(1000);
    let ooms = 0;
    let peak = 0;
    const total = 4 * max;
    const per = 200;
    for (let i = 0; i * value.length < total; i += per) {
      const cmds: string[][] = [];
      for (let j = i; j < i + per; j++) cmds.push(['SET', `key:${j}`, value]);
      for (const r of await c.pipeline(cmds)) if (r.t === 'err') ooms++;
      if (i % 20000 === 0) peak = Math.max(peak, Number(await infoField(c, 'memory', 'used_memory')));
    }
    peak = Math.max(peak, Number(await infoField(c, 'memory', 'used_memory')));
    const evicted = Number(await infoField(c, 'stats', 'evicted_keys'));
    const keys = (await c.call('DBSIZE')) as { v: bigint };
    assert.equal(ooms, 0, 'allkeys-lru never refuses writes');
    assert.ok(evicted > 100000, `evicted_keys ${evicted}`);
    assert.ok(keys.v > 5000n, `keys kept ${keys.v}`);
    // used_memory is the raw V8 reading: live data plus garbage not collected yet.
    assert.ok(peak < max * 2.5, `peak used_memory ${peak} vs maxmemory ${max}`);
  });

  test("noeviction: OOM once over the limit; volatile-lru evicts only keys with a TTL", async () => {
    const srv = await start({ args: ['--maxmemory-policy', 'noeviction'] });
    const c = await srv.client();
    const used = Number(await infoField(c, 'memory', 'used_memory'));
    const value = 'v'.repeat(1000);
    const persistent: string[][] = [];
    for (let i = 0; i < 10000; i++) persistent.push(['SET', `p:${i}`, value]);
    await c.pipeline(persistent);
    const volatile: string[][] = [];
    for (let i = 0; i < 10000; i++) volatile.push(['SET', `t:${i}`, value, 'EX', '1000']);
    await c.pipeline(volatile);
    // A limit below what is stored: noeviction refuses writes but serves reads.
    assert.deepEqual(await c.call('CONFIG', 'SET', 'maxmemory', String(used + 12 * 1024 * 1024)), { t: 'simple', v: 'OK' });
    assert.deepEqual(await c.call('SET', 'new', 'x'), { t: 'err', v: "OOM command not allowed when used memory > 'maxmemory'." });
    assert.deepEqual(await c.call('GET', 'p:1'), { t: 'bulk', v: value });
    assert.equal(await infoField(c, 'stats', 'evicted_keys'), '0');
    // volatile-lru: the TTL keys go, the others stay.
    assert.deepEqual(await c.call('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'), { t: 'simple', v: 'OK' });
    const r = await c.call('SET', 'new', 'x');
    assert.ok(r.t === 'simple' || (r.t === 'err' && r.v.startsWith('OOM')), JSON.stringify(r));
    const evicted = Number(await infoField(c, 'stats', 'evicted_keys'));
    assert.ok(evicted > 0, 'volatile keys were evicted');
    const exists = await c.pipeline(Array.from({ length: 10000 }, (_v, i) => ['EXISTS', `p:${i}`]));
    assert.ok(
      exists.every((x) => x.t === 'int' && x.v === 1n),
      'no key without a TTL was evicted',
    );
  });
});
