// Databases and their keys: lookup with lazy expiry, LRU/LFU bookkeeping, the
// SCAN order, and the hooks through which the server hears about expirations and
// new keys. This layer knows nothing of sockets, clients or config files.
//
// SCAN guarantee. A JS Map cannot be walked from a cursor, so each database also
// keeps its keys in a position array: a key gets a position when it is added and keeps it
// until it is deleted, and freed positions are reused by later keys. The SCAN cursor is
// a position index. A key present for the whole scan never moves, so it is returned
// exactly once; a key added or removed meanwhile may or may not be returned. These
// are Redis's guarantees. The same array gives RANDOMKEY and eviction their random
// samples in O(1).
//
// Cluster hash slots. With the slot index on (cluster mode: `{ slotIndex: true }`
// or enableSlotIndex()), each database also keeps its keys by hash slot, threaded
// through the SCAN positions (see slot-index.ts), for countKeysInSlot,
// getKeysInSlot and keysInSlot. It follows add() and delete(), through which every
// key comes and goes (RENAME, MOVE, COPY, expiry lazy and active, eviction, RDB
// and AOF loading), clear() and swapWith(). Off (the default) a database holds
// null for it and add / delete pay one null test.
//
// Dataset accounting (what used_memory counts of the data, as zmalloc counts Redis's
// allocations). Each key carries the cost the size model (mem-model.ts) gave it
// when it was created or last modified (RObj.mem); each database sums its keys'
// costs plus EXPIRE_OVERHEAD per TTL (Database.mem), and the keyspace sums its
// databases (Keyspace.dataset). Every change passes here: add() and set() charge the
// new value, delete() and clear() give back exactly what was charged, setExpire()
// and removeExpire() charge and refund a TTL's entry, swapWith() moves the sums with
// the tables, and a value changed in place is re-charged by account(key). Writes
// signal a key modified (WATCH's signal) sometimes before they change it (SPOP with
// a count), so the signal only notes the key (Keyspace.noteModified) and the server
// re-charges the noted keys when the command returns (Keyspace.settle; eviction
// settles too before it reads the total). O(1) per change (an aggregate's cost is
// the model's estimate from up to 5 sampled elements), no allocation once the note
// arrays have grown to the busiest command's number of keys.

import { performance } from 'node:perf_hooks';
import { ObjType, RObj } from '../types/object.js';
import { KeyTable } from './key-table.js';
import { CLUSTER_SLOTS } from './hash-slot.js';
import { SlotIndex } from './slot-index.js';
import { keyCost, EXPIRE_OVERHEAD } from './mem-model.js';
import { LazyFree, freeEffort, LAZYFREE_THRESHOLD } from './lazyfree.js';

/** What the server must hear from the keyspace. */
export interface KeyspaceHooks {
  /** A key was found logically expired and deleted (propagate DEL, notify "expired"). */
  expired(db: Database, key: string): void;
  /** A key was created (wakes clients blocked on it). */
  added(db: Database, key: string, obj: RObj): void;
}

/**
 * Something that must see a key's value before it changes: a fork-less snapshot
 * saves the old value of a key it has not reached yet (copy-on-write per key).
 * Observers are rare (a snapshot in progress); with none the checks cost one
 * array-length test.
 */
export interface KeyspaceObserver {
  /** Before the value or TTL of an existing key changes, or the key is deleted. */
  beforeChange(db: Database, key: string, obj: RObj): void;
  /** A key was created and given position `pos` in its database's SCAN order. */
  created(db: Database, key: string, pos: number): void;
  /** Before a whole database is emptied or swapped (FLUSHALL, SWAPDB, a load). */
  beforeBulkChange(db: Database): void;
}

export interface KeyspaceOptions {
  /** Index every database's keys by cluster hash slot (cluster mode). Default off. */
  slotIndex?: boolean;
}

export const LFU_INIT_VAL = 5;
/** Note arrays longer than this are dropped after a settle (Keyspace.settle). */
const MOD_NOTES_KEPT = 1024;
const LRU_CLOCK_MAX = (1 << 24) - 1;

