/**
 * The one slice of Octokit the review facts and the publishing layer use: `octokit.request(route, params)`.
 * The Action passes its Octokit (src/github/client.ts), so every call goes through the retry and
 * throttling plugins; tests pass small fakes.
 */

/** A response as Octokit returns it. */
export interface GitHubResponse {
  status: number;
  // The REST responses are used for a few fields each; they are checked where they are read.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  headers?: Record<string, string | number | undefined>;
}

/**
 * Sends one REST request, for example `request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {...})`.
 * Resolves with `{ data, status }` for 2xx; rejects on HTTP errors with an error carrying `.status`
 * (Octokit's `RequestError`).
 */
export interface GitHubRequester {
  request(route: string, params?: Record<string, unknown>): Promise<GitHubResponse>;
}
