// Failure detection and failover of a cluster node, as Redis 7's cluster.c does them,
// on the cluster state alone (no sockets, no server): bus.ts feeds it what arrives and
// runs its cron, and the seeded simulation (test/helpers/bus-sim.ts) drives the same
// code over a virtual network. What it does:
//
//   - a node whose PING waits longer than the node timeout is PFAIL; primaries gossip
//     what they see, and a report from a primary about a PFAIL/FAIL node is a failure
//     report (valid for node-timeout × 2). When a majority of the primaries serving
//     slots (myself counted when I am one) report a node, it is FAIL and a FAIL message
//     goes to every node (markNodeAsFailingIfNeeded). A FAIL message from a known node
//     sets FAIL too. FAIL is cleared when the node answers again: at once for a replica
//     or a primary without slots, after node-timeout × 2 for a primary with slots
//     (clearNodeFailureIfNeeded);
//   - a replica of a FAIL primary with slots (and data no older than the validity
//     factor allows) waits 500 ms + random(0..500) + rank × 1000 ms (rank: replicas of
//     the same primary with a greater replication offset), bumps the current epoch and
//     asks every node for a vote (FAILOVER_AUTH_REQUEST). A primary with slots votes
//     once per epoch, not for the same failed primary again within node-timeout × 2,
//     and not when a claimed slot's owner has a greater config epoch than the request.
//     With a majority of votes the replica takes its primary's slots with the election's
//     epoch as its config epoch and tells everyone (a PONG to all);
//   - slots claimed with a greater config epoch move to the claimer; a primary that lost
//     all its slots that way becomes a replica of the claimer (the old primary that comes
//     back); a node claiming slots with a stale epoch gets an UPDATE;
//   - CLUSTER FAILOVER (manual, FORCE, TAKEOVER) with MFSTART, the primary pausing its
//     clients, the replica waiting for the primary's offset, and the manual failover
//     timeout;
//   - replica migration to an orphaned primary (cluster-migration-barrier,
//     cluster-allow-replica-migration).

import { CLUSTER_SLOTS } from '../keyspace/hash-slot.js';
import {
  MFLAG_FORCE_ACK,
  MFLAG_MANUAL_FAILOVER_PAUSED,
  MSG_FAIL,
  MSG_FAILOVER_AUTH_ACK,
  MSG_FAILOVER_AUTH_REQUEST,
  MSG_MFSTART,
  MSG_PING,
  MSG_UPDATE,
  type BusBody,
  type BusHeader,
  type GossipEntry,
} from './bus-codec.js';
import { ClusterNode, ClusterState, NODE_FAIL, NODE_MASTER, NODE_MIGRATE_TO, NODE_MYSELF, NODE_NOFAILOVER, NODE_PFAIL, NODE_SLAVE, SLOT_BITMAP_BYTES } from './state.js';

/** Failure reports are valid for this many node timeouts (CLUSTER_FAIL_REPORT_VALIDITY_MULT). */
export const FAIL_REPORT_VALIDITY_MULT = 2;

/** Drops a node's failure reports older than FAIL_REPORT_VALIDITY_MULT node timeouts (clusterNodeCleanupFailureReports). */
export function expireFailReports(n: ClusterNode, now: number, nodeTimeoutMs: number): void {
  const maxAge = nodeTimeoutMs * FAIL_REPORT_VALIDITY_MULT;
  for (const [id, t] of n.failReports) if (now - t > maxAge) n.failReports.delete(id);
}
/** A primary with slots is cleared of FAIL after this many node timeouts (CLUSTER_FAIL_UNDO_TIME_MULT). */
export const FAIL_UNDO_TIME_MULT = 2;
/** Fixed part of the election delay, and the bound of its random part (ms). */
export const ELECTION_DELAY_MS = 500;
export const ELECTION_JITTER_MS = 500;
/** Extra delay per rank (ms). */
export const RANK_DELAY_MS = 1000;
/** Least election timeout (ms): node-timeout × 2, at least this. */
export const AUTH_TIMEOUT_MIN_MS = 2000;
/** A manual failover gives up after this long (CLUSTER_MF_TIMEOUT). */
export const MF_TIMEOUT_MS = 5000;
/** The primary's clients are paused for this many manual-failover timeouts at most (CLUSTER_MF_PAUSE_MULT). */
export const MF_PAUSE_MULT = 2;
/** An orphaned primary gets a migrating replica after this long (CLUSTER_SLAVE_MIGRATION_DELAY). */
export const REPLICA_MIGRATION_DELAY_MS = 5000;

