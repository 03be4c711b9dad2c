// Sorted set: the value type behind the ZSET commands.
//
// Representation: a skiplist whose forward pointers carry span counts (so the rank
// of a node, and the node at a given rank, are found in O(log n)), plus a
// Map<member, score> for O(1) score lookups. Elements are ordered by score
// ascending, ties broken by member bytewise. Members are binary strings (latin1,
// one char per byte), so JS `<` on them is exactly memcmp order. Scores are JS
// doubles; +/-Infinity are allowed, NaN never is.
//
// API (ranks are 0-based; "normalized" indices are inclusive and already clamped
// or converted from negative form by the caller, though out-of-range values are
// clamped defensively):
//
//   new SortedSet()
//   size                                   number of elements
//   score(member)                          score, or undefined if absent
//   add(member, score)                     'added' | 'updated' | 'unchanged'
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
//                                          they only walk the skiplist order)
//   removeRangeByRank(start, stop)         number removed
//   popMin(count)                          removes and returns the `count` lowest, lowest first
//   popMax(count)                          removes and returns the `count` highest, highest first
//   entries()                              iterator of [member, score] in ascending order
//   members()                              iterator of members in ascending order
//   randomMember()                         uniformly random member, or undefined when empty
//   clone()                                deep copy (same skiplist shape)
//   checkInvariants()                      test helper: throws if the structure is inconsistent
//
// Range helpers:
//   ScoreRange { min, max, minEx, maxEx }  minEx/maxEx: bound is exclusive
//   parseScoreRange(minArg, maxArg)        Redis syntax ("(1.5", "-inf", "+inf", ...), or null
//                                          when a bound is not a valid float
//   LexRange { min, max, minEx, maxEx, minInf, maxInf }
//                                          minInf/maxInf: -1 = '-' (below everything),
//                                          +1 = '+' (above everything), 0 = the string in min/max
//   parseLexRange(minArg, maxArg)          Redis syntax ('[x', '(x', '-', '+'), or null

const MAX_LEVEL = 32;
const LEVEL_P = 0.25;

class SkipNode {
  member: string;
  score: number;
  backward: SkipNode | null;
  readonly forward: Array<SkipNode | null>;
  readonly span: number[];

  constructor(member: string, score: number, level: number) {
    this.member = member;
    this.score = score;
    this.backward = null;
    const forward: Array<SkipNode | null> = [];
    const span: number[] = [];
    for (let i = 0; i < level; i++) {
      forward.push(null);
      span.push(0);
    }
    this.forward = forward;
    this.span = span;
  }
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < LEVEL_P) level++;
  return level;
}

// Scratch arrays shared by all sets (JS is single-threaded and no method here
// re-enters another while they are in use). They are reset to PLACEHOLDER after
// each use so they never keep removed nodes, or a dropped set, alive.
const PLACEHOLDER = new SkipNode('', 0, 1);
const scratchUpdate: SkipNode[] = [];
const scratchRank: number[] = [];
for (let i = 0; i < MAX_LEVEL; i++) {
  scratchUpdate.push(PLACEHOLDER);
  scratchRank.push(0);
}

