/**
 * Real clusters for process tests and benches: N primaries with M replicas each, every
 * node a redis-server or (once cluster mode lands) a Cinnabar process, the kind chosen
 * per node. Nodes get ports whose bus port (port + 10000) is free too, the cluster is
 * created by `redis-cli --cluster create … --cluster-replicas M --cluster-yes`, and
 * `startCluster` resolves once every node reports cluster_state:ok, knows every other
 * node, and every replica's link to its primary is up (all waits with deadlines).
 * Whatever fails, what was started is stopped (and the servers.ts registry kills any
 * process left when the test process exits).
 *
 *   await withCluster({ primaries: 3, replicasEach: 1 }, async (cl) => {
 *     const owner = await cl.primaryForSlot(keyHashSlot('k'));
 *     cl.kill9(owner);
 *     const promoted = await cl.waitPromoted(owner, 10000);
 *   });
 */
import { execFile } from 'node:child_process';
import * as net from 'node:net';

import { startCinnabar, startRedis, type ServerHandle, type StartOptions } from './servers.js';
import { call, info, waitFor } from './wait.js';

export type NodeKind = 'redis' | 'cinnabar';

/** Bus port offset (CLUSTER_PORT_INCR). */
export const CLUSTER_PORT_INCR = 10000;
/**
 * Client ports are drawn from [CLUSTER_PORT_LO, CLUSTER_PORT_HI): their bus ports then
 * lie in [22000, 32000), under Linux's ephemeral range (32768+) that freePort() and
 * outgoing connections use, so neither collides with them.
 */
export const CLUSTER_PORT_LO = 12000;
export const CLUSTER_PORT_HI = 22000;
/** Tries at drawing a port pair before giving up. */
const PORT_TRIES_MAX = 200;
/** Tries at starting a node when its port was taken between the check and the bind. */
const START_TRIES_MAX = 4;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A client port that, with its bus port (port + 10000), was free on 127.0.0.1 a moment ago. */
export async function freeClusterPort(): Promise<number> {
  for (let i = 0; i < PORT_TRIES_MAX; i++) {
    const port = CLUSTER_PORT_LO + Math.floor(Math.random() * (CLUSTER_PORT_HI - CLUSTER_PORT_LO));
    if ((await canBind(port)) && (await canBind(port + CLUSTER_PORT_INCR))) return port;
  }
  throw new Error(`no free port pair (p, p+${CLUSTER_PORT_INCR}) found in [${CLUSTER_PORT_LO}, ${CLUSTER_PORT_HI})`);
}

export interface ClusterNodeOptions {
  /** cluster-node-timeout (default 5000 ms). */
  nodeTimeoutMs?: number;
  /** More directives after the cluster ones. */
  args?: string[];
  startTimeoutMs?: number;
}

/** One node with cluster-enabled yes (nodes.conf in its temp dir), on a free port pair. */
export async function startClusterNode(kind: NodeKind, opts: ClusterNodeOptions = {}): Promise<ServerHandle> {
  let last: unknown;
  for (let i = 0; i < START_TRIES_MAX; i++) {
    const port = await freeClusterPort();
    const so: StartOptions = {
      port,
      startTimeoutMs: opts.startTimeoutMs ?? 15000,
      args: [
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 5000),
        ...(opts.args ?? []),
      ],
    };
    try {
      return kind === 'redis' ? await startRedis(so) : await startCinnabar(so);
    } catch (e) {
      last = e;
      if (!/address already in use|EADDRINUSE/i.test(String(e))) throw e;
    }
  }
  throw last;
}

/** One line of CLUSTER NODES. */
export interface NodesLine {
  id: string;
  host: string;
  port: number;
  cport: number;
  hostname: string;
  flags: string[];
  master: string | null;
  configEpoch: number;
  link: string;
  /** Slot ranges owned, [from, to] inclusive (importing/migrating entries left out). */
  slots: [number, number][];
}

export function parseClusterNodes(text: string): NodesLine[] {
  const out: NodesLine[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    if (f.length < 8) continue;
    const m = /^(.*):(\d+)@(\d+)(?:,(.*))?$/.exec(f[1]!);
    const slots: [number, number][] = [];
    for (const s of f.slice(8)) {
      if (s.startsWith('[')) continue;
      const [a, b] = s.split('-');
      slots.push([Number(a), Number(b ?? a)]);
    }
    out.push({
      id: f[0]!,
      host: m?.[1] ?? '',
      port: Number(m?.[2] ?? 0),
      cport: Number(m?.[3] ?? 0),
      hostname: m?.[4] ?? '',
      flags: f[2]!.split(','),
      master: f[3] === '-' ? null : f[3]!,
      configEpoch: Number(f[6]),
      link: f[7]!,
      slots,
    });
  }
  return out;
}

export async function clusterNodes(port: number): Promise<NodesLine[]> {
  return parseClusterNodes(String(await call(port, 'CLUSTER', 'NODES')));
}

export interface ClusterNode {
  readonly kind: NodeKind;
  readonly handle: ServerHandle;
  readonly port: number;
  readonly busPort: number;
  /** CLUSTER MYID. */
  readonly id: string;
  /** Set by kill9 (and by stop). */
  dead: boolean;
  /** Set by sigstop, cleared by sigcont. */
  stopped: boolean;
}

export interface ClusterOptions extends ClusterNodeOptions {
  primaries: number;
  replicasEach: number;
  /** The kind of each node, in creation order (the first `primaries` are given to redis-cli first); default all redis. */
  kinds?: NodeKind[];
  /** Deadline for creation and cluster_state:ok (default 60 s). */
  readyTimeoutMs?: number;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

export class Cluster {
  constructor(readonly nodes: ClusterNode[]) {}

