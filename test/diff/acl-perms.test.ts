// Differential tests of ACL authentication and permission checks against
// redis-server 7.0: AUTH / HELLO AUTH with users, requirepass as the default user's
// password, denials of commands, subcommands, categories, keys (read/write flags of
// the key specs) and channels at top level, queued in MULTI and re-checked at EXEC,
// the ACL LOG entries they leave and the INFO counters, and the disconnection of
// subscribers whose channels a SETUSER takes away.
//
// Named differences from 7.0 (the target is 7.2):
// - NOPERM texts: 7.2 writes "User <name> has no permissions to run the '<cmd>'
//   command", "No permissions to access a key", "No permissions to access a
//   channel"; 7.0 writes "this user has no permissions to run the '<cmd>'
//   command", "this user has no permissions to access one of the keys used as
//   arguments", "... one of the channels used as arguments". 7.0's replies are
//   rewritten to 7.2's before comparing (noperm72).
// - ACL LOG: 7.2 adds entry-id, timestamp-created and timestamp-last-updated to
//   each entry; they are checked on ours and dropped before comparing.
// - INFO acl_access_denied_auth/cmd/key/channel are 7.2 fields (7.0 has none);
//   ours are checked against the denials the test made.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair } from '../helpers/diff.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { startPair } from '../helpers/pair.js';
import { dropFields, maskFields } from '../helpers/known-differences.js';
import { waitFor } from '../helpers/wait.js';
import { formatReply, type Reply, type RespClient } from '../../src/protocol/resp-client.js';

const skip = skipIfNoRedis();

type Side = 'ours' | 'theirs';

/** 7.0's NOPERM texts in 7.2's words (see the header). */
function noperm72(s: string, user: string): string {
  return s
    .replace(/^NOPERM this user has no permissions to run the '([^']*)' command$/, `NOPERM User ${user} has no permissions to run the '$1' command`)
    .replace(/^NOPERM this user has no permissions to access one of the keys used as arguments$/, 'NOPERM No permissions to access a key')
    .replace(/^NOPERM this user has no permissions to access one of the channels used as arguments$/, 'NOPERM No permissions to access a channel');
}

function norm(r: Reply, user: string): Reply {
  if (r.t === 'err') return { t: 'err', v: noperm72(r.v, user) };
  if (r.t === 'array' && r.v !== null) return { t: 'array', v: r.v.map((x) => norm(x, user)) };
  return r;
}

function txt(r: Reply): string {
  if (r.t === 'simple' || r.t === 'err') return r.v;
  if (r.t === 'bulk') return r.v ?? '(nil)';
  if (r.t === 'int') return String(r.v);
  return formatReply(r);
}

/** Field -> value of a flat RESP2 map reply. */
function fields(r: Reply): Map<string, Reply> {
  assert.ok(r.t === 'array' && r.v !== null, formatReply(r));
  const m = new Map<string, Reply>();
  for (let i = 0; i + 1 < r.v.length; i += 2) m.set(txt(r.v[i]), r.v[i + 1]);
  return m;
}

/** HELLO's server version and connection id (known difference hello-version-id). */
const HELLO_VARYING = new Set(['version', 'id']);
const LOG_7_2_ONLY = new Set(['entry-id', 'timestamp-created', 'timestamp-last-updated']);
const LOG_VARYING = new Set(['age-seconds', 'client-info']);

