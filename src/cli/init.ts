/**
 * `gitops-gate init`: sets a repository up for the gate in one command. It writes the recommended
 * workflow (`.github/workflows/gitops-gate.yaml`, the README's, pinned to this release of the Action) and
 * a commented starter policy (`policies/gitops-gate.yaml`) filled in from what it finds in the repository:
 * ArgoCD Applications and the repositories they deploy from, a CODEOWNERS file, the default branch.
 * It never overwrites a file unless `--force` is given, and prints what it wrote and the branch-protection
 * setting that makes the gate's check required.
 */
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import pkg from '../../package.json' with { type: 'json' };
import schema from '../../policies/schema.json' with { type: 'json' };
import { UsageError } from '../core/errors.js';
import { git } from '../sources/git.js';
import { VERSION } from '../version.js';
import type { CliIo } from './io.js';
import workflowTemplate from './templates/workflow.yaml';

/** Where the workflow goes, relative to the repository root. */
export const WORKFLOW_PATH = '.github/workflows/gitops-gate.yaml';
/** Where the starter policy goes, relative to the repository root (the default `--policy`). */
export const POLICY_PATH = 'policies/gitops-gate.yaml';
/** The schema URL editors load for the policy: the policy schema's `$id` (policies/schema.json). */
export const POLICY_SCHEMA_URL: string = schema.$id;
/** The check run's name in the workflow: the check to require in branch protection. */
export const CHECK_NAME = 'GitOps Gate';
/** The Action's repository when package.json names none: a placeholder the team replaces. */
const PLACEHOLDER_ACTION = 'your-org/gitops-gate';
/** Files larger than this are not read when looking for Applications (they are not hand-written manifests). */
const MAX_SCAN_BYTES = 1024 * 1024;

/**
 * The Action's `owner/name` from package.json's `repository` (`github:owner/name`, `owner/name` or a
 * GitHub URL), or a placeholder (`your-org/gitops-gate`) when it names none.
 */
