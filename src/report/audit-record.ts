/**
 * The audit record: a versioned JSON document that says what was changed, who wrote and approved it,
 * under which policy it was judged, and what the gate decided. The Action writes it to `report-file`
 * for the workflow to keep as an artifact; compliance reads it months later. Its JSON Schema is
 * docs/audit-record.schema.json (2020-12); a change to the shape raises {@link AUDIT_RECORD_VERSION}.
 */
import { type ControlOutcome, controlsMapping } from './controls.js';
import type { Change, ChangedFile, Finding, Identity, NotEvaluated, Override, PolicySource, Report, ReviewState, RuleOutcome, RuleState } from '../core/model.js';

/** Version of the record's shape. */
export const AUDIT_RECORD_VERSION = 1;

/** The `$id` of the record's JSON Schema (docs/audit-record.schema.json). */
export const AUDIT_RECORD_SCHEMA_ID = 'urn:gitops-gate:audit-record:1';

/** One approval, and whether the review policy counted it. */
export interface AuditApproval {
  /** Login of the reviewer; null when unknown. */
  reviewer: string | null;
  /** The review state (`APPROVED`, or `DISMISSED` for an approval dismissed later). */
  state: ReviewState | string;
  /** The head commit the approval was given on; null when unknown. */
  commit: string | null;
  /** When it was submitted (ISO-8601); null when unknown. */
  submittedAt: string | null;
  /** True when the approval was given on the evaluated head commit. */
  onHead: boolean;
  /** Whether the review policy counted it; null when the review policy did not say (it did not run). */
  counted: boolean | null;
  /** Why it was not counted (or why it counted), in the review policy's words. */
  reason: string | null;
}

/** Facts about the workflow run that produced the record (from the runner's environment), when known. */
export interface AuditRunContext {
  /** Web URL of the workflow run. */
  url?: string;
  /** `GITHUB_RUN_ID`. */
  id?: string;
  /** `GITHUB_RUN_ATTEMPT`. */
  attempt?: string;
  /** `GITHUB_EVENT_NAME`. */
  event?: string;
  /** `GITHUB_ACTOR`. */
  actor?: string;
  /** `GITHUB_WORKFLOW`. */
  workflow?: string;
  /** REST requests (HTTP attempts, retries included) made before the record was written (the Action sets it). */
  apiRequests?: number;
}

/** The run context from the runner's environment variables (absent ones are left out). */
export function runContextFromEnv(env: Record<string, string | undefined> = process.env): AuditRunContext {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  const out: AuditRunContext = {};
  if (server && repo && id) out.url = `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${id}`;
  if (id) out.id = id;
  if (env.GITHUB_RUN_ATTEMPT) out.attempt = env.GITHUB_RUN_ATTEMPT;
  if (env.GITHUB_EVENT_NAME) out.event = env.GITHUB_EVENT_NAME;
  if (env.GITHUB_ACTOR) out.actor = env.GITHUB_ACTOR;
  if (env.GITHUB_WORKFLOW) out.workflow = env.GITHUB_WORKFLOW;
  return out;
}

/** The audit record (see docs/audit-record.schema.json for every field). */
export interface AuditRecord {
  schema: typeof AUDIT_RECORD_SCHEMA_ID;
  recordVersion: typeof AUDIT_RECORD_VERSION;
  tool: { name: 'gitops-gate'; version: string };
  evaluatedAt: string;
  run: AuditRunContext | null;
  repository: string | null;
  serverUrl: string | null;
  mode: 'diff' | 'all';
  pullRequest: {
    number: number;
    url: string | null;
    title: string;
    author: Identity;
    baseRef: string;
    headRef: string;
    draft: boolean;
    labels: string[];
  } | null;
  baseSha: string | null;
  headSha: string;
  commits: { sha: string; author: Identity; committer: Identity; coAuthors: Identity[] }[];
  files: ChangedFile[];
  caps: Report['change']['caps'];
  /** The description sections as the description policy found them; null when it did not run. */
  description: unknown;
  /** Where the approvals come from: the review policy's own account, the raw reviews, or none. */
  approvalsSource: 'review-policy' | 'reviews' | 'unavailable';
  approvals: AuditApproval[];
  policy: PolicySource;
  verdict: Report['verdict'];
  failOn: Report['failOn'];
  override: Override | null;
  rules: { rule: string; area: RuleOutcome['area']; title: string; state: RuleState; reason: string | null; blocking: boolean; findings: RuleOutcome['findings']; controls: string[] }[];
  controls: ControlOutcome[];
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  notes: string[];
  /** Area details as the areas reported them (sync plans, health tests, review, description). */
  details: Record<string, unknown>;
}

