// The replication backlog ring and the stream encoder, against simple models
// (no processes: the pieces every PSYNC depends on). Random sequences use a fixed
// seed that is printed, so a failure replays.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backlog } from '../../src/replication/backlog.js';
import { encodeArgv, encodeSelect, newStreamBuffer } from '../../src/replication/stream.js';
import { RequestParser } from '../../src/protocol/parser.js';
import { Rng } from '../helpers/random.js';

/** The shared seeded PRNG as a () => [0, 1) function. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.float();
}

test('backlog ring: appends, wraps, grows lazily and resizes like a model of the last N bytes', () => {
  const seed = 20261125;
  console.log(`# seed ${seed}`);
  const rand = rng(seed);
  for (const size of [1, 7, 100, 4096, 100000]) {
    const start = 1 + Math.floor(rand() * 1000);
    const b = new Backlog(size, start);
    let model = Buffer.alloc(0); // every byte ever fed
    let cap = size;
    for (let step = 0; step < 400; step++) {
      const r = rand();
      if (r < 0.05) {
        cap = 1 + Math.floor(rand() * 5000);
        b.resize(cap);
      } else {
        const n = Math.floor(rand() * (r < 0.1 ? 3 * cap : 300));
        const data = Buffer.alloc(n + 10);
        for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
        // Feed a slice, as the replica side does.
        b.append(data, 5, 5 + n);
        model = Buffer.concat([model, data.subarray(5, 5 + n)]);
      }
      const end = start + model.length; // offset of the next byte
      const held = Math.min(model.length, cap);
      assert.equal(b.offset + b.histlen, end, `end offset (size ${size}, step ${step})`);
      assert.ok(b.histlen <= held, `histlen ${b.histlen} > ${held}`);
      assert.ok(b.allocated <= Math.max(cap, 16 * 1024));
      // Every offset it claims to cover reads back the model's bytes.
      for (let k = 0; k < 3; k++) {
        const from = b.offset + Math.floor(rand() * (b.histlen + 1));
        assert.ok(b.covers(from));
        const got = b.copyFrom(from);
        assert.deepEqual(got, model.subarray(from - start), `copyFrom(${from}) size ${size} step ${step}`);
      }
      assert.ok(!b.covers(end + 1));
      if (b.offset > start) assert.ok(!b.covers(b.offset - 1));
    }
    // Full capacity once enough was fed and no resize shrank it since.
    if (model.length >= cap) assert.equal(b.histlen <= cap, true);
  }
});

test('stream encoder: RESP multibulks the request parser reads back, byte for byte', () => {
  const seed = 7;
  const rand = rng(seed);
  const w = newStreamBuffer();
  const cmds: string[][] = [];
  let total = 0;
  for (let i = 0; i < 2000; i++) {
    const argc = 1 + Math.floor(rand() * 6);
    const argv: string[] = [];
    for (let j = 0; j < argc; j++) {
      const len = rand() < 0.05 ? Math.floor(rand() * 70000) : Math.floor(rand() * 40);
      let s = '';
      for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(rand() * 256));
      argv.push(s);
    }
    cmds.push(argv);
    const n = w.appendCommand(argv);
    assert.equal(n, encodeArgv(argv).length);
    total += n;
  }
  w.appendBytes(encodeSelect(12));
  total += encodeSelect(12).length;
  const bytes = w.take();
  assert.equal(bytes.length, total);
  assert.equal(w.len, 0);
  const p = new RequestParser({ protoMaxBulkLen: 1 << 30 });
  // Feed in uneven pieces, as a socket would.
  for (let off = 0; off < bytes.length; ) {
    const n = 1 + Math.floor(rand() * 5000);
    p.feed(bytes.subarray(off, off + n));
    off += n;
  }
  for (const argv of cmds) assert.deepEqual(p.next(), argv);
  assert.deepEqual(p.next(), ['SELECT', '12']);
  assert.equal(p.next(), null);
});
