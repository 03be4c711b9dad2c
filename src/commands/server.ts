// Server commands: INFO CONFIG DBSIZE FLUSHDB FLUSHALL SWAPDB TIME LASTSAVE SHUTDOWN
// DEBUG OBJECT MEMORY SLOWLOG MONITOR COMMAND.
//
// Notes on what is approximated (see also the reports of each command):
//  - COMMAND INFO key specs are derived from the legacy (first, last, step) triple
//    and the command's flags (readonly -> RO access, write -> RW update); commands
//    with movable keys get one "unknown" key spec. COMMAND DOCS has no argument
//    descriptions (the table does not carry them).
//  - DEBUG implements HELP SLEEP SET-ACTIVE-EXPIRE OBJECT CHANGE-REPL-ID
//    QUICKLIST-PACKED-THRESHOLD ERROR LOG DIGEST DIGEST-VALUE POPULATE PROTOCOL
//    REPLYBUFFER PAUSE-CRON SET-SKIP-CHECKSUM-VALIDATION; RELOAD and LOADAOF reply
//    an error until a persistence subsystem registers them (setDebugSubcommand).
//    DIGEST is an order-independent SHA1 of the dataset of our own design: equal
//    datasets give equal digests between Cinnabar servers, not Redis's value.
//  - CONFIG SET bind/port/unixsocket change the value only (listeners are not
//    re-opened).
//  - MEMORY USAGE / STATS / DOCTOR use the V8 size model and the heap readings
//    described in keyspace/eviction.ts (MEMORY MALLOC-STATS: no allocator stats;
//    MEMORY PURGE: OK, nothing to do).

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { cmd, findSubcommand, getKeyPositions, type CommandFlag, type CommandSpec } from './table.js';
import type { Client } from '../server/client.js';
import { CLIENT_MONITOR, CLIENT_REPLICA } from '../server/client.js';
import type { Server } from '../server/server.js';
import { reprString } from '../server/server.js';
import { Config, ConfigError, findDirective, type Directive } from '../server/config.js';
import { genInfo, changeReplicationId, memoryFigures, bytesToHuman } from '../server/info.js';
import { keyMemoryUsage, memoryTracker, evictor, TABLES_PER_KEY, EXPIRE_OVERHEAD } from '../keyspace/eviction.js';
import type { Database } from '../keyspace/keyspace.js';
import { ObjType, RObj, ENC_BIG, typeName, type RHash, type RSet } from '../types/object.js';
import type { RList } from '../types/list.js';
import type { SortedSet } from '../types/sorted-set.js';
import { parseIntArg } from '../util/numbers.js';
import { globMatch } from '../util/glob.js';
import { splitArgs } from '../protocol/parser.js';
import { addHelp, clientInfoLine, subcommandSyntaxError } from './client.js';
import * as stringsMod from './strings.js';
import * as hashesMod from './hashes.js';
import * as setsMod from './sets.js';
import * as zsetsMod from './zsets.js';

// ---- installation -----------------------------------------------------------------------

const DEBUG_DENIED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

/** Redis's islocalClient: a unix socket or a loopback address. */
export function isLocalClient(c: Client): boolean {
  const s = c.socket;
  if (!s) return true;
  const a = s.remoteAddress;
  if (!a) return true;
  return a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');
}

/** Redis's allowProtectedAction for enable-debug-command / enable-protected-configs. */
function allowProtected(c: Client, setting: string): boolean {
  const v = c.server.config.getString(setting);
  return v === 'yes' || (v === 'local' && isLocalClient(c));
}

/** Wires this module into a server: the CLIENT LIST line builder and the DEBUG gate. */
export function installServerCommands(s: Server): void {
  s.clientInfoLine = clientInfoLine;
  s.preExecChecks.push((c, spec) => {
    if (spec.name !== 'debug' || spec.subcommands !== undefined) return false;
    if (c.server.commands.lookup('debug') !== spec) return false;
    if (allowProtected(c, 'enable-debug-command')) return false;
    c.addError(DEBUG_DENIED);
    return true;
  });
}

/** Hooks run by CONFIG RESETSTAT (subsystems reset their own counters). */
export const resetStatHooks: Array<(s: Server) => void> = [];
/** Hooks run by FLUSHALL after the data is gone (persistence saves when save points are set). */
export const flushAllHooks: Array<(s: Server) => void> = [];

// ---- INFO -------------------------------------------------------------------------------

function info(c: Client, argv: string[]): void {
  c.addVerbatim(genInfo(c.server, argv.slice(1)));
}

// ---- CONFIG -----------------------------------------------------------------------------

function configGet(c: Client, argv: string[]): void {
  const pairs = c.server.config.matching(argv.slice(2));
  c.addMapLen(pairs.length);
  for (const [k, v] of pairs) {
    c.addBulk(k);
    c.addBulk(v);
  }
}

/** Configs CONFIG SET refuses unless enable-protected-configs allows it. */
const PROTECTED_CONFIGS = new Set(['dir', 'dbfilename']);

/** strerror text for a Node error code (CONFIG SET dir reports it as Redis does). */
function strerror(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EPERM':
      return 'Operation not permitted';
    case 'ENAMETOOLONG':
      return 'File name too long';
    case 'ELOOP':
      return 'Too many levels of symbolic links';
    case 'EROFS':
      return 'Read-only file system';
    case 'ENOSPC':
      return 'No space left on device';
    default:
      return e.message;
  }
}

function configSet(c: Client, argv: string[]): void {
  const s = c.server;
  const cfg = s.config;
  if ((argv.length - 2) % 2 !== 0) {
    c.addError('ERR syntax error');
    return;
  }
  const n = (argv.length - 2) / 2;
  const dirs: Directive[] = [];
  const seen = new Set<string>();
  let unknown: string | null = null;
  let errArg: string | null = null;
  let errStr = '';
  for (let i = 0; i < n; i++) {
    const name = argv[2 + i * 2];
    const d = findDirective(name);
    // The first problem found is the one reported.
    if (unknown !== null || errArg !== null) continue;
    if (!d) {
      unknown = name;
      continue;
    }
    if (!d.mutable) {
      errArg = name;
      errStr = "can't set immutable config";
      continue;
    }
    if (PROTECTED_CONFIGS.has(d.name) && !allowProtected(c, 'enable-protected-configs')) {
      errArg = name;
      errStr = "can't set protected config";
      continue;
    }
    // A name given twice is refused; a name and its alias are not (the last one wins), as in Redis.
    const lname = name.toLowerCase();
    if (seen.has(lname)) {
      errArg = name;
      errStr = 'duplicate parameter';
      continue;
    }
    seen.add(lname);
    dirs.push(d);
  }
  if (unknown !== null) {
    c.addError(`ERR Unknown option or number of arguments for CONFIG SET - '${unknown}'`);
    return;
  }
  if (errArg !== null) {
    c.addError(`ERR CONFIG SET failed (possibly related to argument '${errArg}') - ${errStr}`);
    return;
  }
  // Validate every value before changing anything.
  for (let i = 0; i < n; i++) {
    try {
      cfg.parseValue(dirs[i], [argv[3 + i * 2]]);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      c.addError(`ERR CONFIG SET failed (possibly related to argument '${argv[2 + i * 2]}') - ${e.message}`);
      return;
    }
  }
  // Apply; on a failure (chdir) restore what was already applied.
  const old: string[] = dirs.map((d) => cfg.format(d));
  for (let i = 0; i < n; i++) {
    const d = dirs[i];
    let value = argv[3 + i * 2];
    try {
      if (d.name === 'dir') {
        process.chdir(value);
        value = process.cwd();
      }
      cfg.set(d.name, [value]);
    } catch (e) {
      // Including directive i: its value may be stored when a change listener refused it.
      for (let j = i; j >= 0; j--) {
        try {
          if (dirs[j].name === 'dir') process.chdir(old[j]);
          cfg.set(dirs[j].name, [old[j]]);
        } catch {
          /* best effort */
        }
      }
      const msg = e instanceof ConfigError ? e.message : strerror(e as NodeJS.ErrnoException);
      c.addError(`ERR CONFIG SET failed (possibly related to argument '${argv[2 + i * 2]}') - ${msg}`);
      return;
    }
  }
  c.addOk();
}

