// Blocking list commands against real server processes, several connections each:
// FIFO service order, timeouts, BLMOVE chains, MULTI/EXEC, keys deleted or changing
// type under a waiting client, several keys, databases, CLIENT UNBLOCK, pipelined
// commands after a block. Every scenario runs against Cinnabar and, when installed,
// against the reference redis-server with the same expectations (except where Redis
// 7.2, our target, differs from the 7.0 reference). A last part uses a server in this
// process to check that a re-executed blocking command keeps its first deadline.

import { createServer } from '../../src/compose/compose.js';
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient, formatReply, type Reply } from '../../src/protocol/resp-client.js';
import { hasRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { Config } from '../../src/config/config.js';
import { Logger } from '../../src/server/log.js';
import { Server } from '../../src/server/server.js';
import { RObj, ObjType } from '../../src/types/object.js';
import { RList } from '../../src/types/list.js';

const WAIT_MS = 5000;

/** Rejects when `p` does not settle within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves to true if `p` settled within `ms`, false otherwise (p keeps running). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await sleep(ms);
  return done;
}

const show = (r: Reply): string => formatReply(r);
const arr = (...items: string[]): string => show({ t: 'array', v: items.map((v) => ({ t: 'bulk', v })) });
const bulk = (v: string): string => show({ t: 'bulk', v });
const NULL_ARRAY = show({ t: 'array', v: null });

async function blockedClients(c: RespClient): Promise<number> {
  const r = await within(c.call('INFO', 'clients'), WAIT_MS, 'INFO clients');
  const m = r.t === 'bulk' && r.v !== null ? /blocked_clients:(\d+)/.exec(r.v) : null;
  if (!m) throw new Error(`no blocked_clients in INFO: ${show(r)}`);
  return Number(m[1]);
}

/** Waits until the server reports exactly `n` blocked clients. */
async function waitBlocked(c: RespClient, n: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const got = await blockedClients(c);
    if (got === n) return;
    if (Date.now() > deadline) throw new Error(`blocked_clients stayed ${got}, expected ${n}`);
    await sleep(5);
  }
}

