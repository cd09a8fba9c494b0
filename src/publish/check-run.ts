/**
 * The check run: one per evaluation, with a stable name on the PR's head SHA, so branch protection can
 * require it and a later run (after an approval, say) replaces the earlier result. Every finding is an
 * annotation on its file and line.
 *
 * GitHub REST API, "Create a check run" / "Update a check run": at most 50 annotations per request,
 * more are appended by updating the run (each update must repeat `output.title` and `output.summary`);
 * `output.summary` at most 65,535 characters; annotation `title` at most 255 characters, `message` at
 * most 64 KB; `annotation_level` is `notice`, `warning` or `failure`.
 */
import { GitHubResponseError } from '../core/errors.js';
import type { Finding, Report, Severity } from '../core/model.js';
import { blockingFindings, plural } from '../report/blockers.js';
import { type Budget, LIMITS, truncate } from '../report/limits.js';
import { renderMarkdown } from '../report/markdown.js';
import { heading, link, paragraph, quote, serialize, text, untrusted } from '../report/md.js';
import { formatHeadRecord } from '../review/head-records.js';
import { emptyResult, type GitHubWriter, type PublishResult, refusal, type RepoRef } from './client.js';

/** The default check name (input `check-name`). */
export const DEFAULT_CHECK_NAME = 'GitOps Gate';

/** A check run conclusion the gate uses. */
export type Conclusion = 'success' | 'failure' | 'neutral';

/** One check run annotation, as the API takes it. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title: string;
  raw_details?: string;
}

/** Options of {@link publishCheckRun}. */
export interface CheckRunOptions extends RepoRef {
  /** The SHA the evaluation ran on: the PR's head (after {@link checkHead} confirmed it). */
  headSha: string;
  /** Input `check-name`; default {@link DEFAULT_CHECK_NAME}. */
  name?: string;
  /** Link from the check run to the workflow run (the job summary). */
  detailsUrl?: string;
  /** Where the full report is, named when the summary is shortened (Markdown). */
  fullReport?: string;
  /**
   * At most this many annotations (new findings first), to bound the requests (one per 50) a repository
   * with thousands of old findings would cost against the token's rate limit. Default {@link MAX_ANNOTATIONS}.
   */
  maxAnnotations?: number;
}

/** Default cap on annotations per check run: 3,000 findings, 60 requests. */
export const MAX_ANNOTATIONS = 3000;

/** What {@link publishCheckRun} did. */
export interface CheckRunResult extends PublishResult {
  /** The check run, when it was created. */
  checkRun?: { id: number; url?: string };
  /** Number of annotations GitHub accepted. */
  annotationsSent: number;
}

/** `neutral` for a pass by break-glass override (compliance reviews it), else success or failure. */
export function checkRunConclusion(report: Report): Conclusion {
  if (report.override) return 'neutral';
  return report.verdict === 'pass' ? 'success' : 'failure';
}

const LEVEL: Record<Severity, Annotation['annotation_level']> = { error: 'failure', warning: 'warning', notice: 'notice' };

/** The check run title: verdict and counts, in one line. */
export function checkRunTitle(report: Report): string {
  const newCount = report.findings.filter((f) => f.status === 'new').length;
  const missing = report.rules.filter((r) => (r.state === 'failed' && r.blocking) || r.state === 'pending').length;
  const verdict = report.override ? 'Passed by override' : report.verdict === 'pass' ? 'Passed' : 'Failed';
  const parts = [plural(newCount, 'new finding')];
  if (blockingFindings(report).length) parts.push(`${blockingFindings(report).length} blocking`);
  if (missing) parts.push(plural(missing, 'requirement') + ' not met');
  // A draft is evaluated like any pull request; the title says it is one (its findings may be work in progress).
  const draft = report.change.pr?.draft ? 'Draft: ' : '';
  return truncate(`${draft}${verdict}: ${parts.join(', ')}`, { max: LIMITS.checkRunTitleChars, unit: 'chars' });
}

const MESSAGE_BUDGET: Budget = { max: LIMITS.annotationMessageBytes, unit: 'bytes' };

/**
 * One annotation per finding. Pre-existing findings are `notice`s titled as such: they do not block.
 * Columns are sent only for one-line spans (the API ignores them otherwise).
 */
export function findingAnnotation(f: Finding): Annotation {
  const endLine = Math.max(f.endLine ?? f.line, f.line);
  const sameLine = endLine === f.line;
  const pre = f.status === 'pre-existing';
  return {
    path: f.file,
    start_line: f.line,
    end_line: endLine,
    ...(sameLine && f.column > 0 ? { start_column: f.column, end_column: Math.max(f.endColumn ?? f.column, f.column) } : {}),
    annotation_level: pre ? 'notice' : LEVEL[f.severity],
    title: truncate(`${pre ? '(pre-existing) ' : ''}${f.rule}${f.subject ? `: ${f.subject}` : ''}`, { max: LIMITS.annotationTitleChars, unit: 'chars' }),
    message: truncate(`${f.message}\nFix: ${f.fix}`, MESSAGE_BUDGET),
    raw_details: truncate(`Rule ${f.rule} (${f.severity}${pre ? ', already on the base branch: does not block' : ''}). Behaviour behind it: ${f.reference}`, MESSAGE_BUDGET),
  };
}

/**
 * Creates the check run on `headSha` with the first 50 annotations, then appends the rest in updates
 * of at most 50 each. Never throws: a refused request ends the publishing of this run and is listed
 * in the result with the permission to grant (`checks: write`).
 */
