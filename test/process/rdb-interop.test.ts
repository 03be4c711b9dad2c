// RDB interoperability with Debian's redis-server 7.0:
//   (a) redis-server fills every type in every encoding it writes, SAVEs; Cinnabar's
//       loader reads that dump.rdb (in-process server) and holds the same keys,
//       values and TTLs;
//   (b) Cinnabar fills, SAVEs; redis-server starts on that file (and
//       redis-check-rdb approves it) and holds the same data;
//   (c) DUMP from redis-server RESTOREd into Cinnabar, and the reverse, all types;
//   (d) payloads in the legacy encodings (ziplist, zipmap, quicklist 1, old zset,
//       plain list) and quicklist 2 with plain nodes, RESTOREd into both servers
//       (redis-server validating deeply) give the same values;
//   (e) RESTORE / DUMP replies and errors compared with redis-server.

import { createServer } from '../../src/compose/compose.js';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { RespClient, formatReply, parseRespDouble, type Reply } from '../../src/protocol/resp-client.js';
import { Rng } from '../helpers/random.js';
import { Config } from '../../src/config/config.js';
import { Server } from '../../src/server/server.js';
import { loadRdbFile } from '../../src/persistence/persistence.js';
import { Crc64 } from '../../src/persistence/crc64.js';
import { ByteWriter, ListpackBuilder, buildIntset } from '../../src/persistence/encodings.js';
import { buildZiplist, buildZipmap } from '../../src/persistence/legacy.js';
import { RDB_TYPE, loadRdb, writeBlob, writeLen, writeString } from '../../src/persistence/rdb.js';
import { canon, type Canon } from '../unit/rdb-helpers.js';
import { functionsOf } from '../../src/scripting/functions.js';

const SEED = 0xd1ce;
const NDB = 16;

interface KeyState {
  v: Canon;
  exp: number;
}

function str(r: Reply): string {
  if (r.t === 'bulk' && r.v !== null) return r.v;
  if (r.t === 'simple') return r.v;
  throw new Error(`expected a string, got ${formatReply(r)}`);
}

function arr(r: Reply): Reply[] {
  if ((r.t === 'array' && r.v !== null) || r.t === 'set') return r.v as Reply[];
  throw new Error(`expected an array, got ${formatReply(r)}`);
}

function int(r: Reply): number {
  if (r.t === 'int') return Number(r.v);
  throw new Error(`expected an integer, got ${formatReply(r)}`);
}

function byField(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Reads one key as plain data; null when it does not exist. */
async function readKey(c: RespClient, key: string): Promise<KeyState | null> {
  const type = str(await c.call('TYPE', key));
  let v: Canon;
  switch (type) {
    case 'none':
      return null;
    case 'string':
      v = { type: 'string', v: str(await c.call('GET', key)) };
      break;
    case 'list':
      v = { type: 'list', v: arr(await c.call('LRANGE', key, '0', '-1')).map(str) };
      break;
    case 'set':
      v = { type: 'set', v: arr(await c.call('SMEMBERS', key)).map(str).sort() };
      break;
    case 'zset': {
      const flat = arr(await c.call('ZRANGE', key, '0', '-1', 'WITHSCORES')).map(str);
      const pairs: Array<[string, number]> = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], parseRespDouble(flat[i + 1])]);
      v = { type: 'zset', v: pairs };
      break;
    }
    case 'hash': {
      const flat = arr(await c.call('HGETALL', key)).map(str);
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
      v = { type: 'hash', v: pairs.sort(byField) };
      break;
    }
    default:
      throw new Error(`unexpected type ${type} of ${key}`);
  }
  return { v, exp: int(await c.call('PEXPIRETIME', key)) };
}

/** Every key of every database: "db:key" -> value and absolute expiry. */
async function readAll(c: RespClient): Promise<Map<string, KeyState>> {
  const out = new Map<string, KeyState>();
  for (let db = 0; db < NDB; db++) {
    await c.call('SELECT', String(db));
    let cursor = '0';
    const keys: string[] = [];
    do {
      const r = arr(await c.call('SCAN', cursor, 'COUNT', '1000'));
      cursor = str(r[0]);
      for (const k of arr(r[1])) keys.push(str(k));
    } while (cursor !== '0');
    for (const k of keys) {
      const s = await readKey(c, k);
      if (s !== null) out.set(`${db}:${k}`, s);
    }
  }
  await c.call('SELECT', '0');
  return out;
}