function releaseScratch(): void {
  for (let i = 0; i < MAX_LEVEL; i++) scratchUpdate[i] = PLACEHOLDER;
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

export class SortedSet {
  private readonly header: SkipNode;
  private tail: SkipNode | null;
  private length: number;
  private level: number;
  private readonly dict: Map<string, number>;
  /** Set by the seek helpers: 1-based rank of the node they return (0 = header). */
  private seekRank: number;

  constructor() {
    this.header = new SkipNode('', -Infinity, MAX_LEVEL);
    this.tail = null;
    this.length = 0;
    this.level = 1;
    this.dict = new Map();
    this.seekRank = 0;
  }

  get size(): number {
    return this.length;
  }

  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  add(member: string, score: number): AddResult {
    if (score !== score) throw new RangeError('sorted set score is NaN');
    const old = this.dict.get(member);
    if (old === undefined) {
      this.insertNode(new SkipNode(member, score, randomLevel()));
      this.dict.set(member, score);
      return 'added';
    }
    if (old === score) return 'unchanged';
    this.updateScore(member, old, score);
    this.dict.set(member, score);
    return 'updated';
  }

  remove(member: string): boolean {
    const score = this.dict.get(member);
    if (score === undefined) return false;
    const x = this.findPath(score, member);
    this.unlinkNode(x, scratchUpdate);
    releaseScratch();
    this.dict.delete(member);
    return true;
  }

  rank(member: string, reverse = false): number | undefined {
    const score = this.dict.get(member);
    if (score === undefined) return undefined;
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (
        next !== null &&
        (next.score < score || (next.score === score && next.member <= member))
      ) {
        traversed += x.span[i];
        x = next;
        next = x.forward[i];
      }
      // Reached the node of `member` (at 1-based rank `traversed`): done early.
      if (x !== this.header && x.member === member) break;
    }
    return reverse ? this.length - traversed : traversed - 1;
  }

  at(rank: number): [string, number] | undefined {
    if (!(rank >= 0 && rank < this.length)) return undefined;
    const x = this.nodeAtRank(Math.floor(rank) + 1);
    return x === null ? undefined : [x.member, x.score];
  }

  rangeByRank(start: number, stop: number, reverse: boolean): Array<[string, number]> {
    if (start < 0) start = 0;
    if (stop >= this.length) stop = this.length - 1;
    const out: Array<[string, number]> = [];
    if (start > stop) return out;
    let n = stop - start + 1;
    if (!reverse) {
      let x = start === 0 ? this.header.forward[0] : this.nodeAtRank(start + 1);
      while (x !== null && n-- > 0) {
        out.push([x.member, x.score]);
        x = x.forward[0];
      }
    } else {
      let x = start === 0 ? this.tail : this.nodeAtRank(this.length - start);
      while (x !== null && n-- > 0) {
        out.push([x.member, x.score]);
        x = x.backward;
      }
    }
    return out;
  }

  // ---- score ranges ---------------------------------------------------------

  rangeByScore(
    range: ScoreRange,
    reverse: boolean,
    offset = 0,
    count = -1,
  ): Array<[string, number]> {
    const low = this.seekScore(range.min, range.minEx);
    const lowRank = this.seekRank;
    const high = this.seekScore(range.max, !range.maxEx);
    return this.collect(low, lowRank, high, this.seekRank, reverse, offset, count);
  }

  countByScore(range: ScoreRange): number {
    this.seekScore(range.min, range.minEx);
    const lowRank = this.seekRank;
    this.seekScore(range.max, !range.maxEx);
    const n = this.seekRank - lowRank;
    return n > 0 ? n : 0;
  }

  removeRangeByScore(range: ScoreRange): number {
    this.seekScore(range.min, range.minEx);
    const lowRank = this.seekRank;
    this.seekScore(range.max, !range.maxEx);
    const highRank = this.seekRank;
    if (highRank <= lowRank) return 0;
    return this.removeRangeByRank(lowRank, highRank - 1);
  }

  // ---- lex ranges -----------------------------------------------------------

  rangeByLex(range: LexRange, reverse: boolean, offset = 0, count = -1): Array<[string, number]> {
    const low = this.seekLexLow(range);
    const lowRank = this.seekRank;
    const high = this.seekLexHigh(range);
    return this.collect(low, lowRank, high, this.seekRank, reverse, offset, count);
  }

  countByLex(range: LexRange): number {
    this.seekLexLow(range);
    const lowRank = this.seekRank;
    this.seekLexHigh(range);
    const n = this.seekRank - lowRank;
    return n > 0 ? n : 0;
  }

  removeRangeByLex(range: LexRange): number {
    this.seekLexLow(range);
    const lowRank = this.seekRank;
    this.seekLexHigh(range);
    const highRank = this.seekRank;
    if (highRank <= lowRank) return 0;
    return this.removeRangeByRank(lowRank, highRank - 1);
  }

  // ---- rank ranges, pops ----------------------------------------------------

  removeRangeByRank(start: number, stop: number): number {
    if (start < 0) start = 0;
    if (stop >= this.length) stop = this.length - 1;
    if (start > stop) return 0;
    const update = scratchUpdate;
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (next !== null && traversed + x.span[i] <= start) {
        traversed += x.span[i];
        x = next;
        next = x.forward[i];
      }
      update[i] = x;
    }
    let node = x.forward[0];
    let removed = 0;
    const n = stop - start + 1;
    while (node !== null && removed < n) {
      const next = node.forward[0];
      this.unlinkNode(node, update);
      this.dict.delete(node.member);
      removed++;
      node = next;
    }
    releaseScratch();
    return removed;
  }

  popMin(count: number): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    const n = count < this.length ? count : this.length;
    if (!(n > 0)) return out;
    let x = this.header.forward[0];
    for (let i = 0; i < n && x !== null; i++) {
      out.push([x.member, x.score]);
      x = x.forward[0];
    }
    this.removeRangeByRank(0, out.length - 1);
    return out;
  }

  popMax(count: number): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    const n = count < this.length ? count : this.length;
    if (!(n > 0)) return out;
    let x = this.tail;
    for (let i = 0; i < n && x !== null; i++) {
      out.push([x.member, x.score]);
      x = x.backward;
    }
    this.removeRangeByRank(this.length - out.length, this.length - 1);
    return out;
  }

  // ---- iteration, random access, copy ---------------------------------------

  *entries(): IterableIterator<[string, number]> {
    for (let x = this.header.forward[0]; x !== null; x = x.forward[0]) {
      yield [x.member, x.score];
    }
  }

  *members(): IterableIterator<string> {
    for (let x = this.header.forward[0]; x !== null; x = x.forward[0]) {
      yield x.member;
    }
  }

  randomMember(): string | undefined {
    if (this.length === 0) return undefined;
    const x = this.nodeAtRank(Math.floor(Math.random() * this.length) + 1);
    return x === null ? undefined : x.member;
  }

  clone(): SortedSet {
    const c = new SortedSet();
    const last: SkipNode[] = [];
    const lastRank: number[] = [];
    for (let i = 0; i < MAX_LEVEL; i++) {
      last.push(c.header);
      lastRank.push(0);
    }
    let n = 0;
    let prev: SkipNode | null = null;
    for (let x = this.header.forward[0]; x !== null; x = x.forward[0]) {
      n++;
      const lvl = x.forward.length;
      const node = new SkipNode(x.member, x.score, lvl);
      for (let i = 0; i < lvl; i++) {
        const l = last[i];
        l.forward[i] = node;
        l.span[i] = n - lastRank[i];
        last[i] = node;
        lastRank[i] = n;
      }
      node.backward = prev;
      prev = node;
      c.dict.set(x.member, x.score);
    }
    // Spans of pointers to the end follow the convention length - rank(node).
    for (let i = 0; i < MAX_LEVEL; i++) last[i].span[i] = n - lastRank[i];
    c.level = this.level;
    c.length = n;
    c.tail = prev;
    return c;
  }

  /** Test helper: throws an Error describing the first inconsistency found. */
  checkInvariants(): void {
    const fail = (msg: string): never => {
      throw new Error('SortedSet invariant: ' + msg);
    };
    // Level 0: order, backward links, tail, length, dict agreement.
    const rankOf = new Map<SkipNode, number>();
    rankOf.set(this.header, 0);
    let prev: SkipNode | null = null;
    let n = 0;
    for (let x = this.header.forward[0]; x !== null; x = x.forward[0]) {
      n++;
      rankOf.set(x, n);
      if (x.backward !== prev) fail(`bad backward at rank ${n}`);
      if (x.score !== x.score) fail('NaN score');
      if (prev !== null) {
        if (!(prev.score < x.score || (prev.score === x.score && prev.member < x.member))) {
          fail(`order broken at rank ${n}`);
        }
      }
      if (this.dict.get(x.member) !== x.score) fail(`dict disagrees for member at rank ${n}`);
      if (x.forward.length < 1 || x.forward.length > MAX_LEVEL) fail('bad node level');
      if (x.forward.length > this.level) fail('node level above list level');
      prev = x;
    }
    if (n !== this.length) fail(`length ${this.length} but ${n} nodes`);
    if (this.dict.size !== n) fail(`dict size ${this.dict.size} but ${n} nodes`);
    if (this.tail !== prev) fail('bad tail');
    if (this.level < 1 || this.level > MAX_LEVEL) fail('bad level');
    if (this.level > 1 && this.header.forward[this.level - 1] === null) fail('level not trimmed');
    for (let i = this.level; i < MAX_LEVEL; i++) {
      if (this.header.forward[i] !== null) fail(`header has a pointer above level at ${i}`);
    }
    // Every level: pointers skip forward in order, spans equal rank distance.
    for (let i = 0; i < this.level; i++) {
      let x: SkipNode = this.header;
      for (;;) {
        const r = rankOf.get(x);
        if (r === undefined) fail(`level ${i} reaches a node not on level 0`);
        const next = x.forward[i];
        const rr = r as number;
        if (next === null) {
          if (x.span[i] !== n - rr) fail(`end span at level ${i}: ${x.span[i]} != ${n - rr}`);
          break;
        }
        if (next.forward.length <= i) fail(`level ${i} links a lower node`);
        const nr = rankOf.get(next);
        if (nr === undefined) fail(`level ${i} reaches a node not on level 0`);
        if (x.span[i] !== (nr as number) - rr) fail(`span at level ${i}, rank ${rr}`);
        x = next;
      }
    }
  }

  // ---- internals ------------------------------------------------------------

  /**
   * Fills scratchUpdate[0..level-1] with, per level, the last node ordered before
   * (score, member), and returns the node after update[0] (the node of `member`
   * when it is present with that score).
   */
  private findPath(score: number, member: string): SkipNode {
    const update = scratchUpdate;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (
        next !== null &&
        (next.score < score || (next.score === score && next.member < member))
      ) {
        x = next;
        next = x.forward[i];
      }
      update[i] = x;
    }
    return x.forward[0] as SkipNode;
  }

  /** Links `node` (fresh or just unlinked) in place; its level is node.forward.length. */
  private insertNode(node: SkipNode): void {
    const update = scratchUpdate;
    const rank = scratchRank;
    const score = node.score;
    const member = node.member;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let next = x.forward[i];
      while (
        next !== null &&
        (next.score < score || (next.score === score && next.member < member))
      ) {
        rank[i] += x.span[i];
        x = next;
        next = x.forward[i];
      }
      update[i] = x;
    }
    const lvl = node.forward.length;
    if (lvl > this.level) {
      for (let i = this.level; i < lvl; i++) {
        rank[i] = 0;
        update[i] = this.header;
        this.header.span[i] = this.length;
      }
      this.level = lvl;
    }
    const r0 = rank[0];
    for (let i = 0; i < lvl; i++) {
      const u = update[i];
      node.forward[i] = u.forward[i];
      u.forward[i] = node;
      node.span[i] = u.span[i] - (r0 - rank[i]);
      u.span[i] = r0 - rank[i] + 1;
    }
    for (let i = lvl; i < this.level; i++) update[i].span[i]++;
    node.backward = update[0] === this.header ? null : update[0];
    const after = node.forward[0];
    if (after !== null) after.backward = node;
    else this.tail = node;
    this.length++;
    releaseScratch();
  }

  /** Unlinks `x`, given update[] as filled by findPath (or a rank walk). */
  private unlinkNode(x: SkipNode, update: SkipNode[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i];
      if (u.forward[i] === x) {
        u.span[i] += x.span[i] - 1;
        u.forward[i] = x.forward[i];
      } else {
        u.span[i] -= 1;
      }
    }
    const after = x.forward[0];
    if (after !== null) after.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.header.forward[this.level - 1] === null) this.level--;
    this.length--;
  }

  private updateScore(member: string, oldScore: number, newScore: number): void {
    const x = this.findPath(oldScore, member);
    const prev = x.backward;
    const next = x.forward[0];
    if (
      (prev === null ||
        prev.score < newScore ||
        (prev.score === newScore && prev.member < member)) &&
      (next === null ||
        next.score > newScore ||
        (next.score === newScore && next.member > member))
    ) {
      // Still between its neighbours: no relinking needed.
      x.score = newScore;
      releaseScratch();
      return;
    }
    this.unlinkNode(x, scratchUpdate);
    releaseScratch();
    x.score = newScore;
    x.backward = null;
    this.insertNode(x);
  }

  /** Node at 1-based rank `r` (1..length), or null. */
  private nodeAtRank(r: number): SkipNode | null {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (next !== null && traversed + x.span[i] <= r) {
        traversed += x.span[i];
        x = next;
        next = x.forward[i];
      }
      if (traversed === r) return r === 0 ? null : x;
    }
    return null;
  }

  /**
   * Last node with score < value (orEqual false) or <= value (orEqual true), or
   * the header when there is none. Sets seekRank to its 1-based rank, which is
   * also the number of elements satisfying the condition.
   */
  private seekScore(value: number, orEqual: boolean): SkipNode {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      if (orEqual) {
        while (next !== null && next.score <= value) {
          traversed += x.span[i];
          x = next;
          next = x.forward[i];
        }
      } else {
        while (next !== null && next.score < value) {
          traversed += x.span[i];
          x = next;
          next = x.forward[i];
        }
      }
    }
    this.seekRank = traversed;
    return x;
  }

  /** Like seekScore, comparing members only. */
  private seekLex(value: string, orEqual: boolean): SkipNode {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      if (orEqual) {
        while (next !== null && next.member <= value) {
          traversed += x.span[i];
          x = next;
          next = x.forward[i];
        }
      } else {
        while (next !== null && next.member < value) {
          traversed += x.span[i];
          x = next;
          next = x.forward[i];
        }
      }
    }
    this.seekRank = traversed;
    return x;
  }

  /** Last node below the range's lower bound (header if none); seekRank = how many. */
  private seekLexLow(range: LexRange): SkipNode {
    if (range.minInf < 0) {
      this.seekRank = 0;
      return this.header;
    }
    if (range.minInf > 0) return this.seekEnd();
    return this.seekLex(range.min, range.minEx);
  }

  /** Last node within the range's upper bound (header if none); seekRank = how many. */
  private seekLexHigh(range: LexRange): SkipNode {
    if (range.maxInf > 0) return this.seekEnd();
    if (range.maxInf < 0) {
      this.seekRank = 0;
      return this.header;
    }
    return this.seekLex(range.max, !range.maxEx);
  }

  private seekEnd(): SkipNode {
    this.seekRank = this.length;
    return this.tail === null ? this.header : this.tail;
  }

  /**
   * Elements with 1-based ranks lowRank+1 .. highRank, where `low` is the node at
   * lowRank (header when 0) and `high` the node at highRank.
   */
  private collect(
    low: SkipNode,
    lowRank: number,
    high: SkipNode,
    highRank: number,
    reverse: boolean,
    offset: number,
    count: number,
  ): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    const total = highRank - lowRank;
    if (total <= 0 || offset < 0 || offset >= total || count === 0) return out;
    let n = total - offset;
    if (count > 0 && count < n) n = count;
    if (!reverse) {
      let x = offset === 0 ? low.forward[0] : this.nodeAtRank(lowRank + 1 + offset);
      while (x !== null && n-- > 0) {
        out.push([x.member, x.score]);
        x = x.forward[0];
      }
    } else {
      let x: SkipNode | null = offset === 0 ? high : this.nodeAtRank(highRank - offset);
      while (x !== null && n-- > 0) {
        out.push([x.member, x.score]);
        x = x.backward;
      }
    }
    return out;
  }
}

