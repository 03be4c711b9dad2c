// Atomic slot migration (CLUSTER MIGRATESLOTS, src/cluster/slot-migration.ts) on a
// Cinnabar cluster of 3 primaries built by redis-cli --cluster create:
//
// 1. Live writers (INCR counters, RPUSH sequences, HINCRBY on a hash big enough to be
//    sent in pieces) and readers keep running through the migration, following MOVED
//    themselves: they see no ASK and no TRYAGAIN (nor any other error), every
//    acknowledged write is in the final dataset exactly once, every other key is
//    unchanged, each key lives on exactly one node (the one owning its slot), TTLs
//    travelled, and every node ends up with the same slot map.
// 2. A 1M-field hash: a migration cancelled while it is sent rolls back (the target
//    drops what it staged, nothing of it was visible there, the source keeps serving
//    it); then the migration runs to the end while another client's PING latency on
//    the source stays bounded (the max is printed).
// Redis has no such command (Valkey 9 has one of this shape): no redis-server side;
// the comparison with redis-cli --cluster reshard is test/diff/slot-migration-reshard.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { keyHashSlot } from '../../src/keyspace/hash-slot.js';
import { RespClient, toPlain } from '../../src/protocol/resp-client.js';
import { withCluster, type Cluster, type ClusterNode } from '../helpers/cluster.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import { call, waitFor } from '../helpers/wait.js';
import { MovedClient, nodeDataset, slotMap, slotMigrations, waitMigrationDone } from '../helpers/slot-migration.js';

const CINNABAR3 = { primaries: 3, replicasEach: 0, kinds: ['cinnabar', 'cinnabar', 'cinnabar'] as const, nodeTimeoutMs: 5000 };

/** A key (with a hash tag) whose slot is `slot`'s neighbour search result in [lo, hi]. */
function keyInRange(prefix: string, lo: number, hi: number, n: number): string {
  for (let i = n; ; i++) {
    const k = `${prefix}:{${i}}`;
    const s = keyHashSlot(k);
    if (s >= lo && s <= hi) return k;
  }
}

async function ownerOfSlot0(cl: Cluster): Promise<{ source: ClusterNode; target: ClusterNode; lo: number; hi: number }> {
  const source = await cl.primaryForSlot(0);
  const view = await cl.view();
  const line = view.find((l) => l.id === source.id)!;
  const [lo, hi] = line.slots[0]!;
  const target = cl.nodes.find((n) => n !== source)!;
  return { source, target, lo, hi };
}

/** Waits until every node's CLUSTER SLOTS is the same; returns it. */
async function converged(cl: Cluster, expectPortOf: (slot: number) => number, slots: number[]): Promise<string[]> {
  return waitFor('every node agrees on the slot map', async () => {
    const maps = await Promise.all(cl.nodes.map((n) => slotMap(n.port)));
    if (!maps.every((m) => JSON.stringify(m) === JSON.stringify(maps[0]))) return undefined;
    for (const s of slots) {
      const hit = maps[0]!.find((r) => {
        const [ab, p] = r.split('@');
        const [a, b] = ab!.split('-').map(Number);
        return s >= a! && s <= b! && Number(p) === expectPortOf(s);
      });
      if (hit === undefined) return undefined;
    }
    return maps[0];
  }, 20000);
}

