/**
 * The render section of the summary: per rendered Application, how each source was rendered (tool, version,
 * time, cache) and what the change does to the rendered objects, with the unified diff of each changed object
 * (Secret values already redacted by src/render/diff.ts). Collapsed, and capped: at most
 * {@link MAX_PATCH_LINES} lines per diff and {@link MAX_SECTION_CHARS} characters in all; the JSON report and
 * the audit record hold everything.
 */
import type { Report } from '../core/model.js';
import type { RootContent } from 'mdast';
import { renderedGroupLabel, type RenderedApplicationDetail, type RenderProvenance } from '../render/index.js';
import { htmlCode } from './escape.js';
import { code, details, heading, type Inline, list, paragraph, serialize, strong, table, text, untrusted } from './md.js';

/** Lines of one object's diff shown in the summary. */
export const MAX_PATCH_LINES = 60;
/** Characters of the whole section, diffs included; past this the remaining diffs are left to the JSON report. */
export const MAX_SECTION_CHARS = 20_000;

function side(p: RenderProvenance | undefined): Inline {
  if (!p) return text('—');
  if (p.status !== 'rendered') return [strong(text(p.status)), text(': '), untrusted(p.reason ?? '', 300)];
  const tool = p.tool ? `${p.tool}${p.version ? ` ${p.version}` : ''}` : '';
  return [text(`${p.objects} objects · `), untrusted(tool, 100), text(p.cached ? ' · cached' : p.durationMs !== undefined ? ` · ${p.durationMs} ms` : '')];
}

function capped(patch: string): string {
  const lines = patch.split('\n');
  // The two file-name lines of a unified diff say nothing the heading does not.
  const body = lines.slice(lines[0]?.startsWith('===') ? 4 : 2);
  return body.length > MAX_PATCH_LINES ? `${body.slice(0, MAX_PATCH_LINES).join('\n')}\n… ${body.length - MAX_PATCH_LINES} more lines in the JSON report` : body.join('\n');
}

/** `N added, N removed, N changed`, and whether the diff is partial. */
function diffCounts(a: RenderedApplicationDetail): string {
  const d = a.diff;
  return `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed${a.partial ? ' (partial: a source was not rendered)' : ''}`;
}

function summaryLine(a: RenderedApplicationDetail): string {
  return `${htmlCode(renderedGroupLabel(a))}: ${diffCounts(a)}`;
}

/** One Application's rendered diff, collapsed: objects added, removed, changed (with each change's unified diff). */
function diffBlocks(a: RenderedApplicationDetail): RootContent[] {
  const d = a.diff;
  const where = (o: { key: string; file: string; line: number }): Inline => [code(o.key), text(' ('), untrusted(`${o.file}:${o.line}`, 300), text(')')];
  const body: RootContent[] = [];
  const items: Inline[] = [...d.added.map((o) => [text('added '), where(o)]), ...d.removed.map((o) => [text('removed '), where(o)])];
  if (items.length) body.push(list(items));
  for (const c of d.changed) body.push(paragraph(text('changed '), where(c)), { type: 'code', lang: 'diff', value: capped(c.patch) });
  return details(summaryLine(a), body);
}

/** Renders `report.details.render`, or undefined when nothing was rendered. */
export function renderRenderSection(report: Report, h: string): { full: string; compact: string } | undefined {
  const d = report.details.render;
  if (!d || !d.applications.length) return undefined;
  const head: RootContent[] = [
    heading(h.length, text('Rendered manifests')),
    paragraph(text(`kustomize and Helm sources rendered as ArgoCD's repo-server would (${d.runs} tool runs, ${d.cacheHits} from the cache). The sync rules read these objects.`)),
    table(
      ['Rendered', 'Source', 'Head', 'Base'],
      d.applications.flatMap((a) => a.units.map((u): Inline[] => [untrusted(a.name, 200), [text(`${u.sourceType ?? ''} `), code(u.id)], side(u.head), side(u.base)])),
    ),
  ];
  const compact = serialize(head);
  const out = [...head];
  let size = compact.length;
  let left = 0;
  for (const a of d.applications) {
    if (!a.diff.added.length && !a.diff.removed.length && !a.diff.changed.length) continue;
    const blocks = diffBlocks(a);
    const length = serialize(blocks).length;
    if (size + length > MAX_SECTION_CHARS) {
      left++;
      continue;
    }
    size += length;
    out.push(...blocks);
  }
  if (left) out.push(paragraph(text(`${left} more rendered diff${left > 1 ? 's' : ''} in the JSON report (details.render).`)));
  return { full: serialize(out), compact };
}

function sideText(label: string, p: RenderProvenance | undefined): string {
  if (!p) return '';
  if (p.status !== 'rendered') return `${label} ${p.status}`;
  return `${label} ${p.objects} objects${p.cached ? ' (cached)' : p.durationMs !== undefined ? ` in ${p.durationMs} ms` : ''}`;
}

/**
 * The render section of `--format text`: per rendered Application, each source's tool and outcome on each side,
 * and the objects the change adds, removes or changes (diffs are left to `--format markdown` and `json`).
 * @returns lines (empty when nothing was rendered)
 */
export function renderRenderText(report: Report): string[] {
  const d = report.details.render;
  if (!d || !d.applications.length) return [];
  const out: string[] = ['', `rendered: ${d.applications.length} source group(s), ${d.runs} tool run(s), ${d.cacheHits} from the cache`];
  for (const a of d.applications) {
    out.push(`  ${renderedGroupLabel(a)}: ${diffCounts(a)}`);
    for (const u of a.units) {
      const p = u.head ?? u.base;
      const tool = p?.tool ? `${p.tool}${p.version ? ` ${p.version}` : ''}` : (u.sourceType ?? '');
      out.push(`    ${u.id}: ${tool}; ${[sideText('head', u.head), sideText('base', u.base)].filter(Boolean).join(', ')}`);
    }
    for (const o of a.diff.added) out.push(`    added   ${o.key} (${o.file}:${o.line})`);
    for (const o of a.diff.removed) out.push(`    removed ${o.key} (${o.file}:${o.line})`);
    for (const o of a.diff.changed) out.push(`    changed ${o.key} (${o.file}:${o.line})`);
  }
  if (d.applications.some((a) => a.diff.changed.length)) out.push('  (rendered diffs: see --format markdown or json)');
  return out;
}
