// The server: listeners, connections, the dispatcher (lookup, arity, auth, MULTI
// queueing, pub/sub context, pause, pre-execution checks), the call path with its
// propagation, statistics and slow log, blocking and waking of clients, WATCH,
// keyspace notifications, and the cron.
//
// Data flows one way: bytes -> RequestParser -> processCommand -> call -> handler
// -> replies appended to the client -> one socket write per client per batch, and
// every dataset change leaves through propagate() as a command array.

import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Config } from '../config/config.js';
import { Logger } from './log.js';
import { Keyspace, type Database } from '../keyspace/keyspace.js';
import {
  CommandTable,
  findSubcommand,
  getKeyPositions,
  specBits,
  specId,
  CMD_ADMIN,
  CMD_DENYOOM,
  CMD_MAY_REPLICATE,
  CMD_NO_AUTH,
  CMD_NO_MULTI,
  CMD_SKIP_MONITOR,
  CMD_SKIP_SLOWLOG,
  CMD_WRITE,
  type CommandSpec,
} from '../commands/table.js';
import { ProtocolError } from '../protocol/parser.js';
import {
  Client,
  CLIENT_BLOCKED,
  CLIENT_CLOSE_AFTER_REPLY,
  CLIENT_CLOSE_ASAP,
  CLIENT_DIRTY_EXEC,
  CLIENT_MASTER,
  CLIENT_MONITOR,
  CLIENT_MULTI,
  CLIENT_REPLICA,
  CLIENT_REPLY_SKIP,
  CLIENT_REPLY_SKIP_NEXT,
  CLIENT_NO_EVICT,
  CLIENT_TRACKING,
  CLIENT_TRACKING_BCAST,
  CLIENT_TRACKING_CACHING,
  type BlockState,
} from './client.js';
import { PubSub, writePush } from '../commands/pubsub-registry.js';
import {
  NOTIFY_EXPIRED,
  NOTIFY_GENERIC,
  NOTIFY_KEY_MISS,
  NOTIFY_KEYEVENT,
  NOTIFY_KEYSPACE,
  NOTIFY_NEW,
  parseNotifyFlags,
} from '../keyspace/notify.js';
import type { CommandStats, DebugHandler, ServerContext, ShutdownOptions, SlowlogEntry } from '../commands/context.js';
export type { CommandStats, ShutdownOptions, SlowlogEntry } from '../commands/context.js';
import { genInfo, memoryFigures, changeReplicationId, countMemoryOverheads, clientMemory, type MemoryFigures } from './info.js';
import { evictor, memoryTracker, type MemoryOverheads } from '../keyspace/eviction.js';
import { defaultEncodingLimits, readEncodingLimits, type EncodingLimits } from '../types/encoding.js';
import { ALL_COMMANDS } from '../commands/index.js';
import { clientInfoLine } from '../commands/client-command.js';
import { DEBUG_DENIED, debugAllowed, moduleAllowed } from '../commands/config-command.js';
import { MODULE_DENIED, isModuleLoadOrUnload } from '../commands/modules.js';
import { LatencyEvents, LatencyHistogram } from '../types/latency.js';
import { abortExec } from '../commands/transactions.js';
import { Phases, PhaseSwitch, isPlainClient, runPhases, TAKEN } from './phases.js';
import { Networking } from './networking.js';
import { TlsState } from './tls.js';
import { Propagation, PROPAGATE_REPL_ONLY, type PropagationListener } from './propagation.js';
import { WatchedKeys } from './watch.js';
import { Tracking } from './tracking.js';
import { ShutdownCoordinator } from './shutdown.js';
import { Blocking } from './blocking.js';
import { ActiveExpire } from '../keyspace/active-expire.js';

export { VERSION, CINNABAR_VERSION } from '../util/version.js';
export { reprString } from '../util/format.js';
import { reprString } from '../util/format.js';

export { PROPAGATE_REPL_ONLY, type PropagationListener } from './propagation.js';

/**
 * Command statistics by full name (INFO commandstats), with a per-spec index so
 * the call path finds a command's entry without hashing its name. clear()
 * (CONFIG RESETSTAT) drops the index too.
 */
export class CommandStatsMap extends Map<string, CommandStats> {
  /** Entry of each spec, by specId. */
  byId: Array<CommandStats | undefined> = [];

  override clear(): void {
    super.clear();
    this.byId = [];
  }

  override delete(name: string): boolean {
    this.byId = [];
    return super.delete(name);
  }
}

const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";
/** Seconds over which INFO's client_recent_max_* buffers are the peak (Redis's CLIENTS_PEAK_MEM_USAGE_SLOTS). */
const CLIENTS_PEAK_SLOTS = 8;
/** A queued command's memory besides its argument bytes (its queue entry and argv array), and per argument. */
const QUEUED_CMD_BYTES = 64;
const QUEUED_ARG_BYTES = 24;

/** Commands that run (not queue) while a client is in MULTI. */
const MULTI_PASSTHROUGH = ['exec', 'discard', 'multi', 'watch', 'quit', 'reset'];
/** Commands that under OOM are not refused inside MULTI (Redis 7.2's processCommand): every other one is, as queueing may use any memory. */
const MULTI_OOM_EXEMPT = ['exec', 'discard', 'quit', 'reset'];
/**
 * Commands that touch arbitrary keys (Redis 7.2's CMD_TOUCHES_ARBITRARY_KEYS): run
 * directly, the keys they find expired propagate as plain DELs, never wrapped in
 * MULTI/EXEC (as after the active expire cycle). Inside EXEC they are wrapped as usual.
 */
const TOUCHES_ARBITRARY_KEYS = ['scan', 'randomkey'];
/**
 * The bits of the queued commands EXEC is checked with (Redis's is_write_command,
 * is_denyoom_command, is_may_replicate_command for EXEC): OOM, MISCONF,
 * NOREPLICAS, READONLY and CLIENT PAUSE WRITE see an EXEC of a write as a write.
 */
const EXEC_INHERITED = CMD_WRITE | CMD_DENYOOM | CMD_MAY_REPLICATE;
/** Commands allowed in the RESP2 pub/sub context. */
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

