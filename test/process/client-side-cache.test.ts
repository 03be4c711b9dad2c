// node-redis's client-side cache (issue 16 item 4) against Cinnabar and redis-server
// side by side: a RESP3 client with BasicClientSideCache reads keys twice (the
// second read is served from its cache), another connection changes them, and the
// cached client must see the new values: the server's invalidation reached it.
// The cache's counters must be the same against both servers.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, BasicClientSideCache } from 'redis';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

const servers: ServerHandle[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function scenario(h: ServerHandle): Promise<{ values: unknown[]; hits: number; misses: number }> {
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
  const cached = createClient({ socket: { host: '127.0.0.1', port: h.port }, RESP: 3, clientSideCache: cache });
  const writer = createClient({ socket: { host: '127.0.0.1', port: h.port } });
  cached.on('error', () => {});
  writer.on('error', () => {});
  await Promise.all([cached.connect(), writer.connect()]);
  try {
    const values: unknown[] = [];
    await writer.set('k1', 'one');
    await writer.hSet('h', { f: 'v' });
    values.push(await cached.get('k1'), await cached.get('k1'), await cached.hGetAll('h'), await cached.hGetAll('h'));
    await writer.set('k1', 'uno');
    await writer.hSet('h', { f: 'w' });
    await waitFor(`${h.kind}: the invalidated value is read again`, async () => (await cached.get('k1')) === 'uno', 5000);
    values.push(await cached.get('k1'), await cached.hGetAll('h'));
    await writer.flushAll();
    await waitFor(`${h.kind}: FLUSHALL empties the cache`, async () => (await cached.get('k1')) === null, 5000);
    const st = cache.stats();
    return { values, hits: st.hitCount, misses: st.missCount };
  } finally {
    await Promise.all([cached.quit().catch(() => {}), writer.quit().catch(() => {})]);
  }
}

describe('node-redis client-side caching', { skip: skipIfNoRedis() }, () => {
  test('cached reads, invalidation and FLUSHALL as against redis-server', async () => {
    const results = [];
    for (const start of [startRedis, startCinnabar]) {
      const h = await start();
      servers.push(h);
      results.push(await scenario(h));
    }
    const [theirs, ours] = results;
    assert.ok(theirs!.hits >= 2, `the cache served reads against redis-server: ${JSON.stringify(theirs)}`);
    assert.deepEqual(ours!.values, theirs!.values);
    assert.deepEqual(ours!.values.slice(0, 2), ['one', 'one']);
    assert.equal(ours!.values[4], 'uno');
    // The number of polls in waitFor may differ; hits before the change may not.
    assert.ok(ours!.hits >= 2, JSON.stringify(ours));
  });
});