  /** Nodes alive and not stopped. */
  live(): ClusterNode[] {
    return this.nodes.filter((n) => !n.dead && !n.stopped);
  }

  byId(id: string): ClusterNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  /** CLUSTER NODES as a live node sees it. */
  async view(from?: ClusterNode): Promise<NodesLine[]> {
    const n = from ?? this.live()[0];
    if (!n) throw new Error('no live node to ask');
    return clusterNodes(n.port);
  }

  /** The primary serving `slot`, as the first live node (or `from`) sees it. */
  async primaryForSlot(slot: number, from?: ClusterNode): Promise<ClusterNode> {
    for (const l of await this.view(from)) {
      if (l.flags.includes('master') && l.slots.some(([a, b]) => slot >= a && slot <= b)) {
        const n = this.byId(l.id);
        if (n) return n;
      }
    }
    throw new Error(`no primary owns slot ${slot}`);
  }

  /** Current primaries (flag master with slots), as `from` sees them. */
  async primaries(from?: ClusterNode): Promise<ClusterNode[]> {
    return (await this.view(from)).filter((l) => l.flags.includes('master') && l.slots.length > 0 && !l.flags.includes('fail'))
      .map((l) => this.byId(l.id)).filter((n): n is ClusterNode => n !== undefined);
  }

  /** Replicas of `primary`, as `from` sees them. */
  async replicasOf(primary: ClusterNode, from?: ClusterNode): Promise<ClusterNode[]> {
    return (await this.view(from)).filter((l) => l.master === primary.id)
      .map((l) => this.byId(l.id)).filter((n): n is ClusterNode => n !== undefined);
  }

  kill9(n: ClusterNode): void {
    n.handle.kill('SIGKILL');
    n.dead = true;
  }

  sigstop(n: ClusterNode): void {
    n.handle.kill('SIGSTOP');
    n.stopped = true;
  }

  sigcont(n: ClusterNode): void {
    n.handle.kill('SIGCONT');
    n.stopped = false;
  }

  /**
   * Waits until one of the replicas `old` had (taken when it was still a primary:
   * pass them, or they are read now from a live node) reports role:master, and
   * returns it.
   */
  async waitPromoted(old: ClusterNode, timeoutMs: number, replicas?: ClusterNode[]): Promise<ClusterNode> {
    const cands = replicas ?? (await this.replicasOf(old, this.live().find((n) => n !== old)));
    if (cands.length === 0) throw new Error(`${old.id} has no replica to promote`);
    return waitFor(`a replica of ${old.port} promoted`, async () => {
      for (const c of cands) {
        if (c.dead || c.stopped) continue;
        const role = (await info(c.port, 'replication')).get('role');
        if (role === 'master') return c;
      }
      return undefined;
    }, timeoutMs, 20);
  }

  /** Waits until every live node reports cluster_state:ok and knows `known` nodes (default: all). */
  async waitOk(timeoutMs: number, known = this.nodes.length): Promise<void> {
    for (const n of this.live()) {
      await waitFor(`cluster_state:ok and ${known} known nodes on ${n.kind} :${n.port}`, async () => {
        const ci = String(await call(n.port, 'CLUSTER', 'INFO'));
        return /cluster_state:ok/.test(ci) && new RegExp(`cluster_known_nodes:${known}\\b`).test(ci);
      }, timeoutMs);
    }
  }

  /** Stops every node (SIGCONT first for stopped ones). Idempotent. */
  async stop(): Promise<void> {
    for (const n of this.nodes) if (n.stopped) this.sigcont(n);
    await Promise.all(this.nodes.map((n) => n.handle.stop()));
    for (const n of this.nodes) n.dead = true;
  }
}

/** Starts the nodes, creates the cluster with redis-cli, waits until it is ready. On failure everything is stopped. */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const total = opts.primaries * (1 + opts.replicasEach);
  const kinds = opts.kinds ?? Array<NodeKind>(total).fill('redis');
  if (kinds.length !== total) throw new Error(`kinds has ${kinds.length} entries for ${total} nodes`);
  const readyMs = opts.readyTimeoutMs ?? 60000;
  const handles: ServerHandle[] = [];
  const nodes: ClusterNode[] = [];
  try {
    for (const k of kinds) handles.push(await startClusterNode(k, opts));
    for (let i = 0; i < total; i++) {
      const h = handles[i]!;
      const id = String(await call(h.port, 'CLUSTER', 'MYID'));
      nodes.push({ kind: kinds[i]!, handle: h, port: h.port, busPort: h.port + CLUSTER_PORT_INCR, id, dead: false, stopped: false });
    }
    await run('redis-cli', ['--cluster', 'create', ...handles.map((h) => `127.0.0.1:${h.port}`),
      '--cluster-replicas', String(opts.replicasEach), '--cluster-yes'], readyMs);
    const cl = new Cluster(nodes);
    await cl.waitOk(readyMs);
    // Every replica synced with its primary (a replica never synced is not eligible for failover).
    for (const n of nodes) {
      await waitFor(`replica :${n.port} linked to its primary`, async () => {
        const r = await info(n.port, 'replication');
        return r.get('role') === 'master' || r.get('master_link_status') === 'up';
      }, readyMs);
    }
    return cl;
  } catch (e) {
    const logs = handles.map((h) => `--- ${h.kind} :${h.port}\n${h.output().split('\n').slice(-15).join('\n')}`).join('\n');
    await Promise.all(handles.map((h) => h.stop()));
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${logs}`);
  }
}

/** Runs `fn` on a fresh cluster and stops it afterwards, whatever happens. */
export async function withCluster<T>(opts: ClusterOptions, fn: (cl: Cluster) => Promise<T>): Promise<T> {
  const cl = await startCluster(opts);
  try {
    return await fn(cl);
  } finally {
    await cl.stop();
  }
}
