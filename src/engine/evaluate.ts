/**
 * The engine: loads the policy from the base side, reads the manifests in scope on both sides, runs every
 * check, tells new findings from pre-existing ones, and decides the verdict. All I/O goes through the
 * change's {@link TreeReader}s before the checks run; the checks themselves are pure.
 */
import type {
  Area,
  Change,
  FailOn,
  Finding,
  NotEvaluated,
  Report,
  RuleOutcome,
  RuleState,
  Severity,
  TreeReader,
} from '../core/model.js';
import { atLeast, touchedPaths } from '../core/model.js';
import { manifestMatcher } from '../manifests/manifest-file.js';
import { DEFAULT_POLICY_NAME, resolvePolicy, type ResolvedPolicy } from '../policy/load.js';
import type { Policy } from '../policy/types.js';
import { CHECKS } from '../rules/catalog.js';
import { withPrTemplates } from '../description/templates.js';
import type { Check, FindingInput, RuleInfo, Snapshot } from '../rules/check.js';
import { makeSnapshot, readSide, type Scope } from './scope.js';
import { applicationGroups, applicationScope, repoLayout } from './app-scope.js';
import { VERSION } from '../version.js';
import { prepareReview } from '../review/prepare.js';
import { headPushers } from '../review/reviewers.js';
import { gatherHealthFacts } from '../health/gather.js';
import { applicationFacts } from '../applications/gather.js';

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** Path of the policy file or directory in the repository (read from the base side). */
  policyPath: string;
  /**
   * Which findings fail the gate, as the workflow input or CLI flag asks. Default `error`. The policy's
   * `gate.failOn` wins when it is stricter (see {@link effectiveFailOn}); `report.failOn` is what applied.
   */
  failOn?: FailOn;
  /** The checks to run; default: every check in the catalogue. */
  checks?: readonly Check[];
  /** A policy already resolved by the caller (the Action resolves it before gathering reviews). */
  resolved?: ResolvedPolicy;
  /**
   * Computes the files to read on each side; default: every file of each sync group the change touches
   * (see {@link applicationScope}); `changedScope` in scope.ts reads only the changed files.
   */
  scope?: (change: Change, isManifest: (p: string) => boolean, policy: Policy) => Promise<Scope>;
  /** Groups a side's files into sync groups; default: by Application, kustomization, directory ({@link applicationGroups}). */
  group?: (side: 'base' | 'head', files: Snapshot['files'], tree: TreeReader, policy: Policy) => Promise<Snapshot['groups']>;
  /** Clock, for tests. */
  now?: () => Date;
}

interface RawFinding extends FindingInput {
  rule: string;
  preExisting?: boolean;
}

function fingerprint(rule: string, file: string, subject?: string, key?: string): string {
  return [rule, file, subject ?? '', key ?? ''].join('\u0000');
}

/** The severity a rule's findings get under the policy, or `off`. */
export function ruleSeverity(policy: Policy, rule: RuleInfo): Severity | 'off' {
  return policy.rules[rule.id] ?? rule.defaultSeverity;
}

function controlsFor(policy: Policy, rule: RuleInfo): string[] | undefined {
  const c = [...(policy.controls[rule.area] ?? []), ...(policy.controls[rule.id] ?? [])];
  return c.length ? [...new Set(c)] : undefined;
}

/** `fail-on` values from the least to the most strict: `never` fails on nothing, `warning` on warnings and errors. */
export const FAIL_ON_ORDER: readonly FailOn[] = ['never', 'error', 'warning'];

/**
 * The `fail-on` a run uses: the requested one (the workflow's input, the CLI's flag) unless the policy's
 * `gate.failOn` is stricter. A `pull_request` run takes its workflow from the PR, so the request may only
 * tighten what the base branch's policy says (issue "Fail closed", item 5).
 * @param requested the workflow input or CLI flag
 * @param policy the resolved policy (base side)
 * @param policyName where the policy came from, for the note
 * @returns the value to apply, and a note (for the report and a workflow warning) when the request was looser
 */
