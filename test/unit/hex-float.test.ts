// The one C99 hex float scanner (util/numbers.ts scanHexFloat) and the doubles and
// long doubles derived from it, against a brute-force reference: a regex for the
// syntax, and for the value the exact rational written out in decimal and handed to
// Number() (which V8 rounds correctly at any length).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDouble, parseHexFloat, scanHexFloat } from '../../src/util/numbers.js';
import { parseLongDouble } from '../../src/util/long-double.js';

const HEX_SYNTAX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;

/** The exact value as [neg, mant, exp2], or null when `s` is not a hex float. */
function referenceParts(s: string): [boolean, bigint, number] | null {
  const m = HEX_SYNTAX.exec(s);
  if (m === null) return null;
  const int = m[2];
  const frac = m[3] ?? '';
  if (int.length + frac.length === 0) return null;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  return [m[1] === '-', BigInt('0x' + int + frac), exp - 4 * frac.length];
}

/** The nearest double of (-1)^neg * mant * 2^exp2, through an exact decimal string. */
function referenceDouble(neg: boolean, mant: bigint, exp2: number): number {
  let text: string;
  if (exp2 >= 0) text = (mant << BigInt(exp2)).toString();
  else text = (mant * 5n ** BigInt(-exp2)).toString() + 'e-' + -exp2; // mant / 2^k = mant * 5^k / 10^k
  const v = Number(text);
  return neg ? -v : v;
}

const hexDigits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: max });

/** Hex floats, with exponents biased towards the edges of the double range. */
const hexFloat = fc
  .record({
    sign: fc.constantFrom('', '+', '-'),
    x: fc.constantFrom('0x', '0X'),
    int: hexDigits(20),
    frac: fc.option(hexDigits(20), { nil: undefined }),
    exp: fc.option(
      fc.record({
        p: fc.constantFrom('p', 'P'),
        sign: fc.constantFrom('', '+', '-'),
        zeros: fc.constantFrom('', '0', '00'),
        v: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1000, max: 1160 }), fc.integer({ min: 0, max: 1200 })),
      }),
      { nil: undefined },
    ),
  })
  .map(
    (r) =>
      r.sign + r.x + r.int + (r.frac === undefined ? '' : '.' + r.frac) + (r.exp === undefined ? '' : r.exp.p + r.exp.sign + r.exp.zeros + r.exp.v),
  )
  .filter((s) => referenceParts(s) !== null); // at least one digit

/** Short strings over the hex float alphabet: mostly invalid. */
const nearHexFloat = fc.string({ unit: fc.constantFrom(...'0xX1aF.pP+-9 g'), maxLength: 10 });

describe('hex floats', () => {
  test('scanHexFloat accepts what the C99 syntax accepts, with the exact value', () => {
    fc.assert(
      fc.property(fc.oneof(hexFloat, nearHexFloat), (s) => {
        const ref = referenceParts(s);
        const got = scanHexFloat(s);
        if (ref === null) {
          assert.equal(got, null, s);
          return;
        }
        assert.notEqual(got, null, s);
        assert.equal(got!.neg, ref[0], s);
        // Same rational: compare mant * 2^exp2 after aligning the exponents.
        const e = Math.min(got!.exp2, ref[2]);
        assert.equal(got!.mant << BigInt(got!.exp2 - e), ref[1] << BigInt(ref[2] - e), s);
      }),
      { numRuns: 3000, seed: 12 },
    );
  });

  test('parseHexFloat rounds to the nearest double, ties to even, subnormals and overflow included', () => {
    fc.assert(
      fc.property(hexFloat, (s) => {
        const ref = referenceParts(s)!;
        assert.ok(Object.is(parseHexFloat(s), referenceDouble(...ref)), s);
      }),
      { numRuns: 3000, seed: 13 },
    );
  });

  test('edge cases', () => {
    const cases: Array<[string, number]> = [
      ['0x1.8p3', 12],
      ['-0X.Cp-2', -0.1875],
      ['0x1p-1074', 5e-324],
      ['0x1p-1075', 0], // the tie below the smallest subnormal goes to even (zero)
      ['0x1.0000000000001p-1075', 5e-324],
      ['0x3p-1076', 5e-324], // 0.75 of the smallest subnormal
      ['0x1.fffffffffffffp1023', Number.MAX_VALUE],
      ['0x1.fffffffffffff7ffp1023', Number.MAX_VALUE],
      ['0x1.fffffffffffff8p1023', Infinity], // rounds up past the largest double
      ['0x1.00000000000008p0', 1], // tie, to even
      ['0x1.00000000000018p0', 1 + 2 ** -51], // tie, to even (up)
      ['0x1.000000000000080000000000000001p0', 1 + 2 ** -52], // just above the tie
      ['0x123456789abcdef0123p0', 0x123456789abcdef0123],
      ['-0x0p0', -0],
      ['0x.8', 0.5],
      ['0x8.', 8],
      ['0x1p+0010', 1024],
      ['0x1p99999999999', Infinity],
      ['-0x1p-99999999999', -0],
    ];
    for (const [s, want] of cases) assert.ok(Object.is(parseHexFloat(s), want), `${s}: ${parseHexFloat(s)}`);
    for (const bad of ['0x', '0x.', '0xp1', '0x1p', '0x1p+', ' 0x1', '0x1 ', '0x1.2.3', '0x1q', '0xg', '+-0x1', 'x1', '00x1']) {
      assert.equal(parseHexFloat(bad), null, bad);
      assert.equal(parseDouble(bad), null, bad);
    }
  });

  test('parseDouble and parseLongDouble read hex floats through the same scanner', () => {
    fc.assert(
      fc.property(hexFloat, (s) => {
        const [neg, mant, exp2] = referenceParts(s)!;
        assert.ok(Object.is(parseDouble(s), referenceDouble(neg, mant, exp2)), s);
        const ld = parseLongDouble(s);
        if (mant === 0n) {
          assert.ok(ld !== null && ld.m === 0n, s);
        } else if (mant < 1n << 64n && exp2 > -16000 && exp2 < 16000) {
          // At most 64 significant bits well inside the range: exact.
          assert.ok(ld !== null && !ld.inf && ld.neg === neg, s);
          const e = Math.min(ld.e, exp2);
          assert.equal(ld.m << BigInt(ld.e - e), mant << BigInt(exp2 - e), s);
        }
      }),
      { numRuns: 2000, seed: 14 },
    );
  });
});
