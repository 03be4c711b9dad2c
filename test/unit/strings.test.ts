// Unit tests of the string helpers: the x87 long double emulation behind
// INCRBYFLOAT (values checked against redis-server 7.0 on x86-64) and
// stringEncoding (OBJECT ENCODING).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENC_STR_NOINT, stringEncoding } from '../../src/types/encoding.js';
import { incrByFloatString, parseLongDouble } from '../../src/util/long-double.js';
import { ENC_BIG, ObjType, RObj } from '../../src/types/object.js';

describe('incrByFloatString (long double)', () => {
  const cases: Array<[string, string, string]> = [
    ['0', '0.1', '0.1'],
    ['0.1', '0.2', '0.3'], // a double would give 0.30000000000000004
    ['10.50', '0.1', '10.6'],
    ['5.0e3', '2.0e2', '5200'],
    ['0', '1e-4940', '0'],
    ['0', '-0', '0'],
    ['0', '-0.000000000000000001', '0'],
    ['0', '0.000000000000000005', '0'], // the long double is just below 5e-18
    ['0', '0.000000000000000006', '0.00000000000000001'],
    ['0', '0.0000000000000000049', '0'],
    ['3', '-3', '0'],
    ['0', '0x10', '16'],
    ['0', '0x1p-3', '0.125'],
    ['0', '.5', '0.5'],
    ['0', '5.', '5'],
    ['0', '+5', '5'],
    ['9223372036854775807', '1', '9223372036854775808'],
    ['0', '123456789012345678901234567890', '123456789012345678899921813504'], // 64-bit significand
  ];
  for (const [a, b, want] of cases) {
    test(`${a} + ${b} = ${want}`, () => {
      assert.equal(incrByFloatString(a, b), want);
    });
  }

  test('1e400 is a valid long double and prints in full', () => {
    const r = incrByFloatString('0', '1e400');
    assert.ok(typeof r === 'string' && r.startsWith('10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880'));
    assert.equal(r.length, 401);
  });

  test('invalid and infinite inputs', () => {
    for (const bad of ['', ' 1', '1 ', 'abc', 'nan', '-nan', '1e', '1e+', '0x', '1.2.3', '1e-4960', '1e5000', '1' + '0'.repeat(5200)]) {
      assert.equal(incrByFloatString('0', bad), 'invalid', JSON.stringify(bad));
    }
    for (const inf of ['inf', '-inf', 'Infinity', '+INF']) assert.equal(incrByFloatString('0', inf), 'nan', inf);
    assert.equal(incrByFloatString('abc', '1'), 'invalid');
    assert.notEqual(parseLongDouble('1.18e4932'), null);
    assert.equal(parseLongDouble('1.19e4933'), null);
  });
});

describe('stringEncoding', () => {
  const obj = (v: string, enc = 0): RObj => {
    const o = new RObj(ObjType.String, v, 0);
    o.enc = enc;
    return o;
  };
  test('int, embstr, raw by content and length', () => {
    assert.equal(stringEncoding(obj('12345')), 'int');
    assert.equal(stringEncoding(obj('-9223372036854775808')), 'int');
    assert.equal(stringEncoding(obj('9223372036854775808')), 'embstr');
    assert.equal(stringEncoding(obj('01')), 'embstr');
    assert.equal(stringEncoding(obj('-0')), 'embstr');
    assert.equal(stringEncoding(obj('')), 'embstr');
    assert.equal(stringEncoding(obj('x'.repeat(44))), 'embstr');
    assert.equal(stringEncoding(obj('x'.repeat(45))), 'raw');
  });
  test('modified in place is raw; INCRBYFLOAT results are never int', () => {
    assert.equal(stringEncoding(obj('12', ENC_BIG)), 'raw');
    assert.equal(stringEncoding(obj('4', ENC_STR_NOINT)), 'embstr');
    assert.equal(stringEncoding(obj('4'.repeat(45), ENC_STR_NOINT)), 'raw');
  });
});
