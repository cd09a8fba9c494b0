/**
 * Which webhook events the gate evaluates, and the pull request number they name. The payload is only
 * used for the event's action and the PR number: the PR itself is re-read from the API, since the
 * payload is stale on re-runs.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';

/** Event names and the `action` values of each that the gate evaluates. */
export const SUPPORTED_EVENTS: Readonly<Record<string, readonly string[]>> = {
  pull_request: ['opened', 'synchronize', 'reopened', 'edited', 'ready_for_review'],
  pull_request_target: ['opened', 'synchronize', 'reopened', 'edited', 'ready_for_review'],
  pull_request_review: ['submitted', 'edited', 'dismissed'],
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
  | { kind: 'pull-request'; number: number; action: string; note?: string }
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
  const pr = p.pull_request as Record<string, unknown> | undefined;
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
  return { kind: 'pull-request', number, action };
}
