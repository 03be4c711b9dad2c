// Bad input never takes the server down or loses data: broken frames and huge
// lengths get Redis's protocol errors and a closed connection; a client that never
// reads its replies is dropped at client-output-buffer-limit; an oversized query
// buffer is dropped at client-query-buffer-limit. After each, the server answers
// and the dataset is intact.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startCinnabar, type ServerHandle } from '../helpers/servers.js';
import type { RespClient } from '../../src/protocol/resp-client.js';

/** Sends raw bytes on a fresh connection; resolves with everything received until the server closes (deadline 5 s). */
function sendRaw(port: number, data: Buffer | string): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ reply: got, closed: false });
    }, 5000);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ reply: got, closed: true });
    });
    s.on('connect', () => s.write(data));
    // A reset (the server closing while we still write) is a close too; 'close' follows.
    void reject;
  });
}

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function infoField(info: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1].trim() : undefined;
}

describe('bad input', () => {
  let srv: ServerHandle;
  let c: RespClient;

  before(async () => {
    srv = await startCinnabar();
    c = await srv.client();
    await c.call('SET', 'canary', 'alive');
    await c.call('RPUSH', 'list', 'a', 'b', 'c');
  });

  after(async () => {
    await c?.close();
    await srv?.stop();
  });

  async function assertHealthy(): Promise<void> {
    assert.deepEqual(await c.call('PING'), { t: 'simple', v: 'PONG' });
    assert.deepEqual(await c.call('GET', 'canary'), { t: 'bulk', v: 'alive' });
    assert.deepEqual(await c.call('LLEN', 'list'), { t: 'int', v: 3n });
  }

  const cases: Array<[string, string, string]> = [
    ['huge bulk length', '*1\r\n$99999999999\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['negative bulk length', '*1\r\n$-3\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['multibulk count over INT_MAX', '*2147483648\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['bulk without $', '*2\r\n$3\r\nGET\r\n:12\r\n', "-ERR Protocol error: expected '$', got ':'\r\n"],
    ['unbalanced quotes inline', 'SET "a b\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
    ['letters as a count', '*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
  ];
  for (const [name, input, want] of cases) {
    test(`${name}: error reply, connection closed, server up`, async () => {
      const r = await sendRaw(srv.port, input);
      assert.equal(r.reply, want);
      assert.equal(r.closed, true);
      await assertHealthy();
    });
  }

  test('commands before a broken frame in the same packet are answered', async () => {
    const r = await sendRaw(srv.port, 'PING\r\n*1\r\n$4\r\nPING\r\n*1\r\nxx\r\n');
    assert.equal(r.reply, "+PONG\r\n+PONG\r\n-ERR Protocol error: expected '$', got 'x'\r\n");
    assert.equal(r.closed, true);
  });

  test('an endless inline line is cut at 64 KiB', async () => {
    const r = await sendRaw(srv.port, 'A'.repeat(100 * 1024));
    assert.equal(r.reply, '-ERR Protocol error: too big inline request\r\n');
    assert.equal(r.closed, true);
    await assertHealthy();
  });

  test('a bulk larger than proto-max-bulk-len is refused', async () => {
    await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb');
    try {
      const r = await sendRaw(srv.port, `*2\r\n$3\r\nGET\r\n$${2 * 1024 * 1024}\r\n`);
      assert.equal(r.reply, '-ERR Protocol error: invalid bulk length\r\n');
      assert.equal(r.closed, true);
    } finally {
      await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb');
    }
    await assertHealthy();
  });

  test('query buffer beyond client-query-buffer-limit closes the client', async () => {
    await c.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
    try {
      const size = 3 * 1024 * 1024;
      const r = await sendRaw(srv.port, Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$${size}\r\n`), Buffer.alloc(1024 * 1024, 0x61)]));
      assert.equal(r.closed, true);
      assert.equal(r.reply, '');
      assert.deepEqual(await c.call('EXISTS', 'q'), { t: 'int', v: 0n });
    } finally {
      await c.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
    }
    await assertHealthy();
  });

  test('a client that never reads is dropped at client-output-buffer-limit', async () => {
    await c.call('SET', 'big', 'x'.repeat(512 * 1024));
    await c.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 4mb 2mb 1');
    let s: net.Socket | null = null;
    try {
      const before = infoField(((await c.call('INFO', 'clients')) as { v: string }).v, 'connected_clients');
      const drops = async (): Promise<number> => Number(infoField(((await c.call('INFO', 'stats')) as { v: string }).v, 'client_output_buffer_limit_disconnections'));
      const dropsBefore = await drops();
      s = net.connect(srv.port, '127.0.0.1');
      s.on('error', () => {});
      let closed = false;
      s.on('close', () => (closed = true));
      await new Promise<void>((r) => s!.on('connect', () => r()));
      s.pause(); // never read: replies pile up in the server
      let sent = 0;
      const burst = '*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n'.repeat(100);
      // Keep sending requests (bounded: 2,000 GETs = 1 GB of replies) until the server
      // says it dropped us. The paused socket cannot tell by itself: it reads nothing, so
      // neither the server's FIN nor its reset reaches it, and once the bursts are all
      // sent no write fails either.
      await waitFor(
        async () => {
          if (sent < 2000) {
            s!.write(burst);
            sent += 100;
          }
          return (await drops()) > dropsBefore;
        },
        'the server to drop a client over its output buffer limit',
        20000,
      );
      // Reading again, the client gets what the kernel still held, then the close.
      s.resume();
      await waitFor(async () => closed, 'the dropped client to see its connection closed');
      assert.equal(await drops(), dropsBefore + 1);
      // Dropped as its replies reached the limit, not after a whole burst of them (52 MB).
      const dropLine = srv.output().split('\n').filter((l) => l.includes('for overcoming of output buffer limits')).pop() ?? '';
      const omem = Number(/ omem=(\d+) /.exec(dropLine)?.[1]);
      assert.ok(omem >= 4 * 1024 * 1024 && omem < 4 * 1024 * 1024 + 600 * 1024, `omem at the drop: ${dropLine}`);
      const info = ((await c.call('INFO', 'clients')) as { v: string }).v;
      assert.equal(infoField(info, 'connected_clients'), before);
    } finally {
      s?.destroy();
      await c.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
    }
    await assertHealthy();
  });
});
