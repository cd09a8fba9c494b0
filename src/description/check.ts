/**
 * The description policy check: what the PR title and body must say (PCI DSS v4.0 6.5.1 asks every change
 * for its reason, impact, approval, testing and roll-back procedure). Each requirement becomes a rule
 * outcome; the per-requirement detail goes to `details.description` for the summary.
 *
 * Pure: the PR comes from the change, the repository's PR templates from the engine's pre-pass
 * (`withPrTemplates` in ./templates.ts), the sync-order comparison from the base and head snapshots.
 */
import type { RuleState } from '../core/model.js';
import type { Check, ChangeContext, RuleInfo } from '../area/contract.js';
import { placeholderMatchers, templateText } from './content.js';
import { applies } from './conditions.js';
import { parseBodyBounded } from './bounded.js';
import { MARKDOWN_LIMITS, parseBodySafe, type BodyParse, type ParsedBody } from './markdown.js';
import {
  evaluateBody,
  evaluateLabels,
  evaluateSection,
  evaluateTicket,
  evaluateTitle,
  q,
  type BodyFacts,
  type DescriptionRule,
  type RequirementResult,
} from './requirements.js';
import { detectRevert, type RevertInfo } from './revert.js';
import { resolveSection, type DescriptionSettings, type RevertExemption } from './settings.js';

const PCI = 'PCI DSS v4.0 6.5.1 (a change documents its reason and roll-back procedure)';

/** The rules of the description area. */
export const DESCRIPTION_RULES: RuleInfo[] = [
  {
    id: 'description-body',
    area: 'description',
    title: 'the PR body must hold real content: not empty, not the PR template left as written',
    defaultSeverity: 'error',
    reference: `${PCI}; GitHub Docs, "Creating a pull request template for your repository" (template locations)`,
  },
  {
    id: 'description-sections',
    area: 'description',
    title: 'the PR body must have each required section (found by its heading) with real content',
    defaultSeverity: 'error',
    reference: `${PCI}; sections are Markdown headings as GitHub renders them (CommonMark and GitHub Flavored Markdown specs)`,
  },
  {
    id: 'description-ticket',
    area: 'description',
    title: 'the title, body or branch name must reference a ticket matching the policy pattern',
    defaultSeverity: 'error',
    reference: `${PCI}: the change is traceable to its request`,
  },
  {
    id: 'description-title',
    area: 'description',
    title: 'the PR title must match the policy pattern',
    defaultSeverity: 'error',
    reference: 'gitops-gate policy description.title; the title GitHub reports in the pull request API',
  },
  {
    id: 'description-labels',
    area: 'description',
    title: 'the PR must carry the required labels and none of the forbidden ones',
    defaultSeverity: 'error',
    reference: 'gitops-gate policy description.labels; GitHub label names compare case-insensitively',
  },
  {
    id: 'description-conditional',
    area: 'description',
    title: 'conditional requirements (by paths, kinds, sync-wave or hook changes) must be met when they apply',
    defaultSeverity: 'error',
    reference: `${PCI}; ArgoCD sync order: gitops-engine/pkg/sync/syncwaves/waves.go:12-21, gitops-engine/pkg/sync/hook/hook.go:23-36`,
  },
  {
    id: 'description-unparseable',
    area: 'description',
    title: `the PR body must be readable as Markdown within the limits (${MARKDOWN_LIMITS.maxChars.toLocaleString('en-US')} characters, ${MARKDOWN_LIMITS.maxDepth} nested quotes or lists on a line, ${MARKDOWN_LIMITS.timeoutMs / 1000} s of parsing); a body that is not fails the description policy`,
    defaultSeverity: 'error',
    reference: `${PCI}: a description the gate cannot read documents nothing; GitHub limits a PR body to 65,536 characters`,
  },
];

/** What the description area records in `report.details.description`. PR text in it is verbatim: escape before rendering. */
export interface DescriptionDetails {
  /** False when there was no PR to evaluate. */
  evaluated: boolean;
  /** Why the area was not evaluated. */
  reason?: string;
  draft?: boolean;
  /** True when failures of a draft PR block (policy `drafts: enforce`). */
  draftsBlock?: boolean;
  revert?: RevertInfo;
  /** Template files the body was compared with. */
  templates?: string[];
  requirements: RequirementResult[];
  /** Conditional requirements that applied, with the reasons. */
  conditions?: { name: string; because: string[] }[];
}

const ALL_RULES = DESCRIPTION_RULES.map((r) => r.id as DescriptionRule);

const EMPTY_BODY: ParsedBody = { headings: [], sections: [], blocks: [] };

function notEvaluated(ctx: ChangeContext, reason: string): void {
  // The outcomes say it per rule; the verdict is left to the other areas.
  for (const rule of ALL_RULES) ctx.outcome(rule, 'not-evaluated', reason, { blocking: false });
  ctx.detail('description', { evaluated: false, reason, requirements: [] } satisfies DescriptionDetails);
}

/** The rule's outcome from its requirements: failed if any failed, skipped if all were skipped. */
function combine(results: RequirementResult[]): { state: RuleState; reason?: string } {
  const failed = results.filter((r) => r.state === 'failed');
  if (failed.length) return { state: 'failed', reason: failed.map((r) => `${r.name}: ${r.missing ?? 'failed'}`).join('; ') };
  // Only description-unparseable has no result when all went well.
  if (!results.length) return { state: 'passed', reason: 'the PR body was read as Markdown within the limits' };
  const passed = results.filter((r) => r.state === 'passed');
  if (passed.length) return { state: 'passed', reason: passed.map((r) => `${r.name}: ${r.found ?? 'ok'}`).join('; ') };
  const skip = results.find((r) => r.state === 'skipped');
  return { state: 'skipped', ...(skip?.missing ? { reason: skip.missing } : {}) };
}

