/**
 * Policy settings of the review area: the TypeScript shape of `review` in policies/schema.json.
 * Values are already merged with the default policy when checks see them.
 */
import type { ChangeCondition } from '../policy/conditions.js';

/** Minimum repository permission an approver must hold (GitHub only counts approvals from `write` up). */
export type MinimumPermission = 'write' | 'maintain' | 'admin';

/** Who may approve for a rule: listed users and/or members of listed teams (`org/slug`). Both empty: anyone eligible. */
export interface ApproverSet {
  users?: string[];
  teams?: string[];
}

/**
 * When a rule applies: the policy's one condition language (src/policy/conditions.ts), its change
 * conditions. Every condition given must hold; a rule without conditions applies to every change.
 */
export type RuleConditions = ChangeCondition;

/** One approval rule of the policy. */
export interface ApprovalRule {
  name: string;
  description?: string;
  if?: RuleConditions;
  /** Number of approvals required (at least 1). */
  approvals: number;
  from?: ApproverSet;
  /** Overrides `review.minimumPermission` for this rule. */
  permission?: MinimumPermission;
}

/** Separation of duties: who took part in the change and therefore cannot approve it. `true` excludes them. */
export interface SeparationOfDuties {
  author: boolean;
  committers: boolean;
  coAuthors: boolean;
  lastPusher: boolean;
  bots: boolean;
}

/** CODEOWNERS handling: `off`, GitHub's "any owner", or every owner named for every touched path. */
export type CodeownersMode = 'off' | 'any-owner' | 'every-owning-team';

/** Break-glass: an audited emergency override. */
export interface BreakGlass {
  /** Labels that invoke it when applied by a listed user. */
  labels: string[];
  /** A PR comment starting with this command, written by a listed user, invokes it; the rest of the line is the reason. Empty: no comment command. */
  command: string;
  /** Logins allowed to invoke break-glass. Empty: break-glass is disabled. */
  users: string[];
  /** When true, a listed user may break glass on a pull request they opened. Default false. */
  allowAuthor: boolean;
}

/**
 * What commit identities no GitHub login can be tied to (an author, committer or co-author with an ordinary
 * e-mail that GitHub does not link to an account) do to approvals: `fail` (default) counts no approval and
 * fails the approval requirements naming them, since any reviewer could be that person; `allow` only lists them.
 */
export type UnlinkedIdentities = 'fail' | 'allow';

/** The `review` section. */
export interface ReviewSettings {
  minimumPermission: MinimumPermission;
  separationOfDuties: SeparationOfDuties;
  /** One person's approval counts for only one requirement (rules and CODEOWNERS requirements). */
  distinctApprovers: boolean;
  rules: ApprovalRule[];
  codeowners: { mode: CodeownersMode };
  breakGlass: BreakGlass;
  unlinkedIdentities: UnlinkedIdentities;
}
