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
const HEX_RE = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?$/;

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
  if (HEX_RE.test(s)) return parseHexFloat(s);
  return null;
}

function parseHexFloat(s: string): number | null {
  let i = 0;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    i = 1;
  }
  i += 2; // 0x
  let mant = 0;
  let exp = 0;
  let seenDot = false;
  for (; i < s.length; i++) {
    const ch = s[i];
    if (ch === '.') {
      seenDot = true;
      continue;
    }
    if (ch === 'p' || ch === 'P') {
      exp += Number(s.slice(i + 1));
      break;
    }
    mant = mant * 16 + parseInt(ch, 16);
    if (seenDot) exp -= 4;
  }
  return sign * mant * Math.pow(2, exp);
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