export type LogLevel = 'verbose' | 'notice' | 'warning';

/** Why a replica cannot fail over (clusterLogCantFailover), logged once in a while. */
type CantFailover = 'none' | 'data-age' | 'waiting-delay' | 'expired' | 'waiting-votes';

/** What the failover logic needs from its node. */
export interface FailoverEnv {
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
  nodeTimeout(): number;
  /** cluster-replica-validity-factor, cluster-replica-no-failover, repl-ping-replica-period (s), cluster-migration-barrier, cluster-allow-replica-migration. */
  validityFactor(): number;
  replicaNoFailover(): boolean;
  replPingPeriodSec(): number;
  migrationBarrier(): number;
  allowReplicaMigration(): boolean;
  /** The replication offset myself processed (a replica: of its primary's stream). */
  myOffset(): number;
  /** Ms since myself (a replica) last heard from its primary (or since the link went down). */
  replicaDataAgeMs(): number;
  /** Sends a message to one node (dropped when it has no link); extra header mflags. */
  sendTo(n: ClusterNode, type: number, body: BusBody, mflags?: number): void;
  /** Sends a message to every node with a link. */
  broadcast(type: number, body: BusBody, mflags?: number): void;
  /** A PONG to every node, or to my primary's other replicas only. */
  broadcastPong(localReplicasOnly: boolean): void;
  /** Myself stops replicating (REPLICAOF NO ONE) / follows `n`. */
  becomePrimary(): void;
  follow(n: ClusterNode): void;
  /** Pauses this node's writers for `ms`; or ends the pause. */
  pauseClients(ms: number): void;
  unpauseClients(): void;
  /** The state changed (save the configuration), and the cluster health must be recomputed. */
  changed(): void;
  updateState(): void;
  log(level: LogLevel, msg: string): void;
}

const EMPTY: BusBody = { kind: 'empty' };

export class Failover {
  // Election state of myself as a replica (Redis's failover_auth_*).
  authTime = 0;
  authCount = 0;
  authSent = false;
  authRank = 0;
  authEpoch = 0n;
  private cantFailoverReason: CantFailover = 'none';
  private lastCantLog = 0;
  // Manual failover (mf_*): end time (0: none), can start, primary's offset (-1: unknown), the replica (on the primary).
  mfEnd = 0;
  mfCanStart = false;
  mfPrimaryOffset = -1;
  mfReplica: ClusterNode | null = null;
  /** Elections won and votes given (for the simulation's checks and the log). */
  readonly won: bigint[] = [];
  readonly votes: Array<{ epoch: bigint; to: string; primary: string }> = [];

  constructor(
    private readonly stateOf: () => ClusterState,
    private readonly env: FailoverEnv,
  ) {}

  private get st(): ClusterState {
    return this.stateOf();
  }

  // ---- failure detection ---------------------------------------------------------------

  /** Primaries serving slots a majority of which must agree (size / 2 + 1). */
  quorum(): number {
    return Math.floor(this.st.size / 2) + 1;
  }

  /** Failure reports older than node-timeout × 2 are dropped; returns those left. */
  failureReportCount(n: ClusterNode): number {
    expireFailReports(n, this.env.now(), this.env.nodeTimeout());
    return n.failReports.size;
  }

  /** Counts the primaries serving slots (cluster_size), as updateState does, for the quorum. */
  private refreshSize(): void {
    let size = 0;
    for (const n of this.st.nodes.values()) if (n.isPrimary && n.numSlots > 0) size++;
    this.st.size = size;
  }

