// The command table: one entry per command (and per subcommand), as data. Arity
// checks, COMMAND / COMMAND INFO / COMMAND DOCS / COMMAND GETKEYS, key extraction
// (cluster routing, ACL key patterns, proxy routing) and ACL categories are all
// derived from it.
//
// Arity follows Redis: a positive arity is the exact argument count including the
// command name; a negative one is a minimum. Key positions come from the Redis 7
// key specs of the command data (./docs/), attached to each spec by
// CommandTable.register under its full name ("get", "client|kill"), together with
// the argument schema of COMMAND DOCS and the channel positions of the pub/sub
// commands. The legacy (first, last, step) triple given to cmd() is what Redis
// reports too; COMMAND INFO derives it from the key specs, as Redis does.

import type { Handler } from './context.js';
import { commandData } from './docs/index.js';
import type { ChannelSpec, CommandData, KeySpec, KeySpecFlag } from './docs/types.js';
import { keyInfo, keysOf, type KeyInfo, type KeyRef } from './key-specs.js';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_multi'
  | 'allow_busy';

export type { Handler } from './context.js';

// Flag bits for the dispatcher's hot path (spec.fbits): testing a bit is cheaper
// than scanning the flags array on every command.
export const CMD_WRITE = 1 << 0;
export const CMD_DENYOOM = 1 << 1;
export const CMD_ADMIN = 1 << 2;
export const CMD_SKIP_MONITOR = 1 << 3;
export const CMD_SKIP_SLOWLOG = 1 << 4;
export const CMD_NO_AUTH = 1 << 5;
export const CMD_MAY_REPLICATE = 1 << 6;
export const CMD_NO_MULTI = 1 << 7;
export const CMD_STALE = 1 << 8;
export const CMD_NOSCRIPT = 1 << 9;
export const CMD_ALLOW_BUSY = 1 << 10;

const FLAG_BITS: Partial<Record<CommandFlag, number>> = {
  write: CMD_WRITE,
  denyoom: CMD_DENYOOM,
  admin: CMD_ADMIN,
  skip_monitor: CMD_SKIP_MONITOR,
  skip_slowlog: CMD_SKIP_SLOWLOG,
  no_auth: CMD_NO_AUTH,
  may_replicate: CMD_MAY_REPLICATE,
  no_multi: CMD_NO_MULTI,
  stale: CMD_STALE,
  noscript: CMD_NOSCRIPT,
  allow_busy: CMD_ALLOW_BUSY,
};

/** The CMD_* bits of a flag list. */
export function flagBits(flags: readonly CommandFlag[]): number {
  let b = 0;
  for (const f of flags) b |= FLAG_BITS[f] ?? 0;
  return b;
}

let nextSpecId = 0;

export interface CommandSpec {
  /** Lower-case name; for a subcommand, the subcommand's own name ("get" of CONFIG GET). */
  name: string;
  arity: number;
  flags: CommandFlag[];
  /** ACL categories without the '@' (the type category and e.g. 'fast', 'slow', 'dangerous'). */
  acl: string[];
  firstKey: number;
  lastKey: number;
  step: number;
  group: string;
  since: string;
  summary: string;
  complexity?: string;
  /** Command tips as COMMAND INFO reports them (e.g. 'nondeterministic_output'). */
  tips?: string[];
  handler?: Handler;
  subcommands?: CommandSpec[];
  /** CMD_* bits of `flags` (set by cmd() and CommandTable.register; see specBits). */
  fbits?: number;
  /** Small unique number, an index for per-server tables (command statistics). */
  sid?: number;
  /** "name" or "container|sub" (set by CommandTable.register). */
  fullName?: string;
  /** Key specs, argument schema, history, channels (attached by CommandTable.register). */
  data?: CommandData;
  /** How the keys are found, from the key specs (attached with `data`). */
  keyInfo?: KeyInfo;
}

/** The CMD_* bits of a spec, computed once. */
export function specBits(spec: CommandSpec): number {
  let b = spec.fbits;
  if (b === undefined) b = spec.fbits = flagBits(spec.flags);
  return b;
}

/** The spec's unique number, assigned on first use. */
export function specId(spec: CommandSpec): number {
  let id = spec.sid;
  if (id === undefined) id = spec.sid = nextSpecId++;
  return id;
}

/**
 * Shorthand to build a spec; key triple defaults to none. Every spec gets the
 * same object shape (absent options are present as undefined), so the
 * dispatcher's property loads on specs stay monomorphic.
 */
