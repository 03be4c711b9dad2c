// CONFIG GET / SET / RESETSTAT / REWRITE over the configuration table (src/config/),
// and the protected-action rule (enable-protected-configs, enable-debug-command).
//
// CONFIG SET bind/port/unixsocket change the value only (listeners are not re-opened).

import { readFileSync, existsSync } from 'node:fs';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { cmd, type CommandFlag, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import type { ServerContext } from './context.js';
import { reprString } from '../util/format.js';
import { Config, ConfigError, findDirective, type Directive } from '../config/config.js';
import { splitArgs } from '../protocol/parser.js';
import { addHelp } from './client-command.js';


// ---- installation -----------------------------------------------------------------------

const DEBUG_DENIED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

/** Redis's islocalClient: a unix socket or a loopback address. */
export function isLocalClient(c: Client): boolean {
  const s = c.socket;
  if (!s) return true;
  const a = s.remoteAddress;
  if (!a) return true;
  return a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');
}

/** Redis's allowProtectedAction for enable-debug-command / enable-protected-configs. */
function allowProtected(c: Client, setting: string): boolean {
  const v = c.server.config.getString(setting);
  return v === 'yes' || (v === 'local' && isLocalClient(c));
}

/** Whether a client may run DEBUG under enable-debug-command (the protected-command phase). */
export function debugAllowed(c: Client): boolean {
  return allowProtected(c, 'enable-debug-command');
}

export { DEBUG_DENIED };

// ---- CONFIG -----------------------------------------------------------------------------

function configGet(c: Client, argv: string[]): void {
  const pairs = c.server.config.matching(argv.slice(2));
  c.addMapLen(pairs.length);
  for (const [k, v] of pairs) {
    c.addBulk(k);
    c.addBulk(v);
  }
}

/** Configs CONFIG SET refuses unless enable-protected-configs allows it. */
const PROTECTED_CONFIGS = new Set(['dir', 'dbfilename']);

/** strerror text for a Node error code (CONFIG SET dir reports it as Redis does). */
function strerror(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EPERM':
      return 'Operation not permitted';
    case 'ENAMETOOLONG':
      return 'File name too long';
    case 'ELOOP':
      return 'Too many levels of symbolic links';
    case 'EROFS':
      return 'Read-only file system';
    case 'ENOSPC':
      return 'No space left on device';
    default:
      return e.message;
  }
}

function configSet(c: Client, argv: string[]): void {
  const s = c.server;
  const cfg = s.config;
  if ((argv.length - 2) % 2 !== 0) {
    c.addError('ERR syntax error');
    return;
  }
  const n = (argv.length - 2) / 2;
  const dirs: Directive[] = [];
  const seen = new Set<string>();
  let unknown: string | null = null;
  let errArg: string | null = null;
  let errStr = '';
  for (let i = 0; i < n; i++) {
    const name = argv[2 + i * 2];
    const d = findDirective(name);
    // Every sensitive value is redacted, even past an error, as in Redis.
    if (d?.sensitive) c.redactArgument(3 + i * 2);
    // The first problem found is the one reported.
    if (unknown !== null || errArg !== null) continue;
    if (!d) {
      unknown = name;
      continue;
    }
    if (!d.mutable) {
      errArg = name;
      errStr = "can't set immutable config";
      continue;
    }
    if (PROTECTED_CONFIGS.has(d.name) && !allowProtected(c, 'enable-protected-configs')) {
      errArg = name;
      errStr = "can't set protected config";
      continue;
    }
    // A name given twice is refused; a name and its alias are not (the last one wins), as in Redis.
    const lname = name.toLowerCase();
    if (seen.has(lname)) {
      errArg = name;
      errStr = 'duplicate parameter';
      continue;
    }
    seen.add(lname);
    dirs.push(d);
  }
  if (unknown !== null) {
    c.addError(`ERR Unknown option or number of arguments for CONFIG SET - '${unknown}'`);
    return;
  }
  if (errArg !== null) {
    c.addError(`ERR CONFIG SET failed (possibly related to argument '${errArg}') - ${errStr}`);
    return;
  }
  // Validate every value before changing anything.
  for (let i = 0; i < n; i++) {
    try {
      cfg.parseValue(dirs[i], [argv[3 + i * 2]]);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      c.addError(`ERR CONFIG SET failed (possibly related to argument '${argv[2 + i * 2]}') - ${e.message}`);
      return;
    }
  }
  // Apply; on a failure (chdir) restore what was already applied.
  const old: string[] = dirs.map((d) => cfg.format(d));
  for (let i = 0; i < n; i++) {
    const d = dirs[i];
    let value = argv[3 + i * 2];
    try {
      if (d.name === 'dir') {
        process.chdir(value);
        value = process.cwd();
      }
      cfg.set(d.name, [value]);
    } catch (e) {
      // Including directive i: its value may be stored when a change listener refused it.
      for (let j = i; j >= 0; j--) {
        try {
          if (dirs[j].name === 'dir') process.chdir(old[j]);
          cfg.set(dirs[j].name, [old[j]]);
        } catch {
          /* best effort */
        }
      }
      const msg = e instanceof ConfigError ? e.message : strerror(e as NodeJS.ErrnoException);
      c.addError(`ERR CONFIG SET failed (possibly related to argument '${argv[2 + i * 2]}') - ${msg}`);
      return;
    }
  }
  c.addOk();
}