  /** PFAIL to FAIL once a majority of primaries agree (markNodeAsFailingIfNeeded). */
  markFailingIfNeeded(n: ClusterNode): void {
    if ((n.flags & NODE_PFAIL) === 0 || (n.flags & NODE_FAIL) !== 0) return;
    this.refreshSize();
    let failures = this.failureReportCount(n);
    if (this.st.myself.isPrimary) failures++;
    if (failures < this.quorum()) return;
    this.env.log('notice', `Marking node ${n.id} as failing (quorum reached).`);
    n.flags = (n.flags & ~NODE_PFAIL) | NODE_FAIL;
    n.failTime = this.env.now();
    // Everyone hears it, so that the cluster agrees at once.
    this.env.broadcast(MSG_FAIL, { kind: 'fail', nodeId: n.id });
    this.env.changed();
    this.env.updateState();
  }

  /** A gossip entry from `sender` about a node (the failure-report part of clusterProcessGossipSection). */
  onGossip(sender: ClusterNode, g: GossipEntry): void {
    const st = this.st;
    const n = st.lookup(g.nodeId);
    if (n === undefined || n === st.myself || !sender.isPrimary) return;
    if ((g.flags & (NODE_FAIL | NODE_PFAIL)) !== 0) {
      if (!n.failReports.has(sender.id)) this.env.log('verbose', `Node ${sender.id} reported node ${n.id} as not reachable.`);
      n.failReports.set(sender.id, this.env.now());
      this.markFailingIfNeeded(n);
    } else if (n.failReports.delete(sender.id)) {
      this.env.log('verbose', `Node ${sender.id} reported node ${n.id} is back online.`);
    }
  }

  /** A node that did not answer within the node timeout is PFAIL (part of clusterCron). */
  checkTimeout(n: ClusterNode, now: number): void {
    if (n === this.st.myself || n.inHandshake || (n.flags & (NODE_PFAIL | NODE_FAIL)) !== 0) return;
    if (n.pingSent === 0) return;
    const delay = Math.min(now - n.pingSent, now - n.dataReceived);
    if (delay <= this.env.nodeTimeout()) return;
    n.flags |= NODE_PFAIL;
    this.env.log('verbose', `*** NODE ${n.id} possibly failing`);
    this.env.changed();
    this.env.updateState();
    // Beyond Redis (which waits for its next pings): the other nodes hear of it at once,
    // as the gossip of every message carries the PFAIL nodes; a majority agrees sooner.
    this.env.broadcastPong(false);
  }

  /** A PONG from `n` on our link to it: PFAIL goes, FAIL as clearNodeFailureIfNeeded says. */
  onPong(n: ClusterNode): void {
    if ((n.flags & NODE_PFAIL) !== 0) {
      n.flags &= ~NODE_PFAIL;
      this.env.changed();
      this.env.updateState();
    } else if ((n.flags & NODE_FAIL) !== 0) {
      this.clearFailureIfNeeded(n);
    }
  }

  clearFailureIfNeeded(n: ClusterNode): void {
    const now = this.env.now();
    if (n.isReplica || n.numSlots === 0) {
      this.env.log('notice', `Clear FAIL state for node ${n.id}: ${n.isReplica ? 'replica' : 'master without slots'} is reachable again.`);
      n.flags &= ~NODE_FAIL;
      this.env.changed();
      this.env.updateState();
      return;
    }
    if (now - n.failTime > this.env.nodeTimeout() * FAIL_UNDO_TIME_MULT) {
      this.env.log('notice', `Clear FAIL state for node ${n.id}: is reachable again and nobody is serving its slots after some time.`);
      n.flags &= ~NODE_FAIL;
      this.env.changed();
      this.env.updateState();
    }
  }

  /** A FAIL message about `id` from a known node. */
  onFail(sender: ClusterNode, id: string): void {
    const n = this.st.lookup(id);
    if (n === undefined || (n.flags & (NODE_FAIL | NODE_MYSELF)) !== 0) return;
    this.env.log('notice', `FAIL message received from ${sender.id} about ${n.id}`);
    n.flags = (n.flags & ~NODE_PFAIL) | NODE_FAIL;
    n.failTime = this.env.now();
    this.env.changed();
    this.env.updateState();
  }

  // ---- the header of every message -----------------------------------------------------

