/**
 * Runs one ArgoCD health script in a fresh, sandboxed Lua state (wasmoon: PUC Lua 5.4 in WebAssembly),
 * reproducing ArgoCD's `util/lua/lua.go` (v3.6.0: runLua, ExecuteHealthLua) as measured in
 * argocd-semantics.md sections 2 and 4.
 *
 * Limits are enforced inside the VM: a count hook set through the raw C API (`lua_sethook`) raises an
 * error once the deadline has passed, and wasmoon's allocator refuses allocations past the memory cap.
 * Work inside one C function (a pathological pattern) is not interruptible by the hook: the worker host
 * ({@link ./runner-host.ts}) kills the whole thread as a last resort.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { LuaFactory, type LuaWasm } from 'wasmoon';
import prelude from './lua-prelude.lua';

/** One execution request. */
export interface LuaRunRequest {
  /** The health script's source. */
  script: string;
  /** The object the script sees as the global `obj` (plain JSON data). */
  obj: unknown;
  /** ArgoCD's `useOpenLibs` for this kind: false gives the reduced environment of argocd-cm scripts. */
  useOpenLibs: boolean;
  /** Time limit in milliseconds (ArgoCD: 1000). */
  timeoutMs: number;
  /** Memory limit of the Lua state in bytes. */
  memoryBytes: number;
}

/**
 * What ArgoCD would make of one run.
 * - `ok`: a valid status.
 * - `invalid`: the table's status is missing or not one of ArgoCD's six; ArgoCD reports
 *   `Unknown` / "Lua returned an invalid health status". `status` holds what the script returned.
 * - `nil`: the script returned nil or nothing; ArgoCD gives the empty status "".
 * - `empty`: an empty table, an array, or a status/message that is not a string; ArgoCD's JSON decoding
 *   fails and gives the empty status "".
 * - `error`: a Lua error, a result that is not a table ("expect table output from Lua script, not T"),
 *   or a limit (`limit` says which); ArgoCD reports Unknown with the error.
 */
export type LuaRunResult =
  | { kind: 'ok' | 'invalid' | 'nil' | 'empty'; status: string; message: string }
  | { kind: 'error'; error: string; limit?: 'time' | 'memory' };

/** The status and message ArgoCD would show for a result (`error` gives Unknown with the error text). */
export function argoHealth(r: LuaRunResult): { status: string; message: string } {
  switch (r.kind) {
    case 'ok':
      return { status: r.status, message: r.message };
    case 'invalid':
      return { status: 'Unknown', message: 'Lua returned an invalid health status' };
    case 'nil':
    case 'empty':
      return { status: '', message: '' };
    case 'error':
      return { status: 'Unknown', message: r.error };
  }
}

/** The error text raised by the hook; the prelude re-raises it through the script's pcall. */
const TIMEOUT_ERROR = 'gitops-gate: time limit exceeded';
const LUA_MASKCOUNT = 8;
const HOOK_EVERY = 1000;
const LUA_OK = 0;
const LUA_ERRMEM = 4;
const LUA_TNUMBER = 3;
const LUA_TSTRING = 4;

/**
 * Where wasmoon's `glue.wasm` is: next to the bundle (scripts/build.mjs copies it into dist/), or in
 * the wasmoon package when running from source.
 */
export function wasmLocation(): string {
  const bundled = fileURLToPath(new URL('./glue.wasm', import.meta.url));
  if (existsSync(bundled)) return bundled;
  return createRequire(import.meta.url).resolve('wasmoon/dist/glue.wasm');
}

type Lua = LuaWasm;

let factory: LuaFactory | undefined;
let deadline = 0;
let hookPointer: number | undefined;
let allocPointer: number | undefined;
/** Memory accounting of the one Lua state alive at a time (runs are synchronous once the module is loaded). */
const memory = { used: 0, max: Number.MAX_SAFE_INTEGER };

/**
 * Installs the two C callbacks once per WebAssembly module: the count hook that enforces the deadline,
 * and an allocator that refuses to grow past the memory cap (Lua then raises "not enough memory").
 */
function callbacks(lua: Lua): { hook: number; alloc: number } {
  hookPointer ??= lua.module.addFunction((state: number) => {
    if (Date.now() > deadline) {
      lua.lua_pushstring(state, TIMEOUT_ERROR);
      lua.lua_error(state);
    }
  }, 'vii');
  allocPointer ??= lua.module.addFunction((_ud: number, ptr: number, oldSize: number, newSize: number) => {
    const old = ptr ? oldSize : 0;
    if (newSize === 0) {
      if (ptr) {
        memory.used -= old;
        lua.module._free(ptr);
      }
      return 0;
    }
    if (newSize > old && memory.used + newSize - old > memory.max) return 0;
    const out = lua.module._realloc(ptr, newSize);
    if (out) memory.used += newSize - old;
    return out;
  }, 'iiiii');
  return { hook: hookPointer, alloc: allocPointer };
}

