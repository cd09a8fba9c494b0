/**
 * The pure model of gitops-gate: facts about a change go in, findings and a report come out.
 *
 * Nothing in this module performs I/O. Sources (local git, the GitHub API) build a {@link Change};
 * the engine reads the trees it needs through {@link TreeReader} before any check runs, so every
 * check is a pure function of already-gathered facts and the policy.
 */

/** Severity of a finding. `error` blocks under the default `fail-on: error`. */
export type Severity = 'error' | 'warning' | 'notice';

/** Ordered from least to most severe, for comparisons against a `fail-on` threshold. */
export const SEVERITY_ORDER: readonly Severity[] = ['notice', 'warning', 'error'];

/** Returns true when `s` is at least as severe as `threshold`. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITY_ORDER.indexOf(s) >= SEVERITY_ORDER.indexOf(threshold);
}

/** The gate's verdict. `pass` lets the PR merge (as far as this check is concerned). */
export type Verdict = 'pass' | 'fail';

/** What makes the gate fail: findings of at least this severity, or nothing (`never`). */
export type FailOn = 'error' | 'warning' | 'never';

/** A person or bot as GitHub or git knows them. Any field may be unknown. */
export interface Identity {
  /** GitHub login, when known (from the API, or from a `ID+login@users.noreply.github.com` address). */
  login?: string;
  /** Display name from git. */
  name?: string;
  /** E-mail address from git. */
  email?: string;
  /** GitHub account type: `User`, `Bot` or `Organization`. */
  type?: string;
}

/** The pull request itself, as re-read from the API or from a webhook payload. */
export interface PullRequest {
  number: number;
  title: string;
  /** The PR description (Markdown). Empty string when GitHub reports `null`. */
  body: string;
  author: Identity;
  labels: string[];
  /** Target branch name (for example `main`). */
  baseRef: string;
  /** Source branch name. */
  headRef: string;
  baseSha: string;
  headSha: string;
  draft: boolean;
  /** Web URL of the PR, when known. */
  url?: string;
  /** Login of whoever pushed the head commit last, when known (used by separation of duties). */
  lastPusher?: string;
  /**
   * Every login known to have pushed the head commit to this pull request (`lastPusher` included): the
   * event's sender, and the pushers the gate's own earlier check runs on the same head recorded (see
   * src/review/head-records.ts). Separation of duties excludes them all. Absent or empty: only `lastPusher`.
   */
  pushers?: string[];
  /**
   * ISO-8601: the earliest time one of the gate's own check runs recorded this head for this pull request.
   * The head commit had been pushed by then, so a comment made later was made after that push (break-glass
   * reads it). Absent: unknown.
   */
  headSeenAt?: string;
}

/** Status of a changed file, with GitHub's vocabulary (`git diff --name-status` maps onto it). */
export type FileStatus = 'added' | 'modified' | 'removed' | 'renamed' | 'copied' | 'changed' | 'unchanged';

/** One file touched by the change. Paths are relative to the repository root, `/`-separated. */
export interface ChangedFile {
  path: string;
  status: FileStatus;
  /** For `renamed` and `copied`: the path at the base. */
  previousPath?: string;
}

/** One commit of the change. */
export interface Commit {
  sha: string;
  author: Identity;
  committer: Identity;
  /** People named in `Co-authored-by:` trailers of the message. */
  coAuthors: Identity[];
  message: string;
  /** Parent commit SHAs, when the source gives them (the REST API's `parents`). */
  parents?: string[];
}

/** A review state as the REST API reports it. */
export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

/** One PR review. */
export interface Review {
  id: number;
  reviewer: Identity;
  state: ReviewState;
  /** The head commit the review was given on. */
  commitId: string;
  /** ISO-8601 time the review was submitted. */
  submittedAt?: string;
  body: string;
  /** GitHub's author association (`OWNER`, `MEMBER`, `COLLABORATOR`, `CONTRIBUTOR`, `NONE`, ...). */
  authorAssociation?: string;
}

