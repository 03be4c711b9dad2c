// x87 80-bit long double emulation for INCRBYFLOAT and HINCRBYFLOAT.
//
// Redis computes those increments in long double on x86-64 (strtold, one long
// double addition, "%.17Lf" with trailing zeros removed); the emulation here is
// exact, with bigints.
//
// A finite value is (-1)^neg * m * 2^e with m < 2^64. Rounding is to nearest, ties
// to even, with gradual underflow down to 2^-16445 and overflow at 2^16384, which
// is what the x87 unit does in its default extended-precision mode.

import { bitLength, scanHexFloat } from './numbers.js';

export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
  inf: boolean;
}

export const LD_ZERO: LongDouble = { neg: false, m: 0n, e: 0, inf: false };
const LD_MANT_BITS = 64;
const LD_MIN_EXP = -16445; // weight of the lowest bit of the smallest subnormal
const LD_MAX_BITS = 16384; // values >= 2^16384 are infinite
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/** Rounds the positive rational num/den * 2^exp2 to a long double. */
export function roundLongDouble(neg: boolean, num: bigint, den: bigint, exp2: number): LongDouble {
  const s = 66 - (bitLength(num) - bitLength(den)); // the quotient gets 66 or 67 bits
  let q: bigint;
  let sticky: boolean;
  if (s >= 0) {
    const n = num << BigInt(s);
    q = n / den;
    sticky = q * den !== n;
  } else {
    const d = den << BigInt(-s);
    q = num / d;
    sticky = q * d !== num;
  }
  const e = exp2 - s; // value ~ q * 2^e
  let shift = bitLength(q) - LD_MANT_BITS;
  if (e + shift < LD_MIN_EXP) shift = LD_MIN_EXP - e;
  const bs = BigInt(shift);
  let m = q >> bs;
  const rem = q - (m << bs);
  const half = 1n << (bs - 1n);
  if (rem > half || (rem === half && (sticky || (m & 1n) === 1n))) {
    m += 1n;
    if (m === 1n << 64n) {
      m = 1n << 63n;
      shift++;
    }
  }
  const e2 = e + shift;
  if (m === 0n) return { neg, m: 0n, e: 0, inf: false };
  if (bitLength(m) + e2 > LD_MAX_BITS) return { neg, m: 0n, e: 0, inf: true };
  return { neg, m, e: e2, inf: false };
}

/** Case-insensitive comparison of `s` with a lower-case, letters-only `word`. */
function eqi(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}

/** Parses an exponent ([+-]digits) at s[i..]; returns [value clamped, next index] or null. */
function parseExponent(s: string, i: number): [number, number] | null {
  let neg = false;
  const c0 = s.charCodeAt(i);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i++;
  }
  if (!isDigit(s.charCodeAt(i))) return null;
  let v = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    if (v < 1e9) v = v * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  return [neg ? -v : v, i];
}

/**
 * Redis's string2ld: strtold over the whole string, no leading space, NaN refused,
 * overflow and underflow to zero refused. Returns null when invalid.
 */
