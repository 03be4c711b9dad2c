// The context a command handler runs in: what commands/ sees of a client and of the
// server, as interfaces. server/ implements them (server/client.ts, server/server.ts);
// commands/ never imports server/, so the command table loads without a server and the
// proxy, the manager and Lua scripting can use it too.
//
// The members are those the command families use today: the keyspace, configuration
// values, pub/sub, the clients, statistics, blocking and WATCH, propagation, and the
// per-server registries subsystems extend (DEBUG subcommands, FLUSHALL and RESETSTAT
// hooks). A subsystem's own commands (BGSAVE, REPLICAOF, ...) get their handlers bound
// on the server's table by the subsystem (CommandTable.setHandler), so this interface
// need not know the subsystems.

import type { LatencyEvents, LatencyHistogram } from '../types/latency.js';
import type { EncodingLimits } from '../types/encoding.js';
import type { Database, Keyspace } from '../keyspace/keyspace.js';
import type { ObjType } from '../types/object.js';
import type { Config } from '../config/config.js';
import type { ReplyWriter } from '../protocol/reply.js';
import type { CommandSpec, CommandTable } from './table.js';
import type { PubSub } from './pubsub-registry.js';

// ---- client flags (client-flags.ts) ---------------------------------------------------

export * from './client-flags.js';

/** What a blocked client waits for. */
export interface BlockState {
  keys: string[];
  db: Database;
  /** Absolute deadline in ms, 0 = forever. */
  timeoutAt: number;
  /** Type the client waits for; a key of another type does not wake it. */
  type: ObjType | null;
  /** Reply on timeout: a null array for the BLPOP family and, in Redis, for BLMOVE/BRPOPLPUSH too; null bulk where a command needs it. */
  onTimeout: 'nullarray' | 'nullbulk' | 'custom';
  /** For onTimeout 'custom' (WAIT, WAITAOF...): called on timeout to write the reply. */
  timeoutReply?: ClientHook;
  /** false: CLIENT UNBLOCK cannot end this wait (MIGRATE waits on its target, which Redis never interrupts). */
  interruptible?: boolean;
  /**
   * Run the command again when a waited key is deleted or changes type, not only
   * when it is added (XREADGROUP: the group is gone, Redis 7.2's unblock_on_nokey).
   */
  unblockOnNoKey?: boolean;
  spec: CommandSpec;
  argv: string[];
}

export interface MultiState {
  queue: Array<{ spec: CommandSpec; argv: string[] }>;
  /**
   * The union of the queued commands' CMD_* bits (Redis's mstate.cmd_flags): the
   * dispatcher checks EXEC as a write, a denyoom or a may-replicate command when one
   * of them is.
   */
  cmdFlags: number;
  /** The union of their inverted bits (mstate.cmd_inv_flags): CMD_STALE here means one queued command is not `stale`. */
  cmdInvFlags: number;
  /** Bytes of the queued arguments (CLIENT LIST multi-mem), counted in used_memory while queued. */
  bytes: number;
}

/** A WATCHed key of a client. */
export interface WatchedKey {
  db: Database;
  key: string;
  /** The key was already logically expired when WATCHed (its deletion is no change). */
  expiredAtWatch?: boolean;
}

/** The socket as commands see it (CLIENT LIST, CLIENT KILL, protected configs). */
export interface ClientSocket {
  readonly remoteAddress?: string;
  readonly writableLength: number;
  readonly destroyed: boolean;
}

/** The request parser as commands see it (CLIENT LIST qbuf figures). */
export interface ClientInput {
  readonly pendingBytes: number;
  readonly bufferedBytes: number;
}

/** CLIENT TRACKING's state, kept by the server (server/tracking.ts). */
export interface TrackingControl {
  enable(c: Client, redirect: number, options: number, prefixes: string[]): void;
  disable(c: Client): void;
  /** The redirection of a tracking client (0: none), -1 when tracking is off. */
  redirectOf(c: Client): number;
  /** Its BCAST prefixes, in byte order. */
  prefixesOf(c: Client): string[];
  clientExists(id: number): boolean;
  /** The error for prefixes that overlap each other or the client's, or null. */
  prefixCollision(c: Client, prefixes: string[]): string | null;
  /** FLUSHDB/FLUSHALL: every tracking client is told, the table is emptied. */
  flushed(): void;
}

