/**
 * The compliance summary as GitHub-flavoured Markdown: the job summary, the check run summary and the
 * CLI's `--format markdown`. Each block is an mdast tree serialised by ./md.ts, so everything that comes
 * from the PR is escaped by the serialiser.
 *
 * The summary is built as blocks with priorities (see {@link fitBlocks}); with a `budget`, the least
 * important blocks are shortened first (pre-existing findings, then the controls and rule tables, then
 * area sections) and each shortened block points to the full report.
 */
import type { RootContent } from 'mdast';
import type { Area, Finding, Report, RuleOutcome } from '../core/model.js';
import { describeBlockers, plural } from './blockers.js';
import { controlsMapping, worstState } from './controls.js';
import { type Block, type Budget, fitBlocks, type LazyVariant, measure } from './limits.js';
import { lineUrl } from './links.js';
import { code, details, emphasis, heading, html, type Inline, join, link, list, login, ownMarkdown, paragraph, quote, serialize, rowFloor, serializeParagraphs, serializeTableUpTo, strong, table, tableHead, tableRowLines, text, untrusted } from './md.js';
import { AREA_SECTIONS, type SectionOutput, type SectionRenderer } from './sections.js';

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
  /** The area sections, in order; default {@link AREA_SECTIONS}. */
  sections?: readonly SectionRenderer[];
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

/** The one-line description of the change: PR, author, commits, files, base and head (inline content). */
export function changeLine(report: Report): Inline[] {
  const c = report.change;
  const parts: Inline[][] = [];
  if (c.pr) {
    const pr = c.pr.url ? link(c.pr.url, text(`PR #${c.pr.number}`)) : text(`PR #${c.pr.number}`);
    // Titles are capped: a 65,536-character title must not crowd the summary out of its size limit.
    const title = untrusted(c.pr.title.trim(), 300);
    parts.push([pr, text(' '), title.value ? strong(title) : text('(no title)'), ...(c.pr.author ? [text(' by '), login(c.pr.author.slice(0, 100))] : []), ...(c.pr.draft ? [text(' (draft)')] : [])]);
  }
  if (c.mode === 'all') parts.push([text('whole tree at '), code(shortSha(c.headSha))]);
  else parts.push([text(`${plural(c.commits, 'commit')}, ${plural(c.files, 'file')} changed, `), code(shortSha(c.baseSha)), text(' → '), code(shortSha(c.headSha))]);
  return join(parts, ' · ');
}

/**
 * Renders one finding as table cells. `: ` and the message are one text node: the serialiser reads the next
 * node ahead to escape the one before it, so a separate message node would be escaped twice.
 */
function findingRow(report: Report, f: Finding): Inline[] {
  const url = lineUrl(report, f.file, f.line);
  const where = url ? link(url, text(`L${f.line}`)) : text(`L${f.line}`);
  const message = untrusted(f.message, 500);
  return [where, text(SEVERITY_ICON[f.severity]), [code(f.rule), text(`: ${message.value}`)], untrusted(f.fix, 500)];
}

function groupByFile(findings: Finding[]): Map<string, Finding[]> {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const same = byFile.get(f.file);
    if (same) same.push(f);
    else byFile.set(f.file, [f]);
  }
  return byFile;
}

function fileLink(report: Report, file: string): Inline {
  const url = lineUrl(report, file);
  return url ? link(url, untrusted(file)) : untrusted(file);
}

const FINDING_HEADER = ['Line', 'Severity', 'Finding', 'Fix'];

/**
 * Findings grouped by file, as tables with links to the lines.
 * @param maxRows - at most this many findings in all; the rest is counted in a line after the tables
 */
function findingsNodes(report: Report, findings: Finding[], maxRows = Infinity): RootContent[] {
  const out: RootContent[] = [];
  const shown = findings.slice(0, maxRows);
  for (const [file, fs] of groupByFile(shown)) {
    out.push(paragraph(strong(fileLink(report, file))), table(FINDING_HEADER, fs.map((f) => findingRow(report, f))));
  }
  out.push(...findingsRest(findings, shown.length));
  return out;
}

/** The blocks as serialised pieces joined by blank lines, or undefined once they exceed `budget` (see {@link LazyVariant}). */
function joinUpTo(pieces: Iterable<string>, budget: Budget): string | undefined {
  const out: string[] = [];
  let size = -GAP;
  for (const piece of pieces) {
    size += GAP + measure(piece, budget.unit);
    if (size > budget.max) return undefined;
    out.push(piece);
  }
  return out.join('\n\n');
}

const GAP = 2;

