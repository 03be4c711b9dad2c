// The Lua libraries Redis gives scripts (cjson, cmsgpack, bit, struct; issue 15,
// item 3), side by side with redis-server: fixed cases for each function and its
// errors, then seeded random values (fast-check) through each library, the replies
// compared byte for byte (cmsgpack and struct output is returned as hex).
//
// Difference, named: a library function is Lua code in Cinnabar and a C function in
// Redis, so one called in tail position (`return cjson.decode(x)`) replaces the
// script's frame: its error has no "user_script:N:" position. The error cases here
// call the libraries outside tail position, as scripts do in practice (`local v =
// cjson.decode(x)`); one case shows the tail-call form on Cinnabar alone.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toPlain } from '../../src/protocol/resp-client.js';
import { DiffPair } from '../helpers/diff.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import { startPair } from '../helpers/pair.js';

function ev(script: string, ...args: string[]): string[] {
  return ['EVAL', script, '0', ...args];
}
/** A Lua expression's value (may be several) as a list of strings, hex for strings with binary bytes. */
const HEX = "local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end ";
/** ser(v): a table as its JSON (or 'table'), anything else as tostring. */
const SER = "local function ser(v) if type(v) == 'table' then local ok, s = pcall(cjson.encode, v) return ok and s or 'table' end return tostring(v) end ";
function hexOf(expr: string): string {
  return `${HEX} local s = ${expr} return hex(s)`;
}

const SEED = Number(process.env.CINNABAR_SEED ?? 20261207);
const RUNS = 60;

