// The configuration table: every directive with its type, default, bounds, whether
// CONFIG SET may change it at run time, and aliases. redis.conf parsing, command line
// overrides, CONFIG GET/SET/REWRITE and INFO all read this one table.
//
// Values are held already parsed (numbers, booleans, strings). Each directive knows
// how to parse the text form and how to print itself back, so that CONFIG GET and
// CONFIG REWRITE produce what Redis produces.

import { globMatch } from '../util/glob.js';
import { formatNotifyFlags, parseNotifyFlags } from '../keyspace/notify.js';

export type ConfigValue = string | number | boolean | string[];

export interface Directive {
  name: string;
  alias?: string;
  kind: 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'special';
  default: string; // text form, parsed at start-up
  min?: number;
  max?: number;
  values?: string[]; // for enums
  /** False when the directive may only be set at start-up (Redis's IMMUTABLE_CONFIG). */
  mutable: boolean;
  /** Validates and converts a special directive's text; throws ConfigError with Redis's message. */
  parse?: (args: string[]) => ConfigValue;
  format?: (v: ConfigValue) => string;
  /** Directive that takes several words on one line in redis.conf (save, client-output-buffer-limit...). */
  multiArg?: boolean;
  /** Sensitive value: CONFIG GET still shows it, but logs never do. */
  sensitive?: boolean;
  /** Redis's HIDDEN_CONFIG (the debugging directives): CONFIG GET shows it only by its exact name. */
  hidden?: boolean;
  /** Accepted, kept, shown and rewritten, but nothing in Cinnabar acts on it: why (see INERT; the README lists these). */
  inert?: string;
}

export class ConfigError extends Error {}

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 * 1000,
  mb: 1024 * 1024,
  g: 1000 * 1000 * 1000,
  gb: 1024 * 1024 * 1024,
};

/** Parses a memory amount such as "100mb", "1gb", "4096" (Redis's memtoull). */
export function parseMemory(s: string): number | null {
  const m = /^(\d+)([a-zA-Z]*)$/.exec(s);
  if (!m) return null;
  const unit = MEMORY_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  return Number(m[1]) * unit;
}

function bool(name: string, def: boolean, mutable = true, alias?: string): Directive {
  return { name, alias, kind: 'bool', default: def ? 'yes' : 'no', mutable };
}
function int(name: string, def: number, min: number, max: number, mutable = true, alias?: string): Directive {
  return { name, alias, kind: 'int', default: String(def), min, max, mutable };
}
function mem(name: string, def: number, min: number, max: number, mutable = true, alias?: string): Directive {
  return { name, alias, kind: 'memory', default: String(def), min, max, mutable };
}
function str(name: string, def: string, mutable = true, alias?: string): Directive {
  return { name, alias, kind: 'string', default: def, mutable };
}
function en(name: string, def: string, values: string[], mutable = true, alias?: string): Directive {
  return { name, alias, kind: 'enum', default: def, values, mutable };
}

const LLMAX = Number.MAX_SAFE_INTEGER;

/** Whether a decimal integer text fits in a signed 64-bit integer. */
function fitsInt64(t: string): boolean {
  const b = BigInt(t);
  return b >= -9223372036854775808n && b <= 9223372036854775807n;
}

/** Bounds as Redis prints them: our 2^53 stand-in for LLONG_MAX is shown as LLONG_MAX. */
function boundText(n: number): string {
  if (n === LLMAX) return '9223372036854775807';
  if (n === -LLMAX) return '-9223372036854775808';
  return String(n);
}
const INTMAX = 2147483647;

/**
 * A save-point word read as Redis reads it (strtoll, the whole word consumed): leading
 * whitespace and a sign allowed, saturated to the 64-bit range; "" is 0. Null if not
 * a number.
 */
