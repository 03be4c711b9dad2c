// Bad input for scripts, side by side with redis-server (issue 15, bad input): huge
// return values, deep recursion (Lua's "stack overflow"), the C-stack limit
// (nested pcall, coroutines, __index chains), too many results, syntax nesting,
// format widths, wrong numbers of keys; after each, both servers still answer.
//
// Differences, named:
//   - memory: Cinnabar's VM has a heap limit (LUA_HEAP_BYTES), past which the script
//     gets Lua's "not enough memory" and the server goes on serving; redis-server has
//     no limit for scripts (it would take the machine's memory), so the unbounded
//     allocations run on Cinnabar alone;
//   - nested pcall and coroutine recursion: both stop at Lua's C-stack limit with
//     "C stack overflow", but at a different depth (Cinnabar's pcall is a Lua
//     function around the C one, so each level uses more of the budget), so the
//     replies are compared on their form, not their length.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair } from '../helpers/diff.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import { startPair } from '../helpers/pair.js';
import type { Reply } from '../../src/protocol/resp-client.js';

function ev(script: string, ...keysAndArgs: string[]): string[] {
  return ['EVAL', script, ...(keysAndArgs.length ? keysAndArgs : ['0'])];
}

describe('scripts with bad input (differential)', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  before(async () => {
    ({ pair } = await startPair());
  });
  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });

  test('huge return values', async () => {
    await pair.check([
      ev('local t = {} for i = 1, 100000 do t[i] = i end return t'),
      ev("return string.rep('x', 8 * 1024 * 1024)"),
      ev("local t = {} for i = 1, 20000 do t[i] = {i, tostring(i), {ok = 'x'}} end return t"),
      ['PING'],
    ]);
  });

  test('deep recursion, the C-stack limit, too many results, syntax levels, format widths', async () => {
    await pair.check([
      ev('local function f(n) return 1 + f(n + 1) end return f(1)'),
      ev('local function f(n) if n == 0 then return 0 end return f(n - 1) end return f(1e6)'),
      ev('local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end}) return t[1]'),
      ev('return unpack({}, 1, 1e7)'),
      ev("local f, e = loadstring(string.rep('(', 1000) .. '1' .. string.rep(')', 1000)) return e"),
      ev("local s = string.format('%99999d', 1) return s"),
      ev("local s = string.format('%d', 'x') return s"),
      ev("local ok, e = pcall(string.rep) return e"),
      ev("local s = string.rep('ab', 1e6, nil) return #s"),
      ev("local t = {} for i = 1, 1000 do t[i] = string.rep('y', 1000) end return #table.concat(t, ',')"),
      ['PING'],
    ]);
    // Nested pcall / coroutines: the same error at the end, at a depth of each server's own.
    const form = (r: Reply): Reply => {
      if (r.t === 'array' && r.v !== null) {
        const last = r.v[r.v.length - 1];
        return { t: 'bulk', v: `${r.v.length > 100 ? 'many' : 'few'} levels, last: ${last.t === 'bulk' ? String(last.v).replace(/^user_script:1: /, '') : last.t}` } as Reply;
      }
      if (r.t === 'err') return { t: 'err', v: String(r.v).replace(/(user_script:1: )+/, '').replace(/ script: .*/, '') } as Reply;
      return r;
    };
    await pair.check(
      [
        ev('local function f() return pcall(f) end return {f()}'),
        ev('local function f() local co = coroutine.wrap(f) return co() end return f()'),
      ],
      { normalize: form },
    );
    await pair.check([['PING']]);
  });

  test('wrong numbers of keys, EVAL and EVALSHA', async () => {
    await pair.check([
      ['EVAL', 'return 1', '2', 'a'],
      ['EVAL', 'return 1', '-1'],
      ['EVAL', 'return 1', 'x'],
      ['EVAL', 'return 1', '99999999999999999999'],
      ['EVAL', 'return 1'],
      ['SCRIPT', 'LOAD', 'return KEYS'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '3', 'a', 'b'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '-5'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', 'y'],
      ['EVAL_RO', 'return 1', '1'],
    ]);
  });

  test('unbounded allocation hits the VM heap limit; the server keeps serving (Cinnabar only, named difference)', { timeout: 120000 }, async () => {
    const scripts = [
      "local t = {} while true do t[#t + 1] = string.rep('x', 1024 * 1024) .. #t end",
      "local s = 'x' while true do s = s .. s end",
      "return string.rep('x', 2^30)",
      "local t = {} for i = 1, 1e9 do t[i] = i end",
    ];
    for (const s of scripts) {
      const r = await pair.ours.call('EVAL', s, '0');
      assert.equal(r.t, 'err', `${s}: ${JSON.stringify(r)}`);
      assert.match(String(r.v), /not enough memory/, s);
      const pong = await pair.ours.call('PING');
      assert.deepEqual(pong, { t: 'simple', v: 'PONG' });
    }
    // The VM is usable afterwards: a script that allocates normally runs.
    const ok = await pair.ours.call('EVAL', "local t = {} for i = 1, 1000 do t[i] = string.rep('z', 100) end return #table.concat(t)", '0');
    assert.deepEqual(ok, { t: 'int', v: 100000n });
  });
});
