/**
 * What stands between a change and a passing verdict, in words: the new findings that block, the
 * requirements that failed (whose approval, which description section: the rules' reasons say so),
 * and what is still pending. Shared by the summary and the PR comment, so both say the same thing.
 */
import type { Finding, Report } from '../core/model.js';
import { atLeast } from '../core/model.js';
import { lineUrl } from './links.js';
import { code, type Inline, link, text, untrusted } from './md.js';

/** English plural: `plural(1, 'file')` is `1 file`, `plural(2, 'file')` is `2 files`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** New findings that decide a `fail` verdict under the report's `failOn`. */
export function blockingFindings(report: Report): Finding[] {
  const threshold = report.failOn;
  if (threshold === 'never') return [];
  return report.findings.filter((f) => f.status === 'new' && atLeast(f.severity, threshold));
}

/** The blockers, as the inline content of list items (see ./md.ts `list`). */
export interface Blockers {
  /** New findings that make the verdict fail, grouped per rule. */
  blocks: Inline[][];
  /** Requirements not met (whose approval, which description section: the rule's reason) and pending ones. */
  missing: Inline[][];
}

/**
 * Lists what blocks and what is missing. Findings are grouped per rule, naming the first location
 * with a link; requirements are named with their reason.
 * @param maxItems - at most this many items per list; the rest is summed up in a last item
 */
export function describeBlockers(report: Report, maxItems = 20): Blockers {
  const blocks: Inline[][] = [];
  const byRule = new Map<string, Finding[]>();
  for (const f of blockingFindings(report)) {
    const same = byRule.get(f.rule);
    if (same) same.push(f);
    else byRule.set(f.rule, [f]);
  }
  for (const [rule, fs] of byRule) {
    const first = fs[0]!;
    const url = lineUrl(report, first.file, first.line);
    const where = untrusted(`${first.file}:${first.line}`);
    const at = url ? link(url, where) : where;
    const more = fs.length > 1 ? ` and ${plural(fs.length - 1, 'more place')}` : '';
    blocks.push([code(rule), text(`: ${plural(fs.length, `new ${first.severity}`)} at `), at, text(`${more}: `), untrusted(first.message, 300)]);
  }
  const missing: Inline[][] = [];
  for (const r of report.rules) {
    const why = untrusted(r.reason ?? r.title, 400);
    if (r.state === 'failed' && r.blocking) missing.push([code(r.rule), text(': '), why]);
    else if (r.state === 'pending') missing.push([code(r.rule), text(' (pending): '), why]);
  }
  return { blocks: cap(blocks, maxItems), missing: cap(missing, maxItems) };
}

function cap(items: Inline[][], max: number): Inline[][] {
  return items.length <= max ? items : [...items.slice(0, max), [text(`…and ${items.length - max} more (see the full report)`)]];
}
