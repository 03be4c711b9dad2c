// Keyspace-wide commands: DBSIZE FLUSHDB FLUSHALL SWAPDB.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import type { ServerContext } from './context.js';
import type { Database } from '../keyspace/keyspace.js';
import { parseIntArg } from '../util/numbers.js';


// ---- keyspace-wide commands -------------------------------------------------------------

function dbsize(c: Client): void {
  c.addInt(c.db.size);
}

/**
 * Parses FLUSHDB/FLUSHALL's optional ASYNC|SYNC: whether to free lazily (without
 * the option, lazyfree-lazy-user-flush decides), or null (after replying) on a
 * syntax error.
 */
function flushOption(c: Client, argv: string[]): boolean | null {
  if (argv.length > 2) {
    c.addError('ERR syntax error');
    return null;
  }
  if (argv.length === 2) {
    const o = argv[1].toLowerCase();
    if (o !== 'async' && o !== 'sync') {
      c.addError('ERR syntax error');
      return null;
    }
    return o === 'async';
  }
  return c.server.config.getBool('lazyfree-lazy-user-flush');
}

/** Empties one database: WATCHers of its keys are touched, the evictor forgets its candidates. */
function emptyDb(s: ServerContext, db: Database, lazy = false): number {
  const removed = db.size;
  if (removed > 0) s.touchAllWatchedKeysInDb(db);
  if (lazy) db.clearAsync();
  else db.clear();
  s.signalDbReplaced(db);
  return removed;
}

function flushdb(c: Client, argv: string[]): void {
  const lazy = flushOption(c, argv);
  if (lazy === null) return;
  const s = c.server;
  s.dirty += emptyDb(s, c.db, lazy);
  s.resetEvictionPool();
  s.tracking.flushed();
  // Propagated even when the database was already empty, as Redis does.
  c.alsoPropagate(argv.slice());
  c.preventPropagation();
  c.addOk();
}

function flushall(c: Client, argv: string[]): void {
  const lazy = flushOption(c, argv);
  if (lazy === null) return;
  const s = c.server;
  let removed = 0;
  for (const db of s.ks.dbs) removed += emptyDb(s, db, lazy);
  s.dirty += removed;
  s.resetEvictionPool();
  s.tracking.flushed();
  // Persistence stops a BGSAVE and, with save points, saves the empty dataset (which
  // resets the changes counter). No extra change is counted: the propagation is forced.
  for (const h of s.flushAllHooks) h();
  c.alsoPropagate(argv.slice());
  c.preventPropagation();
  c.addOk();
}

function swapdb(c: Client, argv: string[]): void {
  const s = c.server;
  if (s.mode === 'cluster') {
    c.addError('ERR SWAPDB is not allowed in cluster mode');
    return;
  }
  const id1 = parseIntArg(argv[1]);
  if (id1 === null) {
    c.addError('ERR invalid first DB index');
    return;
  }
  const id2 = parseIntArg(argv[2]);
  if (id2 === null) {
    c.addError('ERR invalid second DB index');
    return;
  }
  const n = s.ks.dbs.length;
  if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n) {
    c.addError('ERR DB index is out of range');
    return;
  }
  if (id1 !== id2) {
    const a = s.ks.dbs[id1];
    const b = s.ks.dbs[id2];
    // Clients WATCHing a key that exists on either side see their EXEC fail.
    s.touchAllWatchedKeysInDb(a, b);
    s.touchAllWatchedKeysInDb(b, a);
    a.swapWith(b);
    s.resetEvictionPool();
    s.signalDbReplaced(a);
    s.signalDbReplaced(b);
    // Clients stay in their database: the ones blocked on keys that now exist may be served.
    for (const cl of s.clients.values()) {
      const st = cl.blocked;
      if (!st || (st.db !== a && st.db !== b)) continue;
      for (const k of st.keys) if (st.db.dict.has(k)) s.signalKeyAsReady(st.db, k);
    }
  }
  s.dirty++;
  c.addOk();
}


// ---- the table --------------------------------------------------------------------------


export const COMMANDS: CommandSpec[] = [
  cmd('dbsize', 1, ['readonly', 'fast'], [0, 0, 0], 'server', ['keyspace', 'read', 'fast'], dbsize, { summary: 'Returns the number of keys in the database.', complexity: 'O(1)' }),
  cmd('flushdb', -1, ['write'], [0, 0, 0], 'server', ['keyspace', 'write', 'slow', 'dangerous'], flushdb, { summary: 'Remove all keys from the current database.', complexity: 'O(N) where N is the number of keys in the selected database' }),
  cmd('flushall', -1, ['write'], [0, 0, 0], 'server', ['keyspace', 'write', 'slow', 'dangerous'], flushall, { summary: 'Removes all keys from all databases.', complexity: 'O(N) where N is the total number of keys in all databases' }),
  cmd('swapdb', 3, ['write', 'fast'], [0, 0, 0], 'server', ['keyspace', 'write', 'fast', 'dangerous'], swapdb, { since: '4.0.0', summary: 'Swaps two Redis databases.', complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.' }),
];
