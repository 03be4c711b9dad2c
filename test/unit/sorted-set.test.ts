import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPACT_HARD_MAX,
  SortedSet,
  setLeafMax,
  parseScoreRange,
  parseLexRange,
  type ScoreRange,
  type LexRange,
} from '../../src/types/sorted-set.js';

type Entry = [string, number];

function range(min: number, max: number, minEx = false, maxEx = false): ScoreRange {
  return { min, max, minEx, maxEx };
}

function lex(minArg: string, maxArg: string): LexRange {
  const r = parseLexRange(minArg, maxArg);
  assert.ok(r !== null, `bad lex range ${minArg} ${maxArg}`);
  return r;
}

/**
 * The representations under test: 'compact' (a new set), 'indexed' (created as
 * one), 'converted' (built compact, then converted with toIndexed()), and
 * 'small-leaves' (indexed, with leaves of at most 16 elements so that splits and
 * merges happen on small sets).
 */
type Mode = 'compact' | 'indexed' | 'converted' | 'small-leaves';
const MODES: readonly Mode[] = ['compact', 'indexed', 'converted', 'small-leaves'];

function makeSet(mode: Mode): SortedSet {
  return new SortedSet(mode === 'indexed' || mode === 'small-leaves');
}

function buildSet(mode: Mode, pairs: Entry[]): SortedSet {
  const z = makeSet(mode);
  for (const [m, s] of pairs) z.add(m, s);
  z.checkInvariants();
  if (mode === 'converted') {
    z.toIndexed();
    z.checkInvariants();
  }
  assert.equal(z.isCompact, mode === 'compact' && pairs.length <= COMPACT_HARD_MAX);
  return z;
}

// a:1 b:2 c:2 d:3 e:5
const SAMPLE: Entry[] = [
  ['d', 3],
  ['b', 2],
  ['e', 5],
  ['a', 1],
  ['c', 2],
];
const SORTED: Entry[] = [
  ['a', 1],
  ['b', 2],
  ['c', 2],
  ['d', 3],
  ['e', 5],
];

// ---- randomized comparison against a naive model -----------------------------

/** mulberry32: small deterministic PRNG. */
function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function entryLess(a: Entry, b: Entry): boolean {
  return a[1] < b[1] || (a[1] === b[1] && a[0] < b[0]);
}

class Model {
  items: Entry[] = [];
  find(m: string): number {
    return this.items.findIndex((e) => e[0] === m);
  }
  add(m: string, s: number): string {
    const i = this.find(m);
    if (i >= 0) {
      if (this.items[i][1] === s) return 'unchanged';
      this.items.splice(i, 1);
    }
    const e: Entry = [m, s];
    let j = 0;
    while (j < this.items.length && entryLess(this.items[j], e)) j++;
    this.items.splice(j, 0, e);
    return i >= 0 ? 'updated' : 'added';
  }
  remove(m: string): boolean {
    const i = this.find(m);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }
  inScore(s: number, r: ScoreRange): boolean {
    const lo = r.minEx ? s > r.min : s >= r.min;
    const hi = r.maxEx ? s < r.max : s <= r.max;
    return lo && hi;
  }
  inLex(m: string, r: LexRange): boolean {
    const lo = r.minInf === -1 ? true : r.minInf === 1 ? false : r.minEx ? m > r.min : m >= r.min;
    const hi = r.maxInf === 1 ? true : r.maxInf === -1 ? false : r.maxEx ? m < r.max : m <= r.max;
    return lo && hi;
  }
  window(list: Entry[], reverse: boolean, offset: number, count: number): Entry[] {
    const l = reverse ? [...list].reverse() : list;
    if (offset < 0) return [];
    return count < 0 ? l.slice(offset) : l.slice(offset, offset + count);
  }
  removeWhere(pred: (e: Entry) => boolean): number {
    const before = this.items.length;
    this.items = this.items.filter((e) => !pred(e));
    return before - this.items.length;
  }
}

const SEED = process.env.ZSET_SEED !== undefined ? Number(process.env.ZSET_SEED) : 0x5eed2024;

