// FUNCTION and FCALL side by side with redis-server (issue 15, items 2 and 6):
// libraries loaded with FUNCTION LOAD [REPLACE] (redis.register_function in both
// forms, its flags and description), FCALL / FCALL_RO, the load-time environment
// and its errors, FUNCTION LIST / DELETE / FLUSH / STATS / DUMP / RESTORE / KILL /
// HELP with their bad input. Each step runs on both servers and the replies are
// compared.
//
// Differences between the reference redis-server 7.0 and the 7.2 target: none seen
// in these replies. Libraries and functions are kept in a hash table by Redis
// (FUNCTION LIST's order is its own), so a listing of more than one is compared
// without order; Cinnabar lists them in load order.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import { startPair } from '../helpers/pair.js';
import { formatReply } from '../../src/protocol/resp-client.js';

/** FUNCTION LOAD of a library `name` whose body is `body`. */
function lib(name: string, body: string, replace = false): string[] {
  return ['FUNCTION', 'LOAD', ...(replace ? ['REPLACE'] : []), `#!lua name=${name}\n${body}`];
}

const LIB1 = [
  "local function helper(x) return x .. '!' end",
  "redis.register_function('echo', function(keys, args) return {keys, args, helper('a')} end)",
  "redis.register_function('err', function(keys, args) error('bad') end)",
  "redis.register_function('errt', function(keys, args) return redis.error_reply('MY custom') end)",
  "redis.register_function('unknown', function(keys, args) return redis.call('nope') end)",
  "redis.register_function('kv', function(keys, args) return KEYS end)",
  "redis.register_function('gw', function(keys, args) x = 1 end)",
  "redis.register_function{function_name='ro', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a key'}",
  "redis.register_function('w', function(keys, args) return redis.call('set', keys[1], args[1]) end)",
  "redis.register_function{function_name='rw', callback=function(keys, args) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}",
  "redis.register_function('pc', function(keys, args) local ok, e = pcall(function() error('inner') end) return {tostring(ok), e} end)",
  "redis.register_function('g', function(keys, args) return {type(_G), type(string.format), type(redis.call), math.floor(2.5)} end)",
].join('\n');