test('atomic slot migration with live writers and readers: no ASK/TRYAGAIN, nothing lost or duplicated', { skip: skipIfNoRedis() }, async () => {
  await withCluster({ ...CINNABAR3, kinds: [...CINNABAR3.kinds] }, async (cl) => {
    const { source, target, lo } = await ownerOfSlot0(cl);
    // 400 slots move: [lo, lo+399]; keys are also written outside them.
    const mlo = lo;
    const mhi = lo + 399;
    const seed = await RespClient.connect({ host: '127.0.0.1', port: source.port, timeoutMs: 3000, commandTimeoutMs: 20000 });
    // The static part of the dataset, on the source: strings, every aggregate type, TTLs, a big hash.
    const cmds: string[][] = [];
    for (let i = 0; i < 3000; i++) {
      const k = keyInRange(`s${i}`, lo, lo + 799, 0);
      cmds.push(['SET', k, `v${i}`]);
    }
    for (let i = 0; i < 50; i++) {
      cmds.push(['HSET', keyInRange(`h${i}`, mlo, mhi, 0), 'a', String(i), 'b', 'x'.repeat(i)]);
      cmds.push(['SADD', keyInRange(`set${i}`, mlo, mhi, 0), 'm1', 'm2', String(i)]);
      cmds.push(['ZADD', keyInRange(`z${i}`, mlo, mhi, 0), '1.5', 'a', String(-i), 'b', 'inf', 'c']);
      cmds.push(['RPUSH', keyInRange(`l${i}`, mlo, mhi, 0), 'x', 'y', String(i)]);
      cmds.push(['SET', keyInRange(`ttl${i}`, mlo, mhi, 0), 't', 'PX', '600000']);
    }
    const bigHash = keyInRange('bighash', mlo, mhi, 0);
    for (let i = 0; i < 5; i++) {
      const c = ['HSET', bigHash];
      for (let j = 0; j < 1000; j++) c.push(`f${i * 1000 + j}`, `v${j}`);
      cmds.push(c);
    }
    const bigList = keyInRange('biglist', mlo, mhi, 0);
    for (let i = 0; i < 3; i++) cmds.push(['RPUSH', bigList, ...Array.from({ length: 1000 }, (_, j) => `e${i * 1000 + j}`)]);
    for (const r of await seed.pipeline(cmds)) assert.notEqual(r.t, "err", r.t === "err" ? r.v : "");
    seed.destroy();

    // Keys the writers change: counters and sequences in and out of the moving slots.
    const counters = Array.from({ length: 40 }, (_, i) => keyInRange(`ctr${i}`, i % 4 === 0 ? mhi + 1 : mlo, i % 4 === 0 ? mhi + 300 : mhi, 0));
    const lists = Array.from({ length: 8 }, (_, i) => keyInRange(`seq${i}`, mlo, mhi, 0));
    const acked = new Map<string, number>();
    const pushed = new Map<string, string[]>();
    let hincr = 0;
    let stop = false;
    let reads = 0;
    const clients: MovedClient[] = [];
    const writer = async (w: number): Promise<void> => {
      const mc = new MovedClient(source.port);
      clients.push(mc);
      let i = 0;
      while (!stop) {
        const k = counters[(i * 7 + w) % counters.length]!;
        const r = await mc.call(k, 'INCR', k);
        if (r.t === 'int') acked.set(k, (acked.get(k) ?? 0) + 1);
        const lk = lists[(i + w) % lists.length]!;
        const item = `w${w}-${i}`;
        const lr = await mc.call(lk, 'RPUSH', lk, item);
        if (lr.t === 'int') pushed.set(lk, [...(pushed.get(lk) ?? []), item]);
        if (i % 5 === 0) {
          const hr = await mc.call(bigHash, 'HINCRBY', bigHash, 'counter', '1');
          if (hr.t === 'int') hincr++;
        }
        i++;
      }
    };
    const reader = async (): Promise<void> => {
      const mc = new MovedClient(source.port);
      clients.push(mc);
      let i = 0;
      while (!stop) {
        const k = counters[i++ % counters.length]!;
        const r = await mc.call(k, 'GET', k);
        if (r.t === 'bulk' || r.t === 'null' || (r.t as string) === 'nil') reads++;
        const r2 = await mc.call(bigHash, 'HGET', bigHash, `f${i % 5000}`);
        if (r2.t === 'bulk') reads++;
      }
    };
    const loads = [writer(0), writer(1), writer(2), reader(), reader()];
    try {
      await waitFor('the load to start', () => acked.size > 5 && reads > 10, 10000, 10);
      const r = await call(source.port, 'CLUSTER', 'MIGRATESLOTS', 'SLOTSRANGE', String(mlo), String(mhi), 'NODE', target.id);
      assert.equal(r, 'OK');
      const done = await waitMigrationDone(source.port, 60000);
      assert.equal(done.state, 'success', `migration ended ${done.state}: ${done.message}`);
      console.log(`# migration of ${mhi - mlo + 1} slots under load: keys_sent ${done.keys_sent}, keys_resent ${done.keys_resent}, commands_forwarded ${done.commands_forwarded}, write pause ${done.write_pause_ms} ms`);
      // Writers go on until each has been redirected (they now write to the target).
      await waitFor('every client followed a MOVED', () => clients.every((c) => c.errors.moved > 0), 10000, 10);
      const writesAtSwitch = [...acked.values()].reduce((a, b) => a + b, 0);
      await waitFor('more writes after the switch', () => [...acked.values()].reduce((a, b) => a + b, 0) > writesAtSwitch + 50, 10000, 10);
    } finally {
      stop = true;
      await Promise.allSettled(loads);
      for (const c of clients) c.close();
    }
    const errs = clients.map((c) => c.errors);
    assert.equal(errs.reduce((a, e) => a + e.ask, 0), 0, 'no ASK');
    assert.equal(errs.reduce((a, e) => a + e.tryagain, 0), 0, 'no TRYAGAIN');
    assert.equal(errs.reduce((a, e) => a + e.other, 0), 0, `no other error: ${errs.flatMap((e) => e.samples).join('; ')}`);

    // The source deletes its copies in slices: wait for that, then compare the whole dataset.
    await waitFor('the source dropped the moved slots', async () => {
      for (let s = mlo; s <= mhi; s++) if ((await call(source.port, 'CLUSTER', 'COUNTKEYSINSLOT', String(s))) !== 0) return false;
      return true;
    }, 20000);
    const portOf = (s: number): number => (s >= mlo && s <= mhi ? target.port : source.port);
    await converged(cl, portOf, [mlo, mhi, mhi + 1]);
    const where = new Map<string, number>();
    const all = new Map<string, string>();
    for (const n of cl.nodes) {
      for (const [k, v] of await nodeDataset(n.port, true)) {
        assert.ok(!where.has(k), `${k} is on :${where.get(k)} and :${n.port}`);
        where.set(k, n.port);
        all.set(k, v);
      }
    }
    for (const [k, p] of where) {
      const s = keyHashSlot(k);
      if (s >= lo && s <= lo + 799) assert.equal(p, portOf(s), `${k} (slot ${s}) is on its slot's owner`);
    }
    for (const k of counters) assert.equal(all.get(k), JSON.stringify(['string', String(acked.get(k) ?? 0)]) + ' no-ttl', `counter ${k}`);
    for (const k of lists) {
      // Writers on different connections: the server's order between them is not the
      // order their acknowledgements arrived in, but each writer's own items keep theirs.
      const got = (JSON.parse(all.get(k)!.replace(/ no-ttl$/, '')) as [string, string[]])[1];
      const want = pushed.get(k) ?? [];
      assert.deepEqual([...got].sort(), [...want].sort(), `sequence ${k}: every acknowledged RPUSH once`);
      for (let w = 0; w < 3; w++) assert.deepEqual(got.filter((x) => x.startsWith(`w${w}-`)), want.filter((x) => x.startsWith(`w${w}-`)), `writer ${w}'s order in ${k}`);
    }
    const bh = all.get(bigHash)!;
    assert.ok(bh.includes(`"counter=${hincr}"`), `the big hash's counter is ${hincr}`);
    assert.equal((JSON.parse(bh.replace(/ (no-)?ttl$/, '')) as [string, string[]])[1].length, 5001);
    assert.equal(all.get(bigList), JSON.stringify(['list', Array.from({ length: 3000 }, (_, j) => `e${j}`)]) + ' no-ttl');
    for (let i = 0; i < 50; i++) {
      assert.equal(all.get(keyInRange(`ttl${i}`, mlo, mhi, 0)), JSON.stringify(['string', 't']) + ' ttl');
      assert.equal(all.get(keyInRange(`z${i}`, mlo, mhi, 0)), JSON.stringify(['zset', ['b', String(-i), 'a', '1.5', 'c', 'inf']]) + ' no-ttl');
      assert.equal(all.get(keyInRange(`h${i}`, mlo, mhi, 0)), JSON.stringify(['hash', [`a=${i}`, `b=${'x'.repeat(i)}`]]) + ' no-ttl');
      assert.equal(all.get(keyInRange(`l${i}`, mlo, mhi, 0)), JSON.stringify(['list', ['x', 'y', String(i)]]) + ' no-ttl');
      assert.equal(all.get(keyInRange(`set${i}`, mlo, mhi, 0)), JSON.stringify(['set', ['m1', 'm2', String(i)].sort()]) + ' no-ttl');
    }
    for (let i = 0; i < 3000; i++) assert.equal(all.get(keyInRange(`s${i}`, lo, lo + 799, 0)), JSON.stringify(['string', `v${i}`]) + ' no-ttl');
    // The target's GETSLOTMIGRATIONS shows the import, finished.
    const imports = (await slotMigrations(target.port)).filter((e) => e.operation === 'IMPORT');
    assert.equal(imports[imports.length - 1]?.state, 'success');
  });
});

