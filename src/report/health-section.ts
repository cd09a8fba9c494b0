/**
 * The health section of the summary: the custom health checks found, and every health_test.yaml case
 * with its result at head (and at base, marking the results the change alters).
 */
import type { Report } from '../core/model.js';
import type { RootContent } from 'mdast';
import { code, heading, type Inline, paragraph, serialize, table, text, untrusted } from './md.js';

/** Renders `report.details.health`, or undefined when no health checks were found. */
export function renderHealthSection(report: Report, h: string): string | undefined {
  const d = report.details.health;
  if (!d) return undefined;
  const out: RootContent[] = [heading(h.length, text('Custom health checks'))];
  if (d.checks.length) {
    const rows = d.checks.map((c): Inline[] => {
      const fresh = d.fresh.find((f) => f.key === c.key && f.file === c.file);
      const r = fresh ? `${fresh.result.status || '(empty)'}${fresh.result.message ? `: ${fresh.result.message}` : ''}` : 'not run';
      return [code(c.key), [untrusted(`${c.file}:${c.line}`, 500), text(` (${c.origin})`)], text(c.useOpenLibs ? 'yes' : 'no'), untrusted(r, 200)];
    });
    out.push(table(['Group/Kind', 'Defined in', 'useOpenLibs', 'On a new object'], rows));
  }
  if (d.tests.length) {
    const failed = d.tests.filter((t) => !t.headPass && !t.notRun).length;
    const notRun = d.tests.filter((t) => t.notRun).length;
    const changed = d.tests.filter((t) => t.changed);
    out.push(paragraph(text(`Test cases: ${d.tests.length}, failing: ${failed}${notRun ? `, not run (health.maxRunsPerSide spent): ${notRun}` : ''}${changed.length ? `, results changed by this change: ${changed.length}` : ''}.`)));
    const hasBase = d.tests.some((t) => t.base !== undefined);
    const shown = d.tests.filter((t) => !t.headPass || t.changed);
    if (shown.length === 0) {
      out.push(paragraph(text('Every case passes.')));
      return serialize(out);
    }
    const rows = shown.map((t): Inline[] => [
      untrusted(t.suite, 500),
      [text(`${t.case} (`), untrusted(t.input, 500), text(')')],
      untrusted(t.expected, 200),
      t.notRun ? text('NOT RUN') : [text(`${t.headPass ? 'pass' : 'FAIL'}: `), untrusted(t.head, 200)],
      ...(hasBase ? [t.base === undefined ? text('new') : [text(`${t.basePass ? 'pass' : 'FAIL'}: `), untrusted(t.base, 200)], text(t.changed ? 'yes' : '')] : []),
    ]);
    out.push(table(['Suite', 'Case', 'Expected', 'Head', ...(hasBase ? ['Base', 'Changed'] : [])], rows));
  }
  return serialize(out);
}
