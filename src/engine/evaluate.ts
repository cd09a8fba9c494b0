/**
 * The engine: evaluates a change under the policy on its base side, as named phases:
 *
 *   resolve policy → gather → read → render → side → classify → change → verdict
 *
 * - **resolve policy**: from the base side (the head in `--all` mode), never from the change itself;
 * - **gather**: each area's I/O (PR templates, CODEOWNERS, health-check runs, Applications), concurrently with
 * - **read**: the manifests in scope on both sides, parsed, grouped as ArgoCD syncs them (src/engine/scope.ts);
 * - **render**: the affected groups whose source is a kustomization or a Helm chart, rendered on both sides with
 *   the real tools; their rendered objects replace their source files as the snapshot's resources
 *   (src/engine/render-phase.ts); nothing runs when no such group is affected; then the areas' `rendered`
 *   hooks read what only the rendered objects show (health checks configured through a chart or a patch);
 * - **side**: every check's pure per-side pass, on head and base;
 * - **classify**: head findings matched at base are pre-existing (src/engine/classify.ts);
 * - **change**: every check's pure once-per-change pass (review, description, cross-side comparisons);
 * - **verdict**: rule outcomes and the verdict under `fail-on` (src/engine/verdict.ts).
 *
 * The engine imports no area: it runs the {@link AreaModule}s it is given (src/composition.ts lists them).
 * All I/O goes through the change's {@link TreeReader}s before the pure phases run.
 */
import type { Change, FailOn, Finding, NotEvaluated, Override, Report, ReportDetails, TreeReader } from '../core/model.js';
import { headPushers, touchedPaths } from '../core/model.js';
import { manifestMatcher, type ManifestFile } from '../manifests/manifest-file.js';
import { DEFAULT_POLICY_NAME, policyLoader, type PolicyLoader, type ResolvedPolicy } from '../policy/load.js';
import { layoutSettings } from './layout.js';
import type { Policy } from '../policy/types.js';
import { repoLayout, type RepoLayout } from '../argocd/layout.js';
import { rulesOf, type AreaModule, type Check, type Gathered, type RuleInfo, type Snapshot } from '../area/contract.js';
import { applicationGroups, applicationScope, makeSnapshot, readSide, type Scope } from './scope.js';
import { classify, findingMaker, type RawFinding } from './classify.js';
import { decideVerdict, effectiveFailOn, ruleOutcomes, type ExplicitOutcome } from './verdict.js';
import { VERSION } from '../version.js';
import { renderPhase, warmRenderTools, type RenderToolOptions } from './render-phase.js';


export { effectiveFailOn, FAIL_ON_ORDER, ruleSeverity } from './verdict.js';

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** The areas to run, in order (src/composition.ts `AREAS`). */
  areas: readonly AreaModule[];
  /** Path of the policy file or directory in the repository (read from the base side). */
  policyPath: string;
  /**
   * Which findings fail the gate, as the workflow input or CLI flag asks. Default `error`. The policy's
   * `gate.failOn` wins when it is stricter (see {@link effectiveFailOn}); `report.failOn` is what applied.
   */
  failOn?: FailOn;
  /** A policy already resolved by the caller (the Action resolves it before gathering reviews). */
  resolved?: ResolvedPolicy;
  /**
   * Computes the files to read on each side; default: every file of each sync group the change touches
   * (see {@link applicationScope}); `changedScope` in scope.ts reads only the changed files.
   */
  scope?: (change: Change, isManifest: (p: string) => boolean, policy: Policy) => Promise<Scope>;
  /** Clock, for tests. */
  now?: () => Date;
  /** Where the render tools are (`--kustomize`, `--helm`; Action inputs `kustomize`, `helm`); default: on PATH. */
  render?: RenderToolOptions;
}

const loaders = new WeakMap<readonly AreaModule[], { loader: PolicyLoader; rules: Map<string, RuleInfo> }>();

/**
 * The rule catalogue and policy loader of a list of areas, built once per list, so the composition root and the
 * engine share one loader (and its parsed default policy).
 */
