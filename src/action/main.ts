/**
 * The GitHub Action, in four steps, each a log group: gather the change (src/action/gather.ts), evaluate it,
 * publish the result to GitHub (check run, sticky comment; best effort), deliver the verdict (annotations,
 * audit record, SARIF, outputs, job summary; src/action/deliver.ts). One outer catch turns every error
 * before delivery into a failed step with `verdict=fail`: the gate fails closed.
 */
import * as core from '@actions/core';
import { evaluate } from '../composition.js';
import { BUG_REPORT, describeError, GateError } from '../core/errors.js';
import type { Report } from '../core/model.js';
import { runUrl } from '../publish/comment.js';
import { publishToPullRequest, type PublishOutcome } from '../publish/publish.js';
import { buildAuditRecord, runContextFromEnv } from '../report/audit-record.js';
import { VERSION } from '../version.js';
import { deliver, deliverFailure, writeRunFiles } from './deliver.js';
import { publishEarlyFailure } from './early-failure.js';
import { readEventTarget } from './event.js';
import { gatherForAction, pullNumber, type GatheredRun, type GatedTarget } from './gather.js';
import { readSettings, type Settings } from './inputs.js';
import { publishToMergeGroup } from './merge-group.js';

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
    if (target.kind === 'pull-request' && target.note) core.info(target.note);
    core.info(`gitops-gate ${VERSION} on Node ${process.version}: ${settings.eventName} (${target.action}) on ${settings.owner}/${settings.repo}#${pullNumber(target)}`);

    const run = await core.group('Gather the change', () => gatherForAction(settings, target, (m) => core.info(m)));
    const report = await core.group('Evaluate', () => evaluateForAction(run, settings));
    const files = { reportFile: settings.reportFile, ...(settings.sarifFile ? { sarifFile: settings.sarifFile } : {}) };
    await writeRunFiles(report, { ...files, record: buildAuditRecord(report, run.change, { ...runContextFromEnv(), apiRequests: run.apiRequests() }) });
    const publishing = await core.group('Publish', () => publish(run, report, settings, target));
    await deliver(report, { ...files, publishing });
  } catch (err) {
    // A bug, not a user error: the stack goes to the log for the bug report.
    if (!(err instanceof GateError) && err instanceof Error && err.stack) core.info(err.stack);
    const message = err instanceof GateError ? err.message : `internal error: ${describeError(err)}. ${BUG_REPORT}`;
    // Nothing was published yet: a failing check run (when the token allows) keeps the required check
    // from sitting at "Expected" with no reason.
    await publishEarlyFailure(message);
    await deliverFailure(message);
  }
}

/** Evaluates the gathered change under the base side's policy; the review lookups' notes join the report's. */
async function evaluateForAction(run: GatheredRun, settings: Settings): Promise<Report> {
  const render = { ...(settings.kustomize ? { kustomizeBinary: settings.kustomize } : {}), ...(settings.helm ? { helmBinary: settings.helm } : {}) };
  const report = await evaluate(run.change, { policyPath: settings.policy, failOn: settings.failOn, resolved: run.resolved, render });
  report.notes.push(...run.notes);
  // The workflow (the PR's own on pull_request) asked for a looser fail-on than the policy allows.
  if (report.failOn !== settings.failOn) core.warning(report.notes.find((n) => n.includes('gate.failOn')) ?? `fail-on "${report.failOn}" applies (the policy's gate.failOn).`);
  return report;
}

/**
 * Publishes the report: the check run on the merge group's head, or the check run and sticky comment of the
 * PR. Best effort: fork PRs get a read-only token, and `deliver` carries the verdict whatever GitHub refused.
 */
async function publish(run: GatheredRun, report: Report, settings: Settings, target: GatedTarget): Promise<PublishOutcome> {
  const url = runUrl();
  const publishing =
    target.kind === 'merge-group'
      ? await publishToMergeGroup(run.gh, report, { owner: settings.owner, repo: settings.repo, headSha: target.group.headSha, name: settings.checkName, ...(url ? { detailsUrl: url } : {}) })
      : await publishToPullRequest(run.gh, report, {
          owner: settings.owner,
          repo: settings.repo,
          pull: target.number,
          checkName: settings.checkName,
          comment: settings.comment,
          commentAuthor: settings.commentAuthor,
          draftComment: settings.draftComment,
          ...(url ? { runUrl: url } : {}),
        });
  for (const line of publishing.info) core.info(`publish: ${line}`);
  for (const warning of publishing.warnings) core.warning(warning);
  return publishing;
}