export class Keyspace {
  dbs: Database[];
  hooks: KeyspaceHooks;
  /** Time in ms as seen by the command being executed (Redis's cached command time). */
  now = Date.now();
  /** Replicas do not delete expired keys; they only hide them (the primary sends DEL). */
  isReplica = false;
  /**
   * Set by replication while a command from the primary runs: the primary's
   * commands see keys that are logically expired (the primary decides when they
   * go, with a DEL), while every other client of a replica has them hidden.
   */
  obeyPrimary = false;
  /**
   * A writable replica's active expiry of the keys its own clients gave a TTL (Redis's
   * expireSlaveKeys, from the cron): due ones are deleted and propagated as DEL, the
   * others wait for a later run. At most 1 ms per run, each tracked key checked once.
   */
  expireReplicaKeys(): void {
    const start = performance.now();
    let checked = 0;
    for (const db of this.dbs) {
      const own = db.ownExpires;
      if (own === null || own.size === 0) continue;
      let left = own.size;
      for (const key of own) {
        if (left-- === 0) break;
        const when = db.expires.get(key);
        own.delete(key);
        if (when !== undefined && when <= this.now) db.expireNow(key);
        else if (when !== undefined) own.add(key); // not due yet: to the back
        if ((++checked & 63) === 0 && performance.now() - start > 1) return;
      }
    }
  }

  /** No longer a replica: the usual active expiry covers every key (Redis's flushSlaveKeysWithExpire). */
  forgetReplicaKeys(): void {
    for (const db of this.dbs) db.ownExpires = null;
  }

  /** LFU instead of LRU bookkeeping (maxmemory-policy *-lfu). */
  lfu = false;
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  /** Observers of key changes (snapshots in progress); usually empty. */
  observers: KeyspaceObserver[] = [];
  stats = { expiredKeys: 0, hits: 0, misses: 0, evictedKeys: 0, expiredStalePerc: 0, expiredTimeCapReached: 0, expireCycleUs: 0 };
  /** Bytes the databases' keys are charged (the sum of every Database.mem; see the header). */
  dataset = 0;
  /** Values and tables waiting to be released (UNLINK, FLUSHALL ASYNC; lazyfree.ts). */
  readonly lazyfree = new LazyFree();
  /** lazyfree-lazy-expire, lazyfree-lazy-server-del, lazyfree-lazy-eviction (set by keyspace/eviction from the config). */
  lazyExpire = false;
  lazyServerDel = false;
  lazyEviction = false;
  /** Keys noted modified since the last settle(), and their databases (parallel arrays). */
  private modDbs: Database[] = [];
  private modKeys: string[] = [];
  private modN = 0;

  /** A write signalled `key` modified: its cost is charged again at settle(). */
  noteModified(db: Database, key: string): void {
    const n = this.modN;
    if (n === this.modKeys.length) {
      this.modDbs.push(db);
      this.modKeys.push(key);
    } else {
      this.modDbs[n] = db;
      this.modKeys[n] = key;
    }
    this.modN = n + 1;
  }

  /** Re-charges the keys noted modified (the server calls it when a command returns). */
  settle(): void {
    const n = this.modN;
    if (n === 0) return;
    this.modN = 0;
    const dbs = this.modDbs;
    const keys = this.modKeys;
    for (let i = 0; i < n; i++) dbs[i].account(keys[i]);
    // A command that touched many keys (MSET, FLUSHALL's watchers...) leaves no big arrays behind.
    if (keys.length > MOD_NOTES_KEPT) {
      this.modDbs = [];
      this.modKeys = [];
    }
  }

  private slotIndexOn: boolean;

  constructor(count: number, hooks: KeyspaceHooks, opts: KeyspaceOptions = {}) {
    this.hooks = hooks;
    this.slotIndexOn = opts.slotIndex === true;
    this.dbs = [];
    for (let i = 0; i < count; i++) this.dbs.push(new Database(i, this));
  }

  /** LRU clock: seconds, 24 bits, as Redis keeps it. */
  lruClock(): number {
    return Math.floor(this.now / 1000) & LRU_CLOCK_MAX;
  }

  /** The initial LRU/LFU word of a new object. */
  initialLru(): number {
    return this.lfu ? (lfuMinutes(this.now) << 8) | LFU_INIT_VAL : this.lruClock();
  }

  /** Records an access to `obj` (Redis's updateLFU / LRU clock store). */
  touch(obj: RObj): void {
    if (this.lfu) {
      const counter = this.lfuDecr(obj);
      const incr = lfuLogIncr(counter, this.lfuLogFactor);
      obj.lru = (lfuMinutes(this.now) << 8) | incr;
    } else {
      obj.lru = this.lruClock();
    }
  }

