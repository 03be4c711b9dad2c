// Fuzzing the cluster bus decoder and frame reader (src/cluster/bus-codec.ts) with frames
// that are truncated, bit-flipped, overwritten, extended, or that lie about their lengths
// (totlen, count, extensions, an extension's length, publish and module lengths). Every
// input must either decode to a message that re-encodes to a valid frame, or throw
// BusProtocolError: never another exception, never a hang. Seeded (CINNABAR_SEED replays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import {
  BUS_HEADER_BYTES, BusFrameReader, BusProtocolError, decodeBusMessage, encodeBusMessage,
} from '../../src/cluster/bus-codec.js';
import { seedFromEnv } from '../helpers/random.js';
import { busMessage } from './bus-codec-arbitraries.js';

/** Offsets of the length-bearing fields a liar would touch: totlen, count, extensions, body lengths. */
const LIE_OFFSETS = [4, 14, 2214, BUS_HEADER_BYTES, BUS_HEADER_BYTES + 4, BUS_HEADER_BYTES + 8, BUS_HEADER_BYTES + 104];

type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'lie32'; field: number; value: number }
  | { op: 'lie16'; field: number; value: number }
  | { op: 'append'; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    op: fc.constant('lie32' as const), field: fc.constantFrom(...LIE_OFFSETS),
    value: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 5000 })),
  }),
  fc.record({
    op: fc.constant('lie16' as const), field: fc.constantFrom(...LIE_OFFSETS),
    value: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 16 })),
  }),
  fc.record({ op: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);

function mutate(frame: Buffer, muts: Mutation[]): Buffer {
  let f = Buffer.from(frame);
  for (const m of muts) {
    if (f.length === 0) break;
    switch (m.op) {
      case 'truncate': f = f.subarray(0, m.at % f.length); break;
      case 'flip': f[m.at % f.length]! ^= 1 << m.bit; break;
      case 'set': f[m.at % f.length] = m.byte; break;
      case 'lie32': if (m.field + 4 <= f.length) f.writeUInt32BE(m.value, m.field); break;
      case 'lie16': if (m.field + 2 <= f.length) f.writeUInt16BE(m.value, m.field); break;
      case 'append': f = Buffer.concat([f, m.bytes]); break;
    }
  }
  return f;
}

/** Decodes; only BusProtocolError may escape, and what decodes must re-encode to a frame that decodes. */
function decodeOrReject(f: Buffer): 'ok' | 'rejected' {
  try {
    const m = decodeBusMessage(f);
    const again = encodeBusMessage(m);
    decodeBusMessage(again);
    return 'ok';
  } catch (e) {
    if (e instanceof BusProtocolError) {
      assert.ok(e.message.length > 0, 'a BusProtocolError says why');
      return 'rejected';
    }
    throw e;
  }
}

test('fuzz: mutated and lying frames decode or throw BusProtocolError, nothing else (fast-check, seeded)', () => {
  const seed = seedFromEnv('bus-codec fuzz');
  let rejected = 0, total = 0;
  fc.assert(
    fc.property(busMessage, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, muts) => {
      total++;
      if (decodeOrReject(mutate(encodeBusMessage(m), muts)) === 'rejected') rejected++;
    }),
    { seed, numRuns: 1500 },
  );
  // The mutations mostly break something; a fuzz that rejects nothing exercises nothing.
  assert.ok(rejected > total / 2, `rejected ${rejected} of ${total}`);
});

test('fuzz: every truncation of a frame is rejected', () => {
  const seed = seedFromEnv('bus-codec truncation');
  fc.assert(
    fc.property(busMessage, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (m, where) => {
      const f = encodeBusMessage(m);
      const cut = f.subarray(0, Math.floor(where * f.length));
      assert.throws(() => decodeBusMessage(cut), BusProtocolError);
    }),
    { seed, numRuns: 300 },
  );
});

test('fuzz: a totlen that disagrees with the frame by any amount is rejected', () => {
  const seed = seedFromEnv('bus-codec totlen');
  fc.assert(
    fc.property(busMessage, fc.integer({ min: -3000, max: 3000 }).filter((d) => d !== 0), (m, delta) => {
      const f = encodeBusMessage(m);
      const lie = f.length + delta;
      if (lie < 0 || lie > 0xffffffff) return;
      f.writeUInt32BE(lie, 4);
      assert.throws(() => decodeBusMessage(f), (e: unknown) => e instanceof BusProtocolError && /declared length/.test(e.message));
    }),
    { seed, numRuns: 300 },
  );
});

