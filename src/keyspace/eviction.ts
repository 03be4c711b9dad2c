// maxmemory: measuring memory and evicting keys.
//
// Measuring. Redis counts every byte it allocates (zmalloc) and evicts on that count.
// In Node the dataset lives in the V8 heap, whose reading (heapUsed + external)
// includes garbage until the GC runs: deleting a key frees nothing until then, and
// evicting on the reading evicted nearly every key under a small limit. So memory is
// accounted, not read:
//   used_memory = used_memory_startup + dataset + lazyfree pending + client buffers
//                 + MULTI queues + backlog
//  - used_memory_startup: the V8 heap reading when the server was composed, fixed;
//  - dataset: the keyspace's running total (keyspace.ts, "Dataset accounting"): every
//    key is charged its size-model cost (mem-model.ts, the MEMORY USAGE model) when
//    it is created, re-charged where a write signals it modified (WATCH's signal)
//    and refunded exactly what it was charged when it is deleted, flushed or
//    evicted; a TTL adds EXPIRE_OVERHEAD. O(1) per write, no reading of the heap;
//  - lazyfree pending: what UNLINK, FLUSHALL ASYNC and the lazyfree-lazy-* directives
//    took out of the keyspace, until the lazyfree queue releases it after the turn
//    (lazyfree.ts);
//  - client buffers (query buffers, pending replies, socket write queues, normal
//    clients and replicas apart) and the replication backlog's allocation, counted
//    by the server (EvictionHost.countMemoryOverheads) in its cron and for INFO, so
//    they lag by at most one cron period; the commands queued in MULTI, kept as they
//    are queued and dropped (MemoryTracker.queued), so the OOM check sees them at once.
// The AOF buffer is not counted (it is written out every event-loop turn).
// The figure is exact with respect to the model, not to V8: the model is calibrated
// on V8's object layouts, and hash tables that do not shrink, fragmentation and
// garbage are not in it (used_memory_rss and the v8_* INFO fields show the heap).
// As Redis does, eviction compares used_memory minus what is not counted for
// eviction (mem_not_counted_for_evict: the replicas' output buffers) to maxmemory.
//
// Eviction follows Redis's performEvictions: with an LRU, LFU or TTL policy, keys
// are sampled (maxmemory-samples per database: any key for allkeys-*, keys with a
// TTL for volatile-*) into a pool of the 16 best candidates, and the best one is
// evicted; the random policies pick a random key. Each evicted key is deleted,
// propagated as DEL (UNLINK with lazyfree-lazy-eviction), notified as 'evicted'
// and counted in evicted_keys. The time spent per call is bounded by
// maxmemory-eviction-tenacity; when the budget runs out the work goes on in a
// timer and the command is allowed, as Redis does.

import v8 from 'node:v8';
import { performance } from 'node:perf_hooks';
import type { Database, Keyspace } from './keyspace.js';
import { NOTIFY_EVICTED } from './notify.js';

export { stringBytes, valueMemoryUsage, keyMemoryUsage, keyCost, KEY_OVERHEAD, EXPIRE_OVERHEAD, TABLES_PER_KEY } from './mem-model.js';

// ---- measuring --------------------------------------------------------------------------

