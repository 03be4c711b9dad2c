// Fork-less point-in-time snapshots (BGSAVE, the AOF rewrite's base, a replica's
// full resync).
//
// Node cannot fork(), so a snapshot walks the keyspace in slices between events
// while the server keeps serving, and keeps its point in time with copy-on-write
// at key level: before a key it has not reached yet changes (or is deleted), the
// keyspace tells the snapshot, which writes the key's old value at once. The file
// then holds every key as it was when the snapshot started, in some order.
//
// Progress. Databases are walked in order; within one, the walk follows the SCAN
// position array (a key keeps its position while it lives, see keyspace.ts). For the
// database being walked `cursor` is the next position; earlier databases are done and
// later ones not started. A key is "pending" (still to be written) when it lives in
// the current database at a position >= cursor, or in a later database, and it is not
// in that database's `skip` set. `skip` holds the keys that must not be written when
// the walk reaches them: those written early (copy-on-write) and those created after
// the start (a new key's position is checked when it is created). A key's position never
// changes while it lives, so this is exact.
//
// Keys written early go straight into the stream, preceded by SELECTDB when they
// belong to another database than the one being walked; RDB loaders (ours and
// Redis's) accept SELECTDB anywhere. FLUSHALL, FLUSHDB, SWAPDB and loads replace
// whole databases: before they run, the snapshot finishes synchronously (the only
// moment it stops the world, and only when such a command arrives meanwhile).
//
// Output is produced in chunks to `write(chunk)`; when it returns false the
// snapshot stops producing until `resume()`. Chunks are handed over (never reused).
//
// API:
//   startSnapshot(server, opts) -> Snapshot   begins; opts.onDone(err, bytes) at the end
//   snapshot.resume()                         the consumer drained; continue
//   snapshot.abort()                          stop now (onDone gets an error)
//   snapshot.keysProcessed / keysTotal        for INFO current_save_keys_*
//   saveSnapshotToFile(server, path, opts)    the file sink: temp file, fsync, rename

import { close, open, unlink, write as fsWrite } from 'node:fs';
import { commitTempFile } from '../util/atomic-file.js';
import { basename, dirname, resolve } from 'node:path';
import type { Server } from '../server/server.js';
import { functionLibrariesOf } from '../server/function-libraries.js';
import type { Database, KeyspaceObserver } from '../keyspace/keyspace.js';
import type { RObj } from '../types/object.js';
import { RDB_OPCODE, RdbFileWriter, writeLen, type KeyMeta } from './rdb.js';
import { keyDelayUs, keyMeta, rdbAux, writeOptions } from './persistence.js';

export interface SnapshotOptions {
  /** aof-base aux field (the base of a multi-part AOF). */
  aofBase?: boolean;
  /** More aux fields after the standard ones (repl-id, repl-offset, repl-stream-db...). */
  extraAux?: Array<[string, string]>;
  /** Receives the file's bytes in order; return false to pause until resume(). */
  write(chunk: Buffer): boolean;
  /** Called once: null and the byte count when the file is complete, or the error. */
  onDone(err: Error | null, bytes: number): void;
  /** Time budget of one slice in ms (default 2). */
  sliceMs?: number;
  /** No keys (REPLCONF rdb-filter-only). */
  noKeys?: boolean;
  /** No function libraries (REPLCONF rdb-filter-only without "functions"). */
  noFunctions?: boolean;
  /** Tests: no slices of its own; the caller drives it with advance(). */
  manual?: boolean;
}

/** Time budget of a slice; the clock is read every CHECK_EVERY keys. */
const DEFAULT_SLICE_MS = 0.5;
const CHECK_EVERY = 32;
/** Bytes the RDB writer gathers before handing a chunk to the consumer. */
const CHUNK_BYTES = 64 * 1024;
const NO_META: KeyMeta = {};

