/** The report for people at a terminal. */
import type { Finding, Report } from '../core/model.js';
import { AREA_TEXT_SECTIONS } from './sections.js';
import { renderSyncPlansText } from './sync-plan.js';
import { plainLine } from './escape.js';

/** Options of {@link renderText}. */
export interface TextOptions {
  /** Print each affected Application's sync plan too (`--plan`); off by default, the JSON report always has them. */
  plan?: boolean;
  /**
   * Most locations listed under one group of identical findings; the rest are counted (every finding stays in the
   * JSON and SARIF reports). Default {@link MAX_LOCATIONS}.
   */
  maxLocations?: number;
}

/** Default most locations listed per group of identical findings. */
export const MAX_LOCATIONS = 10;

/** Findings that say the same thing (rule, severity, status, message and fix), in first-seen order. */
function groupFindings(findings: readonly Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = [f.rule, f.severity, f.status, f.message, f.fix].join('\u0000');
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  return [...groups.values()];
}

/** One row per rule with findings: severity, new and pre-existing counts; blocking rules first. */
function ruleTable(findings: readonly Finding[]): string[] {
  const rows = new Map<string, { severity: string; fresh: number; pre: number }>();
  for (const f of findings) {
    const row = rows.get(f.rule) ?? { severity: f.severity, fresh: 0, pre: 0 };
    if (f.status === 'new') row.fresh++;
    else row.pre++;
    rows.set(f.rule, row);
  }
  if (rows.size === 0) return [];
  const order = { error: 0, warning: 1, notice: 2 } as Record<string, number>;
  const sorted = [...rows.entries()].sort(([a, x], [b, y]) => (order[x.severity] ?? 3) - (order[y.severity] ?? 3) || y.fresh - x.fresh || a.localeCompare(b));
  const width = Math.max(4, ...sorted.map(([r]) => r.length));
  return [
    `${'rule'.padEnd(width)}  severity  new  pre-existing`,
    ...sorted.map(([rule, r]) => `${rule.padEnd(width)}  ${r.severity.padEnd(8)}  ${String(r.fresh).padStart(3)}  ${String(r.pre).padStart(12)}`),
  ];
}

/**
 * Renders the report as plain text: the verdict first, a count per rule, then the findings, identical ones grouped
 * (message and fix once, then `file:line:col` of each, at most `maxLocations`), requirements, what was not evaluated,
 * and the review section; sync plans only with `plan`. Each entry stays on its own line: line breaks inside PR or
 * manifest text are shown as `\n`, and control, bidirectional and zero-width characters as `<U+XXXX>`, so no input
 * can fake a line such as the verdict.
 */
export function renderText(report: Report, opts: TextOptions = {}): string {
  const out: string[] = [];
  const max = opts.maxLocations ?? MAX_LOCATIONS;
  const c = report.change;
  const what = c.mode === 'all' ? `whole tree at ${c.headSha.slice(0, 7)}` : `${c.baseSha?.slice(0, 7)}..${c.headSha.slice(0, 7)} (${c.files} file(s), ${c.commits} commit(s))`;
  const newCount = report.findings.filter((f) => f.status === 'new').length;
  const pre = report.findings.length - newCount;
  out.push(`gitops-gate: ${what}${c.pr ? `, PR #${c.pr.number} ${JSON.stringify(c.pr.title)}` : ''}`);
  out.push(
    `verdict: ${report.verdict.toUpperCase()}${report.override ? ` (override by ${report.override.by})` : ''} · ${newCount} new finding(s), ${pre} pre-existing · policy: ${report.policy.origin === 'default' ? 'built-in default' : report.policy.path} · ${report.stats.filesExamined} file(s) in ${report.stats.durationMs} ms`,
  );
  for (const n of report.notes) out.push(`note: ${n}`);
  const table = ruleTable(report.findings);
  if (table.length) out.push('', ...table, '');
  for (const group of groupFindings(report.findings)) {
    const f = group[0]!;
    const tag = `${f.severity} [${f.rule}]${f.status === 'pre-existing' ? ' (pre-existing)' : ''}`;
    if (group.length === 1) {
      out.push(`${f.file}:${f.line}:${f.column}: ${tag} ${f.message}`);
      for (const r of f.related ?? []) out.push(`    related: ${r.file}:${r.line}:${r.column}: ${r.message}`);
    } else {
      out.push(`${tag} ${f.message} (${group.length} places)`);
      for (const g of group.slice(0, max)) out.push(`    at ${g.file}:${g.line}:${g.column}`);
      if (group.length > max) out.push(`    ... and ${group.length - max} more (every place is in --format json and sarif)`);
    }
    out.push(`    fix: ${f.fix}`);
  }
  for (const r of report.rules) {
    if (r.state === 'failed' && r.blocking) out.push(`requirement failed [${r.rule}]: ${r.reason ?? r.title}`);
    else if (r.state === 'pending' && r.blocking) out.push(`requirement pending [${r.rule}]: ${r.reason ?? r.title}`);
    else if (r.state === 'pending' || r.state === 'not-evaluated') out.push(`${r.state} [${r.rule}]: ${r.reason ?? r.title}`);
  }
  for (const n of report.notEvaluated) out.push(`not evaluated: ${n.subject}: ${n.reason}`);
  for (const section of AREA_TEXT_SECTIONS) {
    if (section === renderSyncPlansText && !opts.plan) continue;
    out.push(...section(report));
  }
  if (!opts.plan && renderSyncPlansText(report).length) out.push('(sync plans: add --plan, or see --format markdown or json)');
  return out.map(plainLine).join('\n') + '\n';
}
