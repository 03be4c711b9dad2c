// cjson: lua-cjson 2.1.0 as redis-server 7.0/7.2 gives scripts, in Lua: encode,
// decode, cjson.null (a userdata, as the C library's NULL lightuserdata is one to
// type()), new() (a fresh copy with its own settings) and the settings functions
// with their defaults in Redis (sparse arrays false/2/10, depths 1000, number
// precision 14, encode_invalid_numbers false, decode_invalid_numbers true,
// encode_keep_buffer true). Numbers are written with %.<precision>g; strings escape
// control characters, '"', '\' and '/' as the C library's table does. Errors carry
// the C library's messages ("Cannot serialise ...", "Expected ... but found ... at
// character N").
//
// decode_array_with_array_mt(on) is the setting later Redis added (redis/redis#14296,
// not in 7.0 or 7.2; the issue asks for it): off by default; when on, an empty JSON
// array decodes to an empty table whose metatable marks it an array
// (__is_cjson_array), and encode writes such a table back as [] instead of {}.

export const CJSON = String.raw`
do
  local floor, select, type, tonumber, next, sbyte, ssub, sfind, sgsub, slower, concat = math.floor, select, type, tonumber, next, string.byte, string.sub, string.find, string.gsub, string.lower, table.concat
  local lerr, argerr, rawget = LIB.lerr, LIB.argerr, rawget
  local null = newproxy(false)
  local ESC = {}
  for i = 0, 31 do ESC[string.char(i)] = sformat('\\u%04x', i) end
  ESC['\b'], ESC['\t'], ESC['\n'], ESC['\f'], ESC['\r'] = '\\b', '\\t', '\\n', '\\f', '\\r'
  ESC['"'], ESC['\\'], ESC['/'], ESC['\127'] = '\\"', '\\\\', '\\/', '\\u007f'
  local TOKEN = { [0] = 'T_OBJ_BEGIN', 'T_OBJ_END', 'T_ARR_BEGIN', 'T_ARR_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN', 'T_NULL', 'T_COLON', 'T_COMMA', 'T_END', 'T_WHITESPACE', 'T_ERROR', 'T_UNKNOWN' }
  local INVALID = { [0] = 'off', 'on', 'null' }
  -- The metatable of an empty array decoded with decode_array_with_array_mt on.
  local ARRAY_MT = { __is_cjson_array = true }

  local function new()
    local cfg = { sparse_convert = false, sparse_ratio = 2, sparse_safe = 10, enc_depth = 1000, dec_depth = 1000,
      enc_invalid = 0, dec_invalid = 1, keep = true, prec = 14, fmt = '%.14g', dec_array_mt = false }
    local M = { _NAME = 'cjson', _VERSION = '2.1.0', null = null }

    local function str(s) return '"' .. sgsub(s, '[%c"\\/]', ESC) .. '"' end
    local function number(v, o)
      if v ~= v or v == 1/0 or v == -1/0 then
        if cfg.enc_invalid == 0 then lerr('Cannot serialise number: must not be NaN or Inf') end
        if cfg.enc_invalid == 2 then o[#o + 1] = 'null' return end
        if v ~= v then o[#o + 1] = 'nan' return end
      end
      o[#o + 1] = sformat(cfg.fmt, v)
    end
    local append
    local function arraylen(t)
      local max, items = 0, 0
      for k in next, t do
        if type(k) == 'number' and k ~= 0 and floor(k) == k and k >= 1 then
          if k > max then max = k end
          items = items + 1
        else return -1 end
      end
      if cfg.sparse_ratio > 0 and max > items * cfg.sparse_ratio and max > cfg.sparse_safe then
        if not cfg.sparse_convert then lerr('Cannot serialise table: excessively sparse array') end
        return -1
      end
      return max
    end
    append = function(v, o, depth)
      local t = type(v)
      if t == 'string' then o[#o + 1] = str(v)
      elseif t == 'number' then number(v, o)
      elseif t == 'boolean' then o[#o + 1] = v and 'true' or 'false'
      elseif t == 'nil' or v == null then o[#o + 1] = 'null'
      elseif t == 'table' then
        depth = depth + 1
        if depth > cfg.enc_depth then lerr('Cannot serialise, excessive nesting (' .. depth .. ')') end
        local n = arraylen(v)
        if n == 0 and getmetatable(v) == ARRAY_MT then o[#o + 1] = '[]'
        elseif n > 0 then
          o[#o + 1] = '['
          for i = 1, n do
            if i > 1 then o[#o + 1] = ',' end
            append(rawget(v, i), o, depth)
          end
          o[#o + 1] = ']'
        else
          o[#o + 1] = '{'
          local comma = false
          for k, x in next, v do
            if comma then o[#o + 1] = ',' else comma = true end
            local kt = type(k)
            if kt == 'number' then
              o[#o + 1] = '"'
              number(k, o)
              o[#o + 1] = '":'
            elseif kt == 'string' then o[#o + 1] = str(k) .. ':'
            else lerr('Cannot serialise ' .. kt .. ': table key must be a number or string') end
            append(x, o, depth)
          end
          o[#o + 1] = '}'
        end
      else lerr('Cannot serialise ' .. t .. ': type not supported') end
    end
    M.encode = function(...)
      if select('#', ...) ~= 1 then argerr('encode', 1, 'expected 1 argument') end
      local o = {}
      append((...), o, 0)
      return concat(o)
    end

    -- ---- decoding: s, the position (1-based), tokens as { type, value, index (0-based) } ----
    local WS = { [32] = true, [9] = true, [10] = true, [13] = true }
    local SINGLE = { [123] = 0, [125] = 1, [91] = 2, [93] = 3, [44] = 9, [58] = 8 }
    local UNKNOWN = { [102] = true, [105] = true, [73] = true, [110] = true, [78] = true, [116] = true, [34] = true, [43] = true, [45] = true }
    for c = 48, 57 do UNKNOWN[c] = true end
    local UNESC = { [34] = '"', [92] = '\\', [47] = '/', [98] = '\b', [116] = '\t', [110] = '\n', [102] = '\f', [114] = '\r' }
    local function hex4(s, p)
      local h = ssub(s, p, p + 3)
      if #h < 4 or sfind(h, '[^%x]') then return -1 end
      return tonumber(h, 16)
    end
    local function utf8(cp)
      local c = string.char
      if cp <= 0x7f then return c(cp) end
      if cp <= 0x7ff then return c(floor(cp / 64) + 0xc0, cp % 64 + 0x80) end
      if cp <= 0xffff then return c(floor(cp / 4096) + 0xe0, floor(cp / 64) % 64 + 0x80, cp % 64 + 0x80) end
      return c(floor(cp / 262144) + 0xf0, floor(cp / 4096) % 64 + 0x80, floor(cp / 64) % 64 + 0x80, cp % 64 + 0x80)
    end
    -- strtod's longest prefix at p (musl: decimal, hex, inf/infinity, nan); nil when none.
    local function strtod(s, p)
      local q = p
      local c = sbyte(s, q)
      if c == 43 or c == 45 then q = q + 1 end
      local w = slower(ssub(s, q, q + 7))
      if ssub(w, 1, 8) == 'infinity' then return tonumber(ssub(s, p, q + 7)), q + 8 end
      if ssub(w, 1, 3) == 'inf' or ssub(w, 1, 3) == 'nan' then return tonumber(ssub(s, p, q + 2)), q + 3 end
      if ssub(w, 1, 2) == '0x' then
        local _, e = sfind(s, '^%x+', q + 2)
        if e then return tonumber(ssub(s, q + 2, e), 16) * ((c == 45) and -1 or 1), e + 1 end
        return 0, q + 1
      end
      local _, e = sfind(s, '^%d*', q)
      local intd = e >= q
      local e2 = e
      if sbyte(s, e + 1) == 46 then
        local _, f = sfind(s, '^%d*', e + 2)
        if f > e + 1 or intd then e2 = f end
        if f == e + 1 and not intd then return nil end
      elseif not intd then return nil end
      local _, x = sfind(s, '^[eE][-+]?%d+', e2 + 1)
      if x then e2 = x end
      return tonumber(ssub(s, p, e2)), e2 + 1
    end
    local function invalidnum(s, p)
      local c = sbyte(s, p)
      if c == 43 then return true end
      if c == 45 then p = p + 1 c = sbyte(s, p) end
      if c == 48 then
        local c2 = sbyte(s, p + 1)
        return (c2 == 120 or c2 == 88) or (c2 ~= nil and c2 >= 48 and c2 <= 57)
      elseif c ~= nil and c <= 57 then return false end
      local w = slower(ssub(s, p, p + 2))
      return w == 'inf' or w == 'nan'
    end
    -- Returns type, value, index (0-based) and the next position.
    local function token(s, p)
      local c = sbyte(s, p)
      while c and WS[c] do p = p + 1 c = sbyte(s, p) end
      local idx = p - 1
      if c == nil or c == 0 then return 10, nil, idx, p end
      local single = SINGLE[c]
      if single then return single, nil, idx, p + 1 end
      if not UNKNOWN[c] then return 12, 'invalid token', idx, p end
      if c == 34 then
        local out, q = {}, p + 1
        while true do
          local a, b = sfind(s, '["\\%z]', q)
          if not a then return 12, 'unexpected end of string', #s, q end
          out[#out + 1] = ssub(s, q, a - 1)
          local ch = sbyte(s, a)
          if ch == 34 then return 4, concat(out), idx, a + 1 end
          if ch == 0 then return 12, 'unexpected end of string', a - 1, a end
          local e = sbyte(s, a + 1)
          if e == 117 then
            local cp = hex4(s, a + 2)
            local len = 6
            if cp >= 0 and cp >= 0xd800 and cp <= 0xdfff then
              if cp >= 0xdc00 or ssub(s, a + 6, a + 7) ~= '\\u' then cp = -1
              else
                local lo = hex4(s, a + 8)
                if lo < 0xdc00 or lo > 0xdfff then cp = -1
                else cp = (cp - 0xd800) * 1024 + (lo - 0xdc00) + 0x10000 len = 12 end
              end
            end
            if cp < 0 then return 12, 'invalid unicode escape code', a - 1, a end
            out[#out + 1] = utf8(cp)
            q = a + len
          else
            local r = e and UNESC[e]
            if not r then return 12, 'invalid escape code', a - 1, a end
            out[#out + 1] = r
            q = a + 2
          end
        end
      end
      local function numtok()
        local v, np = strtod(s, p)
        if v == nil then return 12, 'invalid number', idx, p end
        return 5, v, idx, np
      end
      if c == 45 or (c >= 48 and c <= 57) then
        if cfg.dec_invalid == 0 and invalidnum(s, p) then return 12, 'invalid number', idx, p end
        return numtok()
      end
      if ssub(s, p, p + 3) == 'true' then return 6, true, idx, p + 4 end
      if ssub(s, p, p + 4) == 'false' then return 6, false, idx, p + 5 end
      if ssub(s, p, p + 3) == 'null' then return 7, null, idx, p + 4 end
      if cfg.dec_invalid ~= 0 and invalidnum(s, p) then return numtok() end
      return 12, 'invalid token', idx, p
    end
    local function perr(exp, tt, tv, ti)
      lerr('Expected ' .. exp .. ' but found ' .. ((tt == 12) and tv or TOKEN[tt]) .. ' at character ' .. (ti + 1))
    end
    local value
    local function descend(depth, p)
      if depth > cfg.dec_depth then lerr('Found too many nested data structures (' .. depth .. ') at character ' .. (p - 1)) end
    end
    value = function(s, tt, tv, ti, p, depth)
      if tt == 4 or tt == 5 or tt == 6 or tt == 7 then return tv, p end
      if tt == 0 then
        depth = depth + 1
        descend(depth, p)
        local t = {}
        tt, tv, ti, p = token(s, p)
        if tt == 1 then return t, p end
        while true do
          if tt ~= 4 then perr('object key string', tt, tv, ti) end
          local k = tv
          tt, tv, ti, p = token(s, p)
          if tt ~= 8 then perr('colon', tt, tv, ti) end
          tt, tv, ti, p = token(s, p)
          t[k], p = value(s, tt, tv, ti, p, depth)
          tt, tv, ti, p = token(s, p)
          if tt == 1 then return t, p end
          if tt ~= 9 then perr('comma or object end', tt, tv, ti) end
          tt, tv, ti, p = token(s, p)
        end
      elseif tt == 2 then
        depth = depth + 1
        descend(depth, p)
        local t = {}
        tt, tv, ti, p = token(s, p)
        if tt == 3 then
          if cfg.dec_array_mt then setmetatable(t, ARRAY_MT) end
          return t, p
        end
        local i = 1
        while true do
          t[i], p = value(s, tt, tv, ti, p, depth)
          i = i + 1
          tt, tv, ti, p = token(s, p)
          if tt == 3 then return t, p end
          if tt ~= 9 then perr('comma or array end', tt, tv, ti) end
          tt, tv, ti, p = token(s, p)
        end
      end
      perr('value', tt, tv, ti)
    end
    M.decode = function(...)
      local nargs = select('#', ...)
      if nargs ~= 1 then argerr('decode', 1, 'expected 1 argument') end
      local s = LIB.str('decode', 1, nargs, (...))
      if #s >= 2 and (sbyte(s, 1) == 0 or sbyte(s, 2) == 0) then lerr('JSON parser does not support UTF-16 or UTF-32') end
      local tt, tv, ti, p = token(s, 1)
      local v
      v, p = value(s, tt, tv, ti, p, 0)
      tt, tv, ti, p = token(s, p)
      if tt ~= 10 then perr('the end', tt, tv, ti) end
      return v
    end

    -- ---- settings ----
    local function nargs_ok(fname, nargs, max) if nargs > max then argerr(fname, max + 1, 'found too many arguments') end end
    local function intopt(fname, n, nargs, v, min, max)
      if v == nil then return nil end
      local x = LIB.int(fname, n, nargs, v)
      if x < min or x > max then argerr(fname, n, 'expected integer between ' .. min .. ' and ' .. max) end
      return x
    end
    local function enum(fname, n, nargs, v, options, cur)
      if v == nil then return cur end
      if type(v) == 'boolean' then return v and 1 or 0 end
      local sv = (type(v) == 'string' or type(v) == 'number') and tostring(v) or nil
      if sv == nil then argerr(fname, n, 'string expected, got ' .. LIB.tname(nargs, n, v)) end
      for i = 0, #options do if options[i] == sv then return i end end
      argerr(fname, n, "invalid option '" .. sv .. "'")
    end
    local BOOL = { [0] = 'off', 'on' }
    local function pushenum(v, options) if v == 0 then return false elseif v == 1 then return true end return options[v] end
    M.encode_sparse_array = function(...)
      local nargs = select('#', ...)
      nargs_ok('encode_sparse_array', nargs, 3)
      local c, r, sf = ...
      cfg.sparse_convert = enum('encode_sparse_array', 1, nargs, c, BOOL, cfg.sparse_convert and 1 or 0) == 1
      cfg.sparse_ratio = intopt('encode_sparse_array', 2, nargs, r, 0, 2147483647) or cfg.sparse_ratio
      cfg.sparse_safe = intopt('encode_sparse_array', 3, nargs, sf, 0, 2147483647) or cfg.sparse_safe
      return cfg.sparse_convert, cfg.sparse_ratio, cfg.sparse_safe
    end
    local function intsetting(fname, key, min, max, after)
      return function(...)
        local nargs = select('#', ...)
        nargs_ok(fname, nargs, 1)
        local v = intopt(fname, 1, nargs, (...), min, max)
        if v then cfg[key] = v if after then after(v) end end
        return cfg[key]
      end
    end
    M.encode_max_depth = intsetting('encode_max_depth', 'enc_depth', 1, 2147483647)
    M.decode_max_depth = intsetting('decode_max_depth', 'dec_depth', 1, 2147483647)
    M.encode_number_precision = intsetting('encode_number_precision', 'prec', 1, 14, function(v) cfg.fmt = '%.' .. v .. 'g' end)
    M.encode_keep_buffer = function(...)
      local nargs = select('#', ...)
      nargs_ok('encode_keep_buffer', nargs, 1)
      cfg.keep = enum('encode_keep_buffer', 1, nargs, (...), BOOL, cfg.keep and 1 or 0) == 1
      return cfg.keep
    end
    M.encode_invalid_numbers = function(...)
      local nargs = select('#', ...)
      nargs_ok('encode_invalid_numbers', nargs, 1)
      cfg.enc_invalid = enum('encode_invalid_numbers', 1, nargs, (...), INVALID, cfg.enc_invalid)
      return pushenum(cfg.enc_invalid, INVALID)
    end
    M.decode_invalid_numbers = function(...)
      local nargs = select('#', ...)
      nargs_ok('decode_invalid_numbers', nargs, 1)
      cfg.dec_invalid = enum('decode_invalid_numbers', 1, nargs, (...), BOOL, cfg.dec_invalid)
      return pushenum(cfg.dec_invalid, BOOL)
    end
    M.decode_array_with_array_mt = function(...)
      local nargs = select('#', ...)
      nargs_ok('decode_array_with_array_mt', nargs, 1)
      cfg.dec_array_mt = enum('decode_array_with_array_mt', 1, nargs, (...), BOOL, cfg.dec_array_mt and 1 or 0) == 1
      return cfg.dec_array_mt
    end
    M.new = function() return new() end
    return M
  end
  rawset(G, 'cjson', readonly(new()))
end
`;
