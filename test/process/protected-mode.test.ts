// Protected mode and the default bind as Redis 7 defines them, both servers side
// by side: started without --bind they listen on `* -::*` with protected-mode yes;
// while the default user has no password, a client from anywhere but 127.0.0.1 or
// ::1 (a non-loopback address of this machine, or 127.0.0.2) gets Redis's -DENIED
// text and is closed, whatever the bind addresses; a password or
// `protected-mode no` lets it in.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as os from 'node:os';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { formatReply, toPlain, type RespClient } from '../../src/protocol/resp-client.js';

const KINDS = [
  ['redis', startRedis],
  ['cinnabar', startCinnabar],
] as const;

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}
const EXTERNAL = externalAddress();

const servers: ServerHandle[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

/**
 * Redis 7.2 fixed a typo of 7.0's -DENIED text ("4) Setup a an authentication
 * password" became "4) Set up an authentication password"); Cinnabar writes 7.2's.
 * Named difference: redis-server 7.0's text is read as 7.2's.
 */
const V70_TYPO = '4) Setup a an authentication password';
const V72_TEXT = '4) Set up an authentication password';

/** Deadline of one raw exchange. */
const EXCHANGE_MS = 5000;

/**
 * Connects to host:port from `from`, sends PING, and gives what came back and
 * whether the server closed the connection. A reply other than -DENIED leaves the
 * connection open: the exchange ends at its first complete line.
 */
async function exchange(host: string, port: number, from: string, resets: { n: number } = { n: 0 }): Promise<{ data: string; closed: boolean }> {
  // A denied connection is closed at once; when our PING reaches the closed socket
  // the kernel answers with a reset, which can discard the -DENIED line before it
  // is read (seen once, in the full suite). Such an attempt tells nothing: retry, a
  // bounded number of times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await exchangeOnce(host, port, from);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET' || attempt >= EXCHANGE_ATTEMPTS) throw e;
      // The reset attempt was a denied connection too: the caller takes it out of rejected_connections.
      resets.n++;
    }
  }
}

const EXCHANGE_ATTEMPTS = 5;

function exchangeOnce(host: string, port: number, from: string): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection({ host, port, localAddress: from });
    let data = '';
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ data, closed });
    };
    const timer = setTimeout(() => done(false), EXCHANGE_MS);
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (!data.startsWith('-DENIED') && data.endsWith('\r\n')) done(false);
    });
    s.on('close', () => done(true));
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function get(c: RespClient, name: string): Promise<string> {
  return (toPlain(await c.call('CONFIG', 'GET', name)) as string[])[1];
}

describe('protected mode and the default bind', { skip: skipIfNoRedis() || (EXTERNAL === null ? 'this machine has no non-loopback IPv4 address to connect from' : false) }, () => {
  test('non-loopback clients are denied and closed while the default user has no password, whatever the bind', async () => {
    const ext = EXTERNAL!;
    const got: string[][] = [];
    for (const [kind, start] of KINDS) {
      const s = await start({ defaultBind: true });
      servers.push(s);
      const c = await s.client();
      const out: string[] = [];
      out.push(`bind: ${await get(c, 'bind')}`, `protected-mode: ${await get(c, 'protected-mode')}`);
      const resets = { n: 0 };
      const step = async (what: string, host: string, from: string): Promise<void> => {
        const r = await exchange(host, s.port, from, resets);
        if (kind === 'redis') r.data = r.data.replace(V70_TYPO, V72_TEXT);
        out.push(`${what}: ${JSON.stringify(r.data)} closed=${r.closed}`);
      };
      await step('external', ext, ext);
      await step('127.0.0.2', '127.0.0.1', '127.0.0.2');
      await step('127.0.0.1', '127.0.0.1', '127.0.0.1');
      out.push(formatReply(await c.call('CONFIG', 'SET', 'bind', `127.0.0.1 ${ext}`)));
      await step('external, explicit bind', ext, ext);
      out.push(formatReply(await c.call('CONFIG', 'SET', 'requirepass', 'secret')));
      await step('external, a password set', ext, ext);
      out.push(formatReply(await c.call('AUTH', 'secret')));
      out.push(formatReply(await c.call('CONFIG', 'SET', 'requirepass', '', 'protected-mode', 'no')));
      await step('external, protected-mode no', ext, ext);
      const rejected = /rejected_connections:(\d+)/.exec(String(toPlain(await c.call('INFO', 'stats'))))?.[1];
      // Less the attempts retried after a reset, each of them one more denied connection.
      out.push(`rejected_connections: ${Number(rejected) - resets.n}`);
      got.push(out);
      c.destroy();
      await s.stop();
      assert.ok(out[2].startsWith('external: "-DENIED Redis is running in protected mode') && out[2].endsWith('closed=true'), `${kind}: ${out[2]}`);
    }
    assert.deepEqual(got[1], got[0], 'Cinnabar (actual) against redis-server (expected)');
  });
});
