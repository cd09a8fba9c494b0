// Measures the bundled Action (dist/index.js) as the runner starts it, against the fake GitHub API of
// the e2e suite on 127.0.0.1: the time from spawning the process to its first API request (median of
// several runs), and the API requests made for pull requests of 1, 100 and 3,000 files, next to the
// floor the REST API needs.
//
// The floor: the PR read (1), ceil(files/100) pages of files, ceil(commits/100) pages of commits,
// ceil(reviews/100) pages of reviews, one permission lookup per distinct approving reviewer (the
// review policy counts an approval only from someone with write access), and one page of the gate's check
// runs on the head (the default policy's last-pusher rule reads who pushed it from them). The base commit is in the
// clone, so no contents API reads are needed. Requests beyond the floor are listed by operation.
//
// Then a one-file pull request in a 300-Application monorepo (bench/generate.mjs's layout), twice: with
// fetch-depth: 0 (the full repository is the workspace) and with fetch-depth: 1 (a shallow clone of the
// head whose origin git cannot reach, so the base is read through the git trees and blobs APIs). Both are
// counted from the audit record (`run.apiRequests`: what gathering and evaluating cost, publishing aside)
// against the same REST floor, and must come within 2 requests of it.
//
// The fake and the harness are TypeScript (test/e2e/): they are bundled with esbuild into bench/.work/.
// Usage: npm run build && node bench/action.mjs [STARTUP_RUNS]   (default 5); other arguments (such as
// bench/run.mjs's --repo DIR) are ignored: the pull requests are generated here.
// Output: a table, then the results as one JSON object on the last line of stdout.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { importFromSource } from './bundle-src.mjs';
import { monorepoFiles, releasedDeployment } from './generate.mjs';

const root = new URL('..', import.meta.url).pathname;
if (!existsSync(join(root, 'dist/index.js'))) {
  process.stderr.write('dist/index.js is missing: run `npm run build` first\n');
  process.exit(2);
}
const startupRuns = Math.max(1, Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5));
const SIZES = [1, 100, 3000];
/** Applications in the monorepo of the fetch-depth comparison. */
const APPS = 300;
/** How far above the floor a run may be. */
const SLACK = 2;
const PER_PAGE = 100;

// bench/.work/ is two levels below the root, as test/e2e/ is, so the harness finds dist/ and action.yml.
const work = join(root, 'bench/.work');
mkdirSync(work, { recursive: true });
cpSync(join(root, 'test/e2e/openapi'), join(work, 'openapi'), { recursive: true });
const { FakeGitHub, runAction, scenario } = await importFromSource('e2e-harness', "export * from './test/e2e/harness.ts'; export { FakeGitHub } from './test/e2e/fake-github.ts';");

