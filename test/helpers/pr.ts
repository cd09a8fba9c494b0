/** Pull request fixtures for description-policy tests. */
import type { PullRequest } from '../../src/core/model.js';

/** A ready-for-review PR with the given fields; everything else is plausible filler. */
export function makePr(fields: Partial<PullRequest> = {}): PullRequest {
  return {
    number: 7,
    title: 'Raise payments replicas',
    body: '',
    author: { login: 'octo' },
    labels: [],
    baseRef: 'main',
    headRef: 'raise-replicas',
    baseSha: 'b'.repeat(40),
    headSha: 'h'.repeat(40),
    draft: false,
    ...fields,
  };
}

/** A body with a filled Why and Rollback section. */
export const GOOD_BODY = '## Why\n\nCheckout latency doubles at peak; two more replicas absorb it.\n\n## Rollback\n\nRevert this PR; ArgoCD scales back to three replicas.\n';
