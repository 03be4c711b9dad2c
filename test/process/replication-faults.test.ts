// Faults with real processes: kill -9 of a replica during a full sync, link cuts
// while streaming (a TCP proxy in the middle), a primary restarted with persistence,
// and the promise WAIT makes: a replica promoted after the primary's kill -9 keeps
// every write WAIT acknowledged (the test counts and prints what was lost: 0).
// Also bad input from a primary (a hand-made one): a malformed stream resets the
// link without applying a transaction half-way, and the primary's commands see keys
// the replica hides from its clients as logically expired.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { startCinnabar, type ServerHandle } from '../helpers/servers.js';
import { RespClient, encodeCommand, toPlain } from '../../src/protocol/resp-client.js';
import { RequestParser } from '../../src/protocol/parser.js';
import { RdbFileWriter } from '../../src/persistence/rdb.js';
import { ObjType, RObj } from '../../src/types/object.js';
import { TcpProxy, call, datasetDiff, datasetOf, info, waitFor, waitInSync, waitLinkUp, writeKeys } from '../helpers/replication.js';

const started: ServerHandle[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function cinnabar(args: string[] = [], port?: number): Promise<ServerHandle> {
  const s = await startCinnabar({ args: ['--repl-diskless-sync-delay', '0', ...args], port });
  started.push(s);
  return s;
}

async function assertSameData(a: number, b: number): Promise<number> {
  const [da, db] = await Promise.all([datasetOf(a), datasetOf(b)]);
  assert.deepEqual(datasetDiff(da, db), [], `datasets of :${a} and :${b} differ`);
  return da.size;
}

test('kill -9 of a replica during a full sync: the primary lets go, the restarted replica converges', async () => {
  const p = await cinnabar();
  await writeKeys(p.port, 'k', 100000, 100);
  let r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  // Catch it in the middle of the transfer.
  const caught = await waitFor('a full sync in progress', async () => {
    const i = await info(r.port);
    return i.get('master_sync_in_progress') === '1' || /state=wait_bgsave|state=send_bulk/.test((await info(p.port)).get('slave0') ?? '') ? 'yes' : false;
  }, 20000, 5);
  assert.equal(caught, 'yes');
  r.kill('SIGKILL');
  await waitFor('the replica exited', () => r.exited, 10000);
  await waitFor('the primary drops the dead replica', async () => (await info(p.port)).get('connected_slaves') === '0', 15000);
  assert.equal(await call(p.port, 'SET', 'during', 'restart'), 'OK');
  r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)], r.port);
  await waitInSync(p.port, r.port, 60000);
  const n = await assertSameData(p.port, r.port);
  console.log(`# keys compared after the restarted replica converged: ${n}`);
  assert.equal(n, 100001);
});

test('link cuts while streaming: the replica resumes partially every time and converges', async () => {
  const p = await cinnabar(['--repl-backlog-size', '64mb']);
  const proxy = await TcpProxy.start(p.port);
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(proxy.port)]);
  try {
    await waitInSync(p.port, r.port);
    let stopWriting = false;
    let acked = 0;
    const writer = (async () => {
      const c = await RespClient.connect({ port: p.port, host: '127.0.0.1', commandTimeoutMs: 10000 });
      let i = 0;
      while (!stopWriting) {
        const cmds: string[][] = [];
        for (let j = 0; j < 50; j++, i++) cmds.push(['SET', `w:${i}`, String(i)], ['INCR', 'counter'], ['RPUSH', 'log', String(i)]);
        await c.pipeline(cmds);
        acked = i;
        await new Promise((res) => setTimeout(res, 2));
      }
      c.destroy();
    })();
    let cuts = 0;
    for (let round = 0; round < 6; round++) {
      await new Promise((res) => setTimeout(res, 300));
      // Cut a streaming link (not one in its handshake).
      await waitFor('the replica streaming again', async () => proxy.connections > 0 && (await info(r.port)).get('master_link_status') === 'up', 15000);
      cuts += proxy.cut() > 0 ? 1 : 0;
    }
    stopWriting = true;
    await writer;
    // The last cut may leave the replica with every byte but not reconnected yet:
    // wait for the link and for the primary to have counted every resync.
    await waitLinkUp(r.port, 30000);
    await waitFor('every cut resynced', async () => Number((await info(p.port, 'stats')).get('sync_partial_ok')) + Number((await info(p.port, 'stats')).get('sync_full')) >= cuts + 1, 30000);
    await waitInSync(p.port, r.port, 30000);
    const st = await info(p.port, 'stats');
    console.log(`# link cuts: ${cuts}, writes acknowledged: ${acked}, sync_full=${st.get('sync_full')}, sync_partial_ok=${st.get('sync_partial_ok')}`);
    assert.equal(st.get('sync_full'), '1');
    assert.equal(Number(st.get('sync_partial_ok')), cuts);
    assert.equal(await call(r.port, 'GET', 'counter'), await call(p.port, 'GET', 'counter'));
    await assertSameData(p.port, r.port);
  } finally {
    await proxy.close();
  }
});

