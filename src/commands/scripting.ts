// The specs of the scripting commands: EVAL, EVALSHA, their _RO forms and SCRIPT.
// Their handlers belong to the scripting subsystem (src/scripting/, bound on each
// server's table as MIGRATE's are), since they run the server's Lua VM; the table
// loads without it.

import { cmd, type CommandSpec } from './table.js';

const SCRIPTING = ['slow', 'scripting'];
const EVAL_FLAGS = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'] as const;

export const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
  'HELP',
  '    Prints this help.',
];

export const COMMANDS: CommandSpec[] = [
  cmd('eval', -3, [...EVAL_FLAGS], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
    since: '2.6.0',
    summary: 'Executes a server-side Lua script.',
    complexity: 'Depends on the script that is executed.',
  }),
  cmd('evalsha', -3, [...EVAL_FLAGS], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
    since: '2.6.0',
    summary: 'Executes a server-side Lua script by SHA1 digest.',
    complexity: 'Depends on the script that is executed.',
  }),
  cmd('eval_ro', -3, ['readonly', ...EVAL_FLAGS], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
    since: '7.0.0',
    summary: 'Executes a read-only server-side Lua script.',
    complexity: 'Depends on the script that is executed.',
  }),
  cmd('evalsha_ro', -3, ['readonly', ...EVAL_FLAGS], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
    since: '7.0.0',
    summary: 'Executes a read-only server-side Lua script by SHA1 digest.',
    complexity: 'Depends on the script that is executed.',
  }),
  cmd('script', -2, [], [0, 0, 0], 'scripting', ['slow'], undefined, {
    since: '2.6.0',
    summary: 'A container for Lua scripts management commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('debug', 3, ['noscript'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '3.2.0',
        summary: 'Sets the debug mode of server-side Lua scripts.',
        complexity: 'O(1)',
      }),
      cmd('exists', -3, ['noscript'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '2.6.0',
        summary: 'Determines whether server-side Lua scripts exist in the script cache.',
        complexity: 'O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).',
        tips: ['request_policy:all_shards', 'response_policy:agg_logical_and'],
      }),
      cmd('flush', -2, ['noscript'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '2.6.0',
        summary: 'Removes all server-side Lua scripts from the script cache.',
        complexity: 'O(N) with N being the number of scripts in cache',
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
      }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.',
        complexity: 'O(1)',
      }),
      cmd('kill', 2, ['noscript', 'allow_busy'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '2.6.0',
        summary: 'Terminates a server-side Lua script during execution.',
        complexity: 'O(1)',
        tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
      }),
      cmd('load', 3, ['noscript', 'stale'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '2.6.0',
        summary: 'Loads a server-side Lua script to the script cache.',
        complexity: 'O(N) with N being the length in bytes of the script body.',
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
      }),
    ],
  }),
];