/** Zeroes the statistics INFO reports (CONFIG RESETSTAT). */
export function resetStats(s: Server): void {
  const st = s.stats as unknown as Record<string, number>;
  for (const k of Object.keys(st)) if (typeof st[k] === 'number') st[k] = 0;
  const ks = s.ks.stats as unknown as Record<string, number>;
  for (const k of Object.keys(ks)) if (typeof ks[k] === 'number') ks[k] = 0;
  s.cmdStats.clear();
  s.errorStats.clear();
  s.authFailures = 0;
  memoryTracker(s).resetPeak();
  const ev = evictor(s);
  if (ev) {
    ev.exceededTotalMs = 0;
    if (ev.exceededSince) ev.exceededSince = Date.now();
  }
  for (const h of resetStatHooks) h(s);
}

function configResetstat(c: Client): void {
  resetStats(c.server);
  c.addOk();
}

const REWRITE_SIGNATURE = '# Generated by CONFIG REWRITE';

/** "1gb" / "64mb" / "16kb" / "1000" as CONFIG REWRITE prints memory values. */
function formatMemoryValue(v: number): string {
  const GB = 1024 * 1024 * 1024;
  const MB = 1024 * 1024;
  if (v !== 0 && v % GB === 0) return `${v / GB}gb`;
  if (v !== 0 && v % MB === 0) return `${v / MB}mb`;
  if (v !== 0 && v % 1024 === 0) return `${v / 1024}kb`;
  return String(v);
}

/** The config-file lines for a directive's current value (several for save, cobl). */
function rewriteLines(cfg: Config, d: Directive): string[] {
  const v = cfg.get(d.name);
  switch (d.kind) {
    case 'bool':
      return [`${d.name} ${v ? 'yes' : 'no'}`];
    case 'int':
      return [`${d.name} ${v}`];
    case 'memory':
      return [`${d.name} ${formatMemoryValue(v as number)}`];
    case 'enum':
      return [`${d.name} ${v}`];
    case 'string':
      return [`${d.name} ${reprString(v as string)}`];
    case 'special':
      break;
  }
  switch (d.name) {
    case 'save': {
      const w = v as string[];
      if (w.length === 0) return ['save ""'];
      const out: string[] = [];
      for (let i = 0; i + 1 < w.length; i += 2) out.push(`save ${w[i]} ${w[i + 1]}`);
      return out;
    }
    case 'client-output-buffer-limit': {
      const w = v as string[];
      const out: string[] = [];
      for (let i = 0; i + 3 < w.length; i += 4) {
        out.push(`client-output-buffer-limit ${w[i]} ${formatMemoryValue(Number(w[i + 1]))} ${formatMemoryValue(Number(w[i + 2]))} ${w[i + 3]}`);
      }
      return out;
    }
    case 'notify-keyspace-events':
      return [`${d.name} ${reprString(cfg.format(d))}`];
    case 'replicaof': {
      const t = cfg.format(d);
      return t === '' ? [] : [`replicaof ${t}`];
    }
    default: {
      const t = cfg.format(d);
      return [`${d.name} ${t === '' ? '""' : t}`];
    }
  }
}

/**
 * CONFIG REWRITE: rewrites the config file in place. Comments, blank lines and lines
 * that are not directives (include, rename-command, user...) are kept; a directive's
 * first line is replaced by its current value and its other lines are dropped;
 * directives that differ from their default and were not in the file are appended
 * after a "# Generated by CONFIG REWRITE" line. `dir` and `save` are always written.
 */
export function rewriteConfigFile(s: Server, file: string): void {
  const cfg = s.config;
  const defaults = new Config();
  const oldText = existsSync(file) ? readFileSync(file, 'latin1') : '';
  const lines: Array<string | null> = oldText === '' ? [] : oldText.replace(/\r?\n$/, '').split(/\r?\n/);
  const where = new Map<string, number[]>();
  let hasSignature = false;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '' || t.startsWith('#')) {
      if (t === REWRITE_SIGNATURE) hasSignature = true;
      continue;
    }
    const args = splitArgs(t);
    if (!args || args.length === 0) continue;
    const d = findDirective(args[0]);
    if (!d) continue;
    let list = where.get(d.name);
    if (!list) {
      list = [];
      where.set(d.name, list);
    }
    list.push(i);
  }
  const appended: string[] = [];
  for (const d of cfg.all()) {
    const cur = rewriteLines(cfg, d);
    const force = d.name === 'dir' || d.name === 'save' || cfg.format(d) !== defaults.format(d);
    const lineIdx = where.get(d.name) ?? [];
    if (lineIdx.length === 0 && !force) continue;
    let k = 0;
    for (const line of cur) {
      if (k < lineIdx.length) lines[lineIdx[k++]] = line;
      else appended.push(line);
    }
    for (; k < lineIdx.length; k++) lines[lineIdx[k]] = null;
  }
  const out: string[] = [];
  for (const l of lines) if (l !== null) out.push(l);
  if (appended.length > 0) {
    if (!hasSignature) out.push(REWRITE_SIGNATURE);
    out.push(...appended);
  }
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, out.join('\n') + '\n', 'latin1');
  renameSync(tmp, file);
}

function configRewrite(c: Client): void {
  const file = c.server.config.file;
  if (!file) {
    c.addError('ERR The server is running without a config file');
    return;
  }
  try {
    rewriteConfigFile(c.server, file);
  } catch (e) {
    const msg = strerror(e as NodeJS.ErrnoException);
    c.server.log.warning(`CONFIG REWRITE failed: ${msg}`);
    c.addError(`ERR Rewriting config file: ${msg}`);
    return;
  }
  c.server.log.notice('CONFIG REWRITE executed with success.');
  c.addOk();
}

const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

// ---- keyspace-wide commands -------------------------------------------------------------

function dbsize(c: Client): void {
  c.addInt(c.db.size);
}

/** Parses FLUSHDB/FLUSHALL's optional ASYNC|SYNC; false (after replying) on a syntax error. */
function flushOption(c: Client, argv: string[]): boolean {
  if (argv.length > 2) {
    c.addError('ERR syntax error');
    return false;
  }
  if (argv.length === 2) {
    const o = argv[1].toLowerCase();
    if (o !== 'async' && o !== 'sync') {
      c.addError('ERR syntax error');
      return false;
    }
  }
  return true;
}

/** Empties one database: WATCHers of its keys are touched, the evictor forgets its candidates. */
function emptyDb(s: Server, db: Database): number {
  const removed = db.size;
  if (removed > 0) s.touchAllWatchedKeysInDb(db);
  db.clear();
  return removed;
}

