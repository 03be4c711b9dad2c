// Pub/Sub registry: channel, pattern and shard-channel subscriptions and delivery.
// Messages are RESP3 push frames (>3) for RESP3 clients and plain arrays for RESP2.

import { CLIENT_PUSHING, type Client } from './context.js';
import { globMatch } from '../util/glob.js';

export class PubSub {
  channels = new Map<string, Set<Client>>();
  patterns = new Map<string, Set<Client>>();
  shardChannels = new Map<string, Set<Client>>();

  /** Adds `c` to `name` in `registry`; true when it was not subscribed yet. */
  static add(registry: Map<string, Set<Client>>, name: string, c: Client): boolean {
    let set = registry.get(name);
    if (!set) {
      set = new Set();
      registry.set(name, set);
    }
    if (set.has(c)) return false;
    set.add(c);
    return true;
  }

  static remove(registry: Map<string, Set<Client>>, name: string, c: Client): boolean {
    const set = registry.get(name);
    if (!set || !set.delete(c)) return false;
    if (set.size === 0) registry.delete(name);
    return true;
  }

  /** Delivers a message to channel and pattern subscribers; returns the receiver count. */
  publish(channel: string, message: string): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs) {
      for (const c of subs) {
        writePush(c, ['message', channel, message]);
        n++;
      }
    }
    if (this.patterns.size > 0) {
      for (const [pat, clients] of this.patterns) {
        if (!globMatch(pat, channel)) continue;
        for (const c of clients) {
          writePush(c, ['pmessage', pat, channel, message]);
          n++;
        }
      }
    }
    return n;
  }

  publishShard(channel: string, message: string): number {
    let n = 0;
    const subs = this.shardChannels.get(channel);
    if (subs) {
      for (const c of subs) {
        writePush(c, ['smessage', channel, message]);
        n++;
      }
    }
    return n;
  }

  /** Drops every subscription of a client (on disconnect or RESET). */
  removeClient(c: Client): void {
    for (const ch of c.channels) PubSub.remove(this.channels, ch, c);
    for (const p of c.patterns) PubSub.remove(this.patterns, p, c);
    for (const s of c.shardChannels) PubSub.remove(this.shardChannels, s, c);
    c.channels.clear();
    c.patterns.clear();
    c.shardChannels.clear();
  }
}

/** Writes a push message of bulk strings, bypassing CLIENT REPLY OFF as Redis does. */
export function writePush(c: Client, items: string[]): void {
  c.flags |= CLIENT_PUSHING;
  c.addPushLen(items.length);
  for (const it of items) c.addBulk(it);
  c.flags &= ~CLIENT_PUSHING;
}

/** Subscribe/unsubscribe confirmation: [kind, name, count], count as an integer. */
export function writeSubscription(c: Client, kind: string, name: string | null, count: number): void {
  c.flags |= CLIENT_PUSHING;
  c.addPushLen(3);
  c.addBulk(kind);
  if (name === null) c.addNull();
  else c.addBulk(name);
  c.addInt(count);
  c.flags &= ~CLIENT_PUSHING;
}
