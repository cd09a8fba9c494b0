/**
 * The summary's Description section: each requirement's state, what was found and what is missing,
 * whether the PR is a draft, and for a revert a link to the PR it reverts. All PR text is escaped.
 */
import type { Report } from '../core/model.js';
import type { DescriptionDetails } from '../description/check.js';
import type { RequirementState } from '../description/requirements.js';
import type { RootContent } from 'mdast';
import { code, emphasis, heading, html, httpLink, type Inline, list, paragraph, quote, serialize, strong, table, text, untrusted } from './md.js';

const ICON: Record<RequirementState, string> = { passed: '✅ passed', failed: '❌ failed', skipped: '⏭️ skipped' };

function isDetails(v: unknown): v is DescriptionDetails {
  return typeof v === 'object' && v !== null && Array.isArray((v as DescriptionDetails).requirements);
}

/** Renders `report.details.description`, or nothing when the area did not run. */
export function renderDescriptionSection(report: Report, h: string): string | undefined {
  const d = report.details.description;
  if (!isDetails(d)) return undefined;
  const out: RootContent[] = [heading(h.length, text('Description'))];
  if (!d.evaluated) {
    out.push(paragraph(emphasis(text('Not evaluated: '), untrusted(d.reason ?? 'no pull request data'), text('.'))));
    return serialize(out);
  }
  if (d.draft) {
    out.push(
      d.draftsBlock
        ? quote(strong(text('Draft PR.')), text(' Evaluated as if ready for review; its failures block.'))
        : quote(strong(text('Draft PR.')), text(' Evaluated, but its failures do not block until it is ready for review (policy '), code('drafts: report'), text(').')),
    );
  }
  if (d.revert) {
    const r = d.revert;
    const target: Inline =
      r.number !== undefined ? untrusted(`${r.repository ?? ''}#${r.number}`) : r.revertedTitle !== undefined ? [text('“'), untrusted(r.revertedTitle), text('”')] : text('an earlier change');
    const how = r.source === 'body' ? 'its body names the reverted PR' : 'its title starts with “Revert”';
    out.push(quote(strong(text('Revert')), text(' of '), httpLink(r.url, target), text(` (${how}). It must carry what the policy asks of reverts (description.reverts).`)));
  }
  if (d.conditions?.length) {
    out.push(list(d.conditions.map((c) => [text('Conditional requirement '), strong(untrusted(c.name)), text(' applies: '), untrusted(c.because.join('; ')), text('.')])));
  }
  const rows = d.requirements.map((r): Inline[] => [
    untrusted(r.name, 200),
    text(ICON[r.state]),
    untrusted(r.found ?? '', 300),
    // A skipped requirement's `missing` says why it does not apply.
    untrusted(r.missing ?? '', r.state === 'skipped' ? 300 : 600),
  ]);
  out.push(table(['Requirement', 'State', 'Found', 'Missing, or why not required'], rows));
  if (d.templates?.length) out.push(paragraph(html('<sub>'), text('Compared with the PR template(s): '), untrusted(d.templates.join(', ')), html('</sub>')));
  return serialize(out);
}
