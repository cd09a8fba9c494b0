/**
 * Every check the gate runs, in order. Adding a check here is all it takes to run it; its rules then
 * appear in the report, can be configured in the policy's `rules` section, and are documented in docs/rules.md.
 */
import type { Check, RuleInfo } from './check.js';
import { yamlCheck } from './yaml-problems.js';
import { annotationCheck } from './argocd/annotations.js';
import { descriptionCheck } from '../description/check.js';

/** All checks. */
export const CHECKS: readonly Check[] = [yamlCheck, annotationCheck, descriptionCheck];

/** All rules of all checks, by id. */
export const RULES: ReadonlyMap<string, RuleInfo> = new Map(CHECKS.flatMap((c) => c.rules.map((r) => [r.id, r] as const)));
