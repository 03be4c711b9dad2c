// Blocking commands: clients parked on keys (BLPOP, BZPOPMIN, BLMOVE...) or on a
// condition with a deadline (WAIT, WAITAOF), and their waking. A blocked client is
// served when a key it waits on is added (the keyspace's `added` hook, or
// signalKeyAsReady from commands that push to an existing key): after the current
// command, handleReadyKeys executes the parked command again, in the order the
// clients blocked. A client whose command still finds nothing blocks again, keeping
// its first deadline.
//
// Limits: the loop over ready keys runs at most READY_ROUNDS_MAX rounds per command
// (keys made ready by served commands are handled in the following rounds).

import type { Client } from './client.js';
import type { Server } from './server.js';
import type { Database } from '../keyspace/keyspace.js';
import { CLIENT_BLOCKED, type BlockState } from '../commands/context.js';

const READY_ROUNDS_MAX = 1000000;

export class Blocking {
  /** Blocked clients: per database, key -> clients in the order they blocked. */
  private blockingKeys: Array<Map<string, Client[]>> = [];
  private readyKeys: Array<{ db: Database; key: string }> = [];
  private readySet = new Set<string>();
  private blockTimers = new Map<Client, NodeJS.Timeout>();
  /** Clients blocked now (INFO blocked_clients). */
  blockedClients = 0;
  /** Blocked clients waiting with unblockOnNoKey (XREADGROUP): a modified key may concern them. */
  noKeyWaiters = 0;

  constructor(
    private readonly host: Server,
    ndb: number,
  ) {
    for (let i = 0; i < ndb; i++) this.blockingKeys.push(new Map());
  }

  /** True when keys became ready and blocked clients wait to be served. */
  get pendingReady(): boolean {
    return this.readyKeys.length > 0;
  }

  /** Stops every deadline timer (server close). */
  clearTimers(): void {
    for (const t of this.blockTimers.values()) clearTimeout(t);
    this.blockTimers.clear();
  }


  block(c: Client, st: Omit<BlockState, 'db' | 'spec' | 'argv'> & { db?: Database }): void {
    const db = st.db ?? c.db;
    const state: BlockState = { ...st, db, spec: c.cmd!, argv: c.argv };
    c.blocked = state;
    c.flags |= CLIENT_BLOCKED;
    this.blockedClients++;
    if (state.unblockOnNoKey === true) this.noKeyWaiters++;
    const map = this.blockingKeys[db.id];
    for (const k of state.keys) {
      let list = map.get(k);
      if (!list) {
        list = [];
        map.set(k, list);
      }
      list.push(c);
      // A key that is already ready (e.g. re-blocked after a wrong-type wake) stays queued.
    }
    // A command re-run because its key became ready keeps its first deadline.
    if (this.reprocessing === c && this.reprocessTimeoutAt !== null) state.timeoutAt = this.reprocessTimeoutAt;
    if (state.timeoutAt > 0) this.armBlockTimer(c, state.timeoutAt);
  }

  /** Node fires timers longer than 2^31-1 ms at once; long deadlines are re-armed in steps. */
  private armBlockTimer(c: Client, at: number): void {
    const delay = Math.min(2147483647, Math.max(0, at - Date.now()));
    this.blockTimers.set(
      c,
      setTimeout(() => this.blockTimeout(c), delay),
    );
  }

  /** The client being re-run by handleReadyKeys, and its original deadline. */
  private reprocessing: Client | null = null;

  /** Whether `c` is running again the command it blocked on (MONITOR showed it already). */
  isReprocessing(c: Client): boolean {
    return this.reprocessing === c;
  }

  private reprocessTimeoutAt: number | null = null;

  private blockTimeout(c: Client): void {
    if (!c.blocked) return;
    const st = c.blocked;
    if (Date.now() < st.timeoutAt) {
      this.armBlockTimer(c, st.timeoutAt);
      return;
    }
    this.unblock(c, false);
    if (st.onTimeout === 'nullarray') c.addNullArray();
    else if (st.onTimeout === 'nullbulk') c.addNull();
    else if (st.timeoutReply) st.timeoutReply(c);
    if (st.onTimeout !== 'custom') this.host.countUnblocked(c, st.spec, st.argv, false);
    this.resumeAfterUnblock(c);
  }

