// Sentinel: monitoring, failure detection and automatic failover of Redis-protocol
// primaries, as Redis Sentinel does it (the Sentinel documentation is the spec).
//
// Every ~100 ms (the timer, with a random spread so sentinels do not act in lock
// step) each known instance is visited:
//   - its links are (re)opened, and PING (every second), INFO (every 10 s; every
//     second for replicas while their master is failing) and our hello message
//     (every 2 s, on PUBLISH __sentinel__:hello) are sent;
//   - SDOWN: no valid PING reply for down-after-milliseconds;
//   - for masters: ODOWN when SDOWN and enough sentinels (the quorum, counting us)
//     answered SENTINEL IS-MASTER-DOWN-BY-ADDR with down_state 1; then a failover
//     is attempted: a new epoch, and a vote request to every sentinel; the one that
//     collects a majority of the sentinels (and at least the quorum) for that epoch
//     leads: it picks a replica, sends it SLAVEOF NO ONE, waits to see it report
//     role:master in INFO, points the other replicas at it (parallel-syncs at a
//     time), then switches the master's address. The new address and the epoch of
//     the failover (config-epoch) travel in the hello messages, and every sentinel
//     adopts a configuration with a higher config-epoch than its own.
// Replies arrive asynchronously and only update state; decisions are taken in the
// timer. Everything that must survive a restart (myid, epochs, votes, the master's
// address, known replicas and sentinels) is written to the config file when it
// changes, before the change is acted upon (a vote is on disk before it is sent).
//
// TILT: when the timer runs late by more than 2 s (or the clock goes backwards) the
// sentinel stops acting on its observations for 30 s, as Redis does.
// Not implemented: notification and client-reconfig scripts (accepted in the
// config, never run), sharing one link between masters for the same peer sentinel.

import { randomBytes } from 'node:crypto';
import type { Server } from '../server/server.js';
import type { RespClient, Reply } from '../protocol/resp-client.js';
import {
  Instance,
  TIMING,
  LINK_PENDING_COMMANDS_MAX,
  MAX_DESYNC_MS,
  HELLO_CHANNEL,
  INFO_CACHE_BYTES_MAX,
  REPLICAS_PER_MASTER_MAX,
  SENTINELS_PER_MASTER_MAX,
  SRI_MASTER,
  SRI_SLAVE,
  SRI_SENTINEL,
  SRI_S_DOWN,
  SRI_O_DOWN,
  SRI_MASTER_DOWN,
  SRI_FAILOVER_IN_PROGRESS,
  SRI_PROMOTED,
  SRI_RECONF_SENT,
  SRI_RECONF_INPROG,
  SRI_RECONF_DONE,
  SRI_FORCE_FAILOVER,
  SRI_MASTER_REBOOT,
  FAILOVER_NONE,
  FAILOVER_WAIT_START,
  FAILOVER_SELECT_SLAVE,
  FAILOVER_SEND_SLAVEOF_NOONE,
  FAILOVER_WAIT_PROMOTION,
  FAILOVER_RECONF_SLAVES,
  FAILOVER_UPDATE_CONFIG,
  Link,
  addrKey,
  newAddr,
  sameAddr,
  addrIp,
  type Addr,
  type LinkOwner,
  CreateInstanceError,
} from './instance.js';
import { writeSentinelConfigFile } from './sentinel-conf.js';

export const SIMFAILURE_CRASH_AFTER_ELECTION = 1;
export const SIMFAILURE_CRASH_AFTER_PROMOTION = 2;

const RESET_SENTINELS = 1;
const RESET_GENERATE_EVENT = 2;

type Level = 'debug' | 'verbose' | 'notice' | 'warning';

/** Global settings (sentinel.conf directives and SENTINEL CONFIG SET). */
export interface SentinelSettings {
  announceIp: string;
  announcePort: number;
  resolveHostnames: boolean;
  announceHostnames: boolean;
  denyScriptsReconfig: boolean;
  sentinelUser: string | null;
  sentinelPass: string | null;
}

function randInt(n: number): number {
  return Math.floor(Math.random() * n);
}


export class Sentinel implements LinkOwner {
  /** Links to masters, replicas and other sentinels use TLS when tls-replication is yes (as Redis's sentinel does). */
  linkTls(): import('node:tls').ConnectionOptions | undefined {
    return this.server.config.getBool('tls-replication') && this.server.tls.configured ? this.server.tls.clientOptions() : undefined;
  }

  myid = '';
  currentEpoch = 0;
  readonly masters = new Map<string, Instance>();
  tilt = false;
  tiltStartTime = 0;
  private previousTime = Date.now();
  simFailureFlags = 0;
  readonly settings: SentinelSettings = {
    announceIp: '',
    announcePort: 0,
    resolveHostnames: false,
    announceHostnames: false,
    denyScriptsReconfig: true,
    sentinelUser: null,
    sentinelPass: null,
  };
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Set while loading the config file: no rewrite, no events for the lines read. */
  loading = true;
  private dirtyConfig = false;

  constructor(
    readonly server: Server,
    readonly configFile: string,
  ) {}

  // ---- life cycle -----------------------------------------------------------------------