function identity(i: Identity | undefined): Identity {
  const out: Identity = {};
  if (i?.login) out.login = i.login;
  if (i?.name) out.name = i.name;
  if (i?.email) out.email = i.email;
  if (i?.type) out.type = i.type;
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * Approvals as the review policy reported them in `report.details.review.approvals`: an array of
 * objects with `reviewer` (a login, or an object with `login`), `commitId` (or `commit`), `submittedAt`
 * (or `at`), `state`, `counted` (boolean) and `reason`. Returns undefined when there is no such list.
 */
function approvalsFromReviewDetails(report: Report): AuditApproval[] | undefined {
  const review = report.details.review as { approvals?: unknown } | undefined;
  if (!review || !Array.isArray(review.approvals)) return undefined;
  return review.approvals.map((raw: unknown) => {
    const a = (raw ?? {}) as Record<string, unknown>;
    const reviewer = typeof a.reviewer === 'object' && a.reviewer ? str((a.reviewer as { login?: unknown }).login) : str(a.reviewer ?? a.login);
    const commit = str(a.commitId ?? a.commit);
    return {
      reviewer,
      state: str(a.state) ?? 'APPROVED',
      commit,
      submittedAt: str(a.submittedAt ?? a.at),
      onHead: commit !== null && commit === report.change.headSha,
      counted: typeof a.counted === 'boolean' ? a.counted : null,
      reason: str(a.reason),
    };
  });
}

/** Approvals from the raw reviews, when the review policy did not report on them. */
function approvalsFromReviews(change: Change): AuditApproval[] {
  return (change.reviews ?? [])
    .filter((r) => r.state === 'APPROVED')
    .map((r) => ({
      reviewer: r.reviewer.login ?? null,
      state: r.state,
      commit: r.commitId || null,
      submittedAt: r.submittedAt ?? null,
      onHead: r.commitId === change.headSha,
      counted: null,
      reason: 'the review policy did not report whether this approval counted',
    }));
}

/** Drops what JSON cannot carry (undefined, functions, Maps as such) so the record is plain JSON. */
function plain(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)));
}

/**
 * Builds the audit record of one evaluation.
 * @param report - the evaluation's report
 * @param change - the change it evaluated (commits, files, reviews, PR details the report only sums up)
 * @param run - the workflow run, when known
 */
export function buildAuditRecord(report: Report, change: Change, run?: AuditRunContext): AuditRecord {
  const fromPolicy = approvalsFromReviewDetails(report);
  const pr = change.pr;
  return {
    schema: AUDIT_RECORD_SCHEMA_ID,
    recordVersion: AUDIT_RECORD_VERSION,
    tool: report.tool,
    evaluatedAt: report.evaluatedAt,
    run: run ? (plain(run) as AuditRunContext) : null,
    repository: report.change.repository ?? change.repository ?? null,
    serverUrl: report.change.serverUrl ?? change.serverUrl ?? null,
    mode: report.change.mode,
    pullRequest: pr
      ? { number: pr.number, url: pr.url ?? null, title: pr.title, author: identity(pr.author), baseRef: pr.baseRef, headRef: pr.headRef, draft: pr.draft, labels: [...pr.labels] }
      : null,
    baseSha: report.change.baseSha ?? null,
    headSha: report.change.headSha,
    commits: change.commits.map((c) => ({ sha: c.sha, author: identity(c.author), committer: identity(c.committer), coAuthors: c.coAuthors.map(identity) })),
    files: change.files.map((f) => ({ path: f.path, status: f.status, ...(f.previousPath ? { previousPath: f.previousPath } : {}) })),
    caps: { ...report.change.caps },
    description: 'description' in report.details ? plain(report.details.description) : null,
    approvalsSource: fromPolicy ? 'review-policy' : change.reviews ? 'reviews' : 'unavailable',
    approvals: fromPolicy ?? approvalsFromReviews(change),
    policy: { ...report.policy },
    verdict: report.verdict,
    failOn: report.failOn,
    override: report.override ? { ...report.override } : null,
    rules: report.rules.map((r) => ({
      rule: r.rule,
      area: r.area,
      title: r.title,
      state: r.state,
      reason: r.reason ?? null,
      blocking: r.blocking,
      findings: { ...r.findings },
      controls: [...(r.controls ?? [])],
    })),
    controls: controlsMapping(report.rules),
    findings: report.findings.map((f) => ({ ...f })),
    notEvaluated: report.notEvaluated.map((n) => ({ ...n })),
    notes: [...report.notes],
    details: plain(report.details) as Record<string, unknown>,
  };
}

/** The record as the file the Action writes (`report-file`): pretty JSON with a final newline. */
export function auditRecordJson(record: AuditRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}
