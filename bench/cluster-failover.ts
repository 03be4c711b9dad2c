/**
 * Cluster failover time: kill -9 of a primary under a write load, time to the first write
 * the promoted replica accepts. `node dist/bench/cluster-failover.js [--runs N]
 * [--kind redis|cinnabar]… [--node-timeout MS] [--no-write]` (npm run bench:cluster-failover).
 *
 * Each run: a fresh 3-primary / 1-replica-each cluster of the kind (both redis-server 7.0
 * and Cinnabar by default, for the ratio; `--kind` picks one), created by
 * `redis-cli --cluster create`, cluster-node-timeout 1000 unless told. A writer sends
 * `SET fo:{t}:<i> <i>` one at a time to the primary of slot {t} for WARMUP_MS, then the
 * primary is killed with SIGKILL (t0) while the writer goes on. From t0, a second loop
 * sends the next writes to that primary's replica every POLL_MS: it answers -MOVED (or
 * -CLUSTERDOWN) until it is promoted; its first +OK is the fault-to-first-accepted-write
 * figure. Then every key acknowledged (by the old primary before the kill, by the new one
 * after) is read back from the new primary: acknowledged writes missing there are lost
 * (asynchronous replication: the last writes before the kill may not have reached the
 * replica). Median of the runs per kind; Cinnabar / redis-server ratio when both ran.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

import { keyHashSlot } from '../src/keyspace/hash-slot.js';
import { RespClient } from '../src/protocol/resp-client.js';
import { startCluster, type Cluster, type ClusterNode, type NodeKind } from '../test/helpers/cluster.js';
import { REPO_ROOT, errMsg, fmtRatio, log, markdownTable, median, ratio, sleep, versionOf, REDIS_SERVER } from './lib.js';

/** Writes before the kill. */
const WARMUP_MS = 800;
/** Interval of the loop writing to the replica until it accepts. */
const POLL_MS = 2;
/** A run that has not seen the promoted replica accept a write by then is a failure. */
const FAILOVER_DEADLINE_MS = 30000;
/** Per-command timeout of the writers (a killed primary never answers). */
const COMMAND_TIMEOUT_MS = 500;

interface Options { runs: number; kinds: NodeKind[]; nodeTimeoutMs: number; write: boolean }

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 5, kinds: [], nodeTimeoutMs: 1000, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--kind') {
      const k = argv[++i];
      if (k !== 'redis' && k !== 'cinnabar') throw new Error(`--kind redis|cinnabar, not ${k}`);
      o.kinds.push(k);
    } else if (a === '--node-timeout') o.nodeTimeoutMs = Math.max(100, Number(argv[++i]) || 1000);
    else if (a === '--no-write') o.write = false;
    else throw new Error(`unknown option ${a}`);
  }
  if (o.kinds.length === 0) o.kinds = ['redis', 'cinnabar'];
  return o;
}

export interface FailoverRun {
  /** Kill to the first +OK from the promoted replica. */
  firstWriteMs: number;
  /** Writes acknowledged (old primary before the kill, new one after). */
  writesAcked: number;
  /** Of those, missing on the new primary. */
  writesLost: number;
  /** Replies the replica gave before it accepted (MOVED, CLUSTERDOWN, …), by first word. */
  refusals: Record<string, number>;
}

async function connect(port: number): Promise<RespClient> {
  return RespClient.connect({ host: '127.0.0.1', port, timeoutMs: 2000, commandTimeoutMs: COMMAND_TIMEOUT_MS });
}

/** Writes `SET <prefix><i> <i>` in a closed loop to `port` while `go()`; records the acknowledged i. */
async function writer(port: number, prefix: string, next: () => number, acked: number[], go: () => boolean): Promise<void> {
  let c: RespClient | null = null;
  try {
    c = await connect(port);
    while (go()) {
      const i = next();
      const r = await c.call('SET', `${prefix}${i}`, String(i));
      if (r.t === 'simple' && r.v === 'OK') acked.push(i);
    }
  } catch {
    // the primary was killed: its connection fails, the writer ends
  } finally {
    c?.destroy();
  }
}

