/**
 * Delivering the verdict the way the Actions runner expects: workflow annotations (GitHub shows at most
 * 10 error and 10 warning annotations per step), the job summary, the step outputs and the JSON report
 * file. Everything here writes through `@actions/core` or to the report file; nothing reaches the API,
 * so the verdict is delivered even with a read-only token (fork PRs).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as core from '@actions/core';
import type { Finding, Report, Severity } from '../core/model.js';
import { escapeMarkdown } from '../report/escape.js';
import { renderMarkdown } from '../report/markdown.js';

/** GitHub shows at most this many annotations of each level per step. */
export const ANNOTATIONS_PER_LEVEL = 10;
/** A step summary over 1 MiB is not uploaded at all; stay well under it. */
export const SUMMARY_MAX_BYTES = 1_000_000;

/** The annotation functions, injectable for tests. */
export interface Annotator {
  error(message: string, props: core.AnnotationProperties): void;
  warning(message: string, props: core.AnnotationProperties): void;
  notice(message: string, props: core.AnnotationProperties): void;
}

/** The findings to annotate and how many did not fit, per severity. */
export interface AnnotationPlan {
  annotate: Finding[];
  left: Record<Severity, number>;
}

/**
 * Chooses the new findings to annotate: the first 10 of each severity in report order (file, line).
 * When the run will fail, one error slot is kept for the failure message `core.setFailed` writes.
 */
export function planAnnotations(report: Report): AnnotationPlan {
  const limits: Record<Severity, number> = {
    error: report.verdict === 'fail' ? ANNOTATIONS_PER_LEVEL - 1 : ANNOTATIONS_PER_LEVEL,
    warning: ANNOTATIONS_PER_LEVEL,
    notice: ANNOTATIONS_PER_LEVEL,
  };
  const used: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  const left: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  const annotate: Finding[] = [];
  for (const f of report.findings) {
    if (f.status !== 'new') continue;
    if (used[f.severity] < limits[f.severity]) {
      used[f.severity]++;
      annotate.push(f);
    } else {
      left[f.severity]++;
    }
  }
  return { annotate, left };
}

/** Writes the planned annotations (`::error file=…,line=…,col=…,title=…::message`). */
export function annotate(plan: AnnotationPlan, out: Annotator = core): void {
  for (const f of plan.annotate) {
    const props: core.AnnotationProperties = {
      title: `gitops-gate ${f.rule}`,
      file: f.file,
      startLine: f.line,
      startColumn: f.column,
      ...(f.endLine !== undefined && f.endLine === f.line && f.endColumn !== undefined ? { endColumn: f.endColumn } : {}),
    };
    out[f.severity](`${f.message} Fix: ${f.fix}`, props);
  }
}

/** The job summary: the report's Markdown, a note on annotations that did not fit, capped in size. */
export function summaryMarkdown(report: Report, plan: AnnotationPlan): string {
  let md = renderMarkdown(report);
  const left = plan.left.error + plan.left.warning + plan.left.notice;
  if (left > 0) {
    md += `\n> GitHub shows at most ${ANNOTATIONS_PER_LEVEL} error and ${ANNOTATIONS_PER_LEVEL} warning annotations per step: ${left} more finding(s) are listed in this summary only.\n`;
  }
  return capSummary(md);
}

/** Cuts Markdown to {@link SUMMARY_MAX_BYTES} at a line break, saying so. */
export function capSummary(md: string): string {
  if (Buffer.byteLength(md) <= SUMMARY_MAX_BYTES) return md;
  const note = '\n\n> The summary was cut at 1 MB (GitHub does not show larger step summaries). The JSON report file has every finding.\n';
  let cut = Buffer.from(md).subarray(0, SUMMARY_MAX_BYTES - Buffer.byteLength(note)).toString('utf8');
  cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
  return cut + note;
}

/** Counts of new findings per severity, for the outputs. */
export function newCounts(report: Report): { errors: number; warnings: number } {
  const n = report.findings.filter((f) => f.status === 'new');
  return { errors: n.filter((f) => f.severity === 'error').length, warnings: n.filter((f) => f.severity === 'warning').length };
}

/** Writes the JSON report, creating its directory. */
export async function writeReport(path: string, report: Report): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(report, null, 2) + '\n');
}

/**
 * Delivers a report: annotations, summary, outputs, report file, and the job's result by `fail-on`
 * (the report's verdict already applies it).
 */
export async function deliver(report: Report, reportFile: string): Promise<void> {
  const plan = planAnnotations(report);
  annotate(plan);
  await writeReport(reportFile, report);
  const counts = newCounts(report);
  core.setOutput('verdict', report.verdict);
  core.setOutput('errors', counts.errors);
  core.setOutput('warnings', counts.warnings);
  core.setOutput('report-file', reportFile);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summaryMarkdown(report, plan)).write();
  core.info(`gitops-gate: ${report.verdict.toUpperCase()} (${counts.errors} new error(s), ${counts.warnings} new warning(s), fail-on ${report.failOn}). Report: ${reportFile}`);
  if (report.verdict === 'fail') {
    const blocking = report.rules.filter((r) => r.blocking && r.state === 'failed').map((r) => r.rule);
    const parts = [
      ...(counts.errors ? [`${counts.errors} new error(s)`] : []),
      ...(report.failOn === 'warning' && counts.warnings ? [`${counts.warnings} new warning(s)`] : []),
      ...(blocking.length ? [`failed requirement(s): ${blocking.join(', ')}`] : []),
    ];
    core.setFailed(`gitops-gate: the change does not pass the policy (${parts.join('; ') || 'see the job summary'}). The job summary lists every finding.`);
  }
}

/**
 * Delivers a run that could not evaluate (bad input, refused API call): the gate fails closed with
 * `verdict=fail`, the message in the summary, and a failed step.
 */
export async function deliverFailure(message: string): Promise<void> {
  core.setOutput('verdict', 'fail');
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary
        .addRaw(`## GitOps Gate: ❌ FAIL\n\nThe gate could not evaluate this change, so it fails closed:\n\n> ${escapeMarkdown(message)}\n`)
        .write();
    } catch {
      // The summary is best effort here; the failure message below is what matters.
    }
  }
  core.setFailed(`gitops-gate: ${message}`);
}
