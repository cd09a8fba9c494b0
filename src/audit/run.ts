/**
 * `gitops-gate audit`: gathers the population from the clone and the facts from GitHub, judges each change
 * (src/audit/build.ts) and writes the report in the format asked for.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import schema from '../../docs/audit-report.schema.json' with { type: 'json' };
import { UsageError } from '../core/errors.js';
import type { Commit, IssueComment, Permission, PrTemplate } from '../core/model.js';
import { isGitHubTemplatePath, readPrTemplates } from '../description/templates.js';
import { createGitHubClient } from '../github/client.js';
import { resolvePolicy } from '../composition.js';
import type { Policy } from '../policy/types.js';
import { latestByReviewer, loginKey } from '../review/reviewers.js';
import { git } from '../sources/git.js';
import { VERSION } from '../version.js';
import { parseAuditArgs, AUDIT_USAGE, type AuditSettings } from './args.js';
import { auditChange, linkReverts, listExceptions, type ChangeFacts } from './build.js';
import { AuditGitHub, type MergedPull } from './github.js';
import { changedFilesOf, commitScope, firstParentCommits, presentCommits, resolveBranch, localPullCommits, Trees, type BranchCommit } from './history.js';
import { EXCEPTION_KINDS, type AuditReport, type ExceptionKind, type GateVerdict, type MergeMethod } from './model.js';
import { renderCsv, renderJson, renderMarkdown } from './render.js';
import { drawSample, SAMPLE_METHOD } from './sample.js';

/** Where the command writes; injectable for tests. */
export interface AuditIo {
  out(text: string): void;
  err(text: string): void;
}

/** What the audit cannot know, stated in every report. */
export const AUDIT_LIMITS = [
  'Changes made outside git: kubectl, the ArgoCD UI or CLI (manual syncs, parameter overrides, rollbacks to an earlier revision), Helm run by hand, cloud consoles. The cluster\'s own audit log and ArgoCD\'s events cover those.',
  'The branch as it is now: history rewritten by a force-push is not in the clone, and a direct push\'s time is its committer date (git records no push time; GitHub\'s audit log keeps pushes for a limited time).',
  'Permissions are read today: GitHub keeps no history of a collaborator\'s permission at merge time.',
  'Who pushed last to a PR is not kept once it is merged, so that separation-of-duties role is not checked; authors, committers and co-authors are.',
  'An approval counts here when it is the reviewer\'s latest word, on the merged head, from someone with the policy\'s minimum permission who took no part in the change. The policy\'s finer rules (paths, teams, CODEOWNERS) are in the gate\'s verdict, whose check run each change links to.',
];

/** The `owner/name`, token and API URL from the environment, as the Actions runner sets them. */
export function githubEnv(env: NodeJS.ProcessEnv): { repository: string; token: string; apiUrl: string; serverUrl: string; retryDelayMs: number } {
  const token = env.GITHUB_TOKEN ?? '';
  const repository = env.GITHUB_REPOSITORY ?? '';
  if (!token) throw new UsageError('audit reads pull requests from GitHub: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ github.token }})');
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new UsageError(`set GITHUB_REPOSITORY to owner/name (got "${repository}")`);
  const delay = Number(env.GITOPS_GATE_RETRY_DELAY_MS);
  return {
    repository,
    token,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    retryDelayMs: Number.isFinite(delay) && delay >= 0 && env.GITOPS_GATE_RETRY_DELAY_MS !== undefined ? delay : 1000,
  };
}

function methodOf(c: BranchCommit, pr: MergedPull): MergeMethod {
  if (c.parents.length > 1) return 'merge';
  if (pr.mergeCommitSha === c.sha && new RegExp(`\\(#${pr.number}\\)\\s*$`).test(c.subject)) return 'squash';
  return 'rebase';
}

/** Longest gap between a PR's `merged_at` and the committer date GitHub gives the commits it rebases, in ms. */
const REBASE_CLOCK_MS = 120_000;

/**
 * Whether merged PR `p`, which GitHub associates with commit `c` (`commits/{sha}/pulls` lists the PRs that
 * contain a commit), brought it to the branch: GitHub rebased it when merging (its committer date is the
 * merge time), or the PR was merged by a fast-forward that contains it. A commit pushed to the branch and
 * also carried by some PR's branch is neither, and stays a direct push.
 */
async function broughtBy(repo: string, c: BranchCommit, p: MergedPull): Promise<boolean> {
  if (Math.abs(Date.parse(c.committedAt) - Date.parse(p.mergedAt)) <= REBASE_CLOCK_MS) return true;
  if (p.mergeCommitSha !== p.headSha || !p.headSha) return false;
  // Exit 1: not an ancestor; 128: the head is not in the clone (then it cannot be shown, and is not assumed).
  return git(repo, ['merge-base', '--is-ancestor', c.sha, p.headSha]).then(
    () => true,
    () => false,
  );
}

function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Builds the report.
 * @throws {UsageError} on missing environment, {@link SourceError} on git or GitHub failures, {@link ConfigError} on an invalid policy
 */
