// Sentinel mode: `cinnabar-server sentinel.conf --sentinel` or `cinnabar-sentinel
// sentinel.conf`. The same server process (listener, clients, pub/sub) with the
// sentinel's command table, and the Sentinel driving the monitoring. The config
// file is required and must be writable: the sentinel keeps its state in it.

import { accessSync, constants } from 'node:fs';
import type { Config } from '../config/config.js';
import type { Logger } from '../server/log.js';
import { Server, VERSION } from '../server/server.js';
import { splitArgs } from '../protocol/parser.js';
import { Sentinel } from './sentinel.js';
import { applySentinelDirective, SentinelConfigError } from './config.js';
import { registerSentinel, sentinelCommandTable } from './commands.js';

export { Sentinel } from './sentinel.js';

/** The port a sentinel listens on when its configuration names none. */
export const DEFAULT_SENTINEL_PORT = 26379;

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
  const lines = configText.split('\n');
  let portGiven = false;
  for (const l of lines) if (l.trim().split(/\s+/)[0].toLowerCase() === 'port') portGiven = true;
  if (!portGiven) config.set('port', [String(DEFAULT_SENTINEL_PORT)], true);
  // A sentinel must be reachable by the other sentinels, and keeps no dataset.
  config.set('protected-mode', ['no'], true);
  config.set('save', [''], true);
  config.set('appendonly', ['no'], true);
  const server = new Server(config, log, sentinelCommandTable());
  server.mode = 'sentinel';
  const sentinel = new Sentinel(server, configFile);
  registerSentinel(server, sentinel);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    const argv = splitArgs(t);
    if (argv === null || argv.length === 0 || argv[0].toLowerCase() !== 'sentinel') continue;
    try {
      applySentinelDirective(sentinel, argv.slice(1));
    } catch (e) {
      if (!(e instanceof SentinelConfigError)) throw e;
      process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Redis ${VERSION}) ***\n`);
      process.stderr.write(`Reading the configuration file, at line ${i + 1}\n>>> '${t}'\n${e.message}\n`);
      process.exit(1);
    }
  }
  server.shutdownHooks.push(() => {
    sentinel.flushConfig();
    sentinel.stop();
  });
  return { server, sentinel };
}
