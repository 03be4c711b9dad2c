// Loading the append-only file: the base (an RDB file, or commands), then every
// incr file of the manifest in order, each replayed as commands on a fake client.
//
// The command stream is RESP multibulk (`*<argc>\r\n` then `$<len>\r\n<bytes>\r\n`
// per argument), with annotation lines starting with '#' (`#TS:<unix>` when
// aof-timestamp-enabled) skipped. A base that starts with "REDIS" is an RDB file,
// possibly followed by commands (the single-file AOF with an RDB preamble).
//
// Outcomes, as Redis 7 classifies them (and logs them, with its wording):
//   - the file ends inside a command, or inside a MULTI without its EXEC
//     ("Revert incomplete MULTI/EXEC transaction"): truncated. Allowed only in the
//     last file and only with aof-load-truncated yes: the file is cut back to the
//     last complete command (or to before the MULTI) and loading succeeds; else
//     the load fails. Unlike Redis, a truncated file that is not the last one is
//     left as it is (Redis cuts it before refusing to start).
//   - a byte that cannot start a command or an argument, a bad length, a missing
//     CRLF after an argument (Redis does not check it; a mutated file is refused
//     rather than mis-read): bad format, the load fails.
//   - an unknown command: the load fails. So does a command that is not a write
//     (Redis would run anything, SHUTDOWN and DEBUG included; an AOF only ever holds
//     writes plus SELECT/MULTI/EXEC) or has the wrong number of arguments.
//   - a broken RDB base fails the load (Redis may treat a short RDB preamble as a
//     truncation and cut the base file to zero bytes; Cinnabar never does).
//
// When the load fails every database is emptied: the server never keeps half a
// dataset (at start-up it then exits, as Redis does).
//
// While replaying, keys do not expire (Redis's rule while loading: a later PERSIST
// or PEXPIREAT may still save a key whose first TTL is past): the keyspace clock is
// held at 0 during the replay, so TTLs read as future and "already expired"
// checks do not fire. Files written by Redis >= 2.6 or by Cinnabar only hold
// absolute times (PXAT, PEXPIREAT, ABSTTL); a relative EX/EXPIRE in a hand-written
// file would be taken from the epoch. The LRU/LFU clocks of keys created meanwhile
// are set to the load time afterwards. Replies of the fake client are discarded
// and its errors do not count in INFO errorstats.
//
// Files are read whole (one Buffer per file, at most buffer.constants.MAX_LENGTH).
//
// API:
//   AOF_OK ... AOF_TRUNCATED                 outcome codes (Redis's)
//   scanAofCommands(buf, start, onCommand)   the stream parser (unit tests, fuzzing)
//   loadAofFiles(server, dir, manifest)      loads base + incr files; {status, sizes}

import { readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server/server.js';
import { Client, CLIENT_REPLY_OFF } from '../server/client.js';
import { CMD_MAY_REPLICATE, CMD_WRITE, findSubcommand, specBits, type CommandSpec } from '../commands/table.js';
import { MAX_STRING_LENGTH } from '../protocol/parser.js';
import { RdbError, loadRdb } from './rdb.js';
import { rdbStateOf } from './persistence.js';
import type { AofManifest } from './aof-manifest.js';
import { functionLibrariesOf } from '../server/function-libraries.js';

export const AOF_OK = 0;
export const AOF_NOT_EXIST = 1;
export const AOF_EMPTY = 2;
export const AOF_OPEN_ERR = 3;
export const AOF_FAILED = 4;
export const AOF_TRUNCATED = 5;
export type AofStatus = 0 | 1 | 2 | 3 | 4 | 5;

/** Longest `*<argc>` / `$<len>` line (Redis reads them with a 128-byte fgets). */
const LENGTH_LINE_MAX = 128;
/** Longest annotation line, newline included (Redis's AOF_ANNOTATION_LINE_MAX_LEN). */
const ANNOTATION_LINE_MAX = 1024;
/** Most arguments of one command (Redis's argc is an int). */
const AOF_MAX_ARGS = 0x7fffffff;

export const SCAN_OK = 0;
export const SCAN_TRUNCATED = 1;
export const SCAN_FORMAT = 2;

export interface ScanResult {
  status: typeof SCAN_OK | typeof SCAN_TRUNCATED | typeof SCAN_FORMAT;
  /** Offset just past the last complete command (or annotation). */
  validUpTo: number;
}

/**
 * Finds the '\n' ending the line that starts at `pos`, looking at most `max` bytes.
 * Returns its index, -1 when the buffer ends first (a truncated line), -2 when the
 * line is longer than `max`.
 */
function lineEnd(buf: Buffer, pos: number, max: number): number {
  const limit = Math.min(buf.length, pos + max);
  const i = buf.indexOf(10, pos);
  if (i >= 0 && i < limit) return i;
  return i < 0 && limit === buf.length ? -1 : -2;
}

/** Parses the digits of a `*n\r\n` / `$n\r\n` line between start+1 and the CR; -1 when malformed. */
function parseCount(buf: Buffer, start: number, nl: number): number {
  // Strict: at least one digit, then exactly "\r\n".
  if (nl - start < 3 || buf[nl - 1] !== 13) return -1;
  let n = 0;
  for (let i = start + 1; i < nl - 1; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
    if (n > Number.MAX_SAFE_INTEGER / 10) return -1;
  }
  return n;
}

/**
 * Parses commands from `buf` starting at `start`, calling onCommand(argv, end) for
 * each complete one (end = offset just past it). onCommand may return false to
 * stop (the result is then SCAN_OK with validUpTo at that command's start).
 */
export function scanAofCommands(buf: Buffer, start: number, onCommand: (argv: string[], end: number) => boolean): ScanResult {
  let pos = start;
  let valid = start;
  const len = buf.length;
  while (pos < len) {
    const first = buf[pos];
    if (first === 35) {
      // '#': an annotation line.
      const nl = lineEnd(buf, pos, ANNOTATION_LINE_MAX);
      if (nl === -1) return { status: SCAN_TRUNCATED, validUpTo: valid };
      if (nl === -2) return { status: SCAN_FORMAT, validUpTo: valid };
      pos = nl + 1;
      valid = pos;
      continue;
    }
    if (first !== 42) return { status: SCAN_FORMAT, validUpTo: valid };
    let nl = lineEnd(buf, pos, LENGTH_LINE_MAX);
    if (nl === -1) return { status: SCAN_TRUNCATED, validUpTo: valid };
    const argc = nl === -2 ? -1 : parseCount(buf, pos, nl);
    if (argc < 1 || argc > AOF_MAX_ARGS) return { status: SCAN_FORMAT, validUpTo: valid };
    pos = nl + 1;
    const argv: string[] = [];
    for (let j = 0; j < argc; j++) {
      if (pos >= len) return { status: SCAN_TRUNCATED, validUpTo: valid };
      if (buf[pos] !== 36) return { status: SCAN_FORMAT, validUpTo: valid };
      nl = lineEnd(buf, pos, LENGTH_LINE_MAX);
      if (nl === -1) return { status: SCAN_TRUNCATED, validUpTo: valid };
      const n = nl === -2 ? -1 : parseCount(buf, pos, nl);
      if (n < 0 || n > MAX_STRING_LENGTH) return { status: SCAN_FORMAT, validUpTo: valid };
      pos = nl + 1;
      if (len - pos < n + 2) return { status: SCAN_TRUNCATED, validUpTo: valid };
      if (buf[pos + n] !== 13 || buf[pos + n + 1] !== 10) return { status: SCAN_FORMAT, validUpTo: valid };
      argv.push(buf.toString('latin1', pos, pos + n));
      pos += n + 2;
    }
    if (!onCommand(argv, pos)) return { status: SCAN_OK, validUpTo: valid };
    valid = pos;
  }
  return { status: SCAN_OK, validUpTo: valid };
}

/** Why replaying a command failed (null: it ran). */
type ReplayError = { kind: 'unknown' | 'notallowed' | 'arity'; name: string } | null;

/**
 * Runs commands on a fake client the way the AOF needs: MULTI queues until EXEC,
 * SELECT switches the database, replies are dropped.
 */
class Replayer {
  readonly c: Client;
  multi: Array<{ spec: CommandSpec; argv: string[] }> | null = null;

  constructor(readonly server: Server) {
    this.c = new Client(server, null, server.ks.dbs[0], Number.MAX_SAFE_INTEGER);
    this.c.flags |= CLIENT_REPLY_OFF;
  }

  /** Checks and runs (or queues) one command. */
  feed(argv: string[]): ReplayError {
    const name = argv[0].toLowerCase();
    if (name === 'multi') {
      // A nested MULTI does not occur in files Redis or Cinnabar write; treat it as a restart.
      this.multi = [];
      return null;
    }
    if (name === 'exec') {
      const q = this.multi;
      this.multi = null;
      if (q) for (const e of q) this.run(e.spec, e.argv);
      return null;
    }
    let spec = this.server.commands.lookup(name);
    if (spec === undefined) return { kind: 'unknown', name: argv[0] };
    if (spec.subcommands !== undefined) {
      const sub = argv.length >= 2 ? findSubcommand(spec, argv[1]) : undefined;
      if (!sub) return { kind: 'unknown', name: argv[0] };
      spec = sub;
    }
    if (name !== 'select' && (specBits(spec) & (CMD_WRITE | CMD_MAY_REPLICATE)) === 0) return { kind: 'notallowed', name: argv[0] };
    if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity || !spec.handler) return { kind: 'arity', name: argv[0] };
    if (this.multi) this.multi.push({ spec, argv });
    else this.run(spec, argv);
    return null;
  }

  private run(spec: CommandSpec, argv: string[]): void {
    const c = this.c;
    c.cmd = spec;
    c.argv = argv;
    c.propArgv = null;
    c.preventProp = false;
    try {
      spec.handler!(c, argv);
    } catch (e) {
      const err = e as Error;
      this.server.log.warning(`Internal error executing '${spec.name}' while loading the AOF: ${err.stack ?? err.message}`);
    }
    c.cmd = null;
    c.out = '';
  }
}

