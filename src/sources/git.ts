/**
 * The local git source: reads a change between two commits of a repository on disk, as the CLI does.
 * Trees are read with one `git cat-file --batch` process per batch, so reading a thousand files costs
 * one process, not a thousand.
 */
import { spawn } from 'node:child_process';
import { SourceError } from '../core/errors.js';
import type { ChangedFile, Commit, FileStatus, Identity, SymlinkInfo, TreeReader } from '../core/model.js';
import { parseCoAuthors, identityFromEmail } from './identity.js';
import { nulRecords, PathTable, pathFromBytes } from './path-bytes.js';
import { resolveAll } from './symlinks.js';

/**
 * Runs git and returns its standard output.
 * @param okCodes exit codes that are not failures (`git grep` exits 1 when nothing matches)
 * @throws {SourceError} on another exit code, with git's message
 */
export function git(repo: string, args: string[], input?: Buffer | string, okCodes: readonly number[] = [0]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new SourceError(`cannot run git: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== null && okCodes.includes(code)) resolve(Buffer.concat(out));
      else reject(new SourceError(`git ${args.slice(0, 3).join(' ')} failed in ${repo}: ${Buffer.concat(err).toString('utf8').trim() || `exit code ${code}`}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Resolves a ref to a full commit SHA. @throws {SourceError} when the ref does not name a commit. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  try {
    return (await git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).toString('utf8').trim();
  } catch {
    throw new SourceError(`"${ref}" does not name a commit in ${repo}`);
  }
}

/**
 * Blob contents by blob id, shared by every {@link GitTree} of the process: the base and head of a change
 * share almost all their files, and a blob id names its content, so each is read from git once. Bounded
 * by the total size of its entries; the oldest go first (entries are views of git's output, so a batch's
 * buffer is released once none of its entries is held).
 */
const blobCache = new Map<string, Uint8Array>();
let blobCacheBytes = 0;
/** Most bytes {@link blobCache} holds. */
const BLOB_CACHE_MAX_BYTES = 64 * 1024 * 1024;

function cacheBlob(id: string, bytes: Uint8Array): void {
  if (bytes.byteLength > BLOB_CACHE_MAX_BYTES / 8 || blobCache.has(id)) return;
  blobCache.set(id, bytes);
  blobCacheBytes += bytes.byteLength;
  for (const [old, b] of blobCache) {
    if (blobCacheBytes <= BLOB_CACHE_MAX_BYTES) break;
    blobCache.delete(old);
    blobCacheBytes -= b.byteLength;
  }
}

/** What listing a commit gives: its blobs by path, and its symbolic links resolved. */
interface GitIndex {
  /** Every blob path (links included), sorted as git lists them. */
  paths: string[];
  /** Blob ids of the files that are not links, by path. */
  files: PathTable<string>;
  /** Each link, resolved within the commit, by path. */
  links: Map<string, SymlinkInfo>;
}

/** Git's mode of a symbolic link. */
const LINK_MODE = '120000';

/**
 * Reads blobs by id with one `git cat-file --batch`, through {@link blobCache}.
 * @param present `false`: every id must be a blob of the clone; `true`: ids the clone lacks (or holds as another
 *   type), or a directory that is no clone, are left out of the result
 * @throws {SourceError} when git fails (unless `present`) or its output is not what was asked for
 */
async function catFileBatch(repo: string, ids: readonly string[], present: boolean): Promise<Map<string, Uint8Array>> {
  const result = new Map<string, Uint8Array>();
  const wanted: string[] = [];
  for (const id of new Set(ids)) {
    const cached = blobCache.get(id);
    if (cached !== undefined) result.set(id, cached);
    else if (!present || /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id)) wanted.push(id);
  }
  if (wanted.length === 0) return result;
  let out: Buffer;
  try {
    out = await git(repo, ['cat-file', '--batch'], wanted.map((id) => `${id}\n`).join(''));
  } catch (e) {
    if (present) return result; // not a clone git can read: every blob comes from the API
    throw e;
  }
  let off = 0;
  for (const id of wanted) {
    const nl = out.indexOf(0x0a, off);
    if (nl < 0) throw new SourceError(`git cat-file: truncated output reading blob ${id}`);
    const header = out.subarray(off, nl).toString('utf8');
    off = nl + 1;
    if (present && header === `${id} missing`) continue;
    const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
    if (!m || (present ? m[1] !== id : m[2] !== 'blob')) throw new SourceError(`git cat-file: unexpected answer "${header}" reading blob ${id}`);
    const bytes = out.subarray(off, off + Number(m[3]));
    off += bytes.byteLength + 1;
    if (m[2] !== 'blob') continue; // an id the API listed as a blob is something else here: read it from the API
    result.set(id, bytes);
    cacheBlob(id, bytes);
  }
  return result;
}

