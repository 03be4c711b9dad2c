// BGSAVE without fork: a point-in-time snapshot written in slices while the
// server keeps serving, checked with real processes:
//   - under a write load that overwrites, deletes and creates keys, the dump.rdb
//     loaded by redis-server holds exactly the keys and values of the moment BGSAVE
//     was called, and copy-on-write happened (rdb_last_cow_size > 0);
//   - replies and errors (already in progress, SAVE during BGSAVE, SCHEDULE,
//     syntax), INFO persistence fields, LASTSAVE;
//   - save points trigger a BGSAVE; a failing BGSAVE turns writes into MISCONF
//     errors until a save succeeds;
//   - kill -9 during a BGSAVE leaves the previous dump.rdb intact and loadable;
//   - FLUSHALL during a BGSAVE stops it: the file never goes back to the old data.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { formatReply, type RespClient, type Reply } from '../../src/protocol/resp-client.js';
import { parseInfo, waitFor } from '../helpers/wait.js';

const tmp = mkdtempSync(join(tmpdir(), 'cinnabar-bgsave-'));
const started: ServerHandle[] = [];
after(async () => {
  for (const s of started) await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function cinnabar(args: string[] = []): Promise<ServerHandle> {
  const s = await startCinnabar({ args: ['--enable-debug-command', 'yes', ...args] });
  started.push(s);
  return s;
}

function text(r: Reply): string {
  if (r.t === 'simple' || r.t === 'err') return r.v;
  if (r.t === 'bulk' && r.v !== null) return r.v;
  if (r.t === 'int') return String(r.v);
  return formatReply(r);
}

/** One INFO persistence field, through an open connection. */
async function pinfo(c: RespClient, field: string): Promise<string> {
  const v = parseInfo(text(await c.call('INFO', 'persistence'))).get(field);
  if (v === undefined) throw new Error(`INFO persistence has no ${field}`);
  return v;
}

async function bgsaveDone(c: RespClient, what: string, ms = 60000): Promise<void> {
  await waitFor(what, async () => (await pinfo(c, 'rdb_bgsave_in_progress')) === '0', ms, 50);
}

/** Starts redis-server on a copy of `file` and hands a client to `fn`. */
async function withRedisOn(file: string, fn: (c: RespClient) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmp, 'load-'));
  copyFileSync(file, join(dir, 'dump.rdb'));
  const r = await startRedis({ args: ['--dir', dir, '--dbfilename', 'dump.rdb'], startTimeoutMs: 60000 });
  try {
    await fn(await r.client());
  } finally {
    await r.stop();
  }
}

