// cinnabar-server [/path/to/redis.conf] [--directive value ...]
//
// Reads redis.conf syntax (one directive per line, quoted arguments, `include`),
// applies command-line overrides after the file as redis-server does, writes the
// pid file, logs in redis-server's format, and shuts down gracefully on SIGTERM
// and SIGINT.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { Config, ConfigError, findDirective } from '../config/config.js';
import { Logger } from '../server/log.js';
import { Server, VERSION, CINNABAR_VERSION } from '../server/server.js';
import { splitArgs } from '../protocol/parser.js';
import { loadRdbAtStartup } from '../persistence/persistence.js';
import type { Sentinel } from '../sentinel/index.js';
import { createServer, createSentinelServer } from '../compose/compose.js';
import { loadAofAtStartup } from '../persistence/aof.js';
import { startReplicationFromConfig } from '../replication/index.js';

export class ConfigFileError extends Error {
  constructor(
    readonly lineNo: number,
    readonly line: string,
    msg: string,
  ) {
    super(msg);
  }
}

/**
 * Applies the text of a redis.conf to `config`. `include` directives are followed
 * relative to the current directory, as Redis does. Directives that take several
 * words (save, client-output-buffer-limit...) accumulate when repeated.
 */
export function loadConfigText(config: Config, text: string, seen = new Set<string>(), repeated = new Map<string, string[]>()): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const argv = splitArgs(line);
    if (argv === null) throw new ConfigFileError(i + 1, raw, 'Unbalanced quotes in configuration line');
    if (argv.length === 0) continue;
    const name = argv[0].toLowerCase();
    if (name === 'include') {
      if (argv.length !== 2) throw new ConfigFileError(i + 1, raw, 'Bad directive or wrong number of arguments');
      const path = resolve(argv[1]);
      if (seen.has(path)) continue;
      seen.add(path);
      let inc: string;
      try {
        inc = readFileSync(path, 'latin1');
      } catch (e) {
        throw new ConfigFileError(i + 1, raw, `Fatal error, can't open config file '${argv[1]}': ${(e as Error).message}`);
      }
      loadConfigText(config, inc, seen, repeated);
      continue;
    }
    if (name === 'rename-command' || name === 'user' || name === 'loadmodule' || name === 'sentinel') {
      // Handled by their subsystems (ACL, sentinel); accepted here.
      continue;
    }
    const d = findDirective(name);
    if (!d || argv.length < 2) {
      if (d && d.kind === 'string' && argv.length === 1) {
        // `dir` without a value is an error in Redis too; string directives need one argument.
      }
      throw new ConfigFileError(i + 1, raw, 'Bad directive or wrong number of arguments');
    }
    let args = argv.slice(1);
    if (d.name === 'save' || d.name === 'bind' || d.name === 'client-output-buffer-limit') {
      // Repeated lines add up, except an empty `save ""` which resets.
      if (d.name === 'save' && args.length === 1 && args[0] === '') {
        repeated.set(d.name, []);
      } else {
        const prev = d.name === 'bind' ? [] : (repeated.get(d.name) ?? []);
        args = [...prev, ...args];
        repeated.set(d.name, args);
      }
      args = repeated.get(d.name) ?? [];
      if (args.length === 0) args = [''];
    } else if (!d.multiArg && args.length !== 1 && d.kind !== 'special') {
      throw new ConfigFileError(i + 1, raw, 'wrong number of arguments');
    }
    try {
      config.set(d.name, args, true);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigFileError(i + 1, raw, e.message);
      throw e;
    }
  }
}

/** Turns `--port 7000 --save "" --bind a b` into config text, one directive per line. */
export function argsToConfigText(args: string[]): string {
  let out = '';
  let cur: string[] | null = null;
  const flush = () => {
    if (cur) out += cur.map((a, i) => (i === 0 ? a : quote(a))).join(' ') + '\n';
  };
  for (const a of args) {
    if (a.startsWith('--') && a.length > 2) {
      flush();
      cur = [a.slice(2)];
    } else if (cur) {
      cur.push(a);
    } else {
      throw new Error(`Invalid argument '${a}'`);
    }
  }
  flush();
  return out;
}

function quote(a: string): string {
  return '"' + a.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r') + '"';
}

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
  let configFile: string | null = null;
  let rest = argv;
  if (rest.length > 0 && !rest[0].startsWith('--')) {
    configFile = rest[0] === '-' ? null : resolve(rest[0]);
    rest = rest.slice(1);
  }
  let readStdin = false;
  if (rest.length > 0 && rest[rest.length - 1] === '-') {
    readStdin = true;
    rest = rest.slice(0, -1);
  }
  if (argv[0] === '-') readStdin = true;
  let text = '';
  try {
    if (configFile) {
      text += readFileSync(configFile, 'latin1') + '\n';
      config.file = configFile;
    }
    if (readStdin) text += readFileSync(0, 'latin1') + '\n';
    text += argsToConfigText(rest);
    loadConfigText(config, text);
  } catch (e) {
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
  log.notice(`Running mode=${server.mode}, port=${config.getNumber('port')}.`);
  if (!sentinel) log.notice('Server initialized');
  if (!sentinel && !loadRdbAtStartup(server)) process.exit(1);
  if (!sentinel && !loadAofAtStartup(server)) process.exit(1);
  try {
    await server.listen();
  } catch (e) {
    log.warning((e as Error).message);
    process.exit(1);
  }
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
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      log.warning(`Received ${sig} scheduling shutdown...`);
      if (!server.shutdown({})) log.warning('Shutdown failed; server keeps running.');
    });
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
