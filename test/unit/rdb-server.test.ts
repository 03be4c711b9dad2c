// The server side of RDB persistence, in-process: SAVE to dir/dbfilename through a
// temp file, loading into scratch databases swapped in only on success, the start-up
// loader's decisions, LRU/LFU metadata.

import { createServer } from '../../src/compose/compose.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../src/config/config.js';
import { Logger } from '../../src/server/log.js';
import { Server } from '../../src/server/server.js';
import { RObj } from '../../src/types/object.js';
import { installPersistence, loadRdbAtStartup, loadRdbFile, rdbPath, rdbSaveToFile, rdbStateOf } from '../../src/persistence/persistence.js';
import { Client } from '../../src/server/client.js';
import { RdbError, RdbFileWriter } from '../../src/persistence/rdb.js';
import { canon, hashObj, listObj, setObj, strObj, zsetObj } from './rdb-helpers.js';

function quietLogger(): Logger {
  const l = new Logger();
  l.level = 'nothing';
  return l;
}

function newServer(dir: string, extra: Record<string, string> = {}): Server {
  const cfg = new Config();
  cfg.set('dir', [dir]);
  cfg.set('loglevel', ['nothing']);
  for (const [k, v] of Object.entries(extra)) cfg.set(k, [v]);
  return createServer(cfg, quietLogger());
}

function fill(s: Server): number {
  const cfg = s.config;
  const put = (db: number, key: string, o: RObj, exp = -1): void => {
    o.lru = s.ks.initialLru();
    s.ks.dbs[db].add(key, o);
    if (exp !== -1) s.ks.dbs[db].setExpire(key, exp);
  };
  put(0, 'str', strObj('hello'));
  put(0, 'int', strObj('-12345'));
  put(0, 'long', strObj('x'.repeat(1000)));
  put(0, 'ttl', strObj('v'), Date.now() + 3_600_000);
  put(1, 'list', listObj(['a', 'b', '3'], cfg));
  put(1, 'biglist', listObj(Array.from({ length: 3000 }, (_, i) => 'e' + i), cfg));
  put(2, 'intset', setObj(['1', '2', '3'], cfg));
  put(2, 'set', setObj(['a', 'b'], cfg), Date.now() + 10_000_000);
  put(2, 'bigset', setObj(Array.from({ length: 700 }, (_, i) => 'm' + i), cfg));
  put(9, 'zset', zsetObj([['a', 1], ['b', -Infinity]], cfg));
  put(9, 'bigzset', zsetObj(Array.from({ length: 400 }, (_, i) => ['m' + i, i * 0.5] as [string, number]), cfg));
  put(15, 'hash', hashObj([['f', 'v']], cfg));
  put(15, 'bighash', hashObj(Array.from({ length: 400 }, (_, i) => ['f' + i, 'v' + i] as [string, string]), cfg));
  return 13;
}

function dumpKeyspace(s: Server): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const db of s.ks.dbs) {
    for (const [k, o] of db.dict) out.set(`${db.id}:${k}`, { v: canon(o), exp: db.getExpire(k), enc: o.enc });
  }
  return out;
}

