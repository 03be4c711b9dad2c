// The handlers of CLUSTER and its subcommands, READONLY, READWRITE, ASKING and
// RESTORE-ASKING (specs in commands/cluster-commands.ts), bound on every server's
// table by compose/. Outside cluster mode they answer Redis's
// "ERR This instance has cluster support disabled" (RESTORE-ASKING runs as RESTORE).
// Replies and errors are Redis 7.2's (clusterCommand in cluster.c).

import type { Server } from '../server/server.js';
import { CLIENT_ASKING, CLIENT_READONLY, type Client } from '../server/client.js';
import type { Handler } from '../commands/context.js';
import { addHelp } from '../commands/client-command.js';
import { CLUSTER_SLOTS, keyHashSlot } from '../keyspace/hash-slot.js';
import { parseInt64 } from '../util/numbers.js';
import { clusterOf, type Cluster } from './cluster.js';
import { preferredEndpoint } from './routing.js';
import { slotMigrationsOf } from './slot-migration.js';
import { nodeLine, nodesDescription, NODE_FAIL, NODE_PFAIL, slotRanges, type ClusterNode } from './state.js';

const ERR_DISABLED = 'ERR This instance has cluster support disabled';
const ERR_BAD_SLOT = 'ERR Invalid or out of range slot';
const ERR_NOT_INT = 'ERR value is not an integer or out of range';
const ERR_SYNTAX = 'ERR syntax error';

/** Bus message type names, as CLUSTER INFO's counters name them (clusterGetMessageTypeString). */
const MSG_TYPE_NAMES = ['ping', 'pong', 'meet', 'fail', 'publish', 'publishshard', 'auth-req', 'auth-ack', 'update', 'mfstart', 'module'];

const HELP = [
  'CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ADDSLOTS <slot> [<slot> ...]',
  '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH',
  '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>',
  '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]',
  '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]',
  '    Promote current replica node to being a master.',
  'FORGET <node-id>',
  '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS',
  '    Delete current node own slots information.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]',
  '    Connect nodes into a working cluster.',
  'MYID',
  '    Return the node id.',
  'MYSHARDID',
  "    Return the node's shard id.",
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>',
  '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]',
  '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>',
  '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)',
  '    Set slot state.',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SAVECONFIG',
  '    Force saving cluster configuration on disk.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS',
  '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
  'HELP',
  '    Prints this help.',
];

/** A handler that needs cluster mode: gets the cluster, or answers the disabled error. */
function inCluster(fn: (c: Client, argv: string[], cl: Cluster) => void): Handler {
  return (c, argv) => {
    const cl = clusterOf(c.server);
    if (cl === undefined) {
      c.addError(ERR_DISABLED);
      return;
    }
    fn(c as Client, argv, cl);
  };
}

/** A slot argument (getSlotOrReply): the slot, or null after the error reply. */
function slotArg(c: Client, s: string): number | null {
  const v = parseInt64(s);
  if (v === null || v < 0n || v >= BigInt(CLUSTER_SLOTS)) {
    c.addError(ERR_BAD_SLOT);
    return null;
  }
  return Number(v);
}

