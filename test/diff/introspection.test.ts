// Differential tests of introspection (issue 13 item 7): INFO errorstats and the
// commandstats error counters after MULTI/EXEC, blocking commands and rejected
// authentication; MONITOR's lines (redaction, MULTI/EXEC); the slow log's
// entries (redaction, skipped commands, commands as the client sent them);
// CLIENT LIST / CLIENT INFO fields; COMMAND GETKEYS. Each step runs the same
// commands on Cinnabar and on a real redis-server and compares what they report.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import type { Reply, RespClient } from '../../src/protocol/resp-client.js';
import { KNOWN_DIFFERENCES } from '../helpers/known-differences.js';
import { waitBlocked, waitFor } from '../helpers/wait.js';

/** Text of a bulk/verbatim/simple reply. */
function text(r: Reply): string {
  if (r.t === 'bulk' && r.v !== null) return r.v;
  if (r.t === 'verbatim' || r.t === 'simple') return r.v;
  throw new Error(`expected a string reply, got ${r.t}`);
}

/** The integer of a CLIENT ID reply, as text. */
function clientId(r: Reply): string {
  if (r.t !== 'int') throw new Error(`expected an integer, got ${r.t}`);
  return String(r.v);
}


/**
 * MIGRATE with AUTH / AUTH2 passwords (Redis 7.0 and 7.2 redact them the same
 * way, in MONITOR and the slow log): to port 1, where nobody listens (IOERR), for
 * a missing key (NOKEY), and with the errors found after or before the password.
 */
const MIGRATE_AUTH: string[][] = [
  ['SET', 'mk', 'v'],
  ['MIGRATE', '127.0.0.1', '1', 'mk', '0', '100', 'AUTH', 'secret'],
  ['MIGRATE', '127.0.0.1', '1', 'mk', '0', '100', 'AUTH2', 'user', 'secret'],
  ['MIGRATE', '127.0.0.1', '1', 'mk', '0', '100', 'COPY', 'AUTH', 'pw', 'REPLACE'],
  ['MIGRATE', '127.0.0.1', '1', 'nokey', '0', '100', 'AUTH', 'pw', 'AUTH2', 'u', 'p2'],
  ['MIGRATE', '127.0.0.1', '1', 'mk', '0', '100', 'AUTH', 'pw', 'KEYS', 'a'],
  ['MIGRATE', '127.0.0.1', '1', '', '0', '100', 'AUTH2', 'u', 'pw', 'KEYS', 'nokey', 'mk2'],
  ['MIGRATE', '127.0.0.1', '1', 'mk', '0', '100', 'AUTH2', 'u'],
  ['MIGRATE', '127.0.0.1', '1', 'mk', '0', '100', 'AUTH', 'pw', 'BAD'],
];

/** A thing to do on one server with its clients; run on both, results compared. */
type Step = (s: ServerHandle, main: RespClient) => Promise<string[]>;

/** The errorstat_* lines, and the commandstats lines without their times, of a server. */
async function errorCounters(c: RespClient): Promise<string[]> {
  const errs = text(await c.call('INFO', 'errorstats'))
    .split('\r\n')
    .filter((l) => l.startsWith('errorstat_'));
  const cmds = text(await c.call('INFO', 'commandstats'))
    .split('\r\n')
    .filter((l) => l.startsWith('cmdstat_') && !l.startsWith('cmdstat_info:') && !l.startsWith('cmdstat_config|resetstat:'))
    .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
    .sort();
  const total = text(await c.call('INFO', 'stats'))
    .split('\r\n')
    .filter((l) => l.startsWith('total_error_replies:'));
  return [...errs, ...cmds, ...total];
}

