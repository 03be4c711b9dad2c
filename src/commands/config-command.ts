// CONFIG GET / SET / RESETSTAT / REWRITE over the configuration table (src/config/),
// and the protected-action rule (enable-protected-configs, enable-debug-command).
//
// CONFIG SET port and bind re-open the TCP listeners (the unix socket is immutable).

import { readFileSync, existsSync } from 'node:fs';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { cmd, type CommandFlag, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import type { ServerContext } from './context.js';
import { reprString } from '../util/format.js';
import { Config, ConfigError, findDirective, type Directive } from '../config/config.js';
import { serverConfigRewrite } from '../config/rewrite.js';
import { createHash } from 'node:crypto';
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
  // 127.0.0.1 and ::1 only, not the rest of 127/8, as Redis compares.
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
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

/** Whether a client may run MODULE LOAD/LOADEX/UNLOAD under enable-module-command. */
export function moduleAllowed(c: Client): boolean {
  return allowProtected(c, 'enable-module-command');
}

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
  // Set phase: every value is checked, then set in the order given; the first that
  // fails puts back every value set before it (Redis's performInterfaceSet loop).
  // A set error names the directive as Redis spells it (lower case).
  for (let i = 0; i < n; i++) {
    try {
      cfg.parseValue(dirs[i], [argv[3 + i * 2]]);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      c.addError(`ERR CONFIG SET failed (possibly related to argument '${argv[2 + i * 2].toLowerCase()}') - ${e.message}`);
      return;
    }
  }
  const old: string[] = dirs.map((d) => cfg.format(d));
  /** Apply steps to run once every value is set, each once, in the order of its first directive. */
  const applies: Array<{ step: ApplyStep; arg: string }> = [];
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
      restoreValues(cfg, dirs.slice(0, i + 1), old);
      const msg = e instanceof ConfigError ? e.message : strerror(e as NodeJS.ErrnoException);
      c.addError(`ERR CONFIG SET failed (possibly related to argument '${argv[2 + i * 2].toLowerCase()}') - ${msg}`);
      return;
    }
    const step = APPLY_STEPS.get(d.name);
    // An int set to the value it has is "unchanged" in Redis, and its apply step does not run.
    if (step && (d.name !== 'port' || cfg.format(d) !== old[i]) && !applies.some((a) => a.step === step)) applies.push({ step, arg: d.name });
  }
  // Apply phase: on a failure every value is put back and the steps run again on the old values.
  for (const { step, arg } of applies) {
    const err = step(s);
    if (err === null) continue;
    s.log.warning(`Failed applying new configuration. Possibly related to new ${arg} setting. Restoring previous settings.`);
    restoreValues(cfg, dirs, old);
    for (const a of applies) {
      if (a.step(s) !== null) s.log.warning(`Failed applying restored configuration. Possibly related to ${a.arg} setting.`);
    }
    c.addError(`ERR CONFIG SET failed (possibly related to argument '${arg}') - ${err}`);
    return;
  }
  c.addOk();
}

/** Puts back the values CONFIG SET changed (best effort: they were valid before). */
function restoreValues(cfg: Config, dirs: Directive[], old: string[]): void {
  for (let j = dirs.length - 1; j >= 0; j--) {
    try {
      if (dirs[j].name === 'dir') process.chdir(old[j]);
      cfg.set(dirs[j].name, [old[j]]);
    } catch {
      /* best effort */
    }
  }
}

/** An apply step: null when it worked, else Redis's error text. */
type ApplyStep = (s: ServerContext) => string | null;

/**
 * Directives whose change takes effect once every value of a CONFIG SET is set
 * (Redis's apply functions): the TCP listeners are re-opened on the new port or
 * bind addresses. port and bind have separate steps, as in Redis, so the error
 * names the one that ran first.
 */
const applyPort: ApplyStep = (s) => (s.rebindTcp(s.config.getNumber('port')) ? null : 'Unable to listen on this port. Check server logs.');
const applyBind: ApplyStep = (s) => {
  if (s.rebindTcp(s.config.getNumber('port') || s.port)) return null;
  s.log.warning('Failed to bind');
  return 'Failed to bind to specified addresses.';
};
const APPLY_STEPS = new Map<string, ApplyStep>([
  ['port', applyPort],
  ['bind', applyBind],
]);

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
        // The replica class is written under its new name, as Redis does.
        out.push(`client-output-buffer-limit ${w[i] === 'slave' ? 'replica' : w[i]} ${formatMemoryValue(Number(w[i + 1]))} ${formatMemoryValue(Number(w[i + 2]))} ${w[i + 3]}`);
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

/** Directives Redis writes on every rewrite, even at their default and not in the file. */
const ALWAYS_WRITTEN = new Set(['dir', 'save', 'latency-tracking-info-percentiles']);

/**
 * The "user default ..." line Redis writes for its default user (no ACL users here
 * yet). A default user that a `user default` line defined at start-up is
 * described with the sanitize-payload flag, as redis-server 7.0 does.
 */
function defaultUserLine(requirepass: string, fromFile: boolean): string {
  const pass = requirepass === '' ? 'nopass' : `#${createHash('sha256').update(requirepass, 'latin1').digest('hex')}`;
  return `user default on ${pass}${fromFile ? ' sanitize-payload' : ''} ~* &* +@all`;
}

/**
 * CONFIG REWRITE as redis-server 7 does it (config/rewrite.ts keeps the state):
 * every directive is written over its old line in Redis's canonical form (lower
 * case, strings quoted, memory as kb/mb/gb), its extra lines are blanked, and
 * those not in the file are appended after "# Generated by CONFIG REWRITE" when
 * they differ from their default (dir, save and latency-tracking-info-percentiles
 * always). client-output-buffer-limit is one line per class, forced for the
 * classes not at their default; replicaof is dropped when not replicating. The
 * default user is written last (lines of other users are kept as written).
 */
export function rewriteConfigFile(s: ServerContext, file: string): void {
  const cfg = s.config;
  const defaults = new Config();
  const oldText = existsSync(file) ? readFileSync(file, 'latin1') : '';
  const state = serverConfigRewrite(oldText, (name) => (name === 'default' ? 'user' : `user ${name}`));
  for (const d of cfg.all()) {
    if (d.name === 'client-output-buffer-limit') {
      const cur = cfg.getList(d.name);
      const def = defaults.getList(d.name);
      const lines = configRewriteLines(cfg, d);
      for (let i = 0, k = 0; i + 3 < cur.length; i += 4, k++) {
        const j = def.indexOf(cur[i]);
        const same = j >= 0 && def.slice(j, j + 4).join(' ') === cur.slice(i, i + 4).join(' ');
        state.rewrite(d.name, lines[k], !same);
      }
      state.markProcessed(d.name);
      continue;
    }
    const force = ALWAYS_WRITTEN.has(d.name) || cfg.format(d) !== defaults.format(d);
    for (const line of configRewriteLines(cfg, d)) state.rewrite(d.name, line, force);
    state.markProcessed(d.name);
  }
  if (cfg.getString('aclfile') === '') state.rewrite('user', defaultUserLine(cfg.getString('requirepass'), cfg.defaultUserFromFile), true);
  else state.markProcessed('user');
  writeFileAtomicSync(file, `${file}.tmp-${process.pid}`, state.text());
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
