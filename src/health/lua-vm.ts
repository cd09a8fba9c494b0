/**
 * Runs one ArgoCD health script in a fresh, sandboxed Lua state (wasmoon: PUC Lua 5.4 in WebAssembly),
 * reproducing ArgoCD's `util/lua/lua.go` (v3.6.0: runLua, ExecuteHealthLua) as measured in
 * argocd-semantics.md sections 2 and 4.
 *
 * Limits are enforced inside the VM: a count hook set through the raw C API (`lua_sethook`) raises an
 * error once the deadline has passed, and the allocator refuses allocations past the memory cap.
 * A limit, once hit, poisons the state for the rest of the run, as gopher-lua's cancelled context does
 * in ArgoCD: the hook then fires on every instruction and raises again, and every allocation is refused,
 * so no `pcall`, `load` reader, error handler or `__close` handler can catch the limit and go on; the run
 * is a limit error whatever the script returns. Results are read on the host without calling
 * metamethods, and every text read from Lua is cut at {@link MAX_TEXT_BYTES}.
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
  /** The object the script sees as the global `obj` (plain JSON data). Ignored when `encoded` is given. */
  obj: unknown;
  /**
   * `obj` already encoded by {@link encodeLuaValue} (the worker host encodes each input once, on its thread,
   * and sends the bytes instead of the object), or the error the encoding gave.
   */
  encoded?: Uint8Array | { error: string };
  /** ArgoCD's `useOpenLibs` for this kind: false gives the reduced environment of argocd-cm scripts. */
  useOpenLibs: boolean;
  /**
   * `script` is already rewritten by `rewriteConcat` (src/health/lua-static.ts), which gives `..` gopher-lua's
   * number formatting. This module compiles only prepared scripts (it leaves the Lua parser out of the
   * worker's bundle): src/health/lua-run.ts prepares in-process runs, the worker host prepares each script once.
   */
  prepared?: boolean;
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
/** Lua's own text for a refused allocation (a fixed string in every state, so raising it allocates nothing). */
const MEMORY_ERROR = 'not enough memory';
const LUA_MASKCOUNT = 8;
const HOOK_EVERY = 1000;
const LUA_OK = 0;
const LUA_TNIL = 0;
const LUA_TBOOLEAN = 1;
const LUA_TNUMBER = 3;
const LUA_TSTRING = 4;
const TYPE_NAMES = ['nil', 'boolean', 'userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'];

/**
 * Longest text, in UTF-8 bytes, taken from a Lua string (a status, a message, an error): longer text is cut
 * at a character boundary and ends with `… (N bytes cut)`. A 30 MB message once crashed the Action.
 */
export const MAX_TEXT_BYTES = 4096;

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

let loading: Promise<{ lua: Lua; raw: RawModule }> | undefined;
/** The {@link RawModule} of the loaded module. */
let rawFunctions: RawModule | undefined;
let deadline = 0;
let hookPointer: number | undefined;
let allocPointer: number | undefined;
/** Memory accounting of the one Lua state alive at a time (runs are synchronous once the module is loaded). */
const memory = { used: 0, max: Number.MAX_SAFE_INTEGER };
/**
 * The limit the current run hit, if any. Set by the hook (time) or the allocator (memory); from then on
 * the state is poisoned until it is closed.
 */
let tripped: 'time' | 'memory' | undefined;
/** The main thread of the run in progress, whose hook is re-armed to every instruction when a limit trips. */
let running: number | undefined;

/** Marks the run as over its limit and makes the hook of the main thread fire on every instruction. */
function trip(lua: Lua, limit: 'time' | 'memory'): void {
  tripped ??= limit;
  if (running !== undefined && hookPointer !== undefined) lua.lua_sethook(running, hookPointer, LUA_MASKCOUNT, 1);
}

/**
 * Installs the two C callbacks once per WebAssembly module: the count hook that enforces the deadline,
 * and an allocator that refuses to grow past the memory cap (Lua then raises "not enough memory").
 * Once a limit has tripped, the hook raises on every instruction of every thread it reaches (re-arming
 * itself to a count of 1) and the allocator refuses every growth, whatever the cap.
 */