export async function failoverRun(cl: Cluster): Promise<FailoverRun> {
  const tag = 'fo';
  const slot = keyHashSlot(tag);
  const prefix = `fo:{${tag}}:`;
  const primary = await cl.primaryForSlot(slot);
  const [replica] = await cl.replicasOf(primary);
  if (!replica) throw new Error(`primary :${primary.port} has no replica`);
  let i = 0;
  const next = () => i++;
  const acked: number[] = [];
  const w1 = writer(primary.port, prefix, next, acked, () => true);
  await sleep(WARMUP_MS);
  const t0 = performance.now();
  cl.kill9(primary);
  // The second loop: the replica refuses until promoted.
  const rc = await connect(replica.port);
  const refusals: Record<string, number> = {};
  let firstWriteMs = -1;
  try {
    while (performance.now() - t0 < FAILOVER_DEADLINE_MS) {
      const n = next();
      let r;
      try {
        r = await rc.call('SET', `${prefix}${n}`, String(n));
      } catch {
        refusals['timeout'] = (refusals['timeout'] ?? 0) + 1;
        continue;
      }
      if (r.t === 'simple' && r.v === 'OK') {
        firstWriteMs = performance.now() - t0;
        acked.push(n);
        break;
      }
      const word = r.t === 'err' ? String(r.v).split(' ')[0]! : r.t;
      refusals[word] = (refusals[word] ?? 0) + 1;
      await sleep(POLL_MS);
    }
    if (firstWriteMs < 0) throw new Error(`the replica :${replica.port} accepted no write within ${FAILOVER_DEADLINE_MS} ms`);
    await w1;
    // A few more writes on the new primary, then read every acknowledged key back.
    for (let k = 0; k < 100; k++) {
      const n = next();
      const r = await rc.call('SET', `${prefix}${n}`, String(n));
      if (r.t === 'simple' && r.v === 'OK') acked.push(n);
    }
    let lost = 0;
    for (let k = 0; k < acked.length; k += 500) {
      const batch = acked.slice(k, k + 500);
      const r = await rc.call('MGET', ...batch.map((n) => `${prefix}${n}`));
      if (r.t !== 'array' || r.v === null) throw new Error(`MGET answered ${r.t}`);
      r.v.forEach((e, j) => { if (!(e.t === 'bulk' && e.v === String(batch[j]))) lost++; });
    }
    return { firstWriteMs, writesAcked: acked.length, writesLost: lost, refusals };
  } finally {
    rc.destroy();
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const results: Record<string, FailoverRun[]> = {};
  for (const kind of o.kinds) {
    results[kind] = [];
    for (let r = 0; r < o.runs; r++) {
      log(`${kind}: run ${r + 1}/${o.runs}: starting 3 primaries + 3 replicas (cluster-node-timeout ${o.nodeTimeoutMs})`);
      const cl = await startCluster({ primaries: 3, replicasEach: 1, kinds: Array(6).fill(kind), nodeTimeoutMs: o.nodeTimeoutMs });
      try {
        const run = await failoverRun(cl);
        log(`${kind}: run ${r + 1}: first write on the promoted replica ${run.firstWriteMs.toFixed(0)} ms after the kill; ` +
          `${run.writesAcked} writes acknowledged, ${run.writesLost} lost; refusals ${JSON.stringify(run.refusals)}`);
        results[kind]!.push(run);
      } catch (e) {
        log(`${kind}: run ${r + 1} failed: ${errMsg(e)}`);
      } finally {
        await cl.stop();
      }
    }
  }
  const rows = Object.entries(results).map(([k, rs]) => [
    k === 'redis' ? `redis-server ${/v=(\S+)/.exec(versionOf(REDIS_SERVER))?.[1] ?? ''}` : 'cinnabar',
    String(rs.length),
    (median(rs.map((x) => x.firstWriteMs)) ?? NaN).toFixed(0),
    rs.map((x) => x.firstWriteMs.toFixed(0)).join(', '),
    rs.map((x) => `${x.writesLost}/${x.writesAcked}`).join(', '),
  ]);
  const table = markdownTable(['nodes', 'runs', 'median kill-to-first-write (ms)', 'each run (ms)', 'acked writes lost / acked'], rows);
  let out = `\n## Cluster failover (kill -9 of a primary, cluster-node-timeout ${o.nodeTimeoutMs})\n\n${table}\n`;
  const mc = median((results['cinnabar'] ?? []).map((x) => x.firstWriteMs));
  const mr = median((results['redis'] ?? []).map((x) => x.firstWriteMs));
  if (results['cinnabar'] && results['redis']) out += `\nCinnabar / redis-server (kill-to-first-write, lower is better): ${fmtRatio(ratio(mc, mr))}\n`;
  process.stdout.write(out);
  if (o.write) {
    const file = path.join(REPO_ROOT, 'bench', 'results', `${new Date().toISOString().replace(/:/g, '-').slice(0, 19)}Z-cluster-failover.json`);
    fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), host: os.hostname(), cpus: os.cpus().length,
      nodeTimeoutMs: o.nodeTimeoutMs, runs: o.runs, results }, null, 2) + '\n');
    log(`wrote ${path.relative(REPO_ROOT, file)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('bench', 'cluster-failover.js'))) {
  main().then(() => process.exit(0), (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
