// The ACL command's handlers (Redis 7.2's aclCommand), bound on the server's table.

import { randomBytes } from 'node:crypto';
import type { Client } from '../server/client.js';
import type { Handler } from '../commands/context.js';
import { addHelp, subcommandSyntaxError } from '../commands/client-command.js';
import { specBits, findSubcommand } from '../commands/table.js';
import { parseIntArg } from '../util/numbers.js';
import { ACL_OK, type Acl } from './acl.js';
import { AclRuleError, mergeSelectorArgs, validUserName, type Selector, type User } from './user.js';

const HELP = [
  'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
  'HELP',
  '    Prints this help.',
];

/** Longest password ACL GENPASS makes, in bits. */
const GENPASS_MAX_BITS = 4096;
/** Entries ACL LOG returns without a count. */
const LOG_DEFAULT_COUNT = 10;

/**
 * Applies `rules` to a copy of `name`'s user (a new user when there is none) and,
 * when every rule applied, takes the copy (ACLStringSetUser). Returns the error
 * text (without "ERR ") or null.
 */
export function setUser(acl: Acl, name: string, rules: readonly string[], current: Client | null): string | null {
  const merged = mergeSelectorArgs(rules);
  if (typeof merged === 'number') return `Unmatched parenthesis in acl selector starting at '${rules[merged]}'.`;
  const existing = acl.users.get(name);
  const staged = existing !== undefined ? existing.clone() : acl.newUser(name);
  for (const op of merged) {
    try {
      staged.apply(op);
    } catch (e) {
      if (!(e instanceof AclRuleError)) throw e;
      return `Error in ACL SETUSER modifier '${op}': ${e.message}`;
    }
  }
  if (existing !== undefined) {
    acl.killPubsubClientsIfNeeded(existing, staged, current);
    existing.copyFrom(staged);
  } else {
    acl.users.set(name, staged);
  }
  acl.changed();
  return null;
}