export function catalogOf(areas: readonly AreaModule[]): { loader: PolicyLoader; rules: Map<string, RuleInfo> } {
  let c = loaders.get(areas);
  if (!c) {
    const rules = rulesOf(areas);
    loaders.set(areas, (c = { rules, loader: policyLoader({ rules, areas: areas.map((a) => a.id) }) }));
  }
  return c;
}

/** What the resolve phase decided: the policy, the `fail-on` that applies, and the notes to report. */
interface Resolved {
  resolved: ResolvedPolicy;
  policy: Policy;
  failOn: FailOn;
  notes: string[];
}

/** Phase 1, resolve policy: from the base side, with the notes that say which policy judged the change. */
async function resolvePhase(change: Change, opts: EvaluateOptions, loader: PolicyLoader): Promise<Resolved> {
  const policyTree = change.mode === 'all' || !change.base ? change.head : (change.policyBase ?? change.base);
  const resolved = opts.resolved ?? (await loader.resolvePolicy(policyTree, opts.policyPath, touchedPaths(change)));
  const { policy } = resolved;
  const gate = effectiveFailOn(opts.failOn ?? 'error', policy, resolved.source.origin === 'default' ? DEFAULT_POLICY_NAME : resolved.source.path);
  const notes: string[] = gate.note ? [gate.note] : [];
  if (resolved.source.origin === 'default') {
    notes.push(`No policy file at "${resolved.source.path}" on the ${change.mode === 'all' ? 'checked tree' : 'base branch'}: the built-in default policy applies.`);
  }
  if (resolved.source.changedByThisChange) {
    notes.push(`This change edits the policy (${resolved.source.path}). It is judged by the policy on the base branch; the new policy applies once merged.`);
  }
  // Past GitHub's listing caps the lists were made whole (src/github/beyond-caps.ts); the notes say from where.
  notes.push(...(change.listNotes ?? []));
  return { resolved, policy, failOn: gate.failOn, notes };
}

/** Phase 2, gather: every area's I/O, started at once; awaited after the read. */
function gatherPhase(areas: readonly AreaModule[], change: Change, policy: Policy, isManifest: (p: string) => boolean): Promise<Gathered[]> {
  const layout = (tree: TreeReader): Promise<RepoLayout> => repoLayout(tree, layoutSettings(policy));
  const all = Promise.all(areas.map((a) => (a.gather ? a.gather({ change, policy, isManifest, layout }) : Promise.resolve({}))));
  all.catch(() => undefined); // awaited after the read; a read failure first must not leave it unhandled
  return all;
}

/** What the read phase produced: each side's snapshot and the files read. */
interface Sides {
  head: Snapshot;
  base?: Snapshot;
  headFiles: ManifestFile[];
  baseFiles: ManifestFile[];
}

/**
 * Phase 3, read: the manifests in scope on both sides, parsed and grouped by sync group, with the facts of
 * ArgoCD's view of each side (custom health keys, links, files the change lists that the tree lacks).
 */
async function readPhase(change: Change, opts: EvaluateOptions, policy: Policy, isManifest: (p: string) => boolean): Promise<Sides> {
  const scope = await (opts.scope ?? applicationScope)(change, isManifest, policy);
  const limits = policy.manifests.limits;
  const [headFiles, baseFiles] = await Promise.all([
    readSide(change.head, scope.head, limits, scope.prefer),
    change.base && change.mode === 'diff' ? readSide(change.base, scope.base, limits) : Promise.resolve([]),
  ]);
  const settings = layoutSettings(policy);
  const head = makeSnapshot('head', headFiles, await applicationGroups('head', headFiles, change.head, policy));
  const headLayout = await repoLayout(change.head, settings);
  head.customHealth = headLayout.customHealth;
  const base = change.mode === 'diff' && change.base ? makeSnapshot('base', baseFiles, await applicationGroups('base', baseFiles, change.base, policy)) : undefined;
  if (base && change.base) base.customHealth = (await repoLayout(change.base, settings)).customHealth;
  // Links leading nowhere readable are judged per side; the others were read as their targets.
  const [headLinks, baseLinks] = await Promise.all([change.head.symlinks?.(), base ? change.base?.symlinks?.() : undefined]);
  if (headLinks) head.symlinks = headLinks;
  if (base && baseLinks) base.symlinks = baseLinks;
  if (change.mode === 'diff') {
    // Every manifest the change adds or modifies exists at head: one the tree lacks was not read (its name may
    // not be UTF-8 in GitHub's list, or a sparse checkout left it out). Not the base: GitHub diffs against the
    // merge base, so a modified file may be gone from the base branch's tip.
    const listed = new Set(headLayout.files);
    head.unlisted = change.files.filter((f) => f.status !== 'removed' && isManifest(f.path) && !listed.has(f.path)).map((f) => f.path);
  }
  return { head, ...(base ? { base } : {}), headFiles, baseFiles };
}