function suites(mode: Mode): void {
  describe(`representation: ${mode}`, () => {
    if (mode === 'small-leaves') {
      let saved = 0;
      before(() => {
        saved = setLeafMax(16);
      });
      after(() => {
        setLeafMax(saved);
      });
    }
    const make = (): SortedSet => makeSet(mode);
    const build = (pairs: Entry[]): SortedSet => buildSet(mode, pairs);
    /** In 'converted' mode, converts a set that is being exercised at step `step`. */
    const convertAt = (z: SortedSet, step: number, at: number): void => {
      if (mode === 'converted' && step === at) {
        z.toIndexed();
        z.checkInvariants();
      }
    };

    describe(`${mode}: SortedSet basics`, () => {
      test('empty set', () => {
        const z = make();
        assert.equal(z.size, 0);
        assert.equal(z.score('x'), undefined);
        assert.equal(z.rank('x'), undefined);
        assert.equal(z.at(0), undefined);
        assert.equal(z.randomMember(), undefined);
        assert.deepEqual(z.rangeByRank(0, -1, false), []);
        assert.deepEqual(z.rangeByScore(range(-Infinity, Infinity), false), []);
        assert.deepEqual(z.rangeByLex(lex('-', '+'), false), []);
        assert.equal(z.countByScore(range(-Infinity, Infinity)), 0);
        assert.equal(z.countByLex(lex('-', '+')), 0);
        assert.deepEqual(z.popMin(3), []);
        assert.deepEqual(z.popMax(3), []);
        assert.equal(z.remove('x'), false);
        assert.equal(z.removeRangeByRank(0, 10), 0);
        assert.deepEqual([...z.entries()], []);
        z.checkInvariants();
      });

      test('add / score / size / update / unchanged', () => {
        const z = make();
        assert.equal(z.add('a', 1), 'added');
        assert.equal(z.add('b', 2), 'added');
        assert.equal(z.add('a', 1), 'unchanged');
        assert.equal(z.add('a', 3), 'updated');
        assert.equal(z.size, 2);
        assert.equal(z.score('a'), 3);
        assert.deepEqual([...z.entries()], [
          ['b', 2],
          ['a', 3],
        ]);
        // update that keeps the node in place
        assert.equal(z.add('a', 2.5), 'updated');
        assert.deepEqual([...z.entries()], [
          ['b', 2],
          ['a', 2.5],
        ]);
        z.checkInvariants();
        // -0 and 0 are the same score
        assert.equal(z.add('c', -0), 'added');
        assert.equal(z.add('c', 0), 'unchanged');
        assert.throws(() => z.add('n', NaN), RangeError);
        assert.equal(z.size, 3);
      });

      test('ordering: score then member bytewise, infinities', () => {
        const z = build([
          ['b', 0],
          ['\xff', 0],
          ['a', 0],
          ['\x00', 0],
          ['', 0],
          ['ab', 0],
          ['z', -Infinity],
          ['y', Infinity],
          ['\x80', 0],
        ]);
        assert.deepEqual(
          [...z.members()],
          ['z', '', '\x00', 'a', 'ab', 'b', '\x80', '\xff', 'y'],
        );
      });

      test('remove', () => {
        const z = build(SAMPLE);
        assert.equal(z.remove('c'), true);
        assert.equal(z.remove('c'), false);
        assert.equal(z.size, 4);
        assert.equal(z.score('c'), undefined);
        assert.deepEqual([...z.members()], ['a', 'b', 'd', 'e']);
        z.checkInvariants();
        for (const m of ['a', 'b', 'd', 'e']) assert.equal(z.remove(m), true);
        assert.equal(z.size, 0);
        z.checkInvariants();
        z.add('x', 1);
        assert.deepEqual([...z.entries()], [['x', 1]]);
        z.checkInvariants();
      });

      test('rank and at', () => {
        const z = build(SAMPLE);
        SORTED.forEach(([m, s], i) => {
          assert.equal(z.rank(m), i);
          assert.equal(z.rank(m, true), SORTED.length - 1 - i);
          assert.deepEqual(z.at(i), [m, s]);
        });
        assert.equal(z.rank('zz'), undefined);
        assert.equal(z.at(-1), undefined);
        assert.equal(z.at(5), undefined);
      });

      test('rangeByRank', () => {
        const z = build(SAMPLE);
        assert.deepEqual(z.rangeByRank(0, 4, false), SORTED);
        assert.deepEqual(z.rangeByRank(0, 4, true), [...SORTED].reverse());
        assert.deepEqual(z.rangeByRank(1, 2, false), SORTED.slice(1, 3));
        assert.deepEqual(z.rangeByRank(1, 2, true), [
          ['d', 3],
          ['c', 2],
        ]);
        assert.deepEqual(z.rangeByRank(3, 2, false), []);
        assert.deepEqual(z.rangeByRank(4, 4, true), [['a', 1]]);
        assert.deepEqual(z.rangeByRank(3, 100, false), SORTED.slice(3));
      });

      test('entries, members, clone independence', () => {
        const z = build(SAMPLE);
        assert.deepEqual([...z.entries()], SORTED);
        assert.deepEqual([...z.members()], SORTED.map((e) => e[0]));
        const c = z.clone();
        c.checkInvariants();
        assert.deepEqual([...c.entries()], SORTED);
        c.add('a', 10);
        c.remove('b');
        c.add('f', 0);
        c.checkInvariants();
        z.checkInvariants();
        assert.deepEqual([...z.entries()], SORTED);
        assert.deepEqual([...c.members()], ['f', 'c', 'd', 'e', 'a']);
        const e = make().clone();
        e.checkInvariants();
        e.add('q', 1);
        e.checkInvariants();
      });

      test('randomMember is roughly uniform', () => {
        const z = make();
        const n = 10;
        for (let i = 0; i < n; i++) z.add('m' + i, i % 3);
        const counts = new Map<string, number>();
        const draws = 20000;
        for (let i = 0; i < draws; i++) {
          const m = z.randomMember();
          assert.ok(m !== undefined && z.score(m) !== undefined);
          counts.set(m, (counts.get(m) ?? 0) + 1);
        }
        assert.equal(counts.size, n);
        for (const c of counts.values()) {
          // expected 2000, sd ~42: a 6-sigma-ish band
          assert.ok(c > 1700 && c < 2300, `count ${c}`);
        }
      });
    });

    describe(`${mode}: score ranges`, () => {
      test('rangeByScore inclusive / exclusive / reverse', () => {
        const z = build(SAMPLE);
        assert.deepEqual(z.rangeByScore(range(2, 3), false), [
          ['b', 2],
          ['c', 2],
          ['d', 3],
        ]);
        assert.deepEqual(z.rangeByScore(range(2, 3, true), false), [['d', 3]]);
        assert.deepEqual(z.rangeByScore(range(2, 3, false, true), false), [
          ['b', 2],
          ['c', 2],
        ]);
        assert.deepEqual(z.rangeByScore(range(2, 3), true), [
          ['d', 3],
          ['c', 2],
          ['b', 2],
        ]);
        assert.deepEqual(z.rangeByScore(range(-Infinity, Infinity), false), SORTED);
        assert.deepEqual(z.rangeByScore(range(-Infinity, Infinity), true), [...SORTED].reverse());
        assert.deepEqual(z.rangeByScore(range(4, 4), false), []);
        assert.deepEqual(z.rangeByScore(range(3, 2), false), []);
        assert.deepEqual(z.rangeByScore(range(2, 2, true, false), false), []);
        assert.deepEqual(z.rangeByScore(range(6, Infinity), false), []);
        assert.deepEqual(z.rangeByScore(range(-Infinity, 0.5), true), []);
      });

      test('rangeByScore offset / count', () => {
        const z = build(SAMPLE);
        const all = range(-Infinity, Infinity);
        assert.deepEqual(z.rangeByScore(all, false, 1, 2), SORTED.slice(1, 3));
        assert.deepEqual(z.rangeByScore(all, true, 1, 2), [
          ['d', 3],
          ['c', 2],
        ]);
        assert.deepEqual(z.rangeByScore(all, false, 4, 10), [['e', 5]]);
        assert.deepEqual(z.rangeByScore(all, false, 5, 10), []);
        assert.deepEqual(z.rangeByScore(all, false, 0, 0), []);
        assert.deepEqual(z.rangeByScore(all, false, -1, 2), []);
        assert.deepEqual(z.rangeByScore(all, false, 2, -1), SORTED.slice(2));
        assert.deepEqual(z.rangeByScore(range(2, 5), true, 2, -5), [
          ['c', 2],
          ['b', 2],
        ]);
      });

      test('countByScore', () => {
        const z = build(SAMPLE);
        assert.equal(z.countByScore(range(-Infinity, Infinity)), 5);
        assert.equal(z.countByScore(range(2, 2)), 2);
        assert.equal(z.countByScore(range(2, 2, true)), 0);
        assert.equal(z.countByScore(range(1, 3, true, true)), 2);
        assert.equal(z.countByScore(range(5, 1)), 0);
        assert.equal(z.countByScore(range(Infinity, Infinity)), 0);
        z.add('inf', Infinity);
        assert.equal(z.countByScore(range(Infinity, Infinity)), 1);
        assert.equal(z.countByScore(range(5, Infinity, true)), 1);
      });

      test('removeRangeByScore', () => {
        const z = build(SAMPLE);
        assert.equal(z.removeRangeByScore(range(2, 3, false, true)), 2);
        z.checkInvariants();
        assert.deepEqual([...z.members()], ['a', 'd', 'e']);
        assert.equal(z.removeRangeByScore(range(10, 20)), 0);
        assert.equal(z.removeRangeByScore(range(-Infinity, Infinity)), 3);
        assert.equal(z.size, 0);
        z.checkInvariants();
      });

      test('removeRangeByRank', () => {
        const z = build(SAMPLE);
        assert.equal(z.removeRangeByRank(1, 3), 3);
        z.checkInvariants();
        assert.deepEqual([...z.members()], ['a', 'e']);
        assert.equal(z.removeRangeByRank(1, 0), 0);
        assert.equal(z.removeRangeByRank(0, 1), 2);
        z.checkInvariants();
        assert.equal(z.size, 0);
      });

      test('popMin / popMax', () => {
        const z = build(SAMPLE);
        assert.deepEqual(z.popMin(2), SORTED.slice(0, 2));
        assert.deepEqual(z.popMax(1), [['e', 5]]);
        z.checkInvariants();
        assert.deepEqual(z.popMin(0), []);
        assert.deepEqual(z.popMax(-1), []);
        assert.deepEqual(z.popMax(10), [
          ['d', 3],
          ['c', 2],
        ]);
        assert.equal(z.size, 0);
        z.checkInvariants();
      });

      test('parseScoreRange', () => {
        assert.deepEqual(parseScoreRange('1', '2'), range(1, 2));
        assert.deepEqual(parseScoreRange('(1', '(2.5'), range(1, 2.5, true, true));
        assert.deepEqual(parseScoreRange('-inf', '+inf'), range(-Infinity, Infinity));
        assert.deepEqual(parseScoreRange('(-INF', 'Inf'), range(-Infinity, Infinity, true));
        assert.deepEqual(parseScoreRange('-infinity', '(INFINITY'), range(-Infinity, Infinity, false, true));
        assert.deepEqual(parseScoreRange('1e3', '.5'), range(1000, 0.5));
        assert.deepEqual(parseScoreRange('+5.', '-1E-2'), range(5, -0.01));
        assert.deepEqual(parseScoreRange('1e400', '-1e400'), range(Infinity, -Infinity));
        assert.deepEqual(parseScoreRange('0x10', '(0x1.8p1'), range(16, 3, false, true));
        assert.deepEqual(parseScoreRange('-0X.8', '0x1P-2'), range(-0.5, 0.25));
        assert.deepEqual(parseScoreRange('007', '0'), range(7, 0));
        const bad = [
          '',
          '(',
          ' 1',
          '1 ',
          '\t1',
          '1x',
          'abc',
          'nan',
          '(nan',
          'NaN',
          '-nan',
          'inff',
          '1e',
          '1e+',
          '.',
          '+',
          '-',
          '0x',
          '0x.',
          '0x1p',
          '((1',
          '[1',
          '1_000',
          '\xb2',
        ];
        for (const b of bad) {
          assert.equal(parseScoreRange(b, '1'), null, `min ${JSON.stringify(b)}`);
          assert.equal(parseScoreRange('1', b), null, `max ${JSON.stringify(b)}`);
        }
      });
    });

    describe(`${mode}: lex ranges`, () => {
      const MEMBERS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
      const z0 = () => build(MEMBERS.map((m): Entry => [m, 0]));

      test('parseLexRange', () => {
        assert.deepEqual(parseLexRange('-', '+'), {
          min: '',
          max: '',
          minEx: true,
          maxEx: true,
          minInf: -1,
          maxInf: 1,
        });
        assert.deepEqual(parseLexRange('[a', '(b'), {
          min: 'a',
          max: 'b',
          minEx: false,
          maxEx: true,
          minInf: 0,
          maxInf: 0,
        });
        const r = parseLexRange('[', '(');
        assert.ok(r !== null && r.min === '' && r.max === '' && !r.minEx && r.maxEx);
        for (const b of ['a', '', '+a', '-a', '++', '--', ' [a', '{a']) {
          assert.equal(parseLexRange(b, '+'), null, JSON.stringify(b));
          assert.equal(parseLexRange('-', b), null, JSON.stringify(b));
        }
      });

      test('rangeByLex', () => {
        const z = z0();
        const mem = (es: Entry[]) => es.map((e) => e[0]);
        assert.deepEqual(mem(z.rangeByLex(lex('-', '+'), false)), MEMBERS);
        assert.deepEqual(mem(z.rangeByLex(lex('-', '+'), true)), [...MEMBERS].reverse());
        assert.deepEqual(mem(z.rangeByLex(lex('-', '[c'), false)), ['a', 'b', 'c']);
        assert.deepEqual(mem(z.rangeByLex(lex('-', '(c'), false)), ['a', 'b']);
        assert.deepEqual(mem(z.rangeByLex(lex('[aaa', '(g'), false)), ['b', 'c', 'd', 'e', 'f']);
        assert.deepEqual(mem(z.rangeByLex(lex('(b', '[e'), true)), ['e', 'd', 'c']);
        assert.deepEqual(mem(z.rangeByLex(lex('+', '-'), false)), []);
        assert.deepEqual(mem(z.rangeByLex(lex('+', '+'), false)), []);
        assert.deepEqual(mem(z.rangeByLex(lex('-', '-'), false)), []);
        assert.deepEqual(mem(z.rangeByLex(lex('[d', '[c'), false)), []);
        assert.deepEqual(mem(z.rangeByLex(lex('[c', '(c'), false)), []);
        assert.deepEqual(mem(z.rangeByLex(lex('[c', '[c'), false)), ['c']);
        assert.deepEqual(mem(z.rangeByLex(lex('[', '+'), false)), MEMBERS);
        assert.deepEqual(mem(z.rangeByLex(lex('-', '+'), false, 2, 3)), ['c', 'd', 'e']);
        assert.deepEqual(mem(z.rangeByLex(lex('-', '+'), true, 2, 3)), ['e', 'd', 'c']);
        assert.deepEqual(mem(z.rangeByLex(lex('-', '+'), true, 6, -1)), ['a']);
        assert.deepEqual(mem(z.rangeByLex(lex('-', '+'), true, 7, -1)), []);
        assert.deepEqual(mem(z.rangeByLex(lex('-', '+'), false, -1, 1)), []);
      });

      test('countByLex / removeRangeByLex', () => {
        const z = z0();
        assert.equal(z.countByLex(lex('-', '+')), 7);
        assert.equal(z.countByLex(lex('(a', '(g')), 5);
        assert.equal(z.countByLex(lex('[b', '[b')), 1);
        assert.equal(z.countByLex(lex('[z', '+')), 0);
        assert.equal(z.removeRangeByLex(lex('(a', '[c')), 2);
        z.checkInvariants();
        assert.deepEqual([...z.members()], ['a', 'd', 'e', 'f', 'g']);
        assert.equal(z.removeRangeByLex(lex('[x', '+')), 0);
        assert.equal(z.removeRangeByLex(lex('-', '+')), 5);
        assert.equal(z.size, 0);
        z.checkInvariants();
      });
    });

    describe(`${mode}: randomized model comparison`, () => {
      test('scores: thousands of random ops match a sorted-array model', (t) => {
        t.diagnostic(`seed=${SEED} (set ZSET_SEED to reproduce another)`);
        const rnd = makeRng(SEED);
        const int = (n: number) => Math.floor(rnd() * n);
        const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
        const CHARS = ['a', 'b', 'c', '\x00', '\x7f', '\x80', '\xff'];
        const SCORES = [-Infinity, -3, -1.5, -1, -0, 0, 0.25, 1, 2, 2.5, 7, 1e300, Infinity];
        const randMember = () => {
          let s = '';
          const len = int(5);
          for (let i = 0; i < len; i++) s += pick(CHARS);
          return s;
        };
        const randScore = () => (rnd() < 0.8 ? pick(SCORES) : Math.round((rnd() * 20 - 10) * 4) / 4);
        const randRange = (): ScoreRange => ({
          min: randScore(),
          max: randScore(),
          minEx: rnd() < 0.3,
          maxEx: rnd() < 0.3,
        });

        const z = make();
        const model = new Model();
        const OPS = 20000;
        let maxSize = 0;
        let sizeSum = 0;
        for (let step = 0; step < OPS; step++) {
          convertAt(z, step, 3500);
          const op = int(16);
          const ctx = `seed=${SEED} step=${step} op=${op}`;
          // Alternate growing and shrinking phases so the set reaches a few hundred
          // elements and also drains back down.
          const growing = step % 5000 < 3000;
          if (growing && (op === 5 || op === 10 || op === 11 || op === 12) && rnd() < 0.85) continue;
          switch (op) {
            case 0:
            case 1:
            case 2:
            case 3: {
              const m = randMember();
              const s = randScore();
              assert.equal(z.add(m, s), model.add(m, s), ctx);
              break;
            }
            case 4: {
              // update an existing member
              if (model.items.length === 0) break;
              const m = pick(model.items)[0];
              const s = randScore();
              assert.equal(z.add(m, s), model.add(m, s), ctx);
              break;
            }
            case 5: {
              const m = rnd() < 0.7 && model.items.length > 0 ? pick(model.items)[0] : randMember();
              assert.equal(z.remove(m), model.remove(m), ctx);
              break;
            }
            case 6: {
              const m = rnd() < 0.8 && model.items.length > 0 ? pick(model.items)[0] : randMember();
              const i = model.find(m);
              assert.equal(z.rank(m), i < 0 ? undefined : i, ctx);
              assert.equal(z.rank(m, true), i < 0 ? undefined : model.items.length - 1 - i, ctx);
              assert.equal(z.score(m), i < 0 ? undefined : model.items[i][1], ctx);
              break;
            }
            case 7: {
              const n = model.items.length;
              if (n === 0) break;
              const a = int(n);
              const b = int(n);
              const rev = rnd() < 0.5;
              const expected = (rev ? [...model.items].reverse() : model.items).slice(a, b + 1);
              assert.deepEqual(z.rangeByRank(a, b, rev), expected, ctx);
              assert.deepEqual(z.at(a), model.items[a], ctx);
              break;
            }
            case 8:
            case 9: {
              const r = randRange();
              const rev = rnd() < 0.5;
              const offset = rnd() < 0.5 ? 0 : int(8) - 1;
              const count = rnd() < 0.5 ? -1 : int(8) - 1;
              const inR = model.items.filter((e) => model.inScore(e[1], r));
              assert.deepEqual(
                z.rangeByScore(r, rev, offset, count),
                model.window(inR, rev, offset, count),
                `${ctx} ${JSON.stringify(r)} rev=${rev} off=${offset} cnt=${count}`,
              );
              assert.equal(z.countByScore(r), inR.length, ctx);
              break;
            }
            case 10: {
              if (rnd() < 0.7) break; // keep the set from draining too fast
              const r = randRange();
              const removed = z.removeRangeByScore(r);
              assert.equal(removed, model.removeWhere((e) => model.inScore(e[1], r)), ctx);
              break;
            }
            case 11: {
              if (rnd() < 0.7) break;
              const n = model.items.length;
              if (n === 0) break;
              const a = int(n);
              const b = Math.min(n - 1, a + int(4));
              assert.equal(z.removeRangeByRank(a, b), b - a + 1, ctx);
              model.items.splice(a, b - a + 1);
              break;
            }
            case 12: {
              const c = int(4);
              if (rnd() < 0.5) {
                assert.deepEqual(z.popMin(c), model.items.splice(0, c), ctx);
              } else {
                const n = model.items.length;
                const k = Math.min(c, n);
                const expected = model.items.splice(n - k, k).reverse();
                assert.deepEqual(z.popMax(c), expected, ctx);
              }
              break;
            }
            case 13: {
              const m = z.randomMember();
              if (model.items.length === 0) assert.equal(m, undefined, ctx);
              else assert.ok(m !== undefined && model.find(m) >= 0, ctx);
              break;
            }
            case 14: {
              if (step % 50 !== 0) break;
              const c = z.clone();
              c.checkInvariants();
              assert.deepEqual([...c.entries()], model.items, ctx);
              break;
            }
            case 15: {
              z.checkInvariants();
              break;
            }
          }
          assert.equal(z.size, model.items.length, ctx);
          if (z.size > maxSize) maxSize = z.size;
          sizeSum += z.size;
          if (step % 250 === 0) {
            z.checkInvariants();
            assert.deepEqual([...z.entries()], model.items, ctx);
          }
        }
        z.checkInvariants();
        assert.deepEqual([...z.entries()], model.items);
        t.diagnostic(`ops=${OPS} max size=${maxSize} mean size=${Math.round(sizeSum / OPS)}`);
      });

      test('lex: random ops with equal scores match the model', (t) => {
        const seed = (SEED ^ 0x9e3779b9) >>> 0;
        t.diagnostic(`seed=${seed}`);
        const rnd = makeRng(seed);
        const int = (n: number) => Math.floor(rnd() * n);
        const CHARS = ['a', 'b', 'c', '\x00', '\xff'];
        const randStr = () => {
          let s = '';
          const len = int(4);
          for (let i = 0; i < len; i++) s += CHARS[int(CHARS.length)];
          return s;
        };
        const randBound = (): string => {
          const k = int(10);
          if (k === 0) return '-';
          if (k === 1) return '+';
          return (k < 6 ? '[' : '(') + randStr();
        };
        const z = make();
        const model = new Model();
        const OPS = 10000;
        for (let step = 0; step < OPS; step++) {
          convertAt(z, step, 2000);
          const op = int(8);
          const ctx = `seed=${seed} step=${step} op=${op}`;
          switch (op) {
            case 0:
            case 1:
            case 2: {
              const m = randStr();
              assert.equal(z.add(m, 7), model.add(m, 7), ctx);
              break;
            }
            case 3: {
              const m = randStr();
              assert.equal(z.remove(m), model.remove(m), ctx);
              break;
            }
            case 4:
            case 5: {
              const minArg = randBound();
              const maxArg = randBound();
              const r = lex(minArg, maxArg);
              const rev = rnd() < 0.5;
              const offset = rnd() < 0.5 ? 0 : int(6) - 1;
              const count = rnd() < 0.5 ? -1 : int(6) - 1;
              const inR = model.items.filter((e) => model.inLex(e[0], r));
              assert.deepEqual(
                z.rangeByLex(r, rev, offset, count),
                model.window(inR, rev, offset, count),
                `${ctx} ${JSON.stringify([minArg, maxArg])} rev=${rev} off=${offset} cnt=${count}`,
              );
              assert.equal(z.countByLex(r), inR.length, ctx);
              break;
            }
            case 6: {
              if (rnd() < 0.6) break;
              const r = lex(randBound(), randBound());
              assert.equal(
                z.removeRangeByLex(r),
                model.removeWhere((e) => model.inLex(e[0], r)),
                ctx,
              );
              break;
            }
            case 7: {
              if (step % 100 === 0) {
                z.checkInvariants();
                assert.deepEqual([...z.entries()], model.items, ctx);
              }
              break;
            }
          }
          assert.equal(z.size, model.items.length, ctx);
        }
        z.checkInvariants();
        assert.deepEqual([...z.entries()], model.items);
        t.diagnostic(`ops=${OPS} final size=${z.size}`);
      });

      test('large set: ranks, counts and removal stay consistent', () => {
        const rnd = makeRng(SEED + 1);
        const z = make();
        const N = 50000;
        for (let i = 0; i < N; i++) z.add('k' + i, Math.floor(rnd() * 1000));
        z.checkInvariants();
        assert.equal(z.size, N);
        const all = [...z.entries()];
        for (let k = 0; k < 200; k++) {
          const i = Math.floor(rnd() * N);
          assert.equal(z.rank(all[i][0]), i);
          assert.deepEqual(z.at(i), all[i]);
        }
        const r = range(100, 200, false, true);
        const expected = all.filter((e) => e[1] >= 100 && e[1] < 200).length;
        assert.equal(z.countByScore(r), expected);
        assert.equal(z.removeRangeByScore(r), expected);
        assert.equal(z.size, N - expected);
        // move every element: exercises in-place and relinking updates
        for (const [m, s] of all) z.add(m, s === 999 ? 0 : s + 1);
        z.checkInvariants();
      });
    });
  });
}

