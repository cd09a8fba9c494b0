/** Manifests and review facts the e2e scenarios share. */

/** A Deployment with a sync wave annotation written as `wave` (`'"1"'` quoted, `'5'` an unquoted number). */
export function deployment(name: string, wave: string): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  annotations:',
    `    argocd.argoproj.io/sync-wave: ${wave}`,
    'spec:',
    '  replicas: 1',
    '',
  ].join('\n');
}

/** A valid approval: bob, who has write access and took no part in the change, approved the head commit. */
export const APPROVED = { reviews: [['bob', 'APPROVED']] as [string, string][], permissions: { bob: 'write' } };
