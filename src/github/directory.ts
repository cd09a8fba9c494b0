/**
 * Looks up the facts the review policy needs about people, before evaluation, so review checks stay
 * pure: repository permission levels of logins and members of teams. This is the seam between the
 * Action and the review policy: the review area says which logins and teams it needs
 * ({@link DirectoryNeeds}); this module asks GitHub and fills {@link Change.directory}.
 *
 * A lookup that fails is recorded as `{ error }` (never as "no permission"), so checks fail closed.
 * Team membership cannot be read with `GITHUB_TOKEN` (it has no organisation scope; GitHub answers 404):
 * it needs a GitHub App token with Members: read, or a PAT with `read:org`.
 */
import type { Directory, Permission } from '../core/model.js';
import { apiError, httpStatus } from './api-errors.js';
import type { GitHubClient } from './client.js';

/** What the review policy needs to know. */
export interface DirectoryNeeds {
  /** Logins whose permission level on the repository is needed. */
  logins: readonly string[];
  /** Team slugs (in the repository owner's organisation) whose members are needed. */
  teams: readonly string[];
}

const LEVELS: readonly Permission[] = ['none', 'read', 'triage', 'write', 'maintain', 'admin'];

/**
 * The permission level from `GET /repos/{o}/{r}/collaborators/{u}/permission`. `role_name` carries
 * `triage` and `maintain` (and custom roles); `permission` only the legacy four levels.
 */
export function permissionFromApi(data: { permission: string; role_name?: string }): Permission {
  const role = data.role_name?.toLowerCase();
  if (role && (LEVELS as readonly string[]).includes(role)) return role as Permission;
  return (LEVELS as readonly string[]).includes(data.permission) ? (data.permission as Permission) : 'none';
}

/**
 * Looks up permission levels and team members, in parallel.
 * @returns a directory with an entry for every login and team asked for; failures are `{ error }` entries
 */
export async function lookupDirectory(gh: GitHubClient, owner: string, repo: string, needs: DirectoryNeeds): Promise<Directory> {
  const permissions: Directory['permissions'] = new Map();
  const teams: Directory['teams'] = new Map();
  await Promise.all([
    ...[...new Set(needs.logins)].map(async (username) => {
      try {
        const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
        permissions.set(username, permissionFromApi(data));
      } catch (err) {
        // 404: not a collaborator (GitHub answers 404 for a user with no access).
        if (httpStatus(err) === 404) permissions.set(username, 'none');
        else permissions.set(username, { error: apiError(err, { what: `reading the permission of @${username}`, permission: 'metadata: read' }).message });
      }
    }),
    ...[...new Set(needs.teams)].map(async (team_slug) => {
      try {
        const members = await gh.paginate(gh.rest.teams.listMembersInOrg, { org: owner, team_slug, per_page: 100 });
        teams.set(team_slug, members.map((m) => m.login));
      } catch (err) {
        teams.set(team_slug, {
          error: apiError(err, { what: `listing the members of team ${owner}/${team_slug}`, permission: 'organization Members: read (a GitHub App token or a PAT with read:org; GITHUB_TOKEN cannot)' }).message,
        });
      }
    }),
  ]);
  return { permissions, teams };
}