export async function buildAuditReport(s: AuditSettings, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<AuditReport> {
  const gh = githubEnv(env);
  const start = `${s.since}T00:00:00Z`;
  const end = dayAfter(s.until);
  const branch = await resolveBranch(s.repo, s.branch);
  const commits = await firstParentCommits(s.repo, branch.sha, start, end);
  let count = () => undefined as void;
  const api = new AuditGitHub(createGitHubClient({ token: gh.token, baseUrl: gh.apiUrl, retryDelayMs: gh.retryDelayMs, log, onAttempt: () => count() }), gh.repository);
  count = () => api.attempt();

  // The PRs: one listing; a commit no PR claims is confirmed with the commit's PRs.
  const pulls = commits.length ? await api.mergedPulls(s.branch, start) : [];
  const byMerge = new Map(pulls.filter((p) => p.mergeCommitSha).map((p) => [p.mergeCommitSha!, p]));
  const prOf = new Map<string, MergedPull>();
  const notBrought = new Map<string, number[]>();
  for (const c of commits) {
    const byList = byMerge.get(c.sha);
    if (byList) {
      prOf.set(c.sha, byList);
      continue;
    }
    const associated = (await api.pullsOfCommit(c.sha)).filter((p) => p.baseRef === s.branch);
    let brought: MergedPull | undefined;
    for (const p of associated) if (await broughtBy(s.repo, c, p)) brought ??= p;
    if (brought) prOf.set(c.sha, brought);
    else if (associated.length) notBrought.set(c.sha, associated.map((p) => p.number));
  }

  // The policy and templates the gate applied: those on the branch before each change. Read again only after
  // a commit of the period touched them (each commit's parent is the commit before it on the first-parent line).
  const trees = new Trees(s.repo);
  const changed = await changedFilesOf(s.repo, commits.map((c) => c.sha));
  const policies = new Map<string, { policy: Policy; templates: PrTemplate[] }>();
  let last: { policy: Policy; templates: PrTemplate[] } | undefined;
  const policyPath = s.policy.replace(/^\.\//, '').replace(/\/+$/, '');
  for (const [i, c] of commits.entries()) {
    const before = commits[i - 1];
    const touched = (p: string) => p === policyPath || p.startsWith(`${policyPath}/`) || isGitHubTemplatePath(p) || (last?.policy.description.template.paths ?? []).some((t) => p === t || p.startsWith(`${t.replace(/\/+$/, '')}/`));
    const stale = !last || !before || before.sha !== c.parents[0] || (changed.get(before.sha) ?? []).some((f) => touched(f.path) || (f.previousPath !== undefined && touched(f.previousPath)));
    if (stale) {
      const tree = trees.of(c.parents[0] ?? c.sha);
      const policy = (await resolvePolicy(tree, s.policy)).policy;
      const templates = policy.description.template.enabled ? await readPrTemplates(tree, policy.description.template.paths) : [];
      last = { policy, templates };
    }
    policies.set(c.sha, last!);
  }

  // Break-glass comments, once for the repository, when some policy lets someone invoke it by comment.
  let comments: Map<number, IssueComment[]> | undefined;
  const byComment = [...prOf.keys()].some((sha) => {
    const bg = policies.get(sha)!.policy.review.breakGlass;
    return bg.users.length > 0 && !!bg.command;
  });
  if (byComment) comments = await api.comments([...prOf.values()].map((p) => p.createdAt).sort()[0]!);

  const present = await presentCommits(s.repo, [...new Set([...prOf.values()].map((p) => p.headSha))]);
  const perPr = new Map<number, Promise<{ reviews: ChangeFacts['reviews']; gate: GateVerdict; prCommits: Commit[]; labelEvents?: ChangeFacts['labelEvents'] }>>();
  const facts: ChangeFacts[] = [];
  for (const c of commits) {
    const { policy, templates } = policies.get(c.sha)!;
    const scope = await commitScope(s.repo, c, policy, trees, changed.get(c.sha));
    const pr = prOf.get(c.sha);
    if (!pr) {
      facts.push({
        commit: c,
        scope,
        method: 'direct-push',
        reviews: [],
        gate: { checkName: s.checkName, headSha: c.sha, conclusion: 'none', checkRunUrl: null, auditRecordUrl: null },
        policy,
        templates: [],
        permissions: new Map(),
        unverified: [],
        ...(notBrought.has(c.sha) ? { associatedPulls: notBrought.get(c.sha)! } : {}),
      });
      continue;
    }
    let pf = perPr.get(pr.number);
    if (!pf) {
      pf = (async () => {
        const reviews = await api.reviews(pr.number);
        const run = await api.checkRun(pr.headSha, s.checkName);
        const gate: GateVerdict = {
          checkName: s.checkName,
          headSha: pr.headSha,
          conclusion: !run ? 'none' : run.status !== 'completed' ? run.status : (run.conclusion ?? 'none'),
          checkRunUrl: run?.htmlUrl ?? null,
          auditRecordUrl: run?.detailsUrl ?? null,
        };
        // The PR's commits from the clone when its head is there (a merge commit's second parent, or a fetched
        // refs/pull/N/head); else from the API.
        const prCommits = present.has(pr.headSha) && c.parents[0] ? await localPullCommits(s.repo, c.parents[0], pr.headSha) : await api.pullCommits(pr.number);
        const bg = policy.review.breakGlass;
        const labelEvents = bg.users.length && bg.labels.some((l) => pr.labels.includes(l)) ? await api.labelEvents(pr.number) : undefined;
        return { reviews, gate, prCommits, ...(labelEvents ? { labelEvents } : {}) };
      })();
      perPr.set(pr.number, pf);
    }
    const got = await pf;
    const permissions = new Map<string, Permission | { error: string }>();
    for (const st of latestByReviewer(got.reviews)) if (st.latest?.state === 'APPROVED') permissions.set(loginKey(st.login), await api.permission(st.login));
    const unverified = got.prCommits.length >= 250 ? [`pull request #${pr.number} has 250 commits or more; GitHub lists only 250, so committers and co-authors may be incomplete`] : [];
    facts.push({
      commit: c,
      scope,
      method: methodOf(c, pr),
      pr,
      reviews: got.reviews,
      prCommits: got.prCommits,
      gate: got.gate,
      policy,
      templates,
      ...(comments ? { comments: comments.get(pr.number) ?? [] } : {}),
      ...(got.labelEvents ? { labelEvents: got.labelEvents } : {}),
      permissions,
      unverified,
    });
  }

  const changes = facts.map((f) => auditChange(f, gh.repository));
  linkReverts(changes);
  const exceptions = listExceptions(changes);
  const counts = Object.fromEntries(EXCEPTION_KINDS.map((k) => [k, 0])) as Record<ExceptionKind, number>;
  for (const e of exceptions) counts[e.kind]++;
  const report: AuditReport = {
    schemaVersion: 1,
    tool: { name: 'gitops-gate', version: VERSION },
    generatedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    repository: gh.repository,
    branch: { name: s.branch, ref: branch.ref, sha: branch.sha },
    period: { since: s.since, until: s.until, start, end },
    totals: {
      changes: changes.length,
      pullRequests: new Set(changes.flatMap((c) => (c.pr ? [c.pr.number] : []))).size,
      directPushes: changes.filter((c) => !c.pr).length,
      changesWithExceptions: changes.filter((c) => c.exceptions.length).length,
      exceptions: counts,
    },
    exceptions,
    changes,
    sample: s.sample !== undefined ? { seed: s.seed!, size: s.sample, method: SAMPLE_METHOD, commits: drawSample(changes, s.sample, s.seed!) } : null,
    requests: { total: api.attempts, retries: api.attempts - api.calls, byRoute: Object.fromEntries([...api.requests].sort(([a], [b]) => a.localeCompare(b))) },
    notes: AUDIT_LIMITS,
  };
  return report;
}

let validator: ValidateFunction | undefined;

/**
 * Reads an earlier JSON report (`--from`), validated against docs/audit-report.schema.json.
 * @throws {UsageError} when the file cannot be read, is not JSON, or is not a valid report
 */
export async function readAuditReport(path: string): Promise<AuditReport> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--from ${path}: cannot read a JSON report: ${(e as Error).message}`);
  }
  validator ??= new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  if (!validator(value)) {
    const first = validator.errors?.[0];
    throw new UsageError(`--from ${path}: not a gitops-gate audit report: ${first?.instancePath || '(root)'} ${first?.message ?? 'is invalid'}`);
  }
  return value as AuditReport;
}

/**
 * Runs `gitops-gate audit` with the arguments after `audit`.
 * @returns 0 when the report was written
 * @throws {UsageError}, {@link ConfigError} or {@link SourceError} (the CLI exits 2; anything else thrown is
 * a bug, exit 3: src/cli/main.ts)
 */
export async function runAudit(argv: string[], io: AuditIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = parseAuditArgs(argv);
  if (settings === 'help') {
    io.out(AUDIT_USAGE);
    return 0;
  }
  let report: AuditReport;
  if (settings.from) {
    report = await readAuditReport(settings.from);
    if (settings.sample !== undefined) report = { ...report, sample: { seed: settings.seed!, size: settings.sample, method: SAMPLE_METHOD, commits: drawSample(report.changes, settings.sample, settings.seed!) } };
  } else report = await buildAuditReport(settings, env, (m) => io.err(`gitops-gate: ${m}\n`));
  const text = settings.format === 'csv' ? renderCsv(report) : settings.format === 'markdown' ? renderMarkdown(report) : renderJson(report);
  if (settings.output) {
    await writeFile(settings.output, text, 'utf8').catch((e: unknown) => {
      throw new UsageError(`--output ${settings.output}: cannot write the report: ${(e as Error).message}`);
    });
    io.err(
      `gitops-gate: wrote ${settings.output}: ${report.totals.changes} change(s), ${report.exceptions.length} exception(s), ${report.requests.total} GitHub request(s)\n`,
    );
  } else io.out(text);
  return 0;
}
