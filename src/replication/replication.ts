// Replication, PSYNC2 as Redis 7 speaks it: one object per server holding the
// replication ids and offsets, the backlog, the replicas attached to this server
// (primary side) and the link to its own primary (replica side, replica.ts).
//
// Ids and offsets. `replid` names the history this server's dataset follows and
// server.masterReplOffset is how many bytes of it exist (a primary: produced; a
// replica: applied from its primary). `replid2` / `secondReplOffset` name the
// history it followed before its last promotion and up to which offset that
// history is shared with the new one, so that replicas of the old primary can
// continue with the promoted one by partial resynchronization.
//
// The stream. On a primary, every propagated command (the dispatcher's one
// propagation hook) is encoded into `stream`, preceded by SELECT when the database
// changes, and counted in the offset at once (WAIT's offsets are exact); once per
// event-loop iteration the bytes go to the backlog and to the replicas. The listener is
// attached only while a backlog exists (Redis creates it when the first replica
// connects and frees it repl-backlog-ttl seconds after the last one left), so a
// server without replicas pays nothing. A replica does not re-propagate what its
// primary sends: it feeds the exact bytes it applied to its backlog and its own
// replicas (chained replication keeps one history and one offset space).
//
// Full synchronization takes a fork-less snapshot (persistence/snapshot.ts) at a
// point in time whose offset is sent in +FULLRESYNC; the stream produced after that
// point is held for the replica until the payload is out (primary.ts). Partial
// synchronization sends the backlog from the requested offset.
//
// Blocking on replicas: WAIT and WAITAOF park the client (server.blockClient) with
// the offset of its last write; REPLCONF ACKs (requested with REPLCONF GETACK in
// the stream) wake it when enough replicas reached that offset.

import { randomBytes } from 'node:crypto';
import type { Server } from '../server/server.js';
import { CLIENT_MASTER, CLIENT_REPLICA, CLIENT_REPLY_OFF, type Client } from '../server/client.js';
import { CMD_STALE, CMD_WRITE, type CommandSpec } from '../commands/table.js';
import { startSnapshot, type Snapshot } from '../persistence/snapshot.js';
import { aofStateOf } from '../persistence/aof.js';
import { parseIntArg } from '../util/numbers.js';
import { Backlog } from './backlog.js';
import { encodeSelect, newStreamBuffer } from './stream.js';
import { ReplicaConn } from './primary.js';
import { PrimaryLink, type LinkState } from './replica.js';
import { Failover } from './failover.js';
import { splitArgs } from '../protocol/parser.js';

export const ZERO_REPLID = '0000000000000000000000000000000000000000';

export function randomReplId(): string {
  return randomBytes(20).toString('hex');
}

/** A client blocked in WAIT or WAITAOF. */
interface Waiter {
  c: Client;
  /** Offset the client's last write reached. */
  woff: number;
  numreplicas: number;
  /** WAITAOF: local fsync wanted (0/1), and whether replicas must have fsynced. */
  numlocal: number;
  aof: boolean;
}

/** A snapshot being streamed to replicas for a full synchronization. */
interface FullSync {
  targets: ReplicaConn[];
  diskless: boolean;
  mark: string;
  snapshot: Snapshot | null;
  /** Disk-format payload gathered until its length is known. */
  chunks: Buffer[];
  bytes: number;
}

/** Cadence of the replication cron (Redis's replicationCron runs once per second). */
const REPL_CRON_MS = 1000;
/** How often WAITAOF numlocal waiters look at the AOF's fsynced offset. */
const AOF_WAIT_POLL_MS = 10;

export class Replication {
  readonly server: Server;
  replid = randomReplId();
  replid2 = ZERO_REPLID;
  secondReplOffset = -1;
  backlog: Backlog | null = null;
  /** Replicas attached to this server, in the order they attached (INFO slaveN). */
  readonly replicas: ReplicaConn[] = [];
  /** Per-client replication state (REPLCONF arrives before PSYNC). */
  private readonly conns = new WeakMap<Client, ReplicaConn>();
  /** Database the stream last SELECTed (-1: the next command emits SELECT). */
  seldb = -1;
  private readonly stream = newStreamBuffer();
  private flushScheduled = false;
  private fullSync: FullSync | null = null;
  /** When the last replica left (ms), for repl-backlog-ttl. */
  noReplicasSince = Date.now();
  /** Online replicas with lag <= min-replicas-max-lag. */
  goodReplicas = 0;

  // Replica side.
  masterHost: string | null = null;
  masterPort = 0;
  /** The current connection attempt or link to the primary (null: none, retried by the cron). */
  link: PrimaryLink | null = null;
  /** What a new link continues from (Redis's cached master): id, applied offset, selected db. */
  cached: { replid: string; offset: number; db: number } | null = null;
  /** When the link went down (ms; 0: never up). */
  replDownSince = 0;

  readonly stats = { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0, replInput: 0, replOutput: 0 };
  private readonly waiters: Waiter[] = [];
  private getAckPending = false;
  private aofPoll: NodeJS.Timeout | null = null;
  readonly failover: Failover;
  private unlisten: (() => void) | null = null;
  private readonly woffs = new WeakMap<Client, number>();
  private lastCron = 0;
  private cronLoops = 0;
  // Configuration copies.
  private readOnly = true;
  private serveStale = true;
  private minReplicas = 0;
  private minLag = 10;

