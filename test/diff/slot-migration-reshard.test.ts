// Atomic slot migration against what Redis does: a redis-server 7.0 cluster and a
// Cinnabar cluster (3 primaries each, built alike by redis-cli --cluster create) get
// the same dataset. On redis-server, `redis-cli --cluster reshard` moves 300 slots
// from the first primary to the second; on Cinnabar, CLUSTER MIGRATESLOTS moves the
// very slots redis-cli chose. Both clusters then have the same slot map (by node)
// and each node the same keys and values (and TTLs). Then `redis-cli --cluster
// reshard` (MIGRATE based) moves 200 slots from the second primary to the third on
// both: it still works on Cinnabar after an atomic migration, and the two end equal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

import { keyHashSlot } from '../../src/keyspace/hash-slot.js';
import { withCluster, type Cluster } from '../helpers/cluster.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import { call, waitFor } from '../helpers/wait.js';
import { MovedClient, nodeDataset, slotMap, waitMigrationDone } from '../helpers/slot-migration.js';

function redisCli(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message}\n${stdout.slice(-2000)}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The same dataset on a cluster: strings, every aggregate type, TTLs, a hash big enough to go in pieces. */
async function load(cl: Cluster): Promise<void> {
  const mc = new MovedClient(cl.nodes[0]!.port);
  try {
    const cmds: string[][] = [];
    for (let i = 0; i < 1500; i++) cmds.push(['SET', `str:${i}`, `value-${i}`]);
    for (let i = 0; i < 100; i++) {
      cmds.push(['HSET', `hash:${i}`, 'f1', String(i), 'f2', 'x'.repeat(i)]);
      cmds.push(['SADD', `set:${i}`, 'a', 'b', String(i)]);
      cmds.push(['ZADD', `zset:${i}`, String(i / 3), 'm', '-2', 'n']);
      cmds.push(['RPUSH', `list:${i}`, 'p', 'q', String(i)]);
      cmds.push(['SET', `ttl:${i}`, 'v', 'EX', '3600']);
    }
    for (let j = 0; j < 3; j++) {
      const c = ['HSET', 'bighash:{3}'];
      for (let f = 0; f < 1000; f++) c.push(`f${j * 1000 + f}`, `v${f}`);
      cmds.push(c);
    }
    for (const c of cmds) {
      const r = await mc.call(c[1]!, ...c);
      assert.notEqual(r.t, 'err', `${c[0]} ${c[1]}: ${r.t === 'err' ? r.v : ''}`);
    }
  } finally {
    mc.close();
  }
}

/** Slot map with ports replaced by the node's index in creation order. */
async function mapByIndex(cl: Cluster): Promise<string[]> {
  const idx = new Map(cl.nodes.map((n, i) => [String(n.port), String(i)]));
  return (await slotMap(cl.nodes[0]!.port)).map((r) => r.replace(/@(\d+)$/, (_m, p: string) => `@n${idx.get(p)}`)).sort();
}

/** Waits until every node agrees on the slot map and no node holds keys of slots it does not own; returns the map and datasets by index. */
async function settled(cl: Cluster): Promise<{ map: string[]; data: Array<Map<string, string>> }> {
  await waitFor('every node agrees on the slot map', async () => {
    const maps = await Promise.all(cl.nodes.map((n) => slotMap(n.port)));
    return maps.every((m) => JSON.stringify(m) === JSON.stringify(maps[0]));
  }, 20000);
  const map = await mapByIndex(cl);
  const owner = (slot: number): number => {
    for (const r of map) {
      const m = /^(\d+)-(\d+)@n(\d+)$/.exec(r)!;
      if (slot >= Number(m[1]) && slot <= Number(m[2])) return Number(m[3]);
    }
    return -1;
  };
  return waitFor('each key only on its slot owner', async () => {
    const data = await Promise.all(cl.nodes.map((n) => nodeDataset(n.port, true)));
    for (let i = 0; i < data.length; i++) for (const k of data[i]!.keys()) if (owner(keyHashSlot(k)) !== i) return undefined;
    return { map, data };
  }, 20000, 100);
}

function movedSlots(before: string[], after: string[], from: string, to: string): number[] {
  const own = (map: string[], n: string): Set<number> => {
    const s = new Set<number>();
    for (const r of map) {
      const m = /^(\d+)-(\d+)@(n\d+)$/.exec(r)!;
      if (m[3] === n) for (let x = Number(m[1]); x <= Number(m[2]); x++) s.add(x);
    }
    return s;
  };
  const was = own(before, from);
  return [...own(after, to)].filter((s) => was.has(s)).sort((a, b) => a - b);
}

function ranges(slots: number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < slots.length; ) {
    let j = i;
    while (j + 1 < slots.length && slots[j + 1] === slots[j]! + 1) j++;
    out.push(String(slots[i]), String(slots[j]));
    i = j + 1;
  }
  return out;
}

function assertSameData(ours: Array<Map<string, string>>, theirs: Array<Map<string, string>>, what: string): void {
  for (let i = 0; i < theirs.length; i++) {
    const o = ours[i]!;
    const t = theirs[i]!;
    assert.equal(o.size, t.size, `${what}: node ${i} holds ${o.size} keys, redis-server's ${t.size}`);
    for (const [k, v] of t) assert.equal(o.get(k), v, `${what}: node ${i}, key ${k}`);
  }
}