function sortedUsers(acl: Acl): User[] {
  return [...acl.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function selectorFields(c: Client, s: Selector): void {
  c.addBulk('commands');
  c.addBulk(s.describeCommands());
  c.addBulk('keys');
  c.addBulk(s.describeKeys());
  c.addBulk('channels');
  c.addBulk(s.describeChannels());
}

function getUser(acl: Acl, c: Client, name: string): void {
  const u = acl.users.get(name);
  if (u === undefined) {
    c.addNull();
    return;
  }
  c.addMapLen(6);
  c.addBulk('flags');
  const flags = u.flags();
  c.addSetLen(flags.length);
  for (const f of flags) c.addBulk(f);
  c.addBulk('passwords');
  c.addArrayLen(u.passwords.length);
  for (const p of u.passwords) c.addBulk(p);
  selectorFields(c, u.root);
  c.addBulk('selectors');
  c.addArrayLen(u.selectors.length - 1);
  for (let i = 1; i < u.selectors.length; i++) {
    c.addMapLen(3);
    selectorFields(c, u.selectors[i]);
  }
}

function dryrun(acl: Acl, c: Client, argv: string[]): void {
  const u = acl.users.get(argv[2]);
  if (u === undefined) {
    c.addError(`ERR User '${argv[2]}' not found`);
    return;
  }
  let spec = c.server.commands.lookup(argv[3]);
  if (spec !== undefined && spec.subcommands !== undefined && argv.length > 4) spec = findSubcommand(spec, argv[4]);
  if (spec === undefined) {
    c.addError(`ERR Command '${argv[3]}' not found`);
    return;
  }
  const n = argv.length - 3;
  if ((spec.arity > 0 && spec.arity !== n) || n < -spec.arity) {
    c.addError(`ERR wrong number of arguments for '${acl.index.fullName(spec)}' command`);
    return;
  }
  const args = argv.slice(3);
  const v = acl.check(u, spec, args, specBits(spec));
  if (v.result !== ACL_OK) c.addBulk(acl.denialMessage(v.result, u, spec, args[v.pos], true));
  else c.addOk();
}

const REASONS = ['', 'command', 'key', 'auth', 'channel'];

function log(acl: Acl, c: Client, argv: string[]): void {
  let count = LOG_DEFAULT_COUNT;
  if (argv.length === 3) {
    if (argv[2].toLowerCase() === 'reset') {
      acl.log = [];
      c.addOk();
      return;
    }
    const n = parseIntArg(argv[2]);
    if (n === null) {
      c.addError('ERR value is not an integer or out of range');
      return;
    }
    count = Math.max(0, n);
  } else if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const now = Date.now();
  const entries = acl.log.slice(0, count);
  c.addArrayLen(entries.length);
  for (const e of entries) {
    c.addMapLen(10);
    c.addBulk('count');
    c.addInt(e.count);
    c.addBulk('reason');
    c.addBulk(REASONS[e.reason] ?? 'unknown');
    c.addBulk('context');
    c.addBulk(e.context);
    c.addBulk('object');
    c.addBulk(e.object);
    c.addBulk('username');
    c.addBulk(e.username);
    c.addBulk('age-seconds');
    c.addDouble((now - e.ctime) / 1000);
    c.addBulk('client-info');
    c.addBulk(e.clientInfo);
    c.addBulk('entry-id');
    c.addInt(e.entryId);
    c.addBulk('timestamp-created');
    c.addInt(e.created);
    c.addBulk('timestamp-last-updated');
    c.addInt(e.ctime);
  }
}

function cat(acl: Acl, c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const cats = acl.index.categories();
    c.addArrayLen(cats.length);
    for (const k of cats) c.addBulk(k);
    return;
  }
  if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  if (!acl.index.hasCategory(argv[2])) {
    c.addError(`ERR Unknown category '${argv[2].slice(0, 128)}'`);
    return;
  }
  const specs = acl.index.inCategory(argv[2]);
  c.addArrayLen(specs.length);
  for (const s of specs) c.addBulk(acl.index.fullName(s));
}

function genpass(c: Client, argv: string[]): void {
  let bits = 256;
  if (argv.length === 3) {
    const n = parseIntArg(argv[2]);
    if (n === null) {
      c.addError('ERR value is not an integer or out of range');
      return;
    }
    bits = n;
  } else if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  if (bits <= 0 || bits > GENPASS_MAX_BITS) {
    c.addError(`ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`);
    return;
  }
  const chars = Math.floor((bits + 3) / 4);
  c.addBulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

/** The handlers of ACL's subcommands, by "acl|<sub>". */
export function aclHandlers(acl: Acl, fileOps: { load(c: Client): void; save(c: Client): void }): Record<string, Handler> {
  const h = (fn: (c: Client, argv: string[]) => void): Handler => fn as Handler;
  return {
    'acl|setuser': h((c, argv) => {
      for (let i = 2; i < argv.length; i++) c.redactArgument(i);
      const name = argv[2];
      if (!validUserName(name)) {
        c.addError("ERR Usernames can't contain spaces or null characters");
        return;
      }
      const err = setUser(acl, name, argv.slice(3), c);
      if (err === null) c.addOk();
      else c.addError('ERR ' + err);
    }),
    'acl|getuser': h((c, argv) => getUser(acl, c, argv[2])),
    'acl|deluser': h((c, argv) => {
      for (let i = 2; i < argv.length; i++) {
        if (argv[i] === 'default') {
          c.addError("ERR The 'default' user cannot be removed");
          return;
        }
      }
      let deleted = 0;
      for (let i = 2; i < argv.length; i++) {
        const u = acl.users.get(argv[i]);
        if (u === undefined) continue;
        acl.users.delete(argv[i]);
        acl.killClientsOf(u, c);
        deleted++;
      }
      acl.changed();
      c.addInt(deleted);
    }),
    'acl|list': h((c) => {
      const users = sortedUsers(acl);
      c.addArrayLen(users.length);
      for (const u of users) c.addBulk(`user ${u.name} ${u.describe()}`);
    }),
    'acl|users': h((c) => {
      const users = sortedUsers(acl);
      c.addArrayLen(users.length);
      for (const u of users) c.addBulk(u.name);
    }),
    'acl|whoami': h((c) => c.addBulk(acl.userOf(c).name)),
    'acl|cat': h((c, argv) => cat(acl, c, argv)),
    'acl|genpass': h((c, argv) => genpass(c, argv)),
    'acl|dryrun': h((c, argv) => dryrun(acl, c, argv)),
    'acl|log': h((c, argv) => log(acl, c, argv)),
    'acl|help': h((c) => addHelp(c, HELP)),
    'acl|load': h((c) => fileOps.load(c)),
    'acl|save': h((c) => fileOps.save(c)),
  };
}
