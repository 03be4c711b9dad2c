/**
 * Slot migration, 3 -> 4 primaries: `node dist/bench/slot-migration.js [--keys N]
 * [--case a|b|c]…` (npm run bench:slot-migration). Default 100 000 keys (see the
 * README for why not 1M on this machine); all three cases unless told:
 *
 *   (a) redis-server 7.0 cluster, `redis-cli --cluster reshard --cluster-from all
 *       --cluster-to <new> --cluster-slots 4096` (MIGRATE based, ASK redirections);
 *   (b) the same on a Cinnabar cluster;
 *   (c) a Cinnabar cluster, CLUSTER MIGRATESLOTS on each of the three primaries at once,
 *       each moving its first 1365 or 1366 slots (4096 in all) to the new primary.
 *
 * Each case: a fresh cluster of 3 primaries (redis-cli --cluster create) and a 4th
 * empty primary (redis-cli --cluster add-node), N string keys of 16 bytes loaded
 * through pipelines to their owners, then the move while one client (a MOVED- and
 * ASK-following client, one command at a time) runs GET/SET on random keys of the
 * dataset. Reported: the move's total time (start to the last slot switched, key
 * deletions included for (c)), the load's operations, its redirections (MOVED, ASK),
 * its errors (TRYAGAIN and any other), and its latency p50/p99/max during the move.
 * Then every key is checked on its owner (none lost).
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';

import { keyHashSlot } from '../src/keyspace/hash-slot.js';
import { RespClient } from '../src/protocol/resp-client.js';
import { startCluster, startClusterNode, type Cluster, type NodeKind } from '../test/helpers/cluster.js';
import { call, waitFor } from '../test/helpers/wait.js';
import { MovedClient, waitMigrationDone } from '../test/helpers/slot-migration.js';
import { fmtInt, log, markdownTable } from './lib.js';

const SLOTS_TO_MOVE = 4096;
const LOAD_BATCH = 1000;
/** Deadline of one move (redis-cli reshard of 1M keys takes minutes). */
const MOVE_DEADLINE_MS = 30 * 60_000;

interface Options { keys: number; cases: Array<'a' | 'b' | 'c'> }

