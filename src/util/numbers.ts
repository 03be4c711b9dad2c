// Number parsing and formatting with Redis's exact rules.
//
// Redis parses integers with string2ll: an optional '-', then digits, no '+', no
// leading zeros (except the single "0"), no spaces, and the value must fit in a
// signed 64-bit integer. Doubles are parsed with strtod and rejected when there is
// trailing garbage, leading space, or the result is NaN.

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/** True when `s` is a canonical int64 string as Redis's string2ll accepts it. */
export function isInt64String(s: string): boolean {
  return parseInt64(s) !== null;
}

/**
 * Parses `s` as a strict int64 and returns it as a bigint, or null.
 * Used where the full 64-bit range must be exact (INCRBY, SETRANGE offsets, ...).
 */
export function parseInt64(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45 /* - */) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48 /* 0 */) {
    return n === 1 ? 0n : null; // "0" only; "-0" and "01" are rejected as string2ll does
  }
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  if (n - i < 16) return BigInt(s);
  const v = BigInt(s);
  if (v > INT64_MAX || v < INT64_MIN) return null;
  return v;
}

/**
 * Parses `s` as a strict int64 and returns a JS number (exact up to 2^53, rounded
 * beyond). Returns null when `s` is not a valid int64. This is the fast path for
 * counts, indexes and timeouts; callers needing exactness use parseInt64.
 */
export function parseIntArg(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    neg = true;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  if (n - i <= 15) {
    let v = 0;
    for (let j = i; j < n; j++) {
      const c = s.charCodeAt(j) - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return neg ? -v : v;
  }
  const b = parseInt64(s);
  return b === null ? null : Number(b);
}

const DOUBLE_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INF_RE = /^[+-]?inf(?:inity)?$/i;

/**
 * Parses a double as Redis's getDoubleFromObject does (strtod, whole string, no
 * leading space, NaN rejected). Accepts "inf", "+inf", "-inf", "infinity" and
 * C99 hex floats. Returns null when invalid.
 */
export function parseDouble(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 5000) return null;
  const c0 = s.charCodeAt(0);
  if (n <= 15) {
    // Plain integers (most scores): up to 15 digits are exact in a double, and a
    // digit loop is several times cheaper than the regex and Number() below.
    let i = c0 === 45 /* - */ ? 1 : 0;
    if (i < n) {
      let v = 0;
      for (; i < n; i++) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === n) return c0 === 45 ? -v : v;
    }
  }
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  if (DOUBLE_RE.test(s)) {
    const v = Number(s);
    // strtod reports ERANGE on overflow (HUGE_VAL) and on underflow to zero; Redis rejects both.
    if (v === Infinity || v === -Infinity) return null;
    if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ''))) return null;
    return v;
  }
  if (INF_RE.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  return parseHexFloat(s);
}

/** Bits in the binary form of `v` (v > 0). */
export function bitLength(v: bigint): number {
  const hex = v.toString(16);
  const d = parseInt(hex[0], 16);
  return (hex.length - 1) * 4 + (d >= 8 ? 4 : d >= 4 ? 3 : d >= 2 ? 2 : 1);
}

/** A C99 hex float split exactly: the value is (-1)^neg * mant * 2^exp2. */
export interface HexFloatParts {
  neg: boolean;
  mant: bigint;
  exp2: number;
}

function hexDigit(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch - 48;
  const l = ch | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/**
 * The one scanner of C99 hexadecimal floats, as strtod/strtold read them over the
 * whole string: [+-]0x, hex digits with at most one '.' (at least one digit), then
 * optionally p or P, an optional sign and decimal digits. No spaces, nothing after.
 * Returns the exact parts, or null when `s` is not such a float. Exponents beyond
 * 1e9 are clamped (the value is out of every range by then).
 */
export function scanHexFloat(s: string): HexFloatParts | null {
  const n = s.length;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) {
    neg = c0 === 45;
    i = 1;
  }
  if (s.charCodeAt(i) !== 48 /* 0 */ || (s.charCodeAt(i + 1) | 32) !== 120 /* x */) return null;
  i += 2;
  const digitsStart = i;
  let dot = -1;
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 46 /* . */ && dot === -1) {
      dot = i;
      continue;
    }
    if (hexDigit(ch) < 0) break;
  }
  const digitsEnd = i;
  const nDigits = digitsEnd - digitsStart - (dot === -1 ? 0 : 1);
  if (nDigits === 0) return null;
  let exp = 0;
  if (i < n && (s.charCodeAt(i) | 32) === 112 /* p */) {
    i++;
    let eneg = false;
    const e0 = s.charCodeAt(i);
    if (e0 === 43 || e0 === 45) {
      eneg = e0 === 45;
      i++;
    }
    const expStart = i;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (exp < 1e9) exp = exp * 10 + d;
    }
    if (i === expStart) return null;
    if (eneg) exp = -exp;
  }
  if (i !== n) return null;
  const text = dot === -1 ? s.slice(digitsStart, digitsEnd) : s.slice(digitsStart, dot) + s.slice(dot + 1, digitsEnd);
  const fracDigits = dot === -1 ? 0 : digitsEnd - dot - 1;
  return { neg, mant: BigInt('0x' + text), exp2: exp - 4 * fracDigits };
}

