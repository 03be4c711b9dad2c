// Server administration: INFO TIME LASTSAVE SHUTDOWN.

import { performance } from 'node:perf_hooks';
import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';


// ---- INFO -------------------------------------------------------------------------------

function info(c: Client, argv: string[]): void {
  c.addVerbatim(c.server.info(argv.slice(1)));
}

function time(c: Client): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  c.addArrayLen(2);
  c.addBulk(String(Math.floor(us / 1e6)));
  c.addBulk(String(us % 1e6));
}

function lastsave(c: Client): void {
  c.addInt(c.server.lastSaveTime);
}

function shutdown(c: Client, argv: string[]): void {
  let save = false;
  let nosave = false;
  let abort = false;
  let now = false;
  let force = false;
  for (let i = 1; i < argv.length; i++) {
    const o = argv[i].toLowerCase();
    if (o === 'nosave') nosave = true;
    else if (o === 'save') save = true;
    else if (o === 'now') now = true;
    else if (o === 'force') force = true;
    else if (o === 'abort') abort = true;
    else {
      c.addError('ERR syntax error');
      return;
    }
  }
  if ((abort && argv.length !== 2) || (save && nosave)) {
    c.addError('ERR syntax error');
    return;
  }
  const ctl = c.server.shutdownCtl;
  if (abort) {
    // Cancels a shutdown waiting for lagging replicas, or a signal not acted on yet.
    if (ctl.abort()) c.addOk();
    else c.addError('ERR No shutdown in progress.');
    return;
  }
  // Without NOW, a shutdown waits (blocking this client) for replicas that lag.
  if (ctl.request({ save, nosave, now, force }, c) === 'failed') c.addError('ERR Errors trying to SHUTDOWN. Check logs.');
}


// ---- the table --------------------------------------------------------------------------

const ADMIN_ACL = ['admin', 'slow', 'dangerous'];

export const COMMANDS: CommandSpec[] = [
  cmd('info', -1, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'dangerous'], info, {
    summary: 'Returns information and statistics about the server.',
    complexity: 'O(1)',
  }),
  cmd('time', 1, ['loading', 'stale', 'fast'], [0, 0, 0], 'server', ['fast'], time, { since: '2.6.0', summary: 'Returns the server time.', complexity: 'O(1)' }),
  cmd('lastsave', 1, ['loading', 'stale', 'fast'], [0, 0, 0], 'server', ['admin', 'fast', 'dangerous'], lastsave, { summary: 'Returns the Unix timestamp of the last successful save to disk.', complexity: 'O(1)' }),
  cmd('shutdown', -1, ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], [0, 0, 0], 'server', ADMIN_ACL, shutdown, { summary: 'Synchronously saves the database(s) to disk and shuts down the Redis server.', complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)' }),
];
