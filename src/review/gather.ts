/**
 * Gathers the directory facts the review policy needs (see {@link reviewNeeds}) from the GitHub REST API,
 * before evaluation. Every failure is recorded as `{ error }` for that login or team, so the requirement that
 * needs it fails closed with the reason; nothing here throws for an API error.
 */
import type { Directory, Permission } from '../core/model.js';
import type { ReviewNeeds } from './needs.js';

/**
 * The slice of Octokit this module uses: `octokit.request(route, params)`. Resolves with `{ data, status }`
 * for 2xx; rejects with an error carrying `.status` (Octokit's RequestError) otherwise.
 */
export interface GitHubRequester {
  request(route: string, params: Record<string, unknown>): Promise<{ data: unknown; status: number }>;
}

/** What GitHub answers when the token cannot read a team: 404, never 403 (so 404 must not mean "not a member"). */
export const TEAM_TOKEN_ERROR =
  'cannot read team membership: the token needs Members: read (GitHub App) or read:org (PAT); GitHub answers 404 for missing access';

const PERMISSIONS = new Set<Permission>(['none', 'read', 'triage', 'write', 'maintain', 'admin']);

function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

function describe(e: unknown): string {
  const status = statusOf(e);
  const msg = e instanceof Error ? e.message : String(e);
  return status ? `GitHub answered ${status}: ${msg}` : msg;
}

/**
 * A user's permission on the repository from `GET /repos/{owner}/{repo}/collaborators/{username}/permission`.
 * `role_name` carries `maintain` and `triage`, which the legacy `permission` field folds into `write`/`read`;
 * a custom role's `role_name` is not a base role, so its `permission` (the base role it extends) is used.
 */
export async function lookUpPermission(api: GitHubRequester, owner: string, repo: string, username: string): Promise<Permission | { error: string }> {
  try {
    const { data } = await api.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', { owner, repo, username });
    const d = (data ?? {}) as { permission?: unknown; role_name?: unknown };
    if (typeof d.role_name === 'string' && PERMISSIONS.has(d.role_name as Permission)) return d.role_name as Permission;
    if (typeof d.permission === 'string' && PERMISSIONS.has(d.permission as Permission)) return d.permission as Permission;
    return { error: `GitHub reported no known permission for @${username}` };
  } catch (e) {
    return { error: `cannot read the permission of @${username}: ${describe(e)}` };
  }
}

/**
 * All members of a team from `GET /orgs/{org}/teams/{team_slug}/members` (paginated, 100 per page; GitHub
 * includes members of child teams and lists only active members, not pending invitations).
 * @param team `org/slug`
 */
export async function lookUpTeam(api: GitHubRequester, team: string): Promise<string[] | { error: string }> {
  const [org, slug] = team.split('/') as [string, string];
  const members: string[] = [];
  try {
    for (let page = 1; ; page++) {
      const { data } = await api.request('GET /orgs/{org}/teams/{team_slug}/members', { org, team_slug: slug, per_page: 100, page });
      if (!Array.isArray(data)) return { error: `GitHub answered a non-list for the members of @${team}` };
      for (const m of data) if (typeof (m as { login?: unknown }).login === 'string') members.push((m as { login: string }).login.toLowerCase());
      if (data.length < 100) return members;
    }
  } catch (e) {
    // 404 also answers a misspelt team slug; either way the membership is unknown, never "not a member".
    if (statusOf(e) === 404) return { error: TEAM_TOKEN_ERROR };
    return { error: `cannot read the members of @${team}: ${describe(e)}` };
  }
}

/**
 * Looks up every fact in `needs` and returns the directory to put on the change.
 * @param repository `owner/name`
 */
export async function gatherDirectory(api: GitHubRequester, repository: string, needs: ReviewNeeds): Promise<Directory> {
  const [owner, repo] = repository.split('/') as [string, string];
  const permissions = new Map<string, Permission | { error: string }>();
  const teams = new Map<string, string[] | { error: string }>();
  // Sequential on purpose: a handful of calls, and GitHub's secondary rate limits punish bursts.
  for (const login of needs.logins) permissions.set(login.toLowerCase(), await lookUpPermission(api, owner, repo, login));
  for (const team of needs.teams) teams.set(team.toLowerCase(), await lookUpTeam(api, team));
  return { permissions, teams };
}
