// The command table: one entry per command (and per subcommand), as data. Arity
// checks, COMMAND / COMMAND INFO / COMMAND DOCS / COMMAND GETKEYS, key extraction
// (cluster routing, ACL key patterns, proxy routing) and ACL categories are all
// derived from it.
//
// Arity follows Redis: a positive arity is the exact argument count including the
// command name; a negative one is a minimum. Key positions follow Redis's legacy
// (first, last, step) triple; commands whose keys cannot be described that way
// (ZUNIONSTORE's numkeys, SORT's STORE, ...) give a `keys` function instead.

import type { Handler } from './context.js';

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
  | 'allow_busy'
  | 'movablekeys';

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

const FLAG_BITS: Partial<Record<CommandFlag, number>> = {
  write: CMD_WRITE,
  denyoom: CMD_DENYOOM,
  admin: CMD_ADMIN,
  skip_monitor: CMD_SKIP_MONITOR,
  skip_slowlog: CMD_SKIP_SLOWLOG,
  no_auth: CMD_NO_AUTH,
  may_replicate: CMD_MAY_REPLICATE,
  no_multi: CMD_NO_MULTI,
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
  /** Key positions for commands whose keys move (numkeys arguments and the like). */
  keys?: (argv: string[]) => number[];
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
    keys: undefined,
    group,
    since: '1.0.0',
    summary: '',
    complexity: undefined,
    tips: undefined,
    handler,
    subcommands: undefined,
    fbits: 0,
    sid: 0,
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
      if (orig.subcommands !== undefined) {
        s.subcommands = orig.subcommands.map((sub) => {
          const c: CommandSpec = { ...sub };
          specBits(c);
          specId(c);
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

/** Key positions (argv indexes) of a command invocation, from its spec. */
export function getKeyPositions(spec: CommandSpec, argv: string[]): number[] {
  if (spec.keys) return spec.keys(argv);
  if (spec.firstKey <= 0) return [];
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const out: number[] = [];
  for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step) out.push(i);
  return out;
}

/** Builds a `keys` function for commands with a numkeys argument at `numkeysIdx`. */
export function numkeysKeys(numkeysIdx: number, extraKeysBefore: number[] = []): (argv: string[]) => number[] {
  return (argv) => {
    const n = Number(argv[numkeysIdx]);
    const out = extraKeysBefore.slice();
    if (!Number.isInteger(n) || n <= 0) return out;
    for (let i = 0; i < n && numkeysIdx + 1 + i < argv.length; i++) out.push(numkeysIdx + 1 + i);
    return out;
  };
}