/** Replies of `cmds` on client `c`, one formatted line each. */
async function replies(c: RespClient, cmds: string[][]): Promise<string[]> {
  const out: string[] = [];
  for (const cmd of cmds) out.push(JSON.stringify(await c.call(...cmd), (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  return out;
}

describe('introspection', { skip: skipIfNoRedis() }, () => {
  let ours: ServerHandle;
  let theirs: ServerHandle;
  let mo: RespClient;
  let mt: RespClient;
  const opened: RespClient[] = [];

  before(async () => {
    [ours, theirs] = await Promise.all([startCinnabar(), startRedis()]);
    [mo, mt] = await Promise.all([ours.client(), theirs.client()]);
  });
  after(async () => {
    for (const c of opened) c.destroy();
    await Promise.all([ours?.stop(), theirs?.stop()]);
  });
  beforeEach(async () => {
    for (const c of [mo, mt]) {
      await c.call('FLUSHALL');
      await c.call('CONFIG', 'SET', 'requirepass', '');
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
      await c.call('SLOWLOG', 'RESET');
      await c.call('CONFIG', 'RESETSTAT');
    }
  });

  async function client(s: ServerHandle): Promise<RespClient> {
    const c = await s.client();
    opened.push(c);
    return c;
  }

  /** Runs `step` on both servers (one after the other) and returns [ours, theirs]. */
  async function both(step: Step): Promise<[string[], string[]]> {
    const o = await step(ours, mo);
    const t = await step(theirs, mt);
    return [o, t];
  }

  // ---- 1. errorstats and the commandstats error counters --------------------------------

  test('errorstats after MULTI/EXEC: queued-command errors, EXECABORT, errors inside EXEC', async () => {
    const [o, t] = await both(async (_s, c) => {
      const out = await replies(c, [
        ['MULTI'], ['NOSUCH'], ['SET', 'a'], ['GET', 'a'], ['EXEC'],
        ['MULTI'], ['SET', 'k', 'v'], ['LPUSH', 'k', 'x'], ['INCR', 'k'], ['SELECT', '99'], ['EXEC'],
        ['MULTI'], ['BLPOP', 'k', '0.1'], ['PING'], ['EXEC'],
        ['MULTI'], ['MULTI'], ['WATCH', 'x'], ['EXEC'],
        ['EXEC'], ['DISCARD'],
        ['MULTI'], ['PING'], ['DISCARD'],
      ]);
      return [...out, ...(await errorCounters(c))];
    });
    assert.deepEqual(o, t);
  });

  test('errorstats of blocking commands: a timeout is no error, WRONGTYPE and UNBLOCKED are', async () => {
    const [o, t] = await both(async (s, c) => {
      const b = await client(s);
      const id = clientId(await b.call('CLIENT', 'ID'));
      await c.call('SET', 'str', 'v');
      const out = await replies(b, [['BLPOP', 'empty', '0.05'], ['BLPOP', 'str', '0.05'], ['BZPOPMIN', 'str', '0'], ['BLMOVE', 'str', 'x', 'LEFT', 'LEFT', '0']]);
      // Served after blocking; the push to the destination fails.
      let p = b.call('BLMOVE', 'q', 'str', 'LEFT', 'LEFT', '0');
      await waitBlocked(c, 1);
      await c.call('LPUSH', 'q', 'x');
      out.push(JSON.stringify(await p));
      // The element the failed move popped went back to q: empty it, so the next ones block.
      out.push(JSON.stringify(await c.call('LRANGE', 'q', '0', '-1')));
      await c.call('DEL', 'q');
      // Served after blocking.
      p = b.call('BLPOP', 'q', '0');
      await waitBlocked(c, 1);
      await c.call('LPUSH', 'q', 'y');
      out.push(JSON.stringify(await p));
      // Unblocked with an error.
      p = b.call('BRPOP', 'q', '0');
      await waitBlocked(c, 1);
      await c.call('CLIENT', 'UNBLOCK', id, 'ERROR');
      out.push(JSON.stringify(await p));
      return [...out, ...(await errorCounters(c))];
    });
    assert.deepEqual(o, t);
  });

  test('CLIENT UNBLOCK TIMEOUT ends a blocking command without an error', async () => {
    const [o, t] = await both(async (s, c) => {
      const b = await client(s);
      const id = clientId(await b.call('CLIENT', 'ID'));
      const p = b.call('BLPOP', 'q', '0');
      await waitBlocked(c, 1);
      await c.call('CLIENT', 'UNBLOCK', id, 'TIMEOUT');
      return [JSON.stringify(await p), ...(await errorCounters(c))];
    });
    // Redis 7.0 counts the unblocked BLPOP in failed_calls although it replied no
    // error; 7.2 (unblockClientOnTimeout -> updateStatsOnUnblock(c, 0, 0, 0)) does not.
    assert.deepEqual(
      o,
      t.map((l) => l.replace('cmdstat_blpop:calls=1,rejected_calls=0,failed_calls=1', 'cmdstat_blpop:calls=1,rejected_calls=0,failed_calls=0')),
    );
  });

  test('errorstats of rejected authentication: WRONGPASS, NOAUTH', async () => {
    const [o, t] = await both(async (s, c) => {
      const out = await replies(c, [
        ['AUTH', 'nopassword'],
        ['CONFIG', 'SET', 'requirepass', 'pw'],
        ['AUTH', 'wrong'],
        ['AUTH', 'default', 'wrong'],
        ['AUTH', 'nosuchuser', 'pw'],
        ['AUTH', 'a', 'b', 'c'],
        ['HELLO', '2', 'AUTH', 'default', 'bad'],
        ['MULTI'], ['AUTH', 'bad'], ['EXEC'],
      ]);
      const n = await client(s);
      out.push(...(await replies(n, [['GET', 'x'], ['MULTI'], ['HELLO', '2'], ['AUTH', 'bad'], ['AUTH', 'pw'], ['GET', 'x']])));
      out.push(...(await replies(c, [['CONFIG', 'SET', 'requirepass', '']])));
      return [...out, ...(await errorCounters(c))];
    });
    // Redis 7.2 names the protocol in HELLO's NOAUTH message ("HELLO <proto> AUTH").
    const same = (l: string): string => l.replace('HELLO <proto> AUTH', 'HELLO AUTH');
    assert.deepEqual(o.map(same), t);
  });

  // ---- 2. MONITOR ---------------------------------------------------------------------------

  /**
   * The MONITOR lines another client's `cmds` produce, up to the ECHO that ends
   * them, with the timestamp and address cut ("[db] args"). `BLOCKED` stands for a
   * BLPOP that blocks and is served by an RPUSH from a third client.
   */
  async function monitorLines(s: ServerHandle, cmds: string[][]): Promise<string[]> {
    const m = await client(s);
    const c = await client(s);
    const b = await client(s);
    await m.call('MONITOR');
    for (const cmd of cmds) {
      if (cmd[0] === 'BLOCKED') {
        const p = c.call('BLPOP', 'bq', '0');
        await waitBlocked(b, 1);
        await b.call('RPUSH', 'bq', 'v');
        await p;
        continue;
      }
      await c.call(...cmd);
    }
    await c.call('ECHO', 'monitor-end');
    const lines: string[] = [];
    for (;;) {
      const line = text(await m.nextPush(3000));
      const mm = /^\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)$/.exec(line);
      assert.ok(mm, `MONITOR line ${line}`);
      if (mm[2] === '"ECHO" "monitor-end"') break;
      if (mm[2] === '"INFO" "clients"') continue; // the test's own wait for the BLPOP to block
      lines.push(`[${mm[1]}] ${mm[2]}`);
    }
    m.destroy();
    return lines;
  }

  test('MONITOR redacts AUTH and HELLO AUTH arguments', async () => {
    const cmds = [
      ['AUTH', 'secret'],
      ['AUTH', 'user', 'secret'],
      ['AUTH', 'a', 'b', 'c'],
      ['HELLO', '2', 'AUTH', 'default', 'secret'],
      ['HELLO', '3', 'AUTH', 'u', 'p', 'SETNAME', 'n'],
      ['HELLO', '2', 'SETNAME', 'x', 'AUTH', 'u', 'p'],
      ['HELLO', '2', 'AUTH', 'u', 'p', 'BAD'],
      ['HELLO', '4', 'AUTH', 'u', 'p'],
      ['HELLO', '3', 'AUTH', 'u'],
      ['HELLO', '2'],
      ['CONFIG', 'SET', 'requirepass', 'pw'],
      ['AUTH', 'wrong'],
      ['AUTH', 'pw'],
      ['CONFIG', 'SET', 'requirepass', ''],
      ...MIGRATE_AUTH,
    ];
    const [o, t] = [await monitorLines(ours, cmds), await monitorLines(theirs, cmds)];
    assert.deepEqual(o, t);
    assert.ok(o.includes('[0] "AUTH" "(redacted)" "(redacted)"'));
    assert.ok(o.includes('[0] "MIGRATE" "127.0.0.1" "1" "mk" "0" "100" "AUTH2" "(redacted)" "(redacted)"'));
  });

  test('MONITOR shows EXEC after its commands, the db after SELECT, a blocked command once', async () => {
    const cmds = [
      ['SET', 'a', '1'],
      ['MULTI'], ['SET', 'b', '2'], ['GET', 'a'], ['AUTH', 'inmulti'], ['HELLO', '2', 'AUTH', 'u', 'p'], ['EXEC'],
      ['MULTI'], ['INCR', 'a'], ['DISCARD'],
      ['MULTI'], ['SET', 'c', '1'], ['NOSUCH'], ['EXEC'],
      ['MULTI'], ['SELECT', '2'], ['SET', 'y', '1'], ['EXEC'],
      ['SELECT', '2'], ['SET', 'z', '1'], ['SELECT', '0'],
      ['NOSUCH'], ['SET', 'a'],
      ['BLPOP', 'q', '0.05'],
      ['BLOCKED'],
      ['SET', 'x', '1', 'EX', '100'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['ECHO', 'a\x01b"c'],
    ];
    const [o, t] = [await monitorLines(ours, cmds), await monitorLines(theirs, cmds)];
    assert.deepEqual(o, t);
  });

  // ---- 3. SLOWLOG ---------------------------------------------------------------------------

  /** The argument lists of the slow log after `cmds` on a fresh client, oldest first, one line each. */
  async function slowlogEntries(s: ServerHandle, cmds: string[][]): Promise<string[]> {
    const c = await client(s);
    const b = await client(s);
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    // Room for the test's own INFO polls (waiting for the BLPOP to block), dropped below.
    await c.call('CONFIG', 'SET', 'slowlog-max-len', '4096');
    await c.call('SLOWLOG', 'RESET');
    for (const cmd of cmds) {
      if (cmd[0] === 'BLOCKED') {
        const p = c.call('BLPOP', 'bq', '0');
        await waitBlocked(b, 1);
        await b.call('RPUSH', 'bq', 'v');
        await p;
        continue;
      }
      await c.call(...cmd);
    }
    const r = await c.call('SLOWLOG', 'GET', '-1');
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await c.call('CONFIG', 'SET', 'slowlog-max-len', '128');
    assert.ok(r.t === 'array' && r.v !== null);
    return r.v
      .map((e) => {
        assert.ok(e.t === 'array' && e.v !== null && e.v[3]!.t === 'array' && e.v[3]!.v !== null);
        return e.v[3]!.v.map((a) => text(a)).join(' ');
      })
      .filter((l) => l !== 'INFO clients') // the test's own waits
      .reverse();
  }

  test('SLOWLOG redacts AUTH, HELLO AUTH and CONFIG SET of masterauth, masteruser, requirepass', async () => {
    const cmds = [
      ['AUTH', 'secret'],
      ['AUTH', 'user', 'secret'],
      ['AUTH', 'a', 'b', 'c'],
      ['HELLO', '2', 'AUTH', 'default', 'secret'],
      ['HELLO', '2', 'SETNAME', 'x', 'AUTH', 'u', 'p'],
      ['HELLO', '2'],
      ['CONFIG', 'SET', 'masterauth', 'mpw'],
      ['CONFIG', 'SET', 'masteruser', 'mu', 'maxmemory', '0'],
      ['CONFIG', 'SET', 'nosuch', 'x', 'masterauth', 'y'],
      ['CONFIG', 'SET', 'requirepass', 'rpw'],
      ['AUTH', 'wrong'],
      ['AUTH', 'rpw'],
      ['CONFIG', 'SET', 'requirepass', ''],
      ['CONFIG', 'SET', 'masterauth', ''],
      ['CONFIG', 'SET', 'masteruser', ''],
      ['CONFIG', 'GET', 'masterauth'],
      ...MIGRATE_AUTH,
    ];
    const [o, t] = [await slowlogEntries(ours, cmds), await slowlogEntries(theirs, cmds)];
    assert.deepEqual(o, t);
    assert.ok(o.includes('CONFIG SET masterauth (redacted)'));
    assert.ok(o.includes('MIGRATE 127.0.0.1 1 mk 0 100 COPY AUTH (redacted) REPLACE'));
  });

  test('SLOWLOG skips EXEC, logs its commands, and logs commands as the client sent them', async () => {
    const cmds = [
      ['SET', 'a', '1'],
      ['MULTI'], ['SET', 'b', '2'], ['GET', 'a'], ['EXPIRE', 'b', '100'], ['EXEC'],
      ['MULTI'], ['SET', 'c', '1'], ['NOSUCH'], ['EXEC'],
      ['SET', 'x', '1', 'EX', '100'],
      ['SET', 'y', '1', 'PX', '100000', 'GET'],
      ['SETEX', 'z', '100', 'v'],
      ['GETEX', 'x', 'EX', '50'],
      ['EXPIRE', 'x', '100'],
      ['PEXPIREAT', 'x', '99999999999999'],
      ['SADD', 's', 'm1', 'm2', 'm3'],
      ['SPOP', 's'],
      ['SPOP', 's', '1'],
      ['INCRBYFLOAT', 'a', '1.5'],
      ['HINCRBYFLOAT', 'h', 'f', '1.5'],
      ['LPUSH', 'l', 'a'],
      ['BLMOVE', 'l', 'l2', 'LEFT', 'RIGHT', '0'],
      ['BLOCKED'],
      ['RESTORE', 'r', '0', 'bad'],
      ['CLIENT', 'ID'],
    ];
    const [o, t] = [await slowlogEntries(ours, cmds), await slowlogEntries(theirs, cmds)];
    assert.deepEqual(o, t);
    assert.ok(!o.includes('EXEC') && o.includes('SET x 1 EX 100') && o.includes('SPOP s'));
  });

  test('SLOWLOG logs a blocking command that timed out (Redis 7.2)', async () => {
    const cmds = [['BLPOP', 'q', '0.05'], ['PING']];
    const [o, t] = [await slowlogEntries(ours, cmds), await slowlogEntries(theirs, cmds)];
    // Redis 7.2's updateStatsOnUnblock logs the command when it times out; 7.0 does not.
    assert.deepEqual(t, ['SLOWLOG RESET', 'PING']);
    assert.deepEqual(o, ['SLOWLOG RESET', 'BLPOP q 0.05', 'PING']);
  });

  // ---- 4. CLIENT LIST / CLIENT INFO -------------------------------------------------------------

  const FIELDS_72 = [
    'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'qbuf', 'qbuf-free',
    'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user', 'redir', 'resp', 'lib-name', 'lib-ver',
  ];
  /** Fields whose values depend on the connection, the allocator or the clock. */
  const VOLATILE = new Set(['id', 'addr', 'laddr', 'fd', 'age', 'idle', 'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events']);
  const libFields = KNOWN_DIFFERENCES.find((d) => d.id === 'client-list-lib-fields')!;
  /** The CLIENT LIST/INFO lines without lib-name/lib-ver (new in 7.2: known difference client-list-lib-fields), volatile values masked. */
  function clientLines(r: Reply, cmd: string[]): string[] {
    return text(libFields.transform!(r, cmd, 'ours'))
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) =>
        l
          .split(' ')
          .map((f) => {
            const k = f.slice(0, f.indexOf('='));
            return VOLATILE.has(k) ? `${k}=*` : f;
          })
          .join(' '),
      );
  }
  const fieldNames = (line: string): string[] => line.split(' ').map((f) => f.slice(0, f.indexOf('=')));

  test('CLIENT LIST and CLIENT INFO: 7.2 fields in order, values of clients in every state', async () => {
    const step = async (s: ServerHandle, c: RespClient): Promise<string[]> => {
      const made: RespClient[] = [];
      const names: string[] = [];
      const mk = async (name: string, ...setup: string[][]): Promise<RespClient> => {
        const x = await client(s);
        made.push(x);
        names.push(name);
        await x.call('CLIENT', 'SETNAME', name);
        for (const cmd of setup) await x.call(...cmd);
        return x;
      };
      await mk('multi', ['MULTI'], ['SET', 'a', '1'], ['GET', 'a']);
      const sub = await mk('sub');
      await sub.callN(2, 'SUBSCRIBE', 'c1', 'c2');
      await sub.callN(1, 'PSUBSCRIBE', 'p*');
      const ssub = await mk('ssub');
      await ssub.callN(1, 'SSUBSCRIBE', 's1');
      const bl = await mk('blocked');
      void bl.call('BLPOP', 'q', '0').catch(() => {});
      const mon = await mk('mon');
      await mon.call('MONITOR');
      await mk('resp3', ['HELLO', '3']);
      await mk('db5', ['SELECT', '5']);
      await mk('dirty', ['WATCH', 'k'], ['SET', 'k', '2']);
      await mk('noevict', ['CLIENT', 'NO-EVICT', 'on']);
      await mk('unknown', ['NOSUCH']);
      await mk('subunknown', ['CLIENT', 'NOSUCH']);
      await mk('rejected', ['GET']);
      const off = await mk('replyoff');
      void off.call('CLIENT', 'REPLY', 'OFF').catch(() => {});
      // Until the BLPOP has blocked and the REPLY OFF has run (no reply to wait on).
      await waitBlocked(c, 1);
      await waitFor('CLIENT REPLY OFF to run', async () => /name=replyoff .*cmd=client\|reply /.test(text(await c.call('CLIENT', 'LIST'))), 5000);
      const list = await c.call('CLIENT', 'LIST');
      const lines = clientLines(list, ['CLIENT', 'LIST'])
        // Only the clients made here (Redis 7.0 keeps a HELLO SETNAME whose AUTH failed; 7.2 does not).
        .filter((l) => made.some((_x, i) => l.includes(` name=${names[i]} `)))
        .sort((a, b) => (a.slice(a.indexOf(' name=')) < b.slice(b.indexOf(' name=')) ? -1 : 1));
      const info = clientLines(await c.call('CLIENT', 'INFO'), ['CLIENT', 'INFO']);
      const pubsub = clientLines(await c.call('CLIENT', 'LIST', 'TYPE', 'pubsub'), ['CLIENT', 'LIST']).sort();
      for (const x of made) x.destroy();
      return [...lines, '--', ...info, '--', ...pubsub];
    };
    const [o, t] = await both(step);
    assert.deepEqual(o, t);
    // Field names and order: ours are 7.2's; 7.0's are the same without lib-name and lib-ver.
    for (const cmd of [['CLIENT', 'INFO'], ['CLIENT', 'LIST']]) {
      const [ro, rt] = [await mo.call(...cmd), await mt.call(...cmd)];
      for (const l of text(ro).split('\n').filter((x) => x.length > 0)) assert.deepEqual(fieldNames(l.trim()), FIELDS_72, cmd.join(' '));
      for (const l of text(rt).split('\n').filter((x) => x.length > 0)) assert.deepEqual(fieldNames(l.trim()), FIELDS_72.slice(0, -2), cmd.join(' '));
    }
  });

  test('CLIENT INFO shows lib-name and lib-ver set by CLIENT SETINFO, flag T after NO-TOUCH (Redis 7.2)', async () => {
    const c = await client(ours);
    await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib');
    await c.call('CLIENT', 'SETINFO', 'LIB-VER', '1.2.3');
    await c.call('CLIENT', 'NO-TOUCH', 'on');
    const line = text(await c.call('CLIENT', 'INFO')).trim();
    assert.deepEqual(fieldNames(line), FIELDS_72);
    assert.match(line, / flags=T .* lib-name=mylib lib-ver=1\.2\.3$/);
  });

  // ---- 5. COMMAND GETKEYS / GETKEYSANDFLAGS -------------------------------------------------

  test('COMMAND GETKEYS and GETKEYSANDFLAGS: MEMORY USAGE, LCS, commands with 300 keys', async () => {
    const keys = Array.from({ length: 300 }, (_v, i) => `k${i}`);
    const pairs = keys.flatMap((k) => [k, 'v']);
    const cmds: string[][] = [];
    for (const sub of ['GETKEYS', 'GETKEYSANDFLAGS']) {
      cmds.push(
        ['COMMAND', sub, 'MEMORY', 'USAGE', 'k'],
        ['COMMAND', sub, 'MEMORY', 'USAGE', 'k', 'SAMPLES', '5'],
        ['COMMAND', sub, 'MEMORY', 'USAGE'],
        ['COMMAND', sub, 'MEMORY', 'STATS'],
        ['COMMAND', sub, 'LCS', 'a', 'b'],
        ['COMMAND', sub, 'LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '2', 'WITHMATCHLEN'],
        ['COMMAND', sub, 'LCS', 'a'],
        ['COMMAND', sub, 'MSET', ...pairs],
        ['COMMAND', sub, 'MSETNX', ...pairs],
        ['COMMAND', sub, 'DEL', ...keys],
        ['COMMAND', sub, 'UNLINK', ...keys],
        ['COMMAND', sub, 'MGET', ...keys],
        ['COMMAND', sub, 'EXISTS', ...keys],
        ['COMMAND', sub, 'SUNIONSTORE', 'd', ...keys],
        ['COMMAND', sub, 'ZUNIONSTORE', 'd', '300', ...keys],
        ['COMMAND', sub, 'BLMPOP', '0', '300', ...keys, 'LEFT'],
        ['COMMAND', sub, 'MSET', 'a'],
        ['COMMAND', sub, 'MSET', ...pairs, 'odd'],
      );
    }
    const run = async (c: RespClient): Promise<string[]> => replies(c, cmds);
    const [o, t] = [await run(mo), await run(mt)];
    for (let i = 0; i < cmds.length; i++) assert.equal(o[i], t[i], cmds[i]!.slice(0, 6).join(' '));
    assert.equal(JSON.parse(o[7]!).v.length, 300);
  });
});
