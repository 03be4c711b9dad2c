// OBJECT and MEMORY: encodings, idle time and frequency of a key, and MEMORY
// STATS / DOCTOR over the V8 size model and the heap readings described in
// keyspace/eviction.ts; MEMORY USAGE answers Redis's figure for the value
// (keyspace/redis-mem-model.ts); MALLOC-STATS reports V8's heap; MEMORY PURGE: OK,
// nothing to do (V8 returns memory when it collects).

import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import type { ServerContext } from './context.js';
import { bytesToHuman } from '../util/format.js';
import { TABLES_PER_KEY, EXPIRE_OVERHEAD } from '../keyspace/eviction.js';
import { redisMemoryUsage } from '../keyspace/redis-mem-model.js';
import { ObjType, RObj, typeName } from '../types/object.js';
import type { RList } from '../types/list.js';
import { parseIntArg } from '../util/numbers.js';
import { addHelp } from './client-command.js';
import { hashEncoding, setEncoding, stringEncoding, zsetEncoding } from '../types/encoding.js';


// ---- OBJECT -----------------------------------------------------------------------------

/** OBJECT ENCODING: the encoding rules of types/encoding.ts, under this server's limits. */
export function objectEncoding(s: ServerContext, obj: RObj): string {
  switch (obj.type) {
    case ObjType.String:
      return stringEncoding(obj);
    case ObjType.List:
      return (obj.value as RList).encoding;
    case ObjType.Hash:
      return hashEncoding(obj);
    case ObjType.Set:
      return setEncoding(obj, s.encodingLimits);
    case ObjType.ZSet:
      return zsetEncoding(obj);
    case ObjType.Stream:
      return 'stream';
    default:
      return typeName(obj.type);
  }
}

/** OBJECT REFCOUNT: shared integers 0..9999 report INT_MAX, as in Redis when integers are shared. */
export function objectRefcount(s: ServerContext, obj: RObj, enc: string): number {
  if (obj.type === ObjType.String && enc === 'int') {
    const policy = s.config.getString('maxmemory-policy');
    const noShared = s.config.getNumber('maxmemory') > 0 && (policy.endsWith('-lru') || policy.endsWith('-lfu'));
    const v = parseIntArg(obj.value as string);
    if (!noShared && v !== null && v >= 0 && v < 10000) return 2147483647;
  }
  return 1;
}

function isLfu(s: ServerContext): boolean {
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
  // Redis's figure for the value (keyspace/redis-mem-model.ts), not our V8 one: see there why.
  c.addInt(redisMemoryUsage(argv[2], obj, objectEncoding(c.server, obj), samples, c.server.encodingLimits.listMaxListpackSize));
}

function memoryStats(c: Client): void {
  const s = c.server;
  const m = s.memoryFigures();
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
  dbl('allocator-fragmentation.ratio', m.heapUsed > 0 ? m.heapTotal / m.heapUsed : 0);
  int('allocator-fragmentation.bytes', m.heapTotal - m.heapUsed);
  dbl('allocator-rss.ratio', m.heapTotal > 0 ? m.rss / m.heapTotal : 0);
  int('allocator-rss.bytes', m.rss - m.heapTotal);
  dbl('rss-overhead.ratio', 1);
  int('rss-overhead.bytes', 0);
  dbl('fragmentation', m.used > 0 ? m.rss / m.used : 0);
  int('fragmentation.bytes', m.rss - m.used);
}

function memoryDoctor(c: Client): void {
  const s = c.server;
  const m = s.memoryFigures();
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

/**
 * MEMORY MALLOC-STATS: where Redis prints jemalloc's report, the allocator here is
 * V8's heap (plus malloc for Buffers outside it): its totals and its spaces.
 */
function mallocStats(c: Client): void {
  const out = ['___ Begin V8 heap statistics ___'];
  for (const [k, v] of Object.entries(getHeapStatistics())) out.push(`${k}: ${v}`);
  out.push('Spaces (size, used, available, physical):');
  for (const sp of getHeapSpaceStatistics()) out.push(`  ${sp.space_name}: ${sp.space_size} ${sp.space_used_size} ${sp.space_available_size} ${sp.physical_space_size}`);
  out.push('--- End V8 heap statistics ---');
  c.addVerbatim(out.join('\n') + '\n');
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


// ---- the table --------------------------------------------------------------------------


export const COMMANDS: CommandSpec[] = [
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
      cmd('malloc-stats', 2, [], [0, 0, 0], 'server', ['slow'], mallocStats, { since: '4.0.0', summary: 'Returns the allocator statistics.', complexity: 'Depends on how much memory is allocated, could be slow' }),
      cmd('purge', 2, [], [0, 0, 0], 'server', ['slow'], (c) => c.addOk(), { since: '4.0.0', summary: 'Asks the allocator to release memory.', complexity: 'Depends on how much memory is allocated, could be slow' }),
      cmd('stats', 2, [], [0, 0, 0], 'server', ['slow'], memoryStats, { since: '4.0.0', summary: 'Returns details about memory usage.', complexity: 'O(1)' }),
      cmd('usage', -3, ['readonly'], [2, 2, 1], 'server', ['read', 'slow'], memoryUsage, { since: '4.0.0', summary: 'Estimates the memory usage of a key.', complexity: 'O(N) where N is the number of samples.' }),
    ],
  }),
];
