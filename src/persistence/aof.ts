// The append-only file (Redis 7's multi-part AOF), fork-less.
//
// Writing. Every dataset change leaves the server through its one propagation hook;
// the AOF encodes each command as a RESP array into an in-memory buffer (SELECT
// first when the database changes, `#TS:<unix>` annotations under
// aof-timestamp-enabled, PUBLISH skipped: PROPAGATE_REPL_ONLY). At the end of the
// event-loop turn the buffer is written to the current incr file with one write(),
// before the replies of that turn reach the clients: the server's flushPending
// asks beforeFlush(), which holds the replies while commands wait in the buffer and
// schedules one setImmediate that writes (and, with appendfsync always, fsyncs)
// and then lets the replies go. So an acknowledged write is in the file (kill -9
// loses nothing) and, with `always`, on disk. `everysec` fsyncs at most once a
// second on libuv's thread pool (never on the event loop); while such an fsync is
// still running the write is postponed up to 2 s, as Redis does (aof_delayed_fsync
// counts the times it gave up waiting). `no` never fsyncs.
//
// Files (see aof-manifest.ts): dir/appenddirname holds the manifest, one base and
// the incr files. At start-up (loadAofAtStartup) the manifest is read, an old
// single-file dir/appendfilename is migrated into the directory, the files are
// loaded (aof-loader.ts), a base is created when there is none and the last incr
// file is opened for appending (a new one when there is none).
//
// Rewrite (BGREWRITEAOF, auto-aof-rewrite-*, CONFIG SET appendonly yes): in one
// synchronous step the buffer is written out, a new incr file is opened and added
// to the manifest (persisted), appends switch to it, and a point-in-time snapshot
// of the keyspace starts (snapshot.ts: slices between events, copy-on-write per
// key). The snapshot becomes the new base (temp file, fsync, rename); then the
// manifest is rewritten with the new base and the new incr, and the old base and
// incr files become history and are deleted (kept, listed as history, while
// aof-disable-auto-gc is yes). INFO aof_rewrites counts rewrites started, as
// Redis does. No rewrite buffer is needed, and a crash at any moment leaves a
// manifest whose files load: the old base plus every incr file until the new
// manifest is in place. While AOF is being turned on
// (CONFIG SET appendonly yes) appends go to a temp incr file that joins the
// manifest only when the first base is complete. With aof-use-rdb-preamble no the
// base is written as commands by walking the keyspace synchronously (this blocks
// for the time of the walk; the RDB preamble, the default, never does).
//
// A BGREWRITEAOF while a BGSAVE runs is scheduled and starts from the cron when the
// BGSAVE ends; BGSAVE is refused while a rewrite runs (rdbState.otherSnapshotActive).
// SHUTDOWN writes the buffer and fsyncs. Write errors: with `always` the server
// exits (Redis does); otherwise aof_last_write_status turns err, writes are refused
// with MISCONF and the buffer is retried from the cron.
//
// API:
//   installAof(server)            hooks: before-reply flush, cron, shutdown,
//                                 CONFIG SET, INFO, MISCONF (propagation while on)
//   loadAofAtStartup(server)      false (after logging) when the server must not start
//   aofStateOf(s)                 state and counters of a server's AOF
//   aofInfoFields(server)         INFO persistence's aof_* fields in Redis 7.2's order
//   bgrewriteaofCommand           the BGREWRITEAOF handler (spec in commands/persistence-commands.ts)
//   rewriteAppendOnlyFileBackground(server)  start a rewrite: true when started
//   restartAppendOnlyAfterLoad(server)       the dataset was replaced (full sync): AOF
//                                            off and on again (new base)

import {
  closeSync,
  existsSync,
  fstatSync,
  fsync,
  close as fsClose,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlink,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Server } from '../server/server.js';
import { PROPAGATE_REPL_ONLY } from '../server/server.js';
import { CLIENT_EXECUTING_EXEC, CLIENT_MASTER, type Client } from '../server/client.js';
import { PhaseSwitch } from '../server/phases.js';
import { ConfigError } from '../config/config.js';
import { CMD_WRITE } from '../commands/table.js';
import { ObjType } from '../types/object.js';
import type { RList } from '../types/list.js';
import type { RHash, RSet } from '../types/object.js';
import type { SortedSet } from '../types/sorted-set.js';
import { ID_MAX, ID_ZERO, formatId, type Stream } from '../types/stream.js';
import { formatDouble } from '../util/numbers.js';
import { rdbStateOf, setAofInfoProvider, writeRdbSnapshot } from './persistence.js';
import { fsyncDir, replaceFileSync, writeFileAtomicSync } from '../util/atomic-file.js';
import { saveSnapshotToFile } from './snapshot.js';
import { CommandBuffer } from '../protocol/command-buffer.js';
import { createReplicationBacklogIfNeeded } from '../replication/index.js';
import {
  ManifestError,
  baseFileName,
  cloneManifest,
  emptyManifest,
  formatManifest,
  incrFileName,
  manifestFileName,
  parseManifest,
  tempIncrFileName,
  type AofFileInfo,
  type AofManifest,
} from './aof-manifest.js';
import { AOF_EMPTY, AOF_FAILED, AOF_NOT_EXIST, AOF_OK, AOF_OPEN_ERR, loadAofFiles } from './aof-loader.js';
import { functionLibrariesOf } from '../server/function-libraries.js';

// ---- limits -------------------------------------------------------------------------------

/** Initial size of the command buffer, and the size it is shrunk back to. */
const AOF_BUF_INITIAL_BYTES = 64 * 1024;
/** A buffer grown past this is replaced by a small one after it is written. */
const AOF_BUF_KEEP_MAX_BYTES = 4 * 1024 * 1024;
/** Buffered bytes that force a write at once, even in the middle of a turn or while an fsync runs. */
const AOF_BUF_FORCE_WRITE_BYTES = 64 * 1024 * 1024;
/** everysec: how long a write may wait for a running fsync (Redis: 2 seconds). */
const AOF_FSYNC_POSTPONE_MAX_MS = 2000;
/** everysec: the fsync period. */
const AOF_FSYNC_PERIOD_MS = 1000;
/** Jobs (fsync, close) queued for the thread pool; a larger queue is a bug. */
const BIO_QUEUE_MAX = 64;
/** Items per command in a base written as commands (Redis's AOF_REWRITE_ITEMS_PER_CMD). */
const REWRITE_ITEMS_PER_CMD = 64;
/** Bytes gathered before a write when the base is written as commands. */
const REWRITE_WRITE_CHUNK_BYTES = 1024 * 1024;
/** Consecutive rewrite failures after which automatic rewrites are delayed (Redis's). */
const REWRITE_LIMIT_THRESHOLD = 3;
const REWRITE_LIMIT_MAX_MINUTES = 60;
/** Write errors are logged at most this often (Redis: 30 s). */
const WRITE_ERROR_LOG_PERIOD_MS = 30000;

const AOF_OFF = 0;
const AOF_ON = 1;
/** Turning on: the first rewrite runs; appends go to the temp incr file. */
const AOF_WAIT_REWRITE = 2;

const FSYNC_NO = 0;
const FSYNC_ALWAYS = 1;
const FSYNC_EVERYSEC = 2;

// ---- state --------------------------------------------------------------------------------

