/**
 * The contract between the engine and the checks. A check is a pure function of gathered facts:
 * it receives parsed manifests (per side) or the whole change, and reports findings and rule
 * outcomes through the context. It never reads files or calls APIs itself.
 */
import type { Area, Change, NotEvaluated, Position, RuleState, Severity, SymlinkInfo } from '../core/model.js';
import type { ManifestFile } from '../manifests/manifest-file.js';
import type { Resource } from '../manifests/resource.js';
import type { Policy } from '../policy/types.js';
import type { HealthFacts } from '../health/model.js';
import type { ApplicationRepoFacts } from '../applications/gather.js';

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
}

/** A set of resources that ArgoCD syncs together, and the files they come from. */
export interface SyncGroup {
  /** Display name: the Application's name, or the directory. */
  name: string;
  /** How the grouping was found: an Application's `spec.source.path`, a kustomization directory, or the file's directory. */
  grouping: 'application' | 'kustomization' | 'directory';
  /** The directory the group covers (repository-relative). */
  dir: string;
  /**
   * The Application resource that defines the group, when there is one: its file and name, its
   * `spec.destination.namespace`, and its `spec.syncPolicy.syncOptions` (which apply to every resource).
   */
  application?: { file: string; name: string; destinationNamespace?: string; syncOptions?: string[] };
  files: ManifestFile[];
}

/** One side (base or head) of the change, as checks see it. */
export interface Snapshot {
  side: 'base' | 'head';
  /** Manifest files in scope on this side. */
  files: ManifestFile[];
  /** All resources of those files, in file order. */
  resources: Resource[];
  /** The sync groups (Applications) in scope on this side. */
  groups: SyncGroup[];
  /**
   * Keys of the custom health checks ArgoCD would use, from every place it reads them (argocd-cm, chart values,
   * ArgoCD CR, kustomize patches) anywhere in this side's tree, parsed by the health area (src/health/sources.ts):
   * `argoproj.io/Application`, `PersistentVolumeClaim` for a core kind, or a glob of the legacy block. Match with
   * `hasCustomHealth` (src/health/builtin.ts). Undefined when the engine did not look.
   */
  customHealth?: ReadonlySet<string>;
  /** Custom health checks found on this side, with their validation and execution results (src/health/gather.ts). */
  health?: HealthFacts;
  /** Applications, AppProjects and ArgoCD configuration of this side's whole tree (src/applications/gather.ts). */
  applications?: ApplicationRepoFacts;
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
  /** Records area details for the report (for example the sync plan), keyed per side by the engine. */
  detail(key: string, value: unknown): void;
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
  /** Records area details for the report. */
  detail(key: string, value: unknown): void;
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
