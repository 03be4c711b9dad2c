// Atomic slot migration (beyond Redis 7.2; the command shape is Valkey 9's):
//
//   CLUSTER MIGRATESLOTS SLOTSRANGE start end [start end ...] NODE <target-id>   on the source
//   CLUSTER CANCELSLOTMIGRATIONS                                                on the source
//   CLUSTER GETSLOTMIGRATIONS                                                   on either side
//   CLUSTER SYNCSLOTS START|APPLY|COMMIT|ABORT ...                              internal, source -> target
//
// One job moves a set of slots from this primary to another as one operation:
//
// 1. Snapshot. The source opens a connection to the target (as a client, with
//    masteruser/masterauth when set) and sends SYNCSLOTS START: the target opens an
//    import with a staging database of its own (a separate Keyspace), which no client
//    command sees: keys in it are not served, counted in DBSIZE, or listed by
//    KEYS/SCAN/COUNTKEYSINSLOT. The source walks the slots in slices of SLICE_MS,
//    sending each key as SYNCSLOTS APPLY batches of commands the target runs on the
//    staging database: a small key as RESTORE ... REPLACE ABSTTL with its DUMP
//    payload, a big one (more than CHUNK_ELEMENTS elements, or a string over
//    CHUNK_BYTES) in pieces (HSET/SADD/ZADD/RPUSH/APPEND of CHUNK_ELEMENTS elements,
//    then PEXPIREAT), one piece per slice at most, so a hash of a million fields
//    leaves the event loop free between pieces.
// 2. Forwarding. Every change to the dataset leaves the server through propagation;
//    the job listens there. A change to a key of the job's slots already sent is
//    forwarded in order on the same connection (the replication stream's commands:
//    deterministic). A change touching a key not sent yet is not forwarded: the key
//    is sent later as it is then. A change touching both (a multi-key command in a
//    slot being walked), or the key being sent in pieces, sends the keys it touched
//    again (DEL then the whole key), at most MAX_KEY_RESENDS times per key.
// 3. Switch. Once every key is sent, writes to the job's slots (and only those) are
//    postponed (Cluster.migrationPause, checked by the routing phase), and COMMIT
//    follows the forwarded stream: the target moves the staged keys into its
//    database, takes the slots with a configEpoch above every one it knows (gossiped
//    at once), and answers with that epoch. The source then gives the slots to the
//    target in its own table, lifts the pause (the postponed commands run again and
//    get MOVED), and deletes its copies in slices (propagated as DEL to its replicas).
//    Clients see MOVED only: no ASK, no TRYAGAIN.
// 4. Cancel (CANCELSLOTMIGRATIONS) or failure before COMMIT: the connection is closed,
//    the target drops its staging database (on ABORT or when the connection closes),
//    and the source keeps serving as if nothing happened.
//
// The pause starts once the target has acknowledged all but PAUSE_AT_UNACKED_BYTES.
// Limits (abort with a message in GETSLOTMIGRATIONS when exceeded): WINDOW_BYTES sent
// and not acknowledged before the walk waits; BUFFER_LIMIT_BYTES of forwarded writes
// sent and not acknowledged; PAUSE_MAX_MS from the pause to COMMIT's reply;
// REPLY_TIMEOUT_MS without any reply while some are awaited; MAX_KEY_RESENDS per key.
// One job leaves a source at a time; a target takes one import per source connection.
// HISTORY_MAX finished jobs are kept for GETSLOTMIGRATIONS.
//
// Not done: a stream key is sent as one RESTORE (no pieces); the target's own
// replicas and AOF receive the imported keys at COMMIT as RESTORE commands built
// then (a DUMP of each key while the switch waits); a COMMIT whose reply does not
// come within PAUSE_MAX_MS leaves the outcome to the bus (the target's higher epoch
// wins if it did commit) and the source keeps its copies.

import { randomBytes } from 'node:crypto';
import type { Server } from '../server/server.js';
import { Client } from '../server/client.js';
import { Keyspace, type Database } from '../keyspace/keyspace.js';
import { CLUSTER_SLOTS, keyHashSlot } from '../keyspace/hash-slot.js';
import { findSubcommand, getKeyPositions, specBits, CMD_WRITE, type CommandSpec } from '../commands/table.js';
import { ObjType, type RObj } from '../types/object.js';
import type { RHashValue } from '../types/hash.js';
import type { RList } from '../types/list.js';
import type { SortedSet } from '../types/sorted-set.js';
import { RespClient, type CommandArg, type Reply } from '../protocol/resp-client.js';
import { createDumpPayload } from '../persistence/rdb.js';
import { writeOptions } from '../persistence/persistence.js';
import { PROPAGATE_REPL_ONLY } from '../server/propagation.js';
import type { Cluster } from './cluster.js';
import { NODE_FAIL, type ClusterNode } from './state.js';