function readServer(s: Server): Map<string, KeyState> {
  const out = new Map<string, KeyState>();
  for (const db of s.ks.dbs) {
    for (const [k, o] of db.dict) {
      const c = canon(o);
      if (c.type === 'hash') c.v.sort(byField);
      out.set(`${db.id}:${k}`, { v: c, exp: db.getExpire(k) });
    }
  }
  return out;
}

function assertSameKeyspace(ours: Map<string, KeyState>, theirs: Map<string, KeyState>, what: string): void {
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), `${what}: same key names`);
  for (const [k, t] of theirs) assert.deepEqual(ours.get(k), t, `${what}: key ${JSON.stringify(k)}`);
}

async function ok(c: RespClient, ...args: string[]): Promise<void> {
  const r = await c.call(...args);
  if (r.t === 'err') throw new Error(`${args.join(' ').slice(0, 200)} -> ${r.v}`);
}

/**
 * Fills a server with every type in its compact and big encodings, several
 * databases and TTLs. `redisExtras` adds what only redis-server can do (plain
 * quicklist nodes through DEBUG, compressed quicklist nodes, a function library).
 */
async function fillAllTypes(c: RespClient, prefix: string, redisExtras: boolean): Promise<number> {
  const rng = new Rng(SEED);
  const p = prefix;
  const far = String(Date.now() + 86_400_000 * 365);
  const cmds: string[][] = [];
  // strings
  cmds.push(['SET', p + 'str:int', '12345']);
  cmds.push(['SET', p + 'str:neg', '-7']);
  cmds.push(['SET', p + 'str:int64', '9223372036854775807']);
  cmds.push(['SET', p + 'str:notint', '007']);
  cmds.push(['SET', p + 'str:float', '3.14']);
  cmds.push(['SET', p + 'str:short', 'hello']);
  cmds.push(['SET', p + 'str:empty', '']);
  cmds.push(['SET', p + 'str:long', 'abcdefgh'.repeat(200)]);
  cmds.push(['SET', p + 'str:binary', rng.bytes(2000)]);
  cmds.push(['SET', p + 'str:ttl', 'v', 'PXAT', far]);
  cmds.push(['SET', p + 'str:ttl2', 'v', 'EX', '5000']);
  // lists
  cmds.push(['RPUSH', p + 'list:small', 'a', 'b', '1', '-2', '9223372036854775807', '']);
  const big: string[] = [];
  for (let i = 0; i < 3000; i++) big.push(i % 3 === 0 ? String(i) : 'item-' + i + '-' + rng.alnum(rng.range(0, 30)));
  for (let i = 0; i < big.length; i += 500) cmds.push(['RPUSH', p + 'list:big', ...big.slice(i, i + 500)]);
  cmds.push(['RPUSH', p + 'list:bigelems', 'x'.repeat(10000), rng.bytes(9000), 'y']);
  cmds.push(['RPUSH', p + 'list:ttl', 'a']);
  cmds.push(['PEXPIREAT', p + 'list:ttl', far]);
  // sets
  cmds.push(['SADD', p + 'set:intset', '1', '2', '3', '-5', '32768']);
  cmds.push(['SADD', p + 'set:int64', '9223372036854775807', '-9223372036854775808', '0']);
  const bigInts: string[] = [];
  for (let i = 0; i < 600; i++) bigInts.push(String(i * 13 - 1000));
  cmds.push(['SADD', p + 'set:bigints', ...bigInts]);
  cmds.push(['SADD', p + 'set:small', 'a', 'b', 'c', '1']);
  const bigSet: string[] = [];
  for (let i = 0; i < 300; i++) bigSet.push('member:' + i);
  cmds.push(['SADD', p + 'set:big', ...bigSet]);
  cmds.push(['SADD', p + 'set:longmember', 'm'.repeat(100)]);
  // sorted sets
  cmds.push(['ZADD', p + 'zset:small', '1', 'a', '2.5', 'b', '-inf', 'c', 'inf', 'd', '0', 'e', '0.1', 'f', '-3', 'g']);
  const bigZ: string[] = [];
  for (let i = 0; i < 300; i++) bigZ.push(String((i % 50) / 7), 'zm:' + i);
  cmds.push(['ZADD', p + 'zset:big', ...bigZ]);
  cmds.push(['ZADD', p + 'zset:longmember', '1', 'q'.repeat(100)]);
  cmds.push(['ZADD', p + 'zset:ttl', '1', 'a']);
  cmds.push(['EXPIRE', p + 'zset:ttl', '100000']);
  // hashes
  cmds.push(['HSET', p + 'hash:small', 'f1', 'v1', 'n', '42', 'empty', '', 'neg', '-1']);
  const bigH: string[] = [];
  for (let i = 0; i < 600; i++) bigH.push('field:' + i, i % 2 ? String(i) : rng.alnum(20));
  cmds.push(['HSET', p + 'hash:big', ...bigH]);
  cmds.push(['HSET', p + 'hash:longvalue', 'f', 'v'.repeat(100)]);
  cmds.push(['HSET', p + 'hash:binary', rng.bytes(10), rng.bytes(30)]);
  // other databases
  cmds.push(['SELECT', '1'], ['SET', p + 'db1:str', 'one'], ['RPUSH', p + 'db1:list', 'x'], ['PEXPIREAT', p + 'db1:list', far]);
  cmds.push(['SELECT', '5'], ['HSET', p + 'db5:hash', 'a', 'b'], ['SADD', p + 'db5:set', '7']);
  cmds.push(['SELECT', '15'], ['ZADD', p + 'db15:zset', '5', 'five'], ['SET', p + 'db15:str', 'fifteen', 'PXAT', far]);
  cmds.push(['SELECT', '0']);
  for (const r of await c.pipeline(cmds)) {
    if (r.t === 'err') throw new Error(`fill: ${r.v}`);
  }
  const written = new Set<string>();
  let db = '0';
  for (const cmd of cmds) {
    if (cmd[0] === 'SELECT') db = cmd[1];
    else written.add(db + ':' + cmd[1]);
  }
  let n = written.size;
  if (redisExtras) {
    // Plain quicklist nodes (elements above the packed threshold).
    await ok(c, 'DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100');
    await ok(c, 'RPUSH', p + 'list:plain', 'small', 'P'.repeat(300), 'tiny', rng.bytes(500));
    await ok(c, 'DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0');
    // Compressed quicklist nodes (LZF blobs).
    await ok(c, 'CONFIG', 'SET', 'list-compress-depth', '1');
    const cl: string[] = [];
    for (let i = 0; i < 5000; i++) cl.push('compressible-element-' + (i % 100));
    await ok(c, 'RPUSH', p + 'list:compressed', ...cl);
    await ok(c, 'CONFIG', 'SET', 'list-compress-depth', '0');
    // A function library (the FUNCTION2 opcode).
    await ok(c, 'FUNCTION', 'LOAD', "#!lua name=rdbtest\nredis.register_function('rdbtest_f', function() return 1 end)");
    n += 2;
  }
  return n;
}