function callbacks(lua: Lua): { hook: number; alloc: number } {
  hookPointer ??= lua.module.addFunction((state: number) => {
    if (tripped === undefined && Date.now() > deadline) trip(lua, 'time');
    if (tripped !== undefined) {
      lua.lua_sethook(state, hookPointer!, LUA_MASKCOUNT, 1);
      lua.lua_pushstring(state, tripped === 'time' ? TIMEOUT_ERROR : MEMORY_ERROR);
      lua.lua_error(state);
    }
  }, 'vii');
  allocPointer ??= lua.module.addFunction((_ud: number, ptr: number, oldSize: number, newSize: number) => {
    const old = ptr ? oldSize : 0;
    if (newSize === 0) {
      if (ptr) {
        memory.used -= old;
        raw(lua)._free(ptr);
      }
      return 0;
    }
    if (newSize > old && (tripped !== undefined || memory.used + newSize - old > memory.max)) {
      // The first refusal ends the run: Lua's emergency collection and retry are refused too.
      trip(lua, 'memory');
      return 0;
    }
    const out = raw(lua)._realloc(ptr, newSize);
    if (out) memory.used += newSize - old;
    else if (newSize > old) trip(lua, 'memory'); // the WebAssembly heap itself is full
    return out;
  }, 'iiiii');
  return { hook: hookPointer, alloc: allocPointer };
}

/** Lua's pseudo-index of the registry in wasmoon's build (`-LUAI_MAXSTACK - 1000`). */
const LUA_REGISTRYINDEX = -1001000;
/** Compiled scripts kept per state; past this many the cache starts over. */
const MAX_CHUNKS = 2000;

/**
 * The Lua state of this thread, reused by every run: the prelude runs once, each script is compiled once
 * (its chunk kept in the registry), and each run gets a fresh global environment from the prelude.
 * The state allocates through Lua's own C allocator (`cAlloc`, no call into JavaScript) while trusted code
 * runs (compiling, pushing the object, building the environment), and through the limited allocator of
 * {@link callbacks} while the script runs.
 */
interface Vm {
  lua: Lua;
  L: number;
  /** Registry references of the prelude's prepare and finish functions. */
  prepare: number;
  finish: number;
  /** Lua's C allocator (`l_alloc` of lauxlib), as a function-table index. */
  cAlloc: number;
  /** Compiled chunks by script text: a registry reference, or the compile error. */
  chunks: Map<string, { ref: number } | { error: string }>;
}
let vm: Vm | undefined;

/** The loaded module, once {@link loadLua} has finished. */
let loadedLua: Lua | undefined;

async function getVm(): Promise<Vm> {
  if (vm) return vm;
  loading ??= loadLua();
  const loaded = await loading;
  loadedLua = loaded.lua;
  rawFunctions = loaded.raw;
  return (vm ??= newVm(loaded.lua));
}

/** A new state with the prelude run (the module is loaded). */
function newVm(lua: Lua): Vm {
  const { alloc } = callbacks(lua);
  memory.used = 0;
  memory.max = Number.MAX_SAFE_INTEGER;
  tripped = undefined;
  const L = lua.lua_newstate(alloc, null);
  if (!L) throw new Error('could not create a Lua state');
  lua.luaL_openlibs(L);
  lua.lua_pushstring(L, TIMEOUT_ERROR);
  lua.lua_setglobal(L, '__gg_timeout');
  if (load(lua, L, prelude, '=prelude') !== LUA_OK || lua.lua_pcallk(L, 0, 2, 0, 0, null) !== LUA_OK) {
    const why = textAt(lua, L, -1);
    lua.lua_close(L);
    throw new Error(`health-check prelude failed: ${why}`);
  }
  const finish = lua.luaL_ref(L, LUA_REGISTRYINDEX);
  const prepare = lua.luaL_ref(L, LUA_REGISTRYINDEX);
  const v: Vm = { lua, L, prepare, finish, cAlloc: cAllocator(lua), chunks: new Map() };
  lua.lua_setallocf(L, v.cAlloc, null);
  return v;
}

