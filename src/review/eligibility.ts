/**
 * Who may approve for a requirement: the directory facts the review policy reads (a reviewer's repository
 * permission, a team's members) and what they make of one requirement (is a login among its approvers, who
 * could ever approve for it, which facts are missing). Pure functions of the {@link Directory} the source
 * supplied; a fact that was not looked up is an error value, never a "no" (the caller fails closed on it).
 */
import type { Directory, Permission } from '../core/model.js';
import type { Requirement } from './requirements.js';
import { loginKey } from './reviewers.js';
import type { MinimumPermission } from './settings.js';

/** The message for a fact the source did not supply (no directory at all: the CLI without `--directory`). */
export const NO_DIRECTORY =
  'no permission or team facts were supplied (the CLI has no GitHub API access: pass --directory FILE; the Action looks them up)';

/** A looked-up permission, or why it is unknown. */
export type PermissionFact = Permission | { error: string };

// GitHub's repository roles, weakest first: a role includes the rights of every role below it.
const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/**
 * The repository permission of `login` (looked up by login key first, then as spelled).
 * @returns the permission, or `{ error }` when there is no directory or the login was not looked up
 */
export function permissionOf(dir: Directory | undefined, login: string): PermissionFact {
  if (!dir) return { error: NO_DIRECTORY };
  const p = dir.permissions.get(loginKey(login)) ?? dir.permissions.get(login);
  return p ?? { error: `the permission of @${login} was not looked up` };
}

/**
 * True when `permission` is known and at least `min`. An unknown permission is never enough: the caller
 * reports it separately (`permission-unknown`) so it is not mistaken for too little access.
 */
export function meetsPermission(permission: PermissionFact, min: MinimumPermission): boolean {
  return typeof permission === 'string' && RANK[permission] >= RANK[min];
}

/**
 * The members of `team` (`org/slug`, looked up lower-cased first, then as spelled), as login keys.
 * @returns the member set, or `{ error }` when there is no directory, the team was not looked up or could not be read
 */
export function teamMembers(dir: Directory | undefined, team: string): Set<string> | { error: string } {
  if (!dir) return { error: NO_DIRECTORY };
  const t = dir.teams.get(team.toLowerCase()) ?? dir.teams.get(team);
  if (!t) return { error: `the members of @${team} were not looked up` };
  return Array.isArray(t) ? new Set(t.map(loginKey)) : t;
}

/** True when the requirement names nobody (no users, teams or unmatchable owners): anyone may approve. */
export function openToAnyone(req: Requirement): boolean {
  return req.users.length === 0 && req.teams.length === 0 && !req.unmatchable?.length;
}

/**
 * True when `login` is among the requirement's approvers: anyone for an open requirement, else a named user
 * or a member of a team whose members are known. A team that could not be read makes no one a member here;
 * {@link teamErrors} names it so the requirement fails rather than waits.
 */
export function isApprover(dir: Directory | undefined, req: Requirement, login: string): boolean {
  if (openToAnyone(req)) return true;
  if (req.users.some((u) => loginKey(u) === loginKey(login))) return true;
  return req.teams.some((t) => {
    const m = teamMembers(dir, t);
    return m instanceof Set && m.has(loginKey(login));
  });
}

/** One sentence per team of the requirement whose members are unknown (empty when all were read). */
export function teamErrors(dir: Directory | undefined, req: Requirement): string[] {
  return req.teams.flatMap((t) => {
    const m = teamMembers(dir, t);
    return m instanceof Set ? [] : [`cannot read the members of @${t}: ${m.error}`];
  });
}

/** Everyone who could ever approve for a requirement, split by whether separation of duties excludes them. */
export interface ApproverPool {
  /** Login keys not excluded. */
  available: string[];
  /** Login keys excluded (see {@link approverPool}'s `exclusions`). */
  excluded: string[];
}

/**
 * The requirement's finite pool of approvers (named users and members of readable teams), so a requirement
 * that separation of duties leaves without enough approvers fails now instead of waiting forever.
 * @param exclusions why a login key may not approve (empty: it may)
 * @returns the pool, or `undefined` for an open requirement (anyone may approve: no finite pool)
 */
export function approverPool(
  dir: Directory | undefined,
  req: Requirement,
  exclusions: (login: string) => readonly string[],
): ApproverPool | undefined {
  if (openToAnyone(req)) return undefined;
  const pool = new Set<string>(req.users.map(loginKey));
  for (const t of req.teams) {
    const m = teamMembers(dir, t);
    if (m instanceof Set) for (const x of m) pool.add(x);
  }
  const isExcluded = (l: string) => exclusions(l).length > 0;
  return { available: [...pool].filter((l) => !isExcluded(l)), excluded: [...pool].filter(isExcluded) };
}

/** Who may approve for the requirement, in words (for example `@alice, members of @org/sre with write access`). */
export function eligibleText(req: Requirement): string {
  const who = [...req.users.map((u) => `@${u}`), ...req.teams.map((t) => `members of @${t}`), ...(req.unmatchable ?? [])];
  return `${who.length ? who.join(', ') : 'anyone who took no part in the change'} with ${req.permission} access`;
}
