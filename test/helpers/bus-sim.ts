/**
 * A deterministic, seeded network for cluster bus logic: N endpoints exchange encoded bus
 * frames (src/cluster/bus-codec.ts) over links with seeded loss, delay (hence reordering),
 * duplication, corruption and partitions, on a virtual clock. Nothing here reads the wall
 * clock or Math.random: one seed gives one run, and the trace of a run (every send,
 * drop and delivery) is the same on every replay (CINNABAR_SEED, see random.ts).
 *
 * The interface is small so that node logic plugs in unchanged later:
 *
 *   const sim = new BusSim({ seed, endpoints: 5, faults: { lossRate: 0.1, delayMinMs: 1, delayMaxMs: 40 } },
 *     (ctx) => new MyNode(ctx));             // ctx: { id, send(to, frame), now(), rng, peers }
 *   sim.runFor(10_000);                      // ticks every endpoint every tickMs, delivers frames in time order
 *   sim.partition([[0, 1], [2, 3, 4]]); sim.runFor(5000); sim.heal();
 *
 * An endpoint is `{ onFrame(from, frame), tick(nowMs) }`; it sends with `ctx.send`. Frames
 * are checked by decodeBusMessage on send when `validateOnSend` (default true): an endpoint
 * that encodes garbage fails the run at once rather than at the receiver. Events at the same
 * virtual time run in the order they were scheduled; ticks run in endpoint order.
 */
import { decodeBusMessage } from '../../src/cluster/bus-codec.js';
import { Rng } from './random.js';

export interface SimEndpoint {
  onFrame(from: number, frame: Buffer): void;
  tick(nowMs: number): void;
}

export interface SimContext {
  readonly id: number;
  /** Every endpoint id but this one. */
  readonly peers: readonly number[];
  /** Queue `frame` to `to` (subject to the network's faults). */
  send(to: number, frame: Buffer): void;
  /** The virtual time, ms. */
  now(): number;
  /** This endpoint's own generator (forked from the run's seed). */
  readonly rng: Rng;
}

export interface SimFaults {
  /** Probability that a frame is lost (default 0). */
  lossRate?: number;
  /** Probability that a frame is delivered twice (default 0). */
  dupRate?: number;
  /** Probability that one byte of a delivered frame is flipped (default 0): receivers must survive it. */
  corruptRate?: number;
  /** Delay of each frame, uniform in [min, max] ms (default 1..1): distinct delays reorder frames. */
  delayMinMs?: number;
  delayMaxMs?: number;
}

export interface SimOptions {
  seed: number;
  endpoints: number;
  faults?: SimFaults;
  /** Tick period of every endpoint (default 100 ms). */
  tickMs?: number;
  validateOnSend?: boolean;
  /** Trace lines kept (the hash covers all of them; default 100,000). */
  traceMax?: number;
}

/** Frames queued at once before the run is failed (a runaway endpoint, not a network). */
export const SIM_IN_FLIGHT_MAX = 200_000;
/** Events one runFor may process before it is failed (a livelock). */
export const SIM_EVENTS_PER_RUN_MAX = 5_000_000;

export interface SimStats {
  sent: number;
  delivered: number;
  lost: number;
  partitioned: number;
  duplicated: number;
  corrupted: number;
  toCrashed: number;
}

interface Event {
  at: number;
  seq: number;
  kind: 'deliver' | 'tick';
  from: number;
  to: number;
  frame: Buffer | null;
  sentAt: number;
}

