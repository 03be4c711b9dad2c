// Limits on hostile input, side by side with redis-server 7.0: the same raw bytes go
// to both servers and each must answer (and close) the same way. Covers the 64 KB cap
// on unterminated header lines (inline, multibulk count, bulk length), the multibulk
// count cap (INT_MAX), the unauthenticated caps (10 arguments, 16 KB bulks), the
// query buffer limit, maxclients, timeout (who is exempt) and the pubsub output
// buffer limit. Every exchange ends with the server closing the connection, so no
// case waits on a silence.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { call, callRaw, waitFor } from '../helpers/wait.js';
import { RespClient, toPlain } from '../../src/protocol/resp-client.js';

interface Exchange {
  reply: string;
  closed: boolean;
}

/** Writes `parts` (one write each) on a fresh connection; resolves with what came back once the server closes (deadline 10 s). */
function exchange(port: number, parts: Array<string | Buffer>): Promise<Exchange> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ reply: got, closed: false });
    }, 10000);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => {
      /* a reset is a close: 'close' follows */
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ reply: got, closed: true });
    });
    s.on('connect', () => {
      for (const p of parts) s.write(p);
    });
  });
}

const skip = skipIfNoRedis();

/** A bulk argument on the wire. */
const bulk = (a: string): string => `$${a.length}\r\n${a}\r\n`;
const mbulk = (...args: string[]): string => `*${args.length}\r\n${args.map(bulk).join('')}`;

