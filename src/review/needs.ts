/**
 * Which facts the review policy needs looked up before evaluation: the permission of each reviewer whose
 * approval could count, and the members of each team a requirement names. Pure; call it after
 * {@link prepareReview} so CODEOWNERS teams are known.
 */
import type { Change } from '../core/model.js';
import type { Policy } from '../policy/types.js';
import { codeownerRequirements, ruleRequirements } from './requirements.js';
import { latestByReviewer, loginKey } from './reviewers.js';

/** Logins (lower-cased) needing a permission lookup and teams (`org/slug`, lower-cased) needing a member list. */
export interface ReviewNeeds {
  logins: string[];
  teams: string[];
}

/** Lists the facts {@link assessReviews} will ask the change's directory for. */
export function reviewNeeds(change: Change, policy: Policy): ReviewNeeds {
  const logins = latestByReviewer(change.reviews ?? [])
    .filter((s) => s.latest?.state === 'APPROVED')
    .map((s) => loginKey(s.login));
  const reqs = [...ruleRequirements(change, policy).requirements, ...codeownerRequirements(change, policy).requirements];
  const teams = reqs.flatMap((r) => r.teams.map((t) => t.toLowerCase()));
  return { logins: [...new Set(logins)].sort(), teams: [...new Set(teams)].sort() };
}
