// SLOWLOG and MONITOR.

import { cmd, type CommandFlag, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { CLIENT_MONITOR, CLIENT_REPLICA } from './context.js';
import { parseIntArg } from '../util/numbers.js';
import { addHelp, subcommandSyntaxError } from './client-command.js';


// ---- SLOWLOG ----------------------------------------------------------------------------

function slowlogGet(c: Client, argv: string[]): void {
  let count = 10;
  if (argv.length === 3) {
    const v = parseIntArg(argv[2]);
    if (v === null || v < -1) {
      c.addError('ERR count should be greater than or equal to -1');
      return;
    }
    count = v === -1 ? Infinity : v;
  } else if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const log = c.server.slowlog;
  const n = Math.min(count, log.length);
  c.addArrayLen(n);
  for (let i = 0; i < n; i++) {
    const e = log[i];
    c.addArrayLen(6);
    c.addInt(e.id);
    c.addInt(e.time);
    c.addInt(e.durationUs);
    c.addBulkArray(e.argv);
    c.addBulk(e.addr);
    c.addBulk(e.name);
  }
}

const SLOWLOG_HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];

// ---- MONITOR ----------------------------------------------------------------------------

function monitor(c: Client): void {
  if (c.denyBlocking) {
    c.addError("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  if (c.flags & (CLIENT_MONITOR | CLIENT_REPLICA)) return;
  c.flags |= CLIENT_MONITOR;
  c.server.monitors.add(c);
  c.addOk();
}


// ---- the table --------------------------------------------------------------------------

const ADMIN: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];

export const COMMANDS: CommandSpec[] = [
  cmd('slowlog', -2, [], [0, 0, 0], 'server', ['slow'], undefined, {
    since: '2.2.12',
    summary: 'A container for slow log commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('get', -2, ['admin', 'loading', 'stale'], [0, 0, 0], 'server', ADMIN_ACL, slowlogGet, { since: '2.2.12', summary: 'Returns the slow log\'s entries.', complexity: 'O(N) where N is the number of entries returned' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow'], (c) => addHelp(c, SLOWLOG_HELP), { since: '6.2.0', summary: 'Show helpful text about the different subcommands', complexity: 'O(1)' }),
      cmd('len', 2, ['admin', 'loading', 'stale'], [0, 0, 0], 'server', ADMIN_ACL, (c) => c.addInt(c.server.slowlog.length), { since: '2.2.12', summary: 'Returns the number of entries in the slow log.', complexity: 'O(1)' }),
      cmd('reset', 2, ['admin', 'loading', 'stale'], [0, 0, 0], 'server', ADMIN_ACL, (c) => {
        c.server.slowlog = [];
        c.addOk();
      }, { since: '2.2.12', summary: 'Clears all entries from the slow log.', complexity: 'O(N) where N is the number of entries in the slowlog' }),
    ],
  }),
  cmd('monitor', 1, ADMIN, [0, 0, 0], 'server', ADMIN_ACL, monitor, { since: '1.0.0', summary: 'Listens for all requests received by the server in real-time.' }),
];
