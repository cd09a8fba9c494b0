/**
 * The Action's inputs and runner environment, read once into typed {@link Settings}. Every input is
 * validated here with a message naming the input and the values it accepts, so the rest of the Action
 * works with checked values only.
 *
 * Inputs arrive as `INPUT_<NAME>` environment variables, upper-cased with hyphens kept
 * (`INPUT_GITHUB-TOKEN`); `@actions/core`'s `getInput` reads them.
 */
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { FailOn } from '../core/model.js';
import { DEFAULT_API_REQUEST_BUDGET } from '../github/contents-tree.js';
import { DEFAULT_CHECK_NAME } from '../publish/check-run.js';
import { type CommentMode, DEFAULT_COMMENT_AUTHOR } from '../publish/comment.js';
import type { DraftComment } from '../publish/publish.js';

/** Everything the Action needs to run, validated. */
export interface Settings {
  /** The `github-token` input; never empty. */
  token: string;
  /** The `policy` input: a file or directory path in the repository, read from the base side. */
  policy: string;
  failOn: FailOn;
  comment: CommentMode;
  /** The `draft-comment` input: `post` (default) or `wait` (no sticky comment while the PR is a draft). */
  draftComment: DraftComment;
  /** The `check-name` input: the check run's name (default `GitOps Gate`). */
  checkName: string;
  /** The `comment-author` input: the login the token writes comments as (default `github-actions[bot]`). */
  commentAuthor: string;
  /** Absolute path of the audit record (the `report-file` input, or a file under `RUNNER_TEMP`). */
  reportFile: string;
  /** Absolute path of the SARIF log (the `sarif-file` input); absent: no SARIF is written. */
  sarifFile?: string;
  owner: string;
  repo: string;
  /** `GITHUB_EVENT_NAME`. */
  eventName: string;
  /** `GITHUB_EVENT_PATH`: the webhook payload. */
  eventPath: string;
  /** The checkout: `GITHUB_WORKSPACE`, or the `path` input under it (actions/checkout's `path`). */
  workspace: string;
  /** The `kustomize` input: absolute path of a kustomize (or kubectl) binary for rendering; absent: found on PATH. */
  kustomize?: string;
  /** The `helm` input: absolute path of a helm binary for rendering; absent: found on PATH. */
  helm?: string;
  /** `GITHUB_API_URL`. */
  apiUrl: string;
  /** `GITHUB_SERVER_URL`, for links. */
  serverUrl: string;
  /** Base unit of the retry backoff, in ms: `GITOPS_GATE_RETRY_DELAY_MS` (for tests), default 1000. */
  retryDelayMs: number;
  /**
   * Least time between two write requests, in ms: `GITOPS_GATE_WRITE_INTERVAL_MS` (for tests), default
   * 1000, GitHub's advice against secondary rate limits (the throttling plugin's default).
   */
  writeIntervalMs: number;
  /** The `api-request-budget` input: most API requests spent reading a base commit git cannot fetch (default 200). */
  apiRequestBudget: number;
}

/** Reads one input (`@actions/core`'s `getInput` in the Action; a map in tests). */
export type InputReader = (name: string) => string;

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], fallback: T): T {
  const v = value.trim();
  if (v === '') return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new ConfigError(`Invalid value "${v}" for input "${name}". Expected one of: ${allowed.join(', ')}.`);
}

/** A millisecond setting from the environment (test-only knobs): an integer from 0 to 60000. */
function envMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 60_000) {
    throw new ConfigError(`Invalid ${name} "${raw}": expected an integer from 0 to 60000 (milliseconds).`);
  }
  return value;
}

/** A whole-number input from 0 to 100,000; empty: `fallback`. @throws {ConfigError} naming the input */
function count(name: string, value: string, fallback: number): number {
  const v = value.trim();
  if (v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) > 100_000) throw new ConfigError(`Invalid value "${v}" for input "${name}". Expected a whole number from 0 to 100000.`);
  return Number(v);
}

function requireEnv(env: NodeJS.ProcessEnv, name: string, hint: string): string {
  const v = env[name];
  if (!v) throw new ConfigError(`The environment variable ${name} is not set: ${hint}`);
  return v;
}