  /** LFU counter after decay for the minutes elapsed since the last access. */
  lfuDecr(obj: RObj): number {
    const ldt = obj.lru >>> 8;
    let counter = obj.lru & 255;
    const now = lfuMinutes(this.now);
    const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    const periods = this.lfuDecayTime ? Math.floor(elapsed / this.lfuDecayTime) : 0;
    if (periods) counter = periods > counter ? 0 : counter - periods;
    return counter;
  }

  /** Idle time in ms of an object under LRU bookkeeping. */
  idleMs(obj: RObj): number {
    const clock = this.lruClock();
    const lru = obj.lru & LRU_CLOCK_MAX;
    return (clock >= lru ? clock - lru : LRU_CLOCK_MAX - lru + clock) * 1000;
  }

  /** Whether the databases keep their keys by cluster hash slot. */
  get slotIndexEnabled(): boolean {
    return this.slotIndexOn;
  }

  /** Switches the slot index on, indexing the keys already present (O(keys)). */
  enableSlotIndex(): void {
    if (this.slotIndexOn) return;
    this.slotIndexOn = true;
    for (const db of this.dbs) db.syncSlotIndex();
  }

  /** Switches the slot index off and drops it. */
  disableSlotIndex(): void {
    if (!this.slotIndexOn) return;
    this.slotIndexOn = false;
    for (const db of this.dbs) db.syncSlotIndex();
  }

  totalKeys(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }
}

function lfuMinutes(ms: number): number {
  return Math.floor(ms / 60000) & 65535;
}

function lfuLogIncr(counter: number, factor: number): number {
  if (counter === 255) return 255;
  const r = Math.random();
  const base = Math.max(0, counter - LFU_INIT_VAL);
  const p = 1.0 / (base * factor + 1);
  return r < p ? counter + 1 : counter;
}

export class Database {
  readonly id: number;
  readonly ks: Keyspace;
  /** Key name -> value (open addressing; see key-table.ts). */
  dict = new KeyTable<RObj>();
  /** Absolute expiry time in ms, for keys that have one. */
  expires = new Map<string, number>();
  private positions: Array<string | undefined> = [];
  private freePositions: number[] = [];
  /** Keys by cluster hash slot, through their positions; null when the index is off. */
  private slotIdx: SlotIndex | null = null;
  /** Average TTL estimate for INFO keyspace (Redis's avg_ttl). */
  avgTtl = 0;
  /** Bytes charged for this database's keys and TTLs (see the header). */
  mem = 0;

  constructor(id: number, ks: Keyspace) {
    this.id = id;
    this.ks = ks;
    if (ks.slotIndexEnabled) this.slotIdx = new SlotIndex();
  }

  get size(): number {
    return this.dict.size;
  }

  /**
   * Looks a key up for reading: expires it if due, updates hit/miss statistics and
   * the LRU/LFU word (unless noTouch, as for CLIENT NO-TOUCH or OBJECT).
   */
  lookupRead(key: string, noTouch = false): RObj | undefined {
    const obj = this.lookup(key);
    if (obj === undefined) {
      this.ks.stats.misses++;
      return undefined;
    }
    this.ks.stats.hits++;
    if (!noTouch) this.ks.touch(obj);
    return obj;
  }

  /** Looks a key up for writing: expires it if due, touches LRU/LFU, no hit statistics. */
  lookupWrite(key: string): RObj | undefined {
    const obj = this.lookup(key, true);
    if (obj !== undefined) {
      if (this.ks.observers.length !== 0) this.beforeChange(key, obj);
      this.ks.touch(obj);
    }
    return obj;
  }

  /** Tells the observers that `key` (holding `obj`) is about to change. */
  beforeChange(key: string, obj: RObj): void {
    const obs = this.ks.observers;
    for (let i = 0; i < obs.length; i++) obs[i].beforeChange(this, key, obj);
  }

  /** As beforeChange, for a key that may not exist (the dispatcher's pre-write hook). */
  beforeWrite(key: string): void {
    const obj = this.dict.get(key);
    if (obj !== undefined) this.beforeChange(key, obj);
  }

  private beforeBulkChange(): void {
    const obs = this.ks.observers;
    for (let i = obs.length - 1; i >= 0; i--) obs[i].beforeBulkChange(this);
  }

