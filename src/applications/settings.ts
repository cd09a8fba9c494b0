/**
 * Policy settings of the applications area: the TypeScript shape of `applications` in policies/schema.json.
 * Values are already merged with the default policy when checks see them.
 */

/**
 * Selects ArgoCD Applications. Every field given must match (AND); inside a list any item may match (OR).
 * Globs use `*` for any run of characters. An empty selector (`{}`) selects every Application.
 */
export interface AppSelector {
  /** Globs matched against `metadata.name`. */
  names?: string[];
  /** Labels that must be present on the Application; each value is a glob (`*` for any value). */
  labels?: Record<string, string>;
  /** Globs matched against `spec.project` (`default` when unset). */
  projects?: string[];
  /** Globs matched against `spec.destination.server` or `spec.destination.name`. */
  clusters?: string[];
  /** Globs matched against `spec.destination.namespace`. */
  namespaces?: string[];
  /** `true`: only Applications the `production` selection selects. */
  production?: boolean;
}

/** A fence of an AppProject that a wildcard opens. */
export type Fence = 'sourceRepos' | 'destinationServer' | 'destinationNamespace' | 'clusterResources';

/** The `applications` section of the policy. */
export interface ApplicationsSettings {
  /** Which Applications are production: any selector may match. Empty: none (weakening findings stay warnings). */
  production: AppSelector[];
  /** Drift reconciliation: Applications that must sync automatically with selfHeal, prune and a retry limit. */
  drift: { require: AppSelector[] };
  /** Sync-failure notifications. */
  notifications: {
    /** Applications that must subscribe (themselves or through their AppProject) to a sync-failure trigger. */
    require: AppSelector[];
    /** Trigger names that notify of a failed sync. */
    triggers: string[];
  };
  /** AppProject fences. */
  projects: {
    /** Wildcard fences allowed per AppProject name (glob): for example `platform: [clusterResources]`. */
    allow: Record<string, Fence[]>;
  };
}
