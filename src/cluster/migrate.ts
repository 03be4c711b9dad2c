// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
//         [AUTH2 username password] [KEYS key ...]
//
// As Redis 7.2 does it: the keys found are DUMPed, and RESTORE key ttl payload
// [REPLACE] is sent for each (the remaining TTL in ms, at least 1; a key that
// expired since its lookup is left out), preceded by AUTH when asked for and by
// SELECT when the cached connection's last database is another one. The
// connection to each host:port is cached (at most SOCKET_CACHE_ITEMS, closed
// after SOCKET_CACHE_TTL_MS unused; INFO migrate_cached_sockets). Each key the
// target acknowledged is deleted here unless COPY, and the command is propagated
// as DEL of those keys. Replies: +OK, +NOKEY when no key exists, the first error
// of the target as "ERR Target instance replied with error: <its error>" (after
// which the next MIGRATE sends SELECT again), and "IOERR error or timeout
// writing|reading to target instance" on a socket error or after `timeout` ms
// without a reply. A socket error before any reply is retried once on a new
// connection (a cached one the target closed), unless it was a timeout.
//
// Redis blocks its whole event loop for the transfer. Here the client waits (it
// is blocked, and CLIENT UNBLOCK cannot end the wait) while other clients are
// served, and what Redis's blocking guarantees is kept by a write hold
// (Server.holdWrites) from the DUMP to the DEL: write commands of other clients
// are postponed as under CLIENT PAUSE WRITE, active expiry stops, and a second
// MIGRATE (a write) waits for the first. So the keys sent are the keys deleted,
// unchanged. What can still happen meanwhile, as in any write pause: a read of a
// key whose TTL passed deletes it lazily (its DEL is then propagated before
// MIGRATE's), and eviction under maxmemory may pick a migrating key.
//
// Inside MULTI/EXEC and scripts the client cannot wait: MIGRATE is refused there
// (Redis runs it, blocking); see test/helpers/known-differences.ts. In cluster
// mode RESTORE-ASKING is sent instead of RESTORE, as Redis does, so that a target
// importing the slot takes the key.
//
// Limits: the keys of one MIGRATE are those of its argv (bounded by the query
// buffer limits where the request entered); their payloads are built in memory
// and written at once, as Redis builds them in one buffer; one reply deadline of
// `timeout` ms per reply; SOCKET_CACHE_ITEMS connections; one retry.

import type { Server } from '../server/server.js';
import { CLIENT_NO_TOUCH, type Client } from '../server/client.js';
import type { RObj } from '../types/object.js';
import type { Database } from '../keyspace/keyspace.js';
import type { CommandSpec } from '../commands/table.js';
import { NOTIFY_GENERIC } from '../keyspace/notify.js';
import { RespClient, type CommandArg, type Reply } from '../protocol/resp-client.js';
import { setMigrateCachedSockets } from '../server/info.js';
import { parseIntArg } from '../util/numbers.js';
import { createDumpPayload } from '../persistence/rdb.js';
import { writeOptions } from '../persistence/persistence.js';

/** Redis's MIGRATE_SOCKET_CACHE_ITEMS: cached connections at most (one is dropped for a new one). */
const SOCKET_CACHE_ITEMS = 64;
/** Redis's MIGRATE_SOCKET_CACHE_TTL: a connection unused this long is closed. */
const SOCKET_CACHE_TTL_MS = 10_000;
/** How often the cron looks for unused connections (Redis: once a second). */
const SOCKET_SWEEP_INTERVAL_MS = 1000;
/** Redis reads each reply line of the target into a 1024-byte buffer: its error text is cut there. */
const TARGET_LINE_MAX = 1021;
/** A timeout of 0 or less means this many ms, as in Redis. */
const DEFAULT_TIMEOUT_MS = 1000;

const ERR_SYNTAX = 'ERR syntax error';
const ERR_NOT_INT = 'ERR value is not an integer or out of range';
const ERR_IN_EXEC = 'ERR MIGRATE cannot run inside MULTI/EXEC or a script in Cinnabar';

interface CachedSocket {
  conn: RespClient;
  /** The database SELECTed last on this connection, -1 when unknown. */
  lastDbid: number;
  lastUseMs: number;
}

/** One key to send: its name, remaining TTL (0 = none) and DUMP payload. */
interface Entry {
  key: string;
  ttl: number;
  payload: Buffer;
}

