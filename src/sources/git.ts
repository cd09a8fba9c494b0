/**
 * The local git source: reads a change between two commits of a repository on disk, as the CLI does.
 * Trees are read with one `git cat-file --batch` process per batch, so reading a thousand files costs
 * one process, not a thousand.
 */
import { spawn } from 'node:child_process';
import { SourceError } from '../core/errors.js';
import type { ChangedFile, Commit, FileStatus, Identity, TreeReader } from '../core/model.js';
import { parseCoAuthors, identityFromEmail } from './identity.js';

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

/** A {@link TreeReader} over one commit of a local repository. */
export class GitTree implements TreeReader {
  private list?: Promise<string[]>;
  /** Blob ids by path, known once the tree has been listed; reading by id skips a tree walk per file. */
  private blobs?: Map<string, string>;
  constructor(
    private readonly repo: string,
    /** The commit SHA. */
    readonly label: string,
  ) {}

  async readFile(path: string): Promise<Uint8Array | undefined> {
    return (await this.readFiles([path])).get(path);
  }

  async readFiles(paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>> {
    const result = new Map<string, Uint8Array | undefined>();
    for (const p of paths) result.set(p, undefined);
    // `cat-file --batch` reads one name per line: a path holding a line break can only be read by blob id,
    // which listing the tree supplies. Skipping such a file would pass it unread.
    if (paths.some((p) => p.includes('\n') || p.includes('\r'))) await this.listFiles();
    const blobs = this.blobs;
    const wanted: string[] = [];
    for (const p of new Set(paths)) {
      const id = blobs?.get(p);
      const cached = id === undefined ? undefined : blobCache.get(id);
      if (cached !== undefined) result.set(p, cached);
      else if (id !== undefined || !(p.includes('\n') || p.includes('\r'))) wanted.push(p);
    }
    if (wanted.length === 0) return result;
    const input = wanted.map((p) => `${blobs?.get(p) ?? `${this.label}:${p}`}\n`).join('');
    const out = await git(this.repo, ['cat-file', '--batch'], input);
    let off = 0;
    for (const p of wanted) {
      const nl = out.indexOf(0x0a, off);
      if (nl < 0) throw new SourceError(`git cat-file: truncated output reading ${p}`);
      const header = out.subarray(off, nl).toString('utf8');
      off = nl + 1;
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) continue;
      const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
      if (!m) throw new SourceError(`git cat-file: unexpected header "${header}" reading ${p}`);
      const size = Number(m[3]);
      if (m[2] === 'blob') {
        const bytes = out.subarray(off, off + size);
        result.set(p, bytes);
        cacheBlob(m[1]!, bytes);
      }
      off += size + 1;
    }
    return result;
  }

  /**
   * Paths of the files whose content holds at least one of `needles` (fixed strings, case-sensitive), found
   * by `git grep` over the commit without reading the files out: a cheap first cut before reading many files.
   * @throws {SourceError} when git fails
   */
  async filesContaining(needles: readonly string[]): Promise<Set<string>> {
    const args = ['grep', '-l', '-z', '-F', '--no-textconv', ...needles.flatMap((n) => ['-e', n]), this.label, '--'];
    const out = (await git(this.repo, args, undefined, [0, 1])).toString('utf8');
    const prefix = `${this.label}:`;
    const found = new Set<string>();
    for (const entry of out.split('\0')) {
      if (!entry) continue;
      if (!entry.startsWith(prefix)) throw new SourceError(`git grep: unexpected output "${entry.slice(0, 200)}"`);
      found.add(entry.slice(prefix.length));
    }
    return found;
  }

  listFiles(): Promise<string[]> {
    this.list ??= git(this.repo, ['ls-tree', '-r', '-z', '--full-tree', this.label]).then((b) => {
      // Entries are "<mode> <type> <id>\t<path>"; only blobs are files (submodules are commits).
      const blobs = new Map<string, string>();
      for (const entry of b.toString('utf8').split('\0')) {
        const tab = entry.indexOf('\t');
        if (tab < 0) continue;
        // "<mode> blob <id>": the type starts after the first space, the id after the second.
        const sp = entry.indexOf(' ');
        if (entry.startsWith('blob ', sp + 1)) blobs.set(entry.slice(tab + 1), entry.slice(sp + 6, tab));
      }
      this.blobs = blobs;
      return [...blobs.keys()];
    });
    return this.list;
  }
}

const STATUS: Record<string, FileStatus> = { A: 'added', M: 'modified', D: 'removed', R: 'renamed', C: 'copied', T: 'changed' };

/** Files changed between two commits, with renames detected as GitHub does (`git diff -M`). */
export async function changedFiles(repo: string, base: string, head: string): Promise<ChangedFile[]> {
  const out = (await git(repo, ['diff', '--name-status', '-z', '-M', '--no-color', base, head])).toString('utf8');
  const parts = out.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i < parts.length - 1; ) {
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
