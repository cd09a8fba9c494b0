/**
 * Symbolic links resolved as ArgoCD's repo-server reads them. The repo-server checks out the repository and
 * reads manifests through the file system, so a link inside the repository is followed and its target applied
 * under the link's path; before that it refuses the whole repository when any link is absolute or leads out of
 * it (util/app/path, CheckOutOfBoundsSymlinks: "repository contains out-of-bounds symlinks"). The gate does
 * the same at the same commit: links are resolved against the tree's own entries, never the machine's files.
 */
import type { SymlinkInfo } from '../core/model.js';

/** Most links followed for one path: Linux's limit (MAXSYMLINKS, 40); past it `open` fails with ELOOP. */
export const MAX_LINK_HOPS = 40;

/** What a tree holds at a path: a file (a blob), a directory, a symbolic link, or nothing. */
export type EntryKind = 'file' | 'dir' | 'link' | undefined;

/** The entries of one tree, as {@link resolveSymlink} needs them. */
export interface LinkTree {
  kind(path: string): EntryKind;
  /** A link's target text; called only for paths whose kind is `link`. */
  target(path: string): string;
}

function parentSegments(path: string): string[] {
  const parts = path.split('/');
  parts.pop();
  return parts;
}

/**
 * ArgoCD's test of one link, on its text alone: absolute, or a walk from the link's directory along the target's
 * segments that steps above the repository root.
 */
export function leavesRepository(linkPath: string, target: string): boolean {
  if (target.startsWith('/')) return true;
  const at = parentSegments(linkPath);
  for (const seg of target.split('/')) {
    if (seg === '..') {
      if (at.length === 0) return true;
      at.pop();
    } else if (seg !== '' && seg !== '.') {
      at.push(seg);
    }
  }
  return false;
}

/**
 * Resolves one link of `tree`: its target is read relative to the link's directory, links on the way (as the
 * whole target or as a directory in it) are followed, at most {@link MAX_LINK_HOPS} of them.
 */
export function resolveSymlink(tree: LinkTree, linkPath: string): SymlinkInfo {
  const target = tree.target(linkPath);
  const via: string[] = [];
  const fail = (problem: NonNullable<SymlinkInfo['problem']>, message: string): SymlinkInfo => ({ path: linkPath, target, via, problem, message });
  const outside = (link: string, t: string) =>
    fail('outside', `${link} is a symbolic link to "${t}", ${t.startsWith('/') ? 'an absolute path' : 'which leads outside the repository'}: ArgoCD refuses a repository holding such a link`);
  if (leavesRepository(linkPath, target)) return outside(linkPath, target);
  const at = parentSegments(linkPath);
  let todo = target.split('/');
  let hops = 1; // the link itself counts, as in the kernel's count
  while (todo.length) {
    const seg = todo.shift()!;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (at.length === 0) return outside(linkPath, target);
      at.pop();
      continue;
    }
    at.push(seg);
    const p = at.join('/');
    const kind = tree.kind(p);
    if (kind === 'link') {
      if (++hops > MAX_LINK_HOPS) return fail('loop', `${linkPath}: the chain of symbolic links loops or is longer than ${MAX_LINK_HOPS} links (at ${p})`);
      via.push(p);
      const next = tree.target(p);
      if (leavesRepository(p, next)) return outside(p, next);
      at.pop();
      todo = [...next.split('/'), ...todo];
    } else if (kind === undefined || (kind === 'file' && todo.some((s) => s !== ''))) {
      return fail('missing', `${linkPath} is a symbolic link to "${target}", and ${p} does not exist at this commit`);
    }
  }
  const end = at.join('/');
  if (tree.kind(end) !== 'file') return fail('directory', `${linkPath} is a symbolic link to "${target}", which is a directory (${end || 'the repository root'}), not a file`);
  via.push(end);
  return { path: linkPath, target, resolved: end, via };
}

/**
 * The {@link LinkTree} of a listed tree: `files` are the paths of blobs that are not links, `links` the link
 * targets by path; directories are the parents of both.
 */
export function linkTreeOf(files: Iterable<string>, links: ReadonlyMap<string, string>): LinkTree {
  const fileSet = new Set(files);
  const dirs = new Set<string>(['']);
  for (const p of [...fileSet, ...links.keys()]) {
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) dirs.add(p.slice(0, i));
  }
  return {
    kind: (p) => (links.has(p) ? 'link' : fileSet.has(p) ? 'file' : dirs.has(p) ? 'dir' : undefined),
    target: (p) => links.get(p)!,
  };
}

/** Resolves every link of a listed tree (see {@link linkTreeOf}), sorted by path. */
export function resolveAll(files: Iterable<string>, links: ReadonlyMap<string, string>): SymlinkInfo[] {
  if (links.size === 0) return [];
  const tree = linkTreeOf(files, links);
  return [...links.keys()].sort().map((p) => resolveSymlink(tree, p));
}
