/**
 * Symbolic links and file names that are not UTF-8, in real git repositories through the built CLI: the gate
 * reads what ArgoCD applies (a link's target, under the link's path), refuses links that leave the
 * repository, and loses no file whatever its name's bytes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, type Files, type TestRepo } from '../helpers/git-repo.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const repos: TestRepo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));

const cm = (name: string, wave: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: ${wave}\n`;
const good = (name: string) => cm(name, '"1"');
const bad = (name: string) => cm(name, '"soon"');

interface Out {
  status: number | null;
  stderr: string;
  findings: [string, string, number][];
}

function check(base: Files, head: Files, mode: 'diff' | 'all'): Out {
  const r = makeRepo(base, head);
  repos.push(r);
  const args = mode === 'all' ? ['--all'] : ['--base', 'main'];
  const out = spawnSync(process.execPath, [CLI, 'check', '--repo', r.dir, '--head', 'pr', ...args, '--format', 'json'], { encoding: 'utf8' });
  const report = out.stdout ? (JSON.parse(out.stdout) as { findings: { rule: string; file: string; line: number; status: string }[] }) : { findings: [] };
  return { status: out.status, stderr: out.stderr, findings: report.findings.filter((f) => f.status === 'new').map((f) => [f.file, f.rule, f.line] as [string, string, number]).sort() };
}

describe('symbolic links', () => {
  it('judges a link to a manifest elsewhere in the repository by its target, under the link path', () => {
    for (const mode of ['diff', 'all'] as const) {
      const out = check(
        { 'apps/prod/ok.yaml': good('ok') },
        { '.github/payload/evil.yaml': bad('evil'), 'apps/prod/evil.yaml': { symlink: '../../.github/payload/evil.yaml' } },
        mode,
      );
      expect(out.stderr).toBe('');
      expect(out.findings).toContainEqual(['apps/prod/evil.yaml', 'wave-not-integer', 6]);
      expect(out.status).toBe(1);
    }
  });

  it('follows a chain of links, and a directory link on the way', () => {
    const out = check(
      { 'apps/prod/ok.yaml': good('ok') },
      {
        'shared/real/evil.yaml': bad('evil'),
        'shared/dir': { symlink: 'real' },
        'apps/prod/hop.yaml': { symlink: '../../shared/dir/evil.yaml' },
        'apps/prod/evil.yaml': { symlink: 'hop.yaml' },
      },
      'diff',
    );
    expect(out.findings).toContainEqual(['apps/prod/evil.yaml', 'wave-not-integer', 6]);
    expect(out.findings).toContainEqual(['apps/prod/hop.yaml', 'wave-not-integer', 6]);
    expect(out.status).toBe(1);
  });

  it('re-judges a link when only its target changes', () => {
    const out = check(
      { '.github/payload/evil.yaml': good('evil'), 'apps/prod/evil.yaml': { symlink: '../../.github/payload/evil.yaml' } },
      { '.github/payload/evil.yaml': bad('evil') },
      'diff',
    );
    expect(out.stderr).toBe('');
    expect(out.findings).toContainEqual(['apps/prod/evil.yaml', 'wave-not-integer', 6]);
    expect(out.status).toBe(1);
  });

  it('reports a link that leaves the repository or is absolute, whatever the file', () => {
    for (const mode of ['diff', 'all'] as const) {
      const out = check(
        { 'apps/prod/ok.yaml': good('ok') },
        { 'apps/prod/passwd.yaml': { symlink: '../../../etc/passwd' }, 'apps/prod/abs.yaml': { symlink: '/etc/passwd' }, 'docs/notes': { symlink: '../..' } },
        mode,
      );
      expect(out.stderr).toBe('');
      expect(out.findings).toEqual([
        ['apps/prod/abs.yaml', 'symlink-outside-repo', 1],
        ['apps/prod/passwd.yaml', 'symlink-outside-repo', 1],
        ['docs/notes', 'symlink-outside-repo', 1],
      ]);
      expect(out.status).toBe(1);
    }
  });

  it('reports a loop and a dangling link to a manifest', () => {
    const out = check(
      { 'apps/prod/ok.yaml': good('ok') },
      { 'apps/prod/a.yaml': { symlink: 'b.yaml' }, 'apps/prod/b.yaml': { symlink: './a.yaml' }, 'apps/prod/gone.yaml': { symlink: 'nothing.yaml' } },
      'all',
    );
    expect(out.stderr).toBe('');
    expect(out.findings).toEqual([
      ['apps/prod/a.yaml', 'symlink-unresolved', 1],
      ['apps/prod/b.yaml', 'symlink-unresolved', 1],
      ['apps/prod/gone.yaml', 'symlink-unresolved', 1],
    ]);
    expect(out.status).toBe(1);
  });

  it('passes a link to a good manifest inside the repository', () => {
    const out = check({ 'apps/prod/ok.yaml': good('ok') }, { 'shared/cm.yaml': good('shared'), 'apps/prod/cm.yaml': { symlink: '../../shared/cm.yaml' } }, 'diff');
    expect(out.stderr).toBe('');
    expect(out.findings.filter(([, rule]) => rule !== 'review-approvals')).toEqual([]);
  });
});

describe('file names that are not UTF-8', () => {
  it('reads every file and reports it under an escaped name', () => {
    for (const mode of ['diff', 'all'] as const) {
      const out = check(
        { 'apps/a/ok.yaml': good('ok') },
        { 'apps/a/\\xfe.yaml': bad('fe'), 'apps/a/\\xff.yaml': bad('ff'), 'apps/a/caf\\xe9.yaml': 'a: [\n' },
        mode,
      );
      expect(out.stderr).toBe('');
      expect(out.findings).toEqual([
        ['apps/a/\\xfe.yaml', 'wave-not-integer', 6],
        ['apps/a/\\xff.yaml', 'wave-not-integer', 6],
        ['apps/a/caf\\xe9.yaml', 'yaml-syntax', 2],
      ].sort());
      expect(out.status).toBe(1);
    }
  });
});
