/**
 * The health check: turns the facts gathered by {@link ./gather.ts} into findings (configuration,
 * static Lua analysis, fresh-object runs, test suites) and records test results for the summary,
 * including which results the change alters. Pure: all reading and running happened before.
 */
import { touchedPaths } from '../core/model.js';
import type { Check, ChangeContext, SideContext } from '../area/contract.js';
import type { RuleInfo } from '../area/contract.js';
import { argoHealth } from './lua-vm.js';
import type { HealthCheckDef, HealthFacts, HealthTestRun, SkippedRun } from './model.js';
import { scriptPos } from './gather.js';

const LUA = 'util/lua/lua.go (ArgoCD v3.6.0: runLua, ExecuteHealthLua)';
const SETTINGS = 'util/settings/settings.go:1170-1249 (ArgoCD v3.6.0)';

function rule(id: string, title: string, defaultSeverity: RuleInfo['defaultSeverity'], reference: string): RuleInfo {
  return { id, area: 'health', title, defaultSeverity, reference };
}

/** The rules of the health area. */
export const HEALTH_RULES: RuleInfo[] = [
  rule('health-key-invalid-configmap-key', 'Health-check keys in argocd-cm are valid ConfigMap keys (group_Kind, no "/")', 'error', 'Kubernetes ConfigMap key validation [-._a-zA-Z0-9]+; argo-cd issue #5439'),
  rule('health-key-bad-separator', 'Split keys join group and Kind with "_", not "-" or "."', 'error', `${SETTINGS} convertToOverrideKey`),
  rule('health-key-core-group-prefix', 'Core kinds are written without a leading "_"', 'error', 'util/lua/lua.go GetConfigMapKey; argocd-operator issue #936'),
  rule('health-key-wildcard', 'No wildcard in split keys or ArgoCD CR resourceHealthChecks', 'error', 'Kubernetes ConfigMap key validation; docs/operator-manual/health.md (wildcards only in resource.customizations)'),
  rule('health-key-format', 'A split key holds exactly one "_" between group and Kind', 'error', `${SETTINGS} convertToOverrideKey`),
  rule('health-customization-unknown-type', 'Customization types are ones ArgoCD knows', 'error', `${SETTINGS}; pkg/apis/application/v1alpha1/types.go:2589-2596`),
  rule('configmap-value-not-string', 'argocd-cm data values are strings', 'error', 'Kubernetes ConfigMap.data is map[string]string'),
  rule('health-useopenlibs-invalid', 'useOpenLibs is a boolean ArgoCD can parse', 'error', `${SETTINGS} (strconv.ParseBool)`),
  rule('health-config-invalid', 'The resource.customizations block is valid YAML', 'error', `${SETTINGS}`),
  rule('health-check-shadowed', 'A health check is defined once (split key and block do not both define it)', 'warning', `${SETTINGS} (split keys applied after the block)`),
  rule('health-wildcard-overlap', 'Wildcard health checks do not overlap', 'warning', 'util/lua/lua.go getWildcardHealthOverrideLua (Go map order)'),
  rule('argocd-cm-managed-by-operator', 'Health checks go into the ArgoCD CR when the operator manages ArgoCD', 'warning', 'argocd-operator: argocd-cm is reconciled from the ArgoCD CR (argo-cd issues #5056, #6169)'),
  rule('argocd-cr-deprecated-resourcecustomizations', 'The ArgoCD CR uses resourceHealthChecks, not the deprecated resourceCustomizations', 'warning', 'argocd-operator v1beta1 API (argocd-operator issue #998)'),
  rule('patch-target-matches-nothing', 'A kustomize patch adding health checks targets argocd-cm or the ArgoCD CR', 'error', 'kustomize: a patch whose target matches nothing is a silent no-op (kustomize issues #4379, #5093)'),
  rule('lua-syntax-error', 'Health scripts compile as ArgoCD\'s Lua (Lua 5.1 with goto)', 'error', 'gopher-lua v1.1.2 as embedded by util/lua/lua.go'),
  rule('lua-dialect-difference', 'Health scripts avoid constructs that behave differently in ArgoCD\'s Lua', 'warning', 'gopher-lua v1.1.2 (Lua 5.1) vs Lua 5.3+'),
  rule('lua-stdlib-disabled', 'No string/math/os library use unless useOpenLibs is on for the kind', 'error', `${LUA} (SkipOpenLibs: !UseOpenLibs; util/lua/oslib_safe.go:16-20)`),
  rule('lua-invalid-status-value', 'Health scripts return one of ArgoCD\'s six statuses', 'error', `${LUA} isValidHealthStatusCode`),
  rule('lua-no-status-return', 'Health scripts return a table with a status', 'error', `${LUA} ExecuteHealthLua`),
  rule('lua-global-maybe-nil', 'Health scripts give a global a value on every path before they concatenate, index or compute with it', 'warning', `${LUA} (a nil global fails the run: Unknown)`),
  rule('lua-fails-on-fresh-object', 'Health scripts work on a freshly created object (no status yet)', 'error', `${LUA}; gitops-engine/pkg/health/health.go:78-90`),
  rule('lua-fails-on-status-shape', 'Health scripts work on the statuses a resource passes through (common condition shapes, conditions of their test inputs)', 'error', `${LUA}; gitops-engine/pkg/health/health.go:78-90`),
  rule('lua-resource-limit', 'Health scripts finish within the time and memory limits', 'error', `${LUA} (1 s context timeout)`),
  rule('health-test-failed', 'Every health_test.yaml case gives the expected status and message', 'error', 'util/lua/health_test.go; docs/operator-manual/health.md "Way 2"'),
  rule('health-test-invalid', 'health_test.yaml files are well-formed', 'error', 'util/lua/health_test.go'),
  rule('health-test-budget-exhausted', 'Every health-check run the change affects is run within health.maxRunsPerSide (a run left out is not a pass)', 'error', 'gitops-gate policy health.maxRunsPerSide; util/lua/health_test.go runs every case'),
  rule('health-test-budget-exhausted-untouched', 'Health checks the change does not affect are run within health.maxRunsPerSide', 'warning', 'gitops-gate policy health.maxRunsPerSide; util/lua/health_test.go runs every case'),
];