/** Elements (fields, members, list items) in one piece of a big key. */
export const CHUNK_ELEMENTS = 1000;
/** Bytes of one APPLY batch before it is sent, and of one piece of a big string. */
export const CHUNK_BYTES = 256 * 1024;
/** Bytes sent and not yet acknowledged before the walk waits for the target. */
export const WINDOW_BYTES = 8 * 1024 * 1024;
/** Forwarded writes sent and not acknowledged beyond this abort the job. */
export const BUFFER_LIMIT_BYTES = 64 * 1024 * 1024;
/** The pause starts once at most this many sent bytes wait for the target's acknowledgement. */
export const PAUSE_AT_UNACKED_BYTES = 64 * 1024;
/** Longest write pause: from the pause to COMMIT's reply. */
export const PAUSE_MAX_MS = 2000;
/** A job waiting for replies aborts after this long without one. */
export const REPLY_TIMEOUT_MS = 10_000;
/** Connecting to the target. */
const CONNECT_TIMEOUT_MS = 5000;
/** Times one key may be sent again because it changed while or before it was sent. */
export const MAX_KEY_RESENDS = 16;
/** Time budget of one slice of the walk (and of the source's deletion afterwards). */
const SLICE_MS = 2;
/** Keys deleted (and propagated as one DEL) per batch after the switch. */
const DELETE_BATCH = 256;
/** Finished jobs kept for GETSLOTMIGRATIONS. */
const HISTORY_MAX = 16;
/** Ranges one MIGRATESLOTS may name. */
const MAX_RANGES = CLUSTER_SLOTS;

const ERR_SYNTAX = 'ERR syntax error';

type JobState = 'connecting' | 'snapshot' | 'paused' | 'committing' | 'success' | 'failed' | 'cancelled';
const TERMINAL: ReadonlySet<JobState> = new Set(['success', 'failed', 'cancelled']);

/** What GETSLOTMIGRATIONS shows of a job (export on the source, import on the target). */
interface JobView {
  name: string;
  operation: 'EXPORT' | 'IMPORT';
  slotRanges: string;
  targetNode: string;
  sourceNode: string;
  createTime: number;
  lastUpdateTime: number;
  lastAckTime: number;
  state: string;
  message: string;
  keysSent: number;
  keysResent: number;
  commandsForwarded: number;
  pauseMs: number;
}

function rangesText(slots: readonly number[]): string {
  const out: string[] = [];
  let a = -1;
  let b = -1;
  for (const s of slots) {
    if (s === b + 1 && a >= 0) b = s;
    else {
      if (a >= 0) out.push(`${a}-${b}`);
      a = s;
      b = s;
    }
  }
  if (a >= 0) out.push(`${a}-${b}`);
  return out.join(' ');
}

/** Bytes an argument costs on the wire (near enough for the limits). */
function argBytes(a: CommandArg): number {
  return (typeof a === 'string' || Buffer.isBuffer(a) ? a.length : 20) + 16;
}

/** A ZADD score that parses back to the same double. */
function scoreText(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(x);
}

/** A key being sent in pieces. */
interface Piecewise {
  key: string;
  obj: RObj;
  /** The iterator over the value (string: the offset). */
  it: Iterator<unknown> | null;
  offset: number;
  expireAt: number;
}

// ---------------------------------------------------------------------------------------
// The source side
// ---------------------------------------------------------------------------------------

class ExportJob {
  readonly name = randomBytes(20).toString('hex');
  state: JobState = 'connecting';
  message = '';
  readonly createTime = Date.now();
  lastUpdateTime = Date.now();
  lastAckTime = 0;
  keysSent = 0;
  keysResent = 0;
  commandsForwarded = 0;
  pauseMs = 0;
  private conn: RespClient | null = null;
  /** 0: not in the job; 1: not reached; 2: being walked; 3: walked. */
  private readonly slotState = new Uint8Array(CLUSTER_SLOTS);
  private slotIdx = 0;
  private curKeys: string[] = [];
  private curPos = 0;
  /** Keys of the slot being walked that were sent. */
  private sentInSlot = new Set<string>();
  /** Keys to send again (DEL first). */
  private readonly resend = new Set<string>();
  private readonly resends = new Map<string, number>();
  private piece: Piecewise | null = null;
  /** The APPLY batch being built: argc, argv..., argc, argv... */
  private batch: CommandArg[] = [];
  private batchBytes = 0;
  /** Bytes sent and not acknowledged, and those of them that are forwarded writes. */
  private unacked = 0;
  private unackedForwarded = 0;
  private batchForwarded = 0;
  private awaiting = 0;
  private scheduled = false;
  private unlisten: (() => void) | null = null;
  private replyTimer: NodeJS.Timeout | null = null;
  private pauseTimer: NodeJS.Timeout | null = null;
  private pausedAt = 0;
  private readonly db: Database;

  constructor(
    private readonly mig: SlotMigrations,
    readonly slots: number[],
    readonly target: ClusterNode,
  ) {
    this.db = mig.server.ks.dbs[0];
    for (const s of slots) this.slotState[s] = 1;
  }

  get active(): boolean {
    return !TERMINAL.has(this.state);
  }

  inJob(slot: number): boolean {
    return this.slotState[slot] !== 0;
  }

  view(): JobView {
    return {
      name: this.name,
      operation: 'EXPORT',
      slotRanges: rangesText(this.slots),
      targetNode: this.target.id,
      sourceNode: this.mig.cluster.myself.id,
      createTime: this.createTime,
      lastUpdateTime: this.lastUpdateTime,
      lastAckTime: this.lastAckTime,
      state: this.state,
      message: this.message,
      keysSent: this.keysSent,
      keysResent: this.keysResent,
      commandsForwarded: this.commandsForwarded,
      pauseMs: this.pauseMs,
    };
  }

  private setState(s: JobState, message = this.message): void {
    this.state = s;
    this.message = message;
    this.lastUpdateTime = Date.now();
    this.mig.server.log.notice(`Slot migration ${this.name} (${rangesText(this.slots)} to ${this.target.id}): ${s}${message !== '' ? ` (${message})` : ''}`);
  }

