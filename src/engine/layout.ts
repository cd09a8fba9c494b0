/** What ArgoCD's view of the repository (src/argocd/layout.ts) takes from the policy. */
import type { LayoutSettings } from '../argocd/layout.js';
import type { Policy } from '../policy/types.js';

const memo = new WeakMap<Policy, LayoutSettings>();

/**
 * The layout settings of a policy: its manifest selection and limits, and the repository URLs that name the
 * repository under review (`sync.applications.repoURLs`). The same object for the same policy, so the layout's
 * caches hit.
 */
export function layoutSettings(policy: Policy): LayoutSettings {
  let s = memo.get(policy);
  if (!s) memo.set(policy, (s = { manifests: policy.manifests, repoURLs: policy.sync.applications.repoURLs }));
  return s;
}