/** Lua's C allocator: the one `luaL_newstate` installs, read from a throwaway state. */
let cAllocPointer: number | undefined;
function cAllocator(lua: Lua): number {
  if (cAllocPointer !== undefined) return cAllocPointer;
  const T = lua.luaL_newstate();
  if (!T) throw new Error('could not create a Lua state');
  try {
    return (cAllocPointer = lua.lua_getallocf(T, null));
  } finally {
    lua.lua_close(T);
  }
}

/**
 * Makes sure this thread's Lua state exists (loading the WebAssembly module the first time), so that
 * {@link runHealthLuaLoaded} can run scripts synchronously.
 */
export async function loadHealthLua(): Promise<void> {
  await getVm();
}

/**
 * Runs a script synchronously in the state {@link loadHealthLua} made ready; the same as
 * {@link runPreparedLua} otherwise (never throws for script problems).
 * @throws Error when the state is not ready, or a run is in progress
 */
export function runHealthLuaLoaded(req: LuaRunRequest): LuaRunResult {
  if (!loadedLua || busy) throw new Error('the Lua state is not ready');
  return runOnVm((vm ??= newVm(loadedLua)), req);
}

/** A run is in progress (runs share one state). */
let busy = false;

/**
 * Closes the state (after a limit, which poisons it, or a failure of the host code), so the next run starts
 * a new one. `__gc` finalizers run at close under the same time limit (their errors are ignored by Lua); a
 * poisoned state stays poisoned while it is closed.
 */
function discardVm(timeoutMs: number): void {
  const v = vm;
  vm = undefined;
  if (!v) return;
  const { hook } = callbacks(v.lua);
  running = v.L;
  if (tripped === undefined) deadline = Date.now() + timeoutMs;
  v.lua.lua_sethook(v.L, hook, LUA_MASKCOUNT, tripped === undefined ? HOOK_EVERY : 1);
  v.lua.lua_close(v.L);
  memory.used = 0;
  memory.max = Number.MAX_SAFE_INTEGER;
  tripped = undefined;
  running = undefined;
}

/** The run in progress, if any: runs share one state, so they are made one after the other. */
let tail: Promise<unknown> = Promise.resolve();

/**
 * Runs a prepared script (see {@link LuaRunRequest.prepared}), never throws for script problems: they come
 * back as `kind: 'error'`. Calls made while another run is in progress wait for it (runs share this thread's
 * Lua state). src/health/lua-run.ts `runHealthLua` takes scripts as written.
 */
export function runPreparedLua(req: LuaRunRequest): Promise<LuaRunResult> {
  const p = tail.then(() => runOne(req));
  tail = p.catch(() => undefined);
  return p;
}

async function runOne(req: LuaRunRequest): Promise<LuaRunResult> {
  return runOnVm(await getVm(), req);
}

function runOnVm(v: Vm, req: LuaRunRequest): LuaRunResult {
  let ok = false;
  busy = true;
  try {
    const r = execute(v, req);
    ok = true;
    return r;
  } finally {
    busy = false;
    if (!ok || tripped !== undefined) discardVm(req.timeoutMs);
    else {
      raw(v.lua)._lua_settop(v.L, 0);
      memory.max = Number.MAX_SAFE_INTEGER;
      running = undefined;
    }
  }
}

/** The compiled chunk of a prepared script (compiled on first use). */
function chunkOf(v: Vm, script: string, prepared: boolean): { ref: number } | { error: string } {
  // Compiled as written, `..` would format numbers as PUC Lua does, not as ArgoCD's gopher-lua.
  if (!prepared) return { error: 'gitops-gate: the script was not prepared for gopher-lua semantics' };
  let c = v.chunks.get(script);
  if (c) return c;
  const { lua, L } = v;
  if (v.chunks.size >= MAX_CHUNKS) {
    for (const x of v.chunks.values()) if ('ref' in x) lua.luaL_unref(L, LUA_REGISTRYINDEX, x.ref);
    v.chunks.clear();
  }
  if (load(lua, L, script, '=health.lua') !== LUA_OK) {
    c = { error: textAt(lua, L, -1) };
    lua.lua_settop(L, 0);
  } else c = { ref: lua.luaL_ref(L, LUA_REGISTRYINDEX) };
  v.chunks.set(script, c);
  return c;
}