  /**
   * Looks a key up without side effects other than expiring it. On a replica an
   * expired key is hidden, not deleted (the primary sends its DEL), except for a write
   * of the replica's own client (`forWrite`, a writable replica): as Redis 7.2's
   * EXPIRE_FORCE_DELETE_EXPIRED, the key is deleted first so the write starts afresh.
   */
  lookup(key: string, forWrite = false): RObj | undefined {
    const obj = this.dict.get(key);
    if (obj === undefined) return undefined;
    if (this.expires.size !== 0) {
      const when = this.expires.get(key);
      if (when !== undefined && when <= this.ks.now) {
        if (this.ks.isReplica && (this.ks.obeyPrimary || !forWrite)) return this.ks.obeyPrimary ? obj : undefined;
        this.expireNow(key);
        return undefined;
      }
    }
    return obj;
  }

  /** True when the key exists and is not logically expired (no side effects beyond expiry). */
  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  /** Deletes an expired key and tells the server (propagation, notification, stats). */
  expireNow(key: string): void {
    if (this.ks.lazyExpire) this.deleteAsync(key);
    else this.delete(key);
    this.ks.stats.expiredKeys++;
    this.ks.hooks.expired(this, key);
  }

  /** True when the key has a TTL that is already due. */
  isExpired(key: string): boolean {
    const when = this.expires.get(key);
    return when !== undefined && when <= this.ks.now;
  }

  /** Adds a key that must not exist yet. */
  add(key: string, obj: RObj): void {
    this.dict.set(key, obj);
    this.allocPos(key, obj);
    this.charge(key, obj);
    this.ks.hooks.added(this, key, obj);
  }

  /** Charges a key entering the database its cost (whatever `obj.mem` said before). */
  private charge(key: string, obj: RObj): void {
    const c = keyCost(key, obj);
    obj.mem = c;
    this.mem += c;
    this.ks.dataset += c;
  }

  /** Gives back what a key leaving the database was charged. */
  private refund(obj: RObj): void {
    const c = obj.mem;
    obj.mem = 0;
    this.mem -= c;
    this.ks.dataset -= c;
  }

  /** Charges or refunds a TTL's entry. */
  private chargeExpire(sign: number): void {
    this.mem += sign * EXPIRE_OVERHEAD;
    this.ks.dataset += sign * EXPIRE_OVERHEAD;
  }

  /**
   * Re-charges `key` after its value changed in place (called where the server
   * signals a modified key): the difference between its new cost and what it was
   * charged. A key that does not exist (deleted by the write) costs nothing.
   */
  account(key: string): void {
    const obj = this.dict.get(key);
    if (obj === undefined) return;
    const c = keyCost(key, obj);
    const d = c - obj.mem;
    if (d !== 0) {
      obj.mem = c;
      this.mem += d;
      this.ks.dataset += d;
    }
  }

  /**
   * Sets a key whether or not it exists (Redis's setKey): the TTL is removed unless
   * keepTtl. The caller signals the modification.
   */
  set(key: string, obj: RObj, keepTtl = false): void {
    const old = this.dict.get(key);
    if (old === undefined) {
      this.add(key, obj);
    } else {
      if (this.ks.observers.length !== 0) this.beforeChange(key, old);
      obj.pos = old.pos;
      this.dict.set(key, obj); // keeps the stored key string, not the caller's fresh copy
      if (obj !== old) {
        const bytes = old.mem;
        this.refund(old);
        this.charge(key, obj);
        // The overwritten value is freed lazily with lazyfree-lazy-server-del (Redis's dbSetValue).
        if (this.ks.lazyServerDel && freeEffort(old) > LAZYFREE_THRESHOLD) this.ks.lazyfree.add(old, bytes, 1);
      } else {
        this.account(key);
      }
      if (!keepTtl && this.expires.size !== 0 && this.expires.delete(key)) this.chargeExpire(-1);
      if (old.type !== obj.type) this.ks.hooks.added(this, key, obj);
    }
  }

  /** Deletes a key (and its TTL). Returns whether it existed (expired or not). */
  delete(key: string): boolean {
    const obj = this.dict.get(key);
    if (obj === undefined) return false;
    if (this.ks.observers.length !== 0) this.beforeChange(key, obj);
    this.dict.delete(key);
    if (this.expires.size !== 0 && this.expires.delete(key)) this.chargeExpire(-1);
    this.refund(obj);
    this.freePos(obj);
    return true;
  }

