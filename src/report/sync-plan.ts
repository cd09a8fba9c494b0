/**
 * Renders `report.details.syncPlans` (src/sync/plan-report.ts): per sync group, a collapsed table of the order
 * ArgoCD applies the resources in after the change, with the step each had before and the moves marked.
 */
import type { Report } from '../core/model.js';
import type { GroupPlan, PlanRow, SyncPlansDetail } from '../sync/plan-report.js';
import type { RootContent } from 'mdast';
import { htmlCode } from './escape.js';
import { code, details, emphasis, heading, type Inline, paragraph, serialize, strike, strong, table, text, untrusted } from './md.js';
import type { ApplicationsDetail } from '../applications/check.js';

const GROUPING: Record<GroupPlan['grouping'], string> = {
  application: 'Application',
  kustomization: 'kustomization directory',
  directory: 'directory',
};

function plans(report: Report): GroupPlan[] {
  const d = report.details.syncPlans as SyncPlansDetail | undefined;
  return d?.groups ?? [];
}

/** For a child Application the change removes: what ArgoCD does to it (src/applications/check.ts), else nothing. */
function childFate(report: Report, r: PlanRow): { pruned: boolean; parent: string; cascade: boolean } | undefined {
  if (r.kind !== 'argoproj.io/Application') return undefined;
  const d = report.details.applications as ApplicationsDetail | undefined;
  const c = d?.removedChildren.find((x) => x.name === r.name && x.file === r.file);
  return c && { pruned: c.fate === 'pruned', parent: c.parent, cascade: Boolean(c.cascade) };
}

function childFateText(report: Report, r: PlanRow): string {
  const c = childFate(report, r);
  if (!c) return '';
  return c.pruned ? `: pruned by ${c.parent}${c.cascade ? ', with its resources' : ''}` : `: orphaned (${c.parent} does not prune)`;
}

function childFateInline(report: Report, r: PlanRow): Inline {
  const c = childFate(report, r);
  if (!c) return [];
  return c.pruned ? [text(': pruned by '), untrusted(c.parent), text(c.cascade ? ', with its resources' : '')] : [text(': orphaned ('), untrusted(c.parent), text(' does not prune)')];
}

/** Most groups rendered in the Markdown summary (GitHub caps a summary at 1 MiB); the JSON report has them all. */
export const MAX_RENDERED_GROUPS = 30;

function mark(r: PlanRow): Inline {
  const parts: Inline[] = [];
  if (r.change === 'added') parts.push(text('🆕 added'));
  if (r.change === 'moved' && r.was) parts.push(text(`↕️ moved (was ${r.was.phase} ${r.was.wave})`));
  if (r.dependencyMove) parts.push([text('ArgoCD moves it before '), untrusted(r.dependencyMove.before), text(` (annotated ${r.dependencyMove.phase} ${r.dependencyMove.wave})`)]);
  return parts.flatMap((p, i) => (i ? [text('; '), p] : [p]));
}

/** The group's title; it goes inside `<summary>`, where only HTML is read, so names are HTML-escaped. */
function describe(g: GroupPlan): string {
  const where = g.dir ? htmlCode(g.dir + '/') : 'the repository root';
  return g.grouping === 'application'
    ? `Application ${htmlCode(g.name)} (${where}, from ${htmlCode(g.application ?? '')})`
    : `${GROUPING[g.grouping]} ${where}`;
}

/** The sync plan section of the Markdown summary, or `undefined` when no plan was computed. */
export function renderSyncPlans(report: Report, h: string): string | undefined {
  const groups = plans(report);
  if (!groups.length) return undefined;
  const out: RootContent[] = [heading(h.length, text('Sync plan')), paragraph(text('The order ArgoCD applies the resources of each affected group in: phase, then wave, then kind, then name.'))];
  // Groups the change reorders come first.
  const shown = [...groups].sort((a, b) => Number(b.changed) - Number(a.changed)).slice(0, MAX_RENDERED_GROUPS);
  for (const g of shown) {
    const moved = g.head.filter((r) => r.change).length + g.removed.length;
    const status = g.base === undefined ? (report.change.mode === 'all' ? '' : ' · new') : g.changed ? ` · changed (${moved} row(s) differ)` : ' · unchanged';
    const rows: Inline[][] = g.head.map((r, i) => {
      const name = `${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
      const moved = (s: string) => (r.change === 'moved' ? strong(text(s)) : text(s));
      return [text(String(i + 1)), moved(r.phase), moved(r.wave), code(r.kind), [untrusted(name, 500), text(r.hook ? ' (hook)' : '')], mark(r)];
    });
    for (const r of g.removed) rows.push([text('-'), strike(text(r.phase)), strike(text(r.wave)), code(r.kind), untrusted(r.name, 500), [text('➖ removed'), childFateInline(report, r)]]);
    out.push(...details(`${describe(g)} · grouped by ${GROUPING[g.grouping]}${status}`, [table(['#', 'Phase', 'Wave', 'Kind', 'Name', 'Change'], rows)]));
  }
  if (groups.length > shown.length) out.push(paragraph(emphasis(text(`${groups.length - shown.length} more group(s) are in the JSON report (details.syncPlans).`))));
  return serialize(out);
}

/** The sync plan as plain text lines for the terminal report. */
export function renderSyncPlansText(report: Report): string[] {
  const out: string[] = [];
  for (const g of plans(report)) {
    out.push(`sync plan: ${g.grouping === 'application' ? `Application ${g.name}` : `${GROUPING[g.grouping]} ${g.dir || '.'}`} (grouped by ${GROUPING[g.grouping]}${g.changed ? ', changed by this PR' : ''})`);
    g.head.forEach((r, i) => {
      const m = [r.change === 'added' ? 'added' : '', r.change === 'moved' && r.was ? `MOVED from ${r.was.phase} ${r.was.wave}` : '', r.dependencyMove ? `moved by ArgoCD before ${r.dependencyMove.before}` : '']
        .filter(Boolean)
        .join('; ');
      out.push(`  ${String(i + 1).padStart(2)}. ${r.phase.padEnd(8)} wave ${r.wave.padStart(3)}  ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.hook ? ' (hook)' : ''}${m ? `  <- ${m}` : ''}`);
    });
    for (const r of g.removed) out.push(`   -. ${r.phase.padEnd(8)} wave ${r.wave.padStart(3)}  ${r.kind} ${r.name}  <- removed${childFateText(report, r)}`);
  }
  return out;
}
