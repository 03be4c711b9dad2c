// BGREWRITEAOF: rewrites the append-only file in the background (a fork-less
// snapshot becomes the new base; see persistence/aof.ts). Replies as Redis 7.2:
// "Background append only file rewriting started", "... scheduled" while a BGSAVE
// runs or inside MULTI/EXEC, "-ERR Background append only file rewriting already
// in progress".

import { cmd, type CommandFlag, type CommandSpec } from './table.js';
import { bgrewriteaofCommand } from '../persistence/aof.js';

export const COMMANDS: CommandSpec[] = [
  cmd('bgrewriteaof', 1, ['admin', 'noscript', 'no_async_loading'] as unknown as CommandFlag[], [0, 0, 0], 'server', ['admin', 'slow', 'dangerous'], bgrewriteaofCommand, {
    since: '1.0.0',
    summary: 'Asynchronously rewrites the append-only file to disk.',
    complexity: 'O(1)',
  }),
];