  /**
   * Deletes a key, freeing its value lazily when its free effort is above
   * LAZYFREE_THRESHOLD (UNLINK, Redis's dbAsyncDelete): the key is gone at once, its
   * memory stays in used_memory until the lazyfree queue runs. Returns whether it existed.
   */
  deleteAsync(key: string, holdMemory = true): boolean {
    const obj = this.dict.get(key);
    if (obj === undefined) return false;
    if (freeEffort(obj) <= LAZYFREE_THRESHOLD) return this.delete(key);
    const before = this.ks.dataset;
    this.delete(key);
    this.ks.lazyfree.add(obj, holdMemory ? before - this.ks.dataset : 0, 1);
    return true;
  }

  setExpire(key: string, whenMs: number): void {
    if (this.ks.observers.length !== 0) this.beforeWrite(key);
    const n = this.expires.size;
    this.expires.set(key, whenMs);
    if (this.expires.size !== n) this.chargeExpire(1);
    // A writable replica's own client gave it a TTL: no DEL will come from the primary.
    if (this.ks.isReplica && !this.ks.obeyPrimary) (this.ownExpires ??= new Set()).add(key);
  }

  /**
   * Keys of this database that a writable replica's own clients gave a TTL (Redis's
   * slaveKeysWithExpire): the replica expires them itself (Keyspace.expireReplicaKeys).
   * Null until there is one.
   */
  ownExpires: Set<string> | null = null;

  removeExpire(key: string): boolean {
    if (this.ks.observers.length !== 0) this.beforeWrite(key);
    if (!this.expires.delete(key)) return false;
    this.chargeExpire(-1);
    return true;
  }

  /** Absolute expiry in ms, or -1 when the key has none. */
  getExpire(key: string): number {
    const w = this.expires.get(key);
    return w === undefined ? -1 : w;
  }

  /** FLUSHDB/FLUSHALL ASYNC: empties the database at once and releases its tables lazily (their keys count as objects). */
  clearAsync(): void {
    const n = this.dict.size;
    if (n === 0) {
      this.clear();
      return;
    }
    const held = { dict: this.dict, expires: this.expires };
    const bytes = this.mem;
    this.clear();
    this.ks.lazyfree.add(held, bytes, n);
  }

  clear(): void {
    if (this.ks.observers.length !== 0) this.beforeBulkChange();
    this.dict = new KeyTable<RObj>();
    this.expires = new Map();
    this.positions = [];
    this.freePositions = [];
    if (this.slotIdx !== null) this.slotIdx.reset();
    this.avgTtl = 0;
    this.ks.dataset -= this.mem;
    this.mem = 0;
  }

  /** Swaps contents with another database (SWAPDB). */
  swapWith(other: Database): void {
    if (this.ks.observers.length !== 0) this.beforeBulkChange();
    if (other.ks !== this.ks && other.ks.observers.length !== 0) other.beforeBulkChange();
    const fields = ['dict', 'expires', 'positions', 'freePositions', 'slotIdx', 'avgTtl', 'mem'] as const;
    for (const f of fields) {
      const t = this[f];
      (this as unknown as Record<string, unknown>)[f] = other[f];
      (other as unknown as Record<string, unknown>)[f] = t;
    }
    // The charges travel with the tables: between keyspaces (a load's scratch
    // databases) the totals follow them.
    if (other.ks !== this.ks) {
      const d = this.mem - other.mem;
      this.ks.dataset += d;
      other.ks.dataset -= d;
    }
    // The slot index travels with the data; between keyspaces of different
    // settings (a load's scratch databases) it is built or dropped here.
    this.syncSlotIndex();
    other.syncSlotIndex();
  }

  /** Builds the slot index from the keys present, or drops it, as the keyspace's setting says. */
  syncSlotIndex(): void {
    if (!this.ks.slotIndexEnabled) {
      this.slotIdx = null;
      return;
    }
    if (this.slotIdx !== null) return;
    const idx = new SlotIndex();
    const positions = this.positions;
    for (let p = 0; p < positions.length; p++) {
      const k = positions[p];
      if (k !== undefined) idx.add(p, k);
    }
    this.slotIdx = idx;
  }

