// Sorted set: the value type behind the ZSET commands.
//
// Elements are ordered by score ascending, ties broken by member bytewise. Members
// are binary strings (latin1, one char per byte), so JS `<` on them is exactly
// memcmp order. Scores are JS doubles; +/-Infinity are allowed, NaN never is.
//
// Two representations, switched one way only (compact -> indexed):
//
//  - compact (the default for a new set; Redis's listpack): the members packed in
//    one string in element order, each as a char holding its length and then its
//    chars, and the scores in a parallel array of exactly the set's size (each
//    insertion or removal builds the next string and array at their exact size,
//    as a listpack is reallocated; an empty set shares one empty array). No Map,
//    no per-member string: ten 8-byte members cost one ~110-byte string instead of
//    ten 24-byte strings and an array of pointers. Looking a member up is a linear
//    scan of the string, ranks are indexes, score bounds are binary searches of
//    the scores, lex bounds linear scans. O(n) per change, which is what a
//    listpack costs too, for the small n it is meant for. Members are copied out
//    of the string when read (substrings). The caller (commands/zsets.ts)
//    converts a set with toIndexed() when it outgrows zset-max-listpack-entries /
//    -value (Redis's conversion to a skiplist); a compact set also converts
//    itself when it would get more than COMPACT_HARD_MAX members or a member
//    longer than PK_MAX_MEMBER chars, so code that builds sets without knowing
//    the limits (a loader, a test) never ends up with a huge O(n) set.
//  - indexed (for what Redis keeps in a skiplist + dict): a ScoreMap (member ->
//    score by open addressing, src/types/score-map.ts) for O(1) score lookups,
//    plus the elements in order in a list of sorted leaves of at most LEAF_MAX
//    elements. A leaf is a page of two typed arrays shared by all the set's
//    leaves: the members as their bucket numbers in the ScoreMap (Int32Array) and
//    the scores (Float64Array), parallel. The last score and member bucket of every
//    leaf are kept in two more typed arrays that are binary searched to find the
//    leaf of an element or a bound; a Fenwick tree over the leaf sizes gives the
//    rank of a leaf's first element, and the leaf holding a given rank, in
//    O(log leaves). Finding, inserting and removing an element are a few binary
//    searches over contiguous arrays and a shift of at most LEAF_MAX elements: much
//    cheaper in memory and in cache misses than a skiplist's node per element and
//    pointer chase per level (the operations Redis does in O(log n) are O(log n)
//    here too; a leaf split or removal rebuilds the small index, O(n / LEAF_MAX),
//    once every LEAF_MAX/2 or so changes of that leaf).
//    Why bucket numbers and typed arrays rather than arrays of member strings (the
//    previous layout): shifting string pointers in an old-generation array goes
//    through V8's write barrier pointer by pointer and the GC must trace every leaf,
//    while a typed array shift is a plain copy the GC never looks at; an element
//    whose score ties is compared by reading its string through the ScoreMap,
//    and an element known to be the member itself (same bucket) needs no string at
//    all. ZADD of random scores on a 100k-member set, redis-benchmark P1, server
//    CPU per request 20.2 -> 16.6 us (P16: 8.2 -> 7.05 us).
//    Buckets are stable until the ScoreMap rehashes; it then calls back with where
//    every bucket went and the leaves are renumbered (O(n), like the rehash).
//    Leaves split in two above LEAF_MAX; a leaf falling below LEAF_MAX/8 is merged
//    into a neighbour (or shares a neighbour's elements when both hold more than
//    LEAF_MAX). The page arrays grow by doubling and are repacked when at most a
//    quarter of them is in use.
//
// The representation is not visible through the API (OBJECT ENCODING is decided by
// zsets.ts from RObj.enc, which follows Redis's rules).
//
// API (ranks are 0-based; "normalized" indices are inclusive and already clamped
// or converted from negative form by the caller, though out-of-range values are
// clamped defensively):
//
//   new SortedSet(indexed = false)         empty set, compact unless `indexed`
//   SortedSet.fromSorted(entries, indexed) set holding `entries`, which must be in
//                                          element order with distinct members
//   isCompact                              true while the compact representation is used
//   toIndexed()                            converts to the indexed representation (no-op if already)
//   size                                   number of elements
//   score(member)                          score, or undefined if absent
//   add(member, score)                     'added' | 'updated' | 'unchanged'
//   insertNew(member, score)               add() of a member known to be absent (no lookup)
//   rescore(member, old, score)            add() of a member known to have score `old` (no lookup)
//   remove(member)                         true if it was present
//   rank(member, reverse = false)          0-based rank (reverse: 0 = highest), or undefined
//   at(rank)                               [member, score] at 0-based ascending rank, or undefined
//   rangeByRank(start, stop, reverse)      elements at ranks start..stop (reverse: rank 0 = highest)
//   rangeByScore(range, reverse, offset = 0, count = -1)
//                                          elements within a ScoreRange; reverse walks from max
//                                          down to min; `offset` elements are skipped first
//                                          (offset < 0 gives []); count < 0 means no limit
//   countByScore(range)                    O(log n)
//   removeRangeByScore(range)              number removed
//   rangeByLex(range, reverse, offset = 0, count = -1)
//   countByLex(range)                      O(log n)
//   removeRangeByLex(range)                number removed
//                                          (lex ranges assume all scores are equal, as in Redis:
//                                          they only search the element order)
//   removeRangeByRank(start, stop)         number removed
//   popMin(count)                          removes and returns the `count` lowest, lowest first
//   popMax(count)                          removes and returns the `count` highest, highest first
//   entries()                              iterator of [member, score] in ascending order
//   members()                              iterator of members in ascending order
//   randomMember()                         uniformly random member, or undefined when empty
//   clone()                                deep copy (same representation)
//   checkInvariants()                      test helper: throws if the structure is inconsistent
//
// Module exports besides the class: COMPACT_HARD_MAX (see above), setLeafMax(max)
// (test knob: leaf size of indexed sets), and the range helpers:
//   ScoreRange { min, max, minEx, maxEx }  minEx/maxEx: bound is exclusive
//   parseScoreRange(minArg, maxArg)        Redis syntax ("(1.5", "-inf", "+inf", ...), or null
//                                          when a bound is not a valid float
//   LexRange { min, max, minEx, maxEx, minInf, maxInf }
//                                          minInf/maxInf: -1 = '-' (below everything),
//                                          +1 = '+' (above everything), 0 = the string in min/max
//   parseLexRange(minArg, maxArg)          Redis syntax ('[x', '(x', '-', '+'), or null

import { ScoreMap } from './score-map.js';
import { parseHexFloat } from '../util/numbers.js';

/** A compact set converts itself to the indexed form when it would grow past this size. */
export const COMPACT_HARD_MAX = 512;

/**
 * Leaves of an indexed set split in two above this many elements (each set keeps
 * the value it was created with, and merges a leaf below an eighth of it).
 */
let LEAF_MAX = 128;

/**
 * Test knob: sets the leaf size of indexed sets created afterwards (small leaves
 * exercise splits and merges on small sets). Returns the previous maximum.
 */
export function setLeafMax(max: number): number {
  const prev = LEAF_MAX;
  LEAF_MAX = max < 2 ? 2 : Math.floor(max);
  return prev;
}

export interface ScoreRange {
  min: number;
  max: number;
  /** min is exclusive ("(min"). */
  minEx: boolean;
  /** max is exclusive ("(max"). */
  maxEx: boolean;
}

