// Replication's entry points for the rest of the server: installation (from the
// Server constructor), the per-server instance, the start-up REPLICAOF, and the
// hook the AOF uses to keep the replication offset moving (WAITAOF).
//
// Files: replication.ts (ids, offsets, backlog, the primary side, WAIT, INFO/ROLE),
// primary.ts (one replica connection), replica.ts (the link to our primary),
// failover.ts (FAILOVER), backlog.ts (the ring), stream.ts (RESP encoding).

import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { setInfoSection, setReplicationInfoFigures } from '../server/info.js';
import { Replication } from './replication.js';
import { rdbStateOf } from '../persistence/persistence.js';

export { Replication } from './replication.js';

const instances = new WeakMap<Server, Replication>();

/** Installs replication on a server (called from its constructor). */
export function installReplication(server: Server): void {
  const r = new Replication(server);
  instances.set(server, r);
  setInfoSection(server, 'replication', () => r.info());
  setReplicationInfoFigures(server, () => ({
    syncFull: r.stats.syncFull,
    syncPartialOk: r.stats.syncPartialOk,
    syncPartialErr: r.stats.syncPartialErr,
    replInputBytes: r.stats.replInput,
    replOutputBytes: r.stats.replOutput,
    backlogBytes: r.backlog?.allocated ?? 0,
  }));
  server.debugSubcommands.set('change-repl-id', debugChangeReplId);
  // What an RDB save records of the stream (Redis's rdbPopulateSaveInfo): a replica's
  // applied offset in its primary's stream, or a primary's own stream when it has a backlog.
  rdbStateOf(server).replSaveInfo = () => {
    if (r.isReplica) {
      const link = r.link;
      if (link !== null && link.client !== null) return { replid: r.replid, offset: link.reploff, db: link.client.db.id };
      return r.cached !== null ? { ...r.cached } : null;
    }
    if (r.backlog === null) return null;
    return { replid: r.replid, offset: server.masterReplOffset, db: r.seldb === -1 ? 0 : r.seldb };
  };
}

/** The replication state of a server. */
export function replicationOf(server: Server): Replication {
  const r = instances.get(server);
  if (r === undefined) throw new Error('replication is not installed on this server');
  return r;
}

/**
 * Creates the replication backlog if there is none, so that the replication
 * offset moves with every write even without replicas (the AOF calls this when
 * appendonly turns on: WAITAOF compares offsets).
 */
export function createReplicationBacklogIfNeeded(server: Server): void {
  replicationOf(server).createBacklogIfNeeded();
}

/**
 * The `replicaof <host> <port>` directive of the configuration: connect to that
 * primary (called once the server listens and its data is loaded). Returns an
 * error message when the directive is malformed.
 */
export function startReplicationFromConfig(server: Server): string | null {
  const v = server.config.getString('replicaof').trim();
  if (v === '') return null;
  const words = v.split(/\s+/);
  if (words.length === 2 && words[0].toLowerCase() === 'no' && words[1].toLowerCase() === 'one') return null;
  const port = Number(words[1]);
  if (words.length !== 2 || !Number.isInteger(port) || port < 0 || port > 65535) return `Invalid replicaof directive '${v}'`;
  const r = replicationOf(server);
  r.setMaster(words[0], port, false, true);
  // PSYNC2 after a restart: the RDB loaded at start-up recorded the stream it followed
  // (AUX repl-id/repl-offset/repl-stream-db); continue it as a cached master.
  const ri = rdbStateOf(server).loadedReplInfo;
  if (ri !== null) {
    r.replid = ri.replid;
    server.masterReplOffset = ri.offset;
    r.cached = { replid: ri.replid, offset: ri.offset, db: ri.db };
    rdbStateOf(server).loadedReplInfo = null;
  }
  return null;
}

/** DEBUG CHANGE-REPL-ID: a new replication id, and no secondary one. */
function debugChangeReplId(c: Client): void {
  const r = replicationOf(c.server);
  r.changeReplicationId();
  r.clearReplicationId2();
  c.server.log.warning('Changing replication IDs after receiving DEBUG change-repl-id');
  c.addOk();
}
