/**
 * The compliance summary as GitHub-flavoured Markdown: the job summary, the check run summary and the
 * CLI's `--format markdown`. Everything that comes from the PR is escaped.
 *
 * The summary is built as blocks with priorities (see {@link fitBlocks}); with a `budget`, the least
 * important blocks are shortened first (pre-existing findings, then the controls and rule tables, then
 * area sections) and each shortened block points to the full report.
 */
import type { Area, Finding, Report, RuleOutcome } from '../core/model.js';
import { describeBlockers, plural } from './blockers.js';
import { cell, code, escapeMarkdown, login } from './escape.js';
import { controlsMapping, worstState } from './controls.js';
import { type Block, type Budget, fitBlocks } from './limits.js';
import { lineUrl } from './links.js';
import { AREA_SECTIONS, type SectionOutput } from './sections.js';

const AREA_TITLES: Record<Area, string> = {
  manifests: 'Manifests',
  sync: 'Sync order',
  health: 'Health checks',
  review: 'Review',
  description: 'Description',
  applications: 'Applications',
};

const AREA_ORDER: Area[] = ['review', 'description', 'sync', 'applications', 'health', 'manifests'];

const STATE_ICON: Record<RuleOutcome['state'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  pending: '⏳ pending',
  skipped: '⏭️ skipped',
  'not-evaluated': '➖ not evaluated',
};

const SEVERITY_ICON: Record<Finding['severity'], string> = { error: '🛑 error', warning: '⚠️ warning', notice: 'ℹ️ notice' };

/** Where the full report is, when the summary had to leave something out (Markdown). */
export const DEFAULT_FULL_REPORT = 'the full report is in the job summary of the workflow run and in the report file (`report-file`)';

/** Options for rendering. */
export interface MarkdownOptions {
  /** Render pre-existing findings (collapsed). Default true. */
  preExisting?: boolean;
  /** Heading level of the title (2 gives `##`). */
  level?: number;
  /**
   * Maximum size of the result. When the full summary does not fit, it is shortened: pre-existing
   * findings first, then the controls and rules tables, area sections, and the new findings last;
   * every shortened part says where the full report is. Default: no limit.
   */
  budget?: Budget;
  /** Where the full report is, as Markdown, named where something was left out. Default {@link DEFAULT_FULL_REPORT}. */
  fullReport?: string;
}

function shortSha(sha?: string): string {
  return sha ? sha.slice(0, 7) : '-';
}

/** The verdict in words, with its icon. */
export function verdictLabel(report: Report): string {
  return report.verdict === 'pass' ? (report.override ? '⚠️ PASS (override)' : '✅ PASS') : '❌ FAIL';
}

/** The one-line description of the change: PR, author, commits, files, base and head. */
export function changeLine(report: Report): string {
  const c = report.change;
  const parts: string[] = [];
  if (c.pr) {
    const pr = c.pr.url ? `[PR #${c.pr.number}](${c.pr.url})` : `PR #${c.pr.number}`;
    // Titles are capped: a 65,536-character title must not crowd the summary out of its size limit.
    parts.push(`${pr} **${cell(c.pr.title, 300)}**${c.pr.author ? ` by ${login(c.pr.author.slice(0, 100))}` : ''}${c.pr.draft ? ' (draft)' : ''}`);
  }
  if (c.mode === 'all') parts.push(`whole tree at ${code(shortSha(c.headSha))}`);
  else parts.push(`${plural(c.commits, 'commit')}, ${plural(c.files, 'file')} changed, ${code(shortSha(c.baseSha))} → ${code(shortSha(c.headSha))}`);
  return parts.join(' · ');
}

/** Renders one finding as a table row. */
function findingRow(report: Report, f: Finding): string {
  const url = lineUrl(report, f.file, f.line);
  const where = url ? `[L${f.line}](${url})` : `L${f.line}`;
  return `| ${where} | ${SEVERITY_ICON[f.severity]} | ${code(f.rule)}: ${cell(f.message)} | ${cell(f.fix)} |`;
}

function groupByFile(findings: Finding[]): Map<string, Finding[]> {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  return byFile;
}

function fileLink(report: Report, file: string): string {
  const url = lineUrl(report, file);
  return url ? `[${escapeMarkdown(file)}](${url})` : escapeMarkdown(file);
}

/**
 * Findings grouped by file, as Markdown tables with links to the lines.
 * @param maxRows - at most this many findings in all; the rest is counted in a line after the tables
 */
