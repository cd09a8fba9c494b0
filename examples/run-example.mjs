// Runs the gate on the bundled example: builds the example repository (see make-example-repo.mjs),
// then runs the committed CLI bundle on its pull request and prints the summary.
// Usage: node examples/run-example.mjs [--format text|markdown|json]
// Exits 0 when the gate ran (its verdict on the example is FAIL: the PR holds real mistakes),
// 2 when it could not run.
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = execFileSync(process.execPath, [join(here, 'make-example-repo.mjs')], { encoding: 'utf8' }).trim();
const work = dirname(repo);
const fmt = process.argv.includes('--format') ? process.argv[process.argv.indexOf('--format') + 1] : 'markdown';
const args = [
  join(here, '..', 'dist', 'cli.js'),
  'check',
  '--repo', repo,
  '--base', 'main',
  '--head', 'pay-318-refunds',
  '--pr', join(work, 'pr-event.json'),
  '--reviews', join(work, 'reviews.json'),
  // The CLI has no GitHub API: reviewers' repository permissions come from this file (the Action looks them up).
  '--directory', join(here, 'directory.json'),
  '--format', fmt,
  // In a terminal, show each affected Application's sync plan too (the Markdown summary always has them).
  ...(fmt === 'text' ? ['--plan'] : []),
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (r.status === 0 || r.status === 1) {
  process.stderr.write(`\ngitops-gate exited ${r.status} (${r.status === 0 ? 'pass' : 'fail'}) on the example pull request in ${repo}\n`);
  process.exit(0);
}
process.exit(2);
