// Shutdown as Redis 7 starts, waits for and cancels it (prepareForShutdown,
// finishShutdown, abortShutdown in server.c).
//
// A SHUTDOWN (or SIGTERM / SIGINT, with the flags of shutdown-on-sigterm /
// shutdown-on-sigint) without NOW, while shutdown-timeout > 0 and some replica has
// not acknowledged the whole replication stream, does not exit at once: the replicas
// are asked for their offsets (REPLCONF GETACK), writes are paused, "Waiting for
// replicas before shutting down." is logged and the SHUTDOWN client is blocked. The
// cron finishes the shutdown once every replica caught up or the timeout passed
// (the lagging ones are logged). SHUTDOWN ABORT cancels it: the pause ends and the
// blocked SHUTDOWN clients get "-ERR Errors trying to SHUTDOWN. Check logs.", as
// they do when the final save fails.
//
// Signals: the first SIGTERM/SIGINT schedules the shutdown; a second SIGINT while
// one is scheduled exits at once with 1 ("You insist... exiting now."), after the
// temporary files are removed (tempFileCleanups).
//
// API (one per server, `server.shutdownCtl`):
//   request(opts, c)       SHUTDOWN / a signal: 'done' (exiting), 'waiting', 'failed'
//   abort()                SHUTDOWN ABORT: false when nothing was in progress
//   signal(sig)            SIGTERM / SIGINT from the CLI
//   replicas               set by replication: caughtUp(), requestAcks(), logLagging()
//   tempFileCleanups       run (synchronously) before any exit: temp RDB files

import type { Client } from './client.js';
import type { Server } from './server.js';
import type { ShutdownOptions } from '../commands/context.js';

const SHUTDOWN_ERROR = 'ERR Errors trying to SHUTDOWN. Check logs.';

/** What replication tells the shutdown (a server without replication: none lag). */
export interface ShutdownReplicas {
  /** Every replica acknowledged the whole stream (Redis's isReadyToShutdown). */
  caughtUp(): boolean;
  /** REPLCONF GETACK to the replicas, so that the acknowledgements come at once. */
  requestAcks(): void;
  /** Logs each replica still behind ("Lagging replica ...") and how many are in sync. */
  logLagging(): void;
}

interface Pending {
  opts: ShutdownOptions;
  deadlineMs: number;
  waiters: Client[];
}

/** Most SHUTDOWN clients blocked on one pending shutdown (each later one joins the wait). */
const WAITERS_MAX = 10000;

export class ShutdownCoordinator {
  replicas: ShutdownReplicas = { caughtUp: () => true, requestAcks: () => {}, logLagging: () => {} };
  /** Run before any exit, even "You insist": remove temporary files (synchronously). */
  readonly tempFileCleanups: Array<() => void> = [];
  private pending: Pending | null = null;
  /** A signal received and not acted on yet (Redis's shutdown_asap). */
  private asap: NodeJS.Signals | null = null;

  constructor(private readonly server: Server) {
    server.cronHooks.push(() => this.cron());
  }

  get inProgress(): boolean {
    return this.pending !== null;
  }

  /** SHUTDOWN with `opts` from `c` (null: a signal). */
  request(opts: ShutdownOptions, c: Client | null): 'done' | 'waiting' | 'failed' {
    const s = this.server;
    if (this.pending !== null) {
      // Already waiting: this client waits with it (Redis keeps it blocked).
      if (c !== null) this.blockWaiter(c);
      return 'waiting';
    }
    const timeoutSec = s.config.getNumber('shutdown-timeout');
    if (s.shuttingDown) return 'done';
    s.log.warning('User requested shutdown...');
    if (!opts.now && timeoutSec !== 0 && !this.replicas.caughtUp()) {
      this.pending = { opts, deadlineMs: Date.now() + timeoutSec * 1000, waiters: [] };
      if (s.pause === null) this.replicas.requestAcks();
      s.pauseClients(timeoutSec * 1000 + 1000, false);
      s.log.notice('Waiting for replicas before shutting down.');
      if (c !== null) this.blockWaiter(c);
      return 'waiting';
    }
    return this.finish(opts, true) ? 'done' : 'failed';
  }

  /** SHUTDOWN ABORT (abortShutdown): cancels a waiting shutdown or a signal not acted on yet. */
  abort(): boolean {
    if (this.pending !== null) this.cancel();
    else if (this.asap !== null) this.asap = null;
    else return false;
    this.server.log.warning('Shutdown manually aborted.');
    return true;
  }

  /** SIGTERM / SIGINT: scheduled for the next turn; a second SIGINT exits now. */
  signal(sig: NodeJS.Signals): void {
    const s = this.server;
    if (sig === 'SIGINT' && (this.asap !== null || this.pending !== null)) {
      this.logFromHandler('You insist... exiting now.');
      this.removeTempFiles();
      s.exit(1);
      return;
    }
    this.logFromHandler(`Received ${sig} scheduling shutdown...`);
    this.asap = sig;
    setImmediate(() => this.actOnSignal());
  }

  /** Redis writes these lines from its signal handler, in serverLogFromHandler's format. */
  private logFromHandler(msg: string): void {
    this.server.log.raw('warning', `${process.pid}:signal-handler (${Math.floor(Date.now() / 1000)}) ${msg}\n`);
  }

  removeTempFiles(): void {
    for (const f of this.tempFileCleanups) {
      try {
        f();
      } catch {
        /* best effort: exiting anyway */
      }
    }
  }

  private actOnSignal(): void {
    const sig = this.asap;
    if (sig === null || this.pending !== null) return;
    this.asap = null;
    const opts = signalOptions(this.server.config.getString(sig === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm'));
    if (this.request(opts, null) === 'failed') this.server.log.warning('Shutdown failed; server keeps running.');
  }

  private cron(): void {
    if (this.asap !== null) this.actOnSignal();
    const p = this.pending;
    if (p === null) return;
    if (Date.now() < p.deadlineMs && !this.replicas.caughtUp()) return;
    this.pending = null;
    if (!this.finish(p.opts, true)) {
      this.pending = p;
      this.cancel();
    }
  }

  /** finishShutdown: the hooks (save, AOF), close, exit. False when a hook refused. */
  private finish(opts: ShutdownOptions, announced = false): boolean {
    this.replicas.logLagging();
    return this.server.shutdown(opts, announced);
  }

  private blockWaiter(c: Client): void {
    const p = this.pending!;
    if (p.waiters.length >= WAITERS_MAX) {
      c.addError(SHUTDOWN_ERROR);
      return;
    }
    p.waiters.push(c);
    this.server.blockClient(c, { keys: [], timeoutAt: 0, type: null, onTimeout: 'custom', timeoutReply: (w) => w.addError(SHUTDOWN_ERROR) });
  }

  /** cancelShutdown: the pause ends, blocked SHUTDOWN clients get the error. */
  private cancel(): void {
    const p = this.pending;
    this.pending = null;
    this.asap = null;
    this.server.unpause();
    if (p === null) return;
    for (const c of p.waiters) {
      if (this.server.clients.has(c.id) && c.blocked) this.server.unblockByRequest(c, false);
    }
  }
}

/** shutdown-on-sigterm / -sigint: "default" or words among save, nosave, now, force. */
export function signalOptions(v: string): ShutdownOptions {
  const opts: ShutdownOptions = {};
  for (const w of v.toLowerCase().split(/\s+/)) {
    if (w === 'save') opts.save = true;
    else if (w === 'nosave') opts.nosave = true;
    else if (w === 'now') opts.now = true;
    else if (w === 'force') opts.force = true;
  }
  return opts;
}
