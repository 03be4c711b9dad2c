// The cluster bus codec (src/cluster/bus-codec.ts): seeded round trips of every message
// type (fast-check; CINNABAR_SEED replays), the exact sizes and offsets cluster.h lays out,
// what a 7.0 peer is sent, the frame reader, the slot bitmap's bit order. The interop with
// a real redis-server bus is test/process/bus-codec-interop.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import {
  BUS_HEADER_BYTES, BusFrameReader, BusProtocolError, decodeBusMessage, encodeBusMessage, GOSSIP_ENTRY_BYTES,
  MFLAG_EXT_DATA, MFLAG_FORCE_ACK, MSG_FAIL, MSG_FAILOVER_AUTH_REQUEST, MSG_MEET, MSG_MODULE, MSG_PING,
  MSG_PUBLISH, MSG_UPDATE, NODE_MASTER, NODE_SLAVE, slotBitmapCount, slotBitmapHas, slotBitmapSet,
  type BusHeader, type BusMessage, type PingExt,
} from '../../src/cluster/bus-codec.js';
import { seedFromEnv } from '../helpers/random.js';
import { busMessage } from './bus-codec-arbitraries.js';

const A = 'a'.repeat(40), B = '0123456789abcdef0123456789abcdef01234567', C = 'c'.repeat(40);

function header(type: number, over: Partial<BusHeader> = {}): BusHeader {
  return {
    type, port: 7000, pport: 0, cport: 17000, currentEpoch: 5n, configEpoch: 3n, offset: 1234n,
    sender: A, myslots: new Uint8Array(2048), slaveof: null, myip: '127.0.0.1', flags: NODE_MASTER, state: 0, mflags: 0,
    ...over,
  };
}

/** What decode(encode(m)) should give: 7.0 drops all but hostname extensions, EXT_DATA set when some are sent. */
function expected(m: BusMessage, peer: '7.0' | '7.2'): BusMessage {
  if (m.body.kind !== 'ping') return m;
  const exts = m.body.exts.filter((e) => peer === '7.2' || e.kind === 'hostname');
  return {
    header: { ...m.header, mflags: m.header.mflags | (exts.length ? MFLAG_EXT_DATA : 0) },
    body: { ...m.body, exts },
  };
}

test('round trip of every message type, as 7.2 and as 7.0 receive it (fast-check, seeded)', () => {
  const seed = seedFromEnv('bus-codec round trip');
  fc.assert(
    fc.property(busMessage, fc.constantFrom('7.0' as const, '7.2' as const), (m, peer) => {
      const frame = encodeBusMessage(m, peer);
      const back = decodeBusMessage(frame);
      assert.deepEqual(back, expected(m, peer));
      // Re-encoding what was decoded gives the same bytes.
      assert.ok(encodeBusMessage(back, peer).equals(frame));
      assert.equal(frame.readUInt32BE(4), frame.length);
    }),
    { seed, numRuns: 400 },
  );
});

test('sizes: the header is 2256 bytes, a gossip entry 104, each body as cluster.h computes it', () => {
  assert.equal(BUS_HEADER_BYTES, 2256);
  assert.equal(GOSSIP_ENTRY_BYTES, 104);
  const empty = encodeBusMessage({ header: header(MSG_FAILOVER_AUTH_REQUEST), body: { kind: 'empty' } });
  assert.equal(empty.length, 2256);
  const g = { nodeId: B, pingSent: 1, pongReceived: 2, ip: '10.0.0.1', port: 7001, cport: 17001, pport: 0, flags: NODE_SLAVE };
  assert.equal(encodeBusMessage({ header: header(MSG_PING), body: { kind: 'ping', gossip: [g, g, g], exts: [] } }).length,
    2256 + 3 * 104);
  assert.equal(encodeBusMessage({ header: header(MSG_FAIL), body: { kind: 'fail', nodeId: B } }).length, 2256 + 40);
  // clusterMsgDataPublish is 16 bytes, of which 8 are placeholder: 8 + lengths.
  assert.equal(encodeBusMessage({
    header: header(MSG_PUBLISH), body: { kind: 'publish', channel: Buffer.from('ch'), message: Buffer.from('hello') },
  }).length, 2256 + 8 + 2 + 5);
  assert.equal(encodeBusMessage({
    header: header(MSG_UPDATE), body: { kind: 'update', configEpoch: 9n, nodeId: B, slots: new Uint8Array(2048) },
  }).length, 2256 + 8 + 40 + 2048);
  // clusterMsgModule is 16 bytes, of which 3 are placeholder: 13 + len.
  assert.equal(encodeBusMessage({
    header: header(MSG_MODULE), body: { kind: 'module', moduleId: 1n, moduleType: 2, payload: Buffer.alloc(10) },
  }).length, 2256 + 13 + 10);
  // Extensions: 8-byte header + EIGHT_BYTE_ALIGN(strlen + 1); forgotten node 8 + 48; shard id 8 + 40.
  const sized = (exts: PingExt[], peer: '7.0' | '7.2' = '7.2') =>
    encodeBusMessage({ header: header(MSG_PING), body: { kind: 'ping', gossip: [], exts } }, peer).length - 2256;
  assert.equal(sized([{ kind: 'hostname', hostname: 'abcdefg' }]), 8 + 8);
  assert.equal(sized([{ kind: 'hostname', hostname: 'abcdefgh' }]), 8 + 16);
  assert.equal(sized([{ kind: 'hostname', hostname: '' }]), 8 + 8);
  assert.equal(sized([{ kind: 'humannodename', name: 'n1' }]), 8 + 8);
  assert.equal(sized([{ kind: 'forgotten-node', nodeId: B, ttl: 60 }]), 8 + 48);
  assert.equal(sized([{ kind: 'shard-id', shardId: C }]), 8 + 40);
  assert.equal(sized([{ kind: 'shard-id', shardId: C }, { kind: 'hostname', hostname: 'h' }], '7.0'), 8 + 8);
});

