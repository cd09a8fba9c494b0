// Generates a realistic GitOps monorepo for the benchmark, deterministically (seeded), as a real git
// repository: an app-of-apps root, one ArgoCD Application per app, and per app a kustomization with
// 5-15 manifests (Deployment, Service, ConfigMap, a PreSync migration Job, sync waves, hooks), plus an
// argocd-cm holding custom health checks. Files are written with fs and committed with one `git add`.
//
// Usage: node bench/generate.mjs [--apps N] [--out DIR]   (defaults: 2000 apps, bench/.work/repo)
// Exports generateRepo() for bench/run.mjs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench Author',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench Author',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

/** Runs git in `dir` with a fixed identity and date, so the generated commits are reproducible. */
export function git(dir, args) {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', maxBuffer: 1 << 30 }).trim();
}

/** Mulberry32: a small seeded PRNG, so every run generates the same repository. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEAMS = ['payments', 'checkout', 'search', 'identity', 'catalog', 'shipping', 'billing', 'platform', 'data', 'notify'];

function deployment(app, ns, r, wave) {
  const replicas = 1 + Math.floor(r() * 5);
  const env = Array.from({ length: 3 + Math.floor(r() * 8) }, (_, i) => `            - name: SETTING_${i}\n              value: "${Math.floor(r() * 1e6)}"`).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: ${app}
    app.kubernetes.io/part-of: ${ns}
  annotations:
    argocd.argoproj.io/sync-wave: "${wave}"
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${app}
    spec:
      serviceAccountName: ${app}
      containers:
        - name: ${app}
          image: registry.example.com/${ns}/${app}:1.${Math.floor(r() * 50)}.${Math.floor(r() * 20)}
          ports:
            - containerPort: 8080
          env:
${env}
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: "1", memory: 512Mi }
          readinessProbe:
            httpGet: { path: /healthz, port: 8080 }
`;
}

/** A Service in front of app's port 8080, at wave 1; without `ns`, no namespace is written (a kustomize base). */
export function service(app, ns) {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${app}
${ns === undefined ? '' : `  namespace: ${ns}\n`}  annotations:
    argocd.argoproj.io/sync-wave: "1"
spec:
  selector:
    app.kubernetes.io/name: ${app}
  ports:
    - port: 80
      targetPort: 8080
`;
}

function configMap(app, ns, r) {
  const lines = Array.from({ length: 4 + Math.floor(r() * 12) }, (_, i) => `  key_${i}: "${Math.floor(r() * 1e9).toString(36)}"`).join('\n');
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-config
  namespace: ${ns}
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
data:
${lines}
`;
}

/**
 * The PreSync migration Job (hook deleted before re-creation, sync wave -2), shared with bench/render-generate.mjs.
 * @param {{ name: string, namespace?: string, image: string }} job the Job is `<name>-migrate`; without a
 *   namespace (a kustomize base, whose overlays set it) the metadata has none
 * @returns {string} the manifest's YAML
 */
export function migrationJob({ name, namespace, image }) {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}-migrate
${namespace === undefined ? '' : `  namespace: ${namespace}\n`}  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
    argocd.argoproj.io/sync-wave: "-2"
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: ${image}
          args: ["migrate", "--to", "latest"]
`;
}

const EXTRAS = [
  (app, ns) => `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${app}\n  namespace: ${ns}\n  annotations:\n    argocd.argoproj.io/sync-wave: "-1"\n`,
  (app, ns) => `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${app} }\n  minReplicas: 2\n  maxReplicas: 10\n  metrics:\n    - type: Resource\n      resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }\n`,
  (app, ns) => `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: { app.kubernetes.io/name: ${app} }\n`,
  (app, ns) => `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${app}\n  namespace: ${ns}\n  annotations:\n    argocd.argoproj.io/sync-wave: "2"\nspec:\n  rules:\n    - host: ${app}.${ns}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend: { service: { name: ${app}, port: { number: 80 } } }\n`,
  (app, ns) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels: { app.kubernetes.io/name: ${app} }\n  ingress:\n    - from:\n        - namespaceSelector: {}\n`,
  (app, ns) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ${app}\n  namespace: ${ns}\n  annotations:\n    argocd.argoproj.io/sync-wave: "-1"\nrules:\n  - apiGroups: [""]\n    resources: [configmaps, secrets]\n    verbs: [get, list, watch]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ${app}\n  namespace: ${ns}\n  annotations:\n    argocd.argoproj.io/sync-wave: "-1"\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${app} }\nsubjects:\n  - { kind: ServiceAccount, name: ${app}, namespace: ${ns} }\n`,
  (app, ns) => `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: ${app}-cleanup\n  namespace: ${ns}\nspec:\n  schedule: "17 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n            - { name: cleanup, image: "registry.example.com/tools/cleanup:2.1" }\n`,
  (app, ns) => `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${app}-smoke\n  namespace: ${ns}\n  annotations:\n    argocd.argoproj.io/hook: PostSync\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - { name: smoke, image: "registry.example.com/tools/smoke:1.0", args: ["http://${app}.${ns}"] }\n`,
  (app, ns) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${app}-tls\n  namespace: ${ns}\n  annotations:\n    argocd.argoproj.io/sync-wave: "-1"\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: placeholder\n  tls.key: placeholder\n`,
  (app, ns) => `apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: ${app}\n  namespace: ${ns}\n  annotations:\n    argocd.argoproj.io/sync-wave: "3"\nspec:\n  selector:\n    matchLabels: { app.kubernetes.io/name: ${app} }\n  endpoints:\n    - { port: http, interval: 30s }\n`,
  (app, ns) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-dashboards\n  namespace: ${ns}\ndata:\n  dashboard.json: |\n    { "title": "${app}", "panels": [ { "type": "graph", "targets": [ { "expr": "rate(http_requests_total{app=\\"${app}\\"}[5m])" } ] } ] }\n`,
];

