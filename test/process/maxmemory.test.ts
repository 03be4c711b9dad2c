// maxmemory side by side with redis-server 7.0: the same limit above the starting
// usage holds about the same number of keys (within 1.5x either way) under each of
// the eight policies, used_memory stays under the limit while writing, and the
// volatile policies evict only keys with a TTL, answering OOM once none is left.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair } from '../helpers/pair.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { parseInfo } from '../helpers/wait.js';
import type { RespClient, Reply } from '../../src/protocol/resp-client.js';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
const POLICIES = ['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'];
/** How far over maxmemory used_memory may be once a batch is answered: the last key written. */
const OVERSHOOT = 2048;

async function memInfo(c: RespClient): Promise<Map<string, string>> {
  const r = await c.call('INFO', 'memory');
  assert.equal(r.t, 'bulk');
  return parseInfo(String((r as { v: string }).v));
}

async function usedMemory(c: RespClient): Promise<number> {
  return Number((await memInfo(c)).get('used_memory'));
}

interface Outcome {
  keys: number;
  persistent: number;
  volatile: number;
  ooms: number;
  /** Writes of keys without a TTL that were accepted. */
  persistentWritten: number;
  otherErrors: string[];
  /** Highest used_memory - maxmemory seen after a batch. */
  worstOver: number;
}

/**
 * Empties the server, sets maxmemory to the usage now + `room`, and writes
 * `total` keys of 100-byte values in batches of `batch`; every other key has a TTL
 * (volatile-* need some). Returns what the server holds and answered.
 */
async function fill(c: RespClient, policy: string, room: number, total: number, batch: number): Promise<Outcome> {
  await c.call('CONFIG', 'SET', 'maxmemory', '0');
  await c.call('FLUSHALL');
  await c.call('CONFIG', 'SET', 'maxmemory-policy', policy);
  const max = (await usedMemory(c)) + room;
  assert.deepEqual(await c.call('CONFIG', 'SET', 'maxmemory', String(max)), { t: 'simple', v: 'OK' });
  const value = 'v'.repeat(100);
  const out: Outcome = { keys: 0, persistent: 0, volatile: 0, ooms: 0, persistentWritten: 0, otherErrors: [], worstOver: -Infinity };
  for (let i = 0; i < total; i += batch) {
    const cmds: string[][] = [];
    for (let j = i; j < Math.min(total, i + batch); j++) {
      const key = `key:${String(j).padStart(8, '0')}`;
      cmds.push(j % 2 === 0 ? ['SET', key, value] : ['SET', key, value, 'EX', String(100000 + j)]);
    }
    const replies: Reply[] = await c.pipeline(cmds);
    replies.forEach((r, k) => {
      if (r.t !== 'err') {
        if ((i + k) % 2 === 0) out.persistentWritten++;
      } else if (r.v === OOM) out.ooms++;
      else out.otherErrors.push(r.v);
    });
    const used = await usedMemory(c);
    out.worstOver = Math.max(out.worstOver, used - max);
  }
  const dbsize = (await c.call('DBSIZE')) as { v: bigint };
  out.keys = Number(dbsize.v);
  // Keys with a TTL: INFO keyspace's expires.
  const ks = (await c.call('INFO', 'keyspace')) as { v: string };
  const m = /db0:keys=(\d+),expires=(\d+)/.exec(ks.v);
  out.volatile = m ? Number(m[2]) : 0;
  out.persistent = out.keys - out.volatile;
  await c.call('CONFIG', 'SET', 'maxmemory', '0');
  return out;
}

describe('maxmemory holds what redis-server holds', { skip: skipIfNoRedis() }, () => {
  let ours: ServerHandle;
  let theirs: ServerHandle;
  let co: RespClient;
  let ct: RespClient;
  let close: () => Promise<void>;

  before(async () => {
    const started = await startPair();
    ours = started.ours;
    theirs = started.theirs;
    close = () => started.pair.close();
    co = await ours.client();
    ct = await theirs.client();
  });
  after(async () => {
    await close?.();
    await ours?.stop();
    await theirs?.stop();
  });

  for (const [room, total, batch] of [
    [100 * 1024, 2000, 20],
    [2 * 1024 * 1024, 24000, 200],
  ] as const) {
    for (const policy of POLICIES) {
      test(`${policy}, maxmemory = start + ${room / 1024} KB`, async () => {
        const o = await fill(co, policy, room, total, batch);
        const t = await fill(ct, policy, room, total, batch);
        const what = `${policy} +${room}: ours ${JSON.stringify(o)} theirs ${JSON.stringify(t)}`;
        if (process.env.MAXMEMORY_VERBOSE) console.log(what);
        assert.deepEqual(o.otherErrors, [], what);
        assert.deepEqual(t.otherErrors, [], what);
        assert.ok(t.keys > 100, `redis-server holds keys: ${what}`);
        assert.ok(o.keys <= t.keys * 1.5 && o.keys * 1.5 >= t.keys, `within 1.5x: ${what}`);
        assert.ok(o.worstOver <= OVERSHOOT, `used_memory over maxmemory by ${o.worstOver}: ${what}`);
        if (policy === 'noeviction') {
          assert.ok(o.ooms > 0 && t.ooms > 0, what);
          assert.equal(o.keys + o.ooms, total, what);
        } else if (policy.startsWith('allkeys-')) {
          assert.equal(o.ooms, 0, what);
          assert.equal(t.ooms, 0, what);
        } else {
          // volatile-*: no key without a TTL is ever evicted; with no volatile key
          // left, writes are refused.
          assert.equal(o.persistent, o.persistentWritten, `ours evicted a key without a TTL: ${what}`);
          assert.equal(t.persistent, t.persistentWritten, `theirs evicted a key without a TTL: ${what}`);
          assert.ok(o.ooms > 0 && t.ooms > 0, `OOM once nothing volatile is left: ${what}`);
        }
      });
    }
  }
});
