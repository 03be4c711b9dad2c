// Propagation: every change to the dataset leaves the server here, once, as a command
// array, and the AOF, replicas and tests subscribe to it. The commands of one
// execution unit (a command plus what it also propagated, EXEC, a command plus the
// keys it found expired) are queued while it runs and emitted when it ends; more
// than one is wrapped in MULTI/EXEC so consumers apply them atomically, as Redis 7
// does (except after SCAN and RANDOMKEY run directly, whose expired keys are plain DELs).

/** Propagation flag: the command goes to replicas only, not to the AOF (PUBLISH). */
export const PROPAGATE_REPL_ONLY = 1;

export type PropagationListener = (dbid: number, argv: string[], flags: number) => void;

interface Op {
  dbid: number;
  argv: string[];
  flags: number;
}

export class Propagation {
  private listeners: PropagationListener[] = [];
  /** The current execution unit's commands. */
  queue: Op[] = [];

  /** True when somebody listens (otherwise the dispatcher queues nothing). */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  /** Subscribes to every dataset change; returns the unsubscriber. */
  on(fn: PropagationListener): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  push(dbid: number, argv: string[], flags: number): void {
    this.queue.push({ dbid, argv, flags });
  }

  /** Emits the queued commands of one execution unit (see the header); `wrap` false: never in MULTI/EXEC. */
  flush(wrap = true): void {
    const q = this.queue;
    if (q.length === 0) return;
    this.queue = [];
    const ls = this.listeners;
    if (ls.length === 0) return;
    const multi = wrap && q.length > 1;
    if (multi) for (const l of ls) l(q[0].dbid, ['MULTI'], 0);
    for (const op of q) for (const l of ls) l(op.dbid, op.argv, op.flags);
    if (multi) for (const l of ls) l(q[q.length - 1].dbid, ['EXEC'], 0);
  }
}
