/**
 * Shared scaffolding of the differential tests: a Cinnabar + redis-server pair
 * started with the same arguments, and keyspace-notification subscribers on
 * both servers whose events are compared.
 *
 *   ({ pair, ours, theirs } = await startPair(['--notify-keyspace-events', 'KEA']));
 *   await withEvents(ours, theirs, async (events) => {
 *     await pair.check([...]);
 *     const got = await events.same();   // asserts ours == theirs
 *     assert.ok(got.length > 10);
 *   });
 */
import assert from 'node:assert/strict';

import type { RespClient, Reply } from '../../src/protocol/resp-client.js';
import { DiffPair } from './diff.js';
import { startCinnabar, startRedis, type ServerHandle } from './servers.js';

export interface StartedPair {
  pair: DiffPair;
  ours: ServerHandle;
  theirs: ServerHandle;
}

/**
 * Starts Cinnabar and redis-server with the same extra arguments and pairs
 * them (`pair.close()` stops both); if either fails to start, the other is
 * stopped and the call rejects.
 */
export async function startPair(args: string[] = []): Promise<StartedPair> {
  const [o, t] = await Promise.allSettled([startCinnabar({ args }), startRedis({ args })]);
  if (o.status === 'rejected' || t.status === 'rejected') {
    if (o.status === 'fulfilled') await o.value.stop();
    if (t.status === 'fulfilled') await t.value.stop();
    throw new Error(
      `could not start the servers: ${o.status === 'rejected' ? String(o.reason) : ''} ${t.status === 'rejected' ? String(t.reason) : ''}`,
    );
  }
  const pair = await DiffPair.fromServers(o.value, t.value, true);
  return { pair, ours: o.value, theirs: t.value };
}

/** The pattern that matches every keyspace and keyevent channel. */
export const ALL_KEYSPACE_EVENTS = '__key*__:*';

/** Collects, as "<channel> <message>", the notifications a PSUBSCRIBE'd client receives. */
export class Events {
  readonly got: string[] = [];
  private constructor(readonly client: RespClient) {
    client.on('push', (r: Reply) => {
      if (r.t === 'array' && r.v !== null && r.v.length === 4) {
        const ch = r.v[2];
        const msg = r.v[3];
        if (ch.t === 'bulk' && msg.t === 'bulk') this.got.push(`${ch.v} ${msg.v}`);
      }
    });
  }

  /** Opens a new connection to `h` subscribed to `pattern` (default: every keyspace/keyevent channel). */
  static async open(h: ServerHandle, pattern: string = ALL_KEYSPACE_EVENTS): Promise<Events> {
    const c = await h.client();
    const e = new Events(c);
    await c.call('PSUBSCRIBE', pattern);
    return e;
  }

  /** Waits until every notification sent so far has arrived, returns and clears them. */
  async drain(): Promise<string[]> {
    await this.client.call('PING');
    const out = this.got.slice();
    this.got.length = 0;
    return out;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Notification subscribers on both servers of a pair. */
export class EventPair {
  constructor(
    readonly ours: Events,
    readonly theirs: Events,
  ) {}

  static async open(ours: ServerHandle, theirs: ServerHandle, pattern?: string): Promise<EventPair> {
    const [o, t] = await Promise.all([Events.open(ours, pattern), Events.open(theirs, pattern)]);
    return new EventPair(o, t);
  }

  /** Drains both sides; resolves with [ours, theirs]. */
  drain(): Promise<[string[], string[]]> {
    return Promise.all([this.ours.drain(), this.theirs.drain()]);
  }

  /**
   * Drains both sides and asserts they received the same notifications in the
   * same order; resolves with them.
   */
  async same(message?: string): Promise<string[]> {
    const [o, t] = await this.drain();
    assert.deepEqual(o, t, message);
    return t;
  }

  async close(): Promise<void> {
    await Promise.all([this.ours.close(), this.theirs.close()]);
  }
}

/** Runs `fn` with notification subscribers on both servers; closes them afterwards. */
export async function withEvents<T>(
  ours: ServerHandle,
  theirs: ServerHandle,
  fn: (events: EventPair) => Promise<T>,
  opts: { pattern?: string } = {},
): Promise<T> {
  const events = await EventPair.open(ours, theirs, opts.pattern);
  try {
    return await fn(events);
  } finally {
    await events.close();
  }
}