export function actionRepository(repository: unknown = (pkg as { repository?: unknown }).repository): string {
  const raw = typeof repository === 'string' ? repository : typeof repository === 'object' && repository !== null ? (repository as { url?: unknown }).url : undefined;
  if (typeof raw !== 'string') return PLACEHOLDER_ACTION;
  const m = /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(raw) ?? /github\.com[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(raw);
  return m ? m[1]! : PLACEHOLDER_ACTION;
}

/** `owner/name@v<version>`: the Action at this release. */
function defaultAction(): string {
  return `${actionRepository()}@v${VERSION}`;
}

/** Usage text of `gitops-gate init`. */
export const INIT_USAGE = `Usage: gitops-gate init [--force] [--repo DIR] [--action OWNER/REPO[@REF]]

Sets a git repository up for gitops-gate: writes the recommended workflow and a starter policy,
filled in from what it finds (ArgoCD Applications, CODEOWNERS, the default branch).

  .github/workflows/gitops-gate.yaml  the Action on every pull request and review
  policies/gitops-gate.yaml           the policy, read from the base branch of each pull request

Options:
  --repo DIR          repository to set up (default: the current directory)
  --action REF        the Action to pin in the workflow (default: ${defaultAction()})
  --force             overwrite files that exist (default: keep them)
  -h, --help          show this help

Exit codes: 0 every file written, 1 a file existed and was kept, 2 usage error,
3 internal error (a bug: please report it).
`;

/** One ArgoCD Application found in the work tree. */
export interface FoundApplication {
  /** Repository-relative path of the file. */
  file: string;
  name: string;
  /** `spec.source.repoURL` and every `spec.sources[].repoURL`. */
  repoURLs: string[];
}

/** What `init` found in a repository. */
export interface RepoFacts {
  /** Absolute path of the work tree's top level. */
  root: string;
  defaultBranch: string;
  /** How {@link RepoFacts.defaultBranch} was found, for the output. */
  defaultBranchFrom: string;
  /** `git remote get-url origin`, when there is one. */
  originUrl?: string;
  applications: FoundApplication[];
  /** The CODEOWNERS file GitHub would use, and the teams (`@org/team`) it names. */
  codeowners?: { path: string; teams: string[] };
}

async function gitText(repo: string, args: string[]): Promise<string | undefined> {
  try {
    return (await git(repo, args)).toString('utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Normalises a git URL for comparison: host and path, lower case, without scheme, user, `.git` or a
 * trailing slash (`git@github.com:Org/Repo.git` and `https://github.com/org/repo` are the same).
 */
export function normalizeGitUrl(url: string): string {
  let u = url.trim().toLowerCase();
  u = u.replace(/^[a-z+]+:\/\//, '').replace(/^[^@/]+@/, '');
  const scp = /^([^/:]+):(?!\d+\/)(.*)$/.exec(u);
  if (scp) u = `${scp[1]}/${scp[2]}`;
  return u.replace(/\/+$/, '').replace(/\.git$/, '');
}

async function defaultBranch(root: string): Promise<{ name: string; from: string }> {
  const remoteHead = await gitText(root, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  if (remoteHead?.startsWith('origin/')) return { name: remoteHead.slice('origin/'.length), from: 'origin/HEAD' };
  for (const name of ['main', 'master']) {
    if (await gitText(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${name}`])) return { name, from: `the local branch ${name}` };
  }
  const current = await gitText(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (current) return { name: current, from: 'the current branch' };
  return { name: 'main', from: 'no branch found: assumed' };
}

function applicationsIn(file: string, text: string): FoundApplication[] {
  if (!text.includes('argoproj.io') || !/^\s*kind:\s*["']?Application["']?\s*(#.*)?$/m.test(text)) return [];
  const found: FoundApplication[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) continue;
    const obj: unknown = doc.toJS();
    if (typeof obj !== 'object' || obj === null) continue;
    const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; spec?: { source?: { repoURL?: unknown }; sources?: unknown } };
    if (o.kind !== 'Application' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('argoproj.io/')) continue;
    const sources = [o.spec?.source, ...(Array.isArray(o.spec?.sources) ? (o.spec.sources as unknown[]) : [])];
    const repoURLs = sources.flatMap((s) => {
      const url = typeof s === 'object' && s !== null ? (s as { repoURL?: unknown }).repoURL : undefined;
      return typeof url === 'string' ? [url] : [];
    });
    found.push({ file, name: typeof o.metadata?.name === 'string' ? o.metadata.name : '(unnamed)', repoURLs });
  }
  return found;
}

/**
 * Looks at a repository's work tree (committed and untracked files, without ignored ones) for what the
 * starter policy depends on. Files that do not parse are skipped: the gate itself reports them later.
 * @throws {UsageError} when `dir` is not inside a git work tree
 */
export async function detectRepo(dir: string): Promise<RepoFacts> {
  const root = await gitText(dir, ['rev-parse', '--show-toplevel']);
  if (!root) throw new UsageError(`${dir} is not inside a git work tree: run "git init" (or clone the repository) first`);
  const branch = await defaultBranch(root);
  const originUrl = await gitText(root, ['remote', 'get-url', 'origin']);
  const listing = (await git(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])).toString('utf8');
  const paths = [...new Set(listing.split('\0').filter((p) => p && /\.ya?ml$/i.test(p)))].sort();
  const applications: FoundApplication[] = [];
  for (const p of paths) {
    const full = join(root, p);
    const size = await stat(full).then((s) => (s.isFile() ? s.size : -1), () => -1);
    if (size < 0 || size > MAX_SCAN_BYTES) continue;
    applications.push(...applicationsIn(p, await readFile(full, 'utf8')));
  }
  let codeowners: RepoFacts['codeowners'];
  // GitHub's order: .github/, the root, docs/ (the first found is used).
  for (const p of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']) {
    const text = await readFile(join(root, p), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const teams = new Set<string>();
    for (const line of text.split('\n')) {
      if (line.trimStart().startsWith('#')) continue;
      for (const m of line.matchAll(/@([\w.-]+\/[\w.-]+)/g)) teams.add(m[1]!);
    }
    codeowners = { path: p, teams: [...teams].sort() };
    break;
  }
  return {
    root,
    defaultBranch: branch.name,
    defaultBranchFrom: branch.from,
    ...(originUrl ? { originUrl } : {}),
    applications,
    ...(codeowners ? { codeowners } : {}),
  };
}

/** The workflow `init` writes: the README's recommended workflow with the Action pinned to `action`. */
export function workflowYaml(action: string): string {
  return (
    `# Written by "gitops-gate init" (gitops-gate ${VERSION}). Why each event, permission and setting is\n` +
    `# there: the gitops-gate README, section "The GitHub Action".\n` +
    workflowTemplate.replace('{{action}}', action)
  );
}

const q = (s: string): string => JSON.stringify(s);
const list = (items: readonly string[]): string => `[${items.map(q).join(', ')}]`;

/** The Application repoURLs that point at this repository (its `origin`), when others do not. */
function ownRepoUrls(facts: RepoFacts): { own: string[]; other: string[] } {
  const all = [...new Set(facts.applications.flatMap((a) => a.repoURLs))].sort();
  if (!facts.originUrl) return { own: [], other: all };
  const origin = normalizeGitUrl(facts.originUrl);
  return { own: all.filter((u) => normalizeGitUrl(u) === origin), other: all.filter((u) => normalizeGitUrl(u) !== origin) };
}

function syncSection(facts: RepoFacts): string[] {
  const apps = facts.applications;
  const lines = ['sync:', '  applications:'];
  if (apps.length === 0) {
    lines.push(
      '    # No ArgoCD Application was found in this repository: the manifests of each directory holding a',
      '    # kustomization.yaml (else of each directory) are taken as one group that ArgoCD syncs together.',
      '    # Once Applications live here, list the repoURLs that mean this repository (globs):',
      '    repoURLs: []',
    );
  } else {
    const { own, other } = ownRepoUrls(facts);
    lines.push(`    # ${apps.length} ArgoCD Application(s) found${apps.length > 3 ? ', among them' : ''}:`);
    for (const a of apps.slice(0, 3)) lines.push(`    #   ${a.name} (${a.file})`);
    if (own.length > 0 && other.length > 0) {
      lines.push(
        '    # Only Applications whose source repoURL matches one of these globs group the manifests of this',
        `    # repository; the others deploy from elsewhere (${other.slice(0, 3).join(', ')}${other.length > 3 ? ', ...' : ''}).`,
        `    repoURLs: ${list(own)}`,
      );
    } else {
      lines.push(
        '    # Each Application with a source path groups the manifests under that path. Empty: every',
        '    # Application source is taken to point into this repository; list globs of the repoURLs that',
        '    # mean this repository when some Applications deploy from elsewhere.',
        '    repoURLs: []',
      );
    }
  }
  lines.push(
    '  # API groups whose CRDs the cluster already has (installed outside the Application that uses them),',
    '  # for example ["cert-manager.io", "monitoring.coreos.com"]. Custom resources of other groups need their',
    '  # CRD in the same Application, or SkipDryRunOnMissingResource=true.',
    '  clusterCrdGroups: []',
  );
  return lines;
}

function reviewSection(facts: RepoFacts): string[] {
  const lines = [
    'review:',
    '  # Every rule whose conditions hold must be met. An approval counts when it is the reviewer\'s latest',
    '  # review, on the head commit, from someone with write access who did not take part in the change.',
    '  rules:',
    '    - name: manifests',
    '      description: Every change to manifests is approved by someone who did not write it.',
    '      if: { manifestsChanged: true }',
    '      approvals: 1',
    '    # - name: production',
    `    #   if: { paths: ["envs/production/**"], targetBranches: [${q(facts.defaultBranch)}] }`,
    '    #   approvals: 2',
    '    #   from: { teams: ["your-org/sre"] }   # team rules need a token that reads org members',
  ];
  const co = facts.codeowners;
  if (co) {
    lines.push(`  # ${co.path} found: a touched path with owners needs an approval from one of them (as GitHub does).`);
    if (co.teams.length > 0) {
      lines.push(
        `  # It names teams (${co.teams.slice(0, 3).map((t) => `@${t}`).join(', ')}${co.teams.length > 3 ? ', ...' : ''}): the workflow's github-token must read`,
        '  # organisation members (a GitHub App token with Members: read, or a PAT with read:org), else',
        '  # those approvals fail closed.',
      );
    }
    lines.push('  codeowners:', '    mode: any-owner');
  } else {
    lines.push(
      '  # No CODEOWNERS file was found. With one, turn on code-owner approval: any-owner (as GitHub does)',
      '  # or every-owning-team.',
      '  codeowners:',
      '    mode: off',
    );
  }
  lines.push(
    '  # Break-glass for emergencies stays off until users are listed: a listed user then applies the',
    '  # "break-glass" label or comments "/gitops-gate break-glass <reason>", and the override is recorded.',
    '  breakGlass:',
    '    users: []',
  );
  return lines;
}

/**
 * The starter policy: the settings a team usually changes, commented, with what {@link detectRepo} found.
 * Everything else keeps the built-in default. The first line points editors at the policy schema.
 */
export function starterPolicy(facts: RepoFacts): string {
  return [
    `# yaml-language-server: $schema=${POLICY_SCHEMA_URL}`,
    '#',
    `# gitops-gate policy, written by "gitops-gate init" (gitops-gate ${VERSION}).`,
    '# The gate reads this file from the base branch of each pull request: a pull request cannot loosen the',
    '# policy that judges it, and a change to this file applies once merged. It lists what teams usually',
    '# change; every setting left out keeps the built-in default (policies/default.yaml in the gitops-gate',
    '# package). The schema on the first line documents every setting: editors with the YAML language',
    '# server complete and check them.',
    'version: 1',
    '',
    '# Which YAML files are Kubernetes manifests: every *.yaml and *.yml outside what is excluded. Exclude',
    '# YAML that ArgoCD does not apply as it is, for example Helm values: "charts/*/values*.yaml".',
    'manifests:',
    '  exclude: [".github/**"]',
    '',
    '# A rule\'s severity (error, warning, notice) or off, for example:',
    '#   wave-not-integer: warning',
    'rules: {}',
    '',
    ...syncSection(facts),
    '',
    ...reviewSection(facts),
    '',
    'description:',
    '  # The pull request body needs a "## Why" and a "## Rollback" section with real content (the default).',
    '  # Require a ticket reference in the title, the body or the branch name:',
    '  #   ticket:',
    '  #     pattern: "[A-Z][A-Z0-9]+-\\\\d+"',
    '  # Require a title format:',
    '  #   title:',
    '  #     pattern: "^(feat|fix|chore|docs|refactor|revert)(\\\\(.+\\\\))?: .+"',
    '  #     hint: "type(scope): summary"',
    '  labels:',
    '    required: []',
    '    forbidden: []   # for example ["do-not-merge"]',
    '',
  ].join('\n');
}

/** Outcome of writing one file. */
interface Written {
  path: string;
  state: 'wrote' | 'overwrote' | 'kept';
  what: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes `text` to `rel` under `root` unless a file is there (or at one of `aliases`, other spellings
 * the gate would read instead) and `force` is off. With `force` the existing spelling is overwritten.
 * @throws {UsageError} when the file cannot be written
 */
async function place(root: string, rel: string, aliases: readonly string[], text: string, force: boolean, what: string): Promise<Written> {
  let target = rel;
  for (const a of [rel, ...aliases]) {
    if (await exists(join(root, a))) {
      target = a;
      break;
    }
  }
  const full = join(root, target);
  const existed = await exists(full);
  if (existed && !force) return { path: target, state: 'kept', what };
  try {
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text, { flag: force ? 'w' : 'wx' });
  } catch (e) {
    // A read-only checkout, a directory where the file belongs: the user's to fix, not a bug.
    throw new UsageError(`init: cannot write ${target}: ${(e as Error).message}`);
  }
  return { path: target, state: existed ? 'overwrote' : 'wrote', what };
}

/**
 * Runs `gitops-gate init`.
 * @param argv the arguments after `init`
 * @returns 0 when every file was written, 1 when a file existed and was kept
 * @throws {UsageError} on bad options or outside a git work tree
 */
export async function runInit(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        repo: { type: 'string' },
        action: { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    throw new UsageError(`init: ${(e as Error).message}`);
  }
  if (values.help) {
    io.out(INIT_USAGE);
    return 0;
  }
  let action = values.action ?? defaultAction();
  if (!/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?(@[\w./-]+)?$/.test(action)) throw new UsageError(`--action must be OWNER/REPO or OWNER/REPO@REF (got "${action}")`);
  if (!action.includes('@')) action += `@v${VERSION}`;
  const facts = await detectRepo(resolve(values.repo ?? process.cwd()));
  const force = values.force === true;
  const results = [
    await place(facts.root, WORKFLOW_PATH, ['.github/workflows/gitops-gate.yml'], workflowYaml(action), force, `runs the gate on every pull request, with ${action}`),
    await place(facts.root, POLICY_PATH, ['policies/gitops-gate.yml'], starterPolicy(facts), force, 'the starter policy (schema-checked in editors)'),
  ];
  const out: string[] = [`gitops-gate init in ${facts.root}`, ''];
  const width = Math.max(...results.map((r) => r.path.length));
  for (const r of results) {
    if (r.state === 'kept') out.push(`  kept       ${r.path.padEnd(width)}  it exists: not changed (--force overwrites it)`);
    else out.push(`  ${r.state.padEnd(9)}  ${r.path.padEnd(width)}  ${r.what}`);
  }
  const apps = facts.applications.length;
  out.push(
    '',
    'Found:',
    `  default branch  ${facts.defaultBranch} (${facts.defaultBranchFrom})`,
    `  ArgoCD          ${apps ? `${apps} Application(s)` : 'no Application: manifests are grouped by directory'}`,
    `  CODEOWNERS      ${facts.codeowners ? `${facts.codeowners.path}: code-owner approval on (any-owner)` : 'none: code-owner approval off'}`,
  );
  if (action.startsWith(`${PLACEHOLDER_ACTION}@`)) {
    out.push('', `Replace "${PLACEHOLDER_ACTION}" in ${WORKFLOW_PATH} with where your organisation hosts the Action (or run init with --action OWNER/REPO).`);
  }
  out.push(
    '',
    'Next:',
    '  1. Commit these files and open a pull request: the gate runs on it and reports in a check run.',
    `  2. Turn on one branch-protection setting, in Settings > Rules > Rulesets (or Settings > Branches),`,
    `     for the branch "${facts.defaultBranch}": "Require status checks to pass", with the check "${CHECK_NAME}".`,
    '  Locally: "gitops-gate check" checks your branch, "gitops-gate check --staged" what you are about to commit.',
    '',
  );
  io.out(out.join('\n'));
  return results.some((r) => r.state === 'kept') ? 1 : 0;
}
