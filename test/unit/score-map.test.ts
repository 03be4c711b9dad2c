// ScoreMap (a big sorted set's member -> score index) against a JS Map model:
// random sets, deletes (through growth, tombstone reuse and shrinking), lookups of
// present and absent members, iteration and clones, seeded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScoreMap } from '../../src/types/score-map.js';

type Op = { t: 'set'; k: number; v: number } | { t: 'del'; k: number } | { t: 'clone' };

function sameContent(s: ScoreMap, m: Map<string, number>): void {
  assert.equal(s.size, m.size);
  const seen = new Map<string, number>();
  for (const [k, v] of s) {
    assert.ok(!seen.has(k), `member ${k} listed twice`);
    seen.set(k, v);
  }
  assert.deepEqual([...seen.entries()].sort(), [...m.entries()].sort());
}

test('ScoreMap behaves as a Map under random operations', () => {
  const seed = Number(process.env['CINNABAR_SEED'] ?? Date.now() % 2 ** 31);
  console.log(`score-map seed=${seed}`);
  const score = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true }));
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 10, arbitrary: fc.record({ t: fc.constant('set' as const), k: fc.nat(400), v: score }) },
    { weight: 8, arbitrary: fc.record({ t: fc.constant('del' as const), k: fc.nat(400) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('clone' as const) }) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 800 }), (ops) => {
      let s = new ScoreMap();
      const m = new Map<string, number>();
      for (const o of ops) {
        if (o.t === 'set') {
          s.set(`m${o.k}`, o.v);
          m.set(`m${o.k}`, o.v);
        } else if (o.t === 'del') {
          assert.equal(s.delete(`m${o.k}`), m.delete(`m${o.k}`));
        } else {
          // The clone is used from now on; the original must not share its storage.
          const c = s.clone();
          s.set('only-in-original', 1);
          assert.equal(c.has('only-in-original'), false);
          s.delete('only-in-original');
          s = c;
        }
        const probe = `m${o.t === 'clone' ? 0 : o.k}`;
        assert.ok(Object.is(s.get(probe), m.get(probe)));
        assert.equal(s.has(probe), m.has(probe));
      }
      sameContent(s, m);
      for (let k = 0; k <= 400; k++) assert.ok(Object.is(s.get(`m${k}`), m.get(`m${k}`)));
    }),
    { seed, numRuns: 200 },
  );
});

test('ScoreMap keeps -0 and infinities, and overwrites in place', () => {
  const s = new ScoreMap();
  s.set('a', -0);
  s.set('b', Infinity);
  s.set('c', -Infinity);
  assert.ok(Object.is(s.get('a'), -0));
  assert.equal(s.get('b'), Infinity);
  assert.equal(s.get('c'), -Infinity);
  assert.equal(s.get('d'), undefined);
  s.set('a', 5);
  assert.equal(s.get('a'), 5);
  assert.equal(s.size, 3);
});

test('ScoreMap grows to hold 100k members and shrinks back when they go', () => {
  const s = new ScoreMap();
  for (let i = 0; i < 100_000; i++) s.set(`member:${i}`, i * 0.5);
  assert.equal(s.size, 100_000);
  for (let i = 0; i < 100_000; i += 997) assert.equal(s.get(`member:${i}`), i * 0.5);
  for (let i = 0; i < 99_990; i++) assert.ok(s.delete(`member:${i}`));
  assert.equal(s.size, 10);
  assert.deepEqual([...s].map(([k]) => k).sort(), Array.from({ length: 10 }, (_, j) => `member:${99_990 + j}`).sort());
  // Shrunk: iterating walks the small table, not 256k buckets.
  assert.ok((s as unknown as { hashes: Int32Array }).hashes.length <= 128);
});
