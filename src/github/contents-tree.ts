/**
 * A {@link TreeReader} over one commit of the repository on GitHub, for the base side when the base
 * commit is not in the workspace clone (`actions/checkout` fetches one commit by default).
 *
 * Files come from the contents API (`GET /repos/{o}/{r}/contents/{path}?ref=SHA`, base64), one request
 * per file, cached; the file list comes from the git trees API (`GET /repos/{o}/{r}/git/trees/{sha}?recursive=1`).
 *
 * Symbolic links: the contents API itself answers a link that leads to a normal file of the repository with
 * that file's content, and any other link with the link (`type: symlink`, its target). The first reads as the
 * file, as ArgoCD reads it; the second reads as nothing, and {@link ContentsTree.symlinks} says why.
 */
import { SourceError } from '../core/errors.js';
import type { SymlinkInfo, TreeReader } from '../core/model.js';
import { resolveAll } from '../sources/symlinks.js';
import { isRepoPath, readEach } from '../sources/tree-paths.js';
import { apiError, httpStatus } from './api-errors.js';
import type { GitHubClient } from './client.js';

const CONTENTS_PERMISSION = 'contents: read';

/** Reads one commit through the contents and git trees APIs. */
/** What the contents API answered for a path. */
type Entry = { kind: 'file'; bytes: Uint8Array; path: string } | { kind: 'link'; target: string } | { kind: 'none' };

export class ContentsTree implements TreeReader {
  private readonly cache = new Map<string, Promise<Entry>>();
  private list?: Promise<{ paths: string[]; links: string[] }>;
  private access?: Promise<void>;
  /** Directory listings seen so far (entry name → type), which answer later lookups without a request. */
  private readonly dirs = new Map<string, Map<string, string>>();

  constructor(
    private readonly gh: GitHubClient,
    private readonly owner: string,
    private readonly repo: string,
    /** The commit SHA. */
    readonly label: string,
  ) {}

  /**
   * A file's bytes: a file's content, or the content of the file a symbolic link leads to; `undefined` for a
   * directory, a submodule, a link that leads to no file of the repository, or a 404.
   * @throws {SourceError} on 401/403 or other API errors, and for files the contents API does not
   * return inline (over 1 MB)
   */
  async readFile(path: string): Promise<Uint8Array | undefined> {
    const e = await this.entry(path);
    return e.kind === 'file' ? e.bytes : undefined;
  }

  private entry(path: string): Promise<Entry> {
    let p = this.cache.get(path);
    if (!p) {
      p = this.fetch(path);
      this.cache.set(path, p);
    }
    return p;
  }

  /**
   * The commit's symbolic links (mode 120000 in the git trees API), each read once through the contents API:
   * one GitHub followed is resolved to the file it answered with; the target of any other is resolved here.
   * @throws {SourceError} as {@link listFiles} and {@link readFile}
   */
  async symlinks(): Promise<SymlinkInfo[]> {
    const { paths, links } = await this.listing();
    if (!links.length) return [];
    const answers = await Promise.all(links.map(async (l) => [l, await this.entry(l)] as const));
    const linkSet = new Set(links);
    const texts = new Map<string, string>();
    const followed: SymlinkInfo[] = [];
    for (const [l, e] of answers) {
      if (e.kind === 'link') texts.set(l, e.target);
      else if (e.kind === 'file') followed.push({ path: l, target: e.path, resolved: e.path, via: [e.path] });
      else texts.set(l, ''); // listed as a link, yet the API answers nothing: resolved as a link to its own directory
    }
    // Links GitHub followed lead to files: to resolve the others they count as files.
    const files = paths.filter((p) => !linkSet.has(p) || !texts.has(p));
    return [...followed, ...resolveAll(files, texts)].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  readFiles(paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>> {
    return readEach(this, paths);
  }

  /**
   * Every blob path of the commit.
   * @throws {SourceError} when GitHub truncates the tree (over 100,000 entries or 7 MB): the list would
   * be incomplete, so the gate fails closed and asks for the base commit in the clone instead
   */
  async listFiles(): Promise<string[]> {
    return (await this.listing()).paths;
  }

  private listing(): Promise<{ paths: string[]; links: string[] }> {
    this.list ??= (async () => {
      let data;
      try {
        ({ data } = await this.gh.rest.git.getTree({ owner: this.owner, repo: this.repo, tree_sha: this.label, recursive: '1' }));
      } catch (err) {
        throw apiError(err, { what: `listing the files of ${this.label}`, permission: CONTENTS_PERMISSION });
      }
      if (data.truncated) {
        throw new SourceError(
          `GitHub truncated the file list of the base commit ${this.label} (the git trees API returns at most 100,000 entries). ` +
            'Fetch the base commit in actions/checkout (fetch-depth: 0) so the gate reads it with git.',
        );
      }
      const blobs = data.tree.filter((e) => e.type === 'blob' && e.path);
      return { paths: blobs.map((e) => e.path!), links: blobs.filter((e) => e.mode === '120000').map((e) => e.path!) };
    })();
    return this.list;
  }

  /**
   * GitHub answers 404 both for a missing file and for a repository the token may not read. A missing
   * policy file must not silently become the default policy, so a 404 before any successful read is
   * checked once against the commit's root tree: if that is a 404 too, the token cannot read the
   * repository.
   */
  private checkAccess(): Promise<void> {
    this.access ??= this.gh.rest.git.getTree({ owner: this.owner, repo: this.repo, tree_sha: this.label }).then(
      () => undefined,
      (err: unknown) => {
        throw apiError(err, { what: `reading the base commit ${this.label}`, permission: CONTENTS_PERMISSION });
      },
    );
    return this.access;
  }

  /** True when a listing already read shows that `path` is not a file (absent, or a directory). */
  private knownNotFile(path: string): boolean {
    const slash = path.lastIndexOf('/');
    const listing = this.dirs.get(slash < 0 ? '' : path.slice(0, slash));
    if (!listing) return false;
    const type = listing.get(path.slice(slash + 1));
    return type === undefined || type === 'dir';
  }

  private async fetch(path: string): Promise<Entry> {
    const none: Entry = { kind: 'none' };
    if (!isRepoPath(path) || this.knownNotFile(path)) return none;
    let data;
    try {
      ({ data } = await this.gh.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref: this.label }));
    } catch (err) {
      if (httpStatus(err) === 404) {
        await this.checkAccess();
        return none;
      }
      throw apiError(err, { what: `reading ${path} at ${this.label}`, permission: CONTENTS_PERMISSION });
    }
    this.access ??= Promise.resolve(); // a 200 proves the token can read the repository
    if (Array.isArray(data)) {
      // A directory. The contents API lists at most 1,000 entries: only complete listings are kept.
      if (data.length < 1000) this.dirs.set(path, new Map(data.map((e) => [e.name, e.type])));
      return none;
    }
    if (data.type === 'symlink' && 'target' in data) return { kind: 'link', target: data.target };
    if (data.type !== 'file' || !('content' in data)) return none; // a submodule
    if (data.encoding !== 'base64') {
      throw new SourceError(
        `${path} at ${this.label} is too large for the contents API (${data.size} bytes). Fetch the base commit in actions/checkout (fetch-depth: 0) so the gate reads it with git.`,
      );
    }
    return { kind: 'file', bytes: new Uint8Array(Buffer.from(data.content, 'base64')), path: data.path };
  }
}
