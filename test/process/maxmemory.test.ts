// maxmemory side by side with redis-server 7.0: the same limit above the starting
// usage holds about the same number of keys (within 1.5x either way) under each of
// the eight policies, used_memory stays under the limit while writing, and the
// volatile policies evict only keys with a TTL, answering OOM once none is left.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { startPair } from '../helpers/pair.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { parseInfo, waitFor } from '../helpers/wait.js';
import { startServer, waitInSync } from '../helpers/replication.js';
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

describe('replica output buffers are not counted for eviction', { skip: skipIfNoRedis() }, () => {
  for (const kind of ['cinnabar', 'redis'] as const) {
    test(`${kind}: a stalled replica's buffer grows used_memory and mem_not_counted_for_evict, and evicts nothing`, async () => {
      const primary = await startServer(kind, ['--maxmemory-policy', 'allkeys-lru']);
      const replica = await startServer('redis');
      let stopped = false;
      try {
        const p = await primary.client();
        const r = await replica.client();
        const value = 'v'.repeat(100);
        const cmds: string[][] = [];
        for (let i = 0; i < 1000; i++) cmds.push(['SET', `key:${i}`, value]);
        await p.pipeline(cmds);
        await r.call('REPLICAOF', '127.0.0.1', String(primary.port));
        await waitInSync(primary.port, replica.port);
        const max = (await usedMemory(p)) + 3 * 1024 * 1024;
        assert.deepEqual(await p.call('CONFIG', 'SET', 'maxmemory', String(max)), { t: 'simple', v: 'OK' });
        replica.kill('SIGSTOP');
        stopped = true;
        // 24 MB of overwrites of one key: the dataset does not grow, the replica's buffer does.
        const big = 'b'.repeat(200 * 1024);
        for (let i = 0; i < 12; i++) {
          const batch: string[][] = [];
          for (let j = 0; j < 10; j++) batch.push(['SET', 'big', big]);
          for (const rep of await p.pipeline(batch)) assert.deepEqual(rep, { t: 'simple', v: 'OK' });
        }
        const m = await waitFor(
          'the replica buffer counted in used_memory',
          async () => {
            const mi = await memInfo(p);
            return Number(mi.get('mem_not_counted_for_evict')) > 8 * 1024 * 1024 ? mi : undefined;
          },
          10_000,
        );
        assert.ok(Number(m.get('used_memory')) > max, `used_memory ${m.get('used_memory')} > maxmemory ${max}`);
        assert.ok(Number(m.get('mem_clients_slaves')) > 0 || Number(m.get('mem_total_replication_buffers')) > 8 * 1024 * 1024, JSON.stringify([...m]));
        // A write is still accepted and nothing was evicted for the replica's sake.
        assert.deepEqual(await p.call('SET', 'one-more', value), { t: 'simple', v: 'OK' });
        assert.equal(parseInfo(String(((await p.call('INFO', 'stats')) as { v: string }).v)).get('evicted_keys'), '0');
        assert.deepEqual(await p.call('DBSIZE'), { t: 'int', v: 1002n });
      } finally {
        if (stopped) replica.kill('SIGCONT');
        await replica.stop();
        await primary.stop();
      }
    });
  }
});

/** The commands of the server's AOF incr files (absolute ms times as <ms>), SELECTs left out. */
function aofCommands(dir: string): string[] {
  const d = path.join(dir, 'appendonlydir');
  if (!fs.existsSync(d)) return [];
  const out: string[] = [];
  for (const f of fs.readdirSync(d).filter((n) => n.endsWith('.incr.aof')).sort()) {
    const parts = fs.readFileSync(path.join(d, f), 'latin1').split('\r\n');
    for (let i = 0; i < parts.length; ) {
      if (!parts[i].startsWith('*')) {
        i++;
        continue;
      }
      const n = Number(parts[i].slice(1));
      const args: string[] = [];
      i++;
      for (let j = 0; j < n; j++, i += 2) args.push(/^\d{13}$/.test(parts[i + 1] ?? '') ? '<ms>' : (parts[i + 1] ?? ''));
      out.push(args.join(' '));
    }
  }
  return out.filter((l) => !l.startsWith('SELECT'));
}

