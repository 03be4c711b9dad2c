// The specs of the scripting commands: EVAL, EVALSHA, their _RO forms, SCRIPT,
// FCALL, FCALL_RO and FUNCTION.
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

export const FUNCTION_HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
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
  cmd('fcall', -3, [...EVAL_FLAGS], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
    since: '7.0.0',
    summary: 'Invokes a function.',
    complexity: 'Depends on the function that is executed.',
  }),
  cmd('fcall_ro', -3, ['readonly', ...EVAL_FLAGS], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
    since: '7.0.0',
    summary: 'Invokes a read-only function.',
    complexity: 'Depends on the function that is executed.',
  }),
  cmd('function', -2, [], [0, 0, 0], 'scripting', ['slow'], undefined, {
    since: '7.0.0',
    summary: 'A container for function commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('delete', 3, ['write', 'noscript'], [0, 0, 0], 'scripting', ['write', ...SCRIPTING], undefined, {
        since: '7.0.0',
        summary: 'Deletes a library and its functions.',
        complexity: 'O(1)',
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
      }),
      cmd('dump', 2, ['noscript'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '7.0.0',
        summary: 'Dumps all libraries into a serialized binary payload.',
        complexity: 'O(N) where N is the number of functions',
      }),
      cmd('flush', -2, ['write', 'noscript'], [0, 0, 0], 'scripting', ['write', ...SCRIPTING], undefined, {
        since: '7.0.0',
        summary: 'Deletes all libraries and functions.',
        complexity: 'O(N) where N is the number of functions deleted',
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
      }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '7.0.0',
        summary: 'Returns helpful text about the different subcommands.',
        complexity: 'O(1)',
      }),
      cmd('kill', 2, ['noscript', 'allow_busy'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '7.0.0',
        summary: 'Terminates a function during execution.',
        complexity: 'O(1)',
        tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
      }),
      cmd('list', -2, ['noscript'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '7.0.0',
        summary: 'Returns information about all libraries.',
        complexity: 'O(N) where N is the number of functions',
        tips: ['nondeterministic_output_order'],
      }),
      cmd('load', -3, ['write', 'denyoom', 'noscript'], [0, 0, 0], 'scripting', ['write', ...SCRIPTING], undefined, {
        since: '7.0.0',
        summary: 'Creates a library.',
        complexity: 'O(1) (considering compilation time is redundant)',
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
      }),
      cmd('restore', -3, ['write', 'denyoom', 'noscript'], [0, 0, 0], 'scripting', ['write', ...SCRIPTING], undefined, {
        since: '7.0.0',
        summary: 'Restores all libraries from a payload.',
        complexity: 'O(N) where N is the number of functions on the payload',
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
      }),
      cmd('stats', 2, ['noscript', 'allow_busy'], [0, 0, 0], 'scripting', SCRIPTING, undefined, {
        since: '7.0.0',
        summary: 'Returns information about a function during execution.',
        complexity: 'O(1)',
        tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
      }),
    ],
  }),
];
