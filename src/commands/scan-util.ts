// Shared pieces of the SCAN family (HSCAN, SSCAN, and whoever else wants them).
//
// API (kept small on purpose):
//
//   parseScanCursor(c, s)            -> number, or -1 after replying "ERR invalid cursor"
//   parseScanOptions(c, argv, from, allowType = false)
//                                    -> ScanOptions, or null after replying the error
//   addScanReply(c, cursor, items)   writes [cursor (bulk), [items...]]
//   addEmptyScanReply(c)             writes ["0", []] (missing key)
//
//   ScanIndex, scanIndexFor(container), scanIndexAdd / scanIndexRemove(container, k)
//                                    a random-access index over a Map or Set, used for
//                                    O(1) random members and for big-collection cursors
//                                    (see the guarantee below)
//
// Command order (as Redis 7.2 does it): parse the cursor first, then look the key up
// (missing key -> empty scan reply, wrong type -> WRONGTYPE), then parse the options.

import type { Client } from './context.js';
import { compileGlob, type GlobMatcher } from '../util/glob.js';
import { parseIntArg } from '../util/numbers.js';

export interface ScanOptions {
  /** COUNT, default 10, always >= 1. */
  count: number;
  /** MATCH pattern compiled; null when absent or exactly "*" (Redis skips matching then). */
  match: GlobMatcher | null;
  /** TYPE argument exactly as given (only when allowType); null when absent. */
  type: string | null;
}

const TWO64 = 18446744073709551616n;

/**
 * Parses a SCAN cursor the way Redis does (strtoul base 10 over the whole string):
 * no leading space, an optional sign, decimal digits, nothing after them, no overflow
 * of 64 bits. An empty string is cursor 0; "-n" wraps around as in C. Returns the
 * cursor as a number (exact below 2^53, far beyond any collection position), or -1
 * after replying "ERR invalid cursor".
 */
export function parseScanCursor(c: Client, s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  let i = 0;
  const c0 = s.charCodeAt(0);
  let neg = false;
  if (c0 === 43 /* + */ || c0 === 45 /* - */) {
    neg = c0 === 45;
    i = 1;
  }
  if (i === n) return invalidCursor(c);
  for (let j = i; j < n; j++) {
    const ch = s.charCodeAt(j);
    if (ch < 48 || ch > 57) return invalidCursor(c);
  }
  if (n - i <= 15 && !neg) return Number(s.slice(i));
  let v = BigInt(s.slice(i));
  if (v >= TWO64) return invalidCursor(c);
  if (neg && v !== 0n) v = TWO64 - v;
  return Number(v);
}

function invalidCursor(c: Client): number {
  c.addError('ERR invalid cursor');
  return -1;
}

/**
 * Parses the options of a SCAN-family command from argv[from]: MATCH pattern,
 * COUNT n (an integer >= 1; a non-integer is "ERR value is not an integer or out of
 * range", < 1 is "ERR syntax error"), and TYPE t when `allowType` (SCAN only; the
 * name is returned unchecked). Anything else, or an option without its argument,
 * is "ERR syntax error". Later options override earlier ones, as in Redis.
 */
export function parseScanOptions(c: Client, argv: string[], from: number, allowType = false): ScanOptions | null {
  const opts: ScanOptions = { count: 10, match: null, type: null };
  const n = argv.length;
  for (let i = from; i < n; i += 2) {
    const opt = argv[i];
    const hasArg = i + 1 < n;
    if (hasArg && eqWord(opt, 'count')) {
      const v = parseIntArg(argv[i + 1]);
      if (v === null) {
        c.addError('ERR value is not an integer or out of range');
        return null;
      }
      if (v < 1) {
        c.addError('ERR syntax error');
        return null;
      }
      opts.count = v;
    } else if (hasArg && eqWord(opt, 'match')) {
      const pat = argv[i + 1];
      opts.match = pat === '*' ? null : compileGlob(pat);
    } else if (hasArg && allowType && eqWord(opt, 'type')) {
      opts.type = argv[i + 1];
    } else {
      c.addError('ERR syntax error');
      return null;
    }
  }
  return opts;
}

