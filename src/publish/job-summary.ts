/**
 * The job summary: the full Markdown summary, within GitHub's 1 MiB per step, followed by what
 * publishing did not do (a stale head, writes GitHub refused). The job summary is written by the
 * runner from a file, so it arrives even when the token can write nothing.
 */
import type { Report } from '../core/model.js';
import { LIMITS, measure, truncate } from '../report/limits.js';
import { renderMarkdown } from '../report/markdown.js';
import type { PublishOutcome } from './publish.js';

/** Where the full report is, from the job summary's point of view. */
export const JOB_SUMMARY_FULL_REPORT = 'the full report is in the audit record (`report-file`; upload it as an artifact to keep it)';

/** Our own messages keep their code spans; GitHub's error text in them must not inject HTML or mentions. */
function inline(text: string): string {
  return truncate(text, { max: 2000, unit: 'chars' })
    .replace(/\r?\n/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=\w)/g, '@\u200b');
}

/** What the job summary says besides the report. */
export interface JobSummaryExtras {
  /** Notes of the run itself (for example how many findings did not fit in workflow annotations), as Markdown. */
  notes?: string[];
}

/**
 * The job summary for `report`, with the run's notes and a "Publishing" section listing refusals and a
 * stale head. This is the only renderer of the job summary (src/action/deliver.ts writes it).
 * @returns Markdown of at most 1 MiB (UTF-8 bytes)
 */
export function renderJobSummary(report: Report, outcome?: Pick<PublishOutcome, 'stale' | 'warnings'>, extras: JobSummaryExtras = {}): string {
  const lines: string[] = [];
  for (const note of extras.notes ?? []) lines.push(`> ${note}`, '');
  const notes = outcome ? [...new Set([...(outcome.stale ? [outcome.stale] : []), ...outcome.warnings])] : [];
  if (notes.length) {
    lines.push('### Publishing', '', ...notes.map((n) => `- ⚠️ ${inline(n)}`), '');
  }
  const tail = lines.join('\n');
  const max = LIMITS.jobSummaryBytes - measure(tail, 'bytes') - 2;
  return renderMarkdown(report, { budget: { max, unit: 'bytes' }, fullReport: JOB_SUMMARY_FULL_REPORT }) + (tail ? `\n${tail}` : '');
}
