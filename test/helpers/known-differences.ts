/**
 * Known, legitimate differences between the reference binary (Redis 7.0,
 * Debian's redis-server) and our target (Redis 7.2).
 *
 * `DiffPair.check` consults this table only when the two replies differ:
 * - an entry with `transform` rewrites both replies (same function for both
 *   sides) and the comparison is repeated;
 * - an entry without `transform` accepts our reply as the 7.2 behaviour
 *   (optionally validated by `oursOk`);
 * - when no single entry explains the difference, every matching entry with a
 *   `transform` is applied in turn (each is recorded when that explains it).
 * Each application is recorded so tests can print what was waived.
 */
import type { Reply } from '../../src/protocol/resp-client.js';

export type Side = 'ours' | 'theirs';

export interface KnownDifference {
  /** Short stable identifier. */
  id: string;
  /** Command name(s), upper case; "OBJECT ENCODING" style names also match the subcommand. */
  command: string | readonly string[];
  /** One sentence: why the replies legitimately differ. */
  reason: string;
  /** Restrict the entry further (default: applies to every invocation of the command). */
  when?: (cmd: readonly string[], ours: Reply, theirs: Reply) => boolean;
  /** Rewrite a reply (applied to both sides) before comparing again. */
  transform?: (reply: Reply, cmd: readonly string[], side: Side) => Reply;
  /** For accept-entries (no transform): sanity check of our reply. */
  oursOk?: (ours: Reply, cmd: readonly string[]) => boolean;
}

// ---------------------------------------------------------------------------
// Reusable transforms
// ---------------------------------------------------------------------------

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Canonical text of a decimal/inf/nan string, or null when it is not one. */
export function canonicalDoubleText(s: string): string | null {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return 'inf';
  if (l === '-inf' || l === '-infinity') return '-inf';
  if (l === 'nan' || l === '-nan') return 'nan';
  if (!DECIMAL_RE.test(s)) return null;
  const n = Number(s);
  if (!Number.isFinite(n)) return null;
  // JS gives the shortest round-trip representation; -0 and 0 compare equal.
  return n === 0 ? '0' : String(n);
}

/**
 * Replace every string leaf that is a decimal number (bulk, simple, RESP3
 * double) with its canonical value, so that "1.1" and "1.1000000000000001"
 * (the same double) compare equal.
 */
export function canonicalizeDoubles(r: Reply): Reply {
  switch (r.t) {
    case 'bulk':
    case 'simple': {
      if (r.v === null) return r;
      const c = canonicalDoubleText(r.v);
      return c === null || c === r.v ? r : { t: r.t, v: c };
    }
    case 'double': {
      const c = canonicalDoubleText(r.v);
      return c === null ? r : { t: 'double', v: c };
    }
    case 'array':
      return r.v === null ? r : { t: 'array', v: r.v.map(canonicalizeDoubles) };
    case 'set':
      return { t: 'set', v: r.v.map(canonicalizeDoubles) };
    case 'push':
      return { t: 'push', v: r.v.map(canonicalizeDoubles) };
    case 'map':
      return { t: 'map', v: r.v.map(([k, v]) => [k, canonicalizeDoubles(v)] as [Reply, Reply]) };
    default:
      return r;
  }
}

function keyText(r: Reply): string | null {
  if (r.t === 'bulk' || r.t === 'simple' || r.t === 'verbatim') return r.v;
  return null;
}

/**
 * Recursively drop the named fields from maps and from RESP2 flat
 * field/value arrays (even length, string keys at even positions).
 */
export function dropFields(r: Reply, names: ReadonlySet<string>): Reply {
  switch (r.t) {
    case 'map':
      return {
        t: 'map',
        v: r.v
          .filter(([k]) => {
            const kt = keyText(k);
            return kt === null || !names.has(kt);
          })
          .map(([k, v]) => [k, dropFields(v, names)] as [Reply, Reply]),
      };
    case 'array': {
      if (r.v === null) return r;
      const items = r.v;
      const flat = items.length % 2 === 0 && items.every((x, i) => i % 2 === 1 || keyText(x) !== null);
      if (flat && items.some((x, i) => i % 2 === 0 && names.has(keyText(x) ?? ''))) {
        const out: Reply[] = [];
        for (let i = 0; i < items.length; i += 2) {
          if (names.has(keyText(items[i]!) ?? '')) continue;
          out.push(items[i]!, dropFields(items[i + 1]!, names));
        }
        return { t: 'array', v: out };
      }
      return { t: 'array', v: items.map((x) => dropFields(x, names)) };
    }
    case 'set':
      return { t: 'set', v: r.v.map((x) => dropFields(x, names)) };
    case 'push':
      return { t: 'push', v: r.v.map((x) => dropFields(x, names)) };
    default:
      return r;
  }
}