/** V8's heap in use plus memory held by Buffers outside the heap (INFO's v8_* fields). */
export function heapReading(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/** What the tracker reads of the keyspace: the dataset total and what waits to be lazily freed. */
export interface TrackedKeyspace {
  readonly dataset: number;
  readonly lazyfree: { readonly pendingBytes: number };
}

/** The overheads besides the dataset that used_memory counts, as the server last counted them. */
export interface MemoryOverheads {
  /** Query buffers, pending replies and socket write queues of normal clients (and MONITORs). */
  clientsNormal: number;
  /** The same for replicas and the primary link. */
  clientsReplicas: number;
  /** The replication backlog's allocation. */
  backlog: number;
}

/**
 * Per-server memory accounting (see the header): the fixed start-up baseline, the
 * keyspace's running dataset total, and the overheads the server counts in its cron
 * (`refresh`). used() is O(1) and allocates nothing: the dispatcher's eviction check
 * reads it before every command while maxmemory is set.
 */
export class MemoryTracker implements MemoryOverheads {
  /** used_memory_startup: the heap reading when the server was composed, minus any data then. */
  startup: number;
  peak: number;
  peakTime = Date.now();
  clientsNormal = 0;
  clientsReplicas = 0;
  backlog = 0;
  /** Bytes of commands queued in MULTI by every client, kept as they are queued and dropped (server.ts). */
  queued = 0;
  private readonly ks: TrackedKeyspace;
  private readonly count: ((into: MemoryOverheads) => void) | null;

  constructor(ks: TrackedKeyspace, count: ((into: MemoryOverheads) => void) | null = null, startup = Math.max(0, heapReading() - ks.dataset)) {
    this.ks = ks;
    this.count = count;
    this.startup = startup;
    this.peak = startup + ks.dataset;
  }

  /** Bytes of the dataset as accounted. */
  get dataset(): number {
    return this.ks.dataset;
  }

  /** used_memory; tracks the peak. */
  used(): number {
    const u = this.startup + this.ks.dataset + this.ks.lazyfree.pendingBytes + this.clientsNormal + this.queued + this.clientsReplicas + this.backlog;
    if (u > this.peak) {
      this.peak = u;
      this.peakTime = Date.now();
    }
    return u;
  }

  /** mem_not_counted_for_evict: the replicas' output buffers (Redis's freeMemoryGetNotCountedMemory). */
  notCountedForEvict(): number {
    return this.clientsReplicas;
  }

  /** What eviction compares to maxmemory. */
  effective(): number {
    return this.used() - this.notCountedForEvict();
  }

  /** Counts the overheads again (cron, INFO, CONFIG SET maxmemory). */
  refresh(): void {
    if (this.count) this.count(this);
  }

  resetPeak(): void {
    this.peak = 0;
    this.peak = this.used();
    this.peakTime = Date.now();
  }
}

/** Configuration values as eviction reads them (the config table satisfies it). */
export interface ConfigReader {
  getNumber(name: string): number;
  getString(name: string): string;
  getBool(name: string): boolean;
  onChange(fn: (name: string) => void): void;
}

/**
 * What eviction needs of the server it runs in: the keyspace, configuration, the
 * memory figure it replaces, the overheads it counts, and the signals an evicted key
 * sends (WATCH, keyspace notification, propagation as DEL/UNLINK). The server
 * implements it; keyspace/ knows nothing of the server.
 */
export interface EvictionHost {
  readonly ks: Keyspace;
  readonly config: ConfigReader;
  readonly log: { warning(msg: string): void };
  readonly maxmemory: number;
  readonly cronHooks: Array<() => void>;
  readonly resetStatHooks: Array<() => void>;
  usedMemory: () => number;
  performEvictions: () => boolean;
  /** Counts client buffers and the backlog into `into` (O(clients)). */
  countMemoryOverheads(into: MemoryOverheads): void;
  signalModifiedKey(db: Database, key: string): void;
  notifyKeyspaceEvent(cls: number, event: string, key: string, dbid: number): void;
  alsoPropagate(dbid: number, argv: string[]): void;
}

const trackers = new WeakMap<EvictionHost, MemoryTracker>();

/** The server's memory tracker (created on first use). */
export function memoryTracker(s: EvictionHost): MemoryTracker {
  let t = trackers.get(s);
  if (!t) {
    t = new MemoryTracker(s.ks, (into) => s.countMemoryOverheads(into));
    trackers.set(s, t);
  }
  return t;
}

// ---- eviction ---------------------------------------------------------------------------

const POOL_SIZE = 16;

interface PoolEntry {
  /** Higher is a better candidate: idle ms (LRU), 255 - counter (LFU), or -expire (TTL). */
  score: number;
  key: string;
  db: Database;
}

type Policy = 'volatile-lru' | 'volatile-lfu' | 'volatile-random' | 'volatile-ttl' | 'allkeys-lru' | 'allkeys-lfu' | 'allkeys-random' | 'noeviction';

/** Microseconds one call may spend evicting, from maxmemory-eviction-tenacity (Redis's formula). */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return 500 * Math.pow(1.15, tenacity - 10);
  return Infinity;
}

export class Evictor {
  readonly server: EvictionHost;
  readonly mem: MemoryTracker;
  private pool: PoolEntry[] = [];
  private nextDb = 0;
  /** Rotating iterators over each database's expires Map (volatile sampling when few keys have a TTL). */
  private volatileIters: Array<IterableIterator<string> | null> = [];
  private timer: NodeJS.Timeout | null = null;
  /** Total ms spent over maxmemory (INFO total_eviction_exceeded_time). */
  exceededTotalMs = 0;
  exceededSince = 0;

