// MODULE LIST / LOAD / LOADEX / UNLOAD / HELP, and the start-up `loadmodule` check.
// Cinnabar cannot load Redis modules (they are native code written against
// redis-server's C API), so no module is ever loaded: MODULE LIST answers an empty
// array, and LOAD/LOADEX refuse with the reply redis-server gives for a module that
// cannot load ("Error loading the extension. Please check the server logs."), after
// logging why as redis-server logs it. A `loadmodule` line aborts start-up with
// redis-server's two log lines and exit code 1 (cli/cinnabar-server.ts), so a
// redis.conf that needs RedisJSON fails at once instead of at `JSON.SET`.
//
// LOAD, LOADEX and UNLOAD are protected commands under enable-module-command, as
// in Redis (the `protected` phase: moduleCommandDenied).

import { statSync, type Stats } from 'node:fs';
import { cmd, type CommandFlag, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { addHelp } from './client-command.js';

export const MODULE_DENIED =
  'ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

/** MODULE LOAD, LOADEX or UNLOAD: the protected ones (cheap name tests first: the phase runs for every command). */
export function isModuleLoadOrUnload(spec: CommandSpec): boolean {
  const n = spec.name;
  return (n === 'load' || n === 'loadex' || n === 'unload') && spec.fullName !== undefined && spec.fullName.startsWith('module|');
}

/**
 * Why a module at `path` cannot load, as redis-server's moduleLoad words it where
 * it would fail the same way (a file without execute permission; dlopen's text for
 * a missing file), else ours: we never run native code.
 */
export function moduleLoadFailure(path: string): string {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return `${path}: cannot open shared object file: No such file or directory`;
  }
  if ((st.mode & 0o111) === 0) return 'It does not have execute permissions.';
  return `${path}: Cinnabar cannot load Redis modules (native code for redis-server's module API)`;
}

function moduleLoad(c: Client, argv: string[]): void {
  c.server.log.warning(`Module ${argv[2]} failed to load: ${moduleLoadFailure(argv[2])}`);
  c.addError('ERR Error loading the extension. Please check the server logs.');
}

const MODULE_HELP = [
  'MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LIST',
  '    Return a list of loaded modules.',
  'LOAD <path> [<arg> ...]',
  '    Load a module library from <path>, passing to it any optional arguments.',
  'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
  '    Load a module library from <path>, while passing it module configurations and optional arguments.',
  'UNLOAD <name>',
  '    Unload a module.',
  'HELP',
  '    Prints this help.',
];

const ADMIN_ACL = ['admin', 'slow', 'dangerous'];
// no_async_loading: a flag CommandFlag does not list (as SAVE's in persistence-commands.ts).
const LOAD_FLAGS = ['admin', 'noscript', 'no_async_loading'] as unknown as CommandFlag[];

export const COMMANDS: CommandSpec[] = [
  cmd('module', -2, [], [0, 0, 0], 'server', ['slow'], undefined, {
    since: '4.0.0',
    summary: 'A container for module commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow'], (c) => addHelp(c, MODULE_HELP), { since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('list', 2, ['admin', 'noscript'], [0, 0, 0], 'server', ADMIN_ACL, (c) => c.addArrayLen(0), { since: '4.0.0', summary: 'Returns all loaded modules.', complexity: 'O(N) where N is the number of loaded modules.', tips: ['nondeterministic_output_order'] }),
      cmd('load', -3, LOAD_FLAGS, [0, 0, 0], 'server', ADMIN_ACL, moduleLoad, { since: '4.0.0', summary: 'Loads a module.', complexity: 'O(1)' }),
      cmd('loadex', -3, LOAD_FLAGS, [0, 0, 0], 'server', ADMIN_ACL, moduleLoad, { since: '7.0.0', summary: 'Loads a module using extended parameters.', complexity: 'O(1)' }),
      cmd('unload', 3, LOAD_FLAGS, [0, 0, 0], 'server', ADMIN_ACL, (c) => c.addError('ERR Error unloading module: no such module with that name'), { since: '4.0.0', summary: 'Unloads a module.', complexity: 'O(1)' }),
    ],
  }),
];
