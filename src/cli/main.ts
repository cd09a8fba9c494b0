/**
 * The `gitops-gate` CLI: `gitops-gate check` evaluates a change in a local git repository.
 * Exit codes: 0 pass, 1 fail, 2 usage or configuration error.
 */
import { describeError, GateError } from '../core/errors.js';
import { evaluate } from '../engine/evaluate.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { renderText } from '../report/text.js';
import { localChange } from '../sources/local.js';
import { parseCheckArgs, USAGE } from './args.js';

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/**
 * Runs the CLI.
 * @returns the exit code (0 pass, 1 fail, 2 usage or configuration error)
 */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    const settings = parseCheckArgs(argv);
    if (settings === 'help') {
      io.out(USAGE);
      return 0;
    }
    const change = await localChange({
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
    const report = await evaluate(change, { policyPath: settings.policy, failOn: settings.failOn });
    if (settings.format === 'json') io.out(JSON.stringify(report, null, 2) + '\n');
    else if (settings.format === 'sarif') io.out(JSON.stringify(renderSarif(report), null, 2) + '\n');
    else if (settings.format === 'markdown') io.out(renderMarkdown(report));
    else io.out(renderText(report));
    return report.verdict === 'pass' ? 0 : 1;
  } catch (err) {
    if (err instanceof GateError) {
      io.err(`gitops-gate: ${err.message}\n`);
      if (err.name === 'UsageError') io.err('Run "gitops-gate --help" for usage.\n');
      return 2;
    }
    io.err(`gitops-gate: internal error: ${describeError(err)}\n${err instanceof Error && err.stack ? err.stack + '\n' : ''}`);
    return 2;
  }
}