function flushdb(c: Client, argv: string[]): void {
  if (!flushOption(c, argv)) return;
  const s = c.server;
  s.dirty += emptyDb(s, c.db);
  evictor(s)?.reset();
  // Propagated even when the database was already empty, as Redis does.
  c.alsoPropagate(argv.slice());
  c.preventPropagation();
  c.addOk();
}

function flushall(c: Client, argv: string[]): void {
  if (!flushOption(c, argv)) return;
  const s = c.server;
  let removed = 0;
  for (const db of s.ks.dbs) removed += emptyDb(s, db);
  s.dirty += removed;
  evictor(s)?.reset();
  for (const h of flushAllHooks) h(s);
  s.dirty++;
  c.alsoPropagate(argv.slice());
  c.preventPropagation();
  c.addOk();
}

function swapdb(c: Client, argv: string[]): void {
  const s = c.server;
  if (s.mode === 'cluster') {
    c.addError('ERR SWAPDB is not allowed in cluster mode');
    return;
  }
  const id1 = parseIntArg(argv[1]);
  if (id1 === null) {
    c.addError('ERR invalid first DB index');
    return;
  }
  const id2 = parseIntArg(argv[2]);
  if (id2 === null) {
    c.addError('ERR invalid second DB index');
    return;
  }
  const n = s.ks.dbs.length;
  if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n) {
    c.addError('ERR DB index is out of range');
    return;
  }
  if (id1 !== id2) {
    const a = s.ks.dbs[id1];
    const b = s.ks.dbs[id2];
    // Clients WATCHing a key that exists on either side see their EXEC fail.
    s.touchAllWatchedKeysInDb(a, b);
    s.touchAllWatchedKeysInDb(b, a);
    a.swapWith(b);
    evictor(s)?.reset();
    // Clients stay in their database: the ones blocked on keys that now exist may be served.
    for (const cl of s.clients.values()) {
      const st = cl.blocked;
      if (!st || (st.db !== a && st.db !== b)) continue;
      for (const k of st.keys) if (st.db.dict.has(k)) s.signalKeyAsReady(st.db, k);
    }
  }
  s.dirty++;
  c.addOk();
}

function time(c: Client): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  c.addArrayLen(2);
  c.addBulk(String(Math.floor(us / 1e6)));
  c.addBulk(String(us % 1e6));
}

function lastsave(c: Client): void {
  c.addInt(c.server.lastSaveTime);
}

function shutdown(c: Client, argv: string[]): void {
  let save = false;
  let nosave = false;
  let abort = false;
  let now = false;
  let force = false;
  for (let i = 1; i < argv.length; i++) {
    const o = argv[i].toLowerCase();
    if (o === 'nosave') nosave = true;
    else if (o === 'save') save = true;
    else if (o === 'now') now = true;
    else if (o === 'force') force = true;
    else if (o === 'abort') abort = true;
    else {
      c.addError('ERR syntax error');
      return;
    }
  }
  if ((abort && argv.length !== 2) || (save && nosave)) {
    c.addError('ERR syntax error');
    return;
  }
  if (abort) {
    // Shutdowns run at once (no replicas to wait for), so none is ever in progress.
    c.addError('ERR No shutdown in progress.');
    return;
  }
  // NOW and FORCE are passed along for the subsystems (there are no replicas to wait for).
  const opts = { save, nosave, now, force } as { save?: boolean; nosave?: boolean };
  if (!c.server.shutdown(opts)) c.addError('ERR Errors trying to SHUTDOWN. Check logs.');
}

// ---- DEBUG ------------------------------------------------------------------------------

type DebugHandler = (c: Client, argv: string[]) => void;
const debugSubcommands = new Map<string, DebugHandler>();

/** Lets a subsystem provide a DEBUG subcommand (persistence: RELOAD, LOADAOF...). */
export function setDebugSubcommand(name: string, fn: DebugHandler): void {
  debugSubcommands.set(name.toLowerCase(), fn);
}

const DEBUG_HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Prints this help.',
];

let sleepCell: Int32Array | null = null;

