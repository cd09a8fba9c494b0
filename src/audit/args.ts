/** Command-line parsing of `gitops-gate audit`, into typed settings. */
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import { DEFAULT_CHECK_NAME } from '../publish/check-run.js';

/** Output formats of `gitops-gate audit`. */
export type AuditFormat = 'json' | 'csv' | 'markdown';

/** Settings of `gitops-gate audit`. */
export interface AuditSettings {
  /** The local clone (with the branch's history). */
  repo: string;
  /** First day of the period, `YYYY-MM-DD` (UTC, inclusive). */
  since: string;
  /** Last day of the period, `YYYY-MM-DD` (UTC, inclusive); default today (UTC). */
  until: string;
  branch: string;
  format: AuditFormat;
  /** Sample size, with {@link AuditSettings.seed}. */
  sample?: number;
  seed?: string;
  /** Write the report here instead of standard output. */
  output?: string;
  /** Policy path in the repository, read at each change's parent (default `policies`). */
  policy: string;
  /** Name of the gate's check run (the Action's `check-name` input; default `GitOps Gate`). */
  checkName: string;
  /** Render this earlier JSON report instead of auditing again (no git, no GitHub requests). */
  from?: string;
}

/** Usage text of `gitops-gate audit`. */
export const AUDIT_USAGE = `Usage: gitops-gate audit --since YYYY-MM-DD [options]

Lists every change on a branch in a period: who changed what, when and why, with approvals, the
gate's verdict and every exception (direct pushes, gate failures, stale, missing or self approvals,
break-glass overrides, reverts). Reads the branch's history from the local clone and the pull
requests from GitHub (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL).

Options:
  --repo DIR          the clone, with the branch's full history (default: current directory)
  --since DATE        first day of the period, YYYY-MM-DD (UTC)
  --until DATE        last day of the period, YYYY-MM-DD (UTC; default: today)
  --branch NAME       branch to audit (default: main)
  --format FORMAT     json | csv | markdown (default: json)
  --sample N          add a reproducible random sample of N changes, weighted to exceptions
  --seed S            the sample's seed (required with --sample)
  --output FILE       write the report to FILE (default: standard output)
  --policy PATH       policy file or directory in the repository (default: policies)
  --check-name NAME   name of the gate's check run (default: GitOps Gate)
  --from FILE         render an earlier JSON report (another format, a sample) without
                      reading git or GitHub again; the period comes from the report
  -h, --help          show this help

Exit codes: 0 report written (exceptions are in the report), 2 usage, configuration or GitHub error,
3 internal error (a bug: please report it).
`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function date(value: string, flag: string): string {
  const d = new Date(`${value}T00:00:00Z`);
  if (!DATE.test(value) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) throw new UsageError(`${flag} must be a date YYYY-MM-DD (got "${value}")`);
  return value;
}

/**
 * Parses the arguments after `audit`.
 * @param today `YYYY-MM-DD` (UTC), the default of `--until`
 * @returns `help` when help was asked for
 * @throws {UsageError} on unknown options or bad values
 */
export function parseAuditArgs(argv: string[], today = new Date().toISOString().slice(0, 10)): AuditSettings | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        repo: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        branch: { type: 'string' },
        format: { type: 'string' },
        sample: { type: 'string' },
        seed: { type: 'string' },
        output: { type: 'string' },
        policy: { type: 'string' },
        'check-name': { type: 'string' },
        from: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  if (values.from && (values.since || values.until || values.branch || values.repo || values.policy || values['check-name'])) {
    throw new UsageError('--from renders an earlier report: its period, branch and repository come from the report (drop --since, --until, --branch, --repo, --policy, --check-name)');
  }
  if (!values.since && !values.from) throw new UsageError('audit needs --since YYYY-MM-DD (or --from REPORT.json)');
  const since = values.since ? date(values.since, '--since') : '';
  const until = date(values.until ?? today, '--until');
  if (since && until < since) throw new UsageError(`--until ${until} is before --since ${since}`);
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'csv' && format !== 'markdown') throw new UsageError(`--format must be one of json, csv, markdown (got "${format}")`);
  let sample: number | undefined;
  if (values.sample !== undefined) {
    sample = Number(values.sample);
    if (!/^\d+$/.test(values.sample) || sample < 1) throw new UsageError(`--sample must be a positive whole number (got "${values.sample}")`);
    if (values.seed === undefined || values.seed === '') throw new UsageError('--sample needs --seed S, so the sample can be drawn again');
  } else if (values.seed !== undefined) throw new UsageError('--seed is only used with --sample N');
  return {
    repo: values.repo ?? process.cwd(),
    since,
    until,
    branch: values.branch ?? 'main',
    format,
    ...(sample !== undefined ? { sample, seed: values.seed! } : {}),
    ...(values.output ? { output: values.output } : {}),
    policy: values.policy ?? 'policies',
    checkName: values['check-name'] ?? DEFAULT_CHECK_NAME,
    ...(values.from ? { from: values.from } : {}),
  };
}
