/**
 * The applications area: ArgoCD's own controls on each Application and AppProject (drift reconciliation,
 * sync-failure notifications, AppProject fences), from the whole tree of each side.
 */
import type { AreaModule } from '../area/contract.js';
import type { ApplicationsSettings } from './settings.js';
import { applicationsCheck, type ApplicationsDetail } from './check.js';
import { applicationFacts, type ApplicationRepoFacts } from './gather.js';

declare module '../area/contract.js' {
  interface SideFacts {
    /** Applications, AppProjects and ArgoCD configuration of this side's whole tree (src/applications/gather.ts). */
    applications?: ApplicationRepoFacts;
  }
}

declare module '../core/model.js' {
  interface ReportDetails {
    /** Per Application, its controls at head and what the change did to them (src/applications/check.ts). */
    applications?: ApplicationsDetail;
  }
}

declare module '../policy/types.js' {
  interface Policy {
    /** ArgoCD's own controls: drift reconciliation, sync-failure notifications, AppProject fences. */
    applications: ApplicationsSettings;
  }
}

/** The applications area. */
export const applicationsArea: AreaModule = {
  id: 'applications',
  title: 'ArgoCD Applications',
  settingsKey: 'applications',
  checks: [applicationsCheck],
  async gather({ change, policy, layout }) {
    const limits = policy.manifests.limits;
    const head = applicationFacts(await layout(change.head), limits);
    if (change.mode !== 'diff' || !change.base) return { head: { applications: head } };
    return { head: { applications: head }, base: { applications: applicationFacts(await layout(change.base), limits) } };
  },
};
