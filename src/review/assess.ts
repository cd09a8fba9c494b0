/**
 * The review policy's evaluation, as a pure function of the change, its gathered facts (reviews,
 * directory, CODEOWNERS) and the policy. The check (src/review/check.ts) turns the result into rule outcomes.
 *
 * The steps, each in its own function: judge every approval against the conditions that hold whatever the
 * requirement (src/review/approvals.ts); list the requirements and who may fill each
 * (src/review/eligibility.ts); assign the approvals that may count to requirements ({@link countApprovals});
 * give each requirement its state ({@link requirementResult}); assemble the details ({@link buildDetails}).
 */
import type { Change } from '../core/model.js';
import type { Policy } from '../policy/types.js';
import { approvalContext, judgeApprovals, shortSha, type ApprovalContext, type Candidate } from './approvals.js';
import { assignDistinct } from './assign.js';
import type { RequirementResult, ReviewDetails } from './details.js';
import { approverPool, eligibleText, isApprover, meetsPermission, teamErrors, type ApproverPool } from './eligibility.js';
import { codeownerRequirements, ruleRequirements, type CodeownersResult, type Requirement } from './requirements.js';
import { latestByReviewer, loginKey } from './reviewers.js';

export { NO_DIRECTORY } from './eligibility.js';

/** The result of evaluating the review policy. */
export interface Assessment {
  details: ReviewDetails;
  codeowners: CodeownersResult;
}

/**
 * Evaluates the review policy.
 *
 * Requires `change.pr` and `change.reviews`; the caller reports the area as not evaluated without them.
 * Missing facts (a permission or team that was not looked up, a team the token cannot read) never count as
 * "no": the affected requirement fails with the reason.
 */
export function assessReviews(change: Change, policy: Policy): Assessment {
  const ctx = approvalContext(change, policy);
  const { candidates, changesRequested } = judgeApprovals(latestByReviewer(change.reviews ?? []), ctx);
  const fromRules = ruleRequirements(change, policy);
  const fromOwners = codeownerRequirements(change, policy);
  const reqs = [...fromRules.requirements, ...fromOwners.requirements];
  const counted = countApprovals(ctx, reqs, candidates);
  let requirements = reqs.map((req, i) => requirementResult(ctx, req, counted[i]!, candidates));
  if (ctx.settings.distinctApprovers) requirements = failExhaustedPools(ctx, reqs, requirements);
  const details = buildDetails(ctx, { requirements, skipped: fromRules.skipped, candidates, changesRequested, codeowners: fromOwners.result });
  return { codeowners: fromOwners.result, details };
}

/**
 * Why separation of duties excludes `login` (a login key) from every pool: its participant roles, else `bot`
 * for a `[bot]` login when bots are excluded; empty when it may approve. Only the login is known for pool
 * members who did not review, so a bot is recognised by its login alone here.
 */
function exclusionsOf(ctx: ApprovalContext, login: string): string[] {
  const roles = [...(ctx.people.roles.get(loginKey(login)) ?? [])];
  if (roles.length) return roles;
  return ctx.settings.separationOfDuties.bots && /\[bot\]$/i.test(login) ? ['bot'] : [];
}

/** The requirement's finite pool of approvers under separation of duties; `undefined` for "anyone". */
function poolOf(ctx: ApprovalContext, req: Requirement): ApproverPool | undefined {
  return approverPool(ctx.directory, req, (login) => exclusionsOf(ctx, login));
}

/**
 * Assigns the approvals that may count to the requirements: with distinct approvers the best assignment
 * ({@link assignInOrder}); otherwise every eligible approval counts for every requirement it is eligible for.
 * Completes each candidate's result (`countedFor`, `counted`, `reason`, and `not-needed`/`not-eligible` for
 * a valid approval that counted for nothing).
 * @returns the logins counted, per requirement (same indexes as `reqs`)
 */
