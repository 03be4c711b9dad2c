// Client-side caching (issue 16 item 4), differential against redis-server: the same
// scripts of commands on the same set of connections (a tracking client, a writer,
// a redirect target) on both servers; after every step each connection is drained
// with a PING, and the replies and the invalidation messages (RESP3 pushes,
// __redis__:invalidate messages for a RESP2 redirect target) must be the same.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';
import type { Reply, RespClient } from '../../src/protocol/resp-client.js';

type Conn = 'c' | 'w' | 'r';
/** A step: a command on one connection; `$R` / `$C` are replaced by the ids of r and c. */
type Step = [Conn, ...string[]];

function show(r: Reply): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
}

async function transcript(h: ServerHandle, setup: { c: 2 | 3; r: 'resp3' | 'resp2-sub' | 'none' }, steps: Step[]): Promise<string[]> {
  const conns: Record<Conn, RespClient | null> = { c: await h.client(), w: await h.client(), r: setup.r === 'none' ? null : await h.client() };
  const pushes: Record<Conn, string[]> = { c: [], w: [], r: [] };
  for (const k of ['c', 'w', 'r'] as Conn[]) conns[k]?.on('push', (p: Reply) => pushes[k].push(show(p)));
  const ids: Record<string, string> = {};
  for (const k of ['c', 'r'] as Conn[]) if (conns[k]) ids[k] = String((await conns[k]!.call('CLIENT', 'ID') as { v: unknown }).v);
  if (setup.c === 3) await conns.c!.call('HELLO', '3');
  if (setup.r === 'resp3') await conns.r!.call('HELLO', '3');
  if (setup.r === 'resp2-sub') await conns.r!.call('SUBSCRIBE', '__redis__:invalidate');
  pushes.r.length = 0;
  const out: string[] = [];
  let quit = false;
  for (const [conn, ...args] of steps) {
    const argv = args.map((a) => (a === '$R' ? ids['r']! : a === '$C' ? ids['c']! : a));
    const reply = await conns[conn]!.call(...argv);
    if (conn === 'r' && args[0] === 'QUIT') quit = true;
    // Client ids differ between the servers: shown by name.
    let shown = show(reply);
    for (const k of ['r', 'c']) if (ids[k] !== undefined) shown = shown.split(`"v":"${ids[k]}"`).join(`"v":"id-${k}"`);
    out.push(`${conn}> ${args.join(' ')} -> ${shown}`);
    // Drain: every message caused by this step precedes these PINGs' replies (BCAST
    // messages go out at the end of the event-loop turn, before the next read).
    for (const k of ['c', 'r'] as Conn[]) {
      const cc = conns[k];
      if (!cc) continue;
      if (k === 'r' && quit) continue;
      await cc.call('PING');
      if (pushes[k].length > 0) {
        let got = pushes[k].splice(0).join(' ');
        for (const n of ['r', 'c']) if (ids[n] !== undefined) got = got.split(`"v":"${ids[n]}"`).join(`"v":"id-${n}"`);
        out.push(`  ${k} got ${got}`);
      }
    }
  }
  for (const k of ['c', 'w', 'r'] as Conn[]) conns[k]?.destroy();
  return out;
}