for (const mode of ['kill -9 with appendonly (fsync always)', 'SHUTDOWN with save']) {
  test(`primary restart (${mode}): the replica converges`, async () => {
    const persist = mode.startsWith('kill') ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--save', '3600 1'];
    const p1 = await cinnabar(persist);
    const r = await cinnabar(['--replicaof', '127.0.0.1', String(p1.port)]);
    await waitInSync(p1.port, r.port);
    await writeKeys(p1.port, 'before', 5000);
    await waitInSync(p1.port, r.port);
    if (mode.startsWith('kill')) p1.kill('SIGKILL');
    else await call(p1.port, 'SHUTDOWN').catch(() => undefined);
    await waitFor('the primary exited', () => p1.exited, 20000);
    await waitFor('link down', async () => (await info(r.port)).get('master_link_status') === 'down', 10000);
    const p2 = await cinnabar([...persist, '--dir', p1.dir], p1.port);
    assert.equal(await call(p2.port, 'DBSIZE'), 5000, 'the primary lost acknowledged writes over its restart');
    await writeKeys(p2.port, 'after', 1000);
    await waitInSync(p2.port, r.port, 30000);
    const n = await assertSameData(p2.port, r.port);
    assert.equal(n, 6000);
  });
}

test('a promoted replica keeps every write WAIT acknowledged (kill -9 of the primary mid-writes)', async () => {
  const p = await cinnabar();
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(p.port)]);
  await waitInSync(p.port, r.port);
  const ackedKeys: string[] = [];
  let attempted = 0;
  let stop = false;
  const writers = [0, 1, 2, 3].map(async (w) => {
    const c = await RespClient.connect({ port: p.port, host: '127.0.0.1', commandTimeoutMs: 5000 });
    try {
      for (let i = 0; !stop; i++) {
        const key = `acked:${w}:${i}`;
        attempted++;
        const [set, wait] = await c.pipeline([['SET', key, String(i)], ['WAIT', '1', '1000']]);
        if (toPlain(set) === 'OK' && toPlain(wait) === 1) ackedKeys.push(key);
      }
    } catch {
      /* the primary died under us */
    } finally {
      c.destroy();
    }
  });
  await waitFor('some acknowledged writes', () => ackedKeys.length >= 1500, 30000, 10);
  p.kill('SIGKILL');
  stop = true;
  await Promise.all(writers);
  await waitFor('the primary exited', () => p.exited, 10000);
  assert.equal(await call(r.port, 'REPLICAOF', 'NO', 'ONE'), 'OK');
  const c = await RespClient.connect({ port: r.port, host: '127.0.0.1', commandTimeoutMs: 10000 });
  let lost = 0;
  for (let i = 0; i < ackedKeys.length; i += 500) {
    const batch = ackedKeys.slice(i, i + 500);
    const vals = toPlain(await c.call('MGET', ...batch)) as Array<string | null>;
    for (const v of vals) if (v === null) lost++;
  }
  const present = Number(toPlain(await c.call('DBSIZE')));
  c.destroy();
  console.log(`# writes attempted: ${attempted}, acknowledged by WAIT: ${ackedKeys.length}, on the promoted replica: ${present}, acknowledged writes lost: ${lost}`);
  assert.equal(lost, 0);
});

// ---- a hand-made primary ------------------------------------------------------------------

/** RDB bytes with one logically expired key and one live key. */
function rdbWithExpiredKey(): Buffer {
  const parts: Buffer[] = [];
  const fw = new RdbFileWriter((chunk) => parts.push(Buffer.from(chunk)));
  fw.header([['redis-ver', '7.2.4']]);
  fw.selectDb(0, 2, 1);
  fw.key('old', new RObj(ObjType.String, 'v', 0), Date.now() - 60000);
  fw.key('live', new RObj(ObjType.String, 'x', 0), -1);
  fw.finish();
  return Buffer.concat(parts);
}

/**
 * A fake primary: answers the handshake, then runs `script(socket, psyncArgs)`
 * for each connection. Records the PSYNC arguments it got.
 */
