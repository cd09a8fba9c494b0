/**
 * Policy settings of the sync area: the TypeScript shape of `sync` in policies/schema.json.
 * Values are already merged with the default policy when checks see them.
 */

/** ArgoCD sync phases that order resources (PreDelete and PostDelete only run when an Application is deleted). */
export type OrderPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';

/** A role a resource plays in the database, migration, workload ordering (see {@link SyncSettings}). */
export type ResourceRole = 'database' | 'migration' | 'consumer';

/**
 * Selects resources of one sync group. Every field given must match (AND); inside a list any item may match (OR).
 * Globs are minimatch globs.
 */
export interface ResourceSelector {
  /** Kinds, exactly as written (`Deployment`), or `group/Kind` (`apps/Deployment`). */
  kinds?: string[];
  /** API groups (`''` for the core group). */
  groups?: string[];
  /** Globs matched against `metadata.name`, or `metadata.generateName` when there is no name. */
  names?: string[];
  /** Labels that must be present; each value is a glob (`*` for any value). */
  labels?: Record<string, string>;
  /** Annotations that must be present; each value is a glob. */
  annotations?: Record<string, string>;
  /** Phases the resource must run in (a non-hook runs in Sync). */
  phases?: OrderPhase[];
  /** A role defined by the `databases`, `migrations` and `consumers` settings. */
  role?: ResourceRole;
}

/** Rule ids an ordering constraint can report under. */
export type OrderingRuleId = 'ordering-violated' | 'presync-hook-before-database' | 'migration-wave-not-before-consumer';

/** "Every resource matching `before` runs in an earlier (phase, wave) than every related resource matching `after`." */
export interface OrderingConstraint {
  /** A name for messages, for example `schema migrations before the workloads that use them`. */
  name: string;
  before: ResourceSelector;
  after: ResourceSelector;
  /**
   * Which pairs are related: `any` (every pair in the group), or `same-image` (the two share a container image
   * repository, or the `after` resource is named in `consumers.names`). Default `any`.
   */
  relation?: 'any' | 'same-image';
  /** The rule a violation is reported under. Default `ordering-violated`. */
  rule?: OrderingRuleId;
}

/** The `sync` section of the policy. */
export interface SyncSettings {
  /** Which Applications define sync groups. */
  applications: {
    /** Globs of `spec.source.repoURL` values that mean "this repository"; empty: every repoURL does. */
    repoURLs: string[];
  };
  /** How schema migrations are recognised: a Job (or hook Pod) matching a name glob or one of the labels. */
  migrations: { names: string[]; labels: Record<string, string> };
  /** How databases are recognised: these `group/Kind`s, or a StatefulSet running one of these image globs. */
  databases: { kinds: string[]; images: string[] };
  /** Workloads that use a migrated schema: these kinds; `names` are consumers whatever image they run. */
  consumers: { kinds: string[]; names: string[] };
  /** API groups whose CRDs are installed in the cluster outside the Application (no SkipDryRunOnMissingResource needed). */
  clusterCrdGroups: string[];
  /**
   * Globs of `group/Kind` that every cluster of the repository's platform has (OpenShift, OLM, the OpenShift GitOps
   * `ArgoCD` CR): custom resources of these kinds need no SkipDryRunOnMissingResource=true. The default policy
   * ships a documented baseline; a repository policy that sets the list replaces it.
   */
  platformKinds: string[];
  /** Ordering constraints between resources of one sync group. */
  ordering: OrderingConstraint[];
}
