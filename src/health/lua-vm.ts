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
import { LuaFactory, type LuaEngine } from 'wasmoon';
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

/**
 * Where wasmoon's `glue.wasm` is: next to the bundle (scripts/build.mjs copies it into dist/), or in
 * the wasmoon package when running from source.
 */
export function wasmLocation(): string {
  const bundled = fileURLToPath(new URL('./glue.wasm', import.meta.url));
  if (existsSync(bundled)) return bundled;
  return createRequire(import.meta.url).resolve('wasmoon/dist/glue.wasm');
}

let factory: LuaFactory | undefined;
let deadline = 0;
let hookPointer: number | undefined;

/** Runs the script, never throws for script problems: they come back as `kind: 'error'`. */
export async function runHealthLua(req: LuaRunRequest): Promise<LuaRunResult> {
  factory ??= new LuaFactory(wasmLocation());
  const engine = await factory.createEngine({ openStandardLibs: true, injectObjects: false, enableProxy: false, traceAllocations: true });
  try {
    return execute(engine, req);
  } finally {
    deadline = Number.MAX_SAFE_INTEGER; // finalizers run at close
    engine.global.close();
  }
}

function execute(engine: LuaEngine, req: LuaRunRequest): LuaRunResult {
  const g = engine.global;
  const lua = g.lua;
  const L = g.address;
  hookPointer ??= lua.module.addFunction((state: number) => {
    if (Date.now() > deadline) {
      lua.lua_pushstring(state, TIMEOUT_ERROR);
      lua.lua_error(state);
    }
  }, 'vii');
  g.set('__gg_openlibs', req.useOpenLibs);
  g.set('__gg_timeout', TIMEOUT_ERROR);
  engine.doStringSync(prelude);
  g.set('obj', toLuaValue(req.obj));
  g.setMemoryMax(g.getMemoryUsed() + req.memoryBytes);

  lua.lua_getglobal(L, '__gg_run');
  lua.lua_pushnil(L);
  lua.lua_setglobal(L, '__gg_run');
  const size = lua.module.lengthBytesUTF8(req.script);
  const buf = lua.module._malloc(size + 1);
  let loaded: number;
  try {
    lua.module.stringToUTF8(req.script, buf, size + 1);
    loaded = lua.luaL_loadbufferx(L, buf, size, '=health.lua', 't');
  } finally {
    lua.module._free(buf);
  }
  if (loaded !== LUA_OK) return { kind: 'error', error: errorText(g.getValue(-1)) };

  deadline = Date.now() + req.timeoutMs;
  lua.lua_sethook(L, hookPointer, LUA_MASKCOUNT, HOOK_EVERY);
  let status: number;
  try {
    status = lua.lua_pcallk(L, 1, 3, 0, 0, null);
  } finally {
    lua.lua_sethook(L, null, 0, 0);
  }
  const late = Date.now() > deadline;
  if (status !== LUA_OK) {
    const error = errorText(g.getValue(-1));
    if (status === LUA_ERRMEM || error.includes('not enough memory')) return { kind: 'error', error: `memory limit exceeded (${req.memoryBytes} bytes)`, limit: 'memory' };
    if (late || error.includes(TIMEOUT_ERROR)) return { kind: 'error', error: `time limit exceeded (${req.timeoutMs} ms)`, limit: 'time' };
    return { kind: 'error', error };
  }
  const kind = String(g.getValue(-3));
  const a = String(g.getValue(-2));
  const b = String(g.getValue(-1));
  if (kind === 'not-table') return { kind: 'error', error: `expect table output from Lua script, not ${a}` };
  return { kind: kind as 'ok' | 'invalid' | 'nil' | 'empty', status: a, message: b };
}

function errorText(v: unknown): string {
  if (v instanceof Error) return v.message;
  return typeof v === 'string' ? v : String(v);
}

/**
 * Converts the object as ArgoCD's decodeValue does: map entries holding null are dropped; whole numbers
 * stay numbers (wasmoon pushes them as Lua integers, so they print as `2`, not `2.0`).
 */
export function toLuaValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === null ? undefined : toLuaValue(x)));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = toLuaValue(x);
    return out;
  }
  return v;
}