/** Runs the script, never throws for script problems: they come back as `kind: 'error'`. */
export async function runHealthLua(req: LuaRunRequest): Promise<LuaRunResult> {
  factory ??= new LuaFactory(wasmLocation());
  const lua = await factory.getLuaModule();
  const { hook, alloc } = callbacks(lua);
  memory.used = 0;
  memory.max = Number.MAX_SAFE_INTEGER;
  const L = lua.lua_newstate(alloc, null);
  if (!L) return { kind: 'error', error: 'could not create a Lua state' };
  try {
    return execute(lua, L, hook, req);
  } finally {
    // __gc finalizers run at close: they get the same time limit (their errors are ignored by Lua).
    deadline = Date.now() + req.timeoutMs;
    lua.lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_EVERY);
    lua.lua_close(L);
    memory.max = Number.MAX_SAFE_INTEGER;
  }
}

function pushString(lua: Lua, L: number, s: string): void {
  const size = lua.module.lengthBytesUTF8(s);
  const buf = lua.module._malloc(size + 1);
  try {
    lua.module.stringToUTF8(s, buf, size + 1);
    lua.lua_pushlstring(L, buf, size);
  } finally {
    lua.module._free(buf);
  }
}

/**
 * Pushes a JSON value as ArgoCD's decodeValue converts it: maps become tables without their null
 * entries, arrays become 1-based tables, whole numbers become Lua integers (so they print as `2`, not
 * `2.0`, as gopher-lua prints them).
 */
function pushValue(lua: Lua, L: number, v: unknown, depth = 0): void {
  if (depth > 200) throw new Error('object nested too deeply');
  if (v === null || v === undefined) lua.lua_pushnil(L);
  else if (typeof v === 'boolean') lua.lua_pushboolean(L, v ? 1 : 0);
  else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) lua.lua_pushinteger(L, BigInt(v));
    else lua.lua_pushnumber(L, v);
  } else if (typeof v === 'string') pushString(lua, L, v);
  else if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    v.forEach((x, i) => {
      pushValue(lua, L, x, depth + 1);
      lua.lua_rawseti(L, -2, BigInt(i + 1));
    });
  } else if (typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== null && x !== undefined);
    lua.lua_createtable(L, 0, entries.length);
    for (const [k, x] of entries) {
      pushString(lua, L, k);
      pushValue(lua, L, x, depth + 1);
      lua.lua_rawset(L, -3);
    }
  } else lua.lua_pushnil(L);
}

function load(lua: Lua, L: number, source: string, name: string): number {
  const size = lua.module.lengthBytesUTF8(source);
  const buf = lua.module._malloc(size + 1);
  try {
    lua.module.stringToUTF8(source, buf, size + 1);
    return lua.luaL_loadbufferx(L, buf, size, name, 't');
  } finally {
    lua.module._free(buf);
  }
}

function stringAt(lua: Lua, L: number, idx: number): string {
  return lua.lua_type(L, idx) === LUA_TSTRING || lua.lua_type(L, idx) === LUA_TNUMBER ? lua.lua_tolstring(L, idx, null) : lua.luaL_tolstring(L, idx, null);
}

function execute(lua: Lua, L: number, hook: number, req: LuaRunRequest): LuaRunResult {
  lua.luaL_openlibs(L);
  lua.lua_pushboolean(L, req.useOpenLibs ? 1 : 0);
  lua.lua_setglobal(L, '__gg_openlibs');
  lua.lua_pushstring(L, TIMEOUT_ERROR);
  lua.lua_setglobal(L, '__gg_timeout');
  if (load(lua, L, prelude, '=prelude') !== LUA_OK || lua.lua_pcallk(L, 0, 0, 0, 0, null) !== LUA_OK) {
    throw new Error(`health-check prelude failed: ${stringAt(lua, L, -1)}`);
  }
  try {
    pushValue(lua, L, req.obj);
  } catch (e) {
    return { kind: 'error', error: `cannot pass the object to Lua: ${e instanceof Error ? e.message : String(e)}` };
  }
  lua.lua_setglobal(L, 'obj');
  memory.max = memory.used + req.memoryBytes;

  lua.lua_getglobal(L, '__gg_run');
  lua.lua_pushnil(L);
  lua.lua_setglobal(L, '__gg_run');
  if (load(lua, L, req.script, '=health.lua') !== LUA_OK) return { kind: 'error', error: stringAt(lua, L, -1) };

  deadline = Date.now() + req.timeoutMs;
  lua.lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_EVERY);
  let status: number;
  try {
    status = lua.lua_pcallk(L, 1, 3, 0, 0, null);
  } finally {
    lua.lua_sethook(L, null, 0, 0);
  }
  const late = Date.now() > deadline;
  memory.max = Number.MAX_SAFE_INTEGER; // reading the result may allocate
  if (status !== LUA_OK) {
    const error = stringAt(lua, L, -1);
    if (status === LUA_ERRMEM || error.includes('not enough memory')) return { kind: 'error', error: `memory limit exceeded (${req.memoryBytes} bytes)`, limit: 'memory' };
    if (late || error.includes(TIMEOUT_ERROR)) return { kind: 'error', error: `time limit exceeded (${req.timeoutMs} ms)`, limit: 'time' };
    return { kind: 'error', error };
  }
  const kind = stringAt(lua, L, -3);
  const a = stringAt(lua, L, -2);
  const b = stringAt(lua, L, -1);
  if (kind === 'not-table') return { kind: 'error', error: `expect table output from Lua script, not ${a}` };
  return { kind: kind as 'ok' | 'invalid' | 'nil' | 'empty', status: a, message: b };
}

