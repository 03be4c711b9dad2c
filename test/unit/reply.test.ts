// protocol/reply.ts: RESP2 and RESP3 encodings without a server or a client, as the
// proxy and the manager will write them, against the bytes Redis sends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyWriter } from '../../src/protocol/reply.js';

function enc(resp: 2 | 3, fn: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter();
  w.resp = resp;
  fn(w);
  return w.take();
}

test('simple, error, integer, bulk and null replies', () => {
  assert.equal(enc(2, (w) => w.addOk()), '+OK\r\n');
  assert.equal(enc(2, (w) => w.addError('ERR bad\r\nthing')), '-ERR bad  thing\r\n');
  assert.equal(enc(2, (w) => w.addInt(-42)), ':-42\r\n');
  assert.equal(enc(2, (w) => w.addInt(2 ** 60)), ':1152921504606846976\r\n');
  assert.equal(enc(2, (w) => w.addBulk('h\u00e9')), '$2\r\nh\u00e9\r\n');
  assert.equal(enc(2, (w) => w.addBulk('x'.repeat(70))), '$70\r\n' + 'x'.repeat(70) + '\r\n');
  assert.equal(enc(2, (w) => w.addNull()), '$-1\r\n');
  assert.equal(enc(3, (w) => w.addNull()), '_\r\n');
  assert.equal(enc(2, (w) => w.addNullArray()), '*-1\r\n');
  assert.equal(enc(3, (w) => w.addNullArray()), '_\r\n');
});

test('aggregates and RESP3 types fall back to their RESP2 shapes', () => {
  assert.equal(enc(2, (w) => w.addMapLen(2)), '*4\r\n');
  assert.equal(enc(3, (w) => w.addMapLen(2)), '%2\r\n');
  assert.equal(enc(2, (w) => w.addSetLen(3)), '*3\r\n');
  assert.equal(enc(3, (w) => w.addSetLen(3)), '~3\r\n');
  assert.equal(enc(3, (w) => w.addPushLen(3)), '>3\r\n');
  assert.equal(enc(2, (w) => w.addDouble(1.5)), '$3\r\n1.5\r\n');
  assert.equal(enc(3, (w) => w.addDouble(1.5)), ',1.5\r\n');
  assert.equal(enc(3, (w) => w.addDouble(Infinity)), ',inf\r\n');
  assert.equal(enc(2, (w) => w.addBool(true)), ':1\r\n');
  assert.equal(enc(3, (w) => w.addBool(false)), '#f\r\n');
  assert.equal(enc(3, (w) => w.addVerbatim('hi')), '=6\r\ntxt:hi\r\n');
  assert.equal(enc(2, (w) => w.addVerbatim('hi')), '$2\r\nhi\r\n');
  assert.equal(enc(3, (w) => w.addBigNumber('123456789012345678901234567890')), '(123456789012345678901234567890\r\n');
  assert.equal(enc(2, (w) => w.addBulkArray(['a', 'bc', 'x'.repeat(30)])), '*3\r\n$1\r\na\r\n$2\r\nbc\r\n$30\r\n' + 'x'.repeat(30) + '\r\n');
});

test('a subclass decides where the bytes go and sees every error', () => {
  const errors: string[] = [];
  const chunks: string[] = [];
  class Counting extends ReplyWriter {
    override write(s: string): void {
      chunks.push(s);
    }
    protected override onError(msg: string): void {
      errors.push(msg);
    }
  }
  const w = new Counting();
  w.addError('WRONGTYPE x');
  w.addInt(1);
  assert.deepEqual(errors, ['WRONGTYPE x']);
  assert.deepEqual(chunks, ['-WRONGTYPE x\r\n', ':1\r\n']);
  assert.equal(w.out, '');
});