export function findingsByFile(report: Report, findings: Finding[], maxRows = Infinity): string {
  const out: string[] = [];
  const shown = findings.slice(0, maxRows);
  for (const [file, fs] of groupByFile(shown)) {
    out.push(`**${fileLink(report, file)}**`, '');
    out.push('| Line | Severity | Finding | Fix |', '| --- | --- | --- | --- |');
    for (const f of fs) out.push(findingRow(report, f));
    out.push('');
  }
  const rest = findings.length - shown.length;
  if (rest > 0) out.push(`_…and ${plural(rest, 'more finding')} in ${plural(groupByFile(findings.slice(shown.length)).size, 'file')}._`);
  return out.join('\n').trimEnd();
}

/** A compact table: one row per file with the number of findings of each severity. */
function findingCounts(report: Report, findings: Finding[]): string {
  const rows = ['| File | Errors | Warnings | Notices |', '| --- | --- | --- | --- |'];
  for (const [file, fs] of groupByFile(findings)) {
    const n = (s: Finding['severity']) => fs.filter((f) => f.severity === s).length;
    rows.push(`| ${fileLink(report, file)} | ${n('error')} | ${n('warning')} | ${n('notice')} |`);
  }
  return rows.join('\n');
}

function sortedRules(report: Report, filter: (r: RuleOutcome) => boolean = () => true): RuleOutcome[] {
  return report.rules.filter(filter).sort((a, b) => AREA_ORDER.indexOf(a.area) - AREA_ORDER.indexOf(b.area) || a.rule.localeCompare(b.rule));
}

/** The table of rules with their states, grouped by area. */
export function rulesTable(report: Report, filter?: (r: RuleOutcome) => boolean): string {
  const rows = ['| Area | Rule | State | New | Pre-existing | Controls |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of sortedRules(report, filter)) {
    const state = STATE_ICON[r.state] + (r.reason ? `: ${cell(r.reason, 300)}` : '');
    rows.push(`| ${AREA_TITLES[r.area]} | ${code(r.rule)} ${cell(r.title, 200)} | ${state} | ${r.findings.new} | ${r.findings.preExisting} | ${cell((r.controls ?? []).join(', '))} |`);
  }
  return rows.join('\n');
}

/** Per-area summary: the worst state of its rules, and the rules that need attention. */
function areaTable(report: Report): string {
  const rows = ['| Area | State | Rules | New findings | Needs attention |', '| --- | --- | --- | --- | --- |'];
  for (const area of AREA_ORDER) {
    const rs = report.rules.filter((r) => r.area === area);
    if (!rs.length) continue;
    const worst = worstState(rs);
    const n = rs.reduce((a, r) => a + r.findings.new, 0);
    const attention = rs.filter((r) => r.state === 'failed' || r.state === 'pending').map((r) => code(r.rule));
    rows.push(`| ${AREA_TITLES[area]} | ${STATE_ICON[worst]} | ${rs.length} | ${n} | ${attention.join(', ') || '-'} |`);
  }
  return rows.join('\n');
}