/** Tags of the encoding made by {@link encodeLuaValue}. */
const enum Tag {
  Nil = 0,
  False = 1,
  True = 2,
  /** A whole number: float64 follows, pushed as a Lua integer. */
  Int = 3,
  /** float64 follows. */
  Num = 4,
  /** uint32 byte length, then the UTF-8 bytes. */
  Str = 5,
  /** uint32 count, then the items. */
  Arr = 6,
  /** uint32 count of the entries kept, then key (a Str without its tag) and value of each. */
  Map = 7,
}

/** Deepest nesting passed to Lua. */
const MAX_DEPTH = 200;
const encoder = new TextEncoder();
/** Longest string written byte by byte when it is ASCII (keys, short values); longer ones go through the encoder. */
const ASCII_LOOP_MAX = 64;

/** The growing buffer an encoding is written into (one per thread; the result is copied out). */
let out = new Uint8Array(1 << 16);
let view = new DataView(out.buffer);
let at = 0;

function room(n: number): void {
  if (at + n <= out.length) return;
  let size = out.length * 2;
  while (size < at + n) size *= 2;
  const bigger = new Uint8Array(size);
  bigger.set(out.subarray(0, at));
  out = bigger;
  view = new DataView(out.buffer);
}

function putString(s: string): void {
  room(5 + s.length * 3);
  const lenAt = at;
  at += 4;
  let i = 0;
  if (s.length <= ASCII_LOOP_MAX) {
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[at + i] = c;
    }
  }
  if (i === s.length) at += i;
  else at += encoder.encodeInto(s, out.subarray(at)).written;
  view.setUint32(lenAt, at - lenAt - 4, true);
}

function putValue(v: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new Error('object nested too deeply');
  room(9);
  if (v === null || v === undefined) out[at++] = Tag.Nil;
  else if (typeof v === 'string') {
    out[at++] = Tag.Str;
    putString(v);
  } else if (typeof v === 'number') {
    out[at++] = Number.isSafeInteger(v) ? Tag.Int : Tag.Num;
    view.setFloat64(at, v, true);
    at += 8;
  } else if (typeof v === 'boolean') out[at++] = v ? Tag.True : Tag.False;
  else if (Array.isArray(v)) {
    out[at++] = Tag.Arr;
    view.setUint32(at, v.length, true);
    at += 4;
    for (let i = 0; i < v.length; i++) putValue(v[i], depth + 1);
  } else if (typeof v === 'object') {
    // Own enumerable keys in Object.entries order, without their null entries.
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    out[at++] = Tag.Map;
    const countAt = at;
    at += 4;
    let present = 0;
    for (const k of keys) {
      const x = o[k];
      if (x === null || x === undefined) continue;
      present++;
      putString(k);
      putValue(x, depth + 1);
    }
    view.setUint32(countAt, present, true);
  } else out[at++] = Tag.Nil;
}

/**
 * Encodes a JSON value for {@link LuaRunRequest.encoded}: a compact byte form that the VM replays into Lua
 * with one C call per value, its strings pushed straight from the bytes (no JavaScript object is rebuilt on
 * the way, and a worker receives one buffer instead of a tree to clone). The value is converted as ArgoCD's
 * decodeValue converts it: maps become tables without their null entries, arrays become 1-based tables, whole
 * numbers become Lua integers (so they print as `2`, not `2.0`, as gopher-lua prints them).
 * @returns the bytes (a buffer of their own, so they can be sent to a worker)
 * @throws Error "object nested too deeply" past 200 levels
 */
export function encodeLuaValue(v: unknown): Uint8Array {
  at = 0;
  putValue(v, 0);
  return out.slice(0, at);
}

/** Small array indices as the BigInts `lua_rawseti` takes (made once). */
const INDEX = Array.from({ length: 257 }, (_, i) => BigInt(i));

/** Where the bytes of the encoding being pushed sit in WebAssembly memory (grown when an encoding needs more). */
let scratch = { ptr: 0, size: 0 };

