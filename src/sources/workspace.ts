/**
 * The workspace the runner checked out (`GITHUB_WORKSPACE`), as a {@link TreeReader}: the head side
 * of the change in the Action.
 *
 * Files are read as data, never executed. A symbolic link is read as git stores it (its target text),
 * never followed, so a PR cannot make the gate read files outside the repository (runner secrets,
 * other checkouts); this also keeps the head consistent with the base, which git reads the same way.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceError } from '../core/errors.js';
import type { TreeReader } from '../core/model.js';
import { isRepoPath, readEach } from './tree-paths.js';

/** A directory on disk read as a tree; `.git` is skipped. */
export class FsTree implements TreeReader {
  private list?: Promise<string[]>;
  constructor(
    private readonly root: string,
    /** A label for messages (the head SHA). */
    readonly label: string,
  ) {}

  /**
   * The bytes of a regular file, the target of a symbolic link, or `undefined` (missing, a directory,
   * or a path that is not a plain repository path).
   * @throws {SourceError} on an I/O error other than a missing file
   */
  async readFile(path: string): Promise<Uint8Array | undefined> {
    if (!isRepoPath(path) || path.split('/')[0] === '.git') return undefined;
    // Every parent must be a real directory: a symlinked directory would lead outside the tree.
    const parts = path.split('/');
    let cur = this.root;
    try {
      for (let i = 0; i < parts.length; i++) {
        cur = join(cur, parts[i]!);
        const st = await lstat(cur);
        if (i < parts.length - 1) {
          if (!st.isDirectory()) return undefined;
        } else if (st.isSymbolicLink()) {
          return new TextEncoder().encode(await readlink(cur));
        } else if (st.isFile()) {
          return new Uint8Array(await readFile(cur));
        } else {
          return undefined;
        }
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new SourceError(`cannot read ${path} in the workspace: ${(err as Error).message}`);
    }
    return undefined;
  }

  readFiles(paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>> {
    return readEach(this, paths);
  }

  /** Every file (and symbolic link) under the root, sorted; `.git` is skipped, links are not followed. */
  listFiles(): Promise<string[]> {
    this.list ??= (async () => {
      const out: string[] = [];
      const walk = async (dir: string, prefix: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true });
        for (const e of entries) {
          const rel = prefix ? `${prefix}/${e.name}` : e.name;
          if (e.isDirectory()) {
            if (!prefix && e.name === '.git') continue;
            await walk(join(dir, e.name), rel);
          } else if (e.isFile() || e.isSymbolicLink()) {
            out.push(rel);
          }
        }
      };
      try {
        await walk(this.root, '');
      } catch (err) {
        throw new SourceError(`cannot list the workspace ${this.root}: ${(err as Error).message}`);
      }
      return out.sort();
    })();
    return this.list;
  }
}
