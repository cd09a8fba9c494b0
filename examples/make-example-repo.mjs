// Builds the example repository: a git repo whose main branch holds examples/shop-gitops and whose
// branch pay-318-refunds holds the pull request (examples/pr-change overlaid). Commits use fixed
// authors and dates, so their SHAs are the same on every machine. Also writes the PR event payload
// and the reviews list with those SHAs filled in.
//
// Usage: node examples/make-example-repo.mjs [TARGET_DIR]   (default: examples/.work/shop-gitops)
// Prints the repository path.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const target = resolve(process.argv[2] ?? join(here, '.work', 'shop-gitops'));

function git(args, env = {}) {
  return execFileSync('git', args, {
    cwd: target,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...env },
    encoding: 'utf8',
  }).trim();
}

function commit(message, who, date) {
  git(['add', '-A']);
  git(['commit', '-q', '--no-gpg-sign', '-m', message], {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  });
  return git(['rev-parse', 'HEAD']);
}

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
git(['init', '-q', '-b', 'main']);
cpSync(join(here, 'shop-gitops'), target, { recursive: true });
const base = commit(
  'Payments: database, schema migration and API, ordered with sync waves',
  { name: 'Sam SRE', email: '1002+sam-sre@users.noreply.github.com' },
  '2026-11-01T09:00:00Z',
);
git(['checkout', '-q', '-b', 'pay-318-refunds']);
cpSync(join(here, 'pr-change'), target, { recursive: true });
const head = commit(
  'PAY-318: payments API 1.5.0 with refunds table\n\nCo-authored-by: Lee Pair <1003+lee-pair@users.noreply.github.com>\n',
  { name: 'Dana Dev', email: '1001+dana-dev@users.noreply.github.com' },
  '2026-11-20T09:30:00Z',
);
git(['checkout', '-q', 'main']);

const fill = (name) =>
  readFileSync(join(here, name), 'utf8').replaceAll('@BASE_SHA@', base).replaceAll('@HEAD_SHA@', head);
writeFileSync(join(dirname(target), 'pr-event.json'), fill('pr-event.template.json'));
writeFileSync(join(dirname(target), 'reviews.json'), fill('reviews.template.json'));
process.stdout.write(target + '\n');
