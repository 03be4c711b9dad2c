// Unit tests of RHashValue (src/types/hash.ts): the compact packed form and the Map
// form behave like a Map<string, string> (contents, sizes, insertion order), the
// length prefixes survive long and binary fields/values, putPairs counts like
// repeated puts, conversion keeps contents and order, clones are independent. A
// seeded random sequence compares both forms with a real Map after every step.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RHashValue } from '../../src/types/hash.js';
import { rngFromEnv } from '../helpers/random.js';

/** The contents of a hash through every read API, checked against a Map. */
function assertSame(h: RHashValue, m: Map<string, string>, what = ''): void {
  const expected = [...m];
  assert.equal(h.size, m.size, `size ${what}`);
  assert.deepEqual([...h], expected, `iteration ${what}`);
  assert.deepEqual([...h.entries()], expected, `entries() ${what}`);
  assert.deepEqual([...h.keys()], [...m.keys()], `keys() ${what}`);
  assert.deepEqual([...h.values()], [...m.values()], `values() ${what}`);
  assert.deepEqual(h.fieldArray(), [...m.keys()], `fieldArray() ${what}`);
  assert.deepEqual(h.valueArray(), [...m.values()], `valueArray() ${what}`);
  assert.deepEqual(h.flat(), expected.flat(), `flat() ${what}`);
  const seen: [string, string][] = [];
  h.forEach((v, f, self) => {
    assert.equal(self, h);
    seen.push([f, v]);
  });
  assert.deepEqual(seen, expected, `forEach ${what}`);
  for (const [f, v] of m) {
    assert.equal(h.get(f), v, `get(${JSON.stringify(f)}) ${what}`);
    assert.equal(h.has(f), true, `has(${JSON.stringify(f)}) ${what}`);
    assert.equal(h.valueLength(f), v.length, `valueLength(${JSON.stringify(f)}) ${what}`);
  }
  if (h.compact) {
    // One-byte packed string, exactly the prefixes plus the data.
    let total = 0;
    for (const [f, v] of m) total += prefixLen(f.length) + f.length + prefixLen(v.length) + v.length;
    assert.equal(h.packedLength, total, `packed length ${what}`);
    if (m.size === 0) assert.equal(h.lp, '');
  } else assert.equal(h.packedLength, 0);
}

function prefixLen(n: number): number {
  let k = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    k++;
  }
  return k;
}

