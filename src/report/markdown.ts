/**
 * The compliance summary as GitHub-flavoured Markdown: the job summary, the check run summary and the
 * CLI's `--format markdown`. Everything that comes from the PR is escaped.
 */
import type { Area, Finding, Report, RuleOutcome } from '../core/model.js';
import { cell, code, escapeMarkdown } from './escape.js';
import { lineUrl } from './links.js';
import { AREA_SECTIONS } from './sections.js';

const AREA_TITLES: Record<Area, string> = {
  manifests: 'Manifests',
  sync: 'Sync order',
  health: 'Health checks',
  review: 'Review',
  description: 'Description',
};

const STATE_ICON: Record<RuleOutcome['state'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  pending: '⏳ pending',
  skipped: '⏭️ skipped',
  'not-evaluated': '➖ not evaluated',
};

const SEVERITY_ICON: Record<Finding['severity'], string> = { error: '🛑 error', warning: '⚠️ warning', notice: 'ℹ️ notice' };

/** Options for rendering. */
export interface MarkdownOptions {
  /** Render pre-existing findings (collapsed). Default true. */
  preExisting?: boolean;
  /** Heading level of the title (2 gives `##`). */
  level?: number;
}

function shortSha(sha?: string): string {
  return sha ? sha.slice(0, 7) : '-';
}

/** The one-line description of the change. */
export function changeLine(report: Report): string {
  const c = report.change;
  const parts: string[] = [];
  if (c.pr) {
    const pr = c.pr.url ? `[PR #${c.pr.number}](${c.pr.url})` : `PR #${c.pr.number}`;
    // Titles are capped: a 65,536-character title must not crowd the summary out of its size limit.
    parts.push(`${pr} ${cell(c.pr.title, 300)}${c.pr.author ? ` by @${cell(c.pr.author, 100)}` : ''}${c.pr.draft ? ' (draft)' : ''}`);
  }
  if (c.mode === 'all') parts.push(`whole tree at ${code(shortSha(c.headSha))}`);
  else parts.push(`${c.commits} commit(s), ${c.files} file(s), ${code(shortSha(c.baseSha))} → ${code(shortSha(c.headSha))}`);
  return parts.join(' · ');
}

/** Renders one finding as a table row. */
function findingRow(report: Report, f: Finding): string {
  const url = lineUrl(report, f.file, f.line);
  const where = url ? `[L${f.line}](${url})` : `L${f.line}`;
  return `| ${where} | ${SEVERITY_ICON[f.severity]} | ${code(f.rule)} | ${cell(f.message)} | ${cell(f.fix)} |`;
}

/** Findings grouped by file, as Markdown. */
export function findingsByFile(report: Report, findings: Finding[]): string {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const out: string[] = [];
  for (const [file, fs] of byFile) {
    const url = lineUrl(report, file);
    out.push(`**${url ? `[${escapeMarkdown(file)}](${url})` : escapeMarkdown(file)}**`, '');
    out.push('| Line | Severity | Rule | Finding | Fix |', '| --- | --- | --- | --- | --- |');
    for (const f of fs) out.push(findingRow(report, f));
    out.push('');
  }
  return out.join('\n');
}

/** The table of rules with their states, grouped by area. */
export function rulesTable(report: Report): string {
  const rows = ['| Area | Rule | State | New | Pre-existing | Controls |', '| --- | --- | --- | --- | --- | --- |'];
  const order: Area[] = ['review', 'description', 'sync', 'health', 'manifests'];
  const sorted = [...report.rules].sort((a, b) => order.indexOf(a.area) - order.indexOf(b.area) || a.rule.localeCompare(b.rule));
  for (const r of sorted) {
    const state = STATE_ICON[r.state] + (r.reason ? `: ${cell(r.reason, 300)}` : '');
    rows.push(`| ${AREA_TITLES[r.area]} | ${code(r.rule)} ${cell(r.title, 200)} | ${state} | ${r.findings.new} | ${r.findings.preExisting} | ${cell((r.controls ?? []).join(', '))} |`);
  }
  return rows.join('\n');
}

