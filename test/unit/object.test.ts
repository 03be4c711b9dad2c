// RObj packs type, encoding and the 24-bit LRU/LFU word into one integer: every
// field must read back what was written, whatever the others hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RObj, ObjType } from '../../src/types/object.js';

const TYPES = [ObjType.String, ObjType.List, ObjType.Set, ObjType.ZSet, ObjType.Hash, ObjType.Stream];

test('RObj: type, enc and lru are independent fields', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...TYPES),
      fc.integer({ min: 0, max: 0xffffff }),
      fc.array(
        fc.oneof(
          fc.record({ f: fc.constant('type' as const), v: fc.constantFrom(...TYPES) }),
          fc.record({ f: fc.constant('enc' as const), v: fc.integer({ min: 0, max: 3 }) }),
          fc.record({ f: fc.constant('lru' as const), v: fc.integer({ min: 0, max: 0xffffff }) }),
        ),
        { maxLength: 20 },
      ),
      (type, lru, writes) => {
        const o = new RObj(type, 'v', lru);
        const want = { type: type as number, enc: 0, lru };
        assert.deepEqual({ type: o.type, enc: o.enc, lru: o.lru }, want);
        for (const w of writes) {
          (o as unknown as Record<string, number>)[w.f] = w.v;
          want[w.f] = w.v;
          assert.deepEqual({ type: o.type, enc: o.enc, lru: o.lru }, want);
        }
        assert.equal(o.value, 'v');
        assert.equal(o.pos, -1);
      },
    ),
    { numRuns: 500, seed: 3 },
  );
});

test('RObj: an LRU word wider than 24 bits keeps its low 24 bits, as the lru:24 field of Redis does', () => {
  const o = new RObj(ObjType.Hash, 'v', 0x1234567);
  assert.equal(o.lru, 0x234567);
  assert.equal(o.type, ObjType.Hash);
  o.lru = -1;
  assert.equal(o.lru, 0xffffff);
  assert.equal(o.type, ObjType.Hash);
  assert.equal(o.enc, 0);
});
