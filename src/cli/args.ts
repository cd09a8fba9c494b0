/** Command-line parsing for the `gitops-gate` CLI, into typed settings. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import type { FailOn } from '../core/model.js';

/** Output formats of `gitops-gate check`. */
export type OutputFormat = 'text' | 'markdown' | 'json' | 'sarif';

/** Settings of `gitops-gate check`. */
export interface CheckSettings {
  repo: string;
  base?: string;
  head?: string;
  all: boolean;
  /** Check the staged change (the index) instead of a commit: `--staged`, for pre-commit hooks. */
  staged: boolean;
  prEvent?: string;
  reviews?: string;
  directory?: string;
  comments?: string;
  /** Login that pushed the head commit (`--pusher`). */
  pusher?: string;
  /** ISO-8601 time by which the head commit had been pushed (`--pushed-at`). */
  pushedAt?: string;
  policy: string;
  format: OutputFormat;
  failOn: FailOn;
  /** Text format: print each affected Application's sync plan too (`--plan`). */
  plan: boolean;
  /** `--kustomize PATH`: the kustomize (or kubectl) binary that renders kustomize sources; absent: found on PATH. */
  kustomize?: string;
  /** `--helm PATH`: the helm binary that renders Helm sources; absent: found on PATH. */
  helm?: string;
}

/** Usage text. */
export const USAGE = `Usage: gitops-gate check [options]
       gitops-gate init [--force] [--repo DIR] [--action OWNER/REPO[@REF]]   (see gitops-gate init --help)

Checks a change in a local git repository against the repository's gitops-gate policy.

Options:
  --repo DIR          repository to check (default: current directory)
  --base REF          base of the change (default: merge base of HEAD with origin/main or main)
  --head REF          head of the change (default: HEAD)
  --all               check the whole tree at --head, with no base: every finding counts
  --staged            check the staged change (what "git commit" would record) instead of --head,
                      against the merge base with the branch's upstream (default: origin/HEAD,
                      origin/main or main, else HEAD); for pre-commit hooks
  --pr EVENT.json     GitHub pull_request event payload (title, body, author, labels)
  --reviews FILE      REST list-reviews response (JSON array) for the review policy
  --directory FILE    permissions and team members for the review policy (JSON:
                      {"permissions": {"login": "write"}, "teams": {"org/slug": ["login"]}});
                      without it, approvers' write access cannot be verified and
                      approval requirements fail closed
  --comments FILE     REST list of PR (issue) comments (JSON array), for break-glass commands
  --pusher LOGIN      who pushed the head commit (taken from the --pr event's sender on
                      opened/synchronize); unknown: approvals fail closed while the
                      policy excludes the pusher
  --pushed-at TIME    ISO-8601 time by which the head commit had been pushed; break-glass
                      honours only overrides given after it (unknown: none)
  --policy PATH       policy file or directory in the repository, read from the base (default: policies);
                      a path that misses the policy the base holds is an error
  --format FORMAT     text | markdown | json | sarif (default: text)
  --plan              text format: also print the sync plan of each affected Application
  --kustomize PATH    kustomize (or kubectl) binary that renders kustomize sources
                      (default: kustomize, then kubectl, on PATH); see docs/render.md
  --helm PATH         helm binary that renders Helm sources (default: helm on PATH)
  --fail-on LEVEL     error | warning | never (default: error); the policy's gate.failOn
                      may only be tightened
  -h, --help          show this help

Exit codes: 0 pass, 1 fail, 2 usage or configuration error (or git or GitHub could not
supply a fact), 3 internal error (a bug: please report it, with the stack printed).
`;

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

/**
 * Parses `argv` (without node and script).
 * @returns `help` when help was asked for
 * @throws {UsageError} on unknown options, a missing command or bad values
 */
export function parseCheckArgs(argv: string[]): CheckSettings | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        repo: { type: 'string' },
        base: { type: 'string' },
        head: { type: 'string' },
        all: { type: 'boolean', default: false },
        staged: { type: 'boolean', default: false },
        pr: { type: 'string' },
        reviews: { type: 'string' },
        directory: { type: 'string' },
        comments: { type: 'string' },
        pusher: { type: 'string' },
        'pushed-at': { type: 'string' },
        policy: { type: 'string' },
        format: { type: 'string' },
        plan: { type: 'boolean', default: false },
        kustomize: { type: 'string' },
        helm: { type: 'string' },
        'fail-on': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('missing command: gitops-gate check [options]');
  if (positionals[0] !== 'check' || positionals.length > 1) throw new UsageError(`unknown command "${positionals.join(' ')}": the command is "check"`);
  if (values.all && values.base) throw new UsageError('--all checks the whole tree with no base: do not combine it with --base');
  if (values.staged) {
    const prFacts = (['head', 'pr', 'reviews', 'directory', 'comments'] as const).filter((k) => values[k] !== undefined);
    if (prFacts.length) throw new UsageError(`--staged checks the index before it is committed: do not combine it with ${prFacts.map((k) => `--${k}`).join(', ')}`);
  }
  if (values.pusher !== undefined && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/.test(values.pusher)) throw new UsageError(`--pusher must be a GitHub login (got "${values.pusher}")`);
  const pushedAt = values['pushed-at'];
  if (pushedAt !== undefined && !/^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/.test(pushedAt)) {
    throw new UsageError(`--pushed-at must be an ISO-8601 time such as 2026-11-20T10:00:00Z (got "${pushedAt}")`);
  }
  return {
    repo: values.repo ?? process.cwd(),
    ...(values.base ? { base: values.base } : {}),
    ...(values.head ? { head: values.head } : {}),
    all: values.all === true,
    staged: values.staged === true,
    ...(values.pr ? { prEvent: values.pr } : {}),
    ...(values.reviews ? { reviews: values.reviews } : {}),
    ...(values.directory ? { directory: values.directory } : {}),
    ...(values.comments ? { comments: values.comments } : {}),
    ...(values.pusher ? { pusher: values.pusher } : {}),
    ...(pushedAt ? { pushedAt } : {}),
    policy: values.policy ?? 'policies',
    format: oneOf(values.format ?? 'text', ['text', 'markdown', 'json', 'sarif'] as const, '--format'),
    failOn: oneOf(values['fail-on'] ?? 'error', ['error', 'warning', 'never'] as const, '--fail-on'),
    plan: values.plan === true,
    ...(values.kustomize ? { kustomize: resolve(values.kustomize) } : {}),
    ...(values.helm ? { helm: resolve(values.helm) } : {}),
  };
}
