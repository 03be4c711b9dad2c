/**
 * Replication bench: SET throughput of a primary with 0, 1 and 2 replicas
 * attached (redis-benchmark, 50 clients, pipeline 1), for Cinnabar and for
 * redis-server in the same setup (replicas of the same kind as their primary),
 * printed as ops/s and Cinnabar/Redis ratios. After each run the replicas must
 * have caught up (their offset equals the primary's), and the time that took is
 * reported too.
 *
 *   node dist/bench/replication.js [--n 200000] [--rounds 3] [--clients 50] [--pipeline 1] [--json out.json]
 *
 * Rounds alternate which server kind goes first (machine drift hits both); each
 * cell is the median over rounds, the ratio the median of per-round ratios.
 */
import * as fs from 'node:fs';
import {
  REDIS_BENCHMARK,
  errMsg,
  fmtInt,
  fmtNum,
  fmtRatio,
  info,
  installCleanupHandlers,
  connect,
  log,
  markdownTable,
  median,
  runProcess,
  sleep,
  startServer,
  type Server,
  type ServerKind,
} from './lib.js';
import { parseCsv } from './throughput.js';

interface Options {
  n: number;
  rounds: number;
  clients: number;
  pipeline: number;
  json: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { n: 200000, rounds: 3, clients: 50, pipeline: 1, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--n') o.n = Number(v);
    else if (a === '--rounds') o.rounds = Number(v);
    else if (a === '--clients') o.clients = Number(v);
    else if (a === '--pipeline') o.pipeline = Number(v);
    else if (a === '--json') o.json = v ?? null;
    else throw new Error(`unknown option ${a}`);
    i++;
  }
  return o;
}

const REPLICA_COUNTS = [0, 1, 2] as const;
const KINDS: readonly ServerKind[] = ['cinnabar', 'redis'];
/** Deadline for replicas to connect and catch up. */
const SYNC_DEADLINE_MS = 60000;

interface Sample {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Time from the end of the run until every replica's offset equalled the primary's. */
  catchUpMs: number;
}

async function offsets(srv: Server): Promise<{ primary: number; replicas: number[] }> {
  const c = await connect(srv);
  try {
    const m = await info(c, 'replication');
    if (m === null) throw new Error('INFO failed');
    const replicas: number[] = [];
    for (const [k, v] of m) {
      if (!/^slave\d+$/.test(k)) continue;
      const state = /state=(\w+)/.exec(v)?.[1];
      const off = Number(/offset=(\d+)/.exec(v)?.[1]);
      replicas.push(state === 'online' ? off : -1);
    }
    return { primary: Number(m.get('master_repl_offset')), replicas };
  } finally {
    c.destroy();
  }
}

/** Waits until `count` replicas are online and acknowledged the primary's offset; returns the ms it took. */
async function waitCaughtUp(primary: Server, count: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const o = await offsets(primary);
    if (o.replicas.length >= count && o.replicas.every((x) => x >= o.primary)) return Date.now() - t0;
    if (Date.now() - t0 > SYNC_DEADLINE_MS) throw new Error(`replicas did not catch up: ${JSON.stringify(o)}`);
    await sleep(20);
  }
}

async function runOnce(kind: ServerKind, replicas: number, opts: Options): Promise<Sample> {
  const started: Server[] = [];
  try {
    const primary = await startServer(kind, 20000, ['--repl-diskless-sync-delay', '0']);
    started.push(primary);
    for (let i = 0; i < replicas; i++) {
      started.push(await startServer(kind, 20000, ['--replicaof', '127.0.0.1', String(primary.port)]));
    }
    await waitCaughtUp(primary, replicas);
    const args = ['-h', '127.0.0.1', '-p', String(primary.port), '-c', String(opts.clients), '-P', String(opts.pipeline), '-n', String(opts.n), '-r', '100000', '-t', 'set', '--csv'];
    const res = await runProcess(REDIS_BENCHMARK, args, 300000);
    const parsed = parseCsv(res.stdout, 'SET');
    if (parsed === null) throw new Error(`redis-benchmark failed: ${res.stdout.slice(-300)} ${res.stderr.slice(-300)}`);
    const catchUpMs = replicas > 0 ? await waitCaughtUp(primary, replicas) : 0;
    return { rps: parsed.rps, p50Ms: parsed.p50Ms, p99Ms: parsed.p99Ms, catchUpMs };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const opts = parseArgs(process.argv.slice(2));
  const samples = new Map<string, Sample[]>();
  const ratios = new Map<number, number[]>();
  for (let round = 0; round < opts.rounds; round++) {
    for (const replicas of REPLICA_COUNTS) {
      const order = round % 2 === 0 ? KINDS : [...KINDS].reverse();
      const got: Partial<Record<ServerKind, Sample>> = {};
      for (const kind of order) {
        try {
          const s = await runOnce(kind, replicas, opts);
          got[kind] = s;
          const key = `${kind}/${replicas}`;
          samples.set(key, [...(samples.get(key) ?? []), s]);
          log(`round ${round + 1}: ${kind} with ${replicas} replica(s): ${fmtInt(s.rps)} SET/s, p99 ${fmtNum(s.p99Ms)} ms, caught up in ${s.catchUpMs} ms`);
        } catch (e) {
          log(`round ${round + 1}: ${kind} with ${replicas} replica(s) failed: ${errMsg(e)}`);
        }
      }
      if (got.cinnabar && got.redis) ratios.set(replicas, [...(ratios.get(replicas) ?? []), got.cinnabar.rps / got.redis.rps]);
    }
  }
  const rows: string[][] = [];
  for (const replicas of REPLICA_COUNTS) {
    const c = samples.get(`cinnabar/${replicas}`) ?? [];
    const r = samples.get(`redis/${replicas}`) ?? [];
    rows.push([
      String(replicas),
      fmtInt(median(c.map((s) => s.rps))),
      fmtInt(median(r.map((s) => s.rps))),
      fmtRatio(median(ratios.get(replicas) ?? [])),
      fmtNum(median(c.map((s) => s.p99Ms))),
      fmtNum(median(r.map((s) => s.p99Ms))),
      fmtInt(median(c.map((s) => s.catchUpMs))),
      fmtInt(median(r.map((s) => s.catchUpMs))),
    ]);
  }
  const header = ['replicas', 'Cinnabar SET/s', 'Redis SET/s', 'ratio', 'Cinnabar p99 ms', 'Redis p99 ms', 'Cinnabar catch-up ms', 'Redis catch-up ms'];
  process.stdout.write(`\nSET throughput, ${opts.clients} clients, pipeline ${opts.pipeline}, ${opts.n} requests, median of ${opts.rounds} round(s)\n\n`);
  process.stdout.write(markdownTable(header, rows) + '\n');
  if (opts.json !== null) {
    fs.writeFileSync(opts.json, JSON.stringify({ opts, samples: Object.fromEntries(samples), ratios: Object.fromEntries(ratios) }, null, 2));
  }
}

main().catch((e) => {
  process.stderr.write(`${errMsg(e)}\n`);
  process.exit(1);
});
