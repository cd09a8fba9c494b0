/**
 * The review area's entry in `report.details.review`: per requirement its state, who is eligible and which
 * approvals counted, and every approval that did not count with the reasons. The summary renders it
 * (src/report/sections.ts) and the audit record carries it as is.
 */

/** Why an approval did not count. */
export type DiscardCode =
  | 'stale'
  | 'author'
  | 'committer'
  | 'co-author'
  | 'last-pusher'
  | 'bot'
  | 'no-write-access'
  | 'permission-unknown'
  | 'pusher-unknown'
  | 'unlinked-identity'
  | 'dismissed'
  | 'changes-requested'
  | 'not-eligible'
  | 'not-needed';

/** One reason, as a code (stable, for machines) and a sentence (for people). */
export interface DiscardReason {
  code: DiscardCode;
  text: string;
}

/** One reviewer's approval (their latest word if they ever approved) and what became of it. */
export interface ApprovalResult {
  reviewer: string;
  reviewId: number;
  /** State of the reviewer's latest non-comment review: `APPROVED`, or `CHANGES_REQUESTED`/`DISMISSED` after an approval. */
  state: string;
  /** True when the approval counted for at least one requirement (the audit record reads this). */
  counted: boolean;
  /** The reasons (or what it counted for) in one sentence, for the audit record. */
  reason: string;
  /** The commit the review was given on. */
  commitId: string;
  submittedAt?: string;
  /** The requirements (by name) this approval counted for; empty when it did not count. */
  countedFor: string[];
  /** Why it did not count (empty when it counted). */
  reasons: DiscardReason[];
}

/** One requirement (an approval rule, or a CODEOWNERS requirement) and its state. */
export interface RequirementResult {
  rule: 'review-approvals' | 'review-codeowners';
  name: string;
  description?: string;
  state: 'passed' | 'pending' | 'failed';
  /** What is missing or wrong; absent when passed. */
  reason?: string;
  required: number;
  /** Who may approve, in words (for example `@alice, members of @org/sre`). */
  eligible: string;
  /** Logins whose approval counted. */
  counted: string[];
  /** CODEOWNERS: the touched paths the requirement covers. */
  paths?: string[];
}

/** `report.details.review`. */
export interface ReviewDetails {
  headSha: string;
  minimumPermission: string;
  distinctApprovers: boolean;
  /** Separation-of-duties exclusions switched off by the policy (the summary must say so). */
  exclusionsOff: string[];
  requirements: RequirementResult[];
  /** Approval rules whose conditions did not hold. */
  skipped: { name: string; reason: string }[];
  approvals: ApprovalResult[];
  /** Reviewers whose latest review requests changes. */
  changesRequested: { reviewer: string; reviewId: number; commitId: string; submittedAt?: string }[];
  codeowners: { mode: string; path?: string; state: string; unowned?: string[] };
  /** Commit identities with no GitHub login: separation of duties cannot match them to reviewers. */
  unlinked: { who: string; role: string; commit: string }[];
}
