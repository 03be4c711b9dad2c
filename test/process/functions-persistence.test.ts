// Function libraries in files and full syncs, with redis-server on the other side
// (issue 15, item 6):
//   - RDB both ways: a dump.rdb with functions written by redis-server loads into
//     Cinnabar with them callable, and Cinnabar's into redis-server;
//   - AOF: the aof-use-rdb-preamble and plain rewrites carry the libraries, FUNCTION
//     LOAD/DELETE after the rewrite go to the incr file; the directory loads back into
//     Cinnabar and into redis-server with the same libraries;
//   - replication both ways: a Cinnabar primary's libraries reach a redis-server and a
//     Cinnabar replica by full sync (replacing what the replica had) and FUNCTION
//     LOAD/DELETE/RESTORE/FLUSH and FCALL's writes by the stream; a redis-server
//     primary's reach a Cinnabar replica the same way;
//   - `redis-cli --functions-rdb` (REPLCONF rdb-filter-only functions) gets an RDB
//     of the libraries and no keys, from either server;
//   - the script cache is not persisted (SCRIPT EXISTS after a restart) nor
//     replicated, on both servers.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { waitInSync } from '../helpers/replication.js';
import { waitFor, call } from '../helpers/wait.js';
import type { Plain } from '../../src/protocol/resp-client.js';
import { loadRdb } from '../../src/persistence/rdb.js';
import { Config } from '../../src/config/config.js';

const run = promisify(execFile);

const LIB_A = "#!lua name=liba\nredis.register_function('fa', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)";
const LIB_B = "#!lua name=libb\nredis.register_function{function_name='fb', callback=function() return 'b' end, flags={'no-writes'}, description='says b'}";
const LIB_C = "#!lua name=libc\nredis.register_function('fc', function() return 'c' end)";

/** FUNCTION LIST WITHCODE as plain data, libraries sorted by name (Redis's order is its hash table's). */
async function libraries(port: number): Promise<Plain> {
  const r = (await call(port, 'FUNCTION', 'LIST', 'WITHCODE')) as Plain[];
  return [...r].sort((x, y) => String((x as Plain[])[1]).localeCompare(String((y as Plain[])[1])));
}

async function ok(port: number, ...args: string[]): Promise<Plain> {
  const r = await call(port, ...args);
  if (r instanceof Error) assert.fail(`${args.join(' ')}: ${r.message}`);
  return r;
}