  constructor(server: Server) {
    this.server = server;
    this.failover = new Failover(this);
    server.cronHooks.push(() => this.cron());
    server.clientCloseHooks.push((c) => this.onClientClosed(c));
    server.shutdownHooks.push(() => this.shutdown());
    server.shutdownCtl.replicas = {
      caughtUp: () => this.replicas.every((r) => r.ackOffset === server.masterReplOffset),
      requestAcks: () => {
        if (this.masterHost !== null || this.replicas.length === 0) return;
        this.feedControl(['REPLCONF', 'GETACK', '*']);
        this.flush();
      },
      logLagging: () => {
        const now = Date.now();
        let lagging = 0;
        for (const r of this.replicas) {
          if (r.ackOffset === server.masterReplOffset) continue;
          const state = r.state === 'wait_bgsave_start' || r.state === 'wait_bgsave_end' ? 'wait_bgsave' : r.state;
          const lag = r.state === 'online' ? Math.floor(now / 1000) - Math.floor(r.ackTime / 1000) : 0;
          server.log.warning(`Lagging replica ${r.ip()}:${r.listeningPort} reported offset ${server.masterReplOffset - r.ackOffset} behind master, lag=${lag}, state=${state}.`);
          lagging++;
        }
        if (this.replicas.length > 0) server.log.notice(`${this.replicas.length - lagging} of ${this.replicas.length} replicas are in sync when shutting down.`);
      },
    };
    server.config.onChange((name) => this.onConfig(name));
    this.readConfig();
    if (server.config.getBool('appendonly')) this.createBacklogIfNeeded();
  }

  // ---- configuration --------------------------------------------------------------------

  private readConfig(): void {
    const cfg = this.server.config;
    this.readOnly = cfg.getBool('replica-read-only');
    this.serveStale = cfg.getBool('replica-serve-stale-data');
    this.minReplicas = cfg.getNumber('min-replicas-to-write');
    this.minLag = cfg.getNumber('min-replicas-max-lag');
    this.updatePreExec();
  }

  private onConfig(name: string): void {
    switch (name) {
      case 'replica-read-only':
      case 'replica-serve-stale-data':
      case 'min-replicas-to-write':
      case 'min-replicas-max-lag':
        this.readConfig();
        this.refreshGoodReplicas();
        break;
      case 'repl-backlog-size':
        this.backlog?.resize(this.server.config.getNumber('repl-backlog-size'));
        break;
      case 'appendonly':
        if (this.server.config.getBool('appendonly')) this.createBacklogIfNeeded();
        break;
    }
  }

  // ---- roles ------------------------------------------------------------------------------

  get isReplica(): boolean {
    return this.masterHost !== null;
  }

  /** State of the link to the primary as ROLE names it. */
  linkState(): LinkState {
    return this.link === null ? 'connect' : this.link.state;
  }

  private setRole(replica: boolean): void {
    const s = this.server;
    s.role = replica ? 'replica' : 'master';
    s.ks.isReplica = replica;
    if (!replica) s.ks.forgetReplicaKeys();
    s.log.role = replica ? 'S' : 'M';
    this.updateListener();
    this.updatePreExec();
  }

  /**
   * REPLICAOF host port: follow a new primary. A primary first records its own
   * history as what to continue from, so that it can partially resynchronize with a
   * replica of its own that was promoted (PSYNC2). Clients blocked in commands are
   * unblocked with an error, as the dataset is about to follow someone else.
   */
  setMaster(host: string, port: number, forFailover = false, atStartup = false): void {
    const wasMaster = this.masterHost === null;
    this.flush();
    if (this.link !== null) this.link.drop('');
    this.masterHost = host;
    this.masterPort = port;
    this.disconnectBlockedClients();
    if (wasMaster && !atStartup) {
      // Redis's replicationCacheMasterUsingMyself.
      this.server.log.notice(
        'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.',
      );
      this.cached = { replid: this.replid, offset: this.server.masterReplOffset, db: 0 };
    }
    this.setRole(true);
    this.replDownSince = 0;
    // CONFIG GET replicaof and CONFIG REWRITE show the current primary, as in Redis.
    this.server.config.set('replicaof', [host, String(port)]);
    this.server.log.notice(`Connecting to MASTER ${host}:${port}`);
    this.connect(forFailover);
  }

  /**
   * REPLICAOF NO ONE: become a primary. The history followed so far becomes the
   * secondary id (valid up to the current offset) and a new id starts, so former
   * fellow replicas can continue with us; our replicas are disconnected to learn
   * the new id (they reconnect and continue partially).
   */
  unsetMaster(): void {
    if (this.masterHost === null) return;
    if (this.link !== null) this.link.drop('');
    this.link = null;
    this.masterHost = null;
    this.masterPort = 0;
    if (this.cached !== null) this.server.log.notice('Discarding previously cached master state.');
    this.cached = null;
    this.shiftReplicationId();
    this.disconnectReplicas();
    this.seldb = -1;
    this.noReplicasSince = Date.now();
    this.replDownSince = 0;
    this.server.config.set('replicaof', ['']);
    this.setRole(false);
  }

  /** Redis's shiftReplicationId. */
  private shiftReplicationId(): void {
    this.replid2 = this.replid;
    this.secondReplOffset = this.server.masterReplOffset + 1;
    this.replid = randomReplId();
    this.server.log.notice(
      `Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondReplOffset}. New replication ID is ${this.replid}`,
    );
  }

  /** DEBUG CHANGE-REPL-ID, and a backlog created from scratch: a new history. */
  changeReplicationId(): void {
    this.replid = randomReplId();
  }

  clearReplicationId2(): void {
    this.replid2 = ZERO_REPLID;
    this.secondReplOffset = -1;
  }

  /** Starts a connection attempt to the configured primary. */
  private connect(forFailover = false): void {
    if (this.masterHost === null) return;
    this.link = new PrimaryLink(this, this.masterHost, this.masterPort, forFailover);
    this.link.connect();
  }

  /** Called by a link when it ends (it is no longer this.link's business). */
  linkEnded(link: PrimaryLink, wasUp: boolean): void {
    if (this.link !== link) return;
    this.link = null;
    if (wasUp) this.replDownSince = Date.now();
  }

