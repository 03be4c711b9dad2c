/**
 * The data types of issue 16 against redis-server, in the same run:
 *
 *   - XADD, PFADD, PFCOUNT (one key, cached; three keys, merged), GEOSEARCH:
 *     redis-benchmark with the command given on its command line, pipeline 1,
 *     50 clients, random members from a keyspace of 100000;
 *   - XREADGROUP + XACK: 50 connections of this process, each reading one entry
 *     with XREADGROUP ... COUNT 1 and acknowledging it with XACK before the next
 *     read (pipeline 1), from a stream filled beforehand. Pairs per second. The
 *     load generator is the same code for both servers; its own CPU is printed,
 *     so a client-bound run shows.
 *
 * Servers are pinned to CPU 1.. and the load generators to CPU 0 (as `npm run
 * bench` pins), every round measures both servers back to back with the first one
 * alternating, and the ratio given is the median of the per-round Cinnabar/Redis
 * ratios. Server CPU per operation (from /proc) is given beside it: at pipeline 1 the
 * load generator on its one CPU can be the limit, and then the throughput ratio
 * understates the difference. Targets (issue 16): XADD and XREADGROUP+XACK >= 0.8x, PFADD and PFCOUNT
 * >= 0.8x, GEOSEARCH >= 0.8x.
 *
 *   node dist/bench/datatypes.js [--rounds 5] [--n 100000] [--no-pin] [--only NAME-SUBSTRING]
 */
import { performance } from 'node:perf_hooks';
import { RespClient } from '../src/protocol/resp-client.js';
import { REDIS_BENCHMARK, fmtInt, fmtRatio, installCleanupHandlers, log, markdownTable, median, pinCpus, readCpuSeconds, runProcess, startServer, type Server, type ServerKind } from './lib.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const ROUNDS = arg('--rounds', 5);
const N = arg('--n', 100_000);
const CLIENTS = 50;
const KEYSPACE = 100_000;
/** Points in the geo set GEOSEARCH runs against, spread over about 1° around the centre. */
const GEO_POINTS = 10_000;
/** Entries XREADGROUP+XACK consumes per round (the stream is refilled before each). */
const XRG_PAIRS = Math.min(N, 50_000);
/** Deadline of one redis-benchmark run. */
const RUN_TIMEOUT_MS = 300_000;

interface BenchCmd {
  name: string;
  argv: string[];
}

const CMDS: BenchCmd[] = [
  { name: 'XADD', argv: ['XADD', 'bench:stream', '*', 'field', '__rand_int__'] },
  { name: 'PFADD', argv: ['PFADD', 'bench:hll', '__rand_int__'] },
  { name: 'PFCOUNT (1 key)', argv: ['PFCOUNT', 'bench:hll'] },
  { name: 'PFCOUNT (3 keys)', argv: ['PFCOUNT', 'bench:hll', 'bench:hll2', 'bench:hll3'] },
  { name: 'GEOSEARCH (5 km, COUNT 10)', argv: ['GEOSEARCH', 'bench:geo', 'FROMLONLAT', '13.4', '52.5', 'BYRADIUS', '5', 'km', 'COUNT', '10', 'ASC'] },
];

async function rpsOf(srv: Server, argv: string[]): Promise<number> {
  const args = ['-h', srv.host, '-p', String(srv.port), '-c', String(CLIENTS), '-n', String(N), '-r', String(KEYSPACE), '--csv', ...argv];
  const res = await runProcess(REDIS_BENCHMARK, args, RUN_TIMEOUT_MS);
  const m = /^"[^"]*","([0-9.]+)"/m.exec(res.stdout.split('\n').filter((l) => !l.startsWith('"test"')).join('\n'));
  if (!m) throw new Error(`redis-benchmark ${argv.join(' ')} on ${srv.kind}: ${res.stdout.slice(-300)} ${res.stderr.slice(-300)}`);
  return Number(m[1]);
}