describe('client-side caching (differential)', { skip: skipIfNoRedis() }, () => {
  let ours: ServerHandle;
  let theirs: ServerHandle;
  before(async () => {
    [ours, theirs] = await Promise.all([startCinnabar(), startRedis()]);
  });
  after(async () => {
    await Promise.all([ours?.stop(), theirs?.stop()]);
  });

  async function same(setup: Parameters<typeof transcript>[1], steps: Step[]): Promise<string[]> {
    await Promise.all([ours.client().then((c) => c.call('FLUSHALL')), theirs.client().then((c) => c.call('FLUSHALL'))]);
    const [a, b] = [await transcript(ours, setup, steps), await transcript(theirs, setup, steps)];
    assert.deepEqual(a, b);
    return b;
  }

  test('default mode: reads remembered, one invalidation per change, FLUSHALL', async () => {
    const t = await same({ c: 3, r: 'none' }, [
      ['c', 'CLIENT', 'TRACKING', 'ON'],
      ['c', 'GET', 'a'],
      ['c', 'MGET', 'b', 'c'],
      ['c', 'HGETALL', 'h'],
      ['c', 'CLIENT', 'TRACKINGINFO'],
      ['c', 'CLIENT', 'GETREDIR'],
      ['w', 'SET', 'a', '1'],
      ['w', 'SET', 'a', '2'], // forgotten after the first invalidation
      ['c', 'SET', 'b', 'mine'], // its own write: held until after its reply
      ['c', 'GET', 'b'],
      ['w', 'HSET', 'h', 'f', 'v'],
      ['c', 'MULTI'],
      ['c', 'GET', 'x'],
      ['c', 'GET', 'y'],
      ['c', 'EXEC'],
      ['w', 'MSET', 'x', '1', 'y', '2', 'c', '3'],
      ['c', 'GET', 'z'],
      ['w', 'FLUSHALL'],
      ['w', 'SET', 'z', '1'],
      ['c', 'CLIENT', 'TRACKING', 'OFF'],
      ['c', 'GET', 'q'],
      ['w', 'SET', 'q', '1'],
      ['c', 'CLIENT', 'TRACKINGINFO'],
      ['c', 'CLIENT', 'GETREDIR'],
    ]);
    assert.ok(t.some((l) => l.includes('invalidate')), t.join('\n'));
  });

  test('OPTIN, OPTOUT, CACHING and NOLOOP', async () => {
    await same({ c: 3, r: 'none' }, [
      ['c', 'CLIENT', 'CACHING', 'yes'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'OPTIN'],
      ['c', 'GET', 'a'],
      ['c', 'CLIENT', 'CACHING', 'yes'],
      ['c', 'CLIENT', 'TRACKINGINFO'],
      ['c', 'GET', 'b'],
      ['c', 'GET', 'c'],
      ['w', 'MSET', 'a', '1', 'b', '1', 'c', '1'],
      ['c', 'CLIENT', 'CACHING', 'no'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
      ['c', 'CLIENT', 'TRACKING', 'OFF'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'OPTOUT', 'NOLOOP'],
      ['c', 'GET', 'a'],
      ['c', 'CLIENT', 'CACHING', 'no'],
      ['c', 'GET', 'b'],
      ['c', 'CLIENT', 'TRACKINGINFO'],
      ['w', 'MSET', 'a', '2', 'b', '2'],
      ['c', 'GET', 'a'],
      ['c', 'SET', 'a', 'own'], // NOLOOP: no invalidation for its own write
      ['w', 'SET', 'a', 'other'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'OPTIN'],
      ['c', 'CLIENT', 'CACHING', 'maybe'],
    ]);
  });

  test('BCAST with prefixes: one message per turn, keys in byte order, NOLOOP', async () => {
    await same({ c: 3, r: 'none' }, [
      ['c', 'CLIENT', 'TRACKING', 'ON', 'PREFIX', 'user:'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'us'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'obj:', 'NOLOOP'],
      ['c', 'CLIENT', 'TRACKINGINFO'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:1'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'PREFIX', 'x'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'],
      ['w', 'MSET', 'user:9', 'a', 'user:10', 'b', 'obj:1', 'c', 'other', 'd'],
      ['w', 'DEL', 'user:9'],
      ['c', 'SET', 'user:own', '1'],
      ['w', 'SET', 'user:zz', '1'],
      ['c', 'CLIENT', 'TRACKING', 'OFF'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'BCAST'],
      ['w', 'SET', 'anything', '1'],
      ['c', 'CLIENT', 'TRACKINGINFO'],
      ['w', 'FLUSHDB'],
    ]);
  });

  test('REDIRECT to a RESP2 subscriber and to a RESP3 connection; a broken redirection', async () => {
    await same({ c: 2, r: 'resp2-sub' }, [
      ['c', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '999999'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'x'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$R', 'REDIRECT', '$R'],
      ['c', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$R'],
      ['c', 'CLIENT', 'GETREDIR'],
      ['c', 'GET', 'k'],
      ['w', 'SET', 'k', 'v'],
      ['w', 'FLUSHALL'],
    ]);
    await same({ c: 3, r: 'resp3' }, [
      ['c', 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$R', 'BCAST'],
      ['w', 'SET', 'k', 'v'],
      ['r', 'QUIT'],
      ['w', 'SET', 'k', 'v2'],
      ['c', 'CLIENT', 'TRACKINGINFO'],
    ]);
    // A RESP2 client without redirection hears nothing (RESP2 has no pushes).
    await same({ c: 2, r: 'none' }, [
      ['c', 'CLIENT', 'TRACKING', 'ON'],
      ['c', 'GET', 'k'],
      ['w', 'SET', 'k', 'v'],
      ['c', 'GET', 'k'],
    ]);
  });

  test('expired and evicted keys are invalidated', async () => {
    const steps: Step[] = [
      ['c', 'CLIENT', 'TRACKING', 'ON'],
      ['w', 'SET', 'e', '1', 'PX', '50'],
      ['c', 'GET', 'e'],
    ];
    await same({ c: 3, r: 'none' }, steps);
    // Expiry itself is timing: checked on each server on its own.
    for (const h of [ours, theirs]) {
      const c = await h.client();
      const w = await h.client();
      try {
        const got: string[] = [];
        c.on('push', (p: Reply) => got.push(show(p)));
        await c.call('HELLO', '3');
        await c.call('CLIENT', 'TRACKING', 'ON');
        await w.call('SET', 'e2', '1', 'PX', '100');
        await c.call('GET', 'e2');
        await waitFor(`${h.kind}: invalidation of the expired key`, async () => {
          await c.call('PING');
          return got.some((p) => p.includes('"e2"'));
        }, 5000);
      } finally {
        c.destroy();
        w.destroy();
      }
    }
  });

  test('INFO fields, CLIENT LIST flags and tracking-table-max-keys', async () => {
    for (const h of [ours, theirs]) {
      const c = await h.client();
      const w = await h.client();
      try {
        const got: string[] = [];
        c.on('push', (p: Reply) => got.push(show(p)));
        await w.call('FLUSHALL');
        await c.call('HELLO', '3');
        await c.call('CLIENT', 'TRACKING', 'ON');
        for (let i = 0; i < 50; i++) await c.call('GET', `k${i}`);
        // The connections of the earlier tests close asynchronously: wait for them.
        await waitFor(`${h.kind}: one tracking client`, async () => /tracking_clients:1\r\n/.test(String((await w.call('INFO', 'clients') as { v: unknown }).v)), 5000);
        const info = String((await w.call('INFO') as { v: unknown }).v);
        assert.match(info, /tracking_total_keys:50\r\n/, h.kind);
        assert.match(info, /tracking_total_items:50\r\n/, h.kind);
        const list = String((await w.call('CLIENT', 'LIST') as { v: unknown }).v);
        assert.match(list, /flags=t .* redir=0 /, h.kind);
        await w.call('CONFIG', 'SET', 'tracking-table-max-keys', '10');
        await waitFor(`${h.kind}: the table shrinks to the limit`, async () => /tracking_total_keys:(\d+)/.exec(String((await w.call('INFO', 'stats') as { v: unknown }).v))![1] === '10', 5000);
        await c.call('PING');
        assert.equal(got.length, 40, `${h.kind}: one invalidation per key dropped`);
        await w.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
      } finally {
        c.destroy();
        w.destroy();
      }
    }
  });
});