  /** Gives a new key a position in the SCAN order (the object remembers it). */
  private allocPos(key: string, obj: RObj): void {
    let s: number;
    if (this.freePositions.length > 0) {
      s = this.freePositions.pop()!;
      this.positions[s] = key;
    } else {
      s = this.positions.length;
      this.positions.push(key);
    }
    obj.pos = s;
    const si = this.slotIdx;
    if (si !== null) si.add(s, key);
    const obs = this.ks.observers;
    for (let i = 0; i < obs.length; i++) obs[i].created(this, key, s);
  }

  /** Frees a deleted key's position for reuse; an emptied database starts its positions afresh. */
  private freePos(obj: RObj): void {
    const s = obj.pos;
    obj.pos = -1;
    if (s < 0) return;
    const si = this.slotIdx;
    if (si !== null) si.remove(s, this.dict.size === 0);
    if (this.dict.size === 0) {
      this.positions = [];
      this.freePositions = [];
      return;
    }
    this.positions[s] = undefined;
    this.freePositions.push(s);
  }

  /**
   * One SCAN step: visits positions from `cursor` until `count` positions were examined or
   * the end is reached. Calls `visit` for each live key. Returns the next cursor
   * (0 when done).
   */
  scan(cursor: number, count: number, visit: (key: string) => void): number {
    const positions = this.positions;
    let i = cursor;
    let examined = 0;
    // Like Redis, COUNT is a hint of work: examine at least `count` filled positions, and
    // skip runs of empty positions without limit bounded by 10*count.
    let budget = count * 10;
    while (i < positions.length && examined < count && budget > 0) {
      const k = positions[i];
      if (k !== undefined) {
        examined++;
        visit(k);
      }
      i++;
      budget--;
    }
    return i >= positions.length ? 0 : i;
  }

  /** A key chosen at random (possibly expired; callers check), or undefined if empty. */
  randomKey(): string | undefined {
    if (this.dict.size === 0) return undefined;
    const positions = this.positions;
    // The position array is at least 1/2 full in practice; bound the attempts anyway.
    for (let tries = 0; tries < 64; tries++) {
      const k = positions[Math.floor(Math.random() * positions.length)];
      if (k !== undefined) return k;
    }
    for (const k of this.dict.keys()) return k;
    return undefined;
  }

  /** Length of the SCAN position array (positions below it may be empty). */
  posCount(): number {
    return this.positions.length;
  }

  /** The key at position `i`, or undefined when the position is free. */
  keyAtPos(i: number): string | undefined {
    return this.positions[i];
  }

  /** Key names in the order SCAN returns them (position order). */
  *keysInPosOrder(): IterableIterator<string> {
    for (const k of this.positions) if (k !== undefined) yield k;
  }

  // ---- keys by cluster hash slot (the slot index must be on) --------------------------
  //
  // These see the keys of the table, logically expired ones included (as Redis's
  // CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT do), and expire nothing.

  /** True when this database keeps its keys by hash slot. */
  get hasSlotIndex(): boolean {
    return this.slotIdx !== null;
  }

  /** Number of keys in hash slot `slot` (0..16383). O(1). */
  countKeysInSlot(slot: number): number {
    return this.slotIndexFor(slot).count(slot);
  }

  /** Up to `count` keys of hash slot `slot`. O(returned keys). */
  getKeysInSlot(slot: number, count: number): string[] {
    const idx = this.slotIndexFor(slot);
    const out: string[] = [];
    const positions = this.positions;
    for (let p = idx.first(slot); p >= 0 && out.length < count; p = idx.after(p)) out.push(positions[p]!);
    return out;
  }

  /**
   * The keys of hash slot `slot`, one at a time (for migrating a slot). The
   * caller may delete the key it was just given; any other change to the
   * database during the walk (adding keys, deleting others, flush, swap) ends
   * the guarantee, as inserting does for a KeyTable iteration.
   */
  *keysInSlot(slot: number): IterableIterator<string> {
    const idx = this.slotIndexFor(slot);
    let p = idx.first(slot);
    while (p >= 0) {
      const n = idx.after(p); // read first: deleting the key at p unlinks it
      yield this.positions[p]!;
      p = n;
    }
  }

  private slotIndexFor(slot: number): SlotIndex {
    const idx = this.slotIdx;
    if (idx === null) throw new Error('the slot index is off (cluster mode only)');
    if (!Number.isInteger(slot) || slot < 0 || slot >= CLUSTER_SLOTS) throw new RangeError(`hash slot out of range: ${slot}`);
    return idx;
  }
}

export function isAggregate(t: ObjType): boolean {
  return t !== ObjType.String;
}