/** Blocks the event loop for `ms` (DEBUG SLEEP stops the whole server, as in Redis). */
function sleepSync(ms: number): void {
  if (ms <= 0) return;
  if (!sleepCell) sleepCell = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** A stable fake address for DEBUG OBJECT's "Value at:". */
function fakeAddress(key: string): string {
  const h = createHash('sha1').update(key, 'latin1').digest('hex');
  return '0x7f' + h.slice(0, 10);
}

function lenBytes(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : 5;
}

/** Approximate RDB serialized length (DEBUG OBJECT serializedlength). */
function serializedLength(obj: RObj, enc: string): number {
  const strLen = (s: string): number => {
    const v = s.length <= 11 ? parseIntArg(s) : null;
    if (v !== null && String(v) === s && v >= -2147483648 && v <= 2147483647) return v >= -128 && v <= 127 ? 2 : v >= -32768 && v <= 32767 ? 3 : 5;
    return lenBytes(s.length) + s.length;
  };
  switch (obj.type) {
    case ObjType.String:
      return enc === 'int' ? strLen(obj.value as string) : lenBytes((obj.value as string).length) + (obj.value as string).length;
    case ObjType.List: {
      const l = obj.value as RList;
      let n = lenBytes(l.length);
      for (let i = 0; i < l.length; i++) n += strLen(l.at(i) as string);
      return n;
    }
    case ObjType.Hash: {
      let n = lenBytes((obj.value as RHash).size);
      for (const [f, v] of obj.value as RHash) n += strLen(f) + strLen(v);
      return n;
    }
    case ObjType.Set: {
      let n = lenBytes((obj.value as RSet).size);
      for (const m of obj.value as RSet) n += strLen(m);
      return n;
    }
    case ObjType.ZSet: {
      const z = obj.value as SortedSet;
      let n = lenBytes(z.size);
      for (const m of z.members()) n += strLen(m) + 8;
      return n;
    }
    default:
      return 0;
  }
}

function debugObject(c: Client, key: string): void {
  const obj = c.db.lookup(key);
  if (obj === undefined) {
    c.addError('ERR no such key');
    return;
  }
  const s = c.server;
  const enc = objectEncoding(s, obj);
  let extra = '';
  if (obj.type === ObjType.List && enc === 'quicklist') {
    const l = obj.value as RList;
    const fill = s.config.getNumber('list-max-listpack-size');
    const perNode = fill > 0 ? fill : 128;
    const nodes = Math.max(1, Math.ceil(l.length / perNode));
    extra = ` ql_nodes:${nodes} ql_avg_node:${(l.length / nodes).toFixed(2)} ql_listpack_max:${fill} ql_compressed:${s.config.getNumber('list-compress-depth') > 0 ? 1 : 0} ql_uncompressed_size:${l.lpBytes}`;
  }
  c.addSimple(
    `Value at:${fakeAddress(key)} refcount:${objectRefcount(s, obj, enc)} encoding:${enc} serializedlength:${serializedLength(obj, enc)} lru:${obj.lru & 0xffffff} lru_seconds_idle:${Math.floor(s.ks.idleMs(obj) / 1000)}${extra}`,
  );
}

/** Canonical text of a value for DEBUG DIGEST (order-independent for unordered types). */
function valueDigest(obj: RObj, expire: number): Buffer {
  const h = createHash('sha1');
  h.update(String(obj.type));
  switch (obj.type) {
    case ObjType.String:
      h.update(obj.value as string, 'latin1');
      break;
    case ObjType.List: {
      const l = obj.value as RList;
      for (let i = 0; i < l.length; i++) h.update((l.at(i) as string).length + ':' + l.at(i), 'latin1');
      break;
    }
    case ObjType.Hash: {
      const acc = Buffer.alloc(20);
      for (const [f, v] of obj.value as RHash) xorInto(acc, createHash('sha1').update(f.length + ':' + f + v, 'latin1').digest());
      h.update(acc);
      break;
    }
    case ObjType.Set: {
      const acc = Buffer.alloc(20);
      for (const m of obj.value as RSet) xorInto(acc, createHash('sha1').update(m, 'latin1').digest());
      h.update(acc);
      break;
    }
    case ObjType.ZSet: {
      for (const [m, sc] of (obj.value as SortedSet).entries()) h.update(m.length + ':' + m + ':' + String(sc), 'latin1');
      break;
    }
    default:
      h.update(String(obj.value));
  }
  if (expire !== -1) h.update('!' + expire);
  return h.digest();
}

function xorInto(acc: Buffer, b: Buffer): void {
  for (let i = 0; i < 20; i++) acc[i] ^= b[i];
}

function datasetDigest(s: Server): string {
  const acc = Buffer.alloc(20);
  let any = false;
  for (const db of s.ks.dbs) {
    for (const [key, obj] of db.dict) {
      if (db.isExpired(key)) continue;
      any = true;
      const d = createHash('sha1').update(db.id + ':' + key, 'latin1').update(valueDigest(obj, db.getExpire(key))).digest();
      xorInto(acc, d);
    }
  }
  return any ? acc.toString('hex') : '0'.repeat(40);
}

function debugProtocol(c: Client, type: string): void {
  switch (type.toLowerCase()) {
    case 'string':
      c.addBulk('Hello World');
      return;
    case 'integer':
      c.addInt(12345);
      return;
    case 'double':
      c.addDouble(3.141);
      return;
    case 'bignum':
      c.addBigNumber('1234567999999999999999999999999999999');
      return;
    case 'null':
      c.addNull();
      return;
    case 'array':
      c.addArrayLen(3);
      for (let i = 0; i < 3; i++) c.addInt(i);
      return;
    case 'set':
      c.addSetLen(3);
      for (let i = 0; i < 3; i++) c.addInt(i);
      return;
    case 'map':
      c.addMapLen(3);
      for (let i = 0; i < 3; i++) {
        c.addInt(i);
        c.addBool(i === 1);
      }
      return;
    case 'attrib':
      if (c.resp === 3) c.write('|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n');
      c.addBulk('Some real reply following the attribute');
      return;
    case 'push':
      if (c.resp < 3) {
        c.addError('ERR RESP2 is not supported by this command');
        return;
      }
      c.addPushLen(2);
      c.addBulk('server-cpu-usage');
      c.addInt(42);
      c.addBulk('Some real reply following the push reply');
      return;
    case 'true':
      c.addBool(true);
      return;
    case 'false':
      c.addBool(false);
      return;
    case 'verbatim':
      c.addVerbatim('This is a verbatim\nstring');
      return;
    default:
      c.addError('ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false');
  }
}

function debugSyntax(c: Client, argv: string[]): void {
  c.addError(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try DEBUG HELP.`);
}

function debug(c: Client, argv: string[]): void {
  const s = c.server;
  const sub = argv[1].toLowerCase();
  const n = argv.length;
  const custom = debugSubcommands.get(sub);
  if (custom) {
    custom(c, argv);
    return;
  }
  if (sub === 'help' && n === 2) {
    addHelp(c, DEBUG_HELP);
  } else if (sub === 'sleep' && n === 3) {
    // atof: a malformed number sleeps 0 seconds, as in Redis.
    const secs = parseFloat(argv[2]);
    sleepSync(Number.isFinite(secs) ? secs * 1000 : 0);
    c.addOk();
  } else if (sub === 'set-active-expire' && n === 3) {
    const v = parseIntArg(argv[2]);
    if (v === null) {
      c.addError('ERR value is not an integer or out of range');
      return;
    }
    s.activeExpireEnabled = v !== 0;
    c.addOk();
  } else if (sub === 'object' && n === 3) {
    debugObject(c, argv[2]);
  } else if (sub === 'change-repl-id' && n === 2) {
    changeReplicationId(s);
    s.log.warning('Changing replication IDs after receiving DEBUG change-repl-id');
    c.addOk();
  } else if (sub === 'quicklist-packed-threshold' && n === 3) {
    c.addOk();
  } else if (sub === 'error' && n === 3) {
    c.addError(argv[2]);
  } else if (sub === 'log' && n === 3) {
    s.log.warning(`DEBUG LOG: ${argv[2]}`);
    c.addOk();
  } else if (sub === 'digest' && n === 2) {
    c.addSimple(datasetDigest(s));
  } else if (sub === 'digest-value' && n >= 2) {
    c.addArrayLen(n - 2);
    for (let i = 2; i < n; i++) {
      const obj = c.db.lookup(argv[i]);
      c.addSimple(obj === undefined ? '0'.repeat(40) : valueDigest(obj, -1).toString('hex'));
    }
  } else if (sub === 'populate' && n >= 3 && n <= 5) {
    const count = parseIntArg(argv[2]);
    if (count === null || count < 0) {
      c.addError('ERR value is out of range, must be positive');
      return;
    }
    const prefix = n >= 4 ? argv[3] : 'key';
    let size = 0;
    if (n === 5) {
      const v = parseIntArg(argv[4]);
      if (v === null || v < 0) {
        c.addError('ERR value is out of range, must be positive');
        return;
      }
      size = v;
    }
    for (let j = 0; j < count; j++) {
      const key = `${prefix}:${j}`;
      if (c.db.lookup(key) !== undefined) continue;
      let val = `value:${j}`;
      if (size > 0) val = val.length >= size ? val.slice(0, size) : val + '\0'.repeat(size - val.length);
      // A flat string, as values arriving from the network are (not a concatenation).
      if (val.length >= 13) val = Buffer.from(val, 'latin1').toString('latin1');
      c.db.add(key, new RObj(ObjType.String, val, s.ks.initialLru()));
      s.signalModifiedKey(c.db, key);
    }
    c.addOk();
  } else if (sub === 'protocol' && n === 3) {
    debugProtocol(c, argv[2]);
  } else if ((sub === 'reload' || sub === 'loadaof') && n >= 2) {
    c.addError(`ERR DEBUG ${sub.toUpperCase()} is not supported yet`);
  } else if ((sub === 'replybuffer' && n === 4) || ((sub === 'pause-cron' || sub === 'set-skip-checksum-validation' || sub === 'set-disable-deny-scripts') && n === 3)) {
    c.addOk();
  } else {
    debugSyntax(c, argv);
  }
}

// ---- OBJECT -----------------------------------------------------------------------------

type EncodingFn = (obj: RObj, ...rest: unknown[]) => string;

function moduleFn(mod: unknown, name: string): EncodingFn | undefined {
  const f = (mod as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as EncodingFn) : undefined;
}

function isIntString(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  const v = parseIntArg(s);
  return v !== null;
}

/** OBJECT ENCODING: the per-type functions of the type families when they exist, else the same rules here. */
export function objectEncoding(s: Server, obj: RObj): string {
  const cfg = s.config;
  switch (obj.type) {
    case ObjType.String: {
      const f = moduleFn(stringsMod, 'stringEncoding');
      if (f) return f(obj);
      const v = obj.value as string;
      if (obj.enc === ENC_BIG) return 'raw';
      if (isIntString(v)) return 'int';
      return v.length <= 44 ? 'embstr' : 'raw';
    }
    case ObjType.List:
      return (obj.value as RList).encoding;
    case ObjType.Hash: {
      const f = moduleFn(hashesMod, 'hashEncoding');
      if (f) return f(obj, cfg);
      if (obj.enc === ENC_BIG) return 'hashtable';
      const h = obj.value as RHash;
      if (h.size > cfg.getNumber('hash-max-listpack-entries')) return 'hashtable';
      const maxv = cfg.getNumber('hash-max-listpack-value');
      for (const [f2, v] of h) if (f2.length > maxv || v.length > maxv) return 'hashtable';
      return 'listpack';
    }
    case ObjType.Set: {
      const f = moduleFn(setsMod, 'setEncoding');
      if (f) return f(obj, cfg);
      if (obj.enc === ENC_BIG) return 'hashtable';
      const st = obj.value as RSet;
      let allInts = true;
      for (const m of st) {
        if (!isIntString(m) || String(parseIntArg(m)) !== m) {
          allInts = false;
          break;
        }
      }
      if (allInts && st.size <= cfg.getNumber('set-max-intset-entries')) return 'intset';
      if (st.size > cfg.getNumber('set-max-listpack-entries')) return 'hashtable';
      const maxv = cfg.getNumber('set-max-listpack-value');
      for (const m of st) if (m.length > maxv) return 'hashtable';
      return 'listpack';
    }
    case ObjType.ZSet: {
      const f = moduleFn(zsetsMod, 'zsetEncoding');
      if (f) return f(obj, cfg);
      if (obj.enc === ENC_BIG) return 'skiplist';
      const z = obj.value as SortedSet;
      if (z.size > cfg.getNumber('zset-max-listpack-entries')) return 'skiplist';
      const maxv = cfg.getNumber('zset-max-listpack-value');
      for (const m of z.members()) if (m.length > maxv) return 'skiplist';
      return 'listpack';
    }
    case ObjType.Stream:
      return 'stream';
    default:
      return typeName(obj.type);
  }
}

/** OBJECT REFCOUNT: shared integers 0..9999 report INT_MAX, as in Redis when integers are shared. */
function objectRefcount(s: Server, obj: RObj, enc: string): number {
  if (obj.type === ObjType.String && enc === 'int') {
    const policy = s.config.getString('maxmemory-policy');
    const noShared = s.config.getNumber('maxmemory') > 0 && (policy.endsWith('-lru') || policy.endsWith('-lfu'));
    const v = parseIntArg(obj.value as string);
    if (!noShared && v !== null && v >= 0 && v < 10000) return 2147483647;
  }
  return 1;
}

function isLfu(s: Server): boolean {
  return s.config.getString('maxmemory-policy').endsWith('-lfu');
}

const LFU_NOT_SELECTED =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const LFU_SELECTED =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

function objectLookup(c: Client, key: string): RObj | undefined {
  const obj = c.db.lookupRead(key, true);
  if (obj === undefined) c.addNull();
  return obj;
}

function objectEncodingCmd(c: Client, argv: string[]): void {
  const obj = objectLookup(c, argv[2]);
  if (obj) c.addBulk(objectEncoding(c.server, obj));
}

function objectFreq(c: Client, argv: string[]): void {
  const obj = objectLookup(c, argv[2]);
  if (!obj) return;
  if (!isLfu(c.server)) {
    c.addError(LFU_NOT_SELECTED);
    return;
  }
  c.addInt(c.server.ks.lfuDecr(obj));
}

function objectIdletime(c: Client, argv: string[]): void {
  const obj = objectLookup(c, argv[2]);
  if (!obj) return;
  if (isLfu(c.server)) {
    c.addError(LFU_SELECTED);
    return;
  }
  c.addInt(Math.floor(c.server.ks.idleMs(obj) / 1000));
}

function objectRefcountCmd(c: Client, argv: string[]): void {
  const obj = objectLookup(c, argv[2]);
  if (obj) c.addInt(objectRefcount(c.server, obj, objectEncoding(c.server, obj)));
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

// ---- MEMORY -----------------------------------------------------------------------------

function memoryUsage(c: Client, argv: string[]): void {
  let samples = 5;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j].toLowerCase() === 'samples' && j + 1 < argv.length) {
      const v = parseIntArg(argv[j + 1]);
      if (v === null) {
        c.addError('ERR value is not an integer or out of range');
        return;
      }
      if (v < 0) {
        c.addError('ERR syntax error');
        return;
      }
      samples = v;
      j++;
    } else {
      c.addError('ERR syntax error');
      return;
    }
  }
  const obj = c.db.lookupRead(argv[2], true);
  if (obj === undefined) {
    c.addNull();
    return;
  }
  c.addInt(keyMemoryUsage(c.db, argv[2], obj, samples));
}

function memoryStats(c: Client): void {
  const s = c.server;
  const m = memoryFigures(s);
  const dbs = s.ks.dbs.filter((db) => db.dict.size > 0);
  const keys = s.ks.totalKeys();
  c.addMapLen(27 + dbs.length);
  const int = (k: string, v: number): void => {
    c.addBulk(k);
    c.addInt(Math.round(v));
  };
  const dbl = (k: string, v: number): void => {
    c.addBulk(k);
    c.addDouble(v);
  };
  int('peak.allocated', m.peak);
  int('total.allocated', m.used);
  int('startup.allocated', m.startup);
  int('replication.backlog', 0);
  int('clients.slaves', m.clientsReplicas);
  int('clients.normal', m.clientsNormal);
  int('cluster.links', 0);
  int('aof.buffer', 0);
  int('lua.caches', 0);
  int('functions.caches', 0);
  for (const db of dbs) {
    c.addBulk(`db.${db.id}`);
    c.addMapLen(2);
    c.addBulk('overhead.hashtable.main');
    c.addInt(db.dict.size * TABLES_PER_KEY);
    c.addBulk('overhead.hashtable.expires');
    c.addInt(db.expires.size * EXPIRE_OVERHEAD);
  }
  int('overhead.total', m.overhead);
  int('keys.count', keys);
  int('keys.bytes-per-key', keys > 0 ? Math.floor((m.used - m.startup) / keys) : 0);
  int('dataset.bytes', m.dataset);
  dbl('dataset.percentage', m.used - m.startup > 0 ? (m.dataset * 100) / (m.used - m.startup) : 0);
  dbl('peak.percentage', m.peak > 0 ? (m.used * 100) / m.peak : 0);
  int('allocator.allocated', m.used);
  int('allocator.active', m.heapTotal);
  int('allocator.resident', m.rss);
  dbl('allocator-fragmentation.ratio', m.used > 0 ? m.heapTotal / m.used : 0);
  int('allocator-fragmentation.bytes', m.heapTotal - m.used);
  dbl('allocator-rss.ratio', m.heapTotal > 0 ? m.rss / m.heapTotal : 0);
  int('allocator-rss.bytes', m.rss - m.heapTotal);
  dbl('rss-overhead.ratio', 1);
  int('rss-overhead.bytes', 0);
  dbl('fragmentation', m.used > 0 ? m.rss / m.used : 0);
  int('fragmentation.bytes', m.rss - m.used);
}

function memoryDoctor(c: Client): void {
  const s = c.server;
  const m = memoryFigures(s);
  let report: string;
  if (m.used - m.startup < 5 * 1024 * 1024) {
    report =
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.";
  } else {
    const issues: string[] = [];
    if (m.peak > m.used * 1.5) {
      issues.push(
        ` * Peak memory: In the past this instance used more than 150% the memory that is currently using. The garbage collector returns memory to the system lazily, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak. Current peak is ${bytesToHuman(m.peak)}.`,
      );
    }
    if (m.rss > m.used * 1.4 && m.rss - m.used > 10 * 1024 * 1024) {
      issues.push(
        ` * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (the V8 heap reserves more than it uses, and Node allocates outside the heap), RSS is ${bytesToHuman(m.rss)} for ${bytesToHuman(m.used)} used.`,
      );
    }
    const clients = s.clients.size;
    if (clients > 0 && m.clientsNormal / clients > 200 * 1024) {
      issues.push(
        ' * Big client buffers: The clients output buffers are in average greater than 200KB. Consider using the CLIENT LIST command to inspect them and client-output-buffer-limit to bound them.',
      );
    }
    if (issues.length === 0) {
      report = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.";
    } else {
      report = `Sam, I detected a few issues in this Redis instance memory implants:\n\n${issues.join('\n\n')}\n\nI'm here to keep you safe, Sam. I want to help you.\n`;
    }
  }
  c.addVerbatim(report);
}