function scenarios(kind: 'cinnabar' | 'redis'): void {
  describe(`blocking list commands (${kind})`, { skip: kind === 'redis' && !hasRedis() ? 'redis-server not installed' : false, timeout: 120000 }, () => {
    let srv: ServerHandle;
    let ctl: RespClient;
    const opened: RespClient[] = [];

    const client = async (): Promise<RespClient> => {
      const c = await srv.client();
      opened.push(c);
      return c;
    };

    before(async () => {
      srv = kind === 'cinnabar' ? await startCinnabar() : await startRedis();
      ctl = await srv.client();
    });
    after(async () => {
      for (const c of opened) c.destroy();
      await srv?.stop();
    });
    afterEach(async () => {
      for (const c of opened) c.destroy();
      opened.length = 0;
      await within(ctl.call('FLUSHALL'), WAIT_MS, 'FLUSHALL');
      await waitBlocked(ctl, 0);
    });

    test('clients blocked on a key are served in the order they blocked (FIFO)', async () => {
      const [a, b, c] = [await client(), await client(), await client()];
      const pa = a.call('BLPOP', 'q', '0');
      await waitBlocked(ctl, 1);
      const pb = b.call('BLPOP', 'q', '0');
      await waitBlocked(ctl, 2);
      const pc = c.call('BRPOP', 'q', '0');
      await waitBlocked(ctl, 3);
      assert.equal(show(await ctl.call('RPUSH', 'q', 'first', 'second', 'third')), show({ t: 'int', v: 3n }));
      const [ra, rb, rc] = await within(Promise.all([pa, pb, pc]), WAIT_MS, 'three blocked clients');
      assert.equal(show(ra), arr('q', 'first'));
      assert.equal(show(rb), arr('q', 'second'));
      assert.equal(show(rc), arr('q', 'third'));
      assert.equal(show(await ctl.call('EXISTS', 'q')), show({ t: 'int', v: 0n }));
      assert.equal(await blockedClients(ctl), 0);

      // One element at a time: the longest-waiting client gets each one.
      const pa2 = a.call('BLPOP', 'q', '0');
      await waitBlocked(ctl, 1);
      const pb2 = b.call('BLPOP', 'q', '0');
      await waitBlocked(ctl, 2);
      await ctl.call('RPUSH', 'q', 'x');
      assert.equal(show(await within(pa2, WAIT_MS, 'A')), arr('q', 'x'));
      assert.equal(await settlesWithin(pb2, 50), false, 'B still waiting');
      await ctl.call('RPUSH', 'q', 'y');
      assert.equal(show(await within(pb2, WAIT_MS, 'B')), arr('q', 'y'));
    });

    test('a 0.2 s timeout answers a null array within [0.19, 1.5] s; BLMOVE and BLMPOP too', async () => {
      const a = await client();
      for (const cmd of [
        ['BLPOP', 'nothing', '0.2'],
        ['BRPOP', 'nothing', 'other', '0.2'],
        ['BLMOVE', 'nothing', 'd', 'LEFT', 'RIGHT', '0.2'],
        ['BRPOPLPUSH', 'nothing', 'd', '0.2'],
        ['BLMPOP', '0.2', '2', 'nothing', 'other', 'LEFT', 'COUNT', '2'],
      ]) {
        const t0 = performance.now();
        const r = await within(a.call(...cmd), WAIT_MS, cmd.join(' '));
        const secs = (performance.now() - t0) / 1000;
        assert.equal(show(r), NULL_ARRAY, cmd.join(' '));
        assert.ok(secs >= 0.19 && secs <= 1.5, `${cmd.join(' ')} took ${secs} s`);
      }
      assert.equal(await blockedClients(ctl), 0);
      assert.equal(show(await ctl.call('EXISTS', 'd')), show({ t: 'int', v: 0n }));
    });

    test('BLMOVE chain: LPUSH list1 serves A (BLMOVE list1 list2) and then B (BLPOP list2)', async () => {
      const [a, b] = [await client(), await client()];
      const pa = a.call('BLMOVE', 'list1', 'list2', 'LEFT', 'RIGHT', '0');
      await waitBlocked(ctl, 1);
      const pb = b.call('BLPOP', 'list2', '0');
      await waitBlocked(ctl, 2);
      await ctl.call('LPUSH', 'list1', 'x');
      const [ra, rb] = await within(Promise.all([pa, pb]), WAIT_MS, 'BLMOVE chain');
      assert.equal(show(ra), bulk('x'));
      assert.equal(show(rb), arr('list2', 'x'));
      assert.equal(show(await ctl.call('EXISTS', 'list1', 'list2')), show({ t: 'int', v: 0n }));

      // BRPOPLPUSH chain of three, and LMOVE into a key a client waits on.
      const c = await client();
      const p1 = a.call('BRPOPLPUSH', 'c1', 'c2', '0');
      await waitBlocked(ctl, 1);
      const p2 = b.call('BRPOPLPUSH', 'c2', 'c3', '0');
      await waitBlocked(ctl, 2);
      const p3 = c.call('BLPOP', 'c3', '0');
      await waitBlocked(ctl, 3);
      await ctl.call('RPUSH', 'c1', 'v');
      const rs = await within(Promise.all([p1, p2, p3]), WAIT_MS, 'BRPOPLPUSH chain');
      assert.deepEqual(rs.map(show), [bulk('v'), bulk('v'), arr('c3', 'v')]);

      const p4 = a.call('BLPOP', 'dst', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'src', 's1', 's2');
      assert.equal(show(await ctl.call('LMOVE', 'src', 'dst', 'LEFT', 'LEFT')), bulk('s1'));
      assert.equal(show(await within(p4, WAIT_MS, 'LMOVE serves')), arr('dst', 's1'));
      assert.equal(show(await ctl.call('EXISTS', 'dst')), show({ t: 'int', v: 0n }));
    });

    test('MULTI: a push wakes the client only after EXEC, with the state EXEC left', async () => {
      const [a, m] = [await client(), await client()];
      const pa = a.call('BLPOP', 'k', '0');
      await waitBlocked(ctl, 1);
      assert.equal(show(await m.call('MULTI')), show({ t: 'simple', v: 'OK' }));
      assert.equal(show(await m.call('LPUSH', 'k', 'one')), show({ t: 'simple', v: 'QUEUED' }));
      assert.equal(show(await m.call('LPUSH', 'k', 'two')), show({ t: 'simple', v: 'QUEUED' }));
      assert.equal(await settlesWithin(pa, 100), false, 'served before EXEC');
      assert.equal(await blockedClients(ctl), 1);
      const ex = await within(m.call('EXEC'), WAIT_MS, 'EXEC');
      assert.equal(show(ex), show({ t: 'array', v: [{ t: 'int', v: 1n }, { t: 'int', v: 2n }] }));
      assert.equal(show(await within(pa, WAIT_MS, 'after EXEC')), arr('k', 'two'));
      assert.deepEqual(show(await ctl.call('LRANGE', 'k', '0', '-1')), show({ t: 'array', v: [{ t: 'bulk', v: 'one' }] }));

      // A key created and deleted inside one transaction wakes nobody.
      await ctl.call('DEL', 'k');
      const pa2 = a.call('BLPOP', 'k', '0');
      await waitBlocked(ctl, 1);
      await m.call('MULTI');
      await m.call('RPUSH', 'k', 'gone');
      await m.call('DEL', 'k');
      await within(m.call('EXEC'), WAIT_MS, 'EXEC');
      assert.equal(await settlesWithin(pa2, 100), false, 'woken by a key that no longer exists');
      await ctl.call('RPUSH', 'k', 'later');
      assert.equal(show(await within(pa2, WAIT_MS, 'later push')), arr('k', 'later'));
    });

    test('a key deleted or set to another type leaves the client waiting', async () => {
      const a = await client();
      const pa = a.call('BLPOP', 'k', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('SET', 'k', 'a string');
      assert.equal(await settlesWithin(pa, 100), false, 'served by a string');
      assert.equal(await blockedClients(ctl), 1);
      await ctl.call('DEL', 'k');
      await ctl.call('HSET', 'k', 'f', 'v');
      await ctl.call('DEL', 'k');
      assert.equal(await blockedClients(ctl), 1);
      await ctl.call('LPUSH', 'k', 'x');
      assert.equal(show(await within(pa, WAIT_MS, 'after DEL + LPUSH')), arr('k', 'x'));
      assert.equal(show(await ctl.call('EXISTS', 'k')), show({ t: 'int', v: 0n }));

      // BLMOVE whose destination became a string: WRONGTYPE when served, source untouched.
      const pb = a.call('BLMOVE', 'src', 'str', 'LEFT', 'LEFT', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('SET', 'str', 'v');
      await ctl.call('RPUSH', 'src', 'e');
      const rb = await within(pb, WAIT_MS, 'BLMOVE to a string');
      assert.equal(rb.t, 'err');
      assert.match(rb.t === 'err' ? rb.v : '', /^WRONGTYPE/);
      assert.equal(show(await ctl.call('LRANGE', 'src', '0', '-1')), arr('e'));
    });

    test('several keys: served from the key that became ready; other keys released', async () => {
      const [a, b] = [await client(), await client()];
      const pa = a.call('BLPOP', 'k1', 'k2', 'k3', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'k2', 'v2');
      assert.equal(show(await within(pa, WAIT_MS, 'k2')), arr('k2', 'v2'));
      // A no longer waits on k1 or k3.
      const pb = b.call('BLPOP', 'k3', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'k3', 'v3');
      assert.equal(show(await within(pb, WAIT_MS, 'k3')), arr('k3', 'v3'));

      // BLMPOP with COUNT, served from the only key that got data.
      const pc = a.call('BLMPOP', '0', '3', 'k1', 'k2', 'k3', 'RIGHT', 'COUNT', '2');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'k3', 'a', 'b', 'c');
      assert.equal(
        show(await within(pc, WAIT_MS, 'BLMPOP')),
        show({ t: 'array', v: [{ t: 'bulk', v: 'k3' }, { t: 'array', v: [{ t: 'bulk', v: 'c' }, { t: 'bulk', v: 'b' }] }] }),
      );
      // The same key given twice is one wait.
      const pd = a.call('BLPOP', 'dup', 'dup', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'dup', 'once');
      assert.equal(show(await within(pd, WAIT_MS, 'dup')), arr('dup', 'once'));
      assert.equal(await blockedClients(ctl), 0);
    });

    test('two keys made ready by one transaction: served by the first key of the command (7.2)', { skip: kind === 'redis' ? 'Redis 7.0 serves from the first key made ready; 7.2 re-runs the command' : false }, async () => {
      const [a, m] = [await client(), await client()];
      const pa = a.call('BLPOP', 'k1', 'k2', 'k3', '0');
      await waitBlocked(ctl, 1);
      await m.call('MULTI');
      await m.call('RPUSH', 'k3', 'c');
      await m.call('RPUSH', 'k1', 'a');
      await within(m.call('EXEC'), WAIT_MS, 'EXEC');
      assert.equal(show(await within(pa, WAIT_MS, 'two ready keys')), arr('k1', 'a'));
      assert.equal(show(await ctl.call('LRANGE', 'k3', '0', '-1')), arr('c'));
    });

    test('blocking is per database', async () => {
      const a = await client();
      await a.call('SELECT', '1');
      const pa = a.call('BLPOP', 'k', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'k', 'db0');
      assert.equal(await settlesWithin(pa, 100), false, 'served from db 0');
      const other = await client();
      await other.call('SELECT', '1');
      await other.call('RPUSH', 'k', 'db1');
      assert.equal(show(await within(pa, WAIT_MS, 'db 1')), arr('k', 'db1'));
      assert.equal(show(await ctl.call('LRANGE', 'k', '0', '-1')), arr('db0'));
    });

    test('commands pipelined behind a blocking command run once it is served or times out', async () => {
      const a = await client();
      const p = a.pipeline([
        ['BLPOP', 'k', '0'],
        ['PING'],
        ['BLPOP', 'k', '0.05'],
        ['ECHO', 'done'],
      ]);
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'k', 'v');
      const rs = await within(p, WAIT_MS, 'pipeline');
      assert.deepEqual(rs.map(show), [arr('k', 'v'), show({ t: 'simple', v: 'PONG' }), NULL_ARRAY, bulk('done')]);
    });

    test('a blocked client that disconnects is forgotten', async () => {
      const a = await client();
      void a.call('BLPOP', 'k', '0').catch(() => undefined);
      await waitBlocked(ctl, 1);
      a.destroy();
      await waitBlocked(ctl, 0);
      await ctl.call('RPUSH', 'k', 'v');
      assert.equal(show(await ctl.call('LLEN', 'k')), show({ t: 'int', v: 1n }));
    });

    test('CLIENT UNBLOCK: TIMEOUT answers as a timeout, ERROR with -UNBLOCKED', async (t) => {
      const probe = await ctl.call('CLIENT', 'UNBLOCK', '999999');
      if (probe.t === 'err') {
        t.skip(`CLIENT UNBLOCK not available: ${probe.v}`);
        return;
      }
      const a = await client();
      const idr = await a.call('CLIENT', 'ID');
      assert.equal(idr.t, 'int');
      const id = String(idr.t === 'int' ? idr.v : '');
      for (const cmd of [
        ['BLPOP', 'k', '0'],
        ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0'],
        ['BLMPOP', '0', '1', 'k', 'LEFT'],
      ]) {
        const p = a.call(...cmd);
        await waitBlocked(ctl, 1);
        assert.equal(show(await ctl.call('CLIENT', 'UNBLOCK', id)), show({ t: 'int', v: 1n }));
        assert.equal(show(await within(p, WAIT_MS, 'unblocked')), NULL_ARRAY, cmd.join(' '));
      }
      const p = a.call('BRPOP', 'k', '0');
      await waitBlocked(ctl, 1);
      assert.equal(show(await ctl.call('CLIENT', 'UNBLOCK', id, 'ERROR')), show({ t: 'int', v: 1n }));
      assert.equal(show(await within(p, WAIT_MS, 'unblocked')), show({ t: 'err', v: 'UNBLOCKED client unblocked via CLIENT UNBLOCK' }));
      assert.equal(show(await ctl.call('CLIENT', 'UNBLOCK', id)), show({ t: 'int', v: 0n }));
      assert.equal(await blockedClients(ctl), 0);
    });

    test('RESP3: a timeout answers null', async () => {
      const a = await client();
      await a.call('HELLO', '3');
      for (const cmd of [
        ['BLPOP', 'k', '0.01'],
        ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0.01'],
        ['BLMPOP', '0.01', '1', 'k', 'LEFT'],
      ]) {
        assert.equal(show(await within(a.call(...cmd), WAIT_MS, cmd.join(' '))), show({ t: 'null' }), cmd.join(' '));
      }
    });
  });
}

