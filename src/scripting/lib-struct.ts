// struct: Roberto Ierusalimschy's struct library as redis-server gives scripts
// (pack, unpack, size), in Lua. Native layout of redis-server on x86-64 Linux:
// little-endian, short 2, int 4, long and size_t 8 bytes, alignment ('!') up to 8;
// integers up to 32 bytes ('i32'), of which the low 8 carry the value, as the C
// code's 64-bit arithmetic.

export const STRUCT = String.raw`
do
  local floor, select, type, sbyte, ssub, sfind, schar, concat = math.floor, select, type, string.byte, string.sub, string.find, string.char, table.concat
  local lerr, argerr = LIB.lerr, LIB.argerr
  local MAXINTSIZE, MAXALIGN = 32, 8
  local SIZES = { b = 1, B = 1, h = 2, H = 2, l = 8, L = 8, T = 8, f = 4, d = 8, x = 1 }
  -- getnum: digits at fmt[i], or df; returns the number and the next index.
  local function getnum(fmt, i, df)
    local _, e = sfind(fmt, '^%d+', i)
    if not e then return df, i end
    local a = 0
    for j = i, e do
      local d = sbyte(fmt, j) - 48
      if a > 214748364 or a * 10 > 2147483647 - d then lerr('integral size overflow') end
      a = a * 10 + d
    end
    return a, e + 1
  end
  local function optsize(opt, fmt, i)
    local s = SIZES[opt]
    if s then return s, i end
    if opt == 'c' then return getnum(fmt, i, 1) end
    if opt == 'i' or opt == 'I' then
      local sz
      sz, i = getnum(fmt, i, 4)
      if sz > MAXINTSIZE then lerr('integral size ' .. sz .. ' is larger than limit of ' .. MAXINTSIZE) end
      return sz, i
    end
    return 0, i
  end
  local function toalign(len, h, opt, size)
    if size == 0 or opt == 'c' then return 0 end
    if size > h.align then size = h.align end
    return (size - (len % size)) % size
  end
  -- Options that are not values: endianness, alignment, spaces; anything else is an error.
  local function control(fname, opt, fmt, i, h)
    if opt == ' ' then return i end
    if opt == '>' then h.big = true return i end
    if opt == '<' then h.big = false return i end
    if opt == '!' then
      local a
      a, i = getnum(fmt, i, MAXALIGN)
      local p = 1
      while p < a do p = p * 2 end
      if p ~= a then lerr('alignment ' .. a .. ' is not a power of 2') end
      h.align = a
      return i
    end
    argerr(fname, 1, "invalid format option '" .. opt .. "'")
  end
  local function order(t, big)
    if big then
      local n = #t
      for j = 1, floor(n / 2) do t[j], t[n + 1 - j] = t[n + 1 - j], t[j] end
    end
    return schar(unpack(t))
  end
  -- The little-endian bytes of n as the C code's (Uinttype)(Inttype)n, size bytes (past 8 they are 0).
  local function intbytes(n, size)
    if n ~= n then n = 0 end
    if n < 0 then n = -floor(-n) else n = floor(n) end
    local hi = floor(n / 4294967296)
    local lo = n - hi * 4294967296
    if hi < 0 then hi = hi + 4294967296 end
    hi = hi % 4294967296
    local t = {}
    for j = 1, size do
      if j <= 4 then t[j] = lo % 256 lo = floor(lo / 256)
      elseif j <= 8 then t[j] = hi % 256 hi = floor(hi / 256)
      else t[j] = 0 end
    end
    return t
  end
  local function rev(s) local t = { sbyte(s, 1, -1) } return t end
  local M = {}
  M.pack = function(...)
    local nargs = select('#', ...)
    local fmt = LIB.str('pack', 1, nargs, (...))
    local h = { big = false, align = 1 }
    local out, total, arg, i = {}, 0, 2, 1
    while i <= #fmt do
      local opt = ssub(fmt, i, i)
      if opt == '\0' then break end
      i = i + 1
      local size
      size, i = optsize(opt, fmt, i)
      local pad = toalign(total, h, opt, size)
      total = total + pad
      if pad > 0 then out[#out + 1] = string.rep('\0', pad) end
      if opt == 'b' or opt == 'B' or opt == 'h' or opt == 'H' or opt == 'l' or opt == 'L' or opt == 'T' or opt == 'i' or opt == 'I' then
        local n = LIB.num('pack', arg, nargs + 1, (select(arg, ...)))
        arg = arg + 1
        out[#out + 1] = order(intbytes(n, size), h.big)
      elseif opt == 'x' then out[#out + 1] = '\0'
      elseif opt == 'f' or opt == 'd' then
        local n = LIB.num('pack', arg, nargs + 1, (select(arg, ...)))
        arg = arg + 1
        local be = (opt == 'f') and LIB.f32bytes(n) or LIB.f64(n)
        if h.big then out[#out + 1] = be else out[#out + 1] = string.reverse(be) end
      elseif opt == 'c' or opt == 's' then
        local s = LIB.str('pack', arg, nargs + 1, (select(arg, ...)))
        arg = arg + 1
        if size == 0 then size = #s end
        if #s < size then argerr('pack', arg, 'string too short') end
        out[#out + 1] = ssub(s, 1, size)
        if opt == 's' then out[#out + 1] = '\0' size = size + 1 end
      else i = control('pack', opt, fmt, i, h) end
      total = total + size
    end
    return concat(out)
  end
  local function getint(data, pos, size, big, signed)
    local b = { sbyte(data, pos, pos + size - 1) }
    if big then
      local n = #b
      for j = 1, floor(n / 2) do b[j], b[n + 1 - j] = b[n + 1 - j], b[j] end
    end
    -- b is little-endian now; the low 8 bytes count (the C code shifts the rest out).
    local lo, hi = 0, 0
    for j = math.min(size, 4), 1, -1 do lo = lo * 256 + b[j] end
    for j = math.min(size, 8), 5, -1 do hi = hi * 256 + b[j] end
    if not signed then return hi * 4294967296 + lo end
    if size >= 8 then
      if hi >= 2147483648 then hi = hi - 4294967296 end
      return hi * 4294967296 + lo
    end
    local v = hi * 4294967296 + lo
    if v >= 2 ^ (size * 8 - 1) then v = v - 2 ^ (size * 8) end
    return v
  end
  M.unpack = function(...)
    local nargs = select('#', ...)
    local fmt, data, init = ...
    fmt = LIB.str('unpack', 1, nargs, fmt)
    data = LIB.str('unpack', 2, nargs, data)
    local ld = #data
    local pos = ((init == nil) and 1 or LIB.int('unpack', 3, nargs, init)) - 1
    -- No bounds check of its own (redis-server 7.0's struct has none): the first option finds the data too short.
    if pos < 0 then argerr('unpack', 3, 'offset must be 1 or greater') end
    local h = { big = false, align = 1 }
    local res, i = {}, 1
    while i <= #fmt do
      local opt = ssub(fmt, i, i)
      if opt == '\0' then break end
      i = i + 1
      local size
      size, i = optsize(opt, fmt, i)
      pos = pos + toalign(pos, h, opt, size)
      if not (size <= ld and pos <= ld - size) then argerr('unpack', 2, 'data string too short') end
      if opt == 'b' or opt == 'B' or opt == 'h' or opt == 'H' or opt == 'l' or opt == 'L' or opt == 'T' or opt == 'i' or opt == 'I' then
        res[#res + 1] = getint(data, pos + 1, size, h.big, opt == 'b' or opt == 'h' or opt == 'l' or opt == 'i')
      elseif opt == 'x' then
      elseif opt == 'f' or opt == 'd' then
        local s = ssub(data, pos + 1, pos + size)
        if not h.big then s = string.reverse(s) end
        res[#res + 1] = (opt == 'f') and LIB.getf32(s, 1) or LIB.getf64(s, 1)
      elseif opt == 'c' then
        if size == 0 then
          local prev = res[#res]
          if #res == 0 or type(prev) ~= 'number' and not (type(prev) == 'string' and tonumber(prev)) then lerr("format 'c0' needs a previous size") end
          size = floor(tonumber(prev))
          res[#res] = nil
          if not (size <= ld and pos <= ld - size) then argerr('unpack', 2, 'data string too short') end
        end
        res[#res + 1] = ssub(data, pos + 1, pos + size)
      elseif opt == 's' then
        local e = sfind(data, '\0', pos + 1, true)
        if not e then lerr('unfinished string in data') end
        size = e - pos
        res[#res + 1] = ssub(data, pos + 1, e - 1)
      else i = control('unpack', opt, fmt, i, h) end
      pos = pos + size
    end
    res[#res + 1] = pos + 1
    return unpack(res, 1, #res)
  end
  M.size = function(...)
    local nargs = select('#', ...)
    local fmt = LIB.str('size', 1, nargs, (...))
    local h = { big = false, align = 1 }
    local pos, i = 0, 1
    while i <= #fmt do
      local opt = ssub(fmt, i, i)
      if opt == '\0' then break end
      i = i + 1
      local size
      size, i = optsize(opt, fmt, i)
      pos = pos + toalign(pos, h, opt, size)
      if opt == 's' then argerr('size', 1, "option 's' has no fixed size")
      elseif opt == 'c' and size == 0 then argerr('size', 1, "option 'c0' has no fixed size")
      elseif not SIZES[opt] and opt ~= 'c' and opt ~= 'i' and opt ~= 'I' then i = control('size', opt, fmt, i, h) end
      pos = pos + size
    end
    return pos
  end
  rawset(G, 'struct', readonly(M))
end
`;