/** A binary min-heap of events by (at, seq). */
class EventQueue {
  private h: Event[] = [];
  get size(): number {
    return this.h.length;
  }
  push(e: Event): void {
    const h = this.h;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  peek(): Event | undefined {
    return this.h[0];
  }
  pop(): Event | undefined {
    const h = this.h;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** FNV-1a over a string, continuing from `h`. */
function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** FNV-1a of a frame's bytes (its identity in the trace). */
function frameHash(b: Buffer): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export class BusSim {
  readonly seed: number;
  readonly endpoints: SimEndpoint[] = [];
  readonly stats: SimStats = { sent: 0, delivered: 0, lost: 0, partitioned: 0, duplicated: 0, corrupted: 0, toCrashed: 0 };
  /** The last `traceMax` events as text lines: `t=<ms> <event> <from>-><to> <len>B <hash>`. */
  readonly trace: string[] = [];
  private hash = 0x811c9dc5;
  private readonly rng: Rng;
  private readonly faults: Required<SimFaults>;
  private readonly tickMs: number;
  private readonly validate: boolean;
  private readonly traceMax: number;
  private readonly queue = new EventQueue();
  private seq = 0;
  private nowMs = 0;
  private inFlight = 0;
  /** Partition group of each endpoint; frames cross only within a group. null: no partition. */
  private group: number[] | null = null;
  private readonly crashed = new Set<number>();

  constructor(opts: SimOptions, factory: (ctx: SimContext) => SimEndpoint) {
    this.seed = opts.seed >>> 0;
    this.rng = new Rng(this.seed);
    const f = opts.faults ?? {};
    this.faults = {
      lossRate: f.lossRate ?? 0, dupRate: f.dupRate ?? 0, corruptRate: f.corruptRate ?? 0,
      delayMinMs: f.delayMinMs ?? 1, delayMaxMs: f.delayMaxMs ?? f.delayMinMs ?? 1,
    };
    if (this.faults.delayMinMs < 0 || this.faults.delayMaxMs < this.faults.delayMinMs) throw new RangeError('bad delay bounds');
    this.tickMs = opts.tickMs ?? 100;
    this.validate = opts.validateOnSend ?? true;
    this.traceMax = opts.traceMax ?? 100_000;
    const ids = Array.from({ length: opts.endpoints }, (_, i) => i);
    for (const id of ids) {
      const erng = this.rng.fork();
      const ctx: SimContext = {
        id,
        peers: ids.filter((p) => p !== id),
        send: (to, frame) => this.send(id, to, frame),
        now: () => this.nowMs,
        rng: erng,
      };
      this.endpoints.push(factory(ctx));
    }
    // First ticks staggered by a seeded offset, as real nodes do not start in lockstep.
    for (const id of ids) this.schedule({ at: this.rng.int(this.tickMs), kind: 'tick', from: id, to: id, frame: null, sentAt: 0 });
  }

  get now(): number {
    return this.nowMs;
  }

  /** The hash of every trace event so far (covers events beyond traceMax too). */
  get traceHash(): string {
    return this.hash.toString(16).padStart(8, '0');
  }

  /** Splits the network: frames between endpoints of different groups are dropped. Unlisted endpoints form their own group. */
  partition(groups: number[][]): void {
    const g = this.endpoints.map((_, i) => -1 - i);
    groups.forEach((members, gi) => { for (const m of members) g[m] = gi; });
    this.group = g;
    this.record(`partition ${JSON.stringify(groups)}`);
  }

  heal(): void {
    this.group = null;
    this.record('heal');
  }

  /** A crashed endpoint neither ticks nor receives (frames to it are dropped) until restarted. */
  crash(id: number): void {
    this.crashed.add(id);
    this.record(`crash ${id}`);
  }

  restart(id: number): void {
    this.crashed.delete(id);
    this.record(`restart ${id}`);
  }

  isCrashed(id: number): boolean {
    return this.crashed.has(id);
  }

  private connected(a: number, b: number): boolean {
    return this.group === null || this.group[a] === this.group[b];
  }

  private record(line: string): void {
    const l = `t=${this.nowMs} ${line}`;
    this.hash = fnv(this.hash, l + '\n');
    this.trace.push(l);
    if (this.trace.length > this.traceMax) this.trace.splice(0, this.trace.length - this.traceMax);
  }

  private schedule(e: Omit<Event, 'seq'>): void {
    this.queue.push({ ...e, seq: this.seq++ });
  }

  private send(from: number, to: number, frame: Buffer): void {
    if (to === from || to < 0 || to >= this.endpoints.length || !Number.isInteger(to)) throw new RangeError(`endpoint ${from} sent to ${to}`);
    if (this.validate) decodeBusMessage(frame);
    this.stats.sent++;
    const tag = `${from}->${to} ${frame.length}B ${frameHash(frame)}`;
    if (this.rng.bool(this.faults.lossRate)) {
      this.stats.lost++;
      this.record(`lost ${tag}`);
      return;
    }
    const copies = this.rng.bool(this.faults.dupRate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      if (++this.inFlight > SIM_IN_FLIGHT_MAX) throw new Error(`more than ${SIM_IN_FLIGHT_MAX} frames in flight (seed ${this.seed})`);
      const delay = this.rng.range(this.faults.delayMinMs, this.faults.delayMaxMs);
      // Copied: the sender may reuse its buffer; a corruption hits this copy only.
      const f = Buffer.from(frame);
      if (this.rng.bool(this.faults.corruptRate)) {
        f[this.rng.int(f.length)]! ^= 1 << this.rng.int(8);
        this.stats.corrupted++;
      }
      this.schedule({ at: this.nowMs + delay, kind: 'deliver', from, to, frame: f, sentAt: this.nowMs });
      this.record(`send ${tag} +${delay}ms${c ? ' dup' : ''}`);
    }
  }

  /** Advances the virtual clock by `ms`, processing every event due meanwhile. */
  runFor(ms: number): void {
    this.runUntil(this.nowMs + ms);
  }

  runUntil(endMs: number): void {
    let events = 0;
    for (;;) {
      const e = this.queue.peek();
      if (e === undefined || e.at > endMs) break;
      this.queue.pop();
      if (++events > SIM_EVENTS_PER_RUN_MAX) throw new Error(`more than ${SIM_EVENTS_PER_RUN_MAX} events in one run (seed ${this.seed})`);
      this.nowMs = e.at;
      if (e.kind === 'tick') {
        if (!this.crashed.has(e.from)) this.endpoints[e.from]!.tick(this.nowMs);
        this.schedule({ at: this.nowMs + this.tickMs, kind: 'tick', from: e.from, to: e.from, frame: null, sentAt: 0 });
        continue;
      }
      this.inFlight--;
      const frame = e.frame!;
      const tag = `${e.from}->${e.to} ${frame.length}B ${frameHash(frame)}`;
      // A partition or crash at delivery time drops what was in flight across it.
      if (!this.connected(e.from, e.to)) {
        this.stats.partitioned++;
        this.record(`cut ${tag}`);
        continue;
      }
      if (this.crashed.has(e.to)) {
        this.stats.toCrashed++;
        this.record(`to-crashed ${tag}`);
        continue;
      }
      this.stats.delivered++;
      this.record(`deliver ${tag} sent t=${e.sentAt}`);
      this.endpoints[e.to]!.onFrame(e.from, frame);
    }
    this.nowMs = endMs;
  }

  /** Runs until `pred()` holds (checked after each tick period) or `maxMs` passes; returns whether it held. */
  runUntilTrue(pred: () => boolean, maxMs: number): boolean {
    const end = this.nowMs + maxMs;
    while (this.nowMs < end) {
      if (pred()) return true;
      this.runUntil(Math.min(end, this.nowMs + this.tickMs));
    }
    return pred();
  }
}

// ---- cluster nodes running the real failover code ------------------------------------------

/**
 * An endpoint that is a cluster node: its own ClusterState and the real failure detection
 * and election code (src/cluster/failover.ts), with a small bus loop around them written
 * here (PING every node whose PONG is older than half the node timeout, PONG to a PING,
 * gossip with the PFAIL nodes and a few others). Replication is modelled by offsets: a
 * primary's offset grows every tick, a replica's is the last one its primary announced.
 * `clusterSim` builds N primaries with R replicas each, every node knowing every other.
 */
import { Failover, type FailoverEnv } from '../../src/cluster/failover.js';
import { ClusterNode, ClusterState, NODE_FAIL, NODE_MASTER, NODE_MYSELF, NODE_PFAIL, NODE_SLAVE } from '../../src/cluster/state.js';
import {
  BusProtocolError, encodeBusMessage, MSG_FAIL, MSG_FAILOVER_AUTH_ACK, MSG_FAILOVER_AUTH_REQUEST, MSG_MFSTART, MSG_PING, MSG_PONG, MSG_UPDATE,
  type BusBody, type GossipEntry, type BusMessage,
} from '../../src/cluster/bus-codec.js';
import { CLUSTER_SLOTS } from '../../src/keyspace/hash-slot.js';

/** The node name of endpoint `i`. */
export const simNodeName = (i: number): string => (i + 1).toString(16).padStart(40, '0');

export interface ClusterSimOptions {
  seed: number;
  primaries: number;
  replicasEach: number;
  nodeTimeoutMs?: number;
  faults?: SimFaults;
}

export class SimClusterNode implements SimEndpoint {
  readonly st: ClusterState;
  readonly fo: Failover;
  /** Replication offset (a primary's grows each tick; a replica's follows its primary's announcements). */
  offset = 0;
  private lastFromPrimary = 0;
  readonly log: string[] = [];
  private iteration = 0;

  constructor(private readonly ctx: SimContext, total: number, primaries: number, readonly nodeTimeout: number) {
    const me = new ClusterNode(simNodeName(ctx.id), NODE_MYSELF);
    this.st = new ClusterState(me);
    for (let i = 0; i < total; i++) if (i !== ctx.id) this.st.nodes.set(simNodeName(i), new ClusterNode(simNodeName(i), 0));
    const per = Math.ceil(CLUSTER_SLOTS / primaries);
    for (let i = 0; i < total; i++) {
      const n = this.st.lookup(simNodeName(i))!;
      n.ip = '10.0.0.1';
      n.port = 7000 + i;
      n.cport = 17000 + i;
      n.linkConnected = true;
      n.pongReceived = 0;
      if (i < primaries) {
        n.flags |= NODE_MASTER;
        n.configEpoch = BigInt(i + 1);
        for (let j = i * per; j < Math.min(CLUSTER_SLOTS, (i + 1) * per); j++) this.st.addSlot(n, j);
      } else {
        n.flags |= NODE_SLAVE;
        this.st.setPrimaryOf(n, this.st.lookup(simNodeName((i - primaries) % primaries))!);
      }
    }
    this.st.currentEpoch = BigInt(primaries);
    this.st.state = 'ok';
    this.updateState();
    const env: FailoverEnv = {
      now: () => ctx.now(),
      random: () => ctx.rng.float(),
      nodeTimeout: () => this.nodeTimeout,
      validityFactor: () => 10,
      replicaNoFailover: () => false,
      replPingPeriodSec: () => 10,
      migrationBarrier: () => 1,
      allowReplicaMigration: () => false,
      myOffset: () => this.offset,
      replicaDataAgeMs: () => ctx.now() - this.lastFromPrimary,
      sendTo: (n, type, body, mflags = 0) => this.sendTo(n, type, body, mflags),
      broadcast: (type, body, mflags = 0) => {
        for (const n of this.st.nodes.values()) if (n !== this.st.myself) this.sendTo(n, type, body, mflags);
      },
      broadcastPong: (local) => {
        const me = this.st.myself;
        for (const n of this.st.nodes.values()) {
          if (n === me || (local && !(n.isReplica && n.primary === me.primary))) continue;
          this.sendTo(n, MSG_PONG, this.pingBody(n), 0);
        }
      },
      becomePrimary: () => undefined,
      follow: () => {
        this.lastFromPrimary = ctx.now();
      },
      pauseClients: () => undefined,
      unpauseClients: () => undefined,
      changed: () => undefined,
      updateState: () => this.updateState(),
      log: (_level, msg) => {
        this.log.push(`t=${ctx.now()} ${msg}`);
        if (this.log.length > 1000) this.log.splice(0, 500);
      },
    };
    this.fo = new Failover(() => this.st, env);
  }

  get me(): ClusterNode {
    return this.st.myself;
  }

  /** cluster_state as Cluster.updateState computes it, without its start-up and rejoin delays. */
  private updateState(): void {
    const st = this.st;
    let next: 'ok' | 'fail' = 'ok';
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      const n = st.slots[j];
      if (n === null || (n.flags & NODE_FAIL) !== 0) {
        next = 'fail';
        break;
      }
    }
    let size = 0;
    let reachable = 0;
    for (const n of st.nodes.values()) {
      if (!n.isPrimary || n.numSlots === 0) continue;
      size++;
      if ((n.flags & (NODE_FAIL | NODE_PFAIL)) === 0) reachable++;
    }
    st.size = size;
    if (reachable < Math.floor(size / 2) + 1) next = 'fail';
    st.state = next;
  }

  private indexOf(n: ClusterNode): number {
    return parseInt(n.id, 16) - 1;
  }

  private header(type: number, mflags: number): BusMessage['header'] {
    const st = this.st;
    const me = st.myself;
    const primary = me.isReplica && me.primary !== null ? me.primary : me;
    return {
      type, port: me.port, pport: 0, cport: me.cport, currentEpoch: st.currentEpoch, configEpoch: primary.configEpoch,
      offset: BigInt(this.offset), sender: me.id, myslots: primary.slots,
      slaveof: me.isReplica && me.primary !== null ? me.primary.id : null, myip: '', flags: me.flags,
      state: st.state === 'ok' ? 0 : 1, mflags: mflags | this.fo.headerMflags(),
    };
  }

  private pingBody(to: ClusterNode): BusBody {
    const gossip: GossipEntry[] = [];
    const others: ClusterNode[] = [];
    for (const n of this.st.nodes.values()) {
      if (n === this.st.myself || n === to) continue;
      if ((n.flags & NODE_PFAIL) !== 0) gossip.push(this.entry(n));
      else others.push(n);
    }
    for (let k = 0; k < 3 && others.length > 0; k++) gossip.push(this.entry(others.splice(this.ctx.rng.int(others.length), 1)[0]!));
    return { kind: 'ping', gossip, exts: [] };
  }

  private entry(n: ClusterNode): GossipEntry {
    return { nodeId: n.id, pingSent: Math.floor(n.pingSent / 1000), pongReceived: Math.floor(n.pongReceived / 1000), ip: n.ip, port: n.port, cport: n.cport, pport: 0, flags: n.flags };
  }

  private sendTo(n: ClusterNode, type: number, body: BusBody, mflags: number): void {
    if (type === MSG_PING && n.pingSent === 0) n.pingSent = this.ctx.now();
    this.ctx.send(this.indexOf(n), encodeBusMessage({ header: this.header(type, mflags), body }));
  }

  tick(now: number): void {
    this.iteration++;
    if (this.me.isPrimary) this.offset += 1 + this.ctx.rng.int(100);
    for (const n of this.st.nodes.values()) {
      if (n === this.me) continue;
      // A PING pending for half the timeout: sent again, as a reconnected link would.
      if (n.pingSent !== 0 && now - n.pingSent > this.nodeTimeout / 2 && this.iteration % 5 === 0) this.ctx.send(this.indexOf(n), encodeBusMessage({ header: this.header(MSG_PING, 0), body: this.pingBody(n) }));
      else if (n.pingSent === 0 && now - n.pongReceived > this.nodeTimeout / 2) this.sendTo(n, MSG_PING, this.pingBody(n), 0);
    }
    this.fo.cron();
  }

  onFrame(_from: number, frame: Buffer): void {
    let m: BusMessage;
    try {
      m = decodeBusMessage(frame);
    } catch (e) {
      if (e instanceof BusProtocolError) return;
      throw e;
    }
    const h = m.header;
    const sender = this.st.lookup(h.sender);
    if (sender === undefined || sender === this.me) return;
    const now = this.ctx.now();
    sender.dataReceived = now;
    this.fo.processEpochs(sender, h);
    if (this.me.isReplica && this.me.primary === sender) {
      this.lastFromPrimary = now;
      this.offset = Math.max(this.offset, Number(h.offset));
    }
    const b = m.body;
    switch (h.type) {
      case MSG_FAIL:
        if (b.kind === 'fail') this.fo.onFail(sender, b.nodeId);
        return;
      case MSG_FAILOVER_AUTH_REQUEST:
        this.fo.onAuthRequest(sender, h);
        return;
      case MSG_FAILOVER_AUTH_ACK:
        this.fo.onAuthAck(sender, h);
        return;
      case MSG_UPDATE:
        if (b.kind === 'update') this.fo.onUpdate(sender, b);
        return;
      case MSG_MFSTART:
        this.fo.onMfStart(sender);
        return;
    }
    if (b.kind !== 'ping') return;
    if (h.type === MSG_PING) this.sendTo(sender, MSG_PONG, this.pingBody(sender), 0);
    if (h.type === MSG_PONG) {
      sender.pongReceived = now;
      sender.pingSent = 0;
      this.fo.onPong(sender);
    }
    this.fo.processRoleAndSlots(sender, h);
    for (const g of b.gossip) this.fo.onGossip(sender, g);
  }
}

/** A simulated cluster: endpoints 0..primaries-1 are the primaries, then the replicas (replica k follows primary k % primaries). */
export function clusterSim(o: ClusterSimOptions): { sim: BusSim; nodes: SimClusterNode[] } {
  const total = o.primaries * (1 + o.replicasEach);
  const nodes: SimClusterNode[] = [];
  const sim = new BusSim({ seed: o.seed, endpoints: total, faults: o.faults }, (ctx) => {
    const n = new SimClusterNode(ctx, total, o.primaries, o.nodeTimeoutMs ?? 1000);
    nodes.push(n);
    return n;
  });
  return { sim, nodes };
}
