// redis.conf as redis-server reads it: one directive per line, arguments split and
// unquoted as sdssplitargs does, `include` followed, repeated multi-word directives
// (save, client-output-buffer-limit) accumulated, command-line `--directive value`
// arguments turned into the same text and applied after the file. The cli and,
// later, the proxy and the manager read configuration through here.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, findDirective, type Config } from './config.js';
import { splitArgs } from '../protocol/parser.js';

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
 * A config file (or an included one) that cannot be read: redis-server logs
 * "Fatal error, can't open config file '<name>': <strerror>" and exits 1.
 */
export class ConfigOpenError extends Error {
  constructor(
    readonly file: string,
    readonly error: NodeJS.ErrnoException,
  ) {
    super(`Fatal error, can't open config file '${file}': ${strerrorText(error)}`);
  }
}

/** strerror's text for the errors opening a file gives. */
function strerrorText(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'ELOOP':
      return 'Too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'File name too long';
    default:
      return e.message;
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
        throw new ConfigOpenError(argv[1], e as NodeJS.ErrnoException);
      }
      loadConfigText(config, inc, seen, repeated);
      continue;
    }
    if (name === 'user' && argv.length > 1 && argv[1] === 'default') config.defaultUserFromFile = true;
    if (name === 'loadmodule') {
      // As Redis: queued with its arguments, loaded (here: refused) after the server is initialised.
      if (argv.length < 2) throw new ConfigFileError(i + 1, raw, 'Bad directive or wrong number of arguments');
      config.modulesToLoad.push(argv.slice(1));
      continue;
    }
    if (name === 'rename-command' || name === 'user' || name === 'sentinel') {
      // Handled by their subsystems (ACL, sentinel); accepted here.
      continue;
    }
    const d = findDirective(name);
    if (!d) throw new ConfigFileError(i + 1, raw, 'Bad directive or wrong number of arguments');
    // As Redis: `replicaof` takes exactly a host and a port; a one-value directive exactly one value.
    if (d.name === 'replicaof' && argv.length !== 3) throw new ConfigFileError(i + 1, raw, 'wrong number of arguments');
    if (!d.multiArg && argv.length !== 2) throw new ConfigFileError(i + 1, raw, 'wrong number of arguments');
    let args = argv.slice(1);
    if (d.name === 'save' || d.name === 'bind' || d.name === 'client-output-buffer-limit') {
      // Repeated lines add up, except an empty `save ""` which resets. The first
      // `save` line replaces the default save points, even `save` with no argument
      // (what tools write for `save ""`): as redis-server, a file with only that
      // line has no save points, and a later bare `save` adds nothing.
      if (d.name === 'save' && (args.length === 0 || (args.length === 1 && args[0] === ''))) {
        if (args.length === 1 || !repeated.has(d.name)) repeated.set(d.name, []);
      } else {
        const prev = d.name === 'bind' ? [] : (repeated.get(d.name) ?? []);
        args = [...prev, ...args];
        repeated.set(d.name, args);
      }
      args = repeated.get(d.name) ?? [];
      if (args.length === 0) args = [''];
    }
    try {
      config.set(d.name, args, true);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigFileError(i + 1, raw, e.message);
      throw e;
    }
  }
}

/**
 * The command line as redis-server 7 reads it: a first argument that does not
 * start with "-" is the config file; "-" first or last reads stdin too; every
 * other `--name` starts an option line and the arguments after it are its values,
 * each quoted as sdscatrepr does ("--port 7000" in one argument is a name and its
 * value). A bare `--name` followed by another `--x` takes that as its value, as
 * Redis does, except `--save` (then `save ""`). The option text comes after the
 * file and stdin, after one newline, so that its first line is the file's line
 * count plus two, as in redis-server's error messages.
 */
export interface CommandLine {
  configFile: string | null;
  stdin: boolean;
  options: string;
}

export function parseCommandLine(argv: string[]): CommandLine {
  let configFile: string | null = null;
  let j = 0;
  if (argv.length > 0 && !argv[0].startsWith('-')) {
    configFile = resolve(argv[0]);
    j = 1;
  }
  return { configFile, ...optionLines(argv, j) };
}

/** The option lines of argv[j..] (see parseCommandLine), and whether "-" asks for stdin. */
function optionLines(argv: string[], j: number): { stdin: boolean; options: string } {
  let stdin = false;
  let options = '';
  let handledLast = true;
  for (; j < argv.length; j++) {
    const a = argv[j];
    if (a === '-' && (j === 0 || j === argv.length - 1)) {
      stdin = true;
    } else if (handledLast && a.startsWith('--')) {
      if (options.length > 0) options += '\n';
      options += a.slice(2) + ' ';
      const words = splitArgs(a);
      if (words !== null && words.length === 1) {
        // Only a name: the next argument is its value, whatever it looks like.
        handledLast = false;
        if (a.toLowerCase() === '--save' && (j === argv.length - 1 || argv[j + 1].startsWith('--'))) {
          options += '""';
          handledLast = true;
        }
      } else {
        handledLast = true;
      }
    } else {
      options += reprArg(a) + ' ';
      handledLast = true;
    }
  }
  return { stdin, options };
}

/** Turns `--port 7000 --save --bind a b` into config text, one directive per line, as redis-server does. */
export function argsToConfigText(args: string[]): string {
  return optionLines(args, 0).options;
}

/** An argument quoted as Redis's sdscatrepr quotes it: its UTF-8 bytes, escapes for the unprintable ones. */
function reprArg(a: string): string {
  let out = '"';
  for (const b of Buffer.from(a, 'utf8')) {
    switch (b) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    }
  }
  return out + '"';
}
