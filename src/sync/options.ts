/**
 * Sync and compare option rules: only the values ArgoCD reads, spelled exactly, at the level where they act.
 * ArgoCD compares option strings exactly (gitops-engine/pkg/sync/resource/annotations.go `HasAnnotationOption`).
 */
import type { Check, RuleInfo } from '../area/contract.js';
import type { Resource } from '../manifests/resource.js';
import type { Position } from '../core/model.js';
import { ANNOTATION_COMPARE_OPTIONS, ANNOTATION_SYNC_OPTIONS, closest, splitCsv } from '../argocd/vocabulary.js';
import { about, syncRule, onceReporter } from './context.js';
import { at } from '../argocd/kinds.js';

/** Options ArgoCD reads from a resource's sync-options annotation (gitops-engine/pkg/sync/common/types.go:24-58). */
export const RESOURCE_SYNC_OPTIONS: ReadonlySet<string> = new Set([
  'SkipDryRunOnMissingResource=true',
  'Validate=false',
  'PruneLast=true',
  'Replace=true',
  'Replace=false',
  'Force=true',
  'ServerSideApply=true',
  'ServerSideApply=false',
  'Prune=false',
  'Prune=confirm',
  'Delete=false',
  'Delete=confirm',
]);

/** Options ArgoCD reads only from an Application's spec.syncPolicy.syncOptions (docs/user-guide/sync-options.md). */
export const APP_SYNC_OPTIONS: ReadonlySet<string> = new Set([
  'ApplyOutOfSyncOnly=true',
  'PrunePropagationPolicy=foreground',
  'PrunePropagationPolicy=background',
  'PrunePropagationPolicy=orphan',
  'CreateNamespace=true',
  'RespectIgnoreDifferences=true',
  'FailOnSharedResource=true',
  'ClientSideApplyMigration=false',
]);

/**
 * Options that spell out ArgoCD's default (`CreateNamespace=false`): ArgoCD only acts on the other value, so these
 * change nothing, but they are valid and say what the author means. Each key is read as a yes/no by
 * `HasOption(key=true)` style comparisons (gitops-engine/pkg/sync/common/types.go:24-58; docs/user-guide/sync-options.md).
 */
const EXPLICIT_DEFAULTS: Record<'resource' | 'application', ReadonlySet<string>> = {
  resource: new Set(['SkipDryRunOnMissingResource=false', 'Validate=true', 'PruneLast=false', 'Force=false']),
  application: new Set([
    'SkipDryRunOnMissingResource=false',
    'Validate=true',
    'PruneLast=false',
    'Force=false',
    'ApplyOutOfSyncOnly=false',
    'CreateNamespace=false',
    'RespectIgnoreDifferences=false',
    'FailOnSharedResource=false',
  ]),
};

/**
 * A suggested spelling for an unknown option, only when it cannot change what the author meant: the same value
 * (compared case-insensitively) under a key that is a near miss, or the same option in other letter case. Never a
 * different value (`CreateNamespace=false` must not become `CreateNamespace=true`).
 */
function sameMeaning(written: string, known: Iterable<string>): string | undefined {
  const wValue = written.split('=', 2)[1] ?? '';
  const candidates = [...known].filter((k) => (k.split('=', 2)[1] ?? '').toLowerCase() === wValue.toLowerCase() && wValue !== '');
  const exactCase = candidates.find((k) => k.toLowerCase() === written.toLowerCase());
  if (exactCase) return exactCase;
  return closest(written, candidates, 4);
}

/** Compare options on a resource (controller/state.go:1053) and on an Application (state.go:916-936). */
const RESOURCE_COMPARE_OPTIONS = new Set(['IgnoreExtraneous']);
const APP_COMPARE_OPTIONS = new Set(['ServerSideDiff=true', 'ServerSideDiff=false', 'IncludeMutationWebhook=true']);

const rule = syncRule;

/** The rules of {@link optionsCheck}. */
export const OPTION_RULES: RuleInfo[] = [
  rule('sync-option-unknown', 'sync options must be ones ArgoCD reads, spelled exactly, at the level where they act', 'warning', 'gitops-engine/pkg/sync/common/types.go:24-58; sync_context.go:337-357, 1099, 1168, 1317-1322, 1434-1435, 1764; controller/state.go:1235-1250; docs/user-guide/sync-options.md'),
  rule('sync-option-conflict', 'sync options must not contradict each other', 'notice', 'docs/user-guide/sync-options.md (Replace wins over ServerSideApply; Force is meant with Replace)'),
  rule('compare-option-unknown', 'compare options must be ones ArgoCD reads, at the level where they act', 'warning', 'common/common.go:218-219; controller/state.go:916-936, 1053'),
  rule('ignore-annotation-not-true', 'ignore-healthcheck and ignore-restart-policy must be exactly "true"', 'warning', 'controller/health.go:47; gitops-engine/pkg/sync/common/types.go:22'),
];