function countApprovals(ctx: ApprovalContext, reqs: readonly Requirement[], candidates: readonly Candidate[]): string[][] {
  const valid = candidates.filter((c) => c.result.reasons.length === 0);
  const eligible = reqs.map((req) =>
    valid.filter((c) => isApprover(ctx.directory, req, c.login) && meetsPermission(c.permission, req.permission)).map((c) => c.login),
  );
  const counted = ctx.settings.distinctApprovers
    ? assignInOrder(
        reqs.map((r) => r.approvals),
        reqs.map((r) => poolOf(ctx, r)?.available.length ?? Infinity),
        eligible,
      )
    : eligible;
  reqs.forEach((req, i) => {
    for (const login of counted[i]!) candidates.find((c) => c.login === login)!.result.countedFor.push(req.name);
  });
  explainUncounted(valid, eligible, reqs.length > 0);
  for (const { result } of candidates) {
    result.counted = result.countedFor.length > 0;
    result.reason = result.counted ? `counted for ${result.countedFor.join(', ')}` : result.reasons.map((r) => r.text).join('; ');
  }
  return counted;
}

/**
 * Says why a valid approval counted for nothing: every requirement it could fill was filled by others
 * (distinct approvers), or it is not among any requirement's approvers.
 */
function explainUncounted(valid: readonly Candidate[], eligible: readonly string[][], anyRequirement: boolean): void {
  for (const c of valid) {
    if (c.result.countedFor.length) continue;
    const couldCount = eligible.some((e) => e.includes(c.login));
    c.result.reasons.push(
      couldCount
        ? { code: 'not-needed', text: 'each requirement it could count for was filled by other approvers (distinct approvers)' }
        : { code: 'not-eligible', text: anyRequirement ? 'not among the approvers of any requirement that applies' : 'no requirement applies' },
    );
  }
}

/**
 * The state of one requirement given the approvals counted for it (`got`): passed when enough counted;
 * failed when it cannot be met as things stand ({@link whyUnsatisfiable}); pending otherwise.
 */
function requirementResult(ctx: ApprovalContext, req: Requirement, got: string[], candidates: readonly Candidate[]): RequirementResult {
  const base = {
    rule: req.rule,
    name: req.name,
    ...(req.description ? { description: req.description } : {}),
    required: req.approvals,
    eligible: eligibleText(req),
    counted: got,
    ...(req.paths ? { paths: req.paths } : {}),
  };
  if (got.length >= req.approvals) return { ...base, state: 'passed' };
  const failure = whyUnsatisfiable(ctx, req, candidates);
  if (failure) return { ...base, state: 'failed', reason: failure };
  const missing = req.approvals - got.length;
  return { ...base, state: 'pending', reason: `needs ${missing} more approval(s) from ${eligibleText(req)}, given on ${shortSha(ctx.headSha)}` };
}

/**
 * Why a requirement short of approvals fails rather than waits, first match wins: no approval can count at
 * all (blockers); a team's members are unknown (never read as "not a member"); an approver's permission is
 * unknown; too few approvers remain once separation of duties applies. `undefined`: it may still be met.
 */
function whyUnsatisfiable(ctx: ApprovalContext, req: Requirement, candidates: readonly Candidate[]): string | undefined {
  if (ctx.blockers.length) return `no approval can count: ${ctx.blockers.map((b) => b.text).join('; ')}`;
  const errors = teamErrors(ctx.directory, req);
  if (errors.length) return `${errors.join('; ')}. Failing closed: team membership is never read as "not a member"`;
  const unknown = candidates.find((c) => c.result.reasons.some((r) => r.code === 'permission-unknown') && isApprover(ctx.directory, req, c.login));
  if (unknown) return `approval by @${unknown.login} cannot count: ${unknown.result.reasons.find((r) => r.code === 'permission-unknown')!.text}`;
  return poolShortfall(ctx, req);
}

