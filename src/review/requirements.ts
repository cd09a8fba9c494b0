/**
 * What the policy requires of this change: the approval rules whose conditions hold, and the CODEOWNERS
 * requirements for the touched paths. Pure.
 */
import { touchedPaths, type Change } from '../core/model.js';
import { changeConditions } from '../policy/conditions.js';
import type { Policy } from '../policy/types.js';
import { ownerEntry, ownerLabel, parseCodeowners, type CodeownersProblem, type Owner } from './codeowners.js';
import type { ApprovalRule, MinimumPermission } from './settings.js';

/** One requirement: `approvals` approvals from `users`/`teams` (both empty: anyone eligible). */
export interface Requirement {
  /** The catalogue rule it belongs to. */
  rule: 'review-approvals' | 'review-codeowners';
  name: string;
  description?: string;
  approvals: number;
  users: string[];
  teams: string[];
  permission: MinimumPermission;
  /** For CODEOWNERS requirements: the touched paths it covers and the CODEOWNERS line. */
  paths?: string[];
  line?: number;
  /** Owners that cannot be matched to any login (e-mail owners without a GitHub no-reply address). */
  unmatchable?: string[];
}

/** An approval rule whose conditions do not hold, with the reason. */
export interface SkippedRule {
  name: string;
  reason: string;
}

/** The CODEOWNERS side of the requirements. */
export type CodeownersResult =
  | { state: 'off' }
  | { state: 'not-read' }
  | { state: 'missing' }
  | { state: 'invalid'; path: string; problems: CodeownersProblem[] }
  | { state: 'ok'; path: string; unowned: string[] };

/** Every path the change touches (old paths of renames included). */


/** Why `rule` does not apply to the change (its `if`, src/policy/conditions.ts), or `undefined` when it applies. */
export function ruleSkipReason(rule: ApprovalRule, change: Change, policy: Policy): string | undefined {
  const r = changeConditions(rule.if ?? {}, change, policy.manifests);
  return r.holds ? undefined : r.reason;
}

function fromOwners(owners: Owner[]): Pick<Requirement, 'users' | 'teams' | 'unmatchable'> {
  const users: string[] = [];
  const teams: string[] = [];
  const unmatchable: string[] = [];
  for (const o of owners) {
    if (o.kind === 'team') teams.push(o.team);
    else if (o.kind === 'user') users.push(o.login);
    else if (o.login) users.push(o.login);
    else unmatchable.push(o.email);
  }
  return { users, teams, ...(unmatchable.length ? { unmatchable } : {}) };
}

/** The CODEOWNERS requirements of the change, per {@link Policy.review.codeowners.mode}. */
export function codeownerRequirements(change: Change, policy: Policy): { result: CodeownersResult; requirements: Requirement[] } {
  const mode = policy.review.codeowners.mode;
  if (mode === 'off') return { result: { state: 'off' }, requirements: [] };
  if (change.codeowners === undefined) return { result: { state: 'not-read' }, requirements: [] };
  if (change.codeowners === null) return { result: { state: 'missing' }, requirements: [] };
  const parsed = parseCodeowners(change.codeowners.text);
  const path = change.codeowners.path;
  if (!parsed.ok) return { result: { state: 'invalid', path, problems: parsed.problems }, requirements: [] };
  const permission = policy.review.minimumPermission;
  const unowned: string[] = [];
  const byKey = new Map<string, Requirement>();
  for (const p of touchedPaths(change)) {
    const entry = ownerEntry(parsed.entries, p);
    if (!entry || entry.owners.length === 0) {
      unowned.push(p);
      continue;
    }
    const groups = mode === 'any-owner' ? [entry.owners] : entry.owners.map((o) => [o]);
    for (const owners of groups) {
      const key = mode === 'any-owner' ? `line:${entry.line}` : `owner:${ownerLabel(owners[0]!).toLowerCase()}`;
      const req = byKey.get(key) ?? {
        rule: 'review-codeowners' as const,
        name: mode === 'any-owner' ? `CODEOWNERS line ${entry.line} (${entry.pattern})` : `code owner ${ownerLabel(owners[0]!)}`,
        approvals: 1,
        ...fromOwners(owners),
        permission,
        paths: [],
        ...(mode === 'any-owner' ? { line: entry.line } : {}),
      };
      req.paths!.push(p);
      byKey.set(key, req);
    }
  }
  return { result: { state: 'ok', path, unowned }, requirements: [...byKey.values()] };
}

/** The approval rules of the policy that apply to the change, as requirements, and the ones skipped. */
export function ruleRequirements(change: Change, policy: Policy): { requirements: Requirement[]; skipped: SkippedRule[] } {
  const requirements: Requirement[] = [];
  const skipped: SkippedRule[] = [];
  const order: MinimumPermission[] = ['write', 'maintain', 'admin'];
  for (const rule of policy.review.rules) {
    const reason = ruleSkipReason(rule, change, policy);
    if (reason) {
      skipped.push({ name: rule.name, reason });
      continue;
    }
    const global = policy.review.minimumPermission;
    // A rule can raise the minimum permission, never lower it below the review section's minimum.
    const permission = rule.permission && order.indexOf(rule.permission) > order.indexOf(global) ? rule.permission : global;
    requirements.push({
      rule: 'review-approvals',
      name: rule.name,
      ...(rule.description ? { description: rule.description } : {}),
      approvals: rule.approvals,
      users: rule.from?.users ?? [],
      teams: (rule.from?.teams ?? []).map((t) => t.toLowerCase()),
      permission,
    });
  }
  return { requirements, skipped };
}