/** Controls mapped to the rules serving them, with the worst state of those rules. */
function controlsTable(report: Report): string | undefined {
  const mapping = controlsMapping(report.rules);
  if (!mapping.length) return undefined;
  const rows = ['| Control | State | Rules |', '| --- | --- | --- |'];
  for (const c of mapping) rows.push(`| ${cell(c.control)} | ${STATE_ICON[c.state]} | ${c.rules.map(code).join(', ')} |`);
  return rows.join('\n');
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function normalise(out: SectionOutput): { full: string; compact?: string } | undefined {
  if (out === undefined) return undefined;
  return typeof out === 'string' ? { full: out } : out;
}

/** The title of a section from its first heading line, for the note that says it was left out. */
function sectionTitle(text: string): string {
  const m = /^#+\s+(.+)$/m.exec(text);
  return m ? `The "${m[1]!.trim()}" section` : 'A section';
}

/** The policy's provenance: file or built-in default, the base commit it was read from, its SHA-256. */
function policyLine(report: Report): string {
  const p = report.policy;
  const where = p.origin === 'default' ? `built-in default (no policy file at ${code(p.path)})` : code(p.path);
  const at = p.ref ?? report.change.baseSha;
  return `**Policy:** ${where}${at ? ` on base ${code(shortSha(at))}` : ''} · sha256 ${code(p.sha256)} · fail-on ${code(report.failOn)}`;
}

/** Builds the summary's blocks, highest priority for what must stay. */
function summaryBlocks(report: Report, opts: MarkdownOptions): Block[] {
  const h = '#'.repeat(opts.level ?? 2);
  const full = opts.fullReport ?? DEFAULT_FULL_REPORT;
  const omitted = (what: string) => `_${what} left out to fit GitHub's size limit: ${full}._`;
  const blocks: Block[] = [];

  const head: string[] = [`${h} GitOps Gate: ${verdictLabel(report)}`, '', changeLine(report)];
  if (report.override) {
    head.push('', `> **Break-glass override** by ${login(report.override.by)} via ${report.override.via}: ${escapeMarkdown(report.override.reason)}. Compliance must review this change after the fact.`);
  }
  for (const n of report.notes) head.push('', `> ${escapeMarkdown(n)}`);
  const { blocks: blocking, missing } = describeBlockers(report);
  if (blocking.length) head.push('', '**What blocks:**', '', ...blocking.map((b) => `- ${b}`));
  if (missing.length) head.push('', '**What is missing:**', '', ...missing.map((b) => `- ${b}`));
  blocks.push({ id: 'verdict', priority: 100, variants: [head.join('\n')] });

  blocks.push({ id: 'areas', priority: 90, variants: [`${h}# Policy areas\n\n${areaTable(report)}`] });

  AREA_SECTIONS.forEach((section, i) => {
    const out = normalise(section(report, h + '#'));
    if (!out) return;
    const variants = [out.full, ...(out.compact ? [out.compact] : []), omitted(sectionTitle(out.full))];
    blocks.push({ id: `section-${i}`, priority: 40, variants });
  });

  const newF = report.findings.filter((f) => f.status === 'new');
  const oldF = report.findings.filter((f) => f.status === 'pre-existing');
  const newTitle = `${h}# New findings (${newF.length})`;
  blocks.push({
    id: 'new-findings',
    priority: 60,
    variants: newF.length
      ? [
          `${newTitle}\n\n${findingsByFile(report, newF)}`,
          ...[500, 200, 50].filter((n) => n < newF.length).map((n) => `${newTitle}\n\n${findingsByFile(report, newF, n)}\n\n${omitted('The other findings were')}`),
          `${newTitle}\n\n${findingCounts(report, newF)}\n\n${omitted('The findings themselves were')}`,
          `${newTitle}\n\n${omitted('The list of findings was')}`,
        ]
      : [`${newTitle}\n\n_None._`],
  });

  if (oldF.length && opts.preExisting !== false) {
    const summary = `Pre-existing findings (${oldF.length}): already on the base branch, they do not block`;
    blocks.push({
      id: 'pre-existing-findings',
      priority: 10,
      variants: [details(summary, findingsByFile(report, oldF)), details(summary, findingCounts(report, oldF)), `_${plural(oldF.length, 'pre-existing finding')} (already on the base branch, not blocking): ${full}._`],
    });
  }

  if (report.notEvaluated.length) {
    const line = (n: Report['notEvaluated'][number]) => `- ${escapeMarkdown(n.subject)}: ${escapeMarkdown(n.reason)}`;
    const title = `${h}# Not evaluated (${report.notEvaluated.length})`;
    blocks.push({
      id: 'not-evaluated',
      priority: 70,
      variants: [`${title}\n\n${report.notEvaluated.map(line).join('\n')}`, `${title}\n\n${report.notEvaluated.slice(0, 20).map(line).join('\n')}\n\n${omitted('Further items were')}`],
    });
  }

  const attention = (r: RuleOutcome) => r.state !== 'passed' && r.state !== 'skipped';
  blocks.push({
    id: 'rules',
    priority: 30,
    variants: [
      details(`All rules (${report.rules.length})`, rulesTable(report)),
      details(`Rules that did not pass (${report.rules.filter(attention).length} of ${report.rules.length})`, rulesTable(report, attention)),
      omitted('The table of rules was'),
    ],
  });

  const controls = controlsTable(report);
  if (controls) blocks.push({ id: 'controls', priority: 20, variants: [details('Compliance controls served by these rules', controls), omitted('The controls table was')] });

  const footer = `${policyLine(report)}\n\n<sub>Evaluated ${escapeMarkdown(report.evaluatedAt)} by gitops-gate ${escapeMarkdown(report.tool.version)} · ${plural(report.stats.filesExamined, 'file')}, ${plural(report.stats.resourcesExamined, 'resource')} examined in ${report.stats.durationMs} ms</sub>`;
  blocks.push({ id: 'policy', priority: 95, variants: [footer] });
  return blocks;
}

/**
 * The full summary.
 * @returns GitHub-flavoured Markdown; no raw HTML from the PR (only `<details>`, `<summary>` and `<sub>`
 * the gate itself writes). With `opts.budget`, at most `budget.max` characters or bytes.
 */
export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const blocks = summaryBlocks(report, opts);
  const budget = opts.budget ?? { max: Infinity, unit: 'chars' };
  return fitBlocks(blocks, budget, `_The summary was cut to fit GitHub's size limit: ${opts.fullReport ?? DEFAULT_FULL_REPORT}._`).text;
}
