// The server side of RDB persistence: synchronous SAVE to `dir`/`dbfilename`, loading
// a file into the keyspace (at start-up, DEBUG RELOAD), the shutdown save, and the
// options the RDB writer takes from the configuration.
//
// Saving writes `temp-<pid>.rdb` in `dir`, fsyncs it, renames it over the target
// and fsyncs the directory, so a crash leaves either the old file or the new one.
//
// Loading parses into scratch databases and swaps them in only when the whole file
// was read and its checksum verified: a corrupt or truncated file leaves the
// keyspace as it was.
//
// API:
//   rdbPath(server)                  absolute path of dir/dbfilename
//   writeOptions(server)             RdbWriteOptions from the configuration
//   keyMeta(server, obj)             IDLE / FREQ metadata for a key under the policy
//   rdbAux(server, aofBase)          the AUX fields of a file header
//   writeRdbSnapshot(server, sink)   the whole keyspace as an RDB file, synchronously
//   rdbSaveToFile(server, path?)     SAVE: throws on failure; updates dirty/lastSaveTime
//   loadRdbFile(server, path, mode)  parse a file and swap it in (throws RdbError or
//                                    the fs error); mode 'replace' | 'merge'
//   loadRdbAtStartup(server)         the start-up load: true when loaded or nothing to
//                                    load, false (after logging why) when the server
//                                    must not start
//   installPersistence(server)       DEBUG RELOAD and the shutdown save hook
//   rdbState                         counters and flags for INFO persistence / BGSAVE

import { readFileSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Server } from '../server/server.js';
import { VERSION } from '../server/server.js';
import { replaceFileSync, writeFully } from '../util/atomic-file.js';
import { Keyspace, type Database } from '../keyspace/keyspace.js';
import type { RObj } from '../types/object.js';
import { RdbError, RdbFileWriter, RdbLoad, type KeyMeta, type RdbLoadInfo, type RdbWriteOptions } from './rdb.js';
import { saveSnapshotToFile, type FileSnapshot } from './snapshot.js';
import { CMD_WRITE } from '../commands/table.js';
import { CLIENT_MASTER } from '../server/client.js';
import { PhaseSwitch } from '../server/phases.js';
import { setInfoSection } from '../server/info.js';
import { functionLibrariesOf } from '../server/function-libraries.js';

/** A server's RDB state: counters and flags for INFO persistence and BGSAVE. */
function newRdbState() {
  return {
  /** A BGSAVE being written (fork-less snapshot to a temp file). */
  bgsaveInProgress: false,
  bgsave: null as FileSnapshot | null,
  bgsaveStartMs: 0,
  /** Set while an AOF rewrite runs (installed by the AOF module): BGSAVE waits for it. */
  otherSnapshotActive: (): boolean => false,
  bgsaveScheduled: false,
  bgsaveOkFlag: true,
  /** Told when lastBgsaveOk changes (the MISCONF check is on while it is false). */
  onBgsaveOk: null as ((ok: boolean) => void) | null,
  get lastBgsaveOk(): boolean {
    return this.bgsaveOkFlag;
  },
  set lastBgsaveOk(ok: boolean) {
    this.bgsaveOkFlag = ok;
    this.onBgsaveOk?.(ok);
  },
  lastBgsaveTimeSec: -1,
  lastBgsaveTryMs: 0,
  lastCowBytes: 0,
  /** server.dirty when the running BGSAVE started (subtracted when it succeeds). */
  dirtyAtBgsaveStart: 0,
  lastSaveOk: true,
  saves: 0,
  lastSaveDurationMs: 0,
  lastSaveBytes: 0,
  /** Set while a file is being loaded. */
  loading: false,
  /** The start-up load in chunks (INFO loading_* fields; LOADING replies meanwhile). */
  loadingStartMs: 0,
  loadingTotalBytes: 0,
  loadingLoadedBytes: 0,
  loadingRdbUsedMem: 0,
  /** Turns the LOADING check on and off (installed by installBackgroundSave). */
  onLoadingPhase: null as ((on: boolean) => void) | null,
  lastLoad: null as RdbLoadInfo | null,
  /** Set by replication: the replid/offset/stream db a save records (Redis's rdbPopulateSaveInfo), or null. */
  replSaveInfo: null as (() => ReplSaveInfo | null) | null,
  /** The repl-id/repl-offset/repl-stream-db AUX fields of the last file loaded. */
  lastLoadRepl: null as ReplSaveInfo | null,
  /** The same, of the RDB file loaded at start-up (not an AOF's base): a replica continues from it. */
  loadedReplInfo: null as ReplSaveInfo | null,
  };
}

export interface ReplSaveInfo {
  replid: string;
  offset: number;
  db: number;
}

export type RdbState = ReturnType<typeof newRdbState>;
const rdbStates = new WeakMap<Server, RdbState>();