describe('eviction around MULTI/EXEC and its propagation', { skip: skipIfNoRedis() }, () => {
  test('keys evicted after a transaction that went over the limit leave as plain DELs, soonest TTL first, after the EXEC block', async () => {
    // Tenacity 100: no time limit on one eviction pass, so where the evictions fall in
    // the stream does not depend on the machine's speed.
    // A 16 KB backlog: Cinnabar keeps one with the AOF on (WAITAOF's offsets), counted
    // in used_memory as it fills; small, it is full before the limit is measured.
    const args = ['--appendonly', 'yes', '--maxmemory-policy', 'volatile-ttl', '--maxmemory-samples', '64', '--maxmemory-eviction-tenacity', '100', '--repl-backlog-size', '16kb'];
    const { pair, ours, theirs } = await startPair(args);
    try {
      const streams: string[][] = [];
      for (const h of [ours, theirs]) {
        const c = await h.client();
        const value = 'v'.repeat(1000);
        const label = h.kind;
        const sets: string[][] = [];
        for (let i = 0; i < 400; i++) sets.push(['SET', `t:${String(i).padStart(3, '0')}`, value, 'PX', String(1_000_000 + i * 1000)]);
        // Small pipelines: redis-server keeps a big query buffer allocated for a while,
        // and a limit measured over it would leave room the test does not mean to give.
        for (let i = 0; i < sets.length; i += 10) await c.pipeline(sets.slice(i, i + 10));
        const max = (await usedMemory(c)) + 50_000;
        await c.call('CONFIG', 'SET', 'maxmemory', String(max));
        const big = 'b'.repeat(60_000);
        assert.deepEqual(await c.pipeline([['MULTI'], ['SET', 'a', big], ['SET', 'b', big], ['EXEC']]), [
          { t: 'simple', v: 'OK' },
          { t: 'simple', v: 'QUEUED' },
          { t: 'simple', v: 'QUEUED' },
          { t: 'array', v: [{ t: 'simple', v: 'OK' }, { t: 'simple', v: 'OK' }] },
        ], label);
        // A write that goes over the limit; the next command (a PING) evicts first.
        assert.deepEqual(await c.call('SET', 'c', big), { t: 'simple', v: 'OK' }, label);
        assert.deepEqual(await c.call('PING'), { t: 'simple', v: 'PONG' });
        assert.deepEqual(await c.call('SET', 'end', 'x'), { t: 'simple', v: 'OK' }, label);
        await c.call('CONFIG', 'SET', 'maxmemory', '0');
        streams.push(await waitFor(`${h.kind}'s AOF up to SET end`, () => {
          const s = aofCommands(h.dir);
          return s.includes('SET end x') ? s : undefined;
        }, 10_000));
      }
      const what = JSON.stringify({ ours: streams[0].slice(400), theirs: streams[1].slice(400) }).replace(/b{100,}/g, '<big>');
      for (const [side, st] of [['ours', streams[0]], ['theirs', streams[1]]] as const) {
        // The 400 writes, as SET ... PXAT.
        st.slice(0, 400).forEach((l, i) => assert.match(l, new RegExp(`^SET t:${String(i).padStart(3, '0')} v+ PXAT <ms>$`), side));
        const rest = st.slice(400).map((l) => l.replace(/ b+$/, ' <big>'));
        const at = rest.indexOf('MULTI');
        // Evictions while queueing (the queued 80 KB count in used_memory), the
        // transaction whole, then the two writes with evictions around them.
        const atC = rest.indexOf('SET c <big>');
        const atEnd = rest.indexOf('SET end x');
        assert.deepEqual(rest.slice(at, at + 4), ['MULTI', 'SET a <big>', 'SET b <big>', 'EXEC'], `${side}: ${what}`);
        assert.ok(at < atC && atC < atEnd, `${side}: ${what}`);
        // Where after EXEC the evictions fall depends on when the client buffers were
        // last counted (both servers count them); that some come after EXEC does not.
        const delsBefore = rest.slice(0, at);
        const delsAfterExec = rest.slice(at + 4).filter((l) => l !== 'SET c <big>' && l !== 'SET end x');
        // The queued commands count in used_memory on both; how many keys redis-server
        // evicts before EXEC, and so whether it must evict after it, depends on how
        // the pipeline's bytes were read (its query buffer counts too), so only ours
        // is held to where the evictions fall.
        if (side === 'ours') assert.ok(delsBefore.length > 0, `${side} evicts for the queued commands: ${what}`);
        if (side === 'ours') assert.ok(delsAfterExec.length > 0, `${side} evicts after the transaction went over: ${what}`);
        // redis-server's used_memory also holds buffers that come and go (its query
        // and AOF buffers), so on a loaded machine it sometimes had room for all of it
        // (seen in the full suite): its DELs are checked for their form, not their number.
        if (side === 'ours') assert.ok(delsBefore.length + delsAfterExec.length > 0, `${side} evicts: ${what}`);
        // Each evicted key as a plain DEL (no MULTI around them), among the soonest to
        // expire (the pool keeps the best 16 of the samples, so the order is approximate).
        const dels = [...delsBefore, ...delsAfterExec];
        for (const l of dels) {
          const m = /^DEL t:(\d{3})$/.exec(l);
          assert.ok(m, `${side}: ${l} in ${what}`);
          assert.ok(Number(m[1]) < dels.length + 16, `${side}: ${l} is not among the soonest to expire: ${what}`);
        }
        assert.equal(new Set(dels).size, dels.length, `${side}: a key deleted twice: ${what}`);
      }
    } finally {
      await pair.close();
      await ours.stop();
      await theirs.stop();
    }
  });
});

