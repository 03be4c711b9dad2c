// Client-side caching (CLIENT TRACKING), as Redis 7 implements it:
//  - default mode: the keys a tracking client reads are remembered (key name ->
//    client ids, across databases as in Redis); when one of them changes, is
//    expired or evicted, each client that read it gets one invalidation and the
//    key is forgotten;
//  - BCAST: clients register prefixes instead; every changed key matching a prefix
//    is collected and sent to its clients once per event-loop turn (Redis's
//    beforeSleep), the keys of one message in byte order;
//  - OPTIN / OPTOUT with CLIENT CACHING yes|no for the next command, NOLOOP (no
//    invalidation for the client's own writes), REDIRECT to another connection:
//    a RESP3 one gets the push, a RESP2 one in Pub/Sub mode a message on
//    __redis__:invalidate; a redirection to a closed connection breaks;
//  - FLUSHDB/FLUSHALL send every tracking client an invalidation with a null
//    key list and forget the table;
//  - tracking-table-max-keys: over the limit, the cron invalidates keys (taken in
//    insertion order here; Redis takes them at random) with growing effort.
// The invalidation for a key the current client itself changes is held until its
// command has replied, so the push follows the reply.

import type { Client, TrackingControl } from '../commands/context.js';
import {
  CLIENT_PUSHING,
  CLIENT_TRACKING,
  CLIENT_TRACKING_BCAST,
  CLIENT_TRACKING_BROKEN_REDIR,
  CLIENT_TRACKING_CACHING,
  CLIENT_TRACKING_NOLOOP,
  CLIENT_TRACKING_OPTIN,
  CLIENT_TRACKING_OPTOUT,
} from '../commands/context.js';
import { getKeyPositions, type CommandSpec } from '../commands/table.js';

const TRACKING_MODE_FLAGS = CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP;
const ALL_TRACKING_FLAGS = CLIENT_TRACKING | TRACKING_MODE_FLAGS | CLIENT_TRACKING_CACHING | CLIENT_TRACKING_BROKEN_REDIR;
const CHANNEL = '__redis__:invalidate';

interface BcastState {
  clients: Set<Client>;
  /** Keys changed since the last broadcast -> the client that changed it last (null: none). */
  keys: Map<string, Client | null>;
}

interface ClientState {
  redirect: number;
  prefixes: Set<string> | null;
}

export interface TrackingHost {
  readonly clients: Map<number, Client>;
  markPending(c: Client): void;
  getNumber(name: string): number;
  /** Writes the pending replies (after a broadcast outside any command). */
  flush(): void;
}

export class Tracking implements TrackingControl {
  /** key -> ids of the clients that read it. */
  private table = new Map<string, Set<number>>();
  private totalItems = 0;
  private readonly prefixTable = new Map<string, BcastState>();
  private readonly state = new Map<Client, ClientState>();
  /** Clients with tracking on (Redis's server.tracking_clients). */
  trackingClients = 0;
  /** The client whose command is executing (Redis's server.current_client). */
  current: Client | null = null;
  /** Invalidations for `current`, sent after its reply (null entry: a flush). */
  private pending: Array<string | null> = [];
  private broadcastScheduled = false;
  private limitTimeouts = 0;

  constructor(private readonly host: TrackingHost) {}

  get totalKeys(): number {
    return this.table.size;
  }

  get totalItemsCount(): number {
    return this.totalItems;
  }

  get totalPrefixes(): number {
    return this.prefixTable.size;
  }

  // ---- enabling -------------------------------------------------------------------------

  redirectOf(c: Client): number {
    return (c.flags & CLIENT_TRACKING) !== 0 ? (this.state.get(c)?.redirect ?? 0) : -1;
  }

  prefixesOf(c: Client): string[] {
    const p = this.state.get(c)?.prefixes;
    return p ? [...p].sort() : [];
  }

  clientExists(id: number): boolean {
    return this.host.clients.has(id);
  }

  /** checkPrefixCollisionsOrReply: the error for overlapping prefixes, or null. */
  prefixCollision(c: Client, prefixes: string[]): string | null {
    const mine = this.state.get(c)?.prefixes;
    for (let i = 0; i < prefixes.length; i++) {
      if (mine) {
        for (const p of [...mine].sort()) {
          if (overlaps(p, prefixes[i])) {
            return `ERR Prefix '${prefixes[i]}' overlaps with an existing prefix '${p}'. Prefixes for a single client must not overlap.`;
          }
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlaps(prefixes[i], prefixes[j])) {
          return `ERR Prefix '${prefixes[i]}' overlaps with another provided prefix '${prefixes[j]}'. Prefixes for a single client must not overlap.`;
        }
      }
    }
    return null;
  }

