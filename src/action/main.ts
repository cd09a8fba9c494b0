/**
 * The GitHub Action: read the inputs, gather the pull request and the review policy's facts, evaluate,
 * publish (check run, sticky comment; best effort), deliver the verdict (annotations, audit record,
 * SARIF, outputs, job summary). One outer catch turns every error before delivery into a failed step
 * with `verdict=fail`: the gate fails closed.
 */
import * as core from '@actions/core';
import { describeError, GateError } from '../core/errors.js';
import { createGitHubClient } from '../github/client.js';
import { gatherChange } from '../github/gather.js';
import { evaluate, resolvePolicy } from '../composition.js';
import { runUrl } from '../publish/comment.js';
import { publishToPullRequest } from '../publish/publish.js';
import { buildAuditRecord, runContextFromEnv } from '../report/audit-record.js';
import { gatherReviewFacts } from '../review/gather.js';
import { VERSION } from '../version.js';
import { deliver, deliverFailure, writeRunFiles } from './deliver.js';
import { publishEarlyFailure } from './early-failure.js';
import { readEventTarget } from './event.js';
import { gatherMergeGroupChange, publishToMergeGroup } from './merge-group.js';
import { readSettings } from './inputs.js';
import { touchedPaths } from '../core/model.js';

/** Runs the action; the job's result is set through @actions/core (exit code 1 on failure). */
export async function run(): Promise<void> {
  try {
    const settings = readSettings((name) => core.getInput(name));
    core.setSecret(settings.token);
    const target = await readEventTarget(settings.eventName, settings.eventPath);
    if (target.kind === 'unsupported-event') {
      // A workflow wired to the wrong event: visible, but not a failed gate (there is no PR to gate).
      core.warning(target.message);
      return;
    }
    if (target.kind === 'unsupported-action') {
      core.notice(target.message);
      return;
    }
    const number = target.kind === 'merge-group' ? target.group.pull : target.number;
    if (target.kind === 'pull-request' && target.note) core.info(target.note);
    core.info(`gitops-gate ${VERSION} on Node ${process.version}: ${settings.eventName} (${target.action}) on ${settings.owner}/${settings.repo}#${number}`);

    // Every HTTP attempt, for the audit record (what the run cost against the token's rate limit).
    let apiRequests = 0;
    const gh = createGitHubClient({
      token: settings.token,
      baseUrl: settings.apiUrl,
      retryDelayMs: settings.retryDelayMs,
      writeIntervalMs: settings.writeIntervalMs,
      log: (m) => core.info(m),
      onAttempt: () => {
        apiRequests++;
      },
    });
    const where = { owner: settings.owner, repo: settings.repo, workspace: settings.workspace, serverUrl: settings.serverUrl, log: (m: string) => core.info(m) };
    let change = target.kind === 'merge-group' ? await gatherMergeGroupChange(gh, where, target.group) : await gatherChange(gh, { ...where, number });

    // The policy comes from the base side (a PR cannot loosen the policy that judges it).
    const changedPaths = touchedPaths(change);
    const resolved = await resolvePolicy(change.policyBase ?? change.base ?? change.head, settings.policy, changedPaths);
    // The last pusher is known only from an opened/synchronize event whose head is still the PR's head
    // (see pusherOf); otherwise the gate's earlier check runs on this head may name it (below), and when
    // nothing does, no approval counts (the review policy fails closed).
    if (change.pr && target.kind === 'pull-request' && target.pusher && target.pusher.headSha === change.headSha) change = { ...change, pr: { ...change.pr, lastPusher: target.pusher.login } };
    // The review policy's facts (CODEOWNERS, permissions, team members, break-glass), through the same
    // client, so the lookups get its retries and throttling.
    // The gate's own earlier check runs on this head say who pushed it when this event does not.
    const facts = await gatherReviewFacts(gh, `${settings.owner}/${settings.repo}`, change, resolved.policy, {
      checkName: settings.checkName,
      appSlug: settings.commentAuthor.replace(/\[bot\]$/i, ''),
    });
    change = facts.change;

    const render = { ...(settings.kustomize ? { kustomizeBinary: settings.kustomize } : {}), ...(settings.helm ? { helmBinary: settings.helm } : {}) };
    const report = await evaluate(change, { policyPath: settings.policy, failOn: settings.failOn, resolved, render });
    report.notes.push(...facts.notes);
    // The workflow (the PR's own on pull_request) asked for a looser fail-on than the policy allows.
    if (report.failOn !== settings.failOn) core.warning(report.notes.find((n) => n.includes('gate.failOn')) ?? `fail-on "${report.failOn}" applies (the policy's gate.failOn).`);

    const files = {
      reportFile: settings.reportFile,
      ...(settings.sarifFile ? { sarifFile: settings.sarifFile } : {}),
    };
    await writeRunFiles(report, { ...files, record: buildAuditRecord(report, change, { ...runContextFromEnv(), apiRequests }) });

    // Publishing is best effort: fork PRs get a read-only token, and `deliver` carries the verdict
    // (exit code, outputs, job summary, audit record) whatever GitHub refused.
    const url = runUrl();
    const publishing = target.kind === 'merge-group' ? await publishToMergeGroup(gh, report, { owner: settings.owner, repo: settings.repo, headSha: target.group.headSha, name: settings.checkName, ...(url ? { detailsUrl: url } : {}) }) : await publishToPullRequest(gh, report, {
      owner: settings.owner,
      repo: settings.repo,
      pull: number,
      checkName: settings.checkName,
      comment: settings.comment,
      commentAuthor: settings.commentAuthor,
      draftComment: settings.draftComment,
      ...(url ? { runUrl: url } : {}),
    });
    for (const line of publishing.info) core.info(`publish: ${line}`);
    for (const warning of publishing.warnings) core.warning(warning);

    await deliver(report, { ...files, publishing });
  } catch (err) {
    // A bug, not a user error: the stack goes to the log for the bug report.
    if (!(err instanceof GateError) && err instanceof Error && err.stack) core.info(err.stack);
    const message = err instanceof GateError ? err.message : `internal error: ${describeError(err)}`;
    // Nothing was published yet: a failing check run (when the token allows) keeps the required check
    // from sitting at "Expected" with no reason.
    await publishEarlyFailure(message);
    await deliverFailure(message);
  }
}
