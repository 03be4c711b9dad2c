// Every command family, gathered into the one table the server registers. Importing
// this module loads the specs and the handlers of the families that need nothing but
// the command context; no server, socket, persistence or replication module
// (test/unit/command-table.test.ts proves it).

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
import { COMMANDS as hyperloglog } from './hyperloglog.js';
import { COMMANDS as geo } from './geo.js';
import { commandContainerSpec } from './command-info.js';
import { COMMANDS as config } from './config-command.js';
import { COMMANDS as databases } from './databases.js';
import { COMMANDS as admin } from './admin.js';
import { COMMANDS as debug } from './debug.js';
import { COMMANDS as objectMemory } from './object-memory.js';
import { COMMANDS as slowlogMonitor } from './slowlog-monitor.js';
import { COMMANDS as client } from './client-command.js';
import { COMMANDS as persistence } from './persistence-commands.js';
import { COMMANDS as replication } from './replication-commands.js';
import { COMMANDS as cluster } from './cluster-commands.js';
import { COMMANDS as modules } from './modules.js';
import { COMMANDS as acl } from './acl-command.js';
import { COMMANDS as streams } from './streams.js';
import { COMMANDS as scripting } from './scripting.js';
import { COMMANDS as latency } from './latency.js';

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
  ...hyperloglog,
  ...geo,
  ...admin,
  ...config,
  ...databases,
  ...debug,
  ...objectMemory,
  ...slowlogMonitor,
  commandContainerSpec(),
  ...client,
  ...persistence,
  ...replication,
  ...cluster,
  ...modules,
  ...acl,
  ...streams,
  ...scripting,
  ...latency,
];
