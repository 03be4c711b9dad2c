// Glob-style pattern matching with the semantics of Redis's stringmatchlen (KEYS,
// SCAN MATCH, PSUBSCRIBE, ACL key/channel patterns, CONFIG GET, ...). Patterns and
// subjects are binary strings (latin1, one char per byte).
//
//   globMatch(pattern, str, nocase = false)  true when str matches pattern
//   compileGlob(pattern, nocase = false)     a reusable matcher (str) => boolean;
//                                            literal, "*", "prefix*", "*suffix" and
//                                            "*infix*" patterns get string fast paths
//
// Syntax, as Redis reads it:
//   *        any run of bytes; consecutive stars act as one
//   ?        exactly one byte
//   [...]    one byte from a set: plain bytes, ranges "a-z" (a reversed range such as
//            "z-a" means the same as "a-z"), and "\x" for a literal x. "[^...]" negates.
//            The set ends at the first "]" that is not escaped and not the upper end of
//            a range, so "[]" never matches and "[^]" matches any byte, and "[a-]"
//            is the range from "]" to "a" that goes on to the end of the set. A "[" with
//            no closing "]" takes the rest of the pattern as its set.
//   \x       the byte x literally; a trailing lone "\" matches a backslash
//   other    itself
//
// Quirks kept on purpose, because Redis has them:
//   - An empty subject only matches the empty pattern: "*" does not match "" (KEYS
//     and SCAN short-circuit a bare "*" themselves, and should keep doing so).
//   - nocase folds ASCII A-Z only (the C locale). An escaped byte inside a set is
//     compared case-sensitively even when nocase is set. For a range under nocase,
//     the bounds are ordered first and then lowercased, so "[A-z]" under nocase is
//     "a".."z" while "[Z-a]" under nocase matches nothing.
//   - Range bounds are compared as C `char` on the platforms Redis ships on (x86-64,
//     where char is signed): bytes 0x80..0xff count as -128..-1, so they sort below
//     the ASCII bytes in a range.
//   - Redis gives up (no match) once its '*' recursion nests past 1000 levels; with
//     this matcher that is: a pattern whose 1001st group of stars is followed by
//     anything else never matches.
//
// Matching is iterative (the "backtrack to the last star" method), so it takes at
// most O(len(pattern) * len(str)) steps whatever the pattern; "*a*a*a...*b" against
// a long run of "a" stays fast.

export type GlobMatcher = (str: string) => boolean;

const TOK_STAR = 0;
const TOK_ANY = 1;
const TOK_LIT = 2;
const TOK_SET = 3;

const CH_STAR = 42; // *
const CH_QMARK = 63; // ?
const CH_LBRACKET = 91; // [
const CH_RBRACKET = 93; // ]
const CH_BACKSLASH = 92; // \
const CH_CARET = 94; // ^
const CH_DASH = 45; // -

/** Star groups Redis can go through before its nesting guard gives up. */
const MAX_STAR_GROUPS = 1000;

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte read as a C `char` on a signed-char platform. */
function signedChar(c: number): number {
  return c >= 128 ? c - 256 : c;
}

function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

interface Compiled {
  kinds: Uint8Array;
  /** TOK_LIT: the byte (lowercased when nocase). */
  codes: Int32Array;
  /** TOK_SET: 256 entries, 1 = byte is accepted. */
  sets: Array<Uint8Array | null>;
  count: number;
}

type SetItem =
  | { kind: 'esc'; c: number }
  | { kind: 'lit'; c: number }
  | { kind: 'range'; lo: number; hi: number };

function buildSetTable(items: SetItem[], negate: boolean, nocase: boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    let hit = false;
    for (const it of items) {
      if (it.kind === 'esc') {
        if (b === it.c) hit = true;
      } else if (it.kind === 'lit') {
        if (nocase ? lower(b) === lower(it.c) : b === it.c) hit = true;
      } else {
        let lo = signedChar(it.lo);
        let hi = signedChar(it.hi);
        if (lo > hi) {
          const t = lo;
          lo = hi;
          hi = t;
        }
        let c = signedChar(b);
        if (nocase) {
          lo = lower(lo);
          hi = lower(hi);
          c = lower(c);
        }
        if (c >= lo && c <= hi) hit = true;
      }
      if (hit) break;
    }
    table[b] = hit !== negate ? 1 : 0;
  }
  return table;
}

