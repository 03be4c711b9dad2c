// TLS, side by side with redis-server 7.0 (Debian builds it with TLS): the same
// certificates (test/helpers/tls.ts, made by openssl at run time), the same
// command lines, the same outcomes. Plaintext and TLS ports together; redis-cli
// --tls, ioredis and node-redis with client certificates; tls-auth-clients yes,
// optional and no; a missing, expired or foreign client certificate and a plaintext
// client refused, logged as redis-server logs it, the server still up; the
// certificate reloaded by CONFIG SET (and a bad file refused with Redis's error);
// tls-port moved by CONFIG SET; tls-protocols; an encrypted key (tls-key-file-pass);
// tls-ca-cert-dir; the start-up errors of a TLS configuration without certificates.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import tls from 'node:tls';
import { Redis as IORedis } from 'ioredis';
import { createClient } from 'redis';
import { cinnabarBinPath, freePort, REDIS_SERVER_PATH, skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { call, waitFor } from '../helpers/wait.js';
import { cliTlsArgs, testCerts, tlsServerArgs, type TestCerts } from '../helpers/tls.js';

const skip = skipIfNoRedis();

interface CliResult {
  out: string;
  code: number;
}

/** redis-cli with `args` (deadline 10 s); the output is stdout and stderr together. */
function cli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('redis-cli', args, { timeout: 10000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ out: (stdout + stderr).trim(), code });
    });
  });
}

/** A TLS connection's outcome: the peer certificate's CN and the protocol, or the error. */
function handshake(port: number, opts: tls.ConnectionOptions): Promise<{ cn?: string; protocol?: string | null; reply?: string; error?: string }> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, checkServerIdentity: () => undefined, ...opts });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ error: 'timeout' });
    }, 10000);
    let reply = '';
    s.on('secureConnect', () => {
      s.write('PING\r\n');
    });
    s.on('data', (d) => {
      reply += d.toString();
      if (reply.endsWith('\r\n')) {
        const cert = s.getPeerCertificate();
        clearTimeout(timer);
        resolve({ cn: cert.subject?.CN as string | undefined, protocol: s.getProtocol(), reply });
        s.destroy();
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: e.message });
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ error: reply === '' ? 'closed' : reply });
    });
  });
}

function read(p: string): Buffer {
  return fs.readFileSync(p);
}