/** The answer of a subcommand given a wrong number of arguments its arity allows (addReplySubcommandSyntaxError). */
function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.addError(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try CLUSTER HELP.`);
}

function lookupNode(c: Client, cl: Cluster, id: string, err = `ERR Unknown node ${id}`): ClusterNode | null {
  const n = cl.st.lookup(id);
  if (n === undefined) {
    c.addError(err);
    return null;
  }
  return n;
}

// ---- read-only views -----------------------------------------------------------------------

function clusterInfo(c: Client, _argv: string[], cl: Cluster): void {
  const st = cl.st;
  let assigned = 0;
  let pfail = 0;
  let fail = 0;
  for (let j = 0; j < CLUSTER_SLOTS; j++) {
    const n = st.slots[j];
    if (n === null) continue;
    assigned++;
    if (n.flags & NODE_FAIL) fail++;
    else if (n.flags & NODE_PFAIL) pfail++;
  }
  const me = st.myself;
  const myEpoch = me.isReplica && me.primary !== null ? me.primary.configEpoch : me.configEpoch;
  const lines = [
    `cluster_state:${st.state}`,
    `cluster_slots_assigned:${assigned}`,
    `cluster_slots_ok:${assigned - fail - pfail}`,
    `cluster_slots_pfail:${pfail}`,
    `cluster_slots_fail:${fail}`,
    `cluster_known_nodes:${st.nodes.size}`,
    `cluster_size:${st.size}`,
    `cluster_current_epoch:${st.currentEpoch}`,
    `cluster_my_epoch:${myEpoch}`,
  ];
  let sent = 0;
  let received = 0;
  for (let t = 0; t < MSG_TYPE_NAMES.length; t++) {
    if (cl.sent[t] === 0) continue;
    sent += cl.sent[t];
    lines.push(`cluster_stats_messages_${MSG_TYPE_NAMES[t]}_sent:${cl.sent[t]}`);
  }
  lines.push(`cluster_stats_messages_sent:${sent}`);
  for (let t = 0; t < MSG_TYPE_NAMES.length; t++) {
    if (cl.received[t] === 0) continue;
    received += cl.received[t];
    lines.push(`cluster_stats_messages_${MSG_TYPE_NAMES[t]}_received:${cl.received[t]}`);
  }
  lines.push(`cluster_stats_messages_received:${received}`);
  lines.push(`total_cluster_links_buffer_limit_exceeded:${cl.linksBufferLimitExceeded}`);
  c.addVerbatim(lines.join('\r\n') + '\r\n');
}

function clusterNodes(c: Client, _argv: string[], cl: Cluster): void {
  c.addVerbatim(nodesDescription(cl.st, false));
}

/** One node of a CLUSTER SLOTS range: endpoint, port, id, and the other endpoints as metadata. */
function addSlotsNode(c: Client, s: Server, n: ClusterNode): void {
  const pref = s.config.getString('cluster-preferred-endpoint-type');
  c.addArrayLen(4);
  if (pref === 'unknown-endpoint') c.addNull();
  else c.addBulk(preferredEndpoint(s, n));
  c.addInt(n.port);
  c.addBulk(n.id);
  const meta: Array<[string, string]> = [];
  if (pref !== 'ip' && n.ip !== '') meta.push(['ip', n.ip]);
  if (pref !== 'hostname' && n.hostname !== '') meta.push(['hostname', n.hostname]);
  c.addMapLen(meta.length);
  for (const [k, v] of meta) {
    c.addBulk(k);
    c.addBulk(v);
  }
}

function clusterSlots(c: Client, _argv: string[], cl: Cluster): void {
  const st = cl.st;
  const ranges: Array<[number, number, ClusterNode]> = [];
  let start = -1;
  let owner: ClusterNode | null = null;
  for (let j = 0; j <= CLUSTER_SLOTS; j++) {
    const n = j < CLUSTER_SLOTS ? st.slots[j] : null;
    if (n === owner) continue;
    if (owner !== null) ranges.push([start, j - 1, owner]);
    owner = n;
    start = j;
  }
  c.addArrayLen(ranges.length);
  for (const [a, b, n] of ranges) {
    // A replica that failed, or has no data yet (offset 0), is left out (isReplicaAvailable).
    const replicas = n.replicas.filter((r) => !r.isFailed && replOffset(cl, r) !== 0);
    c.addArrayLen(3 + replicas.length);
    c.addInt(a);
    c.addInt(b);
    addSlotsNode(c, cl.server, n);
    for (const r of replicas) addSlotsNode(c, cl.server, r);
  }
}

/** A node's replication offset as CLUSTER SHARDS reports it (myself: the server's own). */
function replOffset(cl: Cluster, n: ClusterNode): number {
  return n.isMyself ? cl.server.masterReplOffset : n.replOffset;
}

function addShardNode(c: Client, cl: Cluster, n: ClusterNode): void {
  const s = cl.server;
  const fields: Array<[string, string | number]> = [['id', n.id], ['port', n.port]];
  if (n.pport !== 0) fields.push(['tls-port', n.pport]);
  fields.push(['ip', n.ip], ['endpoint', preferredEndpoint(s, n)]);
  if (n.hostname !== '') fields.push(['hostname', n.hostname]);
  fields.push(['role', n.isReplica ? 'replica' : 'master'], ['replication-offset', replOffset(cl, n)]);
  const health = n.isFailed ? 'fail' : n.isReplica && replOffset(cl, n) === 0 ? 'loading' : 'online';
  fields.push(['health', health]);
  c.addMapLen(fields.length);
  for (const [k, v] of fields) {
    c.addBulk(k);
    if (typeof v === 'number') c.addInt(v);
    else c.addBulk(v);
  }
}

/** CLUSTER SHARDS: one entry per shard (7.2: the nodes of one shard id), its slot ranges and nodes. */
function clusterShards(c: Client, _argv: string[], cl: Cluster): void {
  const shards = new Map<string, ClusterNode[]>();
  for (const n of cl.st.nodes.values()) {
    if (n.inHandshake) continue;
    const list = shards.get(n.shardId);
    if (list === undefined) shards.set(n.shardId, [n]);
    else list.push(n);
  }
  c.addArrayLen(shards.size);
  for (const nodes of shards.values()) {
    const primary = nodes.find((n) => n.isPrimary) ?? null;
    c.addMapLen(2);
    c.addBulk('slots');
    const ranges = primary !== null ? slotRanges(primary) : [];
    c.addArrayLen(ranges.length * 2);
    for (const [a, b] of ranges) {
      c.addInt(a);
      c.addInt(b);
    }
    c.addBulk('nodes');
    c.addArrayLen(nodes.length);
    for (const n of nodes) addShardNode(c, cl, n);
  }
}

function clusterLinks(c: Client, _argv: string[], cl: Cluster): void {
  const links = cl.linksInfo();
  c.addArrayLen(links.length);
  for (const l of links) {
    c.addMapLen(6);
    c.addBulk('direction');
    c.addBulk(l.direction);
    c.addBulk('node');
    c.addBulk(l.node);
    c.addBulk('create-time');
    c.addInt(l.createTime);
    c.addBulk('events');
    c.addBulk(l.events);
    c.addBulk('send-buffer-allocated');
    c.addInt(l.sendBufferAllocated);
    c.addBulk('send-buffer-used');
    c.addInt(l.sendBufferUsed);
  }
}

function countKeysInSlot(c: Client, argv: string[], cl: Cluster): void {
  const v = parseInt64(argv[2]);
  if (v === null) return c.addError(ERR_NOT_INT);
  if (v < 0n || v >= BigInt(CLUSTER_SLOTS)) return c.addError('ERR Invalid slot');
  c.addInt(cl.server.ks.dbs[0].countKeysInSlot(Number(v)));
}

function getKeysInSlot(c: Client, argv: string[], cl: Cluster): void {
  const slot = parseInt64(argv[2]);
  if (slot === null) return c.addError(ERR_NOT_INT);
  const max = parseInt64(argv[3]);
  if (max === null) return c.addError(ERR_NOT_INT);
  if (slot < 0n || slot >= BigInt(CLUSTER_SLOTS) || max < 0n) return c.addError('ERR Invalid slot or number of keys');
  const db = cl.server.ks.dbs[0];
  const n = Number(slot);
  const count = Math.min(Number(max), db.countKeysInSlot(n));
  c.addBulkArray(db.getKeysInSlot(n, count));
}

function countFailureReports(c: Client, argv: string[], cl: Cluster): void {
  const n = lookupNode(c, cl, argv[2]);
  if (n === null) return;
  cl.expireFailReports(n);
  c.addInt(n.failReports.size);
}

function clusterReplicas(c: Client, argv: string[], cl: Cluster): void {
  const n = lookupNode(c, cl, argv[2]);
  if (n === null) return;
  if (n.isReplica) return c.addError('ERR The specified node is not a master');
  c.addArrayLen(n.replicas.length);
  for (const r of n.replicas) c.addBulk(nodeLine(cl.st, r, false));
}

// ---- changes --------------------------------------------------------------------------------

/** ADDSLOTS / DELSLOTS (and their RANGE forms, given the slots): every slot checked before any changes. */
function changeSlots(c: Client, cl: Cluster, slots: number[], add: boolean): void {
  const st = cl.st;
  const seen = new Uint8Array(CLUSTER_SLOTS);
  for (const s of slots) {
    if (add && st.slots[s] !== null) return c.addError(`ERR Slot ${s} is already busy`);
    if (!add && st.slots[s] === null) return c.addError(`ERR Slot ${s} is already unassigned`);
    if (seen[s]++ !== 0) return c.addError(`ERR Slot ${s} specified multiple times`);
  }
  for (const s of slots) {
    if (add) {
      // A slot this node imported is its own now: no longer importing.
      if (st.importingFrom[s] !== null) st.setImporting(s, null);
      st.addSlot(st.myself, s);
    } else {
      st.delSlot(s);
    }
  }
  cl.changed();
  cl.updateState();
  c.addOk();
}

function slotsCommand(add: boolean): (c: Client, argv: string[], cl: Cluster) => void {
  return (c, argv, cl) => {
    const slots: number[] = [];
    for (let j = 2; j < argv.length; j++) {
      const s = slotArg(c, argv[j]);
      if (s === null) return;
      slots.push(s);
    }
    changeSlots(c, cl, slots, add);
  };
}

function slotsRangeCommand(add: boolean): (c: Client, argv: string[], cl: Cluster) => void {
  return (c, argv, cl) => {
    if (argv.length % 2 === 1) return c.addError(`ERR wrong number of arguments for 'cluster|${add ? 'addslotsrange' : 'delslotsrange'}' command`);
    const slots: number[] = [];
    for (let j = 2; j < argv.length; j += 2) {
      const a = slotArg(c, argv[j]);
      if (a === null) return;
      const b = slotArg(c, argv[j + 1]);
      if (b === null) return;
      if (a > b) return c.addError(`ERR start slot number ${a} is greater than end slot number ${b}`);
      for (let s = a; s <= b; s++) slots.push(s);
    }
    changeSlots(c, cl, slots, add);
  };
}

function flushSlots(c: Client, _argv: string[], cl: Cluster): void {
  if (cl.dbSize() !== 0) return c.addError('ERR DB must be empty to perform CLUSTER FLUSHSLOTS.');
  cl.st.delNodeSlots(cl.st.myself);
  cl.changed();
  cl.updateState();
  c.addOk();
}

const ERR_SETSLOT = 'ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP';

function setSlot(c: Client, argv: string[], cl: Cluster): void {
  const st = cl.st;
  const me = st.myself;
  if (me.isReplica) return c.addError('ERR Please use SETSLOT only with masters.');
  const slot = slotArg(c, argv[2]);
  if (slot === null) return;
  const action = argv[3].toLowerCase();
  if (action === 'migrating' && argv.length === 5) {
    if (st.slots[slot] !== me) return c.addError(`ERR I'm not the owner of hash slot ${slot}`);
    const n = lookupNode(c, cl, argv[4], `ERR I don't know about node ${argv[4]}`);
    if (n === null) return;
    if (n.isReplica) return c.addError('ERR Target node is not a master');
    st.setMigrating(slot, n);
  } else if (action === 'importing' && argv.length === 5) {
    if (st.slots[slot] === me) return c.addError(`ERR I'm already the owner of hash slot ${slot}`);
    const n = lookupNode(c, cl, argv[4], `ERR I don't know about node ${argv[4]}`);
    if (n === null) return;
    if (n.isReplica) return c.addError('ERR Target node is not a master');
    st.setImporting(slot, n);
  } else if (action === 'stable' && argv.length === 4) {
    st.setImporting(slot, null);
    st.setMigrating(slot, null);
  } else if (action === 'node' && argv.length === 5) {
    const n = lookupNode(c, cl, argv[4]);
    if (n === null) return;
    if (n.isReplica) return c.addError('ERR Target node is not a master');
    const db = cl.server.ks.dbs[0];
    if (st.slots[slot] === me && n !== me && db.countKeysInSlot(slot) !== 0) {
      return c.addError(`ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`);
    }
    // The last key moved: the slot is no longer migrating.
    if (db.countKeysInSlot(slot) === 0 && st.migratingTo[slot] !== null) st.setMigrating(slot, null);
    st.delSlot(slot);
    st.addSlot(n, slot);
    // Importing done: the slot is ours, announced with a new config epoch so that it
    // wins over the old owner's claim.
    if (n === me && st.importingFrom[slot] !== null) {
      st.setImporting(slot, null);
      if (cl.bumpEpochWithoutConsensus()) cl.server.log.warning(`configEpoch updated after importing slot ${slot}`);
      cl.onSlotsChanged();
    }
  } else {
    return c.addError(ERR_SETSLOT);
  }
  cl.changed();
  cl.updateState();
  c.addOk();
}

