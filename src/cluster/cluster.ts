// Cluster mode of a server (`cluster-enabled yes`): the cluster state (state.ts)
// with its configuration file, the cluster's health (Redis's clusterUpdateState),
// the cron, and the routing phase (routing.ts). installCluster hangs it off a server;
// compose/ calls it when cluster-enabled is set, and binds the cluster commands in
// every mode (they answer "cluster support disabled" in standalone mode).
//
// The configuration file (cluster-config-file, nodes.conf by default, relative to
// `dir`) is Redis's format. It is loaded at start-up: missing or empty means a new
// node with a fresh id; corrupt or half-written is refused with redis-server's
// message and exit code 1. It is saved atomically (temporary file, fsync, rename,
// fsync of the directory) whenever the state changes, before the replies of the
// command that changed it are written.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import type { Server } from '../server/server.js';
import { CLUSTER_SLOTS } from '../keyspace/hash-slot.js';
import { ClusterNode, ClusterState, configText, NODE_FAIL, NODE_MASTER, NODE_MYSELF, NODE_PFAIL, NODE_SLAVE, NodesConfError, parseNodesConf, randomNodeId } from './state.js';
import { installRouting } from './routing.js';
import { BusImpl } from './bus.js';
import { replicationOf } from '../replication/index.js';
import { keyHashSlot } from '../keyspace/hash-slot.js';
import { writeSubscription } from '../commands/pubsub-registry.js';
import { expireFailReports } from './failover.js';

/** One bus link as CLUSTER LINKS reports it. */
export interface LinkInfo {
  direction: 'to' | 'from';
  node: string;
  createTime: number;
  events: string;
  sendBufferAllocated: number;
  sendBufferUsed: number;
}

/** What the cluster asks of its bus (bus.ts). */
export interface ClusterBus {
  linksInfo(): LinkInfo[];
  meet(ip: string, port: number, cport: number): string | null;
  replicate(id: string): string | null;
  failover(mode: 'default' | 'force' | 'takeover'): string | null;
  broadcastPong(): void;
}

/** Time a primary waits after start before it may say the cluster is ok (Redis's CLUSTER_WRITABLE_DELAY). */
export const CLUSTER_WRITABLE_DELAY_MS = 2000;
/** Bounds of the delay before a primary that was in the minority rejoins (Redis's rejoin_delay). */
const REJOIN_DELAY_MIN_MS = 500;
const REJOIN_DELAY_MAX_MS = 5000;
/** Period of the cluster cron (Redis runs clusterCron every 100 ms). */
const CLUSTER_CRON_MS = 100;
/** Highest client port with a bus port at +10000 (Redis refuses higher ones when cluster-port is 0). */
const MAX_PORT_WITH_BUS_OFFSET = 55535;
/** How long a forgotten node stays out of gossip (Redis's CLUSTER_BLACKLIST_TTL, 60 s). */
const FORGET_TTL_MS = 60_000;
/** Number of bus message types (for the message counters of CLUSTER INFO). */
export const BUS_MSG_TYPES = 11;

/** Start-up refusals: logged and the process exits with 1, as redis-server does. */
export class ClusterStartupError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export class Cluster {
  st: ClusterState;
  /** Absolute path of the configuration file. */
  readonly configFile: string;
  /** Set when the state changed and the file must be saved (before the next replies are written). */
  private saveNeeded = false;
  /** When clusterUpdateState first ran, and when this node last saw itself in the minority. */
  private firstUpdateTime = 0;
  private amongMinorityTime = 0;
  private cronTimer: NodeJS.Timeout | null = null;
  /** CLUSTER INFO's message counters, by bus message type. */
  readonly sent = new Array<number>(BUS_MSG_TYPES).fill(0);
  readonly received = new Array<number>(BUS_MSG_TYPES).fill(0);
  /** Slots whose writes wait for an atomic slot migration's switch (slot-migration.ts), or null. */
  migrationPause: Uint8Array | null = null;
  /** total_cluster_links_buffer_limit_exceeded. */
  linksBufferLimitExceeded = 0;