describe('function libraries in RDB, AOF and full syncs, with redis-server', { skip: skipIfNoRedis() }, () => {
  const started: ServerHandle[] = [];
  const dirs: string[] = [];
  const mkdir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'cinnabar-fn-'));
    dirs.push(d);
    return d;
  };
  after(async () => {
    await Promise.all(started.map((h) => h.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const start = async (kind: 'redis' | 'cinnabar', args: string[]): Promise<ServerHandle> => {
    const h = await (kind === 'redis' ? startRedis({ args }) : startCinnabar({ args }));
    started.push(h);
    return h;
  };

  test('RDB both ways: the libraries load and are callable', async () => {
    const d1 = mkdir();
    const theirs = await start('redis', ['--dir', d1]);
    await ok(theirs.port, 'FUNCTION', 'LOAD', LIB_A);
    await ok(theirs.port, 'FUNCTION', 'LOAD', LIB_B);
    await ok(theirs.port, 'SET', 'n', '5');
    await ok(theirs.port, 'SAVE');
    const want = await libraries(theirs.port);
    await theirs.stop();
    // redis-server's dump.rdb into Cinnabar.
    const ours = await start('cinnabar', ['--dir', d1]);
    assert.deepEqual(await libraries(ours.port), want);
    assert.equal(await call(ours.port, 'FCALL', 'fa', '1', 'n', '2'), 7);
    assert.equal(await call(ours.port, 'FCALL_RO', 'fb', '0'), 'b');
    await ok(ours.port, 'FUNCTION', 'LOAD', LIB_C);
    await ok(ours.port, 'SAVE');
    const want2 = await libraries(ours.port);
    await ours.stop();
    // And Cinnabar's into redis-server.
    const back = await start('redis', ['--dir', d1]);
    assert.deepEqual(await libraries(back.port), want2);
    assert.equal(await call(back.port, 'FCALL', 'fa', '1', 'n', '1'), 8);
    assert.equal(await call(back.port, 'FCALL', 'fc', '0'), 'c');
    await back.stop();
  });

  for (const preamble of ['yes', 'no']) {
    test(`AOF with aof-use-rdb-preamble ${preamble}: the rewrite and the incr file carry the libraries, into both servers`, async () => {
      const d = mkdir();
      const args = ['--dir', d, '--appendonly', 'yes', '--aof-use-rdb-preamble', preamble];
      const ours = await start('cinnabar', args);
      await ok(ours.port, 'FUNCTION', 'LOAD', LIB_A);
      await ok(ours.port, 'FUNCTION', 'LOAD', LIB_B);
      await ok(ours.port, 'FCALL', 'fa', '1', 'n', '3');
      await ok(ours.port, 'BGREWRITEAOF');
      await waitFor('the rewrite to end', async () => {
        const i = String(await call(ours.port, 'INFO', 'persistence'));
        return /aof_rewrite_in_progress:0/.test(i) && /aof_rewrite_scheduled:0/.test(i) && /aof_last_bgrewrite_status:ok/.test(i) || undefined;
      }, 20000);
      // After the rewrite: to the incr file.
      await ok(ours.port, 'FUNCTION', 'LOAD', LIB_C);
      await ok(ours.port, 'FUNCTION', 'DELETE', 'libb');
      await ok(ours.port, 'FCALL', 'fa', '1', 'n', '4');
      const want = await libraries(ours.port);
      await ours.stop();
      const again = await start('cinnabar', args);
      assert.deepEqual(await libraries(again.port), want);
      assert.equal(await call(again.port, 'GET', 'n'), '7');
      await again.stop();
      const theirs = await start('redis', args);
      assert.deepEqual(await libraries(theirs.port), want);
      assert.equal(await call(theirs.port, 'FCALL', 'fa', '1', 'n', '1'), 8);
      await theirs.stop();
    });
  }

  test('a Cinnabar primary: full sync and the stream carry the libraries to a redis-server and a Cinnabar replica', async () => {
    const primary = await start('cinnabar', []);
    await ok(primary.port, 'FUNCTION', 'LOAD', LIB_A);
    await ok(primary.port, 'FCALL', 'fa', '1', 'n', '10');
    const [r1, r2] = await Promise.all([start('redis', []), start('cinnabar', [])]);
    // What a replica had goes at the full sync.
    for (const r of [r1, r2]) {
      await ok(r.port, 'FUNCTION', 'LOAD', LIB_C);
      await ok(r.port, 'REPLICAOF', '127.0.0.1', String(primary.port));
    }
    await Promise.all([waitInSync(primary.port, r1.port), waitInSync(primary.port, r2.port)]);
    for (const r of [r1, r2]) assert.deepEqual(await libraries(r.port), await libraries(primary.port), `replica ${r.kind} after the full sync`);
    const dump = String(await ok(primary.port, 'FUNCTION', 'DUMP'));
    // SCRIPT LOAD is not propagated (scripts replicate by their effects).
    await ok(primary.port, 'SCRIPT', 'LOAD', 'return 1');
    await ok(primary.port, 'FUNCTION', 'LOAD', LIB_B);
    await ok(primary.port, 'FCALL', 'fa', '1', 'n', '5');
    await ok(primary.port, 'FUNCTION', 'LOAD', 'REPLACE', LIB_A.replace("'incrby'", "'decrby'"));
    await ok(primary.port, 'FCALL', 'fa', '1', 'n', '1');
    await ok(primary.port, 'FUNCTION', 'DELETE', 'libb');
    await ok(primary.port, 'FUNCTION', 'RESTORE', dump, 'REPLACE');
    await ok(primary.port, 'FUNCTION', 'LOAD', LIB_C);
    await Promise.all([waitInSync(primary.port, r1.port), waitInSync(primary.port, r2.port)]);
    const want = await libraries(primary.port);
    for (const r of [r1, r2]) {
      assert.deepEqual(await libraries(r.port), want, `replica ${r.kind} after the stream`);
      assert.equal(await call(r.port, 'GET', 'n'), '14');
      // The script cache is not replicated (the primary has the script).
      assert.deepEqual(await call(primary.port, 'SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'), [1]);
      assert.deepEqual(await call(r.port, 'SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'), [0]);
    }
    await ok(primary.port, 'FUNCTION', 'FLUSH');
    await Promise.all([waitInSync(primary.port, r1.port), waitInSync(primary.port, r2.port)]);
    for (const r of [r1, r2]) assert.deepEqual(await call(r.port, 'FUNCTION', 'LIST'), []);
  });

  test('a redis-server primary: full sync and the stream carry the libraries to a Cinnabar replica', async () => {
    const primary = await start('redis', []);
    await ok(primary.port, 'FUNCTION', 'LOAD', LIB_A);
    const replica = await start('cinnabar', []);
    await ok(replica.port, 'FUNCTION', 'LOAD', LIB_C);
    await ok(replica.port, 'REPLICAOF', '127.0.0.1', String(primary.port));
    await waitInSync(primary.port, replica.port);
    assert.deepEqual(await libraries(replica.port), await libraries(primary.port));
    await ok(primary.port, 'FUNCTION', 'LOAD', LIB_B);
    await ok(primary.port, 'FCALL', 'fa', '1', 'n', '2');
    await ok(primary.port, 'FUNCTION', 'DELETE', 'liba');
    await waitInSync(primary.port, replica.port);
    assert.deepEqual(await libraries(replica.port), await libraries(primary.port));
    assert.equal(await call(replica.port, 'GET', 'n'), '2');
    assert.equal(await call(replica.port, 'FCALL_RO', 'fb', '0'), 'b');
  });

  test('redis-cli --functions-rdb: the libraries and no keys, from either server', async () => {
    const out = mkdir();
    const got: Array<{ codes: string[]; keys: number }> = [];
    for (const kind of ['redis', 'cinnabar'] as const) {
      const h = await start(kind, []);
      await ok(h.port, 'FUNCTION', 'LOAD', LIB_A);
      await ok(h.port, 'FUNCTION', 'LOAD', LIB_B);
      await ok(h.port, 'SET', 'k', 'v');
      await ok(h.port, 'HSET', 'h', 'f', 'v');
      const file = join(out, `${kind}.rdb`);
      await run('redis-cli', ['-p', String(h.port), '--functions-rdb', file], { timeout: 20000 });
      const codes: string[] = [];
      let keys = 0;
      loadRdb(readFileSync(file), { config: new Config(), dbCount: 16, now: 0, onKey: () => keys++, onFunction: (c) => codes.push(c) });
      got.push({ codes: codes.sort(), keys });
      await h.stop();
    }
    assert.deepEqual(got[1], got[0]);
    assert.deepEqual(got[1], { codes: [LIB_A, LIB_B], keys: 0 });
    // And Cinnabar's file loads into redis-server.
    const theirs = await start('redis', ['--dir', out, '--dbfilename', 'cinnabar.rdb']);
    assert.equal(await call(theirs.port, 'DBSIZE'), 0);
    assert.equal(await call(theirs.port, 'FCALL_RO', 'fb', '0'), 'b');
  });

  test('the script cache is not persisted: after SAVE and a restart the functions are back, the scripts are not, on both servers', async () => {
    const got: Plain[] = [];
    for (const kind of ['redis', 'cinnabar'] as const) {
      const d = mkdir();
      const h = await start(kind, ['--dir', d]);
      const sha = await ok(h.port, 'SCRIPT', 'LOAD', 'return 42');
      await ok(h.port, 'FUNCTION', 'LOAD', LIB_C);
      await ok(h.port, 'SAVE');
      await h.stop();
      const again = await start(kind, ['--dir', d]);
      got.push([await call(again.port, 'SCRIPT', 'EXISTS', String(sha)), await call(again.port, 'FCALL', 'fc', '0')]);
      await again.stop();
    }
    assert.deepEqual(got[1], got[0]);
    assert.deepEqual(got[1], [[0], 'c']);
  });
});