function show(h: { status: string; message: string }): string {
  return `status "${h.status}"${h.message ? `, message "${h.message.length > 120 ? `${h.message.slice(0, 117)}...` : h.message}"` : ', no message'}`;
}

function reportFacts(ctx: SideContext, facts: HealthFacts): void {
  for (const p of facts.problems) ctx.report(p.rule, { file: p.file, pos: p.pos, subject: p.subject, key: p.key, message: p.message, fix: p.fix });
  for (const f of facts.fresh) {
    const c = f.check;
    const r = f.result;
    const subject = `${c.holder} ${c.key}`;
    const base = { file: c.file, pos: c.pos, subject };
    if (r.kind === 'error' && r.limit) {
      ctx.report('lua-resource-limit', { ...base, key: c.key, message: `Health check for ${c.key} (${c.holder}) was stopped on a fresh object: ${r.error}. ArgoCD stops a script after 1 s and reports the resource as Unknown.`, fix: 'Remove unbounded loops, recursion and large allocations from the script.' });
    } else if (r.kind === 'error') {
      const m = /^health\.lua:(\d+):/.exec(r.error);
      const pos = m ? scriptPos(c, { line: Number(m[1]), column: 1 }) : c.pos;
      ctx.report('lua-fails-on-fresh-object', { ...base, pos, key: c.key, message: `Health check for ${c.key} (${c.holder}) fails on a freshly created ${c.key} without status: ${r.error}. ArgoCD reports the resource as Unknown with this error.`, fix: 'Guard every field that may be nil (obj.status, conditions) before indexing it, and return Progressing while status is missing.' });
    } else if (r.kind === 'invalid') {
      ctx.report('lua-invalid-status-value', { ...base, key: `${c.key}:fresh`, message: `Health check for ${c.key} (${c.holder}) returns status "${r.status}" on a fresh object: ArgoCD turns it into Unknown "Lua returned an invalid health status", and the sync wave stalls.`, fix: 'Return one of Healthy, Progressing, Degraded, Suspended, Missing, Unknown.' });
    } else if (r.kind === 'nil' || r.kind === 'empty') {
      ctx.report('lua-no-status-return', { ...base, key: `${c.key}:fresh`, message: `Health check for ${c.key} (${c.holder}) returns ${r.kind === 'nil' ? 'nil' : 'an empty table or a table ArgoCD cannot decode'} on a fresh object: ArgoCD gets the empty status "", so a sync wave holding the resource never completes.`, fix: 'Return a table with a status on every path, for example {status = "Progressing", message = "Waiting for status"}.' });
    }
  }
  const failedShape = new Set<HealthCheckDef>();
  for (const sr of facts.shapes) {
    const c = sr.check;
    const r = sr.result;
    if (r.kind !== 'error' || r.limit || failedShape.has(c) || facts.fresh.some((f) => f.check === c && f.result.kind === 'error')) continue;
    failedShape.add(c);
    const m = /^health\.lua:(\d+):/.exec(r.error);
    const pos = m ? scriptPos(c, { line: Number(m[1]), column: 1 }) : c.pos;
    ctx.report('lua-fails-on-status-shape', { file: c.file, pos, subject: `${c.holder} ${c.key}`, key: c.key, message: `Health check for ${c.key} (${c.holder}) fails on an object with ${sr.shape}: ${r.error}. ArgoCD reports the resource as Unknown with this error once it reaches that status.`, fix: 'Give every variable a value on every path (a global assigned only inside a branch or loop is nil elsewhere), and guard fields that may be missing.' });
  }
  for (const t of facts.tests) {
    if (t.pass || t.notRun) continue; // runs left out are reported per check by the change pass
    const limit = t.result?.kind === 'error' && t.result.limit;
    ctx.report(limit ? 'lua-resource-limit' : 'health-test-failed', {
      file: t.case.file,
      pos: { line: t.case.line, column: 1 },
      subject: t.case.file,
      key: `${t.case.index}`,
      message: `${t.case.file} test ${t.case.index + 1} (${t.case.inputPath}${t.checkKey ? `, script for ${t.checkKey} in ${t.checkFile}` : ''}): expected ${show(t.case.expected)}, got ${show(t.actual)}.`,
      fix: limit ? 'Remove unbounded work from the script.' : 'Fix the script, or the expectation if the script is right.',
    });
  }
}

