/**
 * The TypeScript shape of a policy after loading: the repository's policy file merged over the
 * built-in default policy, validated against policies/schema.json.
 */
import type { YamlLimits } from '../manifests/yaml-doc.js';
import type { SyncSettings } from '../sync/settings.js';
import type { HealthSettings } from '../health/settings.js';
import type { ReviewSettings } from '../review/settings.js';
import type { DescriptionSettings } from '../description/settings.js';
import type { ApplicationsSettings } from '../applications/settings.js';

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
  sync: SyncSettings;
  health: HealthSettings;
  review: ReviewSettings;
  description: DescriptionSettings;
  /** ArgoCD's own controls: drift reconciliation, sync-failure notifications, AppProject fences (src/applications). */
  applications: ApplicationsSettings;
}