  constructor(readonly server: Server) {
    const cfg = server.config;
    this.configFile = resolve(cfg.getString('cluster-config-file'));
    const port = cfg.getNumber('port');
    if (port > MAX_PORT_WITH_BUS_OFFSET && cfg.getNumber('cluster-port') === 0) {
      throw new ClusterStartupError(
        'Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.',
      );
    }
    const loaded = this.load();
    if (loaded === null) {
      this.st = new ClusterState();
      server.log.notice(`No cluster configuration found, I'm ${this.st.myself.id}`);
      this.saveNeeded = true;
    } else {
      this.st = loaded;
      server.log.notice(`Node configuration loaded, I'm ${this.st.myself.id}`);
    }
    this.applyMyselfConfig();
    this.st.onSlotUnserved = (slot) => this.slotUnserved(slot);
  }

  /** Slots myself stopped serving this turn, whose shard channels are dropped in one pass (dropShardChannels). */
  private readonly unservedSlots = new Set<number>();

  private slotUnserved(slot: number): void {
    if (this.server.pubsub.shardChannels.size === 0) return;
    if (this.unservedSlots.size === 0) queueMicrotask(() => this.dropShardChannels());
    this.unservedSlots.add(slot);
  }

  /**
   * Redis's removeChannelsInSlot for the slots gathered: every client subscribed to a
   * shard channel of one of them gets `sunsubscribe` for it (with its remaining count)
   * and loses the subscription. One pass over the shard channels, however many slots
   * moved at once.
   */
  private dropShardChannels(): void {
    const slots = this.unservedSlots;
    const reg = this.server.pubsub.shardChannels;
    for (const [channel, clients] of [...reg]) {
      if (!slots.has(keyHashSlot(channel))) continue;
      for (const c of clients) {
        c.shardChannels.delete(channel);
        writeSubscription(c, 'sunsubscribe', channel, c.shardChannels.size);
      }
      reg.delete(channel);
    }
    slots.clear();
    this.server.flushPending();
  }

  get myself(): ClusterNode {
    return this.st.myself;
  }

  /**
   * Reads the configuration file: null when it does not exist or is empty (a new
   * node); throws ClusterStartupError when it cannot be read or is corrupt.
   */
  private load(): ClusterState | null {
    let text: string;
    try {
      text = readFileSync(this.configFile, 'latin1');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') return null;
      throw new ClusterStartupError(`Loading the cluster node config from ${this.configFile}: ${err.message}`);
    }
    if (text.length === 0) return null;
    const notes = { warnings: [] as string[] };
    try {
      const st = parseNodesConf(text, Date.now(), notes);
      for (const w of notes.warnings) this.server.log.warning(w);
      return st;
    } catch (e) {
      if (e instanceof NodesConfError) throw new ClusterStartupError(e.message, [`Cluster config file ${this.configFile}: ${e.detail}`]);
      throw e;
    }
  }

  /** Myself's announced address and names from the configuration (clusterUpdateMyselfAnnouncedPorts and friends). */
  applyMyselfConfig(): void {
    const cfg = this.server.config;
    const me = this.st.myself;
    const port = this.server.port || cfg.getNumber('port');
    me.port = cfg.getNumber('cluster-announce-port') || port;
    const busPort = cfg.getNumber('cluster-port') || port + 10000;
    me.cport = cfg.getNumber('cluster-announce-bus-port') || busPort;
    const ip = cfg.getString('cluster-announce-ip');
    if (ip !== '') me.ip = ip;
    me.hostname = cfg.getString('cluster-announce-hostname');
    me.humanNodename = cfg.getString('cluster-announce-human-nodename');
  }

  // ---- saving --------------------------------------------------------------------------

  /** The state changed: the file is saved before the replies of this turn are written. */
  changed(): void {
    this.saveNeeded = true;
  }

  /** Saves when a change is pending; a failure here is fatal, as Redis's clusterSaveConfigOrDie. */
  saveIfNeeded(): void {
    if (!this.saveNeeded) return;
    const err = this.save();
    if (err !== null) {
      this.server.log.warning(`Fatal: can't update cluster config file.`);
      this.server.log.warning(`Cluster config file ${this.configFile}: ${err}`);
      this.server.exit(1);
    }
  }