function parseArgs(argv: string[]): Options {
  const o: Options = { keys: 100_000, cases: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--keys') o.keys = Math.max(1000, Number(argv[++i]) || 100_000);
    else if (a === '--case') {
      const c = argv[++i];
      if (c !== 'a' && c !== 'b' && c !== 'c') throw new Error(`--case a|b|c, not ${c}`);
      o.cases.push(c);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.cases.length === 0) o.cases = ['a', 'b', 'c'];
  return o;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.slice(0, 6).join(' ')}: ${err.message}\n${stdout.slice(-1500)}\n${stderr.slice(-1500)}`));
      else resolve(stdout);
    });
  });
}

const keyOf = (i: number): string => `key:${i}`;

async function slotOwners(port: number): Promise<number[]> {
  const owners = new Array<number>(16384).fill(0);
  const r = (await call(port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
  for (const [a, b, [, p]] of r) for (let s = a; s <= b; s++) owners[s] = p;
  return owners;
}

async function loadKeys(cl: Cluster, n: number): Promise<void> {
  const owners = await slotOwners(cl.nodes[0]!.port);
  const byPort = new Map<number, string[][]>();
  for (let i = 0; i < n; i++) {
    const k = keyOf(i);
    const p = owners[keyHashSlot(k)]!;
    let l = byPort.get(p);
    if (l === undefined) byPort.set(p, (l = []));
    l.push(['SET', k, `v${String(i).padStart(14, '0')}`]);
  }
  await Promise.all([...byPort].map(async ([port, cmds]) => {
    const c = await RespClient.connect({ host: '127.0.0.1', port, timeoutMs: 3000, commandTimeoutMs: 60000 });
    try {
      for (let i = 0; i < cmds.length; i += LOAD_BATCH) {
        for (const r of await c.pipeline(cmds.slice(i, i + LOAD_BATCH))) if (r.t === 'err') throw new Error(r.v);
      }
    } finally {
      c.destroy();
    }
  }));
}

interface CaseResult {
  label: string;
  keys: number;
  moveMs: number;
  ops: number;
  moved: number;
  ask: number;
  tryagain: number;
  other: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  pauseMs: string;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function oneCase(which: 'a' | 'b' | 'c', nKeys: number): Promise<CaseResult> {
  const kind: NodeKind = which === 'a' ? 'redis' : 'cinnabar';
  const label = which === 'a' ? '(a) redis-server, redis-cli --cluster reshard' : which === 'b' ? '(b) Cinnabar, redis-cli --cluster reshard' : '(c) Cinnabar, CLUSTER MIGRATESLOTS';
  log(`${label}: starting the cluster`);
  const cl = await startCluster({ primaries: 3, replicasEach: 0, kinds: [kind, kind, kind], nodeTimeoutMs: 15000, readyTimeoutMs: 120000 });
  const extra = await startClusterNode(kind, { nodeTimeoutMs: 15000 });
  try {
    const seed = `127.0.0.1:${cl.nodes[0]!.port}`;
    await run('redis-cli', ['--cluster', 'add-node', `127.0.0.1:${extra.port}`, seed], 60000);
    const newId = String(await call(extra.port, 'CLUSTER', 'MYID'));
    await waitFor('every node knows the new one and is ok', async () => {
      for (const n of [...cl.nodes.map((x) => x.port), extra.port]) {
        const ci = String(await call(n, 'CLUSTER', 'INFO'));
        if (!/cluster_known_nodes:4\b/.test(ci) || !/cluster_state:ok/.test(ci)) return false;
      }
      return true;
    }, 60000);
    log(`${label}: loading ${nKeys} keys`);
    await loadKeys(cl, nKeys);

    // The load: GET/SET on random keys, one at a time, through the move.
    const mc = new MovedClient(cl.nodes[0]!.port, true);
    const lat: number[] = [];
    let moving = true;
    const loader = (async () => {
      let i = 0;
      while (moving) {
        const k = keyOf(Math.floor(Math.random() * nKeys));
        const t0 = performance.now();
        if ((i++ & 1) === 0) await mc.call(k, 'GET', k);
        else await mc.call(k, 'SET', k, `w${String(i).padStart(14, '0')}`);
        lat.push(performance.now() - t0);
      }
    })();
    const t0 = performance.now();
    let pauseMs = '-';
    try {
      if (which !== 'c') {
        await run('redis-cli', ['--cluster', 'reshard', seed, '--cluster-from', 'all', '--cluster-to', newId, '--cluster-slots', String(SLOTS_TO_MOVE), '--cluster-yes'], MOVE_DEADLINE_MS);
      } else {
        const owners = await slotOwners(cl.nodes[0]!.port);
        const pauses: number[] = [];
        await Promise.all(cl.nodes.map(async (n, idx) => {
          const mine: number[] = [];
          for (let s = 0; s < 16384; s++) if (owners[s] === n.port) mine.push(s);
          const count = Math.floor(SLOTS_TO_MOVE / 3) + (idx < SLOTS_TO_MOVE % 3 ? 1 : 0);
          const take = mine.slice(0, count);
          const r = await call(n.port, 'CLUSTER', 'MIGRATESLOTS', 'SLOTSRANGE', String(take[0]), String(take[take.length - 1]), 'NODE', newId);
          if (r !== 'OK') throw new Error(`MIGRATESLOTS on :${n.port}: ${String(r)}`);
          const job = await waitMigrationDone(n.port, MOVE_DEADLINE_MS);
          if (job.state !== 'success') throw new Error(`migration from :${n.port} ended ${job.state}: ${job.message}`);
          pauses.push(Number(job.write_pause_ms));
          // Counted until the source dropped its copies.
          await waitFor('the source dropped the moved keys', async () => {
            for (const s of take) if ((await call(n.port, 'CLUSTER', 'COUNTKEYSINSLOT', String(s))) !== 0) return false;
            return true;
          }, MOVE_DEADLINE_MS, 20);
        }));
        pauseMs = pauses.map((p) => String(p)).join('/');
      }
    } finally {
      moving = false;
      await loader;
      mc.close();
    }
    const moveMs = performance.now() - t0;
    // Every key is on its owner.
    await waitFor('every node sees the new primary own 4096 slots', async () => {
      const owners = await slotOwners(cl.nodes[1]!.port);
      return owners.filter((p) => p === extra.port).length === SLOTS_TO_MOVE;
    }, 60000);
    const check = new MovedClient(cl.nodes[0]!.port, true);
    let lost = 0;
    for (let i = 0; i < nKeys; i += 97) {
      const r = await check.call(keyOf(i), 'EXISTS', keyOf(i));
      if (!(r.t === 'int' && r.v === 1n)) lost++;
    }
    check.close();
    lat.sort((x, y) => x - y);
    const e = mc.errors;
    if (process.env['SLOT_MIGRATION_BENCH_LOGS'] === '1') for (const h of [...cl.nodes.map((n) => n.handle), extra]) console.error(`--- ${h.kind} :${h.port}\n${h.output().split('\n').filter((l) => /migration|configEpoch/.test(l)).join('\n')}`);
    return { label, keys: nKeys, moveMs, ops: lat.length, moved: e.moved, ask: e.ask, tryagain: e.tryagain, other: e.other, p50: pct(lat, 0.5), p99: pct(lat, 0.99), max: lat[lat.length - 1] ?? 0, lost, pauseMs };
  } catch (e) {
    for (const h of [...cl.nodes.map((n) => n.handle), extra]) console.error(`--- ${h.kind} :${h.port}\n${h.output().split('\n').slice(-12).join('\n')}`);
    throw e;
  } finally {
    await cl.stop();
    await extra.stop();
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const results: CaseResult[] = [];
  for (const c of o.cases) results.push(await oneCase(c, o.keys));
  const f = (x: number): string => x.toFixed(2);
  console.log(`\nSlot migration 3 -> 4 primaries, ${SLOTS_TO_MOVE} slots, ${fmtInt(o.keys)} keys (every 97th key checked after: "lost")\n`);
  console.log(markdownTable(
    ['case', 'move total', 'load ops', 'MOVED', 'ASK', 'TRYAGAIN', 'other errors', 'p50 ms', 'p99 ms', 'max ms', 'write pause ms', 'lost'],
    results.map((r) => [r.label, `${(r.moveMs / 1000).toFixed(1)} s`, fmtInt(r.ops), fmtInt(r.moved), fmtInt(r.ask), fmtInt(r.tryagain), fmtInt(r.other), f(r.p50), f(r.p99), f(r.max), r.pauseMs, fmtInt(r.lost)]),
  ));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
