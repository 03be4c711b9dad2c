// RDB format: CRC-64, LZF, the compact blobs, every value type and encoding through
// writer + reader, the legacy encodings Redis < 7 wrote, DUMP payloads, and the
// refusal of truncated, corrupt and mutated input (a seeded fuzz loop).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config } from '../../src/config/config.js';
import { ENC_BIG, ENC_COMPACT, ObjType, RObj } from '../../src/types/object.js';
import { RList } from '../../src/types/list.js';
import { SENC_INTSET, SENC_LISTPACK } from '../../src/types/encoding.js';
import { Crc64, crc64 } from '../../src/persistence/crc64.js';
import { LzfError, lzfCompress, lzfDecompress } from '../../src/persistence/lzf.js';
import {
  ByteWriter,
  ListpackBuilder,
  RdbError,
  buildIntset,
  parseIntset,
  parseListpack,
  parseZiplist,
  parseZipmap,
} from '../../src/persistence/encodings.js';
import { buildZiplist, buildZipmap } from '../../src/persistence/legacy.js';
import {
  RDB_OPCODE,
  RDB_TYPE,
  RdbFileWriter,
  createDumpPayload,
  encodeKeyValue,
  loadDumpPayload,
  loadRdb,
  rdbTypeOf,
  verifyDumpPayload,
  writeBlob,
  writeLen,
  writeString,
  type KeyMeta,
  type RdbLoadInfo,
  type RdbWriteOptions,
} from '../../src/persistence/rdb.js';
import { Rng } from '../helpers/random.js';
import { canon, hashObj, hashOrder, listObj, setObj, strObj, zsetObj } from './rdb-helpers.js';

const cfg = new Config();

function fuzzSeed(label: string): number {
  const env = process.env['CINNABAR_SEED'];
  const seed = env !== undefined && env.trim() !== '' ? Number(env) >>> 0 : 0x5eed2024;
  console.log(`# seed [${label}]: CINNABAR_SEED=${seed}`);
  return seed;
}

interface Entry {
  db?: number;
  key: string;
  obj: RObj;
  exp?: number;
  meta?: KeyMeta;
}

function writeFile(entries: Entry[], opts: RdbWriteOptions = {}, checksum = true): Buffer {
  const chunks: Buffer[] = [];
  // A tiny chunk size exercises the chunked checksum.
  const fw = new RdbFileWriter((c) => chunks.push(Buffer.from(c)), opts, checksum, 97);
  fw.header([
    ['redis-ver', '7.2.4'],
    ['redis-bits', '64'],
    ['ctime', '1700000000'],
  ]);
  const dbs = new Map<number, Entry[]>();
  for (const e of entries) {
    const d = e.db ?? 0;
    if (!dbs.has(d)) dbs.set(d, []);
    dbs.get(d)!.push(e);
  }
  for (const [d, list] of [...dbs].sort((a, b) => a[0] - b[0])) {
    fw.selectDb(d, list.length, list.filter((e) => e.exp !== undefined).length);
    for (const e of list) fw.key(e.key, e.obj, e.exp ?? -1, e.meta ?? {});
  }
  fw.finish();
  return Buffer.concat(chunks);
}

interface Loaded {
  db: number;
  key: string;
  obj: RObj;
  exp: number;
  idle: number;
  freq: number;
}

function readFile(buf: Buffer, now = 0, config: Config = cfg): { keys: Loaded[]; info: RdbLoadInfo; aux: Map<string, string>; warnings: string[] } {
  const keys: Loaded[] = [];
  const aux = new Map<string, string>();
  const warnings: string[] = [];
  const info = loadRdb(buf, {
    config,
    dbCount: 16,
    now,
    onKey: (db, key, obj, exp, idle, freq) => keys.push({ db, key, obj, exp, idle, freq }),
    onAux: (k, v) => aux.set(k, v),
    onWarning: (w) => warnings.push(w),
  });
  return { keys, info, aux, warnings };
}

/** A file around hand-written records (legacy encodings). */
function rawFile(version: number, body: (w: ByteWriter) => void, checksum = true): Buffer {
  const w = new ByteWriter();
  w.latin1('REDIS' + String(version).padStart(4, '0'));
  w.u8(RDB_OPCODE.SELECTDB);
  writeLen(w, 0);
  body(w);
  w.u8(RDB_OPCODE.EOF);
  const crc = new Crc64().update(w.buf, 0, w.pos);
  w.ensure(8);
  if (checksum) crc.writeLE(w.buf, w.pos);
  else w.buf.fill(0, w.pos, w.pos + 8);
  w.pos += 8;
  return w.take();
}

function roundTrip(obj: RObj, opts: RdbWriteOptions = {}): RObj {
  const buf = writeFile([{ key: 'k', obj }], opts);
  const { keys } = readFile(buf);
  assert.equal(keys.length, 1);
  return keys[0].obj;
}

function ints(...xs: Array<number | bigint>): string[] {
  return xs.map((x) => String(x));
}

const BOUNDARY_INTS = ints(
  0, 1, 12, 13, 127, 128, -1, -128, -129, 255, 4095, 4096, -4096, -4097, 32767, 32768, -32768, -32769,
  8388607, 8388608, -8388608, -8388609, 2147483647, 2147483648, -2147483648, -2147483649,
  9007199254740991, 9007199254740993n, -9007199254740993n, 9223372036854775807n, -9223372036854775808n,
);
const NOT_INTS = ['-0', '01', '+1', ' 1', '1 ', '9223372036854775808', '-9223372036854775809', '1.0', '', '0x10'];