  /** Gives the sentinel an id if the config did not, writes the config, starts the timer. */
  start(): void {
    this.loading = false;
    if (this.myid === '') this.myid = randomBytes(20).toString('hex');
    this.flushConfig();
    this.server.log.warning(`Sentinel ID is ${this.myid}`);
    for (const m of this.masters.values()) this.event('warning', '+monitor', m, `quorum ${m.quorum}`);
    this.previousTime = Date.now();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const m of this.masters.values()) this.releaseMaster(m);
  }

  /** The next tick in 50-100 ms (Redis runs the sentinel timer at a random 10-19 Hz). */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), 50 + randInt(50));
  }

  private tick(): void {
    this.timer = null;
    try {
      const now = Date.now();
      this.checkTiltCondition(now);
      const switching: Instance[] = [];
      for (const m of this.masters.values()) {
        this.handleInstance(m, now);
        for (const s of m.slaves.values()) this.handleInstance(s, now);
        for (const s of m.sentinels.values()) this.handleInstance(s, now);
        if (m.failoverState === FAILOVER_UPDATE_CONFIG) switching.push(m);
      }
      for (const m of switching) this.failoverSwitchToPromotedSlave(m);
      if (this.dirtyConfig) this.flushConfig();
    } catch (e) {
      this.server.log.warning(`Sentinel timer error: ${(e as Error).stack ?? (e as Error).message}`);
    }
    this.server.flushPending();
    this.schedule();
  }

  /**
   * TILT: the timer should run every 100 ms or so; a gap over tiltTrigger (the
   * process was stopped, the machine was overloaded) or a clock going backwards
   * makes every timing observation suspect, so for tiltPeriod the sentinel only
   * keeps its links and information up to date and takes no action.
   */
  private checkTiltCondition(now: number): void {
    const delta = now - this.previousTime;
    if (delta < 0 || delta > TIMING.tiltTrigger) this.enterTilt(now);
    this.previousTime = now;
  }

  enterTilt(now: number): void {
    this.tilt = true;
    this.tiltStartTime = now;
    this.event('warning', '+tilt', null, '#tilt mode entered');
  }

  private handleInstance(ri: Instance, now: number): void {
    ri.link.reconnect(this, ri, now, Math.max(TIMING.pingPeriod, ri.downAfterMs));
    this.sendPeriodicCommands(ri, now);
    if (this.tilt) {
      if (now - this.tiltStartTime < TIMING.tiltPeriod) return;
      this.tilt = false;
      this.event('warning', '-tilt', null, '#tilt mode exited');
    }
    this.checkSubjectivelyDown(ri, now);
    if (ri.isMaster) {
      this.checkObjectivelyDown(ri, now);
      if (this.startFailoverIfNeeded(ri, now)) this.askMasterStateToOtherSentinels(ri, true, now);
      this.failoverStateMachine(ri, now);
      this.askMasterStateToOtherSentinels(ri, false, now);
    }
  }

  // ---- events and config ----------------------------------------------------------------

  /** "master <name> <ip> <port>" or "<slave|sentinel> <name> <ip> <port> @ <master> <ip> <port>". */
  describe(ri: Instance): string {
    const m = ri.master;
    if (m === null) return `master ${ri.name} ${this.announceHost(ri.addr)} ${ri.addr.port}`;
    return `${ri.kindName} ${ri.name} ${this.announceHost(ri.addr)} ${ri.addr.port} @ ${m.name} ${this.announceHost(m.addr)} ${m.addr.port}`;
  }

  /**
   * How an address is shown and sent (replies, events, hello messages, SLAVEOF,
   * the config file): its hostname under announce-hostnames, else its ip
   * (Redis's announceSentinelAddr).
   */
  announceHost(a: Addr): string {
    return this.settings.announceHostnames ? a.host : addrIp(a);
  }

  /**
   * Logs an event and publishes it on the sentinel's pub/sub, on the channel named
   * after the event ("+sdown"), with Redis's message format: the instance
   * description, then `extra`. Debug-level events are only logged.
   */
  event(level: Level, type: string, ri: Instance | null, extra = ''): void {
    if (this.loading) return;
    const msg = ri === null ? extra : extra === '' ? this.describe(ri) : `${this.describe(ri)} ${extra}`;
    this.server.log.log(level, `${type} ${msg}`);
    if (level !== 'debug') this.server.pubsub.publish(type, msg);
  }

  /** Writes the state into the config file now (Redis's sentinelFlushConfig). */
  flushConfig(): void {
    if (this.loading) return;
    this.dirtyConfig = false;
    try {
      writeSentinelConfigFile(this.configFile, this, this.server.config, this.server.port || this.server.config.getNumber('port'));
      this.server.log.notice('Sentinel new configuration saved on disk');
    } catch (e) {
      this.server.log.warning(`WARNING: Sentinel was not able to save the new configuration on disk!!!: ${(e as Error).message}`);
      // Retried at the next tick.
      this.dirtyConfig = true;
    }
  }

  // ---- instances ------------------------------------------------------------------------

  /**
   * Adds a monitored master (`ip`: what `host` resolved to, when the caller
   * looked it up). Throws CreateInstanceError with Redis's messages
   * ("Duplicate master name.", "Invalid port number.").
   */
  createMaster(name: string, host: string, port: number, quorum: number, ip?: string): Instance {
    if (port < 0 || port > 65535) throw new CreateInstanceError('Invalid port number.');
    if (this.masters.has(name)) throw new CreateInstanceError('Duplicate master name.');
    const m = new Instance(SRI_MASTER, name, newAddr(host, port, ip), null, Date.now());
    m.quorum = quorum;
    this.masters.set(name, m);
    return m;
  }

  /** Adds a replica of `m` (idempotent by address); returns null if it was known. */
  createSlave(m: Instance, host: string, port: number): Instance | null {
    const key = addrKey(host, port);
    if (m.slaves.has(key)) return null;
    if (m.slaves.size >= REPLICAS_PER_MASTER_MAX) {
      this.server.log.warning(`Too many replicas for master ${m.name}: ${key} ignored`);
      return null;
    }
    const s = new Instance(SRI_SLAVE, key, newAddr(host, port), m, Date.now());
    m.slaves.set(key, s);
    return s;
  }

  createSentinelPeer(m: Instance, host: string, port: number, runid: string): Instance {
    const s = new Instance(SRI_SENTINEL, runid, newAddr(host, port), m, Date.now());
    s.runid = runid;
    m.sentinels.set(runid, s);
    return s;
  }

  private releaseMaster(m: Instance): void {
    for (const s of m.slaves.values()) s.release();
    for (const s of m.sentinels.values()) s.release();
    m.release();
  }

  removeMaster(m: Instance): void {
    this.releaseMaster(m);
    this.masters.delete(m.name);
  }

  findMasterByAddr(host: string, port: number): Instance | undefined {
    for (const m of this.masters.values()) if (sameAddr(m.addr, host, port)) return m;
    return undefined;
  }

  /** The address clients should use: the promoted replica's once it has been promoted. */
  currentMasterAddress(m: Instance): Addr {
    if ((m.flags & SRI_FAILOVER_IN_PROGRESS) !== 0 && m.promotedSlave !== null && m.failoverState >= FAILOVER_RECONF_SLAVES) {
      return m.promotedSlave.addr;
    }
    return m.addr;
  }

  /** down-after-milliseconds of a master applies to its replicas and sentinels too. */
  propagateDownAfterPeriod(m: Instance): void {
    for (const s of m.slaves.values()) s.downAfterMs = m.downAfterMs;
    for (const s of m.sentinels.values()) s.downAfterMs = m.downAfterMs;
  }

  /**
   * Forgets the runtime state of a master: its replicas (and, with RESET_SENTINELS,
   * the other sentinels), its links and any failover. Used by SENTINEL RESET and
   * when the master's address changes.
   */
  resetMaster(m: Instance, flags: number): void {
    for (const s of m.slaves.values()) s.release();
    m.slaves.clear();
    if (flags & RESET_SENTINELS) {
      for (const s of m.sentinels.values()) s.release();
      m.sentinels.clear();
    }
    const now = Date.now();
    m.link.close();
    m.link = new Link(now);
    m.flags &= SRI_MASTER;
    m.leader = null;
    m.failoverState = FAILOVER_NONE;
    m.failoverStateChangeTime = 0;
    m.failoverStartTime = 0;
    m.promotedSlave = null;
    m.runid = null;
    m.slaveMasterHost = null;
    m.info = '';
    m.infoRefresh = 0;
    m.infoInFlight = false;
    m.helloInFlight = false;
    m.lastPubTime = 0;
    m.roleReported = SRI_MASTER;
    m.roleReportedTime = now;
    m.sDownSinceTime = 0;
    m.oDownSinceTime = 0;
    if (flags & RESET_GENERATE_EVENT) this.event('warning', '+reset-master', m);
  }

  /** SENTINEL RESET <pattern>: resets the matching masters; returns how many. */
  resetMastersMatching(match: (name: string) => boolean): number {
    let n = 0;
    for (const m of this.masters.values()) {
      if (!match(m.name)) continue;
      this.resetMaster(m, RESET_SENTINELS | RESET_GENERATE_EVENT);
      n++;
    }
    this.flushConfig();
    return n;
  }

  /**
   * The master moved to host:port (a failover, ours or another sentinel's): the
   * replicas are kept, except the new master, and the old master becomes one.
   */
  resetMasterAndChangeAddress(m: Instance, host: string, port: number): void {
    const keep: Addr[] = [];
    for (const s of m.slaves.values()) if (!sameAddr(s.addr, host, port)) keep.push(s.addr);
    if (!sameAddr(m.addr, host, port)) keep.push(m.addr);
    this.resetMaster(m, 0);
    m.addr = newAddr(host, port);
    for (const a of keep) {
      const s = this.createSlave(m, a.host, a.port);
      if (s) this.event('notice', '+slave', s);
    }
    this.flushConfig();
  }

  // ---- periodic commands ----------------------------------------------------------------

  private sendPeriodicCommands(ri: Instance, now: number): void {
    const link = ri.link;
    if (link.disconnected) return;
    // A peer that stopped answering: do not pile commands up behind it.
    if (link.pendingCommands >= LINK_PENDING_COMMANDS_MAX) return;
    const m = ri.master;
    let infoPeriod = TIMING.infoPeriod;
    if (ri.isSlave && m !== null && ((m.flags & (SRI_O_DOWN | SRI_FAILOVER_IN_PROGRESS)) !== 0 || ri.masterLinkDownTime !== 0)) {
      infoPeriod = 1000;
    }
    const pingPeriod = Math.min(ri.downAfterMs, TIMING.pingPeriod);
    if (!ri.isSentinel && !ri.infoInFlight && (ri.infoRefresh === 0 || now - ri.infoRefresh > infoPeriod)) this.sendInfo(ri);
    if (now - link.lastPongTime > pingPeriod && now - link.lastPingTime > pingPeriod / 2) this.sendPing(ri);
    if (!ri.helloInFlight && now - ri.lastPubTime > TIMING.publishPeriod) this.sendHello(ri);
  }

  /**
   * Sends a command on the instance's command link; `onReply` runs only if the
   * reply comes back on the same link (not after a reset or reconnection).
   */
  private send(ri: Instance, args: string[], onReply?: (r: Reply) => void, onFail?: () => void): boolean {
    const link = ri.link;
    const cc = link.cc;
    if (cc === null) return false;
    cc.call(...args).then(
      (r) => {
        if (ri.released || ri.link !== link || link.cc !== cc) {
          onFail?.();
          return;
        }
        onReply?.(r);
        this.server.flushPending();
      },
      () => onFail?.(),
    );
    return true;
  }

  private sendPing(ri: Instance): void {
    const link = ri.link;
    const now = Date.now();
    const sent = this.send(ri, [ri.mapCommand('PING')], (r) => this.onPingReply(ri, link, r));
    if (!sent) return;
    link.lastPingTime = now;
    if (link.actPingTime === 0) link.actPingTime = now;
  }

  private onPingReply(ri: Instance, link: Link, r: Reply): void {
    const now = Date.now();
    if (r.t === 'simple' || r.t === 'err') {
      const s = r.v;
      // LOADING and MASTERDOWN mean the process is alive and answering.
      if (s.startsWith('PONG') || s.startsWith('LOADING') || s.startsWith('MASTERDOWN')) {
        link.lastAvailTime = now;
        link.actPingTime = 0;
        if (s.startsWith('PONG') && (ri.flags & SRI_MASTER_REBOOT) !== 0) ri.flags &= ~SRI_MASTER_REBOOT;
      }
    }
    link.lastPongTime = now;
  }

  private sendInfo(ri: Instance): void {
    if (ri.infoInFlight) return;
    const sent = this.send(
      ri,
      [ri.mapCommand('INFO')],
      (r) => {
        ri.infoInFlight = false;
        if (r.t === 'verbatim' || (r.t === 'bulk' && r.v !== null)) this.refreshInstanceInfo(ri, r.v as string);
      },
      () => {
        ri.infoInFlight = false;
      },
    );
    if (sent) ri.infoInFlight = true;
  }

  /**
   * PUBLISHes our hello on the instance: our address, run id and epoch, and our view
   * of the master (name, current address, config epoch). Other sentinels learn of
   * us, and of newer configurations, from it.
   */
  private sendHello(ri: Instance): void {
    const m = ri.isMaster ? ri : ri.master!;
    const ma = this.currentMasterAddress(m);
    const ip = this.settings.announceIp !== '' ? this.settings.announceIp : ri.link.localAddress;
    if (ip === '') return;
    // As Redis: with tls-replication the other sentinels are told the TLS port.
    const tlsPort = this.server.config.getBool('tls-replication') ? this.server.tlsPort : 0;
    const port = this.settings.announcePort !== 0 ? this.settings.announcePort : tlsPort || this.server.port || this.server.config.getNumber('port');
    const payload = `${ip},${port},${this.myid},${this.currentEpoch},${m.name},${this.announceHost(ma)},${ma.port},${m.configEpoch}`;
    const sent = this.send(
      ri,
      [ri.mapCommand('PUBLISH'), HELLO_CHANNEL, payload],
      (r) => {
        ri.helloInFlight = false;
        if (r.t !== 'err') ri.lastPubTime = Date.now();
      },
      () => {
        ri.helloInFlight = false;
      },
    );
    if (sent) ri.helloInFlight = true;
  }

  /** Our hello goes out at the next tick to the master, its replicas and the sentinels. */
  private forceHelloUpdateForMaster(m: Instance): void {
    m.lastPubTime = 0;
    for (const s of m.slaves.values()) s.lastPubTime = 0;
    for (const s of m.sentinels.values()) s.lastPubTime = 0;
  }

  /**
   * Turns `ri` into a replica of `addr` (or a master with null), in one
   * transaction: SLAVEOF, CONFIG REWRITE (so a restart keeps the role), and the
   * disconnection of its normal and pub/sub clients so they ask the sentinels
   * again. Afterwards INFO is asked at once, so the new role is seen without
   * waiting for the next INFO period (Redis waits for it).
   */
  sendSlaveOf(ri: Instance, addr: Addr | null): boolean {
    const cc = ri.link.cc;
    if (cc === null) return false;
    const host = addr === null ? 'NO' : this.announceHost(addr);
    const port = addr === null ? 'ONE' : String(addr.port);
    const cmds: string[][] = [
      [ri.mapCommand('MULTI')],
      [ri.mapCommand('SLAVEOF'), host, port],
      [ri.mapCommand('CONFIG'), 'REWRITE'],
      [ri.mapCommand('CLIENT'), 'KILL', 'TYPE', 'normal'],
      [ri.mapCommand('CLIENT'), 'KILL', 'TYPE', 'pubsub'],
    ];
    for (const c of cmds) this.send(ri, c);
    this.send(ri, [ri.mapCommand('EXEC')], () => this.sendInfo(ri));
    return true;
  }

  private sendAuthIfNeeded(ri: Instance, c: RespClient): void {
    let user: string | null = null;
    let pass: string | null = null;
    if (ri.isSentinel) {
      if (this.settings.sentinelPass !== null) {
        pass = this.settings.sentinelPass;
        user = this.settings.sentinelUser;
      } else {
        // Old configurations: requirepass serves both ways.
        const rp = this.server.config.getString('requirepass');
        if (rp !== '') pass = rp;
      }
    } else {
      const m = ri.isMaster ? ri : ri.master!;
      pass = m.authPass;
      user = m.authUser;
    }
    if (pass === null) return;
    const args = user !== null ? [ri.mapCommand('AUTH'), user, pass] : [ri.mapCommand('AUTH'), pass];
    c.call(...args).catch(() => {});
  }

  // ---- LinkOwner --------------------------------------------------------------------------

  onCommandLinkUp(ri: Instance, cc: RespClient): void {
    this.sendAuthIfNeeded(ri, cc);
    cc.call(ri.mapCommand('CLIENT'), 'SETNAME', `sentinel-${this.myid.slice(0, 8)}-cmd`).catch(() => {});
    this.event('debug', '+cmd-link', ri);
    this.sendPing(ri);
    // A replica is no failover candidate until its first INFO is in: ask at once
    // rather than at the next tick once the pub/sub link is up too (Redis waits).
    if (!ri.isSentinel && ri.infoRefresh === 0) this.sendInfo(ri);
  }

  onPubsubLinkUp(ri: Instance, pc: RespClient): void {
    this.sendAuthIfNeeded(ri, pc);
    pc.call(ri.mapCommand('CLIENT'), 'SETNAME', `sentinel-${this.myid.slice(0, 8)}-pubsub`).catch(() => {});
    pc.call(ri.mapCommand('SUBSCRIBE'), HELLO_CHANNEL).then(
      (r) => {
        if (r.t === 'err' && ri.link.pc === pc) ri.link.closePubsubLink();
      },
      () => {},
    );
  }

  onPubsubMessage(_ri: Instance, r: Reply): void {
    if ((r.t !== 'array' && r.t !== 'push') || r.v === null || r.v.length !== 3) return;
    const [kind, channel, payload] = r.v;
    if (kind.t !== 'bulk' || kind.v !== 'message') return;
    if (channel.t !== 'bulk' || channel.v !== HELLO_CHANNEL) return;
    if (payload.t !== 'bulk' || payload.v === null) return;
    this.processHello(payload.v);
    this.server.flushPending();
  }

  onUnresolved(host: string): void {
    this.server.log.warning(`Failed to resolve hostname '${host}'`);
  }

  onLinkEvent(ri: Instance, what: string): void {
    this.event('debug', what.split(' ')[0], ri);
  }

  // ---- INFO -----------------------------------------------------------------------------

  /**
   * Takes in an instance's INFO: its run id, role, replicas (for a master), and
   * replication state (for a replica), then reacts: a promoted replica reporting
   * role:master moves the failover on; a replica that calls itself master, or
   * follows the wrong master, is reconfigured once things look stable; replicas
   * being reconfigured advance towards "done".
   */
  refreshInstanceInfo(ri: Instance, info: string): void {
    const now = Date.now();
    ri.info = info.length > INFO_CACHE_BYTES_MAX ? info.slice(0, INFO_CACHE_BYTES_MAX) : info;
    ri.masterLinkDownTime = 0;
    let role = 0;
    const discovered: Array<[string, number]> = [];
    let masterHost: string | null = null;
    let masterPort: number | null = null;
    let linkUp: boolean | null = null;
    let priority: number | null = null;
    let offset: number | null = null;
    let announced: boolean | null = null;
    let runid: string | null = null;
    for (const line of info.split('\n')) {
      const l = line.endsWith('\r') ? line.slice(0, -1) : line;
      const colon = l.indexOf(':');
      if (colon <= 0) continue;
      const key = l.slice(0, colon);
      const val = l.slice(colon + 1);
      if (key === 'run_id' && val.length === 40) runid = val;
      else if (key === 'role') role = val === 'master' ? SRI_MASTER : val === 'slave' ? SRI_SLAVE : 0;
      else if (/^slave\d+$/.test(key)) {
        const a = parseSlaveLine(val);
        if (a) discovered.push(a);
      } else if (key === 'master_link_down_since_seconds') ri.masterLinkDownTime = Number(val) * 1000 || 0;
      else if (key === 'master_host') masterHost = val;
      else if (key === 'master_port') masterPort = Number(val);
      else if (key === 'master_link_status') linkUp = val === 'up';
      else if (key === 'slave_priority' || key === 'replica_priority') priority = Number(val);
      else if (key === 'slave_repl_offset') offset = Number(val);
      else if (key === 'replica_announced') announced = val !== '0';
    }
    if (runid !== null && ri.runid !== runid) {
      if (ri.runid !== null) {
        this.event('notice', '+reboot', ri);
        if (ri.isMaster && ri.masterRebootDownAfterPeriod !== 0) {
          ri.flags |= SRI_MASTER_REBOOT;
          ri.masterRebootSinceTime = now;
        }
      }
      ri.runid = runid;
    }
    if (ri.isMaster && role === SRI_MASTER) {
      for (const [host, port] of discovered) {
        const s = this.createSlave(ri, host, port);
        if (s) {
          this.event('notice', '+slave', s);
          this.flushConfig();
        }
      }
    }
    if (role === SRI_SLAVE) {
      if (masterHost !== null && masterHost !== ri.slaveMasterHost) {
        ri.slaveMasterHost = masterHost;
        ri.slaveConfChangeTime = now;
      }
      if (masterPort !== null && masterPort !== ri.slaveMasterPort) {
        ri.slaveMasterPort = masterPort;
        ri.slaveConfChangeTime = now;
      }
      if (linkUp !== null) ri.slaveMasterLinkUp = linkUp;
      if (priority !== null && Number.isFinite(priority)) ri.slavePriority = priority;
      if (offset !== null && Number.isFinite(offset)) ri.slaveReplOffset = offset;
      if (announced !== null) ri.replicaAnnounced = announced;
    }
    ri.infoRefresh = now;
    if (role === 0) return;
    if (role !== ri.roleReported) {
      ri.roleReportedTime = now;
      ri.roleReported = role;
      if (role === SRI_SLAVE) ri.slaveConfChangeTime = now;
      const matches = (ri.flags & (SRI_MASTER | SRI_SLAVE)) === role;
      this.event('verbose', matches ? '+role-change' : '-role-change', ri, `new reported role is ${role === SRI_MASTER ? 'master' : 'slave'}`);
    }
    if (this.tilt) return;
    const m = ri.master;
    if (!ri.isSlave || m === null) return;

    if (role === SRI_MASTER) {
      if ((ri.flags & SRI_PROMOTED) !== 0 && (m.flags & SRI_FAILOVER_IN_PROGRESS) !== 0 && m.failoverState === FAILOVER_WAIT_PROMOTION) {
        // The replica we promoted is a master now: the new configuration gets the
        // failover's epoch, so every other sentinel will adopt it.
        m.configEpoch = m.failoverEpoch;
        m.failoverState = FAILOVER_RECONF_SLAVES;
        m.failoverStateChangeTime = now;
        this.flushConfig();
        this.event('warning', '+promoted-slave', ri);
        if (this.simFailureFlags & SIMFAILURE_CRASH_AFTER_PROMOTION) this.simFailureCrash();
        this.event('warning', '+failover-state-reconf-slaves', m);
        this.forceHelloUpdateForMaster(m);
      } else {
        // A replica that says it is a master (an old master that came back): make it
        // follow the current master, once the situation has been stable for a while.
        const wait = TIMING.publishPeriod * 4;
        if ((ri.flags & SRI_PROMOTED) === 0 && this.masterLooksSane(m) && this.noDownFor(ri, wait) && now - ri.roleReportedTime > wait) {
          if (this.sendSlaveOf(ri, m.addr)) this.event('notice', '+convert-to-slave', ri);
        }
      }
    }

    if (role === SRI_SLAVE && (ri.slaveMasterPort !== m.addr.port || ri.slaveMasterHost === null || !sameAddr(m.addr, ri.slaveMasterHost, ri.slaveMasterPort))) {
      // A replica following another master: point it back, once stable.
      const wait = m.failoverTimeout;
      if (this.masterLooksSane(m) && this.noDownFor(ri, wait) && now - ri.slaveConfChangeTime > wait) {
        if (this.sendSlaveOf(ri, m.addr)) this.event('notice', '+fix-slave-config', ri);
      }
    }

    if (role === SRI_SLAVE && (ri.flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG)) !== 0) {
      const p = m.promotedSlave;
      if ((ri.flags & SRI_RECONF_SENT) !== 0 && p !== null && ri.slaveMasterHost !== null && sameAddr(p.addr, ri.slaveMasterHost, ri.slaveMasterPort)) {
        ri.flags &= ~SRI_RECONF_SENT;
        ri.flags |= SRI_RECONF_INPROG;
        this.event('notice', '+slave-reconf-inprog', ri);
      }
      if ((ri.flags & SRI_RECONF_INPROG) !== 0 && ri.slaveMasterLinkUp) {
        ri.flags &= ~SRI_RECONF_INPROG;
        ri.flags |= SRI_RECONF_DONE;
        this.event('notice', '+slave-reconf-done', ri);
      }
    }
  }

  /** The master is up, says it is a master, and its INFO is recent. */
  masterLooksSane(m: Instance): boolean {
    return (
      (m.flags & SRI_MASTER) !== 0 &&
      m.roleReported === SRI_MASTER &&
      (m.flags & (SRI_S_DOWN | SRI_O_DOWN)) === 0 &&
      Date.now() - m.infoRefresh < TIMING.infoPeriod * 2
    );
  }

  /** The instance has not entered SDOWN or ODOWN in the last `ms`. */
  private noDownFor(ri: Instance, ms: number): boolean {
    const recent = Math.max(ri.sDownSinceTime, ri.oDownSinceTime);
    return recent === 0 || Date.now() - recent > ms;
  }

  // ---- hello messages -------------------------------------------------------------------

  /**
   * A hello from another sentinel ("ip,port,runid,current_epoch,master_name,
   * master_ip,master_port,master_config_epoch"), received on an instance's hello
   * channel or PUBLISHed to us directly. Adds the sender to the master's
   * sentinels, adopts a higher current epoch, and adopts the sender's master
   * address when its configuration is newer (higher config epoch) than ours.
   */
  processHello(text: string): void {
    const t = text.split(',');
    if (t.length !== 8) return;
    const [ip, portText, runid, epochText, masterName, masterIp, masterPortText, masterEpochText] = t;
    if (runid === this.myid) return;
    const m = this.masters.get(masterName);
    if (m === undefined) return;
    const port = Number(portText);
    const epoch = Number(epochText);
    const masterPort = Number(masterPortText);
    const masterEpoch = Number(masterEpochText);
    if (![port, epoch, masterPort, masterEpoch].every((n) => Number.isSafeInteger(n) && n >= 0)) return;
    const now = Date.now();
    let si = m.sentinels.get(runid);
    if (si !== undefined && !sameAddr(si.addr, ip, port)) {
      // The same sentinel at a new address: everywhere it is known.
      this.event('notice', '+sentinel-address-switch', m, `ip ${ip} port ${port} for ${runid}`);
      for (const other of this.masters.values()) {
        const peer = other.sentinels.get(runid);
        if (peer === undefined) continue;
        peer.link.close();
        peer.link = new Link(now);
        peer.link.wantsPubsub = false;
        peer.addr = newAddr(ip, port);
      }
      this.flushConfig();
    }
    if (si === undefined && m.sentinels.size >= SENTINELS_PER_MASTER_MAX) return;
    if (si === undefined) {
      // Another run id at this address is a sentinel that restarted with a new id.
      for (const [id, other] of m.sentinels) {
        if (!sameAddr(other.addr, ip, port)) continue;
        this.event('notice', '-dup-sentinel', other, `#duplicate of ${ip}:${port} or ${runid}`);
        other.release();
        m.sentinels.delete(id);
      }
      si = this.createSentinelPeer(m, ip, port, runid);
      this.event('notice', '+sentinel', si);
      this.flushConfig();
    }
    if (epoch > this.currentEpoch) {
      this.currentEpoch = epoch;
      this.flushConfig();
      this.event('warning', '+new-epoch', null, String(epoch));
    }
    if (m.configEpoch < masterEpoch) {
      m.configEpoch = masterEpoch;
      if (masterPort !== m.addr.port || !sameAddr(m.addr, masterIp, masterPort)) {
        const old = m.addr;
        this.event('warning', '+config-update-from', si);
        this.event('warning', '+switch-master', null, `${m.name} ${this.announceHost(old)} ${old.port} ${masterIp} ${masterPort}`);
        this.resetMasterAndChangeAddress(m, masterIp, masterPort);
      } else {
        this.flushConfig();
      }
    }
    si.lastHelloTime = now;
  }

  // ---- failure detection ----------------------------------------------------------------

  private checkSubjectivelyDown(ri: Instance, now: number): void {
    const link = ri.link;
    let elapsed = 0;
    if (link.actPingTime !== 0) elapsed = now - link.actPingTime;
    else if (link.disconnected) elapsed = now - link.lastAvailTime;
    const half = ri.downAfterMs / 2;
    // A command link that has stopped answering for half the down period is
    // reopened (after a minimum age, so a slow peer is not reconnected in a loop);
    // so is a pub/sub link that has heard nothing for three hello periods.
    if (
      link.cc !== null &&
      now - link.ccConnTime > TIMING.minLinkReconnectPeriod &&
      link.actPingTime !== 0 &&
      now - link.actPingTime > half &&
      now - link.lastPongTime > half
    ) {
      link.closeCommandLink();
    }
    if (link.pc !== null && now - link.pcConnTime > TIMING.minLinkReconnectPeriod && now - link.pcLastActivity > TIMING.publishPeriod * 3) {
      link.closePubsubLink();
    }
    const down =
      elapsed > ri.downAfterMs ||
      (ri.isMaster && ri.roleReported === SRI_SLAVE && now - ri.roleReportedTime > ri.downAfterMs + TIMING.infoPeriod * 2) ||
      ((ri.flags & SRI_MASTER_REBOOT) !== 0 && now - ri.masterRebootSinceTime > ri.masterRebootDownAfterPeriod);
    if (down) {
      if ((ri.flags & SRI_S_DOWN) === 0) {
        this.event('warning', '+sdown', ri);
        ri.sDownSinceTime = now;
        ri.flags |= SRI_S_DOWN;
      }
    } else if ((ri.flags & SRI_S_DOWN) !== 0) {
      this.event('warning', '-sdown', ri);
      ri.flags &= ~SRI_S_DOWN;
    }
  }

  private checkObjectivelyDown(m: Instance, now: number): void {
    let votes = 0;
    let odown = false;
    if ((m.flags & SRI_S_DOWN) !== 0) {
      votes = 1;
      for (const s of m.sentinels.values()) if ((s.flags & SRI_MASTER_DOWN) !== 0) votes++;
      odown = votes >= m.quorum;
    }
    if (odown) {
      if ((m.flags & SRI_O_DOWN) === 0) {
        this.event('warning', '+odown', m, `#quorum ${votes}/${m.quorum}`);
        m.flags |= SRI_O_DOWN;
        m.oDownSinceTime = now;
      }
    } else if ((m.flags & SRI_O_DOWN) !== 0) {
      this.event('warning', '-odown', m);
      m.flags &= ~SRI_O_DOWN;
    }
  }

  /**
   * Asks every other sentinel whether it sees the master down; while we run a
   * failover the same question asks for its vote (our run id instead of "*").
   * An answer older than 5 ask periods no longer counts.
   */
  private askMasterStateToOtherSentinels(m: Instance, forced: boolean, now: number): void {
    for (const ri of m.sentinels.values()) {
      const elapsed = now - ri.lastMasterDownReplyTime;
      if (elapsed > TIMING.askPeriod * 5) {
        ri.flags &= ~SRI_MASTER_DOWN;
        ri.leader = null;
      }
      if ((m.flags & SRI_S_DOWN) === 0) continue;
      if (ri.link.disconnected) continue;
      if (!forced && (elapsed < TIMING.askPeriod || ri.askInFlight)) continue;
      // During our failover the question asks for a vote in the failover's epoch
      // (Redis asks in its current epoch, which may have moved on; see getLeader).
      const voting = m.failoverState > FAILOVER_NONE;
      const args = [
        'SENTINEL',
        'is-master-down-by-addr',
        this.announceHost(m.addr),
        String(m.addr.port),
        String(voting ? m.failoverEpoch : this.currentEpoch),
        voting ? this.myid : '*',
      ];
      const sent = this.send(
        ri,
        args,
        (r) => {
          ri.askInFlight = false;
          this.onIsMasterDownReply(ri, r);
        },
        () => {
          ri.askInFlight = false;
        },
      );
      if (sent) ri.askInFlight = true;
    }
  }

  private onIsMasterDownReply(ri: Instance, r: Reply): void {
    if (r.t !== 'array' || r.v === null || r.v.length !== 3) return;
    const [down, leader, epoch] = r.v;
    if (down.t !== 'int' || leader.t !== 'bulk' || leader.v === null || epoch.t !== 'int') return;
    ri.lastMasterDownReplyTime = Date.now();
    if (down.v === 1n) ri.flags |= SRI_MASTER_DOWN;
    else ri.flags &= ~SRI_MASTER_DOWN;
    if (leader.v !== '*') {
      const e = Number(epoch.v);
      if (ri.leader !== leader.v || ri.leaderEpoch !== e) this.server.log.warning(`${ri.name} voted for ${leader.v} ${e}`);
      ri.leader = leader.v;
      ri.leaderEpoch = e;
    }
  }

  // ---- leader election ------------------------------------------------------------------

  /**
   * Our vote for the leader of the failover of `m` in `reqEpoch`: the first
   * candidate to ask in an epoch gets it, and a sentinel votes once per epoch. The
   * vote is on disk before it is answered. Having voted for another sentinel, we
   * hold back our own attempt (failover start time pushed forward).
   */
  voteLeader(m: Instance, reqEpoch: number, reqRunid: string): { leader: string | null; epoch: number } {
    if (reqEpoch > this.currentEpoch) {
      this.currentEpoch = reqEpoch;
      this.flushConfig();
      this.event('warning', '+new-epoch', null, String(reqEpoch));
    }
    if (m.leaderEpoch < reqEpoch && this.currentEpoch <= reqEpoch) {
      m.leader = reqRunid;
      m.leaderEpoch = this.currentEpoch;
      this.flushConfig();
      this.event('warning', '+vote-for-leader', null, `${reqRunid} ${m.leaderEpoch}`);
      if (reqRunid !== this.myid) m.failoverStartTime = Date.now() + randInt(MAX_DESYNC_MS);
    }
    return { leader: m.leader, epoch: m.leaderEpoch };
  }

  /**
   * The leader of the failover of `m` in `epoch`, or null: the run id with the
   * most votes among the sentinels' latest answers for that epoch plus our own
   * vote (for that run id, or for us if nobody has votes), provided it has an
   * absolute majority of all known sentinels and at least the quorum.
   *
   * Redis counts the answers for its current epoch, which can be later than the
   * failover's epoch (a newer epoch seen meanwhile): a sentinel could then lead
   * the failover of one epoch with votes cast in another, while another sentinel
   * wins the first. Counting only votes cast in the failover's own epoch keeps
   * one leader per epoch. (Public for the election simulation test.)
   */
  getLeader(m: Instance, epoch: number): string | null {
    const counters = new Map<string, number>();
    const voters = m.sentinels.size + 1;
    const incr = (id: string): number => {
      const n = (counters.get(id) ?? 0) + 1;
      counters.set(id, n);
      return n;
    };
    for (const ri of m.sentinels.values()) if (ri.leader !== null && ri.leaderEpoch === epoch) incr(ri.leader);
    let winner: string | null = null;
    let maxVotes = 0;
    for (const [id, n] of counters) {
      if (n > maxVotes) {
        maxVotes = n;
        winner = id;
      }
    }
    const mine = this.voteLeader(m, epoch, winner ?? this.myid);
    if (mine.leader !== null && mine.epoch === epoch) {
      const n = incr(mine.leader);
      if (n > maxVotes) {
        maxVotes = n;
        winner = mine.leader;
      }
    }
    const majority = Math.floor(voters / 2) + 1;
    if (winner !== null && (maxVotes < majority || maxVotes < m.quorum)) winner = null;
    return winner;
  }

  // ---- failover -------------------------------------------------------------------------

  private startFailoverIfNeeded(m: Instance, now: number): boolean {
    if ((m.flags & SRI_O_DOWN) === 0) return false;
    if ((m.flags & SRI_FAILOVER_IN_PROGRESS) !== 0) return false;
    if (now - m.failoverStartTime < m.failoverTimeout * 2) {
      if (m.failoverDelayLogged !== m.failoverStartTime) {
        const at = ctime(new Date(m.failoverStartTime + m.failoverTimeout * 2));
        this.server.log.warning(`Next failover delay: I will not start a failover before ${at}`);
        m.failoverDelayLogged = m.failoverStartTime;
      }
      return false;
    }
    this.startFailover(m);
    return true;
  }

  /** A failover attempt in a new epoch; the election happens in WAIT_START. */
  startFailover(m: Instance): void {
    const now = Date.now();
    m.failoverState = FAILOVER_WAIT_START;
    m.failoverStateChangeTime = now;
    m.flags |= SRI_FAILOVER_IN_PROGRESS;
    m.failoverEpoch = ++this.currentEpoch;
    this.event('warning', '+new-epoch', null, String(this.currentEpoch));
    this.event('warning', '+try-failover', m);
    m.failoverStartTime = now + randInt(MAX_DESYNC_MS);
    m.failoverStateChangeTime = now;
  }

  abortFailover(m: Instance): void {
    m.flags &= ~(SRI_FAILOVER_IN_PROGRESS | SRI_FORCE_FAILOVER);
    m.failoverState = FAILOVER_NONE;
    m.failoverStateChangeTime = Date.now();
    if (m.promotedSlave !== null) {
      m.promotedSlave.flags &= ~SRI_PROMOTED;
      m.promotedSlave = null;
    }
  }

  private failoverStateMachine(m: Instance, now: number): void {
    if ((m.flags & SRI_FAILOVER_IN_PROGRESS) === 0) return;
    switch (m.failoverState) {
      case FAILOVER_WAIT_START:
        this.failoverWaitStart(m, now);
        break;
      case FAILOVER_SELECT_SLAVE:
        this.failoverSelectSlave(m, now);
        break;
      case FAILOVER_SEND_SLAVEOF_NOONE:
        this.failoverSendSlaveOfNoOne(m, now);
        break;
      case FAILOVER_WAIT_PROMOTION:
        if (now - m.failoverStateChangeTime > m.failoverTimeout) {
          this.event('warning', '-failover-abort-slave-timeout', m);
          this.abortFailover(m);
        }
        break;
      case FAILOVER_RECONF_SLAVES:
        this.failoverReconfNextSlave(m, now);
        break;
    }
  }

  private failoverWaitStart(m: Instance, now: number): void {
    const leader = this.getLeader(m, m.failoverEpoch);
    const isLeader = leader !== null && leader === this.myid;
    if (!isLeader && (m.flags & SRI_FORCE_FAILOVER) === 0) {
      const electionTimeout = Math.min(TIMING.electionTimeout, m.failoverTimeout);
      if (now - m.failoverStartTime > electionTimeout) {
        this.event('warning', '-failover-abort-not-elected', m);
        this.abortFailover(m);
      }
      return;
    }
    this.event('warning', '+elected-leader', m);
    if (this.simFailureFlags & SIMFAILURE_CRASH_AFTER_ELECTION) this.simFailureCrash();
    m.failoverState = FAILOVER_SELECT_SLAVE;
    m.failoverStateChangeTime = now;
    this.event('warning', '+failover-state-select-slave', m);
  }

  private failoverSelectSlave(m: Instance, now: number): void {
    const s = this.selectSlave(m);
    if (s === null) {
      this.event('warning', '-failover-abort-no-good-slave', m);
      this.abortFailover(m);
      return;
    }
    this.event('warning', '+selected-slave', s);
    s.flags |= SRI_PROMOTED;
    m.promotedSlave = s;
    m.failoverState = FAILOVER_SEND_SLAVEOF_NOONE;
    m.failoverStateChangeTime = now;
    this.event('notice', '+failover-state-send-slaveof-noone', s);
  }

  private failoverSendSlaveOfNoOne(m: Instance, now: number): void {
    const s = m.promotedSlave!;
    if (s.link.disconnected) {
      if (now - m.failoverStateChangeTime > m.failoverTimeout) {
        this.event('warning', '-failover-abort-slave-timeout', m);
        this.abortFailover(m);
      }
      return;
    }
    if (!this.sendSlaveOf(s, null)) return;
    this.event('notice', '+failover-state-wait-promotion', s);
    m.failoverState = FAILOVER_WAIT_PROMOTION;
    m.failoverStateChangeTime = now;
  }

  /**
   * The replica to promote: among those connected, answering, not down, with a
   * recent INFO, not disconnected from the master for too long and with a
   * priority other than 0, the lowest priority, then the largest replication
   * offset, then the smallest run id.
   */
  selectSlave(m: Instance): Instance | null {
    const now = Date.now();
    let maxMasterDownTime = 0;
    if ((m.flags & SRI_S_DOWN) !== 0) maxMasterDownTime += now - m.sDownSinceTime;
    maxMasterDownTime += m.downAfterMs * 10;
    const infoValidity = (m.flags & SRI_S_DOWN) !== 0 ? TIMING.pingPeriod * 5 : TIMING.infoPeriod * 3;
    const candidates: Instance[] = [];
    for (const s of m.slaves.values()) {
      if ((s.flags & (SRI_S_DOWN | SRI_O_DOWN)) !== 0) continue;
      if (s.link.disconnected) continue;
      if (now - s.link.lastAvailTime > TIMING.pingPeriod * 5) continue;
      if (s.slavePriority === 0) continue;
      if (now - s.infoRefresh > infoValidity) continue;
      if (s.masterLinkDownTime > maxMasterDownTime) continue;
      candidates.push(s);
    }
    if (candidates.length === 0) return null;
    candidates.sort(compareSlaves);
    return candidates[0];
  }

  /**
   * Points the remaining replicas at the promoted one, parallel-syncs at a time;
   * a replica that does not report progress within slaveReconfTimeout counts as
   * done. When none is left (or the failover timeout passed) the failover ends.
   */
  private failoverReconfNextSlave(m: Instance, now: number): void {
    const promoted = m.promotedSlave;
    if (promoted === null) return;
    let inProgress = 0;
    for (const s of m.slaves.values()) if ((s.flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG)) !== 0) inProgress++;
    for (const s of m.slaves.values()) {
      if (inProgress >= m.parallelSyncs) break;
      if ((s.flags & (SRI_PROMOTED | SRI_RECONF_DONE)) !== 0) continue;
      if ((s.flags & SRI_RECONF_SENT) !== 0 && now - s.slaveReconfSentTime > TIMING.slaveReconfTimeout) {
        this.event('notice', '-slave-reconf-sent-timeout', s);
        s.flags &= ~SRI_RECONF_SENT;
        s.flags |= SRI_RECONF_DONE;
      }
      if ((s.flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG | SRI_RECONF_DONE)) !== 0) continue;
      if (s.link.disconnected) continue;
      if (this.sendSlaveOf(s, promoted.addr)) {
        s.flags |= SRI_RECONF_SENT;
        s.slaveReconfSentTime = now;
        this.event('notice', '+slave-reconf-sent', s);
        inProgress++;
      }
    }
    this.failoverDetectEnd(m, now);
  }

  private failoverDetectEnd(m: Instance, now: number): void {
    const promoted = m.promotedSlave;
    if (promoted === null || (promoted.flags & SRI_S_DOWN) !== 0) return;
    let notReconfigured = 0;
    for (const s of m.slaves.values()) {
      if ((s.flags & (SRI_PROMOTED | SRI_RECONF_DONE)) !== 0) continue;
      if ((s.flags & SRI_S_DOWN) !== 0) continue;
      notReconfigured++;
    }
    let timeout = false;
    if (now - m.failoverStateChangeTime > m.failoverTimeout) {
      notReconfigured = 0;
      timeout = true;
      this.event('warning', '+failover-end-for-timeout', m);
    }
    if (notReconfigured === 0) {
      this.event('warning', '+failover-end', m);
      m.failoverState = FAILOVER_UPDATE_CONFIG;
      m.failoverStateChangeTime = now;
    }
    if (timeout) {
      // Best effort for the replicas that were not reached.
      for (const s of m.slaves.values()) {
        if ((s.flags & (SRI_RECONF_DONE | SRI_RECONF_SENT | SRI_PROMOTED)) !== 0) continue;
        if (s.link.disconnected) continue;
        if (this.sendSlaveOf(s, promoted.addr)) {
          this.event('notice', '+slave-reconf-sent-be', s);
          s.flags |= SRI_RECONF_SENT;
        }
      }
    }
  }

  private failoverSwitchToPromotedSlave(m: Instance): void {
    const ref = m.promotedSlave ?? m;
    this.event('warning', '+switch-master', null, `${m.name} ${this.announceHost(m.addr)} ${m.addr.port} ${this.announceHost(ref.addr)} ${ref.addr.port}`);
    this.resetMasterAndChangeAddress(m, ref.addr.host, ref.addr.port);
  }

  private simFailureCrash(): never {
    this.server.log.warning('Sentinel CRASH because of SENTINEL simulate-failure');
    process.exit(99);
  }

  // ---- queries used by the SENTINEL command ----------------------------------------------

  /**
   * CKQUORUM: how many sentinels (us included) are usable, and whether they can
   * reach the quorum and the majority a failover needs.
   */
  quorumStatus(m: Instance): { usable: number; noQuorum: boolean; noAuth: boolean } {
    const voters = m.sentinels.size + 1;
    let usable = 1;
    for (const s of m.sentinels.values()) if ((s.flags & (SRI_S_DOWN | SRI_O_DOWN)) === 0) usable++;
    return { usable, noQuorum: usable < m.quorum, noAuth: usable < Math.floor(voters / 2) + 1 };
  }
}

