/**
 * GET latency under a background write load.
 *
 * For each server: `connections` raw TCP connections each run GET on random
 * pre-loaded keys in a closed loop (one request outstanding per connection);
 * every request's latency (send -> complete reply) is recorded in a
 * log-bucket histogram (bench/lib.ts LogHistogram, <= 1.6 % bucket error),
 * which gives p50/p99/p99.9. Meanwhile a worker thread (bench/write-load.ts)
 * runs SET/LPUSH/HSET/ZADD in a closed loop on its own connection.
 *
 * Segments alternate between the servers (A B, B A, ...); each has a warm-up
 * that is not recorded, then a timed window. Histograms are merged per server.
 * Only requests *sent* inside the window are recorded.
 *
 * The client is Node (this process) and shares the 2 cores with the server
 * and the writer thread: absolute figures include client overhead, equally
 * for both servers. Being a closed loop, a slower server is also measured at
 * a lower request rate; the GET ops/s column shows the rate achieved.
 */
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';

import { RespReplyParser, encodeCommand } from '../src/protocol/resp-client.js';
import {
  KINDS,
  LogHistogram,
  type Server,
  type ServerKind,
  connect,
  errLabel,
  errMsg,
  fmtInt,
  fmtNum,
  fmtRatio,
  log,
  markdownTable,
  oneLine,
  ratio,
  sleep,
  startServer,
  withDeadline,
} from './lib.js';
import { writeCommand, type WriteLoadData, type WriteLoadReport } from './write-load.js';

export interface LatencyConfig {
  connections: number;
  keys: number;
  rounds: number;
  warmupMs: number;
  measureMs: number;
}

export interface LatencyStats {
  count: number;
  opsPerSec: number | null;
  meanMs: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
}

export interface LatencySegment extends LatencyStats {
  round: number;
  writerOps: number;
  writerOpsPerSec: number | null;
  writerErrors: number;
}

export interface LatencyServerResult {
  status: 'ok' | 'error' | 'failed';
  error: string | null;
  /** Write commands in the background mix (those the server accepted when probed). */
  writeMix: string[];
  /** Write commands left out of the mix because the server rejected them. */
  writeExcluded: Record<string, string>;
  segments: LatencySegment[];
  merged: LatencyStats | null;
  writerOpsPerSec: number | null;
}

export interface LatencyResult {
  config: LatencyConfig;
  cinnabar: LatencyServerResult;
  redis: LatencyServerResult;
  ratios: { p50: number | null; p99: number | null; p999: number | null; opsPerSec: number | null };
  wallSec: number;
}

const WRITE_COMMANDS = ['SET', 'LPUSH', 'HSET', 'ZADD'];
const keyName = (i: number): string => `lat:${String(i).padStart(8, '0')}`;

function stats(h: LogHistogram, windowMs: number): LatencyStats {
  const ms = (ns: number | null): number | null => (ns === null ? null : ns / 1e6);
  return {
    count: h.count,
    opsPerSec: windowMs > 0 ? h.count / (windowMs / 1000) : null,
    meanMs: ms(h.mean()),
    p50Ms: ms(h.percentile(50)),
    p99Ms: ms(h.percentile(99)),
    p999Ms: ms(h.percentile(99.9)),
    maxMs: h.count === 0 ? null : h.max / 1e6,
  };
}

/** Controls a gated GET loop: requests sent while `record` is set are recorded; `stop` ends it. */
export interface LoopGate {
  record: boolean;
  stop: boolean;
}

/**
 * Closed-loop GET from `connections` sockets (one request outstanding each) until
 * gate.stop; records in `hist` the latency of every request sent while gate.record.
 * Fails after `maxMs`.
 */