/**
 * (-1)^neg * mant * 2^exp2 rounded to the nearest double (ties to even), with
 * gradual underflow: +/-Infinity past the largest double, +/-0 below half the
 * smallest subnormal.
 */
export function roundToDouble(neg: boolean, mant: bigint, exp2: number): number {
  if (mant === 0n) return neg ? -0 : 0;
  const top = bitLength(mant) - 1 + exp2; // the value is in [2^top, 2^(top+1))
  if (top > 1023) return neg ? -Infinity : Infinity;
  if (top < -1075) return neg ? -0 : 0;
  let lsb = top - 52; // weight of the last bit kept
  if (lsb < -1074) lsb = -1074;
  const shift = lsb - exp2;
  let m: bigint;
  if (shift <= 0) {
    m = mant << BigInt(-shift);
  } else {
    const bs = BigInt(shift);
    m = mant >> bs;
    const rem = mant - (m << bs);
    const half = 1n << (bs - 1n);
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
  }
  // m <= 2^53 and lsb >= -1074: both factors and the product are exact doubles
  // (the product overflows to Infinity only when rounding carried past 2^1024).
  const v = Number(m) * 2 ** lsb;
  return neg ? -v : v;
}

/**
 * A C99 hex float ("0x1.8p3", "-0X.Cp-2") as strtod reads it over the whole string,
 * correctly rounded; overflow gives +/-Infinity and underflow +/-0, as strtod's
 * results (callers that refuse ERANGE check for those). Null when not a hex float.
 */
export function parseHexFloat(s: string): number | null {
  const p = scanHexFloat(s);
  return p === null ? null : roundToDouble(p.neg, p.mant, p.exp2);
}

/**
 * Formats a double the way Redis 7.2 replies with one (d2string: addReplyDouble,
 * sorted-set scores). Whole numbers within +/-2^62 print as integers; other values
 * print their shortest round-trip digits laid out as Redis's fpconv_dtoa lays them
 * out: plain digits when the exponent is small, else d.ddde+X (exponent without
 * padding). Infinities are "inf"/"-inf".
 */
export function formatDouble(v: number): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Number.isNaN(v)) return 'nan';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (Number.isInteger(v)) {
    if (Math.abs(v) <= 9007199254740991) return String(v);
    if (Math.abs(v) < 4611686018427387904) return BigInt(v).toString(); // below 2^62, as double2ll
  }
  const neg = v < 0;
  const e = Math.abs(v).toExponential(); // shortest round-trip digits, e.g. "1.2345e+21"
  const ePos = e.indexOf('e');
  const E = Number(e.slice(ePos + 1));
  const digits = e.slice(0, ePos).replace('.', '');
  const nd = digits.length;
  const K = E - (nd - 1); // value = digits * 10^K
  const exp = Math.abs(E);
  let out: string;
  if (K >= 0 && exp < nd + 7) {
    out = digits + '0'.repeat(K);
  } else if (K < 0 && (K > -7 || exp < 4)) {
    const offset = nd + K;
    out = offset <= 0 ? '0.' + '0'.repeat(-offset) + digits : digits.slice(0, offset) + '.' + digits.slice(offset);
  } else {
    out = digits[0] + (nd > 1 ? '.' + digits.slice(1) : '') + 'e' + (E < 0 ? '-' : '+') + String(exp);
  }
  return neg ? '-' + out : out;
}

/**
 * Formats a long-double-like value as Redis's INCRBYFLOAT / HINCRBYFLOAT do
 * (ld2string with LD_STR_HUMAN: fixed point, 17 significant digits, trailing
 * zeros removed). Node has no long double; we print the shortest round-trip
 * digits of the double in fixed notation, which agrees for all values whose
 * shortest form has at most 17 significant digits.
 */
export function formatHumanDouble(v: number): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return '0';
  const s = String(v);
  if (s.indexOf('e') === -1) return s;
  // Expand exponent notation into plain fixed notation.
  const neg = v < 0;
  const e = Math.abs(v).toExponential();
  const ePos = e.indexOf('e');
  const exp = Number(e.slice(ePos + 1));
  const digits = e.slice(0, ePos).replace('.', '');
  let out: string;
  if (exp >= 0) {
    if (digits.length <= exp + 1) out = digits + '0'.repeat(exp + 1 - digits.length);
    else out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  }
  return neg ? '-' + out : out;
}

/** Formats an integer (number or bigint) in base 10. */
export function formatInt(v: number | bigint): string {
  return typeof v === 'bigint' ? v.toString() : String(v);
}