function deployment(name) {
  return ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${name}`, '  annotations:', '    argocd.argoproj.io/sync-wave: "1"', 'spec:', '  replicas: 1', ''].join('\n');
}

/** A PR of `files` manifests, approved on its head by a user with write access. */
async function makePull(fake, files) {
  const head = {};
  for (let i = 0; i < files; i++) head[`apps/svc-${String(i).padStart(4, '0')}/deploy.yaml`] = deployment(`svc-${i}`);
  const s = await scenario(fake, { base: { 'README.md': 'GitOps\n' }, head, reviews: [['bob', 'APPROVED']] });
  fake.permissions.set('bob', { permission: 'write', role_name: 'write' });
  return s;
}

/** The floor, by operation. */
function floorOf(pull) {
  const pages = (n) => Math.max(1, Math.ceil(n / PER_PAGE));
  const approvers = new Set(pull.reviews.filter((r) => r.state === 'APPROVED').map((r) => r.user.login));
  return {
    'pulls/get': 1,
    'pulls/list-files': pages(Math.min(pull.files.length, 3000)),
    'pulls/list-commits': pages(Math.min(pull.commits.length, 250)),
    'pulls/list-reviews': pages(pull.reviews.length),
    'repos/get-collaborator-permission-level': approvers.size,
    // The default policy's separation of duties (last pusher) reads the gate's check runs on the head: one page.
    'checks/list-for-ref': 1,
  };
}

const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function runOnce(fake, s) {
  fake.requests.length = 0;
  const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { comment: 'never' } });
  if (!r.record) throw new Error(`the Action did not evaluate the PR (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  if (fake.problems.length) throw new Error(`requests GitHub would refuse:\n${fake.problems.join('\n')}`);
  const first = Math.min(...fake.requests.map((q) => q.at));
  return { r, startupMs: first - r.spawnedAt };
}

const fake = await FakeGitHub.start();
const results = { startupToFirstRequestMs: 0, requests: {} };
const rows = [];
try {
  for (const files of SIZES) {
    const s = await makePull(fake, files);
    try {
      const runs = files === 1 ? startupRuns : 1;
      const startups = [];
      let last;
      for (let i = 0; i < runs; i++) {
        last = await runOnce(fake, s);
        startups.push(last.startupMs);
      }
      if (files === 1) results.startupToFirstRequestMs = Math.round(median(startups));
      const made = fake.requests.length;
      const floorByOp = floorOf(fake.pulls.get(s.number));
      const floor = sum(floorByOp);
      results.requests[String(files)] = { made, floor };
      const byOp = {};
      for (const q of fake.requests) byOp[q.operationId] = (byOp[q.operationId] ?? 0) + 1;
      const missing = Object.entries(floorByOp).flatMap(([op, n]) => ((byOp[op] ?? 0) < n ? [`${op} ${byOp[op] ?? 0} of ${n}`] : []));
      rows.push({ files, made, floor, verdict: last.r.record.verdict, byOp, missing });
    } finally {
      s.cleanup();
      fake.pulls.clear();
    }
  }
} finally {
  await fake.close();
}

// A one-file pull request in a 300-Application monorepo, with fetch-depth: 0 and 1.
const depthRows = [];
const fake2 = await FakeGitHub.start();
try {
  const { files, first } = monorepoFiles({ apps: APPS });
  const prPath = `${first}/deployment.yaml`;
  const s = await scenario(fake2, { base: Object.fromEntries(files), head: { [prPath]: releasedDeployment(files.get(prPath)) }, reviews: [['bob', 'APPROVED']], shallow: true });
  fake2.permissions.set('bob', { permission: 'write', role_name: 'write' });
  // The runner's git could fetch the base with the checkout's credentials; here origin is gone, so the API is the only way.
  execFileSync('git', ['remote', 'set-url', 'origin', `file://${s.workspace}-unreachable`], { cwd: s.workspace });
  try {
    for (const [depth, workspace] of [
      [0, s.repo.dir],
      [1, s.workspace],
    ]) {
      fake2.requests.length = 0;
      const r = await runAction({ fake: fake2, workspace, eventName: 'pull_request', payload: s.payload(), inputs: { comment: 'never' } });
      if (!r.record) throw new Error(`the Action did not evaluate the PR (exit ${r.code}):\n${r.stdout}${r.stderr}`);
      if (fake2.problems.length) throw new Error(`requests GitHub would refuse:\n${fake2.problems.join('\n')}`);
      const floor = sum(floorOf(fake2.pulls.get(s.number)));
      const made = r.record.run.apiRequests;
      const byOp = {};
      for (const q of fake2.requests.slice(0, made)) byOp[q.operationId] = (byOp[q.operationId] ?? 0) + 1;
      depthRows.push({ depth, made, total: fake2.requests.length, floor, within: made - floor <= SLACK, verdict: r.record.verdict, byOp });
    }
  } finally {
    s.cleanup();
  }
} finally {
  await fake2.close();
}
results.monorepo = { apps: APPS, files: 1, ...Object.fromEntries(depthRows.map((d) => [`fetchDepth${d.depth}`, { made: d.made, floor: d.floor, withinTwo: d.within }])) };

console.log(`Action start-up to first API request: ${results.startupToFirstRequestMs} ms (median of ${startupRuns} runs, Node ${process.version})`);
console.log('');
console.log('| files | requests made | floor | verdict | requests by operation |');
console.log('|------:|--------------:|------:|---------|-----------------------|');
for (const row of rows) {
  const ops = Object.entries(row.byOp)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  console.log(`| ${row.files} | ${row.made} | ${row.floor} | ${row.verdict} | ${ops} |`);
}
const short = rows.filter((r) => r.missing.length);
if (short.length) {
  console.log('');
  for (const r of short) console.log(`Below the floor for ${r.files} file(s): ${r.missing.join(', ')} (a fact the policy needs was not read).`);
}
console.log('');
console.log(`One-file pull request in a ${APPS}-Application repository (requests from the audit record, publishing aside):`);
console.log('');
console.log('| fetch-depth | requests made | floor | within 2 of the floor | requests by operation |');
console.log('|------------:|--------------:|------:|-----------------------|-----------------------|');
for (const d of depthRows) {
  const ops = Object.entries(d.byOp)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  console.log(`| ${d.depth} | ${d.made} | ${d.floor} | ${d.within ? 'yes' : 'NO'} (+${d.made - d.floor}) | ${ops} |`);
}
console.log('');
console.log(JSON.stringify(results));
