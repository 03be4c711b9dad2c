/**
 * Cinnabar benchmark entry point: `npm run bench [-- options]`.
 *
 *   --quick            2 rounds, short runs, memory data sets scaled down 10x
 *                      (whole bench well under 2 minutes on 2 cores)
 *   --only LIST        phases to run: throughput,memory,latency,bgsave (default all)
 *   --tests LIST       throughput tests by redis-benchmark -t name
 *                      (e.g. set,get,lrange_100; default all)
 *   --rounds N         timed throughput rounds (default 5, quick 2)
 *   --no-write         do not write bench/results/*.json
 *   --no-pin           do not pin: servers and load generators share every CPU
 *                      (by default, on 2+ CPUs with taskset, the servers run on
 *                      CPUs 1.. and the bench process and redis-benchmark on CPU 0)
 *
 * Every figure is a ratio to redis-server measured in the same session on
 * the same machine. Results go to bench/results/<ISO date>-<quick|full>.json
 * and the tables are printed to stdout as Markdown.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  REDIS_BENCHMARK,
  REDIS_SERVER,
  REPO_ROOT,
  errMsg,
  pinCpus,
  installCleanupHandlers,
  log,
  oneLine,
  versionOf,
} from './lib.js';
import { bgsaveMarkdown, runBgsave, type BgsaveConfig, type BgsaveResult } from './bgsave.js';
import { latencyMarkdown, runLatency, type LatencyConfig, type LatencyResult } from './latency.js';
import { memoryMarkdown, runMemory, type MemoryConfig, type MemoryResult } from './memory.js';
import { TESTS, runThroughput, throughputMarkdown, type ThroughputConfig, type ThroughputResult } from './throughput.js';

type Phase = 'throughput' | 'memory' | 'latency' | 'bgsave';
const PHASES: readonly Phase[] = ['throughput', 'memory', 'latency', 'bgsave'];

interface Options {
  quick: boolean;
  phases: Phase[];
  tests: string[];
  rounds: number | null;
  write: boolean;
  pin: boolean;
}

function usage(msg: string): never {
  process.stderr.write(
    `${msg}\nusage: node dist/bench/run.js [--quick] [--only throughput,memory,latency,bgsave] [--tests set,get,...] [--rounds N] [--no-write] [--no-pin]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, phases: [...PHASES], tests: [], rounds: null, write: true, pin: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        o.quick = true;
        break;
      case '--full':
        o.quick = false;
        break;
      case '--only': {
        const ps = value().split(',').map((s) => s.trim()).filter(Boolean);
        for (const p of ps) if (!PHASES.includes(p as Phase)) usage(`unknown phase ${p}`);
        o.phases = ps as Phase[];
        break;
      }
      case '--tests': {
        const ts = value().split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
        for (const t of ts) if (!TESTS.some((x) => x.t === t)) usage(`unknown test ${t} (known: ${TESTS.map((x) => x.t).join(',')})`);
        o.tests = ts;
        break;
      }
      case '--rounds': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) usage('--rounds needs a positive integer');
        o.rounds = n;
        break;
      }
      case '--no-write':
        o.write = false;
        break;
      case '--no-pin':
        o.pin = false;
        break;
      case '--help':
      case '-h':
        usage('Cinnabar benchmark');
        break;
      default:
        usage(`unknown option ${a}`);
    }
  }
  return o;
}

interface Report {
  date: string;
  mode: 'quick' | 'full';
  argv: string[];
  wallSec: number | null;
  machine: {
    cpuModel: string;
    cpuCount: number;
    totalMemBytes: number;
    platform: string;
    release: string;
    loadavgStart: number[];
    loadavgEnd: number[] | null;
    /** 1/5/15-minute load averages when each phase started and ended (other work on the machine skews results). */
    loadavgByPhase: Record<string, { start: number[]; end: number[] }>;
  };
  node: string;
  redisServerVersion: string;
  redisBenchmarkVersion: string;
  cinnabarCommit: string | null;
  /** How servers and load generators were placed on the CPUs, or null when not pinned. */
  pinning: string | null;
  notes: string[];
  throughput: ThroughputResult | { error: string } | null;
  memory: MemoryResult | { error: string } | null;
  latency: LatencyResult | { error: string } | null;
  bgsave: BgsaveResult | { error: string } | null;
}

