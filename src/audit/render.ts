/**
 * The audit report's formats: JSON (docs/audit-report.schema.json), CSV (one row per change, RFC 4180)
 * and Markdown (exceptions first, then the changes). Text from PRs and commits is escaped in Markdown
 * (src/report/escape.ts) and neutralised in CSV, so it cannot forge rows, links, mentions or formulas.
 */
import { cell, escapeMarkdown } from '../report/escape.js';
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

function prRef(c: AuditChange): string {
  return c.pr ? `[#${c.pr.number}](${c.pr.url})` : 'direct push';
}

const short = (sha: string) => `\`${sha.slice(0, 12)}\``;

/** The report as Markdown: the period and totals, every exception, the sample, then every change. */
export function renderMarkdown(report: AuditReport): string {
  const out: string[] = [];
  const t = report.totals;
  out.push(`# Change audit: ${escapeMarkdown(report.repository)} \`${report.branch.name}\`, ${report.period.since} to ${report.period.until}`, '');
  out.push(
    `${t.changes} change(s) on the first-parent history of \`${report.branch.name}\` (${short(report.branch.sha)}): ${t.pullRequests} through pull requests, ${t.directPushes} direct push(es). ` +
      `${t.changesWithExceptions} change(s) with exceptions. ${report.requests.total} GitHub API request(s).`,
    '',
  );
  out.push('## Exceptions', '');
  if (!report.exceptions.length) out.push('None.', '');
  else {
    out.push('| kind | merged at (UTC) | change | detail |', '| --- | --- | --- | --- |');
    for (const e of report.exceptions) {
      const c = report.changes.find((x) => x.commit === e.commit)!;
      out.push(`| ${e.kind} | ${e.mergedAt} | ${prRef(c)} ${short(e.commit)} | ${cell(e.detail)} |`);
    }
    out.push('');
    out.push(EXCEPTION_KINDS.filter((k) => t.exceptions[k]).map((k) => `${k}: ${t.exceptions[k]}`).join(', '), '');
  }
  if (report.sample) {
    out.push(`## Sample (${report.sample.commits.length} of ${t.changes}, seed ${escapeMarkdown(report.sample.seed)})`, '', report.sample.method, '');
    for (const sha of report.sample.commits) {
      const c = report.changes.find((x) => x.commit === sha)!;
      out.push(`- ${short(sha)} ${prRef(c)} ${cell(c.pr?.title ?? c.subject, 120)}${c.exceptions.length ? ` (${[...new Set(c.exceptions.map((e) => e.kind))].join(', ')})` : ''}`);
    }
    out.push('');
  }
  out.push('## Changes', '');
  out.push('| merged at (UTC) | change | title | author | approvers | gate | reason | rollback | exceptions |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const c of report.changes) {
    const approvers = c.approvers.map((a) => `${cell(a.login, 60)}${a.valid ? '' : ' (not counted)'}`).join(', ') || '—';
    const gate = c.gate.checkRunUrl ? `[${c.gate.conclusion}](${c.gate.checkRunUrl})` : c.gate.conclusion;
    out.push(
      `| ${c.mergedAt} | ${prRef(c)} ${short(c.commit)} | ${cell(c.pr?.title ?? c.subject, 120)} | ${cell(c.author, 60)} | ${approvers} | ${gate} | ${cell(c.reason ?? '—', 200)} | ${cell(c.rollback ?? '—', 200)} | ${[...new Set(c.exceptions.map((e) => e.kind))].join(', ') || '—'} |`,
    );
  }
  out.push('');
  if (report.notes.length) out.push('## What this audit cannot know', '', ...report.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
