// bit: LuaBitOp 1.0 as redis-server gives scripts (tobit, tohex, bnot, band, bor,
// bxor, lshift, rshift, arshift, rol, ror, bswap), in Lua. Numbers are normalised
// as LuaBitOp does: x + 2^52 + 2^51 in double arithmetic (rounding half to even)
// and the low 32 bits of that double's mantissa, read as a signed int32; that
// emulation is exact for every double, inf and NaN included (they give 0).

export const BIT = String.raw`
do
  local floor, frexp, select, sbyte, schar = math.floor, math.frexp, select, string.byte, string.char
  local num = LIB.num
  local function tobit(x)
    local s = x + 6755399441055744
    if s ~= s or s == 1/0 or s == -1/0 then return 0 end
    if s < 0 then s = -s end
    local m = frexp(s)
    local lo = (m * 9007199254740992) % 4294967296
    if lo >= 2147483648 then lo = lo - 4294967296 end
    return lo
  end
  local function u(x) return x % 4294967296 end
  local function sg(x) if x >= 2147483648 then return x - 4294967296 end return x end
  local AND, OR, XOR = {}, {}, {}
  for a = 0, 15 do
    for b = 0, 15 do
      local r1, r2, r3, p, x, y = 0, 0, 0, 1, a, b
      for _ = 1, 4 do
        local i, j = x % 2, y % 2
        if i == 1 and j == 1 then r1 = r1 + p end
        if i == 1 or j == 1 then r2 = r2 + p end
        if i ~= j then r3 = r3 + p end
        x, y, p = (x - i) / 2, (y - j) / 2, p * 2
      end
      AND[a * 16 + b], OR[a * 16 + b], XOR[a * 16 + b] = r1, r2, r3
    end
  end
  local function op(t, a, b)
    local r, p = 0, 1
    for _ = 1, 8 do
      local x, y = a % 16, b % 16
      r = r + t[x * 16 + y] * p
      a, b, p = (a - x) / 16, (b - y) / 16, p * 16
    end
    return r
  end
  local function barg(name, n, nargs, v) return tobit(num(name, n, nargs, v)) end
  local function reducer(name, t)
    return function(...)
      local nargs = select('#', ...)
      local r = u(barg(name, 1, nargs, (...)))
      for i = 2, nargs do r = op(t, r, u(barg(name, i, nargs, (select(i, ...))))) end
      return sg(r)
    end
  end
  local function shifter(name, f)
    return function(...)
      local nargs = select('#', ...)
      local x, n = ...
      x = barg(name, 1, nargs, x)
      n = u(barg(name, 2, nargs, n)) % 32
      return sg(f(u(x), n, x))
    end
  end
  local P = {}
  for i = 0, 32 do P[i] = 2 ^ i end
  local M = {}
  M.tobit = function(...) return barg('tobit', 1, select('#', ...), (...)) end
  M.bnot = function(...) return -1 - barg('bnot', 1, select('#', ...), (...)) end
  M.band = reducer('band', AND)
  M.bor = reducer('bor', OR)
  M.bxor = reducer('bxor', XOR)
  M.lshift = shifter('lshift', function(x, n) return (x * P[n]) % 4294967296 end)
  M.rshift = shifter('rshift', function(x, n) return floor(x / P[n]) end)
  M.arshift = shifter('arshift', function(x, n, sx) return u(floor(sx / P[n])) end)
  M.rol = shifter('rol', function(x, n) return (x * P[n]) % 4294967296 + floor(x / P[32 - n]) end)
  M.ror = shifter('ror', function(x, n) return floor(x / P[n]) + (x * P[32 - n]) % 4294967296 end)
  M.bswap = function(...)
    local x = u(barg('bswap', 1, select('#', ...), (...)))
    local b0 = x % 256 x = (x - b0) / 256
    local b1 = x % 256 x = (x - b1) / 256
    local b2 = x % 256 x = (x - b2) / 256
    return sg(((b0 * 256 + b1) * 256 + b2) * 256 + x)
  end
  local LOWER, UPPER = '0123456789abcdef', '0123456789ABCDEF'
  M.tohex = function(...)
    local nargs = select('#', ...)
    local x, n = ...
    x = u(barg('tohex', 1, nargs, x))
    if nargs < 2 then n = 8 else n = barg('tohex', 2, nargs, n) end
    local digits = LOWER
    if n < 0 then n = -n digits = UPPER end
    if n > 8 then n = 8 end
    local t = {}
    for i = n, 1, -1 do
      local d = x % 16
      t[i] = string.sub(digits, d + 1, d + 1)
      x = (x - d) / 16
    end
    return table.concat(t)
  end
  rawset(G, 'bit', readonly(M))
end
`;