/** The RDB state of one server (each server has its own: two in one process share nothing). */
export function rdbStateOf(server: Server): RdbState {
  let st = rdbStates.get(server);
  if (st === undefined) {
    st = newRdbState();
    rdbStates.set(server, st);
  }
  return st;
}

export function rdbPath(server: Server): string {
  return resolve(server.config.getString('dir'), server.config.getString('dbfilename'));
}

export function writeOptions(server: Server): RdbWriteOptions {
  const cfg = server.config;
  return {
    compress: cfg.getBool('rdbcompression'),
    listFill: cfg.getNumber('list-max-listpack-size'),
    intsetMaxEntries: cfg.getNumber('set-max-intset-entries'),
    setListpackEntries: cfg.getNumber('set-max-listpack-entries'),
    setListpackValue: cfg.getNumber('set-max-listpack-value'),
  };
}

const NO_META: KeyMeta = {};

/** IDLE under *-lru policies, FREQ under *-lfu ones, as Redis writes them. */
export function keyMeta(server: Server, obj: RObj): KeyMeta {
  const ks = server.ks;
  if (ks.lfu) return { freq: ks.lfuDecr(obj) };
  if (server.config.getString('maxmemory-policy').endsWith('-lru')) return { idleSec: Math.floor(ks.idleMs(obj) / 1000) };
  return NO_META;
}

export function rdbAux(server: Server, aofBase: boolean, extra: Array<[string, string]> = []): Array<[string, string]> {
  const aux: Array<[string, string]> = [
    ['redis-ver', VERSION],
    ['redis-bits', '64'],
    ['ctime', String(Math.floor(Date.now() / 1000))],
    ['used-mem', String(server.usedMemory())],
  ];
  // As Redis: a replica (or a primary with a backlog) records where its stream stands,
  // so that after a restart it can continue with PSYNC <repl-id> <repl-offset+1>.
  const ri = rdbStateOf(server).replSaveInfo?.() ?? null;
  if (ri !== null) {
    aux.push(['repl-stream-db', String(ri.db)], ['repl-id', ri.replid], ['repl-offset', String(ri.offset)]);
  }
  aux.push(['aof-base', aofBase ? '1' : '0']);
  // Fields given by the caller (a full sync's own point in the stream) replace ours.
  for (const [k, v] of extra) {
    const i = aux.findIndex(([ak]) => ak === k);
    if (i >= 0) aux[i] = [k, v];
    else aux.splice(aux.length - 1, 0, [k, v]);
  }
  return aux;
}

/**
 * The delay (µs) one key costs under rdb-key-save-delay / key-load-delay = `us`, as
 * Redis's debugDelay: a positive value is that many µs per key; a negative -N is a
 * 1 µs sleep with probability 1/N (short sleeps by sleeping less often).
 */
export function keyDelayUs(us: number): number {
  if (us >= 0) return us;
  return Math.floor(Math.random() * -us) === 0 ? 1 : 0;
}

let sleepCell: Int32Array | null = null;

