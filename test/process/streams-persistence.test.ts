// Streams in the RDB format, against redis-server 7.0 (issue 16, item 1):
//   (a) redis-server fills streams (several nodes, tombstones, IDs above 2^53, empty
//       streams with groups, PELs and consumers) and SAVEs; Cinnabar starts on that
//       dump.rdb and XINFO STREAM FULL answers the same;
//   (b) the reverse: Cinnabar SAVEs, redis-check-rdb approves the file, redis-server
//       starts on it with the same streams;
//   (c) DUMP / RESTORE both ways, and the payload Cinnabar writes is redis-server's
//       byte for byte when both write uncompressed (rdbcompression no) and the times
//       are the same;
//   (d) fuzzed stream DUMP payloads (fast-check, seeded: CINNABAR_SEED replays),
//       with a correct checksum so the decoder itself is exercised: RESTORE answers
//       OK or `ERR Bad data format`, the server never stops answering, and what it
//       accepted reads back whole.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { formatReply, type Reply, type RespClient } from '../../src/protocol/resp-client.js';
import { Crc64 } from '../../src/persistence/crc64.js';
import { seedFromEnv } from '../helpers/random.js';

/** XINFO STREAM FULL without 7.2's active-time (7.0 does not keep it), as text. */
async function full(c: RespClient, key: string): Promise<string> {
  const r = await c.call('XINFO', 'STREAM', key, 'FULL', 'COUNT', '0');
  const strip = (x: Reply): Reply => {
    if (x.t === 'array' && x.v !== null) {
      const out: Reply[] = [];
      for (let i = 0; i < x.v.length; i++) {
        const e = x.v[i];
        if (e.t === 'bulk' && e.v === 'active-time' && i % 2 === 0) {
          i++;
          continue;
        }
        out.push(strip(e));
      }
      return { t: 'array', v: out };
    }
    return x;
  };
  // Whole (formatReply shortens long replies), integers as (int) n as formatReply writes them.
  return JSON.stringify(strip(r), (_k, v: unknown) => (typeof v === 'bigint' ? `(int) ${v}` : v));
}