export function parseLongDouble(s: string): LongDouble | null {
  const n = s.length;
  if (n === 0 || n >= MAX_LONG_DOUBLE_CHARS) return null;
  if (isSpace(s.charCodeAt(0))) return null;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i = 1;
  }
  const rest = n - i;
  const f = s.charCodeAt(i) | 32;
  if (f === 105 /* i */) {
    if ((rest === 3 && eqi(s.slice(i), 'inf')) || (rest === 8 && eqi(s.slice(i), 'infinity'))) {
      return { neg, m: 0n, e: 0, inf: true };
    }
    return null;
  }
  if (f === 110 /* n */) return null; // nan
  // Hexadecimal floating point: 0x<hex>[.<hex>][p<exp>].
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    const p = scanHexFloat(s);
    if (p === null) return null;
    const mant = p.mant;
    if (mant === 0n) return { neg, m: 0n, e: 0, inf: false };
    const exp2 = p.exp2;
    const approx = bitLength(mant) + exp2;
    if (approx > LD_MAX_BITS + 1) return null;
    if (approx < LD_MIN_EXP - 2) return null;
    const r = roundLongDouble(neg, mant, 1n, exp2);
    if (r.inf || r.m === 0n) return null;
    return r;
  }
  // Decimal: digits [. digits] [e exp].
  let j = i;
  let intDigits = '';
  let fracDigits = '';
  while (j < n && isDigit(s.charCodeAt(j))) intDigits += s[j++];
  if (j < n && s.charCodeAt(j) === 46) {
    j++;
    while (j < n && isDigit(s.charCodeAt(j))) fracDigits += s[j++];
  }
  if (intDigits.length === 0 && fracDigits.length === 0) return null;
  let exp10 = 0;
  if (j < n && (s.charCodeAt(j) | 32) === 101 /* e */) {
    const pe = parseExponent(s, j + 1);
    if (pe === null) return null;
    exp10 = pe[0];
    j = pe[1];
  }
  if (j !== n) return null;
  let digits = intDigits + fracDigits;
  let k = exp10 - fracDigits.length;
  // Strip leading zeros.
  let z = 0;
  while (z < digits.length && digits.charCodeAt(z) === 48) z++;
  if (z === digits.length) return { neg, m: 0n, e: 0, inf: false };
  digits = digits.slice(z);
  // Magnitude check: the value is in [10^(mag), 10^(mag+1)).
  const mag = digits.length - 1 + k;
  if (mag > 4933) return null; // overflow (ERANGE, HUGE_VALL)
  if (mag < -4952) return null; // underflow to zero (ERANGE)
  const D = BigInt(digits);
  let r: LongDouble;
  if (k >= 0) r = roundLongDouble(neg, D * 10n ** BigInt(k), 1n, 0);
  else r = roundLongDouble(neg, D, 10n ** BigInt(-k), 0);
  if (r.inf || r.m === 0n) return null;
  return r;
}

/** Long double addition, round to nearest even. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.inf || b.inf) return { neg: false, m: 0n, e: 0, inf: true };
  if (a.m === 0n && b.m === 0n) return { neg: a.neg && b.neg, m: 0n, e: 0, inf: false };
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = a.e < b.e ? a.e : b.e;
  let A = a.m << BigInt(a.e - e);
  let B = b.m << BigInt(b.e - e);
  if (a.neg) A = -A;
  if (b.neg) B = -B;
  const S = A + B;
  if (S === 0n) return LD_ZERO;
  return S < 0n ? roundLongDouble(true, -S, 1n, e) : roundLongDouble(false, S, 1n, e);
}

const TEN17 = 10n ** 17n;

/** ld2string(LD_STR_HUMAN): "%.17Lf" with the trailing zeros (and dot) removed; "-0" -> "0". */
export function formatLongDoubleHuman(x: LongDouble): string {
  if (x.inf) return x.neg ? '-inf' : 'inf';
  let N: bigint;
  if (x.m === 0n) N = 0n;
  else if (x.e >= 0) N = (x.m << BigInt(x.e)) * TEN17;
  else {
    const num = x.m * TEN17;
    const sh = BigInt(-x.e);
    N = num >> sh;
    const rem = num - (N << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (N & 1n) === 1n)) N += 1n;
  }
  let digits = N.toString();
  if (digits.length < 18) digits = '0'.repeat(18 - digits.length) + digits;
  const intPart = digits.slice(0, digits.length - 17);
  let frac = digits.slice(digits.length - 17);
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  const body = frac.length > 0 ? intPart + '.' + frac : intPart;
  if (x.neg && body !== '0') return '-' + body;
  return body;
}

/**
 * Adds two decimal strings as Redis's INCRBYFLOAT / HINCRBYFLOAT do (x87 long
 * double). Returns the formatted result, 'invalid' when either operand is not a
 * valid float, 'nan' when the sum is NaN or infinite.
 */
export function incrByFloatString(current: string, increment: string): string | 'invalid' | 'nan' {
  const a = parseLongDouble(current);
  const b = parseLongDouble(increment);
  if (a === null || b === null) return 'invalid';
  const s = addLongDouble(a, b);
  if (s.inf) return 'nan';
  return formatLongDoubleHuman(s);
}