test('field offsets and byte order as cluster.h pins them', () => {
  const slots = new Uint8Array(2048);
  slotBitmapSet(slots, 0, true);
  slotBitmapSet(slots, 9, true);
  slotBitmapSet(slots, 16383, true);
  const m: BusMessage = {
    header: header(MSG_MEET, {
      port: 0x1234, pport: 0x2345, cport: 0x3456, currentEpoch: 0x0102030405060708n, configEpoch: 0x1112131415161718n,
      offset: 0x2122232425262728n, slaveof: B, myip: '192.168.1.20', flags: 0x0203, state: 1, mflags: MFLAG_FORCE_ACK,
      myslots: slots,
    }),
    body: {
      kind: 'ping',
      gossip: [{ nodeId: C, pingSent: 0x31323334, pongReceived: 0x41424344, ip: '::1', port: 0x5152, cport: 0x5354, flags: 0x5556, pport: 0x5758 }],
      exts: [{ kind: 'hostname', hostname: 'host-1' }, { kind: 'forgotten-node', nodeId: B, ttl: 0x61626364 }],
    },
  };
  const f = encodeBusMessage(m);
  const hex = (o: number, n: number) => f.subarray(o, o + n).toString('hex');
  assert.equal(f.toString('latin1', 0, 4), 'RCmb');
  assert.equal(f.readUInt32BE(4), f.length);
  assert.equal(hex(8, 2), '0001'); // ver
  assert.equal(hex(10, 2), '1234'); // port
  assert.equal(hex(12, 2), '0002'); // type MEET
  assert.equal(hex(14, 2), '0001'); // count
  assert.equal(hex(16, 8), '0102030405060708');
  assert.equal(hex(24, 8), '1112131415161718');
  assert.equal(hex(32, 8), '2122232425262728');
  assert.equal(f.toString('latin1', 40, 80), A);
  // myslots at 80: slot 0 is bit 0 of byte 0, slot 9 bit 1 of byte 1, slot 16383 bit 7 of byte 2047.
  assert.equal(f[80], 0x01);
  assert.equal(f[81], 0x02);
  assert.equal(f[80 + 2047], 0x80);
  assert.equal(f.toString('latin1', 2128, 2168), B);
  assert.equal(f.toString('latin1', 2168, 2180), '192.168.1.20');
  assert.equal(f[2180], 0);
  assert.equal(hex(2214, 2), '0002'); // extensions
  assert.equal(hex(2216, 30), '00'.repeat(30)); // notused1
  assert.equal(hex(2246, 2), '2345'); // pport
  assert.equal(hex(2248, 2), '3456'); // cport
  assert.equal(hex(2250, 2), '0203'); // flags
  assert.equal(f[2252], 1); // state
  assert.equal(f[2253], MFLAG_FORCE_ACK | MFLAG_EXT_DATA);
  assert.equal(hex(2254, 2), '0000');
  // The gossip entry at 2256.
  const g = 2256;
  assert.equal(f.toString('latin1', g, g + 40), C);
  assert.equal(hex(g + 40, 4), '31323334');
  assert.equal(hex(g + 44, 4), '41424344');
  assert.equal(f.toString('latin1', g + 48, g + 51), '::1');
  assert.equal(hex(g + 94, 10), '51525354555657580000');
  // Extensions after it: hostname (length 16, type 0), forgotten node (length 56, type 2, ttl u64).
  const e = g + 104;
  assert.equal(hex(e, 8), '0000001000000000');
  assert.equal(f.toString('latin1', e + 8, e + 16), 'host-1\0\0');
  assert.equal(hex(e + 16, 8), '0000003800020000');
  assert.equal(f.toString('latin1', e + 24, e + 64), B);
  assert.equal(hex(e + 64, 8), '0000000061626364');
  assert.equal(f.length, e + 72);
});