test('fuzz: the frame reader over a mutated stream yields whole frames or throws BusProtocolError', () => {
  const seed = seedFromEnv('bus-codec reader fuzz');
  fc.assert(
    fc.property(fc.array(busMessage, { minLength: 1, maxLength: 3 }), fc.array(mutation, { maxLength: 3 }),
      fc.integer({ min: 1, max: 5000 }), (msgs, muts, chunk) => {
        const stream = mutate(Buffer.concat(msgs.map((m) => encodeBusMessage(m))), muts);
        const r = new BusFrameReader(1 << 20);
        try {
          for (let at = 0; at < stream.length; at += chunk) {
            for (const f of r.push(stream.subarray(at, at + chunk))) {
              assert.ok(f.length >= BUS_HEADER_BYTES && f.length <= 1 << 20);
              assert.equal(f.readUInt32BE(4), f.length);
              decodeOrReject(f);
            }
          }
        } catch (e) {
          if (!(e instanceof BusProtocolError)) throw e;
        }
        assert.ok(r.pendingBytes <= 1 << 20);
      }),
    { seed, numRuns: 300 },
  );
});

test('hand-written liars: each is rejected with its reason', () => {
  const base = {
    type: 0, port: 7000, pport: 0, cport: 17000, currentEpoch: 1n, configEpoch: 1n, offset: 0n, sender: 'a'.repeat(40),
    myslots: new Uint8Array(2048), slaveof: null, myip: '', flags: 1, state: 0, mflags: 0,
  };
  const ping = encodeBusMessage({
    header: base,
    body: { kind: 'ping', gossip: [], exts: [{ kind: 'hostname', hostname: 'abc' }, { kind: 'shard-id', shardId: 'b'.repeat(40) }] },
  });
  const cases: [string, (f: Buffer) => Buffer, RegExp][] = [
    ['signature', (f) => { f.write('XXXX', 0, 'latin1'); return f; }, /signature/],
    ['version', (f) => { f.writeUInt16BE(2, 8); return f; }, /version 2/],
    ['unknown type', (f) => { f.writeUInt16BE(11, 12); return f; }, /unknown message type 11/],
    ['count over the frame', (f) => { f.writeUInt16BE(5, 14); return f; }, /5 gossip entries/],
    ['count under the frame', (f) => { f.writeUInt16BE(0, 2214); return f; }, /expected length/],
    ['more extensions than bytes', (f) => { f.writeUInt16BE(3, 2214); return f; }, /starts past the end/],
    ['extension length unpadded', (f) => { f.writeUInt32BE(15, 2256); return f; }, /padding/],
    ['extension length zero', (f) => { f.writeUInt32BE(0, 2256); return f; }, /less than its header/],
    ['extension length past the end', (f) => { f.writeUInt32BE(4096, 2256); return f; }, /exceeds the frame/],
    ['hostname without NUL', (f) => { f.write('abcdefgh', 2264, 'latin1'); return f; }, /NUL-terminated/],
    ['sender charset', (f) => { f.write('G', 40, 'latin1'); return f; }, /sender is not a valid node name/],
    ['shard id charset', (f) => { f.write('-', 2280, 'latin1'); return f; }, /shard id is not a valid node name/],
    ['slaveof half zero', (f) => { f.write('abc', 2128, 'latin1'); return f; }, /slaveof/],
    ['myip without NUL', (f) => { f.write('1'.repeat(46), 2168, 'latin1'); return f; }, /myip is not NUL-terminated/],
    ['state', (f) => { f[2252] = 7; return f; }, /cluster state 7/],
  ];
  for (const [what, lie, reason] of cases) {
    assert.throws(() => decodeBusMessage(lie(Buffer.from(ping))),
      (e: unknown) => e instanceof BusProtocolError && reason.test(e.message), what);
  }
  const pub = encodeBusMessage({
    header: { ...base, type: 4 }, body: { kind: 'publish', channel: Buffer.from('ch'), message: Buffer.from('msg') },
  });
  const p1 = Buffer.from(pub);
  p1.writeUInt32BE(0xfffffff0, 2256);
  assert.throws(() => decodeBusMessage(p1), /expected length/);
  const p2 = Buffer.from(pub);
  p2.writeUInt32BE(4, 2260);
  assert.throws(() => decodeBusMessage(p2), /expected length/);
  const mod = encodeBusMessage({
    header: { ...base, type: 9 }, body: { kind: 'module', moduleId: 7n, moduleType: 1, payload: Buffer.from('xyz') },
  });
  mod.writeUInt32BE(2, 2264);
  assert.throws(() => decodeBusMessage(mod), /expected length/);
  assert.throws(() => decodeBusMessage(Buffer.alloc(0)), BusProtocolError);
});
