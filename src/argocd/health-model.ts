/**
 * ArgoCD's custom health checks as configured: where each is defined, its key, its script, and the problems
 * found reading the configuration. Read by src/argocd/health-sources.ts; used by the health and sync areas.
 */
import type { Position } from '../core/model.js';

/** Where a health check is defined. */
export type HealthOrigin =
  | 'argocd-cm' // split key resource.customizations.health.<group>_<Kind>
  | 'argocd-cm-legacy' // the resource.customizations YAML block
  | 'helm-values' // argo-cd chart values: configs.cm
  | 'argocd-cr' // operator ArgoCD CR: spec.resourceHealthChecks
  | 'argocd-cr-legacy' // operator ArgoCD CR: spec.resourceCustomizations (deprecated)
  | 'layout'; // <dir>/<group>/<Kind>/health.lua, as in argo-cd's resource_customizations/

/** One custom health check. */
export interface HealthCheckDef {
  /** ArgoCD's override key: `group/Kind`, `Kind` for the core group, or a glob (legacy block, layout `_`). */
  key: string;
  script: string;
  /** ArgoCD's useOpenLibs for the key (layout checks run with open libraries, as ArgoCD's built-ins do). */
  useOpenLibs: boolean;
  origin: HealthOrigin;
  file: string;
  /** Position of the key (or file start) that defines the check. */
  pos: Position;
  /** Line of the file holding the script's first line: script line n is file line `scriptLine + n - 1`. */
  scriptLine: number;
  /** Column of the script's text in the file (its block indentation + 1). */
  scriptColumn: number;
  /** The object holding it, for messages: `ConfigMap argocd-cm`, `ArgoCD openshift-gitops`, ... */
  holder: string;
  /**
   * True when the script's own lines are not lines of `file` (a rendered script found in a quoted string, or
   * found nowhere in the sources): every position inside it is `scriptLine`/`scriptColumn`.
   */
  scriptUnplaced?: boolean;
  /** Set for a check found only in rendered objects (src/health/rendered.ts): the group that rendered it, `Application argocd`. */
  renderedBy?: string;
}

/** A problem found while reading health-check configuration, ready to report. */
export interface ConfigProblem {
  rule: string;
  file: string;
  pos: Position;
  message: string;
  fix: string;
  subject: string;
  key: string;
}
