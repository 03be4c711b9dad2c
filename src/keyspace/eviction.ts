// maxmemory: measuring memory, estimating what a key costs, and evicting keys.
//
// Measuring. Redis counts every byte it allocates (zmalloc). In Node the dataset
// lives in the V8 heap, so "used memory" is V8's heap in use plus the memory held
// outside the heap by Buffers (heapUsed + external, read with
// v8.getHeapStatistics(), which is ten times cheaper than process.memoryUsage()
// because it does not read the RSS from /proc). The catch is garbage collection:
// the reading includes garbage (parsed requests, replies, deleted values) until the
// GC runs, and deleting a key frees nothing until then. Re-reading the heap in a
// loop while evicting would evict every key. So:
//  - when the reading says we are over maxmemory, the evictor first asks V8 for a
//    collection (a full GC, or a young-generation scavenge when a full one ran
//    recently; `gc` is exposed at run time with v8.setFlagsFromString) and reads
//    again: only memory that is really live counts. Forced collections are rate
//    limited so they take at most ~10% of the time (the next one is allowed after
//    ten times the duration of the last one, and never sooner than 50 ms/10 ms);
//  - between two full collections, the keys evicted are accounted by estimate:
//    `pending` is the estimated size of the evicted keys (the MEMORY USAGE model
//    below). The evictor works with the lower of two estimates of live memory:
//    `heap - pending` (which still counts garbage that survived scavenges), and
//    `heap after the last full GC + what the traffic since may have added
//    (bytes received + a key's bookkeeping per command) - pending`. The second
//    keeps promoted garbage from being taken for data (which made the first one
//    evict every key); data created without network input (scripts, fake
//    clients) is then only seen at the next forced full GC, tens of ms later;
//  - after any full GC (forced, or V8's own, seen by a PerformanceObserver)
//    every evicted key has been reclaimed: pending = 0.
// Hash tables do not shrink when keys are deleted one by one, so under heavy
// eviction the real cost of a key is above the model (up to ~1.5x): the forced
// full GCs correct for that. A maxmemory only a few MB above the start-up heap
// (~8 MB, used_memory_startup) leaves little room for data.
// INFO's used_memory shows the raw heap reading, garbage included: it can be above
// maxmemory by what the GC has not collected yet. That is the honest number.

// The size model (MEMORY USAGE). V8 on 64-bit Node without pointer compression:
//  - a flat one-byte string: 16 bytes of header (map, hash, length) + its bytes
//    rounded up to 8;
//  - a JS object: 24 bytes (map, properties, elements) + 8 per in-object field, so
//    an RObj (type, value, lru, enc) is 56 bytes;
//  - a Map entry: 3 pointers (key, value, chain) + half a bucket pointer = 28 bytes
//    per entry of capacity; tables are 50-100% full, so ~37 bytes per live entry
//    (a Set entry: 2 pointers + half a bucket = 20, ~27 per live entry);
//  - a double that is not a small integer is a 16-byte HeapNumber;
//  - a key costs its entry in the dict Map, its entry in the SCAN position Map and
//    position array, the RObj and the key string; a TTL adds an entry in the expires
//    Map and a HeapNumber.
// Aggregates are estimated as Redis does: the size of up to `samples` elements is
// averaged and multiplied by the element count (samples 0 = every element).
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
import vm from 'node:vm';
import { PerformanceObserver, performance, constants as perfConstants } from 'node:perf_hooks';
import type { Database, Keyspace } from './keyspace.js';
import { ObjType, type RObj, type RHash, type RSet } from '../types/object.js';
import type { RList } from '../types/list.js';
import type { SortedSet } from '../types/sorted-set.js';
import { NOTIFY_EVICTED } from './notify.js';

// ---- the size model ---------------------------------------------------------------------

const OBJ_HEADER = 24;
const PTR = 8;
const HEAP_NUMBER = 16;
const MAP_ENTRY = 37;
const SET_ENTRY = 27;
const MAP_BASE = 72; // JSMap + its table header
const ROBJ = OBJ_HEADER + 3 * PTR; // value, pos, tag (type, enc and LRU packed)
/** Per key: its dict Map entry and its pointer in the SCAN position array (with slack). */
export const TABLES_PER_KEY = MAP_ENTRY + 10;
export const KEY_OVERHEAD = TABLES_PER_KEY + ROBJ;
export const EXPIRE_OVERHEAD = MAP_ENTRY + HEAP_NUMBER;
/** RHashValue: header + packed string, count, Map pointer. */
const HASH_BASE = OBJ_HEADER + 3 * PTR;
const LIST_BASE = OBJ_HEADER + 7 * PTR + 32 + 16; // RList + JSArray + FixedArray header
const ARRAY_BASE = 32 + 16; // JSArray + backing-store header
const ZSET_OBJ = OBJ_HEADER + 3 * PTR;
/** Compact (listpack) set: object + packed-members string header. */
const ZSET_COMPACT_BASE = ZSET_OBJ + 16;
/** Indexed set: object, index object (15 fields), member table, 8 typed arrays. */
const ZSET_BASE = ZSET_OBJ + (OBJ_HEADER + 15 * PTR) + MAP_BASE + 8 * ARRAY_BASE;
/**
 * Per indexed element, besides its member string: its member-table bucket (hash,
 * key pointer, score) at the table's load, and its leaf entries (bucket number and
 * score) with the pages' slack. Measured: 84 bytes per element of ten sets of
 * 100k members after random updates (heap + array buffers, member strings
 * excluded). Scores are unboxed everywhere, so no HeapNumber.
 */