// ---- CRC-64 ----------------------------------------------------------------------------

test('crc64: check value and incremental updates', () => {
  assert.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
  assert.equal(crc64(Buffer.alloc(0)), 0n);
  const rng = new Rng(fuzzSeed('crc64'));
  const data = Buffer.from(rng.bytes(5000), 'latin1');
  const whole = crc64(data);
  for (let i = 0; i < 50; i++) {
    const cut = rng.int(data.length);
    const c = new Crc64().update(data, 0, cut).update(data, cut, data.length);
    assert.equal(c.value, whole);
    assert.equal(crc64(data.subarray(cut), crc64(data.subarray(0, cut))), whole);
  }
  const b = Buffer.alloc(8);
  new Crc64().update(Buffer.from('123456789')).writeLE(b, 0);
  assert.equal(b.readBigUInt64LE(0), 0xe9c6d914c4b8d9can);
});

// ---- LZF -------------------------------------------------------------------------------

test('lzf: round trips (fixed, repetitive, random, every small size)', () => {
  const rng = new Rng(fuzzSeed('lzf'));
  const cases: Buffer[] = [
    Buffer.from('a'.repeat(50)),
    Buffer.from('abcabcabcabcabcabcabcabcabcabcabc'),
    Buffer.from('hello hello hello world world world '.repeat(100)),
    Buffer.alloc(100000, 7),
  ];
  for (let n = 1; n <= 300; n++) cases.push(Buffer.from(rng.alnum(1) .repeat(n)));
  for (let i = 0; i < 200; i++) {
    const n = rng.range(1, 3000);
    const alphabet = rng.range(1, 256);
    const b = Buffer.alloc(n);
    for (let k = 0; k < n; k++) b[k] = rng.int(alphabet);
    cases.push(b);
  }
  // Long data with far and near repeats (offsets around the 8192 window).
  const chunk = Buffer.from(rng.bytes(9000), 'latin1');
  cases.push(Buffer.concat([chunk, chunk, chunk.subarray(0, 8191), chunk]));
  let compressed = 0;
  for (const input of cases) {
    // Worst case: one control byte per 32 literals, plus the room liblzf's checks want
    // (the compressor is liblzf's: its tail check asks for 3 bytes past the last literal).
    const c = lzfCompress(input, input.length + Math.ceil(input.length / 32) + 4);
    assert.ok(c !== null, `fits the worst-case bound (n=${input.length})`);
    assert.deepEqual(lzfDecompress(c, input.length), input);
    const tight = lzfCompress(input, input.length - 4);
    if (tight !== null) {
      compressed++;
      assert.ok(tight.length <= input.length - 4);
      assert.deepEqual(lzfDecompress(tight, input.length), input);
    }
  }
  assert.ok(compressed > 100);
  // Random bytes do not compress; the limit is honoured.
  const rnd = Buffer.from(rng.bytes(1000), 'latin1');
  assert.equal(lzfCompress(rnd, 996), null);
  console.log(`# lzf: ${cases.length} inputs round-tripped, ${compressed} compressible`);
});

test('lzf: malformed streams are refused with LzfError', () => {
  const good = lzfCompress(Buffer.from('abcdefabcdefabcdefabcdef'), 100)!;
  assert.throws(() => lzfDecompress(good, 23), LzfError); // wrong expected length
  assert.throws(() => lzfDecompress(good, 25), LzfError);
  assert.throws(() => lzfDecompress(Buffer.from([5, 1, 2]), 6), LzfError); // literal past the end
  assert.throws(() => lzfDecompress(Buffer.from([0, 65, 0x20, 5]), 4), LzfError); // reference before start
  assert.throws(() => lzfDecompress(Buffer.from([0, 65, 0xe0]), 10), LzfError); // truncated reference
  const rng = new Rng(fuzzSeed('lzf-fuzz'));
  const src = Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(20));
  const c = lzfCompress(src, src.length)!;
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const m = Buffer.from(c);
    const flips = rng.range(1, 3);
    for (let f = 0; f < flips; f++) m[rng.int(m.length)] = rng.int(256);
    const cut = rng.bool(0.2) ? rng.int(m.length) : m.length;
    try {
      lzfDecompress(m.subarray(0, cut), src.length);
    } catch (e) {
      assert.ok(e instanceof LzfError, `unexpected ${(e as Error).stack}`);
      refused++;
    }
  }
  console.log(`# lzf fuzz: 3000 mutated streams, ${refused} refused, none crashed`);
});

// ---- blobs -----------------------------------------------------------------------------

test('listpack: integers, strings and back-lengths of every size class', () => {
  const items = [
    ...BOUNDARY_INTS,
    ...NOT_INTS,
    'x'.repeat(63),
    'x'.repeat(64),
    'y'.repeat(125),
    'y'.repeat(126),
    'y'.repeat(127),
    'z'.repeat(4095),
    'z'.repeat(4096),
    'w'.repeat(16376),
    'w'.repeat(16378),
    'w'.repeat(16380),
    'v'.repeat(70000),
    '\x00\xff\x80binary',
  ];
  const lp = new ListpackBuilder();
  for (const s of items) lp.add(s);
  const b = Buffer.from(lp.finish());
  assert.deepEqual(parseListpack(b), items);
  // Integers are stored compactly: 0..127 in one byte plus one back-length byte.
  const small = new ListpackBuilder();
  small.add('5');
  assert.equal(small.finish().length, 6 + 2 + 1);
  // Corruptions.
  const bad = Buffer.from(b);
  bad[bad.length - 1] = 0;
  assert.throws(() => parseListpack(bad), RdbError);
  const bad2 = Buffer.from(b);
  bad2.writeUInt32LE(b.length + 1, 0);
  assert.throws(() => parseListpack(bad2), RdbError);
  const bad3 = Buffer.from(b);
  bad3[4] = 3;
  bad3[5] = 0;
  assert.throws(() => parseListpack(bad3), RdbError);
});

