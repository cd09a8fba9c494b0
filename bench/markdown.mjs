// Measures the Markdown the gate publishes for a large report: the CLI's `--format markdown` (no size limit),
// the job summary (1 MiB), the check run summary (65,535 characters) and the sticky PR comment (65,536
// characters), for a generated report of 12,000 findings (seeded: varied rules, files, severities, both
// statuses, a few hostile strings). The renderers are bundled from src/ with esbuild (bench/bundle-src.mjs).
// Usage: node bench/markdown.mjs [FINDINGS] [--runs N]   (default 12000 findings, 3 runs; other arguments,
// such as bench/run.mjs's --repo DIR, are ignored)
// Output: one line per form, then the results as one JSON object on the last line of stdout.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { importFromSource } from './bundle-src.mjs';
import { rng } from './generate.mjs';

const RULES = [
  ['wave-not-string', 'sync'],
  ['hook-without-delete-policy', 'sync'],
  ['prune-last-on-crd', 'sync'],
  ['replace-with-server-side', 'sync'],
  ['health-check-test-missing', 'health'],
  ['health-lua-error', 'health'],
  ['app-path-missing', 'applications'],
  ['app-project-default', 'applications'],
  ['duplicate-resource', 'manifests'],
  ['yaml-parse-error', 'manifests'],
  ['image-tag-latest', 'manifests'],
  ['namespace-missing', 'manifests'],
];
const SEVERITIES = ['error', 'warning', 'notice'];
// Text a PR author controls: table pipes, HTML, mentions, bare URLs, backticks, emphasis, bidi and
// zero-width characters, line breaks, a long token.
const HOSTILE = [
  '<img src=x onerror=alert(1)> | ## PASS',
  '@org/admins please look at https://evil.example/x and www.example.com',
  '`code` ``two`` *star* _under_ ~~strike~~ [link](javascript:alert(1))',
  'right\u202eleft\u200bzero\nnew line\r\nand | pipe',
  'x'.repeat(700),
];

/** A report of `n` findings (two thirds new), seeded. */
export function makeReport(n) {
  const rand = rng(20260301);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const findings = [];
  for (let i = 0; i < n; i++) {
    const [rule] = pick(RULES);
    const app = Math.floor(rand() * 1500);
    const file = i % 997 === 0 ? `apps/${pick(HOSTILE).slice(0, 60)}/x.yaml` : `apps/team-${app % 40}/svc-${app}/${pick(['deployment', 'service', 'configmap', 'kustomization'])}.yaml`;
    const line = 1 + Math.floor(rand() * 400);
    const hostile = i % 251 === 0 ? ` ${pick(HOSTILE)}` : '';
    findings.push({
      rule,
      severity: pick(SEVERITIES),
      file,
      line,
      column: 1 + Math.floor(rand() * 20),
      message: `apps/Deployment svc-${app}/api: ${rule} at line ${line}, the value is ${Math.floor(rand() * 1e6)}.${hostile}`,
      fix: `Change ${file}:${line} as the ${rule} rule describes.${i % 389 === 0 ? pick(HOSTILE) : ''}`,
      reference: 'gitops-engine/pkg/sync/syncwaves/waves.go:12-21',
      subject: `apps/Deployment svc-${app}/api`,
      status: rand() < 2 / 3 ? 'new' : 'pre-existing',
      fingerprint: `${rule}\u0000${file}\u0000${i}`,
    });
  }
  const rules = RULES.map(([rule, area], i) => {
    const mine = findings.filter((f) => f.rule === rule);
    const failed = mine.some((f) => f.status === 'new' && f.severity === 'error');
    return {
      rule,
      area,
      title: `${rule} title${i === 3 ? ` ${HOSTILE[0]}` : ''}`,
      state: failed ? 'failed' : mine.length ? 'passed' : 'skipped',
      findings: { new: mine.filter((f) => f.status === 'new').length, preExisting: mine.filter((f) => f.status === 'pre-existing').length },
      blocking: failed,
      ...(failed ? { reason: `${mine.length} findings` } : {}),
      controls: [`SOC 2 CC${(i % 4) + 6}.1`, ...(i % 3 ? ['ISO 27001 A.8.32'] : [])],
    };
  });
  rules.push({ rule: 'approvals', area: 'review', title: 'Approvals', state: 'failed', findings: { new: 0, preExisting: 0 }, blocking: true, reason: 'needs an approval from @org/payments' });
  return {
    schemaVersion: 1,
    tool: { name: 'gitops-gate', version: '0.1.0' },
    verdict: 'fail',
    failOn: 'error',
    evaluatedAt: '2026-03-01T10:00:00.000Z',
    change: {
      repository: 'acme/deploy',
      serverUrl: 'https://github.com',
      mode: 'diff',
      baseSha: 'b'.repeat(40),
      headSha: 'a'.repeat(40),
      pr: { number: 7, title: `Bump everything ${HOSTILE[1]}`, author: 'dana', url: 'https://github.com/acme/deploy/pull/7', draft: false, labels: [] },
      files: 1500,
      commits: 40,
      caps: { filesTruncated: false, commitsTruncated: false },
    },
    policy: { origin: 'repository', path: 'policies/gitops-gate.yaml', ref: 'b'.repeat(40), sha256: 'c'.repeat(64), changedByThisChange: false },
    findings,
    rules,
    notEvaluated: Array.from({ length: 30 }, (_, i) => ({ subject: `charts/c${i}/values.yaml`, reason: i === 7 ? HOSTILE[2] : 'Helm templates are not rendered' })),
    notes: [],
    stats: { filesExamined: 1500, documentsExamined: 4000, resourcesExamined: 4000, durationMs: 1234 },
    details: {},
  };
}