export class Snapshot implements KeyspaceObserver {
  readonly server: Server;
  readonly startedAt = Date.now();
  keysProcessed = 0;
  readonly keysTotal: number;
  /** Bytes written early by copy-on-write (INFO current_cow_size's analogue). */
  cowBytes = 0;
  private readonly fw: RdbFileWriter;
  private readonly opts: SnapshotOptions;
  private readonly skip: Array<Set<string> | null>;
  /** Databases that were empty at the start: nothing to write, nothing to track. */
  private readonly emptyAtStart: boolean[];
  private dbIndex = 0;
  private cursor = 0;
  /** Whether the current database's SELECTDB/RESIZEDB header was written. */
  private headerDone = false;
  /** Database the stream's last SELECTDB named (-1: none yet). */
  private streamDb = -1;
  private paused = false;
  private scheduled = false;
  private finished = false;
  private readonly lru: boolean;
  private readonly sliceMs: number;
  private readonly manual: boolean;
  /** rdb-key-save-delay when the snapshot started (Redis's child reads it at fork), in µs per key. */
  private readonly keyDelayUs: number;
  /** Delay owed by the keys walked in this slice (µs); the next slice waits it out. */
  private delayDebtUs = 0;
  /** Keys left for the current advance() call (manual mode). */
  private quota = Infinity;

  constructor(server: Server, opts: SnapshotOptions) {
    this.server = server;
    this.opts = opts;
    this.sliceMs = opts.sliceMs ?? DEFAULT_SLICE_MS;
    this.manual = !!opts.manual;
    const dbs = server.ks.dbs;
    this.skip = dbs.map(() => null);
    this.emptyAtStart = dbs.map((db) => db.size === 0 || !!opts.noKeys);
    this.keysTotal = opts.noKeys ? 0 : server.ks.totalKeys();
    this.lru = server.ks.lfu || server.config.getString('maxmemory-policy').endsWith('-lru');
    this.keyDelayUs = server.config.getNumber('rdb-key-save-delay');
    // Small chunks: each flush checksums its chunk in one go (CRC64 costs ~7 ns/byte).
    this.fw = new RdbFileWriter((chunk) => this.emit(chunk), writeOptions(server), server.config.getBool('rdbchecksum'), CHUNK_BYTES);
    this.fw.header(rdbAux(server, !!opts.aofBase, opts.extraAux));
    if (!opts.noFunctions) this.fw.functions(functionLibrariesOf(server)?.codes() ?? []);
    server.ks.observers.push(this);
    this.schedule();
  }

  get done(): boolean {
    return this.finished;
  }

  // ---- KeyspaceObserver --------------------------------------------------------------------

  beforeChange(db: Database, key: string, obj: RObj): void {
    if (!this.isPending(db, key, obj.pos)) return;
    const before = this.fw.bytesWritten + this.fw.w.pos;
    this.select(db.id);
    this.writeKey(db, key, obj);
    this.cowBytes += this.fw.bytesWritten + this.fw.w.pos - before;
    this.skipSet(db.id).add(key);
  }

  created(db: Database, key: string, pos: number): void {
    const id = db.id;
    if (id < this.dbIndex || this.emptyAtStart[id]) return;
    if (id === this.dbIndex && pos < this.cursor) return;
    this.skipSet(id).add(key);
  }

  beforeBulkChange(_db: Database): void {
    // Finish synchronously: the walk must not see the replaced databases.
    this.completeNow();
  }

  // ---- the walk ----------------------------------------------------------------------------

  private isPending(db: Database, key: string, pos: number): boolean {
    const id = db.id;
    if (this.finished || id < this.dbIndex || this.emptyAtStart[id]) return false;
    if (id === this.dbIndex && pos < this.cursor) return false;
    const sk = this.skip[id];
    return sk === null || !sk.has(key);
  }

  private skipSet(id: number): Set<string> {
    let s = this.skip[id];
    if (s === null) {
      s = new Set();
      this.skip[id] = s;
    }
    return s;
  }

