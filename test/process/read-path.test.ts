// The read path: connections read into one buffer shared by every client
// (server.ts adoptSocket), so whatever a read leaves unparsed — half a command,
// commands queued behind a blocked one — must be copied out before the next read
// of any connection overwrites it. These tests split commands at every kind of
// boundary, interleave partial commands of several connections, and block a
// client with commands pipelined behind it.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startCinnabar, type ServerHandle } from '../helpers/servers.js';
import type { RespClient } from '../../src/protocol/resp-client.js';
import { Rng, seedFromEnv } from '../helpers/random.js';

/** A raw connection: write bytes, wait until the received text has a given length. */
class Raw {
  got = '';
  private waiters: Array<() => void> = [];
  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.got += d.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    });
    sock.on('error', () => {});
  }

  static open(port: number): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.setNoDelay(true);
      s.once('connect', () => resolve(new Raw(s)));
      s.once('error', reject);
    });
  }

  /** Writes and waits until the server has surely read it as a separate chunk. */
  async send(data: string, pauseMs = 15): Promise<void> {
    this.sock.write(Buffer.from(data, 'latin1'));
    await new Promise((r) => setTimeout(r, pauseMs));
  }

  /** Resolves with the received text once it is `n` characters long (deadline 10 s). */
  async waitLength(n: number): Promise<string> {
    const deadline = Date.now() + 10000;
    while (this.got.length < n) {
      if (Date.now() > deadline) throw new Error(`timed out with ${JSON.stringify(this.got)} (want ${n} chars)`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.got;
  }

  close(): void {
    this.sock.destroy();
  }
}

function resp(...args: string[]): string {
  let s = '*' + args.length + '\r\n';
  for (const a of args) s += '$' + Buffer.byteLength(a, 'latin1') + '\r\n' + a + '\r\n';
  return s;
}

function bulk(v: string): string {
  return '$' + v.length + '\r\n' + v + '\r\n';
}

describe('read path', () => {
  let srv: ServerHandle;
  let c: RespClient;

  before(async () => {
    srv = await startCinnabar();
    c = await srv.client();
  });

  after(async () => {
    await c?.close();
    await srv?.stop();
  });

  test('a pipeline split into random chunks gets every reply, in order', async () => {
    const rng = new Rng(seedFromEnv('read-path split'));
    const raw = await Raw.open(srv.port);
    try {
      let input = '';
      let expected = '';
      for (let i = 0; i < 300; i++) {
        const key = `split:${rng.range(0, 20)}`;
        const val = 'v'.repeat(rng.range(0, 40)) + i;
        input += resp('SET', key, val) + resp('GET', key) + (i % 7 === 0 ? 'PING\r\n' : '');
        expected += '+OK\r\n' + bulk(val) + (i % 7 === 0 ? '+PONG\r\n' : '');
      }
      let pos = 0;
      while (pos < input.length) {
        const n = rng.range(1, 200);
        await raw.send(input.slice(pos, pos + n), rng.range(0, 3));
        pos += n;
      }
      assert.equal(await raw.waitLength(expected.length), expected);
    } finally {
      raw.close();
    }
  });

  test('partial commands of several connections interleaved with other reads', async () => {
    const a = await Raw.open(srv.port);
    const b = await Raw.open(srv.port);
    const d = await Raw.open(srv.port);
    try {
      const cmdA = resp('SET', 'inter:a', 'AAAAAAAAAAAAAAAAAAAA');
      const cmdB = resp('SET', 'inter:b', 'BBBBBBBBBBBBBBBBBBBB');
      // Each connection leaves half a command pending, then others read in between.
      await a.send(cmdA.slice(0, 17));
      await b.send(cmdB.slice(0, 9));
      await d.send(resp('SET', 'inter:d', 'D'.repeat(100)) + resp('GET', 'inter:d').slice(0, 5));
      await a.send(cmdA.slice(17, 30));
      await d.send('x'.repeat(0));
      await c.call('SET', 'inter:c', 'C'.repeat(500));
      await b.send(cmdB.slice(9) + resp('GET', 'inter:b'));
      await a.send(cmdA.slice(30) + resp('GET', 'inter:a'));
      await d.send(resp('GET', 'inter:d').slice(5));
      assert.equal(await a.waitLength(5 + 26), '+OK\r\n' + bulk('AAAAAAAAAAAAAAAAAAAA'));
      assert.equal(await b.waitLength(5 + 26), '+OK\r\n' + bulk('BBBBBBBBBBBBBBBBBBBB'));
      assert.equal(await d.waitLength(5 + 107), '+OK\r\n' + bulk('D'.repeat(100)));
      assert.deepEqual(await c.call('GET', 'inter:a'), { t: 'bulk', v: 'AAAAAAAAAAAAAAAAAAAA' });
    } finally {
      a.close();
      b.close();
      d.close();
    }
  });

  test('commands pipelined behind a blocked command run after it, intact', async () => {
    const a = await Raw.open(srv.port);
    const other = await Raw.open(srv.port);
    try {
      await c.call('DEL', 'blk:q', 'blk:after');
      // BLPOP blocks; the SET and GET behind it stay in the query buffer.
      await a.send(resp('BLPOP', 'blk:q', '0') + resp('SET', 'blk:after', 'after-value') + resp('GET', 'blk:after').slice(0, 10), 50);
      // Other connections' reads reuse the read buffer meanwhile.
      for (let i = 0; i < 20; i++) await other.send(resp('SET', 'blk:noise', 'N'.repeat(i * 50)), 1);
      await a.send(resp('GET', 'blk:after').slice(10), 30);
      assert.equal(a.got, '', 'nothing is answered while blocked');
      await c.call('RPUSH', 'blk:q', 'item');
      const want = '*2\r\n' + bulk('blk:q') + bulk('item') + '+OK\r\n' + bulk('after-value');
      assert.equal(await a.waitLength(want.length), want);
    } finally {
      a.close();
      other.close();
    }
  });

  test('a big argument split over many reads, with commands around it', async () => {
    const raw = await Raw.open(srv.port);
    try {
      const big = 'x'.repeat(200 * 1024) + 'END';
      const input = resp('SET', 'big:k', big) + resp('STRLEN', 'big:k') + resp('GETRANGE', 'big:k', '-3', '-1');
      for (let pos = 0; pos < input.length; pos += 7000) await raw.send(input.slice(pos, pos + 7000), 1);
      const want = '+OK\r\n:' + big.length + '\r\n' + bulk('END');
      assert.equal(await raw.waitLength(want.length), want);
    } finally {
      raw.close();
    }
  });

  test('closed connections are released', async () => {
    const conns: Raw[] = [];
    for (let i = 0; i < 5; i++) conns.push(await Raw.open(srv.port));
    for (const r of conns) await r.send('PING\r\n', 0);
    for (const r of conns) assert.equal(await r.waitLength(7), '+PONG\r\n');
    for (const r of conns) r.close();
    const deadline = Date.now() + 5000;
    for (;;) {
      const info = await c.call('INFO', 'clients');
      const n = Number(/connected_clients:(\d+)/.exec('v' in info ? String(info.v) : '')?.[1]);
      if (n === 1) break;
      if (Date.now() > deadline) assert.fail(`connected_clients stays at ${n}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
