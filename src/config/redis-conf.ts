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
    // A directive needs a value, except `save` (no value: no save points).
    if (!d || (argv.length < 2 && d.name !== 'save')) throw new ConfigFileError(i + 1, raw, 'Bad directive or wrong number of arguments');
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
