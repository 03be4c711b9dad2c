// The cluster state of one node, as Redis's clusterState and clusterNode (cluster.h):
// the nodes it knows (myself among them) with their addresses, flags, primary,
// ping/pong times, config epoch, link state and slots; the current epoch and the
// epoch of the last vote; the slot table with the slots being imported or migrated.
// Pure data and its rules, no I/O: cluster.ts saves it, the bus feeds it.
//
// Also the text forms: CLUSTER NODES lines and the nodes.conf file, which is those
// lines (with 7.2's auxiliary fields) plus a `vars` line.

import { randomBytes } from 'node:crypto';
import { CLUSTER_SLOTS } from '../keyspace/hash-slot.js';

// Node flags as cluster.h defines them (the bus carries them as they are).
export const NODE_MASTER = 1;
export const NODE_SLAVE = 2;
export const NODE_PFAIL = 4;
export const NODE_FAIL = 8;
export const NODE_MYSELF = 16;
export const NODE_HANDSHAKE = 32;
export const NODE_NOADDR = 64;
export const NODE_MEET = 128;
export const NODE_MIGRATE_TO = 256;
export const NODE_NOFAILOVER = 512;

/** Length of a node id and a shard id: 40 hex characters. */
export const NODE_ID_LEN = 40;
/** Bytes of a slot bitmap (one bit per slot). */
export const SLOT_BITMAP_BYTES = CLUSTER_SLOTS / 8;

/** A fresh random node (or shard) id. */
export function randomNodeId(): string {
  return randomBytes(NODE_ID_LEN / 2).toString('hex');
}

/** Whether `s` is a well-formed node id (40 hex characters, as Redis's verifyClusterNodeId). */
export function isNodeId(s: string): boolean {
  return s.length === NODE_ID_LEN && /^[0-9a-f]+$/i.test(s);
}

/** One node of the cluster as this node sees it. */
export class ClusterNode {
  ip = '';
  /** Client port (the TCP port clients use). */
  port = 0;
  /** Cluster bus port. */
  cport = 0;
  /** TLS port when the client port is plain (0: none). */
  pport = 0;
  hostname = '';
  humanNodename = '';
  shardId: string;
  flags: number;
  primary: ClusterNode | null = null;
  replicas: ClusterNode[] = [];
  /** Unix ms of the PING waiting for its PONG (0: none pending), of the last PONG, of the last data. */
  pingSent = 0;
  pongReceived = 0;
  dataReceived = 0;
  /** Unix ms the node was flagged FAIL. */
  failTime = 0;
  configEpoch = 0n;
  /** Replication offset the node last announced. */
  replOffset = 0;
  /** Whether this node has a connected outbound bus link to it (CLUSTER NODES link state). */
  linkConnected = false;
  readonly slots = new Uint8Array(SLOT_BITMAP_BYTES);
  numSlots = 0;
  /** Unix ms this node (a primary) last got my vote for a replica of it (voted_time), and since when it is orphaned. */
  votedTime = 0;
  orphanedTime = 0;
  /** Failure reports: reporting primary's id -> unix ms of the report. */
  readonly failReports = new Map<string, number>();
  readonly ctime = Date.now();

  constructor(
    public id: string,
    flags: number,
  ) {
    this.flags = flags;
    this.shardId = randomNodeId();
  }

  get isMyself(): boolean {
    return (this.flags & NODE_MYSELF) !== 0;
  }
  get isPrimary(): boolean {
    return (this.flags & NODE_MASTER) !== 0;
  }
  get isReplica(): boolean {
    return (this.flags & NODE_SLAVE) !== 0;
  }
  get isFailed(): boolean {
    return (this.flags & NODE_FAIL) !== 0;
  }
  get inHandshake(): boolean {
    return (this.flags & NODE_HANDSHAKE) !== 0;
  }

  hasSlot(slot: number): boolean {
    return (this.slots[slot >> 3] & (1 << (slot & 7))) !== 0;
  }
}

/** Flags as CLUSTER NODES writes them, in Redis's order (representClusterNodeFlags). */
const FLAG_NAMES: Array<[number, string]> = [
  [NODE_MYSELF, 'myself'],
  [NODE_MASTER, 'master'],
  [NODE_SLAVE, 'slave'],
  [NODE_PFAIL, 'fail?'],
  [NODE_FAIL, 'fail'],
  [NODE_HANDSHAKE, 'handshake'],
  [NODE_NOADDR, 'noaddr'],
  [NODE_NOFAILOVER, 'nofailover'],
];

