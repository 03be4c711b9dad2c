// The primary's side of one replica connection: what the replica told us
// (REPLCONF listening-port, ip-address, capa), where it is in its synchronization
// (waiting for the snapshot, receiving it, online), the RDB bytes queued for it, the
// stream held back until it may receive it, and what it acknowledged.
//
// Writing to a replica. The RDB payload of a full sync is pumped with backpressure
// (at most BULK_SOCKET_HIGH_WATER bytes in the socket; the rest waits in `bulk`),
// so the socket's pending bytes never count a large file against the output
// buffer limit, as in Redis where the RDB goes through a pipe or the file, not the
// replica's output buffer. The command stream produced after the snapshot's point
// in time is held in `held` until the replica is ready for it (after the bulk; for
// a transfer delimited by an EOF mark, after its first REPLCONF ACK, because Redis
// replicas detect the mark at the end of a read and stream bytes in the same read
// would hide it). Held bytes plus the socket's pending bytes are what
// `client-output-buffer-limit replica` limits: a replica that stops reading is
// dropped, the primary's memory is not.

import type { Socket } from 'node:net';
import type { Client } from '../server/client.js';
import type { Replication } from './replication.js';

/** Redis's slave states, as INFO shows them (wait_bgsave covers both waits). */
export type ReplicaState = 'wait_bgsave_start' | 'wait_bgsave_end' | 'send_bulk' | 'online';

/** Bytes of RDB payload allowed in the socket before the pump waits for 'drain'. */
export const BULK_SOCKET_HIGH_WATER = 256 * 1024;
/** The pump writes the payload in pieces of at most this size. */
const BULK_PIECE_BYTES = 64 * 1024;

export class ReplicaConn {
  readonly c: Client;
  readonly repl: Replication;
  state: ReplicaState = 'wait_bgsave_start';
  /** REPLCONF listening-port (0 when never sent). */
  listeningPort = 0;
  /** REPLCONF ip-address (replica-announce-ip), '' when not sent. */
  announcedIp = '';
  capaEof = false;
  capaPsync2 = false;
  /** REPLCONF rdb-only 1: wants the RDB, not the stream (redis-cli --rdb). */
  rdbOnly = false;
  /**
   * REPLCONF rdb-filter-only: 'all' (not sent), 'functions' (the function libraries
   * only: redis-cli --functions-rdb) or 'none' (an empty filter list: neither keys nor functions).
   */
  rdbFilter: 'all' | 'functions' | 'none' = 'all';
  /** Connected with SYNC (no +FULLRESYNC line, no REPLCONF ACK expected). */
  preSync = false;
  /** Highest offset acknowledged with REPLCONF ACK, and the AOF fsynced one (FACK). */
  ackOffset = 0;
  aofAckOffset = 0;
  /** When the last ACK arrived (ms). */
  ackTime = Date.now();
  /** When it started waiting for a snapshot (ms), for repl-diskless-sync-delay. */
  waitSince = Date.now();
  /** True once the stream flows to the socket directly. */
  streaming = false;
  /** Diskless transfer done: the stream starts at the first REPLCONF ACK. */
  streamOnAck = false;
  /** Stream bytes held until the replica may receive them. */
  private held: Buffer[] = [];
  heldBytes = 0;
  /** RDB payload waiting for the socket. */
  private bulk: Array<Buffer | undefined> = [];
  private bulkHead = 0;
  private bulkOffset = 0;
  private bulkEnded = false;
  private bulkDone: (() => void) | null = null;
  private waitingDrain = false;
  /** When the payload last found the socket full (0: it is not waiting), for repl-timeout. */
  bulkStalledSince = 0;
  /** Output buffer soft limit: when it was first exceeded (0: not exceeded). */
  private softSince = 0;
  /** Bytes of RDB payload sent (INFO, logs). */
  bulkSent = 0;

  constructor(repl: Replication, c: Client) {
    this.repl = repl;
    this.c = c;
  }

  get socket(): Socket | null {
    return this.c.socket;
  }

  /** IP as INFO and ROLE show it: the announced one, else the peer address. */
  ip(): string {
    if (this.announcedIp !== '') return this.announcedIp;
    let a = this.c.socket?.remoteAddress ?? '';
    if (a.startsWith('::ffff:')) a = a.slice(7);
    return a;
  }

  /** Redis's replicationGetSlaveName: "ip:port". */
  name(): string {
    return this.listeningPort ? `${this.ip()}:${this.listeningPort}` : `${this.ip()}:<unknown-replica-port>`;
  }