const MEMORY_HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
];

// ---- SLOWLOG ----------------------------------------------------------------------------

function slowlogGet(c: Client, argv: string[]): void {
  let count = 10;
  if (argv.length === 3) {
    const v = parseIntArg(argv[2]);
    if (v === null || v < -1) {
      c.addError('ERR count should be greater than or equal to -1');
      return;
    }
    count = v === -1 ? Infinity : v;
  } else if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const log = c.server.slowlog;
  const n = Math.min(count, log.length);
  c.addArrayLen(n);
  for (let i = 0; i < n; i++) {
    const e = log[i];
    c.addArrayLen(6);
    c.addInt(e.id);
    c.addInt(e.time);
    c.addInt(e.durationUs);
    c.addBulkArray(e.argv);
    c.addBulk(e.addr);
    c.addBulk(e.name);
  }
}

const SLOWLOG_HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];

// ---- MONITOR ----------------------------------------------------------------------------

function monitor(c: Client): void {
  if (c.denyBlocking) {
    c.addError("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  if (c.flags & (CLIENT_MONITOR | CLIENT_REPLICA)) return;
  c.flags |= CLIENT_MONITOR;
  c.server.monitors.add(c);
  c.addOk();
}

// ---- COMMAND ----------------------------------------------------------------------------

const FLAG_ORDER: Array<CommandFlag | 'asking' | 'module' | 'no_async_loading'> = [
  'write',
  'readonly',
  'denyoom',
  'module',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
];

const ACL_ORDER = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
];

/** Command tips (COMMAND INFO / DOCS), for the commands of this file and client.ts. */
const TIPS: Record<string, string[]> = {
  info: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
  'config|set': ['request_policy:all_nodes', 'response_policy:all_succeeded'],
  dbsize: ['request_policy:all_shards', 'response_policy:agg_sum'],
  flushdb: ['request_policy:all_shards', 'response_policy:all_succeeded'],
  flushall: ['request_policy:all_shards', 'response_policy:all_succeeded'],
  time: ['nondeterministic_output'],
  lastsave: ['nondeterministic_output'],
  'object|freq': ['nondeterministic_output'],
  'object|idletime': ['nondeterministic_output'],
  'object|encoding': ['nondeterministic_output'],
  'object|refcount': ['nondeterministic_output'],
  'memory|malloc-stats': ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
  'memory|doctor': ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
  'memory|purge': ['request_policy:all_shards', 'response_policy:all_succeeded'],
  'memory|stats': ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
  'slowlog|reset': ['request_policy:all_nodes', 'response_policy:all_succeeded'],
  'slowlog|get': ['request_policy:all_nodes', 'nondeterministic_output'],
  'slowlog|len': ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'],
  command: ['nondeterministic_output_order'],
  'command|docs': ['nondeterministic_output_order'],
  'command|info': ['nondeterministic_output_order'],
  'command|list': ['nondeterministic_output_order'],
  'client|info': ['nondeterministic_output'],
  'client|list': ['nondeterministic_output'],
};

function fullName(s: Server, spec: CommandSpec): string {
  return s.cmdFullNames.get(spec) ?? spec.name;
}

function tipsOf(s: Server, spec: CommandSpec): string[] {
  const own = (spec as CommandSpec & { tips?: string[] }).tips;
  if (own) return own;
  return TIPS[fullName(s, spec)] ?? [];
}

/** ACL categories with the implicit ones Redis adds from the flags, in Redis's order. */
export function aclCategories(spec: CommandSpec): string[] {
  const set = new Set(spec.acl);
  const f = spec.flags;
  if (spec.subcommands === undefined || f.length > 0) {
    if (f.includes('write')) set.add('write');
    if (f.includes('readonly') && !set.has('scripting')) set.add('read');
    if (f.includes('admin')) {
      set.add('admin');
      set.add('dangerous');
    }
    if (f.includes('pubsub')) set.add('pubsub');
    if (f.includes('fast')) set.add('fast');
    if (f.includes('blocking')) set.add('blocking');
  }
  if (!set.has('fast')) set.add('slow');
  const out: string[] = [];
  for (const a of ACL_ORDER) if (set.has(a)) out.push(a);
  for (const a of set) if (!ACL_ORDER.includes(a)) out.push(a);
  return out;
}

function writeFlags(c: Client, spec: CommandSpec): void {
  const flags: string[] = [];
  const movable = spec.keys !== undefined;
  for (const f of FLAG_ORDER) {
    if (f === 'movablekeys' ? movable || spec.flags.includes('movablekeys') : spec.flags.includes(f as CommandFlag)) flags.push(f);
  }
  c.addSetLen(flags.length);
  for (const f of flags) c.addSimple(f);
}

/** Key-spec flags approximated from the command flags. */
function keyFlags(spec: CommandSpec): string[] {
  if (spec.flags.includes('write')) return ['RW', 'update'];
  return ['RO', 'access'];
}

function writeKeySpecs(c: Client, spec: CommandSpec): void {
  const movable = spec.keys !== undefined;
  if (spec.firstKey <= 0 && !movable) {
    c.addSetLen(0);
    return;
  }
  c.addSetLen(1);
  c.addMapLen(3);
  c.addBulk('flags');
  const kf = keyFlags(spec);
  c.addSetLen(kf.length);
  for (const f of kf) c.addSimple(f);
  c.addBulk('begin_search');
  c.addMapLen(2);
  c.addBulk('type');
  if (spec.firstKey > 0) {
    c.addBulk('index');
    c.addBulk('spec');
    c.addMapLen(1);
    c.addBulk('index');
    c.addInt(spec.firstKey);
  } else {
    c.addBulk('unknown');
    c.addBulk('spec');
    c.addMapLen(0);
  }
  c.addBulk('find_keys');
  c.addMapLen(2);
  c.addBulk('type');
  if (movable || spec.firstKey <= 0) {
    c.addBulk('unknown');
    c.addBulk('spec');
    c.addMapLen(0);
  } else {
    c.addBulk('range');
    c.addBulk('spec');
    c.addMapLen(3);
    c.addBulk('lastkey');
    c.addInt(spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey);
    c.addBulk('keystep');
    c.addInt(spec.step);
    c.addBulk('limit');
    c.addInt(0);
  }
}

function writeCommandInfo(c: Client, spec: CommandSpec): void {
  const s = c.server;
  c.addArrayLen(10);
  c.addBulk(fullName(s, spec));
  c.addInt(spec.arity);
  writeFlags(c, spec);
  c.addInt(spec.firstKey);
  c.addInt(spec.lastKey);
  c.addInt(spec.step);
  const acl = aclCategories(spec);
  c.addSetLen(acl.length);
  for (const a of acl) c.addSimple('@' + a);
  const tips = tipsOf(s, spec);
  c.addSetLen(tips.length);
  for (const t of tips) c.addBulk(t);
  writeKeySpecs(c, spec);
  if (!spec.subcommands || spec.subcommands.length === 0) {
    c.addSetLen(0);
  } else {
    c.addArrayLen(spec.subcommands.length);
    for (const sub of spec.subcommands) writeCommandInfo(c, sub);
  }
}

function writeCommandDocs(c: Client, spec: CommandSpec): void {
  const subs = spec.subcommands ?? [];
  const hasComplexity = spec.complexity !== undefined;
  c.addMapLen(3 + (hasComplexity ? 1 : 0) + (subs.length > 0 ? 1 : 0));
  c.addBulk('summary');
  c.addBulk(spec.summary);
  c.addBulk('since');
  c.addBulk(spec.since);
  c.addBulk('group');
  c.addBulk(spec.group);
  if (hasComplexity) {
    c.addBulk('complexity');
    c.addBulk(spec.complexity!);
  }
  if (subs.length > 0) {
    c.addBulk('subcommands');
    c.addMapLen(subs.length);
    for (const sub of subs) {
      c.addBulk(fullName(c.server, sub));
      writeCommandDocs(c, sub);
    }
  }
}

/** Looks a command up by name or "container|sub". */
function lookupByFullName(s: Server, name: string): CommandSpec | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return s.commands.lookup(name);
  const parent = s.commands.lookup(name.slice(0, bar));
  if (!parent) return undefined;
  return findSubcommand(parent, name.slice(bar + 1));
}