const ZSET_ELEMENT = 84;

/** Bytes of a flat one-byte V8 string. */
export function stringBytes(s: string): number {
  return 16 + ((s.length + 7) & ~7);
}

function listCapacity(n: number): number {
  let c = 8;
  while (c < n) c *= 2;
  return c;
}

/** Estimated bytes of a value (without the key), sampling up to `samples` elements of aggregates (0 = all). */
export function valueMemoryUsage(obj: RObj, samples = 5): number {
  switch (obj.type) {
    case ObjType.String:
      return stringBytes(obj.value as string);
    case ObjType.List: {
      const l = obj.value as RList;
      const n = l.length;
      const base = LIST_BASE + PTR * listCapacity(n);
      if (n === 0) return base;
      const m = samples <= 0 || samples > n ? n : samples;
      let sum = 0;
      for (let i = 0; i < m; i++) sum += stringBytes(l.at(i) as string);
      return base + Math.round((sum / m) * n);
    }
    case ObjType.Hash: {
      const h = obj.value as RHash;
      // listpack: the object and its one packed string, exactly (like Redis, no sampling).
      if (h.map === null) return HASH_BASE + stringBytes(h.lp);
      const n = h.size;
      if (n === 0) return HASH_BASE + MAP_BASE;
      const m = samples <= 0 || samples > n ? n : samples;
      let sum = 0;
      let i = 0;
      for (const [f, v] of h.map) {
        if (i++ >= m) break;
        sum += MAP_ENTRY + stringBytes(f) + stringBytes(v);
      }
      return HASH_BASE + MAP_BASE + Math.round((sum / m) * n);
    }
    case ObjType.Set: {
      const s = obj.value as RSet;
      const n = s.size;
      if (n === 0) return MAP_BASE;
      const m = samples <= 0 || samples > n ? n : samples;
      let sum = 0;
      let i = 0;
      for (const e of s) {
        if (i++ >= m) break;
        sum += SET_ENTRY + stringBytes(e);
      }
      return MAP_BASE + Math.round((sum / m) * n);
    }
    case ObjType.ZSet: {
      const z = obj.value as SortedSet;
      const n = z.size;
      const m = samples <= 0 || samples > n ? n : samples;
      if (z.isCompact) {
        if (n === 0) return ZSET_COMPACT_BASE;
        let sum = 0;
        let i = 0;
        for (const member of z.members()) {
          if (i++ >= m) break;
          sum += 1 + member.length;
        }
        return ZSET_COMPACT_BASE + ((Math.round((sum / m) * n) + 7) & ~7) + ARRAY_BASE + 8 * n;
      }
      if (n === 0) return ZSET_BASE;
      let sum = 0;
      let i = 0;
      for (const member of z.members()) {
        if (i++ >= m) break;
        sum += ZSET_ELEMENT + stringBytes(member);
      }
      return ZSET_BASE + Math.round((sum / m) * n);
    }
    default: {
      // Types without a model yet (streams): an honest lower bound of an object.
      return OBJ_HEADER + 8 * PTR;
    }
  }
}

/** MEMORY USAGE: bytes of the key's bookkeeping, the key string and the value. */
export function keyMemoryUsage(db: Database, key: string, obj: RObj, samples = 5): number {
  let n = KEY_OVERHEAD + stringBytes(key) + valueMemoryUsage(obj, samples);
  if (db.expires.size > 0 && db.expires.has(key)) n += EXPIRE_OVERHEAD;
  return n;
}

// ---- measuring --------------------------------------------------------------------------

