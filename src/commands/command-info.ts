// COMMAND and its subcommands: COUNT INFO DOCS GETKEYS GETKEYSANDFLAGS LIST HELP.
//
// Everything is written from the command table: the flags, the ACL categories
// (commandCategories, the one source), the key specs and the legacy triple Redis
// derives from them, the argument schema and history of COMMAND DOCS (the
// command data of ./docs/, attached to the specs by CommandTable.register).

import {
  cmd,
  commandCategories,
  findSubcommand,
  getKeysAndFlags,
  keyInfoOf,
  type CommandFlag,
  type CommandSpec,
} from './table.js';
import type { CommandArg, KeySpec, KeySpecFlag } from './docs/types.js';
import { KEY_SPEC_FLAG_ORDER } from './key-specs.js';
import type { Client, ServerContext } from './context.js';
import { globMatch } from '../util/glob.js';
import { addHelp } from './client-command.js';

/** Redis's order of command flags in COMMAND INFO. */
const FLAG_ORDER: Array<CommandFlag | 'asking' | 'module' | 'no_async_loading' | 'movablekeys'> = [
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

function fullName(s: ServerContext, spec: CommandSpec): string {
  return spec.fullName ?? s.cmdFullNames.get(spec) ?? spec.name;
}

/** A spec's own tips (set in its family's table) or the command data's. */
function tipsOf(spec: CommandSpec): readonly string[] {
  return spec.tips ?? spec.data?.tips ?? [];
}

// ---- COMMAND INFO -----------------------------------------------------------------------

function writeFlags(c: Client, spec: CommandSpec): void {
  const movable = keyInfoOf(spec).legacy.movable;
  const flags: string[] = [];
  for (const f of FLAG_ORDER) {
    if (f === 'movablekeys' ? movable : spec.flags.includes(f as CommandFlag)) flags.push(f);
  }
  c.addSetLen(flags.length);
  for (const f of flags) c.addSimple(f);
}

/** Key-spec flags in Redis's order. */
function writeKeySpecFlags(c: Client, flags: readonly KeySpecFlag[]): void {
  const out = KEY_SPEC_FLAG_ORDER.filter((f) => flags.includes(f));
  c.addSetLen(out.length);
  for (const f of out) c.addSimple(f);
}

/** A flat object of integers and strings as a map (the `spec` of begin_search / find_keys). */
function writeSpecFields(c: Client, o: Readonly<Record<string, number | string>>): void {
  const entries = Object.entries(o);
  c.addMapLen(entries.length);
  for (const [k, v] of entries) {
    c.addBulk(k);
    if (typeof v === 'number') c.addInt(v);
    else c.addBulk(v);
  }
}

function writeKeySpec(c: Client, ks: KeySpec): void {
  c.addMapLen(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    c.addBulk('notes');
    c.addBulk(ks.notes);
  }
  c.addBulk('flags');
  writeKeySpecFlags(c, ks.flags);
  writeSearchStep(c, 'begin_search', ks.begin_search);
  writeSearchStep(c, 'find_keys', ks.find_keys);
}

/** A key spec's begin_search or find_keys: a map of its type and its spec fields. */
function writeSearchStep(c: Client, name: string, step: { type: string; spec: Parameters<typeof writeSpecFields>[1] }): void {
  c.addBulk(name);
  c.addMapLen(2);
  c.addBulk('type');
  c.addBulk(step.type);
  c.addBulk('spec');
  writeSpecFields(c, step.spec);
}

function writeCommandInfo(c: Client, spec: CommandSpec): void {
  const s = c.server;
  const info = keyInfoOf(spec);
  c.addArrayLen(10);
  c.addBulk(fullName(s, spec));
  c.addInt(spec.arity);
  writeFlags(c, spec);
  c.addInt(info.legacy.firstKey);
  c.addInt(info.legacy.lastKey);
  c.addInt(info.legacy.step);
  const acl = commandCategories(spec);
  c.addSetLen(acl.length);
  for (const a of acl) c.addSimple('@' + a);
  const tips = tipsOf(spec);
  c.addSetLen(tips.length);
  for (const t of tips) c.addBulk(t);
  c.addSetLen(info.specs.length);
  for (const ks of info.specs) writeKeySpec(c, ks);
  if (!spec.subcommands || spec.subcommands.length === 0) {
    c.addSetLen(0);
  } else {
    c.addArrayLen(spec.subcommands.length);
    for (const sub of spec.subcommands) writeCommandInfo(c, sub);
  }
}

// ---- COMMAND DOCS -----------------------------------------------------------------------

function writeStringSet(c: Client, items: readonly string[]): void {
  c.addSetLen(items.length);
  for (const x of items) c.addSimple(x);
}

/** The argument list of COMMAND DOCS: name, type, display_text, key_spec_index, token, ... */
function writeArgs(c: Client, args: readonly CommandArg[]): void {
  c.addArrayLen(args.length);
  for (const a of args) {
    const nested = a.type === 'oneof' || a.type === 'block';
    const fields: Array<[string, string | number]> = [
      ['name', a.name],
      ['type', a.type],
    ];
    if (a.display_text !== undefined) fields.push(['display_text', a.display_text]);
    if (a.key_spec_index !== undefined) fields.push(['key_spec_index', a.key_spec_index]);
    if (a.token !== undefined) fields.push(['token', a.token]);
    if (a.summary !== undefined) fields.push(['summary', a.summary]);
    if (a.since !== undefined) fields.push(['since', a.since]);
    if (a.deprecated_since !== undefined) fields.push(['deprecated_since', a.deprecated_since]);
    const hasFlags = a.flags !== undefined && a.flags.length > 0;
    const hasValue = a.value !== undefined;
    c.addMapLen(fields.length + (hasFlags ? 1 : 0) + (hasValue ? 1 : 0) + (nested ? 1 : 0));
    for (const [k, v] of fields) {
      c.addBulk(k);
      if (typeof v === 'number') c.addInt(v);
      else c.addBulk(v);
    }
    if (hasFlags) {
      c.addBulk('flags');
      writeStringSet(c, a.flags!);
    }
    if (hasValue) {
      c.addBulk('value');
      c.addBulk(a.value!);
    }
    if (nested) {
      c.addBulk('arguments');
      writeArgs(c, a.arguments ?? []);
    }
  }
}

/**
 * COMMAND DOCS of one command. The summary is the spec's (Redis 7.2's wording);
 * `since` is the command data's (Redis's; the spec's is a default of cmd() for
 * many); the complexity is the spec's when it gives one, else the data's.
 */
function writeCommandDocs(c: Client, spec: CommandSpec): void {
  const d = spec.data ?? {};
  const subs = spec.subcommands ?? [];
  const since = d.since ?? spec.since;
  const complexity = spec.complexity ?? d.complexity;
  const n =
    3 +
    (complexity !== undefined ? 1 : 0) +
    (d.doc_flags !== undefined ? 1 : 0) +
    (d.deprecated_since !== undefined ? 1 : 0) +
    (d.replaced_by !== undefined ? 1 : 0) +
    (d.history !== undefined ? 1 : 0) +
    (d.arguments !== undefined ? 1 : 0) +
    (subs.length > 0 ? 1 : 0);
  c.addMapLen(n);
  c.addBulk('summary');
  c.addBulk(spec.summary);
  c.addBulk('since');
  c.addBulk(since);
  c.addBulk('group');
  c.addBulk(spec.group);
  if (complexity !== undefined) {
    c.addBulk('complexity');
    c.addBulk(complexity);
  }
  if (d.doc_flags !== undefined) {
    c.addBulk('doc_flags');
    writeStringSet(c, d.doc_flags);
  }
  if (d.deprecated_since !== undefined) {
    c.addBulk('deprecated_since');
    c.addBulk(d.deprecated_since);
  }
  if (d.replaced_by !== undefined) {
    c.addBulk('replaced_by');
    c.addBulk(d.replaced_by);
  }
  if (d.history !== undefined) {
    c.addBulk('history');
    c.addSetLen(d.history.length);
    for (const [version, what] of d.history) {
      c.addArrayLen(2);
      c.addBulk(version);
      c.addBulk(what);
    }
  }
  if (d.arguments !== undefined) {
    c.addBulk('arguments');
    writeArgs(c, d.arguments);
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

// ---- the subcommands --------------------------------------------------------------------

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

/**
 * COMMAND GETKEYS[ANDFLAGS] <command> <args...>: the command (a container with a
 * subcommand argument resolves to the subcommand), then, as Redis checks them,
 * "no key arguments", the arity, and the keys from the key specs.
 */
function getKeysSubcommand(c: Client, argv: string[], withFlags: boolean): void {
  const args = argv.slice(2);
  let spec = c.server.commands.lookup(args[0]);
  if (spec && spec.subcommands && args.length >= 2) spec = findSubcommand(spec, args[1]);
  if (!spec) {
    c.addError('ERR Invalid command specified');
    return;
  }
  if (!keyInfoOf(spec).hasKeys) {
    c.addError('ERR The command has no key arguments');
    return;
  }
  if ((spec.arity > 0 && args.length !== spec.arity) || args.length < -spec.arity) {
    c.addError('ERR Invalid number of arguments specified for command');
    return;
  }
  const keys = getKeysAndFlags(spec, args);
  if (keys.length === 0) {
    if (spec.flags.includes('no_mandatory_keys')) c.addArrayLen(0);
    else c.addError('ERR Invalid arguments specified for command');
    return;
  }
  c.addArrayLen(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      c.addBulk(args[k.pos]);
      continue;
    }
    c.addArrayLen(2);
    c.addBulk(args[k.pos]);
    writeKeySpecFlags(c, k.flags);
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
      filter = (spec) => commandCategories(spec).includes(cat);
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
export function commandContainerSpec(): CommandSpec {
  const spec = cmd('command', -1, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], command, {
    since: '2.8.13',
    summary: 'Returns detailed information about all commands.',
    complexity: 'O(N) where N is the total number of Redis commands',
    subcommands: [
      cmd('count', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandCount, { since: '2.8.13', summary: 'Returns a count of commands.', complexity: 'O(1)' }),
      cmd('docs', -2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandDocs, { since: '7.0.0', summary: 'Returns documentary information about one, multiple or all commands.', complexity: 'O(N) where N is the number of commands to look up' }),
      cmd('getkeys', -3, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], (c, argv) => getKeysSubcommand(c, argv, false), { since: '2.8.13', summary: 'Extracts the key names from an arbitrary command.', complexity: 'O(N) where N is the number of arguments to the command' }),
      cmd('getkeysandflags', -3, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], (c, argv) => getKeysSubcommand(c, argv, true), { since: '7.0.0', summary: 'Extracts the key names and access flags for an arbitrary command.', complexity: 'O(N) where N is the number of arguments to the command' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], (c) => addHelp(c, COMMAND_HELP), { since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('info', -2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandInfo, { since: '2.8.13', summary: 'Returns information about one, multiple or all commands.', complexity: 'O(N) where N is the number of commands to look up' }),
      cmd('list', -2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'connection'], commandList, { since: '7.0.0', summary: 'Returns a list of command names.', complexity: 'O(N) where N is the total number of Redis commands' }),
    ],
  });
  return spec;
}
