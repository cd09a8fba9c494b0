/** `gitops-gate init`: the files it writes, what it detects, and that it never overwrites without --force. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import schema from '../../policies/schema.json' with { type: 'json' };
import { actionRepository, normalizeGitUrl, POLICY_PATH, WORKFLOW_PATH, workflowYaml } from '../../src/cli/init.js';
import { runCli } from '../../src/cli/main.js';
import { loadPolicy } from '../../src/composition.js';
import { VERSION } from '../../src/version.js';
import { git } from '../helpers/git-repo.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh repository (`git init`, no commit) holding `files`. */
function repo(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'gg-init-'));
  dirs.push(dir);
  git(dir, ['init', '-q', '-b', 'main']);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const read = (dir: string, p: string) => readFileSync(join(dir, p), 'utf8');

const app = (name: string, repoURL: string, path: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: ${repoURL}\n    path: ${path}\n    targetRevision: HEAD\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: ${name}\n`;

describe('gitops-gate init on an empty repository', () => {
  it('writes the README workflow pinned to this release and a starter policy that the gate accepts', async () => {
    const dir = repo();
    const r = await cli(['init', '--repo', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote      ${WORKFLOW_PATH}`);
    expect(r.stdout).toContain(`wrote      ${POLICY_PATH}`);
    // The one branch-protection setting, for the default branch, naming the workflow's check.
    expect(r.stdout).toContain('for the branch "main": "Require status checks to pass", with the check "GitOps Gate".');

    const workflow = read(dir, WORKFLOW_PATH);
    expect(workflow).toContain(`uses: your-org/gitops-gate@v${VERSION}\n`);
    const wf = parse(workflow) as { on: Record<string, unknown>; permissions: Record<string, string>; concurrency: unknown; jobs: { gate: { steps: { uses?: string; with?: Record<string, unknown> }[] } } };
    expect(Object.keys(wf.on)).toEqual(['pull_request', 'pull_request_review', 'issue_comment', 'merge_group']);
    expect(wf.permissions).toMatchObject({ contents: 'read', 'pull-requests': 'write', checks: 'write' });
    expect(wf.concurrency).toBeDefined();
    const gate = wf.jobs.gate.steps.find((s) => s.uses?.includes('gitops-gate'));
    expect(gate?.with).toMatchObject({ policy: 'policies', 'check-name': 'GitOps Gate' });

    const policy = read(dir, POLICY_PATH);
    expect(policy.split('\n')[0]).toBe(`# yaml-language-server: $schema=${schema.$id}`);
    const loaded = loadPolicy(policy, POLICY_PATH);
    expect(loaded.review.codeowners.mode).toBe('off');
    expect(loaded.sync.applications.repoURLs).toEqual([]);

    // The written policy is the one a later check reads, and an empty change passes under it.
    writeFileSync(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    argocd.argoproj.io/sync-wave: "1"\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'gitops-gate init']);
    const check = await cli(['check', '--repo', dir, '--all', '--format', 'json']);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout).policy).toMatchObject({ origin: 'repository', path: POLICY_PATH });
  });

  it('writes the same workflow as the README recommends, apart from the pinned Action', () => {
    const readme = read(ROOT, 'README.md');
    const block = /```yaml\n(name: gitops-gate\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const [line1, line2, ...rest] = workflowYaml('your-org/gitops-gate@v1').split('\n');
    expect(`${line1}\n${line2}`).toMatch(/^# Written by "gitops-gate init" .*\n# .*README/);
    expect(rest.join('\n')).toBe(block);
  });

  it('pins the Action given with --action, at this release unless a ref is given', async () => {
    const dir = repo();
    expect((await cli(['init', '--repo', dir, '--action', 'acme/gitops-gate'])).code).toBe(0);
    expect(read(dir, WORKFLOW_PATH)).toContain(`uses: acme/gitops-gate@v${VERSION}\n`);
    const other = repo();
    const r = await cli(['init', '--repo', other, '--action', 'acme/gitops-gate@0123456789abcdef0123456789abcdef01234567']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Replace "your-org/gitops-gate"');
    expect(read(other, WORKFLOW_PATH)).toContain('uses: acme/gitops-gate@0123456789abcdef0123456789abcdef01234567\n');
    expect((await cli(['init', '--repo', other, '--action', 'not a ref'])).code).toBe(2);
  });

  it('refuses a directory outside a git work tree (exit 2) and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gg-nogit-'));
    dirs.push(dir);
    const r = await cli(['init', '--repo', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not inside a git work tree');
    expect(existsSync(join(dir, POLICY_PATH))).toBe(false);
  });
});

describe('gitops-gate init on a repository with files', () => {
  it('keeps files that exist (exit 1), writes the others, and overwrites only with --force', async () => {
    const dir = repo({ [POLICY_PATH]: 'version: 1\n# ours\n' });
    const r = await cli(['init', '--repo', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/kept {7}policies\/gitops-gate\.yaml +it exists: not changed \(--force overwrites it\)/);
    expect(read(dir, POLICY_PATH)).toBe('version: 1\n# ours\n');
    expect(existsSync(join(dir, WORKFLOW_PATH))).toBe(true);

    const again = await cli(['init', '--repo', dir]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`kept       ${WORKFLOW_PATH}`);

    const forced = await cli(['init', '--repo', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`overwrote  ${POLICY_PATH}`);
    expect(read(dir, POLICY_PATH)).toContain('# yaml-language-server:');
  });

  it('treats the .yml spelling the gate would read as the existing file', async () => {
    const dir = repo({ 'policies/gitops-gate.yml': 'version: 1\n', '.github/workflows/gitops-gate.yml': 'name: ours\n' });
    const r = await cli(['init', '--repo', dir]);
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, POLICY_PATH))).toBe(false);
    expect(existsSync(join(dir, WORKFLOW_PATH))).toBe(false);
    expect(read(dir, 'policies/gitops-gate.yml')).toBe('version: 1\n');
  });

  it('detects Applications, the repoURLs of this repository, CODEOWNERS teams and the default branch', async () => {
    const dir = repo({
      'apps/payments.yaml': app('payments', 'git@github.com:Acme/GitOps.git', 'payments'),
      'apps/monitoring.yaml': app('monitoring', 'https://github.com/acme/charts', 'prometheus'),
      'payments/d.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\n',
      '.github/CODEOWNERS': '# owners\n/payments/ @acme/payments-team @alice\n',
    });
    git(dir, ['remote', 'add', 'origin', 'https://github.com/acme/gitops.git']);
    git(dir, ['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk']);
    // init runs from a subdirectory: it writes at the top of the work tree.
    const r = await cli(['init', '--repo', join(dir, 'apps')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('default branch  trunk (origin/HEAD)');
    expect(r.stdout).toContain('ArgoCD          2 Application(s)');
    expect(r.stdout).toContain('CODEOWNERS      .github/CODEOWNERS: code-owner approval on (any-owner)');
    expect(r.stdout).toContain('for the branch "trunk"');
    const policy = read(dir, POLICY_PATH);
    expect(policy).toContain('#   payments (apps/payments.yaml)');
    expect(policy).toContain('the workflow\'s github-token must read');
    expect(policy).toContain('targetBranches: ["trunk"]');
    const loaded = loadPolicy(policy, POLICY_PATH);
    expect(loaded.sync.applications.repoURLs).toEqual(['git@github.com:Acme/GitOps.git']);
    expect(loaded.review.codeowners.mode).toBe('any-owner');
  });
});

describe('editor completion', () => {
  it('the schema $id is stable per policy format version, and the docs show the line init writes', () => {
    expect(schema.$id).toBe(`https://gitops-gate.dev/schemas/policy-v${schema.properties.version.const}.json`);
    const line = `# yaml-language-server: $schema=${schema.$id}`;
    expect(read(ROOT, 'docs/adoption.md')).toContain(line);
    expect(read(ROOT, 'README.md')).toContain(line.slice(2));
    expect(read(ROOT, 'docs/adoption.md')).toContain(`"yaml.schemas": {\n    "${schema.$id}": ["${POLICY_PATH}"]`);
  });
});

describe('init helpers', () => {
  it('normalises git URLs to host and path', () => {
    const same = ['git@github.com:Acme/GitOps.git', 'https://github.com/acme/gitops', 'ssh://git@github.com/acme/gitops.git', 'https://user@github.com/acme/gitops.git/'];
    expect(new Set(same.map(normalizeGitUrl))).toEqual(new Set(['github.com/acme/gitops']));
    expect(normalizeGitUrl('ssh://git@host:2222/acme/gitops.git')).toBe('host:2222/acme/gitops');
  });

  it('reads the Action repository from package.json repository, else a placeholder', () => {
    expect(actionRepository('github:acme/gitops-gate')).toBe('acme/gitops-gate');
    expect(actionRepository('acme/gitops-gate')).toBe('acme/gitops-gate');
    expect(actionRepository({ type: 'git', url: 'git+https://github.com/acme/gitops-gate.git' })).toBe('acme/gitops-gate');
    expect(actionRepository(undefined)).toBe('your-org/gitops-gate');
    expect(actionRepository({ url: 'https://gitlab.example/acme/gg' })).toBe('your-org/gitops-gate');
  });
});