/** Zeroes the statistics INFO reports (CONFIG RESETSTAT). */
export function resetStats(s: ServerContext): void {
  const st = s.stats as unknown as Record<string, number>;
  for (const k of Object.keys(st)) if (typeof st[k] === 'number') st[k] = 0;
  const ks = s.ks.stats as unknown as Record<string, number>;
  for (const k of Object.keys(ks)) if (typeof ks[k] === 'number') ks[k] = 0;
  s.cmdStats.clear();
  s.errorStats.clear();
  s.authFailures = 0;
  for (const h of s.resetStatHooks) h();
}

function configResetstat(c: Client): void {
  resetStats(c.server);
  c.addOk();
}

const REWRITE_SIGNATURE = '# Generated by CONFIG REWRITE';

/** "1gb" / "64mb" / "16kb" / "1000" as CONFIG REWRITE prints memory values. */
function formatMemoryValue(v: number): string {
  const GB = 1024 * 1024 * 1024;
  const MB = 1024 * 1024;
  if (v !== 0 && v % GB === 0) return `${v / GB}gb`;
  if (v !== 0 && v % MB === 0) return `${v / MB}mb`;
  if (v !== 0 && v % 1024 === 0) return `${v / 1024}kb`;
  return String(v);
}

/** The config-file lines for a directive's current value (several for save, cobl). */
export function configRewriteLines(cfg: Config, d: Directive): string[] {
  const v = cfg.get(d.name);
  switch (d.kind) {
    case 'bool':
      return [`${d.name} ${v ? 'yes' : 'no'}`];
    case 'int':
      return [`${d.name} ${v}`];
    case 'memory':
      return [`${d.name} ${formatMemoryValue(v as number)}`];
    case 'enum':
      return [`${d.name} ${v}`];
    case 'string':
      return [`${d.name} ${reprString(v as string)}`];
    case 'special':
      break;
  }
  switch (d.name) {
    case 'save': {
      const w = v as string[];
      if (w.length === 0) return ['save ""'];
      const out: string[] = [];
      for (let i = 0; i + 1 < w.length; i += 2) out.push(`save ${w[i]} ${w[i + 1]}`);
      return out;
    }
    case 'client-output-buffer-limit': {
      const w = v as string[];
      const out: string[] = [];
      for (let i = 0; i + 3 < w.length; i += 4) {
        out.push(`client-output-buffer-limit ${w[i]} ${formatMemoryValue(Number(w[i + 1]))} ${formatMemoryValue(Number(w[i + 2]))} ${w[i + 3]}`);
      }
      return out;
    }
    case 'notify-keyspace-events':
      return [`${d.name} ${reprString(cfg.format(d))}`];
    case 'replicaof': {
      const t = cfg.format(d);
      return t === '' ? [] : [`replicaof ${t}`];
    }
    default: {
      const t = cfg.format(d);
      return [`${d.name} ${t === '' ? '""' : t}`];
    }
  }
}

