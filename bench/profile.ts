/**
 * CPU profile of cinnabar-server under a redis-benchmark load: `npm run bench:profile [-- options]`.
 *
 *   --test NAME        redis-benchmark -t test (default set)
 *   --pipeline N       -P (default 1)
 *   --requests N       -n of the profiled run (default 300000)
 *   --keyspace N       -r (default 100000)
 *   --top N            rows of each table (default 25)
 *   --out DIR          where the .cpuprofile goes (default a new temp dir)
 *   --no-pin           do not pin (see run.ts; by default the server runs on CPU 1)
 *   --eval SCRIPT      profile EVALSHA of this Lua script (SCRIPT LOAD first) with
 *                      one key, bench:profile:key, in place of a -t test
 *
 * The server runs under `node --cpu-prof` (V8's sampling profiler: JS and the
 * native code it calls, sampled on the main thread) for its whole life: a first
 * redis-benchmark run of the same size fills the keyspace and warms the JIT (its
 * samples are in the profile too), then the second run, then SIGTERM makes the
 * server exit and write the profile. Printed: the share of samples by
 * function (self time), by source line (V8's position ticks, which attribute
 * inlined callees to the caller's line), and the inclusive share of the command
 * path. The .cpuprofile opens as a flame graph in Chrome DevTools (Performance,
 * "Load profile") or speedscope.
 *
 * This is a tool for finding hot spots, not a benchmark: the profiler costs time,
 * and only the main thread is sampled (`perf record` with node --perf-basic-prof
 * sees the kernel and V8's helper threads too; see bench/README.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { summarize, type CpuProfile } from './cpuprofile.js';
import { REDIS_BENCHMARK, errMsg, installCleanupHandlers, log, pinCpus, runProcess, startServer } from './lib.js';

interface Options {
  test: string;
  pipeline: number;
  requests: number;
  keyspace: number;
  top: number;
  out: string | null;
  pin: boolean;
  /** A Lua script to profile with EVALSHA, or null for the -t test. */
  script: string | null;
}

function usage(msg: string): never {
  process.stderr.write(
    `${msg}\nusage: node dist/bench/profile.js [--test set] [--pipeline 1] [--requests 300000] [--keyspace 100000] [--top 25] [--out DIR] [--no-pin] [--eval SCRIPT]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { test: 'set', pipeline: 1, requests: 300000, keyspace: 100000, top: 25, out: null, pin: true, script: null };
  const int = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min || n > max) usage(`${flag} needs an integer in [${min}, ${max}]`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--test': {
        const t = argv[++i];
        if (t === undefined || !/^[a-z_0-9]+$/i.test(t)) usage('--test needs a redis-benchmark test name');
        o.test = t.toLowerCase();
        break;
      }
      case '--pipeline':
        o.pipeline = int(a, argv[++i], 1, 1000);
        break;
      case '--requests':
        o.requests = int(a, argv[++i], 1000, 100_000_000);
        break;
      case '--keyspace':
        o.keyspace = int(a, argv[++i], 1, 100_000_000);
        break;
      case '--top':
        o.top = int(a, argv[++i], 1, 1000);
        break;
      case '--out': {
        const d = argv[++i];
        if (d === undefined) usage('--out needs a directory');
        o.out = d;
        break;
      }
      case '--no-pin':
        o.pin = false;
        break;
      case '--eval': {
        const sc = argv[++i];
        if (sc === undefined || sc === '') usage('--eval needs a Lua script');
        o.script = sc;
        break;
      }
      default:
        usage(`unknown option ${a}`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const o = parseArgs(process.argv.slice(2));
  const pinned = o.pin ? pinCpus() : null;
  const outDir = o.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-profile-'));
  fs.mkdirSync(outDir, { recursive: true });
  const before = new Set(fs.readdirSync(outDir));
  log(`profiling ${o.script === null ? o.test : 'EVALSHA'} at pipeline ${o.pipeline}, ${o.requests} requests, -r ${o.keyspace}; ${pinned ?? 'not pinned'}`);
  const srv = await startServer('cinnabar', 20000, [], ['--cpu-prof', `--cpu-prof-dir=${outDir}`]);
  try {
    let what = ['-t', o.test];
    if (o.script !== null) {
      const load = await runProcess('redis-cli', ['-p', String(srv.port), 'SCRIPT', 'LOAD', o.script], 10_000);
      const sha = load.stdout.trim();
      if (load.code !== 0 || !/^[0-9a-f]{40}$/.test(sha)) throw new Error(`SCRIPT LOAD failed: ${load.stdout}${load.stderr}`);
      what = ['EVALSHA', sha, '1', 'bench:profile:key'];
    }
    const args = ['-p', String(srv.port), '-c', '50', '-P', String(o.pipeline), '-r', String(o.keyspace), '-n', String(o.requests), '--csv', ...what];
    for (const phase of ['first run (fills the keyspace, warms the JIT)', 'second run']) {
      const r = await runProcess(REDIS_BENCHMARK, args, 600_000);
      if (r.code !== 0 || r.timedOut) throw new Error(`redis-benchmark (${phase}) failed: ${r.stderr || r.stdout}`);
      const last = r.stdout.trim().split('\n').pop() ?? '';
      log(`${phase}: ${last}`);
    }
  } finally {
    await srv.stop();
  }
  const written = fs.readdirSync(outDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (written.length === 0) throw new Error(`no .cpuprofile written to ${outDir} (server output: ${srv.output().slice(-500)})`);
  const file = path.join(outDir, written[0]!);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`## cinnabar-server profile: ${o.script === null ? o.test : `EVALSHA of ${o.script}`}, pipeline ${o.pipeline}\n\n${summarize(profile, o.top)}\n\nProfile: ${file}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`[profile] fatal: ${errMsg(e)}\n`);
    process.exit(1);
  },
);