/** What the health area records in `report.details.health`: the checks found, and every test case's result. */
export interface HealthDetails {
  checks: { key: string; origin: string; file: string; line: number; useOpenLibs: boolean }[];
  /** Each check run on a new object of its kind (an empty status), as ArgoCD would on creation. */
  fresh: { key: string; file: string; result: { status: string; message: string } }[];
  tests: HealthTestRow[];
}

/** One row of the test summary. */
export interface HealthTestRow {
  suite: string;
  case: number;
  input: string;
  expected: string;
  head: string;
  headPass: boolean;
  /** The case was not run at head (run budget spent): neither a pass nor a failure. */
  notRun?: boolean;
  base?: string;
  basePass?: boolean;
  changed: boolean;
}

/** `Status: message` for the summary table (`(empty)` for ArgoCD's empty status). */
function label(h: { status: string; message: string }): string {
  return `${h.status || '(empty)'}${h.message ? `: ${h.message}` : ''}`;
}

function rows(head: HealthTestRun[], base?: HealthTestRun[]): HealthTestRow[] {
  const byKey = new Map((base ?? []).map((t) => [`${t.case.file}#${t.case.index}`, t]));
  return head.map((t) => {
    const b = byKey.get(`${t.case.file}#${t.case.index}`);
    const h = label(t.actual);
    const bs = b ? label(b.actual) : undefined;
    return {
      suite: t.case.file,
      case: t.case.index + 1,
      input: t.case.inputPath,
      expected: label(t.case.expected),
      head: h,
      headPass: t.pass,
      ...(t.notRun ? { notRun: true } : {}),
      ...(b ? { base: bs, basePass: b.pass } : {}),
      changed: base !== undefined && (b === undefined || bs !== h || b.pass !== t.pass),
    };
  });
}