export type LexInf = -1 | 0 | 1;

export interface LexRange {
  /** Lower bound string; meaningful only when minInf === 0. */
  min: string;
  /** Upper bound string; meaningful only when maxInf === 0. */
  max: string;
  minEx: boolean;
  maxEx: boolean;
  /** -1: '-' (negative infinity), 1: '+' (positive infinity), 0: finite bound `min`. */
  minInf: LexInf;
  /** -1: '-' (negative infinity), 1: '+' (positive infinity), 0: finite bound `max`. */
  maxInf: LexInf;
}

export type AddResult = 'added' | 'updated' | 'unchanged';

// ==== searches over parallel arrays ============================================

/** Number of leading scores < value (orEqual: <= value). */
function countScoreBelow(vals: number[], value: number, orEqual: boolean): number {
  let lo = 0;
  let hi = vals.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = vals[mid];
    if (s < value || (orEqual && s === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ==== indexed representation ===================================================

// Set by Indexed.seek: leaf and index within it of a rank.
let posLeaf = 0;
let posIdx = 0;

/** Index of the first score in a[lo..hi) not < value (orEqual: not <= value). */
function scoreBound(a: Float64Array, lo: number, hi: number, value: number, orEqual: boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = a[mid];
    if (s < value || (orEqual && s === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class Indexed {
  /** A leaf splits above leafMax elements and is merged below leafMin; pages hold P. */
  readonly leafMax: number;
  readonly leafMin: number;
  readonly P: number;
  /**
   * Pages of P entries, one per leaf: the members as bucket numbers in `dict`, and
   * their scores, parallel. Page q is ids/sc[q*P .. q*P+P).
   */
  ids: Int32Array;
  sc: Float64Array;
  /** Pages handed out so far (each is a leaf's or in `free`). */
  pagesTop = 0;
  free: number[] = [];
  /**
   * The leaves in element order, 0..nl-1: page, number of elements (>= 1), and
   * the score and member bucket of the last element.
   */
  nl = 0;
  lpage: Int32Array;
  lcnt: Int32Array;
  mv: Float64Array;
  mk: Int32Array;
  /** Fenwick tree (1-based) over lcnt[0..nl-1]: ranks of leaves and leaves of ranks. */
  fen: Int32Array;
  length = 0;
  dict: ScoreMap;
  /** An empty set with room for `members`; leafMax defaults to the module's (setLeafMax). */
  constructor(members = 0, leafMax = LEAF_MAX) {
    this.leafMax = leafMax;
    this.leafMin = leafMax >> 3 < 1 ? 1 : leafMax >> 3;
    this.P = leafMax + 1;
    const chunk = leafMax >> 1 < 1 ? 1 : leafMax >> 1;
    const leaves = members > 0 ? Math.ceil(members / chunk) : 1;
    this.ids = new Int32Array(leaves * this.P);
    this.sc = new Float64Array(leaves * this.P);
    this.lpage = new Int32Array(leaves);
    this.lcnt = new Int32Array(leaves);
    this.mv = new Float64Array(leaves);
    this.mk = new Int32Array(leaves);
    this.fen = new Int32Array(leaves + 1);
    // Room for `members` without a rehash (the table grows past 3/4 full).
    this.dict = this.hooked(new ScoreMap(members * 2));
  }

  /** d, told to renumber this set's leaves when it rehashes. */
  private hooked(d: ScoreMap): ScoreMap {
    d.onRehash = (moved) => this.renumber(moved);
    return d;
  }

  /**
   * Fills an empty set with the elements of sorted parallel arrays (distinct
   * members); leaves are filled to about leafMax/2 so they can grow.
   */
  load(keys: string[], vals: number[]): void {
    const n = keys.length;
    if (n === 0) return;
    // Room for n members without a rehash, so the buckets claimed stay put (a set
    // constructed with its size has it already).
    let dict = this.dict;
    if (dict.size !== 0 || dict.capacity < n * 2) dict = this.dict = this.hooked(new ScoreMap(n * 2));
    const buckets = new Int32Array(n);
    for (let i = 0; i < n; i++) buckets[i] = dict.claim(keys[i], vals[i]);
    this.length = n;
    const chunk = this.leafMax >> 1 < 1 ? 1 : this.leafMax >> 1;
    const leaves = Math.ceil(n / chunk);
    this.ensureLeaves(leaves);
    const base = Math.floor(n / leaves);
    const extra = n - base * leaves;
    let from = 0;
    for (let l = 0; l < leaves; l++) {
      const to = from + base + (l < extra ? 1 : 0);
      const pg = this.allocPage();
      const b = pg * this.P;
      for (let i = from; i < to; i++) {
        this.ids[b + i - from] = buckets[i];
        this.sc[b + i - from] = vals[i];
      }
      this.lpage[l] = pg;
      this.lcnt[l] = to - from;
      this.mv[l] = vals[to - 1];
      this.mk[l] = buckets[to - 1];
      from = to;
    }
    this.nl = leaves;
    this.rebuildIndex();
  }

  // ---- storage ------------------------------------------------------------

  /** A free page, growing the page arrays when every page is taken. */
  allocPage(): number {
    if (this.free.length > 0) return this.free.pop() as number;
    const P = this.P;
    if ((this.pagesTop + 1) * P > this.ids.length) {
      const pages = this.pagesTop < 2 ? 2 : this.pagesTop * 2;
      const ids = new Int32Array(pages * P);
      const sc = new Float64Array(pages * P);
      ids.set(this.ids);
      sc.set(this.sc);
      this.ids = ids;
      this.sc = sc;
    }
    return this.pagesTop++;
  }

  /** Gives the page arrays back when at most a quarter of them is in use. */
  maybeRepack(): void {
    const P = this.P;
    const cap = this.ids.length / P;
    const nl = this.nl;
    if (cap <= 4 || nl * 4 > cap) return;
    const pages = nl < 1 ? 1 : nl * 2;
    const ids = new Int32Array(pages * P);
    const sc = new Float64Array(pages * P);
    const lpage = this.lpage;
    for (let l = 0; l < nl; l++) {
      const from = lpage[l] * P;
      const n = this.lcnt[l];
      ids.set(this.ids.subarray(from, from + n), l * P);
      sc.set(this.sc.subarray(from, from + n), l * P);
      lpage[l] = l;
    }
    this.ids = ids;
    this.sc = sc;
    this.pagesTop = nl;
    this.free = [];
  }

  /** Room for k leaves in the leaf arrays. */
  ensureLeaves(k: number): void {
    const cap = this.lpage.length;
    if (k <= cap) return;
    const n = k > cap * 2 ? k : cap * 2;
    const grow32 = (a: Int32Array, len: number): Int32Array => {
      const b = new Int32Array(len);
      b.set(a);
      return b;
    };
    this.lpage = grow32(this.lpage, n);
    this.lcnt = grow32(this.lcnt, n);
    this.mk = grow32(this.mk, n);
    this.fen = grow32(this.fen, n + 1);
    const mv = new Float64Array(n);
    mv.set(this.mv);
    this.mv = mv;
  }

  /** The dict was rebuilt: member bucket numbers change as `moved` says. */
  renumber(moved: Int32Array): void {
    const ids = this.ids;
    const P = this.P;
    for (let l = 0; l < this.nl; l++) {
      const b = this.lpage[l] * P;
      const e = b + this.lcnt[l];
      for (let j = b; j < e; j++) ids[j] = moved[ids[j]];
      this.mk[l] = moved[this.mk[l]];
    }
  }

  // ---- the rank index -----------------------------------------------------

  rebuildIndex(): void {
    const n = this.nl;
    const f = this.fen;
    const c = this.lcnt;
    f[0] = 0;
    for (let j = 1; j <= n; j++) f[j] = c[j - 1];
    for (let j = 1; j <= n; j++) {
      const p = j + (j & -j);
      if (p <= n) f[p] += f[j];
    }
  }

  indexAdd(leaf: number, d: number): void {
    const f = this.fen;
    const n = this.nl;
    for (let j = leaf + 1; j <= n; j += j & -j) f[j] += d;
  }

  /** Number of elements in leaves 0..leaf-1 (the rank of leaf's first element). */
  before(leaf: number): number {
    const f = this.fen;
    let s = 0;
    for (let j = leaf; j > 0; j -= j & -j) s += f[j];
    return s;
  }

  /** Sets posLeaf/posIdx to the place of 0-based rank r (0 <= r < length). */
  seek(r: number): void {
    const f = this.fen;
    const n = this.nl;
    let pos = 0;
    let rem = r;
    for (let step = 1 << (31 - Math.clz32(n)); step > 0; step >>= 1) {
      const q = pos + step;
      if (q <= n && f[q] <= rem) {
        pos = q;
        rem -= f[q];
      }
    }
    posLeaf = pos;
    posIdx = rem;
  }

  // ---- searches -----------------------------------------------------------

  /**
   * The leaf where (score, member) is or would go (there is at least one leaf).
   * `id` is the member's dict bucket when it is in the set, else -1: an element
   * with that bucket is the member itself, known equal without reading its string.
   */
  leafOf(score: number, member: string, id: number): number {
    const mv = this.mv;
    const mk = this.mk;
    const dict = this.dict;
    let lo = 0;
    let hi = this.nl - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = mv[mid];
      if (s < score || (s === score && mk[mid] !== id && dict.keyAt(mk[mid]) < member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index in leaf li of the first element not ordered before (score, member); id as for leafOf. */
  findIn(li: number, score: number, member: string, id: number): number {
    const sc = this.sc;
    const ids = this.ids;
    const dict = this.dict;
    const base = this.lpage[li] * this.P;
    let lo = base;
    let hi = base + this.lcnt[li];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = sc[mid];
      if (s < score || (s === score && ids[mid] !== id && dict.keyAt(ids[mid]) < member)) lo = mid + 1;
      else hi = mid;
    }
    return lo - base;
  }

  // ---- changes ------------------------------------------------------------

  add(member: string, score: number): AddResult {
    const dict = this.dict;
    const id = dict.bucketOf(member);
    if (id < 0) {
      this.insert(member, score);
      return 'added';
    }
    const old = dict.scoreAt(id);
    if (old === score) return 'unchanged';
    this.moveBucket(id, old, score);
    return 'updated';
  }

  remove(member: string): boolean {
    const dict = this.dict;
    const id = dict.bucketOf(member);
    if (id < 0) return false;
    const score = dict.scoreAt(id);
    const stored = dict.keyAt(id);
    const li = this.leafOf(score, stored, id);
    this.cut(li, this.findIn(li, score, stored, id));
    dict.freeBucketAt(id);
    if (dict.sparse) dict.maybeShrink();
    this.maybeRepack();
    return true;
  }

  /** Inserts a member that is not in the set. */
  insert(member: string, score: number): void {
    const id = this.dict.claim(member, score); // may renumber the leaves
    this.place(id, member, score);
  }

  /** Changes the score of a member known to be in the set with score `old`. */
  move(member: string, old: number, score: number): void {
    this.moveBucket(this.dict.bucketOf(member), old, score);
  }

  /**
   * Gives the member in dict bucket id (with score old) its new score. The stored
   * member string is compared, and the leaves hold its bucket number, so a
   * caller's fresh copy of the name is never retained.
   */
  moveBucket(id: number, old: number, score: number): void {
    const dict = this.dict;
    dict.setScoreAt(id, score);
    const member = dict.keyAt(id);
    const li = this.leafOf(old, member, id);
    const p = this.findIn(li, old, member, id);
    const sc = this.sc;
    const ids = this.ids;
    const b = this.lpage[li] * this.P;
    const n = this.lcnt[li];
    // Still between its neighbours (within the leaf, or the leaf's ends): rewrite in place.
    let fits: boolean;
    if (p === 0) {
      fits =
        li === 0 ||
        this.mv[li - 1] < score ||
        (this.mv[li - 1] === score && dict.keyAt(this.mk[li - 1]) < member);
    } else {
      const s = sc[b + p - 1];
      fits = s < score || (s === score && dict.keyAt(ids[b + p - 1]) < member);
    }
    if (fits) {
      if (p === n - 1) {
        if (li < this.nl - 1) {
          const nb = this.lpage[li + 1] * this.P;
          const s = sc[nb];
          fits = s > score || (s === score && dict.keyAt(ids[nb]) > member);
        }
      } else {
        const s = sc[b + p + 1];
        fits = s > score || (s === score && dict.keyAt(ids[b + p + 1]) > member);
      }
    }
    if (fits) {
      sc[b + p] = score;
      if (p === n - 1) this.mv[li] = score;
      return;
    }
    this.cut(li, p);
    this.place(id, member, score);
    this.maybeRepack();
  }

  /** Puts the member in dict bucket id in its place in the leaves. */
  place(id: number, member: string, score: number): void {
    this.length++;
    if (this.nl === 0) {
      const pg = this.allocPage();
      this.ids[pg * this.P] = id;
      this.sc[pg * this.P] = score;
      this.lpage[0] = pg;
      this.lcnt[0] = 1;
      this.mv[0] = score;
      this.mk[0] = id;
      this.nl = 1;
      this.rebuildIndex();
      return;
    }
    const li = this.leafOf(score, member, -1);
    const p = this.findIn(li, score, member, -1);
    const ids = this.ids;
    const sc = this.sc;
    const b = this.lpage[li] * this.P;
    const n = this.lcnt[li] + 1;
    for (let j = b + n - 1; j > b + p; j--) {
      ids[j] = ids[j - 1];
      sc[j] = sc[j - 1];
    }
    ids[b + p] = id;
    sc[b + p] = score;
    this.lcnt[li] = n;
    if (p === n - 1) {
      this.mk[li] = id;
      this.mv[li] = score;
    }
    if (n > this.leafMax) this.split(li);
    else this.indexAdd(li, 1);
  }

  /** Takes the element at index p out of leaf li (the dict is the caller's). */
  cut(li: number, p: number): void {
    const ids = this.ids;
    const sc = this.sc;
    const b = this.lpage[li] * this.P;
    const n = this.lcnt[li] - 1;
    for (let j = b + p; j < b + n; j++) {
      ids[j] = ids[j + 1];
      sc[j] = sc[j + 1];
    }
    this.lcnt[li] = n;
    this.length--;
    this.shrunk(li, p === n, 1);
  }

  /** Splits leaf li (of leafMax + 1 elements) in two halves. */
  split(li: number): void {
    const pg = this.allocPage(); // may replace ids/sc
    this.ensureLeaves(this.nl + 1);
    const { ids, sc, lpage, lcnt, mv, mk, P } = this;
    const n = lcnt[li];
    const half = n >> 1;
    const a = lpage[li] * P + half;
    const b = pg * P;
    for (let j = 0; j < n - half; j++) {
      ids[b + j] = ids[a + j];
      sc[b + j] = sc[a + j];
    }
    const nl = this.nl;
    lpage.copyWithin(li + 2, li + 1, nl);
    lcnt.copyWithin(li + 2, li + 1, nl);
    mv.copyWithin(li + 2, li + 1, nl);
    mk.copyWithin(li + 2, li + 1, nl);
    lpage[li + 1] = pg;
    lcnt[li + 1] = n - half;
    mv[li + 1] = mv[li];
    mk[li + 1] = mk[li];
    lcnt[li] = half;
    mv[li] = sc[a - 1];
    mk[li] = ids[a - 1];
    this.nl = nl + 1;
    this.rebuildIndex();
  }

  /**
   * After `removed` elements left leaf li: drops it when empty, refreshes its
   * maximum when its last element went (lastGone), merges it when too small.
   */
  shrunk(li: number, lastGone: boolean, removed: number): void {
    const n = this.lcnt[li];
    if (n === 0) {
      this.dropLeaf(li);
      this.rebuildIndex();
      return;
    }
    if (lastGone) {
      const b = this.lpage[li] * this.P;
      this.mk[li] = this.ids[b + n - 1];
      this.mv[li] = this.sc[b + n - 1];
    }
    if (n < this.leafMin && this.nl > 1) this.merge(li);
    else this.indexAdd(li, -removed);
  }

  /** Removes leaf li from the order and frees its page (the index is the caller's). */
  dropLeaf(li: number): void {
    const nl = this.nl;
    this.free.push(this.lpage[li]);
    this.lpage.copyWithin(li, li + 1, nl);
    this.lcnt.copyWithin(li, li + 1, nl);
    this.mv.copyWithin(li, li + 1, nl);
    this.mk.copyWithin(li, li + 1, nl);
    this.nl = nl - 1;
  }

  /**
   * Merges leaf li with a neighbour, or, when the two hold more than leafMax,
   * shares their elements out evenly between them; rebuilds the index.
   */
  merge(li: number): void {
    const a = li + 1 < this.nl ? li : li - 1;
    const { ids, sc, lpage, lcnt, P } = this;
    const na = lcnt[a];
    const nb = lcnt[a + 1];
    const pa = lpage[a] * P;
    const pb = lpage[a + 1] * P;
    const total = na + nb;
    if (total <= this.leafMax) {
      for (let j = 0; j < nb; j++) {
        ids[pa + na + j] = ids[pb + j];
        sc[pa + na + j] = sc[pb + j];
      }
      lcnt[a] = total;
      this.mv[a] = this.mv[a + 1];
      this.mk[a] = this.mk[a + 1];
      this.dropLeaf(a + 1);
    } else {
      const half = total >> 1;
      if (na < half) {
        // The first `half - na` of b move to the end of a.
        const k = half - na;
        for (let j = 0; j < k; j++) {
          ids[pa + na + j] = ids[pb + j];
          sc[pa + na + j] = sc[pb + j];
        }
        for (let j = 0; j < nb - k; j++) {
          ids[pb + j] = ids[pb + k + j];
          sc[pb + j] = sc[pb + k + j];
        }
      } else {
        // The last `na - half` of a move to the front of b.
        const k = na - half;
        for (let j = nb - 1; j >= 0; j--) {
          ids[pb + k + j] = ids[pb + j];
          sc[pb + k + j] = sc[pb + j];
        }
        for (let j = 0; j < k; j++) {
          ids[pb + j] = ids[pa + half + j];
          sc[pb + j] = sc[pa + half + j];
        }
      }
      lcnt[a] = half;
      lcnt[a + 1] = total - half;
      this.mv[a] = sc[pa + half - 1];
      this.mk[a] = ids[pa + half - 1];
    }
    this.rebuildIndex();
  }

  /** Removes the elements at 0-based ranks from..to-1 (0 <= from < to <= length). */
  removeRange(from: number, to: number): number {
    const total = to - from;
    const dict = this.dict;
    this.seek(from);
    const first = posLeaf;
    const start = posIdx;
    const { ids, sc, lpage, lcnt, P } = this;
    let li = first;
    let i = start;
    let left = total;
    let emptied = false;
    while (left > 0) {
      const n = lcnt[li];
      const take = left < n - i ? left : n - i;
      const b = lpage[li] * P;
      for (let j = b + i; j < b + i + take; j++) dict.freeBucketAt(ids[j]);
      for (let j = b + i; j < b + n - take; j++) {
        ids[j] = ids[j + take];
        sc[j] = sc[j + take];
      }
      lcnt[li] = n - take;
      if (n === take) emptied = true;
      left -= take;
      li++;
      i = 0;
    }
    this.length -= total;
    if (!emptied && li === first + 1) {
      // Within one leaf.
      this.shrunk(first, start === lcnt[first], total);
    } else {
      // Several leaves: drop the empty ones, refresh the maxima, merge small
      // leaves where the range started and ended, rebuild the index.
      let w = 0;
      for (let l = 0; l < this.nl; l++) {
        const n = lcnt[l];
        if (n === 0) {
          this.free.push(lpage[l]);
          continue;
        }
        const b = lpage[l] * P;
        lpage[w] = lpage[l];
        lcnt[w] = n;
        this.mv[w] = sc[b + n - 1];
        this.mk[w] = ids[b + n - 1];
        w++;
      }
      this.nl = w;
      this.rebuildIndex();
      // Leaf `first`, if it kept elements, lost its tail; the next one kept its tail.
      for (let l = first + 1; l >= first; l--) {
        if (l < this.nl && this.lcnt[l] < this.leafMin && this.nl > 1) this.merge(l);
      }
    }
    if (dict.sparse) dict.maybeShrink();
    this.maybeRepack();
    return total;
  }

  // ---- reads --------------------------------------------------------------

  rank(member: string, reverse: boolean): number | undefined {
    const dict = this.dict;
    const id = dict.bucketOf(member);
    if (id < 0) return undefined;
    const score = dict.scoreAt(id);
    const li = this.leafOf(score, member, id);
    const r = this.before(li) + this.findIn(li, score, member, id);
    return reverse ? this.length - 1 - r : r;
  }

  /** Number of elements with score < value (orEqual: <= value). */
  countScore(value: number, orEqual: boolean): number {
    const li = scoreBound(this.mv, 0, this.nl, value, orEqual);
    if (li === this.nl) return this.length;
    const b = this.lpage[li] * this.P;
    return this.before(li) + scoreBound(this.sc, b, b + this.lcnt[li], value, orEqual) - b;
  }

  /** Number of elements with member < value (orEqual: <= value). */
  countLex(value: string, orEqual: boolean): number {
    const dict = this.dict;
    const mk = this.mk;
    let lo = 0;
    let hi = this.nl;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = dict.keyAt(mk[mid]);
      if (m < value || (orEqual && m === value)) lo = mid + 1;
      else hi = mid;
    }
    const li = lo;
    if (li === this.nl) return this.length;
    const ids = this.ids;
    const b = this.lpage[li] * this.P;
    lo = b;
    hi = b + this.lcnt[li];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = dict.keyAt(ids[mid]);
      if (m < value || (orEqual && m === value)) lo = mid + 1;
      else hi = mid;
    }
    return this.before(li) + lo - b;
  }

  /** [member, score] at 0-based rank r (0 <= r < length). */
  entryAt(r: number): [string, number] {
    this.seek(r);
    const j = this.lpage[posLeaf] * this.P + posIdx;
    return [this.dict.keyAt(this.ids[j]), this.sc[j]];
  }

  /** Entries at ranks from..to-1 (0 <= from <= to <= length), ascending or descending. */
  slice(from: number, to: number, reverse: boolean): Array<[string, number]> {
    const n = to - from;
    if (n <= 0) return [];
    const out = new Array<[string, number]>(n);
    const { ids, sc, lpage, lcnt, P, dict } = this;
    this.seek(reverse ? to - 1 : from);
    let li = posLeaf;
    let b = lpage[li] * P;
    let i = posIdx;
    if (!reverse) {
      for (let j = 0; j < n; j++) {
        if (i === lcnt[li]) {
          li++;
          b = lpage[li] * P;
          i = 0;
        }
        out[j] = [dict.keyAt(ids[b + i]), sc[b + i]];
        i++;
      }
    } else {
      for (let j = 0; j < n; j++) {
        if (i < 0) {
          li--;
          b = lpage[li] * P;
          i = lcnt[li] - 1;
        }
        out[j] = [dict.keyAt(ids[b + i]), sc[b + i]];
        i--;
      }
    }
    return out;
  }

  /** [member, score] pairs in ascending order; the set must not change meanwhile. */
  *entries(): IterableIterator<[string, number]> {
    for (let l = 0; l < this.nl; l++) {
      const b = this.lpage[l] * this.P;
      const n = this.lcnt[l];
      for (let i = 0; i < n; i++) yield [this.dict.keyAt(this.ids[b + i]), this.sc[b + i]];
    }
  }

  *members(): IterableIterator<string> {
    for (let l = 0; l < this.nl; l++) {
      const b = this.lpage[l] * this.P;
      const n = this.lcnt[l];
      for (let i = 0; i < n; i++) yield this.dict.keyAt(this.ids[b + i]);
    }
  }

  clone(): Indexed {
    const c = new Indexed(0, this.leafMax);
    c.ids = this.ids.slice();
    c.sc = this.sc.slice();
    c.pagesTop = this.pagesTop;
    c.free = this.free.slice();
    c.nl = this.nl;
    c.lpage = this.lpage.slice();
    c.lcnt = this.lcnt.slice();
    c.mv = this.mv.slice();
    c.mk = this.mk.slice();
    c.fen = this.fen.slice();
    c.length = this.length;
    c.dict = c.hooked(this.dict.clone()); // same buckets, so the leaves' bucket numbers hold
    return c;
  }

  check(fail: (msg: string) => never): void {
    const { ids, sc, lpage, lcnt, mv, mk, dict, nl, P } = this;
    if (nl > lpage.length || this.fen.length < nl + 1) fail('leaf arrays too short');
    if (this.pagesTop * P > ids.length || ids.length !== sc.length) fail('page arrays');
    const pageSeen = new Uint8Array(this.pagesTop);
    for (const q of this.free) {
      if (q < 0 || q >= this.pagesTop || pageSeen[q]) fail(`free page ${q}`);
      pageSeen[q] = 1;
    }
    if (this.free.length + nl !== this.pagesTop) fail(`${this.pagesTop} pages: ${nl} leaves, ${this.free.length} free`);
    let n = 0;
    let pk = '';
    let pv = -Infinity;
    for (let l = 0; l < nl; l++) {
      const q = lpage[l];
      if (q < 0 || q >= this.pagesTop || pageSeen[q]) fail(`leaf ${l} on page ${q}`);
      pageSeen[q] = 1;
      const c = lcnt[l];
      if (c === 0) fail(`leaf ${l} is empty`);
      if (c > this.leafMax) fail(`leaf ${l} has ${c} elements`);
      if (c < this.leafMin && nl > 1) fail(`leaf ${l} has only ${c} elements`);
      const b = q * P;
      for (let i = 0; i < c; i++) {
        const id = ids[b + i];
        const s = sc[b + i];
        const m = dict.keyAt(id);
        if (typeof m !== 'string' || dict.bucketOf(m) !== id) fail(`member bucket at leaf ${l}:${i}`);
        if (typeof s !== 'number' || s !== s) fail(`bad score at leaf ${l}:${i}`);
        if (n > 0 && !(pv < s || (pv === s && pk < m))) fail(`order broken at rank ${n}`);
        if (!Object.is(dict.scoreAt(id), s)) fail(`dict disagrees for member at rank ${n}`);
        pk = m;
        pv = s;
        n++;
      }
      if (mk[l] !== ids[b + c - 1] || !Object.is(mv[l], sc[b + c - 1])) fail(`bad maximum of leaf ${l}`);
    }
    if (n !== this.length) fail(`length ${this.length} but ${n} elements`);
    if (dict.size !== n) fail(`dict size ${dict.size} but ${n} elements`);
    const fen = this.fen.slice(0, nl + 1);
    this.rebuildIndex();
    for (let j = 0; j <= nl; j++) if (fen[j] !== this.fen[j]) fail(`index entry ${j}`);
  }
}

// ==== compact representation ===================================================
//
// pk: the members packed in one string, in element order, each as one char
// holding its length (0..PK_MAX_MEMBER) followed by its chars; vals: the scores,
// parallel. Entries are found by hopping over the length chars.

/** Longest member a compact set packs; a longer one makes the set indexed. */
const PK_MAX_MEMBER = 254;

// Shared by every empty compact set; never written (writes only ever go to an
// existing index, and an empty array has none).
const EMPTY_VALS: number[] = [];

/**
 * Returns s flattened: a string built by concatenation is a tree of pieces (some
 * of them slices that keep the previous packed string alive) until something
 * reads it; reading a char makes V8 copy it into one flat string (and the GC then
 * drops the tree node), so the set holds exactly its packed bytes.
 */
function flatten(s: string): string {
  flattenSink = s.charCodeAt(0); // a store the compiler cannot drop
  return s;
}
let flattenSink = 0;

/** One packed entry: length char + member. */
function pkEntry(member: string): string {
  return String.fromCharCode(member.length) + member;
}

// Set by pkFind / pkLocate: position of the entry found.
let pkPos = 0;
// Set by pkSeek: index the new element gets.
let pkIdx = 0;

/**
 * True when the entry at pos (whose length is member.length) holds member.
 * Compared from the end: members that differ usually differ there (counters,
 * ids), and a loop of charCodeAt is much faster than startsWith here.
 */
function pkEqAt(pk: string, pos: number, member: string): boolean {
  const base = pos + 1;
  for (let j = member.length - 1; j >= 0; j--) {
    if (pk.charCodeAt(base + j) !== member.charCodeAt(j)) return false;
  }
  return true;
}

/** Index of member in pk (pkPos = its position), or -1. */
function pkFind(pk: string, member: string): number {
  const m = member.length;
  const end = pk.length;
  let pos = 0;
  let i = 0;
  while (pos < end) {
    const len = pk.charCodeAt(pos);
    if (len === m && pkEqAt(pk, pos, member)) {
      pkPos = pos;
      return i;
    }
    pos += 1 + len;
    i++;
  }
  return -1;
}

/** Position of entry i (pk.length for i = n). */
function pkPosOf(pk: string, i: number): number {
  let pos = 0;
  for (let t = 0; t < i; t++) pos += 1 + pk.charCodeAt(pos);
  return pos;
}

/** Member of the entry at pos. */
function pkMemberAt(pk: string, pos: number): string {
  return pk.substring(pos + 1, pos + 1 + pk.charCodeAt(pos));
}

/** Compares the member of the entry at pos with `member` (memcmp order): <0, 0, >0. */
function pkCmp(pk: string, pos: number, member: string): number {
  const len = pk.charCodeAt(pos);
  const m = member.length;
  const l = len < m ? len : m;
  const base = pos + 1;
  for (let j = 0; j < l; j++) {
    const d = pk.charCodeAt(base + j) - member.charCodeAt(j);
    if (d !== 0) return d;
  }
  return len - m;
}

/** Index of a member known to be present with `score` (pkPos = its position). */
function pkLocate(pk: string, vals: number[], score: number, member: string): number {
  const n = vals.length;
  const t0 = countScoreBelow(vals, score, false);
  let q = pkPosOf(pk, t0);
  const m = member.length;
  for (let t = t0; t < n; t++) {
    const len = pk.charCodeAt(q);
    if (len === m && pkEqAt(pk, q, member)) {
      pkPos = q;
      return t;
    }
    q += 1 + len;
  }
  return -1; // not reached when the caller is right
}

/**
 * Where (score, member) goes among the entries other than index `skip` (-1:
 * none; its score must differ from `score`): returns the position in pk of the
 * first entry not ordered before it (pk.length if none), and sets pkIdx to the
 * number of other entries ordered before it.
 */
function pkSeek(pk: string, vals: number[], score: number, member: string, skip: number): number {
  const n = vals.length;
  const t0 = countScoreBelow(vals, score, false);
  let q = 0;
  let c = 0;
  let t = 0;
  for (; t < t0; t++) {
    if (t !== skip) c++;
    q += 1 + pk.charCodeAt(q);
  }
  for (; t < n && vals[t] === score; t++) {
    if (pkCmp(pk, q, member) > 0) break;
    c++;
    q += 1 + pk.charCodeAt(q);
  }
  pkIdx = c;
  return q;
}

/** Number of leading entries whose member is < value (orEqual: <= value). */
function pkCountLex(pk: string, value: string, orEqual: boolean): number {
  const end = pk.length;
  let pos = 0;
  let c = 0;
  while (pos < end) {
    const d = pkCmp(pk, pos, value);
    if (d > 0 || (d === 0 && !orEqual)) break;
    c++;
    pos += 1 + pk.charCodeAt(pos);
  }
  return c;
}

function valsInsert(a: number[], i: number, v: number): number[] {
  const n = a.length;
  const out = new Array<number>(n + 1);
  for (let j = 0; j < i; j++) out[j] = a[j];
  out[i] = v;
  for (let j = i; j < n; j++) out[j + 1] = a[j];
  return out;
}

/** a without its elements start..start+k-1. */
function valsRemove(a: number[], start: number, k: number): number[] {
  const n = a.length - k;
  if (n === 0) return EMPTY_VALS;
  const out = new Array<number>(n);
  for (let j = 0; j < start; j++) out[j] = a[j];
  for (let j = start; j < n; j++) out[j] = a[j + k];
  return out;
}

/** Entries at indexes from..to-1 of a compact set, ascending or (reverse) descending. */
function compactSlice(
  pk: string,
  vals: number[],
  from: number,
  to: number,
  reverse: boolean,
): Array<[string, number]> {
  const n = to - from;
  if (n <= 0) return [];
  const out = new Array<[string, number]>(n);
  let pos = pkPosOf(pk, from);
  for (let j = 0; j < n; j++) {
    const len = pk.charCodeAt(pos);
    const e: [string, number] = [pk.substring(pos + 1, pos + 1 + len), vals[from + j]];
    out[reverse ? n - 1 - j : j] = e;
    pos += 1 + len;
  }
  return out;
}

/**
 * The members of a compact set as separate strings that do not keep pk alive
 * (substrings of 13 chars or more would be slices of it).
 */
function pkUnpack(pk: string, n: number): string[] {
  const out = new Array<string>(n);
  const bytes = /[^\x00-\xff]/.test(pk) ? null : Buffer.from(pk, 'latin1');
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const len = pk.charCodeAt(pos);
    out[i] =
      bytes === null || len < 13
        ? pk.substring(pos + 1, pos + 1 + len)
        : bytes.toString('latin1', pos + 1, pos + 1 + len);
    pos += 1 + len;
  }
  return out;
}

// ==== the sorted set ===========================================================

// Results of SortedSet.scoreBounds()/lexBounds(): 0-based ranks lowRank..highRank-1
// are in the range.
let lowRank = 0;
let highRank = 0;

export class SortedSet {
  /** Compact representation: the packed members (null once indexed). */
  private pk: string | null;
  /** Compact representation: scores, parallel to the entries of pk. */
  private vals: number[] | null;
  /** Indexed representation (null while compact). */
  private ix: Indexed | null;

  constructor(indexed = false) {
    if (indexed) {
      this.pk = null;
      this.vals = null;
      this.ix = new Indexed();
    } else {
      this.pk = '';
      this.vals = EMPTY_VALS;
      this.ix = null;
    }
  }

  /**
   * A set holding `entries`, which must be in element order (score, then member)
   * with distinct members; compact unless `indexed` (or larger than
   * COMPACT_HARD_MAX, or with a member longer than the compact form packs).
   */
  static fromSorted(entries: ReadonlyArray<readonly [string, number]>, indexed: boolean): SortedSet {
    const n = entries.length;
    let big = indexed || n > COMPACT_HARD_MAX;
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      if (e[1] !== e[1]) throw new RangeError('sorted set score is NaN');
      if (e[0].length > PK_MAX_MEMBER) big = true;
    }
    const z = new SortedSet(big);
    if (n === 0) return z;
    const vals = new Array<number>(n);
    for (let i = 0; i < n; i++) vals[i] = entries[i][1];
    if (big) {
      const keys = new Array<string>(n);
      for (let i = 0; i < n; i++) keys[i] = entries[i][0];
      (z.ix as Indexed).load(keys, vals);
      return z;
    }
    let pk = '';
    for (let i = 0; i < n; i++) pk += pkEntry(entries[i][0]);
    z.pk = flatten(pk);
    z.vals = vals;
    return z;
  }

  get isCompact(): boolean {
    return this.ix === null;
  }

  /** Converts to the indexed representation (never back). */
  toIndexed(): void {
    if (this.ix !== null) return;
    const vals = this.vals as number[];
    const ix = new Indexed(vals.length);
    ix.load(pkUnpack(this.pk as string, vals.length), vals);
    this.ix = ix;
    this.pk = null;
    this.vals = null;
  }

  get size(): number {
    const ix = this.ix;
    return ix !== null ? ix.length : (this.vals as number[]).length;
  }

  score(member: string): number | undefined {
    const ix = this.ix;
    if (ix !== null) return ix.dict.get(member);
    const i = pkFind(this.pk as string, member);
    return i < 0 ? undefined : (this.vals as number[])[i];
  }

  add(member: string, score: number): AddResult {
    if (score !== score) throw new RangeError('sorted set score is NaN');
    const ix = this.ix;
    if (ix !== null) return ix.add(member, score);
    const pk = this.pk as string;
    const i = pkFind(pk, member);
    if (i < 0) {
      this.insertNew(member, score);
      return 'added';
    }
    const vals = this.vals as number[];
    if (vals[i] === score) return 'unchanged';
    this.moveCompact(pk, vals, i, pkPos, member, score);
    return 'updated';
  }

  /**
   * add() of a member the caller knows is absent (it just looked it up): skips
   * the lookup. Calling it for a present member corrupts the set.
   */
  insertNew(member: string, score: number): void {
    if (score !== score) throw new RangeError('sorted set score is NaN');
    let ix = this.ix;
    if (ix === null) {
      const pk = this.pk as string;
      const vals = this.vals as number[];
      if (vals.length < COMPACT_HARD_MAX && member.length <= PK_MAX_MEMBER) {
        const q = pkSeek(pk, vals, score, member, -1);
        this.pk = flatten(pk.slice(0, q) + pkEntry(member) + pk.slice(q));
        this.vals = valsInsert(vals, pkIdx, score);
        return;
      }
      this.toIndexed();
      ix = this.ix as Indexed;
    }
    ix.insert(member, score);
  }

  /**
   * Changes the score of a member the caller knows is present with score `old`
   * (as score() just returned it): skips the lookup add() does.
   */
  rescore(member: string, old: number, score: number): void {
    if (score !== score) throw new RangeError('sorted set score is NaN');
    if (old === score) return;
    const ix = this.ix;
    if (ix !== null) {
      ix.move(member, old, score);
      return;
    }
    const pk = this.pk as string;
    const vals = this.vals as number[];
    const i = pkLocate(pk, vals, old, member);
    this.moveCompact(pk, vals, i, pkPos, member, score);
  }

  /** Gives the compact element at index i (position pos) its new score. */
  private moveCompact(
    pk: string,
    vals: number[],
    i: number,
    pos: number,
    member: string,
    score: number,
  ): void {
    const q = pkSeek(pk, vals, score, member, i);
    const c = pkIdx;
    if (c === i) {
      vals[i] = score; // same place
      return;
    }
    const end = pos + 1 + pk.charCodeAt(pos);
    const entry = pk.slice(pos, end);
    if (c < i) {
      for (let t = i; t > c; t--) vals[t] = vals[t - 1];
      this.pk = flatten(pk.slice(0, q) + entry + pk.slice(q, pos) + pk.slice(end));
    } else {
      for (let t = i; t < c; t++) vals[t] = vals[t + 1];
      this.pk = flatten(pk.slice(0, pos) + pk.slice(end, q) + entry + pk.slice(q));
    }
    vals[c] = score;
  }

  remove(member: string): boolean {
    const ix = this.ix;
    if (ix !== null) return ix.remove(member);
    const pk = this.pk as string;
    const i = pkFind(pk, member);
    if (i < 0) return false;
    const pos = pkPos;
    this.pk = flatten(pk.slice(0, pos) + pk.slice(pos + 1 + pk.charCodeAt(pos)));
    this.vals = valsRemove(this.vals as number[], i, 1);
    return true;
  }

  rank(member: string, reverse = false): number | undefined {
    const ix = this.ix;
    if (ix !== null) return ix.rank(member, reverse);
    const i = pkFind(this.pk as string, member);
    if (i < 0) return undefined;
    return reverse ? (this.vals as number[]).length - 1 - i : i;
  }

  at(rank: number): [string, number] | undefined {
    if (!(rank >= 0 && rank < this.size)) return undefined;
    const r = Math.floor(rank);
    const ix = this.ix;
    if (ix !== null) return ix.entryAt(r);
    const pk = this.pk as string;
    return [pkMemberAt(pk, pkPosOf(pk, r)), (this.vals as number[])[r]];
  }

  /** Entries at 0-based ascending ranks from..to-1 (clamped), ascending or descending. */
  private slice(from: number, to: number, reverse: boolean): Array<[string, number]> {
    const ix = this.ix;
    if (ix !== null) return ix.slice(from, to, reverse);
    return compactSlice(this.pk as string, this.vals as number[], from, to, reverse);
  }

  rangeByRank(start: number, stop: number, reverse: boolean): Array<[string, number]> {
    const length = this.size;
    if (start < 0) start = 0;
    if (stop >= length) stop = length - 1;
    if (start > stop) return [];
    const from = Math.ceil(start);
    const to = Math.floor(stop) + 1;
    if (!reverse) return this.slice(from, to, false);
    return this.slice(length - to, length - from, true);
  }

  /**
   * Elements at 0-based ranks lowRank..highRank-1 (set by the bound helpers),
   * skipping `offset` from the start (reverse: from the end), at most `count`
   * (count < 0: no limit).
   */
  private window(reverse: boolean, offset: number, count: number): Array<[string, number]> {
    const total = highRank - lowRank;
    if (total <= 0 || offset < 0 || offset >= total || count === 0) return [];
    let n = total - offset;
    if (count > 0 && count < n) n = count;
    n = Math.ceil(n);
    if (!reverse) return this.slice(lowRank + offset, lowRank + offset + n, false);
    return this.slice(highRank - offset - n, highRank - offset, true);
  }

  // ---- score ranges ---------------------------------------------------------

  /** Sets lowRank/highRank to the ranks of a score range. */
  private scoreBounds(range: ScoreRange): void {
    const ix = this.ix;
    if (ix !== null) {
      lowRank = ix.countScore(range.min, range.minEx);
      highRank = ix.countScore(range.max, !range.maxEx);
    } else {
      const vals = this.vals as number[];
      lowRank = countScoreBelow(vals, range.min, range.minEx);
      highRank = countScoreBelow(vals, range.max, !range.maxEx);
    }
  }

  rangeByScore(
    range: ScoreRange,
    reverse: boolean,
    offset = 0,
    count = -1,
  ): Array<[string, number]> {
    this.scoreBounds(range);
    return this.window(reverse, offset, count);
  }

  countByScore(range: ScoreRange): number {
    this.scoreBounds(range);
    const n = highRank - lowRank;
    return n > 0 ? n : 0;
  }

  removeRangeByScore(range: ScoreRange): number {
    this.scoreBounds(range);
    if (highRank <= lowRank) return 0;
    return this.removeRangeByRank(lowRank, highRank - 1);
  }

  // ---- lex ranges -----------------------------------------------------------

  /** Sets lowRank/highRank to the ranks of a lex range. */
  private lexBounds(range: LexRange): void {
    const ix = this.ix;
    const n = this.size;
    if (range.minInf !== 0) lowRank = range.minInf < 0 ? 0 : n;
    else if (ix !== null) lowRank = ix.countLex(range.min, range.minEx);
    else lowRank = pkCountLex(this.pk as string, range.min, range.minEx);
    if (range.maxInf !== 0) highRank = range.maxInf > 0 ? n : 0;
    else if (ix !== null) highRank = ix.countLex(range.max, !range.maxEx);
    else highRank = pkCountLex(this.pk as string, range.max, !range.maxEx);
  }

  rangeByLex(range: LexRange, reverse: boolean, offset = 0, count = -1): Array<[string, number]> {
    this.lexBounds(range);
    return this.window(reverse, offset, count);
  }

  countByLex(range: LexRange): number {
    this.lexBounds(range);
    const n = highRank - lowRank;
    return n > 0 ? n : 0;
  }

  removeRangeByLex(range: LexRange): number {
    this.lexBounds(range);
    if (highRank <= lowRank) return 0;
    return this.removeRangeByRank(lowRank, highRank - 1);
  }

  // ---- rank ranges, pops ----------------------------------------------------

  removeRangeByRank(start: number, stop: number): number {
    const length = this.size;
    if (start < 0) start = 0;
    if (stop >= length) stop = length - 1;
    if (start > stop) return 0;
    const from = Math.ceil(start);
    const k = Math.floor(stop) + 1 - from;
    if (k <= 0) return 0;
    const ix = this.ix;
    if (ix !== null) return ix.removeRange(from, from + k);
    const pk = this.pk as string;
    const a = pkPosOf(pk, from);
    let b = a;
    for (let t = 0; t < k; t++) b += 1 + pk.charCodeAt(b);
    this.pk = flatten(pk.slice(0, a) + pk.slice(b));
    this.vals = valsRemove(this.vals as number[], from, k);
    return k;
  }

  popMin(count: number): Array<[string, number]> {
    const length = this.size;
    const n = count < length ? count : length;
    if (!(n > 0)) return [];
    const out = this.rangeByRank(0, Math.ceil(n) - 1, false);
    this.removeRangeByRank(0, out.length - 1);
    return out;
  }

  popMax(count: number): Array<[string, number]> {
    const length = this.size;
    const n = count < length ? count : length;
    if (!(n > 0)) return [];
    const out = this.rangeByRank(0, Math.ceil(n) - 1, true);
    this.removeRangeByRank(length - out.length, length - 1);
    return out;
  }

  // ---- iteration, random access, copy ---------------------------------------

  *entries(): IterableIterator<[string, number]> {
    const ix = this.ix;
    if (ix === null) {
      const pk = this.pk as string;
      const vals = this.vals as number[];
      let pos = 0;
      for (let i = 0; i < vals.length; i++) {
        const len = pk.charCodeAt(pos);
        yield [pk.substring(pos + 1, pos + 1 + len), vals[i]];
        pos += 1 + len;
      }
      return;
    }
    yield* ix.entries();
  }

  *members(): IterableIterator<string> {
    const ix = this.ix;
    if (ix === null) {
      const pk = this.pk as string;
      const end = pk.length;
      let pos = 0;
      while (pos < end) {
        const len = pk.charCodeAt(pos);
        yield pk.substring(pos + 1, pos + 1 + len);
        pos += 1 + len;
      }
      return;
    }
    yield* ix.members();
  }

  randomMember(): string | undefined {
    const n = this.size;
    if (n === 0) return undefined;
    const r = Math.floor(Math.random() * n);
    const ix = this.ix;
    if (ix === null) {
      const pk = this.pk as string;
      return pkMemberAt(pk, pkPosOf(pk, r));
    }
    return ix.entryAt(r)[0];
  }

  clone(): SortedSet {
    const c = new SortedSet();
    const ix = this.ix;
    if (ix !== null) {
      c.pk = null;
      c.vals = null;
      c.ix = ix.clone();
    } else if ((this.vals as number[]).length > 0) {
      c.pk = this.pk; // strings are immutable
      c.vals = (this.vals as number[]).slice();
    }
    return c;
  }

  /** Test helper: throws an Error describing the first inconsistency found. */
  checkInvariants(): void {
    const fail = (msg: string): never => {
      throw new Error('SortedSet invariant: ' + msg);
    };
    if (EMPTY_VALS.length !== 0) fail('shared empty array written');
    const ix = this.ix;
    if (ix !== null) {
      if (this.pk !== null || this.vals !== null) fail('indexed set with compact data');
      ix.check(fail);
      return;
    }
    const pk = this.pk;
    const vals = this.vals;
    if (pk === null || vals === null) return fail('compact set without data');
    const n = vals.length;
    if (n > COMPACT_HARD_MAX) fail(`compact set of ${n} elements`);
    const seen = new Set<string>();
    let pos = 0;
    let prev = '';
    for (let i = 0; i < n; i++) {
      if (pos >= pk.length) fail(`packed members end at entry ${i} of ${n}`);
      const len = pk.charCodeAt(pos);
      if (len > PK_MAX_MEMBER) fail(`entry ${i} has length ${len}`);
      if (pos + 1 + len > pk.length) fail(`entry ${i} overruns the packed members`);
      const m = pk.substring(pos + 1, pos + 1 + len);
      pos += 1 + len;
      if (typeof vals[i] !== 'number' || vals[i] !== vals[i]) fail(`bad score at ${i}`);
      if (seen.has(m)) fail(`duplicate member at ${i}`);
      seen.add(m);
      if (i > 0 && !(vals[i - 1] < vals[i] || (vals[i - 1] === vals[i] && prev < m))) {
        fail(`order broken at rank ${i}`);
      }
      prev = m;
    }
    if (pos !== pk.length) fail(`packed members have ${pk.length - pos} extra chars`);
    if (n === 0 && vals !== EMPTY_VALS) fail('empty set not on the shared empty array');
  }
}

// ---- argument parsing -------------------------------------------------------

const DEC_FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INF_FLOAT_RE = /^[+-]?inf(?:inity)?$/i;
/**
 * Parses a score bound as C strtod over the whole string: decimal or C99 hex
 * floats, "inf"/"infinity" with optional sign (case-insensitive). Rejects the
 * empty string, leading whitespace, trailing garbage and NaN. Overflow gives
 * +/-Infinity as strtod does.
 */
function parseStrictDouble(s: string): number | null {
  if (s.length === 0 || s.length > 10000) return null;
  if (DEC_FLOAT_RE.test(s)) return Number(s);
  if (INF_FLOAT_RE.test(s)) return s.charCodeAt(0) === 45 /* - */ ? -Infinity : Infinity;
  return parseHexFloat(s);
}

function parseScoreBound(arg: string): { value: number; ex: boolean } | null {
  const ex = arg.charCodeAt(0) === 40; /* ( */
  const value = parseStrictDouble(ex ? arg.slice(1) : arg);
  return value === null ? null : { value, ex };
}

/**
 * Parses ZRANGEBYSCORE-style bounds: an optional leading '(' makes the bound
 * exclusive. Returns null if either bound is not a valid float (the caller
 * replies "ERR min or max is not a float").
 */
export function parseScoreRange(minArg: string, maxArg: string): ScoreRange | null {
  const min = parseScoreBound(minArg);
  if (min === null) return null;
  const max = parseScoreBound(maxArg);
  if (max === null) return null;
  return { min: min.value, max: max.value, minEx: min.ex, maxEx: max.ex };
}

function parseLexBound(arg: string): { value: string; ex: boolean; inf: LexInf } | null {
  if (arg === '+') return { value: '', ex: true, inf: 1 };
  if (arg === '-') return { value: '', ex: true, inf: -1 };
  const c = arg.charCodeAt(0);
  if (c === 40 /* ( */) return { value: arg.slice(1), ex: true, inf: 0 };
  if (c === 91 /* [ */) return { value: arg.slice(1), ex: false, inf: 0 };
  return null;
}

/**
 * Parses ZRANGEBYLEX-style bounds: '[x' inclusive, '(x' exclusive, exactly '-'
 * for negative infinity, exactly '+' for positive infinity. Returns null
 * otherwise (the caller replies "ERR min or max not valid string range item").
 */
export function parseLexRange(minArg: string, maxArg: string): LexRange | null {
  const min = parseLexBound(minArg);
  if (min === null) return null;
  const max = parseLexBound(maxArg);
  if (max === null) return null;
  return {
    min: min.value,
    max: max.value,
    minEx: min.ex,
    maxEx: max.ex,
    minInf: min.inf,
    maxInf: max.inf,
  };
}