export function cmd(
  name: string,
  arity: number,
  flags: CommandFlag[],
  keys: [number, number, number],
  group: string,
  acl: string[],
  handler: Handler | undefined,
  extra: Partial<CommandSpec> = {},
): CommandSpec {
  const spec: CommandSpec = {
    name,
    arity,
    flags,
    acl,
    firstKey: keys[0],
    lastKey: keys[1],
    step: keys[2],
    group,
    since: '1.0.0',
    summary: '',
    complexity: undefined,
    tips: undefined,
    handler,
    subcommands: undefined,
    fbits: 0,
    sid: 0,
    fullName: undefined,
    data: undefined,
    keyInfo: undefined,
  };
  Object.assign(spec, extra);
  spec.fbits = flagBits(spec.flags);
  spec.sid = nextSpecId++;
  return spec;
}

/**
 * A server's command table: its own copy of every spec it serves, so that binding a
 * subsystem's handler (setHandler) changes this table only and two servers in one
 * process share nothing. The copies keep the spec's shape and its `sid`, so command
 * statistics and the dispatcher's property loads stay as they were.
 */
export class CommandTable {
  private byName = new Map<string, CommandSpec>();
  /** Lookups by the exact spelling clients send ("GET", "get", "Get") avoid lower-casing. */
  private cache = new Map<string, CommandSpec | null>();

  register(specs: readonly CommandSpec[]): void {
    for (const orig of specs) {
      if (this.byName.has(orig.name)) throw new Error(`duplicate command ${orig.name}`);
      const s: CommandSpec = { ...orig };
      specBits(s);
      specId(s);
      attachCommandData(s, s.name);
      if (orig.subcommands !== undefined) {
        s.subcommands = orig.subcommands.map((sub) => {
          const c: CommandSpec = { ...sub };
          specBits(c);
          specId(c);
          attachCommandData(c, `${s.name}|${c.name}`);
          return c;
        });
      }
      this.byName.set(s.name, s);
    }
    this.cache.clear();
  }

  /**
   * Binds the handler of a command (`name`, or `parent|sub`) in this table: a
   * subsystem supplies the handlers of the commands it implements. Throws on a
   * name the table does not have, so a typo cannot leave a command unbound.
   */
  setHandler(name: string, handler: Handler): void {
    const bar = name.indexOf('|');
    let spec = this.byName.get(bar < 0 ? name : name.slice(0, bar));
    if (spec !== undefined && bar >= 0) spec = findSubcommand(spec, name.slice(bar + 1));
    if (spec === undefined) throw new Error(`setHandler: no command ${name}`);
    spec.handler = handler;
  }

  /**
   * Provides the handler of `name` (or `parent|sub`) when this table serves that
   * command and has no handler for it yet: a subsystem binds the commands it
   * implements without overriding a table that brings its own (sentinel's ROLE).
   */
  provide(name: string, handler: Handler): void {
    const bar = name.indexOf('|');
    let spec = this.byName.get(bar < 0 ? name : name.slice(0, bar));
    if (spec !== undefined && bar >= 0) spec = findSubcommand(spec, name.slice(bar + 1));
    if (spec !== undefined && spec.handler === undefined) spec.handler = handler;
  }

  /** provide() for each name -> handler. */
  provideAll(handlers: Readonly<Record<string, Handler>>): void {
    for (const name of Object.keys(handlers)) this.provide(name, handlers[name]);
  }

  /** Specs without a handler (none once the server is composed; see compose/). */
  unbound(): string[] {
    const out: string[] = [];
    for (const s of this.byName.values()) {
      if (s.subcommands !== undefined) {
        for (const sub of s.subcommands) if (sub.handler === undefined) out.push(`${s.name}|${sub.name}`);
      } else if (s.handler === undefined) out.push(s.name);
    }
    return out;
  }

  lookup(name: string): CommandSpec | undefined {
    const hit = this.cache.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const spec = this.byName.get(name.toLowerCase());
    if (this.cache.size < 10000) this.cache.set(name, spec ?? null);
    return spec;
  }

  all(): CommandSpec[] {
    return [...this.byName.values()];
  }

  get size(): number {
    return this.byName.size;
  }
}

export function findSubcommand(parent: CommandSpec, name: string): CommandSpec | undefined {
  if (!parent.subcommands) return undefined;
  const lower = name.toLowerCase();
  for (const s of parent.subcommands) if (s.name === lower) return s;
  return undefined;
}