  private select(id: number): void {
    if (this.streamDb === id) return;
    const w = this.fw.w;
    w.u8(RDB_OPCODE.SELECTDB);
    writeLen(w, id);
    this.streamDb = id;
  }

  private writeKey(db: Database, key: string, obj: RObj): void {
    const exp = db.expires.size === 0 ? -1 : db.getExpire(key);
    this.fw.key(key, obj, exp, this.lru ? keyMeta(this.server, obj) : NO_META);
    this.keysProcessed++;
  }

  /** Walks up to the time budget (or everything when `all`); returns true when complete. */
  private step(all: boolean): boolean {
    const dbs = this.server.ks.dbs;
    const deadline = all ? Infinity : performance.now() + this.sliceMs;
    let n = 0;
    while (this.dbIndex < dbs.length) {
      const db = dbs[this.dbIndex];
      if (this.emptyAtStart[this.dbIndex]) {
        this.nextDb();
        continue;
      }
      if (!this.headerDone) {
        this.fw.selectDb(db.id, db.size, db.expires.size);
        this.streamDb = db.id;
        this.headerDone = true;
      }
      const sk = this.skip[this.dbIndex];
      const count = db.posCount();
      while (this.cursor < count) {
        const key = db.keyAtPos(this.cursor++);
        if (key === undefined) continue;
        if (sk !== null && sk.has(key)) continue;
        const obj = db.dict.get(key);
        if (obj === undefined) continue; // cannot happen: a position names a live key
        this.select(db.id);
        this.writeKey(db, key, obj);
        if (this.keyDelayUs !== 0 && !all) {
          // rdb-key-save-delay: the slice ends once a millisecond of delay is owed;
          // run() waits it out on a timer, so the server keeps serving meanwhile.
          this.delayDebtUs += keyDelayUs(this.keyDelayUs);
          if (this.delayDebtUs >= 1000) return false;
        }
        if (--this.quota <= 0) return false;
        if (++n % CHECK_EVERY === 0 && (this.paused || performance.now() >= deadline)) return false;
      }
      this.nextDb();
    }
    return true;
  }

  private nextDb(): void {
    this.skip[this.dbIndex] = null;
    this.dbIndex++;
    this.cursor = 0;
    this.headerDone = false;
  }

  /** Manual mode: walks at most `keys` more keys; returns true once the snapshot is complete. */
  advance(keys: number): boolean {
    if (this.finished) return true;
    this.quota = keys;
    let complete: boolean;
    try {
      complete = this.step(true);
    } finally {
      this.quota = Infinity;
    }
    if (complete) this.finish();
    return complete;
  }