/** Pushes an encoding made by {@link encodeLuaValue}: one C call per value, strings read in place. */
function pushEncoded(r: RawModule, L: number, bytes: Uint8Array): void {
  if (bytes.length > scratch.size) {
    if (scratch.ptr) r._free(scratch.ptr);
    const size = Math.max(bytes.length, 1 << 16);
    scratch = { ptr: r._malloc(size), size };
    if (!scratch.ptr) {
      scratch = { ptr: 0, size: 0 };
      throw new Error('out of memory');
    }
  }
  r.HEAPU8.set(bytes, scratch.ptr);
  const base = scratch.ptr;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const value = (): void => {
    const tag = bytes[p++];
    switch (tag) {
      case Tag.Nil:
        r._lua_pushnil(L);
        return;
      case Tag.False:
      case Tag.True:
        r._lua_pushboolean(L, tag === Tag.True ? 1 : 0);
        return;
      case Tag.Int:
        r._lua_pushinteger(L, BigInt(dv.getFloat64(p, true)));
        p += 8;
        return;
      case Tag.Num:
        r._lua_pushnumber(L, dv.getFloat64(p, true));
        p += 8;
        return;
      case Tag.Str: {
        const n = dv.getUint32(p, true);
        r._lua_pushlstring(L, base + p + 4, n);
        p += 4 + n;
        return;
      }
      case Tag.Arr: {
        const n = dv.getUint32(p, true);
        p += 4;
        r._lua_createtable(L, n, 0);
        for (let i = 1; i <= n; i++) {
          value();
          r._lua_rawseti(L, -2, i < INDEX.length ? INDEX[i]! : BigInt(i));
        }
        return;
      }
      case Tag.Map: {
        const n = dv.getUint32(p, true);
        p += 4;
        r._lua_createtable(L, 0, n);
        for (let i = 0; i < n; i++) {
          const len = dv.getUint32(p, true);
          r._lua_pushlstring(L, base + p + 4, len);
          p += 4 + len;
          value();
          r._lua_rawset(L, -3);
        }
        return;
      }
      default:
        throw new Error('bad encoding');
    }
  };
  value();
}

/**
 * Compiles `source` as a chunk named `name`, leaving it (or the error) on the stack. The text is encoded
 * with the engine's own UTF-8 encoder straight into WebAssembly memory: Emscripten's `stringToUTF8` walks
 * the string one character at a time in JavaScript, which cost 0.3 ms per kilobyte of script while cold.
 */
function load(lua: Lua, L: number, source: string, name: string): number {
  const bytes = encoder.encode(source);
  const r = raw(lua);
  const buf = r._malloc(bytes.length + 1);
  if (!buf) throw new Error('out of memory');
  try {
    r.HEAPU8.set(bytes, buf);
    r.HEAPU8[buf + bytes.length] = 0;
    return r._luaL_loadbufferx(L, buf, bytes.length, cString(lua, name), cString(lua, 't'));
  } finally {
    r._free(buf);
  }
}

/** The C functions called on the hot path of a run (and by the allocator, on every allocation). */
const RAW_FUNCTIONS = [
  'lua_tolstring', 'lua_rawgeti', 'lua_pushboolean', 'lua_pcallk', 'lua_sethook', 'lua_settop', 'lua_type', 'lua_pushnil',
  'lua_pushinteger', 'lua_pushnumber', 'lua_pushlstring', 'lua_createtable', 'lua_rawseti', 'lua_rawset', 'luaL_loadbufferx',
  'lua_tonumberx', 'lua_setallocf', 'malloc', 'realloc', 'free',
] as const;

/**
 * The C functions of the module, called directly on the hot path of a run: wasmoon's `lua_*` methods go
 * through `ccall`, which converts every argument, and the module's own `_name` functions are assertion
 * wrappers (`fn.apply(null, arguments)`), each costing more than the call itself. Bound to the
 * WebAssembly instance's exports when {@link loadLua} caught them, else to the module's wrappers.
 */