describe('limits on hostile input (redis-server and Cinnabar, same bytes)', { skip }, () => {
  let ours: ServerHandle;
  let theirs: ServerHandle;

  before(async () => {
    [ours, theirs] = await Promise.all([startCinnabar(), startRedis()]);
  });
  after(async () => {
    await Promise.all([ours?.stop(), theirs?.stop()]);
  });

  /** Runs the exchange on both, asserts the same outcome and the expected one, and that both still answer. */
  async function same(parts: Array<string | Buffer>, want: Exchange): Promise<void> {
    const [t, o] = await Promise.all([exchange(theirs.port, parts), exchange(ours.port, parts)]);
    assert.deepEqual(t, want, 'redis-server');
    assert.deepEqual(o, t, 'Cinnabar against redis-server');
    // Both still answer (NOAUTH while requirepass is set is an answer too).
    const pongs = await Promise.all([callRaw(theirs.port, 'PING'), callRaw(ours.port, 'PING')]);
    assert.deepEqual(pongs[1], pongs[0]);
    assert.ok(pongs[0].t === 'simple' || (pongs[0].t === 'err' && pongs[0].v.startsWith('NOAUTH')), JSON.stringify(pongs[0]));
  }

  const A70K = 'A'.repeat(70000);
  const D70K = '1'.repeat(70000);

  test('an unterminated inline request past 64 KB: too big inline request', () => same([A70K], closedWith('-ERR Protocol error: too big inline request\r\n')));

  test('the same line sent in 10 writes still hits the cap', () => same(Array.from({ length: 10 }, () => 'A'.repeat(7000)), closedWith('-ERR Protocol error: too big inline request\r\n')));

  test('an unterminated multibulk count past 64 KB: too big mbulk count string', () => same(['*' + D70K], closedWith('-ERR Protocol error: too big mbulk count string\r\n')));

  test('an unterminated bulk length past 64 KB: too big bulk count string', () => same(['*1\r\n$' + D70K], closedWith('-ERR Protocol error: too big bulk count string\r\n')));

  test('complete lines of 70 KB are parsed, not capped', async () => {
    await same(['*' + D70K + '\r\n'], closedWith('-ERR Protocol error: invalid multibulk length\r\n'));
    await same(['*1\r\n$' + D70K + '\r\n'], closedWith('-ERR Protocol error: invalid bulk length\r\n'));
    const t = await exchange(theirs.port, [A70K + '\r\n', '*x\r\n']);
    assert.match(t.reply, /^-ERR unknown command 'A{128}', with args beginning with: \r\n-ERR Protocol error: invalid multibulk length\r\n$/);
    assert.deepEqual(await exchange(ours.port, [A70K + '\r\n', '*x\r\n']), t);
  });

  test('the multibulk count cap is INT_MAX (Redis 7), and the count costs nothing up front', async () => {
    await same(['*2147483647\r\n', ':1\r\n'], closedWith("-ERR Protocol error: expected '$', got ':'\r\n"));
    await same(['*2147483648\r\n'], closedWith('-ERR Protocol error: invalid multibulk length\r\n'));
  });

  test('client-query-buffer-limit: one argument over it closes the client, one under it is stored', async () => {
    for (const s of [ours, theirs]) assert.equal(await call(s.port, 'CONFIG', 'SET', 'client-query-buffer-limit', '1mb'), 'OK');
    try {
      const over = 1100 * 1000;
      const [t, o] = await Promise.all([theirs, ours].map((s) => exchange(s.port, [`*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$${over}\r\n`, Buffer.alloc(over + 2, 0x78)])));
      // The close comes while we still write: a reset may swallow nothing or everything; no reply is due.
      assert.equal(t.closed, true);
      assert.equal(o.closed, true);
      assert.equal(o.reply, t.reply);
      const under = 1000 * 1000;
      const ok = mbulk('SET', 'k2', 'x'.repeat(under)) + '*x\r\n';
      await same([ok], closedWith('+OK\r\n-ERR Protocol error: invalid multibulk length\r\n'));
      for (const s of [ours, theirs]) {
        assert.equal(await call(s.port, 'EXISTS', 'k1'), 0);
        assert.equal(await call(s.port, 'STRLEN', 'k2'), under);
      }
    } finally {
      for (const s of [ours, theirs]) await call(s.port, 'CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
    }
  });

  describe('before authentication (requirepass set)', () => {
    before(async () => {
      for (const s of [ours, theirs]) assert.equal(await call(s.port, 'CONFIG', 'SET', 'requirepass', 'pw'), 'OK');
    });
    after(async () => {
      for (const s of [ours, theirs]) {
        const c = await RespClient.connect({ port: s.port, host: '127.0.0.1' });
        await c.call('AUTH', 'pw');
        await c.call('CONFIG', 'SET', 'requirepass', '');
        c.destroy();
      }
    });

    test('more than 10 arguments: unauthenticated multibulk length', () => same(['*11\r\n'], closedWith('-ERR Protocol error: unauthenticated multibulk length\r\n')));

    test('a bulk over 16 KB: unauthenticated bulk length (nothing allocated for it)', async () => {
      await same(['*1\r\n$16385\r\n'], closedWith('-ERR Protocol error: unauthenticated bulk length\r\n'));
      await same(['*1\r\n$536870912\r\n'], closedWith('-ERR Protocol error: unauthenticated bulk length\r\n'));
    });

    test('10 arguments and a 16 KB bulk are parsed (and refused with NOAUTH)', () =>
      same([mbulk('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e'), mbulk('SET', 'k', 'x'.repeat(16384)), '*x\r\n'], closedWith(
        '-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n-ERR Protocol error: invalid multibulk length\r\n',
      )));

    test('a wrong password keeps the caps; AUTH lifts them for the next command of the same pipeline', async () => {
      await same([mbulk('AUTH', 'nope'), '*11\r\n'], closedWith('-WRONGPASS invalid username-password pair or user is disabled.\r\n-ERR Protocol error: unauthenticated multibulk length\r\n'));
      const big = 'v'.repeat(20000);
      await same([mbulk('AUTH', 'pw') + mbulk('MSET', 'u1', big, 'u2', '2', 'u3', '3', 'u4', '4', 'u5', '5') + '*x\r\n'], closedWith('+OK\r\n+OK\r\n-ERR Protocol error: invalid multibulk length\r\n'));
    });
  });

  test('a client that connected under requirepass loses the caps when the password is removed (authRequired asks both)', async () => {
    const outcome: Exchange[] = [];
    for (const h of [theirs, ours]) {
      assert.equal(await call(h.port, 'CONFIG', 'SET', 'requirepass', 'pw'), 'OK');
      const raw = net.connect(h.port, '127.0.0.1');
      let got = '';
      raw.on('data', (d) => (got += d.toString('latin1')));
      raw.on('error', () => {
        /* a reset is a close: 'close' follows */
      });
      const closed = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 10000);
        raw.on('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
      // The server holds the connection (unauthenticated) before the password goes.
      await callRaw(h.port, 'PING');
      const admin = await RespClient.connect({ port: h.port, host: '127.0.0.1' });
      try {
        await admin.call('AUTH', 'pw');
        await admin.call('CONFIG', 'SET', 'requirepass', '');
      } finally {
        admin.destroy();
      }
      raw.write(mbulk('MSET', 'p1', '1', 'p2', '2', 'p3', '3', 'p4', '4', 'p5', '5') + '*x\r\n');
      const wasClosed = await closed;
      outcome.push({ reply: got, closed: wasClosed });
    }
    assert.deepEqual(outcome[0], closedWith('+OK\r\n-ERR Protocol error: invalid multibulk length\r\n'), 'redis-server');
    assert.deepEqual(outcome[1], outcome[0], 'Cinnabar against redis-server');
  });
});

describe('maxclients, timeout and the pubsub output buffer limit (redis-server and Cinnabar)', { skip }, () => {
  test('maxclients 3: the fourth connection gets the error and is closed; a slot freed is reusable', async () => {
    for (const start of [startRedis, startCinnabar]) {
      const srv = await start({ args: ['--maxclients', '3'] });
      const held: RespClient[] = [];
      try {
        for (let i = 0; i < 3; i++) held.push(await srv.client());
        for (const c of held) assert.deepEqual(await c.call('PING'), { t: 'simple', v: 'PONG' });
        assert.deepEqual(await exchange(srv.port, []), closedWith('-ERR max number of clients reached\r\n'), srv.kind);
        const r = await held[0].call('INFO', 'stats');
        assert.match(r.t === 'bulk' ? String(r.v) : '', /rejected_connections:1\r\n/, srv.kind);
        held.shift()!.destroy();
        await waitFor(`${srv.kind}: a slot to be free`, async () => String(toPlain(await held[0].call('INFO', 'clients'))).includes('connected_clients:2\r\n'), 5000);
        assert.deepEqual(await exchange(srv.port, ['PING\r\n', '*x\r\n']), closedWith('+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n'), srv.kind);
      } finally {
        for (const c of held) c.destroy();
        await srv.stop();
      }
    }
  });

  test('timeout 1: an idle client is closed; a subscriber, a blocked client and an active one are not', async () => {
    const results: string[] = [];
    await Promise.all(
      [startRedis, startCinnabar].map(async (start) => {
        const srv = await start({ args: ['--timeout', '1'] });
        try {
          const [idle, sub, blocked, busy] = await Promise.all([srv.client(), srv.client(), srv.client(), srv.client()]);
          await idle.call('PING');
          await sub.call('SUBSCRIBE', 'ch');
          void blocked.call('BLPOP', 'nothing', '0').catch(() => null);
          const t0 = Date.now();
          await waitFor(`${srv.kind}: the idle client to be closed`, async () => {
            assert.deepEqual(await busy.call('PING'), { t: 'simple', v: 'PONG' });
            return idle.closed;
          }, 6000, 100);
          // Two more seconds of activity from busy: the others are idle that long too.
          while (Date.now() - t0 < 3500) {
            await busy.call('PING');
            await new Promise((r) => setTimeout(r, 100));
          }
          const info = await busy.call('INFO', 'clients');
          const text = String(toPlain(info));
          results.push(`${srv.kind}: sub ${sub.closed} blocked ${blocked.closed} busy ${busy.closed} ${/connected_clients:\d+/.exec(text)?.[0]} ${/blocked_clients:\d+/.exec(text)?.[0]}`);
        } finally {
          await srv.stop();
        }
      }),
    );
    results.sort();
    assert.deepEqual(results, [
      'cinnabar: sub false blocked false busy false connected_clients:3 blocked_clients:1',
      'redis: sub false blocked false busy false connected_clients:3 blocked_clients:1',
    ]);
  });

  test('client-output-buffer-limit pubsub 256kb 0 0: a subscriber that never reads is dropped, the publisher is not', async () => {
    await Promise.all(
      [startRedis, startCinnabar].map(async (start) => {
        const srv = await start({ args: ['--client-output-buffer-limit', 'pubsub 256kb 0 0'] });
        let s: net.Socket | null = null;
        try {
          const pub = await srv.client();
          s = net.connect(srv.port, '127.0.0.1');
          s.on('error', () => {});
          await new Promise<void>((r) => s!.on('connect', () => r()));
          s.write(mbulk('SUBSCRIBE', 'ch'));
          const numsub = async (): Promise<unknown> => (toPlain(await pub.call('PUBSUB', 'NUMSUB', 'ch')) as unknown[])[1];
          await waitFor(`${srv.kind}: the subscriber`, async () => (await numsub()) === 1, 5000);
          s.pause();
          const msg = 'm'.repeat(64 * 1024);
          // At most 400 messages (25 MB): the kernel's buffers fill first, then the server's.
          let sent = 0;
          await waitFor(`${srv.kind}: the subscriber to be dropped`, async () => {
            if (sent < 400) {
              for (let i = 0; i < 10; i++) await pub.call('PUBLISH', 'ch', msg);
              sent += 10;
            }
            return (await numsub()) === 0;
          }, 20000, 10);
          assert.ok(srv.output().includes('scheduled to be closed ASAP for overcoming of output buffer limits'), `${srv.kind} logs the drop`);
          assert.deepEqual(await pub.call('PING'), { t: 'simple', v: 'PONG' });
        } finally {
          s?.destroy();
          await srv.stop();
        }
      }),
    );
  });
});

function closedWith(reply: string): Exchange {
  return { reply, closed: true };
}