describe('TLS against redis-server and Cinnabar', { skip }, () => {
  let certs: TestCerts;
  const servers: Array<{ kind: string; srv: ServerHandle; tlsPort: number }> = [];

  before(async () => {
    certs = testCerts();
    for (const start of [startRedis, startCinnabar]) {
      const tlsPort = await freePort();
      const srv = await start({ args: tlsServerArgs(certs, tlsPort) });
      servers.push({ kind: srv.kind, srv, tlsPort });
    }
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.srv.stop()));
  });

  /** Runs `fn` for each server and returns the outcomes by kind, for comparing. */
  async function each<T>(fn: (s: { kind: string; srv: ServerHandle; tlsPort: number }) => Promise<T>): Promise<T[]> {
    const out: T[] = [];
    for (const s of servers) out.push(await fn(s));
    return out;
  }

  test('redis-cli --tls with a client certificate, next to the plaintext port', async () => {
    const [theirs, ours] = await each(async ({ srv, tlsPort }) => {
      const set = await cli([...cliTlsArgs(certs), '-p', String(tlsPort), 'SET', 'k', 'over-tls']);
      const get = await cli(['-p', String(srv.port), 'GET', 'k']);
      return [set.out, get.out];
    });
    assert.deepEqual(theirs, ['OK', 'over-tls']);
    assert.deepEqual(ours, theirs);
  });

  test('refused handshakes are logged as redis-server logs them; the server stays up', async () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['no client certificate', cliTlsArgs(certs, null), /Error accepting a client connection: error:0A0000C7:SSL routines::peer did not return a certificate/],
      ['expired certificate', cliTlsArgs(certs, certs.expiredCert), /Error accepting a client connection: error:0A000086:SSL routines::certificate verify failed/],
      ['certificate of another CA', cliTlsArgs(certs, certs.foreignCert), /Error accepting a client connection: error:0A000086:SSL routines::certificate verify failed/],
      ['plaintext client', [], /Error accepting a client connection: error:0A00010B:SSL routines::wrong version number/],
    ];
    for (const [what, args, logLine] of cases) {
      const results = await each(async ({ srv, tlsPort }) => {
        const before = (srv.output().match(new RegExp(logLine.source, 'g')) ?? []).length;
        const r = await cli([...args, '-p', String(tlsPort), 'PING']);
        await waitFor(`${srv.kind} to log the refusal (${what})`, () => (srv.output().match(new RegExp(logLine.source, 'g')) ?? []).length > before, 5000);
        return { refused: r.out !== 'PONG', alive: await call(srv.port, 'PING') };
      });
      assert.deepEqual(results, [
        { refused: true, alive: 'PONG' },
        { refused: true, alive: 'PONG' },
      ], what);
    }
  });

  test('tls-auth-clients optional: no certificate is fine, a bad one is not; no: no certificate asked', async () => {
    const results = await each(async ({ srv, tlsPort }) => {
      const out: string[] = [];
      assert.equal(await call(srv.port, 'CONFIG', 'SET', 'tls-auth-clients', 'optional'), 'OK');
      out.push((await cli([...cliTlsArgs(certs, null), '-p', String(tlsPort), 'PING'])).out);
      out.push((await cli([...cliTlsArgs(certs), '-p', String(tlsPort), 'PING'])).out);
      out.push((await cli([...cliTlsArgs(certs, certs.expiredCert), '-p', String(tlsPort), 'PING'])).out === 'PONG' ? 'accepted' : 'refused');
      assert.equal(await call(srv.port, 'CONFIG', 'SET', 'tls-auth-clients', 'no'), 'OK');
      out.push((await cli([...cliTlsArgs(certs, null), '-p', String(tlsPort), 'PING'])).out);
      out.push(String(await call(srv.port, 'CONFIG', 'GET', 'tls-auth-clients')));
      assert.equal(await call(srv.port, 'CONFIG', 'SET', 'tls-auth-clients', 'yes'), 'OK');
      out.push((await cli([...cliTlsArgs(certs, null), '-p', String(tlsPort), 'PING'])).out === 'PONG' ? 'accepted' : 'refused');
      return out;
    });
    assert.deepEqual(results[0], ['PONG', 'PONG', 'refused', 'PONG', 'tls-auth-clients,no', 'refused']);
    assert.deepEqual(results[1], results[0]);
  });

  test('ioredis and node-redis with client certificates', async () => {
    const results = await each(async ({ tlsPort }) => {
      const tlsOpts = { ca: read(certs.ca), cert: read(certs.clientCert), key: read(certs.clientKey), checkServerIdentity: () => undefined };
      const io = new IORedis({ host: '127.0.0.1', port: tlsPort, tls: tlsOpts, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      const nr = createClient({ socket: { host: '127.0.0.1', port: tlsPort, tls: true, ...tlsOpts, reconnectStrategy: false } });
      nr.on('error', () => {});
      try {
        await io.connect();
        await io.set('io', 'ioredis-tls');
        await nr.connect();
        const got = await nr.get('io');
        await nr.hSet('h', { a: '1' });
        return [got, await io.hget('h', 'a')];
      } finally {
        io.disconnect();
        if (nr.isOpen) await nr.quit();
      }
    });
    assert.deepEqual(results, [
      ['ioredis-tls', '1'],
      ['ioredis-tls', '1'],
    ]);
  });

  test('CONFIG SET tls-cert-file/tls-key-file: new connections get the new certificate; a bad file is refused', async () => {
    const results = await each(async ({ srv, tlsPort }) => {
      const opts = { ca: read(certs.ca), cert: read(certs.clientCert), key: read(certs.clientKey) };
      const out: unknown[] = [];
      out.push((await handshake(tlsPort, opts)).cn);
      out.push(await call(srv.port, 'CONFIG', 'SET', 'tls-cert-file', certs.server2Cert, 'tls-key-file', certs.server2Key));
      out.push((await handshake(tlsPort, opts)).cn);
      const bad = await call(srv.port, 'CONFIG', 'SET', 'tls-cert-file', `${certs.dir}/missing.crt`);
      out.push(String(bad));
      await waitFor(`${srv.kind} to log the failed load`, () => srv.output().includes(`Failed to load certificate: ${certs.dir}/missing.crt: error:80000002:system library::No such file or directory`), 5000);
      out.push(String(await call(srv.port, 'CONFIG', 'GET', 'tls-cert-file')));
      out.push((await handshake(tlsPort, opts)).cn);
      // Back to the first certificate, with its key encrypted (tls-key-file-pass).
      out.push(await call(srv.port, 'CONFIG', 'SET', 'tls-cert-file', certs.serverCert, 'tls-key-file', certs.serverKeyEnc, 'tls-key-file-pass', certs.keyPass));
      out.push((await handshake(tlsPort, opts)).cn);
      return out;
    });
    assert.deepEqual(results[0], [
      'server-one',
      'OK',
      'server-two',
      "ReplyError: ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.",
      `tls-cert-file,${certs.server2Cert}`,
      'server-two',
      'OK',
      'server-one',
    ]);
    assert.deepEqual(results[1], results[0]);
  });

  test('tls-protocols TLSv1.3: a TLSv1.2-only client is refused; tls-ciphersuites; back to the default', async () => {
    const results = await each(async ({ srv, tlsPort }) => {
      const opts = { ca: read(certs.ca), cert: read(certs.clientCert), key: read(certs.clientKey) };
      const out: unknown[] = [];
      out.push((await handshake(tlsPort, { ...opts, maxVersion: 'TLSv1.2' })).protocol);
      out.push(await call(srv.port, 'CONFIG', 'SET', 'tls-protocols', 'TLSv1.3', 'tls-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256'));
      const r12 = await handshake(tlsPort, { ...opts, maxVersion: 'TLSv1.2' });
      out.push(r12.protocol === undefined ? 'refused' : r12.protocol);
      const r13 = await handshake(tlsPort, opts);
      out.push(r13.protocol, r13.reply);
      out.push(String(await call(srv.port, 'CONFIG', 'SET', 'tls-protocols', 'TLSv9')));
      out.push(await call(srv.port, 'CONFIG', 'SET', 'tls-protocols', '', 'tls-ciphersuites', ''));
      return out;
    });
    assert.deepEqual(results[0], [
      'TLSv1.2',
      'OK',
      'refused',
      'TLSv1.3',
      '+PONG\r\n',
      "ReplyError: ERR CONFIG SET failed (possibly related to argument 'tls-protocols') - Unable to update TLS configuration. Check server logs.",
      'OK',
    ]);
    assert.deepEqual(results[1], results[0]);
  });

  test('CONFIG SET tls-port moves the TLS listener; the plaintext port is untouched', async () => {
    const results = await each(async (s) => {
      const next = await freePort();
      const r = await call(s.srv.port, 'CONFIG', 'SET', 'tls-port', String(next));
      s.tlsPort = next;
      const ping = await cli([...cliTlsArgs(certs), '-p', String(next), 'PING']);
      return [r, ping.out, await call(s.srv.port, 'PING')];
    });
    assert.deepEqual(results, [
      ['OK', 'PONG', 'PONG'],
      ['OK', 'PONG', 'PONG'],
    ]);
  });
});

