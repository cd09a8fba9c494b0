/**
 * The first ArgoCD rules: sync-wave values, hook phases, and misspelled ArgoCD annotation keys. Each finding points at the line of the offending annotation.
 */
import type { Check, SideContext } from '../area/contract.js';
import { quoteSource as quote, resourceLabel, yamlTypeName as typeName, type MetaEntry, type Resource } from '../manifests/resource.js';
import {
  ANNOTATION_HOOK,
  ANNOTATION_SYNC_WAVE,
  ARGOCD_PREFIX,
  HOOK_TYPES,
  KNOWN_ARGOCD_KEYS,
  closest,
  editDistance,
  parseAtoi,
  splitCsv,
} from '../argocd/vocabulary.js';

/** Prefixes people write instead of `argocd.argoproj.io/` (seen in the mistakes catalogue, entry 03). */
const PREFIX_MISSPELLINGS = new Set([
  'argoproj.io',
  'argocd.io',
  'argocd.argoproj',
  'argo-cd.argoproj.io',
  'argocd.argoproj.com',
  'argo.argoproj.io',
  'argocd.argocd.io',
  'argocd',
]);

function checkWave(ctx: SideContext, r: Resource, e: MetaEntry): void {
  const subject = resourceLabel(r);
  if (!e.isString) {
    ctx.report('wave-not-string', {
      file: r.file,
      pos: e.valuePos,
      subject,
      key: e.key,
      message: `${subject}: ${e.key} is the YAML ${typeName(e.value)} ${quote(e)}, not a string. Kubernetes annotation values must be strings: the object fails to decode, or its annotations are all ignored (wave 0, no hook).`,
      fix: `Quote the value: ${e.key}: "${String(e.value)}"`,
    });
    return;
  }
  const value = String(e.value);
  if (parseAtoi(value) === undefined) {
    ctx.report('wave-not-integer', {
      file: r.file,
      pos: e.valuePos,
      subject,
      key: e.key,
      message: `${subject}: sync-wave "${value}" is not an integer as ArgoCD parses it (strconv.Atoi: optional sign and digits, no spaces or decimals, within int64). ArgoCD silently falls back to helm.sh/hook-weight, then to wave 0.`,
      fix: `Write a whole number such as "${suggestWave(value)}", quoted.`,
    });
  }
}

function suggestWave(value: string): string {
  const t = value.trim();
  const n = Number(t);
  return Number.isFinite(n) && t !== '' ? String(Math.trunc(n)) : '0';
}

function checkHook(ctx: SideContext, r: Resource, e: MetaEntry): void {
  if (!e.isString) return; // reported by annotation-not-string
  const subject = resourceLabel(r);
  const items = splitCsv(String(e.value));
  const unknown = items.filter((i) => !(HOOK_TYPES as readonly string[]).includes(i));
  if (items.length === 0) {
    ctx.report('hook-invalid-phase', {
      file: r.file,
      pos: e.valuePos,
      subject,
      key: e.key,
      message: `${subject}: ${ANNOTATION_HOOK} is empty. The object counts as a hook with no phase, so ArgoCD never applies it.`,
      fix: `Name a phase (${HOOK_TYPES.join(', ')}) or remove the annotation.`,
    });
    return;
  }
  for (const u of unknown) {
    const near = closest(u, HOOK_TYPES, 4);
    const known = items.length - unknown.length;
    ctx.report('hook-invalid-phase', {
      file: r.file,
      pos: e.valuePos,
      subject,
      key: `${e.key}=${u}`,
      message:
        `${subject}: "${u}" is not an ArgoCD hook phase (phases are case-sensitive: ${HOOK_TYPES.join(', ')}).` +
        (known === 0
          ? ' With no valid phase left the object is a hook that belongs to no phase: ArgoCD silently never applies it.'
          : ' ArgoCD ignores this item.'),
      fix: near ? `Write "${near}".` : `Use one of ${HOOK_TYPES.join(', ')}.`,
    });
  }
}