for (const mode of MODES) suites(mode);

describe('representations and conversion', () => {
  const entriesOf = (z: SortedSet): Entry[] => [...z.entries()];

  test('a new set is compact; toIndexed converts once and keeps the content', () => {
    const z = new SortedSet();
    assert.equal(z.isCompact, true);
    for (const [m, s] of SAMPLE) z.add(m, s);
    assert.equal(z.isCompact, true);
    z.toIndexed();
    assert.equal(z.isCompact, false);
    z.checkInvariants();
    assert.deepEqual(entriesOf(z), SORTED);
    z.toIndexed();
    z.checkInvariants();
    assert.deepEqual(entriesOf(z), SORTED);
    assert.equal(new SortedSet(true).isCompact, false);
    const e = new SortedSet();
    e.toIndexed();
    e.checkInvariants();
    assert.equal(e.size, 0);
    assert.deepEqual(e.rangeByRank(0, 10, false), []);
    e.add('a', 1);
    e.checkInvariants();
    assert.deepEqual(entriesOf(e), [['a', 1]]);
  });

  test('a compact set converts itself past COMPACT_HARD_MAX', () => {
    const z = new SortedSet();
    for (let i = 0; i < COMPACT_HARD_MAX; i++) z.add('m' + i, i % 7);
    assert.equal(z.isCompact, true);
    z.checkInvariants();
    assert.equal(z.add('m0', 100), 'updated');
    assert.equal(z.isCompact, true);
    assert.equal(z.add('extra', 3), 'added');
    assert.equal(z.isCompact, false);
    assert.equal(z.size, COMPACT_HARD_MAX + 1);
    z.checkInvariants();
    assert.equal(z.score('extra'), 3);
    assert.equal(z.rank('m0'), COMPACT_HARD_MAX);
  });

  test('fromSorted builds either representation', () => {
    for (const indexed of [false, true]) {
      const z = SortedSet.fromSorted(SORTED, indexed);
      assert.equal(z.isCompact, !indexed);
      z.checkInvariants();
      assert.deepEqual(entriesOf(z), SORTED);
      assert.equal(z.add('b', 4), 'updated');
      z.checkInvariants();
      const empty = SortedSet.fromSorted([], indexed);
      assert.equal(empty.isCompact, !indexed);
      empty.checkInvariants();
      assert.equal(empty.size, 0);
      assert.throws(() => SortedSet.fromSorted([['a', NaN]], indexed), RangeError);
    }
    const big: Entry[] = [];
    for (let i = 0; i < COMPACT_HARD_MAX + 5; i++) big.push(['k' + String(i).padStart(5, '0'), 1]);
    const z = SortedSet.fromSorted(big, false);
    assert.equal(z.isCompact, false);
    z.checkInvariants();
    assert.deepEqual(z.at(COMPACT_HARD_MAX), big[COMPACT_HARD_MAX]);
  });

  test('clone keeps the representation and is independent', () => {
    for (const indexed of [false, true]) {
      const z = SortedSet.fromSorted(SORTED, indexed);
      const c = z.clone();
      assert.equal(c.isCompact, !indexed);
      c.checkInvariants();
      c.add('a', 9);
      c.remove('e');
      c.checkInvariants();
      z.checkInvariants();
      assert.deepEqual(entriesOf(z), SORTED);
      assert.deepEqual([...c.members()], ['b', 'c', 'd', 'a']);
    }
  });

  test('-0 is kept as given in both representations', () => {
    for (const indexed of [false, true]) {
      const z = new SortedSet(indexed);
      z.add('n', -0);
      z.add('p', 0);
      z.add('q', 0.5);
      assert.ok(Object.is(z.score('n'), -0));
      assert.ok(Object.is(z.score('p'), 0));
      assert.equal(z.add('n', 0), 'unchanged');
      assert.ok(Object.is(z.score('n'), -0));
      assert.deepEqual([...z.members()], ['n', 'p', 'q']);
      assert.equal(z.countByScore({ min: 0, max: 0, minEx: false, maxEx: false }), 2);
      z.checkInvariants();
    }
  });

  test('long members and any chars survive packing and conversion', () => {
    const long = 'L'.repeat(300);
    const mid = 'member-of-twenty-chars';
    const wide = 'wide\u0100\uffff';
    const z = new SortedSet();
    for (const [m, sc] of [[mid, 2], ['', 1], ['\x00\xff', 3], [wide, 0], ['x'.repeat(254), 2]] as Entry[]) {
      z.add(m, sc);
    }
    z.checkInvariants();
    assert.equal(z.isCompact, true);
    assert.deepEqual([...z.members()], [wide, '', mid, 'x'.repeat(254), '\x00\xff']);
    assert.equal(z.score(wide), 0);
    assert.equal(z.rank(mid), 2);
    const c = z.clone();
    z.add(long, 1.5);
    assert.equal(z.isCompact, false);
    z.checkInvariants();
    assert.deepEqual([...z.members()], [wide, '', long, mid, 'x'.repeat(254), '\x00\xff']);
    assert.equal(z.score(long), 1.5);
    assert.equal(c.isCompact, true);
    c.insertNew(long, 9);
    assert.equal(c.isCompact, false);
    c.checkInvariants();
    assert.deepEqual(c.at(5), [long, 9]);
    const built = SortedSet.fromSorted([['a', 1], [long, 2]], false);
    assert.equal(built.isCompact, false);
    built.checkInvariants();
    // latin1-only members of 13+ chars are unpacked as copies (Buffer path).
    const y = new SortedSet();
    for (let i = 0; i < 20; i++) y.add(`member-number-${i}`, i % 3);
    const before = [...y.entries()];
    y.toIndexed();
    y.checkInvariants();
    assert.deepEqual([...y.entries()], before);
  });

  test('insertNew / rescore (the lookup-free add) match add()', (t) => {
    const seed = (SEED + 11) >>> 0;
    t.diagnostic(`seed=${seed}`);
    const saved = setLeafMax(16);
    try {
      for (const indexed of [false, true]) {
        const rnd = makeRng(seed);
        const int = (n: number) => Math.floor(rnd() * n);
        const z = new SortedSet(indexed);
        const ref = new SortedSet(indexed);
        for (let step = 0; step < 4000; step++) {
          const m = 'k' + int(300);
          const s = rnd() < 0.1 ? -0 : int(60) / 4;
          const cur = z.score(m);
          if (cur === undefined) z.insertNew(m, s);
          else if (cur !== s) z.rescore(m, cur, s);
          ref.add(m, s);
          if (rnd() < 0.2) {
            const r = 'k' + int(300);
            assert.equal(z.remove(r), ref.remove(r));
          }
          if (step % 400 === 0) z.checkInvariants();
        }
        z.checkInvariants();
        assert.deepEqual([...z.entries()], [...ref.entries()], `indexed=${indexed}`);
        assert.equal(z.isCompact, !indexed && z.size <= COMPACT_HARD_MAX);
        assert.throws(() => z.insertNew('nan', NaN), RangeError);
      }
    } finally {
      setLeafMax(saved);
    }
  });

  test('indexed: thousands of elements with splits, merges, range removals and pops', (t) => {
    const seed = (SEED + 7) >>> 0;
    t.diagnostic(`seed=${seed}`);
    const rnd = makeRng(seed);
    const int = (n: number) => Math.floor(rnd() * n);
    const z = new SortedSet(true);
    const model = new Model();
    for (let step = 0; step < 6000; step++) {
      const ctx = `seed=${seed} step=${step}`;
      const op = int(10);
      if (op < 5 || (step < 3000 && op < 8)) {
        const m = 'm' + int(4000);
        const s = int(50) / 2;
        assert.equal(z.add(m, s), model.add(m, s), ctx);
      } else if (op === 5 || op === 8) {
        const m = 'm' + int(4000);
        assert.equal(z.remove(m), model.remove(m), ctx);
      } else if (op === 6) {
        const n = model.items.length;
        if (n === 0) continue;
        const a = int(n);
        const b = Math.min(n - 1, a + int(300));
        assert.equal(z.removeRangeByRank(a, b), b - a + 1, ctx);
        model.items.splice(a, b - a + 1);
      } else if (op === 7) {
        const c = int(40);
        if (rnd() < 0.5) assert.deepEqual(z.popMin(c), model.items.splice(0, c), ctx);
        else {
          const n = model.items.length;
          const k = Math.min(c, n);
          assert.deepEqual(z.popMax(c), model.items.splice(n - k, k).reverse(), ctx);
        }
      } else {
        const n = model.items.length;
        if (n === 0) continue;
        const a = int(n);
        assert.deepEqual(z.at(a), model.items[a], ctx);
        assert.equal(z.rank(model.items[a][0]), a, ctx);
        const b = Math.min(n - 1, a + int(200));
        assert.deepEqual(z.rangeByRank(a, b, true), [...model.items].reverse().slice(a, b + 1), ctx);
      }
      assert.equal(z.size, model.items.length, ctx);
      if (step % 500 === 0) {
        z.checkInvariants();
        assert.deepEqual([...z.entries()], model.items, ctx);
      }
    }
    z.checkInvariants();
    assert.deepEqual([...z.entries()], model.items);
  });
});

