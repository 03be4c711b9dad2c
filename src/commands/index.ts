// Every command family, gathered into the one table the server registers.

import type { CommandSpec } from './table.js';
import { COMMANDS as connection } from './connection.js';
import { COMMANDS as transactions } from './transactions.js';
import { COMMANDS as pubsub } from './pubsub.js';
import { COMMANDS as strings } from './strings.js';
import { COMMANDS as bitmaps } from './bitmaps.js';
import { COMMANDS as keys } from './keys.js';
import { COMMANDS as lists } from './lists.js';
import { COMMANDS as hashes } from './hashes.js';
import { COMMANDS as sets } from './sets.js';
import { COMMANDS as zsets } from './zsets.js';
import { COMMANDS as server } from './server.js';
import { COMMANDS as client } from './client.js';
import { COMMANDS as persistence } from './persistence.js';
import { COMMANDS as aof } from './aof.js';
import { COMMANDS as replication } from './replication.js';

export const ALL_COMMANDS: CommandSpec[] = [
  ...connection,
  ...transactions,
  ...pubsub,
  ...strings,
  ...bitmaps,
  ...keys,
  ...lists,
  ...hashes,
  ...sets,
  ...zsets,
  ...server,
  ...client,
  ...persistence,
  ...aof,
  ...replication,
];