/** Replace the values of the named fields (maps and flat arrays, top level only). */
export function maskFields(r: Reply, names: ReadonlySet<string>, mask = '<masked>'): Reply {
  const m: Reply = { t: 'bulk', v: mask };
  if (r.t === 'map') {
    return { t: 'map', v: r.v.map(([k, v]) => [k, names.has(keyText(k) ?? '') ? m : v] as [Reply, Reply]) };
  }
  if (r.t === 'array' && r.v !== null) {
    const items = r.v;
    return { t: 'array', v: items.map((x, i) => (i % 2 === 1 && names.has(keyText(items[i - 1]!) ?? '') ? m : x)) };
  }
  return r;
}

function mapStrings(r: Reply, f: (s: string) => string): Reply {
  switch (r.t) {
    case 'bulk':
      return r.v === null ? r : { t: 'bulk', v: f(r.v) };
    case 'simple':
      return { t: 'simple', v: f(r.v) };
    case 'verbatim':
      return { t: 'verbatim', format: r.format, v: f(r.v) };
    case 'array':
      return r.v === null ? r : { t: 'array', v: r.v.map((x) => mapStrings(x, f)) };
    default:
      return r;
  }
}

// ---- COMMAND INFO / COMMAND DOCS replies ---------------------------------------------

function entryName(r: Reply | undefined): string | null {
  return r !== undefined && (r.t === 'bulk' || r.t === 'simple') ? r.v : null;
}

/**
 * Rewrites the entries of a COMMAND INFO reply (top level and subcommands):
 * `f` gets the full name and the 10-element entry, returns a new entry or null
 * (a top-level entry becomes a nil reply, a subcommand is dropped).
 */
export function mapCommandInfo(r: Reply, f: (name: string, entry: Reply[]) => Reply[] | null): Reply {
  const NIL: Reply = { t: 'null' };
  const one = (e: Reply, top: boolean): Reply | null => {
    if ((e.t === 'bulk' || e.t === 'array') && e.v === null) return NIL; // unknown command (RESP2 nil)
    if (e.t !== 'array' || e.v === null || e.v.length !== 10) return e;
    const name = entryName(e.v[0]);
    if (name === null) return e;
    const v = f(name, e.v.slice());
    if (v === null) return top ? NIL : null;
    const subs = v[9]!;
    if ((subs.t === 'array' && subs.v !== null) || subs.t === 'set') {
      const items = (subs.v as Reply[]).map((x) => one(x, false)).filter((x): x is Reply => x !== null);
      v[9] = { t: subs.t, v: items } as Reply;
    }
    return { t: 'array', v };
  };
  if (r.t !== 'array' || r.v === null) return r;
  return { t: 'array', v: r.v.map((e) => one(e, true)!) };
}

/** [field, value] pairs of a map or of a RESP2 flat array; null for other replies. */
function pairsOf(r: Reply): Array<[Reply, Reply]> | null {
  if (r.t === 'map') return r.v;
  if (r.t === 'array' && r.v !== null && r.v.length % 2 === 0) {
    const out: Array<[Reply, Reply]> = [];
    for (let i = 0; i < r.v.length; i += 2) out.push([r.v[i]!, r.v[i + 1]!]);
    return out;
  }
  return null;
}

function fromPairs(like: Reply, pairs: Array<[Reply, Reply]>): Reply {
  return like.t === 'map' ? { t: 'map', v: pairs } : { t: 'array', v: pairs.flat() };
}

/**
 * Rewrites the per-command documents of a COMMAND DOCS reply (and of their
 * subcommands): `f` gets the full name and the document's [field, value] pairs,
 * returns new pairs or null to drop the command.
 */
