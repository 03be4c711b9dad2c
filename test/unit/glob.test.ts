import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch, compileGlob } from '../../src/util/glob.js';

// [pattern, subject, nocase, expected]
const CASES: Array<[string, string, boolean, boolean]> = [
  // literals and the empty cases
  ['', '', false, true],
  ['', 'a', false, false],
  ['a', '', false, false],
  ['hello', 'hello', false, true],
  ['hello', 'hell', false, false],
  ['hello', 'helloo', false, false],
  ['hello', 'HELLO', false, false],
  ['hello', 'HELLO', true, true],
  ['HeLLo', 'hEllO', true, true],
  // '*'
  ['*', 'anything', false, true],
  ['*', '', false, false], // Redis: an empty subject only matches an empty pattern
  ['**', '', false, false],
  ['***', 'x', false, true],
  ['h*o', 'hello', false, true],
  ['h*o', 'ho', false, true],
  ['h*o', 'hellx', false, false],
  ['h*', 'h', false, true],
  ['h**', 'h', false, true],
  ['h*l*o', 'hello', false, true],
  ['*llo', 'hello', false, true],
  ['*llo', 'llo', false, true],
  ['*llo', 'lo', false, false],
  ['*ell*', 'hello', false, true],
  ['*ell*', 'ell', false, true],
  ['*ell*', 'elx', false, false],
  ['*ELL*', 'hello', true, true],
  ['user:*', 'user:1000', false, true],
  ['user:*', 'user:', false, true],
  ['user:*', 'user', false, false],
  ['USER:*', 'user:1', true, true],
  ['*:id', 'user:1:id', false, true],
  ['a*b*c', 'abc', false, true],
  ['a*b*c', 'aXbYc', false, true],
  ['a*b*c', 'aXbY', false, false],
  ['a*b', 'abab', false, true],
  ['a*b', 'abba', false, false],
  ['*a*', 'bbb', false, false],
  ['a*?', 'a', false, false],
  ['a*?', 'ab', false, true],
  // '?'
  ['h?llo', 'hello', false, true],
  ['h?llo', 'hallo', false, true],
  ['h?llo', 'hllo', false, false],
  ['?', '', false, false],
  ['?', 'x', false, true],
  ['??', 'x', false, false],
  ['*?', 'x', false, true],
  ['?*', 'x', false, true],
  // sets
  ['h[ae]llo', 'hello', false, true],
  ['h[ae]llo', 'hallo', false, true],
  ['h[ae]llo', 'hillo', false, false],
  ['h[^e]llo', 'hallo', false, true],
  ['h[^e]llo', 'hello', false, false],
  ['h[a-b]llo', 'hbllo', false, true],
  ['h[a-b]llo', 'hcllo', false, false],
  ['h[b-a]llo', 'hallo', false, true], // reversed range
  ['[z-a]', 'm', false, true],
  ['[0-9]', '5', false, true],
  ['[0-9]', 'a', false, false],
  ['[^0-9]', 'a', false, true],
  ['[a-c-e]', 'b', false, true],
  ['[a-c-e]', '-', false, true],
  ['[a-c-e]', 'e', false, true],
  ['[a-c-e]', 'd', false, false],
  ['[ABC]', 'b', true, true],
  ['[ABC]', 'b', false, false],
  ['[a-c]', 'B', true, true],
  ['[A-C]', 'b', true, true],
  ['[A-z]', '_', false, true], // '_' (0x5f) lies between 'Z' and 'a'
  ['[A-z]', '_', true, false], // nocase lowercases the bounds: 'a'..'z'
  ['[A-z]', 'Q', true, true],
  ['[Z-a]', '_', false, true],
  ['[Z-a]', '_', true, false], // nocase: 'z'..'a' is empty
  ['[Z-a]', 'z', true, false],
  ['[]', 'a', false, false], // empty set
  ['[]', ']', false, false],
  ['[]a]', 'a]', false, false], // "[]" (never matches) then literal "a]"
  ['[^]a]', 'xa]', false, true],
  ['[^]', 'x', false, true], // negated empty set: any byte
  ['[^]', '', false, false],
  ['[]]', ']]', false, false],
  ['[a-]', ']', false, true], // range from ']' to 'a', unterminated
  ['[a-]', '^', false, true],
  ['[a-]', 'a', false, true],
  ['[a-]', 'b', false, false],
  ['[a-]b', 'b', false, true], // the set goes on: range ']'..'a' plus 'b'
  ['[a-]b', 'ab', false, false],
  ['[-a]', '-', false, true],
  ['[-a]', 'a', false, true],
  ['[a-', 'a', false, true], // unterminated: 'a', '-'
  ['[a-', '-', false, true],
  // escapes
  ['h\\*llo', 'h*llo', false, true],
  ['h\\*llo', 'hello', false, false],
  ['\\?', '?', false, true],
  ['\\?', 'x', false, false],
  ['\\[a]', '[a]', false, true],
  ['\\\\', '\\', false, true],
  ['a\\', 'a\\', false, true], // trailing lone backslash is literal
  ['a\\', 'a', false, false],
  ['\\A', 'a', true, true], // escapes outside a set fold case
  ['[\\]]', ']', false, true],
  ['[\\^a]', '^', false, true],
  ['[\\-]', '-', false, true],
  ['[\\a-c]', 'b', false, false], // '\a' then '-' then 'c'
  ['[\\a-c]', '-', false, true],
  ['[\\A]', 'a', true, false], // escaped byte in a set is compared case-sensitively
  ['[\\A]', 'A', true, true],
  ['[\\', '\\', false, true], // unterminated: lone backslash is a plain member
  ['[*]', '*', false, true],
  ['[*]', 'x', false, false],
  ['[?]', '?', false, true],
  ['[?]', 'x', false, false],
  // unterminated sets
  ['[', '', false, false],
  ['[', '[', false, false], // the set is empty
  ['[^', 'x', false, true], // negated empty unterminated set
  ['[abc', 'a', false, true],
  ['[abc', 'c', false, true],
  ['[abc', 'd', false, false],
  ['[abc', 'ab', false, false],
  ['x[abc', 'xb', false, true],
  ['[^abc', 'd', false, true],
  ['[^abc', 'a', false, false],
  ['[a*', '*', false, true],
  ['[a*', 'aa', false, false],
  // binary bytes and signed-char ranges
  ['\xe9t\xe9', '\xe9t\xe9', false, true],
  ['\xc9', '\xe9', true, false], // only ASCII folds
  ['*\x00*', 'a\x00b', false, true],
  ['a?c', 'a\x00c', false, true],
  ['[\x80-\xff]', '\xa0', false, true],
  ['[a-\xff]', '5', false, true], // 0xff is -1: range -1..'a'
  ['[a-\xff]', '\xff', false, true],
  ['[a-\xff]', '\xa0', false, false],
  ['[a-\xff]', 'b', false, false],
  ['[\x01-\xff]', '\x00', false, true],
];

