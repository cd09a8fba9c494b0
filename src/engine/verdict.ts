/**
 * The engine's last phase: each rule's outcome under the policy, and the verdict. Also how strict a run may
 * be: the `fail-on` it asked for against the policy's `gate.failOn`.
 */
import type { Area, FailOn, Finding, Override, RuleOutcome, RuleState, Severity } from '../core/model.js';
import { atLeast } from '../core/model.js';
import type { RuleInfo } from '../area/contract.js';
import type { Policy } from '../policy/types.js';

/** An outcome a check set explicitly (a requirement such as "one approval" has no findings). */
export interface ExplicitOutcome {
  state: RuleState;
  reason?: string;
  blocking: boolean;
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
 * The outcome of every rule, in catalogue order: `skipped` when the policy switches it off, the explicit
 * outcome a check set, else `failed` when it has new findings and `passed` otherwise.
 */
export function ruleOutcomes(rules: Iterable<RuleInfo>, findings: readonly Finding[], explicit: ReadonlyMap<string, ExplicitOutcome>, policy: Policy): RuleOutcome[] {
  const out: RuleOutcome[] = [];
  for (const info of rules) {
    const mine = findings.filter((f) => f.rule === info.id);
    const counts = { new: mine.filter((f) => f.status === 'new').length, preExisting: mine.filter((f) => f.status === 'pre-existing').length };
    const sev = ruleSeverity(policy, info);
    const base: Omit<RuleOutcome, 'state' | 'blocking'> = { rule: info.id, area: info.area as Area, title: info.title, findings: counts };
    const controls = controlsFor(policy, info);
    if (controls) base.controls = controls;
    const ex = explicit.get(info.id);
    if (sev === 'off') {
      out.push({ ...base, state: 'skipped', reason: 'switched off in the policy', blocking: false });
    } else if (ex) {
      out.push({ ...base, state: ex.state, ...(ex.reason ? { reason: ex.reason } : {}), blocking: ex.blocking });
    } else {
      const state: RuleState = counts.new > 0 ? 'failed' : 'passed';
      const reason = counts.new === 0 && counts.preExisting > 0 ? `${counts.preExisting} pre-existing finding(s) do not block` : undefined;
      out.push({ ...base, state, ...(reason ? { reason } : {}), blocking: false });
    }
  }
  return out;
}

/**
 * The verdict: `fail` when a new finding reaches `failOn`, or a blocking requirement failed or is pending,
 * unless a break-glass override passes it (then the override is part of the verdict).
 */
export function decideVerdict(findings: readonly Finding[], rules: readonly RuleOutcome[], failOn: FailOn, override: Override | undefined): { verdict: 'pass' | 'fail'; override?: Override } {
  const blockingFinding = failOn !== 'never' && findings.some((f) => f.status === 'new' && atLeast(f.severity, failOn));
  // A blocking requirement fails the gate while failed or pending (a missing approval blocks merging).
  const blockingRule = failOn !== 'never' && rules.some((r) => r.blocking && (r.state === 'failed' || r.state === 'pending'));
  const failed = blockingFinding || blockingRule;
  if (!failed) return { verdict: 'pass' };
  return override ? { verdict: 'pass', override } : { verdict: 'fail' };
}