  async start(): Promise<void> {
    const s = this.mig.server;
    const cfg = s.config;
    try {
      const conn = await RespClient.connect({ host: this.target.ip || '127.0.0.1', port: this.target.port, timeoutMs: CONNECT_TIMEOUT_MS, commandTimeoutMs: REPLY_TIMEOUT_MS });
      if (!this.active) {
        conn.destroy();
        return;
      }
      this.conn = conn;
      conn.on('close', () => {
        if (this.active && this.state !== 'committing') this.fail('the connection to the target was closed');
      });
      const pass = cfg.getString('masterauth');
      if (pass !== '') {
        const user = cfg.getString('masteruser');
        const r = await conn.call(...(user !== '' ? ['AUTH', user, pass] : ['AUTH', pass]));
        if (r.t === 'err') return this.fail(`the target refused AUTH: ${r.v}`);
      }
      const ranges: string[] = [];
      for (const r of rangesText(this.slots).split(' ')) ranges.push(...r.split('-'));
      const r = await conn.call('CLUSTER', 'SYNCSLOTS', 'START', this.name, this.mig.cluster.myself.id, ...ranges);
      if (!this.active) return;
      if (r.t === 'err') return this.fail(`the target refused the import: ${r.v}`);
    } catch (e) {
      return this.fail(`cannot connect to the target: ${(e as Error).message}`);
    }
    this.lastAckTime = Date.now();
    this.unlisten = s.onPropagate((dbid, argv, flags) => this.onChange(dbid, argv, flags));
    this.setState('snapshot');
    this.schedule();
  }

  // ---- the walk -------------------------------------------------------------------------

