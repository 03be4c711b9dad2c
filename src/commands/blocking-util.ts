// Blocking commands' shared pieces: the timeout argument, the deadline kept across
// re-executions, and the distinct keys a client waits on (lists and sorted sets).
//
// Timeouts are read the way Redis 7.2 reads them: strtold (a 64-bit significand),
// times 1000 in long double, rounded up. The x87 arithmetic is emulated with BigInt
// for decimal strings (so "0.1" and "1e-3" give Redis's ms, not a double's).

import type { Client } from './context.js';
import { parseDouble, parseIntArg } from '../util/numbers.js';

const ERR_TIMEOUT_FLOAT = 'ERR timeout is not a float or out of range';
const ERR_TIMEOUT_NEG = 'ERR timeout is negative';
const ERR_TIMEOUT_RANGE = 'ERR timeout is out of range';
const LLONG_MAX = 9223372036854775807;
/** Largest delay a Node timer accepts (longer ones fire after 1 ms). */
const MAX_TIMER_MS = 2147483647;

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

const INF_RE = /^[+-]?inf(?:inity)?$/i;
const DEC_PARTS_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

const TWO63 = 1n << 63n;
const TWO64 = 1n << 64n;
const LLONG_MAX_N = 9223372036854775807n;
/** Long double limits: the largest finite value's leading digits, the smallest subnormal's magnitude. */
const LDBL_MAX_DIGITS = '118973149535723176502';
const LDBL_MAX_MAG = 4933; // LDBL_MAX is in [10^4932, 10^4933)
const LDBL_MIN_MAG = -4950; // the smallest subnormal (~3.6e-4951) is in [10^-4951, 10^-4950)

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** num/den rounded (to nearest, ties to even) to a 64-bit significand: [m, e], value m * 2^e. */
function roundTo64(num: bigint, den: bigint): [bigint, number] {
  let k = 64 - (bitLength(num) - bitLength(den));
  for (;;) {
    const n = k >= 0 ? num << BigInt(k) : num;
    const d = k >= 0 ? den : den << BigInt(-k);
    let q = n / d;
    if (q >= TWO64) {
      k--;
      continue;
    }
    if (q < TWO63) {
      k++;
      continue;
    }
    const twice = (n - q * d) * 2n;
    if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
    if (q === TWO64) return [TWO63, 1 - k];
    return [q, -k];
  }
}

/**
 * Milliseconds for a decimal timeout the way Redis 7.2 computes them: strtold (a
 * 64-bit significand), times 1000 in long double, rounded up. Returns the ms
 * (Infinity beyond LLONG_MAX, -1 for any negative result) or null when strtold
 * fails (overflow, or underflow to zero).
 */
