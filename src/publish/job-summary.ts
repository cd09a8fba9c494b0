/**
 * The job summary: the full Markdown summary, within GitHub's 1 MiB per step, followed by what
 * publishing did not do (a stale head, writes GitHub refused). The job summary is written by the
 * runner from a file, so it arrives even when the token can write nothing.
 */
import type { RootContent } from 'mdast';
import type { Report } from '../core/model.js';
import { LIMITS, measure, truncate } from '../report/limits.js';
import { renderMarkdown } from '../report/markdown.js';
import { heading, list, ownMarkdown, quote, serialize, text } from '../report/md.js';
import type { PublishOutcome } from './publish.js';

/** Where the full report is, from the job summary's point of view. */
export const JOB_SUMMARY_FULL_REPORT = 'the full report is in the audit record (`report-file`; upload it as an artifact to keep it)';

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
  // Our own messages keep their code spans and links; GitHub's error text in them must not inject HTML or mentions.
  const nodes: RootContent[] = (extras.notes ?? []).map((note) => quote(ownMarkdown(note)));
  const notes = outcome ? [...new Set([...(outcome.stale ? [outcome.stale] : []), ...outcome.warnings])] : [];
  if (notes.length) nodes.push(heading(3, text('Publishing')), list(notes.map((n) => [text('⚠️ '), ownMarkdown(truncate(n, { max: 2000, unit: 'chars' }))])));
  const tail = nodes.length ? `${serialize(nodes)}\n` : '';
  const max = LIMITS.jobSummaryBytes - measure(tail, 'bytes') - 2;
  return renderMarkdown(report, { budget: { max, unit: 'bytes' }, fullReport: JOB_SUMMARY_FULL_REPORT }) + (tail ? `\n${tail}` : '');
}
