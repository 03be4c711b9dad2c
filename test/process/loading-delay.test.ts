// The debugging directives that slow a load, redis-server 7.0 against Cinnabar:
// both start on the same dump.rdb (written by redis-server, 300 keys) with
// key-load-delay 10000 (10 ms per key) and loading-process-events-interval-bytes
// 1024, so the load takes about 3 s and events are processed between chunks. While
// it runs both answer PING and GET with "-LOADING Redis is loading the dataset in
// memory", INFO persistence shows loading:1 with the loading_* progress fields, and
// the hidden directives are shown by CONFIG GET only by name; afterwards every key
// is there and loading:0.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_SERVER_PATH, cinnabarBinPath, freePort, skipIfNoRedis, startRedis } from '../helpers/servers.js';
import { RespClient, formatReply, type Reply } from '../../src/protocol/resp-client.js';
import { parseInfo, waitFor } from '../helpers/wait.js';

const tmp = mkdtempSync(join(tmpdir(), 'cinnabar-loading-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

function text(r: Reply): string {
  if (r.t === 'simple') return r.v;
  if (r.t === 'err') return '-' + r.v;
  if (r.t === 'bulk') return r.v === null ? '(nil)' : r.v;
  if (r.t === 'int') return String(r.v);
  return formatReply(r);
}

const KEYS = 300;

async function referenceFile(): Promise<Buffer> {
  const r = await startRedis();
  try {
    const c = await r.client();
    const args: string[] = [];
    for (let i = 0; i < KEYS; i++) args.push(`key:${i}`, `value:${i}`);
    await c.call('MSET', ...args);
    await c.call('SAVE');
    return readFileSync(join(r.dir, 'dump.rdb'));
  } finally {
    await r.stop();
  }
}

async function scenario(kind: 'redis' | 'cinnabar', file: Buffer): Promise<string[]> {
  const t: string[] = [];
  const dir = join(tmp, kind);
  mkdirSync(dir);
  writeFileSync(join(dir, 'dump.rdb'), file);
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--key-load-delay', '10000', '--loading-process-events-interval-bytes', '1024'];
  const child = kind === 'redis' ? spawn(REDIS_SERVER_PATH, args, { cwd: dir, stdio: 'ignore' }) : spawn(process.execPath, [cinnabarBinPath(), ...args], { cwd: dir, stdio: 'ignore' });
  children.push(child);
  try {
    const c = await waitFor(`${kind} to accept a connection`, () => RespClient.connect({ port, host: '127.0.0.1', timeoutMs: 1000, commandTimeoutMs: 10000 }), 15000, 20);
    const ping = text(await c.call('PING'));
    t.push(`PING while loading -> ${ping}`);
    t.push(`GET while loading -> ${text(await c.call('GET', 'key:1'))}`);
    t.push(`SET while loading -> ${text(await c.call('SET', 'x', '1'))}`);
    const i = parseInfo(text(await c.call('INFO', 'persistence')));
    t.push(`loading:${i.get('loading')}`);
    for (const f of ['loading_start_time', 'loading_total_bytes', 'loading_rdb_used_mem', 'loading_loaded_bytes', 'loading_loaded_perc', 'loading_eta_seconds']) {
      t.push(`${f} present: ${i.has(f)}`);
    }
    t.push(`total bytes = file: ${i.get('loading_total_bytes') === String(file.length)}`);
    t.push(`loaded < total: ${Number(i.get('loading_loaded_bytes')) < file.length}`);
    t.push(`CONFIG GET key-load-delay -> ${text(await c.call('CONFIG', 'GET', 'key-load-delay'))}`);
    t.push(`CONFIG GET *load-delay* -> ${text(await c.call('CONFIG', 'GET', '*load-delay*'))}`);
    await waitFor(`${kind} to finish loading`, async () => text(await c.call('PING')) === 'PONG', 30000, 50);
    t.push(`after: DBSIZE ${text(await c.call('DBSIZE'))} loading:${parseInfo(text(await c.call('INFO', 'persistence'))).get('loading')}`);
    c.destroy();
  } finally {
    child.kill('SIGKILL');
  }
  return t;
}

describe('key-load-delay and loading-process-events-interval-bytes against redis-server', { skip: skipIfNoRedis() }, () => {
  test('a slowed load answers LOADING and shows its progress, then serves every key', async () => {
    const file = await referenceFile();
    const theirs = await scenario('redis', file);
    const ours = await scenario('cinnabar', file);
    assert.deepEqual(ours, theirs);
    assert.equal(theirs[0], 'PING while loading -> -LOADING Redis is loading the dataset in memory');
    assert.equal(theirs[theirs.length - 1], `after: DBSIZE ${KEYS} loading:0`);
  });
});