  /** Called by a link when the stream starts (after a full or partial synchronization). */
  linkUp(): void {
    this.replDownSince = 0;
    // A replica keeps a backlog whether or not it has replicas: promoted, it must
    // let the others continue.
    this.createBacklogIfNeeded();
  }

  /**
   * A full synchronization is about to replace the dataset with another history
   * (Redis's replicationAttachToNewMaster): our replicas must resynchronize, the
   * backlog and what we could have continued from are void.
   */
  beginFullSyncLoad(): void {
    this.cached = null;
    this.disconnectReplicas();
    const job = this.fullSync;
    if (job !== null && job.snapshot !== null) job.snapshot.abort('the dataset is being replaced by a full synchronization');
    this.freeBacklog();
  }

  /** The primary's snapshot is loaded: its id and offset are ours, a fresh backlog starts there. */
  fullSyncLoaded(replid: string, offset: number): void {
    this.replid = replid;
    this.server.masterReplOffset = offset;
    this.clearReplicationId2();
    this.createBacklog();
  }

  private disconnectBlockedClients(): void {
    const s = this.server;
    for (const c of [...s.clients.values()]) {
      const st = c.blocked;
      if (st === null) continue;
      st.onTimeout = 'custom';
      st.timeoutReply = (cl) => cl.addError('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
      this.removeWaiter(c);
      s.unblockByRequest(c, false);
    }
  }

  /** Drops every attached replica (they reconnect and resynchronize). */
  disconnectReplicas(): void {
    for (const r of [...this.replicas]) this.server.closeClient(r.c);
  }

  // ---- backlog and propagation ------------------------------------------------------------

  /** Creates the backlog when there is none (the AOF calls it too: WAITAOF needs the offset to move). */
  createBacklogIfNeeded(): void {
    if (this.backlog !== null) return;
    this.createBacklog();
  }

  private createBacklog(): void {
    this.backlog = new Backlog(this.server.config.getNumber('repl-backlog-size'), this.server.masterReplOffset + 1);
    this.updateListener();
  }

  private freeBacklog(): void {
    this.backlog = null;
    this.updateListener();
  }

  /** The propagation listener exists only on a primary that keeps a backlog. */
  private updateListener(): void {
    const want = this.masterHost === null && this.backlog !== null;
    if (want && this.unlisten === null) {
      this.unlisten = this.server.onPropagate(this.onPropagate);
      this.server.afterPropagateHook = this.recordWoff;
    } else if (!want && this.unlisten !== null) {
      this.unlisten();
      this.unlisten = null;
      this.server.afterPropagateHook = null;
    }
  }

  private readonly recordWoff = (c: Client): void => {
    this.woffs.set(c, this.server.masterReplOffset);
  };

  /** One propagated command: encoded into the stream and counted in the offset now. */
  private readonly onPropagate = (dbid: number, argv: string[], _flags: number): void => {
    const st = this.stream;
    let n = 0;
    if (dbid !== this.seldb) {
      const sel = encodeSelect(dbid);
      st.appendBytes(sel);
      n = sel.length;
      this.seldb = dbid;
    }
    n += st.appendCommand(argv);
    this.server.masterReplOffset += n;
    if (!this.flushScheduled) this.scheduleFlush();
  };

  /** PING and REPLCONF GETACK: in the stream, without a database change. */
  private feedControl(argv: string[]): void {
    if (this.backlog === null) return;
    this.server.masterReplOffset += this.stream.appendCommand(argv);
    if (!this.flushScheduled) this.scheduleFlush();
  }

  /**
   * The stream goes out once per event-loop iteration, after the I/O callbacks of
   * that iteration (Redis writes to its replicas in beforeSleep): the commands of
   * many clients' reads share one socket write per replica.
   */
  private scheduleFlush(): void {
    this.flushScheduled = true;
    setImmediate(this.flushTick);
  }

  private readonly flushTick = (): void => this.flush();

  /**
   * Hands the stream produced since the last flush to the backlog and the
   * replicas; sends the pending GETACK request first when a client waits.
   */
  flush(): void {
    this.flushScheduled = false;
    if (this.getAckPending) {
      const s = this.server;
      // Not while clients are paused: it would move the offset a FAILOVER waits for
      // (the cron retries).
      if (s.pause === null || s.pause.until <= Date.now()) {
        this.getAckPending = false;
        if (this.masterHost === null && this.replicas.length > 0) this.feedControl(['REPLCONF', 'GETACK', '*']);
        this.flushScheduled = false;
      }
    }
    const st = this.stream;
    if (st.len === 0) return;
    const data = st.take();
    if (this.backlog !== null) this.backlog.append(data);
    this.fanOut(data, 0, data.length);
  }

  /** Replica side: bytes of the primary's stream this server applied. */
  feedApplied(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.server.masterReplOffset += end - start;
    if (this.backlog !== null) this.backlog.append(chunk, start, end);
    if (this.replicas.length > 0) this.fanOut(chunk, start, end);
  }

  private fanOut(data: Buffer, start: number, end: number): void {
    const piece = start === 0 && end === data.length ? data : data.subarray(start, end);
    let over: ReplicaConn[] | null = null;
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[i];
      if (!r.feed(piece)) (over ??= []).push(r);
    }
    if (over !== null) for (const r of over) this.dropForLimit(r);
  }

