/**
 * The population of an audit, from the local clone: every commit on the first-parent history of the
 * branch whose committer date falls in the period, with the files and ArgoCD Applications it changed.
 * The clone must hold that history (`actions/checkout` with `fetch-depth: 0`); a shallow clone that stops
 * inside the period is an error, never a shorter population.
 */
import { layoutSettings } from '../engine/layout.js';
import { SourceError } from '../core/errors.js';
import type { ChangedFile, Commit, Identity } from '../core/model.js';
import { repoLayout } from '../argocd/layout.js';
import { manifestMatcher } from '../manifests/manifest-file.js';
import type { Policy } from '../policy/types.js';
import { changedFiles, commitsBetween, git, GitTree } from '../sources/git.js';
import { identityFromEmail, parseCoAuthors } from '../sources/identity.js';

/** git's empty tree, the "parent" of a root commit. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** One commit of the branch's first-parent history. */
export interface BranchCommit extends Commit {
  /** Parent SHAs; the first is the branch before this commit. */
  parents: string[];
  /** Committer date, ISO-8601 UTC. */
  committedAt: string;
  /** First line of the message. */
  subject: string;
}

/**
 * Resolves the branch to audit: `refs/remotes/origin/<branch>` (what a CI checkout fetched), else
 * `refs/heads/<branch>`.
 * @returns the ref name and its commit SHA
 * @throws {SourceError} when neither exists
 */
export async function resolveBranch(repo: string, branch: string): Promise<{ ref: string; sha: string }> {
  for (const ref of [`refs/remotes/origin/${branch}`, `refs/heads/${branch}`]) {
    try {
      const sha = (await git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).toString('utf8').trim();
      if (sha) return { ref, sha };
    } catch {
      // try the next
    }
  }
  throw new SourceError(`branch "${branch}" is not in the clone at ${repo} (looked for refs/remotes/origin/${branch} and refs/heads/${branch}): fetch it first`);
}

const FIELD = '\x1f';
const RECORD = '\x1e';

function parseLog(out: string): BranchCommit[] {
  return out
    .split(RECORD)
    .map((s) => s.replace(/^\n/, ''))
    .filter((s) => s.trim())
    .map((rec) => {
      const [sha, parents, committedAt, an, ae, cn, ce, ...body] = rec.split(FIELD);
      const message = body.join(FIELD);
      const author: Identity = { name: an!, email: ae!, ...identityFromEmail(ae!) };
      const committer: Identity = { name: cn!, email: ce!, ...identityFromEmail(ce!) };
      return {
        sha: sha!,
        parents: parents!.split(' ').filter(Boolean),
        committedAt: new Date(committedAt!).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        subject: message.split('\n', 1)[0] ?? '',
        author,
        committer,
        coAuthors: parseCoAuthors(message),
        message,
      };
    });
}

/**
 * The first-parent commits of `tip` committed in `[start, end)`, oldest first.
 * @param start inclusive instant (ISO-8601)
 * @param end exclusive instant (ISO-8601)
 * @throws {SourceError} when the clone is shallow and its history stops inside or after the period's start
 */
export async function firstParentCommits(repo: string, tip: string, start: string, end: string): Promise<BranchCommit[]> {
  const fmt = ['%H', '%P', '%cI', '%an', '%ae', '%cn', '%ce', '%B'].join('%x1f') + '%x1e';
  const all = parseLog((await git(repo, ['log', '--first-parent', `--format=${fmt}`, tip])).toString('utf8'));
  const oldest = all.at(-1);
  const shallow = (await git(repo, ['rev-parse', '--is-shallow-repository'])).toString('utf8').trim() === 'true';
  if (shallow && oldest && oldest.committedAt >= start) {
    throw new SourceError(
      `the clone at ${repo} is shallow: its history of the branch stops at ${oldest.sha.slice(0, 12)} (${oldest.committedAt}), ` +
        `not before the period's start ${start}, so the population would be incomplete. Fetch the whole history ` +
        '(actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow`).',
    );
  }
  return all.filter((c) => c.committedAt >= start && c.committedAt < end).reverse();
}

