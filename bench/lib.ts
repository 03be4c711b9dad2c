/**
 * Shared benchmark plumbing: child-process registry (everything started is
 * killed on exit, error or Ctrl-C), server start/stop with deadlines, /proc
 * readers (RSS, CPU time), INFO parsing, a log-bucket latency histogram,
 * statistics and Markdown tables.
 *
 * Bench code must not import from test/: this module is self-contained apart
 * from the project's RESP client.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { RespClient, type Reply } from '../src/protocol/resp-client.js';

export const REDIS_SERVER = process.env['CINNABAR_REDIS_SERVER'] ?? '/usr/bin/redis-server';
export const REDIS_BENCHMARK = process.env['CINNABAR_REDIS_BENCHMARK'] ?? '/usr/bin/redis-benchmark';

/** Repository root, resolved from the compiled location (dist/bench/). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function cinnabarBin(): string {
  return process.env['CINNABAR_SERVER_BIN'] ?? path.join(REPO_ROOT, 'bin', 'cinnabar-server.js');
}

export type ServerKind = 'cinnabar' | 'redis';
export const KINDS: readonly ServerKind[] = ['cinnabar', 'redis'];

// ---------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Race `p` against a deadline; rejects with `what timed out` after `ms`. */
export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(t);
  }
}

export function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * One-line summary of an error text for tables and logs: the first line that
 * names an error (e.g. "SyntaxError: ..." in a crashed server's output), or
 * the first line, capped at `max` characters.
 */
export function oneLine(s: string, max = 200): string {
  const lines = s.split('\n').map((l) => l.trim()).filter(Boolean);
  const head = lines[0] ?? '';
  const named = lines.slice(1).find((l) => /^(\w*Error\b|Error:|#|FATAL|\*\*\*)/.test(l));
  const text = (named !== undefined && named !== head ? `${head} — ${named}` : head).replace(
    /, with args beginning with:.*$/,
    '',
  );
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[bench ${t}] ${msg}\n`);
}

// ---------------------------------------------------------------------------
// Process registry
// ---------------------------------------------------------------------------

interface LiveEntry {
  child: ChildProcess;
  dir: string | null;
}

const live = new Set<LiveEntry>();
let handlersInstalled = false;

function killAllSync(): void {
  for (const l of live) {
    try {
      if (l.child.exitCode === null && l.child.signalCode === null) l.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    if (l.dir !== null) {
      try {
        fs.rmSync(l.dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
  }
  live.clear();
}

/** Install exit / signal / uncaught-error handlers that kill every tracked child. */
export function installCleanupHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(sig, () => {
      process.stderr.write(`\n[bench] ${sig}: killing ${live.size} child process(es)\n`);
      killAllSync();
      process.exit(code);
    });
  }
  process.on('uncaughtException', (e) => {
    process.stderr.write(`[bench] uncaught exception: ${e.stack ?? String(e)}\n`);
    killAllSync();
    process.exit(1);
  });
  process.on('unhandledRejection', (e) => {
    process.stderr.write(`[bench] unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    killAllSync();
    process.exit(1);
  });
}

function track(child: ChildProcess, dir: string | null): LiveEntry {
  installCleanupHandlers();
  const entry: LiveEntry = { child, dir };
  live.add(entry);
  const drop = (): void => {
    live.delete(entry);
  };
  child.once('exit', drop);
  child.once('error', drop);
  return entry;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  wallMs: number;
  spawnError: string | null;
}

/** Run a command to completion, SIGKILLing it at the deadline. */
export function runProcess(cmd: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return new Promise<RunResult>((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child, null);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: string | null = null;
    child.stdout?.on('data', (d: Buffer) => {
      if (stdout.length < 1 << 20) stdout += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 1 << 20) stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      spawnError = e.message;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, wallMs: performance.now() - t0, spawnError });
    });
  });
}

/** First line of `cmd --version` (synchronous, 10 s deadline), or an error note. */
export function versionOf(cmd: string): string {
  try {
    return execFileSync(cmd, ['--version'], { timeout: 10000, encoding: 'utf8' }).trim().split('\n')[0]!;
  } catch (e) {
    return `unavailable (${errMsg(e)})`;
  }
}

// ---------------------------------------------------------------------------
// Ports and servers
// ---------------------------------------------------------------------------

export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('freePort: unexpected address'));
        return;
      }
      const port = addr.port;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

export interface Server {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly alive: boolean;
  /** The server's working directory (where dump.rdb goes). */
  readonly dir: string;
  /** Tail of the server's stdout+stderr. */
  output(): string;
  stop(): Promise<void>;
}

class ServerProc implements Server {
  readonly host = '127.0.0.1';
  readonly pid: number;
  private out = '';
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private stopping: Promise<void> | null = null;