  /** Writes protocol bytes at once, after any reply still pending for the client. */
  writeNow(data: string | Buffer): void {
    const s = this.c.socket;
    if (!s || s.destroyed) return;
    const c = this.c;
    if (c.out.length > 0) {
      s.write(c.out, 'latin1');
      c.out = '';
    }
    if (typeof data === 'string') s.write(data, 'latin1');
    else s.write(data);
    this.repl.stats.replOutput += data.length;
  }

  // ---- the command stream ------------------------------------------------------------------

  /**
   * A piece of the stream produced after this replica's synchronization point.
   * Returns false when the replica went over its output buffer limit (the caller
   * closes it outside its loop).
   */
  feed(data: Buffer): boolean {
    if (this.state === 'wait_bgsave_start') return true; // the coming snapshot includes it
    if (this.streaming) {
      const s = this.c.socket;
      if (!s || s.destroyed) return true;
      s.write(data);
      this.repl.stats.replOutput += data.length;
    } else {
      this.held.push(data);
      this.heldBytes += data.length;
    }
    return !this.overLimit();
  }

  /** Starts the stream: held bytes first, then everything as it is produced. */
  startStream(): void {
    this.streamOnAck = false;
    this.streaming = true;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    const s = this.c.socket;
    if (!s || s.destroyed) return;
    for (const b of held) {
      s.write(b);
      this.repl.stats.replOutput += b.length;
    }
  }

  /**
   * client-output-buffer-limit for the replica class over the held stream plus, once
   * the payload is out, the socket's pending bytes. Hard limit at once, soft limit
   * when exceeded for its whole period.
   */
  overLimit(): boolean {
    const s = this.c.socket;
    let used = this.heldBytes;
    // While the payload is being sent the socket holds only payload.
    if (s && this.state === 'online' && this.bulkHead >= this.bulk.length) used += s.writableLength;
    const limits = this.repl.server.config.getList('client-output-buffer-limit');
    const i = limits.indexOf('slave');
    if (i < 0) return false;
    const hard = Number(limits[i + 1]);
    const soft = Number(limits[i + 2]);
    const softSecs = Number(limits[i + 3]);
    if (hard > 0 && used >= hard) return true;
    if (soft > 0 && used >= soft) {
      const now = Date.now();
      if (this.softSince === 0) this.softSince = now;
      else if (now - this.softSince >= softSecs * 1000) return true;
    } else {
      this.softSince = 0;
    }
    return false;
  }

  // ---- the RDB payload ---------------------------------------------------------------------

  /** Queues payload bytes (never modified afterwards by the producer). */
  bulkPush(b: Buffer): void {
    if (b.length === 0) return;
    this.bulk.push(b);
    this.pump();
  }

  /** No more payload; `done` runs once everything was handed to the socket. */
  bulkEnd(done: () => void): void {
    this.bulkEnded = true;
    this.bulkDone = done;
    this.pump();
  }

  /** True when the socket has room for more payload (the snapshot may go on producing). */
  get bulkHasRoom(): boolean {
    const s = this.c.socket;
    return !s || s.destroyed || s.writableLength < BULK_SOCKET_HIGH_WATER;
  }

  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.bulkStalledSince = 0;
    this.pump();
    this.repl.bulkDrained();
  };

  /** Writes payload while the socket takes it; continues on 'drain'. */
  pump(): void {
    const s = this.c.socket;
    if (!s || s.destroyed) return;
    while (this.bulkHead < this.bulk.length) {
      if (s.writableLength >= BULK_SOCKET_HIGH_WATER) {
        if (!this.waitingDrain) {
          this.waitingDrain = true;
          this.bulkStalledSince = Date.now();
          s.once('drain', this.onDrain);
        }
        return;
      }
      const b = this.bulk[this.bulkHead]!;
      const end = Math.min(b.length, this.bulkOffset + BULK_PIECE_BYTES);
      s.write(b.subarray(this.bulkOffset, end));
      this.bulkSent += end - this.bulkOffset;
      this.repl.stats.replOutput += end - this.bulkOffset;
      this.bulkOffset = end;
      if (end === b.length) {
        this.bulk[this.bulkHead++] = undefined;
        this.bulkOffset = 0;
      }
    }
    this.bulk = [];
    this.bulkHead = 0;
    if (this.bulkEnded && this.bulkDone !== null) {
      const done = this.bulkDone;
      this.bulkDone = null;
      this.bulkEnded = false;
      done();
    }
  }

  /** Forgets queued payload and held stream (the connection is going away). */
  release(): void {
    this.bulk = [];
    this.bulkHead = 0;
    this.held = [];
    this.heldBytes = 0;
    this.bulkDone = null;
  }
}