  private schedule(): void {
    if (this.scheduled || this.state !== 'snapshot') return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.step();
    });
  }

  private step(): void {
    if (this.state !== 'snapshot') return;
    const deadline = performance.now() + SLICE_MS;
    this.mig.server.ks.now = Date.now();
    let n = 0;
    while (this.unacked < WINDOW_BYTES) {
      if ((++n & 15) === 0 && performance.now() >= deadline) break;
      if (this.piece !== null) {
        this.sendPiece(this.piece);
        // One piece of a big key per slice at most.
        break;
      }
      if (this.resend.size > 0) {
        const key = this.resend.values().next().value as string;
        this.resend.delete(key);
        this.queue(['DEL', key], false);
        this.sendKey(key);
        this.keysResent++;
        continue;
      }
      if (this.curPos < this.curKeys.length) {
        const key = this.curKeys[this.curPos++];
        if (!this.sentInSlot.has(key)) this.sendKey(key);
        continue;
      }
      if (!this.nextSlotKeys()) {
        this.flushBatch();
        // Everything is sent: the pause starts once the target has applied it, so that
        // it lasts only for the forwarded writes in flight, COMMIT and the switch.
        if (this.unacked <= PAUSE_AT_UNACKED_BYTES) this.pause();
        return;
      }
    }
    this.flushBatch();
    if (this.unacked < WINDOW_BYTES) this.schedule();
    // Otherwise the next acknowledgement schedules the walk.
  }

  /**
   * The keys of the slot being walked not sent yet (those created meanwhile too), or
   * of the next slot; false when every slot is walked.
   */
  private nextSlotKeys(): boolean {
    while (this.slotIdx < this.slots.length) {
      const slot = this.slots[this.slotIdx];
      if (this.slotState[slot] === 1) {
        this.slotState[slot] = 2;
        this.sentInSlot = new Set();
      }
      const all = this.db.countKeysInSlot(slot);
      const left = all === 0 ? [] : this.db.getKeysInSlot(slot, all).filter((k) => !this.sentInSlot.has(k));
      if (left.length > 0) {
        this.curKeys = left;
        this.curPos = 0;
        return true;
      }
      this.slotState[slot] = 3;
      this.sentInSlot = new Set();
      this.slotIdx++;
    }
    return false;
  }

  /** Sends one key whole, or starts sending it in pieces. Marks it sent. */
  private sendKey(key: string): void {
    if (this.slotState[keyHashSlot(key)] === 2) this.sentInSlot.add(key);
    const db = this.db;
    const obj = db.dict.get(key);
    if (obj === undefined) return;
    const expireAt = db.expires.size === 0 ? -1 : db.getExpire(key);
    // Logically expired: its DEL will follow (forwarded, the key counts as sent).
    if (expireAt !== -1 && expireAt <= db.ks.now) return;
    this.keysSent++;
    const v = obj.value;
    let big = false;
    switch (obj.type) {
      case ObjType.String:
        big = (v as string).length > CHUNK_BYTES;
        break;
      case ObjType.Hash:
        big = (v as RHashValue).size > CHUNK_ELEMENTS;
        break;
      case ObjType.Set:
        big = (v as Set<string>).size > CHUNK_ELEMENTS;
        break;
      case ObjType.ZSet:
        big = (v as SortedSet).size > CHUNK_ELEMENTS;
        break;
      case ObjType.List:
        big = (v as RList).length > CHUNK_ELEMENTS;
        break;
      default:
        break;
    }
    if (!big) {
      const payload = createDumpPayload(obj, writeOptions(this.mig.server));
      this.queue(['RESTORE', key, String(expireAt === -1 ? 0 : expireAt), payload, 'REPLACE', 'ABSTTL'], false);
      return;
    }
    let it: Iterator<unknown> | null = null;
    if (obj.type === ObjType.Hash) it = (v as RHashValue).entries();
    else if (obj.type === ObjType.Set) it = (v as Set<string>).values();
    else if (obj.type === ObjType.ZSet) it = (v as SortedSet).entries();
    else if (obj.type === ObjType.List) it = (v as RList).iter();
    this.piece = { key, obj, it, offset: 0, expireAt };
  }

  /** Sends the next piece of a big key; the last one ends with its TTL. */
  private sendPiece(p: Piecewise): void {
    const t = p.obj.type;
    let done = false;
    if (t === ObjType.String) {
      const s = p.obj.value as string;
      const part = s.slice(p.offset, p.offset + CHUNK_BYTES);
      this.queue([p.offset === 0 ? 'SET' : 'APPEND', p.key, part], false);
      p.offset += part.length;
      done = p.offset >= s.length;
    } else {
      const cmd: CommandArg[] = [t === ObjType.Hash ? 'HSET' : t === ObjType.Set ? 'SADD' : t === ObjType.ZSet ? 'ZADD' : 'RPUSH', p.key];
      let bytes = 0;
      let k = 0;
      while (k < CHUNK_ELEMENTS && bytes < CHUNK_BYTES) {
        const r = p.it!.next();
        if (r.done === true) {
          done = true;
          break;
        }
        k++;
        if (t === ObjType.Hash) {
          const [f, val] = r.value as [string, string];
          cmd.push(f, val);
          bytes += f.length + val.length;
        } else if (t === ObjType.Set) {
          cmd.push(r.value as string);
          bytes += (r.value as string).length;
        } else if (t === ObjType.ZSet) {
          const [m, sc] = r.value as [string, number];
          cmd.push(scoreText(sc), m);
          bytes += m.length + 24;
        } else {
          const [, item] = r.value as [number, string];
          cmd.push(item);
          bytes += item.length;
        }
      }
      if (k > 0) this.queue(cmd, false);
    }
    if (done) {
      if (p.expireAt !== -1) this.queue(['PEXPIREAT', p.key, String(p.expireAt)], false);
      this.piece = null;
    }
  }

  // ---- forwarding -----------------------------------------------------------------------

  /** Whether `key` (of a slot of the job) is still to be sent. */
  private pending(key: string, slot: number): boolean {
    const st = this.slotState[slot];
    if (st === 1) return true;
    if (this.resend.has(key)) return true;
    if (this.piece !== null && this.piece.key === key) return true;
    return st === 2 && !this.sentInSlot.has(key);
  }

  /** A change left the server (propagation): forward it, or send its keys again (see the header). */
  private onChange(dbid: number, argv: string[], flags: number): void {
    if (dbid !== 0 || (flags & PROPAGATE_REPL_ONLY) !== 0) return;
    if (this.state !== 'snapshot' && this.state !== 'paused' && this.state !== 'committing') return;
    const s = this.mig.server;
    let spec: CommandSpec | undefined = s.commands.lookup(argv[0]);
    if (spec === undefined) return;
    if (spec.subcommands !== undefined && argv.length >= 2) spec = findSubcommand(spec, argv[1]);
    if (spec === undefined) return;
    const pos = getKeyPositions(spec, argv);
    if (pos.length === 0) {
      const name = spec.name;
      if ((specBits(spec) & CMD_WRITE) !== 0 && (name === 'flushall' || name === 'flushdb' || name === 'swapdb')) {
        this.fail(`${name.toUpperCase()} ran during the migration`);
      }
      return;
    }
    let inJob = false;
    let anyPending = false;
    for (let i = 0; i < pos.length; i++) {
      const key = argv[pos[i]];
      const slot = keyHashSlot(key);
      if (this.slotState[slot] === 0) continue;
      inJob = true;
      if (this.pending(key, slot)) anyPending = true;
    }
    if (!inJob) return;
    if (this.state === 'committing') {
      // After COMMIT went out (an expiry during the switch): the target expires its copy itself.
      return;
    }
    if (!anyPending) {
      this.commandsForwarded++;
      this.queue(argv, true);
      this.flushBatch();
      return;
    }
    for (let i = 0; i < pos.length; i++) {
      const key = argv[pos[i]];
      const slot = keyHashSlot(key);
      if (this.slotState[slot] === 0) continue;
      if (this.piece !== null && this.piece.key === key) {
        this.piece = null;
        this.requeue(key);
      } else if (!this.pending(key, slot)) {
        this.requeue(key);
      }
    }
    this.schedule();
  }

  private requeue(key: string): void {
    const n = (this.resends.get(key) ?? 0) + 1;
    if (n > MAX_KEY_RESENDS) {
      this.fail(`key '${key.slice(0, 64)}' changed more than ${MAX_KEY_RESENDS} times while it was sent`);
      return;
    }
    this.resends.set(key, n);
    this.resend.add(key);
  }

  // ---- the wire -------------------------------------------------------------------------

  private queue(argv: readonly CommandArg[], forwarded: boolean): void {
    this.batch.push(String(argv.length));
    let bytes = 0;
    for (let i = 0; i < argv.length; i++) {
      this.batch.push(argv[i]);
      bytes += argBytes(argv[i]);
    }
    this.batchBytes += bytes;
    if (forwarded) this.batchForwarded += bytes;
    if (this.batchBytes >= CHUNK_BYTES) this.flushBatch();
  }

  private flushBatch(): void {
    if (this.batch.length === 0 || this.conn === null) return;
    const args = this.batch;
    const bytes = this.batchBytes;
    const fwd = this.batchForwarded;
    this.batch = [];
    this.batchBytes = 0;
    this.batchForwarded = 0;
    this.unacked += bytes;
    this.unackedForwarded += fwd;
    if (this.unackedForwarded > BUFFER_LIMIT_BYTES) {
      this.fail(`the forwarded writes waiting for the target passed ${BUFFER_LIMIT_BYTES} bytes`);
      return;
    }
    this.expect(
      this.conn.call('CLUSTER', 'SYNCSLOTS', 'APPLY', ...args),
      (r) => {
        this.unacked -= bytes;
        this.unackedForwarded -= fwd;
        if (r.t === 'err') return this.fail(`the target failed a command: ${r.v}`);
        this.schedule();
      },
    );
  }

  /** Awaits a reply with the job's reply deadline. */
  private expect(p: Promise<Reply>, then: (r: Reply) => void): void {
    this.awaiting++;
    this.armReplyTimer();
    p.then(
      (r) => {
        this.awaiting--;
        this.lastAckTime = Date.now();
        this.armReplyTimer();
        if (this.active) then(r);
      },
      (e: unknown) => {
        this.awaiting--;
        if (this.active && this.state !== 'committing') this.fail(`the connection to the target failed: ${(e as Error).message}`);
      },
    );
  }

  private armReplyTimer(): void {
    if (this.replyTimer !== null) clearTimeout(this.replyTimer);
    this.replyTimer = null;
    if (this.awaiting === 0 || !this.active) return;
    this.replyTimer = setTimeout(() => {
      if (this.state !== 'committing') this.fail(`no reply from the target for ${REPLY_TIMEOUT_MS} ms`);
    }, REPLY_TIMEOUT_MS);
    this.replyTimer.unref?.();
  }

  // ---- the switch -----------------------------------------------------------------------

  private pause(): void {
    const cl = this.mig.cluster;
    const paused = new Uint8Array(CLUSTER_SLOTS);
    for (const s of this.slots) paused[s] = 1;
    cl.migrationPause = paused;
    // Counted as open slots: the routing's fast path leaves every command to the full check.
    cl.st.setPausedSlots(this.slots.length);
    this.pausedAt = performance.now();
    this.setState('paused');
    this.pauseTimer = setTimeout(() => this.pauseExpired(), PAUSE_MAX_MS);
    // Writes executed before the pause were forwarded; COMMIT follows them on the connection.
    // (A forwarded write may still come from an expiry: it is queued before COMMIT.)
    setImmediate(() => this.commit());
  }

  private commit(): void {
    if (this.state !== 'paused' || this.conn === null) return;
    this.flushBatch();
    if (!this.active) return;
    this.setState('committing', `COMMIT sent ${Math.round(performance.now() - this.pausedAt)} ms into the pause`);
    this.expect(this.conn.call('CLUSTER', 'SYNCSLOTS', 'COMMIT'), (r) => {
      if (r.t === 'err') {
        this.state = 'paused';
        return this.fail(`the target refused COMMIT: ${r.v}`);
      }
      const epoch = r.t === 'int' ? r.v : 0n;
      this.switched(epoch);
    });
  }

  private pauseExpired(): void {
    this.pauseTimer = null;
    if (this.state === 'paused') return this.fail(`the write pause passed ${PAUSE_MAX_MS} ms`);
    if (this.state === 'committing') {
      // The target may have committed: its claim (a higher epoch) wins over the bus; this
      // node keeps its copies, and serves until it hears of it.
      this.conn?.destroy();
      this.endPause();
      this.finish('failed', `no reply to COMMIT within ${PAUSE_MAX_MS} ms: the outcome is the target's (its higher configEpoch wins if it committed)`);
    }
  }

  private endPause(): void {
    if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    if (this.pausedAt !== 0) this.pauseMs = Math.round(performance.now() - this.pausedAt);
    this.pausedAt = 0;
    const cl = this.mig.cluster;
    if (cl.migrationPause !== null) {
      cl.migrationPause = null;
      cl.st.setPausedSlots(0);
      this.mig.server.resumePostponed();
    }
  }

  /** COMMIT succeeded: the slots are the target's. */
  private switched(epoch: bigint): void {
    const cl = this.mig.cluster;
    const st = cl.st;
    const t = this.target;
    if (epoch > t.configEpoch) t.configEpoch = epoch;
    if (epoch > st.currentEpoch) st.currentEpoch = epoch;
    for (const s of this.slots) {
      st.delSlot(s);
      st.addSlot(t, s);
    }
    cl.changed();
    cl.updateState();
    cl.onSlotsChanged();
    this.endPause();
    this.finish('success', '');
    this.mig.server.log.notice(`Slot migration ${this.name}: write pause ${this.pauseMs} ms`);
    this.mig.deleteSlots(this.slots);
  }

  // ---- the end --------------------------------------------------------------------------

  cancel(): boolean {
    if (!this.active) return false;
    if (this.state === 'committing') return false;
    this.abort('cancelled', 'cancelled by CLUSTER CANCELSLOTMIGRATIONS');
    return true;
  }

  fail(message: string): void {
    if (!this.active) return;
    if (this.state === 'committing') return;
    this.abort('failed', message);
  }

  private abort(state: JobState, message: string): void {
    const conn = this.conn;
    if (conn !== null && !conn.closed) {
      // Best effort: the target drops the import when the connection closes anyway.
      conn.call('CLUSTER', 'SYNCSLOTS', 'ABORT').then(
        () => conn.destroy(),
        () => conn.destroy(),
      );
    }
    this.endPause();
    this.finish(state, message);
  }

  private finish(state: JobState, message: string): void {
    this.unlisten?.();
    this.unlisten = null;
    if (this.replyTimer !== null) clearTimeout(this.replyTimer);
    this.replyTimer = null;
    this.piece = null;
    this.resend.clear();
    this.curKeys = [];
    this.setState(state, message);
    if (state === 'success') this.conn?.close().catch(() => undefined);
    this.conn = null;
    this.mig.retire(this);
  }
}