  /**
   * Writes the configuration file atomically: the whole text to a temporary file in
   * the same directory, fsync, rename over the file, fsync of the directory. Returns
   * null, or the system's error message.
   */
  save(): string | null {
    this.saveNeeded = false;
    const tmp = `${this.configFile}.tmp-${process.pid}-${Date.now()}`;
    try {
      writeFileAtomicSync(this.configFile, tmp, configText(this.st));
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  // ---- health ----------------------------------------------------------------------------

  /**
   * The cluster's health, as Redis 7's clusterUpdateState: fail while a slot has no
   * owner or a failed one (under cluster-require-full-coverage), or while fewer than
   * a majority of the primaries serving slots are reachable. A primary waits
   * CLUSTER_WRITABLE_DELAY_MS after start, and the rejoin delay after it was in
   * the minority, before it turns ok.
   */
  updateState(now = Date.now()): void {
    const st = this.st;
    if (this.firstUpdateTime === 0) this.firstUpdateTime = now;
    if (st.myself.isPrimary && st.state === 'fail' && now - this.firstUpdateTime < CLUSTER_WRITABLE_DELAY_MS) return;
    let next: 'ok' | 'fail' = 'ok';
    if (this.server.config.getBool('cluster-require-full-coverage')) {
      for (let j = 0; j < CLUSTER_SLOTS; j++) {
        const n = st.slots[j];
        if (n === null || (n.flags & NODE_FAIL) !== 0) {
          next = 'fail';
          break;
        }
      }
    }
    let size = 0;
    let reachable = 0;
    for (const n of st.nodes.values()) {
      if (n.isPrimary && n.numSlots > 0) {
        size++;
        if ((n.flags & (NODE_FAIL | NODE_PFAIL)) === 0) reachable++;
      }
    }
    st.size = size;
    if (reachable < Math.floor(size / 2) + 1) {
      next = 'fail';
      this.amongMinorityTime = now;
    }
    if (next !== st.state) {
      const timeout = this.server.config.getNumber('cluster-node-timeout');
      const rejoinDelay = Math.min(REJOIN_DELAY_MAX_MS, Math.max(REJOIN_DELAY_MIN_MS, timeout));
      if (next === 'ok' && st.myself.isPrimary && now - this.amongMinorityTime < rejoinDelay) return;
      this.server.log.warning(`Cluster state changed: ${next}`);
      st.state = next;
    }
  }

  private cron(): void {
    this.busImpl?.cron();
    this.updateState();
    this.saveIfNeeded();
  }

  private busImpl: BusImpl | null = null;

  /** Starts the bus listener and the cron; a bus port that cannot be bound is fatal, as in Redis. */
  async start(): Promise<void> {
    const bus = new BusImpl(this);
    try {
      await bus.start();
    } catch (e) {
      this.server.log.warning(`Could not create the cluster bus listener: ${(e as Error).message}`);
      this.server.exit(1);
      return;
    }
    this.busImpl = bus;
    this.bus = bus;
    this.server.publishOverBus = (argv) => bus.publish(argv);
    this.saveIfNeeded();
    this.cronTimer = setInterval(() => this.cron(), CLUSTER_CRON_MS);
    this.cronTimer.unref?.();
  }

  stop(): void {
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    this.cronTimer = null;
    this.busImpl?.stop();
  }

  // ---- operations the commands share -----------------------------------------------------

  /** Keys in database 0 (cluster mode has only that one). */
  dbSize(): number {
    return this.server.ks.dbs[0].size;
  }

  /** CLUSTER RESET [HARD|SOFT] (Redis's clusterReset), once the command checked it may run. */
  reset(hard: boolean): void {
    const st = this.st;
    const me = st.myself;
    if (me.isReplica) {
      this.setMyselfPrimary();
      replicationOf(this.server).unsetMaster();
      for (const db of this.server.ks.dbs) db.clear();
    }
    st.closeAllSlots();
    st.delNodeSlots(me);
    for (const n of [...st.nodes.values()]) if (n !== me) st.delNode(n);
    if (hard) {
      st.currentEpoch = 0n;
      st.lastVoteEpoch = 0n;
      me.configEpoch = 0n;
      st.renameNode(me, randomNodeId());
      me.shardId = randomNodeId();
      this.server.log.notice(`Node hard reset, now I'm ${me.id}`);
    }
    this.changed();
  }

  /** Failure reports older than FAIL_REPORT_VALIDITY_MULT node timeouts are dropped (failover.ts). */
  expireFailReports(n: ClusterNode, now = Date.now()): void {
    expireFailReports(n, now, this.server.config.getNumber('cluster-node-timeout'));
  }

  /** Node ids CLUSTER FORGET dropped, with the unix ms until which gossip may not add them back. */
  readonly forgotten = new Map<string, number>();

  /** CLUSTER FORGET, once checked: the node is dropped and kept out for a minute. */
  forget(n: ClusterNode): void {
    this.forgotten.set(n.id, Date.now() + FORGET_TTL_MS);
    this.st.delNode(n);
    this.changed();
    this.updateState();
  }

  /** Links for CLUSTER LINKS (none without a bus). */
  linksInfo(): LinkInfo[] {
    return this.bus?.linksInfo() ?? [];
  }

  /** The cluster bus, once started (bus.ts); null without one. */
  bus: ClusterBus | null = null;

  /** CLUSTER MEET: null or the error reply. */
  meet(ip: string, port: number, cport: number): string | null {
    if (this.bus === null) return 'ERR the cluster bus is not running';
    return this.bus.meet(ip, port, cport);
  }

  /** CLUSTER REPLICATE: null or the error reply. */
  replicate(id: string): string | null {
    if (this.bus === null) return 'ERR the cluster bus is not running';
    return this.bus.replicate(id);
  }

  /** CLUSTER FAILOVER: null or the error reply. */
  failover(mode: 'default' | 'force' | 'takeover'): string | null {
    if (this.bus === null) return 'ERR the cluster bus is not running';
    return this.bus.failover(mode);
  }

  /** Myself's slots changed in a way the other nodes must hear at once (a PONG to all). */
  onSlotsChanged(): void {
    this.bus?.broadcastPong();
  }

  /** Myself becomes a primary without a primary. */
  setMyselfPrimary(): void {
    const me = this.st.myself;
    this.st.setPrimaryOf(me, null);
    me.flags = (me.flags & ~NODE_SLAVE) | NODE_MASTER | NODE_MYSELF;
  }

  /**
   * Bumps myself's config epoch without agreement when it is 0 or not the greatest
   * (Redis's clusterBumpConfigEpochWithoutConsensus). True when it bumped.
   */
  bumpEpochWithoutConsensus(): boolean {
    const st = this.st;
    const max = st.maxEpoch();
    if (st.myself.configEpoch === 0n || st.myself.configEpoch !== max) {
      st.currentEpoch++;
      st.myself.configEpoch = st.currentEpoch;
      this.changed();
      this.server.log.warning(`New configEpoch set to ${st.myself.configEpoch}`);
      return true;
    }
    return false;
  }
}

const clusters = new WeakMap<object, Cluster>();

/** The cluster of a server in cluster mode, or undefined. */
export function clusterOf(server: object): Cluster | undefined {
  return clusters.get(server);
}

/**
 * Turns a server into a cluster node: loads (or creates) the configuration file,
 * registers the routing phase, the cron and the save before replies. Throws
 * ClusterStartupError when the file is corrupt or the port too high.
 */
export function installCluster(server: Server): Cluster {
  const cluster = new Cluster(server);
  clusters.set(server, cluster);
  server.mode = 'cluster';
  server.beforeFlushHooks.push(() => {
    cluster.saveIfNeeded();
    return true;
  });
  installRouting(server, cluster);
  server.listenHooks.push(() => {
    // The port is known once listening (port 0 asks for a free one).
    cluster.applyMyselfConfig();
    cluster.changed();
    void cluster.start();
  });
  server.closeHooks.push(() => cluster.stop());
  return cluster;
}
