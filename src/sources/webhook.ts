/** What a GitHub webhook payload tells about a pull request beyond the REST API: who pushed its head. */

/** Who pushed the PR's head, as the event tells it, and the head SHA that push produced. */
export interface Pusher {
  login: string;
  headSha: string;
}

/**
 * The last pusher, when the event knows it: on `pull_request` and `pull_request_target` events with
 * action `opened` or `synchronize`, the `sender` is whoever pushed (or opened with) the head named in the
 * payload. Other events (a review, an edit, a re-run of an old event) do not say who pushed last, and
 * the REST API does not either, so the pusher stays unknown there. The caller must use it only when
 * the payload's head is still the PR's head: a newer push has its own pusher.
 */
export function pusherOf(eventName: string, action: string, payload: Record<string, unknown>): Pusher | undefined {
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') return undefined;
  if (action !== 'opened' && action !== 'synchronize') return undefined;
  const login = (payload.sender as { login?: unknown } | undefined)?.login;
  const headSha = ((payload.pull_request as { head?: { sha?: unknown } } | undefined)?.head)?.sha;
  return typeof login === 'string' && login && typeof headSha === 'string' && headSha ? { login, headSha } : undefined;
}
