// parseDouble (scores, INCRBYFLOAT, timeouts): strtod-over-the-whole-string rules,
// and its integer fast path agreeing with the general path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDouble } from '../../src/util/numbers.js';

test('parseDouble: integers of up to 20 digits, signed or not, parse as Number() does', () => {
  fc.assert(
    fc.property(fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{1,20}$/), (sign, digits) => {
      const s = sign + digits;
      assert.ok(Object.is(parseDouble(s), Number(s)), s);
    }),
    { numRuns: 2000, seed: 7 },
  );
});

test('parseDouble: edge cases around the integer fast path', () => {
  assert.ok(Object.is(parseDouble('-0'), -0));
  assert.ok(Object.is(parseDouble('0'), 0));
  assert.equal(parseDouble('007'), 7);
  assert.equal(parseDouble('123456789012345'), 123456789012345);
  assert.equal(parseDouble('-123456789012345'), -123456789012345);
  assert.equal(parseDouble('9007199254740993'), 9007199254740992); // rounded as strtod does
  for (const bad of ['', '-', '+', ' 1', '1 ', '1-', '--1', '0x', 'abc', '1e', 'nan', '-nan', '1e400', '1\n']) {
    assert.equal(parseDouble(bad), null, JSON.stringify(bad));
  }
  assert.equal(parseDouble('1.5'), 1.5);
  assert.equal(parseDouble('-inf'), -Infinity);
  assert.equal(parseDouble('+5'), 5);
  assert.equal(parseDouble('1e3'), 1000);
});