function decimalTimeoutMs(neg: boolean, intPart: string, fracPart: string, expPart: string | undefined): number | null {
  let digits = intPart + fracPart;
  let i = 0;
  while (i < digits.length && digits.charCodeAt(i) === 48) i++;
  let end = digits.length;
  while (end > i && digits.charCodeAt(end - 1) === 48) end--;
  if (i === end) return 0;
  let e10 = (expPart === undefined ? 0 : Number(expPart)) - fracPart.length + (digits.length - end);
  digits = digits.slice(i, end);
  const mag = digits.length + e10; // the value is in [10^(mag-1), 10^mag)
  if (mag > LDBL_MAX_MAG || (mag === LDBL_MAX_MAG && digits.padEnd(21, '0').slice(0, 21) > LDBL_MAX_DIGITS)) return null;
  if (mag < LDBL_MIN_MAG) return null;
  if (mag > 22) return neg ? -1 : Infinity; // far beyond LLONG_MAX ms
  if (mag < -40) return neg ? 0 : 1; // the ceiling of a tiny product
  const d = BigInt(digits);
  let [m, e] = e10 >= 0 ? roundTo64(d * 10n ** BigInt(e10), 1n) : roundTo64(d, 10n ** BigInt(-e10));
  // x 1000, rounded again to a 64-bit significand.
  const p = m * 1000n;
  const shift = bitLength(p) - 64;
  m = p;
  if (shift > 0) {
    const sh = BigInt(shift);
    let q = p >> sh;
    const rem = p - (q << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    m = q;
    e += shift;
  }
  // Integer part and whether a fraction remains.
  let ip: bigint;
  let frac = false;
  if (e >= 0) {
    ip = m << BigInt(e);
  } else {
    ip = m >> BigInt(-e);
    frac = ip << BigInt(-e) !== m;
  }
  if (neg) return ip === 0n ? 0 : -1; // ceil(-y) is -floor(y)
  if (frac) ip += 1n;
  return ip > LLONG_MAX_N ? Infinity : Number(ip);
}

/** Parsed timeouts of recent non-integer arguments (at most 1024 kept). */
const timeoutCache = new Map<string, number | null>();

/** Relative ms for a non-integer seconds argument; null when it is not a float in range. */
function secondsToMs(s: string): number | null {
  if (s.length === 0 || s.length >= 5120) return null;
  const c0 = s.charCodeAt(0);
  const dm = isSpace(c0) ? null : DEC_PARTS_RE.exec(s);
  if (dm !== null && (dm[2].length > 0 || (dm[3] !== undefined && dm[3].length > 0))) {
    return decimalTimeoutMs(dm[1] === '-', dm[2], dm[3] ?? '', dm[4]);
  }
  if (INF_RE.test(s)) return c0 === 45 ? -1 : Infinity;
  // Hexadecimal floats: a double is precise enough.
  const v = parseDouble(s);
  if (v === null || !Number.isFinite(v)) return null;
  const x = v * 1000;
  return x > LLONG_MAX ? Infinity : Math.ceil(x) + 0;
}

/**
 * A blocking timeout in seconds: returns a relative number of ms (0 = forever), or
 * -1 after replying the error ("not a float", "negative", or "out of range" beyond
 * LLONG_MAX ms).
 */
export function parseTimeout(c: Client, s: string): number {
  let ms: number | null;
  // Fast path: a plain integer number of seconds ("0", "5").
  const int = s.length <= 12 ? parseIntArg(s) : null;
  if (int !== null) {
    ms = int * 1000;
  } else {
    const hit = timeoutCache.get(s);
    if (hit !== undefined) {
      ms = hit;
    } else {
      ms = secondsToMs(s);
      if (s.length <= 64) {
        if (timeoutCache.size >= 1024) timeoutCache.clear();
        timeoutCache.set(s, ms);
      }
    }
  }
  if (ms === null) {
    c.addError(ERR_TIMEOUT_FLOAT);
    return -1;
  }
  if (ms < 0) {
    c.addError(ERR_TIMEOUT_NEG);
    return -1;
  }
  if (ms > 0 && ms > LLONG_MAX - c.server.ks.now) {
    c.addError(ERR_TIMEOUT_RANGE);
    return -1;
  }
  return ms;
}

interface FirstBlock {
  argv: string[];
  at: number;
}

/** The deadline of a client's current blocking command, kept across re-executions. */
const firstBlock = new WeakMap<Client, FirstBlock>();

/** Absolute deadline for c.block(): fixed at the first block of this command invocation. */
export function blockDeadline(c: Client, argv: string[], ms: number): number {
  // Node timers cannot wait longer than ~24.8 days (a longer delay fires at once):
  // such timeouts block without a deadline.
  if (ms === 0 || ms > MAX_TIMER_MS) return 0;
  const prev = firstBlock.get(c);
  if (prev !== undefined && prev.argv === argv) return prev.at;
  const at = c.server.ks.now + ms;
  firstBlock.set(c, { argv, at });
  return at;
}

/** A blocking command was answered: forget its deadline. */
export function blockServed(c: Client): void {
  firstBlock.delete(c);
}

/** Distinct keys, in order (a client waits once per key). */
export function distinctKeys(argv: string[], first: number, count: number): string[] {
  const keys: string[] = [];
  if (count <= 16) {
    for (let j = 0; j < count; j++) {
      const k = argv[first + j];
      if (keys.indexOf(k) === -1) keys.push(k);
    }
    return keys;
  }
  const seen = new Set<string>();
  for (let j = 0; j < count; j++) {
    const k = argv[first + j];
    if (!seen.has(k)) {
      seen.add(k);
      keys.push(k);
    }
  }
  return keys;
}
