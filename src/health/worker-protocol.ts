/**
 * Messages between the health worker (./worker.ts) and its host (./runner-host.ts) besides requests and
 * answers. Its own module, so the host does not import the worker's entry (which loads the Lua VM when imported).
 */

/** The message the worker posts once its Lua state is loaded (or failed to load); answers are arrays. */
export const WORKER_READY = 'ready';