function logLoadError(server: Server, kind: 'format' | 'eof', file: string): void {
  if (kind === 'format') {
    server.log.warning(`Bad file format reading the append only file ${file}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
  } else {
    server.log.warning(
      `Unexpected end of file reading the append only file ${file}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
    );
  }
}

/** LRU/LFU clock of the keyspace for loaded RDB keys (idle seconds / LFU counter kept). */
function lruFor(server: Server, idleSec: number, freq: number): number {
  const ks = server.ks;
  if (ks.lfu) {
    const fresh = ks.initialLru();
    return freq >= 0 ? (fresh & ~255) | (freq & 255) : fresh;
  }
  const clock = ks.lruClock();
  if (idleSec < 0) return clock;
  const LRU_MAX = (1 << 24) - 1;
  const idle = idleSec > LRU_MAX ? LRU_MAX : idleSec;
  return clock >= idle ? clock - idle : LRU_MAX - (idle - clock);
}

/**
 * Loads one file of the AOF. `last`: the last file of the set (only it may be
 * truncated). Returns an AOF_* status after logging as Redis does.
 */
function loadSingleFile(server: Server, dir: string, name: string, last: boolean): AofStatus {
  const path = join(dir, name);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    server.log.warning(`Fatal error: can't open the append log file ${name} for reading: ${(e as Error).message}`);
    return AOF_OPEN_ERR;
  }
  if (buf.length === 0) return AOF_EMPTY;
  let start = 0;
  if (buf.length >= 5 && buf.toString('latin1', 0, 5) === 'REDIS') {
    server.log.notice('Reading RDB base file on AOF loading...');
    const ks = server.ks;
    ks.now = Date.now();
    const libs = functionLibrariesOf(server);
    const codes: string[] = [];
    try {
      const info = loadRdb(buf, {
        config: server.config,
        dbCount: ks.dbs.length,
        now: Date.now(),
        // Expired keys stay: later commands of the AOF may still touch them (as Redis does for a preamble).
        dropExpired: false,
        verifyChecksum: server.config.getBool('rdbchecksum'),
        onKey: (dbid, key, obj, expireMs, idleSec, freq) => {
          const db = ks.dbs[dbid];
          if (db.dict.has(key)) throw new RdbError(`RDB has duplicated key '${key}' in DB ${dbid}`);
          obj.lru = lruFor(server, idleSec, freq);
          db.add(key, obj);
          if (expireMs !== -1) db.setExpire(key, expireMs);
        },
        onFunction: libs === undefined ? undefined : (code) => codes.push(code),
        onWarning: (m) => server.log.warning(m),
      });
      if (libs !== undefined) {
        const err = libs.restore(codes, 'merge');
        if (err !== null) throw new RdbError(`Failed loading library: ${err}`);
      }
      start = info.end;
    } catch (e) {
      const msg = e instanceof RdbError ? e.message : ((e as Error).stack ?? String(e));
      server.log.warning(`${msg}`);
      server.log.warning(`Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`);
      return AOF_FAILED;
    }
    if (start < buf.length) server.log.notice('Reading the remaining AOF tail...');
  }
  const rp = new Replayer(server);
  let validBeforeMulti = start;
  let lastEnd = start;
  let bad: ReplayError = null;
  const ks = server.ks;
  ks.now = 0;
  const res = scanAofCommands(buf, start, (argv, end) => {
    const wasMulti = rp.multi !== null;
    if (!wasMulti && argv[0].length === 5 && argv[0].toLowerCase() === 'multi') validBeforeMulti = lastEnd;
    bad = rp.feed(argv);
    if (bad !== null) return false;
    lastEnd = end;
    return true;
  });
  ks.now = Date.now();
  const err = bad as ReplayError;
  if (err !== null) {
    if (err.kind === 'unknown') server.log.warning(`Unknown command '${err.name}' reading the append only file ${name}`);
    else if (err.kind === 'notallowed') server.log.warning(`Command '${err.name}' is not a write command: refusing to run it from the append only file ${name}`);
    else server.log.warning(`Wrong number of arguments for '${err.name}' reading the append only file ${name}`);
    return AOF_FAILED;
  }
  if (res.status === SCAN_FORMAT) {
    logLoadError(server, 'format', name);
    return AOF_FAILED;
  }
  let validUpTo = res.validUpTo;
  let truncated = res.status === SCAN_TRUNCATED;
  if (rp.multi !== null) {
    server.log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
    validUpTo = validBeforeMulti;
    truncated = true;
  }
  if (!truncated) return AOF_OK;
  if (server.config.getBool('aof-load-truncated')) {
    server.log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    if (!last) {
      server.log.warning('Fatal error: the truncated file is not the last file');
      return AOF_FAILED;
    }
    server.log.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
    try {
      truncateSync(path, validUpTo);
      server.log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      return AOF_TRUNCATED;
    } catch (e) {
      server.log.warning(`Error truncating the AOF file ${name}: ${(e as Error).message}`);
    }
  }
  logLoadError(server, 'eof', name);
  return AOF_FAILED;
}

