// The Lua half of the scripting engine, loaded once into each VM (chunk name
// "=cinnabar", so that the error handler can tell its frames from a script's). It
// takes the host functions (lua-vm.ts: they sit in the slots of os.getenv and
// other library functions scripts never get) and builds, in Lua:
//
//   - redis.* (call, pcall, error_reply, status_reply, sha1hex, log, setresp,
//     set_repl, replicate_commands, breakpoint, debug, acl_check_cmd, the
//     constants), math.random/randomseed on Redis's rand48 (host side);
//   - the reply conversions both ways: a command's reply (as the host hands it
//     over) to Lua values, and a script's return value to RESP2/RESP3 bytes, as the
//     Redis documentation's conversion tables give them;
//   - the globals protection: scripts run with _G a read-only proxy of the real
//     globals whose reads of a missing name raise "Script attempted to access
//     nonexistent global variable", and the library tables are read-only proxies
//     too (rawset, pairs, next, ipairs and rawget see through them);
//   - Redis's error handler (__redis__err__handler), which turns an error into
//     the table {err=, source=, line=} the reply is built from;
//   - the runner the host calls for each EVAL/FCALL.
//
// Library set as redis-server 7.0 gives scripts: base (without print, dofile,
// loadfile, setfenv, getfenv, module, require, newproxy), table, string, math,
// coroutine, and no os, io, debug or package; the libraries bit, cmsgpack, cjson and
// struct (lib-common.ts), read-only as the others.

import { LIBS } from './lib-common.js';

export const PRELUDE_CHUNK = '=cinnabar';

