/**
 * ArgoCD's annotation vocabulary and value parsers, as the ArgoCD sources define them.
 * Citations are paths in argoproj/argo-cd at v3.6.0 (gitops-engine lives under `gitops-engine/`).
 */

/** The annotation and label prefix ArgoCD reads. */
export const ARGOCD_PREFIX = 'argocd.argoproj.io/';

/** `argocd.argoproj.io/sync-wave` (gitops-engine/pkg/sync/common/types.go). */
export const ANNOTATION_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** `argocd.argoproj.io/hook` (gitops-engine/pkg/sync/common/types.go). */
export const ANNOTATION_HOOK = 'argocd.argoproj.io/hook';
/** `argocd.argoproj.io/hook-delete-policy` (gitops-engine/pkg/sync/common/types.go). */
export const ANNOTATION_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
/** `argocd.argoproj.io/sync-options` (gitops-engine/pkg/sync/common/types.go). */
export const ANNOTATION_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
/** `argocd.argoproj.io/compare-options` (common/common.go). */
export const ANNOTATION_COMPARE_OPTIONS = 'argocd.argoproj.io/compare-options';

/**
 * Every key under `argocd.argoproj.io/` that ArgoCD reads, as an annotation or a label.
 * Sources: gitops-engine/pkg/sync/common/types.go, common/common.go, controller/hook.go,
 * docs/user-guide/sync-options.md, docs/operator-manual/high_availability.md (manifest-generate-paths).
 */
export const KNOWN_ARGOCD_KEYS: ReadonlySet<string> = new Set(
  [
    'sync-wave',
    'hook',
    'hook-delete-policy',
    'sync-options',
    'compare-options',
    'ignore-healthcheck',
    'ignore-restart-policy',
    'deletion-approved',
    'tracking-id',
    'installation-id',
    'instance',
    'client-side-apply-migration-manager',
    'ignore-default-links',
    'skip-reconcile',
    'auto-label-cluster-info',
    'secret-type',
    'kubernetes-version',
    'manifest-generate-paths',
    'refresh',
    'hydrate',
    'managed-by',
    'managed-by-url',
    'application-set-refresh',
    'project',
  ].map((k) => ARGOCD_PREFIX + k),
);

/**
 * Hook types ArgoCD accepts in `argocd.argoproj.io/hook`, case-sensitive.
 * `NewHookType` in gitops-engine/pkg/sync/common/types.go:116-133 accepts the first five;
 * controller/hook.go:27-44 handles PreDelete and PostDelete.
 */
export const HOOK_TYPES = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip', 'PreDelete', 'PostDelete'] as const;
export type HookType = (typeof HOOK_TYPES)[number];

/**
 * Splits a comma-separated annotation value as ArgoCD's `GetAnnotationCSVs` does
 * (gitops-engine/pkg/sync/resource/annotations.go:17-33): split on `,`, trim white space as Go's
 * `strings.TrimSpace` does ({@link goTrimSpace}), drop empty
 * items, de-duplicate keeping the first occurrence.
 */
export function splitCsv(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const item = goTrimSpace(part);
    if (item && !out.includes(item)) out.push(item);
  }
  return out;
}

/**
 * White space as Go's `unicode.IsSpace` defines it (Unicode White_Space). It differs from JavaScript's
 * `trim()`: Go trims U+0085 (NEL) but not U+FEFF (BOM), so `"\uFEFFPreSync"` is not a hook phase to ArgoCD.
 */
const GO_SPACE = '\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Go's `strings.TrimSpace`: removes leading and trailing {@link GO_SPACE} characters. */
export function goTrimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && GO_SPACE.includes(s[a]!)) a++;
  while (b > a && GO_SPACE.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Parses a wave the way Go's `strconv.Atoi` does on a 64-bit platform
 * (gitops-engine/pkg/sync/syncwaves/waves.go:12-21): an optional sign, then ASCII digits only, no spaces,
 * within int64. Leading zeros are allowed (`"010"` is 10).
 * @returns the value, or `undefined` when ArgoCD would reject it (and silently use wave 0).
 */
export function parseAtoi(value: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(value)) return undefined;
  const n = BigInt(value);
  if (n > INT64_MAX || n < INT64_MIN) return undefined;
  return n;
}

/** Levenshtein distance, bounded: returns `max + 1` as soon as the distance exceeds `max`. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest item of `candidates` to `word` within `max` edits, if any. */
export function closest(word: string, candidates: Iterable<string>, max = 3): string | undefined {
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase(), max);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/**
 * True when `version` (the policy's `argocd.version`, `MAJOR.MINOR[.PATCH]`, optional leading `v`) is release
 * `major.minor` or later. A version that does not parse counts as the latest release (the schema refuses it anyway).
 */
export function argocdAtLeast(version: string, major: number, minor: number): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return true;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}