  /** Removes a client from every blocking structure. */
  unblock(c: Client, _served: boolean): void {
    const st = c.blocked;
    if (!st) return;
    c.blocked = null;
    c.flags &= ~CLIENT_BLOCKED;
    this.blockedClients--;
    if (st.unblockOnNoKey === true) this.noKeyWaiters--;
    const map = this.blockingKeys[st.db.id];
    for (const k of st.keys) {
      const list = map.get(k);
      if (!list) continue;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) map.delete(k);
    }
    const t = this.blockTimers.get(c);
    if (t) {
      clearTimeout(t);
      this.blockTimers.delete(c);
    }
  }

  /** CLIENT UNBLOCK: ends a block with the timeout reply or an UNBLOCKED error. */
  unblockByRequest(c: Client, withError: boolean): boolean {
    if (!c.blocked) return false;
    const st = c.blocked;
    this.unblock(c, false);
    if (withError) c.addError('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    else if (st.onTimeout === 'nullarray') c.addNullArray();
    else if (st.onTimeout === 'nullbulk') c.addNull();
    else if (st.timeoutReply) st.timeoutReply(c);
    if (st.onTimeout !== 'custom') this.host.countUnblocked(c, st.spec, st.argv, withError);
    this.resumeAfterUnblock(c);
    return true;
  }

  /** After a client is unblocked, it goes on with the commands it pipelined meanwhile. */
  private resumeAfterUnblock(c: Client): void {
    setImmediate(() => {
      if (!this.host.clients.has(c.id) || c.blocked) return;
      this.host.processInputBuffer(c);
      this.host.flushPending();
    });
    this.host.flushPending();
  }

  blockingKeyCount(): number {
    let n = 0;
    for (const m of this.blockingKeys) n += m.size;
    return n;
  }

  /** A key was added: clients blocked on it are served after the current command. */
  keyAdded(db: Database, key: string): void {
    const map = this.blockingKeys[db.id];
    if (map.size === 0 || !map.has(key)) return;
    const id = db.id + '\0' + key;
    if (this.readySet.has(id)) return;
    this.readySet.add(id);
    this.readyKeys.push({ db, key });
  }

  /** A key that blocked clients wait on may be ready: signal it (used by commands that push to existing keys). */
  signalKeyAsReady(db: Database, key: string): void {
    this.keyAdded(db, key);
  }

  /**
   * A key was modified (deleted, overwritten...): clients waiting with
   * unblockOnNoKey on it run again (Redis 7.2's signalDeletedKeyAsReady).
   */
  keyModified(db: Database, key: string): void {
    if (this.noKeyWaiters === 0) return;
    const waiting = this.blockingKeys[db.id].get(key);
    if (waiting === undefined) return;
    for (const c of waiting) {
      if (c.blocked?.unblockOnNoKey === true) {
        this.keyAdded(db, key);
        return;
      }
    }
  }

  /**
   * A whole database was emptied or swapped (FLUSHDB, FLUSHALL, SWAPDB): every key
   * of it that a client waits on with unblockOnNoKey is signalled, so that XREADGROUP
   * runs again and answers as it does when its key is deleted (Redis's
   * scanDatabaseForDeletedKeys).
   */
  dbReplaced(db: Database): void {
    if (this.noKeyWaiters === 0) return;
    for (const key of this.blockingKeys[db.id].keys()) this.keyModified(db, key);
  }

  /**
   * Serves clients blocked on keys that became ready, in the order they blocked, by
   * executing their command again. A client whose command still finds nothing
   * blocks again. Keys made ready by the served commands are handled in turn.
   */
  handleReadyKeys(): void {
    let guard = 0;
    while (this.readyKeys.length > 0 && guard++ < READY_ROUNDS_MAX) {
      const batch = this.readyKeys;
      this.readyKeys = [];
      this.readySet.clear();
      for (const { db, key } of batch) {
        const waiting = this.blockingKeys[db.id].get(key);
        if (!waiting) continue;
        for (const c of waiting.slice()) {
          const st = c.blocked;
          if (!st) continue;
          const obj = db.lookup(key);
          // XREADGROUP runs again whatever became of the key (deleted, another type).
          if (st.unblockOnNoKey !== true) {
            if (obj === undefined) continue;
            if (st.type !== null && obj.type !== st.type) continue;
          }
          this.unblock(c, true);
          const prevDb = c.db;
          c.db = st.db;
          this.host.ks.now = Date.now();
          this.host.callDepth++;
          this.reprocessing = c;
          this.reprocessTimeoutAt = st.timeoutAt;
          try {
            this.host.call(c, st.spec, st.argv);
          } finally {
            this.reprocessing = null;
            this.reprocessTimeoutAt = null;
            this.host.callDepth--;
          }
          this.host.flushPropagation();
          c.db = prevDb;
          if (!c.blocked) this.resumeAfterUnblock(c);
        }
      }
    }
  }
}