type Report = ReturnType<typeof onceReporter>;

function checkSyncOptions(report: Report, r: Resource, items: string[], pos: Position, level: 'resource' | 'application'): void {
  for (const o of items) {
    if (RESOURCE_SYNC_OPTIONS.has(o) || (level === 'application' && APP_SYNC_OPTIONS.has(o)) || EXPLICIT_DEFAULTS[level].has(o)) continue;
    const appOnly = level === 'resource' && APP_SYNC_OPTIONS.has(o);
    const known = new Set([...RESOURCE_SYNC_OPTIONS, ...(level === 'resource' ? [] : APP_SYNC_OPTIONS), ...EXPLICIT_DEFAULTS[level]]);
    const near = sameMeaning(o, known);
    report(
      'sync-option-unknown',
      about(
        r,
        pos,
        appOnly
          ? `sync option "${o}" only acts in an Application's spec.syncPolicy.syncOptions; on a resource ArgoCD ignores it.`
          : `sync option "${o}" is not one ArgoCD reads${level === 'resource' ? ' on a resource' : ''} (options are compared exactly, case-sensitive); it is silently ignored.`,
        appOnly ? `Move "${o}" to the Application's spec.syncPolicy.syncOptions.` : near ? `Write "${near}".` : `Use one of ${[...known].join(', ')}.`,
        `${level}:${o}`,
      ),
    );
  }
}

function checkConflicts(report: Report, r: Resource, items: string[], pos: Position, level: 'resource' | 'application'): void {
  const has = (o: string) => items.includes(o);
  if (has('Replace=true') && has('ServerSideApply=true')) {
    report('sync-option-conflict', about(r, pos, 'Replace=true and ServerSideApply=true are both set; ArgoCD replaces the object and server-side apply is not used.', 'Keep one of the two.', `${level}:replace-ssa`));
  }
  if (has('Force=true') && !has('Replace=true')) {
    report('sync-option-conflict', about(r, pos, 'Force=true acts together with Replace=true (delete and re-create); without it, it is probably not what was meant.', 'Add Replace=true, or remove Force=true.', `${level}:force`));
  }
}

function checkResource(report: Report, r: Resource): void {
  const isApp = r.group === 'argoproj.io' && r.kind === 'Application';
  const so = r.annotations.get(ANNOTATION_SYNC_OPTIONS);
  if (so?.isString) {
    checkSyncOptions(report, r, splitCsv(String(so.value)), so.valuePos, 'resource');
    checkConflicts(report, r, splitCsv(String(so.value)), so.valuePos, 'resource');
  }
  if (isApp) {
    const list = at(r.object, 'spec', 'syncPolicy', 'syncOptions');
    if (Array.isArray(list)) {
      list.forEach((o, i) => {
        if (typeof o === 'string') checkSyncOptions(report, r, [o], r.pos(['spec', 'syncPolicy', 'syncOptions', i]), 'application');
      });
      checkConflicts(report, r, list.filter((o): o is string => typeof o === 'string'), r.keyPos(['spec', 'syncPolicy', 'syncOptions']), 'application');
    }
  }
  const co = r.annotations.get(ANNOTATION_COMPARE_OPTIONS);
  if (co?.isString) {
    for (const o of splitCsv(String(co.value))) {
      if (RESOURCE_COMPARE_OPTIONS.has(o) || (isApp && APP_COMPARE_OPTIONS.has(o))) continue;
      const appOnly = !isApp && APP_COMPARE_OPTIONS.has(o);
      const near = closest(o, isApp ? [...RESOURCE_COMPARE_OPTIONS, ...APP_COMPARE_OPTIONS] : RESOURCE_COMPARE_OPTIONS, 4);
      report(
        'compare-option-unknown',
        about(r, co.valuePos, appOnly ? `compare option "${o}" only acts on an Application; on a ${r.kind} ArgoCD ignores it.` : `compare option "${o}" is not one ArgoCD reads (exact, case-sensitive); it is ignored.`, near && !appOnly ? `Write "${near}".` : appOnly ? `Set "${o}" on the Application instead.` : 'Remove it.', o),
      );
    }
  }
  for (const key of ['argocd.argoproj.io/ignore-healthcheck', 'argocd.argoproj.io/ignore-restart-policy']) {
    const e = r.annotations.get(key);
    if (!e || !e.isString || e.value === 'true') continue;
    report('ignore-annotation-not-true', about(r, e.valuePos, `${key} is "${String(e.value)}"; ArgoCD acts only on the exact string "true", so this does nothing.`, `Write "true", or remove the annotation.`, key));
  }
}

/** Sync and compare option rules (see the module comment). */
export const optionsCheck: Check = {
  name: 'sync-options',
  rules: OPTION_RULES,
  side(ctx) {
    const report = onceReporter(ctx);
    for (const r of ctx.snapshot.resources) checkResource(report, r);
  },
};