function command(c: Client): void {
  const all = c.server.commands.all();
  c.addArrayLen(all.length);
  for (const spec of all) writeCommandInfo(c, spec);
}

function commandCount(c: Client): void {
  c.addInt(c.server.commands.size);
}

function commandInfo(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    command(c);
    return;
  }
  c.addArrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const spec = lookupByFullName(c.server, argv[i]);
    if (spec) writeCommandInfo(c, spec);
    else c.addNull();
  }
}

function commandDocs(c: Client, argv: string[]): void {
  const specs: CommandSpec[] = [];
  if (argv.length === 2) specs.push(...c.server.commands.all());
  else {
    for (let i = 2; i < argv.length; i++) {
      const spec = lookupByFullName(c.server, argv[i]);
      if (spec) specs.push(spec);
    }
  }
  c.addMapLen(specs.length);
  for (const spec of specs) {
    c.addBulk(fullName(c.server, spec));
    writeCommandDocs(c, spec);
  }
}

/** Resolves the command of COMMAND GETKEYS and its key positions; null after replying an error. */
function getKeysOf(c: Client, argv: string[]): { spec: CommandSpec; args: string[]; keys: number[] } | null {
  const args = argv.slice(2);
  let spec = c.server.commands.lookup(args[0]);
  if (!spec) {
    c.addError('ERR Invalid command specified');
    return null;
  }
  if (spec.subcommands && args.length >= 2) {
    const sub = findSubcommand(spec, args[1]);
    if (!sub) {
      c.addError('ERR Invalid command specified');
      return null;
    }
    spec = sub;
  }
  if ((spec.arity > 0 && args.length !== spec.arity) || args.length < -spec.arity) {
    c.addError('ERR Invalid number of arguments specified for command');
    return null;
  }
  const keys = getKeyPositions(spec, args);
  if (keys.length === 0) {
    c.addError('ERR The command has no key arguments');
    return null;
  }
  return { spec, args, keys };
}

