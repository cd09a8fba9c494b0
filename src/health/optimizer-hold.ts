/**
 * Holds V8's optimising compiler (TurboFan) off while the health worker starts or has work.
 *
 * Why: a health evaluation is a burst of short, cold work. The worker reads each test input with the line reader,
 * encodes it and runs its script; this thread posts the cases and takes their answers. TurboFan compiles that code on
 * V8's background threads as it warms up, then throws much of it away when a new input shape arrives
 * (deoptimisation) and compiles it again: on ArgoCD's 961-case corpus, V8's background threads spent about 0.45 s
 * of CPU more with the suites than without, more than the worker thread itself (0.40 s). With the optimiser held
 * off, that code runs in V8's baseline tiers (Ignition, Sparkplug), and the CPU the suites add per case fell from
 * 1.18-1.31 ms to 0.53-0.62 ms on Node 20, below gopher-lua's 0.62-0.68 ms on the same machine
 * (bench/health-corpus.mjs; docs/health.md, Speed). It is held from the worker's start: the main thread's reading
 * of the suites and inputs meanwhile is cold code too (0.09 s of CPU more saved per run).
 *
 * V8's flags are process-wide (a worker thread shares them), so the hold covers the whole process. It lasts only
 * while the worker starts or has work, so the rest of an evaluation (the manifests of a large tree, read while no script
 * runs) keeps the optimising compiler; code it optimised before the hold stays optimised. Node documents
 * `v8.setFlagsFromString` after start-up as unsupported in general; this flag is only read when V8 decides whether
 * to optimise a function, and the test suite runs through the hold under Node 20, the end-to-end suite (an argocd-cm
 * check in the bundled Action) under Node 24 as well.
 * A user's own choice of V8 tiers (`--jitless`, `--no-opt`, `--no-turbofan`, ... on the command line or in
 * NODE_OPTIONS) is left alone.
 */
import { setFlagsFromString } from 'node:v8';

/** Takes a hold; the function returned releases it (calling it again does nothing). */
export type HoldOptimizer = () => () => void;

/** Options that name V8's tiers: a process started with one keeps it. */
const TIER_OPTION = /^--(no-)?(jitless|opt|turbofan|maglev|sparkplug|always-turbofan|always-opt)(=|$)/;

/** True when the process was started with an option that chooses V8's tiers (`execArgv`, or NODE_OPTIONS). */
export function startedWithTierOption(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => TIER_OPTION.test(a.replaceAll('_', '-')));
}

/**
 * A hold counter over `setFlag` (V8's `setFlagsFromString`): the first hold turns the optimiser off, the last
 * release turns it on again; nested holds (two runners, gather.ts and rendered.ts) share one.
 * @param setFlag sets one V8 flag
 * @param enabled false makes every hold a no-op (see {@link startedWithTierOption})
 */
export function optimizerHold(setFlag: (flag: string) => void, enabled: boolean): HoldOptimizer {
  let holds = 0;
  return () => {
    if (!enabled) return () => {};
    if (holds++ === 0) setFlag('--no-turbofan');
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--holds === 0) setFlag('--turbofan');
    };
  };
}

/** The process's hold (see the module comment). */
export const holdOptimizer: HoldOptimizer = optimizerHold(setFlagsFromString, !startedWithTierOption(process.execArgv, process.env.NODE_OPTIONS));
