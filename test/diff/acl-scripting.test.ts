// ACL inside scripts, against redis-server 7.0: every redis.call / redis.pcall is
// checked as the calling client's user (reads as well as writes: the command, its
// keys, its channels), a denial is logged in ACL LOG with context "lua" and the
// caller's client info, and redis.acl_check_cmd answers for the caller's user.
//
// Named differences from 7.0 (the target is 7.2): 7.2 answers a denial inside a
// script with the same NOPERM text as at top level ("User u has no permissions to
// run the 'get' command", "No permissions to access a key"), 7.0 with
// "ERR The user executing the script can't run this command or subcommand" /
// "... can't access at least one of the keys mentioned in the command arguments".
// Each case gives both texts.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair } from '../helpers/diff.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { startPair } from '../helpers/pair.js';
import { dropFields } from '../helpers/known-differences.js';
import { formatReply, type Reply } from '../../src/protocol/resp-client.js';

const skip = skipIfNoRedis();

const CMD_72 = "NOPERM User u has no permissions to run the 'get' command";
const CMD_70 = "ERR The user executing the script can't run this command or subcommand";
const KEY_72 = 'NOPERM No permissions to access a key';
const KEY_70 = "ERR The user executing the script can't access at least one of the keys mentioned in the command arguments";
const CHAN_72 = 'NOPERM No permissions to access a channel';
const CHAN_70 = "ERR The user executing the script can't publish to the channel mentioned in the command";

describe('ACL inside scripts (differential)', { skip }, () => {
  let pair: DiffPair;
  let h: { ours: ServerHandle; theirs: ServerHandle };

  before(async () => {
    const s = await startPair();
    pair = s.pair;
    h = { ours: s.ours, theirs: s.theirs };
  });

  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });

  test('redis.call and redis.pcall are checked as the caller: commands, read and write keys, channels; logged with context lua', async () => {
    await pair.check([
      ['ACL', 'LOG', 'RESET'],
      ['ACL', 'SETUSER', 'u', 'on', '>pw', '+@all', '-get', '~x*', '&chan'],
      ['SET', 'yy', 'v'],
    ]);
    const cl = { ours: await h.ours.client(), theirs: await h.theirs.client() };
    try {
      for (const c of [cl.ours, cl.theirs]) assert.equal(formatReply(await c.call('AUTH', 'u', 'pw')), '+OK');
      const body = (s: string): string[] => ['EVAL', s, '0'];
      const cases: Array<{ argv: string[]; ours: string; theirs: string }> = [
        // Raised by redis.call: the error names the script and line.
        { argv: body("return redis.call('get', 'x')"), ours: `${CMD_72} script: `, theirs: `${CMD_70} script: ` },
        // A read of a key outside ~x* (before, only writes were checked, and as the default user).
        { argv: body("return redis.call('strlen', 'yy')"), ours: `${KEY_72} script: `, theirs: `${KEY_70} script: ` },
        { argv: body("return redis.call('set', 'y', '1')"), ours: `${KEY_72} script: `, theirs: `${KEY_70} script: ` },
        { argv: body("return redis.call('publish', 'other', 'm')"), ours: `${CHAN_72} script: `, theirs: `${CHAN_70} script: ` },
        // Returned by redis.pcall as an error reply: no script suffix.
        { argv: body("return redis.pcall('set', 'y', '1')"), ours: KEY_72, theirs: KEY_70 },
      ];
      for (const cs of cases) {
        const [o, t] = await Promise.all([cl.ours.call(...cs.argv), cl.theirs.call(...cs.argv)]);
        assert.equal(o.t, 'err', `ours: ${cs.argv[1]}: ${formatReply(o)}`);
        assert.equal(t.t, 'err', `theirs: ${cs.argv[1]}: ${formatReply(t)}`);
        const [ov, tv] = [(o as { v: string }).v, (t as { v: string }).v];
        if (cs.ours.endsWith('script: ')) {
          assert.ok(ov.startsWith(cs.ours) && / on @user_script:1\.$/.test(ov), `ours: ${ov}`);
          assert.ok(tv.startsWith(cs.theirs) && / on @user_script:1\.$/.test(tv), `theirs: ${tv}`);
        } else {
          assert.equal(ov, cs.ours);
          assert.equal(tv, cs.theirs);
        }
      }
      // What the user may do runs.
      const allowed: string[][] = [
        body("return redis.call('set', 'x1', 'v')"),
        body("return redis.call('strlen', 'x1')"),
        body("return redis.call('publish', 'chan', 'm')"),
        // acl_check_cmd answers for the caller: false (nil in the reply), true (1), false.
        body("return {redis.acl_check_cmd('get', 'x') and 1 or 0, redis.acl_check_cmd('set', 'x', '1') and 1 or 0, redis.acl_check_cmd('set', 'y', '1') and 1 or 0}"),
        body("return redis.acl_check_cmd('nosuch')"),
        body('return redis.acl_check_cmd()'),
      ];
      for (const argv of allowed) {
        const [o, t] = await Promise.all([cl.ours.call(...argv), cl.theirs.call(...argv)]);
        assert.equal(formatReply(o), formatReply(t), argv[1]);
      }
      const [ac] = await Promise.all([cl.ours.call(...allowed[3])]);
      assert.equal(formatReply(ac), formatReply({ t: 'array', v: [{ t: 'int', v: 0n }, { t: 'int', v: 1n }, { t: 'int', v: 0n }] } as Reply), 'acl_check_cmd for user u');
    } finally {
      cl.ours.destroy();
      cl.theirs.destroy();
    }
    // The default user is not restricted: the same scripts run.
    await pair.check([['EVAL', "return redis.call('get', 'yy')", '0'], ['EVAL', "return redis.acl_check_cmd('get', 'x')", '0']]);
    // ACL LOG: one entry per denial, context lua, the key / command / channel as object.
    const drop = new Set(['entry-id', 'timestamp-created', 'timestamp-last-updated', 'age-seconds', 'client-info']);
    const [o, t] = await Promise.all([pair.ours.call('ACL', 'LOG'), pair.theirs.call('ACL', 'LOG')]);
    assert.equal(formatReply(dropFields(o, drop)), formatReply(dropFields(t, drop)), 'ACL LOG');
    assert.match(formatReply(o), /lua/);
    assert.match(formatReply(o), /cmd=eval user=u/, "the caller's client info");
  });
});
