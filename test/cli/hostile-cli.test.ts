/** Hostile files in a real git repository, through the built CLI: each is reported at its file and line. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, type TestRepo } from '../helpers/git-repo.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const repos: TestRepo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));

const cm = (wave: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations:\n    argocd.argoproj.io/sync-wave: ${wave}\n`;

describe('gitops-gate check on hostile files', () => {
  const files = {
    'apps/my app/ünïcödé (copy).yaml': cm('"1.5"'),
    'apps/line\nbreak.yaml': cm('"x"'),
    'apps/\u202eevil.yaml': cm('"y"'),
    'apps/logo.yaml': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]),
    'apps/deep.yaml': '['.repeat(100_000),
    'apps/tabs.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n',
  };

  it('reports every file, in diff mode and with --all', () => {
    const r = makeRepo({ 'README.md': 'x\n' }, files);
    repos.push(r);
    for (const args of [['--base', 'main'], ['--all']]) {
      const out = spawnSync(process.execPath, [CLI, 'check', '--repo', r.dir, '--head', 'pr', ...args, '--format', 'json'], { encoding: 'utf8' });
      expect(out.stderr).toBe('');
      expect(out.status).toBe(1);
      const report = JSON.parse(out.stdout) as { findings: { rule: string; file: string; line: number }[] };
      expect(report.findings.map((f) => [f.file, f.rule, f.line]).sort()).toEqual(
        [
          ['apps/my app/ünïcödé (copy).yaml', 'wave-not-integer', 6],
          ['apps/line\nbreak.yaml', 'wave-not-integer', 6],
          ['apps/\u202eevil.yaml', 'wave-not-integer', 6],
          ['apps/logo.yaml', 'yaml-not-text', 1],
          ['apps/deep.yaml', 'yaml-limit', 1],
          ['apps/tabs.yaml', 'yaml-syntax', 4],
        ].sort(),
      );
    }
  });
});