/** Applies what the areas gathered: facts to the change (in area order) and to each side's snapshot. */
function applyGathered(change: Change, sides: Sides, gathered: readonly Gathered[]): Change {
  for (const g of gathered) {
    if (g.change) change = { ...change, ...g.change };
    if (g.head) Object.assign(sides.head, g.head);
    if (g.base && sides.base) Object.assign(sides.base, g.base);
  }
  return change;
}

/**
 * Phase 3c, after render: the areas' `rendered` hooks (what only the rendered objects show, such as health
 * checks a Helm chart or a kustomize patch puts into argocd-cm), when a side has rendered groups.
 */
async function renderedPhase(areas: readonly AreaModule[], change: Change, policy: Policy, sides: Sides): Promise<void> {
  if (!sides.head.renders && !sides.base?.renders) return;
  const hooks = areas.filter((a) => a.rendered);
  const found = await Promise.all(hooks.map((a) => a.rendered!({ change, policy, head: sides.head, ...(sides.base ? { base: sides.base } : {}) })));
  for (const f of found) {
    if (f.head) Object.assign(sides.head, f.head);
    if (f.base && sides.base) Object.assign(sides.base, f.base);
  }
}

/** Guards that a check reports only its own rules. */
function ownRule(check: Check, rule: string): void {
  if (!check.rules.some((r) => r.id === rule)) throw new Error(`check ${check.name} reported unknown rule ${rule}`);
}

/** Phase 4, side: every check's per-side pass. */
async function sidePhase(checks: readonly Check[], snapshot: Snapshot, policy: Policy): Promise<RawFinding[]> {
  const out: RawFinding[] = [];
  for (const check of checks) {
    if (!check.side) continue;
    await check.side({
      snapshot,
      policy,
      report: (rule, f) => {
        ownRule(check, rule);
        out.push({ ...f, rule });
      },
    });
  }
  return out;
}

/** What the change phase collected besides findings. */
interface ChangeOutput {
  raw: RawFinding[];
  explicit: Map<string, ExplicitOutcome>;
  details: ReportDetails;
  notEvaluated: NotEvaluated[];
  notes: string[];
  override?: Override;
}

/** Phase 6, change: every check's once-per-change pass. */
async function changePhase(checks: readonly Check[], change: Change, policy: Policy, sides: Sides): Promise<ChangeOutput> {
  const out: ChangeOutput = { raw: [], explicit: new Map(), details: {}, notEvaluated: [], notes: [] };
  for (const check of checks) {
    if (!check.change) continue;
    await check.change({
      change,
      policy,
      head: sides.head,
      ...(sides.base ? { base: sides.base } : {}),
      report: (rule, f) => {
        ownRule(check, rule);
        out.raw.push({ ...f, rule });
      },
      outcome: (rule, state, reason, o) => {
        ownRule(check, rule);
        out.explicit.set(rule, { state, ...(reason !== undefined ? { reason } : {}), blocking: o?.blocking ?? state === 'failed' });
      },
      detail: (key, value) => {
        (out.details as Record<string, unknown>)[key] = value;
      },
      override: (value) => {
        out.override = value;
      },
      notEvaluated: (item) => out.notEvaluated.push(item),
      note: (text) => out.notes.push(text),
    });
  }
  return out;
}

