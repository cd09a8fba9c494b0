/**
 * The workspace the runner checked out (`GITHUB_WORKSPACE`), as a {@link TreeReader}: the head side
 * of the change in the Action.
 *
 * Files are read as data, never executed. The tree is listed once with names as bytes (Buffers), so a name
 * that is not UTF-8 is read like any other ({@link pathFromBytes}). A symbolic link is never followed by the
 * file system: it is resolved against the listing, as the git reader resolves it ({@link resolveSymlink}), and
 * reads as the file it leads to inside the workspace; a link out of the workspace reads as nothing (and is
 * reported), so a PR cannot make the gate read files outside the repository (runner secrets, other checkouts).
 */
import { constants } from 'node:fs';
import { open, readdir, readlink } from 'node:fs/promises';
import { SourceError } from '../core/errors.js';
import type { SymlinkInfo, TreeReader } from '../core/model.js';
import { PathTable, pathFromBytes } from './path-bytes.js';
import { resolveAll } from './symlinks.js';
import { readEach } from './tree-paths.js';

/** The workspace as listed: every file and link by path (with its name's bytes on disk), and the links resolved. */
interface FsIndex {
  paths: string[];
  /** Absolute path bytes of each regular file and link. */
  entries: PathTable<Buffer>;
  links: Map<string, SymlinkInfo>;
}

/** A directory on disk read as a tree; `.git` is skipped. */
export class FsTree implements TreeReader {
  private index?: Promise<FsIndex>;
  constructor(
    private readonly root: string,
    /** A label for messages (the head SHA). */
    readonly label: string,
  ) {}

  /**
   * The bytes of a regular file, or of the file a symbolic link leads to inside the workspace; `undefined` for
   * anything else (missing, a directory, a link that leads nowhere or out, a path that is not listed).
   * @throws {SourceError} on an I/O error other than a missing file
   */
  async readFile(path: string): Promise<Uint8Array | undefined> {
    const { entries, links } = await this.listing();
    const link = links.get(path);
    const file = link ? (link.resolved === undefined ? undefined : entries.get(link.resolved)) : entries.get(path);
    if (file === undefined) return undefined;
    try {
      // O_NOFOLLOW: the listing saw a regular file here; should a link have taken its place since, refuse it.
      const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        if (!(await fh.stat()).isFile()) return undefined;
        return new Uint8Array(await fh.readFile());
      } finally {
        await fh.close();
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
      throw new SourceError(`cannot read ${path} in the workspace: ${(err as Error).message}`);
    }
  }

  readFiles(paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>> {
    return readEach(this, paths);
  }

  /** Every file (and symbolic link) under the root, sorted; `.git` is skipped, links are not followed. */
  async listFiles(): Promise<string[]> {
    return (await this.listing()).paths;
  }

  async symlinks(): Promise<SymlinkInfo[]> {
    return [...(await this.listing()).links.values()];
  }

  /** @throws {SourceError} when the workspace cannot be listed, or two names escape alike */
  private listing(): Promise<FsIndex> {
    this.index ??= (async () => {
      const entries = new PathTable<Buffer>();
      const linkTargets = new Map<string, string>();
      const plain: string[] = [];
      const slash = Buffer.from('/');
      const walk = async (dir: Buffer, prefix: Buffer | undefined): Promise<void> => {
        const list = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
        for (const e of list) {
          const name = e.name;
          const rel = prefix ? Buffer.concat([prefix, slash, name]) : name;
          const abs = Buffer.concat([dir, slash, name]);
          if (e.isDirectory()) {
            if (!prefix && name.equals(Buffer.from('.git'))) continue;
            await walk(abs, rel);
          } else if (e.isFile()) {
            plain.push(entries.add(pathFromBytes(rel), abs));
          } else if (e.isSymbolicLink()) {
            const path = entries.add(pathFromBytes(rel), abs);
            linkTargets.set(path, pathFromBytes(await readlink(abs, { encoding: 'buffer' })));
          }
        }
      };
      try {
        await walk(Buffer.from(this.root), undefined);
      } catch (err) {
        throw new SourceError(`cannot list the workspace ${this.root}: ${(err as Error).message}`);
      }
      const links = new Map(resolveAll(plain, linkTargets).map((l) => [l.path, l]));
      return { paths: [...entries.keys()].sort(), entries, links };
    })();
    return this.index;
  }
}
