/**
 * The review policy as a check: turns {@link assessReviews} into rule outcomes, details and notes.
 * Missing approvals are `pending` and block; unsatisfiable requirements and unreadable facts are `failed`.
 */
import type { RuleState } from '../core/model.js';
import type { ChangeContext, Check, RuleInfo } from '../area/contract.js';
import { assessReviews } from './assess.js';
import { findBreakGlass } from './break-glass.js';
import { CODEOWNERS_PATHS } from './codeowners.js';
import type { RequirementResult } from './details.js';
import { headPushers } from './reviewers.js';

const GITHUB_REVIEWS = 'GitHub REST: GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews (docs.github.com/rest/pulls/reviews)';

/** The review area's rules. */
export const REVIEW_RULES: RuleInfo[] = [
  {
    id: 'review-approvals',
    area: 'review',
    title: 'Every approval rule that applies has enough valid approvals (latest review, on the head commit, write access, not a participant)',
    defaultSeverity: 'error',
    reference: `${GITHUB_REVIEWS}; collaborator permission: GET /repos/{owner}/{repo}/collaborators/{username}/permission`,
  },
  {
    id: 'review-changes-requested',
    area: 'review',
    title: "No reviewer's latest review requests changes",
    defaultSeverity: 'error',
    reference: GITHUB_REVIEWS,
  },
  {
    id: 'review-codeowners',
    area: 'review',
    title: 'Code owners of the touched paths approved (CODEOWNERS from the base branch, per review.codeowners.mode)',
    defaultSeverity: 'error',
    reference: 'GitHub docs: about-code-owners.md (file locations, last matching pattern wins, unsupported gitignore syntax)',
  },
];

function combine(reqs: RequirementResult[]): { state: RuleState; reason?: string } {
  const state: RuleState = reqs.some((r) => r.state === 'failed') ? 'failed' : reqs.some((r) => r.state === 'pending') ? 'pending' : 'passed';
  const open = reqs.filter((r) => r.state !== 'passed').map((r) => `${r.name}: ${r.reason ?? r.state}`);
  return open.length ? { state, reason: open.join('; ') } : { state };
}

function outcome(ctx: ChangeContext, rule: string, state: RuleState, reason?: string) {
  ctx.outcome(rule, state, reason, { blocking: state === 'failed' || state === 'pending' });
}

function breakGlass(ctx: ChangeContext) {
  const bg = findBreakGlass(ctx.change, ctx.policy.review.breakGlass);
  for (const n of bg.notes) ctx.note(n);
  if (bg.override) ctx.override(bg.override);
}

/** The review policy check. */
export const reviewCheck: Check = {
  name: 'review',
  rules: REVIEW_RULES,
  change(ctx) {
    const { change, policy } = ctx;
    breakGlass(ctx);
    const missing = !change.pr ? 'no pull request was given (the CLI needs --pr EVENT.json)' : !change.reviews ? 'no reviews were given (the CLI needs --reviews REVIEWS.json)' : undefined;
    if (missing) {
      // The rule outcomes carry the reason; the verdict is decided without the review area.
      for (const r of REVIEW_RULES) ctx.outcome(r.id, 'not-evaluated', missing);
      return;
    }
    if (change.pr && change.pr.headSha !== change.headSha) {
      ctx.note(`The pull request's head is ${change.pr.headSha.slice(0, 7)} but the evaluated head is ${change.headSha.slice(0, 7)}: approvals count only on the evaluated head.`);
    }
    const { details, codeowners } = assessReviews(change, policy);
    ctx.detail('review', details);
    if (details.exclusionsOff.length) {
      ctx.note(`Separation of duties is relaxed by the policy: ${details.exclusionsOff.join(', ')} may approve this change.`);
    }
    if (policy.review.separationOfDuties.lastPusher && change.pr && !headPushers(change.pr).length) {
      ctx.note(
        'Who pushed the head commit is unknown for this run: GitHub names the pusher only in the opened and synchronize events, and no earlier check run of the gate on this head recorded one. ' +
          'No approval counts until it is known: re-run the gate\'s run for the push (its check run records the pusher), or push again.',
      );
    }

    const rules = details.requirements.filter((r) => r.rule === 'review-approvals');
    if (rules.length) {
      const c = combine(rules);
      outcome(ctx, 'review-approvals', c.state, c.reason);
    } else {
      ctx.outcome('review-approvals', 'skipped', details.skipped.length ? `no approval rule applies (${details.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : 'the policy has no approval rules');
    }

    const cr = details.changesRequested;
    outcome(ctx, 'review-changes-requested', cr.length ? 'failed' : 'passed', cr.length ? `changes requested by ${cr.map((c) => `@${c.reviewer}`).join(', ')}` : undefined);

    switch (codeowners.state) {
      case 'off':
        ctx.outcome('review-codeowners', 'skipped', 'review.codeowners.mode is off');
        break;
      case 'not-read':
        outcome(ctx, 'review-codeowners', 'failed', 'CODEOWNERS was not read before evaluation; failing closed');
        break;
      case 'missing':
        outcome(ctx, 'review-codeowners', 'failed', `the policy requires code-owner approval but the base branch has no CODEOWNERS (looked for ${CODEOWNERS_PATHS.join(', ')})`);
        break;
      case 'invalid':
        for (const p of codeowners.problems) {
          ctx.report('review-codeowners', {
            file: codeowners.path,
            pos: { line: p.line, column: p.column },
            message: `CODEOWNERS on the base branch cannot be read: ${p.message}`,
            fix: 'Fix the line on the base branch; GitHub skips such lines silently, the gate fails closed instead.',
            subject: codeowners.path,
            key: `${p.line}:${p.column}`,
          });
        }
        outcome(ctx, 'review-codeowners', 'failed', `${codeowners.path} does not parse (${codeowners.problems.length} problem(s), first at line ${codeowners.problems[0]!.line}): failing closed`);
        break;
      case 'ok': {
        const owned = details.requirements.filter((r) => r.rule === 'review-codeowners');
        if (owned.length) {
          const c = combine(owned);
          outcome(ctx, 'review-codeowners', c.state, c.reason);
        } else ctx.outcome('review-codeowners', 'passed', 'no touched path has code owners');
      }
    }
  },
};