function clusterReset(c: Client, argv: string[], cl: Cluster): void {
  let hard = false;
  if (argv.length === 3) {
    const mode = argv[2].toLowerCase();
    if (mode === 'hard') hard = true;
    else if (mode !== 'soft') return c.addError(ERR_SYNTAX);
  } else if (argv.length > 3) {
    return subcommandSyntaxError(c, argv);
  }
  if (cl.st.myself.isPrimary && cl.dbSize() !== 0) return c.addError("ERR CLUSTER RESET can't be called with master nodes containing keys");
  cl.reset(hard);
  c.addOk();
}

function saveConfig(c: Client, _argv: string[], cl: Cluster): void {
  const err = cl.save();
  if (err !== null) return c.addError(`ERR error saving the cluster node config: ${err}`);
  c.addOk();
}

function setConfigEpoch(c: Client, argv: string[], cl: Cluster): void {
  const v = parseInt64(argv[2]);
  if (v === null) return c.addError(ERR_NOT_INT);
  if (v < 0n) return c.addError(`ERR Invalid config epoch specified: ${v}`);
  const st = cl.st;
  if (st.nodes.size > 1) return c.addError('ERR The user can assign a config epoch only when the node does not know any other node.');
  if (st.myself.configEpoch !== 0n) return c.addError('ERR Node config epoch is already non-zero');
  st.myself.configEpoch = v;
  cl.server.log.warning(`configEpoch set to ${v} via CLUSTER SET-CONFIG-EPOCH`);
  if (st.currentEpoch < v) st.currentEpoch = v;
  cl.changed();
  cl.updateState();
  c.addOk();
}