  constructor(
    readonly kind: ServerKind,
    readonly port: number,
    readonly child: ChildProcess,
    readonly dir: string,
  ) {
    this.pid = child.pid ?? -1;
    const onOut = (d: Buffer): void => {
      this.out += d.toString('utf8');
      if (this.out.length > 64 * 1024) this.out = this.out.slice(-32 * 1024);
    };
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onOut);
    this.exitPromise = new Promise<void>((resolve) => {
      const done = (): void => {
        this.exited = true;
        resolve();
      };
      child.once('exit', done);
      child.once('error', (e) => {
        this.out += `\nspawn error: ${e.message}`;
        done();
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  output(): string {
    return this.out;
  }

  stop(): Promise<void> {
    if (this.stopping === null) this.stopping = this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const graceful = await Promise.race([this.exitPromise.then(() => true), sleep(5000).then(() => false)]);
      if (!graceful) {
        this.child.kill('SIGKILL');
        await Promise.race([this.exitPromise, sleep(3000)]);
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function pingOnce(port: number, timeoutMs: number): Promise<boolean> {
  let c: RespClient | null = null;
  try {
    c = await RespClient.connect({ host: '127.0.0.1', port, timeoutMs });
    const r = await withDeadline(c.call('PING'), timeoutMs, 'PING');
    return r.t === 'simple' && r.v === 'PONG';
  } catch {
    return false;
  } finally {
    c?.destroy();
  }
}

/**
 * CPU pinning (run.ts pins unless --no-pin; profile.ts likewise): when `serverCpus` is set, servers are started under
 * `taskset -c <serverCpus>` (every thread of the server, V8's GC helpers included,
 * on those CPUs), while the bench process and the load generators it spawns stay on
 * the CPUs run.ts pinned it to. The server under test then never competes with
 * its own load generator for a core, which is most of the round-to-round noise of
 * an unpinned run on 2 cores.
 */
export const pinning: { serverCpus: string | null } = { serverCpus: null };

/**
 * Pins this process (all its threads, and the children it starts later) to
 * CPU 0 and the servers to the others. Returns a description, or null when
 * pinning is not possible here (one CPU, or no `taskset`).
 */
export function pinCpus(): string | null {
  const n = os.cpus().length;
  if (n < 2) return null;
  const client = '0';
  const server = n === 2 ? '1' : `1-${n - 1}`;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', client, String(process.pid)], { stdio: 'ignore' });
  } catch {
    return null;
  }
  pinning.serverCpus = server;
  return `servers on CPU ${server}; the bench process and redis-benchmark on CPU ${client} (taskset)`;
}

/**
 * Start a server on a free port with persistence disabled, in a private temp
 * dir; resolves once it answers PING (deadline `timeoutMs`).
 */
export async function startServer(
  kind: ServerKind,
  timeoutMs = 20000,
  extraArgs: readonly string[] = [],
  /** Node options for a Cinnabar server (e.g. --cpu-prof); ignored for redis-server. */
  nodeArgs: readonly string[] = [],
): Promise<Server> {
  let lastErr = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cinnabar-bench-${kind}-`));
    const common = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const [cmd, args] =
      kind === 'redis'
        ? [REDIS_SERVER, [...common, '--daemonize', 'no', '--dir', dir, '--logfile', '', ...extraArgs]]
        : [process.execPath, [...nodeArgs, cinnabarBin(), ...common, ...extraArgs]];
    // taskset execs the server, so the child's pid is the server's.
    const child =
      pinning.serverCpus === null
        ? spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('taskset', ['-c', pinning.serverCpus, cmd, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child, dir);
    const srv = new ServerProc(kind, port, child, dir);
    const deadline = Date.now() + timeoutMs;
    while (srv.alive && Date.now() < deadline) {
      if (await pingOnce(port, Math.max(100, Math.min(1000, deadline - Date.now())))) return srv;
      await sleep(50);
    }
    const out = srv.output();
    lastErr = `${kind} failed to start on port ${port}: ${srv.alive ? `no PONG within ${timeoutMs} ms` : 'process exited'}\n${out.slice(-2000)}`;
    await srv.stop();
    if (!/address already in use|EADDRINUSE/i.test(out)) break;
  }
  throw new Error(lastErr);
}

export async function connect(srv: Server): Promise<RespClient> {
  return RespClient.connect({ host: srv.host, port: srv.port, timeoutMs: 5000 });
}

// ---------------------------------------------------------------------------
// /proc readers
// ---------------------------------------------------------------------------

/** VmRSS of a process in bytes, or null when unavailable. */
export function readRss(pid: number): number | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(s);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim()) || 100;
} catch {
  // keep the Linux default
}

/** User+system CPU seconds consumed by a process (all threads), or null. */
export function readCpuSeconds(pid: number): number | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); utime is field 14, stime field 15.
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return (utime + stime) / clkTck;
  } catch {
    return null;
  }
}

export interface StableReading {
  bytes: number | null;
  stable: boolean;
  waitedMs: number;
}

/**
 * Read VmRSS until two consecutive reads `intervalMs` apart differ by at most
 * max(0.5 %, 256 KiB), or until the deadline (then `stable` is false).
 */
export async function waitRssStable(pid: number, deadlineMs = 15000, intervalMs = 300): Promise<StableReading> {
  const t0 = Date.now();
  let prev = readRss(pid);
  for (;;) {
    await sleep(intervalMs);
    const cur = readRss(pid);
    if (cur === null || prev === null) return { bytes: cur, stable: false, waitedMs: Date.now() - t0 };
    if (Math.abs(cur - prev) <= Math.max(prev * 0.005, 256 * 1024)) {
      return { bytes: cur, stable: true, waitedMs: Date.now() - t0 };
    }
    if (Date.now() - t0 > deadlineMs) return { bytes: cur, stable: false, waitedMs: Date.now() - t0 };
    prev = cur;
  }
}

// ---------------------------------------------------------------------------
// INFO
// ---------------------------------------------------------------------------

/** INFO [section] as a field map; null when INFO is unsupported or fails. */
export async function info(c: RespClient, section?: string): Promise<Map<string, string> | null> {
  let r: Reply;
  try {
    r = await withDeadline(section === undefined ? c.call('INFO') : c.call('INFO', section), 10000, 'INFO');
  } catch {
    return null;
  }
  const text = r.t === 'bulk' || r.t === 'verbatim' ? r.v : null;
  if (text === null) return null;
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

export async function usedMemory(c: RespClient): Promise<number | null> {
  const m = await info(c, 'memory');
  const v = m?.get('used_memory');
  return v === undefined || !/^\d+$/.test(v) ? null : Number(v);
}

// ---------------------------------------------------------------------------
// Latency histogram (log-linear buckets, HDR-like: 64 sub-buckets per power
// of two, i.e. <= 1.6 % relative error). Values are recorded in nanoseconds.
// ---------------------------------------------------------------------------

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS; // 64
const MAX_SHIFT = 26; // up to 2^32 ns ~ 4.3 s, larger values are clamped
const NBUCKETS = (MAX_SHIFT + 1) * SUB + SUB;

export class LogHistogram {
  readonly counts = new Float64Array(NBUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  static bucketOf(ns: number): number {
    let v = ns < 0 ? 0 : Math.floor(ns);
    if (v >= 2 ** 32) v = 2 ** 32 - 1;
    if (v < SUB) return v;
    const e = 31 - Math.clz32(v); // >= 6
    const shift = e - SUB_BITS;
    return shift * SUB + (v >>> shift);
  }

  /** Highest value that falls in bucket `i` (HDR's "highest equivalent value"). */
  static upperOf(i: number): number {
    if (i < SUB) return i;
    const shift = Math.floor(i / SUB) - 1;
    const sub = i - shift * SUB; // in [64, 127]
    return (sub + 1) * 2 ** shift - 1;
  }

  record(ns: number): void {
    this.counts[LogHistogram.bucketOf(ns)]!++;
    this.count++;
    this.sum += ns;
    if (ns < this.min) this.min = ns;
    if (ns > this.max) this.max = ns;
  }

  merge(o: LogHistogram): void {
    for (let i = 0; i < NBUCKETS; i++) this.counts[i]! += o.counts[i]!;
    this.count += o.count;
    this.sum += o.sum;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }

  /** Value at percentile p (0..100) in ns, or null when empty. */
  percentile(p: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let acc = 0;
    for (let i = 0; i < NBUCKETS; i++) {
      acc += this.counts[i]!;
      if (acc >= rank) return Math.min(LogHistogram.upperOf(i), this.max);
    }
    return this.max;
  }

  mean(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }
}

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

/** Table label for a server's error reply: unknown commands are "ERR/unsupported". */
export function errLabel(error: string | null): string {
  return error !== null && /unknown command|unknown subcommand/i.test(error) ? 'ERR/unsupported' : 'ERR';
}

export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  return Math.round(n).toLocaleString('en-US');
}

export function fmtNum(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  return n.toFixed(digits);
}

export function fmtRatio(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  return `${n.toFixed(2)}×`;
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  const a = Math.abs(n);
  if (a >= 1024 * 1024 * 1024) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (a >= 1024 * 1024) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (a >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return null;
  }
  return a / b;
}

/** A GitHub-flavoured Markdown table. Columns after the first are right-aligned. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const widths = header.map((h, i) => Math.max(esc(h).length, ...rows.map((r) => esc(r[i] ?? '').length), 3));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? esc(c).padEnd(widths[i]!) : esc(c).padStart(widths[i]!))).join(' | ')} |`;
  const sep = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}