/** Per-area summary: the worst state of its rules. */
function areaTable(report: Report): string {
  const rows = ['| Area | State | Rules | New findings |', '| --- | --- | --- | --- |'];
  for (const area of ['review', 'description', 'sync', 'health', 'manifests'] as Area[]) {
    const rs = report.rules.filter((r) => r.area === area);
    if (!rs.length) continue;
    const rank: RuleOutcome['state'][] = ['failed', 'pending', 'not-evaluated', 'passed', 'skipped'];
    const worst = rank.find((s) => rs.some((r) => r.state === s)) ?? 'passed';
    const n = rs.reduce((a, r) => a + r.findings.new, 0);
    rows.push(`| ${AREA_TITLES[area]} | ${STATE_ICON[worst]} | ${rs.length} | ${n} |`);
  }
  return rows.join('\n');
}

/**
 * The full summary.
 * @returns GitHub-flavoured Markdown; no raw HTML from the PR (only `<details>` the gate itself writes)
 */
export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const h = '#'.repeat(opts.level ?? 2);
  const out: string[] = [];
  const verdict = report.verdict === 'pass' ? (report.override ? '⚠️ PASS (override)' : '✅ PASS') : '❌ FAIL';
  out.push(`${h} GitOps Gate: ${verdict}`, '');
  if (report.override) {
    out.push(`> **Break-glass override** by @${escapeMarkdown(report.override.by)} via ${report.override.via}: ${escapeMarkdown(report.override.reason)}. Compliance must review this change after the fact.`, '');
  }
  out.push(changeLine(report), '');
  for (const n of report.notes) out.push(`> ${escapeMarkdown(n)}`, '');

  const newF = report.findings.filter((f) => f.status === 'new');
  const oldF = report.findings.filter((f) => f.status === 'pre-existing');
  const blocking = report.rules.filter((r) => r.blocking && r.state === 'failed');
  if (report.verdict === 'fail') {
    const errs = newF.filter((f) => f.severity === 'error').length;
    const what: string[] = [];
    if (errs) what.push(`${errs} new error finding(s)`);
    if (newF.length - errs && report.failOn === 'warning') what.push(`${newF.length - errs} new warning(s)`);
    for (const r of blocking) what.push(`${code(r.rule)}: ${cell(r.reason ?? r.title, 300)}`);
    out.push(`**What blocks:** ${what.join('; ') || 'see below'}`, '');
  }

  out.push(`${h}# Policy areas`, '', areaTable(report), '');
  for (const section of AREA_SECTIONS) {
    const text = section(report, h + '#');
    if (text) out.push(text, '');
  }

  out.push(`${h}# New findings (${newF.length})`, '');
  out.push(newF.length ? findingsByFile(report, newF) : '_None._', '');
  if (oldF.length && opts.preExisting !== false) {
    out.push(`<details><summary>Pre-existing findings (${oldF.length}): already on the base branch, they do not block</summary>`, '');
    out.push(findingsByFile(report, oldF), '</details>', '');
  }
  if (report.notEvaluated.length) {
    out.push(`${h}# Not evaluated`, '');
    for (const n of report.notEvaluated) out.push(`- ${escapeMarkdown(n.subject)}: ${escapeMarkdown(n.reason)}`);
    out.push('');
  }
  out.push('<details><summary>All rules</summary>', '', rulesTable(report), '', '</details>', '');
  const p = report.policy;
  out.push(
    `<sub>Policy: ${p.origin === 'default' ? 'built-in default' : escapeMarkdown(p.path)}${p.ref ? ` at ${code(shortSha(p.ref))}` : ''} · sha256 ${code(p.sha256.slice(0, 12))} · fail-on ${report.failOn} · ${report.stats.filesExamined} file(s), ${report.stats.resourcesExamined} resource(s) in ${report.stats.durationMs} ms · gitops-gate ${escapeMarkdown(report.tool.version)}</sub>`,
  );
  return out.join('\n') + '\n';
}
