/**
 * Gathers the directory facts the review policy needs (see {@link reviewNeeds}) from the GitHub REST API,
 * before evaluation. Every failure is recorded as `{ error }` for that login or team, so the requirement that
 * needs it fails closed with the reason; nothing here throws for an API error.
 */
import { httpStatus } from '../github/api-errors.js';
import { collectPages, numberedPages } from '../github/paginate.js';
import type { GitHubRequester } from '../github/requester.js';
import type { Change, Directory, IssueComment, LabelEvent, Permission, PullRequest } from '../core/model.js';
import type { Policy } from '../policy/types.js';
import { reviewNeeds, type ReviewNeeds } from './needs.js';
import { prepareReview } from './prepare.js';
import type { BreakGlass } from './settings.js';
import { readHeadRecords } from './head-records.js';
import { headPushers } from './reviewers.js';

export type { GitHubRequester } from '../github/requester.js';

/** What GitHub answers when the token cannot read a team: 404, never 403 (so 404 must not mean "not a member"). */
export const TEAM_TOKEN_ERROR =
  'cannot read team membership: the token needs Members: read (GitHub App) or read:org (PAT); GitHub answers 404 for missing access';

const PERMISSIONS = new Set<Permission>(['none', 'read', 'triage', 'write', 'maintain', 'admin']);

function describe(e: unknown): string {
  const status = httpStatus(e);
  const msg = e instanceof Error ? e.message : String(e);
  return status ? `GitHub answered ${status}: ${msg}` : msg;
}

/** Every page of a list (src/github/paginate.ts, by page number; no cap, so never truncated). */
async function allPages(api: GitHubRequester, route: string, params: Record<string, unknown>): Promise<unknown[]> {
  return (await collectPages(numberedPages(api, route, params))).items;
}

const str = (v: unknown): v is string => typeof v === 'string';
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

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
  try {
    const list = await allPages(api, 'GET /orgs/{org}/teams/{team_slug}/members', { org, team_slug: slug });
    return list.flatMap((m) => (str(obj(m).login) ? [(obj(m).login as string).toLowerCase()] : []));
  } catch (e) {
    // 404 also answers a misspelt team slug; either way the membership is unknown, never "not a member".
    if (httpStatus(e) === 404) return { error: TEAM_TOKEN_ERROR };
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

/**
 * The facts break-glass needs, fetched only when the policy enables it: the PR's comments when a command is
 * configured (`GET /repos/{owner}/{repo}/issues/{n}/comments`), and its label events when a break-glass label is
 * on the PR (`GET /repos/{owner}/{repo}/issues/{n}/events`, `labeled`/`unlabeled` only), all pages.
 * A failed fetch leaves the fact absent (break-glass then cannot be invoked that way) and is returned as a note.
 */
export async function gatherBreakGlass(
  api: GitHubRequester,
  repository: string,
  pr: PullRequest,
  bg: BreakGlass,
): Promise<{ comments?: IssueComment[]; labelEvents?: LabelEvent[]; notes: string[] }> {
  const [owner, repo] = repository.split('/') as [string, string];
  const notes: string[] = [];
  const out: { comments?: IssueComment[]; labelEvents?: LabelEvent[]; notes: string[] } = { notes };
  if (bg.users.length === 0) return out;
  const params = { owner, repo, issue_number: pr.number };
  if (bg.command) {
    try {
      const list = await allPages(api, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', params);
      out.comments = list.map(obj).flatMap((c) =>
        typeof c.id === 'number' && str(c.created_at)
          ? [
              {
                id: c.id,
                author: { ...(str(obj(c.user).login) ? { login: obj(c.user).login as string } : {}) },
                body: str(c.body) ? c.body : '',
                createdAt: c.created_at,
                ...(str(c.updated_at) ? { updatedAt: c.updated_at } : {}),
              },
            ]
          : [],
      );
    } catch (e) {
      notes.push(`Break-glass comments could not be read: ${describe(e)}`);
    }
  }
  if (bg.labels.some((l) => pr.labels.includes(l))) {
    try {
      const list = await allPages(api, 'GET /repos/{owner}/{repo}/issues/{issue_number}/events', params);
      out.labelEvents = list.map(obj).flatMap((e) =>
        (e.event === 'labeled' || e.event === 'unlabeled') && str(obj(e.label).name) && str(e.created_at)
          ? [{ action: e.event, label: obj(e.label).name as string, actor: { ...(str(obj(e.actor).login) ? { login: obj(e.actor).login as string } : {}) }, createdAt: e.created_at }]
          : [],
      );
    } catch (e) {
      notes.push(`Label events could not be read, so a break-glass label cannot be attributed: ${describe(e)}`);
    }
  }
  return out;
}

/** Where the gate's own records of a head are (see src/review/head-records.ts). */
export interface RecordSource {
  /** The gate's check run name (input `check-name`). */
  checkName: string;
  /** The app the gate's token acts as (`github-actions` for `GITHUB_TOKEN`); only its check runs are trusted. */
  appSlug: string;
}

/**
 * The review policy's pre-pass for a change read from GitHub: CODEOWNERS from the base side
 * ({@link prepareReview}), then the permissions and team members {@link reviewNeeds} lists, then the
 * break-glass comments and label events when the policy enables break-glass, then (with `records`, when
 * the policy excludes the pusher or enables break-glass) the gate's earlier records of the head: their
 * pushers join `pr.pushers`, the earliest record's time becomes `pr.headSeenAt`.
 * @param api the Action's Octokit (its `request` goes through the retry and throttling plugins)
 * @param repository `owner/name`
 * @returns the change with `codeowners`, `directory` and the break-glass facts set, and notes for the
 * report on facts that could not be read (the requirements needing them fail closed on their own)
 * @throws whatever the base tree reader throws when CODEOWNERS cannot be read
 */
export async function gatherReviewFacts(
  api: GitHubRequester,
  repository: string,
  change: Change,
  policy: Policy,
  records?: RecordSource,
): Promise<{ change: Change; notes: string[] }> {
  const prepared = await prepareReview(change, policy);
  const directory = await gatherDirectory(api, repository, reviewNeeds(prepared, policy));
  const bg = prepared.pr ? await gatherBreakGlass(api, repository, prepared.pr, policy.review.breakGlass) : { notes: [] };
  let pr = prepared.pr;
  const notes = [...bg.notes];
  if (pr && records && (policy.review.separationOfDuties.lastPusher || policy.review.breakGlass.users.length)) {
    const facts = await readHeadRecords(api, repository, { pr: pr.number, headSha: prepared.headSha, ...records });
    notes.push(...facts.notes);
    const pushers = headPushers({ ...pr, pushers: [...(pr.pushers ?? []), ...facts.pushers] });
    pr = { ...pr, ...(pushers.length ? { pushers } : {}), ...(facts.seenAt ? { headSeenAt: facts.seenAt } : {}) };
  }
  return {
    change: {
      ...prepared,
      ...(pr ? { pr } : {}),
      directory,
      ...(bg.comments ? { comments: bg.comments } : {}),
      ...(bg.labelEvents ? { labelEvents: bg.labelEvents } : {}),
    },
    notes,
  };
}