interface Job {
  host: string;
  port: string;
  dbid: number;
  timeoutMs: number;
  copy: boolean;
  replace: boolean;
  username: string | null;
  password: string | null;
  entries: Entry[];
  /** RESTORE, or RESTORE-ASKING in cluster mode (the target may be importing the slot). */
  restore: string;
  /** The arguments as MONITOR shows them (passwords redacted), for the slow log. */
  shown: string[];
  spec: CommandSpec;
  startedMs: number;
}

/** What the transfer ended with: the keys the target acknowledged, and the reply. */
interface Outcome {
  acked: string[];
  /** null: +OK; else the error reply (without the leading '-'). */
  error: string | null;
}

class MigrateState {
  readonly sockets = new Map<string, CachedSocket>();
  lastSweepMs = 0;
  /** Replies waiting for their blocked client (written by the unblock). */
  readonly pending = new Map<Client, Outcome>();

  constructor(readonly server: Server) {}

  /** The cached connection to host:port, or a new one (Redis's migrateGetSocket). */
  async socket(host: string, port: string, timeoutMs: number): Promise<CachedSocket> {
    const name = `${host}:${port}`;
    const cached = this.sockets.get(name);
    if (cached !== undefined && !cached.conn.closed) {
      cached.lastUseMs = Date.now();
      return cached;
    }
    if (cached !== undefined) this.sockets.delete(name);
    if (this.sockets.size >= SOCKET_CACHE_ITEMS) {
      // Redis drops one at random; the oldest entry is as good a victim.
      const [victim, cs] = this.sockets.entries().next().value as [string, CachedSocket];
      cs.conn.destroy();
      this.sockets.delete(victim);
    }
    const conn = await RespClient.connect({ host, port: atoiPort(port), timeoutMs });
    conn.on('close', () => {
      if (this.sockets.get(name)?.conn === conn) this.sockets.delete(name);
    });
    const cs: CachedSocket = { conn, lastDbid: -1, lastUseMs: Date.now() };
    this.sockets.set(name, cs);
    return cs;
  }

  close(host: string, port: string): void {
    const name = `${host}:${port}`;
    const cs = this.sockets.get(name);
    if (cs === undefined) return;
    cs.conn.destroy();
    this.sockets.delete(name);
  }

  /** Closes the connections unused for SOCKET_CACHE_TTL_MS (Redis's migrateCloseTimedoutSockets). */
  sweep(): void {
    const now = Date.now();
    if (now - this.lastSweepMs < SOCKET_SWEEP_INTERVAL_MS) return;
    this.lastSweepMs = now;
    for (const [name, cs] of this.sockets) {
      if (now - cs.lastUseMs > SOCKET_CACHE_TTL_MS) {
        cs.conn.destroy();
        this.sockets.delete(name);
      }
    }
  }

  closeAll(): void {
    for (const cs of this.sockets.values()) cs.conn.destroy();
    this.sockets.clear();
  }
}

const states = new WeakMap<Server, MigrateState>();

/** C's atoi on the port argument, as Redis connects with it ("x" is port 0, which fails). */
function atoiPort(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  if (m === null) return 0;
  const n = Number(m[1]);
  return n >= 0 && n <= 65535 ? n : 0;
}

/** An error text as Redis keeps it from the target's reply line. */
function targetError(r: Reply): string {
  const v = r.t === 'err' ? r.v : '';
  return v.length > TARGET_LINE_MAX ? v.slice(0, TARGET_LINE_MAX) : v;
}

/** The replies of one exchange, up to a failure. */
interface Exchange {
  replies: Reply[];
  failed: boolean;
  timedOut: boolean;
  /** The connection was already closed when the commands were to be written. */
  writing: boolean;
}

/**
 * Sends the commands (pipelined) and collects their replies in order, with a
 * deadline of `timeoutMs` for each reply (Redis's connSyncReadLine timeout): on
 * the deadline the connection is destroyed. Resolves with the replies that
 * arrived before a failure.
 */
