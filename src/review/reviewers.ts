/**
 * Who said what, and who took part: each reviewer's latest word on the PR, and the people separation of
 * duties excludes. Pure functions of the {@link Change}.
 */
import type { Change, Identity, Review } from '../core/model.js';
import { identityFromEmail, normaliseInvisible } from '../sources/identity.js';
import type { SeparationOfDuties } from './settings.js';

export { headPushers, loginKey } from '../core/model.js';
import { headPushers, loginKey } from '../core/model.js';

/** A reviewer's latest word, from the reviews list. */
export interface ReviewerState {
  login: string;
  reviewer: Identity;
  /** The reviewer's latest non-comment review (APPROVED, CHANGES_REQUESTED or DISMISSED); absent when they only commented. */
  latest?: Review;
  /** True when the reviewer approved at some point (so the summary can say why an approval no longer counts). */
  everApproved: boolean;
}

function order(reviews: readonly Review[]): Review[] {
  // The REST list is chronological; sort by submission time (stable, so ties keep list order) in case a source merges pages out of order.
  return reviews
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.submittedAt ?? '').localeCompare(b.r.submittedAt ?? '') || a.i - b.i)
    .map((x) => x.r);
}

/**
 * The latest non-comment review per reviewer. `COMMENTED` and `PENDING` reviews do not change a reviewer's
 * state; a `DISMISSED` review is the latest word and counts for nothing, so an older approval of the same
 * reviewer does not come back (pitfalls 1 and 2 of the review-policy survey). Reviews without a login are ignored.
 */
export function latestByReviewer(reviews: readonly Review[]): ReviewerState[] {
  const byLogin = new Map<string, ReviewerState>();
  for (const r of order(reviews)) {
    const login = r.reviewer.login;
    if (!login) continue;
    const key = loginKey(login);
    const st = byLogin.get(key) ?? { login, reviewer: r.reviewer, everApproved: false };
    if (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED' || r.state === 'DISMISSED') st.latest = r;
    if (r.state === 'APPROVED') st.everApproved = true;
    byLogin.set(key, st);
  }
  return [...byLogin.values()];
}

/** Why someone cannot approve this change. */
export type ParticipantRole = 'author' | 'committer' | 'co-author' | 'last-pusher';

/** People who took part in the change, by login key, with their roles; and identities that name no login. */
export interface Participants {
  roles: Map<string, Set<ParticipantRole>>;
  /** Commit authors, committers and co-authors whose e-mail names no GitHub login: they cannot be matched to reviewers. */
  unlinked: { who: string; role: ParticipantRole; commit: string }[];
}

function loginOf(id: Identity): string | undefined {
  return id.login ?? (id.email ? identityFromEmail(normaliseInvisible(id.email)).login : undefined);
}

/**
 * Collects the participants separation of duties may exclude (only the switched-on roles), and the
 * identities no login can be tied to ({@link Participants.unlinked}): a commit author, committer or
 * co-author without a login from GitHub and without a no-reply address (e-mails are read after
 * {@link normaliseInvisible}). GitHub's own web-flow committer (`noreply@github.com` as a commit's
 * committer) is not a person and is not reported as unlinked; the same address as an author or co-author is.
 */
export function participants(change: Change, sod: SeparationOfDuties): Participants {
  const roles = new Map<string, Set<ParticipantRole>>();
  const unlinked: Participants['unlinked'] = [];
  const add = (id: Identity, role: ParticipantRole, commit = '', webFlow = false) => {
    const login = loginOf(id);
    if (login) {
      const key = loginKey(login);
      roles.set(key, (roles.get(key) ?? new Set()).add(role));
    } else if (!(webFlow && id.email === 'noreply@github.com')) {
      const who = id.email ? `${id.name ?? ''} <${id.email}>`.trim() : id.name || 'an identity without a name or e-mail';
      unlinked.push({ who, role, commit });
    }
  };
  if (sod.author && change.pr) add(change.pr.author, 'author');
  for (const c of change.commits) {
    if (sod.committers) {
      add(c.author, 'committer', c.sha);
      add(c.committer, 'committer', c.sha, true);
    }
    if (sod.coAuthors) for (const co of c.coAuthors) add(co, 'co-author', c.sha);
  }
  if (sod.lastPusher) for (const login of headPushers(change.pr)) add({ login }, 'last-pusher');
  return { roles, unlinked };
}

/** True for bots and GitHub Apps: account type `Bot`, or a login ending in `[bot]`. */
export function isBot(id: Identity): boolean {
  return id.type === 'Bot' || /\[bot\]$/i.test(id.login ?? '');
}