interface RawModule {
  _lua_tolstring(L: number, idx: number, len: number): number;
  _lua_rawgeti(L: number, idx: number, n: bigint): number;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pcallk(L: number, nargs: number, nresults: number, errfunc: number, ctx: number, k: number): number;
  _lua_sethook(L: number, f: number, mask: number, count: number): void;
  _lua_settop(L: number, idx: number): void;
  _lua_type(L: number, idx: number): number;
  _lua_pushnil(L: number): void;
  _lua_pushinteger(L: number, n: bigint): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushlstring(L: number, s: number, len: number): number;
  _lua_createtable(L: number, narr: number, nrec: number): void;
  _lua_rawseti(L: number, idx: number, n: bigint): void;
  _lua_rawset(L: number, idx: number): void;
  _luaL_loadbufferx(L: number, buff: number, size: number, name: number, mode: number): number;
  _lua_tonumberx(L: number, idx: number, isnum: number): number;
  _lua_setallocf(L: number, f: number, ud: number): void;
  _malloc(size: number): number;
  _realloc(ptr: number, size: number): number;
  _free(ptr: number): void;
  /** The module's views of its memory (replaced by the module when the memory grows). */
  readonly HEAPU8: Uint8Array;
  readonly HEAPU32: Uint32Array;
}

/** Builds the {@link RawModule} of a module from the instance's exports (or the module's wrappers). */
function rawModule(lua: Lua, exports: Record<string, unknown> | undefined): RawModule {
  const m = lua.module as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {
    get HEAPU8() {
      return m.HEAPU8;
    },
    get HEAPU32() {
      return m.HEAPU32;
    },
  };
  for (const name of RAW_FUNCTIONS) {
    const direct = exports?.[name];
    out[`_${name}`] = typeof direct === 'function' ? direct : m[`_${name}`];
  }
  return out as unknown as RawModule;
}

/**
 * Loads wasmoon's module, catching the WebAssembly instance Emscripten creates (it keeps the exports to
 * itself) by wrapping `WebAssembly.instantiate` while the module loads: the wrapper hands every call on
 * unchanged, and keeps the exports of the instance that has Lua's C API. Without them (another loader),
 * the module's own wrappers are used.
 */
async function loadLua(): Promise<{ lua: Lua; raw: RawModule }> {
  const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  const original = wasm.instantiate;
  let exports: Record<string, unknown> | undefined;
  wasm.instantiate = async function (this: unknown, ...args: unknown[]) {
    const r = (await Reflect.apply(original, this, args)) as { instance?: { exports: Record<string, unknown> }; exports?: Record<string, unknown> };
    const found = r.instance?.exports ?? r.exports;
    if (typeof found?.lua_newstate === 'function') exports = found;
    return r;
  };
  try {
    const lua = await new LuaFactory(wasmLocation()).getLuaModule();
    return { lua, raw: rawModule(lua, exports) };
  } finally {
    wasm.instantiate = original;
  }
}

/** The part of the `WebAssembly` global that {@link loadLua} wraps (the project's TypeScript libraries do not declare it). */
interface WasmGlobal {
  instantiate: (...args: unknown[]) => Promise<unknown>;
}

/** C strings allocated once per module (chunk names, the load mode). */
const cStrings = new Map<string, number>();
function cString(lua: Lua, s: string): number {
  let p = cStrings.get(s);
  if (p === undefined) {
    const size = lua.module.lengthBytesUTF8(s) + 1;
    p = lua.module._malloc(size);
    lua.module.stringToUTF8(s, p, size);
    cStrings.set(s, p);
  }
  return p;
}
const raw = (_lua: Lua) => rawFunctions!;
let lengthPointer: number | undefined;
const utf8 = new TextDecoder();

/**
 * Cuts UTF-8 text to {@link MAX_TEXT_BYTES} at a character boundary.
 * @returns the text, with `… (N bytes cut)` appended when it was longer
 */
export function capText(bytes: Uint8Array): string {
  if (bytes.length <= MAX_TEXT_BYTES) return utf8.decode(bytes);
  let cut = MAX_TEXT_BYTES;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return `${utf8.decode(bytes.subarray(0, cut))}… (${bytes.length - cut} bytes cut)`;
}

/**
 * Reads the value at `idx` as text on the host, as plain data: strings are read from WebAssembly memory
 * (at most {@link MAX_TEXT_BYTES} of them decoded), numbers are formatted here, and any other value is
 * named by its type, the way lua.c reports a non-string error object. No metamethod (`__tostring`,
 * `__name`) runs and nothing is allocated in the Lua state.
 */
