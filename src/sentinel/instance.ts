// What a sentinel knows about each server it watches: monitored masters, their
// replicas and the other sentinels watching the same master, one record per
// instance (Redis's sentinelRedisInstance), and the link to each of them.
//
// A master or replica has two connections: a command link (PING, INFO, PUBLISH of
// our hello, SLAVEOF) and a pub/sub link subscribed to __sentinel__:hello, where the
// other sentinels announce themselves and their view of the master. Another
// sentinel has only a command link (PING, our hello, IS-MASTER-DOWN-BY-ADDR).
// Links are the project's RespClient; every call is asynchronous, and the
// sentinel's timer only reads the state the replies leave behind.

import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { RespClient } from '../protocol/resp-client.js';
import type { Reply } from '../protocol/resp-client.js';

// ---- timing constants (ms), as Redis Sentinel's; SENTINEL DEBUG shows them ----------------

export const TIMING = {
  infoPeriod: 10000,
  pingPeriod: 1000,
  askPeriod: 1000,
  publishPeriod: 2000,
  defaultDownAfter: 30000,
  defaultFailoverTimeout: 180000,
  tiltTrigger: 2000,
  tiltPeriod: 30000,
  slaveReconfTimeout: 10000,
  minLinkReconnectPeriod: 15000,
  electionTimeout: 10000,
  scriptMaxRuntime: 60000,
  scriptRetryDelay: 30000,
};

/** SENTINEL DEBUG's names for the TIMING fields, in the order Redis lists them. */
export const TIMING_NAMES: Array<[string, keyof typeof TIMING]> = [
  ['INFO-PERIOD', 'infoPeriod'],
  ['PING-PERIOD', 'pingPeriod'],
  ['ASK-PERIOD', 'askPeriod'],
  ['PUBLISH-PERIOD', 'publishPeriod'],
  ['DEFAULT-DOWN-AFTER', 'defaultDownAfter'],
  ['DEFAULT-FAILOVER-TIMEOUT', 'defaultFailoverTimeout'],
  ['TILT-TRIGGER', 'tiltTrigger'],
  ['TILT-PERIOD', 'tiltPeriod'],
  ['SLAVE-RECONF-TIMEOUT', 'slaveReconfTimeout'],
  ['MIN-LINK-RECONNECT-PERIOD', 'minLinkReconnectPeriod'],
  ['ELECTION-TIMEOUT', 'electionTimeout'],
  ['SCRIPT-MAX-RUNTIME', 'scriptMaxRuntime'],
  ['SCRIPT-RETRY-DELAY', 'scriptRetryDelay'],
];

/** Commands in flight on one command link before the sentinel stops sending more (a hung peer). */
export const LINK_PENDING_COMMANDS_MAX = 100;
/** Random spread added to failover start times so sentinels do not all try at once. */
export const MAX_DESYNC_MS = 1000;
export const DEFAULT_PARALLEL_SYNCS = 1;
export const DEFAULT_QUORUM_MIN = 1;
export const HELLO_CHANNEL = '__sentinel__:hello';
/** Replicas and sentinels remembered per master; more (a flood of fake INFO or hellos) are ignored. */
export const REPLICAS_PER_MASTER_MAX = 1024;
export const SENTINELS_PER_MASTER_MAX = 1024;
/** Largest INFO text kept per instance (SENTINEL INFO-CACHE); longer replies are cut. */
export const INFO_CACHE_BYTES_MAX = 1024 * 1024;

// ---- instance flags ---------------------------------------------------------------------

export const SRI_MASTER = 1 << 0;
export const SRI_SLAVE = 1 << 1;
export const SRI_SENTINEL = 1 << 2;
export const SRI_S_DOWN = 1 << 3;
export const SRI_O_DOWN = 1 << 4;
/** A sentinel peer: it told us the master is down. */
export const SRI_MASTER_DOWN = 1 << 5;
export const SRI_FAILOVER_IN_PROGRESS = 1 << 6;
/** The replica chosen for promotion. */
export const SRI_PROMOTED = 1 << 7;
export const SRI_RECONF_SENT = 1 << 8;
export const SRI_RECONF_INPROG = 1 << 9;
export const SRI_RECONF_DONE = 1 << 10;
/** SENTINEL FAILOVER: no election needed. */
export const SRI_FORCE_FAILOVER = 1 << 11;
/** The master restarted (new run id) less than master-reboot-down-after-period ago. */
export const SRI_MASTER_REBOOT = 1 << 12;

export const FAILOVER_NONE = 0;
export const FAILOVER_WAIT_START = 1;
export const FAILOVER_SELECT_SLAVE = 2;
export const FAILOVER_SEND_SLAVEOF_NOONE = 3;
export const FAILOVER_WAIT_PROMOTION = 4;
export const FAILOVER_RECONF_SLAVES = 5;
export const FAILOVER_UPDATE_CONFIG = 6;

