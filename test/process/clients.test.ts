// Standard clients against a real cinnabar-server process: redis-cli, ioredis and
// node-redis, used the way an application would use them.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startCinnabar, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';

const run = promisify(execFile);

describe('standard clients', () => {
  let srv: ServerHandle;

  before(async () => {
    srv = await startCinnabar();
  });
  after(async () => {
    await srv?.stop();
  });

  describe('redis-cli', { skip: skipIfNoRedis() }, () => {
    const cli = async (...args: string[]) => (await run('redis-cli', ['-p', String(srv.port), ...args], { timeout: 10000 })).stdout;

    test('set, get, incr, lists, hashes', async () => {
      assert.equal(await cli('SET', 'greeting', 'hello world'), 'OK\n');
      assert.equal(await cli('GET', 'greeting'), 'hello world\n');
      assert.equal(await cli('INCR', 'n'), '1\n');
      assert.equal(await cli('RPUSH', 'l', 'a', 'b', 'c'), '3\n');
      assert.equal(await cli('LRANGE', 'l', '0', '-1'), 'a\nb\nc\n');
      assert.equal(await cli('HSET', 'h', 'f', 'v'), '1\n');
      assert.equal(await cli('-3', 'HGETALL', 'h'), 'f v\n'); // redis-cli prints a RESP3 map entry on one line
      assert.equal(await cli('GET', 'nokey'), '\n');
    });

    test('errors and INFO', async () => {
      const { stdout } = await run('redis-cli', ['-p', String(srv.port), 'LPUSH', 'greeting', 'x'], { timeout: 10000 });
      assert.match(stdout, /WRONGTYPE Operation against a key holding the wrong kind of value/);
      const info = await cli('INFO', 'server');
      assert.match(info, /redis_version:7\.2\./);
      assert.match(info, new RegExp(`tcp_port:${srv.port}`));
    });

    test('--scan and --pipe', async () => {
      const keys = Array.from({ length: 50 }, (_, i) => `scan:${i}`);
      const pipeInput = keys.map((k) => `SET ${k} v\r\n`).join('');
      const child = execFile('redis-cli', ['-p', String(srv.port), '--pipe'], { timeout: 10000 });
      child.stdin!.end(pipeInput);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      await new Promise((r) => child.on('close', r));
      assert.match(out, /errors: 0, replies: 50/);
      const scanned = (await cli('--scan', '--pattern', 'scan:*')).trim().split('\n').sort();
      assert.deepEqual(scanned, [...keys].sort());
    });
  });

  describe('ioredis', () => {
    let r: Redis;
    before(() => {
      r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1 });
    });
    after(async () => {
      await r?.quit();
    });

    test('commands, pipeline, transaction', async () => {
      assert.equal(await r.set('io:a', '1'), 'OK');
      assert.equal(await r.incrby('io:a', 41), 42);
      const p = await r.pipeline().set('io:b', 'x').get('io:b').lpush('io:l', 'a', 'b').lrange('io:l', 0, -1).exec();
      assert.deepEqual(
        p!.map(([e, v]) => [e, v]),
        [
          [null, 'OK'],
          [null, 'x'],
          [null, 2],
          [null, ['b', 'a']],
        ],
      );
      const m = await r.multi().incr('io:c').incr('io:c').exec();
      assert.deepEqual(m, [
        [null, 1],
        [null, 2],
      ]);
      await assert.rejects(r.lpush('io:a', 'x'), /WRONGTYPE/);
      assert.deepEqual(await r.hgetall('nohash'), {});
      await r.zadd('io:z', '1', 'one', '2', 'two');
      assert.deepEqual(await r.zrange('io:z', '0', '-1', 'WITHSCORES'), ['one', '1', 'two', '2']);
    });

    test('pub/sub', async () => {
      const sub = new Redis({ port: srv.port, host: '127.0.0.1' });
      try {
        await sub.subscribe('news');
        const got = new Promise<[string, string]>((resolve) => sub.on('message', (ch, msg) => resolve([ch, msg])));
        assert.equal(await r.publish('news', 'hello'), 1);
        assert.deepEqual(await got, ['news', 'hello']);
      } finally {
        sub.disconnect();
      }
    });

    test('blocking pop is served by a later push', async () => {
      const b = new Redis({ port: srv.port, host: '127.0.0.1' });
      try {
        const popped = b.blpop('io:queue', 5);
        // Wait until the server reports the client blocked, then push.
        const deadline = Date.now() + 5000;
        while (!/blocked_clients:1/.test(await r.info('clients'))) {
          assert.ok(Date.now() < deadline, 'client never blocked');
          await new Promise((res) => setTimeout(res, 10));
        }
        await r.rpush('io:queue', 'job1');
        assert.deepEqual(await popped, ['io:queue', 'job1']);
      } finally {
        b.disconnect();
      }
    });

    test('scanStream returns every key', async () => {
      for (let i = 0; i < 300; i++) await r.set(`stream:${i}`, 'v');
      const seen = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        const s = r.scanStream({ match: 'stream:*', count: 37 });
        s.on('data', (keys: string[]) => keys.forEach((k) => seen.add(k)));
        s.on('end', () => resolve());
        s.on('error', reject);
      });
      assert.equal(seen.size, 300);
    });
  });

  describe('node-redis', () => {
    test('RESP2 and RESP3 clients', async () => {
      for (const RESP of [2, 3] as const) {
        const client = createClient({ url: `redis://127.0.0.1:${srv.port}`, RESP });
        client.on('error', () => {});
        await client.connect();
        try {
          assert.equal(await client.set(`nr:${RESP}`, 'v'), 'OK');
          assert.equal(await client.get(`nr:${RESP}`), 'v');
          await client.hSet(`nrh:${RESP}`, { a: '1', b: '2' });
          const h = await client.hGetAll(`nrh:${RESP}`);
          assert.deepEqual({ ...h }, { a: '1', b: '2' });
          assert.equal(await client.exists(`nr:${RESP}`), 1);
          const [a, b] = await client.multi().incr(`nrc:${RESP}`).incr(`nrc:${RESP}`).exec();
          assert.deepEqual([a, b], [1, 2]);
        } finally {
          await client.close();
        }
      }
    });
  });
});
