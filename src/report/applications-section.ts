/**
 * The "Applications" section of the summary: for every Application the change touches, its project,
 * destination, automated/selfHeal/prune before and after, its sync-failure notifications, and what the change
 * weakens; then the child Applications it removes and the break-glass sync windows. Reads
 * `report.details.applications` (src/applications/check.ts).
 */
import type { Report } from '../core/model.js';
import type { ApplicationsDetail, AppRow } from '../applications/check.js';
import type { DriftControls } from '../applications/model.js';
import type { RootContent } from 'mdast';
import { code, emphasis, heading, type Inline, join, list, paragraph, serialize, strike, strong, table, text, untrusted } from './md.js';

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

/** `before → **after**` for a table cell, each part escaped and capped. */
function beforeAfter(b: string | undefined, h: string | undefined): Inline {
  const c = (x: string) => untrusted(x, 200);
  if (b === undefined) return h === undefined ? text('-') : c(h);
  if (h === undefined) return [strike(c(b)), text(' (removed)')];
  return b === h ? c(b) : [c(b), text(' → '), strong(c(h))];
}

/** `before -> after` for terminal text. */
function beforeAfterText(b: string | undefined, h: string | undefined): string {
  if (b === undefined) return h === undefined ? '-' : h;
  if (h === undefined) return `${b} (removed)`;
  return b === h ? b : `${b} -> ${h}`;
}

function row(a: AppRow): Inline[] {
  const notif = a.notifications.head === undefined ? '-' : a.notifications.head.length ? a.notifications.head.join('; ') : 'none';
  const weak = a.weakens.length ? `⚠️ ${a.weakens.join('; ')}` : '-';
  const drift = beforeAfter(a.drift.base ? driftLabel(a.drift.base) : undefined, a.drift.head ? driftLabel(a.drift.head) : undefined);
  return [[code(a.name), text(a.production ? ' (production)' : '')], beforeAfter(a.project.base, a.project.head), beforeAfter(a.destination.base, a.destination.head), drift, untrusted(notif, 300), untrusted(weak, 600)];
}

/** The Applications section of the Markdown summary, or `undefined` when the change touches no Application. */
export function renderApplicationsSection(report: Report, h: string): string | undefined {
  const d = detail(report);
  if (!d) return undefined;
  const weakened = d.apps.filter((a) => a.weakens.length);
  const out: RootContent[] = [heading(h.length, text('Applications'))];
  out.push(
    weakened.length
      ? paragraph(text(`This change weakens ${weakened.length} Application(s): `), join(weakened.map((a) => [code(a.name), text(' '), untrusted(a.weakens[0]!, 200)]), '; '), text('.'))
      : paragraph(text('This change weakens no ArgoCD control of the Applications it touches.')),
  );
  out.push(table(['Application', 'Project', 'Destination', 'Sync (before → after)', 'Sync-failure notifications', 'Weakens'], d.apps.slice(0, MAX_RENDERED_APPS).map(row)));
  if (d.apps.length > MAX_RENDERED_APPS) out.push(paragraph(emphasis(text(`${d.apps.length - MAX_RENDERED_APPS} more Application(s) are in the JSON report (details.applications).`))));
  if (d.removedChildren.length) {
    out.push(paragraph(text('Child Applications removed from their parent:')));
    out.push(
      list(
        d.removedChildren.map((c) => [
          code(c.name),
          text(' (from '),
          code(c.parent),
          text('): '),
          strong(text(c.fate)),
          text(c.fate === 'pruned' ? (c.cascade ? ', with every resource it deployed (resources-finalizer)' : ', its resources stay unmanaged') : ': keeps running, no longer managed by its parent'),
        ]),
      ),
    );
  }
  if (d.breakGlassWindows.length) {
    out.push(paragraph(text('Deny sync windows that allow manual sync (break-glass sync is possible while they are active):')));
    out.push(list(d.breakGlassWindows.map((w) => [text('AppProject '), code(w.project), text(': '), code(w.schedule), text(' for '), code(w.duration)])));
  }
  return serialize(out);
}

/** The Applications section as plain text lines for the terminal report. */
export function renderApplicationsText(report: Report): string[] {
  const d = detail(report);
  if (!d) return [];
  const out: string[] = [];
  for (const a of d.apps) {
    out.push(`application ${a.name}${a.production ? ' (production)' : ''}: project ${beforeAfterText(a.project.base, a.project.head)}, ${beforeAfterText(a.drift.base ? driftLabel(a.drift.base) : undefined, a.drift.head ? driftLabel(a.drift.head) : undefined)}`);
    for (const w of a.weakens) out.push(`  WEAKENS: ${w}`);
  }
  for (const c of d.removedChildren) out.push(`child application ${c.name} removed from ${c.parent}: ${c.fate}${c.cascade && c.fate === 'pruned' ? ' (with its resources)' : ''}`);
  return out;
}