let majorGcs = 0;
let gcObserver: PerformanceObserver | null = null;
export type GcFn = (opts?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;
let gcFn: GcFn | null | undefined;

/** V8's gc(), exposed at run time (null when the runtime refuses). */
function exposedGc(): GcFn | null {
  if (gcFn !== undefined) return gcFn;
  try {
    v8.setFlagsFromString('--expose-gc');
    const f = vm.runInNewContext('gc') as unknown;
    gcFn = typeof f === 'function' ? (f as GcFn) : null;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

function observeMajorGcs(): void {
  if (gcObserver) return;
  try {
    gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
  } catch {
    gcObserver = null;
  }
}

/** Heap in use plus memory held by Buffers outside the heap. */
export function heapReading(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/** Per-server memory accounting: peak, start-up baseline, and the evicted-not-yet-collected estimate. */
/** What the tracker needs to know of the traffic since the last full GC. */
export interface TrafficCounters {
  /** Bytes received from clients so far. */
  bytesIn(): number;
  /** Commands executed so far. */
  commands(): number;
}

/** Bytes a command may add beyond its own argument bytes (a new key's bookkeeping). */
const GROWTH_PER_COMMAND = 160;

/**
 * Per-server memory accounting: peak, start-up baseline, and two estimates of the
 * live memory, each an upper bound in practice, of which the lower is used:
 *  - the heap reading minus `pending` (garbage other than evicted keys still counts);
 *  - the reading right after the last full GC plus what the traffic since may have
 *    added (bytes received + a key's bookkeeping per command), minus `pending`.
 * The second keeps garbage that survives scavenges from being taken for data
 * between two full collections.
 */
export class MemoryTracker {
  /** used_memory when the server was created (Redis's used_memory_startup). */
  startup: number;
  peak: number;
  peakTime = Date.now();
  /** Estimated bytes of evicted keys not yet reclaimed by the GC. */
  pending = 0;
  private gcSeen = majorGcs;
  private readonly read: () => number;
  private readonly traffic: TrafficCounters | null;
  /** Reading after the last full GC, and the traffic counters then (base < 0: unknown). */
  private base = -1;
  private bytesAtBase = 0;
  private cmdsAtBase = 0;

  constructor(read: () => number, traffic: TrafficCounters | null = null) {
    this.read = read;
    this.traffic = traffic;
    const r = read();
    this.startup = r;
    this.peak = r;
  }

  /** Raw reading (INFO used_memory); notices major GCs and tracks the peak. */
  used(): number {
    const r = this.read();
    if (this.gcSeen !== majorGcs) {
      // V8 ran a full GC on its own: evicted keys are reclaimed, and this reading
      // (taken a little after it) is a fair new base.
      this.gcSeen = majorGcs;
      this.pending = 0;
      this.setBase(r);
    }
    if (r > this.peak) {
      this.peak = r;
      this.peakTime = Date.now();
    }
    return r;
  }

  private setBase(r: number): void {
    this.base = r;
    if (this.traffic) {
      this.bytesAtBase = this.traffic.bytesIn();
      this.cmdsAtBase = this.traffic.commands();
    }
  }

  /** The memory eviction works with (see the class comment). */
  effective(): number {
    const r = this.used();
    let est = r - this.pending;
    if (this.base >= 0 && this.traffic) {
      const grown = this.traffic.bytesIn() - this.bytesAtBase + (this.traffic.commands() - this.cmdsAtBase) * GROWTH_PER_COMMAND;
      const fromBase = this.base + grown - this.pending;
      if (fromBase < est) est = fromBase;
    }
    return Math.max(0, est);
  }

  /** A full GC just ran: every evicted key has been reclaimed and the reading is all live. */
  collected(): void {
    this.pending = 0;
    this.gcSeen = majorGcs;
    this.setBase(this.read());
  }

  resetPeak(): void {
    this.peak = this.read();
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
 * memory reading it replaces, the counters its estimate follows, and the signals an
 * evicted key sends (WATCH, keyspace notification, propagation as DEL/UNLINK). The
 * server implements it; keyspace/ knows nothing of the server.
 */
export interface EvictionHost {
  readonly ks: Keyspace;
  readonly config: ConfigReader;
  readonly log: { warning(msg: string): void };
  readonly maxmemory: number;
  readonly stats: { readonly netInput: number; readonly commandsProcessed: number };
  readonly cronHooks: Array<() => void>;
  readonly resetStatHooks: Array<() => void>;
  usedMemory: () => number;
  performEvictions: () => boolean;
  signalModifiedKey(db: Database, key: string): void;
  notifyKeyspaceEvent(cls: number, event: string, key: string, dbid: number): void;
  alsoPropagate(dbid: number, argv: string[]): void;
}

const trackers = new WeakMap<EvictionHost, MemoryTracker>();

/** The server's memory tracker (created on first use). */
export function memoryTracker(s: EvictionHost): MemoryTracker {
  let t = trackers.get(s);
  if (!t) {
    t = new MemoryTracker(() => s.usedMemory(), {
      bytesIn: () => s.stats.netInput,
      commands: () => s.stats.commandsProcessed,
    });
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
  private callsSinceRead = 0;
  private lastEffective = 0;
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
    this.lastEffective = used;
    return used > max ? used - max : 0;
  }

  /**
   * Evicts until memory is under maxmemory. Returns false only when memory is over
   * the limit and nothing can be evicted (the dispatcher then refuses denyoom
   * commands with OOM). Stopping because the time budget ran out returns true and
   * continues in a timer.
   */
  perform(): boolean {
    const s = this.server;
    const max = s.maxmemory;
    if (max <= 0 || this.ignoring()) return true;
    // Far under the limit: skip the heap reading for a few calls.
    if (this.lastEffective < max * 0.9 && ++this.callsSinceRead < 16) return true;
    this.callsSinceRead = 0;
    let toFree = this.overBy();
    if (toFree === 0) {
      if (this.exceededSince) {
        this.exceededTotalMs += Date.now() - this.exceededSince;
        this.exceededSince = 0;
      }
      return true;
    }
    // Over by the reading: maybe only garbage is. Collect (rate limited) and read again.
    if (this.collect()) {
      toFree = this.overBy();
      if (toFree === 0) return true;
    }
    if (!this.exceededSince) this.exceededSince = Date.now();
    const policy = s.config.getString('maxmemory-policy') as Policy;
    if (policy === 'noeviction') return false;
    const limitUs = evictionTimeLimitUs(s.config.getNumber('maxmemory-eviction-tenacity'));
    const start = performance.now();
    let freed = 0;
    let evicted = 0;
    while (freed < toFree) {
      const pick = this.pick(policy);
      if (pick === null) return false;
      freed += this.evict(pick.db, pick.key);
      evicted++;
      if ((evicted & 15) === 0) {
        // Re-check: a GC may have given memory back meanwhile.
        const over = this.overBy();
        if (over === 0) break;
        toFree = freed + over;
        if ((performance.now() - start) * 1000 > limitUs) {
          this.scheduleContinuation();
          return true;
        }
      }
    }
    this.lastEffective = Math.max(0, this.lastEffective - freed);
    return true;
  }

  /** The collector to force (V8's gc(); tests may install a fake). */
  gc: GcFn | null | undefined = undefined;
  private nextMajorAt = 0;
  private nextMinorAt = 0;
  /** Forced collections so far (tests and INFO curiosity). */
  forcedGcs = 0;

  /**
   * Runs a full GC if allowed, else a scavenge if allowed. Returns whether one ran.
   * Each is allowed again after ten times its duration (at least 50 ms for a full
   * GC, 10 ms for a scavenge), so forced collections stay under ~10% of the time.
   */
  collect(): boolean {
    if (this.gc === undefined) this.gc = exposedGc();
    const gc = this.gc;
    if (!gc) return false;
    const now = performance.now();
    if (now >= this.nextMajorAt) {
      gc(); // a full, synchronous collection (the options form does not collect everything)
      const t = performance.now();
      this.nextMajorAt = t + Math.max(50, 10 * (t - now));
      this.nextMinorAt = t + 10;
      this.mem.collected();
      this.forcedGcs++;
      return true;
    }
    if (now >= this.nextMinorAt) {
      gc({ type: 'minor' });
      const t = performance.now();
      this.nextMinorAt = t + Math.max(10, 10 * (t - now));
      this.forcedGcs++;
      return true;
    }
    return false;
  }

  /** Evicts now if over the limit, without the skip-reading shortcut (CONFIG SET maxmemory). */
  check(): boolean {
    this.callsSinceRead = 16;
    this.lastEffective = Infinity;
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

  /** Deletes one key as an eviction; returns its estimated size. */
  evict(db: Database, key: string): number {
    const s = this.server;
    const obj = db.dict.get(key);
    if (obj === undefined) return 0;
    const bytes = keyMemoryUsage(db, key, obj);
    db.delete(key);
    s.ks.stats.evictedKeys++;
    s.signalModifiedKey(db, key);
    s.notifyKeyspaceEvent(NOTIFY_EVICTED, 'evicted', key, db.id);
    s.alsoPropagate(db.id, [s.config.getBool('lazyfree-lazy-eviction') ? 'UNLINK' : 'DEL', key]);
    this.mem.pending += bytes;
    return bytes;
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
  s.usedMemory = heapReading;
  observeMajorGcs();
  ev = new Evictor(s);
  evictors.set(s, ev);
  const e = ev;
  s.performEvictions = () => e.perform();
  s.config.onChange((name) => {
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
  s.cronHooks.push(() => {
    e.mem.used();
  });
  // CONFIG RESETSTAT: the peak and the time spent over the limit start again.
  s.resetStatHooks.push(() => {
    e.mem.resetPeak();
    e.exceededTotalMs = 0;
    if (e.exceededSince) e.exceededSince = Date.now();
  });
  return ev;
}
