/**
 * Seeded PRNG for reproducible randomized tests.
 *
 * Generator: xoshiro128** (32-bit state words), seeded through splitmix32.
 * Set CINNABAR_SEED=<n> to replay a failing run; `seedFromEnv()` prints the
 * seed it uses.
 */
import { randomInt } from 'node:crypto';

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class Rng {
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    const sm = splitmix32(this.seed);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    return result;
  }

  /** Float in [0, 1) with 53 bits of randomness. */
  float(): number {
    const hi = this.next() >>> 5; // 27 bits
    const lo = this.next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Integer in [0, n) (n ≥ 1, up to 2^53). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int: n must be >= 1 (got ${n})`);
    return Math.floor(this.float() * n);
  }

  /** Integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  bool(p = 0.5): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty array');
    return items[this.int(items.length)]!;
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** Random binary string (latin1, one char per byte) of length n. */
  bytes(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.next() & 0xff);
    return s;
  }

  /** Random alphanumeric string of length n. */
  alnum(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += ALNUM[this.next() % ALNUM.length];
    return s;
  }

  /** An independent generator derived from this one's stream. */
  fork(): Rng {
    return new Rng(this.next());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The seed for this run: CINNABAR_SEED (decimal or 0x-hex) when set,
 * otherwise a random one. Always printed so a failing run can be replayed.
 */
export function seedFromEnv(label?: string): number {
  const raw = process.env['CINNABAR_SEED'];
  let seed: number;
  let source: string;
  if (raw !== undefined && raw.trim() !== '') {
    const n = Number(raw.trim());
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new Error(`CINNABAR_SEED must be an integer in [0, 2^32): got ${JSON.stringify(raw)}`);
    }
    seed = n;
    source = 'from env';
  } else {
    seed = randomInt(0, 0xffffffff);
    source = 'random';
  }
  console.log(`# seed${label ? ` [${label}]` : ''} (${source}): CINNABAR_SEED=${seed}`);
  return seed;
}

/** `new Rng(seedFromEnv(label))`. */
export function rngFromEnv(label?: string): Rng {
  return new Rng(seedFromEnv(label));
}
