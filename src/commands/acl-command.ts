// The ACL command's entries in the table: arity, flags, categories. The handlers
// belong to the ACL subsystem (src/acl/commands.ts binds them on the server's table),
// as the persistence and replication commands do.

import { cmd, type CommandFlag, type CommandSpec } from './table.js';

const ADMIN: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];
const PLAIN: CommandFlag[] = ['noscript', 'loading', 'stale'];

function sub(name: string, arity: number, flags: CommandFlag[], since: string, summary: string): CommandSpec {
  return cmd(name, arity, flags, [0, 0, 0], 'server', flags.includes('admin') ? ADMIN_ACL : ['slow'], undefined, { since, summary });
}

export const COMMANDS: CommandSpec[] = [
  cmd('acl', -2, [], [0, 0, 0], 'server', ['slow'], undefined, {
    since: '6.0.0',
    summary: 'A container for Access List Control commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub('cat', -2, PLAIN, '6.0.0', 'Lists the ACL categories, or the commands inside a category.'),
      sub('deluser', -3, ADMIN, '6.0.0', 'Deletes ACL users, and terminates their connections.'),
      sub('dryrun', -4, ADMIN, '7.0.0', 'Simulates the execution of a command by a user, without executing the command.'),
      sub('genpass', -2, PLAIN, '6.0.0', 'Generates a pseudorandom, secure password that can be used to identify ACL users.'),
      sub('getuser', 3, ADMIN, '6.0.0', 'Lists the ACL rules of a user.'),
      sub('help', 2, ['loading', 'stale'], '6.0.0', 'Returns helpful text about the different subcommands.'),
      sub('list', 2, ADMIN, '6.0.0', 'Dumps the effective rules in ACL file format.'),
      sub('load', 2, ADMIN, '6.0.0', 'Reloads the rules from the configured ACL file.'),
      sub('log', -2, ADMIN, '6.0.0', 'Lists recent security events generated due to ACL rules.'),
      sub('save', 2, ADMIN, '6.0.0', 'Saves the effective ACL rules in the configured ACL file.'),
      sub('setuser', -3, ADMIN, '6.0.0', 'Creates and modifies an ACL user and its rules.'),
      sub('users', 2, ADMIN, '6.0.0', 'Lists all ACL users.'),
      sub('whoami', 2, PLAIN, '6.0.0', 'Returns the authenticated username of the current connection.'),
    ],
  }),
];
