// Sentinel mode: `cinnabar-server sentinel.conf --sentinel` or `cinnabar-sentinel
// sentinel.conf`. The same server process (listener, clients, pub/sub) with the
// sentinel's command table, and the Sentinel driving the monitoring; the server is
// composed in src/compose/compose.ts (createSentinelServer). The config file is
// required and must be writable: the sentinel keeps its state in it.

import { splitArgs } from '../protocol/parser.js';
import { Sentinel } from './sentinel.js';
import { applySentinelDirective, SentinelConfigError } from './sentinel-conf.js';

export { Sentinel } from './sentinel.js';

/** The port a sentinel listens on when its configuration names none. */
export const DEFAULT_SENTINEL_PORT = 26379;

/** Redis's preMonitorCfgName: the sentinel directives applied before the monitor lines. */
const PRE_MONITOR = new Set([
  'announce-ip',
  'announce-port',
  'deny-scripts-reconfig',
  'sentinel-user',
  'sentinel-pass',
  'current-epoch',
  'myid',
  'resolve-hostnames',
  'announce-hostnames',
]);

/** A bad `sentinel` line of the configuration: where it is and what is wrong. */
export interface SentinelConfigLineError {
  lineNo: number;
  line: string;
  message: string;
}

/**
 * Applies the `sentinel ...` lines of a configuration text (file plus command-line
 * directives) to `sentinel`. Returns the first bad line, or null.
 */
export function applySentinelConfigText(sentinel: Sentinel, configText: string): SentinelConfigLineError | null {
  const lines = configText.split('\n');
  // Like redis-sentinel (loadSentinelConfigFromQueue), the global directives go
  // first (resolve-hostnames must be in effect when a monitor line names a host),
  // then the `sentinel monitor` lines, then the rest: a master's other directives
  // may come before its monitor line.
  const parsed: { lineNo: number; line: string; argv: string[]; pass: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    const argv = splitArgs(t);
    if (argv === null || argv.length === 0 || argv[0].toLowerCase() !== 'sentinel') continue;
    const word = (argv[1] ?? '').toLowerCase();
    const pass = PRE_MONITOR.has(word) ? 0 : word === 'monitor' ? 1 : 2;
    parsed.push({ lineNo: i + 1, line: t, argv: argv.slice(1), pass });
  }
  for (const pass of [0, 1, 2]) {
    for (const p of parsed) {
      if (p.pass !== pass) continue;
      try {
        applySentinelDirective(sentinel, p.argv);
      } catch (e) {
        if (!(e instanceof SentinelConfigError)) throw e;
        return { lineNo: p.lineNo, line: p.line, message: e.message };
      }
    }
  }
  return null;
}
