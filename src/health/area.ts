/**
 * The health area: custom health checks (Lua) found wherever ArgoCD reads them, validated statically and run
 * on their `health_test.yaml` cases and on a new object, as ArgoCD runs them. Its `gather` runs the scripts
 * (in a worker, with limits) while the engine reads the manifests; its `rendered` hook adds the checks that only
 * the rendered objects of a kustomization or a Helm chart hold.
 */
import type { AreaModule } from '../area/contract.js';
import type { HealthSettings } from './settings.js';
import { healthCheck, type HealthDetails } from './check.js';
import { gatherHealthFacts } from './gather.js';
import { renderedHealth } from './rendered.js';
import type { HealthFacts } from './model.js';

declare module '../area/contract.js' {
  interface SideFacts {
    /** Custom health checks found on this side, with their validation and execution results (src/health/gather.ts). */
    health?: HealthFacts;
  }
}

declare module '../core/model.js' {
  interface ReportDetails {
    /** The custom health checks found and their test results (src/health/check.ts). */
    health?: HealthDetails;
  }
}

declare module '../policy/types.js' {
  interface Policy {
    /** The health area's settings (src/health/settings.ts). */
    health: HealthSettings;
  }
}

/** The health area. */
export const healthArea: AreaModule = {
  id: 'health',
  title: 'Custom health checks',
  settingsKey: 'health',
  checks: [healthCheck],
  async gather({ change, policy, isManifest, layout }) {
    const facts = await gatherHealthFacts(change, policy, isManifest, layout);
    return { head: { health: facts.head }, ...(facts.base ? { base: { health: facts.base } } : {}) };
  },
  // Checks that only the rendered objects hold (argocd-cm from chart values, a patched ArgoCD CR): src/health/rendered.ts.
  rendered: renderedHealth,
};
