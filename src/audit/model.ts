/**
 * The audit report of `gitops-gate audit`: who changed what on a branch in a period, why, with whose
 * approval and the gate's verdict, and every exception named. docs/audit-report.schema.json publishes
 * the JSON shape; docs/audit.md explains it.
 */
import type { Permission } from '../core/model.js';

/** Kinds of exception, in the order reports list them. */
export const EXCEPTION_KINDS = [
  'direct-push',
  'gate-failed',
  'gate-missing',
  'approval-missing',
  'approval-stale',
  'self-approval',
  'break-glass',
  'revert',
  'unverified',
] as const;

/**
 * One kind of exception:
 * - `direct-push`: a commit on the branch that no merged pull request brought;
 * - `gate-failed`: the gate's check run on the merged head did not succeed (failure, cancelled, timed out...);
 * - `gate-missing`: no gate check run on the merged head, or it never completed;
 * - `approval-missing`: no approval that counts (latest review per reviewer, on the merged head, by someone
 *   with the policy's minimum permission who took no part in the change);
 * - `approval-stale`: an approval given on an earlier head commit than the one merged;
 * - `self-approval`: an approval by the PR author, a committer or a co-author;
 * - `break-glass`: an audited override (a listed user's command or label, or the gate's `neutral` conclusion);
 * - `revert`: the change undoes another one (it gets its own audit properties too);
 * - `unverified`: a fact the audit needs could not be read (what and why in `detail`).
 */
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** One exception of one change. */
export interface AuditException {
  kind: ExceptionKind;
  /** What exactly, in words (names the people, SHAs and conclusions involved). */
  detail: string;
}

/** An exception as listed at the top of the report: the change it belongs to, and the exception. */
export interface ListedException extends AuditException {
  commit: string;
  /** The PR number; `null` for a direct push. */
  pr: number | null;
  /** When the change reached the branch (ISO-8601 UTC). */
  mergedAt: string;
}

/** A person as the report names them: a GitHub login when known, else `Name <email>`. */
export type Person = string;

/** One reviewer's latest word on the PR, and whether it counts. */
export interface Approver {
  login: string;
  /** Repository permission at audit time (GitHub keeps no history of permissions), or `unknown`. */
  permission: Permission | 'unknown';
  /** The commit the approval was given on. */
  commit: string;
  /** ISO-8601. */
  submittedAt: string | null;
  /** True when the approval counts: on the merged head, enough permission, no part in the change. */
  valid: boolean;
  /** Why it does not count, when it does not. */
  why?: string;
}

/** The gate's verdict on the merged head: its check run there. */
export interface GateVerdict {
  /** The check run's name looked up. */
  checkName: string;
  /** The SHA looked at (the PR's head when merged; the commit itself for a direct push). */
  headSha: string;
  /**
   * The check run's conclusion (`success`, `failure`, `neutral` for a break-glass override, `cancelled`, ...),
   * `in_progress` when it never completed, or `none` when the gate never ran on that SHA.
   */
  conclusion: string;
  /** Web URL of the check run. */
  checkRunUrl: string | null;
  /** Link the check run carries to the run that holds the audit record (its `details_url`). */
  auditRecordUrl: string | null;
}

/** A break-glass override found on the PR. */
export interface AuditOverride {
  by: string | null;
  reason: string;
  via: 'label' | 'comment' | 'check-run';
  at: string | null;
}

/** How a change reached the branch. */
export type MergeMethod = 'merge' | 'squash' | 'rebase' | 'direct-push';

/** One change: one commit on the first-parent history of the branch. */
export interface AuditChange {
  /** The commit on the branch. */
  commit: string;
  /** When it reached the branch (ISO-8601 UTC): the PR's `merged_at`, or the committer date of a direct push. */
  mergedAt: string;
  method: MergeMethod;
  /** The PR that brought it; `null` for a direct push. */
  pr: { number: number; url: string; title: string; headSha: string; baseRef: string } | null;
  /** The commit's subject line. */
  subject: string;
  /** The PR author, or the commit author of a direct push. */
  author: Person;
  /** Authors and committers of the change's commits (GitHub's web-flow committer left out). */
  committers: Person[];
  /** People named in `Co-authored-by` trailers. */
  coAuthors: Person[];
  /** Each reviewer's latest approval (only reviewers whose latest word is an approval). */
  approvers: Approver[];
  /** The reason section of the PR body as the description policy reads it; `null` when there is none. */
  reason: string | null;
  /** The rollback section of the PR body; `null` when there is none. */
  rollback: string | null;
  /** The ticket reference the description policy's pattern found; `null` when none (or no pattern set). */
  ticket: string | null;
  gate: GateVerdict;
  override: AuditOverride | null;
  labels: string[];
  /** Manifests the change touched (paths matching the policy's `manifests` selection, at base or head). */
  manifests: string[];
  /** ArgoCD Applications whose resources or definitions the change touched (`file#name`). */
  applications: string[];
  /** The change this one reverts, when it is a revert. */
  reverts: { pr: number | null; commit: string | null; inPeriod: boolean } | null;
  exceptions: AuditException[];
}

/** The whole report. */
export interface AuditReport {
  schemaVersion: 1;
  tool: { name: 'gitops-gate'; version: string };
  /** When the report was made (ISO-8601 UTC). */
  generatedAt: string;
  /** `owner/name`. */
  repository: string;
  /** The branch audited, the ref read and its SHA. */
  branch: { name: string; ref: string; sha: string };
  /** Dates as given (UTC days, both inclusive) and the instants they cover (`end` exclusive). */
  period: { since: string; until: string; start: string; end: string };
  totals: {
    changes: number;
    pullRequests: number;
    directPushes: number;
    /** Changes with at least one exception. */
    changesWithExceptions: number;
    exceptions: Record<ExceptionKind, number>;
  };
  /** Every exception, first: direct pushes, gate failures, approvals, break-glass, reverts. */
  exceptions: ListedException[];
  changes: AuditChange[];
  /** The reproducible sample, when `--sample N --seed S` was given. */
  sample: { seed: string; size: number; method: string; commits: string[] } | null;
  /**
   * GitHub API requests the audit made: `total` HTTP attempts (what the rate limit counts), `retries` among
   * them, and the requests by route (each page once, retries not included).
   */
  requests: { total: number; retries: number; byRoute: Record<string, number> };
  /** What the audit could not know or check, in words. */
  notes: string[];
}
