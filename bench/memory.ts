/**
 * Memory side by side. For each data set and each server a fresh process is
 * started, its baseline measured (VmRSS once stable, INFO used_memory), the
 * data set loaded with pipelined writes from our own loader (identical
 * commands for both servers), then measured again after RSS settles
 * (condition-based: two consecutive reads 300 ms apart within
 * max(0.5 %, 256 KiB), with a deadline). Bytes per key = growth / keys.
 *
 * Cinnabar is not asked to GC (the server gets no extra code or flags): its
 * RSS includes whatever garbage V8 has not collected yet, which is part of
 * what a user would see.
 */
import type { CommandArg, RespClient } from '../src/protocol/resp-client.js';
import {
  KINDS,
  type ServerKind,
  connect,
  errLabel,
  errMsg,
  fmtBytes,
  fmtNum,
  fmtRatio,
  log,
  markdownTable,
  oneLine,
  ratio,
  startServer,
  usedMemory,
  waitRssStable,
  withDeadline,
} from './lib.js';

export interface MemoryConfig {
  scale: number;
  batch: number;
  inflight: number;
}

interface DatasetSpec {
  id: string;
  describe: (count: number) => string;
  fullCount: number;
  command: (i: number) => CommandArg[];
}

const pad12 = (i: number): string => String(i).padStart(12, '0');
/** Deterministic 16-byte value. */
const value16 = (i: number): string => `v${String(i).padStart(15, '0')}`;

const FIELDS = Array.from({ length: 10 }, (_, j) => `field:${j}`);
const MEMBERS = Array.from({ length: 10 }, (_, j) => `member:${j}`);

export const DATASETS: readonly DatasetSpec[] = [
  {
    id: 'strings',
    describe: (n) => `${n.toLocaleString('en-US')} string keys (16-byte key, 16-byte value; SET)`,
    fullCount: 1_000_000,
    command: (i) => ['SET', `key:${pad12(i)}`, value16(i)],
  },
  {
    id: 'hashes',
    describe: (n) => `${n.toLocaleString('en-US')} hashes × 10 fields (7-byte fields, 16-byte values; one HSET each)`,
    fullCount: 100_000,
    command: (i) => {
      const args: CommandArg[] = ['HSET', `hash:${pad12(i)}`];
      for (let j = 0; j < 10; j++) args.push(FIELDS[j]!, value16(i * 10 + j));
      return args;
    },
  },
  {
    id: 'zsets',
    describe: (n) => `${n.toLocaleString('en-US')} sorted sets × 10 members (8-byte members, integer scores; one ZADD each)`,
    fullCount: 100_000,
    command: (i) => {
      const args: CommandArg[] = ['ZADD', `zset:${pad12(i)}`];
      for (let j = 0; j < 10; j++) args.push(i + j, MEMBERS[j]!);
      return args;
    },
  },
];

export interface MemoryMeasurement {
  status: 'ok' | 'error' | 'failed';
  error: string | null;
  keys: number;
  loadSec: number | null;
  dbsize: number | null;
  rssBefore: number | null;
  rssAfter: number | null;
  rssStableBefore: boolean;
  rssStableAfter: boolean;
  usedMemoryBefore: number | null;
  usedMemoryAfter: number | null;
  rssBytesPerKey: number | null;
  usedMemoryBytesPerKey: number | null;
}

export interface MemoryRow {
  dataset: string;
  description: string;
  keys: number;
  cinnabar: MemoryMeasurement;
  redis: MemoryMeasurement;
  rssRatio: number | null;
  usedMemoryRatio: number | null;
}

export interface MemoryResult {
  config: MemoryConfig;
  rows: MemoryRow[];
  wallSec: number;
}

