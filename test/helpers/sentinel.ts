/**
 * Helpers for the sentinel process tests: a primary with replicas (real
 * redis-server or Cinnabar), sentinels (Cinnabar's or real redis-sentinel) with
 * config files in temp dirs, polling with deadlines, the sentinels' event
 * streams, and writers through sentinel-aware clients (ioredis, node-redis) that
 * record every acknowledged write so a test can count what a failover lost.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { RespClient, toPlain, type Plain, type Reply } from '../../src/protocol/resp-client.js';
import { startCinnabar, startRedis, type ServerHandle } from './servers.js';

export { waitFor, call, callRaw, infoField, type Kind } from './wait.js';
import { call, infoField, waitFor, type Kind } from './wait.js';

/** A RESP2 flat [k, v, k, v...] array (or a RESP3 map) as an object. */
export function asMap(p: Plain): Record<string, string> {
  if (p !== null && typeof p === 'object' && !Array.isArray(p) && !(p instanceof Error)) return p as Record<string, string>;
  const out: Record<string, string> = {};
  const a = p as string[];
  for (let i = 0; i + 1 < a.length; i += 2) out[String(a[i])] = String(a[i + 1]);
  return out;
}

// ---- data nodes -----------------------------------------------------------------------------

export interface DataNodes {
  primary: ServerHandle;
  replicas: ServerHandle[];
  all: ServerHandle[];
}

/** Full syncs start at once (no 5 s wait for more replicas): any node may become a primary. */
const DATA_ARGS = ['--repl-diskless-sync-delay', '0'];

function startData(kind: Kind, args: string[] = []): Promise<ServerHandle> {
  return kind === 'redis' ? startRedis({ args: [...DATA_ARGS, ...args] }) : startCinnabar({ args: [...DATA_ARGS, ...args] });
}

/** A primary and `n` replicas, returned once every replica reports its link up. */
export async function startDataNodes(kind: Kind, n = 2): Promise<DataNodes> {
  const primary = await startData(kind);
  const replicas: ServerHandle[] = [];
  for (let i = 0; i < n; i++) replicas.push(await startData(kind, ['--replicaof', '127.0.0.1', String(primary.port)]));
  for (const r of replicas) {
    await waitFor(`replica ${r.port} linked to ${primary.port}`, async () => (await infoField(r.port, 'replication', 'master_link_status')) === 'up', 20000);
  }
  return { primary, replicas, all: [primary, ...replicas] };
}

/**
 * Whether Cinnabar replication works as the sentinel tests need it: a Cinnabar
 * replica of a Cinnabar primary gets a key, reports master_link_status:up, and
 * ROLE says "connected".
 */
export async function cinnabarReplicationWorks(): Promise<boolean> {
  let p: ServerHandle | null = null;
  let r: ServerHandle | null = null;
  try {
    p = await startCinnabar({ args: DATA_ARGS });
    await call(p.port, 'SET', 'probe', '1');
    r = await startCinnabar({ args: [...DATA_ARGS, '--replicaof', '127.0.0.1', String(p.port)] });
    const rp = r.port;
    await waitFor(
      'cinnabar replica sync',
      async () =>
        (await call(rp, 'GET', 'probe')) === '1' &&
        (await infoField(rp, 'replication', 'master_link_status')) === 'up' &&
        ((await call(rp, 'ROLE')) as Plain[])[3] === 'connected',
      8000,
    );
    return true;
  } catch {
    return false;
  } finally {
    await r?.stop();
    await p?.stop();
  }
}

// ---- sentinels ------------------------------------------------------------------------------

export interface SentinelOptions {
  quorum?: number;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  masterName?: string;
  extra?: string[];
}

export interface SentinelHandle {
  kind: Kind;
  proc: ServerHandle;
  port: number;
  confPath: string;
  dir: string;
  stop(): Promise<void>;
}

