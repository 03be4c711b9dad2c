// Redis 7.2 command data written by hand, applied by ./index.ts over the files
// generated from redis-server 7.0 (see scripts/gen-command-docs.mjs): the
// commands 7.0 lacks, and the arguments and history entries 7.2 added to
// commands 7.0 has. From the Redis 7.2 command documentation; each entry
// replaces the named fields of the generated entry (absent fields are kept).

import type { CommandArg, CommandDataFile } from './types.js';

const WITHSCORE: CommandArg = { name: 'withscore', type: 'pure-token', token: 'WITHSCORE', flags: ['optional'] };

/** ZRANK and ZREVRANK in 7.2: the same arguments and history. */
const ZRANK_72: CommandDataFile[string] = {
  history: [['7.2.0', 'Added the optional `WITHSCORE` argument.']],
  arguments: [
    { name: 'key', type: 'key', display_text: 'key', key_spec_index: 0 },
    { name: 'member', type: 'string', display_text: 'member' },
    WITHSCORE,
  ],
};

export const REDIS_72: CommandDataFile = {
  // New commands.
  'cluster|myshardid': { since: '7.2.0', complexity: 'O(1)', tips: ['nondeterministic_output'] },
  waitaof: {
    since: '7.2.0',
    complexity: 'O(1)',
    tips: ['request_policy:all_shards', 'response_policy:agg_min'],
    arguments: [
      { name: 'numlocal', type: 'integer', display_text: 'numlocal' },
      { name: 'numreplicas', type: 'integer', display_text: 'numreplicas' },
      { name: 'timeout', type: 'integer', display_text: 'timeout' },
    ],
  },
  'client|setinfo': {
    since: '7.2.0',
    complexity: 'O(1)',
    tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
    arguments: [
      {
        name: 'attr',
        type: 'oneof',
        arguments: [
          { name: 'libname', type: 'string', display_text: 'libname', token: 'LIB-NAME' },
          { name: 'libver', type: 'string', display_text: 'libver', token: 'LIB-VER' },
        ],
      },
    ],
  },
  'client|no-touch': {
    since: '7.2.0',
    complexity: 'O(1)',
    arguments: [
      {
        name: 'enabled',
        type: 'oneof',
        arguments: [
          { name: 'on', type: 'pure-token', token: 'ON' },
          { name: 'off', type: 'pure-token', token: 'OFF' },
        ],
      },
    ],
  },
  // ZRANK / ZREVRANK ... WITHSCORE.
  zrank: ZRANK_72,
  zrevrank: ZRANK_72,
};