/**
 * Reads and validates the inputs and the runner's environment.
 * @throws {ConfigError} naming the input or variable at fault: an empty `github-token`, an unknown
 * `fail-on` or `comment` value, an `api-request-budget` that is not a whole number, a `policy` outside the repository, a malformed `GITHUB_REPOSITORY`
 */
export function readSettings(input: InputReader, env: NodeJS.ProcessEnv = process.env): Settings {
  const token = input('github-token').trim();
  if (!token) {
    throw new ConfigError(
      'The input "github-token" is empty: the gate needs a token to read the pull request. Leave the input at its default (${{ github.token }}) ' +
        'or pass a token, and grant the job `pull-requests: read` and `contents: read` in `permissions:`.',
    );
  }
  const policy = input('policy').trim() || 'policies';
  if (isAbsolute(policy) || policy.split(/[\\/]/).includes('..')) {
    throw new ConfigError(`Invalid value "${policy}" for input "policy": it must be a path inside the repository, such as "policies" or "policies/gitops-gate.yaml".`);
  }
  const failOn = oneOf<FailOn>('fail-on', input('fail-on'), ['error', 'warning', 'never'], 'error');
  const comment = oneOf<CommentMode>('comment', input('comment'), ['always', 'on-failure', 'never'], 'always');
  const draftComment = oneOf<DraftComment>('draft-comment', input('draft-comment'), ['post', 'wait'], 'post');

  const runnerHint = 'gitops-gate runs as a step of a GitHub Actions job, which sets it.';
  const repository = requireEnv(env, 'GITHUB_REPOSITORY', runnerHint);
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!m) throw new ConfigError(`Invalid GITHUB_REPOSITORY "${repository}". Expected format {owner}/{repo}.`);
  const workspace = requireEnv(env, 'GITHUB_WORKSPACE', runnerHint);
  const rawPath = input('path').trim();
  if (rawPath && (isAbsolute(rawPath) || rawPath.split(/[\\/]/).includes('..'))) {
    throw new ConfigError(`Invalid value "${rawPath}" for input "path": it must be a directory inside the workspace, as actions/checkout's \`path\` (for example "gitops").`);
  }

  const rawReport = input('report-file').trim();
  const reportFile = rawReport
    ? resolve(workspace, rawReport)
    : join(env.RUNNER_TEMP || tmpdir(), `gitops-gate-report-${env.GITHUB_RUN_ID ?? 'local'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}.json`);

  const rawSarif = input('sarif-file').trim();
  const toolPath = (name: 'kustomize' | 'helm'): string | undefined => {
    const v = input(name).trim();
    if (!v) return undefined;
    // A relative path would name a file of the checkout, which the pull request controls.
    if (!isAbsolute(v)) throw new ConfigError(`Invalid value "${v}" for input "${name}": it must be an absolute path (for example the path a setup step installed it at), or empty to find ${name} on PATH.`);
    return v;
  };
  const kustomize = toolPath('kustomize');
  const helm = toolPath('helm');

  return {
    token,
    policy,
    failOn,
    comment,
    draftComment,
    checkName: input('check-name').trim() || DEFAULT_CHECK_NAME,
    commentAuthor: input('comment-author').trim() || DEFAULT_COMMENT_AUTHOR,
    reportFile,
    ...(rawSarif ? { sarifFile: resolve(workspace, rawSarif) } : {}),
    ...(kustomize ? { kustomize } : {}),
    ...(helm ? { helm } : {}),
    owner: m[1]!,
    repo: m[2]!,
    eventName: requireEnv(env, 'GITHUB_EVENT_NAME', runnerHint),
    eventPath: requireEnv(env, 'GITHUB_EVENT_PATH', runnerHint),
    workspace: rawPath ? resolve(workspace, rawPath) : workspace,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    retryDelayMs: envMs(env, 'GITOPS_GATE_RETRY_DELAY_MS', 1000),
    writeIntervalMs: envMs(env, 'GITOPS_GATE_WRITE_INTERVAL_MS', 1000),
    apiRequestBudget: count('api-request-budget', input('api-request-budget'), DEFAULT_API_REQUEST_BUDGET),
  };
}
