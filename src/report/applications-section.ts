/**
 * The "Applications" section of the summary: for every Application the change touches, its project,
 * destination, automated/selfHeal/prune before and after, its sync-failure notifications, and what the change
 * weakens; then the child Applications it removes and the break-glass sync windows. Reads
 * `report.details.applications` (src/applications/check.ts).
 */
import type { Report } from '../core/model.js';
import type { ApplicationsDetail, AppRow } from '../applications/check.js';
import type { DriftControls } from '../applications/model.js';
import { cell, code } from './escape.js';

/** Most Applications rendered in the Markdown summary; the JSON report has them all. */
export const MAX_RENDERED_APPS = 50;

function detail(report: Report): ApplicationsDetail | undefined {
  const d = report.details.applications as ApplicationsDetail | undefined;
  return d && (d.apps.length || d.removedChildren.length) ? d : undefined;
}

/** `automated · selfHeal · prune` in short form: `on/on/on`, `off`. */
export function driftLabel(d?: DriftControls): string {
  if (!d) return '-';
  if (!d.automated) return 'manual sync';
  const yn = (b: boolean) => (b ? 'on' : 'off');
  return `auto · selfHeal ${yn(d.selfHeal)} · prune ${yn(d.prune)}${d.retryLimit ? ` · retry ${d.retryLimit}` : ''}`;
}

/** `before → **after**` with both parts escaped for a table cell (`plain` for terminal text). */
function beforeAfter(b: string | undefined, h: string | undefined, plain = false): string {
  const c = plain ? (x: string) => x : (x: string) => cell(x, 200);
  if (b === undefined) return h === undefined ? '-' : c(h);
  if (h === undefined) return plain ? `${b} (removed)` : `~~${c(b)}~~ (removed)`;
  return b === h ? c(b) : plain ? `${b} -> ${h}` : `${c(b)} → **${c(h)}**`;
}

function row(a: AppRow): string {
  const notif = a.notifications.head === undefined ? '-' : a.notifications.head.length ? a.notifications.head.join('; ') : 'none';
  const weak = a.weakens.length ? `⚠️ ${a.weakens.join('; ')}` : '-';
  const drift = beforeAfter(a.drift.base ? driftLabel(a.drift.base) : undefined, a.drift.head ? driftLabel(a.drift.head) : undefined);
  return `| ${code(a.name)}${a.production ? ' (production)' : ''} | ${beforeAfter(a.project.base, a.project.head)} | ${beforeAfter(a.destination.base, a.destination.head)} | ${drift} | ${cell(notif, 300)} | ${cell(weak, 600)} |`;
}

/** The Applications section of the Markdown summary, or `undefined` when the change touches no Application. */
export function renderApplicationsSection(report: Report, h: string): string | undefined {
  const d = detail(report);
  if (!d) return undefined;
  const weakened = d.apps.filter((a) => a.weakens.length);
  const out: string[] = [`${h} Applications`, ''];
  out.push(weakened.length ? `This change weakens ${weakened.length} Application(s): ${weakened.map((a) => `${code(a.name)} ${cell(a.weakens[0]!, 200)}`).join('; ')}.` : 'This change weakens no ArgoCD control of the Applications it touches.', '');
  out.push('| Application | Project | Destination | Sync (before → after) | Sync-failure notifications | Weakens |', '| --- | --- | --- | --- | --- | --- |');
  for (const a of d.apps.slice(0, MAX_RENDERED_APPS)) out.push(row(a));
  if (d.apps.length > MAX_RENDERED_APPS) out.push('', `_${d.apps.length - MAX_RENDERED_APPS} more Application(s) are in the JSON report (details.applications)._`);
  if (d.removedChildren.length) {
    out.push('', 'Child Applications removed from their parent:', '');
    for (const c of d.removedChildren) out.push(`- ${code(c.name)} (from ${code(c.parent)}): **${c.fate}**${c.fate === 'pruned' ? (c.cascade ? ', with every resource it deployed (resources-finalizer)' : ', its resources stay unmanaged') : ': keeps running, no longer managed by its parent'}`);
  }
  if (d.breakGlassWindows.length) {
    out.push('', 'Deny sync windows that allow manual sync (break-glass sync is possible while they are active):', '');
    for (const w of d.breakGlassWindows) out.push(`- AppProject ${code(w.project)}: ${code(w.schedule)} for ${code(w.duration)}`);
  }
  return out.join('\n');
}

/** The Applications section as plain text lines for the terminal report. */
export function renderApplicationsText(report: Report): string[] {
  const d = detail(report);
  if (!d) return [];
  const out: string[] = [];
  for (const a of d.apps) {
    out.push(`application ${a.name}${a.production ? ' (production)' : ''}: project ${beforeAfter(a.project.base, a.project.head, true)}, ${beforeAfter(a.drift.base ? driftLabel(a.drift.base) : undefined, a.drift.head ? driftLabel(a.drift.head) : undefined, true)}`);
    for (const w of a.weakens) out.push(`  WEAKENS: ${w}`);
  }
  for (const c of d.removedChildren) out.push(`child application ${c.name} removed from ${c.parent}: ${c.fate}${c.cascade && c.fate === 'pruned' ? ' (with its resources)' : ''}`);
  return out;
}
