/**
 * What a run of the gate learned about a head commit, carried to later runs on the same head through the
 * gate's own check runs. GitHub names who pushed only in the `opened` and `synchronize` events; a later
 * `pull_request_review` run on the same head would otherwise not know the pusher (issue 13, item 6). Each
 * check run the gate publishes carries a record in its `external_id`:
 *
 *     gitops-gate/1 pr=7 head=<40-hex sha> pushers=bob,carol
 *
 * (`pushers=` empty when the run did not know). A later run reads the check runs of the head
 * (`GET /repos/{owner}/{repo}/commits/{ref}/check-runs`, `filter=all`, the gate's check name) and trusts
 * a record only when the check run was created by the app the gate runs as (`app.slug`: the token's app,
 * named by the `comment-author` input, `github-actions` for `GITHUB_TOKEN`), names this pull request and
 * this head. The pushers of every trusted record are excluded together, so a record can only add
 * exclusions; the earliest record's `completed_at` (the gate's clock when it published) is a time by
 * which the head had been pushed, which break-glass uses.
 */
import { httpStatus } from '../github/api-errors.js';
import { collectPages, numberedPages, PER_PAGE } from '../github/paginate.js';
import type { GitHubRequester } from '../github/requester.js';

/** The content of one record. */
export interface HeadRecord {
  pr: number;
  headSha: string;
  /** Logins that pushed the head, as the run that wrote the record knew them; empty when it did not know. */
  pushers: string[];
}

/** What the earlier records say about a head. */
export interface HeadFacts {
  /** Union of the pushers of every trusted record (logins as recorded, de-duplicated case-insensitively). */
  pushers: string[];
  /** `completed_at` of the earliest trusted record (ISO-8601); absent when there is none. */
  seenAt?: string;
  /** For the report: what was read, ignored or could not be read. */
  notes: string[];
}

const PREFIX = 'gitops-gate/1';
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

/** The `external_id` carrying `record`. */
export function formatHeadRecord(record: HeadRecord): string {
  return `${PREFIX} pr=${record.pr} head=${record.headSha} pushers=${record.pushers.join(',')}`;
}

/** Reads an `external_id` written by {@link formatHeadRecord}; `undefined` for anything else. */
export function parseHeadRecord(externalId: unknown): HeadRecord | undefined {
  if (typeof externalId !== 'string') return undefined;
  const m = /^gitops-gate\/1 pr=([1-9][0-9]{0,9}) head=([0-9a-f]{40}) pushers=([^\s]*)$/.exec(externalId);
  if (!m) return undefined;
  const pushers = m[3] ? m[3].split(',') : [];
  if (!pushers.every((p) => LOGIN.test(p))) return undefined;
  return { pr: Number(m[1]), headSha: m[2]!, pushers };
}

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

/** Longest listing read: 10 pages of 100 check runs. */
const MAX_PAGES = 10;

/**
 * Reads the gate's earlier records on `headSha` for pull request `pr`.
 * @param api the Action's Octokit (`request`)
 * @param repository `owner/name`
 * @param opts `checkName`: the gate's check run name (input `check-name`); `appSlug`: the app the gate's
 * token acts as (`github-actions` for `GITHUB_TOKEN`, the App's slug for a GitHub App token)
 * @returns the facts; never throws: a failed read is a note, and the facts stay unknown (fail closed)
 */
export async function readHeadRecords(
  api: GitHubRequester,
  repository: string,
  opts: { pr: number; headSha: string; checkName: string; appSlug: string },
): Promise<HeadFacts> {
  const [owner, repo] = repository.split('/') as [string, string];
  const notes: string[] = [];
  const byKey = new Map<string, string>();
  let seenAt: string | undefined;
  let foreign = 0;
  let runs;
  try {
    const route = 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs';
    const params = { owner, repo, ref: opts.headSha, check_name: opts.checkName, filter: 'all' };
    runs = await collectPages(numberedPages(api, route, params, (data) => obj(data).check_runs), { maxPages: MAX_PAGES });
  } catch (e) {
    const status = httpStatus(e);
    notes.push(
      `The gate's earlier check runs on ${opts.headSha.slice(0, 7)} could not be read (${status ? `GitHub answered ${status}: ` : ''}${e instanceof Error ? e.message : String(e)}; the token needs checks: read): who pushed the head and when stay unknown.`,
    );
    return { pushers: [], notes };
  }
  if (runs.truncated) {
    // A partial list could miss a pusher, who could then approve: the facts stay unknown (fail closed).
    notes.push(
      `The gate's earlier check runs on ${opts.headSha.slice(0, 7)} number more than ${MAX_PAGES * PER_PAGE} (the most the gate reads): who pushed the head and when stay unknown.`,
    );
    return { pushers: [], notes };
  }
  for (const run of runs.items.map(obj)) {
    const record = parseHeadRecord(run.external_id);
    if (!record || run.name !== opts.checkName || run.head_sha !== opts.headSha) continue;
    if (record.pr !== opts.pr || record.headSha !== opts.headSha) continue;
    const slug = obj(run.app).slug;
    if (typeof slug !== 'string' || slug.toLowerCase() !== opts.appSlug.toLowerCase()) {
      foreign++;
      continue;
    }
    for (const p of record.pushers) if (!byKey.has(p.toLowerCase())) byKey.set(p.toLowerCase(), p);
    const at = run.completed_at;
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && (!seenAt || Date.parse(at) < Date.parse(seenAt))) seenAt = at;
  }
  if (foreign) notes.push(`${foreign} check run(s) named "${opts.checkName}" on ${opts.headSha.slice(0, 7)} carry a gate record but were not created by the app the gate runs as (${opts.appSlug}): ignored.`);
  return { pushers: [...byKey.values()], ...(seenAt ? { seenAt } : {}), notes };
}