// ---------------------------------------------------------------------------------------
// The target side
// ---------------------------------------------------------------------------------------

class ImportJob {
  state: JobState = 'snapshot';
  message = '';
  readonly createTime = Date.now();
  lastUpdateTime = Date.now();
  lastAckTime = Date.now();
  keysSent = 0;
  commandsForwarded = 0;
  readonly slotMask = new Uint8Array(CLUSTER_SLOTS);
  /** The staging keyspace: no client sees it (see the header). */
  staging: Keyspace | null;
  private readonly runner: Client;

  constructor(
    private readonly mig: SlotMigrations,
    readonly name: string,
    readonly source: ClusterNode,
    readonly slots: number[],
    readonly conn: Client,
  ) {
    for (const s of slots) this.slotMask[s] = 1;
    this.staging = new Keyspace(1, { expired: () => undefined, added: () => undefined }, { slotIndex: true });
    this.runner = new Client(mig.server, null, this.staging.dbs[0], Number.MAX_SAFE_INTEGER - 1);
  }

  get active(): boolean {
    return !TERMINAL.has(this.state);
  }

  view(): JobView {
    return {
      name: this.name,
      operation: 'IMPORT',
      slotRanges: rangesText(this.slots),
      targetNode: this.mig.cluster.myself.id,
      sourceNode: this.source.id,
      createTime: this.createTime,
      lastUpdateTime: this.lastUpdateTime,
      lastAckTime: this.lastAckTime,
      state: this.state,
      message: this.message,
      keysSent: this.staging?.dbs[0].size ?? 0,
      keysResent: 0,
      commandsForwarded: this.commandsForwarded,
      pauseMs: 0,
    };
  }