test('SAVE writes dir/dbfilename atomically; a new server loads the same keyspace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-rdb-'));
  try {
    const a = newServer(dir);
    const n = fill(a);
    a.dirty = 42;
    a.lastSaveTime = 0;
    rdbSaveToFile(a);
    assert.equal(a.dirty, 0);
    assert.ok(a.lastSaveTime > 0);
    assert.ok(rdbStateOf(a).lastSaveOk);
    assert.deepEqual(readdirSync(dir), ['dump.rdb']); // no temp file left behind
    assert.equal(rdbPath(a), join(dir, 'dump.rdb'));
    assert.equal(readFileSync(join(dir, 'dump.rdb')).toString('latin1', 0, 9), 'REDIS0010');

    const b = newServer(dir);
    assert.ok(loadRdbAtStartup(b));
    assert.equal(b.ks.totalKeys(), n);
    assert.deepEqual(dumpKeyspace(b), dumpKeyspace(a));
    console.log(`# save/load: ${n} keys in 5 databases identical after the round trip`);

    // dbfilename is honoured, and rdbcompression no still loads.
    a.config.set('dbfilename', ['other.rdb']);
    a.config.set('rdbcompression', ['no']);
    rdbSaveToFile(a);
    const c = newServer(dir, { dbfilename: 'other.rdb' });
    assert.ok(loadRdbAtStartup(c));
    assert.deepEqual(dumpKeyspace(c), dumpKeyspace(a));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt or truncated file is refused and the keyspace stays as it was', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-rdb-'));
  try {
    const a = newServer(dir);
    fill(a);
    rdbSaveToFile(a);
    const good = readFileSync(join(dir, 'dump.rdb'));
    const b = newServer(dir);
    b.ks.dbs[0].add('survivor', strObj('still here'));
    const before = dumpKeyspace(b);
    const cases: Array<[string, Buffer]> = [
      ['truncated', good.subarray(0, Math.floor(good.length * 0.7))],
      ['checksum', Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([good[good.length - 1] ^ 0xff])])],
      ['garbage', Buffer.from('this is not an rdb file at all')],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [name, bytes] of cases) {
      writeFileSync(join(dir, 'dump.rdb'), bytes);
      assert.throws(() => loadRdbFile(b, join(dir, 'dump.rdb')), RdbError, name);
      assert.deepEqual(dumpKeyspace(b), before, `${name}: keyspace untouched`);
      assert.equal(loadRdbAtStartup(b), false, `${name}: the server must not start`);
      assert.deepEqual(dumpKeyspace(b), before);
    }
    // Duplicate keys in one database are refused too.
    const chunks: Buffer[] = [];
    const fw = new RdbFileWriter((c) => chunks.push(Buffer.from(c)));
    fw.header([]);
    fw.selectDb(0, 2, 0);
    fw.key('dup', strObj('1'), -1);
    fw.key('dup', strObj('2'), -1);
    fw.finish();
    writeFileSync(join(dir, 'dump.rdb'), Buffer.concat(chunks));
    assert.throws(() => loadRdbFile(b, join(dir, 'dump.rdb')), /duplicated key 'dup' in DB 0/);
    assert.deepEqual(dumpKeyspace(b), before);
    rmSync(join(dir, 'dump.rdb'));
    assert.equal(loadRdbAtStartup(b), true, 'no file: nothing to load');
    assert.deepEqual(dumpKeyspace(b), before);
    // appendonly yes: the AOF loader is in charge; the RDB is not read.
    writeFileSync(join(dir, 'dump.rdb'), good);
    const aof = newServer(dir, { appendonly: 'yes' });
    assert.equal(loadRdbAtStartup(aof), true);
    assert.equal(aof.ks.totalKeys(), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('expired keys are dropped at load; merge mode keeps existing keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-rdb-'));
  try {
    const a = newServer(dir);
    a.ks.dbs[0].add('old', strObj('1'));
    a.ks.dbs[0].setExpire('old', Date.now() - 1000);
    a.ks.dbs[0].add('new', strObj('2'));
    a.ks.dbs[0].add('both', strObj('from file'));
    rdbSaveToFile(a);
    const b = newServer(dir);
    b.ks.dbs[0].add('mine', strObj('x'));
    b.ks.dbs[0].add('both', strObj('mine'));
    const info = loadRdbFile(b, rdbPath(b), 'merge');
    assert.equal(info.keys, 2);
    assert.equal(info.expired, 1);
    assert.deepEqual([...b.ks.dbs[0].dict.keys()].sort(), ['both', 'mine', 'new']);
    assert.equal(b.ks.dbs[0].dict.get('both')!.value, 'from file');
    const c = newServer(dir);
    c.ks.dbs[0].add('mine', strObj('x'));
    loadRdbFile(c, rdbPath(c), 'replace');
    assert.deepEqual([...c.ks.dbs[0].dict.keys()].sort(), ['both', 'new']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LRU idle time and LFU counters survive a save under the matching policies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-rdb-'));
  try {
    const lru = newServer(dir, { 'maxmemory-policy': 'allkeys-lru' });
    const o = strObj('v');
    o.lru = (lru.ks.lruClock() - 1000) & 0xffffff; // idle for 1000 s
    lru.ks.dbs[0].add('k', o);
    rdbSaveToFile(lru);
    const lru2 = newServer(dir, { 'maxmemory-policy': 'allkeys-lru' });
    loadRdbFile(lru2, rdbPath(lru2));
    const idle = lru2.ks.idleMs(lru2.ks.dbs[0].dict.get('k')!) / 1000;
    assert.ok(idle >= 999 && idle <= 1002, `idle ${idle}`);

    const lfu = newServer(dir, { 'maxmemory-policy': 'allkeys-lfu' });
    const p = strObj('v');
    p.lru = ((Math.floor(Date.now() / 60000) & 65535) << 8) | 77;
    lfu.ks.dbs[0].add('k', p);
    rdbSaveToFile(lfu);
    const lfu2 = newServer(dir, { 'maxmemory-policy': 'allkeys-lfu' });
    loadRdbFile(lfu2, rdbPath(lfu2));
    assert.equal(lfu2.ks.lfuDecr(lfu2.ks.dbs[0].dict.get('k')!), 77);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('commands in-process: SAVE, DUMP/RESTORE propagation, DEBUG RELOAD, shutdown save', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-rdb-'));
  try {
    const cfg = new Config();
    cfg.set('dir', [dir]);
    cfg.set('loglevel', ['nothing']);
    cfg.set('enable-debug-command', ['yes'], true);
    cfg.set('save', ['']);
    const s = createServer(cfg);
    installPersistence(s);
    const props: string[][] = [];
    s.onPropagate((_db, argv) => props.push(argv));
    const c = new Client(s, null, s.ks.dbs[0], 1);
    const run = (...argv: string[]): string => {
      c.out = '';
      s.processCommand(c, argv);
      const o = c.out;
      c.out = '';
      return o;
    };
    assert.equal(run('RPUSH', 'l', 'a', 'b'), ':2\r\n');
    const dump = run('DUMP', 'l');
    assert.match(dump, /^\$\d+\r\n/);
    const payload = dump.slice(dump.indexOf('\r\n') + 2, -2);
    props.length = 0;
    // A relative TTL is propagated as an absolute one with ABSTTL.
    assert.equal(run('RESTORE', 'r1', '100000', payload), '+OK\r\n');
    assert.equal(props.length, 1);
    const abs = Number(props[0][2]);
    assert.ok(Math.abs(abs - (Date.now() + 100000)) < 2000, `absolute ttl ${abs}`);
    assert.deepEqual(props[0], ['RESTORE', 'r1', props[0][2], payload, 'ABSTTL']);
    assert.equal(s.ks.dbs[0].getExpire('r1'), abs);
    // ABSTTL and no TTL are propagated as they are.
    props.length = 0;
    assert.equal(run('RESTORE', 'r2', '0', payload, 'IDLETIME', '10'), '+OK\r\n');
    assert.deepEqual(props[0], ['RESTORE', 'r2', '0', payload, 'IDLETIME', '10']);
    // An already expired TTL replacing a key: propagated as DEL; without a key, nothing.
    props.length = 0;
    assert.equal(run('RESTORE', 'r2', '1', payload, 'ABSTTL', 'REPLACE'), '+OK\r\n');
    assert.deepEqual(props, [['DEL', 'r2']]);
    assert.equal(s.ks.dbs[0].dict.has('r2'), false);
    props.length = 0;
    assert.equal(run('RESTORE', 'r3', '1', payload, 'ABSTTL'), '+OK\r\n');
    assert.deepEqual(props, []);
    // Errors change nothing and propagate nothing.
    assert.equal(run('RESTORE', 'r1', '0', payload), '-BUSYKEY Target key name already exists.\r\n');
    assert.equal(run('RESTORE', 'x', '0', 'garbage'), '-ERR DUMP payload version or checksum are wrong\r\n');
    assert.deepEqual(props, []);

    // SAVE, then DEBUG RELOAD gives back the same keyspace.
    s.dirty = 5;
    assert.equal(run('SAVE'), '+OK\r\n');
    assert.equal(s.dirty, 0);
    const before = dumpKeyspace(s);
    assert.equal(run('DEBUG', 'RELOAD'), '+OK\r\n');
    assert.deepEqual(dumpKeyspace(s), before);
    // A file with a bad signature: DEBUG RELOAD NOSAVE fails after the flush, as in
    // Redis (the dataset is then empty); a file broken further in exits the server.
    const good = readFileSync(join(dir, 'dump.rdb'));
    writeFileSync(join(dir, 'dump.rdb'), 'REDIX0010\xff');
    assert.equal(run('DEBUG', 'RELOAD', 'NOSAVE'), '-ERR Error trying to load the RDB dump, check server logs.\r\n');
    assert.equal(s.ks.totalKeys(), 0);
    const exits: number[] = [];
    s.exit = (code) => exits.push(code);
    writeFileSync(join(dir, 'dump.rdb'), 'REDIS0010\xff');
    assert.equal(run('DEBUG', 'RELOAD', 'NOSAVE'), '');
    assert.deepEqual(exits, [1]);
    writeFileSync(join(dir, 'dump.rdb'), good);
    assert.equal(run('DEBUG', 'RELOAD', 'NOSAVE'), '+OK\r\n');
    assert.deepEqual(dumpKeyspace(s), before);
    assert.equal(run('MULTI'), '+OK\r\n');
    assert.equal(run('SAVE'), '-ERR Command not allowed inside a transaction\r\n');
    run('DISCARD');
    // SHUTDOWN SAVE writes the file.
    rmSync(join(dir, 'dump.rdb'));
    assert.ok(s.shutdown({ save: true }));
    const d = newServer(dir);
    loadRdbFile(d, join(dir, 'dump.rdb'));
    assert.deepEqual(dumpKeyspace(d), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SAVE into a directory that does not exist fails with ERR and leaves dirty alone', () => {
  const s = newServer(join(tmpdir(), 'cinnabar-no-such-dir-' + process.pid, 'deeper'));
  s.ks.dbs[0].add('k', strObj('v'));
  s.dirty = 3;
  const c = new Client(s, null, s.ks.dbs[0], 1);
  s.processCommand(c, ['SAVE']);
  assert.equal(c.out, '-ERR\r\n');
  assert.equal(s.dirty, 3);
  assert.equal(rdbStateOf(s).lastSaveOk, false);
  assert.throws(() => rdbSaveToFile(s), /ENOENT/);
});