/**
 * Read access to one side (base or head) of a change.
 *
 * Implementations: a git commit, a directory on disk, a commit through the GitHub git trees and blobs APIs.
 */
export interface TreeReader {
  /** A label for messages, for example the commit SHA. */
  readonly label: string;
  /** Returns the file's bytes, or `undefined` when no file (blob) exists at `path` on this side. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** Reads many files at once; missing files map to `undefined`. */
  readFiles(paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>>;
  /** Every file path on this side (relative, `/`-separated). May be expensive; results are cached by implementations. */
  listFiles(): Promise<string[]>;
  /**
   * Every symbolic link on this side, resolved as ArgoCD's repo-server reads it (see src/sources/symlinks.ts).
   * `readFile` of a link returns its target file's bytes, and `undefined` for a link with a `problem`.
   * Readers that cannot tell links from files leave it out.
   */
  symlinks?(): Promise<SymlinkInfo[]>;
}

/**
 * Why a symbolic link does not lead to a file ArgoCD can read:
 * - `outside`: the target is absolute or leaves the repository (ArgoCD refuses the whole repository);
 * - `loop`: the chain of links loops, or is longer than the hop limit;
 * - `missing`: the target does not exist at this commit;
 * - `directory`: the target is a directory, not a file.
 */
export type SymlinkProblem = 'outside' | 'loop' | 'missing' | 'directory';

/** One symbolic link (git mode 120000) of a tree, resolved at the same commit. */
export interface SymlinkInfo {
  /** Repository path of the link. */
  path: string;
  /** The link's target text, as stored (the GitHub contents API, which follows good links itself, gives only the file's path). */
  target: string;
  /** The repository path of the file the link leads to, when it leads to one. */
  resolved?: string;
  /** Every repository path the resolution read (links on the way, then the file): a change to any changes what the link reads. */
  via: string[];
  problem?: SymlinkProblem;
  /** Plain-language explanation of the problem. */
  message?: string;
}

/**
 * Caps GitHub applies to listings; when hit, the report says so. A {@link Change}'s lists are whole even
 * then: the Action completes them from the clone and the compare API, or fails closed
 * (src/github/beyond-caps.ts), and {@link Change.listNotes} says where they came from.
 */
export interface ListingCaps {
  /** True when GitHub's 3,000-file cap on `GET /pulls/{n}/files` was hit. */
  filesTruncated: boolean;
  /** True when GitHub's 250-commit cap on `GET /pulls/{n}/commits` was hit. */
  commitsTruncated: boolean;
}

/**
 * Everything the gate knows about one change.
 *
 * `pr` and `reviews` are absent when the source cannot supply them (the CLI without `--pr` or
 * `--reviews`); the rules that need them are then reported as not evaluated.
 */
export interface Change {
  /** `owner/name`, when known. */
  repository?: string;
  /** Base URL of the GitHub web UI, for links (for example `https://github.com`). */
  serverUrl?: string;
  pr?: PullRequest;
  /** Base commit; absent in `--all` mode, where the whole head tree is checked and every finding counts. */
  baseSha?: string;
  headSha: string;
  files: ChangedFile[];
  commits: Commit[];
  reviews?: Review[];
  base?: TreeReader;
  /**
   * The base branch's tip, when it moved on since the PR branched (then {@link base} is the merge base):
   * the policy, CODEOWNERS and PR templates are read here. Absent: they are read from {@link base}.
   */
  policyBase?: TreeReader;
  head: TreeReader;
  caps: ListingCaps;
  /** Where lists past a cap of {@link caps} came from, one sentence each, for the summary. */
  listNotes?: string[];
  /** `diff`: base against head. `all`: the whole head tree, no base. */
  mode: 'diff' | 'all';
  /**
   * Facts looked up for the review policy (permissions, team members), keyed by lower-case login or `org/slug`.
   * Filled by src/review/gather.ts (Action) or `--directory` (CLI); absent: nothing could be looked up.
   */
  directory?: Directory;
  /**
   * The repository's pull request templates, read from the base side before evaluation (the engine's
   * description pre-pass fills this). Absent: not read; empty: the repository has none.
   */
  prTemplates?: PrTemplate[];
  /**
   * The CODEOWNERS file on the base side, read before evaluation (see src/review/prepare.ts).
   * `null`: no CODEOWNERS exists; absent: not read.
   */
  codeowners?: CodeownersSource | null;
  /** The PR's conversation comments (`GET /repos/{o}/{r}/issues/{n}/comments`), for break-glass commands. Absent: unknown. */
  comments?: IssueComment[];
  /** `labeled`/`unlabeled` events of the PR (`GET /repos/{o}/{r}/issues/{n}/events`), to know who applied a label. Absent: unknown. */
  labelEvents?: LabelEvent[];
}

/** One pull request template file as GitHub offers it to authors (see src/description/templates.ts). */
export interface PrTemplate {
  /** Repository-relative path, for example `.github/pull_request_template.md`. */
  path: string;
  /** The file's text (UTF-8). */
  text: string;
}

/** A CODEOWNERS file as read from a tree. */
export interface CodeownersSource {
  /** Repository path it was read from, for example `.github/CODEOWNERS`. */
  path: string;
  text: string;
}

/** One comment on the PR's conversation. */
export interface IssueComment {
  id: number;
  author: Identity;
  body: string;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601; differs from `createdAt` when the comment was edited (admins can edit anyone's comment). */
  updatedAt?: string;
}

/** Someone added or removed a label on the PR. */
export interface LabelEvent {
  action: 'labeled' | 'unlabeled';
  label: string;
  actor: Identity;
  /** ISO-8601. */
  createdAt: string;
}

/** Every path a change touches: each file's path, and the base path of a renamed or copied file. */
export function touchedPaths(change: Pick<Change, 'files'>): string[] {
  return [...new Set(change.files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path])))];
}