test('ziplist, intset, zipmap: parse what the format says', () => {
  const items = [...BOUNDARY_INTS, ...NOT_INTS, 'a'.repeat(63), 'b'.repeat(64), 'c'.repeat(300), 'd'.repeat(16383), 'e'.repeat(16384), 'f'.repeat(70000)];
  assert.deepEqual(parseZiplist(buildZiplist(items)), items);
  assert.deepEqual(parseZiplist(buildZiplist(items, { stringsOnly: true })), items);
  assert.deepEqual(parseZiplist(buildZiplist([])), []);
  const zl = buildZiplist(['a', 'b', 'c']);
  const badTail = Buffer.from(zl);
  badTail.writeUInt32LE(11, 4);
  assert.throws(() => parseZiplist(badTail), RdbError);
  const badPrev = Buffer.from(zl);
  badPrev[13] = 5; // second entry's previous length
  assert.throws(() => parseZiplist(badPrev), RdbError);

  const w = new ByteWriter();
  for (const set of [ints(1, 2, 3), ints(-40000, 5), ints(1, 2147483648n), ints(9223372036854775807n, -9223372036854775808n, 0)]) {
    const b = Buffer.from(buildIntset(w, set)!);
    const widths = set.some((s) => BigInt(s) > 2147483647n || BigInt(s) < -2147483648n) ? 8 : set.some((s) => Math.abs(Number(s)) > 32767) ? 4 : 2;
    assert.equal(b.readUInt32LE(0), widths);
    assert.deepEqual(parseIntset(b), [...set].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)));
  }
  assert.equal(buildIntset(w, ['1', 'a']), null);
  const unsorted = Buffer.from(buildIntset(w, ints(1, 2))!);
  unsorted.writeInt16LE(3, 8);
  assert.throws(() => parseIntset(unsorted), RdbError);
  const badWidth = Buffer.from(buildIntset(w, ints(1))!);
  badWidth.writeUInt32LE(3, 0);
  assert.throws(() => parseIntset(badWidth), RdbError);

  const pairs = ['f1', 'v1', 'long'.repeat(100), 'x', '', 'empty-field'];
  assert.deepEqual(parseZipmap(buildZipmap(pairs)), pairs);
  assert.deepEqual(parseZipmap(buildZipmap(pairs, 3)), pairs);
  const zm = buildZipmap(['a', 'b']);
  assert.throws(() => parseZipmap(zm.subarray(0, zm.length - 1)), RdbError);
});

// ---- every type and encoding through writer + reader -------------------------------------

test('strings: integer, raw, LZF and binary encodings round-trip', () => {
  const rng = new Rng(fuzzSeed('strings'));
  const values = [
    ...BOUNDARY_INTS,
    ...NOT_INTS,
    'hello',
    'a'.repeat(21),
    'a'.repeat(10000),
    rng.bytes(100),
    rng.bytes(5000),
    '\x00'.repeat(100),
    ('abc' + rng.bytes(3)).repeat(50),
  ];
  for (const compress of [true, false]) {
    for (const v of values) {
      const back = roundTrip(strObj(v), { compress });
      assert.equal(back.type, ObjType.String);
      assert.equal(back.value, v);
    }
  }
  // The encodings chosen, checked byte by byte.
  const w = new ByteWriter();
  const enc = (s: string, compress = true): number[] => {
    w.reset();
    writeString(w, s, compress);
    return [...w.take()];
  };
  assert.deepEqual(enc('12'), [0xc0, 12]);
  assert.deepEqual(enc('-1'), [0xc0, 0xff]);
  assert.deepEqual(enc('300'), [0xc1, 0x2c, 0x01]);
  assert.deepEqual(enc('70000'), [0xc2, 0x70, 0x11, 0x01, 0x00]);
  assert.equal(enc('2147483648')[0], 10); // does not fit int32: raw
  assert.equal(enc('012')[0], 3); // not canonical: raw
  assert.equal(enc('a'.repeat(50))[0], 0xc3); // LZF
  assert.equal(enc('a'.repeat(50), false)[0], 50); // compression off
  assert.equal(enc('a'.repeat(20))[0], 20); // 20 bytes: never compressed
});

test('lists: quicklist nodes split by list-max-listpack-size, all round-trip', () => {
  const rng = new Rng(fuzzSeed('lists'));
  const lists: string[][] = [
    ['a'],
    ['a', 'b', 'c', '1', '-5', '9223372036854775807'],
    Array.from({ length: 1000 }, (_, i) => String(i)),
    Array.from({ length: 300 }, () => rng.bytes(rng.range(0, 200))),
    Array.from({ length: 3 }, () => 'x'.repeat(20000)), // elements bigger than a node
  ];
  for (const fill of [-2, -1, -5, 1, 5, 128]) {
    for (const items of lists) {
      const o = listObj(items, cfg);
      assert.equal(rdbTypeOf(o), RDB_TYPE.LIST_QUICKLIST_2);
      const back = roundTrip(o, { listFill: fill });
      assert.deepEqual(canon(back), canon(o));
    }
  }
  // Node count follows the fill: 1000 small ints with 5 per node -> 200 nodes.
  const buf = encodeKeyValue('k', listObj(Array.from({ length: 1000 }, (_, i) => String(i)), cfg), -1, { listFill: 5 });
  assert.equal(buf[0], RDB_TYPE.LIST_QUICKLIST_2);
  assert.deepEqual([...buf.subarray(3, 5)], [0x40, 200]); // 14-bit length 200
  // Loaded lists get the encoding their size calls for.
  assert.equal((roundTrip(listObj(['a'], cfg)).value as RList).encoding, 'listpack');
  assert.equal((roundTrip(listObj(Array.from({ length: 5000 }, (_, i) => 'e' + i), cfg)).value as RList).encoding, 'quicklist');
});

