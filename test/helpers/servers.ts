/**
 * Test helpers that start real servers: the reference redis-server and
 * Cinnabar itself. Every started process is killed on `stop()` and, as a
 * safety net, when the test process exits or receives SIGINT/SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { RespClient, formatReply, type RespClientOptions } from '../../src/protocol/resp-client.js';

export const REDIS_SERVER_PATH = process.env['CINNABAR_REDIS_SERVER'] ?? '/usr/bin/redis-server';

/** Repository root, resolved from this file's compiled location (dist/test/helpers/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Path of the Cinnabar server launcher (bin/cinnabar-server.js). */
export function cinnabarBinPath(): string {
  return process.env['CINNABAR_SERVER_BIN'] ?? path.join(REPO_ROOT, 'bin', 'cinnabar-server.js');
}

// ---------------------------------------------------------------------------
// Process registry: kill everything we started when the test process ends.
// ---------------------------------------------------------------------------

interface Live {
  child: ChildProcess;
  dir: string;
}

const live = new Set<Live>();
let handlersInstalled = false;

function killAllSync(): void {
  for (const l of live) {
    try {
      if (l.child.exitCode === null && l.child.signalCode === null) l.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    try {
      fs.rmSync(l.dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  live.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      killAllSync();
      // If nobody else handles the signal, restore the default behaviour.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, handler);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, handler);
  }
}

// ---------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------

/** A TCP port that was free on 127.0.0.1 a moment ago (bind 0, read, close). */
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

// ---------------------------------------------------------------------------
// Server handles
// ---------------------------------------------------------------------------

export interface StartOptions {
  /** Extra command-line arguments appended after the defaults. */
  args?: string[];
  /** Config file passed as the first argument. */
  configFile?: string;
  /** Leave out the harness's `--save ""`, so the config file's save lines hold. */
  fileSave?: boolean;
  /** Pass only the config file and `args`: the file sets port, dir and the rest (give `port` too). */
  noDefaults?: boolean;
  /** Leave out the harness's `--bind 127.0.0.1`, so the server binds where its defaults say (`* -::*`). */
  defaultBind?: boolean;
  /** Fixed port (default: a free one; on "address in use" a new one is tried). */
  port?: number;
  /** Deadline for the server to answer PING (default 15000 ms). */
  startTimeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface ServerHandle {
  readonly kind: 'redis' | 'cinnabar';
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Private temporary working directory (removed on stop). */
  readonly dir: string;
  /** Open a new client connection (closed automatically on stop). */
  client(opts?: Partial<RespClientOptions>): Promise<RespClient>;
  /** SIGTERM, then SIGKILL after a grace period; removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Send a signal to the process (e.g. SIGKILL for crash tests). */
  kill(signal?: NodeJS.Signals): void;
  /** True once the process has exited. */
  readonly exited: boolean;
  /** Resolves when the process has exited. */
  waitExit(): Promise<void>;
  /** How it ended once it has: "exited with code <n>" or "killed by <signal>" ('' while running). */
  readonly exitDescription: string;
  /** Tail of the combined stdout/stderr of the process. */
  output(): string;
}

const OUTPUT_TAIL = 64 * 1024;

interface SpawnSpec {
  kind: 'redis' | 'cinnabar';
  command: string;
  /** Arguments before the config file (e.g. the script for node). */
  prefix: string[];
  /** Default arguments given the chosen port and temp dir. */
  args: (port: number, dir: string) => string[];
}

class Proc implements ServerHandle {
  readonly host = '127.0.0.1';
  readonly child: ChildProcess;
  readonly pid: number;
  private out = '';
  private readonly activity = new EventEmitter();
  private readonly exitPromise: Promise<void>;
  private readonly clients = new Set<RespClient>();
  private stopping: Promise<void> | null = null;
  private readonly liveEntry: Live;
  exitDescription = '';

  constructor(
    readonly kind: 'redis' | 'cinnabar',
    readonly port: number,
    readonly dir: string,
    command: string,
    args: string[],
    env: Record<string, string> | undefined,
  ) {
    installHandlers();
    this.child = spawn(command, args, {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.liveEntry = { child: this.child, dir };
    live.add(this.liveEntry);
    this.pid = this.child.pid ?? -1;
    this.activity.setMaxListeners(0);
    const onOut = (d: Buffer): void => {
      this.out += d.toString('utf8');
      if (this.out.length > OUTPUT_TAIL * 2) this.out = this.out.slice(-OUTPUT_TAIL);
      this.activity.emit('activity');
    };
    this.child.stdout?.on('data', onOut);
    this.child.stderr?.on('data', onOut);
    this.exitPromise = new Promise<void>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitDescription = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
        live.delete(this.liveEntry);
        this.activity.emit('activity');
        resolve();
      });
      this.child.once('error', (err) => {
        this.exitDescription = `failed to spawn: ${err.message}`;
        live.delete(this.liveEntry);
        this.activity.emit('activity');
        resolve();
      });
    });
    // A forgotten server must not keep the test process alive; the exit
    // handler kills it.
    this.child.unref();
    for (const s of [this.child.stdout, this.child.stderr]) {
      if (s instanceof net.Socket) s.unref();
    }
  }

  get exited(): boolean {
    return this.exitDescription !== '';
  }

  output(): string {
    return this.out.length > OUTPUT_TAIL ? this.out.slice(-OUTPUT_TAIL) : this.out;
  }

  /** Resolve on the next output / exit event, or after `ms`. */
  waitActivity(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.activity.off('activity', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.activity.on('activity', done);
    });
  }

  waitExit(): Promise<void> {
    if (this.exited) return this.exitPromise;
    // The child and its pipes are unref'd (a forgotten server must not keep the test
    // process alive); while someone waits for the exit, a ref'd timer keeps the event
    // loop from emptying under the pending promise.
    const keepAlive = setInterval(() => {}, 1000);
    return this.exitPromise.finally(() => clearInterval(keepAlive));
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!this.exited) this.child.kill(signal);
  }

  async client(opts: Partial<RespClientOptions> = {}): Promise<RespClient> {
    const c = await RespClient.connect({ host: this.host, port: this.port, timeoutMs: 5000, ...opts });
    this.clients.add(c);
    c.once('close', () => this.clients.delete(c));
    return c;
  }

  stop(): Promise<void> {
    if (this.stopping === null) this.stopping = this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    if (!this.exited) {
      this.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([
        this.exitPromise.then(() => true),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(false), 5000);
        }),
      ]);
      clearTimeout(timer);
      if (!graceful) {
        this.child.kill('SIGKILL');
        await this.exitPromise;
      }
    }
    live.delete(this.liveEntry);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function tail(s: string, lines = 40): string {
  const parts = s.trimEnd().split('\n');
  return parts.slice(-lines).join('\n');
}

