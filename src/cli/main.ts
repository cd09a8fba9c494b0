/**
 * The `gitops-gate` CLI: `gitops-gate check` evaluates a change in a local git repository (a commit range,
 * or with `--staged` the index); `gitops-gate init` sets a repository up (src/cli/init.ts);
 * `gitops-gate audit` reports every change of a period (src/audit/).
 * Exit codes: 0 pass, 1 fail, 2 usage or configuration error (or a source, git or GitHub, that could not
 * supply a fact), 3 internal error (a bug: the stack is printed, with where to report it).
 */
import { BUG_REPORT, describeError, exitCodeOf, GateError } from '../core/errors.js';
import { evaluate } from '../composition.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { renderText } from '../report/text.js';
import { localChange } from '../sources/local.js';
import { stagedChange } from '../sources/staged.js';
import { parseCheckArgs, USAGE } from './args.js';
import { runInit } from './init.js';
import type { CliIo } from './io.js';

export type { CliIo } from './io.js';

const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/**
 * Runs the CLI.
 * @returns the exit code (0 pass, 1 fail, 2 usage, configuration or source error, 3 internal error);
 * never throws
 */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    if (argv[0] === 'init') return await runInit(argv.slice(1), io);
    // Loaded on demand: `check` does not pay for the GitHub client the audit brings.
    if (argv[0] === 'audit') return await (await import('../audit/run.js')).runAudit(argv.slice(1), io);
    const settings = parseCheckArgs(argv);
    if (settings === 'help') {
      io.out(USAGE);
      return 0;
    }
    const change = settings.staged
      ? await stagedChange({ repo: settings.repo, all: settings.all, ...(settings.base ? { base: settings.base } : {}) })
      : await localChange({
          repo: settings.repo,
          all: settings.all,
          ...(settings.base ? { base: settings.base } : {}),
          ...(settings.head ? { head: settings.head } : {}),
          ...(settings.prEvent ? { prEventPath: settings.prEvent } : {}),
          ...(settings.reviews ? { reviewsPath: settings.reviews } : {}),
          ...(settings.directory ? { directoryPath: settings.directory } : {}),
          ...(settings.comments ? { commentsPath: settings.comments } : {}),
          ...(settings.pusher ? { pusher: settings.pusher } : {}),
          ...(settings.pushedAt ? { pushedAt: settings.pushedAt } : {}),
        });
    const render = { ...(settings.kustomize ? { kustomizeBinary: settings.kustomize } : {}), ...(settings.helm ? { helmBinary: settings.helm } : {}) };
    const report = await evaluate(change, { policyPath: settings.policy, failOn: settings.failOn, render });
    // --fail-on looser than the policy's gate.failOn: the policy's applies; the report's notes say why.
    if (report.failOn !== settings.failOn) io.err(`gitops-gate: --fail-on ${settings.failOn} is looser than the policy's gate.failOn: fail-on ${report.failOn} applies.\n`);
    if (settings.format === 'json') io.out(JSON.stringify(report, null, 2) + '\n');
    else if (settings.format === 'sarif') io.out(JSON.stringify(renderSarif(report), null, 2) + '\n');
    else if (settings.format === 'markdown') io.out(renderMarkdown(report));
    else io.out(renderText(report, { plan: settings.plan }));
    return report.verdict === 'pass' ? 0 : 1;
  } catch (err) {
    if (err instanceof GateError) {
      io.err(`gitops-gate: ${err.message}\n`);
      if (err.name === 'UsageError') io.err('Run "gitops-gate --help" for usage.\n');
      return exitCodeOf(err);
    }
    io.err(`gitops-gate: internal error: ${describeError(err)}\n${err instanceof Error && err.stack ? err.stack + '\n' : ''}${BUG_REPORT}\n`);
    return exitCodeOf(err);
  }
}
