/**
 * The review policy's evaluation, as a pure function of the change, its gathered facts (reviews,
 * directory, CODEOWNERS) and the policy. The check (src/review/check.ts) turns the result into rule outcomes.
 */
import type { Change, Directory, Permission } from '../core/model.js';
import type { Policy } from '../policy/types.js';
import { assignDistinct } from './assign.js';
import type { ApprovalResult, DiscardReason, RequirementResult, ReviewDetails } from './details.js';
import { codeownerRequirements, ruleRequirements, type CodeownersResult, type Requirement } from './requirements.js';
import { headPushers, isBot, latestByReviewer, loginKey, participants, type ParticipantRole, type Participants } from './reviewers.js';
import type { MinimumPermission } from './settings.js';

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** The message for a fact the source did not supply (no directory at all: the CLI without `--directory`). */
export const NO_DIRECTORY =
  'no permission or team facts were supplied (the CLI has no GitHub API access: pass --directory FILE; the Action looks them up)';

/** The result of evaluating the review policy. */
export interface Assessment {
  details: ReviewDetails;
  codeowners: CodeownersResult;
}

const ROLE_REASON: Record<ParticipantRole, DiscardReason['code']> = {
  author: 'author',
  committer: 'committer',
  'co-author': 'co-author',
  'last-pusher': 'last-pusher',
};
const ROLE_TEXT: Record<ParticipantRole, string> = {
  author: 'is the pull request author',
  committer: 'authored or committed a commit of the pull request',
  'co-author': 'is a Co-authored-by of a commit of the pull request',
  'last-pusher': 'pushed the head commit last',
};

function permissionOf(dir: Directory | undefined, login: string): Permission | { error: string } {
  if (!dir) return { error: NO_DIRECTORY };
  const p = dir.permissions.get(loginKey(login)) ?? dir.permissions.get(login);
  return p ?? { error: `the permission of @${login} was not looked up` };
}

function teamMembers(dir: Directory | undefined, team: string): Set<string> | { error: string } {
  if (!dir) return { error: NO_DIRECTORY };
  const t = dir.teams.get(team.toLowerCase()) ?? dir.teams.get(team);
  if (!t) return { error: `the members of @${team} were not looked up` };
  return Array.isArray(t) ? new Set(t.map(loginKey)) : t;
}

function eligibleText(req: Requirement): string {
  const who = [...req.users.map((u) => `@${u}`), ...req.teams.map((t) => `members of @${t}`), ...(req.unmatchable ?? [])];
  return `${who.length ? who.join(', ') : 'anyone who took no part in the change'} with ${req.permission} access`;
}

const short = (sha: string) => sha.slice(0, 7);

/** What an unknown pusher and unlinked identities make of every approval, per the policy (empty: nothing). */
function approvalBlockers(change: Change, policy: Policy, unlinked: Participants['unlinked']): DiscardReason[] {
  const out: DiscardReason[] = [];
  if (policy.review.separationOfDuties.lastPusher && change.pr && headPushers(change.pr).length === 0) {
    out.push({
      code: 'pusher-unknown',
      text:
        `who pushed the head commit ${short(change.headSha)} is unknown (GitHub names the pusher only in the opened and synchronize events, ` +
        `and no earlier check run of the gate on this head recorded one), and separationOfDuties.lastPusher excludes the pusher`,
    });
  }
  if (policy.review.unlinkedIdentities === 'fail' && unlinked.length) {
    const names = [...new Set(unlinked.map((u) => `${u.who} (${u.role}${u.commit ? ` of ${short(u.commit)}` : ''})`))];
    out.push({
      code: 'unlinked-identity',
      text: `no GitHub login can be tied to ${names.join(', ')}, so any reviewer could be that person (review.unlinkedIdentities is fail)`,
    });
  }
  return out;
}

/**
 * Evaluates the review policy.
 *
 * Requires `change.pr` and `change.reviews`; the caller reports the area as not evaluated without them.
 * Missing facts (a permission or team that was not looked up, a team the token cannot read) never count as
 * "no": the affected requirement fails with the reason.
 */