/** How many skipped runs a finding lists by name before it says "and N more". */
const LISTED = 10;

/**
 * Whether the change affects a check: always in `--all` mode (nothing to compare with); otherwise when
 * the file defining it changed and the base has no check of the same key, origin and file with the same
 * script and useOpenLibs.
 */
function checkTouched(c: HealthCheckDef, paths: ReadonlySet<string>, base: HealthFacts | undefined): boolean {
  if (!base) return true;
  if (!paths.has(c.file)) return false;
  const before = base.checks.find((b) => b.key === c.key && b.origin === c.origin && b.file === c.file);
  return !before || before.script !== c.script || before.useOpenLibs !== c.useOpenLibs;
}

/**
 * Reports the runs the per-side budget left out at head, one finding per check: an error
 * (`health-test-budget-exhausted`, blocks) when the change affects the check or the suite or input of
 * one of its unrun cases, else a warning (`health-test-budget-exhausted-untouched`).
 */
function reportSkipped(ctx: ChangeContext, head: HealthFacts, base: HealthFacts | undefined): void {
  if (head.skipped.length === 0) return;
  const paths = new Set(touchedPaths(ctx.change));
  const byCheck = new Map<HealthCheckDef, SkippedRun[]>();
  for (const s of head.skipped) byCheck.set(s.check, [...(byCheck.get(s.check) ?? []), s]);
  const limit = ctx.policy.health.maxRunsPerSide;
  for (const [c, runs] of byCheck) {
    const touched = checkTouched(c, paths, base) || runs.some((r) => r.case && (paths.has(r.case.file) || (r.inputFile !== undefined && paths.has(r.inputFile))));
    const names = runs.map((r) => (r.case ? `${r.case.file} test ${r.case.index + 1} (${r.case.inputPath})` : 'the run on a fresh object'));
    const listed = `${names.slice(0, LISTED).join('; ')}${names.length > LISTED ? `; and ${names.length - LISTED} more` : ''}`;
    ctx.report(touched ? 'health-test-budget-exhausted' : 'health-test-budget-exhausted-untouched', {
      file: c.file,
      pos: c.pos,
      subject: `${c.holder} ${c.key}`,
      key: c.key,
      message:
        `The limit of ${limit} script runs per side (health.maxRunsPerSide) was spent before the health check for ${c.key} (${c.holder}) ran, so ${runs.length} of its run(s) were not made and are not known to pass: ${listed}.` +
        (touched ? ' This change affects the check or those cases, so the gate cannot vouch for it.' : ' This change does not affect the check or those cases.'),
      fix: `Raise health.maxRunsPerSide in the policy above the number of runs the repository needs (at least ${limit + head.skipped.length} on this side), or remove redundant test cases.`,
    });
  }
}

/** The health check. */
export const healthCheck: Check = {
  name: 'health',
  rules: HEALTH_RULES,
  side(ctx) {
    if (ctx.snapshot.health) reportFacts(ctx, ctx.snapshot.health);
  },
  change(ctx: ChangeContext) {
    const h = ctx.head.health;
    if (!h) return;
    for (const n of h.notEvaluated) ctx.notEvaluated({ subject: 'health', reason: n });
    reportSkipped(ctx, h, ctx.base?.health);
    const tests = rows(h.tests, ctx.base?.health?.tests);
    if (h.checks.length === 0 && tests.length === 0) return;
    ctx.detail('health', {
      checks: h.checks.map((c) => ({ key: c.key, origin: c.origin, file: c.file, line: c.pos.line, useOpenLibs: c.useOpenLibs })),
      fresh: h.fresh.map((f) => ({ key: f.check.key, file: f.check.file, result: argoHealth(f.result) })),
      tests,
    });
  },
};