function exchange(conn: RespClient, cmds: CommandArg[][], timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const replies: Reply[] = [];
    let done = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | null = null;
    const finish = (failed: boolean, writing: boolean): void => {
      if (done) return;
      done = true;
      if (timer !== null) clearTimeout(timer);
      resolve({ replies, failed, timedOut, writing });
    };
    const arm = (): void => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        conn.destroy();
        finish(true, false);
      }, timeoutMs);
    };
    if (conn.closed) {
      finish(true, true);
      return;
    }
    if (cmds.length === 0) {
      finish(false, false);
      return;
    }
    arm();
    const calls = cmds.map((cmd) => conn.call(...cmd));
    calls.forEach((p, i) =>
      p.then(
        (r) => {
          if (done || replies.length !== i) return;
          replies.push(r);
          if (replies.length === cmds.length) finish(false, false);
          else arm();
        },
        () => finish(true, false),
      ),
    );
  });
}

/**
 * One try of the transfer (Redis's try_again .. socket_err): returns the outcome,
 * or 'retry' when a socket error came before any reply and was not a timeout.
 */
async function attempt(st: MigrateState, job: Job, mayRetry: boolean): Promise<Outcome | 'retry'> {
  let cs: CachedSocket;
  try {
    cs = await st.socket(job.host, job.port, job.timeoutMs);
  } catch (e) {
    // A refused connection shows in Redis as a failed write (its connect is non-blocking).
    const timedOut = /timed out/.test((e as Error).message);
    if (timedOut) return { acked: [], error: 'IOERR error or timeout connecting to the client' };
    return mayRetry ? 'retry' : { acked: [], error: 'IOERR error or timeout writing to target instance' };
  }
  const cmds: CommandArg[][] = [];
  const auth = job.password !== null;
  if (auth) cmds.push(job.username !== null ? ['AUTH', job.username, job.password!] : ['AUTH', job.password!]);
  const select = cs.lastDbid !== job.dbid;
  if (select) cmds.push(['SELECT', String(job.dbid)]);
  for (const e of job.entries) {
    const c: CommandArg[] = [job.restore, e.key, String(e.ttl), e.payload];
    if (job.replace) c.push('REPLACE');
    cmds.push(c);
  }
  const ex = await exchange(cs.conn, cmds, job.timeoutMs);
  const r = ex.replies;
  const head = (auth ? 1 : 0) + (select ? 1 : 0);
  const socketErr = (writing: boolean): Outcome | 'retry' => {
    st.close(job.host, job.port);
    if (!ex.timedOut && mayRetry) return 'retry';
    return { acked: [], error: `IOERR error or timeout ${writing ? 'writing' : 'reading'} to target instance` };
  };
  if (ex.failed && ex.writing) return socketErr(true);
  if (r.length < head) return socketErr(false);
  const authErr = auth && r[0].t === 'err' ? r[0] : null;
  const selectReply = select ? r[auth ? 1 : 0] : null;
  const selectErr = selectReply !== null && selectReply.t === 'err' ? selectReply : null;
  let error: string | null = null;
  const acked: string[] = [];
  let j = 0;
  for (; j < job.entries.length; j++) {
    const rr = r[head + j];
    if (rr === undefined) break; // the socket failed before this reply
    if (authErr !== null || selectErr !== null || rr.t === 'err') {
      if (error === null) {
        cs.lastDbid = -1;
        error = `ERR Target instance replied with error: ${targetError(authErr ?? selectErr ?? rr)}`;
      }
    } else if (!job.copy) {
      acked.push(job.entries[j].key);
    }
  }
  const socketError = j < job.entries.length;
  if (error === null && socketError && j === 0 && mayRetry && !ex.timedOut) return socketErr(false);
  if (socketError) st.close(job.host, job.port);
  if (error === null && socketError) return { acked, error: 'IOERR error or timeout reading to target instance' };
  if (error === null) cs.lastDbid = job.dbid;
  return { acked, error };
}

