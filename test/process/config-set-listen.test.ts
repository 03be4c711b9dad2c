// CONFIG SET as Redis 7 does it, both servers side by side: several parameters
// are set all or none (a set error or an apply error puts every value back), and
// `port` and `bind` re-open the TCP listeners at once: the reply says whether the
// bind worked, connected clients stay, the unix socket is left alone. Then
// `bind-source-addr` as the local address of a replica's link to its primary.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { RespClient, formatReply, toPlain } from '../../src/protocol/resp-client.js';
import { waitFor, info } from '../helpers/wait.js';

const KINDS = [
  ['redis', startRedis],
  ['cinnabar', startCinnabar],
] as const;

/** An address of TEST-NET-3 (RFC 5737): on no machine's interfaces. */
const NOT_LOCAL = '203.0.113.7';

const servers: ServerHandle[] = [];
const closers: Array<() => void> = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-confset-'));
after(async () => {
  for (const c of closers) c();
  await Promise.all(servers.map((s) => s.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A port some other process listens on (127.0.0.1), closed after the tests. */
async function busyPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  closers.push(() => srv.close());
  return (srv.address() as net.AddressInfo).port;
}

/** Whether a new TCP connection to 127.0.0.1:port is accepted and answers PING. */
async function answersPing(port: number): Promise<boolean> {
  let c: RespClient;
  try {
    c = await RespClient.connect({ host: '127.0.0.1', port, timeoutMs: 2000, commandTimeoutMs: 3000 });
  } catch {
    return false;
  }
  try {
    const r = await c.call('PING');
    return r.t === 'simple' && r.v === 'PONG';
  } finally {
    c.destroy();
  }
}

async function get(c: RespClient, name: string): Promise<string> {
  const r = toPlain(await c.call('CONFIG', 'GET', name)) as string[];
  return r[1];
}

describe('CONFIG SET: all or none, and port/bind re-open the listeners', { skip: skipIfNoRedis() }, () => {
  test('several parameters: set errors, duplicates, unknown names and an apply error leave every value as it was', async () => {
    const busy = await busyPort();
    const steps: string[][] = [
      ['CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory-policy', 'bogus'],
      ['CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory', '20mb'],
      ['CONFIG', 'SET', 'maxmemory', '10mb', 'nosuch', '1'],
      ['CONFIG', 'SET', 'maxmemory', '10mb', 'daemonize', 'no', 'maxmemory', '20mb'],
      ['CONFIG', 'SET', 'MAXMEMORY', 'abc'],
      ['CONFIG', 'SET', 'hz', '50', 'maxmemory', '10mb', 'port', String(busy)],
      ['CONFIG', 'SET', 'port', String(busy), 'maxmemory-policy', 'allkeys-lru', 'hz', '50'],
      ['CONFIG', 'SET', 'maxmemory', '10mb', 'bind', NOT_LOCAL],
      ['CONFIG', 'SET', 'bind', NOT_LOCAL, 'port', String(busy)],
      ['CONFIG', 'SET', 'port', String(busy), 'bind', NOT_LOCAL],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'maxmemory-policy'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'GET', 'bind'],
      ['CONFIG', 'SET', 'maxmemory', '10mb', 'hz', '50', 'maxmemory-policy', 'allkeys-lru'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'maxmemory-policy'],
      ['CONFIG', 'GET', 'hz'],
    ];
    const got: string[][] = [];
    for (const [kind, start] of KINDS) {
      const s = await start({});
      servers.push(s);
      const c = await s.client();
      const out: string[] = [];
      for (const st of steps) out.push(`${st.join(' ')} => ${formatReply(await c.call(...st))}`);
      // The port given back: the server still listens where it did, and the value says so.
      out.push(`port unchanged: ${(await get(c, 'port')) === String(s.port)}`);
      out.push(`answers on its port: ${await answersPing(s.port)}`);
      got.push(out);
      await s.stop();
      assert.ok(out.some((l) => l.includes("argument 'port') - Unable to listen on this port. Check server logs.")), `${kind}: the apply error\n${out.join('\n')}`);
    }
    assert.deepEqual(got[1], got[0], 'Cinnabar (actual) against redis-server (expected)');
  });

  test('port and bind: the new listeners open, the old ones close, clients stay, failures keep the old ones', async () => {
    const busy = await busyPort();
    for (const [kind, start] of KINDS) {
      const sock = path.join(tmp, `${kind}.sock`);
      const s = await start({ args: ['--unixsocket', sock] });
      servers.push(s);
      const a = await s.client();
      const unix = await RespClient.connect({ path: sock, timeoutMs: 2000 });
      closers.push(() => unix.destroy());
      const p2 = await freePort();
      const ok = async (...args: string[]): Promise<void> => {
        assert.equal(formatReply(await a.call(...args)), '+OK', `${kind}: ${args.join(' ')}`);
      };
      await ok('CONFIG', 'SET', 'port', String(p2));
      assert.equal(await answersPing(p2), true, `${kind}: listens on the new port`);
      assert.equal(await answersPing(s.port), false, `${kind}: the old port is closed`);
      assert.equal(formatReply(await a.call('PING')), '+PONG', `${kind}: a connected client stays`);
      assert.equal((await info(p2, 'server')).get('tcp_port'), String(p2), `${kind}: INFO tcp_port`);
      // A port in use: Redis's error, and the listener stays where it was.
      assert.equal(
        formatReply(await a.call('CONFIG', 'SET', 'port', String(busy))),
        "(error) ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
        kind,
      );
      assert.equal(await get(a, 'port'), String(p2), kind);
      assert.equal(await answersPing(p2), true, `${kind}: still on ${p2} after the failed rebind`);
      // bind: an address not on this machine fails; marked optional ("-") it is skipped.
      assert.equal(
        formatReply(await a.call('CONFIG', 'SET', 'bind', `127.0.0.1 ${NOT_LOCAL}`)),
        "(error) ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.",
        kind,
      );
      assert.equal(await get(a, 'bind'), '127.0.0.1', kind);
      assert.equal(await answersPing(p2), true, `${kind}: still listening after the failed bind`);
      await ok('CONFIG', 'SET', 'bind', `127.0.0.1 -${NOT_LOCAL}`);
      assert.equal(await get(a, 'bind'), `127.0.0.1 -${NOT_LOCAL}`, kind);
      assert.equal(await answersPing(p2), true, `${kind}: listening on 127.0.0.1 after the optional address was skipped`);
      // Port 0: no TCP listener at all; the connected client turns it back on.
      await ok('CONFIG', 'SET', 'port', '0');
      assert.equal(await answersPing(p2), false, `${kind}: port 0 closes the TCP listener`);
      assert.equal(formatReply(await unix.call('PING')), '+PONG', `${kind}: the unix socket is left alone`);
      await ok('CONFIG', 'SET', 'port', String(s.port));
      assert.equal(await answersPing(s.port), true, `${kind}: back on ${s.port}`);
      a.destroy();
      unix.destroy();
      await s.stop();
    }
  });

  test('bind-source-addr: the replica connects to its primary from that address', async () => {
    const got: string[] = [];
    for (const [kind, start] of KINDS) {
      // 127.0.0.2 is not "local" to protected mode (only 127.0.0.1 and ::1 are).
      const p = await start({ args: ['--protected-mode', 'no'] });
      servers.push(p);
      const r = await start({ args: ['--bind-source-addr', '127.0.0.2', '--replicaof', '127.0.0.1', String(p.port)] });
      servers.push(r);
      const slave0 = await waitFor(`${kind}: the replica seen by its primary`, async () => (await info(p.port)).get('slave0'), 15000);
      const ip = /ip=([^,]+)/.exec(slave0)?.[1];
      got.push(`${kind}: ip=${ip}`);
      assert.equal(ip, '127.0.0.2', `${kind}: ${slave0}`);
      await r.stop();
      await p.stop();
    }
    assert.equal(got.length, 2);
  });
});