function gitCommit(): string | null {
  try {
    const head = fs.readFileSync(path.join(REPO_ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const p = path.join(REPO_ROOT, '.git', ref);
    if (fs.existsSync(p)) return fs.readFileSync(p, 'utf8').trim();
    const packed = fs.readFileSync(path.join(REPO_ROOT, '.git', 'packed-refs'), 'utf8');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    return line ? line.split(' ')[0]! : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const mode = opts.quick ? 'quick' : 'full';
  const started = new Date();
  const cpus = os.cpus();
  const pinned = opts.pin ? pinCpus() : null;

  const tcfg: ThroughputConfig = {
    clients: 50,
    pipelines: [1, 16],
    rounds: opts.rounds ?? (opts.quick ? 2 : 5),
    targetSec: opts.quick ? 0.35 : 1.5,
    calibrationN: opts.quick ? { 1: 4000, 16: 30000 } : { 1: 10000, 16: 80000 },
    keyspace: 100000,
    minN: 2000,
    maxN: 20_000_000,
    only: opts.tests,
  };
  const mcfg: MemoryConfig = { scale: opts.quick ? 0.1 : 1, batch: 1000, inflight: 4 };
  const lcfg: LatencyConfig = opts.quick
    ? { connections: 50, keys: 10000, rounds: 2, warmupMs: 500, measureMs: 2000 }
    : { connections: 50, keys: 10000, rounds: 4, warmupMs: 1000, measureMs: 5000 };
  const bcfg: BgsaveConfig = opts.quick
    ? { keys: 200_000, connections: 50, warmupMs: 300, baselineMs: 1000 }
    : { keys: 1_000_000, connections: 50, warmupMs: 1000, baselineMs: 3000 };

  const report: Report = {
    date: started.toISOString(),
    mode,
    argv: process.argv.slice(2),
    wallSec: null,
    machine: {
      cpuModel: cpus[0]?.model ?? 'unknown',
      cpuCount: cpus.length,
      totalMemBytes: os.totalmem(),
      platform: os.platform(),
      release: os.release(),
      loadavgStart: os.loadavg(),
      loadavgEnd: null,
      loadavgByPhase: {},
    },
    node: process.version,
    redisServerVersion: versionOf(REDIS_SERVER),
    redisBenchmarkVersion: versionOf(REDIS_BENCHMARK),
    cinnabarCommit: gitCommit(),
    pinning: pinned,
    notes: [
      'Every figure is a ratio to redis-server measured in the same session on the same machine; compare ratios, not absolute numbers, across machines.',
      pinned !== null
        ? `Pinned: ${pinned}. Each server has its CPU to itself (Cinnabar's V8 helper threads share it with its main thread); the load generator never takes the server's CPU.`
        : `Not pinned: redis-benchmark (single-threaded) runs on the same ${cpus.length} cores as the server under test and takes CPU from it; this hits both servers equally but makes rounds noisy.`,
      'Both servers run with --save "" --appendonly no --bind 127.0.0.1 on free ports; Cinnabar as `node bin/cinnabar-server.js`.',
      'Throughput: PING is reported as both PING_INLINE and PING_MBULK (-t ping_inline / -t ping_mbulk). redis-benchmark default 3-byte values, -r 100000 random keys.',
      'Throughput ratio = median over rounds of the per-round Cinnabar/Redis ops/s ratio; latency columns are medians over rounds of redis-benchmark p50/p99.',
      'CPU µs/op = server process user+system CPU time (/proc/<pid>/stat, all threads) during the run / requests.',
      opts.quick
        ? 'Quick mode: 2 throughput rounds of ~0.35 s per server, memory data sets scaled down 10x (100,000 strings, 10,000 hashes, 10,000 sorted sets), latency 2 x 2 s per server.'
        : 'Full mode: memory data sets at full size (1,000,000 strings, 100,000 hashes, 100,000 sorted sets).',
    ],
    throughput: null,
    memory: null,
    latency: null,
    bgsave: null,
  };

  log(`mode ${mode}; phases ${opts.phases.join(',')}; ${report.redisServerVersion}; ${report.redisBenchmarkVersion}`);

  if (opts.phases.includes('throughput')) {
    const la = os.loadavg();
    try {
      report.throughput = await runThroughput(tcfg);
    } catch (e) {
      report.throughput = { error: errMsg(e) };
      log(`throughput phase failed: ${oneLine(errMsg(e))}`);
    }
    report.machine.loadavgByPhase['throughput'] = { start: la, end: os.loadavg() };
  }
  if (opts.phases.includes('memory')) {
    const la = os.loadavg();
    try {
      report.memory = await runMemory(mcfg);
    } catch (e) {
      report.memory = { error: errMsg(e) };
      log(`memory phase failed: ${oneLine(errMsg(e))}`);
    }
    report.machine.loadavgByPhase['memory'] = { start: la, end: os.loadavg() };
  }
  if (opts.phases.includes('latency')) {
    const la = os.loadavg();
    try {
      report.latency = await runLatency(lcfg);
    } catch (e) {
      report.latency = { error: errMsg(e) };
      log(`latency phase failed: ${oneLine(errMsg(e))}`);
    }
    report.machine.loadavgByPhase['latency'] = { start: la, end: os.loadavg() };
  }

  if (opts.phases.includes('bgsave')) {
    const la = os.loadavg();
    try {
      report.bgsave = await runBgsave(bcfg);
    } catch (e) {
      report.bgsave = { error: errMsg(e) };
      log(`bgsave phase failed: ${oneLine(errMsg(e))}`);
    }
    report.machine.loadavgByPhase['bgsave'] = { start: la, end: os.loadavg() };
  }

  report.wallSec = (performance.now() - t0) / 1000;
  report.machine.loadavgEnd = os.loadavg();

  // Markdown to stdout.
  const out: string[] = [];
  const gib = (report.machine.totalMemBytes / 1024 ** 3).toFixed(1);
  out.push(`## Cinnabar vs redis-server — ${mode} run, ${report.date}`);
  out.push('');
  out.push(
    `Machine: ${report.machine.cpuModel} × ${report.machine.cpuCount}, ${gib} GiB RAM, ${report.machine.platform} ${report.machine.release}; ` +
      `Node ${report.node}; ${report.redisServerVersion}; ${report.redisBenchmarkVersion}; ` +
      `load average (1/5/15 min) ${report.machine.loadavgStart.map((x) => x.toFixed(2)).join(' ')} at start, ` +
      `${report.machine.loadavgEnd.map((x) => x.toFixed(2)).join(' ')} at end. ` +
      `Wall time ${report.wallSec.toFixed(1)} s.`,
  );
  out.push('');
  for (const n of report.notes) out.push(`- ${n}`);
  if (report.throughput !== null) {
    out.push('', `### Throughput (redis-benchmark, ${tcfg.clients} clients, ${tcfg.rounds} rounds interleaved)`, '');
    out.push('error' in report.throughput ? `FAILED: ${oneLine(report.throughput.error)}` : throughputMarkdown(report.throughput));
  }
  if (report.memory !== null) {
    out.push('', `### Memory (growth per key after loading${opts.quick ? '; quick run: data sets scaled down 10x' : ''})`, '');
    out.push('error' in report.memory ? `FAILED: ${oneLine(report.memory.error)}` : memoryMarkdown(report.memory));
  }
  if (report.latency !== null) {
    out.push(
      '',
      `### GET latency under background writes (${lcfg.connections} closed-loop connections, ${lcfg.rounds} × ${lcfg.measureMs / 1000} s per server)`,
      '',
    );
    out.push('error' in report.latency ? `FAILED: ${oneLine(report.latency.error)}` : latencyMarkdown(report.latency));
  }
  if (report.bgsave !== null) {
    out.push(
      '',
      `### GET latency during BGSAVE (${bcfg.keys.toLocaleString('en-US')} keys, ${bcfg.connections} closed-loop connections; baseline ${bcfg.baselineMs / 1000} s without a save)`,
      '',
    );
    out.push('error' in report.bgsave ? `FAILED: ${oneLine(report.bgsave.error)}` : bgsaveMarkdown(report.bgsave));
  }
  process.stdout.write(`${out.join('\n')}\n`);

  if (opts.write) {
    const dir = path.join(REPO_ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = report.date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
    const file = path.join(dir, `${stamp}-${mode}.json`);
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`results written to ${path.relative(process.cwd(), file) || file}`);
  }
  log(`done in ${report.wallSec.toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`[bench] fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