test('CLUSTER MIGRATESLOTS ends where redis-cli --cluster reshard does on redis-server; reshard still works on Cinnabar', { skip: skipIfNoRedis() }, async () => {
  await withCluster({ primaries: 3, replicasEach: 0, nodeTimeoutMs: 5000 }, async (redis) => {
    await withCluster({ primaries: 3, replicasEach: 0, kinds: ['cinnabar', 'cinnabar', 'cinnabar'], nodeTimeoutMs: 5000 }, async (cin) => {
      await Promise.all([load(redis), load(cin)]);
      const before = await mapByIndex(redis);
      assert.deepEqual(await mapByIndex(cin), before, 'both clusters start alike');
      const [r0, r1, r2] = redis.nodes;
      const [c0, c1, c2] = cin.nodes;

      // 1. redis-server: reshard 300 slots n0 -> n1; Cinnabar: MIGRATESLOTS of the same slots.
      await redisCli(['--cluster', 'reshard', `127.0.0.1:${r0!.port}`, '--cluster-from', r0!.id, '--cluster-to', r1!.id, '--cluster-slots', '300', '--cluster-yes'], 120000);
      const theirs1 = await settled(redis);
      const moved = movedSlots(before, theirs1.map, 'n0', 'n1');
      assert.equal(moved.length, 300);
      assert.equal(await call(c0!.port, 'CLUSTER', 'MIGRATESLOTS', 'SLOTSRANGE', ...ranges(moved), 'NODE', c1!.id), 'OK');
      const job = await waitMigrationDone(c0!.port, 60000);
      assert.equal(job.state, 'success', String(job.message));
      const ours1 = await settled(cin);
      assert.deepEqual(ours1.map, theirs1.map, 'the same slot map after the move');
      assertSameData(ours1.data, theirs1.data, 'after MIGRATESLOTS vs reshard');

      // 2. redis-cli --cluster reshard on both: 200 slots n1 -> n2.
      await redisCli(['--cluster', 'reshard', `127.0.0.1:${r1!.port}`, '--cluster-from', r1!.id, '--cluster-to', r2!.id, '--cluster-slots', '200', '--cluster-yes'], 120000);
      await redisCli(['--cluster', 'reshard', `127.0.0.1:${c1!.port}`, '--cluster-from', c1!.id, '--cluster-to', c2!.id, '--cluster-slots', '200', '--cluster-yes'], 120000);
      const theirs2 = await settled(redis);
      const ours2 = await settled(cin);
      assert.deepEqual(ours2.map, theirs2.map, 'the same slot map after both reshards');
      assertSameData(ours2.data, theirs2.data, 'after reshard on both');
      const check = await redisCli(['--cluster', 'check', `127.0.0.1:${c0!.port}`], 60000);
      assert.match(check, /\[OK\] All 16384 slots covered/);
    });
  });
});

test('CLUSTER MIGRATESLOTS refuses bad input with clear errors', { skip: skipIfNoRedis() }, async () => {
  await withCluster({ primaries: 3, replicasEach: 0, kinds: ['cinnabar', 'cinnabar', 'cinnabar'], nodeTimeoutMs: 5000 }, async (cl) => {
    const [a, b] = cl.nodes;
    const p = a!.port;
    const m = (...args: string[]): Promise<string> => call(p, 'CLUSTER', 'MIGRATESLOTS', ...args).then((r) => (r instanceof Error ? r.message : String(r)));
    assert.equal(await m('SLOTSRANGE', '0', '10', 'NODE'), "ERR wrong number of arguments for 'cluster|migrateslots' command");
    assert.equal(await m('SLOTS', '0', '10', 'NODE', b!.id), 'ERR syntax error');
    assert.equal(await m('SLOTSRANGE', '0', '16384', 'NODE', b!.id), 'ERR Invalid or out of range slot');
    assert.equal(await m('SLOTSRANGE', '10', '0', 'NODE', b!.id), 'ERR start slot number 10 is greater than end slot number 0');
    assert.equal(await m('SLOTSRANGE', '0', '10', '5', '6', 'NODE', b!.id), 'ERR Slot 5 specified multiple times');
    assert.equal(await m('SLOTSRANGE', '0', '10', 'NODE', 'f'.repeat(40)), `ERR Unknown node ${'f'.repeat(40)}`);
    assert.equal(await m('SLOTSRANGE', '0', '10', 'NODE', a!.id), "ERR Can't migrate slots to myself");
    assert.equal(await m('SLOTSRANGE', '16000', '16001', 'NODE', b!.id), "ERR I'm not the owner of hash slot 16000");
    assert.equal(await call(p, 'CLUSTER', 'CANCELSLOTMIGRATIONS'), 0);
    // SYNCSLOTS without an import on the connection.
    assert.equal(((await call(b!.port, 'CLUSTER', 'SYNCSLOTS', 'APPLY', '1', 'PING')) as Error).message, 'ERR No slot import on this connection');
    assert.deepEqual(await call(p, 'CLUSTER', 'GETSLOTMIGRATIONS'), []);
  });
});
