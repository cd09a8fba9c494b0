/**
 * Health scripts run on this thread, as written: each script is prepared for gopher-lua's semantics
 * ({@link rewriteConcat}) and run in this thread's Lua state (src/health/lua-vm.ts). Used when no worker
 * script is built (running from source) and by tests; the gate itself runs scripts in the worker.
 */
import { rewriteConcat } from './lua-static.js';
import { runPreparedLua, type LuaRunRequest, type LuaRunResult } from './lua-vm.js';

/**
 * Runs a health script as ArgoCD would, never throws for script problems (see {@link runPreparedLua}).
 * @param req - the request; `script` as written, unless `prepared` says it is already rewritten
 */
export function runHealthLua(req: LuaRunRequest): Promise<LuaRunResult> {
  return runPreparedLua(req.prepared ? req : { ...req, script: rewriteConcat(req.script), prepared: true });
}
