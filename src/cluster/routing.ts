// The routing phase of cluster mode (the 'cluster' phase, see server/phases.ts):
// which node serves a command, as Redis 7's getNodeByQuery, and the redirection a
// client gets when it is not this one (clusterRedirectClient):
//
//   -CROSSSLOT Keys in request don't hash to the same slot
//   -CLUSTERDOWN Hash slot not served          a key's slot has no owner
//   -CLUSTERDOWN The cluster is down           cluster_state:fail
//   -CLUSTERDOWN The cluster is down and only accepts read commands
//                                              (cluster-allow-reads-when-down yes, a write)
//   -MOVED <slot> <endpoint>:<port>            another node owns the slot
//   -ASK <slot> <endpoint>:<port>              the slot migrates and a key is missing here
//   -TRYAGAIN Multiple keys request during rehashing of slot
//                                              a multi-key command on a migrating or
//                                              importing slot with some keys missing
//
// The keys are the command table's (key specs); the sharded pub/sub commands route
// by their channels. EXEC routes over every queued command at once; a redirected
// EXEC discards the transaction and answers the redirection itself, as Redis does.
// Commands from the primary's replication stream are never redirected.
//
// The phase is registered only in cluster mode, so standalone servers pay nothing
// for it. In cluster mode a command without keys costs a flag test and an array
// load; a command whose keys lie in its legacy range, served here, hashes its keys
// without allocating (fastRange); the rest takes the full check.

import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { CLIENT_ASKING, CLIENT_MASTER, CLIENT_MULTI, CLIENT_READONLY } from '../commands/client-flags.js';
import { CMD_WRITE, getKeyPositions, keyInfoOf, specId, type CommandSpec } from '../commands/table.js';
import { discardTransaction } from '../commands/transactions.js';
import { keyHashSlot } from '../keyspace/hash-slot.js';
import type { Cluster } from './cluster.js';
import type { ClusterNode } from './state.js';

export const ERR_CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
export const ERR_TRYAGAIN = 'TRYAGAIN Multiple keys request during rehashing of slot';
export const ERR_DOWN_UNBOUND = 'CLUSTERDOWN Hash slot not served';
export const ERR_DOWN_STATE = 'CLUSTERDOWN The cluster is down';
export const ERR_DOWN_RO_STATE = 'CLUSTERDOWN The cluster is down and only accepts read commands';

/** Sharded pub/sub commands: their channels stand for keys. */
const SHARD_CHANNEL_FROM: Record<string, number> = { spublish: 1, ssubscribe: 1, sunsubscribe: 1 };

/**
 * How a spec is routed, computed once per spec: 0 no keys, 1 by its key specs
 * (movable keys), 2 by shard channels, 3 by the legacy (first, last, step) range,
 * which for a command without movable keys is where its key specs find the keys.
 */
const ROUTE_NONE = 0;
const ROUTE_KEYS = 1;
const ROUTE_CHANNELS = 2;
const ROUTE_RANGE = 3;

function routeKind(spec: CommandSpec): number {
  if (spec.name in SHARD_CHANNEL_FROM && spec.group === 'pubsub') return ROUTE_CHANNELS;
  const info = keyInfoOf(spec);
  if (info.specs.length === 0 && !info.legacy.movable) return ROUTE_NONE;
  if (!info.legacy.movable && info.legacy.firstKey > 0 && info.legacy.step > 0) return ROUTE_RANGE;
  return ROUTE_KEYS;
}

/** The endpoint a redirection names for `n`, as cluster-preferred-endpoint-type says (getPreferredEndpoint). */
export function preferredEndpoint(server: Server, n: ClusterNode): string {
  switch (server.config.getString('cluster-preferred-endpoint-type')) {
    case 'hostname':
      return n.hostname !== '' ? n.hostname : '?';
    case 'unknown-endpoint':
      return '';
    default:
      return n.ip;
  }
}

