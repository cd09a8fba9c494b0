/**
 * The Action's gather step: from the event to a {@link Change} whose facts are complete. The pull request (or
 * merge group) through the REST API, the policy from the base side, the last pusher, and the review policy's
 * facts (CODEOWNERS, permissions, team members, break-glass), all through one GitHub client, so every lookup
 * gets its retries and throttling and is counted for the audit record.
 */
import type { Change } from '../core/model.js';
import { touchedPaths } from '../core/model.js';
import { resolvePolicy } from '../composition.js';
import { createGitHubClient, type GitHubClient } from '../github/client.js';
import { gatherChange } from '../github/gather.js';
import type { ResolvedPolicy } from '../policy/load.js';
import { gatherReviewFacts } from '../review/gather.js';
import type { EventTarget } from './event.js';
import type { Settings } from './inputs.js';
import { gatherMergeGroupChange } from './merge-group.js';

/** An event the gate evaluates: a pull request, or a merge group. */
export type GatedTarget = Extract<EventTarget, { kind: 'pull-request' | 'merge-group' }>;

/** What the gather step hands to evaluation and publishing. */
export interface GatheredRun {
  gh: GitHubClient;
  change: Change;
  resolved: ResolvedPolicy;
  /** Notes of the review facts' lookups (what could not be looked up, and why), for the report. */
  notes: string[];
  /** HTTP attempts so far and later (publishing adds to it): what the run cost against the token's rate limit. */
  apiRequests(): number;
}

/** The pull request a target names: the PR itself, or the merge group's (first) queued PR. */
export function pullNumber(target: GatedTarget): number {
  return target.kind === 'merge-group' ? target.group.pull : target.number;
}

/**
 * Gathers the change and its facts for an event the gate evaluates.
 * @throws {SourceError} when GitHub or git cannot supply a fact (the Action then fails closed)
 * @throws {ConfigError} when the base side's policy is invalid
 */
export async function gatherForAction(settings: Settings, target: GatedTarget, log: (m: string) => void): Promise<GatheredRun> {
  let requests = 0;
  const gh = createGitHubClient({
    token: settings.token,
    baseUrl: settings.apiUrl,
    retryDelayMs: settings.retryDelayMs,
    writeIntervalMs: settings.writeIntervalMs,
    log,
    onAttempt: () => {
      requests++;
    },
  });
  const where = { owner: settings.owner, repo: settings.repo, workspace: settings.workspace, serverUrl: settings.serverUrl, log };
  let change = target.kind === 'merge-group' ? await gatherMergeGroupChange(gh, where, target.group) : await gatherChange(gh, { ...where, number: target.number, apiRequestBudget: settings.apiRequestBudget });

  // The policy comes from the base side (a PR cannot loosen the policy that judges it).
  const resolved = await resolvePolicy(change.policyBase ?? change.base ?? change.head, settings.policy, touchedPaths(change));
  // The last pusher is known only from an opened/synchronize event whose head is still the PR's head
  // (see pusherOf); otherwise the gate's earlier check runs on this head may name it (in gatherReviewFacts),
  // and when nothing does, no approval counts (the review policy fails closed).
  if (change.pr && target.kind === 'pull-request' && target.pusher && target.pusher.headSha === change.headSha) change = { ...change, pr: { ...change.pr, lastPusher: target.pusher.login } };
  const facts = await gatherReviewFacts(gh, `${settings.owner}/${settings.repo}`, change, resolved.policy, {
    checkName: settings.checkName,
    appSlug: settings.commentAuthor.replace(/\[bot\]$/i, ''),
  });
  return { gh, change: facts.change, resolved, notes: facts.notes, apiRequests: () => requests };
}
