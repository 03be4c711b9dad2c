/**
 * GET latency during a BGSAVE, side by side.
 *
 * Each server is loaded with `keys` string keys (DEBUG POPULATE, 16-byte values).
 * `connections` closed-loop connections run GET on random keys; first a baseline
 * window without any save, then a window from the BGSAVE call until INFO reports
 * rdb_bgsave_in_progress:0. Redis forks a child for the snapshot; Cinnabar writes a
 * fork-less snapshot in slices between events (src/persistence/snapshot.ts), so the
 * figures show what each design costs the clients while the file is written.
 */
import { gatedGetLoop, type LoopGate } from './latency.js';
import { encodeCommand, type RespClient } from '../src/protocol/resp-client.js';
import {
  KINDS,
  LogHistogram,
  connect,
  errMsg,
  fmtInt,
  fmtNum,
  fmtRatio,
  info,
  log,
  markdownTable,
  oneLine,
  ratio,
  sleep,
  startServer,
  withDeadline,
  type Server,
  type ServerKind,
} from './lib.js';

export interface BgsaveConfig {
  keys: number;
  connections: number;
  warmupMs: number;
  baselineMs: number;
}

export interface Window {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface BgsaveServerResult {
  status: 'ok' | 'failed';
  error: string | null;
  baseline: Window | null;
  during: Window | null;
  bgsaveSec: number | null;
  rdbBytes: number | null;
}

export interface BgsaveResult {
  config: BgsaveConfig;
  cinnabar: BgsaveServerResult;
  redis: BgsaveServerResult;
  wallSec: number;
}

function windowOf(h: LogHistogram): Window {
  const ms = (ns: number | null): number | null => (ns === null ? null : ns / 1e6);
  return { count: h.count, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: h.count === 0 ? null : h.max / 1e6 };
}

async function inProgress(c: RespClient): Promise<boolean> {
  const m = await info(c, 'persistence');
  return m?.get('rdb_bgsave_in_progress') === '1';
}

async function measure(srv: Server, cfg: BgsaveConfig): Promise<BgsaveServerResult> {
  const res: BgsaveServerResult = { status: 'ok', error: null, baseline: null, during: null, bgsaveSec: null, rdbBytes: null };
  const c = await connect(srv);
  try {
    const r = await withDeadline(c.call('DEBUG', 'POPULATE', String(cfg.keys), 'key', '16'), 120000, 'DEBUG POPULATE');
    if (r.t === 'err') throw new Error(`DEBUG POPULATE: ${r.v}`);
    const requests = Array.from({ length: 10000 }, (_, i) => encodeCommand(['GET', `key:${Math.floor((i * cfg.keys) / 10000)}`]));

    // Baseline: warm-up, then a recorded window, no save.
    const base = new LogHistogram();
    const gate: LoopGate = { record: false, stop: false };
    const t1 = setTimeout(() => (gate.record = true), cfg.warmupMs);
    const t2 = setTimeout(() => (gate.stop = true), cfg.warmupMs + cfg.baselineMs);
    await gatedGetLoop(srv, cfg.connections, requests, base, gate, cfg.warmupMs + cfg.baselineMs + 15000);
    clearTimeout(t1);
    clearTimeout(t2);
    res.baseline = windowOf(base);

    // During BGSAVE: recorded from the call until the save reports done.
    const during = new LogHistogram();
    const g2: LoopGate = { record: false, stop: false };
    const loop = gatedGetLoop(srv, cfg.connections, requests, during, g2, 180000);
    await sleep(cfg.warmupMs);
    const ctl = await connect(srv);
    try {
      g2.record = true;
      const t0 = performance.now();
      const b = await ctl.call('BGSAVE');
      if (b.t === 'err') throw new Error(`BGSAVE: ${b.v}`);
      const deadline = Date.now() + 170000;
      while (await inProgress(ctl)) {
        if (Date.now() > deadline) throw new Error('BGSAVE did not finish within 170 s');
        await sleep(20);
      }
      res.bgsaveSec = (performance.now() - t0) / 1000;
      g2.record = false;
      g2.stop = true;
      await loop;
      const m = await info(ctl, 'persistence');
      if (m?.get('rdb_last_bgsave_status') !== 'ok') throw new Error('BGSAVE failed');
    } finally {
      ctl.destroy();
    }
    res.during = windowOf(during);
    const fs = await import('node:fs');
    const path = await import('node:path');
    try {
      res.rdbBytes = fs.statSync(path.join(srv.dir, 'dump.rdb')).size;
    } catch {
      res.rdbBytes = null;
    }
  } finally {
    c.destroy();
  }
  return res;
}

export async function runBgsave(cfg: BgsaveConfig): Promise<BgsaveResult> {
  const t0 = performance.now();
  const out: Partial<Record<ServerKind, BgsaveServerResult>> = {};
  for (const kind of KINDS) {
    let srv: Server | null = null;
    try {
      srv = await startServer(kind, 20000, ['--enable-debug-command', 'yes']);
      out[kind] = await measure(srv, cfg);
      const r = out[kind]!;
      log(
        `bgsave ${kind}: baseline p50 ${fmtNum(r.baseline?.p50Ms, 3)} p99 ${fmtNum(r.baseline?.p99Ms, 3)} max ${fmtNum(r.baseline?.maxMs, 3)} ms; ` +
          `during BGSAVE (${fmtNum(r.bgsaveSec, 2)} s) p50 ${fmtNum(r.during?.p50Ms, 3)} p99 ${fmtNum(r.during?.p99Ms, 3)} max ${fmtNum(r.during?.maxMs, 3)} ms`,
      );
    } catch (e) {
      out[kind] = { status: 'failed', error: errMsg(e), baseline: null, during: null, bgsaveSec: null, rdbBytes: null };
      log(`bgsave ${kind}: FAILED ${oneLine(errMsg(e))}`);
    } finally {
      await srv?.stop();
    }
  }
  return { config: cfg, cinnabar: out.cinnabar!, redis: out.redis!, wallSec: (performance.now() - t0) / 1000 };
}

export function bgsaveMarkdown(res: BgsaveResult): string {
  const row = (name: string, r: BgsaveServerResult): string[] => {
    if (r.status !== 'ok') return [name, 'FAILED', '', '', '', '', '', '', ''];
    return [
      name,
      fmtNum(r.baseline?.p50Ms, 3),
      fmtNum(r.baseline?.p99Ms, 3),
      fmtNum(r.baseline?.maxMs, 3),
      fmtNum(r.during?.p50Ms, 3),
      fmtNum(r.during?.p99Ms, 3),
      fmtNum(r.during?.maxMs, 3),
      fmtNum(r.bgsaveSec, 2),
      fmtInt(r.during?.count),
    ];
  };
  const c = res.cinnabar;
  const r = res.redis;
  const rows = [
    row('Cinnabar', c),
    row('Redis', r),
    [
      'ratio C/R',
      fmtRatio(ratio(c.baseline?.p50Ms, r.baseline?.p50Ms)),
      fmtRatio(ratio(c.baseline?.p99Ms, r.baseline?.p99Ms)),
      fmtRatio(ratio(c.baseline?.maxMs, r.baseline?.maxMs)),
      fmtRatio(ratio(c.during?.p50Ms, r.during?.p50Ms)),
      fmtRatio(ratio(c.during?.p99Ms, r.during?.p99Ms)),
      fmtRatio(ratio(c.during?.maxMs, r.during?.maxMs)),
      fmtRatio(ratio(c.bgsaveSec, r.bgsaveSec)),
      '',
    ],
  ];
  const notes: string[] = [];
  for (const [name, x] of [['Cinnabar', c], ['Redis', r]] as const) if (x.error) notes.push(`- ${name}: ${oneLine(x.error)}`);
  const table = markdownTable(['server', 'base p50 ms', 'base p99 ms', 'base max ms', 'BGSAVE p50 ms', 'BGSAVE p99 ms', 'BGSAVE max ms', 'BGSAVE s', 'GETs during'], rows);
  return notes.length ? `${table}\n\n${notes.join('\n')}` : table;
}
