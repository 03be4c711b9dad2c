// Active expiry, after Redis's activeExpireCycle (expire.c): the server cron samples
// keys with a TTL in each database and deletes the expired ones, repeating while more
// than (10 - effort)% of a sample was expired, within a time budget of 25% (+2% per
// effort step) of the cron period. Each database keeps a cursor over its expires so
// successive cycles walk all of it rather than sampling the same keys again.

import { performance } from 'node:perf_hooks';
import type { Keyspace } from './keyspace.js';

export class ActiveExpire {
  /** Per database: where the last cycle stopped in its expires. */
  private cursors: Array<IterableIterator<[string, number]> | null> = [];

  /** One cycle over every database (see the header). `activeExpireEffort`: 1..10. */
  cycle(ks: Keyspace, activeExpireEffort: number, hz: number): void {
    const effort = activeExpireEffort - 1;
    const perLoop = 20 + Math.floor((20 / 4) * effort);
    const budgetMs = (1000 / Math.max(1, hz)) * (0.25 + 0.02 * effort);
    const start = performance.now();
    const acceptableStale = 10 - effort;
    for (const db of ks.dbs) {
      if (db.expires.size === 0) {
        // As Redis's activeExpireCycle: no key with a TTL left, the estimate is 0 again.
        db.avgTtl = 0;
        continue;
      }
      for (;;) {
        let it = this.cursors[db.id];
        if (!it) {
          it = db.expires.entries();
          this.cursors[db.id] = it;
        }
        let sampled = 0;
        let expired = 0;
        let ttlSum = 0;
        let ttlSamples = 0;
        const now = Date.now();
        ks.now = now;
        while (sampled < perLoop) {
          const r = it.next();
          if (r.done) {
            this.cursors[db.id] = null;
            break;
          }
          sampled++;
          const [key, when] = r.value;
          if (when <= now) {
            // The check on `when` guards against a cursor that outlived a SWAPDB.
            if (db.expires.get(key) === when && db.dict.has(key)) db.expireNow(key);
            expired++;
          } else {
            ttlSum += when - now;
            ttlSamples++;
          }
        }
        if (ttlSamples > 0) {
          const avg = ttlSum / ttlSamples;
          db.avgTtl = db.avgTtl ? (db.avgTtl / 50) * 49 + avg / 50 : avg;
        }
        if (sampled === 0 || expired * 100 <= sampled * acceptableStale) break;
        if (performance.now() - start > budgetMs) {
          ks.stats.expiredTimeCapReached++;
          break;
        }
      }
    }
    // INFO's expire_cycle_cpu_milliseconds, as Redis's stat_expire_cycle_time_used (wall time of the cycles).
    ks.stats.expireCycleUs += (performance.now() - start) * 1000;
  }
}