function application(app, team, path) {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${app}
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "10"
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: ${team}
  source:
    repoURL: https://git.example.com/platform/gitops.git
    targetRevision: main
    path: ${path}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${team}
  syncPolicy:
    automated: { prune: true, selfHeal: true }
    syncOptions: [CreateNamespace=true]
`;
}

const ARGOCD_CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
  labels:
    app.kubernetes.io/part-of: argocd
data:
  resource.customizations.health.argoproj.io_Application: |
    hs = {}
    hs.status = "Progressing"
    hs.message = ""
    if obj.status ~= nil and obj.status.health ~= nil then
      hs.status = obj.status.health.status
      if obj.status.health.message ~= nil then
        hs.message = obj.status.health.message
      end
    end
    return hs
  resource.customizations.health.batch_CronJob: |
    hs = { status = "Healthy", message = "" }
    if obj.spec.suspend == true then
      hs.status = "Suspended"
    end
    return hs
`;

/**
 * The monorepo's files, in memory (bench/action.mjs serves them through the fake GitHub).
 * @returns {{ files: Map<string, string>, first: string }} the files by path, and the first Application's directory
 */
export function monorepoFiles({ apps = 2000, seed = 20260101 } = {}) {
  const r = rng(seed);
  const files = new Map();
  const put = (p, text) => files.set(p, text);
  // The engine's own cost is measured here with rendering off; rendering (kustomize, Helm) is measured by
  // bench/render.mjs against the same renders run back to back.
  put('policies/gitops-gate.yaml', 'version: 1\nrender:\n  enabled: false\n');
  put('argocd/argocd-cm.yaml', ARGOCD_CM);
  put('apps/root.yaml', application('root', 'platform', 'argocd/applications').replace('sync-wave: "10"', 'sync-wave: "0"'));
  let first;
  for (let i = 0; i < apps; i++) {
    const team = TEAMS[i % TEAMS.length];
    const app = `${team}-svc-${String(i).padStart(4, '0')}`;
    const dir = `teams/${team}/${app}`;
    first ??= dir;
    const names = ['deployment.yaml', 'service.yaml', 'configmap.yaml', 'migration-job.yaml'];
    put(`${dir}/deployment.yaml`, deployment(app, team, r, Math.floor(r() * 3)));
    put(`${dir}/service.yaml`, service(app, team));
    put(`${dir}/configmap.yaml`, configMap(app, team, r));
    put(`${dir}/migration-job.yaml`, migrationJob({ name: app, namespace: team, image: `registry.example.com/${team}/${app}-migrations:latest` }));
    const extras = 1 + Math.floor(r() * 11); // 5-15 manifests per app
    const order = EXTRAS.map((_, k) => k);
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(r() * (k + 1));
      [order[k], order[j]] = [order[j], order[k]];
    }
    for (const k of order.slice(0, extras)) {
      const name = `extra-${k}.yaml`;
      names.push(name);
      put(`${dir}/${name}`, EXTRAS[k](app, team));
    }
    put(`${dir}/kustomization.yaml`, `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${team}\nresources:\n${names.map((n) => `  - ${n}`).join('\n')}\n`);
    put(`argocd/applications/${app}.yaml`, application(app, team, dir));
  }
  return { files, first };
}

/** The pull request's new Deployment of the first Application: a new image and a later wave. */
export function releasedDeployment(text) {
  return text.replace(/:1\.\d+\.\d+/, ':2.0.0').replace(/sync-wave: "\d+"/, 'sync-wave: "5"');
}

/**
 * Generates the repository.
 * @returns {{ dir: string, files: string[], manifests: number, prPath: string, baseSha: string, headSha: string }}
 */
export function generateRepo({ apps = 2000, out, seed = 20260101 } = {}) {
  const { files, first } = monorepoFiles({ apps, seed });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const [p, text] of files) {
    const full = join(out, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  git(out, ['init', '-q', '-b', 'main']);
  git(out, ['add', '-A']);
  git(out, ['commit', '-q', '-m', 'monorepo']);
  const baseSha = git(out, ['rev-parse', 'HEAD']);
  // The PR: one Application's Deployment gets a new image and a later wave; its migration Job a new wave.
  git(out, ['checkout', '-q', '-b', 'pr']);
  const prPath = `${first}/deployment.yaml`;
  writeFileSync(join(out, prPath), releasedDeployment(files.get(prPath)));
  writeFileSync(join(out, `${first}/migration-job.yaml`), files.get(`${first}/migration-job.yaml`).replace('sync-wave: "-2"', 'sync-wave: "-3"'));
  git(out, ['commit', '-q', '-am', 'payments: release 2.0.0']);
  const headSha = git(out, ['rev-parse', 'HEAD']);
  git(out, ['repack', '-adq']); // a clone is packed; loose objects would make every read slower
  return { dir: out, files: [...files.keys()], manifests: files.size, prPath, baseSha, headSha };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { apps: { type: 'string' }, out: { type: 'string' } } });
  const out = values.out ?? new URL('./.work/repo', import.meta.url).pathname;
  const t = performance.now();
  const res = generateRepo({ apps: Number(values.apps ?? 2000), out });
  console.log(`generated ${res.manifests} files in ${res.dir} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
