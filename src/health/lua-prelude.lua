-- gitops-gate: the environment a health script sees, rebuilt to match ArgoCD (util/lua/lua.go runLua,
-- v3.6.0, gopher-lua) on PUC Lua 5.4, and the sandbox around it. Runs once per Lua state; the state is
-- reused for many runs, and each run gets a fresh global environment (new library tables, a new string
-- metatable, a new package table), so nothing a script changes reaches the next one.
-- Input: the global __gg_timeout (the time-limit error text), removed here.
-- Returns two functions, called one after the other for each run (lua-vm.ts execute):
--   prepare(chunk, openlibs, obj) -> bytes: gives the chunk a fresh environment holding obj, and returns the
--     bytes the state holds then (the memory limit counts from there; trusted code, run without limits);
--   finish(chunk) -> kind, status, message: runs the script under the limits and classifies its result.
local TIMEOUT = __gg_timeout
__gg_timeout = nil
local MEMORY = "not enough memory"

local _pcall, _xpcall, _error, _load, _type, _tostring, _tonumber, _pairs, _next, _select =
  pcall, xpcall, error, load, type, tostring, tonumber, pairs, next, select
local _rawget, _rawset, _setmetatable = rawget, rawset, setmetatable
local _getmeta, _setmeta, _setupvalue = debug.getmetatable, debug.setmetatable, debug.setupvalue
local _floor, _huge, _mtype, _toint = math.floor, math.huge, math.type, math.tointeger
local _format, _concat, _match = string.format, table.concat, string.match
local ostime, osdate, osclock, osdifftime = os.time, os.date, os.clock, os.difftime
local cresume = coroutine.resume
local _gccount = collectgarbage
local stringMeta = _getmeta("")

-- Numbers as gopher-lua prints them (value.go LNumber.String): a float with an int64 value prints as an
-- integer ("2", not "2.0"); any other float as Go's fmt.Sprint does, the shortest text that reads back
-- as the same number, in exponent form when the exponent is below -4 or at least 6 (strconv 'g', -1).
local function numstr(x)
  if _mtype(x) == "integer" then return _format("%d", x) end
  if x ~= x then return "NaN" end
  if x == _huge then return "+Inf" end
  if x == -_huge then return "-Inf" end
  if x == _floor(x) and x >= -2^63 and x < 2^63 then return _format("%d", x) end
  local digits, s = 17, nil
  for p = 1, 17 do
    s = _format("%." .. (p - 1) .. "e", x)
    if _tonumber(s) == x then digits = p break end
  end
  local exp = _tonumber(_match(s, "e([-+]%d+)$"))
  if exp < -4 or exp >= 6 then return s end
  local decimals = digits - 1 - exp
  return _format("%." .. (decimals > 0 and decimals or 0) .. "f", x)
end

local function tostr(v)
  if _type(v) == "number" then return numstr(v) end
  return _tostring(v)
end

-- The `..` operator of a script is compiled as a call to this function (lua-static.ts rewriteConcat):
-- numbers print as in gopher-lua, and a missing operand fails with gopher-lua's message (vm.go).
local function catslow(a, b, ta, tb)
  local ma, mb = _getmeta(a), _getmeta(b)
  if (ma and _rawget(ma, "__concat")) or (mb and _rawget(mb, "__concat")) then return a .. b end
  _error("cannot perform concat operation between " .. ta .. " and " .. tb, 2)
end
local function cat(a, b)
  local ta, tb = _type(a), _type(b)
  if ta == "number" then
    -- integers (and floats with an integer value, made integers) concatenate natively as "%d"
    if _mtype(a) == "float" then a = _toint(a) or numstr(a) end
  elseif ta ~= "string" then
    return catslow(a, b, ta, tb)
  end
  if tb == "number" then
    if _mtype(b) == "float" then b = _toint(b) or numstr(b) end
  elseif tb ~= "string" then
    return catslow(a, b, ta, tb)
  end
  return a .. b
