// The composition of a server: the Server (listener, clients, dispatcher) plus the
// subsystems hung off it through their narrow interfaces — eviction (maxmemory),
// RDB and AOF persistence, replication — and the handlers of the subsystems'
// commands bound on the server's own command table. The Server constructor wires
// nothing; this module is the one place that knows every subsystem, and it sits
// above them all (see .dependency-cruiser.cjs for the layers).
//
// Sentinel mode composes the same server with the sentinel's command table and the
// Sentinel driving the monitoring (createSentinelServer).

import { accessSync, constants } from 'node:fs';
import { Config } from '../config/config.js';
import { Logger } from '../server/log.js';
import { Server } from '../server/server.js';
import { ALL_COMMANDS } from '../commands/index.js';
import type { CommandSpec } from '../commands/table.js';
import { installEviction } from '../keyspace/eviction.js';
import { installPersistence } from '../persistence/persistence.js';
import { installAof } from '../persistence/aof.js';
import { bindPersistenceCommands } from '../persistence/commands.js';
import { installReplication } from '../replication/index.js';
import { bindReplicationCommands } from '../replication/commands.js';
import { installMigrate } from '../cluster/migrate.js';
import { installAcl } from '../acl/index.js';
import { installScripting } from '../scripting/scripting.js';
import { installFunctions } from '../scripting/functions.js';
import { ClusterStartupError, installCluster } from '../cluster/cluster.js';
import { bindClusterCommands } from '../cluster/commands.js';
import { Sentinel } from '../sentinel/sentinel.js';
import { registerSentinel, sentinelCommandTable } from '../sentinel/commands.js';
import { applySentinelConfigText, DEFAULT_SENTINEL_PORT } from '../sentinel/index.js';
import { VERSION } from '../util/version.js';

/**
 * A server with every subsystem installed. `commands`: the specs to serve (the full
 * table by default). Throws when a command of the table is left without a handler:
 * a command that cannot run must not be advertised by COMMAND.
 */
export function createServer(config: Config = new Config(), log: Logger = new Logger(), commands: readonly CommandSpec[] = ALL_COMMANDS): Server {
  const server = new Server(config, log, commands);
  // Cluster mode keeps keys by hash slot (CLUSTER COUNTKEYSINSLOT, slot migration);
  // standalone servers pay nothing for it.
  if (config.getBool('cluster-enabled')) server.ks.enableSlotIndex();
  installEviction(server);
  installPersistence(server);
  installAof(server);
  installReplication(server);
  bindPersistenceCommands(server.commands);
  bindReplicationCommands(server.commands);
  installMigrate(server);
  installAcl(server);
  installFunctions(server, installScripting(server));
  if (config.getBool('cluster-enabled')) {
    try {
      installCluster(server);
    } catch (e) {
      if (!(e instanceof ClusterStartupError)) throw e;
      for (const d of e.details) log.warning(d);
      fatal(log, e.message);
    }
  }
  bindClusterCommands(server);
  const unbound = server.commands.unbound();
  if (unbound.length > 0) throw new Error(`commands without a handler: ${unbound.join(', ')}`);
  return server;
}

function fatal(log: Logger, msg: string): never {
  log.warning(msg);
  process.exit(1);
}

/**
 * Builds the server of a sentinel from the loaded configuration and the full
 * configuration text (file plus command-line directives), applying the
 * `sentinel` lines. Exits the process as Redis does when the config file is
 * missing, not writable, or has a bad sentinel line. Call `sentinel.start()` once
 * the server listens.
 */
export function createSentinelServer(config: Config, log: Logger, configText: string, configFile: string | null): { server: Server; sentinel: Sentinel } {
  log.role = 'X';
  if (configFile === null) fatal(log, 'Sentinel needs config file on disk to save state.  Exiting...');
  try {
    accessSync(configFile, constants.W_OK);
  } catch (e) {
    fatal(log, `Sentinel config file ${configFile} is not writable: ${(e as Error).message}. Exiting...`);
  }
  let portGiven = false;
  for (const l of configText.split('\n')) if (l.trim().split(/\s+/)[0].toLowerCase() === 'port') portGiven = true;
  if (!portGiven) config.set('port', [String(DEFAULT_SENTINEL_PORT)], true);
  // A sentinel must be reachable by the other sentinels, and keeps no dataset.
  config.set('protected-mode', ['no'], true);
  config.set('save', [''], true);
  config.set('appendonly', ['no'], true);
  const server = createServer(config, log, sentinelCommandTable());
  server.mode = 'sentinel';
  const sentinel = new Sentinel(server, configFile);
  registerSentinel(server, sentinel);
  const bad = applySentinelConfigText(sentinel, configText);
  if (bad !== null) {
    process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Redis ${VERSION}) ***\n`);
    process.stderr.write(`Reading the configuration file, at line ${bad.lineNo}\n>>> '${bad.line}'\n${bad.message}\n`);
    process.exit(1);
  }
  server.shutdownHooks.push(() => {
    sentinel.flushConfig();
    sentinel.stop();
  });
  return { server, sentinel };
}
