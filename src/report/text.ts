/** The report for people at a terminal. */
import type { Report } from '../core/model.js';
import { AREA_TEXT_SECTIONS } from './sections.js';
import { plainLine } from './escape.js';

/**
 * Renders the report as plain text: verdict, notes, findings as `file:line:col severity rule message`.
 * Each entry stays on its own line: line breaks inside PR or manifest text are shown as `\n`, and control,
 * bidirectional and zero-width characters as `<U+XXXX>`, so no input can fake a line such as the verdict.
 */
export function renderText(report: Report): string {
  const out: string[] = [];
  const c = report.change;
  const what = c.mode === 'all' ? `whole tree at ${c.headSha.slice(0, 7)}` : `${c.baseSha?.slice(0, 7)}..${c.headSha.slice(0, 7)} (${c.files} file(s), ${c.commits} commit(s))`;
  out.push(`gitops-gate: ${what}${c.pr ? `, PR #${c.pr.number} ${JSON.stringify(c.pr.title)}` : ''}`);
  for (const n of report.notes) out.push(`note: ${n}`);
  for (const f of report.findings) {
    out.push(`${f.file}:${f.line}:${f.column}: ${f.severity} [${f.rule}]${f.status === 'pre-existing' ? ' (pre-existing)' : ''} ${f.message}`);
    out.push(`    fix: ${f.fix}`);
  }
  for (const r of report.rules) {
    if (r.state === 'failed' && r.blocking) out.push(`requirement failed [${r.rule}]: ${r.reason ?? r.title}`);
    else if (r.state === 'pending' && r.blocking) out.push(`requirement pending [${r.rule}]: ${r.reason ?? r.title}`);
    else if (r.state === 'pending' || r.state === 'not-evaluated') out.push(`${r.state} [${r.rule}]: ${r.reason ?? r.title}`);
  }
  for (const n of report.notEvaluated) out.push(`not evaluated: ${n.subject}: ${n.reason}`);
  for (const section of AREA_TEXT_SECTIONS) out.push(...section(report));
  const newCount = report.findings.filter((f) => f.status === 'new').length;
  const pre = report.findings.length - newCount;
  out.push(
    `verdict: ${report.verdict.toUpperCase()}${report.override ? ` (override by ${report.override.by})` : ''} · ${newCount} new finding(s), ${pre} pre-existing · policy: ${report.policy.origin === 'default' ? 'built-in default' : report.policy.path} · ${report.stats.filesExamined} file(s) in ${report.stats.durationMs} ms`,
  );
  return out.map(plainLine).join('\n') + '\n';
}