function bumpEpoch(c: Client, _argv: string[], cl: Cluster): void {
  const bumped = cl.bumpEpochWithoutConsensus();
  c.addSimple(`${bumped ? 'BUMPED' : 'STILL'} ${cl.st.myself.configEpoch}`);
}

function clusterForget(c: Client, argv: string[], cl: Cluster): void {
  const n = lookupNode(c, cl, argv[2]);
  if (n === null) return;
  const me = cl.st.myself;
  if (n === me) return c.addError("ERR I tried hard but I can't forget myself...");
  if (me.isReplica && me.primary === n) return c.addError("ERR Can't forget my master!");
  cl.forget(n);
  c.addOk();
}

function clusterMeet(c: Client, argv: string[], cl: Cluster): void {
  if (argv.length > 5) return subcommandSyntaxError(c, argv);
  const port = parseInt64(argv[3]);
  if (port === null) return c.addError(`ERR Invalid base port specified: ${argv[3]}`);
  let cport: bigint;
  if (argv.length === 5) {
    const v = parseInt64(argv[4]);
    if (v === null) return c.addError(`ERR Invalid bus port specified: ${argv[4]}`);
    cport = v;
  } else {
    cport = port + 10000n;
  }
  const err = cl.meet(argv[2], Number(port), Number(cport));
  if (err !== null) return c.addError(err);
  c.addOk();
}

