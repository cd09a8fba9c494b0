/**
 * The TypeScript shape of a policy after loading: the repository's policy file merged over the
 * built-in default policy, validated against policies/schema.json.
 *
 * The sections common to every area are declared here; each area declares its own section (`sync`,
 * `health`, ...) in its `area.ts` by declaration merging, so the policy layer imports no area.
 */
import type { YamlLimits } from '../manifests/yaml-doc.js';
import type { FailOn } from '../core/model.js';

/** A rule's severity setting: `off`, or the severity of its findings. */
export type SeveritySetting = 'off' | 'notice' | 'warning' | 'error';

/** A loaded, complete policy. */
export interface Policy {
  version: 1;
  manifests: { include: string[]; exclude: string[]; limits: YamlLimits };
  /** Severity overrides keyed by rule id. */
  rules: Record<string, SeveritySetting>;
  /** Compliance controls keyed by rule id or area. */
  controls: Record<string, string[]>;
  /** The ArgoCD the repository deploys with; version-dependent rules follow `version` (`MAJOR.MINOR[.PATCH]`). */
  argocd: { version: string };
  gate: GateSettings;
  /** Rendering of kustomize and Helm sources before the sync rules run (docs/render.md). */
  render: RenderSettings;
}

/**
 * The `render` section: whether and how the engine renders kustomize and Helm sources (src/engine/render-phase.ts).
 * Engine-level, so declared here rather than by an area.
 */
export interface RenderSettings {
  /** Render kustomize and Helm sources (default true); false reads every file as written and runs no tool. */
  enabled: boolean;
  /** Time allowed for one tool run, in seconds (default 60). */
  timeoutSeconds: number;
  /**
   * What an Application the change touches that cannot be rendered does: `block` reports rule
   * `render-not-evaluated` as an error, `warn` as a warning (default `block`).
   */
  notEvaluated: 'block' | 'warn';
  /** `kustomize.buildOptions` of argocd-cm (only the flags the render module passes; see docs/render.md). */
  kustomizeBuildOptions: string;
  /** Always false: remote bases and charts are never fetched and stay not evaluated. */
  network: false;
}

/**
 * The `gate` section: how strict the gate is, whatever the workflow (or the CLI's flags) ask. A
 * `pull_request` run takes its workflow file from the pull request, so its inputs are the PR's to set;
 * only the policy on the base branch can pin these (issue "Fail closed", item 5).
 */
export interface GateSettings {
  /**
   * The least strict `fail-on` a run may use (`never` < `error` < `warning`). A looser input is replaced
   * by this value, with a note; `never` lets the workflow choose.
   */
  failOn: FailOn;
}
