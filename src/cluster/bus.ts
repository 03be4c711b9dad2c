// The cluster bus of a node: a listener on the bus port (cluster-port, or the client
// port + 10000), an outbound link to every known node and the inbound links other
// nodes open, speaking Redis 7's binary format (bus-codec.ts). It does what Redis's
// cluster.c does to form a cluster and keep it:
//
//   - CLUSTER MEET adds a node in handshake with a random name and sends it MEET;
//     the PONG that answers gives its real name (clusterStartHandshake,
//     clusterRenameNode);
//   - a MEET from an unknown node adds it in handshake; gossip about unknown nodes
//     from a known sender starts a handshake with them, so three nodes met by one
//     learn about each other;
//   - PING and PONG carry the sender's epochs, role, slots, replication offset and
//     a gossip section; slots claimed with a greater config epoch move to the
//     claimer (clusterUpdateSlotsConfigWith); equal config epochs of two primaries
//     are resolved by the smaller node id bumping (clusterHandleConfigEpochCollision);
//   - the cron connects missing links, pings a random node every second and every
//     node whose PONG is older than half the node timeout, drops links silent for
//     that long, times handshakes out, and flags nodes that do not answer within
//     the node timeout as PFAIL (cluster_state counts them unreachable);
//   - CLUSTER REPLICATE makes this node a replica through the replication code
//     (REPLICAOF the primary).
//
//   - PUBLISH goes to every node, SPUBLISH to the nodes of this node's shard, as
//     PUBLISH / PUBLISHSHARD messages (instead of the replication stream).
//
//   - failure detection, FAIL, elections, UPDATE, manual failover and replica
//     migration are failover.ts's, fed by process() and the cron.
//
// A malformed frame closes its link and is logged; the node
// stays up. Every link's pending output is bounded by cluster-link-sendbuf-limit.

import * as net from 'node:net';
import type { Server } from '../server/server.js';
import {
  BusFrameReader,
  BusProtocolError,
  decodeBusMessage,
  encodeBusMessage,
  MSG_FAIL,
  MSG_FAILOVER_AUTH_ACK,
  MSG_FAILOVER_AUTH_REQUEST,
  MSG_MFSTART,
  MSG_UPDATE,
  MSG_MEET,
  MSG_PING,
  MSG_PONG,
  MSG_PUBLISH,
  MSG_PUBLISHSHARD,
  MSG_TYPE_COUNT,
  type BusBody,
  type BusMessage,
  type GossipEntry,
  type PingExt,
} from './bus-codec.js';
import type { Cluster, ClusterBus, LinkInfo } from './cluster.js';
import { ClusterNode, NODE_HANDSHAKE, NODE_MASTER, NODE_MEET, NODE_NOADDR, NODE_PFAIL, NODE_SLAVE, randomNodeId } from './state.js';
import { replicationOf } from '../replication/index.js';
import { Failover, type FailoverEnv } from './failover.js';

/** Largest frame accepted on a link (a PING with gossip about 1000 nodes is ~110 KB). */
const BUS_FRAME_MAX_BYTES = 1024 * 1024;
/** Inbound links accepted at once (a cluster of 1000 nodes has 999 peers). */
const MAX_INBOUND_LINKS = 2048;
/** Handshakes time out after the node timeout, at least this long (Redis: 1 s). */
const HANDSHAKE_TIMEOUT_MIN_MS = 1000;
/** Nodes a random ping picks among every second (Redis samples 5). */
const PING_SAMPLE = 5;
/** Gossip entries per message: a tenth of the nodes, at least this many (Redis's freshnodes). */
const GOSSIP_MIN = 3;

class Link {
  readonly reader = new BusFrameReader(BUS_FRAME_MAX_BYTES);
  readonly createTime = Date.now();
  closed = false;
  /** An outbound link whose TCP connect is pending. */
  connecting = false;
  constructor(
    readonly socket: net.Socket,
    readonly inbound: boolean,
    public node: ClusterNode | null,
  ) {}
}

