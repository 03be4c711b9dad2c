/**
 * Throughput: redis-benchmark against Cinnabar and redis-server, one
 * redis-benchmark process per (test, pipeline, server, round) so that a test
 * the server rejects ("Error from server", which makes redis-benchmark exit)
 * is reported per test instead of aborting the whole run.
 *
 * Procedure:
 *  1. Calibration (also JIT warm-up for Cinnabar): a short run with a fixed
 *     -n per (test, pipeline, server). Its rate sets -n for the first timed
 *     round so that it takes about `targetSec`; each later round's -n follows
 *     the previous round's rate (machine load drifts). Calibration is discarded.
 *  2. Rounds: for each round, for each test and pipeline depth, both servers
 *     back to back; the server that goes first alternates between rounds
 *     (A B, B A, ...) so machine drift hits both equally.
 *  3. Per cell: median over rounds of ops/s, p50 and p99; the ratio is the
 *     median of the per-round Cinnabar/Redis ratios (paired by round).
 */
import {
  KINDS,
  errLabel,
  errMsg,
  REDIS_BENCHMARK,
  type Server,
  type ServerKind,
  fmtInt,
  fmtNum,
  fmtRatio,
  log,
  markdownTable,
  median,
  oneLine,
  readCpuSeconds,
  runProcess,
  startServer,
} from './lib.js';

export interface TestSpec {
  /** Name used in tables and JSON. */
  id: string;
  /** redis-benchmark -t value. */
  t: string;
  /** Test name in redis-benchmark's CSV output. */
  csvName: string;
}

/** Tests in redis-benchmark's own order; `-t ping` would run both PING variants. */
export const TESTS: readonly TestSpec[] = [
  { id: 'PING_INLINE', t: 'ping_inline', csvName: 'PING_INLINE' },
  { id: 'PING_MBULK', t: 'ping_mbulk', csvName: 'PING_MBULK' },
  { id: 'SET', t: 'set', csvName: 'SET' },
  { id: 'GET', t: 'get', csvName: 'GET' },
  { id: 'INCR', t: 'incr', csvName: 'INCR' },
  { id: 'LPUSH', t: 'lpush', csvName: 'LPUSH' },
  { id: 'RPOP', t: 'rpop', csvName: 'RPOP' },
  { id: 'SADD', t: 'sadd', csvName: 'SADD' },
  { id: 'HSET', t: 'hset', csvName: 'HSET' },
  { id: 'ZADD', t: 'zadd', csvName: 'ZADD' },
  { id: 'MSET (10 keys)', t: 'mset', csvName: 'MSET (10 keys)' },
  { id: 'LRANGE_100', t: 'lrange_100', csvName: 'LRANGE_100 (first 100 elements)' },
];

export interface ThroughputConfig {
  clients: number;
  pipelines: number[];
  rounds: number;
  /** Target duration of one timed round, seconds. */
  targetSec: number;
  /** Calibration -n per pipeline depth. */
  calibrationN: Record<number, number>;
  /** redis-benchmark -r (random keys/members in [0, keyspace)). */
  keyspace: number;
  minN: number;
  maxN: number;
  /** Only these test ids (lower-case redis-benchmark -t names); empty = all. */
  only: string[];
}

export interface BenchSample {
  n: number;
  rps: number;
  avgMs: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Wall time of the redis-benchmark process, seconds. */
  wallSec: number;
  /** CPU seconds the server process used during the run. */
  serverCpuSec: number | null;
  /** Server CPU microseconds per request. */
  serverCpuUsPerOp: number | null;
}

export type CellStatus = 'ok' | 'error' | 'timeout' | 'crashed' | 'failed';

export interface Cell {
  status: CellStatus;
  error: string | null;
  calibration: BenchSample | null;
  /** -n used for the timed rounds. */
  n: number | null;
  rounds: Array<BenchSample | null>;
  median: { rps: number | null; p50Ms: number | null; p99Ms: number | null; serverCpuUsPerOp: number | null };
}

export interface ThroughputRow {
  test: string;
  t: string;
  pipeline: number;
  cinnabar: Cell;
  redis: Cell;
  /** Median of per-round Cinnabar/Redis ops/s ratios. */
  ratio: number | null;
  /** Ratio of the medians (for reference). */
  ratioOfMedians: number | null;
  /** Per-round Cinnabar/Redis ratios (spread = noise). */
  roundRatios: number[];
}