test('sets: intset, plain, listpack (version 11 only) round-trip', () => {
  const cases: Array<[string[], number, number]> = [
    [ints(1, 2, 3), RDB_TYPE.SET_INTSET, SENC_INTSET],
    [BOUNDARY_INTS, RDB_TYPE.SET_INTSET, SENC_INTSET],
    [Array.from({ length: 600 }, (_, i) => String(i * 7)), RDB_TYPE.SET, ENC_BIG], // > set-max-intset-entries
    [['a', 'b', '1'], RDB_TYPE.SET, SENC_LISTPACK],
    [[...NOT_INTS, 'x'], RDB_TYPE.SET, SENC_LISTPACK],
    [Array.from({ length: 200 }, (_, i) => 'm' + i), RDB_TYPE.SET, ENC_BIG],
    [['z'.repeat(100)], RDB_TYPE.SET, ENC_BIG],
  ];
  for (const [members, type, enc] of cases) {
    const o = setObj(members, cfg);
    assert.equal(o.enc, enc);
    assert.equal(rdbTypeOf(o), type, `type for ${members.slice(0, 3)}`);
    const back = roundTrip(o);
    assert.deepEqual(canon(back), canon(o));
    assert.equal(back.enc, enc);
  }
  // Version 11 output uses the set listpack for small non-integer sets; 10 never does.
  const small = setObj(['a', 'b', 'c'], cfg);
  assert.equal(rdbTypeOf(small, { version: 11 }), RDB_TYPE.SET_LISTPACK);
  assert.equal(rdbTypeOf(small, { version: 10 }), RDB_TYPE.SET);
  const back = roundTrip(small, { version: 11 });
  assert.deepEqual(canon(back), canon(small));
  // A set whose encoding is not known yet is decided from its contents.
  const unknown = new RObj(ObjType.Set, new Set(['5', '6']), 0);
  assert.equal(unknown.enc, ENC_COMPACT);
  assert.equal(rdbTypeOf(unknown), RDB_TYPE.SET_INTSET);
});

test('sorted sets: listpack and zset2 with special scores round-trip', () => {
  const special: Array<[string, number]> = [
    ['inf', Infinity],
    ['ninf', -Infinity],
    ['zero', 0],
    ['frac', 0.1],
    ['neg', -2.5],
    ['tiny', 5e-324],
    ['huge', 1.7976931348623157e308],
    ['big-int', 2 ** 62],
    ['beyond-int64', 1e19],
    ['third', 1 / 3],
    ['int', 42],
  ];
  const small = zsetObj(special, cfg);
  assert.equal(small.enc, ENC_COMPACT);
  assert.equal(rdbTypeOf(small), RDB_TYPE.ZSET_LISTPACK);
  assert.deepEqual(canon(roundTrip(small)), canon(small));
  const bigPairs: Array<[string, number]> = Array.from({ length: 500 }, (_, i) => ['m' + i, (i % 17) / 3 - 2]);
  bigPairs.push(...special);
  const big = zsetObj(bigPairs, cfg);
  assert.equal(big.enc, ENC_BIG);
  assert.equal(rdbTypeOf(big), RDB_TYPE.ZSET_2);
  const back = roundTrip(big);
  assert.deepEqual(canon(back), canon(big));
  assert.equal(back.enc, ENC_BIG);
  // -0 survives a skiplist set (binary doubles).
  const negZero = zsetObj([['a', -0], ...Array.from({ length: 200 }, (_, i) => ['x' + i, i] as [string, number])], cfg);
  const nz = roundTrip(negZero);
  assert.ok(Object.is([...(nz.value as import('../../src/types/sorted-set.js').SortedSet).entries()].find((e) => e[0] === 'a')![1], -0));
  // A small zset2 value with -0 becomes a listpack set, which stores 0 (as Redis: ZSCORE "0").
  const small0 = readFile(
    rawFile(10, (w) => {
      w.u8(RDB_TYPE.ZSET_2);
      writeString(w, 'nz', false);
      writeLen(w, 1);
      writeString(w, 'a', false);
      w.f64le(-0);
    }),
  ).keys[0].obj;
  assert.equal(small0.enc, ENC_COMPACT);
  assert.ok(Object.is(canon(small0).v[0][1], 0));
  const longMember = zsetObj([['q'.repeat(100), 1]], cfg);
  assert.equal(longMember.enc, ENC_BIG);
  assert.deepEqual(canon(roundTrip(longMember)), canon(longMember));
});