describe('TLS configuration at start-up (redis-server and Cinnabar)', { skip }, () => {
  /** Starts a server process that is expected to exit; resolves with its code and output (deadline 15 s). */
  function runToExit(kind: 'redis' | 'cinnabar', args: string[]): Promise<{ code: number | null; out: string }> {
    const [cmd, prefix] = kind === 'redis' ? [REDIS_SERVER_PATH, []] : [process.execPath, [cinnabarBinPath()]];
    return new Promise((resolve) => {
      const child = spawn(cmd, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: fs.mkdtempSync(`${testCerts().dir}/run-`) });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
  }

  test('tls-port without certificates, or without a CA while clients are authenticated: refused to start, with the reason', async () => {
    const c = testCerts();
    const cases: Array<[string[], string]> = [
      [[], 'No tls-cert-file configured!'],
      [['--tls-cert-file', c.serverCert], 'No tls-key-file configured!'],
      [['--tls-cert-file', c.serverCert, '--tls-key-file', c.serverKey], 'Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!'],
      [['--tls-cert-file', `${c.dir}/nope.crt`, '--tls-key-file', c.serverKey, '--tls-ca-cert-file', c.ca], `Failed to load certificate: ${c.dir}/nope.crt: error:80000002:system library::No such file or directory`],
    ];
    for (const [extra, reason] of cases) {
      const port = await freePort();
      const tlsPort = await freePort();
      const args = ['--port', String(port), '--tls-port', String(tlsPort), '--save', '', ...extra];
      const [theirs, ours] = await Promise.all([runToExit('redis', args), runToExit('cinnabar', args)]);
      for (const r of [theirs, ours]) {
        assert.equal(r.code, 1, r.out);
        assert.ok(r.out.includes(reason), `${reason} in:\n${r.out}`);
        assert.ok(r.out.includes('Failed to configure TLS. Check logs for more info.'), r.out);
      }
    }
  });

  test('tls-ca-cert-dir (OpenSSL hashed layout) instead of tls-ca-cert-file', async () => {
    const c = testCerts();
    const results: string[][] = [];
    for (const start of [startRedis, startCinnabar]) {
      const tlsPort = await freePort();
      const srv = await start({ args: ['--tls-port', String(tlsPort), '--tls-cert-file', c.serverCert, '--tls-key-file', c.serverKey, '--tls-ca-cert-dir', c.caDir] });
      try {
        const ok = await cli([...cliTlsArgs(c), '-p', String(tlsPort), 'PING']);
        const foreign = await cli([...cliTlsArgs(c, c.foreignCert), '-p', String(tlsPort), 'PING']);
        results.push([ok.out, foreign.out === 'PONG' ? 'accepted' : 'refused']);
      } finally {
        await srv.stop();
      }
    }
    assert.deepEqual(results, [
      ['PONG', 'refused'],
      ['PONG', 'refused'],
    ]);
  });
});
