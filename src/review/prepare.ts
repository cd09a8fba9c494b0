/**
 * The review area's pre-pass: the I/O the review checks need, done before evaluation so the checks stay
 * pure. Today that is reading CODEOWNERS from the base side (GitHub reads it from the base branch; a PR must
 * not choose its own code owners).
 */
import type { Change } from '../core/model.js';
import type { Policy } from '../policy/types.js';
import { readCodeowners } from './codeowners.js';

/**
 * Attaches the base side's CODEOWNERS to the change when the policy uses it and the source has not
 * attached it already (the Action reads it before gathering team members; see src/review/needs.ts).
 * @returns the same change, or a copy with `codeowners` set (`null` when the base has none)
 * @throws whatever the tree reader throws when the base cannot be read
 */
export async function prepareReview(change: Change, policy: Policy): Promise<Change> {
  if (policy.review.codeowners.mode === 'off' || change.codeowners !== undefined) return change;
  const tree = change.mode === 'all' || !change.base ? change.head : (change.policyBase ?? change.base);
  return { ...change, codeowners: await readCodeowners(tree) };
}