  private schedule(): void {
    if (this.manual || this.scheduled || this.finished || this.paused) return;
    this.scheduled = true;
    if (this.delayDebtUs >= 1000) {
      const ms = Math.floor(this.delayDebtUs / 1000);
      this.delayDebtUs -= ms * 1000;
      setTimeout(() => this.run(), ms);
      return;
    }
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    if (this.finished || this.paused) return;
    let complete: boolean;
    try {
      complete = this.step(false);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    if (complete) this.finish();
    else this.schedule();
  }

  /** Writes everything left at once (before FLUSHALL, SWAPDB, a load, a shutdown). */
  completeNow(): void {
    if (this.finished) return;
    this.quota = Infinity;
    try {
      this.step(true);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.finish();
  }

  private finish(): void {
    this.detach();
    this.fw.finish();
    this.finished = true;
    this.opts.onDone(null, this.fw.bytesWritten);
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.detach();
    this.finished = true;
    this.opts.onDone(err, this.fw.bytesWritten);
  }

  private detach(): void {
    const obs = this.server.ks.observers;
    const i = obs.indexOf(this);
    if (i >= 0) obs.splice(i, 1);
    this.skip.fill(null);
  }

  private emit(chunk: Buffer): void {
    // The writer reuses its buffer: hand over a copy.
    if (!this.opts.write(Buffer.from(chunk))) this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.schedule();
  }

  abort(reason = 'snapshot aborted'): void {
    this.fail(new Error(reason));
  }
}

export function startSnapshot(server: Server, opts: SnapshotOptions): Snapshot {
  return new Snapshot(server, opts);
}

/** Most bytes queued for the disk before the snapshot pauses. */
const FILE_QUEUE_LIMIT = 8 << 20;

export interface FileSnapshot {
  snapshot: Snapshot;
  tmpPath: string;
  /** Stops the snapshot and removes the temp file; onDone is called with an error. */
  abort(reason?: string): void;
}

/**
 * Writes a snapshot to `path` through `tmpName` in the same directory: asynchronous
 * writes (at most FILE_QUEUE_LIMIT bytes queued), fsync, rename over `path`, fsync
 * of the directory. onDone(null, bytes) once renamed; on any failure the temp file
 * is removed and `path` is left as it was.
 */
export function saveSnapshotToFile(
  server: Server,
  path: string,
  tmpName: string,
  opts: { aofBase?: boolean; extraAux?: Array<[string, string]>; onDone(err: Error | null, bytes: number): void },
): FileSnapshot {
  const dir = dirname(path);
  const tmp = resolve(dir, basename(tmpName));
  const queue: Buffer[] = [];
  let queued = 0;
  let fd = -1;
  let writing = false;
  let producerDone = false;
  let failed: Error | null = null;
  let ended = false;
  let bytesTotal = 0;

  const end = (err: Error | null): void => {
    if (ended) return;
    ended = true;
    const cleanup = (): void => {
      if (err) unlink(tmp, () => opts.onDone(err, bytesTotal));
      else opts.onDone(null, bytesTotal);
    };
    if (fd >= 0) {
      const f = fd;
      fd = -1;
      close(f, cleanup);
    } else cleanup();
  };

  const pump = (): void => {
    if (writing || ended) return;
    if (failed) {
      end(failed);
      return;
    }
    if (fd < 0) return;
    if (queue.length === 0) {
      if (!producerDone) return;
      // Everything written: fsync, close, rename (unless aborted meanwhile: FLUSHALL,
      // SHUTDOWN, SAVE never see the file replaced), fsync the directory.
      writing = true;
      const f = fd;
      fd = -1;
      commitTempFile(
        f,
        tmp,
        path,
        (e) => {
          writing = false;
          end(e);
        },
        () => failed,
      );
      return;
    }
    const buf = queue.shift()!;
    writing = true;
    const writeAll = (off: number): void => {
      fsWrite(fd, buf, off, buf.length - off, null, (e, n) => {
        if (e) {
          writing = false;
          failed = e;
          snapshot.abort('write error');
          end(e);
          return;
        }
        if (off + n < buf.length) return writeAll(off + n);
        writing = false;
        queued -= buf.length;
        if (queued < FILE_QUEUE_LIMIT / 2) snapshot.resume();
        pump();
      });
    };
    writeAll(0);
  };

  const snapshot = new Snapshot(server, {
    aofBase: opts.aofBase,
    extraAux: opts.extraAux,
    write: (chunk) => {
      queue.push(chunk);
      queued += chunk.length;
      bytesTotal += chunk.length;
      pump();
      return queued < FILE_QUEUE_LIMIT;
    },
    onDone: (err) => {
      if (err) {
        failed = failed ?? err;
        if (!writing) end(failed);
        return;
      }
      producerDone = true;
      pump();
    },
  });

  open(tmp, 'w', (e, f) => {
    if (e) {
      failed = e;
      snapshot.abort('open failed');
      end(e);
      return;
    }
    if (ended) {
      // Aborted before the file was open: it must not stay behind.
      close(f, () => unlink(tmp, () => {}));
      return;
    }
    fd = f;
    pump();
  });

  return {
    snapshot,
    tmpPath: tmp,
    abort: (reason = 'aborted') => {
      const err = new Error(reason);
      failed = failed ?? err;
      snapshot.abort(reason);
      if (!writing) end(failed);
    },
  };
}
