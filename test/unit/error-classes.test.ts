/**
 * Exit codes and error classes: 2 for what the user can fix (usage, configuration), 3 for a bug (anything
 * thrown that is not a GateError); a malformed GitHub API answer is GitHub's fault (GitHubResponseError),
 * while the same shape in a file given to the CLI is a usage error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitHubResponseError, SourceError, UsageError } from '../../src/core/errors.js';
import { runCli, type CliIo } from '../../src/cli/main.js';
import type { GitHubClient } from '../../src/github/client.js';
import { apiError, needed } from '../../src/github/api-errors.js';
import { readPullRequest } from '../../src/github/pull-request.js';
import { commitFromApi, pullRequestFromApi, reviewFromApi } from '../../src/sources/github-shapes.js';
import { localChange } from '../../src/sources/local.js';

/** An io whose stdout throws `thrown` (an injected failure); stderr is collected. */
function io(thrown?: unknown): CliIo & { errText: () => string } {
  let err = '';
  return {
    out: () => {
      if (thrown !== undefined) throw thrown;
    },
    err: (t) => {
      err += t;
    },
    errText: () => err,
  };
}

describe('CLI exit codes', () => {
  it.each([[['check', '--help']], [['init', '--help']], [['audit', '--help']]])('exits 3 on an internal error in %j, with the stack and a request for a bug report', async (argv) => {
    const sink = io(new TypeError('cannot read properties of undefined'));
    expect(await runCli(argv, sink)).toBe(3);
    expect(sink.errText()).toContain('gitops-gate: internal error: cannot read properties of undefined');
    expect(sink.errText()).toMatch(/TypeError: cannot read properties of undefined\n\s+at /);
    expect(sink.errText()).toContain('This is a bug in gitops-gate: please report it');
    expect(sink.errText()).toContain('issues of the gitops-gate repository');
  });

  it('exits 2 on a usage error, without a stack or a bug report', async () => {
    const sink = io();
    expect(await runCli(['chek'], sink)).toBe(2);
    expect(sink.errText()).toContain('Run "gitops-gate --help" for usage.');
    expect(sink.errText()).not.toContain('bug');
  });

  it('exits 2 on a GateError thrown where the TypeError was (the error class decides, not the place)', async () => {
    const sink = io(new SourceError('git is gone'));
    expect(await runCli(['check', '--help'], sink)).toBe(2);
    expect(sink.errText()).toBe('gitops-gate: git is gone\n');
  });
});

describe('malformed GitHub answers', () => {
  it('are GitHubResponseErrors (a SourceError), not usage errors, by default', () => {
    for (const parse of [() => pullRequestFromApi({ number: 7 }), () => reviewFromApi({ state: 'APPROVED' }), () => commitFromApi('x')]) {
      expect(parse).toThrow(GitHubResponseError);
      try {
        parse();
      } catch (e) {
        expect(e).toBeInstanceOf(SourceError);
        expect(e).not.toBeInstanceOf(UsageError);
      }
    }
  });

  it('from the REST API are GitHubResponseErrors naming the pull request and the field', async () => {
    const gh = { rest: { pulls: { get: () => Promise.resolve({ data: { number: 7, title: 't', base: { sha: 'b' }, head: {} } }) } } } as unknown as GitHubClient;
    const err = await readPullRequest(gh, { owner: 'o', repo: 'r', number: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubResponseError);
    expect((err as Error).message).toBe('pull request #7: head.sha is missing or has the wrong type');
  });

  it('met inside a needed call keep their class, saying what the call was for (not "cannot reach GitHub")', () => {
    const err = apiError(new GitHubResponseError('review 1: id is missing or has the wrong type'), { what: 'reading the reviews of pull request #7', permission: 'pull-requests: read' });
    expect(err).toBeInstanceOf(GitHubResponseError);
    expect(err.message).toBe('GitHub sent a malformed answer while reading the reviews of pull request #7: review 1: id is missing or has the wrong type');
  });

  it('a bug inside a needed call stays a bug (exit 3), not "cannot reach the GitHub API"', async () => {
    const need = { what: 'reading pull request #7', permission: 'pull-requests: read' };
    const bug = new TypeError("Cannot read properties of undefined (reading 'sha')");
    await expect(needed(need, () => Promise.reject(bug))).rejects.toBe(bug);
    // A failed request (Octokit's RequestError carries the request) is still mapped.
    const network = Object.assign(new Error('fetch failed'), { request: {} });
    await expect(needed(need, () => Promise.reject(network))).rejects.toThrow(new SourceError('Cannot reach the GitHub API while reading pull request #7: fetch failed'));
  });

  it('in a file given to the CLI (--pr, --reviews) stay usage errors naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gg-shapes-'));
    const g = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    g('init', '-q');
    g('commit', '-q', '--allow-empty', '-m', 'root');
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7, title: 't', base: { sha: 'b' }, head: {} } }));
    const reviews = join(dir, 'reviews.json');
    writeFileSync(reviews, JSON.stringify([{ id: 1, state: 'LGTM' }]));
    for (const [opts, message] of [
      [{ prEventPath: event }, `${event}: head.sha is missing or has the wrong type`],
      [{ reviewsPath: reviews }, `${reviews}[0]: unknown review state "LGTM"`],
    ] as const) {
      const err = await localChange({ repo: dir, all: true, ...opts }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(message);
    }
  });
});