scenarios('cinnabar');
scenarios('redis');

// ---- the deadline survives a re-execution (in-process server) --------------------------

describe('blocking deadline across re-executions (in-process server)', { timeout: 30000 }, () => {
  let server: Server;
  let a: RespClient;
  let ctl: RespClient;

  before(async () => {
    const config = new Config();
    config.set('port', ['0']);
    config.set('bind', ['127.0.0.1']);
    config.set('save', ['']);
    const log = new Logger();
    log.level = 'warning';
    server = createServer(config, log);
    await server.listen();
    a = await RespClient.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
    ctl = await RespClient.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
  });
  after(async () => {
    a?.destroy();
    ctl?.destroy();
    server?.close();
  });

  test('a client woken without data blocks again with its first deadline', async () => {
    const t0 = performance.now();
    const p = a.call('BLPOP', 'k', '0.4');
    await waitBlocked(ctl, 1);
    await sleep(200);
    // Create the key as an empty list (no command can do that): the server wakes the
    // client, whose BLPOP runs again, finds nothing and blocks again.
    const db = server.ks.dbs[0]!;
    db.add('k', new RObj(ObjType.List, new RList(), server.ks.initialLru()));
    server.afterCommand();
    db.delete('k');
    assert.equal(server.blockedClients, 1, 'blocked again');
    const r = await within(p, 5000, 'BLPOP 0.4');
    const secs = (performance.now() - t0) / 1000;
    assert.equal(show(r), NULL_ARRAY);
    assert.ok(secs >= 0.39 && secs < 0.55, `timed out after ${secs} s, expected about 0.4 s (not 0.6 s)`);
  });
});
