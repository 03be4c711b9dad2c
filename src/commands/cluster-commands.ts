// The specs of the commands that move keys between servers: MIGRATE (CLUSTER and
// RESTORE-ASKING join it with cluster mode). Their handlers belong to the cluster
// subsystem (src/cluster/migrate.ts, bound on each server's table), since MIGRATE
// talks to another server; the table loads without it.

import { cmd, type CommandSpec } from './table.js';

export const COMMANDS: CommandSpec[] = [
  cmd('migrate', -6, ['write'], [3, 3, 1], 'generic', ['keyspace', 'write', 'slow', 'dangerous'], undefined, {
    since: '2.6.0',
    summary: 'Atomically transfers a key from one Redis instance to another.',
    complexity:
      'This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.',
    tips: ['nondeterministic_output'],
  }),
];