/** A client as command handlers see it: connection state plus the reply writer. */
export interface Client extends ReplyWriter {
  readonly id: number;
  readonly server: ServerContext;
  readonly socket: ClientSocket | null;
  readonly parser: ClientInput;
  db: Database;
  name: string;
  libName: string;
  libVer: string;
  user: string;
  authenticated: boolean;
  flags: number;
  multi: MultiState | null;
  watched: WatchedKey[];
  channels: Set<string>;
  patterns: Set<string>;
  shardChannels: Set<string>;
  blocked: BlockState | null;
  /** Current command and its arguments while executing. */
  cmd: CommandSpec | null;
  lastCmd: CommandSpec | null;
  argv: string[];
  readonly ctime: number;
  lastInteraction: number;
  readonly addr: string;
  readonly laddr: string;
  fd: number;
  lastMemory: number;
  netIn: number;
  netOut: number;
  commandsProcessed: number;
  obufSoftLimitReachedAt: number;
  readonly inMulti: boolean;
  readonly inExec: boolean;
  /** Commands may not block: inside EXEC, in scripts, or for fake clients. */
  readonly denyBlocking: boolean;
  readonly subscriptionCount: number;
  /** Propagate `argv` instead of the command as received (SET EX -> SET PXAT...). */
  rewriteArgv(argv: string[]): void;
  /** Propagate an extra command in the same execution unit. */
  alsoPropagate(argv: string[], dbid?: number): void;
  /** Do not propagate this command's argv (the handler used alsoPropagate instead). */
  preventPropagation(): void;
  /**
   * The arguments MONITOR and the slow log show for the running command when it
   * hid some (AUTH's password), null otherwise; call() consumes it.
   */
  redactedArgv: string[] | null;
  /** Shows argument `i` of the running command as "(redacted)" in MONITOR and the slow log (Redis's redactClientCommandArgument). */
  redactArgument(i: number): void;
  /** Records a change to `key`: WATCH, keyspace notification, dirty count. */
  modified(key: string, cls: number, event: string, dirty?: number, db?: Database): void;
  /** Parks the client until one of `keys` is ready, the timeout fires, or it is unblocked. */
  block(state: Omit<BlockState, 'db' | 'spec' | 'argv'> & { db?: Database }): void;
}

// Callbacks on a client are declared through a method signature, whose parameters
// TypeScript checks bivariantly: a subsystem's handler or hook may be written against
// the server's Client (a subtype of Client, with the connection internals), because
// the server only ever calls them with its own clients.

/** A command handler: synchronous, writes its reply to the client. */
export type Handler = { handler(c: Client, argv: string[]): void }['handler'];

/** A DEBUG subcommand registered by a subsystem (DEBUG RELOAD, DEBUG CHANGE-REPL-ID...). */
export type DebugHandler = Handler;

/** A per-client hook (RESET, disconnect). */
export type ClientHook = { hook(c: Client): void }['hook'];

/** The log as commands see it. */
export interface LogSink {
  warning(msg: string): void;
  notice(msg: string): void;
  verbose(msg: string): void;
}

/** One SLOWLOG entry. */
export interface SlowlogEntry {
  id: number;
  time: number;
  durationUs: number;
  argv: string[];
  addr: string;
  name: string;
}

/** Per-command figures for INFO commandstats. */
export interface CommandStats {
  calls: number;
  usec: number;
  rejected: number;
  failed: number;
  /** Call durations (latency-tracking), made on the first call it records. */
  hist?: LatencyHistogram;
}

/** SHUTDOWN's options, passed to every shutdown hook (persistence decides whether to save). */
export interface ShutdownOptions {
  save?: boolean;
  nosave?: boolean;
  now?: boolean;
  force?: boolean;
}

/** The server as command handlers see it. */
export interface ServerContext {
  readonly config: Config;
  /** This server's *-max-listpack-* and set-max-intset-entries, as the encoding rules take them. */
  readonly encodingLimits: EncodingLimits;
  readonly log: LogSink;
  readonly ks: Keyspace;
  readonly commands: CommandTable;
  readonly pubsub: PubSub;
  readonly clients: Map<number, Client>;
  readonly tracking: TrackingControl;
  readonly runId: string;
  readonly startTime: number;
  readonly monitors: Set<Client>;
  readonly mode: 'standalone' | 'cluster' | 'sentinel';
  readonly role: 'master' | 'replica';
  /** Changes since the last save (Redis's server.dirty). */
  dirty: number;
  authFailures: number;
  lastSaveTime: number;
  activeExpireEnabled: boolean;
  slowlog: SlowlogEntry[];
  slowlogNextId: number;
  readonly cmdStats: Map<string, CommandStats>;
  /** The latency monitor's events; latencySample records one when it reaches latency-monitor-threshold. */
  readonly latency: LatencyEvents;
  latencySample(event: string, ms: number): void;
  readonly errorStats: Map<string, number>;
  readonly cmdFullNames: Map<CommandSpec, string>;
  readonly stats: ServerStats;
  /** DEBUG subcommands that subsystems add (name in lower case). */
  readonly debugSubcommands: Map<string, DebugHandler>;
  /** Run by FLUSHALL after the databases are emptied (persistence saves, the evictor forgets). */
  readonly flushAllHooks: Array<() => void>;
  /** Run by CONFIG RESETSTAT. */
  readonly resetStatHooks: Array<() => void>;
  /** Run on RESET for each subsystem's per-client state. */
  readonly resetHooks: ClientHook[];

