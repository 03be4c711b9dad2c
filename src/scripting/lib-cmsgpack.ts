// cmsgpack: lua-cmsgpack 0.4.0 as redis-server gives scripts (pack, unpack,
// unpack_one, unpack_limit), in Lua. Encoding picks the smallest form, as the C
// library: a number equal to its int64 cast is an integer (fixint, uint8..64,
// int8..64), else a float when (float)n == n, else a double; tables nest up to 16
// levels (deeper ones are nil); a table is an array when its keys are exactly
// 1..n. Decoding errors are "Missing bytes in input." and "Bad data format in input.".

export const CMSGPACK = String.raw`
do
  local floor, select, type, tonumber, next, schar, sbyte, ssub, concat = math.floor, select, type, tonumber, next, string.char, string.byte, string.sub, table.concat
  local lerr, argerr, f32, f64, getf32, getf64 = LIB.lerr, LIB.argerr, LIB.f32, LIB.f64, LIB.getf32, LIB.getf64
  local MAX_NESTING = 16
  local function be(v, n)
    local t = {}
    for i = n, 1, -1 do local b = v % 256 t[i] = b v = (v - b) / 256 end
    return schar(unpack(t))
  end
  local function int64(v)
    local hi = floor(v / 4294967296)
    local lo = v - hi * 4294967296
    if hi < 0 then hi = hi + 4294967296 end
    return be(hi, 4) .. be(lo, 4)
  end
  local function encint(v)
    if v >= 0 then
      if v <= 127 then return schar(v)
      elseif v <= 0xff then return '\204' .. schar(v)
      elseif v <= 0xffff then return '\205' .. be(v, 2)
      elseif v <= 0xffffffff then return '\206' .. be(v, 4)
      end
      return '\207' .. int64(v)
    end
    if v >= -32 then return schar(v + 256)
    elseif v >= -128 then return '\208' .. schar(v + 256)
    elseif v >= -32768 then return '\209' .. be(v + 65536, 2)
    elseif v >= -2147483648 then return '\210' .. be(v + 4294967296, 4)
    end
    return '\211' .. int64(v)
  end
  local function encnum(n)
    -- IS_INT64_EQUIVALENT: finite and equal to its (int64) cast (x86 gives INT64_MIN out of range).
    if n == n and n >= -9223372036854775808 and n < 9223372036854775808 and n == floor(n) then
      if n == 0 then return '\0' end
      return encint(n)
    end
    local bits, v = f32(n)
    if v == n then return '\202' .. be(bits, 4) end
    return '\203' .. f64(n)
  end
  local function hdr(n, fix, c16, c32)
    if n <= 15 then return schar(fix + n) elseif n <= 0xffff then return c16 .. be(n, 2) end
    return c32 .. be(n, 4)
  end
  local enc
  local function isarray(t)
    local count, max = 0, 0
    for k in next, t do
      if type(k) ~= 'number' or k <= 0 or k ~= floor(k) then return false end
      local n = k
      if n > max then max = n end
      count = count + 1
    end
    return max == count
  end
  enc = function(v, o, level)
    local t = type(v)
    if t == 'table' and level == MAX_NESTING then t = 'nil' end
    if t == 'string' then
      local n = #v
      if n < 32 then o[#o + 1] = schar(0xa0 + n)
      elseif n <= 0xff then o[#o + 1] = '\217' .. schar(n)
      elseif n <= 0xffff then o[#o + 1] = '\218' .. be(n, 2)
      else o[#o + 1] = '\219' .. be(n, 4) end
      o[#o + 1] = v
    elseif t == 'boolean' then o[#o + 1] = v and '\195' or '\194'
    elseif t == 'number' then o[#o + 1] = encnum(v)
    elseif t == 'table' then
      if isarray(v) then
        local n = #v
        o[#o + 1] = hdr(n, 0x90, '\220', '\221')
        for j = 1, n do enc(v[j], o, level + 1) end
      else
        local n = 0
        for _ in next, v do n = n + 1 end
        o[#o + 1] = hdr(n, 0x80, '\222', '\223')
        for k, x in next, v do
          enc(k, o, level + 1)
          enc(x, o, level + 1)
        end
      end
    else o[#o + 1] = '\192' end
  end
  local M = { _NAME = 'cmsgpack', _VERSION = 'lua-cmsgpack 0.4.0', _COPYRIGHT = 'Copyright (C) 2012, Salvatore Sanfilippo', _DESCRIPTION = 'MessagePack C implementation for Lua' }
  M.pack = function(...)
    local nargs = select('#', ...)
    if nargs == 0 then argerr('pack', 0, 'MessagePack pack needs input.') end
    local o = {}
    for i = 1, nargs do enc((select(i, ...)), o, 0) end
    return concat(o)
  end

  -- Decoding: dec(s, pos, len) returns value, next position; raises EOF / BAD (caught by unpack).
  local EOF, BAD = {}, {}
  local function need(pos, n, len) if pos + n - 1 > len then error(EOF, 0) end end
  local function uint(s, pos, n)
    local v = 0
    for i = pos, pos + n - 1 do v = v * 256 + sbyte(s, i) end
    return v
  end
  local dec
  local function arr(s, pos, len, n)
    local t = {}
    for j = 1, n do t[j], pos = dec(s, pos, len) end
    return t, pos
  end
  local function map(s, pos, len, n)
    local t = {}
    for _ = 1, n do
      local k, v
      k, pos = dec(s, pos, len)
      v, pos = dec(s, pos, len)
      t[k] = v
    end
    return t, pos
  end
  dec = function(s, pos, len)
    need(pos, 1, len)
    local c = sbyte(s, pos)
    pos = pos + 1
    if c < 0x80 then return c, pos
    elseif c >= 0xe0 then return c - 256, pos
    elseif c >= 0xa0 and c < 0xc0 then
      local n = c - 0xa0
      need(pos, n, len)
      return ssub(s, pos, pos + n - 1), pos + n
    elseif c >= 0x90 and c < 0xa0 then return arr(s, pos, len, c - 0x90)
    elseif c >= 0x80 and c < 0x90 then return map(s, pos, len, c - 0x80)
    elseif c == 0xc0 then return nil, pos
    elseif c == 0xc2 then return false, pos
    elseif c == 0xc3 then return true, pos
    elseif c == 0xcc or c == 0xcd or c == 0xce or c == 0xd0 or c == 0xd1 or c == 0xd2 then
      local n = (c == 0xcc or c == 0xd0) and 1 or (c == 0xcd or c == 0xd1) and 2 or 4
      need(pos, n, len)
      local v = uint(s, pos, n)
      if c >= 0xd0 and v >= 2 ^ (8 * n - 1) then v = v - 2 ^ (8 * n) end
      return v, pos + n
    elseif c == 0xcf or c == 0xd3 then
      need(pos, 8, len)
      local hi, lo = uint(s, pos, 4), uint(s, pos + 4, 4)
      -- Both are read as a signed int64 (the C code pushes a lua_Integer), so uint64 2^64-1 is -1.
      if hi >= 2147483648 then hi = hi - 4294967296 end
      return hi * 4294967296 + lo, pos + 8
    elseif c == 0xca then need(pos, 4, len) return getf32(s, pos), pos + 4
    elseif c == 0xcb then need(pos, 8, len) return getf64(s, pos), pos + 8
    elseif c == 0xd9 or c == 0xda or c == 0xdb then
      local w = (c == 0xd9) and 1 or (c == 0xda) and 2 or 4
      need(pos, w, len)
      local n = uint(s, pos, w)
      pos = pos + w
      need(pos, n, len)
      return ssub(s, pos, pos + n - 1), pos + n
    elseif c == 0xdc or c == 0xdd or c == 0xde or c == 0xdf then
      local w = (c == 0xdc or c == 0xde) and 2 or 4
      need(pos, w, len)
      local n = uint(s, pos, w)
      if c <= 0xdd then return arr(s, pos + w, len, n) end
      return map(s, pos + w, len, n)
    end
    error(BAD, 0)
  end
  local function collect(ok, e)
    if ok then return end
    if e == EOF then lerr('Missing bytes in input.') elseif e == BAD then lerr('Bad data format in input.') end
    error(e, 0)
  end
  local function full(fname, nargs, s, limit, offset)
    s = LIB.str(fname, 1, nargs, s)
    local len = #s
    local all = (limit == 0 and offset == 0)
    if offset < 0 or limit < 0 then
      lerr('Invalid request to unpack with offset of ' .. offset .. ' and limit of ' .. len .. '.')
    elseif offset > len then
      lerr('Start offset ' .. offset .. ' greater than input length ' .. len .. '.')
    end
    if all then limit = 2147483647 end
    local out, cnt, pos = {}, 0, offset + 1
    collect(pcall(function()
      while pos <= len and cnt < limit do
        cnt = cnt + 1
        out[cnt], pos = dec(s, pos, len)
      end
    end))
    if all then return unpack(out, 1, cnt) end
    return (pos > len) and -1 or (pos - 1), unpack(out, 1, cnt)
  end
  M.unpack = function(...) return full('unpack', select('#', ...), (...), 0, 0) end
  M.unpack_one = function(...)
    local nargs = select('#', ...)
    local s, off = ...
    off = (off == nil) and 0 or LIB.int('unpack_one', 2, nargs, off)
    return full('unpack_one', nargs, s, 1, off)
  end
  M.unpack_limit = function(...)
    local nargs = select('#', ...)
    local s, lim, off = ...
    lim = LIB.int('unpack_limit', 2, nargs, lim)
    off = (off == nil) and 0 or LIB.int('unpack_limit', 3, nargs, off)
    return full('unpack_limit', nargs, s, lim, off)
  end
  rawset(G, 'cmsgpack', readonly(M))
end
`;