/** A finite pool of approvers (named users and readable teams) may be too small once separation of duties applies. */
function poolShortfall(ctx: ApprovalContext, req: Requirement): string | undefined {
  const pool = poolOf(ctx, req);
  if (!pool || pool.available.length >= req.approvals) return undefined;
  const why = pool.excluded.map((l) => `@${l} (${exclusionsOf(ctx, l).join(', ')})`).join(', ');
  const unmatch = req.unmatchable?.length ? `; ${req.unmatchable.join(', ')} cannot be matched to a GitHub login` : '';
  return (
    `cannot be satisfied: needs ${req.approvals} approval(s) but only ${pool.available.length} eligible approver(s) remain` +
    `${why ? `; excluded by separation of duties: ${why}` : ''}${unmatch}`
  );
}

/**
 * With distinct approvers, finite pools can be exhausted together (two rules only Kim can approve). Matches
 * every finite requirement that has not failed against its whole pool, satisfied ones first; a pending one
 * left short can never be met, so it fails.
 * @returns `requirements` with those pending ones replaced by failed ones (same indexes as `reqs`)
 */
function failExhaustedPools(ctx: ApprovalContext, reqs: readonly Requirement[], requirements: readonly RequirementResult[]): RequirementResult[] {
  const out = [...requirements];
  const finite = reqs
    .map((req, i) => ({ i, pool: poolOf(ctx, req), state: requirements[i]!.state }))
    .filter((x): x is { i: number; pool: ApproverPool; state: RequirementResult['state'] } => x.pool !== undefined && x.state !== 'failed')
    .sort((a, b) => Number(a.state === 'pending') - Number(b.state === 'pending'));
  const fill = assignDistinct(
    finite.map((x) => reqs[x.i]!.approvals),
    finite.map((x) => x.pool.available),
  );
  finite.forEach((x, k) => {
    const req = reqs[x.i]!;
    if (x.state !== 'pending' || fill[k]!.length >= req.approvals) return;
    const who = x.pool.available.map((l) => `@${l}`).join(', ') || 'nobody';
    out[x.i] = {
      ...out[x.i]!,
      state: 'failed',
      reason: `cannot be satisfied with distinct approvers: needs ${req.approvals} approval(s) from ${who}, who are needed by other requirements too`,
    };
  });
  return out;
}

/** Assembles `report.details.review` from the evaluation's parts. */
function buildDetails(
  ctx: ApprovalContext,
  parts: {
    requirements: RequirementResult[];
    skipped: ReviewDetails['skipped'];
    candidates: readonly Candidate[];
    changesRequested: ReviewDetails['changesRequested'];
    codeowners: CodeownersResult;
  },
): ReviewDetails {
  const { settings } = ctx;
  const oc = parts.codeowners;
  return {
    headSha: ctx.headSha,
    minimumPermission: settings.minimumPermission,
    distinctApprovers: settings.distinctApprovers,
    // The summary must say which exclusions the policy switched off.
    exclusionsOff: (Object.entries(settings.separationOfDuties) as [string, boolean][]).filter(([, on]) => !on).map(([k]) => k),
    requirements: parts.requirements,
    skipped: parts.skipped,
    approvals: parts.candidates.map((c) => c.result),
    changesRequested: parts.changesRequested,
    codeowners: {
      mode: settings.codeowners.mode,
      state: oc.state,
      ...('path' in oc ? { path: oc.path } : {}),
      ...(oc.state === 'ok' && oc.unowned.length ? { unowned: oc.unowned } : {}),
    },
    unlinked: ctx.people.unlinked,
  };
}

/**
 * The distinct-approver assignment of actual approvals. Requirements with the fewest possible approvers (pool
 * size; `Infinity` for "anyone") are served first, so Kim fills "code owner @kim" rather than a team requirement
 * others could fill; the number filled is the maximum either way, only the explanation improves.
 */
function assignInOrder(needs: readonly number[], poolSizes: readonly number[], eligible: readonly string[][]): string[][] {
  const order = needs.map((_, i) => i).sort((a, b) => poolSizes[a]! - poolSizes[b]! || eligible[a]!.length - eligible[b]!.length || a - b);
  const got = assignDistinct(
    order.map((i) => needs[i]!),
    order.map((i) => eligible[i]!),
  );
  const out: string[][] = needs.map(() => []);
  order.forEach((i, k) => (out[i] = got[k]!));
  return out;
}