export interface ThroughputResult {
  config: ThroughputConfig & { command: string };
  rows: ThroughputRow[];
  serverRestarts: string[];
  wallSec: number;
}

function newCell(): Cell {
  return {
    status: 'ok',
    error: null,
    calibration: null,
    n: null,
    rounds: [],
    median: { rps: null, p50Ms: null, p99Ms: null, serverCpuUsPerOp: null },
  };
}

type RunOutcome = { ok: true; sample: BenchSample } | { ok: false; status: CellStatus; error: string };

/** Parse redis-benchmark --csv output and pick the row for `csvName`. */
export function parseCsv(stdout: string, csvName: string): Omit<BenchSample, 'n' | 'wallSec' | 'serverCpuSec' | 'serverCpuUsPerOp'> | null {
  let header: string[] | null = null;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('"')) continue;
    const cells = line.split('","').map((c) => c.replace(/^"|"$/g, ''));
    if (cells[0] === 'test') {
      header = cells;
      continue;
    }
    if (header === null || cells[0] !== csvName) continue;
    const col = (name: string): number => {
      const i = header!.indexOf(name);
      return i < 0 ? NaN : Number(cells[i]);
    };
    const out = {
      rps: col('rps'),
      avgMs: col('avg_latency_ms'),
      minMs: col('min_latency_ms'),
      p50Ms: col('p50_latency_ms'),
      p95Ms: col('p95_latency_ms'),
      p99Ms: col('p99_latency_ms'),
      maxMs: col('max_latency_ms'),
    };
    if (!Number.isFinite(out.rps) || out.rps <= 0) return null;
    return out;
  }
  return null;
}

class Pair {
  readonly restarts: string[] = [];
  readonly servers: Partial<Record<ServerKind, Server>> = {};

  /** The live server of `kind`: started on first use, restarted if it crashed. Throws if it cannot start. */
  async get(kind: ServerKind, context: string): Promise<Server> {
    const s = this.servers[kind];
    if (s !== undefined && s.alive) return s;
    if (s !== undefined) {
      const msg = `${kind} was not running before ${context} (crashed earlier); restarting. Output tail: ${s.output().slice(-500)}`;
      log(oneLine(msg, 300));
      this.restarts.push(msg);
      await s.stop();
      delete this.servers[kind];
    }
    const fresh = await startServer(kind);
    this.servers[kind] = fresh;
    return fresh;
  }

  async stop(): Promise<void> {
    await Promise.all(KINDS.map((k) => this.servers[k]?.stop()));
  }
}

async function runOnce(
  srv: Server,
  test: TestSpec,
  pipeline: number,
  n: number,
  cfg: ThroughputConfig,
  timeoutMs: number,
): Promise<RunOutcome> {
  const args = [
    '-h', srv.host,
    '-p', String(srv.port),
    '-c', String(cfg.clients),
    '-n', String(n),
    '-P', String(pipeline),
    '-r', String(cfg.keyspace),
    '-t', test.t,
    '--csv',
  ];
  const cpu0 = readCpuSeconds(srv.pid);
  const res = await runProcess(REDIS_BENCHMARK, args, timeoutMs);
  const cpu1 = readCpuSeconds(srv.pid);
  const parsed = parseCsv(res.stdout, test.csvName);
  const alive = srv.alive;
  if (parsed !== null && res.code === 0 && alive) {
    const serverCpuSec = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
    return {
      ok: true,
      sample: {
        n,
        ...parsed,
        wallSec: res.wallMs / 1000,
        serverCpuSec,
        serverCpuUsPerOp: serverCpuSec === null ? null : (serverCpuSec * 1e6) / n,
      },
    };
  }
  const all = `${res.stdout}\n${res.stderr}`;
  const srvErr = /Error from server: ?(.*)/.exec(all);
  if (!alive) return { ok: false, status: 'crashed', error: `server exited during the run; output tail: ${srv.output().slice(-400)}` };
  if (res.timedOut) return { ok: false, status: 'timeout', error: `redis-benchmark killed after ${timeoutMs} ms deadline` };
  if (srvErr) return { ok: false, status: 'error', error: srvErr[1]!.trim() };
  if (res.spawnError !== null) return { ok: false, status: 'failed', error: `spawn: ${res.spawnError}` };
  const tailOut = all.trim().split('\n').slice(-3).join(' / ');
  return { ok: false, status: 'failed', error: `redis-benchmark exit ${res.code ?? res.signal}: ${tailOut || '(no output)'}` };
}

