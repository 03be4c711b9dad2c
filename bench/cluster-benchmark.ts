/**
 * `redis-benchmark --cluster` against a 3-primary cluster (no replicas), per node kind.
 * `node dist/bench/cluster-benchmark.js [--kind redis|cinnabar]… [--tests set,get,…]
 * [-n N] [-c C] [-P P] [--rounds R] [--no-write]` (npm run bench:cluster-benchmark).
 *
 * For each kind a fresh cluster is created by `redis-cli --cluster create` and
 * `redis-benchmark --cluster -h 127.0.0.1 -p <a node> -c C -n N -P P -r 100000 -t <test>
 * --csv` runs once per test and round (redis-benchmark splits its clients over the
 * primaries and follows the slot map). Requests per second: the median of the rounds.
 * With two kinds, the table gives Cinnabar / redis-server per test (higher is better);
 * with one, its figures alone. Kinds alternate round by round so that machine load hits
 * both alike.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { startCluster, type Cluster, type NodeKind } from '../test/helpers/cluster.js';
import { REDIS_BENCHMARK, REDIS_SERVER, REPO_ROOT, errMsg, fmtInt, fmtRatio, log, markdownTable, median, ratio, runProcess, versionOf } from './lib.js';

/** Deadline of one redis-benchmark run. */
const RUN_TIMEOUT_MS = 120000;
// Tests that work with --cluster: keys of one command in one slot (MSET's 10 keys are not).
const TESTS = ['ping_inline', 'set', 'get', 'incr', 'lpush', 'rpop', 'sadd', 'hset', 'zadd', 'lrange_100'];

interface Options { kinds: NodeKind[]; tests: string[]; n: number; c: number; pipeline: number; rounds: number; write: boolean }

function parseArgs(argv: string[]): Options {
  const o: Options = { kinds: [], tests: ['set', 'get', 'incr', 'lpush', 'hset'], n: 200000, c: 50, pipeline: 1, rounds: 3, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--kind') {
      const k = argv[++i];
      if (k !== 'redis' && k !== 'cinnabar') throw new Error(`--kind redis|cinnabar, not ${k}`);
      o.kinds.push(k);
    } else if (a === '--tests') o.tests = String(argv[++i]).split(',').filter((t) => TESTS.includes(t));
    else if (a === '-n') o.n = Math.max(1000, Number(argv[++i]) || 200000);
    else if (a === '-c') o.c = Math.max(1, Number(argv[++i]) || 50);
    else if (a === '-P') o.pipeline = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--rounds') o.rounds = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--no-write') o.write = false;
    else throw new Error(`unknown option ${a}`);
  }
  if (o.kinds.length === 0) o.kinds = ['redis'];
  if (o.tests.length === 0) throw new Error(`--tests: none of ${TESTS.join(',')}`);
  return o;
}

/** Requests per second by CSV test name from one redis-benchmark --csv output. */
function parseCsv(out: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    const f = line.split('","').map((s) => s.replace(/^"|"$/g, ''));
    if (f.length >= 2 && f[0] !== 'test' && Number.isFinite(Number(f[1]))) m.set(f[0]!, Number(f[1]));
  }
  return m;
}

async function benchOnce(cl: Cluster, test: string, o: Options): Promise<number | null> {
  const port = cl.nodes[0]!.port;
  const args = ['--cluster', '-h', '127.0.0.1', '-p', String(port), '-c', String(o.c), '-n', String(o.n), '-P', String(o.pipeline),
    '-r', '100000', '-t', test, '--csv'];
  const r = await runProcess(REDIS_BENCHMARK, args, RUN_TIMEOUT_MS);
  if (r.code !== 0 || r.timedOut) {
    log(`redis-benchmark ${args.join(' ')}: ${r.timedOut ? 'timed out' : `exit ${r.code}`}: ${r.stderr.slice(0, 300)}${r.stdout.slice(-300)}`);
    return null;
  }
  const rows = parseCsv(r.stdout);
  // The test's own row (LRANGE_100 first runs an LPUSH fill, reported too).
  const want = [...rows.keys()].find((k) => k.toLowerCase().replace(/ .*/, '') === test.toLowerCase()) ?? [...rows.keys()].pop();
  return want === undefined ? null : rows.get(want) ?? null;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const clusters = new Map<NodeKind, Cluster>();
  const rps: Record<string, Record<string, number[]>> = {};
  try {
    for (const k of o.kinds) {
      log(`${k}: starting 3 primaries`);
      clusters.set(k, await startCluster({ primaries: 3, replicasEach: 0, kinds: Array(3).fill(k) }));
      rps[k] = {};
    }
    for (let round = 0; round < o.rounds; round++) {
      for (const test of o.tests) {
        for (const k of o.kinds) {
          try {
            const v = await benchOnce(clusters.get(k)!, test, o);
            log(`${k}: round ${round + 1} ${test}: ${v === null ? 'failed' : `${fmtInt(v)} rps`}`);
            if (v !== null) (rps[k]![test] ??= []).push(v);
          } catch (e) {
            log(`${k}: ${test}: ${errMsg(e)}`);
          }
        }
      }
    }
  } finally {
    for (const cl of clusters.values()) await cl.stop();
  }
  const label = (k: NodeKind): string => (k === 'redis' ? `redis-server ${/v=(\S+)/.exec(versionOf(REDIS_SERVER))?.[1] ?? ''}` : 'cinnabar');
  const header = ['test', ...o.kinds.map((k) => `${label(k)} rps (median of ${o.rounds})`)];
  const both = o.kinds.includes('cinnabar') && o.kinds.includes('redis');
  if (both) header.push('cinnabar / redis-server');
  const rows = o.tests.map((t) => {
    const meds = o.kinds.map((k) => median(rps[k]?.[t] ?? []));
    const row = [t.toUpperCase(), ...meds.map((m) => fmtInt(m))];
    if (both) row.push(fmtRatio(ratio(median(rps['cinnabar']?.[t] ?? []), median(rps['redis']?.[t] ?? []))));
    return row;
  });
  process.stdout.write(`\n## redis-benchmark --cluster, 3 primaries (-c ${o.c} -n ${o.n} -P ${o.pipeline} -r 100000)\n\n${markdownTable(header, rows)}\n`);
  if (o.write) {
    const file = path.join(REPO_ROOT, 'bench', 'results', `${new Date().toISOString().replace(/:/g, '-').slice(0, 19)}Z-cluster-benchmark.json`);
    fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), host: os.hostname(), cpus: os.cpus().length, options: o, rps }, null, 2) + '\n');
    log(`wrote ${path.relative(REPO_ROOT, file)}`);
  }
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