/** Blocks the thread for `ms` (the synchronous saves' rdb-key-save-delay: Redis's SAVE blocks as well). */
export function sleepSyncMs(ms: number): void {
  if (ms <= 0) return;
  if (sleepCell === null) sleepCell = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** Writes the whole keyspace as an RDB file through `sink` (synchronously). */
export function writeRdbSnapshot(server: Server, sink: (chunk: Buffer) => void, aofBase = false): number {
  const delay = server.config.getNumber('rdb-key-save-delay');
  let debtUs = 0;
  const fw = new RdbFileWriter(sink, writeOptions(server), server.config.getBool('rdbchecksum'));
  fw.header(rdbAux(server, aofBase));
  fw.functions(functionLibrariesOf(server)?.codes() ?? []);
  const lru = server.ks.lfu || server.config.getString('maxmemory-policy').endsWith('-lru');
  for (const db of server.ks.dbs) {
    if (db.size === 0) continue;
    fw.selectDb(db.id, db.size, db.expires.size);
    for (const [key, obj] of db.dict) {
      const exp = db.expires.size === 0 ? -1 : db.getExpire(key);
      fw.key(key, obj, exp, lru ? keyMeta(server, obj) : NO_META);
      if (delay !== 0) {
        debtUs += keyDelayUs(delay);
        if (debtUs >= 1000) {
          sleepSyncMs(Math.floor(debtUs / 1000));
          debtUs %= 1000;
        }
      }
    }
  }
  fw.finish();
  return fw.bytesWritten;
}

/**
 * SAVE: writes the keyspace to `path` (default dir/dbfilename) through a temp file,
 * fsync and rename. On success resets server.dirty and sets server.lastSaveTime.
 * Throws (after logging) on failure.
 */
export function rdbSaveToFile(server: Server, path = rdbPath(server)): void {
  // A BGSAVE still writing would rename its older snapshot over this one.
  if (rdbStateOf(server).bgsave) killBgsave(server);
  const start = Date.now();
  const dir = dirname(path);
  const tmp = resolve(dir, `temp-${process.pid}.rdb`);
  let bytes = 0;
  replaceFileSync(
    path,
    tmp,
    (fd) => {
      bytes = writeRdbSnapshot(server, (chunk) => writeFully(fd, chunk));
    },
    (stage, e) => {
      rdbStateOf(server).lastSaveOk = false;
      const msg = (e as Error).message;
      if (stage === 'open') server.log.warning(`Failed opening the temp RDB file ${tmp} (in server root dir ${process.cwd()}) for saving: ${msg}`);
      else if (stage === 'write') server.log.warning(`Write error saving DB on disk: ${msg}`);
      else server.log.warning(`Error moving temp DB file ${tmp} on the final destination ${path} (in server root dir ${process.cwd()}): ${msg}`);
    },
  );
  rdbStateOf(server).lastSaveBytes = bytes;
  server.dirty = 0;
  server.lastSaveTime = Math.floor(Date.now() / 1000);
  rdbStateOf(server).lastSaveOk = true;
  rdbStateOf(server).lastBgsaveOk = true;
  rdbStateOf(server).saves++;
  rdbStateOf(server).lastSaveDurationMs = Date.now() - start;
  server.log.notice('DB saved on disk');
}

/**
 * Loads an RDB file into the server. The file is parsed into scratch databases;
 * only when it was read completely are they swapped in ('replace': the old data is
 * dropped) or merged ('merge': keys of the file overwrite existing ones). Throws
 * on failure, leaving the keyspace untouched.
 */
export function loadRdbFile(server: Server, path: string, mode: 'replace' | 'merge' = 'replace', existing: 'replace' | 'fatal' = 'replace'): RdbLoadInfo {
  const buf = readFileSync(path);
  return loadRdbBuffer(server, buf, mode, existing);
}

/**
 * As loadRdbFile, from bytes (an AOF base may be an RDB file). `existing` ('merge'
 * only): whether a key of the file that the keyspace already holds replaces it, or
 * is a duplicate (an RdbError of kind 'duplicate': DEBUG RELOAD NOFLUSH without MERGE).
 */
export function loadRdbBuffer(server: Server, buf: Buffer, mode: 'replace' | 'merge' = 'replace', existing: 'replace' | 'fatal' = 'replace'): RdbLoadInfo {
  const job = beginRdbLoad(server, buf, mode, existing);
  rdbStateOf(server).loading = true;
  try {
    job.load.run(Infinity, Infinity);
  } finally {
    rdbStateOf(server).loading = false;
  }
  return job.finish();
}

interface RdbLoadJob {
  load: RdbLoad;
  /** After the whole file was read: moves the scratch databases in, logs, returns the counts. */
  finish(): RdbLoadInfo;
}

/** A load into scratch databases (the header is checked here: throws RdbError). */
function beginRdbLoad(server: Server, buf: Buffer, mode: 'replace' | 'merge', existing: 'replace' | 'fatal'): RdbLoadJob {
  const dupCheck = mode === 'merge' && existing === 'fatal';
  const ks = server.ks;
  const n = ks.dbs.length;
  // Indexed by hash slot as the live keyspace is when the swap below will move it in.
  const scratch = new Keyspace(n, { expired: () => {}, added: () => {} }, { slotIndex: mode === 'replace' && ks.slotIndexEnabled });
  const lfu = ks.lfu;
  const log = server.log;
  const repl = { replid: '', offset: -1, db: 0 };
  const libs = functionLibrariesOf(server);
  const codes: string[] = [];
  const load = new RdbLoad(buf, {
    config: server.config,
    dbCount: n,
    now: Date.now(),
    dropExpired: server.role !== 'replica',
    verifyChecksum: server.config.getBool('rdbchecksum'),
    onKey: (dbid, key, obj, expireMs, idleSec, freq) => {
      const db = scratch.dbs[dbid];
      if (db.dict.has(key) || (dupCheck && ks.dbs[dbid].dict.has(key))) throw new RdbError(`RDB has duplicated key '${key}' in DB ${dbid}`, 'duplicate');
      obj.lru = ks.initialLru();
      if (lfu && freq >= 0) obj.lru = (lfuMinutesNow() << 8) | freq;
      else if (!lfu && idleSec >= 0) obj.lru = lruFromIdle(ks, idleSec);
      db.add(key, obj);
      if (expireMs !== -1) db.setExpire(key, expireMs);
    },
    onAux: (k, v) => {
      if (k === 'repl-id') repl.replid = v;
      else if (k === 'repl-offset') repl.offset = Number(v);
      else if (k === 'repl-stream-db') repl.db = Number(v);
      if (k === 'redis-ver') log.notice(`Loading RDB produced by version ${v}`);
      else if (k === 'ctime') {
        const age = Math.floor(Date.now() / 1000) - Number(v);
        log.notice(`RDB age ${age < 0 ? 0 : age} seconds`);
      } else if (k === 'used-mem') {
        rdbStateOf(server).loadingRdbUsedMem = Number(v) || 0;
        log.notice(`RDB memory usage when created ${(Number(v) / 1048576).toFixed(2)} Mb`);
      }
    },
    onFunction: libs === undefined ? undefined : (code) => codes.push(code),
    onWarning: (m) => log.warning(m),
  });
  const finish = (): RdbLoadInfo => {
    const info = load.info;
    // The libraries first: one that fails to load fails the load before any database is swapped in
    // (a full load replaces them all, as Redis's emptyData; a merge replaces those of the same name).
    if (libs !== undefined) {
      const err = libs.restore(codes, mode === 'replace' ? 'replace' : 'merge');
      if (err !== null) throw new RdbError(`Failed loading library: ${err}`);
    }
    for (let i = 0; i < n; i++) {
      const db = ks.dbs[i];
      const fresh = scratch.dbs[i];
      if (mode === 'replace') {
        server.touchAllWatchedKeysInDb(db, fresh);
        db.swapWith(fresh);
        for (const key of db.dict.keys()) server.signalKeyAsReady(db, key);
      } else {
        mergeInto(server, db, fresh);
      }
    }
    rdbStateOf(server).lastLoad = info;
    rdbStateOf(server).lastLoadRepl =
      repl.replid.length === 40 && Number.isInteger(repl.offset) && repl.offset >= 0
        ? { replid: repl.replid, offset: repl.offset, db: Number.isInteger(repl.db) && repl.db >= 0 && repl.db < n ? repl.db : 0 }
        : null;
    log.notice(`Done loading RDB, keys loaded: ${info.keys}, keys expired: ${info.expired}${info.emptySkipped ? `, empty keys skipped: ${info.emptySkipped}` : ''}.`);
    return info;
  };
  return { load, finish };
}

function mergeInto(server: Server, db: Database, from: Database): void {
  for (const [key, obj] of from.dict) {
    if (db.dict.has(key)) db.delete(key);
    obj.pos = -1;
    db.add(key, obj);
    const e = from.getExpire(key);
    if (e !== -1) db.setExpire(key, e);
    server.signalModifiedKey(db, key);
  }
}

function lfuMinutesNow(): number {
  return Math.floor(Date.now() / 60000) & 65535;
}

function lruFromIdle(ks: Keyspace, idleSec: number): number {
  const LRU_MAX = (1 << 24) - 1;
  const clock = ks.lruClock();
  const idle = idleSec > LRU_MAX ? LRU_MAX : idleSec;
  return clock >= idle ? clock - idle : LRU_MAX - (idle - clock);
}

/**
 * Logs why a file could not be loaded with the lines redis-server 7.0 writes for the
 * same file (rdbLoadRio's messages, then rdbReportError's "Internal error in RDB
 * reading offset 0, function at rdb.c:<line> -> <reason>"). The C line numbers are
 * those of 7.0.15 for the cases that have a fixed site there; other malformed data
 * has its own wording (our parser checks differently) and line 0. Redis then runs
 * redis-check-rdb, whose report we do not print, and exits with 1 (its rdbLoad
 * only returns an error for a bad header: then the caller decides).
 */
export function logRdbLoadFailure(server: Server, e: RdbError): void {
  const log = server.log;
  switch (e.kind) {
    case 'header':
      log.warning(e.message);
      return;
    case 'eof':
      log.warning('Short read or OOM loading DB. Unrecoverable error, aborting now.');
      log.warning(`Internal error in RDB reading offset 0, function at rdb.c:${RDB_C_LINE_EOF} -> Unexpected EOF reading RDB file`);
      return;
    case 'checksum':
      log.warning(e.message);
      log.warning(`Internal error in RDB reading offset 0, function at rdb.c:${RDB_C_LINE_CRC} -> RDB CRC error`);
      return;
    case 'duplicate':
      log.warning(e.message);
      log.warning(`Guru Meditation: Duplicated key found in RDB file #rdb.c:${RDB_C_LINE_DUP}`);
      return;
    default:
      log.warning(`Internal error in RDB reading offset 0, function at rdb.c:${/^Unknown RDB encoding type/.test(e.message) ? RDB_C_LINE_TYPE : 0} -> ${e.message}`);
  }
}

/** redis-server 7.0.15's rdb.c lines in its load error messages (they can only differ from a C build). */
const RDB_C_LINE_EOF = 3249;
const RDB_C_LINE_CRC = 3225;
const RDB_C_LINE_DUP = 3184;
const RDB_C_LINE_TYPE = 2681;

/** strerror(3) of the errors a file open or read can give. */
function strerror(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    case 'EIO':
      return 'Input/output error';
    case 'ENOMEM':
      return 'Cannot allocate memory';
    default:
      return e.message;
  }
}