test('glob: case table', () => {
  for (const [p, s, nocase, want] of CASES) {
    assert.equal(globMatch(p, s, nocase), want, `globMatch(${JSON.stringify(p)}, ${JSON.stringify(s)}, ${nocase})`);
    assert.equal(compileGlob(p, nocase)(s), want, `compileGlob(${JSON.stringify(p)}, ${nocase})(${JSON.stringify(s)})`);
  }
});

test('glob: compiled fast paths', () => {
  const lit = compileGlob('foo');
  assert.equal(lit('foo'), true);
  assert.equal(lit('fo'), false);
  assert.equal(lit(''), false);
  const litNc = compileGlob('FoO', true);
  assert.equal(litNc('fOo'), true);
  assert.equal(litNc('foox'), false);
  const all = compileGlob('*');
  assert.equal(all('x'), true);
  assert.equal(all(''), false);
  const pre = compileGlob('ab\\*c*');
  assert.equal(pre('ab*c'), true);
  assert.equal(pre('ab*cdef'), true);
  assert.equal(pre('abxc'), false);
  const preNc = compileGlob('AB*', true);
  assert.equal(preNc('abZ'), true);
  assert.equal(preNc('aZ'), false);
  const suf = compileGlob('*.json');
  assert.equal(suf('a.json'), true);
  assert.equal(suf('.json'), true);
  assert.equal(suf('json'), false);
  const sufNc = compileGlob('*.JSON', true);
  assert.equal(sufNc('A.Json'), true);
  const mid = compileGlob('*needle*');
  assert.equal(mid('hayneedlehay'), true);
  assert.equal(mid('needle'), true);
  assert.equal(mid('needl'), false);
  const midNc = compileGlob('*NEEDLE*', true);
  assert.equal(midNc('hayNeedle'), true);
  const empty = compileGlob('');
  assert.equal(empty(''), true);
  assert.equal(empty('a'), false);
});