/**
 * The findings of one status as {@link findingsNodes} shows them (a table per file), serialised for the
 * summary's variants as they are tried: each row and each file's heading is serialised once, on first use,
 * and shared by the variants that show it (all findings, the first 500, 200, 50). The text is the same as
 * `serialize(findingsNodes(...))`: blocks in a document are serialised independently and joined by a blank
 * line, and so are the rows of a table. A variant whose text cannot fit the budget is not built: escaping only
 * ever adds characters, so the size of the cells' text is a floor of the size of the rows.
 */
class FindingTables {
  private readonly cells: (Inline[] | undefined)[];
  private readonly lines: (string | undefined)[];
  private readonly floors: { chars?: number[]; bytes?: number[] } = {};
  private readonly heads = new Map<string, string>();
  private head: string | undefined;

  constructor(
    private readonly report: Report,
    private readonly findings: Finding[],
  ) {
    this.cells = new Array<Inline[] | undefined>(findings.length);
    this.lines = new Array<string | undefined>(findings.length);
  }

  private cellsOf(i: number): Inline[] {
    return (this.cells[i] ??= findingRow(this.report, this.findings[i]!));
  }

  /** A floor of the size of row `i`'s line (see {@link rowFloor}). */
  private floor(i: number, unit: Budget['unit']): number {
    const floors = (this.floors[unit] ??= new Array<number>(this.findings.length));
    let n = floors[i];
    if (n === undefined) floors[i] = n = rowFloor(this.cellsOf(i), unit);
    return n;
  }

  /** Serialises the rows of `order` that are not yet, in runs of up to 256, starting at position `from`. */
  private line(order: readonly number[], from: number): string {
    const i = order[from]!;
    if (this.lines[i] === undefined) {
      const batch: number[] = [];
      for (let k = from; k < order.length && batch.length < 256; k++) if (this.lines[order[k]!] === undefined) batch.push(order[k]!);
      const lines = tableRowLines(FINDING_HEADER.length, batch.map((j) => this.cellsOf(j)));
      batch.forEach((j, k) => (this.lines[j] = lines[k]));
    }
    return this.lines[i]!;
  }

  /** The serialised paragraph naming `files[f]`, serialising it and up to 255 of the next files not yet in one run. */
  private fileHead(files: readonly string[], f: number): string {
    const file = files[f]!;
    if (!this.heads.has(file)) {
      const missing: string[] = [];
      for (let k = f; k < files.length && missing.length < 256; k++) if (!this.heads.has(files[k]!)) missing.push(files[k]!);
      const texts = serializeParagraphs(missing.map((m) => paragraph(strong(fileLink(this.report, m)))));
      missing.forEach((m, k) => this.heads.set(m, texts[k]!));
    }
    return this.heads.get(file)!;
  }

  /**
   * `before`, the first `maxRows` findings (tables per file, then a line counting the rest) and `after`,
   * joined by blank lines; undefined when that is larger than `budget.max`.
   */
  render(maxRows: number, budget: Budget, before: readonly string[], after: readonly string[]): string | undefined {
    const n = Math.min(maxRows, this.findings.length);
    const groups = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const same = groups.get(this.findings[i]!.file);
      if (same) same.push(i);
      else groups.set(this.findings[i]!.file, [i]);
    }
    const order = [...groups.values()].flat();
    const fixed = [...before, ...after].reduce((a, t) => a + measure(t, budget.unit) + GAP, 0);
    let floor = fixed;
    for (const i of order) {
      floor += this.floor(i, budget.unit);
      if (floor > budget.max) return undefined;
    }
    const tail = n < this.findings.length ? [serialize(findingsRest(this.findings, n))] : [];
    return joinUpTo(this.pieces(groups, order, before, [...tail, ...after]), budget);
  }

  /** `before`, each file's heading and table, then `after`, as serialised pieces made one by one. */
  private *pieces(groups: Map<string, number[]>, order: readonly number[], before: readonly string[], after: readonly string[]): Generator<string> {
    yield* before;
    const files = [...groups.keys()];
    let pos = 0;
    for (let f = 0; f < files.length; f++) {
      yield this.fileHead(files, f);
      const lines = groups.get(files[f]!)!.map(() => this.line(order, pos++));
      yield `${(this.head ??= tableHead(FINDING_HEADER))}\n${lines.join('\n')}`;
    }
    yield* after;
  }
}

/** The line counting the findings after the first `shown`. */
function findingsRest(findings: Finding[], shown: number): RootContent[] {
  const rest = findings.length - shown;
  return rest > 0 ? [paragraph(emphasis(text(`…and ${plural(rest, 'more finding')} in ${plural(groupByFile(findings.slice(shown)).size, 'file')}.`)))] : [];
}

/**
 * Findings grouped by file, as Markdown tables with links to the lines.
 * @param maxRows - at most this many findings in all; the rest is counted in a line after the tables
 */
export function findingsByFile(report: Report, findings: Finding[], maxRows = Infinity): string {
  return serialize(findingsNodes(report, findings, maxRows));
}