/**
 * Start-up load of dir/dbfilename (skipped when appendonly is on: the AOF loader
 * takes over). Returns false, after logging the reason as redis-server does, when
 * the file exists but cannot be loaded: the server must then exit with 1.
 */
export function loadRdbAtStartup(server: Server): boolean {
  if (server.config.getBool('appendonly')) return true;
  const path = rdbPath(server);
  const t0 = Date.now();
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return true;
    server.log.warning(`Fatal error loading the DB: ${strerror(err)}. Exiting.`);
    return false;
  }
  try {
    loadRdbBuffer(server, buf, 'replace');
    rdbStateOf(server).loadedReplInfo = rdbStateOf(server).lastLoadRepl;
  } catch (e) {
    if (!(e instanceof RdbError)) {
      server.log.warning(`Fatal error loading the DB (${path}): ${(e as Error).stack ?? String(e)}. Exiting.`);
      return false;
    }
    logRdbLoadFailure(server, e);
    // rdbLoad's EINVAL for a bad header; the other cases exit from rdbReportError.
    if (e.kind === 'header') server.log.warning('Fatal error loading the DB: Invalid argument. Exiting.');
    return false;
  }
  server.log.notice(`DB loaded from disk: ${((Date.now() - t0) / 1000).toFixed(3)} seconds`);
  return true;
}