  /**
   * What every header says about its known sender (clusterProcessPacket): the epochs,
   * the replication offset, and the manual failover's paused-primary offset.
   */
  processEpochs(sender: ClusterNode, h: BusHeader): void {
    const st = this.st;
    const me = st.myself;
    if (h.currentEpoch > st.currentEpoch) {
      st.currentEpoch = h.currentEpoch;
      this.env.changed();
    }
    if (h.configEpoch > sender.configEpoch && h.slaveof === null) {
      sender.configEpoch = h.configEpoch;
      this.env.changed();
    }
    sender.replOffset = Number(h.offset);
    // The paused primary's offset, for a manual failover in progress.
    if (this.mfEnd !== 0 && me.isReplica && me.primary === sender && (h.mflags & MFLAG_MANUAL_FAILOVER_PAUSED) !== 0 && this.mfPrimaryOffset === -1) {
      this.mfPrimaryOffset = sender.replOffset;
      this.env.log('notice', `Received replication offset for paused master manual failover: ${this.mfPrimaryOffset}`);
      this.handleManualFailover();
    }
  }

  /** The role and slots a PING, PONG or MEET header says the sender has. */
  processRoleAndSlots(sender: ClusterNode, h: BusHeader): void {
    const st = this.st;
    const me = st.myself;
    this.updateRole(sender, h.slaveof);
    const senderPrimary = sender.isPrimary ? sender : sender.primary;
    if (senderPrimary === null || h.myslots.length !== SLOT_BITMAP_BYTES) return;
    const dirty = !sameSlots(senderPrimary.slots, h.myslots);
    if (sender.isPrimary && dirty) this.updateSlotsConfigWith(sender, h.configEpoch, h.myslots);
    if (dirty) {
      // The sender claims slots a node with a greater config epoch serves: tell it.
      for (let j = 0; j < CLUSTER_SLOTS; j++) {
        if ((h.myslots[j >> 3] & (1 << (j & 7))) === 0) continue;
        const owner = st.slots[j];
        if (owner === null || owner === sender) continue;
        if (owner.configEpoch > h.configEpoch) {
          this.env.log('verbose', `Node ${sender.id} has old slots configuration, sending an UPDATE message about ${owner.id}`);
          this.env.sendTo(sender, MSG_UPDATE, { kind: 'update', configEpoch: owner.configEpoch, nodeId: owner.id, slots: owner.slots });
          break;
        }
      }
    }
    if (h.slaveof === null && me.isPrimary && sender.isPrimary) this.configEpochCollision(sender);
  }

  /** The sender's role as its header says (primary, or replica of a known node). */
  private updateRole(sender: ClusterNode, slaveof: string | null): void {
    const st = this.st;
    if (slaveof === null) {
      if (sender.isReplica) {
        this.env.log('verbose', `Node ${sender.id} is now a master`);
        st.setPrimaryOf(sender, null);
        sender.flags = (sender.flags & ~NODE_SLAVE) | NODE_MASTER;
        this.env.changed();
      }
      return;
    }
    const primary = st.lookup(slaveof);
    if (sender.isPrimary) {
      this.env.log('verbose', `Node ${sender.id} was a master, now a replica`);
      st.delNodeSlots(sender);
      sender.flags = (sender.flags & ~(NODE_MASTER | NODE_MIGRATE_TO)) | NODE_SLAVE;
      this.env.changed();
      this.env.updateState();
    }
    if (primary !== undefined && sender.primary !== primary) {
      st.setPrimaryOf(sender, primary);
      // A primary that had replicas is a target of replica migration.
      primary.flags |= NODE_MIGRATE_TO;
      this.env.changed();
    }
  }