export class Server implements ServerContext {
  readonly config: Config;
  readonly log: Logger;
  readonly ks: Keyspace;
  readonly commands = new CommandTable();
  readonly pubsub = new PubSub();
  readonly clients = new Map<number, Client>();
  readonly runId = randomBytes(20).toString('hex');
  readonly startTime = Date.now();
  /** Unix time (s) of the last successful save (LASTSAVE, INFO rdb_last_save_time); the start time until persistence saves. */
  lastSaveTime = Math.floor(Date.now() / 1000);
  /** Full names of subcommands ("config|get") for command statistics. */
  readonly cmdFullNames = new Map<CommandSpec, string>();
  private nextClientId = 1;
  /** A fresh client id, for clients the server does not accept itself (the replication link to a primary). */
  newClientId(): number {
    return this.nextClientId++;
  }
  /**
   * Called with the client after a top-level command whose execution unit was
   * propagated (replication records the client's write offset for WAIT here).
   * Null when nobody needs it.
   */
  afterPropagateHook: ((c: Client) => void) | null = null;
  /** Changes since the last save (Redis's server.dirty). */
  dirty = 0;
  /**
   * Replication offset (INFO master_repl_offset): bytes of the replication stream
   * produced so far. Advanced by the replication subsystem for every propagated
   * command; the AOF records the value its last fsync covered (WAITAOF).
   */
  masterReplOffset = 0;
  /**
   * Nesting of call(): 0 at the top level. An execution unit ends (its propagation
   * is emitted, blocked clients are served) when the outermost call returns.
   */
  callDepth = 0;
  /** Listeners, connections, reading and writing (networking.ts). */
  private readonly net: Networking;
  /** The dataset changes of the current execution unit and their subscribers (propagation.ts). */
  private readonly prop = new Propagation();
  /** WATCHed keys (watch.ts). */
  private readonly watches: WatchedKeys;
  /** CLIENT TRACKING (tracking.ts). */
  readonly tracking: Tracking = new Tracking({
    clients: this.clients,
    markPending: (c) => this.net.markPending(c as Client),
    getNumber: (name) => this.config.getNumber(name),
    flush: () => this.flushPending(),
  });
  /** Blocked clients and keys made ready (blocking.ts). */
  private readonly blocking: Blocking;
  /** Clients waiting for CLIENT PAUSE to end, with the command they sent. */
  private postponed: Array<{ c: Client; argv: string[] }> = [];
  pause: { until: number; all: boolean } | null = null;
  /**
   * Holds on writes taken by commands that wait on another server with keys they
   * read (MIGRATE, holdWrites): while one is taken, write commands are postponed
   * as under CLIENT PAUSE WRITE, and CLIENT UNPAUSE does not release them.
   */
  private writeHolds = 0;
  private pauseTimer: NodeJS.Timeout | null = null;
  monitors = new Set<Client>();
  /** The checks before execution, in Redis's order (see phases.ts). */
  readonly phases = new Phases();
  /** This table's EXEC (undefined in a table without it): the dispatcher checks it with its queue's flags. */
  private readonly execSpec: CommandSpec | undefined;
  /** Specs (not names: SLOWLOG RESET is not RESET) that run rather than queue inside MULTI. */
  private readonly multiPassthrough: Set<CommandSpec>;
  /** Specs not refused inside MULTI under OOM. */
  private readonly multiOomExempt: Set<CommandSpec>;
  /** Specs whose propagation, run directly, is never wrapped in MULTI/EXEC. */
  private readonly touchesArbitraryKeys: Set<CommandSpec>;
  readonly cronHooks: Array<() => void> = [];
  /** Run once listen() has opened the listeners (the port asked as 0 is known then). */
  readonly listenHooks: Array<() => void> = [];
  /** Run by close(): subsystems drop the connections they opened (MIGRATE's cached sockets). */
  readonly closeHooks: Array<() => void> = [];
  readonly shutdownHooks: Array<(opts: ShutdownOptions) => void> = [];
  /** SHUTDOWN's wait for lagging replicas, SHUTDOWN ABORT and the signals (shutdown.ts). */
  readonly shutdownCtl: ShutdownCoordinator = new ShutdownCoordinator(this);
  /**
   * Asked before pending replies are written; a hook returning false holds them
   * (it must call flushPending again later). The AOF uses it so that the commands
   * of a turn reach the file (and, with appendfsync always, the disk) before
   * their replies reach the clients.
   */
  readonly beforeFlushHooks: Array<() => boolean> = [];
  slowlog: SlowlogEntry[] = [];
  /** stats.errorReplies when the last call() began or ended (Redis's prev_err_count). */
  private errorsCounted = 0;
  slowlogNextId = 0;
  readonly cmdStats = new CommandStatsMap();
  readonly errorStats = new Map<string, number>();
  readonly stats = {
    connectionsReceived: 0,
    commandsProcessed: 0,
    netInput: 0,
    netOutput: 0,
    rejectedConnections: 0,
    errorReplies: 0,
    unexpectedErrorReplies: 0,
    totalReads: 0,
    totalWrites: 0,
    pubsubMessages: 0,
    keyspaceNotifications: 0,
    queryBufferLimitDisconnections: 0,
    outputBufferLimitDisconnections: 0,
    evictedClients: 0,
    totalBlockingKeys: 0,
    instantaneousOps: 0,
    instantaneousInputKbps: 0,
    instantaneousOutputKbps: 0,
  };
  private opsSamples: number[] = [];
  /**
   * The biggest client input and output buffers seen in each of the last
   * CLIENTS_PEAK_SLOTS seconds (Redis's ClientsPeakMemInput/Output), for INFO's
   * client_recent_max_input_buffer / client_recent_max_output_buffer.
   */
  readonly clientsPeakIn = new Array<number>(CLIENTS_PEAK_SLOTS).fill(0);
  readonly clientsPeakOut = new Array<number>(CLIENTS_PEAK_SLOTS).fill(0);
  private lastSample = { time: Date.now(), ops: 0, netIn: 0, netOut: 0 };
  notifyFlags = 0;
  private cronTimer: NodeJS.Timeout | null = null;
  private cronLoops = 0;
  shuttingDown = false;
  /** Evicts keys until under maxmemory; returns false when it cannot (installed by keyspace/eviction). */
  performEvictions: () => boolean = () => true;
  /** Bytes of memory in use as INFO reports it (replaced by keyspace/eviction's accounted figure). */
  usedMemory: () => number = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };

  /** Counts client buffers and the replication backlog for the memory accounting (O(clients)). */
  countMemoryOverheads(into: MemoryOverheads): void {
    countMemoryOverheads(this, into);
  }
  /** Server mode as HELLO and INFO report it. */
  mode: 'standalone' | 'cluster' | 'sentinel' = 'standalone';
  role: 'master' | 'replica' = 'master';
  authFailures = 0;
  /** ACL denials by reason (INFO acl_access_denied_cmd/key/channel), counted by the ACL (src/acl). */
  readonly aclDenied = { cmd: 0, key: 0, channel: 0 };
  /** Run on RESET for each subsystem's per-client state. */
  readonly resetHooks: Array<(c: Client) => void> = [];
  /** DEBUG subcommands subsystems add (DEBUG RELOAD, CHANGE-REPL-ID...), by lower-case name. */
  readonly debugSubcommands = new Map<string, DebugHandler>();
  /** Run by FLUSHALL once the databases are empty (persistence saves, the evictor forgets). */
  readonly flushAllHooks: Array<() => void> = [];
  /** Run by CONFIG RESETSTAT. */
  readonly resetStatHooks: Array<() => void> = [];

  info(sections: string[]): string {
    return genInfo(this, sections);
  }

  memoryFigures(): MemoryFigures {
    return memoryFigures(this);
  }

  resetEvictionPool(): void {
    evictor(this)?.reset();
  }

  dropMulti(c: Client): void {
    const m = c.multi;
    if (m === null) return;
    c.multi = null;
    const t = memoryTracker(this);
    t.queued = Math.max(0, t.queued - m.bytes);
  }

  changeReplicationId(): void {
    changeReplicationId(this);
  }
  /** Port actually listened on (differs from config when port 0 was asked). */
  port = 0;
  /** TLS port actually listened on (0: none), and the TLS contexts (server/tls.ts). */
  tlsPort = 0;
  readonly tls = new TlsState();
  /** Address of the unix socket actually listened on. */
  unixPath = '';
  /** Called when the server exits (the CLI installs process.exit). */
  exit: (code: number) => void = () => {};

  /** `commands`: the command table to serve (sentinel mode passes its own, smaller one). */
  constructor(config: Config, log: Logger = new Logger(), commands: readonly CommandSpec[] = ALL_COMMANDS) {
    this.config = config;
    this.log = log;
    const ndb = config.getNumber('databases');
    this.ks = new Keyspace(ndb, {
      expired: (db, key) => this.onExpired(db, key),
      added: (db, key) => this.blocking.keyAdded(db, key),
    });
    this.net = new Networking(this);
    this.watches = new WatchedKeys(ndb);
    this.blocking = new Blocking(this, ndb);
    this.commands.register(commands);
    this.execSpec = this.commands.lookup('exec');
    this.multiPassthrough = topLevelSpecs(this.commands, MULTI_PASSTHROUGH);
    this.multiOomExempt = topLevelSpecs(this.commands, MULTI_OOM_EXEMPT);
    this.touchesArbitraryKeys = topLevelSpecs(this.commands, TOUCHES_ARBITRARY_KEYS);
    for (const spec of this.commands.all()) for (const sub of spec.subcommands ?? []) this.cmdFullNames.set(sub, `${spec.name}|${sub.name}`);
    this.applyConfig();
    config.onChange((name) => this.onConfigChange(name));
    this.registerBuiltinPhases();
  }

  // ---- configuration ----------------------------------------------------------------------

  private applyConfig(): void {
    this.notifyFlags = parseNotifyFlags(this.config.getString('notify-keyspace-events'));
    const policy = this.config.getString('maxmemory-policy');
    this.ks.lfu = policy.endsWith('-lfu');
    this.ks.lfuLogFactor = this.config.getNumber('lfu-log-factor');
    this.ks.lfuDecayTime = this.config.getNumber('lfu-decay-time');
    this.log.level = this.config.getString('loglevel') as Logger['level'];
    this.maxmemory = this.config.getNumber('maxmemory');
    this.oomPhase?.set(this.maxmemory > 0);
    this.slowlogThreshold = this.config.getNumber('slowlog-log-slower-than');
    this.latencyTracking = this.config.getBool('latency-tracking');
    this.latencyThresholdMs = this.config.getNumber('latency-monitor-threshold');
    this.queryBufferLimit = this.config.getNumber('client-query-buffer-limit');
    this.obufCheckFrom = smallestObufLimit(this.config.getList('client-output-buffer-limit'));
    readEncodingLimits(this.config, this.encodingLimits);
  }

  /**
   * Unix time in ms = performance.now() + clockOffset. A command reads the
   * monotonic clock once, for its time (the keyspace's `now`) and for the start
   * of its duration, instead of Date.now() plus performance.now(). The cron
   * re-synchronises the offset when the wall clock is stepped.
   */
  private clockOffset = performance.timeOrigin;

  private syncClock(): void {
    const wall = Date.now();
    const derived = performance.now() + this.clockOffset;
    // Date.now() truncates: in sync, derived is within [wall, wall + 1).
    if (derived < wall - 1 || derived > wall + 2) this.clockOffset = wall + 0.5 - performance.now();
  }

  /** Hot-path copies of configuration values, refreshed on every change. */
  maxmemory = 0;
  slowlogThreshold = 10000;
  /** latency-tracking: per-command latency histograms (INFO latencystats, LATENCY HISTOGRAM). */
  latencyTracking = true;
  /** latency-monitor-threshold in ms (0: the latency monitor is off). */
  latencyThresholdMs = 0;
  /** The latency monitor's events (LATENCY LATEST/HISTORY/GRAPH/DOCTOR/RESET). */
  readonly latency = new LatencyEvents();

  /** latencyAddSampleIfNeeded: records `ms` for `event` when the monitor is on and `ms` reaches its threshold. */
  latencySample(event: string, ms: number): void {
    const th = this.latencyThresholdMs;
    if (th > 0 && ms >= th) this.latency.add(event, Math.floor(ms), Math.floor(Date.now() / 1000));
  }
  queryBufferLimit = 1024 * 1024 * 1024;
  /** Pending output from which a batch of commands checks client-output-buffer-limit: the smallest limit set. */
  obufCheckFrom = Infinity;
  /** This server's *-max-listpack-* / set-max-intset-entries, for the encoding rules of types/encoding.ts. */
  readonly encodingLimits: EncodingLimits = defaultEncodingLimits();

  private onConfigChange(name: string): void {
    this.applyConfig();
    if (name === 'proto-max-bulk-len') {
      for (const c of this.clients.values()) c.parser.limits.protoMaxBulkLen = this.config.getNumber(name);
    }
    if (name === 'hz' && this.cronTimer) this.startCron();
  }

  requiresAuth(): boolean {
    return this.config.getString('requirepass') !== '';
  }

  /** AUTH <password> is refused when the default user needs no password (the ACL replaces this). */
  defaultUserNopass(): boolean {
    return this.config.getString('requirepass') === '';
  }

  /**
   * Checks a username/password pair; on success the client is that user's (the ACL
   * replaces this; without it only the default user exists, with requirepass).
   */
  authenticate(_c: Client, user: string, pass: string): boolean {
    if (user !== 'default') return false;
    const required = this.config.getString('requirepass');
    return required === '' || pass === required;
  }

  /** Without the ACL every command is allowed (src/acl replaces these). */
  aclScriptCheck(_c: Client, _spec: CommandSpec, _argv: string[], _bits: number): string | null {
    return null;
  }

  aclAllows(_c: Client, _spec: CommandSpec, _argv: string[], _bits: number): boolean {
    return true;
  }

  // ---- listening and connections (networking.ts) ---------------------------------------

  /** CONFIG SET port / bind: re-opens the TCP listeners at once (networking.ts); false when a bind failed. */
  rebindTcp(port: number): boolean {
    return this.net.rebindTcp(port);
  }

  /** CONFIG SET tls-port: configures TLS if it was not, then re-opens the TLS listeners (Redis's applyTLSPort). */
  applyTlsPort(): string | null {
    if (!this.tls.configured && !this.tls.configure(this.config, this.log)) return 'Unable to update TLS configuration. Check server logs.';
    return this.net.rebindTls(this.config.getNumber('tls-port')) ? null : 'Unable to listen on this port. Check server logs.';
  }

  /** CONFIG SET of a tls-* context directive: rebuilds the contexts when TLS is in use (Redis's applyTlsCfg). */
  applyTlsConfig(): string | null {
    if (!TlsState.wanted(this.config)) return null;
    if (!this.tls.configure(this.config, this.log)) return 'Unable to update TLS configuration. Check server logs.';
    this.net.reloadTls();
    return null;
  }

  /** Opens the TCP listeners and the unix socket, then starts the cron. Resolves when all are listening. */
  async listen(): Promise<void> {
    if (TlsState.wanted(this.config) && !this.tls.configure(this.config, this.log)) throw new Error('Failed to configure TLS. Check logs for more info.');
    await this.net.listen();
    this.startCron();
    for (const h of this.listenHooks) h();
  }

  /**
   * Runs every complete command in the client's query buffer, unless it blocks or
   * pauses. The clock is read once per command: a command starts when the
   * previous one ended (see call), so its measured time includes parsing it.
   */
  processInputBuffer(c: Client): void {
    let t = performance.now();
    while ((c.flags & (CLIENT_BLOCKED | CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) === 0 && !this.isPostponed(c)) {
      let argv: string[] | null;
      try {
        argv = c.parser.next();
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.log.verbose(`Protocol error (${e.message}) from client: ${this.clientInfoLine(c)}`);
        c.addError('ERR ' + e.message);
        c.flags |= CLIENT_CLOSE_AFTER_REPLY;
        break;
      }
      if (argv === null) break;
      t = this.processCommand(c, argv, t);
      // As Redis checks at each reply it appends: a pipeline of large replies stops at
      // the limit instead of building every reply (past 512 MB a string cannot grow).
      if (c.out.length >= this.obufCheckFrom && this.checkOutputBufferLimits(c)) break;
    }
  }

  private isPostponed(c: Client): boolean {
    if (this.postponed.length === 0) return false;
    for (const p of this.postponed) if (p.c === c) return true;
    return false;
  }

  /** Schedules a client's pending output for the write at the end of this turn. */
  markPending(c: Client): void {
    this.net.markPending(c);
  }

  /** Writes every pending reply, one socket write per client, and enforces output limits. */
  flushPending(): void {
    this.net.flushPending();
  }

  /** Closes a client whose pending output passed its hard limit, or its soft limit for too long. */
  checkOutputBufferLimits(c: Client): boolean {
    return this.net.checkOutputBufferLimits(c);
  }


  /** Closes a connection at once, dropping pending output. */
  closeClient(c: Client): void {
    c.flags |= CLIENT_CLOSE_ASAP;
    if (c.socket) c.socket.destroy();
    this.freeClient(c);
  }

  /** Releases everything a client holds (called once the socket closes). */
  freeClient(c: Client): void {
    if (!this.clients.has(c.id)) return;
    this.clients.delete(c.id);
    if (c.flags & CLIENT_BLOCKED) this.unblockClient(c, false);
    this.unwatchAll(c);
    this.dropMulti(c);
    this.pubsub.removeClient(c);
    this.monitors.delete(c);
    this.tracking.clientGone(c);
    this.postponed = this.postponed.filter((p) => p.c !== c);
    for (const h of this.clientCloseHooks) h(c);
  }

  readonly clientCloseHooks: Array<(c: Client) => void> = [];

  /** One line of CLIENT LIST for a client (also used in log lines). */
  clientInfoLine(c: Client): string {
    return clientInfoLine(c);
  }

  // ---- dispatch --------------------------------------------------------------------------

  /**
   * Validates and runs one command: lookup, arity, authentication, MULTI queueing,
   * the RESP2 pub/sub context, CLIENT PAUSE, maxmemory, subsystem checks
   * (cluster routing, read-only replica...), then call(). `t`: performance.now()
   * at the start; returns the time it ended when it ran, `t` otherwise.
   */
  processCommand(c: Client, argv: string[], t = performance.now()): number {
    const now = Math.floor(t + this.clockOffset);
    c.lastInteraction = now;
    this.ks.now = now;
    let spec = this.commands.lookup(argv[0]);
    if (spec === undefined) {
      c.lastCmd = null; // CLIENT LIST says cmd=NULL, as Redis
      let args = '';
      for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${argv[i].slice(0, 128 - args.length)}' `;
      this.reject(c, `ERR unknown command '${argv[0].slice(0, 128)}', with args beginning with: ${args}`);
      return t;
    }
    c.lastCmd = spec;
    let isSub = false;
    if (spec.subcommands !== undefined && argv.length >= 2) {
      const sub = findSubcommand(spec, argv[1]);
      if (!sub) {
        c.lastCmd = null;
        this.reject(c, `ERR unknown subcommand '${argv[1].slice(0, 128)}'. Try ${spec.name.toUpperCase()} HELP.`);
        return t;
      }
      spec = sub;
      isSub = true;
    }
    const arity = spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      this.reject(c, `ERR wrong number of arguments for '${isSub ? `${argv[0].toLowerCase()}|${spec.name}` : spec.name}' command`, spec, argv);
      return t;
    }
    let bits = specBits(spec);
    if (spec.flagsOf !== undefined) bits = spec.flagsOf(argv, bits);
    // The phases see EXEC with the flags of the commands it will run (c.multi is
    // null outside MULTI, so EXEC without MULTI is just EXEC).
    if (spec === this.execSpec && c.multi !== null) bits |= c.multi.cmdFlags & EXEC_INHERITED;
    // Most commands come from a plain client, which skips the checks of a client's own
    // state (NOAUTH, MULTI, the RESP2 subscribed context): they could not refuse it.
    const phases = isPlainClient(c) ? this.phases.plain : this.phases.all;
    for (let i = 0; i < phases.length; i++) {
      const verdict = phases[i](c, spec, argv, bits);
      if (verdict === null) continue;
      if (verdict !== TAKEN) this.reject(c, verdict, spec, argv);
      return t;
    }
    const end = this.call(c, spec, argv, t);
    if (c.flags & CLIENT_REPLY_SKIP) c.flags &= ~CLIENT_REPLY_SKIP;
    if (c.flags & CLIENT_REPLY_SKIP_NEXT) {
      c.flags &= ~CLIENT_REPLY_SKIP_NEXT;
      c.flags |= CLIENT_REPLY_SKIP;
    }
    return end;
  }

  // ---- the server's own phases (see phases.ts for the order and the subsystems' ones) ----

  /** The OOM check, on while maxmemory is set. */
  private oomPhase: PhaseSwitch | undefined;
  /** The pause check, on while clients are paused. */
  private pausePhase!: PhaseSwitch;

  private registerBuiltinPhases(): void {
    const CLIENT_STATE = { client: true };
    const ph = this.phases;
    ph.register('protected', (c, spec) => (spec.name === 'debug' && this.commands.lookup('debug') === spec && !debugAllowed(c) ? DEBUG_DENIED : isModuleLoadOrUnload(spec) && !moduleAllowed(c) ? MODULE_DENIED : null));
    // As Redis's authRequired: a client that never authenticated may go on once the default user needs no password.
    ph.register('auth', (c, _spec, _argv, bits) => ((bits & CMD_NO_AUTH) === 0 && c.authRequired() ? 'NOAUTH Authentication required.' : null), CLIENT_STATE);
    ph.register('no-multi', (c, _spec, _argv, bits) => ((c.flags & CLIENT_MULTI) !== 0 && (bits & CMD_NO_MULTI) !== 0 ? 'ERR Command not allowed inside a transaction' : null), CLIENT_STATE);
    // Registered while maxmemory is set (applyConfig).
    this.oomPhase = new PhaseSwitch(ph, 'oom', (c, spec, _argv, bits) => {
      if (this.maxmemory <= 0 || (c.flags & CLIENT_MASTER) !== 0) return null;
      // Eviction is attempted before every command, as Redis's performEvictions is;
      // the verdict matters only to a denyoom command (EXEC: one queued command is
      // denyoom) and, inside MULTI, to every command but EXEC, DISCARD, QUIT and
      // RESET, since queueing may use any amount of memory.
      if (this.performEvictions()) return null;
      if ((bits & CMD_DENYOOM) !== 0) return OOM_ERROR;
      if ((c.flags & CLIENT_MULTI) !== 0 && !this.multiOomExempt.has(spec)) return OOM_ERROR;
      return null;
    });
    this.oomPhase.set(this.maxmemory > 0);
    ph.register('pubsub-context', (c, spec, argv) => {
      if (c.resp !== 2 || c.subscriptionCount === 0 || PUBSUB_ALLOWED.has(spec.name)) return null;
      const fullName = this.commands.lookup(argv[0]) === spec ? spec.name : `${argv[0].toLowerCase()}|${spec.name}`;
      return `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
    }, CLIENT_STATE);
    // Registered while a CLIENT PAUSE / FAILOVER pause holds (pauseClients, unpause).
    this.pausePhase = new PhaseSwitch(ph, 'pause', (c, _spec, argv, bits) => {
      if (!this.mustPause(c, bits)) return null;
      this.postponed.push({ c, argv });
      return TAKEN;
    });
    ph.register('multi-queue', (c, spec, argv, bits) => {
      if ((c.flags & CLIENT_MULTI) === 0 || this.multiPassthrough.has(spec)) return null;
      const m = c.multi!;
      m.queue.push({ spec, argv });
      // The queued arguments count in used_memory until EXEC or DISCARD (as Redis's multi-mem).
      let bytes = QUEUED_CMD_BYTES;
      for (let i = 0; i < argv.length; i++) bytes += argv[i].length + QUEUED_ARG_BYTES;
      m.bytes += bytes;
      memoryTracker(this).queued += bytes;
      m.cmdFlags |= bits;
      m.cmdInvFlags |= ~bits;
      c.addSimple('QUEUED');
      return TAKEN;
    }, CLIENT_STATE);
  }

  /**
   * Runs one command EXEC takes from its queue: the phases Redis repeats at
   * execution time (those registered with `exec`, such as ACL permissions), then
   * call(). A command a phase refuses gets its error in EXEC's reply array and the
   * transaction goes on, as in Redis.
   */
  callQueued(c: Client, spec: CommandSpec, argv: string[]): void {
    const verdict = runPhases(this.phases.exec, c, spec, argv, specBits(spec));
    if (verdict !== null) {
      if (verdict !== TAKEN) c.addError(verdict);
      return;
    }
    this.call(c, spec, argv);
  }

  /**
   * Rejects a command before execution: error reply, and in MULTI the transaction
   * is doomed. A rejected EXEC discards the transaction and answers EXECABORT with
   * the reason (Redis's rejectCommand and execCommandAbort), and MONITOR sees it.
   */
  private reject(c: Client, msg: string, spec?: CommandSpec, argv?: string[]): void {
    if (c.flags & CLIENT_MULTI) c.flags |= CLIENT_DIRTY_EXEC;
    if (spec) this.statsFor(spec).rejected++;
    if (spec !== undefined && spec === this.execSpec) {
      abortExec(c, msg);
      if (this.monitors.size > 0 && argv !== undefined) this.feedMonitors(c, argv);
      return;
    }
    c.addError(msg);
  }

  /** Whether CLIENT PAUSE holds this command back (`bits`: EXEC's include its queue's). */
  private mustPause(c: Client, bits: number): boolean {
    if (this.pause !== null && Date.now() >= this.pause.until) {
      this.unpause();
      if (this.writeHolds === 0) return false;
    }
    if (this.pause === null && this.writeHolds === 0) return false;
    if (c.flags & (CLIENT_REPLICA | CLIENT_MASTER)) return false;
    if (this.pause !== null && this.pause.all) return true;
    return (bits & (CMD_WRITE | CMD_MAY_REPLICATE)) !== 0;
  }

  /**
   * Postpones write commands (CLIENT PAUSE WRITE semantics: replicas and the
   * primary's stream go on, active expiry stops) until the returned release is
   * called; holds nest with each other and with CLIENT PAUSE. MIGRATE takes one
   * from its DUMP to its DEL, so that the keys it moves do not change meanwhile.
   */
  holdWrites(): () => void {
    this.writeHolds++;
    this.pausePhase.set(true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.writeHolds--;
      if (this.writeHolds === 0 && this.pause === null) this.unpause();
    };
  }

  /** Holds a command back until resumePostponed (the write pause of an atomic slot migration's switch). */
  postponeCommand(c: Client, argv: string[]): void {
    this.postponed.push({ c, argv });
  }

  /** Runs the held-back commands again, unless a CLIENT PAUSE or a hold still keeps them. */
  resumePostponed(): void {
    if (this.pause === null && this.writeHolds === 0) this.unpause();
  }

  /** True when some consumer (AOF, replicas, a slot migration) receives the propagated commands. */
  get propagating(): boolean {
    return this.prop.active;
  }

  /** Whether writes are held back now (CLIENT PAUSE, FAILOVER or a hold). */
  get writesPaused(): boolean {
    return this.writeHolds > 0 || (this.pause !== null && this.pause.until > Date.now());
  }

  pauseClients(ms: number, all: boolean): void {
    const until = Date.now() + ms;
    // A new pause extends but never shortens; ALL takes precedence over WRITE.
    if (this.pause) {
      this.pause = { until: Math.max(until, this.pause.until), all: all || this.pause.all };
    } else {
      this.pause = { until, all };
    }
    this.pausePhase.set(true);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.unpause(), Math.max(0, this.pause.until - Date.now()));
  }

  unpause(): void {
    this.pause = null;
    if (this.pauseTimer) {
      clearTimeout(this.pauseTimer);
      this.pauseTimer = null;
    }
    // A hold (MIGRATE in flight) keeps the postponed writes until it is released.
    if (this.writeHolds > 0) return;
    this.pausePhase.set(false);
    const list = this.postponed;
    this.postponed = [];
    for (const { c, argv } of list) {
      if (!this.clients.has(c.id)) continue;
      this.processCommand(c, argv);
      this.processInputBuffer(c);
    }
    this.flushPending();
  }

  /**
   * Executes a command: runs the handler, propagates the change if the dataset
   * changed, records statistics and the slow log, and after a top-level command
   * serves clients blocked on keys that became ready. `t0`: performance.now()
   * at the start, when the caller has just read it; returns performance.now()
   * at the end.
   */
  call(c: Client, spec: CommandSpec, argv: string[], t0 = performance.now()): number {
    const dirtyBefore = this.dirty;
    const prevCmd = c.cmd;
    const prevArgv = c.argv;
    c.cmd = spec;
    c.argv = argv;
    c.propArgv = null;
    c.preventProp = false;
    const tracking = this.tracking;
    const prevCurrent = tracking.current;
    if (this.callDepth === 0) tracking.current = c;
    this.callDepth++;
    const bits = specBits(spec);
    // A snapshot in progress saves the old values of the keys this write may change.
    if (this.ks.observers.length !== 0 && (bits & CMD_WRITE) !== 0) {
      const pos = getKeyPositions(spec, argv);
      for (let i = 0; i < pos.length; i++) c.db.beforeWrite(argv[pos[i]]);
    }
    this.errorsCounted = this.stats.errorReplies;
    try {
      spec.handler!(c, argv);
    } catch (e) {
      const err = e as Error;
      this.log.warning(`Internal error executing '${spec.name}': ${err.stack ?? err.message}`);
      c.addError(`ERR internal error executing '${spec.name}': ${err.message}`);
    }
    this.ks.settle();
    const t1 = performance.now();
    const durationUs = Math.round((t1 - t0) * 1000);
    this.callDepth--;
    if ((c.flags & CLIENT_TRACKING) !== 0) this.trackingAfterCall(c, spec, argv);
    tracking.current = prevCurrent;
    const dirty = this.dirty - dirtyBefore;
    // Nobody listening (no AOF, no replica): the queue would be dropped at the flush.
    if (dirty > 0 && !c.preventProp && this.prop.active) this.prop.push(c.db.id, c.propArgv ?? argv, 0);
    c.propArgv = null;
    c.preventProp = false;
    // What MONITOR and the slow log show: the arguments as the client sent them,
    // with those the handler redacted (AUTH's password) hidden.
    let shown = argv;
    if (c.redactedArgv !== null) {
      shown = c.redactedArgv;
      c.redactedArgv = null;
    }
    // As Redis 7.2, after execution: EXEC follows its commands, SELECT shows the new db,
    // and a served blocked command is not shown again when it runs once more.
    if (this.monitors.size > 0 && (bits & (CMD_ADMIN | CMD_SKIP_MONITOR)) === 0 && !this.blocking.isReprocessing(c)) this.feedMonitors(c, shown);
    const st = this.statsFor(spec);
    // A command that blocked on keys is counted when it ends: served (run again),
    // timed out or unblocked (countUnblocked), as Redis counts it once.
    if ((c.flags & CLIENT_BLOCKED) === 0 || c.blocked?.onTimeout === 'custom') {
      st.calls++;
      st.usec += durationUs;
      if (this.latencyTracking) (st.hist ??= new LatencyHistogram()).record(durationUs * 1000);
      if (this.latencyThresholdMs > 0 && durationUs >= this.latencyThresholdMs * 1000) this.latencySample(spec.flags.includes('fast') ? 'fast-command' : 'command', Math.floor(durationUs / 1000));
    }
    // As Redis's incrCommandStatsOnError: an error counts against the command whose
    // call() ended last, so EXEC fails only for its own errors, not its commands'.
    if (this.stats.errorReplies !== this.errorsCounted) st.failed++;
    this.errorsCounted = this.stats.errorReplies;
    this.stats.commandsProcessed++;
    c.commandsProcessed++;
    const threshold = this.slowlogThreshold;
    if (threshold >= 0 && durationUs >= threshold && (bits & CMD_SKIP_SLOWLOG) === 0 && (c.flags & CLIENT_BLOCKED) === 0) {
      this.slowlogPush(c, shown, durationUs);
    }
    c.lastCmd = spec;
    c.cmd = prevCmd;
    c.argv = prevArgv;
    if (this.callDepth === 0 && (this.prop.queue.length > 0 || this.blocking.pendingReady)) {
      this.afterCommand(!this.touchesArbitraryKeys.has(spec));
      if (this.afterPropagateHook !== null) this.afterPropagateHook(c);
      return performance.now();
    }
    return t1;
  }

  /**
   * A tracking client's command ended: remember the keys a read-only command read
   * (not in BCAST mode), drop CLIENT CACHING's one-command flag (kept by MULTI and
   * by CLIENT itself, as Redis's resetClient), and send the invalidations its own
   * writes caused after its reply.
   */
  private trackingAfterCall(c: Client, spec: CommandSpec, argv: string[]): void {
    if ((c.flags & CLIENT_TRACKING_BCAST) === 0 && spec.flags.includes('readonly')) this.tracking.rememberKeys(c, spec, argv);
    if (this.callDepth !== 0) return;
    if ((c.flags & CLIENT_TRACKING_CACHING) !== 0 && (c.flags & CLIENT_MULTI) === 0 && argv[0].toLowerCase() !== 'client') {
      c.flags &= ~CLIENT_TRACKING_CACHING;
    }
    this.tracking.afterCommand(c);
  }

  /** End of an execution unit: emit the propagated commands, then serve ready keys. */
  afterCommand(wrap = true): void {
    this.prop.flush(wrap);
    if (this.blocking.pendingReady) this.blocking.handleReadyKeys();
  }

  /**
   * A command blocked on keys ended without running again (timeout, CLIENT
   * UNBLOCK): its call, failed when it ended in an error, and its slow log entry,
   * as Redis 7.2's updateStatsOnUnblock (the time it ran before blocking is not
   * kept: the entry says 0 microseconds).
   */
  countUnblocked(c: Client, spec: CommandSpec, argv: string[], failed: boolean): void {
    const st = this.statsFor(spec);
    st.calls++;
    if (this.latencyTracking) (st.hist ??= new LatencyHistogram()).record(0);
    if (failed) st.failed++;
    if (this.slowlogThreshold === 0 && (specBits(spec) & CMD_SKIP_SLOWLOG) === 0) this.slowlogPush(c, argv, 0);
  }

  private statsFor(spec: CommandSpec): CommandStats {
    const byId = this.cmdStats.byId;
    const id = specId(spec);
    let s = byId[id];
    if (s === undefined) {
      s = this.statsByName(spec);
      byId[id] = s;
    }
    return s;
  }

  private statsByName(spec: CommandSpec): CommandStats {
    const name = spec.subcommands === undefined && this.cmdFullNames.size > 0 ? (this.cmdFullNames.get(spec) ?? spec.name) : spec.name;
    let s = this.cmdStats.get(name);
    if (!s) {
      s = { calls: 0, usec: 0, rejected: 0, failed: 0 };
      this.cmdStats.set(name, s);
    }
    return s;
  }

  /** Counts an error reply for INFO errorstats (the code is the first word). */
  countError(msg: string, _c: Client): void {
    this.stats.errorReplies++;
    const sp = msg.indexOf(' ');
    const code = sp > 0 ? msg.slice(0, sp) : msg;
    if (this.errorStats.size < 128 || this.errorStats.has(code)) this.errorStats.set(code, (this.errorStats.get(code) ?? 0) + 1);
  }

  /**
   * The slow-log entry of a command that waited without blocking the loop and
   * ended now (MIGRATE), with the time since it began, as Redis logs the command
   * it ran synchronously; `argv` as MONITOR showed it (passwords redacted).
   */
  slowlogAfterWait(c: Client, spec: CommandSpec, argv: string[], durationUs: number): void {
    const threshold = this.slowlogThreshold;
    if (threshold >= 0 && durationUs >= threshold && (specBits(spec) & CMD_SKIP_SLOWLOG) === 0) this.slowlogPush(c, argv, durationUs);
  }

  private slowlogPush(c: Client, argv: string[], durationUs: number): void {
    const max = this.config.getNumber('slowlog-max-len');
    if (max <= 0) return;
    const args: string[] = [];
    const n = Math.min(argv.length, 32);
    for (let i = 0; i < n; i++) {
      if (i === 31 && argv.length > 32) {
        args.push(`... (${argv.length - 31} more arguments)`);
        break;
      }
      const a = argv[i];
      args.push(a.length > 128 ? `${a.slice(0, 128)}... (${a.length - 128} more bytes)` : a);
    }
    this.slowlog.unshift({ id: this.slowlogNextId++, time: Math.floor(Date.now() / 1000), durationUs, argv: args, addr: c.addr, name: c.name });
    if (this.slowlog.length > max) this.slowlog.length = max;
  }

  private feedMonitors(c: Client, argv: string[]): void {
    const now = Date.now();
    const us = String(Math.floor((performance.timeOrigin * 1000 + performance.now() * 1000) % 1e6)).padStart(6, '0');
    let line = `+${Math.floor(now / 1000)}.${us} [${c.db.id} ${c.socket ? c.addr : 'lua'}]`;
    for (const a of argv) line += ' ' + reprString(a);
    for (const m of this.monitors) {
      if (m === c) continue;
      m.write(line + '\r\n');
    }
  }

  // ---- propagation (propagation.ts) -----------------------------------------------------

  /** Subscribes to every dataset change (AOF, replication, tests). */
  onPropagate(fn: PropagationListener): () => void {
    return this.prop.on(fn);
  }

  /** Queues a command for propagation in the current execution unit. */
  alsoPropagate(dbid: number, argv: string[], flags = 0): void {
    this.prop.push(dbid, argv, flags);
    if (this.callDepth === 0) this.prop.flush();
  }

  /** Emits the commands of the execution unit that just ended. */
  flushPropagation(): void {
    this.prop.flush();
  }

  /**
   * Cluster mode: PUBLISH and SPUBLISH go to the other nodes over the cluster bus
   * (replicas included) instead of the replication stream, as Redis does (set by
   * the cluster subsystem).
   */
  publishOverBus: ((argv: string[]) => void) | null = null;

  /** PUBLISH goes to replicas (so their subscribers hear it) but never to the AOF. */
  propagatePublish(argv: string[]): void {
    if (this.publishOverBus !== null) {
      this.publishOverBus(argv);
      return;
    }
    this.alsoPropagate(0, argv, PROPAGATE_REPL_ONLY);
  }

  private onExpired(db: Database, key: string): void {
    this.watches.expired(db, key);
    this.tracking.invalidateKey(null, key, true);
    const lazy = this.config.getBool('lazyfree-lazy-expire');
    this.prop.push(db.id, [lazy ? 'UNLINK' : 'DEL', key], 0);
    this.notifyKeyspaceEvent(NOTIFY_EXPIRED, 'expired', key, db.id);
    if (this.callDepth === 0) this.prop.flush();
  }

  // ---- WATCH (watch.ts) -------------------------------------------------------------------

  /** A key changed: clients WATCHing it will fail their EXEC. */
  signalModifiedKey(db: Database, key: string): void {
    if (this.blocking.noKeyWaiters !== 0) this.blocking.keyModified(db, key);
    this.watches.modified(db, key);
    this.tracking.invalidateKey(this.tracking.current, key, true);
    // The key's value may have changed in place: charged again when the command returns (keyspace.ts).
    this.ks.noteModified(db, key);
  }

  /** Every watched key of `db` that exists (or existed) is touched: FLUSHDB, SWAPDB. */
  touchAllWatchedKeysInDb(db: Database, other?: Database): void {
    this.watches.touchAll(db, other);
  }

  watch(c: Client, key: string): void {
    this.watches.watch(c, key);
  }

  unwatchAll(c: Client): void {
    this.watches.unwatchAll(c);
  }

  /** True when a watched key expired after WATCH (Redis 7 treats that as a modification). */
  watchedKeyExpired(c: Client): boolean {
    return this.watches.expiredSinceWatch(c);
  }

  get watchingClients(): number {
    let n = 0;
    for (const c of this.clients.values()) if (c.watched.length > 0) n++;
    return n;
  }

  get watchedKeysCount(): number {
    return this.watches.keyCount;
  }


  /** Publishes a keyspace/keyevent notification if its class is enabled. */
  notifyKeyspaceEvent(cls: number, event: string, key: string, dbid: number): void {
    const flags = this.notifyFlags;
    if ((flags & cls) === 0) return;
    this.stats.keyspaceNotifications++;
    if (flags & NOTIFY_KEYSPACE) this.pubsub.publish(`__keyspace@${dbid}__:${key}`, event);
    if (flags & NOTIFY_KEYEVENT) this.pubsub.publish(`__keyevent@${dbid}__:${event}`, key);
  }

  // ---- blocking (blocking.ts) -------------------------------------------------------------

  get blockedClients(): number {
    return this.blocking.blockedClients;
  }

  blockClient(c: Client, st: Omit<BlockState, 'db' | 'spec' | 'argv'> & { db?: Database }): void {
    this.blocking.block(c, st);
  }

  /** Removes a client from every blocking structure. */
  unblockClient(c: Client, served: boolean): void {
    this.blocking.unblock(c, served);
  }

  /** CLIENT UNBLOCK: ends a block with the timeout reply or an UNBLOCKED error. */
  unblockByRequest(c: Client, withError: boolean): boolean {
    return this.blocking.unblockByRequest(c, withError);
  }

  blockingKeyCount(): number {
    return this.blocking.blockingKeyCount();
  }

  /** A key that blocked clients wait on may be ready: signal it (used by commands that push to existing keys). */
  signalKeyAsReady(db: Database, key: string): void {
    this.blocking.keyAdded(db, key);
  }

  /** A database was emptied or swapped: clients blocked with unblockOnNoKey on its keys run again. */
  signalDbReplaced(db: Database): void {
    this.blocking.dbReplaced(db);
  }


  // ---- cron ------------------------------------------------------------------------------

  private startCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    const hz = Math.max(1, Math.min(500, this.config.getNumber('hz')));
    this.cronTimer = setInterval(() => this.cron(), Math.floor(1000 / hz));
    this.cronTimer.unref?.();
  }

  /** Periodic work: active expiry, idle clients, output limits, statistics, subsystem hooks. */
  private cron(): void {
    this.cronLoops++;
    this.syncClock();
    this.ks.now = Date.now();
    if (this.activeExpireEnabled && !this.writesPaused) {
      // A replica leaves expiry to its primary, except for the keys its own clients gave a TTL.
      if (!this.ks.isReplica) this.activeExpireCycle();
      else this.ks.expireReplicaKeys();
    }
    this.clientsCron();
    this.tracking.limitUsedSlots();
    this.sampleStats();
    // Shrink mostly emptied key tables, one database per run (Redis's tryResizeHashTables).
    const dbs = this.ks.dbs;
    dbs[this.cronLoops % dbs.length].dict.maybeShrink();
    for (const h of this.cronHooks) h();
    this.flushPending();
  }

  activeExpireEnabled = true;
  private readonly activeExpire = new ActiveExpire();

  /** Active expiry (keyspace/active-expire.ts), one cycle. */
  activeExpireCycle(): void {
    const expireStart = this.latencyThresholdMs > 0 ? performance.now() : 0;
    this.activeExpire.cycle(this.ks, this.config.getNumber('active-expire-effort'), this.config.getNumber('hz'));
    if (this.latencyThresholdMs > 0) this.latencySample('expire-cycle', Math.floor(performance.now() - expireStart));
  }


  private clientsCron(): void {
    const timeout = this.config.getNumber('timeout') * 1000;
    const now = Date.now();
    // This second's peak slot; the next one (the oldest) starts again from zero.
    const slot = Math.floor(now / 1000) % CLIENTS_PEAK_SLOTS;
    const zero = (slot + 1) % CLIENTS_PEAK_SLOTS;
    this.clientsPeakIn[zero] = 0;
    this.clientsPeakOut[zero] = 0;
    for (const c of this.clients.values()) {
      const inUse = c.parser.bufferedBytes + (c.cmd !== null ? c.argv.length * 8 : 0);
      if (inUse > this.clientsPeakIn[slot]) this.clientsPeakIn[slot] = inUse;
      const outUse = c.out.length + (c.socket ? c.socket.writableLength : 0);
      if (outUse > this.clientsPeakOut[slot]) this.clientsPeakOut[slot] = outUse;
      if (
        timeout > 0 &&
        (c.flags & (CLIENT_REPLICA | CLIENT_MASTER | CLIENT_BLOCKED | CLIENT_MONITOR)) === 0 &&
        c.subscriptionCount === 0 &&
        now - c.lastInteraction > timeout
      ) {
        this.log.verbose('Closing idle client');
        this.closeClient(c);
        continue;
      }
      if (c.socket && c.socket.writableLength > 0) this.checkOutputBufferLimits(c);
    }
    this.evictClients();
  }

  /** The limit maxmemory-clients sets (bytes, or a percentage of maxmemory), 0 when off. */
  private clientsMemoryLimit(): number {
    const raw = this.config.getString('maxmemory-clients');
    if (raw.endsWith('%')) return Math.floor((this.maxmemory * Number(raw.slice(0, -1))) / 100);
    const n = Number(raw);
    return Number.isFinite(n) && n > 0 ? n : 0;
  }

  /**
   * Client eviction (maxmemory-clients), as Redis 7's evictClients: while the memory
   * of the normal and pub/sub clients (not the primary link or replicas) is over the
   * limit, the biggest of them that is not CLIENT NO-EVICT is closed and counted in
   * evicted_clients. Run from the cron, so a client may be over for one cron period.
   * O(clients log clients) when over, O(clients) otherwise.
   */
  private evictClients(): void {
    const limit = this.clientsMemoryLimit();
    if (limit <= 0) return;
    let total = 0;
    const candidates: Array<{ c: Client; mem: number }> = [];
    for (const c of this.clients.values()) {
      if ((c.flags & (CLIENT_REPLICA | CLIENT_MASTER)) !== 0) continue;
      // NO-EVICT clients count toward the total but are never closed (as in Redis).
      const mem = clientMemory(c);
      total += mem;
      if (this.isEvictable(c)) candidates.push({ c, mem });
    }
    if (total <= limit) return;
    candidates.sort((a, b) => b.mem - a.mem);
    for (const { c, mem } of candidates) {
      if (total <= limit) break;
      this.log.verbose(`Evicting client: ${this.clientInfoLine(c)}`);
      this.closeClient(c);
      this.stats.evictedClients++;
      total -= mem;
    }
  }

  private sampleStats(): void {
    const now = Date.now();
    const dt = now - this.lastSample.time;
    if (dt < 100) return;
    const ops = ((this.stats.commandsProcessed - this.lastSample.ops) * 1000) / dt;
    this.opsSamples.push(ops);
    if (this.opsSamples.length > 16) this.opsSamples.shift();
    this.stats.instantaneousOps = Math.round(this.opsSamples.reduce((a, b) => a + b, 0) / this.opsSamples.length);
    this.stats.instantaneousInputKbps = ((this.stats.netInput - this.lastSample.netIn) * 1000) / dt / 1024;
    this.stats.instantaneousOutputKbps = ((this.stats.netOutput - this.lastSample.netOut) * 1000) / dt / 1024;
    this.lastSample = { time: now, ops: this.stats.commandsProcessed, netIn: this.stats.netInput, netOut: this.stats.netOutput };
  }

  // ---- shutdown --------------------------------------------------------------------------

  /**
   * Graceful shutdown: run subsystem hooks (save, AOF flush), close listeners and
   * clients, remove the pid file. Returns false if a hook refused (SHUTDOWN fails).
   */
  shutdown(opts: ShutdownOptions = {}, announced = false): boolean {
    if (this.shuttingDown) return true;
    if (!announced) this.log.warning('User requested shutdown...');
    try {
      for (const h of this.shutdownHooks) h(opts);
    } catch (e) {
      this.log.warning(`Error during shutdown: ${(e as Error).message}`);
      if (!opts.nosave && !opts.force) return false;
    }
    this.shuttingDown = true;
    this.close();
    const pidfile = this.config.getString('pidfile');
    if (pidfile) {
      try {
        unlinkSync(pidfile);
      } catch {
        /* already gone */
      }
    }
    if (this.unixPath) {
      try {
        unlinkSync(this.unixPath);
      } catch {
        /* already gone */
      }
    }
    this.log.warning('Cinnabar is now ready to exit, bye bye...');
    this.exit(0);
    return true;
  }

  /** Stops listening and drops every client (for tests and shutdown). */
  close(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    this.cronTimer = null;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.blocking.clearTimers();
    for (const h of this.closeHooks) h();
    this.net.closeListeners();
    this.flushPending();
    for (const c of [...this.clients.values()]) {
      if (c.socket) c.socket.end();
      this.freeClient(c);
    }
  }

  /** Client ids that are not protected by CLIENT NO-EVICT (for future client eviction). */
  isEvictable(c: Client): boolean {
    return (c.flags & CLIENT_NO_EVICT) === 0;
  }
}

export { NOTIFY_GENERIC, NOTIFY_KEY_MISS, NOTIFY_NEW, writePush };

/** The top-level specs of `names` the table has. */
function topLevelSpecs(table: CommandTable, names: readonly string[]): Set<CommandSpec> {
  const out = new Set<CommandSpec>();
  for (const n of names) {
    const s = table.lookup(n);
    if (s !== undefined) out.add(s);
  }
  return out;
}

/** The smallest non-zero hard or soft limit in a client-output-buffer-limit value, Infinity if none. */
function smallestObufLimit(limits: string[]): number {
  let min = Infinity;
  for (let i = 0; i + 3 < limits.length; i += 4) {
    for (const v of [Number(limits[i + 1]), Number(limits[i + 2])]) if (v > 0 && v < min) min = v;
  }
  return min;
}
