/**
 * Every check the gate runs, in order. Adding a check here is all it takes to run it; its rules then
 * appear in the report, can be configured in the policy's `rules` section, and are documented in docs/rules.md.
 */
import type { Check, RuleInfo } from './check.js';
import { yamlCheck } from './yaml-problems.js';
import { repoFilesCheck } from './repo-files.js';
import { annotationCheck } from './argocd/annotations.js';
import { waveCheck } from '../sync/waves.js';
import { hookCheck } from '../sync/hooks.js';
import { optionsCheck } from '../sync/options.js';
import { orderingCheck } from '../sync/ordering.js';
import { planCheck } from '../sync/plan-report.js';
import { reviewCheck } from '../review/check.js';
import { descriptionCheck } from '../description/check.js';
import { healthCheck } from '../health/check.js';
import { applicationsCheck } from '../applications/check.js';

/** All checks. */
export const CHECKS: readonly Check[] = [yamlCheck, repoFilesCheck, annotationCheck, waveCheck, hookCheck, optionsCheck, orderingCheck, planCheck, applicationsCheck, healthCheck, reviewCheck, descriptionCheck];

/** All rules of all checks, by id. */
export const RULES: ReadonlyMap<string, RuleInfo> = new Map(CHECKS.flatMap((c) => c.rules.map((r) => [r.id, r] as const)));