export class Router {
  /** Route kind by spec id (specId), filled on first use. */
  private readonly kinds: number[] = [];
  private readonly execSpec: CommandSpec | undefined;
  private readonly multiSpec: CommandSpec | undefined;
  private readonly askingSpec: CommandSpec | undefined;
  private readonly migrateSpec: CommandSpec | undefined;

  constructor(
    private readonly server: Server,
    private readonly cluster: Cluster,
  ) {
    this.execSpec = server.commands.lookup('exec');
    this.multiSpec = server.commands.lookup('multi');
    this.askingSpec = server.commands.lookup('asking');
    this.migrateSpec = server.commands.lookup('migrate');
  }

  private kind(spec: CommandSpec): number {
    const id = specId(spec);
    let k = this.kinds[id];
    if (k === undefined) {
      k = routeKind(spec);
      this.kinds[id] = k;
    }
    return k;
  }

  /**
   * The usual case without allocating: a command whose keys lie in its legacy
   * range, on a healthy cluster without open slots, all keys in one slot this node
   * owns. Returns null (serve it), an error, or undefined when the full check
   * must decide (a redirection, an open slot, the cluster down).
   */
  private fastRange(spec: CommandSpec, argv: string[]): string | null | undefined {
    const st = this.cluster.st;
    const argc = argv.length;
    let last = spec.lastKey < 0 ? argc + spec.lastKey : spec.lastKey;
    if (last >= argc) last = argc - 1;
    const step = spec.step;
    let slot = -1;
    let first = '';
    for (let i = spec.firstKey; i <= last; i += step) {
      const key = argv[i];
      const s = keyHashSlot(key);
      if (slot < 0) {
        slot = s;
        first = key;
        if (st.slots[s] === null) return ERR_DOWN_UNBOUND;
      } else if (s !== slot && key !== first) {
        return ERR_CROSSSLOT;
      }
    }
    if (slot < 0) return null;
    if (st.slots[slot] === st.myself && st.openSlots === 0 && st.state === 'ok') return null;
    return undefined;
  }

  /** The phase: null to run the command here, an error to refuse it, '' (TAKEN) when it answered itself. */
  check(c: Client, spec: CommandSpec, argv: string[]): string | null {
    const flags = c.flags;
    let asking = false;
    if ((flags & CLIENT_ASKING) !== 0) {
      asking = true;
      // ASKING lasts for the next command (through a whole MULTI ... EXEC).
      if ((flags & CLIENT_MULTI) === 0 && spec !== this.askingSpec && spec !== this.multiSpec) c.flags &= ~CLIENT_ASKING;
    }
    if ((flags & CLIENT_MASTER) !== 0) return null;
    if (spec === this.execSpec) {
      if (c.multi === null) return null;
      const err = this.route(c, c.multi.queue, asking, c.multi.cmdFlags, argv);
      if (err === null || err === '') return err;
      // Redis discards the transaction and sends the redirection (no EXECABORT).
      discardTransaction(c);
      c.addError(err);
      return '';
    }
    const kind = this.kind(spec);
    if (kind === ROUTE_NONE) return null;
    if (kind === ROUTE_RANGE) {
      const fast = this.fastRange(spec, argv);
      if (fast !== undefined) return fast;
    }
    this.one[0].spec = spec;
    this.one[0].argv = argv;
    return this.route(c, this.one, asking, 0, argv);
  }

  private readonly one: Array<{ spec: CommandSpec; argv: string[] }> = [{ spec: undefined as unknown as CommandSpec, argv: [] }];

