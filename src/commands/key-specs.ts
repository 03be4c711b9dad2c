// Key positions from Redis 7 key specs: the evaluation of begin_search /
// find_keys over an argument vector, the legacy (first, last, step) triple and
// the movablekeys flag Redis derives from the specs, and the few key-extraction
// procedures Redis keeps for commands whose specs cannot say everything
// (unknown or incomplete specs, flags that depend on other arguments, a numkeys
// argument that is not a valid count). Table-level code: imports no server.

import type { KeySpec, KeySpecFlag } from './docs/types.js';

/** One key argument: its argv index and the flags of the key spec that found it. */
export interface KeyRef {
  pos: number;
  flags: readonly KeySpecFlag[];
}

/** A key-extraction procedure (Redis's getkeys_proc) over the full argv. */
export type GetKeysProc = (argv: readonly string[]) => KeyRef[];

/** Order of key-spec flags in replies (Redis's table order). */
export const KEY_SPEC_FLAG_ORDER: readonly KeySpecFlag[] = ['RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags'];

const NO_FLAGS: readonly KeySpecFlag[] = [];

function eqi(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b;
}

/** Redis's string2ll: an exact decimal integer (no spaces, no '+', no leading zeros). */
function strictInt(s: string): number | null {
  if (!/^(-?[1-9][0-9]*|0)$/.test(s) || s.length > 20) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** C's atoi: optional leading spaces and sign, then the digits up to the first non-digit (0 when none). */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  if (m === null) return 0;
  const n = Number(m[1]);
  return Number.isFinite(n) ? Math.max(-2147483648, Math.min(2147483647, n)) : 0;
}

/**
 * The keys the specs find in argv (index 0 is the command name), in spec order;
 * null when a spec cannot be evaluated (unknown, incomplete, a numkeys argument
 * that is not a count, positions out of range). Specs flagged not_key are skipped.
 */
export function keysFromSpecs(specs: readonly KeySpec[], argv: readonly string[]): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const ks of specs) {
    if (ks.flags.includes('not_key')) continue;
    let first = 0;
    const bs = ks.begin_search;
    if (bs.type === 'index') first = bs.spec.index;
    else if (bs.type === 'keyword') {
      const { keyword, startfrom } = bs.spec;
      const kw = keyword.toLowerCase();
      if (startfrom > 0) {
        for (let i = startfrom; i < argc - 1; i++) {
          if (eqi(argv[i], kw)) {
            first = i + 1;
            break;
          }
        }
      } else {
        for (let i = argc + startfrom; i > 1 && i < argc; i--) {
          if (eqi(argv[i], kw)) {
            first = i + 1;
            break;
          }
        }
      }
      if (first === 0) continue; // keyword absent: this spec has no keys here
    } else return null;

    let last: number;
    let step: number;
    const fk = ks.find_keys;
    if (fk.type === 'range') {
      step = fk.spec.keystep;
      const { lastkey, limit } = fk.spec;
      if (lastkey >= 0) last = first + lastkey;
      else if (limit === 0) last = argc + lastkey;
      else last = first + (Math.trunc((argc - first) / limit) + lastkey);
    } else if (fk.type === 'keynum') {
      step = fk.spec.keystep;
      const at = first + fk.spec.keynumidx;
      if (at >= argc) return null;
      const n = strictInt(argv[at]);
      if (n === null || n < 0) return null;
      first += fk.spec.firstkey;
      last = first + n - 1;
    } else return null;

    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags: ks.flags });
    if (ks.flags.includes('incomplete')) return null;
  }
  return out;
}

/** The legacy triple and movablekeys, derived from the specs as Redis derives them. */
export interface LegacyRange {
  firstKey: number;
  lastKey: number;
  step: number;
  movable: boolean;
}

