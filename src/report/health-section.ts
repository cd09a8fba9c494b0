/**
 * The health section of the summary: the custom health checks found, and every health_test.yaml case
 * with its result at head (and at base, marking the results the change alters).
 */
import type { Report } from '../core/model.js';
import { cell, code } from './escape.js';

/** Renders `report.details.health`, or undefined when no health checks were found. */
export function renderHealthSection(report: Report, h: string): string | undefined {
  const d = report.details.health;
  if (!d) return undefined;
  const out: string[] = [`${h} Custom health checks`, ''];
  if (d.checks.length) {
    out.push('| Group/Kind | Defined in | useOpenLibs | On a new object |', '|---|---|---|---|');
    for (const c of d.checks) {
      const fresh = d.fresh.find((f) => f.key === c.key && f.file === c.file);
      const r = fresh ? `${fresh.result.status || '(empty)'}${fresh.result.message ? `: ${fresh.result.message}` : ''}` : 'not run';
      out.push(`| ${code(c.key)} | ${cell(`${c.file}:${c.line}`)} (${c.origin}) | ${c.useOpenLibs ? 'yes' : 'no'} | ${cell(r, 200)} |`);
    }
    out.push('');
  }
  if (d.tests.length) {
    const failed = d.tests.filter((t) => !t.headPass && !t.notRun).length;
    const notRun = d.tests.filter((t) => t.notRun).length;
    const changed = d.tests.filter((t) => t.changed);
    out.push(`Test cases: ${d.tests.length}, failing: ${failed}${notRun ? `, not run (health.maxRunsPerSide spent): ${notRun}` : ''}${changed.length ? `, results changed by this change: ${changed.length}` : ''}.`, '');
    const hasBase = d.tests.some((t) => t.base !== undefined);
    const shown = d.tests.filter((t) => !t.headPass || t.changed);
    if (shown.length === 0) {
      out.push('Every case passes.', '');
      return out.join('\n');
    }
    out.push(`| Suite | Case | Expected | Head |${hasBase ? ' Base | Changed |' : ''}`, `|---|---|---|---|${hasBase ? '---|---|' : ''}`);
    for (const t of shown) {
      const row = `| ${cell(t.suite)} | ${t.case} (${cell(t.input)}) | ${cell(t.expected, 200)} | ${t.notRun ? 'NOT RUN' : `${t.headPass ? 'pass' : 'FAIL'}: ${cell(t.head, 200)}`} |`;
      out.push(hasBase ? `${row} ${t.base === undefined ? 'new' : `${t.basePass ? 'pass' : 'FAIL'}: ${cell(t.base, 200)}`} | ${t.changed ? 'yes' : ''} |` : row);
    }
    out.push('');
  }
  return out.join('\n');
}