/** Load `count` commands with a window of pipelined batches. Returns the first error reply, if any. */
async function load(
  c: RespClient,
  count: number,
  cmd: (i: number) => CommandArg[],
  batch: number,
  inflight: number,
): Promise<{ errors: number; firstError: string | null }> {
  let next = 0;
  let errors = 0;
  let firstError: string | null = null;
  let abort = false;
  const worker = async (): Promise<void> => {
    while (!abort && next < count) {
      const start = next;
      const end = Math.min(count, start + batch);
      next = end;
      const cmds: CommandArg[][] = [];
      for (let i = start; i < end; i++) cmds.push(cmd(i));
      const replies = await withDeadline(c.pipeline(cmds), 60000, 'load batch');
      let batchErrors = 0;
      for (const r of replies) {
        if (r.t === 'err') {
          batchErrors++;
          if (firstError === null) firstError = r.v;
        }
      }
      errors += batchErrors;
      // Errors mean the data set is not what we meant to measure: stop early.
      if (batchErrors > 0) abort = true;
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  return { errors, firstError };
}

async function measureOne(kind: ServerKind, ds: DatasetSpec, count: number, cfg: MemoryConfig): Promise<MemoryMeasurement> {
  const m: MemoryMeasurement = {
    status: 'ok',
    error: null,
    keys: count,
    loadSec: null,
    dbsize: null,
    rssBefore: null,
    rssAfter: null,
    rssStableBefore: false,
    rssStableAfter: false,
    usedMemoryBefore: null,
    usedMemoryAfter: null,
    rssBytesPerKey: null,
    usedMemoryBytesPerKey: null,
  };
  let srv;
  try {
    srv = await startServer(kind);
  } catch (e) {
    return { ...m, status: 'failed', error: errMsg(e) };
  }
  let c: RespClient | null = null;
  try {
    c = await connect(srv);
    const before = await waitRssStable(srv.pid);
    m.rssBefore = before.bytes;
    m.rssStableBefore = before.stable;
    m.usedMemoryBefore = await usedMemory(c);

    const t0 = performance.now();
    const res = await load(c, count, ds.command, cfg.batch, cfg.inflight);
    m.loadSec = (performance.now() - t0) / 1000;
    if (res.errors > 0) {
      m.status = 'error';
      m.error = `${res.errors} error replies, first: ${res.firstError}`;
      return m;
    }
    const dbs = await withDeadline(c.call('DBSIZE'), 10000, 'DBSIZE').catch(() => null);
    m.dbsize = dbs !== null && dbs.t === 'int' ? Number(dbs.v) : null;
    if (m.dbsize !== null && m.dbsize !== count) {
      m.status = 'error';
      m.error = `DBSIZE is ${m.dbsize}, expected ${count}`;
    }

    const after = await waitRssStable(srv.pid);
    m.rssAfter = after.bytes;
    m.rssStableAfter = after.stable;
    m.usedMemoryAfter = await usedMemory(c);
    if (m.rssBefore !== null && m.rssAfter !== null) m.rssBytesPerKey = (m.rssAfter - m.rssBefore) / count;
    if (m.usedMemoryBefore !== null && m.usedMemoryAfter !== null) {
      m.usedMemoryBytesPerKey = (m.usedMemoryAfter - m.usedMemoryBefore) / count;
    }
    return m;
  } catch (e) {
    return { ...m, status: 'failed', error: errMsg(e) };
  } finally {
    c?.destroy();
    await srv.stop();
  }
}

export async function runMemory(cfg: MemoryConfig): Promise<MemoryResult> {
  const t0 = performance.now();
  const rows: MemoryRow[] = [];
  for (const ds of DATASETS) {
    const count = Math.max(1, Math.round(ds.fullCount * cfg.scale));
    const got: Partial<Record<ServerKind, MemoryMeasurement>> = {};
    for (const kind of KINDS) {
      log(`memory: ${kind} ${ds.describe(count)}`);
      const m = await measureOne(kind, ds, count, cfg);
      got[kind] = m;
      log(
        `memory: ${kind} ${ds.id}: ${m.status}${m.error ? ` (${oneLine(m.error)})` : ''} load ${fmtNum(m.loadSec)} s, ` +
          `RSS ${fmtBytes(m.rssBefore)} -> ${fmtBytes(m.rssAfter)}, ${fmtNum(m.rssBytesPerKey, 1)} B/key`,
      );
    }
    const cin = got.cinnabar!;
    const red = got.redis!;
    rows.push({
      dataset: ds.id,
      description: ds.describe(count),
      keys: count,
      cinnabar: cin,
      redis: red,
      rssRatio: cin.status === 'ok' && red.status === 'ok' ? ratio(cin.rssBytesPerKey, red.rssBytesPerKey) : null,
      usedMemoryRatio: cin.status === 'ok' && red.status === 'ok' ? ratio(cin.usedMemoryBytesPerKey, red.usedMemoryBytesPerKey) : null,
    });
  }
  return { config: cfg, rows, wallSec: (performance.now() - t0) / 1000 };
}

function perKey(m: MemoryMeasurement, which: 'rss' | 'used'): string {
  if (m.status !== 'ok') return m.status === 'error' ? errLabel(m.error) : 'FAILED';
  const v = which === 'rss' ? m.rssBytesPerKey : m.usedMemoryBytesPerKey;
  if (v === null) return which === 'used' ? 'n/a (no INFO)' : 'n/a';
  const flag = which === 'rss' && !m.rssStableAfter ? ' (RSS unsettled)' : '';
  return `${fmtNum(v, 1)}${flag}`;
}

export function memoryMarkdown(res: MemoryResult): string {
  const table = markdownTable(
    [
      'data set',
      'keys',
      'C RSS B/key',
      'R RSS B/key',
      'RSS ratio C/R',
      'C used_memory B/key',
      'R used_memory B/key',
      'used_memory ratio C/R',
      'C RSS after',
      'R RSS after',
    ],
    res.rows.map((r) => [
      r.dataset,
      r.keys.toLocaleString('en-US'),
      perKey(r.cinnabar, 'rss'),
      perKey(r.redis, 'rss'),
      fmtRatio(r.rssRatio),
      perKey(r.cinnabar, 'used'),
      perKey(r.redis, 'used'),
      fmtRatio(r.usedMemoryRatio),
      fmtBytes(r.cinnabar.rssAfter),
      fmtBytes(r.redis.rssAfter),
    ]),
  );
  const notes = res.rows.map((r) => `- ${r.dataset}: ${r.description}`);
  const errs = res.rows.flatMap((r) =>
    KINDS.filter((k) => r[k].error !== null).map((k) => `- ${r.dataset} ${k}: ${r[k].status}: ${oneLine(r[k].error ?? '')}`),
  );
  return [table, '', ...notes, ...(errs.length ? ['', 'Failures:', ...errs] : [])].join('\n');
}
