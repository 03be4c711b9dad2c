// A connected client: its connection state (selected database, protocol version,
// authentication, MULTI queue, watched keys, subscriptions, blocking state) and the
// reply writer.
//
// Replies are appended to `out`, a binary (latin1) string. Stored values are binary
// strings already, so a bulk reply is a concatenation that V8 keeps as a rope until
// the single socket write at the end of the batch: the replies to everything read in
// one event-loop turn go out in one write per client, never one write per reply.

import type { Socket } from 'node:net';
import { RequestParser } from '../protocol/parser.js';
import type { Database } from '../keyspace/keyspace.js';
import type { CommandSpec } from '../commands/table.js';
import type { Server } from './server.js';
import { ReplyWriter } from '../protocol/reply.js';
export { replyBuf } from '../protocol/reply.js';

import type { BlockState, MultiState, WatchedKey } from '../commands/context.js';
import { CLIENT_EXECUTING_EXEC, CLIENT_FAKE, CLIENT_MULTI, CLIENT_PUSHING, CLIENT_REPLY_OFF, CLIENT_REPLY_SKIP } from '../commands/client-flags.js';
export * from '../commands/client-flags.js';
export type { BlockState, MultiState } from '../commands/context.js';

export class Client extends ReplyWriter {
  readonly id: number;
  readonly server: Server;
  socket: Socket | null;
  parser: RequestParser;
  db: Database;
  name = '';
  libName = '';
  libVer = '';
  user = 'default';
  /** The ACL user object (src/acl/ owns it); null: the default user. */
  aclUser: object | null = null;
  authenticated: boolean;
  flags = 0;
  /** True while this client is in the server's list of clients to flush. */
  pendingFlush = false;
  multi: MultiState | null = null;
  watched: WatchedKey[] = [];
  channels = new Set<string>();
  patterns = new Set<string>();
  shardChannels = new Set<string>();
  blocked: BlockState | null = null;
  /** Current command and its arguments while executing (for CLIENT LIST, MONITOR, errors). */
  cmd: CommandSpec | null = null;
  lastCmd: CommandSpec | null = null;
  argv: string[] = [];
  /** Replacement argv for propagation (SET EX -> SET PXAT, SPOP -> SREM...). */
  propArgv: string[] | null = null;
  /** Set when the handler asks for no propagation of argv. */
  preventProp = false;
  /** argv with the arguments a handler redacted, for MONITOR and the slow log. */
  redactedArgv: string[] | null = null;
  readonly ctime: number;
  lastInteraction: number;
  addr: string;
  laddr: string;
  fd = -1;
  /** Output buffer soft-limit accounting: when it was first exceeded, 0 = not exceeded. */
  obufSoftLimitReachedAt = 0;
  /** Peak bytes pending in the socket, for CLIENT LIST omem. */
  lastMemory = 0;
  /** Total bytes read from and written to this client (CLIENT LIST tot-net-in/out). */
  netIn = 0;
  netOut = 0;
  commandsProcessed = 0;

  /**
   * Redis's authRequired: the client has not authenticated and the default user needs a
   * password (or is off). The NOAUTH phase and the parser's caps before AUTH both ask it,
   * so a client that connected under requirepass goes on as soon as the password is removed.
   */
  authRequired(): boolean {
    return !this.authenticated && this.server.requiresAuth();
  }

  constructor(server: Server, socket: Socket | null, db: Database, id: number) {
    super();
    this.server = server;
    this.socket = socket;
    this.db = db;
    this.id = id;
    this.parser = new RequestParser({ protoMaxBulkLen: server.config.getNumber('proto-max-bulk-len'), authRequired: () => this.authRequired() });
    this.authenticated = !server.requiresAuth();
    this.ctime = Date.now();
    this.lastInteraction = this.ctime;
    if (socket) {
      this.addr = socket.remoteFamily === 'IPv6' ? `[${socket.remoteAddress}]:${socket.remotePort}` : `${socket.remoteAddress}:${socket.remotePort}`;
      this.laddr = socket.localAddress ? `${socket.localAddress}:${socket.localPort}` : '';
      if (!socket.remoteAddress) {
        // Unix socket clients show the socket path as both addresses, as Redis does.
        this.addr = `${server.config.getString('unixsocket')}:0`;
        this.laddr = this.addr;
      }
    } else {
      this.addr = '';
      this.laddr = '';
      this.flags |= CLIENT_FAKE;
    }
  }

  get inMulti(): boolean {
    return (this.flags & CLIENT_MULTI) !== 0;
  }

  /** True while EXEC runs the queue (blocking commands must not block then). */
  get inExec(): boolean {
    return (this.flags & CLIENT_EXECUTING_EXEC) !== 0;
  }

  /** Commands may not block: inside EXEC, in scripts, or for fake clients. */
  get denyBlocking(): boolean {
    return (this.flags & (CLIENT_EXECUTING_EXEC | CLIENT_FAKE)) !== 0;
  }

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  // ---- the reply writer (ReplyWriter in protocol/reply.ts) -------------------------------

  /** Appends raw protocol bytes, unless replies are off; schedules the socket write. */
  override write(s: string): void {
    if ((this.flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP)) !== 0 && (this.flags & CLIENT_PUSHING) === 0) return;
    this.out += s;
    if (!this.pendingFlush) {
      this.pendingFlush = true;
      this.server.markPending(this);
    }
  }

  protected override onError(msg: string): void {
    this.server.countError(msg, this);
  }

  // ---- helpers for command handlers ---------------------------------------------------

  /** Propagate `argv` instead of the command as received (SET EX -> SET PXAT...). */
  rewriteArgv(argv: string[]): void {
    this.propArgv = argv;
  }

  /** Propagate an extra command in the same execution unit (expirations, SPOP's SREM...). */
  alsoPropagate(argv: string[], dbid = this.db.id): void {
    this.server.alsoPropagate(dbid, argv);
  }

  /** Do not propagate this command's argv (the handler used alsoPropagate instead). */
  preventPropagation(): void {
    this.preventProp = true;
  }

  redactArgument(i: number): void {
    if (i >= this.argv.length) return;
    if (this.redactedArgv === null) this.redactedArgv = this.argv.slice();
    this.redactedArgv[i] = '(redacted)';
  }

  /**
   * Records a change to `key`: invalidates WATCH, fires the keyspace notification
   * `event` of class `cls` (NOTIFY_* flags) and counts `dirty` changes toward
   * propagation and the save rules. Every write path calls this once per key changed.
   */
  modified(key: string, cls: number, event: string, dirty = 1, db: Database = this.db): void {
    this.server.signalModifiedKey(db, key);
    if (cls !== 0) this.server.notifyKeyspaceEvent(cls, event, key, db.id);
    this.server.dirty += dirty;
  }

  /** Parks the client until one of `keys` is ready, the timeout fires, or it is unblocked. */
  block(state: Omit<BlockState, 'db' | 'spec' | 'argv'> & { db?: Database }): void {
    this.server.blockClient(this, state);
  }
}

