/**
 * CODEOWNERS matching as GitHub documents it.
 *
 * Sources of the expectations:
 * - GitHub Docs, "About code owners", section "Example of a CODEOWNERS file" and "CODEOWNERS syntax"
 *   https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
 *   (each row quotes the comment GitHub wrote above the pattern);
 * - the gitignore pattern format GitHub defers to, https://git-scm.com/docs/gitignore#_pattern_format
 *   (rows marked "gitignore").
 */
import { describe, expect, it } from 'vitest';
import { ownerEntry, ownerLabel, parseCodeowners, type CodeownersEntry } from '../../src/review/codeowners.js';

function entries(text: string): CodeownersEntry[] {
  const p = parseCodeowners(text);
  if (!p.ok) throw new Error(`expected CODEOWNERS to parse: ${JSON.stringify(p.problems)}`);
  return p.entries;
}

/** Owners of `path` under `text`, as written; `null` when no line matches. */
function ownersOf(text: string, path: string): string[] | null {
  const e = ownerEntry(entries(text), path);
  return e ? e.owners.map(ownerLabel) : null;
}

/** GitHub's example file, as documented (owners and comments kept, explanatory comments shortened). */
const GITHUB_EXAMPLE = [
  '# This is a comment.',
  '*       @global-owner1 @global-owner2',
  '*.js    @js-owner #This is an inline comment.',
  '*.go docs@example.com',
  '*.txt @octo-org/octocats',
  '/build/logs/ @doctocat',
  'docs/*  docs@example.com',
  'apps/ @octocat',
  '/docs/ @doctocat',
  '/scripts/ @doctocat @octocat',
  '**/logs @octocat',
  '/apps/ @octocat',
  '/apps/github',
  '/apps/ @octocat',
  '/apps/github @doctocat',
  '',
].join('\n');

describe('single patterns, as GitHub documents them', () => {
  // [pattern, path, matches, the documentation's words]
  const rows: [string, string, boolean, string][] = [
    ['*', 'README.md', true, '"default owners for everything in the repo"'],
    ['*', 'clusters/prod/payments/deploy.yaml', true, '"default owners for everything in the repo"'],
    ['*.js', 'src/app/index.js', true, '"modifies JS files"'],
    ['*.js', 'index.js', true, '"modifies JS files"'],
    ['*.js', 'src/index.ts', false, '"modifies JS files"'],
    ['*.go', 'cmd/main.go', true, '"*.go docs@example.com"'],
    ['*.txt', 'a/b/notes.txt', true, '"owns all .txt files"'],
    ['/build/logs/', 'build/logs/a.log', true, '"any files in the build/logs directory at the root"'],
    ['/build/logs/', 'build/logs/2024/01/a.log', true, '"and any of its subdirectories"'],
    ['/build/logs/', 'src/build/logs/a.log', false, '"at the root of the repository"'],
    ['docs/*', 'docs/getting-started.md', true, '"will match files like docs/getting-started.md"'],
    ['docs/*', 'docs/build-app/troubleshooting.md', false, '"but not further nested files like docs/build-app/troubleshooting.md"'],
    ['apps/', 'apps/web/deploy.yaml', true, '"any file in an apps directory anywhere in your repository"'],
    ['apps/', 'clusters/prod/apps/web/deploy.yaml', true, '"anywhere in your repository"'],
    ['apps/', 'apps', false, 'a trailing slash names a directory (gitignore)'],
    ['/docs/', 'docs/a.md', true, '"any file in the /docs directory in the root of your repository"'],
    ['/docs/', 'docs/build-app/troubleshooting.md', true, '"and any of its subdirectories"'],
    ['/docs/', 'site/docs/a.md', false, '"in the root of your repository"'],
    ['/scripts/', 'scripts/deploy.sh', true, '"any change inside the /scripts directory"'],
    ['**/logs', 'build/logs/a.log', true, '"such as /build/logs"'],
    ['**/logs', 'scripts/logs/a.log', true, '"/scripts/logs"'],
    ['**/logs', 'deeply/nested/logs/a.log', true, '"and /deeply/nested/logs"'],
    ['**/logs', 'logs/a.log', true, '"any file in a /logs directory"'],
    ['**/logs', 'catalogs/a.log', false, '"a /logs directory"'],
    ['/apps/github', 'apps/github/workflows/ci.yaml', true, '"the /apps/github subdirectory"'],
    ['/Docs/', 'docs/a.md', false, '"CODEOWNERS paths are case sensitive"'],
    ['*.JS', 'index.js', false, '"CODEOWNERS paths are case sensitive"'],
    // gitignore rules GitHub says CODEOWNERS follows.
    ['doc/frotz/', 'doc/frotz/a', true, 'gitignore: "doc/frotz/ matches doc/frotz directory"'],
    ['doc/frotz/', 'a/doc/frotz/b', false, 'gitignore: "but not a/doc/frotz directory"'],
    ['frotz/', 'a/frotz/b', true, 'gitignore: "frotz/ matches frotz and a/frotz that is a directory"'],
    ['abc/**', 'abc/x/y/z', true, 'gitignore: "abc/** matches all files inside directory abc"'],
    ['abc/**', 'abc', false, 'gitignore: "all files inside directory abc"'],
    ['a/**/b', 'a/b', true, 'gitignore: "a/**/b matches a/b"'],
    ['a/**/b', 'a/x/y/b', true, 'gitignore: "a/x/y/b"'],
    ['**/foo', 'x/y/foo', true, 'gitignore: "**/foo matches file or directory foo anywhere"'],
    ['**/foo/bar', 'x/foo/bar', true, 'gitignore: "**/foo/bar matches file or directory bar anywhere that is directly under directory foo"'],
    ['foo/*', 'foo/test.json', true, 'gitignore: "foo/* matches foo/test.json"'],
    ['foo/*', 'foo/bar/hello.c', false, 'GitHub: dir/* is one level (docs/* example), where gitignore would descend'],
    ['foo/?.c', 'foo/a.c', true, 'gitignore: "? matches any one character except /"'],
    ['foo/?.c', 'foo/ab.c', false, 'gitignore: "? matches any one character except /"'],
    ['f*/x', 'foo/x', true, 'gitignore: "* matches anything except a slash"'],
    ['f*/x', 'f/o/x', false, 'gitignore: "* matches anything except a slash"'],
    ['path\\ with\\ spaces/', 'path with spaces/a', true, 'gitignore: a backslash quotes a space'],
  ];
  it.each(rows)('%j on %j: %j (%s)', (pattern, path, expected) => {
    expect(entries(`${pattern} @owner\n`)[0]!.matches(path)).toBe(expected);
  });
});