  /** Runs one command of an APPLY batch on the staging database; null or the error. */
  apply(argv: string[]): string | null {
    const s = this.mig.server;
    let spec: CommandSpec | undefined = s.commands.lookup(argv[0]);
    if (spec !== undefined && spec.subcommands !== undefined && argv.length >= 2) spec = findSubcommand(spec, argv[1]);
    if (spec === undefined || spec.handler === undefined) return `ERR unknown command '${argv[0].slice(0, 128)}' in SYNCSLOTS APPLY`;
    if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) return `ERR wrong number of arguments for '${spec.name}' in SYNCSLOTS APPLY`;
    if ((specBits(spec) & CMD_WRITE) === 0) return `ERR '${spec.name}' is not a write command`;
    const pos = getKeyPositions(spec, argv);
    if (pos.length === 0) return `ERR '${spec.name}' has no keys`;
    for (let i = 0; i < pos.length; i++) {
      if (this.slotMask[keyHashSlot(argv[pos[i]])] === 0) return `ERR key '${argv[pos[i]].slice(0, 64)}' is not in the imported slots`;
    }
    const c = this.runner;
    const ks = this.staging!;
    ks.now = s.ks.now;
    c.cmd = spec;
    c.argv = argv;
    c.propArgv = null;
    c.preventProp = true;
    c.out = '';
    try {
      spec.handler(c, argv);
    } catch (e) {
      c.out = '';
      return `ERR internal error applying '${spec.name}': ${(e as Error).message}`;
    } finally {
      c.cmd = null;
      ks.settle();
    }
    const out = c.out;
    c.out = '';
    if (out.charCodeAt(0) === 45 /* '-' */) return out.slice(1, out.indexOf('\r'));
    return null;
  }

  /** COMMIT: the staged keys enter the database, the slots become this node's. Returns the new epoch. */
  commit(): bigint {
    const s = this.mig.server;
    const cl = this.mig.cluster;
    const st = cl.st;
    const me = st.myself;
    const staged = this.staging!.dbs[0];
    const db = s.ks.dbs[0];
    const propagating = s.propagating;
    const opts = propagating ? writeOptions(s) : null;
    s.ks.now = Date.now();
    const t0 = performance.now();
    let moved = 0;
    // The staging keyspace is dropped whole afterwards: its keys are not deleted one by one.
    for (const key of staged.keysInPosOrder()) {
      moved++;
      const obj = staged.dict.get(key)!;
      const at = staged.expires.size === 0 ? -1 : staged.getExpire(key);
      if (db.dict.get(key) !== undefined) db.delete(key);
      obj.lru = s.ks.initialLru();
      db.add(key, obj);
      if (at !== -1) db.setExpire(key, at);
      if (opts !== null) s.alsoPropagate(0, ['RESTORE', key, String(at === -1 ? 0 : at), createDumpPayload(obj, opts).toString('latin1'), 'REPLACE', 'ABSTTL']);
    }
    this.staging = null;
    for (const slot of this.slots) {
      st.delSlot(slot);
      st.addSlot(me, slot);
    }
    // The claim must win over the source's: an epoch above every epoch known.
    st.currentEpoch = st.maxEpoch() + 1n;
    me.configEpoch = st.currentEpoch;
    s.log.warning(`configEpoch set to ${me.configEpoch} after importing slots ${rangesText(this.slots)} (slot migration ${this.name}: ${moved} keys moved in ${(performance.now() - t0).toFixed(1)} ms)`);
    cl.changed();
    cl.updateState();
    cl.onSlotsChanged();
    this.end('success', '');
    return me.configEpoch;
  }

  end(state: JobState, message: string): void {
    if (!this.active) return;
    this.staging = null;
    this.state = state;
    this.message = message;
    this.lastUpdateTime = Date.now();
    this.mig.server.log.notice(`Slot import ${this.name} (${rangesText(this.slots)} from ${this.source.id}): ${state}${message !== '' ? ` (${message})` : ''}`);
    this.mig.retire(this);
  }
}

