/** The compliance controls mapping: which rules serve which control, and how those rules fared. */
import type { RuleOutcome, RuleState } from '../core/model.js';

/** States from worst to best, for summing up several rules in one state. */
export const STATE_RANK: readonly RuleState[] = ['failed', 'pending', 'not-evaluated', 'passed', 'skipped'];

/** The worst state among `rules` (`passed` for none). */
export function worstState(rules: readonly RuleOutcome[]): RuleState {
  return STATE_RANK.find((s) => rules.some((r) => r.state === s)) ?? 'passed';
}

/** A control and the rules that serve it. */
export interface ControlOutcome {
  control: string;
  /** Ids of the rules serving the control (from the policy's `controls`). */
  rules: string[];
  /** The worst state among those rules. */
  state: RuleState;
}

/** Each control named by a rule's `controls`, with its rules and their worst state, sorted by control. */
export function controlsMapping(rules: readonly RuleOutcome[]): ControlOutcome[] {
  const by = new Map<string, RuleOutcome[]>();
  for (const r of rules) for (const c of r.controls ?? []) by.set(c, [...(by.get(c) ?? []), r]);
  return [...by].sort(([a], [b]) => a.localeCompare(b)).map(([control, rs]) => ({ control, rules: rs.map((r) => r.rule), state: worstState(rs) }));
}