export function mapCommandDocs(r: Reply, f: (name: string, fields: Array<[Reply, Reply]>) => Array<[Reply, Reply]> | null): Reply {
  const top = pairsOf(r);
  if (top === null) return r;
  const out: Array<[Reply, Reply]> = [];
  for (const [k, doc] of top) {
    const name = entryName(k);
    const fields = pairsOf(doc);
    if (name === null || fields === null) {
      out.push([k, doc]);
      continue;
    }
    const nf = f(name, fields.slice());
    if (nf === null) continue;
    const mapped = nf.map(([fk, fv]) => (entryName(fk) === 'subcommands' ? ([fk, mapCommandDocs(fv, f)] as [Reply, Reply]) : ([fk, fv] as [Reply, Reply])));
    out.push([k, fromPairs(doc, mapped)]);
  }
  return fromPairs(r, out);
}

/** Replaces (or drops, with null) the value of a COMMAND DOCS field. */
function setDocField(fields: Array<[Reply, Reply]>, field: string, f: (v: Reply) => Reply | null): Array<[Reply, Reply]> {
  const out: Array<[Reply, Reply]> = [];
  for (const [k, v] of fields) {
    if (entryName(k) !== field) out.push([k, v]);
    else {
      const nv = f(v);
      if (nv !== null) out.push([k, nv]);
    }
  }
  return out;
}

const COMMANDS_NEW_IN_72 = new Set(['waitaof', 'client|setinfo', 'client|no-touch', 'cluster|myshardid']);
/** Cinnabar's atomic slot migration subcommands (beyond Redis 7.2, Valkey 9's shape). */
const CINNABAR_SLOT_MIGRATION = new Set(['cluster|migrateslots', 'cluster|cancelslotmigrations', 'cluster|getslotmigrations', 'cluster|syncslots']);
const COMPLEXITY_REWORDED_IN_72 = new Set(['hscan', 'sscan', 'zscan', 'zrandmember', 'zunionstore']);

/** Drops the WITHSCORE argument and the 7.2.0 history entry from a ZRANK/ZREVRANK document. */
function dropWithscore(fields: Array<[Reply, Reply]>): Array<[Reply, Reply]> {
  const list = (v: Reply): Reply[] | null => (v.t === 'array' || v.t === 'set' ? (v.v as Reply[] | null) : null);
  let out = setDocField(fields, 'arguments', (v) => {
    const items = list(v);
    if (items === null) return v;
    return { t: 'array', v: items.filter((a) => !(pairsOf(a) ?? []).some(([k, x]) => entryName(k) === 'name' && entryName(x) === 'withscore')) };
  });
  out = setDocField(out, 'history', (v) => {
    const items = list(v);
    if (items === null) return v;
    const kept = items.filter((h) => !(h.t === 'array' && h.v !== null && entryName(h.v[0]) === '7.2.0'));
    return kept.length === 0 ? null : ({ t: v.t, v: kept } as Reply);
  });
  return out;
}

