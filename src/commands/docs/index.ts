// The command data, merged: the files generated from redis-server 7.0, the
// hand-written Redis 7.2 changes over them, and the channel positions. Looked up
// by full command name ("get", "client|kill"); CommandTable attaches it to specs.

import type { CommandData, CommandDataFile } from './types.js';
import { DATA as bitmap } from './bitmap-docs.js';
import { DATA as connection } from './connection-docs.js';
import { DATA as generic } from './generic-docs.js';
import { DATA as geo } from './geo-docs.js';
import { DATA as hash } from './hash-docs.js';
import { DATA as hyperloglog } from './hyperloglog-docs.js';
import { DATA as list } from './list-docs.js';
import { DATA as pubsub } from './pubsub-docs.js';
import { DATA as server } from './server-docs.js';
import { DATA as set } from './set-docs.js';
import { DATA as sortedSet } from './sorted-set-docs.js';
import { DATA as string } from './string-docs.js';
import { DATA as transactions } from './transactions-docs.js';
import { DATA as stream } from './stream-docs.js';
import { DATA as scripting } from './scripting-docs.js';
import { DATA as cluster } from './cluster-docs.js';
import { REDIS_72 } from './redis72.js';
import { DATA as slotMigration } from './slot-migration-docs.js';
import { CHANNELS } from './channels.js';

export type * from './types.js';

const GENERATED: CommandDataFile[] = [bitmap, connection, generic, geo, hash, hyperloglog, list, pubsub, server, set, sortedSet, string, transactions, stream, scripting, cluster, slotMigration];

function build(): Map<string, CommandData> {
  const out = new Map<string, CommandData>();
  for (const file of GENERATED) {
    for (const [name, d] of Object.entries(file)) {
      if (out.has(name)) throw new Error(`command data: ${name} in two files`);
      out.set(name, d);
    }
  }
  for (const patch of [REDIS_72, CHANNELS]) {
    for (const [name, d] of Object.entries(patch)) out.set(name, { ...out.get(name), ...d });
  }
  return out;
}

const ALL = build();

/** The data of a command by full name, or undefined when the table has none. */
export function commandData(fullName: string): CommandData | undefined {
  return ALL.get(fullName);
}

/** Every full name with data (for tests). */
export function commandDataNames(): string[] {
  return [...ALL.keys()];
}