describe("GitHub's example file: the last matching line wins", () => {
  it.each([
    ['README.md', ['@global-owner1', '@global-owner2']],
    ['src/index.js', ['@js-owner']],
    ['main.go', ['docs@example.com']],
    ['docs/getting-started.md', ['@doctocat']],
    ['docs/build-app/troubleshooting.md', ['@doctocat']],
    ['scripts/deploy.sh', ['@doctocat', '@octocat']],
    ['deeply/nested/logs/a.log', ['@octocat']],
    ['apps/web/deploy.yaml', ['@octocat']],
    // The last two lines: /apps/github has its own owner after the line that left it empty.
    ['apps/github/ci.yaml', ['@doctocat']],
  ])('%j is owned by %j', (path, owners) => {
    expect(ownersOf(GITHUB_EXAMPLE, path)).toEqual(owners);
  });

  it('"/apps/github" with no owners leaves that subdirectory without owners', () => {
    expect(ownersOf('/apps/ @octocat\n/apps/github\n', 'apps/github/x.yaml')).toEqual([]);
    expect(ownersOf('/apps/ @octocat\n/apps/github\n', 'apps/other/x.yaml')).toEqual(['@octocat']);
  });

  it('"all the code owners must be on the same line": a second line for the same pattern replaces the first', () => {
    expect(ownersOf('*.js @a\n*.js @b\n', 'x.js')).toEqual(['@b']);
  });
});

describe('issue 13 item 7: "/clusters/*" is one level', () => {
  const text = '/clusters/prod/ @acme/sre\n/clusters/* @acme/dev\n';
  it('a later "/clusters/*" line does not take nested files away from "/clusters/prod/"', () => {
    expect(ownersOf(text, 'clusters/prod/payments/deploy.yaml')).toEqual(['@acme/sre']);
  });
  it('"/clusters/*" owns the files directly in clusters/', () => {
    expect(ownersOf(text, 'clusters/README.md')).toEqual(['@acme/dev']);
  });
  it('"/*" owns top-level files only', () => {
    expect(ownersOf('/* @top\n', 'README.md')).toEqual(['@top']);
    expect(ownersOf('/* @top\n', 'clusters/prod/a.yaml')).toBeNull();
  });
});

describe('lines GitHub does not read are reported with their position (the gate then fails closed)', () => {
  it.each([
    ['!apps/ @a', 1, '"!" negation'],
    ['apps/[ab] @a', 1, '"[ ]" character ranges'],
    ['\\#notes.md @a', 1, '"\\#" escape'],
    ['notes#1.md @a', 1, '"#" inside a pattern'],
    ['[Section]', 1, 'GitLab syntax'],
    ['^[Optional]', 1, 'GitLab syntax'],
    ['a/***/b @a', 1, 'three or more consecutive'],
    ['/ @a', 1, 'matches no file'],
    ['a//b @a', 1, 'empty path segment'],
    ['apps/ a-user', 7, '"a-user" is not an owner'],
  ])('%j', (line, column, message) => {
    const p = parseCodeowners(`* @ok\n${line}\n`);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.problems[0]).toMatchObject({ line: 2, column, message: expect.stringContaining(message) });
  });

  it('comments start at a "#" at the start of a line or after whitespace', () => {
    expect(ownersOf('# *.yaml @nobody\n*.yaml @kim # @lee\n', 'a.yaml')).toEqual(['@kim']);
  });
});

describe('hostile patterns', () => {
  it('a pattern full of stars matches a long path quickly (no backtracking blow-up)', () => {
    const pattern = `${'*a'.repeat(40)}*b`;
    const path = `${'a'.repeat(5_000)}/${'a'.repeat(5_000)}`;
    const started = performance.now();
    expect(entries(`${pattern} @x\n`)[0]!.matches(path)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
