// The cluster bus codec (src/cluster/bus-codec.ts) against a real redis-server 7.0 bus.
//
// Two fake nodes made of the codec and a TCP listener (each with a fresh 40-hex id and its
// listening bus port in cport) MEET a cluster-enabled redis-server: its PONG decodes (sender
// = CLUSTER MYID, myslots = what ADDSLOTS gave, its announced hostname as an extension);
// it connects back to each fake node and its PINGs decode, with the other fake node in the
// gossip section; CLUSTER NODES then lists both fake nodes, connected, with the hostname a
// '7.0' encoding carried. Every frame Redis sends re-encodes to the very same bytes. A PING claiming a slot with a stale configEpoch draws an UPDATE;
// a fake node that stops answering, once the other reports it PFAIL in its gossip (which
// Redis parses), draws a FAIL about it to the other: both decode.
//
// Then what redis-server 7.0 does with bad frames, the reference for ours: a wrong
// signature or a totlen under the 2256-byte header closes the link; a frame whose lengths
// disagree (count, padding of an extension), an unknown type or another version is logged
// (or not) and dropped with the link kept (a PING on it still gets its PONG); an extension
// type 7.0 does not know is logged as such (hence encode(…, '7.0') sends only the hostname).
// The server stays up throughout. Our decoder refuses each of these frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';

import {
  BusFrameReader, BusProtocolError, decodeBusMessage, emptySlotBitmap, encodeBusMessage, MSG_FAIL, MSG_MEET, MSG_PING, MSG_PONG,
  MSG_UPDATE, NODE_MASTER, NODE_PFAIL, slotBitmapCount, slotBitmapHas, slotBitmapSet, type BusHeader, type BusMessage, type PingExt,
} from '../../src/cluster/bus-codec.js';
import { clusterNodes, startClusterNode } from '../helpers/cluster.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { call, waitFor } from '../helpers/wait.js';

const WAIT_MS = 10000;

/** A bus endpoint built from the codec: answers PING and MEET with PONG while `answering`. */
class FakeNode {
  readonly id = randomBytes(20).toString('hex');
  readonly received: { inbound: boolean; m: BusMessage }[] = [];
  /** Frames from Redis whose re-encoding differs from what Redis sent (should stay empty). */
  readonly notByteIdentical: string[] = [];
  framesChecked = 0;
  answering = true;
  hostname = '';
  cport = 0;
  private server = net.createServer((s) => this.adopt(s, true));
  private sockets = new Set<net.Socket>();

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.cport = (this.server.address() as net.AddressInfo).port;
  }

  /** The client port we announce; nothing listens there, Redis only prints it. */
  get port(): number {
    return this.cport - 1;
  }

  header(type: number, over: Partial<BusHeader> = {}): BusHeader {
    return {
      type, port: this.port, pport: 0, cport: this.cport, currentEpoch: 0n, configEpoch: 0n, offset: 0n,
      sender: this.id, myslots: emptySlotBitmap(), slaveof: null, myip: '', flags: NODE_MASTER, state: 0, mflags: 0, ...over,
    };
  }

  exts(): PingExt[] {
    return this.hostname ? [{ kind: 'hostname', hostname: this.hostname }] : [];
  }

  pong(): Buffer {
    return encodeBusMessage({ header: this.header(MSG_PONG), body: { kind: 'ping', gossip: [], exts: this.exts() } }, '7.0');
  }

  /** An outbound link to `busPort`, its frames decoded into `received`. */
  async connect(busPort: number): Promise<net.Socket> {
    const s = net.connect(busPort, '127.0.0.1');
    await new Promise<void>((r, j) => s.once('connect', r).once('error', j));
    this.adopt(s, false);
    return s;
  }

  private adopt(s: net.Socket, inbound: boolean): void {
    this.sockets.add(s);
    const reader = new BusFrameReader();
    s.on('data', (d) => {
      for (const f of reader.push(d)) {
        const m = decodeBusMessage(f);
        this.received.push({ inbound, m });
        // Byte for byte: our encoding of what we decoded is the frame Redis sent.
        this.framesChecked++;
        const again = encodeBusMessage(m);
        if (!again.equals(f)) {
          let at = 0;
          while (at < f.length && f[at] === again[at]) at++;
          this.notByteIdentical.push(`type ${m.header.type}, ${f.length} vs ${again.length} bytes, first difference at ${at}`);
        }
        if ((m.header.type === MSG_PING || m.header.type === MSG_MEET) && this.answering) s.write(this.pong());
      }
    });
    s.on('error', () => {});
    s.on('close', () => this.sockets.delete(s));
  }

  /** Stops answering: closes every link and the listener. */
  silence(): void {
    this.answering = false;
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }

  close(): void {
    this.silence();
  }

  async waitFor(what: string, pred: (m: BusMessage, inbound: boolean) => boolean): Promise<BusMessage> {
    return waitFor(`${what} at fake node ${this.id.slice(0, 8)}`, () => this.received.find((r) => pred(r.m, r.inbound))?.m, WAIT_MS, 10);
  }
}