function chooseN(calRps: number, cfg: ThroughputConfig, pipeline: number): number {
  const raw = calRps * cfg.targetSec;
  const minN = Math.max(cfg.minN, cfg.clients * pipeline * 4);
  const clamped = Math.min(cfg.maxN, Math.max(minN, raw));
  // Two significant digits.
  const mag = 10 ** Math.max(0, Math.floor(Math.log10(clamped)) - 1);
  return Math.round(clamped / mag) * mag;
}

function finishCell(c: Cell): void {
  const ok = c.rounds.filter((s): s is BenchSample => s !== null);
  c.median = {
    rps: median(ok.map((s) => s.rps)),
    p50Ms: median(ok.map((s) => s.p50Ms)),
    p99Ms: median(ok.map((s) => s.p99Ms)),
    serverCpuUsPerOp: median(ok.map((s) => s.serverCpuUsPerOp).filter((x): x is number => x !== null)),
  };
}

export async function runThroughput(cfg: ThroughputConfig): Promise<ThroughputResult> {
  const t0 = performance.now();
  const tests = cfg.only.length === 0 ? TESTS : TESTS.filter((t) => cfg.only.includes(t.t));
  const pair = new Pair();
  /** Start errors per kind: a server that cannot start fails its cells without retrying every test. */
  const startError: Partial<Record<ServerKind, string>> = {};
  const getServer = async (kind: ServerKind, context: string): Promise<Server | string> => {
    const prev = startError[kind];
    if (prev !== undefined) return prev;
    try {
      return await pair.get(kind, context);
    } catch (e) {
      const msg = errMsg(e);
      startError[kind] = msg;
      log(`${kind}: ${oneLine(msg, 300)}`);
      return msg;
    }
  };
  const rows: ThroughputRow[] = [];
  try {
    for (const test of tests) {
      for (const pipeline of cfg.pipelines) {
        rows.push({
          test: test.id,
          t: test.t,
          pipeline,
          cinnabar: newCell(),
          redis: newCell(),
          ratio: null,
          ratioOfMedians: null,
          roundRatios: [],
        });
      }
    }
    const cellOf = (row: ThroughputRow, kind: ServerKind): Cell => row[kind];
    const specOf = (row: ThroughputRow): TestSpec => tests.find((t) => t.t === row.t)!;

    // 1. Calibration / warm-up.
    for (const row of rows) {
      for (const kind of KINDS) {
        const cell = cellOf(row, kind);
        const srv = await getServer(kind, `${row.test} P${row.pipeline} calibration`);
        if (typeof srv === 'string') {
          cell.status = 'failed';
          cell.error = srv;
          continue;
        }
        const calN = cfg.calibrationN[row.pipeline] ?? 10000;
        const out = await runOnce(srv, specOf(row), row.pipeline, calN, cfg, 90000);
        if (out.ok) {
          cell.calibration = out.sample;
          cell.n = chooseN(out.sample.rps, cfg, row.pipeline);
          log(`calibrate ${kind.padEnd(8)} ${row.test} P${row.pipeline}: ${fmtInt(out.sample.rps)} ops/s -> -n ${cell.n}`);
        } else {
          cell.status = out.status;
          cell.error = out.error;
          log(`calibrate ${kind.padEnd(8)} ${row.test} P${row.pipeline}: ${out.status.toUpperCase()} ${oneLine(out.error)}`);
        }
      }
    }

    // 2. Timed rounds, interleaved.
    for (let r = 0; r < cfg.rounds; r++) {
      const order: ServerKind[] = r % 2 === 0 ? ['cinnabar', 'redis'] : ['redis', 'cinnabar'];
      for (const row of rows) {
        const parts: string[] = [];
        for (const kind of order) {
          const cell = cellOf(row, kind);
          if (cell.status !== 'ok' || cell.n === null || cell.calibration === null) {
            cell.rounds.push(null);
            continue;
          }
          const srv = await getServer(kind, `${row.test} P${row.pipeline} round ${r + 1}`);
          if (typeof srv === 'string') {
            cell.rounds.push(null);
            cell.status = 'failed';
            cell.error = srv;
            continue;
          }
          const lastRps = cell.rounds.reduce<number>((acc, x) => (x !== null ? x.rps : acc), cell.calibration.rps);
          const expectedMs = (cell.n / Math.min(lastRps, cell.calibration.rps)) * 1000;
          const out = await runOnce(srv, specOf(row), row.pipeline, cell.n, cfg, Math.max(30000, expectedMs * 10 + 10000));
          if (out.ok) {
            cell.rounds.push(out.sample);
            // Follow the machine's drift: the next round's -n from this round's rate.
            cell.n = chooseN(out.sample.rps, cfg, row.pipeline);
            parts.push(`${kind} ${fmtInt(out.sample.rps)}/s (${out.sample.wallSec.toFixed(2)} s)`);
          } else {
            cell.rounds.push(null);
            cell.status = out.status;
            cell.error = out.error;
            parts.push(`${kind} ${out.status.toUpperCase()}`);
          }
        }
        log(`round ${r + 1}/${cfg.rounds} ${row.test} P${row.pipeline}: ${parts.join(', ')}`);
      }
    }
  } finally {
    await pair.stop();
  }

  for (const row of rows) {
    finishCell(row.cinnabar);
    finishCell(row.redis);
    const paired: number[] = [];
    for (let r = 0; r < cfg.rounds; r++) {
      const a = row.cinnabar.rounds[r];
      const b = row.redis.rounds[r];
      if (a && b) paired.push(a.rps / b.rps);
    }
    row.roundRatios = paired;
    row.ratio = median(paired);
    const mc = row.cinnabar.median.rps;
    const mr = row.redis.median.rps;
    row.ratioOfMedians = mc !== null && mr !== null ? mc / mr : null;
  }
  return {
    config: { ...cfg, command: `${REDIS_BENCHMARK} -c ${cfg.clients} -n <N> -P <P> -r ${cfg.keyspace} -t <test> --csv` },
    rows,
    serverRestarts: pair.restarts,
    wallSec: (performance.now() - t0) / 1000,
  };
}