// ---------------------------------------------------------------------------------------
// The registry and the commands
// ---------------------------------------------------------------------------------------

export class SlotMigrations {
  export: ExportJob | null = null;
  readonly imports = new Map<Client, ImportJob>();
  private readonly history: Array<ExportJob | ImportJob> = [];
  private deleting: number[] = [];
  private deleteScheduled = false;

  constructor(
    readonly server: Server,
    readonly cluster: Cluster,
  ) {
    server.clientCloseHooks.push((c) => {
      const imp = this.imports.get(c as Client);
      if (imp !== undefined) imp.end('failed', 'the connection from the source closed before COMMIT');
    });
  }

  retire(job: ExportJob | ImportJob): void {
    if (job instanceof ExportJob) {
      if (this.export === job) this.export = null;
    } else if (this.imports.get(job.conn) === job) {
      this.imports.delete(job.conn);
    }
    this.history.push(job);
    if (this.history.length > HISTORY_MAX) this.history.shift();
  }

  /** Slots an active job (either way) holds. */
  private busySlot(slot: number): boolean {
    if (this.export !== null && this.export.inJob(slot)) return true;
    for (const imp of this.imports.values()) if (imp.slotMask[slot] === 1) return true;
    return false;
  }

  // ---- CLUSTER MIGRATESLOTS SLOTSRANGE a b [a b ...] NODE id ------------------------------

  migrateSlots(c: Client, argv: string[]): void {
    const st = this.cluster.st;
    const me = st.myself;
    if (me.isReplica) return c.addError('ERR Please use MIGRATESLOTS only with masters.');
    if (argv.length < 7 || argv[2].toLowerCase() !== 'slotsrange') return c.addError(ERR_SYNTAX);
    const slots: number[] = [];
    const seen = new Uint8Array(CLUSTER_SLOTS);
    let j = 3;
    let ranges = 0;
    for (; j + 1 < argv.length && argv[j].toLowerCase() !== 'node'; j += 2) {
      const a = slotNumber(argv[j]);
      const b = slotNumber(argv[j + 1]);
      if (a === null || b === null) return c.addError('ERR Invalid or out of range slot');
      if (a > b) return c.addError(`ERR start slot number ${a} is greater than end slot number ${b}`);
      if (++ranges > MAX_RANGES) return c.addError(ERR_SYNTAX);
      for (let s = a; s <= b; s++) {
        if (seen[s] === 1) return c.addError(`ERR Slot ${s} specified multiple times`);
        seen[s] = 1;
        slots.push(s);
      }
    }
    if (slots.length === 0 || j + 2 !== argv.length || argv[j].toLowerCase() !== 'node') return c.addError(ERR_SYNTAX);
    const target = st.lookup(argv[j + 1]);
    if (target === undefined) return c.addError(`ERR Unknown node ${argv[j + 1]}`);
    if (target === me) return c.addError("ERR Can't migrate slots to myself");
    if (!target.isPrimary) return c.addError('ERR Target node is not a master');
    if ((target.flags & NODE_FAIL) !== 0) return c.addError('ERR Target node is failing');
    slots.sort((x, y) => x - y);
    for (const s of slots) {
      if (st.slots[s] !== me) return c.addError(`ERR I'm not the owner of hash slot ${s}`);
      if (st.migratingTo[s] !== null || st.importingFrom[s] !== null) return c.addError(`ERR Slot ${s} is in a migrating or importing state (CLUSTER SETSLOT)`);
      if (this.busySlot(s)) return c.addError(`ERR Slot ${s} is already being migrated`);
    }
    if (this.export !== null) return c.addError('ERR A slot migration from this node is in progress; wait for it or cancel it');
    const job = new ExportJob(this, slots, target);
    this.export = job;
    void job.start();
    c.addOk();
  }

  cancel(c: Client): void {
    const job = this.export;
    let n = 0;
    if (job !== null && job.cancel()) n++;
    c.addInt(n);
  }

  getMigrations(c: Client): void {
    const views: JobView[] = [];
    for (const j of this.history) views.push(j.view());
    for (const imp of this.imports.values()) views.push(imp.view());
    if (this.export !== null) views.push(this.export.view());
    c.addArrayLen(views.length);
    for (const v of views) {
      const fields: Array<[string, string | number]> = [
        ['name', v.name],
        ['operation', v.operation],
        ['slot_ranges', v.slotRanges],
        ['target_node', v.targetNode],
        ['source_node', v.sourceNode],
        ['create_time', Math.floor(v.createTime / 1000)],
        ['last_update_time', Math.floor(v.lastUpdateTime / 1000)],
        ['last_ack_time', Math.floor(v.lastAckTime / 1000)],
        ['state', v.state],
        ['message', v.message],
        ['keys_sent', v.keysSent],
        ['keys_resent', v.keysResent],
        ['commands_forwarded', v.commandsForwarded],
        ['write_pause_ms', v.pauseMs],
      ];
      c.addMapLen(fields.length);
      for (const [k, val] of fields) {
        c.addBulk(k);
        if (typeof val === 'number') c.addInt(val);
        else c.addBulk(val);
      }
    }
  }