  /**
   * getNodeByQuery over `cmds` (one command, or EXEC's queue). `execFlags`: the
   * queue's CMD_* bits (EXEC is a write when one queued command is).
   */
  private route(c: Client, cmds: ReadonlyArray<{ spec: CommandSpec; argv: string[] }>, asking: boolean, execFlags: number, topArgv: string[]): string | null {
    const st = this.cluster.st;
    const me = st.myself;
    let firstKey: string | null = null;
    let slot = -1;
    let n: ClusterNode | null = null;
    let migrating = false;
    let importing = false;
    let multipleKeys = false;
    let missing = 0;
    let existing = 0;
    let shardPubsub = false;
    let isWrite = (execFlags & CMD_WRITE) !== 0;
    let migrateCmd = false;
    const db = this.server.ks.dbs[0];
    for (let i = 0; i < cmds.length; i++) {
      const { spec, argv } = cmds[i];
      const kind = this.kind(spec);
      if (kind === ROUTE_NONE) continue;
      if (spec === this.migrateSpec) migrateCmd = true;
      if ((spec.fbits! & CMD_WRITE) !== 0) isWrite = true;
      let keys: string[];
      if (kind === ROUTE_RANGE) {
        let last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
        if (last >= argv.length) last = argv.length - 1;
        keys = [];
        for (let j = spec.firstKey; j <= last; j += spec.step) keys.push(argv[j]);
      } else if (kind === ROUTE_CHANNELS) {
        shardPubsub = true;
        keys = spec.name === 'spublish' ? (argv.length > 1 ? [argv[1]] : []) : argv.slice(1);
      } else {
        const pos = getKeyPositions(spec, argv);
        keys = new Array<string>(pos.length);
        for (let j = 0; j < pos.length; j++) keys[j] = argv[pos[j]];
      }
      for (let j = 0; j < keys.length; j++) {
        const key = keys[j];
        const thisSlot = keyHashSlot(key);
        if (firstKey === null) {
          firstKey = key;
          slot = thisSlot;
          n = st.slots[slot];
          if (n === null) return ERR_DOWN_UNBOUND;
          if (n === me && st.migratingTo[slot] !== null) migrating = true;
          else if (st.importingFrom[slot] !== null) importing = true;
        } else if (key !== firstKey) {
          if (thisSlot !== slot) return ERR_CROSSSLOT;
          multipleKeys = true;
        }
        if ((migrating || importing) && !shardPubsub) {
          if (db.has(key)) existing++;
          else missing++;
        }
      }
    }
    // No keys: any node serves it.
    if (n === null) return null;
    if (st.state !== 'ok') {
      const cfg = this.server.config;
      if (shardPubsub) {
        if (!cfg.getBool('cluster-allow-pubsubshard-when-down')) return ERR_DOWN_STATE;
      } else if (!cfg.getBool('cluster-allow-reads-when-down')) return ERR_DOWN_STATE;
      else if (isWrite) return ERR_DOWN_RO_STATE;
    }
    // An atomic slot migration's switch (slot-migration.ts): writes to its slots wait ('' = taken).
    const paused = this.cluster.migrationPause;
    if (paused !== null && n === me && isWrite && paused[slot] === 1) {
      this.server.postponeCommand(c, topArgv);
      return '';
    }
    // MIGRATE works on the keys it finds, wherever the slot is going.
    if ((migrating || importing) && migrateCmd) return null;
    if (migrating && missing > 0) {
      if (existing > 0) return ERR_TRYAGAIN;
      return this.redirect('ASK', slot, st.migratingTo[slot]!);
    }
    const askingCmd = cmds.length === 1 && cmds[0].spec.flags.includes('asking' as never);
    if ((asking || askingCmd) && importing) {
      if (multipleKeys && missing > 0) return ERR_TRYAGAIN;
      return null;
    }
    // A replica serves reads of its primary's slots to READONLY clients.
    if (((c.flags & CLIENT_READONLY) !== 0 || shardPubsub) && !isWrite && me.isReplica && me.primary === n) return null;
    if (n !== me) return this.redirect('MOVED', slot, n);
    return null;
  }

  private redirect(kind: 'MOVED' | 'ASK', slot: number, n: ClusterNode): string {
    const port = this.server.config.getBool('tls-cluster') && n.pport !== 0 ? n.pport : n.port;
    return `${kind} ${slot} ${preferredEndpoint(this.server, n)}:${port}`;
  }
}

/** Registers the routing phase on a cluster node. */
export function installRouting(server: Server, cluster: Cluster): Router {
  const router = new Router(server, cluster);
  server.phases.register('cluster', (c, spec, argv) => router.check(c as Client, spec, argv));
  return router;
}
