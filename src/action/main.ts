/**
 * The GitHub Action: read the inputs, gather the pull request, evaluate it, deliver the verdict.
 * One outer catch turns every error into a failed step with `verdict=fail`: the gate fails closed.
 */
import * as core from '@actions/core';
import { describeError, GateError } from '../core/errors.js';
import { evaluate } from '../engine/evaluate.js';
import { createGitHubClient } from '../github/client.js';
import { gatherChange } from '../github/gather.js';
import { resolvePolicy } from '../policy/load.js';
import { VERSION } from '../version.js';
import { deliver, deliverFailure } from './deliver.js';
import { readEventTarget } from './event.js';
import { readSettings } from './inputs.js';

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
    if (target.note) core.info(target.note);
    core.info(`gitops-gate ${VERSION} on Node ${process.version}: ${settings.eventName} (${target.action}) on ${settings.owner}/${settings.repo}#${target.number}`);

    const gh = createGitHubClient({ token: settings.token, baseUrl: settings.apiUrl, retryDelayMs: settings.retryDelayMs, log: (m) => core.info(m) });
    const change = await gatherChange(gh, {
      owner: settings.owner,
      repo: settings.repo,
      number: target.number,
      workspace: settings.workspace,
      serverUrl: settings.serverUrl,
      log: (m) => core.info(m),
    });

    // The policy comes from the base side (a PR cannot loosen the policy that judges it).
    const changedPaths = change.files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path]));
    const resolved = await resolvePolicy(change.base ?? change.head, settings.policy, changedPaths);
    // Seam for the review policy: once the policy is known, look up the people it needs
    // (github/directory.ts lookupDirectory) and set change.directory before evaluating.

    const report = await evaluate(change, { policyPath: settings.policy, failOn: settings.failOn, resolved });

    // Seam for publishing (check run, sticky comment per settings.comment, audit record): after
    // evaluation, with `gh`, `change` and `report`. Publishing must be best effort: fork PRs get a
    // read-only token, and `deliver` carries the verdict (exit code, summary, annotations) regardless.

    await deliver(report, settings.reportFile);
  } catch (err) {
    // A bug, not a user error: the stack goes to the log for the bug report.
    if (!(err instanceof GateError) && err instanceof Error && err.stack) core.info(err.stack);
    await deliverFailure(err instanceof GateError ? err.message : `internal error: ${describeError(err)}`);
  }
}