/** The same streams on a server: explicit IDs and fixed times so both servers hold identical data. */
async function fill(c: RespClient): Promise<string[]> {
  const run = async (...args: string[]) => {
    const r = await c.call(...args);
    if (r.t === 'err') throw new Error(`${args.join(' ')}: ${r.v}`);
  };
  await run('CONFIG', 'SET', 'stream-node-max-entries', '10');
  for (let i = 1; i <= 95; i++) {
    const fields = i % 7 === 0 ? ['other', String(i), 'x', 'y'.repeat(i)] : ['f', String(i * 1000003), 'g', `v${i}`];
    await run('XADD', 'big', `${1000 + (i >> 2)}-${i & 3}`, ...fields);
  }
  await run('XDEL', 'big', '1001-0', '1005-2', '1023-3');
  await run('XTRIM', 'big', 'MAXLEN', '90');
  await run('XGROUP', 'CREATE', 'big', 'g1', '0');
  await run('XGROUP', 'CREATE', 'big', 'g2', '1010-0', 'ENTRIESREAD', '30');
  await run('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 'big', '>');
  await run('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', 'big', '>');
  await run('XREADGROUP', 'GROUP', 'g2', 'carol', 'COUNT', '2', 'NOACK', 'STREAMS', 'big', '>');
  await run('XGROUP', 'CREATECONSUMER', 'big', 'g2', 'idle');
  await run('XACK', 'big', 'g1', '1002-1');
  // Fixed delivery times and counts for every pending entry.
  const pel = await c.call('XPENDING', 'big', 'g1', '-', '+', '100');
  for (const e of (pel.t === 'array' && pel.v) || []) {
    const a = (e as { v: Reply[] }).v;
    await run('XCLAIM', 'big', 'g1', (a[1] as { v: string }).v, '0', (a[0] as { v: string }).v, 'TIME', '1700000000000', 'RETRYCOUNT', '4', 'JUSTID');
  }
  await run('XADD', 'huge', '18446744073709551614-18446744073709551615', 'k', 'v');
  await run('XADD', 'huge', '18446744073709551615-0', 'k', 'v');
  await run('XSETID', 'huge', '18446744073709551615-5', 'ENTRIESADDED', '12', 'MAXDELETEDID', '18446744073709551615-3');
  await run('XGROUP', 'CREATE', 'empty', 'g', '$', 'MKSTREAM');
  await run('XADD', 'gone', '5-0', 'a', 'b');
  await run('XDEL', 'gone', '5-0');
  return ['big', 'huge', 'empty', 'gone'];
}

/** Consumers' seen-time differs between two servers: compare with those zeroed. */
function noSeen(s: string): string {
  return s.replace(/"seen-time"\},\{"t":"int","v":"\(int\) \d+"/g, '"seen-time"},{"t":"int","v":"(int) 0"');
}

describe('streams in RDB files and DUMP payloads (interop with redis-server)', { skip: skipIfNoRedis() }, () => {
  let cin: ServerHandle;
  let red: ServerHandle;
  let cc: RespClient;
  let rc: RespClient;
  let tmp: string;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cinnabar-streams-rdb-'));
    [cin, red] = await Promise.all([startCinnabar(), startRedis()]);
    [cc, rc] = await Promise.all([cin.client(), red.client()]);
  });
  after(async () => {
    await Promise.all([cin?.stop(), red?.stop()]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('(a) a dump.rdb of streams written by redis-server loads into Cinnabar', async () => {
    await rc.call('FLUSHALL');
    const keys = await fill(rc);
    assert.equal((await rc.call('SAVE')).t, 'simple');
    const dir = join(tmp, 'a');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(red.dir, 'dump.rdb'), join(dir, 'dump.rdb'));
    const c2 = await startCinnabar({ args: ['--dir', dir, '--dbfilename', 'dump.rdb'] });
    try {
      const cl = await c2.client();
      for (const k of keys) assert.equal(await full(cl, k), await full(rc, k), `stream ${k}`);
    } finally {
      await c2.stop();
    }
  });

  test('(b) a dump.rdb of streams written by Cinnabar loads into redis-server (redis-check-rdb approves)', async () => {
    await cc.call('FLUSHALL');
    const keys = await fill(cc);
    assert.equal((await cc.call('SAVE')).t, 'simple');
    const dir = join(tmp, 'b');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(cin.dir, 'dump.rdb'), join(dir, 'dump.rdb'));
    assert.match(execFileSync('redis-check-rdb', [join(dir, 'dump.rdb')], { encoding: 'utf8' }), /RDB looks OK/);
    const r2 = await startRedis({ args: ['--dir', dir, '--dbfilename', 'dump.rdb'] });
    try {
      const cl = await r2.client();
      for (const k of keys) assert.equal(await full(cl, k), await full(cc, k), `stream ${k}`);
    } finally {
      await r2.stop();
    }
  });

  test('(c) DUMP / RESTORE both ways; uncompressed payloads are byte for byte redis-server\'s', async () => {
    await Promise.all([cc.call('FLUSHALL'), rc.call('FLUSHALL')]);
    const keys = await fill(cc);
    await fill(rc);
    for (const k of keys) {
      assert.equal(noSeen(await full(cc, k)), noSeen(await full(rc, k)), `the same stream ${k} on both`);
      for (const [from, to, what] of [
        [rc, cc, 'redis-server -> Cinnabar'],
        [cc, rc, 'Cinnabar -> redis-server'],
      ] as const) {
        const d = await from.call('DUMP', k);
        assert.equal(d.t, 'bulk');
        const r = await to.call('RESTORE', `copy:${k}`, '0', d.v as string);
        assert.deepEqual(r, { t: 'simple', v: 'OK' }, `${what}: RESTORE ${k}`);
        assert.equal(await full(to, `copy:${k}`), await full(from, k), `${what}: ${k}`);
      }
    }
    // Same data, same times (a stream without consumers): the same bytes.
    await Promise.all([cc.call('CONFIG', 'SET', 'rdbcompression', 'no'), rc.call('CONFIG', 'SET', 'rdbcompression', 'no')]);
    for (const c of [cc, rc]) {
      await c.call('DEL', 'plain');
      for (let i = 1; i <= 30; i++) await c.call('XADD', 'plain', `${i * 7}-${i}`, 'field', String(i), ...(i % 5 === 0 ? ['extra', 'x'] : []));
      await c.call('XDEL', 'plain', '14-2');
      await c.call('XGROUP', 'CREATE', 'plain', 'g', '$', 'ENTRIESREAD', '7');
    }
    const [dc, dr] = await Promise.all([cc.call('DUMP', 'plain'), rc.call('DUMP', 'plain')]);
    assert.equal(dc.t, 'bulk');
    assert.equal(Buffer.from(dc.v as string, 'latin1').toString('hex'), Buffer.from((dr as { v: string }).v, 'latin1').toString('hex'));
    await Promise.all([cc.call('CONFIG', 'SET', 'rdbcompression', 'yes'), rc.call('CONFIG', 'SET', 'rdbcompression', 'yes')]);
  });

  test('(d) fuzzed stream DUMP payloads: OK or ERR Bad data format, never a crash', async () => {
    await cc.call('FLUSHALL');
    await fill(cc);
    const payloads: Buffer[] = [];
    for (const k of ['big', 'huge', 'empty']) {
      const d = await cc.call('DUMP', k);
      payloads.push(Buffer.from((d as { v: string }).v, 'latin1'));
    }
    const seed = seedFromEnv('stream dump fuzz');
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(payloads.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.nat(3)), { minLength: 1, maxLength: 4 }),
        async (which, edits) => {
          const src = payloads[which];
          let body = Buffer.from(src.subarray(0, src.length - 10));
          for (const [pos, byte, kind] of edits) {
            const p = pos % body.length;
            if (kind === 0) body[p] = byte;
            else if (kind === 1) body[p] ^= 1 << (byte & 7);
            else if (kind === 2) body = Buffer.concat([body.subarray(0, p), body.subarray(p + 1 + (byte & 7))]);
            else body = Buffer.concat([body.subarray(0, p), Buffer.from([byte, byte ^ 0x81]), body.subarray(p)]);
          }
          const footer = Buffer.alloc(10);
          src.copy(footer, 0, src.length - 10, src.length - 8);
          const payload = Buffer.concat([body, footer.subarray(0, 2)]);
          const crc = Buffer.alloc(8);
          new Crc64().update(payload, 0, payload.length).writeLE(crc, 0);
          const r = await cc.call('RESTORE', 'fuzz', '0', Buffer.concat([payload, crc]).toString('latin1'), 'REPLACE');
          if (r.t === 'simple') {
            accepted++;
            const t = await cc.call('TYPE', 'fuzz');
            if (t.t === 'simple' && t.v === 'stream') {
              const x = await cc.call('XINFO', 'STREAM', 'fuzz', 'FULL');
              assert.notEqual(x.t, 'err', formatReply(x));
              const rg = await cc.call('XRANGE', 'fuzz', '-', '+');
              assert.equal(rg.t, 'array');
            }
          } else {
            refused++;
            assert.deepEqual(r, { t: 'err', v: 'ERR Bad data format' });
          }
          assert.deepEqual(await cc.call('PING'), { t: 'simple', v: 'PONG' });
        },
      ),
      { seed, numRuns: 400 },
    );
    assert.ok(refused > 100, `most corruptions are refused (${refused} refused, ${accepted} accepted)`);
  });
});