function clusterReplicate(c: Client, argv: string[], cl: Cluster): void {
  const err = cl.replicate(argv[2]);
  if (err !== null) return c.addError(err);
  c.addOk();
}

function clusterFailover(c: Client, argv: string[], cl: Cluster): void {
  let mode: 'default' | 'force' | 'takeover' = 'default';
  if (argv.length === 3) {
    const m = argv[2].toLowerCase();
    if (m === 'force') mode = 'force';
    else if (m === 'takeover') mode = 'takeover';
    else return c.addError(ERR_SYNTAX);
  } else if (argv.length > 3) {
    return subcommandSyntaxError(c, argv);
  }
  const err = cl.failover(mode);
  if (err !== null) return c.addError(err);
  c.addOk();
}

// ---- binding --------------------------------------------------------------------------------

/** Binds the cluster commands' handlers on a server's table (every mode). */
export function bindClusterCommands(server: Server): void {
  const t = server.commands;
  const sub: Record<string, (c: Client, argv: string[], cl: Cluster) => void> = {
    info: clusterInfo,
    nodes: clusterNodes,
    slots: clusterSlots,
    shards: clusterShards,
    links: clusterLinks,
    myid: (c, _a, cl) => c.addBulk(cl.st.myself.id),
    myshardid: (c, _a, cl) => c.addBulk(cl.st.myself.shardId),
    keyslot: (c, argv) => c.addInt(keyHashSlot(argv[2])),
    countkeysinslot: countKeysInSlot,
    getkeysinslot: getKeysInSlot,
    'count-failure-reports': countFailureReports,
    replicas: clusterReplicas,
    slaves: clusterReplicas,
    addslots: slotsCommand(true),
    delslots: slotsCommand(false),
    addslotsrange: slotsRangeCommand(true),
    delslotsrange: slotsRangeCommand(false),
    flushslots: flushSlots,
    setslot: setSlot,
    reset: clusterReset,
    saveconfig: saveConfig,
    'set-config-epoch': setConfigEpoch,
    bumpepoch: bumpEpoch,
    forget: clusterForget,
    meet: clusterMeet,
    replicate: clusterReplicate,
    failover: clusterFailover,
    help: (c) => addHelp(c, HELP),
    migrateslots: (c, argv, cl) => slotMigrationsOf(cl).migrateSlots(c, argv),
    cancelslotmigrations: (c, _argv, cl) => slotMigrationsOf(cl).cancel(c),
    getslotmigrations: (c, _argv, cl) => slotMigrationsOf(cl).getMigrations(c),
    syncslots: (c, argv, cl) => slotMigrationsOf(cl).syncSlots(c, argv),
  };
  for (const [name, fn] of Object.entries(sub)) t.provide(`cluster|${name}`, inCluster(fn));
  t.provide(
    'readonly',
    inCluster((c) => {
      c.flags |= CLIENT_READONLY;
      c.addOk();
    }),
  );
  t.provide(
    'readwrite',
    inCluster((c) => {
      c.flags &= ~CLIENT_READONLY;
      c.addOk();
    }),
  );
  t.provide(
    'asking',
    inCluster((c) => {
      c.flags |= CLIENT_ASKING;
      c.addOk();
    }),
  );
  // RESTORE-ASKING is RESTORE (the routing phase lets it through on an importing slot).
  const restore = t.lookup('restore')?.handler;
  if (restore !== undefined) t.provide('restore-asking', restore);
}
