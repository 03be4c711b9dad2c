// Users from configuration, Cinnabar and redis-server 7.0 side by side: the aclfile
// (loaded at start-up, ACL LOAD, ACL SAVE; a file with a bad line refuses to load as
// a whole with Redis's list of errors), `user` lines (--user), the refusal of both
// at once, and CONFIG REWRITE writing the users.
//
// Named differences: Redis 7.2 gives new users (and the default user) the
// sanitize-payload flag, 7.0 does not (acl-sanitize-payload): user lines and
// files are compared without it. Start-up failures are compared on their log line
// (after the pid/time prefix) and exit code.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REDIS_SERVER_PATH, cinnabarBinPath, freePort, skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';
import { formatReply, type Reply } from '../../src/protocol/resp-client.js';

const skip = skipIfNoRedis();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-aclfile-'));
const servers: ServerHandle[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

const KINDS = [
  ['redis', startRedis],
  ['cinnabar', startCinnabar],
] as const;

/** Deadline of one start-up that must fail. */
const RUN_MS = 10000;

function noSanitize(s: string): string {
  return s.replace(/ sanitize-payload(?= |$)/gm, '');
}

function txt(r: Reply): string {
  if (r.t === 'simple' || r.t === 'err') return r.v;
  if (r.t === 'bulk') return r.v ?? '(nil)';
  if (r.t === 'int') return String(r.v);
  if (r.t === 'array' && r.v !== null) return r.v.map(txt).join('\n');
  return formatReply(r);
}

/** Runs a server that must exit at once; its exit code and its output without pid and time prefixes. */
function runFailing(kind: 'redis' | 'cinnabar', args: string[]): Promise<{ code: number | null; out: string }> {
  const [cmd, pre] = kind === 'redis' ? [REDIS_SERVER_PATH, []] : [process.execPath, [cinnabarBinPath()]];
  return new Promise((resolve) => {
    execFile(cmd, [...pre, ...args], { cwd: tmp, timeout: RUN_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      const out = `${String(stdout)}${String(stderr)}`.replace(/^\d+:[CMSX] \d\d [A-Z][a-z]{2} \d{4} [\d:.]+ [#*.-] /gm, '').replace(/\(Redis 7\.\d+\.\d+\)/g, '(Redis <version>)');
      resolve({ code, out });
    });
  });
}

function aclFile(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('aclfile, user lines, CONFIG REWRITE of users (process, both servers)', { skip }, () => {
  test('aclfile: loaded at start-up, ACL SAVE, ACL LOAD (a bad line changes nothing), clients of old users closed', async () => {
    const results: Record<string, string[]> = {};
    for (const [kind, start] of KINDS) {
      const file = aclFile(`users-${kind}.acl`, ['user default on nopass ~* &* +@all', 'user alice on >apw ~a* resetchannels -@all +get', '', '  user bob off #' + 'b'.repeat(64) + ' %R~r* &news -@all +@read'].join('\n') + '\n');
      const srv = await start({ args: ['--aclfile', file] });
      servers.push(srv);
      const c = await srv.client();
      const out: string[] = [];
      out.push(noSanitize(txt(await c.call('ACL', 'LIST'))));
      out.push(txt(await c.call('ACL', 'SETUSER', 'carol', 'on', 'nopass', '~c*', '-@all', '+ping')));
      out.push(txt(await c.call('ACL', 'SAVE')));
      out.push(noSanitize(fs.readFileSync(file, 'latin1')));
      // A client of alice, to be closed by a successful LOAD.
      const alice = await srv.client();
      assert.equal(txt(await alice.call('AUTH', 'alice', 'apw')), 'OK');
      // A file with bad lines: every error listed, nothing changed.
      fs.writeFileSync(file, ['user default on nopass ~* &* +@all', 'user dave on %X~a', 'bogus line', 'user dave on', 'user erin +nosuch +nosuch2 %Y~b %Z~b', 'user frank (~a'].join('\n') + '\n');
      out.push(txt(await c.call('ACL', 'LOAD')).split(file).join('<file>'));
      out.push(noSanitize(txt(await c.call('ACL', 'LIST'))));
      assert.equal(txt(await alice.call('GET', 'a1')), '(nil)', `${kind}: a failed LOAD closes nobody`);
      fs.writeFileSync(file, 'user alice on >apw2 ~a* -@all +get\nuser zed on nopass ~* +@all\n');
      out.push(txt(await c.call('ACL', 'LOAD')));
      out.push(noSanitize(txt(await c.call('ACL', 'LIST'))));
      await waitFor(`${kind}: alice's client closed by ACL LOAD`, () => alice.closed, 5000);
      out.push(txt(await c.call('ACL', 'WHOAMI')));
      fs.rmSync(file);
      out.push(txt(await c.call('ACL', 'LOAD')).split(file).join('<file>'));
      results[kind] = out;
      await srv.stop();
    }
    assert.deepEqual(results['cinnabar'], results['redis']);
  });

  test('without an aclfile, ACL LOAD and SAVE say so', async () => {
    const out: Record<string, string> = {};
    for (const [kind, start] of KINDS) {
      const srv = await start();
      servers.push(srv);
      const c = await srv.client();
      out[kind] = `${txt(await c.call('ACL', 'LOAD'))}\n${txt(await c.call('ACL', 'SAVE'))}`;
      await srv.stop();
    }
    assert.equal(out['cinnabar'], out['redis']);
  });

  test('start-up refusals: a bad aclfile, a missing one, both an aclfile and user lines, bad user lines', async () => {
    const bad = aclFile('bad.acl', 'user a on\nuser b %X~y\nnot-a-user\n');
    const good = aclFile('good.acl', 'user a on\n');
    const cases: string[][] = [
      ['--aclfile', bad],
      ['--aclfile', path.join(tmp, 'missing.acl')],
      ['--aclfile', good, '--user', 'alice', 'on'],
      ['--user', 'alice', 'on', '%X~a'],
      ['--user', 'alice', 'on', '--user', 'alice', 'off'],
      ['--user', 'alice', 'on', '+nosuch'],
      ['--user', 'alice', 'on', '(~a'],
    ];
    for (const args of cases) {
      const port = String(await freePort());
      const [r, o] = await Promise.all([runFailing('redis', ['--port', port, ...args]), runFailing('cinnabar', ['--port', String(await freePort()), ...args])]);
      assert.equal(r.code, 1, `redis ${args.join(' ')}: ${r.out}`);
      assert.equal(o.code, 1, `cinnabar ${args.join(' ')}: ${o.out}`);
      // The lines that say why (redis-server's warnings about the machine are not ours to print).
      const why = (s: string): string[] => s.split('\n').filter((l) => /ACL|user|FATAL|Reading the configuration|^>>>/.test(l));
      assert.deepEqual(why(o.out), why(r.out), `${args.join(' ')}`);
    }
  });

  test('user lines: loaded at start-up, a user default line overrides requirepass; CONFIG REWRITE writes every user', async () => {
    const results: Record<string, string[]> = {};
    for (const [kind, start] of KINDS) {
      const conf = path.join(tmp, `users-${kind}.conf`);
      fs.writeFileSync(conf, ['requirepass frompass', 'user default on nopass ~* &* +@all', 'user alice on >apw ~a* -@all +get', 'user bob off'].join('\n') + '\n');
      const srv = await start({ configFile: conf });
      servers.push(srv);
      const c = await srv.client();
      const out: string[] = [];
      out.push(noSanitize(txt(await c.call('ACL', 'LIST'))));
      out.push(txt(await c.call('ACL', 'SETUSER', 'carol', 'on', 'nopass', '~c*', '-@all', '+ping')));
      out.push(txt(await c.call('ACL', 'DELUSER', 'bob')));
      out.push(txt(await c.call('CONFIG', 'REWRITE')));
      const text = fs.readFileSync(conf, 'latin1');
      out.push(noSanitize(text.split('\n').filter((l) => l.startsWith('user ')).join('\n')));
      results[kind] = out;
      await srv.stop();
    }
    assert.deepEqual(results['cinnabar'], results['redis']);
  });
});