  enable(c: Client, redirect: number, options: number, prefixes: string[]): void {
    if ((c.flags & CLIENT_TRACKING) === 0) this.trackingClients++;
    c.flags |= CLIENT_TRACKING;
    c.flags &= ~(CLIENT_TRACKING_BROKEN_REDIR | TRACKING_MODE_FLAGS);
    let st = this.state.get(c);
    if (st === undefined) {
      st = { redirect, prefixes: null };
      this.state.set(c, st);
    }
    st.redirect = redirect;
    if ((options & CLIENT_TRACKING_BCAST) !== 0) {
      c.flags |= CLIENT_TRACKING_BCAST;
      if (prefixes.length === 0) this.enableBcastPrefix(c, st, '');
      for (const p of prefixes) this.enableBcastPrefix(c, st, p);
    }
    c.flags |= options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP);
  }

  private enableBcastPrefix(c: Client, st: ClientState, prefix: string): void {
    let bs = this.prefixTable.get(prefix);
    if (bs === undefined) {
      bs = { clients: new Set(), keys: new Map() };
      this.prefixTable.set(prefix, bs);
    }
    if (st.prefixes === null) st.prefixes = new Set();
    if (!st.prefixes.has(prefix)) {
      st.prefixes.add(prefix);
      bs.clients.add(c);
    }
  }

  disable(c: Client): void {
    const st = this.state.get(c);
    if ((c.flags & CLIENT_TRACKING_BCAST) !== 0 && st?.prefixes) {
      for (const p of st.prefixes) {
        const bs = this.prefixTable.get(p);
        if (bs === undefined) continue;
        bs.clients.delete(c);
        if (bs.clients.size === 0) this.prefixTable.delete(p);
      }
      st.prefixes = null;
    }
    if ((c.flags & CLIENT_TRACKING) !== 0) {
      this.trackingClients--;
      c.flags &= ~ALL_TRACKING_FLAGS;
    }
  }

  /** A connection closed. */
  clientGone(c: Client): void {
    this.disable(c);
    this.state.delete(c);
  }

  // ---- remembering reads ------------------------------------------------------------------

  /** trackingRememberKeys, after a read-only command of a tracking client (not BCAST). */
  rememberKeys(c: Client, spec: CommandSpec, argv: string[]): void {
    const optin = (c.flags & CLIENT_TRACKING_OPTIN) !== 0;
    const optout = (c.flags & CLIENT_TRACKING_OPTOUT) !== 0;
    const caching = (c.flags & CLIENT_TRACKING_CACHING) !== 0;
    if ((optin && !caching) || (optout && caching)) return;
    if (spec.flags.includes('pubsub')) return;
    const pos = getKeyPositions(spec, argv);
    for (let j = 0; j < pos.length; j++) {
      const key = argv[pos[j]];
      let ids = this.table.get(key);
      if (ids === undefined) {
        ids = new Set();
        this.table.set(key, ids);
      }
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.totalItems++;
      }
    }
  }

  // ---- invalidation -------------------------------------------------------------------------

  /** trackingInvalidateKey: `key` changed (by `by`, null for expiry and eviction). */
  invalidateKey(by: Client | null, key: string, bcast: boolean): void {
    if (this.trackingClients === 0 && this.table.size === 0) return;
    if (bcast && this.prefixTable.size > 0) this.rememberKeyToBroadcast(by, key);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    for (const id of ids) {
      const target = this.host.clients.get(id);
      if (target === undefined || (target.flags & CLIENT_TRACKING) === 0 || (target.flags & CLIENT_TRACKING_BCAST) !== 0) continue;
      if ((target.flags & CLIENT_TRACKING_NOLOOP) !== 0 && target === this.current) continue;
      if (target === this.current) this.pending.push(key);
      else this.send(target, [key]);
    }
    this.totalItems -= ids.size;
    this.table.delete(key);
  }

  private rememberKeyToBroadcast(by: Client | null, key: string): void {
    for (const [prefix, bs] of this.prefixTable) {
      if (prefix.length > key.length) continue;
      if (prefix.length !== 0 && !key.startsWith(prefix)) continue;
      bs.keys.set(key, by);
    }
    if (!this.broadcastScheduled) {
      this.broadcastScheduled = true;
      setImmediate(() => this.broadcast());
    }
  }

  /** trackingInvalidateKeysOnFlush: every tracking client hears of the flush; the table is emptied. */
  flushed(): void {
    if (this.trackingClients > 0) {
      for (const c of this.host.clients.values()) {
        if ((c.flags & CLIENT_TRACKING) === 0) continue;
        if (c === this.current) this.pending.push(null);
        else this.send(c, null);
      }
    }
    this.table = new Map();
    this.totalItems = 0;
  }

  /** After the current client's command replied: its own held invalidations. */
  afterCommand(c: Client): void {
    if (this.pending.length === 0) return;
    const list = this.pending;
    this.pending = [];
    for (const k of list) this.send(c, k === null ? null : [k]);
  }

  /** trackingBroadcastInvalidationMessages: once per loop turn. */
  broadcast(): void {
    this.broadcastScheduled = false;
    this.broadcastNow();
    this.host.flush();
  }

  private broadcastNow(): void {
    // Prefixes in byte order, as Redis walks its radix tree.
    for (const prefix of [...this.prefixTable.keys()].sort()) {
      const bs = this.prefixTable.get(prefix) as BcastState;
      if (bs.keys.size === 0) continue;
      const keys = [...bs.keys.keys()].sort();
      for (const c of bs.clients) {
        if ((c.flags & CLIENT_TRACKING_NOLOOP) !== 0) {
          const mine = keys.filter((k) => bs.keys.get(k) !== c);
          if (mine.length > 0) this.send(c, mine);
        } else {
          this.send(c, keys);
        }
      }
      bs.keys = new Map();
    }
  }

  /** sendTrackingMessage: `keys` null for a flush. */
  private send(c: Client, keys: string[] | null): void {
    const st = this.state.get(c);
    let target = c;
    let redirected = false;
    const redirect = st?.redirect ?? 0;
    if (redirect !== 0) {
      const r = this.host.clients.get(redirect);
      if (r === undefined) {
        c.flags |= CLIENT_TRACKING_BROKEN_REDIR;
        if (c.resp > 2) {
          push(c, () => {
            c.addPushLen(2);
            c.addBulk('tracking-redir-broken');
            c.addInt(redirect);
          });
          this.host.markPending(c);
        }
        return;
      }
      target = r;
      redirected = true;
    }
    const t = target;
    if (t.resp > 2) {
      push(t, () => {
        t.addPushLen(2);
        t.addBulk('invalidate');
        writeKeys(t, keys);
      });
    } else if (redirected && t.channels.size + t.patterns.size + t.shardChannels.size > 0) {
      push(t, () => {
        t.addArrayLen(3);
        t.addBulk('message');
        t.addBulk(CHANNEL);
        writeKeys(t, keys);
      });
    } else {
      return; // RESP2 without redirection: nowhere to send it
    }
    this.host.markPending(t);
  }

  // ---- the size limit -----------------------------------------------------------------------

  /** trackingLimitUsedSlots, from the cron. */
  limitUsedSlots(): void {
    const max = this.host.getNumber('tracking-table-max-keys');
    if (max === 0 || this.table.size <= max) {
      this.limitTimeouts = 0;
      return;
    }
    let effort = 100 * (this.limitTimeouts + 1);
    while (effort > 0 && this.table.size > 0) {
      effort--;
      const key = this.table.keys().next().value as string;
      this.invalidateKey(null, key, false);
      if (this.table.size <= max) {
        this.limitTimeouts = 0;
        return;
      }
    }
    this.limitTimeouts++;
  }
}

function overlaps(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}

function push(c: Client, write: () => void): void {
  const was = c.flags & CLIENT_PUSHING;
  c.flags |= CLIENT_PUSHING;
  write();
  if (!was) c.flags &= ~CLIENT_PUSHING;
}

function writeKeys(c: Client, keys: string[] | null): void {
  if (keys === null) {
    c.addNull();
    return;
  }
  c.addArrayLen(keys.length);
  for (const k of keys) c.addBulk(k);
}