test('hashes: listpack (order kept) and plain round-trip', () => {
  const rng = new Rng(fuzzSeed('hashes'));
  const small: Array<[string, string]> = [
    ['z', '1'],
    ['a', '-9223372036854775808'],
    ['m', ''],
    ['', 'empty field'],
    ['bin\x00\xff', rng.bytes(20)],
  ];
  const o = hashObj(small, cfg);
  assert.equal(o.enc, ENC_COMPACT);
  assert.equal(rdbTypeOf(o), RDB_TYPE.HASH_LISTPACK);
  const back = roundTrip(o);
  assert.deepEqual(hashOrder(back), hashOrder(o));
  assert.equal(back.enc, ENC_COMPACT);
  const bigPairs: Array<[string, string]> = Array.from({ length: 300 }, (_, i) => ['f' + i, rng.bytes(rng.range(0, 100))]);
  const big = hashObj(bigPairs, cfg);
  assert.equal(big.enc, ENC_BIG);
  assert.equal(rdbTypeOf(big), RDB_TYPE.HASH);
  const bb = roundTrip(big);
  assert.deepEqual(canon(bb), canon(big));
  assert.equal(bb.enc, ENC_BIG);
  const longValue = hashObj([['f', 'v'.repeat(65)]], cfg);
  assert.equal(longValue.enc, ENC_BIG);
  assert.deepEqual(canon(roundTrip(longValue)), canon(longValue));
});

test('file: databases, TTLs, IDLE/FREQ, aux fields, expired keys dropped, no checksum', () => {
  const entries: Entry[] = [
    { key: 's', obj: strObj('v') },
    { key: 'ttl', obj: strObj('v'), exp: 5_000_000_000_000 },
    { key: 'gone', obj: strObj('v'), exp: 1000 },
    { db: 3, key: 'l', obj: listObj(['a', 'b'], cfg), meta: { idleSec: 77 } },
    { db: 15, key: 'h', obj: hashObj([['f', 'v']], cfg), meta: { freq: 9 }, exp: 6_000_000_000_000 },
  ];
  for (const checksum of [true, false]) {
    const buf = writeFile(entries, {}, checksum);
    if (!checksum) assert.equal(buf.readBigUInt64LE(buf.length - 8), 0n);
    const { keys, info, aux, warnings } = readFile(buf, 2000);
    assert.equal(info.version, 10);
    assert.equal(info.keys, 4);
    assert.equal(info.expired, 1);
    assert.equal(info.checksumVerified, checksum);
    assert.equal(info.end, buf.length);
    assert.equal(aux.get('redis-ver'), '7.2.4');
    assert.equal(aux.get('ctime'), '1700000000');
    assert.equal(warnings.length, checksum ? 0 : 1);
    const by = new Map(keys.map((k) => [k.db + ':' + k.key, k]));
    assert.equal(by.get('0:ttl')!.exp, 5_000_000_000_000);
    assert.equal(by.get('0:s')!.exp, -1);
    assert.equal(by.get('3:l')!.idle, 77);
    assert.equal(by.get('15:h')!.freq, 9);
    assert.equal(by.get('15:h')!.exp, 6_000_000_000_000);
    assert.ok(!by.has('0:gone'));
  }
  // A replica keeps expired keys.
  const buf = writeFile(entries);
  const kept: string[] = [];
  loadRdb(buf, { config: cfg, dbCount: 16, now: 2000, dropExpired: false, onKey: (_d, k) => kept.push(k) });
  assert.ok(kept.includes('gone'));
  // Too few databases.
  assert.throws(() => loadRdb(buf, { config: cfg, dbCount: 4, now: 0, onKey: () => {} }), /more than 4 databases/);
});

// ---- legacy encodings and opcodes -------------------------------------------------------

test('legacy value types (RDB < 10) load', () => {
  const zipList = ['1', 'two', '-300', 'x'.repeat(300), '70000', '9223372036854775807'];
  const buf = rawFile(9, (w) => {
    // plain list
    w.u8(RDB_TYPE.LIST);
    writeString(w, 'plainlist', false);
    writeLen(w, 3);
    for (const s of ['a', '12', 'c'.repeat(40)]) writeString(w, s, true);
    // old zset: scores as text, with infinities
    w.u8(RDB_TYPE.ZSET);
    writeString(w, 'oldzset', false);
    writeLen(w, 3);
    writeString(w, 'a', false);
    w.u8(3);
    w.latin1('1.5');
    writeString(w, 'b', false);
    w.u8(254);
    writeString(w, 'c', false);
    w.u8(255);
    // zipmap hash
    w.u8(RDB_TYPE.HASH_ZIPMAP);
    writeString(w, 'zipmap', false);
    writeBlob(w, buildZipmap(['f1', 'v1', 'f2', 'x'.repeat(300)], 2), false);
    // ziplist list (LZF-compressed blob)
    w.u8(RDB_TYPE.LIST_ZIPLIST);
    writeString(w, 'ziplist', false);
    writeBlob(w, buildZiplist(zipList), true);
    // ziplist zset and hash
    w.u8(RDB_TYPE.ZSET_ZIPLIST);
    writeString(w, 'zszl', false);
    writeBlob(w, buildZiplist(['m1', '1', 'm2', '2.5', 'm3', 'inf']), false);
    w.u8(RDB_TYPE.HASH_ZIPLIST);
    writeString(w, 'hzl', false);
    writeBlob(w, buildZiplist(['f', 'v', 'n', '42']), false);
    // quicklist of ziplists, one node compressed, one empty node (skipped as Redis does)
    w.u8(RDB_TYPE.LIST_QUICKLIST);
    writeString(w, 'ql', false);
    writeLen(w, 3);
    writeBlob(w, buildZiplist(['a', 'b']), false);
    writeBlob(w, buildZiplist([]), false);
    writeBlob(w, buildZiplist(Array.from({ length: 50 }, () => 'repeat')), true);
    // an expiry in seconds (old opcode) before an intset
    w.u8(RDB_OPCODE.EXPIRETIME);
    w.ensure(4);
    w.buf.writeInt32LE(4_000_000_000 & 0x7fffffff, w.pos);
    w.pos += 4;
    w.u8(RDB_TYPE.SET_INTSET);
    writeString(w, 'intset', false);
    writeBlob(w, buildIntset(new ByteWriter(), ints(3, 1, 2))!, false);
  });
  const { keys } = readFile(buf);
  const by = new Map(keys.map((k) => [k.key, k]));
  assert.deepEqual(canon(by.get('plainlist')!.obj), { type: 'list', v: ['a', '12', 'c'.repeat(40)] });
  assert.deepEqual(canon(by.get('oldzset')!.obj), { type: 'zset', v: [['c', -Infinity], ['a', 1.5], ['b', Infinity]] });
  assert.deepEqual(canon(by.get('zipmap')!.obj), { type: 'hash', v: [['f1', 'v1'], ['f2', 'x'.repeat(300)]] });
  assert.deepEqual(canon(by.get('ziplist')!.obj), { type: 'list', v: zipList });
  assert.deepEqual(canon(by.get('zszl')!.obj), { type: 'zset', v: [['m1', 1], ['m2', 2.5], ['m3', Infinity]] });
  assert.deepEqual(canon(by.get('hzl')!.obj), { type: 'hash', v: [['f', 'v'], ['n', '42']] });
  assert.deepEqual(canon(by.get('ql')!.obj), { type: 'list', v: ['a', 'b', ...Array.from({ length: 50 }, () => 'repeat')] });
  assert.deepEqual(canon(by.get('intset')!.obj), { type: 'set', v: ['1', '2', '3'] });
  assert.equal(by.get('intset')!.exp, (4_000_000_000 & 0x7fffffff) * 1000);
  assert.equal(by.get('plainlist')!.exp, -1);
});