/** Repository permission levels, lowest to highest. */
export type Permission = 'none' | 'read' | 'triage' | 'write' | 'maintain' | 'admin';

/**
 * Looked-up facts about people, gathered by a source before evaluation so that review checks stay pure.
 * A value of `{ error }` means the source could not find out; checks must fail closed on it.
 */
export interface Directory {
  permissions: Map<string, Permission | { error: string }>;
  teams: Map<string, string[] | { error: string }>;
}

/** A position inside a file: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** Whether a finding is introduced by the change or was already present at the base. */
export type FindingStatus = 'new' | 'pre-existing';

/**
 * One problem the gate found.
 *
 * `fingerprint` identifies the same problem at base and head regardless of line shifts
 * (rule, file, subject and key), so pre-existing problems can be told apart from new ones.
 */
export interface Finding {
  /** Rule id, for example `wave-not-string`. */
  rule: string;
  severity: Severity;
  /** Path relative to the repository root (head side). */
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** What is wrong, in words a reviewer understands. */
  message: string;
  /** How to fix it. */
  fix: string;
  /** The behaviour behind the rule: for ArgoCD rules, the ArgoCD source file (and lines). */
  reference: string;
  /** The resource or setting the finding is about, for example `apps/Deployment payments/api`. */
  subject?: string;
  /** Other places the problem can be fixed at, with what is there (SARIF `relatedLocations`). */
  related?: RelatedLocation[];
  status: FindingStatus;
  fingerprint: string;
}