const confDirs: string[] = [];
process.on('exit', () => {
  for (const d of confDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes a sentinel.conf monitoring `masterPort` in a fresh temp dir. */
export function writeSentinelConf(masterPort: number, o: SentinelOptions = {}): { dir: string; confPath: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-sentinel-conf-'));
  confDirs.push(dir);
  const name = o.masterName ?? 'mymaster';
  const lines = [
    `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${o.quorum ?? 2}`,
    `sentinel down-after-milliseconds ${name} ${o.downAfterMs ?? 1000}`,
    `sentinel failover-timeout ${name} ${o.failoverTimeoutMs ?? 5000}`,
    ...(o.extra ?? []),
  ];
  const confPath = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(confPath, lines.join('\n') + '\n');
  return { dir, confPath };
}

/** Starts a sentinel (Cinnabar's or redis-server --sentinel) on `confPath`. */
export async function startSentinelOn(kind: Kind, confPath: string, dir: string, port?: number): Promise<SentinelHandle> {
  // The rewritten file names the previous process's `dir` (Redis's rewrite always
  // writes it) and that temp dir is gone after a restart: the new process's own
  // dir wins on the command line (the redis-server helper passes --dir already).
  const args = kind === 'cinnabar' ? ['--sentinel', '--dir', '.'] : ['--sentinel'];
  const opts = { configFile: confPath, args, ...(port !== undefined ? { port } : {}) };
  const proc = kind === 'redis' ? await startRedis(opts) : await startCinnabar(opts);
  return {
    kind,
    proc,
    port: proc.port,
    confPath,
    dir,
    stop: () => proc.stop(),
  };
}

export async function startSentinel(kind: Kind, masterPort: number, o: SentinelOptions = {}): Promise<SentinelHandle> {
  const { dir, confPath } = writeSentinelConf(masterPort, o);
  return startSentinelOn(kind, confPath, dir);
}

/** The port GET-MASTER-ADDR-BY-NAME gives, or null (no answer or unknown master). */
export async function masterPortOf(s: SentinelHandle | number, name = 'mymaster'): Promise<number | null> {
  try {
    const r = await call(typeof s === 'number' ? s : s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
    return Array.isArray(r) ? Number(r[1]) : null;
  } catch {
    return null;
  }
}

/** Waits until every sentinel knows all the others and `replicas` replicas of the master. */
export async function waitDiscovery(sentinels: SentinelHandle[], replicas: number, timeoutMs = 20000, name = 'mymaster'): Promise<void> {
  for (const s of sentinels) {
    await waitFor(
      `sentinel ${s.kind}:${s.port} to discover ${sentinels.length - 1} sentinels and ${replicas} replicas`,
      async () => {
        const m = asMap(await call(s.port, 'SENTINEL', 'MASTER', name));
        return Number(m['num-other-sentinels']) === sentinels.length - 1 && Number(m['num-slaves']) === replicas;
      },
      timeoutMs,
      100,
    );
  }
}

/**
 * A rewritten sentinel.conf for comparison: `names` replaced (ports, run ids),
 * `dir` hidden, and each run of server directives (not sentinel lines, not
 * comments) sorted, since redis-sentinel writes those in the random order of its
 * config dict.
 */
export function normaliseConf(text: string, names: Map<string, string>): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  const out = lines.map((l) => {
    let t = l.replace(/^dir ".*"$/, 'dir "<dir>"');
    // Redis 7.2 gives every user the sanitize-payload flag, 7.0 does not (known
    // difference acl-sanitize-payload): user lines are compared without it.
    if (t.startsWith('user ')) t = t.replace(/ sanitize-payload(?= )/, '');
    for (const [from, to] of names) t = t.split(from).join(to);
    return t;
  });
  // Runs of server directives (not sentinel lines, not comments) sorted.
  const res: string[] = [];
  let run: string[] = [];
  const isServerLine = (l: string): boolean => l !== '' && !l.startsWith('#') && !l.startsWith('sentinel ');
  for (const l of out) {
    if (isServerLine(l)) {
      run.push(l);
      continue;
    }
    res.push(...run.sort(), l);
    run = [];
  }
  res.push(...run.sort());
  return res;
}

// ---- events ---------------------------------------------------------------------------------

export interface SentinelEvent {
  at: number;
  channel: string;
  message: string;
}

/** Every event a sentinel publishes (PSUBSCRIBE *), timestamped. */
export class EventLog {
  readonly events: SentinelEvent[] = [];
  private client: RespClient | null = null;

  static async open(port: number): Promise<EventLog> {
    const log = new EventLog();
    const c = await RespClient.connect({ port, host: '127.0.0.1', timeoutMs: 3000 });
    log.client = c;
    c.on('push', (r: Reply) => {
      const v = toPlain(r);
      if (Array.isArray(v) && v[0] === 'pmessage') log.events.push({ at: Date.now(), channel: String(v[2]), message: String(v[3]) });
      c.clearPushes();
    });
    await c.call('PSUBSCRIBE', '*');
    return log;
  }

  has(channel: string, match?: (msg: string) => boolean): boolean {
    return this.events.some((e) => e.channel === channel && (match === undefined || match(e.message)));
  }

  async wait(channel: string, timeoutMs: number, match?: (msg: string) => boolean): Promise<SentinelEvent> {
    return waitFor(`event ${channel}`, () => this.events.find((e) => e.channel === channel && (match === undefined || match(e.message))), timeoutMs);
  }

  close(): void {
    this.client?.destroy();
    this.client = null;
  }
}

/**
 * After a kill -9 or SIGSTOP of `proc`: waits until the process is gone (or
 * stopped, per /proc), and returns a time after which no reply from it can
 * still be in flight (50 ms later: replies it wrote before have been read by
 * then). Acknowledgements after that came from another server.
 */
export async function settledAfterFault(proc: ServerHandle, signal: 'SIGKILL' | 'SIGSTOP'): Promise<number> {
  if (signal === 'SIGKILL') {
    await Promise.race([proc.waitExit(), new Promise((r) => setTimeout(r, 5000))]);
  } else {
    await waitFor(`process ${proc.pid} stopped`, () => /^\d+ \(.*\) T/.test(fs.readFileSync(`/proc/${proc.pid}/stat`, 'latin1')), 5000, 5);
  }
  return Date.now() + 50;
}

// ---- writers --------------------------------------------------------------------------------

/**
 * Writes SET <prefix><i> <i> one after the other through a client, recording each
 * acknowledged index with the time it was acknowledged. Paced at about one
 * write per millisecond so the writers do not starve the processes under test.
 */
export class Writer {
  readonly acked: Array<{ i: number; at: number }> = [];
  failures = 0;
  private running = true;
  private loop: Promise<void> | null = null;
  lastError = '';

  constructor(
    readonly label: string,
    readonly prefix: string,
    private readonly set: (key: string, value: string) => Promise<unknown>,
  ) {}

  start(): void {
    this.loop = (async () => {
      for (let i = 0; this.running; i++) {
        try {
          await this.set(this.prefix + i, String(i));
          this.acked.push({ i, at: Date.now() });
        } catch (e) {
          this.failures++;
          this.lastError = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
  }

  /** The first write acknowledged after `t`, or undefined. */
  firstAckAfter(t: number): { i: number; at: number } | undefined {
    return this.acked.find((a) => a.at > t);
  }

  async stop(): Promise<void> {
    this.running = false;
    // A write may be stuck on a dead connection: do not wait for it forever.
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 3000))]);
  }
}

export interface SentinelClients {
  writers: Writer[];
  /** Times the ioredis client ended and was reconnected by the helper (see startSentinelClients). */
  ioRestarts: { n: number };
  close(): Promise<void>;
}

/** ioredis and node-redis sentinel clients on `sentinelPorts`, each with a writer. */
export async function startSentinelClients(sentinelPorts: number[], name = 'mymaster'): Promise<SentinelClients> {
  const io = new Redis({
    sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
    name,
    maxRetriesPerRequest: null,
    retryStrategy: () => 50,
    sentinelRetryStrategy: () => 50,
    failoverDetector: true,
    // A hung primary (SIGSTOP) never finishes a graceful close: give up on it after
    // 200 ms instead of ioredis's default 2 s.
    disconnectTimeout: 200,
    enableReadyCheck: true,
    lazyConnect: false,
  });
  io.on('error', () => {});
  // ioredis 6.0.0: a +switch-master that arrives while it is already reconnecting
  // (its failover detector disconnects a connection attempt in progress) leaves the
  // client ended, its queue flushed with "Connection is closed.". An application
  // reconnects it; so does this helper, and the restarts are counted.
  let closing = false;
  const ioRestarts = { n: 0 };
  io.on('end', () => {
    if (closing) return;
    ioRestarts.n++;
    io.connect().catch(() => {});
  });
  const nr = createSentinel({
    name,
    sentinelRootNodes: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
    nodeClientOptions: { socket: { reconnectStrategy: () => 50, connectTimeout: 2000 } },
    sentinelClientOptions: { socket: { reconnectStrategy: () => 50, connectTimeout: 2000 } },
    scanInterval: 1000,
  });
  nr.on('error', () => {});
  await nr.connect();
  await waitFor('ioredis ready', () => io.status === 'ready', 10000);
  const writers = [new Writer('ioredis', 'io:', (k, v) => io.set(k, v)), new Writer('node-redis', 'nr:', (k, v) => nr.set(k, v))];
  for (const w of writers) w.start();
  return {
    writers,
    ioRestarts,
    async close() {
      closing = true;
      await Promise.all(writers.map((w) => w.stop()));
      io.disconnect();
      try {
        await nr.close();
      } catch {
        nr.destroy();
      }
    },
  };
}

/** How many acknowledged writes are missing on the server at `port`. */
export async function countLost(port: number, w: Writer): Promise<number> {
  const c = await RespClient.connect({ port, host: '127.0.0.1', timeoutMs: 3000, commandTimeoutMs: 10000 });
  try {
    let lost = 0;
    for (let off = 0; off < w.acked.length; off += 1000) {
      const chunk = w.acked.slice(off, off + 1000);
      const r = toPlain(await c.call('MGET', ...chunk.map((a) => w.prefix + a.i))) as Array<string | null>;
      for (let j = 0; j < chunk.length; j++) if (r[j] !== String(chunk[j].i)) lost++;
    }
    return lost;
  } finally {
    c.destroy();
  }
}

/** Waits until the replicas at `ports` follow `masterPort` with their link up. */
export async function waitReplicasOf(masterPort: number, ports: number[], timeoutMs: number): Promise<void> {
  for (const p of ports) {
    await waitFor(
      `${p} to replicate from ${masterPort}`,
      async () => {
        const r = (await call(p, 'ROLE')) as Plain[];
        return r[0] === 'slave' && Number(r[2]) === masterPort && r[3] === 'connected';
      },
      timeoutMs,
      100,
    );
  }
}
