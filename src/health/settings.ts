/**
 * Policy settings of the health area: the TypeScript shape of `health` in policies/schema.json.
 * Values are already merged with the default policy when checks see them.
 */
export interface HealthSettings {
  /**
   * Globs of files kept in ArgoCD's own layout (`<dir>/<group>/<Kind>/health.lua`, `health_test.yaml`,
   * `testdata/`), as in argo-cd's `resource_customizations/`.
   */
  layout: string[];
  /** Run health scripts (tests, fresh-object runs). When false, only static validation runs. */
  execute: boolean;
  /** Time limit per run, in milliseconds (ArgoCD uses 1000: util/lua/lua.go). */
  timeoutMs: number;
  /** Memory limit per run, in MiB. */
  memoryLimitMiB: number;
  /**
   * Most script runs per side of a change. Runs past it are not made and are not passes: the health check
   * reports them per check (`health-test-budget-exhausted`, an error when the change affects the check).
   */
  maxRunsPerSide: number;
}
