// Start-up on a bad RDB file, redis-server 7.0 against Cinnabar: the same files
// (written by redis-server, then truncated, a byte flipped in the middle, the
// checksum changed, the signature or version changed, an unknown value type, cut
// to three bytes) must stop both servers with exit code 1 and the same log lines;
// a file saved with `rdbchecksum no` (zero checksum) loads in both.
//
// Differences named:
//   - "Internal error in RDB reading offset 0, function at rdb.c:<line>": the C line
//     can only come from a C build; Cinnabar prints 7.0.15's line for each case it
//     has (short read 3249, CRC 3225, unknown type 2681), so the lines are equal
//     here, but they are not 7.2's;
//   - Redis then runs redis-check-rdb on the file and prints its report ("[offset N]
//     Checking RDB file ...", "--- RDB ERROR DETECTED ---"...); Cinnabar does not.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_SERVER_PATH, cinnabarBinPath, freePort, skipIfNoRedis, startRedis } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

const tmp = mkdtempSync(join(tmpdir(), 'cinnabar-rdb-errors-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The log lines about loading (message part, in order). */
const LOAD_LINE = /^(Short read|Internal error in RDB|Wrong RDB checksum|Wrong signature|Can't handle RDB|Fatal error loading|RDB file was saved with checksum disabled|Done loading RDB|RDB has duplicated)/;

interface Run {
  exit: string;
  lines: string[];
}

/**
 * Starts `kind` on dir (holding dump.rdb) and waits until it exits, or until it
 * logs that it is ready (then it is stopped: the file loaded).
 */
async function runOn(kind: 'redis' | 'cinnabar', dir: string): Promise<Run> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = kind === 'redis' ? spawn(REDIS_SERVER_PATH, args, { cwd: dir }) : spawn(process.execPath, [cinnabarBinPath(), ...args], { cwd: dir });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  let exit = '';
  const ended = new Promise<void>((resolve) =>
    child.once('exit', (code, sig) => {
      exit = sig !== null ? `killed by ${sig}` : `exit ${code}`;
      resolve();
    }),
  );
  let ready = false;
  try {
    await waitFor(`${kind} to exit or get ready`, () => exit !== '' || /Ready to accept connections/.test(out), 20000);
    ready = exit === '';
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await ended;
  }
  if (ready) exit = 'ready';
  const lines: string[] = [];
  for (const l of out.split('\n')) {
    const m = /^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] (.*)$/.exec(l.trimEnd());
    if (m && LOAD_LINE.test(m[1])) lines.push(m[1]);
  }
  return { exit, lines };
}

/** A dump.rdb written by redis-server: 1000 strings and a list. */
async function referenceFile(): Promise<Buffer> {
  const r = await startRedis();
  try {
    const c = await r.client();
    for (let i = 0; i < 1000; i += 100) {
      const args: string[] = [];
      for (let j = i; j < i + 100; j++) args.push(`key:${j}`, `value:${j}:${'x'.repeat(12)}`);
      await c.call('MSET', ...args);
    }
    await c.call('RPUSH', 'l', 'a', 'b', 'c');
    await c.call('SAVE');
    return readFileSync(join(r.dir, 'dump.rdb'));
  } finally {
    await r.stop();
  }
}

function mutate(good: Buffer, f: (b: Buffer) => Buffer): Buffer {
  return f(Buffer.from(good));
}

describe('start-up on a bad RDB file, as redis-server', { skip: skipIfNoRedis() }, () => {
  test('each corrupt file stops both servers with the same lines and exit code 1; a zero checksum loads', async () => {
    const good = await referenceFile();
    const resize = good.indexOf(0xfb);
    assert.ok(resize > 0);
    const cases: Array<[string, Buffer, string]> = [
      ['truncated', good.subarray(0, good.length >> 1), 'exit 1'],
      ['flipped byte in the middle', mutate(good, (b) => ((b[b.length >> 1] ^= 0xff), b)), 'exit 1'],
      ['bad checksum', mutate(good, (b) => ((b[b.length - 1] ^= 1), b)), 'exit 1'],
      ['bad magic', mutate(good, (b) => (b.write('REDIX', 0, 'latin1'), b)), 'exit 1'],
      ['bad version', mutate(good, (b) => (b.write('0099', 5, 'latin1'), b)), 'exit 1'],
      ['unknown value type', mutate(good, (b) => ((b[resize + 4] = 0x30), b)), 'exit 1'],
      ['three bytes', good.subarray(0, 3), 'exit 1'],
      ['zero checksum (rdbchecksum no)', mutate(good, (b) => (b.fill(0, b.length - 8), b)), 'ready'],
    ];
    for (const [name, bytes, expected] of cases) {
      const runs: Run[] = [];
      for (const kind of ['redis', 'cinnabar'] as const) {
        const dir = join(tmp, `${kind}-${name.replace(/\W+/g, '-')}`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'dump.rdb'), bytes);
        runs.push(await runOn(kind, dir));
      }
      const [theirs, ours] = runs;
      assert.equal(theirs.exit, expected, `${name}: redis-server ${theirs.exit}`);
      assert.equal(ours.exit, theirs.exit, name);
      assert.ok(theirs.lines.length > 0, `${name}: redis-server logged nothing about the load`);
      assert.deepEqual(ours.lines, theirs.lines, name);
    }
  });
});