export const FAILOVER_STATE_NAMES = ['none', 'wait_start', 'select_slave', 'send_slaveof_noone', 'wait_promotion', 'reconf_slaves', 'update_config'];

/** The flags as SENTINEL MASTER/REPLICAS/SENTINELS print them, in Redis's order. */
export function flagsText(ri: Instance): string {
  const out: string[] = [];
  const f = ri.flags;
  if (f & SRI_S_DOWN) out.push('s_down');
  if (f & SRI_O_DOWN) out.push('o_down');
  if (f & SRI_MASTER) out.push('master');
  if (f & SRI_SLAVE) out.push('slave');
  if (f & SRI_SENTINEL) out.push('sentinel');
  if (ri.link.disconnected) out.push('disconnected');
  if (f & SRI_MASTER_DOWN) out.push('master_down');
  if (f & SRI_FAILOVER_IN_PROGRESS) out.push('failover_in_progress');
  if (f & SRI_PROMOTED) out.push('promoted');
  if (f & SRI_RECONF_SENT) out.push('reconf_sent');
  if (f & SRI_RECONF_INPROG) out.push('reconf_inprog');
  if (f & SRI_RECONF_DONE) out.push('reconf_done');
  if (f & SRI_FORCE_FAILOVER) out.push('force_failover');
  if (f & SRI_MASTER_REBOOT) out.push('master_reboot');
  return out.join(',');
}

// ---- addresses --------------------------------------------------------------------------

/**
 * An instance's address: `host` as it was given (an IP address, or a hostname
 * under resolve-hostnames), `ip` the address it resolves to ('' until the
 * lookup is back), as Redis's sentinelAddr keeps hostname and ip.
 */
export interface Addr {
  host: string;
  port: number;
  ip?: string;
  /** The last lookup of `host` failed: the ip is unknown (shown empty, as Redis shows it). */
  unresolved?: boolean;
}

/**
 * An address for `host`: an IP address is its own ip, and so is `ip` when the
 * caller resolved the name already (SENTINEL MONITOR). Otherwise the hostname is
 * looked up (Redis resolves it synchronously, getaddrinfo's first answer; here
 * the first answer of dns.lookup fills `ip` in when it comes, before the first
 * connection in practice). A name that does not resolve is kept, with an empty
 * ip, as Redis 7 keeps the instances of its config file (createSentinelAddr with
 * is_accept_unresolved); the links look it up again before each connection.
 */
export function newAddr(host: string, port: number, ip?: string): Addr {
  const a: Addr = { host, port, ip: isIP(host) !== 0 ? host : (ip ?? '') };
  if (a.ip === '') resolveAddr(a, () => undefined);
  return a;
}

/** Looks the hostname of `a` up again; `done(false)` when it does not resolve. */
export function resolveAddr(a: Addr, done: (ok: boolean) => void): void {
  lookup(a.host, (err, address) => {
    if (err) {
      a.unresolved = true;
      done(false);
      return;
    }
    a.ip = address;
    a.unresolved = false;
    done(true);
  });
}

/** The ip; the host while a lookup is pending; empty when the name did not resolve (Redis's ip ""). */
export function addrIp(a: Addr): string {
  if (a.ip !== undefined && a.ip !== '') return a.ip;
  return a.unresolved === true ? '' : a.host;
}

export function addrKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Same port, and `host` is the address's hostname or its ip (Redis's sentinelAddrOrHostnameEqual). */
export function sameAddr(a: Addr, host: string, port: number): boolean {
  if (a.port !== port) return false;
  const h = host.toLowerCase();
  return a.host.toLowerCase() === h || (a.ip !== undefined && a.ip !== '' && a.ip.toLowerCase() === h);
}

/** Whether `host` is acceptable as an instance address under resolve-hostnames. */
export function validHost(host: string, resolveHostnames: boolean): boolean {
  if (isIP(host) !== 0) return true;
  if (!resolveHostnames) return false;
  return host.length <= 255 && /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host);
}

/** Creating an instance failed; the message is Redis's. */
export class CreateInstanceError extends Error {}

// ---- links ------------------------------------------------------------------------------

/** Where a link reports what happens on it (the Sentinel). */
export interface LinkOwner {
  readonly myid: string;
  /** TLS options of the links to instances (tls-replication yes), or undefined for plaintext. */
  linkTls(): import('node:tls').ConnectionOptions | undefined;
  /** A hostname did not resolve before a connection (Redis logs "Failed to resolve hostname"). */
  onUnresolved(host: string): void;
  /** Called once a command link is up: authenticate, name it, ping. */
  onCommandLinkUp(ri: Instance, cc: RespClient): void;
  /** Called once a pub/sub link is up: authenticate, name it, subscribe. */
  onPubsubLinkUp(ri: Instance, pc: RespClient): void;
  /** A push (hello message) arrived on the pub/sub link. */
  onPubsubMessage(ri: Instance, r: Reply): void;
  /** A connection attempt or a connection ended. */
  onLinkEvent(ri: Instance, what: string): void;
}