  requiresAuth(): boolean;
  /** The default user needs no password (AUTH <password> is then an error). */
  defaultUserNopass(): boolean;
  /** Checks a username/password pair and, on success, makes the client that user's (the ACL's users). */
  authenticate(c: Client, user: string, pass: string): boolean;
  /**
   * The ACL check of a command a script runs (redis.call/pcall) as the calling
   * client's user: the NOPERM error (the denial logged with context lua), or null.
   */
  aclScriptCheck(caller: Client, spec: CommandSpec, argv: string[], bits: number): string | null;
  /** redis.acl_check_cmd: whether the calling client's user may run argv. */
  aclAllows(caller: Client, spec: CommandSpec, argv: string[], bits: number): boolean;
  /** Port actually listened on (0: no TCP listener). */
  port: number;
  /** CONFIG SET port / bind: closes the TCP listeners and listens on `port` at the bind addresses; false when that failed. */
  rebindTcp(port: number): boolean;
  /** CONFIG SET tls-port (Redis's applyTLSPort): null when it worked, else Redis's error text. */
  applyTlsPort(): string | null;
  /** CONFIG SET of a tls-* context directive (Redis's applyTlsCfg): null when it worked, else Redis's error text. */
  applyTlsConfig(): string | null;
  /** TLS port listened on (0: none). */
  readonly tlsPort: number;
  /** The text of INFO for the given section arguments. */
  info(sections: string[]): string;
  /** One line of CLIENT LIST for a client. */
  clientInfoLine(c: Client): string;
  closeClient(c: Client): void;
  shutdown(opts: ShutdownOptions): boolean;
  /** SHUTDOWN's wait for lagging replicas and SHUTDOWN ABORT (server/shutdown.ts). */
  readonly shutdownCtl: { request(opts: ShutdownOptions, c: unknown): 'done' | 'waiting' | 'failed'; abort(): boolean };
  pauseClients(ms: number, all: boolean): void;
  unpause(): void;
  unblockByRequest(c: Client, withError: boolean): boolean;
  /** Executes a command (the call phase, after every check) and returns the time it ended. */
  call(c: Client, spec: CommandSpec, argv: string[]): number;
  /** Runs a command EXEC takes from its queue: the phases repeated at execution time, then call(). */
  callQueued(c: Client, spec: CommandSpec, argv: string[]): void;
  notifyKeyspaceEvent(cls: number, event: string, key: string, dbid: number): void;
  propagatePublish(argv: string[]): void;
  signalModifiedKey(db: Database, key: string): void;
  signalKeyAsReady(db: Database, key: string): void;
  /** A database was emptied or swapped (FLUSHDB, FLUSHALL, SWAPDB): XREADGROUP waiters on its keys run again. */
  signalDbReplaced(db: Database): void;
  touchAllWatchedKeysInDb(db: Database, other?: Database): void;
  watch(c: Client, key: string): void;
  unwatchAll(c: Client): void;
  watchedKeyExpired(c: Client): boolean;
  /** Memory figures the MEMORY command and INFO share. */
  memoryFigures(): MemoryFigures;
  /** Forgets eviction candidates (FLUSHALL, SWAPDB). */
  resetEvictionPool(): void;
  /** Drops a client's MULTI queue, giving its bytes back to the memory accounting. */
  dropMulti(c: Client): void;
  /** A new replication id (DEBUG CHANGE-REPL-ID, FLUSHALL on a primary with no replicas...). */
  changeReplicationId(): void;
}

/** The counters of INFO stats that commands read or bump. */
export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  netInput: number;
  netOutput: number;
  rejectedConnections: number;
  errorReplies: number;
  unexpectedErrorReplies: number;
  totalReads: number;
  totalWrites: number;
  pubsubMessages: number;
  keyspaceNotifications: number;
  queryBufferLimitDisconnections: number;
  outputBufferLimitDisconnections: number;
  evictedClients: number;
  totalBlockingKeys: number;
  instantaneousOps: number;
  instantaneousInputKbps: number;
  instantaneousOutputKbps: number;
}

/** Memory figures for INFO memory, MEMORY STATS and MEMORY DOCTOR. */
export interface MemoryFigures {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  overhead: number;
  dataset: number;
  heapTotal: number;
  /** V8's heap in use and Buffer memory outside it (garbage included). */
  heapUsed: number;
  external: number;
  /** mem_not_counted_for_evict. */
  notCountedForEvict: number;
  clientsNormal: number;
  clientsReplicas: number;
  dbMain: number;
  dbExpires: number;
}