function commandGetkeys(c: Client, argv: string[]): void {
  const r = getKeysOf(c, argv);
  if (!r) return;
  c.addArrayLen(r.keys.length);
  for (const i of r.keys) c.addBulk(r.args[i]);
}

function commandGetkeysandflags(c: Client, argv: string[]): void {
  const r = getKeysOf(c, argv);
  if (!r) return;
  const kf = keyFlags(r.spec);
  c.addArrayLen(r.keys.length);
  for (const i of r.keys) {
    c.addArrayLen(2);
    c.addBulk(r.args[i]);
    c.addSetLen(kf.length);
    for (const f of kf) c.addSimple(f);
  }
}

function commandList(c: Client, argv: string[]): void {
  let filter: ((spec: CommandSpec, name: string) => boolean) | null = null;
  if (argv.length === 5 && argv[2].toLowerCase() === 'filterby') {
    const kind = argv[3].toLowerCase();
    const arg = argv[4];
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') {
      const cat = arg.toLowerCase();
      filter = (spec) => aclCategories(spec).includes(cat);
    } else if (kind === 'pattern') filter = (_spec, name) => globMatch(arg, name, true);
    else {
      c.addError('ERR syntax error');
      return;
    }
  } else if (argv.length !== 2) {
    c.addError('ERR syntax error');
    return;
  }
  const names: string[] = [];
  for (const spec of c.server.commands.all()) {
    if (!filter || filter(spec, spec.name)) names.push(spec.name);
    for (const sub of spec.subcommands ?? []) {
      const n = fullName(c.server, sub);
      if (!filter || filter(sub, n)) names.push(n);
    }
  }
  c.addBulkArray(names);
}

const COMMAND_HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

/** COMMAND is a container whose bare form lists every command: the dispatcher needs a handler for argc 1. */
function commandContainerSpec(): CommandSpec {
  const spec = cmd('command', -1, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], command, {
    since: '2.8.13',
    summary: 'Returns detailed information about all commands.',
    complexity: 'O(N) where N is the total number of Redis commands',
    subcommands: [
      cmd('count', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandCount, { since: '2.8.13', summary: 'Returns a count of commands.', complexity: 'O(1)' }),
      cmd('docs', -2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandDocs, { since: '7.0.0', summary: 'Returns documentary information about one, multiple or all commands.', complexity: 'O(N) where N is the number of commands to look up' }),
      cmd('getkeys', -3, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandGetkeys, { since: '2.8.13', summary: 'Extracts the key names from an arbitrary command.', complexity: 'O(N) where N is the number of arguments to the command' }),
      cmd('getkeysandflags', -3, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandGetkeysandflags, { since: '7.0.0', summary: 'Extracts the key names and access flags for an arbitrary command.', complexity: 'O(N) where N is the number of arguments to the command' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], (c) => addHelp(c, COMMAND_HELP), { since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('info', -2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandInfo, { since: '2.8.13', summary: 'Returns information about one, multiple or all commands.', complexity: 'O(N) where N is the number of commands to look up' }),
      cmd('list', -2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandList, { since: '7.0.0', summary: 'Returns a list of command names.', complexity: 'O(N) where N is the total number of Redis commands' }),
    ],
  });
  return spec;
}

// ---- the table --------------------------------------------------------------------------

const ADMIN: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];

