/**
 * Failover time: Cinnabar's sentinel against redis-sentinel, same settings, same
 * machine, same session. `node dist/bench/failover.js [--runs N] [--data redis|cinnabar] [--no-write]`
 *
 * Each run: a primary with two replicas, three sentinels (quorum 2,
 * down-after-milliseconds 1000, failover-timeout 5000), an ioredis client
 * (sentinels:, failoverDetector) writing one key per millisecond. The primary is
 * killed with SIGKILL; measured are the time from the kill to the first write
 * acknowledged through the client (fault-to-first-write) and to the moment every
 * sentinel names the new primary. Median of the runs (default 5) per sentinel
 * kind, and the ratio Cinnabar / redis-sentinel (lower is better).
 *
 * Data nodes are redis-server unless `--data cinnabar` (Cinnabar's own
 * replication); the output says which. Everything started is killed on exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';

import { RespClient, toPlain, type Plain } from '../src/protocol/resp-client.js';
import { REDIS_SERVER, REPO_ROOT, cinnabarBin, errMsg, fmtRatio, freePort, log, markdownTable, median, sleep, withDeadline, type ServerKind } from './lib.js';

interface Options {
  runs: number;
  data: ServerKind;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 5, data: 'redis', write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--data') o.data = argv[++i] === 'cinnabar' ? 'cinnabar' : 'redis';
    else if (a === '--no-write') o.write = false;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---- processes ----------------------------------------------------------------------------

const children = new Set<ChildProcess>();
const dirs: string[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => process.exit(130));
}

interface Proc {
  port: number;
  child: ChildProcess;
}

async function call(port: number, ...args: string[]): Promise<Plain> {
  const c = await RespClient.connect({ host: '127.0.0.1', port, timeoutMs: 2000, commandTimeoutMs: 3000 });
  try {
    return toPlain(await c.call(...args));
  } finally {
    c.destroy();
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Starts redis-server or Cinnabar (optionally on a sentinel config) and waits for PONG. */
async function start(kind: ServerKind, args: string[], conf?: string): Promise<Proc> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cinnabar-bench-failover-${kind}-`));
  dirs.push(dir);
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const pre = conf !== undefined ? [conf] : [];
  const child =
    kind === 'redis'
      ? spawn(REDIS_SERVER, [...pre, ...common, '--daemonize', 'no', '--dir', dir, ...args], { cwd: dir, stdio: 'ignore' })
      : spawn(process.execPath, [cinnabarBin(), ...pre, ...common, ...args], { cwd: dir, stdio: 'ignore' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await waitFor(`${kind} on ${port}`, async () => (await call(port, 'PING')) === 'PONG', 20000);
  return { port, child };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGKILL');
  await withDeadline(exited, 5000, 'process exit').catch(() => {});
}

// ---- one run ------------------------------------------------------------------------------

interface RunResult {
  firstWriteMs: number;
  switchMs: number;
}

async function masterPortOf(port: number): Promise<number | null> {
  try {
    const r = await call(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster');
    return Array.isArray(r) ? Number(r[1]) : null;
  } catch {
    return null;
  }
}

async function oneRun(sentinelKind: ServerKind, data: ServerKind): Promise<RunResult> {
  const procs: Proc[] = [];
  let io: Redis | null = null;
  let writing = true;
  try {
    // Full syncs start at once (no 5 s wait for more replicas), for both kinds.
    const dataArgs = ['--repl-diskless-sync-delay', '0'];
    const primary = await start(data, dataArgs);
    procs.push(primary);
    for (let i = 0; i < 2; i++) procs.push(await start(data, [...dataArgs, '--replicaof', '127.0.0.1', String(primary.port)]));
    for (const r of procs.slice(1)) {
      await waitFor('replica link', async () => /master_link_status:up/.test(String(await call(r.port, 'INFO', 'replication'))), 20000);
    }
    const sentinels: Proc[] = [];
    for (let i = 0; i < 3; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-bench-sentinel-conf-'));
      dirs.push(dir);
      const conf = path.join(dir, 'sentinel.conf');
      fs.writeFileSync(
        conf,
        `sentinel monitor mymaster 127.0.0.1 ${primary.port} 2\nsentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 5000\n`,
      );
      const s = await start(sentinelKind, ['--sentinel'], conf);
      sentinels.push(s);
      procs.push(s);
    }
    for (const s of sentinels) {
      await waitFor(
        'sentinel discovery',
        async () => {
          const m = (await call(s.port, 'SENTINEL', 'MASTER', 'mymaster')) as string[];
          const f: Record<string, string> = {};
          for (let i = 0; i + 1 < m.length; i += 2) f[m[i]] = m[i + 1];
          return f['num-other-sentinels'] === '2' && f['num-slaves'] === '2';
        },
        20000,
        100,
      );
    }
    const client = new Redis({
      sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      name: 'mymaster',
      maxRetriesPerRequest: null,
      retryStrategy: () => 50,
      sentinelRetryStrategy: () => 50,
      failoverDetector: true,
      disconnectTimeout: 200,
    });
    io = client;
    client.on('error', () => {});
    // ioredis 6.0.0 ends the client when +switch-master arrives during a reconnection
    // attempt; an application reconnects it (same for both sentinel kinds).
    client.on('end', () => {
      if (writing) client.connect().catch(() => {});
    });
    const acked: number[] = [];
    const loop = (async () => {
      for (let i = 0; writing; i++) {
        try {
          await client.set(`k${i}`, String(i));
          acked.push(Date.now());
        } catch {
          // counted as not acknowledged
        }
        await sleep(1);
      }
    })();
    await waitFor('writes', async () => acked.length >= 100, 15000);
    const fault = Date.now();
    const exited = new Promise<void>((r) => primary.child.once('exit', () => r()));
    primary.child.kill('SIGKILL');
    // Writes acknowledged before the old primary is gone (and its last replies
    // read, 50 ms later) do not count as writes on the new primary.
    await withDeadline(exited, 5000, 'primary exit');
    const settled = Date.now() + 50;
    const switchAt = await waitFor(
      'every sentinel to switch',
      async () => {
        const ports = await Promise.all(sentinels.map((s) => masterPortOf(s.port)));
        return ports.every((p) => p !== null && p !== primary.port && p === ports[0]) ? Date.now() : undefined;
      },
      60000,
      20,
    );
    const first = await waitFor('first write on the new primary', async () => acked.find((t) => t > settled), 60000, 10);
    writing = false;
    await withDeadline(loop, 5000, 'writer').catch(() => {});
    return { firstWriteMs: first - fault, switchMs: switchAt - fault };
  } finally {
    writing = false;
    io?.disconnect();
    await Promise.all(procs.map(stop));
  }
}

// ---- main ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  log(`failover bench: ${o.runs} run(s) per sentinel kind, data nodes: ${o.data === 'redis' ? 'redis-server' : 'Cinnabar'}`);
  const results: Record<string, RunResult[]> = { cinnabar: [], redis: [] };
  // Interleaved, so both kinds see the same machine load over time.
  for (let run = 0; run < o.runs; run++) {
    for (const kind of ['cinnabar', 'redis'] as ServerKind[]) {
      try {
        const r = await oneRun(kind, o.data);
        results[kind].push(r);
        log(`${kind} sentinel, run ${run + 1}: fault-to-first-write ${r.firstWriteMs} ms, all sentinels switched ${r.switchMs} ms`);
      } catch (e) {
        log(`${kind} sentinel, run ${run + 1} failed: ${errMsg(e)}`);
      }
    }
  }
  const med = (k: string, f: keyof RunResult): number | null => median(results[k].map((r) => r[f]));
  const fmt = (n: number | null): string => (n === null ? 'n/a' : String(Math.round(n)));
  const rows = (['cinnabar', 'redis'] as const).map((k) => [
    k === 'cinnabar' ? 'Cinnabar sentinel' : 'redis-sentinel 7.0',
    String(results[k].length),
    fmt(med(k, 'firstWriteMs')),
    results[k].map((r) => r.firstWriteMs).join(', '),
    fmt(med(k, 'switchMs')),
  ]);
  const ratio = (() => {
    const a = med('cinnabar', 'firstWriteMs');
    const b = med('redis', 'firstWriteMs');
    return a !== null && b !== null && b > 0 ? a / b : null;
  })();
  const table = markdownTable(['sentinel', 'runs', 'median fault-to-first-write (ms)', 'each run (ms)', 'median all-sentinels-switched (ms)'], rows);
  const dataNote = `Data nodes: ${o.data === 'redis' ? 'redis-server 7.0 (Cinnabar replication not used)' : 'Cinnabar'}; down-after-milliseconds 1000, failover-timeout 5000, quorum 2 of 3; client ioredis (failoverDetector).`;
  process.stdout.write(`\n## Failover (kill -9 of the primary)\n\n${dataNote}\n\n${table}\n\nCinnabar / redis-sentinel (fault-to-first-write): ${fmtRatio(ratio)}\n`);
  if (o.write) {
    const out = path.join(REPO_ROOT, 'bench', 'results', `${new Date().toISOString().replace(/:/g, '-').slice(0, 19)}Z-failover.json`);
    fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), host: os.hostname(), cpus: os.cpus().length, data: o.data, runs: o.runs, results }, null, 2) + '\n');
    log(`wrote ${out}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`failover bench failed: ${errMsg(e)}\n`);
    process.exit(1);
  },
);
