// The request parser: multibulk and inline forms, frames split at every byte,
// big arguments, and every protocol error Redis replies with.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestParser, ProtocolError, splitArgs } from '../../src/protocol/parser.js';

function parseAll(p: RequestParser): string[][] {
  const out: string[][] = [];
  for (;;) {
    const a = p.next();
    if (a === null) return out;
    out.push(a);
  }
}

function parser(max = 512 * 1024 * 1024): RequestParser {
  return new RequestParser({ protoMaxBulkLen: max });
}

test('multibulk commands, pipelined', () => {
  const p = parser();
  p.feed(Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$0\r\n\r\n'));
  assert.deepEqual(parseAll(p), [['GET', 'a'], ['SET', 'b', '']]);
});

test('every split point of a pipelined frame gives the same commands', () => {
  const frame = Buffer.from('*3\r\n$3\r\nSET\r\n$5\r\nk\x00\xff\r\n\r\n$2\r\nvv\r\nPING\r\n*1\r\n$4\r\nPING\r\n', 'latin1');
  const want = [['SET', 'k\x00\xff\r\n', 'vv'], ['PING'], ['PING']];
  for (let i = 0; i <= frame.length; i++) {
    for (let j = i; j <= frame.length; j += 3) {
      const p = parser();
      const got: string[][] = [];
      for (const part of [frame.subarray(0, i), frame.subarray(i, j), frame.subarray(j)]) {
        p.feed(part);
        got.push(...parseAll(p));
      }
      assert.deepEqual(got, want, `split at ${i},${j}`);
    }
  }
});

test('big argument arriving in many chunks is assembled once', () => {
  const size = 1024 * 1024;
  const payload = Buffer.alloc(size, 0x61);
  const frame = Buffer.concat([Buffer.from(`*2\r\n$3\r\nSET\r\n$${size}\r\n`), payload, Buffer.from('\r\n*1\r\n$4\r\nPING\r\n')]);
  const p = parser();
  const got: string[][] = [];
  for (let off = 0; off < frame.length; off += 16384) {
    p.feed(frame.subarray(off, off + 16384));
    got.push(...parseAll(p));
  }
  assert.equal(got.length, 2);
  assert.equal(got[0][1].length, size);
  assert.deepEqual(got[1], ['PING']);
});

test('inline commands with quotes and escapes', () => {
  const p = parser();
  p.feed(Buffer.from('SET a "hello world\\n\\x41"\r\nGET \'it\\\'s\'\n\r\n   \nPING\n'));
  assert.deepEqual(parseAll(p), [['SET', 'a', 'hello world\nA'], ['GET', "it's"], ['PING']]);
});

test('splitArgs: unbalanced quotes and closing quote followed by a character', () => {
  assert.equal(splitArgs('SET "abc'), null);
  assert.equal(splitArgs('SET "abc"d'), null);
  assert.equal(splitArgs("SET 'abc"), null);
  assert.deepEqual(splitArgs('  a   b  '), ['a', 'b']);
  assert.deepEqual(splitArgs('""'), ['']);
});

test('empty multibulk and negative counts are skipped', () => {
  const p = parser();
  p.feed(Buffer.from('*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n'));
  assert.deepEqual(parseAll(p), [['PING']]);
});

function errorOf(input: string | Buffer, max?: number): string {
  const p = parser(max);
  p.feed(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  try {
    parseAll(p);
  } catch (e) {
    assert.ok(e instanceof ProtocolError);
    return e.message;
  }
  return 'no error';
}

test('protocol errors carry Redis messages', () => {
  assert.equal(errorOf('*2\r\n$3\r\nGET\r\n+a\r\n'), "Protocol error: expected '$', got '+'");
  assert.equal(errorOf('*x\r\n'), 'Protocol error: invalid multibulk length');
  assert.equal(errorOf('*2147483648\r\n'), 'Protocol error: invalid multibulk length');
  assert.equal(errorOf('*2147483647\r\n'), 'no error'); // Redis 7's cap is INT_MAX
  assert.equal(errorOf('*1\r\n$-5\r\n'), 'Protocol error: invalid bulk length');
  assert.equal(errorOf('*1\r\n$abc\r\n'), 'Protocol error: invalid bulk length');
  assert.equal(errorOf('*1\r\n$2000000\r\n', 1024 * 1024), 'Protocol error: invalid bulk length');
  assert.equal(errorOf('SET "a\r\n'), 'Protocol error: unbalanced quotes in request');
  assert.equal(errorOf('A'.repeat(70000)), 'Protocol error: too big inline request');
  assert.equal(errorOf('*' + '1'.repeat(70000)), 'Protocol error: too big mbulk count string');
  assert.equal(errorOf('*1\r\n$' + '1'.repeat(70000)), 'Protocol error: too big bulk count string');
  // A line that is complete is parsed whatever its length (only an unterminated one is capped).
  assert.equal(errorOf('*' + '1'.repeat(70000) + '\r\n'), 'Protocol error: invalid multibulk length');
  assert.equal(errorOf('*1\r\n$' + '1'.repeat(70000) + '\r\n'), 'Protocol error: invalid bulk length');
  assert.equal(errorOf('A'.repeat(70000) + '\r\n'), 'no error');
});

test('before authentication: 10 arguments and 16 KiB bulks at most, then no cap', () => {
  let authed = false;
  const p = new RequestParser({ protoMaxBulkLen: 512 * 1024 * 1024, authRequired: () => !authed });
  const errorAt = (input: string): string => {
    p.feed(Buffer.from(input, 'latin1'));
    try {
      parseAll(p);
    } catch (e) {
      assert.ok(e instanceof ProtocolError);
      return e.message;
    }
    return 'no error';
  };
  assert.equal(errorAt('*10\r\n' + '$1\r\na\r\n'.repeat(10)), 'no error');
  assert.equal(errorAt(`*1\r\n$16384\r\n${'x'.repeat(16384)}\r\n`), 'no error');
  assert.equal(errorAt('*11\r\n'), 'Protocol error: unauthenticated multibulk length');
  const q = new RequestParser({ protoMaxBulkLen: 512 * 1024 * 1024, authRequired: () => !authed });
  q.feed(Buffer.from('*1\r\n$16385\r\n'));
  assert.throws(() => parseAll(q), /^Error: Protocol error: unauthenticated bulk length$/);
  authed = true;
  const r = new RequestParser({ protoMaxBulkLen: 512 * 1024 * 1024, authRequired: () => !authed });
  r.feed(Buffer.from(`*12\r\n${'$1\r\na\r\n'.repeat(11)}$20000\r\n${'y'.repeat(20000)}\r\n`));
  assert.equal(parseAll(r)[0].length, 12);
});

test('incomplete input is not an error', () => {
  const p = parser();
  p.feed(Buffer.from('*2\r\n$3\r\nGE'));
  assert.deepEqual(parseAll(p), []);
  p.feed(Buffer.from('T\r\n$1\r\nx\r\n'));
  assert.deepEqual(parseAll(p), [['GET', 'x']]);
});

test('property: any argument arrays, encoded and split anywhere, parse back unchanged', async () => {
  const fc = await import('fast-check');
  const arg = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 });
  fc.assert(
    fc.property(fc.array(fc.array(arg, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (cmds, cuts) => {
      let wire = '';
      for (const c of cmds) {
        wire += `*${c.length}\r\n`;
        for (const a of c) wire += `$${a.length}\r\n${a}\r\n`;
      }
      const buf = Buffer.from(wire, 'latin1');
      const points = [...new Set(cuts.map((x) => x % (buf.length + 1)))].sort((a, b) => a - b);
      const p = parser();
      const got: string[][] = [];
      let prev = 0;
      for (const pt of [...points, buf.length]) {
        p.feed(buf.subarray(prev, pt));
        got.push(...parseAll(p));
        prev = pt;
      }
      assert.deepEqual(got, cmds);
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('arguments of every length 0..40 (each length has its own copy path up to 24) come back unchanged', () => {
  for (let len = 0; len <= 40; len++) {
    let a = '';
    for (let i = 0; i < len; i++) a += String.fromCharCode((len * 31 + i * 97) & 255);
    const p = parser();
    p.feed(Buffer.from(`*2\r\n$${len}\r\n${a}\r\n$${len}\r\n${a}\r\n`, 'latin1'));
    assert.deepEqual(parseAll(p), [[a, a]], `length ${len}`);
  }
});