/** The handler: parses, DUMPs, holds writes and waits for the transfer (see the header). */
function migrateCommand(c: Client, argv: string[]): void {
  const s = c.server as Server;
  const st = states.get(s)!;
  let copy = false;
  let replace = false;
  let username: string | null = null;
  let password: string | null = null;
  let firstKey = 3;
  let numKeys = 1;
  const argc = argv.length;
  for (let j = 6; j < argc; j++) {
    const more = argc - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === 'copy') copy = true;
    else if (opt === 'replace') replace = true;
    else if (opt === 'auth') {
      if (more < 1) {
        c.addError(ERR_SYNTAX);
        return;
      }
      j++;
      password = argv[j];
      c.redactArgument(j);
    } else if (opt === 'auth2') {
      if (more < 2) {
        c.addError(ERR_SYNTAX);
        return;
      }
      username = argv[++j];
      c.redactArgument(j);
      password = argv[++j];
      c.redactArgument(j);
    } else if (opt === 'keys') {
      if (argv[3].length !== 0) {
        c.addError('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
        return;
      }
      firstKey = j + 1;
      numKeys = argc - j - 1;
      break;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  let timeoutMs = parseIntArg(argv[5]);
  const dbid = parseIntArg(argv[4]);
  if (timeoutMs === null || dbid === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  if (timeoutMs <= 0) timeoutMs = DEFAULT_TIMEOUT_MS;
  const db = c.db;
  const noTouch = (c.flags & CLIENT_NO_TOUCH) !== 0;
  const found: Array<{ key: string; obj: RObj }> = [];
  for (let j = 0; j < numKeys; j++) {
    const key = argv[firstKey + j];
    const obj = db.lookupRead(key, noTouch);
    if (obj !== undefined) found.push({ key, obj });
  }
  if (found.length === 0) {
    c.addSimple('NOKEY');
    return;
  }
  if (c.denyBlocking) {
    c.addError(ERR_IN_EXEC);
    return;
  }
  const now = s.ks.now;
  const opts = writeOptions(s);
  const entries: Entry[] = [];
  for (const { key, obj } of found) {
    let ttl = 0;
    const at = db.getExpire(key);
    if (at !== -1) {
      ttl = at - now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    entries.push({ key, ttl, payload: createDumpPayload(obj, opts) });
  }
  const job: Job = { host: argv[1], port: argv[2], dbid, timeoutMs, copy, replace, username, password, entries, restore: s.mode === 'cluster' ? 'RESTORE-ASKING' : 'RESTORE', shown: c.redactedArgv ?? argv, spec: c.cmd!, startedMs: performance.now() };
  const release = s.holdWrites();
  c.block({ keys: [], timeoutAt: 0, type: null, onTimeout: 'custom', timeoutReply: replyOf, interruptible: false });
  const blocked = c.blocked;
  void run(st, job).then(
    (out) => finish(st, c, blocked, db, job, out, release),
    (e: unknown) => {
      s.log.warning(`MIGRATE to ${job.host}:${job.port} failed: ${(e as Error).message}`);
      finish(st, c, blocked, db, job, { acked: [], error: 'IOERR error or timeout reading to target instance' }, release);
    },
  );
}

async function run(st: MigrateState, job: Job): Promise<Outcome> {
  const first = await attempt(st, job, true);
  if (first !== 'retry') return first;
  const second = await attempt(st, job, false);
  // attempt() never asks for a retry when it may not retry.
  return second === 'retry' ? { acked: [], error: 'IOERR error or timeout reading to target instance' } : second;
}

/** Back on the event loop: deletes the acknowledged keys, propagates their DEL, replies, releases the hold. */
function finish(st: MigrateState, c: Client, blocked: unknown, db: Database, job: Job, out: Outcome, release: () => void): void {
  const s = st.server;
  try {
    if (!job.copy && out.acked.length > 0) {
      for (const k of out.acked) {
        db.delete(k);
        c.modified(k, NOTIFY_GENERIC, 'del', 1, db);
      }
      s.alsoPropagate(db.id, ['DEL', ...out.acked]);
    }
    s.slowlogAfterWait(c, job.spec, job.shown, Math.round((performance.now() - job.startedMs) * 1000));
    if (s.clients.has(c.id) && c.blocked === blocked && blocked !== null) {
      st.pending.set(c, out);
      s.unblockByRequest(c, false);
    }
  } finally {
    release();
    s.flushPending();
  }
}

/** The reply of the unblocked MIGRATE client. */
function replyOf(c: Client): void {
  const st = states.get(c.server as Server)!;
  const out = st.pending.get(c);
  st.pending.delete(c);
  if (out === undefined || out.error === null) c.addOk();
  else c.addError(out.error);
}

/** Binds MIGRATE on a server's table with its connection cache (from compose/). */
export function installMigrate(server: Server): void {
  const st = new MigrateState(server);
  states.set(server, st);
  server.commands.provide('migrate', migrateCommand);
  setMigrateCachedSockets(server, () => st.sockets.size);
  server.cronHooks.push(() => st.sweep());
  server.closeHooks.push(() => st.closeAll());
}