export function effectiveFailOn(requested: FailOn, policy: Policy, policyName: string): { failOn: FailOn; note?: string } {
  const floor = policy.gate.failOn;
  if (FAIL_ON_ORDER.indexOf(requested) >= FAIL_ON_ORDER.indexOf(floor)) return { failOn: requested };
  return {
    failOn: floor,
    note:
      `The workflow asked for fail-on "${requested}", but the policy (${policyName}) sets gate.failOn to "${floor}", and a run may only be stricter than its policy: ` +
      `fail-on "${floor}" applies. To allow "${requested}", set gate.failOn in the policy on the base branch.`,
  };
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
  const checks = opts.checks ?? CHECKS;
  const changedPaths = touchedPaths(change);
  const policyTree = change.mode === 'all' || !change.base ? change.head : (change.policyBase ?? change.base);
  const resolved = opts.resolved ?? (await resolvePolicy(policyTree, opts.policyPath, changedPaths));
  const { policy } = resolved;
  const gate = effectiveFailOn(opts.failOn ?? 'error', policy, resolved.source.origin === 'default' ? DEFAULT_POLICY_NAME : resolved.source.path);
  const failOn = gate.failOn;
  // Area pre-passes: I/O the pure checks need, done once the policy is known (description: PR templates;
  // review: CODEOWNERS).
  change = await withPrTemplates(change, policy);
  change = await prepareReview(change, policy);
  const notes: string[] = gate.note ? [gate.note] : [];
  const notEvaluated: NotEvaluated[] = [];
  const details: Record<string, unknown> = {};

  if (resolved.source.origin === 'default') {
    notes.push(`No policy file at "${resolved.source.path}" on the ${change.mode === 'all' ? 'checked tree' : 'base branch'}: the built-in default policy applies.`);
  }
  if (resolved.source.changedByThisChange) {
    notes.push(`This change edits the policy (${resolved.source.path}). It is judged by the policy on the base branch; the new policy applies once merged.`);
  }
  // Past GitHub's listing caps the lists were made whole (src/github/beyond-caps.ts); the notes say from where.
  notes.push(...(change.listNotes ?? []));

  const isManifest = manifestMatcher(policy.manifests);
  const scope = await (opts.scope ?? applicationScope)(change, isManifest, policy);
  const limits = policy.manifests.limits;
  // Health facts need no parsed manifests: gathered (scripts run in a worker) while the files are read.
  const health = checks.some((c) => c.rules.some((r) => r.area === 'health')) ? gatherHealthFacts(change, policy, isManifest) : undefined;
  health?.catch(() => undefined); // awaited below; a read failure first must not leave it unhandled
  const [headFiles, baseFiles] = await Promise.all([
    readSide(change.head, scope.head, limits, scope.prefer),
    change.base && change.mode === 'diff' ? readSide(change.base, scope.base, limits) : Promise.resolve([]),
  ]);
  const group = opts.group ?? applicationGroups;
  const head = makeSnapshot('head', headFiles, await group('head', headFiles, change.head, policy));
  head.customHealth = (await repoLayout(change.head, policy)).customHealth;
  const base =
    change.mode === 'diff' && change.base ? makeSnapshot('base', baseFiles, await group('base', baseFiles, change.base, policy)) : undefined;
  if (base && change.base) base.customHealth = (await repoLayout(change.base, policy)).customHealth;
  // Links leading nowhere readable are judged per side; the others were read as their targets.
  const [headLinks, baseLinks] = await Promise.all([change.head.symlinks?.(), base ? change.base?.symlinks?.() : undefined]);
  if (headLinks) head.symlinks = headLinks;
  if (change.mode === 'diff') {
    // Every manifest the change adds or modifies exists at head: one the tree lacks was not read (its name may
    // not be UTF-8 in GitHub's list, or a sparse checkout left it out). Not the base: GitHub diffs against the
    // merge base, so a modified file may be gone from the base branch's tip.
    const listed = new Set((await repoLayout(change.head, policy)).files);
    head.unlisted = change.files.filter((f) => f.status !== 'removed' && isManifest(f.path) && !listed.has(f.path)).map((f) => f.path);
  }
  if (base && baseLinks) base.symlinks = baseLinks;
  if (health) {
    const facts = await health;
    head.health = facts.head;
    if (base && facts.base) base.health = facts.base;
  }
  if (checks.some((c) => c.rules.some((r) => r.area === 'applications'))) {
    head.applications = applicationFacts(await repoLayout(change.head, policy), limits);
    if (base && change.base) base.applications = applicationFacts(await repoLayout(change.base, policy), limits);
  }
  for (const f of headFiles) if (f.notEvaluated) notEvaluated.push({ subject: f.path, reason: f.notEvaluated });

  const ruleIndex = new Map<string, { info: RuleInfo; check: Check }>();
  for (const c of checks) for (const r of c.rules) ruleIndex.set(r.id, { info: r, check: c });

  const assertRule = (check: Check, rule: string): RuleInfo => {
    const entry = ruleIndex.get(rule);
    if (!entry || entry.check !== check) throw new Error(`check ${check.name} reported unknown rule ${rule}`);
    return entry.info;
  };

  // Per-side checks.
  const runSide = async (snap: Snapshot): Promise<RawFinding[]> => {
    const out: RawFinding[] = [];
    const sideDetails: Record<string, unknown> = {};
    for (const check of checks) {
      if (!check.side) continue;
      await check.side({
        snapshot: snap,
        policy,
        report: (rule, f) => {
          assertRule(check, rule);
          out.push({ ...f, rule });
        },
        detail: (key, value) => {
          sideDetails[key] = value;
        },
      });
    }
    for (const [k, v] of Object.entries(sideDetails)) {
      const slot = (details[k] ??= {}) as Record<string, unknown>;
      slot[snap.side] = v;
    }
    return out;
  };
  const headRaw = await runSide(head);
  const baseRaw = base ? await runSide(base) : [];

  // A finding whose fingerprint also occurs at base (files followed through renames) is pre-existing.
  const renamed = new Map(change.files.filter((f) => f.previousPath).map((f) => [f.previousPath!, f.path]));
  const baseCounts = new Map<string, number>();
  for (const f of baseRaw) {
    const fp = fingerprint(f.rule, renamed.get(f.file) ?? f.file, f.subject, f.key);
    baseCounts.set(fp, (baseCounts.get(fp) ?? 0) + 1);
  }

  const findings: Finding[] = [];
  const pushFinding = (f: RawFinding, preExisting: boolean) => {
    const entry = ruleIndex.get(f.rule)!;
    const sev = policy.rules[f.rule] ?? f.severity ?? entry.info.defaultSeverity;
    if (sev === 'off') return;
    findings.push({
      rule: f.rule,
      severity: sev,
      file: f.file,
      line: f.pos.line,
      column: f.pos.column,
      ...(f.end ? { endLine: f.end.line, endColumn: f.end.column } : {}),
      message: f.message,
      fix: f.fix,
      reference: entry.info.reference,
      ...(f.subject ? { subject: f.subject } : {}),
      status: preExisting ? 'pre-existing' : 'new',
      fingerprint: fingerprint(f.rule, f.file, f.subject, f.key),
    });
  };
  for (const f of headRaw) {
    const fp = fingerprint(f.rule, f.file, f.subject, f.key);
    const n = baseCounts.get(fp) ?? 0;
    if (n > 0) baseCounts.set(fp, n - 1);
    pushFinding(f, n > 0);
  }

  // Once-per-change checks.
  const explicit = new Map<string, { state: RuleState; reason?: string; blocking: boolean }>();
  for (const check of checks) {
    if (!check.change) continue;
    await check.change({
      change,
      policy,
      head,
      ...(base ? { base } : {}),
      report: (rule, f) => {
        assertRule(check, rule);
        pushFinding({ ...f, rule }, f.preExisting === true);
      },
      outcome: (rule, state, reason, o) => {
        assertRule(check, rule);
        explicit.set(rule, { state, ...(reason !== undefined ? { reason } : {}), blocking: o?.blocking ?? state === 'failed' });
      },
      detail: (key, value) => {
        details[key] = value;
      },
      notEvaluated: (item) => notEvaluated.push(item),
      note: (text) => notes.push(text),
    });
  }

  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));

  const rules: RuleOutcome[] = [];
  for (const { info } of ruleIndex.values()) {
    const mine = findings.filter((f) => f.rule === info.id);
    const counts = { new: mine.filter((f) => f.status === 'new').length, preExisting: mine.filter((f) => f.status === 'pre-existing').length };
    const sev = ruleSeverity(policy, info);
    const base: Omit<RuleOutcome, 'state' | 'blocking'> = { rule: info.id, area: info.area as Area, title: info.title, findings: counts };
    const controls = controlsFor(policy, info);
    if (controls) base.controls = controls;
    const ex = explicit.get(info.id);
    if (sev === 'off') {
      rules.push({ ...base, state: 'skipped', reason: 'switched off in the policy', blocking: false });
    } else if (ex) {
      rules.push({ ...base, state: ex.state, ...(ex.reason ? { reason: ex.reason } : {}), blocking: ex.blocking });
    } else {
      const state: RuleState = counts.new > 0 ? 'failed' : 'passed';
      const reason = counts.new === 0 && counts.preExisting > 0 ? `${counts.preExisting} pre-existing finding(s) do not block` : undefined;
      rules.push({ ...base, state, ...(reason ? { reason } : {}), blocking: false });
    }
  }

  const blockingFinding = failOn !== 'never' && findings.some((f) => f.status === 'new' && atLeast(f.severity, failOn));
  // A blocking requirement fails the gate while failed or pending (a missing approval blocks merging).
  const blockingRule = failOn !== 'never' && rules.some((r) => r.blocking && (r.state === 'failed' || r.state === 'pending'));
  const override = details.override as Report['override'] | undefined;
  const failed = blockingFinding || blockingRule;
  const verdict = failed && !override ? 'fail' : 'pass';

  return {
    schemaVersion: 1,
    tool: { name: 'gitops-gate', version: VERSION },
    verdict,
    failOn,
    ...(override && failed ? { override } : {}),
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
    rules,
    notEvaluated,
    notes,
    stats: {
      filesExamined: headFiles.length + baseFiles.length,
      documentsExamined: headFiles.reduce((n, f) => n + f.docs.length, 0) + baseFiles.reduce((n, f) => n + f.docs.length, 0),
      resourcesExamined: head.resources.length + (base?.resources.length ?? 0),
      durationMs: Math.round(performance.now() - started),
    },
    details,
  };
}
