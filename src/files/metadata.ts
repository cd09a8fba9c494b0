/**
 * Metadata values Kubernetes cannot decode: an annotation or label whose YAML value is not a string. ArgoCD
 * then fails to read the object's metadata, so every ArgoCD annotation on it is lost.
 */
import type { Check, SideContext } from '../area/contract.js';
import { quoteSource as quote, resourceLabel, yamlTypeName as typeName, type MetaEntry, type Resource } from '../manifests/resource.js';
import { ANNOTATION_SYNC_WAVE } from '../argocd/vocabulary.js';

// The sync-wave annotation has its own rule (wave-not-string, src/sync/annotations.ts).
function checkNotString(ctx: SideContext, r: Resource, e: MetaEntry, where: 'annotation' | 'label'): void {
  if (e.isString || e.key === ANNOTATION_SYNC_WAVE) return;
  const subject = resourceLabel(r);
  ctx.report('annotation-not-string', {
    file: r.file,
    pos: e.valuePos,
    subject,
    key: `${where}:${e.key}`,
    message: `${subject}: ${where} ${e.key} has the YAML ${typeName(e.value)} ${quote(e) || 'null'}, not a string. Kubernetes rejects the object, or ArgoCD reads no annotations from it at all.`,
    fix: e.value === null || e.value === undefined ? `Give ${e.key} a quoted value, such as "", or remove it.` : `Quote the value: ${e.key}: "${String(e.value)}"`,
  });
}

/** The rule on metadata value types. */
export const metadataCheck: Check = {
  name: 'metadata-values',
  rules: [
    {
      id: 'annotation-not-string',
      area: 'manifests',
      title: 'annotation and label values must be YAML strings',
      defaultSeverity: 'error',
      reference:
        'reposerver/repository/repository_test.go:845 (TestInvalidMetadata): a non-string value makes ArgoCD fail to read metadata.annotations ("contains non-string value in the map")',
    },
  ],
  side(ctx) {
    for (const r of ctx.snapshot.resources) {
      for (const e of r.annotations.values()) checkNotString(ctx, r, e, 'annotation');
      for (const e of r.labels.values()) checkNotString(ctx, r, e, 'label');
    }
  },
};