async function prepare(srv: Server): Promise<void> {
  const c = await RespClient.connect({ host: srv.host, port: srv.port, timeoutMs: 5000 });
  try {
    const batch: string[][] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const replies = await c.pipeline(batch.splice(0));
      for (const r of replies) if (r.t === 'err') throw new Error(`${srv.kind}: ${r.v}`);
    };
    // Three HLLs for PFCOUNT, dense (20k members each) so the counts do real work.
    for (const k of ['bench:hll', 'bench:hll2', 'bench:hll3']) {
      for (let i = 0; i < 20_000; i += 500) {
        batch.push(['PFADD', k, ...Array.from({ length: 500 }, (_, j) => `${k}:${i + j}`)]);
        if (batch.length >= 20) await flush();
      }
    }
    // A deterministic spread of points around (13.4, 52.5).
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < GEO_POINTS; i += 500) {
      const args = ['GEOADD', 'bench:geo'];
      for (let j = 0; j < 500; j++) args.push((12.9 + rnd()).toFixed(6), (52.0 + rnd()).toFixed(6), `p${i + j}`);
      batch.push(args);
      if (batch.length >= 20) await flush();
    }
    await flush();
  } finally {
    c.destroy();
  }
}

/** Fills bench:xrg with `n` entries and (re)creates group g at 0. */
async function fillStream(srv: Server, n: number): Promise<void> {
  const c = await RespClient.connect({ host: srv.host, port: srv.port, timeoutMs: 5000 });
  try {
    await c.call('DEL', 'bench:xrg');
    for (let i = 0; i < n; i += 1000) {
      const cmds: string[][] = [];
      for (let j = i; j < Math.min(n, i + 1000); j++) cmds.push(['XADD', 'bench:xrg', '*', 'job', String(j)]);
      await c.pipeline(cmds);
    }
    const r = await c.call('XGROUP', 'CREATE', 'bench:xrg', 'g', '0');
    if (r.t === 'err') throw new Error(`${srv.kind}: ${r.v}`);
  } finally {
    c.destroy();
  }
}

/** XREADGROUP + XACK pairs per second over CLIENTS connections; also the load generator's CPU share. */
async function xreadgroupAck(srv: Server): Promise<{ rps: number; clientCpu: number }> {
  await fillStream(srv, XRG_PAIRS);
  const conns = await Promise.all(Array.from({ length: CLIENTS }, () => RespClient.connect({ host: srv.host, port: srv.port, timeoutMs: 5000 })));
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await Promise.all(
      conns.map(async (c, i) => {
        for (;;) {
          const r = await c.call('XREADGROUP', 'GROUP', 'g', `c${i}`, 'COUNT', '1', 'STREAMS', 'bench:xrg', '>');
          if (r.t === 'err') throw new Error(`${srv.kind} XREADGROUP: ${r.v}`);
          if (r.t !== 'array' || r.v === null) return; // nil: the stream is consumed
          const id = idOf(r);
          if (id === null) throw new Error(`${srv.kind} XREADGROUP: unexpected reply ${JSON.stringify(r).slice(0, 200)}`);
          const a = await c.call('XACK', 'bench:xrg', 'g', id);
          if (a.t !== 'int' || a.v !== 1n) throw new Error(`${srv.kind} XACK ${id}: ${JSON.stringify(a)}`);
          done++;
        }
      }),
    );
  } finally {
    for (const c of conns) c.destroy();
  }
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (done !== XRG_PAIRS) throw new Error(`${srv.kind}: ${done} entries acknowledged, ${XRG_PAIRS} expected`);
  return { rps: done / sec, clientCpu: (cpu.user + cpu.system) / 1e6 / sec };
}

