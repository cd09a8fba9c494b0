/**
 * Offline review facts for the CLI, which has no GitHub API: a directory file (permissions and team members,
 * the shape of {@link Directory}) and a comments file (the REST list of issue comments). Also handy in tests.
 */
import type { Directory, IssueComment, Permission } from '../core/model.js';
import { UsageError } from '../core/errors.js';
import { isRecord } from '../core/values.js';

const PERMISSIONS = new Set<Permission>(['none', 'read', 'triage', 'write', 'maintain', 'admin']);


function errorValue(v: unknown): { error: string } | undefined {
  return isRecord(v) && typeof v.error === 'string' && Object.keys(v).length === 1 ? { error: v.error } : undefined;
}

/**
 * Parses a directory file:
 * `{ "permissions": { "login": "write" | { "error": "..." } }, "teams": { "org/slug": ["login", ...] | { "error": "..." } } }`.
 * Logins and team slugs are matched case-insensitively.
 * @throws {UsageError} naming the file and the entry that has the wrong shape
 */
export function directoryFromJson(value: unknown, file: string): Directory {
  if (!isRecord(value)) throw new UsageError(`${file}: expected an object with "permissions" and "teams"`);
  for (const k of Object.keys(value)) if (k !== 'permissions' && k !== 'teams') throw new UsageError(`${file}: unknown key "${k}" (expected "permissions" and "teams")`);
  const permissions = new Map<string, Permission | { error: string }>();
  const teams = new Map<string, string[] | { error: string }>();
  const perms = value.permissions ?? {};
  if (!isRecord(perms)) throw new UsageError(`${file}: "permissions" must map logins to a permission`);
  for (const [login, p] of Object.entries(perms)) {
    const err = errorValue(p);
    if (err) permissions.set(login.toLowerCase(), err);
    else if (typeof p === 'string' && PERMISSIONS.has(p as Permission)) permissions.set(login.toLowerCase(), p as Permission);
    else throw new UsageError(`${file}: permissions.${login} must be one of ${[...PERMISSIONS].join(', ')} or {"error": "..."}`);
  }
  const ts = value.teams ?? {};
  if (!isRecord(ts)) throw new UsageError(`${file}: "teams" must map org/slug to a list of logins`);
  for (const [team, m] of Object.entries(ts)) {
    const err = errorValue(m);
    if (err) teams.set(team.toLowerCase(), err);
    else if (Array.isArray(m) && m.every((x) => typeof x === 'string')) teams.set(team.toLowerCase(), (m as string[]).map((x) => x.toLowerCase()));
    else throw new UsageError(`${file}: teams.${team} must be a list of logins or {"error": "..."}`);
  }
  return { permissions, teams };
}

/**
 * Parses a REST list of issue comments (`GET /repos/{owner}/{repo}/issues/{number}/comments`).
 * @throws {UsageError} naming the file and index of a malformed comment
 */
export function commentsFromJson(value: unknown, file: string): IssueComment[] {
  if (!Array.isArray(value)) throw new UsageError(`${file}: expected a JSON array of issue comments`);
  return value.map((c, i) => {
    if (!isRecord(c) || typeof c.id !== 'number' || typeof c.created_at !== 'string') throw new UsageError(`${file}[${i}]: a comment needs "id" and "created_at"`);
    const user = isRecord(c.user) ? c.user : {};
    return {
      id: c.id,
      author: { ...(typeof user.login === 'string' ? { login: user.login } : {}), ...(typeof user.type === 'string' ? { type: user.type } : {}) },
      body: typeof c.body === 'string' ? c.body : '',
      createdAt: c.created_at,
      ...(typeof c.updated_at === 'string' ? { updatedAt: c.updated_at } : {}),
    };
  });
}