export const PRELUDE = String.raw`
-- The host functions (lua-vm.ts), in the slots of library functions scripts never get.
local H_call, H_pcall, H_sha, H_log, H_resp, H_repl, H_acl, H_rand, H =
      os.getenv, os.execute, os.tmpname, os.setlocale, os.difftime, os.rename, io.popen, io.tmpfile, debug.traceback
local G = _G
local type, tostring, tonumber, error, select, rawset, rawget, rawequal, setmetatable, getmetatable, pairs, ipairs, next, unpack, pcall, xpcall, loadstring, load, setfenv =
      type, tostring, tonumber, error, select, rawset, rawget, rawequal, setmetatable, getmetatable, pairs, ipairs, next, unpack, pcall, xpcall, loadstring, load, setfenv
local concat = table.concat
local sfind, ssub, sbyte, sgsub, sformat = string.find, string.sub, string.byte, string.gsub, string.format
local floor, ceil = math.floor, math.ceil
local sethook, getinfo = debug.sethook, debug.getinfo
local PRELUDE = '=cinnabar'

local UNESC = { ['\1'] = '\0', ['\2'] = '\1' }
local function unesc(s) return (sgsub(s, '\1(.)', UNESC)) end

-- ---- numbers ------------------------------------------------------------------------

-- C's (long long) cast of a double on x86-64: truncation, and INT64_MIN for NaN and out of range.
local function int(n)
  if n ~= n or n >= 9223372036854775807 or n < -9223372036854775808 then return '-9223372036854775808' end
  if n >= 0 then n = floor(n) else n = ceil(n) end
  if n == 0 then return '0' end
  return sformat('%.0f', n)
end

-- A double as Redis 7.2 prints it (fpconv_dtoa: the shortest string that reads back the same).
local function dbl(n)
  if n ~= n then return 'nan' end
  if n == 1/0 then return 'inf' end
  if n == -1/0 then return '-inf' end
  if n == floor(n) and n > -1e15 and n < 1e15 then return sformat('%.0f', n) end
  local s = sformat('%.15g', n)
  if tonumber(s) ~= n then s = sformat('%.16g', n) if tonumber(s) ~= n then s = sformat('%.17g', n) end end
  return s
end

-- string.format's integer conversions on this build's 32-bit long: values past it are formatted here.
do
  local fmt = string.format
  local function big(spec, conv, v)
    if type(v) ~= 'number' or (v >= -2147483648 and v <= 2147483647) then return nil end
    local s
    if conv == 'd' or conv == 'i' then s = int(v)
    else
      local base = (conv == 'o') and 8 or 16
      local digits = (conv == 'X') and '0123456789ABCDEF' or '0123456789abcdef'
      local n = tonumber(int(v))
      if n < 0 then n = n + 18446744073709551616 end
      local t = {}
      repeat local d = n % base; t[#t + 1] = ssub(digits, d + 1, d + 1); n = (n - d) / base until n < 1
      s = string.reverse(concat(t))
    end
    return fmt(sgsub(spec, '[diouxX]$', 's'), s)
  end
  local format
  -- An error of the C format is raised again at the script's line (it would carry this wrapper's).
  string.format = function(f, ...)
    local ok, r = pcall(format, f, ...)
    if ok then return r end
    if type(r) == 'string' then r = sgsub(sgsub(r, '^cinnabar:%d+: ', '', 1), "to 'fmt' %(", "to 'format' (", 1) end
    error(r, 2)
  end
  format = function(f, ...)
    if type(f) ~= 'string' or not sfind(f, '%%[-+ #0]*%d*%.?%d*[diouxX]') then return fmt(f, ...) end
    local args, n, out, pos, ai = { ... }, select('#', ...), {}, 1, 0
    while true do
      local s, e = sfind(f, '%%[-+ #0]*%d*%.?%d*[diouxXcaeEfgGqs%%]', pos)
      if not s then break end
      local spec = ssub(f, s, e)
      out[#out + 1] = ssub(f, pos, s - 1)
      if spec == '%%' then out[#out + 1] = '%'
      else
        ai = ai + 1
        if ai > n then return fmt(f, ...) end
        local conv = ssub(spec, -1)
        out[#out + 1] = (sfind('diouxX', conv, 1, true) and big(spec, conv, args[ai])) or fmt(spec, args[ai])
      end
      pos = e + 1
    end
    out[#out + 1] = ssub(f, pos)
    return concat(out)
  end
end
local sformat2 = string.format

-- ---- errors ---------------------------------------------------------------------------

-- An error string as Redis's luaPushErrorBuff stores it: "-CODE msg" keeps its code, anything else gets ERR.
local function errtable(s)
  if ssub(s, 1, 1) == '-' then
    local sp = sfind(s, ' ', 1, true)
    if sp then s = ssub(s, 2, sp - 1) .. ' ' .. ssub(s, sp + 1)
    else s = 'ERR ' .. ssub(s, 2) end
  else s = 'ERR ' .. s end
  s = sgsub(s, '^[\r\n]+', '')
  s = sgsub(s, '[\r\n]+$', '')
  return { err = s }
end

-- Redis's __redis__err__handler: where the error happened (the first frame that is
-- neither C nor this prelude), and a string error as {err='ERR ' .. msg}.
local function errh(err)
  local lvl = 2
  local i = getinfo(lvl, 'nSl')
  while i and (i.what == 'C' or i.what == 'tail' or i.source == PRELUDE) do
    lvl = lvl + 1
    i = getinfo(lvl, 'nSl')
  end
  if type(err) ~= 'table' then err = { err = 'ERR ' .. tostring(err) } end
  if i then
    rawset(err, 'source', i.source)
    rawset(err, 'line', i.currentline)
  end
  return err
end

-- ---- a command's reply to Lua ------------------------------------------------------------

local parse
-- RESP (2 or 3) at pos: value, next position.
parse = function(s, pos)
  local t = sbyte(s, pos)
  local e = sfind(s, '\r\n', pos, true)
  local line = ssub(s, pos + 1, e - 1)
  if t == 36 then -- $
    local n = tonumber(line)
    if n < 0 then return false, e + 2 end
    return ssub(s, e + 2, e + 1 + n), e + 4 + n
  elseif t == 58 then return tonumber(line), e + 2 -- :
  elseif t == 43 then return { ok = line }, e + 2 -- +
  elseif t == 45 then return errtable('-' .. line), e + 2 -- -
  elseif t == 42 or t == 126 or t == 37 then -- * ~ %
    local n = tonumber(line)
    pos = e + 2
    if n < 0 then return false, pos end
    local a = {}
    if t == 42 then
      for i = 1, n do a[i], pos = parse(s, pos) end
      return a, pos
    elseif t == 126 then
      local v
      for i = 1, n do v, pos = parse(s, pos) a[v] = true end
      return { set = a }, pos
    else
      local k, v
      for i = 1, n do k, pos = parse(s, pos) v, pos = parse(s, pos) a[k] = v end
      return { map = a }, pos
    end
  elseif t == 95 then return nil, e + 2 -- _
  elseif t == 35 then return line == 't', e + 2 -- #
  elseif t == 44 then return { double = tonumber(line) }, e + 2 -- ,
  elseif t == 40 then return { big_number = line }, e + 2 -- (
  elseif t == 61 then -- =
    local n = tonumber(line)
    local body = ssub(s, e + 2, e + 1 + n)
    return { verbatim_string = { format = ssub(body, 1, 3), string = ssub(body, 5) } }, e + 4 + n
  end
  return nil, e + 2
end

-- The host's answer to a call: a tag and a payload.
local function reply(tag, v)
  if tag == 'b' then return v
  elseif tag == 'i' then return tonumber(v)
  elseif tag == 'n' then return false
  elseif tag == 's' then return { ok = v }
  elseif tag == 'r' then return (parse(v, 1))
  elseif tag == 'B' then return unesc(v)
  elseif tag == 'R' then return (parse(unesc(v), 1))
  elseif tag == 'e' then return errtable(v)
  elseif tag == 'x' then return nil
  elseif tag == 't' then return true
  end
  return nil
end

-- ---- a script's value to RESP ------------------------------------------------------------------

local MAXDEPTH = 1000
local enc
-- Appends the RESP of v to o (from index n); p3: the caller speaks RESP3; s3: the script set RESP3.
enc = function(v, o, n, p3, s3, depth)
  local t = type(v)
  if t == 'string' then
    o[n + 1] = '$' .. #v .. '\r\n'
    o[n + 2] = v
    o[n + 3] = '\r\n'
    return n + 3
  elseif t == 'number' then
    o[n + 1] = ':' .. int(v) .. '\r\n'
    return n + 1
  elseif t == 'boolean' then
    if s3 then
      if p3 then o[n + 1] = v and '#t\r\n' or '#f\r\n' else o[n + 1] = v and ':1\r\n' or ':0\r\n' end
    elseif v then o[n + 1] = ':1\r\n'
    else o[n + 1] = p3 and '_\r\n' or '$-1\r\n' end
    return n + 1
  elseif t == 'table' then
    if depth > MAXDEPTH then
      o[n + 1] = '-ERR reached lua stack limit\r\n'
      return n + 1
    end
    local e = rawget(v, 'err')
    if type(e) == 'string' then
      o[n + 1] = '-' .. sgsub(e, '[\r\n]', ' ') .. '\r\n'
      return n + 1
    end
    local ok = rawget(v, 'ok')
    if type(ok) == 'string' then
      o[n + 1] = '+' .. sgsub(ok, '[\r\n]', ' ') .. '\r\n'
      return n + 1
    end
    local d = rawget(v, 'double')
    if type(d) == 'number' then
      local s = dbl(d)
      if p3 then o[n + 1] = ',' .. s .. '\r\n' return n + 1 end
      o[n + 1] = '$' .. #s .. '\r\n' .. s .. '\r\n'
      return n + 1
    end
    local big = rawget(v, 'big_number')
    if type(big) == 'string' then
      if p3 then o[n + 1] = '(' .. big .. '\r\n' return n + 1 end
      o[n + 1] = '$' .. #big .. '\r\n' .. big .. '\r\n'
      return n + 1
    end
    local vs = rawget(v, 'verbatim_string')
    if type(vs) == 'table' then
      local f, s = rawget(vs, 'format'), rawget(vs, 'string')
      if type(f) == 'string' and type(s) == 'string' then
        if p3 then o[n + 1] = '=' .. (#s + 4) .. '\r\n' .. f .. ':' .. s .. '\r\n' return n + 1 end
        o[n + 1] = '$' .. #s .. '\r\n' .. s .. '\r\n'
        return n + 1
      end
    end
    local m = rawget(v, 'map')
    if type(m) == 'table' then
      local at, cnt = n + 1, 0
      n = n + 1
      for k, x in next, m do
        n = enc(k, o, n, p3, s3, depth + 1)
        n = enc(x, o, n, p3, s3, depth + 1)
        cnt = cnt + 1
      end
      o[at] = (p3 and '%' or '*') .. (p3 and cnt or cnt * 2) .. '\r\n'
      return n
    end
    local st = rawget(v, 'set')
    if type(st) == 'table' then
      local at, cnt = n + 1, 0
      n = n + 1
      for k in next, st do
        n = enc(k, o, n, p3, s3, depth + 1)
        cnt = cnt + 1
      end
      o[at] = (p3 and '~' or '*') .. cnt .. '\r\n'
      return n
    end
    local at, j = n + 1, 1
    n = n + 1
    while true do
      local x = rawget(v, j)
      if x == nil then break end
      n = enc(x, o, n, p3, s3, depth + 1)
      j = j + 1
    end
    o[at] = '*' .. (j - 1) .. '\r\n'
    return n
  end
  o[n + 1] = p3 and '_\r\n' or '$-1\r\n'
  return n + 1
end

-- ---- the read-only proxies -------------------------------------------------------------

local REAL = setmetatable({}, { __mode = 'k' })
local function ro() error('Attempt to modify a readonly table', 2) end
local function readonly(t)
  local p = setmetatable({}, { __index = t, __newindex = ro, __metatable = false })
  REAL[p] = t
  return p
end
local function real(t) return REAL[t] or t end

-- ---- redis.* ---------------------------------------------------------------------------

local redis = {}
redis.call = H_call
redis.pcall = H_pcall
redis.error_reply = function(s)
  if type(s) ~= 'string' then error(errtable('wrong number or type of arguments')) end
  if ssub(s, 1, 1) ~= '-' then s = '-' .. s end
  return errtable(s)
end
redis.status_reply = function(s)
  if type(s) ~= 'string' then error(errtable('wrong number or type of arguments')) end
  return { ok = s }
end
redis.sha1hex = H_sha
redis.log = H_log
redis.setresp = H_resp
redis.set_repl = H_repl
redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
redis.acl_check_cmd = H_acl
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = H('v')
redis.REDIS_VERSION_NUM = tonumber(redis.REDIS_VERSION_NUM)
math.random = H_rand
math.randomseed = function(s) H('R', s) end

-- Raised by the host functions (LuaVM.raise): an error table, or with where '1' a
-- string error carrying the script's position (as luaL_error in a C function).
local function raise(msg, escaped, where)
  if escaped == '1' then msg = unesc(msg) end
  if where == '1' then error(msg, 3) end
  error(errtable(msg))
end

-- ---- the libraries Redis gives scripts: bit, cmsgpack, cjson, struct (lib-common.ts) ----
${LIBS}

-- ---- the script environment --------------------------------------------------------------

for _, name in ipairs({ 'print', 'dofile', 'loadfile', 'setfenv', 'getfenv', 'module', 'require', 'newproxy', 'os', 'io', 'debug', 'package' }) do
  rawset(G, name, nil)
end
local PG
-- loadstring and load give their chunks the scripts' environment (Lua would give the real globals).
local function sandboxed(f, e)
  if f then setfenv(f, PG) end
  return f, e
end
rawset(G, 'loadstring', function(s, name)
  if type(s) == 'string' and sbyte(s, 1) == 27 then return nil, 'attempt to load a binary chunk' end
  return sandboxed(loadstring(s, name))
end)
rawset(G, 'load', function(fn, name) return sandboxed(load(fn, name)) end)
rawset(G, 'rawset', function(t, k, v)
  if REAL[t] then error('Attempt to modify a readonly table', 0) end
  return rawset(t, k, v)
end)
rawset(G, 'rawget', function(t, k) return rawget(real(t), k) end)
rawset(G, 'next', function(t, k) return next(real(t), k) end)
rawset(G, 'pairs', function(t) return next, real(t), nil end)
rawset(G, 'ipairs', function(t) return ipairs(real(t)) end)
-- Redis's pcall gives the message of an error table ({err=...}) as a string; xpcall gives the table.
local function pcallret(ok, ...)
  if not ok then
    local e = ...
    if type(e) == 'table' and type(rawget(e, 'err')) == 'string' then return false, rawget(e, 'err') end
  end
  return ok, ...
end
rawset(G, 'pcall', function(f, ...) return pcallret(pcall(f, ...)) end)
rawset(G, '__redis__err__handler', errh)
rawset(G, 'redis', readonly(redis))
for _, name in ipairs({ 'string', 'math', 'table', 'coroutine' }) do rawset(G, name, readonly(rawget(G, name))) end
rawset(G, 'KEYS', {})
rawset(G, 'ARGV', {})
PG = setmetatable({}, {
  __index = function(_, k)
    local v = rawget(G, k)
    if v == nil then error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
    return v
  end,
  __newindex = ro,
  __metatable = false,
})
REAL[PG] = G
rawset(G, '_G', PG)

-- ---- the runner ------------------------------------------------------------------------------

local FUNCS = {}
local HOOK_COUNT = 100000
local killed
local function hook()
  local r = H('k')
  if r then
    killed = r
    -- Every line from now on errors again, so that a pcall in the script cannot swallow it
    -- (the prelude's own lines, the runner's, run on).
    sethook(hook, 'l')
    local i = getinfo(2, 'S')
    if i and i.source ~= PRELUDE then error(errtable(r)) end
  end
end

-- Compiles a script body as function 'name' (nil, or the compile error).
local function compile(name, body, escaped, chunk)
  if escaped == '1' then body = unesc(body) end
  if sbyte(body, 1) == 27 then return 'attempt to load a binary chunk' end
  local f, e = loadstring(body, chunk)
  if not f then return e end
  setfenv(f, PG)
  FUNCS[name] = f
  return nil
end

local function forget(name) FUNCS[name] = nil end

local function args(esc, ...)
  local a = { ... }
  if esc ~= '' then
    for i in string.gmatch(esc, '%d+') do i = tonumber(i) a[i] = unesc(a[i]) end
  end
  return a
end

-- What EVAL and FCALL return for xpcall's result: 'ok', value or 'err', message,
-- source, line (a kill requested during the call wins over its value).
local function outcome(ok, r)
  local kd = killed
  killed = nil
  if ok then
    if kd then return 'err', kd end
    return 'ok', r
  end
  if type(r) ~= 'table' then return 'err', 'ERR ' .. tostring(r) end
  local e = rawget(r, 'err')
  if type(e) ~= 'string' then e = 'ERR unknown error' end
  return 'err', e, rawget(r, 'source'), rawget(r, 'line')
end

-- EVAL: name, numkeys, the escaped arguments' indices, the keys and arguments.
-- Returns 'ok', value or 'err', message, source, line.
local function run(name, nkeys, esc, ...)
  local f = FUNCS[name]
  local a = args(esc, ...)
  local k, v = {}, {}
  nkeys = tonumber(nkeys)
  for i = 1, nkeys do k[i] = a[i] end
  for i = nkeys + 1, #a do v[i - nkeys] = a[i] end
  rawset(G, 'KEYS', k)
  rawset(G, 'ARGV', v)
  killed = nil
  sethook(hook, '', HOOK_COUNT)
  local ok, r = xpcall(f, errh)
  sethook()
  return outcome(ok, r)
end

-- A script's value as RESP: p3 '1' when the caller speaks RESP3, s3 '1' when the script set RESP 3.
local function encode(v, p3, s3)
  local o = {}
  local n = enc(v, o, 0, p3 == '1', s3 == '1', 0)
  return concat(o, '', 1, n)
end

-- Formats a number argument of redis.call as Redis 7.2 does.
local function numarg(n) return dbl(n) end

-- ---- functions (FUNCTION LOAD, FCALL: functions.ts) ------------------------------------------
--
-- A library's chunk runs with FG as its environment, so its callbacks keep it:
-- while the library loads, FG shows only the load-time API (redis.register_function,
-- redis.log and the constants, as Redis 7.0 gives it); at run time it shows the
-- scripts' globals without KEYS and ARGV (a function gets its keys and arguments as
-- parameters). Writing a global raises in both.
local LIBS = {}
local loading
local FLAGS = { ['no-writes'] = 1, ['allow-oom'] = 2, ['allow-stale'] = 3, ['no-cluster'] = 4, ['allow-cross-slot-keys'] = 5 }
local FLAGNAMES = { 'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys' }
local slower = string.lower
local function regerr(msg) error(errtable(msg)) end
local function validname(s) return #s > 0 and not sfind(s, '[^%w_]') end
local function register(...)
  local lib = loading
  if not lib then regerr('redis.register_function can only be called on FUNCTION LOAD command') end
  local n = select('#', ...)
  local name, cb, flags, desc
  if n == 1 then
    local t = ...
    if type(t) ~= 'table' then regerr('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).') end
    -- Named arguments and flags are matched ignoring case (Redis's strcasecmp).
    for k, v in next, t do
      if type(k) ~= 'string' and type(k) ~= 'number' then regerr('named argument key given to redis.register_function is not a string') end
      k = slower(tostring(k))
      if k == 'function_name' then
        if type(v) ~= 'string' and type(v) ~= 'number' then regerr('function_name argument given to redis.register_function must be a string') end
        name = tostring(v)
      elseif k == 'description' then
        if type(v) ~= 'string' and type(v) ~= 'number' then regerr('description argument given to redis.register_function must be a string') end
        desc = tostring(v)
      elseif k == 'callback' then
        if type(v) ~= 'function' then regerr('callback argument given to redis.register_function must be a function') end
        cb = v
      elseif k == 'flags' then
        if type(v) ~= 'table' then regerr('flags argument to redis.register_function must be a table representing function flags') end
        flags = v
      else regerr('unknown argument given to redis.register_function') end
    end
    if name == nil then regerr('redis.register_function must get a function name argument') end
    if cb == nil then regerr('redis.register_function must get a callback argument') end
  elseif n == 2 then
    name, cb = ...
    if type(name) ~= 'string' and type(name) ~= 'number' then regerr('first argument to redis.register_function must be a string') end
    name = tostring(name)
    if type(cb) ~= 'function' then regerr('second argument to redis.register_function must be a function') end
  else regerr('wrong number of arguments to redis.register_function') end
  local bits = {}
  if flags then
    local j = 1
    while true do
      local f = rawget(flags, j)
      if f == nil then break end
      local b = (type(f) == 'string' or type(f) == 'number') and FLAGS[slower(tostring(f))]
      if not b then regerr('unknown flag given') end
      bits[b] = true
      j = j + 1
    end
  end
  if not validname(name) then regerr('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long') end
  if lib.funcs[name] then regerr('Function already exists in the library') end
  local fl = {}
  for b = 1, 5 do if bits[b] then fl[#fl + 1] = FLAGNAMES[b] end end
  lib.funcs[name] = cb
  lib.order[#lib.order + 1] = { name, concat(fl, ','), desc }
end
local loadredis = { register_function = register, log = H_log, REDIS_VERSION = redis.REDIS_VERSION, REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3 }
-- As the globals at load time, the load-time redis table raises on a missing name.
local LOADAPI = { redis = setmetatable({}, {
  __index = function(_, k)
    local v = loadredis[k]
    if v == nil then error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
    return v
  end,
  __newindex = ro,
  __metatable = false,
}) }
REAL[LOADAPI.redis] = loadredis
local FG
FG = setmetatable({}, {
  __index = function(_, k)
    local v
    if loading then v = LOADAPI[k]
    elseif k == '_G' then v = FG
    elseif k ~= 'KEYS' and k ~= 'ARGV' then v = rawget(G, k) end
    if v == nil then error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
    return v
  end,
  __newindex = ro,
  __metatable = false,
})
REAL[FG] = G
local function loadhook()
  local r = H('l')
  if r then
    sethook()
    error(errtable(r))
  end
end

-- FUNCTION LOAD: compiles and runs a library's code as library token. Returns 'ok'
-- and, per function, its name, flags ('a,b') and description ('s' .. text, or 'n');
-- 'compile' or 'load' and the message; or 'none' when nothing was registered.
local function fload(token, code, escaped)
  if escaped == '1' then code = unesc(code) end
  if sbyte(code, 1) == 27 then return 'compile', 'attempt to load a binary chunk' end
  local f, e = loadstring(code, '@user_function')
  if not f then return 'compile', e end
  setfenv(f, FG)
  local lib = { funcs = {}, order = {} }
  loading = lib
  sethook(loadhook, '', HOOK_COUNT)
  local ok, r = xpcall(f, errh)
  sethook()
  loading = nil
  if not ok then
    local m = type(r) == 'table' and rawget(r, 'err') or ('ERR ' .. tostring(r))
    if type(m) ~= 'string' then m = 'ERR unknown error' end
    return 'load', m
  end
  if #lib.order == 0 then return 'none' end
  LIBS[token] = lib.funcs
  local out, n = { 'ok' }, 1
  for _, d in ipairs(lib.order) do
    out[n + 1] = d[1]
    out[n + 2] = d[2]
    out[n + 3] = d[3] and ('s' .. d[3]) or 'n'
    n = n + 3
  end
  return unpack(out, 1, n)
end

local function fdrop(token) LIBS[token] = nil end

-- Lua 5.1's xpcall passes no arguments: the callback and its two go through these.
local CF, CK, CV
local function callcf() local r = CF(CK, CV) return r end

-- FCALL: library token, function name, numkeys, the escaped arguments' indices, the keys and arguments.
-- Returns as run() does.
local function fcall(token, name, nkeys, esc, ...)
  local f = LIBS[token][name]
  local a = args(esc, ...)
  local k, v = {}, {}
  nkeys = tonumber(nkeys)
  for i = 1, nkeys do k[i] = a[i] end
  for i = nkeys + 1, #a do v[i - nkeys] = a[i] end
  CF, CK, CV = f, k, v
  killed = nil
  sethook(hook, '', HOOK_COUNT)
  local ok, r = xpcall(callcf, errh)
  CF, CK, CV = nil, nil, nil
  sethook()
  return outcome(ok, r)
end
-- ---- end of functions ------------------------------------------------------------------------

return { run = run, compile = compile, forget = forget, numarg = numarg, encode = encode, reply = reply, raise = raise, errh = errh,
  unesc = unesc, G = G, PG = PG, readonly = readonly, errtable = errtable, FUNCS = FUNCS, hook = hook, sethook = sethook,
  fload = fload, fdrop = fdrop, fcall = fcall }
`;
