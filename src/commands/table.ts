// The command table: one entry per command (and per subcommand), as data. Arity
// checks, COMMAND / COMMAND INFO / COMMAND DOCS / COMMAND GETKEYS, key extraction
// (cluster routing, ACL key patterns, proxy routing) and ACL categories are all
// derived from it.
//
// Arity follows Redis: a positive arity is the exact argument count including the
// command name; a negative one is a minimum. Key positions follow Redis's legacy
// (first, last, step) triple; commands whose keys cannot be described that way
// (ZUNIONSTORE's numkeys, SORT's STORE, ...) give a `keys` function instead.

import type { Client } from '../server/client.js';

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

export type Handler = (c: Client, argv: string[]) => void;

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
}

/** Shorthand to build a spec; key triple defaults to none. */
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
  return {
    name,
    arity,
    flags,
    acl,
    firstKey: keys[0],
    lastKey: keys[1],
    step: keys[2],
    group,
    since: extra.since ?? '1.0.0',
    summary: extra.summary ?? '',
    handler,
    ...extra,
  };
}

export class CommandTable {
  private byName = new Map<string, CommandSpec>();
  /** Lookups by the exact spelling clients send ("GET", "get", "Get") avoid lower-casing. */
  private cache = new Map<string, CommandSpec | null>();

  register(specs: CommandSpec[]): void {
    for (const s of specs) {
      if (this.byName.has(s.name)) throw new Error(`duplicate command ${s.name}`);
      this.byName.set(s.name, s);
    }
    this.cache.clear();
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
