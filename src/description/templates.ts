/**
 * Reading the repository's pull request templates: the only I/O of the description policy, done by the
 * engine before any check runs (see {@link withPrTemplates}).
 *
 * Where GitHub reads templates from (GitHub Docs, "Creating a pull request template for your repository"):
 * a file named `pull_request_template` (any case, optional extension such as `.md` or `.txt`) in the
 * repository root, `docs/` or `.github/`, and any file in a `PULL_REQUEST_TEMPLATE/` directory in one of
 * those three places (several templates, chosen with the `template` query parameter). The gate reads them
 * from the base side: the templates the change is judged against are not the change's own.
 */
import type { Change, PrTemplate, TreeReader } from '../core/model.js';
import type { Policy } from '../policy/types.js';

/** True when `path` is one of the places GitHub reads a pull request template from (case-insensitive). */
export function isGitHubTemplatePath(path: string): boolean {
  const p = path.toLowerCase();
  return /^(?:\.github\/|docs\/)?pull_request_template(?:\.[a-z]+)?$/.test(p) || /^(?:\.github\/|docs\/)?pull_request_template\/[^/]+$/.test(p);
}

/** True when `path` is named by a configured template path: the file itself, or a file under that directory. */
function underConfigured(path: string, configured: readonly string[]): boolean {
  return configured.some((c) => {
    const clean = c.replace(/^\.\//, '').replace(/\/+$/, '');
    return path === clean || path.startsWith(`${clean}/`);
  });
}

const MAX_TEMPLATE_BYTES = 256 * 1024;

/**
 * Reads the pull request templates from `tree`: GitHub's locations, or the configured `paths`
 * (files, or directories whose files are all templates).
 * @returns the templates found, sorted by path; files over 256 KiB are skipped (no real template is that big)
 * @throws {SourceError} when the tree cannot be listed or read
 */
export async function readPrTemplates(tree: TreeReader, paths: readonly string[] = []): Promise<PrTemplate[]> {
  const all = await tree.listFiles();
  const wanted = all.filter((p) => (paths.length ? underConfigured(p, paths) : isGitHubTemplatePath(p))).sort();
  if (!wanted.length) return [];
  const bytes = await tree.readFiles(wanted);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const out: PrTemplate[] = [];
  for (const path of wanted) {
    const b = bytes.get(path);
    if (b === undefined || b.byteLength > MAX_TEMPLATE_BYTES) continue;
    out.push({ path, text: decoder.decode(b) });
  }
  return out;
}

/**
 * The engine's description pre-pass: returns `change` with {@link Change.prTemplates} filled from the base
 * side (the head side in `--all` mode, where there is no base). Nothing is read when the change has no
 * pull request, when the policy does not compare with templates, or when a source already supplied them.
 * @throws {SourceError} when the tree cannot be read
 */
export async function withPrTemplates(change: Change, policy: Policy): Promise<Change> {
  if (!change.pr || change.prTemplates || !policy.description.template.enabled) return change;
  const tree = change.mode === 'all' || !change.base ? change.head : (change.policyBase ?? change.base);
  return { ...change, prTemplates: await readPrTemplates(tree, policy.description.template.paths) };
}
