/** Hostile files in a real git repository, through the built CLI: each is reported at its file and line. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

describe('gitops-gate check on hostile PR bodies (issue 13: Markdown that crashed or hung the parser)', () => {
  // Each body is inside GitHub's 65,536-character limit. Before the bounds: "> " x 32k crashed with
  // "Maximum call stack size exceeded", "> - " x 16k and "*_" x 32k parsed for minutes.
  const bodies: [string, string, string][] = [
    ['"> " x 32k', '> '.repeat(32_000), 'nests more than 32'],
    ['"> - " x 16k', '> - '.repeat(16_000), 'nests more than 32'],
    ['"*_" x 32k', '*_'.repeat(32_000), 'was stopped'],
  ];

  it.each(bodies)('%s is a description-unparseable failure within the time bound, not a crash', (_name, body, reason) => {
    const r = makeRepo({ 'README.md': 'x\n' }, { 'README.md': 'y\n' });
    repos.push(r);
    const dir = mkdtempSync(join(tmpdir(), 'gg-event-'));
    try {
      const event = join(dir, 'event.json');
      writeFileSync(
        event,
        JSON.stringify({
          action: 'edited',
          pull_request: { number: 1, title: 'x', body, user: { login: 'dana' }, labels: [], draft: false, base: { ref: 'main', sha: r.baseSha }, head: { ref: 'pr', sha: r.headSha } },
        }),
      );
      const started = Date.now();
      const out = spawnSync(process.execPath, [CLI, 'check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--pr', event, '--format', 'json'], { encoding: 'utf8', timeout: 90_000 });
      expect(out.stderr).toBe('');
      expect(out.status).toBe(1);
      // The parse is bounded at 10 s; the rest of the run takes well under a second on an idle machine.
      expect(Date.now() - started).toBeLessThan(60_000);
      const report = JSON.parse(out.stdout) as { verdict: string; rules: { rule: string; state: string; reason?: string }[] };
      expect(report.verdict).toBe('fail');
      expect(report.rules.find((o) => o.rule === 'description-unparseable')).toMatchObject({ state: 'failed', reason: expect.stringContaining(reason) });
      expect(report.rules.find((o) => o.rule === 'description-sections')).toMatchObject({ state: 'failed' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
