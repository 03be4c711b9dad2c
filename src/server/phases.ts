// The checks a command passes before it runs, as named phases in Redis 7.2's order
// (processCommand in server.c). Lookup and arity come first and are the
// dispatcher's own (they find the spec the phases look at); then:
//
//   protected       DEBUG under enable-debug-command                     (server)
//   auth            NOAUTH                                               (server)
//   no-multi        a no_multi command inside MULTI                      (server)
//   acl             NOPERM                                               (ACL, later)
//   cluster         MOVED / ASK / CROSSSLOT / CLUSTERDOWN                (cluster, later)
//   client-eviction maxmemory-clients: done by the clients cron, not a phase (server)
//   oom             OOM under maxmemory                                  (server)
//   misconf         MISCONF after a failed BGSAVE or AOF write           (persistence)
//   min-replicas    NOREPLICAS under min-replicas-to-write               (replication)
//   readonly        READONLY on a read-only replica                      (replication)
//   pubsub-context  RESP2 clients in subscribed state                    (server)
//   stale           MASTERDOWN under replica-serve-stale-data no         (replication)
//   loading         LOADING                                              (later)
//   busy-script     BUSY while a script runs too long                    (scripting, later)
//   pause           CLIENT PAUSE / FAILOVER hold the command back        (server)
//   multi-queue     inside MULTI the command is queued, not run          (server)
//
// and then call(). A subsystem registers its check into its named phase, never at
// an arbitrary place, so the order is the table above whoever registers first.
// processCommand runs every phase; EXEC runs the phases marked `exec` again for each
// queued command (Redis re-checks ACL permissions there); Lua's redis.call will run
// the phases marked `script`.
//
// A phase returns null to let the command go on, an error message to reject it
// (the dispatcher writes the error, counts rejected_calls and dooms a MULTI), or
// TAKEN when it took the command itself (queued it, postponed it).

import type { Client } from './client.js';
import { CLIENT_MULTI } from '../commands/client-flags.js';
import type { CommandSpec } from '../commands/table.js';

export const PHASE_ORDER = [
  'protected',
  'auth',
  'no-multi',
  'acl',
  'cluster',
  'client-eviction',
  'oom',
  'misconf',
  'min-replicas',
  'readonly',
  'pubsub-context',
  'stale',
  'loading',
  'busy-script',
  'pause',
  'multi-queue',
] as const;

export type PhaseName = (typeof PHASE_ORDER)[number];

/** A phase's verdict that it took the command (queued or postponed it): nothing more to do. */
export const TAKEN = '';

/**
 * One check. `bits`: the command's CMD_* flag bits. Returns null (go on), an error
 * message without the leading '-' (reject), or TAKEN.
 */
export type PhaseFn = (c: Client, spec: CommandSpec, argv: string[], bits: number) => string | null;

export interface PhaseOptions {
  /** Also run for each command EXEC executes from the queue. */
  exec?: boolean;
  /** Also run for each command a script calls (redis.call). */
  script?: boolean;
  /**
   * The check can refuse or take a command only from a client that is not plain
   * (see isPlainClient): a plain client's commands skip it. For the checks of the
   * client's own state (NOAUTH, MULTI, the RESP2 subscribed context).
   */
  client?: boolean;
}

/**
 * A plain client: authenticated, not inside MULTI, not in the RESP2 subscribed
 * context. Its commands run the `plain` list, without the `client` checks.
 */
export function isPlainClient(c: Client): boolean {
  return c.authenticated && (c.flags & CLIENT_MULTI) === 0 && (c.resp !== 2 || c.subscriptionCount === 0);
}

interface Registered {
  name: PhaseName;
  fn: PhaseFn;
  opts: PhaseOptions;
  /** Registration order, which orders the checks of one phase. */
  seq: number;
}

/** Upper bound on registered checks: each runs on every command. */
const MAX_PHASES = 64;

/** The phases of one server, kept in PHASE_ORDER; `all`, `exec` and `script` are the compiled lists. */
export class Phases {
  private registered: Registered[] = [];
  private nextSeq = 0;
  /** Every check in order (processCommand). */
  all: PhaseFn[] = [];
  /** The checks in order without the `client` ones (processCommand, for a plain client). */
  plain: PhaseFn[] = [];
  /** The checks EXEC repeats for each queued command. */
  exec: PhaseFn[] = [];
  /** The checks a script's redis.call runs. */
  script: PhaseFn[] = [];

  /** Adds `fn` to the phase `name`; checks of one phase run in registration order. Returns a remover. */
  register(name: PhaseName, fn: PhaseFn, opts: PhaseOptions = {}, seq = this.nextSeq++): () => void {
    if (this.registered.length >= MAX_PHASES) throw new Error(`more than ${MAX_PHASES} command phases`);
    const entry: Registered = { name, fn, opts, seq };
    this.registered.push(entry);
    this.compile();
    return () => {
      const i = this.registered.indexOf(entry);
      if (i >= 0) {
        this.registered.splice(i, 1);
        this.compile();
      }
    };
  }

  /** A place in the registration order, for a PhaseSwitch registered later. */
  reserveSeq(): number {
    return this.nextSeq++;
  }

  /** The phase names in the order they run, one per registered check (for tests and INFO). */
  names(): PhaseName[] {
    return this.sorted().map((r) => r.name);
  }

  private sorted(): Registered[] {
    // Inside a phase, the checks run in the order they were first registered.
    return this.registered.slice().sort((a, b) => PHASE_ORDER.indexOf(a.name) - PHASE_ORDER.indexOf(b.name) || a.seq - b.seq);
  }

  private compile(): void {
    const s = this.sorted();
    this.all = s.map((r) => r.fn);
    this.plain = s.filter((r) => r.opts.client !== true).map((r) => r.fn);
    this.exec = s.filter((r) => r.opts.exec === true).map((r) => r.fn);
    this.script = s.filter((r) => r.opts.script === true).map((r) => r.fn);
  }
}

/**
 * A check registered only while it is on: for a check that refuses nothing in the
 * server's usual state (no maxmemory, no CLIENT PAUSE, no failed save), so that the
 * usual state costs no call per command. Its owner turns it on where that state
 * changes; it keeps its place inside its phase across switches.
 */
export class PhaseSwitch {
  private remove: (() => void) | null = null;
  private readonly seq: number;

  constructor(
    private readonly phases: Phases,
    private readonly name: PhaseName,
    private readonly fn: PhaseFn,
    private readonly opts: PhaseOptions = {},
  ) {
    this.seq = phases.reserveSeq();
  }

  get on(): boolean {
    return this.remove !== null;
  }

  set(on: boolean): void {
    if (on && this.remove === null) this.remove = this.phases.register(this.name, this.fn, this.opts, this.seq);
    else if (!on && this.remove !== null) {
      this.remove();
      this.remove = null;
    }
  }
}

/** Runs `list` in order: the first verdict that is not null, or null when every check passed. */
export function runPhases(list: PhaseFn[], c: Client, spec: CommandSpec, argv: string[], bits: number): string | null {
  for (let i = 0; i < list.length; i++) {
    const r = list[i](c, spec, argv, bits);
    if (r !== null) return r;
  }
  return null;
}
