/**
 * What a policy area is to the engine: an {@link AreaModule} names the area, lists its checks (groups of
 * rules), and may gather facts before the pure phases run. A check is a pure function of gathered facts: it
 * receives parsed manifests (per side) or the whole change, and reports findings and rule outcomes through
 * the context. It never reads files or calls APIs itself; an area's `gather` does that, through the change's
 * trees and the {@link GatherContext}.
 *
 * Areas extend three interfaces here and in src/core/model.ts by declaration merging, each in its own
 * `area.ts`, so the engine needs no import of any area: {@link SideFacts} (what `gather` found on a side),
 * {@link ChangeFacts} (what `gather` adds to the change) and `ReportDetails` (what the area reports).
 */
import type { Area, Change, NotEvaluated, Override, Position, ReportDetails, RuleState, Severity, SymlinkInfo, TreeReader } from '../core/model.js';
import type { ManifestFile } from '../manifests/manifest-file.js';
import type { Resource } from '../manifests/resource.js';
import type { Policy } from '../policy/types.js';
import type { RepoLayout, SyncGroup } from '../argocd/layout.js';
import type { RenderResult } from '../render/model.js';

export type { SyncGroup } from '../argocd/layout.js';

/** Static description of one rule. */
export interface RuleInfo {
  /** Stable id used in findings and in the policy's `rules` section, for example `wave-not-string`. */
  id: string;
  area: Area;
  /** One line saying what the rule requires. */
  title: string;
  /** Severity of its findings unless the policy says otherwise. */
  defaultSeverity: Severity;
  /**
   * The behaviour behind the rule: for ArgoCD rules the ArgoCD source file (path in argoproj/argo-cd,
   * with lines), for GitHub rules the GitHub documentation or API behaviour.
   */
  reference: string;
}

/** What a check reports for one finding (the engine adds severity, reference, status and fingerprint). */
export interface FindingInput {
  file: string;
  pos: Position;
  end?: Position;
  message: string;
  fix: string;
  /** The resource or setting concerned; part of the fingerprint that matches findings across base and head. */
  subject?: string;
  /** Extra discriminator for the fingerprint when one subject can have several findings of a rule (e.g. the annotation key). */
  key?: string;
  /**
   * This finding's severity when the policy's `rules` section does not set the rule's (for example a weakening of a
   * production Application raised to `error`); default: the rule's `defaultSeverity`.
   */
  severity?: Severity;
  /**
   * Other places the problem can be fixed at (the other resource of an ordering conflict). When the change
   * touches one of them and not `file`, the report places the finding there, so the reviewer sees it on the
   * lines the PR changed (src/engine/classify.ts); the fingerprint stays the one of `file`.
   */
  related?: RelatedInput[];
}

/** A related place of a {@link FindingInput}. */
export interface RelatedInput {
  file: string;
  pos: Position;
  /** What is there, for example `apps/Deployment shop/api (Sync wave -5)`. */
  message: string;
}

/**
 * Facts an area's `gather` found on one side, keyed by area; each area declares its key in its own `area.ts`
 * (`declare module '../area/contract.js' { interface SideFacts { health?: HealthFacts } }`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- extended by the areas
export interface SideFacts {}

/**
 * One sync group of a side that the engine rendered with kustomize or Helm (src/engine/render-phase.ts): an
 * Application whose source is a kustomization or a chart, or a kustomization or chart directory that no
 * Application covers.
 */
export interface RenderedGroup {
  /** The group's display name (the Application's name, or the directory). */
  name: string;
  grouping: SyncGroup['grouping'];
  /** The directory the group covers. */
  dir: string;
  /** Where the group is defined: the Application's file and line, or the kustomization's (or Chart.yaml's) file, line 1. */
  file: string;
  line: number;
  /** One result per rendered source, in source order; any not `rendered` makes the group (partly) not evaluated. */
  results: RenderResult[];
}

/**
 * One side (base or head) of the change, as checks see it.
 *
 * Two views of the same side: {@link Snapshot.files} are the files **as written** (what the file rules read:
 * YAML syntax, duplicate keys, limits, text), and {@link Snapshot.resources} / `groups[].files` are **what ArgoCD
 * applies** (what the wave, hook, sync-option, ordering and metadata rules read). They differ only for rendered
 * groups ({@link Snapshot.renders}): there the resources are the rendered objects (positions mapped to the
 * source file and line they come from, src/render/to-manifest.ts) and the source files (kustomize patches,
 * components, Helm templates and values files) give no resources at all. Plain directory groups read the same
 * files in both views.
 */
export interface Snapshot extends SideFacts {
  side: 'base' | 'head';
  /** Manifest files in scope on this side, as written: for the file rules. */
  files: ManifestFile[];
  /** Every resource ArgoCD applies from the groups in scope: rendered objects for rendered groups, the files' resources otherwise. */
  resources: Resource[];
  /** The sync groups (Applications) in scope on this side; a rendered group's `files` are its rendered objects, grouped by origin file. */
  groups: SyncGroup[];
  /** The groups rendered with kustomize or Helm on this side (absent when none was, or rendering is off). */
  renders?: RenderedGroup[];
  /**
   * Keys of the custom health checks ArgoCD would use, from every place it reads them (argocd-cm, chart values,
   * ArgoCD CR, kustomize patches) anywhere in this side's tree, parsed by the one parser (src/argocd/health-sources.ts):
   * `argoproj.io/Application`, `PersistentVolumeClaim` for a core kind, or a glob of the legacy block. Match with
   * `hasCustomHealth` (src/argocd/builtin-health.ts). Undefined when the engine did not look.
   */
  customHealth?: ReadonlySet<string>;
  /** Every symbolic link of this side's tree, resolved; undefined when the reader cannot tell links from files. */
  symlinks?: readonly SymlinkInfo[];
  /** Manifest paths the change adds or modifies that this side's tree does not hold (head only). */
  unlisted?: readonly string[];
}

