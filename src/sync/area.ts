/**
 * The sync area: what ArgoCD's sync does with the resources of each Application: sync waves, hooks, sync
 * options and the order of the sync plan (gitops-engine pkg/sync), with each affected Application's plan in
 * the report.
 */
import type { AreaModule } from '../area/contract.js';
import type { SyncSettings } from './settings.js';
import { annotationCheck } from './annotations.js';
import { hookCheck } from './hooks.js';
import { optionsCheck } from './options.js';
import { orderingCheck } from './ordering.js';
import type { SyncPlansDetail } from './plan-report.js';
import { waveCheck } from './waves.js';

declare module '../core/model.js' {
  interface ReportDetails {
    /** Per affected sync group, its sync plan at base and head (src/sync/plan-report.ts). */
    syncPlans?: SyncPlansDetail;
  }
}

declare module '../policy/types.js' {
  interface Policy {
    /** The sync area's settings (src/sync/settings.ts). */
    sync: SyncSettings;
  }
}

/** The sync area. */
export const syncArea: AreaModule = {
  id: 'sync',
  title: 'ArgoCD sync',
  settingsKey: 'sync',
  checks: [annotationCheck, waveCheck, hookCheck, optionsCheck, orderingCheck],
};
