// COMMAND and its subcommands (introspection of the command table).

import { cmd, findSubcommand, getKeyPositions, type CommandFlag, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import type { ServerContext } from './context.js';
import { globMatch } from '../util/glob.js';
import { addHelp } from './client.js';


// ---- COMMAND ----------------------------------------------------------------------------

const FLAG_ORDER: Array<CommandFlag | 'asking' | 'module' | 'no_async_loading'> = [
  'write',
  'readonly',
  'denyoom',
  'module',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
];

const ACL_ORDER = [
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

/** Command tips (COMMAND INFO / DOCS), for the commands of this file and client.ts. */
const TIPS: Record<string, string[]> = {
  info: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
  'config|set': ['request_policy:all_nodes', 'response_policy:all_succeeded'],
  dbsize: ['request_policy:all_shards', 'response_policy:agg_sum'],
  flushdb: ['request_policy:all_shards', 'response_policy:all_succeeded'],
  flushall: ['request_policy:all_shards', 'response_policy:all_succeeded'],
  time: ['nondeterministic_output'],
  lastsave: ['nondeterministic_output'],
  'object|freq': ['nondeterministic_output'],
  'object|idletime': ['nondeterministic_output'],
  'object|encoding': ['nondeterministic_output'],
  'object|refcount': ['nondeterministic_output'],
  'memory|malloc-stats': ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
  'memory|doctor': ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
  'memory|purge': ['request_policy:all_shards', 'response_policy:all_succeeded'],
  'memory|stats': ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
  'slowlog|reset': ['request_policy:all_nodes', 'response_policy:all_succeeded'],
  'slowlog|get': ['request_policy:all_nodes', 'nondeterministic_output'],
  'slowlog|len': ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'],
  command: ['nondeterministic_output_order'],
  'command|docs': ['nondeterministic_output_order'],
  'command|info': ['nondeterministic_output_order'],
  'command|list': ['nondeterministic_output_order'],
  'client|info': ['nondeterministic_output'],
  'client|list': ['nondeterministic_output'],
};

function fullName(s: ServerContext, spec: CommandSpec): string {
  return s.cmdFullNames.get(spec) ?? spec.name;
}

function tipsOf(s: ServerContext, spec: CommandSpec): string[] {
  const own = (spec as CommandSpec & { tips?: string[] }).tips;
  if (own) return own;
  return TIPS[fullName(s, spec)] ?? [];
}

/** ACL categories with the implicit ones Redis adds from the flags, in Redis's order. */
export function aclCategories(spec: CommandSpec): string[] {
  const set = new Set(spec.acl);
  const f = spec.flags;
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
  for (const a of ACL_ORDER) if (set.has(a)) out.push(a);
  for (const a of set) if (!ACL_ORDER.includes(a)) out.push(a);
  return out;
}

function writeFlags(c: Client, spec: CommandSpec): void {
  const flags: string[] = [];
  const movable = spec.keys !== undefined;
  for (const f of FLAG_ORDER) {
    if (f === 'movablekeys' ? movable || spec.flags.includes('movablekeys') : spec.flags.includes(f as CommandFlag)) flags.push(f);
  }
  c.addSetLen(flags.length);
  for (const f of flags) c.addSimple(f);
}

/** Key-spec flags approximated from the command flags. */
function keyFlags(spec: CommandSpec): string[] {
  if (spec.flags.includes('write')) return ['RW', 'update'];
  return ['RO', 'access'];
}

function writeKeySpecs(c: Client, spec: CommandSpec): void {
  const movable = spec.keys !== undefined;
  if (spec.firstKey <= 0 && !movable) {
    c.addSetLen(0);
    return;
  }
  c.addSetLen(1);
  c.addMapLen(3);
  c.addBulk('flags');
  const kf = keyFlags(spec);
  c.addSetLen(kf.length);
  for (const f of kf) c.addSimple(f);
  c.addBulk('begin_search');
  c.addMapLen(2);
  c.addBulk('type');
  if (spec.firstKey > 0) {
    c.addBulk('index');
    c.addBulk('spec');
    c.addMapLen(1);
    c.addBulk('index');
    c.addInt(spec.firstKey);
  } else {
    c.addBulk('unknown');
    c.addBulk('spec');
    c.addMapLen(0);
  }
  c.addBulk('find_keys');
  c.addMapLen(2);
  c.addBulk('type');
  if (movable || spec.firstKey <= 0) {
    c.addBulk('unknown');
    c.addBulk('spec');
    c.addMapLen(0);
  } else {
    c.addBulk('range');
    c.addBulk('spec');
    c.addMapLen(3);
    c.addBulk('lastkey');
    c.addInt(spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey);
    c.addBulk('keystep');
    c.addInt(spec.step);
    c.addBulk('limit');
    c.addInt(0);
  }
}

function writeCommandInfo(c: Client, spec: CommandSpec): void {
  const s = c.server;
  c.addArrayLen(10);
  c.addBulk(fullName(s, spec));
  c.addInt(spec.arity);
  writeFlags(c, spec);
  c.addInt(spec.firstKey);
  c.addInt(spec.lastKey);
  c.addInt(spec.step);
  const acl = aclCategories(spec);
  c.addSetLen(acl.length);
  for (const a of acl) c.addSimple('@' + a);
  const tips = tipsOf(s, spec);
  c.addSetLen(tips.length);
  for (const t of tips) c.addBulk(t);
  writeKeySpecs(c, spec);
  if (!spec.subcommands || spec.subcommands.length === 0) {
    c.addSetLen(0);
  } else {
    c.addArrayLen(spec.subcommands.length);
    for (const sub of spec.subcommands) writeCommandInfo(c, sub);
  }
}

function writeCommandDocs(c: Client, spec: CommandSpec): void {
  const subs = spec.subcommands ?? [];
  const hasComplexity = spec.complexity !== undefined;
  c.addMapLen(3 + (hasComplexity ? 1 : 0) + (subs.length > 0 ? 1 : 0));
  c.addBulk('summary');
  c.addBulk(spec.summary);
  c.addBulk('since');
  c.addBulk(spec.since);
  c.addBulk('group');
  c.addBulk(spec.group);
  if (hasComplexity) {
    c.addBulk('complexity');
    c.addBulk(spec.complexity!);
  }
  if (subs.length > 0) {
    c.addBulk('subcommands');
    c.addMapLen(subs.length);
    for (const sub of subs) {
      c.addBulk(fullName(c.server, sub));
      writeCommandDocs(c, sub);
    }
  }
}

/** Looks a command up by name or "container|sub". */
function lookupByFullName(s: ServerContext, name: string): CommandSpec | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return s.commands.lookup(name);
  const parent = s.commands.lookup(name.slice(0, bar));
  if (!parent) return undefined;
  return findSubcommand(parent, name.slice(bar + 1));
}

function command(c: Client): void {
  const all = c.server.commands.all();
  c.addArrayLen(all.length);
  for (const spec of all) writeCommandInfo(c, spec);
}

function commandCount(c: Client): void {
  c.addInt(c.server.commands.size);
}

function commandInfo(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    command(c);
    return;
  }
  c.addArrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const spec = lookupByFullName(c.server, argv[i]);
    if (spec) writeCommandInfo(c, spec);
    else c.addNull();
  }
}