  constructor(server: EvictionHost) {
    this.server = server;
    this.mem = memoryTracker(server);
  }

  /** True when eviction is pointless: replicas ignoring maxmemory. */
  private ignoring(): boolean {
    const s = this.server;
    return s.ks.isReplica && s.config.getBool('replica-ignore-maxmemory');
  }

  /** Bytes over maxmemory (0 when under or when maxmemory is off). */
  overBy(): number {
    const max = this.server.maxmemory;
    if (max <= 0) return 0;
    const used = this.mem.effective();
    return used > max ? used - max : 0;
  }

  /**
   * Evicts until memory is under maxmemory, as Redis's performEvictions. Returns false
   * only when memory is over the limit and nothing can be evicted (noeviction, or no
   * key the policy may take: the dispatcher then refuses denyoom commands with OOM).
   * Stopping because the time budget ran out returns true and continues in a timer.
   * The check is two additions and a comparison while under the limit.
   */
  perform(): boolean {
    const s = this.server;
    const max = s.maxmemory;
    s.ks.settle();
    if (max <= 0 || this.mem.effective() <= max) {
      if (this.exceededSince) {
        this.exceededTotalMs += Date.now() - this.exceededSince;
        this.exceededSince = 0;
      }
      return true;
    }
    if (this.ignoring()) return true;
    if (!this.exceededSince) this.exceededSince = Date.now();
    const policy = s.config.getString('maxmemory-policy') as Policy;
    if (policy === 'noeviction') return false;
    const limitUs = evictionTimeLimitUs(s.config.getNumber('maxmemory-eviction-tenacity'));
    const start = performance.now();
    let evicted = 0;
    while (this.mem.effective() > max) {
      const pick = this.pick(policy);
      if (pick === null) return false;
      this.evict(pick.db, pick.key);
      evicted++;
      if ((evicted & 15) === 0 && (performance.now() - start) * 1000 > limitUs) {
        this.scheduleContinuation();
        return true;
      }
    }
    return true;
  }

  /** Counts the overheads again and evicts if over the limit (CONFIG SET maxmemory, the cron). */
  check(): boolean {
    this.mem.refresh();
    return this.perform();
  }