describe('lazy freeing (UNLINK, lazyfree-lazy-*, FLUSHALL ASYNC)', { skip: skipIfNoRedis() }, () => {
  test('large values are freed lazily and counted in lazyfreed_objects as redis-server counts them', async () => {
    const { pair, ours, theirs } = await startPair();
    try {
      const lazyInfo = async (c: RespClient): Promise<[number, number]> => {
        const m = await memInfo(c);
        return [Number(m.get('lazyfree_pending_objects')), Number(m.get('lazyfreed_objects'))];
      };
      /** Waits until nothing is pending, then returns lazyfreed_objects. */
      // redis-server's lazy-free thread decrements the pending count before it
      // increments lazyfreed_objects: a reading between the two shows the object
      // neither pending nor freed. Read again once nothing is pending.
      const settled = (c: RespClient, what: string): Promise<number> =>
        waitFor(what, async () => {
          const [pending] = await lazyInfo(c);
          return pending === 0 ? true : undefined;
        }, 5000).then(async () => (await lazyInfo(c))[1]);
      const ints = Array.from({ length: 1000 }, (_, i) => String(i));
      const steps: Array<[string, string[][]]> = [
        // A hashtable set (free effort 1000) and a small one: only the big one is lazy.
        ['UNLINK big and small', [['SADD', 'bigset', ...ints], ['SADD', 'small', 'a', 'b'], ['UNLINK', 'bigset', 'small']]],
        // DEL frees synchronously...
        ['DEL', [['SADD', 'bigset', ...ints], ['DEL', 'bigset']]],
        // ...unless lazyfree-lazy-user-del.
        ['DEL with lazyfree-lazy-user-del', [['CONFIG', 'SET', 'lazyfree-lazy-user-del', 'yes'], ['SADD', 'bigset', ...ints], ['DEL', 'bigset'], ['CONFIG', 'SET', 'lazyfree-lazy-user-del', 'no']]],
        // A hashtable hash: more fields than hash-max-listpack-entries (512).
        ['UNLINK of a hashtable hash', [['HSET', 'bighash', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, 'v']).flat()], ['UNLINK', 'bighash']]],
        // A long list: its effort is its quicklist nodes (20000 short entries: a few nodes, freed at once).
        ['UNLINK of a list of few nodes', [['RPUSH', 'l', ...Array.from({ length: 2000 }, (_, i) => String(i))], ['UNLINK', 'l']]],
        ['UNLINK of a list of many nodes', [['RPUSH', 'l', ...Array.from({ length: 3000 }, () => 'x'.repeat(300))], ['UNLINK', 'l']]],
        // An overwritten big value with lazyfree-lazy-server-del.
        ['SET over a big set with lazyfree-lazy-server-del', [['CONFIG', 'SET', 'lazyfree-lazy-server-del', 'yes'], ['SADD', 'bigset', ...ints], ['SET', 'bigset', 'x'], ['CONFIG', 'SET', 'lazyfree-lazy-server-del', 'no']]],
        // An expired big set with lazyfree-lazy-expire.
        ['expiry with lazyfree-lazy-expire', [['CONFIG', 'SET', 'lazyfree-lazy-expire', 'yes'], ['SADD', 'exp', ...ints], ['PEXPIRE', 'exp', '1'], ['DEBUG', 'SLEEP', '0.01'], ['EXISTS', 'exp'], ['CONFIG', 'SET', 'lazyfree-lazy-expire', 'no']]],
      ];
      const counts: Array<[string, number, number]> = [];
      for (const [what, cmds] of steps) {
        for (const cmd of cmds) await pair.run(cmd);
        // The expired key must really be gone on both before counting: redis-server's
        // EXISTS can still see it (its expiry clock is the time the command started),
        // and the key then goes in a later active-expiry cycle.
        if (what.startsWith('expiry')) {
          for (const c of [pair.ours, pair.theirs]) {
            await waitFor(`${what}: the key expired`, async () => ((await c.call('EXISTS', 'exp')) as { v: unknown }).v === 0n, 5000);
          }
        }
        counts.push([what, await settled(pair.ours, `ours: ${what}`), await settled(pair.theirs, `theirs: ${what}`)]);
      }
      for (const [what, o, t] of counts) {
        if (what.startsWith('expiry')) {
          // Named difference: redis-server 7.0.15 sometimes frees this expired set
          // synchronously (seen in about 1 run of 4 once the key is surely gone; cause
          // not found). Cinnabar always frees it lazily, as lazyfree-lazy-expire asks.
          const before = counts[counts.length - 2]!;
          assert.equal(o, before[1] + 1, `ours, ${what}: ${JSON.stringify(counts)}`);
          assert.ok(t === before[2] || t === before[2] + 1, `theirs, ${what}: ${JSON.stringify(counts)}`);
          continue;
        }
        assert.equal(o, t, `lazyfreed_objects after ${what}: ${JSON.stringify(counts)}`);
      }
      assert.ok(counts[counts.length - 1][2] >= 4, JSON.stringify(counts));
      await pair.run(['CONFIG', 'RESETSTAT']);
      assert.deepEqual(await lazyInfo(pair.ours), [0, 0]);
      assert.deepEqual(await lazyInfo(pair.theirs), [0, 0]);
      // FLUSHALL ASYNC: the keyspace is empty at once on both. Redis 7.2's
      // lazyfreeFreeDatabase counts the flushed keys in lazyfreed_objects (ours too);
      // redis-server 7.0.15 here reports 0 after it (seen), so only ours is held to the count.
      const co = pair.ours;
      const keys: string[][] = [];
      for (let i = 0; i < 100; i++) keys.push(['SET', `k${i}`, 'v']);
      await co.call('FLUSHALL', 'SYNC');
      await co.pipeline(keys);
      const usedBefore = await usedMemory(co);
      assert.deepEqual(await co.call('FLUSHALL', 'ASYNC'), { t: 'simple', v: 'OK' });
      assert.deepEqual(await co.call('DBSIZE'), { t: 'int', v: 0n });
      assert.equal(await settled(co, 'ours: FLUSHALL ASYNC'), 100);
      assert.ok((await usedMemory(co)) < usedBefore, 'the flushed keys left used_memory');
    } finally {
      await pair.close();
      await ours.stop();
      await theirs.stop();
    }
  });
});