test('quicklist 2 with plain nodes, set listpack, FUNCTION2 skipped, empty keys skipped', () => {
  const buf = rawFile(11, (w) => {
    w.u8(RDB_OPCODE.FUNCTION2);
    writeString(w, "#!lua name=lib\nredis.register_function('f', function() return 1 end)", false);
    w.u8(RDB_TYPE.LIST_QUICKLIST_2);
    writeString(w, 'q2', false);
    writeLen(w, 3);
    writeLen(w, 1); // plain node
    writeString(w, 'P'.repeat(5000), true);
    writeLen(w, 2); // packed node
    const lp = new ListpackBuilder();
    lp.add('x');
    lp.add('7');
    writeBlob(w, Buffer.from(lp.finish()), false);
    writeLen(w, 1);
    writeString(w, 'tail', false);
    w.u8(RDB_TYPE.SET_LISTPACK);
    writeString(w, 'slp', false);
    const sl = new ListpackBuilder();
    for (const m of ['a', '1', 'b']) sl.add(m);
    writeBlob(w, Buffer.from(sl.finish()), false);
    // An empty set and an empty list: skipped.
    w.u8(RDB_TYPE.SET);
    writeString(w, 'emptyset', false);
    writeLen(w, 0);
    w.u8(RDB_TYPE.LIST_QUICKLIST_2);
    writeString(w, 'emptylist', false);
    writeLen(w, 1);
    writeLen(w, 2);
    writeBlob(w, Buffer.from(new ListpackBuilder().finish()), false);
  });
  const { keys, info, warnings } = readFile(buf);
  assert.equal(info.functionsSkipped, 1);
  assert.equal(info.emptySkipped, 2);
  assert.ok(warnings.some((m) => /function/.test(m)));
  const by = new Map(keys.map((k) => [k.key, k]));
  assert.deepEqual(canon(by.get('q2')!.obj), { type: 'list', v: ['P'.repeat(5000), 'x', '7', 'tail'] });
  assert.deepEqual(canon(by.get('slp')!.obj), { type: 'set', v: ['1', 'a', 'b'] });
  assert.equal(keys.length, 2);
});