function commandDocs(c: Client, argv: string[]): void {
  const specs: CommandSpec[] = [];
  if (argv.length === 2) specs.push(...c.server.commands.all());
  else {
    for (let i = 2; i < argv.length; i++) {
      const spec = lookupByFullName(c.server, argv[i]);
      if (spec) specs.push(spec);
    }
  }
  c.addMapLen(specs.length);
  for (const spec of specs) {
    c.addBulk(fullName(c.server, spec));
    writeCommandDocs(c, spec);
  }
}

/** Resolves the command of COMMAND GETKEYS and its key positions; null after replying an error. */
function getKeysOf(c: Client, argv: string[]): { spec: CommandSpec; args: string[]; keys: number[] } | null {
  const args = argv.slice(2);
  let spec = c.server.commands.lookup(args[0]);
  if (!spec) {
    c.addError('ERR Invalid command specified');
    return null;
  }
  if (spec.subcommands && args.length >= 2) {
    const sub = findSubcommand(spec, args[1]);
    if (!sub) {
      c.addError('ERR Invalid command specified');
      return null;
    }
    spec = sub;
  }
  if ((spec.arity > 0 && args.length !== spec.arity) || args.length < -spec.arity) {
    c.addError('ERR Invalid number of arguments specified for command');
    return null;
  }
  const keys = getKeyPositions(spec, args);
  if (keys.length === 0) {
    c.addError('ERR The command has no key arguments');
    return null;
  }
  return { spec, args, keys };
}

