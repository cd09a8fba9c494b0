/**
 * The summary's review section: one row per requirement (state, who may approve, who counted), then every
 * approval with what it counted for or why it did not count. Reads `report.details.review`
 * ({@link ReviewDetails}); logins and reasons are escaped, mentions are neutralised.
 */
import type { Report } from '../core/model.js';
import type { ReviewDetails } from '../review/details.js';
import type { RootContent } from 'mdast';
import { code, emphasis, heading, type Inline, join, login, paragraph, quote, serialize, strong, table, text, untrusted } from './md.js';
import type { SectionOutput } from './section-types.js';

const STATE: Record<string, string> = { passed: '✅ satisfied', pending: '⏳ pending', failed: '❌ failed' };

/**
 * Renders `report.details.review`, or `undefined` when the review area did not run. The compact form (for
 * size-limited summaries) keeps the requirements and drops the per-approval table.
 */
export function reviewSection(report: Report, h: string): SectionOutput {
  const d = report.details.review as ReviewDetails | undefined;
  if (!d) return undefined;
  const out: RootContent[] = [heading(h.length, text('Approvals'))];
  out.push(
    paragraph(
      text('Approvals count on the head commit '),
      code(d.headSha.slice(0, 7)),
      text(", from the reviewer's latest review, with "),
      untrusted(d.minimumPermission),
      text(` access or more, from someone who did not take part in the change.${d.distinctApprovers ? ' One approver counts for one requirement only (distinct approvers).' : ''}`),
    ),
  );
  if (d.exclusionsOff.length) out.push(quote(text('⚠️ Separation of duties is relaxed by the policy: '), join(d.exclusionsOff.map((e) => code(e)), ', '), text(' may approve.')));
  if (d.changesRequested.length) {
    const who = d.changesRequested.map((c) => [login(c.reviewer), text(' (on '), code(c.commitId.slice(0, 7)), text(')')]);
    out.push(paragraph(strong(text('Changes requested')), text(' by '), join(who, ', '), text(': this blocks until they approve or their review is dismissed.')));
  }
  if (d.requirements.length) {
    const rows = d.requirements.map((r): Inline[] => [
      r.paths ? [untrusted(r.name, 500), text(' ('), untrusted(r.paths.join(', '), 200), text(')')] : untrusted(r.name, 500),
      text(STATE[r.state] ?? r.state),
      text(`${r.counted.length}/${r.required}`),
      r.counted.length ? join(r.counted.map(login), ', ') : text('-'),
      untrusted(r.eligible, 200),
      r.reason ? untrusted(r.reason, 400) : [],
    ]);
    out.push(table(['Requirement', 'State', 'Approvals', 'Counted', 'Who may approve', 'What is missing'], rows));
  } else {
    out.push(paragraph(emphasis(text('No approval requirement applies to this change.'))));
  }
  if (d.skipped.length) out.push(paragraph(text('Rules that do not apply: '), join(d.skipped.map((s) => [untrusted(s.name, 500), text(' ('), untrusted(s.reason, 200), text(')')]), '; '), text('.')));
  if (d.codeowners.mode !== 'off') {
    const c = d.codeowners;
    out.push(
      paragraph(
        text('CODEOWNERS ('),
        code(c.mode),
        text('): '),
        c.path ? code(c.path) : text('none'),
        text(' on the base branch, '),
        untrusted(c.state),
        c.unowned?.length ? [text('; paths without owners: '), untrusted(c.unowned.join(', '), 300)] : [],
        text('.'),
      ),
    );
  }
  const head = out.length;
  if (d.approvals.length) {
    const rows = d.approvals.map((a): Inline[] => [
      login(a.reviewer),
      [code(a.commitId.slice(0, 7) || '?'), a.submittedAt ? [text(' '), untrusted(a.submittedAt)] : []],
      a.countedFor.length ? join(a.countedFor.map((n) => untrusted(n, 500)), ', ') : text('-'),
      join(a.reasons.map((r) => untrusted(r.text, 200)), '; '),
    ]);
    out.push(table(['Reviewer', 'Review', 'Counted for', 'Did not count because'], rows));
  } else {
    out.push(paragraph(emphasis(text('No approvals yet.'))));
  }
  if (d.unlinked.length) {
    out.push(quote(text('Commit identities without a GitHub login cannot be matched to reviewers: '), join(d.unlinked.map((u) => [untrusted(u.who, 120), text(` (${u.role})`)]), ', '), text('.')));
  }
  const counted = d.approvals.filter((a) => a.counted).length;
  const compact = [...out.slice(0, head), paragraph(text(`${counted} approval(s) counted, ${d.approvals.length - counted} did not; the reasons are in the full report.`))];
  return { full: serialize(out), compact: serialize(compact) };
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
