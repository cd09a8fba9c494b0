/**
 * The audit report's formats: JSON (docs/audit-report.schema.json), CSV (one row per change, RFC 4180)
 * and Markdown (exceptions first, then the changes). Markdown is an mdast tree serialised by
 * src/report/md.ts, which escapes text from PRs and commits; CSV neutralises it. Neither can be made to
 * forge rows, links, mentions or formulas.
 */
import type { RootContent } from 'mdast';
import { code, heading, httpLink, type Inline, join, list, paragraph, serialize, table, text, untrusted } from '../report/md.js';
import { EXCEPTION_KINDS, type AuditChange, type AuditReport } from './model.js';

/** The report as JSON text (two-space indented, with a final newline). */
export function renderJson(report: AuditReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, with quotes doubled. A field
 * a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR, OWASP "CSV Injection")
 * is prefixed with `'`.
 */
export function csvField(value: string | number | boolean | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV columns, in order: what an auditor filters on. */
export const CSV_COLUMNS = [
  'merged_at',
  'commit',
  'method',
  'pr',
  'pr_url',
  'title',
  'author',
  'committers',
  'co_authors',
  'approvers',
  'valid_approvers',
  'gate_conclusion',
  'gate_check_run',
  'audit_record',
  'override_by',
  'override_reason',
  'ticket',
  'reason',
  'rollback',
  'labels',
  'applications',
  'manifests',
  'reverts',
  'exception_count',
  'exceptions',
  'exception_details',
  'weekend',
  'sampled',
] as const;

function row(c: AuditChange, sampled: Set<string>): (string | number | boolean | null)[] {
  const day = new Date(c.mergedAt).getUTCDay();
  const kinds = [...new Set(c.exceptions.map((e) => e.kind))];
  return [
    c.mergedAt,
    c.commit,
    c.method,
    c.pr?.number ?? null,
    c.pr?.url ?? null,
    c.pr?.title ?? c.subject,
    c.author,
    c.committers.join('; '),
    c.coAuthors.join('; '),
    c.approvers.map((a) => `${a.login} (${a.permission})`).join('; '),
    c.approvers.filter((a) => a.valid).map((a) => a.login).join('; '),
    c.gate.conclusion,
    c.gate.checkRunUrl,
    c.gate.auditRecordUrl,
    c.override?.by ?? null,
    c.override?.reason ?? null,
    c.ticket,
    c.reason,
    c.rollback,
    c.labels.join('; '),
    c.applications.join('; '),
    c.manifests.join('; '),
    c.reverts ? (c.reverts.pr !== null ? `#${c.reverts.pr}` : (c.reverts.commit ?? '')) : null,
    c.exceptions.length,
    kinds.join('; '),
    c.exceptions.map((e) => `${e.kind}: ${e.detail}`).join('\n'),
    day === 0 || day === 6,
    sampled.has(c.commit),
  ];
}

/** The report as CSV: a header row, then one row per change, CRLF line ends (RFC 4180). */
export function renderCsv(report: AuditReport): string {
  const sampled = new Set(report.sample?.commits ?? []);
  const lines = [CSV_COLUMNS.join(','), ...report.changes.map((c) => row(c, sampled).map(csvField).join(','))];
  return lines.join('\r\n') + '\r\n';
}

function prRef(c: AuditChange): Inline {
  return c.pr ? httpLink(c.pr.url, text(`#${c.pr.number}`)) : text('direct push');
}

const short = (sha: string) => code(sha.slice(0, 12));

/** The kinds of a change's exceptions, each once, in order. */
const kindsOf = (c: AuditChange) => [...new Set(c.exceptions.map((e) => e.kind))].join(', ');

/**
 * The report as Markdown: the period and totals, every exception, the sample, then every change. Every
 * string of the report is data (a report read back with `--from` may hold anything), so each goes through
 * {@link untrusted} or {@link code} and the serialiser escapes it; only URLs that are plain http(s) links.
 */
export function renderMarkdown(report: AuditReport): string {
  const t = report.totals;
  const branch = code(report.branch.name);
  const out: RootContent[] = [
    heading(1, text('Change audit: '), untrusted(report.repository), text(' '), branch, text(', '), untrusted(`${report.period.since} to ${report.period.until}`)),
    paragraph(
      text(`${t.changes} change(s) on the first-parent history of `),
      branch,
      text(' ('),
      short(report.branch.sha),
      text(`): ${t.pullRequests} through pull requests, ${t.directPushes} direct push(es). ${t.changesWithExceptions} change(s) with exceptions. ${report.requests.total} GitHub API request(s).`),
    ),
    heading(2, text('Exceptions')),
  ];
  const change = (sha: string) => report.changes.find((x) => x.commit === sha)!;
  if (!report.exceptions.length) out.push(paragraph(text('None.')));
  else {
    out.push(
      table(
        ['kind', 'merged at (UTC)', 'change', 'detail'],
        report.exceptions.map((e) => [untrusted(e.kind), untrusted(e.mergedAt), [prRef(change(e.commit)), text(' '), short(e.commit)], untrusted(e.detail, 500)]),
      ),
      paragraph(text(EXCEPTION_KINDS.filter((k) => t.exceptions[k]).map((k) => `${k}: ${t.exceptions[k]}`).join(', '))),
    );
  }
  if (report.sample) {
    out.push(
      heading(2, text(`Sample (${report.sample.commits.length} of ${t.changes}, seed `), untrusted(report.sample.seed), text(')')),
      paragraph(untrusted(report.sample.method)),
      list(
        report.sample.commits.map((sha) => {
          const c = change(sha);
          return [short(sha), text(' '), prRef(c), text(' '), untrusted(c.pr?.title ?? c.subject, 120), c.exceptions.length ? untrusted(` (${kindsOf(c)})`) : []];
        }),
      ),
    );
  }
  out.push(
    heading(2, text('Changes')),
    table(
      ['merged at (UTC)', 'change', 'title', 'author', 'approvers', 'gate', 'reason', 'rollback', 'exceptions'],
      report.changes.map((c) => [
        untrusted(c.mergedAt),
        [prRef(c), text(' '), short(c.commit)],
        untrusted(c.pr?.title ?? c.subject, 120),
        untrusted(c.author, 60),
        c.approvers.length ? join(c.approvers.map((a) => [untrusted(a.login, 60), a.valid ? [] : text(' (not counted)')]), ', ') : text('—'),
        httpLink(c.gate.checkRunUrl, untrusted(c.gate.conclusion)),
        untrusted(c.reason ?? '—', 200),
        untrusted(c.rollback ?? '—', 200),
        untrusted(kindsOf(c) || '—'),
      ]),
    ),
  );
  if (report.notes.length) out.push(heading(2, text('What this audit cannot know')), list(report.notes.map((n) => untrusted(n))));
  return serialize(out) + '\n';
}