/** Which of `shas` name commits present in the clone. */
export async function presentCommits(repo: string, shas: readonly string[]): Promise<Set<string>> {
  if (!shas.length) return new Set();
  const out = (await git(repo, ['cat-file', '--batch-check'], shas.map((s) => `${s}^{commit}\n`).join(''))).toString('utf8');
  const lines = out.split('\n');
  return new Set(shas.filter((_, i) => !/ missing$/.test(lines[i] ?? ' missing')));
}

/** The commits a merged PR brought, read locally: those reachable from `head` and not from `base`. */
export function localPullCommits(repo: string, base: string, head: string): Promise<Commit[]> {
  return commitsBetween(repo, base, head);
}

const STATUS: Record<string, ChangedFile['status']> = { A: 'added', M: 'modified', D: 'removed', R: 'renamed', C: 'copied', T: 'changed' };

/**
 * The files each commit changed against its first parent (renames detected as GitHub does, `-M`), for many
 * commits in one `git log` process: one process per commit would dominate the audit's time.
 */
export async function changedFilesOf(repo: string, shas: readonly string[]): Promise<Map<string, ChangedFile[]>> {
  const out = new Map<string, ChangedFile[]>();
  if (!shas.length) return out;
  const text = (
    await git(repo, ['log', '--no-walk=unsorted', '--stdin', '--diff-merges=first-parent', '--name-status', '-M', '-z', '--format=%x01%H'], shas.join('\n') + '\n')
  ).toString('utf8');
  for (const rec of text.split('\x01').filter(Boolean)) {
    const parts = rec.split('\0');
    const sha = parts[0]!.trim();
    const files: ChangedFile[] = [];
    for (let i = 1; i < parts.length; ) {
      const code = parts[i++]!.replace(/^\n/, '');
      if (!code) continue;
      const status = STATUS[code[0]!] ?? 'changed';
      if (status === 'renamed' || status === 'copied') {
        const from = parts[i++]!;
        files.push({ path: parts[i++]!, status, previousPath: from });
      } else files.push({ path: parts[i++]!, status });
    }
    out.set(sha, files);
  }
  return out;
}

/** One {@link GitTree} per commit, so the layouts cached per tree are shared by a commit and its child. */
export class Trees {
  private readonly trees = new Map<string, GitTree>();
  constructor(private readonly repo: string) {}
  /** The tree of `sha`. */
  of(sha: string): GitTree {
    let t = this.trees.get(sha);
    if (!t) this.trees.set(sha, (t = new GitTree(this.repo, sha)));
    return t;
  }
}

/** What a commit changed: its files against its first parent, the manifests among them and the Applications. */
export interface CommitScope {
  files: ChangedFile[];
  manifests: string[];
  /** `file#name` of each ArgoCD Application whose sync group or definition the commit touched. */
  applications: string[];
}

/**
 * The files, manifests and Applications one commit changed, against its first parent. Applications are
 * found as the gate groups manifests (src/argocd/layout.ts): the Application whose source path holds a
 * changed manifest, at the parent or at the commit, and any Application whose own manifest changed.
 */
export async function commitScope(repo: string, commit: BranchCommit, policy: Policy, trees: Trees, known?: ChangedFile[]): Promise<CommitScope> {
  const parent = commit.parents[0];
  const files = known ?? (await changedFiles(repo, parent ?? EMPTY_TREE, commit.sha));
  const isManifest = manifestMatcher(policy.manifests);
  const manifests = [...new Set(files.flatMap((f) => [f.path, f.previousPath]).filter((p): p is string => p !== undefined && isManifest(p)))].sort();
  const apps = new Set<string>();
  if (manifests.length) {
    const layouts = [await repoLayout(trees.of(commit.sha), layoutSettings(policy)), ...(parent ? [await repoLayout(trees.of(parent), layoutSettings(policy))] : [])];
    for (const p of manifests) {
      for (const l of layouts) {
        for (const k of l.keysOf(p) ?? []) {
          const ref = l.refOf(k);
          if (ref?.grouping === 'application') apps.add(`${ref.file}#${ref.name}`);
        }
        for (const a of l.appsOfFile(p)) apps.add(`${a.file}#${a.name}`);
      }
    }
  }
  return { files, manifests, applications: [...apps].sort() };
}