// ---- argument parsing -------------------------------------------------------

const DEC_FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INF_FLOAT_RE = /^[+-]?inf(?:inity)?$/i;
const HEX_FLOAT_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;

/** mant * 2^exp without intermediate overflow/underflow for moderate results. */
function scaleByPow2(mant: number, exp: number): number {
  let m = mant;
  let e = exp;
  while (e > 1000 && m !== Infinity) {
    m *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000 && m !== 0) {
    m *= 2 ** -1000;
    e += 1000;
  }
  return m * 2 ** e;
}

function parseHexFloat(s: string): number | null {
  const m = HEX_FLOAT_RE.exec(s);
  if (m === null) return null;
  const intDigits = m[2];
  const fracDigits = m[3] === undefined ? '' : m[3];
  if (intDigits.length + fracDigits.length === 0) return null;
  let exp = m[4] === undefined ? 0 : Number(m[4]);
  if (exp > 100000) exp = 100000;
  else if (exp < -100000) exp = -100000;
  exp -= 4 * fracDigits.length;
  let mant = BigInt('0x' + intDigits + fracDigits);
  // Keep 64 significant bits plus a sticky bit so the final rounding to 53 bits
  // is done once, correctly (except in the subnormal range).
  const bits = mant.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const sticky = mant & ((1n << shift) - 1n) ? 1n : 0n;
    mant = (mant >> shift) | sticky;
    exp += bits - 64;
  }
  const v = scaleByPow2(Number(mant), exp);
  return m[1] === '-' ? -v : v;
}

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