  private dropForLimit(r: ReplicaConn): void {
    const s = this.server;
    s.log.warning(`Client ${s.clientInfoLine(r.c)} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    s.stats.outputBufferLimitDisconnections++;
    s.closeClient(r.c);
  }

  // ---- the primary side: REPLCONF, SYNC, PSYNC ---------------------------------------------

  private connOf(c: Client): ReplicaConn {
    let r = this.conns.get(c);
    if (r === undefined) {
      r = new ReplicaConn(this, c);
      this.conns.set(c, r);
    }
    return r;
  }

  /** REPLCONF <option> <value> [<option> <value> ...]. */
  replconf(c: Client, argv: string[]): void {
    if (argv.length % 2 === 0) {
      c.addError('ERR syntax error');
      return;
    }
    for (let j = 1; j < argv.length; j += 2) {
      const opt = argv[j].toLowerCase();
      const val = argv[j + 1];
      switch (opt) {
        case 'listening-port': {
          const port = parseIntArg(val);
          if (port === null) {
            c.addError('ERR value is not an integer or out of range');
            return;
          }
          this.connOf(c).listeningPort = port;
          break;
        }
        case 'ip-address':
          if (val.length >= 256) {
            c.addError(`ERR REPLCONF ip-address provided by replica instance is too long: ${val.length} bytes`);
            return;
          }
          this.connOf(c).announcedIp = val;
          break;
        case 'capa': {
          const v = val.toLowerCase();
          if (v === 'eof') this.connOf(c).capaEof = true;
          else if (v === 'psync2') this.connOf(c).capaPsync2 = true;
          break;
        }
        case 'ack':
          // An internal command without a reply.
          this.ack(c, argv, j);
          return;
        case 'getack':
          if (this.masterHost !== null && this.link !== null) this.link.sendAck();
          return;
        case 'rdb-only': {
          const v = parseIntArg(val);
          if (v === null || (v !== 0 && v !== 1)) {
            c.addError('ERR value is out of range, value must between 0 and 1');
            return;
          }
          this.connOf(c).rdbOnly = v === 1;
          break;
        }
        case 'rdb-filter-only': {
          // The parts of the RDB to include (Redis's "include" filters): no keys, and
          // the functions when "functions" is listed, the one filter Redis 7.0/7.2 has.
          const filters = splitArgs(val);
          if (filters === null) {
            c.addError('ERR Missing rdb-filter-only values');
            return;
          }
          let filter: 'functions' | 'none' = 'none';
          for (const f of filters) {
            if (f.toLowerCase() === 'functions') filter = 'functions';
            else {
              c.addError(`ERR Unsupported rdb-filter-only option: ${f}`);
              return;
            }
          }
          this.connOf(c).rdbFilter = filter;
          break;
        }
        default:
          c.addError(`ERR Unrecognized REPLCONF option: ${argv[j]}`);
          return;
      }
    }
    c.addOk();
  }

  /** REPLCONF ACK <offset> [FACK <aofoffset>] from a replica. */
  private ack(c: Client, argv: string[], j: number): void {
    if ((c.flags & CLIENT_REPLICA) === 0) return;
    const r = this.conns.get(c);
    if (r === undefined) return;
    const off = parseIntArg(argv[j + 1]);
    if (off === null) return;
    if (off > r.ackOffset) r.ackOffset = off;
    if (argv.length > j + 3 && argv[j + 2].toLowerCase() === 'fack') {
      const aoff = parseIntArg(argv[j + 3]);
      if (aoff !== null && aoff > r.aofAckOffset) r.aofAckOffset = aoff;
    }
    r.ackTime = Date.now();
    if (r.streamOnAck && r.state === 'online') r.startStream();
    this.checkWaiters();
    this.failover.check();
  }

  /** SYNC and PSYNC <replid> <offset> [FAILOVER]. */
  sync(c: Client, argv: string[]): void {
    if ((c.flags & CLIENT_REPLICA) !== 0) return;
    const s = this.server;
    const psync = argv[0].toLowerCase() === 'psync';
    if (psync && argv.length > 3 && argv[3].toLowerCase() === 'failover') {
      if (argv[1] === this.replid) {
        s.log.warning(`Failover request received for replid ${argv[1]}.`);
        this.unsetMaster();
        s.log.notice(`MASTER MODE enabled (failover request from '${s.clientInfoLine(c)}')`);
      } else {
        c.addError('ERR PSYNC FAILOVER replid must match my replid.');
        return;
      }
    }
    if (this.failover.state !== 'no-failover') {
      c.addError("NOMASTERLINK Can't SYNC while failing over");
      return;
    }
    if (this.masterHost !== null && this.linkState() !== 'connected') {
      c.addError("NOMASTERLINK Can't SYNC while not connected with my master");
      return;
    }
    const r = this.connOf(c);
    s.log.notice(`Replica ${r.name()} asks for synchronization`);
    if (psync) {
      const off = parseIntArg(argv[2]);
      if (off === null) {
        s.log.warning(`Replica ${r.name()} asks for synchronization but with a wrong offset`);
        c.addError('ERR value is not an integer or out of range');
        return;
      }
      if (this.tryPartial(r, argv[1], off)) {
        this.stats.syncPartialOk++;
        return;
      }
      if (argv[1] !== '?') this.stats.syncPartialErr++;
    } else {
      r.preSync = true;
    }
    this.stats.syncFull++;
    if (s.config.getBool('repl-disable-tcp-nodelay')) c.socket?.setNoDelay(false);
    r.state = 'wait_bgsave_start';
    r.waitSince = Date.now();
    c.flags |= CLIENT_REPLICA | CLIENT_REPLY_OFF;
    this.replicas.push(r);
    if (this.replicas.length === 1 && this.backlog === null) {
      // A backlog created from scratch starts a new history.
      this.changeReplicationId();
      this.clearReplicationId2();
      this.createBacklog();
      s.log.notice(`Replication backlog created, my new replication IDs are '${this.replid}' and '${this.replid2}'`);
    }
    const cfg = s.config;
    if (this.fullSync !== null) {
      s.log.notice('Waiting for next BGSAVE for SYNC');
    } else if (cfg.getBool('repl-diskless-sync') && r.capaEof && cfg.getNumber('repl-diskless-sync-delay') > 0) {
      s.log.notice('Delay next BGSAVE for diskless SYNC');
    } else {
      // Replicas arriving in the same turn share the snapshot.
      setImmediate(() => this.startPendingSyncs());
    }
  }

  /** Redis's masterTryPartialResynchronization. */
  private tryPartial(r: ReplicaConn, replid: string, off: number): boolean {
    const log = this.server.log;
    if (replid !== this.replid && (replid !== this.replid2 || off > this.secondReplOffset)) {
      if (replid !== '?') {
        if (replid !== this.replid && replid !== this.replid2) {
          log.notice(
            `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${this.replid}' and '${this.replid2}')`,
          );
        } else {
          log.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${off}, but I can reply up to ${this.secondReplOffset}`);
        }
      } else {
        log.notice(`Full resync requested by replica ${r.name()}`);
      }
      return false;
    }
    this.flush();
    const b = this.backlog;
    if (b === null || !b.covers(off)) {
      log.notice(`Unable to partial resync with replica ${r.name()} for lack of backlog (Replica request was: ${off}).`);
      if (off > this.server.masterReplOffset) {
        log.warning(`Warning: replica ${r.name()} tried to PSYNC with an offset that is greater than the master replication offset.`);
      }
      return false;
    }
    const c = r.c;
    c.flags |= CLIENT_REPLICA | CLIENT_REPLY_OFF;
    r.state = 'online';
    r.ackTime = Date.now();
    r.streamOnAck = false;
    this.replicas.push(r);
    r.writeNow(r.capaPsync2 ? `+CONTINUE ${this.replid}\r\n` : '+CONTINUE\r\n');
    const data = b.copyFrom(off);
    r.startStream();
    if (data.length > 0) r.writeNow(data);
    log.notice(`Partial resynchronization request from ${r.name()} accepted. Sending ${data.length} bytes of backlog starting from offset ${off}.`);
    this.refreshGoodReplicas();
    return true;
  }

  /**
   * Starts the snapshot for replicas waiting for one, when allowed: at once for a
   * disk-format transfer, after repl-diskless-sync-delay seconds (or as soon as
   * repl-diskless-sync-max-replicas are waiting) for a diskless one.
   */
  startPendingSyncs(): void {
    if (this.fullSync !== null) return;
    let waiting = 0;
    let allEof = true;
    let oldest = Infinity;
    for (const r of this.replicas) {
      if (r.state !== 'wait_bgsave_start') continue;
      waiting++;
      if (!r.capaEof) allEof = false;
      if (r.waitSince < oldest) oldest = r.waitSince;
    }
    if (waiting === 0) return;
    const cfg = this.server.config;
    const diskless = cfg.getBool('repl-diskless-sync') && allEof;
    if (diskless) {
      const delayMs = cfg.getNumber('repl-diskless-sync-delay') * 1000;
      const max = cfg.getNumber('repl-diskless-sync-max-replicas');
      if (Date.now() - oldest < delayMs && !(max > 0 && waiting >= max)) return;
    }
    this.startFullSync(diskless);
  }

  private startFullSync(diskless: boolean): void {
    const s = this.server;
    // Replicas get a snapshot shared with those of the same rdb-filter-only.
    const first = this.replicas.find((r) => r.state === 'wait_bgsave_start');
    const filter = first !== undefined ? first.rdbFilter : 'all';
    const targets = this.replicas.filter((r) => r.state === 'wait_bgsave_start' && r.rdbFilter === filter);
    // Everything before the snapshot's point goes to the replicas already online.
    this.flush();
    if (this.masterHost === null) this.seldb = -1;
    const offset = s.masterReplOffset;
    const replid = this.replid;
    s.log.notice(`Starting BGSAVE for SYNC with target: ${diskless ? 'replicas sockets' : 'disk'}`);
    const job: FullSync = { targets, diskless, mark: diskless ? randomBytes(20).toString('hex') : '', snapshot: null, chunks: [], bytes: 0 };
    this.fullSync = job;
    for (const r of targets) {
      r.state = 'wait_bgsave_end';
      if (!r.preSync) r.writeNow(`+FULLRESYNC ${replid} ${offset}\r\n`);
      if (diskless) r.bulkPush(Buffer.from(`$EOF:${job.mark}\r\n`, 'latin1'));
    }
    // A replica's own replicas need the database its primary's stream is in.
    let streamDb = 0;
    if (this.masterHost !== null) streamDb = this.link?.client?.db.id ?? this.cached?.db ?? 0;
    const extraAux: Array<[string, string]> = [
      ['repl-stream-db', String(streamDb)],
      ['repl-id', replid],
      ['repl-offset', String(offset)],
    ];
    job.snapshot = produceSyncRdb(s, extraAux, (chunk) => this.onSnapshotChunk(job, chunk), (err, bytes) => this.onSnapshotDone(job, err, bytes), filter);
  }

  private onSnapshotChunk(job: FullSync, chunk: Buffer): boolean {
    if (!job.diskless) {
      job.chunks.push(chunk);
      job.bytes += chunk.length;
      return true;
    }
    let room = true;
    for (const r of job.targets) {
      if (r.state !== 'wait_bgsave_end') continue;
      r.bulkPush(chunk);
      if (!r.bulkHasRoom) room = false;
    }
    return room;
  }

  /** A replica's socket drained: a paused diskless snapshot may go on. */
  bulkDrained(): void {
    const job = this.fullSync;
    if (job === null || job.snapshot === null || !job.diskless) return;
    for (const r of job.targets) if (r.state === 'wait_bgsave_end' && !r.bulkHasRoom) return;
    job.snapshot.resume();
  }

  private onSnapshotDone(job: FullSync, err: Error | null, bytes: number): void {
    const s = this.server;
    if (this.fullSync === job) this.fullSync = null;
    const live = job.targets.filter((r) => r.state === 'wait_bgsave_end' && this.replicas.includes(r));
    if (err !== null) {
      s.log.warning(`SYNC failed. Snapshot for replication failed: ${err.message}`);
      for (const r of live) s.closeClient(r.c);
    } else if (job.diskless) {
      s.log.notice(`Background RDB transfer terminated with success (${bytes} bytes)`);
      const mark = Buffer.from(job.mark, 'latin1');
      for (const r of live) {
        r.bulkPush(mark);
        r.bulkEnd(() => this.bulkSent(r, true));
      }
    } else {
      s.log.notice('Background saving terminated with success');
      const header = Buffer.from(`$${job.bytes}\r\n`, 'latin1');
      for (const r of live) {
        r.state = 'send_bulk';
        r.bulkPush(header);
        for (const chunk of job.chunks) r.bulkPush(chunk);
        r.bulkEnd(() => this.bulkSent(r, false));
      }
    }
    job.chunks = [];
    // Replicas that arrived meanwhile get the next snapshot.
    setImmediate(() => this.startPendingSyncs());
  }

  /** The whole payload was handed to the replica's socket. */
  private bulkSent(r: ReplicaConn, diskless: boolean): void {
    if (!this.replicas.includes(r)) return;
    const log = this.server.log;
    if (r.rdbOnly) {
      log.notice(`Replica ${r.name()} is rdb-only: closing the connection after the transfer`);
      r.c.socket?.end();
      return;
    }
    r.state = 'online';
    r.ackTime = Date.now();
    if (diskless && !r.preSync) {
      r.streamOnAck = true;
      log.notice(`Streamed RDB transfer with replica ${r.name()} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`);
    } else {
      r.startStream();
    }
    log.notice(`Synchronization with replica ${r.name()} succeeded`);
    this.refreshGoodReplicas();
  }

  private onClientClosed(c: Client): void {
    if (this.link !== null && this.link.client === c) this.link.drop('Connection with master lost.');
    this.removeWaiter(c);
    if ((c.flags & CLIENT_REPLICA) === 0) return;
    const r = this.conns.get(c);
    if (r === undefined) return;
    const i = this.replicas.indexOf(r);
    if (i < 0) return;
    this.replicas.splice(i, 1);
    r.release();
    this.server.log.notice(`Connection with replica ${r.name()} lost.`);
    if (this.replicas.length === 0) this.noReplicasSince = Date.now();
    const job = this.fullSync;
    if (job !== null && job.snapshot !== null && !job.targets.some((t) => this.replicas.includes(t))) {
      // Nobody left to send the snapshot to.
      job.snapshot.abort('no replica left for the full synchronization');
    } else {
      // The one that left may have been the one holding a paused snapshot back.
      this.bulkDrained();
    }
    this.refreshGoodReplicas();
    this.failover.check();
  }

  /** Online replicas with an ACK within min-replicas-max-lag seconds. */
  refreshGoodReplicas(): void {
    let good = 0;
    const now = Date.now();
    const maxLagMs = this.minLag * 1000;
    for (const r of this.replicas) {
      if (r.state === 'online' && now - r.ackTime <= maxLagMs) good++;
    }
    this.goodReplicas = good;
  }

  // ---- checks before commands ---------------------------------------------------------------

  /** Removers of the registered phases (null while none are registered). */
  private phaseRemovers: Array<() => void> | null = null;

  /**
   * Registers the replication phases only while one of them can refuse anything
   * (a replica that is read-only or refuses stale reads, a primary with
   * min-replicas-to-write), so a plain primary pays nothing per command.
   */
  private updatePreExec(): void {
    const want = this.masterHost !== null ? this.readOnly || !this.serveStale : this.minReplicas > 0 && this.minLag > 0;
    if (want && this.phaseRemovers === null) {
      const ph = this.server.phases;
      // A script's writes pass the min-replicas and read-only checks too (until its first write).
      this.phaseRemovers = [ph.register('min-replicas', this.minReplicasPhase, { script: true }), ph.register('readonly', this.readonlyPhase, { script: true }), ph.register('stale', this.stalePhase)];
    } else if (!want && this.phaseRemovers !== null) {
      for (const remove of this.phaseRemovers) remove();
      this.phaseRemovers = null;
    }
  }

  /** NOREPLICAS on a primary short of good replicas. */
  private readonly minReplicasPhase = (c: Client, _spec: CommandSpec, _argv: string[], bits: number): string | null => {
    if ((c.flags & CLIENT_MASTER) !== 0 || this.masterHost !== null) return null;
    if (this.minReplicas > 0 && this.minLag > 0 && this.goodReplicas < this.minReplicas && (bits & CMD_WRITE) !== 0) return 'NOREPLICAS Not enough good replicas to write.';
    return null;
  };

  /** READONLY on a read-only replica (`bits`: EXEC's include its queued commands', so an EXEC of a write is a write). */
  private readonly readonlyPhase = (c: Client, _spec: CommandSpec, _argv: string[], bits: number): string | null => {
    if ((c.flags & CLIENT_MASTER) !== 0 || this.masterHost === null) return null;
    return this.readOnly && (bits & CMD_WRITE) !== 0 ? "READONLY You can't write against a read only replica." : null;
  };

  /** MASTERDOWN on a replica whose link is down under replica-serve-stale-data no. */
  private readonly stalePhase = (c: Client, spec: CommandSpec, _argv: string[], bits: number): string | null => {
    if ((c.flags & CLIENT_MASTER) !== 0 || this.masterHost === null) return null;
    if (!this.serveStale && this.linkState() !== 'connected' && denyStale(c, spec, bits)) return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    return null;
  };

  // ---- WAIT and WAITAOF ---------------------------------------------------------------------

  /** Offset of the client's last write (0 when it wrote nothing since the backlog exists). */
  clientWoff(c: Client): number {
    return this.woffs.get(c) ?? 0;
  }

  /** Online replicas that acknowledged `off` (with `aof`: fsynced it to their AOF). */
  countAcks(off: number, aof: boolean): number {
    let n = 0;
    for (const r of this.replicas) {
      if (r.state !== 'online') continue;
      if ((aof ? r.aofAckOffset : r.ackOffset) >= off) n++;
    }
    return n;
  }

  /** 1 when the local AOF fsynced `off`, else 0. */
  localAofAck(off: number): number {
    let st;
    try {
      st = aofStateOf(this.server);
    } catch {
      return 0;
    }
    return st.enabled && st.fsyncedReplOffset >= off ? 1 : 0;
  }

  /** Parks a WAIT/WAITAOF client until enough acknowledgements or the timeout. */
  block(c: Client, w: Omit<Waiter, 'c'>, timeoutMs: number): void {
    const waiter: Waiter = { c, ...w };
    this.waiters.push(waiter);
    this.server.blockClient(c, {
      keys: [],
      timeoutAt: timeoutMs > 0 ? Date.now() + timeoutMs : 0,
      type: null,
      onTimeout: 'custom',
      timeoutReply: this.waitReply,
    });
    if (w.numreplicas > 0) {
      this.getAckPending = true;
      if (!this.flushScheduled) this.scheduleFlush();
    }
    if (w.aof && w.numlocal > 0 && this.aofPoll === null) {
      this.aofPoll = setInterval(() => this.checkWaiters(), AOF_WAIT_POLL_MS);
      this.aofPoll.unref();
    }
  }

  /** The reply of an unblocked WAIT (acknowledging replicas) or WAITAOF ([local, replicas]). */
  private readonly waitReply = (c: Client): void => {
    const w = this.removeWaiter(c);
    if (w === null) {
      c.addInt(0);
      return;
    }
    this.writeWaitReply(c, w.aof, w.woff);
  };

  writeWaitReply(c: Client, aof: boolean, woff: number): void {
    if (!aof) {
      c.addInt(this.countAcks(woff, false));
      return;
    }
    c.addArrayLen(2);
    c.addInt(this.localAofAck(woff));
    c.addInt(this.countAcks(woff, true));
  }

  private removeWaiter(c: Client): Waiter | null {
    const ws = this.waiters;
    for (let i = 0; i < ws.length; i++) {
      if (ws[i].c === c) {
        const w = ws[i];
        ws.splice(i, 1);
        if (this.aofPoll !== null && !ws.some((x) => x.aof && x.numlocal > 0)) {
          clearInterval(this.aofPoll);
          this.aofPoll = null;
        }
        return w;
      }
    }
    return null;
  }

  /** Wakes the waiters whose conditions hold (after an ACK, or a local fsync). */
  checkWaiters(): void {
    if (this.waiters.length === 0) return;
    for (const w of [...this.waiters]) {
      if (this.countAcks(w.woff, w.aof) < w.numreplicas) continue;
      if (w.aof && this.localAofAck(w.woff) < w.numlocal) continue;
      this.server.unblockByRequest(w.c, false);
    }
  }

  /** Asks the replicas for an ACK at the next flush (FAILOVER). */
  requestAcks(): void {
    this.getAckPending = true;
    if (!this.flushScheduled) this.scheduleFlush();
  }

  // ---- cron ---------------------------------------------------------------------------------

  private cron(): void {
    this.startPendingSyncs();
    this.failover.check();
    if (this.getAckPending && !this.flushScheduled) this.scheduleFlush();
    const now = Date.now();
    if (now - this.lastCron < REPL_CRON_MS) return;
    this.lastCron = now;
    this.cronLoops++;
    this.replicationCron(now);
  }

  /** Redis's replicationCron, once per second. */
  private replicationCron(now: number): void {
    const s = this.server;
    const cfg = s.config;
    const timeoutMs = cfg.getNumber('repl-timeout') * 1000;
    // Replica side: connect, time out, acknowledge.
    if (this.masterHost !== null) {
      if (this.link === null) {
        s.log.notice(`Connecting to MASTER ${this.masterHost}:${this.masterPort}`);
        this.connect(this.failover.state === 'failover-in-progress');
      } else {
        this.link.cron(now, timeoutMs);
        if (this.link !== null && this.link.state === 'connected') this.link.sendAck();
      }
    }
    // Primary side: PING the replicas (not while clients are paused: it would move
    // the offset a FAILOVER waits for), keep waiting ones alive, drop silent ones.
    const paused = s.pause !== null && s.pause.until > now;
    const period = Math.max(1, cfg.getNumber('repl-ping-replica-period'));
    if (this.masterHost === null && this.replicas.length > 0 && this.cronLoops % period === 0 && !paused) {
      this.feedControl(['PING']);
      this.flush();
    }
    for (const r of [...this.replicas]) {
      if (r.state === 'wait_bgsave_start' || (r.state === 'wait_bgsave_end' && !this.fullSync?.diskless)) {
        r.writeNow('\n');
      } else if (r.state === 'online' && !r.preSync && now - r.ackTime > timeoutMs) {
        s.log.warning(`Disconnecting timedout replica (streaming sync): ${r.name()}`);
        s.closeClient(r.c);
        continue;
      }
      if (r.bulkStalledSince !== 0 && now - r.bulkStalledSince > timeoutMs) {
        // It stopped reading its snapshot (and holds back the others sharing it).
        s.log.warning(`Disconnecting timedout replica (full sync): ${r.name()}`);
        s.closeClient(r.c);
      }
    }
    // The backlog of a primary without replicas goes after repl-backlog-ttl (not
    // while the AOF needs the offset for WAITAOF).
    const ttl = cfg.getNumber('repl-backlog-ttl');
    if (
      this.masterHost === null &&
      this.backlog !== null &&
      this.replicas.length === 0 &&
      ttl > 0 &&
      now - this.noReplicasSince > ttl * 1000 &&
      !cfg.getBool('appendonly')
    ) {
      // A new id: the history cannot be continued any more.
      this.changeReplicationId();
      this.clearReplicationId2();
      this.freeBacklog();
      s.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
    this.refreshGoodReplicas();
  }

  private shutdown(): void {
    // Push what is pending to the replicas before the sockets close.
    this.flush();
    if (this.link !== null) this.link.drop('');
    if (this.aofPoll !== null) clearInterval(this.aofPoll);
  }

  // ---- INFO and ROLE ------------------------------------------------------------------------

  /** INFO replication, field by field as Redis 7.2 writes it. */
  info(): string {
    const s = this.server;
    const now = Date.now();
    const sec = (ms: number): number => Math.floor(ms / 1000);
    let out = '';
    if (this.masterHost === null) {
      out += 'role:master\r\n';
    } else {
      const link = this.link;
      const up = link !== null && link.state === 'connected';
      let reploff = 1;
      let readoff = 1;
      if (link !== null && link.client !== null) {
        reploff = link.reploff;
        readoff = link.readReploff;
      } else if (this.cached !== null) {
        reploff = readoff = this.cached.offset;
      }
      out +=
        'role:slave\r\n' +
        `master_host:${this.masterHost}\r\n` +
        `master_port:${this.masterPort}\r\n` +
        `master_link_status:${up ? 'up' : 'down'}\r\n` +
        `master_last_io_seconds_ago:${link !== null && link.client !== null ? sec(now) - sec(link.lastIo) : -1}\r\n` +
        `master_sync_in_progress:${link !== null && link.state === 'transfer' ? 1 : 0}\r\n` +
        `slave_read_repl_offset:${readoff}\r\n` +
        `slave_repl_offset:${reploff}\r\n`;
      if (link !== null && link.state === 'transfer') {
        const t = link.transferInfo();
        const perc = t.size !== 0 ? (t.read / t.size) * 100 : 0;
        out +=
          `master_sync_total_bytes:${t.size}\r\n` +
          `master_sync_read_bytes:${t.read}\r\n` +
          `master_sync_left_bytes:${t.size - t.read}\r\n` +
          `master_sync_perc:${perc.toFixed(2)}\r\n` +
          `master_sync_last_io_seconds_ago:${sec(now) - sec(link.lastIo)}\r\n`;
      }
      if (!up) out += `master_link_down_since_seconds:${this.replDownSince ? sec(now) - sec(this.replDownSince) : -1}\r\n`;
      const cfg = s.config;
      out +=
        `slave_priority:${cfg.getNumber('replica-priority')}\r\n` +
        `slave_read_only:${cfg.getBool('replica-read-only') ? 1 : 0}\r\n` +
        `replica_announced:${cfg.getBool('replica-announced') ? 1 : 0}\r\n`;
    }
    out += `connected_slaves:${this.replicas.length}\r\n`;
    if (this.minReplicas > 0 && this.minLag > 0) out += `min_slaves_good_slaves:${this.goodReplicas}\r\n`;
    let i = 0;
    for (const r of this.replicas) {
      const state = r.state === 'wait_bgsave_start' || r.state === 'wait_bgsave_end' ? 'wait_bgsave' : r.state;
      const lag = r.state === 'online' ? sec(now) - sec(r.ackTime) : 0;
      out += `slave${i++}:ip=${r.ip()},port=${r.listeningPort},state=${state},offset=${r.ackOffset},lag=${lag}\r\n`;
    }
    const b = this.backlog;
    out +=
      `master_failover_state:${this.failover.state}\r\n` +
      `master_replid:${this.replid}\r\n` +
      `master_replid2:${this.replid2}\r\n` +
      `master_repl_offset:${s.masterReplOffset}\r\n` +
      `second_repl_offset:${this.secondReplOffset}\r\n` +
      `repl_backlog_active:${b !== null ? 1 : 0}\r\n` +
      `repl_backlog_size:${s.config.getNumber('repl-backlog-size')}\r\n` +
      `repl_backlog_first_byte_offset:${b !== null ? b.offset : 0}\r\n` +
      `repl_backlog_histlen:${b !== null ? b.histlen : 0}\r\n`;
    return out;
  }

  /** ROLE. */
  role(c: Client): void {
    if (this.masterHost === null) {
      c.addArrayLen(3);
      c.addBulk('master');
      c.addInt(this.server.masterReplOffset);
      const online = this.replicas.filter((r) => r.state === 'online');
      c.addArrayLen(online.length);
      for (const r of online) {
        c.addArrayLen(3);
        c.addBulk(r.ip());
        c.addBulk(String(r.listeningPort));
        c.addBulk(String(r.ackOffset));
      }
      return;
    }
    const link = this.link;
    c.addArrayLen(5);
    c.addBulk('slave');
    c.addBulk(this.masterHost);
    c.addInt(this.masterPort);
    c.addBulk(link === null ? 'connect' : link.state === 'transfer' ? 'sync' : link.state);
    c.addInt(link !== null && link.client !== null ? link.reploff : -1);
  }
}

/** A command that is not `stale`, or an EXEC with one such command queued (Redis's is_denystale_command). */
function denyStale(c: Client, spec: CommandSpec, bits: number): boolean {
  if ((bits & CMD_STALE) === 0) return true;
  return spec.name === 'exec' && c.multi !== null && (c.multi.cmdInvFlags & CMD_STALE) !== 0;
}

/**
 * Produces the RDB of a full synchronization: the fork-less snapshot of
 * persistence/snapshot.ts with the replication aux fields. `onChunk` returns false
 * to pause the snapshot until resume().
 */
export function produceSyncRdb(
  server: Server,
  extraAux: Array<[string, string]>,
  onChunk: (chunk: Buffer) => boolean,
  onDone: (err: Error | null, bytes: number) => void,
  filter: 'all' | 'functions' | 'none' = 'all',
): Snapshot {
  return startSnapshot(server, { extraAux, write: onChunk, onDone, noKeys: filter !== 'all', noFunctions: filter === 'none' });
}