/** The entry ID in an XREADGROUP reply: [[key, [[id, fields]]]]. */
function idOf(r: unknown): string | null {
  const at = (x: unknown, i: number): unknown => (x !== null && typeof x === 'object' && (x as { t?: string }).t === 'array' ? (((x as { v: unknown[] | null }).v?.[i] ?? null)) : null);
  const id = at(at(at(at(r, 0), 1), 0), 0) as { t?: string; v?: unknown } | null;
  if (id === null || (id.t !== 'bulk' && id.t !== 'simple')) return null;
  const v = id.v;
  return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : null;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const pin = process.argv.includes('--no-pin') ? null : pinCpus();
  log(pin ?? 'not pinned');
  const servers = new Map<ServerKind, Server>();
  for (const kind of ['redis', 'cinnabar'] as const) servers.set(kind, await startServer(kind));
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').toUpperCase() : '';
  const names = [...CMDS.map((c) => c.name), 'XREADGROUP + XACK'].filter((n) => only === '' || n.toUpperCase().includes(only));
  const rates = new Map<string, Map<ServerKind, number[]>>(names.map((n) => [n, new Map([['redis', []], ['cinnabar', []]])]));
  const ratios = new Map<string, number[]>(names.map((n) => [n, []]));
  const clientCpu: number[] = [];
  /** Server CPU µs per operation (user + system from /proc): it shows what a client-bound run hides. */
  const cpuPerOp = new Map<string, Map<ServerKind, number[]>>(names.map((n) => [n, new Map([['redis', []], ['cinnabar', []]])]));
  try {
    for (const srv of servers.values()) await prepare(srv);
    for (const srv of servers.values()) for (const cmd of CMDS) if (names.includes(cmd.name)) await rpsOf(srv, cmd.argv); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      const order: ServerKind[] = round % 2 === 0 ? ['redis', 'cinnabar'] : ['cinnabar', 'redis'];
      for (const name of names) {
        const got = new Map<ServerKind, number>();
        for (const kind of order) {
          const srv = servers.get(kind)!;
          const cpu0 = readCpuSeconds(srv.pid);
          let rps: number;
          if (name === 'XREADGROUP + XACK') {
            const r = await xreadgroupAck(srv);
            rps = r.rps;
            clientCpu.push(r.clientCpu);
          } else {
            rps = await rpsOf(srv, CMDS.find((c) => c.name === name)!.argv);
          }
          const cpu1 = readCpuSeconds(srv.pid);
          got.set(kind, rps);
          if (cpu0 !== null && cpu1 !== null) {
            const ops = name === 'XREADGROUP + XACK' ? XRG_PAIRS : N;
            cpuPerOp.get(name)!.get(kind)!.push(((cpu1 - cpu0) * 1e6) / ops);
          }
          rates.get(name)!.get(kind)!.push(rps);
          log(`round ${round + 1} ${name} ${kind}: ${fmtInt(rps)}/s${cpu0 !== null && cpu1 !== null ? ` (server cpu ${(cpu1 - cpu0).toFixed(2)} s)` : ''}`);
        }
        ratios.get(name)!.push(got.get('cinnabar')! / got.get('redis')!);
      }
    }
  } finally {
    for (const s of servers.values()) await s.stop();
  }
  const us = (n: string, k: ServerKind): number | null => median(cpuPerOp.get(n)!.get(k)!);
  const rows = names.map((n) => {
    const [uc, ur] = [us(n, 'cinnabar'), us(n, 'redis')];
    return [n, fmtInt(median(rates.get(n)!.get('cinnabar')!)), fmtInt(median(rates.get(n)!.get('redis')!)), fmtRatio(median(ratios.get(n)!)), uc?.toFixed(1) ?? '-', ur?.toFixed(1) ?? '-', uc !== null && ur !== null ? fmtRatio(ur / uc) : '-'];
  });
  process.stdout.write(
    `\nData types, pipeline 1, ${CLIENTS} clients, ${ROUNDS} rounds (median), ${pin ?? 'not pinned'}\n\n` +
      markdownTable(['command', 'Cinnabar ops/s', 'redis-server ops/s', 'ratio', 'Cinnabar CPU µs/op', 'redis CPU µs/op', 'CPU ratio (redis/ours)'], rows) +
      (clientCpu.length > 0 ? `\n\nXREADGROUP + XACK load generator CPU: median ${(median(clientCpu) ?? 0).toFixed(2)} of one core` : '') +
      '\n',
  );
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
