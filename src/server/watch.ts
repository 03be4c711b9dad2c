// WATCH: the keys each client watches, per database, and the marking of clients
// whose EXEC must fail (CLIENT_DIRTY_CAS) when a watched key changes, is flushed or
// swapped away, or expires after WATCH. A key already logically expired when it was
// WATCHed does not doom the transaction when its deletion comes (nothing changed).

import type { Client } from './client.js';
import type { Database } from '../keyspace/keyspace.js';
import { CLIENT_DIRTY_CAS } from '../commands/context.js';

export class WatchedKeys {
  /** Per database: key -> the clients watching it. */
  private byDb: Array<Map<string, Set<Client>>> = [];

  constructor(ndb: number) {
    for (let i = 0; i < ndb; i++) this.byDb.push(new Map());
  }

  /** A key changed: clients WATCHing it will fail their EXEC. */
  modified(db: Database, key: string): void {
    const w = this.byDb[db.id];
    if (w.size === 0) return;
    const clients = w.get(key);
    if (clients) for (const c of clients) c.flags |= CLIENT_DIRTY_CAS;
  }

  /** An expired key was deleted: a modification, unless it was expired already at WATCH time. */
  expired(db: Database, key: string): void {
    const watchers = this.byDb[db.id].get(key);
    if (!watchers) return;
    for (const c of watchers) {
      const w = c.watched.find((x) => x.db === db && x.key === key);
      if (w && w.expiredAtWatch) w.expiredAtWatch = false;
      else c.flags |= CLIENT_DIRTY_CAS;
    }
  }

  /**
   * `db` is emptied (FLUSHDB, FLUSHALL) or, with `other`, gets `other`'s keys
   * (SWAPDB, called for both sides before the swap). A watched key that exists on
   * either side is touched, as Redis 7.2's touchAllWatchedKeysInDb does, except
   * where nothing changes logically: a key expired at WATCH that is now deleted
   * (the flag is cleared) or replaced by another expired key, and a key that did
   * not exist replaced by an expired one (now flagged as expired).
   */
  touchAll(db: Database, other?: Database): void {
    const w = this.byDb[db.id];
    for (const [key, clients] of w) {
      const inEmptied = db.dict.has(key);
      const inOther = other !== undefined && other.dict.has(key);
      if (!inEmptied && !inOther) continue;
      for (const c of clients) {
        const wk = c.watched.find((x) => x.db === db && x.key === key);
        if (wk !== undefined && wk.expiredAtWatch) {
          if (!inOther) {
            wk.expiredAtWatch = false;
            continue;
          }
          if (other!.isExpired(key)) continue;
        } else if (wk !== undefined && !inEmptied && other!.isExpired(key)) {
          wk.expiredAtWatch = true;
          continue;
        }
        c.flags |= CLIENT_DIRTY_CAS;
      }
    }
  }

  watch(c: Client, key: string): void {
    for (const w of c.watched) if (w.db === c.db && w.key === key) return;
    c.watched.push({ db: c.db, key, expiredAtWatch: c.db.isExpired(key) });
    let set = this.byDb[c.db.id].get(key);
    if (!set) {
      set = new Set();
      this.byDb[c.db.id].set(key, set);
    }
    set.add(c);
  }

  unwatchAll(c: Client): void {
    for (const w of c.watched) {
      const set = this.byDb[w.db.id].get(w.key);
      if (set) {
        set.delete(c);
        if (set.size === 0) this.byDb[w.db.id].delete(w.key);
      }
    }
    c.watched = [];
    c.flags &= ~CLIENT_DIRTY_CAS;
  }

  /** True when a watched key expired after WATCH (Redis 7 treats that as a modification). */
  expiredSinceWatch(c: Client): boolean {
    for (const w of c.watched) if (!w.expiredAtWatch && w.db.isExpired(w.key)) return true;
    return false;
  }

  /** Watched keys over all databases (INFO watched_keys). */
  get keyCount(): number {
    let n = 0;
    for (const w of this.byDb) n += w.size;
    return n;
  }
}