  private scheduleContinuation(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.check();
    }, 0);
    this.timer.unref?.();
  }

  /** Deletes one key as an eviction; returns the bytes its deletion gave back to the accounting. */
  evict(db: Database, key: string): number {
    const s = this.server;
    if (!db.dict.has(key)) return 0;
    const before = s.ks.dataset;
    // Lazily freed with lazyfree-lazy-eviction, but its memory counts as given back at
    // once: Redis's evictor sees its lazyfree thread free memory while it waits, ours
    // would not within this turn and would evict every key.
    if (s.ks.lazyEviction) db.deleteAsync(key, false);
    else db.delete(key);
    s.ks.stats.evictedKeys++;
    s.signalModifiedKey(db, key);
    s.notifyKeyspaceEvent(NOTIFY_EVICTED, 'evicted', key, db.id);
    s.alsoPropagate(db.id, [s.config.getBool('lazyfree-lazy-eviction') ? 'UNLINK' : 'DEL', key]);
    return before - s.ks.dataset;
  }

  /** The next key to evict under `policy`, or null when there is none. */
  pick(policy: Policy): { db: Database; key: string } | null {
    const dbs = this.server.ks.dbs;
    if (policy === 'allkeys-random' || policy === 'volatile-random') {
      const volatile = policy === 'volatile-random';
      for (let i = 0; i < dbs.length; i++) {
        const db = dbs[this.nextDb];
        this.nextDb = (this.nextDb + 1) % dbs.length;
        if (volatile ? db.expires.size === 0 : db.dict.size === 0) continue;
        const key = volatile ? this.randomVolatileKey(db) : db.randomKey();
        if (key !== undefined) return { db, key };
      }
      return null;
    }
    const volatile = policy.startsWith('volatile-');
    const kind = policy.endsWith('-lru') ? 0 : policy.endsWith('-lfu') ? 1 : 2;
    for (let attempt = 0; attempt < 8; attempt++) {
      let anyKeys = false;
      for (const db of dbs) {
        if (volatile ? db.expires.size === 0 : db.dict.size === 0) continue;
        anyKeys = true;
        this.populate(db, volatile, kind);
      }
      if (!anyKeys) return null;
      // Take the best candidate that still exists.
      while (this.pool.length > 0) {
        const e = this.pool.pop()!;
        if (e.db.dict.has(e.key) && (!volatile || e.db.expires.has(e.key))) return { db: e.db, key: e.key };
      }
    }
    return null;
  }

  /** Samples maxmemory-samples keys of `db` into the pool of best candidates. */
  private populate(db: Database, volatile: boolean, kind: number): void {
    const n = this.server.config.getNumber('maxmemory-samples');
    const ks = this.server.ks;
    for (let i = 0; i < n; i++) {
      const key = volatile ? this.randomVolatileKey(db) : db.randomKey();
      if (key === undefined) break;
      const obj = db.dict.get(key);
      if (obj === undefined) continue;
      let score: number;
      if (kind === 0) score = ks.idleMs(obj);
      else if (kind === 1) score = 255 - ks.lfuDecr(obj);
      else score = -(db.expires.get(key) ?? Infinity);
      this.insert({ score, key, db });
    }
  }

  /** Inserts into the pool (ascending by score), keeping the POOL_SIZE best. */
  private insert(e: PoolEntry): void {
    const pool = this.pool;
    for (let i = 0; i < pool.length; i++) if (pool[i].key === e.key && pool[i].db === e.db) return;
    if (pool.length >= POOL_SIZE && e.score <= pool[0].score) return;
    let i = 0;
    while (i < pool.length && pool[i].score < e.score) i++;
    pool.splice(i, 0, e);
    if (pool.length > POOL_SIZE) pool.shift();
  }

  /** A key with a TTL: random when TTL keys are common, else the next one of a rotating walk. */
  private randomVolatileKey(db: Database): string | undefined {
    const nexp = db.expires.size;
    if (nexp === 0) return undefined;
    if (nexp * 8 >= db.dict.size) {
      for (let i = 0; i < 32; i++) {
        const k = db.randomKey();
        if (k !== undefined && db.expires.has(k)) return k;
      }
    }
    for (let pass = 0; pass < 2; pass++) {
      let it = this.volatileIters[db.id];
      if (!it) {
        it = db.expires.keys();
        this.volatileIters[db.id] = it;
      }
      const r = it.next();
      if (!r.done) return r.value;
      this.volatileIters[db.id] = null;
    }
    return undefined;
  }

  /** Drops cached candidates (FLUSHALL, SWAPDB, policy change). */
  reset(): void {
    this.pool = [];
    this.volatileIters = [];
  }
}

const evictors = new WeakMap<EvictionHost, Evictor>();

export function evictor(s: EvictionHost): Evictor | undefined {
  return evictors.get(s);
}

/**
 * Installs maxmemory handling on a server: server.performEvictions, a cheap
 * usedMemory, eviction when CONFIG SET lowers maxmemory, and peak tracking in cron.
 */
export function installEviction(s: EvictionHost): Evictor {
  let ev = evictors.get(s);
  if (ev) return ev;
  ev = new Evictor(s);
  evictors.set(s, ev);
  const e = ev;
  s.usedMemory = () => e.mem.used();
  s.performEvictions = () => e.perform();
  const lazyFlags = (): void => {
    s.ks.lazyExpire = s.config.getBool('lazyfree-lazy-expire');
    s.ks.lazyServerDel = s.config.getBool('lazyfree-lazy-server-del');
    s.ks.lazyEviction = s.config.getBool('lazyfree-lazy-eviction');
  };
  lazyFlags();
  s.config.onChange((name) => {
    if (name.startsWith('lazyfree-lazy-')) lazyFlags();
    if (name === 'maxmemory') {
      const max = s.config.getNumber('maxmemory');
      if (max > 0) {
        const used = e.mem.effective();
        if (used > max) {
          s.log.warning(
            `WARNING: the new maxmemory value set via CONFIG SET (${max}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`,
          );
        }
        e.check();
      }
    } else if (name === 'maxmemory-policy') {
      e.reset();
    }
  });
  // The cron counts the client buffers and the backlog again (and tracks the peak).
  s.cronHooks.push(() => {
    e.mem.refresh();
    e.mem.used();
  });
  // CONFIG RESETSTAT: the peak and the time spent over the limit start again.
  s.resetStatHooks.push(() => {
    e.mem.resetPeak();
    s.ks.lazyfree.resetStats();
    e.exceededTotalMs = 0;
    if (e.exceededSince) e.exceededSince = Date.now();
  });
  return ev;
}
