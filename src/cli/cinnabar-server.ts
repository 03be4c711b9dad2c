// cinnabar-server [/path/to/redis.conf] [--directive value ...]
//
// Reads redis.conf syntax (one directive per line, quoted arguments, `include`),
// applies command-line overrides after the file as redis-server does, writes the
// pid file, logs in redis-server's format, and shuts down gracefully on SIGTERM
// and SIGINT.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { Config } from '../config/config.js';
import { logoLines } from './logo.js';
import { ConfigFileError, ConfigOpenError, loadConfigText, parseCommandLine } from '../config/redis-conf.js';
import { Logger } from '../server/log.js';
import { Server, VERSION, CINNABAR_VERSION } from '../server/server.js';
import { loadRdbAtStartupInChunks } from '../persistence/persistence.js';
import type { Sentinel } from '../sentinel/index.js';
import { createServer, createSentinelServer } from '../compose/compose.js';
import { loadAofAtStartup } from '../persistence/aof.js';
import { startReplicationFromConfig } from '../replication/index.js';
import { moduleLoadFailure } from '../commands/modules.js';

function usage(): never {
  process.stderr.write(
    'Usage: ./cinnabar-server [/path/to/redis.conf] [options] [-]\n' +
      '       ./cinnabar-server - (read config from stdin)\n' +
      '       ./cinnabar-server -v or --version\n' +
      '       ./cinnabar-server -h or --help\n\n' +
      'Examples:\n' +
      '       ./cinnabar-server (run the server with default conf)\n' +
      '       ./cinnabar-server /etc/redis/6379.conf\n' +
      '       ./cinnabar-server --port 7777\n' +
      '       ./cinnabar-server /etc/myredis.conf --loglevel verbose -\n',
  );
  process.exit(1);
}

export async function main(argv: string[]): Promise<Server> {
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Redis server v=${VERSION} sha=00000000:0 malloc=libc bits=64 build=cinnabar-${CINNABAR_VERSION}\n`);
    process.exit(0);
  }
  if (argv[0] === '-h' || argv[0] === '--help') usage();
  // Sentinel mode: `--sentinel` anywhere on the command line, as redis-server accepts it.
  const sentinelMode = argv.includes('--sentinel');
  if (sentinelMode) argv = argv.filter((a) => a !== '--sentinel');
  const config = new Config();
  const log = new Logger();
  if (sentinelMode) log.role = 'X';
  // The command line as redis-server reads it (parseCommandLine): the file, then
  // stdin, then one newline and the option lines.
  const cmdline = parseCommandLine(argv);
  const configFile = cmdline.configFile;
  let text = '';
  try {
    if (configFile) {
      try {
        text += readFileSync(configFile, 'latin1');
      } catch (e) {
        throw new ConfigOpenError(configFile, e as NodeJS.ErrnoException);
      }
      config.file = configFile;
    }
    if (cmdline.stdin) {
      // Before start-up, redis-server logs as a "C" process.
      log.role = sentinelMode ? 'X' : 'C';
      log.warning('Reading config from stdin');
      log.role = sentinelMode ? 'X' : 'M';
      text += readFileSync(0, 'latin1');
    }
    text += '\n' + cmdline.options;
    loadConfigText(config, text);
  } catch (e) {
    if (e instanceof ConfigOpenError) {
      // Logged (stdout or the log file not yet set), as redis-server does before it starts.
      log.role = sentinelMode ? 'X' : 'C';
      log.warning(e.message);
      process.exit(1);
    }
    // Our Redis version (7.2's) stands where redis-server prints its own.
    process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Redis ${VERSION}) ***\n`);
    if (e instanceof ConfigFileError) {
      process.stderr.write(`Reading the configuration file, at line ${e.lineNo}\n>>> '${e.line.trim()}'\n${e.message}\n`);
    } else {
      process.stderr.write(`${(e as Error).message}\n`);
    }
    process.exit(1);
  }
  log.level = config.getString('loglevel') as Logger['level'];
  log.file = config.getString('logfile');
  const dir = config.getString('dir');
  try {
    process.chdir(dir);
  } catch (e) {
    log.warning(`Can't chdir to '${dir}': ${(e as Error).message}`);
    process.exit(1);
  }
  config.set('dir', [process.cwd()]);
  log.notice('oO0OoO0OoO0Oo Cinnabar is starting oO0OoO0OoO0Oo');
  log.notice(`Cinnabar version=${CINNABAR_VERSION}, redis_version=${VERSION}, bits=64, pid=${process.pid}, just started`);
  if (configFile) log.notice('Configuration loaded');
  else log.warning(`Warning: no config file specified, using the default config. In order to specify a config file use ${process.argv[1]} /path/to/redis.conf`);
  if (config.getBool('daemonize')) log.warning('daemonize yes is not supported: Cinnabar stays in the foreground (use a supervisor).');
  let sentinel: Sentinel | null = null;
  let server: Server;
  if (sentinelMode) ({ server, sentinel } = createSentinelServer(config, log, text, configFile));
  else server = createServer(config, log);
  server.exit = (code) => process.exit(code);
  // The logo as redis-server shows it: asked for, or on a terminal with no log file.
  if (config.getBool('always-show-logo') || (process.stdout.isTTY === true && log.file === '')) {
    log.raw('notice', logoLines(server.mode, config.getNumber('port'), process.pid).join('\n') + '\n\n');
  } else {
    log.notice(`Running mode=${server.mode}, port=${config.getNumber('port')}.`);
  }
  if (!sentinel) log.notice('Server initialized');
  // As redis-server's moduleLoadFromQueue: a module that cannot load aborts start-up; none can here.
  for (const [path] of config.modulesToLoad) {
    log.warning(`Module ${path} failed to load: ${moduleLoadFailure(path)}`);
    log.warning(`Can't load module from ${path}: server aborting`);
    process.exit(1);
  }
  // As Redis: listening before the load, which answers -LOADING between its chunks.
  try {
    await server.listen();
  } catch (e) {
    log.warning((e as Error).message);
    process.exit(1);
  }
  // As Redis: the shutdown-on-sigterm / -sigint flags, the wait for lagging replicas,
  // SHUTDOWN ABORT, and a second SIGINT exiting at once (server/shutdown.ts).
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => server.shutdownCtl.signal(sig));
  if (!sentinel && !(await loadRdbAtStartupInChunks(server))) process.exit(1);
  if (!sentinel && !loadAofAtStartup(server)) process.exit(1);
  if (!sentinel) {
    // `replicaof <host> <port>`: follow that primary once listening and loaded.
    const err = startReplicationFromConfig(server);
    if (err !== null) log.warning(err);
  }
  const pidfile = config.getString('pidfile');
  if (pidfile) {
    try {
      mkdirSync(dirname(resolve(pidfile)), { recursive: true });
      writeFileSync(pidfile, `${process.pid}\n`);
    } catch (e) {
      log.warning(`Failed to write PID file: ${(e as Error).message}`);
    }
  }
  sentinel?.start();
  if (config.getNumber('port') !== 0 || server.port) log.notice('Ready to accept connections tcp');
  if (server.unixPath) log.notice('Ready to accept connections unix');
  return server;
}

const isMain = process.argv[1] && /cinnabar-server(\.js)?$/.test(process.argv[1]);
if (isMain) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`Fatal: ${(e as Error).stack}\n`);
    process.exit(1);
  });
}