export async function publishCheckRun(client: GitHubWriter, report: Report, opts: CheckRunOptions): Promise<CheckRunResult> {
  const result: CheckRunResult = { ...emptyResult(), annotationsSent: 0 };
  const name = opts.name ?? DEFAULT_CHECK_NAME;
  const output = {
    title: checkRunTitle(report),
    summary: renderMarkdown(report, {
      budget: { max: LIMITS.checkRunSummaryChars, unit: 'chars' },
      ...(opts.fullReport ? { fullReport: opts.fullReport } : {}),
    }),
  };
  // New findings first: they are what the reviewer must see if the cap or a refused update cuts the list.
  const ordered = [...report.findings.filter((f) => f.status === 'new'), ...report.findings.filter((f) => f.status !== 'new')];
  const max = opts.maxAnnotations ?? MAX_ANNOTATIONS;
  const annotations = ordered.slice(0, max).map(findingAnnotation);
  if (ordered.length > max) result.skipped.push(`${ordered.length - max} of ${ordered.length} findings not sent as annotations (cap of ${max}); the summary and the report file list them all`);
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += LIMITS.annotationsPerRequest) batches.push(annotations.slice(i, i + LIMITS.annotationsPerRequest));

  let id: number;
  try {
    const res = await client.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: opts.owner,
      repo: opts.repo,
      name,
      head_sha: opts.headSha,
      status: 'completed',
      conclusion: checkRunConclusion(report),
      completed_at: report.evaluatedAt,
      // What this run learned about the head, for later runs on it (src/review/head-records.ts).
      external_id: report.change.pr
        ? formatHeadRecord({ pr: report.change.pr.number, headSha: report.change.headSha, pushers: report.change.pr.pushers ?? [] })
        : report.change.headSha,
      ...(opts.detailsUrl ? { details_url: opts.detailsUrl } : {}),
      output: { ...output, annotations: batches[0] ?? [] },
    });
    id = Number((res.data as { id?: unknown } | undefined)?.id);
    if (!Number.isInteger(id)) throw new GitHubResponseError('GitHub did not return the check run\'s id');
    const url = (res.data as { html_url?: unknown }).html_url;
    result.checkRun = { id, ...(typeof url === 'string' ? { url } : {}) };
    result.annotationsSent = batches[0]?.length ?? 0;
    result.published.push(`created check run "${name}" on ${opts.headSha.slice(0, 7)} (${checkRunConclusion(report)}) with ${plural(result.annotationsSent, 'annotation')}`);
  } catch (err) {
    result.refused.push(refusal(`create check run "${name}"`, err, 'checks: write'));
    return result;
  }
  for (const batch of batches.slice(1)) {
    try {
      await client.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        owner: opts.owner,
        repo: opts.repo,
        check_run_id: id,
        output: { ...output, annotations: batch },
      });
      result.annotationsSent += batch.length;
      result.published.push(`added ${plural(batch.length, 'annotation')} to check run ${id}`);
    } catch (err) {
      const from = result.annotationsSent + 1;
      result.refused.push(refusal(`add annotations ${from}-${annotations.length} to check run "${name}"`, err, 'checks: write'));
      break;
    }
  }
  return result;
}

/** The check run title of a run that could not evaluate the change. */
export const FAILED_TO_EVALUATE_TITLE = 'Failed: the gate could not evaluate this change';

/**
 * Publishes a completed, failing check run for a run that failed before it could evaluate (head not in
 * the clone, a refused API call, a bad input). Without it nothing carries the gate's check name on the
 * head commit, and a required check sits at "Expected" with no reason. The summary quotes `reason`,
 * escaped (it may carry text from the PR). Never throws: a refusal is returned as a warning.
 * @param opts `headSha` is the head named by the event payload (the PR may not have been read)
 * @param reason the failure message, as the job's log shows it
 * @param now completion time (ISO-8601); default the current time
 */
export async function publishFailureCheckRun(
  client: GitHubWriter,
  opts: Pick<CheckRunOptions, 'owner' | 'repo' | 'headSha' | 'name' | 'detailsUrl'>,
  reason: string,
  now: string = new Date().toISOString(),
): Promise<PublishResult> {
  const result = emptyResult();
  const name = opts.name ?? DEFAULT_CHECK_NAME;
  // The reason is cut first, to less than half the limit: escaping at most doubles it (`<` becomes `\<`), so the
  // summary fits whole; the final cut below guards the rest (invisible characters shown as `<U+XXXX>`).
  const quoted = untrusted(reason, 30_000);
  const summary = truncate(
    serialize([
      heading(2, text('GitOps Gate: ❌ FAIL')),
      paragraph(text('The gate could not evaluate this change, so it fails closed:')),
      quote(quoted),
      paragraph(text("The workflow run's log has the details"), opts.detailsUrl ? [text(' ('), link(opts.detailsUrl, text('run')), text(')')] : [], text('.')),
    ]) + '\n',
    { max: LIMITS.checkRunSummaryChars, unit: 'chars' },
  );
  try {
    await client.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: opts.owner,
      repo: opts.repo,
      name,
      head_sha: opts.headSha,
      status: 'completed',
      conclusion: 'failure',
      completed_at: now,
      external_id: opts.headSha,
      ...(opts.detailsUrl ? { details_url: opts.detailsUrl } : {}),
      output: { title: FAILED_TO_EVALUATE_TITLE, summary },
    });
    result.published.push(`created check run "${name}" on ${opts.headSha.slice(0, 7)} (failure: the gate could not evaluate)`);
  } catch (err) {
    result.refused.push(refusal(`create check run "${name}"`, err, 'checks: write'));
  }
  return result;
}