const hasArg = (cmd: readonly string[], word: string): boolean => cmd.some((a) => a.toUpperCase() === word);
const isErr = (r: Reply, prefix = ''): boolean => r.t === 'err' && r.v.startsWith(prefix);

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'zset-double-format',
    command: [
      'ZSCORE',
      'ZMSCORE',
      'ZINCRBY',
      'ZADD',
      'ZRANGE',
      'ZRANGEBYSCORE',
      'ZREVRANGE',
      'ZREVRANGEBYSCORE',
      'ZPOPMIN',
      'ZPOPMAX',
      'BZPOPMIN',
      'BZPOPMAX',
      'ZMPOP',
      'BZMPOP',
      'ZRANDMEMBER',
      'ZUNION',
      'ZINTER',
      'ZDIFF',
      'ZSCAN',
    ],
    reason:
      'Redis 7.2 formats double replies with the shortest round-trip representation while 7.0 uses %.17g ("1.1" vs "1.1000000000000001"), so scores are compared as parsed doubles.',
    transform: (r) => canonicalizeDoubles(r),
  },
  {
    id: 'zrank-withscore',
    command: ['ZRANK', 'ZREVRANK'],
    reason: 'The WITHSCORE option of ZRANK/ZREVRANK is new in Redis 7.2; 7.0 rejects it with an arity error.',
    when: (cmd, _ours, theirs) => hasArg(cmd, 'WITHSCORE') && isErr(theirs),
  },
  {
    id: 'client-setinfo-no-touch',
    command: ['CLIENT SETINFO', 'CLIENT NO-TOUCH'],
    reason: 'CLIENT SETINFO and CLIENT NO-TOUCH are new in Redis 7.2; 7.0 answers "unknown subcommand".',
    when: (_cmd, _ours, theirs) => isErr(theirs, 'ERR unknown subcommand'),
  },
  {
    id: 'waitaof',
    command: 'WAITAOF',
    reason: 'WAITAOF is new in Redis 7.2; 7.0 answers "unknown command".',
    when: (_cmd, _ours, theirs) => isErr(theirs, 'ERR unknown command'),
  },
  {
    id: 'object-encoding-set-listpack',
    command: 'OBJECT ENCODING',
    reason: 'Redis 7.2 stores small sets of non-integer members as listpack where 7.0 uses hashtable.',
    when: (_cmd, ours, theirs) =>
      ours.t === 'bulk' && ours.v === 'listpack' && theirs.t === 'bulk' && theirs.v === 'hashtable',
  },
  {
    id: 'config-get-72-params',
    command: 'CONFIG GET',
    reason: 'Configuration parameters added in Redis 7.2 (set-max-listpack-*, locale-collate) are unknown to 7.0, which returns nothing for them.',
    when: (cmd, _ours, theirs) =>
      cmd.slice(2).some((p) => /^(set-max-listpack-entries|set-max-listpack-value|locale-collate)$/i.test(p)) &&
      ((theirs.t === 'array' && theirs.v !== null && theirs.v.length === 0) || (theirs.t === 'map' && theirs.v.length === 0)),
  },
  {
    id: 'hello-version-id',
    command: 'HELLO',
    reason: 'HELLO reports the server version (7.0.x vs 7.2.x) and a connection id that depends on connection history.',
    transform: (r) => maskFields(r, new Set(['version', 'id'])),
  },
  {
    id: 'xinfo-consumers-inactive',
    command: ['XINFO CONSUMERS', 'XINFO STREAM'],
    reason: 'Redis 7.2 adds the consumer fields "inactive" (XINFO CONSUMERS) and "active-time" (XINFO STREAM FULL).',
    transform: (r) => dropFields(r, new Set(['inactive', 'active-time'])),
  },
  {
    id: 'acl-log-72-fields',
    command: 'ACL LOG',
    reason: 'Redis 7.2 adds entry-id, timestamp-created and timestamp-last-updated to ACL LOG entries.',
    transform: (r) => dropFields(r, new Set(['entry-id', 'timestamp-created', 'timestamp-last-updated'])),
  },
  {
    id: 'command-72-new-commands',
    command: ['COMMAND', 'COMMAND INFO', 'COMMAND DOCS'],
    reason: 'WAITAOF, CLIENT SETINFO, CLIENT NO-TOUCH and CLUSTER MYSHARDID are new in Redis 7.2: 7.0 has no COMMAND INFO / DOCS entry for them.',
    transform: (r, cmd) =>
      (cmd[1] ?? '').toUpperCase() === 'DOCS'
        ? mapCommandDocs(r, (name, f) => (COMMANDS_NEW_IN_72.has(name) ? null : f))
        : mapCommandInfo(r, (name, e) => (COMMANDS_NEW_IN_72.has(name) ? null : e)),
  },
  {
    id: 'command-getkeys-arity',
    command: ['COMMAND GETKEYS', 'COMMAND GETKEYSANDFLAGS'],
    reason: 'Redis 7.2 gives COMMAND GETKEYS/GETKEYSANDFLAGS arity -3 (7.0: -4), so a bare command name reaches the "no key arguments" check.',
    when: (cmd, ours, theirs) => cmd.length === 3 && isErr(theirs, 'ERR wrong number of arguments') && isErr(ours),
  },
  {
    id: 'command-getkeys-arity-info',
    command: ['COMMAND', 'COMMAND INFO'],
    reason: 'Redis 7.2 gives COMMAND GETKEYS and GETKEYSANDFLAGS arity -3 (7.0: -4).',
    transform: (r) =>
      mapCommandInfo(r, (name, e) => {
        if (name === 'command|getkeys' || name === 'command|getkeysandflags') e[1] = { t: 'int', v: 0n };
        return e;
      }),
  },
  {
    id: 'zrank-withscore-docs',
    command: ['COMMAND', 'COMMAND INFO', 'COMMAND DOCS'],
    reason: 'ZRANK/ZREVRANK gained WITHSCORE in Redis 7.2: arity -3 (7.0: 3), a withscore argument and a 7.2.0 history entry.',
    transform: (r, cmd) =>
      (cmd[1] ?? '').toUpperCase() === 'DOCS'
        ? mapCommandDocs(r, (name, f) => (name === 'zrank' || name === 'zrevrank' ? dropWithscore(f) : f))
        : mapCommandInfo(r, (name, e) => {
            if (name === 'zrank' || name === 'zrevrank') e[1] = { t: 'int', v: 0n };
            return e;
          }),
  },
  {
    id: 'command-docs-display-text',
    command: 'COMMAND DOCS',
    reason: 'Redis 7.2 reports a display_text for the arguments of COMMAND DOCS; 7.0 has no such field.',
    transform: (r) => dropFields(r, new Set(['display_text'])),
  },
  {
    id: 'command-docs-summary-72',
    command: 'COMMAND DOCS',
    reason: 'Redis 7.2 rewrote the command summaries ("Get the value of a key" became "Returns the string value of a key.").',
    transform: (r) => mapCommandDocs(r, (_name, f) => setDocField(f, 'summary', () => ({ t: 'bulk', v: '<summary>' }))),
  },
  {
    id: 'command-docs-complexity-72',
    command: 'COMMAND DOCS',
    reason: 'Redis 7.2 reworded the complexity of HSCAN/SSCAN/ZSCAN (a doubled period), ZRANDMEMBER ("members returned") and ZUNIONSTORE ("M*log(M)").',
    transform: (r) =>
      mapCommandDocs(r, (name, f) => (COMPLEXITY_REWORDED_IN_72.has(name) ? setDocField(f, 'complexity', () => ({ t: 'bulk', v: '<complexity>' })) : f)),
  },
  {
    id: 'hello-noauth-proto',
    command: 'HELLO',
    reason: 'Redis 7.2 says "HELLO <proto> AUTH <user> <pass>" in the NOAUTH error of HELLO without AUTH; 7.0 says "HELLO AUTH <user> <pass>".',
    transform: (r) => (r.t === 'err' ? { t: 'err', v: r.v.replace('HELLO <proto> AUTH', 'HELLO AUTH') } : r),
  },
  {
    id: 'client-list-lib-fields',
    command: ['CLIENT LIST', 'CLIENT INFO'],
    reason: 'Redis 7.2 adds the lib-name= and lib-ver= fields to CLIENT LIST / CLIENT INFO lines.',
    transform: (r) => mapStrings(r, (s) => s.replace(/ lib-name=\S*| lib-ver=\S*/g, '')),
  },
  {
    id: 'migrate-in-exec',
    command: 'EXEC',
    reason:
      'MIGRATE waits for its target without blocking the event loop (src/cluster/migrate.ts); a client inside EXEC or a script cannot wait, so Cinnabar refuses MIGRATE there, where Redis blocks the whole server for the transfer.',
    when: (_cmd, ours) => JSON.stringify(ours).includes('MIGRATE cannot run inside MULTI/EXEC'),
  },
  {
    id: 'acl-sanitize-payload',
    command: ['ACL LIST', 'ACL GETUSER'],
    reason:
      'Redis 7.2 creates users (the default user too) with the sanitize-payload flag, which ACL LIST and GETUSER show; 7.0 sets it only on an explicit sanitize-payload or reset rule. Compared without the flag (skip-sanitize-payload still counts).',
    transform: (r) => dropSanitizePayload(r),
  },
  {
    id: 'acl-dryrun-denial',
    command: 'ACL DRYRUN',
    reason: "Redis 7.2's ACL DRYRUN names the user ('User alice has no permissions to ...'); 7.0 writes 'This user has no permissions to ...'.",
    transform: (r, cmd, side) =>
      side === 'theirs' && r.t === 'bulk' && r.v !== null && r.v.startsWith('This user ') ? { t: 'bulk', v: `User ${cmd[2]} ${r.v.slice('This user '.length)}` } : r,
  },
  {
    id: 'script-double-72',
    command: ['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO'],
    reason:
      "A script's {double=...} reply and the numbers it passes to redis.call: Redis 7.0 prints them with %.17g (0.10000000000000001), Redis 7.2 with fpconv_dtoa, the shortest text that reads back the same (0.1).",
    transform: (r) => mapStrings(r, (s) => canonicalDoubleText(s) ?? s),
  },
  {
    id: 'cluster-help-myshardid',
    command: 'CLUSTER HELP',
    reason: 'CLUSTER MYSHARDID is new in Redis 7.2, with its two lines in CLUSTER HELP.',
    transform: (r) =>
      r.t === 'array' && r.v !== null
        ? { t: 'array', v: r.v.filter((l, i, all) => !(l.t === 'simple' && (l.v === 'MYSHARDID' || (i > 0 && all[i - 1].t === 'simple' && (all[i - 1] as { v: string }).v === 'MYSHARDID')))) }
        : r,
  },
  {
    id: 'cluster-myshardid',
    command: 'CLUSTER MYSHARDID',
    reason: 'CLUSTER MYSHARDID is new in Redis 7.2; 7.0 answers "unknown subcommand".',
    when: (_cmd, ours, theirs) => isErr(theirs, 'ERR unknown subcommand') && ours.t === 'bulk' && /^[0-9a-f]{40}$/.test(ours.v ?? ''),
  },
  {
    id: 'config-get-cluster-human-nodename',
    command: 'CONFIG GET',
    reason: 'The directive cluster-announce-human-nodename is new in Redis 7.2; 7.0 does not list it.',
    transform: (r) => dropFields(r, new Set(['cluster-announce-human-nodename'])),
  },
  {
    id: 'command-slot-migration',
    command: ['COMMAND', 'COMMAND INFO', 'COMMAND DOCS'],
    reason: "CLUSTER MIGRATESLOTS, CANCELSLOTMIGRATIONS, GETSLOTMIGRATIONS and SYNCSLOTS are Cinnabar's atomic slot migration (beyond Redis 7.2, as Valkey 9): Redis has no COMMAND INFO / DOCS entry for them.",
    transform: (r, cmd) =>
      (cmd[1] ?? '').toUpperCase() === 'DOCS'
        ? mapCommandDocs(r, (name, f) => (CINNABAR_SLOT_MIGRATION.has(name) ? null : f))
        : mapCommandInfo(r, (name, e) => (CINNABAR_SLOT_MIGRATION.has(name) ? null : e)),
  },
];