function commandGetkeys(c: Client, argv: string[]): void {
  const r = getKeysOf(c, argv);
  if (!r) return;
  c.addArrayLen(r.keys.length);
  for (const i of r.keys) c.addBulk(r.args[i]);
}

function commandGetkeysandflags(c: Client, argv: string[]): void {
  const r = getKeysOf(c, argv);
  if (!r) return;
  const kf = keyFlags(r.spec);
  c.addArrayLen(r.keys.length);
  for (const i of r.keys) {
    c.addArrayLen(2);
    c.addBulk(r.args[i]);
    c.addSetLen(kf.length);
    for (const f of kf) c.addSimple(f);
  }
}

function commandList(c: Client, argv: string[]): void {
  let filter: ((spec: CommandSpec, name: string) => boolean) | null = null;
  if (argv.length === 5 && argv[2].toLowerCase() === 'filterby') {
    const kind = argv[3].toLowerCase();
    const arg = argv[4];
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') {
      const cat = arg.toLowerCase();
      filter = (spec) => aclCategories(spec).includes(cat);
    } else if (kind === 'pattern') filter = (_spec, name) => globMatch(arg, name, true);
    else {
      c.addError('ERR syntax error');
      return;
    }
  } else if (argv.length !== 2) {
    c.addError('ERR syntax error');
    return;
  }
  const names: string[] = [];
  for (const spec of c.server.commands.all()) {
    if (!filter || filter(spec, spec.name)) names.push(spec.name);
    for (const sub of spec.subcommands ?? []) {
      const n = fullName(c.server, sub);
      if (!filter || filter(sub, n)) names.push(n);
    }
  }
  c.addBulkArray(names);
}

const COMMAND_HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

/** COMMAND is a container whose bare form lists every command: the dispatcher needs a handler for argc 1. */
function commandContainerSpec(): CommandSpec {
  const spec = cmd('command', -1, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], command, {
    since: '2.8.13',
    summary: 'Returns detailed information about all commands.',
    complexity: 'O(N) where N is the total number of Redis commands',
    subcommands: [
      cmd('count', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandCount, { since: '2.8.13', summary: 'Returns a count of commands.', complexity: 'O(1)' }),
      cmd('docs', -2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandDocs, { since: '7.0.0', summary: 'Returns documentary information about one, multiple or all commands.', complexity: 'O(N) where N is the number of commands to look up' }),
      cmd('getkeys', -3, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandGetkeys, { since: '2.8.13', summary: 'Extracts the key names from an arbitrary command.', complexity: 'O(N) where N is the number of arguments to the command' }),
      cmd('getkeysandflags', -3, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandGetkeysandflags, { since: '7.0.0', summary: 'Extracts the key names and access flags for an arbitrary command.', complexity: 'O(N) where N is the number of arguments to the command' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], (c) => addHelp(c, COMMAND_HELP), { since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('info', -2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandInfo, { since: '2.8.13', summary: 'Returns information about one, multiple or all commands.', complexity: 'O(N) where N is the number of commands to look up' }),
      cmd('list', -2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandList, { since: '7.0.0', summary: 'Returns a list of command names.', complexity: 'O(N) where N is the total number of Redis commands' }),
    ],
  });
  return spec;
}


// ---- the table --------------------------------------------------------------------------


export const COMMANDS: CommandSpec[] = [
  commandContainerSpec(),
];
