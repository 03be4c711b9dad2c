// DEBUG subcommands Redis's tooling uses (issue 16 item 6), against redis-server:
// DIGEST and DIGEST-VALUE give redis-server's digest for the same data (debug.c's
// SHA1 xor/mix scheme), over every type and encoding, TTLs and several databases;
// HELP as 7.0 prints it; LISTPACK / QUICKLIST, QUICKLIST-PACKED-THRESHOLD,
// STRINGMATCH-TEST (ours alone); PROTOCOL of every type over RESP2 and RESP3.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair } from '../helpers/diff.js';
import { skipIfNoRedis } from '../helpers/servers.js';

const DEBUG_ON = { args: ['--enable-debug-command', 'yes'] };

describe('DEBUG', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  before(async () => {
    pair = await DiffPair.start({ ours: DEBUG_ON, theirs: DEBUG_ON });
  });
  after(async () => {
    await pair?.close();
  });

  test('DIGEST and DIGEST-VALUE: redis-server\'s digest for the same data', async () => {
    const big = Array.from({ length: 300 }, (_, i) => `e${i}`);
    await pair.check([
      ['DEBUG', 'DIGEST'],
      ['SET', 's:str', 'hello'],
      ['SET', 's:int', '12345'],
      ['SET', 's:ttl', 'v', 'EX', '1000'],
      ['RPUSH', 'l:small', 'a', 'b', '1', '2'],
      ['RPUSH', 'l:big', ...big],
      ['HSET', 'h:small', 'f1', 'v1', 'f2', '2'],
      ['HSET', 'h:big', ...big.flatMap((e) => [e, e + 'v'])],
      ['SADD', 'S:int', '1', '2', '300', '-7'],
      ['SADD', 'S:str', 'x', 'y', 'z'],
      ['SADD', 'S:big', ...big],
      ['ZADD', 'z:small', '1', 'a', '2.5', 'b', '-3', 'c'],
      ['ZADD', 'z:big', ...big.flatMap((e, i) => [String(i / 2), e])],
      ['PFADD', 'hll', 'a', 'b', 'c'],
      ['DEBUG', 'DIGEST-VALUE', 's:str', 's:int', 's:ttl', 'l:small', 'l:big', 'h:small', 'h:big', 'S:int', 'S:str', 'S:big', 'z:small', 'z:big', 'hll', 'nokey'],
      ['DEBUG', 'DIGEST'],
      ['SELECT', '5'],
      ['SET', 'other-db', 'x'],
      ['DEBUG', 'DIGEST'],
      ['SELECT', '0'],
      ['PERSIST', 's:ttl'],
      ['DEBUG', 'DIGEST'],
      ['DEBUG', 'DIGEST-VALUE'],
      ['FLUSHALL'],
      ['DEBUG', 'DIGEST'],
    ]);
  });

  test('HELP, LISTPACK, QUICKLIST, QUICKLIST-PACKED-THRESHOLD, STRINGMATCH-TEST', async () => {
    await pair.check([
      ['DEBUG', 'HELP'],
      ['HSET', 'h', 'a', '1'],
      ['RPUSH', 'l', ...Array.from({ length: 2000 }, (_, i) => `element-${i}`)],
      ['SET', 's', 'x'],
      ['DEBUG', 'LISTPACK', 'h'],
      ['DEBUG', 'LISTPACK', 's'],
      ['DEBUG', 'LISTPACK', 'nokey'],
      ['DEBUG', 'QUICKLIST', 'l'],
      ['DEBUG', 'QUICKLIST', 'l', '1'],
      ['DEBUG', 'QUICKLIST', 'h'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1mb'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'x'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0', 'x'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', 'x'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]);
    // redis-server's own STRINGMATCH-TEST runs ~20 s: ours alone (a bounded run of the glob matcher).
    const r = await pair.ours.call('DEBUG', 'STRINGMATCH-TEST');
    assert.deepEqual(r, { t: 'simple', v: 'Apparently Redis did not crash: test passed' });
  });

  test('PROTOCOL: every type, RESP2 and RESP3', async () => {
    const types = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'nosuch'];
    const cmds = types.map((t) => ['DEBUG', 'PROTOCOL', t]);
    await pair.check(cmds);
    await pair.check([['HELLO', '3'], ...cmds, ['HELLO', '2']], {
      // HELLO's map carries each server's own id, version and mode.
      normalize: (r, cmd) => (cmd[0] === 'HELLO' ? { t: 'null' } : r),
    });
  });
});
