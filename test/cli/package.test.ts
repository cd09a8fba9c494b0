/**
 * The published package as a user gets it: `npm pack` of this repository, installed offline into an empty
 * folder (the package has no runtime dependencies: dist/ bundles them), and its `gitops-gate` binary run
 * on a git repository, through `npm install` and through `npx --package`. Uses the committed dist/ bundles
 * (`npm run build` after changing src/).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, type TestRepo } from '../helpers/git-repo.js';

const ROOT = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'gg-pack-'));
const repos: TestRepo[] = [];
/** npm with a cache of its own (nothing cached, nothing fetched), no audit, fund or update check. */
const npmEnv = {
  ...process.env,
  npm_config_cache: join(work, 'npm-cache'),
  npm_config_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'error',
};
let tarball = '';
let packedFiles: string[] = [];

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, env: npmEnv, encoding: 'utf8' });
}

beforeAll(() => {
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT)) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((f) => f.path).sort();
  npm(['install', '--prefix', join(work, 'prefix'), tarball], work);
}, 120_000);

afterAll(() => {
  repos.forEach((r) => r.cleanup());
  rmSync(work, { recursive: true, force: true });
});

const deploy = (wave: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n    argocd.argoproj.io/sync-wave: ${wave}\nspec:\n  replicas: 1\n`;

/** A change that exercises the bundle's workers and WebAssembly: a wave mistake and a health script run in the Lua sandbox. */
function sampleRepo(): TestRepo {
  const health = readFileSync(join(ROOT, 'test/fixtures/health-mistakes/29-lua-invalid-status.yaml'), 'utf8');
  const r = makeRepo({ 'app/d.yaml': deploy('"1"') }, { 'app/d.yaml': deploy('2'), 'argocd/argocd-cm.yaml': health });
  repos.push(r);
  return r;
}

describe('the npm package', () => {
  it('holds the CLI bundle, its workers and WebAssembly, the policy schema and default, the license and README, and nothing else', () => {
    expect(packedFiles).toEqual([
      'LICENSE',
      'README.md',
      'dist/cli.js',
      'dist/cli.mjs',
      'dist/glue.wasm',
      'dist/health-worker.js',
      'dist/markdown-worker.js',
      'dist/read-worker.js',
      'package.json',
      'policies/default.yaml',
      'policies/schema.json',
    ]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.private).toBeUndefined();
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ 'gitops-gate': 'dist/cli.js' });
  });

  it('installs offline and its gitops-gate binary checks a repository', () => {
    const r = sampleRepo();
    const bin = join(work, 'prefix', 'node_modules', '.bin', 'gitops-gate');
    const out = spawnSync(bin, ['check', '--head', 'pr', '--format', 'json'], { cwd: r.dir, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(1);
    const report = JSON.parse(out.stdout) as { findings: { rule: string; file: string }[]; notEvaluated: unknown[]; stats: Record<string, unknown> };
    const rules = report.findings.map((f) => `${f.rule} ${f.file}`);
    expect(rules).toContain('wave-not-string app/d.yaml');
    // Found by running the script in the Lua sandbox (glue.wasm, health-worker.js from the package).
    expect(rules).toContain('lua-invalid-status-value argocd/argocd-cm.yaml');
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('gitops-gate init');
  });

  it('runs with npx --package <tarball>, as the README shows', () => {
    const r = sampleRepo();
    const out = spawnSync('npx', ['--yes', '--package', tarball, 'gitops-gate', 'check', '--head', 'pr'], { cwd: r.dir, env: npmEnv, encoding: 'utf8' });
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(/app\/d\.yaml:6:35: error \[wave-not-string\]/);
  });
});

describe('the entry files', () => {
  // Node starts a .js entry through its CommonJS loader, which reads, decodes and scans the whole file before the
  // ES module loader reads it again: the bundles are .mjs files, and the .js names only import them.
  it.each([
    ['dist/cli.js', './cli.mjs'],
    ['dist/index.js', './index.mjs'],
  ])('%s only imports its .mjs bundle', (file, bundle) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(text.length).toBeLessThan(400);
    expect(text.split('\n').filter((l) => l.startsWith('import '))).toEqual([`import '${bundle}';`]);
    expect(readFileSync(join(ROOT, file.replace(/\.js$/, '.mjs')), 'utf8').length).toBeGreaterThan(1_000_000);
  });
});