describe('streams in an AOF rewrite made of commands (aof-use-rdb-preamble no)', { skip: skipIfNoRedis() }, () => {
  test('BGREWRITEAOF writes XADD / XSETID / XGROUP CREATE ENTRIESREAD / XCLAIM for streams with groups: the same commands as redis-server writes, and DEBUG LOADAOF of it holds the same streams', async () => {
    const args = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'];
    const [cin, red] = await Promise.all([startCinnabar({ args: [...args, '--enable-debug-command', 'yes'] }), startRedis({ args })]);
    try {
      const [cc, rc] = await Promise.all([cin.client(), red.client()]);
      const keys = await fill(cc);
      await fill(rc);
      const rewritten = async (c: RespClient) => {
        await c.call('BGREWRITEAOF');
        for (const deadline = Date.now() + 10000; ; ) {
          const inf = await c.call('INFO', 'persistence');
          if (/aof_rewrite_in_progress:0/.test((inf as { v: string }).v) && /aof_rewrite_scheduled:0/.test((inf as { v: string }).v)) break;
          if (Date.now() > deadline) throw new Error('the rewrite did not end');
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await Promise.all([rewritten(cc), rewritten(rc)]);
      // The base files hold the same commands (in their servers' key order; TIME values
      // and seen-times aside: the delivery times are fixed by fill()).
      const { readdirSync, readFileSync } = await import('node:fs');
      const commands = (dir: string): string[] => {
        const d = join(dir, 'appendonlydir');
        const buf = readFileSync(join(d, readdirSync(d).find((n) => n.includes('.base.aof'))!), 'latin1');
        const out: string[] = [];
        let p = 0;
        while (p < buf.length) {
          const eol = buf.indexOf('\r\n', p);
          const n = Number(buf.slice(p + 1, eol));
          p = eol + 2;
          const argv: string[] = [];
          for (let i = 0; i < n; i++) {
            const e2 = buf.indexOf('\r\n', p);
            const len = Number(buf.slice(p + 1, e2));
            argv.push(buf.slice(e2 + 2, e2 + 2 + len));
            p = e2 + 2 + len + 2;
          }
          out.push(argv.join(' '));
        }
        return out.filter((x) => !x.startsWith('SELECT')).sort();
      };
      const ourCmds = commands(cin.dir);
      assert.deepEqual(ourCmds, commands(red.dir));
      assert.ok(ourCmds.some((x) => x.startsWith('XCLAIM big g1 alice 0 ') && x.endsWith(' TIME 1700000000000 RETRYCOUNT 4 JUSTID FORCE')), 'XCLAIM of the PEL');
      assert.ok(ourCmds.includes('XADD empty MAXLEN 0 0-1 x y'), 'an empty stream');
      // Loading the rewritten AOF gives the same streams (re-added entries fill their
      // nodes anew, as in Redis: the radix-tree figures may change; seen-times are the
      // load's own).
      const layoutFree = (x: string): string => noSeen(x).replace(/"radix-tree-(keys|nodes)"\},\{"t":"int","v":"\(int\) \d+"/g, '');
      const before = new Map<string, string>();
      for (const k of keys) before.set(k, layoutFree(await full(cc, k)));
      assert.deepEqual(await cc.call('DEBUG', 'LOADAOF'), { t: 'simple', v: 'OK' });
      for (const k of keys) assert.equal(layoutFree(await full(cc, k)), before.get(k), `stream ${k} after DEBUG LOADAOF`);
    } finally {
      await Promise.all([cin.stop(), red.stop()]);
    }
  });
});