// ---- command data, keys, channels -----------------------------------------------------

/**
 * Key specs for a spec the data has no entry for: one range spec from the legacy
 * triple, flagged from the command flags (a spec registered outside the table).
 */
function specsFromTriple(spec: CommandSpec): KeySpec[] {
  if (spec.firstKey <= 0) return [];
  const flags: KeySpecFlag[] = spec.flags.includes('write') ? ['RW', 'update'] : ['RO', 'access'];
  const lastkey = spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey;
  return [{ flags, begin_search: { type: 'index', spec: { index: spec.firstKey } }, find_keys: { type: 'range', spec: { lastkey, keystep: spec.step, limit: 0 } } }];
}

/** Attaches the command data of `fullName` to a spec (idempotent: specs are shared by servers). */
export function attachCommandData(spec: CommandSpec, fullName: string): void {
  if (spec.fullName === fullName && spec.keyInfo !== undefined) return;
  const data = commandData(fullName);
  spec.fullName = fullName;
  spec.data = data;
  spec.keyInfo = keyInfo(fullName, data !== undefined ? (data.key_specs ?? []) : specsFromTriple(spec));
}

/** The key information of a spec (attached on registration; computed for a spec never registered). */
export function keyInfoOf(spec: CommandSpec): KeyInfo {
  if (spec.keyInfo === undefined) attachCommandData(spec, spec.fullName ?? spec.name);
  return spec.keyInfo!;
}

/** Keys of a command invocation with the flags of the key spec that found each (COMMAND GETKEYSANDFLAGS). */
export function getKeysAndFlags(spec: CommandSpec, argv: readonly string[]): KeyRef[] {
  return keysOf(keyInfoOf(spec), argv);
}

/** Key positions (argv indexes) of a command invocation, from its key specs. */
export function getKeyPositions(spec: CommandSpec, argv: readonly string[]): number[] {
  const refs = keysOf(keyInfoOf(spec), argv);
  const out = new Array<number>(refs.length);
  for (let i = 0; i < refs.length; i++) out[i] = refs[i].pos;
  return out;
}

/** One channel argument of a pub/sub invocation. */
export interface ChannelRef {
  pos: number;
  pattern: boolean;
  shard: boolean;
  action: ChannelSpec['action'];
}

/** The channel (or pattern) arguments of a pub/sub invocation; [] for other commands. */
export function getChannelPositions(spec: CommandSpec, argv: readonly string[]): ChannelRef[] {
  const ch = (spec.data ?? commandData(spec.fullName ?? spec.name))?.channels;
  if (ch === undefined) return [];
  const last = ch.last < 0 ? argv.length + ch.last : Math.min(ch.last, argv.length - 1);
  const out: ChannelRef[] = [];
  for (let i = ch.first; i <= last; i += ch.step) out.push({ pos: i, pattern: ch.pattern, shard: ch.shard, action: ch.action });
  return out;
}

// ---- ACL categories ---------------------------------------------------------------------

/** Redis's order of the ACL categories (COMMAND INFO lists a command's in this order). */
export const ACL_CATEGORY_ORDER: readonly string[] = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
];

/**
 * A command's ACL categories (without '@'), in Redis's order: the spec's own list
 * plus those Redis derives from the flags (write -> @write, readonly -> @read
 * unless @scripting, admin -> @admin @dangerous, pubsub -> @pubsub, fast ->
 * @fast, blocking -> @blocking; @slow when not @fast). The one place categories
 * come from: COMMAND INFO, COMMAND LIST FILTERBY ACLCAT and ACL use it.
 */
export function commandCategories(spec: CommandSpec): readonly string[] {
  const set = new Set(spec.acl);
  const f = spec.flags;
  // A container without flags of its own gets only its explicit list (+ @slow).
  if (spec.subcommands === undefined || f.length > 0) {
    if (f.includes('write')) set.add('write');
    if (f.includes('readonly') && !set.has('scripting')) set.add('read');
    if (f.includes('admin')) {
      set.add('admin');
      set.add('dangerous');
    }
    if (f.includes('pubsub')) set.add('pubsub');
    if (f.includes('fast')) set.add('fast');
    if (f.includes('blocking')) set.add('blocking');
  }
  if (!set.has('fast')) set.add('slow');
  const out: string[] = [];
  for (const a of ACL_CATEGORY_ORDER) if (set.has(a)) out.push(a);
  for (const a of set) if (!ACL_CATEGORY_ORDER.includes(a)) out.push(a);
  return out;
}