/**
 * CONFIG REWRITE: rewrites the config file in place. Comments, blank lines and lines
 * that are not directives (include, rename-command, user...) are kept; a directive's
 * first line is replaced by its current value and its other lines are dropped;
 * directives that differ from their default and were not in the file are appended
 * after a "# Generated by CONFIG REWRITE" line. `dir` and `save` are always written.
 */
export function rewriteConfigFile(s: ServerContext, file: string): void {
  const cfg = s.config;
  const defaults = new Config();
  const oldText = existsSync(file) ? readFileSync(file, 'latin1') : '';
  const lines: Array<string | null> = oldText === '' ? [] : oldText.replace(/\r?\n$/, '').split(/\r?\n/);
  const where = new Map<string, number[]>();
  let hasSignature = false;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '' || t.startsWith('#')) {
      if (t === REWRITE_SIGNATURE) hasSignature = true;
      continue;
    }
    const args = splitArgs(t);
    if (!args || args.length === 0) continue;
    const d = findDirective(args[0]);
    if (!d) continue;
    let list = where.get(d.name);
    if (!list) {
      list = [];
      where.set(d.name, list);
    }
    list.push(i);
  }
  const appended: string[] = [];
  for (const d of cfg.all()) {
    const cur = configRewriteLines(cfg, d);
    const force = d.name === 'dir' || d.name === 'save' || cfg.format(d) !== defaults.format(d);
    const lineIdx = where.get(d.name) ?? [];
    if (lineIdx.length === 0 && !force) continue;
    let k = 0;
    for (const line of cur) {
      if (k < lineIdx.length) lines[lineIdx[k++]] = line;
      else appended.push(line);
    }
    for (; k < lineIdx.length; k++) lines[lineIdx[k]] = null;
  }
  const out: string[] = [];
  for (const l of lines) if (l !== null) out.push(l);
  if (appended.length > 0) {
    if (!hasSignature) out.push(REWRITE_SIGNATURE);
    out.push(...appended);
  }
  writeFileAtomicSync(file, `${file}.tmp-${process.pid}`, out.join('\n') + '\n');
}

function configRewrite(c: Client): void {
  const file = c.server.config.file;
  if (!file) {
    c.addError('ERR The server is running without a config file');
    return;
  }
  try {
    rewriteConfigFile(c.server, file);
  } catch (e) {
    const msg = strerror(e as NodeJS.ErrnoException);
    c.server.log.warning(`CONFIG REWRITE failed: ${msg}`);
    c.addError(`ERR Rewriting config file: ${msg}`);
    return;
  }
  c.server.log.notice('CONFIG REWRITE executed with success.');
  c.addOk();
}

const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];


// ---- the table --------------------------------------------------------------------------

const ADMIN: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];

export const COMMANDS: CommandSpec[] = [
  cmd('config', -2, [], [0, 0, 0], 'server', ['slow'], undefined, {
    since: '2.0.0',
    summary: 'A container for server configuration commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('get', -3, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, configGet, { since: '2.0.0', summary: 'Returns the effective values of configuration parameters.', complexity: 'O(N) when N is the number of configuration parameters provided' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow'], (c) => addHelp(c, CONFIG_HELP), { since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('resetstat', 2, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, configResetstat, { since: '2.0.0', summary: 'Resets the server\'s statistics.', complexity: 'O(1)' }),
      cmd('rewrite', 2, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, configRewrite, { since: '2.8.0', summary: 'Persists the effective configuration to file.', complexity: 'O(1)' }),
      cmd('set', -4, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, configSet, { since: '2.0.0', summary: 'Sets configuration parameters in-flight.', complexity: 'O(N) when N is the number of configuration parameters provided' }),
    ],
  }),
];