export async function gatedGetLoop(
  srv: Server,
  connections: number,
  requests: Buffer[],
  hist: LogHistogram,
  gate: LoopGate,
  maxMs: number,
): Promise<{ firstError: string | null }> {
  const sockets: net.Socket[] = [];
  let firstError: string | null = null;
  try {
    for (let i = 0; i < connections; i++) {
      const s = net.createConnection({ host: srv.host, port: srv.port });
      s.setNoDelay(true);
      sockets.push(s);
    }
    await withDeadline(
      Promise.all(
        sockets.map(
          (s) =>
            new Promise<void>((res, rej) => {
              s.once('connect', () => res());
              s.once('error', rej);
            }),
        ),
      ),
      10000,
      'latency connections',
    );

    let stopping = false;
    let active = sockets.length;
    let resolveDone!: () => void;
    let rejectDone!: (e: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    const nreq = requests.length;

    for (const s of sockets) {
      const parser = new RespReplyParser();
      let sentAt = 0;
      let recorded = false;
      const send = (): void => {
        sentAt = performance.now();
        recorded = gate.record;
        s.write(requests[(Math.random() * nreq) | 0]!);
      };
      s.on('data', (chunk: Buffer) => {
        let replies;
        try {
          replies = parser.feed(chunk);
        } catch (e) {
          rejectDone(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (replies.length === 0) return;
        const now = performance.now();
        const r = replies[0]!;
        if (r.t === 'err') {
          if (firstError === null) firstError = r.v;
          stopping = true;
        } else if (recorded) {
          hist.record((now - sentAt) * 1e6);
        }
        if (stopping || gate.stop) {
          stopping = true;
          if (--active === 0) resolveDone();
          return;
        }
        send();
      });
      s.on('error', (e) => rejectDone(e));
      s.on('close', () => {
        if (!stopping) rejectDone(new Error('server closed a latency connection'));
      });
      send();
    }
    await withDeadline(done, maxMs, 'GET latency loop');
    return { firstError };
  } finally {
    for (const s of sockets) s.destroy();
  }
}

/** Closed-loop GET from `connections` sockets; records latencies of requests sent in the window. */
async function getLoop(
  srv: Server,
  cfg: LatencyConfig,
  requests: Buffer[],
  hist: LogHistogram,
): Promise<{ firstError: string | null }> {
  const gate: LoopGate = { record: false, stop: false };
  const t1 = setTimeout(() => (gate.record = true), cfg.warmupMs);
  const t2 = setTimeout(() => {
    gate.record = false;
    gate.stop = true;
  }, cfg.warmupMs + cfg.measureMs);
  try {
    return await gatedGetLoop(srv, cfg.connections, requests, hist, gate, cfg.warmupMs + cfg.measureMs + 15000);
  } finally {
    clearTimeout(t1);
    clearTimeout(t2);
  }
}

async function startWriter(srv: Server, commands: string[]): Promise<{ stop: () => Promise<WriteLoadReport | null> }> {
  const stopBuf = new SharedArrayBuffer(4);
  const flag = new Int32Array(stopBuf);
  const data: WriteLoadData = { host: srv.host, port: srv.port, stop: stopBuf, commands };
  const w = new Worker(new URL('./write-load.js', import.meta.url), { workerData: data });
  let report: WriteLoadReport | null = null;
  let failure: string | null = null;
  const finished = new Promise<void>((resolve) => {
    w.on('message', (m: { type: string; error?: string }) => {
      if (m.type === 'done') {
        report = m as WriteLoadReport;
        resolve();
      } else if (m.type === 'error') {
        failure = m.error ?? 'writer failed';
        resolve();
      }
    });
    w.on('error', (e) => {
      failure = e.message;
      resolve();
    });
    w.on('exit', () => resolve());
  });
  const ready = new Promise<void>((resolve, reject) => {
    w.on('message', (m: { type: string; error?: string }) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'error') reject(new Error(m.error));
    });
    w.on('error', reject);
  });
  try {
    await withDeadline(ready, 10000, 'write-load worker start');
  } catch (e) {
    await w.terminate();
    throw e;
  }
  return {
    stop: async () => {
      Atomics.store(flag, 0, 1);
      const ok = await Promise.race([finished.then(() => true), sleep(10000).then(() => false)]);
      await w.terminate();
      if (!ok) throw new Error('write-load worker did not stop within 10 s');
      if (failure !== null) throw new Error(`write-load worker: ${failure}`);
      return report;
    },
  };
}

async function prepare(srv: Server, cfg: LatencyConfig, res: LatencyServerResult): Promise<boolean> {
  const c = await connect(srv);
  try {
    const cmds = [];
    for (let i = 0; i < cfg.keys; i++) cmds.push(['SET', keyName(i), `v${String(i).padStart(15, '0')}`]);
    for (let i = 0; i < cmds.length; i += 1000) {
      const replies = await withDeadline(c.pipeline(cmds.slice(i, i + 1000)), 60000, 'latency preload');
      const e = replies.find((r) => r.t === 'err');
      if (e !== undefined && e.t === 'err') {
        res.status = 'error';
        res.error = `preload SET failed: ${e.v}`;
        return false;
      }
    }
    const g = await withDeadline(c.call('GET', keyName(0)), 10000, 'GET probe');
    if (g.t === 'err') {
      res.status = 'error';
      res.error = `GET: ${g.v}`;
      return false;
    }
    for (const name of WRITE_COMMANDS) {
      const r = await withDeadline(c.call(...writeCommand(name)), 10000, `${name} probe`);
      if (r.t === 'err') res.writeExcluded[name] = r.v;
      else res.writeMix.push(name);
    }
    return true;
  } finally {
    c.destroy();
  }
}

function emptyServerResult(): LatencyServerResult {
  return { status: 'ok', error: null, writeMix: [], writeExcluded: {}, segments: [], merged: null, writerOpsPerSec: null };
}

export async function runLatency(cfg: LatencyConfig): Promise<LatencyResult> {
  const t0 = performance.now();
  const results: Record<ServerKind, LatencyServerResult> = { cinnabar: emptyServerResult(), redis: emptyServerResult() };
  const hists: Record<ServerKind, LogHistogram> = { cinnabar: new LogHistogram(), redis: new LogHistogram() };
  const servers: Partial<Record<ServerKind, Server>> = {};
  const requests = Array.from({ length: cfg.keys }, (_, i) => encodeCommand(['GET', keyName(i)]));
  try {
    for (const kind of KINDS) {
      try {
        servers[kind] = await startServer(kind);
        await prepare(servers[kind]!, cfg, results[kind]);
      } catch (e) {
        results[kind].status = 'failed';
        results[kind].error = errMsg(e);
      }
    }
    // The same background mix for both servers: commands accepted by both.
    const common = WRITE_COMMANDS.filter((n) => KINDS.every((k) => results[k].status !== 'ok' || results[k].writeMix.includes(n)));
    for (const kind of KINDS) {
      const res = results[kind];
      for (const n of res.writeMix) {
        if (!common.includes(n)) res.writeExcluded[n] = 'accepted, but left out because the other server rejects it';
      }
      res.writeMix = res.writeMix.filter((n) => common.includes(n));
    }
    for (let r = 0; r < cfg.rounds; r++) {
      const order: ServerKind[] = r % 2 === 0 ? ['cinnabar', 'redis'] : ['redis', 'cinnabar'];
      for (const kind of order) {
        const res = results[kind];
        const srv = servers[kind];
        if (res.status !== 'ok' || srv === undefined) continue;
        try {
          if (!srv.alive) throw new Error(`server is not running; output tail: ${srv.output().slice(-400)}`);
          const writer = res.writeMix.length > 0 ? await startWriter(srv, res.writeMix) : null;
          const h = new LogHistogram();
          let loop: { firstError: string | null };
          let report: WriteLoadReport | null = null;
          try {
            loop = await getLoop(srv, cfg, requests, h);
          } finally {
            if (writer !== null) report = await writer.stop();
          }
          if (loop.firstError !== null) {
            res.status = 'error';
            res.error = `GET: ${loop.firstError}`;
            continue;
          }
          hists[kind].merge(h);
          const wallSec = (cfg.warmupMs + cfg.measureMs) / 1000;
          const seg: LatencySegment = {
            round: r + 1,
            ...stats(h, cfg.measureMs),
            writerOps: report?.ops ?? 0,
            writerOpsPerSec: report !== null ? report.ops / (report.elapsedMs / 1000 || wallSec) : null,
            writerErrors: report?.errors ?? 0,
          };
          res.segments.push(seg);
          log(
            `latency round ${r + 1}/${cfg.rounds} ${kind}: GET ${fmtInt(seg.opsPerSec)}/s p50 ${fmtNum(seg.p50Ms, 3)} ` +
              `p99 ${fmtNum(seg.p99Ms, 3)} p99.9 ${fmtNum(seg.p999Ms, 3)} ms; writes ${fmtInt(seg.writerOpsPerSec)}/s` +
              (seg.writerErrors ? ` (${seg.writerErrors} errors)` : ''),
          );
        } catch (e) {
          res.status = 'failed';
          res.error = errMsg(e);
          log(`latency ${kind}: FAILED ${oneLine(res.error)}`);
        }
      }
    }
  } finally {
    await Promise.all(KINDS.map((k) => servers[k]?.stop()));
  }
  for (const kind of KINDS) {
    const res = results[kind];
    const segs = res.segments;
    if (segs.length > 0) {
      res.merged = stats(hists[kind], cfg.measureMs * segs.length);
      const wops = segs.map((s) => s.writerOpsPerSec).filter((x): x is number => x !== null);
      res.writerOpsPerSec = wops.length ? wops.reduce((a, b) => a + b, 0) / wops.length : null;
    }
  }
  const c = results.cinnabar.merged;
  const rd = results.redis.merged;
  return {
    config: cfg,
    cinnabar: results.cinnabar,
    redis: results.redis,
    ratios: {
      p50: ratio(c?.p50Ms, rd?.p50Ms),
      p99: ratio(c?.p99Ms, rd?.p99Ms),
      p999: ratio(c?.p999Ms, rd?.p999Ms),
      opsPerSec: ratio(c?.opsPerSec, rd?.opsPerSec),
    },
    wallSec: (performance.now() - t0) / 1000,
  };
}

export function latencyMarkdown(res: LatencyResult): string {
  const row = (name: string, r: LatencyServerResult): string[] => {
    const m = r.merged;
    const bad = r.status === 'error' ? errLabel(r.error) : r.status === 'failed' ? 'FAILED' : 'n/a';
    const f = (v: number | null | undefined): string => (m === null ? bad : fmtNum(v, 3));
    return [
      name,
      m === null ? bad : fmtInt(m.opsPerSec),
      f(m?.p50Ms),
      f(m?.p99Ms),
      f(m?.p999Ms),
      f(m?.maxMs),
      m === null ? bad : fmtInt(r.writerOpsPerSec),
      r.writeMix.join('/') || '-',
    ];
  };
  const table = markdownTable(
    ['server', 'GET ops/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'bg writes/s', 'bg write mix'],
    [
      row('Cinnabar', res.cinnabar),
      row('Redis', res.redis),
      [
        'ratio C/R',
        fmtRatio(res.ratios.opsPerSec),
        fmtRatio(res.ratios.p50),
        fmtRatio(res.ratios.p99),
        fmtRatio(res.ratios.p999),
        '',
        fmtRatio(ratio(res.cinnabar.writerOpsPerSec, res.redis.writerOpsPerSec)),
        '',
      ],
    ],
  );
  const notes: string[] = [];
  for (const [name, r] of [
    ['Cinnabar', res.cinnabar],
    ['Redis', res.redis],
  ] as const) {
    if (r.error !== null) notes.push(`- ${name}: ${r.status}: ${oneLine(r.error)}`);
    for (const [cmd, err] of Object.entries(r.writeExcluded)) notes.push(`- ${name}: ${cmd} left out of the background mix: ${err}`);
  }
  return notes.length ? `${table}\n\n${notes.join('\n')}` : table;
}
