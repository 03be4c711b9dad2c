// Helpers the Lua libraries (lib-bit.ts, lib-cmsgpack.ts, lib-cjson.ts,
// lib-struct.ts) share, as a Lua block of the prelude (prelude.ts splices LIBS in
// before it protects the globals). The libraries are Lua code in the VM, not host
// functions: each call of a host function crosses the WebAssembly boundary and the
// prelude's value conversions, where a Lua function runs where the script runs
// (the README's scripting section has the figures).
//
// Errors: Redis's libraries are C functions raising with luaL_error, whose
// position is the script line that called them; lerr() gives that position by
// skipping the prelude's frames (chunk "=cinnabar"), as errh does.

import { BIT } from './lib-bit.js';
import { CJSON } from './lib-cjson.js';
import { CMSGPACK } from './lib-cmsgpack.js';
import { STRUCT } from './lib-struct.js';

const COMMON = String.raw`
local LIB = {}
do
  local getinfo, error, select, type, tonumber, floor, frexp, ldexp = debug.getinfo, error, select, type, tonumber, math.floor, math.frexp, math.ldexp
  local PRELUDE = '=cinnabar'
  -- An error at the first frame outside the prelude (the script's line, or none under a C function).
  local function lerr(msg)
    local lvl = 2
    while true do
      local i = getinfo(lvl, 'S')
      -- A tail call's marker stands for a replaced frame of the libraries' own (they never tail-call from the script's frame).
      if not i or (i.source ~= PRELUDE and i.what ~= 'tail') then break end
      lvl = lvl + 1
    end
    error(msg, lvl)
  end
  LIB.lerr = lerr
  local function argerr(fname, n, msg) lerr('bad argument #' .. n .. " to '" .. fname .. "' (" .. msg .. ')') end
  LIB.argerr = argerr
  local function tname(nargs, n, v) if n > nargs then return 'no value' end return type(v) end
  -- luaL_checknumber: a number, or a string that converts.
  function LIB.num(fname, n, nargs, v)
    local x = v
    if type(v) ~= 'number' then x = (type(v) == 'string') and tonumber(v) or nil end
    if x == nil then argerr(fname, n, 'number expected, got ' .. tname(nargs, n, v)) end
    return x
  end
  -- luaL_checkinteger: lua_tointeger rounds a double as the x86 build's lua_number2int (to nearest, ties to even).
  local function rint(x)
    if x ~= x or x == 1/0 or x == -1/0 then return 0 end
    local r = floor(x + 0.5)
    if r - x == 0.5 and r % 2 == 1 then r = r - 1 end
    return r
  end
  LIB.rint = rint
  function LIB.int(fname, n, nargs, v) return rint(LIB.num(fname, n, nargs, v)) end
  -- luaL_checklstring: a string, or a number converted.
  function LIB.str(fname, n, nargs, v)
    if type(v) == 'string' then return v end
    if type(v) == 'number' then return tostring(v) end
    argerr(fname, n, 'string expected, got ' .. tname(nargs, n, v))
  end
  LIB.tname = tname

  -- IEEE 754 bytes of a double / of the float nearest a double, big-endian, as strings of 8 / 4 bytes.
  local schar = string.char
  local function bytes(hi, lo, nb)
    local t = {}
    for i = 4, 1, -1 do t[i] = hi % 256 hi = floor(hi / 256) end
    if nb == 8 then for i = 8, 5, -1 do t[i] = lo % 256 lo = floor(lo / 256) end end
    return schar(unpack(t))
  end
  local function half_even(x)
    local r = floor(x + 0.5)
    if r - x == 0.5 and r % 2 == 1 then r = r - 1 end
    return r
  end
  function LIB.f64(d)
    if d ~= d then return bytes(0xfff80000, 0, 8) end
    local sign = 0
    if d < 0 or (d == 0 and 1 / d < 0) then sign = 0x80000000 d = -d end
    if d == 1/0 then return bytes(sign + 0x7ff00000, 0, 8) end
    if d == 0 then return bytes(sign, 0, 8) end
    local m, e = frexp(d)
    local ex, frac
    if e >= -1021 then ex = e + 1022 frac = m * 9007199254740992 - 4503599627370496
    else ex = 0 frac = ldexp(d, 1074) end
    local hi = floor(frac / 4294967296)
    return bytes(sign + ex * 1048576 + hi, frac - hi * 4294967296, 8)
  end
  -- The float (float)d rounds to, as its 32 bits and its value.
  local function f32(d)
    if d ~= d then return 0xffc00000, d end
    local sign = 0
    if d < 0 or (d == 0 and 1 / d < 0) then sign = 0x80000000 d = -d end
    if d == 1/0 then return sign + 0x7f800000, (sign > 0) and -d or d end
    if d == 0 then return sign, (sign > 0) and -0.0 or 0.0 end
    local m, e = frexp(d)
    local bits, v
    if e >= -125 then
      local mant = half_even(m * 16777216)
      if mant == 16777216 then mant = 8388608 e = e + 1 end
      if e > 128 then bits, v = 0x7f800000, 1/0
      else bits, v = (e + 126) * 8388608 + mant - 8388608, ldexp(mant, e - 24) end
    else
      local mant = half_even(ldexp(d, 149))
      bits, v = mant, ldexp(mant, -149)
    end
    if sign > 0 then v = -v end
    return sign + bits, v
  end
  LIB.f32 = f32
  function LIB.f32bytes(d) local b = f32(d) return bytes(b, 0, 4) end
  -- A double from 8 big-endian bytes / a float from 4.
  function LIB.getf64(s, i)
    local b1, b2, b3, b4, b5, b6, b7, b8 = sbyte(s, i, i + 7)
    local sign = (b1 >= 128) and -1 or 1
    local ex = (b1 % 128) * 16 + floor(b2 / 16)
    local frac = ((((((b2 % 16) * 256 + b3) * 256 + b4) * 256 + b5) * 256 + b6) * 256 + b7) * 256 + b8
    if ex == 2047 then if frac == 0 then return sign * (1/0) end return 0/0 end
    if ex == 0 then return sign * ldexp(frac, -1074) end
    return sign * ldexp(frac + 4503599627370496, ex - 1075)
  end
  function LIB.getf32(s, i)
    local b1, b2, b3, b4 = sbyte(s, i, i + 3)
    local sign = (b1 >= 128) and -1 or 1
    local ex = (b1 % 128) * 2 + floor(b2 / 128)
    local frac = ((b2 % 128) * 256 + b3) * 256 + b4
    if ex == 255 then if frac == 0 then return sign * (1/0) end return 0/0 end
    if ex == 0 then return sign * ldexp(frac, -149) end
    return sign * ldexp(frac + 8388608, ex - 150)
  end
end
`;

/** The libraries' Lua, one block of the prelude each (after COMMON, whose LIB they use). */
export const LIBS = COMMON + BIT + CMSGPACK + CJSON + STRUCT;