const COUNTS_HEADER = ['File', 'Errors', 'Warnings', 'Notices'];

/**
 * `before`, a compact table (one row per file with the number of findings of each severity) and `after`,
 * joined by blank lines; undefined when that is larger than `budget.max` (see {@link LazyVariant}).
 */
function findingCounts(report: Report, findings: Finding[], before: readonly string[], after: readonly string[]): LazyVariant {
  return (budget) => {
    const fixed = [...before, ...after].reduce((a, t) => a + measure(t, budget.unit) + GAP, 0);
    const files = [...groupByFile(findings)];
    const row = (i: number): Inline[] => {
      const [file, fs] = files[i]!;
      const n = (s: Finding['severity']) => text(String(fs.filter((f) => f.severity === s).length));
      return [fileLink(report, file), n('error'), n('warning'), n('notice')];
    };
    const table = serializeTableUpTo(COUNTS_HEADER, files.length, row, { max: budget.max - fixed, unit: budget.unit });
    return table === undefined ? undefined : [...before, table, ...after].join('\n\n');
  };
}

function sortedRules(report: Report, filter: (r: RuleOutcome) => boolean = () => true): RuleOutcome[] {
  return report.rules.filter(filter).sort((a, b) => AREA_ORDER.indexOf(a.area) - AREA_ORDER.indexOf(b.area) || a.rule.localeCompare(b.rule));
}

function rulesNode(report: Report, filter?: (r: RuleOutcome) => boolean): RootContent {
  const rows = sortedRules(report, filter).map((r): Inline[] => [
    text(AREA_TITLES[r.area]),
    [code(r.rule), text(' '), untrusted(r.title, 200)],
    [text(STATE_ICON[r.state]), ...(r.reason ? [text(': '), untrusted(r.reason, 300)] : [])],
    text(String(r.findings.new)),
    text(String(r.findings.preExisting)),
    untrusted((r.controls ?? []).join(', '), 500),
  ]);
  return table(['Area', 'Rule', 'State', 'New', 'Pre-existing', 'Controls'], rows);
}

/** The table of rules with their states, grouped by area. */
export function rulesTable(report: Report, filter?: (r: RuleOutcome) => boolean): string {
  return serialize([rulesNode(report, filter)]);
}

/** Per-area summary: the worst state of its rules, and the rules that need attention. */
function areaTable(report: Report): RootContent {
  const rows: Inline[][] = [];
  for (const area of AREA_ORDER) {
    const rs = report.rules.filter((r) => r.area === area);
    if (!rs.length) continue;
    const worst = worstState(rs);
    const n = rs.reduce((a, r) => a + r.findings.new, 0);
    const attention = rs.filter((r) => r.state === 'failed' || r.state === 'pending').map((r) => code(r.rule));
    rows.push([text(AREA_TITLES[area]), text(STATE_ICON[worst]), text(String(rs.length)), text(String(n)), attention.length ? join(attention, ', ') : text('-')]);
  }
  return table(['Area', 'State', 'Rules', 'New findings', 'Needs attention'], rows);
}