describe('Lua libraries cjson, cmsgpack, bit, struct (differential)', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  before(async () => {
    ({ pair } = await startPair());
  });
  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });

  test('the libraries, their fields and read-only tables', async () => {
    await pair.check([
      // decode_array_with_array_mt is later Redis's (not 7.0's): listed apart, below.
      ev("local o={} for _,n in ipairs({'cjson','cmsgpack','bit','struct'}) do local t={} for k in pairs(_G[n]) do if k ~= 'decode_array_with_array_mt' then t[#t+1]=k end end table.sort(t) o[#o+1]=n..': '..table.concat(t,' ') end return o"),
      ev('return {cjson._NAME, cjson._VERSION, cmsgpack._NAME, cmsgpack._VERSION, type(cjson.null), type(cjson.new)}'),
      ev('local x = cjson.foo return x'),
      ev('cjson.encode = nil return 1'),
      ev('bit.x = 1 return 1'),
      ev('struct.pack = 1 return 1'),
      ev('cmsgpack.x = 1 return 1'),
      ev('local t = cjson.new() return {cjson.encode_max_depth(), t.encode_max_depth(5), cjson.encode_max_depth()}'),
    ]);
  });

  test('cjson.decode_array_with_array_mt: off as the default decodes [] as Redis does; on, [] round-trips', async () => {
    // Off (the default): the same on both, [] comes back as {}.
    await pair.check([
      ev("return {cjson.encode(cjson.decode('[]')), cjson.encode(cjson.decode('{\"a\":[],\"b\":{}}')), tostring(getmetatable(cjson.decode('[]')))}"),
    ]);
    // On: Cinnabar alone, as redis/redis#14296 defines it (redis-server 7.0 has no such function).
    const c = pair.ours;
    const one = async (script: string): Promise<unknown> => {
      const r = toPlain(await c.call(...ev(script)));
      return r instanceof Error ? r.message : r;
    };
    assert.equal(await one("return type(cjson.decode_array_with_array_mt)"), 'function');
    assert.deepEqual(await one("local a = cjson.decode_array_with_array_mt(true) local b = cjson.decode_array_with_array_mt() " +
      "local r = {tostring(a), tostring(b), cjson.encode(cjson.decode('[]')), cjson.encode(cjson.decode('{\"a\":[]}')), cjson.encode(cjson.decode('[1,[],{}]')), " +
      "cjson.encode({}), cjson.encode(cjson.decode('[1,2]')), tostring(cjson.new().decode_array_with_array_mt())} " +
      "cjson.decode_array_with_array_mt('off') r[#r+1] = cjson.encode(cjson.decode('[]')) return r"),
    ['true', 'true', '[]', '{"a":[]}', '[1,[],{}]', '{}', '[1,2]', 'false', '{}']);
    assert.match(String(await one("local x = cjson.decode_array_with_array_mt('maybe') return x")), /bad argument #1 to 'decode_array_with_array_mt' \(invalid option 'maybe'\)/);
    assert.match(String(await one('local x = cjson.decode_array_with_array_mt(true, 1) return x')), /bad argument #2 to 'decode_array_with_array_mt' \(found too many arguments\)/);
  });

  test('cjson: encode and decode, numbers, strings, sparse arrays, null', async () => {
    await pair.check([
      ev("return {cjson.encode({1,2,nil,4}), cjson.encode({}), cjson.encode({a=1.5,b='x/y\\1\\127\"'}), cjson.encode(0.1), cjson.encode(1e15), cjson.encode(123456789012345), cjson.encode(-0), cjson.encode(1/3), cjson.encode(true), cjson.encode(nil), cjson.encode(cjson.null), cjson.encode('\\b\\f\\n\\r\\t')}"),
      ev('return cjson.encode({[1]=1,[2]=2,[3]=3,[10]=10})'),
      ev('local s = cjson.encode({[1]=1,[11]=2}) return s'),
      ev('local a, b, c = cjson.encode_sparse_array(true) return {tostring(a), b, c, cjson.encode({[1]=1,[20]=2})}'),
      ev('cjson.encode_sparse_array(false, 0) return cjson.encode({[1]=1,[30]=2})'),
      ev('return cjson.encode({[1.5]=1, x={[2]=3}})'),
      ev("return cjson.encode(cjson.decode('[1,2,{\"a\":null,\"b\":[true,false,\"x\\\\u00e9\\\\ud83d\\\\ude00\\\\n\\\\/\"]}]'))"),
      ev("local v = cjson.decode('  {\"k\" : [ 1e2 , -0.5E-3, 12345678901234567890 ] }  ') return cjson.encode(v)"),
      ev("local v = cjson.decode('[nan, -inf, Infinity, 0x1F, +1]') return {tostring(v[1]), tostring(v[2]), tostring(v[3]), v[4], v[5]}"),
      ev("local v = cjson.decode('\"a\\\\u0000b\"') return #v"),
      ev("local v = cjson.decode('[null]') return {type(v[1]), tostring(v[1] == cjson.null)}"),
      ev('cjson.encode_number_precision(3) local s = cjson.encode({0.123456, 1234567}) cjson.encode_number_precision(14) return s'),
      ev("cjson.encode_invalid_numbers(true) local s = cjson.encode({1/0, -1/0}) cjson.encode_invalid_numbers('null') local t = cjson.encode({0/0}) cjson.encode_invalid_numbers(false) return {s, t}"),
      ev("cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '[nan]') cjson.decode_invalid_numbers(true) return e"),
      ev('return {tostring(cjson.encode_keep_buffer()), tostring(cjson.encode_keep_buffer(false)), tostring(cjson.encode_invalid_numbers()), tostring(cjson.decode_invalid_numbers())}'),
    ]);
  });

  test('cjson: errors', async () => {
    const errs = [
      'cjson.encode({[1]=1,[20]=2})',
      'cjson.encode({[true]=1})',
      'cjson.encode(function() end)',
      'cjson.encode(0/0)',
      'cjson.encode(1/0)',
      'cjson.encode()',
      'cjson.encode(1, 2)',
      "(function() local t = {} local c = t for i = 1, 1005 do c[1] = {} c = c[1] end return cjson.encode(t) end)()",
      "cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))",
      "cjson.decode('[1,')", "cjson.decode('{1:2}')", "cjson.decode('')", "cjson.decode('[1 2]')", "cjson.decode('\"\\\\u12')",
      "cjson.decode('{\"a\" 1}')", "cjson.decode('{\"a\":1 x')", "cjson.decode('tru')", "cjson.decode('\"abc')", "cjson.decode('\"\\\\q\"')",
      "cjson.decode('[1] x')", "cjson.decode('-')", "cjson.decode('\"\\\\ud800\\\\u0041\"')", "cjson.decode('a\\0')", 'cjson.decode({})', 'cjson.decode()',
      'cjson.encode_number_precision(15)', 'cjson.encode_number_precision(0)', 'cjson.encode_max_depth(0)', 'cjson.decode_max_depth(-1)',
      "cjson.encode_sparse_array(1, 2, 3, 4)", "cjson.encode_invalid_numbers('maybe')", "cjson.encode_keep_buffer('x')",
    ];
    await pair.check(errs.map((e) => ev(`local v = ${e} return v`)));
    await pair.check([
      ev("cjson.encode_max_depth(3) local ok, e = pcall(cjson.encode, {{{{1}}}}) cjson.encode_max_depth(1000) return e"),
      ev("cjson.decode_max_depth(2) local ok, e = pcall(cjson.decode, '[[[1]]]') cjson.decode_max_depth(1000) return e"),
      // Tail calls inside the script's own functions: the error handler reports the script's frame below them.
      ev("local function f() return error('x') end f()"),
      ev("local function g() error('y') end local function f() return g() end f()"),
      ev("local function f() return cjson.decode('[') end f()"),
    ]);
  });

  test('cjson: an error raised in tail position has no script position (Cinnabar only, named difference)', async () => {
    const r = await pair.ours.call('EVAL', "return cjson.decode('[')", '0');
    assert.equal(r.t, 'err');
    assert.match(String(r.v), /^ERR Expected value but found T_END at character 2/);
  });

  test('cmsgpack: smallest encodings, unpack forms, errors', async () => {
    const values = "{ {}, {1,2}, {a=1}, 1.5, 0.1, -1, -32, -33, -128, -129, -32768, -32769, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -2147483648, -2147483649, 2^53, 2^63, -2^63, 1e300, 1e-40, 1/0, -1/0, true, false, string.rep('x', 31), string.rep('x', 32), string.rep('y', 255), string.rep('y', 256), string.rep('z', 65536), {[1]=1,[3]=3}, {[0]=1}, {['1']=5}, -0.0, 3.0e20, {1,{2,{3,{x='y'}}}} }";
    await pair.check([
      ev(`${HEX} local o = {} for i, v in ipairs(${values}) do o[i] = hex(cmsgpack.pack(v)) end return o`),
      ev(`${HEX} return hex(cmsgpack.pack(1, 'a', {2}, nil, true))`),
      ev(`${HEX} local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return hex(cmsgpack.pack(t))`),
      ev(`${HEX} local t = {} for i = 1, 70000 do t[i] = i % 7 end local s = cmsgpack.pack(t) return {#s, hex(string.sub(s, 1, 8))}`),
      ev('return {cmsgpack.unpack(cmsgpack.pack(1, 2, 3))}'),
      ev('return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}'),
      ev('return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}'),
      ev('return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}'),
      ev('return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)}'),
      ev('return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}'),
      ev('return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 1)}'),
      ev('return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0, 0)}'),
      ev("local v = cmsgpack.unpack(string.char(0xcf, 0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff)) return tostring(v)"),
      ev("local v = cmsgpack.unpack(string.char(0xd3, 0x80,0,0,0,0,0,0,1)) return tostring(v)"),
      ev("local a, b, c = cmsgpack.unpack(string.char(0xca, 0x3f,0xc0,0,0, 0xcb, 0x3f,0xb9,0x99,0x99,0x99,0x99,0x99,0x9a, 0xc0)) return {tostring(a), tostring(b), tostring(c)}"),
      ev("local t = cmsgpack.unpack(string.char(0x82, 0xa1, 0x61, 0x01, 0xa1, 0x62, 0x92, 0xc3, 0xc2)) return cjson.encode(t)"),
    ]);
    const errs = [
      "cmsgpack.unpack('\\205')", "cmsgpack.unpack('\\193')", "cmsgpack.unpack(string.char(0xc4, 1, 65))", "cmsgpack.unpack(string.char(0x92, 1))",
      "cmsgpack.unpack(string.char(0xdb, 0, 0, 1))", 'cmsgpack.pack()', "cmsgpack.unpack_one('\\1\\2', 5)", "cmsgpack.unpack_one('\\1\\2', -1)",
      "cmsgpack.unpack_limit('\\1\\2', -1)", 'cmsgpack.unpack({})', 'cmsgpack.unpack()', "cmsgpack.unpack_limit('\\1')",
    ];
    await pair.check(errs.map((e) => ev(`local v = ${e} return v`)));
  });

  test('bit: every function, normalisation, errors', async () => {
    await pair.check([
      ev('return {bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-1.5), bit.tobit(2^60+3), bit.tobit(2^32+7), bit.tobit(-2^31), bit.tobit(1/0), bit.tobit(0/0), bit.tobit(2^53+2), bit.tobit(-2^70)}'),
      ev("return {bit.tohex(-1), bit.tohex(255, -4), bit.tohex(1, 0), bit.tohex(0x1234, 2), bit.tohex(1, 12), bit.tohex(-2, -12), bit.tohex('16')}"),
      ev('return {bit.band(0xff, 0x0f0f), bit.band(-1, -2, -4), bit.bor(1, 2, 4), bit.bxor(-1, 5), bit.bxor(7), bit.bnot(0), bit.bnot(-2^31)}'),
      ev('return {bit.lshift(1, 31), bit.lshift(1, 32), bit.lshift(3, -1), bit.rshift(-1, 4), bit.rshift(-1, 36), bit.arshift(-256, 4), bit.arshift(2^31, 31), bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.rol(1, 0), bit.ror(1, 33), bit.bswap(0x12345678), bit.bswap(-1)}'),
    ]);
    await pair.check(['bit.band()', "bit.band('x')", 'bit.bor(1, {})', 'bit.lshift(1)', 'bit.tohex()', 'bit.tohex(1, nil)', 'bit.bswap()', "bit.tobit('1e400')", "bit.tobit('0x10')"].map((e) => ev(`local v = ${e} return v`)));
  });

  test('struct: pack, unpack, size, alignment, errors', async () => {
    await pair.check([
      ev(hexOf("struct.pack('>iHb', -2, 513, 7)")),
      ev(hexOf("struct.pack('<bBhHlLTiI', -1, 255, -2, 65535, -3, 2^40, 9, -5, 2^32-1)")),
      ev(hexOf("struct.pack('<i3 >i3 i8 I16', -2, 65536, -2^62, 2^60)")),
      ev(hexOf("struct.pack('!4 b i !2 b d', 1, 2, 3, 1.5)")),
      ev(hexOf("struct.pack('<fd>fd', 0.1, 0.1, -1/0, 1e-310)")),
      ev(hexOf("struct.pack('s c0 c3 x', 'ab', 'xyz', 'abcdef')")),
      ev("return {struct.size('!4 b i'), struct.size('bi'), struct.size('!8 b d'), struct.size('i16 c5 x'), struct.size('>hl')}"),
      ev("return {struct.unpack('>iHbc2', struct.pack('>iHbc2', -2, 513, 7, 'xy'))}"),
      ev("local a, b, c, d = struct.unpack('<fdlL', struct.pack('<fdlL', 0.1, 0.1, -2^40, 2^63)) return {tostring(a), tostring(b), tostring(c), tostring(d)}"),
      ev("return {struct.unpack('bc0 s', '\\3xyzab\\0')}"),
      ev("return {struct.unpack('!4 b i', struct.pack('!4 b i', 5, -6))}"),
      ev("return {struct.unpack('i', struct.pack('i i', 1, 2), 5)}"),
      ev("local a = struct.unpack('i8', struct.pack('i8', -1)) local b = struct.unpack('I8', struct.pack('i8', -1)) return {tostring(a), tostring(b)}"),
    ]);
    const errs = [
      "struct.pack('>i', 'x')", "struct.unpack('i', 'ab')", "struct.pack('q', 1)", "struct.pack('i33', 1)", "struct.pack('!3 i', 1)",
      "struct.pack('c5', 'ab')", "struct.unpack('s', 'abc')", "struct.unpack('c0', 'abc')", "struct.size('s')", "struct.size('c0')",
      "struct.unpack('i', 'abcd', 6)", "struct.unpack('i', 'abcd', 0)", 'struct.pack()', "struct.pack('i')", "struct.pack('i99999999999', 1)",
    ];
    await pair.check(errs.map((e) => ev(`local v = ${e} return v`)));
  });

  test('seeded random values: JSON through cjson and cmsgpack, numbers through every library', async () => {
    const cmds: string[][] = [];
    fc.assert(
      fc.property(fc.json({ depthSize: 'small' }), (j) => {
        cmds.push(ev('local v = cjson.decode(ARGV[1]) return cjson.encode(v)', j));
        cmds.push(ev(`${HEX} local v = cjson.decode(ARGV[1]) return hex(cmsgpack.pack(v))`, j));
        cmds.push(ev('local v = cmsgpack.unpack(cmsgpack.pack(cjson.decode(ARGV[1]))) return cjson.encode(v)', j));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const number = fc.oneof(
      fc.double({ noNaN: true }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
      fc.maxSafeInteger(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n }).map((b) => Number(b)),
    );
    fc.assert(
      fc.property(number, number, (x, y) => {
        const a = x.toPrecision(17);
        const b = y.toPrecision(17);
        cmds.push(ev('local x = tonumber(ARGV[1]) local ok, s = pcall(cjson.encode, {x, {[1]=x}}) return s', a));
        cmds.push(ev(`${HEX} local x = tonumber(ARGV[1]) local s = cmsgpack.pack(x) local back = cmsgpack.unpack(s) return {hex(s), tostring(back)}`, a));
        cmds.push(ev('local x, y = tonumber(ARGV[1]), tonumber(ARGV[2]) return {bit.tobit(x), bit.band(x, y), bit.bor(x, y), bit.bxor(x, y), bit.lshift(x, y), bit.rshift(x, y), bit.arshift(x, y), bit.rol(x, y), bit.ror(x, y), bit.bswap(x), bit.bnot(x), bit.tohex(x), bit.tohex(x, y % 20 - 10)}', a, b));
        cmds.push(ev(`${HEX} local x = tonumber(ARGV[1]) local s = struct.pack('<d>fhi', x, x, x % 65536 - 32768, x % 2^32 - 2^31) local a, b, c, d = struct.unpack('<d>fhi', s) return {hex(s), tostring(a), tostring(b), c, d}`, a));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const s = Buffer.from(bytes).toString('latin1');
        cmds.push(ev(`${SER} local ok, a, b, c = pcall(cmsgpack.unpack, ARGV[1]) return {tostring(ok), ser(a), ser(b), ser(c)}`, s));
        cmds.push(ev('local ok, v = pcall(cjson.decode, ARGV[1]) return {tostring(ok), type(v) == "string" and v or cjson.encode(v)}', s));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    await pair.check(cmds);
  });
});