/**
 * Reads blobs by id with one `git cat-file --batch`, through {@link blobCache}.
 * @throws {SourceError} when git fails or its output is not what was asked for
 */
function readBlobs(repo: string, ids: readonly string[]): Promise<Map<string, Uint8Array>> {
  return catFileBatch(repo, ids, false);
}

/**
 * The blobs of `ids` that the clone at `repo` holds, read with one `git cat-file --batch`, through the same
 * cache as {@link GitTree}; ids the clone lacks are left out (git answers `<id> missing`). A blob id names
 * its content, so a blob found here is the file whatever commit listed it: the base side read through the
 * API takes every file the head checkout shares with it from here, at no API cost.
 * @returns the blobs found, by id; empty when `repo` is not a git clone
 * @throws {SourceError} when git's output is not what was asked for
 */
export function readBlobsPresent(repo: string, ids: readonly string[]): Promise<Map<string, Uint8Array>> {
  return catFileBatch(repo, ids, true);
}

/**
 * A {@link TreeReader} over one commit of a local repository. File names are read as bytes (`ls-tree -z`) and
 * named by {@link pathFromBytes}, so a name that is not UTF-8 is read like any other; files are read by blob id.
 * A symbolic link reads as the file it leads to within the commit (see {@link resolveSymlink}).
 */
export class GitTree implements TreeReader {
  private index?: Promise<GitIndex>;
  constructor(
    private readonly repo: string,
    /** The commit SHA. */
    readonly label: string,
  ) {}

  async readFile(path: string): Promise<Uint8Array | undefined> {
    return (await this.readFiles([path])).get(path);
  }