/**
 * The start-up load in chunks, as Redis loads (it processes events every
 * loading-process-events-interval-bytes): between chunks the server answers, with
 * -LOADING for commands not flagged `loading`, and INFO persistence shows loading:1
 * and the loading_* progress. key-load-delay (µs per key, negative -N: 1 µs with
 * probability 1/N) slows the load: a chunk also ends once a millisecond of delay is
 * owed, and the next one waits it out on a timer, so the event loop is never
 * blocked by the delay. A file that fits one chunk (and no delay) loads at once.
 * Resolves as loadRdbAtStartup returns.
 */
export function loadRdbAtStartupInChunks(server: Server): Promise<boolean> {
  if (server.config.getBool('appendonly')) return Promise.resolve(true);
  const path = rdbPath(server);
  const st = rdbStateOf(server);
  const t0 = Date.now();
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return Promise.resolve(true);
    server.log.warning(`Fatal error loading the DB: ${strerror(err)}. Exiting.`);
    return Promise.resolve(false);
  }
  const fail = (e: unknown): boolean => {
    if (!(e instanceof RdbError)) {
      server.log.warning(`Fatal error loading the DB (${path}): ${(e as Error).stack ?? String(e)}. Exiting.`);
      return false;
    }
    logRdbLoadFailure(server, e);
    if (e.kind === 'header') server.log.warning('Fatal error loading the DB: Invalid argument. Exiting.');
    return false;
  };
  let job: RdbLoadJob;
  try {
    job = beginRdbLoad(server, buf, 'replace', 'replace');
  } catch (e) {
    return Promise.resolve(fail(e));
  }
  const interval = server.config.getNumber('loading-process-events-interval-bytes');
  const delay = server.config.getNumber('key-load-delay');
  const setLoading = (on: boolean): void => {
    st.loading = on;
    st.onLoadingPhase?.(on);
  };
  st.loadingStartMs = t0;
  st.loadingTotalBytes = buf.length;
  st.loadingLoadedBytes = 0;
  setLoading(true);
  return new Promise<boolean>((resolvePromise) => {
    let debtUs = 0;
    const step = (): void => {
      const load = job.load;
      let done: boolean;
      try {
        const until = load.r.pos + interval;
        if (delay === 0) {
          done = load.run(until, Infinity);
        } else {
          // Key by key, so that each one owes its delay.
          done = false;
          while (!done && load.r.pos < until && debtUs < 1000) {
            done = load.run(until, 1);
            debtUs += keyDelayUs(delay);
          }
        }
      } catch (e) {
        setLoading(false);
        resolvePromise(fail(e));
        return;
      }
      st.loadingLoadedBytes = load.r.pos;
      if (!done) {
        if (debtUs >= 1000) {
          const ms = Math.floor(debtUs / 1000);
          debtUs -= ms * 1000;
          setTimeout(step, ms);
        } else {
          setImmediate(step);
        }
        return;
      }
      setLoading(false);
      job.finish();
      st.loadedReplInfo = st.lastLoadRepl;
      server.log.notice(`DB loaded from disk: ${((Date.now() - t0) / 1000).toFixed(3)} seconds`);
      resolvePromise(true);
    };
    step();
  });
}