/** An IPv4-mapped IPv6 address as the dotted IPv4 Redis writes. */
function plainIp(ip: string | undefined): string {
  if (ip === undefined) return '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export class BusImpl implements ClusterBus {
  private listener: net.Server | null = null;
  private readonly outbound = new Map<ClusterNode, Link>();
  private readonly inbound = new Set<Link>();
  private iteration = 0;
  private readonly server: Server;
  /** Failure detection, elections and manual failover (failover.ts). */
  readonly fo: Failover;

  constructor(private readonly cluster: Cluster) {
    this.server = cluster.server;
    this.fo = new Failover(() => cluster.st, this.failoverEnv());
  }

  private failoverEnv(): FailoverEnv {
    const server = this.server;
    const cfg = server.config;
    const repl = () => replicationOf(server);
    return {
      now: () => Date.now(),
      random: () => Math.random(),
      nodeTimeout: () => cfg.getNumber('cluster-node-timeout'),
      validityFactor: () => cfg.getNumber('cluster-replica-validity-factor'),
      replicaNoFailover: () => cfg.getBool('cluster-replica-no-failover'),
      replPingPeriodSec: () => cfg.getNumber('repl-ping-replica-period'),
      migrationBarrier: () => cfg.getNumber('cluster-migration-barrier'),
      allowReplicaMigration: () => cfg.getBool('cluster-allow-replica-migration'),
      myOffset: () => server.masterReplOffset,
      replicaDataAgeMs: () => {
        const r = repl();
        const now = Date.now();
        if (r.link !== null && r.link.state === 'connected') return now - r.link.lastIo;
        return now - r.replDownSince;
      },
      sendTo: (n, type, body, mflags = 0) => {
        const l = this.outbound.get(n);
        if (l !== undefined && !l.connecting && !n.inHandshake) this.sendMsg(l, type, body, mflags);
      },
      broadcast: (type, body, mflags = 0) => {
        for (const [n, l] of this.outbound) if (!l.connecting && !n.inHandshake) this.sendMsg(l, type, body, mflags);
      },
      broadcastPong: (local) => {
        const me = this.st.myself;
        for (const [n, l] of this.outbound) {
          if (l.connecting || n.inHandshake) continue;
          if (local && !(n.isReplica && n.primary !== null && n.primary === me.primary)) continue;
          this.sendPing(l, MSG_PONG);
        }
      },
      becomePrimary: () => repl().unsetMaster(),
      follow: (n) => repl().setMaster(n.ip, n.port),
      pauseClients: (ms) => server.pauseClients(ms, false),
      unpauseClients: () => server.unpause(),
      changed: () => this.cluster.changed(),
      updateState: () => this.cluster.updateState(),
      log: (level, msg) => server.log[level](msg),
    };
  }

  private sendMsg(l: Link, type: number, body: BusBody, mflags: number): void {
    const header = this.header(type);
    header.mflags |= mflags;
    this.send(l, { header, body });
  }

  private get st() {
    return this.cluster.st;
  }

  /** Opens the bus listener on the bus port, on the addresses the client port uses. */
  async start(): Promise<void> {
    const port = this.server.config.getNumber('cluster-port') || (this.server.port || this.server.config.getNumber('port')) + 10000;
    const binds = this.server.config.getList('bind').filter((b) => b !== '');
    const host = binds.length === 0 || binds[0] === '*' ? '0.0.0.0' : binds[0].replace(/^-/, '');
    const srv = net.createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, host, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    srv.on('error', (e) => this.server.log.warning(`Cluster bus listener: ${e.message}`));
    this.listener = srv;
  }

  stop(): void {
    this.listener?.close();
    this.listener = null;
    for (const l of [...this.outbound.values(), ...this.inbound]) this.freeLink(l);
  }

  private accept(s: net.Socket): void {
    if (this.inbound.size >= MAX_INBOUND_LINKS) {
      s.destroy();
      return;
    }
    s.setNoDelay(true);
    const link = new Link(s, true, null);
    this.inbound.add(link);
    this.wire(link);
  }

  private wire(link: Link): void {
    link.socket.on('data', (chunk: Buffer) => this.onData(link, chunk));
    link.socket.on('error', () => this.freeLink(link));
    link.socket.on('close', () => this.freeLink(link));
  }

  private freeLink(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    link.socket.destroy();
    if (link.inbound) this.inbound.delete(link);
    else if (link.node !== null && this.outbound.get(link.node) === link) {
      this.outbound.delete(link.node);
      link.node.linkConnected = false;
    }
  }

  private onData(link: Link, chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = link.reader.push(chunk);
    } catch (e) {
      this.badInput(link, e);
      return;
    }
    for (const f of frames) {
      if (link.closed) return;
      let msg: BusMessage;
      try {
        msg = decodeBusMessage(f);
      } catch (e) {
        this.badInput(link, e);
        return;
      }
      try {
        this.process(link, msg);
      } catch (e) {
        this.server.log.warning(`Cluster bus: error processing a message from ${this.peerName(link)}: ${(e as Error).stack ?? e}`);
        this.freeLink(link);
        return;
      }
    }
    this.cluster.saveIfNeeded();
  }

  private badInput(link: Link, e: unknown): void {
    const why = e instanceof BusProtocolError ? e.message : String(e);
    this.server.log.warning(`Closing the cluster bus link with ${this.peerName(link)}: ${why}`);
    this.freeLink(link);
  }

  private peerName(link: Link): string {
    const addr = `${plainIp(link.socket.remoteAddress)}:${link.socket.remotePort ?? 0}`;
    return link.node !== null ? `node ${link.node.id} (${addr})` : addr;
  }

  // ---- sending -------------------------------------------------------------------------

  private header(type: number): BusMessage['header'] {
    const st = this.st;
    const me = st.myself;
    const primary = me.isReplica && me.primary !== null ? me.primary : me;
    return {
      type,
      port: me.port,
      pport: 0,
      cport: me.cport,
      currentEpoch: st.currentEpoch,
      configEpoch: primary.configEpoch,
      offset: BigInt(this.server.masterReplOffset),
      sender: me.id,
      myslots: primary.slots,
      slaveof: me.isReplica && me.primary !== null ? me.primary.id : null,
      myip: this.server.config.getString('cluster-announce-ip'),
      flags: me.flags,
      state: st.state === 'ok' ? 0 : 1,
      mflags: this.fo.headerMflags(),
    };
  }

  private send(link: Link, msg: BusMessage): void {
    if (link.closed) return;
    const buf = encodeBusMessage(msg);
    const limit = this.server.config.getNumber('cluster-link-sendbuf-limit');
    if (limit > 0 && link.socket.writableLength + buf.length > limit) {
      this.cluster.linksBufferLimitExceeded++;
      this.server.log.warning(`Freeing the cluster bus link with ${this.peerName(link)}: its send buffer passed cluster-link-sendbuf-limit (${limit} bytes)`);
      this.freeLink(link);
      return;
    }
    link.socket.write(buf);
    this.cluster.sent[msg.header.type]++;
  }

  /** A PING, PONG or MEET with gossip about some nodes and our extensions. */
  private sendPing(link: Link, type: number): void {
    const st = this.st;
    const now = Date.now();
    if (link.node !== null && type === MSG_PING && link.node.pingSent === 0) link.node.pingSent = now;
    const candidates: ClusterNode[] = [];
    const pfail: ClusterNode[] = [];
    for (const n of st.nodes.values()) {
      if (n === st.myself || n === link.node || (n.flags & (NODE_HANDSHAKE | NODE_NOADDR)) !== 0) continue;
      if ((n.flags & NODE_PFAIL) !== 0) pfail.push(n);
      else if (n.linkConnected || n.numSlots > 0) candidates.push(n);
    }
    const wanted = Math.min(candidates.length, Math.max(GOSSIP_MIN, Math.floor((st.nodes.size - 2) / 10)));
    const picked = new Set<ClusterNode>(pfail);
    for (let tries = 0; picked.size < wanted + pfail.length && tries < wanted * 3; tries++) picked.add(candidates[Math.floor(Math.random() * candidates.length)]);
    const gossip: GossipEntry[] = [];
    for (const n of picked) {
      gossip.push({
        nodeId: n.id,
        pingSent: Math.floor(n.pingSent / 1000),
        pongReceived: Math.floor(n.pongReceived / 1000),
        ip: n.ip,
        port: n.port,
        cport: n.cport,
        pport: n.pport,
        flags: n.flags,
      });
    }
    const me = st.myself;
    const exts: PingExt[] = [];
    if (me.hostname !== '') exts.push({ kind: 'hostname', hostname: me.hostname });
    if (me.humanNodename !== '') exts.push({ kind: 'humannodename', name: me.humanNodename });
    for (const [id, until] of this.cluster.forgotten) {
      const ttl = Math.floor((until - now) / 1000);
      if (ttl > 0) exts.push({ kind: 'forgotten-node', nodeId: id, ttl });
    }
    exts.push({ kind: 'shard-id', shardId: me.shardId });
    this.send(link, { header: this.header(type), body: { kind: 'ping', gossip, exts } });
  }

  /**
   * PUBLISH to every node with a link; SPUBLISH to the nodes of this node's shard
   * (clusterPropagatePublish, clusterPropagatePublishShard).
   */
  publish(argv: string[]): void {
    const shard = argv[0].toLowerCase() === 'spublish';
    const me = this.st.myself;
    const msg: BusMessage = {
      header: this.header(shard ? MSG_PUBLISHSHARD : MSG_PUBLISH),
      body: { kind: 'publish', channel: Buffer.from(argv[1], 'latin1'), message: Buffer.from(argv[2], 'latin1') },
    };
    const myShard = this.st.shardPrimary(me);
    for (const [n, l] of this.outbound) {
      if (l.connecting || n.inHandshake) continue;
      if (shard && this.st.shardPrimary(n) !== myShard) continue;
      this.send(l, msg);
    }
  }

  broadcastPong(): void {
    for (const l of this.outbound.values()) if (l.node !== null && !l.node.inHandshake) this.sendPing(l, MSG_PONG);
  }

  // ---- receiving ------------------------------------------------------------------------

  /** clusterProcessPacket for PING, PONG and MEET; other types are counted and ignored for now. */
  private process(link: Link, msg: BusMessage): void {
    const st = this.st;
    const h = msg.header;
    if (h.type < MSG_TYPE_COUNT) this.cluster.received[h.type]++;
    const now = Date.now();
    let sender = st.lookup(h.sender);
    if (sender !== undefined && sender.inHandshake) sender = undefined;
    if (sender !== undefined) {
      sender.dataReceived = now;
      this.fo.processEpochs(sender, h);
    }
    if (sender !== undefined && this.processFailoverMessage(sender, msg)) return;
    if (msg.body.kind === 'publish') {
      // From a known node only (Redis drops messages of unknown senders but MEET).
      if (sender === undefined) return;
      const channel = msg.body.channel.toString('latin1');
      const message = msg.body.message.toString('latin1');
      if (h.type === MSG_PUBLISHSHARD) this.server.pubsub.publishShard(channel, message);
      else {
        this.server.pubsub.publish(channel, message);
        this.server.stats.pubsubMessages++;
      }
      this.server.flushPending();
      return;
    }
    if (msg.body.kind !== 'ping') return;
    const type = h.type;
    const me = st.myself;
    if (type === MSG_PING || type === MSG_MEET) {
      // Our own address, from the link a peer reached us on (unless announced).
      if ((type === MSG_MEET || me.ip === '') && this.server.config.getString('cluster-announce-ip') === '') {
        const ip = plainIp(link.socket.localAddress);
        if (ip !== '' && ip !== me.ip) {
          me.ip = ip;
          this.server.log.notice(`IP address for this node updated to ${ip}`);
          this.cluster.changed();
        }
      }
      if (sender === undefined && type === MSG_MEET) {
        const n = new ClusterNode(randomNodeId(), NODE_HANDSHAKE);
        n.ip = plainIp(link.socket.remoteAddress);
        n.port = h.port;
        n.cport = h.cport;
        n.pport = h.pport;
        st.nodes.set(n.id, n);
        this.cluster.changed();
        this.processGossip(msg.body.gossip, null);
      }
      this.sendPing(link, MSG_PONG);
    }
    // Handshake answered on our outbound link: the node gets its real name.
    if (!link.inbound && link.node !== null && link.node.inHandshake) {
      const hs = link.node;
      if (sender !== undefined) {
        // Already known under its name: the handshake node is a duplicate.
        this.server.log.verbose(`Handshake with node ${hs.id} completed: it is ${sender.id}`);
        if (sender.ip !== hs.ip || sender.port !== hs.port) {
          sender.ip = hs.ip;
          sender.port = hs.port;
          sender.cport = hs.cport;
        }
        this.freeLink(link);
        st.delNode(hs);
        this.cluster.changed();
        return;
      }
      if (this.cluster.forgotten.has(h.sender)) {
        this.freeLink(link);
        st.delNode(hs);
        return;
      }
      st.renameNode(hs, h.sender);
      hs.flags &= ~(NODE_HANDSHAKE | NODE_MEET);
      hs.flags |= h.slaveof === null ? NODE_MASTER : NODE_SLAVE;
      this.server.log.verbose(`Handshake with node ${hs.id} completed.`);
      sender = hs;
      sender.dataReceived = now;
      sender.configEpoch = h.configEpoch;
      this.cluster.changed();
    } else if (!link.inbound && link.node !== null && link.node.id !== h.sender) {
      // The node at this address has another name now: forget the address.
      this.server.log.verbose(`PONG contains mismatching sender ID. About node ${link.node.id} added ${now - link.node.ctime} ms ago, having flags ${link.node.flags}`);
      link.node.flags |= NODE_NOADDR;
      link.node.ip = '';
      link.node.port = 0;
      this.freeLink(link);
      this.cluster.changed();
      return;
    }
    if (sender === undefined) return;
    // The address a known node reaches us from (inbound PING).
    if (link.inbound && type === MSG_PING) {
      const ip = h.myip !== '' ? h.myip : plainIp(link.socket.remoteAddress);
      if (ip !== sender.ip || h.port !== sender.port || h.cport !== sender.cport) {
        sender.ip = ip;
        sender.port = h.port;
        sender.cport = h.cport;
        const out = this.outbound.get(sender);
        if (out !== undefined) this.freeLink(out);
        sender.flags &= ~NODE_NOADDR;
        this.cluster.changed();
      }
    }
    if (!link.inbound && type === MSG_PONG && link.node === sender) {
      sender.pongReceived = now;
      sender.pingSent = 0;
      this.fo.onPong(sender);
    }
    for (const e of msg.body.exts) {
      if (e.kind === 'hostname' && sender.hostname !== e.hostname) {
        sender.hostname = e.hostname;
        this.cluster.changed();
      } else if (e.kind === 'humannodename') sender.humanNodename = e.name;
      else if (e.kind === 'shard-id' && sender.shardId !== e.shardId) {
        sender.shardId = e.shardId;
        this.cluster.changed();
      } else if (e.kind === 'forgotten-node') {
        const n = st.lookup(e.nodeId);
        if (n !== undefined && n !== me && !(me.isReplica && me.primary === n)) {
          this.cluster.forgotten.set(n.id, now + e.ttl * 1000);
          st.delNode(n);
          this.cluster.changed();
        }
      }
    }
    this.fo.processRoleAndSlots(sender, h);
    this.processGossip(msg.body.gossip, sender);
  }

  /** FAIL, FAILOVER_AUTH_REQUEST/ACK, UPDATE and MFSTART from a known node: true when `msg` was one. */
  private processFailoverMessage(sender: ClusterNode, msg: BusMessage): boolean {
    const h = msg.header;
    const b = msg.body;
    switch (h.type) {
      case MSG_FAIL:
        if (b.kind === 'fail') this.fo.onFail(sender, b.nodeId);
        return true;
      case MSG_FAILOVER_AUTH_REQUEST:
        this.fo.onAuthRequest(sender, h);
        return true;
      case MSG_FAILOVER_AUTH_ACK:
        this.fo.onAuthAck(sender, h);
        return true;
      case MSG_UPDATE:
        if (b.kind === 'update') this.fo.onUpdate(sender, b);
        return true;
      case MSG_MFSTART:
        this.fo.onMfStart(sender);
        return true;
      default:
        return false;
    }
  }

  /** Gossip about nodes: unknown ones (not forgotten, with an address) get a handshake when the sender is known. */
  private processGossip(gossip: GossipEntry[], sender: ClusterNode | null): void {
    const st = this.st;
    for (const g of gossip) {
      const n = st.lookup(g.nodeId);
      if (n !== undefined && sender !== null) this.fo.onGossip(sender, g);
      if (n !== undefined) {
        // A node we lost the address of, seen by others at one.
        if ((n.flags & NODE_NOADDR) !== 0 && g.ip !== '' && (g.flags & NODE_NOADDR) === 0) {
          n.ip = g.ip;
          n.port = g.port;
          n.cport = g.cport;
          n.flags &= ~NODE_NOADDR;
          this.cluster.changed();
        }
        continue;
      }
      if (sender === null || (g.flags & NODE_NOADDR) !== 0 || g.ip === '' || this.cluster.forgotten.has(g.nodeId)) continue;
      this.startHandshake(g.ip, g.port, g.cport);
    }
  }

  // ---- handshakes, MEET, REPLICATE ----------------------------------------------------------

  /** A node in handshake at ip:port (clusterStartHandshake); null, or an error when the address is invalid. */
  private startHandshake(ip: string, port: number, cport: number): string | null {
    const norm = plainIp(ip);
    if (net.isIP(norm) === 0 || port <= 0 || port > 65535 || cport <= 0 || cport > 65535) return 'invalid';
    for (const n of this.st.nodes.values()) if (n.inHandshake && n.ip === norm && n.port === port && n.cport === cport) return null;
    const n = new ClusterNode(randomNodeId(), NODE_HANDSHAKE | NODE_MEET);
    n.ip = norm;
    n.port = port;
    n.cport = cport;
    this.st.nodes.set(n.id, n);
    this.cluster.changed();
    return null;
  }

  meet(ip: string, port: number, cport: number): string | null {
    if (this.startHandshake(ip, port, cport) !== null) return `ERR Invalid node address specified: ${ip}:${port}`;
    return null;
  }

  replicate(id: string): string | null {
    const st = this.st;
    const me = st.myself;
    const n = st.lookup(id);
    if (n === undefined) return `ERR Unknown node ${id}`;
    if (n === me) return "ERR Can't replicate myself";
    if (n.isReplica) return 'ERR I can only replicate a master, not a replica.';
    if (me.isPrimary && (me.numSlots !== 0 || this.cluster.dbSize() !== 0)) return 'ERR To set a master the node must be empty and without assigned slots.';
    if (me.isPrimary) me.flags = (me.flags & ~NODE_MASTER) | NODE_SLAVE;
    st.closeAllSlots();
    st.setPrimaryOf(me, n);
    this.cluster.changed();
    this.cluster.updateState();
    replicationOf(this.server).setMaster(n.ip, n.port);
    this.broadcastPong();
    return null;
  }

  failover(mode: 'default' | 'force' | 'takeover'): string | null {
    const err = this.fo.manualFailover(mode);
    this.cluster.saveIfNeeded();
    return err;
  }

  linksInfo(): LinkInfo[] {
    const out: LinkInfo[] = [];
    const info = (l: Link, node: ClusterNode): LinkInfo => ({
      direction: l.inbound ? 'from' : 'to',
      node: node.id,
      createTime: l.createTime,
      events: l.inbound ? 'r' : 'rw',
      sendBufferAllocated: l.socket.writableLength,
      sendBufferUsed: l.socket.writableLength,
    });
    for (const [n, l] of this.outbound) out.push(info(l, n));
    for (const l of this.inbound) if (l.node !== null) out.push(info(l, l.node));
    return out;
  }

  // ---- cron ---------------------------------------------------------------------------------

  /** Every 100 ms (clusterCron). */
  cron(): void {
    const st = this.st;
    const now = Date.now();
    const timeout = this.server.config.getNumber('cluster-node-timeout');
    const handshakeTimeout = Math.max(timeout, HANDSHAKE_TIMEOUT_MIN_MS);
    this.iteration++;
    for (const n of [...st.nodes.values()]) {
      if (n === st.myself || (n.flags & NODE_NOADDR) !== 0) continue;
      if (n.inHandshake && now - n.ctime > handshakeTimeout) {
        const l = this.outbound.get(n);
        if (l !== undefined) this.freeLink(l);
        st.delNode(n);
        continue;
      }
      if (!this.outbound.has(n) && n.ip !== '' && n.cport > 0) this.connect(n);
    }
    // Every second, a PING to the node among a few random ones that answered longest ago.
    if (this.iteration % 10 === 0) {
      const all = [...this.outbound.entries()].filter(([n, l]) => n.pingSent === 0 && !n.inHandshake && !l.connecting);
      let best: ClusterNode | null = null;
      for (let i = 0; i < PING_SAMPLE && all.length > 0; i++) {
        const [n] = all[Math.floor(Math.random() * all.length)];
        if (best === null || n.pongReceived < best.pongReceived) best = n;
      }
      if (best !== null) this.sendPing(this.outbound.get(best)!, MSG_PING);
    }
    for (const [n, l] of this.outbound) {
      if (l.connecting || n.inHandshake) continue;
      // Silent for half the timeout with a PING pending: the link may be dead, reconnect.
      if (n.pingSent !== 0 && now - n.pingSent > timeout / 2 && now - n.dataReceived > timeout / 2) {
        this.freeLink(l);
        continue;
      }
      if (n.pingSent === 0 && now - n.pongReceived > timeout / 2) this.sendPing(l, MSG_PING);
    }
    this.fo.cron();
  }

  private connect(n: ClusterNode): void {
    const s = net.connect({ host: n.ip, port: n.cport });
    s.setNoDelay(true);
    const link = new Link(s, false, n);
    link.connecting = true;
    this.outbound.set(n, link);
    this.wire(link);
    // A node we cannot connect to counts as not answering (as Redis sets ping_sent when the connect fails).
    s.once('error', () => {
      if (link.connecting && n.pingSent === 0) n.pingSent = Date.now();
    });
    s.once('connect', () => {
      link.connecting = false;
      if (link.closed) return;
      n.linkConnected = true;
      const meet = (n.flags & NODE_MEET) !== 0;
      this.sendPing(link, meet ? MSG_MEET : MSG_PING);
      if (meet) n.flags &= ~NODE_MEET;
      if (n.pingSent === 0) n.pingSent = Date.now();
    });
  }
}