export function flagsText(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) names.push(name);
  return names.length === 0 ? 'noflags' : names.join(',');
}

export type ClusterHealth = 'ok' | 'fail';

/** The cluster as one node sees it. */
export class ClusterState {
  readonly nodes = new Map<string, ClusterNode>();
  myself: ClusterNode;
  currentEpoch = 0n;
  lastVoteEpoch = 0n;
  state: ClusterHealth = 'fail';
  /** Primaries serving at least one slot (computed by updateState; Redis starts it at 1). */
  size = 1;
  /** Owner of each slot. */
  readonly slots: Array<ClusterNode | null> = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  readonly migratingTo: Array<ClusterNode | null> = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  readonly importingFrom: Array<ClusterNode | null> = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  /** Slots with an importing or migrating state, for the routing check's fast path. */
  openSlots = 0;
  /**
   * Slots whose writes an atomic slot migration holds during its switch
   * (slot-migration.ts): counted in openSlots, so the fast path leaves them to the full check.
   */
  pausedSlots = 0;
  /**
   * Called when a slot that myself serves (as its owner, or as a replica of its
   * owner) is unassigned, before the next owner is set (Redis's clusterDelSlot
   * then drops the slot's shard channels).
   */
  onSlotUnserved: ((slot: number) => void) | null = null;

  constructor(myself?: ClusterNode) {
    this.myself = myself ?? new ClusterNode(randomNodeId(), NODE_MYSELF | NODE_MASTER);
    this.nodes.set(this.myself.id, this.myself);
  }

  lookup(id: string): ClusterNode | undefined {
    return this.nodes.get(id.toLowerCase());
  }

  /** The node of `id`, created (without flags) when unknown. */
  lookupOrCreate(id: string): ClusterNode {
    let n = this.nodes.get(id);
    if (n === undefined) {
      n = new ClusterNode(id, 0);
      this.nodes.set(id, n);
    }
    return n;
  }

  /** Assigns `slot` to `n`; false when it is already assigned. */
  addSlot(n: ClusterNode, slot: number): boolean {
    if (this.slots[slot] !== null) return false;
    n.slots[slot >> 3] |= 1 << (slot & 7);
    n.numSlots++;
    this.slots[slot] = n;
    return true;
  }

  /** Unassigns `slot`; false when it was unassigned. */
  delSlot(slot: number): boolean {
    const n = this.slots[slot];
    if (n === null) return false;
    if (this.onSlotUnserved !== null) {
      const owner = n.isReplica && n.primary !== null ? n.primary : n;
      if (owner === this.myself || this.myself.primary === owner) this.onSlotUnserved(slot);
    }
    n.slots[slot >> 3] &= ~(1 << (slot & 7));
    n.numSlots--;
    this.slots[slot] = null;
    return true;
  }

  /** Unassigns every slot of `n`; returns how many. */
  delNodeSlots(n: ClusterNode): number {
    let deleted = 0;
    for (let j = 0; j < CLUSTER_SLOTS; j++) if (n.hasSlot(j) && this.delSlot(j)) deleted++;
    return deleted;
  }

  setMigrating(slot: number, to: ClusterNode | null): void {
    this.migratingTo[slot] = to;
    this.countOpenSlots();
  }

  setImporting(slot: number, from: ClusterNode | null): void {
    this.importingFrom[slot] = from;
    this.countOpenSlots();
  }

  /** Drops every importing and migrating state (Redis's clusterCloseAllSlots). */
  closeAllSlots(): void {
    this.migratingTo.fill(null);
    this.importingFrom.fill(null);
    this.openSlots = this.pausedSlots;
  }

  /** Sets the number of slots an atomic slot migration's switch holds (0 when none). */
  setPausedSlots(n: number): void {
    this.pausedSlots = n;
    this.countOpenSlots();
  }

  private countOpenSlots(): void {
    let n = 0;
    for (let j = 0; j < CLUSTER_SLOTS; j++) if (this.migratingTo[j] !== null || this.importingFrom[j] !== null) n++;
    this.openSlots = n + this.pausedSlots;
  }