test('glob: pathological patterns stay fast', () => {
  const long = 'a'.repeat(100_000);
  const t0 = Date.now();
  assert.equal(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', long), false);
  assert.equal(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a', long), true);
  assert.equal(globMatch('a*a*a*a*a*a*a*a*a*a*a*a*a*a*?*a*a*a*a*[ab]', long), true);
  assert.equal(globMatch('*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*c', long), false);
  const manyStars = '*a'.repeat(500) + '*b';
  assert.equal(globMatch(manyStars, 'a'.repeat(5000)), false);
  assert.equal(globMatch(manyStars, 'a'.repeat(5000) + 'b'), true);
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});

test("glob: Redis's star nesting guard", () => {
  // 1000 star groups then a literal: allowed.
  assert.equal(globMatch('a*'.repeat(1000) + 'b', 'a'.repeat(1000) + 'b'), true);
  // The 1001st star group is trailing: still matches.
  assert.equal(globMatch('a*'.repeat(1001), 'a'.repeat(1001)), true);
  // The 1001st star group is followed by more pattern: never matches.
  assert.equal(globMatch('a*'.repeat(1001) + 'b', 'a'.repeat(1001) + 'b'), false);
  assert.equal(globMatch('*a'.repeat(1001), 'a'.repeat(1001)), false);
  // Consecutive stars are one group.
  assert.equal(globMatch('a**'.repeat(1000) + 'b', 'a'.repeat(1000) + 'b'), true);
});

// An independent, deliberately naive reading of the semantics (recursive, no
// pruning), used as an oracle on small random inputs.
function naive(pattern: string, str: string, nocase: boolean): boolean {
  const pc = (i: number): number => (i < pattern.length ? pattern.charCodeAt(i) : 0); // NUL past the end
  const lo = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
  const sc = (c: number): number => (c > 127 ? c - 256 : c);
  const go = (pi: number, si: number, depth: number): boolean => {
    if (depth > 1000) return false;
    const pend = pattern.length;
    while (pi < pend && si < str.length) {
      const c = pc(pi);
      const s = str.charCodeAt(si);
      if (c === 42) {
        while (pi + 1 < pend && pc(pi + 1) === 42) pi++;
        if (pi === pend - 1) return true;
        for (let k = si; k < str.length; k++) if (go(pi + 1, k, depth + 1)) return true;
        return false;
      } else if (c === 63) {
        si++;
      } else if (c === 91) {
        pi++;
        const neg = pc(pi) === 94 && pi < pend;
        if (neg) pi++;
        let hit = false;
        for (;;) {
          if (pc(pi) === 92 && pend - pi >= 2) {
            pi++;
            if (pc(pi) === s) hit = true;
          } else if (pc(pi) === 93 && pi < pend) {
            break;
          } else if (pi >= pend) {
            pi--;
            break;
          } else if (pend - pi >= 3 && pc(pi + 1) === 45) {
            let a = sc(pc(pi));
            let b = sc(pc(pi + 2));
            if (a > b) [a, b] = [b, a];
            let x = sc(s);
            if (nocase) {
              a = lo(a);
              b = lo(b);
              x = lo(x);
            }
            if (x >= a && x <= b) hit = true;
            pi += 2;
          } else if (nocase ? lo(pc(pi)) === lo(s) : pc(pi) === s) {
            hit = true;
          }
          pi++;
        }
        if (neg) hit = !hit;
        if (!hit) return false;
        si++;
      } else {
        if (c === 92 && pend - pi >= 2) pi++;
        const e = pc(pi);
        if (nocase ? lo(e) !== lo(s) : e !== s) return false;
        si++;
      }
      pi++;
      if (si === str.length) {
        while (pi < pend && pc(pi) === 42) pi++;
        break;
      }
    }
    return pi >= pend && si === str.length;
  };
  return go(0, 0, 0);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('glob: randomized agreement with a naive matcher', () => {
  const seed = process.env.GLOB_SEED ? Number(process.env.GLOB_SEED) : (Date.now() ^ (process.pid << 8)) >>> 0;
  console.log(`glob random seed: ${seed} (rerun with GLOB_SEED=${seed})`);
  const rnd = mulberry32(seed);
  const patAlpha = ['a', 'b', 'A', 'z', '*', '*', '?', '[', ']', '^', '-', '\\', '\xe9', '_'];
  const strAlpha = ['a', 'b', 'A', 'B', 'z', ']', '-', '^', '\\', '*', '\xe9', '_', '\x00'];
  const pick = (arr: string[]): string => arr[Math.floor(rnd() * arr.length)] as string;
  let matches = 0;
  const N = 60_000;
  for (let n = 0; n < N; n++) {
    const plen = Math.floor(rnd() * 9);
    const slen = Math.floor(rnd() * 7);
    let p = '';
    for (let i = 0; i < plen; i++) p += pick(patAlpha);
    let s = '';
    for (let i = 0; i < slen; i++) s += pick(strAlpha);
    const nocase = rnd() < 0.3;
    const want = naive(p, s, nocase);
    if (want) matches++;
    assert.equal(globMatch(p, s, nocase), want, `seed ${seed}: globMatch(${JSON.stringify(p)}, ${JSON.stringify(s)}, ${nocase})`);
  }
  assert.ok(matches > N / 50, `too few matches generated (${matches})`);
});

test('glob: the naive oracle agrees with the case table', () => {
  for (const [p, s, nocase, want] of CASES) {
    assert.equal(naive(p, s, nocase), want, `naive(${JSON.stringify(p)}, ${JSON.stringify(s)}, ${nocase})`);
  }
});
