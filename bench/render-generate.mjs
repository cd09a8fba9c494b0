// Generates, deterministically (seeded), the three repositories of the render benchmark (bench/render.mjs),
// each a real git repository with ArgoCD Applications in apps/*.yaml:
//   shared: one kustomize base (Deployment, Service, ConfigMap, a PreSync migration Job, sync waves) shared
//           by 20 overlays (namePrefix, a strategic-merge patch, commonLabels), one Application per overlay;
//           the PR touches one file of the base, so every overlay changes;
//   helm:   one chart (Deployment whose wave comes from the values, Service, ConfigMap, ServiceAccount, a
//           PreSync migration Job) and one Application with helm.valueFiles; the PR touches the values file;
//   many:   500 Applications, each an overlay over one of 10 shared bases, for `--all`.
// (a) and (b) also hold bench-policy/no-render.yaml, a policy with `render.enabled: false`.
//
// Usage: node bench/render-generate.mjs [--out DIR]   (default bench/.work/render)
// Exports generateRenderRepos() for bench/render.mjs.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { git, migrationJob, rng, service } from './generate.mjs';

const REPO_URL = 'https://git.example.com/platform/gitops.git';
/**
 * A policy that turns rendering off (`--policy` names it), in the PR repositories (a) and (b): the gate's run
 * without rendering is the fixed cost that the render phase adds to.
 */
export const NO_RENDER_POLICY = 'bench-policy/no-render.yaml';
const NO_RENDER_POLICY_TEXT = '# The gate without rendering, for bench/render.mjs.\nversion: 1\nrender:\n  enabled: false\n';
const ENVS = ['dev', 'staging', 'prod', 'qa', 'perf'];

function application(name, path, namespace, helm) {
  const lines = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  namespace: argocd',
    'spec:',
    '  project: default',
    '  source:',
    `    repoURL: ${REPO_URL}`,
    '    targetRevision: HEAD',
    `    path: ${path}`,
  ];
  if (helm) lines.push('    helm:', `      releaseName: ${helm.releaseName}`, '      valueFiles:', ...helm.valueFiles.map((v) => `        - ${v}`));
  lines.push(
    '  destination:',
    '    server: https://kubernetes.default.svc',
    `    namespace: ${namespace}`,
    '  syncPolicy:',
    '    automated: { prune: true, selfHeal: true }',
    '    syncOptions: [CreateNamespace=true]',
    '',
  );
  return lines.join('\n');
}