  /**
   * Slots the sender claims with a greater config epoch than their owner's become its
   * (clusterUpdateSlotsConfigWith). When my shard lost all its slots so, myself follows
   * the sender (an old primary that comes back becomes a replica of the winner).
   */
  updateSlotsConfigWith(sender: ClusterNode, epoch: bigint, slots: Uint8Array): void {
    const st = this.st;
    const me = st.myself;
    if (sender === me) return;
    const curPrimary = me.isPrimary ? me : me.primary;
    let newPrimary: ClusterNode | null = null;
    let changed = false;
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if ((slots[j >> 3] & (1 << (j & 7))) === 0) continue;
      const owner = st.slots[j];
      if (owner === sender || st.importingFrom[j] !== null) continue;
      if (owner === null || owner.configEpoch < epoch) {
        if (owner !== null && owner === curPrimary) newPrimary = sender;
        if (owner === me) this.env.log('warning', `Lost slot ${j} to node ${sender.id} with a greater config epoch`);
        st.delSlot(j);
        st.addSlot(sender, j);
        changed = true;
      }
    }
    if (!changed) return;
    this.env.changed();
    if (newPrimary !== null && curPrimary !== null && curPrimary.numSlots === 0 && me.primary !== sender) {
      this.env.log('notice', `Configuration change detected. Reconfiguring myself as a replica of ${sender.id}`);
      this.setMyPrimary(sender);
    }
    this.env.updateState();
  }

  /** UPDATE: a node's slots with its config epoch, from a node that knows better. */
  onUpdate(sender: ClusterNode, body: { configEpoch: bigint; nodeId: string; slots: Uint8Array }): void {
    void sender;
    const n = this.st.lookup(body.nodeId);
    if (n === undefined || n.configEpoch >= body.configEpoch) return;
    if (n.isReplica) {
      this.st.setPrimaryOf(n, null);
      n.flags = (n.flags & ~NODE_SLAVE) | NODE_MASTER;
    }
    n.configEpoch = body.configEpoch;
    this.env.changed();
    this.updateSlotsConfigWith(n, body.configEpoch, body.slots);
  }

  /** Two primaries with the same config epoch: the one with the smaller id takes a new one. */
  private configEpochCollision(sender: ClusterNode): void {
    const st = this.st;
    const me = st.myself;
    if (sender.configEpoch !== me.configEpoch || sender.id >= me.id) return;
    st.currentEpoch++;
    me.configEpoch = st.currentEpoch;
    this.env.changed();
    this.env.log('verbose', `WARNING: configEpoch collision with node ${sender.id}. configEpoch set to ${me.configEpoch}`);
  }

  /** Myself becomes a replica of `n` (clusterSetMaster). */
  setMyPrimary(n: ClusterNode): void {
    const st = this.st;
    const me = st.myself;
    if (me.isPrimary) {
      me.flags = (me.flags & ~(NODE_MASTER | NODE_MIGRATE_TO)) | NODE_SLAVE;
      st.closeAllSlots();
    }
    st.setPrimaryOf(me, n);
    this.env.follow(n);
    this.resetManualFailover();
    this.env.changed();
  }

  // ---- votes ---------------------------------------------------------------------------

  /** A FAILOVER_AUTH_REQUEST from `sender` (clusterSendFailoverAuthIfNeeded). */
  onAuthRequest(sender: ClusterNode, h: BusHeader): void {
    const st = this.st;
    const me = st.myself;
    if (me.isReplica || me.numSlots === 0) return;
    const now = this.env.now();
    const primary = sender.primary;
    const forceAck = (h.mflags & MFLAG_FORCE_ACK) !== 0;
    const deny = (why: string) => this.env.log('warning', `Failover auth denied to ${sender.id}: ${why}`);
    if (h.currentEpoch < st.currentEpoch) return deny(`reqEpoch (${h.currentEpoch}) < curEpoch(${st.currentEpoch})`);
    if (st.lastVoteEpoch === st.currentEpoch) return deny(`already voted for epoch ${st.currentEpoch}`);
    if (sender.isPrimary) return deny('it is a master node');
    if (primary === null) return deny("I don't know its master");
    if (!primary.isFailed && !forceAck) return deny('its master is up');
    const timeout = this.env.nodeTimeout();
    if (primary.votedTime !== 0 && now - primary.votedTime < timeout * 2) {
      return deny(`can't vote about this master before ${timeout * 2 - (now - primary.votedTime)} milliseconds`);
    }
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if ((h.myslots[j >> 3] & (1 << (j & 7))) === 0) continue;
      const owner = st.slots[j];
      if (owner === null || owner.configEpoch <= h.configEpoch) continue;
      return deny(`slot ${j} epoch (${owner.configEpoch}) > reqEpoch (${h.configEpoch})`);
    }
    st.lastVoteEpoch = st.currentEpoch;
    primary.votedTime = now;
    this.votes.push({ epoch: st.currentEpoch, to: sender.id, primary: primary.id });
    this.env.changed();
    this.env.sendTo(sender, MSG_FAILOVER_AUTH_ACK, EMPTY);
    this.env.log('notice', `Failover auth granted to ${sender.id} for epoch ${st.currentEpoch}`);
  }

  /** A vote: counted when from a primary with slots for this election's epoch. */
  onAuthAck(sender: ClusterNode, h: BusHeader): void {
    if (sender.isPrimary && sender.numSlots > 0 && h.currentEpoch >= this.authEpoch) {
      this.authCount++;
      this.handleReplicaFailover();
    }
  }

  // ---- elections ------------------------------------------------------------------------

  /** Replicas of my primary with a greater offset (clusterGetSlaveRank). */
  private rank(): number {
    const me = this.st.myself;
    const primary = me.primary;
    if (primary === null) return 0;
    const mine = this.env.myOffset();
    let rank = 0;
    for (const r of primary.replicas) if (r !== me && (r.flags & NODE_NOFAILOVER) === 0 && r.replOffset > mine) rank++;
    return rank;
  }

  private cantFailover(reason: CantFailover, msg: string): void {
    const now = this.env.now();
    // Logged when the reason changes or every 10 s at most (as Redis's CLUSTER_CANT_FAILOVER_RELOG_PERIOD).
    if (reason === this.cantFailoverReason && now - this.lastCantLog < 10_000) return;
    this.cantFailoverReason = reason;
    this.lastCantLog = now;
    this.env.log('notice', `Currently unable to failover: ${msg}`);
  }

  /** The election of a replica whose primary failed (clusterHandleSlaveFailover); runs every cron and on each vote. */
  handleReplicaFailover(): void {
    const st = this.st;
    const me = st.myself;
    const primary = me.primary;
    const now = this.env.now();
    const timeout = this.env.nodeTimeout();
    this.refreshSize();
    const quorum = this.quorum();
    const manual = this.mfEnd !== 0 && this.mfCanStart;
    const authTimeout = Math.max(timeout * 2, AUTH_TIMEOUT_MIN_MS);
    const authRetry = authTimeout * 2;
    if (me.isPrimary || primary === null || (!primary.isFailed && !manual) || (this.env.replicaNoFailover() && !manual) || primary.numSlots === 0) {
      this.cantFailoverReason = 'none';
      return;
    }
    let dataAge = this.env.replicaDataAgeMs();
    if (dataAge > timeout) dataAge -= timeout;
    const factor = this.env.validityFactor();
    if (factor > 0 && !manual && dataAge > this.env.replPingPeriodSec() * 1000 + timeout * factor) {
      return this.cantFailover('data-age', 'Disconnected from master for longer than allowed. Please check the \'cluster-replica-validity-factor\' configuration option.');
    }
    if (now - this.authTime > authRetry) {
      this.authTime = now + ELECTION_DELAY_MS + Math.floor(this.env.random() * ELECTION_JITTER_MS);
      this.authCount = 0;
      this.authSent = false;
      this.authRank = this.rank();
      this.authTime += this.authRank * RANK_DELAY_MS;
      if (manual) {
        this.authTime = now;
        this.authRank = 0;
      }
      this.env.log('notice', `Start of election delayed for ${this.authTime - now} milliseconds (rank #${this.authRank}, offset ${this.env.myOffset()}).`);
      // The other replicas of my primary learn my offset now, for their ranks.
      this.env.broadcastPong(true);
      if (!manual) return;
    }
    if (!this.authSent && !manual) {
      const r = this.rank();
      if (r > this.authRank) {
        const added = (r - this.authRank) * RANK_DELAY_MS;
        this.authTime += added;
        this.authRank = r;
        this.env.log('notice', `Replica rank updated to #${r}, added ${added} milliseconds of delay.`);
      }
    }
    if (now < this.authTime) return this.cantFailover('waiting-delay', 'Waiting the delay before I can start a new failover.');
    if (now - this.authTime > authTimeout) return this.cantFailover('expired', 'Failover attempt expired.');
    if (!this.authSent) {
      st.currentEpoch++;
      this.authEpoch = st.currentEpoch;
      this.env.log('notice', `Starting a failover election for epoch ${st.currentEpoch}.`);
      this.authSent = true;
      this.env.changed();
      this.env.broadcast(MSG_FAILOVER_AUTH_REQUEST, EMPTY, manual ? MFLAG_FORCE_ACK : 0);
      return;
    }
    if (this.authCount < quorum) return this.cantFailover('waiting-votes', 'Waiting for votes, but majority still not reached.');
    this.env.log('notice', "Failover election won: I'm the new master.");
    if (me.configEpoch < this.authEpoch) {
      me.configEpoch = this.authEpoch;
      this.env.log('notice', `configEpoch set to ${me.configEpoch} after successful failover`);
    }
    this.won.push(this.authEpoch);
    this.replacePrimary();
  }

  /** Myself takes its primary's slots and tells everyone (clusterFailoverReplaceYourMaster). */
  replacePrimary(): void {
    const st = this.st;
    const me = st.myself;
    const old = me.primary;
    if (me.isPrimary || old === null) return;
    st.setPrimaryOf(me, null);
    me.flags = (me.flags & ~NODE_SLAVE) | NODE_MASTER;
    this.env.becomePrimary();
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if (!old.hasSlot(j)) continue;
      st.delSlot(j);
      st.addSlot(me, j);
    }
    this.env.changed();
    this.env.updateState();
    this.env.broadcastPong(false);
    this.resetManualFailover();
  }

  // ---- manual failover --------------------------------------------------------------------

  /** CLUSTER FAILOVER [FORCE|TAKEOVER] once its arguments are checked: null or the error reply. */
  manualFailover(mode: 'default' | 'force' | 'takeover'): string | null {
    const me = this.st.myself;
    const primary = me.primary;
    if (me.isPrimary) return 'ERR You should send CLUSTER FAILOVER to a replica';
    if (primary === null) return "ERR I'm a replica but my master is unknown to me";
    if (mode === 'default' && (primary.isFailed || !primary.linkConnected)) return 'ERR Master is down or failed, please use CLUSTER FAILOVER FORCE';
    this.resetManualFailover();
    this.mfEnd = this.env.now() + MF_TIMEOUT_MS;
    if (mode === 'takeover') {
      // No agreement: a new config epoch of our own, then the slots.
      this.env.log('notice', 'Taking over the master (user request).');
      const st = this.st;
      if (me.configEpoch === 0n || me.configEpoch !== st.maxEpoch()) {
        st.currentEpoch++;
        me.configEpoch = st.currentEpoch;
        this.env.log('warning', `New configEpoch set to ${me.configEpoch}`);
      }
      this.replacePrimary();
    } else if (mode === 'force') {
      this.env.log('notice', 'Forced failover user request accepted.');
      this.mfCanStart = true;
      this.handleReplicaFailover();
    } else {
      this.env.log('notice', 'Manual failover user request accepted.');
      this.env.sendTo(primary, MSG_MFSTART, EMPTY);
    }
    return null;
  }

  /** MFSTART from a replica of mine: pause my clients and tell it my offset (every cron). */
  onMfStart(sender: ClusterNode): void {
    const me = this.st.myself;
    if (sender.primary !== me) return;
    this.resetManualFailover();
    this.mfEnd = this.env.now() + MF_TIMEOUT_MS;
    this.mfReplica = sender;
    this.env.pauseClients(MF_TIMEOUT_MS * MF_PAUSE_MULT);
    this.env.log('notice', `Manual failover requested by replica ${sender.id}.`);
    this.env.sendTo(sender, MSG_PING, { kind: 'ping', gossip: [], exts: [] }, MFLAG_MANUAL_FAILOVER_PAUSED);
  }

  /** The mflags of this node's headers (PAUSED while it is the primary of a manual failover). */
  headerMflags(): number {
    return this.mfEnd !== 0 && this.st.myself.isPrimary && this.mfReplica !== null ? MFLAG_MANUAL_FAILOVER_PAUSED : 0;
  }

  /** The replica of a manual failover starts once it processed the paused primary's whole stream. */
  handleManualFailover(): void {
    if (this.mfEnd === 0 || this.mfCanStart || this.mfPrimaryOffset === -1) return;
    if (this.mfPrimaryOffset === this.env.myOffset()) {
      this.mfCanStart = true;
      this.env.log('notice', 'All master replication stream processed, manual failover can start.');
      this.handleReplicaFailover();
    }
  }

  resetManualFailover(): void {
    if (this.mfReplica !== null) this.env.unpauseClients();
    this.mfEnd = 0;
    this.mfCanStart = false;
    this.mfReplica = null;
    this.mfPrimaryOffset = -1;
  }

  // ---- cron -------------------------------------------------------------------------------

  /** Every cron tick (the failure and failover parts of clusterCron). */
  cron(): void {
    const st = this.st;
    const now = this.env.now();
    for (const n of st.nodes.values()) {
      this.checkTimeout(n, now);
      // A PFAIL node may have the reports it needs already (myself counted).
      if ((n.flags & NODE_PFAIL) !== 0) this.markFailingIfNeeded(n);
    }
    if (this.mfEnd !== 0 && this.mfEnd < now) {
      this.env.log('warning', 'Manual failover timed out.');
      this.resetManualFailover();
    }
    // The paused primary keeps its replica informed.
    if (this.mfEnd !== 0 && this.mfReplica !== null) this.env.sendTo(this.mfReplica, MSG_PING, { kind: 'ping', gossip: [], exts: [] }, MFLAG_MANUAL_FAILOVER_PAUSED);
    if (st.myself.isReplica) {
      this.handleManualFailover();
      this.handleReplicaFailover();
      this.replicaMigration(now);
    }
  }

  /** Non-failed replicas of a primary. */
  private okReplicas(n: ClusterNode): number {
    let k = 0;
    for (const r of n.replicas) if (!r.isFailed) k++;
    return k;
  }

  /** Replica migration to an orphaned primary (the part of clusterCron and clusterHandleSlaveMigration). */
  private replicaMigration(now: number): void {
    const st = this.st;
    const me = st.myself;
    if (!this.env.allowReplicaMigration() || me.primary === null || st.state !== 'ok') return;
    let orphaned = 0;
    let maxReplicas = 0;
    let mine = 0;
    for (const n of st.nodes.values()) {
      if (!n.isPrimary || n.isFailed) continue;
      const ok = this.okReplicas(n);
      if (ok === 0 && n.numSlots > 0 && (n.flags & NODE_MIGRATE_TO) !== 0) orphaned++;
      if (ok > maxReplicas) maxReplicas = ok;
      if (me.primary === n) mine = ok;
    }
    if (orphaned === 0 || maxReplicas < 2 || mine !== maxReplicas) return;
    if (this.okReplicas(me.primary) <= this.env.migrationBarrier()) return;
    let candidate = me;
    let target: ClusterNode | null = null;
    for (const n of st.nodes.values()) {
      let ok = 0;
      let orphan = n.isPrimary && !n.isFailed && (n.flags & NODE_MIGRATE_TO) !== 0;
      if (n.isPrimary) ok = this.okReplicas(n);
      if (ok > 0) orphan = false;
      if (orphan) {
        if (target === null && n.numSlots > 0) target = n;
        if (n.orphanedTime === 0) n.orphanedTime = now;
      } else {
        n.orphanedTime = 0;
      }
      // The replica with the smallest id among the most replicated primaries' moves.
      if (ok === maxReplicas) for (const r of n.replicas) if (r.id < candidate.id) candidate = r;
    }
    if (target !== null && candidate === me && now - target.orphanedTime > REPLICA_MIGRATION_DELAY_MS) {
      this.env.log('notice', `Migrating to orphaned master ${target.id}`);
      this.setMyPrimary(target);
    }
  }
}

function sameSlots(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