describe('BGSAVE (fork-less snapshot)', { skip: skipIfNoRedis() }, () => {
  test('point in time under a write load: redis-server loads exactly the keys of the start', async () => {
    const N = 200_000;
    const s = await cinnabar();
    const c = await s.client();
    assert.equal(text(await c.call('DEBUG', 'POPULATE', String(N), 'key', '16')), 'OK');
    const w = await s.client();
    assert.equal(text(await c.call('BGSAVE')), 'Background saving started');
    // While it runs: overwrite, delete and create keys, in pipelined batches.
    let overwritten = 0;
    let deleted = 0;
    let created = 0;
    let rounds = 0;
    while ((await pinfo(c, 'rdb_bgsave_in_progress')) === '1') {
      const batch: Array<Promise<Reply>> = [];
      for (let i = 0; i < 200; i++) {
        const k = (rounds * 7919 + i * 104729) % N;
        if (i % 3 === 0) {
          batch.push(w.call('SET', `key:${k}`, 'changed'));
          overwritten++;
        } else if (i % 3 === 1) {
          batch.push(w.call('DEL', `key:${k}`));
          deleted++;
        } else {
          batch.push(w.call('SET', `new:${rounds}:${i}`, 'n'));
          created++;
        }
      }
      await Promise.all(batch);
      rounds++;
    }
    const cow = Number(await pinfo(c, 'rdb_last_cow_size'));
    assert.equal(await pinfo(c, 'rdb_last_bgsave_status'), 'ok');
    console.log(`# BGSAVE of ${N} keys: ${rounds} write rounds during it (${overwritten} SET, ${deleted} DEL, ${created} new keys), ${cow} bytes copied on write`);
    assert.ok(rounds > 0 && cow > 0, 'writes reached keys the snapshot had not saved yet');
    await withRedisOn(join(s.dir, 'dump.rdb'), async (r) => {
      assert.equal(Number(text(await r.call('DBSIZE'))), N);
      let wrong = 0;
      for (let base = 0; base < N; base += 1000) {
        const keys: string[] = [];
        for (let i = base; i < base + 1000; i++) keys.push(`key:${i}`);
        const vals = await r.call('MGET', ...keys);
        assert.equal(vals.t, 'array');
        (vals.v as Reply[]).forEach((v, j) => {
          // DEBUG POPULATE's value: "value:<i>" padded to the size.
          if (v.t !== 'bulk' || v.v === null || !v.v.startsWith(`value:${base + j}`)) wrong++;
        });
      }
      assert.equal(wrong, 0, `${wrong} keys differ from the start of the snapshot`);
      assert.equal(text(await r.call('EXISTS', 'new:0:2')), '0');
    });
  });

  test('replies, errors, INFO persistence and LASTSAVE', async () => {
    const s = await cinnabar();
    const c = await s.client();
    await c.call('DEBUG', 'POPULATE', '300000');
    await c.call('SET', 'x', '1');
    const before = Number(text(await c.call('LASTSAVE')));
    // DEBUG POPULATE is not counted as changes (as in Redis); the SET is.
    assert.equal(await pinfo(c, 'rdb_changes_since_last_save'), '1');
    assert.equal(text(await c.call('BGSAVE')), 'Background saving started');
    assert.equal(text(await c.call('BGSAVE')), 'ERR Background save already in progress');
    assert.equal(text(await c.call('SAVE')), 'ERR Background save already in progress');
    assert.equal(await pinfo(c, 'rdb_bgsave_in_progress'), '1');
    assert.equal(text(await c.call('BGSAVE', 'foo')), 'ERR syntax error');
    await bgsaveDone(c, 'first BGSAVE');
    assert.equal(await pinfo(c, 'rdb_last_bgsave_status'), 'ok');
    assert.equal(await pinfo(c, 'rdb_changes_since_last_save'), '0');
    assert.ok(Number(await pinfo(c, 'rdb_saves')) >= 1);
    assert.ok(Number(text(await c.call('LASTSAVE'))) >= before);
    assert.ok(existsSync(join(s.dir, 'dump.rdb')));
    // SCHEDULE with nothing else running starts at once; inside MULTI it is scheduled.
    assert.equal(text(await c.call('BGSAVE', 'SCHEDULE')), 'Background saving started');
    await bgsaveDone(c, 'BGSAVE SCHEDULE');
    await c.call('MULTI');
    await c.call('BGSAVE');
    const exec = await c.call('EXEC');
    assert.equal(formatReply(exec), '[+Background saving scheduled]');
    await waitFor('the scheduled BGSAVE to run from the cron', async () => Number(await pinfo(c, 'rdb_saves')) >= 3, 20000, 50);
  });

  test('save points trigger BGSAVE; a failing BGSAVE gives MISCONF until a save succeeds', async () => {
    const s = await cinnabar(['--save', '1 5', '--enable-protected-configs', 'yes']);
    const c = await s.client();
    for (let i = 0; i < 10; i++) await c.call('SET', `k${i}`, 'v');
    await waitFor('the save point to fire', async () => Number(await pinfo(c, 'rdb_saves')) >= 1, 20000, 50);
    // rdb_saves counts a BGSAVE when it starts (as Redis): wait for it to end too.
    await bgsaveDone(c, 'the save point BGSAVE');
    assert.match(s.output(), /5 changes in 1 seconds\. Saving\.\.\./);
    // Make the next save fail: the directory goes away.
    const dir = join(tmp, 'gone');
    rmSync(dir, { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(dir);
    assert.equal(text(await c.call('CONFIG', 'SET', 'dir', dir)), 'OK');
    rmSync(dir, { recursive: true, force: true });
    assert.equal(text(await c.call('BGSAVE')), 'Background saving started');
    await bgsaveDone(c, 'failing BGSAVE');
    assert.equal(await pinfo(c, 'rdb_last_bgsave_status'), 'err');
    assert.match(text(await c.call('SET', 'a', 'b')), /^MISCONF /);
    assert.match(text(await c.call('PING')), /^MISCONF /);
    assert.equal(text(await c.call('GET', 'k1')), 'v', 'reads still served');
    assert.equal(text(await c.call('CONFIG', 'SET', 'dir', s.dir)), 'OK');
    assert.equal(text(await c.call('BGSAVE')), 'Background saving started');
    await bgsaveDone(c, 'BGSAVE after the fix');
    assert.equal(text(await c.call('SET', 'a', 'b')), 'OK');
  });

  test('kill -9 during BGSAVE leaves the previous dump.rdb intact and loadable', async () => {
    const s = await cinnabar();
    const c = await s.client();
    await c.call('DEBUG', 'POPULATE', '1000', 'old');
    await c.call('SET', 'marker', 'first-save');
    assert.equal(text(await c.call('SAVE')), 'OK');
    await c.call('FLUSHALL');
    await c.call('DEBUG', 'POPULATE', '1000000', 'big');
    await c.call('SET', 'marker', 'second');
    assert.equal(text(await c.call('BGSAVE')), 'Background saving started');
    await waitFor('BGSAVE under way', async () => Number(await pinfo(c, 'current_save_keys_processed')) > 1000, 20000, 10);
    s.kill('SIGKILL');
    await s.waitExit();
    await withRedisOn(join(s.dir, 'dump.rdb'), async (r) => {
      assert.equal(text(await r.call('GET', 'marker')), 'first-save');
      assert.equal(text(await r.call('DBSIZE')), '1001');
    });
    console.log('# kill -9 during BGSAVE: previous dump.rdb loaded by redis-server with its 1001 keys');
  });

  test('SHUTDOWN during BGSAVE saves the current data, not the older snapshot', async () => {
    const s = await cinnabar(['--save', '3600 1']);
    const c = await s.client();
    await c.call('DEBUG', 'POPULATE', '500000');
    assert.equal(text(await c.call('BGSAVE')), 'Background saving started');
    await c.call('SET', 'late', 'write');
    await c.call('DEL', 'key:7');
    c.call('SHUTDOWN').catch(() => {});
    await s.waitExit();
    await withRedisOn(join(s.dir, 'dump.rdb'), async (r) => {
      assert.equal(text(await r.call('GET', 'late')), 'write');
      assert.equal(text(await r.call('EXISTS', 'key:7')), '0');
      assert.equal(text(await r.call('DBSIZE')), '500000');
    });
  });

  test('FLUSHALL during BGSAVE stops it; the old data never comes back', async () => {
    const s = await cinnabar();
    const c = await s.client();
    await c.call('DEBUG', 'POPULATE', '500000');
    assert.equal(text(await c.call('BGSAVE')), 'Background saving started');
    assert.equal(text(await c.call('FLUSHALL')), 'OK');
    assert.equal(await pinfo(c, 'rdb_bgsave_in_progress'), '0');
    await c.call('SET', 'after', '1');
    // No save points: FLUSHALL saved nothing and the stopped BGSAVE renamed nothing.
    assert.ok(!existsSync(join(s.dir, 'dump.rdb')), 'no dump.rdb with the flushed data');
    assert.equal(await pinfo(c, 'rdb_last_bgsave_status'), 'ok', 'a stop on purpose is not an error');
    assert.equal(text(await c.call('BGSAVE')), 'Background saving started');
    await bgsaveDone(c, 'BGSAVE after FLUSHALL');
    await withRedisOn(join(s.dir, 'dump.rdb'), async (r) => {
      assert.equal(text(await r.call('DBSIZE')), '1');
    });
  });
});
