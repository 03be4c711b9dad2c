// Clients whose features are Lua scripts, against Cinnabar and redis-server (issue
// 15, item 7): ioredis defineCommand (EVALSHA, falling back to EVAL after SCRIPT
// FLUSH, in a pipeline too), redlock (lock, extend, contention, unlock),
// rate-limiter-flexible's RateLimiterRedis (consume until rejected, penalty,
// reward, get, delete) and Debian's python3-redis Lock (/usr/bin/python3, redis
// 4.3.4: acquire, blocking timeout, extend, reacquire, release, LockNotOwnedError).
// Each runs the same steps on both servers and the outcomes are compared.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';

const require = createRequire(import.meta.url);
// redlock 4 ships no types.
interface Lock {
  value: string;
  expiration: number;
  extend(ttl: number): Promise<Lock>;
  unlock(): Promise<void>;
}
const Redlock = require('redlock') as new (clients: Redis[], opts: Record<string, number>) => { lock(resource: string, ttl: number): Promise<Lock> };

const PY = '/usr/bin/python3';

describe('script-based clients against Cinnabar and redis-server', { skip: skipIfNoRedis() }, () => {
  let servers: ServerHandle[] = [];
  before(async () => {
    servers = await Promise.all([startCinnabar(), startRedis()]);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  async function both<T>(fn: (srv: ServerHandle) => Promise<T>): Promise<[T, T]> {
    const [ours, theirs] = await Promise.all(servers.map(fn));
    return [ours, theirs];
  }
  function client(srv: ServerHandle): Redis {
    return new Redis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 1 });
  }

  test('ioredis defineCommand: EVALSHA, the EVAL fallback after SCRIPT FLUSH, pipelines, errors', async () => {
    const [ours, theirs] = await both(async (srv) => {
      const r = client(srv) as Redis & Record<string, (...a: unknown[]) => Promise<unknown>>;
      try {
        r.defineCommand('incrcap', {
          numberOfKeys: 1,
          lua: "local v = redis.call('INCRBY', KEYS[1], ARGV[1]) if v > tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[2]) return tonumber(ARGV[2]) end return v",
        });
        r.defineCommand('echoall', { lua: 'return {KEYS, ARGV, cjson.encode(ARGV)}' });
        r.defineCommand('boom', { numberOfKeys: 0, lua: "return redis.error_reply('MYERR custom failure')" });
        const out: unknown[] = [];
        await r.del('cap');
        out.push(await r.incrcap('cap', 4, 10));
        out.push(await r.incrcap('cap', 4, 10));
        await r.script('FLUSH');
        out.push(await r.incrcap('cap', 4, 10));
        out.push(await r.echoall(2, 'k1', 'k2', 'a', 'b'));
        const p = r.pipeline();
        (p as unknown as Record<string, (...a: unknown[]) => unknown>).incrcap('cap', -3, 10);
        (p as unknown as Record<string, (...a: unknown[]) => unknown>).incrcap('cap', 100, 12);
        out.push(await p.exec());
        out.push(await r.boom().catch((e: Error) => `error: ${e.message}`));
        out.push(await r.script('EXISTS', 'ffffffffffffffffffffffffffffffffffffffff'));
        return out;
      } finally {
        r.disconnect();
      }
    });
    assert.deepEqual(ours.slice(0, 3), [4, 8, 10]);
    assert.deepEqual(ours, theirs);
  });

  test('redlock: lock, contention, extend, unlock, lock again', { timeout: 30000 }, async () => {
    const [ours, theirs] = await both(async (srv) => {
      const a = client(srv);
      const b = client(srv);
      try {
        const la = new Redlock([a], { retryCount: 2, retryDelay: 30, retryJitter: 0, driftFactor: 0.01 });
        const lb = new Redlock([b], { retryCount: 2, retryDelay: 30, retryJitter: 0, driftFactor: 0.01 });
        const out: unknown[] = [];
        const lock = await la.lock('locks:res', 2000);
        out.push(typeof lock.value === 'string' && lock.value.length > 0);
        out.push((await a.get('locks:res')) === lock.value);
        out.push(await lb.lock('locks:res', 2000).then(() => 'acquired', (e: Error) => e.name));
        const extended = await lock.extend(5000);
        const ttl = await a.pttl('locks:res');
        out.push(ttl > 2000 && ttl <= 5000);
        await extended.unlock();
        out.push(await a.exists('locks:res'));
        const again = await lb.lock('locks:res', 1000);
        out.push((await b.get('locks:res')) === again.value);
        await again.unlock();
        // Unlocking a lock another value holds does not delete it.
        const third = await la.lock('locks:res', 1000);
        await a.set('locks:res', 'someone-else');
        out.push(await third.unlock().then(() => 'unlocked', (e: Error) => e.name));
        out.push(await a.get('locks:res'));
        return out;
      } finally {
        a.disconnect();
        b.disconnect();
      }
    });
    assert.deepEqual(ours.slice(0, 3), [true, true, 'LockError']);
    assert.deepEqual(ours, theirs);
  });

  test("rate-limiter-flexible's RateLimiterRedis: consume to the limit, reject, penalty, reward, get, delete", async () => {
    const [ours, theirs] = await both(async (srv) => {
      const r = client(srv);
      try {
        const rl = new RateLimiterRedis({ storeClient: r, points: 3, duration: 10, keyPrefix: 'rl' });
        const out: unknown[] = [];
        const summary = (x: { remainingPoints: number; consumedPoints: number; msBeforeNext: number }) => [x.remainingPoints, x.consumedPoints, x.msBeforeNext > 0 && x.msBeforeNext <= 10000];
        for (let i = 0; i < 4; i++) {
          out.push(await rl.consume('user1').then((x) => ['ok', ...summary(x)], (x) => ['rejected', ...summary(x)]));
        }
        out.push(summary(await rl.reward('user1', 2)));
        out.push(await rl.consume('user1', 2).then((x) => ['ok', ...summary(x)], (x) => ['rejected', ...summary(x)]));
        out.push(summary(await rl.penalty('user2', 1)));
        const got = await rl.get('user2');
        out.push(got === null ? null : summary(got));
        out.push(await rl.delete('user2'));
        out.push(await rl.get('user2'));
        out.push(await r.ttl('rl:user1'));
        return out;
      } finally {
        r.disconnect();
      }
    });
    assert.deepEqual(ours[3], ['rejected', 0, 4, true]);
    assert.deepEqual(ours, theirs);
  });

  test("Debian's python3-redis Lock: acquire, blocking timeout, extend, reacquire, release, not owned", { skip: !existsSync(PY), timeout: 30000 }, async () => {
    const code = [
      'import json, sys, redis',
      'from redis.exceptions import LockNotOwnedError, LockError',
      'r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))',
      'out = [redis.__version__]',
      'a = r.lock("pylock", timeout=5, blocking_timeout=1)',
      'b = r.lock("pylock", timeout=5, blocking_timeout=0.2)',
      'out.append(a.acquire())',
      'out.append(b.acquire())',
      'out.append(a.locked())',
      'out.append(a.owned())',
      'out.append(b.owned())',
      'out.append(a.extend(5))',
      'out.append(0 < r.pttl("pylock") <= 10000)',
      'out.append(a.extend(3, replace_ttl=True))',
      'out.append(0 < r.pttl("pylock") <= 3000)',
      'out.append(a.reacquire())',
      'a.release()',
      'out.append(b.acquire())',
      'c = r.lock("pylock", timeout=5)',
      'c.local.token = b"not-the-owner"',
      'try:\n  c.release()\nexcept LockNotOwnedError as e:\n  out.append("release: " + type(e).__name__)',
      'try:\n  c.extend(1)\nexcept LockError as e:\n  out.append("extend: " + type(e).__name__)',
      'try:\n  c.reacquire()\nexcept LockError as e:\n  out.append("reacquire: " + type(e).__name__)',
      'b.release()',
      'out.append(r.exists("pylock"))',
      'print(json.dumps(out))',
    ].join('\n');
    const run = (srv: ServerHandle) =>
      new Promise<unknown>((resolve, reject) => {
        execFile(PY, ['-c', code, String(srv.port)], { timeout: 20000 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`python: ${err.message}\n${stderr}`));
          else resolve(JSON.parse(stdout));
        });
      });
    const [ours, theirs] = await both(run);
    assert.deepEqual((ours as unknown[]).slice(1, 4), [true, false, true]);
    assert.deepEqual(ours, theirs);
  });
});