async function encodings(c: RespClient, keys: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const k of keys) {
    const [db, key] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
    await c.call('SELECT', db);
    out.set(k, str(await c.call('OBJECT', 'ENCODING', key)));
  }
  await c.call('SELECT', '0');
  return out;
}

/** A DUMP payload around a hand-written value: type, value, version, CRC-64. */
function payload(type: number, body: (w: ByteWriter) => void, version = 9): Buffer {
  const w = new ByteWriter();
  w.u8(type);
  body(w);
  w.u16le(version);
  const crc = new Crc64().update(w.buf, 0, w.pos);
  w.ensure(8);
  crc.writeLE(w.buf, w.pos);
  w.pos += 8;
  return w.take();
}

describe('RDB interop with redis-server 7.0', { skip: skipIfNoRedis() }, () => {
  let redis: ServerHandle;
  let rc: RespClient;
  let cin: ServerHandle;
  let cc: RespClient;
  const tmp = mkdtempSync(join(tmpdir(), 'cinnabar-rdb-interop-'));

  before(async () => {
    redis = await startRedis({ args: ['--enable-debug-command', 'yes', '--sanitize-dump-payload', 'yes'] });
    rc = await redis.client();
    cin = await startCinnabar();
    cc = await cin.client();
  });

  after(async () => {
    await rc?.close();
    await cc?.close();
    await redis?.stop();
    await cin?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('(a) a dump.rdb written by redis-server loads into Cinnabar with the same keys, values and TTLs', async () => {
    await ok(rc, 'FLUSHALL');
    await ok(rc, 'FUNCTION', 'FLUSH');
    const n = await fillAllTypes(rc, '', true);
    // A key already expired when the file is written is dropped at load.
    await ok(rc, 'DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await ok(rc, 'SET', 'str:expired', 'v', 'PX', '1');
    await new Promise((r) => setTimeout(r, 20));
    await ok(rc, 'SAVE');
    await ok(rc, 'DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    const theirs = await readAll(rc);
    const file = join(redis.dir, 'dump.rdb');
    const cfg = new Config();
    cfg.set('loglevel', ['nothing']);
    const server = createServer(cfg);
    const info = loadRdbFile(server, file);
    // Every type redis-server 7.0 writes was in the file.
    const types = new Set<number>();
    loadRdb(readFileSync(file), { config: cfg, dbCount: NDB, now: 0, dropExpired: false, onKey: () => {}, onType: (_d, _k, t) => types.add(t) });
    const expected = [RDB_TYPE.STRING, RDB_TYPE.LIST_QUICKLIST_2, RDB_TYPE.SET, RDB_TYPE.SET_INTSET, RDB_TYPE.ZSET_LISTPACK, RDB_TYPE.ZSET_2, RDB_TYPE.HASH_LISTPACK, RDB_TYPE.HASH];
    assert.deepEqual([...types].sort((x, y) => x - y), [...expected].sort((x, y) => x - y));
    const ours = readServer(server);
    assertSameKeyspace(ours, theirs, 'redis dump.rdb loaded by Cinnabar');
    assert.equal(info.version, 10);
    // The library came with the keys (scripting/functions.ts).
    assert.equal(info.functionsSkipped, 0);
    assert.deepEqual(functionsOf(server)?.codes(), ["#!lua name=rdbtest\nredis.register_function('rdbtest_f', function() return 1 end)"]);
    assert.equal(info.expired, 1);
    assert.ok(info.checksumVerified);
    assert.ok(ours.size >= n, `${ours.size} keys loaded, ${n} written by commands`);
    console.log(`# (a) redis-server dump.rdb (${readFileSync(file).length} bytes): ${ours.size} keys in 4 databases identical after loading; ${info.expired} expired key dropped, the function library loaded`);
  });

  test('(b) a dump.rdb written by Cinnabar loads into redis-server with the same data', async () => {
    await ok(cc, 'FLUSHALL');
    const n = await fillAllTypes(cc, '', false);
    await ok(cc, 'SAVE');
    const ours = await readAll(cc);
    const file = join(cin.dir, 'dump.rdb');
    const dir = join(tmp, 'b');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    copyFileSync(file, join(dir, 'dump.rdb'));
    const check = execFileSync('redis-check-rdb', [join(dir, 'dump.rdb')], { encoding: 'utf8' });
    assert.match(check, /RDB looks OK/);
    // Same encoding limits as Cinnabar (redis-server 7.0's built-in default for
    // hash-max-listpack-entries is 512, not the 128 of redis.conf).
    const limits: string[] = [];
    for (const name of ['hash-max-listpack-entries', 'hash-max-listpack-value', 'zset-max-listpack-entries', 'zset-max-listpack-value', 'set-max-intset-entries']) {
      limits.push('--' + name, str(arr(await cc.call('CONFIG', 'GET', name))[1]));
    }
    const r2 = await startRedis({ args: ['--dir', dir, '--dbfilename', 'dump.rdb', ...limits] });
    try {
      const c2 = await r2.client();
      const theirs = await readAll(c2);
      assertSameKeyspace(theirs, ours, 'Cinnabar dump.rdb loaded by redis-server');
      assert.equal(theirs.size, ours.size);
      // Encodings on which 7.0 and 7.2 agree: hashes, sorted sets, intsets.
      const keys = [...ours.keys()].filter((k) => /hash|zset|set:int|set:bigints/.test(k));
      assert.deepEqual(await encodings(c2, keys), await encodings(cc, keys));
      await c2.close();
      console.log(`# (b) Cinnabar dump.rdb (${readFileSync(file).length} bytes): redis-check-rdb OK, ${theirs.size} keys (${n} written) identical in redis-server, ${keys.length} encodings equal`);
    } finally {
      await r2.stop();
    }
  });

  test('(c) DUMP / RESTORE in both directions, all types, TTLs kept', async () => {
    // redis-server -> Cinnabar
    await ok(rc, 'FLUSHALL');
    await ok(rc, 'FUNCTION', 'FLUSH');
    await ok(cc, 'FLUSHALL');
    await fillAllTypes(rc, 'r:', true);
    const theirs = await readAll(rc);
    let moved = 0;
    for (const k of theirs.keys()) {
      const [db, key] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
      await rc.call('SELECT', db);
      await cc.call('SELECT', db);
      const p = str(await rc.call('DUMP', key));
      const exp = int(await rc.call('PEXPIRETIME', key));
      const r = await cc.call('RESTORE', key, exp > 0 ? String(exp) : '0', p, 'ABSTTL');
      assert.deepEqual(r, { t: 'simple', v: 'OK' }, `RESTORE ${key}: ${formatReply(r)}`);
      moved++;
    }
    await rc.call('SELECT', '0');
    await cc.call('SELECT', '0');
    assertSameKeyspace(await readAll(cc), theirs, 'redis DUMP -> Cinnabar RESTORE');
    // Cinnabar -> redis-server
    await ok(rc, 'FLUSHALL');
    await ok(cc, 'FLUSHALL');
    await fillAllTypes(cc, 'c:', false);
    const ours = await readAll(cc);
    let back = 0;
    for (const k of ours.keys()) {
      const [db, key] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
      await rc.call('SELECT', db);
      await cc.call('SELECT', db);
      const p = str(await cc.call('DUMP', key));
      const exp = int(await cc.call('PEXPIRETIME', key));
      const r = await rc.call('RESTORE', key, exp > 0 ? String(exp) : '0', p, 'ABSTTL');
      assert.deepEqual(r, { t: 'simple', v: 'OK' }, `RESTORE ${key} into redis: ${formatReply(r)}`);
      back++;
    }
    await rc.call('SELECT', '0');
    await cc.call('SELECT', '0');
    assertSameKeyspace(await readAll(rc), ours, 'Cinnabar DUMP -> redis RESTORE');
    // Byte-identical payloads where no LZF is involved.
    await ok(rc, 'SET', 'same', 'v');
    await ok(cc, 'SET', 'same', 'v');
    assert.equal(str(await cc.call('DUMP', 'same')), str(await rc.call('DUMP', 'same')));
    // And with LZF: the compressor is liblzf's (persistence/lzf.ts), so compressed strings match too.
    for (const [k, v] of [['lzf1', 'abc'.repeat(200)], ['lzf2', 'hello world, '.repeat(40) + 'x'.repeat(300)], ['lzf3', 'a'.repeat(1000)]]) {
      await ok(rc, 'SET', k, v);
      await ok(cc, 'SET', k, v);
      const theirs = str(await rc.call('DUMP', k));
      assert.ok(theirs.charCodeAt(1) === 0xc3, `${k} is LZF-compressed by redis-server`);
      assert.equal(str(await cc.call('DUMP', k)), theirs, `DUMP ${k}`);
    }
    console.log(`# (c) ${moved} keys redis->Cinnabar and ${back} keys Cinnabar->redis through DUMP/RESTORE, identical`);
  });

  test('(d) legacy encodings RESTOREd into both servers give the same values', async () => {
    await ok(rc, 'FLUSHALL');
    await ok(cc, 'FLUSHALL');
    const zl = ['1', 'two', '-300', 'x'.repeat(300), '70000', '9223372036854775807', '-129', '12', '13'];
    const lp2 = new ListpackBuilder();
    for (const v of ['x', '7', 'y'.repeat(70)]) lp2.add(v);
    const lp2b = Buffer.from(lp2.finish());
    const setlp = new ListpackBuilder();
    for (const v of ['a', 'b', '3']) setlp.add(v);
    const setlpb = Buffer.from(setlp.finish());
    const cases: Array<[string, Buffer]> = [
      ['plainlist', payload(RDB_TYPE.LIST, (w) => {
        writeLen(w, 3);
        for (const s of ['a', '12', 'c'.repeat(40)]) writeString(w, s, true);
      })],
      ['oldzset', payload(RDB_TYPE.ZSET, (w) => {
        writeLen(w, 3);
        writeString(w, 'a', false);
        w.u8(3);
        w.latin1('1.5');
        writeString(w, 'b', false);
        w.u8(254);
        writeString(w, 'c', false);
        w.u8(255);
      })],
      ['plainhash', payload(RDB_TYPE.HASH, (w) => {
        writeLen(w, 2);
        for (const s of ['f', 'v', 'g', '1']) writeString(w, s, false);
      })],
      ['zipmap', payload(RDB_TYPE.HASH_ZIPMAP, (w) => writeBlob(w, buildZipmap(['f1', 'v1', 'f2', 'v2 longer'], 2), false))],
      ['ziplist', payload(RDB_TYPE.LIST_ZIPLIST, (w) => writeBlob(w, buildZiplist(zl), true))],
      ['ziplist-strings', payload(RDB_TYPE.LIST_ZIPLIST, (w) => writeBlob(w, buildZiplist(zl, { stringsOnly: true }), false))],
      ['zszl', payload(RDB_TYPE.ZSET_ZIPLIST, (w) => writeBlob(w, buildZiplist(['m1', '1', 'm2', '2.5', 'm3', 'inf']), false))],
      ['hzl', payload(RDB_TYPE.HASH_ZIPLIST, (w) => writeBlob(w, buildZiplist(['f', 'v', 'n', '42']), false))],
      ['ql', payload(RDB_TYPE.LIST_QUICKLIST, (w) => {
        writeLen(w, 2);
        writeBlob(w, buildZiplist(['a', 'b']), false);
        writeBlob(w, buildZiplist(Array.from({ length: 50 }, () => 'repeat')), true);
      })],
      ['intset64', payload(RDB_TYPE.SET_INTSET, (w) => writeBlob(w, buildIntset(new ByteWriter(), ['9223372036854775807', '-1', '5'])!, false))],
      ['q2plain', payload(RDB_TYPE.LIST_QUICKLIST_2, (w) => {
        writeLen(w, 3);
        writeLen(w, 1);
        writeString(w, 'P'.repeat(5000), true);
        writeLen(w, 2);
        writeBlob(w, lp2b, false);
        writeLen(w, 1);
        writeString(w, 'tail', false);
      }, 10)],
    ];
    for (const [key, p] of cases) {
      const a = await rc.call('RESTORE', key, '0', p);
      const b = await cc.call('RESTORE', key, '0', p);
      assert.deepEqual(a, { t: 'simple', v: 'OK' }, `redis RESTORE ${key}: ${formatReply(a)}`);
      assert.deepEqual(b, { t: 'simple', v: 'OK' }, `Cinnabar RESTORE ${key}: ${formatReply(b)}`);
      assert.deepEqual(await readKey(cc, key), await readKey(rc, key), key);
    }
    // Version 11 with the set listpack type: Cinnabar (like 7.2) accepts it; 7.0 cannot.
    const v11 = payload(RDB_TYPE.SET_LISTPACK, (w) => writeBlob(w, setlpb, false), 11);
    assert.deepEqual(await cc.call('RESTORE', 'setlp', '0', v11), { t: 'simple', v: 'OK' });
    assert.deepEqual(await readKey(cc, 'setlp'), { v: { type: 'set', v: ['3', 'a', 'b'] }, exp: -1 });
    assert.deepEqual(await rc.call('RESTORE', 'setlp', '0', v11), { t: 'err', v: 'ERR DUMP payload version or checksum are wrong' });
    // Corrupt blobs behind a valid checksum: both refuse.
    const bad = [
      payload(RDB_TYPE.LIST_ZIPLIST, (w) => {
        const z = buildZiplist(['a', 'b']);
        z[z.length - 1] = 0;
        writeBlob(w, z, false);
      }),
      payload(RDB_TYPE.HASH_LISTPACK, (w) => {
        const l = new ListpackBuilder();
        l.add('only-a-field');
        writeBlob(w, Buffer.from(l.finish()), false);
      }, 10),
      payload(RDB_TYPE.SET_INTSET, (w) => writeBlob(w, Buffer.from([2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 1, 0]), false)),
      payload(RDB_TYPE.SET, (w) => writeLen(w, 0)),
      payload(RDB_TYPE.STRING, (w) => writeLen(w, 100)),
    ];
    for (const [i, p] of bad.entries()) {
      const a = await rc.call('RESTORE', 'bad' + i, '0', p);
      const b = await cc.call('RESTORE', 'bad' + i, '0', p);
      assert.deepEqual(b, a, `corrupt payload ${i}`);
      assert.deepEqual(b, { t: 'err', v: 'ERR Bad data format' });
    }
    console.log(`# (d) ${cases.length} legacy/hand-made payloads equal in both servers; ${bad.length} corrupt ones refused by both`);
  });

  test('(e) RESTORE and DUMP replies and errors match redis-server', async () => {
    await ok(rc, 'FLUSHALL');
    await ok(cc, 'FLUSHALL');
    await ok(rc, 'SET', 'src', 'value');
    const good = str(await rc.call('DUMP', 'src'));
    await rc.call('DEL', 'src');
    const zeroFooter = good.slice(0, -8) + '\0'.repeat(8);
    const cmds: string[][] = [
      ['DUMP', 'missing'],
      ['DUMP'],
      ['RESTORE', 'k', '0'],
      ['RESTORE', 'k', '0', 'x', 'foo'],
      ['RESTORE', 'k', '-1', 'x'],
      ['RESTORE', 'k', 'abc', 'x'],
      ['RESTORE', 'k', '0', 'x'],
      ['RESTORE', 'k', '0', zeroFooter],
      ['RESTORE', 'k', '0', good, 'IDLETIME', '-1'],
      ['RESTORE', 'k', '0', good, 'IDLETIME', 'abc'],
      ['RESTORE', 'k', '0', good, 'IDLETIME'],
      ['RESTORE', 'k', '0', good, 'FREQ', '256'],
      ['RESTORE', 'k', '0', good, 'FREQ', '-1'],
      ['RESTORE', 'k', '0', good, 'IDLETIME', '1', 'FREQ', '2'],
      ['RESTORE', 'k', '0', good, 'FREQ', '2', 'IDLETIME', '1'],
      ['RESTORE', 'k', '0', good],
      ['GET', 'k'],
      ['RESTORE', 'k', '0', good],
      ['RESTORE', 'k', '0', 'x', 'foo'],
      ['RESTORE', 'k', '-5', good, 'REPLACE'],
      ['RESTORE', 'k', '0', good, 'REPLACE', 'IDLETIME', '1000'],
      ['OBJECT', 'IDLETIME', 'k'],
      ['RESTORE', 'k', '1', good, 'ABSTTL', 'REPLACE'],
      ['EXISTS', 'k'],
      ['RESTORE', 'k2', '1', good, 'ABSTTL'],
      ['EXISTS', 'k2'],
      ['RESTORE', 'k3', '100000', good, 'replace', 'absttl'],
      ['PEXPIRETIME', 'k3'],
      ['RESTORE', 'k4', '0', good, 'FREQ', '5'],
      ['TYPE', 'k4'],
      ['SET', 'str', 'x'],
      ['RESTORE', 'str', '0', good, 'REPLACE'],
      ['GET', 'str'],
    ];
    let n = 0;
    for (const cmd of cmds) {
      const a = await rc.call(...cmd);
      const b = await cc.call(...cmd);
      assert.deepEqual(b, a, `${cmd.map((x) => x.slice(0, 20)).join(' ')}: ours ${formatReply(b)}, theirs ${formatReply(a)}`);
      n++;
    }
    // A relative TTL is honoured (and propagated as an absolute one).
    assert.deepEqual(await cc.call('RESTORE', 'rel', '100000', good), { t: 'simple', v: 'OK' });
    const pttl = int(await cc.call('PTTL', 'rel'));
    assert.ok(pttl > 90000 && pttl <= 100000, `pttl ${pttl}`);
    console.log(`# (e) ${n} DUMP/RESTORE commands answered exactly as redis-server`);
  });
});
