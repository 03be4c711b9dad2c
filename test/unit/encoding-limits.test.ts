// Encoding limits belong to a server: two servers in one process with different
// *-max-listpack-* / set-max-intset-entries, given the same commands interleaved,
// each convert by their own limits (OBJECT ENCODING), through writes, *STORE
// results, RESTORE and CONFIG SET at run time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcess } from '../helpers/inprocess.js';
import { formatReply, type RespClient } from '../../src/protocol/resp-client.js';
import { ObjType, RObj, type RSet } from '../../src/types/object.js';
import { defaultEncodingLimits, normalizeSetEncoding, setEncoding } from '../../src/types/encoding.js';

async function ok(c: RespClient, ...args: string[]): Promise<string> {
  const r = await c.call(...args);
  if (r.t === 'err') throw new Error(`${args.join(' ')}: ${r.v}`);
  return formatReply(r);
}

async function encodings(c: RespClient, keys: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const k of keys) {
    const r = await c.call('OBJECT', 'ENCODING', k);
    assert.equal(r.t, 'bulk', `${k}: ${formatReply(r)}`);
    out.push(r.v as string);
  }
  return out;
}

const KEYS = ['h', 's', 'si', 'z', 'l'];

describe('encoding limits are per server', () => {
  let small: InProcess;
  let large: InProcess;

  before(async () => {
    small = await startInProcess();
    large = await startInProcess();
    for (const [name, value] of [
      ['hash-max-listpack-entries', '4'],
      ['set-max-intset-entries', '4'],
      ['set-max-listpack-entries', '4'],
      ['zset-max-listpack-entries', '4'],
      ['list-max-listpack-size', '4'],
    ]) {
      await ok(small.client, 'CONFIG', 'SET', name, value);
    }
  });
  after(async () => {
    await small?.close();
    await large?.close();
  });

  test('the same writes, interleaved, convert by each server own limits', async () => {
    for (let i = 0; i < 10; i++) {
      for (const ip of [small, large]) {
        const c = ip.client;
        await ok(c, 'HSET', 'h', `f${i}`, 'v');
        await ok(c, 'SADD', 's', `m${i}`);
        await ok(c, 'SADD', 'si', String(i));
        await ok(c, 'ZADD', 'z', String(i), `m${i}`);
        await ok(c, 'RPUSH', 'l', String(i));
      }
      if (i === 3) {
        assert.deepEqual(await encodings(small.client, KEYS), ['listpack', 'listpack', 'intset', 'listpack', 'listpack']);
        assert.deepEqual(await encodings(large.client, KEYS), ['listpack', 'listpack', 'intset', 'listpack', 'listpack']);
      }
    }
    assert.deepEqual(await encodings(small.client, KEYS), ['hashtable', 'hashtable', 'hashtable', 'skiplist', 'quicklist']);
    assert.deepEqual(await encodings(large.client, KEYS), ['listpack', 'listpack', 'intset', 'listpack', 'listpack']);
  });

  test('*STORE results follow the limits of the server that stores them', async () => {
    for (const ip of [small, large]) {
      await ok(ip.client, 'SUNIONSTORE', 'su', 'si');
      await ok(ip.client, 'ZUNIONSTORE', 'zu', '1', 'z');
    }
    assert.deepEqual(await encodings(small.client, ['su', 'zu']), ['hashtable', 'skiplist']);
    assert.deepEqual(await encodings(large.client, ['su', 'zu']), ['intset', 'listpack']);
  });

  test('RESTORE picks the encoding by the limits of the server that loads', async () => {
    for (const k of KEYS) {
      const fromLarge = await large.client.call('DUMP', k);
      const fromSmall = await small.client.call('DUMP', k);
      assert.equal(fromLarge.t, 'bulk');
      assert.equal(fromSmall.t, 'bulk');
      await ok(small.client, 'RESTORE', `r:${k}`, '0', fromLarge.v as string);
      await ok(large.client, 'RESTORE', `r:${k}`, '0', fromSmall.v as string);
    }
    const restored = KEYS.map((k) => `r:${k}`);
    assert.deepEqual(await encodings(small.client, restored), ['hashtable', 'hashtable', 'hashtable', 'skiplist', 'quicklist']);
    assert.deepEqual(await encodings(large.client, restored), ['listpack', 'listpack', 'intset', 'listpack', 'listpack']);
  });

  test('CONFIG SET on one server changes its limits only', async () => {
    await ok(large.client, 'CONFIG', 'SET', 'set-max-intset-entries', '2');
    await ok(large.client, 'CONFIG', 'SET', 'hash-max-listpack-entries', '2');
    for (const ip of [small, large]) {
      await ok(ip.client, 'SADD', 'n', '1', '2', '3');
      await ok(ip.client, 'HSET', 'g', 'a', '1', 'b', '2', 'c', '3');
    }
    assert.deepEqual(await encodings(small.client, ['n', 'g']), ['intset', 'listpack']);
    assert.deepEqual(await encodings(large.client, ['n', 'g']), ['listpack', 'hashtable']);
    assert.equal(small.server.encodingLimits.setMaxIntsetEntries, 4);
    assert.equal(large.server.encodingLimits.setMaxIntsetEntries, 2);
  });
});

test('the encoding rules read only the limits they are given', () => {
  const few = { ...defaultEncodingLimits(), setMaxIntsetEntries: 2, setMaxListpackEntries: 2 };
  const many = defaultEncodingLimits();
  const members = ['1', '2', '3'];
  const a = new RObj(ObjType.Set, new Set(members) as RSet, 0);
  const b = new RObj(ObjType.Set, new Set(members) as RSet, 0);
  normalizeSetEncoding(a, few);
  normalizeSetEncoding(b, many);
  assert.equal(setEncoding(a, few), 'hashtable');
  assert.equal(setEncoding(b, many), 'intset');
});