class FakePrimary {
  readonly psyncs: string[][] = [];
  readonly acks: number[] = [];
  private readonly server: net.Server;
  port = 0;

  constructor(private readonly script: (s: net.Socket, psync: string[], n: number) => void) {
    this.server = net.createServer((s) => this.accept(s));
  }

  async listen(): Promise<void> {
    await new Promise<void>((res) => this.server.listen(0, '127.0.0.1', () => res()));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private accept(s: net.Socket): void {
    const parser = new RequestParser({ protoMaxBulkLen: 1 << 20 });
    s.on('error', () => undefined);
    s.on('data', (d) => {
      parser.feed(d);
      for (let argv = parser.next(); argv !== null; argv = parser.next()) {
        const name = argv[0].toUpperCase();
        if (name === 'PING') s.write('+PONG\r\n');
        else if (name === 'REPLCONF' && argv[1].toUpperCase() === 'ACK') this.acks.push(Number(argv[2]));
        else if (name === 'REPLCONF') s.write('+OK\r\n');
        else if (name === 'PSYNC') {
          this.psyncs.push(argv.slice(1));
          this.script(s, argv.slice(1), this.psyncs.length);
        }
      }
    });
  }

  close(): Promise<void> {
    return new Promise((res) => this.server.close(() => res()));
  }
}

const ID = 'a'.repeat(40);
const cmd = (...a: string[]): Buffer => encodeCommand(a);

test('from a primary: expired keys stay visible to its commands; a malformed stream never applies half a transaction', async () => {
  const rdb = rdbWithExpiredKey();
  const first = Buffer.concat([cmd('SELECT', '0'), cmd('PERSIST', 'old'), cmd('SET', 'applied', '1')]);
  const broken = Buffer.concat([cmd('MULTI'), cmd('SET', 'half', '1'), cmd('INCR', 'counter')]);
  let sockets: net.Socket[] = [];
  const fake = new FakePrimary((s, _psync, n) => {
    sockets.push(s);
    if (n === 1) {
      s.write(`+FULLRESYNC ${ID} 1000\r\n$${rdb.length}\r\n`);
      s.write(rdb);
      s.write(first);
      // Then a transaction cut by garbage.
      setTimeout(() => s.write(Buffer.concat([broken, Buffer.from('*1\r\n?bad\r\n')])), 200);
    } else {
      s.write(`+CONTINUE ${ID}\r\n`);
      s.write(Buffer.concat([broken, cmd('EXEC')]));
    }
  });
  await fake.listen();
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(fake.port)]);
  try {
    await waitFor('the second connection', () => fake.psyncs.length >= 2, 20000);
    // The replica asked to continue right after what it applied: the transaction's bytes excluded.
    assert.deepEqual(fake.psyncs[0], ['?', '-1']);
    assert.deepEqual(fake.psyncs[1], [ID, String(1000 + first.length + 1)]);
    await waitFor('the transaction applied', async () => (await call(r.port, 'GET', 'counter')) === '1', 10000);
    // PERSIST from the primary found the key the replica hides from its clients.
    assert.equal(await call(r.port, 'GET', 'old'), 'v');
    assert.equal(await call(r.port, 'GET', 'half'), '1');
    assert.equal(await call(r.port, 'GET', 'applied'), '1');
    assert.equal(await call(r.port, 'GET', 'live'), 'x');
    const i = await info(r.port);
    assert.equal(i.get('master_repl_offset'), String(1000 + first.length + broken.length + cmd('EXEC').length));
  } finally {
    for (const s of sockets) s.destroy();
    sockets = [];
    await r.stop();
    await fake.close();
  }
});

test('a replica hides logically expired keys from its clients but keeps them until the primary deletes them', async () => {
  const rdb = rdbWithExpiredKey();
  const fake = new FakePrimary((s) => {
    s.write(`+FULLRESYNC ${ID} 0\r\n$${rdb.length}\r\n`);
    s.write(rdb);
  });
  await fake.listen();
  const r = await cinnabar(['--replicaof', '127.0.0.1', String(fake.port)]);
  try {
    await waitFor('link up', async () => (await info(r.port)).get('master_link_status') === 'up', 10000);
    assert.equal(await call(r.port, 'GET', 'old'), null);
    assert.equal(await call(r.port, 'EXISTS', 'old'), 0);
    assert.equal(await call(r.port, 'GET', 'live'), 'x');
    // Still stored: no active expiry on a replica.
    assert.equal(await call(r.port, 'DBSIZE'), 2);
  } finally {
    await r.stop();
    await fake.close();
  }
});