  // ---- CLUSTER SYNCSLOTS (from a source) ------------------------------------------------

  syncSlots(c: Client, argv: string[]): void {
    const op = argv.length > 2 ? argv[2].toLowerCase() : '';
    if (op === 'start') return this.syncStart(c, argv);
    const imp = this.imports.get(c);
    if (op === 'abort') {
      if (imp !== undefined) imp.end('cancelled', 'aborted by the source');
      return c.addOk();
    }
    if (imp === undefined || !imp.active) return c.addError('ERR No slot import on this connection');
    imp.lastAckTime = Date.now();
    if (op === 'apply') {
      let j = 3;
      while (j < argv.length) {
        const n = Number(argv[j]);
        if (!Number.isInteger(n) || n < 1 || j + 1 + n > argv.length) {
          imp.end('failed', 'malformed SYNCSLOTS APPLY');
          return c.addError('ERR malformed SYNCSLOTS APPLY');
        }
        const err = imp.apply(argv.slice(j + 1, j + 1 + n));
        if (err !== null) {
          imp.end('failed', err);
          return c.addError(err);
        }
        imp.commandsForwarded++;
        j += 1 + n;
      }
      return c.addOk();
    }
    if (op === 'commit' && argv.length === 3) {
      const st = this.cluster.st;
      for (const s of imp.slots) {
        if (st.slots[s] !== imp.source) {
          imp.end('failed', `slot ${s} is no longer the source's`);
          return c.addError(`ERR Slot ${s} is no longer served by the source`);
        }
      }
      return c.addInt(imp.commit());
    }
    c.addError(ERR_SYNTAX);
  }

  private syncStart(c: Client, argv: string[]): void {
    const st = this.cluster.st;
    const me = st.myself;
    if (argv.length < 7 || (argv.length - 5) % 2 !== 0) return c.addError(ERR_SYNTAX);
    if (me.isReplica) return c.addError('ERR Slots can be imported only by a master');
    if (this.imports.has(c)) return c.addError('ERR A slot import is already open on this connection');
    const source = st.lookup(argv[4]);
    if (source === undefined) return c.addError(`ERR Unknown node ${argv[4]}`);
    const slots: number[] = [];
    for (let j = 5; j < argv.length; j += 2) {
      const a = slotNumber(argv[j]);
      const b = slotNumber(argv[j + 1]);
      if (a === null || b === null || a > b) return c.addError('ERR Invalid or out of range slot');
      for (let s = a; s <= b; s++) {
        if (st.slots[s] !== source) return c.addError(`ERR Slot ${s} is not served by the source in my view`);
        if (st.importingFrom[s] !== null || this.busySlot(s)) return c.addError(`ERR Slot ${s} is already being imported`);
        slots.push(s);
      }
    }
    const imp = new ImportJob(this, argv[3], source, slots, c);
    this.imports.set(c, imp);
    // Keys of these slots left here by an earlier failed switch are dropped (they are not served).
    this.deleteSlots(slots);
    c.addOk();
  }

  // ---- deleting the moved slots' keys ---------------------------------------------------

  /** Deletes the keys of `slots` in slices, propagating them as DEL (slots no longer served here). */
  deleteSlots(slots: number[]): void {
    this.deleting.push(...slots);
    this.scheduleDelete();
  }

  private scheduleDelete(): void {
    if (this.deleteScheduled || this.deleting.length === 0) return;
    this.deleteScheduled = true;
    setImmediate(() => {
      this.deleteScheduled = false;
      this.deleteStep();
    });
  }

  private deleteStep(): void {
    const s = this.server;
    const db = s.ks.dbs[0];
    const st = this.cluster.st;
    const deadline = performance.now() + SLICE_MS;
    while (this.deleting.length > 0 && performance.now() < deadline) {
      const slot = this.deleting[this.deleting.length - 1];
      // A slot served here again (migrated back) keeps its keys.
      if (st.slots[slot] === st.myself) {
        this.deleting.pop();
        continue;
      }
      const keys = db.getKeysInSlot(slot, DELETE_BATCH);
      if (keys.length === 0) {
        this.deleting.pop();
        continue;
      }
      for (const k of keys) {
        db.delete(k);
        s.signalModifiedKey(db, k);
      }
      s.alsoPropagate(0, ['DEL', ...keys]);
    }
    this.scheduleDelete();
  }
}

function slotNumber(s: string): number | null {
  if (!/^\d{1,5}$/.test(s)) return null;
  const v = Number(s);
  return v < CLUSTER_SLOTS ? v : null;
}

const registries = new WeakMap<Cluster, SlotMigrations>();

/** The slot migrations of a cluster node (created on first use). */
export function slotMigrationsOf(cl: Cluster): SlotMigrations {
  let m = registries.get(cl);
  if (m === undefined) {
    m = new SlotMigrations(cl.server, cl);
    registries.set(cl, m);
  }
  return m;
}
