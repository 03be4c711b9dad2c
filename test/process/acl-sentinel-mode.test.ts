// The ACL of a sentinel itself (Redis 7's sentinel mode serves the ACL command):
// users made with ACL SETUSER log in with AUTH, a user without +sentinel is refused
// with NOPERM and the denial is in ACL LOG, SENTINEL FLUSHCONFIG writes the users
// into sentinel.conf, and a restart loads them back. The same steps run against
// redis-server 7.0 in sentinel mode and the Cinnabar sentinel, with the same
// outcome. (The flag sanitize-payload, which 7.2 gives every user, is the named
// difference acl-sanitize-payload: user lines are compared without it.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { skipIfNoRedis, startCinnabar, type ServerHandle } from '../helpers/servers.js';
import { call, startSentinel, startSentinelOn, type SentinelHandle } from '../helpers/sentinel.js';
import { RespClient, formatReply } from '../../src/protocol/resp-client.js';

const noSanitize = (s: string): string => s.replace(/ sanitize-payload(?= )/g, '');

async function session(port: number, user: string, pass: string, cmds: string[][]): Promise<string[]> {
  const c = await RespClient.connect({ host: '127.0.0.1', port, timeoutMs: 5000 });
  try {
    const out = [formatReply(await c.call('AUTH', user, pass))];
    for (const cmd of cmds) out.push(formatReply(await c.call(...cmd)));
    return out;
  } finally {
    c.destroy();
  }
}

test('a sentinel serves ACL: users log in, denials are logged, FLUSHCONFIG keeps the users across a restart (redis-sentinel and Cinnabar)', { skip: skipIfNoRedis() }, async () => {
  const primary: ServerHandle = await startCinnabar();
  const started: SentinelHandle[] = [];
  try {
    const results: Record<string, unknown> = {};
    for (const kind of ['redis', 'cinnabar'] as const) {
      const s = await startSentinel(kind, primary.port, { quorum: 1 });
      started.push(s);
      assert.equal(await call(s.port, 'ACL', 'SETUSER', 'watcher', 'on', '>wpw', '+@all'), 'OK');
      assert.equal(await call(s.port, 'ACL', 'SETUSER', 'pinger', 'on', '>ppw', '+ping'), 'OK');
      assert.equal(await call(s.port, 'ACL', 'LOG', 'RESET'), 'OK');
      const watcher = await session(s.port, 'watcher', 'wpw', [['ACL', 'WHOAMI'], ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster']]);
      const pinger = await session(s.port, 'pinger', 'ppw', [['PING'], ['SENTINEL', 'MASTERS'], ['ACL', 'WHOAMI']]);
      const wrong = await session(s.port, 'pinger', 'nope', []);
      const log = (await call(s.port, 'ACL', 'LOG')) as unknown[];
      const entries = log.map((e) => {
        const a = e as string[];
        const m = new Map<string, string>();
        for (let i = 0; i + 1 < a.length; i += 2) m.set(String(a[i]), String(a[i + 1]));
        return [m.get('reason'), m.get('context'), m.get('object'), m.get('username')].join(' ');
      });
      assert.equal(await call(s.port, 'SENTINEL', 'FLUSHCONFIG'), 'OK');
      const userLines = fs.readFileSync(s.confPath, 'latin1').split('\n').filter((l) => l.startsWith('user ')).map(noSanitize).sort();
      // Restart on the same file: the users come back.
      await s.stop();
      // The rewrite names the stopped process's temp dir, which is gone: drop that line.
      fs.writeFileSync(s.confPath, fs.readFileSync(s.confPath, 'latin1').split('\n').filter((l) => !l.startsWith('dir ')).join('\n'));
      const again = await startSentinelOn(kind, s.confPath, s.dir);
      started.push(again);
      const afterRestart = await session(again.port, 'watcher', 'wpw', [['ACL', 'WHOAMI']]);
      const listed = ((await call(again.port, 'ACL', 'LIST')) as string[]).map(noSanitize);
      results[kind] = { watcher, pinger, wrong, entries, userLines, afterRestart, listed };
    }
    const ours = results['cinnabar'] as Record<string, unknown>;
    const theirs = results['redis'] as Record<string, unknown>;
    // What the comparison is about, checked on ours (so that equal-but-empty cannot pass).
    assert.deepEqual(ours['watcher'], ['+OK', '"watcher"', `["127.0.0.1", "${primary.port}"]`]);
    assert.match(String((ours['pinger'] as string[])[2]), /^\(error\) NOPERM/);
    assert.match(String((ours['wrong'] as string[])[0]), /WRONGPASS/);
    assert.ok((ours['userLines'] as string[]).some((l) => l.startsWith('user pinger on #')), JSON.stringify(ours['userLines']));
    for (const k of ['watcher', 'pinger', 'wrong', 'entries', 'userLines', 'afterRestart', 'listed']) {
      assert.deepEqual(noPerm72(ours[k]), noPerm72(theirs[k]), k);
    }
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await primary.stop();
  }
});

/** 7.0's NOPERM text for a command in 7.2's words (the named difference of acl-perms.test.ts). */
function noPerm72(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(noPerm72);
  if (typeof v !== 'string') return v;
  return v.replace(/NOPERM this user has no permissions to run the '([^']*)' command/, "NOPERM User pinger has no permissions to run the '$1' command");
}
