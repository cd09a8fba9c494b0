/** Builds reports for tests of the publishing layer, without running the engine. */
import type { Finding, Report, RuleOutcome } from '../../src/core/model.js';

/** A finding of `wave-not-string` in `file` at `line`. */
export function finding(file: string, line: number, extra: Partial<Finding> = {}): Finding {
  return {
    rule: 'wave-not-string',
    severity: 'error',
    file,
    line,
    column: 5,
    message: `apps/ConfigMap c${line}: argocd.argoproj.io/sync-wave is the YAML integer ${line}, not a string.`,
    fix: `Quote the value: argocd.argoproj.io/sync-wave: "${line}"`,
    reference: 'gitops-engine/pkg/sync/syncwaves/waves.go:12-21',
    subject: `apps/ConfigMap c${line}`,
    status: 'new',
    fingerprint: `wave-not-string\u0000${file}\u0000c${line}\u0000`,
    ...extra,
  };
}

/** `n` new error findings spread over files of 10 findings each. */
export function manyFindings(n: number, status: Finding['status'] = 'new'): Finding[] {
  return Array.from({ length: n }, (_, i) => finding(`apps/app-${Math.floor(i / 10)}/config.yaml`, (i % 10) * 6 + 1, { status }));
}

/** A rule outcome. */
export function rule(id: string, extra: Partial<RuleOutcome> = {}): RuleOutcome {
  return { rule: id, area: 'sync', title: `${id} title`, state: 'passed', findings: { new: 0, preExisting: 0 }, blocking: false, ...extra };
}

/** A report on PR #7 of acme/deploy; verdict follows the findings unless given. */
export function makeReport(extra: Partial<Report> = {}): Report {
  const findings = extra.findings ?? [];
  const failing = findings.some((f) => f.status === 'new' && f.severity === 'error') || (extra.rules ?? []).some((r) => r.blocking && r.state === 'failed');
  return {
    schemaVersion: 1,
    tool: { name: 'gitops-gate', version: '0.1.0' },
    verdict: failing ? 'fail' : 'pass',
    failOn: 'error',
    evaluatedAt: '2026-03-01T10:00:00.000Z',
    change: {
      repository: 'acme/deploy',
      serverUrl: 'https://github.com',
      mode: 'diff',
      baseSha: 'b'.repeat(40),
      headSha: 'a'.repeat(40),
      pr: { number: 7, title: 'Raise payments replicas', author: 'dana', url: 'https://github.com/acme/deploy/pull/7', draft: false, labels: [] },
      files: 3,
      commits: 2,
      caps: { filesTruncated: false, commitsTruncated: false },
    },
    policy: { origin: 'repository', path: 'policies/gitops-gate.yaml', ref: 'b'.repeat(40), sha256: 'c'.repeat(64), changedByThisChange: false },
    findings,
    rules: [rule('wave-not-string', { state: findings.length ? 'failed' : 'passed', findings: { new: findings.filter((f) => f.status === 'new').length, preExisting: findings.filter((f) => f.status === 'pre-existing').length }, controls: ['SOC 2 CC8.1'] })],
    notEvaluated: [],
    notes: [],
    stats: { filesExamined: 3, documentsExamined: 3, resourcesExamined: 3, durationMs: 12 },
    details: {},
    ...extra,
  };
}