function checkKey(ctx: SideContext, r: Resource, e: MetaEntry, where: 'annotation' | 'label'): void {
  const subject = resourceLabel(r);
  const slash = e.key.indexOf('/');
  if (slash < 0) return;
  const prefix = e.key.slice(0, slash);
  const name = e.key.slice(slash + 1);
  if (e.key.startsWith(ARGOCD_PREFIX)) {
    if (KNOWN_ARGOCD_KEYS.has(e.key)) return;
    const near = closest(e.key, KNOWN_ARGOCD_KEYS, 4);
    ctx.report('unknown-argocd-annotation', {
      file: r.file,
      pos: e.keyPos,
      subject,
      key: e.key,
      message: `${subject}: ${where} key ${e.key} is not one ArgoCD reads; ArgoCD looks keys up exactly, so this one is silently ignored.`,
      fix: near ? `Did you mean ${near}?` : 'Remove it, or use a key ArgoCD documents.',
    });
    return;
  }
  const misspelledPrefix = PREFIX_MISSPELLINGS.has(prefix) || editDistance(prefix, 'argocd.argoproj.io', 2) <= 2;
  if (!misspelledPrefix) return;
  const intended = ARGOCD_PREFIX + name;
  const near = KNOWN_ARGOCD_KEYS.has(intended) ? intended : closest(intended, KNOWN_ARGOCD_KEYS, 3);
  if (!near) return;
  ctx.report('unknown-argocd-annotation', {
    file: r.file,
    pos: e.keyPos,
    subject,
    key: e.key,
    message: `${subject}: ${where} key ${e.key} looks like ${near} with a misspelled prefix; ArgoCD ignores it.`,
    fix: `Write ${near}.`,
  });
}

/** Rules on ArgoCD annotation keys and the values of sync-wave and hook. */
export const annotationCheck: Check = {
  name: 'argocd-annotations',
  rules: [
    {
      id: 'wave-not-string',
      area: 'sync',
      title: 'argocd.argoproj.io/sync-wave must be a quoted string',
      defaultSeverity: 'error',
      reference:
        'Kubernetes annotation values are strings; ArgoCD reposerver/repository/repository_test.go:845 (TestInvalidMetadata, testdata/invalid-metadata) shows the failure; gitops-engine/pkg/sync/syncwaves/waves.go reads obj.GetAnnotations()',
    },
    {
      id: 'wave-not-integer',
      area: 'sync',
      title: 'sync-wave must be an integer as strconv.Atoi parses it',
      defaultSeverity: 'error',
      reference: 'gitops-engine/pkg/sync/syncwaves/waves.go:12-21 (strconv.Atoi, silent fallback to hook/helm/weight.go, then 0)',
    },
    {
      id: 'hook-invalid-phase',
      area: 'sync',
      title: 'argocd.argoproj.io/hook items must be known, case-sensitive phases',
      defaultSeverity: 'error',
      reference:
        'gitops-engine/pkg/sync/common/types.go:116-133 (NewHookType); controller/hook.go:27-44 (PreDelete, PostDelete); gitops-engine/pkg/sync/ignore/ignore.go:10 (hook with no type is ignored)',
    },
    {
      id: 'unknown-argocd-annotation',
      area: 'sync',
      title: 'keys under argocd.argoproj.io/ must be ones ArgoCD reads, with the right prefix',
      defaultSeverity: 'error',
      reference: 'gitops-engine/pkg/sync/common/types.go (annotation constants); common/common.go (label and annotation keys)',
    },
  ],
  side(ctx) {
    for (const r of ctx.snapshot.resources) {
      for (const e of r.annotations.values()) {
        checkKey(ctx, r, e, 'annotation');
        if (e.key === ANNOTATION_SYNC_WAVE) checkWave(ctx, r, e);
        else if (e.key === ANNOTATION_HOOK) checkHook(ctx, r, e);
      }
      for (const e of r.labels.values()) {
        checkKey(ctx, r, e, 'label');
      }
    }
  },
};
