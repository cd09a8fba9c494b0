/**
 * The summary's review section: one row per requirement (state, who may approve, who counted), then every
 * approval with what it counted for or why it did not count. Reads `report.details.review`
 * ({@link ReviewDetails}); logins and reasons are escaped, mentions are neutralised.
 */
import type { Report } from '../core/model.js';
import type { ReviewDetails } from '../review/details.js';
import { cell, code, escapeMarkdown } from './escape.js';
import type { SectionOutput } from './sections.js';

const STATE: Record<string, string> = { passed: '✅ satisfied', pending: '⏳ pending', failed: '❌ failed' };

const at = (login: string) => escapeMarkdown(`@${login}`);

/**
 * Renders `report.details.review`, or `undefined` when the review area did not run. The compact form (for
 * size-limited summaries) keeps the requirements and drops the per-approval table.
 */
export function reviewSection(report: Report, h: string): SectionOutput {
  const d = report.details.review as ReviewDetails | undefined;
  if (!d) return undefined;
  const out: string[] = [`${h} Approvals`, ''];
  out.push(
    `Approvals count on the head commit ${code(d.headSha.slice(0, 7))}, from the reviewer's latest review, with ${escapeMarkdown(d.minimumPermission)} access or more, from someone who did not take part in the change.${d.distinctApprovers ? ' One approver counts for one requirement only (distinct approvers).' : ''}`,
    '',
  );
  if (d.exclusionsOff.length) out.push(`> ⚠️ Separation of duties is relaxed by the policy: ${d.exclusionsOff.map((e) => code(e)).join(', ')} may approve.`, '');
  if (d.changesRequested.length) {
    out.push(`**Changes requested** by ${d.changesRequested.map((c) => `${at(c.reviewer)} (on ${code(c.commitId.slice(0, 7))})`).join(', ')}: this blocks until they approve or their review is dismissed.`, '');
  }
  if (d.requirements.length) {
    out.push('| Requirement | State | Approvals | Counted | Who may approve | What is missing |', '| --- | --- | --- | --- | --- | --- |');
    for (const r of d.requirements) {
      const name = r.paths ? `${cell(r.name)} (${cell(r.paths.join(', '), 200)})` : cell(r.name);
      out.push(`| ${name} | ${STATE[r.state] ?? r.state} | ${r.counted.length}/${r.required} | ${r.counted.map(at).join(', ') || '-'} | ${cell(r.eligible, 200)} | ${r.reason ? cell(r.reason, 400) : ''} |`);
    }
    out.push('');
  } else {
    out.push('_No approval requirement applies to this change._', '');
  }
  if (d.skipped.length) out.push(`Rules that do not apply: ${d.skipped.map((s) => `${cell(s.name)} (${cell(s.reason, 200)})`).join('; ')}.`, '');
  if (d.codeowners.mode !== 'off') {
    out.push(`CODEOWNERS (${code(d.codeowners.mode)}): ${d.codeowners.path ? code(d.codeowners.path) : 'none'} on the base branch, ${escapeMarkdown(d.codeowners.state)}${d.codeowners.unowned?.length ? `; paths without owners: ${cell(d.codeowners.unowned.join(', '), 300)}` : ''}.`, '');
  }
  const head = out.length;
  if (d.approvals.length) {
    out.push('| Reviewer | Review | Counted for | Did not count because |', '| --- | --- | --- | --- |');
    for (const a of d.approvals) {
      const when = `${code(a.commitId.slice(0, 7) || '?')}${a.submittedAt ? ` ${escapeMarkdown(a.submittedAt)}` : ''}`;
      out.push(`| ${at(a.reviewer)} | ${when} | ${a.countedFor.map((n) => cell(n)).join(', ') || '-'} | ${a.reasons.map((r) => cell(r.text, 200)).join('; ')} |`);
    }
    out.push('');
  } else {
    out.push('_No approvals yet._', '');
  }
  if (d.unlinked.length) {
    out.push(`> Commit identities without a GitHub login cannot be matched to reviewers: ${d.unlinked.map((u) => `${cell(u.who, 120)} (${u.role})`).join(', ')}.`, '');
  }
  const counted = d.approvals.filter((a) => a.counted).length;
  const compact = [...out.slice(0, head), `${counted} approval(s) counted, ${d.approvals.length - counted} did not; the reasons are in the full report.`];
  return { full: out.join('\n').trimEnd(), compact: compact.join('\n').trimEnd() };
}

/** The review area for the terminal: each requirement that is not met, and each approval that did not count. */
export function reviewTextSection(report: Report): string[] {
  const d = report.details.review as ReviewDetails | undefined;
  if (!d) return [];
  const out: string[] = [];
  if (d.exclusionsOff.length) out.push(`review: separation of duties relaxed by the policy: ${d.exclusionsOff.join(', ')}`);
  for (const r of d.requirements) {
    out.push(`review: ${r.name}: ${r.state} (${r.counted.length}/${r.required})${r.counted.length ? ` counted ${r.counted.map((l) => `@${l}`).join(', ')}` : ''}${r.reason ? `: ${r.reason}` : ''}`);
  }
  for (const a of d.approvals) if (!a.counted) out.push(`review: approval by @${a.reviewer} did not count: ${a.reason}`);
  return out;
}