test('indexed: the member table grows and shrinks, and the page store repacks, under the leaves', (t) => {
  // The leaves name members by their bucket in the member table, so every rehash of
  // the table (growth while adding, shrinking after removals) renumbers them, and
  // a set that lost most of its leaves gives its page store back. Small leaves
  // make many pages; checks run after every phase and often within them.
  const seed = (SEED + 13) >>> 0;
  t.diagnostic(`seed=${seed}`);
  const rnd = makeRng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const saved = setLeafMax(8);
  try {
    const z = new SortedSet(true);
    const model = new Model();
    const same = (ctx: string) => {
      z.checkInvariants();
      assert.deepEqual([...z.entries()], model.items, ctx);
    };
    for (let i = 0; i < 3000; i++) {
      const m = 'g' + int(5000);
      const s = int(100);
      assert.equal(z.add(m, s), model.add(m, s));
      if (i % 250 === 0) same(`grow ${i}`);
    }
    same('grown');
    const copy = z.clone();
    const copyItems = [...model.items];
    while (model.items.length > 40) {
      if (rnd() < 0.5) {
        const [m] = model.items[int(model.items.length)];
        assert.equal(z.remove(m), model.remove(m));
      } else {
        const a = int(model.items.length);
        const b = Math.min(model.items.length - 1, a + int(60));
        assert.equal(z.removeRangeByRank(a, b), b - a + 1);
        model.items.splice(a, b - a + 1);
      }
      if (model.items.length % 7 === 0) same(`shrink at ${model.items.length}`);
    }
    same('shrunk');
    for (let i = 0; i < 500; i++) {
      const m = 'h' + int(800);
      const s = int(10);
      assert.equal(z.add(m, s), model.add(m, s));
    }
    same('regrown');
    // The clone made before all this is untouched, and works on its own.
    copy.checkInvariants();
    assert.deepEqual([...copy.entries()], copyItems);
    assert.equal(copy.add('g1', -1) !== 'unchanged', true);
    copy.checkInvariants();
  } finally {
    setLeafMax(saved);
  }
});
