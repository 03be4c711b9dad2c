// Users from configuration: `user` lines of redis.conf (and --user on the command
// line), the aclfile (ACL LOAD, ACL SAVE, loading at start-up), and the rule that a
// server has one or the other, never both (Redis 7's ACLLoadUsersAtStartup).
//
// An aclfile with one bad line changes nothing: the file is loaded into a fresh
// set of users, and only when every line applied does that set replace the
// current one (the default user object is kept, with the new rules copied in, as
// clients hold it). Every error of the file is reported, as Redis lists them.

import { readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { ConfigFileError } from '../config/redis-conf.js';
import type { Client } from '../server/client.js';
import type { Acl } from './acl.js';
import { AclRuleError, ERR_UNKNOWN, mergeSelectorArgs, validUserName, type User } from './user.js';

/** A start-up failure: the lines to log before exiting with status 1. */
export class AclStartupError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

const ERR_DUPLICATE = 'Duplicate user found. A user can only be defined once in config files';
/** Longest aclfile read (bytes): a bound on what one LOAD holds in memory. */
const ACLFILE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * ACLAppendUserForLoading, for every `user` line: the line's rules applied to a
 * throwaway user, an unknown command or category let through (it is reported when
 * the users are loaded). The error of the first bad line, as redis-server's config
 * loader words it — it names argv[j] of the line, j being the index of the failing
 * rule, as Redis 7.0 does.
 */
export function checkUserLines(acl: Acl): ConfigFileError | null {
  const seen = new Set<string>();
  for (const { lineNo, line, argv } of acl.server.config.userLines) {
    const fail = (j: number, msg: string): ConfigFileError => new ConfigFileError(lineNo, line, `Error in user declaration '${argv[j] ?? ''}': ${msg}`);
    if (argv.length < 2) return fail(0, 'Syntax error');
    if (seen.has(argv[1])) return fail(1, ERR_DUPLICATE);
    seen.add(argv[1]);
    const merged = mergeSelectorArgs(argv.slice(2));
    // Redis names argv[i] for the unclosed argument i of the rules, with a stale errno's text (7.0 shows this one).
    if (typeof merged === 'number') return fail(merged, ERR_UNKNOWN);
    const probe = acl.newUser(argv[1]);
    for (let j = 0; j < merged.length; j++) {
      try {
        probe.apply(merged[j]);
      } catch (e) {
        if (!(e instanceof AclRuleError)) throw e;
        if (e.message !== ERR_UNKNOWN) return fail(j, e.message);
      }
    }
  }
  return null;
}

/** ACLLoadConfiguredUsers: the `user` lines become users (a `user default` line resets the default user first). */
function loadConfiguredUsers(acl: Acl): void {
  for (const { argv } of acl.server.config.userLines) {
    const name = argv[1];
    if (!validUserName(name)) throw new AclStartupError(['Spaces not allowed in ACL usernames', 'Critical error while loading ACLs. Exiting.']);
    let u = acl.users.get(name);
    if (u === undefined) {
      u = acl.newUser(name);
      acl.users.set(name, u);
    } else u.apply('reset');
    const merged = mergeSelectorArgs(argv.slice(2));
    for (const rule of typeof merged === 'number' ? [] : merged) {
      try {
        u.apply(rule);
      } catch (e) {
        if (!(e instanceof AclRuleError)) throw e;
        throw new AclStartupError([`Error loading ACL rule '${rule}' for the user named '${name}': ${e.message}`, 'Critical error while loading ACLs. Exiting.']);
      }
    }
    if (!u.enabled) {
      acl.server.log.notice(`The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`);
    }
  }
  acl.changed();
}

/**
 * Reads an aclfile into a new set of users (ACLLoadFromFile). Returns the users
 * by name, or the errors as Redis lists them in one string.
 */
function parseAclFile(acl: Acl, file: string): Map<string, User> | string {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.length > ACLFILE_MAX_BYTES) return `Error loading ACLs, opening file '${file}': File too large`;
    text = buf.toString('latin1');
  } catch (e) {
    return `Error loading ACLs, opening file '${file}': ${strerror(e as NodeJS.ErrnoException)}`;
  }
  const users = new Map<string, User>();
  let errors = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    const lineNo = i + 1;
    if (line === '') continue;
    // Split on single spaces, as Redis does (sdssplitlen): no quoting.
    const argv = line.split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${file}:${lineNo} should start with user keyword followed by the username. `;
      continue;
    }
    if (!validUserName(argv[1])) {
      errors += `'${file}:${lineNo}: username '${argv[1]}' contains invalid characters. `;
      continue;
    }
    if (users.has(argv[1])) {
      errors += `WARNING: Duplicate user '${argv[1]}' found on line ${lineNo}. `;
      continue;
    }
    const u = acl.newUser(argv[1]);
    users.set(argv[1], u);
    const merged = mergeSelectorArgs(argv.slice(2));
    if (typeof merged === 'number') {
      errors += `${file}:${lineNo}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    let syntaxError = false;
    for (const raw of merged) {
      const rule = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
      try {
        u.apply(rule);
      } catch (e) {
        if (!(e instanceof AclRuleError)) throw e;
        if (e.message === ERR_UNKNOWN) errors += `${file}:${lineNo}: Error in applying operation '${rule}': ${e.message}. `;
        else if (!syntaxError) {
          errors += `${file}:${lineNo}: ${e.message}. `;
          syntaxError = true;
        }
      }
    }
  }
  if (errors !== '') return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
  return users;
}

/**
 * Replaces the users with those of `file`; null on success, the errors otherwise
 * (nothing changed). The clients of every user but the default one are closed
 * (ACLFreeUsersSet on the old set), `current` after its reply.
 */
export function loadAclFile(acl: Acl, file: string, current: Client | null): string | null {
  const next = parseAclFile(acl, file);
  if (typeof next === 'string') return next;
  const old = [...acl.users.values()].filter((u) => u !== acl.defaultUser);
  const newDefault = next.get('default');
  const d = acl.defaultUser;
  if (newDefault !== undefined) d.copyFrom(newDefault);
  else {
    d.apply('reset');
    for (const r of ['+@all', '~*', '&*', 'on', 'nopass']) d.apply(r);
  }
  next.set('default', d);
  acl.users.clear();
  for (const [name, u] of next) acl.users.set(name, u);
  for (const u of old) acl.killClientsOf(u, current);
  acl.changed();
  return null;
}

/** The ACL as "user <name> <rules>" lines, by name (ACL LIST, ACL SAVE, CONFIG REWRITE). */
export function userLines(acl: Acl): string[] {
  const users = [...acl.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return users.map((u) => `user ${u.name} ${u.describe()}`);
}

/** ACLSaveToFile: every user to a temporary file, renamed over `file`. false on failure (logged). */
export function saveAclFile(acl: Acl, file: string): boolean {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, userLines(acl).map((l) => l + '\n').join(''), { encoding: 'latin1', mode: 0o644 });
    renameSync(tmp, file);
    return true;
  } catch (e) {
    acl.server.log.warning(`Opening temp ACL file for ACL SAVE: ${strerror(e as NodeJS.ErrnoException)}`);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}

/** ACLLoadUsersAtStartup: `user` lines, or the aclfile, never both. Throws AclStartupError. */
export function loadUsersAtStartup(acl: Acl): void {
  const cfg = acl.server.config;
  const file = cfg.getString('aclfile');
  if (file !== '' && cfg.userLines.length > 0) {
    throw new AclStartupError([
      'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
    ]);
  }
  loadConfiguredUsers(acl);
  if (file !== '') {
    const err = loadAclFile(acl, file, null);
    if (err !== null) throw new AclStartupError([`Aborting Redis startup because of ACL errors: ${err}`]);
  }
}

function strerror(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'No such file or directory';
  if (e.code === 'EACCES') return 'Permission denied';
  if (e.code === 'EISDIR') return 'Is a directory';
  return e.message;
}