describe('RHashValue', () => {
  test('empty hash', () => {
    const h = new RHashValue();
    assert.equal(h.compact, true);
    assertSame(h, new Map());
    assert.equal(h.get('a'), undefined);
    assert.equal(h.has('a'), false);
    assert.equal(h.valueLength('a'), -1);
    assert.equal(h.delete('a'), false);
    assert.equal(h.get(''), undefined);
  });

  for (const form of ['compact', 'map'] as const) {
    const make = (): RHashValue => {
      const h = new RHashValue();
      if (form === 'map') h.toHashtable();
      return h;
    };

    test(`${form}: put/get/delete, replies of put, insertion order kept on replace`, () => {
      const h = make();
      assert.equal(h.compact, form === 'compact');
      const m = new Map<string, string>();
      assert.equal(h.put('a', '1'), true);
      m.set('a', '1');
      assert.equal(h.put('b', '2'), true);
      m.set('b', '2');
      assert.equal(h.put('c', '3'), true);
      m.set('c', '3');
      assertSame(h, m);
      // Replacing a value keeps the field's position; same value is not "new".
      assert.equal(h.put('a', 'longer value'), false);
      m.set('a', 'longer value');
      assertSame(h, m, 'after replace');
      assert.equal(h.put('a', 'longer value'), false);
      assert.equal(h.put('b', ''), false);
      m.set('b', '');
      assertSame(h, m, 'after empty value');
      assert.equal(h.delete('b'), true);
      m.delete('b');
      assert.equal(h.delete('b'), false);
      assertSame(h, m, 'after delete');
      // A prefix or extension of a field is a different field.
      assert.equal(h.get('aa'), undefined);
      assert.equal(h.get(''), undefined);
      assert.equal(h.put('', 'empty field'), true);
      m.set('', 'empty field');
      assertSame(h, m, 'empty field');
      h.set('x', 'y').set('z', 'w');
      m.set('x', 'y').set('z', 'w');
      assertSame(h, m, 'chained set');
      for (const f of [...m.keys()]) {
        assert.equal(h.delete(f), true);
        m.delete(f);
        assertSame(h, m, `deleting ${f}`);
      }
      assert.equal(h.size, 0);
    });

    test(`${form}: binary data and long fields/values (multi-byte length prefixes)`, () => {
      const h = make();
      const m = new Map<string, string>();
      let all = '';
      for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
      const cases: [string, string][] = [
        ['\x00', '\x00'],
        ['\x80', '\xff'],
        [all, all],
        ['f127', 'x'.repeat(127)],
        ['f128', 'y'.repeat(128)],
        ['z'.repeat(129), 'f129'],
        ['f16383', 'q'.repeat(16383)],
        ['f16384', 'r'.repeat(16384)],
        ['f300000', 's'.repeat(300000)],
        ['\r\n', '\r\n'],
      ];
      for (const [f, v] of cases) {
        assert.equal(h.put(f, v), true);
        m.set(f, v);
      }
      assertSame(h, m);
      // Replace a long value by a short one and back, in the middle.
      h.put('f16384', 's');
      m.set('f16384', 's');
      assertSame(h, m, 'shrunk');
      h.put('f16384', 't'.repeat(20000));
      m.set('f16384', 't'.repeat(20000));
      assertSame(h, m, 'grown');
      h.delete(all);
      m.delete(all);
      assertSame(h, m, 'deleted');
    });
  }

  test('the packed string is flat and one-byte (no rope of the pieces kept)', () => {
    const h = new RHashValue();
    for (let i = 0; i < 10; i++) h.put(`field:${i}`, `v${String(i).padStart(15, '0')}`);
    // 10 entries of 1 + 7 + 1 + 16 characters.
    assert.equal(h.packedLength, 250);
    assert.equal(h.lp.length, 250);
  });

  test('putPairs: fresh fields at once, duplicates and existing fields counted like put', () => {
    const h = new RHashValue();
    const m = new Map<string, string>();
    const argv = ['HSET', 'k', 'a', '1', 'b', '2', 'c', '3'];
    assert.equal(h.putPairs(argv, 2, argv.length - 1), 3);
    for (let i = 2; i < argv.length; i += 2) m.set(argv[i], argv[i + 1]);
    assertSame(h, m);
    // Duplicates among the arguments: the later value wins, counted once.
    const dup = ['HSET', 'k', 'd', '4', 'd', '5', 'e', '6'];
    assert.equal(h.putPairs(dup, 2, dup.length - 1), 2);
    m.set('d', '5').set('e', '6');
    assertSame(h, m, 'duplicates');
    // Some fields exist already.
    const mixed = ['HSET', 'k', 'a', 'one', 'f', '7'];
    assert.equal(h.putPairs(mixed, 2, mixed.length - 1), 1);
    m.set('a', 'one').set('f', '7');
    assertSame(h, m, 'existing');
    // Same in map form.
    const g = new RHashValue();
    g.toHashtable();
    assert.equal(g.putPairs(argv, 2, argv.length - 1), 3);
    assert.equal(g.putPairs(dup, 2, dup.length - 1), 2);
    assert.equal(g.putPairs(mixed, 2, mixed.length - 1), 1);
    assertSame(g, m, 'map form');
  });

  test('toHashtable keeps contents and order, never goes back, later writes use the Map', () => {
    const h = new RHashValue();
    const m = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      h.put(`f${i}`, `v${i}`);
      m.set(`f${i}`, `v${i}`);
    }
    h.put('f3', 'changed');
    m.set('f3', 'changed');
    h.toHashtable();
    assert.equal(h.compact, false);
    assert.ok(h.map instanceof Map);
    assertSame(h, m, 'converted');
    h.toHashtable(); // no-op
    assertSame(h, m, 'converted twice');
    for (let i = 0; i < 20; i++) {
      h.delete(`f${i}`);
      m.delete(`f${i}`);
    }
    assert.equal(h.compact, false);
    h.put('again', 'x');
    m.set('again', 'x');
    assertSame(h, m, 'emptied and refilled');
    assert.equal(h.compact, false);
  });

  test('fromMap / fromPairs / clone are independent of their source', () => {
    const src = new Map([['a', '1'], ['b', '2']]);
    const h = RHashValue.fromPairs(src);
    assert.equal(h.compact, true);
    assertSame(h, src);
    const c = h.clone();
    c.put('a', 'changed');
    c.put('z', '26');
    assertSame(h, src, 'compact source after clone changed');
    assert.equal(c.get('a'), 'changed');
    const big = RHashValue.fromMap(new Map(src));
    assert.equal(big.compact, false);
    const bc = big.clone();
    assert.equal(bc.compact, false);
    bc.delete('a');
    assertSame(big, src, 'map source after clone changed');
    assert.equal(bc.size, 1);
    h.clear();
    assert.equal(h.size, 0);
    assertSame(c, new Map([['a', 'changed'], ['b', '2'], ['z', '26']]), 'clone after source cleared');
  });

  test('an iterator over the compact form walks the pairs of when it started', () => {
    const h = RHashValue.fromPairs([['a', '1'], ['b', '2'], ['c', '3']]);
    const it = h.entries();
    assert.deepEqual(it.next().value, ['a', '1']);
    h.delete('b');
    h.put('d', '4');
    assert.deepEqual([...it], [['b', '2'], ['c', '3']]);
    assert.deepEqual(h.fieldArray(), ['a', 'c', 'd']);
  });

  test('random operations agree with a Map in both forms (seeded)', () => {
    const rng = rngFromEnv('RHashValue random ops');
    for (let round = 0; round < 40; round++) {
      const h = new RHashValue();
      const m = new Map<string, string>();
      const pool = Array.from({ length: 1 + rng.int(30) }, (_, i) => (rng.bool(0.2) ? rng.bytes(rng.int(4)) : `f${i}`));
      const convertAt = rng.bool(0.5) ? rng.int(200) : -1;
      for (let step = 0; step < 200; step++) {
        if (step === convertAt) h.toHashtable();
        const f = rng.pick(pool);
        const op = rng.int(10);
        const what = `round ${round} step ${step} op ${op} field ${JSON.stringify(f)} (seed ${rng.seed})`;
        if (op < 4) {
          const v = rng.bool(0.05) ? rng.alnum(100 + rng.int(200)) : rng.bytes(rng.int(12));
          assert.equal(h.put(f, v), !m.has(f), what);
          m.set(f, v);
        } else if (op < 6) {
          assert.equal(h.delete(f), m.delete(f), what);
        } else if (op < 7) {
          const k = 1 + rng.int(4);
          const argv = ['HSET', 'key'];
          for (let i = 0; i < k; i++) argv.push(rng.pick(pool), rng.bytes(rng.int(6)));
          let created = 0;
          for (let i = 2; i < argv.length; i += 2) {
            if (!m.has(argv[i])) created++;
            m.set(argv[i], argv[i + 1]);
          }
          assert.equal(h.putPairs(argv, 2, argv.length - 1), created, what);
        } else {
          assert.equal(h.get(f), m.get(f), what);
          assert.equal(h.has(f), m.has(f), what);
        }
        assert.equal(h.size, m.size, what);
        if (step % 20 === 19) assertSame(h, m, what);
      }
      assertSame(h, m, `round ${round} end (seed ${rng.seed})`);
    }
  });
});
