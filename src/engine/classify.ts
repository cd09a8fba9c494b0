/**
 * The classify phase: findings of the head side become {@link Finding}s, `new` or `pre-existing`. A finding
 * whose fingerprint (rule, file, subject, key) also occurs at base, with files followed through renames, is
 * pre-existing: the change did not bring it.
 */
import type { Change, Finding, Severity } from '../core/model.js';
import type { FindingInput, RuleInfo } from '../area/contract.js';
import type { Policy } from '../policy/types.js';

/** A finding as a check reported it, with its rule. */
export interface RawFinding extends FindingInput {
  rule: string;
  preExisting?: boolean;
}

/** The key that matches a finding across base and head. */
export function fingerprint(rule: string, file: string, subject?: string, key?: string): string {
  return [rule, file, subject ?? '', key ?? ''].join('\u0000');
}

/**
 * Turns raw findings into report findings: severity from the policy (or `off`, dropped), reference from the rule.
 * A finding with related places that the change touched where its own file is untouched is placed at the first
 * touched one, its own place becoming related: the annotation then lands on the lines the PR changed (an
 * overlay's patch that moved a wave, not the base's migration Job it now conflicts with).
 * @param changed - paths the change touches (head side); empty in `--all` mode, where nothing moves
 */
export function findingMaker(policy: Policy, rules: ReadonlyMap<string, RuleInfo>, changed: ReadonlySet<string> = new Set()): (f: RawFinding, preExisting: boolean) => Finding | undefined {
  return (f, preExisting) => {
    const info = rules.get(f.rule)!;
    const sev: Severity | 'off' = policy.rules[f.rule] ?? f.severity ?? info.defaultSeverity;
    if (sev === 'off') return undefined;
    const related = (f.related ?? []).map((r) => ({ file: r.file, line: r.pos.line, column: r.pos.column, message: r.message }));
    const moveTo = changed.has(f.file) ? -1 : related.findIndex((r) => changed.has(r.file));
    const own = { file: f.file, line: f.pos.line, column: f.pos.column, message: f.subject ?? f.file };
    const at = moveTo >= 0 ? related[moveTo]! : own;
    const others = moveTo >= 0 ? [own, ...related.filter((_, i) => i !== moveTo)] : related;
    return {
      rule: f.rule,
      severity: sev,
      file: at.file,
      line: at.line,
      column: at.column,
      ...(f.end && moveTo < 0 ? { endLine: f.end.line, endColumn: f.end.column } : {}),
      message: f.message,
      fix: f.fix,
      reference: info.reference,
      ...(f.subject ? { subject: f.subject } : {}),
      ...(others.length ? { related: others } : {}),
      status: preExisting ? 'pre-existing' : 'new',
      fingerprint: fingerprint(f.rule, f.file, f.subject, f.key),
    };
  };
}

/**
 * Classifies the head side's findings against the base side's: each head finding matched by a base finding
 * of the same fingerprint (counted, so two at head and one at base leave one new) is pre-existing.
 * @returns the head findings with their status, in head order
 */
export function classify(change: Change, headRaw: readonly RawFinding[], baseRaw: readonly RawFinding[]): { finding: RawFinding; preExisting: boolean }[] {
  const renamed = new Map(change.files.filter((f) => f.previousPath).map((f) => [f.previousPath!, f.path]));
  const baseCounts = new Map<string, number>();
  for (const f of baseRaw) {
    const fp = fingerprint(f.rule, renamed.get(f.file) ?? f.file, f.subject, f.key);
    baseCounts.set(fp, (baseCounts.get(fp) ?? 0) + 1);
  }
  return headRaw.map((f) => {
    const fp = fingerprint(f.rule, f.file, f.subject, f.key);
    const n = baseCounts.get(fp) ?? 0;
    if (n > 0) baseCounts.set(fp, n - 1);
    return { finding: f, preExisting: n > 0 };
  });
}