function saveWord(w: string): bigint | null {
  if (w === '') return 0n;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(w);
  if (!m) return null;
  const v = m[1] === '-' ? -BigInt(m[2]) : BigInt(m[2]);
  return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v;
}
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Parses "save" rules: pairs of <seconds> <changes> (seconds at least 1, changes at
 * least 0), or "" (or nothing) for no save points. One argument is split into words.
 * The values are kept as Redis prints them back: seconds as a 64-bit number, changes
 * as the C int Redis stores.
 */
function parseSave(args: string[]): string[] {
  const words = args.length === 1 ? args[0].split(/\s+/).filter((w) => w.length > 0) : args;
  if (words.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  const out: string[] = [];
  for (let j = 0; j < words.length; j++) {
    const v = saveWord(words[j]);
    if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) throw new ConfigError('Invalid save parameters');
    out.push(String(j % 2 === 0 ? v : BigInt.asIntN(32, v)));
  }
  return out;
}

const COBL_CLASSES = ['normal', 'slave', 'replica', 'pubsub'];

/** client-output-buffer-limit: <class> <hard> <soft> <soft seconds> [...] merged into the current value. */
function parseCobl(args: string[]): string[] {
  const words = args.length === 1 ? args[0].split(/\s+/).filter((w) => w.length > 0) : args;
  if (words.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 4) {
    const cls = words[i].toLowerCase();
    if (!COBL_CLASSES.includes(cls)) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    const hard = parseMemory(words[i + 1]);
    const soft = parseMemory(words[i + 2]);
    const secs = Number(words[i + 3]);
    if (hard === null || soft === null || !/^\d+$/.test(words[i + 3]) || hard < 0 || soft < 0) {
      throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    out.push(cls === 'replica' ? 'slave' : cls, String(hard), String(soft), String(secs));
  }
  return out;
}

/** unixsocketperm: an octal mode, kept in its octal text form. */
function parseSocketPerm(args: string[]): string {
  const t = args.join(' ');
  if (!/^[0-7]+$/.test(t)) throw new ConfigError('Invalid socket file permissions');
  return parseInt(t, 8).toString(8);
}

/** hz: any non-negative int is accepted, the value used (and shown) is clamped to 1..500 as Redis does. */
function parseHz(args: string[]): number {
  const t = args.join(' ');
  if (!/^-?\d+$/.test(t) || !fitsInt64(t)) throw new ConfigError("argument couldn't be parsed into an integer");
  const v = Number(t);
  if (v < 0 || v > INTMAX) throw new ConfigError(`argument must be between 0 and ${INTMAX} inclusive`);
  return Math.max(1, Math.min(500, v));
}

/** maxmemory-clients: a memory amount or a percentage of maxmemory ("10%"). */
function parseMemoryOrPercent(args: string[]): string {
  const t = args.join(' ');
  if (/^\d+%$/.test(t)) {
    const p = Number(t.slice(0, -1));
    if (p > 100) throw new ConfigError('argument must be a memory or percent value');
    return `${p}%`;
  }
  const v = parseMemory(t);
  if (v === null || !Number.isFinite(v)) throw new ConfigError('argument must be a memory or percent value');
  return String(v);
}

/** latency-tracking-info-percentiles: numbers between 0 and 100. */
function parsePercentiles(args: string[]): string[] {
  const words = args.join(' ').split(/\s+/).filter((w) => w.length > 0);
  for (const w of words) {
    const v = Number(w);
    if (!/^[0-9.eE+-]+$/.test(w) || !Number.isFinite(v)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
    if (v < 0 || v > 100) {
      throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
    }
  }
  return words.map((w) => String(Number(w)));
}

/** oom-score-adj-values: three integers between -2000 and 2000. */
function parseOomValues(args: string[]): string[] {
  const words = args.join(' ').split(/\s+/).filter((w) => w.length > 0);
  if (words.length !== 3) throw new ConfigError('wrong number of arguments');
  for (const w of words) {
    if (!/^-?\d+$/.test(w) || Math.abs(Number(w)) > 2000) throw new ConfigError('Invalid oom-score-adj-values');
  }
  return words.map((w) => String(Number(w)));
}

/** shutdown-on-sigint / -sigterm: "default" or a combination of save, nosave, now, force. */
function parseShutdownOnSig(args: string[]): string {
  const words = args.join(' ').toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  const allowed = ['default', 'save', 'nosave', 'now', 'force'];
  for (const w of words) if (!allowed.includes(w)) throw new ConfigError('argument(s) must be one of the following: default, save, nosave, now, force');
  if (words.length === 0) throw new ConfigError('argument(s) must be one of the following: default, save, nosave, now, force');
  // As Redis's flag set: "default" is no flag (so "default now" is "now").
  if (words.includes('save') && words.includes('nosave')) throw new ConfigError("shutdown options SAVE and NOSAVE can't be used simultaneously");
  const flags = allowed.filter((w) => w !== 'default' && words.includes(w));
  return flags.length === 0 ? 'default' : flags.join(' ');
}

function parseNotify(args: string[]): string {
  const flags = parseNotifyFlags(args.join(' '));
  if (flags === -1) throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  return formatNotifyFlags(flags);
}

export const DIRECTIVES: Directive[] = [
  // Network and general.
  { name: 'bind', kind: 'special', default: '* -::*', mutable: true, multiArg: true, parse: (a) => a.join(' ').split(/\s+/).filter((w) => w), format: (v) => (v as string[]).join(' ') },
  int('port', 6379, 0, 65535),
  str('unixsocket', '', false),
  { name: 'unixsocketperm', kind: 'special', default: '0', mutable: false, parse: parseSocketPerm, format: (v) => String(v) },
  bool('protected-mode', true),
  // Redis's SENSITIVE_CONFIG: CONFIG SET shows their values redacted in MONITOR and the slow log.
  { ...str('requirepass', ''), sensitive: true },
  { ...str('masterauth', ''), sensitive: true },
  { ...str('masteruser', ''), sensitive: true },
  int('databases', 16, 1, INTMAX, false),
  int('maxclients', 10000, 1, 4294967295),
  int('timeout', 0, 0, INTMAX),
  int('tcp-keepalive', 300, 0, INTMAX),
  int('tcp-backlog', 511, 0, INTMAX, false),
  en('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning', 'nothing']),
  str('logfile', '', false),
  str('pidfile', '', false),
  str('dir', '.'),
  bool('daemonize', false, false),
  en('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], false),
  str('syslog-ident', 'redis', false),
  bool('syslog-enabled', false, false),
  bool('always-show-logo', false, false),
  bool('set-proc-title', true, false),
  str('proc-title-template', '{title} {listen-addr} {server-mode}'),
  { name: 'hz', kind: 'special', default: '10', mutable: true, parse: parseHz, format: (v) => String(v) },
  bool('dynamic-hz', true),
  int('io-threads', 1, 1, 128, false),
  bool('io-threads-do-reads', false, false),
  // Limits.
  mem('proto-max-bulk-len', 512 * 1024 * 1024, 1024 * 1024, LLMAX),
  mem('client-query-buffer-limit', 1024 * 1024 * 1024, 1024 * 1024, LLMAX),
  { name: 'client-output-buffer-limit', kind: 'special', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', mutable: true, multiArg: true, parse: parseCobl, format: (v) => (v as string[]).join(' ') },
  mem('maxmemory', 0, 0, LLMAX),
  en('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  int('maxmemory-samples', 5, 1, INTMAX),
  int('maxmemory-eviction-tenacity', 10, 0, 100),
  { name: 'maxmemory-clients', kind: 'special', default: '0', mutable: true, parse: parseMemoryOrPercent, format: (v) => String(v) },
  int('lfu-log-factor', 10, 0, INTMAX),
  int('lfu-decay-time', 1, 0, INTMAX),
  int('active-expire-effort', 1, 1, 10),
  bool('lazyfree-lazy-eviction', false),
  bool('lazyfree-lazy-expire', false),
  bool('lazyfree-lazy-server-del', false),
  bool('lazyfree-lazy-user-del', false),
  bool('lazyfree-lazy-user-flush', false),
  bool('replica-lazy-flush', false, true, 'slave-lazy-flush'),
  bool('activedefrag', false),
  // Logging of slow commands and latency.
  int('slowlog-log-slower-than', 10000, -1, LLMAX),
  int('slowlog-max-len', 128, 0, LLMAX),
  int('latency-monitor-threshold', 0, 0, LLMAX),
  bool('latency-tracking', true),
  { name: 'latency-tracking-info-percentiles', kind: 'special', default: '50 99 99.9', mutable: true, multiArg: true, parse: parsePercentiles, format: (v) => (v as string[]).join(' ') },
  { name: 'notify-keyspace-events', kind: 'special', default: '', mutable: true, parse: parseNotify, format: (v) => String(v) },
  // Encodings of small aggregates.
  int('hash-max-listpack-entries', 128, 0, LLMAX, true, 'hash-max-ziplist-entries'),
  mem('hash-max-listpack-value', 64, 0, LLMAX, true, 'hash-max-ziplist-value'),
  int('list-max-listpack-size', -2, -INTMAX - 1, INTMAX, true, 'list-max-ziplist-size'),
  int('list-compress-depth', 0, 0, INTMAX),
  int('set-max-intset-entries', 512, 0, LLMAX),
  int('set-max-listpack-entries', 128, 0, LLMAX),
  mem('set-max-listpack-value', 64, 0, LLMAX),
  int('zset-max-listpack-entries', 128, 0, LLMAX, true, 'zset-max-ziplist-entries'),
  mem('zset-max-listpack-value', 64, 0, LLMAX, true, 'zset-max-ziplist-value'),
  mem('hll-sparse-max-bytes', 3000, 0, LLMAX),
  mem('stream-node-max-bytes', 4096, 0, LLMAX),
  int('stream-node-max-entries', 100, 0, LLMAX),
  bool('activerehashing', true),
  // Persistence (used by the persistence subsystem).
  { name: 'save', kind: 'special', default: '3600 1 300 100 60 10000', mutable: true, multiArg: true, parse: parseSave, format: (v) => (v as string[]).join(' ') },
  str('dbfilename', 'dump.rdb'),
  bool('rdbcompression', true),
  bool('rdbchecksum', true, false),
  bool('stop-writes-on-bgsave-error', true),
  bool('rdb-del-sync-files', false),
  bool('appendonly', false),
  str('appendfilename', 'appendonly.aof', false),
  str('appenddirname', 'appendonlydir', false),
  en('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  bool('no-appendfsync-on-rewrite', false),
  int('auto-aof-rewrite-percentage', 100, 0, INTMAX),
  mem('auto-aof-rewrite-min-size', 64 * 1024 * 1024, 0, LLMAX),
  bool('aof-load-truncated', true),
  bool('aof-use-rdb-preamble', true),
  bool('aof-timestamp-enabled', false),
  bool('aof-rewrite-incremental-fsync', true),
  bool('rdb-save-incremental-fsync', true),
  // Replication (used by the replication subsystem).
  { name: 'replicaof', alias: 'slaveof', kind: 'special', default: '', mutable: false, multiArg: true, parse: (a) => a.join(' '), format: (v) => String(v) },
  bool('replica-read-only', true, true, 'slave-read-only'),
  bool('replica-serve-stale-data', true, true, 'slave-serve-stale-data'),
  int('replica-priority', 100, 0, INTMAX, true, 'slave-priority'),
  str('replica-announce-ip', '', true, 'slave-announce-ip'),
  int('replica-announce-port', 0, 0, 65535, true, 'slave-announce-port'),
  bool('replica-announced', true),
  bool('replica-ignore-maxmemory', true, true, 'slave-ignore-maxmemory'),
  mem('repl-backlog-size', 1024 * 1024, 1, LLMAX),
  int('repl-backlog-ttl', 3600, 0, LLMAX),
  int('repl-timeout', 60, 1, INTMAX),
  int('repl-ping-replica-period', 10, 1, INTMAX, true, 'repl-ping-slave-period'),
  bool('repl-diskless-sync', true),
  int('repl-diskless-sync-delay', 5, 0, INTMAX),
  int('repl-diskless-sync-max-replicas', 0, 0, INTMAX),
  en('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  bool('repl-disable-tcp-nodelay', false),
  int('min-replicas-to-write', 0, 0, INTMAX, true, 'min-slaves-to-write'),
  int('min-replicas-max-lag', 10, 0, INTMAX, true, 'min-slaves-max-lag'),
  // Cluster (used by the cluster subsystem).
  bool('cluster-enabled', false, false),
  str('cluster-config-file', 'nodes.conf', false),
  int('cluster-node-timeout', 15000, 0, LLMAX),
  int('cluster-port', 0, 0, 65535, false),
  bool('cluster-require-full-coverage', true),
  bool('cluster-allow-reads-when-down', false),
  int('cluster-migration-barrier', 1, 0, INTMAX),
  // Scripting and misc.
  int('busy-reply-threshold', 5000, 0, LLMAX, true, 'lua-time-limit'),
  int('tracking-table-max-keys', 1000000, 0, LLMAX),
  en('enable-debug-command', 'no', ['no', 'yes', 'local'], false),
  en('enable-protected-configs', 'no', ['no', 'yes', 'local'], false),
  en('enable-module-command', 'no', ['no', 'yes', 'local'], false),
  bool('crash-log-enabled', true),
  bool('crash-memcheck-enabled', true),
  bool('lazyfree-lazy-user-flush', false),
  str('aclfile', '', false),
  int('acllog-max-len', 128, 0, LLMAX),
  en('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  int('active-defrag-cycle-min', 1, 1, 99),
  int('active-defrag-cycle-max', 25, 1, 99),
  int('active-defrag-threshold-lower', 10, 0, 1000),
  int('active-defrag-threshold-upper', 100, 0, 1000),
  mem('active-defrag-ignore-bytes', 100 * 1024 * 1024, 1, LLMAX),
  bool('jemalloc-bg-thread', true),
  {
    name: 'oom-score-adj',
    kind: 'special',
    default: 'no',
    mutable: true,
    // "relative" is another name of "yes"; CONFIG GET shows the first name, as Redis does.
    parse: (a) => {
      const t = a.join(' ').toLowerCase();
      if (!['no', 'yes', 'relative', 'absolute'].includes(t)) throw new ConfigError('argument(s) must be one of the following: no, yes, relative, absolute');
      return t === 'relative' ? 'yes' : t;
    },
    format: (v) => String(v),
  },
  { name: 'oom-score-adj-values', kind: 'special', default: '0 200 800', mutable: true, multiArg: true, parse: parseOomValues, format: (v) => (v as string[]).join(' ') },
  bool('disable-thp', true, false),
  { ...int('watchdog-period', 0, 0, INTMAX), hidden: true },
  // The debugging directives redis-server 7.0 accepts (HIDDEN_CONFIG there): delays per
  // key in µs while saving and loading (negative -N: 1 µs with probability 1/N), how
  // often a load lets the server answer (LOADING), and exit(1) instead of abort() on a panic.
  { ...int('rdb-key-save-delay', 0, -INTMAX - 1, INTMAX), hidden: true },
  { ...int('key-load-delay', 0, -INTMAX - 1, INTMAX), hidden: true },
  { ...int('loading-process-events-interval-bytes', 2 * 1024 * 1024, 1024, INTMAX), hidden: true },
  { ...bool('use-exit-on-panic', false), hidden: true },
  en('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas']),
  bool('lazyfree-lazy-server-del', false),
  // Directives CONFIG GET lists in Redis 7.2 that no subsystem uses yet (accepted and reported).
  int('active-defrag-max-scan-fields', 1000, 1, LLMAX),
  bool('aof-disable-auto-gc', false),
  str('aof_rewrite_cpulist', '', false),
  str('bgsave_cpulist', '', false),
  str('bio_cpulist', '', false),
  str('server_cpulist', '', false),
  str('bind-source-addr', ''),
  bool('cluster-allow-pubsubshard-when-down', true),
  bool('cluster-allow-replica-migration', true),
  int('cluster-announce-bus-port', 0, 0, 65535),
  str('cluster-announce-hostname', ''),
  str('cluster-announce-human-nodename', ''),
  str('cluster-announce-ip', ''),
  int('cluster-announce-port', 0, 0, 65535),
  int('cluster-announce-tls-port', 0, 0, 65535),
  mem('cluster-link-sendbuf-limit', 0, 0, LLMAX),
  en('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint']),
  bool('cluster-replica-no-failover', false, true, 'cluster-slave-no-failover'),
  int('cluster-replica-validity-factor', 10, 0, INTMAX, true, 'cluster-slave-validity-factor'),
  str('ignore-warnings', ''),
  str('locale-collate', ''),
  bool('replica-ignore-disk-write-errors', false),
  en('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  { name: 'shutdown-on-sigint', kind: 'special', default: 'default', mutable: true, multiArg: true, parse: parseShutdownOnSig, format: (v) => String(v) },
  { name: 'shutdown-on-sigterm', kind: 'special', default: 'default', mutable: true, multiArg: true, parse: parseShutdownOnSig, format: (v) => String(v) },
  int('shutdown-timeout', 10, 0, INTMAX),
  int('socket-mark-id', 0, 0, INTMAX, false),
  en('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], false),
  int('tls-port', 0, 0, 65535),
  en('tls-auth-clients', 'yes', ['no', 'yes', 'optional']),
  str('tls-ca-cert-dir', ''),
  str('tls-ca-cert-file', ''),
  str('tls-cert-file', ''),
  str('tls-ciphers', ''),
  str('tls-ciphersuites', ''),
  str('tls-client-cert-file', ''),
  str('tls-client-key-file', ''),
  str('tls-client-key-file-pass', ''),
  bool('tls-cluster', false),
  str('tls-dh-params-file', ''),
  str('tls-key-file', ''),
  str('tls-key-file-pass', ''),
  bool('tls-prefer-server-ciphers', false),
  str('tls-protocols', ''),
  bool('tls-replication', false),
  int('tls-session-cache-size', 20480, 0, INTMAX),
  int('tls-session-cache-timeout', 300, 0, INTMAX),
  bool('tls-session-caching', true),
];

/**
 * The directives Cinnabar accepts (so a redis.conf written for redis-server loads)
 * but does not act on, and why. test/unit/config-inert.test.ts checks that nothing
 * in src/ reads them, and that every directive nothing reads is listed here or
 * owned by a subsystem still being built (cluster, TLS, ACL, scripting, streams).
 */
const INERT: Record<string, string> = {
  'unixsocketperm': 'the socket file keeps the permissions the umask gives it',
  'supervised': 'no upstart/systemd readiness notification (process_supervised:no)',
  'syslog-enabled': 'no syslog: the log goes to stdout or logfile',
  'syslog-ident': 'no syslog',
  'syslog-facility': 'no syslog',
  'set-proc-title': 'the process title stays node\'s',
  'proc-title-template': 'the process title stays node\'s',
  'dynamic-hz': 'hz is not raised with the number of clients',
  'io-threads': 'one thread: Node serves every socket from its event loop',
  'io-threads-do-reads': 'one thread',
  'replica-lazy-flush': 'a replica flushes its old data synchronously before a full sync',
  'activedefrag': 'no allocator defragmentation: V8\'s garbage collector compacts the heap',
  'active-defrag-cycle-min': 'no active defragmentation',
  'active-defrag-cycle-max': 'no active defragmentation',
  'active-defrag-threshold-lower': 'no active defragmentation',
  'active-defrag-threshold-upper': 'no active defragmentation',
  'active-defrag-ignore-bytes': 'no active defragmentation',
  'active-defrag-max-scan-fields': 'no active defragmentation',
  'activerehashing': 'JavaScript Maps rehash themselves',
  'rdb-del-sync-files': 'replication sync files are not kept on disk',
  'aof-rewrite-incremental-fsync': 'the rewritten AOF is fsynced once, at its end',
  'rdb-save-incremental-fsync': 'the RDB file is fsynced once, at its end',
  'crash-log-enabled': 'no crash handler: Node prints its own stack trace',
  'crash-memcheck-enabled': 'no crash handler',
  'use-exit-on-panic': 'no crash handler',
  'jemalloc-bg-thread': 'no jemalloc: V8 and libc allocate',
  'oom-score-adj': '/proc/self/oom_score_adj is not written',
  'oom-score-adj-values': '/proc/self/oom_score_adj is not written',
  'disable-thp': 'transparent huge pages are left as the system sets them',
  'watchdog-period': 'no software watchdog',
  'server_cpulist': 'no CPU affinity',
  'bio_cpulist': 'no CPU affinity',
  'aof_rewrite_cpulist': 'no CPU affinity',
  'bgsave_cpulist': 'no CPU affinity (and no fork)',
  'ignore-warnings': 'none of the start-up warnings it silences (ARM64-COW-BUG) is issued',
  'locale-collate': 'strings compare by bytes (SORT ALPHA), not by the locale',
  'replica-ignore-disk-write-errors': 'a replica does not stop on a failed disk write',
  'sanitize-dump-payload': 'RESTORE and RDB loading always check what they decode; there is no separate deep check',
  'socket-mark-id': 'SO_MARK cannot be set from Node',
  'propagation-error-behavior': 'errors in propagated commands are logged and ignored',
};
for (const d of DIRECTIVES) if (Object.prototype.hasOwnProperty.call(INERT, d.name)) d.inert = INERT[d.name];

// Deduplicate by name (later entries would only repeat earlier ones).
const BY_NAME = new Map<string, Directive>();
for (const d of DIRECTIVES) {
  if (!BY_NAME.has(d.name)) BY_NAME.set(d.name, d);
  if (d.alias && !BY_NAME.has(d.alias)) BY_NAME.set(d.alias, d);
}
const UNIQUE: Directive[] = [...new Set(BY_NAME.values())];

export function findDirective(name: string): Directive | undefined {
  return BY_NAME.get(name.toLowerCase());
}

type Listener = (name: string, value: ConfigValue) => void;

export class Config {
  private values = new Map<string, ConfigValue>();
  private listeners: Listener[] = [];
  /** Directives given in the config file or on the command line (for CONFIG REWRITE). */
  readonly explicitlySet = new Set<string>();
  /** Path of the config file, for CONFIG REWRITE. */
  file: string | null = null;
  /** A `user default ...` line was read at start-up (CONFIG REWRITE then describes that user as Redis does). */
  defaultUserFromFile = false;
  /** `loadmodule <path> [args]` lines read at start-up, in order (the CLI refuses them: commands/modules.ts). */
  readonly modulesToLoad: string[][] = [];

  constructor() {
    for (const d of UNIQUE) this.values.set(d.name, this.parseValue(d, [d.default]));
  }

  onChange(fn: Listener): void {
    this.listeners.push(fn);
  }

  /** Parses the text form of a directive, throwing ConfigError with Redis's wording. */
  parseValue(d: Directive, args: string[]): ConfigValue {
    const text = args.join(' ');
    switch (d.kind) {
      case 'bool': {
        const t = text.toLowerCase();
        if (t === 'yes') return true;
        if (t === 'no') return false;
        throw new ConfigError("argument must be 'yes' or 'no'");
      }
      case 'int':
      case 'memory': {
        // Integers must fit in a signed 64-bit value (string2ll), as Redis requires.
        const v = d.kind === 'memory' ? parseMemory(text) : /^-?\d+$/.test(text) && fitsInt64(text) ? Number(text) : null;
        if (v === null || !Number.isFinite(v)) {
          throw new ConfigError(d.kind === 'memory' ? 'argument must be a memory value' : "argument couldn't be parsed into an integer");
        }
        // Memory amounts are unsigned 64-bit in Redis: no upper bound beyond that.
        const noMax = d.kind === 'memory' && d.max === LLMAX;
        if ((d.min !== undefined && v < d.min) || (d.max !== undefined && !noMax && v > d.max)) {
          throw new ConfigError(`argument must be between ${boundText(d.min!)} and ${boundText(d.max!)} inclusive`);
        }
        return v;
      }
      case 'enum': {
        const t = text.toLowerCase();
        if (!d.values!.includes(t)) throw new ConfigError(`argument(s) must be one of the following: ${d.values!.join(', ')}`);
        return t;
      }
      case 'string':
        return text;
      case 'special':
        return d.parse!(args);
    }
  }

  get(name: string): ConfigValue {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`unknown config ${name}`);
    return v;
  }
  getNumber(name: string): number {
    return this.get(name) as number;
  }
  getBool(name: string): boolean {
    return this.get(name) as boolean;
  }
  getString(name: string): string {
    return this.get(name) as string;
  }
  getList(name: string): string[] {
    return this.get(name) as string[];
  }

  /** Sets a directive from its text form (file, command line or CONFIG SET). */
  set(name: string, args: string[], fromStartup = false): void {
    const d = findDirective(name);
    if (!d) throw new ConfigError(`Bad directive or wrong number of arguments`);
    let v = this.parseValue(d, args);
    if (d.name === 'client-output-buffer-limit') v = mergeCobl(this.getList(d.name), v as string[]);
    this.values.set(d.name, v);
    if (fromStartup) this.explicitlySet.add(d.name);
    for (const l of this.listeners) l(d.name, v);
  }

  /** Text form of a directive, as CONFIG GET prints it. */
  format(d: Directive): string {
    const v = this.values.get(d.name)!;
    switch (d.kind) {
      case 'bool':
        return v ? 'yes' : 'no';
      case 'int':
      case 'memory':
        return String(v);
      case 'enum':
      case 'string':
        return String(v);
      case 'special':
        return d.format!(v);
    }
  }

  /** CONFIG GET: every directive (or alias) whose name matches one of the patterns. */
  matching(patterns: string[]): Array<[string, string]> {
    const out = new Map<string, string>();
    for (const pat of patterns) {
      const p = pat.toLowerCase();
      const exact = BY_NAME.get(p);
      if (exact && !/[*?[]/.test(p)) {
        // An exact name is echoed as the client spelled it, as Redis does.
        out.set(pat, this.format(exact));
        continue;
      }
      for (const [name, d] of BY_NAME) {
        if (!d.hidden && globMatch(p, name)) out.set(name, this.format(d));
      }
    }
    return [...out];
  }

  all(): Directive[] {
    return UNIQUE;
  }
}

function mergeCobl(cur: string[], upd: string[]): string[] {
  const out = cur.slice();
  for (let i = 0; i < upd.length; i += 4) {
    const j = out.indexOf(upd[i]);
    if (j >= 0) out.splice(j, 4, ...upd.slice(i, i + 4));
    else out.push(...upd.slice(i, i + 4));
  }
  return out;
}