/** A raw link to `busPort` that records whether Redis closed it and what it answered. */
class RawLink {
  closed = false;
  readonly frames: BusMessage[] = [];
  private constructor(readonly s: net.Socket) {
    const reader = new BusFrameReader();
    s.on('data', (d) => { for (const f of reader.push(d)) this.frames.push(decodeBusMessage(f)); });
    s.on('close', () => { this.closed = true; });
    s.on('error', () => {});
  }

  static async open(busPort: number): Promise<RawLink> {
    const s = net.connect(busPort, '127.0.0.1');
    await new Promise<void>((r, j) => s.once('connect', r).once('error', j));
    return new RawLink(s);
  }
}

function ping(sender: string, type = MSG_PING, over: Partial<BusHeader> = {}, exts: PingExt[] = []): BusMessage {
  return {
    header: {
      type, port: 1, pport: 0, cport: 2, currentEpoch: 0n, configEpoch: 0n, offset: 0n, sender,
      myslots: emptySlotBitmap(), slaveof: null, myip: '', flags: NODE_MASTER, state: 0, mflags: 0, ...over,
    },
    body: { kind: 'ping', gossip: [], exts },
  };
}

test('redis-server 7.0 bus: MEET, PONG, PING with gossip and extensions, UPDATE, FAIL, bad frames', { skip: skipIfNoRedis() }, async () => {
  let redis: ServerHandle | undefined;
  const a = new FakeNode(), b = new FakeNode();
  try {
    redis = await startClusterNode('redis', { nodeTimeoutMs: 1000, args: ['--cluster-announce-hostname', 'redis-a.test'] });
    const busPort = redis.port + 10000;
    const myid = String(await call(redis.port, 'CLUSTER', 'MYID'));
    assert.equal(await call(redis.port, 'CLUSTER', 'ADDSLOTSRANGE', '0', '99', '5000', '5000'), 'OK');
    assert.equal(await call(redis.port, 'CLUSTER', 'BUMPEPOCH'), 'BUMPED 1');
    await a.listen();
    await b.listen();
    a.hostname = 'fake-a.test';

    // MEET from each fake node; the PONG on the same link.
    for (const n of [a, b]) {
      const s = await n.connect(busPort);
      s.write(encodeBusMessage({ header: n.header(MSG_MEET), body: { kind: 'ping', gossip: [], exts: n.exts() } }, '7.0'));
    }
    const pong = await a.waitFor('PONG to the MEET', (m, inbound) => !inbound && m.header.type === MSG_PONG);
    assert.equal(pong.header.sender, myid);
    assert.equal(slotBitmapCount(pong.header.myslots), 101);
    assert.ok(slotBitmapHas(pong.header.myslots, 0) && slotBitmapHas(pong.header.myslots, 99) && slotBitmapHas(pong.header.myslots, 5000));
    assert.ok(!slotBitmapHas(pong.header.myslots, 100));
    assert.equal(pong.header.slaveof, null);
    assert.equal(pong.header.port, redis.port);
    assert.equal(pong.header.cport, busPort);
    assert.equal(pong.header.configEpoch, 1n);
    assert.ok((pong.header.flags & NODE_MASTER) !== 0);
    assert.deepEqual(pong.body.kind === 'ping' && pong.body.exts, [{ kind: 'hostname', hostname: 'redis-a.test' }]);

    // Redis connects back to each fake node's cport and PINGs it; once both handshakes are
    // done, a PING to a carries b in its gossip section.
    const gossipPing = await a.waitFor('PING gossiping about b', (m, inbound) => inbound && m.header.type === MSG_PING &&
      m.body.kind === 'ping' && m.body.gossip.some((g) => g.nodeId === b.id));
    assert.equal(gossipPing.header.sender, myid);
    const g = gossipPing.body.kind === 'ping' ? gossipPing.body.gossip.find((e) => e.nodeId === b.id)! : undefined;
    assert.ok(g);
    assert.deepEqual([g.ip, g.port, g.cport, g.flags & NODE_MASTER], ['127.0.0.1', b.port, b.cport, NODE_MASTER]);
    assert.deepEqual(gossipPing.body.kind === 'ping' && gossipPing.body.exts, [{ kind: 'hostname', hostname: 'redis-a.test' }]);

    // CLUSTER NODES lists both fake nodes under their ids, addresses and (a) hostname.
    const listed = await waitFor('both fake nodes connected in CLUSTER NODES', async () => {
      const ls = await clusterNodes(redis!.port);
      const la = ls.find((l) => l.id === a.id), lb = ls.find((l) => l.id === b.id);
      return la?.link === 'connected' && lb?.link === 'connected' && !la.flags.includes('handshake') ? { la, lb } : undefined;
    }, WAIT_MS);
    assert.deepEqual([listed.la.port, listed.la.cport, listed.la.hostname], [a.port, a.cport, 'fake-a.test']);
    assert.deepEqual([listed.lb.port, listed.lb.cport, listed.lb.hostname], [b.port, b.cport, '']);
    assert.ok(listed.la.flags.includes('master'));

    // An extension 7.0 does not parse is logged on every message that carries it; the '7.0'
    // encoding leaves it out.
    const ext72: PingExt[] = [{ kind: 'hostname', hostname: 'fake-a.test' }, { kind: 'shard-id', shardId: a.id }];
    const aLink = await a.connect(busPort);
    aLink.write(encodeBusMessage(ping(a.id, MSG_PING, a.header(MSG_PING), ext72), '7.0'));
    aLink.write(encodeBusMessage(ping(a.id, MSG_PING, a.header(MSG_PING), ext72), '7.2'));
    await waitFor('"Received unknown extension type 3" in the log', () => /Received unknown extension type 3/.test(redis!.output()), WAIT_MS);
    assert.equal(redis.output().match(/Received unknown extension type/g)?.length, 1, 'only the 7.2 encoding drew the warning');

    // UPDATE: a claims slot 5000 with configEpoch 0 while its owner's is 1.
    const claim = emptySlotBitmap();
    slotBitmapSet(claim, 5000, true);
    aLink.write(encodeBusMessage(ping(a.id, MSG_PING, a.header(MSG_PING, { myslots: claim }), a.exts()), '7.0'));
    const upd = await a.waitFor('UPDATE', (m) => m.header.type === MSG_UPDATE);
    assert.ok(upd.body.kind === 'update');
    assert.equal(upd.body.nodeId, myid);
    assert.equal(upd.body.configEpoch, 1n);
    assert.equal(slotBitmapCount(upd.body.slots), 101);
    assert.ok(slotBitmapHas(upd.body.slots, 5000));

    // FAIL: b stops answering; after node-timeout Redis flags it PFAIL. Redis 7.0 turns
    // PFAIL into FAIL only on a failure report in a primary's gossip (7.2's cron also does it
    // alone when it is the only primary with slots): a's PING reports b as PFAIL, and Redis,
    // the only primary with slots (a quorum of one), marks b failed and tells a.
    b.silence();
    await waitFor('b flagged fail? by redis', async () =>
      (await clusterNodes(redis!.port)).find((l) => l.id === b.id)?.flags.includes('fail?'), WAIT_MS);
    aLink.write(encodeBusMessage({
      header: a.header(MSG_PING),
      body: {
        kind: 'ping', exts: a.exts(),
        gossip: [{ nodeId: b.id, pingSent: 0, pongReceived: 0, ip: '127.0.0.1', port: b.port, cport: b.cport, pport: 0, flags: NODE_MASTER | NODE_PFAIL }],
      },
    }, '7.0'));
    const failMsg = await a.waitFor('FAIL about b', (m) => m.header.type === MSG_FAIL);
    assert.deepEqual(failMsg.body, { kind: 'fail', nodeId: b.id });
    assert.equal(failMsg.header.sender, myid);

    // Bad frames. A wrong signature or a totlen under the header: the link is closed.
    const good = encodeBusMessage(ping(randomBytes(20).toString('hex')));
    const closes: [string, Buffer][] = [
      ['wrong signature', Buffer.concat([Buffer.from('RCmx'), good.subarray(4)])],
      ['totlen 100', (() => { const f = Buffer.from(good); f.writeUInt32BE(100, 4); return f; })()],
    ];
    for (const [what, frame] of closes) {
      assert.throws(() => decodeBusMessage(frame), BusProtocolError, `our decoder refuses the ${what} too`);
      const l = await RawLink.open(busPort);
      l.s.write(frame);
      await waitFor(`redis closes the link after a ${what}`, () => l.closed, WAIT_MS);
    }
    await waitFor('"Bad message length or signature" logged', () =>
      (redis!.output().match(/Bad message length or signature received from Cluster bus/g)?.length ?? 0) >= 2, WAIT_MS);

    // Lengths that disagree, an unknown type, another version: dropped, the link kept.
    const keeps: [string, (f: Buffer) => Buffer, RegExp | null][] = [
      ['count over the frame', (f) => { f.writeUInt16BE(3, 14); return f; }, /Received invalid ping packet with gossip count 3 that exceeds total packet length \(2256\)/],
      ['unknown type', (f) => { f.writeUInt16BE(42, 12); return f; }, /Received unknown packet type: 42/],
      ['version 2', (f) => { f.writeUInt16BE(2, 8); return f; }, null],
    ];
    const pad = encodeBusMessage(ping(randomBytes(20).toString('hex'), MSG_PING, {}, [{ kind: 'hostname', hostname: 'x' }]));
    pad.writeUInt32BE(12, 2256);
    for (const [what, lie, logged] of [...keeps, ['extension unpadded', () => pad, /without proper padding \(12 bytes\)/] as const]) {
      const frame = lie(Buffer.from(good));
      assert.throws(() => decodeBusMessage(frame), BusProtocolError, `our decoder refuses the ${what} too`);
      const l = await RawLink.open(busPort);
      l.s.write(frame);
      const probe = randomBytes(20).toString('hex');
      l.s.write(encodeBusMessage(ping(probe)));
      await waitFor(`a PONG on the link after a frame with ${what}`, () => l.frames.some((m) => m.header.type === MSG_PONG), WAIT_MS);
      assert.equal(l.closed, false, what);
      if (logged) assert.match(redis.output(), logged, what);
      l.s.destroy();
    }

    // Every frame Redis sent us re-encodes to the same bytes.
    assert.ok(a.framesChecked > 5 && b.framesChecked > 2, `${a.framesChecked} / ${b.framesChecked} frames`);
    assert.deepEqual([...a.notByteIdentical, ...b.notByteIdentical], []);

    // Redis is up and its view is unchanged.
    assert.equal(await call(redis.port, 'PING'), 'PONG');
    // (cluster_state is fail throughout: 101 of 16384 slots are assigned.)
    const ci = String(await call(redis.port, 'CLUSTER', 'INFO'));
    assert.match(ci, /cluster_slots_ok:101\r\n/);
    assert.match(ci, /cluster_known_nodes:3\r\n/);
    assert.equal(redis.exited, false);
  } catch (e) {
    if (redis) console.log(redis.output().split('\n').slice(-40).join('\n'));
    throw e;
  } finally {
    a.close();
    b.close();
    await redis?.stop();
  }
});