export interface AofState {
  /** INFO aof_enabled: AOF is on or being turned on. */
  enabled: boolean;
  rewriteInProgress: boolean;
  rewriteScheduled: boolean;
  /** server.masterReplOffset covered by the last completed fsync (WAITAOF numlocal). */
  fsyncedReplOffset: number;
  lastWriteOk: boolean;
  writeOkFlag: boolean;
  /** Told when lastWriteOk changes (the MISCONF check is on while it is false). */
  onWriteOk: ((ok: boolean) => void) | null;
  /** strerror text of the last write/fsync error (MISCONF). */
  lastWriteError: string;
  lastBgrewriteOk: boolean;
  rewrites: number;
  rewritesConsecutiveFailures: number;
  lastRewriteTimeSec: number;
  /** Date.now() when the running rewrite started (0: none). */
  rewriteStartMs: number;
  lastCowSize: number;
  /** Bytes of the base and incr files (INFO aof_current_size). */
  currentSize: number;
  /** aof_current_size when the last rewrite ended (INFO aof_base_size). */
  baseSize: number;
  delayedFsync: number;
  /** Bytes written to, and fsynced in, the current incr file (tests compare them). */
  incrWrittenBytes: number;
  incrFsyncedBytes: number;
  /** Set while the AOF is loaded at start-up. */
  loading: boolean;
}

function newAofState(): AofState {
  return {
    enabled: false,
    rewriteInProgress: false,
    rewriteScheduled: false,
    fsyncedReplOffset: 0,
    writeOkFlag: true,
    onWriteOk: null,
    get lastWriteOk(): boolean {
      return this.writeOkFlag;
    },
    set lastWriteOk(ok: boolean) {
      this.writeOkFlag = ok;
      this.onWriteOk?.(ok);
    },
    lastWriteError: '',
    lastBgrewriteOk: true,
    rewrites: 0,
    rewritesConsecutiveFailures: 0,
    lastRewriteTimeSec: -1,
    rewriteStartMs: 0,
    lastCowSize: 0,
    currentSize: 0,
    baseSize: 0,
    delayedFsync: 0,
    incrWrittenBytes: 0,
    incrFsyncedBytes: 0,
    loading: false,
  };
}

const managers = new WeakMap<Server, Aof>();

export function aofStateOf(server: Server): AofState {
  return mgr(server).st;
}

function mgr(server: Server): Aof {
  const m = managers.get(server);
  if (!m) throw new Error('AOF not installed on this server');
  return m;
}

function strerror(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOSPC':
      return 'No space left on device';
    case 'EIO':
      return 'Input/output error';
    case 'EBADF':
      return 'Bad file descriptor';
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EROFS':
      return 'Read-only file system';
    case 'EDQUOT':
      return 'Disk quota exceeded';
    case 'EFBIG':
      return 'File too large';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    default:
      return err.message ?? String(e);
  }
}

/** Writes all of `buf[0, len)` to `fd`; returns the bytes written before an error (and the error). */
function writeAll(fd: number, buf: Buffer, len: number): { n: number; err: unknown } {
  let off = 0;
  try {
    while (off < len) off += writeSync(fd, buf, off, len - off);
  } catch (e) {
    return { n: off, err: e };
  }
  return { n: off, err: null };
}

/** A job for the thread pool: fsync and/or close a file descriptor. Run one at a time, in order. */
interface BioJob {
  fd: number;
  fsync: boolean;
  close: boolean;
  /** For an fsync of the current incr file: what it covers. */
  incrBytes: number;
  replOffset: number;
  /** The incr file generation the fsync belongs to (a rewrite starts a new one). */
  gen: number;
}

/** A base being written: the snapshot to a file (or the synchronous command walk). */
interface BaseWrite {
  abort(reason: string): void;
  cowBytes(): number;
}

interface Rewrite {
  startMs: number;
  /** The base file being produced (name in the AOF directory). */
  baseName: string;
  baseSeq: number;
  job: BaseWrite | null;
  /** Turning AOF on: the incr file is the temp one. */
  initial: boolean;
  done: boolean;
}

class Aof {
  readonly st = newAofState();
  state = AOF_OFF;
  fsyncPolicy = FSYNC_EVERYSEC;
  timestamps = false;
  manifest: AofManifest = emptyManifest();
  /** Absolute path of the AOF directory (fixed while the AOF is on). */
  dirPath = '';
  prefix = 'appendonly.aof';
  /** The incr file appended to (-1: none). */
  fd = -1;
  /** Incremented whenever `fd` changes, so late fsync completions are recognised. */
  fdGen = 0;
  readonly out = new CommandBuffer(AOF_BUF_INITIAL_BYTES, AOF_BUF_KEEP_MAX_BYTES);
  selectedDb = -1;
  lastTsSec = 0;
  /** server.masterReplOffset when the buffer was last written out. */
  writtenReplOffset = 0;
  flushScheduled = false;
  postponedSinceMs = 0;
  lastFsyncMs = 0;
  lastWriteErrorLogMs = 0;
  bio: BioJob[] = [];
  bioRunning = false;
  /** An fsync of the current incr file is queued or running (everysec postpones writes meanwhile). */
  curFsyncPending = false;
  rewrite: Rewrite | null = null;
  /** Numbers the temp base files of rewrites. */
  rewriteSerial = 0;
  /** Rewrite limiting after repeated failures (Redis's aofRewriteLimited). */
  limitDelayMinutes = 0;
  limitUntilMs = 0;
  private readonly onImmediate: () => void;
  private readonly feedFn: (dbid: number, argv: string[], flags: number) => void;
  /** Unsubscribes the propagation listener (subscribed only while there is a file to append to). */
  private unsubscribe: (() => void) | null = null;

  constructor(readonly server: Server) {
    this.feedFn = (dbid, argv, flags) => this.feed(dbid, argv, flags);
    this.onImmediate = () => {
      this.flushScheduled = false;
      this.flush(false);
      this.server.flushPending();
    };
    this.readConfig();
  }

  readConfig(): void {
    const cfg = this.server.config;
    const p = cfg.getString('appendfsync');
    this.fsyncPolicy = p === 'always' ? FSYNC_ALWAYS : p === 'no' ? FSYNC_NO : FSYNC_EVERYSEC;
    this.timestamps = cfg.getBool('aof-timestamp-enabled');
  }

  get log() {
    return this.server.log;
  }

  setState(s: number): void {
    this.state = s;
    this.st.enabled = s !== AOF_OFF;
  }

  // ---- the command stream -----------------------------------------------------------------