test('refusals: signature, versions, streams, modules, module aux, duplicates, NaN, bad opcodes', () => {
  const refuse = (buf: Buffer, re: RegExp): void => {
    assert.throws(() => readFile(buf), (e: unknown) => e instanceof RdbError && re.test((e as Error).message));
  };
  const ok = writeFile([{ key: 'k', obj: strObj('v') }]);
  const badSig = Buffer.from(ok);
  badSig[0] = 0x58;
  refuse(badSig, /Wrong signature/);
  refuse(Buffer.concat([Buffer.from('REDIS0012'), ok.subarray(9)]), /Can't handle RDB format version 12/);
  refuse(Buffer.concat([Buffer.from('REDIS00x1'), ok.subarray(9)]), /Can't handle RDB format version/);
  refuse(Buffer.from('REDIS'), /Unexpected EOF/);
  // Streams are read now (persistence/rdb-stream.ts): a stream record cut after its
  // node count is refused as a truncated or corrupt stream, never half loaded.
  for (const t of [RDB_TYPE.STREAM_LISTPACKS, RDB_TYPE.STREAM_LISTPACKS_2, RDB_TYPE.STREAM_LISTPACKS_3]) {
    refuse(rawFile(11, (w) => {
      w.u8(t);
      writeString(w, 'mystream', false);
      writeLen(w, 0);
    }), /stream 'mystream'|Unexpected EOF|length/);
  }
  for (const t of [RDB_TYPE.MODULE_PRE_GA, RDB_TYPE.MODULE_2]) {
    refuse(rawFile(11, (w) => {
      w.u8(t);
      writeString(w, 'mod', false);
      writeLen(w, 0);
    }), /module/);
  }
  refuse(rawFile(11, (w) => {
    w.u8(RDB_OPCODE.MODULE_AUX);
    writeLen(w, 12345);
  }), /module auxiliary/i);
  refuse(rawFile(10, (w) => w.u8(8)), /Unknown RDB encoding type 8/);
  refuse(rawFile(10, (w) => w.u8(22)), /Unknown RDB encoding type 22/);
  refuse(rawFile(10, (w) => {
    w.u8(RDB_TYPE.SET);
    writeString(w, 'dup', false);
    writeLen(w, 2);
    writeString(w, 'a', false);
    writeString(w, 'a', false);
  }), /duplicate set/);
  refuse(rawFile(10, (w) => {
    w.u8(RDB_TYPE.HASH);
    writeString(w, 'dup', false);
    writeLen(w, 2);
    for (const s of ['f', '1', 'f', '2']) writeString(w, s, false);
  }), /duplicate hash/);
  refuse(rawFile(10, (w) => {
    w.u8(RDB_TYPE.ZSET_2);
    writeString(w, 'nan', false);
    writeLen(w, 1);
    writeString(w, 'm', false);
    w.f64le(NaN);
  }), /NaN/);
  refuse(rawFile(10, (w) => {
    w.u8(RDB_TYPE.ZSET);
    writeString(w, 'nan', false);
    writeLen(w, 1);
    writeString(w, 'm', false);
    w.u8(253);
  }), /NaN/);
  refuse(rawFile(10, (w) => {
    w.u8(RDB_TYPE.LIST_QUICKLIST_2);
    writeString(w, 'badnode', false);
    writeLen(w, 1);
    writeLen(w, 3);
  }), /container/);
  refuse(rawFile(10, (w) => {
    w.u8(RDB_TYPE.SET);
    writeString(w, 'huge', false);
    writeLen(w, 1e9);
  }), /exceeds the data left/);
  // Checksum mismatch.
  const flipped = Buffer.from(ok);
  flipped[flipped.length - 1] ^= 1;
  refuse(flipped, /Wrong RDB checksum/);
  // ...accepted when checking is off (rdbchecksum no).
  loadRdb(flipped, { config: cfg, dbCount: 16, now: 0, verifyChecksum: false, onKey: () => {} });
  // Duplicate keys are the loader's call: the callback can refuse them.
  const dup = writeFile([{ key: 'k', obj: strObj('1') }, { key: 'k', obj: strObj('2') }]);
  const seen = new Set<string>();
  assert.throws(
    () =>
      loadRdb(dup, {
        config: cfg,
        dbCount: 16,
        now: 0,
        onKey: (_d, k) => {
          if (seen.has(k)) throw new RdbError(`duplicated key '${k}'`);
          seen.add(k);
        },
      }),
    /duplicated key 'k'/,
  );
});

// ---- DUMP payloads ----------------------------------------------------------------------

function sampleObjects(): Array<[string, RObj]> {
  return [
    ['int', strObj('12345')],
    ['str', strObj('hello world, hello world, hello world')],
    ['list', listObj(['a', '1', 'b'], cfg)],
    ['biglist', listObj(Array.from({ length: 2000 }, (_, i) => 'item' + i), cfg)],
    ['intset', setObj(ints(1, 2, 3, -70000), cfg)],
    ['set', setObj(['a', 'b'], cfg)],
    ['bigset', setObj(Array.from({ length: 1000 }, (_, i) => 'm' + i), cfg)],
    ['zset', zsetObj([['a', 1], ['b', 2.5]], cfg)],
    ['bigzset', zsetObj(Array.from({ length: 300 }, (_, i) => ['m' + i, i / 7] as [string, number]), cfg)],
    ['hash', hashObj([['f', 'v']], cfg)],
    ['bighash', hashObj(Array.from({ length: 300 }, (_, i) => ['f' + i, 'v' + i] as [string, string]), cfg)],
  ];
}

test('DUMP payloads: layout, verification, round trip, refusals', () => {
  // Same bytes Redis 7.0 produces for SET k v (checked against redis-server).
  assert.equal(createDumpPayload(strObj('v')).toString('hex'), '0001760a009108ceb219388ace');
  for (const [name, o] of sampleObjects()) {
    const p = createDumpPayload(o);
    assert.ok(verifyDumpPayload(p), name);
    assert.equal(p.readUInt16LE(p.length - 10), 10);
    const back = loadDumpPayload(p, cfg)!;
    assert.deepEqual(canon(back), canon(o), name);
    // Any single changed byte breaks the checksum.
    for (let i = 0; i < p.length; i += Math.max(1, Math.floor(p.length / 40))) {
      const m = Buffer.from(p);
      m[i] ^= 0x5a;
      assert.equal(verifyDumpPayload(m), false, `${name} byte ${i}`);
    }
  }
  assert.equal(verifyDumpPayload(Buffer.alloc(9)), false);
  // Version 12 is refused even with a valid checksum.
  const p = Buffer.from(createDumpPayload(strObj('v')));
  p.writeUInt16LE(12, p.length - 10);
  new Crc64().update(p, 0, p.length - 8).writeLE(p, p.length - 8);
  assert.equal(verifyDumpPayload(p), false);
  p.writeUInt16LE(11, p.length - 10);
  new Crc64().update(p, 0, p.length - 8).writeLE(p, p.length - 8);
  assert.equal(verifyDumpPayload(p), true);
});

// ---- fuzz: truncation and mutation -----------------------------------------------------

function richFile(): Buffer {
  const entries: Entry[] = sampleObjects().map(([k, o], i) => ({ key: k, obj: o, db: i % 3, exp: i % 2 ? 9_000_000_000_000 : undefined }));
  return writeFile(entries);
}

test('fuzz: every truncation of a file is refused with RdbError', () => {
  const small = writeFile(
    sampleObjects()
      .filter(([k]) => !k.startsWith('big'))
      .map(([k, o], i) => ({ key: k, obj: o, db: i % 3, exp: i % 2 ? 9_000_000_000_000 : undefined })),
  );
  for (let n = 0; n < small.length; n++) {
    assert.throws(() => readFile(small.subarray(0, n)), RdbError, `prefix ${n}`);
  }
  const rng = new Rng(fuzzSeed('rdb-truncation'));
  const big = richFile();
  for (let i = 0; i < 300; i++) {
    const n = rng.int(big.length);
    assert.throws(() => readFile(big.subarray(0, n)), RdbError, `prefix ${n}`);
  }
  console.log(`# truncation: all ${small.length} prefixes of a small file and 300 of a ${big.length}-byte file refused`);
});

test('fuzz: mutated files are refused (checksum) or load cleanly (no checksum), never crash', () => {
  const rng = new Rng(fuzzSeed('rdb-mutation'));
  const withCrc = richFile();
  const noCrc = Buffer.from(withCrc);
  noCrc.fill(0, noCrc.length - 8);
  let refusedCrc = 0;
  let refused = 0;
  let loaded = 0;
  const N = 1500;
  for (let i = 0; i < N; i++) {
    for (const base of [withCrc, noCrc]) {
      const m = Buffer.from(base);
      const flips = rng.range(1, 4);
      for (let f = 0; f < flips; f++) {
        // Mostly inside the data (not the checksum itself).
        const at = rng.int(m.length - 8);
        m[at] = rng.bool(0.5) ? m[at] ^ (1 << rng.int(8)) : rng.int(256);
      }
      if (m.equals(base)) continue;
      try {
        readFile(m);
        assert.notEqual(base, withCrc, 'a mutated file with a checksum must be refused');
        loaded++;
      } catch (e) {
        assert.ok(e instanceof RdbError, `mutation ${i}: unexpected ${(e as Error).stack}`);
        if (base === withCrc) refusedCrc++;
        else refused++;
      }
    }
  }
  console.log(`# mutation: ${N} with checksum refused=${refusedCrc}; ${N} without: refused=${refused} loaded=${loaded}`);
  assert.ok(refusedCrc > N * 0.95);
});

test('fuzz: mutated DUMP payloads with a recomputed checksum never crash the decoder', () => {
  const rng = new Rng(fuzzSeed('dump-mutation'));
  const payloads = sampleObjects().map(([, o]) => createDumpPayload(o));
  let refused = 0;
  let decoded = 0;
  for (let i = 0; i < 3000; i++) {
    let p = Buffer.from(rng.pick(payloads));
    const body = p.length - 10;
    const flips = rng.range(0, 3);
    for (let f = 0; f < flips; f++) p[rng.int(body)] = rng.int(256);
    if (flips === 0 || rng.bool(0.2)) {
      // Cut the value short, keeping a footer.
      const cut = rng.int(body);
      p = Buffer.concat([p.subarray(0, cut), p.subarray(body)]);
    }
    new Crc64().update(p, 0, p.length - 8).writeLE(p, p.length - 8);
    assert.ok(verifyDumpPayload(p));
    try {
      loadDumpPayload(p, cfg);
      decoded++;
    } catch (e) {
      assert.ok(e instanceof RdbError, `unexpected ${(e as Error).stack}`);
      refused++;
    }
  }
  console.log(`# dump mutation: refused=${refused} decoded=${decoded}`);
});

test('fuzz: random values of every type round-trip', () => {
  const rng = new Rng(fuzzSeed('rdb-random-values'));
  const member = (): string => {
    switch (rng.int(4)) {
      case 0:
        return String(rng.range(-100000, 100000));
      case 1:
        return rng.alnum(rng.range(0, 10));
      case 2:
        return rng.bytes(rng.range(0, 80));
      default:
        return String(BigInt(rng.next()) * BigInt(rng.next()) * (rng.bool() ? 1n : -1n));
    }
  };
  let n = 0;
  for (let i = 0; i < 300; i++) {
    const size = rng.bool(0.8) ? rng.range(1, 20) : rng.range(100, 1500);
    let o: RObj;
    switch (rng.int(5)) {
      case 0:
        o = strObj(member());
        break;
      case 1:
        o = listObj(Array.from({ length: size }, member), cfg);
        break;
      case 2:
        o = setObj(Array.from({ length: size }, member), cfg);
        break;
      case 3: {
        const m = new Map<string, number>();
        for (let k = 0; k < size; k++) m.set(member(), rng.bool(0.1) ? rng.pick([Infinity, -Infinity, 0]) : (rng.float() - 0.5) * 10 ** rng.range(-5, 20));
        o = zsetObj([...m], cfg);
        break;
      }
      default: {
        const m = new Map<string, string>();
        for (let k = 0; k < size; k++) m.set(member(), member());
        o = hashObj([...m], cfg);
      }
    }
    const opts: RdbWriteOptions = { compress: rng.bool(), listFill: rng.pick([-2, -1, 3, 128]), version: rng.pick([10, 11]) };
    const back = roundTrip(o, opts);
    assert.deepEqual(canon(back), canon(o));
    const p = createDumpPayload(o, opts);
    assert.deepEqual(canon(loadDumpPayload(p, cfg)!), canon(o));
    n++;
  }
  console.log(`# random values: ${n} round-tripped through files and DUMP payloads`);
});
