// MIGRATE between servers of both kinds (issue 13): the same steps from
// redis-server to redis-server (the reference), Cinnabar to redis-server,
// redis-server to Cinnabar and Cinnabar to Cinnabar, comparing the replies, the
// datasets left on both sides, the source's replica (the DELs MIGRATE propagates)
// and INFO migrate_cached_sockets. Then what only Cinnabar can show: the source
// keeps serving other clients while it waits for a silent target, and holds their
// writes until the MIGRATE ends (Redis blocks its whole event loop instead).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { datasetDiff, datasetOf, startServer, waitInSync, type Kind } from '../helpers/replication.js';
import { toPlain, type Reply } from '../../src/protocol/resp-client.js';
import { infoField } from '../helpers/wait.js';
import { KNOWN_DIFFERENCES } from '../helpers/known-differences.js';

const skip = skipIfNoRedis();

/** A TCP server that accepts connections and never answers (a target that hangs). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const socks = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    socks.add(s);
    s.on('error', () => undefined);
    s.on('close', () => socks.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy();
        srv.close(() => r());
      }),
  };
}

/** A free port nobody listens on (connections refused). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function fmt(r: Reply): string {
  return JSON.stringify(toPlain(r), (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Error ? `ERR:${v.message}` : v));
}

describe('MIGRATE between redis-server and Cinnabar', { skip }, () => {
  const servers: ServerHandle[] = [];
  const src: Partial<Record<Kind, { s: ServerHandle; replica: ServerHandle }>> = {};
  const dst: Partial<Record<Kind, ServerHandle>> = {};
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let refused: number;

  before(async () => {
    silent = await silentServer();
    refused = await closedPort();
    for (const kind of ['redis', 'cinnabar'] as const) {
      const s = await startServer(kind);
      servers.push(s);
      const replica = await startServer(kind, ['--replicaof', '127.0.0.1', String(s.port)]);
      servers.push(replica);
      src[kind] = { s, replica };
      const d = await startServer(kind);
      servers.push(d);
      dst[kind] = d;
    }
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await silent?.close();
  });

  /**
   * The steps, from a source to a target: replies, then both datasets (dbs 0 and
   * 1), the replica's agreement with its primary, and the cached sockets count.
   */
  async function scenario(from: Kind, to: Kind): Promise<{ replies: string[]; source: Map<string, string>; target: Map<string, string>; cached: string }> {
    const { s, replica } = src[from]!;
    const t = dst[to]!;
    const c = await s.client({ commandTimeoutMs: 10000 });
    const tc = await t.client();
    await c.call('FLUSHALL');
    await tc.call('FLUSHALL');
    const T = ['127.0.0.1', String(t.port)];
    await c.pipeline([
      ['SET', 'a', '1'],
      ['RPUSH', 'l', 'x', 'y', 'z'],
      ['SET', 't', 'v', 'PX', '100000'],
      ['HSET', 'h', 'f', 'v'],
      ['SADD', 'set', 'm1', 'm2'],
      ['ZADD', 'z', '1', 'one', '2', 'two'],
      ['SET', 'busy', 'new'],
      ['SET', 'c', 'copied'],
      ['SET', 'gone', 'x', 'PX', '1'],
    ]);
    await tc.call('SET', 'busy', 'old');
    const steps: string[][] = [
      ['MIGRATE', ...T, 'a', '0', '5000'],
      ['MIGRATE', ...T, 'a', '0', '5000'],
      ['MIGRATE', ...T, 'busy', '0', '5000'],
      ['MIGRATE', ...T, 'busy', '0', '5000', 'COPY', 'REPLACE'],
      ['MIGRATE', ...T, 'c', '0', '5000', 'COPY'],
      ['MIGRATE', ...T, '', '1', '5000', 'KEYS', 'l', 't', 'h', 'nosuch', 'set', 'z'],
      ['MIGRATE', ...T, '', '0', '5000', 'KEYS', 'a', 'gone'],
      ['MIGRATE', ...T, 'x', '0', '5000', 'KEYS', 'a'],
      ['MIGRATE', ...T, 'c', '0', '5000', 'AUTH'],
      ['MIGRATE', ...T, 'c', '0', '5000', 'AUTH2', 'u'],
      ['MIGRATE', ...T, 'c', '0', '5000', 'NOSUCH'],
      ['MIGRATE', ...T, 'c', 'x', '5000'],
      ['MIGRATE', ...T, 'c', '0', 'x'],
      ['MIGRATE', ...T, 'c', '0', '5000', 'AUTH', 'pw'],
      ['MIGRATE', ...T, 'c', '0', '5000', 'AUTH2', 'u', 'pw'],
      ['MIGRATE', ...T, 'c', '99', '5000'],
      // The connection's database is unknown after an error (-1): db -1 sends no SELECT.
      ['MIGRATE', ...T, 'busy', '-1', '5000'],
      ['MIGRATE', '127.0.0.1', String(refused), 'c', '0', '300'],
      ['MIGRATE', '127.0.0.1', String(silent.port), 'c', '0', '300'],
      ['MIGRATE', '127.0.0.1', 'notaport', 'c', '0', '300'],
      ['MIGRATE', ...T, 'c', '0', '0', 'REPLACE'],
    ];
    const cachedBefore = Number(await infoField(s.port, 'stats', 'migrate_cached_sockets'));
    const replies: string[] = [];
    for (const st of steps) replies.push(`${st.slice(3).join(' ')} -> ${fmt(await c.call(...st))}`);
    // The connections this scenario left open (an earlier one may still hold its own).
    const cached = String(Number(await infoField(s.port, 'stats', 'migrate_cached_sockets')) - cachedBefore);
    await waitInSync(s.port, replica.port);
    const [source, rep, target] = [await datasetOf(s.port, [0, 1]), await datasetOf(replica.port, [0, 1]), await datasetOf(t.port, [0, 1])];
    assert.deepEqual(datasetDiff(source, rep), [], `${from} replica agrees with its primary after MIGRATE`);
    c.destroy();
    tc.destroy();
    return { replies, source, target, cached };
  }

  test('the same replies and datasets in every direction as redis-server to redis-server', async (t) => {
    const ref = await scenario('redis', 'redis');
    t.diagnostic(ref.replies.join('\n'));
    assert.ok(ref.replies.some((r) => r.includes('BUSYKEY')));
    assert.ok(!ref.source.has('0:a') && ref.target.has('0:a'));
    for (const [from, to] of [['cinnabar', 'redis'], ['redis', 'cinnabar'], ['cinnabar', 'cinnabar']] as Array<[Kind, Kind]>) {
      const got = await scenario(from, to);
      assert.deepEqual(got.replies, ref.replies, `${from} -> ${to}: replies`);
      assert.deepEqual(datasetDiff(got.source, ref.source), [], `${from} -> ${to}: source dataset`);
      assert.deepEqual(datasetDiff(got.target, ref.target), [], `${from} -> ${to}: target dataset`);
      assert.equal(got.cached, ref.cached, `${from} -> ${to}: migrate_cached_sockets`);
    }
  });

  test('MIGRATE inside MULTI/EXEC: Redis runs it blocking; Cinnabar refuses it (named difference migrate-in-exec)', async () => {
    const results: Record<string, string> = {};
    const raw: Record<string, Reply> = {};
    for (const kind of ['redis', 'cinnabar'] as const) {
      const c = await src[kind]!.s.client({ commandTimeoutMs: 10000 });
      const t = dst.redis!;
      await c.call('FLUSHALL');
      await (await t.client()).call('DEL', 'mx');
      await c.call('SET', 'mx', 'v');
      await c.call('MULTI');
      await c.call('MIGRATE', '127.0.0.1', String(t.port), 'mx', '0', '5000');
      await c.call('MIGRATE', '127.0.0.1', String(t.port), 'nokey', '0', '5000');
      raw[kind] = await c.call('EXEC');
      results[kind] = fmt(raw[kind]!);
      c.destroy();
    }
    assert.equal(results['redis'], JSON.stringify(['OK', 'NOKEY']));
    const diff = KNOWN_DIFFERENCES.find((d) => d.id === 'migrate-in-exec')!;
    assert.ok(diff.when!(['EXEC'], raw['cinnabar']!, raw['redis']!), 'the named difference covers this reply');
    assert.equal(results['cinnabar'], JSON.stringify(['ERR:ERR MIGRATE cannot run inside MULTI/EXEC or a script in Cinnabar', 'NOKEY']));
  });

  test('cached connections close after 10 s unused, as in Redis', async (t) => {
    const gone = async (s: ServerHandle): Promise<number> => {
      const deadline = Date.now() + 20000;
      const t0 = Date.now();
      for (;;) {
        if ((await infoField(s.port, 'stats', 'migrate_cached_sockets')) === '0') return Date.now() - t0;
        assert.ok(Date.now() < deadline, `${s.kind}: migrate_cached_sockets still not 0 after 20 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const [r, c] = await Promise.all([gone(src.redis!.s), gone(src.cinnabar!.s)]);
    t.diagnostic(`closed after ${r} ms (redis-server), ${c} ms (Cinnabar) since the last scenario`);
  });

  test('Cinnabar serves other clients while MIGRATE waits, and holds their writes until it ends', async () => {
    const { s } = src.cinnabar!;
    const a = await s.client({ commandTimeoutMs: 10000 });
    const b = await s.client({ commandTimeoutMs: 10000 });
    await a.call('FLUSHALL');
    await a.call('SET', 'k', 'v1');
    const aid = String(toPlain(await a.call('CLIENT', 'ID')));
    const order: string[] = [];
    const started = Date.now();
    const mig = a.call('MIGRATE', '127.0.0.1', String(silent.port), 'k', '0', '1500').then((r) => {
      order.push('migrate');
      return r;
    });
    // Reads are served at once (Redis would answer them only after the timeout).
    const read = await b.call('GET', 'k');
    assert.deepEqual(read, { t: 'bulk', v: 'v1' });
    assert.ok(Date.now() - started < 1000, 'GET answered while MIGRATE waits');
    // CLIENT UNBLOCK cannot end it (in Redis it could not even run meanwhile).
    assert.deepEqual(await b.call('CLIENT', 'UNBLOCK', aid), { t: 'int', v: 0n });
    const write = b.call('SET', 'k', 'v2').then((r) => {
      order.push('set');
      return r;
    });
    assert.equal(fmt(await mig), JSON.stringify('ERR:IOERR error or timeout reading to target instance'));
    assert.equal(fmt(await write), JSON.stringify('OK'));
    assert.deepEqual(order, ['migrate', 'set'], 'the write waited for the MIGRATE');
    assert.deepEqual(await b.call('GET', 'k'), { t: 'bulk', v: 'v2' });
    a.destroy();
    b.destroy();
  });
});
