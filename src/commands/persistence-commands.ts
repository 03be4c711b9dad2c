// The persistence commands' specs: SAVE BGSAVE BGREWRITEAOF DUMP RESTORE. Their
// handlers belong to the persistence subsystem (src/persistence/commands.ts,
// bound on each server's table), so the table loads without it.

import { cmd, type CommandFlag, type CommandSpec } from './table.js';

// Redis flags SAVE no_async_loading, a flag CommandFlag does not list yet; COMMAND
// INFO prints it from the flags array all the same.
const SAVE_FLAGS = ['admin', 'noscript', 'no_async_loading', 'no_multi'] as unknown as CommandFlag[];

export const COMMANDS: CommandSpec[] = [
  cmd('save', 1, SAVE_FLAGS, [0, 0, 0], 'server', ['admin', 'slow', 'dangerous'], undefined, {
    summary: 'Synchronously saves the database(s) to disk.',
    complexity: 'O(N) where N is the total number of keys in all databases',
  }),
  cmd('bgsave', -1, ['admin', 'noscript', 'no_async_loading'] as unknown as CommandFlag[], [0, 0, 0], 'server', ['admin', 'slow', 'dangerous'], undefined, {
    summary: 'Asynchronously saves the database(s) to disk.',
    complexity: 'O(1)',
  }),
  cmd('dump', 2, ['readonly'], [1, 1, 1], 'generic', ['keyspace', 'read', 'slow'], undefined, {
    since: '2.6.0',
    summary: 'Returns a serialized representation of the value stored at a key.',
    complexity:
      'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).',
    tips: ['nondeterministic_output'],
  }),
  cmd('restore', -4, ['write', 'denyoom'], [1, 1, 1], 'generic', ['keyspace', 'write', 'slow', 'dangerous'], undefined, {
    since: '2.6.0',
    summary: 'Creates a key from the serialized representation of a value.',
    complexity:
      'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
  }),
  cmd('bgrewriteaof', 1, ['admin', 'noscript', 'no_async_loading'] as unknown as CommandFlag[], [0, 0, 0], 'server', ['admin', 'slow', 'dangerous'], undefined, {
    since: '1.0.0',
    summary: 'Asynchronously rewrites the append-only file to disk.',
    complexity: 'O(1)',
  }),
];