describe('functions (differential)', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;

  before(async () => {
    ({ pair } = await startPair());
  });
  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });
  beforeEach(async () => {
    await pair.reset();
    await pair.check([['FUNCTION', 'FLUSH'], ['CONFIG', 'SET', 'maxmemory', '0']]);
  });

  test('FUNCTION LOAD and FCALL: both register_function forms, keys and arguments, the runtime environment', async () => {
    await pair.check([
      lib('lib1', LIB1),
      ['FCALL', 'echo', '2', 'k1', 'k2', 'a1', 'a2'],
      ['FCALL', 'echo', '0'],
      ['FCALL', 'ro', '1', 'k'],
      ['FCALL', 'w', '1', 'k', 'v'],
      ['FCALL', 'ro', '1', 'k'],
      ['FCALL_RO', 'ro', '1', 'k'],
      ['FCALL', 'pc', '0'],
      ['FCALL', 'g', '0'],
      ['GET', 'k'],
      { cmd: ['HELLO', '3'], ignore: true },
      ['FCALL', 'echo', '1', 'k', 'a'],
      // Redis keeps a library's functions in a hash table: the order is its own.
      { cmd: ['FUNCTION', 'LIST', 'LIBRARYNAME', 'lib1'], unordered: 'deep' },
      { cmd: ['HELLO', '2'], ignore: true },
    ]);
    // A function name that is a number, description as a number (both taken as strings).
    await pair.check([
      lib('numlib', "redis.register_function(1, function() return 'one' end)\nredis.register_function{function_name='two', callback=function() return 2 end, description=2, flags={'allow-oom', 'no-writes', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}"),
      ['FCALL', '1', '0'],
      ['FCALL', 'two', '0'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'numlib'],
    ], { unordered: 'deep' });
  });

  test('FCALL errors: not found, numkeys, runtime errors with @user_function, the globals, write rules', async () => {
    await pair.check([
      lib('lib1', LIB1),
      ['FCALL', 'nope', '0'],
      ['FCALL', 'nope', 'x'],
      ['FCALL', 'echo', 'x'],
      ['FCALL', 'echo', '1.5'],
      ['FCALL', 'echo', '-1'],
      ['FCALL', 'echo', '3', 'a'],
      ['FCALL', 'echo', '99999999999999999999999'],
      ['FCALL'],
      ['FCALL', 'echo'],
      ['FCALL', 'err', '0'],
      ['FCALL', 'errt', '0'],
      ['FCALL', 'unknown', '0'],
      ['FCALL', 'kv', '0'],
      ['FCALL', 'gw', '0'],
      ['FCALL', 'rw', '1', 'k'],
      ['FCALL_RO', 'w', '1', 'k', 'v'],
      ['FCALL_RO', 'rw', '1', 'k'],
      ['EXISTS', 'k'],
      // EVAL's KEYS global is not a function's.
      ['EVAL', 'return KEYS[1]', '1', 'evalkey'],
      ['FCALL', 'kv', '0'],
    ]);
  });

  test('flags: allow-oom and the OOM rule, no-writes under maxmemory', async () => {
    await pair.check([
      lib('oomlib', [
        "redis.register_function('plain', function(keys) return redis.call('set', keys[1], 'v') end)",
        "redis.register_function{function_name='oomok', callback=function(keys) return redis.call('set', keys[1], 'v') end, flags={'allow-oom'}}",
        "redis.register_function{function_name='reader', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}",
      ].join('\n')),
      ['SET', 'big', 'x'.repeat(10000)],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['FCALL', 'plain', '1', 'a'],
      ['FCALL', 'oomok', '1', 'b'],
      ['FCALL', 'reader', '1', 'b'],
      ['FCALL_RO', 'reader', '1', 'b'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['FCALL', 'plain', '1', 'a'],
    ]);
  });

  test('FUNCTION LOAD errors: metadata, names, existing libraries and functions, compile and run errors', async () => {
    const good = "redis.register_function('f1', function() return 1 end)";
    await pair.check([
      lib('lib1', good),
      lib('lib1', good),
      lib('lib2', good),
      ['FUNCTION', 'LOAD', 'nothing'],
      ['FUNCTION', 'LOAD', '#!lua name=x'],
      ['FUNCTION', 'LOAD', '#!lua\n' + good],
      ['FUNCTION', 'LOAD', '#!lux name=a\n' + good],
      ['FUNCTION', 'LOAD', '#!lua name=a foo=bar\n' + good],
      ['FUNCTION', 'LOAD', '#!lua name=a name=b\n' + good],
      ['FUNCTION', 'LOAD', '#!lua NAME=upper\n' + good.replace('f1', 'fu')],
      ['FUNCTION', 'LOAD', '#!LUA name=upper2\n' + good.replace('f1', 'fu2')],
      ['FUNCTION', 'LOAD', '#!lua name=a-b\n' + good],
      ['FUNCTION', 'LOAD', '#!lua name=\n' + good],
      ['FUNCTION', 'LOAD', '#!lua name="q"\n' + good.replace('f1', 'fq')],
      ['FUNCTION', 'LOAD', '#!lua name="unbalanced\n' + good],
      lib('empty', 'local x = 1'),
      lib('empty', ''),
      lib('syntax', 'foo('),
      lib('syntax', 'local x = = 1'),
      lib('rt', "error('boom')"),
      lib('rt', 'local t = nil; t.x = 1'),
      ['FUNCTION', 'LOAD'],
      ['FUNCTION', 'LOAD', 'REPLACE'],
      ['FUNCTION', 'LOAD', 'foo', 'bar'],
      ['FUNCTION', 'LOAD', 'REPLACE', 'REPLACE', '#!lua name=rr\n' + good.replace('f1', 'frr')],
      ['FUNCTION', 'LIST'],
    ], { unordered: 'deep' });
  });

  test('the load-time environment: only redis.register_function, redis.log and the constants', async () => {
    const items: CheckItem[] = [];
    for (const g of ['error', 'pcall', 'type', 'tostring', 'string', 'math', 'table', 'redis', '_G', 'KEYS', 'ARGV', 'loadstring', 'setmetatable', 'pairs', 'unpack', 'os', 'print']) {
      items.push(lib('env', `local v = ${g}\nredis.register_function('f', function() return 1 end)`));
      items.push({ cmd: ['FUNCTION', 'FLUSH'], ignore: true });
    }
    for (const m of ['call', 'pcall', 'log', 'setresp', 'REDIS_VERSION', 'REDIS_VERSION_NUM', 'LOG_WARNING', 'LOG_DEBUG', 'error_reply', 'status_reply', 'sha1hex', 'set_repl', 'REPL_ALL', 'acl_check_cmd', 'breakpoint']) {
      items.push(lib('env', `local v = redis.${m}\nif v == nil then return end\nredis.register_function('f', function() return 1 end)`));
      items.push({ cmd: ['FUNCTION', 'FLUSH'], ignore: true });
    }
    items.push(
      lib('env', "redis.call('set', 'a', 'b')"),
      lib('env', 'x = 5'),
      lib('env', "redis.log(redis.LOG_WARNING, 'loading env')\nredis.register_function('f', function() return 1 end)"),
      ['FCALL', 'f', '0'],
      { cmd: ['FUNCTION', 'FLUSH'], ignore: true },
      lib('env', "redis.setresp(3)\nredis.register_function('f', function() return 1 end)"),
      lib('env', 'redis.x = 1'),
      // The runtime redis table is not the load-time one: register_function there fails.
      lib('env', "redis.register_function('late', function() return redis.register_function('x', function() end) end)"),
      ['FCALL', 'late', '0'],
    );
    await pair.check(items);
  });

  test('redis.register_function: its argument errors', async () => {
    const items: CheckItem[] = [];
    for (const body of [
      "redis.register_function('f')",
      "redis.register_function('f', 1)",
      "redis.register_function({}, function() end)",
      "redis.register_function('a-b', function() end)",
      "redis.register_function('', function() end)",
      "redis.register_function('f', function() end, 3)",
      'redis.register_function()',
      "redis.register_function{function_name='f'}",
      'redis.register_function{callback=function() end}',
      "redis.register_function{function_name='f', callback=function() end, flags='no-writes'}",
      "redis.register_function{function_name='f', callback=function() end, flags={'bad'}}",
      "redis.register_function{function_name='f', callback=function() end, flags={1}}",
      "redis.register_function{function_name='f', callback=function() end, description={}}",
      "redis.register_function{function_name={}, callback=function() end}",
      "redis.register_function{function_name='f', callback=1}",
      "redis.register_function{function_name='f', callback=function() end, foo=1}",
      "redis.register_function{function_name='f', callback=function() end, [1]=1}",
      "redis.register_function('f', function() end) redis.register_function('f', function() end)",
      "redis.register_function('f', function() end) redis.register_function('g', function() end) error('after')",
    ]) {
      items.push(lib('reg', body));
      items.push({ cmd: ['FUNCTION', 'FLUSH'], ignore: true });
    }
    await pair.check(items);
  });

  test('a library that runs too long at load: FUNCTION LOAD timeout, and the server goes on', async () => {
    await pair.check([lib('slow', 'while true do end'), ['FUNCTION', 'LIST'], ['PING']]);
  });

  test('FUNCTION LOAD REPLACE, DELETE, FLUSH and LIST with LIBRARYNAME and WITHCODE', async () => {
    await pair.check([
      lib('liba', "redis.register_function('fa', function() return 'a1' end)"),
      lib('libb', "redis.register_function('fb', function() return 'b1' end)"),
      ['FCALL', 'fa', '0'],
      lib('liba', "redis.register_function('fa', function() return 'a2' end)", true),
      ['FCALL', 'fa', '0'],
      // REPLACE may not take a function another library holds, and leaves the old one in place.
      lib('liba', "redis.register_function('fb', function() return 'x' end)", true),
      ['FCALL', 'fa', '0'],
      lib('liba', "redis.register_function('fa2', function() return 'a3' end)", true),
      ['FCALL', 'fa', '0'],
      ['FCALL', 'fa2', '0'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'liba', 'WITHCODE'],
      ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'libb'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'nomatch'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME'],
      ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'a', 'LIBRARYNAME', 'b'],
      ['FUNCTION', 'LIST', 'foo'],
      ['FUNCTION', 'DELETE', 'nope'],
      ['FUNCTION', 'DELETE'],
      ['FUNCTION', 'DELETE', 'a', 'b'],
      ['FUNCTION', 'DELETE', 'liba'],
      ['FCALL', 'fa2', '0'],
      ['FUNCTION', 'LIST'],
      ['FUNCTION', 'FLUSH', 'foo'],
      ['FUNCTION', 'FLUSH', 'SYNC', 'ASYNC'],
      ['FUNCTION', 'FLUSH', 'ASYNC'],
      ['FUNCTION', 'LIST'],
      lib('libb', "redis.register_function('fb', function() return 'b1' end)"),
      ['FUNCTION', 'FLUSH', 'sync'],
      ['FCALL', 'fb', '0'],
    ]);
    await pair.check([
      lib('liba', "redis.register_function('fa', function() return 'a' end)"),
      lib('libb', "redis.register_function('fb', function() return 'b' end)"),
      lib('other', "redis.register_function('fo', function() return 'o' end)"),
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'lib*'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', '*b'],
      ['FUNCTION', 'LIST'],
      ['FUNCTION', 'STATS'],
    ], { unordered: 'deep' });
  });

  test('FUNCTION STATS, KILL, HELP; SCRIPT FLUSH and FLUSHALL keep the functions', async () => {
    await pair.check([
      ['FUNCTION', 'STATS'],
      lib('k', "redis.register_function('f', function() return 'kept' end)"),
      ['FUNCTION', 'STATS'],
      { cmd: ['HELLO', '3'], ignore: true },
      ['FUNCTION', 'STATS'],
      { cmd: ['HELLO', '2'], ignore: true },
      ['FUNCTION', 'STATS', 'x'],
      ['FUNCTION', 'KILL'],
      ['FUNCTION', 'KILL', 'x'],
      ['SCRIPT', 'KILL'],
      ['FUNCTION', 'HELP'],
      ['FUNCTION', 'NOPE'],
      ['FUNCTION'],
      ['SCRIPT', 'FLUSH'],
      ['FCALL', 'f', '0'],
      ['FLUSHALL'],
      ['FCALL', 'f', '0'],
      ['EVAL', 'return 1', '0'],
      ['FCALL', 'f', '0'],
    ]);
  });

  test('FUNCTION DUMP is byte for byte redis-server\'s, and each side restores the other\'s', async () => {
    const long = "redis.register_function('big', function() return '" + 'abc'.repeat(100) + "' end)";
    // One library at a time: Redis's order of several is its hash table's.
    await pair.check([
      lib('d1', "redis.register_function('f1', function() return 1 end)"),
      ['FUNCTION', 'DUMP'],
      ['FUNCTION', 'FLUSH'],
      lib('d2', long),
      ['FUNCTION', 'DUMP'],
      lib('d1', "redis.register_function('f1', function() return 1 end)"),
    ]);
    const { ours, theirs } = await pair.run(['FUNCTION', 'DUMP']);
    assert.equal(ours.t, 'bulk');
    assert.equal(theirs.t, 'bulk');
    const po = (ours as { v: string }).v;
    const pt = (theirs as { v: string }).v;
    // The longer library was LZF-compressed by both (RDB_ENC_LZF: 0xC3 after the opcode 0xF5).
    assert.ok(po.includes('\xf5\xc3'), 'the long library is LZF-compressed');
    await pair.check([['FUNCTION', 'FLUSH']]);
    // Theirs into ours, ours into theirs.
    const a = await pair.ours.call('FUNCTION', 'RESTORE', pt);
    const b = await pair.theirs.call('FUNCTION', 'RESTORE', po);
    assert.deepEqual([formatReply(a), formatReply(b)], ['+OK', '+OK']);
    await pair.check([['FCALL', 'f1', '0'], ['FCALL', 'big', '0'], ['FUNCTION', 'LIST', 'WITHCODE']], { unordered: 'deep' });
    // An empty DUMP (no libraries): the footer only.
    await pair.check([['FUNCTION', 'FLUSH'], ['FUNCTION', 'DUMP'], ['FUNCTION', 'RESTORE', po, 'APPEND'], ['FCALL', 'f1', '0']]);
  });

  test('FUNCTION RESTORE: FLUSH, APPEND and REPLACE, collisions, bad payloads and arguments', async () => {
    await pair.check([lib('r1', "redis.register_function('f1', function() return 'r1' end)")]);
    const { theirs } = await pair.run(['FUNCTION', 'DUMP']);
    const p = (theirs as { v: string }).v;
    const bad = p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) ^ 1);
    const newer = p.slice(0, -10) + '\x7f\x00' + p.slice(-8);
    await pair.check([
      ['FUNCTION', 'RESTORE', p],
      ['FUNCTION', 'RESTORE', p, 'APPEND'],
      ['FUNCTION', 'RESTORE', p, 'append'],
      ['FUNCTION', 'RESTORE', p, 'REPLACE'],
      ['FCALL', 'f1', '0'],
      ['FUNCTION', 'RESTORE', p, 'FLUSH'],
      ['FUNCTION', 'RESTORE', p, 'foo'],
      ['FUNCTION', 'RESTORE', p, 'FLUSH', 'x'],
      ['FUNCTION', 'RESTORE'],
      ['FUNCTION', 'RESTORE', bad],
      ['FUNCTION', 'RESTORE', newer],
      ['FUNCTION', 'RESTORE', ''],
      ['FUNCTION', 'RESTORE', 'short'],
      ['FUNCTION', 'DELETE', 'r1'],
      // The function is held by another library: REPLACE fails too.
      lib('r2', "redis.register_function('f1', function() return 'r2' end)"),
      ['FUNCTION', 'RESTORE', p, 'REPLACE'],
      ['FUNCTION', 'RESTORE', p, 'APPEND'],
      ['FCALL', 'f1', '0'],
      ['FUNCTION', 'RESTORE', p, 'FLUSH'],
      ['FCALL', 'f1', '0'],
      ['FUNCTION', 'LIST'],
    ]);
  });

  test('FCALL inside MULTI and from a script; FUNCTION commands are refused in scripts', async () => {
    await pair.check([
      lib('m', "redis.register_function('inc', function(keys) return redis.call('incr', keys[1]) end)"),
      ['MULTI'],
      ['FCALL', 'inc', '1', 'c'],
      ['FCALL', 'inc', '1', 'c'],
      ['EXEC'],
      ['EVAL', "return redis.call('fcall', 'inc', 1, 'c')", '0'],
      ['EVAL', "return redis.call('function', 'list')", '0'],
      ['EVAL', "return redis.call('function', 'flush')", '0'],
      ['FCALL', 'inc', '1', 'c'],
    ]);
  });
});
