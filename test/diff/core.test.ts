// Differential tests of the server core: connection commands, errors of the
// dispatcher, transactions, pub/sub and keyspace notifications — the same commands
// sent to Cinnabar and to a real redis-server, replies compared.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair } from '../helpers/diff.js';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import type { Reply, RespClient } from '../../src/protocol/resp-client.js';

describe('core', { skip: skipIfNoRedis() }, () => {
  let ours: ServerHandle;
  let theirs: ServerHandle;
  let pair: DiffPair;

  before(async () => {
    [ours, theirs] = await Promise.all([startCinnabar(), startRedis()]);
    pair = await DiffPair.fromServers(ours, theirs, true);
  });
  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });
  beforeEach(async () => {
    await pair.reset();
  });

  test('connection commands', async () => {
    await pair.check([
      ['PING'],
      ['PING', 'hello'],
      ['PING', 'a', 'b'],
      ['ECHO', 'x\x00y'],
      ['ECHO'],
      ['SELECT', '1'],
      ['SELECT', '15'],
      ['SELECT', '16'],
      ['SELECT', '-1'],
      ['SELECT', 'abc'],
      ['SELECT', '0'],
      ['AUTH', 'foo'],
      ['AUTH', 'default', 'foo'],
      ['AUTH', 'a', 'b', 'c'],
      ['HELLO', '4'],
      ['HELLO', 'abc'],
      ['HELLO', '2', 'FOO'],
      ['HELLO', '2', 'AUTH', 'default'],
      ['HELLO', '2', 'SETNAME', 'bad name'],
    ]);
  });

  test('dispatcher errors: unknown command, arity, subcommands', async () => {
    await pair.check([
      ['NOSUCHCOMMAND'],
      ['NOSUCHCOMMAND', 'a', 'b', 'c'],
      ['nosuch', 'x'.repeat(300)],
      ['GET'],
      ['GET', 'a', 'b'],
      ['get', 'a', 'b'],
      ['SET', 'a'],
      ['CONFIG'],
      ['CONFIG', 'NOSUCH'],
      ['CONFIG', 'GET'],
      ['PUBSUB', 'nosuch'],
      ['OBJECT', 'foo', 'bar'],
    ]);
  });

  test('MULTI / EXEC / DISCARD', async () => {
    await pair.check([
      ['EXEC'],
      ['DISCARD'],
      ['MULTI'],
      ['MULTI'],
      ['SET', 'a', '1'],
      ['INCR', 'a'],
      ['LPUSH', 'a', 'x'],
      ['GET', 'a'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'b', '1'],
      ['DISCARD'],
      ['GET', 'b'],
    ]);
  });

  test('EXECABORT after a queueing error', async () => {
    await pair.check([['MULTI'], ['SET', 'a', '1'], ['NOSUCH'], ['GET'], ['EXEC'], ['GET', 'a']]);
  });

  test('WATCH: EXEC fails when a watched key changed', async () => {
    const o2 = await ours.client();
    const t2 = await theirs.client();
    try {
      await pair.check([['SET', 'w', '1'], ['WATCH', 'w'], ['MULTI'], ['WATCH', 'x']]);
      await pair.check([['DISCARD'], ['WATCH', 'w']]);
      await o2.call('SET', 'w', '2');
      await t2.call('SET', 'w', '2');
      await pair.check([['MULTI'], ['INCR', 'w'], ['EXEC'], ['GET', 'w']]);
      // Unchanged watched key: EXEC goes through.
      await pair.check([['WATCH', 'w'], ['MULTI'], ['INCR', 'w'], ['EXEC'], ['UNWATCH']]);
      // FLUSHALL touches watched keys that exist.
      await pair.check([['WATCH', 'w']]);
      await o2.call('FLUSHALL');
      await t2.call('FLUSHALL');
      await pair.check([['MULTI'], ['PING'], ['EXEC']]);
      // A watched key that does not exist and stays absent: EXEC succeeds.
      await pair.check([['WATCH', 'nokey']]);
      await o2.call('DEL', 'nokey');
      await t2.call('DEL', 'nokey');
      await pair.check([['MULTI'], ['PING'], ['EXEC']]);
    } finally {
      await o2.close();
      await t2.close();
    }
  });

  test('WATCH: a key that expires after WATCH fails the EXEC', async () => {
    const t0 = Date.now();
    await pair.check([['SET', 'e', '1', 'PX', '50'], ['WATCH', 'e']]);
    // The condition is the key's TTL passing on both servers; nothing reads the key meanwhile.
    while (Date.now() < t0 + 120) await new Promise((r) => setTimeout(r, 10));
    await pair.check([['MULTI'], ['PING'], ['EXEC']]);
  });

  test('commands inside MULTI that fail at run time do not abort the others', async () => {
    await pair.check([['SET', 's', 'str'], ['MULTI'], ['LPUSH', 's', 'x'], ['SET', 't', '1'], ['EXEC'], ['GET', 't']]);
  });

  test('RESP3 replies: HELLO 3, null, map, double', async () => {
    const o = await ours.client();
    const t = await theirs.client();
    try {
      const hello = async (c: RespClient) => c.call('HELLO', '3');
      const [ho, ht] = await Promise.all([hello(o), hello(t)]);
      assert.equal(ho.t, 'map');
      assert.equal(ht.t, 'map');
      const keysOf = (r: Reply) => (r.t === 'map' ? r.v.map(([k]) => (k as { v: string }).v) : []);
      assert.deepEqual(keysOf(ho), keysOf(ht));
      for (const cmd of [['GET', 'nokey'], ['SET', 'k', 'v'], ['GET', 'k'], ['LPOP', 'nolist', '2'], ['HGETALL', 'nohash'], ['INCRBYFLOAT', 'f', '1.5'], ['ZADD', 'z', '1', 'a'], ['ZSCORE', 'z', 'a'], ['SISMEMBER', 'nos', 'a'], ['EXISTS', 'k']]) {
        const [a, b] = await Promise.all([o.call(...cmd), t.call(...cmd)]);
        assert.deepEqual(a, b, `RESP3 ${cmd.join(' ')}`);
      }
    } finally {
      await o.close();
      await t.close();
    }
  });

  test('pub/sub: subscribe, publish, pattern, unsubscribe, RESP2 context errors', async () => {
    const so = await ours.client();
    const st = await theirs.client();
    try {
      const both = async (...cmd: string[]) => {
        const [a, b] = await Promise.all([so.call(...cmd), st.call(...cmd)]);
        assert.deepEqual(a, b, cmd.join(' '));
        return a;
      };
      const bothN = async (n: number, ...cmd: string[]) => {
        const [a, b] = await Promise.all([so.callN(n, ...cmd), st.callN(n, ...cmd)]);
        assert.deepEqual(a, b, cmd.join(' '));
      };
      await bothN(2, 'SUBSCRIBE', 'c1', 'c2');
      await bothN(1, 'PSUBSCRIBE', 'c*');
      await both('PING');
      await both('GET', 'x');
      await pair.check([['PUBLISH', 'c1', 'hello'], ['PUBLISH', 'zz', 'none'], ['PUBSUB', 'NUMSUB', 'c1', 'c2', 'c3'], ['PUBSUB', 'NUMPAT'], { cmd: ['PUBSUB', 'CHANNELS', 'c*'], unordered: true }]);
      const pushes = async (c: RespClient, n: number) => {
        const out: Reply[] = [];
        for (let i = 0; i < n; i++) out.push(await c.nextPush(3000));
        return out;
      };
      const [po, pt] = await Promise.all([pushes(so, 2), pushes(st, 2)]);
      assert.deepEqual(po, pt);
      // UNSUBSCRIBE without arguments confirms each channel in an unspecified order.
      {
        const [a, b] = await Promise.all([so.callN(2, 'UNSUBSCRIBE'), st.callN(2, 'UNSUBSCRIBE')]);
        const names = (rs: Reply[]) => rs.map((r) => JSON.stringify(r.t === 'array' || r.t === 'push' ? r.v?.[1] : r)).sort();
        assert.deepEqual(names(a), names(b));
        assert.equal(a.length, 2);
      }
      await bothN(1, 'PUNSUBSCRIBE');
      await bothN(1, 'UNSUBSCRIBE');
      await both('GET', 'x');
    } finally {
      await so.close();
      await st.close();
    }
  });

  test('sharded pub/sub: SSUBSCRIBE, SPUBLISH, SUNSUBSCRIBE, PUBSUB SHARD*', async () => {
    const so = await ours.client();
    const st = await theirs.client();
    try {
      const bothN = async (n: number, ...cmd: string[]) => {
        const [a, b] = await Promise.all([so.callN(n, ...cmd), st.callN(n, ...cmd)]);
        assert.deepEqual(a, b, cmd.join(' '));
      };
      await bothN(1, 'SSUBSCRIBE', '{s}1');
      await bothN(1, 'SSUBSCRIBE', '{s}2');
      await pair.check([
        ['SPUBLISH', '{s}1', 'hi'],
        ['SPUBLISH', '{s}none', 'x'],
        ['PUBSUB', 'SHARDNUMSUB', '{s}1', '{s}2', '{s}3'],
        { cmd: ['PUBSUB', 'SHARDCHANNELS'], unordered: true },
        ['PUBSUB', 'SHARDCHANNELS', '{s}1'],
        ['PUBSUB', 'HELP'],
        ['SPUBLISH', 'a'],
      ]);
      const [po, pt] = await Promise.all([so.nextPush(3000), st.nextPush(3000)]);
      assert.deepEqual(po, pt);
      await bothN(1, 'SUNSUBSCRIBE', '{s}1');
      await bothN(1, 'SUNSUBSCRIBE', '{s}2');
      await pair.check([['PUBSUB', 'SHARDNUMSUB', '{s}1']]);
    } finally {
      await so.close();
      await st.close();
    }
  });

  test('QUIT replies OK and closes the connection', async () => {
    for (const srv of [ours, theirs]) {
      const c = await srv.client();
      assert.deepEqual(await c.call('QUIT'), { t: 'simple', v: 'OK' });
      await c.waitClosed();
      assert.equal(c.closed, true);
    }
  });

  test('keyspace notifications carry the same events', async () => {
    await pair.check([['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'], ['CONFIG', 'GET', 'notify-keyspace-events']]);
    const so = await ours.client();
    const st = await theirs.client();
    try {
      await Promise.all([so.callN(1, 'PSUBSCRIBE', '__key*__:*'), st.callN(1, 'PSUBSCRIBE', '__key*__:*')]);
      const script: string[][] = [
        ['SET', 'a', '1'],
        ['INCR', 'a'],
        ['APPEND', 'a', 'x'],
        ['EXPIRE', 'a', '100'],
        ['PERSIST', 'a'],
        ['RENAME', 'a', 'b'],
        ['DEL', 'b'],
        ['LPUSH', 'l', 'x', 'y'],
        ['RPOP', 'l'],
        ['LPOP', 'l'],
        ['HSET', 'h', 'f', 'v'],
        ['HDEL', 'h', 'f'],
        ['SADD', 's', 'm'],
        ['SREM', 's', 'm'],
        ['ZADD', 'z', '1', 'm'],
        ['ZINCRBY', 'z', '1', 'm'],
        ['ZREM', 'z', 'm'],
        ['SET', 'e', 'v', 'EX', '100'],
        ['GETDEL', 'e'],
      ];
      let count = 0;
      for (const cmd of script) {
        await pair.check([cmd]);
      }
      // Drain notifications from both until they stop arriving (bounded), then compare.
      const drain = async (c: RespClient) => {
        const out: Reply[] = [];
        for (;;) {
          try {
            out.push(await c.nextPush(300));
          } catch {
            return out;
          }
        }
      };
      const [no, nt] = await Promise.all([drain(so), drain(st)]);
      count = nt.length;
      assert.ok(count > 20, `too few notifications from redis: ${count}`);
      assert.deepEqual(no, nt);
    } finally {
      await so.close();
      await st.close();
      await pair.check([['CONFIG', 'SET', 'notify-keyspace-events', '']]);
    }
  });
});