export function legacyRange(specs: readonly KeySpec[]): LegacyRange {
  if (specs.length === 0) return { firstKey: 0, lastKey: 0, step: 0, movable: false };
  const plain = (ks: KeySpec): ks is KeySpec & { begin_search: { type: 'index' }; find_keys: { type: 'range' } } =>
    ks.begin_search.type === 'index' && ks.find_keys.type === 'range';
  if (specs.length === 1 && plain(specs[0])) {
    const ks = specs[0];
    const pos = ks.begin_search.spec.index;
    const lk = ks.find_keys.spec.lastkey;
    return { firstKey: pos, lastKey: lk >= 0 ? pos + lk : lk, step: ks.find_keys.spec.keystep, movable: ks.flags.includes('incomplete') };
  }
  let movable = false;
  let first = Infinity;
  let last = 0; // absolute; negative means counted from the end (beyond any positive)
  let prevLast = 0;
  const later = (a: number, b: number): boolean => (a < 0 ? (b < 0 ? a > b : true) : b >= 0 && a > b);
  for (const ks of specs) {
    if (!plain(ks)) {
      movable = true;
      continue;
    }
    const pos = ks.begin_search.spec.index;
    if (ks.find_keys.spec.keystep !== 1 || (prevLast !== 0 && prevLast !== pos - 1)) {
      movable = true;
      continue;
    }
    if (ks.flags.includes('incomplete')) movable = true;
    first = Math.min(first, pos);
    const lk = ks.find_keys.spec.lastkey;
    const abs = lk >= 0 ? lk + pos : lk;
    if (later(abs, last)) last = abs;
    prevLast = last;
  }
  if (first === Infinity) return { firstKey: 0, lastKey: 0, step: 0, movable: true };
  return { firstKey: first, lastKey: last, step: 1, movable };
}

// ---- key-extraction procedures ---------------------------------------------------------

const RO_ACCESS: readonly KeySpecFlag[] = ['RO', 'access'];
const OW_UPDATE: readonly KeySpecFlag[] = ['OW', 'update'];
const RW_ACCESS_UPDATE: readonly KeySpecFlag[] = ['RW', 'access', 'update'];

/** SORT: the sorted key, and the destination of the last STORE (skipping LIMIT/GET/BY operands). */
function sortKeys(argv: readonly string[]): KeyRef[] {
  const out: KeyRef[] = [{ pos: 1, flags: RO_ACCESS }];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (eqi(a, 'limit')) i += 2;
    else if (eqi(a, 'get') || eqi(a, 'by')) i += 1;
    else if (eqi(a, 'store') && i + 1 < argv.length) store = i + 1;
  }
  if (store !== -1) out.push({ pos: store, flags: OW_UPDATE });
  return out;
}

/** SET: RW+access when GET is given (from the third argument on), else OW. */
function setKeys(argv: readonly string[]): KeyRef[] {
  for (let i = 3; i < argv.length; i++) if (eqi(argv[i], 'get')) return [{ pos: 1, flags: RW_ACCESS_UPDATE }];
  return [{ pos: 1, flags: OW_UPDATE }];
}

/** BITFIELD: read-only when every operation is a GET (or OVERFLOW), else RW. */
function bitfieldKeys(argv: readonly string[]): KeyRef[] {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const rest = argv.length - i - 1;
    const a = argv[i];
    if (eqi(a, 'get') && rest >= 2) i += 2;
    else if ((eqi(a, 'set') || eqi(a, 'incrby')) && rest >= 3) {
      readonly = false;
      break;
    } else if (eqi(a, 'overflow') && rest >= 1) i += 1;
    else {
      readonly = false;
      break;
    }
  }
  return [{ pos: 1, flags: readonly ? RO_ACCESS : RW_ACCESS_UPDATE }];
}

const RW_ACCESS_DELETE: readonly KeySpecFlag[] = ['RW', 'access', 'delete'];

