// Multi-part AOF interoperability with Debian's redis-server 7.0, both ways:
//   a directory written by redis-server (a base from BGREWRITEAOF, then an incr
//   file; RDB-preamble base and command base; #TS annotations) loads into
//   Cinnabar, and a directory written by Cinnabar loads into redis-server. The
//   dataset (every type, several databases, TTLs, MULTI/EXEC, deletes) is compared
//   key by key: type, value and absolute expiry.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { RespClient, formatReply, type Reply } from '../../src/protocol/resp-client.js';
import { Rng } from '../helpers/random.js';

const SEED = Number(process.env['CINNABAR_SEED'] ?? 0xa0f1);
const NDB = 4;

const cleanup: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cinnabar-aof-interop-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function started(p: Promise<ServerHandle>): Promise<ServerHandle> {
  const h = await p;
  cleanup.push(() => h.stop());
  return h;
}

function str(r: Reply): string {
  if (r.t === 'bulk' && r.v !== null) return r.v;
  if (r.t === 'simple') return r.v;
  throw new Error(`expected a string, got ${formatReply(r)}`);
}

function arr(r: Reply): Reply[] {
  if ((r.t === 'array' && r.v !== null) || r.t === 'set') return r.v as Reply[];
  throw new Error(`expected an array, got ${formatReply(r)}`);
}

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function info(c: RespClient, field: string): Promise<string> {
  const text = str(await c.call('INFO', 'persistence'));
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(text);
  return m ? m[1].trim() : '';
}

/** Every key of every database: "db:key" -> [type, canonical value, PEXPIRETIME]. */
async function readAll(c: RespClient): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let db = 0; db < NDB; db++) {
    await c.call('SELECT', String(db));
    const keys: string[] = [];
    let cursor = '0';
    do {
      const r = arr(await c.call('SCAN', cursor, 'COUNT', '500'));
      cursor = str(r[0]);
      for (const k of arr(r[1])) keys.push(str(k));
    } while (cursor !== '0');
    const types = await c.pipeline(keys.map((k) => ['TYPE', k]));
    const reads = keys.map((k, i) => {
      const t = str(types[i]);
      if (t === 'string') return ['GET', k];
      if (t === 'list') return ['LRANGE', k, '0', '-1'];
      if (t === 'set') return ['SMEMBERS', k];
      if (t === 'zset') return ['ZRANGE', k, '0', '-1', 'WITHSCORES'];
      if (t === 'hash') return ['HGETALL', k];
      throw new Error(`type ${t}`);
    });
    const vals = await c.pipeline(reads);
    const ttls = await c.pipeline(keys.map((k) => ['PEXPIRETIME', k]));
    keys.forEach((k, i) => {
      const t = str(types[i]);
      let v: string[];
      if (t === 'string') v = [str(vals[i])];
      else v = arr(vals[i]).map(str);
      if (t === 'set') v.sort();
      if (t === 'hash') {
        const pairs: string[] = [];
        for (let j = 0; j < v.length; j += 2) pairs.push(JSON.stringify([v[j], v[j + 1]]));
        v = pairs.sort();
      }
      out.set(`${db}:${k}`, JSON.stringify([t, v, formatReply(ttls[i])]));
    });
  }
  await c.call('SELECT', '0');
  return out;
}

function assertSame(got: Map<string, string>, want: Map<string, string>, what: string): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: same key names`);
  let n = 0;
  for (const [k, v] of want) {
    assert.equal(got.get(k), v, `${what}: key ${k}`);
    n++;
  }
  console.log(`# ${what}: ${n} keys compared, all equal`);
}