/** An ACL reply without the sanitize-payload flag: the token of a rule string, the element of a flags list. */
export function dropSanitizePayload(r: Reply): Reply {
  switch (r.t) {
    case 'bulk':
      return r.v === null ? r : { t: 'bulk', v: r.v.replace(/(^| )sanitize-payload(?= |$)/g, '') };
    case 'array':
      return r.v === null ? r : { t: 'array', v: r.v.filter((x) => !(x.t === 'bulk' && x.v === 'sanitize-payload')).map(dropSanitizePayload) };
    case 'set':
      return { t: 'set', v: r.v.filter((x) => !(x.t === 'bulk' && x.v === 'sanitize-payload')).map(dropSanitizePayload) };
    case 'map':
      return { t: 'map', v: r.v.map(([k, v]) => [k, dropSanitizePayload(v)] as [Reply, Reply]) };
    default:
      return r;
  }
}

/** Whether `entry` names the command `cmd` (name, or "NAME SUBCOMMAND"). */
export function matchesCommand(entry: KnownDifference, cmd: readonly string[]): boolean {
  const names = typeof entry.command === 'string' ? [entry.command] : entry.command;
  const c0 = (cmd[0] ?? '').toUpperCase();
  const c1 = (cmd[1] ?? '').toUpperCase();
  for (const n of names) {
    const sp = n.indexOf(' ');
    if (sp === -1) {
      if (n === c0) return true;
    } else if (n.slice(0, sp) === c0 && n.slice(sp + 1) === c1) {
      return true;
    }
  }
  return false;
}