/**
 * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE], as Redis 7: saves (unless NOSAVE; a failed
 * save answers a bare -ERR), empties the dataset (unless NOFLUSH), then loads the
 * file. MERGE lets the file's keys replace keys already there; without it (with
 * NOFLUSH) a key already there is a duplicate, on which Redis panics: the server
 * logs it and exits. A missing file or a bad header answers an error (the dataset
 * is then empty when it was flushed); a file broken further in makes Redis exit
 * (rdbReportError), and so do we.
 */
function debugReload(c: import('../server/client.js').Client, argv: string[]): void {
  const s = c.server;
  let merge = false;
  let flush = true;
  let save = true;
  for (let i = 2; i < argv.length; i++) {
    const o = argv[i].toLowerCase();
    if (o === 'merge') merge = true;
    else if (o === 'noflush') flush = false;
    else if (o === 'nosave') save = false;
    else {
      c.addError('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
      return;
    }
  }
  if (save) {
    try {
      rdbSaveToFile(s);
    } catch {
      c.addError('ERR');
      return;
    }
  }
  if (flush) {
    for (const db of s.ks.dbs) {
      if (db.size > 0) s.touchAllWatchedKeysInDb(db);
      db.clear();
    }
  }
  try {
    loadRdbFile(s, rdbPath(s), 'merge', merge ? 'replace' : 'fatal');
  } catch (e) {
    if (e instanceof RdbError && e.kind !== 'header') {
      logRdbLoadFailure(s, e);
      s.exit(1);
      return;
    }
    if (!(e instanceof RdbError)) s.log.warning(`DEBUG RELOAD: ${(e as Error).message}`);
    else logRdbLoadFailure(s, e);
    c.addError('ERR Error trying to load the RDB dump, check server logs.');
    return;
  }
  s.log.notice('DB reloaded by DEBUG RELOAD');
  c.addOk();
}

/**
 * Installs DEBUG RELOAD and the shutdown save: SHUTDOWN SAVE, or a shutdown without
 * NOSAVE while save points are configured, saves synchronously; a failed save
 * makes SHUTDOWN fail unless FORCE.
 */
export function installPersistence(server: Server): void {
  server.debugSubcommands.set('reload', debugReload);
  installBackgroundSave(server);
  // Exiting (a shutdown, or a second SIGINT): a running BGSAVE's temp file goes away.
  server.shutdownCtl.tempFileCleanups.push(() => killBgsave(server, true));
  server.shutdownHooks.push((opts) => {
    if (rdbStateOf(server).bgsave) {
      server.log.warning('There is a child saving an .rdb. Killing it!');
      killBgsave(server, true);
    }
    // While loading, the dataset is partial: never saved (Redis turns SAVE into NOSAVE).
    if (opts.nosave || rdbStateOf(server).loading) return;
    const sp = server.config.get('save');
    const savePoints = Array.isArray(sp) ? sp.length > 0 : sp !== '';
    if (!opts.save && !savePoints) return;
    server.log.notice('Saving the final RDB snapshot before exiting.');
    try {
      rdbSaveToFile(server);
    } catch (e) {
      server.log.warning('Error trying to save the DB, can\'t exit.');
      if (!opts.force) throw e;
    }
  });
}

// ---- BGSAVE -------------------------------------------------------------------------------

/** Numbers the BGSAVE temporary files of this process. */
let bgsaveSeq = 0;

/**
 * Starts a background save to dir/dbfilename: a fork-less snapshot (see snapshot.ts)
 * written to temp-bgsave-<pid>-<n>.rdb (one name per BGSAVE: a stopped one deletes its file
 * asynchronously, which must not hit the next one's) and renamed when complete. Returns false when one
 * is already running.
 */
export function rdbSaveBackground(server: Server): boolean {
  if (rdbStateOf(server).bgsave) return false;
  const start = Date.now();
  rdbStateOf(server).bgsaveInProgress = true;
  rdbStateOf(server).bgsaveStartMs = start;
  rdbStateOf(server).lastBgsaveTryMs = start;
  rdbStateOf(server).dirtyAtBgsaveStart = server.dirty;
  rdbStateOf(server).bgsaveScheduled = false;
  // Counted when it starts, as Redis counts at fork (INFO rdb_saves while it runs).
  rdbStateOf(server).saves++;
  server.log.notice(`Background saving started (fork-less snapshot of ${server.ks.totalKeys()} keys)`);
  const job = saveSnapshotToFile(server, rdbPath(server), `temp-bgsave-${process.pid}-${++bgsaveSeq}.rdb`, {
    onDone: (err, bytes) => {
      if (rdbStateOf(server).bgsave !== job) return;
      rdbStateOf(server).bgsave = null;
      rdbStateOf(server).bgsaveInProgress = false;
      rdbStateOf(server).lastBgsaveTimeSec = Math.round((Date.now() - start) / 1000);
      rdbStateOf(server).lastCowBytes = job.snapshot.cowBytes;
      if (err === null) {
        server.dirty = Math.max(0, server.dirty - rdbStateOf(server).dirtyAtBgsaveStart);
        server.lastSaveTime = Math.floor(Date.now() / 1000);
        rdbStateOf(server).lastBgsaveOk = true;
        rdbStateOf(server).lastSaveOk = true;
        rdbStateOf(server).lastSaveBytes = bytes;
        server.log.notice('Background saving terminated with success');
      } else if (killed.has(job)) {
        killed.delete(job);
        server.log.warning('Background saving terminated: snapshot stopped by the server');
      } else {
        rdbStateOf(server).lastBgsaveOk = false;
        server.log.warning(`Background saving error: ${err.message}`);
      }
      for (const h of bgsaveDoneHooks) h(err === null);
    },
  });
  rdbStateOf(server).bgsave = job;
  return true;
}

/** Run when a BGSAVE ends (true: it succeeded). Replication and the AOF listen here. */
export const bgsaveDoneHooks: Array<(ok: boolean) => void> = [];

const killed = new WeakSet<FileSnapshot>();

/**
 * Stops a running BGSAVE on purpose (FLUSHALL, SHUTDOWN, SAVE): not counted as an
 * error. Its temp file is removed in the background, or at once when `removeNow`
 * (the process is about to exit).
 */
export function killBgsave(server: Server, removeNow = false): void {
  const job = rdbStateOf(server).bgsave;
  if (!job) return;
  killed.add(job);
  server.log.notice('Killing the running background save');
  job.abort('killed by the server');
  if (removeNow) {
    try {
      unlinkSync(job.tmpPath);
    } catch {
      /* not created yet, or already removed */
    }
  }
  if (rdbStateOf(server).bgsave === job) {
    rdbStateOf(server).bgsave = null;
    rdbStateOf(server).bgsaveInProgress = false;
  }
}

/** The configured save points as [seconds, changes] pairs. */
function savePoints(server: Server): Array<[number, number]> {
  const sp = server.config.get('save');
  const words = Array.isArray(sp) ? (sp as string[]) : String(sp).split(/\s+/).filter((w) => w !== '');
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < words.length; i += 2) out.push([Number(words[i]), Number(words[i + 1])]);
  return out;
}