/**
 * The connections to one instance and their timing. `actPingTime` is when the
 * oldest unanswered PING was sent (0: none outstanding): the instance is
 * subjectively down when that grows past down-after-milliseconds, or when the link
 * is down and no valid reply came for that long (lastAvailTime).
 */
export class Link {
  cc: RespClient | null = null;
  pc: RespClient | null = null;
  private ccConnecting = false;
  private pcConnecting = false;
  ccConnTime = 0;
  pcConnTime = 0;
  pcLastActivity = 0;
  lastReconnTime = 0;
  actPingTime: number;
  lastPingTime = 0;
  lastPongTime: number;
  lastAvailTime: number;
  /** Our address as the peer sees this connection (announced in hello messages). */
  localAddress = '';

  constructor(now: number) {
    this.actPingTime = now;
    this.lastAvailTime = now;
    this.lastPongTime = now;
  }

  /** True unless every connection this instance needs is up. */
  get disconnected(): boolean {
    return this.cc === null || (this.wantsPubsub && this.pc === null);
  }

  wantsPubsub = true;

  /** Commands sent on the command link and not answered yet. */
  get pendingCommands(): number {
    return this.cc === null ? 0 : this.cc.pendingCount;
  }

  /**
   * Opens the missing connections, at most once per ping period. The connect
   * timeout is bounded so a black-holed address does not keep an attempt open
   * for long.
   */
  reconnect(owner: LinkOwner, ri: Instance, now: number, connectTimeoutMs: number): void {
    if (!this.disconnected) return;
    if (now - this.lastReconnTime < TIMING.pingPeriod) return;
    this.lastReconnTime = now;
    const a = ri.addr;
    if (a.unresolved === true) {
      // The name did not resolve last time: look it up again first, as Redis
      // resolves before each reconnection; no connection while it does not resolve.
      if (this.resolving) return;
      this.resolving = true;
      resolveAddr(a, (ok) => {
        this.resolving = false;
        if (ri.released || ri.addr !== a) return;
        if (!ok) owner.onUnresolved(a.host);
        else this.open(owner, ri, connectTimeoutMs);
      });
      return;
    }
    this.open(owner, ri, connectTimeoutMs);
  }

  /** A lookup of the instance's hostname is in flight (reconnect). */
  private resolving = false;

  private open(owner: LinkOwner, ri: Instance, connectTimeoutMs: number): void {
    const host = addrIp(ri.addr);
    const port = ri.addr.port;
    if (this.cc === null && !this.ccConnecting) {
      this.ccConnecting = true;
      RespClient.connect({ host, port, timeoutMs: connectTimeoutMs, tls: owner.linkTls() }).then(
        (cc) => {
          this.ccConnecting = false;
          if (ri.released) {
            cc.destroy();
            return;
          }
          this.cc = cc;
          this.ccConnTime = Date.now();
          this.localAddress = cc.localAddress;
          cc.on('close', () => {
            if (this.cc === cc) {
              this.cc = null;
              owner.onLinkEvent(ri, '-cmd-link');
            }
          });
          owner.onCommandLinkUp(ri, cc);
        },
        (e: Error) => {
          this.ccConnecting = false;
          owner.onLinkEvent(ri, `-cmd-link-reconnection ${e.message}`);
        },
      );
    }
    if (this.wantsPubsub && this.pc === null && !this.pcConnecting) {
      this.pcConnecting = true;
      RespClient.connect({ host, port, timeoutMs: connectTimeoutMs, tls: owner.linkTls() }).then(
        (pc) => {
          this.pcConnecting = false;
          if (ri.released) {
            pc.destroy();
            return;
          }
          this.pc = pc;
          this.pcConnTime = Date.now();
          this.pcLastActivity = this.pcConnTime;
          pc.on('push', (r: Reply) => {
            this.pcLastActivity = Date.now();
            owner.onPubsubMessage(ri, r);
            // Messages are handled as they come: the client's inbox need not keep them.
            pc.clearPushes();
          });
          pc.on('close', () => {
            if (this.pc === pc) {
              this.pc = null;
              owner.onLinkEvent(ri, '-pubsub-link');
            }
          });
          owner.onPubsubLinkUp(ri, pc);
        },
        (e: Error) => {
          this.pcConnecting = false;
          owner.onLinkEvent(ri, `-pubsub-link-reconnection ${e.message}`);
        },
      );
    }
  }