test('slot bitmap: Redis bit order, range checks, count', () => {
  const bm = new Uint8Array(2048);
  for (const s of [0, 1, 7, 8, 1000, 16383]) slotBitmapSet(bm, s, true);
  assert.equal(slotBitmapCount(bm), 6);
  assert.ok(slotBitmapHas(bm, 1000) && !slotBitmapHas(bm, 1001));
  assert.equal(bm[0], 0b10000011);
  assert.equal(bm[1], 0b00000001);
  slotBitmapSet(bm, 7, false);
  assert.equal(bm[0], 0b00000011);
  assert.throws(() => slotBitmapHas(bm, 16384), RangeError);
  assert.throws(() => slotBitmapSet(bm, -1, true), RangeError);
});

test('encode refuses what the wire cannot hold (programmer errors, RangeError)', () => {
  const ping = (over: Partial<BusHeader>, exts: PingExt[] = []): BusMessage =>
    ({ header: header(MSG_PING, over), body: { kind: 'ping', gossip: [], exts } });
  assert.throws(() => encodeBusMessage(ping({ sender: 'xyz' })), RangeError);
  assert.throws(() => encodeBusMessage(ping({ sender: 'A'.repeat(40) })), RangeError);
  assert.throws(() => encodeBusMessage(ping({ myip: 'x'.repeat(46) })), RangeError);
  assert.throws(() => encodeBusMessage(ping({ port: 65536 })), RangeError);
  assert.throws(() => encodeBusMessage(ping({ currentEpoch: -1n })), RangeError);
  assert.throws(() => encodeBusMessage(ping({ state: 2 })), RangeError);
  assert.throws(() => encodeBusMessage(ping({}, [{ kind: 'hostname', hostname: 'a\0b' }])), RangeError);
  assert.throws(() => encodeBusMessage(ping({}, [{ kind: 'unknown', type: 9, data: Buffer.alloc(3) }])), RangeError);
  assert.throws(() => encodeBusMessage(ping({}, [{ kind: 'unknown', type: 1, data: Buffer.alloc(8) }])), RangeError);
  assert.throws(() => encodeBusMessage({ header: header(MSG_FAIL), body: { kind: 'empty' } }), RangeError);
  assert.throws(() => encodeBusMessage({ header: header(42), body: { kind: 'empty' } }), RangeError);
});

test('decode: a PING without the EXT_DATA flag carries no extensions, whatever its extensions field says', () => {
  const f = encodeBusMessage({ header: header(MSG_PING), body: { kind: 'ping', gossip: [], exts: [] } });
  f.writeUInt16BE(3, 2214);
  const m = decodeBusMessage(f);
  assert.deepEqual(m.body, { kind: 'ping', gossip: [], exts: [] });
});

test('BusFrameReader: frames split at every byte boundary and glued together come out whole', () => {
  const seed = seedFromEnv('bus-codec frame reader');
  fc.assert(
    fc.property(fc.array(busMessage, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 20 }),
      (msgs, cuts) => {
        const frames = msgs.map((m) => encodeBusMessage(m));
        const stream = Buffer.concat(frames);
        const r = new BusFrameReader();
        const got: Buffer[] = [];
        let at = 0, k = 0;
        while (at < stream.length) {
          const n = Math.min(cuts[k++ % cuts.length]!, stream.length - at);
          got.push(...r.push(stream.subarray(at, at + n)));
          at += n;
        }
        assert.equal(got.length, frames.length);
        got.forEach((g, i) => assert.ok(g.equals(frames[i]!)));
        assert.equal(r.pendingBytes, 0);
      }),
    { seed, numRuns: 150 },
  );
});

test('BusFrameReader: a wrong signature, a length under the header or over the limit fails the link for good', () => {
  const good = encodeBusMessage({ header: header(MSG_FAILOVER_AUTH_REQUEST), body: { kind: 'empty' } });
  const bad = Buffer.from(good);
  bad.write('RCmx', 0, 'latin1');
  let r = new BusFrameReader();
  assert.throws(() => r.push(bad), (e: unknown) => e instanceof BusProtocolError && /signature/.test(e.message));
  assert.throws(() => r.push(good), BusProtocolError); // stays failed

  const short = Buffer.from(good);
  short.writeUInt32BE(2255, 4);
  r = new BusFrameReader();
  assert.throws(() => r.push(short.subarray(0, 8)), (e: unknown) => e instanceof BusProtocolError && /shorter/.test(e.message));

  const huge = Buffer.from(good.subarray(0, 8));
  huge.writeUInt32BE(0xffffffff, 4);
  r = new BusFrameReader(1 << 20);
  assert.throws(() => r.push(huge), (e: unknown) => e instanceof BusProtocolError && /limit of 1048576/.test(e.message));

  // The reader holds at most one frame: a frame at the limit passes.
  r = new BusFrameReader(good.length);
  assert.equal(r.push(good).length, 1);
  assert.throws(() => new BusFrameReader(100), RangeError);
});
