/** `gitops-gate check --staged`: the index against the upstream's merge base, with the base's policy. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { stagedBase } from '../../src/sources/staged.js';
import { git } from '../helpers/git-repo.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const deploy = (wave: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n    argocd.argoproj.io/sync-wave: ${wave}\nspec:\n  replicas: 1\n`;

function write(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

/** A repository with `base` committed on `branch`, then checked out on a new branch `topic`. */
function repo(base: Record<string, string>, branch = 'main'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gg-staged-'));
  dirs.push(dir);
  git(dir, ['init', '-q', '-b', branch]);
  write(dir, base);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', 'base']);
  git(dir, ['checkout', '-q', '-b', 'topic']);
  return dir;
}

function stage(dir: string, files: Record<string, string>): void {
  write(dir, files);
  git(dir, ['add', '-A']);
}

async function check(dir: string, extra: string[] = []) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['check', '--staged', '--repo', dir, '--format', 'json', ...extra], { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stderr, report: stdout ? (JSON.parse(stdout) as { verdict: string; findings: { rule: string; file: string; line: number }[]; change: Record<string, unknown>; policy: { origin: string } }) : undefined };
}

describe('gitops-gate check --staged', () => {
  it('checks what is staged, not the last commit nor unstaged edits', async () => {
    const dir = repo({ 'app/d.yaml': deploy('"1"') });
    stage(dir, { 'app/d.yaml': deploy('2') });
    const staged = await check(dir);
    expect(staged.stderr).toBe('');
    expect(staged.code).toBe(1);
    expect(staged.report?.findings).toEqual([expect.objectContaining({ rule: 'wave-not-string', file: 'app/d.yaml', line: 6 })]);
    expect(staged.report?.change).toMatchObject({ mode: 'diff', files: 1 });
    // Fixed in the work tree but not staged: the commit would still hold the mistake.
    write(dir, { 'app/d.yaml': deploy('"2"') });
    expect((await check(dir)).code).toBe(1);
    git(dir, ['add', '-A']);
    expect((await check(dir)).code).toBe(0);
    // An unstaged mistake does not count either.
    write(dir, { 'app/d.yaml': deploy('3') });
    expect((await check(dir)).code).toBe(0);
  });

  it('includes the commits already on the branch since the base', async () => {
    const dir = repo({ 'app/d.yaml': deploy('"1"') });
    stage(dir, { 'app/d.yaml': deploy('2') });
    git(dir, ['commit', '-q', '-m', 'unpushed']);
    stage(dir, { 'app/other.yaml': deploy('"3"').replace('name: api', 'name: other') });
    const r = await check(dir);
    expect(r.code).toBe(1);
    expect(r.report?.change).toMatchObject({ files: 2, commits: 1 });
    expect(r.report?.findings.map((f) => f.file)).toEqual(['app/d.yaml']);
  });

  it('reads the policy from the base: a staged policy edit does not loosen it', async () => {
    const policy = (sev: string) => `version: 1\nrules:\n  wave-not-string: ${sev}\n`;
    const dir = repo({ 'policies/gitops-gate.yaml': policy('error'), 'app/d.yaml': deploy('"1"') });
    stage(dir, { 'policies/gitops-gate.yaml': policy('off'), 'app/d.yaml': deploy('2') });
    const r = await check(dir);
    expect(r.code).toBe(1);
    expect(r.report?.policy.origin).toBe('repository');
    expect(r.report?.findings.map((f) => f.rule)).toEqual(['wave-not-string']);
  });

  it('takes the base from the upstream branch, before the usual names', async () => {
    // main: A; release: A-B (the policy switches the rule off); topic: B-C, upstream release.
    const dir = repo({ 'app/d.yaml': deploy('"1"') });
    git(dir, ['checkout', '-q', '-b', 'release', 'main']);
    stage(dir, { 'policies/gitops-gate.yaml': 'version: 1\nrules:\n  wave-not-string: off\n' });
    git(dir, ['commit', '-q', '-m', 'release policy']);
    const b = git(dir, ['rev-parse', 'HEAD']);
    git(dir, ['checkout', '-q', '-B', 'topic', 'release']);
    git(dir, ['branch', '-q', '--set-upstream-to=release']);
    git(dir, ['commit', '-q', '--allow-empty', '-m', 'C']);
    expect(await stagedBase(dir)).toEqual({ sha: b, from: 'merge base of HEAD and release' });
    stage(dir, { 'app/d.yaml': deploy('2') });
    const r = await check(dir);
    expect(r.code).toBe(0);
    expect(r.report?.change).toMatchObject({ baseSha: b });
    // Without the upstream, main is the base, and its default policy counts the mistake.
    git(dir, ['branch', '-q', '--unset-upstream']);
    expect((await stagedBase(dir))?.from).toBe('merge base of HEAD and main');
    expect((await check(dir)).code).toBe(1);
  });

  it('checks the staged change alone against HEAD when there is no upstream, main or master', async () => {
    const dir = repo({ 'app/d.yaml': deploy('2') }, 'trunk');
    const head = git(dir, ['rev-parse', 'HEAD']);
    expect(await stagedBase(dir)).toEqual({ sha: head, from: 'HEAD' });
    stage(dir, { 'app/e.yaml': deploy('"1"').replace('name: api', 'name: e') });
    const r = await check(dir);
    // The pre-existing mistake in app/d.yaml is not part of the change.
    expect(r.code).toBe(0);
    expect(r.report?.change).toMatchObject({ baseSha: head, files: 1 });
  });

  it('checks the whole staged tree on a branch with no commit yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gg-staged-'));
    dirs.push(dir);
    git(dir, ['init', '-q', '-b', 'main']);
    expect(await stagedBase(dir)).toBeUndefined();
    stage(dir, { 'app/d.yaml': deploy('2') });
    const r = await check(dir);
    expect(r.code).toBe(1);
    expect(r.report?.change).toMatchObject({ mode: 'all' });
    expect(r.report?.findings.map((f) => f.rule)).toEqual(['wave-not-string']);
  });

  it('fails closed (exit 2) on an index with merge conflicts, saying why', async () => {
    const dir = repo({ 'app/d.yaml': deploy('"1"') });
    stage(dir, { 'app/d.yaml': deploy('"2"') });
    git(dir, ['commit', '-q', '-m', 'topic']);
    git(dir, ['checkout', '-q', 'main']);
    stage(dir, { 'app/d.yaml': deploy('"3"') });
    git(dir, ['commit', '-q', '-m', 'main']);
    try {
      git(dir, ['merge', '-q', 'topic']);
    } catch {
      // the conflict is the point
    }
    const r = await check(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read the staged change (resolve merge conflicts first?)');
  });

  it('as a plain git pre-commit hook (the bundle), blocks "git commit -a", whose hook sees a temporary index', () => {
    const dir = repo({ 'app/d.yaml': deploy('"1"') });
    const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
    writeFileSync(join(dir, '.git/hooks/pre-commit'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} check --staged\n`);
    chmodSync(join(dir, '.git/hooks/pre-commit'), 0o755);
    // Nothing is staged in the index: only the temporary index of "commit -a" holds the mistake.
    write(dir, { 'app/d.yaml': deploy('2') });
    const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@example.com' };
    const blocked = spawnSync('git', ['commit', '-q', '-a', '-m', 'bad'], { cwd: dir, env, encoding: 'utf8' });
    expect(blocked.status).not.toBe(0);
    // git sends a hook's output to its standard error.
    expect(blocked.stderr).toMatch(/app\/d\.yaml:6:35: error \[wave-not-string\]/);
    expect(git(dir, ['rev-list', '--count', 'HEAD'])).toBe('1');
    write(dir, { 'app/d.yaml': deploy('"2"') });
    const passed = spawnSync('git', ['commit', '-q', '-a', '-m', 'good'], { cwd: dir, env, encoding: 'utf8' });
    expect(passed.status).toBe(0);
    expect(git(dir, ['rev-list', '--count', 'HEAD'])).toBe('2');
  });

  it('refuses options that describe a commit or a pull request (exit 2)', async () => {
    const dir = repo({});
    for (const extra of [['--head', 'HEAD'], ['--pr', 'e.json'], ['--reviews', 'r.json']]) {
      const r = await check(dir, extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--staged checks the index before it is committed: do not combine it with ${extra[0]}`);
    }
  });
});
