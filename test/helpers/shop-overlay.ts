/**
 * The prod-overlay case of issue 15, shared by the CLI and Action tests: a base holding a migration Job (Sync
 * hook, wave 0) and the API Deployment (wave 1), and a prod overlay whose head adds a patch moving the Deployment
 * to wave "-5", ahead of its migration. Read as written, neither side has a finding; rendered, the head has.
 */

/** Files of the base and head commits, with `app` (the Application's YAML) at `apps/shop-prod.yaml`. */
export function shopOverlay(app: string): { base: Record<string, string>; head: Record<string, string> } {
  const base: Record<string, string> = {
    'apps/shop-prod.yaml': app,
    'base/kustomization.yaml': 'resources:\n  - migrate.yaml\n  - api.yaml\n',
    'base/migrate.yaml':
      'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: shop-migrate\n  annotations:\n    argocd.argoproj.io/hook: Sync\n    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation\n    argocd.argoproj.io/sync-wave: "0"\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: migrate\n          image: registry.example/shop/api:1.4.0\n',
    'base/api.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop-api\n  annotations:\n    argocd.argoproj.io/sync-wave: "1"\nspec:\n  selector:\n    matchLabels: {app: shop-api}\n  template:\n    metadata:\n      labels: {app: shop-api}\n    spec:\n      containers:\n        - name: api\n          image: registry.example/shop/api:1.4.0\n',
    'overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\n',
  };
  const head = {
    ...base,
    'overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\npatches:\n  - path: deployment-wave.yaml\n',
    'overlays/prod/deployment-wave.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop-api\n  annotations:\n    argocd.argoproj.io/sync-wave: "-5"\n',
  };
  return { base, head };
}
