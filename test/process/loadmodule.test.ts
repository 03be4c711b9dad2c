// A `loadmodule` line aborts start-up as redis-server aborts when a module cannot
// load (issue 16 item 5): the same two log lines after "Server initialized" and
// exit code 1, from the command line and from redis.conf (with module arguments);
// a `loadmodule` line without a path is the same FATAL config error. Cinnabar
// loads no module at all: for a file that exists, redis-server's reason is the
// dynamic loader's (an ELF error), ours says we cannot load modules, which the
// test names.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REDIS_SERVER_PATH, cinnabarBinPath, freePort, skipIfNoRedis } from '../helpers/servers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-loadmodule-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Deadline of one run: each case exits at once; a server that started is killed. */
const RUN_MS = 10000;

interface Outcome {
  code: number | null;
  /** The warning lines ("#") of the log, without pid and time. */
  warnings: string[];
  stderr: string;
}

/**
 * Runs one binary; `args` may hold "<port>", replaced by a free port (redis-server
 * listens before it loads modules, and exits at once with port 0).
 */
async function run(kind: 'redis' | 'cinnabar', args: string[]): Promise<Outcome> {
  const [cmd, pre] = kind === 'redis' ? [REDIS_SERVER_PATH, []] : [process.execPath, [cinnabarBinPath()]];
  const port = String(await freePort());
  return new Promise((resolve) => {
    execFile(cmd, [...pre, ...args.map((a) => (a === '<port>' ? port : a)), '--bind', '127.0.0.1'], { cwd: tmp, timeout: RUN_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      const warnings = String(stdout)
        .split('\n')
        .map((l) => /^\d+:[CMSX] \d\d [A-Z][a-z]{2} \d{4} [\d:.]+ # (.*)$/.exec(l)?.[1])
        .filter((l): l is string => l !== undefined && /[Mm]odule/.test(l));
      resolve({ code, warnings, stderr: String(stderr).replace(/\(Redis 7\.\d+\.\d+\)/g, '(Redis <version>)') });
    });
  });
}

test('loadmodule aborts start-up with redis-server\'s log lines and exit code', { skip: skipIfNoRedis() }, async () => {
  const missing = path.join(tmp, 'no-such-module.so');
  const conf = path.join(tmp, 'm.conf');
  fs.writeFileSync(conf, `loadmodule ${missing} arg1 arg2\n`);
  const cases: string[][] = [
    ['--port', '<port>', '--loadmodule', missing],
    [conf, '--port', '<port>'],
    ['--port', '<port>', '--loadmodule', 'relative/librejson.so'],
  ];
  for (const args of cases) {
    const [r, c] = await Promise.all([run('redis', args), run('cinnabar', args)]);
    const what = JSON.stringify(args.map((a) => a.replace(tmp, '<tmp>')));
    assert.equal(r.code, 1, `redis-server ${what} exits 1`);
    assert.equal(r.warnings.length, 2, `redis-server ${what} logs two module lines: ${r.warnings.join(' | ')}`);
    assert.deepEqual(c, r, `${what}: Cinnabar (actual) against redis-server (expected)`);
  }
});

test('loadmodule of a file that exists: the same abort; the loader\'s reason is ours (a named difference)', { skip: skipIfNoRedis() }, async () => {
  // Without execute permission redis-server refuses before dlopen: the same lines.
  const plain = path.join(tmp, 'plain-file.so');
  fs.writeFileSync(plain, 'this is not a shared object\n');
  const args0 = ['--port', '<port>', '--loadmodule', plain];
  const [r0, c0] = await Promise.all([run('redis', args0), run('cinnabar', args0)]);
  assert.equal(r0.code, 1);
  assert.deepEqual(c0, r0);
  // Executable: redis-server gives dlopen's reason ("invalid ELF header", "file
  // too short"); Cinnabar never runs native code and says so. The abort line is the same.
  const exe = path.join(tmp, 'exe-file.so');
  fs.writeFileSync(exe, 'this is not a shared object\n');
  fs.chmodSync(exe, 0o755);
  const args = ['--port', '<port>', '--loadmodule', exe];
  const [r, c] = await Promise.all([run('redis', args), run('cinnabar', args)]);
  assert.equal(r.code, 1);
  assert.equal(c.code, 1);
  assert.match(r.warnings[0] ?? '', new RegExp(`^Module ${exe} failed to load: ${exe}: `));
  assert.equal(c.warnings[0], `Module ${exe} failed to load: ${exe}: Cinnabar cannot load Redis modules (native code for redis-server's module API)`);
  assert.deepEqual(c.warnings.slice(1), r.warnings.slice(1));
  assert.deepEqual(c.warnings.slice(1), [`Can't load module from ${exe}: server aborting`]);
});

test('loadmodule without a path: the FATAL config error redis-server gives', { skip: skipIfNoRedis() }, async () => {
  const conf = path.join(tmp, 'bare.conf');
  fs.writeFileSync(conf, 'loadmodule\n');
  const [r, c] = await Promise.all([run('redis', [conf]), run('cinnabar', [conf])]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Bad directive or wrong number of arguments/);
  assert.deepEqual(c, r);
});