  /** Makes `replica` a replica of `primary` (or of none), keeping both sides' lists. */
  setPrimaryOf(replica: ClusterNode, primary: ClusterNode | null): void {
    if (replica.primary !== null) {
      const list = replica.primary.replicas;
      const i = list.indexOf(replica);
      if (i >= 0) list.splice(i, 1);
    }
    replica.primary = primary;
    if (primary !== null) {
      if (!primary.replicas.includes(replica)) primary.replicas.push(replica);
      // A replica is in its primary's shard.
      replica.shardId = primary.shardId;
    }
  }

  /** Removes a node and every reference to it (Redis's clusterDelNode). */
  delNode(n: ClusterNode): void {
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if (this.importingFrom[j] === n) this.importingFrom[j] = null;
      if (this.migratingTo[j] === n) this.migratingTo[j] = null;
      if (this.slots[j] === n) this.delSlot(j);
    }
    this.countOpenSlots();
    for (const other of this.nodes.values()) other.failReports.delete(n.id);
    if (n.primary !== null) this.setPrimaryOf(n, null);
    for (const r of n.replicas) if (r.primary === n) r.primary = null;
    this.nodes.delete(n.id);
  }

  /** Renames a node (a handshake node learns its real id). */
  renameNode(n: ClusterNode, id: string): void {
    this.nodes.delete(n.id);
    n.id = id;
    this.nodes.set(id, n);
  }

  /** The greatest config epoch known, or the current epoch if greater (clusterGetMaxEpoch). */
  maxEpoch(): bigint {
    let max = 0n;
    for (const n of this.nodes.values()) if (n.configEpoch > max) max = n.configEpoch;
    return max > this.currentEpoch ? max : this.currentEpoch;
  }

  /** Slots with an owner. */
  slotsAssigned(): number {
    let k = 0;
    for (let j = 0; j < CLUSTER_SLOTS; j++) if (this.slots[j] !== null) k++;
    return k;
  }

  /** The primary of a node's shard (itself when it is a primary). */
  shardPrimary(n: ClusterNode): ClusterNode {
    return n.isReplica && n.primary !== null ? n.primary : n;
  }
}

// ---- text forms ---------------------------------------------------------------------------

/** The slot ranges of a node, as [start, end] pairs in ascending order. */
export function slotRanges(n: ClusterNode): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let j = 0; j <= CLUSTER_SLOTS; j++) {
    const has = j < CLUSTER_SLOTS && n.hasSlot(j);
    if (has && start < 0) start = j;
    if (!has && start >= 0) {
      out.push([start, j - 1]);
      start = -1;
    }
  }
  return out;
}

/**
 * One line of CLUSTER NODES (without its newline), or of nodes.conf when `forConfig`
 * (then the address carries 7.2's auxiliary fields: the hostname, positional, then
 * `shard-id=` and `nodename=`). `now`: unix ms, for nothing yet but kept for the
 * ping/pong columns which are absolute times as Redis prints them.
 */
export function nodeLine(st: ClusterState, n: ClusterNode, forConfig: boolean): string {
  let addr = `${n.ip}:${n.port}@${n.cport}`;
  if (forConfig) {
    addr += `,${n.hostname},shard-id=${n.shardId}`;
    if (n.humanNodename !== '') addr += `,nodename=${n.humanNodename}`;
  } else if (n.hostname !== '') {
    addr += `,${n.hostname}`;
  }
  const primary = n.primary !== null ? n.primary.id : '-';
  const link = n.isMyself || n.linkConnected ? 'connected' : 'disconnected';
  let line = `${n.id} ${addr} ${flagsText(n.flags)} ${primary} ${n.pingSent} ${n.pongReceived} ${n.configEpoch} ${link}`;
  for (const [a, b] of slotRanges(n)) line += a === b ? ` ${a}` : ` ${a}-${b}`;
  if (n.isMyself) {
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      const to = st.migratingTo[j];
      if (to !== null) line += ` [${j}->-${to.id}]`;
      const from = st.importingFrom[j];
      if (from !== null) line += ` [${j}-<-${from.id}]`;
    }
  }
  return line;
}

/** CLUSTER NODES: every node but those in handshake when `skipHandshake`, one line each. */
export function nodesDescription(st: ClusterState, forConfig: boolean): string {
  let out = '';
  for (const n of st.nodes.values()) {
    if (forConfig && n.inHandshake) continue;
    out += nodeLine(st, n, forConfig) + '\n';
  }
  return out;
}

