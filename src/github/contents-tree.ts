/**
 * A {@link TreeReader} over one commit of the repository on GitHub, for the base side when the base
 * commit is not in the workspace clone (`actions/checkout` fetches one commit by default).
 *
 * Files come from the contents API (`GET /repos/{o}/{r}/contents/{path}?ref=SHA`, base64), one request
 * per file, cached; the file list comes from the git trees API (`GET /repos/{o}/{r}/git/trees/{sha}?recursive=1`).
 */
import { SourceError } from '../core/errors.js';
import type { TreeReader } from '../core/model.js';
import { isRepoPath, readEach } from '../sources/tree-paths.js';
import { apiError, httpStatus } from './api-errors.js';
import type { GitHubClient } from './client.js';

const CONTENTS_PERMISSION = 'contents: read';

/** Reads one commit through the contents and git trees APIs. */
export class ContentsTree implements TreeReader {
  private readonly cache = new Map<string, Promise<Uint8Array | undefined>>();
  private list?: Promise<string[]>;
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
   * A file's bytes: a file's content, a symbolic link's target (as git stores it), `undefined` for a
   * directory, a submodule or a 404.
   * @throws {SourceError} on 401/403 or other API errors, and for files the contents API does not
   * return inline (over 1 MB)
   */
  readFile(path: string): Promise<Uint8Array | undefined> {
    let p = this.cache.get(path);
    if (!p) {
      p = this.fetch(path);
      this.cache.set(path, p);
    }
    return p;
  }

  readFiles(paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>> {
    return readEach(this, paths);
  }

  /**
   * Every blob path of the commit.
   * @throws {SourceError} when GitHub truncates the tree (over 100,000 entries or 7 MB): the list would
   * be incomplete, so the gate fails closed and asks for the base commit in the clone instead
   */
  listFiles(): Promise<string[]> {
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
      return data.tree.flatMap((e) => (e.type === 'blob' && e.path ? [e.path] : []));
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

  private async fetch(path: string): Promise<Uint8Array | undefined> {
    if (!isRepoPath(path) || this.knownNotFile(path)) return undefined;
    let data;
    try {
      ({ data } = await this.gh.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref: this.label }));
    } catch (err) {
      if (httpStatus(err) === 404) {
        await this.checkAccess();
        return undefined;
      }
      throw apiError(err, { what: `reading ${path} at ${this.label}`, permission: CONTENTS_PERMISSION });
    }
    this.access ??= Promise.resolve(); // a 200 proves the token can read the repository
    if (Array.isArray(data)) {
      // A directory. The contents API lists at most 1,000 entries: only complete listings are kept.
      if (data.length < 1000) this.dirs.set(path, new Map(data.map((e) => [e.name, e.type])));
      return undefined;
    }
    if (data.type === 'symlink' && 'target' in data) return new TextEncoder().encode(data.target);
    if (data.type !== 'file' || !('content' in data)) return undefined; // a submodule
    if (data.encoding !== 'base64') {
      throw new SourceError(
        `${path} at ${this.label} is too large for the contents API (${data.size} bytes). Fetch the base commit in actions/checkout (fetch-depth: 0) so the gate reads it with git.`,
      );
    }
    return new Uint8Array(Buffer.from(data.content, 'base64'));
  }
}