/** Bundles the renderers, renders each form `runs` times, prints the medians. */
async function main() {
  const { values, positionals } = parseArgs({ options: { runs: { type: 'string' }, repo: { type: 'string' } }, allowPositionals: true, strict: false });
  const count = Number(positionals.find((a) => /^\d+$/.test(a)) ?? 12000);
  const runs = Math.max(1, Number(values.runs ?? 3));

  const { renderMarkdown, renderJobSummary, renderComment, LIMITS } = await importFromSource(
    'markdown-bundle',
    [
      "export { renderMarkdown } from './src/report/markdown.ts';",
      "export { renderJobSummary } from './src/publish/job-summary.ts';",
      "export { renderComment } from './src/publish/comment.ts';",
      "export { LIMITS } from './src/report/limits.ts';",
    ].join('\n'),
  );


  const FORMS = {
    // The CLI's --format markdown: everything, no size limit.
    full: (r) => renderMarkdown(r),
    jobSummary: (r) => renderJobSummary(r, { warnings: [] }),
    checkRun: (r) => renderMarkdown(r, { budget: { max: LIMITS.checkRunSummaryChars, unit: 'chars' } }),
    comment: (r) => renderComment(r, { checkRun: 'https://github.com/acme/deploy/runs/1', run: 'https://github.com/acme/deploy/actions/runs/2' }),
  };

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const report = makeReport(count);
  const load = loadavg()[0];
  const results = { findings: count, runs, loadAverage: load, forms: {} };
  for (const [name, render] of Object.entries(FORMS)) {
    const ms = [];
    let out = '';
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      out = render(report);
      ms.push(performance.now() - t);
    }
    const sha = createHash('sha256').update(out).digest('hex').slice(0, 16);
    results.forms[name] = { medianMs: Math.round(median(ms)), firstMs: Math.round(ms[0]), chars: out.length, sha256: sha };
    process.stdout.write(`  ${name}: median ${median(ms).toFixed(0)} ms (first ${ms[0].toFixed(0)} ms), ${out.length} chars, sha256 ${sha}\n`);
  }
  results.totalMs = Object.values(results.forms).reduce((a, f) => a + f.medianMs, 0);
  process.stdout.write(`markdown of ${count} findings: ${results.totalMs} ms for the four forms (load average ${load.toFixed(1)})\n`);
  console.log(JSON.stringify(results));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
