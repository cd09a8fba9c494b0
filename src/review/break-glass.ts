/**
 * Break-glass: an audited emergency override. A user the policy lists applies a break-glass label, or
 * comments the break-glass command with a reason. The engine then turns a failing verdict into `pass`
 * with `report.override` recording who, why, how and when (see src/engine/evaluate.ts).
 */
import type { Change, Override } from '../core/model.js';
import { loginKey } from './reviewers.js';
import type { BreakGlass } from './settings.js';

/** The override invoked on the change, and notes on invocations that were not honoured. */
export interface BreakGlassResult {
  override?: Override;
  notes: string[];
}

/** True when `line` is exactly `command`, or `command` followed by a blank and more (the reason). */
function isCommand(line: string, command: string): boolean {
  return line === command || (line.startsWith(command) && /^[ \t]/.test(line.slice(command.length)));
}

/**
 * Finds the latest valid break-glass invocation.
 *
 * An override applies to the head commit it was given for (issue 13, item 10): a label's latest `labeled`
 * event and a comment must come after the gate's earliest record of the current head on this pull request
 * (`pr.headSeenAt`, see src/review/head-records.ts), so an override from before the latest push does not
 * pass what the push brought. When that time is unknown (no record yet: the first run on a new head), no
 * override is honoured; re-running the gate after the override is given applies it.
 *
 * A label counts only while the PR carries it and when the latest `labeled` event for it was by a listed
 * user (labels can be applied by anyone with triage access, so the label alone proves nothing). When the
 * label events are unknown the label is not honoured. A comment counts when its first line is the command
 * exactly, then a blank and a reason (`/gitops-gate break-glassy` is not the command), its author is listed,
 * and it was not edited after posting (an admin could have put the words in a listed user's mouth). The
 * pull request's author never breaks glass on it unless `breakGlass.allowAuthor` is true.
 */
export function findBreakGlass(change: Change, bg: BreakGlass): BreakGlassResult {
  const notes: string[] = [];
  const pr = change.pr;
  if (bg.users.length === 0 || !pr) return { notes };
  const allowed = new Set(bg.users.map(loginKey));
  const author = pr.author.login ? loginKey(pr.author.login) : undefined;
  const isAllowed = (login?: string) => !!login && allowed.has(loginKey(login));
  const isAuthor = (login?: string) => !bg.allowAuthor && !!login && loginKey(login) === author;
  const since = pr.headSeenAt;
  const head = change.headSha.slice(0, 7);
  /** Why an invocation at `at` does not apply to the current head, or `undefined` when it does. */
  const tooEarly = (at: string): string | undefined => {
    if (!since) return `the time the head commit ${head} was pushed is unknown (no earlier check run of the gate on it), so the override cannot be tied to this head; re-run the gate to apply it`;
    if (!(Date.parse(at) > Date.parse(since))) return `it was given before the head commit ${head} was pushed (the gate first saw that head at ${since}); an override applies only to the head it was given for: invoke it again`;
    return undefined;
  };
  const found: Override[] = [];

  for (const label of bg.labels.filter((l) => pr.labels.includes(l))) {
    if (!change.labelEvents) {
      notes.push(`The break-glass label "${label}" is present, but who applied it is unknown (no label events): it is not honoured.`);
      continue;
    }
    const last = change.labelEvents.filter((e) => e.label === label && e.action === 'labeled').at(-1);
    const by = last?.actor.login;
    if (!last || !isAllowed(by)) {
      notes.push(`The break-glass label "${label}" was applied by ${by ? `@${by}` : 'an unknown user'}, who is not listed in review.breakGlass.users: it is not honoured.`);
    } else if (isAuthor(by)) {
      notes.push(`The break-glass label "${label}" was applied by @${by}, the pull request's author (review.breakGlass.allowAuthor is false): it is not honoured.`);
    } else {
      const early = tooEarly(last.createdAt);
      if (early) notes.push(`The break-glass label "${label}" applied by @${by} is not honoured: ${early}.`);
      else found.push({ by: by!, reason: `label "${label}" applied`, via: 'label', at: last.createdAt });
    }
  }

  if (bg.command) {
    for (const c of change.comments ?? []) {
      const first = (c.body.replace(/^\s+/, '').split(/\r?\n/, 1)[0] ?? '').replace(/\s+$/, '');
      if (!first.startsWith(bg.command)) continue;
      const login = c.author.login;
      if (!isCommand(first, bg.command)) {
        notes.push(`A comment by ${login ? `@${login}` : 'an unknown user'} starts with "${first.slice(0, bg.command.length + 10)}", which is not the break-glass command "${bg.command}": it is not honoured.`);
        continue;
      }
      if (!isAllowed(login)) {
        notes.push(`A break-glass comment by ${login ? `@${login}` : 'an unknown user'} was ignored: only ${bg.users.map((u) => `@${u}`).join(', ')} may invoke break-glass.`);
        continue;
      }
      if (isAuthor(login)) {
        notes.push(`A break-glass comment by @${login}, the pull request's author, was ignored: the author cannot break glass on their own change (review.breakGlass.allowAuthor is false).`);
        continue;
      }
      if (c.updatedAt && c.updatedAt !== c.createdAt) {
        notes.push(`A break-glass comment by @${login} was edited after it was posted (anyone with admin rights can edit comments): it is not honoured; post a new comment.`);
        continue;
      }
      const reason = first.slice(bg.command.length).trim();
      if (!reason) {
        notes.push(`A break-glass comment by @${login} gives no reason after "${bg.command}": it is not honoured.`);
        continue;
      }
      const early = tooEarly(c.createdAt);
      if (early) {
        notes.push(`A break-glass comment by @${login} is not honoured: ${early}.`);
        continue;
      }
      found.push({ by: login!, reason, via: 'comment', at: c.createdAt });
    }
  }
  found.sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
  const override = found.at(-1);
  return override ? { override, notes } : { notes };
}
