/**
 * A run that fails before it evaluates (the head commit is not in the clone, a refused API call, a bad
 * input) still puts a failing check run, with the reason, on the PR's head commit whenever the token
 * allows: otherwise nothing carries the gate's check name there, and a required check sits at
 * "Expected" with no reason given. Best effort: a refusal is a warning; the step fails either way.
 *
 * What it needs is read here from the inputs and the runner's environment directly, not from
 * {@link readSettings}, since an invalid input is one of the failures to report.
 */
import { readFile } from 'node:fs/promises';
import * as core from '@actions/core';
import { createGitHubClient } from '../github/client.js';
import { DEFAULT_CHECK_NAME, publishFailureCheckRun } from '../publish/check-run.js';
import type { GitHubWriter } from '../publish/client.js';
import { runUrl } from '../publish/comment.js';
import { SUPPORTED_EVENTS } from './event.js';
import type { InputReader } from './inputs.js';

/** Where the failing check run goes, and with what token. */
export interface FailureTarget {
  token: string;
  owner: string;
  repo: string;
  /** `GITHUB_API_URL`. */
  apiUrl: string;
  /** The head SHA the event payload names (`pull_request.head.sha`). */
  headSha: string;
  /** The `check-name` input, or `GitOps Gate`. */
  checkName: string;
  /** The workflow run's URL, when the environment gives it. */
  detailsUrl?: string;
}

/**
 * Works out where a failing check run can go: a non-empty `github-token`, `GITHUB_REPOSITORY`, and a
 * pull request event whose payload names the head SHA. Never throws.
 * @returns `undefined` when one of them is missing (an empty token, another event, an unreadable payload)
 */
export async function failureTarget(input: InputReader, env: NodeJS.ProcessEnv = process.env): Promise<FailureTarget | undefined> {
  try {
    const token = input('github-token').trim();
    const repository = /^([^/\s]+)\/([^/\s]+)$/.exec(env.GITHUB_REPOSITORY ?? '');
    const eventName = env.GITHUB_EVENT_NAME ?? '';
    if (!token || !repository || !SUPPORTED_EVENTS[eventName] || !env.GITHUB_EVENT_PATH) return undefined;
    const payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as { pull_request?: { head?: { sha?: unknown } }; merge_group?: { head_sha?: unknown } } | null;
    // A merge queue waits for the checks on the group's head commit.
    const headSha = payload?.pull_request?.head?.sha ?? payload?.merge_group?.head_sha;
    if (typeof headSha !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(headSha)) return undefined;
    const url = runUrl(env);
    return {
      token,
      owner: repository[1]!,
      repo: repository[2]!,
      apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
      headSha,
      checkName: input('check-name').trim() || DEFAULT_CHECK_NAME,
      ...(url ? { detailsUrl: url } : {}),
    };
  } catch {
    return undefined;
  }
}

/** A millisecond knob of the environment, or its default when unset or invalid (this path must not throw). */
function envMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = Number(env[name]);
  return env[name] !== undefined && env[name] !== '' && Number.isInteger(v) && v >= 0 && v <= 60_000 ? v : fallback;
}

/**
 * Publishes the failing check run for a run that could not evaluate, when {@link failureTarget} finds
 * where; logs what was published, and warns about a refusal. Never throws.
 * @param reason the failure message
 * @param client a client to publish through; default one made from the target's token and API URL
 */
export async function publishEarlyFailure(
  reason: string,
  input: InputReader = (name) => core.getInput(name),
  env: NodeJS.ProcessEnv = process.env,
  client?: GitHubWriter,
): Promise<void> {
  try {
    const target = await failureTarget(input, env);
    if (!target) return;
    core.setSecret(target.token);
    const gh =
      client ??
      createGitHubClient({
        token: target.token,
        baseUrl: target.apiUrl,
        retryDelayMs: envMs(env, 'GITOPS_GATE_RETRY_DELAY_MS', 1000),
        writeIntervalMs: envMs(env, 'GITOPS_GATE_WRITE_INTERVAL_MS', 1000),
        log: (m) => core.info(m),
      });
    const result = await publishFailureCheckRun(
      gh,
      { owner: target.owner, repo: target.repo, headSha: target.headSha, name: target.checkName, ...(target.detailsUrl ? { detailsUrl: target.detailsUrl } : {}) },
      reason,
    );
    for (const line of result.published) core.info(`publish: ${line}`);
    for (const r of result.refused) core.warning(r.message);
  } catch (err) {
    core.warning(`Publishing the failing check run failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
