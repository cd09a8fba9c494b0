/**
 * The summary's Description section: each requirement's state, what was found and what is missing,
 * whether the PR is a draft, and for a revert a link to the PR it reverts. All PR text is escaped.
 */
import type { Report } from '../core/model.js';
import type { DescriptionDetails } from '../description/check.js';
import type { RequirementState } from '../description/requirements.js';
import { cell, escapeMarkdown } from './escape.js';

const ICON: Record<RequirementState, string> = { passed: '✅ passed', failed: '❌ failed', skipped: '⏭️ skipped' };

function isDetails(v: unknown): v is DescriptionDetails {
  return typeof v === 'object' && v !== null && Array.isArray((v as DescriptionDetails).requirements);
}

/** Only http(s) URLs become links; anything else is shown as text. */
function safeUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\/[^\s()<>]+$/.test(url) ? url : undefined;
}

/** Renders `report.details.description`, or nothing when the area did not run. */
export function renderDescriptionSection(report: Report, h: string): string | undefined {
  const d = report.details.description;
  if (!isDetails(d)) return undefined;
  const out = [`${h} Description`, ''];
  if (!d.evaluated) {
    out.push(`_Not evaluated: ${escapeMarkdown(d.reason ?? 'no pull request data')}._`);
    return out.join('\n');
  }
  if (d.draft) {
    out.push(
      d.draftsBlock
        ? '> **Draft PR.** Evaluated as if ready for review; its failures block.'
        : '> **Draft PR.** Evaluated, but its failures do not block until it is ready for review (policy `drafts: report`).',
      '',
    );
  }
  if (d.revert) {
    const r = d.revert;
    const url = safeUrl(r.url);
    const target = r.number !== undefined ? `${r.repository ? escapeMarkdown(r.repository) : ''}#${r.number}` : r.revertedTitle !== undefined ? `“${escapeMarkdown(r.revertedTitle)}”` : 'an earlier change';
    const how = r.source === 'body' ? 'its body names the reverted PR' : 'its title starts with “Revert”';
    out.push(`> **Revert** of ${url ? `[${target}](${url})` : target} (${how}). It must carry what the policy asks of reverts (description.reverts).`, '');
  }
  for (const c of d.conditions ?? []) out.push(`- Conditional requirement **${escapeMarkdown(c.name)}** applies: ${escapeMarkdown(c.because.join('; '))}.`);
  if (d.conditions?.length) out.push('');
  out.push('| Requirement | State | Found | Missing, or why not required |', '| --- | --- | --- | --- |');
  for (const r of d.requirements) {
    // A skipped requirement's `missing` says why it does not apply.
    const missing = cell(r.missing ?? '', r.state === 'skipped' ? 300 : 600);
    const found = cell(r.found ?? '', 300);
    out.push(`| ${cell(r.name, 200)} | ${ICON[r.state]} | ${found} | ${missing} |`);
  }
  if (d.templates?.length) out.push('', `<sub>Compared with the PR template(s): ${d.templates.map((t) => escapeMarkdown(t)).join(', ')}</sub>`);
  return out.join('\n');
}