/** A raw connection to `port` (for partial commands); resolves once connected. */
function rawConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

function closed(s: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed || s.readyState === 'closed') resolve();
    s.once('close', () => resolve());
  });
}

describe('client eviction (maxmemory-clients)', { skip: skipIfNoRedis() }, () => {
  for (const kind of ['cinnabar', 'redis'] as const) {
    test(`${kind}: the client over maxmemory-clients is closed and counted, a NO-EVICT one is not`, async () => {
      const srv = await startServer(kind);
      const sockets: net.Socket[] = [];
      try {
        const admin = await srv.client();
        assert.deepEqual(await admin.call('CLIENT', 'NO-EVICT', 'on'), { t: 'simple', v: 'OK' });
        assert.deepEqual(await admin.call('CONFIG', 'SET', 'maxmemory-clients', '1mb'), { t: 'simple', v: 'OK' });
        const head = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n';
        const part = 'x'.repeat(1_500_000);
        // A client with 1.5 MB of an unfinished command is over the limit: closed.
        const victim = await rawConnect(srv.port);
        sockets.push(victim);
        victim.on('error', () => {});
        const gone = closed(victim);
        victim.write(head + part);
        await Promise.race([gone, new Promise((_, rej) => setTimeout(() => rej(new Error('the big client was not evicted')), 10_000))]);
        const stats = async (): Promise<Map<string, string>> => parseInfo(String(((await admin.call('INFO', 'stats')) as { v: string }).v));
        assert.equal((await stats()).get('evicted_clients'), '1');
        // The same with CLIENT NO-EVICT on: it stays; it still counts, so a newcomer is evicted instead.
        const safe = await rawConnect(srv.port);
        sockets.push(safe);
        let got = '';
        safe.on('data', (d) => (got += d.toString('latin1')));
        safe.write('CLIENT NO-EVICT on\r\n');
        await waitFor('+OK to NO-EVICT', () => got === '+OK\r\n', 5000);
        safe.write(head + part);
        await waitFor('the protected client buffering its command', async () => {
          const list = String(((await admin.call('CLIENT', 'LIST')) as { v: string }).v);
          return list.split('\n').some((l) => / flags=e /.test(l) && Number(/ qbuf=(\d+)/.exec(l)?.[1] ?? 0) > 1_000_000);
        }, 10_000);
        const newcomer = await rawConnect(srv.port);
        sockets.push(newcomer);
        newcomer.on('error', () => {});
        await Promise.race([closed(newcomer), new Promise((_, rej) => setTimeout(() => rej(new Error('the newcomer was not evicted')), 10_000))]);
        assert.equal((await stats()).get('evicted_clients'), '2');
        assert.ok(!safe.destroyed, 'the NO-EVICT client is still connected');
        safe.write('x'.repeat(1_500_000) + '\r\n');
        await waitFor('+OK to the finished SET', () => got === '+OK\r\n+OK\r\n', 10_000);
        const strlen = await admin.call('STRLEN', 'k');
        assert.deepEqual(strlen, { t: 'int', v: 3_000_000n });
      } finally {
        for (const s of sockets) s.destroy();
        await srv.stop();
      }
    });
  }
});

