/**
 * The head guard: before anything is published, the PR's head SHA is read again. When someone pushed
 * while the gate ran, the result is about a commit that is no longer the PR's head; publishing it
 * would put a stale verdict on the PR (a sticky comment, a check the newer commit seems to have), so
 * the Action publishes nothing and says why. The run for the newer push publishes its own result.
 */
import type { GitHubWriter, RepoRef } from './client.js';
import { errorStatus } from './client.js';

/** The outcome of the guard. */
export type HeadGuard =
  | { ok: true; headSha: string }
  | {
      ok: false;
      /** The PR's head now, when it could be read. */
      currentSha?: string;
      /** One sentence for the log and the job summary. */
      reason: string;
    };

/**
 * Re-reads the PR's head SHA (`GET /repos/{owner}/{repo}/pulls/{pull_number}`) and compares it with
 * the SHA the evaluation ran on. Fails closed: when the PR cannot be read, nothing is published.
 * Never throws.
 * @param evaluatedSha - the head SHA the evaluation ran on (`report.change.headSha`)
 */
export async function checkHead(client: GitHubWriter, target: RepoRef & { pull: number }, evaluatedSha: string): Promise<HeadGuard> {
  let current: unknown;
  try {
    const res = await client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner: target.owner, repo: target.repo, pull_number: target.pull });
    current = (res.data as { head?: { sha?: unknown } } | undefined)?.head?.sha;
  } catch (err) {
    const status = errorStatus(err);
    return {
      ok: false,
      reason: `Nothing was published: the pull request's head could not be re-read (${status ?? 'no answer'}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}), so the result might be stale. The token needs \`pull-requests: read\`.`,
    };
  }
  if (typeof current !== 'string' || !/^[0-9a-f]{40,64}$/i.test(current)) {
    return { ok: false, reason: 'Nothing was published: GitHub did not return the pull request\'s head SHA, so the result might be stale.' };
  }
  if (current.toLowerCase() !== evaluatedSha.toLowerCase()) {
    return {
      ok: false,
      currentSha: current,
      reason: `Nothing was published: the pull request's head moved from ${evaluatedSha.slice(0, 7)} (evaluated) to ${current.slice(0, 7)} while the gate ran. The run for the new head publishes its own result.`,
    };
  }
  return { ok: true, headSha: current };
}