  /** The propagation listener: one command into the buffer (hot path: no allocation beyond growth). */
  feed(dbid: number, argv: string[], flags: number): void {
    if (this.fd < 0 || (flags & PROPAGATE_REPL_ONLY) !== 0 || this.st.loading) return;
    if (this.timestamps) {
      const sec = Math.floor(Date.now() / 1000);
      if (sec > this.lastTsSec) {
        this.lastTsSec = sec;
        this.out.appendRaw(`#TS:${sec}\r\n`);
      }
    }
    if (dbid !== this.selectedDb) {
      this.out.appendCommand(['SELECT', String(dbid)]);
      this.selectedDb = dbid;
    }
    this.out.appendCommand(argv);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.onImmediate);
    }
    if (this.out.len >= AOF_BUF_FORCE_WRITE_BYTES) this.flush(true);
  }

  /**
   * The server's before-reply hook: false (hold the replies) while commands of this
   * turn wait in the buffer; the scheduled flush writes them and releases the replies.
   */
  beforeFlush(): boolean {
    if (this.out.len === 0 || this.fd < 0 || !this.st.lastWriteOk) return true;
    // everysec with an fsync still running: the write is postponed and Redis replies meanwhile.
    if (this.fsyncPolicy === FSYNC_EVERYSEC && this.curFsyncPending && this.postponedSinceMs !== 0) return true;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.onImmediate);
    }
    return false;
  }

  /**
   * Writes the buffer to the incr file and fsyncs per policy (Redis's
   * flushAppendOnlyFile). `force`: write even while an everysec fsync runs.
   */
  flush(force: boolean): void {
    if (this.fd < 0) {
      this.out.reset();
      return;
    }
    const st = this.st;
    const now = Date.now();
    if (this.out.len === 0) {
      // Nothing new; an fsync may still be due for what was written earlier.
      const unsynced = st.incrWrittenBytes !== st.incrFsyncedBytes;
      if (this.fsyncPolicy === FSYNC_EVERYSEC && unsynced && now - this.lastFsyncMs >= AOF_FSYNC_PERIOD_MS && !this.curFsyncPending) {
        this.tryFsync(now);
      } else if (this.fsyncPolicy === FSYNC_ALWAYS && unsynced) {
        this.tryFsync(now);
      } else if (!unsynced && !this.bioRunning && this.fsyncPolicy !== FSYNC_NO && this.state === AOF_ON) {
        // Everything is on disk: offsets that advanced without AOF data (PUBLISH) are covered too.
        st.fsyncedReplOffset = this.server.masterReplOffset;
      }
      return;
    }
    // Redis postpones a write while an fsync of the same file runs (the write could block behind it).
    if (this.fsyncPolicy === FSYNC_EVERYSEC && this.curFsyncPending && !force) {
      if (this.postponedSinceMs === 0) {
        this.postponedSinceMs = now;
        return;
      }
      if (now - this.postponedSinceMs < AOF_FSYNC_POSTPONE_MAX_MS) return;
      st.delayedFsync++;
      this.log.notice('Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.');
    }
    this.postponedSinceMs = 0;
    const replOffset = this.server.masterReplOffset;
    const { n, err } = writeAll(this.fd, this.out.buf, this.out.len);
    if (err !== null) {
      this.onWriteError(n, err, now);
      return;
    }
    if (!st.lastWriteOk) {
      this.log.warning('AOF write error looks solved, Redis can write again.');
      st.lastWriteOk = true;
      st.lastWriteError = '';
    }
    st.currentSize += n;
    st.incrWrittenBytes += n;
    this.writtenReplOffset = replOffset;
    this.out.reset();
    this.tryFsync(now);
  }

  private onWriteError(n: number, err: unknown, now: number): void {
    const st = this.st;
    if (now - this.lastWriteErrorLogMs > WRITE_ERROR_LOG_PERIOD_MS) {
      this.lastWriteErrorLogMs = now;
      if (n > 0) this.log.warning(`Short write while writing to the AOF file: (nwritten=${n}, expected=${this.out.len})`);
      else this.log.warning(`Error writing to the AOF file: ${strerror(err)}`);
    }
    if (n > 0) {
      // Take the partial command back out of the file, or keep what was written.
      try {
        ftruncateSync(this.fd, st.incrWrittenBytes);
      } catch (e) {
        this.log.warning(`Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: ${strerror(e)}`);
        st.currentSize += n;
        st.incrWrittenBytes += n;
        this.out.consume(n);
      }
    }
    st.lastWriteOk = false;
    st.lastWriteError = strerror(err);
    if (this.fsyncPolicy === FSYNC_ALWAYS) {
      this.log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      this.server.exit(1);
    }
  }

  /** The fsync part of flush(): always = now on this thread; everysec = on the thread pool, once a second. */
  private tryFsync(now: number): void {
    const st = this.st;
    if (this.server.config.getBool('no-appendfsync-on-rewrite') && st.rewriteInProgress) return;
    if (this.fsyncPolicy === FSYNC_ALWAYS) {
      try {
        const t0 = performance.now();
        fsyncSync(this.fd);
        this.server.latencySample('aof-fsync-always', performance.now() - t0);
      } catch (e) {
        this.log.warning(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${strerror(e)}. Exiting...`);
        st.lastWriteOk = false;
        st.lastWriteError = strerror(e);
        this.server.exit(1);
        return;
      }
      st.incrFsyncedBytes = st.incrWrittenBytes;
      this.lastFsyncMs = now;
      if (this.state === AOF_ON) st.fsyncedReplOffset = this.writtenReplOffset;
    } else if (this.fsyncPolicy === FSYNC_EVERYSEC && now - this.lastFsyncMs >= AOF_FSYNC_PERIOD_MS) {
      if (!this.curFsyncPending) {
        this.curFsyncPending = true;
        this.bioSubmit({ fd: this.fd, fsync: true, close: false, incrBytes: st.incrWrittenBytes, replOffset: this.writtenReplOffset, gen: this.fdGen });
      }
      this.lastFsyncMs = now;
    }
  }

  // ---- background jobs (Redis's bio thread, on libuv's pool) ------------------------------

  private bioSubmit(job: BioJob): void {
    if (this.bio.length >= BIO_QUEUE_MAX) throw new Error('AOF background job queue overflow');
    this.bio.push(job);
    this.bioRunning = true;
    if (this.bio.length === 1) this.bioNext();
  }

  private bioNext(): void {
    const job = this.bio[0];
    const finish = (): void => {
      this.bio.shift();
      if (this.bio.length > 0) this.bioNext();
      else this.bioRunning = false;
    };
    const closeThen = (): void => {
      if (job.close) fsClose(job.fd, () => finish());
      else finish();
    };
    if (!job.fsync) {
      closeThen();
      return;
    }
    fsync(job.fd, (err) => {
      const current = job.gen === this.fdGen;
      if (err) {
        this.log.warning(`Fail to fsync the AOF file: ${strerror(err)}`);
        this.st.lastWriteOk = false;
        this.st.lastWriteError = strerror(err);
      } else if (current) {
        const st = this.st;
        if (job.incrBytes > st.incrFsyncedBytes) st.incrFsyncedBytes = job.incrBytes;
        if (this.state === AOF_ON && job.replOffset > st.fsyncedReplOffset) st.fsyncedReplOffset = job.replOffset;
      }
      if (current) {
        this.curFsyncPending = false;
        // A write postponed for this fsync can go now.
        if (this.postponedSinceMs !== 0 && this.out.len > 0) {
          this.flush(false);
          this.server.flushPending();
        }
      }
      closeThen();
    });
  }

  /** Stops listening to propagation (AOF off, or turning on failed). */
  private unlisten(): void {
    if (this.unsubscribe !== null) this.unsubscribe();
    this.unsubscribe = null;
  }

  /** Retires the current incr fd: fsynced and closed after the jobs before it (never blocks). */
  private retireFd(syncNow: boolean): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    this.fdGen++;
    this.curFsyncPending = false;
    this.postponedSinceMs = 0;
    if (syncNow) {
      try {
        fsyncSync(fd);
      } catch (e) {
        this.log.warning(`Fail to fsync the AOF file: ${strerror(e)}`);
      }
      this.bioSubmit({ fd, fsync: false, close: true, incrBytes: 0, replOffset: 0, gen: -1 });
    } else {
      this.bioSubmit({ fd, fsync: true, close: true, incrBytes: 0, replOffset: 0, gen: -1 });
    }
  }

  /** Makes `fd` (holding `size` bytes) the incr file appended to. */
  useFd(fd: number, size: number): void {
    // Without a listener the dispatcher does not queue propagation at all (no cost while AOF is off).
    if (this.unsubscribe === null) this.unsubscribe = this.server.onPropagate(this.feedFn);
    this.fd = fd;
    this.fdGen++;
    this.selectedDb = -1;
    this.lastTsSec = 0;
    this.st.incrWrittenBytes = size;
    this.st.incrFsyncedBytes = size;
  }

  // ---- files --------------------------------------------------------------------------------

  path(name: string): string {
    return join(this.dirPath, name);
  }

  /** Writes the manifest: temp file, fsync, rename, fsync of the directory. Throws on failure. */
  persistManifest(m: AofManifest): void {
    const name = manifestFileName(this.prefix);
    const tmp = this.path(`temp-${name}`);
    writeFileAtomicSync(this.path(name), tmp, Buffer.from(formatManifest(m), 'latin1'), (_stage, e) => {
      this.log.warning(`Can't persist the AOF manifest file ${name}: ${strerror(e)}`);
    });
  }

  /** Creates the AOF directory if needed; throws (after logging) when it cannot. */
  ensureDir(): void {
    try {
      mkdirSync(this.dirPath, { recursive: true });
    } catch (e) {
      this.log.warning(`Can't open or create append-only dir ${this.server.config.getString('appenddirname')}: ${strerror(e)}`);
      throw e;
    }
  }

  resolvePaths(): void {
    const cfg = this.server.config;
    this.dirPath = resolve(cfg.getString('dir'), cfg.getString('appenddirname'));
    this.prefix = cfg.getString('appendfilename');
  }

  /**
   * Drops the history entries from the manifest (persisted) and deletes their files
   * in the background (Redis's aofDelHistoryFiles). Not while aof-disable-auto-gc is
   * yes: the files stay, listed as type h, until it is set back to no.
   */
  deleteHistory(): void {
    if (this.manifest.history.length === 0 || this.server.config.getBool('aof-disable-auto-gc')) return;
    const old = this.manifest.history;
    const m = cloneManifest(this.manifest);
    m.history = [];
    try {
      this.persistManifest(m);
    } catch {
      return;
    }
    this.manifest = m;
    for (const f of old) {
      this.log.notice(`Removing the history file ${f.name} in the background`);
      unlink(this.path(f.name), () => {});
    }
  }

  // ---- rewrite ------------------------------------------------------------------------------

  /**
   * Starts a rewrite now (Redis's rewriteAppendOnlyFileBackground). The caller has
   * checked that none runs and no BGSAVE does. Returns false (after logging) when
   * the files could not be prepared.
   */
  startRewrite(): boolean {
    const st = this.st;
    if (this.state === AOF_OFF) this.resolvePaths();
    try {
      this.ensureDir();
    } catch {
      st.lastBgrewriteOk = false;
      return false;
    }
    // The commands so far belong to the current incr file.
    this.flush(true);
    const initial = this.state === AOF_WAIT_REWRITE;
    if (this.state === AOF_ON) {
      const m = cloneManifest(this.manifest);
      const seq = m.incrSeq + 1;
      const name = incrFileName(this.prefix, seq);
      let fd: number;
      try {
        fd = openSync(this.path(name), 'a');
      } catch (e) {
        this.log.warning(`Can't open the append-only file ${name}: ${strerror(e)}`);
        st.lastBgrewriteOk = false;
        return false;
      }
      m.incr.push({ name, seq, type: 'i' });
      m.incrSeq = seq;
      try {
        this.persistManifest(m);
      } catch {
        closeSync(fd);
        try {
          unlinkSync(this.path(name));
        } catch {
          /* ignore */
        }
        st.lastBgrewriteOk = false;
        return false;
      }
      this.manifest = m;
      this.retireFd(this.fsyncPolicy === FSYNC_ALWAYS);
      this.useFd(fd, 0);
      this.log.notice(`Creating AOF incr file ${name} on background rewrite`);
    } else if (initial) {
      const name = tempIncrFileName(this.prefix);
      let fd: number;
      try {
        fd = openSync(this.path(name), 'w');
      } catch (e) {
        this.log.warning(`Can't open the append-only file ${name}: ${strerror(e)}`);
        st.lastBgrewriteOk = false;
        return false;
      }
      this.useFd(fd, 0);
      this.out.reset();
      this.log.notice(`Creating AOF incr file ${name} on background rewrite`);
    }
    const rdb = this.server.config.getBool('aof-use-rdb-preamble');
    const baseSeq = this.manifest.baseSeq + 1;
    const rw: Rewrite = { startMs: Date.now(), baseName: baseFileName(this.prefix, baseSeq, rdb), baseSeq, job: null, initial, done: false };
    this.rewrite = rw;
    st.rewriteInProgress = true;
    st.rewriteScheduled = false;
    st.rewriteStartMs = rw.startMs;
    // Redis counts a rewrite when its child starts (INFO aof_rewrites), whatever its outcome.
    st.rewrites++;
    // A name of its own per rewrite (Redis's carries the child's pid): a stopped
    // rewrite removes its temp file asynchronously, which must not hit the next one's.
    const tmpName = `temp-rewriteaof-bg-${process.pid}-${++this.rewriteSerial}.aof`;
    this.log.notice(`Background append only file rewriting started (fork-less snapshot of ${this.server.ks.totalKeys()} keys)`);
    rw.job = startBaseWrite(this.server, this.path(rw.baseName), tmpName, rdb, (err) => this.rewriteDone(rw, tmpName, err));
    return true;
  }

  /** Stops a running rewrite (appendonly no, SHUTDOWN): its files are removed, nothing changes. */
  killRewrite(): void {
    const rw = this.rewrite;
    if (!rw) return;
    this.log.notice('Killing running AOF rewrite');
    rw.done = true;
    this.rewrite = null;
    this.st.rewriteInProgress = false;
    this.st.rewriteStartMs = 0;
    rw.job?.abort('killed by the server');
    if (rw.initial) this.dropTempIncr();
  }

  /** Turning on failed or stopped: the temp incr file and the commands for it go. */
  private dropTempIncr(): void {
    if (this.state !== AOF_WAIT_REWRITE || this.fd < 0) return;
    this.out.reset();
    this.retireFd(false);
    this.unlisten();
    this.log.notice(`Removing the temp incr aof file ${tempIncrFileName(this.prefix)} in the background`);
    unlink(this.path(tempIncrFileName(this.prefix)), () => {});
  }

  private rewriteDone(rw: Rewrite, tmpName: string, err: Error | null): void {
    if (rw.done) return;
    rw.done = true;
    this.rewrite = null;
    const st = this.st;
    st.rewriteInProgress = false;
    st.rewriteStartMs = 0;
    st.lastRewriteTimeSec = Math.round((Date.now() - rw.startMs) / 1000);
    st.lastCowSize = rw.job ? rw.job.cowBytes() : 0;
    const renameErr = err !== null && (err as NodeJS.ErrnoException).syscall === 'rename';
    if (err === null || renameErr) this.log.notice('Background AOF rewrite terminated with success');
    if (renameErr) {
      // The base was written; moving it into place failed (Redis's wording, path relative to dir).
      this.log.warning(
        `Error trying to rename the temporary AOF base file ${tmpName} into ${this.server.config.getString('appenddirname')}/${rw.baseName}: ${strerror(err)}`,
      );
    }
    if (err === null) err = this.installRewrite(rw, tmpName);
    if (err !== null) {
      if (!renameErr) this.log.warning(`Background AOF rewrite terminated with error: ${err.message}`);
      st.lastBgrewriteOk = false;
      st.rewritesConsecutiveFailures++;
      if (rw.initial && this.state === AOF_WAIT_REWRITE) {
        // Turning on must succeed eventually: try again from the cron.
        this.dropTempIncr();
        st.rewriteScheduled = true;
      }
      return;
    }
    st.lastBgrewriteOk = true;
    st.rewritesConsecutiveFailures = 0;
    this.log.notice('Background AOF rewrite finished successfully');
  }

  /** The base is complete: switch the manifest to it. Returns the error, or null. */
  private installRewrite(rw: Rewrite, tmpName: string): Error | null {
    const st = this.st;
    const m = cloneManifest(this.manifest);
    this.log.notice(`Successfully renamed the temporary AOF base file ${tmpName} into ${rw.baseName}`);
    if (rw.initial) {
      if (this.state !== AOF_WAIT_REWRITE) return new Error('AOF was turned off');
      // The commands since the start join the AOF as its first incr file.
      this.flush(true);
      const seq = m.incrSeq + 1;
      const name = incrFileName(this.prefix, seq);
      try {
        renameSync(this.path(tempIncrFileName(this.prefix)), this.path(name));
      } catch (e) {
        this.log.warning(`Error trying to rename the temporary AOF incr file ${tempIncrFileName(this.prefix)} into ${name}: ${strerror(e)}`);
        unlink(this.path(rw.baseName), () => {});
        return e as Error;
      }
      m.incr.push({ name, seq, type: 'i' });
      m.incrSeq = seq;
      this.log.notice(`Successfully renamed the temporary AOF incr file ${tempIncrFileName(this.prefix)} into ${name}`);
    }
    // Redis puts each replaced file at the head of its history list: the old base
    // first, then the covered incr files from the newest down, so the manifest lists
    // them oldest incr first, then the old base, then older history.
    if (m.base) m.history.unshift({ ...m.base, type: 'h' });
    m.base = { name: rw.baseName, seq: rw.baseSeq, type: 'b' };
    m.baseSeq = rw.baseSeq;
    // Every incr file but the one being appended to is now covered by the base.
    const keep: AofFileInfo[] = [];
    for (let i = m.incr.length - 1; i >= 0; i--) {
      if (this.fd >= 0 && i === m.incr.length - 1) keep.push(m.incr[i]);
      else m.history.unshift({ ...m.incr[i], type: 'h' });
    }
    m.incr = keep;
    try {
      this.persistManifest(m);
    } catch (e) {
      unlink(this.path(rw.baseName), () => {});
      return e as Error;
    }
    this.manifest = m;
    if (rw.initial) {
      this.setState(AOF_ON);
      // Everything up to the start is in the fsynced base; the incr file gets its first fsync now.
      this.lastFsyncMs = 0;
      if (this.fsyncPolicy !== FSYNC_NO) {
        if (this.fsyncPolicy === FSYNC_ALWAYS) this.flush(true);
        else {
          this.curFsyncPending = true;
          this.bioSubmit({ fd: this.fd, fsync: true, close: false, incrBytes: st.incrWrittenBytes, replOffset: this.server.masterReplOffset, gen: this.fdGen });
        }
      }
    }
    let baseBytes = 0;
    try {
      baseBytes = statSync(this.path(rw.baseName)).size;
    } catch {
      /* gone already: sizes are statistics */
    }
    st.currentSize = baseBytes + (this.fd >= 0 ? st.incrWrittenBytes : 0);
    st.baseSize = st.currentSize;
    this.deleteHistory();
    return null;
  }

  /** Redis's aofRewriteLimited: after repeated failures automatic rewrites wait 1, 2, 4 ... 60 minutes. */
  rewriteLimited(now: number): boolean {
    if (this.st.rewritesConsecutiveFailures < REWRITE_LIMIT_THRESHOLD) {
      this.limitDelayMinutes = 0;
      this.limitUntilMs = 0;
      return false;
    }
    if (this.limitUntilMs !== 0) {
      if (now < this.limitUntilMs) return true;
      this.limitUntilMs = 0;
      return false;
    }
    this.limitDelayMinutes = this.limitDelayMinutes === 0 ? 1 : Math.min(this.limitDelayMinutes * 2, REWRITE_LIMIT_MAX_MINUTES);
    this.limitUntilMs = now + this.limitDelayMinutes * 60000;
    this.log.warning(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.limitDelayMinutes} minutes`);
    return true;
  }

  // ---- turning on and off -----------------------------------------------------------------

  /** CONFIG SET appendonly yes (Redis's startAppendOnly). Returns false when it cannot. */
  start(): boolean {
    const st = this.st;
    this.resolvePaths();
    try {
      this.ensureDir();
    } catch {
      return false;
    }
    this.setState(AOF_WAIT_REWRITE);
    let inExec = false;
    for (const c of this.server.clients.values()) if ((c.flags & CLIENT_EXECUTING_EXEC) !== 0) inExec = true;
    if (rdbStateOf(this.server).bgsaveInProgress) {
      st.rewriteScheduled = true;
      this.log.warning('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
    } else if (inExec) {
      st.rewriteScheduled = true;
      this.log.warning('AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
    } else {
      if (this.rewrite) {
        this.log.warning('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
        this.killRewrite();
      }
      if (!this.startRewrite()) {
        this.setState(AOF_OFF);
        this.log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        return false;
      }
    }
    this.lastFsyncMs = Date.now();
    // WAITAOF compares replication offsets: they must move from now on.
    createReplicationBacklogIfNeeded(this.server);
    return true;
  }

  /** CONFIG SET appendonly no (Redis's stopAppendOnly): write, fsync, close; a running rewrite is stopped. */
  stop(): void {
    if (this.state === AOF_OFF) return;
    if (this.state === AOF_ON && this.fd >= 0) {
      this.flush(true);
      try {
        fsyncSync(this.fd);
      } catch (e) {
        this.log.warning(`Fail to fsync the AOF file: ${strerror(e)}`);
      }
    }
    if (this.rewrite) this.killRewrite();
    this.out.reset();
    this.retireFd(false);
    this.unlisten();
    this.setState(AOF_OFF);
    this.st.rewriteScheduled = false;
    this.st.lastWriteOk = true;
    this.st.lastWriteError = '';
    this.log.notice('Stopping AOF');
  }

  // ---- periodic work and shutdown -----------------------------------------------------------

  cron(): void {
    if (this.st.loading) return;
    const st = this.st;
    const now = Date.now();
    if (this.fd >= 0) this.flush(false);
    if (st.rewriteInProgress || rdbStateOf(this.server).bgsaveInProgress) return;
    if (st.rewriteScheduled && !this.rewriteLimited(now)) {
      this.startRewrite();
      return;
    }
    if (this.state !== AOF_ON) return;
    const pct = this.server.config.getNumber('auto-aof-rewrite-percentage');
    const min = this.server.config.getNumber('auto-aof-rewrite-min-size');
    if (pct > 0 && st.currentSize > min) {
      const base = st.baseSize > 0 ? st.baseSize : 1;
      const growth = Math.floor((st.currentSize * 100) / base) - 100;
      if (growth >= pct && !this.rewriteLimited(now)) {
        this.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.startRewrite();
      }
    }
  }

  shutdown(force: boolean): void {
    if (this.state === AOF_OFF && !this.rewrite) return;
    if (this.rewrite) {
      if (this.state === AOF_WAIT_REWRITE) {
        if (!force) {
          this.log.warning("Writing initial AOF, can't exit.");
          throw new Error("Writing initial AOF, can't exit.");
        }
        this.log.warning('Writing initial AOF. Exit anyway.');
      }
      this.log.warning('There is a child rewriting the AOF. Killing it!');
      this.killRewrite();
    }
    if (this.state === AOF_ON && this.fd >= 0) {
      this.log.notice('Calling fsync() on the AOF file.');
      this.flush(true);
      try {
        fsyncSync(this.fd);
      } catch (e) {
        this.log.warning(`Fail to fsync the AOF file: ${strerror(e)}`);
      }
      // Retired incr files whose background fsync has not run yet.
      for (const job of this.bio) {
        if (!job.close) continue;
        try {
          fsyncSync(job.fd);
        } catch {
          /* already closed */
        }
      }
    }
  }
}

// ---- the base of a rewrite ------------------------------------------------------------------

/**
 * Writes the new base to `path` through `tmpName` (in the same directory): an RDB
 * file from a fork-less snapshot, or commands from a synchronous walk of the
 * keyspace. onDone(null) once the file is complete, fsynced and renamed.
 */
function startBaseWrite(server: Server, path: string, tmpName: string, rdb: boolean, onDone: (err: Error | null) => void): BaseWrite {
  if (rdb) {
    const job = saveSnapshotToFile(server, path, tmpName, { aofBase: true, onDone: (err) => onDone(err) });
    return { abort: (reason) => job.abort(reason), cowBytes: () => job.snapshot.cowBytes };
  }
  let aborted = false;
  setImmediate(() => {
    if (aborted) return;
    let err: Error | null = null;
    try {
      writeCommandBase(server, path, tmpName);
    } catch (e) {
      err = e as Error;
    }
    onDone(err);
  });
  return {
    abort: () => {
      aborted = true;
    },
    cowBytes: () => 0,
  };
}

/** The keyspace as commands (Redis's rewriteAppendOnlyFileRio), written to tmp then renamed over `path`. */
function writeCommandBase(server: Server, path: string, tmpName: string): void {
  writeFileThroughTemp(path, tmpName, (fd) => {
    const w = new CommandBuffer(AOF_BUF_INITIAL_BYTES, AOF_BUF_KEEP_MAX_BYTES);
    const drain = (): void => {
      const { err } = writeAll(fd, w.buf, w.len);
      if (err !== null) throw err;
      w.reset();
    };
    if (server.config.getBool('aof-timestamp-enabled')) w.appendRaw(`#TS:${Math.floor(Date.now() / 1000)}\r\n`);
    const put = (argv: string[]): void => {
      w.appendCommand(argv);
      if (w.len >= REWRITE_WRITE_CHUNK_BYTES) drain();
    };
    // The function libraries first, as Redis's rewriteFunctions.
    for (const code of functionLibrariesOf(server)?.codes() ?? []) put(['FUNCTION', 'LOAD', code]);
    for (const db of server.ks.dbs) {
      if (db.size === 0) continue;
      put(['SELECT', String(db.id)]);
      for (const [key, obj] of db.dict) {
        emitKey(put, key, obj.type, obj.value);
        const exp = db.expires.size === 0 ? -1 : db.getExpire(key);
        if (exp !== -1) put(['PEXPIREAT', key, String(exp)]);
      }
    }
    drain();
  });
}

