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

/**
 * Finds the latest valid break-glass invocation.
 *
 * A label counts only while the PR carries it and when the latest `labeled` event for it was by a listed
 * user (labels can be applied by anyone with triage access, so the label alone proves nothing). When the
 * label events are unknown the label is not honoured. A comment counts when its first line starts with the
 * command, its author is listed, it gives a reason, and it was not edited after posting (an admin could have
 * put the words in a listed user's mouth).
 */
export function findBreakGlass(change: Change, bg: BreakGlass): BreakGlassResult {
  const notes: string[] = [];
  if (bg.users.length === 0 || !change.pr) return { notes };
  const allowed = new Set(bg.users.map(loginKey));
  const isAllowed = (login?: string) => !!login && allowed.has(loginKey(login));
  const found: Override[] = [];

  for (const label of bg.labels.filter((l) => change.pr!.labels.includes(l))) {
    if (!change.labelEvents) {
      notes.push(`The break-glass label "${label}" is present, but who applied it is unknown (no label events): it is not honoured.`);
      continue;
    }
    const last = change.labelEvents.filter((e) => e.label === label && e.action === 'labeled').at(-1);
    if (last && isAllowed(last.actor.login)) found.push({ by: last.actor.login!, reason: `label "${label}" applied`, via: 'label', at: last.createdAt });
    else notes.push(`The break-glass label "${label}" was applied by ${last?.actor.login ? `@${last.actor.login}` : 'an unknown user'}, who is not listed in review.breakGlass.users: it is not honoured.`);
  }

  if (bg.command) {
    for (const c of change.comments ?? []) {
      const first = c.body.replace(/^\s+/, '').split(/\r?\n/, 1)[0] ?? '';
      if (!first.startsWith(bg.command)) continue;
      const login = c.author.login;
      if (!isAllowed(login)) {
        notes.push(`A break-glass comment by ${login ? `@${login}` : 'an unknown user'} was ignored: only ${bg.users.map((u) => `@${u}`).join(', ')} may invoke break-glass.`);
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
      found.push({ by: login!, reason, via: 'comment', at: c.createdAt });
    }
  }
  found.sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
  const override = found.at(-1);
  return override ? { override, notes } : { notes };
}
