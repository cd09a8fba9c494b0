-- gitops-gate: the environment a health script sees, rebuilt to match ArgoCD (util/lua/lua.go runLua,
-- v3.6.0) on PUC Lua 5.4, and the sandbox around it. Runs once per fresh Lua state, before the script.
-- Inputs (globals, removed here): __gg_openlibs (boolean), __gg_timeout (the time-limit error text).
local openlibs = __gg_openlibs
local TIMEOUT = __gg_timeout
__gg_openlibs, __gg_timeout = nil, nil

local _pcall, _xpcall, _error, _load, _type, _tostring, _pairs = pcall, xpcall, error, load, type, tostring, pairs
local _getmeta, _setmeta = debug.getmetatable, debug.setmetatable
local ostime, osdate, osclock, osdifftime = os.time, os.date, os.clock, os.difftime
local MEMORY = "not enough memory"

-- Lua 5.1 functions ArgoCD's gopher-lua has and Lua 5.4 dropped (argocd-semantics.md section 4).
table.getn = function(t) return #t end
table.maxn = function(t)
  local m = 0
  for k in _pairs(t) do if _type(k) == "number" and k > m then m = k end end
  return m
end
unpack = table.unpack
math.pow = function(a, b) return a ^ b end
math.mod = math.fmod
string.gfind = string.gmatch

-- Sandbox: text chunks only, no files, no processes, no debug, no bytecode.
-- load is gopher-lua's (Lua 5.1, baselib.go baseLoad): load(reader [, chunkname]) calls the reader
-- until it returns nil or "", unprotected (an error in the reader, a limit included, propagates), and
-- the chunk gets the global environment. A string argument is an error there, as in Lua 5.1.
local _concat = table.concat
load = function(reader, name)
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
  return _load(_concat(parts), name == nil and "=?" or name, "t")
end
loadstring = function(s, name) return _load(s, name, "t") end
local function disabled(what)
  return function() _error(what .. " is not available in the gate's health-check sandbox", 2) end
end
dofile = disabled("dofile")
loadfile = disabled("loadfile")
print = function() end
string.dump = nil
io = nil
utf8 = nil

-- Lua runs __gc finalizers with hooks off, so a hostile finalizer could not be stopped by the time
-- limit; gopher-lua (Lua 5.1) ignores __gc on tables anyway, so it is dropped.
local _setmetatable, _rawset = setmetatable, rawset
setmetatable = function(t, mt)
  if _type(mt) == "table" then _rawset(mt, "__gc", nil) end
  return _setmetatable(t, mt)
end

-- A time-limit or memory error must not be swallowed by the script's own pcall.
local function rethrow(ok, ...)
  if not ok then
    local e = ...
    if e == TIMEOUT or e == MEMORY then _error(e, 0) end
  end
  return ok, ...
end
pcall = function(f, ...) return rethrow(_pcall(f, ...)) end
xpcall = function(f, h, ...)
  return rethrow(_xpcall(f, function(e)
    if e == TIMEOUT or e == MEMORY then return e end
    return h(e)
  end, ...))
end

local safeOs = { time = ostime, date = osdate }
local modules
if openlibs then
  local cresume = coroutine.resume
  coroutine.resume = function(co, ...) return rethrow(cresume(co, ...)) end
  os = { time = ostime, date = osdate, clock = osclock, difftime = osdifftime }
  modules = { string = string, math = math, table = table, os = os, coroutine = coroutine }
else
  -- useOpenLibs=false: gopher-lua opens only base, table, package and a "safe os" that registers
  -- into `table` (a no-op), so the globals below are nil and strings have no methods.
  _setmeta("", nil)
  string, math, os, coroutine = nil, nil, nil, nil
  modules = { table = table, os = safeOs }
end
debug = nil
package = { loaded = { _G = _G, table = table } }
require = function(name)
  local m = modules[name]
  if m ~= nil then return m end
  _error("module '" .. _tostring(name) .. "' not found", 2)
end

local VALID = { Healthy = true, Progressing = true, Degraded = true, Suspended = true, Missing = true, Unknown = true }

-- ArgoCD encodes the returned table with gopher-json and decodes it into {status, message}
-- (util/lua/lua.go ExecuteHealthLua): the first key decides array or object; an empty table encodes
-- as [], and any JSON type mismatch gives an empty HealthStatus.
local function classify(r)
  if r == nil then return "nil", "", "" end
  if _type(r) ~= "table" then return "not-table", _type(r), "" end
  local k = next(r)
  if k == nil or _type(k) ~= "string" then return "empty", "", "" end
  local s, m = rawget(r, "status"), rawget(r, "message")
  if (s ~= nil and _type(s) ~= "string") or (m ~= nil and _type(m) ~= "string") then return "empty", "", "" end
  if s == nil or not VALID[s] then return "invalid", s or "", m or "" end
  return "ok", s, m or ""
end

__gg_run = function(chunk) return classify(chunk()) end