/** The nodes.conf text: the node lines and the vars line. */
export function configText(st: ClusterState): string {
  return nodesDescription(st, true) + `vars currentEpoch ${st.currentEpoch} lastVoteEpoch ${st.lastVoteEpoch}\n`;
}

/** A nodes.conf that cannot be loaded; `detail` says why (logged before Redis's own message). */
export class NodesConfError extends Error {
  constructor(readonly detail: string) {
    super('Unrecoverable error: corrupted cluster config file.');
  }
}

/** Upper bound on nodes a nodes.conf may describe (a cluster of 1000 nodes is Redis's stated maximum). */
export const MAX_CONF_NODES = 10000;

/** strtoull of a whole word, or null. */
function epochWord(w: string): bigint | null {
  if (!/^\d{1,20}$/.test(w)) return null;
  const v = BigInt(w);
  return v <= 0xffffffffffffffffn ? v : null;
}

/** A slot number word (atoi semantics would accept garbage: here a bad slot is an error). */
function slotWord(w: string): number | null {
  if (!/^\d{1,5}$/.test(w)) return null;
  const v = Number(w);
  return v < CLUSTER_SLOTS ? v : null;
}

/** Notes for the log while loading (unknown vars). */
export interface LoadNotes {
  warnings: string[];
}

/**
 * Parses a nodes.conf (Redis's clusterLoadConfig) into a new state. Lines: blank
 * lines skipped; `vars currentEpoch N lastVoteEpoch N` (unknown variables skipped
 * with a warning); a node line of at least eight fields: id, ip:port[@cport][,hostname
 * [,aux=value...]], flags, primary id or '-', ping-sent, pong-received, config epoch,
 * link state, then slots (`N`, `A-B`, `[N->-id]`, `[N-<-id]`). Exactly one node is
 * `myself`. Throws NodesConfError on anything else (a half-written last line too:
 * fewer than eight fields). `now`: unix ms, set as the ping/pong times of nodes the
 * file says had them.
 */
