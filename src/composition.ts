/**
 * The composition root: the areas the gate runs, in order, listed once. The policy loader, the engine, SARIF
 * and the rule docs take them from here as an argument; nothing below this file imports an area by name.
 *
 * Adding an area is adding it here (see docs/architecture.md); adding a rule is adding it to its area's
 * checks, after which it appears in the report, can be configured in the policy's `rules` section, and is
 * documented in docs/rules.md.
 */
import { checksOf, type AreaModule, type Check, type RuleInfo } from './area/contract.js';
import type { Change, Report } from './core/model.js';
import { catalogOf, evaluate as evaluateWith, type EvaluateOptions } from './engine/evaluate.js';
import { manifestsArea } from './files/area.js';
import { syncArea } from './sync/area.js';
import { applicationsArea } from './applications/area.js';
import { healthArea } from './health/area.js';
import { reviewArea } from './review/area.js';
import { descriptionArea } from './description/area.js';

/** Every area, in the order its checks run and its rules are listed. */
export const AREAS: readonly AreaModule[] = [manifestsArea, syncArea, applicationsArea, healthArea, reviewArea, descriptionArea];

/** All checks of all areas, in order. */
export const CHECKS: readonly Check[] = checksOf(AREAS);

/** All rules of all areas, by id. */
export const RULES: ReadonlyMap<string, RuleInfo> = catalogOf(AREAS).rules;

/** The policy loader for these areas' rules (src/policy/load.ts). */
export const { parsePolicyText, loadPolicy, resolvePolicy, defaultPolicyValue } = catalogOf(AREAS).loader;

/**
 * Evaluates a change with every area; see the engine's {@link evaluateWith | evaluate}.
 * @throws {ConfigError} when the policy file is invalid; {@link SourceError} when a tree cannot be read
 */
export function evaluate(change: Change, opts: Omit<EvaluateOptions, 'areas'>): Promise<Report> {
  return evaluateWith(change, { ...opts, areas: AREAS });
}