/** Context for a per-side manifest check. */
export interface SideContext {
  snapshot: Snapshot;
  policy: Policy;
  /** Reports a finding of `rule` (which must be one of the check's rules). */
  report(rule: string, finding: FindingInput): void;
}

/** Context for a once-per-change check (review and description policies, cross-side comparisons). */
export interface ChangeContext {
  change: Change;
  policy: Policy;
  head: Snapshot;
  /** Absent in `--all` mode. */
  base?: Snapshot;
  /** Reports a finding; findings from change checks count as new unless `preExisting` is set. */
  report(rule: string, finding: FindingInput & { preExisting?: boolean }): void;
  /** Sets the outcome of a rule explicitly (requirements such as "one approval" have no findings). */
  outcome(rule: string, state: RuleState, reason?: string, opts?: { blocking?: boolean }): void;
  /** Records the area's details for the report (`report.details[key]`), typed by `ReportDetails`. */
  detail<K extends keyof ReportDetails>(key: K, value: NonNullable<ReportDetails[K]>): void;
  /** Records a break-glass override: the verdict passes what would fail, and the report says who, why and how. */
  override(value: Override): void;
  notEvaluated(item: NotEvaluated): void;
  /** Adds a plain-language note to the report. */
  note(text: string): void;
}

/** A check: a named group of rules and the functions that evaluate them. */
export interface Check {
  /** Module name, for messages. */
  name: string;
  rules: RuleInfo[];
  /** Runs on each side's snapshot; findings present at both sides are pre-existing. */
  side?(ctx: SideContext): void | Promise<void>;
  /** Runs once per change, after the side checks. */
  change?(ctx: ChangeContext): void | Promise<void>;
}

/**
 * Facts an area's `gather` adds to the change before the checks run (PR templates, CODEOWNERS), keyed by the
 * change's field; each area declares what it adds in its own `area.ts`.
 */
export type ChangeFacts = Partial<Pick<Change, 'prTemplates' | 'codeowners'>>;

/** What an area's `gather` is given: the change, the policy, and ArgoCD's view of each side. */
export interface GatherContext {
  change: Change;
  policy: Policy;
  /** Which repository paths are manifests under the policy. */
  isManifest(path: string): boolean;
  /** ArgoCD's view of one side's tree (Applications, sync groups, custom health keys); cached per tree. */
  layout(tree: TreeReader): Promise<RepoLayout>;
}

/** What an area's `gather` found: facts for the change, and per side. */
export interface Gathered {
  change?: ChangeFacts;
  head?: SideFacts;
  base?: SideFacts;
}

/** What an area's {@link AreaModule.rendered} hook is given: the change and both sides, after the render phase. */
export interface RenderedContext {
  change: Change;
  policy: Policy;
  /** The head side, with `renders` (the groups rendered on it) and the facts `gather` found. */
  head: Snapshot;
  /** The base side (absent in `--all` mode). */
  base?: Snapshot;
}

/** Facts a side gains from its rendered objects: the area's own side facts, and custom health keys found only after rendering. */
export type RenderedSideFacts = SideFacts & Partial<Pick<Snapshot, 'customHealth'>>;

/** What an area's `rendered` hook found, per side; the engine assigns it to the snapshots before the side phase. */
export interface RenderedFacts {
  head?: RenderedSideFacts;
  base?: RenderedSideFacts;
}

/**
 * A policy area: its id, its title, its checks and, when it needs I/O, a `gather` phase. The composition root
 * (src/composition.ts) lists the areas once; the policy loader, the engine, SARIF and the rule docs take them
 * as an argument.
 */
export interface AreaModule {
  /** The area's id, as in `RuleInfo.area`, the report's rule outcomes and the policy's `controls`. */
  id: Area;
  /** The area's heading in docs/rules.md and the summary. */
  title: string;
  /** The policy section holding the area's settings (its JSON Schema fragment is `#/properties/<key>` of policies/schema.json), when it has one. */
  settingsKey?: string;
  /** The area's checks, in the order they run. */
  checks: readonly Check[];
  /**
   * Reads what the area's checks need (through the change's trees), concurrently with the engine's read of
   * the manifests. Throws what the trees throw; the engine fails closed on it.
   */
  gather?(ctx: GatherContext): Promise<Gathered>;
  /**
   * Runs after the render phase and before the side phase, only when a side has rendered groups
   * (`Snapshot.renders`): reads what the area needs from the rendered objects (I/O allowed, as in `gather`)
   * and returns facts that replace the side's (its own `SideFacts` key; `customHealth`, which the engine
   * assigns as given, so a hook extends the set it finds). Throws what the trees throw; the engine fails closed.
   */
  rendered?(ctx: RenderedContext): Promise<RenderedFacts>;
}

/** Every check of the areas, in area order. */
export function checksOf(areas: readonly AreaModule[]): Check[] {
  return areas.flatMap((a) => a.checks);
}

/** Every rule of the areas, by id. */
export function rulesOf(areas: readonly AreaModule[]): Map<string, RuleInfo> {
  return new Map(checksOf(areas).flatMap((c) => c.rules.map((r) => [r.id, r] as const)));
}