/**
 * MIGRATE: the key argument, or with KEYS every argument after it (skipping the
 * operands of AUTH and AUTH2 on the way, as Redis's migrateGetKeys does). KEYS with
 * a non-empty key argument has no keys (the command refuses it).
 */
function migrateKeys(argv: readonly string[]): KeyRef[] {
  let first = 3;
  let num = 1;
  for (let i = 6; i < argv.length; i++) {
    const a = argv[i];
    if (eqi(a, 'keys')) {
      if (argv[3].length > 0) return [];
      first = i + 1;
      num = argv.length - first;
      break;
    }
    if (eqi(a, 'auth')) i += 1;
    else if (eqi(a, 'auth2')) i += 2;
  }
  const out: KeyRef[] = [];
  for (let k = 0; k < num; k++) out.push({ pos: first + k, flags: RW_ACCESS_DELETE });
  return out;
}

/** Redis's procedures for the commands whose specs are not enough, by full name. */
const PROCS: Readonly<Record<string, GetKeysProc>> = {
  sort: sortKeys,
  sort_ro: (argv) => [{ pos: 1, flags: RO_ACCESS }],
  set: setKeys,
  bitfield: bitfieldKeys,
  migrate: migrateKeys,
};

/**
 * The fallback of a numkeys command when its count is not a valid one for the
 * specs (Redis's generic getkeys: an atoi count, keys then the destination,
 * no flags; nothing when the count is out of range).
 */
function numkeysFallback(specs: readonly KeySpec[]): GetKeysProc | undefined {
  const i = specs.findIndex((ks) => ks.find_keys.type === 'keynum');
  if (i < 0) return undefined;
  const ks = specs[i];
  if (ks.begin_search.type !== 'index' || ks.find_keys.type !== 'keynum') return undefined;
  const countAt = ks.begin_search.spec.index + ks.find_keys.spec.keynumidx;
  const firstAt = ks.begin_search.spec.index + ks.find_keys.spec.firstkey;
  const step = ks.find_keys.spec.keystep;
  const prev = i > 0 ? specs[i - 1] : undefined;
  const store = prev !== undefined && prev.begin_search.type === 'index' ? prev.begin_search.spec.index : 0;
  return (argv) => {
    if (countAt >= argv.length) return [];
    const n = atoi(argv[countAt]);
    if (n < 1 || n > Math.trunc((argv.length - firstAt) / step)) return [];
    const out: KeyRef[] = [];
    for (let k = 0; k < n; k++) out.push({ pos: firstAt + k * step, flags: NO_FLAGS });
    if (store > 0) out.push({ pos: store, flags: NO_FLAGS });
    return out;
  };
}

/** How the keys of one command are found (computed once per spec). */
export interface KeyInfo {
  specs: readonly KeySpec[];
  legacy: LegacyRange;
  /** The specs are tried first (some spec is a real key and none has variable flags). */
  useSpecs: boolean;
  /** The procedure used when the specs are not used or cannot be evaluated. */
  proc: GetKeysProc | undefined;
  /** Redis's doesCommandHaveKeys: a procedure, or a spec that is not not_key. */
  hasKeys: boolean;
}

export function keyInfo(fullName: string, specs: readonly KeySpec[]): KeyInfo {
  const someKey = specs.some((ks) => !ks.flags.includes('not_key'));
  const variable = specs.some((ks) => ks.flags.includes('variable_flags'));
  const proc = PROCS[fullName] ?? numkeysFallback(specs);
  return { specs, legacy: legacyRange(specs), useSpecs: someKey && !variable, proc, hasKeys: someKey || proc !== undefined };
}

/** The keys of an invocation (Redis's getKeysFromCommandWithSpecs). */
export function keysOf(info: KeyInfo, argv: readonly string[]): KeyRef[] {
  if (info.useSpecs) {
    const r = keysFromSpecs(info.specs, argv);
    if (r !== null) return r;
  }
  return info.proc !== undefined ? info.proc(argv) : [];
}