/** A date as C's ctime() writes it: "Wed Nov 25 03:20:37 2026". */
function ctime(d: Date): string {
  const p = d.toString().split(' ');
  return `${p[0]} ${p[1]} ${p[2]} ${p[4]} ${p[3]}`;
}

/** Promotion order: lower priority, larger offset, smaller run id (unknown run id last). */
function compareSlaves(a: Instance, b: Instance): number {
  if (a.slavePriority !== b.slavePriority) return a.slavePriority - b.slavePriority;
  if (a.slaveReplOffset !== b.slaveReplOffset) return b.slaveReplOffset > a.slaveReplOffset ? 1 : -1;
  if (a.runid === null) return b.runid === null ? 0 : 1;
  if (b.runid === null) return -1;
  return a.runid < b.runid ? -1 : a.runid > b.runid ? 1 : 0;
}

/** A "slaveN:" INFO value: "ip=..,port=..,state=..,offset=..,lag=.." or the old "ip,port,state". */
function parseSlaveLine(v: string): [string, number] | null {
  let ip: string | null = null;
  let port = NaN;
  if (v.includes('=')) {
    for (const kv of v.split(',')) {
      const eq = kv.indexOf('=');
      if (eq < 0) continue;
      const k = kv.slice(0, eq);
      if (k === 'ip') ip = kv.slice(eq + 1);
      else if (k === 'port') port = Number(kv.slice(eq + 1));
    }
  } else {
    const parts = v.split(',');
    if (parts.length >= 2) {
      ip = parts[0];
      port = Number(parts[1]);
    }
  }
  if (ip === null || ip === '' || !Number.isInteger(port) || port <= 0 || port > 65535) return null;
  return [ip, port];
}
