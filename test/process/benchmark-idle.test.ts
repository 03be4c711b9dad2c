// redis-benchmark in idle mode (-I) against a server at maxclients: it reports the
// server's error, the same for redis-server and Cinnabar (issue 13, item 9). The
// benchmark waits forever in idle mode, so the test stops it once the error is out.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';

const BENCHMARK = '/usr/bin/redis-benchmark';
const servers: ServerHandle[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

/** Runs `redis-benchmark -I -c 10` until its output shows `want` (or 10 s pass); returns the output. */
function idleBenchmark(port: number, want: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(BENCHMARK, ['-p', String(port), '-I', '-c', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const done = (): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(out);
    };
    const timer = setTimeout(done, 10000);
    const onData = (d: Buffer): void => {
      out += d.toString('latin1');
      if (want.test(out)) done();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

const skip = skipIfNoRedis() || (fs.existsSync(BENCHMARK) ? false : `${BENCHMARK} not installed (Debian's redis-tools)`);

describe('redis-benchmark idle mode', { skip }, () => {
  test('at maxclients both servers answer the idle connections past it with the maxclients error', async () => {
    const outs: string[] = [];
    for (const start of [startRedis, startCinnabar]) {
      const s = await start({ args: ['--maxclients', '5'] });
      servers.push(s);
      const out = await idleBenchmark(s.port, /Error from server: .*\n?/);
      outs.push(out.replace(/\r/g, '\n'));
      await s.stop();
    }
    for (const out of outs) assert.match(out, /Error from server: ERR max number of clients reached/, out);
    // What redis-benchmark reports from the server: its banner and progress lines
    // ("clients: N", redrawn with \r) depend on timing, so only the error lines count.
    const shape = (o: string): string =>
      o
        .split('\n')
        .filter((l) => l.includes('Error from server'))
        .map((l) => l.slice(l.indexOf('Error from server')).trim())
        .join('\n');
    assert.equal(shape(outs[1]), shape(outs[0]));
  });
});