/**
 * Writes `path` through `tmpName` in the same directory: `body` writes the file,
 * then fsync, close, rename over `path`, fsync of the directory. On an error the
 * temp file is removed and `path` is left as it was (the error is rethrown).
 */
function writeFileThroughTemp(path: string, tmpName: string, body: (fd: number) => void): void {
  replaceFileSync(path, join(resolve(path, '..'), tmpName), body);
}

/** The commands that rebuild one value, in batches of REWRITE_ITEMS_PER_CMD items. */
function emitKey(put: (argv: string[]) => void, key: string, type: ObjType, value: unknown): void {
  const batch = (cmd: string, items: Iterable<string[]>): void => {
    let argv: string[] = [cmd, key];
    let n = 0;
    for (const it of items) {
      for (const x of it) argv.push(x);
      if (++n === REWRITE_ITEMS_PER_CMD) {
        put(argv);
        argv = [cmd, key];
        n = 0;
      }
    }
    if (n > 0) put(argv);
  };
  switch (type) {
    case ObjType.String:
      put(['SET', key, value as string]);
      return;
    case ObjType.List:
      batch('RPUSH', mapIter((value as RList).toArray(), (v) => [v]));
      return;
    case ObjType.Set:
      batch('SADD', mapIter(value as RSet, (v) => [v]));
      return;
    case ObjType.ZSet:
      batch('ZADD', mapIter((value as SortedSet).entries(), ([m, s]: [string, number]) => [formatDouble(s), m]));
      return;
    case ObjType.Hash:
      batch('HSET', mapIter((value as RHash).entries(), ([f, v]: [string, string]) => [f, v]));
      return;
    case ObjType.Stream:
      emitStream(put, key, value as Stream);
      return;
    default:
      throw new Error(`Unknown object type ${type} in the keyspace`);
  }
}