/** Controls mapped to the rules serving them, with the worst state of those rules. */
function controlsTable(report: Report): RootContent | undefined {
  const mapping = controlsMapping(report.rules);
  if (!mapping.length) return undefined;
  return table(
    ['Control', 'State', 'Rules'],
    mapping.map((c) => [untrusted(c.control, 500), text(STATE_ICON[c.state]), join(c.rules.map(code), ', ')]),
  );
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
function policyLine(report: Report): RootContent {
  const p = report.policy;
  const where = p.origin === 'default' ? [text('built-in default (no policy file at '), code(p.path), text(')')] : [code(p.path)];
  const at = p.ref ?? report.change.baseSha;
  return paragraph(strong(text('Policy:')), text(' '), where, ...(at ? [text(' on base '), code(shortSha(at))] : []), text(' · sha256 '), code(p.sha256), text(' · fail-on '), code(report.failOn));
}

/** Builds the summary's blocks, highest priority for what must stay. */
function summaryBlocks(report: Report, opts: MarkdownOptions): Block[] {
  const level = opts.level ?? 2;
  const h = '#'.repeat(level);
  const full = ownMarkdown(opts.fullReport ?? DEFAULT_FULL_REPORT);
  const omitted = (what: string) => paragraph(emphasis(text(`${what} left out to fit GitHub's size limit: `), full, text('.')));
  const blocks: Block[] = [];
  // Variants are built when fitBlocks tries them (see Block): a big report's shortened forms cost nothing when the full one fits.
  const md = (...nodes: RootContent[]) => serialize(nodes);
  const lazy = (build: () => RootContent[]) => () => serialize(build());

  const head: RootContent[] = [heading(level, text(`GitOps Gate: ${verdictLabel(report)}`)), paragraph(changeLine(report))];
  if (report.override) {
    const o = report.override;
    head.push(quote(strong(text('Break-glass override')), text(' by '), login(o.by), text(` via ${o.via}: `), untrusted(o.reason), text('. Compliance must review this change after the fact.')));
  }
  for (const n of report.notes) head.push(quote(untrusted(n)));
  const { blocks: blocking, missing } = describeBlockers(report);
  if (blocking.length) head.push(paragraph(strong(text('What blocks:'))), list(blocking));
  if (missing.length) head.push(paragraph(strong(text('What is missing:'))), list(missing));
  blocks.push({ id: 'verdict', priority: 100, variants: [md(...head)] });

  blocks.push({ id: 'areas', priority: 90, variants: [md(heading(level + 1, text('Policy areas')), areaTable(report))] });

  (opts.sections ?? AREA_SECTIONS).forEach((section, i) => {
    const out = normalise(section(report, h + '#'));
    if (!out) return;
    const variants = [out.full, ...(out.compact ? [out.compact] : []), md(omitted(sectionTitle(out.full)))];
    blocks.push({ id: `section-${i}`, priority: 40, variants });
  });

  const newF = report.findings.filter((f) => f.status === 'new');
  const oldF = report.findings.filter((f) => f.status === 'pre-existing');
  const newTitle = md(heading(level + 1, text(`New findings (${newF.length})`)));
  const newTables = new FindingTables(report, newF);
  const shown = (tables: FindingTables, maxRows: number, before: string[], after: string[]) => (budget: Budget) => tables.render(maxRows, budget, before, after);
  blocks.push({
    id: 'new-findings',
    priority: 60,
    variants: newF.length
      ? [
          shown(newTables, Infinity, [newTitle], []),
          ...[500, 200, 50].filter((n) => n < newF.length).map((n) => shown(newTables, n, [newTitle], [md(omitted('The other findings were'))])),
          findingCounts(report, newF, [newTitle], [md(omitted('The findings themselves were'))]),
          md(heading(level + 1, text(`New findings (${newF.length})`)), omitted('The list of findings was')),
        ]
      : [md(heading(level + 1, text(`New findings (${newF.length})`)), paragraph(emphasis(text('None.'))))],
  });

  if (oldF.length && opts.preExisting !== false) {
    const summary = `Pre-existing findings (${oldF.length}): already on the base branch, they do not block`;
    const [open, close] = details(summary, []).map((n) => md(n));
    blocks.push({
      id: 'pre-existing-findings',
      priority: 10,
      variants: [
        shown(new FindingTables(report, oldF), Infinity, [open!], [close!]),
        findingCounts(report, oldF, [open!], [close!]),
        md(paragraph(emphasis(text(`${plural(oldF.length, 'pre-existing finding')} (already on the base branch, not blocking): `), full, text('.')))),
      ],
    });
  }

  if (report.notEvaluated.length) {
    const item = (n: Report['notEvaluated'][number]): Inline[] => [untrusted(n.subject), text(': '), untrusted(n.reason)];
    const title = heading(level + 1, text(`Not evaluated (${report.notEvaluated.length})`));
    blocks.push({
      id: 'not-evaluated',
      priority: 70,
      variants: [lazy(() => [title, list(report.notEvaluated.map(item))]), lazy(() => [title, list(report.notEvaluated.slice(0, 20).map(item)), omitted('Further items were')])],
    });
  }

  const attention = (r: RuleOutcome) => r.state !== 'passed' && r.state !== 'skipped';
  blocks.push({
    id: 'rules',
    priority: 30,
    variants: [
      lazy(() => details(`All rules (${report.rules.length})`, [rulesNode(report)])),
      lazy(() => details(`Rules that did not pass (${report.rules.filter(attention).length} of ${report.rules.length})`, [rulesNode(report, attention)])),
      md(omitted('The table of rules was')),
    ],
  });

  const controls = controlsTable(report);
  if (controls) blocks.push({ id: 'controls', priority: 20, variants: [md(...details('Compliance controls served by these rules', [controls])), md(omitted('The controls table was'))] });

  const s = report.stats;
  const footer = paragraph(
    html('<sub>'),
    text('Evaluated '),
    untrusted(report.evaluatedAt),
    text(' by gitops-gate '),
    untrusted(report.tool.version),
    text(` · ${plural(s.filesExamined, 'file')}, ${plural(s.resourcesExamined, 'resource')} examined in ${s.durationMs} ms`),
    html('</sub>'),
  );
  blocks.push({ id: 'policy', priority: 95, variants: [md(policyLine(report), footer)] });
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
  const cut = serialize([paragraph(emphasis(text("The summary was cut to fit GitHub's size limit: "), ownMarkdown(opts.fullReport ?? DEFAULT_FULL_REPORT), text('.')))]);
  return fitBlocks(blocks, budget, cut).text;
}
