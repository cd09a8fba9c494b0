/**
 * Delivering the verdict the way the Actions runner expects: workflow annotations (GitHub shows at most
 * 10 error and 10 warning annotations per step), the job summary, the step outputs, the audit record
 * (`report-file`) and the SARIF log (`sarif-file`). Everything here writes through `@actions/core` or to
 * files; nothing reaches the API, so the verdict is delivered even with a read-only token (fork PRs).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as core from '@actions/core';
import type { Finding, Report, Severity } from '../core/model.js';
import { renderJobSummary } from '../publish/job-summary.js';
import type { PublishOutcome } from '../publish/publish.js';
import { type AuditRecord, auditRecordJson } from '../report/audit-record.js';
import { heading, paragraph, quote, serialize, text, untrusted } from '../report/md.js';
import { renderSarif } from '../report/sarif.js';

/** GitHub shows at most this many annotations of each level per step. */
export const ANNOTATIONS_PER_LEVEL = 10;

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

/** The job summary's note on findings that did not fit in workflow annotations, if any. */
export function annotationOverflowNote(plan: AnnotationPlan): string | undefined {
  const left = plan.left.error + plan.left.warning + plan.left.notice;
  if (left === 0) return undefined;
  return `GitHub shows at most ${ANNOTATIONS_PER_LEVEL} error and ${ANNOTATIONS_PER_LEVEL} warning annotations per step: ${left} more finding(s) are listed in this summary only.`;
}

/** Counts of new findings per severity, for the outputs. */
export function newCounts(report: Report): { errors: number; warnings: number } {
  const n = report.findings.filter((f) => f.status === 'new');
  return { errors: n.filter((f) => f.severity === 'error').length, warnings: n.filter((f) => f.severity === 'warning').length };
}

/** The run's files: where they go and what goes in them. */
export interface RunFiles {
  /** Absolute path of the audit record (`report-file`). */
  reportFile: string;
  /** The audit record to write there (see src/report/audit-record.ts). */
  record: AuditRecord;
  /** Absolute path of the SARIF log (`sarif-file`), when asked for. */
  sarifFile?: string;
}

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/**
 * Writes the audit record and the SARIF log, creating their directories. Called before publishing, so a
 * file that cannot be written fails the run before anything reaches the pull request.
 * @throws the file system's error (the Action then fails closed)
 */
export async function writeRunFiles(report: Report, files: RunFiles): Promise<void> {
  await writeText(files.reportFile, auditRecordJson(files.record));
  if (files.sarifFile) await writeText(files.sarifFile, JSON.stringify(renderSarif(report), null, 2) + '\n');
}

/**
 * Delivers a report: annotations, outputs (the files' paths: see {@link writeRunFiles}), the job summary,
 * and the job's result by `fail-on` (the report's verdict already applies it). Publishing's refusals only
 * add to the summary: they never change the verdict.
 */
export async function deliver(report: Report, d: Omit<RunFiles, 'record'> & { publishing?: Pick<PublishOutcome, 'stale' | 'warnings' | 'checkRun' | 'comment'> }): Promise<void> {
  const plan = planAnnotations(report);
  annotate(plan);
  const counts = newCounts(report);
  core.setOutput('verdict', report.verdict);
  core.setOutput('errors', counts.errors);
  core.setOutput('warnings', counts.warnings);
  core.setOutput('report-file', d.reportFile);
  if (d.sarifFile) core.setOutput('sarif-file', d.sarifFile);
  core.setOutput('override', report.override ? 'true' : 'false');
  core.setOutput('not-evaluated', report.notEvaluated.length);
  // Set only when GitHub accepted the write (a fork PR's read-only token publishes nothing).
  const checkRunUrl = d.publishing?.checkRun?.checkRun?.url;
  if (checkRunUrl) core.setOutput('check-run-url', checkRunUrl);
  const commentUrl = d.publishing?.comment?.comment?.url;
  if (commentUrl) core.setOutput('comment-url', commentUrl);
  if (process.env.GITHUB_STEP_SUMMARY) {
    const note = annotationOverflowNote(plan);
    await core.summary.addRaw(renderJobSummary(report, d.publishing, { notes: note ? [note] : [] })).write();
  }
  core.info(`gitops-gate: ${report.verdict.toUpperCase()} (${counts.errors} new error(s), ${counts.warnings} new warning(s), fail-on ${report.failOn}). Audit record: ${d.reportFile}`);
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
 * `verdict=fail`, the message in the summary (quoted as text: it can quote GitHub's answers and the
 * repository's files), and a failed step.
 */
export async function deliverFailure(message: string): Promise<void> {
  core.setOutput('verdict', 'fail');
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      const summary = serialize([
        heading(2, text('GitOps Gate: ❌ FAIL')),
        paragraph(text('The gate could not evaluate this change, so it fails closed:')),
        quote(untrusted(message)),
      ]);
      await core.summary.addRaw(summary + '\n').write();
    } catch {
      // The summary is best effort here; the failure message below is what matters.
    }
  }
  core.setFailed(`gitops-gate: ${message}`);
}
