/**
 * Renders `report.details.syncPlans` (src/sync/plan-report.ts): per sync group, a collapsed table of the order
 * ArgoCD applies the resources in after the change, with the step each had before and the moves marked.
 */
import type { Report } from '../core/model.js';
import type { GroupPlan, PlanRow, SyncPlansDetail } from '../sync/plan-report.js';
import { cell, code, escapeMarkdown, htmlCode } from './escape.js';
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

/** For a child Application the change removes: what ArgoCD does to it (src/applications/check.ts), else ''. */
function childFate(report: Report, r: PlanRow): string {
  if (r.kind !== 'argoproj.io/Application') return '';
  const d = report.details.applications as ApplicationsDetail | undefined;
  const c = d?.removedChildren.find((x) => x.name === r.name && x.file === r.file);
  if (!c) return '';
  return c.fate === 'pruned' ? `: pruned by ${escapeMarkdown(c.parent)}${c.cascade ? ', with its resources' : ''}` : `: orphaned (${escapeMarkdown(c.parent)} does not prune)`;
}

/** Most groups rendered in the Markdown summary (GitHub caps a summary at 1 MiB); the JSON report has them all. */
export const MAX_RENDERED_GROUPS = 30;

function mark(r: PlanRow): string {
  const parts: string[] = [];
  if (r.change === 'added') parts.push('🆕 added');
  if (r.change === 'moved' && r.was) parts.push(`↕️ moved (was ${r.was.phase} ${r.was.wave})`);
  if (r.dependencyMove) parts.push(`ArgoCD moves it before ${escapeMarkdown(r.dependencyMove.before)} (annotated ${r.dependencyMove.phase} ${r.dependencyMove.wave})`);
  return parts.join('; ');
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
  const out: string[] = [`${h} Sync plan`, '', 'The order ArgoCD applies the resources of each affected group in: phase, then wave, then kind, then name.', ''];
  // Groups the change reorders come first.
  const shown = [...groups].sort((a, b) => Number(b.changed) - Number(a.changed)).slice(0, MAX_RENDERED_GROUPS);
  for (const g of shown) {
    const moved = g.head.filter((r) => r.change).length + g.removed.length;
    const status = g.base === undefined ? (report.change.mode === 'all' ? '' : ' · new') : g.changed ? ` · changed (${moved} row(s) differ)` : ' · unchanged';
    out.push(`<details><summary>${describe(g)} · grouped by ${GROUPING[g.grouping]}${status}</summary>`, '');
    out.push('| # | Phase | Wave | Kind | Name | Change |', '| --- | --- | --- | --- | --- | --- |');
    g.head.forEach((r, i) => {
      const name = `${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
      const strong = r.change === 'moved' ? (s: string) => `**${s}**` : (s: string) => s;
      out.push(`| ${i + 1} | ${strong(r.phase)} | ${strong(r.wave)} | ${code(r.kind)} | ${cell(name)}${r.hook ? ' (hook)' : ''} | ${mark(r)} |`);
    });
    for (const r of g.removed) out.push(`| - | ~~${r.phase}~~ | ~~${r.wave}~~ | ${code(r.kind)} | ${cell(r.name)} | ➖ removed${childFate(report, r)} |`);
    out.push('', '</details>', '');
  }
  if (groups.length > shown.length) out.push(`_${groups.length - shown.length} more group(s) are in the JSON report (details.syncPlans)._`, '');
  return out.join('\n');
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
    for (const r of g.removed) out.push(`   -. ${r.phase.padEnd(8)} wave ${r.wave.padStart(3)}  ${r.kind} ${r.name}  <- removed${childFate(report, r)}`);
  }
  return out;
}
