// Command data of the atomic slot migration subcommands of CLUSTER (Cinnabar,
// beyond Redis 7.2; Valkey 9's shape, see src/cluster/slot-migration.ts). Written
// by hand: redis-server has no such commands to generate them from.

import type { CommandDataFile } from './types.js';

export const DATA: CommandDataFile = {
  'cluster|migrateslots': {
    since: '9.0.0',
    complexity: 'O(N) where N is the total number of the slots between all start slot and end slot arguments.',
    arguments: [
      {
        name: 'slotsrange',
        type: 'block',
        token: 'SLOTSRANGE',
        arguments: [
          {
            name: 'start-slot_end-slot',
            type: 'block',
            flags: ['multiple'],
            arguments: [
              { name: 'start-slot', type: 'integer', display_text: 'start-slot' },
              { name: 'end-slot', type: 'integer', display_text: 'end-slot' },
            ],
          },
        ],
      },
      { name: 'node-id', type: 'string', token: 'NODE', display_text: 'node-id' },
    ],
  },
  'cluster|cancelslotmigrations': { since: '9.0.0', complexity: 'O(N), where N is the number of active slot export jobs.' },
  'cluster|getslotmigrations': { since: '9.0.0', complexity: 'O(N), where N is the number of active slot import and export jobs.', tips: ['nondeterministic_output'] },
  'cluster|syncslots': { since: '9.0.0', complexity: 'Depends on subcommand.', doc_flags: ['syscmd'] },
};