  /** @throws {SourceError} when git fails */
  async readFiles(paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>> {
    const { files, links } = await this.listing();
    const ids = new Map<string, string | undefined>();
    for (const p of paths) {
      const link = links.get(p);
      ids.set(p, files.get(link ? (link.resolved ?? '') : p));
    }
    const blobs = await readBlobs(this.repo, [...ids.values()].filter((id): id is string => id !== undefined));
    const result = new Map<string, Uint8Array | undefined>();
    for (const [p, id] of ids) result.set(p, id === undefined ? undefined : blobs.get(id));
    return result;
  }

  /**
   * Paths of the files whose content holds at least one of `needles` (fixed strings, case-sensitive), found
   * by `git grep` over the commit without reading the files out: a cheap first cut before reading many files.
   * A link counts when the file it leads to does.
   * @throws {SourceError} when git fails
   */
  async filesContaining(needles: readonly string[]): Promise<Set<string>> {
    const args = ['grep', '-l', '-z', '-F', '--no-textconv', ...needles.flatMap((n) => ['-e', n]), this.label, '--'];
    const [out, { links }] = await Promise.all([git(this.repo, args, undefined, [0, 1]), this.listing()]);
    const prefix = `${this.label}:`;
    const found = new Set<string>();
    for (const entry of nulRecords(out)) {
      if (!entry.startsWith(prefix)) throw new SourceError(`git grep: unexpected output "${entry.slice(0, 200)}"`);
      found.add(entry.slice(prefix.length));
    }
    for (const l of links.values()) if (l.resolved !== undefined && found.has(l.resolved)) found.add(l.path);
    return found;
  }

  async listFiles(): Promise<string[]> {
    return (await this.listing()).paths;
  }

  async symlinks(): Promise<SymlinkInfo[]> {
    return [...(await this.listing()).links.values()];
  }

  /** Lists the commit once: blob ids by path, and the links resolved. @throws {SourceError} when git fails */
  private listing(): Promise<GitIndex> {
    this.index ??= (async () => {
      const out = await git(this.repo, ['ls-tree', '-r', '-z', '--full-tree', this.label]);
      const paths: string[] = [];
      const files = new PathTable<string>();
      const linkIds = new Map<string, string>();
      // Entries are "<mode> <type> <id>\t<path>"; only blobs are files (submodules are commits).
      for (const entry of nulRecords(out)) {
        // "<mode> blob <id>\t<path>": the type starts after the first space, the id after the second.
        const tab = entry.indexOf('\t');
        const sp = entry.indexOf(' ');
        if (tab < 0 || !entry.startsWith('blob ', sp + 1)) continue;
        const id = entry.slice(sp + 6, tab);
        let path: string;
        try {
          path = files.add(entry.slice(tab + 1), id);
        } catch (e) {
          throw new SourceError(`${this.label}: ${(e as Error).message}`);
        }
        paths.push(path);
        if (entry.startsWith(LINK_MODE)) linkIds.set(path, id);
      }
      const targets = await readBlobs(this.repo, [...linkIds.values()]);
      const texts = new Map([...linkIds].map(([p, id]) => [p, pathFromBytes(targets.get(id)!)]));
      const plain = paths.filter((p) => !linkIds.has(p));
      const links = new Map(resolveAll(plain, texts).map((l) => [l.path, l]));
      return { paths, files, links };
    })();
    return this.index;
  }
}

const STATUS: Record<string, FileStatus> = { A: 'added', M: 'modified', D: 'removed', R: 'renamed', C: 'copied', T: 'changed' };

/**
 * Files changed between two commits, with renames detected as GitHub does (`git diff -M`). Names are read as
 * bytes and named by {@link pathFromBytes}, as {@link GitTree} names them.
 */
export async function changedFiles(repo: string, base: string, head: string): Promise<ChangedFile[]> {
  const parts = nulRecords(await git(repo, ['diff', '--name-status', '-z', '-M', '--no-color', base, head]));
  const files: ChangedFile[] = [];
  for (let i = 0; i < parts.length; ) {
    const code = parts[i++]!;
    const status = STATUS[code[0]!] ?? 'changed';
    if (status === 'renamed' || status === 'copied') {
      const from = parts[i++]!;
      const to = parts[i++]!;
      files.push({ path: to, status, previousPath: from });
    } else {
      files.push({ path: parts[i++]!, status });
    }
  }
  return files;
}

/** Commits reachable from `head` and not from `base`, oldest first, with `Co-authored-by` trailers parsed. */
export async function commitsBetween(repo: string, base: string, head: string): Promise<Commit[]> {
  const fmt = ['%H', '%an', '%ae', '%cn', '%ce', '%B'].join('%x1f') + '%x1e';
  const out = (await git(repo, ['log', '--reverse', `--format=${fmt}`, `${base}..${head}`])).toString('utf8');
  return out
    .split('\x1e')
    .map((s) => s.replace(/^\n/, ''))
    .filter((s) => s.trim())
    .map((rec) => {
      const [sha, an, ae, cn, ce, ...body] = rec.split('\x1f');
      const message = body.join('\x1f');
      const author: Identity = { name: an!, email: ae!, ...identityFromEmail(ae!) };
      const committer: Identity = { name: cn!, email: ce!, ...identityFromEmail(ce!) };
      return { sha: sha!, author, committer, coAuthors: parseCoAuthors(message), message };
    });
}

/** Whether a clone can give the change between two commits, and the merge base when it can. */
export type CloneRange = { ok: true; mergeBase: string } | { ok: false; why: string };

/**
 * Checks that `repo` is a full (not shallow) clone holding both commits, and finds their merge base: the
 * commit GitHub diffs a pull request's head against. Never throws: when the clone cannot serve, `why` says
 * so in words for a message ("the clone is shallow", "commit … is not in the clone", …).
 */
export async function cloneRange(repo: string, base: string, head: string): Promise<CloneRange> {
  try {
    const shallow = (await git(repo, ['rev-parse', '--is-shallow-repository'])).toString('utf8').trim();
    if (shallow === 'true') return { ok: false, why: 'the clone is shallow (its history is cut, so the merge base and the commits between are unknown)' };
  } catch (err) {
    return { ok: false, why: `git cannot read the clone (${(err as Error).message})` };
  }
  for (const sha of [base, head]) {
    try {
      await git(repo, ['cat-file', '-e', `${sha}^{commit}`]);
    } catch {
      return { ok: false, why: `commit ${sha} (the ${sha === base ? 'base' : 'head'}) is not in the clone` };
    }
  }
  try {
    const mergeBase = (await git(repo, ['merge-base', base, head])).toString('utf8').trim();
    if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(mergeBase)) return { ok: true, mergeBase };
    return { ok: false, why: `git merge-base gave "${mergeBase.slice(0, 80)}"` };
  } catch {
    return { ok: false, why: `the base ${base} and the head ${head} have no merge base in the clone` };
  }
}