/** Random writes over every type, databases, TTLs and transactions, in pipelined batches. */
async function workload(c: RespClient, rng: Rng, ops: number, tag: string): Promise<void> {
  const far = () => String(Date.now() + 3_600_000 + rng.int(1_000_000));
  const key = (t: string) => `${t}:${rng.int(60)}`;
  let batch: string[][] = [];
  const flush = async () => {
    for (const r of await c.pipeline(batch)) if (r.t === 'err' && !r.v.startsWith('WRONGTYPE')) throw new Error(`${tag}: ${r.v}`);
    batch = [];
  };
  for (let i = 0; i < ops; i++) {
    const r = rng.int(100);
    if (r < 3) batch.push(['SELECT', String(rng.int(NDB))]);
    else if (r < 15) batch.push(['SET', key('s'), rng.bool(0.3) ? String(rng.int(100000) - 50000) : rng.bytes(rng.int(80))]);
    else if (r < 18) batch.push(['SET', key('s'), 'ttl', 'PXAT', far()]);
    else if (r < 21) batch.push(['INCRBY', key('n'), String(rng.int(100))]);
    else if (r < 30) batch.push(['RPUSH', key('l'), ...Array.from({ length: 1 + rng.int(rng.bool(0.1) ? 200 : 5) }, () => rng.alnum(rng.int(20)))]);
    else if (r < 33) batch.push(['LPOP', key('l')]);
    else if (r < 42) batch.push(['SADD', key('set'), ...Array.from({ length: 1 + rng.int(rng.bool(0.1) ? 600 : 5) }, () => (rng.bool() ? String(rng.int(1000)) : rng.alnum(8)))]);
    else if (r < 45) batch.push(['SREM', key('set'), String(rng.int(1000))]);
    else if (r < 55) batch.push(['ZADD', key('z'), ...Array.from({ length: 1 + rng.int(rng.bool(0.1) ? 200 : 4) }, () => [String(rng.int(1000) / 8 - 20), rng.alnum(6)]).flat()]);
    else if (r < 58) batch.push(['ZINCRBY', key('z'), '1.5', rng.alnum(6)]);
    else if (r < 68) batch.push(['HSET', key('h'), ...Array.from({ length: 1 + rng.int(rng.bool(0.1) ? 300 : 4) }, () => [rng.alnum(5), rng.bytes(rng.int(30))]).flat()]);
    else if (r < 71) batch.push(['HDEL', key('h'), rng.alnum(5)]);
    else if (r < 76) batch.push(['PEXPIREAT', key(['s', 'l', 'set', 'z', 'h'][rng.int(5)]), far()]);
    else if (r < 78) batch.push(['PERSIST', key('s')]);
    else if (r < 82) batch.push(['DEL', key(['s', 'l', 'set', 'z', 'h', 'n'][rng.int(6)])]);
    else if (r < 86) batch.push(['MULTI'], ['INCR', key('n')], ['RPUSH', key('l'), 'tx'], ['EXEC']);
    else batch.push(['SET', `${tag}:${i}`, rng.alnum(10)]);
    if (batch.length >= 200) await flush();
  }
  await flush();
  await c.call('SELECT', '0');
}

/** Fills through `c`: a first workload, BGREWRITEAOF (a base), a second one (the incr file). */
async function fillWithRewrite(c: RespClient, rng: Rng, tag: string): Promise<void> {
  await workload(c, rng, 3000, tag + 'a');
  const r = await c.call('BGREWRITEAOF');
  assert.equal(str(r), 'Background append only file rewriting started');
  await waitFor('the rewrite', async () => (await info(c, 'aof_rewrite_in_progress')) === '0' && Number(await info(c, 'aof_rewrites')) >= 1);
  await workload(c, rng, 2000, tag + 'b');
}

function listing(dir: string): string {
  return readdirSync(join(dir, 'appendonlydir')).sort().join(' ');
}

describe('AOF interop with redis-server 7.0', { skip: skipIfNoRedis() }, () => {
  for (const preamble of ['yes', 'no']) {
    test(`redis-server writes, Cinnabar loads (aof-use-rdb-preamble ${preamble})`, async () => {
      const dir = tempDir();
      const extra = preamble === 'no' ? ['--aof-timestamp-enabled', 'yes'] : [];
      const redis = await started(startRedis({ args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble, '--dir', dir, ...extra] }));
      const rc = await redis.client();
      await fillWithRewrite(rc, new Rng(SEED), 'r');
      const want = await readAll(rc);
      await redis.stop();
      const files = listing(dir);
      console.log(`# redis-server wrote: ${files}`);
      assert.ok(files.includes(`appendonly.aof.2.base.${preamble === 'yes' ? 'rdb' : 'aof'}`));
      // With aof-timestamp-enabled the command base starts with an annotation.
      if (preamble === 'no') assert.match(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.2.base.aof'), 'latin1'), /^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT/);
      const cin = await started(startCinnabar({ args: ['--appendonly', 'yes', '--dir', dir] }));
      const cc = await cin.client();
      assertSame(await readAll(cc), want, `redis -> cinnabar (preamble ${preamble})`);
      await cin.stop();
    });

    test(`Cinnabar writes, redis-server loads (aof-use-rdb-preamble ${preamble})`, async () => {
      const dir = tempDir();
      const extra = preamble === 'no' ? ['--aof-timestamp-enabled', 'yes'] : [];
      const cin = await started(startCinnabar({ args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble, '--dir', dir, ...extra] }));
      const cc = await cin.client();
      await fillWithRewrite(cc, new Rng(SEED + 1), 'c');
      const want = await readAll(cc);
      await cin.stop();
      const files = listing(dir);
      console.log(`# Cinnabar wrote: ${files}`);
      assert.equal(
        readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1'),
        `file appendonly.aof.2.base.${preamble === 'yes' ? 'rdb' : 'aof'} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`,
      );
      const redis = await started(startRedis({ args: ['--appendonly', 'yes', '--dir', dir] }));
      const rc = await redis.client();
      assertSame(await readAll(rc), want, `cinnabar -> redis (preamble ${preamble})`);
      // And back: redis-server appends to the same directory, Cinnabar loads it again.
      await workload(rc, new Rng(SEED + 2), 500, 'back');
      const want2 = await readAll(rc);
      await redis.stop();
      const cin2 = await started(startCinnabar({ args: ['--appendonly', 'yes', '--dir', dir] }));
      assertSame(await readAll(await cin2.client()), want2, `cinnabar -> redis -> cinnabar (preamble ${preamble})`);
      await cin2.stop();
    });
  }
});
