/**
 * The render section of the summary: per rendered Application, how each source was rendered (tool, version,
 * time, cache) and what the change does to the rendered objects, with the unified diff of each changed object
 * (Secret values already redacted by src/render/diff.ts). Collapsed, and capped: at most
 * {@link MAX_PATCH_LINES} lines per diff and {@link MAX_SECTION_CHARS} characters in all; the JSON report and
 * the audit record hold everything.
 */
import type { Report } from '../core/model.js';
import type { RenderedApplicationDetail, RenderProvenance } from '../render/index.js';
import { cell, code, htmlCode } from './escape.js';

/** Lines of one object's diff shown in the summary. */
export const MAX_PATCH_LINES = 60;
/** Characters of the whole section, diffs included; past this the remaining diffs are left to the JSON report. */
export const MAX_SECTION_CHARS = 20_000;

function side(p: RenderProvenance | undefined): string {
  if (!p) return '—';
  if (p.status !== 'rendered') return `**${p.status}**: ${cell(p.reason ?? '', 300)}`;
  const tool = p.tool ? `${p.tool}${p.version ? ` ${p.version}` : ''}` : '';
  return `${p.objects} objects · ${cell(tool)}${p.cached ? ' · cached' : p.durationMs !== undefined ? ` · ${p.durationMs} ms` : ''}`;
}

/** A fenced block that the content cannot close. */
function fenced(text: string, lang: string): string {
  let fence = '```';
  while (text.includes(fence)) fence += '`';
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}

function capped(patch: string): string {
  const lines = patch.split('\n');
  // The two file-name lines of a unified diff say nothing the heading does not.
  const body = lines.slice(lines[0]?.startsWith('===') ? 4 : 2);
  return body.length > MAX_PATCH_LINES ? `${body.slice(0, MAX_PATCH_LINES).join('\n')}\n… ${body.length - MAX_PATCH_LINES} more lines in the JSON report` : body.join('\n');
}

function summaryLine(a: RenderedApplicationDetail): string {
  const d = a.diff;
  const counts = `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`;
  const what = a.grouping === 'application' ? `Application ${a.name}` : a.grouping === 'kustomization' ? `kustomization ${a.dir || '.'}` : `Helm chart ${a.dir || '.'}`;
  return `${htmlCode(what)}: ${counts}${a.partial ? ' (partial: a source was not rendered)' : ''}`;
}

/** Renders `report.details.render`, or undefined when nothing was rendered. */
export function renderRenderSection(report: Report, h: string): { full: string; compact: string } | undefined {
  const d = report.details.render;
  if (!d || !d.applications.length) return undefined;
  const head = [`${h} Rendered manifests`, '', `kustomize and Helm sources rendered as ArgoCD's repo-server would (${d.runs} tool runs, ${d.cacheHits} from the cache). The sync rules read these objects.`, ''];
  const table = ['| Rendered | Source | Head | Base |', '|---|---|---|---|'];
  for (const a of d.applications) {
    for (const u of a.units) table.push(`| ${cell(a.name)} | ${u.sourceType ?? ''} ${code(u.id)} | ${side(u.head)} | ${side(u.base)} |`);
  }
  const compact = [...head, ...table, ''].join('\n');
  const out = [...head, ...table, ''];
  let size = compact.length;
  let left = 0;
  for (const a of d.applications) {
    const d2 = a.diff;
    if (!d2.added.length && !d2.removed.length && !d2.changed.length) continue;
    const parts = [`<details><summary>${summaryLine(a)}</summary>`, ''];
    for (const o of d2.added) parts.push(`- added ${code(o.key)} (${cell(`${o.file}:${o.line}`)})`);
    for (const o of d2.removed) parts.push(`- removed ${code(o.key)} (${cell(`${o.file}:${o.line}`)})`);
    for (const c of d2.changed) parts.push(`- changed ${code(c.key)} (${cell(`${c.file}:${c.line}`)})`, '', fenced(capped(c.patch), 'diff'), '');
    parts.push('', '</details>', '');
    const text = parts.join('\n');
    if (size + text.length > MAX_SECTION_CHARS) {
      left++;
      continue;
    }
    size += text.length;
    out.push(text);
  }
  if (left) out.push(`${left} more rendered diff${left > 1 ? 's' : ''} in the JSON report (details.render).`, '');
  return { full: out.join('\n'), compact };
}