  closeCommandLink(): void {
    const cc = this.cc;
    this.cc = null;
    cc?.destroy();
  }

  closePubsubLink(): void {
    const pc = this.pc;
    this.pc = null;
    pc?.destroy();
  }

  close(): void {
    this.closeCommandLink();
    this.closePubsubLink();
  }
}

// ---- instances --------------------------------------------------------------------------

/**
 * One monitored master, one of its replicas, or another sentinel. Fields that only
 * make sense for one kind are still present on all (as in Redis), which keeps the
 * state machine's code simple.
 */
export class Instance {
  flags: number;
  /** Masters: the configured name; replicas: "ip:port"; sentinels: their run id. */
  name: string;
  addr: Addr;
  /** The master a replica or sentinel belongs to (null for masters). */
  readonly master: Instance | null;
  link: Link;
  runid: string | null = null;
  /** Set once the instance is dropped: late replies are ignored. */
  released = false;

  // Down state.
  downAfterMs: number;
  sDownSinceTime = 0;
  oDownSinceTime = 0;

  // INFO.
  info = '';
  infoRefresh = 0;
  roleReported: number;
  roleReportedTime: number;
  slaveConfChangeTime = 0;
  infoInFlight = false;
  helloInFlight = false;
  lastPubTime = 0;

  // Replicas, from their INFO.
  masterLinkDownTime = 0;
  slaveMasterHost: string | null = null;
  slaveMasterPort = 0;
  slaveMasterLinkUp = false;
  slavePriority = 100;
  slaveReplOffset = 0;
  replicaAnnounced = true;
  slaveReconfSentTime = 0;

  // Sentinels.
  lastHelloTime = 0;
  lastMasterDownReplyTime: number;
  /** An IS-MASTER-DOWN-BY-ADDR question is waiting for its answer. */
  askInFlight = false;
  /** The leader this sentinel voted for, as it told us, and the epoch of that vote. */
  leader: string | null = null;
  leaderEpoch = 0;

  // Masters.
  quorum = 0;
  parallelSyncs = DEFAULT_PARALLEL_SYNCS;
  failoverTimeout = TIMING.defaultFailoverTimeout;
  authPass: string | null = null;
  authUser: string | null = null;
  notificationScript: string | null = null;
  clientReconfigScript: string | null = null;
  /** rename-command: original (lower case) -> the name the instance knows it by. */
  renamedCommands = new Map<string, string>();
  /** rename-command: original (lower case) -> as it was spelt (what the config file gets). */
  renamedCommandNames = new Map<string, string>();
  masterRebootDownAfterPeriod = 0;
  masterRebootSinceTime = 0;
  configEpoch = 0;
  slaves = new Map<string, Instance>();
  sentinels = new Map<string, Instance>();
  failoverState = FAILOVER_NONE;
  failoverStateChangeTime = 0;
  failoverStartTime = 0;
  failoverEpoch = 0;
  failoverDelayLogged = 0;
  promotedSlave: Instance | null = null;

  constructor(kind: number, name: string, addr: Addr, master: Instance | null, now: number) {
    this.flags = kind;
    this.name = name;
    this.addr = addr;
    this.master = master;
    this.link = new Link(now);
    this.link.wantsPubsub = (kind & SRI_SENTINEL) === 0;
    this.downAfterMs = master ? master.downAfterMs : TIMING.defaultDownAfter;
    this.roleReported = kind & (SRI_MASTER | SRI_SLAVE);
    this.roleReportedTime = now;
    this.lastMasterDownReplyTime = now;
    if (master) this.quorum = master.quorum;
  }

  get isMaster(): boolean {
    return (this.flags & SRI_MASTER) !== 0;
  }
  get isSlave(): boolean {
    return (this.flags & SRI_SLAVE) !== 0;
  }
  get isSentinel(): boolean {
    return (this.flags & SRI_SENTINEL) !== 0;
  }
  get kindName(): string {
    return this.isMaster ? 'master' : this.isSlave ? 'slave' : 'sentinel';
  }

  /** The name to send for `cmd` (rename-command applies to masters and their replicas). */
  mapCommand(cmd: string): string {
    const m = this.isMaster ? this : this.master;
    if (m === null || this.isSentinel) return cmd;
    return m.renamedCommands.get(cmd.toLowerCase()) ?? cmd;
  }

  /** rename-command `from` `to`; renaming a command to itself drops the renaming. */
  renameCommand(from: string, to: string): void {
    const k = from.toLowerCase();
    this.renamedCommands.delete(k);
    this.renamedCommandNames.delete(k);
    if (k === to.toLowerCase()) return;
    this.renamedCommands.set(k, to);
    this.renamedCommandNames.set(k, from);
  }

  release(): void {
    this.released = true;
    this.link.close();
  }
}