export function parseNodesConf(text: string, now: number, notes: LoadNotes = { warnings: [] }): ClusterState {
  let myself: ClusterNode | null = null;
  const st = new ClusterState(new ClusterNode(randomNodeId(), 0));
  // The placeholder myself is dropped once the real one is read.
  st.nodes.clear();
  let currentEpoch = 0n;
  let lastVoteEpoch = 0n;
  const bad = (why: string): never => {
    throw new NodesConfError(why);
  };
  const lines = text.split('\n');
  // A file that does not end in a newline was cut while written.
  if (lines[lines.length - 1] !== '') bad('the file does not end with a newline');
  lines.pop();
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const argv = line.trim().split(/[ \t]+/);
    if (argv[0].toLowerCase() === 'vars') {
      for (let j = 1; j < argv.length; j += 2) {
        const name = argv[j].toLowerCase();
        const v = argv[j + 1] === undefined ? null : epochWord(argv[j + 1]);
        if (name === 'currentepoch' || name === 'lastvoteepoch') {
          if (v === null) bad(`bad value of ${argv[j]}`);
          if (name === 'currentepoch') currentEpoch = v!;
          else lastVoteEpoch = v!;
        } else {
          notes.warnings.push(`Skipping unknown cluster config variable '${argv[j]}'`);
        }
      }
      continue;
    }
    if (argv.length < 8) bad(`a node line has ${argv.length} fields, at least 8 are needed`);
    const id = argv[0].toLowerCase();
    if (!isNodeId(id)) bad(`bad node id '${argv[0]}'`);
    if (st.nodes.size >= MAX_CONF_NODES && !st.nodes.has(id)) bad(`more than ${MAX_CONF_NODES} nodes`);
    const n = st.lookupOrCreate(id);
    // Address: ip:port[@cport][,hostname[,field=value]...]
    const [coords, hostname, ...aux] = argv[1].split(',');
    const colon = coords.lastIndexOf(':');
    if (colon < 0) bad(`no port in address '${argv[1]}'`);
    n.ip = coords.slice(0, colon);
    const at = coords.indexOf('@', colon);
    const portText = at < 0 ? coords.slice(colon + 1) : coords.slice(colon + 1, at);
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) bad(`bad port in address '${argv[1]}'`);
    n.port = Number(portText);
    if (at >= 0) {
      const cp = coords.slice(at + 1);
      if (!/^\d{1,5}$/.test(cp) || Number(cp) > 65535) bad(`bad bus port in address '${argv[1]}'`);
      n.cport = Number(cp);
    } else {
      // Files of Redis before 4.0 have no bus port: it is the client port + 10000.
      n.cport = n.port + 10000;
    }
    if (hostname !== undefined) n.hostname = hostname;
    for (const f of aux) {
      const eq = f.indexOf('=');
      if (eq < 0) bad(`bad auxiliary field '${f}'`);
      const key = f.slice(0, eq);
      const value = f.slice(eq + 1);
      if (key === 'shard-id') {
        if (!isNodeId(value)) bad(`bad shard id '${value}'`);
        n.shardId = value.toLowerCase();
      } else if (key === 'nodename') n.humanNodename = value;
      else if (key === 'tls-port' || key === 'tcp-port') {
        if (!/^\d{1,5}$/.test(value)) bad(`bad ${key} '${value}'`);
        if (key === 'tls-port') n.pport = Number(value);
      }
      // Other fields come from later versions: ignored, as Redis ignores unknown ones.
    }
    for (const f of argv[2].split(',')) {
      const name = f.toLowerCase();
      if (name === 'myself') {
        if (myself !== null) bad('two nodes are flagged myself');
        myself = n;
        n.flags |= NODE_MYSELF;
      } else if (name === 'master') n.flags |= NODE_MASTER;
      else if (name === 'slave') n.flags |= NODE_SLAVE;
      else if (name === 'fail?') n.flags |= NODE_PFAIL;
      else if (name === 'fail') {
        n.flags |= NODE_FAIL;
        n.failTime = now;
      } else if (name === 'handshake') n.flags |= NODE_HANDSHAKE;
      else if (name === 'noaddr') n.flags |= NODE_NOADDR;
      else if (name === 'nofailover') n.flags |= NODE_NOFAILOVER;
      else if (name !== 'noflags') bad(`Unknown flag in redis cluster config file: '${f}'`);
    }
    if (argv[3] !== '-') {
      const pid = argv[3].toLowerCase();
      if (!isNodeId(pid)) bad(`bad primary id '${argv[3]}'`);
      st.setPrimaryOf(n, st.lookupOrCreate(pid));
    }
    if (!/^\d+$/.test(argv[4]) || !/^\d+$/.test(argv[5])) bad('bad ping/pong times');
    if (argv[4] !== '0') n.pingSent = now;
    if (argv[5] !== '0') n.pongReceived = now;
    const epoch = epochWord(argv[6]);
    if (epoch === null) bad(`bad config epoch '${argv[6]}'`);
    n.configEpoch = epoch!;
    for (let j = 8; j < argv.length; j++) {
      const w = argv[j];
      if (w.startsWith('[')) {
        const m = /^\[(\d+)-([<>])-([0-9a-fA-F]{40})\]$/.exec(w);
        if (m === null) bad(`bad open slot '${w}'`);
        const slot = slotWord(m![1]);
        if (slot === null) bad(`bad slot in '${w}'`);
        const other = st.lookupOrCreate(m![3].toLowerCase());
        if (m![2] === '>') st.migratingTo[slot!] = other;
        else st.importingFrom[slot!] = other;
        continue;
      }
      const dash = w.indexOf('-');
      const a = slotWord(dash < 0 ? w : w.slice(0, dash));
      const b = dash < 0 ? a : slotWord(w.slice(dash + 1));
      if (a === null || b === null || b < a) bad(`bad slot range '${w}'`);
      for (let s = a!; s <= b!; s++) {
        if (st.slots[s] !== null && st.slots[s] !== n) bad(`slot ${s} is claimed by two nodes`);
        if (st.slots[s] === null) st.addSlot(n, s);
      }
    }
  }
  if (myself === null) bad('no node is flagged myself');
  // A replica is in its primary's shard (7.0 files have no shard ids; a 7.2 file's agree).
  for (const n of st.nodes.values()) if (n.primary !== null) n.shardId = n.primary.shardId;
  st.myself = myself!;
  // Nodes the file names only as a primary or an open slot's peer have no flags yet.
  st.currentEpoch = currentEpoch;
  st.lastVoteEpoch = lastVoteEpoch;
  // As Redis: protection against a hand-edited file whose current epoch is behind.
  const max = st.maxEpoch();
  if (max > st.currentEpoch) st.currentEpoch = max;
  // openSlots from what was loaded.
  st.setMigrating(0, st.migratingTo[0]);
  return st;
}