function cellRps(c: Cell): string {
  if (c.status !== 'ok' && c.median.rps === null) return c.status === 'error' ? errLabel(c.error) : c.status.toUpperCase();
  return fmtInt(c.median.rps);
}

export function throughputMarkdown(res: ThroughputResult): string {
  const rows = res.rows.map((r) => [
    r.test,
    String(r.pipeline),
    cellRps(r.cinnabar),
    cellRps(r.redis),
    fmtRatio(r.ratio),
    r.roundRatios.length > 1 ? `${fmtNum(Math.min(...r.roundRatios))}–${fmtNum(Math.max(...r.roundRatios))}` : '',
    fmtNum(r.cinnabar.median.p50Ms, 3),
    fmtNum(r.cinnabar.median.p99Ms, 3),
    fmtNum(r.redis.median.p50Ms, 3),
    fmtNum(r.redis.median.p99Ms, 3),
    fmtNum(r.cinnabar.median.serverCpuUsPerOp, 2),
    fmtNum(r.redis.median.serverCpuUsPerOp, 2),
  ]);
  const table = markdownTable(
    [
      'test',
      'P',
      'Cinnabar ops/s',
      'Redis ops/s',
      'ratio C/R',
      'round ratios',
      'C p50 ms',
      'C p99 ms',
      'R p50 ms',
      'R p99 ms',
      'C CPU µs/op',
      'R CPU µs/op',
    ],
    rows,
  );
  const groups = new Map<string, number[]>();
  for (const r of res.rows) {
    for (const k of KINDS) {
      if (r[k].error === null) continue;
      const key = `${r.test} — ${k}: ${r[k].status}: ${oneLine(r[k].error ?? '')}`;
      const ps = groups.get(key) ?? [];
      ps.push(r.pipeline);
      groups.set(key, ps);
    }
  }
  const errors = [...groups].map(([key, ps]) => `- ${key} (P=${ps.join(',')})`);
  return errors.length === 0 ? table : `${table}\n\nFailures:\n${errors.join('\n')}`;
}
