/**
 * Helpers for the replication process tests: polling with deadlines, INFO and
 * ROLE as data, datasets read key by key (by type, so that Cinnabar and
 * redis-server compare although their DUMP payloads differ), a TCP proxy whose
 * connections a test can cut, and starting primaries and replicas of either kind.
 */
import * as net from 'node:net';
import { RespClient, toPlain } from '../../src/protocol/resp-client.js';
import { startCinnabar, startRedis, type ServerHandle, type StartOptions } from './servers.js';

export { waitFor, call, info, type Kind } from './wait.js';
import { call, info, waitFor, type Kind } from './wait.js';

/** INFO replication's field names in order (for format comparisons). */
export async function infoFieldNames(port: number): Promise<string[]> {
  const text = (await call(port, 'INFO', 'replication')) as string;
  return text
    .split('\r\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.slice(0, l.indexOf(':')));
}

/** True when a replica's link is up and it applied everything its primary produced. */
export async function inSync(primaryPort: number, replicaPort: number): Promise<boolean> {
  const [p, r] = await Promise.all([info(primaryPort), info(replicaPort)]);
  return r.get('master_link_status') === 'up' && p.get('master_repl_offset') === r.get('slave_repl_offset');
}

export function waitInSync(primaryPort: number, replicaPort: number, timeoutMs = 20000): Promise<boolean> {
  return waitFor(`replica :${replicaPort} in sync with :${primaryPort}`, () => inSync(primaryPort, replicaPort), timeoutMs);
}

export async function waitLinkUp(replicaPort: number, timeoutMs = 20000): Promise<void> {
  await waitFor(`link up on :${replicaPort}`, async () => (await info(replicaPort)).get('master_link_status') === 'up', timeoutMs);
}

/**
 * Every key of the given databases with its type, value (sorted where order is
 * not defined) and whether it has a TTL: a canonical text per key.
 */
export async function datasetOf(port: number, dbs: number[] = [0]): Promise<Map<string, string>> {
  const c = await RespClient.connect({ port, host: '127.0.0.1', timeoutMs: 3000, commandTimeoutMs: 20000 });
  const out = new Map<string, string>();
  try {
    for (const db of dbs) {
      await c.call('SELECT', String(db));
      let cursor = '0';
      const keys: string[] = [];
      do {
        const r = toPlain(await c.call('SCAN', cursor, 'COUNT', '1000')) as [string, string[]];
        cursor = r[0];
        keys.push(...r[1]);
      } while (cursor !== '0');
      for (let i = 0; i < keys.length; i += 200) {
        const batch = keys.slice(i, i + 200);
        const types = (await c.pipeline(batch.map((k) => ['TYPE', k]))).map((r) => toPlain(r) as string);
        const reads = await c.pipeline(
          batch.map((k, j) => {
            switch (types[j]) {
              case 'string':
                return ['GET', k];
              case 'list':
                return ['LRANGE', k, '0', '-1'];
              case 'hash':
                return ['HGETALL', k];
              case 'set':
                return ['SMEMBERS', k];
              case 'zset':
                return ['ZRANGE', k, '0', '-1', 'WITHSCORES'];
              default:
                return ['TYPE', k];
            }
          }),
        );
        const ttls = (await c.pipeline(batch.map((k) => ['PTTL', k]))).map((r) => Number(toPlain(r)));
        for (let j = 0; j < batch.length; j++) {
          let v = toPlain(reads[j]);
          if (types[j] === 'set' && Array.isArray(v)) v = (v as string[]).slice().sort();
          if (types[j] === 'hash' && Array.isArray(v)) {
            const a = v as string[];
            const pairs: string[] = [];
            for (let x = 0; x < a.length; x += 2) pairs.push(`${a[x]}=${a[x + 1]}`);
            v = pairs.sort();
          }
          out.set(`${db}:${batch[j]}`, `${types[j]} ${ttls[j] >= 0 ? 'ttl' : 'nottl'} ${JSON.stringify(v)}`);
        }
      }
    }
  } finally {
    c.destroy();
  }
  return out;
}

/** Differences between two datasets (at most `max` described). */
export function datasetDiff(a: Map<string, string>, b: Map<string, string>, max = 10): string[] {
  const out: string[] = [];
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w !== v && out.length < max) out.push(`${k}: ${v.slice(0, 80)} != ${w === undefined ? '(missing)' : w.slice(0, 80)}`);
  }
  for (const k of b.keys()) if (!a.has(k) && out.length < max) out.push(`${k}: (missing) != ${b.get(k)!.slice(0, 80)}`);
  return out;
}

/** Starts a server of the given kind. */
export function startServer(kind: Kind, args: string[] = [], opts: Omit<StartOptions, 'args'> = {}): Promise<ServerHandle> {
  return kind === 'redis' ? startRedis({ ...opts, args }) : startCinnabar({ ...opts, args });
}

/**
 * A TCP proxy in front of a server: connections through it can be cut (both
 * sides destroyed) or frozen (no bytes forwarded) to simulate network faults.
 */
export class TcpProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  port = 0;
  frozen = false;
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(private targetPort: number) {
    this.server = net.createServer((down) => this.accept(down));
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const p = new TcpProxy(targetPort);
    await new Promise<void>((resolve, reject) => {
      p.server.once('error', reject);
      p.server.listen(0, '127.0.0.1', () => resolve());
    });
    p.port = (p.server.address() as net.AddressInfo).port;
    return p;
  }

  private accept(down: net.Socket): void {
    this.accepted++;
    const up = net.createConnection({ host: '127.0.0.1', port: this.targetPort });
    const pair: [net.Socket, net.Socket] = [down, up];
    this.pairs.add(pair);
    const end = (): void => {
      this.pairs.delete(pair);
      down.destroy();
      up.destroy();
    };
    down.on('error', end);
    up.on('error', end);
    down.on('close', end);
    up.on('close', end);
    down.on('data', (d) => {
      if (!this.frozen) up.write(d);
    });
    up.on('data', (d) => {
      if (!this.frozen) down.write(d);
    });
  }

  /** Destroys every connection going through the proxy. */
  cut(): number {
    const n = this.pairs.size;
    for (const [a, b] of [...this.pairs]) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    return n;
  }

  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Writes `n` string keys `prefix:i` with pipelined SETs; resolves when all were acknowledged. */
export async function writeKeys(port: number, prefix: string, n: number, valueSize = 16): Promise<void> {
  const c = await RespClient.connect({ port, host: '127.0.0.1', timeoutMs: 3000, commandTimeoutMs: 30000 });
  try {
    const pad = 'v'.repeat(Math.max(0, valueSize - 8));
    for (let i = 0; i < n; i += 1000) {
      const cmds: string[][] = [];
      for (let j = i; j < Math.min(n, i + 1000); j++) cmds.push(['SET', `${prefix}:${j}`, `${j}:${pad}`]);
      await c.pipeline(cmds);
    }
  } finally {
    c.destroy();
  }
}