function skipped(rule: DescriptionRule, name: string, why: string): RequirementResult {
  return { rule, name, state: 'skipped', missing: why };
}

/**
 * Evaluates the description requirements of one change.
 * @returns the requirement results and the details for the summary (pure; no outcome set)
 */
export function evaluateDescription(ctx: Pick<ChangeContext, 'change' | 'base' | 'head' | 'policy'>, settings: DescriptionSettings, body?: BodyParse): DescriptionDetails {
  const { change } = ctx;
  const pr = change.pr!;
  const read = body ?? parseBodySafe(pr.body);
  const facts: BodyFacts = {
    pr,
    parsed: read.ok ? read.body : EMPTY_BODY,
    template: templateText(settings.template.enabled ? (change.prTemplates ?? []) : []),
    placeholders: placeholderMatchers(settings.placeholders),
  };
  const revert = detectRevert(pr, change.repository, change.serverUrl);
  const exempt = (what: RevertExemption) => revert !== undefined && settings.reverts.exempt.includes(what);
  const revertWhy = 'not required of a revert PR (description.reverts.exempt)';
  const results: RequirementResult[] = [evaluateBody(facts)];

  const sectionIds = revert ? settings.reverts.sections : Object.keys(settings.sections).filter((id) => resolveSection(id, settings.sections[id]).required);
  for (const id of sectionIds) results.push(evaluateSection(resolveSection(id, settings.sections[id]), facts, 'description-sections'));
  if (!sectionIds.length) results.push(skipped('description-sections', 'Sections', revert ? 'the policy requires no section of a revert PR' : 'the policy requires no section'));

  results.push(exempt('ticket') ? skipped('description-ticket', 'Ticket reference', revertWhy) : evaluateTicket(settings.ticket, facts));
  results.push(exempt('title') ? skipped('description-title', 'Title format', revertWhy) : evaluateTitle(settings.title, pr));
  results.push(exempt('labels') ? skipped('description-labels', 'Labels', revertWhy) : evaluateLabels(settings.labels, pr));

  const conditions: { name: string; because: string[] }[] = [];
  if (exempt('conditional')) {
    results.push(skipped('description-conditional', 'Conditional requirements', revertWhy));
  } else {
    for (const req of settings.conditional) {
      const a = applies(req, change, ctx.base, ctx.head, ctx.policy.manifests);
      if (!a) continue;
      conditions.push({ name: req.name, because: a.because });
      const ids = new Set([...(req.sections ?? []), ...Object.keys(req.mention ?? {}), ...(req.previousWaves ? [req.previousWaves] : [])]);
      for (const id of ids) {
        const sec = { ...resolveSection(id, settings.sections[id]), required: true };
        const extras = { mention: req.mention?.[id] ?? [], waves: req.previousWaves === id ? a.waves : [] };
        results.push(evaluateSection(sec, facts, 'description-conditional', extras, `${req.name}: section ${q(sec.headings[0]!)}`));
      }
    }
    if (!conditions.length) {
      results.push(skipped('description-conditional', 'Conditional requirements', settings.conditional.length ? 'no conditional requirement applies to this change' : 'the policy sets no conditional requirement'));
    }
  }

  if (!read.ok) {
    // Fail closed: what needs the body's structure cannot pass on a body the gate could not read.
    const why = 'not evaluated: the PR body could not be read as Markdown (description-unparseable)';
    for (const r of results) {
      if (r.rule === 'description-body' || r.rule === 'description-sections' || (r.rule === 'description-conditional' && r.state !== 'skipped')) {
        r.state = 'failed';
        r.missing = why;
        delete r.found;
      }
    }
    results.unshift({ rule: 'description-unparseable', name: 'Readable Markdown', state: 'failed', missing: `the PR body was not parsed: ${read.message}` });
  }

  return {
    evaluated: true,
    draft: pr.draft,
    draftsBlock: settings.drafts === 'enforce',
    ...(revert ? { revert } : {}),
    templates: facts.template.paths,
    requirements: results,
    ...(conditions.length ? { conditions } : {}),
  };
}

/** The description check, registered in src/composition.ts. */
export const descriptionCheck: Check = {
  name: 'description',
  rules: DESCRIPTION_RULES,
  async change(ctx) {
    const pr = ctx.change.pr;
    if (!pr) {
      notEvaluated(ctx, 'no pull request data: the description policy reads the PR title and body (give the CLI --pr EVENT.json)');
      return;
    }
    const settings = ctx.policy.description;
    // The body is the author's text: parsed in a worker thread with a time limit (in-process without a bundle).
    const details = evaluateDescription(ctx, settings, await parseBodyBounded(pr.body));
    ctx.detail('description', details);
    const blocking = !(pr.draft && settings.drafts === 'report');
    for (const rule of ALL_RULES) {
      const { state, reason } = combine(details.requirements.filter((r) => r.rule === rule));
      ctx.outcome(rule, state, reason, { blocking: blocking && state === 'failed' });
    }
    if (pr.draft) {
      ctx.note(
        blocking
          ? 'This PR is a draft. Its description is evaluated as if it were ready for review, and its failures block.'
          : 'This PR is a draft. Its description is evaluated, but under the policy (description.drafts: report) its failures do not block until it is marked ready for review.',
      );
    }
  },
};
