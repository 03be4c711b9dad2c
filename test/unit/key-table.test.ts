// KeyTable (the keyspace's open-addressing dictionary) against a JS Map model:
// random sets, deletes, lookups, shrinks and iteration with deletions, seeded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyTable, keyHash } from '../../src/keyspace/key-table.js';

class Obj {
  constructor(readonly v: number) {}
}

type Op = { t: 'set'; k: number; v: number } | { t: 'del'; k: number } | { t: 'shrink' } | { t: 'clear' };

test('KeyTable behaves as a Map under random operations', () => {
  const seed = Number(process.env['CINNABAR_SEED'] ?? Date.now() % 2 ** 31);
  console.log(`key-table seed=${seed}`);
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 10, arbitrary: fc.record({ t: fc.constant('set' as const), k: fc.nat(300), v: fc.nat(1000) }) },
    { weight: 7, arbitrary: fc.record({ t: fc.constant('del' as const), k: fc.nat(300) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('shrink' as const) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('clear' as const) }) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
      const t = new KeyTable<Obj>();
      const m = new Map<string, Obj>();
      for (const o of ops) {
        if (o.t === 'set') {
          const x = new Obj(o.v);
          t.set(`k${o.k}`, x);
          m.set(`k${o.k}`, x);
          assert.equal(t.get(`k${o.k}`), x);
        } else if (o.t === 'del') {
          assert.equal(t.delete(`k${o.k}`), m.delete(`k${o.k}`));
        } else if (o.t === 'shrink') {
          t.maybeShrink();
        } else {
          t.clear();
          m.clear();
        }
        assert.equal(t.size, m.size);
      }
      for (let k = 0; k <= 300; k++) {
        assert.equal(t.get(`k${k}`), m.get(`k${k}`));
        assert.equal(t.has(`k${k}`), m.has(`k${k}`));
      }
      assert.deepEqual(new Map(t.entries()), m);
      assert.deepEqual([...t.keys()].sort(), [...m.keys()].sort());
      assert.equal([...t.values()].length, m.size);
    }),
    { seed, numRuns: 200 },
  );
});

test('KeyTable: deleting while iterating visits every key once', () => {
  const t = new KeyTable<Obj>();
  for (let i = 0; i < 5000; i++) t.set(`key:${i}`, new Obj(i));
  const seen = new Set<string>();
  for (const k of t.keys()) {
    assert.ok(!seen.has(k));
    seen.add(k);
    t.delete(k);
  }
  assert.equal(seen.size, 5000);
  assert.equal(t.size, 0);
  assert.ok(t.maybeShrink());
  assert.equal(t.capacity, 16);
});

test('KeyTable: grows to a load of at most 3/4 and shrinks when mostly empty', () => {
  const t = new KeyTable<Obj>();
  for (let i = 0; i < 100_000; i++) t.set(`key:${i}`, new Obj(i));
  assert.ok(t.size * 4 <= t.capacity * 3);
  for (let i = 0; i < 95_000; i++) t.delete(`key:${i}`);
  assert.ok(t.maybeShrink());
  assert.ok(t.capacity <= 16384, `capacity ${t.capacity}`);
  for (let i = 95_000; i < 100_000; i++) assert.equal(t.get(`key:${i}`)!.v, i);
});

test('keyHash: binary strings, never 0 or 1, spreads similar keys over the low bits', () => {
  const buckets = new Uint32Array(1024);
  for (let i = 0; i < 102_400; i++) {
    const h = keyHash(`key:${String(i).padStart(12, '0')}`);
    assert.ok(h !== 0 && h !== 1);
    buckets[h & 1023]++;
  }
  // 100 expected per bucket; a poor low-bit spread would leave buckets far off.
  for (const b of buckets) assert.ok(b > 40 && b < 180, `bucket count ${b}`);
  assert.notEqual(keyHash('\x00\xff'), keyHash('\xff\x00'));
});
