// Transactions: MULTI EXEC DISCARD WATCH UNWATCH.
//
// Commands sent after MULTI are queued by the dispatcher (server.processCommand);
// a command rejected while queueing (unknown, wrong arity, OOM...) dooms the
// transaction, and EXEC then answers EXECABORT. EXEC itself may be rejected before
// it runs (the dispatcher checks it with the union of the queued commands' flags:
// OOM, READONLY, MASTERDOWN...): the transaction is then discarded and the reply is
// EXECABORT with the rejection's reason (abortExec, Redis's execCommandAbort). EXEC
// fails with a null reply when a WATCHed key was modified, or expired, since WATCH.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { CLIENT_DIRTY_CAS, CLIENT_DIRTY_EXEC, CLIENT_EXECUTING_EXEC, CLIENT_MULTI } from './context.js';

const TX = ['transaction'];

function multi(c: Client): void {
  if (c.flags & CLIENT_MULTI) {
    c.addError('ERR MULTI calls can not be nested');
    return;
  }
  c.flags |= CLIENT_MULTI;
  c.multi = { queue: [], cmdFlags: 0, cmdInvFlags: 0, bytes: 0 };
  c.addOk();
}

/** Drops the queue and the watched keys and leaves MULTI (also for a client not in MULTI, as Redis does). */
export function discardTransaction(c: Client): void {
  c.server.dropMulti(c);
  c.flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC);
  c.server.unwatchAll(c);
}

/**
 * EXEC was rejected before it ran (`reason`: the rejection's error without the
 * leading '-'): the transaction is discarded and EXEC answers EXECABORT with the
 * reason. Redis formats the errors of rejectCommandFormat without their "ERR "
 * (wrong arity, the pub/sub context), so the reason is given without it too.
 */
export function abortExec(c: Client, reason: string): void {
  discardTransaction(c);
  c.addError(`EXECABORT Transaction discarded because of: ${reason.startsWith('ERR ') ? reason.slice(4) : reason}`);
}

function discard(c: Client): void {
  if (!(c.flags & CLIENT_MULTI)) {
    c.addError('ERR DISCARD without MULTI');
    return;
  }
  discardTransaction(c);
  c.addOk();
}

function exec(c: Client): void {
  if (!(c.flags & CLIENT_MULTI)) {
    c.addError('ERR EXEC without MULTI');
    return;
  }
  const s = c.server;
  if (c.flags & CLIENT_DIRTY_EXEC) {
    discardTransaction(c);
    c.addError('EXECABORT Transaction discarded because of previous errors.');
    return;
  }
  if (c.flags & CLIENT_DIRTY_CAS || s.watchedKeyExpired(c)) {
    discardTransaction(c);
    c.addNullArray();
    return;
  }
  const queue = c.multi!.queue;
  s.unwatchAll(c);
  c.addArrayLen(queue.length);
  // MULTI stays set while the queue runs (CLIENT INFO shows flags=x multi=N), as in Redis.
  c.flags |= CLIENT_EXECUTING_EXEC;
  try {
    for (const { spec, argv } of queue) s.callQueued(c, spec, argv);
  } finally {
    c.flags &= ~(CLIENT_EXECUTING_EXEC | CLIENT_MULTI);
    s.dropMulti(c);
  }
  // The queued commands propagated themselves; EXEC adds nothing of its own.
  c.preventPropagation();
}

function watch(c: Client, argv: string[]): void {
  if (c.flags & CLIENT_MULTI) {
    c.addError('ERR WATCH inside MULTI is not allowed');
    return;
  }
  // A client already marked dirty need not watch more keys: EXEC will fail anyway.
  if (!(c.flags & CLIENT_DIRTY_CAS)) for (let i = 1; i < argv.length; i++) c.server.watch(c, argv[i]);
  c.addOk();
}

function unwatch(c: Client): void {
  c.server.unwatchAll(c);
  c.addOk();
}

export const COMMANDS: CommandSpec[] = [
  cmd('multi', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], [0, 0, 0], 'transactions', TX, multi, { summary: 'Starts a transaction.' }),
  cmd('exec', 1, ['noscript', 'loading', 'stale', 'skip_slowlog'], [0, 0, 0], 'transactions', TX, exec, { summary: 'Executes all commands in a transaction.' }),
  cmd('discard', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], [0, 0, 0], 'transactions', TX, discard, { summary: 'Discards a transaction.' }),
  cmd('watch', -2, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], [1, -1, 1], 'transactions', TX, watch, { since: '2.2.0', summary: 'Monitors changes to keys to determine the execution of a transaction.' }),
  cmd('unwatch', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], [0, 0, 0], 'transactions', TX, unwatch, { since: '2.2.0', summary: 'Forgets about watched keys of a transaction.' }),
];