test('atomic slot migration of a 1M-field hash: cancel rolls back, then the move keeps the source responsive', { skip: skipIfNoRedis() }, async () => {
  await withCluster({ ...CINNABAR3, kinds: [...CINNABAR3.kinds] }, async (cl) => {
    const { source, target, lo } = await ownerOfSlot0(cl);
    const key = keyInRange('huge', lo, lo + 10, 0);
    const slot = keyHashSlot(key);
    const seed = await RespClient.connect({ host: '127.0.0.1', port: source.port, timeoutMs: 3000, commandTimeoutMs: 60000 });
    const FIELDS = 1_000_000;
    const BATCH = 2000;
    for (let base = 0; base < FIELDS; base += BATCH * 50) {
      const cmds: string[][] = [];
      for (let b = base; b < Math.min(FIELDS, base + BATCH * 50); b += BATCH) {
        const c = ['HSET', key];
        for (let j = b; j < b + BATCH; j++) c.push(`field:${j}`, `value:${j}`);
        cmds.push(c);
      }
      for (const r of await seed.pipeline(cmds)) assert.equal(r.t, 'int');
    }
    assert.equal(toPlain(await seed.call('HLEN', key)), FIELDS);
    const targetDbsize = await call(target.port, 'DBSIZE');

    // 1. Cancel while the hash is being sent.
    assert.equal(await call(source.port, 'CLUSTER', 'MIGRATESLOTS', 'SLOTSRANGE', String(slot), String(slot), 'NODE', target.id), 'OK');
    await waitFor('the target staged part of the hash', async () => {
      const imp = (await slotMigrations(target.port)).filter((e) => e.operation === 'IMPORT').pop();
      return imp !== undefined && imp.state === 'snapshot' && Number(imp.commands_forwarded) >= 2;
    }, 20000, 5);
    // Staged keys are invisible on the target meanwhile.
    assert.equal(await call(target.port, 'DBSIZE'), targetDbsize);
    assert.equal(await call(target.port, 'CLUSTER', 'COUNTKEYSINSLOT', String(slot)), 0);
    assert.equal(await call(source.port, 'CLUSTER', 'CANCELSLOTMIGRATIONS'), 1);
    const cancelled = await waitMigrationDone(source.port, 10000);
    assert.equal(cancelled.state, 'cancelled');
    await waitFor('the target dropped the import', async () => {
      const imp = (await slotMigrations(target.port)).filter((e) => e.operation === 'IMPORT').pop();
      return imp !== undefined && imp.state !== 'snapshot';
    }, 10000);
    assert.equal(await call(target.port, 'DBSIZE'), targetDbsize);
    assert.equal(toPlain(await seed.call('HLEN', key)), FIELDS, 'the source still serves the hash');
    assert.deepEqual(toPlain(await seed.call('HSET', key, 'after-cancel', '1')), 1, 'and takes writes');
    assert.match(((await call(target.port, 'HLEN', key)) as Error).message, /^MOVED /);

    // 2. The whole move, with PINGs measured on the source meanwhile.
    const ping = await RespClient.connect({ host: '127.0.0.1', port: source.port, timeoutMs: 3000, commandTimeoutMs: 10000 });
    let maxPing = 0;
    let pings = 0;
    let moving = true;
    const pinger = (async () => {
      while (moving) {
        const t0 = performance.now();
        await ping.call('PING');
        maxPing = Math.max(maxPing, performance.now() - t0);
        pings++;
      }
    })();
    const t0 = Date.now();
    try {
      assert.equal(await call(source.port, 'CLUSTER', 'MIGRATESLOTS', 'SLOTSRANGE', String(slot), String(slot), 'NODE', target.id), 'OK');
      const done = await waitMigrationDone(source.port, 120000);
      assert.equal(done.state, 'success', String(done.message));
    } finally {
      moving = false;
      await pinger;
      ping.destroy();
    }
    console.log(`# 1M-field hash moved in ${Date.now() - t0} ms; source PING max ${maxPing.toFixed(1)} ms over ${pings} pings`);
    // Bounded: the source answers between pieces (a slice is ~2 ms; the machine is shared, hence the margin).
    assert.ok(maxPing < 1000, `PING max ${maxPing.toFixed(1)} ms`);
    assert.ok(pings > 20, `${pings} pings answered during the move`);
    assert.equal(await call(target.port, 'HLEN', key), FIELDS + 1);
    assert.equal(await call(target.port, 'HGET', key, 'field:999999'), 'value:999999');
    await waitFor('the source dropped its copy', async () => (await call(source.port, 'CLUSTER', 'COUNTKEYSINSLOT', String(slot))) === 0, 20000);
    assert.match((toPlain(await seed.call('HLEN', key)) as Error).message, /^MOVED /);
    seed.destroy();
  });
});