/**
 * A stream as Redis's rewriteStreamObject writes it: XADD per entry (an empty
 * stream: XADD key MAXLEN 0 0-1 x y), XSETID with ENTRIESADDED and MAXDELETEDID,
 * then per group XGROUP CREATE ... ENTRIESREAD, and per consumer its PEL entries as
 * XCLAIM ... TIME RETRYCOUNT JUSTID FORCE (XGROUP CREATECONSUMER when it has none).
 */
function emitStream(put: (argv: string[]) => void, key: string, s: Stream): void {
  if (s.length > 0) {
    s.scan(ID_ZERO, ID_MAX, false, (node, off, id) => {
      put(['XADD', key, formatId(id), ...node.fieldsAt(off)]);
      return true;
    });
  } else {
    put(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  put(['XSETID', key, formatId(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', formatId(s.maxDeletedId)]);
  for (const g of s.sortedGroups()) {
    put(['XGROUP', 'CREATE', key, g.name, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
    for (const c of g.sortedConsumers()) {
      if (c.pel.size === 0) {
        put(['XGROUP', 'CREATECONSUMER', key, g.name, c.name]);
        continue;
      }
      for (const n of c.pel.items) {
        put(['XCLAIM', key, g.name, c.name, '0', formatId(n.id), 'TIME', String(n.deliveryTime), 'RETRYCOUNT', String(n.deliveryCount), 'JUSTID', 'FORCE']);
      }
    }
  }
}

function* mapIter<T>(it: Iterable<T>, fn: (x: T) => string[]): Generator<string[]> {
  for (const x of it) yield fn(x);
}

// ---- start-up ---------------------------------------------------------------------------------

/**
 * Start-up: reads the manifest (also with appendonly no, so sequence numbers go
 * on), and with appendonly yes migrates an old single-file AOF, loads the files,
 * creates a base when there is none and opens the incr file. Returns false, after
 * logging why, when the server must not start.
 */
export function loadAofAtStartup(server: Server): boolean {
  const a = mgr(server);
  const cfg = server.config;
  a.resolvePaths();
  const enabled = cfg.getBool('appendonly');
  const manifestPath = a.path(manifestFileName(a.prefix));
  let manifest = emptyManifest();
  if (existsSync(manifestPath)) {
    try {
      manifest = parseManifest(readFileSync(manifestPath, 'latin1'));
    } catch (e) {
      if (!(e instanceof ManifestError) && enabled) {
        server.log.warning(`Can't read the AOF manifest file ${manifestFileName(a.prefix)}: ${strerror(e)}`);
        return false;
      }
      if (!enabled) {
        server.log.warning(`Ignoring the AOF manifest file ${manifestFileName(a.prefix)} (appendonly is no): ${(e as Error).message}`);
      } else {
        const me = e as ManifestError;
        let msg = '\n*** FATAL AOF MANIFEST FILE ERROR ***\n';
        if (me.line !== null) msg += `Reading the manifest file, at line ${me.lineNo}\n>>> '${me.line}'\n`;
        msg += me.message;
        server.log.warning(msg);
        return false;
      }
    }
  }
  a.manifest = manifest;
  if (!enabled) return true;

  // An AOF from Redis < 7 (dir/appendfilename) moves into the directory as the base.
  const oldPath = resolve(cfg.getString('dir'), a.prefix);
  const dirExists = existsSync(a.dirPath);
  if (isFile(oldPath)) {
    const m = a.manifest;
    const upgrade =
      !dirExists ||
      (m.base === null && m.incr.length === 0) ||
      (m.base !== null && m.incr.length === 0 && m.base.name === a.prefix && !existsSync(a.path(a.prefix)));
    if (upgrade) {
      try {
        a.ensureDir();
        const nm = emptyManifest();
        nm.base = { name: a.prefix, seq: 1, type: 'b' };
        nm.baseSeq = 1;
        a.persistManifest(nm);
        renameSync(oldPath, a.path(a.prefix));
        fsyncDir(a.dirPath);
        a.manifest = nm;
        server.log.notice(`Successfully migrated an old-style AOF file (${a.prefix}) into the AOF directory (${cfg.getString('appenddirname')}).`);
      } catch (e) {
        server.log.warning(`Error migrating the old-style AOF file ${a.prefix}: ${strerror(e)}`);
        return false;
      }
    }
  }

  const t0 = Date.now();
  a.st.loading = true;
  let res;
  try {
    res = loadAofFiles(server, a.dirPath, a.manifest);
  } finally {
    a.st.loading = false;
  }
  if (res.status === AOF_FAILED || res.status === AOF_OPEN_ERR) return false;
  if (res.status !== AOF_NOT_EXIST) server.log.notice(`DB loaded from append only file: ${((Date.now() - t0) / 1000).toFixed(3)} seconds`);
  a.st.currentSize = res.totalSize;
  a.st.baseSize = res.baseSize;

  // Open (aofOpenIfNeededOnServerStart): a base when there is nothing, then the incr file.
  try {
    a.ensureDir();
  } catch {
    return false;
  }
  const m = cloneManifest(a.manifest);
  if (m.base === null && m.incr.length === 0) {
    const rdb = cfg.getBool('aof-use-rdb-preamble');
    const seq = m.baseSeq + 1;
    const name = baseFileName(a.prefix, seq, rdb);
    try {
      if (rdb) writeRdbBaseSync(server, a.path(name), `temp-rewriteaof-${process.pid}.aof`);
      else writeCommandBase(server, a.path(name), `temp-rewriteaof-${process.pid}.aof`);
    } catch (e) {
      server.log.warning(`Error creating the AOF base file ${name}: ${strerror(e)}`);
      return false;
    }
    m.base = { name, seq, type: 'b' };
    m.baseSeq = seq;
    try {
      const size = statSync(a.path(name)).size;
      a.st.currentSize += size;
      a.st.baseSize = size;
    } catch {
      /* statistics */
    }
    server.log.notice(`Creating AOF base file ${name} on server start`);
  }
  let incr: AofFileInfo;
  const creating = m.incr.length === 0;
  if (creating) {
    const seq = m.incrSeq + 1;
    incr = { name: incrFileName(a.prefix, seq), seq, type: 'i' };
    m.incr.push(incr);
    m.incrSeq = seq;
  } else {
    incr = m.incr[m.incr.length - 1];
  }
  let fd: number;
  try {
    fd = openSync(a.path(incr.name), 'a');
  } catch (e) {
    server.log.warning(`Can't open the append-only file ${incr.name}: ${strerror(e)}`);
    return false;
  }
  try {
    a.persistManifest(m);
  } catch {
    closeSync(fd);
    return false;
  }
  a.manifest = m;
  const size = fstatSync(fd).size;
  a.useFd(fd, size);
  a.setState(AOF_ON);
  a.st.fsyncedReplOffset = server.masterReplOffset;
  a.lastFsyncMs = Date.now();
  server.log.notice(`${creating ? 'Creating' : 'Opening'} AOF incr file ${incr.name} on server start`);
  a.deleteHistory();
  removeStaleTempFiles(a);
  return true;
}

/**
 * Temp files a crash left in the AOF directory (a base being written, the incr file
 * of a turn-on, a manifest being replaced): never named by the manifest, removed.
 */
function removeStaleTempFiles(a: Aof): void {
  let names: string[];
  try {
    names = readdirSync(a.dirPath);
  } catch {
    return;
  }
  const stale = new Set([tempIncrFileName(a.prefix), `temp-${manifestFileName(a.prefix)}`]);
  for (const n of names) {
    if (!(stale.has(n) || /^temp-rewriteaof-(bg-)?\d+(-\d+)?\.aof$/.test(n))) continue;
    a.server.log.verbose(`Removing the stale temporary AOF file ${n}`);
    unlink(a.path(n), () => {});
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A base written synchronously as an RDB file (start-up: nothing to serve yet). */
function writeRdbBaseSync(server: Server, path: string, tmpName: string): void {
  writeFileThroughTemp(path, tmpName, (fd) => {
    writeRdbSnapshot(
      server,
      (chunk) => {
        const { err } = writeAll(fd, chunk, chunk.length);
        if (err !== null) throw err;
      },
      true,
    );
  });
}

// ---- commands, INFO, installation -----------------------------------------------------------

/**
 * DEBUG LOADAOF, as Redis 7 (debug.c): with AOF on, the buffer is written out and
 * fsynced; the dataset is emptied; the manifest is read again from disk, its history
 * files deleted, and the files loaded. Any outcome but loaded or empty makes the
 * server exit with 1, as Redis does — also with appendonly no and no AOF files.
 */
function debugLoadAof(c: Client): void {
  const s = c.server;
  const a = mgr(s);
  if (a.state === AOF_ON && a.fd >= 0) {
    a.flush(true);
    try {
      fsyncSync(a.fd);
    } catch (e) {
      s.log.warning(`Fail to fsync the AOF file: ${strerror(e)}`);
    }
  }
  for (const db of s.ks.dbs) {
    if (db.size > 0) s.touchAllWatchedKeysInDb(db);
    db.clear();
  }
  a.resolvePaths();
  const manifestPath = a.path(manifestFileName(a.prefix));
  let manifest = emptyManifest();
  if (existsSync(manifestPath)) {
    try {
      manifest = parseManifest(readFileSync(manifestPath, 'latin1'));
    } catch (e) {
      s.log.warning(`Can't read the AOF manifest file ${manifestFileName(a.prefix)}: ${(e as Error).message}`);
      s.exit(1);
      return;
    }
  }
  a.manifest = manifest;
  a.deleteHistory();
  const res = loadAofFiles(s, a.dirPath, a.manifest);
  if (res.status !== AOF_OK && res.status !== AOF_EMPTY) {
    s.exit(1);
    return;
  }
  a.st.currentSize = res.totalSize;
  a.st.baseSize = res.baseSize;
  s.dirty = 0;
  s.log.notice('Append Only File loaded by DEBUG LOADAOF');
  c.addOk();
}


/** BGREWRITEAOF, with Redis 7.2's replies. */
export function bgrewriteaofCommand(c: Client): void {
  const a = mgr(c.server);
  const st = a.st;
  if (st.rewriteInProgress) {
    c.addError('ERR Background append only file rewriting already in progress');
  } else if (rdbStateOf(c.server).bgsaveInProgress || c.inExec) {
    st.rewriteScheduled = true;
    // A manual request is not held back by earlier failures.
    st.rewritesConsecutiveFailures = 0;
    c.addSimple('Background append only file rewriting scheduled');
  } else if (a.startRewrite()) {
    c.addSimple('Background append only file rewriting started');
  } else {
    c.addError("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
  }
}

/**
 * After the dataset was replaced from outside the AOF (a replica's full sync): the
 * AOF is turned off and on again, as Redis's restartAOFAfterSYNC does, so the files
 * on disk keep the old dataset until a base of the new one is complete (a running
 * rewrite is stopped). When it cannot be turned on again the server exits, as
 * Redis does (after its retries): a replica must not run with an AOF that holds
 * another dataset.
 */
export function restartAppendOnlyAfterLoad(server: Server): boolean {
  const a = mgr(server);
  if (a.state === AOF_OFF) return true;
  a.stop();
  if (a.start()) return true;
  server.log.warning("FATAL: this replica instance finished the synchronization with its master, but the AOF can't be turned on. Exiting now.");
  server.exit(1);
  return false;
}

/** Starts a rewrite if none runs and no BGSAVE does; true when started. */
export function rewriteAppendOnlyFileBackground(server: Server): boolean {
  const a = mgr(server);
  if (a.st.rewriteInProgress || rdbStateOf(server).bgsaveInProgress) return false;
  return a.startRewrite();
}

/** INFO persistence's AOF fields, in Redis 7.2's order (the size block only while AOF is enabled). */
export function aofInfoFields(server: Server): Array<[string, string | number]> {
  const a = mgr(server);
  const st = a.st;
  const out: Array<[string, string | number]> = [
    ['aof_enabled', st.enabled ? 1 : 0],
    ['aof_rewrite_in_progress', st.rewriteInProgress ? 1 : 0],
    ['aof_rewrite_scheduled', st.rewriteScheduled ? 1 : 0],
    ['aof_last_rewrite_time_sec', st.lastRewriteTimeSec],
    ['aof_current_rewrite_time_sec', st.rewriteInProgress ? Math.round((Date.now() - st.rewriteStartMs) / 1000) : -1],
    ['aof_last_bgrewrite_status', st.lastBgrewriteOk ? 'ok' : 'err'],
    ['aof_rewrites', st.rewrites],
    ['aof_rewrites_consecutive_failures', st.rewritesConsecutiveFailures],
    ['aof_last_write_status', st.lastWriteOk ? 'ok' : 'err'],
    ['aof_last_cow_size', st.lastCowSize],
  ];
  if (st.enabled) {
    out.push(
      ['aof_current_size', st.currentSize],
      ['aof_base_size', st.baseSize],
      ['aof_pending_rewrite', st.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', a.out.len],
      ['aof_pending_bio_fsync', a.bio.length],
      ['aof_delayed_fsync', st.delayedFsync],
    );
  }
  return out;
}

const MISCONF_AOF = 'MISCONF Errors writing to the AOF file: ';

/**
 * Installs the AOF on a server (from its constructor): the before-reply flush, cron, shutdown, CONFIG SET reactions, INFO fields and
 * the MISCONF check. The AOF stays off until loadAofAtStartup or CONFIG SET; the
 * propagation listener is subscribed only while there is an incr file to append to.
 */
export function installAof(server: Server): void {
  const a = new Aof(server);
  managers.set(server, a);
  server.beforeFlushHooks.push(() => a.beforeFlush());
  server.cronHooks.push(() => a.cron());
  server.shutdownHooks.push((opts) => a.shutdown(!!opts.force));
  server.debugSubcommands.set('loadaof', debugLoadAof);
  rdbStateOf(server).otherSnapshotActive = () => a.st.rewriteInProgress;
  setAofInfoProvider(aofInfoFields);
  server.config.onChange((name, value) => {
    if (name === 'appendfsync' || name === 'aof-timestamp-enabled') {
      a.readConfig();
    } else if (name === 'aof-disable-auto-gc') {
      // GC on again: the history kept meanwhile goes now (Redis's updateAofAutoGCEnabled).
      if (value === false) a.deleteHistory();
    } else if (name === 'appendonly') {
      if (value === true && a.state === AOF_OFF) {
        if (!a.start()) {
          server.config.set('appendonly', ['no']);
          throw new ConfigError('Unable to turn on AOF. Check server logs.');
        }
      } else if (value === false && a.state !== AOF_OFF) {
        a.stop();
      }
    }
  });
  // MISCONF after a failed AOF write: registered only while the last write failed.
  const misconf = new PhaseSwitch(server.phases, 'misconf', (c, spec, _argv, bits) => {
    if (a.st.lastWriteOk || a.state === AOF_OFF) return null;
    if ((bits & CMD_WRITE) === 0 && spec.name !== 'ping') return null;
    if ((c.flags & CLIENT_MASTER) !== 0) return null;
    return MISCONF_AOF + a.st.lastWriteError;
  }, { script: true });
  a.st.onWriteOk = (ok) => misconf.set(!ok);
  misconf.set(!a.st.lastWriteOk);
}