describe('client_recent_max_input_buffer', { skip: skipIfNoRedis() }, () => {
  test('a big query buffer shows in INFO clients for a few seconds, then the figure comes back down (both servers)', async () => {
    const servers = await Promise.all([startServer('cinnabar'), startServer('redis')]);
    const sockets: net.Socket[] = [];
    try {
      await Promise.all(
        servers.map(async (srv) => {
          const admin = await srv.client();
          const recent = async (): Promise<number> =>
            Number(parseInfo(String(((await admin.call('INFO', 'clients')) as { v: string }).v)).get('client_recent_max_input_buffer'));
          const s = await rawConnect(srv.port);
          sockets.push(s);
          let got = '';
          s.on('data', (d) => (got += d.toString('latin1')));
          // 400 KB of an unfinished SET: the query buffer holds it.
          s.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$800000\r\n' + 'x'.repeat(400_000));
          await waitFor(`${srv.kind}: the 400 KB query buffer in client_recent_max_input_buffer`, async () => (await recent()) >= 400_000, 5000);
          s.write('x'.repeat(400_000) + '\r\n');
          await waitFor(`${srv.kind}: SET answered`, () => got === '+OK\r\n', 5000);
          // The peak is kept for the last 8 seconds, then forgotten.
          await waitFor(`${srv.kind}: client_recent_max_input_buffer back down`, async () => (await recent()) < 100_000, 15_000, 250);
        }),
      );
    } finally {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});
