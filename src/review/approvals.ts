/**
 * Which approvals can count at all, and why not: each reviewer's latest word judged against the conditions
 * that hold whatever the requirement (given on the head commit, separation of duties, bots, repository
 * permission, and the facts without which no approval can be judged). Which requirement an approval counts
 * for is decided afterwards (src/review/assess.ts).
 */
import type { Change, Directory, Review } from '../core/model.js';
import type { Policy } from '../policy/types.js';
import type { ApprovalResult, DiscardReason, ReviewDetails } from './details.js';
import { meetsPermission, permissionOf, type PermissionFact } from './eligibility.js';
import { headPushers, isBot, loginKey, participants, type ParticipantRole, type Participants, type ReviewerState } from './reviewers.js';
import type { ReviewSettings } from './settings.js';

/** What judging approvals needs to know of the change and the policy, computed once per evaluation. */
export interface ApprovalContext {
  /** The commit approvals must be given on (the PR's head in the Action; `--head` in the CLI). */
  headSha: string;
  /** Permissions and team members as looked up by the source; `undefined` when none were supplied. */
  directory: Directory | undefined;
  /** The people separation of duties excludes, and commit identities without a login. */
  people: Participants;
  settings: ReviewSettings;
  /** Reasons that disqualify every approval (see {@link approvalBlockers}); empty when there are none. */
  blockers: DiscardReason[];
}

/** An approval being judged: the reviewer's login as GitHub spells it, its result so far and their permission. */
export interface Candidate {
  login: string;
  result: ApprovalResult;
  permission: PermissionFact;
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

/** The first seven characters of a commit SHA, as people read them. */
export const shortSha = (sha: string): string => sha.slice(0, 7);

/** Builds the {@link ApprovalContext} of `change` under `policy`. */
export function approvalContext(change: Change, policy: Policy): ApprovalContext {
  const people = participants(change, policy.review.separationOfDuties);
  return {
    headSha: change.headSha,
    directory: change.directory,
    people,
    settings: policy.review,
    // Facts without which no approval can be judged: fail closed, naming them (issue 13, items 6 and 11).
    blockers: approvalBlockers(change, policy, people.unlinked),
  };
}

/** What an unknown pusher and unlinked identities make of every approval, per the policy (empty: nothing). */
export function approvalBlockers(change: Change, policy: Policy, unlinked: Participants['unlinked']): DiscardReason[] {
  const out: DiscardReason[] = [];
  if (policy.review.separationOfDuties.lastPusher && change.pr && headPushers(change.pr).length === 0) {
    out.push({
      code: 'pusher-unknown',
      text:
        `who pushed the head commit ${shortSha(change.headSha)} is unknown (GitHub names the pusher only in the opened and synchronize events, ` +
        `and no earlier check run of the gate on this head recorded one), and separationOfDuties.lastPusher excludes the pusher`,
    });
  }
  if (policy.review.unlinkedIdentities === 'fail' && unlinked.length) {
    const names = [...new Set(unlinked.map((u) => `${u.who} (${u.role}${u.commit ? ` of ${shortSha(u.commit)}` : ''})`))];
    out.push({
      code: 'unlinked-identity',
      text: `no GitHub login can be tied to ${names.join(', ')}, so any reviewer could be that person (review.unlinkedIdentities is fail)`,
    });
  }
  return out;
}

/**
 * Judges every reviewer's latest word, in the order of `states`.
 * @returns `candidates`: everyone who approved at some point and everyone whose latest review was dismissed (a
 *   dismissed review's former state is not reported), with the reasons their approval cannot count (empty:
 *   it may count; `countedFor` is still empty); `changesRequested`: reviewers whose latest review requests changes
 */
export function judgeApprovals(
  states: readonly ReviewerState[],
  ctx: ApprovalContext,
): { candidates: Candidate[]; changesRequested: ReviewDetails['changesRequested'] } {
  const candidates: Candidate[] = [];
  const changesRequested: ReviewDetails['changesRequested'] = [];
  for (const st of states) {
    const r = st.latest;
    if (r?.state === 'CHANGES_REQUESTED') {
      changesRequested.push({ reviewer: st.login, reviewId: r.id, commitId: r.commitId, ...(r.submittedAt ? { submittedAt: r.submittedAt } : {}) });
    }
    if (!r || (!st.everApproved && r.state !== 'DISMISSED')) continue;
    candidates.push(judgeApproval(st, r, ctx));
  }
  return { candidates, changesRequested };
}

/** Judges one reviewer's latest review `r` (an approval, or what superseded one). */
function judgeApproval(st: ReviewerState, r: Review, ctx: ApprovalContext): Candidate {
  const permission = permissionOf(ctx.directory, st.login);
  // Sorted by code so the record does not depend on the order the checks run in.
  const reasons = discardReasons(st, r, permission, ctx).sort((a, b) => a.code.localeCompare(b.code));
  const result: ApprovalResult = {
    reviewer: st.login,
    reviewId: r.id,
    state: r.state,
    counted: false,
    reason: '',
    commitId: r.commitId,
    ...(r.submittedAt ? { submittedAt: r.submittedAt } : {}),
    countedFor: [],
    reasons,
  };
  return { login: st.login, result, permission };
}

/**
 * Why the review cannot count for any requirement (empty: it may). Permission matters only for an approval
 * nothing else disqualifies, so an unknown permission never masks the real reason, and the blockers are
 * reported only where they are the sole reason.
 */
function discardReasons(st: ReviewerState, r: Review, permission: PermissionFact, ctx: ApprovalContext): DiscardReason[] {
  if (r.state === 'DISMISSED') return [{ code: 'dismissed', text: 'the latest review was dismissed; an earlier approval does not come back' }];
  if (r.state === 'CHANGES_REQUESTED') return [{ code: 'changes-requested', text: `superseded by changes requested on ${shortSha(r.commitId)}` }];
  const disqualified = disqualifiers(st, r, ctx);
  if (disqualified.length) return disqualified;
  if (ctx.blockers.length) return [...ctx.blockers];
  const low = permissionReason(permission, ctx.settings);
  return low ? [low] : [];
}

/** The approval's own disqualifiers: stale, given by a participant separation of duties excludes, or by a bot. */
function disqualifiers(st: ReviewerState, r: Review, ctx: ApprovalContext): DiscardReason[] {
  const out: DiscardReason[] = [];
  const head = ctx.headSha;
  if (r.commitId !== head) out.push({ code: 'stale', text: `stale: given on ${shortSha(r.commitId) || 'an unknown commit'}, the head is ${shortSha(head)}` });
  for (const role of ctx.people.roles.get(loginKey(st.login)) ?? []) out.push({ code: ROLE_REASON[role], text: ROLE_TEXT[role] });
  if (ctx.settings.separationOfDuties.bots && isBot(st.reviewer)) out.push({ code: 'bot', text: 'is a bot or GitHub App' });
  return out;
}

/** The reason an approver's permission is not enough: unknown (fail closed) or below the policy's minimum. */
function permissionReason(permission: PermissionFact, settings: ReviewSettings): DiscardReason | undefined {
  if (typeof permission !== 'string') return { code: 'permission-unknown', text: `write access could not be verified: ${permission.error}` };
  if (meetsPermission(permission, settings.minimumPermission)) return undefined;
  return { code: 'no-write-access', text: `has ${permission} permission; ${settings.minimumPermission} is required` };
}
