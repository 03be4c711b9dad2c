// Differential tests of the server family: INFO CONFIG DBSIZE FLUSHDB FLUSHALL
// SWAPDB TIME LASTSAVE DEBUG OBJECT MEMORY SLOWLOG MONITOR COMMAND and CLIENT —
// the same commands sent to Cinnabar and to a real redis-server, replies compared.
// Replies that carry times, ids, addresses or memory figures are compared by shape.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, replyKey } from '../helpers/diff.js';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { KNOWN_DIFFERENCES, dropFields, type KnownDifference } from '../helpers/known-differences.js';
import { Rng } from '../helpers/random.js';
import type { Reply, RespClient } from '../../src/protocol/resp-client.js';

/** Text of a bulk/verbatim/simple reply. */
function text(r: Reply): string {
  if (r.t === 'bulk' && r.v !== null) return r.v;
  if (r.t === 'verbatim' || r.t === 'simple') return r.v;
  throw new Error(`expected a string reply, got ${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
}

/** The section headers of an INFO text. */
function infoHeaders(s: string): string[] {
  return s.split('\r\n').filter((l) => l.startsWith('# '));
}

/** Field -> value of an INFO text, per section. */
function infoFields(s: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let cur = new Map<string, string>();
  for (const line of s.split('\r\n')) {
    if (line.startsWith('# ')) {
      cur = new Map();
      out.set(line.slice(2), cur);
    } else if (line.includes(':')) {
      const i = line.indexOf(':');
      cur.set(line.slice(0, i), line.slice(i + 1));
    }
  }
  return out;
}

/** Replaces every reply leaf by its type (for replies whose values are not comparable). */
function shape(r: Reply): Reply {
  switch (r.t) {
    case 'array':
      return r.v === null ? r : { t: 'array', v: r.v.map(shape) };
    case 'set':
      return { t: 'set', v: r.v.map(shape) };
    case 'map':
      return { t: 'map', v: r.v.map(([k, v]) => [k, shape(v)] as [Reply, Reply]) };
    case 'bulk':
      return r.v === null ? r : { t: 'bulk', v: '<bulk>' };
    case 'int':
      return { t: 'int', v: 0n };
    case 'double':
      return { t: 'double', v: '0' };
    default:
      return r;
  }
}
const byShape = (r: Reply): Reply => shape(r);

/** CLIENT LIST/INFO lines with the values that depend on the connection masked. */
const VOLATILE_CLIENT_FIELDS = new Set(['id', 'addr', 'laddr', 'fd', 'age', 'idle', 'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events']);
function normalizeClientLines(r: Reply): Reply {
  if (r.t !== 'bulk' && r.t !== 'verbatim') return r;
  if (r.v === null) return r;
  const lines = r.v
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) =>
      l
        .split(' ')
        .filter((f) => !f.startsWith('lib-name=') && !f.startsWith('lib-ver='))
        .map((f) => {
          const k = f.slice(0, f.indexOf('='));
          return VOLATILE_CLIENT_FIELDS.has(k) ? `${k}=*` : f;
        })
        .join(' '),
    );
  return { t: 'bulk', v: lines.join('\n') };
}

/** Sorts the subcommand list of COMMAND INFO entries (Redis lists them in dict order). */
function sortSubcommands(r: Reply): Reply {
  if (r.t !== 'array' || r.v === null) return r;
  const v = r.v.map((e) => {
    if (e.t !== 'array' || e.v === null || e.v.length !== 10) return e;
    const subs = e.v[9]!;
    if ((subs.t === 'array' && subs.v !== null) || subs.t === 'set') {
      const items = (subs.v as Reply[]).map((x) => sortSubcommands({ t: 'array', v: [x] })).map((x) => (x as { v: Reply[] }).v[0]!);
      items.sort((a, b) => (replyKey(a) < replyKey(b) ? -1 : 1));
      const copy = e.v.slice();
      copy[9] = { t: subs.t, v: items } as Reply;
      return { t: 'array', v: copy } as Reply;
    }
    return e;
  });
  return { t: 'array', v };
}


/** Differences between Redis 7.0 (the reference binary) and 7.2 (our target) for this family. */
const NEW_72_PARAMS = new Set(['set-max-listpack-entries', 'set-max-listpack-value', 'locale-collate', 'cluster-announce-human-nodename']);
const LOCAL_DIFFERENCES: KnownDifference[] = [
  {
    id: 'config-get-72-params-glob',
    command: 'CONFIG GET',
    reason: 'A CONFIG GET pattern also matches the parameters added in Redis 7.2.',
    transform: (r) => dropFields(r, NEW_72_PARAMS),
  },
  {
    id: 'object-encoding-list-listpack',
    command: 'OBJECT ENCODING',
    reason: 'Redis 7.2 stores small lists as a listpack where 7.0 always uses a quicklist.',
    when: (_c, ours, theirs) => ours.t === 'bulk' && ours.v === 'listpack' && theirs.t === 'bulk' && theirs.v === 'quicklist',
  },
  {
    id: 'client-help-72',
    command: 'CLIENT HELP',
    reason: 'Redis 7.2 documents SETINFO, NO-TOUCH, KILL ID/MAXAGE in CLIENT HELP.',
    oursOk: (ours) => ours.t === 'array' && ours.v !== null && ours.v.length > 40,
  },
];
const KD = [...KNOWN_DIFFERENCES, ...LOCAL_DIFFERENCES];

describe('server commands', { skip: skipIfNoRedis() }, () => {
  let ours: ServerHandle;
  let theirs: ServerHandle;
  let pair: DiffPair;
  const extra: RespClient[] = [];

  /** Another connection to each server (closed in after()). */
  async function clients(): Promise<[RespClient, RespClient]> {
    const [a, b] = await Promise.all([ours.client(), theirs.client()]);
    extra.push(a, b);
    return [a, b];
  }

  before(async () => {
    const args = ['--enable-debug-command', 'yes', '--hash-max-listpack-entries', '128', '--set-max-intset-entries', '512'];
    [ours, theirs] = await Promise.all([startCinnabar({ args }), startRedis({ args: ['--enable-debug-command', 'yes', '--hash-max-listpack-entries', '128'] })]);
    pair = await DiffPair.fromServers(ours, theirs, true);
  });
  after(async () => {
    pair?.printDifferences();
    for (const c of extra) c.destroy();
    await pair?.close();
  });
  beforeEach(async () => {
    await pair.reset();
    await pair.run(['SELECT', '0']);
  });

  // ---- INFO -----------------------------------------------------------------------------

  test('INFO sections: default, all, everything, several, unknown, case', async () => {
    const variants: string[][] = [[], ['default'], ['all'], ['everything'], ['server', 'clients'], ['KEYSPACE', 'cluster'], ['commandstats'], ['errorstats'], ['foo'], ['cpu', 'foo', 'memory']];
    for (const v of variants) {
      const { ours: o, theirs: t } = await pair.run(['INFO', ...v]);
      assert.deepEqual(infoHeaders(text(o)), infoHeaders(text(t)), `INFO ${v.join(' ')}`);
    }
    await pair.check([['INFO', 'foo'], ['INFO', 'cluster']]);
  });

  test('INFO has every field Redis has, in sections Redis has', async () => {
    await pair.run(['SET', 'k', 'v']);
    const { ours: o, theirs: t } = await pair.run(['INFO', 'everything']);
    const fo = infoFields(text(o));
    const ft = infoFields(text(t));
    for (const [section, fields] of ft) {
      if (section === 'Latencystats' || section === 'Commandstats' || section === 'Errorstats' || section === 'Keyspace') continue;
      const mine = fo.get(section);
      assert.ok(mine, `section ${section} missing`);
      for (const f of fields.keys()) assert.ok(mine.has(f), `INFO ${section}: field ${f} missing`);
    }
    // Values that must agree on a fresh server with the same state.
    for (const [section, field] of [
      ['Server', 'redis_mode'],
      ['Server', 'arch_bits'],
      ['Server', 'hz'],
      ['Server', 'configured_hz'],
      ['Server', 'io_threads_active'],
      ['Clients', 'blocked_clients'],
      ['Clients', 'maxclients'],
      ['Memory', 'maxmemory'],
      ['Memory', 'maxmemory_human'],
      ['Memory', 'maxmemory_policy'],
      ['Persistence', 'loading'],
      ['Persistence', 'rdb_bgsave_in_progress'],
      ['Persistence', 'aof_enabled'],
      ['Stats', 'pubsub_channels'],
      ['Stats', 'evicted_keys'],
      ['Replication', 'role'],
      ['Replication', 'connected_slaves'],
      ['Replication', 'master_repl_offset'],
      ['Replication', 'repl_backlog_size'],
      ['Cluster', 'cluster_enabled'],
    ]) {
      assert.equal(fo.get(section)?.get(field), ft.get(section)?.get(field), `INFO ${section} ${field}`);
    }
    assert.match(fo.get('Replication')!.get('master_replid')!, /^[0-9a-f]{40}$/);
    assert.match(fo.get('Server')!.get('run_id')!, /^[0-9a-f]{40}$/);
  });

  test('INFO keyspace, errorstats and commandstats', async () => {
    await pair.check([
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
      ['SELECT', '3'],
      ['SET', 'c', '3'],
      ['SELECT', '0'],
      ['INFO', 'keyspace'],
      ['CONFIG', 'RESETSTAT'],
      ['NOSUCH'],
      ['CONFIG', 'SET', 'foo', 'bar'],
      ['INCR', 'a'],
      ['GET', 'a'],
      ['GET', 'a', 'b'],
      ['INFO', 'errorstats'],
    ]);
    const maskUsec = (r: Reply): Reply => ({ t: 'bulk', v: text(r).replace(/usec=\d+,usec_per_call=[\d.]+/g, 'usec=*') });
    const { ours: o, theirs: t } = await pair.run(['INFO', 'commandstats']);
    const lines = (r: Reply): string[] => text(maskUsec(r)).split('\r\n').filter((l) => l.startsWith('cmdstat_')).sort();
    assert.deepEqual(lines(o), lines(t));
    // INFO stats counters that both count the same way.
    const { ours: so, theirs: st } = await pair.run(['INFO', 'stats']);
    const fo = infoFields(text(so)).get('Stats')!;
    const ft = infoFields(text(st)).get('Stats')!;
    for (const f of ['total_error_replies', 'keyspace_hits', 'keyspace_misses', 'expired_keys']) assert.equal(fo.get(f), ft.get(f), f);
  });

  // ---- CONFIG ---------------------------------------------------------------------------

  test('CONFIG GET: names, globs, aliases, several patterns', async () => {
    await pair.check(
      [
        ['CONFIG', 'GET', 'maxmemory'],
        ['CONFIG', 'GET', 'MAXMEMORY'],
        ['CONFIG', 'GET', 'maxmemory', 'maxmemory-policy', 'timeout'],
        ['CONFIG', 'GET', 'maxmemory*'],
        ['CONFIG', 'GET', 'hash-max-ziplist-entries'],
        ['CONFIG', 'GET', 'hash-max-*'],
        ['CONFIG', 'GET', '*max-*-entries*'],
        ['CONFIG', 'GET', 'slave-read-only'],
        ['CONFIG', 'GET', 'replica-*'],
        ['CONFIG', 'GET', 'maxmemory', 'maxmemory'],
        ['CONFIG', 'GET', 'nosuch'],
        ['CONFIG', 'GET', 'client-output-buffer-limit'],
        ['CONFIG', 'GET', 'notify-keyspace-events'],
        ['CONFIG', 'GET', 'latency-tracking-info-percentiles'],
        ['CONFIG', 'GET', 'unixsocketperm', 'oom-score-adj*'],
        ['CONFIG', 'GET', 'tls-*'],
        ['CONFIG', 'GET', 'cluster-*'],
        ['CONFIG', 'GET', 'shutdown-*', 'supervised'],
        ['CONFIG', 'GET', 'l?g*'],
        ['CONFIG', 'GET', '[ab]ppend*'],
        ['CONFIG', 'GET'],
      ],
      { unordered: 'pairs', knownDifferences: KD },
    );
  });

  test('CONFIG GET * lists the same parameters with the same values', async () => {
    const { ours: o, theirs: t } = await pair.run(['CONFIG', 'GET', '*']);
    const toMap = (r: Reply): Map<string, string> => {
      const m = new Map<string, string>();
      const items = r.t === 'array' && r.v ? r.v : [];
      for (let i = 0; i + 1 < items.length; i += 2) m.set(text(items[i]!), text(items[i + 1]!));
      return m;
    };
    const mo = toMap(o);
    const mt = toMap(t);
    // Values that depend on how each server was started, and parameters new in 7.2.
    const ENV = new Set(['dir', 'port', 'daemonize', 'pidfile', 'logfile', 'unixsocket', 'bind', 'save', 'appendonly', 'enable-debug-command', 'set-proc-title', 'hash-max-listpack-entries', 'hash-max-ziplist-entries', 'set-max-intset-entries']);
    const NEW_IN_72 = new Set(['set-max-listpack-entries', 'set-max-listpack-value', 'locale-collate', 'cluster-announce-human-nodename', 'watchdog-period']);
    for (const [k, v] of mt) {
      assert.ok(mo.has(k), `CONFIG GET * lacks ${k}`);
      if (!ENV.has(k)) assert.equal(mo.get(k), v, `CONFIG GET ${k}`);
    }
    for (const k of mo.keys()) assert.ok(mt.has(k) || NEW_IN_72.has(k), `CONFIG GET * has ${k}, unknown to Redis`);
  });

  test('CONFIG SET: values, units, errors, atomicity', async () => {
    await pair.check(
      [
        ['CONFIG', 'SET', 'maxmemory', '1mb'],
        ['CONFIG', 'GET', 'maxmemory'],
        ['CONFIG', 'SET', 'maxmemory', '2GB'],
        ['CONFIG', 'GET', 'maxmemory'],
        ['CONFIG', 'SET', 'maxmemory', '0'],
        ['CONFIG', 'SET', 'maxmemory', 'abc'],
        ['CONFIG', 'SET', 'maxmemory', '-1'],
        ['CONFIG', 'SET', 'foo', 'bar'],
        ['CONFIG', 'SET', 'maxmemory', '10', 'foo', 'bar'],
        ['CONFIG', 'SET', 'daemonize', 'yes', 'foo', 'bar'],
        ['CONFIG', 'SET', 'daemonize', 'yes'],
        ['CONFIG', 'SET', 'databases', '4'],
        ['CONFIG', 'SET', 'dir', '/tmp'],
        ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
        ['CONFIG', 'SET', 'maxmemory', '10', 'maxmemory', '20'],
        ['CONFIG', 'SET', 'hash-max-listpack-entries', '10', 'hash-max-ziplist-entries', '20'],
        ['CONFIG', 'SET', 'port'],
        ['CONFIG', 'SET', 'timeout', '10', 'port'],
        ['CONFIG', 'SET', 'timeout', '-1'],
        ['CONFIG', 'SET', 'timeout', 'x'],
        ['CONFIG', 'SET', 'timeout', '1.5'],
        ['CONFIG', 'SET', 'protected-mode', 'maybe'],
        ['CONFIG', 'SET', 'maxmemory-policy', 'foo'],
        ['CONFIG', 'SET', 'maxmemory-policy', 'ALLKEYS-LRU'],
        ['CONFIG', 'GET', 'maxmemory-policy'],
        ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
        // Atomic: the second value is bad, the first must not stick.
        ['CONFIG', 'SET', 'timeout', '100', 'maxmemory-policy', 'bad'],
        ['CONFIG', 'GET', 'timeout'],
        ['CONFIG', 'SET', 'timeout', '100', 'maxmemory-samples', '7'],
        ['CONFIG', 'GET', 'timeout', 'maxmemory-samples'],
        ['CONFIG', 'SET', 'timeout', '0', 'maxmemory-samples', '5'],
        ['CONFIG', 'SET', 'hz', '0'],
        ['CONFIG', 'GET', 'hz'],
        ['CONFIG', 'SET', 'hz', '100000'],
        ['CONFIG', 'GET', 'hz'],
        ['CONFIG', 'SET', 'hz', '10'],
        ['CONFIG', 'SET', 'save', 'bla'],
        ['CONFIG', 'SET', 'save', '100 10 200'],
        ['CONFIG', 'SET', 'save', '100 10 200 20'],
        ['CONFIG', 'GET', 'save'],
        ['CONFIG', 'SET', 'save', ''],
        ['CONFIG', 'GET', 'save'],
        ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 2mb 30'],
        ['CONFIG', 'GET', 'client-output-buffer-limit'],
        ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'],
        ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'],
        ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60'],
        ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
        ['CONFIG', 'GET', 'notify-keyspace-events'],
        ['CONFIG', 'SET', 'notify-keyspace-events', 'Kx'],
        ['CONFIG', 'GET', 'notify-keyspace-events'],
        ['CONFIG', 'SET', 'notify-keyspace-events', 'Z'],
        ['CONFIG', 'SET', 'notify-keyspace-events', ''],
        ['CONFIG', 'SET', 'slave-read-only', 'no'],
        ['CONFIG', 'GET', 'replica-read-only', 'slave-read-only'],
        ['CONFIG', 'SET', 'replica-read-only', 'yes'],
        ['CONFIG', 'SET', 'loglevel', 'VERBOSE'],
        ['CONFIG', 'GET', 'loglevel'],
        ['CONFIG', 'SET', 'loglevel', 'notice'],
        ['CONFIG', 'SET', 'maxmemory-samples', '0'],
        ['CONFIG', 'SET', 'maxmemory-samples', '65'],
        ['CONFIG', 'SET', 'list-max-listpack-size', '-6'],
        ['CONFIG', 'SET', 'proto-max-bulk-len', '100'],
        ['CONFIG', 'SET', 'oom-score-adj', 'relative'],
        ['CONFIG', 'GET', 'oom-score-adj'],
        ['CONFIG', 'SET', 'oom-score-adj', 'no'],
        ['CONFIG', 'SET', 'shutdown-on-sigterm', 'nosave now'],
        ['CONFIG', 'GET', 'shutdown-on-sigterm'],
        ['CONFIG', 'SET', 'shutdown-on-sigterm', 'default'],
        ['CONFIG', 'SET', 'requirepass', ''],
      ],
      { unordered: 'pairs', knownDifferences: KD },
    );
  });

  test('CONFIG RESETSTAT, REWRITE without a file, HELP, unknown subcommand', async () => {
    await pair.check([
      ['CONFIG', 'RESETSTAT'],
      ['CONFIG', 'RESETSTAT', 'x'],
      ['CONFIG', 'REWRITE'],
      ['CONFIG', 'HELP'],
      ['CONFIG', 'FOO'],
      ['CONFIG'],
    ]);
    const { ours: o, theirs: t } = await pair.run(['INFO', 'stats']);
    const fo = infoFields(text(o)).get('Stats')!;
    const ft = infoFields(text(t)).get('Stats')!;
    assert.equal(fo.get('total_error_replies'), ft.get('total_error_replies'));
  });

  // ---- keyspace-wide --------------------------------------------------------------------

  test('DBSIZE FLUSHDB FLUSHALL SWAPDB', async () => {
    await pair.check([
      ['DBSIZE'],
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
      ['DBSIZE'],
      ['DBSIZE', 'x'],
      ['SELECT', '1'],
      ['SET', 'c', '1'],
      ['DBSIZE'],
      ['SWAPDB', '0', '1'],
      ['DBSIZE'],
      ['GET', 'a'],
      ['SELECT', '0'],
      ['DBSIZE'],
      ['GET', 'c'],
      ['SWAPDB', '0', '0'],
      ['SWAPDB', '0', 'x'],
      ['SWAPDB', 'x', '0'],
      ['SWAPDB', '0', '16'],
      ['SWAPDB', '-1', '0'],
      ['SWAPDB', '0'],
      ['SWAPDB', '1', '0'],
      ['FLUSHDB', 'foo'],
      ['FLUSHDB', 'SYNC', 'x'],
      ['FLUSHDB', 'sync'],
      ['DBSIZE'],
      ['SELECT', '1'],
      ['DBSIZE'],
      ['FLUSHDB', 'ASYNC'],
      ['DBSIZE'],
      ['SET', 'x', '1'],
      ['SELECT', '2'],
      ['SET', 'y', '1'],
      ['FLUSHALL', 'foo'],
      ['FLUSHALL', 'async', 'x'],
      ['FLUSHALL'],
      ['DBSIZE'],
      ['SELECT', '1'],
      ['DBSIZE'],
      ['FLUSHALL', 'SYNC'],
      ['FLUSHALL', 'ASYNC'],
    ]);
  });

  test('FLUSHDB and SWAPDB fail the EXEC of clients watching existing keys', async () => {
    await pair.check([['SET', 'w', '1'], ['WATCH', 'w'], ['FLUSHDB'], ['MULTI'], ['SET', 'w', '2'], ['EXEC']]);
    await pair.check([['WATCH', 'nokey'], ['FLUSHDB'], ['MULTI'], ['PING'], ['EXEC']]);
    await pair.check([['SELECT', '1'], ['SET', 'w', '1'], ['SELECT', '0'], ['WATCH', 'w'], ['SWAPDB', '0', '1'], ['MULTI'], ['PING'], ['EXEC']]);
    await pair.check([['SELECT', '5'], ['WATCH', 'w2'], ['SWAPDB', '5', '6'], ['MULTI'], ['PING'], ['EXEC'], ['SELECT', '0']]);
  });

  test('SWAPDB serves a client blocked on a key that the swap brings in', async (t) => {
    const { ours: o } = await pair.run(['COMMAND', 'INFO', 'blpop']);
    if (!(o.t === 'array' && o.v && o.v[0]!.t === 'array')) {
      t.skip('BLPOP not implemented yet');
      return;
    }
    const [bo, bt] = await clients();
    const blocked = [bo.call('BLPOP', 'swapped', '0'), bt.call('BLPOP', 'swapped', '0')];
    await new Promise((r) => setTimeout(r, 100));
    await pair.check([['SELECT', '1'], ['RPUSH', 'swapped', 'a', 'b'], ['SELECT', '0'], ['SWAPDB', '0', '1']]);
    const [x, y] = await Promise.all(blocked);
    assert.deepEqual(x, y);
    assert.deepEqual(x, { t: 'array', v: [{ t: 'bulk', v: 'swapped' }, { t: 'bulk', v: 'a' }] });
    await pair.check([['LRANGE', 'swapped', '0', '-1'], ['SELECT', '1'], ['EXISTS', 'swapped'], ['SELECT', '0']]);
  });

  test('arity errors of the family', async () => {
    await pair.check([
      ['DBSIZE', 'x'],
      ['SWAPDB'],
      ['SWAPDB', '0', '1', '2'],
      ['MONITOR', 'x'],
      ['LASTSAVE', 'x'],
      ['OBJECT', 'FREQ'],
      ['OBJECT', 'IDLETIME', 'a', 'b'],
      ['OBJECT', 'REFCOUNT'],
      ['MEMORY', 'STATS', 'x'],
      ['MEMORY', 'DOCTOR', 'x'],
      ['MEMORY', 'PURGE', 'x'],
      ['MEMORY', 'MALLOC-STATS', 'x'],
      ['MEMORY', 'HELP', 'x'],
      ['SLOWLOG'],
      ['SLOWLOG', 'LEN', 'x'],
      ['SLOWLOG', 'RESET', 'x'],
      ['CONFIG', 'GET'],
      ['CONFIG', 'SET', 'a'],
      ['CONFIG', 'REWRITE', 'x'],
      ['CONFIG', 'HELP', 'x'],
      ['CLIENT', 'ID', 'x'],
      ['CLIENT', 'GETNAME', 'x'],
      ['CLIENT', 'INFO', 'x'],
      ['CLIENT', 'UNPAUSE', 'x'],
      ['CLIENT', 'REPLY'],
      ['CLIENT', 'NO-EVICT'],
      ['CLIENT', 'KILL'],
      ['CLIENT', 'UNBLOCK'],
      ['CLIENT', 'TRACKINGINFO', 'x'],
      ['CLIENT', 'GETREDIR', 'x'],
      ['CLIENT', 'CACHING'],
      ['CLIENT', 'HELP', 'x'],
      ['COMMAND', 'COUNT', 'x'],
      ['COMMAND', 'HELP', 'x'],
      ['COMMAND', 'GETKEYS'],
    ]);
  });

  test('TIME and LASTSAVE', async () => {
    await pair.check([{ cmd: ['TIME'], normalize: byShape }, ['TIME', 'x'], { cmd: ['LASTSAVE'], normalize: byShape }, ['LASTSAVE', 'x']]);
    const { ours: o } = await pair.run(['TIME']);
    assert.ok(o.t === 'array' && o.v);
    const secs = Number(text(o.v[0]!));
    const us = Number(text(o.v[1]!));
    assert.ok(Math.abs(secs - Date.now() / 1000) < 5, 'TIME seconds near now');
    assert.ok(us >= 0 && us < 1e6, 'TIME microseconds in range');
  });

  test('SHUTDOWN argument errors (the server stays up)', async () => {
    await pair.check([['SHUTDOWN', 'foo'], ['SHUTDOWN', 'SAVE', 'NOSAVE'], ['SHUTDOWN', 'ABORT', 'NOW'], ['SHUTDOWN', 'ABORT'], ['MULTI'], ['SHUTDOWN'], ['EXEC'], ['PING']]);
  });

  // ---- OBJECT / MEMORY / DEBUG ----------------------------------------------------------

  test('OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ, HELP', async () => {
    const big = 'x'.repeat(45);
    await pair.check(
      [
        ['SET', 'int', '12345'],
        ['SET', 'neg', '-5'],
        ['SET', 'big', '99999999999999999999'],
        ['SET', 'emb', 'hello'],
        ['SET', 'raw', big],
        ['SET', 'float', '1.5'],
        ['SET', 'lead0', '007'],
        ['OBJECT', 'ENCODING', 'int'],
        ['OBJECT', 'ENCODING', 'neg'],
        ['OBJECT', 'ENCODING', 'big'],
        ['OBJECT', 'ENCODING', 'emb'],
        ['OBJECT', 'ENCODING', 'raw'],
        ['OBJECT', 'ENCODING', 'float'],
        ['OBJECT', 'ENCODING', 'lead0'],
        ['APPEND', 'emb', 'x'],
        ['OBJECT', 'ENCODING', 'emb'],
        ['OBJECT', 'ENCODING', 'nokey'],
        ['OBJECT', 'ENCODING'],
        ['OBJECT', 'ENCODING', 'a', 'b'],
        ['OBJECT', 'REFCOUNT', 'int'],
        ['OBJECT', 'REFCOUNT', 'emb'],
        ['OBJECT', 'REFCOUNT', 'big'],
        ['OBJECT', 'REFCOUNT', 'nokey'],
        ['OBJECT', 'FREQ', 'int'],
        ['OBJECT', 'FREQ', 'nokey'],
        // Idle seconds may tick between the two servers on a loaded machine: compared by shape.
        { cmd: ['OBJECT', 'IDLETIME', 'int'], normalize: byShape },
        ['OBJECT', 'IDLETIME', 'nokey'],
        ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
        ['OBJECT', 'IDLETIME', 'int'],
        { cmd: ['OBJECT', 'FREQ', 'int'], normalize: byShape },
        ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
        ['OBJECT', 'HELP'],
        ['OBJECT', 'HELP', 'x'],
        ['OBJECT', 'FOO', 'x'],
        ['OBJECT'],
      ],
      { knownDifferences: KD },
    );
  });

  test('OBJECT ENCODING of aggregates follows the size limits', async () => {
    const has = async (name: string): Promise<boolean> => {
      const { ours: o } = await pair.run(['COMMAND', 'INFO', name]);
      return o.t === 'array' && o.v !== null && o.v[0]!.t !== 'null' && !(o.v[0]!.t === 'bulk' && o.v[0]!.v === null);
    };
    const cmds: string[][] = [];
    if (await has('rpush')) {
      cmds.push(['RPUSH', 'l', 'a', 'b'], ['OBJECT', 'ENCODING', 'l']);
    }
    if (await has('hset')) {
      cmds.push(['HSET', 'h', 'f', 'v'], ['OBJECT', 'ENCODING', 'h'], ['HSET', 'h', 'long', 'y'.repeat(65)], ['OBJECT', 'ENCODING', 'h'], ['HDEL', 'h', 'long'], ['OBJECT', 'ENCODING', 'h']);
      const args = ['HSET', 'h2'];
      for (let i = 0; i < 129; i++) args.push(`f${i}`, 'v');
      cmds.push(args, ['OBJECT', 'ENCODING', 'h2']);
    }
    if (await has('sadd')) {
      cmds.push(['SADD', 's', '1', '2', '3'], ['OBJECT', 'ENCODING', 's'], ['SADD', 's', 'x'], ['OBJECT', 'ENCODING', 's']);
      const args = ['SADD', 's2'];
      for (let i = 0; i < 513; i++) args.push(String(i));
      cmds.push(args, ['OBJECT', 'ENCODING', 's2']);
    }
    if (await has('zadd')) {
      cmds.push(['ZADD', 'z', '1', 'a'], ['OBJECT', 'ENCODING', 'z'], ['ZADD', 'z', '2', 'b'.repeat(65)], ['OBJECT', 'ENCODING', 'z']);
      const args = ['ZADD', 'z2'];
      for (let i = 0; i < 129; i++) args.push(String(i), `m${i}`);
      cmds.push(args, ['OBJECT', 'ENCODING', 'z2']);
    }
    if (cmds.length === 0) console.log('# no aggregate type commands yet: skipped');
    await pair.check(cmds, { knownDifferences: KD });
  });

  test('MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP', async () => {
    await pair.check([
      ['SET', 'k', 'hello'],
      { cmd: ['MEMORY', 'USAGE', 'k'], normalize: byShape },
      { cmd: ['MEMORY', 'USAGE', 'k', 'SAMPLES', '0'], normalize: byShape },
      { cmd: ['MEMORY', 'USAGE', 'k', 'samples', '10'], normalize: byShape },
      ['MEMORY', 'USAGE', 'nokey'],
      ['MEMORY', 'USAGE', 'k', 'SAMPLES'],
      ['MEMORY', 'USAGE', 'k', 'SAMPLES', 'x'],
      ['MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'],
      ['MEMORY', 'USAGE', 'k', 'FOO', '1'],
      ['MEMORY', 'USAGE'],
      ['MEMORY', 'PURGE'],
      ['MEMORY', 'HELP'],
      ['MEMORY', 'FOO'],
      ['MEMORY'],
      { cmd: ['MEMORY', 'DOCTOR'], normalize: byShape },
    ]);
    const { ours: o, theirs: t } = await pair.run(['MEMORY', 'STATS']);
    const keys = (r: Reply): string[] => {
      assert.ok(r.t === 'array' && r.v);
      const out: string[] = [];
      for (let i = 0; i < r.v.length; i += 2) out.push(text(r.v[i]!));
      return out;
    };
    const ko = keys(o);
    for (const k of keys(t)) assert.ok(ko.includes(k), `MEMORY STATS lacks ${k}`);
    // MEMORY USAGE grows with the value.
    await pair.run(['SET', 'small', 'x']);
    await pair.run(['SET', 'large', 'x'.repeat(10000)]);
    const { ours: s1 } = await pair.run(['MEMORY', 'USAGE', 'small']);
    const { ours: s2 } = await pair.run(['MEMORY', 'USAGE', 'large']);
    assert.ok(s1.t === 'int' && s2.t === 'int' && s2.v - s1.v >= 9900n, 'MEMORY USAGE reflects the value size');
  });

  test('DEBUG subcommands', async () => {
    await pair.check([
      ['DEBUG', 'SLEEP', '0'],
      ['DEBUG', 'SLEEP', 'x'],
      ['DEBUG', 'SLEEP', '0.01'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
      ['DEBUG', 'FOO'],
      ['DEBUG', 'OBJECT', 'nokey'],
      ['DEBUG', 'OBJECT'],
      ['DEBUG', 'ERROR', 'some message'],
      ['DEBUG', 'ERROR', '-MYERR custom'],
      ['DEBUG', 'DIGEST'],
      ['DEBUG', 'DIGEST-VALUE', 'nokey'],
      ['DEBUG', 'CHANGE-REPL-ID'],
      ['DEBUG', 'LOG', 'hello from the test'],
      ['DEBUG', 'POPULATE', '5'],
      ['DBSIZE'],
      ['GET', 'key:0'],
      ['GET', 'key:4'],
      ['DEBUG', 'POPULATE', '3', 'pre', '12'],
      ['GET', 'pre:1'],
      ['DEBUG', 'POPULATE', '2', 'pre', '3'],
      ['GET', 'pre:0'],
      ['DEBUG', 'POPULATE', '7'],
      ['DBSIZE'],
      ['DEBUG', 'PROTOCOL', 'string'],
      ['DEBUG', 'PROTOCOL', 'integer'],
      ['DEBUG', 'PROTOCOL', 'null'],
      ['DEBUG', 'PROTOCOL', 'array'],
      ['DEBUG', 'PROTOCOL', 'map'],
      ['DEBUG', 'PROTOCOL', 'true'],
      ['DEBUG', 'PROTOCOL', 'bignum'],
      ['DEBUG', 'PROTOCOL', 'verbatim'],
      ['DEBUG'],
    ]);
    const { ours: o } = await pair.run(['DEBUG', 'OBJECT', 'key:1']);
    assert.match(text(o), /^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+$/);
    const { ours: d1 } = await pair.run(['DEBUG', 'DIGEST']);
    await pair.run(['SET', 'digest-probe', '1']);
    const { ours: d2 } = await pair.run(['DEBUG', 'DIGEST']);
    await pair.run(['DEL', 'digest-probe']);
    const { ours: d3 } = await pair.run(['DEBUG', 'DIGEST']);
    assert.notEqual(text(d1), text(d2));
    assert.equal(text(d1), text(d3));
  });

  // ---- SLOWLOG / MONITOR ----------------------------------------------------------------

  test('SLOWLOG GET LEN RESET HELP and argument truncation', async () => {
    const slowNorm = (r: Reply): Reply => {
      if (r.t !== 'array' || r.v === null) return r;
      // Keep only the argument arrays and client names of each entry.
      return { t: 'array', v: r.v.map((e) => (e.t === 'array' && e.v ? { t: 'array', v: [e.v[3]!, e.v[5]!] } : e)) };
    };
    await pair.check([
      ['SLOWLOG', 'RESET'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
      ['CLIENT', 'SETNAME', 'slowpoke'],
      ['SET', 'a', 'x'.repeat(200)],
      ['ECHO', 'hello'],
      ['MSET', ...Array.from({ length: 40 }, (_v, i) => `k${i}`)],
      { cmd: ['SLOWLOG', 'GET', '3'], normalize: slowNorm },
      { cmd: ['SLOWLOG', 'GET'], normalize: slowNorm },
      { cmd: ['SLOWLOG', 'GET', '-1'], normalize: slowNorm },
      ['SLOWLOG', 'GET', '-2'],
      ['SLOWLOG', 'GET', 'x'],
      ['SLOWLOG', 'GET', '1', '2'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '10000'],
      { cmd: ['SLOWLOG', 'LEN'], normalize: byShape },
      ['SLOWLOG', 'RESET'],
      ['SLOWLOG', 'LEN'],
      ['SLOWLOG', 'GET'],
      ['SLOWLOG', 'HELP'],
      ['SLOWLOG', 'FOO'],
      ['CLIENT', 'SETNAME', ''],
    ]);
  });

  test('MONITOR streams the commands of other clients', async () => {
    const [mo, mt] = await clients();
    await pair.check([['SET', 'before', '1']]);
    const [ro, rt] = await Promise.all([mo.call('MONITOR'), mt.call('MONITOR')]);
    assert.deepEqual(ro, rt);
    await pair.run(['SET', 'mon', 'a b"c']);
    await pair.run(['CONFIG', 'GET', 'maxmemory']); // admin commands are not shown
    await pair.run(['GET', 'mon']);
    const lineRe = /^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] (.*)$/;
    const tail = async (c: RespClient): Promise<string[]> => {
      const a = await c.nextPush(3000);
      const b = await c.nextPush(3000);
      return [a, b].map((r) => {
        const m = lineRe.exec(text(r));
        assert.ok(m, `MONITOR line ${text(r)}`);
        return m[1]!;
      });
    };
    const [lo, lt] = await Promise.all([tail(mo), tail(mt)]);
    assert.deepEqual(lo, lt);
    assert.deepEqual(lo, ['"SET" "mon" "a b\\"c"', '"GET" "mon"']);
  });

  // ---- COMMAND --------------------------------------------------------------------------

  test('COMMAND INFO of the server and client commands', async () => {
    const names = ['info', 'config', 'dbsize', 'flushdb', 'flushall', 'swapdb', 'time', 'lastsave', 'shutdown', 'debug', 'object', 'memory', 'slowlog', 'monitor', 'command', 'client'];
    // Every command's COMMAND INFO is compared in command-info.test.ts (key specs
    // included); here the family's own, with the 7.2 subcommands left out.
    const without72Subcommands = (r: Reply): Reply => {
      const strip = (e: Reply): Reply => {
        if (e.t !== 'array' || e.v === null || e.v.length !== 10) return e;
        const v = e.v.slice();
        const subs = v[9]!;
        // Subcommands new in 7.2 are unknown to 7.0; getkeys arity changed in 7.2.
        if (subs.t === 'array' && subs.v) {
          v[9] = {
            t: 'array',
            v: subs.v
              .map(strip)
              .filter((x) => !(x.t === 'array' && x.v && x.v[0]!.t === 'bulk' && /^client\|(setinfo|no-touch)$/.test(x.v[0]!.v ?? '')))
              .map((x) => {
                if (x.t === 'array' && x.v && x.v[0]!.t === 'bulk' && /^command\|getkeys/.test(x.v[0]!.v ?? '')) {
                  const y = x.v.slice();
                  y[1] = { t: 'int', v: 0n };
                  return { t: 'array', v: y } as Reply;
                }
                return x;
              }),
          };
        }
        return { t: 'array', v };
      };
      return sortSubcommands(r.t === 'array' && r.v ? { t: 'array', v: r.v.map(strip) } : r);
    };
    for (const n of names) await pair.check([{ cmd: ['COMMAND', 'INFO', n], normalize: without72Subcommands }], { unordered: false });
    await pair.check([
      ['COMMAND', 'INFO', 'nosuchcommand'],
      { cmd: ['COMMAND', 'INFO', 'config|get', 'nosuch', 'client|id'], normalize: without72Subcommands },
      { cmd: ['COMMAND', 'COUNT'], normalize: byShape },
      ['COMMAND', 'COUNT', 'x'],
      ['COMMAND', 'HELP'],
      ['COMMAND', 'FOO'],
      ['COMMAND', 'DOCS', 'nosuch'],
      ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'foo'],
      ['COMMAND', 'LIST', 'FILTERBY', 'FOO', 'x'],
      ['COMMAND', 'LIST', 'FILTERBY'],
      ['COMMAND', 'LIST', 'x'],
      ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuchcat'],
      { cmd: ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'conf*'], unordered: true },
      { cmd: ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'SLOWLOG*'], unordered: true },
      { cmd: ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'object|*'], unordered: true },
    ]);
    // DOCS: summary/since/group of our own commands match where the texts are Redis's.
    const { ours: o } = await pair.run(['COMMAND', 'DOCS', 'config']);
    assert.ok(o.t === 'array' && o.v && o.v.length === 2);
  });

  test('COMMAND GETKEYS and GETKEYSANDFLAGS', async () => {
    await pair.check(
      [
        ['COMMAND', 'GETKEYS', 'GET', 'a'],
        ['COMMAND', 'GETKEYS', 'SET', 'a', 'b', 'EX', '10'],
        ['COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'],
        ['COMMAND', 'GETKEYS', 'DEL', 'a', 'b', 'c'],
        ['COMMAND', 'GETKEYS', 'OBJECT', 'ENCODING', 'k'],
        ['COMMAND', 'GETKEYS', 'MEMORY', 'USAGE', 'k'],
        ['COMMAND', 'GETKEYS', 'nosuch', 'a'],
        ['COMMAND', 'GETKEYS', 'GET', 'a', 'b'],
        ['COMMAND', 'GETKEYS', 'PING', 'x'],
        ['COMMAND', 'GETKEYS', 'CONFIG', 'GET', 'x'],
        ['COMMAND', 'GETKEYS', 'PING'],
        ['COMMAND', 'GETKEYS'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'GET', 'a'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'nosuch', 'a'],
      ],
      { knownDifferences: KD },
    );
  });

  // ---- CLIENT ---------------------------------------------------------------------------

  test('CLIENT ID SETNAME GETNAME INFO LIST', async () => {
    await pair.check([
      { cmd: ['CLIENT', 'ID'], normalize: byShape },
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'myname'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'bad name'],
      ['CLIENT', 'SETNAME', 'bad\nname'],
      ['CLIENT', 'SETNAME'],
      ['CLIENT', 'SETNAME', 'a', 'b'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', ''],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'myname'],
      { cmd: ['CLIENT', 'INFO'], normalize: normalizeClientLines },
      { cmd: ['CLIENT', 'LIST'], normalize: normalizeClientLines },
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'normal'], normalize: normalizeClientLines },
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'pubsub'], normalize: normalizeClientLines },
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'replica'], normalize: normalizeClientLines },
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'master'], normalize: normalizeClientLines },
      ['CLIENT', 'LIST', 'TYPE', 'foo'],
      ['CLIENT', 'LIST', 'TYPE', 'normal', 'x'],
      ['CLIENT', 'LIST', 'ID', 'abc'],
      ['CLIENT', 'LIST', 'ID', '0'],
      ['CLIENT', 'LIST', 'ID', '999999'],
      ['CLIENT', 'LIST', 'foo'],
      ['SELECT', '3'],
      { cmd: ['CLIENT', 'INFO'], normalize: normalizeClientLines },
      ['SELECT', '0'],
      ['CLIENT', 'SETNAME', ''],
    ]);
    // The line's field order is Redis 7.2's.
    const { ours: o } = await pair.run(['CLIENT', 'INFO']);
    const keys = text(o)
      .trim()
      .split(' ')
      .map((f) => f.slice(0, f.indexOf('=')));
    assert.deepEqual(keys, [
      'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'qbuf', 'qbuf-free',
      'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user', 'redir', 'resp', 'lib-name', 'lib-ver',
    ]);
  });

  test('CLIENT LIST of several clients: names, flags, subscriptions', async () => {
    const [ao, at] = await clients();
    await Promise.all([ao.call('CLIENT', 'SETNAME', 'other'), at.call('CLIENT', 'SETNAME', 'other')]);
    await Promise.all([ao.callN(2, 'SUBSCRIBE', 'ch1', 'ch2'), at.callN(2, 'SUBSCRIBE', 'ch1', 'ch2')]);
    const onlyNamed = (r: Reply): Reply => {
      const n = normalizeClientLines(r);
      if (n.t !== 'bulk' || n.v === null) return n;
      return { t: 'bulk', v: n.v.split('\n').filter((l) => l.includes('name=other')).join('\n') };
    };
    await pair.check([
      { cmd: ['CLIENT', 'LIST'], normalize: onlyNamed },
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'pubsub'], normalize: onlyNamed },
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'normal'], normalize: onlyNamed },
      ['INFO', 'foo'],
    ]);
    await Promise.all([ao.close(), at.close()]);
  });

  test('CLIENT KILL: old and new forms, errors', async () => {
    await pair.check([
      ['CLIENT', 'KILL'],
      ['CLIENT', 'KILL', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'addr'],
      ['CLIENT', 'KILL', 'ID', '999999'],
      ['CLIENT', 'KILL', 'ID', 'x'],
      ['CLIENT', 'KILL', 'ID', '0'],
      ['CLIENT', 'KILL', 'TYPE', 'foo'],
      ['CLIENT', 'KILL', 'TYPE', 'master'],
      ['CLIENT', 'KILL', 'USER', 'nouser'],
      ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
      ['CLIENT', 'KILL', 'FOO', 'bar'],
      ['CLIENT', 'KILL', 'ID', '999999', 'TYPE'],
      ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5', 'SKIPME', 'no'],
      ['CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'],
    ]);
    // Kill another connection by id, by address, and by type.
    for (const how of ['id', 'addr', 'user']) {
      const [vo, vt] = await clients();
      const info = async (c: RespClient): Promise<Map<string, string>> =>
        new Map(
          text(await c.call('CLIENT', 'INFO'))
            .trim()
            .split(' ')
            .map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)] as [string, string]),
        );
      const [io, it] = await Promise.all([info(vo), info(vt)]);
      const args = (m: Map<string, string>): string[] =>
        how === 'id' ? ['CLIENT', 'KILL', 'ID', m.get('id')!] : how === 'addr' ? ['CLIENT', 'KILL', m.get('addr')!] : ['CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'yes'];
      const [ko, kt] = await Promise.all([pair.ours.call(...args(io)), pair.theirs.call(...args(it))]);
      if (how === 'user') {
        // Every other default-user connection is killed (MONITOR/extra clients included): compare types only.
        assert.equal(ko.t, kt.t);
      } else {
        assert.deepEqual(ko, kt, `CLIENT KILL by ${how}`);
      }
      await Promise.all([vo.waitClosed(), vt.waitClosed()]);
    }
    // Killing itself: the reply arrives, then the connection closes.
    const [so, st] = await clients();
    const selfKill = async (c: RespClient): Promise<Reply> => {
      const id = await c.call('CLIENT', 'ID');
      assert.ok(id.t === 'int');
      const r = await c.call('CLIENT', 'KILL', 'ID', String(id.v), 'SKIPME', 'no');
      await c.waitClosed();
      return r;
    };
    const [r1, r2] = await Promise.all([selfKill(so), selfKill(st)]);
    assert.deepEqual(r1, r2);
  });

  test('CLIENT PAUSE UNPAUSE REPLY NO-EVICT NO-TOUCH SETINFO TRACKING', async () => {
    await pair.check(
      [
        ['CLIENT', 'PAUSE'],
        ['CLIENT', 'PAUSE', 'abc'],
        ['CLIENT', 'PAUSE', '-1'],
        ['CLIENT', 'PAUSE', '10', 'foo'],
        ['CLIENT', 'PAUSE', '10', 'write', 'x'],
        ['CLIENT', 'PAUSE', '10', 'WRITE'],
        ['CLIENT', 'UNPAUSE'],
        ['CLIENT', 'UNPAUSE', 'x'],
        ['CLIENT', 'REPLY', 'foo'],
        ['CLIENT', 'REPLY', 'ON'],
        ['CLIENT', 'NO-EVICT', 'foo'],
        ['CLIENT', 'NO-EVICT', 'on'],
        ['CLIENT', 'NO-EVICT', 'OFF'],
        ['CLIENT', 'NO-TOUCH', 'on'],
        ['CLIENT', 'NO-TOUCH', 'off'],
        ['CLIENT', 'SETINFO', 'lib-name', 'mylib'],
        ['CLIENT', 'SETINFO', 'LIB-VER', '1.0'],
        ['CLIENT', 'GETREDIR'],
        ['CLIENT', 'TRACKINGINFO'],
        ['CLIENT', 'TRACKING', 'off'],
        ['CLIENT', 'CACHING', 'yes'],
        ['CLIENT', 'UNBLOCK', 'x'],
        ['CLIENT', 'UNBLOCK', '999999'],
        ['CLIENT', 'UNBLOCK', '999999', 'foo'],
        ['CLIENT', 'UNBLOCK', '999999', 'error'],
        ['CLIENT', 'HELP'],
        ['CLIENT', 'FOO'],
        ['CLIENT'],
      ],
      { knownDifferences: KD },
    );
    // CLIENT REPLY OFF / SKIP / ON: replies are dropped, then resume.
    const raw = '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\na\r\n*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*2\r\n$4\r\nECHO\r\n$1\r\nb\r\n*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n*2\r\n$4\r\nECHO\r\n$1\r\nc\r\n';
    const [ro, rt] = await Promise.all([pair.ours.sendRaw(raw, 3), pair.theirs.sendRaw(raw, 3)]);
    assert.deepEqual(ro, rt);
    assert.deepEqual(ro, [{ t: 'bulk', v: 'a' }, { t: 'simple', v: 'OK' }, { t: 'bulk', v: 'c' }]);
  });

  test('CLIENT PAUSE WRITE holds writes, not reads, until UNPAUSE', async () => {
    const [wo, wt] = await clients();
    await pair.check([['SET', 'p', '1'], ['CLIENT', 'PAUSE', '5000', 'WRITE']]);
    const writes = [wo.call('SET', 'p', '2'), wt.call('SET', 'p', '2')];
    await pair.check([['GET', 'p']]);
    await new Promise((r) => setTimeout(r, 100));
    await pair.check([['GET', 'p'], ['CLIENT', 'UNPAUSE']]);
    const [a, b] = await Promise.all(writes);
    assert.deepEqual(a, b);
    await pair.check([['GET', 'p']]);
  });

  test('CLIENT UNBLOCK a blocked client', async (t) => {
    const { ours: o } = await pair.run(['COMMAND', 'INFO', 'blpop']);
    if (!(o.t === 'array' && o.v && o.v[0]!.t === 'array')) {
      t.skip('BLPOP not implemented yet');
      return;
    }
    for (const mode of ['TIMEOUT', 'ERROR']) {
      const [bo, bt] = await clients();
      const ids = await Promise.all([bo.call('CLIENT', 'ID'), bt.call('CLIENT', 'ID')]);
      const blocked = [bo.call('BLPOP', 'nolist', '0'), bt.call('BLPOP', 'nolist', '0')];
      await new Promise((r) => setTimeout(r, 100));
      const [uo, ut] = await Promise.all([pair.ours.call('CLIENT', 'UNBLOCK', String((ids[0] as { v: bigint }).v), mode), pair.theirs.call('CLIENT', 'UNBLOCK', String((ids[1] as { v: bigint }).v), mode)]);
      assert.deepEqual(uo, ut);
      const [x, y] = await Promise.all(blocked);
      assert.deepEqual(x, y);
    }
  });

  // ---- random sequences -----------------------------------------------------------------

  test('random sequence of server commands', async () => {
    const seed = Number(process.env['CINNABAR_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`# random server sequence seed=${seed} (CINNABAR_SEED=${seed} to replay)`);
    const rng = new Rng(seed);
    const keys = ['a', 'b', 'c', 'n1', 'n2'];
    const values = ['1', '42', '-7', 'hello', 'x'.repeat(50), '3.14', '10000', '9999'];
    const params: Array<[string, string[]]> = [
      ['timeout', ['0', '10', '-1', 'x']],
      ['maxmemory-samples', ['5', '3', '0', '10']],
      ['hz', ['10', '0', '20', '600']],
      ['notify-keyspace-events', ['', 'KEA', 'Kx', 'q']],
      ['slowlog-max-len', ['128', '10', '-5']],
      ['lfu-log-factor', ['10', '5', 'abc']],
    ];
    const cmds: string[][] = [];
    for (let i = 0; i < 400; i++) {
      const k = rng.pick(keys);
      switch (rng.int(14)) {
        case 0:
          cmds.push(['SET', k, rng.pick(values)]);
          break;
        case 1:
          cmds.push(['SELECT', String(rng.int(4))]);
          break;
        case 2:
          cmds.push(['DBSIZE']);
          break;
        case 3:
          cmds.push(['SWAPDB', String(rng.int(4)), String(rng.int(5) === 0 ? 99 : rng.int(4))]);
          break;
        case 4:
          cmds.push(rng.int(6) === 0 ? ['FLUSHDB', rng.pick(['SYNC', 'ASYNC', 'bad'])] : ['GET', k]);
          break;
        case 5:
          cmds.push(['OBJECT', rng.pick(['ENCODING', 'REFCOUNT', 'FREQ', 'ENCODING']), k]);
          break;
        case 6: {
          const [p, vs] = rng.pick(params);
          cmds.push(['CONFIG', 'SET', p, rng.pick(vs)]);
          break;
        }
        case 7: {
          const [p] = rng.pick(params);
          cmds.push(['CONFIG', 'GET', p]);
          break;
        }
        case 8:
          cmds.push(['INFO', 'keyspace']);
          break;
        case 9:
          cmds.push(['APPEND', k, rng.pick(values)]);
          break;
        case 10:
          cmds.push(['CLIENT', 'SETNAME', rng.pick(['n1', 'n2', '', 'bad name'])]);
          break;
        case 11:
          cmds.push(['CLIENT', 'GETNAME']);
          break;
        case 12:
          cmds.push(['MEMORY', 'USAGE', k]);
          break;
        default:
          cmds.push(['INCR', k]);
      }
    }
    const items = cmds.map((c) =>
      c[0] === 'MEMORY' ? { cmd: c, normalize: byShape } : c[0] === 'CONFIG' && c[1] === 'GET' ? { cmd: c, unordered: 'pairs' as const } : c,
    );
    await pair.check(items, { knownDifferences: KD });
    await pair.check([['CONFIG', 'SET', 'timeout', '0', 'hz', '10', 'notify-keyspace-events', '', 'maxmemory-samples', '5', 'slowlog-max-len', '128', 'lfu-log-factor', '10'], ['CLIENT', 'SETNAME', '']]);
  });
});