export const COMMANDS: CommandSpec[] = [
  cmd('info', -1, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'dangerous'], info, {
    summary: 'Returns information and statistics about the server.',
    complexity: 'O(1)',
  }),
  cmd('config', -2, [], [0, 0, 0], 'server', ['slow'], undefined, {
    since: '2.0.0',
    summary: 'A container for server configuration commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('get', -3, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, configGet, { since: '2.0.0', summary: 'Returns the effective values of configuration parameters.', complexity: 'O(N) when N is the number of configuration parameters provided' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow'], (c) => addHelp(c, CONFIG_HELP), { since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('resetstat', 2, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, configResetstat, { since: '2.0.0', summary: 'Resets the server\'s statistics.', complexity: 'O(1)' }),
      cmd('rewrite', 2, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, configRewrite, { since: '2.8.0', summary: 'Persists the effective configuration to file.', complexity: 'O(1)' }),
      cmd('set', -4, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, configSet, { since: '2.0.0', summary: 'Sets configuration parameters in-flight.', complexity: 'O(N) when N is the number of configuration parameters provided' }),
    ],
  }),
  cmd('dbsize', 1, ['readonly', 'fast'], [0, 0, 0], 'server', ['keyspace', 'read', 'fast'], dbsize, { summary: 'Returns the number of keys in the database.', complexity: 'O(1)' }),
  cmd('flushdb', -1, ['write'], [0, 0, 0], 'server', ['keyspace', 'write', 'slow', 'dangerous'], flushdb, { summary: 'Remove all keys from the current database.', complexity: 'O(N) where N is the number of keys in the selected database' }),
  cmd('flushall', -1, ['write'], [0, 0, 0], 'server', ['keyspace', 'write', 'slow', 'dangerous'], flushall, { summary: 'Removes all keys from all databases.', complexity: 'O(N) where N is the total number of keys in all databases' }),
  cmd('swapdb', 3, ['write', 'fast'], [0, 0, 0], 'server', ['keyspace', 'write', 'fast', 'dangerous'], swapdb, { since: '4.0.0', summary: 'Swaps two Redis databases.', complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.' }),
  cmd('time', 1, ['loading', 'stale', 'fast'], [0, 0, 0], 'server', ['fast'], time, { since: '2.6.0', summary: 'Returns the server time.', complexity: 'O(1)' }),
  cmd('lastsave', 1, ['loading', 'stale', 'fast'], [0, 0, 0], 'server', ['admin', 'fast', 'dangerous'], lastsave, { summary: 'Returns the Unix timestamp of the last successful save to disk.', complexity: 'O(1)' }),
  cmd('shutdown', -1, ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], [0, 0, 0], 'server', ADMIN_ACL, shutdown, { summary: 'Synchronously saves the database(s) to disk and shuts down the Redis server.', complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)' }),
  cmd('debug', -2, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, debug, { summary: 'A container for debugging commands.', complexity: 'Depends on subcommand.' }),
  cmd('object', -2, [], [0, 0, 0], 'generic', ['slow'], undefined, {
    since: '2.2.3',
    summary: 'A container for object introspection commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('encoding', 3, ['readonly'], [2, 2, 1], 'generic', ['keyspace', 'read', 'slow'], objectEncodingCmd, { since: '2.2.3', summary: 'Returns the internal encoding of a Redis object.', complexity: 'O(1)' }),
      cmd('freq', 3, ['readonly'], [2, 2, 1], 'generic', ['keyspace', 'read', 'slow'], objectFreq, { since: '4.0.0', summary: 'Returns the logarithmic access frequency counter of a Redis object.', complexity: 'O(1)' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'generic', ['keyspace', 'slow'], (c) => addHelp(c, OBJECT_HELP), { since: '6.2.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('idletime', 3, ['readonly'], [2, 2, 1], 'generic', ['keyspace', 'read', 'slow'], objectIdletime, { since: '2.2.3', summary: 'Returns the time since the last access to a Redis object.', complexity: 'O(1)' }),
      cmd('refcount', 3, ['readonly'], [2, 2, 1], 'generic', ['keyspace', 'read', 'slow'], objectRefcountCmd, { since: '2.2.3', summary: 'Returns the reference count of a value of a key.', complexity: 'O(1)' }),
    ],
  }),
  cmd('memory', -2, [], [0, 0, 0], 'server', ['slow'], undefined, {
    since: '4.0.0',
    summary: 'A container for memory diagnostics commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('doctor', 2, [], [0, 0, 0], 'server', ['slow'], memoryDoctor, { since: '4.0.0', summary: 'Outputs a memory problems report.', complexity: 'O(1)' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow'], (c) => addHelp(c, MEMORY_HELP), { since: '4.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('malloc-stats', 2, [], [0, 0, 0], 'server', ['slow'], (c) => c.addVerbatim('Stats not supported for the current allocator'), { since: '4.0.0', summary: 'Returns the allocator statistics.', complexity: 'Depends on how much memory is allocated, could be slow' }),
      cmd('purge', 2, [], [0, 0, 0], 'server', ['slow'], (c) => c.addOk(), { since: '4.0.0', summary: 'Asks the allocator to release memory.', complexity: 'Depends on how much memory is allocated, could be slow' }),
      cmd('stats', 2, [], [0, 0, 0], 'server', ['slow'], memoryStats, { since: '4.0.0', summary: 'Returns details about memory usage.', complexity: 'O(1)' }),
      cmd('usage', -3, ['readonly'], [2, 2, 1], 'server', ['read', 'slow'], memoryUsage, { since: '4.0.0', summary: 'Estimates the memory usage of a key.', complexity: 'O(N) where N is the number of samples.' }),
    ],
  }),
  cmd('slowlog', -2, [], [0, 0, 0], 'server', ['slow'], undefined, {
    since: '2.2.12',
    summary: 'A container for slow log commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('get', -2, ['admin', 'loading', 'stale'], [0, 0, 0], 'server', ADMIN_ACL, slowlogGet, { since: '2.2.12', summary: 'Returns the slow log\'s entries.', complexity: 'O(N) where N is the number of entries returned' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow'], (c) => addHelp(c, SLOWLOG_HELP), { since: '6.2.0', summary: 'Show helpful text about the different subcommands', complexity: 'O(1)' }),
      cmd('len', 2, ['admin', 'loading', 'stale'], [0, 0, 0], 'server', ADMIN_ACL, (c) => c.addInt(c.server.slowlog.length), { since: '2.2.12', summary: 'Returns the number of entries in the slow log.', complexity: 'O(1)' }),
      cmd('reset', 2, ['admin', 'loading', 'stale'], [0, 0, 0], 'server', ADMIN_ACL, (c) => {
        c.server.slowlog = [];
        c.addOk();
      }, { since: '2.2.12', summary: 'Clears all entries from the slow log.', complexity: 'O(N) where N is the number of entries in the slowlog' }),
    ],
  }),
  cmd('monitor', 1, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, monitor, { since: '1.0.0', summary: 'Listens for all requests received by the server in real-time.' }),
  commandContainerSpec(),
];