/**
 * PING, then INFO server's process_id: the answer must come from `pid`. Between
 * freePort() and the bind, another test's server may take the port; its PONG must
 * not pass for ours (ours then exits on "address in use" and the start is retried).
 */
async function tryPing(port: number, timeoutMs: number, pid: number): Promise<string> {
  const c = await RespClient.connect({ host: '127.0.0.1', port, timeoutMs });
  let t: NodeJS.Timeout | undefined;
  try {
    const timer = new Promise<never>((_, rej) => {
      t = setTimeout(() => rej(new Error('PING timed out')), timeoutMs);
    });
    const r = await Promise.race([c.call('PING'), timer]);
    if (!(r.t === 'simple' && r.v === 'PONG')) throw new Error(`PING answered ${formatReply(r)}`);
    const i = await Promise.race([c.call('INFO', 'server'), timer]);
    const owner = i.t === 'bulk' && typeof i.v === 'string' ? /^process_id:(\d+)/m.exec(i.v)?.[1] : undefined;
    if (owner !== undefined && Number(owner) !== pid) throw new Error(`port ${port} is answered by pid ${owner}, not by ${pid}`);
    return 'PONG';
  } finally {
    clearTimeout(t);
    c.destroy();
  }
}

/** The default arguments, without `--save ""` when `drop`. */
function withoutSave(args: string[], drop: boolean): string[] {
  if (!drop) return args;
  const i = args.indexOf('--save');
  return i < 0 ? args : [...args.slice(0, i), ...args.slice(i + 2)];
}