/** The files of one kustomize base: Deployment (wave 1), Service (wave 1), ConfigMap (wave -1), PreSync migration Job (wave -2). */
function baseFiles(dir, name, r, tag) {
  const env = Array.from({ length: 4 + Math.floor(r() * 6) }, (_, i) => `            - name: SETTING_${i}\n              value: "${Math.floor(r() * 1e6)}"`).join('\n');
  const data = Array.from({ length: 4 + Math.floor(r() * 8) }, (_, i) => `  key_${i}: "${Math.floor(r() * 1e9).toString(36)}"`).join('\n');
  return {
    [`${dir}/kustomization.yaml`]: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - configmap.yaml\n  - migration-job.yaml\n  - deployment.yaml\n  - service.yaml\n',
    [`${dir}/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
  annotations:
    argocd.argoproj.io/sync-wave: "1"
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      containers:
        - name: ${name}
          image: registry.example.com/platform/${name}:${tag}
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef:
                name: ${name}-config
          env:
${env}
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: "1", memory: 512Mi }
          readinessProbe:
            httpGet: { path: /healthz, port: 8080 }
`,
    [`${dir}/service.yaml`]: service(name),
    [`${dir}/configmap.yaml`]: `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
data:
${data}
`,
    [`${dir}/migration-job.yaml`]: migrationJob({ name, image: `registry.example.com/platform/${name}-migrations:${tag}` }),
  };
}

/** One overlay over `base` (a path relative to the repository root): namePrefix, namespace, commonLabels, a patch of the Deployment. */
function overlayFiles(dir, baseRel, baseName, prefix, namespace, r) {
  return {
    [`${dir}/kustomization.yaml`]: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: ${prefix}-
namespace: ${namespace}
commonLabels:
  env: ${ENVS[Math.floor(r() * ENVS.length)]}
  overlay: ${prefix}
resources:
  - ${baseRel}
patches:
  - path: deployment-patch.yaml
`,
    [`${dir}/deployment-patch.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${baseName}
spec:
  replicas: ${1 + Math.floor(r() * 6)}
  template:
    spec:
      containers:
        - name: ${baseName}
          env:
            - name: OVERLAY
              value: ${prefix}
          resources:
            limits: { cpu: "${1 + Math.floor(r() * 3)}", memory: ${256 * (1 + Math.floor(r() * 4))}Mi }
`,
  };
}

const HELPERS = `{{- define "web.fullname" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}
{{- define "web.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
`;

const HELM_TEMPLATES = {
  'deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
  annotations:
    argocd.argoproj.io/sync-wave: {{ .Values.wave | quote }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        {{- include "web.labels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ include "web.fullname" . }}
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - containerPort: {{ .Values.port }}
          env:
            {{- range $k, $v := .Values.env }}
            - name: {{ $k }}
              value: {{ $v | quote }}
            {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
`,
  'service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
  annotations:
    argocd.argoproj.io/sync-wave: {{ .Values.wave | quote }}
spec:
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - port: 80
      targetPort: {{ .Values.port }}
`,
  'configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "web.fullname" . }}-config
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
data:
  {{- toYaml .Values.config | nindent 2 }}
`,
  'serviceaccount.yaml': `apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "web.fullname" . }}
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
`,
  'migration-job.yaml': `{{- if .Values.migration.enabled }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "web.fullname" . }}-migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
    argocd.argoproj.io/sync-wave: {{ .Values.migration.wave | quote }}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: "{{ .Values.image.repository }}-migrations:{{ .Values.image.tag }}"
          args: ["migrate", "--to", "latest"]
{{- end }}
`,
};

function helmValues(r, tag, wave) {
  const env = Array.from({ length: 6 }, (_, i) => `  SETTING_${i}: "${Math.floor(r() * 1e6)}"`).join('\n');
  const config = Array.from({ length: 8 }, (_, i) => `  key_${i}: "${Math.floor(r() * 1e9).toString(36)}"`).join('\n');
  return `image:
  repository: registry.example.com/platform/web
  tag: "${tag}"
replicas: 3
wave: ${wave}
port: 8080
migration:
  enabled: true
  wave: -2
resources:
  requests: { cpu: 100m, memory: 128Mi }
  limits: { cpu: "1", memory: 512Mi }
env:
${env}
config:
${config}
`;
}

/** Writes `files` into a fresh directory, commits them on `main`; returns the commit. */
function commitTree(out, files, message) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeAll(out, files);
  git(out, ['init', '-q', '-b', 'main']);
  git(out, ['add', '-A']);
  git(out, ['commit', '-q', '-m', message]);
  return git(out, ['rev-parse', 'HEAD']);
}

function writeAll(out, files) {
  for (const [p, text] of Object.entries(files)) {
    const full = join(out, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

/** Commits `files` (changed contents) on a new branch `pr`; returns the commit. */
function commitPr(out, files, message) {
  git(out, ['checkout', '-q', '-b', 'pr']);
  writeAll(out, files);
  git(out, ['commit', '-q', '-am', message]);
  const sha = git(out, ['rev-parse', 'HEAD']);
  git(out, ['repack', '-adq']);
  return sha;
}

/**
 * (a) One kustomize base shared by `overlays` overlays; the PR changes the base's Deployment (new image).
 * @returns {{ dir: string, baseSha: string, headSha: string, prPath: string, applications: number }}
 */
export function generateSharedBase(out, { overlays = 20, seed = 20260201 } = {}) {
  const r = rng(seed);
  const files = { ...baseFiles('base', 'web', r, '1.4.2'), [NO_RENDER_POLICY]: NO_RENDER_POLICY_TEXT };
  for (let i = 0; i < overlays; i++) {
    const n = `o-${String(i).padStart(2, '0')}`;
    Object.assign(files, overlayFiles(`overlays/${n}`, '../../base', 'web', n, `web-${n}`, r));
    files[`apps/${n}.yaml`] = application(`web-${n}`, `overlays/${n}`, `web-${n}`);
  }
  const baseSha = commitTree(out, files, 'shared base, 20 overlays');
  const prPath = 'base/deployment.yaml';
  const headSha = commitPr(out, { [prPath]: files[prPath].replace(':1.4.2', ':1.5.0') }, 'web: release 1.5.0');
  return { dir: out, baseSha, headSha, prPath, applications: overlays };
}

/**
 * (b) One Helm chart and one Application with a value file; the PR changes the value file (new image, later wave).
 * @returns {{ dir: string, baseSha: string, headSha: string, prPath: string, applications: number }}
 */
export function generateHelm(out, { seed = 20260202 } = {}) {
  const r = rng(seed);
  const chart = 'charts/web';
  const files = {
    [`${chart}/Chart.yaml`]: 'apiVersion: v2\nname: web\ndescription: A web service\ntype: application\nversion: 0.3.1\nappVersion: "1.4.2"\n',
    [`${chart}/values.yaml`]: helmValues(r, '1.0.0', 0),
    [`${chart}/templates/_helpers.tpl`]: HELPERS,
    ...Object.fromEntries(Object.entries(HELM_TEMPLATES).map(([k, v]) => [`${chart}/templates/${k}`, v])),
    [`${chart}/values-prod.yaml`]: helmValues(r, '1.4.2', 1),
    'apps/web.yaml': application('web', chart, 'web', { releaseName: 'web', valueFiles: ['values-prod.yaml'] }),
    [NO_RENDER_POLICY]: NO_RENDER_POLICY_TEXT,
  };
  const baseSha = commitTree(out, files, 'web chart');
  const prPath = `${chart}/values-prod.yaml`;
  const headSha = commitPr(out, { [prPath]: files[prPath].replace('"1.4.2"', '"1.5.0"').replace('wave: 1', 'wave: 2') }, 'web: release 1.5.0');
  return { dir: out, baseSha, headSha, prPath, applications: 1 };
}

/**
 * (c) `apps` Applications, each an overlay over one of `bases` shared bases.
 * @returns {{ dir: string, headSha: string, applications: number, bases: number }}
 */
export function generateMany(out, { apps = 500, bases = 10, seed = 20260203 } = {}) {
  const r = rng(seed);
  const files = {};
  for (let b = 0; b < bases; b++) Object.assign(files, baseFiles(`bases/svc-${b}`, `svc-${b}`, r, `2.${b}.0`));
  for (let i = 0; i < apps; i++) {
    const n = `app-${String(i).padStart(3, '0')}`;
    const b = i % bases;
    Object.assign(files, overlayFiles(`overlays/${n}`, `../../bases/svc-${b}`, `svc-${b}`, n, `team-${i % 25}`, r));
    files[`apps/${n}.yaml`] = application(n, `overlays/${n}`, `team-${i % 25}`);
  }
  const headSha = commitTree(out, files, `${apps} Applications over ${bases} bases`);
  git(out, ['repack', '-adq']);
  return { dir: out, headSha, applications: apps, bases };
}

/** All three, under `out`. */
export function generateRenderRepos(out) {
  return {
    shared: generateSharedBase(join(out, 'shared')),
    helm: generateHelm(join(out, 'helm')),
    many: generateMany(join(out, 'many')),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = values.out ?? new URL('./.work/render', import.meta.url).pathname;
  const t = performance.now();
  const res = generateRenderRepos(out);
  console.log(JSON.stringify(res, null, 2));
  console.log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