function textAt(lua: Lua, L: number, idx: number): string {
  const r = raw(lua);
  const type = r._lua_type(L, idx);
  if (type === LUA_TSTRING) {
    lengthPointer ??= r._malloc(8);
    const ptr = r._lua_tolstring(L, idx, lengthPointer);
    const len = r.HEAPU32[lengthPointer >> 2]!;
    return capText(r.HEAPU8.subarray(ptr, ptr + len));
  }
  if (type === LUA_TNUMBER) {
    if (lua.lua_isinteger(L, idx)) return String(lua.lua_tointegerx(L, idx, null));
    const n = lua.lua_tonumberx(L, idx, null);
    return Number.isFinite(n) ? String(Number(n.toPrecision(14))) : String(n);
  }
  if (type === LUA_TNIL) return 'nil';
  if (type === LUA_TBOOLEAN) return lua.lua_toboolean(L, idx) ? 'true' : 'false';
  return `(error object is a ${TYPE_NAMES[type] ?? 'userdata'} value)`;
}

function limitError(req: LuaRunRequest, limit: 'time' | 'memory'): LuaRunResult {
  return limit === 'memory'
    ? { kind: 'error', error: `memory limit exceeded (${req.memoryBytes} bytes)`, limit: 'memory' }
    : { kind: 'error', error: `time limit exceeded (${req.timeoutMs} ms)`, limit: 'time' };
}

function execute(v: Vm, req: LuaRunRequest): LuaRunResult {
  const { lua, L } = v;
  const { hook, alloc } = callbacks(lua);
  running = L;
  const chunk = chunkOf(v, req.script, req.prepared === true);
  if ('error' in chunk) return { kind: 'error', error: chunk.error };
  let bytes: Uint8Array;
  try {
    const e = req.encoded ?? encodeLuaValue(req.obj);
    if (!(e instanceof Uint8Array)) throw new Error(e.error);
    bytes = e;
  } catch (e) {
    return { kind: 'error', error: `cannot pass the object to Lua: ${e instanceof Error ? e.message : String(e)}` };
  }
  const r = raw(lua);
  // Trusted part, with Lua's C allocator: the object, a fresh environment, the bytes the state holds then.
  r._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(v.prepare));
  r._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(chunk.ref));
  r._lua_pushboolean(L, req.useOpenLibs ? 1 : 0);
  pushEncoded(r, L, bytes);
  if (r._lua_pcallk(L, 3, 1, 0, 0, 0) !== LUA_OK) throw new Error(`could not prepare the run: ${textAt(lua, L, -1)}`);
  const held = r._lua_tonumberx(L, -1, 0);
  r._lua_settop(L, 0);
  // The script's part, under the limits: the limited allocator counts from what the state holds now.
  r._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(v.finish));
  r._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(chunk.ref));
  memory.used = held;
  memory.max = held + req.memoryBytes;
  r._lua_setallocf(L, alloc, 0);
  deadline = Date.now() + req.timeoutMs;
  r._lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_EVERY);
  let status: number;
  try {
    status = r._lua_pcallk(L, 1, 3, 0, 0, 0);
  } finally {
    r._lua_sethook(L, 0, 0, 0);
  }
  // A limit hit anywhere in the run decides it, whatever the script made of the error afterwards. The state
  // keeps the limited (poisoned) allocator: it is closed with it.
  if (tripped) return limitError(req, tripped);
  r._lua_setallocf(L, v.cAlloc, 0);
  // From here no Lua code runs: the results are plain values, read on the host under the same caps.
  if (status !== LUA_OK) return { kind: 'error', error: textAt(lua, L, -1) };
  const kind = textAt(lua, L, -3);
  const a = textAt(lua, L, -2);
  const b = textAt(lua, L, -1);
  if (kind === 'not-table') return { kind: 'error', error: `expect table output from Lua script, not ${a}` };
  return { kind: kind as 'ok' | 'invalid' | 'nil' | 'empty', status: a, message: b };
}
