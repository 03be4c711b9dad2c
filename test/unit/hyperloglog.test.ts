// The HyperLogLog hash (MurmurHash64A with Redis's seed) against a plain BigInt
// implementation of the same published algorithm: the production code works on two
// 32-bit halves for speed, so it is checked here for every tail length and for
// random binary inputs. The stored bytes are compared with redis-server in
// test/diff/hyperloglog.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hllHash, hllCreate, hllAdd, hllCount, hllSparseToDense, hllFromString, hllToString, HLL_DENSE_SIZE } from '../../src/types/hyperloglog.js';
import { Rng, seedFromEnv } from '../helpers/random.js';

const MASK = (1n << 64n) - 1n;

function murmurRef(s: string, seed: bigint): bigint {
  const m = 0xc6a4a7935bd1e995n;
  const r = 47n;
  const len = s.length;
  let h = (seed ^ (BigInt(len) * m)) & MASK;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * m) & MASK;
    k ^= k >> r;
    k = (k * m) & MASK;
    h ^= k;
    h = (h * m) & MASK;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(blocks + j)) << BigInt(8 * j);
    h = (h * m) & MASK;
  }
  h ^= h >> r;
  h = (h * m) & MASK;
  h ^= h >> r;
  return h;
}

test('MurmurHash64A: the 32-bit-halves version equals the BigInt reference', () => {
  const rng = new Rng(seedFromEnv('murmur'));
  const inputs = ['', 'a', 'hello', '\xff'.repeat(7), '\x00'.repeat(8), 'x'.repeat(100)];
  for (let i = 0; i < 2000; i++) inputs.push(rng.bytes(rng.int(40)));
  for (const s of inputs) assert.equal(hllHash(s), murmurRef(s, 0xadc83b19n), JSON.stringify(s));
});

test('sparse and dense count the same, and the estimate is within 3% at 100k', () => {
  const sparse = hllCreate();
  const dense = hllCreate();
  assert.ok(hllSparseToDense(dense));
  assert.equal(dense.len, HLL_DENSE_SIZE);
  for (let i = 0; i < 100_000; i++) {
    const e = `element:${i}`;
    if (i < 3000) hllAdd(sparse, e, 1 << 30);
    hllAdd(dense, e, 1 << 30);
    if (i === 2999) assert.equal(hllCount(sparse), hllCount(dense));
  }
  const n = hllCount(dense);
  assert.ok(Math.abs(n - 100_000) / 100_000 < 0.03, `estimate ${n}`);
  // The bytes survive the string round trip.
  assert.equal(hllCount(hllFromString(hllToString(dense), 0)), n);
});