/** A related place of a {@link Finding}. */
export interface RelatedLocation {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** State of one rule (or policy requirement) after evaluation. */
export type RuleState = 'passed' | 'failed' | 'pending' | 'skipped' | 'not-evaluated';

/** The policy areas; each rule belongs to one. */
export type Area = 'manifests' | 'sync' | 'health' | 'review' | 'description' | 'applications';

/** What happened to one rule in this evaluation. */
export interface RuleOutcome {
  rule: string;
  area: Area;
  title: string;
  state: RuleState;
  /** Why the rule was skipped, not evaluated, pending or failed; what is missing. */
  reason?: string;
  /** Counts of findings this rule raised. */
  findings: { new: number; preExisting: number };
  /** True when this outcome alone makes the verdict `fail` (a failed requirement, not a finding). */
  blocking: boolean;
  /** Compliance controls the rule serves (for example `SOC 2 CC8.1`), from the policy. */
  controls?: string[];
}

/** Something the gate did not evaluate, with the reason. */
export interface NotEvaluated {
  /** A file path, an area, or a rule id. */
  subject: string;
  reason: string;
}

/** Where the policy came from. */
export interface PolicySource {
  /** `repository`: read from the base side of the change. `default`: the built-in default policy. */
  origin: 'repository' | 'default';
  /** Path in the repository that was looked up (or that was read). */
  path: string;
  /** The commit the policy was read from, when read from the repository. */
  ref?: string;
  /** SHA-256 (hex) of the policy text that was applied. */
  sha256: string;
  /** True when the change itself modifies the policy file (the change is judged by the base policy). */
  changedByThisChange: boolean;
}

/** Counters for the report. */
export interface Stats {
  filesExamined: number;
  documentsExamined: number;
  resourcesExamined: number;
  /** Wall time of the evaluation, in milliseconds. */
  durationMs: number;
}

/** An audited break-glass override (see the review policy). */
export interface Override {
  by: string;
  reason: string;
  via: 'label' | 'comment';
  at?: string;
}

/** The outcome of one evaluation: what the CLI prints, what the Action publishes. */
export interface Report {
  /** Version of this document's shape. */
  schemaVersion: 1;
  tool: { name: 'gitops-gate'; version: string };
  verdict: Verdict;
  failOn: FailOn;
  /** Present when a break-glass override turned a failure into a pass. */
  override?: Override;
  /** When the evaluation ran (ISO-8601). */
  evaluatedAt: string;
  change: {
    repository?: string;
    serverUrl?: string;
    mode: 'diff' | 'all';
    baseSha?: string;
    headSha: string;
    /** `pushers`: everyone known to have pushed the head commit (carried to later runs by the check run's record). */
    pr?: { number: number; title: string; author?: string; url?: string; draft: boolean; labels: string[]; pushers?: string[] };
    files: number;
    commits: number;
    caps: ListingCaps;
  };
  policy: PolicySource;
  findings: Finding[];
  rules: RuleOutcome[];
  notEvaluated: NotEvaluated[];
  /** Plain-language notes for the summary (for example, that the change edits the policy). */
  notes: string[];
  stats: Stats;
  /** Area-specific details, filled by the areas that ran (review, description, sync plans, health), keyed by area. */
  details: ReportDetails;
}

/**
 * What the areas report beyond findings and rule outcomes, keyed by area: the review's approvals, the
 * description's requirements, the sync plans, the health tests, the Applications. Each area declares its key
 * in its own `area.ts` by declaration merging (`declare module '../core/model.js' { interface ReportDetails
 * { review?: ReviewDetails } }`), so renderers read typed details without casts.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- extended by the areas
export interface ReportDetails {}

/** Logins compare case-insensitively on GitHub. */
export function loginKey(login: string): string {
  return login.toLowerCase();
}

/**
 * Everyone known to have pushed the head commit ({@link PullRequest.lastPusher} and {@link PullRequest.pushers}),
 * de-duplicated by login key; empty when nobody is known.
 */
export function headPushers(pr: PullRequest | undefined): string[] {
  const out = new Map<string, string>();
  for (const l of [...(pr?.lastPusher ? [pr.lastPusher] : []), ...(pr?.pushers ?? [])]) if (l && !out.has(loginKey(l))) out.set(loginKey(l), l);
  return [...out.values()];
}