/** The default arguments, without `--bind 127.0.0.1` when `drop`. */
function withoutBind(args: string[], drop: boolean): string[] {
  if (!drop) return args;
  const i = args.indexOf('--bind');
  return i < 0 ? args : [...args.slice(0, i), ...args.slice(i + 2)];
}

async function startProcess(spec: SpawnSpec, opts: StartOptions): Promise<ServerHandle> {
  const timeoutMs = opts.startTimeoutMs ?? 15000;
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = opts.port ?? (await freePort());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cinnabar-${spec.kind}-`));
    const args = [
      ...spec.prefix,
      ...(opts.configFile !== undefined ? [opts.configFile] : []),
      ...(opts.noDefaults === true ? [] : withoutBind(withoutSave(spec.args(port, dir), opts.fileSave === true), opts.defaultBind === true)),
      ...(opts.args ?? []),
    ];
    const proc = new Proc(spec.kind, port, dir, spec.command, args, opts.env);
    const deadline = Date.now() + timeoutMs;
    let lastPingError = '';
    for (;;) {
      if (proc.exited) break;
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        await tryPing(port, Math.min(1000, remaining), proc.pid);
        return proc;
      } catch (e) {
        lastPingError = e instanceof Error ? e.message : String(e);
      }
      if (proc.exited) break;
      // Retry on the next output line (e.g. "Ready to accept connections") or shortly.
      await proc.waitActivity(Math.min(50, Math.max(1, deadline - Date.now())));
    }
    const exited = proc.exited;
    await proc.stop();
    const out = tail(proc.output());
    const cmdline = `${spec.command} ${args.map((a) => (a === '' ? '""' : a)).join(' ')}`;
    lastError = new Error(
      `${spec.kind} server failed to start on port ${port}: ` +
        (exited ? proc.exitDescription : `no PONG within ${timeoutMs}ms (last: ${lastPingError})`) +
        `\n  command: ${cmdline}\n  output tail:\n${out.replace(/^/gm, '    ')}`,
    );
    // Retry only when the port was taken between freePort() and bind.
    if (!/address already in use|EADDRINUSE/i.test(out)) break;
  }
  throw lastError ?? new Error(`${spec.kind} server failed to start`);
}

/** True when the reference redis-server binary is installed. */
export function hasRedis(): boolean {
  try {
    fs.accessSync(REDIS_SERVER_PATH, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * For `test(name, { skip: skipIfNoRedis() }, fn)`: returns a reason string
 * when redis-server is missing (and prints it), false otherwise. Under CI
 * (env CI set) it never skips: the missing binary must fail the run.
 */
export function skipIfNoRedis(): string | false {
  if (hasRedis()) return false;
  const reason = `reference server ${REDIS_SERVER_PATH} not found (install Debian's redis-server)`;
  if (process.env['CI']) {
    console.log(`# NOT skipping although ${reason}: CI must have it`);
    return false;
  }
  console.log(`# skipping: ${reason}`);
  return reason;
}

/**
 * Start /usr/bin/redis-server on a free port with persistence disabled and
 * a private temp dir; resolves once it answers PING.
 */
export function startRedis(opts: StartOptions = {}): Promise<ServerHandle> {
  return startProcess(
    {
      kind: 'redis',
      command: REDIS_SERVER_PATH,
      prefix: [],
      args: (port, dir) => [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        dir,
      ],
    },
    opts,
  );
}

/**
 * Start Cinnabar (`node bin/cinnabar-server.js`) on a free port with
 * persistence disabled; its working directory is a private temp dir.
 * Resolves once it answers PING.
 */
export function startCinnabar(opts: StartOptions = {}): Promise<ServerHandle> {
  const bin = cinnabarBinPath();
  if (!fs.existsSync(bin)) {
    return Promise.reject(new Error(`Cinnabar launcher not found at ${bin} (resolved from ${import.meta.url})`));
  }
  return startProcess(
    {
      kind: 'cinnabar',
      command: process.execPath,
      prefix: [bin],
      args: (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    },
    opts,
  );
}
