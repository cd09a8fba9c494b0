/**
 * Findings for manifest files that cannot be read: YAML syntax errors, duplicate keys, files over a
 * limit, keys Kubernetes cannot convert, and files that are not text. The gate fails closed on each: what it cannot read, it does not pass.
 */
import type { Check } from '../area/contract.js';

const SYNTAX_REF = 'YAML 1.2 spec; ArgoCD renders manifests with sigs.k8s.io/yaml and kustomize with go-yaml v3, which reject the file (ComparisonError)';

/** Rules on the readability of manifest files. */
export const yamlCheck: Check = {
  name: 'yaml',
  rules: [
    { id: 'yaml-syntax', area: 'manifests', title: 'manifest files must be valid YAML', defaultSeverity: 'error', reference: SYNTAX_REF },
    {
      id: 'yaml-duplicate-key',
      area: 'manifests',
      title: 'a YAML mapping must not repeat a key',
      defaultSeverity: 'error',
      reference: 'go-yaml v3 (kustomize): "mapping key already defined"; lenient parsers keep only the last value and silently drop the first',
    },
    {
      id: 'yaml-limit',
      area: 'manifests',
      title: 'manifest files must stay within the policy limits (size, documents, aliases, depth)',
      defaultSeverity: 'error',
      reference: 'gitops-gate policy manifests.limits; YAML alias expansion ("billion laughs") guard',
    },
    {
      id: 'yaml-unsupported-key',
      area: 'manifests',
      title: 'mapping keys must be strings, numbers or booleans',
      defaultSeverity: 'error',
      reference:
        'sigs.k8s.io/yaml (yaml.go, convertToJSONableObject) converts YAML to JSON and fails with "unsupported map key" on null and collection keys; go-yaml v2 rejects collection keys',
    },
    { id: 'yaml-not-text', area: 'manifests', title: 'manifest files must be UTF-8 text', defaultSeverity: 'error', reference: 'Kubernetes manifests are UTF-8 YAML or JSON' },
  ],
  side(ctx) {
    for (const f of ctx.snapshot.files) {
      // One syntax error usually cascades into many (a template tag, a bad indent): the first is the one to fix,
      // the rest are reported as a count on it rather than as findings of their own.
      const syntax = f.problems.filter((p) => p.kind === 'yaml-syntax');
      const lines = f.text?.split('\n');
      for (const p of f.problems) {
        if (p.kind === 'yaml-syntax' && p !== syntax[0]) continue;
        const more = p.kind === 'yaml-syntax' && syntax.length > 1 ? ` (${syntax.length - 1} further syntax error${syntax.length > 2 ? 's' : ''} in this file follow from it; fix this one first)` : '';
        // The parser can place an error past the end of its line (at the offset where it gave up): point at the line's end.
        const lineText = lines?.[p.line - 1];
        const column = lineText !== undefined ? Math.min(p.column, lineText.replace(/\r$/, '').length + 1) : p.column;
        const fix =
          p.kind === 'yaml-duplicate-key'
            ? 'Merge the two entries into one key; keep every value you need.'
            : p.kind === 'yaml-limit'
              ? 'Split the file, remove the aliases, or raise the limit in the policy (manifests.limits) if the file is legitimate.'
              : p.kind === 'yaml-not-text'
                ? 'Remove the binary file, or exclude its path in the policy (manifests.exclude).'
                : p.kind === 'yaml-unsupported-key'
                  ? 'Write the key as a plain string (quote it if it looks like null, a list or a mapping).'
                  : 'Fix the YAML syntax at this line.';
        ctx.report(p.kind, { file: f.path, pos: { line: p.line, column }, message: `${f.path}: ${p.message}${more}`, fix, key: p.message });
      }
    }
  },
};
