// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: a coordinated switch of
// roles between this primary and one of its replicas (Redis 6.2+).
//
//  1. waiting-for-sync: writes are paused (CLIENT PAUSE WRITE semantics) so the
//     offset stops moving; the primary waits until the target (or, without TO, any
//     replica) acknowledged the whole stream. The periodic REPLCONF ACKs bring the
//     news: no PING or GETACK enters the stream while clients are paused, since it
//     would move the offset being waited for.
//  2. failover-in-progress: this server becomes a replica of the target and sends
//     PSYNC <replid> <offset> FAILOVER; the target, seeing its own primary's id,
//     promotes itself and accepts the partial resynchronization.
//  3. Done when the target accepted the PSYNC (+CONTINUE or +FULLRESYNC): writes
//     resume, and are now refused as on any read-only replica.
//
// On timeout without FORCE, on ABORT, or when the target rejects the PSYNC, the
// failover is aborted and this server is a primary again.

import type { Client } from '../server/client.js';
import { parseIntArg } from '../util/numbers.js';
import type { Replication } from './replication.js';
import type { ReplicaConn } from './primary.js';

export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

/** The pause of a FAILOVER without TIMEOUT: until it ends (Node timers cap at ~24.8 days). */
const PAUSE_FOREVER_MS = 2147483647;

export class Failover {
  state: FailoverState = 'no-failover';
  private readonly repl: Replication;
  private host: string | null = null;
  private port = 0;
  private force = false;
  /** Absolute deadline in ms (0: none). */
  private endTime = 0;

  constructor(repl: Replication) {
    this.repl = repl;
  }

  command(c: Client, argv: string[]): void {
    const repl = this.repl;
    const s = repl.server;
    if (s.mode === 'cluster') {
      c.addError('ERR FAILOVER not allowed in cluster mode.');
      return;
    }
    let host: string | null = null;
    let port = 0;
    let timeout = 0;
    let force = false;
    let abort = false;
    for (let j = 1; j < argv.length; j++) {
      const a = argv[j].toLowerCase();
      if (a === 'to' && host === null && j + 2 < argv.length) {
        const p = parseIntArg(argv[j + 2]);
        if (p === null) {
          c.addError('ERR value is not an integer or out of range');
          return;
        }
        host = argv[j + 1];
        port = p;
        j += 2;
      } else if (a === 'timeout' && timeout === 0 && j + 1 < argv.length) {
        const t = parseIntArg(argv[j + 1]);
        if (t === null) {
          c.addError('ERR value is not an integer or out of range');
          return;
        }
        if (t <= 0) {
          c.addError('ERR FAILOVER timeout must be greater than 0');
          return;
        }
        timeout = t;
        j++;
      } else if (a === 'force' && !force) {
        force = true;
      } else if (a === 'abort' && !abort) {
        abort = true;
      } else {
        c.addError('ERR syntax error');
        return;
      }
    }
    if (abort) {
      if (host !== null || timeout !== 0 || force) {
        c.addError('ERR syntax error');
        return;
      }
      if (this.state === 'no-failover') {
        c.addError('ERR No failover in progress.');
        return;
      }
      this.abort('Failover manually aborted');
      c.addOk();
      return;
    }
    if (this.state !== 'no-failover') {
      c.addError('ERR FAILOVER already in progress.');
      return;
    }
    if (repl.isReplica) {
      c.addError('ERR FAILOVER is not valid when server is a replica.');
      return;
    }
    if (repl.replicas.length === 0) {
      c.addError('ERR FAILOVER requires connected replicas.');
      return;
    }
    if (force && (timeout === 0 || host === null)) {
      c.addError('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
      return;
    }
    if (host !== null) {
      const r = this.findReplica(host, port);
      if (r === null) {
        c.addError('ERR FAILOVER target HOST and PORT is not a replica.');
        return;
      }
      if (r.state !== 'online') {
        c.addError('ERR FAILOVER target replica is not online.');
        return;
      }
    }
    this.host = host;
    this.port = port;
    this.force = force;
    this.endTime = timeout > 0 ? Date.now() + timeout : 0;
    this.state = 'waiting-for-sync';
    if (host !== null) s.log.notice(`FAILOVER requested to ${host}:${port}.`);
    else s.log.notice('FAILOVER requested to any replica.');
    s.pauseClients(timeout > 0 ? timeout : PAUSE_FOREVER_MS, false);
    c.addOk();
    this.check();
  }

  private findReplica(host: string, port: number): ReplicaConn | null {
    for (const r of this.repl.replicas) if (r.ip() === host && r.listeningPort === port) return r;
    return null;
  }

  /** Progress of a failover waiting for its target (after ACKs, on the cron). */
  check(): void {
    if (this.state !== 'waiting-for-sync') return;
    const repl = this.repl;
    const s = repl.server;
    if (this.endTime !== 0 && Date.now() >= this.endTime) {
      if (this.force && this.host !== null) {
        s.log.notice(`FAILOVER to ${this.host}:${this.port} time out exceeded, failing over.`);
        this.start();
      } else {
        this.abort('Replica never caught up before timeout');
      }
      return;
    }
    const offset = s.masterReplOffset;
    let target: ReplicaConn | null = null;
    if (this.host !== null) {
      target = this.findReplica(this.host, this.port);
    } else {
      for (const r of repl.replicas) {
        if (r.state === 'online' && r.ackOffset === offset) {
          target = r;
          this.host = r.ip();
          this.port = r.listeningPort;
          break;
        }
      }
    }
    if (target !== null && target.state === 'online' && target.ackOffset === offset) {
      s.log.notice(`Failover target ${this.host}:${this.port} is synced, failing over.`);
      this.start();
    }
  }

  private start(): void {
    this.state = 'failover-in-progress';
    this.repl.setMaster(this.host!, this.port, true);
  }

  /** The target accepted our PSYNC: the switch is complete. */
  psyncAccepted(): void {
    if (this.state !== 'failover-in-progress') return;
    this.repl.server.log.notice(`Failover to ${this.host}:${this.port} succeeded.`);
    this.clear();
  }

  /** The target refused our PSYNC. */
  psyncRejected(): void {
    if (this.state === 'failover-in-progress') this.abort('Failover target rejected psync request');
  }

  abort(reason: string): void {
    if (this.state === 'no-failover') return;
    const log = this.repl.server.log;
    if (this.host !== null) log.notice(`FAILOVER to ${this.host}:${this.port} aborted: ${reason}`);
    else log.notice(`FAILOVER to any replica aborted: ${reason}`);
    if (this.state === 'failover-in-progress') this.repl.unsetMaster();
    this.clear();
  }

  private clear(): void {
    this.state = 'no-failover';
    this.host = null;
    this.port = 0;
    this.force = false;
    this.endTime = 0;
    this.repl.server.unpause();
  }
}
