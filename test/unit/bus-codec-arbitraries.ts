// fast-check generators of cluster bus messages (src/cluster/bus-codec.ts), shared by the
// round-trip and fuzz tests.
import fc from 'fast-check';

import {
  MSG_FAIL, MSG_FAILOVER_AUTH_ACK, MSG_FAILOVER_AUTH_REQUEST, MSG_MEET, MSG_MFSTART, MSG_MODULE,
  MSG_PING, MSG_PONG, MSG_PUBLISH, MSG_PUBLISHSHARD, MSG_UPDATE, SLOT_BITMAP_BYTES,
  type BusBody, type BusHeader, type BusMessage, type GossipEntry, type PingExt,
} from '../../src/cluster/bus-codec.js';

// Records with a plain prototype, so that assert.deepEqual compares them with decoded messages.
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return (fc.record(model) as fc.Arbitrary<T>).map((o) => ({ ...o }));
}

const HEX = '0123456789abcdef'.split('');
export const nodeName = fc.array(fc.constantFrom(...HEX), { minLength: 40, maxLength: 40 }).map((a) => a.join(''));
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const ip = fc.oneof(
  fc.constant(''),
  fc.ipV4(),
  fc.ipV6().filter((s) => s.length < 46),
);
/** A bitmap: sparse, full or random, so both slot runs and noise are covered. */
const slots = fc.oneof(
  fc.constant(new Uint8Array(SLOT_BITMAP_BYTES)),
  fc.constant(new Uint8Array(SLOT_BITMAP_BYTES).fill(0xff)),
  fc.uint8Array({ minLength: SLOT_BITMAP_BYTES, maxLength: SLOT_BITMAP_BYTES }),
);
const noNul = fc.string({ maxLength: 60 }).filter((s) => !s.includes('\0'));

export const gossipEntry: fc.Arbitrary<GossipEntry> = rec({
  nodeId: nodeName, pingSent: u32, pongReceived: u32, ip, port: u16, cport: u16, pport: u16, flags: u16,
});

export const pingExt: fc.Arbitrary<PingExt> = fc.oneof(
  rec({ kind: fc.constant('hostname' as const), hostname: noNul }),
  rec({ kind: fc.constant('humannodename' as const), name: noNul }),
  rec({ kind: fc.constant('forgotten-node' as const), nodeId: nodeName, ttl: fc.integer({ min: 0, max: 2 ** 40 }) }),
  rec({ kind: fc.constant('shard-id' as const), shardId: nodeName }),
  rec({
    kind: fc.constant('unknown' as const),
    type: fc.integer({ min: 4, max: 0xffff }),
    data: fc.integer({ min: 0, max: 6 }).chain((n) => fc.uint8Array({ minLength: n * 8, maxLength: n * 8 }))
      .map((a) => Buffer.from(a)),
  }),
);

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

export const busMessage: fc.Arbitrary<BusMessage> = fc.constantFrom(
  MSG_PING, MSG_PONG, MSG_MEET, MSG_FAIL, MSG_PUBLISH, MSG_FAILOVER_AUTH_REQUEST, MSG_FAILOVER_AUTH_ACK,
  MSG_UPDATE, MSG_MFSTART, MSG_MODULE, MSG_PUBLISHSHARD,
).chain((type) => {
  let body: fc.Arbitrary<BusBody>;
  switch (type) {
    case MSG_PING: case MSG_PONG: case MSG_MEET:
      body = rec({
        kind: fc.constant('ping' as const),
        gossip: fc.array(gossipEntry, { maxLength: 6 }),
        exts: fc.array(pingExt, { maxLength: 5 }),
      });
      break;
    case MSG_FAIL: body = rec({ kind: fc.constant('fail' as const), nodeId: nodeName }); break;
    case MSG_PUBLISH: case MSG_PUBLISHSHARD:
      body = rec({ kind: fc.constant('publish' as const), channel: bytes(40), message: bytes(300) });
      break;
    case MSG_UPDATE:
      body = rec({ kind: fc.constant('update' as const), configEpoch: u64, nodeId: nodeName, slots });
      break;
    case MSG_MODULE:
      body = rec({
        kind: fc.constant('module' as const), moduleId: u64, moduleType: fc.integer({ min: 0, max: 255 }), payload: bytes(200),
      });
      break;
    default: body = fc.constant({ kind: 'empty' as const });
  }
  const header: fc.Arbitrary<BusHeader> = rec({
    type: fc.constant(type), port: u16, pport: u16, cport: u16,
    currentEpoch: u64, configEpoch: u64, offset: u64,
    sender: nodeName, myslots: slots, slaveof: fc.option(nodeName, { nil: null }), myip: ip,
    flags: u16, state: fc.constantFrom(0, 1),
    // EXT_DATA (4) is the encoder's to set; the other bits pass through.
    mflags: fc.integer({ min: 0, max: 255 }).map((f) => f & ~4),
  });
  return rec({ header, body });
});
