// Configuration errors from the command line and the config file, as redis-server
// reports them: both binaries run with the same bad arguments and files, and their
// stdout, stderr and exit code compared. The option lines follow the file after
// one newline (so the first option's line is the file's line count plus two),
// values are quoted as sdscatrepr quotes them, an unknown directive is "Bad
// directive ...", a known one with the wrong count "wrong number of arguments",
// and a file that cannot be opened is a log line, not the FATAL block.
//
// Normalised: pids, timestamps, and the version in "FATAL CONFIG FILE ERROR
// (Redis 7.0.15)", where Cinnabar prints the Redis version it implements (7.2's).

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REDIS_SERVER_PATH, cinnabarBinPath, skipIfNoRedis } from '../helpers/servers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-cmdline-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Deadline of one run: every case exits at once; a server that started is killed. */
const RUN_MS = 10000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(kind: 'redis' | 'cinnabar', args: string[]): Promise<Outcome> {
  const [cmd, pre] = kind === 'redis' ? [REDIS_SERVER_PATH, []] : [process.execPath, [cinnabarBinPath()]];
  return new Promise((resolve) => {
    execFile(cmd, [...pre, ...args], { cwd: tmp, timeout: RUN_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null;
      resolve({ code, stdout: normalise(String(stdout)), stderr: normalise(String(stderr)) });
    });
  });
}

function normalise(s: string): string {
  return s
    .replace(/^\d+:([CMSX]) \d\d [A-Z][a-z]{2} \d{4} [\d:.]+ /gm, '<pid>:$1 <time> ')
    .replace(/\(Redis 7\.\d+\.\d+\)/g, '(Redis <version>)');
}

/**
 * Named differences of 7.2 from 7.0, applied to redis-server 7.0's output:
 * loglevel "nothing" is new in 7.2, so 7.2 lists it among the allowed values.
 */
function as72(o: Outcome): Outcome {
  return { ...o, stderr: o.stderr.replace('one of the following: debug, verbose, notice, warning\n', 'one of the following: debug, verbose, notice, warning, nothing\n') };
}

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('configuration errors as redis-server reports them', { skip: skipIfNoRedis() }, () => {
  test('bad command-line arguments and config files: the same output and exit code', async () => {
    const conf = file('ok.conf', '# a comment\n\nport 0\nloglevel warning\n');
    const bad = file('bad.conf', '# a comment\nport 0\nmaxmemory 10x\n');
    const unknown = file('unknown.conf', 'port 0\n\n  no-such-thing  yes\n');
    const quotes = file('quotes.conf', 'logfile "unterminated\n');
    const include = file('include.conf', 'port 0\ninclude /nonexistent/dir/x.conf\n');
    const cases: string[][] = [
      ['--no-such-directive', 'yes'],
      ['--port'],
      ['--port', 'abc'],
      ['--port', '1', '2'],
      ['--port', '1', 'stray'],
      ['--port', '--loglevel', 'warning'],
      ['--port 70000'],
      ['--loglevel', 'nope'],
      ['--maxmemory', 'ten'],
      ['--save', '1'],
      ['--hz', '1', '2'],
      ['--replicaof', 'host'],
      ['--maxmemory', 'q"uo\\te\x01\u00e9'],
      ['--bind', '127.0.0.1', '--port'],
      ['-x'],
      [path.join(tmp, 'does-not-exist.conf')],
      ['relative-missing.conf', '--port', '0'],
      [conf, '--port', 'abc'],
      [conf, '--no-such', 'x'],
      [bad],
      [unknown],
      [quotes],
      [include],
    ];
    for (const args of cases) {
      const [r, c] = await Promise.all([run('redis', args), run('cinnabar', args)]);
      const what = JSON.stringify(args.map((a) => a.replace(tmp, '<tmp>')));
      assert.equal(r.code, 1, `redis-server ${what} exits 1\n${r.stdout}${r.stderr}`);
      assert.deepEqual(c, as72(r), `${what}: Cinnabar (actual) against redis-server (expected)`);
    }
  });
});