export interface AofLoadResult {
  status: AofStatus;
  /** Bytes of the base and incr files (INFO aof_current_size). */
  totalSize: number;
  /** Bytes of the base (INFO aof_base_size after loading). */
  baseSize: number;
}

/** Empties every database (a failed load leaves nothing behind). */
function dropAll(server: Server): void {
  for (const db of server.ks.dbs) db.clear();
}

/** Gives keys created by the replay (clock 0) the load time as their access time. */
function fixClocks(server: Server): void {
  const ks = server.ks;
  const fresh = ks.initialLru();
  for (const db of ks.dbs) {
    for (const obj of db.dict.values()) {
      if (ks.lfu) {
        if (obj.lru >>> 8 === 0) obj.lru = (fresh & ~255) | (obj.lru & 255);
      } else if (obj.lru === 0) {
        obj.lru = fresh;
      }
    }
  }
}

/**
 * Loads the files of `manifest` (in `dir`) into the server: the base, then the
 * incr files in order. Returns AOF_NOT_EXIST when the manifest names no file,
 * AOF_EMPTY when they are all empty, AOF_OK / AOF_TRUNCATED on success, and
 * AOF_FAILED / AOF_OPEN_ERR (every database emptied) on failure.
 */
export function loadAofFiles(server: Server, dir: string, manifest: AofManifest): AofLoadResult {
  const files = manifest.base ? [manifest.base, ...manifest.incr] : manifest.incr;
  const result: AofLoadResult = { status: AOF_NOT_EXIST, totalSize: 0, baseSize: 0 };
  if (files.length === 0) return result;
  for (const f of files) {
    try {
      result.totalSize += statSync(join(dir, f.name)).size;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      server.log.warning(`Unable to obtain the AOF file ${f.name} length. stat: ${err.code === 'ENOENT' ? 'No such file or directory' : err.message}`);
      result.status = AOF_FAILED;
      return result;
    }
  }
  if (result.totalSize === 0) {
    result.status = AOF_EMPTY;
    return result;
  }
  const dirtyBefore = server.dirty;
  const errorsBefore = server.stats.errorReplies;
  const errorStatsBefore = new Map(server.errorStats);
  rdbStateOf(server).loading = true;
  let status: AofStatus = AOF_OK;
  try {
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const last = i === files.length - 1;
      const t0 = Date.now();
      if (f === manifest.base) {
        try {
          result.baseSize = statSync(join(dir, f.name)).size;
        } catch {
          /* measured above */
        }
      }
      let st = loadSingleFile(server, dir, f.name, last);
      if (st === AOF_OK || st === AOF_TRUNCATED) {
        server.log.notice(`DB loaded from ${f === manifest.base ? 'base' : 'incr'} file ${f.name}: ${((Date.now() - t0) / 1000).toFixed(3)} seconds`);
      }
      // Some file has data (the total is not zero): an empty one is fine.
      if (st === AOF_EMPTY) st = AOF_OK;
      if (st === AOF_FAILED || st === AOF_OPEN_ERR) {
        status = st;
        break;
      }
      if (st === AOF_TRUNCATED) status = AOF_TRUNCATED;
    }
  } catch (e) {
    server.log.warning(`Error loading the append only file: ${(e as Error).stack ?? String(e)}`);
    status = AOF_FAILED;
  } finally {
    rdbStateOf(server).loading = false;
    server.ks.now = Date.now();
    server.dirty = dirtyBefore;
    server.stats.errorReplies = errorsBefore;
    server.errorStats.clear();
    for (const [k, v] of errorStatsBefore) server.errorStats.set(k, v);
  }
  if (status === AOF_FAILED || status === AOF_OPEN_ERR) {
    dropAll(server);
  } else {
    fixClocks(server);
    // The truncation shortened the last file.
    if (status === AOF_TRUNCATED) {
      result.totalSize = 0;
      for (const f of files) {
        try {
          result.totalSize += statSync(join(dir, f.name)).size;
        } catch {
          /* measured above */
        }
      }
    }
  }
  result.status = status;
  return result;
}