/**
 * Evaluates a change under the policy found on its base side.
 * @returns the report; `verdict` is `fail` when a new finding reaches `failOn` or a requirement failed
 * @throws {ConfigError} when the policy file is invalid (the caller fails closed: exit 2, or verdict fail)
 * @throws {SourceError} when a tree cannot be read
 */
export async function evaluate(change: Change, opts: EvaluateOptions): Promise<Report> {
  const now = opts.now ?? (() => new Date());
  const started = performance.now();
  const { loader, rules } = catalogOf(opts.areas);
  const checks = opts.areas.flatMap((a) => a.checks);

  const { resolved, policy, failOn, notes } = await resolvePhase(change, opts, loader);
  warmRenderTools(change, policy, opts.render);
  const isManifest = manifestMatcher(policy.manifests);
  const gathering = gatherPhase(opts.areas, change, policy, isManifest);
  const sides = await readPhase(change, opts, policy, isManifest);
  change = applyGathered(change, sides, await gathering);
  const rendered = await renderPhase(change, policy, sides.head, sides.base, opts.render);
  await renderedPhase(opts.areas, change, policy, sides);
  const notEvaluated: NotEvaluated[] = sides.headFiles.filter((f) => f.notEvaluated && !rendered.covered.has(f.path)).map((f) => ({ subject: f.path, reason: f.notEvaluated! }));
  notEvaluated.push(...rendered.notEvaluated);

  const headRaw = await sidePhase(checks, sides.head, policy);
  const baseRaw = sides.base ? await sidePhase(checks, sides.base, policy) : [];

  const toFinding = findingMaker(policy, rules, new Set(change.files.filter((f) => f.status !== 'removed').map((f) => f.path)));
  const findings: Finding[] = [];
  for (const { finding, preExisting } of classify(change, headRaw, baseRaw)) {
    const f = toFinding(finding, preExisting);
    if (f) findings.push(f);
  }

  const changed = await changePhase(checks, change, policy, sides);
  for (const raw of changed.raw) {
    // Findings from change checks count as new unless the check said otherwise.
    const f = toFinding(raw, raw.preExisting === true);
    if (f) findings.push(f);
  }
  notEvaluated.push(...changed.notEvaluated);
  notes.push(...changed.notes);
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));

  const outcomes = ruleOutcomes(rules.values(), findings, changed.explicit, policy);
  const decided = decideVerdict(findings, outcomes, failOn, changed.override);

  return {
    schemaVersion: 1,
    tool: { name: 'gitops-gate', version: VERSION },
    verdict: decided.verdict,
    failOn,
    ...(decided.override ? { override: decided.override } : {}),
    evaluatedAt: now().toISOString(),
    change: {
      ...(change.repository ? { repository: change.repository } : {}),
      ...(change.serverUrl ? { serverUrl: change.serverUrl } : {}),
      mode: change.mode,
      ...(change.baseSha ? { baseSha: change.baseSha } : {}),
      headSha: change.headSha,
      ...(change.pr
        ? {
            pr: {
              number: change.pr.number,
              title: change.pr.title,
              ...(change.pr.author.login ? { author: change.pr.author.login } : {}),
              ...(change.pr.url ? { url: change.pr.url } : {}),
              draft: change.pr.draft,
              labels: change.pr.labels,
              ...(headPushers(change.pr).length ? { pushers: headPushers(change.pr) } : {}),
            },
          }
        : {}),
      files: change.files.length,
      commits: change.commits.length,
      caps: change.caps,
    },
    policy: resolved.source,
    findings,
    rules: outcomes,
    notEvaluated,
    notes,
    stats: {
      filesExamined: sides.headFiles.length + sides.baseFiles.length,
      documentsExamined: sides.headFiles.reduce((n, f) => n + f.docs.length, 0) + sides.baseFiles.reduce((n, f) => n + f.docs.length, 0),
      resourcesExamined: sides.head.resources.length + (sides.base?.resources.length ?? 0),
      durationMs: Math.round(performance.now() - started),
    },
    details: rendered.details ? { ...changed.details, render: rendered.details } : changed.details,
  };
}
