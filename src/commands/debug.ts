// DEBUG: HELP SLEEP SET-ACTIVE-EXPIRE OBJECT CHANGE-REPL-ID QUICKLIST-PACKED-THRESHOLD
// ERROR LOG DIGEST DIGEST-VALUE POPULATE PROTOCOL REPLYBUFFER PAUSE-CRON
// SET-SKIP-CHECKSUM-VALIDATION, and the subcommands subsystems register on their server
// (RELOAD, LOADAOF...: ServerContext.debugSubcommands). DIGEST and DIGEST-VALUE are
// Redis's algorithm: the same data gives redis-server's digest.

import { createHash } from 'node:crypto';
import { cmd, type CommandFlag, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import type { ServerContext } from './context.js';
import { ObjType, RObj, type RHash, type RSet } from '../types/object.js';
import type { RList } from '../types/list.js';
import type { SortedSet } from '../types/sorted-set.js';
import { formatDouble, parseIntArg } from '../util/numbers.js';
import { globMatch } from '../util/glob.js';
import { parseMemory } from '../config/config.js';
import { addHelp } from './client-command.js';
import { objectEncoding, objectRefcount } from './object-memory.js';


// ---- DEBUG ------------------------------------------------------------------------------


/** DEBUG HELP as redis-server 7.0 prints it (the subcommands Cinnabar does not have answer the unknown-subcommand error). */
const DEBUG_HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'MALLCTL <key> [<val>]',
  '    Get or set a malloc tuning integer.',
  'MALLCTL-STR <key> [<val>]',
  '    Get or set a malloc tuning string.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  "    it is used instead of the 'key' prefix. These are not propagated to",
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
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
  // As Redis 7.2 (a dictFind): a logically expired key is still shown, not expired.
  const obj = c.db.dict.get(key);
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

/**
 * DEBUG LISTPACK / QUICKLIST <key>: Redis prints the structure on its stdout and
 * says so; we write the elements (and, for a quicklist, its length) to the log.
 */
function debugEncodingDump(c: Client, key: string, what: 'listpack' | 'quicklist'): void {
  const obj = c.db.dict.get(key);
  if (obj === undefined) {
    c.addError('ERR no such key');
    return;
  }
  const enc = objectEncoding(c.server, obj);
  if (enc !== what) {
    c.addError(what === 'listpack' ? 'ERR Not a listpack encoded object.' : 'ERR Not a quicklist encoded object.');
    return;
  }
  const items: string[] = [];
  if (obj.type === ObjType.List) for (let i = 0; i < (obj.value as RList).length && i < 1000; i++) items.push((obj.value as RList).at(i) as string);
  else if (obj.type === ObjType.Hash) for (const [f, v] of obj.value as RHash) items.push(f, v);
  else if (obj.type === ObjType.Set) for (const m of obj.value as RSet) items.push(m);
  else if (obj.type === ObjType.ZSet) for (const [m, sc] of (obj.value as SortedSet).entries()) items.push(m, formatDouble(sc));
  c.server.log.notice(`DEBUG ${what.toUpperCase()} ${key}: ${items.length} entries: ${JSON.stringify(items.slice(0, 1000))}`);
  c.addSimple(what === 'listpack' ? 'Listpack structure printed on stdout' : 'Quicklist structure printed on stdout');
}

/** STRINGMATCH-TEST: the glob matcher against random patterns and strings (it must return, never hang or throw). */
function stringmatchTest(): void {
  const alphabet = '*?[]^-\\ab';
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const word = (len: number): string => Array.from({ length: len }, () => alphabet[rnd(alphabet.length)]).join('');
  // A bounded run: 2000 pairs of up to 32 characters each (redis-server's run takes ~20 s).
  for (let i = 0; i < 2000; i++) globMatch(word(rnd(32)), word(rnd(32)));
}

// ---- DIGEST: Redis's algorithm (debug.c) ---------------------------------------------
//
// xor(d, data):  d ^= SHA1(data)                 (order-independent: sets, hashes, keys)
// mix(d, data):  d = SHA1(d ^ SHA1(data))        (order-dependent: list elements, fields)
// A value's digest mixes its type (a 32-bit big-endian integer), then its elements;
// a hash field or a sorted-set member is a digest of its own (field then value,
// member then score as 7.2's fpconv_dtoa prints it) xored in; a TTL xors in
// "!!expire!!". The dataset's digest mixes each non-empty database's number and
// xors in, per key, mix(key) followed by the value's digest. Same data, same digest
// as redis-server.

function sha1(data: Buffer | string): Buffer {
  return createHash('sha1').update(typeof data === 'string' ? Buffer.from(data, 'latin1') : data).digest();
}

function xorDigest(d: Buffer, data: Buffer | string): void {
  const h = sha1(data);
  for (let i = 0; i < 20; i++) d[i] ^= h[i];
}

function mixDigest(d: Buffer, data: Buffer | string): void {
  xorDigest(d, data);
  sha1(d).copy(d);
}

function be32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** xorObjectDigest: folds the value (and whether it has a TTL) into `d`. */
function objectDigest(d: Buffer, obj: RObj, hasExpire: boolean): void {
  mixDigest(d, be32(obj.type));
  switch (obj.type) {
    case ObjType.String:
      mixDigest(d, obj.value as string);
      break;
    case ObjType.List: {
      const l = obj.value as RList;
      for (let i = 0; i < l.length; i++) mixDigest(d, l.at(i) as string);
      break;
    }
    case ObjType.Set:
      for (const m of obj.value as RSet) xorDigest(d, m);
      break;
    case ObjType.ZSet:
      for (const [m, sc] of (obj.value as SortedSet).entries()) {
        const e = Buffer.alloc(20);
        mixDigest(e, m);
        mixDigest(e, formatDouble(sc));
        xorDigest(d, e);
      }
      break;
    case ObjType.Hash:
      for (const [f, v] of obj.value as RHash) {
        const e = Buffer.alloc(20);
        mixDigest(e, f);
        mixDigest(e, v);
        xorDigest(d, e);
      }
      break;
    default:
      // Streams: their engineer's; the type alone until then.
      break;
  }
  if (hasExpire) xorDigest(d, '!!expire!!');
}

/** DEBUG DIGEST-VALUE of one value: its digest alone (the key is not mixed in). */
function valueDigest(obj: RObj, hasExpire: boolean): string {
  const d = Buffer.alloc(20);
  objectDigest(d, obj, hasExpire);
  return d.toString('hex');
}

/** computeDatasetDigest: every key of every database, expired or not (as Redis walks its dicts). */
function datasetDigest(s: ServerContext): string {
  const acc = Buffer.alloc(20);
  for (const db of s.ks.dbs) {
    if (db.dict.size === 0) continue;
    mixDigest(acc, be32(db.id));
    for (const [key, obj] of db.dict) {
      const d = Buffer.alloc(20);
      mixDigest(d, key);
      objectDigest(d, obj, db.getExpire(key) !== -1);
      xorDigest(acc, d);
    }
  }
  return acc.toString('hex');
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
  const custom = c.server.debugSubcommands.get(sub);
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
    // atoi, as Redis: a malformed number is 0 (off).
    s.activeExpireEnabled = (parseInt(argv[2], 10) || 0) !== 0;
    c.addOk();
  } else if (sub === 'object' && n === 3) {
    debugObject(c, argv[2]);
  } else if (sub === 'change-repl-id' && n === 2) {
    s.changeReplicationId();
    s.log.warning('Changing replication IDs after receiving DEBUG change-repl-id');
    c.addOk();
  } else if (sub === 'quicklist-packed-threshold' && n === 3) {
    // As quicklistisSetPackedThreshold: a memory value up to 4 GB - 1 MB (0: the 1 GB default).
    const sz = parseMemory(argv[2]);
    if (sz === null || sz > 2 ** 32 - 2 ** 20) c.addError('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
    else c.addOk();
  } else if ((sub === 'listpack' || sub === 'quicklist') && (n === 3 || (sub === 'quicklist' && n === 4))) {
    debugEncodingDump(c, argv[2], sub);
  } else if (sub === 'stringmatch-test' && n === 2) {
    stringmatchTest();
    c.addSimple('Apparently Redis did not crash: test passed');
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
      c.addSimple(obj === undefined ? '0'.repeat(40) : valueDigest(obj, c.db.getExpire(argv[i]) !== -1));
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


// ---- the table --------------------------------------------------------------------------

const ADMIN: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];

export const COMMANDS: CommandSpec[] = [
  cmd('debug', -2, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, debug, { summary: 'A container for debugging commands.', complexity: 'Depends on subcommand.' }),
];