/** Seconds Redis waits after a failed BGSAVE before a save point may try again. */
const BGSAVE_RETRY_DELAY_SEC = 5;

/** Cron: save points, and a BGSAVE SCHEDULEd while an AOF rewrite ran. */
function persistenceCron(server: Server): void {
  if (rdbStateOf(server).bgsave || rdbStateOf(server).loading) return;
  if (rdbStateOf(server).otherSnapshotActive()) return;
  if (rdbStateOf(server).bgsaveScheduled) {
    rdbSaveBackground(server);
    return;
  }
  if (server.dirty === 0) return;
  const now = Date.now();
  const sinceSave = now / 1000 - server.lastSaveTime;
  for (const [secs, changes] of savePoints(server)) {
    if (server.dirty >= changes && sinceSave > secs && (rdbStateOf(server).lastBgsaveOk || (now - rdbStateOf(server).lastBgsaveTryMs) / 1000 > BGSAVE_RETRY_DELAY_SEC)) {
      server.log.notice(`${changes} changes in ${secs} seconds. Saving...`);
      rdbSaveBackground(server);
      return;
    }
  }
}

const LOADING = 'LOADING Redis is loading the dataset in memory';

const MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/** BGSAVE [SCHEDULE]. */
function bgsaveCommand(c: import('../server/client.js').Client, argv: string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1].toLowerCase() === 'schedule') schedule = true;
    else {
      c.addError('ERR syntax error');
      return;
    }
  }
  const s = c.server;
  if (rdbStateOf(c.server).bgsave) {
    c.addError('ERR Background save already in progress');
  } else if (rdbStateOf(c.server).otherSnapshotActive() || c.inExec) {
    if (schedule || c.inExec) {
      rdbStateOf(c.server).bgsaveScheduled = true;
      c.addSimple('Background saving scheduled');
    } else {
      c.addError("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
  } else if (rdbSaveBackground(s)) {
    c.addSimple('Background saving started');
  } else {
    c.addError('ERR');
  }
}

export { bgsaveCommand };

/** INFO persistence, RDB half (the AOF module supplies its fields through aofInfoFields). */
export function persistenceInfoFields(server: Server): Array<[string, string | number]> {
  const job = rdbStateOf(server).bgsave;
  const now = Date.now();
  return [
    ['loading', rdbStateOf(server).loading ? 1 : 0],
    ['async_loading', 0],
    ['current_cow_peak', job ? job.snapshot.cowBytes : 0],
    ['current_cow_size', job ? job.snapshot.cowBytes : 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', job && job.snapshot.keysTotal > 0 ? ((job.snapshot.keysProcessed * 100) / job.snapshot.keysTotal).toFixed(2) : '0.00'],
    ['current_save_keys_processed', job ? job.snapshot.keysProcessed : 0],
    ['current_save_keys_total', job ? job.snapshot.keysTotal : 0],
    ['rdb_changes_since_last_save', server.dirty],
    ['rdb_bgsave_in_progress', job ? 1 : 0],
    ['rdb_last_save_time', server.lastSaveTime],
    ['rdb_last_bgsave_status', rdbStateOf(server).lastBgsaveOk ? 'ok' : 'err'],
    ['rdb_last_bgsave_time_sec', rdbStateOf(server).lastBgsaveTimeSec],
    ['rdb_current_bgsave_time_sec', job ? Math.round((now - rdbStateOf(server).bgsaveStartMs) / 1000) : -1],
    ['rdb_saves', rdbStateOf(server).saves],
    ['rdb_last_cow_size', rdbStateOf(server).lastCowBytes],
    ['rdb_last_load_keys_expired', rdbStateOf(server).lastLoad?.expired ?? 0],
    ['rdb_last_load_keys_loaded', rdbStateOf(server).lastLoad?.keys ?? 0],
  ];
}

/** Save points, BGSAVE SCHEDULE, MISCONF and the FLUSHALL save (called from installPersistence). */
function installBackgroundSave(server: Server): void {
  server.cronHooks.push(() => persistenceCron(server));
  setInfoSection(server, 'persistence', (s) => {
    let out = '';
    for (const [k, v] of persistenceInfoFields(s)) out += k + ':' + v + '\r\n';
    // Redis's order: the AOF status fields, the module fork fields, then (AOF on) the AOF sizes.
    const aof = aofInfo(s);
    let i = 0;
    for (; i < aof.length && aof[i][0] !== 'aof_current_size'; i++) out += aof[i][0] + ':' + aof[i][1] + '\r\n';
    out += 'module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n';
    for (; i < aof.length; i++) out += aof[i][0] + ':' + aof[i][1] + '\r\n';
    const st = rdbStateOf(s);
    if (st.loading && st.loadingTotalBytes > 0) {
      // Redis's loading progress fields, last in the section while loading.
      const elapsedSec = (Date.now() - st.loadingStartMs) / 1000;
      const loaded = st.loadingLoadedBytes;
      const total = st.loadingTotalBytes;
      const eta = loaded === 0 ? 1 : Math.floor((elapsedSec * (total - loaded)) / loaded);
      out += `loading_start_time:${Math.floor(st.loadingStartMs / 1000)}\r\n`;
      out += `loading_total_bytes:${total}\r\n`;
      out += `loading_rdb_used_mem:${st.loadingRdbUsedMem}\r\n`;
      out += `loading_loaded_bytes:${loaded}\r\n`;
      out += `loading_loaded_perc:${((loaded * 100) / total).toFixed(2)}\r\n`;
      out += `loading_eta_seconds:${eta}\r\n`;
    }
    return out;
  });
  // MISCONF after a failed BGSAVE: registered only while the last one failed.
  const rdbState = rdbStateOf(server);
  const misconf = new PhaseSwitch(server.phases, 'misconf', (c, spec, _argv, bits) => {
    if (rdbState.lastBgsaveOk || ((bits & CMD_WRITE) === 0 && spec.name !== 'ping')) return null;
    if (!server.config.getBool('stop-writes-on-bgsave-error') || savePoints(server).length === 0) return null;
    if (server.role === 'replica' || (c.flags & CLIENT_MASTER) !== 0) return null;
    return MISCONF;
  }, { script: true });
  rdbState.onBgsaveOk = (ok) => misconf.set(!ok);
  // LOADING while the start-up load runs in chunks: commands not flagged `loading`
  // (and EXEC of a transaction holding one) are refused.
  const loadingPhase = new PhaseSwitch(server.phases, 'loading', (c, spec) => {
    if (!rdbState.loading) return null;
    if (!spec.flags.includes('loading')) return LOADING;
    if (spec.name === 'exec' && c.multi !== null && c.multi.queue.some((q) => !q.spec.flags.includes('loading'))) return LOADING;
    return null;
  });
  rdbState.onLoadingPhase = (on) => loadingPhase.set(on);
  misconf.set(!rdbState.lastBgsaveOk);
  // FLUSHALL stops a BGSAVE and, with save points, saves the empty dataset (Redis 7.2).
  server.flushAllHooks.push(() => {
    if (rdbStateOf(server).bgsave) killBgsave(server);
    if (savePoints(server).length > 0) {
      try {
        rdbSaveToFile(server);
      } catch {
        /* logged by rdbSaveToFile */
      }
    }
  });
}

/** The AOF fields of INFO persistence: installAof (always installed) provides them. */
export let aofInfo = (_s: Server): Array<[string, string | number]> => [];

export function setAofInfoProvider(fn: (s: Server) => Array<[string, string | number]>): void {
  aofInfo = fn;
}