export function assessReviews(change: Change, policy: Policy): Assessment {
  const settings = policy.review;
  const sod = settings.separationOfDuties;
  // Approvals must be on the commit being evaluated (the PR's head in the Action; --head in the CLI).
  const headSha = change.headSha;
  const dir = change.directory;
  const people = participants(change, sod);
  const states = latestByReviewer(change.reviews ?? []);
  // Facts without which no approval can be judged: fail closed, naming them (issue 13, items 6 and 11).
  const blockers = approvalBlockers(change, policy, people.unlinked);

  // 1. Each approval against the global conditions.
  interface Candidate {
    login: string;
    result: ApprovalResult;
    permission: Permission | { error: string };
  }
  const candidates: Candidate[] = [];
  const changesRequested: ReviewDetails['changesRequested'] = [];
  for (const st of states) {
    const r = st.latest;
    if (r?.state === 'CHANGES_REQUESTED') {
      changesRequested.push({ reviewer: st.login, reviewId: r.id, commitId: r.commitId, ...(r.submittedAt ? { submittedAt: r.submittedAt } : {}) });
    }
    // Listed: everyone who approved at some point, and everyone whose latest review was dismissed (a dismissed review's former state is not reported).
    if (!r || (!st.everApproved && r.state !== 'DISMISSED')) continue;
    const result: ApprovalResult = {
      reviewer: st.login,
      reviewId: r.id,
      state: r.state,
      counted: false,
      reason: '',
      commitId: r.commitId,
      ...(r.submittedAt ? { submittedAt: r.submittedAt } : {}),
      countedFor: [],
      reasons: [],
    };
    const permission = permissionOf(dir, st.login);
    if (r.state === 'DISMISSED') {
      result.reasons.push({ code: 'dismissed', text: 'the latest review was dismissed; an earlier approval does not come back' });
    } else if (r.state === 'CHANGES_REQUESTED') {
      result.reasons.push({ code: 'changes-requested', text: `superseded by changes requested on ${short(r.commitId)}` });
    } else {
      if (r.commitId !== headSha) result.reasons.push({ code: 'stale', text: `stale: given on ${short(r.commitId) || 'an unknown commit'}, the head is ${short(headSha)}` });
      for (const role of people.roles.get(loginKey(st.login)) ?? []) result.reasons.push({ code: ROLE_REASON[role], text: ROLE_TEXT[role] });
      if (sod.bots && isBot(st.reviewer)) result.reasons.push({ code: 'bot', text: 'is a bot or GitHub App' });
      // Permission matters only for an approval nothing else disqualifies (and an unknown one must not mask the real reason).
      const disqualified = result.reasons.length > 0;
      if (!disqualified) result.reasons.push(...blockers);
      if (disqualified || blockers.length) {
        // Already disqualified: the permission lookup would add nothing.
      } else if (typeof permission !== 'string') {
        result.reasons.push({ code: 'permission-unknown', text: `write access could not be verified: ${permission.error}` });
      } else if (RANK[permission] < RANK[settings.minimumPermission]) {
        result.reasons.push({ code: 'no-write-access', text: `has ${permission} permission; ${settings.minimumPermission} is required` });
      }
    }
    result.reasons.sort((a, b) => a.code.localeCompare(b.code));
    candidates.push({ login: st.login, result, permission });
  }
  const valid = candidates.filter((c) => c.result.reasons.length === 0);

  // 2. The requirements, and who may fill each.
  const fromRules = ruleRequirements(change, policy);
  const fromOwners = codeownerRequirements(change, policy);
  const reqs = [...fromRules.requirements, ...fromOwners.requirements];
  const teamErrors = (req: Requirement) =>
    req.teams.flatMap((t) => {
      const m = teamMembers(dir, t);
      return m instanceof Set ? [] : [`cannot read the members of @${t}: ${m.error}`];
    });
  const inSet = (req: Requirement, login: string) => {
    if (req.users.length === 0 && req.teams.length === 0 && !req.unmatchable?.length) return true;
    if (req.users.some((u) => loginKey(u) === loginKey(login))) return true;
    return req.teams.some((t) => {
      const m = teamMembers(dir, t);
      return m instanceof Set && m.has(loginKey(login));
    });
  };
  const hasPermission = (c: Candidate, min: MinimumPermission) => typeof c.permission === 'string' && RANK[c.permission] >= RANK[min];
  const eligible = reqs.map((req) => valid.filter((c) => inSet(req, c.login) && hasPermission(c, req.permission)).map((c) => c.login));

  const excludedRoles = (login: string): string[] => [...(people.roles.get(loginKey(login)) ?? [])];
  /** Everyone who could ever approve for `req`, when that is a finite set (named users, readable teams); `undefined` for "anyone". */
  const poolOf = (req: Requirement): { available: string[]; excluded: string[] } | undefined => {
    if (!req.users.length && !req.teams.length && !req.unmatchable?.length) return undefined;
    const pool = new Set<string>(req.users.map(loginKey));
    for (const t of req.teams) {
      const m = teamMembers(dir, t);
      if (m instanceof Set) for (const x of m) pool.add(x);
    }
    const isExcluded = (l: string) => excludedRoles(l).length > 0 || (sod.bots && /\[bot\]$/i.test(l));
    return { available: [...pool].filter((l) => !isExcluded(l)), excluded: [...pool].filter(isExcluded) };
  };

  // 3. Count: distinct approvers get the best assignment; otherwise every eligible approval counts.
  const counted = settings.distinctApprovers ? assignInOrder(reqs.map((r) => r.approvals), reqs.map((r) => poolOf(r)?.available.length ?? Infinity), eligible) : eligible;
  reqs.forEach((req, i) => {
    for (const login of counted[i]!) candidates.find((c) => c.login === login)!.result.countedFor.push(req.name);
  });
  for (const c of valid) {
    if (c.result.countedFor.length) continue;
    const couldCount = eligible.some((e) => e.includes(c.login));
    c.result.reasons.push(
      couldCount
        ? { code: 'not-needed', text: 'each requirement it could count for was filled by other approvers (distinct approvers)' }
        : { code: 'not-eligible', text: reqs.length ? 'not among the approvers of any requirement that applies' : 'no requirement applies' },
    );
  }

  for (const { result } of candidates) {
    result.counted = result.countedFor.length > 0;
    result.reason = result.counted ? `counted for ${result.countedFor.join(', ')}` : result.reasons.map((r) => r.text).join('; ');
  }

  // 4. The state of each requirement.
  const requirements: RequirementResult[] = reqs.map((req, i) => {
    const got = counted[i]!;
    const base = {
      rule: req.rule,
      name: req.name,
      ...(req.description ? { description: req.description } : {}),
      required: req.approvals,
      eligible: eligibleText(req),
      counted: got,
      ...(req.paths ? { paths: req.paths } : {}),
    };
    if (got.length >= req.approvals) return { ...base, state: 'passed' as const };
    if (blockers.length) return { ...base, state: 'failed' as const, reason: `no approval can count: ${blockers.map((b) => b.text).join('; ')}` };
    const missing = req.approvals - got.length;
    const errors = teamErrors(req);
    const unknownPermission = candidates.filter((c) => c.result.reasons.some((r) => r.code === 'permission-unknown') && inSet(req, c.login));
    if (errors.length) return { ...base, state: 'failed' as const, reason: `${errors.join('; ')}. Failing closed: team membership is never read as "not a member"` };
    if (unknownPermission.length) {
      const c = unknownPermission[0]!;
      return { ...base, state: 'failed' as const, reason: `approval by @${c.login} cannot count: ${c.result.reasons.find((r) => r.code === 'permission-unknown')!.text}` };
    }
    // A finite pool of approvers (named users and readable teams) may be empty once separation of duties applies.
    const pool = poolOf(req);
    if (pool && pool.available.length < req.approvals) {
      const why = pool.excluded.map((l) => `@${l} (${excludedRoles(l).join(', ') || 'bot'})`).join(', ');
      const unmatch = req.unmatchable?.length ? `; ${req.unmatchable.join(', ')} cannot be matched to a GitHub login` : '';
      return {
        ...base,
        state: 'failed' as const,
        reason: `cannot be satisfied: needs ${req.approvals} approval(s) but only ${pool.available.length} eligible approver(s) remain${why ? `; excluded by separation of duties: ${why}` : ''}${unmatch}`,
      };
    }
    return { ...base, state: 'pending' as const, reason: `needs ${missing} more approval(s) from ${eligibleText(req)}, given on ${short(headSha)}` };
  });

  // With distinct approvers, finite pools can be exhausted together (two rules only Kim can approve). Match every
  // finite requirement against its whole pool, satisfied ones first; a pending one left short can never be met.
  if (settings.distinctApprovers) {
    const finite = reqs
      .map((req, i) => ({ i, pool: poolOf(req), state: requirements[i]!.state }))
      .filter((x) => x.pool && x.state !== 'failed')
      .sort((a, b) => Number(a.state === 'pending') - Number(b.state === 'pending'));
    const fill = assignDistinct(
      finite.map((x) => reqs[x.i]!.approvals),
      finite.map((x) => x.pool!.available),
    );
    finite.forEach((x, k) => {
      const req = reqs[x.i]!;
      if (x.state !== 'pending' || fill[k]!.length >= req.approvals) return;
      requirements[x.i] = {
        ...requirements[x.i]!,
        state: 'failed',
        reason: `cannot be satisfied with distinct approvers: needs ${req.approvals} approval(s) from ${x.pool!.available.map((l) => `@${l}`).join(', ') || 'nobody'}, who are needed by other requirements too`,
      };
    });
  }

  const exclusionsOff = (Object.entries(sod) as [string, boolean][]).filter(([, on]) => !on).map(([k]) => k);
  const oc = fromOwners.result;
  return {
    codeowners: oc,
    details: {
      headSha,
      minimumPermission: settings.minimumPermission,
      distinctApprovers: settings.distinctApprovers,
      exclusionsOff,
      requirements,
      skipped: fromRules.skipped,
      approvals: candidates.map((c) => c.result),
      changesRequested,
      codeowners: {
        mode: settings.codeowners.mode,
        state: oc.state,
        ...('path' in oc ? { path: oc.path } : {}),
        ...(oc.state === 'ok' && oc.unowned.length ? { unowned: oc.unowned } : {}),
      },
      unlinked: people.unlinked,
    },
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