end

local function copy(t)
  local c = {}
  for k, v in _next, t do c[k] = v end
  return c
end

-- The libraries as loaded, before any script ran: copied into each environment.
local BASE = {}
for _, k in ipairs({ "assert", "error", "ipairs", "pairs", "next", "rawequal", "rawget", "rawlen", "rawset",
  "select", "tonumber", "type", "getmetatable" }) do BASE[k] = _G[k] end
local STRING, MATH, TABLE, COROUTINE = copy(string), copy(math), copy(table), copy(coroutine)
-- Lua 5.1 functions ArgoCD's gopher-lua has and Lua 5.4 dropped (argocd-semantics.md section 4).
TABLE.getn = function(t) return #t end
TABLE.maxn = function(t)
  local m = 0
  for k in _pairs(t) do if _type(k) == "number" and k > m then m = k end end
  return m
end
TABLE.concat = function(t, sep, i, j)
  -- gopher-lua checks its argument (L.CheckTable); level 2 names the script's line, not this one
  if _type(t) ~= "table" then _error("bad argument #1 to 'concat' (table expected, got " .. _type(t) .. ")", 2) end
  -- numbers in the list print as gopher-lua prints them
  local n = j or #t
  local parts = {}
  for k = i or 1, n do
    local v = t[k]
    parts[#parts + 1] = _type(v) == "number" and numstr(v) or v
  end
  return _concat(parts, sep)
end
MATH.pow = function(a, b) return a ^ b end
MATH.mod = math.fmod
STRING.gfind = string.gmatch
STRING.dump = nil
local sformat, gmatch, unpack = string.format, string.gmatch, table.unpack
STRING.format = function(f, ...)
  -- gopher-lua formats %s of a number as it prints it, and %d of a float as its integer part
  local n = _select("#", ...)
  local args = { ... }
  local k = 0
  for spec in gmatch(f, "%%[-+ #0]*%d*%.?%d*([%a%%])") do
    if spec ~= "%" then
      k = k + 1
      local v = args[k]
      if _type(v) == "number" then
        if spec == "s" then args[k] = numstr(v)
        elseif (spec == "d" or spec == "i") and _mtype(v) == "float" and v == v and v ~= _huge and v ~= -_huge then
          args[k] = v >= 0 and _floor(v) or -_floor(-v)
        end
      end
    end
  end
  return sformat(f, unpack(args, 1, n))
end

-- A time-limit or memory error must not be swallowed by the script's own pcall.
local function rethrow(ok, ...)
  if not ok then
    local e = ...
    if e == TIMEOUT or e == MEMORY then _error(e, 0) end
  end
  return ok, ...
end
local function spcall(f, ...) return rethrow(_pcall(f, ...)) end
local function sxpcall(f, h, ...)
  return rethrow(_xpcall(f, function(e)
    if e == TIMEOUT or e == MEMORY then return e end
    return h(e)
  end, ...))
end
COROUTINE.resume = function(co, ...) return rethrow(cresume(co, ...)) end

-- Lua runs __gc finalizers with hooks off, so a hostile finalizer could not be stopped by the time
-- limit; gopher-lua (Lua 5.1) ignores __gc on tables anyway, so it is dropped.
local function ssetmetatable(t, mt)
  if _type(mt) == "table" then _rawset(mt, "__gc", nil) end
  return _setmetatable(t, mt)
end

local function disabled(what)
  return function() _error(what .. " is not available in the gate's health-check sandbox", 2) end
end

-- Arithmetic on numeric strings ("10" + 1) works in gopher-lua with or without libraries; in Lua 5.4
-- it goes through the string metatable, which also carries the string methods.
local STRING_ARITH = {}
for k, v in _pairs(stringMeta) do if k ~= "__index" then STRING_ARITH[k] = v end end

-- A fresh global environment, as a new gopher-lua state has it.
local function newenv(openlibs)
  local env = copy(BASE)
  env._G = env
  env._VERSION = "Lua 5.1"
  env.tostring = tostr
  env.unpack = table.unpack
  env.pcall, env.xpcall, env.setmetatable = spcall, sxpcall, ssetmetatable
  env.print = function() end
  env.collectgarbage = function(opt) if opt == "count" then return 0, 0 end return 0 end
  env.dofile, env.loadfile = disabled("dofile"), disabled("loadfile")
  -- gopher-lua's Lua 5.1 load (baselib.go baseLoad): load(reader [, chunkname]) calls the reader until it
  -- returns nil or "", unprotected (an error in the reader, a limit included, propagates); the chunk gets
  -- the global environment. A string argument is an error there, as in Lua 5.1.
  env.load = function(reader, name)
    if _type(reader) ~= "function" then
      _error("bad argument #1 to 'load' (function expected, got " .. (reader == nil and "no value" or _type(reader)) .. ")", 2)
    end
    local parts, n = {}, 0
    while true do
      local piece = reader()
      if piece == nil then break end
      local t = _type(piece)
      if t ~= "string" and t ~= "number" then return nil, "reader function must return a string" end
      piece = _tostring(piece)
      if piece == "" then break end
      n = n + 1
      parts[n] = piece
    end
    return _load(_concat(parts), name == nil and "=?" or name, "t", env)
  end
  env.loadstring = function(s, name) return _load(s, name, "t", env) end
  local tbl = copy(TABLE)
  env.table = tbl
  local modules
  if openlibs then
    local str, mth, co = copy(STRING), copy(MATH), copy(COROUTINE)
    local os = { time = ostime, date = osdate, clock = osclock, difftime = osdifftime }
    env.string, env.math, env.os, env.coroutine = str, mth, os, co
    local meta = copy(STRING_ARITH)
    meta.__index = str
    _setmeta("", meta)
    modules = { string = str, math = mth, table = tbl, os = os, coroutine = co }
  else
    -- useOpenLibs=false: gopher-lua opens only base, table, package and a "safe os" that registers
    -- into `table` (a no-op), so string, math, os and coroutine are nil and strings have no methods.
    _setmeta("", copy(STRING_ARITH))
    modules = { table = tbl, os = { time = ostime, date = osdate } }
  end
  env.package = { loaded = { _G = env, table = tbl } }
  env.require = function(name)
    local m = modules[name]
    if m ~= nil then return m end
    _error("module '" .. _tostring(name) .. "' not found", 2)
  end
  return env
end

local VALID = { Healthy = true, Progressing = true, Degraded = true, Suspended = true, Missing = true, Unknown = true }

-- ArgoCD encodes the returned table with gopher-json and decodes it into {status, message}
-- (util/lua/lua.go ExecuteHealthLua): the first key decides array or object; an empty table encodes
-- as [], and any JSON type mismatch gives an empty HealthStatus.
local function classify(r)
  if r == nil then return "nil", "", "" end
  if _type(r) ~= "table" then return "not-table", _type(r), "" end
  local k = _next(r)
  if k == nil or _type(k) ~= "string" then return "empty", "", "" end
  local s, m = _rawget(r, "status"), _rawget(r, "message")
  if (s ~= nil and _type(s) ~= "string") or (m ~= nil and _type(m) ~= "string") then return "empty", "", "" end
  if s == nil or not VALID[s] then return "invalid", s or "", m or "" end
  return "ok", s, m or ""
end

-- Everything a script could reach is in its environment; drop the real globals' dangerous parts anyway.
io, debug, package, require, dofile, loadfile = nil, nil, nil, nil, nil, nil

local function prepare(chunk, openlibs, obj)
  local env = newenv(openlibs)
  env.obj = obj
  _setupvalue(chunk, 1, env)
  return _gccount("count") * 1024
end
local function finish(chunk)
  return classify(chunk(cat))
end
return prepare, finish
