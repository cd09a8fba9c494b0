/**
 * Turns a failed GitHub API call into a message that says what to fix. GitHub answers 404 (not 403)
 * when a token cannot see a private resource, so a 404 names the permission as a possible cause.
 */
import { SourceError } from '../core/errors.js';

/** What a call was for and the permission it needs, for messages. */
export interface ApiNeed {
  /** What the gate was doing, for example `reading pull request #12`. */
  what: string;
  /** The `permissions:` entry the workflow must grant, for example `pull-requests: read`. */
  permission: string;
}

/** The HTTP status of an Octokit `RequestError`, if `err` is one. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'status' in err && typeof (err as { status: unknown }).status === 'number') {
    return (err as { status: number }).status;
  }
  return undefined;
}

function apiMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0]!.replace(/\s+-\s+https?:\/\/\S+$/, '');
  return String(err);
}

/**
 * Maps an error of a needed API call to a {@link SourceError} naming the missing permission or input.
 * @param err what Octokit threw
 * @param need the call's purpose and the permission it needs
 */
export function apiError(err: unknown, need: ApiNeed): SourceError {
  const status = httpStatus(err);
  const msg = apiMessage(err);
  const grant = `Grant \`${need.permission}\` in the workflow's \`permissions:\` (or use a token that has it).`;
  switch (status) {
    case 401:
      return new SourceError(
        `GitHub rejected the token (401 ${msg}) while ${need.what}. Check the \`github-token\` input: it must be a valid token, by default \${{ github.token }}.`,
        { cause: err },
      );
    case 403:
      return new SourceError(`GitHub refused access (403 ${msg}) while ${need.what}: the token lacks \`${need.permission}\`. ${grant}`, { cause: err });
    case 404:
      return new SourceError(
        `GitHub answered 404 (${msg}) while ${need.what}: the resource does not exist, or the token lacks \`${need.permission}\` (GitHub hides what a token may not read). ${grant}`,
        { cause: err },
      );
    case undefined:
      return new SourceError(`Cannot reach the GitHub API while ${need.what}: ${msg}`, { cause: err });
    default:
      return new SourceError(`GitHub API error ${status} (${msg}) while ${need.what}.`, { cause: err });
  }
}

/** Runs `call`, mapping its failure with {@link apiError}. */
export async function needed<T>(need: ApiNeed, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw apiError(err, need);
  }
}
