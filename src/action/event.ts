/**
 * Which webhook events the gate evaluates, and the pull request number they name. The payload is only
 * used for the event's action and the PR number: the PR itself is re-read from the API, since the
 * payload is stale on re-runs.
 */
import { pusherOf, type Pusher } from '../sources/webhook.js';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { mergeGroupOf, type MergeGroup } from './merge-group.js';

/** Event names and the `action` values of each that the gate evaluates. */
export const SUPPORTED_EVENTS: Readonly<Record<string, readonly string[]>> = {
  pull_request: ['opened', 'synchronize', 'reopened', 'edited', 'ready_for_review'],
  pull_request_target: ['opened', 'synchronize', 'reopened', 'edited', 'ready_for_review'],
  pull_request_review: ['submitted', 'edited', 'dismissed'],
  // A break-glass command or its removal: the PR is re-evaluated and the result published on its head.
  issue_comment: ['created', 'edited', 'deleted'],
  // A merge queue asks for the required checks on the group's head commit (see merge-group.ts).
  merge_group: ['checks_requested'],
};

/**
 * The outcome of reading the event: a PR to evaluate, or why the run does nothing.
 *
 * Other actions of the pull request events (`labeled`, `assigned`, ...) are evaluated too, with a note:
 * a run that checked nothing would succeed, and its success on the PR's head commit, under the gate's
 * check name, could turn a failed required check green. Only `closed` is skipped: there is nothing left
 * to gate.
 */
export type EventTarget =
  | { kind: 'pull-request'; number: number; action: string; note?: string; pusher?: Pusher }
  | { kind: 'merge-group'; group: MergeGroup; action: string }
  | { kind: 'unsupported-event'; message: string }
  | { kind: 'unsupported-action'; message: string };

/**
 * Reads the event payload and decides what to do.
 * @param eventName `GITHUB_EVENT_NAME`
 * @param eventPath `GITHUB_EVENT_PATH`
 * @throws {UsageError} when the payload of a supported event cannot be read or names no pull request
 */
export async function readEventTarget(eventName: string, eventPath: string): Promise<EventTarget> {
  const actions = SUPPORTED_EVENTS[eventName];
  if (!actions) {
    return {
      kind: 'unsupported-event',
      message:
        `gitops-gate evaluates pull requests; the "${eventName}" event has none, so nothing was checked. ` +
        `Trigger the workflow on ${Object.keys(SUPPORTED_EVENTS).join(', ')}.`,
    };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(await readFile(eventPath, 'utf8'));
  } catch (err) {
    throw new UsageError(`Cannot read the ${eventName} event payload at ${eventPath}: ${(err as Error).message}`);
  }
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const action = typeof p.action === 'string' ? p.action : '';
  if (action === 'closed') {
    return { kind: 'unsupported-action', message: `The pull request was closed: gitops-gate has nothing to gate, so nothing was checked.` };
  }
  if (eventName === 'merge_group') {
    if (!actions.includes(action)) return { kind: 'unsupported-action', message: `merge_group events with action "${action}" ask for no checks, so nothing was checked.` };
    return { kind: 'merge-group', group: mergeGroupOf(p, eventPath), action };
  }
  let pr = p.pull_request as Record<string, unknown> | undefined;
  if (eventName === 'issue_comment') {
    // Comments on pull requests and on plain issues share the event; only the former carry issue.pull_request.
    const issue = p.issue as Record<string, unknown> | undefined;
    if (!issue?.pull_request) return { kind: 'unsupported-action', message: `The comment is on issue #${String(issue?.number ?? '?')}, not on a pull request: nothing was checked.` };
    pr = issue;
  }
  const number = pr?.number;
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) {
    throw new UsageError(`The ${eventName} event payload at ${eventPath} has no pull_request.number.`);
  }
  if (!actions.includes(action)) {
    return {
      kind: 'pull-request',
      number,
      action,
      note: `"${eventName}" events with action "${action}" are not among the triggers gitops-gate needs (${actions.join(', ')}); the pull request is evaluated anyway, so this run's result is a real verdict.`,
    };
  }
  const pusher = pusherOf(eventName, action, p);
  return { kind: 'pull-request', number, action, ...(pusher ? { pusher } : {}) };
}