function compile(pattern: string, nocase: boolean): Compiled {
  const n = pattern.length;
  const kinds: number[] = [];
  const codes: number[] = [];
  const sets: Array<Uint8Array | null> = [];
  const push = (k: number, code: number, set: Uint8Array | null): void => {
    kinds.push(k);
    codes.push(code);
    sets.push(set);
  };
  let i = 0;
  while (i < n) {
    const c = pattern.charCodeAt(i);
    if (c === CH_STAR) {
      if (kinds.length === 0 || kinds[kinds.length - 1] !== TOK_STAR) push(TOK_STAR, 0, null);
      i++;
    } else if (c === CH_QMARK) {
      push(TOK_ANY, 0, null);
      i++;
    } else if (c === CH_LBRACKET) {
      let j = i + 1;
      const negate = j < n && pattern.charCodeAt(j) === CH_CARET;
      if (negate) j++;
      const items: SetItem[] = [];
      for (;;) {
        if (j >= n) break; // unterminated: the set runs to the end of the pattern
        const d = pattern.charCodeAt(j);
        if (d === CH_BACKSLASH && j + 1 < n) {
          items.push({ kind: 'esc', c: pattern.charCodeAt(j + 1) });
          j += 2;
        } else if (d === CH_RBRACKET) {
          j++;
          break;
        } else if (j + 2 < n && pattern.charCodeAt(j + 1) === CH_DASH) {
          items.push({ kind: 'range', lo: d, hi: pattern.charCodeAt(j + 2) });
          j += 3;
        } else {
          items.push({ kind: 'lit', c: d });
          j++;
        }
      }
      push(TOK_SET, 0, buildSetTable(items, negate, nocase));
      i = j;
    } else {
      let lit = c;
      if (c === CH_BACKSLASH && i + 1 < n) {
        lit = pattern.charCodeAt(i + 1);
        i += 2;
      } else {
        i++;
      }
      push(TOK_LIT, nocase ? lower(lit) : lit, null);
    }
  }
  return {
    kinds: Uint8Array.from(kinds),
    codes: Int32Array.from(codes),
    sets,
    count: kinds.length,
  };
}

/** The general matcher over compiled tokens (subject is non-empty). */
function matchTokens(t: Compiled, nocase: boolean, s: string): boolean {
  const { kinds, codes, sets, count } = t;
  const n = s.length;
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < n) {
    if (p < count) {
      const k = kinds[p];
      if (k === TOK_STAR) {
        starP = p;
        starI = i;
        p++;
        continue;
      }
      let ok: boolean;
      if (k === TOK_ANY) {
        ok = true;
      } else if (k === TOK_LIT) {
        const c = s.charCodeAt(i);
        ok = (nocase ? lower(c) : c) === codes[p];
      } else {
        ok = (sets[p] as Uint8Array)[s.charCodeAt(i)] === 1;
      }
      if (ok) {
        p++;
        i++;
        continue;
      }
    }
    if (starP < 0) return false;
    // Let the last star swallow one more byte and retry what follows it.
    starI++;
    i = starI;
    p = starP + 1;
  }
  while (p < count && kinds[p] === TOK_STAR) p++;
  return p === count;
}

/** Text of a run of literal tokens [from, to). */
function literalText(t: Compiled, from: number, to: number): string {
  let out = '';
  for (let k = from; k < to; k++) out += String.fromCharCode(t.codes[k] as number);
  return out;
}

export function compileGlob(pattern: string, nocase = false): GlobMatcher {
  if (pattern.length === 0) return (s) => s.length === 0;
  const t = compile(pattern, nocase);
  const { kinds, count } = t;

  let stars = 0;
  let lastStar = -1;
  let allLiteral = true;
  for (let k = 0; k < count; k++) {
    const kind = kinds[k];
    if (kind === TOK_STAR) {
      stars++;
      lastStar = k;
      // Redis's nesting guard: the 1001st star group followed by more pattern.
      if (stars > MAX_STAR_GROUPS && k < count - 1) return () => false;
    } else if (kind !== TOK_LIT) {
      allLiteral = false;
    }
  }

  // Fast paths: only stars and literals, with the stars at the ends.
  if (allLiteral) {
    const fold = nocase ? asciiLower : (s: string): string => s;
    if (stars === 0) {
      const lit = literalText(t, 0, count);
      return nocase ? (s) => s.length === lit.length && fold(s) === lit : (s) => s === lit;
    }
    const leading = kinds[0] === TOK_STAR;
    const trailing = lastStar === count - 1;
    if (count === 1) return (s) => s.length > 0; // "*"
    if (stars === 1 && trailing) {
      const lit = literalText(t, 0, count - 1);
      return (s) => s.length >= lit.length && fold(s.slice(0, lit.length)) === lit;
    }
    if (stars === 1 && leading) {
      const lit = literalText(t, 1, count);
      return (s) => s.length >= lit.length && fold(s.slice(s.length - lit.length)) === lit;
    }
    if (stars === 2 && leading && trailing) {
      const lit = literalText(t, 1, count - 1);
      return (s) => s.length >= lit.length && fold(s).includes(lit);
    }
  }

  return (s) => (s.length === 0 ? false : matchTokens(t, nocase, s));
}

const CACHE_LIMIT = 256;
const CACHEABLE_PATTERN_LENGTH = 1024;
const cache = new Map<string, GlobMatcher>();

export function globMatch(pattern: string, str: string, nocase = false): boolean {
  if (pattern.length > CACHEABLE_PATTERN_LENGTH) return compileGlob(pattern, nocase)(str);
  const key = (nocase ? '1' : '0') + pattern;
  let m = cache.get(key);
  if (m === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    m = compileGlob(pattern, nocase);
    cache.set(key, m);
  }
  return m(str);
}
