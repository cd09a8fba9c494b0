/**
 * Findings for symbolic links ArgoCD cannot read. A link inside the repository is read as the file it leads to
 * (the readers resolve it, and the other checks judge the target under the link's path); these rules cover the
 * links that lead nowhere readable. The gate fails closed on each.
 */
import { manifestMatcher } from '../manifests/manifest-file.js';
import type { Check } from './check.js';

/** Rules on symbolic links. */
export const symlinkCheck: Check = {
  name: 'symlinks',
  rules: [
    {
      id: 'symlink-outside-repo',
      area: 'manifests',
      title: 'symbolic links must stay inside the repository',
      defaultSeverity: 'error',
      reference:
        'argo-cd util/app/path CheckOutOfBoundsSymlinks: the repo-server refuses the whole repository ("repository contains out-of-bounds symlinks") when any link is absolute or leads out of it',
    },
    {
      id: 'symlink-unresolved',
      area: 'manifests',
      title: 'a symbolic link with a manifest name must lead to a file in the repository',
      defaultSeverity: 'error',
      reference: 'the repo-server reads manifests through the file system (os.ReadFile): a link that loops (ELOOP), dangles (ENOENT) or names a directory (EISDIR) fails manifest generation',
    },
  ],
  side(ctx) {
    const links = ctx.snapshot.symlinks;
    if (!links?.length) return;
    const isManifest = manifestMatcher(ctx.policy.manifests);
    for (const l of links) {
      if (!l.problem) continue;
      const pos = { line: 1, column: 1 };
      if (l.problem === 'outside') {
        ctx.report('symlink-outside-repo', { file: l.path, pos, message: l.message ?? `${l.path} leads outside the repository`, fix: 'Replace the link with the file itself, or point it at a file inside the repository with a relative path.', key: l.target });
      } else if (isManifest(l.path)) {
        ctx.report('symlink-unresolved', { file: l.path, pos, message: l.message ?? `${l.path} leads to no file`, fix: 'Point the link at a manifest file inside the repository, or remove it.', key: `${l.problem}:${l.target}` });
      }
    }
  },
};