describe('ACL authentication and permissions (differential)', { skip }, () => {
  let pair: DiffPair;
  let h: Record<Side, ServerHandle>;

  before(async () => {
    const s = await startPair();
    pair = s.pair;
    h = { ours: s.ours, theirs: s.theirs };
  });

  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });

  /** Runs `cmds` on a new client of each server and compares the replies (NOPERM texts in 7.2's words). */
  async function script(user: string, cmds: string[][]): Promise<Record<Side, RespClient>> {
    const cl = { ours: await h.ours.client(), theirs: await h.theirs.client() };
    for (const cmd of cmds) {
      const [o, t] = await Promise.all([cl.ours.call(...cmd), cl.theirs.call(...cmd)]);
      const hello = cmd[0] === 'HELLO' ? (r: Reply): Reply => maskFields(r, HELLO_VARYING) : (r: Reply): Reply => r;
      assert.equal(formatReply(hello(norm(o, user))), formatReply(hello(norm(t, user))), `${cmd.join(' ')}`);
    }
    return cl;
  }

  /** ACL LOG of both, compared without the varying fields; ours keeps 7.2's fields. Returns our entries. */
  async function checkLog(args: string[] = []): Promise<Array<Map<string, Reply>>> {
    const [o, t] = await Promise.all([pair.ours.call('ACL', 'LOG', ...args), pair.theirs.call('ACL', 'LOG', ...args)]);
    const drop = new Set([...LOG_7_2_ONLY, ...LOG_VARYING]);
    assert.equal(formatReply(dropFields(o, drop)), formatReply(dropFields(t, drop)), 'ACL LOG');
    assert.ok(o.t === 'array' && o.v !== null);
    const entries = o.v.map(fields);
    for (const e of entries) {
      for (const f of LOG_7_2_ONLY) assert.equal(e.get(f)?.t, 'int', `ACL LOG entry has ${f}`);
      assert.match(txt(e.get('client-info')!), /^id=\d+ addr=.* cmd=\S+ user=\S+/);
      const age = Number(txt(e.get('age-seconds')!));
      assert.ok(age >= 0 && age < 60, `age-seconds ${age}`);
    }
    return entries;
  }

  async function both(cmd: string[]): Promise<void> {
    await pair.check([cmd]);
  }

  test('AUTH and HELLO AUTH with users; disabled users; nopass; wrong passwords logged', async () => {
    await pair.check([
      ['ACL', 'LOG', 'RESET'],
      ['ACL', 'SETUSER', 'au', 'on', '>pw1', '>pw2', '+@all', '~*', '&*'],
      ['ACL', 'SETUSER', 'off-user', 'off', '>pw', '+@all'],
      ['ACL', 'SETUSER', 'np', 'on', 'nopass', '+@all'],
    ]);
    await script('au', [
      ['AUTH', 'au', 'pw1'],
      ['ACL', 'WHOAMI'],
      ['AUTH', 'au', 'pw2'],
      ['AUTH', 'au', 'wrong'],
      ['ACL', 'WHOAMI'],
      ['AUTH', 'off-user', 'pw'],
      ['AUTH', 'nosuch', 'pw'],
      ['AUTH', 'nosuch', 'pw'],
      ['AUTH', 'np', 'anything'],
      ['ACL', 'WHOAMI'],
      ['AUTH', 'only-password'],
      ['AUTH', 'a', 'b', 'c'],
      ['HELLO', '2', 'AUTH', 'au', 'bad'],
      ['HELLO', '2', 'AUTH', 'au', 'pw1', 'SETNAME', 'n1'],
      ['ACL', 'WHOAMI'],
      ['CLIENT', 'GETNAME'],
      ['RESET'],
      ['ACL', 'WHOAMI'],
    ]);
    const entries = await checkLog();
    assert.deepEqual(
      entries.map((e) => [txt(e.get('reason')!), txt(e.get('object')!), txt(e.get('username')!), txt(e.get('count')!)]),
      [
        ['auth', 'HELLO', 'au', '1'],
        ['auth', 'AUTH', 'nosuch', '2'],
        ['auth', 'AUTH', 'off-user', '1'],
        ['auth', 'AUTH', 'au', '1'],
      ],
    );
    const info = txt(await pair.ours.call('INFO', 'stats'));
    assert.match(info, /acl_access_denied_auth:5\r\n/);
    await checkLog(['2']);
    await pair.check([['ACL', 'LOG', '0'], ['ACL', 'LOG', '-5'], ['ACL', 'LOG', 'x'], ['ACL', 'LOG', '1', '2'], ['ACL', 'LOG', 'RESET'], ['ACL', 'LOG']]);
    await pair.check([['ACL', 'DELUSER', 'au', 'off-user', 'np']]);
  });

  test('requirepass is the default user password; CONFIG SET requirepass changes it', async () => {
    await pair.check([['CONFIG', 'SET', 'requirepass', 'sekret'], ['ACL', 'GETUSER', 'default'], ['CONFIG', 'GET', 'requirepass']]);
    const cl = await script('default', [['GET', 'k'], ['AUTH', 'wrong'], ['AUTH', 'sekret'], ['GET', 'k'], ['ACL', 'WHOAMI']]);
    await script('default', [['PING'], ['AUTH', 'default', 'sekret'], ['PING'], ['HELLO', '3', 'AUTH', 'default', 'nope']]);
    for (const side of ['ours', 'theirs'] as const) {
      assert.equal(txt(await cl[side].call('CONFIG', 'SET', 'requirepass', '')), 'OK');
    }
    await pair.check([['ACL', 'LIST'], ['AUTH', 'x']]);
    await script('default', [['PING']]);
    await pair.check([['ACL', 'LOG', 'RESET']]);
  });

  test('the default user changed by ACL SETUSER: a password, restricted commands, off', async () => {
    await pair.check([['ACL', 'SETUSER', 'default', 'resetpass', '>dpw']]);
    await script('default', [['PING'], ['AUTH', 'dpw'], ['PING']]);
    // A client that never authenticated goes on once the default user needs no password again.
    const waiting = await script('default', [['PING']]);
    await pair.check([['ACL', 'SETUSER', 'default', 'nopass']]);
    const [wo, wt] = await Promise.all([waiting.ours.call('PING'), waiting.theirs.call('PING')]);
    assert.equal(formatReply(wo), formatReply(wt));
    assert.equal(txt(wo), 'PONG');
    await pair.check([['ACL', 'SETUSER', 'default', 'resetpass', '>dpw']]);
    await pair.check([['ACL', 'SETUSER', 'default', 'nopass', '-flushall', 'resetkeys', '~k*']]);
    await script('default', [['FLUSHALL'], ['GET', 'k1'], ['GET', 'x'], ['ACL', 'WHOAMI']]);
    await pair.check([['ACL', 'SETUSER', 'default', 'off']]);
    await script('default', [['PING'], ['AUTH', 'default', 'x'], ['HELLO', '3', 'AUTH', 'default', 'x']]);
    await pair.check([['ACL', 'SETUSER', 'default', 'on', '+@all', 'allkeys'], ['ACL', 'LIST'], ['ACL', 'LOG', 'RESET']]);
    await script('default', [['PING'], ['FLUSHALL']]);
  });

  test('permissions: commands, subcommands, categories, keys with read/write flags, channels', async () => {
    await pair.check([
      ['ACL', 'LOG', 'RESET'],
      ['CONFIG', 'RESETSTAT'],
      ['ACL', 'SETUSER', 'pu', 'on', 'nopass', '+@all', '-flushall', '-@dangerous', '+config|get', '-client|kill', '~k*', '%R~r*', '%W~w*', 'resetchannels', '&ch*'],
    ]);
    await script('pu', [
      ['AUTH', 'pu', 'x'],
      ['FLUSHALL'],
      ['DEBUG', 'OBJECT', 'k'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['CLIENT', 'KILL', 'ID', '999999'],
      ['PING'],
      ['SET', 'k1', 'v'],
      ['GET', 'k1'],
      ['GET', 'zz'],
      ['SET', 'r1', 'v'],
      ['GET', 'r1'],
      ['SET', 'w1', 'v'],
      ['GET', 'w1'],
      ['COPY', 'r1', 'w1'],
      ['COPY', 'w1', 'r1'],
      ['LMOVE', 'r1', 'w1', 'LEFT', 'RIGHT'],
      ['MSET', 'k2', 'a', 'zz', 'b'],
      ['MGET', 'k1', 'r1', 'w1'],
      ['EXISTS', 'r1', 'w1'],
      ['PUBLISH', 'news', 'm'],
      ['PUBLISH', 'ch1', 'm'],
      ['SUBSCRIBE', 'ch1', 'news'],
      ['PSUBSCRIBE', 'ch*', 'c*'],
    ]);
    await checkLog();
    await checkLog(['3']);
    const info = txt(await pair.ours.call('INFO', 'stats'));
    const count = (f: string): number => Number(new RegExp(`${f}:(\\d+)`).exec(info)?.[1]);
    // FLUSHALL, CONFIG SET, CLIENT KILL (DEBUG is refused before, by enable-debug-command); GET zz,
    // SET r1, GET w1, COPY w1 r1, LMOVE r1 (read and write), MSET zz, MGET w1; PUBLISH news,
    // SUBSCRIBE news, PSUBSCRIBE c* (a pattern must equal a rule).
    assert.deepEqual([count('acl_access_denied_cmd'), count('acl_access_denied_key'), count('acl_access_denied_channel')], [3, 7, 3], info);
  });

  test('acllog-max-len bounds the log; alike entries group', async () => {
    await pair.check([['ACL', 'LOG', 'RESET'], ['CONFIG', 'SET', 'acllog-max-len', '3'], ['ACL', 'SETUSER', 'lg', 'on', 'nopass', '-@all', '+get', '~a*']]);
    await script('lg', [['AUTH', 'lg', 'x'], ['GET', 'b1'], ['GET', 'b2'], ['GET', 'b1'], ['SET', 'a', '1'], ['GET', 'b3'], ['GET', 'b4']]);
    const entries = await checkLog();
    assert.deepEqual(entries.map((e) => txt(e.get('object')!)), ['b4', 'b3', 'set']);
    await pair.check([['CONFIG', 'SET', 'acllog-max-len', '1']]);
    await checkLog();
    await script('lg', [['AUTH', 'lg', 'x'], ['GET', 'b5']]);
    assert.equal((await checkLog()).length, 1);
    await pair.check([['CONFIG', 'SET', 'acllog-max-len', '128'], ['ACL', 'LOG', 'RESET'], ['ACL', 'DELUSER', 'lg']]);
  });

  test('MULTI: a denied command is refused when queued (EXECABORT); EXEC re-checks rules changed meanwhile', async () => {
    await pair.check([['ACL', 'LOG', 'RESET'], ['ACL', 'SETUSER', 'mu', 'on', 'nopass', '+@all', '-flushall', '~*', '&*']]);
    await script('mu', [['AUTH', 'mu', 'x'], ['MULTI'], ['SET', 'a', '1'], ['FLUSHALL'], ['EXEC'], ['GET', 'a']]);
    const cl = await script('mu', [['AUTH', 'mu', 'x'], ['MULTI'], ['SET', 'a', '2'], ['GET', 'a'], ['PUBLISH', 'ch', 'x']]);
    await pair.check([['ACL', 'SETUSER', 'mu', '-set', 'resetkeys', '~b*', 'resetchannels']]);
    const [o, t] = await Promise.all([cl.ours.call('EXEC'), cl.theirs.call('EXEC')]);
    assert.equal(formatReply(norm(o, 'mu')), formatReply(norm(t, 'mu')), 'EXEC after the rules changed');
    assert.match(formatReply(o), /ACLs rules changed between the moment the transaction was accumulated and the EXEC call/);
    const entries = await checkLog();
    assert.ok(entries.some((e) => txt(e.get('context')!) === 'multi'));
    await pair.check([['ACL', 'DELUSER', 'mu']]);
  });

  test('a subscriber whose channels a SETUSER takes away is disconnected; one still allowed is not', async () => {
    await pair.check([['ACL', 'SETUSER', 'su', 'on', 'nopass', '+@all', '~*', 'resetchannels', '&ch*', '&news']]);
    const subs: Record<Side, RespClient[]> = { ours: [], theirs: [] };
    for (const side of ['ours', 'theirs'] as const) {
      for (const cmd of [['SUBSCRIBE', 'ch1'], ['PSUBSCRIBE', 'news'], ['SUBSCRIBE', 'news']]) {
        const c = await h[side].client();
        assert.equal(txt(await c.call('AUTH', 'su', 'x')), 'OK');
        const r = await c.call(...cmd);
        assert.ok(r.t === 'array' || r.t === 'push', `${side} ${cmd.join(' ')}: ${formatReply(r)}`);
        subs[side].push(c);
      }
    }
    // Keeps &ch*: the ch1 subscriber stays; the news channel and pattern go.
    await pair.check([['ACL', 'SETUSER', 'su', 'resetchannels', '&ch*']]);
    for (const side of ['ours', 'theirs'] as const) {
      const [ch1, newsPattern, news] = subs[side];
      await waitFor(`${side}: news subscribers closed`, () => news.closed && newsPattern.closed, 5000);
      assert.equal(ch1.closed, false, `${side}: the ch1 subscriber stays`);
      assert.equal(txt(await ch1.call('PING')).length > 0, true);
    }
    await pair.check([['ACL', 'DELUSER', 'su']]);
  });
});