/** Case-insensitive comparison with a lower-case word. */
function eqWord(s: string, word: string): boolean {
  const n = word.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

/** The SCAN reply: a two-element array, the next cursor as a bulk string and the items. */
export function addScanReply(c: Client, cursor: number | string, items: string[]): void {
  const cur = typeof cursor === 'number' ? String(cursor) : cursor;
  let s = '*2\r\n$' + cur.length + '\r\n' + cur + '\r\n*' + items.length + '\r\n';
  for (let i = 0; i < items.length; i++) s += '$' + items[i].length + '\r\n' + items[i] + '\r\n';
  c.write(s);
}

/** Reply for a missing key: cursor "0" and no items. */
export function addEmptyScanReply(c: Client): void {
  c.write('*2\r\n$1\r\n0\r\n*0\r\n');
}

// ---- random-access index over a Map / Set -----------------------------------------------
//
// JS Maps and Sets can neither be sampled at random nor walked from a cursor. A
// ScanIndex keeps the members of one container in a dense array (`keys`) plus the
// position of each member (`pos`). Removal swaps the last member into the hole, so
// the array stays dense and a random member is one array read.
//
// SCAN over the index walks positions downwards: the cursor means "the positions
// below this one remain" (0 = start, i.e. from the current length). A call visits up
// to COUNT positions and returns the next cursor, 0 when the walk is complete.
//
// Guarantee. Every member present from the first call of a scan to its last is
// returned at least once: members never move except the current last member, which
// moves down into a hole left by a removal; if it was not visited yet it stays ahead
// of the cursor, and if it was, it may be returned a second time. Members added or
// removed during the scan may or may not be returned. These are Redis's guarantees
// (duplicates possible, no misses). They hold as long as the container is only
// modified through scanIndexAdd / scanIndexRemove (every command of hashes.ts and
// sets.ts does); an index found out of step with its container (sizes differ) is
// rebuilt, which restarts the positions.
//
// Indexes are built lazily (first random pick or big-collection scan) and kept for
// the container's life in a WeakMap, so they cost nothing for collections that are
// never sampled or scanned, apart from one WeakMap probe per add/remove.

export class ScanIndex {
  keys: string[] = [];
  pos = new Map<string, number>();

  constructor(members: Iterable<string>) {
    const keys = this.keys;
    const pos = this.pos;
    for (const k of members) {
      pos.set(k, keys.length);
      keys.push(k);
    }
  }

  get size(): number {
    return this.keys.length;
  }

  add(k: string): void {
    if (this.pos.has(k)) return;
    this.pos.set(k, this.keys.length);
    this.keys.push(k);
  }

  remove(k: string): void {
    const p = this.pos.get(k);
    if (p === undefined) return;
    this.pos.delete(k);
    const keys = this.keys;
    const last = keys.pop()!;
    if (p < keys.length) {
      keys[p] = last;
      this.pos.set(last, p);
    }
  }

  /** A uniformly random member (the index must not be empty). */
  random(): string {
    const keys = this.keys;
    return keys[Math.floor(Math.random() * keys.length)];
  }

  /**
   * One scan step from `cursor` (0 = start): pushes up to `count` members into
   * `out` and returns the next cursor (0 when the walk is complete).
   */
  scan(cursor: number, count: number, out: string[]): number {
    const keys = this.keys;
    let at = cursor === 0 || cursor > keys.length ? keys.length : cursor;
    const stop = at > count ? at - count : 0;
    while (at > stop) out.push(keys[--at]);
    return stop;
  }
}

type Container = Map<string, unknown> | Set<string>;

const INDEXES = new WeakMap<Container, ScanIndex>();

/** The index of a container, built (or rebuilt when out of step) on demand. */
export function scanIndexFor(container: Container): ScanIndex {
  let ix = INDEXES.get(container);
  if (ix === undefined || ix.keys.length !== container.size) {
    ix = new ScanIndex(container.keys());
    INDEXES.set(container, ix);
  }
  return ix;
}

/** Records a member added to a container (no-op when it has no index). */
export function scanIndexAdd(container: Container, k: string): void {
  const ix = INDEXES.get(container);
  if (ix !== undefined) ix.add(k);
}

/** Records a member removed from a container (no-op when it has no index). */
export function scanIndexRemove(container: Container, k: string): void {
  const ix = INDEXES.get(container);
  if (ix !== undefined) ix.remove(k);
}
